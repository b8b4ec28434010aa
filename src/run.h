/*
 * `blksim run`: run scenario files and report.  PATHS are as given on the
 * command line (files, or directories to walk with files_collect()).
 * Returns the exit status (CLI_EXIT_*).
 */
#ifndef SRC_RUN_H
#define SRC_RUN_H

#include <stdio.h>

#include "cli.h"

struct exec_opts;
struct quirk_settings;
struct scn_script;

int	run_main(const struct cli_opts *, char **paths, int npaths);
/*
 * Atomic output: run_open_atomic opens a temporary file beside PATH
 * (its name in *TMP, which run_commit_atomic frees) or prints why not
 * and returns NULL; run_commit_atomic closes F and renames it over PATH,
 * or removes it, and returns CLI_EXIT_OK or CLI_EXIT_IO.
 */
FILE	*run_open_atomic(const char *path, char **tmp);
int	 run_commit_atomic(FILE *f, char *tmp, const char *path);
/*
 * The error line (caller frees) for a command-line quirk or preset of QS
 * that belongs to another era than file PATH's SCN, or NULL if none does.
 */
char	*run_foreign_option(const char *path, const struct scn_script *scn,
	    const struct quirk_settings *qs);
/* Fill X from the command line O (used by run and dump alike). */
void	run_exec_opts(const struct cli_opts *o, struct exec_opts *x);

#endif
