/*
 * The data-read hooks 2008 btrfs plugged into extent_io (inode.c's
 * btrfs_readpage_end_io_hook and btrfs_io_failed_hook): checksum
 * verification of a page a bio handed up, and the retry of a page that
 * failed, with its failure record.  Entries of the 2008 era table.
 *
 * The retry (commit 3b951516): on a page's first failure the logical
 * block is found in the extent map cache under its spinlock (a miss gives
 * EIO, no retry; before the commit, btrfs_get_extent under fs_mutex:
 * retry-get-extent), a failure record holds it and last_mirror; each
 * failure then retries mirror ++last_mirror while last_mirror <=
 * num_copies, else EIO.  So retries go to mirror 1, then 2, ..., whichever
 * mirror failed.  A checksum match clears the record.  No repair
 * write-back (that came in 2011).
 */
#ifndef SIM_RETRY2008_H
#define SIM_RETRY2008_H

#include <stdbool.h>
#include <stdint.h>

struct fs;
struct fs_bio;
struct fs_inode;
struct imap_val;

/*
 * btrfs_readpage_end_io_hook(): verify the page in BUF (one sector at file
 * offset P, read from MIRROR) against the recorded checksum.  0 if it
 * passes, -EIO if not.  *ZEROIT is set when the 2008 code filled the page
 * with 0x01 bytes: on a mismatch, and for a sector with no recorded
 * checksum (the post-patch `private == 0` return; under nocsum-eio that
 * sector fails instead).  nodatasum inodes are never verified.
 *
 * DESC (or NULL) is the one content value that BUF's bytes are
 * (mirror_read_desc()).  The page's checksum is computed once, as the
 * kernel does; the expected one is derived instead of recomputed when
 * the recorded content is that same value (equal bytes, equal sums) or
 * that value with the first bit of the sector flipped back (a flip
 * overlay: the page's bytes with that bit restored), else it comes from
 * the fs's sumcache.h.  Only a sector whose recorded content is not one
 * value is materialized again.
 */
int	retry2008_end_io_hook(struct fs *, struct fs_inode *, uint64_t p,
	    int mirror, const uint8_t *buf, const struct imap_val *desc,
	    bool *zeroit);
/*
 * btrfs_io_failed_hook() for the failed bio B, run on the end-io worker:
 * find or make the failure record, pick the next mirror and say which
 * (with its *LOGICAL).  Returns the mirror to retry (> 0), -EIO to give
 * up (the cause in the read's result), or FS_EOOPS/FS_EDEADLK.
 *
 * A record found at a read's first failure was left by an earlier read
 * (2008 clears records only after a checksum matched, so a nodatasum or
 * unchecksummed page keeps the one its successful retry made): the count
 * goes on from that read's last mirror, and the read may give up without
 * trying a good copy.  That is a defect of the 2008 code, kept, and said
 * (FS_EIO_STALE_FAILREC).
 */
int	retry2008_io_failed_hook(struct fs *, struct fs_bio *b,
	    uint64_t *logical);

#endif
