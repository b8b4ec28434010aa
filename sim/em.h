/*
 * The extent map cache: a per-inode tree of struct em_map, each mapping a
 * file range [start, start + len) to a logical disk address block_start
 * (or to one of the special values below), with exactly the semantics of
 * the 2008 extent_map.c (lookup_extent_mapping, add_extent_mapping,
 * remove_extent_mapping), file.c (btrfs_drop_extent_cache after commit
 * 3b951516, and before it under the drop-whole quirk) and inode.c
 * (merge_extent_mapping of the same commit).  See research/btrfs.md
 * §1.3, §1.4 item 6, §2.1-§2.4.
 *
 * The 2008 tree is keyed on start only.  It does NOT guarantee that maps
 * are disjoint: add_extent_mapping refuses a map whose start lies inside an
 * existing one (-EEXIST) but silently accepts one that starts in a gap and
 * overlaps its successor.  The model keeps that, and the invariant checker
 * (not this module) reports overlaps.  What the tree does guarantee, and
 * em_check() verifies: maps sorted by start with distinct starts, len > 0,
 * `last` NULL or a map in the tree, count and overlaps exact, red-black
 * shape sound.
 *
 * "The map containing X" always means the floor of X (the map with the
 * greatest start <= X) when that map contains X.  Without overlaps it is
 * the only map containing X.  With nested overlaps 2008 answered with
 * whichever containing map its rbtree descent met first, which depended on
 * the tree's shape.  The floor lies on every such descent, so 2008 too
 * found a containing map whenever the floor contains X; the model's choice
 * is the reproducible one.
 *
 * Units are bytes.  Ends saturate at (u64)-1 as extent_map_end() did.
 * Reference counts are not modelled: the tree owns its maps; a pointer
 * returned by a lookup is borrowed until the tree is next modified.
 */
#ifndef SIM_EM_H
#define SIM_EM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bsd/sys/tree.h>

/* Special block_start values (2008 extent_map.h). */
#define EM_LAST_BYTE	((uint64_t)-4)
#define EM_HOLE		((uint64_t)-3)
#define EM_INLINE	((uint64_t)-2)
#define EM_DELALLOC	((uint64_t)-1)

struct em_map {
	RB_ENTRY(em_map) node;
	uint64_t	start;		/* file offset */
	uint64_t	len;		/* bytes */
	uint64_t	block_start;	/* logical address, or EM_HOLE etc. */
	uint32_t	flags;		/* no flag bits in 2008: always 0 */
	bool		in_tree;
};

RB_HEAD(em_rb, em_map);

struct em_tree {
	struct em_rb	root;
	struct em_map	*last;		/* lookup fast path (tree->last) */
	size_t		count;		/* maps in the tree */
	size_t		overlaps;	/* neighbours (by start) that overlap:
					   0 iff the maps are disjoint, an
					   O(1) test for the checker */
	uint64_t	merges;		/* neighbours absorbed by em_add, plus
					   one per em_merge_mapping union */
	uint64_t	splits;		/* remnants em_drop_cache inserted */
};

/* extent_map_end(): start + len, saturating at (u64)-1. */
static inline uint64_t
em_end(const struct em_map *em)
{
	return em->start + em->len < em->start ? UINT64_MAX :
	    em->start + em->len;
}

/* A map that points at disk (not a hole, inline or delalloc map). */
static inline bool
em_is_real(const struct em_map *em)
{
	return em->block_start < EM_LAST_BYTE;
}

void	em_tree_init(struct em_tree *);
/* Free every map; the tree is empty (counters 0) and reusable afterwards. */
void	em_tree_destroy(struct em_tree *);
/* Make DST (uninitialised) a deep copy of SRC, `last` included. */
void	em_tree_clone(struct em_tree *dst, const struct em_tree *src);

/* A new map, not in any tree, flags 0; the caller owns it (em_free). */
struct em_map *em_alloc(uint64_t start, uint64_t len, uint64_t block_start);
/* Free a map that is in no tree; NULL is a no-op. */
void	em_free(struct em_map *);

/*
 * lookup_extent_mapping(): a map intersecting [start, start + len) (end
 * saturating): tree->last if it intersects, else the map containing start
 * (NULL if that map does not intersect, i.e. len is 0 and start is its
 * first byte), else the first map beginning in (start, end).  Sets
 * tree->last on a hit.  Borrowed until the tree changes; NULL on a miss.
 */
struct em_map *em_lookup(struct em_tree *, uint64_t start, uint64_t len);

