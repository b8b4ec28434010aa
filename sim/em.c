/*
 * The extent map cache, as btrfs had it in April 2008 (commit 3b951516).
 *
 * A tree holds struct em_map entries keyed on their start offset (bytes,
 * distinct starts, len > 0).  Each maps the file range [start, start + len)
 * to the logical disk address block_start, or marks it as a hole, inline
 * or delalloc range (block_start >= EM_LAST_BYTE).  The 2008 tree never
 * promised disjoint maps: add_extent_mapping() refused only a map whose
 * start fell inside an existing one, so a map that starts in a gap may
 * overlap its successors.  Every rule below is the 2008 one, overlap and
 * all; the file system's invariant checker, not this module, reports
 * overlaps.
 *
 * Where 2008 depended on the shape of its rbtree, the model picks one
 * shape-independent answer.  That happens only with overlapping maps: the
 * 2008 descent stopped at the first node on its search path containing
 * the key, and with nested maps that could be any of several.  The model
 * always uses the floor, the map with the greatest start <= the key.  The
 * floor lies on every search path for the key, so whenever it contains
 * the key 2008 also found a containing map; when it does not, no other map
 * contains the key unless maps overlap.
 *
 * tree->last is the lookup fast path of 2008: the most recent lookup hit
 * or insertion, cleared when that map is removed.  A lookup returns it
 * whenever it intersects the range, even if an earlier map does too.
 *
 * tree->overlaps counts neighbours (in start order) that overlap.  While
 * it is 0 the maps are disjoint, a map containing the key is its floor,
 * and descents stop at the first containing map, as a plain range tree
 * would; only trees that hold overlaps pay for a full descent.
 *
 * Workload: one tree per inode, typically a handful to a few thousand
 * maps; lookups dominate (every page read), then inserts and drops (every
 * write-back and truncate).  Lookups and inserts are one descent each; the
 * insert finds its merge neighbours on the way down.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>

#include "em.h"
#include "xmalloc.h"

static int
em_cmp(struct em_map *a, struct em_map *b)
{
	return a->start < b->start ? -1 : a->start > b->start;
}

RB_GENERATE_INTERNAL(em_rb, em_map, node, em_cmp,
    __attribute__((__unused__)) static)

/* range_end() of 2008 lookup_extent_mapping(): start + len, saturating. */
static uint64_t
em_range_end(uint64_t start, uint64_t len)
{
	return start + len < start ? UINT64_MAX : start + len;
}

/* extent_map_block_end(): block_start + len, saturating. */
static uint64_t
em_block_end(const struct em_map *em)
{
	return em_range_end(em->block_start, em->len);
}

/* EM meets the half-open range [start, end). */
static bool
em_intersects(const struct em_map *em, uint64_t start, uint64_t end)
{
	return end > em->start && start < em_end(em);
}

static bool
em_contains(const struct em_map *em, uint64_t pos)
{
	return em->start <= pos && pos < em_end(em);
}

/* The three special kinds that merge with their own kind. */
static bool
em_is_mergeable_special(uint64_t block_start)
{
	return block_start == EM_HOLE || block_start == EM_INLINE ||
	    block_start == EM_DELALLOC;
}

/*
 * mergable_maps(): NEXT starts where PREV ends, same flags (and bdev, not
 * modelled), and either both are the same special kind or NEXT continues
 * PREV on disk.  The literal bound `next->block_start < EXTENT_MAP_LAST_BYTE
 * - 1` is kept, so a real map at EM_LAST_BYTE - 1 never absorbs its
 * predecessor.
 */
static bool
em_mergeable(const struct em_map *prev, const struct em_map *next)
{
	if (em_end(prev) != next->start || prev->flags != next->flags)
		return false;
	if (em_is_mergeable_special(next->block_start))
		return prev->block_start == next->block_start;
	return next->block_start < EM_LAST_BYTE - 1 &&
	    next->block_start == em_block_end(prev);
}

/* Neighbours A then B (by start) overlap; either may be NULL. */
static size_t
em_overlap(const struct em_map *a, const struct em_map *b)
{
	return a != NULL && b != NULL && em_end(a) > b->start;
}

