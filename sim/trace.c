/* The event buffer; see trace.h. */
#include <stdlib.h>
#include <string.h>

#include "trace.h"
#include "xmalloc.h"

static const char *const trace_names[TRACE_KIND_COUNT] = {
	[TRACE_BIO_SUBMIT] = "bio-submit",
	[TRACE_BIO_DONE] = "bio-done",
	[TRACE_CSUM] = "csum",
	[TRACE_RETRY] = "retry",
	[TRACE_RETRY_GIVE_UP] = "retry-give-up",
	[TRACE_LOOKUP] = "lookup",
	[TRACE_GET_EXTENT] = "get-extent",
	[TRACE_META_READ] = "metadata-read",
	[TRACE_ALLOC] = "alloc",
	[TRACE_DROP_CACHE] = "drop-cache",
	[TRACE_EIO] = "eio",
	[TRACE_DEADLOCK] = "deadlock",
	[TRACE_OOPS] = "oops",
	[TRACE_NO_MIRROR] = "no-mirror",
	[TRACE_HANG] = "hang",
	[TRACE_WFAULT] = "write-fault",
};

void
trace_init(struct trace *t, trace_sink_fn *sink, void *sink_arg)
{
	memset(t, 0, sizeof(*t));
	t->sink = sink;
	t->sink_arg = sink_arg;
}

void
trace_destroy(struct trace *t)
{
	free(t->ev);
	free(t->held);
	memset(t, 0, sizeof(*t));
}

void
trace_clear(struct trace *t)
{
	t->n = 0;
	t->dropped = 0;
}

void
trace_hold(struct trace *t)
{
	t->hold = true;
}

void
trace_release(struct trace *t)
{
	for (size_t i = 0; i < t->nheld && t->sink != NULL; i++)
		t->sink(t->sink_arg, &t->held[i]);
	free(t->held);
	t->held = NULL;
	t->nheld = t->heldcap = 0;
	t->hold = false;
}

/* Append E to the array *V of *N (capacity *CAP). */
static void
trace_append(struct trace_event **v, size_t *n, size_t *cap,
    const struct trace_event *e)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xreallocarray(*v, *cap, sizeof(**v));
	}
	(*v)[(*n)++] = *e;
}

void
trace_emit(struct trace *t, enum trace_kind kind, uint32_t line,
    uint32_t ino, uint16_t task, uint64_t x0, uint64_t x1, uint64_t x2,
    uint64_t x3)
{
	struct trace_event e = { .kind = (uint16_t)kind, .task = task,
	    .line = line, .ino = ino, .x = { x0, x1, x2, x3 } };

	if (t->n < TRACE_STMT_CAP)
		trace_append(&t->ev, &t->n, &t->cap, &e);
	else
		t->dropped++;
	if (t->sink == NULL)
		return;
	if (t->hold)
		trace_append(&t->held, &t->nheld, &t->heldcap, &e);
	else
		t->sink(t->sink_arg, &e);
}

const char *
trace_kind_name(enum trace_kind k)
{
	return trace_names[k];
}
