/*
 * Unit tests for sim/sched: the deterministic scheduler, its deadlock
 * reports, the lock-order checker and the schedule explorer.
 *
 * Every test builds a toy world from a table (struct spec): locks, events,
 * queues, tasks that run little programs of operations (take, drop, yield,
 * wait, post, bump a shared counter), workers that pop items and run the
 * items' programs, and posted actions that push items or run a program in
 * interrupt context.  sched_check() runs after every operation.  The
 * schedule counts asserted below are worked out by hand in each test's
 * comment.  Partial-order reduction is checked against plain exhaustive
 * exploration on random worlds (fixed seeds, printed on failure): both
 * must reach the same set of final states; one world that shares memory
 * without declaring it proves the comparison catches a divergence.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/rng.h"
#include "sim/sched.h"
#include "sim/xmalloc.h"

#define MAXL	4	/* locks */
#define MAXE	6	/* events */
#define MAXQ	2	/* queues */
#define MAXT	4	/* tasks */
#define MAXW	2	/* workers */
#define MAXI	6	/* work items */
#define MAXA	6	/* posted actions */
#define MAXOPS	16

enum opk {
	END,		/* end of a program */
	ACQ,		/* sched_acquire(lock a) */
	REL,		/* sched_release(lock a) */
	YIELD,
	WAIT,		/* sched_wait(event a) */
	SIGNAL,		/* sched_signal(event a) */
	POST,		/* sched_post(action a) */
	BUMP,		/* v[a] = 3 * v[a] + self + 1: order-sensitive data */
	TOUCH,		/* sched_touch("v<a>") */
	LOG,		/* append a to the world's log */
	OOPS		/* sched_oops() */
};

struct op {
	enum opk	k;
	int		a;
};

struct item_spec {
	int		q;		/* queue it goes to */
	struct op	ops[MAXOPS];	/* what a worker does with it */
};

struct action_spec {
	const char	*name;
	int		nitems;
	int		items[4];	/* pushed in this order */
	struct op	ops[MAXOPS];	/* then run in interrupt context */
};

struct spec {
	int		nlock;
	const char	*lname[MAXL];
	enum sched_lock_kind lkind[MAXL];
	int		nev;
	const char	*ename[MAXE];
	int		evia[MAXE];	/* queue index + 1, 0 for none */
	int		nq;
	const char	*qname[MAXQ];
	int		ntask;
	struct op	task[MAXT][MAXOPS];
	int		nworker;
	int		wq[MAXW];	/* queue of each worker */
	const char	*wname[MAXW];
	struct item_spec item[MAXI];
	struct action_spec action[MAXA];
};

struct world;

struct ref {
	struct world	*w;
	int		 i;
};

struct world {
	const struct spec *sp;
	struct sched	*s;
	struct sched_lock lock[MAXL];
	struct sched_event ev[MAXE];
	struct sched_queue q[MAXQ];
	struct ref	 tref[MAXT], wref[MAXW], iref[MAXI], aref[MAXA];
	int		 pc[MAXT];	/* operations each task completed */
	uint64_t	 v[MAXL];	/* shared data */
	int		 log[32];
	int		 nlog;
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Hot paths (every operation of every schedule) test with CHECK_HOT: a
 * passing ck_assert() costs Check a message, and these run millions of
 * times.
 */
#define CHECK_HOT(cond, ...)	do {					\
	if (!(cond))							\
		ck_abort_msg(__VA_ARGS__);				\
} while (0)

/* sched_check() must pass. */
static void
check_sched(const struct sched *s)
{
	const char *why = NULL;

	CHECK_HOT(sched_check(s, &why) == 0, "sched_check: %s", why);
}

static void	fire(struct sched *, void *);

/* Run one operation as entity SELF (-1 in interrupt context). */
static void
run_op(struct world *w, int self, const struct op *op)
{
	struct sched *s = w->s;
	char name[16];

	switch (op->k) {
	case ACQ:
		sched_acquire(s, &w->lock[op->a]);
		break;
	case REL:
		sched_release(s, &w->lock[op->a]);
		break;
	case YIELD:
		sched_preempt_point(s);
		break;
	case WAIT:
		sched_wait(s, &w->ev[op->a]);
		break;
	case SIGNAL:
		sched_signal(s, &w->ev[op->a]);
		break;
	case POST:
		sched_post(s, w->sp->action[op->a].name, fire,
		    &w->aref[op->a]);
		break;
	case BUMP:
		w->v[op->a] = 3 * w->v[op->a] + (uint64_t)(self + 2);
		break;
	case TOUCH:
		snprintf(name, sizeof(name), "v%d", op->a);
		sched_touch(s, name);
		break;
	case LOG:
		CHECK_HOT(w->nlog < (int)NELEM(w->log), "log full");
		w->log[w->nlog++] = op->a;
		break;
	case OOPS:
		sched_oops(s, "BUG at toy.c:1");
		break;
	case END:
		break;
	}
	check_sched(s);
}

