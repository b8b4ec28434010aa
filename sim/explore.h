/*
 * The explorer: stateless model checking over the scheduler's choices.
 *
 * The model.  A world (sched.h) is deterministic but for the choice, at
 * each step, among the enabled actions.  Its schedules form a tree: a
 * node is the state after a prefix of choices, its children are the
 * enabled actions, in the scheduler's priority order.  The explorer walks
 * that tree depth first without storing states: each schedule
 * re-executes the world from the caller's setup() (a clone of the model
 * and its entities), following the recorded prefix of choices and then
 * new ones.  The first schedule is the fifo one (the first child
 * everywhere); the next backtracks to the deepest step with an untried
 * alternative, tries the next in priority order, and goes on by the fifo
 * rule from there.  The user's view is "schedule=explore" in
 * blksim-scenario(5).
 *
 * The trail records, per step of the current schedule: the enabled
 * actions, the index of the choice, the preemptions before it, the
 * entity that may be preempted, the footprint the step had and, with the
 * reduction, its sleep set and the actions already explored from there
 * (por.h).  Invariants (explore_trail_check()): every step's choice is
 * enabled, within the preemption bound and not asleep; preemption counts
 * and the preemptable entity follow from the step before; the explored
 * actions precede the choice in priority order and are not asleep; each
 * sleep set is what the step before passes down (por_sleep_inherit());
 * without the reduction, sleep sets are empty.
 *
 * Preemption bound: after an entity's step that ended at a preemption
 * point, that entity is current (it is still runnable); a step that
 * blocks or finishes leaves none current, and a posted action's step
 * leaves the current entity as it was.  A choice of anything but the
 * current entity, while there is one, is a preemption.  Alternatives over
 * the bound are skipped, and the exploration then is not exhaustive.  The
 * reduction is off under a bound (por.h says why).
 *
 * Shards (opts.shard_n > 1): the tree is cut at a depth D into parts, the
 * nodes at depth D (and the schedules that end above it), numbered 0, 1,
 * ... in exploration order; shard K of N owns the parts whose number is
 * K - 1 modulo N.  D is the first depth at which the product of the first
 * schedule's choosable alternatives reaches 8N, so that there are likely
 * several parts per shard; it depends only on the first schedule, which
 * every shard runs, so every shard numbers the parts alike.  Above D
 * every shard runs every step (the sleep sets passed down depend on the
 * footprints of the steps there); a run in a part the shard does not own
 * is cut when it reaches depth D, and counted in foreign, not in
 * schedules.  With sleep sets and no state cache, the shards' schedules
 * are then exactly the unsharded exploration's, each in one shard.  Two
 * facts of the whole tree are wanted by every shard alike: the first
 * schedule that completes (the scenario goes on from it) and, with
 * opts.shard_wait_deadlock, the first deadlock.  Until the explorer has
 * seen them, it runs other shards' parts to the end too and visits those
 * schedules with foreign set; they are not counted, and no state in them
 * is cached or cut.  A tree without either fact is run whole by every
 * shard.  The state cache works inside the shard's own parts, at depth D
 * and below only: a state it cuts was explored from before by this
 * shard, inside one of its parts, whose subtree it ran whole.  Every
 * outcome below a cut state was then reached before it, so the cache
 * never skips the first schedule that completes or deadlocks: every
 * shard finds the same ones as the unsharded exploration.  The lock-order graph (result's order) holds the
 * shard's own schedules: a cycle whose edges come from schedules of two
 * shards is in neither shard's.
 *
 * The explorer drives sched_run() through the chooser of sched.h, so the
 * runtime knows nothing of trails.  A world that enables other actions
 * after the same choices is not deterministic: that run is a BAD_REPLAY
 * and the exploration stops.  Coroutine stacks are pooled across the
 * schedules of one exploration.
 */
#ifndef SIM_EXPLORE_H
#define SIM_EXPLORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lockorder.h"
#include "por.h"
#include "sched.h"

#define EXPLORE_DEFAULT_SCHEDULES	100000

