/*
 * The toy worlds and the exploration harness of the scheduler's unit
 * suites; sched_world.h says what they are.
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

/* sched_check() must pass. */
void
check_sched(const struct sched *s)
{
	CHECK_PASSES(sched_check, s);
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
void
task_fn(struct sched *s, void *arg)
{
	struct ref *r = arg;
	const struct op *op;

	CHECK_HOT(sched_self(s) == r->i, "sched_self is %d, not %d",
	    sched_self(s), r->i);
	for (op = r->w->sp->task[r->i]; op->k != END; op++) {
		/* All a task keeps on its stack is where it is. */
		if (r->w->points)
			sched_point(s, rng_fold((uint64_t)r->i,
			    (uint64_t)r->w->pc[r->i]));
		run_op(r->w, r->i, op);
		r->w->pc[r->i]++;
	}
}

/* The toy world's identities: events, items and posts by index. */
static uint64_t
world_ident(void *ctx, enum sched_ident_kind kind, const void *obj,
    bool *known)
{
	struct world *w = ctx;
	const struct ref *r = obj;

	*known = true;
	if (kind == SCHED_IDENT_EVENT)
		return (uint64_t)((const struct sched_event *)obj - w->ev);
	return (uint64_t)r->i << 8 | (uint64_t)kind;
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
struct world *
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
	for (i = 0; i < sp->nev; i++) {
		sched_event_init(&w->ev[i], sp->ename[i],
		    sp->evia[i] ? &w->q[sp->evia[i] - 1] : NULL);
		w->ev[i].owner = &w->ev[i];
	}
	sched_set_ident(w->s, world_ident, w);
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
void
world_free(struct world *w)
{
	int i;

	sched_free(w->s);
	for (i = 0; i < w->sp->nq; i++)
		sched_queue_free(&w->q[i]);
	free(w);
}

/* One run of SP under POLICY (REPLAY: string STR, RANDOM: seed SEED). */
void
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


/* sched_explore() setup: a fresh world (alternating with h->alt). */
struct sched *
h_setup(void *arg, const struct sched_opts *opts)
{
	struct harness *h = arg;

	h->w = world_new(h->alt != NULL && h->nsetup++ % 2 ? h->alt : h->sp,
	    opts);
	h->w->points = h->states;
	return h->w->s;
}

/*
 * The world's part of a state hash: the shared data, the log, how far
 * each task is, the events, the lock owners and the queues' items (the
 * scheduler hashes its entities and posted actions).
 */
uint64_t
h_world_hash(void *arg, bool *complete)
{
	struct harness *h = arg;
	const struct world *w = h->w;
	uint64_t x = 0;
	int i;

	*complete = true;
	for (i = 0; i < MAXL && !h->leaky; i++)
		x = rng_fold(x, w->v[i]);
	for (i = 0; i < w->nlog; i++)
		x = rng_fold(x, (uint64_t)w->log[i]);
	for (i = 0; i < MAXT; i++)
		x = rng_fold(x, (uint64_t)w->pc[i]);
	for (i = 0; i < w->sp->nev; i++)
		x = rng_fold(x, w->ev[i].done);
	for (i = 0; i < w->sp->nlock; i++)
		x = rng_fold(x, (uint64_t)(int64_t)w->lock[i].owner);
	for (i = 0; i < w->sp->nq; i++)
		for (size_t k = w->q[i].head; k < w->q[i].tail; k++)
			x = rng_fold(x, (uint64_t)((const struct ref *)
			    w->q[i].items[k])->i);
	return x;
}

/* sched_explore() teardown: the world, not the sched. */
void
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

/* A hash of the text S (a schedule), to compare sets of schedules. */
static uint64_t
hash_text(const char *s)
{
	uint64_t h = 0;

	while (*s != '\0')
		h = rng_fold(h, (unsigned char)*s++);
	return h;
}

/* sched_explore() visit: collect signatures, stop when asked to. */
bool
h_visit(void *arg, struct sched *s, const struct sched_result *r)
{
	struct harness *h = arg;
	uint64_t sig;
	size_t i;

	CHECK_HOT(s == h->w->s, "visit of another sched");
	check_sched(s);
	if (r->outcome == SCHED_COMPLETED && h->first_done[0] == '\0')
		snprintf(h->first_done, sizeof(h->first_done), "%s",
		    r->schedule);
	if (r->foreign) {
		h->foreign++;
		return true;
	}
	if (h->collect) {
		h->runs = xreallocarray(h->runs, h->nruns + 1,
		    sizeof(*h->runs));
		h->runs[h->nruns++] = hash_text(r->schedule);
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
void
h_progress(void *arg, uint64_t done, double rate)
{
	struct harness *h = arg;

	h->progressed = true;
	h->progress_done = done;
	h->progress_rate = rate;
}

/* sched_explore() over H's world with the trail checked after every
 * operation; the world must be freed after. */
void
explore(struct harness *h, const struct sched_explore_opts *o,
    struct sched_explore_result *res)
{
	struct sched_explore_opts checked = *o;

	checked.check = true;
	sched_explore(&checked, h_setup, h_visit, h_teardown, h, res);
	ck_assert_ptr_null(h->w);
	ck_assert_msg(res->broken == NULL, "explore_trail_check: %s",
	    res->broken);
}

/* Plain exhaustive exploration options, the trail checked. */
struct sched_explore_opts
eopts(void)
{
	return (struct sched_explore_opts){ .explore = true,
	    .preemption_bound = -1, .check = true };
}

/* qsort() order of uint64_t. */
int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* ---- the worlds ---------------------------------------------------------- */

/* AB-BA: task 1 takes A then B, task 2 takes B then A. */
const struct spec world_abba = {
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
const struct spec world_mini = {
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
const struct spec world_mini_ok = {
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
 * The historical case (blksim-quirks(7), quirk 1): task 1 reads a corrupted
 * page (data read D, whose completion retries through fs_mutex on the
 * worker); task 2 takes fs_mutex and waits for a metadata read M.
 */
const struct spec world_btrfs = {
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
const struct spec world_btrfs_fixed = {
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
const struct spec world_yields = {
	.ntask = 2,
	.task = { { { YIELD, 0 } }, { { YIELD, 0 } } },
};

/* Task 1 posts an action that signals its event and waits; task 2 yields. */
const struct spec world_posted = {
	.nev = 1, .ename = { "E" },
	.ntask = 2,
	.task = { { { POST, 0 }, { WAIT, 0 } }, { { YIELD, 0 } } },
	.action = { { .name = "irq", .ops = { { SIGNAL, 0 } } } },
};

