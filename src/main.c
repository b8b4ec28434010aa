/*
 * blksim's command line (blksim(1)): global -h and -V, then one
 * subcommand (run, check, quirks, dump) with its own options.  Global
 * options are parsed in POSIX order ("+", stopping at the subcommand);
 * each subcommand's arguments are parsed with GNU permutation, so options
 * may follow the paths (`blksim run x.scn --guards`).
 *
 * Exit statuses (cli.h): 0 success, 1 a scenario failed, 2 usage error or
 * invalid scenario file, 3 a file could not be read or written, stdout
 * included: whatever the subcommand, a failed write to stdout (a full
 * disk, /dev/full) makes the status 3 (out_stdout_status()).  Usage
 * errors print one "blksim: ..." line and the usage to stderr; -h prints
 * the usage to stdout.  The usage text is the SYNOPSIS of blksim(1).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sim/era.h"
#include "../sim/quirk.h"
#include "../sim/xmalloc.h"
#include "cli.h"
#include "cliopt.h"
#include "diag.h"
#include "dump.h"
#include "exec.h"
#include "files.h"
#include "fuzz.h"
#include "lex.h"
#include "out.h"
#include "parse.h"
#include "run.h"
#include "scn.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

/* --- subcommands ---------------------------------------------------------- */

/* Parse one file and print its diagnostics; returns a CLI_EXIT_* status. */
static int
check_file(const char *path, int era)
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
	s = parse_script_era(path, buf, len, era, &dl);
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

/*
 * `blksim check`: every file's diagnostics on stderr, then one line on
 * stdout that counts the files ("12 files valid", "1 of 12 files
 * invalid").
 */
static int
cmd_check(const struct cli_opts *o, char **paths, int npaths)
{
	struct files_list fl;
	int status, rc;
	size_t invalid = 0, unreadable = 0;

	files_list_init(&fl);
	status = files_collect(paths, npaths, &fl);
	for (size_t i = 0; i < fl.n; i++) {
		if (fl.v[i].err != 0) {
			fprintf(stderr, "blksim: %s: %s\n", fl.v[i].path,
			    strerror(fl.v[i].err));
			unreadable++;
			continue;	/* status is CLI_EXIT_IO already */
		}
		rc = check_file(fl.v[i].path, o->era);
		if (rc == CLI_EXIT_IO) {
			status = CLI_EXIT_IO;
			unreadable++;
		} else if (rc != CLI_EXIT_OK)
			invalid++;
	}
	if (invalid + unreadable == 0)
		printf("blksim: check: %zu file%s valid\n", fl.n,
		    fl.n == 1 ? "" : "s");
	else
		printf("blksim: check: %zu of %zu file%s invalid%s\n",
		    invalid + unreadable, fl.n, fl.n == 1 ? "" : "s",
		    unreadable ? " or unreadable" : "");
	files_list_free(&fl);
	if (status == CLI_EXIT_IO)
		return CLI_EXIT_IO;
	return invalid ? CLI_EXIT_USAGE : CLI_EXIT_OK;
}

/* What each era of `blksim quirks` models. */
static const char *const era_titles[ERA_COUNT] = {
	[ERA_2008] = "the data path of commit 3b951516 (2008), the data-retry "
	    "fix",
	[ERA_MODERN] = "the Linux 6.x read path: per-sector repair, device "
	    "counters, scrub",
};

static int
cmd_quirks(const struct cli_opts *o, char **paths, int npaths)
{
	(void)o;
	(void)paths;
	(void)npaths;
	for (unsigned era = 0; era < ERA_COUNT; era++) {
		printf("%sera %s: %s\n", era ? "\n" : "",
		    era_ops((enum era_id)era)->name, era_titles[era]);
		for (int q = 0; q < QUIRK_COUNT; q++) {
			const struct quirk_info *qi =
			    quirk_info((enum quirk_id)q);

			if (qi->era != era)
				continue;
			printf("%3d %-23s fixed by %s\n        %s\n", q + 1,
			    qi->name, qi->fix, qi->summary);
		}
		for (int p = 0; p < PRESET_COUNT; p++)
			if (quirk_preset_era((enum quirk_preset)p) == era)
				printf("    preset %-16s %s\n",
				    quirk_preset_name((enum quirk_preset)p),
				    quirk_preset_summary((enum quirk_preset)p));
	}
	return CLI_EXIT_OK;	/* main checks stdout */
}

