/*
 * Unit tests for sim/em on trees that hold overlapping maps, where which
 * map 2008 found depended on the shape of its red-black tree.
 *
 * Four directed sequences, each computed by hand in its comment (the tree
 * shape is written KEY then B or R, children in parentheses, offsets in
 * 4 KiB pages), pin answers where 2008's descent and a "floor" rule (the
 * map with the greatest start <= the position) disagree.
 *
 * A reference of the 2008 extent map tree, built on the textbook tree of
 * rbref.h and written from the descriptions of 2008's tree_insert,
 * __tree_search, lookup_extent_mapping, add_extent_mapping,
 * remove_extent_mapping, btrfs_drop_extent_cache (after 3b951516, and the
 * drop-whole loop before it) and merge_extent_mapping (3b951516), replays
 * long random sequences alongside sim/em: after every operation the
 * results, the maps, tree->last, the counters and the shape (starts,
 * colours, structure) must agree, and em_check() must pass.  The reference
 * proves each -ELOOP of em_drop_cache by finding a repeated state of the
 * literal loop.
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/em.h"
#include "sim/rng.h"
#include "sim/xmalloc.h"
#include "tests/unit/emtest.h"
#include "tests/unit/rbref.h"
#include "tests/unit/suite.h"

#define P	UNIT			/* a page: the tables' unit */
static uint64_t
em_key(const struct rb_node *n)
{
	return rb_entry(n, struct em_map, node)->start;
}

/* Add [start, start + len) -> block, all in pages but special blocks. */
static int
add_pages(uint64_t start, uint64_t len, uint64_t block)
{
	struct em_map *em = em_alloc(start * P, len * P,
	    block >= EM_LAST_BYTE ? block : block * P);
	int rc = em_add(&tree, em);

	if (rc != 0)
		em_free(em);
	check_tree(&tree);
	return rc;
}

static void
assert_shape(const char *shape)
{
	char buf[512];

	ck_assert_str_eq(rb_shape(&tree.root, em_key, P, buf, sizeof(buf)),
	    shape);
}

static void
assert_map(const struct em_map *em, uint64_t start, uint64_t len,
    uint64_t block)
{
	ck_assert_ptr_nonnull(em);
	ck_assert_uint_eq(em->start, start * P);
	ck_assert_uint_eq(em->len, len * P);
	ck_assert_uint_eq(em->block_start,
	    block >= EM_LAST_BYTE ? block : block * P);
}

/* ---- the four sequences ----------------------------------------------- */

/*
 * scenario: add [27,+8)@9886, [23,+17) HOLE, [20,+4)@500; lookup(28, 3).
 *
 * [27,35) is the black root.  23 < 27: [23,40) goes left, red; it starts
 * in a gap, so it is accepted over [27,35).  20 < 27, 20 < 23: [20,24)
 * goes left of [23,40), red under red, no uncle: the outer case, rotate
 * right at the root: 23B(20R,27R).  tree->last is [20,24), which misses
 * [28,31).  The descent for 28 meets the root [23,40) first, which holds
 * 28: 2008 returns the hole.  The floor of 28 is [27,35), which also
 * holds 28, but the descent never gets there.
 */
START_TEST(test_row1_lookup_root)
{
	ck_assert_int_eq(add_pages(27, 8, 9886), 0);
	ck_assert_int_eq(add_pages(23, 17, EM_HOLE), 0);
	ck_assert_int_eq(add_pages(20, 4, 500), 0);
	assert_shape("23B(20R,27R)");
	ck_assert_uint_eq(tree.overlaps, 2);
	assert_map(em_lookup(&tree, 28 * P, 3 * P), 23, 17, EM_HOLE);
	assert_map(tree.last, 23, 17, EM_HOLE);
}
END_TEST

/*
 * The tree of rows 2 and 3: add [35,+2)@1035, [32,+16)@5032, [13,+1) HOLE.
 * [35,37) is the root; [32,48) goes left (accepted over [35,37)); [13,14)
 * goes left of it, red under red, no uncle, outer: rotate right at the
 * root.  32B(13R,35R), tree->last [13,14).
 */
static void
build_rows23(void)
{
	ck_assert_int_eq(add_pages(35, 2, 1035), 0);
	ck_assert_int_eq(add_pages(32, 16, 5032), 0);
	ck_assert_int_eq(add_pages(13, 1, EM_HOLE), 0);
	assert_shape("32B(13R,35R)");
	assert_map(tree.last, 13, 1, EM_HOLE);
}

