/*
 * Fibers: stacks, switches and their sanitizer annotations; fiber.h
 * states the model.
 *
 * ASan needs to be told of each switch before it happens (the stack being
 * entered) and after (the stack left, whose fake frames it keeps); the
 * first entry into a fiber has no frames to restore, and the final switch
 * out of a finished one has none to keep.
 */
#include <stdlib.h>

#include "fiber.h"
#include "xmalloc.h"

#if defined(__SANITIZE_ADDRESS__)
#define FIBER_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FIBER_ASAN	1
#endif
#endif
#ifdef FIBER_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define FIBER_VALGRIND	1
#endif
#endif

/* A clean stack: from POOL, or new. */
static struct fiber_stack
stack_get(struct fiber_pool *pool)
{
	struct fiber_stack st;

	if (pool != NULL && pool->n > 0) {
		st = pool->stack[--pool->n];
	} else {
		st.base = xmalloc(FIBER_STACK);
		st.vg_id = 0;
#ifdef FIBER_VALGRIND
		st.vg_id = VALGRIND_STACK_REGISTER(st.base,
		    (char *)st.base + FIBER_STACK);
#endif
	}
#ifdef FIBER_ASAN
	/* Frames of an abandoned fiber may have left poison. */
	ASAN_UNPOISON_MEMORY_REGION(st.base, FIBER_STACK);
#endif
	return st;
}

/* Return ST's memory to the system. */
static void
stack_free(struct fiber_stack *st)
{
#ifdef FIBER_VALGRIND
	VALGRIND_STACK_DEREGISTER(st->vg_id);
#endif
#ifdef FIBER_ASAN
	ASAN_UNPOISON_MEMORY_REGION(st->base, FIBER_STACK);
#endif
	free(st->base);
}

/* Entry of every fiber, on its own stack: run its function, then switch
 * back to the host for good. */
static void
entry(void *arg)
{
	struct fiber *f = arg;
	struct fiber_host *h = f->host;

#ifdef FIBER_ASAN
	__sanitizer_finish_switch_fiber(NULL, &h->bottom, &h->size);
#endif
	f->fn(f->arg);
#ifdef FIBER_ASAN
	__sanitizer_start_switch_fiber(NULL, h->bottom, h->size);
#endif
	coro_switch(&f->ctx, &h->ctx);
}

/* F gets a stack and a context that enters entry(). */
void
fiber_start(struct fiber *f, struct fiber_host *host, struct fiber_pool *pool,
    void (*fn)(void *), void *arg)
{
	f->stack = stack_get(pool);
	f->started = true;
	f->host = host;
	f->fn = fn;
	f->arg = arg;
	coro_make(&f->ctx, f->stack.base, FIBER_STACK, entry, f);
}

/* The host resumes F; returns when F parks or returns. */
void
fiber_resume(struct fiber *f)
{
	struct fiber_host *h = f->host;

#ifdef FIBER_ASAN
	__sanitizer_start_switch_fiber(&h->fake, f->stack.base, FIBER_STACK);
#endif
	coro_switch(&h->ctx, &f->ctx);
#ifdef FIBER_ASAN
	__sanitizer_finish_switch_fiber(h->fake, NULL, NULL);
#endif
}

/* F hands the CPU back to its host; returns when resumed. */
void
fiber_park(struct fiber *f)
{
	struct fiber_host *h = f->host;

#ifdef FIBER_ASAN
	__sanitizer_start_switch_fiber(&f->asan_fake, h->bottom, h->size);
#endif
	coro_switch(&f->ctx, &h->ctx);
#ifdef FIBER_ASAN
	__sanitizer_finish_switch_fiber(f->asan_fake, &h->bottom, &h->size);
#endif
}

/* F's stack back to POOL, or freed without one. */
void
fiber_release(struct fiber *f, struct fiber_pool *pool)
{
	if (!f->started)
		return;
	f->started = false;
	if (pool == NULL) {
		stack_free(&f->stack);
		return;
	}
	if (pool->n == pool->cap) {
		pool->cap = pool->cap ? 2 * pool->cap : 8;
		pool->stack = xreallocarray(pool->stack, pool->cap,
		    sizeof(*pool->stack));
	}
	pool->stack[pool->n++] = f->stack;
}

/* An empty pool; fiber_pool_free() releases it. */
struct fiber_pool *
fiber_pool_new(void)
{
	return xcalloc(1, sizeof(struct fiber_pool));
}

/* Release POOL and every stack in it. */
void
fiber_pool_free(struct fiber_pool *pool)
{
	if (pool == NULL)
		return;
	while (pool->n > 0)
		stack_free(&pool->stack[--pool->n]);
	free(pool->stack);
	free(pool);
}
