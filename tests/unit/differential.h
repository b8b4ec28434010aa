/*
 * The two tests of every differential suite (check_imap, check_alloc,
 * check_fei): the module against its trivial reference model over many
 * seeds, and a deliberately wrong model that must be caught at the very
 * step it goes wrong, which proves the comparison can fail.
 *
 * The suite defines, before including this file,
 *
 *	static const char *run_differential(uint64_t seed, int nops,
 *	    int corrupt_at, int *at);
 *
 * which runs NOPS random operations on both, corrupting the model at step
 * CORRUPT_AT (never if negative), and returns NULL when they agreed
 * throughout, else what differed, with the step in *AT.  Then
 * DIFFERENTIAL_TESTS(SEEDS, NOPS, BAD_SEED, BAD_STEP) defines the tests
 * test_differential and test_differential_catches_divergence.
 */
#ifndef TESTS_UNIT_DIFFERENTIAL_H
#define TESTS_UNIT_DIFFERENTIAL_H

#include <check.h>
#include <inttypes.h>
#include <stdint.h>

#define DIFFERENTIAL_TESTS(seeds, nops, bad_seed, bad_step)		\
START_TEST(test_differential)						\
{									\
	const char *bad;						\
	int at;								\
									\
	for (uint64_t seed = 1; seed <= (seeds); seed++) {		\
		bad = run_differential(seed, (nops), -1, &at);		\
		ck_assert_msg(bad == NULL, "seed %" PRIu64 " step %d: %s", \
		    seed, at, bad);					\
	}								\
}									\
END_TEST								\
									\
START_TEST(test_differential_catches_divergence)			\
{									\
	const char *bad;						\
	int at;								\
									\
	bad = run_differential((bad_seed), (nops), (bad_step), &at);	\
	ck_assert_msg(bad != NULL, "corrupted model not detected");	\
	ck_assert_int_eq(at, (bad_step));				\
}									\
END_TEST

#endif
