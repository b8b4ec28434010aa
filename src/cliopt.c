/*
 * The command line's option table and what derives from it (cliopt.h).
 *
 * Each row is one option: its long and short names, the commands that
 * take it, its argument as help shows it, its one-line help, the values
 * completion offers, and the function that applies it to struct
 * cli_opts (checking its value; a bad one is a usage error naming the
 * option).  A command's getopt strings are built from the rows that name
 * it, in table order, which is also the order of its --help.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/era.h"
#include "../sim/quirk.h"
#include "cliopt.h"
#include "lex.h"

#define MAX_JOBS	4096u
#define MAX_OPTS	32	/* rows, with room to spare */

static const char usage_text[] =
"usage: blksim run [-qv] [-f format] [-o file] [-j jobs] [--shard=k/n] [--era=name]\n"
"                  [--preset=name] [--quirk=name=on|off] [--seed=n] [--schedule=string]\n"
"                  [--guards] [--preemption-bound=n]\n"
"                  [--reduction=sleep-sets|state|none|check] [--check=changed|full]\n"
"                  [--trace[=file]] path ...\n"
"       blksim check [--era=name] path ...\n"
"       blksim quirks\n"
"       blksim dump [--era=name] [--preset=name] [--quirk=name=on|off] [--seed=n] file\n"
"       blksim fuzz [-q] [--shard=k/n] [--era=name] [--seed=n] [--runs=n | --time=s]\n"
"                   [--preset=name] [--quirk=name=on|off] [--reduction=check]\n"
"                   [--check=changed|full] [--out=dir]\n"
"       blksim help [command]\n"
"       blksim completion\n"
"       blksim -h | --help\n"
"       blksim -V | --version\n";

void
cli_usage(FILE *fp)
{
	fputs(usage_text, fp);
}

int
cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("blksim: ", stderr);
	if (cmd != NULL)
		fprintf(stderr, "%s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cli_usage(stderr);
	return CLI_EXIT_USAGE;
}

/* The command being parsed, for the messages of the apply functions. */
static const char *parsing;

#define USAGE(...)	cli_usage_error(parsing, __VA_ARGS__)

/* --- applying one option ------------------------------------------------- */

static const char *const formats[] = {
	[CLI_FORMAT_TEXT] = "text",
	[CLI_FORMAT_TAP] = "tap",
	[CLI_FORMAT_JUNIT] = "junit",
	[CLI_FORMAT_JSON] = "json",
};

static int
opt_format(struct cli_opts *o, const char *arg)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (strcmp(arg, formats[i]) == 0) {
			o->format = (enum cli_format)i;
			return 0;
		}
	}
	return USAGE("unknown format `%s`: use text, tap, junit or json", arg);
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
opt_output(struct cli_opts *o, const char *arg)
{
	o->output = arg;
	return 0;
}

static int
opt_jobs(struct cli_opts *o, const char *arg)
{
	if (!opt_decimal(arg, strlen(arg), 1, MAX_JOBS, &o->jobs))
		return USAGE("-j takes a number of jobs from 1 to %u, not `%s`",
		    MAX_JOBS, arg);
	return 0;
}

static int
opt_quiet(struct cli_opts *o, const char *arg)
{
	o->quiet = true;
	return 0;
}

static int
opt_verbose(struct cli_opts *o, const char *arg)
{
	o->verbose = true;
	return 0;
}

static int
opt_preemption_bound(struct cli_opts *o, const char *arg)
{
	unsigned n;

	if (!opt_decimal(arg, strlen(arg), 0, 1000u, &n))
		return USAGE("--preemption-bound takes a number from 0 to "
		    "1000, not `%s`", arg);
	o->preemption_bound = (int)n;
	return 0;
}

/*
 * --reduction: sleep sets in explored blocks (the default), sleep sets
 * with the state cache, none, or check (sleep sets, and every explored
 * block again with the state cache and without a reduction, which must
 * all give the same outcomes).
 */
static int
opt_reduction(struct cli_opts *o, const char *arg)
{
	o->no_reduction = strcmp(arg, "none") == 0;
	o->state_cache = strcmp(arg, "state") == 0;
	o->reduction_check = strcmp(arg, "check") == 0;
	if (!o->no_reduction && !o->state_cache && !o->reduction_check &&
	    strcmp(arg, "sleep-sets") != 0)
		return USAGE("--reduction takes sleep-sets, state, none or "
		    "check, not `%s`", arg);
	return 0;
}

