/*
 * The interpreter: drive the model (sim/fs.h) through a parsed scenario
 * and judge every expectation.  See exec.h for what a point is.  Each
 * statement runs by its row's interpreter entry (src/stmt.h), the one
 * place it calls the model; this file holds what they share: the run's
 * state, the points, the judging of outcomes and read keys, the invariant
 * checker, and concurrent blocks on the scheduler (exec_block).
 *
 * Order of events per statement: stamp the statement's line on the fs,
 * clear the per-statement trace, run it, judge it, then run the invariant
 * checker.  A simulated oops (or a sequential deadlock) stops the
 * scenario: the statements after it are not run.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "../sim/fs.h"
#include "../sim/rng.h"
#include "../sim/sched.h"
#include "../sim/xmalloc.h"
#include "chrome.h"
#include "exec.h"
#include "fmt.h"
#include "oracle.h"
#include "stmt.h"

struct exec {
	const struct scn_script	*scn;
	const struct exec_opts	*o;
	struct exec_result	*res;
	struct fs		*fs;	/* a block's schedule copy inside one */
	uint32_t		*ino;	/* script file index -> inode */
	size_t			 cap;	/* of res->points */
	bool			 oracle;	/* exec_opts.oracle */
	size_t			 opi;	/* next operation line's index */
};

struct fs *
exec_fs(struct exec *x)
{
	return x->fs;
}

uint32_t
exec_inode(const struct exec *x, int file)
{
	return file >= 0 ? x->ino[file] : 0;
}

void
exec_set_inode(struct exec *x, int file, uint32_t ino)
{
	x->ino[file] = ino;
}

const char *
exec_file_name(const struct exec *x, int file)
{
	return file >= 0 ? x->scn->files[file] : "";
}

bool
exec_oracle(const struct exec *x)
{
	return x->oracle;
}

void
exec_point(struct exec *x, uint32_t line, char *desc, bool ok,
    char *expected, char *got)
{
	struct exec_result *r = x->res;
	struct exec_point *p;

	if (r->npoints == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 16;
		r->points = xreallocarray(r->points, x->cap, sizeof(*p));
	}
	p = &r->points[r->npoints++];
	memset(p, 0, sizeof(*p));
	p->line = line;
	p->desc = desc;
	p->ok = ok;
	p->expected = expected;
	p->got = got;
	if (!ok) {
		const struct trace *t = fs_trace(x->fs);
		size_t n = 0;

		r->passed = false;
		for (size_t i = 0; i < t->n; i++)
			if (t->ev[i].line == line)
				n++;
		p->ev = xreallocarray(NULL, n ? n : 1, sizeof(*p->ev));
		for (size_t i = 0; i < t->n; i++)
			if (t->ev[i].line == line)
				p->ev[p->nev++] = t->ev[i];
		p->dropped = t->dropped;
	} else {
		free(expected);
		free(got);
		p->expected = p->got = NULL;
	}
}

static const char *
outcome_word(unsigned o)
{
	switch (o) {
	case SCN_OUT_OK:
		return "ok";
	case SCN_OUT_EIO:
		return "eio";
	case SCN_OUT_ENOSPC:
		return "enospc";
	default:
		return "oops";
	}
}

static char *
outcomes_text(unsigned mask)
{
	char buf[64] = "";

	for (unsigned o = SCN_OUT_OK; o <= SCN_OUT_OOPS; o <<= 1) {
		if (!(mask & o))
			continue;
		if (buf[0])
			strcat(buf, "|");
		strcat(buf, outcome_word(o));
	}
	return xstrdup(buf);
}

unsigned
exec_outcome(int status)
{
	switch (status) {
	case 0:
		return SCN_OUT_OK;
	case -EIO:
		return SCN_OUT_EIO;
	case -ENOSPC:
		return SCN_OUT_ENOSPC;
	case FS_EOOPS:
		return SCN_OUT_OOPS;
	default:
		return 0;
	}
}

static char *
status_text(struct exec *x, int status)
{
	switch (status) {
	case FS_EOOPS:
		return xasprintf("oops (%s)", fs_oops_msg(x->fs));
	case FS_EDEADLK:
		return xstrdup("deadlock (the end-io worker waits for a "
		    "metadata read that only it could complete)");
	case FS_EINVAL:
		return xasprintf("error: %s", fs_why(x->fs));
	default:
		return xstrdup(outcome_word(exec_outcome(status)));
	}
}