/* A task: run its program, counting the operations done. */
static void
task_fn(struct sched *s, void *arg)
{
	struct ref *r = arg;
	const struct op *op;

	CHECK_HOT(sched_self(s) == r->i, "sched_self is %d, not %d",
	    sched_self(s), r->i);
	for (op = r->w->sp->task[r->i]; op->k != END; op++) {
		run_op(r->w, r->i, op);
		r->w->pc[r->i]++;
	}
}

/* A worker: pop items of its queue and run their programs, forever. */
static void
worker_fn(struct sched *s, void *arg)
{
	struct ref *r = arg;
	struct world *w = r->w;
	struct sched_queue *q = &w->q[w->sp->wq[r->i]];
	const struct op *op;
	struct ref *it;

	for (;;) {
		it = sched_pop(s, q);
		check_sched(s);
		for (op = w->sp->item[it->i].ops; op->k != END; op++)
			run_op(w, sched_self(s), op);
		sched_done(s, q);
		check_sched(s);
	}
}

/* A posted action: push its items, then run its program as an interrupt. */
static void
fire(struct sched *s, void *arg)
{
	struct ref *r = arg;
	struct world *w = r->w;
	const struct action_spec *a = &w->sp->action[r->i];
	const struct op *op;
	int k;

	CHECK_HOT(sched_self(s) == -1, "sched_self in a callback");
	for (k = 0; k < a->nitems; k++) {
		sched_push(s, &w->q[w->sp->item[a->items[k]].q],
		    &w->iref[a->items[k]]);
		check_sched(s);
	}
	for (op = a->ops; op->k != END; op++)
		run_op(w, -1, op);
}

/* A fresh world for SP with a new sched; free with world_free(). */
static struct world *
world_new(const struct spec *sp, const struct sched_opts *opts)
{
	struct world *w;
	char name[32];
	int i;

	w = xcalloc(1, sizeof(*w));
	w->sp = sp;
	w->s = sched_new(opts);
	for (i = 0; i < sp->nq; i++)
		sched_queue_init(w->s, &w->q[i], sp->qname[i]);
	for (i = 0; i < sp->nlock; i++)
		sched_lock_init(w->s, &w->lock[i], sp->lkind[i], sp->lname[i]);
	for (i = 0; i < sp->nev; i++)
		sched_event_init(&w->ev[i], sp->ename[i],
		    sp->evia[i] ? &w->q[sp->evia[i] - 1] : NULL);
	for (i = 0; i < MAXI; i++)
		w->iref[i] = (struct ref){ w, i };
	for (i = 0; i < MAXA; i++)
		w->aref[i] = (struct ref){ w, i };
	for (i = 0; i < sp->ntask; i++) {
		w->tref[i] = (struct ref){ w, i };
		snprintf(name, sizeof(name), "task %d", i + 1);
		CHECK_HOT(sched_spawn(w->s, SCHED_TASK, name, task_fn,
		    &w->tref[i]) == i, "task id");
	}
	for (i = 0; i < sp->nworker; i++) {
		w->wref[i] = (struct ref){ w, i };
		CHECK_HOT(sched_spawn(w->s, SCHED_WORKER,
		    sp->wname[i] ? sp->wname[i] : "worker", worker_fn,
		    &w->wref[i]) == sp->ntask + i, "worker id");
	}
	check_sched(w->s);
	return w;
}

/* Free W and its sched. */
static void
world_free(struct world *w)
{
	int i;

	sched_free(w->s);
	for (i = 0; i < w->sp->nq; i++)
		sched_queue_free(&w->q[i]);
	free(w);
}

/* One run of SP under POLICY (REPLAY: string STR, RANDOM: seed SEED). */
static void
run1(const struct spec *sp, enum sched_policy policy, const char *str,
    uint64_t seed, struct sched_result *res)
{
	struct sched_opts o = { .policy = policy, .replay = str, .seed = seed };
	struct world *w;

	w = world_new(sp, &o);
	sched_run(w->s, res);
	check_sched(w->s);
	world_free(w);
}

/* ---- exploration harness ------------------------------------------------- */

struct harness {
	const struct spec *sp;
	const struct spec *alt;		/* if set, every other setup uses it */
	int		 nsetup;
	struct world	*w;
	uint64_t	*sig;		/* final-state signatures seen */
	size_t		 nsig;
	bool		 collect;
	bool		 stop_on_log21;	/* stop at a log of 2 then 1 */
	uint32_t	 finished;	/* bit m: a schedule ended with the
					   tasks of mask m finished */
	char		 found[1024];	/* that schedule */
	bool		 progressed;
	uint64_t	 progress_done;
	double		 progress_rate;
};

/* sched_explore() setup: a fresh world (alternating with h->alt). */
static struct sched *
h_setup(void *arg, const struct sched_opts *opts)
{
	struct harness *h = arg;

	h->w = world_new(h->alt != NULL && h->nsetup++ % 2 ? h->alt : h->sp,
	    opts);
	return h->w->s;
}

/* sched_explore() teardown: the world, not the sched. */
static void
h_teardown(void *arg, struct sched *s)
{
	struct harness *h = arg;
	int i;

	CHECK_HOT(s == h->w->s, "teardown of another sched");
	/* sched_explore frees the sched itself. */
	for (i = 0; i < h->w->sp->nq; i++)
		sched_queue_free(&h->w->q[i]);
	free(h->w);
	h->w = NULL;
}