/* --check: the invariant checker on what changed (the default), or on
 * the whole model after every statement. */
static int
opt_check(struct cli_opts *o, const char *arg)
{
	if (strcmp(arg, "changed") == 0)
		o->full_check = false;
	else if (strcmp(arg, "full") == 0)
		o->full_check = true;
	else
		return USAGE("--check takes changed or full, not `%s`", arg);
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
		return USAGE("--shard takes K/N with 1 <= K <= N, such as 2/4, "
		    "not `%s`", arg);
	return 0;
}

static int
opt_preset(struct cli_opts *o, const char *arg)
{
	o->preset = quirk_preset_lookup(arg, strlen(arg));
	if (o->preset < 0)
		return USAGE("unknown preset `%s`: use pre-patch, post-patch "
		    "or fixed", arg);
	quirk_settings_add(&o->quirks, QUIRK_FROM_OPT_PRESET, o->preset,
	    true);
	return 0;
}

static int
opt_quirk(struct cli_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	int q;

	if (eq == NULL || (strcmp(eq + 1, "on") != 0 &&
	    strcmp(eq + 1, "off") != 0))
		return USAGE("--quirk takes NAME=on or NAME=off, not `%s`",
		    arg);
	q = quirk_lookup(arg, (unsigned long)(eq - arg));
	if (q < 0)
		return USAGE("unknown quirk `%.*s`: `blksim quirks` lists them",
		    (int)(eq - arg), arg);
	quirk_settings_add(&o->quirks, QUIRK_FROM_OPT_QUIRK, q,
	    strcmp(eq + 1, "on") == 0);
	return 0;
}

/* --era=2008|modern: every file runs in that era, whatever it says. */
static int
opt_era(struct cli_opts *o, const char *arg)
{
	o->era = era_lookup(arg, strlen(arg));
	if (o->era < 0)
		return USAGE("unknown era `%s`: use 2008 or modern", arg);
	return 0;
}

static int
opt_seed(struct cli_opts *o, const char *arg)
{
	if (lex_number(arg, strlen(arg), &o->seed) != LEX_OK)
		return USAGE("--seed takes a number (decimal or 0x hex) below "
		    "2^64, not `%s`", arg);
	o->seed_given = true;
	return 0;
}

static int
opt_schedule(struct cli_opts *o, const char *arg)
{
	o->schedule = arg;
	return 0;
}

static int
opt_guards(struct cli_opts *o, const char *arg)
{
	o->guards = true;
	return 0;
}

/* --runs=N: scenarios for fuzz, at least one. */
static int
opt_runs(struct cli_opts *o, const char *arg)
{
	if (lex_number(arg, strlen(arg), &o->fuzz_runs) != LEX_OK ||
	    o->fuzz_runs == 0)
		return USAGE("--runs takes a number of scenarios from 1 to "
		    "2^64 - 1, not `%s`", arg);
	return 0;
}

/* --time=S: whole seconds for fuzz, 1 to a day. */
static int
opt_time(struct cli_opts *o, const char *arg)
{
	uint64_t s;

	if (lex_number(arg, strlen(arg), &s) != LEX_OK || s == 0 ||
	    s > 86400)
		return USAGE("--time takes whole seconds from 1 to 86400, not "
		    "`%s`", arg);
	o->fuzz_seconds = (double)s;
	return 0;
}

static int
opt_out(struct cli_opts *o, const char *arg)
{
	if (*arg == '\0')
		return USAGE("--out needs a directory");
	o->fuzz_out = arg;
	return 0;
}

static int
opt_trace(struct cli_opts *o, const char *arg)
{
	o->trace = true;
	o->trace_file = arg;
	if (arg != NULL && *arg == '\0')
		return USAGE("--trace=FILE needs a file name");
	return 0;
}

/* --- the table ------------------------------------------------------------ */

/* What completion offers for an option's value. */
enum cli_values {
	VAL_NONE,	/* nothing (a number, a string) */
	VAL_FILE,	/* a file name */
	VAL_DIR,	/* a directory */
	VAL_FORMATS,
	VAL_ERAS,
	VAL_PRESETS,
	VAL_QUIRKS,	/* NAME=on, NAME=off */
	VAL_REDUCTIONS,
	VAL_CHECKS
};

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
	OPT_OUT,
	OPT_ERA
};

