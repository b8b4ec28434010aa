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
 *
 * Then the reduction at work in sched_explore(), on the toy worlds of
 * sched_world.h: it is checked against plain exhaustive exploration on
 * random worlds (fixed seeds, printed on failure): both must reach the
 * same set of final states; one world that shares memory without
 * declaring it proves the comparison catches a divergence.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/por.h"
#include "sim/rng.h"
#include "sim/sched.h"
#include "sim/xmalloc.h"
#include "tests/unit/sched_world.h"

#define NAIVE_MAX	64

/* A footprint as a plain list of distinct keys. */
struct naive {
	uint64_t	 key[NAIVE_MAX];
	int		 n;
};

/* Add KEY to NV unless it is there. */
static void
naive_add(struct naive *nv, uint64_t key)
{
	int i;

	for (i = 0; i < nv->n; i++)
		if (nv->key[i] == key)
			return;
	nv->key[nv->n++] = key;
}

/* No key of A is in B, comparing every pair. */
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
		CHECK_PASSES(por_fp_check, fp);
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
	CHECK_PASSES(por_fp_check, &a);
	for (i = 0; i < 20; i++) {
		por_fp_add(&a, por_key(POR_LOCK, (uint64_t)i % 7));
		CHECK_PASSES(por_fp_check, &a);
	}
	ck_assert_uint_eq(a.n, 7);
	por_fp_copy(&b, &a);
	CHECK_PASSES(por_fp_check, &b);
	ck_assert(!por_fp_disjoint(&a, &b));
	por_fp_reset(&a);
	CHECK_PASSES(por_fp_check, &a);
	ck_assert_uint_eq(a.n, 0);
	ck_assert(por_fp_disjoint(&a, &b));
	a.all = true;
	ck_assert(!por_fp_disjoint(&a, &b));
	ck_assert(!por_fp_disjoint(&b, &a));
	por_fp_free(&a);
	por_fp_free(&b);
	CHECK_PASSES(por_fp_check, &a);
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
	CHECK_PASSES(por_fp_check, &fp);
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
		CHECK_PASSES(por_fp_check, &c);
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
			CHECK_PASSES(por_sleep_check, i < n ? &sleep : &done);
			por_fp_free(&fp);
		}
		random_fp(&g, 4, &taken, &nt);
		por_sleep_inherit(&next, &sleep, &done, &taken);
		CHECK_PASSES(por_sleep_check, &next);
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
		CHECK_PASSES(por_sleep_check, &next);
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
	CHECK_PASSES(por_sleep_check, &set);
	set.v[1].act = 1;
	ck_assert_int_lt(por_sleep_check(&set, &why), 0);
	por_sleep_free(&set);
}
END_TEST

/* ---- sleep sets in sched_explore(), on the toy worlds -------------------- */

/*
 * scenario: sleep sets.  The yields world has no shared object: one
 * schedule, and the two other orders of the first steps are cut.  In
 * AB-BA, T2 T1 ... is T1 T2 ... with its first two steps swapped (A and B
 * are disjoint), and after T1 T2 the two blocking steps (on B, on A)
 * commute too: T1 T1 T2 T2, T1 T2 T1 T2 (the deadlock) and T2 T2 T1 T1
 * stay, and T1 T2 T2 T1 is cut.
 */
START_TEST(test_por_counts)
{
	struct sched_explore_opts o = eopts();
	struct sched_explore_result res;
	struct harness h = { .sp = &world_yields };

	o.por = true;
	explore(&h, &o, &res);
	ck_assert_uint_eq(res.schedules, 1);
	ck_assert_uint_eq(res.pruned, 2);
	ck_assert(res.exhausted);
	h.sp = &world_posted;
	explore(&h, &o, &res);
	ck_assert_uint_eq(res.schedules, 1);
	ck_assert(res.exhausted);
	h.sp = &world_abba;
	explore(&h, &o, &res);
	ck_assert_uint_eq(res.schedules, 3);
	ck_assert_uint_eq(res.deadlocks, 1);
	ck_assert_uint_eq(res.pruned, 1);
	ck_assert(res.exhausted);
	ck_assert_str_eq(res.first_deadlock.cycle,
	    "task 1 -> task 2 -> task 1");
	ck_assert_int_eq(res.order.ncycles, 1);
	/* With a preemption bound the reduction is off. */
	o.preemption_bound = 2;
	explore(&h, &o, &res);
	ck_assert_uint_eq(res.schedules, 6);
}
END_TEST