struct sched_explore_opts {
	enum sched_policy policy;	/* FIFO: 1 schedule; RANDOM: runs; */
	uint64_t	seed;		/*   EXPLORE (below): systematic */
	uint64_t	runs;		/* RANDOM */
	uint64_t	max_schedules;	/* EXPLORE bound (0: the default,
					   EXPLORE_DEFAULT_SCHEDULES) */
	int		preemption_bound; /* < 0: unbounded (0 is a bound) */
	bool		explore;	/* systematic DFS over choices */
	bool		stop_at_deadlock; /* stop at the first deadlock */
	/*
	 * Sleep sets (EXPLORE, unbounded only): the caller promises that
	 * entities and callbacks share memory only through sched objects,
	 * under a sched lock, or as declared with sched_touch_key().
	 */
	bool		por;
	const char	*replay;	/* SCHED_POLICY_REPLAY: one run */
	size_t		max_steps;	/* per schedule; 0: a default */
	void		(*progress)(void *arg, uint64_t done, double rate);
	void		*progress_arg;	/* called about every 0.25 s */
	/* Passed to every schedule's sched_opts; meant for one replay. */
	void		(*observe)(void *arg, const struct sched_obs *);
	void		*observe_arg;
	/* Tests: walk the trail's invariants after every operation on it;
	 * a broken one stops the exploration (result's broken). */
	bool		check;
	/*
	 * State caching (EXPLORE, with or without sleep sets): after every
	 * step the explorer hashes the state, the scheduler's part
	 * (sched_state_hash()) with the world's, WORLD_HASH(ARG, &complete)
	 * (the model state the entities share and anything they keep
	 * outside their stacks), and cuts a run at a state it has explored
	 * from before with a sleep set no larger than the one it has now
	 * (states.c says why that keeps every outcome).  States that are
	 * not complete (an entity at an unknown program point) are never
	 * cut.  Sound but for 64-bit hash collisions.  The cache starts
	 * after the first completed schedule, which the world goes on from:
	 * that one is then the same with and without the cache.
	 */
	bool		states;
	uint64_t	(*world_hash)(void *arg, bool *complete);
	/* Shards (EXPLORE; above): this is shard SHARD_K of SHARD_N, 1 <=
	 * K <= N; N of 0 or 1 is the whole tree. */
	unsigned	shard_k, shard_n;
	bool		shard_wait_deadlock; /* every shard wants the first
					   deadlock of the whole tree */
};

struct sched_explore_result {
	uint64_t	schedules;	/* run */
	uint64_t	deadlocks;	/* schedules that deadlocked */
	uint64_t	oopses;
	uint64_t	step_limits;	/* schedules cut at max_steps */
	uint64_t	bad_replays;
	uint64_t	pruned;		/* runs cut by sleep sets or the state
					   cache, not counted in schedules */
	uint64_t	cached;		/* of those, cut by the state cache */
	uint64_t	states;		/* distinct states the cache holds */
	uint64_t	foreign;	/* runs in other shards' parts */
	uint64_t	parts;		/* shards: the parts of the tree,
					   the same in every shard */
	bool		exhausted;	/* every schedule was run (EXPLORE,
					   and no alternative cut by the
					   preemption bound); with shards,
					   every one of this shard's */
	bool		seen_deadlock;	/* a run deadlocked, this shard's or
					   (shards) a foreign one */
	struct sched_result first_deadlock;	/* valid if seen_deadlock:
						   the first in exploration
						   order */
	struct sched_result first_oops;		/* valid if oopses > 0 */
	struct lockorder_report order;	/* cycles across all schedules */
	const char	*broken;	/* opts.check: the broken invariant */
};

/*
 * Run schedules of the world that SETUP builds (a new sched each time:
 * SETUP must create the model state afresh, spawn the entities and return
 * the sched made with sched_new(OPTS); VISIT, if not NULL, sees each
 * finished schedule with the sched still alive (to read the model state)
 * and returns false to stop; TEARDOWN frees the model state, then
 * sched_explore frees the sched).  SETUP may return NULL to stop.  Runs
 * cut by sleep sets are neither visited nor counted as schedules.  Fills
 * RES.  The name keeps the sched_ prefix its callers have always used.
 */
void	sched_explore(const struct sched_explore_opts *,
	    struct sched *(*setup)(void *arg, const struct sched_opts *),
	    bool (*visit)(void *arg, struct sched *, const struct sched_result *),
	    void (*teardown)(void *arg, struct sched *), void *arg,
	    struct sched_explore_result *res);

/* ---- the trail, for sched_explore() and its unit tests ------------------- */

struct explore_step {
	uint32_t	*en;		/* enabled actions, priority order */
	size_t		 nen;
	size_t		 choice;	/* index into en */
	int		 preempts;	/* preemptions before this step */
	int		 yielded;	/* entity that may be preempted, -1 */
	struct por_fp	 fp;		/* what the chosen step touched */
	bool		 fp_yielded;	/* the chosen entity yielded */
	struct por_sleep sleep;		/* asleep here */
	struct por_sleep done;		/* explored here before choice */
};

/* Zeroed but for POR and BOUND: an empty trail, before the first run. */
struct explore_trail {
	struct explore_step *step;
	size_t		 nstep, cap;
	bool		 por;		/* sleep sets */
	int		 bound;		/* preemption bound, < 0 none */
	bool		 bound_cut;	/* an alternative was skipped */
};

/* The choice at step STEP of a run among the NEN enabled actions EN. */
enum sched_choice explore_choose(struct explore_trail *, size_t step,
	    const uint32_t *en, size_t nen, uint32_t *a);
/* Step STEP ran: its footprint, whether it ended the schedule, whether
 * the entity it resumed is still runnable (it yielded). */
void	explore_ran(struct explore_trail *, size_t step,
	    const struct por_fp *fp, bool ended, bool yielded);
/* After a run: move to the next untried branch; false when none is left. */
bool	explore_backtrack(struct explore_trail *);
void	explore_trail_free(struct explore_trail *);
int	explore_trail_check(const struct explore_trail *, const char **why);

#endif
