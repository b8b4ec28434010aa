/*
 * Chrome trace-event JSON and Graphviz DOT output of concurrent blocks
 * (see chrome.h for the thread layout and the logical clock).
 *
 * A collector is an array of records, one per trace event, in the order
 * the observations came; a span ("X") is appended open at its begin and
 * closed at its end by searching back for the open record of the same
 * thread, category and name (spans per thread are few and short-lived, so
 * the search is short).  Thread names are kept per process in spawn
 * order.  Nothing is written until chrome_write(), which numbers the
 * processes, so collectors filled by parallel scenario runs can be
 * written in file order.
 *
 * The DOT side reads a deadlock from its sched_result: the entities'
 * holds ("A, processing an item of end-io"), waits ("A (held by task
 * 2)", "ev (signalled through end-io, ...)") and the cycle ("task 1 ->
 * task 2 -> task 1"), the text form sched.h documents.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/xmalloc.h"
#include "chrome.h"
#include "esc.h"
#include "fmt.h"

#define CHROME_TID_LOCKS	(SCHED_MAX_ENTITIES + 1)
#define CHROME_TID_DEVICE	(2 * SCHED_MAX_ENTITIES + 1)

/* The threads of the data-path process (chrome_data_path). */
#define DP_TID_STATEMENTS	1
#define DP_TID_EVENTS		2	/* events outside concurrent blocks */
#define DP_TID_COPY		10	/* + copy k: its bios */
#define DP_TID_ENTITY		100	/* + entity: a block's task or worker */

struct chrome_rec {
	char		 ph;		/* 'X' span, 'i' instant */
	int		 proc;		/* index into chrome.proc */
	int		 tid;
	uint64_t	 ts, dur;	/* logical microseconds */
	char		*name;
	const char	*cat;		/* "run", "hold", "wait", "device" */
	size_t		 step;		/* schedule step it began in */
	bool		 open;
	bool		 cut;		/* closed by the end of the replay */
	uint64_t	 key;		/* a bio's logical address, to end it */
	char		*args;		/* JSON members, or NULL (owned) */
};

struct chrome_thread {
	int		 proc;
	int		 tid;
	char		*name;
};

struct chrome {
	struct chrome_rec *rec;
	size_t		 nrec, rcap;
	struct chrome_thread *thr;
	size_t		 nthr, tcap;
	char		**proc;		/* process names */
	int		 nproc;
	uint64_t	 tick;
	int		 data_proc;	/* the data-path process, or -1 */
	char *const	*names;		/* its file names (borrowed) */
	char		*ent_name[SCHED_MAX_ENTITIES];	/* the last block's,
					   for the data path's entity tracks */
};

struct chrome *
chrome_new(void)
{
	struct chrome *c = xcalloc(1, sizeof(struct chrome));

	c->data_proc = -1;
	return c;
}

void
chrome_free(struct chrome *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nrec; i++) {
		free(c->rec[i].name);
		free(c->rec[i].args);
	}
	for (size_t i = 0; i < c->nthr; i++)
		free(c->thr[i].name);
	for (int i = 0; i < c->nproc; i++)
		free(c->proc[i]);
	for (int i = 0; i < SCHED_MAX_ENTITIES; i++)
		free(c->ent_name[i]);
	free(c->rec);
	free(c->thr);
	free(c->proc);
	free(c);
}

/* Close every open span of the current process at the current tick. */
static void
close_all(struct chrome *c)
{
	for (size_t i = 0; i < c->nrec; i++)
		if (c->rec[i].open) {
			c->rec[i].open = false;
			c->rec[i].cut = true;
			c->rec[i].dur = c->tick - c->rec[i].ts;
		}
}

void
chrome_process(struct chrome *c, const char *name)
{
	close_all(c);
	c->proc = xreallocarray(c->proc, (size_t)c->nproc + 1,
	    sizeof(*c->proc));
	c->proc[c->nproc++] = xstrdup(name);
	c->tick += 1;
}

