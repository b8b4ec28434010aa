/*
 * Unit tests for sim/sched (the runtime), sim/replay (schedule strings)
 * and sim/deadlock (the reports of a stuck world), on the toy worlds of
 * sched_world.h: single runs under each policy, the oopses the runtime
 * raises, the deadlock reports and their wait-for cycles, replayed
 * strings, and the observer hook.  sched_check() runs after every
 * operation.  The schedule counts asserted below are worked out by hand
 * in each test's comment.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/rng.h"
#include "sim/sched.h"
#include "sim/xmalloc.h"
#include "tests/unit/sched_world.h"

/*
 * scenario: AB-BA under fifo.  Task 1 runs alone to its end (after its
 * yield it is still the first runnable entity), then task 2: no deadlock.
 */
START_TEST(test_fifo_abba_completes)
{
	struct sched_result r;
	int i;

	run1(&world_abba, SCHED_POLICY_FIFO, NULL, 0, &r);
	ck_assert_int_eq(r.outcome, SCHED_COMPLETED);
	ck_assert_str_eq(r.schedule, "T1,T1,T2,T2");
	ck_assert_uint_eq(r.steps, 4);
	ck_assert(!r.truncated);
	ck_assert_int_eq(r.nent, 2);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(r.ent[i].state, SCHED_FINISHED);
		ck_assert_str_eq(r.ent[i].holds, "");
		ck_assert_str_eq(r.ent[i].waits, "");
	}
	ck_assert_str_eq(r.ent[1].name, "task 2");
	ck_assert_str_eq(r.cycle, "");
}
END_TEST

/*
 * scenario: the btrfs case in miniature.  Under fifo: T1 takes fs_mutex,
 * posts, waits; W1 finds the queue empty; D1 pushes X and Y; W1 pops X
 * and blocks on fs_mutex.  Every schedule deadlocks: T1 W1 D1 W1,
 * T1 D1 W1, W1 T1 D1 W1: 3.
 */
START_TEST(test_worker_deadlock)
{
	struct sched_explore_opts o = eopts();
	struct sched_explore_result res;
	struct sched_result r;
	struct harness h = { .sp = &world_mini };

	run1(&world_mini, SCHED_POLICY_FIFO, NULL, 0, &r);
	ck_assert_int_eq(r.outcome, SCHED_DEADLOCK);
	ck_assert_str_eq(r.schedule, "T1,W1,D1,W1");
	ck_assert_str_eq(r.cycle, "task 1 -> end-io worker 1 -> task 1");
	ck_assert_str_eq(r.ent[0].holds, "fs_mutex");
	ck_assert_str_eq(r.ent[0].waits, "metadata read (signalled through "
	    "end-io, whose worker is busy)");
	ck_assert_str_eq(r.ent[1].name, "end-io worker 1");
	ck_assert_int_eq(r.ent[1].role, SCHED_WORKER);
	ck_assert_str_eq(r.ent[1].holds, "processing an item of end-io");
	ck_assert_str_eq(r.ent[1].waits, "fs_mutex (held by task 1)");
	explore(&h, &o, &res);
	ck_assert_uint_eq(res.schedules, 3);
	ck_assert_uint_eq(res.deadlocks, 3);
	ck_assert(res.exhausted);
	ck_assert_int_eq(res.order.ncycles, 1);
	ck_assert_str_eq(res.order.cycles[0], "fs_mutex -> end-io -> fs_mutex");
}
END_TEST

/* scenario: the worker does not take fs_mutex: all 3 schedules complete,
 * and the order graph (fs_mutex -> end-io only) has no cycle.  (The
 * waiting worker's text is tested where a run deadlocks.) */
START_TEST(test_worker_no_deadlock)
{
	struct sched_explore_opts o = eopts();
	struct sched_explore_result res;
	struct sched_result r;
	struct harness h = { .sp = &world_mini_ok };

	run1(&world_mini_ok, SCHED_POLICY_FIFO, NULL, 0, &r);
	ck_assert_int_eq(r.outcome, SCHED_COMPLETED);
	ck_assert_str_eq(r.schedule, "T1,W1,D1,W1,T1");
	ck_assert_int_eq(r.ent[1].state, SCHED_BLOCKED);
	/* A completed run's reports carry no texts (sched.h). */
	ck_assert_str_eq(r.ent[1].waits, "");
	explore(&h, &o, &res);
	ck_assert_uint_eq(res.schedules, 3);
	ck_assert_uint_eq(res.deadlocks, 0);
	ck_assert(res.exhausted);
	ck_assert_int_eq(res.order.ncycles, 0);
}
END_TEST

