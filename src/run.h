/*
 * `blksim run`: run scenario files and report.  PATHS are as given on the
 * command line (files, or directories to walk with files_collect()).
 * Returns the exit status (CLI_EXIT_*).
 */
#ifndef SRC_RUN_H
#define SRC_RUN_H

#include "cli.h"

int	run_main(const struct cli_opts *, char **paths, int npaths);

#endif
