/*
 * The 2008 ftruncate(2) (truncate2008.h).
 */
#include <errno.h>

#include "alloc.h"
#include "conc.h"
#include "content.h"
#include "era.h"
#include "fei.h"
#include "fs.h"
#include "imap.h"
#include "inode.h"
#include "meta.h"
#include "pcache.h"
#include "quirk.h"
#include "range.h"
#include "truncate2008.h"
#include "write2008.h"
#include "writeback2008.h"

/*
 * btrfs_truncate_page(inode, from): zero the page from FROM to its end
 * and leave it dirty (a copy-on-write of the last block).
 */
static int
truncate_page(struct fs *fs, struct fs_inode *ip, uint64_t from)
{
	uint64_t ss = fs_sectorsize(fs);
	uint64_t p = range_round_down(from, ss);
	struct imap_val zero = content_fill(0);
	int r;

	if (from == p)
		return 0;
	conc_lock_page(fs, ip, p);	/* grab_cache_page; outside fs_mutex */
	if ((r = write2008_prepare_page(fs, ip, p)) == 0) {
		struct pcache *pages = inode_pages(fs, ip);

		pcache_set(pages, from, p + ss, &zero);
		pcache_mark_dirty(pages, p, p + ss, false);
	}
	conc_unlock_page(fs, ip, p);
	return r;
}

/* btrfs_setattr's hole filling for a size increase to NEW_SIZE. */
static int
fill_hole(struct fs *fs, struct fs_inode *ip, uint64_t new_size)
{
	uint64_t ss = fs_sectorsize(fs);
	uint64_t hole_start = range_round_up(inode_size(fs, ip), ss);
	uint64_t block_end = range_round_up(new_size, ss);
	uint64_t hole_size;
	struct fei_item hole;
	int r;

	if (new_size <= hole_start)
		return 0;
	if ((r = truncate_page(fs, ip, inode_size(fs, ip))) != 0)
		return r;
	hole_size = block_end - hole_start;
	conc_lock(fs, CONC_FS_MUTEX, NULL);
	if ((r = meta_read(fs, ip, false)) != 0 ||
	    (r = writeback2008_drop_extents(fs, ip, hole_start,
	    block_end)) != 0)
		goto out;
	hole = (struct fei_item){ .file_offset = hole_start,
	    .num_bytes = hole_size };
	if (fei_insert(inode_items(fs, ip), &hole) != 0)
		r = fs_oops(fs, "btrfs_setattr",
		    "BUG_ON: inserting the hole file extent failed");
	else
		r = fs_era(fs)->drop_extent_cache(fs, ip, hole_start,
		    fs_quirk(fs, QUIRK_HOLE_DROP_LENGTH) ? hole_size - 1 :
		    UINT64_MAX);
out:
	conc_unlock(fs, CONC_FS_MUTEX, NULL);
	return r;
}

/* Truncate up: the free-space check, then the hole. */
static int
truncate_up(struct fs *fs, struct fs_inode *ip, uint64_t size)
{
	uint64_t ss = fs_sectorsize(fs);
	int r;

	/* btrfs_setattr: btrfs_check_free_space(root, 1, 0). */
	if (size > range_round_up(inode_size(fs, ip), ss) &&
	    write2008_check_free_space(fs, 1) != 0)
		return -ENOSPC;
	if ((r = fill_hole(fs, ip, size)) != 0)
		return r;
	inode_set_size(fs, ip, size);
	return 0;
}

/* Truncate down: vmtruncate's order, then btrfs_truncate's btree work. */
static int
truncate_down(struct fs *fs, struct fs_inode *ip, uint64_t size)
{
	uint64_t ss = fs_sectorsize(fs);
	uint64_t keep = range_round_up(size, ss);
	int r;

	/* Zero the partial last page first, so a failure changes nothing. */
	if ((r = truncate_page(fs, ip, size)) != 0)
		return r;
	inode_set_size(fs, ip, size);
	conc_wait_pages_from(fs, ip, keep);
	conc_lock(fs, CONC_FS_MUTEX, NULL);
	if ((r = meta_read(fs, ip, false)) != 0 ||
	    (r = fs_era(fs)->drop_extent_cache(fs, ip,
	    fs_quirk(fs, QUIRK_TRUNCATE_UNALIGNED) ? size :
	    range_round_down(size, ss), UINT64_MAX)) != 0) {
		conc_unlock(fs, CONC_FS_MUTEX, NULL);
		return r;
	}
	fei_truncate(inode_items(fs, ip), fs_alloc(fs), size, ss);
	if (keep < UINT64_MAX) {
		imap_clear(inode_csums(fs, ip), keep, UINT64_MAX);
		pcache_clear(inode_pages(fs, ip), keep, UINT64_MAX);
	}
	imap_clear(inode_data(fs, ip), size, UINT64_MAX);
	imap_clear(inode_unsure(fs, ip), keep, UINT64_MAX);
	conc_unlock(fs, CONC_FS_MUTEX, NULL);
	return 0;
}

int
truncate2008_truncate(struct fs *fs, struct fs_inode *ip, uint64_t size)
{
	uint64_t old;
	int r = 0;

	conc_lock(fs, CONC_I_MUTEX, ip);
	old = inode_size(fs, ip);
	if (size > old)
		r = truncate_up(fs, ip, size);
	else if (size < old)
		r = truncate_down(fs, ip, size);
	conc_unlock(fs, CONC_I_MUTEX, ip);
	return r;
}