/*
 * scenario: the historical two-task case is the fifo schedule's deadlock,
 * with task 2 and the worker in the cycle; task 1 waits behind the busy
 * worker.  The post-patch world never deadlocks.
 */
START_TEST(test_btrfs_case)
{
	struct sched_explore_opts o = eopts();
	struct sched_explore_result res;
	struct sched_result r;
	struct harness h = { .sp = &world_btrfs };

	run1(&world_btrfs, SCHED_POLICY_FIFO, NULL, 0, &r);
	ck_assert_int_eq(r.outcome, SCHED_DEADLOCK);
	ck_assert_str_eq(r.schedule, "T1,T2,W1,D1,W1,D2");
	ck_assert_str_eq(r.cycle, "task 2 -> end-io worker 1 -> task 2");
	ck_assert_str_eq(r.ent[0].holds, "");
	ck_assert_str_eq(r.ent[0].waits, "data read (signalled through "
	    "end-io, whose worker is busy)");
	ck_assert_str_eq(r.ent[1].holds, "fs_mutex");
	ck_assert_str_eq(r.ent[2].waits, "fs_mutex (held by task 2)");
	o.stop_at_deadlock = true;
	explore(&h, &o, &res);
	ck_assert_uint_eq(res.schedules, 1);
	ck_assert_str_eq(res.first_deadlock.schedule, r.schedule);
	o = eopts();
	explore(&h, &o, &res);
	ck_assert(res.exhausted);
	ck_assert_uint_gt(res.deadlocks, 0);
	ck_assert_uint_lt(res.deadlocks, res.schedules);
	h.sp = &world_btrfs_fixed;
	explore(&h, &o, &res);
	ck_assert(res.exhausted);
	ck_assert_uint_gt(res.schedules, 1);
	ck_assert_uint_eq(res.deadlocks, 0);
	ck_assert_int_eq(res.order.ncycles, 0);
}
END_TEST

/*
 * scenario: the second 2008 lock cycle, with a page lock (a bit
 * lock the completion releases): task 1 holds the page and waits for its
 * read; task 2 holds fs_mutex and waits for the page; the read's
 * completion takes fs_mutex.  Without the fs_mutex in the completion, the
 * page passes from task 1 to the worker's unlock to task 2.
 */
START_TEST(test_page_lock_cycle)
{
	static const struct spec page = {
		.nlock = 2, .lname = { "fs_mutex", "page a:0" },
		.lkind = { SCHED_MUTEX, SCHED_BITLOCK },
		.nev = 1, .ename = { "data read" }, .evia = { 1 },
		.nq = 1, .qname = { "end-io" },
		.ntask = 2,
		.task = {
			{ { ACQ, 1 }, { POST, 0 }, { WAIT, 0 } },
			{ { ACQ, 0 }, { YIELD, 0 }, { ACQ, 1 }, { REL, 1 },
			  { REL, 0 } },
		},
		.nworker = 1, .wq = { 0 }, .wname = { "end-io worker 1" },
		.item = { { .q = 0, .ops = { { ACQ, 0 }, { REL, 0 },
		    { REL, 1 }, { SIGNAL, 0 } } } },
		.action = { { .name = "data read", .nitems = 1,
		    .items = { 0 } } },
	};
	static const struct spec page_ok = {
		.nlock = 2, .lname = { "fs_mutex", "page a:0" },
		.lkind = { SCHED_MUTEX, SCHED_BITLOCK },
		.nev = 1, .ename = { "data read" }, .evia = { 1 },
		.nq = 1, .qname = { "end-io" },
		.ntask = 2,
		.task = {
			{ { ACQ, 1 }, { POST, 0 }, { WAIT, 0 } },
			{ { ACQ, 0 }, { YIELD, 0 }, { ACQ, 1 }, { REL, 1 },
			  { REL, 0 } },
		},
		.nworker = 1, .wq = { 0 }, .wname = { "end-io worker 1" },
		.item = { { .q = 0, .ops = { { REL, 1 }, { SIGNAL, 0 } } } },
		.action = { { .name = "data read", .nitems = 1,
		    .items = { 0 } } },
	};
	struct sched_explore_opts o = eopts();
	struct sched_explore_result res;
	struct sched_result r;
	struct harness h = { .sp = &page };

	run1(&page, SCHED_POLICY_FIFO, NULL, 0, &r);
	ck_assert_int_eq(r.outcome, SCHED_DEADLOCK);
	ck_assert_str_eq(r.cycle,
	    "task 1 -> end-io worker 1 -> task 2 -> task 1");
	ck_assert_str_eq(r.ent[1].waits, "page a:0 (held by task 1)");
	explore(&h, &o, &res);
	ck_assert_int_eq(res.order.ncycles, 1);
	ck_assert_str_eq(res.order.cycles[0],
	    "page a:0 -> end-io -> fs_mutex -> page a:0");
	h.sp = &page_ok;
	explore(&h, &o, &res);
	ck_assert(res.exhausted);
	ck_assert_uint_eq(res.deadlocks, 0);
	ck_assert_uint_eq(res.oopses, 0);
}
END_TEST

