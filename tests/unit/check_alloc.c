/*
 * Unit tests for sim/alloc: directed edge cases, and a differential test
 * against a bitmap model that applies the allocation rules of alloc.h
 * naively, one unit of `align` bytes at a time: owner[u] is -1 for a free
 * unit or the first unit of the extent holding it.  alloc_check() runs
 * after every operation.
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/rng.h"
#include "tests/unit/differential.h"
#include "tests/unit/suite.h"

#define MAXU	320			/* largest model area, in units */
#define MiB	(1ULL << 20)

struct amodel {
	uint64_t	base;
	uint64_t	align;
	int		n;		/* units in the area */
	int		owner[MAXU]; /* -1 free, else the extent's first unit */
	uint64_t	refs[MAXU]; /* by first unit; 0 if no extent there */
	int		len[MAXU];	/* units, by first unit */
	uint64_t	nallocs;
};

static void
model_init(struct amodel *md, uint64_t base, uint64_t align, int n)
{
	memset(md, 0, sizeof(*md));
	md->base = base;
	md->align = align;
	md->n = n;
	for (int u = 0; u < n; u++)
		md->owner[u] = -1;
}

static bool
model_free(const struct amodel *md, int u)
{
	return md->owner[u] == -1;
}

/* Free units from U on. */
static int
model_run(const struct amodel *md, int u)
{
	int v = u;

	while (v < md->n && model_free(md, v))
		v++;
	return v - u;
}

/* A free unit that begins a run, seen from a search starting at FROM. */
static bool
model_run_start(const struct amodel *md, int u, int from)
{
	return model_free(md, u) && (u == from || !model_free(md, u - 1));
}

/* The rules of alloc.h, one unit at a time. */
static int
model_reserve(struct amodel *md, uint64_t want, uint64_t hint,
    uint64_t *start, uint64_t *got)
{
	uint64_t need = want / md->align + (want % md->align != 0);
	uint64_t off, hu;
	int h, at = -1, len = 0, u;

	for (u = 0; u < md->n && !model_free(md, u); u++)
		;
	if (u == md->n)
		return -ENOSPC;
	if (hint <= md->base)
		hu = 0;
	else {
		off = hint - md->base;
		hu = off / md->align + (off % md->align != 0);
	}
	h = hu > (uint64_t)md->n ? md->n : (int)hu;
	for (u = h; u < md->n && at < 0; u++)
		if (model_run_start(md, u, h) &&
		    (uint64_t)model_run(md, u) >= need)
			at = u;
	for (u = 0; u < h && at < 0; u++)
		if (model_run_start(md, u, 0) &&
		    (uint64_t)model_run(md, u) >= need)
			at = u;
	if (at >= 0)
		len = (int)need;
	else
		for (u = 0; u < md->n; u++)
			if (model_run_start(md, u, 0) &&
			    model_run(md, u) > len) {
				at = u;
				len = model_run(md, u);
			}
	for (u = at; u < at + len; u++)
		md->owner[u] = at;
	md->refs[at] = 1;
	md->len[at] = len;
	md->nallocs++;
	*start = md->base + (uint64_t)at * md->align;
	*got = (uint64_t)len * md->align;
	return 0;
}

/* The unit of address L if an extent starts there, else -1. */
static int
model_extent_unit(const struct amodel *md, uint64_t l)
{
	uint64_t u;

	if (l < md->base || (l - md->base) % md->align != 0)
		return -1;
	u = (l - md->base) / md->align;
	if (u >= (uint64_t)md->n || md->refs[u] == 0)
		return -1;
	return (int)u;
}

static int
model_get(struct amodel *md, uint64_t l)
{
	int u = model_extent_unit(md, l);

	if (u < 0)
		return -ENOENT;
	md->refs[u]++;
	return 0;
}

static int
model_put(struct amodel *md, uint64_t l)
{
	int u = model_extent_unit(md, l);

	if (u < 0)
		return -ENOENT;
	if (--md->refs[u] == 0)
		for (int v = u; v < u + md->len[u]; v++)
			md->owner[v] = -1;
	return 0;
}

