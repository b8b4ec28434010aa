/*
 * The scheduler's runtime of sched.h: entities, the blocking
 * primitives, the run loop and its three policies.
 *
 * Entities are fibers (fiber.h), each on a stack of its own given at its
 * first resumption; the scheduler is their host, on the stack of
 * sched_run()'s caller.  One of them runs at a time.  A step is one
 * action:
 *
 *   - resume an entity: it runs until it blocks, reaches a preemption
 *     point, finishes or oopses.  Taking a free lock, popping a non-empty
 *     queue or waiting on a done event does not end a step: blocking and
 *     sched_preempt_point() are the only scheduling points, as in a
 *     kernel without preemption;
 *   - fire a posted action: its callback runs on the scheduler's stack,
 *     in "interrupt context": it may push, signal, post, drop bit locks
 *     and take spinlocks (owner SCHED_OWNER_IRQ); a call that may sleep
 *     there is an oops.
 *
 * The enabled actions, in priority order, are the entities that can run
 * (runnable, or blocked on a lock now free, an event now done, a queue
 * now non-empty), tasks first then workers, each in spawn order; then
 * the posted actions not yet fired, oldest first.  The fifo schedule
 * takes the first one at every step.  In words, the rule the man page
 * quotes:
 *
 *	resume the first runnable entity, tasks in line order before
 *	workers; fire a posted action only when no entity can run, the
 *	oldest first.
 *
 * Under it the 2008 retry deadlock happens in the first schedule: task 1
 * submits its data read D and waits; task 2 takes fs_mutex, submits the
 * metadata read M and waits; the worker finds the end-io queue empty;
 * only then do D and M complete, in submission order, so the worker pops
 * D first, and the retry inside it blocks on fs_mutex with M queued
 * behind it.  A random schedule picks uniformly among the enabled
 * actions with a PRNG seeded from the options; a replay follows a string.
 * A chooser plugged in by the explorer (explore.h) replaces the policy.
 *
 * Footprints.  Every lock, event and queue a step takes, releases, tests,
 * signals, pushes or pops goes into the step's footprint by its key, the
 * one it is blocked on included, and so does the posting counter when it
 * posts (so the D<n> numbering never depends on commuted steps); the
 * caller adds its own state with sched_touch_key().  They are recorded
 * only when the chooser asks for them (por.h).
 *
 * Lock order: every sched has a graph (lockorder.h) whose nodes are lock
 * classes and queues (a worker holds its queue between sched_pop() and
 * sched_done(); waiting on an event signalled through a queue takes that
 * queue for an instant).  Each attempt to take a node while holding
 * others adds an edge from each held node to it, before any blocking, as
 * lockdep does.
 *
 * An entity that never finished is simply abandoned; its stack is freed
 * (or pooled) by sched_free().
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deadlock.h"
#include "fiber.h"
#include "lockorder.h"
#include "por.h"
#include "replay.h"
#include "rng.h"
#include "sched.h"
#include "sched_int.h"
#include "xmalloc.h"


/* ---- small helpers ------------------------------------------------------- */

/* The action that fires posted action index I (sched_act_is_post()). */
static inline uint32_t
act_post(size_t i)
{
	return (uint32_t)(SCHED_MAX_ENTITIES + i);
}

/* Append to the NUL-terminated BUF of SIZE bytes; false if cut short.
 * Shared with deadlock.c and replay.c through sched_int.h. */
bool
sched_str_add(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;
	int n;

	if (len + 1 >= size)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < size - len;
}

static void	ent_exit(struct sched *, struct sched_ent *);

/* The function of every entity's fiber: run the entity's function, then
 * note that it returned. */
static void
ent_main(void *arg)
{
	struct sched *s = arg;
	struct sched_ent *e = s->ent[s->cur];

	e->fn(s, e->arg);
	ent_exit(s, e);
}

/* ---- outcomes ------------------------------------------------------------ */

/* Record the first failure; the schedule ends after this step. */
static void
vfail(struct sched *s, enum sched_outcome o, const char *fmt, va_list ap)
{
	if (s->stop)
		return;
	s->stop = true;
	s->outcome = o;
	vsnprintf(s->msg, sizeof(s->msg), fmt, ap);
}

/* vfail() for replay.c, through sched_int.h. */
void
sched_fail(struct sched *s, enum sched_outcome o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(s, o, fmt, ap);
	va_end(ap);
}

