/*
 * Unit tests for sim/lockorder: the lock-order graph and its cycle
 * listing.  lockorder_check() runs after every operation.
 *
 * The listing is compared with a brute-force reference on small random
 * graphs (fixed seeds, printed on failure): every sequence of distinct
 * nodes that starts at its lowest node, in lexicographic order, kept when
 * each step and the way back are edges.  That is the definition of the
 * listing with nothing of its algorithm (components, pruning, sorted
 * successors); both must give the same strings in the same order.
 * Merging is compared with a naive union by key.  Last, the graph the
 * scheduler records and sched_explore() merges, on the toy worlds of
 * sched_world.h.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/lockorder.h"
#include "sim/rng.h"
#include "sim/sched.h"
#include "tests/unit/sched_world.h"

#define REF_MAX	8	/* nodes of a reference graph */

/* A graph by adjacency matrix over node ids, with the nodes' names. */
struct brute {
	int		 n;
	bool		 e[REF_MAX][REF_MAX];
	const char	*name[REF_MAX];
	struct lockorder_report rep;
};

/* The cycle PATH[0..len) of R, if it is one, into R's report. */
static void
ref_emit(struct brute *r, const int *path, int len)
{
	char buf[4096] = "";
	int i;

	for (i = 0; i + 1 < len; i++)
		if (!r->e[path[i]][path[i + 1]])
			return;
	if (!r->e[path[len - 1]][path[0]])
		return;
	if (r->rep.ncycles == LOCKORDER_MAX_CYCLES) {
		r->rep.more = true;
		return;
	}
	for (i = 0; i < len; i++) {
		strcat(buf, r->name[path[i]]);
		strcat(buf, " -> ");
	}
	strcat(buf, r->name[path[0]]);
	snprintf(r->rep.cycles[r->rep.ncycles++], LOCKORDER_CYCLE_LEN, "%s",
	    buf);
}

/* Every sequence extending PATH[0..len) by nodes above PATH[0], in
 * lexicographic order, a prefix before its extensions. */
static void
ref_walk(struct brute *r, int *path, int len)
{
	int v, i;
	bool used;

	ref_emit(r, path, len);
	for (v = path[0] + 1; v < r->n; v++) {
		used = false;
		for (i = 1; i < len; i++)
			used |= path[i] == v;
		if (used)
			continue;
		path[len] = v;
		ref_walk(r, path, len + 1);
	}
}

/* The reference listing of R into R->rep. */
static void
ref_cycles(struct brute *r)
{
	int path[REF_MAX], s;

	memset(&r->rep, 0, sizeof(r->rep));
	for (s = 0; s < r->n; s++) {
		path[0] = s;
		ref_walk(r, path, 1);
	}
}

/* The two listings agree; MSG says on what. */
static void
same_report(const struct lockorder_report *a, const struct lockorder_report *b,
    const char *msg)
{
	int i;

	ck_assert_msg(a->ncycles == b->ncycles, "%s: %d cycles, reference %d",
	    msg, a->ncycles, b->ncycles);
	ck_assert_msg(a->more == b->more, "%s: more %d", msg, a->more);
	for (i = 0; i < a->ncycles; i++)
		ck_assert_msg(strcmp(a->cycles[i], b->cycles[i]) == 0,
		    "%s: cycle %d: \"%s\", reference \"%s\"", msg, i,
		    a->cycles[i], b->cycles[i]);
}

static const char *names[REF_MAX] = {
	"A", "B", "C", "D", "E", "F", "G", "H"
};

/*
 * scenario: nodes are found by key alone (a second name for a known key
 * is ignored), names are cut to fit, an edge is kept once, and a graph
 * freed is empty.
 */
