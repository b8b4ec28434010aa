/*
 * Unit tests for sim/em: the 2008 extent map cache.
 *
 * Directed cases pin the worked examples of btrfs_drop_extent_cache's
 * splitting, the lookup fast path, insertion and merging
 * (add_extent_mapping), merge_extent_mapping() of commit 3b951516 and
 * the function-level effect of
 * quirk 4 (hole filling passing a length as an inclusive end).  Expected
 * end states are tables of {start, len, block_start}.  A differential test
 * runs random operations against a naive reference model (an unsorted
 * array scanned linearly) implementing the same rules, on trees without
 * overlaps, where 2008's answers do not depend on the tree's shape, and
 * compares everything after every operation; a mutant and a corrupted
 * reference prove that the comparison catches divergence.  em_check() runs
 * after every operation.  Trees with overlaps, where the answers follow
 * the shape, are check_em2008's.
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
#include "tests/unit/suite.h"

#define K	((uint64_t)1024)
#define L	((uint64_t)0x100000)	/* a logical address (1 MiB) */
#define M	((uint64_t)0x4000000)	/* another, not contiguous with L */
#define NONE	UINT64_MAX		/* inclusive end "to EOF" */

struct exp {
	uint64_t	start;
	uint64_t	len;
	uint64_t	block;
};

/* The tree holds exactly the maps of E, in order. */
static void
assert_maps(const struct em_tree *t, const struct exp *e, size_t n)
{
	const struct em_map *em;
	size_t i = 0;

	check_tree(t);
	for (em = em_first(t); em != NULL; em = em_next(t, em), i++) {
		ck_assert_msg(i < n, "extra map %zu [%#" PRIx64 " +%#" PRIx64
		    ") -> %#" PRIx64, i, em->start, em->len, em->block_start);
		ck_assert_msg(em->start == e[i].start && em->len == e[i].len &&
		    em->block_start == e[i].block,
		    "map %zu is [%#" PRIx64 " +%#" PRIx64 ") -> %#" PRIx64
		    ", expected [%#" PRIx64 " +%#" PRIx64 ") -> %#" PRIx64,
		    i, em->start, em->len, em->block_start, e[i].start,
		    e[i].len, e[i].block);
	}
	ck_assert_msg(i == n, "%zu maps, expected %zu", i, n);
	ck_assert_uint_eq(t->count, n);
}

#define ASSERT_MAPS(t, ...) do {					\
	const struct exp e_[] = { __VA_ARGS__ };			\
	assert_maps((t), e_, NELEM(e_));				\
} while (0)
#define ASSERT_EMPTY(t)	assert_maps((t), NULL, 0)

static void
assert_map(const struct em_map *em, uint64_t start, uint64_t len,
    uint64_t block)
{
	ck_assert_ptr_nonnull(em);
	ck_assert_msg(em->start == start && em->len == len &&
	    em->block_start == block,
	    "got [%#" PRIx64 " +%#" PRIx64 ") -> %#" PRIx64 ", expected [%#"
	    PRIx64 " +%#" PRIx64 ") -> %#" PRIx64, em->start, em->len,
	    em->block_start, start, len, block);
}

/* Insert a map that must be accepted; returns it (it may absorb others). */
static struct em_map *
add_ok(struct em_tree *t, uint64_t start, uint64_t len, uint64_t block)
{
	struct em_map *em = em_alloc(start, len, block);

	ck_assert_int_eq(em_add(t, em), 0);
	check_tree(t);
	return em;
}

static void
add_all(struct em_tree *t, const struct exp *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		add_ok(t, e[i].start, e[i].len, e[i].block);
}

/* Insert a map that must collide; nothing may change. */
static void
add_eexist(struct em_tree *t, uint64_t start, uint64_t len, uint64_t block)
{
	struct em_map *em = em_alloc(start, len, block);
	const struct em_map *last = t->last;
	size_t count = t->count;
	uint64_t merges = t->merges;

	ck_assert_int_eq(em_add(t, em), -EEXIST);
	check_tree(t);
	ck_assert(!em->in_tree);
	ck_assert_ptr_eq(t->last, last);
	ck_assert_uint_eq(t->count, count);
	ck_assert_uint_eq(t->merges, merges);
	assert_map(em, start, len, block);
	em_free(em);
}

static int
drop(struct em_tree *t, uint64_t start, uint64_t end, bool whole)
{
	int rc = em_drop_cache(t, start, end, whole);

	check_tree(t);
	return rc;
}

/* ---- btrfs_drop_extent_cache: §1.3 ---------------------------------- */

/* scenario: [0,128K)->L, drop (16K, 20K-1): head and tail remnants. */
START_TEST(test_drop_worked_split)
{
	add_ok(&tree, 0, 128 * K, L);
	ck_assert_int_eq(drop(&tree, 16 * K, 20 * K - 1, false), 0);
	ASSERT_MAPS(&tree, { 0, 16 * K, L }, { 20 * K, 108 * K, L + 20 * K });
	ck_assert_uint_eq(tree.splits, 2);
	ck_assert_uint_eq(tree.merges, 0);
	assert_map(tree.last, 20 * K, 108 * K, L + 20 * K);
}
END_TEST

/* scenario: the same drop before the patch loses the whole extent. */
START_TEST(test_drop_worked_split_whole)
{
	add_ok(&tree, 0, 128 * K, L);
	ck_assert_int_eq(drop(&tree, 16 * K, 20 * K - 1, true), 0);
	ASSERT_EMPTY(&tree);
	ck_assert_uint_eq(tree.splits, 0);
	ck_assert_ptr_null(tree.last);
}
END_TEST

/* scenario: drop (16K, (u64)-1) keeps only the head; no tail split. */
START_TEST(test_drop_worked_to_eof)
{
	add_ok(&tree, 0, 128 * K, L);
	ck_assert_int_eq(drop(&tree, 16 * K, NONE, false), 0);
	ASSERT_MAPS(&tree, { 0, 16 * K, L });
	ck_assert_uint_eq(tree.splits, 1);

	em_tree_destroy(&tree);
	add_ok(&tree, 0, 128 * K, L);
	ck_assert_int_eq(drop(&tree, 16 * K, NONE, true), 0);
	ASSERT_EMPTY(&tree);
}
END_TEST

/* scenario: special maps are never split, before or after the patch. */
START_TEST(test_drop_worked_special_whole)
{
	static const uint64_t kinds[] = { EM_HOLE, EM_INLINE, EM_DELALLOC,
	    EM_LAST_BYTE };

	for (size_t i = 0; i < NELEM(kinds); i++) {
		for (int whole = 0; whole < 2; whole++) {
			em_tree_destroy(&tree);
			add_ok(&tree, 0, 128 * K, kinds[i]);
			ck_assert_int_eq(drop(&tree, 16 * K, 20 * K - 1,
			    whole), 0);
			ASSERT_EMPTY(&tree);
			ck_assert_uint_eq(tree.splits, 0);
		}
	}
}
END_TEST

/* scenario: END is inclusive; maps that only touch the range survive. */
START_TEST(test_drop_inclusive_end)
{
	static const struct exp three[] = {
		{ 0, 16 * K, L },
		{ 16 * K, 16 * K, M },
		{ 32 * K, 16 * K, 2 * M },
	};

	add_all(&tree, three, NELEM(three));
	ck_assert_int_eq(drop(&tree, 16 * K, 32 * K - 1, false), 0);
	ASSERT_MAPS(&tree, { 0, 16 * K, L }, { 32 * K, 16 * K, 2 * M });
	ck_assert_uint_eq(tree.splits, 0);

	/* One byte further: the third map loses its first byte. */
	ck_assert_int_eq(drop(&tree, 16 * K, 32 * K, false), 0);
	ASSERT_MAPS(&tree, { 0, 16 * K, L },
	    { 32 * K + 1, 16 * K - 1, 2 * M + 1 });
	ck_assert_uint_eq(tree.splits, 1);

	/* A drop at the map's first byte leaves no head. */
	ck_assert_int_eq(drop(&tree, 0, 4 * K - 1, false), 0);
	ASSERT_MAPS(&tree, { 4 * K, 12 * K, L + 4 * K },
	    { 32 * K + 1, 16 * K - 1, 2 * M + 1 });
}
END_TEST

/*
 * scenario: overlapping maps (A over a nested P, A contiguous with Q but
 * unmerged because P sat between them when Q went in).  Dropping P's range
 * splits A, and A's tail remnant merges with Q.
 */