/*
 * One descent for POS: the floor (greatest start <= POS) and the successor
 * (least start > POS), and where a map starting at POS would be linked.
 * With disjoint maps it stops at a map containing POS, the floor; succ
 * and the link point are then meaningless, and nobody needs them.
 */
struct em_place {
	struct em_map	*floor;		/* greatest start <= pos, or NULL */
	struct em_map	*succ;		/* least start > pos, or NULL */
	struct em_map	*parent;	/* last node visited, or NULL */
	bool		 left;		/* link as parent's left child */
};

static void
em_descend(const struct em_tree *tree, uint64_t pos, struct em_place *pl)
{
	struct em_map *n = RB_ROOT(&tree->root);
	bool disjoint = tree->overlaps == 0;

	pl->floor = pl->succ = pl->parent = NULL;
	pl->left = false;
	while (n != NULL) {
		pl->parent = n;
		if (pos < n->start) {
			pl->succ = n;
			pl->left = true;
			n = RB_LEFT(n, node);
		} else {
			pl->floor = n;
			pl->left = false;
			if (disjoint && pos < em_end(n))
				break;
			n = RB_RIGHT(n, node);
		}
	}
}

/* em_remove() for a map whose neighbours PREV and NEXT are known. */
static void
em_remove_between(struct em_tree *tree, struct em_map *em,
    struct em_map *prev, struct em_map *next)
{
	tree->overlaps += em_overlap(prev, next);
	tree->overlaps -= em_overlap(prev, em) + em_overlap(em, next);
	em_rb_RB_REMOVE(&tree->root, em);
	em->in_tree = false;
	tree->count--;
	if (tree->last == em)
		tree->last = NULL;
}

/*
 * Free VICTIM, a neighbour that a new map has just absorbed (see em_add
 * for why tree->overlaps and tree->last need no care).
 */
static void
em_absorb(struct em_tree *tree, struct em_map *victim)
{
	em_rb_RB_REMOVE(&tree->root, victim);
	tree->count--;
	tree->merges++;
	free(victim);
}

void
em_tree_init(struct em_tree *tree)
{
	RB_INIT(&tree->root);
	tree->last = NULL;
	tree->count = 0;
	tree->overlaps = 0;
	tree->merges = 0;
	tree->splits = 0;
}

/*
 * Free every map, children before parents, without rebalancing: each
 * visited link is cut so that climbing back goes to the other child.
 */
void
em_tree_destroy(struct em_tree *tree)
{
	struct em_map *n = RB_ROOT(&tree->root), *child, *parent;

	while (n != NULL) {
		if ((child = RB_LEFT(n, node)) != NULL) {
			RB_LEFT(n, node) = NULL;
			n = child;
		} else if ((child = RB_RIGHT(n, node)) != NULL) {
			RB_RIGHT(n, node) = NULL;
			n = child;
		} else {
			parent = RB_PARENT(n, node);
			free(n);
			n = parent;
		}
	}
	em_tree_init(tree);
}

/* Copy the subtree at N node for node (colours and shape included). */
static struct em_map *
em_copy_subtree(const struct em_map *n, struct em_map *parent,
    const struct em_map *src_last, struct em_map **dst_last)
{
	struct em_map *c;

	if (n == NULL)
		return NULL;
	c = xmalloc(sizeof(*c));
	*c = *n;
	RB_PARENT(c, node) = parent;
	RB_LEFT(c, node) = em_copy_subtree(RB_LEFT(n, node), c, src_last,
	    dst_last);
	RB_RIGHT(c, node) = em_copy_subtree(RB_RIGHT(n, node), c, src_last,
	    dst_last);
	if (n == src_last)
		*dst_last = c;
	return c;
}

/* DST becomes an independent deep copy of SRC; the caller destroys it. */
void
em_tree_clone(struct em_tree *dst, const struct em_tree *src)
{
	em_tree_init(dst);
	RB_ROOT(&dst->root) = em_copy_subtree(RB_ROOT(&src->root), NULL,
	    src->last, &dst->last);
	dst->count = src->count;
	dst->overlaps = src->overlaps;
	dst->merges = src->merges;
	dst->splits = src->splits;
}

