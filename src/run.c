/*
 * `blksim run`: collect the scenario files, parse and run each (and, with
 * --guards, rerun it once per guarded quirk with that quirk on), then
 * write one report.  The report goes to stdout, or to -o FILE (out.h).
 * --trace streams every event of every scenario, as text, to stderr or to
 * FILE as the scenarios run (tracer.h); a FILE ending in .json gets the
 * Chrome trace-event timeline of every concurrent block's representative
 * schedule instead, and one ending in .dot the wait-for graph of every
 * deadlock (src/chrome.h), both written at the end.
 *
 * The exit status is the worst outcome: 3 if a file could not be read or
 * written, else 2 if a scenario file is invalid, else 1 if a scenario
 * failed, else 0.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../sim/era.h"
#include "../sim/xmalloc.h"
#include "chrome.h"
#include "diag.h"
#include "exec.h"
#include "files.h"
#include "fmt.h"
#include "out.h"
#include "parse.h"
#include "report.h"
#include "run.h"
#include "tracer.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
worst(int *status, int code)
{
	if (code > *status)
		*status = code;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/*
 * PASS and FAIL in colour: only on a terminal, and never when NO_COLOR is
 * set to anything (https://no-color.org).
 */
static bool
wants_colour(void)
{
	const char *no = getenv("NO_COLOR");

	return (no == NULL || *no == '\0') && isatty(STDOUT_FILENO);
}

/*
 * The command line's settings as exec options: the quirk settings (which
 * exec_quirks() resolves; X borrows them from O), seed, schedule, trace
 * outputs.
 */
void
run_exec_opts(const struct cli_opts *o, struct exec_opts *x)
{
	memset(x, 0, sizeof(*x));
	x->quirks = &o->quirks;
	x->era = o->era;
	x->progname = o->progname;
	x->seed_given = o->seed_given;
	x->seed = o->seed;
	x->chrome = o->trace_file != NULL && ends_with(o->trace_file, ".json");
	x->dot = o->trace_file != NULL && ends_with(o->trace_file, ".dot");
	x->schedule = o->schedule;
	x->preemption_bound = o->preemption_bound;
	x->no_reduction = o->no_reduction;
	x->state_cache = o->state_cache;
	x->reduction_check = o->reduction_check;
	x->full_check = o->full_check;
	x->shard_k = o->shard_k;
	x->shard_n = o->shard_n;
	x->progress = o->jobs <= 1 && !o->quiet;
}

char *
run_foreign_option(const char *path, const struct scn_script *scn,
    const struct quirk_settings *qs)
{
	const struct quirk_setting *q;
	bool preset;
	unsigned era;
	char *msg;
	int i;

	if (qs == NULL || (i = quirk_settings_foreign(qs, scn->era)) < 0)
		return NULL;
	q = &qs->v[i];
	preset = q->from == QUIRK_FROM_OPT_PRESET;
	era = preset ? quirk_preset_era(q->id) : quirk_info(q->id)->era;
	if (asprintf(&msg, "blksim: %s: %s %s belongs to the %s era, and "
	    "this file is era %s: run it without that option, or with "
	    "--era=%s\n", path, preset ? "--preset" : "--quirk",
	    preset ? quirk_preset_name(q->id) : quirk_info(q->id)->name,
	    era_ops(era)->name, era_ops(scn->era)->name,
	    era_ops(era)->name) < 0)
		abort();
	return msg;
}

/* Append a line to the warnings *LIST (owned). */
static void
add_warning(char **list, const char *fmt, ...)
{
	char *line, *all;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		abort();
	va_end(ap);
	all = xasprintf("%s%s%s", *list ? *list : "", *list ? "\n" : "",
	    line);
	free(line);
	free(*list);
	*list = all;
}

/* Does the script hold a concurrent block? */
static bool
has_block(const struct scn_script *scn)
{
	for (size_t i = 0; i < scn->nstmts; i++)
		if (scn->stmts[i].kind == SCN_CONCURRENT)
			return true;
	return false;
}