static uint64_t
unit_addr(const struct amodel *md, int u)
{
	return md->base + (uint64_t)u * md->align;
}

static char diff_buf[256];

/* Compare AL with the model.  Returns NULL or the first difference. */
static const char *
compare(const struct alloc *al, const struct amodel *md)
{
	const struct imap_ent *r = imap_first(&al->free);
	const struct imap_ent *e = imap_first(&al->extents);
	const char *why;
	uint64_t free_units = 0;
	int u = 0, len;

	if (alloc_check(al, &why) != 0)
		return why;
	if (al->nallocs != md->nallocs)
		return "nallocs differs";
	while (u < md->n) {
		if (model_free(md, u)) {
			len = model_run(md, u);
			free_units += (uint64_t)len;
			if (r == NULL || r->start != unit_addr(md, u) ||
			    r->end != unit_addr(md, u + len)) {
				snprintf(diff_buf, sizeof(diff_buf),
				    "free run at unit %d differs", u);
				return diff_buf;
			}
			r = imap_next(&al->free, r);
		} else {
			len = md->len[u];
			if (md->refs[u] == 0 || len <= 0)
				return "model: no extent starts here";
			if (e == NULL || e->start != unit_addr(md, u) ||
			    e->end != unit_addr(md, u + len) ||
			    e->v.a != md->refs[u] ||
			    alloc_refs(al, e->start) != md->refs[u]) {
				snprintf(diff_buf, sizeof(diff_buf),
				    "extent at unit %d differs", u);
				return diff_buf;
			}
			if (alloc_extent_at(al, e->end - 1) != e ||
			    (len > 1 && alloc_refs(al, e->start + md->align)
			    != 0))
				return "extent lookup differs";
			e = imap_next(&al->extents, e);
		}
		u += len;
	}
	if (r != NULL || e != NULL)
		return "allocator has extra runs or extents";
	if (al->free_bytes != free_units * md->align)
		return "free_bytes differs";
	if (md->base > 0 && alloc_extent_at(al, md->base - 1) != NULL)
		return "extent found before the area";
	if (alloc_extent_at(al, unit_addr(md, md->n)) != NULL)
		return "extent found past the area";
	return NULL;
}

/* A request size: small, around the area's size, or absurd. */
static uint64_t
random_want(struct rng *r, const struct amodel *md)
{
	uint64_t area = (uint64_t)md->n * md->align;

	switch (rng_below(r, 6)) {
	case 0:
		return UINT64_MAX - rng_below(r, 2 * md->align);
	case 1:
		return 1 + rng_below(r, 2 * area);
	case 2:
		return md->align * (1 + rng_below(r, 8));
	default:
		return 1 + rng_below(r, 6 * md->align);
	}
}

/* A hint: in the area, at an extent's end, before it, past it. */
static uint64_t
random_hint(struct rng *r, const struct amodel *md, uint64_t last_end)
{
	uint64_t area = (uint64_t)md->n * md->align;

	switch (rng_below(r, 6)) {
	case 0:
		return md->base > 0 ? rng_below(r, md->base) : 0;
	case 1:
		return UINT64_MAX - rng_below(r, 3);
	case 2:
		return last_end;
	case 3:
		return md->base + area + rng_below(r, 2 * md->align);
	default:
		return md->base + rng_below(r, area);
	}
}

/* An address that is an extent start of the model half of the time. */
static uint64_t
random_target(struct rng *r, const struct amodel *md)
{
	int u = (int)rng_below(r, (uint64_t)md->n);

	if (rng_below(r, 8) == 0)
		return unit_addr(md, u) + rng_below(r, md->align);
	for (int k = 0; k < md->n; k++, u = (u + 1) % md->n)
		if (md->refs[u] != 0 && rng_below(r, 2) == 0)
			break;
	return unit_addr(md, u);
}

/* Make the model wrong at unit U: an extra reference or extent. */
static void
model_corrupt(struct amodel *md, int u)
{
	if (!model_free(md, u))
		md->refs[md->owner[u]]++;
	else {
		md->owner[u] = u;
		md->refs[u] = 1;
		md->len[u] = 1;
	}
}

