/*
 * What every Check suite of tests/unit/ shares: its main().  The
 * verbosity comes from CK_VERBOSITY, as `make check` sets it.
 */
#ifndef TESTS_UNIT_SUITE_H
#define TESTS_UNIT_SUITE_H

#include <check.h>
#include <stdlib.h>

/* The main() of a suite: run the Suite that SUITE() makes, and exit with
 * the verdict. */
#define SUITE_MAIN(suite)						\
int									\
main(void)								\
{									\
	SRunner *sr = srunner_create(suite());				\
	int failed;							\
									\
	srunner_run_all(sr, CK_ENV);					\
	failed = srunner_ntests_failed(sr);				\
	srunner_free(sr);						\
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;		\
}

#endif
