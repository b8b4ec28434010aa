/*
 * Unit tests for sim/explore: the trail of choices and sched_explore().
 *
 * The trail is driven first on its own, over synthetic worlds where
 * nothing runs but the choices (entities with programs of steps, each
 * step with a footprint; posted actions that fire once), with
 * explore_trail_check() after every operation: plain exploration must
 * run every interleaving exactly once (a multinomial count), and with
 * sleep sets it must reach every Mazurkiewicz trace (each object's
 * sequence of steps) that plain exploration reaches, in no more runs.
 * Then sched_explore() runs the toy worlds of sched_world.h, the trail
 * checked after every operation there too (sched_explore_opts.check);
 * the schedule counts asserted are worked out by hand in each test's
 * comment.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/explore.h"
#include "sim/rng.h"
#include "sim/states.h"
#include "sim/sched.h"
#include "sim/xmalloc.h"
#include "tests/unit/sched_world.h"

/* ---- the trail on synthetic worlds --------------------------------------- */

#define SYN_ENT		3	/* entities */
#define SYN_STEPS	2	/* steps per entity, at most */
#define SYN_POST	2	/* posted actions */
#define SYN_KEYS	3	/* objects footprints draw from */
#define SYN_RUNS	200000	/* more is a bug */

/* A synthetic world: what each step touches, as a bit mask of objects. */
struct syn {
	int		 nent, len[SYN_ENT];
	unsigned	 fp[SYN_ENT][SYN_STEPS];
	int		 npost;
	unsigned	 pfp[SYN_POST];
};

/* What exploring a synthetic world saw. */
struct syn_result {
	uint64_t	 complete, cut;
	uint64_t	*sig;		/* traces of complete runs, distinct */
	size_t		 nsig;
};

/* The footprint of objects MASK into FP (emptied first). */
static void
syn_fp(unsigned mask, struct por_fp *fp)
{
	int k;

	por_fp_reset(fp);
	for (k = 0; k < SYN_KEYS; k++)
		if (mask & (1u << k))
			por_fp_add(fp, por_key(POR_TOUCH, (uint64_t)k));
}

/* Add SIG to R's traces if new. */
static void
syn_trace(struct syn_result *r, uint64_t sig)
{
	size_t i;

	for (i = 0; i < r->nsig; i++)
		if (r->sig[i] == sig)
			return;
	r->sig = xreallocarray(r->sig, r->nsig + 1, sizeof(*r->sig));
	r->sig[r->nsig++] = sig;
}

/*
 * One run of W under trail T.  A run's trace is, for each object, the
 * sequence of steps that touched it: equivalent runs (independent steps
 * swapped) have the same.
 */
static void
syn_run(const struct syn *w, struct explore_trail *t, struct syn_result *r)
{
	int pc[SYN_ENT] = { 0 }, e, k;
	bool fired[SYN_POST] = { false };
	uint64_t hist[SYN_KEYS] = { 0 }, sig, id;
	uint32_t en[SYN_ENT + SYN_POST], a;
	struct por_fp fp;
	unsigned mask;
	size_t nen, step;

	memset(&fp, 0, sizeof(fp));
	for (step = 0;; step++) {
		nen = 0;
		for (e = 0; e < w->nent; e++)
			if (pc[e] < w->len[e])
				en[nen++] = (uint32_t)e;
		for (k = 0; k < w->npost; k++)
			if (!fired[k])
				en[nen++] = (uint32_t)(SCHED_MAX_ENTITIES + k);
		if (nen == 0)
			break;
		k = explore_choose(t, step, en, nen, &a);
		CHECK_PASSES(explore_trail_check, t);
		if (k == SCHED_CUT) {
			r->cut++;
			por_fp_free(&fp);
			return;
		}
		ck_assert_int_eq(k, SCHED_CHOSEN);
		if (sched_act_is_post(a)) {
			fired[a - SCHED_MAX_ENTITIES] = true;
			mask = w->pfp[a - SCHED_MAX_ENTITIES];
			id = (uint64_t)a << 8;
		} else {
			mask = w->fp[a][pc[a]++];
			id = (uint64_t)a << 8 | (uint64_t)pc[a];
		}
		for (k = 0; k < SYN_KEYS; k++)
			if (mask & (1u << k))
				hist[k] = rng_mix64(hist[k] ^ id);
		syn_fp(mask, &fp);
		explore_ran(t, step, &fp, false, !sched_act_is_post(a) &&
		    pc[a] < w->len[a]);
		CHECK_PASSES(explore_trail_check, t);
	}
	sig = 0;
	for (k = 0; k < SYN_KEYS; k++)
		sig = rng_mix64(sig ^ hist[k]);
	r->complete++;
	syn_trace(r, sig);
	por_fp_free(&fp);
}