/*
 * A random world: 2 tasks (3, with shorter programs, one time in three)
 * over 2 mutexes, with yields, bumps of the data each mutex guards, and
 * (per task, maybe) a completion through a worker whose item logs itself
 * (so the queue's order shows), maybe bumps under a mutex, and signals
 * the task.  Worlds with more than DIFF_MAX_SCHEDULES schedules are
 * skipped.
 */
static void
random_spec(struct rng *g, struct spec *sp)
{
	int t, n, k, held[2], nheld, i;
	struct op *p;
	bool waited;

	memset(sp, 0, sizeof(*sp));
	sp->nlock = 2;
	sp->lname[0] = "A";
	sp->lname[1] = "B";
	sp->nq = 1;
	sp->qname[0] = "end-io";
	sp->nworker = 1;
	sp->wname[0] = "worker";
	sp->ntask = 2 + (rng_below(g, 3) == 0);
	sp->nev = sp->ntask;
	for (t = 0; t < sp->ntask; t++) {
		sp->ename[t] = "done";
		sp->evia[t] = (int)rng_below(g, 2);
		k = (int)rng_below(g, 3);
		sp->item[t].q = 0;
		p = sp->item[t].ops;
		*p++ = (struct op){ LOG, t };
		if (k < 2) {
			*p++ = (struct op){ ACQ, k };
			*p++ = (struct op){ BUMP, k };
			*p++ = (struct op){ REL, k };
		}
		*p++ = (struct op){ SIGNAL, t };
		sp->action[t] = (struct action_spec){ .name = "bio",
		    .nitems = 1, .items = { t } };
		p = sp->task[t];
		nheld = 0;
		waited = false;
		n = sp->ntask == 2 ? 2 + (int)rng_below(g, 3) :
		    1 + (int)rng_below(g, 2);
		for (i = 0; i < n; i++) {
			switch (rng_below(g, 5)) {
			case 0:
				if (nheld < 2) {
					k = nheld == 1 ? 1 - held[0] :
					    (int)rng_below(g, 2);
					held[nheld++] = k;
					*p++ = (struct op){ ACQ, k };
				}
				break;
			case 1:
				if (nheld > 0)
					*p++ = (struct op){ REL,
					    held[--nheld] };
				break;
			case 2:
				*p++ = (struct op){ YIELD, 0 };
				break;
			case 3:
				if (nheld > 0)
					*p++ = (struct op){ BUMP,
					    held[rng_below(g,
					    (uint64_t)nheld)] };
				break;
			case 4:
				if (!waited) {
					*p++ = (struct op){ POST, t };
					*p++ = (struct op){ WAIT, t };
					waited = true;
				}
				break;
			}
		}
		while (nheld > 0)
			*p++ = (struct op){ REL, held[--nheld] };
	}
}

#define DIFF_MAX_SCHEDULES	500

/* The sorted final-state signatures of exploring SP (with the state cache
 * if STATES, leaving the data out of its hash if LEAKY); false if cut. */
static bool
final_states_with(const struct spec *sp, bool por, bool states, bool leaky,
    uint64_t **sig, size_t *nsig, uint64_t *schedules)
{
	struct sched_explore_opts o = eopts();
	struct sched_explore_result res;
	struct harness h = { .sp = sp, .collect = true, .states = states,
	    .leaky = leaky };

	o.por = por;
	o.states = states;
	o.world_hash = h_world_hash;
	o.max_schedules = DIFF_MAX_SCHEDULES;
	explore(&h, &o, &res);
	free(h.runs);		/* the shard tests' */
	qsort(h.sig, h.nsig, sizeof(*h.sig), cmp_u64);
	*sig = h.sig;
	*nsig = h.nsig;
	*schedules = res.schedules;
	return res.exhausted;
}

static bool
final_states(const struct spec *sp, bool por, uint64_t **sig, size_t *nsig,
    uint64_t *schedules)
{
	return final_states_with(sp, por, false, false, sig, nsig, schedules);
}