START_TEST(test_nodes_and_edges)
{
	struct lockorder g;
	int a, b;

	memset(&g, 0, sizeof(g));
	CHECK_PASSES(lockorder_check, &g);
	a = lockorder_node(&g, 7, "fs_mutex");
	CHECK_PASSES(lockorder_check, &g);
	b = lockorder_node(&g, UINT64_MAX, "a name much longer than "
	    "thirty-one characters");
	CHECK_PASSES(lockorder_check, &g);
	ck_assert_int_eq(a, 0);
	ck_assert_int_eq(b, 1);
	ck_assert_int_eq(lockorder_node(&g, 7, "another name"), 0);
	ck_assert_str_eq(g.name[0], "fs_mutex");
	ck_assert_uint_eq(strlen(g.name[1]), LOCKORDER_NAME - 1);
	lockorder_edge(&g, a, b, NULL);
	CHECK_PASSES(lockorder_check, &g);
	lockorder_edge(&g, a, b, NULL);
	CHECK_PASSES(lockorder_check, &g);
	lockorder_edge(&g, b, b, NULL);
	CHECK_PASSES(lockorder_check, &g);
	ck_assert_uint_eq(g.nedge, 2);
	ck_assert_uint_eq(g.nnode, 2);
	lockorder_free(&g);
	CHECK_PASSES(lockorder_check, &g);
	ck_assert_uint_eq(g.nnode, 0);
}
END_TEST

/*
 * scenario: many nodes and edges (past several index doublings), keys
 * spread over the whole 64 bits: every node is found again at its id.
 */
START_TEST(test_index_growth)
{
	struct lockorder g;
	struct rng r;
	uint64_t key[600];
	int i;

	memset(&g, 0, sizeof(g));
	rng_seed(&r, 3);
	for (i = 0; i < 600; i++) {
		key[i] = rng_next(&r);
		ck_assert_int_eq(lockorder_node(&g, key[i], "n"), i);
		if (i > 0)
			lockorder_edge(&g, i - 1, i, NULL);
		if (i % 37 == 0)
			CHECK_PASSES(lockorder_check, &g);
	}
	CHECK_PASSES(lockorder_check, &g);
	for (i = 0; i < 600; i++)
		ck_assert_int_eq(lockorder_node(&g, key[i], "n"), i);
	ck_assert_uint_eq(g.nedge, 599);
	lockorder_free(&g);
}
END_TEST

/* scenario: the checker notices a node indexed twice and a dangling edge. */
START_TEST(test_check_catches)
{
	struct lockorder g;
	const char *why;

	memset(&g, 0, sizeof(g));
	lockorder_node(&g, 1, "A");
	lockorder_node(&g, 2, "B");
	lockorder_edge(&g, 0, 1, NULL);
	CHECK_PASSES(lockorder_check, &g);
	g.key[1] = 1;
	ck_assert_int_lt(lockorder_check(&g, &why), 0);
	g.key[1] = 2;
	g.edge[0] = (uint64_t)0 << 32 | 5;
	ck_assert_int_lt(lockorder_check(&g, &why), 0);
	lockorder_free(&g);
}
END_TEST

/* A random graph of N nodes (keys in random order) into G and R. */
static void
random_graph(struct rng *rg, int n, int density, struct lockorder *g,
    struct brute *r)
{
	int from, to, id;

	memset(g, 0, sizeof(*g));
	memset(r, 0, sizeof(*r));
	r->n = n;
	for (from = 0; from < n; from++) {
		id = lockorder_node(g, (uint64_t)from * 0x1000 + 77,
		    names[from]);
		ck_assert_int_eq(id, from);
		r->name[from] = names[from];
		CHECK_PASSES(lockorder_check, g);
	}
	for (from = 0; from < n; from++)
		for (to = 0; to < n; to++)
			if ((int)rng_below(rg, 100) < density) {
				lockorder_edge(g, from, to, NULL);
				r->e[from][to] = true;
				CHECK_PASSES(lockorder_check, g);
			}
}

/*
 * scenario: on 400 random graphs of 1 to 8 nodes, sparse to dense, with
 * self-loops, the listing is the brute-force one: same cycles, same
 * order, the same cut at 16 with "more".
 */
