/*
 * Unit tests of the invariant checker's two modes (sim/inv.c): the full
 * walk (inv_check) and the check of what changed (inv_check_changed,
 * with inv_settle after each look), and of the reference table behind the
 * latter (sim/track.c).
 *
 *   - differential: random operations on a whole fs, with quirks that
 *     break invariants on, in both eras; after every operation both modes
 *     look at the same state, and whenever the full walk finds a kind it
 *     had not found before, the changed check must report exactly what the
 *     full walk does; whenever the changed check reports, the two reports
 *     are equal.  A self-test breaks a map behind the tracker's back and
 *     proves the comparison notices.
 *   - directed: each kind of finding, made through the model's own
 *     interfaces, is found by the changed check.
 *   - the reference table against a trivial model (an array), with
 *     track_check() after every operation.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/em.h"
#include "sim/era.h"
#include "sim/fei.h"
#include "sim/fs.h"
#include "sim/inode.h"
#include "sim/inv.h"
#include "sim/quirk.h"
#include "sim/rng.h"
#include "sim/track.h"
#include "tests/unit/suite.h"

#define K	1024ULL

static struct fs *
new_fs(unsigned era, unsigned quirks, uint64_t alloc_align)
{
	struct fs_config cfg = {
		.sectorsize = 4096, .mirrors = 2, .size = 64 * K * K,
		.max_extent = UINT64_MAX, .alloc_align = alloc_align,
		.workers = 1, .csum = CSUM_CRC32C, .quirks = quirks,
		.era = era,
	};
	int err;
	struct fs *fs = fs_new(&cfg, &err);

	ck_assert_ptr_nonnull(fs);
	return fs;
}

static char why_buf[256];

/* Do reports A and B hold the same findings in the same order? */
static bool
same_report(const struct inv_report *a, const struct inv_report *b)
{
	if (a->n != b->n || a->kinds != b->kinds)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->f[i].kind != b->f[i].kind || a->f[i].ino != b->f[i].ino ||
		    a->f[i].start != b->f[i].start ||
		    a->f[i].len != b->f[i].len ||
		    strcmp(a->f[i].what, b->f[i].what) != 0)
			return false;
	return true;
}

/*
 * Look at FS both ways, then settle; *FOUND holds the kinds found so far.
 * Returns NULL, or what went wrong.  *NEW counts looks that found a kind
 * for the first time.
 */
static const char *
compare_modes(struct fs *fs, unsigned *found, unsigned *fresh)
{
	struct inv_report full = { 0 }, changed = { 0 };
	const char *bad = NULL;

	inv_check(fs, &full);
	inv_check_changed(fs, &changed);
	inv_settle(fs);
	if ((full.kinds & ~*found) != 0) {
		(*fresh)++;
		if (!same_report(&full, &changed)) {
			snprintf(why_buf, sizeof(why_buf), "a new %s finding "
			    "(%s) was not reported by the changed check",
			    inv_kind_name(full.f[0].kind), full.f[0].what);
			bad = why_buf;
		}
	} else if (changed.n > 0 && !same_report(&full, &changed))
		bad = "the changed check's report differs from the full one";
	*found |= full.kinds;
	inv_report_free(&full);
	inv_report_free(&changed);
	return bad;
}