/* A new map outside any tree (alloc_extent_map()); the caller owns it. */
struct em_map *
em_alloc(uint64_t start, uint64_t len, uint64_t block_start)
{
	struct em_map *em = xmalloc(sizeof(*em));

	em->start = start;
	em->len = len;
	em->block_start = block_start;
	em->flags = 0;
	em->in_tree = false;
	return em;
}

/* Free a map that is in no tree.  NULL is a no-op. */
void
em_free(struct em_map *em)
{
	if (em == NULL)
		return;
	assert(!em->in_tree);
	free(em);
}

/*
 * The lookup's answer past the fast path, given the floor and successor of
 * START: the floor if it contains START (and meets the range: a zero
 * length finds only maps holding START strictly inside), else the
 * successor if it begins before END.  A hit becomes tree->last.
 */
static struct em_map *
em_pick(struct em_tree *tree, uint64_t start, uint64_t end,
    struct em_map *floor, struct em_map *succ)
{
	struct em_map *em;

	em = floor != NULL && em_contains(floor, start) ? floor : succ;
	if (em == NULL || !em_intersects(em, start, end))
		return NULL;
	tree->last = em;
	return em;
}

/* lookup_extent_mapping(): tree->last if it meets the range, else em_pick. */
struct em_map *
em_lookup(struct em_tree *tree, uint64_t start, uint64_t len)
{
	uint64_t end = em_range_end(start, len);
	struct em_place pl;

	if (tree->last != NULL && em_intersects(tree->last, start, end))
		return tree->last;
	em_descend(tree, start, &pl);
	return em_pick(tree, start, end, pl.floor, pl.succ);
}

/*
 * add_extent_mapping(): link EM unless its start lies inside its floor,
 * then let it absorb a mergeable predecessor (not when it starts at 0, a
 * 2008 guard that cannot fire since no start precedes 0) and successor.
 * Absorbed maps are freed; 2008 did not clear tree->last for them, and
 * tree->last ends up on EM either way.  A merge leaves tree->overlaps as
 * it is: the absorbed map only touched EM, and the widened EM starts (or
 * ends) where the absorbed map did.
 */
int
em_add(struct em_tree *tree, struct em_map *em)
{
	struct em_place pl;
	struct em_map *prev, *next;

	assert(!em->in_tree && em->len > 0);
	em_descend(tree, em->start, &pl);
	if (pl.floor != NULL && em_contains(pl.floor, em->start))
		return -EEXIST;

	RB_SET(em, pl.parent, node);
	if (pl.parent == NULL)
		RB_ROOT(&tree->root) = em;
	else if (pl.left)
		RB_LEFT(pl.parent, node) = em;
	else
		RB_RIGHT(pl.parent, node) = em;
	em_rb_RB_INSERT_COLOR(&tree->root, em);
	em->in_tree = true;
	tree->count++;

	prev = pl.floor;
	next = pl.succ;
	tree->overlaps += em_overlap(prev, em) + em_overlap(em, next);
	tree->overlaps -= em_overlap(prev, next);
	if (em->start != 0 && prev != NULL && em_mergeable(prev, em)) {
		em->start = prev->start;
		em->len += prev->len;
		em->block_start = prev->block_start;
		em_absorb(tree, prev);
	}
	if (next != NULL && em_mergeable(em, next)) {
		em->len += next->len;
		em_absorb(tree, next);
	}
	tree->last = em;
	return 0;
}

/* remove_extent_mapping(): unlink EM, which the caller then owns. */
void
em_remove(struct em_tree *tree, struct em_map *em)
{
	assert(em->in_tree);
	em_remove_between(tree, em, RB_PREV(em_rb, &tree->root, em),
	    RB_NEXT(em_rb, &tree->root, em));
}

/*
 * The validity test of merge_extent_mapping() (3b951516): same kind (a real
 * EXISTING takes only a real EM, a special one only the same special
 * value), no gap between them (touching is fine), and for real maps the
 * later one continuing the earlier on disk.  Case A is EM starting at or
 * before EXISTING, case B after it.  Block arithmetic is plain u64 as in
 * 2008.
 */
