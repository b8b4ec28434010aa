/*
 * The explorer: the trail of choices, backtracking, and the loop of
 * sched_explore(); explore.h states the model, por.h the reduction.
 *
 * Each run of the world asks the trail for every step's action through
 * the chooser of sched.h.  Inside the recorded prefix the trail answers
 * with the recorded choice (and checks that the world enabled the same
 * actions); past it, it pushes a new step, whose sleep set is what the
 * step before passes down, and takes the first action neither asleep nor
 * over the preemption bound.  When there is none, the run is cut.  After
 * the run, backtracking marks the deepest step's choice as explored (it
 * then sleeps in its later siblings' subtrees) and moves to its next
 * alternative, popping the steps that have none.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "explore.h"
#include "fiber.h"
#include "rng.h"
#include "states.h"
#include "xmalloc.h"

#define EXPLORE_PROGRESS_NS		250000000

/* Is choosing C at ST a preemption? */
static bool
preempts(const struct explore_step *st, size_t c)
{
	return st->yielded >= 0 && st->en[c] != (uint32_t)st->yielded;
}

/* The entity that may be preempted after PREV's choice ran, or -1. */
static int
yielded_after(const struct explore_step *prev)
{
	uint32_t a = prev->en[prev->choice];

	if (sched_act_is_post(a))
		return prev->yielded;
	return prev->fp_yielded ? (int)a : -1;
}

/* The first alternative of ST at or after FROM: not asleep, within the
 * bound; -1 if none. */
static long
next_choice(struct explore_trail *t, const struct explore_step *st,
    size_t from)
{
	size_t c;

	for (c = from; c < st->nen; c++) {
		if (por_sleep_has(&st->sleep, st->en[c]))
			continue;
		if (t->bound >= 0 && st->preempts + preempts(st, c) >
		    t->bound) {
			t->bound_cut = true;
			continue;
		}
		return (long)c;
	}
	return -1;
}

/* Drop the trail's last step and what it owns. */
static void
pop_step(struct explore_trail *t)
{
	struct explore_step *st = &t->step[--t->nstep];

	por_sleep_free(&st->sleep);
	por_sleep_free(&st->done);
	por_fp_free(&st->fp);
	free(st->en);
}

/*
 * The choice at step I of a run: the recorded one inside the trail, else
 * a new step.  SCHED_CUT when every enabled action is asleep;
 * SCHED_DIVERGED when the world enabled other actions than last time.
 */
enum sched_choice
explore_choose(struct explore_trail *t, size_t i, const uint32_t *en,
    size_t nen, uint32_t *a)
{
	struct explore_step *st, *prev;
	long c;

	if (i < t->nstep) {
		st = &t->step[i];
		if (st->nen != nen ||
		    memcmp(st->en, en, nen * sizeof(*en)) != 0)
			return SCHED_DIVERGED;
		*a = st->en[st->choice];
		return SCHED_CHOSEN;
	}
	if (t->nstep == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->step = xreallocarray(t->step, t->cap, sizeof(*t->step));
	}
	st = &t->step[t->nstep++];
	memset(st, 0, sizeof(*st));
	st->en = xreallocarray(NULL, nen, sizeof(*en));
	memcpy(st->en, en, nen * sizeof(*en));
	st->nen = nen;
	st->yielded = -1;
	if (i > 0) {
		prev = &t->step[i - 1];
		st->preempts = prev->preempts + preempts(prev, prev->choice);
		st->yielded = yielded_after(prev);
		if (t->por)
			por_sleep_inherit(&st->sleep, &prev->sleep, &prev->done,
			    &prev->fp);
	}
	if ((c = next_choice(t, st, 0)) < 0) {
		pop_step(t);
		return SCHED_CUT;
	}
	st->choice = (size_t)c;
	*a = st->en[c];
	return SCHED_CHOSEN;
}

/*
 * Step I ran: keep what it touched and whether it yielded.  A step that
 * ended the schedule (an oops) disables every other action, so it
 * commutes with none: asleep, it would hide the runs in which the others
 * go first and it comes later, whose tasks finish differently.
 */