START_TEST(test_drop_remnant_merges)
{
	add_ok(&tree, 6 * K, 1 * K, M);
	add_ok(&tree, 0, 8 * K, L);
	add_ok(&tree, 8 * K, 8 * K, L + 8 * K);
	ASSERT_MAPS(&tree, { 0, 8 * K, L }, { 6 * K, 1 * K, M },
	    { 8 * K, 8 * K, L + 8 * K });
	ck_assert_uint_eq(tree.merges, 0);

	ck_assert_int_eq(drop(&tree, 6 * K, 7 * K - 1, false), 0);
	ASSERT_MAPS(&tree, { 0, 6 * K, L }, { 7 * K, 9 * K, L + 7 * K });
	ck_assert_uint_eq(tree.splits, 2);
	ck_assert_uint_eq(tree.merges, 1);
}
END_TEST

/*
 * scenario: a remnant that collides is the 2008 BUG_ON(ret): -EEXIST.
 * E = [0,16K) was inserted over X = [4K,16K); the fast path finds E
 * first, its head goes in, its tail [8K,16K) starts inside X.
 */
START_TEST(test_drop_remnant_collides)
{
	for (int whole = 0; whole < 2; whole++) {
		em_tree_destroy(&tree);
		add_ok(&tree, 4 * K, 12 * K, M);
		add_ok(&tree, 0, 16 * K, L);
		if (!whole) {
			ck_assert_int_eq(drop(&tree, 4 * K, 8 * K - 1, false),
			    -EEXIST);
			ASSERT_MAPS(&tree, { 0, 4 * K, L },
			    { 4 * K, 12 * K, M });
			ck_assert_uint_eq(tree.splits, 1);
		} else {
			ck_assert_int_eq(drop(&tree, 4 * K, 8 * K - 1, true),
			    0);
			ASSERT_EMPTY(&tree);
		}
	}
}
END_TEST

/*
 * scenario: END == START - 1 (length 0): only maps holding START strictly
 * inside are found; a real one splits and merges back forever in 2008.
 */
START_TEST(test_drop_zero_length)
{
	add_ok(&tree, 0, 16 * K, L);
	ck_assert_int_eq(drop(&tree, 8 * K, 8 * K - 1, false), -ELOOP);
	ASSERT_MAPS(&tree, { 0, 16 * K, L });
	ck_assert_uint_eq(tree.splits, 2);
	ck_assert_uint_eq(tree.merges, 1);

	ck_assert_int_eq(drop(&tree, 8 * K, 8 * K - 1, true), 0);
	ASSERT_EMPTY(&tree);

	add_ok(&tree, 0, 16 * K, EM_HOLE);
	ck_assert_int_eq(drop(&tree, 8 * K, 8 * K - 1, false), 0);
	ASSERT_EMPTY(&tree);

	add_ok(&tree, 8 * K, 8 * K, M);
	ck_assert_int_eq(drop(&tree, 8 * K, 8 * K - 1, false), 0);
	ASSERT_MAPS(&tree, { 8 * K, 8 * K, M });
}
END_TEST

/* scenario: a drop over an empty range or an empty tree is a no-op. */
START_TEST(test_drop_nothing)
{
	ck_assert_int_eq(drop(&tree, 0, NONE, false), 0);
	ASSERT_EMPTY(&tree);
	add_ok(&tree, 8 * K, 8 * K, M);
	ck_assert_int_eq(drop(&tree, 0, 8 * K - 1, false), 0);
	ck_assert_int_eq(drop(&tree, 16 * K, NONE, false), 0);
	ASSERT_MAPS(&tree, { 8 * K, 8 * K, M });
}
END_TEST

/* ---- lookup_extent_mapping: §2.2 ------------------------------------- */

static struct em_map *map_a, *map_b;

/* A = [0,4K)->L, B = [8K,12K)->M; tree->last is B. */
static void
setup_ab(void)
{
	em_tree_init(&tree);
	map_a = add_ok(&tree, 0, 4 * K, L);
	map_b = add_ok(&tree, 8 * K, 4 * K, M);
	ck_assert_ptr_eq(tree.last, map_b);
}

/* scenario: the fast path returns `last` even when an earlier map meets. */
START_TEST(test_lookup_last_fast_path)
{
	ck_assert_ptr_eq(em_lookup(&tree, 0, 16 * K), map_b);
	ck_assert_ptr_eq(em_lookup(&tree, 0, 1), map_a);
	ck_assert_ptr_eq(tree.last, map_a);
	ck_assert_ptr_eq(em_lookup(&tree, 0, 16 * K), map_a);
	ck_assert_ptr_eq(em_lookup(&tree, 2 * K, 8 * K), map_a);
	ck_assert_ptr_eq(em_lookup(&tree, 9 * K, 16 * K), map_b);
	ck_assert_ptr_eq(em_lookup(&tree, 0, 16 * K), map_b);
	check_tree(&tree);
}
END_TEST

/* scenario: a map containing START; ends are exclusive; misses keep last. */
START_TEST(test_lookup_containment)
{
	ck_assert_ptr_eq(em_lookup(&tree, 2 * K, 1), map_a);
	ck_assert_ptr_eq(em_lookup(&tree, 12 * K - 1, 1), map_b);
	ck_assert_ptr_eq(em_lookup(&tree, 4 * K - 1, 100), map_a);
	ck_assert_ptr_null(em_lookup(&tree, 12 * K, 1));
	ck_assert_ptr_null(em_lookup(&tree, 4 * K, 1));
	ck_assert_ptr_eq(tree.last, map_a);
	check_tree(&tree);
}
END_TEST

/* scenario: no map contains START; the first one beginning before END. */
START_TEST(test_lookup_successor)
{
	em_lookup(&tree, 0, 1);
	ck_assert_ptr_eq(em_lookup(&tree, 5 * K, 4 * K), map_b);
	em_lookup(&tree, 0, 1);
	ck_assert_ptr_null(em_lookup(&tree, 5 * K, 3 * K));
	ck_assert_ptr_null(em_lookup(&tree, 4 * K, 4 * K));
	ck_assert_ptr_eq(em_lookup(&tree, 4 * K, 4 * K + 1), map_b);
	ck_assert_ptr_null(em_lookup(&tree, 12 * K, 100 * K));
	check_tree(&tree);
}
END_TEST

/* scenario: a zero length finds only a map holding START strictly inside. */
START_TEST(test_lookup_zero_length)
{
	em_lookup(&tree, 0, 1);
	ck_assert_ptr_eq(em_lookup(&tree, 9 * K, 0), map_b);
	ck_assert_ptr_null(em_lookup(&tree, 8 * K, 0));
	ck_assert_ptr_null(em_lookup(&tree, 0, 0));
	ck_assert_ptr_null(em_lookup(&tree, 6 * K, 0));
	check_tree(&tree);
}
END_TEST

/* scenario: START + LEN past (u64)-1 saturates instead of wrapping. */
START_TEST(test_lookup_saturating)
{
	struct em_map *top, *wrap;

	ck_assert_ptr_eq(em_lookup(&tree, 4 * K, UINT64_MAX), map_b);
	top = add_ok(&tree, UINT64_MAX - 8 * K, 4 * K, 2 * M);
	em_lookup(&tree, 0, 1);
	/* Wrapped, this end would be below START and miss. */
	ck_assert_ptr_eq(em_lookup(&tree, UINT64_MAX - 10 * K, 64 * K), top);
	em_tree_destroy(&tree);

	/* A map whose own end saturates (extent_map_end()). */
	wrap = add_ok(&tree, UINT64_MAX - 2 * K, 4 * K, EM_HOLE);
	ck_assert_uint_eq(em_end(wrap), UINT64_MAX);
	ck_assert_ptr_eq(em_lookup(&tree, UINT64_MAX - 1, 1), wrap);
	ck_assert_ptr_eq(em_lookup(&tree, UINT64_MAX - 1, UINT64_MAX), wrap);
	check_tree(&tree);
}
END_TEST

/* ---- add_extent_mapping: §2.3 ---------------------------------------- */

/* scenario: -EEXIST exactly when the new start lies inside a map. */
START_TEST(test_add_eexist_start_inside)
{
	add_ok(&tree, 4 * K, 4 * K, L + 4 * K);
	add_eexist(&tree, 4 * K, 1 * K, M);
	add_eexist(&tree, 6 * K, 4 * K, M);
	add_eexist(&tree, 8 * K - 1, 1, M);
	ASSERT_MAPS(&tree, { 4 * K, 4 * K, L + 4 * K });
	add_ok(&tree, 8 * K, 4 * K, M);
	add_ok(&tree, 4 * K - 1, 1, 2 * M);
	ASSERT_MAPS(&tree, { 4 * K - 1, 1, 2 * M }, { 4 * K, 4 * K, L + 4 * K },
	    { 8 * K, 4 * K, M });
}
END_TEST

