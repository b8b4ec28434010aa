/*
 * The `concurrent` block (blksim-scenario(5)): one statement that holds
 * the tasks on the lines up to its `end`, each an operation that can be a
 * task (read, write, truncate, drop-cache, sync).  The parser (parse.c)
 * gathers the tasks and the `end [expect deadlock|no-deadlock]` line into
 * it; its row here (see stmt.h) parses the block's options, names the
 * interpreter's block runner, block_run() in block.c, which runs the
 * tasks on the deterministic scheduler (sim/sched.h) over the schedules
 * the options ask for, and generates blocks for `blksim fuzz`: a first
 * task that reads while the others write, truncate or drop the cache,
 * often right after a drop of the caches.
 */
#include "../sim/xmalloc.h"
#include "block.h"
#include "exec.h"
#include "gen.h"
#include "pval.h"
#include "stmt.h"

enum { CONC_SCHEDULE, CONC_RUNS, CONC_MAX_SCHEDULES, CONC_INCOMPLETE };

/* runs=N or max-schedules=N (option W): from 1 to SCN_MAX_SCHEDULES. */
static void
concurrent_schedules(struct pval *pv, const struct lex_word *w,
    const char *what, uint64_t *out)
{
	const char *v;
	size_t vlen;
	uint64_t n;

	v = pval_opt(w, &vlen);
	if (!pval_positive(pv, w, v, vlen, what, &n))
		return;
	if (n > SCN_MAX_SCHEDULES) {
		pval_err(pv, w, "%s must be at most %u, the most schedules one "
		    "block may run", what, SCN_MAX_SCHEDULES);
		return;
	}
	*out = n;
}

/*
 * schedule=, runs=, max-schedules= and incomplete=ok; parse.c counts the
 * schedules.  incomplete=ok is a promise about explored blocks only: a
 * fifo or random block never claims every schedule, so there it is an
 * error, as a word that changes nothing would mislead.
 */
static void
concurrent_parse(struct pval *pv, const struct stmt_line *l,
    struct scn_stmt *st)
{
	static const char *const names[] = {
		[SCN_SCHED_FIFO] = "fifo",
		[SCN_SCHED_RANDOM] = "random",
		[SCN_SCHED_EXPLORE] = "explore",
	};
	const struct lex_word *w;
	int k;

	if ((w = l->opt[CONC_SCHEDULE]) != NULL && (k = pval_choice(pv, w,
	    names, sizeof(names) / sizeof(names[0]))) >= 0)
		st->schedule = (enum scn_schedule)k;
	if ((w = l->opt[CONC_RUNS]) != NULL)
		concurrent_schedules(pv, w, "runs", &st->runs);
	if ((w = l->opt[CONC_MAX_SCHEDULES]) != NULL)
		concurrent_schedules(pv, w, "max-schedules",
		    &st->max_schedules);
	if ((w = l->opt[CONC_INCOMPLETE]) != NULL) {
		static const char *const oks[] = { "ok" };

		if (pval_choice(pv, w, oks, 1) < 0)
			return;
		if (st->schedule != SCN_SCHED_EXPLORE)
			pval_err(pv, w, "incomplete=ok applies to "
			    "schedule=explore: a %s block never runs every "
			    "schedule, so it cannot be cut short", names[
			    st->schedule]);
		else
			st->incomplete_ok = true;
	}
}

/*
 * Most blocks come right after a drop of the caches, so that their reads
 * go to the device: OP becomes that drop and the block follows it.
 */
static bool
concurrent_make(struct gen_state *g, struct gen_op *op, int f)
{
	if (gen_chance(g->r, 60)) {
		gen_op_init(op, SCN_DROP_CACHES, -1);
		op->level = (int)GEN_PICK(g->r, 1, 2, 3, 3);
		op = gen_push(g);
	}
	gen_op_init(op, SCN_CONCURRENT, -1);
	op->explore = gen_chance(g->r, 80);
	op->ntasks = 2 + rng_below(g->r, GEN_MAX_TASKS - 1);
	op->tasks = xcalloc(op->ntasks, sizeof(*op->tasks));
	for (size_t i = 0; i < op->ntasks; i++)
		gen_task(g, &op->tasks[i], i == 0);
	return true;
}

/* The block's own line; gen.c prints its tasks and the `end`. */
static void
concurrent_print(FILE *f, const struct gen_op *op, const char *file)
{
	if (op->explore)
		fputs("concurrent schedule=explore max-schedules=400 "
		    "incomplete=ok", f);
	else
		fputs("concurrent schedule=random runs=20", f);
}

const struct stmt_row stmt_concurrent_row = {
	.kind = SCN_CONCURRENT, .name = "concurrent", .role = STMT_BLOCK,
	.usage = "concurrent [schedule=fifo|random|explore] [runs=N] "
	    "[max-schedules=N] [incomplete=ok]",
	.keys = { { "schedule" }, { "runs" }, { "max-schedules" },
	    { "incomplete" } },
	.parse = concurrent_parse, .run = block_run,
	.gen = { 90, 100 }, .gen_make = concurrent_make,
	.gen_print = concurrent_print,
};