/* Explore W, with sleep sets if POR, under BOUND (< 0: none). */
static bool
syn_explore(const struct syn *w, bool por, int bound, struct syn_result *r)
{
	struct explore_trail t = { .por = por, .bound = bound };
	bool more = true;

	memset(r, 0, sizeof(*r));
	while (more && r->complete + r->cut < SYN_RUNS) {
		syn_run(w, &t, r);
		more = explore_backtrack(&t);
		CHECK_PASSES(explore_trail_check, &t);
	}
	ck_assert(!more);
	explore_trail_free(&t);
	return !t.bound_cut;
}

/* The interleavings of W: (sum of lengths)! / product of lengths!. */
static uint64_t
syn_interleavings(const struct syn *w)
{
	uint64_t n = 1;
	int e, i, total = 0;

	for (e = 0; e < w->nent + w->npost; e++) {
		int len = e < w->nent ? w->len[e] : 1;

		for (i = 1; i <= len; i++) {
			total++;
			n = n * (uint64_t)total / (uint64_t)i;
		}
	}
	return n;
}

/*
 * scenario: three entities of two steps touching nothing in common.
 * Plain exploration runs the 6!/(2!2!2!) = 90 interleavings; with no
 * preemption only the 3! orders of whole entities; sleep sets run one.
 */
START_TEST(test_trail_counts)
{
	struct syn w = { .nent = 3, .len = { 2, 2, 2 },
	    .fp = { { 1, 1 }, { 2, 2 }, { 4, 4 } } };
	struct syn_result r;

	ck_assert(syn_explore(&w, false, -1, &r));
	ck_assert_uint_eq(r.complete, 90);
	ck_assert_uint_eq(r.cut, 0);
	ck_assert_uint_eq(r.nsig, 1);
	free(r.sig);
	ck_assert(!syn_explore(&w, false, 0, &r));
	ck_assert_uint_eq(r.complete, 6);
	free(r.sig);
	ck_assert(syn_explore(&w, true, -1, &r));
	ck_assert_uint_eq(r.complete, 1);
	ck_assert_uint_eq(r.nsig, 1);
	free(r.sig);
}
END_TEST

/* A random synthetic world. */
static void
syn_random(struct rng *g, struct syn *w)
{
	int e, j;

	memset(w, 0, sizeof(*w));
	w->nent = 1 + (int)rng_below(g, SYN_ENT);
	for (e = 0; e < w->nent; e++) {
		w->len[e] = 1 + (int)rng_below(g, SYN_STEPS);
		for (j = 0; j < w->len[e]; j++)
			w->fp[e][j] = (unsigned)rng_below(g, 1u << SYN_KEYS);
	}
	w->npost = (int)rng_below(g, SYN_POST + 1);
	for (j = 0; j < w->npost; j++)
		w->pfp[j] = (unsigned)rng_below(g, 1u << SYN_KEYS);
}

/*
 * scenario: 300 random synthetic worlds.  Plain exploration runs each
 * interleaving once; sleep sets reach the same traces in no more complete
 * runs, and fewer over all the worlds.
 */
