/*
 * blksim's command line (blksim(1)): global -h and -V, then one
 * subcommand (run, check, quirks, dump) with its own options.  Global
 * options are parsed in POSIX order ("+", stopping at the subcommand);
 * each subcommand's arguments are parsed with GNU permutation, so options
 * may follow the paths (`blksim run x.scn --guards`).
 *
 * Exit statuses (cli.h): 0 success, 1 a scenario failed, 2 usage error or
 * invalid scenario file, 3 a file could not be read or written.  Usage
 * errors print one "blksim: ..." line and the usage to stderr; -h prints
 * the usage to stdout.  The usage text is the SYNOPSIS of blksim(1).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/quirk.h"
#include "../sim/xmalloc.h"
#include "cli.h"
#include "diag.h"
#include "dump.h"
#include "exec.h"
#include "files.h"
#include "fuzz.h"
#include "lex.h"
#include "parse.h"
#include "run.h"
#include "scn.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

#define MAX_JOBS	4096u

static const char usage_text[] =
"usage: blksim run [-qv] [-f format] [-o file] [-j jobs] [--shard=k/n] [--preset=name]\n"
"                  [--quirk=name=on|off] [--seed=n] [--schedule=string] [--guards]\n"
"                  [--preemption-bound=n] [--reduction=sleep-sets|none]\n"
"                  [--trace[=file]] path ...\n"
"       blksim check path ...\n"
"       blksim quirks\n"
"       blksim dump [--preset=name] [--quirk=name=on|off] [--seed=n] file\n"
"       blksim fuzz [-q] [--seed=n] [--runs=n | --time=s] [--preset=name]\n"
"                   [--quirk=name=on|off] [--out=dir]\n"
"       blksim -h | --help\n"
"       blksim -V | --version\n";

static void
usage(FILE *fp)
{
	fputs(usage_text, fp);
}

/* The subcommand whose options are being parsed, for messages. */
static const char *usage_cmd;

/* A usage error: one line naming the problem, the usage; returns 2. */
static int __attribute__((__format__(__printf__, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("blksim: ", stderr);
	if (usage_cmd != NULL)
		fprintf(stderr, "%s: ", usage_cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr);
	return CLI_EXIT_USAGE;
}

/* --- option values ------------------------------------------------------- */

enum {
	OPT_SHARD = 256,
	OPT_PRESET,
	OPT_QUIRK,
	OPT_SEED,
	OPT_SCHEDULE,
	OPT_PREEMPTION_BOUND,
	OPT_REDUCTION,
	OPT_CHECK,
	OPT_GUARDS,
	OPT_TRACE,
	OPT_RUNS,
	OPT_TIME,
	OPT_OUT
};

static int
opt_format(struct cli_opts *o, const char *arg)
{
	static const char *const names[] = {
		[CLI_FORMAT_TEXT] = "text",
		[CLI_FORMAT_TAP] = "tap",
		[CLI_FORMAT_JUNIT] = "junit",
		[CLI_FORMAT_JSON] = "json",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(arg, names[i]) == 0) {
			o->format = (enum cli_format)i;
			return 0;
		}
	}
	return usage_error("unknown format `%s`: use text, tap, junit or "
	    "json", arg);
}

/* A plain decimal number in [lo, hi]. */
static bool
opt_decimal(const char *s, size_t len, unsigned lo, unsigned hi,
    unsigned *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 10)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v < lo || v > hi)
		return false;
	*out = (unsigned)v;
	return true;
}

static int
opt_jobs(struct cli_opts *o, const char *arg)
{
	if (!opt_decimal(arg, strlen(arg), 1, MAX_JOBS, &o->jobs))
		return usage_error("-j takes a number of jobs from 1 to %u, "
		    "not `%s`", MAX_JOBS, arg);
	return 0;
}

static int
opt_preemption_bound(struct cli_opts *o, const char *arg)
{
	unsigned n;

	if (!opt_decimal(arg, strlen(arg), 0, 1000u, &n))
		return usage_error("--preemption-bound takes a number from 0 "
		    "to 1000, not `%s`", arg);
	o->preemption_bound = (int)n;
	return 0;
}

/* --reduction: sleep sets in explored blocks (the default), sleep sets
 * with the state cache, or none. */
static int
opt_reduction(struct cli_opts *o, const char *arg)
{
	o->no_reduction = strcmp(arg, "none") == 0;
	o->state_cache = strcmp(arg, "state") == 0;
	if (strcmp(arg, "sleep-sets") != 0 && !o->no_reduction &&
	    !o->state_cache)
		return usage_error("--reduction takes sleep-sets, state or "
		    "none, not `%s`", arg);
	return 0;
}