/* An operation line as points and reports name it (its row's describe). */
static char *
describe(struct exec *x, const struct scn_stmt *s)
{
	const struct stmt_row *row = stmt_row(s->kind);

	if (row->describe == NULL)
		return xstrdup(row->name);
	return row->describe(s, exec_file_name(x, s->file));
}

/* Judge the read keys of an expectation; append mismatches to the texts. */
static bool
judge_read(const struct scn_expect *e, const struct fs_read_result *rr,
    char **expected, char **got)
{
	char want[256] = "", have[256] = "";
	bool ok = true;
	size_t w, h;

#define ADD(buf, ...) (w = strlen(buf), snprintf(buf + w, sizeof(buf) - w, \
	__VA_ARGS__))
	if (e->mirror > 0) {
		unsigned bit = 1u << (e->mirror - 1);

		ADD(want, " mirror=%d", e->mirror);
		if (rr->device_pages == 0) {
			ADD(have, " mirror=none (no page was read from a "
			    "device)");
			ok = false;
		} else if (rr->served != bit) {
			ADD(have, " mirror=");
			for (int k = 1; k <= FS_MAX_MIRRORS; k++)
				if (rr->served & (1u << (k - 1)))
					h = strlen(have), snprintf(have + h,
					    sizeof(have) - h, "%s%d",
					    have[h - 1] == '=' ? "" : ",", k);
			if (rr->served == 0)
				ADD(have, "none");
			ok = false;
		} else
			ADD(have, " mirror=%d", e->mirror);
	}
	if (e->retries >= 0) {
		ADD(want, " retries=%" PRId64, e->retries);
		ADD(have, " retries=%" PRIu64, rr->retries);
		if ((uint64_t)e->retries != rr->retries)
			ok = false;
	}
	if (e->lookup != SCN_LOOKUP_ANY) {
		unsigned bit = e->lookup == SCN_LOOKUP_CACHE ? FS_LOOKUP_CACHE :
		    FS_LOOKUP_GET_EXTENT;

		ADD(want, " lookup=%s", bit == FS_LOOKUP_CACHE ? "cache" :
		    "get_extent");
		ADD(have, " lookup=%s", rr->lookups == FS_LOOKUP_CACHE ?
		    "cache" : rr->lookups == FS_LOOKUP_GET_EXTENT ?
		    "get_extent" : rr->lookups == 0 ? "none (no retry)" :
		    "cache,get_extent");
		if (rr->lookups != bit)
			ok = false;
	}
	if (e->data == SCN_DATA_INTACT) {
		ADD(want, " data=intact");
		ADD(have, " data=%s", rr->intact ? "intact" : "different");
		if (!rr->intact)
			ok = false;
	} else if (e->data >= 0) {
		ADD(want, " data=0x%02x", e->data);
		if (rr->bytes == 0)
			ADD(have, " data=none (no bytes returned)");
		else if (rr->uniform < 0)
			ADD(have, " data=mixed");
		else
			ADD(have, " data=0x%02x", rr->uniform);
		if (rr->bytes == 0 || rr->uniform != e->data)
			ok = false;
	}
#undef ADD
	if (want[0]) {
		char *a = xasprintf("%s%s", *expected, want);
		char *b = xasprintf("%s%s", *got, have);

		free(*expected);
		free(*got);
		*expected = a;
		*got = b;
	}
	return ok;
}

/*
 * Run one statement (a top-level line, a task, an expectation) by its
 * row's interpreter entry; returns the model's status.
 */
static int
run_stmt(struct exec *x, const struct scn_stmt *s, struct fs_read_result *rr)
{
	const struct stmt_row *row = stmt_row(s->kind);

	return row->run != NULL ? row->run(x, s, rr) : 0;
}

/* Judged by judge_read: the statement takes the read keys. */
static bool
read_keys(const struct scn_stmt *s, int status)
{
	return (stmt_row(s->kind)->flags & STMT_READ_KEYS) &&
	    (status == 0 || status == -EIO);
}

/* Judge an operation's outcome and keys; false stops the scenario. */
static bool
judge_operation(struct exec *x, const struct scn_stmt *s, int status,
    const struct fs_read_result *rr)
{
	unsigned want = s->expect.given ? s->expect.outcomes : SCN_OUT_OK;
	unsigned got = exec_outcome(status);
	char *expected = outcomes_text(want);
	char *gottext = status_text(x, status);
	bool ok = (want & got) != 0;

	if (read_keys(s, status) &&
	    !judge_read(&s->expect, rr, &expected, &gottext))
		ok = false;
	exec_point(x, s->pos.line, describe(x, s), ok, expected, gottext);
	return status != FS_EOOPS && status != FS_EDEADLK;
}

