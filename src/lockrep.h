/*
 * The lockdep-style reports of a concurrent block: its first deadlock
 * and its possible lock-order cycles, as text for people and as JSON
 * fields for programs (blksim-scenario(5), Deadlocks and Lock order).
 *
 * The data model.  The scheduler reports each entity with its holds and
 * its wait, each at a site: the model function that took it and the
 * task the work was for (sim/sched.h, Sites); the lock-order checker
 * reports each edge of a cycle with where it was first seen
 * (sim/lockorder.h).  A struct lockrep_block adds what the model does
 * not know: the era, whose table names the kernel function each model
 * function stands for (era_kernel_fn()), and the block's tasks, whose
 * statements give the line and text of a task, of the work a worker
 * does for it, and of each site.  Text lines fit a width (wrap.h); the
 * replay line alone may not, if its path is long.  Every function
 * returns a string the caller frees.
 */
#ifndef SRC_LOCKREP_H
#define SRC_LOCKREP_H

#include <stddef.h>
#include <stdint.h>

#include "../sim/era.h"
#include "../sim/lockorder.h"
#include "../sim/sched.h"

/* The text reports fit 100 columns as printed: their lines are
 * indented by 4 (a failed point's detail) or 6 (a note) more. */
#define LOCKREP_WIDTH		100

struct lockrep_block {
	const struct era_ops	*era;
	uint32_t		 line;		/* the block's */
	size_t			 ntasks;
	const uint32_t		*task_line;	/* per task (entity id) */
	char *const		*task_text;	/* "read a 0 4K" */
};

/* D's report in lines of at most WIDTH columns, ending with the schedule
 * and REPLAY, the command that runs it again. */
char	*lockrep_deadlock_text(const struct lockrep_block *,
	    const struct sched_result *d, const char *replay, int width);
/* D as a JSON object: the entities with statements, holds and waits at
 * their sites, the cycle and the schedule. */
char	*lockrep_deadlock_json(const struct lockrep_block *,
	    const struct sched_result *d);
/* Cycle C of REP as a note: "line N: possible lock-order cycle: ...",
 * then, each line opening with a space, where each edge was first seen
 * and lockdep's unsafe locking scenario, within WIDTH columns. */
char	*lockrep_cycle_text(const struct lockrep_block *,
	    const struct lockorder_report *rep, int c, int width);
/* Cycle C of REP as a JSON object, its edges with where first seen. */
char	*lockrep_cycle_json(const struct lockrep_block *,
	    const struct lockorder_report *rep, int c);

#endif
