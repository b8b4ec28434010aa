/*
 * Unit tests for sim/fei: directed cases for insert, drop, truncate and
 * lookups, and a differential test against a per-byte model of a small
 * file.  Each model byte records which model item holds it (0: none), the
 * disk address it maps to (0: hole) and the extent it lies in; the model
 * counts references per extent itself.  The expected items are the
 * maximal runs of bytes with one item id.  fei_check() and alloc_check()
 * run after every operation.
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/fei.h"
#include "sim/rng.h"
#include "tests/unit/differential.h"
#include "tests/unit/suite.h"

#define FSZ	512			/* model file bytes */
#define ABASE	(1ULL << 20)		/* allocator area */
#define ASIZE	4096
#define AALIGN	4
#define AUNITS	(ASIZE / AALIGN)

struct fbyte {
	int		id;		/* model item, 0: no item */
	uint64_t	disk;		/* logical address, 0: hole */
	uint64_t	ext;		/* extent start, 0: hole */
};

struct fmodel {
	struct fbyte	b[FSZ];
	int		next_id;
	uint64_t	refs[AUNITS];	/* by extent start unit */
	uint64_t	extlen[AUNITS];	/* bytes, by extent start unit */
};

static int
ext_unit(uint64_t ext)
{
	return (int)((ext - ABASE) / AALIGN);
}

/* Bytes of item ID: its first byte and one past its last. */
static void
model_item_span(const struct fmodel *md, int id, int *lo, int *hi)
{
	*lo = -1;
	*hi = -1;
	for (int i = 0; i < FSZ; i++)
		if (md->b[i].id == id) {
			if (*lo < 0)
				*lo = i;
			*hi = i + 1;
		}
}

static void
model_unref(struct fmodel *md, uint64_t ext)
{
	if (ext != 0)
		md->refs[ext_unit(ext)]--;
}

static bool
model_overlaps(const struct fmodel *md, int s, int e)
{
	for (int i = s; i < e; i++)
		if (md->b[i].id != 0)
			return true;
	return false;
}

/* Record an item [s, e) mapping to DISK (0: hole) in extent EXT. */
static void
model_insert(struct fmodel *md, int s, int e, uint64_t disk, uint64_t ext)
{
	int id = ++md->next_id;

	for (int i = s; i < e; i++) {
		md->b[i].id = id;
		md->b[i].disk = disk != 0 ? disk + (uint64_t)(i - s) : 0;
		md->b[i].ext = ext;
	}
}

static void
model_clear_bytes(struct fmodel *md, int s, int e)
{
	for (int i = s; i < e; i++)
		memset(&md->b[i], 0, sizeof(md->b[i]));
}

/* btrfs_drop_extents, one item at a time, by counting bytes. */
static void
model_drop(struct fmodel *md, int s, int e)
{
	int ids[FSZ], n = 0, lo, hi;

	for (int i = s; i < e; i++)
		if (md->b[i].id != 0 && (n == 0 || ids[n - 1] != md->b[i].id))
			ids[n++] = md->b[i].id;
	for (int k = 0; k < n; k++) {
		model_item_span(md, ids[k], &lo, &hi);
		if (lo < s && hi > e) {
			int tail = ++md->next_id;

			for (int i = e; i < hi; i++)
				md->b[i].id = tail;
			if (md->b[lo].ext != 0)
				md->refs[ext_unit(md->b[lo].ext)]++;
		} else if (lo >= s && hi <= e)
			model_unref(md, md->b[lo].ext);
	}
	model_clear_bytes(md, s, e);
}

/* The truncate rules of fei.h, one item at a time. */
static void
model_truncate(struct fmodel *md, uint64_t size, uint64_t ss)
{
	int lo, hi;
	uint64_t keep;

	for (int id = 1; id <= md->next_id; id++) {
		model_item_span(md, id, &lo, &hi);
		if (lo < 0 || (uint64_t)hi <= size)
			continue;
		if ((uint64_t)lo >= size) {
			model_unref(md, md->b[lo].ext);
			model_clear_bytes(md, lo, hi);
			continue;
		}
		keep = (size - (uint64_t)lo + ss - 1) / ss * ss;
		if (keep < (uint64_t)(hi - lo))
			model_clear_bytes(md, lo + (int)keep, hi);
	}
}