/*
 * add_extent_mapping(): insert EM (owned by the caller, not in a tree,
 * len > 0).  Returns -EEXIST, changing nothing, iff em->start lies inside
 * an existing map (see above).  A map starting in a gap is inserted even
 * if it overlaps its successors.  On success (0) the tree owns EM; EM has
 * absorbed a mergeable predecessor (only if em->start != 0) and then a
 * mergeable successor (mergable_maps(): adjacent, same flags, same special
 * kind or physically contiguous with the successor's block_start below
 * EM_LAST_BYTE - 1); absorbed maps are freed; tree->last is EM.
 */
int	em_add(struct em_tree *, struct em_map *em);

/*
 * remove_extent_mapping(): unlink EM (in this tree); the caller owns it
 * afterwards.  Clears tree->last if it was EM.
 */
void	em_remove(struct em_tree *, struct em_map *em);

/*
 * merge_extent_mapping() of commit 3b951516: union EM (caller's) with
 * EXISTING (in the tree) when they touch or overlap, are of the same kind
 * and physically contiguous; then EXISTING is removed and freed (counted
 * in tree->merges) and EM is inserted with em_add(), whose result is
 * returned (0, or -EEXIST when the widened map still collides; EM, widened,
 * is then the caller's again and EXISTING stays gone).  -EIO when the
 * merge is invalid (nothing changes).
 */
int	em_merge_mapping(struct em_tree *, struct em_map *existing,
	    struct em_map *em);

/*
 * btrfs_drop_extent_cache(start, end): END is inclusive and (u64)-1 means
 * "to EOF" (the 2008 convention, kept so the historical arithmetic can be
 * reproduced: len = end - start + 1 wraps when end < start - 1; the lookup
 * then reaches to EOF while the tail test and the tail remnant use the
 * wrapped start + len, quirk 4).  Post-patch (drop_whole false): maps are
 * looked up and removed until none intersects the range; real maps leave
 * head and tail remnants outside it (none for special maps, and no tail
 * when END is (u64)-1), which merge like any em_add().  Pre-patch
 * (drop_whole true): every map found is removed whole (same range).
 * Returns:
 *   0        done;
 *   -EEXIST  inserting a remnant failed (2008: BUG_ON(ret)); the map being
 *            split is gone, a head remnant inserted before a failing tail
 *            stays, the tree is otherwise as it was at that point;
 *   -ELOOP   a pass left the tree exactly as it found it, so 2008 would
 *            have looped forever (only END == START - 1, a zero length,
 *            with a real map holding START strictly inside: its head and
 *            tail merge back); that map is in the tree again.
 */
int	em_drop_cache(struct em_tree *, uint64_t start, uint64_t end,
	    bool drop_whole);

/* What em_get_extent_insert() did. */
enum em_ge {
	EM_GE_INSERTED,		/* EM went in (after any neighbour merges) */
	EM_GE_EXISTING,		/* -EEXIST: a map intersecting the requested
				   range was found and is returned; EM freed */
	EM_GE_MERGED,		/* -EEXIST: merge_extent_mapping() widened EM
				   over the map blocking it, and EM went in */
	EM_GE_FAILED		/* none of these: the error is returned */
};

/*
 * The insert path of btrfs_get_extent() after commit 3b951516, on the
 * tree alone: insert EM (the caller's, built from the file extent items
 * for the requested range [start, start + len)); on -EEXIST return
 * whatever lookup(start, len) finds, else merge EM with the map
 * lookup(em->start, em->len) finds (merge_extent_mapping()).  With MERGE
 * false (the code before the commit) a miss of the first lookup fails.
 * Returns 0 with *OUT the map to use (borrowed from the tree) and *HOW
 * INSERTED, EXISTING or MERGED; or, with *HOW FAILED and EM still the
 * caller's to free (widened if a merge was tried), the error 2008
 * returned: -EEXIST when the merged map collided again, -EIO when the
 * merge was invalid or no map was found to merge with.
 */
int	em_get_extent_insert(struct em_tree *, uint64_t start, uint64_t len,
	    struct em_map *em, bool merge, struct em_map **out,
	    enum em_ge *how);

/* In-order walk by start; borrowed, NULL at the end. */
struct em_map *em_first(const struct em_tree *);
struct em_map *em_next(const struct em_tree *, const struct em_map *);

/*
 * Walk the tree and verify what the 2008 tree guarantees (see above).
 * Returns 0 or -1 with the first broken invariant in WHY (may be NULL).
 */
int	em_check(const struct em_tree *, const char **why);

#endif
