/*
 * The scheduler's runtime: a deterministic scheduler for simulated kernel
 * tasks, their locks, completions and work queues.
 *
 * The model.  A world is a set of entities, each a coroutine running
 * plain C code: tasks (one operation each) and workers (loops that pop
 * items from a FIFO work queue and process them, as 2008's btrfs-end-io
 * workqueue did).  Only one entity runs at a time, as on one CPU of a
 * kernel without preemption: it runs until it blocks (on a sleeping lock,
 * an event, an empty queue) or reaches a preemption point
 * (cond_resched()), and the scheduler then picks the next action among
 * the enabled ones:
 *
 *   - resume a runnable entity;
 *   - fire a posted external action (a device completing a submitted bio:
 *     its callback runs in scheduler context, as an interrupt, typically
 *     pushing the completion onto a work queue).
 *
 * A step is one action; a schedule is the sequence of choices.  It is
 * written as a string of action names separated by commas, e.g.
 * "T1,T2,D3,W1,T1" (T<n> task n, W<n> worker n, D<n> posted action n in
 * posting order), which sched_run() with SCHED_POLICY_REPLAY follows
 * exactly: a string that names an action not enabled, ends while actions
 * are enabled, or goes on after the end is SCHED_BAD_REPLAY.  The fifo
 * rule, the strings and what blocks where are described under "CONCURRENT
 * BLOCKS" in blksim-scenario(5).
 *
 * Blocking points.  Locks are sleeping mutexes (mutex_lock()), bit locks
 * (sleeping, released by any context: lock_page()/unlock_page()) or
 * spinlocks.  Events are one-shot completions (wait_for_completion(),
 * complete()), signalled directly or through a work queue's workers.
 * Queues are FIFO workqueues whose workers block when empty.  A call that
 * may sleep (taking a sleeping lock, waiting, popping, a preemption
 * point) while holding a spinlock or from a posted action's callback is a
 * simulated oops ("sleeping in atomic context", might_sleep()), whether
 * or not it would have blocked.
 *
 * What else a run records, for the modules built on it: each step's
 * footprint (por.h), each lock taken while another is held, in this
 * schedule's lock-order graph (lockorder.h, as lockdep), and, when nothing
 * can run, the state of every entity and the wait-for cycle (deadlock.h).
 * Exploring many schedules is explore.h's, through the chooser hook below;
 * it is declared at the end of this header, which its callers have always
 * included.
 *
 * Nothing here knows about filesystems; the fs puts its blocking points
 * on these primitives.  Memory: a stack per entity (fiber.h), freed
 * when the schedule ends, finished or not;
 * code that may block must not hold heap memory only its stack knows.
 *
 * Names: the policies are SCHED_POLICY_* and the preemption point is
 * sched_preempt_point(), because POSIX <sched.h> (pulled in by
 * <pthread.h>) owns SCHED_FIFO and sched_yield().  The rest of the sched_
 * prefix does not collide with glibc today.
 */
#ifndef SIM_SCHED_H
#define SIM_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lockorder.h"
#include "por.h"

#define SCHED_MAX_ENTITIES	64
#define SCHED_NAME		32
/* A schedule's bound on actions: at about 3.5 a page, two concurrent
 * reads of 70000 pages; explored, its trail stays under 200 MB. */
#define SCHED_DEFAULT_STEPS	500000

struct sched;
struct sched_queue;

/*
 * Sites.  Every hold and every wait records where it began, for the
 * reports: FN, the model function that asked for it (the __func__ that
 * the sched_acquire(), sched_wait() and sched_pop() macros below pass,
 * so no call site names itself by hand; the program maps it to the
 * kernel function it stands for), or NULL; TASK, the entity id of the
 * task the work was for, or -1.  A task works for itself; a posted
 * action for whoever posted it; a queue item for whoever pushed it (an
 * entity, or the posted action whose callback pushed it); a worker, from
 * sched_pop() to sched_done(), for its item's task.
 */
struct sched_site {
	const char	*fn;
	int		 task;
};

enum sched_role {
	SCHED_TASK,		/* finishes; unfinished tasks make a deadlock */
	SCHED_WORKER		/* loops forever serving a queue */
};

enum sched_lock_kind {
	SCHED_MUTEX,		/* sleeping: waiting for it blocks */
	SCHED_SPINLOCK,		/* never held across a block */
	SCHED_BITLOCK		/* sleeping; any context may release it */
};

