/*
 * The 2008 buffered read: do_generic_mapping_read() walking the range
 * page by page, extent_read_full_page() reading a page that is not
 * uptodate (btrfs_get_extent, the checksum lookup, one data bio to one
 * mirror), and end_bio_extent_readpage() completing it on the end-io
 * worker through the era's extent_io_ops hooks: verification
 * (readpage_end_io_hook) and, on a failure, the retry
 * (readpage_io_failed_hook, retry2008.h), which resubmits the same bio to
 * the mirror it names until the page passes or the hook gives up.
 *
 * Reads submit one bio per page (2008 merged contiguous pages into one
 * bio), so failures and retries are per page.  A page read from a device
 * holds what that mirror handed up when the device completed the bio,
 * overlays included, whatever a write did to it before the end-io work
 * verified it (the checksum is of those bytes too); a page that failed
 * verification is filled with 0x01 bytes first (the `zeroit` path of
 * btrfs_readpage_end_io_hook), which is what a checksummed page with no
 * recorded checksum keeps after the post-patch early return.
 */
#ifndef SIM_READ2008_H
#define SIM_READ2008_H

#include <stdbool.h>
#include <stdint.h>

#include "conc.h"
#include "imap.h"

struct fs;
struct fs_inode;
struct fs_read_opts;
struct fs_read_result;

/* A data read bio of one page, as the 2008 hooks see it. */
struct fs_bio {
	struct conc_bio	 hdr;		/* the glue's part; hdr.buf: the page */
	struct fs_inode	*ip;
	uint64_t	 p;		/* file offset of the page */
	uint64_t	 logical;
	int		 mirror;
	bool		 retry;		/* a resubmission by the retry hook */
	struct fs_read_result *res;	/* the read it belongs to */
	int		 dev_status;	/* the device's answer: 0 or -EIO */
	bool		 dev_one;	/* one value, dev_desc, is all the
					   bytes it handed up */
	struct imap_val	 dev_desc;
	struct imap	 data;		/* else what it handed up, by
					   logical: the page's content, as
					   of the read */
	int		 result;	/* the page's final status */
	struct conc_window *win;	/* its page's read window */
	bool		 stale_rec;	/* its first failure found a record */
};

/* The buffered read of [off, off + len) (fs_read). */
int	read2008_read(struct fs *, struct fs_inode *,
	    const struct fs_read_opts *, struct fs_read_result *);
/*
 * Read the page at file offset P into the page cache (readpage), with
 * its retries; PIN (or 0) is the first mirror.  0, -EIO, FS_EOOPS or
 * FS_EDEADLK.  The caller holds the page lock.
 */
int	read2008_page(struct fs *, struct fs_inode *, uint64_t p, int pin,
	    struct fs_read_result *);
/*
 * The fuzzer's data oracle (fs_good_copy): every sector of [off, off +
 * len) (clipped at EOF) that this read would fetch from a device (not
 * cached, backed by a real item) has a copy that reads without error and
 * holds the bytes its recorded checksum (or, unchecksummed, the file)
 * expects.  Changes nothing.
 */
bool	read2008_good_copy(struct fs *, struct fs_inode *, uint64_t off,
	    uint64_t len);
/* The end-io work of a data read bio under a scheduler (era.h). */
void	read2008_end_io(struct fs *, struct conc_bio *);
/* [logical, logical + len) lies in the data area (btrfs_map_block). */
bool	read2008_mapped(const struct fs *, uint64_t logical, uint64_t len);

#endif