/*
 * The invariant checker on FS after a statement or a schedule, into REP
 * (the caller frees it): of what changed since it last looked, or
 * (--check=full) of the whole model.  Both give the same verdicts
 * (inv.h); either way it starts afresh from here.
 */
static void
run_checker(const struct exec *x, struct fs *fs, struct inv_report *rep)
{
	if (x->o->full_check)
		inv_check(fs, rep);
	else
		inv_check_changed(fs, rep);
	inv_settle(fs);
}

/* Remember the first finding of each kind of REP, made after LINE. */
static void
record_findings(struct exec *x, const struct inv_report *rep, uint32_t line)
{
	struct exec_result *r = x->res;

	for (size_t i = 0; i < rep->n; i++) {
		enum inv_kind k = rep->f[i].kind;

		if (!(r->found & (1u << k))) {
			r->first[k] = rep->f[i];
			r->first_line[k] = line;
		}
		r->found |= 1u << k;
	}
}

/* ---- concurrent blocks ------------------------------------------------ */

/* One task of a block, as one schedule ran it. */
struct conc_task {
	struct exec		*x;
	const struct scn_stmt	*s;
	int			 status;
	bool			 done;
	struct fs_read_result	 rr;
	/* The first schedule in which its expectation failed. */
	char			*expected, *got, *schedule;
};

struct conc_world {
	struct exec		*x;
	const struct scn_stmt	*blk;
	struct fs		*base;		/* the state before the block */
	struct fs		*fs;		/* this schedule's copy */
	struct conc_task	*tasks;
	struct fs		*keep;		/* first completed schedule */
	uint64_t		 completed;	/* 1 once keep is set */
	bool			 chrome;	/* keep first_done */
	char			*first_done;	/* its schedule */
	unsigned		 found;		/* kinds found, all schedules */
	struct inv_finding	 first[INV_KIND_COUNT];
	char			 bad_replay[160]; /* why --schedule did not
						   fit */
	size_t			 opbase;	/* operation index of task 1 */
};

static void
conc_task_main(struct sched *sched, void *arg)
{
	struct conc_task *t = arg;

	t->status = run_stmt(t->x, t->s, &t->rr);
	t->done = true;
}

static struct sched *
conc_setup(void *arg, const struct sched_opts *so)
{
	struct conc_world *w = arg;
	struct sched *sched = sched_new(so);

	w->fs = fs_clone(w->base);
	w->x->fs = w->fs;
	for (size_t i = 0; i < w->blk->ntasks; i++) {
		struct conc_task *t = &w->tasks[i];
		char name[SCHED_NAME];

		t->done = false;
		t->status = 0;
		memset(&t->rr, 0, sizeof(t->rr));
		sched_name_num(name, "task ", i + 1, "");
		sched_spawn(sched, SCHED_TASK, name, conc_task_main, t);
	}
	fs_attach(w->fs, sched);
	return sched;
}

/*
 * The world's part of a state hash (explore.h, world_hash): the model
 * state of this schedule (fs_state_hash(), the glue's included) and what
 * each task keeps outside its stack: whether it is done, its status and
 * its read's result, which the end-io workers write into too.
 */
static uint64_t
conc_world_hash(void *arg, bool *complete)
{
	struct conc_world *w = arg;
	uint64_t h = fs_state_hash(w->fs, complete);

	for (size_t i = 0; i < w->blk->ntasks; i++) {
		const struct conc_task *t = &w->tasks[i];
		const struct fs_read_result *r = &t->rr;

		h = rng_fold(h, (uint64_t)(int64_t)t->status << 1 | t->done);
		h = rng_fold(h, r->bytes);
		h = rng_fold(h, r->device_pages);
		h = rng_fold(h, r->retries);
		h = rng_fold(h, r->wrong_pages);
		h = rng_fold(h, (uint64_t)r->served << 32 | r->lookups);
		h = rng_fold(h, (uint64_t)r->eio << 32 | (uint32_t)r->uniform);
		h = rng_fold(h, r->intact);
	}
	return h;
}

/* Does task I's file get its bytes changed by another task of the block? */
static bool
conc_shared(const struct conc_world *w, size_t i)
{
	const struct scn_stmt *s = w->tasks[i].s;

	for (size_t j = 0; j < w->blk->ntasks; j++) {
		const struct scn_stmt *o = w->tasks[j].s;

		if (j != i && o->file == s->file && stmt_writes(o->kind))
			return true;
	}
	return false;
}