static char diff_buf[256];

/* Compare the items and references with the model. */
static const char *
compare(const struct fei_tree *t, const struct alloc *al,
    const struct fmodel *md, struct rng *r)
{
	const struct fei_item *it = fei_first(t), *f;
	const char *why;
	size_t live = 0;
	int i = 0, j, off, nx;

	if (fei_check(t, &why) != 0 || alloc_check(al, &why) != 0)
		return why;
	while (i < FSZ) {
		if (md->b[i].id == 0) {
			i++;
			continue;
		}
		for (j = i; j < FSZ && md->b[j].id == md->b[i].id; j++)
			;
		if (it == NULL || it->file_offset != (uint64_t)i ||
		    it->num_bytes != (uint64_t)(j - i) ||
		    it->disk_bytenr != md->b[i].ext) {
			snprintf(diff_buf, sizeof(diff_buf),
			    "item at %d differs", i);
			return diff_buf;
		}
		if (md->b[i].ext != 0 &&
		    (it->disk_bytenr + it->offset != md->b[i].disk ||
		    it->disk_num_bytes != md->extlen[ext_unit(md->b[i].ext)]))
			return "item's disk mapping differs";
		it = fei_next(t, it);
		i = j;
	}
	if (it != NULL)
		return "tree has an extra item";
	for (int u = 0; u < AUNITS; u++) {
		if (md->refs[u] == 0)
			continue;
		live++;
		if (alloc_refs(al, ABASE + (uint64_t)u * AALIGN) != md->refs[u])
			return "reference count differs";
	}
	if (al->extents.count != live)
		return "allocator holds other extents";

	for (int q = 0; q < 4; q++) {
		off = (int)rng_below(r, FSZ + 8);
		f = fei_lookup(t, (uint64_t)off);
		if (off >= FSZ ? f != NULL :
		    (f != NULL) != (md->b[off].id != 0))
			return "fei_lookup differs";
		for (nx = off + 1; nx < FSZ && (md->b[nx].id == 0 ||
		    md->b[nx].id == md->b[nx - 1].id); nx++)
			;
		f = fei_next_after(t, (uint64_t)off);
		if (nx >= FSZ ? f != NULL :
		    f == NULL || f->file_offset != (uint64_t)nx)
			return "fei_next_after differs";
	}
	return NULL;
}

/* A random file range [*s, *e), mostly short. */
static void
random_range(struct rng *r, int *s, int *e)
{
	int len = 1 + (int)rng_below(r, rng_below(r, 8) == 0 ? FSZ : 48);

	*s = (int)rng_below(r, (uint64_t)(FSZ - len + 1));
	*e = *s + len;
}

/*
 * Insert IT (holding a reference on EXT, or a hole if EXT is 0) and check
 * the result against the model: -EEXIST exactly when the range is taken.
 * On success the model gains the item and the reference stays; on
 * -EEXIST the caller's reference is given back.
 */
static const char *
insert_checked(struct fei_tree *t, struct alloc *al, struct fmodel *md,
    const struct fei_item *it)
{
	int s = (int)it->file_offset, e = s + (int)it->num_bytes;
	int expect = model_overlaps(md, s, e) ? -EEXIST : 0;
	int rc = fei_insert(t, it);

	if (rc != expect)
		return "fei_insert result differs";
	if (rc != 0) {
		if (it->disk_bytenr != 0)
			ck_assert_int_eq(alloc_put(al, it->disk_bytenr), 0);
		return NULL;
	}
	if (it->disk_bytenr != 0)
		md->refs[ext_unit(it->disk_bytenr)]++;
	model_insert(md, s, e, it->disk_bytenr + it->offset, it->disk_bytenr);
	return NULL;
}

/* An item at [s, e) over a new extent (the write path's new item). */
static const char *
insert_new(struct fei_tree *t, struct alloc *al, struct fmodel *md,
    struct rng *r, int s, int e)
{
	struct fei_item it = { .file_offset = (uint64_t)s };
	uint64_t start, got, len = (uint64_t)(e - s);

