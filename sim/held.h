/*
 * What an entity holds, and since where: the held-lock list of a
 * scheduler entity (or of the running device callback), each lock with
 * the site that took it.
 *
 * The model.  A list holds the locks in the order they were taken (a
 * release keeps the others in order), each with its site (sched.h,
 * struct sched_site): the model function that took it, and the task the
 * work was for.  It is the scheduler's (sim/sched.c) bookkeeping, kept
 * beside it so that the reports (sim/deadlock.c) and the lock-order
 * edges (which name where the held lock was taken) read one structure.
 *
 * Invariants (held_check()): N is at most CAP; each entry has a lock,
 * and no lock is listed twice.
 */
#ifndef SIM_HELD_H
#define SIM_HELD_H

#include <stddef.h>

#include "sched.h"

struct sched_held {
	struct sched_lock **lock;	/* in acquisition order */
	struct sched_site *at;		/* where each was taken */
	size_t		 n, cap;
};

/* L is now held, taken at AT: append it. */
void	held_push(struct sched_held *, struct sched_lock *l,
	    struct sched_site at);
/* L is released: drop it, keeping the others in order. */
void	held_remove(struct sched_held *, const struct sched_lock *l);
/* The first spinlock held, or NULL. */
struct sched_lock *held_spinlock(const struct sched_held *);
/* Release the arrays; the list is empty afterwards. */
void	held_free(struct sched_held *);
/* The invariants above: 0, or -EINVAL with *WHY set. */
int	held_check(const struct sched_held *, const char **why);

#endif
