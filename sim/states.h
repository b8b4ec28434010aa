/*
 * The explorer's state cache: the states an exploration has explored
 * from, each with the sleep set it was explored with (explore.h,
 * opts.states).
 *
 * The model.  A state is a 64-bit hash of everything that decides the
 * world's future (sched_state_hash() and the world's own part); a sleep
 * set is a set of 64-bit action identities (sched_action_ident()).  The
 * explorer asks, at each new state of a run, whether to go on:
 *
 *   - a state not seen before is stored with the run's sleep set there,
 *     and the run goes on;
 *   - a state seen with a sleep set S and reached now with a sleep set
 *     S' that contains S is cut: the earlier visit explored every action
 *     enabled there but those of S, so everything that can follow from
 *     here (every final state, deadlock, oops and task outcome) was
 *     reached from there;
 *   - otherwise the run goes on, and the stored set becomes S n S' (after
 *     this visit, only actions asleep in both were left out).
 *
 * With DFS the earlier visit's subtree is complete when a later run meets
 * the state again (a state never repeats along one run: every step moves
 * an entity or fires an action on), so the cut loses nothing.  This is the
 * state-caching of explicit-state model checkers (SPIN, TLC), combined
 * with sleep sets as Godefroid's thesis (LNCS 1032, ch. 5) combines them:
 * by storing the sleep set with the state and cutting only when the new
 * one is a superset.
 *
 * Storage: an open-addressing table keyed by the hash (linear probing, at
 * most half full), each entry with its set as a sorted array.  Memory
 * grows with the states stored: 24 bytes each, plus 8 per sleeping
 * action.  Invariants (states_check): keys non-zero and found at their
 * probe position, sets sorted and distinct, the count exact.
 */
#ifndef SIM_STATES_H
#define SIM_STATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct states_entry {
	uint64_t	 hash;		/* 0: empty (hash 0 is stored as 1) */
	uint64_t	*sleep;		/* sorted, distinct; owned */
	size_t		 nsleep;
};

struct states {
	struct states_entry *slot;
	size_t		 cap;		/* 0 or a power of two */
	size_t		 n;
};

/* An empty cache (a zeroed struct is one too). */
void	states_init(struct states *);
void	states_free(struct states *);

/*
 * A run reached state HASH with the sleep set SLEEP (N identities, in any
 * order, repeats allowed): true to cut it there; see above.
 */
bool	states_visit(struct states *, uint64_t hash, const uint64_t *sleep,
	    size_t n);

int	states_check(const struct states *, const char **why);

#endif
