/*
 * `blksim run`: collect the scenario files, parse and run each (and, with
 * --guards, rerun it once per guarded quirk with that quirk on), then
 * write one report.  The report goes to stdout, or to -o FILE written
 * atomically: a temporary file in the same directory, renamed over FILE
 * only when complete.  --trace writes every event of every scenario, as
 * text, to stderr or to FILE (gzip-compressed when FILE ends in .gz);
 * a FILE ending in .json gets the Chrome trace-event timeline of every
 * concurrent block's representative schedule instead, and one ending in
 * .dot the wait-for graph of every deadlock (src/chrome.h).
 *
 * The exit status is the worst outcome: 3 if a file could not be read or
 * written, else 2 if a scenario file is invalid, else 1 if a scenario
 * failed, else 0.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "../sim/xmalloc.h"
#include "chrome.h"
#include "diag.h"
#include "exec.h"
#include "files.h"
#include "fmt.h"
#include "parse.h"
#include "report.h"
#include "run.h"

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
 * The command line's settings as exec options: the quirk settings (which
 * exec_quirks() resolves; X borrows them from O), seed, schedule, trace
 * outputs.
 */
void
run_exec_opts(const struct cli_opts *o, struct exec_opts *x)
{
	memset(x, 0, sizeof(*x));
	x->quirks = &o->quirks;
	x->seed_given = o->seed_given;
	x->seed = o->seed;
	x->chrome = o->trace_file != NULL && ends_with(o->trace_file, ".json");
	x->dot = o->trace_file != NULL && ends_with(o->trace_file, ".dot");
	x->trace_all = o->trace && !x->chrome && !x->dot;
	x->schedule = o->schedule;
	x->preemption_bound = o->preemption_bound;
	x->no_reduction = o->no_reduction;
	x->state_cache = o->state_cache;
	x->full_check = o->full_check;
	x->shard_k = o->shard_k;
	x->shard_n = o->shard_n;
	x->progress = o->jobs <= 1 && !o->quiet;
}

/*
 * Parse and run one file into IT; returns the file's exit status.  What
 * would go to stderr is kept in it->errors, so that parallel runs print
 * it in file order.  Thread-safe: it touches nothing but IT.
 */
static int
run_one(const char *path, const struct exec_opts *xo, bool guards,
    struct report_item *it)
{
	struct diag_list diags;
	struct scn_script *scn;
	char *buf;
	size_t len, elen;
	double t0;
	int err;
	FILE *errs;

