/*
 * The extent map cache, as btrfs had it in April 2008 (commit 3b951516).
 *
 * A tree holds struct em_map entries keyed on their start offset (bytes,
 * distinct starts, len > 0).  Each maps the file range [start, start + len)
 * to the logical disk address block_start, or marks it as a hole, inline
 * or delalloc range (block_start >= EM_LAST_BYTE).  The 2008 tree never
 * promised disjoint maps: add_extent_mapping() refused only a map whose
 * start its descent found inside an existing one, so a map that starts in
 * a gap may overlap its successors.  Every rule below is the 2008 one,
 * overlap and all; the file system's invariant checker, not this module,
 * reports overlaps.
 *
 * The tree is sim/rbtree.c, balanced as 2008's lib/rbtree.c was, and every
 * search is 2008's descent (em_descend): left at a map starting after the
 * position, right at a map ending at or before it, stop at the first map
 * containing it.  Descending by start keeps the tree ordered by start
 * whatever the overlaps.  With overlaps, which containing map the descent
 * meets, if any, depends on the shape; as the shape is 2008's, so is the
 * answer.  Without overlaps the only containing map is the floor (the
 * greatest start <= the position), which lies on every descent, so the
 * answers are the shape-independent ones.
 *
 * tree->last is the lookup fast path of 2008: the most recent lookup hit
 * or insertion, cleared when that map is removed.  A lookup returns it
 * whenever it intersects the range, even if an earlier map does too.
 *
 * tree->overlaps counts neighbours (in start order) that overlap, so that
 * the checker can tell in O(1) whether the maps are disjoint, and
 * tree->changed the ranges whose mapping changed since it last looked
 * (em_link_at and em_unlink mark them), so that it need not walk the rest.
 *
 * Workload: one tree per inode, typically a handful to a few thousand
 * maps; lookups dominate (every page read), then inserts and drops (every
 * write-back and truncate).  Each is one descent plus, for inserts and
 * removals, the in-order neighbours and the rebalancing, O(log n).
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "em.h"
#include "rng.h"
#include "xmalloc.h"

/* The map holding node N, or NULL. */
static struct em_map *
em_of(const struct rb_node *n)
{
	return n == NULL ? NULL : rb_entry(n, struct em_map, node);
}

static struct em_map *
em_prev(const struct em_map *em)
{
	return em_of(rb_prev(&em->node));
}

static struct em_map *
em_succ(const struct em_map *em)
{
	return em_of(rb_next(&em->node));
}

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
 * The descent of 2008's tree_insert() and __tree_search() for POS: from
 * the root, left when POS < start, right when POS >= end, and stop at the
 * first map containing POS (hit).  Without a hit, parent and link say
 * where a map starting at POS is to be linked, as tree_insert() linked it.
 */
struct em_descent {
	struct em_map	 *hit;		/* first map on the path holding POS */
	struct rb_node	 *parent;	/* last node visited, or NULL */
	struct rb_node	**link;		/* the empty child pointer reached */
};

static void
em_descend(struct em_tree *tree, uint64_t pos, struct em_descent *d)
{
	struct rb_node **link = &tree->root.node;
	struct em_map *em;

	d->hit = NULL;
	d->parent = NULL;
	while (*link != NULL) {
		d->parent = *link;
		em = em_of(*link);
		if (pos < em->start)
			link = &(*link)->left;
		else if (pos >= em_end(em))
			link = &(*link)->right;
		else {
			d->hit = em;
			break;
		}
	}
	d->link = link;
}

/*
 * __tree_search() for POS: the descent's hit, or else (hit NULL) its two
 * walks from the last node visited: forward while POS >= the map's end
 * (*SUCC: 2008's prev_ret) and backward while POS < the map's start
 * (*FLOOR: its next_ret).  As the descent left that node to a missing
 * child, each walk takes at most one step, to the nearest ancestor on the
 * other side, so *SUCC is the least start > POS and *FLOOR the greatest
 * start <= POS (either NULL when there is none).
 */