struct cli_opt {
	const char	*name;		/* long name, or NULL */
	int		 id;		/* getopt's value: the short name or
					   OPT_* */
	int		 has_arg;	/* no_, required_, optional_argument */
	const char	*arg;		/* as help writes it */
	unsigned	 cmds;		/* CLI_CMD_* that take it */
	const char	*help;
	enum cli_values	 values;
	int		(*apply)(struct cli_opts *, const char *arg);
};

#define RUN	CLI_CMD_RUN
#define CHECK	CLI_CMD_CHECK
#define DUMP	CLI_CMD_DUMP
#define FUZZ	CLI_CMD_FUZZ

static const struct cli_opt opts[] = {
	{ NULL, 'q', no_argument, NULL, RUN | FUZZ,
	    "print only the summary line (fuzz: no progress line)",
	    VAL_NONE, opt_quiet },
	{ NULL, 'v', no_argument, NULL, RUN,
	    "print every expectation, with times, and every event of a "
	    "failing statement", VAL_NONE, opt_verbose },
	{ "format", 'f', required_argument, "format", RUN,
	    "report as text (the default), tap, junit or json", VAL_FORMATS,
	    opt_format },
	{ "output", 'o', required_argument, "file", RUN,
	    "write the report to file (atomically) instead of stdout",
	    VAL_FILE, opt_output },
	{ "jobs", 'j', required_argument, "jobs", RUN,
	    "run the files on jobs threads (1 to 4096); the output does not "
	    "change", VAL_NONE, opt_jobs },
	{ "shard", OPT_SHARD, required_argument, "k/n", RUN | FUZZ,
	    "run only files k, k+n, k+2n, ... of the sorted list, and part "
	    "k of n of each explored block (fuzz: scenarios k, k+n, ...)",
	    VAL_NONE, opt_shard },
	{ "era", OPT_ERA, required_argument, "name", RUN | CHECK | DUMP | FUZZ,
	    "run every file in era 2008 or modern, whatever it says",
	    VAL_ERAS, opt_era },
	{ "preset", OPT_PRESET, required_argument, "name", RUN | DUMP | FUZZ,
	    "set every quirk from a preset: pre-patch, post-patch, fixed",
	    VAL_PRESETS, opt_preset },
	{ "quirk", OPT_QUIRK, required_argument, "name=on|off",
	    RUN | DUMP | FUZZ, "turn one quirk on or off (repeatable; "
	    "`blksim quirks` lists them)", VAL_QUIRKS, opt_quirk },
	{ "seed", OPT_SEED, required_argument, "n", RUN | DUMP | FUZZ,
	    "the seed of faults and random schedules (fuzz: of the run)",
	    VAL_NONE, opt_seed },
	{ "schedule", OPT_SCHEDULE, required_argument, "string", RUN,
	    "replay one schedule in every concurrent block (T1,W1,D1,...)",
	    VAL_NONE, opt_schedule },
	{ "guards", OPT_GUARDS, no_argument, NULL, RUN,
	    "rerun each file with each quirk it guards on; it must fail",
	    VAL_NONE, opt_guards },
	{ "preemption-bound", OPT_PREEMPTION_BOUND, required_argument, "n",
	    RUN, "explore only schedules with at most n preemptions",
	    VAL_NONE, opt_preemption_bound },
	{ "reduction", OPT_REDUCTION, required_argument,
	    "sleep-sets|state|none|check", RUN | FUZZ,
	    "explore with sleep sets (the default), with them and the state "
	    "cache, without, or all three and compare (fuzz: check only)",
	    VAL_REDUCTIONS, opt_reduction },
	{ "check", OPT_CHECK, required_argument, "changed|full", RUN | FUZZ,
	    "run the invariant checker on what each statement changed (the "
	    "default) or on the whole model", VAL_CHECKS, opt_check },
	{ "trace", OPT_TRACE, optional_argument, "file", RUN,
	    "every event to stderr, or to file: .json a Perfetto timeline, "
	    ".dot the deadlocks, else text", VAL_FILE, opt_trace },
	{ "runs", OPT_RUNS, required_argument, "n", FUZZ,
	    "try n scenarios (default 1000)", VAL_NONE, opt_runs },
	{ "time", OPT_TIME, required_argument, "s", FUZZ,
	    "try scenarios for s seconds instead", VAL_NONE, opt_time },
	{ "out", OPT_OUT, required_argument, "dir", FUZZ,
	    "write reproducers to dir (default .)", VAL_DIR, opt_out },
};
#define NOPTS	(sizeof(opts) / sizeof(opts[0]))