	if (alloc_reserve(al, len + rng_below(r, 24), ABASE +
	    rng_below(r, ASIZE), &start, &got) != 0)
		return NULL;			/* ENOSPC: nothing to do */
	if (got < len)
		len = got;
	it.num_bytes = len;
	it.disk_bytenr = start;
	it.disk_num_bytes = got;
	it.offset = rng_below(r, got - len + 1);
	md->extlen[ext_unit(start)] = got;
	return insert_checked(t, al, md, &it);
}

/* An item at [s, e) sharing a live extent (a reference taken by get). */
static const char *
insert_shared(struct fei_tree *t, struct alloc *al, struct fmodel *md,
    struct rng *r, int s, int e)
{
	struct fei_item it = { .file_offset = (uint64_t)s };
	uint64_t len = (uint64_t)(e - s);
	int u = (int)rng_below(r, AUNITS);

	for (int k = 0; k < AUNITS && md->refs[u] == 0; k++)
		u = (u + 1) % AUNITS;
	if (md->refs[u] == 0)
		return NULL;			/* no extent to share */
	if (len > md->extlen[u])
		len = md->extlen[u];
	it.num_bytes = len;
	it.disk_bytenr = ABASE + (uint64_t)u * AALIGN;
	it.disk_num_bytes = md->extlen[u];
	it.offset = rng_below(r, md->extlen[u] - len + 1);
	ck_assert_int_eq(alloc_get(al, it.disk_bytenr), 0);
	return insert_checked(t, al, md, &it);
}

static const char *
insert_hole(struct fei_tree *t, struct alloc *al, struct fmodel *md, int s,
    int e)
{
	struct fei_item it = {
		.file_offset = (uint64_t)s, .num_bytes = (uint64_t)(e - s),
	};

	return insert_checked(t, al, md, &it);
}

/* Make the model wrong: one byte's disk address moves. */
static void
model_corrupt(struct fmodel *md)
{
	for (int i = 0; i < FSZ; i++)
		if (md->b[i].ext != 0) {
			md->b[i].disk++;
			return;
		}
	md->b[0].id = -1;
}

/*
 * One seed's run of NOPS operations; returns NULL or the first difference
 * with *AT its step.  CORRUPT_AT >= 0 alters the model after that step.
 */
static const char *
run_differential(uint64_t seed, int nops, int corrupt_at, int *at)
{
	static struct fmodel md;
	static const uint64_t sectorsizes[] = { 1, 2, 4, 16, 64 };
	struct fei_tree t, tcopy;
	struct alloc al, acopy;
	struct rng r;
	const char *bad = NULL;
	uint64_t size, ss;
	int s, e;

	memset(&md, 0, sizeof(md));
	rng_seed(&r, seed);
	fei_init(&t);
	ck_assert_int_eq(alloc_init(&al, ABASE, ASIZE, AALIGN), 0);
	for (*at = 0; *at < nops; (*at)++) {
		random_range(&r, &s, &e);
		switch (rng_below(&r, 20)) {
		case 0:
			fei_clone(&tcopy, &t);
			alloc_clone(&acopy, &al);
			fei_destroy(&t);
			alloc_destroy(&al);
			t = tcopy;
			al = acopy;
			break;
		case 1:
			ss = sectorsizes[rng_below(&r, 5)];
			size = rng_below(&r, FSZ + 16);
			fei_truncate(&t, &al, size, ss);
			model_truncate(&md, size, ss);
			break;
		case 2:
		case 3:
		case 4:
		case 5:
		case 6:
			if (fei_drop(&t, &al, (uint64_t)s, (uint64_t)e) != 0)
				bad = "fei_drop failed";
			model_drop(&md, s, e);
			break;
		case 7:
		case 8:
		case 9:
		case 10:	/* a write: drop, then the new item */
			if (fei_drop(&t, &al, (uint64_t)s, (uint64_t)e) != 0)
				bad = "fei_drop failed";
			model_drop(&md, s, e);
			if (bad == NULL)
				bad = insert_new(&t, &al, &md, &r, s, e);
			break;
		case 11:
		case 12:
		case 13:
			bad = insert_new(&t, &al, &md, &r, s, e);
			break;
		case 14:
		case 15:
			bad = insert_shared(&t, &al, &md, &r, s, e);
			break;
		default:
			bad = insert_hole(&t, &al, &md, s, e);
		}
		if (*at == corrupt_at)
			model_corrupt(&md);
		if (bad != NULL || (bad = compare(&t, &al, &md, &r)) != NULL)
			break;
	}
	if (bad == NULL) {
		/* Dropping everything must return every byte of space. */
		fei_drop(&t, &al, 0, UINT64_MAX);
		if (t.count != 0 || al.free_bytes != al.size ||
		    al.extents.count != 0)
			bad = "space leaked after dropping every item";
	}
	fei_destroy(&t);
	alloc_destroy(&al);
	return bad;
}

