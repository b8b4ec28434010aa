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
	unsigned	era;		/* enum era_id of every scenario */
	uint64_t	seed;		/* names the whole run */
	bool		seed_fresh;	/* SEED was drawn, not given: say it */
	uint64_t	runs;		/* scenarios to try; 0: no limit */
	double		seconds;	/* time to try for; 0: no limit */
	int		preset;		/* enum quirk_preset, or -1 */
	unsigned	quirk_on;	/* quirks turned on / off on top */
	unsigned	quirk_off;
	const char	*out;		/* directory for reproducers */
	bool		progress;	/* a progress line if stderr is a tty */
	bool		reduction_check; /* --reduction=check: a block whose
					   outcomes differ without the
					   reduction is an anomaly */
	const char	*command;	/* the options as typed, for comments */
	bool		full_check;	/* --check=full (exec_opts) */
	unsigned	shard_k;	/* --shard=K/N: scenario numbers i with */
	unsigned	shard_n;	/*   i mod N == K - 1; 0/0 as 1/1 */
};

/*
 * Run the fuzzer; prints its summary on stdout.  Returns CLI_EXIT_OK
 * when nothing but documented latent defects showed, CLI_EXIT_FAIL when
 * an anomaly did (and its reproducer was written), CLI_EXIT_IO when the
 * reproducer could not be written (it is then printed on stderr, so that
 * the anomaly is not lost), CLI_EXIT_USAGE (with a message on stderr)
 * when the preset or a quirk belongs to another era.
 */
int	fuzz_main(const struct fuzz_opts *);
/* A seed for a campaign the user did not name one for: different each
 * call (the clock and the process id, mixed). */
uint64_t fuzz_fresh_seed(void);

#endif