START_TEST(test_trail_differential)
{
	struct syn_result full, red;
	struct syn w;
	struct rng g;
	uint64_t seed, sum_full = 0, sum_red = 0;

	for (seed = 1; seed <= 300; seed++) {
		rng_seed(&g, seed);
		syn_random(&g, &w);
		ck_assert(syn_explore(&w, false, -1, &full));
		ck_assert_msg(full.complete == syn_interleavings(&w),
		    "seed %" PRIu64 ": %" PRIu64 " runs, %" PRIu64
		    " interleavings", seed, full.complete,
		    syn_interleavings(&w));
		ck_assert(syn_explore(&w, true, -1, &red));
		qsort(full.sig, full.nsig, sizeof(*full.sig), cmp_u64);
		qsort(red.sig, red.nsig, sizeof(*red.sig), cmp_u64);
		ck_assert_msg(full.nsig == red.nsig && memcmp(full.sig,
		    red.sig, full.nsig * sizeof(*full.sig)) == 0,
		    "seed %" PRIu64 ": sleep sets lose a trace", seed);
		ck_assert_msg(red.complete <= full.complete, "seed %" PRIu64,
		    seed);
		sum_full += full.complete;
		sum_red += red.complete;
		free(full.sig);
		free(red.sig);
	}
	ck_assert_uint_lt(sum_red, sum_full);
}
END_TEST

/*
 * scenario: inside the recorded prefix, a world that enables other
 * actions than last time is caught; past it, a step where every action
 * sleeps is cut.
 */
START_TEST(test_trail_diverged_and_cut)
{
	struct explore_trail t = { .por = true, .bound = -1 };
	static const uint32_t two[] = { 0, 1 }, one[] = { 0 };
	struct por_fp fp;
	uint32_t a;

	memset(&fp, 0, sizeof(fp));
	ck_assert_int_eq(explore_choose(&t, 0, two, 2, &a), SCHED_CHOSEN);
	ck_assert_uint_eq(a, 0);
	explore_ran(&t, 0, &fp, false, false);
	CHECK_PASSES(explore_trail_check, &t);
	ck_assert(explore_backtrack(&t));
	CHECK_PASSES(explore_trail_check, &t);
	ck_assert_int_eq(explore_choose(&t, 0, one, 1, &a), SCHED_DIVERGED);
	ck_assert_int_eq(explore_choose(&t, 0, two, 2, &a), SCHED_CHOSEN);
	ck_assert_uint_eq(a, 1);
	explore_ran(&t, 0, &fp, false, false);
	/* Entity 0 commutes with the empty step: it sleeps at step 1. */
	ck_assert_int_eq(explore_choose(&t, 1, one, 1, &a), SCHED_CUT);
	CHECK_PASSES(explore_trail_check, &t);
	ck_assert_uint_eq(t.nstep, 1);
	ck_assert(!explore_backtrack(&t));
	explore_trail_free(&t);
}
END_TEST

/* scenario: the checker notices a wrong preemption count, an asleep
 * choice and an explored action that is no earlier sibling. */
START_TEST(test_trail_check_catches)
{
	struct explore_trail t = { .por = true, .bound = -1 };
	static const uint32_t three[] = { 0, 1, 2 };
	struct por_fp fp;
	const char *why;
	uint32_t a;

	memset(&fp, 0, sizeof(fp));
	explore_choose(&t, 0, three, 3, &a);
	explore_ran(&t, 0, &fp, false, true);
	explore_choose(&t, 1, three, 3, &a);
	CHECK_PASSES(explore_trail_check, &t);
	t.step[1].preempts = 5;
	ck_assert_int_lt(explore_trail_check(&t, &why), 0);
	t.step[1].preempts = 0;
	CHECK_PASSES(explore_trail_check, &t);
	por_sleep_add(&t.step[1].sleep, t.step[1].en[t.step[1].choice], &fp);
	ck_assert_int_lt(explore_trail_check(&t, &why), 0);
	por_sleep_free(&t.step[1].sleep);
	CHECK_PASSES(explore_trail_check, &t);
	por_sleep_add(&t.step[1].done, 2, &fp);
	ck_assert_int_lt(explore_trail_check(&t, &why), 0);
	explore_trail_free(&t);
}
END_TEST

