/*
 * Unit tests for sim/em6: the extent map cache of Linux 6.x.
 *
 * The first eight tests are the cases of the kernel's extent-map
 * self-tests (fs/btrfs/tests/extent-map-tests.c), written from their
 * description in blksim-scenario(5)'s terms: each builds its tree, runs
 * the operation, and checks the answer and the whole tree that results.
 * Directed tests then pin the insert's any-overlap rule, the two lookups,
 * hole splitting, the merge of a tail remnant and unpinning.  A
 * differential test runs random operations against a reference model (a
 * sorted array, every rule by brute force) and compares the trees after
 * every operation, with em6_check() each time; a corrupted model proves
 * the comparison can fail.
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/em6.h"
#include "sim/rng.h"

#define K	((uint64_t)1024)
#define C	EM_FLAG_COMPRESSED
#define P	EM_FLAG_PINNED

struct want {
	uint64_t	start, len, block_start, block_len;
};

static void
checked(const struct em_tree *t)
{
	const char *why = "";

	ck_assert_msg(em6_check(t, &why) == 0, "em6_check: %s", why);
}

/* The tree holds exactly W's maps (block_len checked unless ~0). */
static void
assert_tree(const struct em_tree *t, const struct want *w, size_t n)
{
	const struct em_map *em;
	size_t i = 0;

	checked(t);
	for (em = em_first(t); em != NULL; em = em_next(t, em), i++) {
		ck_assert_msg(i < n, "extra map [%" PRIu64 "K +%" PRIu64 "K)",
		    em->start / K, em->len / K);
		ck_assert_msg(em->start == w[i].start && em->len == w[i].len &&
		    em->block_start == w[i].block_start &&
		    (w[i].block_len == ~(uint64_t)0 ||
		    em->block_len == w[i].block_len),
		    "map %zu is [%" PRIu64 "K +%" PRIu64 "K) bs %#" PRIx64
		    " bl %" PRIu64 "K, expected [%" PRIu64 "K +%" PRIu64
		    "K) bs %#" PRIx64, i, em->start / K, em->len / K,
		    em->block_start, em->block_len / K, w[i].start / K,
		    w[i].len / K, w[i].block_start);
	}
	ck_assert_msg(i == n, "%zu maps, expected %zu", i, n);
}

static struct em_map *
map(uint64_t start, uint64_t len, uint64_t bs, uint64_t bl, uint32_t flags)
{
	struct em_map *em = em_alloc(start, len, bs);

	em->block_len = bl;
	em->flags = flags;
	return em;
}

/* Put a map in with add_extent_mapping(); it must go in. */
static void
put(struct em_tree *t, struct em_map *em)
{
	ck_assert_int_eq(em6_add(t, em), 0);
	checked(t);
}

/*
 * Self-test 1 (a DIO read racing a buffered read): [0,16K) at 0 and
 * [16K,20K) at 32K (not contiguous: no merge).  Adding [0,8K) for the
 * range [0,8K) collides; the map holding 0 is returned as it is.
 */
START_TEST(test_selftest1_dio_read_race)
{
	struct em_tree t;
	struct em_map *out;
	static const struct want w[] = {
		{ 0, 16 * K, 0, 16 * K }, { 16 * K, 4 * K, 32 * K, 4 * K } };

	em_tree_init(&t);
	put(&t, map(0, 16 * K, 0, 16 * K, 0));
	put(&t, map(16 * K, 4 * K, 32 * K, 4 * K, 0));
	ck_assert_int_eq(em6_add_mapping(&t, map(0, 8 * K, 0, 8 * K, 0), 0,
	    8 * K, &out), 0);
	ck_assert_uint_eq(out->start, 0);
	ck_assert_uint_eq(out->len, 16 * K);
	ck_assert_uint_eq(out->block_start, 0);
	ck_assert_uint_eq(out->block_len, 16 * K);
	assert_tree(&t, w, 2);
	em_tree_destroy(&t);
}
END_TEST

/*
 * Self-test 2 (an inline extent read again): [0,1K) inline and [4K,8K)
 * at 4K.  Adding the inline map again returns the one cached, unchanged.
 */