/* --- parsing -------------------------------------------------------------- */

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

/* Command CMD's getopt strings from the table (and -h, --help). */
static void
getopt_strings(const struct cli_cmd *cmd, char *shorts, size_t size,
    struct option *longs)
{
	size_t ns = 0, nl = 0;

	shorts[ns++] = ':';
	for (size_t i = 0; i < NOPTS; i++) {
		const struct cli_opt *r = &opts[i];

		if (!(r->cmds & cmd->bit))
			continue;
		if (r->id < 256 && ns + 3 < size) {
			shorts[ns++] = (char)r->id;
			if (r->has_arg == required_argument)
				shorts[ns++] = ':';
		}
		if (r->name != NULL)
			longs[nl++] = (struct option){ r->name, r->has_arg,
			    NULL, r->id };
	}
	shorts[ns++] = 'h';
	shorts[ns] = '\0';
	longs[nl++] = (struct option){ "help", no_argument, NULL, 'h' };
	longs[nl] = (struct option){ NULL, 0, NULL, 0 };
}

/* The row of getopt value ID. */
static const struct cli_opt *
row_of(int id)
{
	for (size_t i = 0; i < NOPTS; i++)
		if (opts[i].id == id)
			return &opts[i];
	return NULL;
}

static void
defaults(struct cli_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->format = CLI_FORMAT_TEXT;
	o->preset = -1;
	o->era = -1;
	o->preemption_bound = -1;
	o->jobs = 1;
	o->shard_k = o->shard_n = 1;
}

int
cli_parse(const struct cli_cmd *cmds, size_t ncmds, int argc, char **argv,
    struct cli_opts *o, const struct cli_cmd **which, int *first)
{
	struct option longs[MAX_OPTS + 2];
	char shorts[2 * MAX_OPTS + 3], buf[8];
	const struct cli_cmd *cmd = NULL;
	const struct cli_opt *r;
	int ch, rc;

	defaults(o);
	for (size_t i = 0; i < ncmds && cmd == NULL; i++)
		if (strcmp(argv[0], cmds[i].name) == 0)
			cmd = &cmds[i];
	if (cmd == NULL)
		return cli_usage_error(NULL, "unknown command `%s`: use %s",
		    argv[0], "run, check, quirks, dump, fuzz, help or "
		    "completion");
	*which = cmd;
	parsing = cmd->name;
	getopt_strings(cmd, shorts, sizeof(shorts), longs);
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		switch (ch) {
		case 'h':
			cli_cmd_help(stdout, cmd);
			return CLI_EXIT_OK;
		case ':':
			return USAGE("option %s needs a value",
			    bad_option(argv, buf, sizeof(buf)));
		case '?':
			return USAGE("unknown option %s (`blksim %s --help` "
			    "lists its options)",
			    bad_option(argv, buf, sizeof(buf)), cmd->name);
		default:
			if ((r = row_of(ch)) == NULL)
				return USAGE("internal: unhandled option %d",
				    ch);
			if ((rc = r->apply(o, optarg)) != 0)
				return rc;
		}
	}
	if (o->quiet && o->verbose)
		return USAGE("-q and -v cannot be used together");
	*first = optind;
	if (argc - optind < cmd->min_args)
		return USAGE("missing %s", cmd->max_args == 1 ? "file" : "path");
	if (cmd->max_args >= 0 && argc - optind > cmd->max_args)
		return USAGE("unexpected argument `%s`",
		    argv[optind + cmd->max_args]);
	return -1;
}

/* --- help ------------------------------------------------------------------ */

/* Option R as help shows it: "-f, --format=format". */
static void
option_form(const struct cli_opt *r, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	if (r->id < 256)
		n += (size_t)snprintf(buf + n, size - n, "-%c%s", r->id,
		    r->name ? ", " : "");
	if (r->name != NULL && n < size)
		n += (size_t)snprintf(buf + n, size - n, "--%s", r->name);
	if (r->arg != NULL && n < size)
		snprintf(buf + n, size - n, r->has_arg == optional_argument ?
		    "[=%s]" : r->name ? "=%s" : " %s", r->arg);
}

/*
 * TEXT to F from column COL (where the caller left the cursor), words
 * wrapped before column WIDTH, continuation lines indented by INDENT.
 */