/* sched_lock.owner of a spinlock taken in a posted action's callback. */
#define SCHED_OWNER_IRQ		(-2)
/* sched_lock.owner of a bit lock handed to I/O in flight (sched_handoff). */
#define SCHED_OWNER_IO		(-3)

/*
 * Identity.  Every schedule runs on a new copy of the world, so locks,
 * events and queues are known across schedules by a key given at init,
 * never by address: objects of one kind with one key are one object to
 * the partial-order reduction (por.h), and locks of one key are one class
 * in the lock-order graph (lockorder.h), as lockdep has classes, unless
 * sched_lock_init_class() gives the lock a class of its own (page locks:
 * one object each, one class together, so that the graph does not grow
 * with the pages a task holds).  Keys up to SCHED_KEY_MAX are taken as they
 * are; a wider one is hashed into that range.  The name-only inits key an
 * object by the hash of its name (sched_name_key()), so objects of one
 * name are one.  Names are for reports only.  KEY fields hold the key
 * with the object's kind in its top bits (por_key()).
 */
#define SCHED_KEY_MAX		POR_KEY_MAX

struct sched_lock {
	char		name[SCHED_NAME];
	enum sched_lock_kind kind;
	int		owner;		/* entity id, -1, SCHED_OWNER_IRQ or
					   SCHED_OWNER_IO */
	int		order_id;	/* lock-order graph node, or -1 */
	uint64_t	key;		/* POR_LOCK */
};

/* A one-shot event (an I/O completed).  VIA: the queue whose workers
 * signal it, or NULL; it makes a wait on the event a wait on that queue.
 * OWNER: the world's object the event belongs to (a bio), which the
 * world's identity callback names in state hashes, or NULL. */
struct sched_event {
	char		name[SCHED_NAME];
	bool		done;
	struct sched_queue *via;
	uint64_t	key;		/* POR_EVENT */
	const void	*owner;
};

/* Who an item of a queue was pushed for (sched_site.task), and by the
 * callback of which posted action (its index + 1), or 0. */
struct sched_item_from {
	int		task;
	int		act;
};

struct sched_queue {
	char		name[SCHED_NAME];
	void		**items;	/* FIFO */
	struct sched_item_from *from;	/* per item, beside items */
	size_t		head, tail, cap;
	int		order_id;
	uint64_t	key;		/* POR_QUEUE */
};

/* Entity states, for reports. */
enum sched_state {
	SCHED_RUNNABLE,
	SCHED_BLOCKED,
	SCHED_FINISHED
};

/* What a blocked entity waits for. */
enum sched_wait_kind {
	SCHED_WAIT_NONE,
	SCHED_WAIT_LOCK,
	SCHED_WAIT_EVENT,
	SCHED_WAIT_QUEUE	/* a worker waiting for work */
};

enum sched_policy {
	SCHED_POLICY_FIFO,	/* the fifo rule: blksim-scenario(5) */
	SCHED_POLICY_RANDOM,	/* seeded uniform choice */
	SCHED_POLICY_REPLAY	/* follow a schedule string */
};

enum sched_outcome {
	SCHED_COMPLETED,	/* every task finished */
	SCHED_DEADLOCK,
	SCHED_OOPS,		/* sched_oops() was called, or atomic sleep */
	SCHED_BAD_REPLAY,	/* the string does not fit the world */
	SCHED_STEP_LIMIT	/* ran more than max_steps actions */
};

/* The locks listed with their sites in a report entity; more are
 * counted in nhold only. */
#define SCHED_REPORT_HOLDS	4

/* One hold of a report entity: a lock, or the queue a worker serves. */
struct sched_report_hold {
	char		name[SCHED_NAME];
	bool		queue;			/* processing an item of it */
	struct sched_site at;
};

/* One entity in a deadlock report. */
struct sched_report_entity {
	char		name[SCHED_NAME];	/* "task 2", "end-io worker 1" */
	enum sched_role	role;
	enum sched_state state;
	char		holds[128];		/* "fs_mutex, page a:0" */
	char		waits[128];		/* "A (held by task 2)" */
	/* The same with sites: the holds in order, then the queue. */
	struct sched_report_hold hold[SCHED_REPORT_HOLDS];
	int		nhold;			/* all of them */
	struct sched_site wait_at;		/* fn NULL: no wait */
	/* A worker inside an item: the posted action that queued it
	 * ("data read D1") and the task it works for; else "" and -1. */
	char		item[SCHED_NAME];
	int		task;
	/* (every field but name, role and state empty if the run
	 * completed: a completed run's report is never shown) */
};

