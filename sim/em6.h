/*
 * The extent map cache of Linux 6.x (fs/btrfs/extent_map.c): the same
 * per-inode tree of struct em_map as 2008's (em.h), with the modern rules.
 *
 *   - The maps never overlap: an insert (tree_insert) fails with -EEXIST
 *     on any overlap with an existing map, adjacency allowed.
 *   - Lookups (__tree_search) find the map containing a position, else the
 *     next map after it, else the last one before it; the strict lookup
 *     (lookup_extent_mapping) returns that map only if it intersects the
 *     range asked, the non-strict one (search_extent_mapping) always.
 *   - An insert for btrfs_get_extent (add_extent_mapping, then
 *     try_merge_map) absorbs the neighbours it continues: adjacent, the
 *     same flags (EM_FLAG_MERGED aside), and either physically contiguous
 *     (next's block_start is prev's block_start + block_len) or the same
 *     special kind; pinned and compressed maps never merge.
 *   - btrfs_add_extent_mapping() handles an insert's -EEXIST: the map
 *     holding the requested start is returned as it is; otherwise the new
 *     map is trimmed to the gap around the start between its neighbours
 *     (merge_extent_mapping), its location shifted by the trim, and
 *     inserted.
 *   - btrfs_drop_extent_map_range() splits every map it cuts, holes
 *     included: the head remnant keeps the map's location, the tail's
 *     advances by where the range ends (the 2024 fix); a compressed map's
 *     remnants keep the whole extent.  The first remnant takes the map's
 *     place; a tail after a head is inserted (and may merge).  Pinned maps
 *     may be skipped.
 *
 * Fields: start, len and block_start are 6.8's (block_start: the disk
 * address of the map's first byte, or of the whole compressed extent);
 * block_len, offset (6.11's offset into the extent's data) and ram_bytes
 * as em.h says.  Units are bytes; ends saturate at (u64)-1.  The tree owns
 * the maps in it; a map returned is borrowed until the tree next changes.
 * Reference counts, generations and the modified list are not modelled.
 */
#ifndef SIM_EM6_H
#define SIM_EM6_H

#include <stdbool.h>
#include <stdint.h>

#include "em.h"

/* tree_insert(): link EM (the caller's) unless it overlaps a map
 * (-EEXIST, nothing changes); no merge.  0: the tree owns EM. */
int	em6_insert(struct em_tree *, struct em_map *em);
/* add_extent_mapping(tree, em, 0): em6_insert, then try_merge_map. */
int	em6_add(struct em_tree *, struct em_map *em);
/* lookup_extent_mapping(): the map found for START if it intersects
 * [start, start + len), else NULL. */
struct em_map *em6_lookup(struct em_tree *, uint64_t start, uint64_t len);
/* search_extent_mapping(): the map found for START, intersecting or not. */
struct em_map *em6_search(struct em_tree *, uint64_t start, uint64_t len);
/*
 * btrfs_add_extent_mapping(): insert EM (the caller's, built for the
 * requested range [start, start + len)).  0 with *OUT the map to use:
 * EM (perhaps merged or trimmed), or the existing map holding START (EM
 * then freed).  On failure EM is freed, *OUT is NULL and the error is
 * returned: -EINVAL when START is not inside EM, -EEXIST when the trimmed
 * map still collides.
 */
int	em6_add_mapping(struct em_tree *, struct em_map *em, uint64_t start,
	    uint64_t len, struct em_map **out);
/*
 * btrfs_drop_extent_map_range(start, end, skip_pinned): END inclusive,
 * (u64)-1 to EOF; nothing when END < START.  SKIP_PINNED leaves pinned
 * maps whole.
 */
void	em6_drop_range(struct em_tree *, uint64_t start, uint64_t end,
	    bool skip_pinned);
/* unpin_extent_cache(): EM is no longer under I/O; it may merge now. */
void	em6_unpin(struct em_tree *, struct em_map *em);
/* em_check() and no two maps overlap.  0, or -1 with *WHY set. */
int	em6_check(const struct em_tree *, const char **why);

#endif