static struct em_map *
em_tree_search(struct em_tree *tree, uint64_t pos, struct em_map **succ,
    struct em_map **floor)
{
	struct em_descent d;
	struct em_map *em;

	em_descend(tree, pos, &d);
	*succ = *floor = NULL;
	if (d.hit != NULL)
		return d.hit;
	for (em = em_of(d.parent); em != NULL && pos >= em_end(em);)
		em = em_succ(em);
	*succ = em;
	for (em = em_of(d.parent); em != NULL && pos < em->start;)
		em = em_prev(em);
	*floor = em;
	return NULL;
}

/* The mapping of [start, end) changed, for the invariant checker (em.h). */
void
em_mark_range(struct em_tree *tree, uint64_t start, uint64_t end)
{
	static const struct imap_val unused;

	if (start >= end || tree->changed_all)
		return;
	if (++tree->nmarks > EM_MAX_MARKS) {
		tree->changed_all = true;
		imap_destroy(&tree->changed);
		return;
	}
	imap_set(&tree->changed, start, end, &unused);
}

static void
em_mark(struct em_tree *tree, const struct em_map *em)
{
	em_mark_range(tree, em->start, em_end(em));
}

/*
 * Hang EM where a descent ended (PARENT, *LINK), rebalance, and keep count
 * and overlaps exact: the pair (prev, next) goes, (prev, em) and
 * (em, next) come.
 */
static void
em_link_at(struct em_tree *tree, struct em_map *em, struct rb_node *parent,
    struct rb_node **link)
{
	struct em_map *prev, *next;

	rb_link(&em->node, parent, link);
	rb_insert(&tree->root, &em->node);
	em->in_tree = true;
	tree->count++;
	prev = em_prev(em);
	next = em_succ(em);
	tree->overlaps += em_overlap(prev, em) + em_overlap(em, next);
	tree->overlaps -= em_overlap(prev, next);
}

/*
 * Unlink EM (rb_erase) and keep count, overlaps and last exact: the
 * pairs (prev, em) and (em, next) go, (prev, next) comes.  MARK: EM's
 * bytes lose their mapping (not when a neighbour absorbed them).
 */
static void
em_unlink(struct em_tree *tree, struct em_map *em, bool mark)
{
	struct em_map *prev = em_prev(em), *next = em_succ(em);

	if (mark)
		em_mark(tree, em);
	tree->overlaps += em_overlap(prev, next);
	tree->overlaps -= em_overlap(prev, em) + em_overlap(em, next);
	rb_erase(&tree->root, &em->node);
	em->in_tree = false;
	tree->count--;
	if (tree->last == em)
		tree->last = NULL;
}

void
em_tree_init(struct em_tree *tree)
{
	tree->root.node = NULL;
	tree->last = NULL;
	tree->count = 0;
	tree->overlaps = 0;
	tree->merges = 0;
	tree->splits = 0;
	imap_init(&tree->changed);
	tree->nmarks = 0;
	tree->changed_all = false;
}

/* The checker has looked: the changed ranges start afresh. */
void
em_settle(struct em_tree *tree)
{
	imap_destroy(&tree->changed);
	tree->nmarks = 0;
	tree->changed_all = false;
}

/*
 * Free every map, children before parents, without rebalancing: each
 * visited link is cut so that climbing back goes to the other child.
 */
void
em_tree_destroy(struct em_tree *tree)
{
	struct rb_node *n = tree->root.node, *child, *parent;

	while (n != NULL) {
		if ((child = n->left) != NULL) {
			n->left = NULL;
			n = child;
		} else if ((child = n->right) != NULL) {
			n->right = NULL;
			n = child;
		} else {
			parent = n->parent;
			free(em_of(n));
			n = parent;
		}
	}
	imap_destroy(&tree->changed);
	em_tree_init(tree);
}