/* Scenario: random inserts, drops, writes, truncates against the model,
 * and a deliberately wrong model caught at once (differential.h).
 */
DIFFERENTIAL_TESTS(30, 2000, 5, 900)

#define K4	4096ULL
#define MiB	(1ULL << 20)

static void
assert_ok(const struct fei_tree *t, const struct alloc *al)
{
	const char *why;

	ck_assert_msg(fei_check(t, &why) == 0, "fei_check: %s", why);
	ck_assert_msg(alloc_check(al, &why) == 0, "alloc_check: %s", why);
}

/* A real item for [off, off+len) over a fresh extent of EXT_LEN bytes. */
static struct fei_item
new_item(struct alloc *al, uint64_t off, uint64_t len, uint64_t ext_len)
{
	struct fei_item it = { .file_offset = off, .num_bytes = len };
	uint64_t got;

	ck_assert_int_eq(alloc_reserve(al, ext_len, 0, &it.disk_bytenr,
	    &got), 0);
	ck_assert_uint_eq(got, ext_len);
	it.disk_num_bytes = ext_len;
	return it;
}

struct want_item {
	uint64_t	off, len, disk, offset;
};

static void
assert_items(const struct fei_tree *t, const struct want_item *w, size_t n)
{
	const struct fei_item *it = fei_first(t);

	ck_assert_uint_eq(t->count, n);
	for (size_t i = 0; i < n; i++, it = fei_next(t, it)) {
		ck_assert_ptr_nonnull(it);
		ck_assert_uint_eq(it->file_offset, w[i].off);
		ck_assert_uint_eq(it->num_bytes, w[i].len);
		ck_assert_uint_eq(it->disk_bytenr, w[i].disk);
		ck_assert_uint_eq(it->offset, w[i].offset);
	}
	ck_assert_ptr_null(it);
}

/* Scenario: inserts overlapping an item [8K, 16K) are refused whole. */
START_TEST(test_insert_overlap)
{
	static const struct {
		uint64_t	off, len;
		int		rc;
	} cases[] = {
		{ 2 * K4, 2 * K4, -EEXIST },		/* identical */
		{ 1 * K4, 2 * K4, -EEXIST },		/* over the head */
		{ 3 * K4, 2 * K4, -EEXIST },		/* over the tail */
		{ 2 * K4 + 1, 1, -EEXIST },		/* inside */
		{ 0, 8 * K4, -EEXIST },			/* covering */
		{ 4 * K4, K4, 0 },			/* adjacent after */
		{ 0, 2 * K4, 0 },			/* adjacent before */
		{ 6 * K4, K4, 0 },			/* apart */
	};
	struct fei_tree t;
	struct alloc al;
	struct fei_item it = { .file_offset = 2 * K4, .num_bytes = 2 * K4 };
	struct fei_item h = { 0 };

	fei_init(&t);
	ck_assert_int_eq(alloc_init(&al, MiB, 64 * K4, K4), 0);
	ck_assert_int_eq(fei_insert(&t, &it), 0);	/* a hole [8K,16K) */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fei_tree c;

		fei_clone(&c, &t);
		h.file_offset = cases[i].off;
		h.num_bytes = cases[i].len;
		ck_assert_int_eq(fei_insert(&c, &h), cases[i].rc);
		ck_assert_uint_eq(c.count, cases[i].rc == 0 ? 2 : 1);
		assert_ok(&c, &al);
		fei_destroy(&c);
	}
	fei_destroy(&t);
	alloc_destroy(&al);
}
END_TEST

