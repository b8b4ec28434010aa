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
trace_init(struct trace *t, bool keep_all)
{
	memset(t, 0, sizeof(*t));
	t->keep_all = keep_all;
}

void
trace_destroy(struct trace *t)
{
	free(t->ev);
	memset(t, 0, sizeof(*t));
}

void
trace_clear(struct trace *t)
{
	t->n = 0;
	t->dropped = 0;
}

void
trace_emit(struct trace *t, enum trace_kind kind, uint32_t line,
    uint32_t ino, uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3)
{
	struct trace_event *e;

	if (!t->keep_all && t->n >= TRACE_STMT_CAP) {
		t->dropped++;
		return;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->ev = xreallocarray(t->ev, t->cap, sizeof(*t->ev));
	}
	e = &t->ev[t->n++];
	e->kind = (uint16_t)kind;
	e->task = 0;
	e->line = line;
	e->ino = ino;
	e->x[0] = x0;
	e->x[1] = x1;
	e->x[2] = x2;
	e->x[3] = x3;
}

const char *
trace_kind_name(enum trace_kind k)
{
	return trace_names[k];
}