/*
 * One seed's run of NOPS operations; returns NULL or the first difference
 * with *AT its step.  CORRUPT_AT >= 0 alters the model after that step.
 */
static const char *
run_differential(uint64_t seed, int nops, int corrupt_at, int *at)
{
	static const uint64_t aligns[] = { 1, 4, 512, 4096 };
	static struct amodel md;
	struct alloc al, copy;
	struct rng r;
	uint64_t align, base, size, want, hint, s = 0, g = 0, ms, mg, l;
	uint64_t last_end;
	const char *bad = NULL;
	int n, rc, mrc;

	rng_seed(&r, seed);
	align = aligns[rng_below(&r, 4)];
	n = 1 + (int)rng_below(&r, MAXU);
	size = (uint64_t)n * align;
	switch (rng_below(&r, 3)) {
	case 0:
		base = UINT64_MAX - size;	/* the area ends at 2^64 - 1 */
		break;
	case 1:
		base = MiB + 3;			/* the grid is base-relative */
		size += rng_below(&r, align);	/* rounded down */
		break;
	default:
		base = MiB;
		size += rng_below(&r, align);
	}
	model_init(&md, base, align, n);
	ck_assert_int_eq(alloc_init(&al, base, size, align), 0);
	last_end = base;
	for (*at = 0; *at < nops; (*at)++) {
		switch (rng_below(&r, 16)) {
		case 0:
			alloc_clone(&copy, &al);
			alloc_destroy(&al);
			al = copy;
			break;
		case 1:
		case 2:
		case 3:
			l = random_target(&r, &md);
			rc = alloc_get(&al, l);
			mrc = model_get(&md, l);
			if (rc != mrc)
				bad = "alloc_get result differs";
			break;
		case 4:
		case 5:
		case 6:
		case 7:
		case 8:
			l = random_target(&r, &md);
			rc = alloc_put(&al, l);
			mrc = model_put(&md, l);
			if (rc != mrc)
				bad = "alloc_put result differs";
			break;
		default:
			want = random_want(&r, &md);
			hint = random_hint(&r, &md, last_end);
			rc = alloc_reserve(&al, want, hint, &s, &g);
			mrc = model_reserve(&md, want, hint, &ms, &mg);
			if (rc != mrc || (rc == 0 && (s != ms || g != mg)))
				bad = "alloc_reserve result differs";
			if (rc == 0)
				last_end = s + g;
		}
		if (*at == corrupt_at)
			model_corrupt(&md, (int)rng_below(&r, (uint64_t)n));
		if (bad != NULL || (bad = compare(&al, &md)) != NULL)
			break;
	}
	alloc_destroy(&al);
	return bad;
}

/* Scenario: random reserve/get/put/clone against the bitmap model,
 * and a deliberately wrong model caught at once (differential.h).
 */
DIFFERENTIAL_TESTS(60, 1500, 3, 700)

static void
assert_ok(const struct alloc *al)
{
	const char *why;

	ck_assert_msg(alloc_check(al, &why) == 0, "alloc_check: %s", why);
}

/* Reserve and assert where the extent landed (offsets in units). */
static void
reserve_at(struct alloc *al, uint64_t want, uint64_t hint, uint64_t unit,
    uint64_t units)
{
	uint64_t s, g;

	ck_assert_int_eq(alloc_reserve(al, want, hint, &s, &g), 0);
	ck_assert_uint_eq(s, al->base + unit * al->align);
	ck_assert_uint_eq(g, units * al->align);
	ck_assert_uint_eq(alloc_refs(al, s), 1);
	assert_ok(al);
}

#define U(al, n)	((al)->base + (uint64_t)(n) * (al)->align)

