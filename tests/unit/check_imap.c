/*
 * Unit tests for sim/imap: directed cases for splitting, trimming, merging
 * and the edges of the u64 range, and a differential test against a naive
 * model.
 *
 * The model divides the u64 line into CELLS cells: single bytes at
 * [0, LOW), one huge cell [LOW, UINT64_MAX - HIGH), and single bytes up to
 * (u64)-1, so ranges of every size, including ones ending at UINT64_MAX,
 * are drawn from cell boundaries.  Each cell holds "absent" or the value at
 * its first byte; the expected map is the maximal runs of cells whose
 * values continue one another.  imap_check() runs after every operation.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/imap.h"
#include "sim/rng.h"
#include "tests/unit/differential.h"
#include "tests/unit/suite.h"

#define LOW	2048			/* single-byte cells at the bottom */
#define HIGH	2047			/* single-byte cells at the top */
#define CELLS	(LOW + 1 + HIGH)

struct model_cell {
	bool		present;
	struct imap_val	v;		/* value at the cell's first byte */
};

struct model {
	struct model_cell c[CELLS];
};

/* Cell I's first byte; cell_start(CELLS) is UINT64_MAX. */
static uint64_t
cell_start(int i)
{
	if (i <= LOW)
		return (uint64_t)i;
	return UINT64_MAX - HIGH + (uint64_t)(i - LOW - 1);
}

static uint64_t
cell_len(int i)
{
	return cell_start(i + 1) - cell_start(i);
}

/* The model's own value rule, written independently of imap.c. */
static struct imap_val
model_advance(struct imap_val v, uint64_t d)
{
	if (v.kind & IMAP_SHIFT)
		v.b += d;
	return v;
}

static bool
val_eq(const struct imap_val *x, const struct imap_val *y)
{
	return x->a == y->a && x->b == y->b && x->kind == y->kind &&
	    x->aux == y->aux;
}

static bool
model_joins(const struct model *md, int i)
{
	struct imap_val next;

	if (!md->c[i].present || !md->c[i + 1].present)
		return false;
	next = model_advance(md->c[i].v, cell_len(i));
	return val_eq(&next, &md->c[i + 1].v);
}

static void
model_set(struct model *md, int ci, int cj, const struct imap_val *v)
{
	for (int k = ci; k < cj; k++) {
		md->c[k].present = true;
		md->c[k].v = model_advance(*v, cell_start(k) - cell_start(ci));
	}
}

static void
model_clear(struct model *md, int ci, int cj)
{
	for (int k = ci; k < cj; k++)
		md->c[k].present = false;
}

static char diff_buf[256];

/*
 * Compare M with the model: entries equal the maximal runs, and random
 * lookups agree.  Returns NULL, or a description of the first difference.
 */
