/*
 * Coroutine context switches; see coro.h.
 *
 * x86-64: a parked context's stack holds, from its saved stack pointer
 * up, r15, r14, r13, r12, rbx, rbp and the address to resume at.  A new
 * context is such a stack with FN in r12, ARG in r13 and coro_entry as
 * the resume address; its top is 16-byte aligned so that FN is entered
 * with the alignment the ABI promises (rsp + 8 a multiple of 16).
 */
#include <stdint.h>
#include <stdlib.h>

#include "coro.h"

#ifdef CORO_UCONTEXT

/* makecontext passes ints: the function and its argument in halves. */
static void
coro_trampoline(unsigned int fh, unsigned int fl, unsigned int ah,
    unsigned int al)
{
	void (*fn)(void *) = (void (*)(void *))(uintptr_t)((uint64_t)fh << 32 |
	    fl);

	fn((void *)(uintptr_t)((uint64_t)ah << 32 | al));
	abort();	/* FN must not return */
}

void
coro_make(struct coro_ctx *ctx, void *stack, size_t size,
    void (*fn)(void *), void *arg)
{
	uint64_t f = (uintptr_t)fn, a = (uintptr_t)arg;

	(void)getcontext(&ctx->uc);
	ctx->uc.uc_stack.ss_sp = stack;
	ctx->uc.uc_stack.ss_size = size;
	ctx->uc.uc_link = NULL;
	makecontext(&ctx->uc, (void (*)(void))coro_trampoline, 4,
	    (unsigned int)(f >> 32), (unsigned int)f,
	    (unsigned int)(a >> 32), (unsigned int)a);
}

/*
 * gcc 12's ASan warns on its first swapcontext() call whatever the
 * program does, so an ASan build switches with getcontext() and
 * setcontext(), which it does not intercept.
 */
void
coro_switch(struct coro_ctx *from, struct coro_ctx *to)
{
#ifdef CORO_ASAN
	volatile int resumed = 0;

	(void)getcontext(&from->uc);
	if (!resumed) {
		resumed = 1;
		(void)setcontext(&to->uc);
	}
#else
	(void)swapcontext(&from->uc, &to->uc);
#endif
}

#else /* x86-64 */

void	coro_entry(void);

__asm__(
	".text\n"
	".p2align 4\n"
	".globl coro_switch\n"
	".type coro_switch, @function\n"
	"coro_switch:\n"		/* rdi = from, rsi = to */
	"	pushq %rbp\n"
	"	pushq %rbx\n"
	"	pushq %r12\n"
	"	pushq %r13\n"
	"	pushq %r14\n"
	"	pushq %r15\n"
	"	movq %rsp, (%rdi)\n"
	"	movq (%rsi), %rsp\n"
	"	popq %r15\n"
	"	popq %r14\n"
	"	popq %r13\n"
	"	popq %r12\n"
	"	popq %rbx\n"
	"	popq %rbp\n"
	"	ret\n"
	".size coro_switch, .-coro_switch\n"
	".p2align 4\n"
	".globl coro_entry\n"
	".type coro_entry, @function\n"
	"coro_entry:\n"			/* r12 = fn, r13 = arg */
	"	movq %r13, %rdi\n"
	"	callq *%r12\n"
	"	ud2\n"			/* fn must not return */
	".size coro_entry, .-coro_entry\n"
	".section .note.GNU-stack,\"\",@progbits\n"
	".text\n");

void
coro_make(struct coro_ctx *ctx, void *stack, size_t size,
    void (*fn)(void *), void *arg)
{
	uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
	void **sp = (void **)top - 7;

	sp[0] = NULL;				/* r15 */
	sp[1] = NULL;				/* r14 */
	sp[2] = arg;				/* r13 */
	sp[3] = (void *)(uintptr_t)fn;		/* r12 */
	sp[4] = NULL;				/* rbx */
	sp[5] = NULL;				/* rbp */
	sp[6] = (void *)(uintptr_t)coro_entry;	/* resume address */
	ctx->sp = sp;
}

#endif
