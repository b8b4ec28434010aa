/*
 * The lockdep-style reports of a block (lockrep.h): each logical line is
 * built whole, then folded to the width (wrap.h), so the wording lives in
 * one place per line and the folding in another.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/xmalloc.h"
#include "esc.h"
#include "lockrep.h"
#include "wrap.h"

/* The columns of lockdep's unsafe-scenario table, and the most entities
 * it is drawn for (wider ones would pass the width). */
#define LOCKREP_COLUMN		31
#define LOCKREP_TABLE_MAX	3

/* A string stream: open_memstream(), which only fails without memory. */
static FILE *
stream(char **text, size_t *size)
{
	FILE *f = open_memstream(text, size);

	if (f == NULL)
		abort();
	return f;
}

/* Is TASK one of B's tasks? */
static bool
is_task(const struct lockrep_block *b, int task)
{
	return task >= 0 && (size_t)task < b->ntasks;
}

/* " at line N" for work done for TASK, or "" when it was for none. */
static void
put_line(FILE *f, const struct lockrep_block *b, int task)
{
	if (is_task(b, task))
		fprintf(f, " at line %u", b->task_line[task]);
}

/* "FN (KERNEL_FN) at line N": where AT is, as far as it is known; the
 * kernel function comes from the era's table. */
static void
put_site(FILE *f, const struct lockrep_block *b, struct sched_site at)
{
	const char *k = era_kernel_fn(b->era, at.fn);

	if (at.fn == NULL)
		fputs("an unknown place", f);
	else if (k != NULL)
		fprintf(f, "%s (%s)", at.fn, k);
	else
		fputs(at.fn, f);
	put_line(f, b, at.task);
}

/* "task 1 (line 28: read a 0 4K)", or for a worker inside an item
 * "end-io worker 1 (completing data read D1 for task 1, line 28: ...)". */
static void
put_who(FILE *f, const struct lockrep_block *b, const char *name,
    const char *item, int task)
{
	fputs(name, f);
	if (item[0] != '\0') {
		fprintf(f, " (completing %s", item);
		if (is_task(b, task))
			fprintf(f, " for task %d, line %u: %s", task + 1,
			    b->task_line[task], b->task_text[task]);
		fputc(')', f);
	} else if (is_task(b, task))
		fprintf(f, " (line %u: %s)", b->task_line[task],
		    b->task_text[task]);
}

/* Fold the line built in *LINE onto F (INDENT, CONT, WIDTH) and start
 * a new one in the same stream LS. */
static void
flush_line(FILE *f, FILE **ls, char **line, size_t *size, int indent,
    int cont, int width, bool commas)
{
	fclose(*ls);
	wrap_put(f, *line, indent, cont, width, commas);
	free(*line);
	*ls = stream(line, size);
}

/* Entity E's lines: who it is, each hold at its site, its wait. */
static void
entity_text(FILE *f, const struct lockrep_block *b,
    const struct sched_report_entity *e, int width)
{
	char *line;
	size_t size;
	FILE *ls = stream(&line, &size);

	put_who(ls, b, e->name, e->item, e->task);
	fputc(':', ls);
	flush_line(f, &ls, &line, &size, 0, 8, width, false);
	for (int i = 0; i < e->nhold && i < SCHED_REPORT_HOLDS; i++) {
		const struct sched_report_hold *h = &e->hold[i];

		fprintf(ls, "holds %s", h->name);
		if (h->queue)
			fprintf(ls, " (processing %s)", e->item[0] ?
			    e->item : "an item");
		fputs(", taken in ", ls);
		put_site(ls, b, h->at);
		flush_line(f, &ls, &line, &size, 4, 8, width, false);
	}
	if (e->nhold > SCHED_REPORT_HOLDS)
		fprintf(ls, "holds %d more", e->nhold - SCHED_REPORT_HOLDS);
	else if (e->nhold == 0)
		fputs("holds nothing", ls);
	if (e->nhold == 0 || e->nhold > SCHED_REPORT_HOLDS)
		flush_line(f, &ls, &line, &size, 4, 8, width, false);
	fprintf(ls, "waits for %s", e->waits[0] ? e->waits : "nothing");
	if (e->wait_at.fn != NULL) {
		fputs(", in ", ls);
		put_site(ls, b, e->wait_at);
	}
	fclose(ls);
	wrap_put(f, line, 4, 8, width, false);
	free(line);
}