START_TEST(test_cycles_differential)
{
	struct lockorder g;
	struct lockorder_report rep;
	struct brute r;
	struct rng rg;
	uint64_t seed;
	char msg[64];
	int full = 0;

	for (seed = 1; seed <= 400; seed++) {
		rng_seed(&rg, seed);
		random_graph(&rg, 1 + (int)rng_below(&rg, REF_MAX),
		    5 + (int)rng_below(&rg, 50), &g, &r);
		lockorder_cycles(&g, &rep);
		ref_cycles(&r);
		snprintf(msg, sizeof(msg), "seed %" PRIu64, seed);
		same_report(&rep, &r.rep, msg);
		full += rep.more;
		CHECK_PASSES(lockorder_check, &g);
		lockorder_free(&g);
	}
	/* Some graphs must have had more cycles than a report holds. */
	ck_assert_int_gt(full, 0);
}
END_TEST

/* Naive merge state: keys in order of first sight, edges by those ids. */
struct naive {
	uint64_t	 key[REF_MAX];
	int		 n;
	uint64_t	 edge[REF_MAX * REF_MAX];
	int		 nedge;
};

/* The naive id of KEY, appended if new. */
static int
naive_id(struct naive *nv, uint64_t key)
{
	int i;

	for (i = 0; i < nv->n; i++)
		if (nv->key[i] == key)
			return i;
	nv->key[nv->n] = key;
	return nv->n++;
}

/* Add PART's edges to NV, in PART's order, each once. */
static void
naive_merge(struct naive *nv, const struct lockorder *part)
{
	uint64_t e;
	size_t i;
	int a, b, k;

	for (i = 0; i < part->nedge; i++) {
		a = naive_id(nv, part->key[part->edge[i] >> 32]);
		b = naive_id(nv, part->key[(uint32_t)part->edge[i]]);
		e = (uint64_t)a << 32 | (uint32_t)b;
		for (k = 0; k < nv->nedge && nv->edge[k] != e; k++)
			;
		if (k == nv->nedge)
			nv->edge[nv->nedge++] = e;
	}
}

/*
 * scenario: merging random graphs whose nodes share keys (added in
 * another order each time): the result is the naive union by key, its
 * nodes numbered and its edges listed in the order first seen, and its
 * listing is the reference's over that union.
 */
START_TEST(test_merge_differential)
{
	struct lockorder part, all;
	struct lockorder_report rep;
	struct naive nv;
	struct brute r;
	struct rng rg;
	uint64_t seed;
	int k, i;
	char msg[64];

	for (seed = 1; seed <= 100; seed++) {
		rng_seed(&rg, seed);
		memset(&all, 0, sizeof(all));
		memset(&nv, 0, sizeof(nv));
		for (k = 0; k < 3; k++) {
			random_graph(&rg, 1 + (int)rng_below(&rg, REF_MAX),
			    10 + (int)rng_below(&rg, 20), &part, &r);
			lockorder_merge(&all, &part);
			CHECK_PASSES(lockorder_check, &all);
			naive_merge(&nv, &part);
			lockorder_free(&part);
		}
		snprintf(msg, sizeof(msg), "merge seed %" PRIu64, seed);
		ck_assert_msg((int)all.nnode == nv.n && (int)all.nedge ==
		    nv.nedge, "%s: %zu nodes %zu edges, naive %d %d", msg,
		    all.nnode, all.nedge, nv.n, nv.nedge);
		memset(&r, 0, sizeof(r));
		r.n = nv.n;
		for (i = 0; i < nv.n; i++) {
			ck_assert_msg(all.key[i] == nv.key[i], "%s: node %d",
			    msg, i);
			r.name[i] = names[(all.key[i] - 77) / 0x1000];
			ck_assert_str_eq(all.name[i], r.name[i]);
		}
		for (i = 0; i < nv.nedge; i++) {
			ck_assert_msg(all.edge[i] == nv.edge[i], "%s: edge %d",
			    msg, i);
			r.e[nv.edge[i] >> 32][(uint32_t)nv.edge[i]] = true;
		}
		lockorder_cycles(&all, &rep);
		ref_cycles(&r);
		same_report(&rep, &r.rep, msg);
		lockorder_free(&all);
	}
}
END_TEST