/*
 * The oracle over one finished schedule (completed or oops): each task,
 * then the checker.  False stops the exploration at the first anomaly or
 * latent defect.
 */
static bool
conc_oracle(struct conc_world *w, const struct sched_result *res,
    const struct inv_report *rep)
{
	struct exec *x = w->x;
	char *where = xasprintf(" in schedule %s", res->schedule);

	for (size_t i = 0; i < w->blk->ntasks; i++) {
		struct conc_task *t = &w->tasks[i];

		if (!t->done)
			continue;
		oracle_outcome(x->res, w->opbase + i, t->status);
		oracle_operation(x->res, w->fs, t->s, t->status, &t->rr, NULL,
		    conc_shared(w, i), where);
	}
	if (res->outcome == SCHED_OOPS) {
		if (!oracle_latent_fs(x->res, w->fs))
			oracle_oops(x->res, w->blk->pos.line, fs_crashed(w->fs) ?
			    fs_oops_msg(w->fs) : res->oops, where);
	} else
		oracle_findings(x->res, w->fs, rep, w->blk->pos.line, where);
	free(where);
	return !oracle_done(x->res);
}

/* The first schedule that completed, RES: the scenario goes on from its
 * state, which W keeps. */
static void
conc_keep(struct conc_world *w, const struct sched_result *res)
{
	w->completed++;
	if (w->chrome && !res->truncated)
		w->first_done = xstrdup(res->schedule);
	fs_detach(w->fs);
	w->keep = w->fs;
	w->fs = NULL;
}

/* Judge every task of a finished schedule; remember first failures. */
static bool
conc_visit(void *arg, struct sched *sched, const struct sched_result *res)
{
	struct conc_world *w = arg;
	struct inv_report rep = { 0 };

	if (res->outcome == SCHED_BAD_REPLAY && w->bad_replay[0] == '\0')
		snprintf(w->bad_replay, sizeof(w->bad_replay), "%s", res->oops);
	if (res->outcome != SCHED_COMPLETED && res->outcome != SCHED_OOPS)
		return true;
	if (res->foreign) {
		/* Another shard's schedule: not judged here, but the
		 * scenario goes on from the first that completes. */
		if (res->outcome == SCHED_COMPLETED && w->completed == 0) {
			run_checker(w->x, w->fs, &rep);
			inv_report_free(&rep);
			conc_keep(w, res);
		}
		return true;
	}
	/* The checker runs at the end of each schedule, not between steps;
	 * a crashed kernel's half-done state is not judged. */
	if (res->outcome != SCHED_OOPS)
		run_checker(w->x, w->fs, &rep);
	if (w->x->oracle && !conc_oracle(w, res, &rep)) {
		inv_report_free(&rep);
		return false;
	}
	for (size_t i = 0; i < w->blk->ntasks; i++) {
		struct conc_task *t = &w->tasks[i];
		const struct scn_stmt *s = t->s;
		unsigned want = s->expect.given ? s->expect.outcomes :
		    SCN_OUT_OK;
		int status = t->done ? t->status : FS_EOOPS;
		char *expected, *got;
		bool ok;

		if (t->expected != NULL)
			continue;	/* already failed in an earlier one */
		expected = outcomes_text(want);
		got = status_text(w->x, status);
		ok = (want & exec_outcome(status)) != 0;
		if (read_keys(s, status) &&
		    !judge_read(&s->expect, &t->rr, &expected, &got))
			ok = false;
		if (ok) {
			free(expected);
			free(got);
			continue;
		}
		t->expected = expected;
		t->got = got;
		t->schedule = xstrdup(res->schedule);
	}
	if (res->outcome == SCHED_OOPS)
		return true;
	for (size_t i = 0; i < rep.n; i++) {
		enum inv_kind k = rep.f[i].kind;

		if (!(w->found >> k & 1))
			w->first[k] = rep.f[i];
		w->found |= 1u << k;
	}
	inv_report_free(&rep);
	if (w->completed == 0)
		conc_keep(w, res);
	return true;
}

static void
conc_teardown(void *arg, struct sched *sched)
{
	struct conc_world *w = arg;

	fs_free(w->fs);		/* detaches first */
	w->fs = NULL;
}