/*
 * Do plain and reduced exploration of SP (sleep sets, with the state
 * cache if STATES, its hash missing the data if LEAKY) reach the same
 * final states?  Returns 1 or 0, or -1 if the plain one was cut at its
 * bound; *FULL and *REDUCED the schedules each ran.
 */
static int
same_reduced(const struct spec *sp, bool states, bool leaky, uint64_t *full,
    uint64_t *reduced)
{
	uint64_t *a, *b;
	size_t na, nb;
	int same;

	if (!final_states(sp, false, &a, &na, full)) {
		free(a);
		return -1;
	}
	ck_assert(final_states_with(sp, true, states, leaky, &b, &nb,
	    reduced));
	same = na == nb && memcmp(a, b, na * sizeof(*a)) == 0;
	free(a);
	free(b);
	return same;
}

static int
same_final_states(const struct spec *sp, uint64_t *full, uint64_t *reduced)
{
	return same_reduced(sp, false, false, full, reduced);
}

START_TEST(test_por_differential)
{
	struct spec sp;
	struct rng g;
	uint64_t seed, full, reduced, sum_full = 0, sum_reduced = 0;
	int same, compared = 0;

	for (seed = 1; seed <= 60; seed++) {
		rng_seed(&g, seed);
		random_spec(&g, &sp);
		same = same_final_states(&sp, &full, &reduced);
		if (same < 0)
			continue;
		ck_assert_msg(same == 1, "seed %" PRIu64 ": sleep sets lose "
		    "a final state", seed);
		ck_assert_msg(reduced <= full, "seed %" PRIu64, seed);
		sum_full += full;
		sum_reduced += reduced;
		compared++;
	}
	ck_assert_int_ge(compared, 40);
	/* The reduction must reduce something over these worlds. */
	ck_assert_uint_lt(sum_reduced, sum_full);
}
END_TEST

/*
 * scenario: the state cache with sleep sets on the random worlds of
 * test_por_differential, tasks declaring their points: the final states
 * of plain exploration, in no more schedules, and fewer over all; with a
 * hash that leaves the data out (two states told apart only by it are
 * taken as one), some world loses a final state, which proves the
 * comparison can fail.
 */
START_TEST(test_states_differential)
{
	struct spec sp;
	struct rng g;
	uint64_t seed, full, cached, sum_full = 0, sum_cached = 0;
	int same, compared = 0, lost = 0;

	for (seed = 1; seed <= 60; seed++) {
		rng_seed(&g, seed);
		random_spec(&g, &sp);
		same = same_reduced(&sp, true, false, &full, &cached);
		if (same < 0)
			continue;
		ck_assert_msg(same == 1, "seed %" PRIu64 ": the state cache "
		    "loses a final state", seed);
		ck_assert_msg(cached <= full, "seed %" PRIu64, seed);
		sum_full += full;
		sum_cached += cached;
		compared++;
		lost += same_reduced(&sp, true, true, &full, &cached) == 0;
	}
	ck_assert_int_ge(compared, 40);
	ck_assert_uint_lt(sum_cached, sum_full);
	ck_assert_int_gt(lost, 0);
}
END_TEST

/* ---- shards (explore.h) -------------------------------------------------- */

/* What one exploration found, to compare the shards with the whole. */
struct shard_run {
	uint64_t	*runs;		/* its schedules' hashes, sorted */
	size_t		 nruns;
	uint64_t	*sig;		/* its final states, sorted */
	size_t		 nsig;
	struct sched_explore_result res;
	char		 first_done[1024];
};

