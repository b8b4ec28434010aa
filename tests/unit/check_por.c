/*
 * Unit tests for sim/por: footprint keys, footprints and sleep sets.
 * por_fp_check() and por_sleep_check() run after every operation.
 *
 * Footprints and the sleep-set rule are compared with naive models on
 * random inputs (fixed seeds, printed on failure): a footprint with a
 * plain list of distinct keys (membership, order, disjointness by
 * comparing every pair), the inherited sleep set with a filter written
 * out.  Keys come from a small universe, so that footprints overlap
 * often and their summaries collide.
 */
#include <check.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/por.h"
#include "sim/rng.h"
#include "sim/sched.h"

#define NAIVE_MAX	64

/* por_fp_check() must pass. */
static void
check_fp(const struct por_fp *fp)
{
	const char *why = NULL;

	if (por_fp_check(fp, &why) != 0)
		ck_abort_msg("por_fp_check: %s", why);
}

/* por_sleep_check() must pass. */
static void
check_sleep(const struct por_sleep *set)
{
	const char *why = NULL;

	if (por_sleep_check(set, &why) != 0)
		ck_abort_msg("por_sleep_check: %s", why);
}

/* A footprint as a plain list of distinct keys. */
struct naive {
	uint64_t	 key[NAIVE_MAX];
	int		 n;
};

static void
naive_add(struct naive *nv, uint64_t key)
{
	int i;

	for (i = 0; i < nv->n; i++)
		if (nv->key[i] == key)
			return;
	nv->key[nv->n++] = key;
}

static bool
naive_disjoint(const struct naive *a, const struct naive *b)
{
	int i, j;

	for (i = 0; i < a->n; i++)
		for (j = 0; j < b->n; j++)
			if (a->key[i] == b->key[j])
				return false;
	return true;
}

/* A random key of a universe of about 5 kinds x 12 objects. */
static uint64_t
random_key(struct rng *g)
{
	enum por_kind kind = (enum por_kind)(1 + rng_below(g, POR_NKIND - 1));

	return por_key(kind, rng_below(g, 12) * 0x10001);
}

/* A random footprint of up to MAX keys into FP and NV. */
static void
random_fp(struct rng *g, int max, struct por_fp *fp, struct naive *nv)
{
	int i, n = (int)rng_below(g, (uint64_t)max + 1);
	uint64_t key;

	memset(fp, 0, sizeof(*fp));
	memset(nv, 0, sizeof(*nv));
	for (i = 0; i < n; i++) {
		key = random_key(g);
		por_fp_add(fp, key);
		naive_add(nv, key);
		check_fp(fp);
	}
}

/* FP holds NV's keys in NV's order. */
static void
same_keys(const struct por_fp *fp, const struct naive *nv, uint64_t seed)
{
	int i;

	ck_assert_msg((int)fp->n == nv->n, "seed %" PRIu64 ": %zu keys, "
	    "naive %d", seed, fp->n, nv->n);
	for (i = 0; i < nv->n; i++)
		ck_assert_msg(fp->key[i] == nv->key[i], "seed %" PRIu64
		    ": key %d", seed, i);
}

/*
 * scenario: keys of different kinds never collide, whatever the object
 * key; wide object keys are folded into the range; the kind reads back.
 */
START_TEST(test_keys_by_kind)
{
	static const uint64_t obj[] = { 0, 1, 42, POR_KEY_MAX, POR_KEY_MAX + 1,
	    UINT64_MAX };
	size_t i;
	int k, j;

	for (i = 0; i < sizeof(obj) / sizeof(obj[0]); i++)
		for (k = 1; k < POR_NKIND; k++) {
			ck_assert_int_eq(por_key_kind(por_key(k, obj[i])), k);
			for (j = 1; j < k; j++)
				ck_assert(por_key(k, obj[i]) !=
				    por_key(j, obj[i]));
		}
	ck_assert_uint_eq(por_key(POR_TOUCH, 42) & POR_KEY_MAX, 42);
	ck_assert_uint_eq(por_key(POR_TOUCH, POR_KEY_MAX + 1) >> POR_KEY_BITS,
	    POR_TOUCH);
}
END_TEST

/*
 * scenario: objects keyed by name are keyed as the _key inits with
 * sched_name_key() key them; one name in two kinds is two objects; a
 * name is cut to SCHED_NAME before it is hashed, as it is stored.
 */