/* One random operation of the differential test on FS's files F[3]. */
static void
random_op(struct fs **fsp, struct rng *r, const uint32_t *f)
{
	struct fs *fs = *fsp;
	uint32_t ino = f[rng_below(r, 3)];
	uint64_t off = rng_below(r, 96 * K), len = 1 + rng_below(r, 40 * K);
	struct fs_read_result rr;

	if (rng_below(r, 2))
		off &= ~4095ULL;
	switch (rng_below(r, 10)) {
	case 0:
	case 1:
	case 2:
		fs_write(fs, ino, off, len, rng_below(r, 4) ? -1 :
		    (int)rng_below(r, 256), rng_below(r, 3) ? 0 : FS_W_NOSYNC);
		break;
	case 3:
		fs_truncate(fs, ino, rng_below(r, 120 * K));
		break;
	case 4:
		fs_sync(fs);
		break;
	case 5:
		fs_drop_caches(fs, 1 + (int)rng_below(r, 3));
		break;
	case 6:
		fs_drop_cache(fs, ino, off, rng_below(r, 3) ? off + len - 1 :
		    UINT64_MAX);
		break;
	case 7:
		/* Continue on a copy, as a concurrent block does. */
		*fsp = fs_clone(fs);
		fs_free(fs);
		break;
	default:
		fs_read(fs, ino, off, len, 0, false, &rr);
		break;
	}
}

/* The quirks of ERA that break invariants (or do odd things near them). */
static unsigned
random_quirks(struct rng *r, unsigned era)
{
	static const int q2008[] = { QUIRK_DROP_WHOLE, QUIRK_TRUNCATE_UNALIGNED,
	    QUIRK_HOLE_DROP_LENGTH, QUIRK_INSERT_EEXIST_EIO,
	    QUIRK_ALLOC_UNDERFLOW };
	unsigned mask = 0;

	if (era != ERA_2008)
		return 0;
	for (size_t i = 0; i < sizeof(q2008) / sizeof(q2008[0]); i++)
		if (rng_below(r, 2))
			mask |= 1u << q2008[i];
	return mask;
}

/* Scenario: random operations, both modes after every one (see above). */
START_TEST(test_differential)
{
	unsigned fresh = 0, runs = 0;

	for (uint64_t seed = 1; seed <= 60; seed++) {
		struct rng r;
		unsigned era = seed % 4 == 0 ? ERA_MODERN : ERA_2008;
		unsigned found = 0;
		struct fs *fs;
		uint32_t f[3];
		const char *bad;

		rng_seed(&r, seed);
		fs = new_fs(era, random_quirks(&r, era),
		    rng_below(&r, 3) ? 4096 : 16 * K);
		for (int i = 0; i < 3; i++)
			f[i] = fs_create(fs, false);
		for (int op = 0; op < 250 && !fs_crashed(fs); op++) {
			random_op(&fs, &r, f);
			fs_trace_clear(fs);
			bad = compare_modes(fs, &found, &fresh);
			ck_assert_msg(bad == NULL, "seed %" PRIu64 " op %d: %s",
			    seed, op, bad);
		}
		runs += found != 0;
		fs_free(fs);
	}
	/* The quirks must have broken invariants in a good share of runs. */
	ck_assert_uint_gt(runs, 10);
	ck_assert_uint_gt(fresh, 10);
}
END_TEST

/*
 * Self-test: a map changed behind the tracker's back (no em_* call) is a
 * change the changed check cannot see, and the comparison says so.
 */
START_TEST(test_differential_catches_a_miss)
{
	struct fs *fs = new_fs(ERA_2008, 0, 4096);
	uint32_t a = fs_create(fs, false);
	unsigned found = 0, fresh = 0;
	struct em_map *em;

	ck_assert_int_eq(fs_write(fs, a, 0, 64 * K, -1, 0), 0);
	ck_assert_ptr_null(compare_modes(fs, &found, &fresh));
	em = em_first(inode_em(fs, fs_inode(fs, a)));
	ck_assert_ptr_nonnull(em);
	em->block_start += 4096;		/* incoherent, unrecorded */
	ck_assert_ptr_nonnull(compare_modes(fs, &found, &fresh));
	fs_free(fs);
}
END_TEST

/* The changed check's findings on FS, settled; the caller frees. */
static void
changed_report(struct fs *fs, struct inv_report *r)
{
	memset(r, 0, sizeof(*r));
	inv_check_changed(fs, r);
	inv_settle(fs);
}