/* The lockdep-style report of a deadlocked schedule. */
static char *
deadlock_text(const struct sched_result *d, const char *path,
    const char *options)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	fprintf(f, "*** DEADLOCK ***\n");
	for (int i = 0; i < d->nent; i++) {
		const struct sched_report_entity *e = &d->ent[i];

		if (e->state == SCHED_FINISHED)
			continue;
		fprintf(f, "%s: holds %s; waits for %s\n", e->name,
		    e->holds[0] ? e->holds : "nothing",
		    e->waits[0] ? e->waits : "nothing");
	}
	if (d->cycle[0])
		fprintf(f, "cycle: %s\n", d->cycle);
	fprintf(f, "schedule: %s\n", d->schedule);
	fprintf(f, "replay: blksim run%s --schedule=%s %s", options,
	    d->schedule, path);
	fclose(f);
	return text;
}

/*
 * Replay the block's representative schedule (the first deadlock, else
 * the first completed schedule) into the scenario's chrome collector, as
 * the process "FILE:LINE".  The replay builds its world from the base
 * state like any explored schedule and judges nothing.
 */
static void
conc_chrome(struct conc_world *w, const struct sched_explore_result *er)
{
	struct exec_result *r = w->x->res;
	struct sched_explore_opts eo = { .policy = SCHED_POLICY_REPLAY,
	    .preemption_bound = -1, .observe = chrome_observe };
	struct sched_explore_result *rr;
	const char *sched;
	char *name;

	if (er->seen_deadlock && !er->first_deadlock.truncated)
		sched = er->first_deadlock.schedule;
	else if (w->first_done != NULL)
		sched = w->first_done;
	else
		return;
	if (r->chrome == NULL)
		r->chrome = chrome_new();
	name = xasprintf("%s:%u", w->x->scn->filename, w->blk->pos.line);
	chrome_process(r->chrome, name);
	free(name);
	eo.replay = sched;
	eo.observe_arg = r->chrome;
	rr = xcalloc(1, sizeof(*rr));
	sched_explore(&eo, conc_setup, NULL, conc_teardown, w, rr);
	free(rr);
}

/* Keep a copy of the block's first deadlock for the DOT output. */
static void
keep_deadlock(struct exec_result *r, uint32_t line,
    const struct sched_result *d)
{
	struct exec_deadlock *k;

	r->deadlocks = xreallocarray(r->deadlocks, r->ndeadlocks + 1,
	    sizeof(*r->deadlocks));
	k = &r->deadlocks[r->ndeadlocks++];
	k->line = line;
	k->res = xmalloc(sizeof(*k->res));
	*k->res = *d;
}

/* The progress line of a long exploration: where, how far, the bound. */
static void
conc_progress(void *arg, uint64_t done, double rate)
{
	const struct conc_world *w = arg;
	uint64_t bound = w->blk->max_schedules ? w->blk->max_schedules :
	    EXPLORE_DEFAULT_SCHEDULES;

	fprintf(stderr, "\rblksim: %s:%u: explored %" PRIu64 " of at most %"
	    PRIu64 " schedules (%.0f/s)\033[K", w->x->scn->filename,
	    w->blk->pos.line, done, bound, rate);
}

/*
 * The options a replay needs besides the schedule: the quirks the run
 * had on or off against the file's own settings, and the seed.
 */
static char *
replay_options(const struct scn_script *scn, const struct exec_result *r)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	for (int q = 0; q < QUIRK_COUNT; q++)
		if (quirk_on(r->quirks, q) != quirk_on(scn->quirks, q))
			fprintf(f, " --quirk=%s=%s", quirk_info(q)->name,
			    quirk_on(r->quirks, q) ? "on" : "off");
	if (r->seed != scn->seed)
		fprintf(f, " --seed=%" PRIu64, r->seed);
	fclose(f);
	return text;
}

/*
 * The block's interpreter entry (its row's run, src/stmt_block.c): run it
 * over the schedules its options ask for, judge each task in every
 * schedule, and go on from the first schedule that completed.
 */
int
exec_block(struct exec *x, const struct scn_stmt *blk,
    struct fs_read_result *unused)
{
	const struct exec_opts *o = x->o;
	struct conc_world w = { .x = x, .blk = blk, .base = x->fs,
	    .chrome = o->chrome };
	struct sched_explore_opts eo = { .policy = SCHED_POLICY_FIFO,
	    .max_schedules = blk->max_schedules,
	    .preemption_bound = o->preemption_bound };
	struct sched_explore_result *er = xcalloc(1, sizeof(*er));
	struct exec_result *r = x->res;
	bool want_deadlock = blk->expect_deadlock, went_on, deadlocked;