/*
 * scenario: lookup(40, 7) on 32B(13R,35R).  tree->last [13,14) misses.
 * The descent for 40 stops at the root [32,48), which holds 40: 2008
 * returns it.  The floor of 40, [35,37), does not hold 40 and nothing
 * starts after 40, so a floor rule finds no map.
 */
START_TEST(test_row2_lookup_off_floor)
{
	build_rows23();
	assert_map(em_lookup(&tree, 40 * P, 7 * P), 32, 16, 5032);
}
END_TEST

/*
 * scenario: drop_extent_cache(40, 43 - 1 byte) on 32B(13R,35R), so
 * len = 3 pages.
 * Pass 1: lookup(40, 3) finds the root [32,48) as in row 2; it goes: its
 * successor [35,37) (red, its right child) takes its place and colour, no
 * fixup: 35B(13R,.).  Head [32,40)@5032: right of [13,14), inner case,
 * rotated up to the root: 32B(13R,35R); no merge (ends differ).  Tail
 * [43,48)@5032+11: right of [35,37), red under red with a red uncle
 * [13,14): recolour, the root stays black: 32B(13B,35B(.,43R)).
 * Pass 2: tree->last [43,48) misses [40,43); the descent for 40 goes right
 * at [32,40), right at [35,37), left at [43,48): no hit; the successor
 * [43,48) does not meet [40,43), nor does the floor [35,37): done.
 * A floor rule found nothing in pass 1 and dropped nothing.
 */
START_TEST(test_row3_drop_off_floor)
{
	const struct em_map *em;
	static const uint64_t want[][3] = {
		{ 13, 1, EM_HOLE }, { 32, 8, 5032 }, { 35, 2, 1035 },
		{ 43, 5, 5043 },
	};
	size_t i = 0;

	build_rows23();
	ck_assert_int_eq(em_drop_cache(&tree, 40 * P, 43 * P - 1, false), 0);
	check_tree(&tree);
	for (em = em_first(&tree); em != NULL; em = em_next(&tree, em), i++) {
		ck_assert_uint_lt(i, NELEM(want));
		assert_map(em, want[i][0], want[i][1], want[i][2]);
	}
	ck_assert_uint_eq(i, NELEM(want));
	ck_assert_uint_eq(tree.splits, 2);
	assert_shape("32B(13B,35B(.,43R))");
	assert_map(tree.last, 43, 5, 5043);
}
END_TEST

/*
 * scenario: add [0,+8)@300, [60,+2) HOLE, [55,+10) INLINE, then
 * [63,+60)@400.  [0,8) is the root; [60,62) goes right; [55,65) goes
 * right of the root then left of [60,62): red under red, no uncle, the
 * inner case: rotate right at [60,62), then left at the root:
 * 55B(0R,60R).  The descent for 63 stops at the root [55,65), which holds
 * 63: -EEXIST.  The floor of 63, [60,62), does not hold it, so a floor
 * rule inserts the map.
 */
START_TEST(test_row4_add_eexist_off_floor)
{
	ck_assert_int_eq(add_pages(0, 8, 300), 0);
	ck_assert_int_eq(add_pages(60, 2, EM_HOLE), 0);
	ck_assert_int_eq(add_pages(55, 10, EM_INLINE), 0);
	assert_shape("55B(0R,60R)");
	ck_assert_int_eq(add_pages(63, 60, 400), -EEXIST);
	assert_shape("55B(0R,60R)");
	ck_assert_uint_eq(tree.count, 3);
}
END_TEST

/*
 * scenario: a map holding the position but off the descent is not found,
 * by a lookup or an insert.  [10,12) root, [0,32) left (accepted: starts
 * before [10,12)), [20,24) right: 10B(0R,20R).  The descent for 14 goes
 * right at the root and left at [20,24): no hit, though [0,32) holds 14.
 * lookup(14, 1) finds nothing; with tree->last moved to [10,12),
 * lookup(14, 8) finds the successor [20,24).  [14,+2) is inserted, over
 * [0,32), as [20,24)'s left child, red under black with a red uncle
 * [0,32): recolour, 10B(0B,20B(14R,.)).
 */