/*
 * scenario: quirk 1 with one worker, sequentially: the item being
 * processed waits for an event signalled through its own queue.  The
 * worker waits for itself; with two workers nothing deadlocks, but the
 * order checker still reports end-io -> end-io.
 */
START_TEST(test_worker_waits_on_itself)
{
	static const struct spec one = {
		.nev = 2, .ename = { "data read", "metadata read" },
		.evia = { 1, 1 },
		.nq = 1, .qname = { "end-io" },
		.ntask = 1,
		.task = { { { POST, 0 }, { WAIT, 0 } } },
		.nworker = 1, .wq = { 0 }, .wname = { "end-io worker 1" },
		.item = {
			{ .q = 0, .ops = { { POST, 1 }, { WAIT, 1 },
			    { SIGNAL, 0 } } },
			{ .q = 0, .ops = { { SIGNAL, 1 } } },
		},
		.action = {
			{ .name = "data read", .nitems = 1, .items = { 0 } },
			{ .name = "metadata read", .nitems = 1,
			  .items = { 1 } },
		},
	};
	struct spec two = one;
	struct sched_explore_opts o = eopts();
	struct sched_explore_result res;
	struct sched_result r;
	struct harness h = { .sp = &one };

	run1(&one, SCHED_POLICY_FIFO, NULL, 0, &r);
	ck_assert_int_eq(r.outcome, SCHED_DEADLOCK);
	ck_assert_str_eq(r.cycle, "end-io worker 1 -> end-io worker 1");
	ck_assert_str_eq(r.ent[1].waits, "metadata read (signalled through "
	    "end-io, whose worker is busy)");
	two.nworker = 2;
	two.wname[1] = "end-io worker 2";
	h.sp = &two;
	explore(&h, &o, &res);
	ck_assert(res.exhausted);
	ck_assert_uint_eq(res.deadlocks, 0);
	ck_assert_int_eq(res.order.ncycles, 1);
	ck_assert_str_eq(res.order.cycles[0], "end-io -> end-io");
}
END_TEST

/* One oops case: a task program, maybe an action, and the message. */
struct oops_case {
	struct op	task[MAXOPS];
	struct op	irq[MAXOPS];
	enum sched_outcome outcome;
	const char	*msg;
};

/*
 * scenario: anything that may sleep under a spinlock or in a callback is
 * an oops, even when it would not block (the event is already done, the
 * mutex free); spinlocks nest; a task may not return holding a mutex;
 * sched_oops() ends the schedule.
 */
