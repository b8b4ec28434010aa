/*
 * `blksim fuzz` (see fuzz.h): generate, judge, shrink, write.
 *
 * Scenario I of a run with seed S is drawn from a PRNG seeded with a mix
 * of S and I, so `--seed` and the scenario number name it exactly; the
 * era and the quirks of the run are written into the scenario (era,
 * preset and quirk lines), so that what is judged and what is written
 * out are one text.
 * Each candidate is printed, parsed by the real parser and run by the
 * real interpreter with the oracle on; its verdict is the oracle's
 * signature (exec_result.anomaly), the name of a documented latent
 * defect, or nothing.
 *
 * Shrinking keeps a candidate when it fails with the same signature:
 * first delta debugging over the operations (chunks of half, a quarter,
 * ... one), then the simplification moves of gen_simplify, until neither
 * changes anything or the budget is spent.  The reproducer is the shrunk
 * scenario with each operation's observed outcome written as its
 * expectation, except the anomalous one, which says what the oracle
 * expected: so `blksim run` fails on it for the same reason.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../sim/era.h"
#include "../sim/quirk.h"
#include "../sim/xmalloc.h"
#include "cli.h"
#include "diag.h"
#include "exec.h"
#include "fuzz.h"
#include "gen.h"
#include "out.h"
#include "parse.h"
#include "scn.h"

#define SHRINK_MAX_RUNS		4000
#define SHRINK_MAX_SECONDS	30.0

/* --reduction=check and --check=full, for every judgement of the run
 * (fuzz_main sets them). */
static bool fuzz_reduction_check, full_check;

enum verdict {
	V_CLEAN,
	V_LATENT,
	V_ANOMALY,
	V_INVALID		/* the text did not parse */
};

/* The oracle's judgement of one candidate (owned strings). */
struct judgement {
	enum verdict	 v;
	char		*sig;		/* anomaly or latent name */
	char		*why;
	char		*expect;	/* an expect line that fails on it */
	uint32_t	 line;		/* of the anomaly, in the bare text */
	unsigned	*outcomes;	/* per operation line */
	size_t		 noutcomes;
};