START_TEST(test_off_descent)
{
	ck_assert_int_eq(add_pages(10, 2, 1010), 0);
	ck_assert_int_eq(add_pages(0, 32, 7000), 0);
	ck_assert_int_eq(add_pages(20, 4, 1020), 0);
	assert_shape("10B(0R,20R)");
	ck_assert_ptr_null(em_lookup(&tree, 14 * P, 1 * P));
	assert_map(em_lookup(&tree, 10 * P, 1), 10, 2, 1010);
	assert_map(em_lookup(&tree, 14 * P, 8 * P), 20, 4, 1020);
	ck_assert_int_eq(add_pages(14, 2, 3000), 0);
	assert_shape("10B(0B,20B(14R,.))");
	ck_assert_uint_eq(tree.overlaps, 1);
}
END_TEST

/*
 * scenario: a zero-length drop with an overlap elsewhere is still the
 * soft lockup.  [0,16) absorbs nothing; [100,108) HOLE starts in a gap
 * over [104,108).  drop(8, 8 - 1 byte): pass 1 finds [0,16) (tree->last),
 * its head [0,8) and tail [8,16) merge back; pass 2 finds the same map
 * with as many maps.  The overlap sends em_drop_cache to run the loop on
 * a copy, which comes back to a state it was in: -ELOOP, the tree as
 * pass 2's lookup left it.
 */
START_TEST(test_drop_endless_with_overlap)
{
	ck_assert_int_eq(add_pages(104, 4, 2000), 0);
	ck_assert_int_eq(add_pages(100, 8, EM_HOLE), 0);
	ck_assert_int_eq(add_pages(0, 16, 1000), 0);
	ck_assert_uint_eq(tree.overlaps, 1);
	ck_assert_int_eq(em_drop_cache(&tree, 8 * P, 8 * P - 1, false),
	    -ELOOP);
	check_tree(&tree);
	ck_assert_uint_eq(tree.count, 3);
	assert_map(tree.last, 0, 16, 1000);
	ck_assert_uint_eq(tree.splits, 2);
	ck_assert_uint_eq(tree.merges, 1);
}
END_TEST

/*
 * scenario: a suspected soft lockup that 2008 ended with its BUG_ON.
 * Eight maps (added in this order): [11,13)@161, [4,5) HOLE, [2,6) HOLE,
 * [5,11)@105, [15,25)@165, [14,16)@164, [13,16)@113, [0,4)@150, giving
 * 4B(2B(0R,.),11R(5B,14B(13R,15R))).  A zero-length drop at 9: pass 1
 * finds [5,11), whose head [5,9) and tail [9,11) merge back, leaving
 * 11B(4R(2B(0R,.),5B),14R(13B,15B)); pass 2 finds [5,11) again with as
 * many maps, which without overlaps would be the livelock.  But removing
 * it now rotates [2,6) above [4,5): 11B(2R(0B,4B),14R(13B,15B)), and the
 * descent for the head's start 5 goes left at [11,13) and meets [2,6),
 * which holds 5: -EEXIST, 2008's BUG_ON, with [5,11) gone.
 */
START_TEST(test_drop_suspected_not_endless)
{
	static const uint64_t maps[][3] = {
		{ 11, 2, 161 }, { 4, 1, EM_HOLE }, { 2, 4, EM_HOLE },
		{ 5, 6, 105 }, { 15, 10, 165 }, { 14, 2, 164 }, { 13, 3, 113 },
		{ 0, 4, 150 },
	};

	for (size_t i = 0; i < NELEM(maps); i++)
		ck_assert_int_eq(add_pages(maps[i][0], maps[i][1],
		    maps[i][2]), 0);
	assert_shape("4B(2B(0R,.),11R(5B,14B(13R,15R)))");
	ck_assert_int_eq(em_drop_cache(&tree, 9 * P, 9 * P - 1, false),
	    -EEXIST);
	check_tree(&tree);
	assert_shape("11B(2R(0B,4B),14R(13B,15B))");
	ck_assert_uint_eq(tree.count, 7);
	ck_assert_uint_eq(tree.splits, 2);
	ck_assert_uint_eq(tree.merges, 1);
}
END_TEST

/* ---- the reference: 2008's extent map tree on the textbook tree -------- */

/*
 * Maps are reference nodes: key = start, a = len, b = block_start (flags
 * are always 0 in 2008).  `last' is a node index, RBREF_NIL for none.
 */
struct xref {
	struct rbref	rb;
	unsigned	last;
	uint64_t	merges;
	uint64_t	splits;
};

