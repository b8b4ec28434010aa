/*
 * Read completion and repair in Linux 6.x (fs/btrfs/bio.c:
 * btrfs_check_read_bio, repair_one_sector, btrfs_end_repair_bio,
 * btrfs_repair_io_failure), on an end-io worker.
 *
 * A completed read bio is checked sector by sector.  An I/O error sends
 * every sector of the bio to repair (read_io_errs was counted once for
 * the bio by the device, never for readahead); a checksum mismatch sends
 * that sector, and counts corruption_errs on the copy's device, once per
 * sector per read attempt, readahead included.  A nodatasum inode's
 * sectors are not verified.  With one copy there is no repair.
 *
 * Repair reads one sector from the next copy (wrapping) until a good
 * copy, or until the walk is back at the failed one ("no mirror left":
 * the sector stays bad).  A good copy at g is written back, synchronously
 * and blocking the worker, to every copy tried before g, ending with the
 * failed one; a failed write counts write_io_errs.  A repair read is not
 * readahead: a failed one counts read_io_errs.  When the bio's last
 * repair is done the bio completes; any sector still bad fails the whole
 * bio (6.3 and later).
 *
 * The modern quirks change it: repair-disabled (buffered reads get no
 * repair), no-corruption-count, repair-one-mirror (the walk goes from
 * copy 1 up, skipping the failed one, and only the last bad copy tried
 * is rewritten), write-error-read-count (a failed write counts
 * read_io_errs too), repair-endless (the walk does not stop at the
 * failed copy; the model stops it once it has tried every copy twice and
 * reports a hang), and two crashes of the 4.6-4.10 direct read repair:
 * dio-retry-deref (a checksummed sector's good repair read oopses in
 * btrfs_retry_endio) and dio-repair-offset (a nodatasum sector's good
 * repair read leads to a segfault of the reader).
 */
#ifndef SIM_REPAIR6_H
#define SIM_REPAIR6_H

#include <stdbool.h>
#include <stdint.h>

struct conc_bio;
struct fs;
struct fs_inode;
struct imap;

/* The end-io work of a read bio (btrfs_check_read_bio). */
void	repair6_end_io(struct fs *, struct conc_bio *);
/*
 * Copy K's sector at LOGICAL reads without error and matches its
 * checksum (or, for IP nodatasum, reads at all): the fuzzer's oracle.
 * Changes nothing.
 */
bool	repair6_copy_good(struct fs *, struct fs_inode *ip, int k,
	    uint64_t logical);
/*
 * Does the copy content DATA hold the bytes whose checksum WANT keeps
 * for the sector at LOGICAL (both maps by logical address)?  A sector
 * WANT does not cover is a csum hole: it must checksum to zero.
 */
bool	repair6_sector_matches(const struct fs *, const struct imap *data,
	    const struct imap *want, uint64_t logical);

#endif
