/*
 * The report of a stuck world, as lockdep reports a deadlock: what each
 * entity holds and waits for, and the wait-for cycle.
 *
 * The model.  A world is stuck when no action is enabled and some task
 * has not finished or some worker is stuck inside an item: blocked on
 * anything but its empty queue (a worker idle on an empty queue is an
 * idle kworker, not a deadlock).  Who waits for whom:
 *
 *   - an entity blocked on a lock waits for the lock's owner;
 *   - one blocked on an event signalled through a work queue (a
 *     wait_for_completion() on a bio whose end_io runs in a workqueue)
 *     waits for that queue's busy workers: a worker processing an item
 *     holds its queue until sched_done() or its next sched_pop();
 *   - a worker waiting for work, or anything waiting for an event no
 *     queue signals, waits for nobody the report can name.
 *
 * The report gives each entity's holds (its locks in the order it took
 * them, then "processing an item of Q") and waits ("L (held by task 2)",
 * "E (signalled through Q, whose worker is busy)", "work on Q"), and, for
 * a deadlock, the first cycle of the wait-for graph found from the
 * entities in priority order (tasks, then workers, each in spawn order),
 * written from its first entity in that order.  The text the program
 * prints from it is described under "Deadlocks" in blksim-scenario(5).
 */
#ifndef SIM_DEADLOCK_H
#define SIM_DEADLOCK_H

#include <stdbool.h>

#include "sched.h"

/* S, which has no enabled action, is stuck (see above). */
bool	deadlock_stuck(const struct sched *);
/* RES's entities from S's final state; its cycle too if RES says
 * SCHED_DEADLOCK.  The rest of RES is the runtime's. */
void	deadlock_report(const struct sched *, struct sched_result *);

#endif