struct xmap {
	uint64_t	start;
	uint64_t	len;
	uint64_t	block;
};

static void
x_init(struct xref *r)
{
	rbref_init(&r->rb);
	r->last = RBREF_NIL;
	r->merges = r->splits = 0;
}

static struct xmap
x_get(const struct xref *r, unsigned x)
{
	const struct rbref_node *n = &r->rb.n[x];

	return (struct xmap){ n->key, n->a, n->b };
}

static uint64_t
xm_end(const struct xmap *m)
{
	return sat_add(m->start, m->len);
}

static bool
xm_meets(const struct xmap *m, uint64_t start, uint64_t end)
{
	return end > m->start && start < xm_end(m);
}

static bool
xm_holds(const struct xmap *m, uint64_t pos)
{
	return m->start <= pos && pos < xm_end(m);
}

/*
 * The descent of tree_insert() and __tree_search(): left while POS is
 * before a map, right while it is at or past its end; the first map
 * holding POS, or RBREF_NIL with *LASTV the last node visited.
 */
static unsigned
x_descend(const struct xref *r, uint64_t pos, unsigned *lastv)
{
	unsigned x = r->rb.root;
	struct xmap m;

	*lastv = RBREF_NIL;
	while (x != RBREF_NIL) {
		*lastv = x;
		m = x_get(r, x);
		if (pos < m.start)
			x = r->rb.n[x].left;
		else if (pos >= xm_end(&m))
			x = r->rb.n[x].right;
		else
			return x;
	}
	return RBREF_NIL;
}

/* The fast path of lookup_extent_mapping(): `last' meets [start, end). */
static bool
x_last_meets(const struct xref *r, uint64_t start, uint64_t end)
{
	struct xmap m;

	if (r->last == RBREF_NIL)
		return false;
	m = x_get(r, r->last);
	return xm_meets(&m, start, end);
}

/*
 * lookup_extent_mapping(): `last' if it meets the range; else
 * __tree_search: the node the descent stopped at, or its two walks from
 * the last node visited (forward while the map ends at or before START:
 * prev_ret; backward while it starts after START: next_ret), prev_ret
 * tried first, each taken if it meets the range.  A hit becomes `last'.
 */
static unsigned
x_lookup(struct xref *r, uint64_t start, uint64_t len)
{
	uint64_t end = sat_add(start, len);
	unsigned hit, v, fwd, back, found = RBREF_NIL;
	struct xmap m;

	if (x_last_meets(r, start, end))
		return r->last;
	hit = x_descend(r, start, &v);
	if (hit != RBREF_NIL) {
		m = x_get(r, hit);
		if (xm_meets(&m, start, end))
			found = hit;
	} else {
		fwd = back = v;
		while (fwd != RBREF_NIL && (m = x_get(r, fwd),
		    start >= xm_end(&m)))
			fwd = rbref_successor(&r->rb, fwd);
		while (back != RBREF_NIL && start < r->rb.n[back].key)
			back = rbref_predecessor(&r->rb, back);
		if (fwd != RBREF_NIL && (m = x_get(r, fwd),
		    xm_meets(&m, start, end)))
			found = fwd;
		else if (back != RBREF_NIL && (m = x_get(r, back),
		    xm_meets(&m, start, end)))
			found = back;
	}
	if (found != RBREF_NIL)
		r->last = found;
	return found;
}

/* mergable_maps() on two maps of the reference. */
static bool
x_mergeable(const struct xmap *prev, const struct xmap *next)
{
	return rule_mergeable(prev->start, prev->len, prev->block, next->start,
	    next->block);
}

/*
 * add_extent_mapping(): -EEXIST if the descent for the start meets a map
 * holding it; else RB-INSERT (whose descent by key is the same path, as
 * no map on it holds the start), then absorb the predecessor (unless the
 * start is 0) and the successor, erasing each in that order.
 */
