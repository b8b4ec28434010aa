/*
 * The extent map cache as the 2008 data path uses it: btrfs_get_extent()
 * and btrfs_drop_extent_cache() around the tree of em.h, with what they
 * cost (a metadata read on a miss), what they count (merges, splits) and
 * what they say (the trace), under the era's extent map spinlock.
 *
 * A map returned is borrowed from the inode's tree until the tree next
 * changes.  Entries of the 2008 era table (era.h).
 */
#ifndef SIM_EXTENT2008_H
#define SIM_EXTENT2008_H

#include <stdbool.h>
#include <stdint.h>

struct em_map;
struct fs;
struct fs_inode;

/*
 * btrfs_get_extent(inode, page, pg_offset, start, len, 0), called under
 * fs_mutex: a cached map containing START (a hit that does not contain
 * it is discarded, as mid-2008 did), else one built from the file extent
 * items and inserted, with the -EEXIST handling of commit 3b951516 (or,
 * under insert-eexist-eio, the old EIO).  The result may, as in 2008, not
 * contain START when the -EEXIST lookup hands back another intersecting
 * map.  ON_WORKER: the caller runs on an end-io worker (meta.h).  0,
 * -EIO or, when merge_extent_mapping collided again, its -EEXIST (the
 * cause in *WHY either way; a reader fails the page with EIO), or
 * FS_EDEADLK.
 */
int	extent2008_get(struct fs *, struct fs_inode *, uint64_t start,
	    uint64_t len, bool on_worker, struct em_map **out, unsigned *why);
/*
 * btrfs_drop_extent_cache(inode, start, end): END inclusive, (u64)-1 to
 * EOF, the 2008 convention (em.h).  0 or FS_EOOPS (its BUG_ON on a failed
 * remnant insert, or the soft lockup of a zero-length drop).
 */
int	extent2008_drop(struct fs *, struct fs_inode *, uint64_t start,
	    uint64_t end);

#endif
