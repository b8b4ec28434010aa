/*
 * The 2008 writeback: a dirty (delalloc) range is filled by
 * cow_file_range() under fs_mutex (allocation in max_extent pieces from
 * the inode's hint, btrfs_drop_extents over what was there, the new file
 * extent item, the data written to every mirror and its checksums
 * recorded), then each written block is mapped through btrfs_get_extent,
 * as 2008's writepage did, so a written-back range is cached afterwards.
 * A copy that cannot be written (its mirror offline) keeps its old bytes
 * and the writeback reports -EIO, as a 2008 multi-stripe bio failed when
 * any stripe failed; the other copies hold the new data.  The pages are
 * clean afterwards, failed or not.
 */
#ifndef SIM_WRITEBACK2008_H
#define SIM_WRITEBACK2008_H

#include <stdint.h>

struct fs;
struct fs_inode;

/* Write back every dirty run of IP (writepages).  0, -EIO, -ENOSPC,
 * FS_EOOPS, FS_EDEADLK or FS_EINVAL (a work limit). */
int	writeback2008_inode(struct fs *, struct fs_inode *);
/* sync: every inode, in creation order. */
int	writeback2008_sync(struct fs *);
/*
 * btrfs_drop_extents(start, end): the extent cache for [start, end),
 * then the items there, freeing extents no item references any more.
 * Under fs_mutex.  0 or FS_EOOPS.
 */
int	writeback2008_drop_extents(struct fs *, struct fs_inode *,
	    uint64_t start, uint64_t end);
/* True if NUM_BYTES takes more than FS_MAX_ALLOCS max_extent pieces. */
int	writeback2008_too_many_pieces(const struct fs *, uint64_t num_bytes);
/* The FS_EINVAL of the allocation work limit. */
int	writeback2008_allocs_limit(struct fs *);
/*
 * An upper bound of the bytes writing back every dirty page plus a write
 * of MORE bytes can allocate: each dirty run in max_extent pieces, each
 * piece rounded up to alloc_align (fs_writeback_bound).
 */
uint64_t writeback2008_bound(struct fs *, uint64_t more);

#endif
