/*
 * The 2008 write(2) (write2008.h).
 */
#include <errno.h>
#include <string.h>

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
#include "range.h"
#include "read2008.h"
#include "write2008.h"
#include "writeback2008.h"

int
write2008_prepare_page(struct fs *fs, struct fs_inode *ip, uint64_t p)
{
	uint64_t ss = fs_sectorsize(fs);
	struct fs_read_result res;
	struct imap_val zero = content_fill(0);

	if (pcache_uptodate(inode_pages(fs, ip), p, ss))
		return 0;
	if (p < inode_size(fs, ip)) {
		memset(&res, 0, sizeof(res));
		return read2008_page(fs, ip, p, 0, &res);
	}
	pcache_set(inode_pages(fs, ip), p, p + ss, &zero);
	return 0;
}

/* Lock the pages [first, last] of a write, in order (prepare_pages). */
static void
lock_pages(struct fs *fs, struct fs_inode *ip, uint64_t first, uint64_t last)
{
	uint64_t ss = fs_sectorsize(fs);

	if (fs_conc(fs) != NULL)
		for (uint64_t p = first; p <= last; p += ss)
			conc_lock_page(fs, ip, p);
}

/* Unlock the pages [first, last] of a write (dirty_and_release_pages). */
static void
release_pages(struct fs *fs, struct fs_inode *ip, uint64_t first,
    uint64_t last)
{
	uint64_t ss = fs_sectorsize(fs);

	if (fs_conc(fs) != NULL)
		for (uint64_t p = first; p <= last; p += ss)
			conc_unlock_page(fs, ip, p);
}

/*
 * The hole of a write that starts past EOF, as 2008's
 * dirty_and_release_pages made it: drop extents over
 * [round_up(i_size), round_down(pos)), insert a hole item there and drop
 * the cache for that range only.  The old last page is not rewritten (its
 * tail beyond EOF was written as zeros already).
 */
static int
write_hole(struct fs *fs, struct fs_inode *ip, uint64_t pos)
{
	uint64_t ss = fs_sectorsize(fs);
	uint64_t hole_start = range_round_up(inode_size(fs, ip), ss);
	uint64_t hole_end = range_round_down(pos, ss);
	struct fei_item hole;
	int r;

	if (hole_end <= hole_start)
		return 0;
	if ((r = meta_read(fs, ip, false)) != 0)
		return r;
	if ((r = writeback2008_drop_extents(fs, ip, hole_start, hole_end)) != 0)
		return r;
	hole = (struct fei_item){ .file_offset = hole_start,
	    .num_bytes = hole_end - hole_start };
	if (fei_insert(inode_items(fs, ip), &hole) != 0)
		return fs_oops(fs, "dirty_and_release_pages",
		    "BUG_ON: inserting the hole file extent failed");
	return fs_era(fs)->drop_extent_cache(fs, ip, hole_start, hole_end - 1);
}

int
write2008_check_free_space(struct fs *fs, uint64_t num_required)
{
	struct alloc *al = fs_alloc(fs);
	uint64_t total = al->size;
	uint64_t thresh = total / 100 * 85 + total % 100 * 85 / 100;
	uint64_t used = total - al->free_bytes, need = used;

	/* The dirty bytes of every inode: delalloc, not yet allocated. */
	for (size_t i = 0; i < fs_ninodes(fs); i++)
		need += pcache_dirty_bytes(inode_pages(fs,
		    fs_inode(fs, (uint32_t)i + 1)));
	if (need > thresh || num_required > thresh - need)
		return fs_nospace(fs, FS_ENOSPC_CHECK);
	return 0;
}

/* btrfs_file_write() under i_mutex: dirty the pages, no writeback. */
static int
file_write(struct fs *fs, struct fs_inode *ip, uint64_t off, uint64_t len,
    int fill, unsigned flags)
{
	uint64_t ss = fs_sectorsize(fs);
	uint64_t end = off + len;
	uint64_t first = range_round_down(off, ss);
	uint64_t last = range_round_down(end - 1, ss);
	int r;

	if (writeback2008_too_many_pieces(fs, range_round_up(len, ss)))
		return writeback2008_allocs_limit(fs);
	if ((r = fs_extents_room(fs, range_round_up(len, ss))) != 0)
		return r;
	if (fs_conc(fs) != NULL &&
	    (last - first) / ss >= FS_MAX_LOCKED_PAGES)
		return fs_invalid(fs, "a write in a concurrent block may cover "
		    "at most %u pages, since it holds every page's lock; split "
		    "it", FS_MAX_LOCKED_PAGES);
	/* btrfs_check_free_space() before any page is dirtied. */
	if (write2008_check_free_space(fs, range_round_up(len, ss)) != 0)
		return -ENOSPC;
	/*
	 * prepare_pages: every page of the write is locked, in order, until
	 * dirty_and_release_pages is done with it, so that a read in flight
	 * cannot fill one with older bytes; only partly covered pages are
	 * read first.
	 */
	lock_pages(fs, ip, first, last);
	if ((off != first &&
	    (r = write2008_prepare_page(fs, ip, first)) != 0) ||
	    (end != last + ss && (last != first || off == first) &&
	    (r = write2008_prepare_page(fs, ip, last)) != 0)) {
		release_pages(fs, ip, first, last);
		return r;
	}
	/* dirty_and_release_pages, under fs_mutex. */
	conc_lock(fs, CONC_FS_MUTEX, NULL);
	if (off > inode_size(fs, ip) && (r = write_hole(fs, ip, off)) != 0) {
		conc_unlock(fs, CONC_FS_MUTEX, NULL);
		release_pages(fs, ip, first, last);
		return r;
	}
	inode_write_bytes(fs, ip, off, len, fill, (flags & FS_W_NOCSUM) != 0);
	conc_unlock(fs, CONC_FS_MUTEX, NULL);
	release_pages(fs, ip, first, last);
	return 0;
}

int
write2008_write(struct fs *fs, struct fs_inode *ip, uint64_t off,
    uint64_t len, int fill, unsigned flags)
{
	return file_write(fs, ip, off, len, fill, flags);
}
