/*
 * The 2008 ftruncate(2), under i_mutex.
 *
 * Down (btrfs_truncate via vmtruncate): to an unaligned size the tail of
 * the last page is zeroed first and that page is left dirty
 * (btrfs_truncate_page); then i_size, so that a read checking it page by
 * page stops; then the page cache beyond the new size, waiting for pages
 * under read; then under fs_mutex the extent cache dropped from the
 * sector-aligned size to EOF (truncate-unaligned: from the raw size), the
 * items beyond deleted and the straddling one trimmed to whole sectors,
 * the checksums beyond forgotten.
 *
 * Up (btrfs_setattr's hole filling): the old last page's tail zeroed,
 * btrfs_drop_extents over [round_up(old size), round_up(new size)), a hole
 * item there, and the cache dropped from the hole's start to EOF
 * (hole-drop-length: to the "end" hole_size - 1, a length passed as an
 * inclusive end).
 */
#ifndef SIM_TRUNCATE2008_H
#define SIM_TRUNCATE2008_H

#include <stdint.h>

struct fs;
struct fs_inode;

int	truncate2008_truncate(struct fs *, struct fs_inode *, uint64_t size);

#endif
