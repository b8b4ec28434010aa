/*
 * Unit tests for the reduction check's outcome sets (src/rcheck.c): the
 * same outcomes in any order and with repeats compare equal; an outcome
 * one side lacks is named with the first schedule that gave it, in both
 * directions; the line of an outcome depends on what it holds only.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/fs.h"
#include "sim/sched.h"
#include "sim/xmalloc.h"
#include "src/rcheck.h"
#include "tests/unit/suite.h"

/* A set of the outcomes LINES[0..N), schedule "S<i>" each. */
static struct rcheck *
set_of(const char *const *lines, size_t n)
{
	struct rcheck *c = rcheck_new();

	for (size_t i = 0; i < n; i++) {
		char sched[16];

		snprintf(sched, sizeof(sched), "S%zu", i);
		rcheck_add(c, xstrdup(lines[i]), sched);
	}
	return c;
}

/* scenario: the same outcomes, reordered and repeated, are one set. */
START_TEST(test_same)
{
	static const char *const a[] = { "completed; x", "deadlock: t1",
	    "completed; x", "oops: f" };
	static const char *const b[] = { "oops: f", "completed; x",
	    "deadlock: t1", "deadlock: t1" };
	struct rcheck *ra = set_of(a, 4), *rb = set_of(b, 4);

	ck_assert_ptr_null(rcheck_compare(ra, rb));
	ck_assert_uint_eq(rcheck_count(ra), 3);
	ck_assert_uint_eq(rcheck_count(rb), 3);
	rcheck_free(ra);
	rcheck_free(rb);
}
END_TEST

/*
 * scenario: the full exploration reached an outcome the reduced one did
 * not (an unsound reduction): named with its first schedule, S2, not the
 * later S3.
 */
START_TEST(test_lost)
{
	static const char *const reduced[] = { "completed; x" };
	static const char *const full[] = { "completed; x", "completed; x",
	    "deadlock: t2", "deadlock: t2", "oops: g" };
	struct rcheck *r = set_of(reduced, 1), *f = set_of(full, 5);
	char *why = rcheck_compare(r, f);

	ck_assert_ptr_nonnull(why);
	ck_assert_str_eq(why, "2 outcomes only without the reduction, the "
	    "first in schedule S2: deadlock: t2");
	free(why);
	rcheck_free(r);
	rcheck_free(f);
}
END_TEST

/* scenario: the other direction (a nondeterministic world). */
START_TEST(test_extra)
{
	static const char *const reduced[] = { "completed; y", "completed; x" };
	static const char *const full[] = { "completed; x" };
	struct rcheck *r = set_of(reduced, 2), *f = set_of(full, 1);
	char *why = rcheck_compare(r, f);

	ck_assert_ptr_nonnull(why);
	ck_assert_str_eq(why, "1 outcome only with the reduction, the first "
	    "in schedule S0: completed; y");
	free(why);
	rcheck_free(r);
	rcheck_free(f);
}
END_TEST

/* The line of an outcome: a deadlock, then task 1 reading RR. */
static char *
line_of(const struct sched_result *res, const struct fs_read_result *rr)
{
	char *line = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&line, &size);

	rcheck_outcome(f, res);
	rcheck_task(f, 0, 0, rr);
	fclose(f);
	return line;
}

/* scenario: the schedule is not part of an outcome; what it read is. */
START_TEST(test_line)
{
	struct sched_result *a = xcalloc(1, sizeof(*a));
	struct sched_result *b = xcalloc(1, sizeof(*b));
	struct fs_read_result rr = { .bytes = 4096, .device_pages = 1,
	    .served = 2, .retries = 1, .intact = true, .uniform = -1 };
	char *la, *lb;

	a->outcome = b->outcome = SCHED_DEADLOCK;
	strcpy(a->cycle, "task 2 -> end-io worker 1 -> task 2");
	strcpy(b->cycle, a->cycle);
	strcpy(a->schedule, "T1,T2,W1");
	strcpy(b->schedule, "T2,T1,W1");
	la = line_of(a, &rr);
	lb = line_of(b, &rr);
	ck_assert_str_eq(la, lb);
	ck_assert_ptr_nonnull(strstr(la, "deadlock: task 2 -> end-io"));
	free(lb);
	rr.served = 1;
	lb = line_of(b, &rr);
	ck_assert_str_ne(la, lb);
	free(la);
	free(lb);
	free(a);
	free(b);
}
END_TEST

static Suite *
rcheck_suite(void)
{
	Suite *s = suite_create("rcheck");
	TCase *tc = tcase_create("sets");

	tcase_add_test(tc, test_same);
	tcase_add_test(tc, test_lost);
	tcase_add_test(tc, test_extra);
	tcase_add_test(tc, test_line);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(rcheck_suite)
