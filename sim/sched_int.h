/*
 * The scheduler's own state: entities, posted actions, the run.
 *
 * Private to the runtime (sim/sched.c, with its invariant walker in
 * sim/schedcheck.c, its state hash in sim/schedstate.c and the objects
 * a world declares in sim/schedobj.c) and to the two modules that read
 * its entities: the
 * reports of a stuck world (sim/deadlock.c) and the schedule strings
 * (sim/replay.c).  No other file may include it.  The
 * explorer and the rest of blksim reach the runtime through sched.h only
 * (the explorer through its chooser hook).
 *
 * An entity's wait fields say what it is blocked on (one of them, as its
 * wait kind says, or none when it is not blocked), and WAT where the wait
 * began.  A worker "serves" the last queue it popped and is "busy" while
 * it processes that item, which it popped at POPAT; TASK is the task it
 * works for (sched.h, Sites), a task's own id for a task, and ITEM the
 * posted action (index + 1) whose callback queued the item, or 0.  The
 * private files also include held.h (the held-lock lists).
 */
#ifndef SIM_SCHED_INT_H
#define SIM_SCHED_INT_H

#include <string.h>

#include "fiber.h"
#include "held.h"
#include "lockorder.h"
#include "por.h"
#include "rng.h"
#include "sched.h"

struct sched_ent {
	char		 name[SCHED_NAME];
	enum sched_role	 role;
	int		 id;		/* index in sched.ent */
	int		 nth;		/* the n of T<n> or W<n> */
	void		(*fn)(struct sched *, void *);
	void		*arg;
	struct fiber	 fiber;		/* its stack and context */
	enum sched_state state;
	enum sched_wait_kind wait;	/* NONE unless BLOCKED */
	struct sched_lock *wlock;	/* WAIT_LOCK */
	struct sched_event *wevent;	/* WAIT_EVENT */
	struct sched_queue *wqueue;	/* WAIT_QUEUE */
	struct sched_site wat;		/* where the wait began */
	struct sched_held held;
	struct sched_queue *serves;	/* last queue it popped: it works it */
	bool		 busy;		/* processing an item of serves */
	struct sched_site popat;	/* where it popped that item */
	int		 task;		/* the task it works for, or -1 */
	int		 item;		/* the item's posted action + 1, or 0 */
	/*
	 * Its program point (sched_point()): a summary of its local state
	 * valid while PP_SET, from the declaration until the blocking call
	 * after it returns.  Set at spawn (not started) and by sched_pop().
	 */
	uint64_t	 pp;
	bool		 pp_set;
};

/* A posted action (D<n>): a callback the scheduler fires when chosen. */
struct sched_action {
	char		 name[SCHED_NAME];
	void		(*fire)(struct sched *, void *);
	void		*arg;
	bool		 fired;
	int		 task;		/* posted for this task, or -1 */
};

struct sched {
	struct sched_opts opts;
	char		*replay;	/* our copy of opts.replay */
	const char	*rp;		/* next replay token (replay.c) */
	struct sched_ent *ent[SCHED_MAX_ENTITIES];
	int		 nent, ntask, nworker;
	int		 order[SCHED_MAX_ENTITIES]; /* tasks, then workers */
	struct sched_action *act;	/* posted, in posting order */
	size_t		 nact, actcap;
	size_t		 unfired;	/* actions before it have fired */
	uint32_t	*en;		/* enabled actions this step */
	size_t		 encap;
	struct fiber_host host;		/* the scheduler's context */
	int		 cur;		/* running entity, or -1 */
	size_t		 firing;	/* running callback: index + 1, or 0 */
	struct sched_held irq;		/* spinlocks the callback holds */
	bool		 running;	/* inside sched_run */
	bool		 ran;
	bool		 stop;		/* an oops or a bad replay: end */
	bool		 pruned;	/* the chooser cut the run */
	enum sched_outcome outcome;
	char		 msg[160];
	char		 sched[1024];	/* the schedule string so far */
	size_t		 slen;		/*   (replay.c) */
	bool		 truncated;
	size_t		 steps;
	struct rng	 rng;
	struct por_fp	 fp;		/* what the current step touched */
	struct lockorder graph;		/* this schedule's lock order */
	struct sched_chooser chooser;	/* choose NULL: the policy's turn */
	struct fiber_pool *pool;	/* stacks come from here, or NULL */
	/* The world's identities of events, items and posts (state hashes). */
	uint64_t	(*ident)(void *ctx, enum sched_ident_kind,
			    const void *obj, bool *known);
	void		*ident_ctx;
};

/* The first failure of a run, OUTCOME with a message: the schedule ends
 * after this step.  Later ones are ignored. */
void	sched_fail(struct sched *, enum sched_outcome outcome,
	    const char *fmt, ...) __attribute__((__format__(__printf__, 3, 4)));
/* Append to the NUL-terminated BUF of SIZE bytes; false if cut short. */
bool	sched_str_add(char *buf, size_t size, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 3, 4)));

/* Copy a name into a SCHED_NAME buffer, cut to fit. */
static inline void
sched_name_copy(char *dst, const char *src)
{
	size_t n = src == NULL ? 0 : strlen(src);

	if (n > SCHED_NAME - 1)
		n = SCHED_NAME - 1;
	if (n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

#endif