START_TEST(test_oops)
{
	static const struct oops_case t[] = {
		{ { { ACQ, 0 }, { ACQ, 1 } }, { { END, 0 } }, SCHED_OOPS,
		  "sleeping in atomic context: task 1 in "
		  "mutex_lock(fs_mutex) while holding em_lock" },
		{ { { SIGNAL, 0 }, { ACQ, 0 }, { WAIT, 0 } }, { { END, 0 } },
		  SCHED_OOPS, "sleeping in atomic context: task 1 in "
		  "wait_for_completion(E) while holding em_lock" },
		{ { { ACQ, 0 }, { YIELD, 0 } }, { { END, 0 } }, SCHED_OOPS,
		  "sleeping in atomic context: task 1 in cond_resched() "
		  "while holding em_lock" },
		{ { { ACQ, 0 }, { ACQ, 2 }, { REL, 2 }, { REL, 0 } },
		  { { END, 0 } }, SCHED_COMPLETED, "" },
		{ { { POST, 0 } }, { { ACQ, 1 } }, SCHED_OOPS,
		  "sleeping in atomic context: mutex_lock(fs_mutex) in "
		  "interrupt context (irq)" },
		{ { { POST, 0 } }, { { ACQ, 0 }, { SIGNAL, 0 }, { REL, 0 } },
		  SCHED_COMPLETED, "" },
		{ { { POST, 0 } }, { { ACQ, 0 } }, SCHED_OOPS,
		  "lock held at the end of an interrupt: em_lock (irq)" },
		{ { { ACQ, 1 } }, { { END, 0 } }, SCHED_OOPS,
		  "lock held at exit: task 1 still holds fs_mutex" },
		{ { { REL, 1 } }, { { END, 0 } }, SCHED_OOPS,
		  "unlocking fs_mutex, which is not locked" },
		{ { { ACQ, 0 }, { ACQ, 0 } }, { { END, 0 } }, SCHED_OOPS,
		  "recursive locking: task 1 takes em_lock, which it holds" },
		{ { { ACQ, 1 }, { OOPS, 0 }, { REL, 1 } }, { { END, 0 } },
		  SCHED_OOPS, "BUG at toy.c:1" },
	};
	struct sched_explore_opts o = eopts();
	struct sched_explore_result res;
	struct sched_result r;
	struct spec sp;
	struct harness h = { .sp = &sp };
	size_t i;

	for (i = 0; i < NELEM(t); i++) {
		memset(&sp, 0, sizeof(sp));
		sp.nlock = 3;
		sp.lname[0] = "em_lock";
		sp.lkind[0] = SCHED_SPINLOCK;
		sp.lname[1] = "fs_mutex";
		sp.lname[2] = "em_lock 2";
		sp.lkind[2] = SCHED_SPINLOCK;
		sp.nev = 1;
		sp.ename[0] = "E";
		sp.ntask = 1;
		memcpy(sp.task[0], t[i].task, sizeof(t[i].task));
		sp.action[0].name = "irq";
		memcpy(sp.action[0].ops, t[i].irq, sizeof(t[i].irq));
		run1(&sp, SCHED_POLICY_FIFO, NULL, 0, &r);
		ck_assert_msg(r.outcome == t[i].outcome, "case %zu: outcome "
		    "%d", i, r.outcome);
		ck_assert_msg(strcmp(r.oops, t[i].msg) == 0,
		    "case %zu: \"%s\"", i, r.oops);
		explore(&h, &o, &res);
		ck_assert_uint_eq(res.oopses, t[i].outcome == SCHED_OOPS ?
		    res.schedules : 0);
		if (res.oopses > 0)
			ck_assert_str_eq(res.first_oops.oops, t[i].msg);
	}
	/* A mutex is dropped by its holder only. */
	memset(&sp, 0, sizeof(sp));
	sp.nlock = 1;
	sp.lname[0] = "fs_mutex";
	sp.ntask = 2;
	sp.task[0][0] = (struct op){ ACQ, 0 };
	sp.task[0][1] = (struct op){ YIELD, 0 };
	sp.task[0][2] = (struct op){ REL, 0 };
	sp.task[1][0] = (struct op){ REL, 0 };
	run1(&sp, SCHED_POLICY_REPLAY, "T1,T2", 0, &r);
	ck_assert_int_eq(r.outcome, SCHED_OOPS);
	ck_assert_str_eq(r.oops, "task 2 unlocks fs_mutex, held by task 1");
}
END_TEST