void
explore_ran(struct explore_trail *t, size_t i, const struct por_fp *fp,
    bool ended, bool yielded)
{
	struct explore_step *st = &t->step[i];

	por_fp_free(&st->fp);
	por_fp_copy(&st->fp, fp);
	st->fp.all = ended;
	st->fp_yielded = yielded;
}

/* Move to the next unexplored branch; false when the tree is done. */
bool
explore_backtrack(struct explore_trail *t)
{
	struct explore_step *st;
	long c;

	while (t->nstep > 0) {
		st = &t->step[t->nstep - 1];
		if (t->por)
			por_sleep_add(&st->done, st->en[st->choice], &st->fp);
		if ((c = next_choice(t, st, st->choice + 1)) >= 0) {
			st->choice = (size_t)c;
			return true;
		}
		pop_step(t);
	}
	return false;
}

/* Release the trail's steps; it is empty afterwards. */
void
explore_trail_free(struct explore_trail *t)
{
	while (t->nstep > 0)
		pop_step(t);
	free(t->step);
	t->step = NULL;
	t->cap = 0;
}

/* ST's explored actions precede its choice and are not asleep. */
static bool
done_before_choice(const struct explore_step *st)
{
	size_t k, c;

	for (k = 0; k < st->done.n; k++) {
		for (c = 0; c < st->choice; c++)
			if (st->en[c] == st->done.v[k].act)
				break;
		if (c == st->choice ||
		    por_sleep_has(&st->sleep, st->done.v[k].act))
			return false;
	}
	return true;
}

/* ST's sleep set is what PREV passes down. */
static bool
sleep_inherited(const struct explore_step *prev, const struct explore_step *st)
{
	struct por_sleep want;
	size_t k;
	bool same;

	memset(&want, 0, sizeof(want));
	por_sleep_inherit(&want, &prev->sleep, &prev->done, &prev->fp);
	same = want.n == st->sleep.n;
	for (k = 0; same && k < want.n; k++)
		same = want.v[k].act == st->sleep.v[k].act;
	por_sleep_free(&want);
	return same;
}

/* T's invariants (explore.h): 0, or -EINVAL with *WHY set. */
int
explore_trail_check(const struct explore_trail *t, const char **why)
{
	const struct explore_step *st, *prev;
	size_t i;
	int rc;

#define FAIL(msg)	do { *why = (msg); return -EINVAL; } while (0)
	if (t->nstep > t->cap || (t->nstep > 0 && t->step == NULL))
		FAIL("trail longer than its capacity");
	for (i = 0; i < t->nstep; i++) {
		st = &t->step[i];
		prev = i > 0 ? &t->step[i - 1] : NULL;
		if (st->nen == 0 || st->en == NULL || st->choice >= st->nen)
			FAIL("a step's choice is not an enabled action");
		if (st->yielded < -1 || st->yielded >= SCHED_MAX_ENTITIES)
			FAIL("a step's preemptable entity is out of range");
		if (st->preempts != (prev == NULL ? 0 : prev->preempts +
		    preempts(prev, prev->choice)))
			FAIL("a step's preemption count does not follow");
		if (st->yielded != (prev == NULL ? -1 : yielded_after(prev)))
			FAIL("a step's preemptable entity does not follow");
		if (t->bound >= 0 && st->preempts + preempts(st, st->choice) >
		    t->bound)
			FAIL("a choice over the preemption bound");
		if (por_sleep_has(&st->sleep, st->en[st->choice]))
			FAIL("an asleep action was chosen");
		if (!t->por && (st->sleep.n > 0 || st->done.n > 0))
			FAIL("sleep sets without the reduction");
		if (!done_before_choice(st))
			FAIL("an explored action is not an earlier sibling");
		if ((rc = por_sleep_check(&st->sleep, why)) < 0 ||
		    (rc = por_sleep_check(&st->done, why)) < 0 ||
		    (rc = por_fp_check(&st->fp, why)) < 0)
			return rc;
		if (t->por && prev != NULL && !sleep_inherited(prev, st))
			FAIL("a sleep set is not the one passed down");
	}
#undef FAIL
	return 0;
}