/* S ends with SUFFIX. */
static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int
cmd_run(const struct cli_opts *o, char **paths, int npaths)
{
	/* `--trace out.json`: the file became a path; say what was meant. */
	for (int i = 0; o->trace && o->trace_file == NULL && i < npaths; i++)
		if (ends_with(paths[i], ".json") || ends_with(paths[i], ".dot"))
			return cli_usage_error("run", "`%s` is taken as a "
			    "scenario path, since --trace takes its file after "
			    "an =: write --trace=%s", paths[i], paths[i]);
	return run_main(o, paths, npaths);
}

static int
cmd_dump(const struct cli_opts *o, char **paths, int npaths)
{
	(void)npaths;
	return dump_main(o, paths[0]);
}

/*
 * `blksim fuzz`: the options as a command line again (for the
 * reproducer's comment), the quirk overrides as masks, and the run.
 */
static int
cmd_fuzz(const struct cli_opts *o, char **paths, int npaths)
{
	struct fuzz_opts fo = { .seed = o->seed, .preset = o->preset,
	    .era = o->era >= 0 ? (unsigned)o->era : ERA_2008,
	    .runs = o->fuzz_runs, .seconds = o->fuzz_seconds,
	    .out = o->fuzz_out ? o->fuzz_out : ".", .progress = !o->quiet,
	    .reduction_check = o->reduction_check,
	    .full_check = o->full_check, .shard_k = o->shard_k,
	    .shard_n = o->shard_n };
	char *cmd = NULL;
	size_t size = 0;
	FILE *f;
	int rc;

	(void)paths;
	(void)npaths;
	if (fo.runs > 0 && fo.seconds > 0)
		return cli_usage_error("fuzz", "--runs and --time cannot be "
		    "used together");
	if (fo.runs == 0 && fo.seconds <= 0)
		fo.runs = 1000;
	quirk_overrides(&o->quirks, &fo.quirk_on, &fo.quirk_off);
	if (!o->seed_given) {
		/*
		 * A campaign without --seed explores new ground each time,
		 * as libFuzzer does, and says which seed repeats it.
		 */
		fo.seed = fuzz_fresh_seed();
		fo.seed_fresh = true;
	}
	if ((f = open_memstream(&cmd, &size)) == NULL)
		abort();
	if (fo.era != ERA_2008)
		fprintf(f, " --era=%s", era_ops((enum era_id)fo.era)->name);
	fprintf(f, " --seed=%" PRIu64, fo.seed);
	if (o->preset >= 0)
		fprintf(f, " --preset=%s", quirk_preset_name(o->preset));
	for (size_t i = 0; i < o->quirks.n; i++) {
		const struct quirk_setting *qs = &o->quirks.v[i];

		if (qs->from == QUIRK_FROM_OPT_QUIRK)
			fprintf(f, " --quirk=%s=%s", quirk_info(qs->id)->name,
			    qs->on ? "on" : "off");
	}
	if (o->no_reduction || o->state_cache)
		return cli_usage_error("fuzz", "fuzz takes --reduction=check "
		    "only");
	if (o->reduction_check)
		fputs(" --reduction=check", f);
	fclose(f);
	fo.command = cmd;
	rc = fuzz_main(&fo);
	free(cmd);
	return rc;
}

/* `blksim help [command]`: the commands, or one command's help. */
static int
cmd_help(const struct cli_opts *o, char **args, int nargs);

/* `blksim completion`: the bash completion script. */
static int
cmd_completion(const struct cli_opts *o, char **args, int nargs);

