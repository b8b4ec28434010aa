/*
 * The extent map cache as the Linux 6.x data path uses it:
 * btrfs_get_extent() (a cached map containing the start, else one built
 * from the file extent items and inserted by btrfs_add_extent_mapping)
 * and btrfs_drop_extent_map_range(), on the inode's tree with em6.h's
 * rules, under the tree's lock (never held across a block).  The btree
 * is taken as cached: the modern era models no metadata I/O.
 *
 * A map returned is borrowed from the tree until it next changes.
 * Entries of the modern era table (era.h).
 */
#ifndef SIM_EXTENT6_H
#define SIM_EXTENT6_H

#include <stdbool.h>
#include <stdint.h>

struct em_map;
struct fs;
struct fs_inode;

/* btrfs_get_extent(inode, NULL, start, len): 0 with *OUT, or -EIO (the
 * insert failed: *WHY FS_EIO_INSERT_EEXIST).  ON_WORKER is unused. */
int	extent6_get(struct fs *, struct fs_inode *, uint64_t start,
	    uint64_t len, bool on_worker, struct em_map **out, unsigned *why);
/* btrfs_drop_extent_map_range(inode, start, end, false): END inclusive,
 * (u64)-1 to EOF.  Always 0. */
int	extent6_drop(struct fs *, struct fs_inode *, uint64_t start,
	    uint64_t end);
/*
 * btrfs_replace_extent_map_range() for a new extent (the map a write's
 * ordered extent creates): drop [start, start + len) and insert a map
 * there at LOGICAL, pinned while PINNED.  The map (borrowed) is returned.
 */
struct em_map *extent6_replace(struct fs *, struct fs_inode *, uint64_t start,
	    uint64_t len, uint64_t logical, bool pinned);
/* unpin_extent_cache(): the map at START is no longer under I/O. */
void	extent6_unpin(struct fs *, struct fs_inode *, uint64_t start);

#endif