/* An oops: in an entity, park it for good; in a callback, return. */
static void __attribute__((__format__(__printf__, 2, 3)))
oops(struct sched *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(s, SCHED_OOPS, fmt, ap);
	va_end(ap);
	if (s->cur >= 0)
		for (;;)
			fiber_park(&s->ent[s->cur]->fiber);
}

/*
 * might_sleep(): FN on OBJ may sleep, which is an oops in a callback or
 * under a spinlock.  Returns true when the caller must return at once (a
 * callback; an entity never comes back from the oops).
 */
static bool
might_sleep(struct sched *s, const char *fn, const char *obj)
{
	struct sched_lock *spin;
	struct sched_ent *e;

	assert(s->running);
	if (s->cur < 0) {
		oops(s, "sleeping in atomic context: %s(%s) in interrupt "
		    "context (%s)", fn, obj, s->act[s->firing - 1].name);
		return true;
	}
	e = s->ent[s->cur];
	if ((spin = held_spinlock(&e->held)) != NULL)
		oops(s, "sleeping in atomic context: %s in %s(%s) while "
		    "holding %s", e->name, fn, obj, spin->name);
	return false;
}

/* Lock order: E, holding what it holds, takes NODE in FN (none from
 * NODE's own class: sched_lock_init_class()); each edge says where it
 * was seen (lockorder.h), which only a new edge copies. */
static void
order_take(struct sched *s, const struct sched_ent *e, int node,
    const char *fn)
{
	struct lockorder_seen seen = { .task = e->task, .take_fn = fn };
	size_t i;

	if (node < 0 || (e->held.n == 0 && !e->busy))
		return;
	sched_name_copy(seen.who, e->name);
	if (e->item > 0)
		sched_name_copy(seen.item, s->act[e->item - 1].name);
	for (i = 0; i < e->held.n; i++)
		if (e->held.lock[i]->order_id >= 0 &&
		    e->held.lock[i]->order_id != node) {
			seen.held_fn = e->held.at[i].fn;
			lockorder_edge(&s->graph, e->held.lock[i]->order_id,
			    node, &seen);
		}
	seen.held_fn = e->popat.fn;
	if (e->busy && e->serves->order_id >= 0)
		lockorder_edge(&s->graph, e->serves->order_id, node, &seen);
}

/* Build observation KIND of E (NULL: the running callback) and pass it
 * on; only called when there is an observer. */
static void
observe_emit(struct sched *s, enum sched_obs_kind kind,
    const struct sched_ent *e, enum sched_wait_kind wait, const char *obj)
{
	struct sched_obs ob = { .kind = kind, .step = s->steps, .ent = -1,
	    .role = SCHED_TASK, .wait = wait, .obj = obj };

	if (e != NULL) {
		ob.ent = e->id;
		ob.role = e->role;
		ob.ent_name = e->name;
	} else
		ob.ent_name = s->firing ? s->act[s->firing - 1].name :
		    "interrupt";
	s->opts.observe(s->opts.observe_arg, &ob);
}

/* The observer hook: one test of a NULL pointer when nobody watches. */
static inline void
observe(struct sched *s, enum sched_obs_kind kind, const struct sched_ent *e,
    enum sched_wait_kind wait, const char *obj)
{
	if (s->opts.observe != NULL)
		observe_emit(s, kind, e, wait, obj);
}

/* The name of the object OBJ of a wait of KIND. */
static const char *
block_name(enum sched_wait_kind kind, const void *obj)
{
	switch (kind) {
	case SCHED_WAIT_LOCK:
		return ((const struct sched_lock *)obj)->name;
	case SCHED_WAIT_EVENT:
		return ((const struct sched_event *)obj)->name;
	case SCHED_WAIT_QUEUE:
		return ((const struct sched_queue *)obj)->name;
	case SCHED_WAIT_NONE:
		break;
	}
	return "";
}

/*
 * The running entity blocks in FN; returns when the scheduler resumes
 * it.  The program point it declared for this blocking call stays
 * declared across the wake-up (resuming an entity forgets its point,
 * run_action()): the call may block again, and its caller's state is
 * the same.
 */