/* scenario: a map starting in a gap is accepted over its successor. */
START_TEST(test_add_overlap_successor)
{
	add_ok(&tree, 4 * K, 4 * K, M);
	ck_assert_uint_eq(tree.overlaps, 0);
	add_ok(&tree, 0, 6 * K, L);
	ASSERT_MAPS(&tree, { 0, 6 * K, L }, { 4 * K, 4 * K, M });
	ck_assert_uint_eq(tree.overlaps, 1);
	add_eexist(&tree, 2 * K, 1 * K, 2 * M);
	add_eexist(&tree, 5 * K, 1 * K, 2 * M);
	add_eexist(&tree, 6 * K, 4 * K, 2 * M);
	add_ok(&tree, 8 * K, 4 * K, 2 * M);
	ASSERT_MAPS(&tree, { 0, 6 * K, L }, { 4 * K, 4 * K, M },
	    { 8 * K, 4 * K, 2 * M });
	ck_assert_uint_eq(tree.overlaps, 1);
	ck_assert_int_eq(drop(&tree, 0, 4 * K - 1, true), 0);
	ck_assert_uint_eq(tree.overlaps, 0);
}
END_TEST

/*
 * scenario: nested overlap.  B = [10K,12K) is the black root, A = [0,32K)
 * its red left child.  The descent for 20K goes right at B (20K >= 12K)
 * and never meets A, which holds 20K: [20K,24K) is inserted as B's right
 * child.  5K: left at B, A holds it, -EEXIST; 11K: B holds it.  A lookup
 * of 14K goes right at B, left at [20K,24K), ends without a hit; the
 * successor [20K,24K) does not meet [14K,15K): no map, though A does.
 */
START_TEST(test_add_floor_rule)
{
	add_ok(&tree, 10 * K, 2 * K, M);
	add_ok(&tree, 0, 32 * K, L);
	add_ok(&tree, 20 * K, 4 * K, 2 * M);
	ASSERT_MAPS(&tree, { 0, 32 * K, L }, { 10 * K, 2 * K, M },
	    { 20 * K, 4 * K, 2 * M });
	add_eexist(&tree, 5 * K, 1 * K, 3 * M);
	add_eexist(&tree, 11 * K, 1 * K, 3 * M);
	ck_assert_ptr_null(em_lookup(&tree, 14 * K, 1 * K));
}
END_TEST

/* scenario: a new map absorbs its contiguous predecessor. */
START_TEST(test_add_merge_backward)
{
	struct em_map *em;

	add_ok(&tree, 4 * K, 4 * K, L + 4 * K);
	em = add_ok(&tree, 8 * K, 4 * K, L + 8 * K);
	ASSERT_MAPS(&tree, { 4 * K, 8 * K, L + 4 * K });
	ck_assert_ptr_eq(tree.last, em);
	ck_assert_uint_eq(tree.merges, 1);
}
END_TEST

/* scenario: a new map absorbs its contiguous successor. */
START_TEST(test_add_merge_forward)
{
	struct em_map *em;

	add_ok(&tree, 8 * K, 4 * K, L + 8 * K);
	em = add_ok(&tree, 4 * K, 4 * K, L + 4 * K);
	ASSERT_MAPS(&tree, { 4 * K, 8 * K, L + 4 * K });
	ck_assert_ptr_eq(tree.last, em);
	ck_assert_uint_eq(tree.merges, 1);
}
END_TEST

/* scenario: both neighbours go; tree->last is the survivor. */
START_TEST(test_add_merge_both)
{
	struct em_map *em;

	add_ok(&tree, 0, 4 * K, L);
	add_ok(&tree, 8 * K, 4 * K, L + 8 * K);
	em_lookup(&tree, 0, 1);
	em = add_ok(&tree, 4 * K, 4 * K, L + 4 * K);
	ASSERT_MAPS(&tree, { 0, 12 * K, L });
	ck_assert_ptr_eq(tree.last, em);
	ck_assert_uint_eq(tree.merges, 2);
}
END_TEST

/* scenario: special maps merge with their own kind only. */
START_TEST(test_add_merge_specials)
{
	static const uint64_t kinds[] = { EM_HOLE, EM_INLINE, EM_DELALLOC };

	for (size_t i = 0; i < NELEM(kinds); i++) {
		em_tree_destroy(&tree);
		add_ok(&tree, 0, 4 * K, kinds[i]);
		add_ok(&tree, 4 * K, 4 * K, kinds[i]);
		ASSERT_MAPS(&tree, { 0, 8 * K, kinds[i] });
		for (size_t j = 0; j < NELEM(kinds); j++) {
			if (j == i)
				continue;
			em_tree_destroy(&tree);
			add_ok(&tree, 0, 4 * K, kinds[i]);
			add_ok(&tree, 4 * K, 4 * K, kinds[j]);
			ck_assert_uint_eq(tree.count, 2);
			ck_assert_uint_eq(tree.merges, 0);
		}
	}
	/* EM_LAST_BYTE is special but not one of the mergeable kinds. */
	em_tree_destroy(&tree);
	add_ok(&tree, 0, 4 * K, EM_LAST_BYTE);
	add_ok(&tree, 4 * K, 4 * K, EM_LAST_BYTE);
	ck_assert_uint_eq(tree.count, 2);
	/* A hole followed by real data, and real data by a hole. */
	em_tree_destroy(&tree);
	add_ok(&tree, 0, 4 * K, EM_HOLE);
	add_ok(&tree, 4 * K, 4 * K, L);
	add_ok(&tree, 8 * K, 4 * K, EM_HOLE);
	ck_assert_uint_eq(tree.count, 3);
}
END_TEST

/*
 * scenario: a map at 0 has no predecessor (the 2008 `start != 0` guard
 * can never fire with distinct unsigned starts); it still merges forward.
 */
START_TEST(test_add_at_zero)
{
	struct em_map *em;

	add_ok(&tree, 4 * K, 4 * K, L + 4 * K);
	em = add_ok(&tree, 0, 4 * K, L);
	ASSERT_MAPS(&tree, { 0, 8 * K, L });
	ck_assert_ptr_eq(tree.last, em);
	ck_assert_uint_eq(tree.merges, 1);
}
END_TEST

/* scenario: discontiguous maps stay apart, in the file or on disk. */
START_TEST(test_add_no_merge_discontiguous)
{
	add_ok(&tree, 0, 4 * K, L);
	add_ok(&tree, 4 * K, 4 * K, L + 8 * K);
	add_ok(&tree, 12 * K, 4 * K, L + 16 * K);
	add_ok(&tree, 20 * K, 4 * K, L + 16 * K);
	ASSERT_MAPS(&tree, { 0, 4 * K, L }, { 4 * K, 4 * K, L + 8 * K },
	    { 12 * K, 4 * K, L + 16 * K }, { 20 * K, 4 * K, L + 16 * K });
	ck_assert_uint_eq(tree.merges, 0);
}
END_TEST

/*
 * scenario: the literal `next->block_start < EXTENT_MAP_LAST_BYTE - 1`:
 * a real successor at EM_LAST_BYTE - 1 is not merged, one below it is.
 */
START_TEST(test_add_merge_last_byte_bound)
{
	add_ok(&tree, 0, 4 * K, EM_LAST_BYTE - 1 - 4 * K);
	add_ok(&tree, 4 * K, 4 * K, EM_LAST_BYTE - 1);
	ASSERT_MAPS(&tree, { 0, 4 * K, EM_LAST_BYTE - 1 - 4 * K },
	    { 4 * K, 4 * K, EM_LAST_BYTE - 1 });

	em_tree_destroy(&tree);
	add_ok(&tree, 0, 4 * K, EM_LAST_BYTE - 2 - 4 * K);
	add_ok(&tree, 4 * K, 4 * K, EM_LAST_BYTE - 2);
	ASSERT_MAPS(&tree, { 0, 8 * K, EM_LAST_BYTE - 2 - 4 * K });
}
END_TEST

