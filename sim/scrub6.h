/*
 * Scrub in Linux 6.4 and later (fs/btrfs/scrub.c, scrub_stripe and
 * scrub_stripe_read_repair_worker).
 *
 * A scrub of a device walks every allocated data extent whole (bookend
 * parts included), in 64 KiB stripes of logical address, for each copy
 * on the device (a dup device holds both).  For one stripe of copy k:
 *
 *   1. the initial read of the stripe from k, one read: an I/O error
 *      marks every sector of it bad; otherwise each sector with an
 *      extent is verified against the csum tree (one with no checksum is
 *      counted no_csum, not an error);
 *   2. pass 1: the whole stripe again from each other copy in turn
 *      (k + 1, wrapping), each still-bad sector verified (one with no
 *      checksum is good if it reads), until none is left;
 *   3. pass 2: each still-bad sector alone, from every copy starting
 *      with k;
 *   4. the sectors repaired are written back to copy k only, unless the
 *      scrub is read-only (they are counted as corrected either way);
 *   5. the totals: read and csum errors of the initial read, corrected
 *      and uncorrectable sectors, no_csum, bytes scrubbed; the device's
 *      read_io_errs and corruption_errs once per bad sector of the
 *      initial read, nothing more.
 *
 * Quirks: scrub-ro-writes (a read-only scrub writes its repairs) and
 * scrub-final-counts (read and csum errors counted from what is still
 * bad at the end, not from the initial read).
 */
#ifndef SIM_SCRUB6_H
#define SIM_SCRUB6_H

#include <stdbool.h>

struct fs;
struct fs_scrub_stats;

#define SCRUB6_STRIPE	(64u << 10)	/* BTRFS_STRIPE_LEN */

/* Scrub device DEVID (0: every device) into ST (zeroed by the caller). */
int	scrub6_scrub(struct fs *, int devid, bool readonly,
	    struct fs_scrub_stats *st);
/*
 * blksim fuzz's oracle: every sector of every allocated extent has a copy
 * that reads without error (online, no I/O error pending, whatever its
 * count) and, if it has a checksum, verifies, so that a scrub leaves
 * nothing uncorrectable.  Changes nothing.
 */
bool	scrub6_good_copy(struct fs *);

#endif