static void
block(struct sched *s, struct sched_ent *e, enum sched_wait_kind kind,
    void *obj, const char *fn)
{
	uint64_t pp = e->pp;
	bool pp_set = e->pp_set;

	e->state = SCHED_BLOCKED;
	e->wat = sched_site_here(s, fn);
	e->wait = kind;
	e->wlock = kind == SCHED_WAIT_LOCK ? obj : NULL;
	e->wevent = kind == SCHED_WAIT_EVENT ? obj : NULL;
	e->wqueue = kind == SCHED_WAIT_QUEUE ? obj : NULL;
	if (s->opts.observe != NULL)
		observe_emit(s, SCHED_OBS_WAIT_BEGIN, e, kind,
		    block_name(kind, obj));
	fiber_park(&e->fiber);
	e->pp = pp;
	e->pp_set = pp_set;
	if (s->opts.observe != NULL)
		observe_emit(s, SCHED_OBS_WAIT_END, e, kind,
		    block_name(kind, obj));
}

/* Q holds no item. */
static bool
queue_empty(const struct sched_queue *q)
{
	return q->head == q->tail;
}

/* An entity that returned: a sleeping or spinning lock still held is an
 * oops (lockdep's "lock held when returning"); a bit lock may stay. */
static void
ent_exit(struct sched *s, struct sched_ent *e)
{
	size_t i;

	e->state = SCHED_FINISHED;
	observe(s, SCHED_OBS_FINISH, e, SCHED_WAIT_NONE, NULL);
	for (i = 0; i < e->held.n; i++)
		if (e->held.lock[i]->kind != SCHED_BITLOCK) {
			sched_fail(s, SCHED_OOPS, "lock held at exit: %s "
			    "still holds %s", e->name, e->held.lock[i]->name);
			break;
		}
}

/* E can take a step now. */
static bool
ent_can_run(const struct sched_ent *e)
{
	switch (e->state) {
	case SCHED_RUNNABLE:
		return true;
	case SCHED_FINISHED:
		return false;
	case SCHED_BLOCKED:
		break;
	}
	switch (e->wait) {
	case SCHED_WAIT_LOCK:
		return e->wlock->owner == -1;
	case SCHED_WAIT_EVENT:
		return e->wevent->done;
	case SCHED_WAIT_QUEUE:
		return !queue_empty(e->wqueue);
	case SCHED_WAIT_NONE:
		break;
	}
	return false;
}

/* ---- building a world ---------------------------------------------------- */

/* An empty world with OPTS (NULL: fifo); caller frees with sched_free(). */
struct sched *
sched_new(const struct sched_opts *opts)
{
	struct sched *s;

	s = xcalloc(1, sizeof(*s));
	if (opts != NULL)
		s->opts = *opts;
	if (s->opts.max_steps == 0)
		s->opts.max_steps = SCHED_DEFAULT_STEPS;
	if (s->opts.policy == SCHED_POLICY_REPLAY)
		s->replay = xstrdup(s->opts.replay != NULL ? s->opts.replay :
		    "");
	s->opts.replay = s->replay;
	s->rp = s->replay;
	rng_seed(&s->rng, s->opts.seed);
	s->cur = -1;
	return s;
}

/* Plug CHOOSER (copied) and POOL (borrowed) into S before its run. */
void
sched_plug(struct sched *s, const struct sched_chooser *chooser,
    struct fiber_pool *pool)
{
	assert(!s->ran);
	memset(&s->chooser, 0, sizeof(s->chooser));
	if (chooser != NULL)
		s->chooser = *chooser;
	s->pool = pool;
}

/* S's lock-order graph, owned by S. */
const struct lockorder *
sched_lockorder(const struct sched *s)
{
	return &s->graph;
}

/* Everything the sched owns, stacks of unfinished entities included;
 * locks, events and queues belong to the caller. */
void
sched_free(struct sched *s)
{
	struct sched_ent *e;
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nent; i++) {
		e = s->ent[i];
		fiber_release(&e->fiber, s->pool);
		held_free(&e->held);
		free(e);
	}
	free(s->act);
	free(s->en);
	held_free(&s->irq);
	por_fp_free(&s->fp);
	free(s->replay);
	lockorder_free(&s->graph);
	free(s);
}

/* A new entity, runnable; its stack comes at its first resumption. */
int
sched_spawn(struct sched *s, enum sched_role role, const char *name,
    void (*fn)(struct sched *, void *), void *arg)
{
	struct sched_ent *e;

	assert(!s->ran);
	if (s->nent == SCHED_MAX_ENTITIES)
		return -1;
	e = xcalloc(1, sizeof(*e));
	sched_name_copy(e->name, name);
	e->role = role;
	e->id = s->nent;
	e->nth = role == SCHED_TASK ? ++s->ntask : ++s->nworker;
	e->fn = fn;
	e->arg = arg;
	e->state = SCHED_RUNNABLE;
	e->task = role == SCHED_TASK ? e->id : -1;
	e->pp = 0;		/* not started: the same in every run */
	e->pp_set = true;
	s->ent[s->nent] = e;
	return s->nent++;
}