START_TEST(test_selftest2_inline_reread)
{
	struct em_tree t;
	struct em_map *out, *inl;
	static const struct want w[] = {
		{ 0, 1 * K, EM_INLINE, ~(uint64_t)0 },
		{ 4 * K, 4 * K, 4 * K, 4 * K } };

	em_tree_init(&t);
	put(&t, inl = map(0, 1 * K, EM_INLINE, ~(uint64_t)0, 0));
	put(&t, map(4 * K, 4 * K, 4 * K, 4 * K, 0));
	ck_assert_int_eq(em6_add_mapping(&t, map(0, 1 * K, EM_INLINE,
	    ~(uint64_t)0, 0), 0, 1 * K, &out), 0);
	ck_assert_ptr_eq(out, inl);
	assert_tree(&t, w, 2);
	em_tree_destroy(&t);
}
END_TEST

/*
 * Self-test 3 (a buffered write against a DIO read), for start 0, 8K and
 * 12K: [4K,8K) at 4K; adding [0,16K) at 0 for [start, start + 4K)
 * collides, and is trimmed to the gap around start: [0,4K) at 0, or
 * [8K,16K) at 8K.  Either continues [4K,8K) on disk and merges with it,
 * so the result still has start == block_start and len == block_len.
 */
START_TEST(test_selftest3_write_vs_dio_read)
{
	static const uint64_t starts[] = { 0, 8 * K, 12 * K };
	static const struct want w0[] = { { 0, 8 * K, 0, 8 * K } };
	static const struct want w8[] = { { 4 * K, 12 * K, 4 * K, 12 * K } };

	for (size_t i = 0; i < 3; i++) {
		uint64_t start = starts[i];
		struct em_tree t;
		struct em_map *out;

		em_tree_init(&t);
		put(&t, map(4 * K, 4 * K, 4 * K, 4 * K, 0));
		ck_assert_int_eq(em6_add_mapping(&t, map(0, 16 * K, 0, 16 * K,
		    0), start, 4 * K, &out), 0);
		ck_assert(out->start <= start && em_end(out) >= start + 4 * K);
		ck_assert_uint_eq(out->start, out->block_start);
		ck_assert_uint_eq(out->len, out->block_len);
		if (start == 0)
			assert_tree(&t, w0, 1);
		else
			assert_tree(&t, w8, 1);
		em_tree_destroy(&t);
	}
}
END_TEST

/*
 * Self-test 4 (a DIO write against a DIO read), for start 0 and 4K:
 * [0,8K) at 0 and [8K,32K) at 16K; adding [0,32K) at 0 for [start,
 * start + 4K) returns the map holding start, [0,8K).
 */
START_TEST(test_selftest4_dio_write_vs_dio_read)
{
	static const struct want w[] = {
		{ 0, 8 * K, 0, 8 * K }, { 8 * K, 24 * K, 16 * K, 24 * K } };

	for (uint64_t start = 0; start <= 4 * K; start += 4 * K) {
		struct em_tree t;
		struct em_map *out;

		em_tree_init(&t);
		put(&t, map(0, 8 * K, 0, 8 * K, 0));
		put(&t, map(8 * K, 24 * K, 16 * K, 24 * K, 0));
		ck_assert_int_eq(em6_add_mapping(&t, map(0, 32 * K, 0, 32 * K,
		    0), start, 4 * K, &out), 0);
		ck_assert(out->start <= start && em_end(out) >= start + 4 * K);
		ck_assert_uint_eq(out->start, 0);
		assert_tree(&t, w, 2);
		em_tree_destroy(&t);
	}
}
END_TEST

/*
 * Self-test 5 (the drop's edge cases) on compressed maps, which never
 * merge: a front split, a back split, a split on both sides, and a drop
 * of whole maps.  Compressed remnants keep the whole extent.
 */