	if (blk->ntasks + fs_cfg(x->fs)->workers > SCHED_MAX_ENTITIES) {
		exec_point(x, blk->pos.line, xstrdup("concurrent"), false,
		    xstrdup("a block the scheduler can hold"),
		    xasprintf("error: %zu tasks and %u end-io workers exceed "
		    "the scheduler's %d entities: split the block",
		    blk->ntasks, fs_cfg(x->fs)->workers, SCHED_MAX_ENTITIES));
		free(er);
		return -1;
	}
	w.tasks = xcalloc(blk->ntasks ? blk->ntasks : 1, sizeof(*w.tasks));
	for (size_t i = 0; i < blk->ntasks; i++) {
		w.tasks[i].x = x;
		w.tasks[i].s = &blk->tasks[i];
	}
	if (o->schedule != NULL) {
		eo.policy = SCHED_POLICY_REPLAY;
		eo.replay = o->schedule;
	} else if (blk->schedule == SCN_SCHED_RANDOM) {
		eo.policy = SCHED_POLICY_RANDOM;
		eo.runs = blk->runs;
		eo.seed = r->seed;
	} else if (blk->schedule == SCN_SCHED_EXPLORE) {
		eo.explore = true;
		/*
		 * Sleep sets: sim/fs.c declares every object its entities
		 * share outside a sched lock with sched_touch().  They keep
		 * every deadlock, oops, task outcome and final state, and
		 * (sched.c) the first schedule of each of those in
		 * exploration order; only the schedule counts change.
		 * Sound without a preemption bound only.
		 */
		eo.por = !o->no_reduction && o->preemption_bound < 0;
		/* The state cache: also sound only without a bound. */
		eo.states = o->state_cache && eo.por;
		eo.world_hash = conc_world_hash;
		/* --shard: this shard's parts of the tree (explore.h); an
		 * expected deadlock is a fact of the whole tree. */
		if (o->shard_n > 1) {
			eo.shard_k = o->shard_k;
			eo.shard_n = o->shard_n;
			eo.shard_wait_deadlock = want_deadlock;
		}
	}
	w.opbase = x->opi;
	x->opi += blk->ntasks;
	eo.stop_at_deadlock = x->oracle;
	if (o->progress && isatty(2)) {
		eo.progress = conc_progress;
		eo.progress_arg = &w;
	}
	fs_set_line(x->fs, blk->pos.line);
	sched_explore(&eo, conc_setup, conc_visit, conc_teardown, &w, er);
	if (eo.progress != NULL && er->schedules > 0)
		fputs("\r\033[K", stderr);
	if (o->chrome)
		conc_chrome(&w, er);
	free(w.first_done);
	/* A deadlock this shard found, or (shards) the whole tree's first
	 * when the block expects one; unsharded, deadlocks > 0. */
	deadlocked = er->seen_deadlock;
	if (o->dot && deadlocked)
		keep_deadlock(r, blk->pos.line, &er->first_deadlock);
	x->fs = w.keep != NULL ? w.keep : w.base;
	for (size_t i = 0; i < blk->ntasks; i++) {
		struct conc_task *t = &w.tasks[i];
		char *desc = describe(x, t->s);

		if (t->expected == NULL)
			exec_point(x, t->s->pos.line, desc, true, NULL, NULL);
		else {
			char *got = xasprintf("%s in schedule %s", t->got,
			    t->schedule);

			free(t->got);
			exec_point(x, t->s->pos.line, desc, false, t->expected,
			    got);
		}
		free(t->schedule);
	}
	for (int k = 0; k < INV_KIND_COUNT; k++)
		if ((w.found >> k & 1) && !(r->found >> k & 1)) {
			r->first[k] = w.first[k];
			r->first_line[k] = blk->pos.line;
		}
	r->found |= w.found;
	if (deadlocked)
		fs_note_deadlock(x->fs);
	if (x->oracle && er->deadlocks > 0)
		oracle_anomaly(r, blk->pos.line, xstrdup("deadlock"),
		    xasprintf("%s in schedule %s", er->first_deadlock.cycle[0] ?
		    er->first_deadlock.cycle : "no entity can run",
		    er->first_deadlock.schedule));
	if (er->step_limits > 0)
		exec_point(x, blk->pos.line, xstrdup("concurrent"), false,
		    xstrdup("schedules that end"), xasprintf("%" PRIu64
		    " schedules cut after the step limit", er->step_limits));
	if (er->bad_replays > 0) {
		exec_point(x, blk->pos.line, xstrdup("--schedule"), false,
		    xasprintf("a schedule of this block"),
		    xasprintf("`%s` does not fit it (%s)", o->schedule,
		    w.bad_replay[0] ? w.bad_replay :
		    "an action it names is not enabled"));
	}
	{
		bool ok = want_deadlock ? deadlocked : er->deadlocks == 0;
		char shard[40] = "", all[48] = " (all of them)";
		char *got;

		if (eo.shard_n > 1) {
			snprintf(shard, sizeof(shard), " of shard %u/%u",
			    eo.shard_k, eo.shard_n);
			snprintf(all, sizeof(all), " (all%s)", shard);
		}
		if (er->deadlocks > 0)
			got = xasprintf("deadlock in %" PRIu64 " of %" PRIu64
			    " schedules%s", er->deadlocks, er->schedules,
			    shard);
		else if (deadlocked)
			got = xasprintf("deadlock in another shard's part; "
			    "none in the %" PRIu64 " schedules%s",
			    er->schedules, shard);
		else
			got = xasprintf("no deadlock in %" PRIu64
			    " schedules%s", er->schedules, er->exhausted ? all :
			    shard);
		exec_point(x, blk->end_pos.line, xstrdup(want_deadlock ?
		    "end expect deadlock" : "end expect no-deadlock"), ok,
		    xstrdup(want_deadlock ? "a deadlock" : "no deadlock"), got);
		if (deadlocked && r->npoints > 0) {
			char *opts = replay_options(x->scn, r);

			r->points[r->npoints - 1].detail = deadlock_text(
			    &er->first_deadlock, x->scn->filename, opts);
			free(opts);
		}
	}
	for (int c = 0; c < er->order.ncycles; c++) {
		char *n = xasprintf("%s%sline %u: possible lock-order cycle: "
		    "%s", r->notes ? r->notes : "", r->notes ? "\n" : "",
		    blk->pos.line, er->order.cycles[c]);

		free(r->notes);
		r->notes = n;
	}
	went_on = w.keep != NULL;
	if (went_on)
		fs_free(w.base);
	free(w.tasks);
	free(er);
	return went_on ? 0 : -1;
}