/* --check: the invariant checker on what changed (the default), or full. */
static int
opt_check(struct cli_opts *o, const char *arg)
{
	if (strcmp(arg, "changed") == 0)
		o->full_check = false;
	else if (strcmp(arg, "full") == 0)
		o->full_check = true;
	else
		return usage_error("--check takes changed or full, not `%s`",
		    arg);
	return 0;
}

static int
opt_shard(struct cli_opts *o, const char *arg)
{
	const char *slash = strchr(arg, '/');

	if (slash == NULL ||
	    !opt_decimal(arg, (size_t)(slash - arg), 1, 0x7fffffffu,
	    &o->shard_k) ||
	    !opt_decimal(slash + 1, strlen(slash + 1), 1, 0x7fffffffu,
	    &o->shard_n) || o->shard_k > o->shard_n)
		return usage_error("--shard takes K/N with 1 <= K <= N, such "
		    "as 2/4, not `%s`", arg);
	return 0;
}

static int
opt_preset(struct cli_opts *o, const char *arg)
{
	o->preset = quirk_preset_lookup(arg, strlen(arg));
	if (o->preset >= 0)
		quirk_settings_add(&o->quirks, QUIRK_FROM_OPT_PRESET,
		    o->preset, true);
	else
		return usage_error("unknown preset `%s`: use pre-patch or "
		    "post-patch", arg);
	return 0;
}

static int
opt_quirk(struct cli_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	int q;

	if (eq == NULL || (strcmp(eq + 1, "on") != 0 &&
	    strcmp(eq + 1, "off") != 0))
		return usage_error("--quirk takes NAME=on or NAME=off, not "
		    "`%s`", arg);
	q = quirk_lookup(arg, (unsigned long)(eq - arg));
	if (q < 0)
		return usage_error("unknown quirk `%.*s`: `blksim quirks` "
		    "lists them", (int)(eq - arg), arg);
	quirk_settings_add(&o->quirks, QUIRK_FROM_OPT_QUIRK, q,
	    strcmp(eq + 1, "on") == 0);
	return 0;
}

static int
opt_seed(struct cli_opts *o, const char *arg)
{
	if (lex_number(arg, strlen(arg), &o->seed) != LEX_OK)
		return usage_error("--seed takes a number (decimal or 0x hex) "
		    "below 2^64, not `%s`", arg);
	o->seed_given = true;
	return 0;
}

/* --runs=N: scenarios for fuzz, at least one. */
static int
opt_runs(struct cli_opts *o, const char *arg)
{
	if (lex_number(arg, strlen(arg), &o->fuzz_runs) != LEX_OK ||
	    o->fuzz_runs == 0)
		return usage_error("--runs takes a number of scenarios from 1 "
		    "to 2^64 - 1, not `%s`", arg);
	return 0;
}

/* --time=S: whole seconds for fuzz, 1 to a day. */
static int
opt_time(struct cli_opts *o, const char *arg)
{
	uint64_t s;

	if (lex_number(arg, strlen(arg), &s) != LEX_OK || s == 0 ||
	    s > 86400)
		return usage_error("--time takes whole seconds from 1 to "
		    "86400, not `%s`", arg);
	o->fuzz_seconds = (double)s;
	return 0;
}

/* --- option parsing ------------------------------------------------------ */

/* One subcommand: its options and how many operands it takes. */
struct subcmd {
	const char		*name;
	const char		*shortopts;
	const struct option	*longopts;
	int			 min_args;
	int			 max_args;	/* -1 for no limit */
	int			(*fn)(const struct cli_opts *, char **, int);
};

/* Apply option CH (argument ARG); returns 0 or an exit status. */
static int
apply_opt(struct cli_opts *o, int ch, const char *arg)
{
	switch (ch) {
	case 'f':
		return opt_format(o, arg);
	case 'o':
		o->output = arg;
		return 0;
	case 'j':
		return opt_jobs(o, arg);
	case 'q':
		o->quiet = true;
		return 0;
	case 'v':
		o->verbose = true;
		return 0;
	case OPT_SHARD:
		return opt_shard(o, arg);
	case OPT_PRESET:
		return opt_preset(o, arg);
	case OPT_QUIRK:
		return opt_quirk(o, arg);
	case OPT_SEED:
		return opt_seed(o, arg);
	case OPT_SCHEDULE:
		o->schedule = arg;
		return 0;
	case OPT_PREEMPTION_BOUND:
		return opt_preemption_bound(o, arg);
	case OPT_REDUCTION:
		return opt_reduction(o, arg);
	case OPT_CHECK:
		return opt_check(o, arg);
	case OPT_GUARDS:
		o->guards = true;
		return 0;
	case OPT_RUNS:
		return opt_runs(o, arg);
	case OPT_TIME:
		return opt_time(o, arg);
	case OPT_OUT:
		if (*arg == '\0')
			return usage_error("--out needs a directory");
		o->fuzz_out = arg;
		return 0;
	case OPT_TRACE:
		o->trace = true;
		o->trace_file = arg;
		if (arg != NULL && *arg == '\0')
			return usage_error("--trace=FILE needs a file name");
		return 0;
	default:
		return usage_error("internal: unhandled option %d", ch);
	}
}