/* scenario: sched_self() outside a run, and entity ids. */
START_TEST(test_self_and_limits)
{
	struct sched *s;
	struct sched_lock l;
	struct sched_queue q;
	struct sched_result r;
	int i;

	ck_assert_int_eq(sched_self(NULL), -1);
	s = sched_new(NULL);
	ck_assert_int_eq(sched_self(s), -1);
	for (i = 0; i < SCHED_MAX_ENTITIES; i++)
		ck_assert_int_eq(sched_spawn(s, i % 2 ? SCHED_WORKER :
		    SCHED_TASK, "x", task_fn, NULL), i);
	ck_assert_int_eq(sched_spawn(s, SCHED_TASK, "x", task_fn, NULL), -1);
	check_sched(s);
	sched_free(s);
	sched_lock_init(NULL, &l, SCHED_MUTEX,
	    "a name much longer than thirty-one characters");
	ck_assert_int_eq(l.order_id, -1);
	ck_assert_int_eq(l.owner, -1);
	ck_assert_uint_eq(strlen(l.name), SCHED_NAME - 1);
	sched_queue_init(NULL, &q, "q");
	sched_push(NULL, &q, &l);
	sched_queue_free(&q);
	/* A world of no entity completes at once. */
	s = sched_new(NULL);
	sched_run(s, &r);
	ck_assert_int_eq(r.outcome, SCHED_COMPLETED);
	ck_assert_uint_eq(r.steps, 0);
	sched_free(s);
}
END_TEST

/* scenario: an entity that yields forever hits the step limit. */
static void
spin_fn(struct sched *s, void *arg)
{
	(void)arg;
	for (;;)
		sched_preempt_point(s);
}

START_TEST(test_step_limit)
{
	struct sched_opts o = { .max_steps = 600 };
	struct sched_result r;
	struct sched *s;

	s = sched_new(&o);
	sched_spawn(s, SCHED_TASK, "spinner", spin_fn, NULL);
	sched_run(s, &r);
	ck_assert_int_eq(r.outcome, SCHED_STEP_LIMIT);
	ck_assert_uint_eq(r.steps, 600);
	ck_assert(r.truncated);
	ck_assert_uint_lt(strlen(r.schedule), sizeof(r.schedule));
	ck_assert_int_eq(r.ent[0].state, SCHED_RUNNABLE);
	sched_free(s);
}
END_TEST

/*
 * scenario: a deadlocking schedule string replays to the same deadlock,
 * report and all; blanks around actions are accepted.
 */
START_TEST(test_replay)
{
	struct sched_explore_opts o = eopts();
	struct sched_explore_result res;
	struct harness h = { .sp = &world_abba };
	const struct sched_result *d = &res.first_deadlock;
	struct sched_result r;
	int i;

	o.stop_at_deadlock = true;
	explore(&h, &o, &res);
	ck_assert_uint_eq(res.deadlocks, 1);
	run1(&world_abba, SCHED_POLICY_REPLAY, d->schedule, 0, &r);
	ck_assert_int_eq(r.outcome, SCHED_DEADLOCK);
	ck_assert_str_eq(r.schedule, d->schedule);
	ck_assert_str_eq(r.cycle, d->cycle);
	ck_assert_uint_eq(r.steps, d->steps);
	ck_assert_int_eq(r.nent, d->nent);
	for (i = 0; i < r.nent; i++) {
		ck_assert_str_eq(r.ent[i].holds, d->ent[i].holds);
		ck_assert_str_eq(r.ent[i].waits, d->ent[i].waits);
		ck_assert_int_eq(r.ent[i].state, d->ent[i].state);
	}
	run1(&world_abba, SCHED_POLICY_REPLAY, " T1 , T2,T2,T1 ", 0, &r);
	ck_assert_int_eq(r.outcome, SCHED_DEADLOCK);
	ck_assert_str_eq(r.schedule, "T1,T2,T2,T1");
	run1(&world_abba, SCHED_POLICY_REPLAY, "T2,T2,T1,T1", 0, &r);
	ck_assert_int_eq(r.outcome, SCHED_COMPLETED);
	/* Metadata read first: the retry finds fs_mutex free later. */
	run1(&world_btrfs, SCHED_POLICY_REPLAY, "T1,T2,D2,W1,D1,T2,W1,T1", 0,
	    &r);
	ck_assert_int_eq(r.outcome, SCHED_COMPLETED);
	ck_assert_str_eq(r.schedule, "T1,T2,D2,W1,D1,T2,W1,T1");
}
END_TEST