/* The --guards reruns of SCN (already run into IT with XO). */
static void
run_guards(const struct scn_script *scn, const struct exec_opts *xo,
    struct report_item *it)
{
	it->guards = xcalloc(QUIRK_COUNT, sizeof(*it->guards));
	for (int q = 0; q < QUIRK_COUNT; q++) {
		struct exec_opts go = *xo;
		struct report_guard *g;

		if (!quirk_on(scn->guards, q))
			continue;
		if (quirk_on(it->res.quirks, q))
			add_warning(&it->warnings, "guards %s: the quirk is on "
			    "in the run already, so its guard run changes "
			    "nothing", quirk_info(q)->name);
		g = &it->guards[it->nguards++];
		g->quirk = q;
		go.guard = 1u << q;
		go.trace_sink = NULL;
		go.chrome = false;
		go.dot = false;
		exec_script(scn, &go, &g->res);
		g->held = !g->res.passed;
	}
}

/*
 * Parse and run file E into IT; returns the file's exit status.  A file
 * that cannot be read or parsed becomes an ERROR entry with its reason
 * or its diagnostics in it->detail (run_main prints them on stderr, in
 * file order).  Its events go to SLOT of the trace stream TR (if not
 * NULL).  Thread-safe: it touches nothing but IT and its slot.
 */