/* The option word getopt just complained about, for messages. */
static const char *
bad_option(char **argv, char *buf, size_t sz)
{
	if (optopt > 0 && optopt < 256) {
		snprintf(buf, sz, "-%c", optopt);
		return buf;
	}
	return argv[optind - 1];
}

/*
 * Parse the options of subcommand SC (ARGV[0] is its name).  Returns -1 to
 * go on with the operands from *FIRST, or an exit status.
 */
static int
parse_opts(const struct subcmd *sc, int argc, char **argv,
    struct cli_opts *o, int *first)
{
	char buf[8];
	int ch, rc;

	usage_cmd = sc->name;
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, sc->shortopts, sc->longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			return CLI_EXIT_OK;
		case ':':
			return usage_error("option %s needs a value",
			    bad_option(argv, buf, sizeof(buf)));
		case '?':
			return usage_error("unknown option %s",
			    bad_option(argv, buf, sizeof(buf)));
		default:
			if ((rc = apply_opt(o, ch, optarg)) != 0)
				return rc;
		}
	}
	if (o->quiet && o->verbose)
		return usage_error("-q and -v cannot be used together");
	*first = optind;
	if (argc - optind < sc->min_args)
		return usage_error("missing %s",
		    sc->max_args == 1 ? "file" : "path");
	if (sc->max_args >= 0 && argc - optind > sc->max_args)
		return usage_error("unexpected argument `%s`",
		    argv[optind + sc->max_args]);
	return -1;
}

/* --- subcommands ---------------------------------------------------------- */

/* Parse one file and print its diagnostics; returns a CLI_EXIT_* status. */
static int
check_file(const char *path)
{
	struct scn_script *s;
	struct diag_list dl;
	char *buf, *out = NULL;
	size_t len, outlen = 0;
	FILE *mem;
	int err;

	if ((err = files_read(path, &buf, &len)) != 0) {
		fprintf(stderr, "blksim: %s: %s\n", path, strerror(err));
		return CLI_EXIT_IO;
	}
	diag_init(&dl);
	s = parse_script(path, buf, len, &dl);
	scn_free(s);
	if (dl.n > 0) {
		/* One write per file: stderr is unbuffered. */
		if ((mem = open_memstream(&out, &outlen)) != NULL) {
			diag_print(&dl, path, buf, len, mem);
			fclose(mem);
			fwrite(out, 1, outlen, stderr);
			free(out);
		} else
			diag_print(&dl, path, buf, len, stderr);
	}
	err = dl.n > 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	diag_free(&dl);
	free(buf);
	return err;
}

static int
cmd_check(const struct cli_opts *o, char **paths, int npaths)
{
	struct files_list fl;
	int status, rc;
	bool invalid = false;

	(void)o;
	files_list_init(&fl);
	status = files_collect(paths, npaths, &fl);
	for (size_t i = 0; i < fl.n; i++) {
		rc = check_file(fl.v[i]);
		if (rc == CLI_EXIT_IO)
			status = CLI_EXIT_IO;
		else if (rc != CLI_EXIT_OK)
			invalid = true;
	}
	files_list_free(&fl);
	if (status == CLI_EXIT_IO)
		return CLI_EXIT_IO;
	return invalid ? CLI_EXIT_USAGE : CLI_EXIT_OK;
}

static int
cmd_quirks(const struct cli_opts *o, char **paths, int npaths)
{
	(void)o;
	(void)paths;
	(void)npaths;
	for (int q = 0; q < QUIRK_COUNT; q++) {
		const struct quirk_info *qi = quirk_info((enum quirk_id)q);

		printf("%d %-18s %s\n", q + 1, qi->name, qi->summary);
	}
	for (int p = 0; p < PRESET_COUNT; p++)
		printf("preset %-11s %s\n",
		    quirk_preset_name((enum quirk_preset)p),
		    quirk_preset_summary((enum quirk_preset)p));
	return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_IO;
}

static int
cmd_run(const struct cli_opts *o, char **paths, int npaths)
{
	return run_main(o, paths, npaths);
}

static int
cmd_dump(const struct cli_opts *o, char **paths, int npaths)
{
	(void)npaths;
	return dump_main(o, paths[0]);
}