static bool
em_merge_valid(const struct em_map *existing, const struct em_map *em)
{
	bool real = em_is_real(existing);

	if (real && !em_is_real(em))
		return false;
	if (!real && em->block_start != existing->block_start)
		return false;
	if (existing->start >= em->start) {
		if (em_end(em) < existing->start)
			return false;
		return !real || em->block_start +
		    (existing->start - em->start) == existing->block_start;
	}
	if (em_end(existing) < em->start)
		return false;
	return !real || existing->block_start +
	    (em->start - existing->start) == em->block_start;
}

/*
 * merge_extent_mapping() of 3b951516: widen EM to the union with EXISTING,
 * drop EXISTING from the tree (freed, counted in tree->merges) and insert
 * EM.  Returns -EIO with nothing changed when the merge is invalid, else
 * em_add()'s result: on -EEXIST, EXISTING is gone and the widened EM is the
 * caller's.
 */
int
em_merge_mapping(struct em_tree *tree, struct em_map *existing,
    struct em_map *em)
{
	uint64_t existing_end = em_end(existing), new_end = em_end(em);

	assert(existing->in_tree && !em->in_tree);
	if (!em_merge_valid(existing, em))
		return -EIO;
	if (existing_end > new_end)
		new_end = existing_end;
	if (existing->start >= em->start) {
		em->len = new_end - em->start;
	} else {
		em->start = existing->start;
		em->block_start = existing->block_start;
		em->len = new_end - existing->start;
	}
	em_remove(tree, existing);
	free(existing);
	tree->merges++;
	return em_add(tree, em);
}

/* Insert a remnant of a dropped map: a 2008 BUG_ON if that fails. */
static int
em_add_remnant(struct em_tree *tree, uint64_t start, uint64_t len,
    uint64_t block_start, uint32_t flags)
{
	struct em_map *split = em_alloc(start, len, block_start);

	split->flags = flags;
	if (em_add(tree, split) != 0) {
		em_free(split);
		return -EEXIST;
	}
	tree->splits++;
	return 0;
}

static bool
em_same_map(const struct em_map *a, const struct em_map *b)
{
	return a->start == b->start && a->len == b->len &&
	    a->block_start == b->block_start && a->flags == b->flags;
}

/*
 * btrfs_drop_extent_cache() after 3b951516 (drop_whole false), or before
 * it (true).  The range is the 2008 one: [start, start + len) with len =
 * end - start + 1 in wrapping u64, or everything from START when END is
 * (u64)-1, in which case there is no tail split.  Each pass removes what
 * em_lookup() finds; a real map leaves a head [em->start, start) and a
 * tail [start + len, em end) with block_start advanced by
 * diff = (start + len) - em->start, all in literal u64 arithmetic: when
 * END < START - 1 the lookup reaches to the end of the file while
 * start + len wraps below START (quirk 4).
 *
 * With a zero length (END == START - 1) a real map holding START strictly
 * inside splits into a head and a tail that merge straight back: 2008 spun
 * forever.  A pass that leaves the tree as it found it (same map found
 * again, same number of maps) is that livelock, reported as -ELOOP.
 *
 * When a pass inserts no remnant and the removed map was the floor or the
 * successor of START, tree->last is now NULL and the removed map's
 * neighbours are the new floor and successor, so the next lookup needs no
 * descent: that is what keeps a drop close to a plain rbtree removal.
 */
int
em_drop_cache(struct em_tree *tree, uint64_t start, uint64_t end,
    bool drop_whole)
{
	uint64_t len = end - start + 1, range_end, splits;
	bool testend = true, known;
	struct em_map *em, *prev, *next, seen;
	size_t seen_count = 0;
	bool have_seen = false;
	int rc = 0;

	if (end == UINT64_MAX) {
		len = UINT64_MAX;
		testend = false;
	}
	range_end = em_range_end(start, len);
	em = em_lookup(tree, start, len);
	while (em != NULL) {
		if (have_seen && tree->count == seen_count &&
		    em_same_map(em, &seen))
			return -ELOOP;
		seen = *em;
		seen_count = tree->count;
		have_seen = true;

		prev = RB_PREV(em_rb, &tree->root, em);
		next = RB_NEXT(em_rb, &tree->root, em);
		known = em->start <= start ?
		    next == NULL || next->start > start :
		    prev == NULL || prev->start <= start;
		splits = tree->splits;
		em_remove_between(tree, em, prev, next);
		if (!drop_whole && em_is_real(em)) {
			if (em->start < start)
				rc = em_add_remnant(tree, em->start,
				    start - em->start, em->block_start,
				    em->flags);
			if (rc == 0 && testend &&
			    em->start + em->len > start + len)
				rc = em_add_remnant(tree, start + len,
				    em->start + em->len - (start + len),
				    em->block_start +
				    (start + len - em->start), em->flags);
		}
		em_free(em);
		if (rc != 0)
			return rc;
		if (known && tree->splits == splits)
			em = em_pick(tree, start, range_end, prev, next);
		else
			em = em_lookup(tree, start, len);
	}
	return 0;
}