static void
wrap(FILE *f, const char *text, int col, int indent, int width)
{
	const char *p = text;

	while (*p != '\0') {
		size_t n = strcspn(p, " \n");

		if (col > indent && col + 1 + (int)n > width) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, n, f);
		col += (int)n;
		p += n;
		while (*p == ' ' || *p == '\n')
			p++;
	}
	fputc('\n', f);
}

#define HELP_WIDTH	80	/* columns of a help line */
#define HELP_TAB	30	/* where an option's help starts */

void
cli_cmd_help(FILE *f, const struct cli_cmd *cmd)
{
	char form[64];

	fprintf(f, "usage: blksim %s%s%s%s\n\n", cmd->name,
	    cmd->bit & (CLI_CMD_QUIRKS | CLI_CMD_HELP | CLI_CMD_COMPLETION) ?
	    "" : " [options]", cmd->operands[0] ? " " : "", cmd->operands);
	wrap(f, cmd->about, 0, 0, HELP_WIDTH);
	fputs("\noptions:\n", f);
	for (size_t i = 0; i < NOPTS; i++) {
		if (!(opts[i].cmds & cmd->bit))
			continue;
		option_form(&opts[i], form, sizeof(form));
		if (strlen(form) + 4 > HELP_TAB)
			fprintf(f, "  %s\n%*s", form, HELP_TAB, "");
		else
			fprintf(f, "  %-*s", HELP_TAB - 2, form);
		wrap(f, opts[i].help, HELP_TAB, HELP_TAB, HELP_WIDTH);
	}
	fprintf(f, "  %-*s", HELP_TAB - 2, "-h, --help");
	wrap(f, "print this help", HELP_TAB, HELP_TAB, HELP_WIDTH);
	fputs("\nSee blksim(1), blksim-scenario(5) and blksim-quirks(7).\n", f);
}

void
cli_help(FILE *f, const struct cli_cmd *cmds, size_t ncmds)
{
	fputs("usage: blksim command [options] [operands]\n\ncommands:\n", f);
	for (size_t i = 0; i < ncmds; i++)
		fprintf(f, "  %-11s %s\n", cmds[i].name, cmds[i].summary);
	fputs("\n`blksim command --help` lists a command's options; "
	    "`blksim --help` prints\nthe synopsis of every command.\n"
	    "\nmanuals:\n"
	    "  blksim(1)           the program: commands, options, output, "
	    "exit status\n"
	    "  blksim-scenario(5)  the scenario language and the model, both "
	    "eras\n"
	    "  blksim-quirks(7)    the historical cases, with the commands "
	    "that show them\n"
	    "(from a source tree: man -l man/blksim.1)\n", f);
}

const char *
cli_option_name(unsigned bit, size_t i, char *shortname)
{
	for (size_t k = 0; k < NOPTS; k++) {
		if (!(opts[k].cmds & bit))
			continue;
		if (i-- > 0)
			continue;
		*shortname = opts[k].id < 256 ? (char)opts[k].id : '\0';
		return opts[k].name ? opts[k].name : "";
	}
	return NULL;
}

/* --- bash completion ------------------------------------------------------- */

/* The words completion offers for values V, space-separated. */
static void
value_words(FILE *f, enum cli_values v)
{
	switch (v) {
	case VAL_FORMATS:
		for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]);
		    i++)
			fprintf(f, "%s%s", i ? " " : "", formats[i]);
		break;
	case VAL_ERAS:
		for (unsigned e = 0; e < ERA_COUNT; e++)
			fprintf(f, "%s%s", e ? " " : "",
			    era_ops((enum era_id)e)->name);
		break;
	case VAL_PRESETS:
		for (int p = 0; p < PRESET_COUNT; p++)
			fprintf(f, "%s%s", p ? " " : "",
			    quirk_preset_name((enum quirk_preset)p));
		break;
	case VAL_QUIRKS:
		for (int q = 0; q < QUIRK_COUNT; q++)
			fprintf(f, "%s%s=on %s=off", q ? " " : "",
			    quirk_info((enum quirk_id)q)->name,
			    quirk_info((enum quirk_id)q)->name);
		break;
	case VAL_REDUCTIONS:
		fputs("sleep-sets state none check", f);
		break;
	case VAL_CHECKS:
		fputs("changed full", f);
		break;
	default:
		break;
	}
}

/*
 * The case arm of option R for _blksim_values: its names as patterns, and
 * the compgen that offers its values.
 */