struct sched_result {
	enum sched_outcome outcome;
	char		schedule[1024];		/* the choices made, replayable */
	bool		truncated;		/* schedule[] lacks the tail */
	size_t		steps;
	char		oops[160];		/* SCHED_OOPS: the message;
						   BAD_REPLAY: step and why */
	struct sched_report_entity ent[SCHED_MAX_ENTITIES];
	int		nent;
	char		cycle[256];		/* "task 2 -> end-io worker 1 -> task 2" */
	/* Set by sched_explore() for its visit, not by sched_run(): the
	 * schedule lies in another shard's part (explore.h). */
	bool		foreign;
};

/*
 * An observation of a run, for a timeline (src/chrome.c).  STEP is the
 * 0-based index of the action in the schedule; ENT the entity concerned
 * (for RELEASE the holder whose hold ends), or -1 for a posted action's
 * callback; ENT_NAME its name ("task 1"), or the posted action's name
 * for FIRE and for callback context.  OBJ names the lock, event or queue
 * (WAIT tells which), or is NULL.  A worker processing an item holds its
 * queue: HOLD_BEGIN/HOLD_END with WAIT = SCHED_WAIT_QUEUE.  Pointers are
 * valid during the call only.
 */
enum sched_obs_kind {
	SCHED_OBS_SPAWN,	/* at the start of the run, once per entity */
	SCHED_OBS_STEP_BEGIN,	/* the entity resumes */
	SCHED_OBS_STEP_END,	/* it yields, blocks or finishes */
	SCHED_OBS_FINISH,	/* it returned */
	SCHED_OBS_HOLD_BEGIN,	/* it took OBJ */
	SCHED_OBS_HOLD_END,	/* OBJ was dropped */
	SCHED_OBS_WAIT_BEGIN,	/* it blocks on OBJ */
	SCHED_OBS_WAIT_END,	/* that wait is over (it runs again) */
	SCHED_OBS_FIRE		/* posted action number ENT fired */
};

struct sched_obs {
	enum sched_obs_kind kind;
	size_t		step;
	int		ent;
	enum sched_role	role;
	const char	*ent_name;
	enum sched_wait_kind wait;	/* the kind of OBJ: LOCK, EVENT, QUEUE */
	const char	*obj;
};

struct sched_opts {
	enum sched_policy policy;
	uint64_t	seed;		/* SCHED_POLICY_RANDOM */
	const char	*replay;	/* SCHED_POLICY_REPLAY */
	size_t		max_steps;	/* 0: SCHED_DEFAULT_STEPS */
	/* Called at every observation if not NULL (costs nothing if NULL). */
	void		(*observe)(void *arg, const struct sched_obs *);
	void		*observe_arg;
};

/*
 * A world under construction: sched_new, then the caller creates locks,
 * queues and events and spawns entities (their functions get the sched
 * and ARG), then sched_run.  sched_free releases everything, including the
 * stacks of entities that never finished.
 */
struct sched	*sched_new(const struct sched_opts *);
void		 sched_free(struct sched *);
/* Returns the entity id (0-based), or -1 past SCHED_MAX_ENTITIES.  Tasks
 * are T1, T2, ... and workers W1, W2, ... in spawn order. */
int		 sched_spawn(struct sched *, enum sched_role, const char *name,
		    void (*fn)(struct sched *, void *arg), void *arg);
/*
 * Objects, keyed as "Identity" above says: the _key variants take the
 * caller's KEY, the others the hash of NAME.  With a NULL sched
 * (sequential code), the object is in no order graph.
 */
void		 sched_lock_init(struct sched *, struct sched_lock *,
		    enum sched_lock_kind, const char *name);
void		 sched_lock_init_key(struct sched *, struct sched_lock *,
		    enum sched_lock_kind, uint64_t key, const char *name);