/* Explore SP as shard K of N (N 0: the whole tree) into OUT. */
static void
shard_explore(const struct spec *sp, bool por, bool states, bool wait,
    unsigned k, unsigned n, struct shard_run *out)
{
	struct sched_explore_opts o = eopts();
	struct harness h = { .sp = sp, .collect = true, .states = states };

	o.por = por;
	o.states = states;
	o.world_hash = h_world_hash;
	o.max_schedules = DIFF_MAX_SCHEDULES;
	o.shard_k = k;
	o.shard_n = n;
	o.shard_wait_deadlock = wait;
	explore(&h, &o, &out->res);
	if (h.nruns > 0)
		qsort(h.runs, h.nruns, sizeof(*h.runs), cmp_u64);
	if (h.nsig > 0)
		qsort(h.sig, h.nsig, sizeof(*h.sig), cmp_u64);
	out->runs = h.runs;
	out->nruns = h.nruns;
	out->sig = h.sig;
	out->nsig = h.nsig;
	memcpy(out->first_done, h.first_done, sizeof(out->first_done));
	ck_assert_uint_eq(out->res.schedules, h.nruns);
	if (n > 1)
		ck_assert_uint_eq(out->res.foreign >= h.foreign, 1);
}

static void
shard_run_free(struct shard_run *r)
{
	free(r->runs);
	free(r->sig);
}

/* Append the N64 values of B to *A (*NA of them). */
static void
append_u64(uint64_t **a, size_t *na, const uint64_t *b, size_t nb)
{
	*a = xreallocarray(*a, *na + nb + 1, sizeof(**a));
	if (nb > 0)
		memcpy(*a + *na, b, nb * sizeof(*b));
	*na += nb;
}

/* Sort and drop repeats; the new count. */
static size_t
uniq_u64(uint64_t *v, size_t n)
{
	size_t i, m = 0;

	if (n > 0)
		qsort(v, n, sizeof(*v), cmp_u64);
	for (i = 0; i < n; i++)
		if (m == 0 || v[m - 1] != v[i])
			v[m++] = v[i];
	return m;
}

/*
 * Split SP's exploration into N shards and compare them with the whole:
 * every shard finds the same first completed schedule (and, with WAIT,
 * the same first deadlock) as the whole; the shards' final states make
 * up the whole's; without the state cache, each of the whole's schedules
 * is run by exactly one shard.  Returns how many shards ran a schedule,
 * or -1 if the whole was cut at its bound.
 */
static int
shards_match(const struct spec *sp, bool por, bool states, bool wait,
    unsigned n, uint64_t seed)
{
	struct shard_run whole, part;
	uint64_t *runs = NULL, *sig = NULL, deadlocks = 0, parts = 0;
	size_t nruns = 0, nsig = 0;
	int busy = 0;

	memset(&whole, 0, sizeof(whole));
	shard_explore(sp, por, states, false, 0, 0, &whole);
	if (!whole.res.exhausted) {
		shard_run_free(&whole);
		return -1;
	}
	for (unsigned k = 1; k <= n; k++) {
		memset(&part, 0, sizeof(part));
		shard_explore(sp, por, states, wait, k, n, &part);
		ck_assert_msg(part.res.exhausted, "seed %" PRIu64 " shard %u/%u"
		    " mode %d%d%d: %" PRIu64 " schedules (whole %" PRIu64 ")",
		    seed, k, n, por, states, wait, part.res.schedules,
		    whole.res.schedules);
		/* Every shard numbers the parts alike. */
		if (k == 1)
			parts = part.res.parts;
		ck_assert_msg(part.res.parts == parts && parts > 0,
		    "seed %" PRIu64 " shard %u/%u: %" PRIu64 " parts, not %"
		    PRIu64, seed, k, n, part.res.parts, parts);
		ck_assert_msg(strcmp(part.first_done, whole.first_done) == 0,
		    "seed %" PRIu64 " shard %u/%u: first completed %s, not %s",
		    seed, k, n, part.first_done, whole.first_done);
		if (wait) {
			ck_assert_int_eq(part.res.seen_deadlock,
			    whole.res.seen_deadlock);
			if (whole.res.seen_deadlock)
				ck_assert_str_eq(
				    part.res.first_deadlock.schedule,
				    whole.res.first_deadlock.schedule);
		}
		append_u64(&runs, &nruns, part.runs, part.nruns);
		append_u64(&sig, &nsig, part.sig, part.nsig);
		deadlocks += part.res.deadlocks;
		busy += part.res.schedules > 0;
		shard_run_free(&part);
	}
	nsig = uniq_u64(sig, nsig);
	ck_assert_msg(nsig == whole.nsig && (nsig == 0 || memcmp(sig,
	    whole.sig, nsig * sizeof(*sig)) == 0), "seed %" PRIu64 ": the %u shards' "
	    "final states are not the whole's", seed, n);
	if (!states) {
		if (nruns > 0)
			qsort(runs, nruns, sizeof(*runs), cmp_u64);
		ck_assert_msg(nruns == whole.nruns && (nruns == 0 ||
		    memcmp(runs, whole.runs, nruns * sizeof(*runs)) == 0),
		    "seed %" PRIu64 ": the %u "
		    "shards' schedules are not the whole's", seed, n);
		ck_assert_uint_eq(deadlocks, whole.res.deadlocks);
	}
	free(runs);
	free(sig);
	shard_run_free(&whole);
	return busy;
}