static void
judgement_free(struct judgement *j)
{
	free(j->sig);
	free(j->why);
	free(j->expect);
	free(j->outcomes);
	memset(j, 0, sizeof(*j));
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Parse TEXT; NULL if it has any error. */
static struct scn_script *
parse_text(const char *text)
{
	struct diag_list dl;
	struct scn_script *scn;

	diag_init(&dl);
	scn = parse_script("fuzz.scn", text, strlen(text), &dl);
	if (dl.n > 0) {
		scn_free(scn);
		scn = NULL;
	}
	diag_free(&dl);
	return scn;
}

/* Print, parse and run G under the oracle. */
static void
judge(const struct gen_script *g, struct judgement *j)
{
	struct exec_opts eo = { .preemption_bound = -1, .oracle = true,
	    .reduction_check = fuzz_reduction_check,
	    .full_check = full_check };
	struct exec_result r;
	char *text = gen_print(g, NULL, NULL);
	struct scn_script *scn = parse_text(text);

	memset(j, 0, sizeof(*j));
	free(text);
	if (scn == NULL) {
		j->v = V_INVALID;
		return;
	}
	exec_script(scn, &eo, &r);
	if (r.anomaly != NULL) {
		j->v = V_ANOMALY;
		j->sig = r.anomaly;
		j->why = r.anomaly_why;
		j->expect = r.anomaly_expect;
		j->line = r.anomaly_line;
		r.anomaly = r.anomaly_why = r.anomaly_expect = NULL;
	} else if (r.latent != NULL) {
		j->v = V_LATENT;
		j->sig = r.latent;
		r.latent = NULL;
	}
	j->outcomes = r.outcomes;
	j->noutcomes = r.noutcomes;
	r.outcomes = NULL;
	exec_result_free(&r);
	scn_free(scn);
}

/* ---- progress -------------------------------------------------------------- */

struct progress {
	bool	 on;
	double	 t0;
	double	 last;
};

static void
progress(struct progress *p, bool force, const char *fmt, ...)
    __attribute__((__format__(__printf__, 3, 4)));

static void
progress(struct progress *p, bool force, const char *fmt, ...)
{
	va_list ap;
	double t = now();

	if (!p->on || (!force && t - p->last < 0.25))
		return;
	p->last = t;
	fputs("\r\033[K", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static void
progress_clear(struct progress *p)
{
	if (p->on)
		fputs("\r\033[K", stderr);
}

/* How many of --runs's scenario numbers are this shard's (--shard=K/N:
 * those i with i mod N = K - 1); 0 with no --runs. */
static uint64_t
shard_runs(const struct fuzz_opts *o)
{
	uint64_t k = o->shard_k ? o->shard_k : 1, n = o->shard_n ? o->shard_n : 1;

	return o->runs < k ? 0 : (o->runs - k) / n + 1;
}

/*
 * The campaign's progress line after DONE scenarios: how many, how fast,
 * the latent defects seen (named as what they are: documented 2008
 * defects, not failures), the time spent and, from the --time budget or
 * the rate and --runs, the time left.
 */
static void
progress_campaign(struct progress *p, const struct fuzz_opts *o,
    uint64_t done, uint64_t total, uint64_t nlatent)
{
	double elapsed = now() - p->t0 + 1e-9, left;

	left = o->seconds > 0 ? o->seconds - elapsed :
	    (double)(total - done) * elapsed / (double)done;
	if (left < 0)
		left = 0;
	progress(p, false, "blksim fuzz: %" PRIu64 " scenario%s (%.0f/s), "
	    "%" PRIu64 " with a documented latent defect; %.0f s elapsed, "
	    "~%.0f s left", done, done == 1 ? "" : "s",
	    (double)done / elapsed, nlatent, elapsed, left);
}

uint64_t
fuzz_fresh_seed(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return rng_mix64((uint64_t)ts.tv_sec * 1000000000u +
	    (uint64_t)ts.tv_nsec) ^ rng_mix64((uint64_t)getpid());
}

/* ---- shrinking -------------------------------------------------------------- */

struct shrink {
	const char	*sig;		/* the signature to keep */
	uint64_t	 runs;
	double		 deadline;
	struct progress	*pr;
};

/* Does CAND fail the same way?  Counts the run. */
static bool
same_failure(struct shrink *sh, const struct gen_script *cand)
{
	struct judgement j;
	bool same;

	sh->runs++;
	judge(cand, &j);
	same = j.v == V_ANOMALY && strcmp(j.sig, sh->sig) == 0;
	judgement_free(&j);
	progress(sh->pr, false, "blksim fuzz: shrinking `%s`: %zu statements "
	    "(%" PRIu64 " runs)", sh->sig, gen_statements(cand), sh->runs);
	return same;
}

static bool
shrink_budget_left(const struct shrink *sh)
{
	return sh->runs < SHRINK_MAX_RUNS && now() < sh->deadline;
}

/*
 * Delta debugging over G's operations: try removing each chunk of CHUNK
 * operations, from half of them down to one; a chunk size that removed
 * something is tried again before it is halved.  True if anything went.
 */
static bool
shrink_ops(struct shrink *sh, struct gen_script *g)
{
	size_t chunk = g->nops / 2;
	bool changed = false;

	while (chunk >= 1 && shrink_budget_left(sh)) {
		bool removed = false;

		for (size_t from = 0; from + chunk <= g->nops &&
		    shrink_budget_left(sh); ) {
			struct gen_script cand;

			gen_copy(&cand, g);
			gen_remove(&cand, from, chunk);
			if (same_failure(sh, &cand)) {
				gen_free(g);
				*g = cand;
				removed = changed = true;
			} else {
				gen_free(&cand);
				from += chunk;
			}
		}
		if (!removed)
			chunk /= 2;
		else if (chunk > g->nops / 2)
			chunk = g->nops / 2;
	}
	return changed;
}

/* The simplification moves over G; true if any was kept. */
static bool
shrink_values(struct shrink *sh, struct gen_script *g)
{
	struct gen_script cand;
	bool changed = false;

	for (size_t k = 0; shrink_budget_left(sh) &&
	    gen_simplify(g, k, &cand); ) {
		if (same_failure(sh, &cand)) {
			gen_free(g);
			*g = cand;
			changed = true;
		} else {
			gen_free(&cand);
			k++;
		}
	}
	return changed;
}

static void
shrink(struct shrink *sh, struct gen_script *g)
{
	bool changed = true;

	while (changed && shrink_budget_left(sh)) {
		changed = shrink_ops(sh, g);
		changed |= shrink_values(sh, g);
	}
}

/* ---- the reproducer --------------------------------------------------------- */

/* The outcome each family of signatures says should not have happened. */
static const struct {
	const char	*prefix;
	unsigned	 outcome;
} anomaly_outcomes[] = {
	{ "eio ", SCN_OUT_EIO },
	{ "enospc ", SCN_OUT_ENOSPC },
	{ "oops ", SCN_OUT_OOPS },
	{ "deadlock self", SCN_OUT_OOPS },	/* run reports it as such */
	{ "hang", SCN_OUT_HANG },
};

static unsigned
anomalous_outcome(const char *sig)
{
	for (size_t i = 0; i < sizeof(anomaly_outcomes) /
	    sizeof(anomaly_outcomes[0]); i++)
		if (strncmp(sig, anomaly_outcomes[i].prefix,
		    strlen(anomaly_outcomes[i].prefix)) == 0)
			return anomaly_outcomes[i].outcome;
	return 0;
}

static char *
outcome_words(unsigned mask, bool intact)
{
	static const char *const words[] = { "ok", "eio", "enospc", "oops",
	    "hang" };
	char buf[64] = "expect ";

	for (int b = 0; b < 5; b++)
		if (mask >> b & 1) {
			if (buf[strlen(buf) - 1] != ' ')
				strcat(buf, "|");
			strcat(buf, words[b]);
		}
	if (intact)
		strcat(buf, " data=intact");
	return xstrdup(buf);
}

/*
 * The expect line EXPECT of the oracle with each file named: the oracle
 * names a file by its inode, `@N`, and a generated scenario's creates
 * make inodes 1, 2, ... in the order of its file names.
 */
static char *
name_files(const char *expect)
{
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);

	if (f == NULL)
		abort();
	for (const char *p = expect; *p; p++) {
		unsigned long ino;
		char *end;

		if (*p != '@' || (ino = strtoul(p + 1, &end, 10)) < 1 ||
		    ino > GEN_MAX_FILES) {
			fputc(*p, f);
			continue;
		}
		fputs(gen_file_name((int)ino - 1), f);
		p = end - 1;
	}
	if (fclose(f) != 0)
		abort();
	return out;
}

/*
 * The outcome the oracle expected of the anomalous operation that did
 * MASK under signature SIG: what it did, less the anomalous outcome; in
 * place of a crash or a hang the fixed code succeeds or fails with EIO
 * (a read with no good copy, a retry whose lookup missed).
 */
static unsigned
expected_outcome(unsigned mask, const char *sig)
{
	unsigned bad = anomalous_outcome(sig);

	mask = (mask & ~bad) | SCN_OUT_OK;
	if (bad == SCN_OUT_HANG || bad == SCN_OUT_OOPS)
		mask |= SCN_OUT_EIO;
	return mask;
}

/*
 * The expectation tails of G's operation lines: what each did (J's
 * outcomes), and for the anomalous one what the oracle expected, with
 * the oracle's expect line after it when it has one.  Lines of
 * operations are found by parsing the bare text.
 */
static char **
annotations(const struct gen_script *g, const struct judgement *j)
{
	char *text = gen_print(g, NULL, NULL);
	struct scn_script *scn = parse_text(text);
	size_t n = gen_op_lines(g), k = 0;
	char **annot = xcalloc(n ? n : 1, sizeof(*annot));

	free(text);
	for (size_t i = 0; scn != NULL && i < scn->nstmts; i++) {
		const struct scn_stmt *s = &scn->stmts[i];
		size_t nt = s->kind == SCN_CONCURRENT ? s->ntasks : 1;
		/* A crash or a hang in a block is the block's: any of its
		   reads may be the one that crashed, and fixed, it succeeds
		   or fails. */
		bool crashed = j->v == V_ANOMALY &&
		    s->kind == SCN_CONCURRENT && s->pos.line == j->line &&
		    (anomalous_outcome(j->sig) & (SCN_OUT_OOPS | SCN_OUT_HANG));

		if (!scn_is_operation(s->kind))
			continue;
		for (size_t t = 0; t < nt && k < n; t++, k++) {
			const struct scn_stmt *op = s->kind == SCN_CONCURRENT ?
			    &s->tasks[t] : s;
			unsigned mask = k < j->noutcomes ? j->outcomes[k] : 0;
			bool culprit = j->v == V_ANOMALY &&
			    op->pos.line == j->line;
			bool intact = culprit && strcmp(j->sig,
			    "wrong-data") == 0;

			if (culprit)
				mask = expected_outcome(mask, j->sig);
			if (crashed && op->kind == SCN_READ)
				mask |= SCN_OUT_OK | SCN_OUT_EIO;
			if ((mask & ~SCN_OUT_OK) != 0 || intact)
				annot[k] = outcome_words(mask, intact);
			if (culprit && j->expect != NULL) {
				char *line = name_files(j->expect);
				char *tail = xasprintf("%s\n%s", annot[k] ?
				    annot[k] : "", line);

				free(line);
				free(annot[k]);
				annot[k] = tail;
			}
		}
	}
	scn_free(scn);
	return annot;
}

/* Does `blksim run` fail on TEXT (as the reproducer says it should)? */
static bool
run_fails(const char *text)
{
	struct exec_opts eo = { .preemption_bound = -1,
	    .reduction_check = fuzz_reduction_check,
	    .full_check = full_check };
	struct scn_script *scn = parse_text(text);
	struct exec_result r;
	bool failed;

	if (scn == NULL)
		return false;
	exec_script(scn, &eo, &r);
	failed = !r.passed;
	exec_result_free(&r);
	scn_free(scn);
	return failed;
}

struct found {
	uint64_t	 index;		/* scenario number */
	uint64_t	 seed;		/* its generator seed */
	size_t		 before;	/* statements before shrinking */
	uint64_t	 shrink_runs;
};

/* Lines in S. */
static uint32_t
count_lines(const char *s)
{
	uint32_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Statements in scenario text S: its lines but comments and blanks. */
static size_t
count_statements(const char *s)
{
	size_t n = 0;

	while (*s != '\0') {
		const char *nl = strchr(s, '\n');

		n += *s != '#' && *s != '\n';
		s = nl != NULL ? nl + 1 : s + strlen(s);
	}
	return n;
}

/*
 * Write the reproducer of G (judged J) into the output directory; print
 * what was found on stdout.  Returns a CLI_EXIT_* status.
 */
static int
write_reproducer(const struct fuzz_opts *o, const struct gen_script *g,
    const struct judgement *j, const struct found *fd)
{
	struct gen_script clean;
	struct judgement jc;
	char **annot = annotations(g, j);
	char *header = NULL, *text, *path, *quirks_off;
	size_t size = 0, nlines = gen_op_lines(g), nstmts;
	struct out out;
	uint32_t line;
	FILE *f;
	bool fails;
	int rc;

	/* The same scenario with every quirk off. */
	gen_copy(&clean, g);
	clean.preset = quirk_default_preset(g->era);
	clean.quirks_on = clean.quirks_off = 0;
	judge(&clean, &jc);
	gen_free(&clean);
	quirks_off = jc.v == V_ANOMALY ? xasprintf("it still fails: %s",
	    jc.sig) : xstrdup(jc.v == V_LATENT ? "it shows only a documented "
	    "latent defect" : "no anomaly");

	/* Comments change no verdict: judge the bare text. */
	text = gen_print(g, NULL, annot);
	fails = run_fails(text);

	f = open_memstream(&header, &size);
	if (f == NULL)
		abort();
	fprintf(f, "# blksim fuzz: %s\n", j->sig);
	fprintf(f, "#\n# %s.\n", j->why);
	fprintf(f, "# Found by `blksim fuzz%s` (scenario %" PRIu64 ", "
	    "generator seed 0x%016" PRIx64 "),\n", o->command, fd->index,
	    fd->seed);
	nstmts = count_statements(text);
	fprintf(f, "# shrunk from %zu to %zu statements in %" PRIu64
	    " runs.  With every quirk off: %s.\n", fd->before, nstmts,
	    fd->shrink_runs, quirks_off);
	/* This line and the next one are the header's last two. */
	if (fflush(f) != 0)
		abort();
	line = j->line + count_lines(header) + 2;
	fprintf(f, "# The anomaly is at line %" PRIu32 "%s\n#\n", line,
	    fails ? "; `blksim run` fails there." : ".");
	if (fclose(f) != 0)
		abort();
	free(text);
	text = gen_print(g, header, annot);

	path = xasprintf("%s/blksim-fuzz-%016" PRIx64 ".scn", o->out,
	    fd->seed);
	if (mkdir(o->out, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "blksim: %s: %s\n", o->out, strerror(errno));
		rc = CLI_EXIT_IO;
	} else if (out_open(&out, path) != 0)
		rc = CLI_EXIT_IO;
	else {
		fputs(text, out.f);
		rc = out_close(&out);
	}
	printf("blksim fuzz: %s in scenario %" PRIu64 "\n", j->sig,
	    fd->index);
	printf("  %s (line %" PRIu32 ")\n", j->why, line);
	if (rc == CLI_EXIT_OK)
		printf("  reproducer: %s (%zu statements); blksim run %s "
		    "on it\n", path, nstmts, fails ? "fails" :
		    "does not fail");
	else {
		/* Not lost: the reproducer goes to stderr instead. */
		printf("  reproducer: %s could not be written; it follows "
		    "on the standard error\n", path);
		fprintf(stderr, "blksim fuzz: %s in scenario %" PRIu64
		    "; the reproducer (%zu statements):\n%s", j->sig,
		    fd->index, nstmts, text);
	}
	printf("  with every quirk off: %s\n", quirks_off);
	if (rc == CLI_EXIT_OK)
		rc = CLI_EXIT_FAIL;
	free(path);
	for (size_t i = 0; i < nlines; i++)
		free(annot[i]);
	free(annot);
	free(text);
	free(header);
	free(quirks_off);
	judgement_free(&jc);
	return rc;
}

/* ---- the loop -------------------------------------------------------------- */

/* The documented latent defects the oracle names (exec.c), counted. */
static const char *const latent_names[] = {
	"overlap", "merge-refail", "stale-failrec"
};
#define NLATENT	(sizeof(latent_names) / sizeof(latent_names[0]))

/* Count the latent defect called "latent NAME". */
static void
count_latent(uint64_t *counts, const char *sig)
{
	for (size_t k = 0; k < NLATENT; k++)
		if (strcmp(sig + strlen("latent "), latent_names[k]) == 0)
			counts[k]++;
}

/*
 * The preset and every quirk of O belong to its era: a generated
 * scenario naming another era's would not parse.  CLI_EXIT_OK, or
 * CLI_EXIT_USAGE with a message.
 */
static int
check_era(const struct fuzz_opts *o)
{
	const char *era = era_ops((enum era_id)o->era)->name;

	if (o->preset >= 0 && quirk_preset_era((enum quirk_preset)o->preset) !=
	    o->era) {
		fprintf(stderr, "blksim: fuzz: preset %s belongs to another era "
		    "than %s (see `blksim quirks`)\n",
		    quirk_preset_name((enum quirk_preset)o->preset), era);
		return CLI_EXIT_USAGE;
	}
	for (int q = 0; q < QUIRK_COUNT; q++)
		if (((o->quirk_on | o->quirk_off) >> q & 1) &&
		    quirk_info((enum quirk_id)q)->era != o->era) {
			fprintf(stderr, "blksim: fuzz: quirk %s belongs to "
			    "another era than %s (see `blksim quirks`)\n",
			    quirk_info((enum quirk_id)q)->name, era);
			return CLI_EXIT_USAGE;
		}
	return CLI_EXIT_OK;
}

int
fuzz_main(const struct fuzz_opts *o)
{
	struct progress pr = { .on = o->progress && isatty(2), .t0 = now() };
	uint64_t latent[NLATENT] = { 0 }, nlatent = 0, invalid = 0, i, done = 0;
	uint64_t shard_k = o->shard_k ? o->shard_k : 1;
	uint64_t shard_n = o->shard_n ? o->shard_n : 1;
	int rc = check_era(o);

	if (rc != CLI_EXIT_OK)
		return rc;
	if (o->seed_fresh)
		printf("blksim fuzz: no --seed given; this run is --seed=%#"
		    PRIx64 "\n", o->seed);

	fuzz_reduction_check = o->reduction_check;
	full_check = o->full_check;
	/*
	 * Scenario i is the same whatever the shard: --shard=K/N runs the
	 * numbers i < runs with i mod N = K - 1, so the N shards together run
	 * the whole campaign, each scenario once.
	 */
	for (i = shard_k - 1; (o->runs == 0 || i < o->runs) &&
	    (o->seconds <= 0 || now() - pr.t0 < o->seconds); i += shard_n) {
		struct gen_script g;
		struct judgement j;
		struct rng r;
		uint64_t seed = rng_mix64(o->seed ^ rng_mix64(i));

		rng_seed(&r, seed);
		gen_random(&g, &r, o->era);
		g.preset = o->preset;
		g.quirks_on = o->quirk_on;
		g.quirks_off = o->quirk_off;
		judge(&g, &j);
		if (j.v == V_INVALID)
			invalid++;
		else if (j.v == V_LATENT) {
			count_latent(latent, j.sig);
			nlatent++;
		} else if (j.v == V_ANOMALY) {
			struct shrink sh = { .sig = j.sig, .pr = &pr,
			    .deadline = now() + SHRINK_MAX_SECONDS };
			struct found fd = { .index = i, .seed = seed,
			    .before = gen_statements(&g) };

			shrink(&sh, &g);
			fd.shrink_runs = sh.runs;
			judgement_free(&j);
			judge(&g, &j);
			progress_clear(&pr);
			if (j.v == V_ANOMALY)
				rc = write_reproducer(o, &g, &j, &fd);
			else {
				fprintf(stderr, "blksim: fuzz: the shrunk "
				    "scenario no longer fails (internal "
				    "error)\n");
				rc = CLI_EXIT_FAIL;
			}
			judgement_free(&j);
			gen_free(&g);
			done++;
			break;
		}
		judgement_free(&j);
		gen_free(&g);
		done++;
		progress_campaign(&pr, o, done, shard_runs(o), nlatent);
	}
	progress_clear(&pr);
	if (rc == CLI_EXIT_OK)
		printf("blksim fuzz: %" PRIu64 " scenario%s, no anomaly\n",
		    done, done == 1 ? "" : "s");
	printf("  documented latent defects:");
	for (size_t k = 0; k < NLATENT; k++)
		printf("%s %s in %" PRIu64, k ? "," : "", latent_names[k],
		    latent[k]);
	printf("\n");
	if (invalid > 0) {
		printf("  %" PRIu64 " generated scenarios did not parse "
		    "(internal error)\n", invalid);
		if (rc == CLI_EXIT_OK)
			rc = CLI_EXIT_FAIL;
	}
	if (fflush(stdout) != 0 && rc == CLI_EXIT_OK)
		rc = CLI_EXIT_IO;
	return rc;
}