/* Name thread TID of process P, once. */
static void
thread_name_in(struct chrome *c, int p, int tid, const char *name)
{
	for (size_t i = 0; i < c->nthr; i++)
		if (c->thr[i].proc == p && c->thr[i].tid == tid)
			return;
	if (c->nthr == c->tcap) {
		c->tcap = c->tcap ? 2 * c->tcap : 16;
		c->thr = xreallocarray(c->thr, c->tcap, sizeof(*c->thr));
	}
	c->thr[c->nthr].proc = p;
	c->thr[c->nthr].tid = tid;
	c->thr[c->nthr++].name = xstrdup(name);
}

/* Name thread TID of the current process, once. */
static void
thread_name(struct chrome *c, int tid, const char *name)
{
	thread_name_in(c, c->nproc - 1, tid, name);
}

/* Append a record of process P; NAME is copied. */
static struct chrome_rec *
rec_add_in(struct chrome *c, int p, char ph, int tid, const char *cat,
    const char *name, size_t step)
{
	struct chrome_rec *r;

	if (c->nrec == c->rcap) {
		c->rcap = c->rcap ? 2 * c->rcap : 64;
		c->rec = xreallocarray(c->rec, c->rcap, sizeof(*c->rec));
	}
	r = &c->rec[c->nrec++];
	memset(r, 0, sizeof(*r));
	r->ph = ph;
	r->proc = p;
	r->tid = tid;
	r->ts = c->tick;
	r->name = xstrdup(name);
	r->cat = cat;
	r->step = step;
	r->open = ph == 'X';
	return r;
}

/* Append a record of the current process; NAME is copied. */
static struct chrome_rec *
rec_add(struct chrome *c, char ph, int tid, const char *cat,
    const char *name, size_t step)
{
	return rec_add_in(c, c->nproc - 1, ph, tid, cat, name, step);
}

/* End the newest open span of TID with CAT and NAME, if any. */
static void
rec_close(struct chrome *c, int tid, const char *cat, const char *name)
{
	for (size_t i = c->nrec; i-- > 0;) {
		struct chrome_rec *r = &c->rec[i];

		if (r->proc != c->nproc - 1)
			return;
		if (r->open && r->tid == tid && strcmp(r->cat, cat) == 0 &&
		    strcmp(r->name, name) == 0) {
			r->open = false;
			r->dur = c->tick - r->ts;
			return;
		}
	}
}

/* The span name of a hold or a wait of kind WAIT on OBJ. */
static void
span_name(bool hold, enum sched_wait_kind wait, const char *obj, char *buf,
    size_t size)
{
	static const char *const hold_prefix[] = {
		[SCHED_WAIT_NONE] = "",
		[SCHED_WAIT_LOCK] = "",
		[SCHED_WAIT_EVENT] = "",
		[SCHED_WAIT_QUEUE] = "item of ",
	};
	static const char *const wait_prefix[] = {
		[SCHED_WAIT_NONE] = "wait ",
		[SCHED_WAIT_LOCK] = "wait for lock ",
		[SCHED_WAIT_EVENT] = "wait for ",
		[SCHED_WAIT_QUEUE] = "idle on ",
	};

	snprintf(buf, size, "%s%s", (hold ? hold_prefix : wait_prefix)[wait],
	    obj != NULL ? obj : "");
}

/* The locks-and-waits thread of the observation's entity. */
static int
locks_tid(const struct sched_obs *ob)
{
	return ob->ent >= 0 ? CHROME_TID_LOCKS + ob->ent : CHROME_TID_DEVICE;
}