/* ---- sched_explore() ----------------------------------------------------- */

/* The explorer as the chooser of each run. */
struct explorer {
	struct explore_trail trail;
	bool		 check;		/* opts.check */
	const char	*broken;	/* the first broken invariant */
	bool		 cut;		/* this run was cut */
	/* The state cache (opts.states): */
	const struct sched_explore_opts *o;
	void		*arg;		/* the world's, for world_hash */
	struct sched	*s;		/* this run's */
	struct states	 seen;
	uint64_t	*hash;		/* the state after each trail step */
	bool		*hashed;	/*   if it could be hashed */
	size_t		 hcap;
	size_t		 fresh;		/* steps from here on are new */
	bool		 cached;	/* this run was cut by the cache */
	/* Shards (explore.h): */
	bool		 sharded;	/* opts.shard_n > 1 */
	size_t		 depth;		/* D, once the first run is over */
	uint64_t	 part;		/* this run's part number */
	bool		 owned;		/*   it is this shard's */
	bool		 settled;	/* the facts every shard wants are
					   known: other parts are cut */
	bool		 seen_completed; /* a run completed, not cut */
};

/*
 * May the state cache look at (and remember) the state before step STEP
 * of this run?  Not before the first completed schedule, so that the one
 * the scenario goes on from is the same with and without the cache and in
 * every shard; with shards, only inside this shard's own parts (at depth
 * D or below), whose subtrees this shard explores whole (explore.h).
 */
static bool
explorer_caches(const struct explorer *x, size_t step)
{
	if (!x->o->states || !x->seen_completed)
		return false;
	if (!x->sharded)
		return true;
	return x->owned && step >= x->depth;
}

/* The state after step STEP, hashed into X if it can be. */
static void
explorer_hash(struct explorer *x, size_t step, bool ended)
{
	bool sc, wc;
	uint64_t h;

	if (step >= x->hcap) {
		x->hcap = 2 * step + 64;
		x->hash = xreallocarray(x->hash, x->hcap, sizeof(*x->hash));
		x->hashed = xreallocarray(x->hashed, x->hcap,
		    sizeof(*x->hashed));
	}
	h = sched_state_hash(x->s, &sc);
	h = rng_fold(h, x->o->world_hash(x->arg, &wc));
	x->hash[step] = h;
	x->hashed[step] = sc && wc && !ended;
}

/*
 * Before a new step STEP: was the state it starts from explored before
 * with a sleep set that the one it has now contains (states.h)?  The
 * sleep set is the one explore_choose() would give the new step.
 */
static bool
explorer_seen(struct explorer *x, size_t step)
{
	const struct explore_step *prev = &x->trail.step[step - 1];
	struct por_sleep sl;
	uint64_t keys[64];
	size_t n = 0;
	bool known = true, cut;

	if (!x->hashed[step - 1])
		return false;
	memset(&sl, 0, sizeof(sl));
	if (x->trail.por)
		por_sleep_inherit(&sl, &prev->sleep, &prev->done, &prev->fp);
	for (size_t k = 0; k < sl.n && known; k++) {
		if (n == sizeof(keys) / sizeof(keys[0])) {
			known = false;
			break;
		}
		keys[n++] = sched_action_ident(x->s, sl.v[k].act, &known);
	}
	por_sleep_free(&sl);
	if (!known)
		return false;
	cut = states_visit(&x->seen, x->hash[step - 1], keys, n);
	return cut;
}

/* With opts.check, walk the trail; remember the first failure. */
static void
explorer_check(struct explorer *x)
{
	const char *why;

	if (x->check && x->broken == NULL &&
	    (explore_trail_check(&x->trail, &why) < 0 ||
	    states_check(&x->seen, &why) < 0))
		x->broken = why;
}