unsigned
exec_quirks(const struct scn_script *scn, const struct exec_opts *o)
{
	struct quirk_settings all = { 0 };
	unsigned mask;

	quirk_settings_append(&all, &scn->quirk_settings);
	if (o->quirks != NULL)
		quirk_settings_append(&all, o->quirks);
	for (int q = 0; q < QUIRK_COUNT; q++)
		if (quirk_on(o->guard, q))
			quirk_settings_add(&all, QUIRK_FROM_GUARD, q, true);
	mask = quirk_resolve(&all);
	quirk_settings_free(&all);
	return mask;
}

/* The closing point: every finding of the checker was declared. */
static void
judge_findings(struct exec *x)
{
	struct exec_result *r = x->res;
	uint32_t last = 0;

	for (size_t i = 0; i < x->scn->nstmts; i++)
		if (x->scn->stmts[i].kind == SCN_EXPECT_VIOLATION) {
			const struct scn_stmt *s = &x->scn->stmts[i];
			bool seen = (r->found >> s->violation) & 1;

			exec_point(x, s->pos.line, xasprintf("violation %s",
			    inv_kind_name(s->violation)), seen,
			    xasprintf("a %s finding",
			    inv_kind_name(s->violation)), xstrdup("none"));
		}
	for (int k = 0; k < INV_KIND_COUNT; k++) {
		const struct inv_finding *f = &r->first[k];
		char a[32], b[32];

		if (!((r->found & ~r->declared) >> k & 1))
			continue;
		fmt_size(f->start, a, sizeof(a));
		fmt_size(f->len, b, sizeof(b));
		exec_point(x, r->first_line[k], xstrdup("invariants"), false,
		    xstrdup("no undeclared invariant violation"),
		    xasprintf("%s: %s (inode %u, at %s, %s bytes)",
		    inv_kind_name(k), f->what, f->ino, a, b));
		last = 1;
	}
	if (!last)
		exec_point(x, x->scn->nstmts ?
		    x->scn->stmts[x->scn->nstmts - 1].pos.line : 0,
		    xstrdup("invariants"), true, NULL, NULL);
}

void
exec_script(const struct scn_script *scn, const struct exec_opts *o,
    struct exec_result *r)
{
	struct exec x = { .scn = scn, .o = o, .res = r };
	struct fs_config cfg = {
		.sectorsize = scn->fs.sectorsize,
		.mirrors = scn->fs.mirrors,
		.size = scn->fs.size,
		.max_extent = scn->fs.max_extent,
		.alloc_align = scn->fs.alloc_align,
		.workers = scn->fs.workers,
		.csum = scn->fs.csum_crc32 ? CSUM_CRC32 : CSUM_CRC32C,
		.trace_all = o->trace_all,
		.era = scn->era,
	};
	int err;

