/*
 * Unit tests for where holds and waits began: sim/held (the held-lock
 * lists with a site per lock, held_check() after every operation), the
 * sites and the task each entity works for as the scheduler records
 * them (sched.h, Sites) and reports them on a deadlock, the lock-order
 * edges' first sightings (lockorder.h) through a merge, and the eras'
 * tables of kernel functions (era_sites_check()).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sim/era.h"
#include "sim/explore.h"
#include "sim/held.h"
#include "sim/lockorder.h"
#include "sim/sched.h"
#include "tests/unit/sched_world.h"
#include "tests/unit/suite.h"

/* H passes held_check(). */
static void
held_ok(const struct sched_held *h)
{
	const char *why = NULL;

	ck_assert_msg(held_check(h, &why) == 0, "%s", why);
}

/* Pushes keep the order and the site of each lock; a release in the
 * middle keeps the others' sites with them; the first spinlock is
 * found. */
START_TEST(test_held_order)
{
	struct sched_lock a = { .kind = SCHED_MUTEX }, b = { .kind =
	    SCHED_SPINLOCK }, c = { .kind = SCHED_BITLOCK };
	struct sched_held h = { 0 };

	held_push(&h, &a, (struct sched_site){ "take_a", 0 });
	held_ok(&h);
	ck_assert_ptr_null(held_spinlock(&h));
	held_push(&h, &b, (struct sched_site){ "take_b", 1 });
	held_push(&h, &c, (struct sched_site){ "take_c", -1 });
	held_ok(&h);
	ck_assert_ptr_eq(held_spinlock(&h), &b);
	held_remove(&h, &b);
	held_ok(&h);
	ck_assert_uint_eq(h.n, 2);
	ck_assert_ptr_eq(h.lock[1], &c);
	ck_assert_str_eq(h.at[1].fn, "take_c");
	ck_assert_int_eq(h.at[1].task, -1);
	ck_assert_str_eq(h.at[0].fn, "take_a");
	held_remove(&h, &b);		/* not held: nothing */
	ck_assert_uint_eq(h.n, 2);
	held_free(&h);
	ck_assert_uint_eq(h.n, 0);
	held_ok(&h);
}
END_TEST

/* The checker refuses a lock listed twice and a missing lock. */
START_TEST(test_held_check_breaks)
{
	struct sched_lock a = { .kind = SCHED_MUTEX };
	struct sched_held h = { 0 };
	const char *why = NULL;

	held_push(&h, &a, (struct sched_site){ "x", 0 });
	held_push(&h, &a, (struct sched_site){ "y", 0 });
	ck_assert_int_lt(held_check(&h, &why), 0);
	ck_assert_str_eq(why, "a lock held twice");
	h.lock[1] = NULL;
	ck_assert_int_lt(held_check(&h, &why), 0);
	ck_assert_str_eq(why, "a held-lock entry without its lock");
	held_free(&h);
}
END_TEST

/*
 * The btrfs case in miniature (world_mini): task 1 takes fs_mutex,
 * posts, waits; the worker processes the first item and blocks on
 * fs_mutex.  Every site is run_op() or worker_fn() of the toy world, by
 * the macros' __func__; the worker works for task 1, whose action queued
 * its item; both lock-order edges say so.
 */
START_TEST(test_sites_reported)
{
	struct sched_explore_opts o = eopts();
	struct harness hs = { .sp = &world_mini };
	struct sched_explore_result *res = calloc(1, sizeof(*res));
	const struct lockorder_report_edge *e;
	const struct sched_report_entity *t, *w;
	struct sched_result r;

	run1(&world_mini, SCHED_POLICY_FIFO, NULL, 0, &r);
	ck_assert_int_eq(r.outcome, SCHED_DEADLOCK);
	t = &r.ent[0];
	w = &r.ent[1];
	ck_assert_int_eq(t->task, 0);
	ck_assert_int_eq(t->nhold, 1);
	ck_assert_str_eq(t->hold[0].name, "fs_mutex");
	ck_assert(!t->hold[0].queue);
	ck_assert_str_eq(t->hold[0].at.fn, "run_op");
	ck_assert_int_eq(t->hold[0].at.task, 0);
	ck_assert_str_eq(t->wait_at.fn, "run_op");
	ck_assert_str_eq(t->item, "");
	ck_assert_int_eq(w->task, 0);		/* works for task 1 */
	ck_assert_str_eq(w->item, "completions");
	ck_assert_int_eq(w->nhold, 1);
	ck_assert(w->hold[0].queue);
	ck_assert_str_eq(w->hold[0].name, "end-io");
	ck_assert_str_eq(w->hold[0].at.fn, "worker_fn");
	ck_assert_int_eq(w->hold[0].at.task, 0);
	ck_assert_str_eq(w->wait_at.fn, "run_op");
	ck_assert_int_eq(w->wait_at.task, 0);

	ck_assert_ptr_nonnull(res);
	explore(&hs, &o, res);
	ck_assert_int_eq(res->order.ncycles, 1);
	ck_assert_int_eq(res->order.nedges[0], 2);
	e = res->order.edges[0];
	ck_assert_str_eq(e[0].from, "fs_mutex");
	ck_assert_str_eq(e[0].to, "end-io");
	ck_assert_str_eq(e[0].seen.who, "task 1");
	ck_assert_int_eq(e[0].seen.task, 0);
	ck_assert_str_eq(e[0].seen.item, "");
	ck_assert_str_eq(e[0].seen.held_fn, "run_op");
	ck_assert_str_eq(e[0].seen.take_fn, "run_op");
	ck_assert_str_eq(e[1].from, "end-io");
	ck_assert_str_eq(e[1].to, "fs_mutex");
	ck_assert_str_eq(e[1].seen.who, "end-io worker 1");
	ck_assert_str_eq(e[1].seen.item, "completions");
	ck_assert_int_eq(e[1].seen.task, 0);
	ck_assert_str_eq(e[1].seen.held_fn, "worker_fn");
	free(res);
}
END_TEST