/* scenario: strings that do not fit the world. */
START_TEST(test_bad_replay)
{
	static const struct { const char *str, *msg; } t[] = {
		{ "T1,T1,T1", "step 3: T1 cannot run (enabled: T2)" },
		{ "T3", "step 1: \"T3\" names no action of this world" },
		{ "D1", "step 1: \"D1\" names no action of this world" },
		{ "W1", "step 1: \"W1\" names no action of this world" },
		{ "X1", "step 1: \"X1\" is not an action (T<n>, W<n> or "
		  "D<n>)" },
		{ "T1,,T1", "step 2: \"\" is not an action (T<n>, W<n> or "
		  "D<n>)" },
		{ "T1 T1", "step 1: \"T1 T1\" is not an action (T<n>, W<n> "
		  "or D<n>)" },
		{ "T1,T1", "step 3: the schedule ends, but T2 can run" },
		{ "", "step 1: the schedule ends, but T1, T2 can run" },
		{ "T1,T1,T2,T2,T1", "the world ends after step 4, but the "
		  "schedule goes on" },
		{ "T1,T2,T1,T2,T1", "the world ends after step 4, but the "
		  "schedule goes on" },
	};
	struct sched_result r;
	size_t i;

	for (i = 0; i < NELEM(t); i++) {
		run1(&world_abba, SCHED_POLICY_REPLAY, t[i].str, 0, &r);
		ck_assert_msg(r.outcome == SCHED_BAD_REPLAY, "\"%s\": outcome "
		    "%d", t[i].str, r.outcome);
		ck_assert_msg(strcmp(r.oops, t[i].msg) == 0, "\"%s\": \"%s\"",
		    t[i].str, r.oops);
	}
	run1(&world_btrfs, SCHED_POLICY_REPLAY, "T1,T2,W1,D2,T2", 0, &r);
	ck_assert_int_eq(r.outcome, SCHED_BAD_REPLAY);
	ck_assert_str_eq(r.oops, "step 5: T2 cannot run (enabled: W1, D1)");
}
END_TEST

/* scenario: a random schedule is a function of its seed; seeds differ;
 * random runs find the AB-BA deadlock, the same way every time. */
START_TEST(test_random)
{
	struct sched_explore_opts o = { .policy = SCHED_POLICY_RANDOM,
	    .seed = 7, .runs = 64, .preemption_bound = -1 };
	struct sched_explore_result res, res2;
	struct harness h = { .sp = &world_btrfs };
	struct sched_result a, b;
	char first[1024];
	bool differ = false;
	uint64_t seed;

	for (seed = 1; seed <= 20; seed++) {
		run1(&world_btrfs, SCHED_POLICY_RANDOM, NULL, seed, &a);
		run1(&world_btrfs, SCHED_POLICY_RANDOM, NULL, seed, &b);
		ck_assert_str_eq(a.schedule, b.schedule);
		ck_assert_int_eq(a.outcome, b.outcome);
		if (seed == 1)
			snprintf(first, sizeof(first), "%s", a.schedule);
		else if (strcmp(first, a.schedule) != 0)
			differ = true;
		run1(&world_btrfs, SCHED_POLICY_REPLAY, a.schedule, 0, &b);
		ck_assert_int_eq(b.outcome, a.outcome);
	}
	ck_assert(differ);
	h.sp = &world_abba;
	explore(&h, &o, &res);
	explore(&h, &o, &res2);
	ck_assert_uint_eq(res.schedules, 64);
	ck_assert_uint_gt(res.deadlocks, 0);
	ck_assert_uint_lt(res.deadlocks, 64);
	ck_assert(!res.exhausted);
	ck_assert_uint_eq(res.deadlocks, res2.deadlocks);
	ck_assert_str_eq(res.first_deadlock.schedule,
	    res2.first_deadlock.schedule);
}
END_TEST

/* ---- the observer hook --------------------------------------------------- */

/* Observations as a compact log: a letter for the kind, the entity, the
 * object and, for steps, "@step". */
static void
obs_log(void *arg, const struct sched_obs *ob)
{
	static const char kind[] = {
		[SCHED_OBS_SPAWN] = 'S', [SCHED_OBS_STEP_BEGIN] = 'B',
		[SCHED_OBS_STEP_END] = 'E', [SCHED_OBS_FINISH] = 'F',
		[SCHED_OBS_HOLD_BEGIN] = 'H', [SCHED_OBS_HOLD_END] = 'h',
		[SCHED_OBS_WAIT_BEGIN] = 'W', [SCHED_OBS_WAIT_END] = 'w',
		[SCHED_OBS_FIRE] = 'D',
	};
	char *buf = arg;
	size_t n = strlen(buf);

	snprintf(buf + n, 1024 - n, "%s%c%d%s%s@%zu", n ? " " : "",
	    kind[ob->kind], ob->ent, ob->obj ? ":" : "",
	    ob->obj ? ob->obj : "", ob->step);
}