static int
x_add(struct xref *r, struct xmap m)
{
	unsigned z, v, prev, next;
	struct rbref_node *n;
	struct xmap pm, nm, zm;

	if (x_descend(r, m.start, &v) != RBREF_NIL)
		return -EEXIST;
	z = rbref_insert(&r->rb, m.start, m.len, m.block);
	n = r->rb.n;
	prev = rbref_predecessor(&r->rb, z);
	if (m.start != 0 && prev != RBREF_NIL) {
		pm = x_get(r, prev);
		if (x_mergeable(&pm, &m)) {
			n[z].key = pm.start;
			n[z].a += pm.len;
			n[z].b = pm.block;
			rbref_delete(&r->rb, prev);
			r->merges++;
		}
	}
	next = rbref_successor(&r->rb, z);
	if (next != RBREF_NIL) {
		zm = x_get(r, z);
		nm = x_get(r, next);
		if (x_mergeable(&zm, &nm)) {
			n[z].a += nm.len;
			rbref_delete(&r->rb, next);
			r->merges++;
		}
	}
	r->last = z;
	return 0;
}

/* remove_extent_mapping(): RB-DELETE; `last' cleared if it was X. */
static void
x_remove(struct xref *r, unsigned x)
{
	rbref_delete(&r->rb, x);
	if (r->last == x)
		r->last = RBREF_NIL;
}

/*
 * merge_extent_mapping() of 3b951516: -EIO unless EXISTING and EM are of
 * one kind, touch or overlap, and (real) continue each other on disk;
 * else EM becomes the union, EXISTING goes and EM is added.
 */
static int
x_merge(struct xref *r, unsigned existing, struct xmap *em)
{
	struct xmap ex = x_get(r, existing);

	if (!rule_merge_union(ex.start, ex.len, ex.block, &em->start, &em->len,
	    &em->block))
		return -EIO;
	x_remove(r, existing);
	r->merges++;
	return x_add(r, *em);
}

#define X_STATE_SZ	((size_t)1 << 15)

/* Everything a later pass depends on: shape, maps, last.  Caller frees. */
static char *
x_state(const struct xref *r)
{
	char *buf = xmalloc(X_STATE_SZ);
	size_t off;
	int w;

	rbref_shape(&r->rb, 1, buf, X_STATE_SZ / 2);
	off = strlen(buf);
	ck_assert_uint_lt(off, X_STATE_SZ / 2 - 1);
	for (unsigned x = r->rb.root == RBREF_NIL ? RBREF_NIL :
	    rbref_minimum(&r->rb, r->rb.root); x != RBREF_NIL;
	    x = rbref_successor(&r->rb, x)) {
		w = snprintf(buf + off, X_STATE_SZ - off, " %" PRIx64 "+%"
		    PRIx64 ">%" PRIx64, r->rb.n[x].key, r->rb.n[x].a,
		    r->rb.n[x].b);
		ck_assert(w > 0 && (size_t)w < X_STATE_SZ - off);
		off += (size_t)w;
	}
	if (r->last == RBREF_NIL)
		w = snprintf(buf + off, X_STATE_SZ - off, " last -");
	else
		w = snprintf(buf + off, X_STATE_SZ - off, " last %" PRIx64,
		    r->rb.n[r->last].key);
	ck_assert(w > 0 && (size_t)w < X_STATE_SZ - off);
	return buf;
}

#define X_UNDETECTED	1	/* endless, but em could not have known */
#define X_MAX_PASSES	4096

/*
 * btrfs_drop_extent_cache(), the literal loop: lookup, remove, head and
 * tail remnants (real maps, unless WHOLE), until the lookup finds nothing;
 * -EEXIST where a remnant's insert fails (2008's BUG_ON).
 *
 * 2008 could loop forever.  The reference keeps the state at the start of
 * every pass; one seen before proves the loop endless: -ELOOP.  sim/em
 * stops such a drop at the first pass that finds the same map (same
 * fields) as the pass before with as many maps in the tree, leaving the
 * tree as that pass's lookup left it; the reference keeps a copy of that
 * state and restores it.  An endless loop without such a pass is
 * X_UNDETECTED, which no em_drop_cache() result equals.
 */