/* scenario: remove unlinks, clears last, leaves the map to the caller. */
START_TEST(test_remove)
{
	struct em_map *a = add_ok(&tree, 0, 4 * K, L);
	struct em_map *b = add_ok(&tree, 8 * K, 4 * K, M);

	em_remove(&tree, a);
	check_tree(&tree);
	ck_assert(!a->in_tree);
	ck_assert_ptr_eq(tree.last, b);
	em_remove(&tree, b);
	ck_assert_ptr_null(tree.last);
	ASSERT_EMPTY(&tree);
	ck_assert_int_eq(em_add(&tree, a), 0);
	ASSERT_MAPS(&tree, { 0, 4 * K, L });
	em_free(b);
	em_free(NULL);
}
END_TEST

/* ---- merge_extent_mapping: §1.4 item 6 ------------------------------- */

struct merge_case {
	const char	*name;
	struct exp	 existing;
	struct exp	 em;
};

/* scenario: each invalid merge is -EIO and changes nothing. */
START_TEST(test_merge_invalid)
{
	static const struct merge_case cases[] = {
		{ "real existing, special em",
		    { 8 * K, 4 * K, L + 8 * K }, { 4 * K, 8 * K, EM_HOLE } },
		{ "hole existing, real em",
		    { 8 * K, 4 * K, EM_HOLE }, { 4 * K, 8 * K, L } },
		{ "hole existing, delalloc em",
		    { 8 * K, 4 * K, EM_HOLE }, { 4 * K, 8 * K, EM_DELALLOC } },
		{ "inline existing, hole em",
		    { 0, 4 * K, EM_INLINE }, { 0, 8 * K, EM_HOLE } },
		{ "case A gap",
		    { 8 * K, 4 * K, L + 8 * K }, { 0, 4 * K, L } },
		{ "case A discontiguous",
		    { 8 * K, 4 * K, L + 8 * K }, { 4 * K, 8 * K, L } },
		{ "case A same start, discontiguous",
		    { 0, 8 * K, L }, { 0, 16 * K, M } },
		{ "case B gap",
		    { 0, 4 * K, L }, { 8 * K, 4 * K, L + 8 * K } },
		{ "case B discontiguous",
		    { 0, 8 * K, L }, { 4 * K, 8 * K, L + 8 * K } },
		{ "case B hole gap",
		    { 0, 4 * K, EM_HOLE }, { 4 * K + 1, 4 * K, EM_HOLE } },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct merge_case *c = &cases[i];
		struct em_map *existing, *em;

		em_tree_destroy(&tree);
		existing = add_ok(&tree, c->existing.start, c->existing.len,
		    c->existing.block);
		em = em_alloc(c->em.start, c->em.len, c->em.block);
		ck_assert_msg(em_merge_mapping(&tree, existing, em) == -EIO,
		    "%s: not -EIO", c->name);
		assert_maps(&tree, &c->existing, 1);
		assert_map(em, c->em.start, c->em.len, c->em.block);
		ck_assert(!em->in_tree);
		ck_assert_uint_eq(tree.merges, 0);
		em_free(em);
	}
}
END_TEST

struct union_case {
	const char	*name;
	struct exp	 existing;
	struct exp	 em;
	struct exp	 result;
};

/* scenario: valid merges insert the union and drop EXISTING. */
START_TEST(test_merge_unions)
{
	/* name, existing, em, the union */
	static const struct union_case cases[] = {
		{ "A: overlap", { 8 * K, 8 * K, M },
		    { 4 * K, 8 * K, M - 4 * K }, { 4 * K, 12 * K, M - 4 * K } },
		{ "A: touching", { 8 * K, 4 * K, M },
		    { 4 * K, 4 * K, M - 4 * K }, { 4 * K, 8 * K, M - 4 * K } },
		{ "A: em covers existing", { 8 * K, 4 * K, M },
		    { 4 * K, 16 * K, M - 4 * K },
		    { 4 * K, 16 * K, M - 4 * K } },
		{ "A: same start (bug 5)", { 0, 16 * K, L },
		    { 0, 20 * K, L }, { 0, 20 * K, L } },
		{ "A: same start, em shorter", { 0, 16 * K, L },
		    { 0, 4 * K, L }, { 0, 16 * K, L } },
		{ "B: overlap", { 0, 16 * K, L },
		    { 8 * K, 12 * K, L + 8 * K }, { 0, 20 * K, L } },
		{ "B: touching", { 0, 16 * K, L },
		    { 16 * K, 4 * K, L + 16 * K }, { 0, 20 * K, L } },
		{ "B: em inside", { 0, 16 * K, L },
		    { 4 * K, 4 * K, L + 4 * K }, { 0, 16 * K, L } },
		{ "B: holes", { 0, 8 * K, EM_HOLE },
		    { 4 * K, 8 * K, EM_HOLE }, { 0, 12 * K, EM_HOLE } },
		{ "A: delalloc touching", { 8 * K, 8 * K, EM_DELALLOC },
		    { 4 * K, 4 * K, EM_DELALLOC },
		    { 4 * K, 12 * K, EM_DELALLOC } },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct union_case *c = &cases[i];
		struct em_map *existing, *em;
		int rc;

		em_tree_destroy(&tree);
		existing = add_ok(&tree, c->existing.start, c->existing.len,
		    c->existing.block);
		em = em_alloc(c->em.start, c->em.len, c->em.block);
		rc = em_merge_mapping(&tree, existing, em);
		ck_assert_msg(rc == 0, "%s: %d", c->name, rc);
		assert_maps(&tree, &c->result, 1);
		ck_assert_ptr_eq(tree.last, em);
		ck_assert(em->in_tree);
		ck_assert_uint_eq(tree.merges, 1);
	}
}
END_TEST

/* scenario: the union's insertion absorbs a further contiguous map. */
START_TEST(test_merge_then_add_merges)
{
	struct em_map *existing, *em;

	existing = add_ok(&tree, 0, 8 * K, L);
	add_ok(&tree, 12 * K, 4 * K, L + 12 * K);
	em = em_alloc(4 * K, 8 * K, L + 4 * K);
	ck_assert_int_eq(em_merge_mapping(&tree, existing, em), 0);
	ASSERT_MAPS(&tree, { 0, 16 * K, L });
	ck_assert_uint_eq(tree.merges, 2);
}
END_TEST

/*
 * scenario: the re-fail.  X = [0,8K)->L, Y = [8K,16K)->M; inserting
 * em = [4K,12K)->M-4K hits X, but lookup(em) returns Y through the fast
 * path; the union [4K,16K) still starts inside X: -EEXIST, Y is gone and
 * the widened em is the caller's.
 */
START_TEST(test_merge_refail)
{
	struct em_map *y, *em, *existing;

	add_ok(&tree, 0, 8 * K, L);
	y = add_ok(&tree, 8 * K, 8 * K, M);
	em = em_alloc(4 * K, 8 * K, M - 4 * K);
	ck_assert_int_eq(em_add(&tree, em), -EEXIST);
	existing = em_lookup(&tree, em->start, em->len);
	ck_assert_ptr_eq(existing, y);
	ck_assert_int_eq(em_merge_mapping(&tree, existing, em), -EEXIST);
	check_tree(&tree);
	assert_map(em, 4 * K, 12 * K, M - 4 * K);
	ck_assert(!em->in_tree);
	ASSERT_MAPS(&tree, { 0, 8 * K, L });
	ck_assert_uint_eq(tree.merges, 1);
	em_free(em);
}
END_TEST

/*
 * scenario: the get_extent path of the re-fail returns the merge's
 * -EEXIST, as 3b951516 does (err = merge_extent_mapping(...)), not -EIO.
 * In pages: [47,+9)@1047 and [61,+35)@1061 cached (the latter `last');
 * btrfs_get_extent for (56, 1) built [47,+15)@1047: its insert hits
 * [47,56), lookup(56, 1) finds nothing, lookup(47, 15) takes the fast
 * path to [61,96), the union [47,96) collides with [47,56) again.
 */
START_TEST(test_get_extent_refail_errno)
{
	const uint64_t P = 4 * K;
	struct em_map *em, *out = NULL;
	enum em_ge how;

	add_ok(&tree, 47 * P, 9 * P, 1047 * P);
	add_ok(&tree, 61 * P, 35 * P, 1061 * P);
	em = em_alloc(47 * P, 15 * P, 1047 * P);
	ck_assert_int_eq(em_get_extent_insert(&tree, 56 * P, P, em, true,
	    &out, &how), -EEXIST);
	ck_assert_int_eq(how, EM_GE_FAILED);
	assert_map(em, 47 * P, 49 * P, 1047 * P);	/* widened, ours */
	ASSERT_MAPS(&tree, { 47 * P, 9 * P, 1047 * P });
	check_tree(&tree);
	em_free(em);
	/* Before the commit the same miss was -EIO, with no merge. */
	em_tree_destroy(&tree);
	em_tree_init(&tree);
	add_ok(&tree, 47 * P, 9 * P, 1047 * P);
	add_ok(&tree, 61 * P, 35 * P, 1061 * P);
	em = em_alloc(47 * P, 15 * P, 1047 * P);
	ck_assert_int_eq(em_get_extent_insert(&tree, 56 * P, P, em, false,
	    &out, &how), -EIO);
	em_free(em);
}
END_TEST