/* ---- called from entities and callbacks ---------------------------------- */

/* The running step touched the object of footprint key KEY (por.h):
 * recorded when the chooser wants footprints. */
static inline void
touches(struct sched *s, uint64_t key)
{
	if (s->chooser.footprints)
		por_fp_add(&s->fp, key);
}

/* The running entity, -1 in a callback or outside a run. */
int
sched_self(const struct sched *s)
{
	return s == NULL || !s->running ? -1 : s->cur;
}

/* The site of FN in the running context: the task it works for is the
 * running entity's, or the firing callback's poster's (sched.h, Sites). */
struct sched_site
sched_site_here(const struct sched *s, const char *fn)
{
	struct sched_site at = { .fn = fn, .task = -1 };

	if (s == NULL || !s->running)
		return at;
	if (s->cur >= 0)
		at.task = s->ent[s->cur]->task;
	else if (s->firing > 0)
		at.task = s->act[s->firing - 1].task;
	return at;
}

/* The running entity; asserts the caller is one. */
static struct sched_ent *
self(struct sched *s)
{
	assert(s->running && s->cur >= 0);
	return s->ent[s->cur];
}

/* The kernel function that takes a sleeping lock of KIND, for oopses. */
static const char *
take_fn(enum sched_lock_kind kind)
{
	return kind == SCHED_BITLOCK ? "wait_on_bit_lock" : "mutex_lock";
}

/*
 * Take L in FN, blocking while another holds it.  A spinlock is never
 * contended here: its holder cannot have reached a scheduling point with
 * it.  Taking a spinlock one holds is an oops (it would spin forever);
 * taking a sleeping lock one holds blocks for good, a deadlock the
 * report shows.
 */
void
sched_acquire_at(struct sched *s, struct sched_lock *l, const char *fn)
{
	struct sched_ent *e;

	assert(s->running);
	touches(s, l->key);
	if (l->kind != SCHED_SPINLOCK && might_sleep(s, take_fn(l->kind),
	    l->name))
		return;
	if (s->cur < 0) {
		assert(l->owner == -1);
		l->owner = SCHED_OWNER_IRQ;
		held_push(&s->irq, l, sched_site_here(s, fn));
		observe(s, SCHED_OBS_HOLD_BEGIN, NULL, SCHED_WAIT_LOCK,
		    l->name);
		return;
	}
	e = self(s);
	order_take(s, e, l->order_id, fn);
	if (l->kind == SCHED_SPINLOCK) {
		if (l->owner == e->id)
			oops(s, "recursive locking: %s takes %s, which it "
			    "holds", e->name, l->name);
		assert(l->owner == -1);
	}
	while (l->owner != -1) {
		block(s, e, SCHED_WAIT_LOCK, l, fn);
		touches(s, l->key);
	}
	l->owner = e->id;
	held_push(&e->held, l, sched_site_here(s, fn));
	observe(s, SCHED_OBS_HOLD_BEGIN, e, SCHED_WAIT_LOCK, l->name);
	e->pp_set = false;
}

/*
 * Drop L.  A mutex or spinlock is dropped by its holder only; a bit lock
 * by anyone (unlock_page() in a completion).  Anything else is an oops.
 */
void
sched_release(struct sched *s, struct sched_lock *l)
{
	int me;

	assert(s->running);
	touches(s, l->key);
	me = s->cur >= 0 ? s->cur : SCHED_OWNER_IRQ;
	if (l->owner == -1) {
		oops(s, "unlocking %s, which is not locked", l->name);
		return;
	}
	if (l->owner != me && l->kind != SCHED_BITLOCK) {
		oops(s, "%s unlocks %s, held by %s",
		    me >= 0 ? s->ent[me]->name : "interrupt", l->name,
		    l->owner >= 0 ? s->ent[l->owner]->name : "interrupt");
		return;
	}
	if (l->owner != SCHED_OWNER_IO) {
		observe(s, SCHED_OBS_HOLD_END, l->owner >= 0 ?
		    s->ent[l->owner] : NULL, SCHED_WAIT_LOCK, l->name);
		held_remove(l->owner >= 0 ? &s->ent[l->owner]->held :
		    &s->irq, l);
	}
	l->owner = -1;
}