static int
x_drop(struct xref *r, uint64_t start, uint64_t end, bool whole)
{
	uint64_t len = end - start + 1;
	bool testend = true, seen = false, suspect = false;
	struct xmap e, prev_e = { 0, 0, 0 }, piece;
	struct xref snap;
	char *states[X_MAX_PASSES];
	size_t nstates = 0, prev_count = 0;
	unsigned x;
	int rc = 0;

	if (end == UINT64_MAX) {
		len = UINT64_MAX;
		testend = false;
	}
	while ((x = x_lookup(r, start, len)) != RBREF_NIL) {
		e = x_get(r, x);
		if (!suspect && seen && r->rb.count == prev_count &&
		    e.start == prev_e.start && e.len == prev_e.len &&
		    e.block == prev_e.block) {
			suspect = true;
			snap = *r;
			rbref_copy(&snap.rb, &r->rb);
		}
		ck_assert_uint_lt(nstates, X_MAX_PASSES);
		states[nstates] = x_state(r);
		for (size_t i = 0; i < nstates; i++)
			if (strcmp(states[i], states[nstates]) == 0)
				rc = -ELOOP;
		nstates++;
		if (rc != 0)
			break;
		prev_e = e;
		prev_count = r->rb.count;
		seen = true;
		x_remove(r, x);
		if (whole || e.block >= EM_LAST_BYTE)
			continue;
		if (e.start < start) {
			piece = (struct xmap){ e.start, start - e.start,
			    e.block };
			if ((rc = x_add(r, piece)) != 0)
				break;
			r->splits++;
		}
		if (testend && e.start + e.len > start + len) {
			piece = (struct xmap){ start + len,
			    e.start + e.len - (start + len),
			    e.block + (start + len - e.start) };
			if ((rc = x_add(r, piece)) != 0)
				break;
			r->splits++;
		}
	}
	for (size_t i = 0; i < nstates; i++)
		free(states[i]);
	if (rc == -ELOOP && !suspect)
		return X_UNDETECTED;
	if (rc == -ELOOP) {
		rbref_free(&r->rb);
		*r = snap;
	} else if (suspect) {
		rbref_free(&snap.rb);
	}
	return rc;
}

/* ---- random sequences with overlaps, against the reference ------------ */

#define MAXMAPS	100			/* reset beyond this many maps */

/* What the runs exercised, so that the test proves its coverage. */
struct run_stats {
	unsigned long	ops;
	unsigned long	ops_with_overlaps;	/* the tree held overlaps */
	unsigned long	floor_differs;		/* a floor rule would not
						   give 2008's answer */
	unsigned long	eexist_add;
	unsigned long	eexist_drop;
	unsigned long	eloop;
	unsigned long	eloop_overlaps;		/* -ELOOP, overlaps present */
	unsigned long	merges_ok;
	unsigned long	merges_failed;
	unsigned long	clones;
};

/* The floor of POS (greatest start <= POS) and its successor, or NIL. */
static unsigned
x_floor(const struct xref *r, uint64_t pos, unsigned *succ)
{
	unsigned x, floor = RBREF_NIL;

	*succ = RBREF_NIL;
	for (x = r->rb.root; x != RBREF_NIL;) {
		if (pos < r->rb.n[x].key) {
			*succ = x;
			x = r->rb.n[x].left;
		} else {
			floor = x;
			x = r->rb.n[x].right;
		}
	}
	return floor;
}

/* The floor of POS holds it: a floor rule's -EEXIST. */
static bool
x_floor_holds(const struct xref *r, uint64_t pos)
{
	unsigned succ, floor = x_floor(r, pos, &succ);
	struct xmap m = x_get(r, floor);

	return floor != RBREF_NIL && xm_holds(&m, pos);
}

/*
 * What a floor rule would answer, without touching `last': after the same
 * fast path, the floor of START if it holds START (and meets the range),
 * else the successor if it meets.
 */
static unsigned
x_floor_lookup(const struct xref *r, uint64_t start, uint64_t len)
{
	uint64_t end = sat_add(start, len);
	unsigned succ, floor, pick;
	struct xmap m;

	if (x_last_meets(r, start, end))
		return r->last;
	floor = x_floor(r, start, &succ);
	pick = x_floor_holds(r, start) ? floor : succ;
	m = x_get(r, pick);
	return pick != RBREF_NIL && xm_meets(&m, start, end) ? pick :
	    RBREF_NIL;
}

static bool
same_map(const struct em_map *em, const struct xmap *m)
{
	return em->start == m->start && em->len == m->len &&
	    em->block_start == m->block;
}

/* The em answer EM and the reference's X are the same map (or none). */
static bool
same_answer(const struct em_map *em, const struct xref *r, unsigned x)
{
	struct xmap m;

	if (em == NULL || x == RBREF_NIL)
		return em == NULL && x == RBREF_NIL;
	m = x_get(r, x);
	return same_map(em, &m);
}