/* scenario: a long cycle of long names is cut at the report's width. */
START_TEST(test_cycle_text_cut)
{
	struct lockorder g;
	struct lockorder_report rep;
	char name[40];
	int i;

	memset(&g, 0, sizeof(g));
	for (i = 0; i < 12; i++) {
		snprintf(name, sizeof(name),
		    "lock number %02d with a long name", i);
		lockorder_node(&g, (uint64_t)i, name);
	}
	for (i = 0; i < 12; i++)
		lockorder_edge(&g, i, (i + 1) % 12, NULL);
	CHECK_PASSES(lockorder_check, &g);
	lockorder_cycles(&g, &rep);
	ck_assert_int_eq(rep.ncycles, 1);
	ck_assert(!rep.more);
	ck_assert_uint_eq(strlen(rep.cycles[0]), LOCKORDER_CYCLE_LEN - 1);
	ck_assert(strncmp(rep.cycles[0], "lock number 00 with a long name -> "
	    "lock number 01", 49) == 0);
	lockorder_free(&g);
}
END_TEST

/* ---- the graph the scheduler records, on the toy worlds ----------------- */

/*
 * scenario: the lock-order checker reports A -> B -> A from the single,
 * non-deadlocking fifo schedule.
 */
START_TEST(test_order_from_fifo)
{
	struct sched_explore_opts o = { .policy = SCHED_POLICY_FIFO,
	    .preemption_bound = -1 };
	struct sched_explore_result res;
	struct harness h = { .sp = &world_abba };

	explore(&h, &o, &res);
	ck_assert_uint_eq(res.schedules, 1);
	ck_assert_uint_eq(res.deadlocks, 0);
	ck_assert(!res.exhausted);
	ck_assert_int_eq(res.order.ncycles, 1);
	ck_assert_str_eq(res.order.cycles[0], "A -> B -> A");
	ck_assert(!res.order.more);
}
END_TEST

/* scenario: several and overlapping cycles; a consistent order has none. */
START_TEST(test_order_cycles)
{
	static const struct spec two = {
		.nlock = 4, .lname = { "A", "B", "C", "D" },
		.ntask = 4,
		.task = {
			{ { ACQ, 0 }, { ACQ, 1 }, { REL, 1 }, { REL, 0 } },
			{ { ACQ, 1 }, { ACQ, 0 }, { REL, 0 }, { REL, 1 } },
			{ { ACQ, 2 }, { ACQ, 3 }, { REL, 3 }, { REL, 2 } },
			{ { ACQ, 3 }, { ACQ, 2 }, { REL, 2 }, { REL, 3 } },
		},
	};
	static const struct spec overlap = {
		.nlock = 3, .lname = { "A", "B", "C" },
		.ntask = 4,
		.task = {
			{ { ACQ, 0 }, { ACQ, 1 }, { REL, 1 }, { REL, 0 } },
			{ { ACQ, 1 }, { ACQ, 0 }, { REL, 0 }, { REL, 1 } },
			{ { ACQ, 1 }, { ACQ, 2 }, { REL, 2 }, { REL, 1 } },
			{ { ACQ, 2 }, { ACQ, 0 }, { REL, 0 }, { REL, 2 } },
		},
	};
	static const struct spec consistent = {
		.nlock = 3, .lname = { "A", "B", "C" },
		.ntask = 3,
		.task = {
			{ { ACQ, 0 }, { ACQ, 1 }, { REL, 1 }, { REL, 0 } },
			{ { ACQ, 1 }, { ACQ, 2 }, { REL, 1 }, { REL, 2 } },
			{ { ACQ, 0 }, { ACQ, 2 }, { REL, 0 }, { REL, 2 } },
		},
	};
	struct sched_explore_opts o = { .policy = SCHED_POLICY_FIFO };
	struct sched_explore_result res;
	struct harness h = { .sp = &two };

	explore(&h, &o, &res);
	ck_assert_uint_eq(res.deadlocks, 0);
	ck_assert_int_eq(res.order.ncycles, 2);
	ck_assert_str_eq(res.order.cycles[0], "A -> B -> A");
	ck_assert_str_eq(res.order.cycles[1], "C -> D -> C");
	h.sp = &overlap;
	explore(&h, &o, &res);
	ck_assert_int_eq(res.order.ncycles, 2);
	ck_assert_str_eq(res.order.cycles[0], "A -> B -> A");
	ck_assert_str_eq(res.order.cycles[1], "A -> B -> C -> A");
	h.sp = &consistent;
	explore(&h, &o, &res);
	ck_assert_int_eq(res.order.ncycles, 0);
}
END_TEST