/* ---- quirk 4: hole filling drops (hole_start, hole_size - 1) ---------- */

struct q4_case {
	const char	*name;
	uint64_t	 old_size, new_size;	/* sector-aligned here */
	bool		 whole;			/* quirk 2 as well */
	struct exp	 before[3];
	size_t		 nbefore;
	int		 buggy_rc;
	struct exp	 buggy[3];
	size_t		 nbuggy;
	struct exp	 fixed[3];		/* the fixed call returns 0 */
	size_t		 nfixed;
};

/*
 * Each case builds the cache from BEFORE (maps that merge on insert do so:
 * the "halves" case caches [0,16K)->L), runs the pre-patch call
 * drop(hole_start, hole_size - 1) and, on a fresh copy, the fixed call
 * drop(hole_start, (u64)-1), and compares both end states.
 *
 * 8K -> 12K: hole_start 8K, hole_size 4K, "end" 4095 < start: len wraps,
 * the lookup covers [8K, EOF) and the tail remnant starts at the wrapped
 * start + len = 4K.  Every real map reaching past 8K sends a tail back to
 * 4K, which collides with the data below 8K (2008: BUG_ON); a lone stale
 * map past EOF is split twice and leaves a bogus [4K,8K) map first.
 * 8K -> 16K: hole_size == hole_start, length 0: maps starting at 8K
 * survive (stale), a real map across 8K is the livelock.
 * 4K -> 16K: hole_size > hole_start: only [4K,12K) is dropped, so cached
 * maps beyond hole_size - 1 = 12K-1 survive over the new hole.
 */
static const struct q4_case q4_cases[] = {
	{ "8K->12K data below only", 8 * K, 12 * K, false,
	    { { 0, 8 * K, L } }, 1,
	    0, { { 0, 8 * K, L } }, 1,
	    { { 0, 8 * K, L } }, 1 },
	{ "8K->12K halves (cached as [0,16K)->L)", 8 * K, 12 * K, false,
	    { { 0, 8 * K, L }, { 8 * K, 8 * K, L + 8 * K } }, 2,
	    -EEXIST, { { 0, 8 * K, L } }, 1,
	    { { 0, 8 * K, L } }, 1 },
	{ "8K->12K discontiguous halves", 8 * K, 12 * K, false,
	    { { 0, 8 * K, L }, { 8 * K, 8 * K, M } }, 2,
	    -EEXIST, { { 0, 8 * K, L } }, 1,
	    { { 0, 8 * K, L } }, 1 },
	{ "8K->12K stale map past EOF", 8 * K, 12 * K, false,
	    { { 8 * K, 8 * K, M } }, 1,
	    -EEXIST, { { 4 * K, 4 * K, M - 4 * K } }, 1,
	    { { 0, 0, 0 } }, 0 },
	{ "8K->12K stale map after a gap", 8 * K, 12 * K, false,
	    { { 0, 8 * K, L }, { 12 * K, 4 * K, M } }, 2,
	    -EEXIST, { { 0, 8 * K, L } }, 1,
	    { { 0, 8 * K, L } }, 1 },
	{ "8K->12K hole map past EOF", 8 * K, 12 * K, false,
	    { { 0, 8 * K, L }, { 8 * K, 8 * K, EM_HOLE } }, 2,
	    0, { { 0, 8 * K, L } }, 1,
	    { { 0, 8 * K, L } }, 1 },
	{ "8K->12K [0,16K)->L, drop-whole", 8 * K, 12 * K, true,
	    { { 0, 16 * K, L } }, 1,
	    0, { { 0, 0, 0 } }, 0,
	    { { 0, 0, 0 } }, 0 },
	{ "8K->16K stale map at hole_start", 8 * K, 16 * K, false,
	    { { 0, 8 * K, L }, { 8 * K, 8 * K, M } }, 2,
	    0, { { 0, 8 * K, L }, { 8 * K, 8 * K, M } }, 2,
	    { { 0, 8 * K, L } }, 1 },
	{ "8K->16K map across hole_start", 8 * K, 16 * K, false,
	    { { 0, 16 * K, L } }, 1,
	    -ELOOP, { { 0, 16 * K, L } }, 1,
	    { { 0, 8 * K, L } }, 1 },
	{ "4K->16K map split at hole_size", 4 * K, 16 * K, false,
	    { { 0, 4 * K, L }, { 8 * K, 8 * K, M } }, 2,
	    0, { { 0, 4 * K, L }, { 12 * K, 4 * K, M + 4 * K } }, 2,
	    { { 0, 4 * K, L } }, 1 },
	{ "4K->16K stale map beyond hole_size", 4 * K, 16 * K, false,
	    { { 0, 4 * K, L }, { 12 * K, 4 * K, M } }, 2,
	    0, { { 0, 4 * K, L }, { 12 * K, 4 * K, M } }, 2,
	    { { 0, 4 * K, L } }, 1 },
	{ "4K->16K map across hole_size, drop-whole", 4 * K, 16 * K, true,
	    { { 0, 4 * K, L }, { 8 * K, 8 * K, M } }, 2,
	    0, { { 0, 4 * K, L } }, 1,
	    { { 0, 4 * K, L } }, 1 },
};

START_TEST(test_quirk4_hole_drop_length)
{
	const struct q4_case *c = &q4_cases[_i];
	uint64_t hole_start = c->old_size;
	uint64_t hole_size = c->new_size - c->old_size;
	struct em_tree fixed;
	int rc;

	add_all(&tree, c->before, c->nbefore);
	em_tree_clone(&fixed, &tree);

	rc = drop(&tree, hole_start, hole_size - 1, c->whole);
	ck_assert_msg(rc == c->buggy_rc, "%s: buggy call returned %d",
	    c->name, rc);
	assert_maps(&tree, c->buggy, c->nbuggy);

	rc = drop(&fixed, hole_start, NONE, c->whole);
	ck_assert_msg(rc == 0, "%s: fixed call returned %d", c->name, rc);
	assert_maps(&fixed, c->fixed, c->nfixed);
	em_tree_destroy(&fixed);
}
END_TEST

/* ---- clone, destroy, check ------------------------------------------- */

static void
assert_same_tree(const struct em_tree *a, const struct em_tree *b)
{
	const struct em_map *x, *y;

	check_tree(a);
	check_tree(b);
	ck_assert_uint_eq(a->count, b->count);
	ck_assert_uint_eq(a->merges, b->merges);
	ck_assert_uint_eq(a->splits, b->splits);
	for (x = em_first(a), y = em_first(b); x != NULL && y != NULL;
	    x = em_next(a, x), y = em_next(b, y)) {
		ck_assert_ptr_ne(x, y);
		assert_map(y, x->start, x->len, x->block_start);
		ck_assert((a->last == x) == (b->last == y));
	}
	ck_assert(x == NULL && y == NULL);
	ck_assert((a->last == NULL) == (b->last == NULL));
}

/* scenario: a clone is equal (last included) and independent. */
START_TEST(test_clone)
{
	struct em_tree copy;

	em_tree_clone(&copy, &tree);
	assert_same_tree(&tree, &copy);
	em_tree_destroy(&copy);

	for (uint64_t i = 0; i < 40; i++)
		add_ok(&tree, i * 8 * K, 4 * K, M + i * 64 * K);
	ck_assert_int_eq(drop(&tree, 10 * K, 12 * K - 1, false), 0);
	add_ok(&tree, 316 * K, 4 * K, M + 39 * 64 * K + 4 * K);
	ck_assert_uint_eq(tree.merges, 1);
	em_lookup(&tree, 97 * K, 1);
	ck_assert_uint_eq(tree.last->start, 96 * K);

	em_tree_clone(&copy, &tree);
	assert_same_tree(&tree, &copy);
	ck_assert_int_eq(drop(&copy, 0, NONE, false), 0);
	ASSERT_EMPTY(&copy);
	ck_assert_uint_eq(tree.count, 40);
	check_tree(&tree);
	em_tree_destroy(&copy);

	em_tree_clone(&copy, &tree);
	ck_assert_int_eq(drop(&tree, 0, NONE, true), 0);
	ck_assert_uint_eq(copy.count, 40);
	ck_assert_uint_eq(copy.last->start, 96 * K);
	check_tree(&copy);
	em_tree_destroy(&copy);
}
END_TEST