/*
 * A lock of its own KEY (one object to the reduction) in the lock class
 * CLASS_KEY called CLASS (one node of the lock-order graph), as lockdep
 * puts every lock of one kind in one class: a file's page locks, say.
 * Taking a lock of a class while holding another of it adds no edge
 * (lockdep's nesting annotation): the kernel takes page locks in index
 * order, which the model keeps.
 */
void		 sched_lock_init_class(struct sched *, struct sched_lock *,
		    enum sched_lock_kind, uint64_t key, const char *name,
		    uint64_t class_key, const char *class_name);
void		 sched_queue_init(struct sched *, struct sched_queue *,
		    const char *name);
void		 sched_queue_init_key(struct sched *, struct sched_queue *,
		    uint64_t key, const char *name);
void		 sched_queue_free(struct sched_queue *);
void		 sched_event_init(struct sched_event *, const char *name,
		    struct sched_queue *via);
void		 sched_event_init_key(struct sched_event *, uint64_t key,
		    const char *name, struct sched_queue *via);
/*
 * BUF (SCHED_NAME bytes) = PREFIX, N in decimal, SUFFIX, cut to fit: the
 * names of objects made on every run ("data read #3"), without snprintf.
 */
void		 sched_name_num(char *buf, const char *prefix, uint64_t n,
		    const char *suffix);
/* The key of NAME (at most SCHED_KEY_MAX): equal names, equal keys. */
uint64_t	 sched_name_key(const char *name);
/* Run the world to its end under OPTS' policy; fills RES.  Once. */
void		 sched_run(struct sched *, struct sched_result *res);
/* Invariant walker: 0, or -EINVAL with *WHY set to the broken rule. */
int		 sched_check(const struct sched *, const char **why);

/* ---- called from inside entities ----------------------------------------- */

/* The running entity's id, or -1 outside sched_run (sequential code), in
 * a posted action's callback, or for a NULL sched. */
int		 sched_self(const struct sched *);
/* The site of the running context, whose function is FN (see Sites). */
struct sched_site sched_site_here(const struct sched *, const char *fn);
/* Take L; the macro records its caller as the hold's site. */
void		 sched_acquire_at(struct sched *, struct sched_lock *,
		    const char *fn);
#define sched_acquire(s, l)	sched_acquire_at((s), (l), __func__)
void		 sched_release(struct sched *, struct sched_lock *);
/*
 * The running entity hands bit lock L, which it holds, to I/O in flight:
 * L stays taken but no entity holds it (no lock order, no report of it
 * as held), until whoever completes the I/O releases it, as a page lock
 * is dropped by its bio's completion.
 */
void		 sched_handoff(struct sched *, struct sched_lock *);
void		 sched_wait_at(struct sched *, struct sched_event *,
		    const char *fn);
#define sched_wait(s, ev)	sched_wait_at((s), (ev), __func__)
void		 sched_signal(struct sched *, struct sched_event *);
void		 sched_push(struct sched *, struct sched_queue *, void *item);
/* Worker side: block until an item is there; FIFO.  The worker then
 * works for the item's task (see Sites) until sched_done(). */
void		*sched_pop_at(struct sched *, struct sched_queue *,
		    const char *fn);
#define sched_pop(s, q)		sched_pop_at((s), (q), __func__)
/* Mark the end of processing an item popped from Q (releases the queue
 * in the lock-order graph). */
void		 sched_done(struct sched *, struct sched_queue *);
/* A preemption point (cond_resched()): the scheduler may switch
 * entities here; the fifo schedule resumes the first runnable one. */
void		 sched_preempt_point(struct sched *);
/*
 * Post an external action: FIRE(sched, ARG) will run in scheduler context
 * when the scheduler picks it (a device completing a bio).  NAME is for
 * reports.  Returns the action's number (the n of D<n>).
 */
int		 sched_post(struct sched *, const char *name,
		    void (*fire)(struct sched *, void *arg), void *arg);
/* A simulated oops: the schedule ends now.  In an entity it does not
 * return; in a posted action's callback it returns, and the schedule ends
 * when the callback does.  The first oops of a schedule is the one kept. */
void		 sched_oops(struct sched *, const char *msg);
/*
 * Declare that the running step reads or writes the caller's object KEY,
 * state shared between entities or callbacks without a sched lock held
 * around every access (a mirror's sector, a bio counter).  By key, not by
 * address: each schedule runs on a new copy of the world; the caller
 * encodes what the object is into the key, and equal keys are one object.
 * Only partial-order reduction looks at it (por.h); a no-op outside
 * sched_run or with a NULL sched.
 */