START_TEST(test_selftest5_drop_edges)
{
	struct em_tree t;
	static const struct want a[] = {
		{ 0, 8 * K, 100 * K, 4 * K }, { 12 * K, 12 * K, 200 * K, 4 * K },
		{ 24 * K, 12 * K, 300 * K, 4 * K },
		{ 36 * K, 4 * K, 400 * K, 4 * K },
		{ 40 * K, 24 * K, 500 * K, 4 * K } };
	static const struct want b[] = {
		{ 0, 8 * K, 100 * K, 4 * K }, { 20 * K, 4 * K, 200 * K, 4 * K },
		{ 24 * K, 12 * K, 300 * K, 4 * K },
		{ 36 * K, 4 * K, 400 * K, 4 * K },
		{ 40 * K, 24 * K, 500 * K, 4 * K } };
	static const struct want c[] = {
		{ 0, 8 * K, 100 * K, 4 * K }, { 20 * K, 4 * K, 200 * K, 4 * K },
		{ 24 * K, 4 * K, 300 * K, 4 * K },
		{ 32 * K, 4 * K, 300 * K, 4 * K },
		{ 36 * K, 4 * K, 400 * K, 4 * K },
		{ 40 * K, 24 * K, 500 * K, 4 * K } };
	static const struct want d[] = {
		{ 0, 8 * K, 100 * K, 4 * K }, { 20 * K, 4 * K, 200 * K, 4 * K },
		{ 24 * K, 4 * K, 300 * K, 4 * K } };

	em_tree_init(&t);
	put(&t, map(0, 12 * K, 100 * K, 4 * K, C));
	put(&t, map(12 * K, 12 * K, 200 * K, 4 * K, C));
	put(&t, map(24 * K, 12 * K, 300 * K, 4 * K, C));
	put(&t, map(36 * K, 4 * K, 400 * K, 4 * K, C));
	put(&t, map(40 * K, 24 * K, 500 * K, 4 * K, C));
	em6_drop_range(&t, 8 * K, 12 * K - 1, false);
	assert_tree(&t, a, 5);
	em6_drop_range(&t, 12 * K, 20 * K - 1, false);
	assert_tree(&t, b, 5);
	em6_drop_range(&t, 28 * K, 32 * K - 1, false);
	assert_tree(&t, c, 6);
	em6_drop_range(&t, 32 * K, 64 * K - 1, false);
	assert_tree(&t, d, 3);
	em_tree_destroy(&t);
}
END_TEST

/*
 * Self-test 6 (no gap filling): compressed [0,4K) and [4K,8K); adding
 * [4K,8K) at 16K for the range [0,8K) returns the first map, [0,4K).
 */
START_TEST(test_selftest6_no_gap_fill)
{
	struct em_tree t;
	struct em_map *out;
	static const struct want w[] = {
		{ 0, 4 * K, 100 * K, 4 * K }, { 4 * K, 4 * K, 200 * K, 4 * K } };

	em_tree_init(&t);
	put(&t, map(0, 4 * K, 100 * K, 4 * K, C));
	put(&t, map(4 * K, 4 * K, 200 * K, 4 * K, C));
	ck_assert_int_eq(em6_add_mapping(&t, map(4 * K, 4 * K, 16 * K, 4 * K,
	    0), 0, 8 * K, &out), 0);
	ck_assert_uint_eq(out->start, 0);
	ck_assert_uint_eq(out->len, 4 * K);
	assert_tree(&t, w, 2);
	em_tree_destroy(&t);
}
END_TEST

/*
 * Self-test 7 (skip_pinned): a pinned compressed [0,16K) and [32K,48K) at
 * 32K; dropping [0,36K) while skipping pinned maps leaves [0,16K) whole
 * and the tail [36K,48K) at 36K: the tail advances by where the range
 * ends, not by the start the skip moved (the 2024 fix).
 */
START_TEST(test_selftest7_skip_pinned)
{
	struct em_tree t;
	static const struct want w[] = {
		{ 0, 16 * K, 100 * K, 4 * K }, { 36 * K, 12 * K, 36 * K, 12 * K } };

	em_tree_init(&t);
	put(&t, map(0, 16 * K, 100 * K, 4 * K, C | P));
	put(&t, map(32 * K, 16 * K, 32 * K, 16 * K, 0));
	em6_drop_range(&t, 0, 36 * K - 1, true);
	assert_tree(&t, w, 2);
	ck_assert(em_first(&t)->flags & P);
	em_tree_destroy(&t);
}
END_TEST