void
chrome_observe(void *arg, const struct sched_obs *ob)
{
	struct chrome *c = arg;
	char name[2 * SCHED_NAME + 32];

	if (c->nproc == 0)
		chrome_process(c, "blksim");
	c->tick++;
	switch (ob->kind) {
	case SCHED_OBS_SPAWN:
		thread_name(c, ob->ent + 1, ob->ent_name);
		if (ob->ent >= 0 && ob->ent < SCHED_MAX_ENTITIES) {
			free(c->ent_name[ob->ent]);
			c->ent_name[ob->ent] = xstrdup(ob->ent_name);
		}
		snprintf(name, sizeof(name), "%s: locks, waits", ob->ent_name);
		thread_name(c, CHROME_TID_LOCKS + ob->ent, name);
		break;
	case SCHED_OBS_STEP_BEGIN:
		rec_add(c, 'X', ob->ent + 1, "run", "run", ob->step);
		break;
	case SCHED_OBS_STEP_END:
		rec_close(c, ob->ent + 1, "run", "run");
		break;
	case SCHED_OBS_FINISH:
		rec_add(c, 'i', ob->ent + 1, "run", "finished", ob->step);
		break;
	case SCHED_OBS_HOLD_BEGIN:
	case SCHED_OBS_HOLD_END:
		span_name(true, ob->wait, ob->obj, name, sizeof(name));
		if (ob->ent < 0)
			thread_name(c, CHROME_TID_DEVICE, "device");
		if (ob->kind == SCHED_OBS_HOLD_BEGIN)
			rec_add(c, 'X', locks_tid(ob), "hold", name, ob->step);
		else
			rec_close(c, locks_tid(ob), "hold", name);
		break;
	case SCHED_OBS_WAIT_BEGIN:
	case SCHED_OBS_WAIT_END:
		span_name(false, ob->wait, ob->obj, name, sizeof(name));
		if (ob->kind == SCHED_OBS_WAIT_BEGIN)
			rec_add(c, 'X', locks_tid(ob), "wait", name, ob->step);
		else
			rec_close(c, locks_tid(ob), "wait", name);
		break;
	case SCHED_OBS_FIRE:
		thread_name(c, CHROME_TID_DEVICE, "device");
		snprintf(name, sizeof(name), "D%d %s", ob->ent, ob->ent_name);
		rec_add(c, 'i', CHROME_TID_DEVICE, "device", name, ob->step);
		break;
	}
}

/* --- the data path -------------------------------------------------------- */

void
chrome_data_path(struct chrome *c, const char *name, char *const *names)
{
	chrome_process(c, name);
	c->data_proc = c->nproc - 1;
	c->names = names;
	thread_name_in(c, c->data_proc, DP_TID_STATEMENTS, "statements");
	thread_name_in(c, c->data_proc, DP_TID_EVENTS, "data path");
}

void
chrome_statement(struct chrome *c, uint32_t line, const char *desc,
    bool begin)
{
	char name[160];

	if (c->data_proc < 0)
		return;
	c->tick++;
	snprintf(name, sizeof(name), "line %u: %s", line, desc);
	if (begin)
		rec_add_in(c, c->data_proc, 'X', DP_TID_STATEMENTS, "statement",
		    name, 0);
	else
		for (size_t i = c->nrec; i-- > 0;) {
			struct chrome_rec *r = &c->rec[i];

			if (r->open && r->proc == c->data_proc &&
			    r->tid == DP_TID_STATEMENTS) {
				r->open = false;
				r->dur = c->tick - r->ts;
				break;
			}
		}
}

/* The data-path thread event E belongs on, named. */
static int
event_tid(struct chrome *c, const struct trace_event *e)
{
	char name[48];
	int tid;

	if (e->kind == TRACE_BIO_SUBMIT || e->kind == TRACE_BIO_DONE) {
		tid = DP_TID_COPY + (int)e->x[2];
		snprintf(name, sizeof(name), "copy %d: bios", (int)e->x[2]);
	} else if (e->task > 0) {
		tid = DP_TID_ENTITY + e->task;
		snprintf(name, sizeof(name), "block entity %u", e->task);
	} else
		return DP_TID_EVENTS;
	thread_name_in(c, c->data_proc, tid, name);
	return tid;
}