int
em_get_extent_insert(struct em_tree *tree, uint64_t start, uint64_t len,
    struct em_map *em, bool merge, struct em_map **out, enum em_ge *how)
{
	struct em_map *existing;
	int r;

	if (em_add(tree, em) == 0) {
		*how = EM_GE_INSERTED;
		*out = em;
		return 0;
	}
	/* -EEXIST: em->start lies inside a cached map. */
	if ((existing = em_lookup(tree, start, len)) != NULL) {
		em_free(em);
		*how = EM_GE_EXISTING;
		*out = existing;
		return 0;
	}
	*how = EM_GE_FAILED;
	if (!merge || (existing = em_lookup(tree, em->start, em->len)) == NULL)
		return -EIO;
	if ((r = em_merge_mapping(tree, existing, em)) != 0)
		return r;
	*how = EM_GE_MERGED;
	*out = em;
	return 0;
}

struct em_map *
em_first(const struct em_tree *tree)
{
	return RB_MIN(em_rb, (struct em_rb *)&tree->root);
}

struct em_map *
em_next(const struct em_tree *tree, const struct em_map *em)
{
	(void)tree;
	return RB_NEXT(em_rb, NULL, (struct em_map *)em);
}

/*
 * Red-black shape of the subtree at N: parent links, no red node with a
 * red child, equal black height.  Returns the black height or -1.
 */
static int
em_check_rb(const struct em_map *n, const struct em_map *parent,
    const char **why)
{
	int lh, rh;

	if (n == NULL)
		return 1;
	if (RB_PARENT(n, node) != parent) {
		*why = "parent link broken";
		return -1;
	}
	if (RB_COLOR(n, node) == RB_RED && parent != NULL &&
	    RB_COLOR(parent, node) == RB_RED) {
		*why = "red node with a red parent";
		return -1;
	}
	if ((lh = em_check_rb(RB_LEFT(n, node), n, why)) < 0 ||
	    (rh = em_check_rb(RB_RIGHT(n, node), n, why)) < 0)
		return -1;
	if (lh != rh) {
		*why = "black heights differ";
		return -1;
	}
	return lh + (RB_COLOR(n, node) == RB_BLACK);
}

/* Walk the tree and verify what it guarantees (see em.h). */
int
em_check(const struct em_tree *tree, const char **why)
{
	const struct em_map *root = RB_ROOT(&tree->root), *em, *prev = NULL;
	const char *dummy;
	bool last_seen = false;
	size_t n = 0, overlaps = 0;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	if (root != NULL && RB_COLOR(root, node) != RB_BLACK) {
		*why = "red root";
		return -1;
	}
	if (em_check_rb(root, NULL, why) < 0)
		return -1;
	for (em = em_first(tree); em != NULL; em = em_next(tree, em)) {
		if (!em->in_tree)
			*why = "map in the tree not marked in_tree";
		else if (em->len == 0)
			*why = "empty map";
		else if (prev != NULL && prev->start >= em->start)
			*why = "starts not strictly increasing";
		if (*why != NULL)
			return -1;
		last_seen |= em == tree->last;
		overlaps += em_overlap(prev, em);
		prev = em;
		n++;
	}
	if (n != tree->count)
		*why = "count differs from the number of maps";
	else if (overlaps != tree->overlaps)
		*why = "overlaps differs from the overlapping neighbours";
	else if (tree->last != NULL && !last_seen)
		*why = "last is not a map of the tree";
	return *why == NULL ? 0 : -1;
}
