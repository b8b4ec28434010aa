/*
 * Coroutine context switches for the scheduler's fibers (fiber.c).
 *
 * A context is a saved stack pointer: coro_switch() pushes the
 * callee-saved registers of the running code on its own stack, saves the
 * stack pointer in FROM and resumes TO the same way, so a switch is a few
 * instructions and no system call.  glibc's swapcontext() also saves and
 * restores the signal mask with a system call on every switch, which made
 * it most of the cost of exploring schedules.  The fast switch exists for
 * x86-64 (System V ABI); elsewhere, and under AddressSanitizer (whose
 * fiber annotations fiber.c pairs with ucontext), CORO_UCONTEXT is defined
 * and the same calls use getcontext/makecontext/swapcontext.
 *
 * The floating-point control words are not saved: nothing in the model
 * changes them.
 */
#ifndef SIM_CORO_H
#define SIM_CORO_H

#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__)
#define CORO_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CORO_ASAN	1
#endif
#endif
#if !defined(__x86_64__) || defined(CORO_ASAN)
#define CORO_UCONTEXT	1
#endif

#ifdef CORO_UCONTEXT
#include <ucontext.h>
struct coro_ctx {
	ucontext_t	uc;
};
#else
struct coro_ctx {
	void		*sp;	/* the stack pointer while parked */
};
#endif

/*
 * Make CTX start FN(ARG) on the stack [STACK, STACK + SIZE) when first
 * resumed.  FN must never return: it ends by switching away for good.
 */
void	coro_make(struct coro_ctx *ctx, void *stack, size_t size,
	    void (*fn)(void *), void *arg);
/* Save the running context in FROM and resume TO. */
void	coro_switch(struct coro_ctx *from, struct coro_ctx *to);

#endif