/* ---- sched_explore() on the toy worlds ----------------------------------- */

/*
 * scenario: exhaustive AB-BA.  The tree (T1/T2 = one step of that task):
 *   T1 T1 T2 T2 completes;  T1 T2 T1 T2 and T1 T2 T2 T1 deadlock;
 *   T2 T1 T1 T2 and T2 T1 T2 T1 deadlock;  T2 T2 T1 T1 completes:
 * 6 schedules, 4 deadlocks, and the first deadlock is T1,T2,T1,T2.
 */
START_TEST(test_explore_abba)
{
	struct sched_explore_opts o = eopts();
	struct sched_explore_result res;
	struct harness h = { .sp = &world_abba };
	const struct sched_result *d = &res.first_deadlock;

	explore(&h, &o, &res);
	ck_assert_uint_eq(res.schedules, 6);
	ck_assert_uint_eq(res.deadlocks, 4);
	ck_assert_uint_eq(res.oopses, 0);
	ck_assert_uint_eq(res.pruned, 0);
	ck_assert(res.exhausted);
	ck_assert_int_eq(d->outcome, SCHED_DEADLOCK);
	ck_assert_str_eq(d->schedule, "T1,T2,T1,T2");
	ck_assert_str_eq(d->cycle, "task 1 -> task 2 -> task 1");
	ck_assert_str_eq(d->ent[0].holds, "A");
	ck_assert_str_eq(d->ent[0].waits, "B (held by task 2)");
	ck_assert_str_eq(d->ent[1].holds, "B");
	ck_assert_str_eq(d->ent[1].waits, "A (held by task 1)");
	ck_assert_int_eq(d->ent[0].state, SCHED_BLOCKED);
	ck_assert_int_eq(res.order.ncycles, 1);
	ck_assert_str_eq(res.order.cycles[0], "A -> B -> A");
}
END_TEST

/* scenario: stop_at_deadlock stops after the second schedule. */
START_TEST(test_stop_at_deadlock)
{
	struct sched_explore_opts o = eopts();
	struct sched_explore_result res;
	struct harness h = { .sp = &world_abba };

	o.stop_at_deadlock = true;
	explore(&h, &o, &res);
	ck_assert_uint_eq(res.schedules, 2);
	ck_assert_uint_eq(res.deadlocks, 1);
	ck_assert(!res.exhausted);
	o = eopts();
	o.max_schedules = 3;
	explore(&h, &o, &res);
	ck_assert_uint_eq(res.schedules, 3);
	ck_assert(!res.exhausted);
}
END_TEST

/*
 * scenario: a preemption is a choice that passes over the task that just
 * yielded.  In AB-BA, bound 0 leaves T1 T1 T2 T2 and T2 T2 T1 T1; bound 1
 * adds T1 T2 T2 T1 and T2 T1 T1 T2 (both deadlock).
 */
START_TEST(test_preemption_bound_abba)
{
	static const struct { int bound; uint64_t n, dl; bool ex; } t[] = {
		{ 0, 2, 0, false }, { 1, 4, 2, false }, { 2, 6, 4, true },
	};
	struct sched_explore_opts o;
	struct sched_explore_result res;
	struct harness h = { .sp = &world_abba };
	size_t i;

	for (i = 0; i < NELEM(t); i++) {
		o = eopts();
		o.preemption_bound = t[i].bound;
		explore(&h, &o, &res);
		ck_assert_msg(res.schedules == t[i].n && res.deadlocks ==
		    t[i].dl && res.exhausted == t[i].ex, "bound %d: %" PRIu64
		    " schedules, %" PRIu64 " deadlocks, exhausted %d",
		    t[i].bound, res.schedules, res.deadlocks, res.exhausted);
	}
}
END_TEST