void
chrome_event(void *arg, const struct trace_event *e)
{
	struct chrome *c = arg;
	const char *const *names = (const char *const *)c->names;
	char text[256], args[160];
	struct chrome_rec *r;
	int tid;

	if (c->data_proc < 0)
		return;
	c->tick++;
	tid = event_tid(c, e);
	fmt_event(e, names, text, sizeof(text));
	/* x2 is a copy for the events about one copy (trace.h). */
	if (e->kind == TRACE_BIO_SUBMIT || e->kind == TRACE_BIO_DONE ||
	    e->kind == TRACE_CSUM || e->kind == TRACE_RETRY ||
	    e->kind == TRACE_WFAULT || e->kind == TRACE_NO_MIRROR)
		snprintf(args, sizeof(args), "\"line\":%u,\"logical\":%"
		    PRIu64 ",\"offset\":%" PRIu64 ",\"mirror\":%" PRIu64,
		    e->line, e->x[0], e->x[1], e->x[2]);
	else
		snprintf(args, sizeof(args), "\"line\":%u", e->line);
	if (e->kind == TRACE_BIO_DONE) {
		/* The bio's slice ends here: the newest open one of its copy
		   at its logical address. */
		for (size_t i = c->nrec; i-- > 0;) {
			r = &c->rec[i];
			if (r->open && r->proc == c->data_proc && r->tid == tid &&
			    r->key == e->x[0]) {
				r->open = false;
				r->dur = c->tick - r->ts;
				break;
			}
		}
		if (e->x[3] == 0)
			return;
	}
	r = rec_add_in(c, c->data_proc, e->kind == TRACE_BIO_SUBMIT ? 'X' :
	    'i', tid, e->kind == TRACE_BIO_SUBMIT ? "bio" : "event", text, 0);
	r->key = e->x[0];
	r->args = xstrdup(args);
}

/* Separate JSON array elements: every one but the first gets a comma. */
static void
sep(FILE *f, bool *first)
{
	fputs(*first ? "\n" : ",\n", f);
	*first = false;
}

int
chrome_write(FILE *f, struct chrome *const *v, size_t n)
{
	bool first = true;
	int pid = 0;

	fputs("{\"traceEvents\":[", f);
	for (size_t k = 0; k < n; k++) {
		const struct chrome *c = v[k];

		if (c == NULL)
			continue;
		close_all(v[k]);
		for (int p = 0; p < c->nproc; p++) {
			sep(f, &first);
			fprintf(f, "{\"ph\":\"M\",\"pid\":%d,\"tid\":0,"
			    "\"name\":\"process_name\",\"args\":{\"name\":",
			    pid + p + 1);
			esc_json(f, c->proc[p]);
			fputs("}}", f);
			sep(f, &first);
			fprintf(f, "{\"ph\":\"M\",\"pid\":%d,\"tid\":0,"
			    "\"name\":\"process_sort_index\",\"args\":"
			    "{\"sort_index\":%d}}", pid + p + 1, pid + p + 1);
		}
		for (size_t i = 0; i < c->nthr; i++) {
			const struct chrome_thread *t = &c->thr[i];
			int ent = t->tid - DP_TID_ENTITY - 1;
			char named[SCHED_NAME + 16];

			sep(f, &first);
			fprintf(f, "{\"ph\":\"M\",\"pid\":%d,\"tid\":%d,"
			    "\"name\":\"thread_name\",\"args\":{\"name\":",
			    pid + t->proc + 1, t->tid);
			/* A block's entity, named as its replay named it. */
			if (t->proc == c->data_proc && ent >= 0 &&
			    ent < SCHED_MAX_ENTITIES && c->ent_name[ent]) {
				snprintf(named, sizeof(named), "%s: events",
				    c->ent_name[ent]);
				esc_json(f, named);
			} else
				esc_json(f, t->name);
			fputs("}}", f);
			sep(f, &first);
			fprintf(f, "{\"ph\":\"M\",\"pid\":%d,\"tid\":%d,"
			    "\"name\":\"thread_sort_index\",\"args\":"
			    "{\"sort_index\":%d}}", pid + t->proc + 1, t->tid,
			    t->tid);
		}
		for (size_t i = 0; i < c->nrec; i++) {
			const struct chrome_rec *r = &c->rec[i];

			sep(f, &first);
			fprintf(f, "{\"ph\":\"%c\",\"pid\":%d,\"tid\":%d,"
			    "\"ts\":%" PRIu64 ",", r->ph, pid + r->proc + 1,
			    r->tid, r->ts);
			if (r->ph == 'X')
				fprintf(f, "\"dur\":%" PRIu64 ",", r->dur);
			else
				fputs("\"s\":\"t\",", f);
			fprintf(f, "\"cat\":\"%s\",\"name\":", r->cat);
			esc_json(f, r->name);
			if (r->args != NULL)
				fprintf(f, ",\"args\":{%s%s}}", r->args,
				    r->cut || r->open ? ",\"open\":true" :
				    "");
			else
				fprintf(f, ",\"args\":{\"step\":%zu%s}}",
				    r->step + 1, r->cut || r->open ?
				    ",\"open\":true" : "");
		}
		pid += c->nproc;
	}
	fputs("\n],\"displayTimeUnit\":\"ns\"}\n", f);
	return ferror(f) ? -EIO : 0;
}

