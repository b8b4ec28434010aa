/*
 * The Linux 6.x ftruncate(2), under the inode lock (btrfs_setsize).
 *
 * Up: the old last page's tail past the old size is zeroed and left
 * dirty (btrfs_truncate_block), and i_size is raised; no hole item
 * (no-holes).  Down: the new last page's tail is zeroed and left dirty,
 * i_size lowered, the page cache beyond the new size dropped (waiting for
 * pages under I/O), then, with the inode's ordered extents waited for
 * (btrfs_wait_ordered_range), the extent maps dropped from the new size
 * rounded up to a sector (btrfs_truncate_inode_items) and the items
 * beyond deleted, the straddling one trimmed to whole sectors.
 */
#ifndef SIM_TRUNCATE6_H
#define SIM_TRUNCATE6_H

#include <stdint.h>

struct fs;
struct fs_inode;

int	truncate6_truncate(struct fs *, struct fs_inode *, uint64_t size);

#endif