/*
 * scenario: exact counts on tiny worlds.  Two tasks of two steps each
 * (run to the yield, run to the end): C(4,2) = 6 interleavings; with no
 * preemption 2 (T1 T1 T2 T2, T2 T2 T1 T1), with at most one 4.  Task 1's
 * chain (post and block, fire, finish) against task 2's two steps:
 * C(5,2) = 10.  Between task 2's yield and its last step, each step of
 * task 1 preempts it, and so does the firing, after which task 2 is
 * still the one preempted: bound 0 keeps task 2's steps adjacent, 4 ways;
 * bound 1 loses only T1 T2 D1 T1 T2 (2 preemptions); bound 2 cuts
 * nothing, so that run is exhausted.
 */
START_TEST(test_exhaustive_counts)
{
	static const struct {
		const struct spec *sp;
		int bound;
		uint64_t n;
		bool ex;
	} t[] = {
		{ &world_yields, -1, 6, true }, { &world_yields, 0, 2, false },
		{ &world_yields, 1, 4, false }, { &world_yields, 2, 6, true },
		{ &world_posted, -1, 10, true }, { &world_posted, 0, 4, false },
		{ &world_posted, 1, 9, false }, { &world_posted, 2, 10, true },
	};
	struct sched_explore_opts o;
	struct sched_explore_result res;
	struct harness h;
	size_t i;

	for (i = 0; i < NELEM(t); i++) {
		memset(&h, 0, sizeof(h));
		h.sp = t[i].sp;
		o = eopts();
		o.preemption_bound = t[i].bound;
		explore(&h, &o, &res);
		ck_assert_msg(res.schedules == t[i].n && res.exhausted ==
		    t[i].ex, "case %zu: %" PRIu64 " schedules, exhausted %d",
		    i, res.schedules, res.exhausted);
		ck_assert_uint_eq(res.deadlocks, 0);
	}
}
END_TEST

/* scenario: three tasks in a ring of locks. */
START_TEST(test_three_party)
{
	static const struct spec ring = {
		.nlock = 3, .lname = { "A", "B", "C" },
		.ntask = 3,
		.task = {
			{ { ACQ, 0 }, { YIELD, 0 }, { ACQ, 1 }, { REL, 1 },
			  { REL, 0 } },
			{ { ACQ, 1 }, { YIELD, 0 }, { ACQ, 2 }, { REL, 2 },
			  { REL, 1 } },
			{ { ACQ, 2 }, { YIELD, 0 }, { ACQ, 0 }, { REL, 0 },
			  { REL, 2 } },
		},
	};
	struct sched_explore_opts o = eopts();
	struct sched_explore_result res;
	struct harness h = { .sp = &ring };
	const struct sched_result *d = &res.first_deadlock;

	explore(&h, &o, &res);
	ck_assert(res.exhausted);
	ck_assert_uint_gt(res.deadlocks, 0);
	ck_assert_uint_lt(res.deadlocks, res.schedules);
	ck_assert_str_eq(d->cycle, "task 1 -> task 2 -> task 3 -> task 1");
	ck_assert_str_eq(d->ent[2].holds, "C");
	ck_assert_str_eq(d->ent[2].waits, "A (held by task 1)");
	ck_assert_int_eq(res.order.ncycles, 1);
	ck_assert_str_eq(res.order.cycles[0], "A -> B -> C -> A");
}
END_TEST

/*
 * scenario: the device may complete bios in any order.  Task 1's item
 * logs 1, task 2's logs 2; fifo fires D1 first, so it logs 1 then 2;
 * exploration finds D2 before D1, and the string replays it.
 */