/* scenario: destroy empties the tree, which is reusable (leaks: valgrind). */
START_TEST(test_destroy)
{
	for (uint64_t i = 0; i < 1000; i++)
		add_ok(&tree, i * 8 * K, 4 * K, M);
	em_tree_destroy(&tree);
	ASSERT_EMPTY(&tree);
	ck_assert_ptr_null(em_first(&tree));
	ck_assert_ptr_null(tree.last);
	ck_assert_uint_eq(tree.merges + tree.splits, 0);
	add_ok(&tree, 0, 4 * K, L);
	ASSERT_MAPS(&tree, { 0, 4 * K, L });
	em_tree_destroy(&tree);
	em_tree_destroy(&tree);
	ASSERT_EMPTY(&tree);
}
END_TEST

/* scenario: em_check notices each broken invariant. */
START_TEST(test_check_detects)
{
	struct em_map *a, *b, *c, foreign;
	const char *why;

	a = add_ok(&tree, 0, 4 * K, L);
	b = add_ok(&tree, 8 * K, 4 * K, M);
	c = add_ok(&tree, 16 * K, 4 * K, 2 * M);
	(void)c;

	tree.count++;
	ck_assert_int_eq(em_check(&tree, &why), -1);
	ck_assert_ptr_nonnull(why);
	tree.count--;

	foreign = *a;
	tree.last = &foreign;
	ck_assert_int_eq(em_check(&tree, &why), -1);
	tree.last = a;

	a->len = 0;
	ck_assert_int_eq(em_check(&tree, NULL), -1);
	a->len = 4 * K;

	b->start = 20 * K;
	ck_assert_int_eq(em_check(&tree, &why), -1);
	b->start = 8 * K;

	b->in_tree = false;
	ck_assert_int_eq(em_check(&tree, &why), -1);
	b->in_tree = true;

	tree.overlaps = 1;
	ck_assert_int_eq(em_check(&tree, &why), -1);
	tree.overlaps = 0;

	tree.root.node->red = true;
	ck_assert_int_eq(em_check(&tree, &why), -1);
	tree.root.node->red = false;

	check_tree(&tree);
}
END_TEST

/* ---- differential test against a naive reference ----------------------- */

/*
 * The reference: an unsorted array of maps with stable ids, every question
 * answered by a linear scan, written from the 2008 rules (the 2008
 * extent_map.c and file.c functions em.h names) rather than from em.c.
 * `last` is an id (0 = none).  Drop detects the livelock by comparing
 * whole snapshots.
 */
struct rmap {
	uint64_t	start;
	uint64_t	len;
	uint64_t	block;
	unsigned	id;
};

enum mutant {
	MUT_NONE,
	MUT_NO_FORWARD_MERGE,	/* forgets the successor merge */
	MUT_TAIL_NO_SHIFT,	/* tail remnant keeps em's block_start */
};

struct ref {
	struct rmap	*m;
	size_t		 n;
	size_t		 cap;
	unsigned	 last;		/* id, 0 = none */
	unsigned	 next_id;
	uint64_t	 merges;
	uint64_t	 splits;
	enum mutant	 mutant;
};

static void
ref_init(struct ref *r, enum mutant mutant)
{
	memset(r, 0, sizeof(*r));
	r->next_id = 1;
	r->mutant = mutant;
}

static void
ref_free(struct ref *r)
{
	free(r->m);
	r->m = NULL;
	r->n = r->cap = 0;
}

static void
ref_clear(struct ref *r)
{
	enum mutant mutant = r->mutant;

	ref_free(r);
	ref_init(r, mutant);
}

static uint64_t
rend(const struct rmap *x)
{
	return sat_add(x->start, x->len);
}

static struct rmap *
ref_get(struct ref *r, unsigned id)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->m[i].id == id)
			return &r->m[i];
	return NULL;
}

static void
ref_remove(struct ref *r, unsigned id)
{
	struct rmap *x = ref_get(r, id);

	ck_assert_ptr_nonnull(x);
	*x = r->m[--r->n];
	if (r->last == id)
		r->last = 0;
}

/* The map with the greatest start <= pos, or 0. */
static unsigned
ref_floor(const struct ref *r, uint64_t pos)
{
	const struct rmap *best = NULL;

	for (size_t i = 0; i < r->n; i++)
		if (r->m[i].start <= pos &&
		    (best == NULL || r->m[i].start > best->start))
			best = &r->m[i];
	return best == NULL ? 0 : best->id;
}

/* The map with the least start > pos, or 0. */
static unsigned
ref_succ(const struct ref *r, uint64_t pos)
{
	const struct rmap *best = NULL;

	for (size_t i = 0; i < r->n; i++)
		if (r->m[i].start > pos &&
		    (best == NULL || r->m[i].start < best->start))
			best = &r->m[i];
	return best == NULL ? 0 : best->id;
}

static bool
ref_meets(const struct rmap *x, uint64_t start, uint64_t end)
{
	return end > x->start && start < rend(x);
}

static unsigned
ref_lookup(struct ref *r, uint64_t start, uint64_t len)
{
	uint64_t end = sat_add(start, len);
	struct rmap *x;
	unsigned id;

	if (r->last != 0 && ref_meets(ref_get(r, r->last), start, end))
		return r->last;
	id = ref_floor(r, start);
	if (id == 0 || start >= rend(ref_get(r, id)))
		id = ref_succ(r, start);
	if (id == 0)
		return 0;
	x = ref_get(r, id);
	if (!ref_meets(x, start, end))
		return 0;
	r->last = id;
	return id;
}

/* mergable_maps(), clause by clause as in 2008. */
static bool
ref_mergeable(const struct rmap *prev, const struct rmap *next)
{
	return rule_mergeable(prev->start, prev->len, prev->block, next->start,
	    next->block);
}

/* add_extent_mapping(); *idp receives the id of the inserted map. */
static int
ref_add(struct ref *r, struct rmap x, unsigned *idp)
{
	unsigned f = ref_floor(r, x.start), prev, next;
	struct rmap *nx, *px, *p;

	if (f != 0 && x.start < rend(ref_get(r, f)))
		return -EEXIST;
	prev = f;
	next = ref_succ(r, x.start);
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 16;
		r->m = xreallocarray(r->m, r->cap, sizeof(*r->m));
	}
	x.id = r->next_id++;
	r->m[r->n++] = x;
	if (x.start != 0 && prev != 0) {
		px = ref_get(r, prev);
		p = ref_get(r, x.id);
		if (ref_mergeable(px, p)) {
			p->start = px->start;
			p->len += px->len;
			p->block = px->block;
			ref_remove(r, prev);
			r->merges++;
		}
	}
	if (next != 0 && r->mutant != MUT_NO_FORWARD_MERGE) {
		nx = ref_get(r, next);
		p = ref_get(r, x.id);
		if (ref_mergeable(p, nx)) {
			p->len += nx->len;
			ref_remove(r, next);
			r->merges++;
		}
	}
	r->last = x.id;
	if (idp != NULL)
		*idp = x.id;
	return 0;
}

/* merge_extent_mapping(), from the rule list of §1.4 item 6. */
static int
ref_merge(struct ref *r, unsigned existing_id, struct rmap *em)
{
	struct rmap ex = *ref_get(r, existing_id);

	if (!rule_merge_union(ex.start, ex.len, ex.block, &em->start, &em->len,
	    &em->block))
		return -EIO;
	ref_remove(r, existing_id);
	r->merges++;
	return ref_add(r, *em, NULL);
}