/* ---- DOT ------------------------------------------------------------- */

/*
 * S as a DOT string literal that Graphviz accepts whatever S holds: " and
 * \ escaped, a newline as \n, valid UTF-8 as it is, and an invalid byte
 * or another control character as U+FFFD (a path of the scenario may
 * hold either; dot(1) refuses a file that is not UTF-8).
 */
static void
dot_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), k;

	fputc('"', f);
	while (n > 0) {
		k = 1;
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x20 || *p == 0x7f)
			fputs("\xef\xbf\xbd", f);
		else if ((k = esc_utf8_len(p, n)) > 0)
			fwrite(p, 1, k, f);
		else
			k = 1, fputs("\xef\xbf\xbd", f);
		p += k;
		n -= k;
	}
	fputc('"', f);
}

/* The objects of one deadlock graph, by name and kind. */
struct dot_objs {
	char		 name[16][SCHED_NAME + 16];
	bool		 queue[16];
	int		 n;
};

/* The node number of object NAME (a work queue if QUEUE), added on first
 * sight; -1 when the table is full. */
static int
dot_obj(FILE *f, unsigned k, struct dot_objs *o, const char *name,
    size_t len, bool queue)
{
	char buf[SCHED_NAME + 16];

	snprintf(buf, sizeof(buf), "%.*s", (int)len, name);
	for (int i = 0; i < o->n; i++)
		if (o->queue[i] == queue && strcmp(o->name[i], buf) == 0)
			return i;
	if (o->n == 16)
		return -1;
	memcpy(o->name[o->n], buf, sizeof(buf));
	o->queue[o->n] = queue;
	fprintf(f, "\t\td%uo%d [shape=ellipse,label=", k, o->n);
	dot_str(f, buf);
	fprintf(f, "%s];\n", queue ? ",style=dashed" : "");
	return o->n++;
}

/* The index of the entity named NAME (LEN bytes) in D, or -1. */
static int
dot_ent(const struct sched_result *d, const char *name, size_t len)
{
	for (int i = 0; i < d->nent; i++)
		if (strlen(d->ent[i].name) == len &&
		    strncmp(d->ent[i].name, name, len) == 0)
			return i;
	return -1;
}

/* Mark in ON the entities of D's cycle, and in NEXT whom each waits for
 * along it (-1 off the cycle). */
static void
dot_cycle(const struct sched_result *d, bool *on, int *next)
{
	const char *p = d->cycle;
	int prev = -1;

	for (int i = 0; i < d->nent; i++) {
		on[i] = false;
		next[i] = -1;
	}
	while (*p != '\0') {
		const char *arrow = strstr(p, " -> ");
		size_t len = arrow != NULL ? (size_t)(arrow - p) : strlen(p);
		int e = dot_ent(d, p, len);

		if (e >= 0) {
			on[e] = true;
			if (prev >= 0)
				next[prev] = e;
		}
		prev = e;
		p += len;
		if (arrow != NULL)
			p += 4;
	}
}

void
chrome_dot_begin(FILE *f)
{
	fputs("digraph deadlocks {\n\tnode [fontname=\"Helvetica\"];\n"
	    "\tedge [fontname=\"Helvetica\",fontsize=10];\n", f);
}