/* Scenario: area geometry at init. */
START_TEST(test_init_geometry)
{
	struct alloc al;
	static const struct {
		uint64_t	base, size, align;
		int		rc;
		uint64_t	got_size;
	} cases[] = {
		{ MiB, 10 * 4096 + 100, 4096, 0, 10 * 4096 },
		{ MiB, 4095, 4096, -EINVAL, 0 },	/* rounds to 0 */
		{ MiB, 0, 1, -EINVAL, 0 },
		{ UINT64_MAX - 4096, 8192, 4096, -EINVAL, 0 },	/* overflow */
		{ UINT64_MAX - 8192, 8192 + 100, 4096, 0, 8192 },
		{ UINT64_MAX - 1, 1, 1, 0, 1 },		/* ends at 2^64-1 */
		{ 1, UINT64_MAX - 1, 1, 0, UINT64_MAX - 1 },
		{ 1, UINT64_MAX, 1, -EINVAL, 0 },
		{ MiB, 4096, 3, -EINVAL, 0 },		/* not a power of 2 */
		{ MiB, 4096, 0, -EINVAL, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(alloc_init(&al, cases[i].base, cases[i].size,
		    cases[i].align), cases[i].rc);
		if (cases[i].rc == 0) {
			ck_assert_uint_eq(al.size, cases[i].got_size);
			ck_assert_uint_eq(al.free_bytes, cases[i].got_size);
			assert_ok(&al);
		}
		alloc_destroy(&al);
	}
}
END_TEST

/* Scenario: the last unit below 2^64 can be allocated and freed. */
START_TEST(test_top_of_u64)
{
	struct alloc al;

	ck_assert_int_eq(alloc_init(&al, UINT64_MAX - 4 * 4096, 4 * 4096,
	    4096), 0);
	reserve_at(&al, 1, UINT64_MAX - 4096, 3, 1);
	reserve_at(&al, 4096, UINT64_MAX, 0, 1);	/* past end: wraps */
	ck_assert_int_eq(alloc_put(&al, UINT64_MAX - 4096), 0);
	ck_assert_uint_eq(alloc_refs(&al, UINT64_MAX - 4096), 0);
	assert_ok(&al);
	reserve_at(&al, UINT64_MAX, UINT64_MAX - 1, 1, 3);	/* all left */
	ck_assert_uint_eq(al.free_bytes, 0);
	alloc_destroy(&al);
}
END_TEST

/* Scenario: where a reservation lands, one rule per row. */
START_TEST(test_placement)
{
	struct alloc al;
	uint64_t s, g;

	ck_assert_int_eq(alloc_init(&al, MiB, 16 * 4096, 4096), 0);
	reserve_at(&al, 100, MiB - 4096, 0, 1);		/* hint before base */
	reserve_at(&al, 4096, U(&al, 5), 5, 1);		/* inside a run */
	reserve_at(&al, 4096, U(&al, 7) + 1, 8, 1);	/* rounded up */
	reserve_at(&al, 8193, U(&al, 9), 9, 3);		/* want rounded */
	reserve_at(&al, 4096, U(&al, 16) + 7, 1, 1);	/* past end wraps */
	/* free: [2,5) [6,8) [12,16); runs after the hint first */
	reserve_at(&al, 2 * 4096, U(&al, 4), 6, 2);	/* [4,5) too short */
	/* free: [2,5) [12,16) */
	reserve_at(&al, 3 * 4096, U(&al, 14), 2, 3);	/* wraps to exact fit */
	reserve_at(&al, 4 * 4096, U(&al, 12), 12, 4);	/* exact fit */
	ck_assert_uint_eq(al.free_bytes, 0);
	ck_assert_int_eq(alloc_reserve(&al, 1, MiB, &s, &g), -ENOSPC);
	ck_assert_uint_eq(al.nallocs, 8);
	assert_ok(&al);
	alloc_destroy(&al);
}
END_TEST

/*
 * Scenario: in the wrapped pass the run holding the hint is tried from its
 * start, so a request too big for the part after the hint still fits.
 */
START_TEST(test_wrap_takes_hint_run_whole)
{
	struct alloc al;

	ck_assert_int_eq(alloc_init(&al, MiB, 10 * 512, 512), 0);
	reserve_at(&al, 8 * 512, U(&al, 5), 0, 8);
	alloc_destroy(&al);
}
END_TEST

/* Scenario: nothing fits: the whole largest run, first of equals. */
START_TEST(test_largest_run_fallback)
{
	struct alloc al;
	uint64_t s, g;

	ck_assert_int_eq(alloc_init(&al, MiB, 12 * 4096, 4096), 0);
	for (int u = 0; u < 12; u++)
		reserve_at(&al, 4096, U(&al, u), (uint64_t)u, 1);
	for (int u = 0; u < 12; u++)
		if (u != 0 && u != 3 && u != 7 && u != 11)
			ck_assert_int_eq(alloc_put(&al, U(&al, u)), 0);
	assert_ok(&al);
	ck_assert_uint_eq(al.free.count, 3);
	reserve_at(&al, 5 * 4096, U(&al, 9), 4, 3);	/* not [8,11) */
	ck_assert_int_eq(alloc_reserve(&al, UINT64_MAX, MiB, &s, &g), 0);
	ck_assert_uint_eq(s, U(&al, 8));		/* saturated want */
	ck_assert_uint_eq(g, 3 * 4096);
	ck_assert_int_eq(alloc_reserve(&al, UINT64_MAX - 4094, MiB, &s, &g),
	    0);						/* would wrap to 0 */
	ck_assert_uint_eq(s, U(&al, 1));
	ck_assert_uint_eq(g, 2 * 4096);
	assert_ok(&al);
	alloc_destroy(&al);
}
END_TEST

/* Scenario: references; the last put frees and merges with neighbours. */
START_TEST(test_refs_and_merge)
{
	struct alloc al;
	const struct imap_ent *e;

	ck_assert_int_eq(alloc_init(&al, MiB, 8 * 4096, 4096), 0);
	reserve_at(&al, 2 * 4096, MiB, 0, 2);
	reserve_at(&al, 2 * 4096, U(&al, 2), 2, 2);
	reserve_at(&al, 2 * 4096, U(&al, 4), 4, 2);
	ck_assert_uint_eq(al.extents.count, 3);		/* never merged */
	ck_assert_int_eq(alloc_get(&al, U(&al, 2)), 0);
	ck_assert_uint_eq(alloc_refs(&al, U(&al, 2)), 2);
	ck_assert_int_eq(alloc_get(&al, U(&al, 3)), -ENOENT);
	ck_assert_int_eq(alloc_put(&al, U(&al, 3)), -ENOENT);
	ck_assert_int_eq(alloc_put(&al, U(&al, 6)), -ENOENT);
	e = alloc_extent_at(&al, U(&al, 3) + 5);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->start, U(&al, 2));
	ck_assert_ptr_null(alloc_extent_at(&al, U(&al, 6)));

	ck_assert_int_eq(alloc_put(&al, U(&al, 0)), 0);
	ck_assert_int_eq(alloc_put(&al, U(&al, 4)), 0);	/* joins [6,8) */
	assert_ok(&al);
	ck_assert_uint_eq(al.free.count, 2);
	ck_assert_int_eq(alloc_put(&al, U(&al, 2)), 0);
	ck_assert_uint_eq(alloc_refs(&al, U(&al, 2)), 1);
	ck_assert_uint_eq(al.free.count, 2);
	ck_assert_int_eq(alloc_put(&al, U(&al, 2)), 0);
	assert_ok(&al);
	ck_assert_uint_eq(al.free.count, 1);		/* one run again */
	ck_assert_uint_eq(al.free_bytes, al.size);
	ck_assert_uint_eq(al.extents.count, 0);
	alloc_destroy(&al);
}
END_TEST