static int
rmap_cmp(const void *a, const void *b)
{
	const struct rmap *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The maps sorted by start, in a new array the caller frees. */
static struct rmap *
ref_sorted(const struct ref *r)
{
	struct rmap *s = xreallocarray(NULL, r->n + 1, sizeof(*s));

	if (r->n > 0) {
		memcpy(s, r->m, r->n * sizeof(*s));
		qsort(s, r->n, sizeof(*s), rmap_cmp);
	}
	return s;
}

static bool
same_maps(const struct rmap *a, size_t na, const struct rmap *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (a[i].start != b[i].start || a[i].len != b[i].len ||
		    a[i].block != b[i].block)
			return false;
	return true;
}

/* btrfs_drop_extent_cache() after 3b951516, or before it (WHOLE). */
static int
ref_drop(struct ref *r, uint64_t start, uint64_t end, bool whole)
{
	uint64_t len = end - start + 1;
	bool testend = true;
	struct rmap e, piece, *before, *after;
	size_t nbefore;
	unsigned id;
	bool same;

	if (end == UINT64_MAX) {
		len = UINT64_MAX;
		testend = false;
	}
	while ((id = ref_lookup(r, start, len)) != 0) {
		before = ref_sorted(r);
		nbefore = r->n;
		e = *ref_get(r, id);
		ref_remove(r, id);
		if (!whole && e.block < EM_LAST_BYTE) {
			if (e.start < start) {
				piece = (struct rmap){ e.start, start - e.start,
				    e.block, 0 };
				if (ref_add(r, piece, NULL) != 0) {
					free(before);
					return -EEXIST;
				}
				r->splits++;
			}
			if (testend && e.start + e.len > start + len) {
				piece = (struct rmap){ start + len,
				    e.start + e.len - (start + len),
				    e.block + (start + len - e.start), 0 };
				if (r->mutant == MUT_TAIL_NO_SHIFT)
					piece.block = e.block;
				if (ref_add(r, piece, NULL) != 0) {
					free(before);
					return -EEXIST;
				}
				r->splits++;
			}
		}
		after = ref_sorted(r);
		same = same_maps(before, nbefore, after, r->n);
		free(before);
		free(after);
		if (same)
			return -ELOOP;
	}
	return 0;
}

static const char *
fmt_map(char *buf, size_t sz, uint64_t start, uint64_t len, uint64_t block)
{
	snprintf(buf, sz, "[%#" PRIx64 " +%#" PRIx64 ")->%#" PRIx64, start,
	    len, block);
	return buf;
}

/* Everything observable: maps, count, last, counters.  0 if equal. */
static int
compare(const struct em_tree *t, const struct ref *r, char *why, size_t sz)
{
	struct rmap *s = ref_sorted(r);
	const struct em_map *em = em_first(t);
	const struct rmap *rl = NULL;
	char b1[80], b2[80];
	int rc = -1;

	if (t->count != r->n) {
		snprintf(why, sz, "count %zu vs reference %zu", t->count, r->n);
		goto out;
	}
	for (size_t i = 0; i < r->n; i++, em = em_next(t, em)) {
		if (em->start != s[i].start || em->len != s[i].len ||
		    em->block_start != s[i].block) {
			snprintf(why, sz, "map %zu: %s vs reference %s", i,
			    fmt_map(b1, sizeof(b1), em->start, em->len,
			    em->block_start), fmt_map(b2, sizeof(b2),
			    s[i].start, s[i].len, s[i].block));
			goto out;
		}
	}
	for (size_t i = 0; i < r->n; i++)
		if (r->m[i].id == r->last)
			rl = &r->m[i];
	if ((t->last == NULL) != (rl == NULL) || (rl != NULL &&
	    (t->last->start != rl->start || t->last->len != rl->len ||
	    t->last->block_start != rl->block))) {
		snprintf(why, sz, "last differs (%s vs %s)",
		    t->last ? "set" : "NULL", rl ? "set" : "NULL");
		goto out;
	}
	if (t->merges != r->merges || t->splits != r->splits) {
		snprintf(why, sz, "merges/splits %" PRIu64 "/%" PRIu64
		    " vs reference %" PRIu64 "/%" PRIu64, t->merges, t->splits,
		    r->merges, r->splits);
		goto out;
	}
	rc = 0;
out:
	free(s);
	return rc;
}

/* A map that does not wrap past (u64)-1. */
static struct rmap
gen_map(struct rng *g)
{
	struct rmap x;

	gen_extent(g, &x.start, &x.len, &x.block);
	x.id = 0;
	return x;
}

/* What the random runs exercised, so that the test proves its coverage. */
struct diff_stats {
	unsigned long	 eexist_add;
	unsigned long	 eexist_drop;
	unsigned long	 eloop;
	unsigned long	 eio_merge;
	unsigned long	 refail_merge;
	unsigned long	 ok_merge;
	unsigned long	 wrapped_drops;
	unsigned long	 clones;
	unsigned long	 overlap_resets;
};

static bool
same_result(const struct em_map *em, struct ref *r, unsigned id)
{
	const struct rmap *x;

	if (em == NULL || id == 0)
		return em == NULL && id == 0;
	x = ref_get(r, id);
	return em->start == x->start && em->len == x->len &&
	    em->block_start == x->block;
}

static bool
same_map(const struct em_map *em, const struct rmap *x)
{
	return em->start == x->start && em->len == x->len &&
	    em->block_start == x->block;
}

/*
 * One operation on both; false (with WHY) on any difference in results.
 * The em side is exactly what a caller such as get_extent does.
 */
static bool
diff_step(struct rng *g, struct em_tree *t, struct ref *r,
    struct diff_stats *st, enum op op, char *why, size_t sz)
{
	struct rmap x;
	struct em_map *em, *found;
	unsigned id;
	uint64_t start, len, end;
	int rc, rrc;
	bool whole;

	switch (op) {
	case OP_LOOKUP:
		start = gen_pos(g);
		len = gen_len(g);
		found = em_lookup(t, start, len);
		id = ref_lookup(r, start, len);
		if (!same_result(found, r, id)) {
			snprintf(why, sz, "lookup(%#" PRIx64 ", %#" PRIx64
			    ") differs", start, len);
			return false;
		}
		return true;
	case OP_ADD:
	case OP_GET_EXTENT:
		x = gen_map(g);
		em = em_alloc(x.start, x.len, x.block);
		rc = em_add(t, em);
		rrc = ref_add(r, x, NULL);
		if (rc != rrc) {
			snprintf(why, sz, "add %d vs reference %d", rc, rrc);
			if (rc != 0)
				em_free(em);
			return false;
		}
		if (rc == 0)
			return true;
		st->eexist_add++;
		if (op == OP_ADD) {
			em_free(em);
			return true;
		}
		found = em_lookup(t, em->start, em->len);
		id = ref_lookup(r, x.start, x.len);
		if (!same_result(found, r, id)) {
			snprintf(why, sz, "get_extent lookup differs");
			em_free(em);
			return false;
		}
		if (found == NULL) {
			em_free(em);
			return true;
		}
		goto merge;
	case OP_MERGE:
		start = gen_pos(g);
		len = gen_len(g);
		found = em_lookup(t, start, len);
		id = ref_lookup(r, start, len);
		if (!same_result(found, r, id)) {
			snprintf(why, sz, "merge lookup differs");
			return false;
		}
		if (found == NULL)
			return true;
		x = gen_map(g);
		em = em_alloc(x.start, x.len, x.block);
	merge:
		rc = em_merge_mapping(t, found, em);
		rrc = ref_merge(r, id, &x);
		/* On success EM may have absorbed more; compare() sees it. */
		if (rc != rrc || (rc != 0 && !same_map(em, &x))) {
			snprintf(why, sz, "merge %d vs reference %d", rc, rrc);
			if (rc != 0)
				em_free(em);
			return false;
		}
		if (rc == -EIO)
			st->eio_merge++;
		else if (rc == -EEXIST)
			st->refail_merge++;
		else
			st->ok_merge++;
		if (rc != 0)
			em_free(em);
		return true;
	case OP_REMOVE:
		start = gen_pos(g);
		found = em_lookup(t, start, UNIT);
		id = ref_lookup(r, start, UNIT);
		if (!same_result(found, r, id)) {
			snprintf(why, sz, "remove lookup differs");
			return false;
		}
		if (found != NULL) {
			em_remove(t, found);
			em_free(found);
			ref_remove(r, id);
		}
		return true;
	case OP_DROP:
		start = gen_pos(g);
		end = gen_end(g, start);
		whole = rng_below(g, 100) < 30;
		st->wrapped_drops += end < start;
		rc = em_drop_cache(t, start, end, whole);
		rrc = ref_drop(r, start, end, whole);
		if (rc != rrc) {
			snprintf(why, sz, "drop(%#" PRIx64 ", %#" PRIx64
			    ", %d) %d vs reference %d", start, end, whole, rc,
			    rrc);
			return false;
		}
		st->eexist_drop += rc == -EEXIST;
		st->eloop += rc == -ELOOP;
		return true;
	case OP_CLONE: {
		struct em_tree copy;

		em_tree_clone(&copy, t);
		em_tree_destroy(t);
		*t = copy;
		st->clones++;
		return true;
	}
	case OP_RESET:
		em_tree_destroy(t);
		ref_clear(r);
		return true;
	}
	return false;
}

/*
 * Run NOPS random operations from SEED on a tree and a reference.  Returns
 * -1 if they never diverged, else the index of the first divergent
 * operation, with a message naming the seed and index in WHY.
 */
static long
diff_run(uint64_t seed, long nops, enum mutant mutant, struct diff_stats *st,
    char *why, size_t sz)
{
	struct em_tree t;
	struct ref r;
	struct rng g;
	char msg[256];
	const char *bad;
	long i, failed = -1;
	enum op op = OP_LOOKUP;

	rng_seed(&g, seed);
	em_tree_init(&t);
	ref_init(&r, mutant);
	for (i = 0; i < nops; i++) {
		op = gen_op(&g, t.count, 160);
		if (!diff_step(&g, &t, &r, st, op, msg, sizeof(msg)) ||
		    compare(&t, &r, msg, sizeof(msg)) != 0) {
			failed = i;
			break;
		}
		if (em_check(&t, &bad) != 0) {
			snprintf(msg, sizeof(msg), "em_check: %s", bad);
			failed = i;
			break;
		}
		/*
		 * The reference knows only the floor rule, which is 2008's
		 * answer while the maps are disjoint: an operation that
		 * left an overlap starts both over (check_em2008 covers
		 * trees with overlaps).
		 */
		if (t.overlaps > 0) {
			em_tree_destroy(&t);
			ref_clear(&r);
			st->overlap_resets++;
		}
	}
	if (failed >= 0)
		snprintf(why, sz, "seed %#" PRIx64 " op %ld (%s): %s", seed,
		    failed, op_names[op], msg);
	em_tree_destroy(&t);
	ref_free(&r);
	return failed;
}

static const uint64_t diff_seeds[] = {
	1, 2, 3, 0x3b951516, 0xdeadbeefcafef00dULL,
};
#define DIFF_OPS	20000		/* per seed: 100k in all */

/*
 * scenario: ~100k random operations agree with the reference, op by op,
 * on trees without overlaps (an operation that leaves one resets both).
 */
START_TEST(test_diff_random)
{
	struct diff_stats st = { 0 };
	char why[512];
	long failed;

	for (size_t i = 0; i < NELEM(diff_seeds); i++) {
		failed = diff_run(diff_seeds[i], DIFF_OPS, MUT_NONE, &st, why,
		    sizeof(why));
		ck_assert_msg(failed < 0, "%s", why);
	}
	/* The runs reached the interesting paths. */
	ck_assert_uint_gt(st.eexist_add, 100);
	ck_assert_uint_gt(st.eexist_drop, 10);
	ck_assert_uint_gt(st.eloop, 10);
	ck_assert_uint_gt(st.eio_merge, 100);
	ck_assert_uint_gt(st.refail_merge, 0);
	ck_assert_uint_gt(st.ok_merge, 100);
	ck_assert_uint_gt(st.wrapped_drops, 100);
	ck_assert_uint_gt(st.clones, 10);
}
END_TEST

/* scenario: a reference with a wrong rule is caught by the comparison. */
START_TEST(test_diff_catches_mutants)
{
	static const enum mutant mutants[] = { MUT_NO_FORWARD_MERGE,
	    MUT_TAIL_NO_SHIFT };
	struct diff_stats st = { 0 };
	char why[512];

	for (size_t i = 0; i < NELEM(mutants); i++)
		ck_assert_msg(diff_run(diff_seeds[0], DIFF_OPS, mutants[i],
		    &st, why, sizeof(why)) >= 0,
		    "mutant %d went unnoticed", (int)mutants[i]);
}
END_TEST

/* scenario: each kind of corruption of an equal reference is detected. */
START_TEST(test_diff_catches_corruption)
{
	struct ref r;
	struct rng g;
	struct diff_stats st = { 0 };
	struct rmap saved;
	char why[256];
	size_t saved_n;
	unsigned saved_last;

	rng_seed(&g, 42);
	ref_init(&r, MUT_NONE);
	while (tree.count < 8) {
		ck_assert(diff_step(&g, &tree, &r, &st, OP_ADD, why,
		    sizeof(why)));
		em_lookup(&tree, 0, UINT64_MAX);
		ref_lookup(&r, 0, UINT64_MAX);
	}
	ck_assert_int_eq(compare(&tree, &r, why, sizeof(why)), 0);

	saved = r.m[3];
	r.m[3].block++;
	ck_assert_int_eq(compare(&tree, &r, why, sizeof(why)), -1);
	r.m[3] = saved;
	r.m[3].len--;
	ck_assert_int_eq(compare(&tree, &r, why, sizeof(why)), -1);
	r.m[3] = saved;
	r.m[3].start++;
	ck_assert_int_eq(compare(&tree, &r, why, sizeof(why)), -1);
	r.m[3] = saved;

	saved_n = r.n;
	r.n--;
	ck_assert_int_eq(compare(&tree, &r, why, sizeof(why)), -1);
	r.n = saved_n;

	saved_last = r.last;
	r.last = r.m[0].id == saved_last ? r.m[1].id : r.m[0].id;
	ck_assert_int_eq(compare(&tree, &r, why, sizeof(why)), -1);
	r.last = 0;
	ck_assert_int_eq(compare(&tree, &r, why, sizeof(why)), -1);
	r.last = saved_last;

	r.merges++;
	ck_assert_int_eq(compare(&tree, &r, why, sizeof(why)), -1);
	r.merges--;
	r.splits++;
	ck_assert_int_eq(compare(&tree, &r, why, sizeof(why)), -1);
	r.splits--;

	ck_assert_int_eq(compare(&tree, &r, why, sizeof(why)), 0);
	ref_free(&r);
}
END_TEST

static Suite *
em_suite(void)
{
	Suite *s = suite_create("em");
	TCase *tc;

	tc = tcase_create("drop");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_drop_worked_split);
	tcase_add_test(tc, test_drop_worked_split_whole);
	tcase_add_test(tc, test_drop_worked_to_eof);
	tcase_add_test(tc, test_drop_worked_special_whole);
	tcase_add_test(tc, test_drop_inclusive_end);
	tcase_add_test(tc, test_drop_remnant_merges);
	tcase_add_test(tc, test_drop_remnant_collides);
	tcase_add_test(tc, test_drop_zero_length);
	tcase_add_test(tc, test_drop_nothing);
	suite_add_tcase(s, tc);

	tc = tcase_create("lookup");
	tcase_add_checked_fixture(tc, setup_ab, teardown);
	tcase_add_test(tc, test_lookup_last_fast_path);
	tcase_add_test(tc, test_lookup_containment);
	tcase_add_test(tc, test_lookup_successor);
	tcase_add_test(tc, test_lookup_zero_length);
	tcase_add_test(tc, test_lookup_saturating);
	suite_add_tcase(s, tc);

	tc = tcase_create("add");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_add_eexist_start_inside);
	tcase_add_test(tc, test_add_overlap_successor);
	tcase_add_test(tc, test_add_floor_rule);
	tcase_add_test(tc, test_add_merge_backward);
	tcase_add_test(tc, test_add_merge_forward);
	tcase_add_test(tc, test_add_merge_both);
	tcase_add_test(tc, test_add_merge_specials);
	tcase_add_test(tc, test_add_at_zero);
	tcase_add_test(tc, test_add_no_merge_discontiguous);
	tcase_add_test(tc, test_add_merge_last_byte_bound);
	tcase_add_test(tc, test_remove);
	suite_add_tcase(s, tc);

	tc = tcase_create("merge");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_merge_invalid);
	tcase_add_test(tc, test_merge_unions);
	tcase_add_test(tc, test_merge_then_add_merges);
	tcase_add_test(tc, test_merge_refail);
	tcase_add_test(tc, test_get_extent_refail_errno);
	suite_add_tcase(s, tc);

	tc = tcase_create("quirk4");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_quirk4_hole_drop_length, 0,
	    (int)NELEM(q4_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("tree");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_clone);
	tcase_add_test(tc, test_destroy);
	tcase_add_test(tc, test_check_detects);
	suite_add_tcase(s, tc);

	tc = tcase_create("diff");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_diff_random);
	tcase_add_test(tc, test_diff_catches_mutants);
	tcase_add_test(tc, test_diff_catches_corruption);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(em_suite)