static const char *
compare(const struct imap *m, const struct model *md, struct rng *r)
{
	const struct imap_ent *e = imap_first(m);
	const char *why;
	uint64_t covered = 0;
	int i = 0, j;

	if (imap_check(m, &why) != 0)
		return why;
	for (int k = 0; k < CELLS; k++)
		if (md->c[k].present)
			covered += cell_len(k);
	if (imap_bytes(m) != covered)
		return "imap_bytes differs from the cells covered";
	for (;;) {
		while (i < CELLS && !md->c[i].present)
			i++;
		if (i == CELLS)
			break;
		for (j = i; j + 1 < CELLS && model_joins(md, j); j++)
			;
		if (e == NULL || e->start != cell_start(i) ||
		    e->end != cell_start(j + 1) ||
		    !val_eq(&e->v, &md->c[i].v)) {
			snprintf(diff_buf, sizeof(diff_buf),
			    "run [%" PRIu64 ", %" PRIu64 ") differs",
			    cell_start(i), cell_start(j + 1));
			return diff_buf;
		}
		e = imap_next(m, e);
		i = j + 1;
	}
	if (e != NULL)
		return "map has an extra entry";

	for (int q = 0; q < 8; q++) {
		int ci = (int)rng_below(r, CELLS), cj;
		uint64_t pos = cell_start(ci) + rng_below(r, cell_len(ci));
		uint64_t pos2, want = 0, lo, hi;
		const struct imap_ent *f = imap_find(m, pos);
		const struct imap_ent *ff = imap_first_from(m, pos);
		struct imap_val mv, got;

		if (md->c[ci].present != (f != NULL))
			return "imap_find presence differs";
		if (f != NULL) {
			mv = model_advance(md->c[ci].v, pos - cell_start(ci));
			got = imap_val_at(f, pos);
			if (!val_eq(&mv, &got))
				return "imap_val_at differs";
			if (ff != f)
				return "imap_first_from misses the container";
		} else {
			for (cj = ci + 1; cj < CELLS && !md->c[cj].present;
			    cj++)
				;
			if ((cj == CELLS) != (ff == NULL) ||
			    (ff != NULL && ff->start != cell_start(cj)))
				return "imap_first_from differs";
		}
		cj = ci + (int)rng_below(r, (uint64_t)(CELLS - ci));
		pos2 = cell_start(cj) + rng_below(r, cell_len(cj));
		if (pos2 < pos)
			continue;
		for (int k = ci; k <= cj; k++) {
			if (!md->c[k].present)
				continue;
			lo = cell_start(k) > pos ? cell_start(k) : pos;
			hi = cell_start(k + 1);
			if (hi > pos2)
				hi = pos2;
			if (hi > lo)
				want += hi - lo;
		}
		if (imap_covered(m, pos, pos2) != want)
			return "imap_covered differs";
	}
	return NULL;
}

/* A random cell range, mostly short, sometimes long or at the top. */
static void
random_range(struct rng *r, int *ci, int *cj)
{
	int len;

	switch (rng_below(r, 8)) {
	case 0:			/* anything */
		*ci = (int)rng_below(r, CELLS);
		*cj = *ci + 1 + (int)rng_below(r, (uint64_t)(CELLS - *ci));
		return;
	case 1:			/* ending at UINT64_MAX */
		*ci = (int)rng_below(r, CELLS);
		*cj = CELLS;
		return;
	case 2:			/* around the huge cell */
		*ci = LOW - (int)rng_below(r, 16);
		*cj = LOW + 1 + (int)rng_below(r, 16);
		return;
	default:
		len = 1 + (int)rng_below(r, 48);
		*ci = (int)rng_below(r, (uint64_t)(CELLS - len + 1));
		*cj = *ci + len;
	}
}

/* A value likely to merge with a neighbour of [ci, cj) now and then. */
static struct imap_val
random_val(struct rng *r, const struct model *md, int ci, int cj)
{
	static const uint32_t kinds[] = { 0, 7, IMAP_SHIFT, IMAP_SHIFT | 7 };
	struct imap_val v;

	v.a = 1 + rng_below(r, 2);
	v.kind = kinds[rng_below(r, 4)];
	v.aux = (uint32_t)rng_below(r, 2);
	switch (rng_below(r, 5)) {
	case 0:
		if (ci > 0 && md->c[ci - 1].present) {
			v = model_advance(md->c[ci - 1].v, cell_len(ci - 1));
			break;
		}
		/* FALLTHROUGH */
	case 1:
		if (cj < CELLS && md->c[cj].present) {
			v = md->c[cj].v;
			if (v.kind & IMAP_SHIFT)
				v.b -= cell_start(cj) - cell_start(ci);
			break;
		}
		/* FALLTHROUGH */
	case 2:
		v.b = UINT64_MAX - rng_below(r, 4096);
		break;
	default:
		v.b = rng_below(r, 3) * 100;
	}
	return v;
}

/*
 * Run NOPS random operations from SEED; returns NULL or the first
 * difference (with *AT the failing step).  CORRUPT_AT >= 0 alters the
 * model after that step's operation, to prove compare() notices.
 */