START_TEST(test_explore_finds_what_fifo_misses)
{
	static const struct spec order = {
		.nev = 2, .ename = { "E1", "E2" }, .evia = { 1, 1 },
		.nq = 1, .qname = { "end-io" },
		.ntask = 2,
		.task = {
			{ { POST, 0 }, { WAIT, 0 } },
			{ { POST, 1 }, { WAIT, 1 } },
		},
		.nworker = 1, .wq = { 0 }, .wname = { "end-io worker 1" },
		.item = {
			{ .q = 0, .ops = { { LOG, 1 }, { SIGNAL, 0 } } },
			{ .q = 0, .ops = { { LOG, 2 }, { SIGNAL, 1 } } },
		},
		.action = {
			{ .name = "bio 1", .nitems = 1, .items = { 0 } },
			{ .name = "bio 2", .nitems = 1, .items = { 1 } },
		},
	};
	struct sched_explore_opts o = { .policy = SCHED_POLICY_FIFO };
	struct sched_explore_result res;
	struct harness h = { .sp = &order, .stop_on_log21 = true };
	struct sched_opts ro = { .policy = SCHED_POLICY_REPLAY };
	struct sched_result r;
	struct world *w;

	explore(&h, &o, &res);
	ck_assert_str_eq(h.found, "");
	o = eopts();
	explore(&h, &o, &res);
	ck_assert_str_ne(h.found, "");
	ck_assert(!res.exhausted);
	ro.replay = h.found;
	w = world_new(&order, &ro);
	sched_run(w->s, &r);
	ck_assert_int_eq(r.outcome, SCHED_COMPLETED);
	ck_assert_int_eq(w->nlog, 2);
	ck_assert_int_eq(w->log[0], 2);
	ck_assert_int_eq(w->log[1], 1);
	world_free(w);
}
END_TEST

/*
 * scenario: the progress callback comes about every 0.25 s: a world with
 * 12!/(3!^4) = 369600 interleavings runs until the first call.
 */
START_TEST(test_progress)
{
	static const struct spec big = {
		.ntask = 4,
		.task = {
			{ { YIELD, 0 }, { YIELD, 0 } },
			{ { YIELD, 0 }, { YIELD, 0 } },
			{ { YIELD, 0 }, { YIELD, 0 } },
			{ { YIELD, 0 }, { YIELD, 0 } },
		},
	};
	struct sched_explore_opts o = eopts();
	struct sched_explore_result res;
	struct harness h = { .sp = &big };

	o.progress = h_progress;
	o.progress_arg = &h;
	o.max_schedules = 1000000;
	explore(&h, &o, &res);
	ck_assert(h.progressed);
	ck_assert_uint_gt(h.progress_done, 0);
	ck_assert(h.progress_rate > 0);
	ck_assert_uint_ge(res.schedules, h.progress_done);
	ck_assert_uint_lt(res.schedules, 369600);
	ck_assert(!res.exhausted);
}
END_TEST

/*
 * scenario: a setup that builds another world the second time (three
 * tasks instead of two): the explorer notices at the first step it
 * replays and stops.
 */
START_TEST(test_nondeterministic_world)
{
	static const struct spec three = {
		.ntask = 3,
		.task = { { { YIELD, 0 } }, { { YIELD, 0 } },
		    { { YIELD, 0 } } },
	};
	struct sched_explore_opts o = eopts();
	struct sched_explore_result res;
	struct harness h = { .sp = &world_yields, .alt = &three };

	explore(&h, &o, &res);
	ck_assert_uint_eq(res.schedules, 2);
	ck_assert_uint_eq(res.bad_replays, 1);
	ck_assert(!res.exhausted);
}
END_TEST

/* Test cases: the trail alone, then sched_explore() on toy worlds. */
/* ---- the state cache (states.h) against a list of sets -------------- */

#define REF_STATES	40
#define REF_ACTS	6

/* The reference: per state (a small number), seen or not and its set of
 * actions as a bit mask. */