/* Everything observable at the end of a schedule, hashed. */
static uint64_t
signature(const struct world *w, const struct sched_result *r)
{
	uint64_t x = rng_mix64((uint64_t)r->outcome + 1);
	int i;

	for (i = 0; i < w->sp->ntask; i++)
		x = rng_mix64(x ^ (uint64_t)w->pc[i]);
	for (i = 0; i < MAXL; i++)
		x = rng_mix64(x ^ w->v[i] ^ (uint64_t)(w->lock[i].owner + 7) <<
		    40);
	for (i = 0; i < w->sp->nev; i++)
		x = rng_mix64(x ^ (uint64_t)w->ev[i].done);
	for (i = 0; i < w->nlog; i++)
		x = rng_mix64(x ^ (uint64_t)w->log[i]);
	for (i = 0; i < r->nent; i++)
		x = rng_mix64(x ^ (uint64_t)r->ent[i].state);
	return x;
}

/* sched_explore() visit: collect signatures, stop when asked to. */
static bool
h_visit(void *arg, struct sched *s, const struct sched_result *r)
{
	struct harness *h = arg;
	uint64_t sig;
	size_t i;

	CHECK_HOT(s == h->w->s, "visit of another sched");
	check_sched(s);
	if (h->collect) {
		sig = signature(h->w, r);
		for (i = 0; i < h->nsig && h->sig[i] != sig; i++)
			;
		if (i == h->nsig) {
			h->sig = xreallocarray(h->sig, h->nsig + 1,
			    sizeof(*h->sig));
			h->sig[h->nsig++] = sig;
		}
	}
	if (h->stop_on_log21 && h->w->nlog >= 2 && h->w->log[0] == 2 &&
	    h->w->log[1] == 1) {
		snprintf(h->found, sizeof(h->found), "%s", r->schedule);
		return false;
	}
	if (h->progressed && h->progress_done > 0)
		return false;
	return true;
}

/* Progress callback: remember the last call. */
static void
h_progress(void *arg, uint64_t done, double rate)
{
	struct harness *h = arg;

	h->progressed = true;
	h->progress_done = done;
	h->progress_rate = rate;
}

/* sched_explore() over H's world; the world must be freed after. */
static void
explore(struct harness *h, const struct sched_explore_opts *o,
    struct sched_explore_result *res)
{
	sched_explore(o, h_setup, h_visit, h_teardown, h, res);
	ck_assert_ptr_null(h->w);
}