static const char *
run_differential(uint64_t seed, int nops, int corrupt_at, int *at)
{
	static struct model md;
	struct imap m, copy;
	struct rng r;
	struct imap_val v;
	const char *bad = NULL;
	int ci, cj;

	memset(&md, 0, sizeof(md));
	rng_seed(&r, seed);
	imap_init(&m);
	for (*at = 0; *at < nops; (*at)++) {
		random_range(&r, &ci, &cj);
		switch (rng_below(&r, 20)) {
		case 0:		/* continue on a clone, drop the original */
			imap_clone(&copy, &m);
			imap_destroy(&m);
			m = copy;
			break;
		case 1:
		case 2:
		case 3:
		case 4:
		case 5:
		case 6:
		case 7:
			imap_clear(&m, cell_start(ci), cell_start(cj));
			model_clear(&md, ci, cj);
			break;
		default:
			v = random_val(&r, &md, ci, cj);
			imap_set(&m, cell_start(ci), cell_start(cj), &v);
			model_set(&md, ci, cj, &v);
		}
		if (*at == corrupt_at) {
			ci = (int)rng_below(&r, CELLS);
			md.c[ci].present = !md.c[ci].present;
		}
		if ((bad = compare(&m, &md, &r)) != NULL)
			break;
	}
	imap_destroy(&m);
	return bad;
}

/* Scenario: random set/clear/clone against the cell model, many seeds,
 * and a deliberately wrong model caught at once (differential.h).
 */
DIFFERENTIAL_TESTS(12, 3000, 7, 500)

static struct imap_val
mkval(uint64_t a, uint64_t b, uint32_t kind, uint32_t aux)
{
	struct imap_val v = { .a = a, .b = b, .kind = kind, .aux = aux };

	return v;
}

struct want_ent {
	uint64_t	start, end, a, b;
};

/* Assert that M holds exactly the entries in W (values' a and b). */
static void
assert_entries(const struct imap *m, const struct want_ent *w, size_t n)
{
	const struct imap_ent *e = imap_first(m);
	const char *why;

	ck_assert_msg(imap_check(m, &why) == 0, "imap_check: %s", why);
	ck_assert_uint_eq(m->count, n);
	for (size_t i = 0; i < n; i++, e = imap_next(m, e)) {
		ck_assert_ptr_nonnull(e);
		ck_assert_uint_eq(e->start, w[i].start);
		ck_assert_uint_eq(e->end, w[i].end);
		ck_assert_uint_eq(e->v.a, w[i].a);
		ck_assert_uint_eq(e->v.b, w[i].b);
	}
	ck_assert_ptr_null(e);
}

/* Scenario: clearing the middle of a positional range splits it. */
START_TEST(test_split_positional)
{
	struct imap m;
	struct imap_val v = mkval(1, 1000, IMAP_SHIFT, 0);
	static const struct want_ent w[] = {
		{ 0, 10, 1, 1000 }, { 20, 100, 1, 1020 },
	};
	static const struct want_ent w2[] = {
		{ 0, 5, 1, 1000 }, { 30, 100, 1, 1030 },
	};

	imap_init(&m);
	imap_set(&m, 0, 100, &v);
	imap_clear(&m, 10, 20);
	assert_entries(&m, w, 2);
	imap_clear(&m, 5, 30);		/* trims both */
	assert_entries(&m, w2, 2);
	imap_clear(&m, 200, 300);	/* nothing there */
	assert_entries(&m, w2, 2);
	imap_clear(&m, 50, 50);		/* empty range */
	assert_entries(&m, w2, 2);
	imap_destroy(&m);
	ck_assert_uint_eq(m.count, 0);
	ck_assert_ptr_null(imap_first(&m));
}
END_TEST

/* Scenario: a plain value set inside another splits it; values stay. */
START_TEST(test_split_plain)
{
	struct imap m;
	struct imap_val v = mkval(1, 7, 0, 0), x = mkval(2, 7, 0, 0);
	static const struct want_ent w[] = {
		{ 0, 40, 1, 7 }, { 40, 60, 2, 7 }, { 60, 100, 1, 7 },
	};
	static const struct want_ent w2[] = { { 0, 100, 1, 7 } };

	imap_init(&m);
	imap_set(&m, 0, 100, &v);
	imap_set(&m, 40, 60, &x);
	assert_entries(&m, w, 3);
	imap_set(&m, 40, 60, &v);	/* bridges both neighbours */
	assert_entries(&m, w2, 1);
	imap_destroy(&m);
}
END_TEST