struct ref_states {
	bool		 seen[REF_STATES];
	unsigned	 set[REF_STATES];
};

/* The reference's answer to a visit with the set MASK. */
static bool
ref_visit(struct ref_states *r, int st, unsigned mask)
{
	if (!r->seen[st]) {
		r->seen[st] = true;
		r->set[st] = mask;
		return false;
	}
	if ((r->set[st] & ~mask) == 0)
		return true;
	r->set[st] &= mask;
	return false;
}

/*
 * scenario: random visits (states from a small universe, so that most
 * repeat; sleep sets as random subsets of a few actions, given in any
 * order with repeats) answer as the reference does, states_check() after
 * each; hashes of states spread apart so that probing and growth run.
 */
START_TEST(test_states_reference)
{
	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct ref_states ref;
		struct states c;
		struct rng g;
		const char *why = "";

		memset(&ref, 0, sizeof(ref));
		states_init(&c);
		rng_seed(&g, seed);
		for (int op = 0; op < 3000; op++) {
			int st = (int)rng_below(&g, REF_STATES);
			unsigned mask = 0;
			uint64_t keys[2 * REF_ACTS];
			size_t n = 0;

			for (int a = 0; a < REF_ACTS; a++)
				if (rng_below(&g, 3) == 0) {
					mask |= 1u << a;
					keys[n++] = rng_mix64((uint64_t)a + 7);
					if (rng_below(&g, 4) == 0) {
						keys[n] = keys[n - 1];
						n++;
					}
				}
			for (size_t i = n; i > 1; i--) {
				size_t j = (size_t)rng_below(&g, i);
				uint64_t t = keys[i - 1];

				keys[i - 1] = keys[j];
				keys[j] = t;
			}
			ck_assert_int_eq(states_visit(&c, (uint64_t)st * 0x10001ULL,
			    keys, n), ref_visit(&ref, st, mask));
			ck_assert_msg(states_check(&c, &why) == 0,
			    "seed %" PRIu64 " op %d: %s", seed, op, why);
		}
		states_free(&c);
	}
}
END_TEST

/* Self-test: states_check() notices an unsorted set and a wrong count. */
START_TEST(test_states_check_catches)
{
	struct states c;
	uint64_t keys[2] = { 5, 9 };
	const char *why = "";
	size_t i;

	states_init(&c);
	ck_assert(!states_visit(&c, 42, keys, 2));
	ck_assert_int_eq(states_check(&c, &why), 0);
	for (i = 0; c.slot[i].hash == 0; i++)
		;
	c.slot[i].sleep[0] = 10;
	ck_assert_int_ne(states_check(&c, &why), 0);
	c.slot[i].sleep[0] = 5;
	c.n++;
	ck_assert_int_ne(states_check(&c, &why), 0);
	c.n--;
	ck_assert_int_eq(states_check(&c, &why), 0);
	states_free(&c);
}
END_TEST

static Suite *
explore_suite(void)
{
	Suite *s = suite_create("explore");
	TCase *tc;

	tc = tcase_create("trail");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_trail_counts);
	tcase_add_test(tc, test_trail_differential);
	tcase_add_test(tc, test_trail_diverged_and_cut);
	tcase_add_test(tc, test_trail_check_catches);
	suite_add_tcase(s, tc);

	tc = tcase_create("states");
	tcase_add_test(tc, test_states_reference);
	tcase_add_test(tc, test_states_check_catches);
	suite_add_tcase(s, tc);

	tc = tcase_create("explore");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_explore_abba);
	tcase_add_test(tc, test_stop_at_deadlock);
	tcase_add_test(tc, test_preemption_bound_abba);
	tcase_add_test(tc, test_exhaustive_counts);
	tcase_add_test(tc, test_three_party);
	tcase_add_test(tc, test_explore_finds_what_fifo_misses);
	tcase_add_test(tc, test_progress);
	tcase_add_test(tc, test_nondeterministic_world);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(explore_suite)