char *
lockrep_deadlock_text(const struct lockrep_block *b,
    const struct sched_result *d, const char *replay, int width)
{
	char *text, *line;
	size_t size, lsize;
	FILE *f = stream(&text, &size), *ls;

	fputs("*** DEADLOCK ***\n", f);
	for (int i = 0; i < d->nent; i++)
		if (d->ent[i].state != SCHED_FINISHED)
			entity_text(f, b, &d->ent[i], width);
	if (d->cycle[0]) {
		ls = stream(&line, &lsize);
		fprintf(ls, "cycle: %s", d->cycle);
		flush_line(f, &ls, &line, &lsize, 0, 8, width, false);
		fclose(ls);
		free(line);
	}
	ls = stream(&line, &lsize);
	fprintf(ls, "schedule: %s", d->schedule);
	fclose(ls);
	wrap_put(f, line, 0, 10, width, true);
	free(line);
	/* The replay line is one command: folding it would break it. */
	fprintf(f, "replay: %s", replay);
	fclose(f);
	return text;
}

/* "null", or {"line":N,"text":"...","task":"task 1"} for TASK. */
static void
json_statement(FILE *f, const struct lockrep_block *b, int task)
{
	if (!is_task(b, task)) {
		fputs("null", f);
		return;
	}
	fprintf(f, "{\"task\":\"task %d\",\"line\":%u,\"text\":", task + 1,
	    b->task_line[task]);
	esc_json(f, b->task_text[task]);
	fputc('}', f);
}

/* A JSON string, or null for NULL. */
static void
json_str(FILE *f, const char *s)
{
	if (s == NULL)
		fputs("null", f);
	else
		esc_json(f, s);
}

/* "fn":..,"kernel_fn":..,"line":.. of site AT (PREFIX before each key). */
static void
json_site(FILE *f, const struct lockrep_block *b, const char *prefix,
    struct sched_site at)
{
	fprintf(f, "\"%sfn\":", prefix);
	json_str(f, at.fn);
	fprintf(f, ",\"%skernel_fn\":", prefix);
	json_str(f, era_kernel_fn(b->era, at.fn));
	fprintf(f, ",\"%sline\":", prefix);
	if (is_task(b, at.task))
		fprintf(f, "%u", b->task_line[at.task]);
	else
		fputs("null", f);
}

char *
lockrep_deadlock_json(const struct lockrep_block *b,
    const struct sched_result *d)
{
	char *text;
	size_t size;
	FILE *f = stream(&text, &size);
	bool first = true;

	fprintf(f, "{\"line\":%u,\"cycle\":", b->line);
	json_str(f, d->cycle[0] ? d->cycle : NULL);
	fputs(",\"schedule\":", f);
	esc_json(f, d->schedule);
	fputs(",\"entities\":[", f);
	for (int i = 0; i < d->nent; i++) {
		const struct sched_report_entity *e = &d->ent[i];

		if (e->state == SCHED_FINISHED)
			continue;
		fputs(first ? "{\"name\":" : ",{\"name\":", f);
		first = false;
		esc_json(f, e->name);
		fprintf(f, ",\"role\":\"%s\",\"statement\":", e->role ==
		    SCHED_TASK ? "task" : "worker");
		json_statement(f, b, e->task);
		fputs(",\"item\":", f);
		json_str(f, e->item[0] ? e->item : NULL);
		fputs(",\"holds\":[", f);
		for (int h = 0; h < e->nhold && h < SCHED_REPORT_HOLDS; h++) {
			fprintf(f, "%s{\"lock\":", h ? "," : "");
			esc_json(f, e->hold[h].name);
			fprintf(f, ",\"queue\":%s,", e->hold[h].queue ?
			    "true" : "false");
			json_site(f, b, "", e->hold[h].at);
			fputc('}', f);
		}
		fprintf(f, "],\"more_holds\":%d,\"waits\":", e->nhold >
		    SCHED_REPORT_HOLDS ? e->nhold - SCHED_REPORT_HOLDS : 0);
		if (e->waits[0] == '\0')
			fputs("null", f);
		else {
			fputs("{\"for\":", f);
			esc_json(f, e->waits);
			fputc(',', f);
			json_site(f, b, "", e->wait_at);
			fputc('}', f);
		}
		fputc('}', f);
	}
	fputs("]}", f);
	fclose(f);
	return text;
}

/* Edge E's sighting as a line: "A -> B: first seen in WHO (...): A
 * taken in F (K), then B in G (K)". */
static void
edge_text(FILE *f, const struct lockrep_block *b,
    const struct lockorder_report_edge *e)
{
	const struct lockorder_seen *s = &e->seen;

	fprintf(f, "%s -> %s: first seen in ", e->from, e->to);
	if (s->who[0] == '\0') {
		fputs("a schedule", f);
		return;
	}
	put_who(f, b, s->who, s->item, s->task);
	fprintf(f, ": %s taken in ", e->from);
	put_site(f, b, (struct sched_site){ .fn = s->held_fn,
	    .task = s->task });
	fprintf(f, ", then %s in ", e->to);
	put_site(f, b, (struct sched_site){ .fn = s->take_fn,
	    .task = s->task });
}

