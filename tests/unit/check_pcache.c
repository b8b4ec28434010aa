/*
 * Unit tests of the page cache (sim/pcache.c): each operation by hand,
 * and a differential test against a naive model that keeps one record
 * per byte, over long random sequences from a fixed seed, with
 * pcache_check() after every operation.
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/content.h"
#include "sim/pcache.h"
#include "sim/rng.h"
#include "tests/unit/suite.h"

#define SPAN	256		/* bytes of the differential test's file */
#define PAGE	16		/* its page size */

static void
checked(const struct pcache *pc)
{
	const char *why = "";

	ck_assert_msg(pcache_check(pc, &why) == 0, "pcache_check: %s", why);
}

/* Is byte POS dirty according to the dirty map? */
static bool
dirty_at(const struct pcache *pc, uint64_t pos)
{
	const struct imap_ent *e = pcache_dirty_from(pc, pos);

	return e != NULL && e->start <= pos;
}

START_TEST(test_set_and_flags)
{
	struct pcache pc;
	struct imap_val clean = content_fill(7), dirty = content_fill(7);

	dirty.aux |= CONTENT_DIRTY;
	pcache_init(&pc);
	pcache_set(&pc, 0, 32, &clean);
	checked(&pc);
	ck_assert(pcache_uptodate(&pc, 16, PAGE));
	ck_assert(!pcache_uptodate(&pc, 32, PAGE));
	ck_assert_uint_eq(pcache_dirty_bytes(&pc), 0);
	pcache_set(&pc, 8, 24, &dirty);
	checked(&pc);
	ck_assert_uint_eq(pcache_dirty_bytes(&pc), 16);
	pcache_mark_dirty(&pc, 0, 64, true);	/* only cached bytes */
	checked(&pc);
	ck_assert_uint_eq(pcache_dirty_bytes(&pc), 32);
	pcache_mark_clean(&pc, 0, 16);
	checked(&pc);
	ck_assert_uint_eq(pcache_dirty_bytes(&pc), 16);
	ck_assert(!(imap_find(pcache_map(&pc), 0)->v.aux & CONTENT_NOCSUM));
	pcache_drop_clean(&pc);
	checked(&pc);
	ck_assert(!pcache_uptodate(&pc, 0, PAGE));
	ck_assert(pcache_uptodate(&pc, 16, PAGE));
	pcache_clear(&pc, 0, UINT64_MAX);
	checked(&pc);
	ck_assert_ptr_null(pcache_dirty_from(&pc, 0));
	pcache_destroy(&pc);
}
END_TEST

/* Self-test: pcache_check catches a dirty map out of step. */
START_TEST(test_check_catches)
{
	struct pcache pc;
	struct imap_val v = content_fill(1);
	const char *why = NULL;

	pcache_init(&pc);
	pcache_set(&pc, 0, 16, &v);
	imap_set(&pc.dirty, 0, 8, &(struct imap_val){ 0, 0, 0, 0 });
	ck_assert_int_ne(pcache_check(&pc, &why), 0);
	ck_assert_ptr_nonnull(why);
	pcache_destroy(&pc);
}
END_TEST

/* The naive model: per byte, cached or not, its fill byte and flags. */
struct naive {
	bool		cached[SPAN];
	uint8_t		byte[SPAN];
	uint32_t	flags[SPAN];	/* CONTENT_DIRTY | CONTENT_NOCSUM */
};

static void
naive_compare(const struct naive *n, const struct pcache *pc, unsigned op)
{
	uint64_t dirty = 0;

	for (uint64_t i = 0; i < SPAN; i++) {
		const struct imap_ent *e = imap_find(pcache_map(pc), i);

		ck_assert_msg((e != NULL) == n->cached[i], "op %u byte %lu: "
		    "cached", op, (unsigned long)i);
		if (e != NULL) {
			ck_assert_uint_eq(e->v.aux & CONTENT_BYTE_MASK,
			    n->byte[i]);
			ck_assert_uint_eq(e->v.aux & (CONTENT_DIRTY |
			    CONTENT_NOCSUM), n->flags[i]);
		}
		ck_assert_msg(dirty_at(pc, i) ==
		    ((n->flags[i] & CONTENT_DIRTY) != 0), "op %u byte %lu: "
		    "dirty map", op, (unsigned long)i);
		dirty += (n->flags[i] & CONTENT_DIRTY) != 0;
	}
	ck_assert_uint_eq(pcache_dirty_bytes(pc), dirty);
	for (uint64_t p = 0; p < SPAN; p += PAGE) {
		bool all = true;

		for (uint64_t i = p; i < p + PAGE; i++)
			all = all && n->cached[i];
		ck_assert_int_eq(pcache_uptodate(pc, p, PAGE), all);
	}
}

START_TEST(test_differential)
{
	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct pcache pc;
		struct naive n;
		struct rng r;

		memset(&n, 0, sizeof(n));
		rng_seed(&r, seed);
		pcache_init(&pc);
		for (unsigned op = 0; op < 2000; op++) {
			uint64_t s = rng_below(&r, SPAN);
			uint64_t t = s + 1 + rng_below(&r, SPAN - s);
			struct imap_val v;
			bool nocsum = rng_below(&r, 2);

			switch (rng_below(&r, 6)) {
			case 0:
			case 1:
				v = content_fill((unsigned)rng_below(&r, 3));
				if (rng_below(&r, 2))
					v.aux |= CONTENT_DIRTY;
				pcache_set(&pc, s, t, &v);
				for (uint64_t i = s; i < t; i++) {
					n.cached[i] = true;
					n.byte[i] = v.aux & CONTENT_BYTE_MASK;
					n.flags[i] = v.aux & CONTENT_DIRTY;
				}
				break;
			case 2:
				pcache_clear(&pc, s, t);
				for (uint64_t i = s; i < t; i++)
					n.cached[i] = false, n.flags[i] = 0;
				break;
			case 3:
				pcache_mark_dirty(&pc, s, t, nocsum);
				for (uint64_t i = s; i < t; i++)
					if (n.cached[i])
						n.flags[i] |= CONTENT_DIRTY |
						    (nocsum ? CONTENT_NOCSUM : 0);
				break;
			case 4:
				pcache_mark_clean(&pc, s, t);
				for (uint64_t i = s; i < t; i++)
					n.flags[i] = 0;
				break;
			default:
				if (rng_below(&r, 4) != 0)
					break;
				pcache_drop_clean(&pc);
				for (uint64_t i = 0; i < SPAN; i++)
					if (!(n.flags[i] & CONTENT_DIRTY))
						n.cached[i] = false;
				break;
			}
			checked(&pc);
			naive_compare(&n, &pc, op);
		}
		pcache_destroy(&pc);
	}
}
END_TEST

static Suite *
pcache_suite(void)
{
	Suite *s = suite_create("pcache");
	TCase *tc = tcase_create("ops");

	tcase_add_test(tc, test_set_and_flags);
	tcase_add_test(tc, test_check_catches);
	suite_add_tcase(s, tc);
	tc = tcase_create("differential");
	tcase_set_timeout(tc, 300);	/* about 100 s under ASan */
	tcase_add_test(tc, test_differential);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(pcache_suite)