/* Everything observable, the shape included: NULL if equal, else why. */
static const char *
compare(const struct em_tree *t, const struct xref *r)
{
	static char a[X_STATE_SZ], b[X_STATE_SZ];
	const struct em_map *em = em_first(t);
	unsigned x;
	struct xmap m;

	if (t->count != r->rb.count)
		return "count differs";
	x = r->rb.root == RBREF_NIL ? RBREF_NIL :
	    rbref_minimum(&r->rb, r->rb.root);
	for (; x != RBREF_NIL; x = rbref_successor(&r->rb, x)) {
		m = x_get(r, x);
		if (!same_map(em, &m))
			return "maps differ";
		em = em_next(t, em);
	}
	if (!same_answer(t->last, r, r->last))
		return "last differs";
	if (t->merges != r->merges || t->splits != r->splits)
		return "merges or splits differ";
	rb_shape(&t->root, em_key, 1, a, sizeof(a));
	rbref_shape(&r->rb, 1, b, sizeof(b));
	ck_assert_uint_lt(strlen(b), sizeof(b) - 1);
	if (strcmp(a, b) != 0)
		return "shapes differ";
	return NULL;
}

/*
 * One random operation on both, as a caller such as get_extent makes it.
 * Returns NULL, or why the results differ.
 */
static const char *
step(struct rng *g, struct em_tree *t, struct xref *r, enum op op,
    struct run_stats *st)
{
	struct xmap m, req;
	struct em_map *em, *found;
	unsigned x, floor;
	uint64_t start, len, end;
	int rc, xrc;
	bool whole;

	switch (op) {
	case OP_LOOKUP:
		start = gen_pos(g);
		len = gen_len(g);
		floor = x_floor_lookup(r, start, len);
		x = x_lookup(r, start, len);
		st->floor_differs += x != floor;
		return same_answer(em_lookup(t, start, len), r, x) ? NULL :
		    "lookup answers differ";
	case OP_ADD:
	case OP_GET_EXTENT:
		gen_extent(g, &m.start, &m.len, &m.block);
		req.start = m.start + rng_below(g, 2 * P);
		req.len = P;
		whole = x_floor_holds(r, m.start);
		em = em_alloc(m.start, m.len, m.block);
		rc = em_add(t, em);
		xrc = x_add(r, m);
		st->floor_differs += whole != (xrc == -EEXIST);
		if (rc != xrc) {
			if (rc != 0)
				em_free(em);
			return "add results differ";
		}
		if (rc == 0)
			return NULL;
		st->eexist_add++;
		if (op == OP_ADD) {
			em_free(em);
			return NULL;
		}
		/* btrfs_get_extent on -EEXIST: the requested range first. */
		found = em_lookup(t, req.start, req.len);
		x = x_lookup(r, req.start, req.len);
		if (!same_answer(found, r, x)) {
			em_free(em);
			return "get_extent's lookup answers differ";
		}
		if (found != NULL) {
			em_free(em);
			return NULL;
		}
		found = em_lookup(t, em->start, em->len);
		x = x_lookup(r, m.start, m.len);
		if (!same_answer(found, r, x)) {
			em_free(em);
			return "get_extent's second lookup answers differ";
		}
		if (found == NULL) {
			em_free(em);
			return NULL;
		}
		goto merge;
	case OP_MERGE:
		start = gen_pos(g);
		len = gen_len(g);
		found = em_lookup(t, start, len);
		x = x_lookup(r, start, len);
		if (!same_answer(found, r, x))
			return "merge's lookup answers differ";
		if (found == NULL)
			return NULL;
		gen_extent(g, &m.start, &m.len, &m.block);
		em = em_alloc(m.start, m.len, m.block);
	merge:
		rc = em_merge_mapping(t, found, em);
		xrc = x_merge(r, x, &m);
		if (rc != xrc || (rc != 0 && !same_map(em, &m))) {
			if (rc != 0)
				em_free(em);
			return "merge results differ";
		}
		if (rc != 0) {
			st->merges_failed++;
			em_free(em);
		} else {
			st->merges_ok++;
		}
		return NULL;
	case OP_REMOVE:
		start = gen_pos(g);
		found = em_lookup(t, start, P);
		x = x_lookup(r, start, P);
		if (!same_answer(found, r, x))
			return "remove's lookup answers differ";
		if (found != NULL) {
			em_remove(t, found);
			em_free(found);
			x_remove(r, x);
		}
		return NULL;
	case OP_DROP:
		start = gen_pos(g);
		end = gen_end(g, start);
		whole = rng_below(g, 100) < 25;
		/* Would a floor rule's first pass find another map? */
		len = end == UINT64_MAX ? UINT64_MAX : end - start + 1;
		x = r->last;
		floor = x_floor_lookup(r, start, len);
		st->floor_differs += x_lookup(r, start, len) != floor;
		r->last = x;
		rc = em_drop_cache(t, start, end, whole);
		xrc = x_drop(r, start, end, whole);
		if (rc != xrc)
			return "drop results differ";
		st->eexist_drop += rc == -EEXIST;
		st->eloop += rc == -ELOOP;
		st->eloop_overlaps += rc == -ELOOP && t->overlaps > 0;
		return NULL;
	case OP_CLONE: {
		struct em_tree copy;
		struct rbref rcopy;

		em_tree_clone(&copy, t);
		em_tree_destroy(t);
		*t = copy;
		rbref_copy(&rcopy, &r->rb);
		rbref_free(&r->rb);
		r->rb = rcopy;
		st->clones++;
		return NULL;
	}
	case OP_RESET:
		em_tree_destroy(t);
		rbref_free(&r->rb);
		x_init(r);
		return NULL;
	}
	return "no such operation";
}