/* Scenario: alloc_check reports broken accounting and refs. */
START_TEST(test_check_catches)
{
	struct alloc al;
	struct imap_ent *e;
	const char *why;
	struct imap_val v = { 0 };

	ck_assert_int_eq(alloc_init(&al, MiB, 8 * 4096, 4096), 0);
	reserve_at(&al, 4096, MiB, 0, 1);

	al.size += 1;
	ck_assert_int_eq(alloc_check(&al, &why), -1);
	ck_assert_str_eq(why, "area geometry invalid");
	al.size -= 1;

	al.free_bytes--;
	ck_assert_int_eq(alloc_check(&al, &why), -1);
	ck_assert_str_eq(why, "free byte count wrong");
	al.free_bytes++;

	e = (struct imap_ent *)imap_first(&al.extents);
	e->v.a = 0;
	ck_assert_int_eq(alloc_check(&al, &why), -1);
	ck_assert_str_eq(why, "extent with no references");
	e->v.a = 1;

	v.a = 1;
	v.b = U(&al, 4);
	imap_set(&al.extents, U(&al, 4), U(&al, 5), &v);
	ck_assert_int_eq(alloc_check(&al, &why), -1);
	ck_assert_str_eq(why, "extent overlaps free space");
	imap_clear(&al.extents, U(&al, 4), U(&al, 5));

	imap_clear(&al.free, U(&al, 7), U(&al, 8));
	al.free_bytes -= 4096;
	ck_assert_int_eq(alloc_check(&al, &why), -1);
	ck_assert_str_eq(why, "free + extent bytes != size");
	imap_set(&al.free, U(&al, 7), U(&al, 8), &v);	/* other value */
	al.free_bytes += 4096;
	ck_assert_int_eq(alloc_check(&al, &why), -1);
	ck_assert_str_eq(why, "adjacent free runs not merged");
	alloc_destroy(&al);
}
END_TEST