/* A world of one class of NPAGES "page" locks and a mutex "M". */
#define NPAGES	64

struct classes {
	struct sched_lock page[NPAGES], m;
};

static struct classes cls;

/* Task 1: take every page lock in order, then M; drop them all. */
static void
take_pages_then_m(struct sched *s, void *arg)
{
	(void)arg;
	for (int i = 0; i < NPAGES; i++)
		sched_acquire(s, &cls.page[i]);
	sched_acquire(s, &cls.m);
	sched_release(s, &cls.m);
	for (int i = NPAGES - 1; i >= 0; i--)
		sched_release(s, &cls.page[i]);
}

/* Task 2: M, then one page lock none of task 1's orders put after M. */
static void
take_m_then_page(struct sched *s, void *arg)
{
	(void)arg;
	sched_acquire(s, &cls.m);
	sched_preempt_point(s);
	sched_acquire(s, &cls.page[NPAGES / 2]);
	sched_release(s, &cls.page[NPAGES / 2]);
	sched_release(s, &cls.m);
}

static struct sched *
classes_setup(void *arg, const struct sched_opts *so)
{
	struct sched *s = sched_new(so);
	char name[SCHED_NAME];

	(void)arg;
	for (int i = 0; i < NPAGES; i++) {
		snprintf(name, sizeof(name), "page 1:%d", i);
		sched_lock_init_class(s, &cls.page[i], SCHED_BITLOCK,
		    sched_name_key(name), name, sched_name_key("page"),
		    "page");
	}
	sched_lock_init(s, &cls.m, SCHED_MUTEX, "M");
	sched_spawn(s, SCHED_TASK, "task 1", take_pages_then_m, NULL);
	sched_spawn(s, SCHED_TASK, "task 2", take_m_then_page, NULL);
	return s;
}

/*
 * Scenario: locks of one class are one node of the lock-order graph, as
 * lockdep's classes: a task holding 64 of them adds no edge among them
 * (not 64 * 63 / 2), and an order that crosses the class through two
 * different instances (page 1:0..63 -> M, M -> page 1:32) is the class
 * cycle "page -> M -> page", as lockdep reports it.
 */
START_TEST(test_lock_classes)
{
	struct sched_opts so = { .policy = SCHED_POLICY_FIFO };
	struct sched_result *r = calloc(1, sizeof(*r));
	struct lockorder_report rep;
	struct sched *s = classes_setup(NULL, &so);
	const struct lockorder *g;
	const char *why = "";

	sched_run(s, r);
	ck_assert_int_eq(r->outcome, SCHED_COMPLETED);
	g = sched_lockorder(s);
	ck_assert_int_eq(lockorder_check(g, &why), 0);
	ck_assert_uint_eq(g->nnode, 2);
	ck_assert_uint_eq(g->nedge, 2);
	lockorder_cycles(g, &rep);
	ck_assert_int_eq(rep.ncycles, 1);
	ck_assert_str_eq(rep.cycles[0], "page -> M -> page");
	sched_free(s);
	free(r);
}
END_TEST

/* Test cases: the graph, the scheduler's graphs, the differentials. */
static Suite *
lockorder_suite(void)
{
	Suite *s = suite_create("lockorder");
	TCase *tc;

	tc = tcase_create("graph");
	tcase_add_test(tc, test_nodes_and_edges);
	tcase_add_test(tc, test_index_growth);
	tcase_add_test(tc, test_check_catches);
	tcase_add_test(tc, test_cycle_text_cut);
	suite_add_tcase(s, tc);

	tc = tcase_create("order");
	tcase_add_test(tc, test_order_from_fifo);
	tcase_add_test(tc, test_order_cycles);
	tcase_add_test(tc, test_lock_classes);
	suite_add_tcase(s, tc);

	tc = tcase_create("differential");
	tcase_add_test(tc, test_cycles_differential);
	tcase_add_test(tc, test_merge_differential);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(lockorder_suite)