/* Where column COL of the scenario table starts: its "lock(...)" rows;
 * the first column's heading is indented more, as lockdep's is. */
static int
table_col(int col)
{
	return 2 + LOCKREP_COLUMN * col;
}

/* A heading row of the table: TEXT(i) over each of the N columns. */
static void
table_heading(FILE *f, const struct lockorder_report_edge *e, int n,
    bool rule)
{
	int at = 0, want;

	fputc(' ', f);
	for (int i = 0; i < n; i++) {
		want = i == 0 ? table_col(0) + 5 : table_col(i);
		fprintf(f, "%*s", want - at, "");
		at = want;
		at += fprintf(f, "%s", rule ? "----" : e[i].seen.who[0] ?
		    e[i].seen.who : "?");
	}
	fputc('\n', f);
}

/*
 * Lockdep's "possible unsafe locking scenario" for the N edges of E, one
 * column per edge's entity: each takes the lock it held, then each, the
 * last first, takes the next one, which the one after it holds.  With
 * two entities this is lockdep's table with CPU0 and CPU1.
 */
static void
table_text(FILE *f, const struct lockorder_report_edge *e, int n)
{
	fputs(" possible unsafe locking scenario:\n", f);
	table_heading(f, e, n, false);
	table_heading(f, e, n, true);
	for (int i = 0; i < n; i++)
		fprintf(f, " %*slock(%s);\n", table_col(i), "", e[i].from);
	for (int i = n; i-- > 0;)
		fprintf(f, " %*slock(%s);\n", table_col(i), "", e[i].to);
	fputs("    *** DEADLOCK ***\n", f);
}

char *
lockrep_cycle_text(const struct lockrep_block *b,
    const struct lockorder_report *rep, int c, int width)
{
	const struct lockorder_report_edge *e = rep->edges[c];
	int n = rep->nedges[c], shown = n < LOCKORDER_CYCLE_EDGES ? n :
	    LOCKORDER_CYCLE_EDGES;
	char *text, *line;
	size_t size, lsize;
	FILE *f = stream(&text, &size), *ls = stream(&line, &lsize);

	/* As printed: the first line after "note: ", the others after
	 * five spaces (they open with one). */
	fprintf(ls, "line %u: possible lock-order cycle: %s", b->line,
	    rep->cycles[c]);
	flush_line(f, &ls, &line, &lsize, 0, 5, width - 6, false);
	for (int i = 0; i < shown; i++) {
		edge_text(ls, b, &e[i]);
		flush_line(f, &ls, &line, &lsize, 1, 5, width - 5, false);
	}
	fclose(ls);
	free(line);
	if (n <= LOCKREP_TABLE_MAX)
		table_text(f, e, n);
	else
		fprintf(f, " (a cycle of %d locks: the unsafe locking scenario "
		    "is drawn for at most %d)\n", n, LOCKREP_TABLE_MAX);
	fclose(f);
	text[strlen(text) - 1] = '\0';	/* notes are joined by newlines */
	return text;
}

char *
lockrep_cycle_json(const struct lockrep_block *b,
    const struct lockorder_report *rep, int c)
{
	int n = rep->nedges[c] < LOCKORDER_CYCLE_EDGES ? rep->nedges[c] :
	    LOCKORDER_CYCLE_EDGES;
	char *text;
	size_t size;
	FILE *f = stream(&text, &size);

	fprintf(f, "{\"line\":%u,\"cycle\":", b->line);
	esc_json(f, rep->cycles[c]);
	fprintf(f, ",\"nedges\":%d,\"edges\":[", rep->nedges[c]);
	for (int i = 0; i < n; i++) {
		const struct lockorder_report_edge *e = &rep->edges[c][i];
		const struct lockorder_seen *s = &e->seen;

		fprintf(f, "%s{\"from\":", i ? "," : "");
		esc_json(f, e->from);
		fputs(",\"to\":", f);
		esc_json(f, e->to);
		fputs(",\"entity\":", f);
		json_str(f, s->who[0] ? s->who : NULL);
		fputs(",\"item\":", f);
		json_str(f, s->item[0] ? s->item : NULL);
		fputs(",\"statement\":", f);
		json_statement(f, b, s->task);
		fputc(',', f);
		json_site(f, b, "held_", (struct sched_site){ .fn =
		    s->held_fn, .task = s->task });
		fputc(',', f);
		json_site(f, b, "", (struct sched_site){ .fn = s->take_fn,
		    .task = s->task });
		fputc('}', f);
	}
	fputs("]}", f);
	fclose(f);
	return text;
}