/* The chooser's choose(): the trail's, noting a cut run. */
static enum sched_choice
explorer_choose(void *arg, size_t step, const uint32_t *en, size_t nen,
    uint32_t *a)
{
	struct explorer *x = arg;
	enum sched_choice c;

	if (step > 0 && step == x->trail.nstep && explorer_caches(x, step) &&
	    explorer_seen(x, step)) {
		x->cut = x->cached = true;
		return SCHED_CUT;
	}
	/* Another shard's part, once the whole tree's facts are known. */
	if (x->sharded && x->settled && !x->owned && step >= x->depth &&
	    step == x->trail.nstep) {
		x->cut = true;
		return SCHED_CUT;
	}
	c = explore_choose(&x->trail, step, en, nen, a);
	x->cut = c == SCHED_CUT;
	explorer_check(x);
	return c;
}

/* The chooser's ran(). */
static void
explorer_ran(void *arg, size_t step, const struct por_fp *fp, bool ended,
    bool yielded)
{
	struct explorer *x = arg;

	explore_ran(&x->trail, step, fp, ended, yielded);
	if (x->o->states && step >= x->fresh)
		explorer_hash(x, step, ended);
	explorer_check(x);
}

/* Monotonic time in nanoseconds, for the progress callback. */
static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Count the finished schedule R into RES; false to stop exploring. */
static bool
tally(const struct sched_explore_opts *o, const struct sched_result *r,
    struct sched_explore_result *res)
{
	res->schedules++;
	switch (r->outcome) {
	case SCHED_DEADLOCK:
		res->deadlocks++;
		return !o->stop_at_deadlock;
	case SCHED_OOPS:
		if (res->oopses++ == 0)
			res->first_oops = *r;
		break;
	case SCHED_STEP_LIMIT:
		res->step_limits++;
		break;
	case SCHED_BAD_REPLAY:
		/* In a DFS: the world is not deterministic. */
		res->bad_replays++;
		return !o->explore;
	case SCHED_COMPLETED:
		break;
	}
	return true;
}

/* The sched_opts of run RUN under O. */
static struct sched_opts
run_opts(const struct sched_explore_opts *o, uint64_t run)
{
	struct sched_opts so;

	memset(&so, 0, sizeof(so));
	so.policy = o->explore ? SCHED_POLICY_FIFO : o->policy;
	so.seed = o->policy == SCHED_POLICY_RANDOM ? o->seed + run : o->seed;
	so.replay = o->replay;
	so.max_steps = o->max_steps;
	so.observe = o->observe;
	so.observe_arg = o->observe_arg;
	return so;
}

/*
 * After the first run: the shard depth D (explore.h), the first depth at
 * which the product of the choosable alternatives of the steps above it
 * reaches 8N; the whole run if it never does.
 */
static size_t
shard_depth(struct explorer *x, unsigned n)
{
	const struct explore_trail *t = &x->trail;
	uint64_t prod = 1, want = 8 * (uint64_t)n;
	size_t i, c, alt;

	for (i = 0; i < t->nstep; i++) {
		const struct explore_step *st = &t->step[i];

		for (c = 0, alt = 0; c < st->nen; c++)
			if (!por_sleep_has(&st->sleep, st->en[c]) &&
			    (t->bound < 0 || st->preempts + preempts(st, c) <=
			    t->bound))
				alt++;
		prod *= alt;
		if (prod >= want)
			return i + 1;
	}
	return t->nstep;
}

/*
 * Shards: after a run, are the whole tree's facts known yet (the first
 * completed schedule, and with shard_wait_deadlock the first deadlock)?
 * Once they are, the part being explored, if another shard's, is
 * abandoned at depth D.
 */
static void
shard_after(struct explorer *x, struct sched_explore_result *res)
{
	x->settled = x->seen_completed &&
	    (!x->o->shard_wait_deadlock || res->seen_deadlock);
	if (x->settled && !x->owned)
		while (x->trail.nstep > x->depth)
			pop_step(&x->trail);
}

/* Run the schedules of the world SETUP builds; see explore.h. */
void
sched_explore(const struct sched_explore_opts *o,
    struct sched *(*setup)(void *, const struct sched_opts *),
    bool (*visit)(void *, struct sched *, const struct sched_result *),
    void (*teardown)(void *, struct sched *), void *arg,
    struct sched_explore_result *res)
{
	struct explorer x;
	struct sched_chooser chooser;
	struct fiber_pool *pool;
	struct lockorder order;
	struct sched_result *r;
	struct sched_opts so;
	struct sched *s;
	uint64_t max, runs, run;
	double start, last, t;
	bool more = true, tree_done = false;