/*
 * Scenario: one real item [0, 64K) over a 64K extent, then each of the
 * four drop cases; the table gives the items and the extent's references
 * afterwards.
 */
START_TEST(test_drop_cases)
{
	static const struct {
		uint64_t		start, end;
		size_t			n;
		struct want_item	w[2];
		uint64_t		refs;
	} cases[] = {
		{ 4 * K4, 8 * K4, 2,			/* split */
		  { { 0, 4 * K4, 0, 0 }, { 8 * K4, 8 * K4, 0, 8 * K4 } }, 2 },
		{ 0, 4 * K4, 1,				/* head trim */
		  { { 4 * K4, 12 * K4, 0, 4 * K4 } }, 1 },
		{ 12 * K4, 20 * K4, 1,			/* tail trim */
		  { { 0, 12 * K4, 0, 0 } }, 1 },
		{ 0, 16 * K4, 0, { { 0 } }, 0 },	/* delete: freed */
		{ 0, UINT64_MAX, 0, { { 0 } }, 0 },
		{ 16 * K4, 20 * K4, 1,			/* after it: nothing */
		  { { 0, 16 * K4, 0, 0 } }, 1 },
		{ 5, 5, 1, { { 0, 16 * K4, 0, 0 } }, 1 },	/* empty */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fei_tree t;
		struct alloc al;
		struct fei_item it;
		struct want_item w[2];

		fei_init(&t);
		ck_assert_int_eq(alloc_init(&al, MiB, 64 * K4, K4), 0);
		it = new_item(&al, 0, 16 * K4, 16 * K4);
		ck_assert_int_eq(fei_insert(&t, &it), 0);
		ck_assert_int_eq(fei_drop(&t, &al, cases[i].start,
		    cases[i].end), 0);
		for (size_t k = 0; k < cases[i].n; k++) {
			w[k] = cases[i].w[k];
			w[k].disk = it.disk_bytenr;
		}
		assert_items(&t, w, cases[i].n);
		ck_assert_uint_eq(alloc_refs(&al, it.disk_bytenr),
		    cases[i].refs);
		ck_assert_uint_eq(al.free_bytes, cases[i].refs == 0 ?
		    al.size : al.size - 16 * K4);
		assert_ok(&t, &al);
		fei_drop(&t, &al, 0, UINT64_MAX);
		ck_assert_uint_eq(al.free_bytes, al.size);
		fei_destroy(&t);
		alloc_destroy(&al);
	}
}
END_TEST

/* Scenario: holes split and trim without touching the allocator. */
START_TEST(test_drop_holes)
{
	static const struct want_item w[] = {
		{ 0, K4, 0, 0 }, { 3 * K4, K4, 0, 0 },
	};
	struct fei_tree t;
	struct alloc al;
	struct fei_item h = { .file_offset = 0, .num_bytes = 4 * K4 };

	fei_init(&t);
	ck_assert_int_eq(alloc_init(&al, MiB, 4 * K4, K4), 0);
	ck_assert_int_eq(fei_insert(&t, &h), 0);
	ck_assert_int_eq(fei_drop(&t, &al, K4, 3 * K4), 0);
	assert_items(&t, w, 2);
	ck_assert_uint_eq(fei_first(&t)->disk_num_bytes, 0);
	ck_assert_uint_eq(al.free_bytes, al.size);
	ck_assert_uint_eq(al.extents.count, 0);
	assert_ok(&t, &al);
	fei_destroy(&t);
	alloc_destroy(&al);
}
END_TEST

/*
 * Scenario: btrfs_truncate_in_trans on [0,16K) real, [16K,24K) hole,
 * [24K,32K) real: truncating to 5000 keeps [0,8K) of the first item, its
 * extent whole, and frees the last extent.
 */