/* Copy the subtree at N node for node (colours and shape included). */
static struct rb_node *
em_copy_subtree(const struct rb_node *n, struct rb_node *parent,
    const struct em_map *src_last, struct em_map **dst_last)
{
	struct em_map *c;

	if (n == NULL)
		return NULL;
	c = xmalloc(sizeof(*c));
	*c = *em_of(n);
	c->node.parent = parent;
	c->node.left = em_copy_subtree(n->left, &c->node, src_last, dst_last);
	c->node.right = em_copy_subtree(n->right, &c->node, src_last,
	    dst_last);
	if (em_of(n) == src_last)
		*dst_last = c;
	return &c->node;
}

/* DST becomes an independent deep copy of SRC; the caller destroys it. */
void
em_tree_clone(struct em_tree *dst, const struct em_tree *src)
{
	em_tree_init(dst);
	dst->root.node = em_copy_subtree(src->root.node, NULL, src->last,
	    &dst->last);
	dst->count = src->count;
	dst->overlaps = src->overlaps;
	dst->merges = src->merges;
	dst->splits = src->splits;
	imap_clone(&dst->changed, &src->changed);
	dst->nmarks = src->nmarks;
	dst->changed_all = src->changed_all;
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
	em->block_len = len;
	em->offset = 0;
	em->ram_bytes = len;
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
 * lookup_extent_mapping(): tree->last if it meets [start, end); else the
 * map __tree_search stopped at if it meets the range; else, after a
 * descent with no hit, the successor and then the floor, each if it meets
 * the range (the floor never does: the descent went right past it).  A
 * hit becomes tree->last.
 */
struct em_map *
em_lookup(struct em_tree *tree, uint64_t start, uint64_t len)
{
	uint64_t end = em_range_end(start, len);
	struct em_map *em, *succ, *floor;

	em = tree->last;
	if (em == NULL || !em_intersects(em, start, end)) {
		em = em_tree_search(tree, start, &succ, &floor);
		if (em == NULL) {
			if (succ != NULL && em_intersects(succ, start, end))
				em = succ;
			else if (floor != NULL &&
			    em_intersects(floor, start, end))
				em = floor;
		}
		if (em == NULL || !em_intersects(em, start, end))
			return NULL;
	}
	tree->last = em;
	return em;
}

/*
 * Free VICTIM, the neighbour that a new map has just absorbed (rb_erase,
 * as add_extent_mapping() erased it).  tree->overlaps needs no care: the
 * absorbed map only touched the new one, and the widened map starts (or
 * ends) where the absorbed one did.  2008 did not clear tree->last for
 * it; em_add sets tree->last to the new map anyway.
 */
static void
em_absorb(struct em_tree *tree, struct em_map *victim)
{
	rb_erase(&tree->root, &victim->node);
	tree->count--;
	tree->merges++;
	free(victim);
}

/*
 * add_extent_mapping(): tree_insert() refuses EM when its descent for
 * em->start meets a map containing it; else links EM where the descent
 * ended and rebalances.  Then EM absorbs its in-order predecessor if
 * mergeable (not when it starts at 0, a 2008 guard that cannot fire since
 * no start precedes 0), then its successor, each erased in that order,
 * which decides the shape.
 */
/*
 * em_add(); MARK: EM's bytes change their mapping (not for a remnant of a
 * map just removed that maps them as it did).  Neighbours absorbed by the
 * merges keep their mapping either way.
 */
static int
em_add_as(struct em_tree *tree, struct em_map *em, bool mark)
{
	struct em_descent d;
	struct em_map *prev, *next;

	assert(!em->in_tree && em->len > 0);
	em_descend(tree, em->start, &d);
	if (d.hit != NULL)
		return -EEXIST;
	if (mark)
		em_mark(tree, em);
	em_link_at(tree, em, d.parent, d.link);
	prev = em_prev(em);
	next = em_succ(em);
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

int
em_add(struct em_tree *tree, struct em_map *em)
{
	return em_add_as(tree, em, true);
}

/* remove_extent_mapping(): unlink EM, which the caller then owns. */
void
em_remove(struct em_tree *tree, struct em_map *em)
{
	assert(em->in_tree);
	em_unlink(tree, em, true);
}

/* em_remove() that leaves the marking of changed bytes to the caller. */
void
em_remove_quiet(struct em_tree *tree, struct em_map *em)
{
	assert(em->in_tree);
	em_unlink(tree, em, false);
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

/*
 * Insert a remnant of a dropped map: a 2008 BUG_ON if that fails.  SAME:
 * it maps its bytes as the dropped map did (no change to mark).
 */
static int
em_add_remnant(struct em_tree *tree, uint64_t start, uint64_t len,
    uint64_t block_start, uint32_t flags, bool same)
{
	struct em_map *split = em_alloc(start, len, block_start);

	split->flags = flags;
	if (em_add_as(tree, split, !same) != 0) {
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

/* One btrfs_drop_extent_cache() call's range and mode. */
struct em_drop {
	uint64_t	start;
	uint64_t	len;		/* wrapping; UINT64_MAX to EOF */
	bool		testend;	/* tail remnants (END != (u64)-1) */
	bool		whole;		/* pre-patch: no remnants at all */
};

/*
 * One pass of the drop loop on EM, just found: remove it and, for a real
 * map, insert the head [em->start, start) and the tail
 * [start + len, em end) with block_start advanced by (start + len) -
 * em->start, in literal u64 arithmetic (quirk 4 wraps start + len).
 * Returns 0, or -EEXIST where 2008's BUG_ON fired.
 */
static int
em_drop_pass(struct em_tree *tree, const struct em_drop *d,
    struct em_map *em)
{
	uint64_t start = d->start, len = d->len;
	uint64_t lost_lo = em->start, lost_hi = em_end(em);
	bool head, tail, tail_same;
	int rc = 0;

	/*
	 * For the checker, only the bytes between the remnants lose their
	 * mapping: a head, and a tail whose arithmetic did not wrap, map
	 * theirs as EM did.  A wrapped tail (quirk 4) is a new mapping.
	 */
	em_unlink(tree, em, false);
	head = !d->whole && em_is_real(em) && em->start < start;
	tail = !d->whole && em_is_real(em) && d->testend &&
	    em->start + em->len > start + len;
	tail_same = tail && start + len >= start && start + len > em->start &&
	    em->start + em->len >= em->start;
	if (head)
		lost_lo = start;
	if (tail_same)
		lost_hi = start + len;
	em_mark_range(tree, lost_lo, lost_hi);
	if (head)
		rc = em_add_remnant(tree, em->start, start - em->start,
		    em->block_start, em->flags, true);
	if (rc == 0 && tail)
		rc = em_add_remnant(tree, start + len,
		    em->start + em->len - (start + len),
		    em->block_start + (start + len - em->start), em->flags,
		    tail_same);
	if (rc != 0)
		em_mark(tree, em);	/* a remnant is missing */
	em_free(em);
	return rc;
}

/*
 * The state a drop pass depends on: every map's fields, colour and
 * children in preorder (which fixes the shape), then tree->last's start.
 */
struct em_snap {
	uint64_t	*w;
	size_t		 n;
	size_t		 cap;
};

static void
em_snap_put(struct em_snap *s, uint64_t word)
{
	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 64 : 2 * s->cap;
		s->w = xreallocarray(s->w, s->cap, sizeof(*s->w));
	}
	s->w[s->n++] = word;
}

static void
em_snap_subtree(struct em_snap *s, const struct rb_node *n)
{
	const struct em_map *em;

	for (; n != NULL; n = n->right) {
		em = em_of(n);
		em_snap_put(s, em->start);
		em_snap_put(s, em->len);
		em_snap_put(s, em->block_start);
		em_snap_put(s, (uint64_t)em->flags << 3 | n->red << 2 |
		    (n->left != NULL) << 1 | (n->right != NULL));
		em_snap_subtree(s, n->left);
	}
}

static void
em_snap_take(struct em_snap *s, const struct em_tree *tree)
{
	s->n = 0;
	em_snap_subtree(s, tree->root.node);
	em_snap_put(s, tree->last == NULL ? 0 : 1);
	em_snap_put(s, tree->last == NULL ? 0 : tree->last->start);
}

static bool
em_snap_equal(const struct em_snap *a, const struct em_snap *b)
{
	return a->n == b->n && memcmp(a->w, b->w, a->n * sizeof(*a->w)) == 0;
}

/*
 * Would 2008's loop, from TREE as it is, run forever?  Without overlaps it
 * would whenever em_drop_cache() suspects it (see there): the map found
 * again came back with its head and tail merged, nothing else changed,
 * and nothing can stop the next pass.  With overlaps a later pass may
 * meet a map the shape had kept off a remnant's descent, and BUG_ON: so
 * run the loop on a copy until it ends, BUG_ONs, or comes back to a state
 * it was in (Brent's cycle finding: the state at each power-of-two pass is
 * kept and compared), which it must, the states being finitely many.
 */
static bool
em_drop_endless(const struct em_tree *tree, const struct em_drop *d)
{
	struct em_snap saved = { NULL, 0, 0 }, now = { NULL, 0, 0 }, tmp;
	struct em_tree copy;
	struct em_map *em;
	size_t power = 1, lam = 0;
	bool endless = false;

	if (tree->overlaps == 0)
		return true;
	em_tree_clone(&copy, tree);
	em_snap_take(&saved, &copy);
	for (;;) {
		if ((em = em_lookup(&copy, d->start, d->len)) == NULL ||
		    em_drop_pass(&copy, d, em) != 0)
			break;
		em_snap_take(&now, &copy);
		if (em_snap_equal(&now, &saved)) {
			endless = true;
			break;
		}
		if (++lam == power) {
			tmp = saved;
			saved = now;
			now = tmp;
			power *= 2;
			lam = 0;
		}
	}
	free(saved.w);
	free(now.w);
	em_tree_destroy(&copy);
	return endless;
}

/*
 * btrfs_drop_extent_cache() after 3b951516 (drop_whole false), or before
 * it (true).  The range is the 2008 one: [start, start + len) with len =
 * end - start + 1 in wrapping u64, or everything from START when END is
 * (u64)-1, in which case there is no tail split.  Each pass removes what
 * em_lookup() finds and inserts its remnants (em_drop_pass); when
 * END < START - 1 the lookup reaches to the end of the file while
 * start + len wraps below START (quirk 4).
 *
 * With a zero length (END == START - 1) a real map holding START strictly
 * inside splits into a head and a tail that merge straight back, and the
 * merged map, now tree->last, is found again: 2008 could spin forever.
 * A pass that finds the same map (same fields) as the pass before with as
 * many maps in the tree is suspected; if em_drop_endless() confirms it,
 * the drop stops there with -ELOOP, else the loop goes on to its end.
 */
int
em_drop_cache(struct em_tree *tree, uint64_t start, uint64_t end,
    bool drop_whole)
{
	struct em_drop d = { start, end - start + 1, true, drop_whole };
	bool have_seen = false, finite = false;
	struct em_map *em, seen = { .len = 0 };
	size_t seen_count = 0;
	int rc;

	if (end == UINT64_MAX) {
		d.len = UINT64_MAX;
		d.testend = false;
	}
	while ((em = em_lookup(tree, start, d.len)) != NULL) {
		if (!finite && have_seen && tree->count == seen_count &&
		    em_same_map(em, &seen)) {
			if (em_drop_endless(tree, &d))
				return -ELOOP;
			finite = true;
		}
		seen = *em;
		seen_count = tree->count;
		have_seen = true;
		if ((rc = em_drop_pass(tree, &d, em)) != 0)
			return rc;
	}
	return 0;
}

struct em_map *
em_floor(const struct em_tree *tree, uint64_t pos)
{
	struct rb_node *n = tree->root.node;
	struct em_map *em, *best = NULL;

	while (n != NULL) {
		em = em_of(n);
		if (pos < em->start)
			n = n->left;
		else {
			best = em;
			n = n->right;
		}
	}
	return best;
}

struct em_map *
em_prev_map(const struct em_tree *tree, const struct em_map *em)
{
	(void)tree;
	return em_prev(em);
}

/* The plain link by start (em.h); the caller marks what changes. */
void
em_link_quiet(struct em_tree *tree, struct em_map *em)
{
	struct rb_node **link = &tree->root.node, *parent = NULL;

	assert(!em->in_tree && em->len > 0);
	while (*link != NULL) {
		parent = *link;
		link = em->start < em_of(parent)->start ? &parent->left :
		    &parent->right;
	}
	em_link_at(tree, em, parent, link);
}

void
em_link(struct em_tree *tree, struct em_map *em)
{
	em_mark(tree, em);
	em_link_quiet(tree, em);
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
	/* -EEXIST: the descent for em->start met a map holding it. */
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
	return em_of(rb_first(&tree->root));
}

struct em_map *
em_next(const struct em_tree *tree, const struct em_map *em)
{
	(void)tree;
	return em_succ(em);
}

/* The preorder walk of the subtree at N into H: fields, colour, shape. */
static uint64_t
em_hash_subtree(const struct rb_node *n, uint64_t h)
{
	const struct em_map *em;

	if (n == NULL)
		return rng_fold(h, 0x6e756c6cULL);	/* an empty link */
	em = em_of(n);
	h = rng_fold(h, em->start);
	h = rng_fold(h, em->len);
	h = rng_fold(h, em->block_start);
	h = rng_fold(h, em->block_len);
	h = rng_fold(h, em->offset);
	h = rng_fold(h, em->ram_bytes);
	h = rng_fold(h, (uint64_t)em->flags << 1 | n->red);
	h = em_hash_subtree(n->left, h);
	return em_hash_subtree(n->right, h);
}

uint64_t
em_tree_hash(const struct em_tree *tree)
{
	uint64_t h = em_hash_subtree(tree->root.node, tree->count);

	h = rng_fold(h, tree->last != NULL ? tree->last->start : UINT64_MAX);
	h = rng_fold(h, tree->last != NULL);
	h = rng_fold(h, tree->overlaps);
	h = rng_fold(h, tree->merges);
	return rng_fold(h, tree->splits);
}

/* rb_check's order: starts strictly increasing (so distinct). */
static int
em_cmp_start(const struct rb_node *a, const struct rb_node *b)
{
	uint64_t x = em_of(a)->start, y = em_of(b)->start;

	return x < y ? -1 : x > y;
}

/* Walk the tree and verify what it guarantees (see em.h). */
int
em_check(const struct em_tree *tree, const char **why)
{
	const struct em_map *em, *prev = NULL;
	const char *dummy;
	bool last_seen = false;
	size_t n = 0, overlaps = 0;

	if (why == NULL)
		why = &dummy;
	if (rb_check(&tree->root, em_cmp_start, &n, why) != 0)
		return -1;
	for (em = em_first(tree); em != NULL; em = em_next(tree, em)) {
		if (!em->in_tree)
			*why = "map in the tree not marked in_tree";
		else if (em->len == 0)
			*why = "empty map";
		if (*why != NULL)
			return -1;
		last_seen |= em == tree->last;
		overlaps += em_overlap(prev, em);
		prev = em;
	}
	if (n != tree->count)
		*why = "count differs from the number of maps";
	else if (overlaps != tree->overlaps)
		*why = "overlaps differs from the overlapping neighbours";
	else if (tree->last != NULL && !last_seen)
		*why = "last is not a map of the tree";
	return *why == NULL ? 0 : -1;
}