	memset(it, 0, sizeof(*it));
	it->path = xstrdup(path);
	if ((err = files_read(path, &buf, &len)) != 0) {
		if (asprintf(&it->errors, "blksim: %s: %s\n", path,
		    strerror(err)) < 0)
			abort();
		it->state = REPORT_UNREADABLE;
		return CLI_EXIT_IO;
	}
	diag_init(&diags);
	scn = parse_script(path, buf, len, &diags);
	if (scn == NULL) {
		errs = open_memstream(&it->errors, &elen);
		diag_print(&diags, path, buf, len, errs);
		fclose(errs);
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
	t0 = now();
	exec_script(scn, xo, &it->res);
	it->seconds = now() - t0;
	if (guards && scn->guards != 0) {
		it->guards = xcalloc(QUIRK_COUNT, sizeof(*it->guards));
		for (int q = 0; q < QUIRK_COUNT; q++) {
			struct exec_opts go = *xo;
			struct report_guard *g;

			if (!quirk_on(scn->guards, q))
				continue;
			g = &it->guards[it->nguards++];
			g->quirk = q;
			go.guard = 1u << q;
			go.trace_all = false;
			go.chrome = false;
			go.dot = false;
			exec_script(scn, &go, &g->res);
			g->held = !g->res.passed;
		}
	}
	scn_free(scn);
	return report_item_passed(it) ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

/*
 * Open a temporary file beside PATH for an atomic replacement.  Returns
 * the stream and the temporary name in *TMP (caller frees), or NULL.
 */
FILE *
run_open_atomic(const char *path, char **tmp)
{
	int fd;
	FILE *f;

	if (asprintf(tmp, "%s.XXXXXX", path) < 0)
		abort();
	if ((fd = mkstemp(*tmp)) < 0 || (f = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "blksim: %s: %s\n", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(*tmp);
		}
		free(*tmp);
		*tmp = NULL;
		return NULL;
	}
	return f;
}

/* Close F and move TMP over PATH; on any error remove TMP. */
int
run_commit_atomic(FILE *f, char *tmp, const char *path)
{
	int bad = ferror(f) | (fflush(f) != 0) | (fsync(fileno(f)) != 0);

	bad |= fclose(f) != 0;
	if (bad || rename(tmp, path) != 0) {
		fprintf(stderr, "blksim: %s: %s\n", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return CLI_EXIT_IO;
	}
	free(tmp);
	return CLI_EXIT_OK;
}

/* The timeline of every scenario's concurrent blocks, as one JSON file,
 * or the wait-for graph of every deadlock as one DOT file. */
static int
write_views(const struct cli_opts *o, const struct report_item *items,
    size_t n)
{
	char *tmp;
	FILE *f = run_open_atomic(o->trace_file, &tmp);
	unsigned k = 0;

	if (f == NULL)
		return CLI_EXIT_IO;
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
				chrome_dot(f, k++, label, e->res);
				free(label);
			}
		chrome_dot_end(f);
	}
	return run_commit_atomic(f, tmp, o->trace_file);
}

/* Every event of every scenario, one line each. */
static int
write_trace(const struct cli_opts *o, const struct report_item *items,
    size_t n)
{
	char *text = NULL, line[320];
	size_t size = 0;
	FILE *mem = open_memstream(&text, &size);
	int status = CLI_EXIT_OK;

	for (size_t i = 0; i < n; i++) {
		const struct report_item *it = &items[i];

		for (size_t e = 0; e < it->res.ntrace; e++) {
			fmt_event(&it->res.trace[e],
			    (const char *const *)it->names, line, sizeof(line));
			fprintf(mem, "%s:%u: %s\n", it->path,
			    it->res.trace[e].line, line);
		}
	}
	fclose(mem);
	if (o->trace_file == NULL)
		fwrite(text, 1, size, stderr);
	else if (ends_with(o->trace_file, ".gz")) {
		char *tmp;
		FILE *f = run_open_atomic(o->trace_file, &tmp);
		gzFile gz;

		if (f == NULL)
			status = CLI_EXIT_IO;
		else if ((gz = gzdopen(dup(fileno(f)), "wb")) == NULL ||
		    gzwrite(gz, text, (unsigned)size) != (int)size ||
		    gzclose(gz) != Z_OK) {
			fclose(f);
			unlink(tmp);
			free(tmp);
			fprintf(stderr, "blksim: %s: compression failed\n",
			    o->trace_file);
			status = CLI_EXIT_IO;
		} else
			status = run_commit_atomic(f, tmp, o->trace_file);
	} else {
		char *tmp;
		FILE *f = run_open_atomic(o->trace_file, &tmp);

		if (f == NULL)
			status = CLI_EXIT_IO;
		else {
			fwrite(text, 1, size, f);
			status = run_commit_atomic(f, tmp, o->trace_file);
		}
	}
	free(text);
	return status;
}

/*
 * Does the file at PATH explore a concurrent block (schedule=explore)?
 * With --shard such a file is run by every shard, each exploring its
 * parts of the tree (sim/explore.h); false for a file that cannot be
 * read or parsed (run_one() reports it, in one shard).
 */
static bool
run_explores(const char *path, const struct cli_opts *o)
{
	struct diag_list diags;
	struct scn_script *scn;
	bool explores = false;
	char *buf;
	size_t len;

	if (o->schedule != NULL || files_read(path, &buf, &len) != 0)
		return false;
	diag_init(&diags);
	scn = parse_script(path, buf, len, &diags);
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
	char		**paths;	/* the files of this shard */
	size_t		n;
	struct report_item *items;	/* one per path, in order */
	int		*status;	/* one per path */
	const struct exec_opts *xo;
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
		p->status[i] = run_one(p->paths[i], p->xo, p->guards,
		    &p->items[i]);
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
	struct exec_opts xo;
	size_t n = 0;
	unsigned flags = 0;
	int status;

	files_list_init(&files);
	status = files_collect(paths, npaths, &files);
	run_exec_opts(o, &xo);
	{
		struct run_pool pool = { .xo = &xo, .guards = o->guards };

		pool.paths = xcalloc(files.n ? files.n : 1, sizeof(char *));
		/*
		 * --shard=K/N keeps every N-th file that explores no block,
		 * starting at the K-th, and every file that does.
		 */
		for (size_t i = 0, j = 0; i < files.n; i++)
			if (o->shard_n > 1 && run_explores(files.v[i], o))
				pool.paths[n++] = files.v[i];
			else if (j++ % o->shard_n == o->shard_k - 1)
				pool.paths[n++] = files.v[i];
		pool.n = n;
		items = xcalloc(n ? n : 1, sizeof(*items));
		pool.items = items;
		pool.status = xcalloc(n ? n : 1, sizeof(int));
		pthread_mutex_init(&pool.lock, NULL);
		run_pool(&pool, o->jobs);
		pthread_mutex_destroy(&pool.lock);
		for (size_t i = 0; i < n; i++) {
			worst(&status, pool.status[i]);
			if (items[i].errors != NULL)
				fputs(items[i].errors, stderr);
		}
		free(pool.status);
		free(pool.paths);
	}
	if (files.n > 0 && n == 0 && o->shard_n > 1)
		fprintf(stderr, "blksim: shard %u/%u holds no scenario\n",
		    o->shard_k, o->shard_n);
	else if (files.n == 0 && status == CLI_EXIT_OK) {
		fprintf(stderr, "blksim: no scenario files found\n");
		status = CLI_EXIT_USAGE;
	}
	if (o->quiet)
		flags |= REPORT_QUIET;
	if (o->verbose)
		flags |= REPORT_VERBOSE | REPORT_TIMING;
	if (o->output != NULL) {
		char *tmp;
		FILE *f = run_open_atomic(o->output, &tmp);

		if (f == NULL)
			worst(&status, CLI_EXIT_IO);
		else {
			report_write(f, o->format, items, n, flags);
			worst(&status, run_commit_atomic(f, tmp, o->output));
		}
	} else {
		report_write(stdout, o->format, items, n, flags);
		fflush(stdout);
	}
	if (o->trace && o->trace_file != NULL &&
	    (ends_with(o->trace_file, ".json") ||
	    ends_with(o->trace_file, ".dot")))
		worst(&status, write_views(o, items, n));
	else if (o->trace)
		worst(&status, write_trace(o, items, n));
	for (size_t i = 0; i < n; i++)
		report_item_free(&items[i]);
	free(items);
	files_list_free(&files);
	return status;
}