void		 sched_touch_key(struct sched *, uint64_t key);
/* Deprecated: sched_touch_key(sched_name_key(WHAT)), for callers that
 * still name their objects by strings. */
void		 sched_touch(struct sched *, const char *what);

/* ---- the chooser hook, for the explorer (explore.h) ------------------- */

/*
 * Actions as a chooser sees them: an entity id (< SCHED_MAX_ENTITIES), or
 * SCHED_MAX_ENTITIES + i for the posted action of index i (D<i + 1>).
 */
static inline bool
sched_act_is_post(uint32_t a)
{
	return a >= SCHED_MAX_ENTITIES;
}

/* A chooser's answer. */
enum sched_choice {
	SCHED_CHOSEN,		/* run *A */
	SCHED_CUT,		/* end the run here: it is pruned */
	SCHED_DIVERGED		/* the enabled actions differ from the
				   recorded run's: a BAD_REPLAY */
};

/*
 * A chooser takes the policy's place: sched_run() asks it for the action
 * of every step (STEP counts from 0; EN holds the NEN enabled actions in
 * priority order), and tells it what the step did: its footprint (empty
 * unless FOOTPRINTS), whether it ended the schedule, and whether the
 * entity it resumed is still runnable (it yielded at a preemption point).
 */
struct sched_chooser {
	enum sched_choice (*choose)(void *arg, size_t step,
			    const uint32_t *en, size_t nen, uint32_t *a);
	void		(*ran)(void *arg, size_t step, const struct por_fp *,
			    bool ended, bool yielded);
	void		*arg;
	bool		 footprints;	/* record each step's footprint */
};

/* ---- state hashes, for the explorer's state cache (explore.h) ---------- */

/*
 * The running entity declares that its local state, from here until the
 * blocking call it is about to make returns (that call's own re-blocking
 * included), is summarized by PP: where it is and every value its stack
 * holds that it will use, so that two runs in which every entity has
 * equal points and the world equal objects go on alike.  A blocking call
 * made without a declaration leaves the entity's point unknown, and a
 * state with an entity at an unknown point is never cached.  An entity
 * not started yet is at a known point; so is a worker in sched_pop(),
 * which must keep nothing from one item to the next.
 */
void		 sched_point(struct sched *, uint64_t pp);

/* What the world is asked to name in a state hash (sched_set_ident()). */
enum sched_ident_kind {
	SCHED_IDENT_EVENT,	/* an event's owner */
	SCHED_IDENT_ITEM,	/* an item in a queue */
	SCHED_IDENT_POST	/* a posted action's argument */
};

/*
 * IDENT(CTX, KIND, OBJ, &known) names the world's OBJ by its content,
 * the same in every run in which it is the same (never by address);
 * *KNOWN false if it cannot.
 */
void		 sched_set_ident(struct sched *,
		    uint64_t (*ident)(void *ctx, enum sched_ident_kind,
		    const void *obj, bool *known), void *ctx);
/*
 * The scheduler's part of the state between steps (schedstate.c): every
 * entity's state, what it waits for, the locks it holds, its point, and
 * the posted actions not yet fired as a set.  *COMPLETE false if some
 * entity's point or some object's identity is unknown.  Lock owners and
 * queue contents are the world's to hash (they live in its objects).
 */
uint64_t	 sched_state_hash(const struct sched *, bool *complete);
/*
 * Action A (sched_act_is_post()) named the same in every run that is in
 * the same state: an entity by its id, a posted action by its argument's
 * identity; *KNOWN false if it cannot be.
 */
uint64_t	 sched_action_ident(const struct sched *, uint32_t a,
		    bool *known);

/* Stacks kept across the schedules of an exploration (fiber.h). */
struct fiber_pool;

/* Before sched_run: choose with CHOOSER (copied; NULL: the policy) and
 * take entity stacks from POOL (NULL: the heap). */
void		 sched_plug(struct sched *, const struct sched_chooser *,
		    struct fiber_pool *);
/* The lock-order graph of S's run so far (owned by S). */
const struct lockorder *sched_lockorder(const struct sched *);

#endif

#include "explore.h"