/* The commands (cliopt.h), in the order `blksim help` lists them. */
static const struct cli_cmd cmds[] = {
	{ "run", CLI_CMD_RUN, 1, -1, "path ...",
	    "run scenario files and report on them",
	    "Run scenario files and report on them: a directory stands for "
	    "every *.scn below it. Exit status 0 if every expectation held, "
	    "1 if a scenario failed, 2 for a usage error or an invalid file, "
	    "3 if a file could not be read or written.", cmd_run },
	{ "check", CLI_CMD_CHECK, 1, -1, "path ...",
	    "parse and validate scenario files without running them",
	    "Parse and validate scenario files without running them, "
	    "reporting every error with its file, line and column; the last "
	    "line counts the files.", cmd_check },
	{ "quirks", CLI_CMD_QUIRKS, 0, 0, "",
	    "list the quirks and presets of both eras",
	    "List the quirks and presets of both eras: each quirk's number, "
	    "name and fixing commit, and what it changes.", cmd_quirks },
	{ "dump", CLI_CMD_DUMP, 1, 1, "file",
	    "run a file and show the model's state it leaves",
	    "Run one scenario file, print its report, then the model's "
	    "state: the device, the files' extent items, cached maps and "
	    "failure records, an ASCII map of each file, the counters.",
	    cmd_dump },
	{ "fuzz", CLI_CMD_FUZZ, 0, 0, "",
	    "run random scenarios under an oracle; shrink what fails",
	    "Generate random scenarios, judge every operation by an oracle, "
	    "and write each anomaly found as a minimal reproducer that "
	    "blksim run fails on.", cmd_fuzz },
	{ "help", CLI_CMD_HELP, 0, 1, "[command]",
	    "list the commands, or print one command's help",
	    "List the commands and the manuals, or print one command's "
	    "help.", cmd_help },
	{ "completion", CLI_CMD_COMPLETION, 0, 0, "",
	    "print a bash completion script for blksim",
	    "Print a bash completion script for blksim: commands, options, "
	    "eras, presets, quirks and *.scn files (make install puts it "
	    "where bash-completion looks).", cmd_completion },
};
#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

static int
cmd_help(const struct cli_opts *o, char **args, int nargs)
{
	(void)o;
	if (nargs == 0) {
		cli_help(stdout, cmds, NCMDS);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < NCMDS; i++)
		if (strcmp(args[0], cmds[i].name) == 0) {
			cli_cmd_help(stdout, &cmds[i]);
			return CLI_EXIT_OK;
		}
	return cli_usage_error("help", "unknown command `%s`: use run, "
	    "check, quirks, dump, fuzz, help or completion", args[0]);
}

static int
cmd_completion(const struct cli_opts *o, char **args, int nargs)
{
	(void)o;
	(void)args;
	(void)nargs;
	cli_completion_bash(stdout, cmds, NCMDS);
	return CLI_EXIT_OK;
}

static const struct option global_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

/* Parse the command line and run the subcommand; returns the status. */
static int
dispatch(int argc, char **argv)
{
	const struct cli_cmd *cmd;
	struct cli_opts o;
	int ch, first = 0, base, rc;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:hV", global_longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'h':
			cli_usage(stdout);
			return CLI_EXIT_OK;
		case 'V':
			printf("blksim %s\n", PACKAGE_VERSION);
			return CLI_EXIT_OK;
		default:
			return cli_usage_error(NULL, "unknown option %s",
			    optopt > 0 && optopt < 256 ? (char[]){ '-',
			    (char)optopt, '\0' } : argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		cli_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	base = optind;	/* cli_parse() runs getopt again */
	rc = cli_parse(cmds, NCMDS, argc - base, argv + base, &o, &cmd,
	    &first);
	o.progname = argv[0];
	if (rc < 0)
		rc = cmd->fn(&o, argv + base + first, argc - base - first);
	quirk_settings_free(&o.quirks);
	return rc;
}

/*
 * Memory ran out (sim/xmalloc.h): say where, in one write, remove the
 * temporaries of output files, and exit 3, never leaving a core dump or
 * a partial report.
 */
static void
out_of_memory(size_t size)
{
	char msg[1024];
	const char *file;
	uint32_t line;
	int n;

	exec_where(&file, &line);
	if (file != NULL)
		n = snprintf(msg, sizeof(msg), "blksim: %s:%u: out of memory "
		    "(an allocation of %zu bytes failed): this statement needs "
		    "more memory than the machine gives (see LIMITS in "
		    "blksim-scenario(5))\n", file, line, size);
	else
		n = snprintf(msg, sizeof(msg), "blksim: out of memory (an "
		    "allocation of %zu bytes failed)\n", size);
	if (n > 0)
		(void)!write(2, msg, (size_t)n < sizeof(msg) ? (size_t)n :
		    sizeof(msg) - 1);
	out_cleanup();
	_exit(CLI_EXIT_IO);
}

/* Any write error on stdout, however the command ended, is status 3. */
int
main(int argc, char **argv)
{
	xmalloc_on_fail(out_of_memory);
	return out_stdout_status(dispatch(argc, argv));
}