void
sched_handoff(struct sched *s, struct sched_lock *l)
{
	struct sched_ent *e;

	assert(s->running && s->cur >= 0 && l->kind == SCHED_BITLOCK);
	e = s->ent[s->cur];
	assert(l->owner == e->id);
	touches(s, l->key);
	observe(s, SCHED_OBS_HOLD_END, e, SCHED_WAIT_LOCK, l->name);
	held_remove(&e->held, l);
	l->owner = SCHED_OWNER_IO;
}

/* Wait in FN until EV is done; with a via queue, that takes the queue
 * for an instant in the lock order, done or not (flush_work()'s
 * annotation). */
void
sched_wait_at(struct sched *s, struct sched_event *ev, const char *fn)
{
	struct sched_ent *e;

	touches(s, ev->key);
	if (might_sleep(s, "wait_for_completion", ev->name))
		return;
	e = self(s);
	if (ev->via != NULL)
		order_take(s, e, ev->via->order_id, fn);
	while (!ev->done) {
		block(s, e, SCHED_WAIT_EVENT, ev, fn);
		touches(s, ev->key);
	}
	e->pp_set = false;
}

/* EV is done: its waiters can run.  Allowed anywhere, even sequentially. */
void
sched_signal(struct sched *s, struct sched_event *ev)
{
	if (s != NULL && s->running)
		touches(s, ev->key);
	ev->done = true;
}

/* Append ITEM (borrowed) to Q, with whom it is for (sched.h, Sites).
 * Allowed anywhere, even sequentially. */
void
sched_push(struct sched *s, struct sched_queue *q, void *item)
{
	struct sched_item_from from = { .task = -1, .act = 0 };

	if (s != NULL && s->running) {
		touches(s, q->key);
		from.task = sched_site_here(s, NULL).task;
		from.act = (int)s->firing;
	}
	if (q->tail == q->cap) {
		if (q->head > 0) {
			memmove(q->items, q->items + q->head,
			    (q->tail - q->head) * sizeof(*q->items));
			memmove(q->from, q->from + q->head,
			    (q->tail - q->head) * sizeof(*q->from));
			q->tail -= q->head;
			q->head = 0;
		} else {
			q->cap = q->cap ? 2 * q->cap : 8;
			q->items = xreallocarray(q->items, q->cap,
			    sizeof(*q->items));
			q->from = xreallocarray(q->from, q->cap,
			    sizeof(*q->from));
		}
	}
	q->from[q->tail] = from;
	q->items[q->tail++] = item;
}

/*
 * A worker takes the oldest item of Q in FN, blocking while there is
 * none.  Popping ends the processing of the previous item if sched_done()
 * was not called.  The caller becomes one of Q's workers for the reports,
 * and works for the item's task until sched_done().
 */
void *
sched_pop_at(struct sched *s, struct sched_queue *q, const char *fn)
{
	struct sched_ent *e;

	touches(s, q->key);
	if (might_sleep(s, "wait_for_work", q->name))
		return NULL;
	e = self(s);
	if (e->busy)
		observe(s, SCHED_OBS_HOLD_END, e, SCHED_WAIT_QUEUE,
		    e->serves->name);
	e->busy = false;
	e->task = -1;
	e->item = 0;
	e->serves = q;
	e->pp = q->key;		/* a worker keeps nothing between items */
	e->pp_set = true;
	order_take(s, e, q->order_id, fn);
	while (queue_empty(q)) {
		block(s, e, SCHED_WAIT_QUEUE, q, fn);
		touches(s, q->key);
	}
	e->busy = true;
	e->task = q->from[q->head].task;
	e->item = q->from[q->head].act;
	e->popat = sched_site_here(s, fn);
	observe(s, SCHED_OBS_HOLD_BEGIN, e, SCHED_WAIT_QUEUE, q->name);
	e->pp_set = false;
	return q->items[q->head++];
}

/* The worker finished its item of Q: it no longer holds Q. */
void
sched_done(struct sched *s, struct sched_queue *q)
{
	struct sched_ent *e = self(s);

	assert(e->serves == q);
	if (e->busy)
		observe(s, SCHED_OBS_HOLD_END, e, SCHED_WAIT_QUEUE, q->name);
	e->busy = false;
	e->task = -1;
	e->item = 0;
}