static void
value_arm(FILE *f, const struct cli_opt *r)
{
	fputs("\t", f);
	if (r->name != NULL)
		fprintf(f, "--%s", r->name);
	if (r->id < 256 && r->has_arg == required_argument)
		fprintf(f, "%s-%c", r->name ? "|" : "", r->id);
	fputs(")\n\t\t", f);
	if (r->values == VAL_FILE || r->values == VAL_DIR)
		fprintf(f, "compgen -%c -- \"$2\"", r->values == VAL_DIR ?
		    'd' : 'f');
	else {
		fputs("compgen -W '", f);
		value_words(f, r->values);
		fputs("' -- \"$2\"", f);
	}
	fputs(" ;;\n", f);
}

void
cli_completion_bash(FILE *f, const struct cli_cmd *cmds, size_t ncmds)
{
	fputs("# bash completion for blksim(1), written by `blksim completion`"
	    "\n# from the program's own tables: commands, options, eras, "
	    "presets, quirks.\n\n"
	    "# The values of option $1 that complete $2.\n"
	    "_blksim_values()\n{\n\tcase $1 in\n", f);
	for (size_t i = 0; i < NOPTS; i++)
		if (opts[i].has_arg != no_argument)
			value_arm(f, &opts[i]);
	fputs("\t*) return 1 ;;\n\tesac\n}\n\n"
	    "_blksim()\n{\n"
	    "\tlocal cur=${COMP_WORDS[COMP_CWORD]} "
	    "prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	    "\tlocal cmd=${COMP_WORDS[1]} opt= val= pre= words\n"
	    "\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n"
	    "\t\tCOMPREPLY=($(compgen -W '", f);
	for (size_t i = 0; i < ncmds; i++)
		fprintf(f, "%s ", cmds[i].name);
	fputs("-h --help -V --version' -- \"$cur\"))\n\t\treturn\n\tfi\n"
	    "\t# An option's value: --name=value (one word, or three when\n"
	    "\t# COMP_WORDBREAKS splits at =), or the word after -x.\n"
	    "\tif [ \"$prev\" = = ] && [ \"$COMP_CWORD\" -ge 3 ]; then\n"
	    "\t\topt=${COMP_WORDS[COMP_CWORD-2]} val=$cur\n"
	    "\telif [ \"$cur\" = = ]; then\n"
	    "\t\topt=$prev val=\n"
	    "\telif [[ $cur == --*=* ]]; then\n"
	    "\t\topt=${cur%%=*} val=${cur#*=} pre=$opt=\n"
	    "\telif [[ $prev == -? ]]; then\n"
	    "\t\topt=$prev val=$cur\n"
	    "\tfi\n"
	    "\tif [ -n \"$opt\" ] && words=$(_blksim_values \"$opt\" \"$val\")"
	    "; then\n"
	    "\t\tCOMPREPLY=($(compgen -P \"$pre\" -W \"$words\" -- \"$val\"))\n"
	    "\t\treturn\n\tfi\n"
	    "\tcase $cmd in\n", f);
	for (size_t c = 0; c < ncmds; c++) {
		fprintf(f, "\t%s) words='", cmds[c].name);
		for (size_t i = 0; i < NOPTS; i++) {
			const struct cli_opt *r = &opts[i];

			if (!(r->cmds & cmds[c].bit))
				continue;
			if (r->id < 256)
				fprintf(f, "-%c ", r->id);
			if (r->name != NULL)
				fprintf(f, "--%s%s ", r->name,
				    r->has_arg == no_argument ? "" : "=");
		}
		if (cmds[c].bit == CLI_CMD_HELP)
			for (size_t k = 0; k < ncmds; k++)
				fprintf(f, "%s ", cmds[k].name);
		fputs("--help' ;;\n", f);
	}
	fputs("\t*) words= ;;\n\tesac\n"
	    "\tif [[ $cur == -* ]]; then\n"
	    "\t\tCOMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
	    "\t\t[[ ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null\n"
	    "\telif [ \"$cmd\" = help ]; then\n"
	    "\t\tCOMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
	    "\telif [ \"$cmd\" != quirks ] && [ \"$cmd\" != completion ]; then\n"
	    "\t\t# Scenario files, and the directories that hold them.\n"
	    "\t\tcompopt -o filenames 2>/dev/null\n"
	    "\t\tCOMPREPLY=($(compgen -d -- \"$cur\") "
	    "$(compgen -f -X '!*.scn' -- \"$cur\"))\n"
	    "\tfi\n}\ncomplete -F _blksim blksim\n", f);
}