/* Scenario: positional ranges merge only when b continues. */
START_TEST(test_merge_rules)
{
	struct imap m;
	struct imap_val v0 = mkval(1, 0, IMAP_SHIFT, 0);
	struct imap_val v10 = mkval(1, 10, IMAP_SHIFT, 0);
	struct imap_val v21 = mkval(1, 21, IMAP_SHIFT, 0);
	struct imap_val v30aux = mkval(1, 30, IMAP_SHIFT, 1);
	struct imap_val p = mkval(1, 0, 0, 0);
	static const struct want_ent w[] = {
		{ 0, 20, 1, 0 }, { 20, 30, 1, 21 }, { 30, 40, 1, 30 },
	};
	static const struct want_ent w2[] = { { 0, 40, 1, 0 } };

	imap_init(&m);
	imap_set(&m, 10, 20, &v10);
	imap_set(&m, 0, 10, &v0);	/* joins the entry after it */
	imap_set(&m, 20, 30, &v21);	/* b is off by one: no join */
	imap_set(&m, 30, 40, &v30aux);	/* aux differs: no join */
	assert_entries(&m, w, 3);
	imap_clear(&m, 0, 40);
	assert_entries(&m, NULL, 0);
	imap_set(&m, 20, 40, &p);
	imap_set(&m, 0, 20, &p);	/* plain: equal values join */
	assert_entries(&m, w2, 1);
	ck_assert(!imap_val_continues(&v0, 10, &v21));
	ck_assert(imap_val_continues(&v0, 10, &v10));
	ck_assert(imap_val_continues(&p, 12345, &p));
	imap_destroy(&m);
}
END_TEST

/* Scenario: ranges at the top of the u64 line, b wrapping. */
START_TEST(test_u64_edges)
{
	struct imap m;
	struct imap_val v = mkval(3, UINT64_MAX - 1, IMAP_SHIFT, 0);
	struct imap_val at;
	const struct imap_ent *e;
	static const struct want_ent w[] = {
		{ 0, 5, 3, UINT64_MAX - 1 }, { 6, UINT64_MAX, 3, 4 },
	};

	imap_init(&m);
	imap_set(&m, 0, UINT64_MAX, &v);
	ck_assert_uint_eq(imap_covered(&m, 0, UINT64_MAX), UINT64_MAX);
	imap_clear(&m, 5, 6);
	assert_entries(&m, w, 2);
	e = imap_find(&m, UINT64_MAX - 1);
	ck_assert_ptr_nonnull(e);
	at = imap_val_at(e, UINT64_MAX - 1);
	ck_assert_uint_eq(at.b, UINT64_MAX - 3);	/* 4 + 2^64 - 7 */
	ck_assert_ptr_null(imap_find(&m, UINT64_MAX));
	ck_assert_ptr_null(imap_first_from(&m, UINT64_MAX));
	ck_assert_ptr_null(imap_find(&m, 5));
	ck_assert_ptr_eq(imap_first_from(&m, 5), e);
	ck_assert_uint_eq(imap_covered(&m, 0, UINT64_MAX), UINT64_MAX - 1);
	imap_clear(&m, UINT64_MAX - 1, UINT64_MAX);
	e = imap_find(&m, UINT64_MAX - 2);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->end, UINT64_MAX - 1);
	ck_assert_int_eq(imap_check(&m, NULL), 0);
	imap_destroy(&m);
}
END_TEST