/*
 * Run NOPS random operations from SEED.  Returns -1 if em and the
 * reference never diverged, else the index of the first divergent
 * operation, with the seed, index and reason in WHY.
 */
static long
run(uint64_t seed, long nops, struct run_stats *st, char *why, size_t sz)
{
	struct em_tree t;
	struct xref r;
	struct rng g;
	const char *bad = NULL;
	long i;
	enum op op = OP_LOOKUP;

	rng_seed(&g, seed);
	em_tree_init(&t);
	x_init(&r);
	for (i = 0; i < nops; i++) {
		op = gen_op(&g, t.count, MAXMAPS);
		st->ops++;
		st->ops_with_overlaps += t.overlaps > 0;
		if ((bad = step(&g, &t, &r, op, st)) != NULL ||
		    (bad = compare(&t, &r)) != NULL)
			break;
		if (em_check(&t, &bad) != 0)
			break;
	}
	if (bad != NULL)
		snprintf(why, sz, "seed %#" PRIx64 " op %ld (%s): %s", seed, i,
		    op_names[op], bad);
	em_tree_destroy(&t);
	rbref_free(&r.rb);
	return bad == NULL ? -1 : i;
}

#define RUN_SEEDS	10
#define RUN_OPS		40000		/* per seed: 400,000 in all */

/*
 * scenario: 400,000 random operations on trees with overlaps: the same
 * results, maps, last, counters and shape as the reference after each.
 */
START_TEST(test_random_vs_reference)
{
	struct run_stats st = { 0 };
	char why[512];
	long failed;

	for (uint64_t seed = 1; seed <= RUN_SEEDS; seed++) {
		failed = run(seed * 0x3b951516ULL, RUN_OPS, &st, why,
		    sizeof(why));
		ck_assert_msg(failed < 0, "%s", why);
	}
	/*
	 * Nearly half the operations met overlaps; thousands of answers
	 * were not a floor rule's; every outcome was reached.
	 */
	ck_assert_uint_gt(st.ops_with_overlaps, st.ops * 2 / 5);
	ck_assert_uint_gt(st.floor_differs, 2000);
	ck_assert_uint_gt(st.eexist_add, 10000);
	ck_assert_uint_gt(st.eexist_drop, 1000);
	ck_assert_uint_gt(st.eloop, 500);
	ck_assert_uint_gt(st.eloop_overlaps, 300);
	ck_assert_uint_gt(st.merges_ok, 500);
	ck_assert_uint_gt(st.merges_failed, 10000);
	ck_assert_uint_gt(st.clones, 500);
}
END_TEST

static Suite *
em2008_suite(void)
{
	Suite *s = suite_create("em2008");
	TCase *tc;

	tc = tcase_create("sequences");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_row1_lookup_root);
	tcase_add_test(tc, test_row2_lookup_off_floor);
	tcase_add_test(tc, test_row3_drop_off_floor);
	tcase_add_test(tc, test_row4_add_eexist_off_floor);
	tcase_add_test(tc, test_off_descent);
	tcase_add_test(tc, test_drop_endless_with_overlap);
	tcase_add_test(tc, test_drop_suspected_not_endless);
	suite_add_tcase(s, tc);

	tc = tcase_create("reference");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_random_vs_reference);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(em2008_suite)