/* Plain exhaustive exploration options. */
static struct sched_explore_opts
eopts(void)
{
	return (struct sched_explore_opts){ .explore = true,
	    .preemption_bound = -1 };
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* ---- the worlds ---------------------------------------------------------- */

/* AB-BA: task 1 takes A then B, task 2 takes B then A. */
static const struct spec abba = {
	.nlock = 2, .lname = { "A", "B" },
	.ntask = 2,
	.task = {
		{ { ACQ, 0 }, { YIELD, 0 }, { ACQ, 1 }, { REL, 1 },
		  { REL, 0 } },
		{ { ACQ, 1 }, { YIELD, 0 }, { ACQ, 0 }, { REL, 0 },
		  { REL, 1 } },
	},
};

/*
 * The 2008 deadlock in miniature: the task holds fs_mutex and waits for
 * an event signalled through the end-io queue; one completion pushes
 * item X (which takes fs_mutex) then item Y (which signals the event).
 */
static const struct spec mini = {
	.nlock = 1, .lname = { "fs_mutex" },
	.nev = 1, .ename = { "metadata read" }, .evia = { 1 },
	.nq = 1, .qname = { "end-io" },
	.ntask = 1,
	.task = { { { ACQ, 0 }, { POST, 0 }, { WAIT, 0 }, { REL, 0 } } },
	.nworker = 1, .wq = { 0 }, .wname = { "end-io worker 1" },
	.item = {
		{ .q = 0, .ops = { { ACQ, 0 }, { REL, 0 } } },
		{ .q = 0, .ops = { { SIGNAL, 0 } } },
	},
	.action = { { .name = "completions", .nitems = 2, .items = { 0, 1 } } },
};

/* The same, but processing X does not take fs_mutex. */
static const struct spec mini_ok = {
	.nlock = 1, .lname = { "fs_mutex" },
	.nev = 1, .ename = { "metadata read" }, .evia = { 1 },
	.nq = 1, .qname = { "end-io" },
	.ntask = 1,
	.task = { { { ACQ, 0 }, { POST, 0 }, { WAIT, 0 }, { REL, 0 } } },
	.nworker = 1, .wq = { 0 }, .wname = { "end-io worker 1" },
	.item = {
		{ .q = 0, .ops = { { LOG, 1 } } },
		{ .q = 0, .ops = { { SIGNAL, 0 } } },
	},
	.action = { { .name = "completions", .nitems = 2, .items = { 0, 1 } } },
};

/*
 * The historical case, research/btrfs.md §3: task 1 reads a corrupted
 * page (data read D, whose completion retries through fs_mutex on the
 * worker); task 2 takes fs_mutex and waits for a metadata read M.
 */
static const struct spec btrfs = {
	.nlock = 1, .lname = { "fs_mutex" },
	.nev = 2, .ename = { "data read", "metadata read" }, .evia = { 1, 1 },
	.nq = 1, .qname = { "end-io" },
	.ntask = 2,
	.task = {
		{ { POST, 0 }, { WAIT, 0 } },
		{ { ACQ, 0 }, { POST, 1 }, { WAIT, 1 }, { REL, 0 } },
	},
	.nworker = 1, .wq = { 0 }, .wname = { "end-io worker 1" },
	.item = {
		{ .q = 0, .ops = { { ACQ, 0 }, { REL, 0 }, { SIGNAL, 0 } } },
		{ .q = 0, .ops = { { SIGNAL, 1 } } },
	},
	.action = {
		{ .name = "data read", .nitems = 1, .items = { 0 } },
		{ .name = "metadata read", .nitems = 1, .items = { 1 } },
	},
};

/* The post-patch retry: the cache lookup takes no fs_mutex. */
static const struct spec btrfs_fixed = {
	.nlock = 1, .lname = { "fs_mutex" },
	.nev = 2, .ename = { "data read", "metadata read" }, .evia = { 1, 1 },
	.nq = 1, .qname = { "end-io" },
	.ntask = 2,
	.task = {
		{ { POST, 0 }, { WAIT, 0 } },
		{ { ACQ, 0 }, { POST, 1 }, { WAIT, 1 }, { REL, 0 } },
	},
	.nworker = 1, .wq = { 0 }, .wname = { "end-io worker 1" },
	.item = {
		{ .q = 0, .ops = { { SIGNAL, 0 } } },
		{ .q = 0, .ops = { { SIGNAL, 1 } } },
	},
	.action = {
		{ .name = "data read", .nitems = 1, .items = { 0 } },
		{ .name = "metadata read", .nitems = 1, .items = { 1 } },
	},
};

/* Two tasks that each yield once, and nothing else. */
static const struct spec yields = {
	.ntask = 2,
	.task = { { { YIELD, 0 } }, { { YIELD, 0 } } },
};

/* Task 1 posts an action that signals its event and waits; task 2 yields. */
static const struct spec posted = {
	.nev = 1, .ename = { "E" },
	.ntask = 2,
	.task = { { { POST, 0 }, { WAIT, 0 } }, { { YIELD, 0 } } },
	.action = { { .name = "irq", .ops = { { SIGNAL, 0 } } } },
};

/* ---- tests --------------------------------------------------------------- */

/*
 * scenario: AB-BA under fifo.  Task 1 runs alone to its end (after its
 * yield it is still the first runnable entity), then task 2: no deadlock.
 */
START_TEST(test_fifo_abba_completes)
{
	struct sched_result r;
	int i;

	run1(&abba, SCHED_POLICY_FIFO, NULL, 0, &r);
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
 * scenario: the lock-order checker reports A -> B -> A from the single,
 * non-deadlocking fifo schedule.
 */
START_TEST(test_order_from_fifo)
{
	struct sched_explore_opts o = { .policy = SCHED_POLICY_FIFO,
	    .preemption_bound = -1 };
	struct sched_explore_result res;
	struct harness h = { .sp = &abba };

	explore(&h, &o, &res);
	ck_assert_uint_eq(res.schedules, 1);
	ck_assert_uint_eq(res.deadlocks, 0);
	ck_assert(!res.exhausted);
	ck_assert_int_eq(res.order.ncycles, 1);
	ck_assert_str_eq(res.order.cycles[0], "A -> B -> A");
	ck_assert(!res.order.more);
}
END_TEST

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
	struct harness h = { .sp = &abba };
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
	struct harness h = { .sp = &abba };

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
	struct harness h = { .sp = &abba };
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
		{ &yields, -1, 6, true }, { &yields, 0, 2, false },
		{ &yields, 1, 4, false }, { &yields, 2, 6, true },
		{ &posted, -1, 10, true }, { &posted, 0, 4, false },
		{ &posted, 1, 9, false }, { &posted, 2, 10, true },
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

/*
 * scenario: sleep sets.  The yields world has no shared object: one
 * schedule, and the two other orders of the first steps are cut.  In
 * AB-BA, T2 T1 ... is T1 T2 ... with its first two steps swapped (A and B
 * are disjoint), and after T1 T2 the two blocking steps (on B, on A)
 * commute too: T1 T1 T2 T2, T1 T2 T1 T2 (the deadlock) and T2 T2 T1 T1
 * stay, and T1 T2 T2 T1 is cut.
 */
START_TEST(test_por_counts)
{
	struct sched_explore_opts o = eopts();
	struct sched_explore_result res;
	struct harness h = { .sp = &yields };

	o.por = true;
	explore(&h, &o, &res);
	ck_assert_uint_eq(res.schedules, 1);
	ck_assert_uint_eq(res.pruned, 2);
	ck_assert(res.exhausted);
	h.sp = &posted;
	explore(&h, &o, &res);
	ck_assert_uint_eq(res.schedules, 1);
	ck_assert(res.exhausted);
	h.sp = &abba;
	explore(&h, &o, &res);
	ck_assert_uint_eq(res.schedules, 3);
	ck_assert_uint_eq(res.deadlocks, 1);
	ck_assert_uint_eq(res.pruned, 1);
	ck_assert(res.exhausted);
	ck_assert_str_eq(res.first_deadlock.cycle,
	    "task 1 -> task 2 -> task 1");
	ck_assert_int_eq(res.order.ncycles, 1);
	/* With a preemption bound the reduction is off. */
	o.preemption_bound = 2;
	explore(&h, &o, &res);
	ck_assert_uint_eq(res.schedules, 6);
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
	struct harness h = { .sp = &mini };

	run1(&mini, SCHED_POLICY_FIFO, NULL, 0, &r);
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
 * and the order graph (fs_mutex -> end-io only) has no cycle. */
START_TEST(test_worker_no_deadlock)
{
	struct sched_explore_opts o = eopts();
	struct sched_explore_result res;
	struct sched_result r;
	struct harness h = { .sp = &mini_ok };

	run1(&mini_ok, SCHED_POLICY_FIFO, NULL, 0, &r);
	ck_assert_int_eq(r.outcome, SCHED_COMPLETED);
	ck_assert_str_eq(r.schedule, "T1,W1,D1,W1,T1");
	ck_assert_int_eq(r.ent[1].state, SCHED_BLOCKED);
	ck_assert_str_eq(r.ent[1].waits, "work on end-io");
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
	struct harness h = { .sp = &btrfs };

	run1(&btrfs, SCHED_POLICY_FIFO, NULL, 0, &r);
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
	h.sp = &btrfs_fixed;
	explore(&h, &o, &res);
	ck_assert(res.exhausted);
	ck_assert_uint_gt(res.schedules, 1);
	ck_assert_uint_eq(res.deadlocks, 0);
	ck_assert_int_eq(res.order.ncycles, 0);
}
END_TEST

/*
 * scenario: lock cycle 2 of research/btrfs.md §3 with a page lock (a bit
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

/* scenario: several and overlapping cycles; a consistent order has none. */
START_TEST(test_order_cycles)
{
	static const struct spec two = {
		.nlock = 4, .lname = { "A", "B", "C", "D" },
		.ntask = 4,
		.task = {
			{ { ACQ, 0 }, { ACQ, 1 }, { REL, 1 }, { REL, 0 } },
			{ { ACQ, 1 }, { ACQ, 0 }, { REL, 0 }, { REL, 1 } },
			{ { ACQ, 2 }, { ACQ, 3 }, { REL, 3 }, { REL, 2 } },
			{ { ACQ, 3 }, { ACQ, 2 }, { REL, 2 }, { REL, 3 } },
		},
	};
	static const struct spec overlap = {
		.nlock = 3, .lname = { "A", "B", "C" },
		.ntask = 4,
		.task = {
			{ { ACQ, 0 }, { ACQ, 1 }, { REL, 1 }, { REL, 0 } },
			{ { ACQ, 1 }, { ACQ, 0 }, { REL, 0 }, { REL, 1 } },
			{ { ACQ, 1 }, { ACQ, 2 }, { REL, 2 }, { REL, 1 } },
			{ { ACQ, 2 }, { ACQ, 0 }, { REL, 0 }, { REL, 2 } },
		},
	};
	static const struct spec consistent = {
		.nlock = 3, .lname = { "A", "B", "C" },
		.ntask = 3,
		.task = {
			{ { ACQ, 0 }, { ACQ, 1 }, { REL, 1 }, { REL, 0 } },
			{ { ACQ, 1 }, { ACQ, 2 }, { REL, 1 }, { REL, 2 } },
			{ { ACQ, 0 }, { ACQ, 2 }, { REL, 0 }, { REL, 2 } },
		},
	};
	struct sched_explore_opts o = { .policy = SCHED_POLICY_FIFO };
	struct sched_explore_result res;
	struct harness h = { .sp = &two };

	explore(&h, &o, &res);
	ck_assert_uint_eq(res.deadlocks, 0);
	ck_assert_int_eq(res.order.ncycles, 2);
	ck_assert_str_eq(res.order.cycles[0], "A -> B -> A");
	ck_assert_str_eq(res.order.cycles[1], "C -> D -> C");
	h.sp = &overlap;
	explore(&h, &o, &res);
	ck_assert_int_eq(res.order.ncycles, 2);
	ck_assert_str_eq(res.order.cycles[0], "A -> B -> A");
	ck_assert_str_eq(res.order.cycles[1], "A -> B -> C -> A");
	h.sp = &consistent;
	explore(&h, &o, &res);
	ck_assert_int_eq(res.order.ncycles, 0);
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

/*
 * scenario: a deadlocking schedule string replays to the same deadlock,
 * report and all; blanks around actions are accepted.
 */
START_TEST(test_replay)
{
	struct sched_explore_opts o = eopts();
	struct sched_explore_result res;
	struct harness h = { .sp = &abba };
	const struct sched_result *d = &res.first_deadlock;
	struct sched_result r;
	int i;

	o.stop_at_deadlock = true;
	explore(&h, &o, &res);
	ck_assert_uint_eq(res.deadlocks, 1);
	run1(&abba, SCHED_POLICY_REPLAY, d->schedule, 0, &r);
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
	run1(&abba, SCHED_POLICY_REPLAY, " T1 , T2,T2,T1 ", 0, &r);
	ck_assert_int_eq(r.outcome, SCHED_DEADLOCK);
	ck_assert_str_eq(r.schedule, "T1,T2,T2,T1");
	run1(&abba, SCHED_POLICY_REPLAY, "T2,T2,T1,T1", 0, &r);
	ck_assert_int_eq(r.outcome, SCHED_COMPLETED);
	/* Metadata read first: the retry finds fs_mutex free later. */
	run1(&btrfs, SCHED_POLICY_REPLAY, "T1,T2,D2,W1,D1,T2,W1,T1", 0, &r);
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
		run1(&abba, SCHED_POLICY_REPLAY, t[i].str, 0, &r);
		ck_assert_msg(r.outcome == SCHED_BAD_REPLAY, "\"%s\": outcome "
		    "%d", t[i].str, r.outcome);
		ck_assert_msg(strcmp(r.oops, t[i].msg) == 0, "\"%s\": \"%s\"",
		    t[i].str, r.oops);
	}
	run1(&btrfs, SCHED_POLICY_REPLAY, "T1,T2,W1,D2,T2", 0, &r);
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
	struct harness h = { .sp = &btrfs };
	struct sched_result a, b;
	char first[1024];
	bool differ = false;
	uint64_t seed;

	for (seed = 1; seed <= 20; seed++) {
		run1(&btrfs, SCHED_POLICY_RANDOM, NULL, seed, &a);
		run1(&btrfs, SCHED_POLICY_RANDOM, NULL, seed, &b);
		ck_assert_str_eq(a.schedule, b.schedule);
		ck_assert_int_eq(a.outcome, b.outcome);
		if (seed == 1)
			snprintf(first, sizeof(first), "%s", a.schedule);
		else if (strcmp(first, a.schedule) != 0)
			differ = true;
		run1(&btrfs, SCHED_POLICY_REPLAY, a.schedule, 0, &b);
		ck_assert_int_eq(b.outcome, a.outcome);
	}
	ck_assert(differ);
	h.sp = &abba;
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

/* ---- partial-order reduction against plain exploration ------------------- */

/*
 * A random world: 2 tasks (3, with shorter programs, one time in three)
 * over 2 mutexes, with yields, bumps of the data each mutex guards, and
 * (per task, maybe) a completion through a worker whose item logs itself
 * (so the queue's order shows), maybe bumps under a mutex, and signals
 * the task.  Worlds with more than DIFF_MAX_SCHEDULES schedules are
 * skipped.
 */
static void
random_spec(struct rng *g, struct spec *sp)
{
	int t, n, k, held[2], nheld, i;
	struct op *p;
	bool waited;

	memset(sp, 0, sizeof(*sp));
	sp->nlock = 2;
	sp->lname[0] = "A";
	sp->lname[1] = "B";
	sp->nq = 1;
	sp->qname[0] = "end-io";
	sp->nworker = 1;
	sp->wname[0] = "worker";
	sp->ntask = 2 + (rng_below(g, 3) == 0);
	sp->nev = sp->ntask;
	for (t = 0; t < sp->ntask; t++) {
		sp->ename[t] = "done";
		sp->evia[t] = (int)rng_below(g, 2);
		k = (int)rng_below(g, 3);
		sp->item[t].q = 0;
		p = sp->item[t].ops;
		*p++ = (struct op){ LOG, t };
		if (k < 2) {
			*p++ = (struct op){ ACQ, k };
			*p++ = (struct op){ BUMP, k };
			*p++ = (struct op){ REL, k };
		}
		*p++ = (struct op){ SIGNAL, t };
		sp->action[t] = (struct action_spec){ .name = "bio",
		    .nitems = 1, .items = { t } };
		p = sp->task[t];
		nheld = 0;
		waited = false;
		n = sp->ntask == 2 ? 2 + (int)rng_below(g, 3) :
		    1 + (int)rng_below(g, 2);
		for (i = 0; i < n; i++) {
			switch (rng_below(g, 5)) {
			case 0:
				if (nheld < 2) {
					k = nheld == 1 ? 1 - held[0] :
					    (int)rng_below(g, 2);
					held[nheld++] = k;
					*p++ = (struct op){ ACQ, k };
				}
				break;
			case 1:
				if (nheld > 0)
					*p++ = (struct op){ REL,
					    held[--nheld] };
				break;
			case 2:
				*p++ = (struct op){ YIELD, 0 };
				break;
			case 3:
				if (nheld > 0)
					*p++ = (struct op){ BUMP,
					    held[rng_below(g,
					    (uint64_t)nheld)] };
				break;
			case 4:
				if (!waited) {
					*p++ = (struct op){ POST, t };
					*p++ = (struct op){ WAIT, t };
					waited = true;
				}
				break;
			}
		}
		while (nheld > 0)
			*p++ = (struct op){ REL, held[--nheld] };
	}
}

#define DIFF_MAX_SCHEDULES	500

/* The sorted final-state signatures of exploring SP; false if cut. */
static bool
final_states(const struct spec *sp, bool por, uint64_t **sig, size_t *nsig,
    uint64_t *schedules)
{
	struct sched_explore_opts o = eopts();
	struct sched_explore_result res;
	struct harness h = { .sp = sp, .collect = true };

	o.por = por;
	o.max_schedules = DIFF_MAX_SCHEDULES;
	explore(&h, &o, &res);
	qsort(h.sig, h.nsig, sizeof(*h.sig), cmp_u64);
	*sig = h.sig;
	*nsig = h.nsig;
	*schedules = res.schedules;
	return res.exhausted;
}

/*
 * Do plain and reduced exploration of SP reach the same final states?
 * Returns 1 or 0, or -1 if the plain one was cut at its bound.
 */
static int
same_final_states(const struct spec *sp, uint64_t *full, uint64_t *reduced)
{
	uint64_t *a, *b;
	size_t na, nb;
	int same;

	if (!final_states(sp, false, &a, &na, full)) {
		free(a);
		return -1;
	}
	ck_assert(final_states(sp, true, &b, &nb, reduced));
	same = na == nb && memcmp(a, b, na * sizeof(*a)) == 0;
	free(a);
	free(b);
	return same;
}

START_TEST(test_por_differential)
{
	struct spec sp;
	struct rng g;
	uint64_t seed, full, reduced, sum_full = 0, sum_reduced = 0;
	int same, compared = 0;

	for (seed = 1; seed <= 60; seed++) {
		rng_seed(&g, seed);
		random_spec(&g, &sp);
		same = same_final_states(&sp, &full, &reduced);
		if (same < 0)
			continue;
		ck_assert_msg(same == 1, "seed %" PRIu64 ": sleep sets lose "
		    "a final state", seed);
		ck_assert_msg(reduced <= full, "seed %" PRIu64, seed);
		sum_full += full;
		sum_reduced += reduced;
		compared++;
	}
	ck_assert_int_ge(compared, 40);
	/* The reduction must reduce something over these worlds. */
	ck_assert_uint_lt(sum_reduced, sum_full);
}
END_TEST

/*
 * scenario: two tasks bump the same counter with no lock.  Undeclared,
 * the bumps look independent and the reduction runs one order only: the
 * comparison catches it.  Declared with sched_touch(), both are run.
 */
START_TEST(test_por_divergence_caught)
{
	static const struct spec racy = {
		.ntask = 2,
		.task = {
			{ { YIELD, 0 }, { BUMP, 0 } },
			{ { YIELD, 0 }, { BUMP, 0 } },
		},
	};
	static const struct spec declared = {
		.ntask = 2,
		.task = {
			{ { YIELD, 0 }, { TOUCH, 0 }, { BUMP, 0 } },
			{ { YIELD, 0 }, { TOUCH, 0 }, { BUMP, 0 } },
		},
	};
	uint64_t full, reduced;

	ck_assert_int_eq(same_final_states(&racy, &full, &reduced), 0);
	ck_assert_int_eq(same_final_states(&declared, &full, &reduced), 1);
}
END_TEST

/*
 * scenario: the order in which the device completes two bios of one task
 * is the only thing that orders the worker's log: sleep sets must keep
 * both orders (the two firings touch the same queue).
 */
START_TEST(test_por_completion_order)
{
	static const struct spec two_bios = {
		.nev = 2, .ename = { "E1", "E2" }, .evia = { 1, 1 },
		.nq = 1, .qname = { "end-io" },
		.ntask = 1,
		.task = { { { POST, 0 }, { POST, 1 }, { WAIT, 0 },
		    { WAIT, 1 } } },
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
	struct sched_explore_opts o = eopts();
	struct sched_explore_result res;
	struct harness h = { .sp = &two_bios, .collect = true };
	uint64_t full, reduced;

	ck_assert_int_eq(same_final_states(&two_bios, &full, &reduced), 1);
	o.por = true;
	explore(&h, &o, &res);
	ck_assert(res.exhausted);
	ck_assert_uint_eq(h.nsig, 2);
	free(h.sig);
}
END_TEST

/* The tasks that finished in R as a mask M (bit t: task t + 1), and M as
 * one bit of a set of such sets: 1 << M. */
static uint32_t
finished_set_bit(const struct sched_result *r, int ntask)
{
	unsigned mask = 0;
	int t;

	for (t = 0; t < ntask; t++)
		if (r->ent[t].state == SCHED_FINISHED)
			mask |= 1u << t;
	return (uint32_t)1 << mask;
}

/* sched_explore() visit: record which tasks finished, as a set of sets. */
static bool
h_visit_finished(void *arg, struct sched *s, const struct sched_result *r)
{
	struct harness *h = arg;

	CHECK_HOT(s == h->w->s, "visit of another sched");
	check_sched(s);
	CHECK_HOT(r->outcome == SCHED_OOPS, "outcome %d", r->outcome);
	h->finished |= finished_set_bit(r, h->w->sp->ntask);
	return true;
}

/*
 * scenario: an oops is not independent of anything.  Task 1 yields once,
 * then oopses; task 2 touches nothing and finishes after one yield.
 * Every schedule ends in the oops; task 2 has finished in the three
 * where both its steps come before task 1's second: T1 T2 T2 T1,
 * T2 T1 T2 T1 and T2 T2 T1 T1, of the 6 (T1 T1, T1 T2 T1 and T2 T1 T1
 * are the others).  Sleep sets must keep one of them.  The oops step
 * disables every other action, so it depends on all of them: explored
 * in T1 T1, it does not sleep under T1 T2, and the reduction runs T1 T1,
 * T1 T2 T1 and T1 T2 T2 T1, then cuts T2 ... (task 1's first step, which
 * touches nothing, sleeps there until the end).  Were the oops taken as
 * independent of task 2's steps, it would sleep under T1 T2 too and the
 * only schedule run would be T1 T1, in which task 2 never finishes.
 */
START_TEST(test_por_oops_depends_on_all)
{
	static const struct spec oops_vs_idle = {
		.ntask = 2,
		.task = {
			{ { YIELD, 0 }, { OOPS, 0 } },
			{ { YIELD, 0 } },
		},
	};
	struct sched_explore_opts o = eopts();
	struct sched_explore_result res;
	struct harness h = { .sp = &oops_vs_idle };
	uint32_t plain, neither = (uint32_t)1 << 0, task2 = (uint32_t)1 << 2;

	sched_explore(&o, h_setup, h_visit_finished, h_teardown, &h, &res);
	ck_assert_ptr_null(h.w);
	ck_assert(res.exhausted);
	ck_assert_uint_eq(res.schedules, 6);
	ck_assert_uint_eq(res.oopses, 6);
	ck_assert_uint_eq(h.finished, neither | task2);
	plain = h.finished;

	h.finished = 0;
	o.por = true;
	sched_explore(&o, h_setup, h_visit_finished, h_teardown, &h, &res);
	ck_assert_ptr_null(h.w);
	ck_assert_msg(h.finished & task2, "no schedule run in which task 2 "
	    "finishes before task 1's oops");
	ck_assert_uint_eq(h.finished, plain);
	ck_assert(res.exhausted);
	ck_assert_uint_eq(res.schedules, 3);
	ck_assert_uint_eq(res.pruned, 1);
	ck_assert_uint_eq(res.oopses, 3);
	ck_assert_str_eq(res.first_oops.oops, "BUG at toy.c:1");
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
	struct harness h = { .sp = &yields, .alt = &three };

	explore(&h, &o, &res);
	ck_assert_uint_eq(res.schedules, 2);
	ck_assert_uint_eq(res.bad_replays, 1);
	ck_assert(!res.exhausted);
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

/* Test cases: single runs, replay, lock order, exploration, sleep sets. */
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

	run_observed(&abba, "T1,T2,T1,T2", log, &r);
	ck_assert_int_eq(r.outcome, SCHED_DEADLOCK);
	ck_assert_str_eq(log, "S0@0 S1@0 B0@0 H0:A@0 E0@0 B1@1 H1:B@1 E1@1 "
	    "B0@2 W0:B@2 E0@2 B1@3 W1:A@3 E1@3");
	run1(&abba, SCHED_POLICY_REPLAY, "T1,T2,T1,T2", 0, &plain);
	ck_assert_str_eq(plain.schedule, r.schedule);
	ck_assert_str_eq(plain.cycle, r.cycle);

	run_observed(&abba, "T1,T1,T2,T2", log, &r);
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

	run_observed(&btrfs, "T1,T2,W1,D1,W1,D2", log, &r);
	ck_assert_int_eq(r.outcome, SCHED_DEADLOCK);
	ck_assert_msg(strstr(log, "D1@3") != NULL, "%s", log);
	ck_assert_msg(strstr(log, "D2@5") != NULL, "%s", log);
	ck_assert_msg(strstr(log, "W2:end-io@2") != NULL, "%s", log);
	ck_assert_msg(strstr(log, "w2:end-io@4 H2:end-io@4 W2:fs_mutex@4")
	    != NULL, "%s", log);
	ck_assert_msg(strstr(log, "W0:data read@0") != NULL, "%s", log);
}
END_TEST

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

	tc = tcase_create("order");
	tcase_add_test(tc, test_order_from_fifo);
	tcase_add_test(tc, test_order_cycles);
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

	tc = tcase_create("por");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_por_counts);
	tcase_add_test(tc, test_por_differential);
	tcase_add_test(tc, test_por_divergence_caught);
	tcase_add_test(tc, test_por_completion_order);
	tcase_add_test(tc, test_por_oops_depends_on_all);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sched_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
