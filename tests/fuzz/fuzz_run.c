/*
 * libFuzzer target for the runner: parse the input as a scenario file and,
 * if it is valid, run it twice through the interpreter, once as `blksim
 * run` does and once under the oracle of `blksim fuzz`, then free
 * everything.  Beyond the sanitizers it checks what every run promises:
 *
 *	- a run returns (no crash, no hang: libFuzzer's -timeout catches one);
 *	- every point has a line inside the file and a description; a failed
 *	  point says what was expected and what happened;
 *	- the same script run twice gives the same verdict and points
 *	  (determinism);
 *	- the oracle run names an anomaly exactly when it says it failed, and
 *	  records one outcome per operation line.
 *
 * Exploration is bounded so that one input stays fast: a concurrent block
 * asking for more than 50 schedules or random runs is run with 50.
 *
 * Build: ./configure --enable-fuzzing CC=clang && make tests/fuzz/fuzz_run
 * Seeds: tests/fuzz/corpus/ and scenarios/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/diag.h"
#include "src/exec.h"
#include "src/parse.h"
#include "src/scn.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_ASSERT(c)	do {						\
	if (!(c)) {							\
		fprintf(stderr, "fuzz_run: %s:%d: %s\n", __FILE__,	\
		    __LINE__, #c);					\
		abort();						\
	}								\
} while (0)

#define FUZZ_MAX_SCHEDULES	50

static uint32_t
count_lines(const uint8_t *data, size_t size)
{
	uint32_t n = 1;

	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n';
	return n;
}

static void
check_result(const struct exec_result *r, uint32_t lines)
{
	bool all_ok = true;

	for (size_t i = 0; i < r->npoints; i++) {
		const struct exec_point *p = &r->points[i];

		FUZZ_ASSERT(p->line <= lines);
		FUZZ_ASSERT(p->desc != NULL);
		FUZZ_ASSERT(p->ok || (p->expected != NULL && p->got != NULL));
		all_ok &= p->ok;
	}
	FUZZ_ASSERT(r->passed == all_ok);
}

static bool
same_points(const struct exec_result *a, const struct exec_result *b)
{
	if (a->passed != b->passed || a->npoints != b->npoints)
		return false;
	for (size_t i = 0; i < a->npoints; i++) {
		const struct exec_point *p = &a->points[i], *q = &b->points[i];

		if (p->line != q->line || p->ok != q->ok ||
		    strcmp(p->desc, q->desc) != 0)
			return false;
		if (!p->ok && (strcmp(p->expected, q->expected) != 0 ||
		    strcmp(p->got, q->got) != 0))
			return false;
	}
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct exec_opts run = { .preemption_bound = -1 };
	struct exec_opts oracle = run;
	struct exec_result a, b, o;
	struct diag_list dl;
	struct scn_script *s;
	uint32_t lines = count_lines(data, size);
	size_t ops = 0;

	diag_init(&dl);
	s = parse_script("fuzz.scn", (const char *)data, size, &dl);
	diag_free(&dl);
	if (s == NULL)
		return 0;
	for (size_t i = 0; i < s->nstmts; i++) {
		struct scn_stmt *st = &s->stmts[i];

		if (st->kind == SCN_CONCURRENT) {
			if (st->max_schedules > FUZZ_MAX_SCHEDULES)
				st->max_schedules = FUZZ_MAX_SCHEDULES;
			if (st->runs > FUZZ_MAX_SCHEDULES)
				st->runs = FUZZ_MAX_SCHEDULES;
			ops += st->ntasks;
		} else if (scn_is_operation(st->kind))
			ops++;
	}
	exec_script(s, &run, &a);
	check_result(&a, lines);
	exec_script(s, &run, &b);
	FUZZ_ASSERT(same_points(&a, &b));
	oracle.oracle = true;
	exec_script(s, &oracle, &o);
	FUZZ_ASSERT((o.anomaly != NULL) == (o.anomaly_why != NULL));
	FUZZ_ASSERT(o.anomaly == NULL || !o.passed);
	FUZZ_ASSERT(o.noutcomes == ops);
	exec_result_free(&a);
	exec_result_free(&b);
	exec_result_free(&o);
	scn_free(s);
	return 0;
}