static const struct option run_longopts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "preset", required_argument, NULL, OPT_PRESET },
	{ "quirk", required_argument, NULL, OPT_QUIRK },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "schedule", required_argument, NULL, OPT_SCHEDULE },
	{ "preemption-bound", required_argument, NULL, OPT_PREEMPTION_BOUND },
	{ "reduction", required_argument, NULL, OPT_REDUCTION },
	{ "check", required_argument, NULL, OPT_CHECK },
	{ "guards", no_argument, NULL, OPT_GUARDS },
	{ "trace", optional_argument, NULL, OPT_TRACE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/*
 * `blksim fuzz`: the options as a command line again (for the
 * reproducer's comment), the quirk overrides as masks, and the run.
 */
static int
cmd_fuzz(const struct cli_opts *o, char **paths, int npaths)
{
	struct fuzz_opts fo = { .seed = o->seed, .preset = o->preset,
	    .runs = o->fuzz_runs, .seconds = o->fuzz_seconds,
	    .out = o->fuzz_out ? o->fuzz_out : ".", .progress = !o->quiet,
	    .full_check = o->full_check, .shard_k = o->shard_k,
	    .shard_n = o->shard_n };
	char *cmd = NULL;
	size_t size = 0;
	FILE *f;
	int rc;

	(void)paths;
	(void)npaths;
	if (fo.runs > 0 && fo.seconds > 0)
		return usage_error("--runs and --time cannot be used together");
	if (fo.runs == 0 && fo.seconds <= 0)
		fo.runs = 1000;
	quirk_overrides(&o->quirks, &fo.quirk_on, &fo.quirk_off);
	if ((f = open_memstream(&cmd, &size)) == NULL)
		abort();
	fprintf(f, " --seed=%" PRIu64, o->seed);
	if (o->preset >= 0)
		fprintf(f, " --preset=%s", quirk_preset_name(o->preset));
	for (size_t i = 0; i < o->quirks.n; i++) {
		const struct quirk_setting *qs = &o->quirks.v[i];

		if (qs->from == QUIRK_FROM_OPT_QUIRK)
			fprintf(f, " --quirk=%s=%s", quirk_info(qs->id)->name,
			    qs->on ? "on" : "off");
	}
	fclose(f);
	fo.command = cmd;
	rc = fuzz_main(&fo);
	free(cmd);
	return rc;
}

static const struct option fuzz_longopts[] = {
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "runs", required_argument, NULL, OPT_RUNS },
	{ "time", required_argument, NULL, OPT_TIME },
	{ "preset", required_argument, NULL, OPT_PRESET },
	{ "quirk", required_argument, NULL, OPT_QUIRK },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "check", required_argument, NULL, OPT_CHECK },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static const struct option dump_longopts[] = {
	{ "preset", required_argument, NULL, OPT_PRESET },
	{ "quirk", required_argument, NULL, OPT_QUIRK },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static const struct option help_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static const struct subcmd subcmds[] = {
	{ "run", ":qvf:o:j:h", run_longopts, 1, -1, cmd_run },
	{ "check", ":h", help_longopts, 1, -1, cmd_check },
	{ "quirks", ":h", help_longopts, 0, 0, cmd_quirks },
	{ "dump", ":h", dump_longopts, 1, 1, cmd_dump },
	{ "fuzz", ":qh", fuzz_longopts, 0, 0, cmd_fuzz },
};

static const struct option global_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

int
main(int argc, char **argv)
{
	struct cli_opts o;
	char buf[8];
	int ch, first = 0, rc;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:hV", global_longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			return CLI_EXIT_OK;
		case 'V':
			printf("blksim %s\n", PACKAGE_VERSION);
			return CLI_EXIT_OK;
		default:
			return usage_error("unknown option %s",
			    bad_option(argv, buf, sizeof(buf)));
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(subcmds) / sizeof(subcmds[0]); i++) {
		const struct subcmd *sc = &subcmds[i];
		int sub_argc = argc - optind;
		char **sub_argv = argv + optind;

		if (strcmp(argv[optind], sc->name) != 0)
			continue;
		memset(&o, 0, sizeof(o));
		o.format = CLI_FORMAT_TEXT;
		o.preset = -1;
		o.preemption_bound = -1;
		o.jobs = 1;
		o.shard_k = o.shard_n = 1;
		rc = parse_opts(sc, sub_argc, sub_argv, &o, &first);
		if (rc < 0)
			rc = sc->fn(&o, sub_argv + first, sub_argc - first);
		quirk_settings_free(&o.quirks);
		return rc;
	}
	return usage_error("unknown command `%s`", argv[optind]);
}