/* Scenario: a clone is deep; changing one leaves the other alone. */
START_TEST(test_clone_independent)
{
	struct imap m, c;
	struct imap_val v = mkval(1, 0, IMAP_SHIFT, 0);
	static const struct want_ent w[] = {
		{ 0, 10, 1, 0 }, { 20, 30, 1, 20 },
	};
	static const struct want_ent wc[] = { { 0, 30, 1, 0 } };

	imap_init(&m);
	imap_set(&m, 0, 30, &v);
	imap_clone(&c, &m);
	imap_clear(&m, 10, 20);
	assert_entries(&m, w, 2);
	assert_entries(&c, wc, 1);
	imap_destroy(&m);
	assert_entries(&c, wc, 1);
	imap_destroy(&c);
}
END_TEST

/* Scenario: imap_check reports each kind of broken map. */
START_TEST(test_check_catches)
{
	struct imap m;
	struct imap_val x = mkval(1, 0, 0, 0), y = mkval(2, 0, 0, 0);
	struct imap_ent *second;
	const char *why = NULL;

	imap_init(&m);
	imap_set(&m, 0, 10, &x);
	imap_set(&m, 10, 20, &y);
	ck_assert_int_eq(imap_check(&m, &why), 0);
	ck_assert_ptr_null(why);
	second = (struct imap_ent *)imap_next(&m, imap_first(&m));

	second->v.a = 1;			/* now mergeable */
	ck_assert_int_eq(imap_check(&m, &why), -1);
	ck_assert_str_eq(why, "adjacent entries not merged");
	second->v.a = 2;

	second->start = 9;			/* overlaps the first */
	ck_assert_int_eq(imap_check(&m, &why), -1);
	ck_assert_str_eq(why, "entries overlap or out of order");
	second->start = 10;

	second->end = 10;			/* empty */
	ck_assert_int_eq(imap_check(&m, NULL), -1);
	second->end = 20;

	m.count++;
	ck_assert_int_eq(imap_check(&m, &why), -1);
	ck_assert_str_eq(why, "entry count wrong");
	m.count--;
	ck_assert_uint_eq(imap_bytes(&m), 20);
	m.bytes++;
	ck_assert_int_eq(imap_check(&m, &why), -1);
	ck_assert_str_eq(why, "covered byte count wrong");
	m.bytes--;
	ck_assert_int_eq(imap_check(&m, NULL), 0);
	imap_destroy(&m);
}
END_TEST

/*
 * Scenario: many distinct entries appended in order, then cleared in
 * pieces: the map stays correct at a size where a linear structure would
 * be visibly slow (an O(n) step per operation would take minutes).
 */
START_TEST(test_many_entries)
{
	enum { N = 200000 };
	struct imap m;
	struct imap_val v;
	const struct imap_ent *e;
	const char *why;

	imap_init(&m);
	for (uint64_t i = 0; i < N; i++) {
		v = mkval(i, 0, 0, 0);		/* never mergeable */
		imap_set(&m, 2 * i, 2 * i + 1, &v);
	}
	ck_assert_uint_eq(m.count, N);
	for (uint64_t i = 0; i < N; i += 997) {
		e = imap_find(&m, 2 * i);
		ck_assert_ptr_nonnull(e);
		ck_assert_uint_eq(e->v.a, i);
		ck_assert_ptr_null(imap_find(&m, 2 * i + 1));
	}
	imap_clear(&m, 1, 2 * N - 2);
	ck_assert_uint_eq(m.count, 2);
	ck_assert_int_eq(imap_check(&m, &why), 0);
	imap_destroy(&m);
}
END_TEST

static Suite *
imap_suite(void)
{
	Suite *s = suite_create("imap");
	TCase *tc;

	tc = tcase_create("directed");
	tcase_add_test(tc, test_split_positional);
	tcase_add_test(tc, test_split_plain);
	tcase_add_test(tc, test_merge_rules);
	tcase_add_test(tc, test_u64_edges);
	tcase_add_test(tc, test_clone_independent);
	tcase_add_test(tc, test_check_catches);
	suite_add_tcase(s, tc);

	tc = tcase_create("differential");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_differential);
	tcase_add_test(tc, test_differential_catches_divergence);
	suite_add_tcase(s, tc);

	tc = tcase_create("scale");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_many_entries);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(imap_suite)