/*
 * Self-test 8 (a compressed map's offset, 6.11): compressed [120K,128K)
 * (4K on disk, 8K of data); adding a compressed [108K,144K) (36K of data)
 * for [140K,144K) trims it to [128K,144K), 20K into its data: offset 20K,
 * the extent's location kept.
 */
START_TEST(test_selftest8_compressed_offset)
{
	struct em_tree t;
	struct em_map *first = map(120 * K, 8 * K, 1000 * K, 4 * K, C);
	struct em_map *big = map(108 * K, 36 * K, 2000 * K, 12 * K, C);
	struct em_map *out;

	first->ram_bytes = 8 * K;
	big->ram_bytes = 36 * K;
	em_tree_init(&t);
	put(&t, first);
	ck_assert_int_eq(em6_add_mapping(&t, big, 140 * K, 4 * K, &out), 0);
	ck_assert_ptr_eq(out, big);
	ck_assert_uint_eq(out->start, 128 * K);
	ck_assert_uint_eq(out->len, 16 * K);
	ck_assert_uint_eq(out->offset, 20 * K);
	ck_assert_uint_eq(out->block_start, 2000 * K);
	ck_assert_uint_eq(out->block_len, 12 * K);
	ck_assert_uint_eq(out->ram_bytes, 36 * K);
	checked(&t);
	em_tree_destroy(&t);
}
END_TEST

/* Any overlap is -EEXIST; adjacency is fine. */
START_TEST(test_insert_any_overlap)
{
	struct em_tree t;
	struct em_map *m;

	em_tree_init(&t);
	put(&t, map(8 * K, 8 * K, 100 * K, 8 * K, C));
	/* Starts in a gap, overlaps the next map: 2008 took it, 6.x not. */
	m = map(4 * K, 8 * K, 200 * K, 8 * K, 0);
	ck_assert_int_eq(em6_insert(&t, m), -EEXIST);
	em_free(m);
	m = map(12 * K, 8 * K, 200 * K, 8 * K, 0);
	ck_assert_int_eq(em6_insert(&t, m), -EEXIST);
	em_free(m);
	m = map(0, 64 * K, 200 * K, 64 * K, 0);
	ck_assert_int_eq(em6_insert(&t, m), -EEXIST);
	em_free(m);
	put(&t, map(16 * K, 4 * K, 300 * K, 4 * K, 0));
	put(&t, map(4 * K, 4 * K, 400 * K, 4 * K, 0));
	ck_assert_uint_eq(t.count, 3);
	checked(&t);
	em_tree_destroy(&t);
}
END_TEST

/* lookup is strict, search returns the next map or else the previous. */
START_TEST(test_lookup_and_search)
{
	struct em_tree t;

	em_tree_init(&t);
	put(&t, map(8 * K, 4 * K, 100 * K, 4 * K, C));
	put(&t, map(20 * K, 4 * K, 200 * K, 4 * K, C));
	ck_assert_uint_eq(em6_lookup(&t, 9 * K, 1)->start, 8 * K);
	ck_assert_ptr_null(em6_lookup(&t, 12 * K, 4 * K));
	ck_assert_uint_eq(em6_lookup(&t, 12 * K, 9 * K)->start, 20 * K);
	ck_assert_uint_eq(em6_search(&t, 12 * K, 1)->start, 20 * K);
	ck_assert_uint_eq(em6_search(&t, 0, 1)->start, 8 * K);
	ck_assert_uint_eq(em6_search(&t, 30 * K, 1)->start, 20 * K);
	ck_assert_ptr_null(em6_lookup(&t, 30 * K, 4 * K));
	em_tree_destroy(&t);
}
END_TEST

/*
 * Holes split too (2008 dropped special maps whole); a real map's tail
 * remnant after a head one goes in with add_extent_mapping and merges
 * with a contiguous successor.
 */
