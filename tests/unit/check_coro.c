/*
 * Unit tests of the coroutine switch (sim/coro.h): control passes back
 * and forth with every local intact, each coroutine keeps its own stack,
 * a new coroutine starts with its argument on a stack aligned as the ABI
 * requires (a misaligned one shows in the address of an aligned local and
 * crashes formatted floating point), and many coroutines interleave.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/coro.h"

#define STACK	(64 * 1024)

struct pingpong {
	struct coro_ctx	 main, co;
	int		 turns;		/* the coroutine's count */
	uintptr_t	 local;		/* address of a coroutine local */
	int		 aligned;	/* 1 if a 16-aligned local was */
	char		 text[64];	/* formatted by the coroutine */
};

static void
pingpong_fn(void *arg)
{
	struct pingpong *pp = arg;
	_Alignas(16) unsigned char probe[16];
	volatile double x = 1.5;
	int mine = 1000;

	pp->aligned = ((uintptr_t)probe & 15) == 0;
	pp->local = (uintptr_t)&mine;
	snprintf(pp->text, sizeof(pp->text), "%.2f", x * 2);
	for (;;) {
		pp->turns++;
		mine++;
		ck_assert_int_eq(mine, 1000 + pp->turns);
		coro_switch(&pp->co, &pp->main);
	}
}

START_TEST(test_pingpong)
{
	struct pingpong pp;
	void *stack = malloc(STACK);
	int here = 7;

	memset(&pp, 0, sizeof(pp));
	coro_make(&pp.co, stack, STACK, pingpong_fn, &pp);
	for (int i = 1; i <= 1000; i++) {
		coro_switch(&pp.main, &pp.co);
		ck_assert_int_eq(pp.turns, i);
		ck_assert_int_eq(here, 7);
	}
	ck_assert_int_eq(pp.aligned, 1);
	ck_assert_str_eq(pp.text, "3.00");
	ck_assert(pp.local >= (uintptr_t)stack &&
	    pp.local < (uintptr_t)stack + STACK);
	free(stack);
}
END_TEST

/* N coroutines resumed round-robin each append their number in turn. */
#define NCO	5
struct ring {
	struct coro_ctx	 main, co[NCO];
	int		 id[NCO];
	char		 log[NCO * 4 + 1];
	int		 n;
};

static struct ring *the_ring;

static void
ring_fn(void *arg)
{
	int id = *(int *)arg;

	for (;;) {
		the_ring->log[the_ring->n++] = (char)('a' + id);
		coro_switch(&the_ring->co[id], &the_ring->main);
	}
}

START_TEST(test_round_robin)
{
	struct ring r;
	void *stacks[NCO];

	memset(&r, 0, sizeof(r));
	the_ring = &r;
	for (int i = 0; i < NCO; i++) {
		r.id[i] = i;
		stacks[i] = malloc(STACK);
		coro_make(&r.co[i], stacks[i], STACK, ring_fn, &r.id[i]);
	}
	for (int round = 0; round < 4; round++)
		for (int i = NCO - 1; i >= 0; i--)
			coro_switch(&r.main, &r.co[i]);
	ck_assert_str_eq(r.log, "edcbaedcbaedcbaedcba");
	for (int i = 0; i < NCO; i++)
		free(stacks[i]);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("coro");
	TCase *tc = tcase_create("switch");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_pingpong);
	tcase_add_test(tc, test_round_robin);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
