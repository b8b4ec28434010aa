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
 * The error line (caller frees) for a command-line quirk or preset of QS
 * that belongs to another era than file PATH's SCN, or NULL if none does.
 */
char	*run_foreign_option(const char *path, const struct scn_script *scn,
	    const struct quirk_settings *qs);
/* Fill X from the command line O (used by run and dump alike). */
void	run_exec_opts(const struct cli_opts *o, struct exec_opts *x);

#endif