START_TEST(test_object_keys)
{
	struct sched_lock l1, l2, l3;
	struct sched_queue q;
	struct sched_event ev;

	sched_lock_init(NULL, &l1, SCHED_MUTEX, "fs_mutex");
	sched_lock_init_key(NULL, &l2, SCHED_MUTEX, sched_name_key("fs_mutex"),
	    "fs_mutex");
	ck_assert_uint_eq(l1.key, l2.key);
	ck_assert_int_eq(por_key_kind(l1.key), POR_LOCK);
	sched_queue_init(NULL, &q, "fs_mutex");
	sched_event_init(&ev, "fs_mutex", NULL);
	ck_assert_uint_ne(q.key, l1.key);
	ck_assert_uint_ne(ev.key, l1.key);
	ck_assert_uint_ne(ev.key, q.key);
	ck_assert_int_eq(por_key_kind(q.key), POR_QUEUE);
	ck_assert_int_eq(por_key_kind(ev.key), POR_EVENT);
	sched_queue_free(&q);
	sched_lock_init(NULL, &l1, SCHED_MUTEX,
	    "a name much longer than thirty-one characters");
	sched_lock_init(NULL, &l2, SCHED_MUTEX,
	    "a name much longer than thirty-one characters, another");
	ck_assert_uint_eq(l1.key, l2.key);
	sched_lock_init_key(NULL, &l3, SCHED_MUTEX, 5, "page 1:0");
	ck_assert_uint_eq(l3.key, por_key(POR_LOCK, 5));
	ck_assert_uint_le(sched_name_key("x"), SCHED_KEY_MAX);
	ck_assert_uint_ne(sched_name_key("page 1:0"),
	    sched_name_key("page 1:1"));
}
END_TEST

/* scenario: adding a key twice keeps one; reset empties; copy owns. */
START_TEST(test_fp_basics)
{
	struct por_fp a, b;
	int i;

	memset(&a, 0, sizeof(a));
	check_fp(&a);
	for (i = 0; i < 20; i++) {
		por_fp_add(&a, por_key(POR_LOCK, (uint64_t)i % 7));
		check_fp(&a);
	}
	ck_assert_uint_eq(a.n, 7);
	por_fp_copy(&b, &a);
	check_fp(&b);
	ck_assert(!por_fp_disjoint(&a, &b));
	por_fp_reset(&a);
	check_fp(&a);
	ck_assert_uint_eq(a.n, 0);
	ck_assert(por_fp_disjoint(&a, &b));
	a.all = true;
	ck_assert(!por_fp_disjoint(&a, &b));
	ck_assert(!por_fp_disjoint(&b, &a));
	por_fp_free(&a);
	por_fp_free(&b);
	check_fp(&a);
}
END_TEST

/* scenario: the checker notices a duplicate, a stale summary, a key of
 * no kind. */
START_TEST(test_fp_check_catches)
{
	struct por_fp fp;
	const char *why;

	memset(&fp, 0, sizeof(fp));
	por_fp_add(&fp, por_key(POR_EVENT, 1));
	por_fp_add(&fp, por_key(POR_EVENT, 2));
	check_fp(&fp);
	fp.key[1] = fp.key[0];
	ck_assert_int_lt(por_fp_check(&fp, &why), 0);
	fp.key[1] = por_key(POR_EVENT, 3);
	ck_assert_int_lt(por_fp_check(&fp, &why), 0);
	fp.key[1] = 3;
	ck_assert_int_lt(por_fp_check(&fp, &why), 0);
	por_fp_free(&fp);
}
END_TEST

/*
 * scenario: 2000 random pairs of footprints: the same keys in the same
 * order as the naive list, and disjoint exactly when the naive lists
 * are; with "all" never disjoint.
 */
