/*
 * Fibers: the execution contexts of the scheduler's entities.
 *
 * The model.  As each kernel thread runs on a stack of its own, each
 * entity of the scheduler (sched.h) is a fiber: a coroutine (coro.h) on a
 * heap stack of FIBER_STACK bytes, given at its first resumption.  The
 * scheduler is the fiber's host: it runs on its caller's stack, resumes
 * one fiber at a time, and the fiber parks to hand the CPU back.  A fiber
 * that returns from its function switches back to the host for good; one
 * that never returns is simply abandoned, and fiber_release() takes its
 * stack back.
 *
 * Around every switch the AddressSanitizer fiber hooks are called when it
 * is built in, and stacks are registered with valgrind when its header
 * is there, so that neither mistakes a switch for a stack overflow.  A
 * stack taken again is unpoisoned: an abandoned fiber's frames may have
 * left poison behind.
 *
 * A pool keeps stacks from one schedule of an exploration to the next,
 * since an exploration builds and drops hundreds of thousands of worlds.
 */
#ifndef SIM_FIBER_H
#define SIM_FIBER_H

#include <stdbool.h>
#include <stddef.h>

#include "coro.h"

#define FIBER_STACK	(256 * 1024)

/* A heap stack and its valgrind registration. */
struct fiber_stack {
	void		*base;		/* FIBER_STACK bytes */
	unsigned	 vg_id;		/* valgrind's stack id */
};

/* Stacks kept for reuse. */
struct fiber_pool {
	struct fiber_stack *stack;
	size_t		 n, cap;
};

/* The context fibers are resumed from: the scheduler's. */
struct fiber_host {
	struct coro_ctx	 ctx;		/* saved while a fiber runs */
	void		*fake;		/* ASan's fake stack meanwhile */
	const void	*bottom;	/* the host's stack, for ASan */
	size_t		 size;
};

/* A zeroed fiber has not started. */
struct fiber {
	struct coro_ctx	 ctx;		/* saved while parked */
	bool		 started;	/* has a stack and a context */
	struct fiber_stack stack;
	void		*asan_fake;	/* ASan's fake stack while parked */
	struct fiber_host *host;
	void		(*fn)(void *);
	void		*arg;
};

/* Give F a stack (from POOL if it has one) and a context that will run
 * FN(ARG) on it, from HOST, at the first fiber_resume(). */
void	fiber_start(struct fiber *, struct fiber_host *, struct fiber_pool *,
	    void (*fn)(void *), void *arg);
/* The host runs F until F parks or returns. */
void	fiber_resume(struct fiber *);
/* F, running, hands the CPU back to its host; returns when resumed. */
void	fiber_park(struct fiber *);
/* F's stack goes back to POOL (NULL: freed), if F ever started. */
void	fiber_release(struct fiber *, struct fiber_pool *);

struct fiber_pool *fiber_pool_new(void);
/* Release POOL and its stacks; no fiber may still run on them. */
void	fiber_pool_free(struct fiber_pool *);

#endif
