/*
 * The command line of blksim (blksim(1)) as parsed by main.c and handed
 * to the subcommands.  Strings are borrowed from argv; the quirk settings
 * are owned by main and live until the subcommand returns.
 */
#ifndef SRC_CLI_H
#define SRC_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../sim/quirk.h"

/* Exit statuses of the program. */
#define CLI_EXIT_OK	0	/* every expectation held; every file valid */
#define CLI_EXIT_FAIL	1	/* a scenario failed */
#define CLI_EXIT_USAGE	2	/* usage error or invalid scenario file */
#define CLI_EXIT_IO	3	/* a file could not be read or written */

enum cli_format {
	CLI_FORMAT_TEXT,
	CLI_FORMAT_TAP,
	CLI_FORMAT_JUNIT,
	CLI_FORMAT_JSON
};

struct cli_opts {
	const char	*progname;	/* argv[0], for commands we print */
	enum cli_format	format;		/* -f; default text */
	const char	*output;	/* -o FILE, NULL for stdout */
	int		preset;		/* the last --preset, or -1 */
	int		era;		/* --era=NAME (enum era_id), or -1 */
	/* Every --preset and --quirk=NAME=on|off, in command-line order. */
	struct quirk_settings quirks;
	uint64_t	seed;		/* --seed=N (decimal or 0x hex) */
	bool		seed_given;
	const char	*schedule;	/* --schedule=STRING, or NULL */
	int		preemption_bound; /* --preemption-bound=N, or -1 */
	bool		no_reduction;	/* --reduction=none */
	bool		state_cache;	/* --reduction=state */
	bool		reduction_check; /* --reduction=check */
	bool		full_check;	/* --check=full */
	bool		guards;		/* --guards */
	bool		trace;		/* --trace or --trace=FILE */
	const char	*trace_file;	/* FILE of --trace=FILE, else NULL */
	unsigned	jobs;		/* -j N, >= 1; default 1 */
	unsigned	shard_k;	/* --shard=K/N, 1 <= K <= N; */
	unsigned	shard_n;	/*   default 1/1 */
	bool		quiet;		/* -q (never together with -v) */
	bool		verbose;	/* -v */
	uint64_t	fuzz_runs;	/* fuzz --runs=N, 0 if not given */
	double		fuzz_seconds;	/* fuzz --time=S, 0 if not given */
	const char	*fuzz_out;	/* fuzz --out=DIR, NULL if not given */
};

#endif