/* A file of 64K written back and cached, the checker settled. */
static struct fs *
written(uint32_t *ino)
{
	struct fs *fs = new_fs(ERA_2008, 0, 4096);
	struct inv_report r;

	*ino = fs_create(fs, false);
	ck_assert_int_eq(fs_write(fs, *ino, 0, 64 * K, -1, 0), 0);
	changed_report(fs, &r);
	ck_assert_uint_eq(r.n, 0);
	inv_report_free(&r);
	return fs;
}

/*
 * A tree changed in more than EM_MAX_MARKS places since the checker
 * looked keeps no ranges but is looked at whole: a map broken behind
 * the tracker's back (a miss for the ranges alone, as above) is found,
 * and settling starts the ranges afresh.
 */
START_TEST(test_many_marks_look_at_everything)
{
	uint32_t a;
	struct fs *fs = written(&a);
	struct em_tree *tree = inode_em(fs, fs_inode(fs, a));
	struct inv_report r;

	for (unsigned i = 0; i < EM_MAX_MARKS; i++)
		em_mark_range(tree, 1024 * K + i * 8 * K, 1028 * K + i * 8 * K);
	ck_assert(!tree->changed_all);
	ck_assert_uint_eq(tree->changed.count, EM_MAX_MARKS);
	em_mark_range(tree, 4096 * K, 4100 * K);
	ck_assert(tree->changed_all);
	ck_assert_uint_eq(tree->changed.count, 0);
	em_first(tree)->block_start += 4096;	/* incoherent, unrecorded */
	changed_report(fs, &r);
	ck_assert_uint_gt(r.n, 0);
	inv_report_free(&r);
	ck_assert(!tree->changed_all);
	ck_assert_uint_eq(tree->nmarks, 0);
	fs_free(fs);
}
END_TEST

/* Scenario: each kind, broken through the model's interfaces, is found
 * by the changed check, with the full check's first finding. */
START_TEST(test_each_kind_found)
{
	static const unsigned want[] = { 1u << INV_UNALIGNED,
	    1u << INV_INCOHERENT, 1u << INV_OVERLAP, 1u << INV_EXTENT_ITEMS,
	    1u << INV_ALLOC, 1u << INV_EXTENT_ITEMS };

	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		uint32_t a;
		struct fs *fs = written(&a);
		struct fs_inode *ip = fs_inode(fs, a);
		struct em_tree *tree = inode_em(fs, ip);
		struct inv_report r, full = { 0 };
		struct fei_item item = { .file_offset = 200 * K,
		    .num_bytes = 4 * K, .disk_bytenr = 999 * K * K,
		    .disk_num_bytes = 4 * K };
		uint64_t l = em_first(tree)->block_start;

		switch (k) {
		case 0:		/* a map past the cached one, off the grid */
			ck_assert_int_eq(em_add(tree, em_alloc(64 * K, 100,
			    EM_HOLE)), 0);
			break;
		case 1:		/* a map of [0, 4K) elsewhere: drop, re-add */
			ck_assert_int_eq(em_drop_cache(tree, 0, 4 * K - 1,
			    false), 0);
			ck_assert_int_eq(em_add(tree, em_alloc(0, 4 * K,
			    l + 8 * K)), 0);
			break;
		case 2:		/* a map starting in a gap over the next */
			ck_assert_int_eq(em_drop_cache(tree, 0, 4 * K - 1,
			    false), 0);
			ck_assert_int_eq(em_add(tree, em_alloc(0, 8 * K, l)),
			    0);
			break;
		case 3:		/* an item pointing at unallocated space */
			ck_assert_int_eq(fei_insert(inode_items(fs, ip),
			    &item), 0);
			break;
		case 4:		/* a reference nobody holds */
			ck_assert_int_eq(alloc_get(fs_alloc(fs), l), 0);
			break;
		default:	/* an extent freed under its item */
			ck_assert_int_eq(alloc_put(fs_alloc(fs), l), 0);
			break;
		}
		inv_check(fs, &full);
		changed_report(fs, &r);
		ck_assert_uint_eq(full.kinds & want[k], want[k]);
		ck_assert_msg(same_report(&r, &full), "kind %zu missed", k);
		inv_report_free(&r);
		inv_report_free(&full);
		fs_free(fs);
	}
}
END_TEST