/* A merge keeps the first sighting of each edge, and lockorder_check()
 * holds with sightings of every kind (none known included). */
START_TEST(test_seen_merge)
{
	struct lockorder a = { 0 }, b = { 0 };
	struct lockorder_seen s1 = { .who = "task 1", .task = 0,
	    .held_fn = "f", .take_fn = "g" };
	struct lockorder_seen s2 = { .who = "task 2", .task = 1,
	    .held_fn = "h", .take_fn = "i" };
	struct lockorder_report rep;
	const char *why = NULL;
	int x, y;

	x = lockorder_node(&a, 1, "A");
	y = lockorder_node(&a, 2, "B");
	lockorder_edge(&a, x, y, &s1);
	lockorder_edge(&a, x, y, &s2);	/* seen again: no change */
	x = lockorder_node(&b, 2, "B");
	y = lockorder_node(&b, 1, "A");
	lockorder_edge(&b, x, y, &s2);
	lockorder_edge(&b, y, x, NULL);	/* A -> B, known nowhere */
	ck_assert_msg(lockorder_check(&b, &why) == 0, "%s", why);
	lockorder_merge(&a, &b);
	ck_assert_msg(lockorder_check(&a, &why) == 0, "%s", why);
	ck_assert_uint_eq(a.nedge, 2);
	ck_assert_str_eq(a.seen[0].who, "task 1");
	ck_assert_str_eq(a.seen[1].who, "task 2");
	lockorder_cycles(&a, &rep);
	ck_assert_int_eq(rep.ncycles, 1);
	ck_assert_str_eq(rep.cycles[0], "A -> B -> A");
	ck_assert_str_eq(rep.edges[0][0].seen.take_fn, "g");
	ck_assert_str_eq(rep.edges[0][1].seen.held_fn, "h");
	ck_assert_int_eq(rep.edges[0][1].seen.task, 1);
	lockorder_free(&a);
	lockorder_free(&b);
}
END_TEST

/* Each era's table is whole, with no model function twice, and names
 * the kernel function of the sites the reports show most. */
START_TEST(test_era_sites)
{
	const char *why = NULL;

	for (int i = 0; i < ERA_COUNT; i++)
		ck_assert_msg(era_sites_check(era_ops(i), &why) == 0, "%s",
		    why);
	ck_assert_str_eq(era_kernel_fn(era_ops(ERA_2008),
	    "lookup_by_get_extent"), "btrfs_get_extent");
	ck_assert_str_eq(era_kernel_fn(era_ops(ERA_2008), "endio_worker"),
	    "end_workqueue_fn");
	ck_assert_str_eq(era_kernel_fn(era_ops(ERA_MODERN), "endio_worker"),
	    "btrfs_end_bio_work");
	ck_assert_ptr_null(era_kernel_fn(era_ops(ERA_2008), "no_such_fn"));
	ck_assert_ptr_null(era_kernel_fn(era_ops(ERA_2008), NULL));
}
END_TEST

static Suite *
held_suite(void)
{
	Suite *s = suite_create("held");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_held_order);
	tcase_add_test(tc, test_held_check_breaks);
	tcase_add_test(tc, test_sites_reported);
	tcase_add_test(tc, test_seen_merge);
	tcase_add_test(tc, test_era_sites);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(held_suite)