START_TEST(test_fp_differential)
{
	struct por_fp a, b, c;
	struct naive na, nb;
	struct rng g;
	uint64_t seed;
	int ndisjoint = 0;

	for (seed = 1; seed <= 2000; seed++) {
		rng_seed(&g, seed);
		random_fp(&g, 1 + (int)rng_below(&g, 24), &a, &na);
		random_fp(&g, 1 + (int)rng_below(&g, 6), &b, &nb);
		same_keys(&a, &na, seed);
		same_keys(&b, &nb, seed);
		ck_assert_msg(por_fp_disjoint(&a, &b) ==
		    naive_disjoint(&na, &nb), "seed %" PRIu64, seed);
		ck_assert_msg(por_fp_disjoint(&b, &a) ==
		    naive_disjoint(&na, &nb), "seed %" PRIu64, seed);
		ndisjoint += naive_disjoint(&na, &nb);
		por_fp_copy(&c, &a);
		check_fp(&c);
		same_keys(&c, &na, seed);
		c.all = true;
		ck_assert(!por_fp_disjoint(&c, &b));
		por_fp_free(&a);
		por_fp_free(&b);
		por_fp_free(&c);
	}
	/* Both answers must have been exercised often. */
	ck_assert_int_gt(ndisjoint, 200);
	ck_assert_int_lt(ndisjoint, 1800);
}
END_TEST

/*
 * scenario: the sleep set after a step is the members of the sleep and
 * done sets whose footprints are disjoint from the step's, in that
 * order: against the filter written out, on random sets.
 */
START_TEST(test_sleep_inherit_differential)
{
	struct por_sleep sleep, done, next;
	struct por_fp fp, taken;
	struct naive nv[16], nt;
	struct rng g;
	uint64_t seed;
	uint32_t act[16];
	int i, n, m, k;

	for (seed = 1; seed <= 500; seed++) {
		rng_seed(&g, seed);
		memset(&sleep, 0, sizeof(sleep));
		memset(&done, 0, sizeof(done));
		memset(&next, 0, sizeof(next));
		n = (int)rng_below(&g, 8);
		m = (int)rng_below(&g, 8);
		for (i = 0; i < n + m; i++) {
			random_fp(&g, 4, &fp, &nv[i]);
			act[i] = (uint32_t)i * 3;
			fp.all = rng_below(&g, 10) == 0;
			if (fp.all)
				nv[i].n = -1;
			por_sleep_add(i < n ? &sleep : &done, act[i], &fp);
			check_sleep(i < n ? &sleep : &done);
			por_fp_free(&fp);
		}
		random_fp(&g, 4, &taken, &nt);
		por_sleep_inherit(&next, &sleep, &done, &taken);
		check_sleep(&next);
		k = 0;
		for (i = 0; i < n + m; i++) {
			if (nv[i].n < 0 || !naive_disjoint(&nv[i], &nt)) {
				ck_assert(!por_sleep_has(&next, act[i]));
				continue;
			}
			ck_assert_msg(k < (int)next.n && next.v[k].act ==
			    act[i], "seed %" PRIu64 ": member %d", seed, k);
			same_keys(&next.v[k].fp, &nv[i], seed);
			ck_assert(por_sleep_has(&next, act[i]));
			k++;
		}
		ck_assert_int_eq(k, (int)next.n);
		por_fp_free(&taken);
		por_sleep_free(&sleep);
		por_sleep_free(&done);
		por_sleep_free(&next);
		check_sleep(&next);
	}
}
END_TEST

/* scenario: the checker notices an action asleep twice. */
START_TEST(test_sleep_check_catches)
{
	struct por_sleep set;
	struct por_fp fp;
	const char *why;

	memset(&set, 0, sizeof(set));
	memset(&fp, 0, sizeof(fp));
	por_sleep_add(&set, 1, &fp);
	por_sleep_add(&set, 2, &fp);
	check_sleep(&set);
	set.v[1].act = 1;
	ck_assert_int_lt(por_sleep_check(&set, &why), 0);
	por_sleep_free(&set);
}
END_TEST

static Suite *
por_suite(void)
{
	Suite *s = suite_create("por");
	TCase *tc;

	tc = tcase_create("footprints");
	tcase_add_test(tc, test_keys_by_kind);
	tcase_add_test(tc, test_object_keys);
	tcase_add_test(tc, test_fp_basics);
	tcase_add_test(tc, test_fp_check_catches);
	tcase_add_test(tc, test_fp_differential);
	suite_add_tcase(s, tc);

	tc = tcase_create("sleep");
	tcase_add_test(tc, test_sleep_inherit_differential);
	tcase_add_test(tc, test_sleep_check_catches);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(por_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
