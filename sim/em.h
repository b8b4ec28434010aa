/*
 * The extent map cache: a per-inode tree of struct em_map, each mapping a
 * file range [start, start + len) to a logical disk address block_start
 * (or to one of the special values below), with exactly the semantics of
 * the 2008 extent_map.c (lookup_extent_mapping, add_extent_mapping,
 * remove_extent_mapping and their helpers tree_insert and __tree_search),
 * file.c (btrfs_drop_extent_cache after commit 3b951516, and before it
 * under the drop-whole quirk) and inode.c (merge_extent_mapping of the
 * same commit); blksim-scenario(5), "Caches", describes them for users.
 *
 * The 2008 tree is a red-black tree keyed on start only, balanced by
 * 2008's lib/rbtree.c (sim/rbtree.h).  It does NOT guarantee that maps are
 * disjoint: add_extent_mapping silently accepts a map that starts in a gap
 * and overlaps its successor.  The model keeps that, and the invariant
 * checker (not this module) reports overlaps.  What the tree does
 * guarantee, and em_check() verifies: maps in order by start with
 * distinct starts, len > 0, `last' NULL or a map in the tree, count and
 * overlaps exact, red-black shape sound.
 *
 * Every search is 2008's descent for a position X: from the root, go left
 * at a map starting after X, right at a map ending at or before X, and
 * stop at the first map containing X.  tree_insert and __tree_search both
 * descend so.  Without overlaps the only map containing X is its floor
 * (the map with the greatest start <= X), which lies on the descent, so
 * the answers are the plain ones.  With overlaps several maps may contain
 * X, and the descent stops at whichever of them it meets first, or at
 * none if none lies on its path: the answer depends on the tree's shape.
 * The model's tree has 2008's shape (the same inserts and removals, the
 * same rebalancing), so it gives 2008's answer every time.
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

#include "imap.h"
#include "rbtree.h"

/* Special block_start values (2008 extent_map.h). */
#define EM_LAST_BYTE	((uint64_t)-4)
#define EM_HOLE		((uint64_t)-3)
#define EM_INLINE	((uint64_t)-2)
#define EM_DELALLOC	((uint64_t)-1)

struct em_map {
	struct rb_node	node;		/* in the tree, keyed on start */
	uint64_t	start;		/* file offset */
	uint64_t	len;		/* bytes */
	uint64_t	block_start;	/* logical address, or EM_HOLE etc. */
	uint32_t	flags;		/* EM_FLAG_*; never set in 2008 */
	bool		in_tree;
	/*
	 * Used by the modern extent map only (em6.h), as Linux 6.x keeps
	 * them: the bytes on disk behind the map (its length for an
	 * uncompressed map, the whole compressed extent's otherwise), the
	 * map's offset into the extent's (decompressed) data, and the
	 * extent's decompressed size.  em_alloc() sets them to len, 0, len.
	 */
	uint64_t	block_len;
	uint64_t	offset;
	uint64_t	ram_bytes;
};

/* Flag bits of the modern extent map (2008 had none). */
#define EM_FLAG_PINNED		0x1u	/* under I/O: never merged */
#define EM_FLAG_COMPRESSED	0x2u	/* never merged; block_len whole */
#define EM_FLAG_MERGED		0x4u	/* absorbed a neighbour */

struct em_tree {
	struct rb_root	root;
	struct em_map	*last;		/* lookup fast path (tree->last) */
	size_t		count;		/* maps in the tree */
	size_t		overlaps;	/* neighbours (by start) that overlap:
					   0 iff the maps are disjoint, an
					   O(1) test for the checker */
	uint64_t	merges;		/* neighbours absorbed by em_add, plus
					   one per em_merge_mapping union */
	uint64_t	splits;		/* remnants em_drop_cache inserted */
	/*
	 * The file ranges whose mapping changed since the invariant checker
	 * last looked (inv.h): every map linked or unlinked marks its range;
	 * a neighbour absorbed by a merge does not, since the widened map
	 * maps its bytes where it did.  Values unused.  Past EM_MAX_MARKS
	 * marks since the checker looked, the ranges are dropped and
	 * changed_all set instead: a statement that changed that much pays
	 * one whole check, and a burst of inserts (a cold read of a
	 * fragmented file) costs what the tree does, nothing more.
	 */
	struct imap	changed;
	unsigned	nmarks;		/* marks since the checker looked */
	bool		changed_all;	/* too many: look at everything */
};