/*
 * scenario: --shard=K/N on the random worlds of test_por_differential,
 * plain, with sleep sets and with the state cache, with and without
 * waiting for the first deadlock: shards_match() for 2 and 3 shards.  The
 * split must be real: in most worlds both of 2 shards run schedules.
 */
START_TEST(test_shards_differential)
{
	static const struct { bool por, states, wait; } mode[] = {
		{ false, false, false }, { true, false, false },
		{ true, false, true }, { true, true, false },
		{ true, true, true },
	};
	struct spec sp;
	struct rng g;
	uint64_t seed;
	int busy, compared = 0, split = 0;

	for (seed = 1; seed <= 1000; seed++) {
		rng_seed(&g, seed);
		random_spec(&g, &sp);
		for (size_t m = 0; m < NELEM(mode); m++)
			for (unsigned n = 2; n <= 3; n++) {
				busy = shards_match(&sp, mode[m].por,
				    mode[m].states, mode[m].wait, n, seed);
				if (busy < 0)
					continue;
				compared++;
				split += n == 2 && busy == 2;
			}
	}
	fprintf(stderr, "compared %d split %d\n", compared, split);
	ck_assert_int_ge(compared, 200);
	ck_assert_int_ge(split, compared / 4);
}
END_TEST

/*
 * scenario: two tasks bump the same counter with no lock.  Undeclared,
 * the bumps look independent and the reduction runs one order only: the
 * comparison catches it.  Declared with sched_touch(), both are run.
 */
START_TEST(test_por_divergence_caught)
{
	static const struct spec racy = {
		.ntask = 2,
		.task = {
			{ { YIELD, 0 }, { BUMP, 0 } },
			{ { YIELD, 0 }, { BUMP, 0 } },
		},
	};
	static const struct spec declared = {
		.ntask = 2,
		.task = {
			{ { YIELD, 0 }, { TOUCH, 0 }, { BUMP, 0 } },
			{ { YIELD, 0 }, { TOUCH, 0 }, { BUMP, 0 } },
		},
	};
	uint64_t full, reduced;

	ck_assert_int_eq(same_final_states(&racy, &full, &reduced), 0);
	ck_assert_int_eq(same_final_states(&declared, &full, &reduced), 1);
}
END_TEST

/*
 * scenario: the order in which the device completes two bios of one task
 * is the only thing that orders the worker's log: sleep sets must keep
 * both orders (the two firings touch the same queue).
 */
START_TEST(test_por_completion_order)
{
	static const struct spec two_bios = {
		.nev = 2, .ename = { "E1", "E2" }, .evia = { 1, 1 },
		.nq = 1, .qname = { "end-io" },
		.ntask = 1,
		.task = { { { POST, 0 }, { POST, 1 }, { WAIT, 0 },
		    { WAIT, 1 } } },
		.nworker = 1, .wq = { 0 }, .wname = { "end-io worker 1" },
		.item = {
			{ .q = 0, .ops = { { LOG, 1 }, { SIGNAL, 0 } } },
			{ .q = 0, .ops = { { LOG, 2 }, { SIGNAL, 1 } } },
		},
		.action = {
			{ .name = "bio 1", .nitems = 1, .items = { 0 } },
			{ .name = "bio 2", .nitems = 1, .items = { 1 } },
		},
	};
	struct sched_explore_opts o = eopts();
	struct sched_explore_result res;
	struct harness h = { .sp = &two_bios, .collect = true };
	uint64_t full, reduced;

	ck_assert_int_eq(same_final_states(&two_bios, &full, &reduced), 1);
	o.por = true;
	explore(&h, &o, &res);
	ck_assert(res.exhausted);
	ck_assert_uint_eq(h.nsig, 2);
	free(h.sig);
	free(h.runs);
}
END_TEST

