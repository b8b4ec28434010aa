/*
 * Concurrent blocks (see block.h).  A block is explored through
 * sched_explore(): each schedule starts from a clone of the state before
 * the block (block_setup), runs the tasks as scheduler entities, and is
 * judged when it ends (block_visit): each task against its expectation,
 * the first schedule that breaks it kept for the report; the invariant
 * checker at its end; the first that completes kept as the state the
 * scenario goes on from.  Then the block's points are recorded: one per
 * task, the `end` line's, and those of the run's limits.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sim/explore.h"
#include "../sim/fs.h"
#include "../sim/rng.h"
#include "../sim/sched.h"
#include "../sim/xmalloc.h"
#include "block.h"
#include "chrome.h"
#include "exec_int.h"
#include "lockrep.h"
#include "oracle.h"
#include "rcheck.h"
#include "stmt.h"

/*
 * The most scheduler steps one block may take over all its schedules
 * (blksim-scenario(5), LIMITS): past it the exploration stops, cut like
 * one that max-schedules stopped, so that no block runs for hours.
 */
#define BLOCK_MAX_STEPS		(1u << 22)

/* One task of a block, as one schedule ran it. */
struct block_task {
	struct exec		*x;
	const struct scn_stmt	*s;
	int			 status;
	bool			 done;
	struct fs_read_result	 rr;
	/* The first schedule in which its expectation failed. */
	char			*expected, *got, *schedule;
	char			*want;		/* its expectation, as text */
};

struct block_world {
	struct exec		*x;
	const struct scn_stmt	*blk;
	struct fs		*base;		/* the state before the block */
	struct fs		*fs;		/* this schedule's copy */
	struct block_task	*tasks;
	struct fs		*keep;		/* first completed schedule */
	uint64_t		 completed;	/* 1 once keep is set */
	bool			 chrome;	/* keep first_done */
	char			*first_done;	/* its schedule */
	unsigned		 found;		/* kinds found, all schedules */
	struct inv_finding	 first[INV_KIND_COUNT];
	char			 bad_replay[160]; /* why --schedule did not
						   fit */
	size_t			 opbase;	/* operation index of task 1 */
	uint64_t		 steps;		/* over the schedules so far */
	bool			 spent;		/* BLOCK_MAX_STEPS reached */
	struct rcheck		*outcomes;	/* --reduction=check: each
						   schedule's, or NULL */
	bool			 check_only;	/* collect outcomes, judge
						   nothing */
	struct lockrep_block	 rep;		/* the tasks, for reports */
};

static void
block_task_main(struct sched *sched, void *arg)
{
	struct block_task *t = arg;

	t->status = exec_run_stmt(t->x, t->s, &t->rr);
	t->done = true;
}