void
chrome_dot_end(FILE *f)
{
	fputs("}\n", f);
}

/* The label of an edge: WHAT, and where it began when known ("held by\n
 * in read2008_read"). */
static void
dot_edge_label(FILE *f, const char *what, const char *fn)
{
	char *l;

	if (fn == NULL) {
		dot_str(f, what);
		return;
	}
	if (asprintf(&l, "%s\nin %s", what, fn) < 0)
		abort();
	dot_str(f, l);
	free(l);
}

void
chrome_dot(FILE *f, unsigned k, const char *label,
    const struct sched_result *d, char *const *ent_label)
{
	static const char item[] = "processing an item of ";
	struct dot_objs objs = { .n = 0 };
	bool on[SCHED_MAX_ENTITIES];
	int next[SCHED_MAX_ENTITIES];
	char *l;

	dot_cycle(d, on, next);
	fprintf(f, "\tsubgraph cluster_%u {\n\t\tlabel=", k);
	if (asprintf(&l, "%s\nschedule %s", label, d->schedule) < 0)
		abort();
	dot_str(f, l);
	free(l);
	fputs(";\n", f);
	for (int i = 0; i < d->nent; i++) {
		const struct sched_report_entity *e = &d->ent[i];

		if (e->state == SCHED_FINISHED)
			continue;
		fprintf(f, "\t\td%ue%d [shape=box,label=", k, i);
		dot_str(f, ent_label != NULL && ent_label[i] != NULL ?
		    ent_label[i] : e->name);
		fprintf(f, "%s];\n", on[i] ? ",color=red,penwidth=2" : "");
	}
	for (int i = 0; i < d->nent; i++) {
		const struct sched_report_entity *e = &d->ent[i];
		const char *p = e->holds, *w = e->waits;
		size_t len;
		int o, h = 0;

		if (e->state == SCHED_FINISHED)
			continue;
		while (*p != '\0') {
			bool queue = strncmp(p, item, sizeof(item) - 1) == 0;

			if (queue)
				p += sizeof(item) - 1;
			len = strcspn(p, ",");
			if ((o = dot_obj(f, k, &objs, p, len, queue)) >= 0) {
				fprintf(f, "\t\td%uo%d -> d%ue%d [label=", k,
				    o, k, i);
				dot_edge_label(f, "held by", h < e->nhold &&
				    h < SCHED_REPORT_HOLDS ? e->hold[h].at.fn :
				    NULL);
				fprintf(f, "%s];\n", on[i] ? ",color=red" :
				    "");
			}
			h++;
			p += len;
			p += strspn(p, ", ");
		}
		if (*w == '\0' || strncmp(w, "work on ", 8) == 0)
			continue;	/* running, or an idle worker */
		len = strcspn(w, "(");
		while (len > 0 && w[len - 1] == ' ')
			len--;
		if ((o = dot_obj(f, k, &objs, w, len, false)) < 0)
			continue;
		fprintf(f, "\t\td%ue%d -> d%uo%d [label=", k, i, k, o);
		dot_edge_label(f, "waits for", e->wait_at.fn);
		fprintf(f, "%s];\n", on[i] ? ",color=red" : "");
		if ((w = strstr(w, "(signalled through ")) != NULL) {
			int q;

			w += strlen("(signalled through ");
			len = strcspn(w, ",)");
			if ((q = dot_obj(f, k, &objs, w, len, true)) >= 0)
				fprintf(f, "\t\td%uo%d -> d%uo%d [label="
				    "\"signalled through\",style=dashed%s];\n",
				    k, o, k, q, on[i] ? ",color=red" : "");
		}
	}
	for (int i = 0; i < d->nent; i++)
		if (next[i] >= 0)
			fprintf(f, "\t\td%ue%d -> d%ue%d [label=\"cycle\","
			    "color=red,penwidth=2,constraint=false];\n", k, i,
			    k, next[i]);
	fputs("\t}\n", f);
}