START_TEST(test_truncate)
{
	struct fei_tree t;
	struct alloc al;
	struct fei_item a, b;
	struct fei_item h = { .file_offset = 4 * K4, .num_bytes = 2 * K4 };
	struct want_item w[1];

	fei_init(&t);
	ck_assert_int_eq(alloc_init(&al, MiB, 64 * K4, K4), 0);
	a = new_item(&al, 0, 4 * K4, 4 * K4);
	b = new_item(&al, 6 * K4, 2 * K4, 2 * K4);
	ck_assert_int_eq(fei_insert(&t, &a), 0);
	ck_assert_int_eq(fei_insert(&t, &h), 0);
	ck_assert_int_eq(fei_insert(&t, &b), 0);

	fei_truncate(&t, &al, 6 * K4, K4);		/* at an item start */
	ck_assert_uint_eq(t.count, 2);
	ck_assert_uint_eq(alloc_refs(&al, b.disk_bytenr), 0);
	assert_ok(&t, &al);

	fei_truncate(&t, &al, 5000, K4);
	w[0] = (struct want_item){ 0, 2 * K4, a.disk_bytenr, 0 };
	assert_items(&t, w, 1);
	ck_assert_uint_eq(alloc_refs(&al, a.disk_bytenr), 1);
	ck_assert_uint_eq(alloc_extent_at(&al, a.disk_bytenr)->end,
	    a.disk_bytenr + 4 * K4);			/* bookend */
	assert_ok(&t, &al);

	fei_truncate(&t, &al, 8 * K4, K4);		/* past EOF: nothing */
	assert_items(&t, w, 1);
	fei_truncate(&t, &al, 0, K4);
	ck_assert_uint_eq(t.count, 0);
	ck_assert_uint_eq(al.free_bytes, al.size);
	assert_ok(&t, &al);
	fei_destroy(&t);
	alloc_destroy(&al);
}
END_TEST

/*
 * Scenario: an item whose end is not sector aligned is never lengthened by
 * the round-up, and offsets near 2^64 neither wrap nor saturate wrongly.
 */
START_TEST(test_truncate_edges)
{
	struct fei_tree t;
	struct alloc al;
	struct fei_item h = { .file_offset = 100, .num_bytes = 50 };
	struct fei_item top = { .file_offset = 0, .num_bytes = UINT64_MAX };

	fei_init(&t);
	ck_assert_int_eq(alloc_init(&al, MiB, 4 * K4, K4), 0);
	ck_assert_int_eq(fei_insert(&t, &h), 0);
	fei_truncate(&t, &al, 120, K4);
	ck_assert_uint_eq(fei_first(&t)->num_bytes, 50);
	fei_truncate(&t, &al, 101, 16);
	ck_assert_uint_eq(fei_first(&t)->num_bytes, 16);
	fei_truncate(&t, &al, 100, 16);
	ck_assert_uint_eq(t.count, 0);

	ck_assert_int_eq(fei_insert(&t, &top), 0);	/* ends at 2^64-1 */
	ck_assert_ptr_nonnull(fei_lookup(&t, UINT64_MAX - 1));
	ck_assert_ptr_null(fei_lookup(&t, UINT64_MAX));
	fei_truncate(&t, &al, UINT64_MAX - 1, K4);	/* round-up saturates */
	ck_assert_uint_eq(fei_first(&t)->num_bytes, UINT64_MAX);
	ck_assert_int_eq(fei_drop(&t, &al, UINT64_MAX - K4, UINT64_MAX), 0);
	ck_assert_uint_eq(fei_first(&t)->num_bytes, UINT64_MAX - K4);
	assert_ok(&t, &al);
	fei_destroy(&t);
	alloc_destroy(&al);
}
END_TEST

/* Scenario: lookups at item edges and in gaps. */
START_TEST(test_lookups)
{
	static const struct {
		uint64_t	off;
		int64_t		lookup;		/* file_offset found, -1 */
		int64_t		next;		/* next_after's, -1 */
	} cases[] = {
		{ 0, -1, 10 }, { 9, -1, 10 }, { 10, 10, 30 }, { 19, 10, 30 },
		{ 20, -1, 30 }, { 30, 30, 40 }, { 39, 30, 40 }, { 40, 40, -1 },
		{ 49, 40, -1 }, { 50, -1, -1 }, { UINT64_MAX, -1, -1 },
	};
	struct fei_tree t;
	struct fei_item a = { .file_offset = 10, .num_bytes = 10 };
	struct fei_item b = { .file_offset = 30, .num_bytes = 10 };
	struct fei_item c = { .file_offset = 40, .num_bytes = 10 };
	const struct fei_item *f;

	fei_init(&t);
	ck_assert_int_eq(fei_insert(&t, &c), 0);
	ck_assert_int_eq(fei_insert(&t, &a), 0);
	ck_assert_int_eq(fei_insert(&t, &b), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f = fei_lookup(&t, cases[i].off);
		ck_assert_int_eq(f == NULL ? -1 : (int64_t)f->file_offset,
		    cases[i].lookup);
		f = fei_next_after(&t, cases[i].off);
		ck_assert_int_eq(f == NULL ? -1 : (int64_t)f->file_offset,
		    cases[i].next);
	}
	fei_destroy(&t);
	ck_assert_ptr_null(fei_first(&t));
}
END_TEST

