/*
 * The lock-order checker: a graph of lock classes and the cycles in it,
 * as the kernel's lockdep keeps one.
 *
 * The model.  A node is a lock class: every lock of one key (sched.h:
 * locks initialized from one name share the key of that name), or a work
 * queue, which a worker holds while it processes an item and which a wait
 * for an event signalled through the queue takes for an instant
 * (flush_work()'s annotation).  An edge A -> B says that some entity,
 * holding A, took (or tried to take) B.  The scheduler adds the edges of
 * one schedule as they happen, before any blocking, so an attempt that
 * deadlocks is still recorded; the explorer merges the graphs of all the
 * schedules it runs.  A cycle in the merged graph is an order that can
 * deadlock, whether or not a schedule did.
 *
 * Identity.  Nodes are found by their 64-bit key alone, through a hash
 * index; the name is kept for reports only.  The caller keeps the keys of
 * locks and queues apart (sched.c gives them different kind bits).  Node
 * ids are dense, 0 up, in the order nodes were added; edges are kept once
 * each, in the order first seen.
 *
 * Invariants (lockorder_check()): node keys are distinct and each is found
 * by the index at its own id; edges are distinct, join existing nodes and
 * are each found by the edge index; names are NUL-terminated.
 *
 * Listing (lockorder_cycles()): every elementary cycle once, as
 * "A -> B -> A", starting from its node of lowest id, in lexicographic
 * order of the node ids along it.  After a merge, ids follow the order in
 * which edges were first seen, so a cycle starts from the lock that was
 * taken first.  The listing is bounded by LOCKORDER_MAX_CYCLES and by a
 * budget of path extensions; past either it says there are more.  The
 * user-visible form is described under "Lock order" in
 * blksim-scenario(5).
 */
#ifndef SIM_LOCKORDER_H
#define SIM_LOCKORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOCKORDER_NAME		32	/* a node's name, cut to fit */
#define LOCKORDER_MAX_CYCLES	16
#define LOCKORDER_CYCLE_LEN	256
#define LOCKORDER_BUDGET	1000000	/* path extensions when listing */

/* An index of positions in an array of keys, by key hash. */
struct lockorder_index {
	int32_t		*slot;		/* position + 1; 0 is empty */
	size_t		 cap;		/* 0 or a power of two */
};

/* A graph; a zeroed one is empty.  lockorder_free() releases it. */
struct lockorder {
	uint64_t	*key;		/* per node */
	char		(*name)[LOCKORDER_NAME];
	size_t		 nnode, cap;
	struct lockorder_index nodes;	/* into key[] */
	uint64_t	*edge;		/* from << 32 | to, first seen first */
	size_t		 nedge, ecap;
	struct lockorder_index edges;	/* into edge[] */
};

/* Cycles found, for reports. */
struct lockorder_report {
	char		cycles[LOCKORDER_MAX_CYCLES][LOCKORDER_CYCLE_LEN];
	int		ncycles;
	bool		more;		/* there are more than shown */
};

int	lockorder_node(struct lockorder *, uint64_t key, const char *name);
void	lockorder_edge(struct lockorder *, int from, int to);
void	lockorder_merge(struct lockorder *dst, const struct lockorder *src);
void	lockorder_cycles(const struct lockorder *, struct lockorder_report *);
void	lockorder_free(struct lockorder *);
int	lockorder_check(const struct lockorder *, const char **why);

#endif