/* Scenario: a statement that changes nothing costs nothing and finds
 * nothing, even with an old finding standing. */
START_TEST(test_old_findings_not_repeated)
{
	uint32_t a;
	struct fs *fs = written(&a);
	struct inv_report r;
	struct fs_read_result rr;

	ck_assert_int_eq(alloc_get(fs_alloc(fs), em_first(inode_em(fs,
	    fs_inode(fs, a)))->block_start), 0);
	changed_report(fs, &r);
	ck_assert_uint_eq(r.kinds, 1u << INV_ALLOC);
	inv_report_free(&r);
	ck_assert_int_eq(fs_read(fs, a, 0, 64 * K, 0, false, &rr), 0);
	changed_report(fs, &r);
	ck_assert_uint_eq(r.n, 0);
	inv_report_free(&r);
	fs_free(fs);
}
END_TEST

/* The reference table against an array of counts over a few bytenrs. */
#define NKEYS	300

START_TEST(test_track_reference_model)
{
	for (uint64_t seed = 1; seed <= 8; seed++) {
		static uint64_t model[NKEYS];
		struct track t, c;
		struct rng r;
		const char *why = "";

		memset(model, 0, sizeof(model));
		track_init(&t);
		rng_seed(&r, seed);
		for (int op = 0; op < 20000; op++) {
			size_t k = (size_t)rng_below(&r, NKEYS);
			uint64_t bytenr = (1 + k) << 12;

			if (model[k] > 0 && rng_below(&r, 2)) {
				track_ref(&t, bytenr, -1);
				model[k]--;
			} else {
				track_ref(&t, bytenr, 1);
				model[k]++;
			}
			if (op % 5000 == 4999) {
				track_clone(&c, &t);
				track_destroy(&t);
				t = c;
			}
			if (op % 1000 == 999)
				track_settle(&t);
			ck_assert_msg(track_check(&t, &why) == 0,
			    "seed %" PRIu64 " op %d: %s", seed, op, why);
			k = (size_t)rng_below(&r, NKEYS);
			ck_assert_uint_eq(track_refs(&t, (1 + k) << 12),
			    model[k]);
		}
		for (size_t k = 0; k < NKEYS; k++)
			ck_assert_uint_eq(track_refs(&t, (1 + k) << 12),
			    model[k]);
		track_destroy(&t);
	}
}
END_TEST

/* Self-test: track_check() notices a count of zero and a lost key. */
START_TEST(test_track_check_catches)
{
	struct track t;
	const char *why = "";
	size_t i;

	track_init(&t);
	track_ref(&t, 4096, 1);
	ck_assert_int_eq(track_check(&t, &why), 0);
	for (i = 0; t.slot[i].bytenr == 0; i++)
		;
	t.slot[i].count = 0;
	ck_assert_int_ne(track_check(&t, &why), 0);
	t.slot[i].count = 1;
	t.n++;
	ck_assert_int_ne(track_check(&t, &why), 0);
	t.n--;
	ck_assert_int_eq(track_check(&t, &why), 0);
	track_destroy(&t);
}
END_TEST

static Suite *
inv_suite(void)
{
	Suite *s = suite_create("inv");
	TCase *tc = tcase_create("modes");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_differential);
	tcase_add_test(tc, test_differential_catches_a_miss);
	tcase_add_test(tc, test_many_marks_look_at_everything);
	tcase_add_test(tc, test_each_kind_found);
	tcase_add_test(tc, test_old_findings_not_repeated);
	suite_add_tcase(s, tc);
	tc = tcase_create("track");
	tcase_add_test(tc, test_track_reference_model);
	tcase_add_test(tc, test_track_check_catches);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(inv_suite)