/* A preemption point: the step ends, the entity stays runnable. */
void
sched_preempt_point(struct sched *s)
{
	struct sched_ent *e;

	if (might_sleep(s, "cond_resched", ""))
		return;
	e = self(s);
	fiber_park(&e->fiber);
	e->pp_set = false;
}

/* The running entity's program point (sched.h). */
void
sched_point(struct sched *s, uint64_t pp)
{
	struct sched_ent *e;

	if (s == NULL || !s->running || s->cur < 0)
		return;
	e = s->ent[s->cur];
	e->pp = pp;
	e->pp_set = true;
}

void
sched_set_ident(struct sched *s, uint64_t (*ident)(void *,
    enum sched_ident_kind, const void *, bool *), void *ctx)
{
	s->ident = ident;
	s->ident_ctx = ctx;
}

/* Queue an external action; returns its number, the n of D<n>. */
int
sched_post(struct sched *s, const char *name,
    void (*fire)(struct sched *, void *), void *arg)
{
	struct sched_action *a;

	if (s->running)
		touches(s, por_key(POR_POST, 0));
	if (s->nact == s->actcap) {
		s->actcap = s->actcap ? 2 * s->actcap : 16;
		s->act = xreallocarray(s->act, s->actcap, sizeof(*s->act));
	}
	a = &s->act[s->nact++];
	sched_name_copy(a->name, name);
	a->fire = fire;
	a->arg = arg;
	a->fired = false;
	a->task = sched_site_here(s, NULL).task;
	return (int)s->nact;
}

/* The caller's own oops (a BUG_ON, a NULL dereference). */
void
sched_oops(struct sched *s, const char *msg)
{
	assert(s->running);
	oops(s, "%s", msg);
}

/* Add the caller's object KEY to the step's footprint (por.h). */
void
sched_touch_key(struct sched *s, uint64_t key)
{
	if (s != NULL && s->running)
		touches(s, por_key(POR_TOUCH, key));
}

/* Deprecated: the object named WHAT, keyed by its name. */
void
sched_touch(struct sched *s, const char *what)
{
	sched_touch_key(s, sched_name_key(what));
}

/* ---- the run ------------------------------------------------------------- */

/* Fill s->en with the enabled actions in priority order. */
static size_t
enabled(struct sched *s)
{
	size_t n = 0, need, i;
	int k;

	need = (size_t)s->nent + (s->nact - s->unfired);
	if (need > s->encap) {
		s->encap = need + 16;
		s->en = xreallocarray(s->en, s->encap, sizeof(*s->en));
	}
	for (k = 0; k < s->nent; k++)
		if (ent_can_run(s->ent[s->order[k]]))
			s->en[n++] = (uint32_t)s->order[k];
	for (i = s->unfired; i < s->nact; i++)
		if (!s->act[i].fired)
			s->en[n++] = act_post(i);
	return n;
}

/* Run action A: resume an entity or fire a callback. */
static void
run_action(struct sched *s, uint32_t a)
{
	struct sched_action *act;
	struct sched_ent *e;

	if (!sched_act_is_post(a)) {
		e = s->ent[a];
		e->state = SCHED_RUNNABLE;
		e->wait = SCHED_WAIT_NONE;
		e->wlock = NULL;
		e->wevent = NULL;
		e->wqueue = NULL;
		if (!e->fiber.started)
			fiber_start(&e->fiber, &s->host, s->pool, ent_main, s);
		e->pp_set = false;	/* it declares again before it blocks */
		s->cur = (int)a;
		observe(s, SCHED_OBS_STEP_BEGIN, e, SCHED_WAIT_NONE, NULL);
		fiber_resume(&e->fiber);
		observe(s, SCHED_OBS_STEP_END, e, SCHED_WAIT_NONE, NULL);
		s->cur = -1;
		return;
	}
	act = &s->act[a - SCHED_MAX_ENTITIES];
	act->fired = true;
	while (s->unfired < s->nact && s->act[s->unfired].fired)
		s->unfired++;
	s->firing = a - SCHED_MAX_ENTITIES + 1;
	if (s->opts.observe != NULL) {
		struct sched_obs ob = { .kind = SCHED_OBS_FIRE,
		    .step = s->steps, .ent = (int)s->firing,
		    .role = SCHED_TASK, .ent_name = act->name,
		    .wait = SCHED_WAIT_NONE, .obj = NULL };

		s->opts.observe(s->opts.observe_arg, &ob);
	}
	act->fire(s, act->arg);
	if (s->irq.n > 0)
		sched_fail(s, SCHED_OOPS, "lock held at the end of an "
		    "interrupt: %s (%s)", s->irq.lock[0]->name, act->name);
	s->firing = 0;
}

