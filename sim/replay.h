/*
 * Schedule strings: how a run's choices are written, and the replay
 * policy that reads one back.
 *
 * The model.  A schedule is the sequence of actions a run chose, written
 * as their names separated by commas: T<n> resumes task n, W<n> worker n
 * (each counted from 1 in spawn order within its role), D<n> fires the
 * n-th posted action of the run (a bio the device completes), e.g.
 * "T1,T2,W1,D1,W1,D2"; blanks around a name are allowed.  Every run
 * writes its string (cut, and marked truncated, past its 1 KiB buffer);
 * SCHED_POLICY_REPLAY follows one exactly.  A string fits a world when
 * each name is an action enabled at its step and the string ends when
 * nothing can run any more; anything else is SCHED_BAD_REPLAY, with the
 * step and the reason.  The user's view is "Schedule strings" in
 * blksim-scenario(5).
 */
#ifndef SIM_REPLAY_H
#define SIM_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sched.h"

/* "T1", "W2" or "D3" for action A of S, into BUF; returns BUF. */
const char	*replay_label(const struct sched *, uint32_t a, char *buf,
		    size_t size);
/* Append action A to S's schedule string. */
void		 replay_note(struct sched *, uint32_t a);
/* The replay policy: the string's next action among the NEN enabled
 * ones, into *A; false with a BAD_REPLAY outcome. */
bool		 replay_choose(struct sched *, size_t nen, uint32_t *a);
/* The run is over: a string that goes on is a BAD_REPLAY. */
void		 replay_end(struct sched *);

#endif
