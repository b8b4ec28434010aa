/*
 * The reduction check (blksim run --reduction=check, blksim(1)): the
 * sleep sets of an explored block promise to keep every outcome, so the
 * set of outcomes with them must equal the set without them.  An outcome
 * is what one schedule ended in, written as a line of text:
 *
 *	completed|deadlock|oops [the cycle, or the oops message]
 *	each task: its status and what its read returned
 *	(completed) the invariant findings and the final state: the
 *	counters, and per file its size, extent items and cached maps
 *
 * Nothing in it depends on the order of independent steps (no bio
 * numbers, no schedule), so equivalent schedules give the same line.
 * A set keeps each distinct line once, with the first schedule (in
 * exploration order) that gave it, for the report.
 */
#ifndef SRC_RCHECK_H
#define SRC_RCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct fs;
struct fs_read_result;
struct sched_result;

struct rcheck;

/* An empty set (caller frees with rcheck_free). */
struct rcheck	*rcheck_new(void);
void		 rcheck_free(struct rcheck *);

/* The parts of an outcome's line, written to F in this order. */
void	rcheck_outcome(FILE *f, const struct sched_result *res);
void	rcheck_task(FILE *f, size_t task, int status,
	    const struct fs_read_result *rr);
void	rcheck_state(FILE *f, struct fs *fs);
/* Add the line LINE (taken over) that schedule SCHEDULE gave. */
void	rcheck_add(struct rcheck *, char *line, const char *schedule);
/* Distinct outcomes in the set. */
size_t	rcheck_count(struct rcheck *);
/*
 * Compare the outcomes with the reduction (REDUCED) and without (FULL).
 * Returns NULL when they are the same set, else a sentence saying how
 * many of each side the other lacks and the first such outcome with its
 * schedule (caller frees).
 */
char	*rcheck_compare(struct rcheck *reduced, struct rcheck *full);

#endif