	memset(res, 0, sizeof(*res));
	memset(&x, 0, sizeof(x));
	memset(&order, 0, sizeof(order));
	pool = fiber_pool_new();
	r = xcalloc(1, sizeof(*r));
	max = o->max_schedules ? o->max_schedules : EXPLORE_DEFAULT_SCHEDULES;
	runs = o->explore ? UINT64_MAX : o->policy == SCHED_POLICY_RANDOM ?
	    (o->runs ? o->runs : 1) : 1;
	x.trail.bound = o->preemption_bound < 0 ? -1 : o->preemption_bound;
	x.trail.por = o->por && x.trail.bound < 0;
	x.check = o->check;
	x.o = o;
	x.arg = arg;
	x.sharded = o->explore && o->shard_n > 1 && o->shard_k >= 1 &&
	    o->shard_k <= o->shard_n;
	x.depth = SIZE_MAX;
	chooser = (struct sched_chooser){ .choose = explorer_choose,
	    .ran = explorer_ran, .arg = &x, .footprints = x.trail.por };
	start = last = now_ns();
	for (run = 0; more && run < runs; run++) {
		so = run_opts(o, run);
		if ((s = setup(arg, &so)) == NULL)
			break;
		sched_plug(s, o->explore ? &chooser : NULL, pool);
		x.cut = x.cached = false;
		x.s = s;
		/* The last prefix step takes a new choice: its state is new. */
		x.fresh = x.trail.nstep > 0 ? x.trail.nstep - 1 : 0;
		/* A new part when the choice changed above depth D. */
		if (run > 0 && x.trail.nstep <= x.depth)
			x.part++;
		x.owned = !x.sharded || x.part % o->shard_n == o->shard_k - 1;
		sched_run(s, r);
		r->foreign = !x.owned;
		if (x.owned)
			lockorder_merge(&order, sched_lockorder(s));
		/* Shards: the first deadlock of the whole tree if every
		 * shard wants it, else this shard's first. */
		if (!x.cut && r->outcome == SCHED_DEADLOCK &&
		    !res->seen_deadlock &&
		    (x.owned || o->shard_wait_deadlock)) {
			res->seen_deadlock = true;
			res->first_deadlock = *r;
		}
		if (!x.owned) {
			res->foreign++;
			if (r->outcome == SCHED_BAD_REPLAY && !x.cut) {
				res->bad_replays++;
				more = false;
			}
			if (!x.cut && visit != NULL && !visit(arg, s, r))
				more = false;
		} else if (x.cut) {
			res->pruned++;
			res->cached += x.cached;
		} else {
			more = tally(o, r, res);
			if (visit != NULL && !visit(arg, s, r))
				more = false;
		}
		if (!x.cut && r->outcome == SCHED_COMPLETED)
			x.seen_completed = true;
		if (x.sharded) {
			if (run == 0)
				x.depth = shard_depth(&x, o->shard_n);
			shard_after(&x, res);
		}
		if (teardown != NULL)
			teardown(arg, s);
		sched_free(s);
		if (more && o->explore && !explore_backtrack(&x.trail)) {
			tree_done = true;
			more = false;
		}
		explorer_check(&x);
		if (x.broken != NULL)
			more = false;
		if (res->schedules >= max)
			more = false;
		if (o->progress != NULL &&
		    (t = now_ns()) - last >= EXPLORE_PROGRESS_NS) {
			last = t;
			o->progress(o->progress_arg, res->schedules,
			    (double)res->schedules * 1e9 / (t - start));
		}
	}
	res->exhausted = tree_done && !x.trail.bound_cut;
	res->parts = x.sharded && run > 0 ? x.part + 1 : 0;
	res->broken = x.broken;
	res->states = x.seen.n;
	states_free(&x.seen);
	free(x.hash);
	free(x.hashed);
	explore_trail_free(&x.trail);
	fiber_pool_free(pool);
	lockorder_cycles(&order, &res->order);
	lockorder_free(&order);
	free(r);
}
