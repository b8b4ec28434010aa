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
 * each, in the order first seen, each with where it was first seen
 * (struct lockorder_seen: the entity, the task it worked for, the
 * model functions that took the held node and the new one), which a
 * merge carries over with the edge.
 *
 * Invariants (lockorder_check()): node keys are distinct and each is found
 * by the index at its own id; edges are distinct, join existing nodes and
 * are each found by the edge index; names, and the names where each
 * edge was seen, are NUL-terminated.
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
#define LOCKORDER_CYCLE_EDGES	8	/* edges of a cycle with details */

/*
 * Where an edge A -> B was first seen: WHO, the entity that held A and
 * took B ("task 2"); TASK, the entity id of the task it worked for (see
 * sched.h, Sites), or -1; ITEM, the posted action whose item a worker
 * was processing ("data read D1"), or ""; HELD_FN and TAKE_FN, the model
 * functions that took A and B (static strings: __func__), or NULL.
 */
struct lockorder_seen {
	char		 who[LOCKORDER_NAME];
	char		 item[LOCKORDER_NAME];
	int		 task;
	const char	*held_fn;
	const char	*take_fn;
};

/* One edge of a reported cycle, with where it was first seen. */
struct lockorder_report_edge {
	char		 from[LOCKORDER_NAME];
	char		 to[LOCKORDER_NAME];
	struct lockorder_seen seen;
};

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
	struct lockorder_seen *seen;	/* per edge */
	size_t		 nedge, ecap;
	struct lockorder_index edges;	/* into edge[] */
};

/* Cycles found, for reports: each as text and as its edges (the first
 * LOCKORDER_CYCLE_EDGES of them; NEDGES counts them all). */
struct lockorder_report {
	char		cycles[LOCKORDER_MAX_CYCLES][LOCKORDER_CYCLE_LEN];
	struct lockorder_report_edge edges[LOCKORDER_MAX_CYCLES]
			    [LOCKORDER_CYCLE_EDGES];
	int		nedges[LOCKORDER_MAX_CYCLES];
	int		ncycles;
	bool		more;		/* there are more than shown */
};

int	lockorder_node(struct lockorder *, uint64_t key, const char *name);
/* FROM -> TO, first seen at SEEN (NULL: nowhere known; copied). */
void	lockorder_edge(struct lockorder *, int from, int to,
	    const struct lockorder_seen *seen);
void	lockorder_merge(struct lockorder *dst, const struct lockorder *src);
void	lockorder_cycles(const struct lockorder *, struct lockorder_report *);
void	lockorder_free(struct lockorder *);
int	lockorder_check(const struct lockorder *, const char **why);

#endif