static int
run_one(const struct files_entry *e, const struct exec_opts *xo0,
    bool guards, struct tracer *tr, size_t slot, struct report_item *it)
{
	struct exec_opts xo[1] = { *xo0 };
	struct diag_list diags;
	struct scn_script *scn;
	char *buf;
	size_t len, dlen;
	double t0;
	int err;
	FILE *f;

	memset(it, 0, sizeof(*it));
	it->path = xstrdup(e->path);
	if ((err = e->err) != 0 || (err = files_read(e->path, &buf,
	    &len)) != 0) {
		it->detail = xstrdup(strerror(err));
		it->state = REPORT_UNREADABLE;
		return CLI_EXIT_IO;
	}
	diag_init(&diags);
	scn = parse_script_era(e->path, buf, len, xo->era, &diags);
	if (scn != NULL && (it->detail = run_foreign_option(e->path, scn,
	    xo->quirks)) != NULL) {
		scn_free(scn);
		diag_free(&diags);
		free(buf);
		it->state = REPORT_INVALID;
		return CLI_EXIT_USAGE;
	}
	if (scn == NULL) {
		if ((f = open_memstream(&it->detail, &dlen)) == NULL)
			abort();
		diag_print(&diags, e->path, buf, len, f);
		fclose(f);
		diag_free(&diags);
		free(buf);
		it->state = REPORT_INVALID;
		return CLI_EXIT_USAGE;
	}
	diag_free(&diags);
	free(buf);
	it->state = REPORT_RAN;
	it->nnames = scn->nfiles;
	it->names = xcalloc(scn->nfiles ? scn->nfiles : 1, sizeof(char *));
	for (size_t i = 0; i < scn->nfiles; i++)
		it->names[i] = xstrdup(scn->files[i]);
	if (tr != NULL)
		tracer_start(tr, slot, it->path, scn->files, &xo->trace_sink,
		    &xo->trace_arg);
	t0 = now();
	exec_script(scn, xo, &it->res);
	it->seconds = now() - t0;
	if (it->res.warnings != NULL)
		add_warning(&it->warnings, "%s", it->res.warnings);
	if (xo->schedule != NULL && !has_block(scn))
		add_warning(&it->warnings, "--schedule: the file has no "
		    "concurrent block, so no schedule was replayed");
	if (guards && scn->guards != 0)
		run_guards(scn, xo, it);
	scn_free(scn);
	return report_item_passed(it) ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

/* The timeline of every scenario's concurrent blocks, as one JSON file,
 * or the wait-for graph of every deadlock as one DOT file. */
static int
write_views(const struct cli_opts *o, const struct report_item *items,
    size_t n)
{
	struct out out;
	unsigned k = 0;
	FILE *f;

	if (out_open(&out, o->trace_file) != 0)
		return CLI_EXIT_IO;
	f = out.f;
	if (ends_with(o->trace_file, ".json")) {
		struct chrome **v = xcalloc(n ? n : 1, sizeof(*v));

		for (size_t i = 0; i < n; i++)
			v[i] = items[i].res.chrome;
		chrome_write(f, v, n);
		free(v);
	} else {
		chrome_dot_begin(f);
		for (size_t i = 0; i < n; i++)
			for (size_t d = 0; d < items[i].res.ndeadlocks; d++) {
				const struct exec_deadlock *e =
				    &items[i].res.deadlocks[d];
				char *label;

				if (asprintf(&label, "%s:%u", items[i].path,
				    e->line) < 0)
					abort();
				chrome_dot(f, k++, label, e->res, e->label);
				free(label);
			}
		chrome_dot_end(f);
	}
	return out_close(&out);
}

/*
 * The warnings of the run as a whole (one a line, or NULL): a --trace
 * output that holds nothing (TRACE the text stream, or NULL).
 */
static char *
run_warnings(const struct cli_opts *o, struct tracer *trace,
    const struct report_item *items, size_t n)
{
	uint64_t events = 0, deadlocks = 0, ran = 0;
	char *w = NULL;

	for (size_t i = 0; i < n; i++) {
		if (trace != NULL)
			events += tracer_events(trace, i);
		deadlocks += items[i].res.ndeadlocks;
		ran += items[i].state == REPORT_RAN;
	}
	if (ran == 0)
		return NULL;	/* the errors say enough */
	if (trace != NULL && events == 0)
		add_warning(&w, "--trace: no scenario did anything that is "
		    "traced, so the trace is empty");
	else if (o->trace && o->trace_file != NULL && trace == NULL &&
	    ends_with(o->trace_file, ".dot") && deadlocks == 0)
		add_warning(&w, "--trace=%s: no schedule deadlocked, so the "
		    "graph is empty", o->trace_file);
	return w;
}

/*
 * What goes to stderr after the run, in file order: why each ERROR entry
 * is one (the reason, or the diagnostics as blksim check prints them),
 * each scenario's warnings, then the run's; the run's warnings are then
 * added to every scenario's, so that each report format carries them.
 */
static void
run_stderr(const struct cli_opts *o, struct tracer *trace,
    struct report_item *items, size_t n)
{
	char *w = run_warnings(o, trace, items, n);

	for (size_t i = 0; i < n; i++) {
		const struct report_item *it = &items[i];

		if (it->state == REPORT_UNREADABLE)
			fprintf(stderr, "blksim: %s: %s\n", it->path,
			    it->detail);
		else if (it->state == REPORT_INVALID)
			fputs(it->detail, stderr);
		for (const char *l = it->warnings; l != NULL && *l; ) {
			size_t k = strcspn(l, "\n");

			fprintf(stderr, "blksim: warning: %s: %.*s\n",
			    it->path, (int)k, l);
			l += k + (l[k] == '\n');
		}
	}
	if (w == NULL)
		return;
	for (const char *l = w; *l; ) {
		size_t k = strcspn(l, "\n");

		fprintf(stderr, "blksim: warning: %.*s\n", (int)k, l);
		l += k + (l[k] == '\n');
	}
	for (size_t i = 0; i < n; i++)
		add_warning(&items[i].warnings, "%s", w);
	free(w);
}

/* --trace is the event stream (not a .json timeline or a .dot graph). */
static bool
text_trace(const struct cli_opts *o)
{
	return o->trace && (o->trace_file == NULL ||
	    (!ends_with(o->trace_file, ".json") &&
	    !ends_with(o->trace_file, ".dot")));
}

/*
 * Does the file E explore a concurrent block (schedule=explore)?  With
 * --shard such a file is run by every shard, each exploring its parts of
 * the tree (sim/explore.h); false for a file that cannot be read or
 * parsed (run_one() reports it, in one shard).
 */
static bool
run_explores(const struct files_entry *e, const struct cli_opts *o)
{
	struct diag_list diags;
	struct scn_script *scn;
	bool explores = false;
	char *buf;
	size_t len;

	if (o->schedule != NULL || e->err != 0 ||
	    files_read(e->path, &buf, &len) != 0)
		return false;
	diag_init(&diags);
	scn = parse_script_era(e->path, buf, len, o->era, &diags);
	diag_free(&diags);
	free(buf);
	for (size_t i = 0; scn != NULL && i < scn->nstmts; i++)
		if (scn->stmts[i].kind == SCN_CONCURRENT &&
		    scn->stmts[i].schedule == SCN_SCHED_EXPLORE)
			explores = true;
	scn_free(scn);
	return explores;
}

/* The work of a run, shared by its worker threads. */
struct run_pool {
	const struct files_entry **files; /* the files of this shard */
	size_t		n;
	struct report_item *items;	/* one per path, in order */
	int		*status;	/* one per path */
	const struct exec_opts *xo;
	struct tracer	*trace;		/* --trace's stream, or NULL */
	bool		guards;
	size_t		next;		/* next index to take */
	pthread_mutex_t	lock;
};

/* A worker: take the next file until none is left. */
static void *
run_worker(void *arg)
{
	struct run_pool *p = arg;

	for (;;) {
		size_t i;

		pthread_mutex_lock(&p->lock);
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			return NULL;
		p->status[i] = run_one(p->files[i], p->xo, p->guards,
		    p->trace, i, &p->items[i]);
		if (p->trace != NULL)
			tracer_done(p->trace, i);
	}
}

/*
 * Run every file of the pool on JOBS threads.  Each file's result lands
 * in its own slot, so the report does not depend on the schedule.
 */
static void
run_pool(struct run_pool *p, unsigned jobs)
{
	pthread_t *t;
	unsigned started = 0;

	if (jobs > p->n)
		jobs = p->n ? (unsigned)p->n : 1;
	if (jobs <= 1) {
		run_worker(p);
		return;
	}
	t = xcalloc(jobs, sizeof(*t));
	for (unsigned j = 0; j < jobs; j++)
		if (pthread_create(&t[j], NULL, run_worker, p) == 0)
			started++;
		else
			break;
	if (started == 0)
		run_worker(p);		/* no thread: do it here */
	for (unsigned j = 0; j < started; j++)
		pthread_join(t[j], NULL);
	free(t);
}

int
run_main(const struct cli_opts *o, char **paths, int npaths)
{
	struct files_list files;
	struct report_item *items;
	struct tracer *trace = NULL;
	struct exec_opts xo;
	size_t n = 0;
	unsigned flags = 0;
	int status;

	files_list_init(&files);
	status = files_collect(paths, npaths, &files);
	run_exec_opts(o, &xo);
	{
		struct run_pool pool = { .xo = &xo, .guards = o->guards };

		pool.files = xcalloc(files.n ? files.n : 1,
		    sizeof(*pool.files));
		/*
		 * --shard=K/N keeps every N-th file that explores no block,
		 * starting at the K-th, and every file that does.
		 */
		for (size_t i = 0, j = 0; i < files.n; i++)
			if (o->shard_n > 1 && run_explores(&files.v[i], o))
				pool.files[n++] = &files.v[i];
			else if (j++ % o->shard_n == o->shard_k - 1)
				pool.files[n++] = &files.v[i];
		pool.n = n;
		if (text_trace(o) && (pool.trace = tracer_open(o->trace_file,
		    n, o->jobs)) == NULL)
			worst(&status, CLI_EXIT_IO);
		trace = pool.trace;
		items = xcalloc(n ? n : 1, sizeof(*items));
		pool.items = items;
		pool.status = xcalloc(n ? n : 1, sizeof(int));
		pthread_mutex_init(&pool.lock, NULL);
		run_pool(&pool, o->jobs);
		pthread_mutex_destroy(&pool.lock);
		for (size_t i = 0; i < n; i++)
			worst(&status, pool.status[i]);
		free(pool.status);
		free(pool.files);
	}
	if (files.n > 0 && n == 0 && o->shard_n > 1)
		fprintf(stderr, "blksim: shard %u/%u holds no scenario\n",
		    o->shard_k, o->shard_n);
	else if (files.n == 0 && status == CLI_EXIT_OK) {
		fprintf(stderr, "blksim: no scenario files found\n");
		status = CLI_EXIT_USAGE;
	}
	run_stderr(o, trace, items, n);
	if (o->quiet)
		flags |= REPORT_QUIET;
	if (o->verbose)
		flags |= REPORT_VERBOSE | REPORT_TIMING;
	if (o->output != NULL) {
		struct out out;

		if (out_open(&out, o->output) != 0)
			worst(&status, CLI_EXIT_IO);
		else {
			report_write(out.f, o->format, items, n, flags);
			worst(&status, out_close(&out));
		}
		report_summary(stderr, items, n);	/* for the CI log */
	} else {
		if (o->format == CLI_FORMAT_TEXT)
			flags |= REPORT_BRIEF;	/* stderr has the details */
		if (o->format == CLI_FORMAT_TEXT && wants_colour())
			flags |= REPORT_COLOUR;
		report_write(stdout, o->format, items, n, flags);
	}
	if (trace != NULL)
		worst(&status, tracer_close(trace));
	else if (o->trace && !text_trace(o))
		worst(&status, write_views(o, items, n));
	for (size_t i = 0; i < n; i++)
		report_item_free(&items[i]);
	free(items);
	files_list_free(&files);
	return status;
}