/* Scenario: fei_check reports each kind of broken tree. */
START_TEST(test_check_catches)
{
	struct fei_tree t;
	struct fei_item a = { .file_offset = 0, .num_bytes = 10,
	    .disk_bytenr = MiB, .disk_num_bytes = 10 };
	struct fei_item b = { .file_offset = 10, .num_bytes = 10 };
	struct fei_item *pa, *pb;
	const char *why;

	fei_init(&t);
	ck_assert_int_eq(fei_insert(&t, &a), 0);
	ck_assert_int_eq(fei_insert(&t, &b), 0);
	ck_assert_int_eq(fei_check(&t, &why), 0);
	pa = (struct fei_item *)fei_first(&t);
	pb = (struct fei_item *)fei_next(&t, pa);

	pa->num_bytes = 0;
	ck_assert_int_eq(fei_check(&t, &why), -1);
	ck_assert_str_eq(why, "empty item");

	pa->num_bytes = 11;
	ck_assert_int_eq(fei_check(&t, &why), -1);
	ck_assert_str_eq(why, "item runs past its disk extent");
	pa->disk_num_bytes = 11;
	ck_assert_int_eq(fei_check(&t, &why), -1);
	ck_assert_str_eq(why, "items overlap or out of order");
	pa->num_bytes = pa->disk_num_bytes = 10;

	pb->offset = 1;
	ck_assert_int_eq(fei_check(&t, &why), -1);
	ck_assert_str_eq(why, "hole with a disk range");
	pb->offset = 0;

	t.count = 3;
	ck_assert_int_eq(fei_check(&t, &why), -1);
	ck_assert_str_eq(why, "item count wrong");
	t.count = 2;
	ck_assert_int_eq(fei_check(&t, NULL), 0);
	fei_destroy(&t);
}
END_TEST

/* Scenario: a cloned tree is independent of its source. */
START_TEST(test_clone)
{
	struct fei_tree t, c;
	struct fei_item h = { .file_offset = 0, .num_bytes = 100 };
	struct alloc al;

	ck_assert_int_eq(alloc_init(&al, MiB, 4 * K4, K4), 0);
	fei_init(&t);
	ck_assert_int_eq(fei_insert(&t, &h), 0);
	fei_clone(&c, &t);
	ck_assert_int_eq(fei_drop(&t, &al, 10, 20), 0);
	ck_assert_uint_eq(t.count, 2);
	ck_assert_uint_eq(c.count, 1);
	ck_assert_uint_eq(fei_first(&c)->num_bytes, 100);
	ck_assert_int_eq(fei_check(&c, NULL), 0);
	fei_destroy(&t);
	fei_destroy(&c);
	alloc_destroy(&al);
}
END_TEST

static Suite *
fei_suite(void)
{
	Suite *s = suite_create("fei");
	TCase *tc;

	tc = tcase_create("directed");
	tcase_add_test(tc, test_insert_overlap);
	tcase_add_test(tc, test_drop_cases);
	tcase_add_test(tc, test_drop_holes);
	tcase_add_test(tc, test_truncate);
	tcase_add_test(tc, test_truncate_edges);
	tcase_add_test(tc, test_lookups);
	tcase_add_test(tc, test_check_catches);
	tcase_add_test(tc, test_clone);
	suite_add_tcase(s, tc);

	tc = tcase_create("differential");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_differential);
	tcase_add_test(tc, test_differential_catches_divergence);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(fei_suite)