	memset(r, 0, sizeof(*r));
	r->passed = true;
	r->era = scn->era;
	r->quirks = cfg.quirks = exec_quirks(scn, o);
	r->seed = cfg.seed = o->seed_given ? o->seed : scn->seed;
	x.fs = fs_new(&cfg, &err);
	if (x.fs == NULL) {
		r->passed = false;
		r->oops = xstrdup("the fs configuration is invalid");
		return;
	}
	x.ino = xcalloc(scn->nfiles ? scn->nfiles : 1, sizeof(*x.ino));
	x.oracle = o->oracle;
	for (size_t i = 0; i < scn->nstmts; i++) {
		const struct scn_stmt *s = &scn->stmts[i];

		if (s->kind == SCN_EXPECT_VIOLATION)
			r->declared |= 1u << s->violation;
		if (stmt_row(s->kind)->role == STMT_BLOCK)
			r->noutcomes += s->ntasks;
		else if (scn_is_operation(s->kind))
			r->noutcomes++;
	}
	if (x.oracle)
		r->outcomes = xcalloc(r->noutcomes ? r->noutcomes : 1,
		    sizeof(*r->outcomes));
	for (size_t i = 0; i < scn->nstmts; i++) {
		const struct scn_stmt *s = &scn->stmts[i];
		struct fs_read_result rr;
		struct oracle_pre pre;
		struct inv_report rep;
		bool stop;
		int status;

		fs_set_line(x.fs, s->pos.line);
		if (!o->trace_all)
			fs_trace_clear(x.fs);
		if (!scn_is_operation(s->kind)) {
			run_stmt(&x, s, NULL);
			continue;
		}
		if (stmt_row(s->kind)->role == STMT_BLOCK) {
			if (run_stmt(&x, s, NULL) != 0 || (x.oracle &&
			    oracle_done(r))) {
				r->stopped = i + 1 < scn->nstmts;
				break;
			}
			continue;
		}
		memset(&rr, 0, sizeof(rr));
		if (x.oracle)
			oracle_before(x.fs, exec_inode(&x, s->file), s, &pre);
		status = run_stmt(&x, s, &rr);
		/* A crashed kernel's half-done state is not judged. */
		memset(&rep, 0, sizeof(rep));
		if (status != FS_EOOPS)
			run_checker(&x, x.fs, &rep);
		if (x.oracle) {
			oracle_outcome(r, x.opi, status);
			oracle_operation(r, x.fs, s, status, &rr, &pre, false,
			    "");
			if (status != FS_EOOPS)
				oracle_findings(r, x.fs, &rep, s->pos.line,
				    "");
			if (oracle_done(r)) {
				r->stopped = i + 1 < scn->nstmts;
				x.opi++;
				inv_report_free(&rep);
				break;
			}
		}
		x.opi++;
		stop = !judge_operation(&x, s, status, &rr);
		record_findings(&x, &rep, s->pos.line);
		inv_report_free(&rep);
		if (stop) {
			if (status == FS_EOOPS)
				r->oops = xasprintf("%u: %s", s->pos.line,
				    fs_oops_msg(x.fs));
			r->stopped = i + 1 < scn->nstmts;
			break;
		}
	}
	judge_findings(&x);
	r->stats = *fs_stats(x.fs);
	if (o->trace_all)
		fs_trace_take(x.fs, &r->trace, &r->ntrace);
	free(x.ino);
	if (o->keep_fs)
		r->fs = x.fs;
	else
		fs_free(x.fs);
}

void
exec_result_free(struct exec_result *r)
{
	for (size_t i = 0; i < r->npoints; i++) {
		free(r->points[i].desc);
		free(r->points[i].expected);
		free(r->points[i].got);
		free(r->points[i].ev);
		free(r->points[i].detail);
	}
	free(r->points);
	free(r->oops);
	free(r->anomaly);
	free(r->anomaly_why);
	free(r->latent);
	free(r->outcomes);
	free(r->trace);
	free(r->notes);
	fs_free(r->fs);
	chrome_free(r->chrome);
	for (size_t i = 0; i < r->ndeadlocks; i++)
		free(r->deadlocks[i].res);
	free(r->deadlocks);
	memset(r, 0, sizeof(*r));
}