static struct sched *
block_setup(void *arg, const struct sched_opts *so)
{
	struct block_world *w = arg;
	struct sched *sched = sched_new(so);

	w->fs = fs_clone(w->base);
	w->x->fs = w->fs;
	for (size_t i = 0; i < w->blk->ntasks; i++) {
		struct block_task *t = &w->tasks[i];
		char name[SCHED_NAME];

		t->done = false;
		t->status = 0;
		memset(&t->rr, 0, sizeof(t->rr));
		sched_name_num(name, "task ", i + 1, "");
		sched_spawn(sched, SCHED_TASK, name, block_task_main, t);
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
block_world_hash(void *arg, bool *complete)
{
	struct block_world *w = arg;
	uint64_t h = fs_state_hash(w->fs, complete);

	for (size_t i = 0; i < w->blk->ntasks; i++) {
		const struct block_task *t = &w->tasks[i];
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
block_shared(const struct block_world *w, size_t i)
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
 * then the checker's report REP.  False stops the exploration at the
 * first anomaly or latent defect.
 */
static bool
block_oracle(struct block_world *w, const struct sched_result *res,
    const struct inv_report *rep)
{
	struct exec *x = w->x;
	char *where = xasprintf(" in schedule %s", res->schedule);

	for (size_t i = 0; i < w->blk->ntasks; i++) {
		struct block_task *t = &w->tasks[i];

		if (!t->done)
			continue;
		oracle_outcome(x->res, w->opbase + i, t->status);
		oracle_operation(x->res, w->fs, t->s, t->status, &t->rr, NULL,
		    block_shared(w, i), where);
	}
	if (res->outcome == SCHED_OOPS)
		oracle_crash(x->res, w->fs, w->blk->pos.line, res->oops, where);
	else
		oracle_findings(x->res, w->fs, rep, w->blk->pos.line, where);
	free(where);
	return !oracle_done(x->res);
}

/* Add the outcome of the finished schedule RES to W's set (rcheck.h). */
static void
block_outcome(struct block_world *w, const struct sched_result *res)
{
	char *line = NULL;
	size_t size = 0;
	FILE *f;

	if (res->outcome != SCHED_COMPLETED && res->outcome != SCHED_OOPS &&
	    res->outcome != SCHED_DEADLOCK)
		return;
	if ((f = open_memstream(&line, &size)) == NULL)
		abort();
	rcheck_outcome(f, res);
	for (size_t i = 0; i < w->blk->ntasks; i++) {
		const struct block_task *t = &w->tasks[i];

		rcheck_task(f, i, t->done ? t->status : FS_EOOPS, &t->rr);
	}
	if (res->outcome == SCHED_COMPLETED)
		rcheck_state(f, w->fs);
	fclose(f);
	rcheck_add(w->outcomes, line, res->schedule);
}

/* The first schedule that completed, RES: the scenario goes on from its
 * state, which W keeps. */
static void
block_keep(struct block_world *w, const struct sched_result *res)
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
block_visit(void *arg, struct sched *sched, const struct sched_result *res)
{
	struct block_world *w = arg;
	struct inv_report rep = { 0 };

	if (res->outcome == SCHED_BAD_REPLAY && w->bad_replay[0] == '\0')
		snprintf(w->bad_replay, sizeof(w->bad_replay), "%s", res->oops);
	if (w->outcomes != NULL)
		block_outcome(w, res);
	w->steps += res->steps;
	if (w->steps >= BLOCK_MAX_STEPS)
		w->spent = true;	/* judged, then the exploration stops */
	if (res->foreign) {
		/* Another shard's schedule (--shard): not judged here, but
		 * the scenario goes on from the first that completes. */
		if (res->outcome == SCHED_COMPLETED && w->completed == 0) {
			exec_run_checker(w->x, w->fs, &rep);
			inv_report_free(&rep);
			block_keep(w, res);
		}
		return !w->spent;
	}
	if (w->check_only ||
	    (res->outcome != SCHED_COMPLETED && res->outcome != SCHED_OOPS))
		return !w->spent;
	/* The checker runs at the end of each schedule, not between steps;
	 * a crashed kernel's half-done state is not judged. */
	if (res->outcome != SCHED_OOPS)
		exec_run_checker(w->x, w->fs, &rep);
	if (w->x->oracle && !block_oracle(w, res, &rep)) {
		inv_report_free(&rep);
		return false;
	}
	for (size_t i = 0; i < w->blk->ntasks; i++) {
		struct block_task *t = &w->tasks[i];
		const struct scn_stmt *s = t->s;
		unsigned want = s->expect.given ? s->expect.outcomes :
		    SCN_OUT_OK;
		int status = t->done ? t->status : FS_EOOPS;
		char *expected, *got;
		bool ok;

		if (t->expected != NULL)
			continue;	/* already failed in an earlier one */
		expected = exec_outcomes_text(want);
		got = exec_status_text(w->x, status);
		ok = (want & exec_outcome(status)) != 0;
		if (exec_read_keys(s, status) &&
		    !exec_judge_read(&s->expect, &t->rr, &expected, &got))
			ok = false;
		exec_explain_cached(s, want, status, &t->rr, &got);
		if (ok) {
			if (t->want == NULL)
				t->want = expected;	/* for a cut block */
			else
				free(expected);
			free(got);
			continue;
		}
		t->expected = expected;
		t->got = got;
		t->schedule = xstrdup(res->schedule);
	}
	if (res->outcome == SCHED_OOPS)
		return !w->spent;
	for (size_t i = 0; i < rep.n; i++) {
		enum inv_kind k = rep.f[i].kind;

		if (!(w->found >> k & 1))
			w->first[k] = rep.f[i];
		w->found |= 1u << k;
	}
	inv_report_free(&rep);
	if (w->completed == 0)
		block_keep(w, res);
	return !w->spent;
}

static void
block_teardown(void *arg, struct sched *sched)
{
	struct block_world *w = arg;

	fs_free(w->fs);		/* detaches first */
	w->fs = NULL;
}

/* The lockdep-style report of a deadlocked schedule (lockrep.h), to fit
 * the width as a failed point's detail is printed: indented by four. */
static char *
block_deadlock_text(const struct block_world *w, const struct sched_result *d,
    const char *prog, const char *path, const char *options)
{
	char *replay = xasprintf("%s run%s --schedule=%s %s", prog, options,
	    d->schedule, path);
	char *text = lockrep_deadlock_text(&w->rep, d, replay,
	    LOCKREP_WIDTH - 4);

	free(replay);
	return text;
}

/* Append the JSON object OBJ (taken) to the comma-separated *LIST. */
static void
block_json_add(char **list, char *obj)
{
	char *n = xasprintf("%s%s%s", *list ? *list : "", *list ? "," : "",
	    obj);

	free(*list);
	free(obj);
	*list = n;
}

/* Describe each task of W for the reports: its line and its text. */
static void
block_rep_init(struct block_world *w)
{
	uint32_t *line = xcalloc(w->blk->ntasks + 1, sizeof(*line));
	char **text = xcalloc(w->blk->ntasks + 1, sizeof(*text));

	for (size_t i = 0; i < w->blk->ntasks; i++) {
		line[i] = w->tasks[i].s->pos.line;
		text[i] = exec_describe(w->x, w->tasks[i].s);
	}
	w->rep = (struct lockrep_block){ .era = fs_era(w->base),
	    .line = w->blk->pos.line, .ntasks = w->blk->ntasks,
	    .task_line = line, .task_text = text };
}

/* Free what block_rep_init() made. */
static void
block_rep_free(struct block_world *w)
{
	for (size_t i = 0; i < w->rep.ntasks; i++)
		free(w->rep.task_text[i]);
	free((void *)w->rep.task_text);
	free((void *)w->rep.task_line);
}

/*
 * Replay the block's representative schedule (the first deadlock, else
 * the first completed schedule) into the scenario's chrome collector, as
 * the process "FILE:LINE".  The replay builds its world from the base
 * state like any explored schedule and judges nothing.
 */
static void
block_chrome(struct block_world *w, const struct sched_explore_result *er)
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
	sched_explore(&eo, block_setup, NULL, block_teardown, w, rr);
	free(rr);
}

/* Keep a copy of the block's first deadlock for the DOT output, each
 * entity labelled with the statement it runs or works for. */
static void
block_keep_deadlock(struct exec_result *r, const struct block_world *w,
    const struct sched_result *d)
{
	const struct lockrep_block *b = &w->rep;
	struct exec_deadlock *k;

	r->deadlocks = xreallocarray(r->deadlocks, r->ndeadlocks + 1,
	    sizeof(*r->deadlocks));
	k = &r->deadlocks[r->ndeadlocks++];
	memset(k, 0, sizeof(*k));
	k->line = b->line;
	k->res = xmalloc(sizeof(*k->res));
	*k->res = *d;
	for (int i = 0; i < d->nent; i++) {
		int t = d->ent[i].task;

		if (t >= 0 && (size_t)t < b->ntasks)
			k->label[i] = xasprintf("%s\n%sline %u: %s",
			    d->ent[i].name, d->ent[i].role == SCHED_TASK ?
			    "" : "for ", b->task_line[t], b->task_text[t]);
	}
}

/* "1 schedule", "2 schedules". */
static const char *
block_plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/* The progress line of a long exploration: where, how far, the bound. */
static void
block_progress(void *arg, uint64_t done, double rate)
{
	const struct block_world *w = arg;
	uint64_t bound = w->blk->max_schedules ? w->blk->max_schedules :
	    EXPLORE_DEFAULT_SCHEDULES;

	fprintf(stderr, "\rblksim: %s:%u: explored %" PRIu64 " of at most %"
	    PRIu64 " schedule%s (%.0f/s)\033[K", w->x->scn->filename,
	    w->blk->pos.line, done, bound, block_plural(bound), rate);
}

/*
 * The options a replay needs besides the schedule: the quirks the run
 * had on or off against the file's own settings, and the seed.
 */
static char *
block_replay_options(const struct scn_script *scn, const struct exec_result *r)
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
 * The record of how BLK ran, appended to R's blocks: how it was
 * scheduled (EO), the schedules run and, for an exploration, whether it
 * was complete and, if not, what cut it (ER, and the preemption BOUND).
 */
static struct exec_block *
block_record(struct exec_result *r, const struct scn_stmt *blk,
    const struct sched_explore_opts *eo,
    const struct sched_explore_result *er, int bound, bool spent)
{
	struct exec_block *b;

	r->blocks = xreallocarray(r->blocks, r->nblocks + 1,
	    sizeof(*r->blocks));
	b = &r->blocks[r->nblocks++];
	memset(b, 0, sizeof(*b));
	b->line = blk->pos.line;
	b->end_line = blk->end_pos.line;
	b->how = eo->policy == SCHED_POLICY_REPLAY ? EXEC_HOW_REPLAY :
	    eo->explore ? EXEC_HOW_EXPLORE :
	    eo->policy == SCHED_POLICY_RANDOM ? EXEC_HOW_RANDOM :
	    EXEC_HOW_FIFO;
	b->schedules = er->schedules;
	b->max_schedules = blk->max_schedules;
	b->incomplete_ok = blk->incomplete_ok;
	if (b->how == EXEC_HOW_EXPLORE && eo->shard_n > 1) {
		b->shard_k = eo->shard_k;
		b->shard_n = eo->shard_n;
	}
	if (b->how != EXEC_HOW_EXPLORE || (b->complete = er->exhausted))
		return b;
	if (eo->stop_at_deadlock && er->deadlocks > 0)
		b->cut = xstrdup("the first deadlock (the oracle stops there)");
	else if (spent)
		b->cut = xasprintf("the block's budget of %u steps",
		    BLOCK_MAX_STEPS);
	else if (er->schedules >= blk->max_schedules)
		b->cut = xasprintf("max-schedules=%" PRIu64,
		    blk->max_schedules);
	else if (bound >= 0)
		b->cut = xasprintf("--preemption-bound=%d", bound);
	else
		b->cut = xstrdup("a limit of the run");
	return b;
}

/* A cut exploration that the block does not accept: its universal
   claims fail as incomplete. */
static bool
block_incomplete(const struct exec_block *b)
{
	return b->cut != NULL && !b->incomplete_ok;
}

/* "incomplete: HELD in N schedules, but CUT stopped ..."; caller frees. */
static char *
block_incomplete_text(const struct exec_block *b, const char *held)
{
	return xasprintf("incomplete: %s in %" PRIu64 " schedule%s, but %s "
	    "stopped the exploration before every schedule was run or "
	    "pruned (incomplete=ok accepts that)", held, b->schedules,
	    block_plural(b->schedules), b->cut);
}

/*
 * Task T's point: the first schedule that broke its expectation, else a
 * pass, unless the block was cut: "in every schedule" was not checked.
 */
static void
block_task_point(struct exec *x, const struct exec_block *b,
    struct block_task *t)
{
	char *desc = exec_describe(x, t->s);

	if (t->expected != NULL) {
		char *got = xasprintf("%s in schedule %s", t->got,
		    t->schedule);

		free(t->got);
		exec_point(x, t->s->pos.line, desc, false, t->expected, got);
	} else if (block_incomplete(b))
		exec_point(x, t->s->pos.line, desc, false,
		    xasprintf("%s in every schedule", t->want != NULL ?
		    t->want : "its expectation"),
		    block_incomplete_text(b, "held"));
	else
		exec_point(x, t->s->pos.line, desc, true, NULL, NULL);
	free(t->schedule);
	free(t->want);
}

/*
 * The `end` line's point: some schedule deadlocked (expect deadlock) or
 * none did (no-deadlock, which a cut block has not shown), with the
 * first deadlock's report.  With --shard (EO), the schedules are this
 * shard's, and the first deadlock of a block that expects one may be
 * another shard's (explore.h).
 */
static void
block_end_point(struct exec *x, const struct block_world *w,
    const struct exec_block *b, const struct sched_explore_opts *eo,
    const struct sched_explore_result *er)
{
	const struct scn_stmt *blk = w->blk;
	struct exec_result *r = x->res;
	bool want = blk->expect_deadlock;
	bool ok = want ? er->seen_deadlock : er->deadlocks == 0;
	char shard[40] = "", all[48] = " (all of them)";
	char *got;

	if (eo->shard_n > 1) {
		snprintf(shard, sizeof(shard), " of shard %u/%u", eo->shard_k,
		    eo->shard_n);
		snprintf(all, sizeof(all), " (all%s)", shard);
	}
	if (er->deadlocks > 0)
		got = xasprintf("deadlock in %" PRIu64 " of %" PRIu64
		    " schedule%s%s", er->deadlocks, er->schedules,
		    block_plural(er->schedules), shard);
	else if (er->seen_deadlock)
		got = xasprintf("deadlock in another shard's part; none in "
		    "the %" PRIu64 " schedule%s%s", er->schedules,
		    block_plural(er->schedules), shard);
	else if (block_incomplete(b)) {
		got = block_incomplete_text(b, "no deadlock");
		ok = false;
	} else
		got = xasprintf("no deadlock in %" PRIu64 " schedule%s%s",
		    er->schedules, block_plural(er->schedules),
		    b->complete ? all : shard);
	exec_point(x, blk->end_pos.line, xstrdup(want ? "end expect deadlock" :
	    "end expect no-deadlock"), ok, xstrdup(want ? "a deadlock" :
	    "no deadlock"), got);
	if (er->seen_deadlock && r->npoints > 0) {
		char *opts = block_replay_options(x->scn, r);

		r->points[r->npoints - 1].detail = block_deadlock_text(w,
		    &er->first_deadlock, x->o->progname != NULL ?
		    x->o->progname : "blksim", x->scn->filename, opts);
		free(opts);
	}
}

/* Do A and B name the same lock-order cycles, in whatever order? */
static bool
block_same_cycles(const struct lockorder_report *a,
    const struct lockorder_report *b)
{
	if (a->ncycles != b->ncycles || a->more != b->more)
		return false;
	for (int i = 0; i < a->ncycles; i++) {
		int j = 0;

		while (j < b->ncycles && strcmp(a->cycles[i], b->cycles[j]))
			j++;
		if (j == b->ncycles)
			return false;
	}
	return true;
}

/*
 * Explore the block under O collecting each schedule's outcome and
 * judging nothing (--reduction=check); the set (caller frees) and the
 * result in RES.
 */
static struct rcheck *
block_collect(struct block_world *w, const struct sched_explore_opts *o,
    struct sched_explore_result *res)
{
	struct rcheck *set;

	w->outcomes = rcheck_new();
	w->check_only = true;
	sched_explore(o, block_setup, block_visit, block_teardown, w, res);
	w->check_only = false;
	set = w->outcomes;
	w->outcomes = NULL;
	return set;
}

/*
 * The difference between the outcomes and cycles of a reduced
 * exploration (SET, RES) and those without a reduction (FULL, FR), or
 * NULL; caller frees.  HOW prefixes the sentence.
 */
static char *
block_differs(struct rcheck *set, const struct sched_explore_result *res,
    struct rcheck *full, const struct sched_explore_result *fr,
    const char *how)
{
	char *why = rcheck_compare(set, full), *s;

	if (why == NULL && !block_same_cycles(&res->order, &fr->order))
		why = xstrdup("the possible lock-order cycles differ");
	if (why == NULL || *how == '\0')
		return why;
	s = xasprintf("%s%s", how, why);
	free(why);
	return s;
}

/*
 * --reduction=check: explore the block again without the reduction (the
 * first exploration, EO with sleep sets, collected W's outcomes) and with
 * sleep sets and the state cache, and compare the sets of outcomes and of
 * lock-order cycles with those without.  Adds a point at the block's line
 * (or, for blksim fuzz, an anomaly "reduction"); a check cut short by
 * max-schedules compares what it ran and warns.
 */
static void
block_reduction_check(struct block_world *w,
    const struct sched_explore_opts *eo,
    const struct sched_explore_result *er)
{
	struct exec *x = w->x;
	struct sched_explore_opts fo = *eo;
	struct sched_explore_result *fr = xcalloc(1, sizeof(*fr));
	struct sched_explore_result *sr = xcalloc(1, sizeof(*sr));
	struct rcheck *reduced = w->outcomes, *full, *cached;
	uint32_t line = w->blk->pos.line;
	char *why = NULL;

	w->outcomes = NULL;
	fo.por = false;
	fo.observe = NULL;
	full = block_collect(w, &fo, fr);
	if (!fr->exhausted) {
		exec_warn(x, line, "--reduction=check: without the reduction, "
		    "max-schedules=%" PRIu64 " cut the exploration after %"
		    PRIu64 " schedule%s; only the outcomes of those were "
		    "compared", w->blk->max_schedules, fr->schedules,
		    block_plural(fr->schedules));
		/* The reduced sets may hold outcomes not reached yet. */
	} else {
		why = block_differs(reduced, er, full, fr, "");
		if (why == NULL) {
			fo.por = fo.states = true;
			cached = block_collect(w, &fo, sr);
			why = block_differs(cached, sr, full, fr,
			    "with the state cache: ");
			rcheck_free(cached);
		}
	}
	if (x->oracle && why != NULL)
		oracle_anomaly(x->res, line, xstrdup("reduction"), why);
	else if (!x->oracle)
		exec_point(x, line, xstrdup("reduction check"), why == NULL,
		    xasprintf("the same outcomes with and without the "
		    "reduction"), why);
	else
		free(why);
	rcheck_free(reduced);
	rcheck_free(full);
	free(fr);
	free(sr);
}

/*
 * The block's interpreter entry (its row's run, src/stmt_block.c): run it
 * over the schedules its options ask for, judge each task in every
 * schedule, and go on from the first schedule that completed.
 */
int
block_run(struct exec *x, const struct scn_stmt *blk,
    struct fs_read_result *unused)
{
	const struct exec_opts *o = x->o;
	struct block_world w = { .x = x, .blk = blk, .base = x->fs,
	    .chrome = o->chrome };
	struct sched_explore_opts eo = { .policy = SCHED_POLICY_FIFO,
	    .max_schedules = blk->max_schedules,
	    .preemption_bound = o->preemption_bound };
	struct sched_explore_result *er = xcalloc(1, sizeof(*er));
	struct exec_result *r = x->res;
	struct exec_block *b;
	bool went_on, check;

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
		eo.world_hash = block_world_hash;
		/*
		 * --shard: this shard's parts of the tree (explore.h); an
		 * expected deadlock is a fact of the whole tree.  Not with
		 * --reduction=check, whose explorations must see it whole.
		 */
		if (o->shard_n > 1 && !o->reduction_check) {
			eo.shard_k = o->shard_k;
			eo.shard_n = o->shard_n;
			eo.shard_wait_deadlock = blk->expect_deadlock;
		}
	}
	w.opbase = x->opi;
	x->opi += blk->ntasks;
	eo.stop_at_deadlock = x->oracle;
	if (o->progress && isatty(2)) {
		eo.progress = block_progress;
		eo.progress_arg = &w;
	}
	fs_set_line(x->fs, blk->pos.line);
	check = o->reduction_check && eo.por;
	if (check)
		w.outcomes = rcheck_new();
	sched_explore(&eo, block_setup, block_visit, block_teardown, &w, er);
	if (check && !(eo.stop_at_deadlock && er->deadlocks > 0))
		block_reduction_check(&w, &eo, er);
	rcheck_free(w.outcomes);
	w.outcomes = NULL;
	if (eo.progress != NULL && er->schedules > 0)
		fputs("\r\033[K", stderr);
	if (o->chrome)
		block_chrome(&w, er);
	free(w.first_done);
	/* A deadlock this shard found, or (--shard) the whole tree's
	 * first when the block expects one. */
	block_rep_init(&w);
	if (o->dot && er->seen_deadlock)
		block_keep_deadlock(r, &w, &er->first_deadlock);
	if (er->seen_deadlock)
		block_json_add(&r->deadlocks_json, lockrep_deadlock_json(
		    &w.rep, &er->first_deadlock));
	x->fs = w.keep != NULL ? w.keep : w.base;
	fs_trace_release(x->fs);	/* the events of the schedule kept */
	b = block_record(r, blk, &eo, er, o->preemption_bound, w.spent);
	if (w.spent && b->how == EXEC_HOW_RANDOM)
		exec_point(x, blk->pos.line, xstrdup("concurrent"), false,
		    xasprintf("runs=%" PRIu64 " schedules", blk->runs),
		    xasprintf("%" PRIu64 " schedule%s before the block's budget "
		    "of %u steps ran out", er->schedules,
		    block_plural(er->schedules), BLOCK_MAX_STEPS));
	for (size_t i = 0; i < blk->ntasks; i++)
		block_task_point(x, b, &w.tasks[i]);
	for (int k = 0; k < INV_KIND_COUNT; k++)
		if ((w.found >> k & 1) && !(r->found >> k & 1)) {
			r->first[k] = w.first[k];
			r->first_line[k] = blk->pos.line;
		}
	r->found |= w.found;
	if (er->seen_deadlock)
		fs_note_deadlock(x->fs);
	if (x->oracle && er->deadlocks > 0)
		oracle_anomaly(r, blk->pos.line, xstrdup("deadlock"),
		    xasprintf("%s in schedule %s", er->first_deadlock.cycle[0] ?
		    er->first_deadlock.cycle : "no entity can run",
		    er->first_deadlock.schedule));
	if (er->step_limits > 0)
		exec_point(x, blk->pos.line, xstrdup("concurrent"), false,
		    xstrdup("schedules that end"), xasprintf("%" PRIu64
		    " schedule%s cut at %u steps, a schedule's limit (see "
		    "LIMITS in blksim-scenario(5))", er->step_limits,
		    block_plural(er->step_limits), SCHED_DEFAULT_STEPS));
	if (er->bad_replays > 0) {
		exec_point(x, blk->pos.line, xstrdup("--schedule"), false,
		    xasprintf("a schedule of this block"),
		    xasprintf("`%s` does not fit it (%s)", o->schedule,
		    w.bad_replay[0] ? w.bad_replay :
		    "an action it names is not enabled"));
	}
	block_end_point(x, &w, b, &eo, er);
	for (int c = 0; c < er->order.ncycles; c++) {
		char *t = lockrep_cycle_text(&w.rep, &er->order, c,
		    LOCKREP_WIDTH);
		char *n = xasprintf("%s%s%s", r->notes ? r->notes : "",
		    r->notes ? "\n" : "", t);

		free(t);
		free(r->notes);
		r->notes = n;
		block_json_add(&r->lock_order_json, lockrep_cycle_json(&w.rep,
		    &er->order, c));
	}
	block_rep_free(&w);
	went_on = w.keep != NULL;
	if (went_on)
		fs_free(w.base);
	free(w.tasks);
	free(er);
	return went_on ? 0 : -1;
}

