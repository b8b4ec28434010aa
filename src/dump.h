/*
 * `blksim dump`: run one scenario file, then print the model's state.
 * Returns the exit status (CLI_EXIT_*).
 */
#ifndef SRC_DUMP_H
#define SRC_DUMP_H

#include "cli.h"

int	dump_main(const struct cli_opts *, const char *path);

#endif