#define EM_MAX_MARKS	64

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
 * saturating), or NULL.  tree->last if it intersects.  Else __tree_search
 * for START: the map at which its descent stopped, if it intersects (it
 * does not when len is 0 and start is its first byte: NULL); if the
 * descent met no map containing START, its walks give the successor
 * (least start > START), taken if it begins before the end, and then the
 * floor, which cannot intersect (the descent passed it).  So with
 * overlaps the map found need not be the floor, and a map containing START
 * that lies off the descent is not found (the successor may be instead).
 * Sets tree->last on a hit.  Borrowed until the tree changes.
 */
struct em_map *em_lookup(struct em_tree *, uint64_t start, uint64_t len);

/*
 * add_extent_mapping(): insert EM (owned by the caller, not in a tree,
 * len > 0).  Returns -EEXIST, changing nothing, iff tree_insert's descent
 * for em->start meets a map containing em->start.  That is always so when
 * the floor of em->start contains it (the descent passes the floor), so
 * without overlaps it is iff em->start lies inside a map; with overlaps a
 * map holding em->start off the descent does not count, and one on it
 * counts even if the floor does not hold em->start.  Otherwise EM is
 * linked where the descent ended and the tree rebalanced, even if EM
 * overlaps its successors.  On success (0) the tree owns EM; EM has
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
 * wrapped start + len, quirk 4).  Each pass removes the map that
 * em_lookup(START, len) finds; the loop ends when it finds none.  Without
 * overlaps no map intersecting the range is then left; with overlaps one
 * that the lookup never finds (off the descent for START, not the
 * successor) stays, and a map found need not contain START.  Post-patch
 * (drop_whole false): real maps leave head and tail remnants outside the
 * range (none for special maps, and no tail when END is (u64)-1), which
 * merge like any em_add().  Pre-patch (drop_whole true): every map found
 * is removed whole.
 * Returns:
 *   0        done;
 *   -EEXIST  inserting a remnant failed (2008: BUG_ON(ret)); the map being
 *            split is gone, a head remnant inserted before a failing tail
 *            stays, the tree is otherwise as it was at that point;
 *   -ELOOP   2008 would have looped forever (a soft lockup).  A pass
 *            that finds the same map (same fields) as the pass before,
 *            with as many maps in the tree, is suspected: with END ==
 *            START - 1, a zero length, a real map holding START strictly
 *            inside splits into a head and a tail that merge back.
 *            Without overlaps that repeats forever.  With overlaps a
 *            later pass may meet a map the shape had kept off a
 *            remnant's descent and BUG_ON instead, so the loop is run on
 *            a copy until it ends, BUG_ONs or comes back to a state it
 *            was in; only the last is -ELOOP, otherwise the drop goes on
 *            to the end 2008 reached.  On -ELOOP the tree is as the
 *            suspected pass's lookup left it: the maps it held when the
 *            pass before began (the found map re-formed, perhaps placed
 *            elsewhere in the shape), that map tree->last, and the
 *            counters holding the completed passes' splits and merges.
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

/*
 * Primitives for another era's semantics on the same tree (em6.h), whose
 * maps never overlap: the map with the greatest start <= POS (NULL if
 * none), the in-order predecessor of EM, and the plain link of EM (not in
 * a tree, a start no map has) by start, keeping count and overlaps exact
 * and merging nothing.
 *
 * For the invariant checker's changed ranges (above), em_link() and
 * em_remove() mark the map's range; the _quiet variants mark nothing, for
 * a caller that knows better which bytes change their mapping (a merge
 * moves bytes to a neighbour that maps them as before; a split keeps
 * them in remnants that map them as before) and says so with
 * em_mark_range().
 */
struct em_map *em_floor(const struct em_tree *, uint64_t pos);
struct em_map *em_prev_map(const struct em_tree *, const struct em_map *);
void	em_link(struct em_tree *, struct em_map *em);
void	em_link_quiet(struct em_tree *, struct em_map *em);
void	em_remove_quiet(struct em_tree *, struct em_map *em);
void	em_mark_range(struct em_tree *, uint64_t start, uint64_t end);

/*
 * The invariant checker has looked at the changed ranges (above): forget
 * them.
 */
void	em_settle(struct em_tree *);

/* In-order walk by start; borrowed, NULL at the end. */
struct em_map *em_first(const struct em_tree *);
struct em_map *em_next(const struct em_tree *, const struct em_map *);

/*
 * A hash of the tree as lookups see it: every map's fields and the shape
 * (a preorder walk with the colours), `last' and the counters; not the
 * changed ranges, which are the checker's.  Equal trees, equal hashes.
 */
uint64_t em_tree_hash(const struct em_tree *);

/*
 * Walk the tree and verify what the 2008 tree guarantees (see above).
 * Returns 0 or -1 with the first broken invariant in WHY (may be NULL).
 */
int	em_check(const struct em_tree *, const char **why);

#endif