START_TEST(test_drop_splits_holes_and_merges_tail)
{
	struct em_tree t;
	static const struct want w1[] = {
		{ 0, 4 * K, EM_HOLE, 0 }, { 12 * K, 4 * K, EM_HOLE, 0 } };
	static const struct want w2[] = {
		{ 0, 4 * K, 100 * K, 4 * K }, { 8 * K, 12 * K, 108 * K, 12 * K } };

	em_tree_init(&t);
	put(&t, map(0, 16 * K, EM_HOLE, 0, 0));
	em6_drop_range(&t, 4 * K, 12 * K - 1, false);
	assert_tree(&t, w1, 2);
	em_tree_destroy(&t);

	em_tree_init(&t);
	put(&t, map(0, 12 * K, 100 * K, 12 * K, 0));
	put(&t, map(12 * K, 8 * K, 112 * K, 8 * K, P));	/* no merge yet */
	em6_drop_range(&t, 4 * K, 8 * K - 1, false);
	em6_unpin(&t, em6_lookup(&t, 12 * K, 1));
	assert_tree(&t, w2, 2);
	em_tree_destroy(&t);
}
END_TEST

/*
 * The reference: maps in a sorted array, every rule by brute force.  It
 * holds no flags but compressed and pinned, which the generator uses.
 */
#define NREF	64

struct ref {
	struct want	m[NREF];
	uint32_t	flags[NREF];
	uint64_t	offset[NREF];
	size_t		n;
};

static bool
ref_overlaps(const struct ref *r, uint64_t s, uint64_t len)
{
	for (size_t i = 0; i < r->n; i++)
		if (s < r->m[i].start + r->m[i].len && r->m[i].start < s + len)
			return true;
	return false;
}

static size_t
ref_put(struct ref *r, const struct want *w, uint32_t flags, uint64_t off)
{
	size_t i = 0;

	while (i < r->n && r->m[i].start < w->start)
		i++;
	memmove(&r->m[i + 1], &r->m[i], (r->n - i) * sizeof(r->m[0]));
	memmove(&r->flags[i + 1], &r->flags[i], (r->n - i) * sizeof(r->flags[0]));
	memmove(&r->offset[i + 1], &r->offset[i],
	    (r->n - i) * sizeof(r->offset[0]));
	r->m[i] = *w;
	r->flags[i] = flags;
	r->offset[i] = off;
	r->n++;
	return i;
}

static void
ref_del(struct ref *r, size_t i)
{
	memmove(&r->m[i], &r->m[i + 1], (r->n - i - 1) * sizeof(r->m[0]));
	memmove(&r->flags[i], &r->flags[i + 1],
	    (r->n - i - 1) * sizeof(r->flags[0]));
	memmove(&r->offset[i], &r->offset[i + 1],
	    (r->n - i - 1) * sizeof(r->offset[0]));
	r->n--;
}

static bool
ref_joins(const struct ref *r, size_t a, size_t b)
{
	if ((r->flags[a] | r->flags[b]) & (C | P))
		return false;
	if (r->m[a].start + r->m[a].len != r->m[b].start)
		return false;
	if (r->m[b].block_start < EM_LAST_BYTE - 1)
		return r->m[b].block_start ==
		    r->m[a].block_start + r->m[a].block_len;
	return r->m[b].block_start == r->m[a].block_start;
}

/* add_extent_mapping(): 0 or -EEXIST; the merged map's index in *AT. */
static int
ref_add(struct ref *r, const struct want *w, uint32_t flags, uint64_t off,
    size_t *at)
{
	size_t i;

	if (ref_overlaps(r, w->start, w->len))
		return -EEXIST;
	i = ref_put(r, w, flags, off);
	if (i > 0 && ref_joins(r, i - 1, i)) {
		r->m[i - 1].len += r->m[i].len;
		r->m[i - 1].block_len += r->m[i].block_len;
		ref_del(r, i--);
	}
	if (i + 1 < r->n && ref_joins(r, i, i + 1)) {
		r->m[i].len += r->m[i + 1].len;
		r->m[i].block_len += r->m[i + 1].block_len;
		ref_del(r, i + 1);
	}
	*at = i;
	return 0;
}

