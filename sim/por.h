/*
 * Partial-order reduction: footprints, and the sleep sets built on them.
 *
 * The model.  A step of a schedule is one action of the scheduler
 * (sched.h): an entity runs from one scheduling point to the next, or a
 * posted action's callback runs.  Its footprint is the set of the shared
 * objects the step read or wrote, each named by a 64-bit key.  Two steps
 * whose footprints are disjoint are independent: from a state in which
 * both are enabled, running them in either order reaches the same state,
 * and neither enables or disables the other.  Runs that differ only in
 * the order of adjacent independent steps are equivalent (one
 * Mazurkiewicz trace): each entity takes the same steps, dependent steps
 * come in the same order, and they end in the same state.
 *
 * Keys.  Each schedule re-executes a fresh copy of the world, so objects
 * are known by key, never by address.  A key is the object's kind in the
 * top POR_KIND_BITS bits and the object's own key, chosen by whoever
 * created it, in the low POR_KEY_BITS bits (por_key()).  Keys of two kinds
 * never collide, by construction.  Two objects of one kind and one key
 * are one object to the reduction: that makes more steps dependent, never
 * fewer, so it costs reduction, not soundness.  An object key wider than
 * POR_KEY_BITS is hashed into them, with the same effect if it collides.
 *
 * A step that ended the schedule (an oops) disables every other action,
 * so its footprint is "all": it is dependent on every step.
 *
 * Sleep sets (Godefroid's).  The explorer (explore.h) walks the tree of
 * schedules depth first.  At each state of the walk it keeps a sleep set:
 * actions that need not be tried there, each with the footprint its step
 * had.  After action t was explored from a state, t goes to sleep in the
 * subtrees of the actions tried after it from that state
 * (por_sleep_add() on the state's "done" set), and stays asleep down a
 * subtree as long as the steps taken there are independent of it
 * (por_sleep_inherit()).  An asleep action is not tried; a run in which
 * every enabled action is asleep is cut.
 *
 * Why it is sound.  An action asleep at a state s was tried at an
 * ancestor state, and commutes with every step taken since: any run from
 * s that takes it is equivalent to a run that takes it at that ancestor,
 * which was (or will be) explored earlier.  So every trace of complete
 * runs is explored at least once, and the first run of each trace, in
 * exploration order, is never cut.  Every final state, deadlock and oops
 * that plain exploration reaches is reached, and the first run with a
 * property that equivalent runs share (it deadlocks, a task ends with some
 * outcome) is the same run with or without the reduction.  The lock-order
 * graph (lockorder.h), made of each entity's own sequence of locks, is the
 * same too.  The reduction is not combined with a preemption bound: the
 * run that would stand for a trace may be one that the bound cuts.
 *
 * What it requires of the caller.  Footprints must be complete: every
 * access by a step to state that another entity or callback may also
 * access must be in the step's footprint.  The scheduler records its own
 * objects itself: every lock, event and queue a step takes, releases,
 * tests, signals, pushes or pops (including the one an entity was blocked
 * on), and the counter that numbers posted actions.  State of the caller's
 * that entities share outside a sched lock must be declared with
 * sched_touch_key().  The world must also be deterministic: the same
 * choices from the same start give the same steps.  A missing declaration
 * makes two dependent steps look independent, and the reduction then
 * silently skips runs, and with them final states.
 */
#ifndef SIM_POR_H
#define SIM_POR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rng.h"

#define POR_KIND_BITS	3
#define POR_KEY_BITS	(64 - POR_KIND_BITS)
#define POR_KEY_MAX	((UINT64_C(1) << POR_KEY_BITS) - 1)

/* What kind of object a footprint key names. */
enum por_kind {
	POR_LOCK = 1,	/* a sched lock: taken, released, tested */
	POR_EVENT,	/* a one-shot event: waited on, signalled */
	POR_QUEUE,	/* a work queue: pushed, popped */
	POR_TOUCH,	/* caller state: sched_touch_key() */
	POR_POST,	/* the counter that numbers posted actions */
	POR_NKIND
};

/* The footprint key of the object of kind KIND and object key KEY. */
static inline uint64_t
por_key(enum por_kind kind, uint64_t key)
{
	if (key > POR_KEY_MAX)
		key = rng_mix64(key) & POR_KEY_MAX;
	return (uint64_t)kind << POR_KEY_BITS | key;
}

/* The kind of footprint key KEY. */
static inline enum por_kind
por_key_kind(uint64_t key)
{
	return (enum por_kind)(key >> POR_KEY_BITS);
}

/*
 * A footprint: distinct keys in the order first added, and a 64-bit
 * summary (one bit per key, chosen by a hash of it) that tells most
 * disjoint pairs apart without comparing keys.  Its arrays are its own.
 */
struct por_fp {
	uint64_t	*key;
	size_t		 n, cap;
	uint64_t	 summary;
	bool		 all;	/* the step ended the schedule */
};

/* An action asleep (or explored) at a state, with its step's footprint. */
struct por_asleep {
	uint32_t	 act;
	struct por_fp	 fp;
};

/* A set of such actions, distinct, in the order added.  Owns its fps. */
struct por_sleep {
	struct por_asleep *v;
	size_t		 n, cap;
};

/* Footprints.  A zeroed struct por_fp is an empty footprint. */
void	por_fp_add(struct por_fp *, uint64_t key);
void	por_fp_reset(struct por_fp *);
void	por_fp_copy(struct por_fp *dst, const struct por_fp *src);
void	por_fp_free(struct por_fp *);
bool	por_fp_disjoint(const struct por_fp *, const struct por_fp *);
int	por_fp_check(const struct por_fp *, const char **why);

/* Sleep sets.  A zeroed struct por_sleep is an empty set. */
void	por_sleep_add(struct por_sleep *, uint32_t act, const struct por_fp *);
bool	por_sleep_has(const struct por_sleep *, uint32_t act);
void	por_sleep_inherit(struct por_sleep *next, const struct por_sleep *sleep,
	    const struct por_sleep *done, const struct por_fp *taken);
void	por_sleep_free(struct por_sleep *);
int	por_sleep_check(const struct por_sleep *, const char **why);

#endif
