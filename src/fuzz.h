/*
 * `blksim fuzz`: run random scenarios (gen.h) under the oracle of the
 * interpreter (exec_opts.oracle), and when one shows an anomaly, shrink it
 * to a minimal scenario that fails the same way and write it out as a
 * reproducer that `blksim run` fails on.
 */
#ifndef SRC_FUZZ_H
#define SRC_FUZZ_H

#include <stdbool.h>
#include <stdint.h>

struct fuzz_opts {
	uint64_t	seed;		/* names the whole run */
	uint64_t	runs;		/* scenarios to try; 0: no limit */
	double		seconds;	/* time to try for; 0: no limit */
	int		preset;		/* enum quirk_preset, or -1 */
	unsigned	quirk_on;	/* quirks turned on / off on top */
	unsigned	quirk_off;
	const char	*out;		/* directory for reproducers */
	bool		progress;	/* a progress line if stderr is a tty */
	const char	*command;	/* the options as typed, for comments */
	bool		full_check;	/* --check=full (exec_opts) */
	unsigned	shard_k;	/* --shard=K/N: scenario numbers i with */
	unsigned	shard_n;	/*   i mod N == K - 1; 0/0 as 1/1 */
};

/*
 * Run the fuzzer; prints its summary on stdout.  Returns CLI_EXIT_OK
 * when nothing but documented latent defects showed, CLI_EXIT_FAIL when
 * an anomaly did (and its reproducer was written), CLI_EXIT_IO when the
 * reproducer could not be written.
 */
int	fuzz_main(const struct fuzz_opts *);

#endif