/* One piece of map I over [s, s + len), as the drop makes it. */
static void
ref_piece(const struct ref *r, size_t i, uint64_t s, uint64_t len,
    struct want *w, uint64_t *off)
{
	uint64_t diff = s - r->m[i].start;

	*w = r->m[i];
	w->start = s;
	w->len = len;
	*off = 0;
	if (w->block_start >= EM_LAST_BYTE) {
		w->block_len = 0;
		return;
	}
	*off = r->offset[i] + diff;
	if (!(r->flags[i] & C)) {
		w->block_start += diff;
		w->block_len = len;
	}
}

static void
ref_drop(struct ref *r, uint64_t start, uint64_t end, bool skip_pinned)
{
	for (size_t i = 0; i < r->n; ) {
		uint64_t s = r->m[i].start, e = s + r->m[i].len, off;
		uint32_t fl = r->flags[i] & ~P;
		struct want head, tail;
		bool h, tl;
		size_t at;

		if (e <= start || s >= end) {
			i++;
			continue;
		}
		if (skip_pinned && (r->flags[i] & P)) {
			start = e;
			i++;
			continue;
		}
		h = s < start;
		tl = e > end;
		if (h)
			ref_piece(r, i, s, start - s, &head, &off);
		if (h)
			r->m[i] = head, r->flags[i] = fl, r->offset[i] = off;
		if (tl) {
			ref_piece(r, i, end, e - end, &tail, &off);
			if (!h) {
				r->m[i] = tail, r->flags[i] = fl;
				r->offset[i] = off;
			} else
				ck_assert_int_eq(ref_add(r, &tail, fl, off,
				    &at), 0);
			return;	/* nothing starts after a tail */
		}
		if (!h)
			ref_del(r, i);
		else
			i++;
	}
}

/* Compare the tree with the reference; NULL or what differs. */
static const char *
ref_compare(const struct em_tree *t, const struct ref *r)
{
	const struct em_map *em = em_first(t);
	static char buf[160];

	for (size_t i = 0; i < r->n; i++, em = em_next(t, em)) {
		if (em == NULL)
			return "the tree has fewer maps";
		if (em->start != r->m[i].start || em->len != r->m[i].len ||
		    em->block_start != r->m[i].block_start ||
		    em->block_len != r->m[i].block_len ||
		    (em->flags & (C | P)) != r->flags[i] ||
		    em->offset != r->offset[i]) {
			snprintf(buf, sizeof(buf), "map %zu: tree [%" PRIu64
			    "K +%" PRIu64 "K) bs %" PRIu64 ", reference [%"
			    PRIu64 "K +%" PRIu64 "K) bs %" PRIu64, i,
			    em->start / K, em->len / K, em->block_start,
			    r->m[i].start / K, r->m[i].len / K,
			    r->m[i].block_start);
			return buf;
		}
	}
	return em == NULL ? NULL : "the tree has more maps";
}