/* The fifo policy: the first enabled action. */
static bool
choose_fifo(struct sched *s, size_t nen, uint32_t *a)
{
	(void)nen;
	*a = s->en[0];
	return true;
}

/* The random policy: uniform among the enabled actions. */
static bool
choose_random(struct sched *s, size_t nen, uint32_t *a)
{
	*a = s->en[rng_below(&s->rng, nen)];
	return true;
}

/* Each policy's choice among the NEN actions of s->en; false ends the
 * run with the outcome set. */
static bool (*const policy_choose[])(struct sched *, size_t, uint32_t *) = {
	[SCHED_POLICY_FIFO] = choose_fifo,
	[SCHED_POLICY_RANDOM] = choose_random,
	[SCHED_POLICY_REPLAY] = replay_choose,
};

/* The chooser's choice among the NEN actions of s->en; false ends the
 * run, cut (pruned) or with a BAD_REPLAY outcome. */
static bool
chooser_choose(struct sched *s, size_t nen, uint32_t *a)
{
	switch (s->chooser.choose(s->chooser.arg, s->steps, s->en, nen, a)) {
	case SCHED_CHOSEN:
		return true;
	case SCHED_CUT:
		s->pruned = true;
		return false;
	case SCHED_DIVERGED:
		sched_fail(s, SCHED_BAD_REPLAY, "step %zu: the same choices "
		    "enabled other actions: the world is not deterministic",
		    s->steps + 1);
		return false;
	}
	return false;
}

/* Tell the chooser what step A did. */
static void
chooser_ran(struct sched *s, uint32_t a)
{
	bool yielded = !sched_act_is_post(a) &&
	    s->ent[a]->state == SCHED_RUNNABLE;

	s->chooser.ran(s->chooser.arg, s->steps, &s->fp, s->stop, yielded);
}

/* Run S to its end; see sched.h.  The loop: pick an enabled action by
 * the policy (or the chooser), run it, until none is enabled, an oops,
 * a bad replay, a cut or the step limit. */
void
sched_run(struct sched *s, struct sched_result *res)
{
	bool plugged = s->chooser.choose != NULL;
	size_t nen;
	uint32_t a;
	int k, n = 0;

	assert(!s->ran);
	s->ran = s->running = true;
	s->outcome = SCHED_COMPLETED;
	for (k = 0; k < s->nent; k++)
		if (s->ent[k]->role == SCHED_TASK)
			s->order[n++] = k;
	for (k = 0; k < s->nent; k++)
		if (s->ent[k]->role == SCHED_WORKER)
			s->order[n++] = k;
	for (k = 0; k < s->nent; k++)
		observe(s, SCHED_OBS_SPAWN, s->ent[k], SCHED_WAIT_NONE, NULL);
	for (;;) {
		if (s->stop)
			break;
		if ((nen = enabled(s)) == 0)
			break;
		if (s->steps >= s->opts.max_steps) {
			sched_fail(s, SCHED_STEP_LIMIT, "more than %zu steps",
			    s->opts.max_steps);
			break;
		}
		if (!(plugged ? chooser_choose(s, nen, &a) :
		    policy_choose[s->opts.policy](s, nen, &a)))
			break;
		replay_note(s, a);
		por_fp_reset(&s->fp);
		run_action(s, a);
		if (plugged)
			chooser_ran(s, a);
		s->steps++;
	}
	s->running = false;
	if (!s->stop && !s->pruned && s->opts.policy == SCHED_POLICY_REPLAY &&
	    !plugged)
		replay_end(s);
	if (!s->stop && !s->pruned && deadlock_stuck(s))
		s->outcome = SCHED_DEADLOCK;
	/* Field by field: most of its 20 KiB are entity reports beyond the
	 * world's entities, which nobody reads. */
	res->outcome = s->outcome;
	memcpy(res->schedule, s->sched, s->slen + 1);
	res->truncated = s->truncated;
	res->steps = s->steps;
	memcpy(res->oops, s->msg, sizeof(res->oops));
	res->nent = 0;
	res->cycle[0] = '\0';
	deadlock_report(s, res);
}