/* The tasks that finished in R as a mask M (bit t: task t + 1), and M as
 * one bit of a set of such sets: 1 << M. */
static uint32_t
finished_set_bit(const struct sched_result *r, int ntask)
{
	unsigned mask = 0;
	int t;

	for (t = 0; t < ntask; t++)
		if (r->ent[t].state == SCHED_FINISHED)
			mask |= 1u << t;
	return (uint32_t)1 << mask;
}

/* sched_explore() visit: record which tasks finished, as a set of sets. */
static bool
h_visit_finished(void *arg, struct sched *s, const struct sched_result *r)
{
	struct harness *h = arg;

	CHECK_HOT(s == h->w->s, "visit of another sched");
	check_sched(s);
	CHECK_HOT(r->outcome == SCHED_OOPS, "outcome %d", r->outcome);
	h->finished |= finished_set_bit(r, h->w->sp->ntask);
	return true;
}

/*
 * scenario: an oops is not independent of anything.  Task 1 yields once,
 * then oopses; task 2 touches nothing and finishes after one yield.
 * Every schedule ends in the oops; task 2 has finished in the three
 * where both its steps come before task 1's second: T1 T2 T2 T1,
 * T2 T1 T2 T1 and T2 T2 T1 T1, of the 6 (T1 T1, T1 T2 T1 and T2 T1 T1
 * are the others).  Sleep sets must keep one of them.  The oops step
 * disables every other action, so it depends on all of them: explored
 * in T1 T1, it does not sleep under T1 T2, and the reduction runs T1 T1,
 * T1 T2 T1 and T1 T2 T2 T1, then cuts T2 ... (task 1's first step, which
 * touches nothing, sleeps there until the end).  Were the oops taken as
 * independent of task 2's steps, it would sleep under T1 T2 too and the
 * only schedule run would be T1 T1, in which task 2 never finishes.
 */
START_TEST(test_por_oops_depends_on_all)
{
	static const struct spec oops_vs_idle = {
		.ntask = 2,
		.task = {
			{ { YIELD, 0 }, { OOPS, 0 } },
			{ { YIELD, 0 } },
		},
	};
	struct sched_explore_opts o = eopts();
	struct sched_explore_result res;
	struct harness h = { .sp = &oops_vs_idle };
	uint32_t plain, neither = (uint32_t)1 << 0, task2 = (uint32_t)1 << 2;

	sched_explore(&o, h_setup, h_visit_finished, h_teardown, &h, &res);
	ck_assert_ptr_null(h.w);
	ck_assert(res.exhausted);
	ck_assert_uint_eq(res.schedules, 6);
	ck_assert_uint_eq(res.oopses, 6);
	ck_assert_uint_eq(h.finished, neither | task2);
	plain = h.finished;

	h.finished = 0;
	o.por = true;
	sched_explore(&o, h_setup, h_visit_finished, h_teardown, &h, &res);
	ck_assert_ptr_null(h.w);
	ck_assert_msg(h.finished & task2, "no schedule run in which task 2 "
	    "finishes before task 1's oops");
	ck_assert_uint_eq(h.finished, plain);
	ck_assert(res.exhausted);
	ck_assert_uint_eq(res.schedules, 3);
	ck_assert_uint_eq(res.pruned, 1);
	ck_assert_uint_eq(res.oopses, 3);
	ck_assert_str_eq(res.first_oops.oops, "BUG at toy.c:1");
}
END_TEST

/* Test cases: footprints, sleep sets, sleep sets in explorations. */
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

	tc = tcase_create("explore");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_por_counts);
	tcase_add_test(tc, test_por_differential);
	tcase_add_test(tc, test_states_differential);
	tcase_add_test(tc, test_shards_differential);
	tcase_add_test(tc, test_por_divergence_caught);
	tcase_add_test(tc, test_por_completion_order);
	tcase_add_test(tc, test_por_oops_depends_on_all);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(por_suite)