static const char *
run_differential(uint64_t seed, int nops, int corrupt_at, int *at)
{
	static const uint64_t blocks[] = { 0, 4 * K, 8 * K, 64 * K, EM_HOLE };
	struct em_tree t;
	struct ref r = { .n = 0 };
	struct rng g;
	const char *bad = NULL, *why = "";
	unsigned trims = 0;

	em_tree_init(&t);
	rng_seed(&g, seed);
	for (*at = 0; *at < nops && bad == NULL; (*at)++) {
		uint64_t s = rng_below(&g, 16) * 4 * K;
		uint64_t len = (1 + rng_below(&g, 6)) * 4 * K;
		uint64_t bs = blocks[rng_below(&g, 5)];
		uint32_t fl = rng_below(&g, 5) == 0 ? C : rng_below(&g, 8) ==
		    0 ? P : 0;
		struct want w;
		struct em_map *em, *out;
		size_t i;
		int got, want;

		if (bs != EM_HOLE)
			bs += s;	/* often contiguous with a neighbour */
		w = (struct want){ s, len, bs, bs == EM_HOLE ? 0 : len };
		switch (rng_below(&g, 3)) {
		case 0:
			if (r.n == NREF)
				break;
			em = map(s, len, bs, w.block_len, fl);
			got = em6_add(&t, em);
			want = ref_add(&r, &w, fl, 0, &i);
			if (got != 0)
				em_free(em);
			if (got != want)
				bad = "em6_add's result differs";
			break;
		case 1: {
			uint64_t q = s + rng_below(&g, len / (4 * K)) * 4 * K;
			struct want old;

			if (r.n == NREF)
				break;
			em = map(s, len, bs, w.block_len, fl);
			got = em6_add_mapping(&t, em, q, 4 * K, &out);
			if (got != 0 || out == NULL)
				bad = "em6_add_mapping failed";
			else if (q < out->start || q >= em_end(out))
				bad = "em6_add_mapping's map misses the start";
			/* The reference: insert, else trim to the gap. */
			if (ref_add(&r, &w, fl, 0, &i) == 0)
				break;
			for (i = 0; i < r.n; i++)
				if (q >= r.m[i].start &&
				    q < r.m[i].start + r.m[i].len)
					break;
			if (i < r.n)
				break;
			{
				uint64_t lo = s, hi = s + len, off = 0;

				for (i = 0; i < r.n; i++) {
					uint64_t e = r.m[i].start + r.m[i].len;

					if (e <= q && e > lo)
						lo = e;
					if (r.m[i].start > q &&
					    r.m[i].start < hi)
						hi = r.m[i].start;
				}
				old = w;
				trims++;
				w.start = lo;
				w.len = hi - lo;
				if (bs != EM_HOLE) {
					off = lo - old.start;
					if (!(fl & C)) {
						w.block_start += off;
						w.block_len = w.len;
					}
				}
				if (ref_add(&r, &w, fl, off, &i) != 0)
					bad = "the reference's trimmed map "
					    "collides";
			}
			break;
		}
		default:
			em6_drop_range(&t, s, s + len - 1, fl == P);
			ref_drop(&r, s, s + len, fl == P);
			break;
		}
		if (*at == corrupt_at && r.n > 0)
			r.m[0].len += 4 * K;
		if (bad == NULL && em6_check(&t, &why) != 0)
			bad = why;
		if (bad == NULL)
			bad = ref_compare(&t, &r);
	}
	(*at)--;
	/* A run that never merged, split or trimmed proved little. */
	if (bad == NULL && nops >= 1000 && (t.merges == 0 || t.splits == 0 ||
	    trims == 0))
		bad = "the run never merged, split or trimmed a map";
	em_tree_destroy(&t);
	return bad;
}

#include "tests/unit/differential.h"
#include "tests/unit/suite.h"
DIFFERENTIAL_TESTS(40, 3000, 3, 500)

static Suite *
em6_suite(void)
{
	Suite *s = suite_create("em6");
	TCase *tc = tcase_create("selftests");

	tcase_add_test(tc, test_selftest1_dio_read_race);
	tcase_add_test(tc, test_selftest2_inline_reread);
	tcase_add_test(tc, test_selftest3_write_vs_dio_read);
	tcase_add_test(tc, test_selftest4_dio_write_vs_dio_read);
	tcase_add_test(tc, test_selftest5_drop_edges);
	tcase_add_test(tc, test_selftest6_no_gap_fill);
	tcase_add_test(tc, test_selftest7_skip_pinned);
	tcase_add_test(tc, test_selftest8_compressed_offset);
	suite_add_tcase(s, tc);
	tc = tcase_create("rules");
	tcase_add_test(tc, test_insert_any_overlap);
	tcase_add_test(tc, test_lookup_and_search);
	tcase_add_test(tc, test_drop_splits_holes_and_merges_tail);
	suite_add_tcase(s, tc);
	tc = tcase_create("differential");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_differential);
	tcase_add_test(tc, test_differential_catches_divergence);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(em6_suite)