/* One run of SP replaying STR with the logging observer into LOG. */
static void
run_observed(const struct spec *sp, const char *str, char *log,
    struct sched_result *res)
{
	struct sched_opts o = { .policy = SCHED_POLICY_REPLAY, .replay = str,
	    .observe = obs_log, .observe_arg = log };
	struct world *w;

	log[0] = '\0';
	w = world_new(sp, &o);
	sched_run(w->s, res);
	check_sched(w->s);
	world_free(w);
}

/*
 * scenario: the observer sees AB-BA deadlock as spawns, run steps, holds
 * and waits, in order, each in the step it happened; the deadlocked waits
 * and their holds stay open.  The fifo schedule closes everything and
 * both tasks finish.  Observing changes nothing in the result.
 */
START_TEST(test_observer_abba)
{
	struct sched_result r, plain;
	char log[1024];

	run_observed(&world_abba, "T1,T2,T1,T2", log, &r);
	ck_assert_int_eq(r.outcome, SCHED_DEADLOCK);
	ck_assert_str_eq(log, "S0@0 S1@0 B0@0 H0:A@0 E0@0 B1@1 H1:B@1 E1@1 "
	    "B0@2 W0:B@2 E0@2 B1@3 W1:A@3 E1@3");
	run1(&world_abba, SCHED_POLICY_REPLAY, "T1,T2,T1,T2", 0, &plain);
	ck_assert_str_eq(plain.schedule, r.schedule);
	ck_assert_str_eq(plain.cycle, r.cycle);

	run_observed(&world_abba, "T1,T1,T2,T2", log, &r);
	ck_assert_int_eq(r.outcome, SCHED_COMPLETED);
	ck_assert_str_eq(log, "S0@0 S1@0 B0@0 H0:A@0 E0@0 B0@1 H0:B@1 "
	    "h0:B@1 h0:A@1 F0@1 E0@1 B1@2 H1:B@2 E1@2 B1@3 H1:A@3 h1:A@3 "
	    "h1:B@3 F1@3 E1@3");
}
END_TEST

/*
 * scenario: the 2008 deadlock observed: posted actions fire as D<n>, a
 * worker holds its queue while processing an item and waits for work
 * on it when idle; waits on events name the event.
 */
START_TEST(test_observer_btrfs)
{
	struct sched_result r;
	char log[1024];

	run_observed(&world_btrfs, "T1,T2,W1,D1,W1,D2", log, &r);
	ck_assert_int_eq(r.outcome, SCHED_DEADLOCK);
	ck_assert_msg(strstr(log, "D1@3") != NULL, "%s", log);
	ck_assert_msg(strstr(log, "D2@5") != NULL, "%s", log);
	ck_assert_msg(strstr(log, "W2:end-io@2") != NULL, "%s", log);
	ck_assert_msg(strstr(log, "w2:end-io@4 H2:end-io@4 W2:fs_mutex@4")
	    != NULL, "%s", log);
	ck_assert_msg(strstr(log, "W0:data read@0") != NULL, "%s", log);
}
END_TEST

/* Test cases: single runs, replay, the observer. */
static Suite *
sched_suite(void)
{
	Suite *s = suite_create("sched");
	TCase *tc;

	tc = tcase_create("run");
	tcase_add_test(tc, test_fifo_abba_completes);
	tcase_add_test(tc, test_worker_deadlock);
	tcase_add_test(tc, test_worker_no_deadlock);
	tcase_add_test(tc, test_btrfs_case);
	tcase_add_test(tc, test_page_lock_cycle);
	tcase_add_test(tc, test_worker_waits_on_itself);
	tcase_add_test(tc, test_oops);
	tcase_add_test(tc, test_self_and_limits);
	tcase_add_test(tc, test_step_limit);
	suite_add_tcase(s, tc);

	tc = tcase_create("replay");
	tcase_add_test(tc, test_replay);
	tcase_add_test(tc, test_bad_replay);
	tcase_add_test(tc, test_random);
	suite_add_tcase(s, tc);

	tc = tcase_create("observe");
	tcase_add_test(tc, test_observer_abba);
	tcase_add_test(tc, test_observer_btrfs);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(sched_suite)