/* Scenario: a clone is independent of its source. */
START_TEST(test_clone)
{
	struct alloc al, c;

	ck_assert_int_eq(alloc_init(&al, MiB, 8 * 4096, 4096), 0);
	reserve_at(&al, 4096, MiB, 0, 1);
	alloc_clone(&c, &al);
	ck_assert_int_eq(alloc_put(&al, MiB), 0);
	ck_assert_uint_eq(alloc_refs(&c, MiB), 1);
	ck_assert_uint_eq(c.free_bytes, 7 * 4096);
	ck_assert_uint_eq(c.nallocs, 1);
	assert_ok(&c);
	assert_ok(&al);
	alloc_destroy(&al);
	alloc_destroy(&c);
}
END_TEST

/*
 * Scenario: many extents allocated front to back, each hinted at the end
 * of the previous one, land contiguously (the run after the hint is found
 * by a tree descent, so this stays O(n log n) overall).
 */
START_TEST(test_sequential_scale)
{
	enum { N = 100000 };
	struct alloc al;
	uint64_t hint = 0, s, g;

	ck_assert_int_eq(alloc_init(&al, MiB, 2ULL * N * 4096, 4096), 0);
	for (uint64_t i = 0; i < N; i++) {
		ck_assert_int_eq(alloc_reserve(&al, 4096, hint, &s, &g), 0);
		ck_assert_uint_eq(s, MiB + i * 4096);
		hint = s + g;
	}
	ck_assert_uint_eq(al.extents.count, N);
	ck_assert_uint_eq(al.free.count, 1);
	assert_ok(&al);
	alloc_destroy(&al);
}
END_TEST

static Suite *
alloc_suite(void)
{
	Suite *s = suite_create("alloc");
	TCase *tc;

	tc = tcase_create("directed");
	tcase_add_test(tc, test_init_geometry);
	tcase_add_test(tc, test_top_of_u64);
	tcase_add_test(tc, test_placement);
	tcase_add_test(tc, test_wrap_takes_hint_run_whole);
	tcase_add_test(tc, test_largest_run_fallback);
	tcase_add_test(tc, test_refs_and_merge);
	tcase_add_test(tc, test_check_catches);
	tcase_add_test(tc, test_clone);
	suite_add_tcase(s, tc);

	tc = tcase_create("differential");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_differential);
	tcase_add_test(tc, test_differential_catches_divergence);
	suite_add_tcase(s, tc);

	tc = tcase_create("scale");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_sequential_scale);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(alloc_suite)
