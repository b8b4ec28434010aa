/*
 * Unit tests for sim/rbtree: the red-black tree balanced as 2008's
 * lib/rbtree.c.
 *
 * The shape test replays long random sequences of insertions and
 * erasures of integer keys on sim/rbtree and on the textbook reference of
 * rbref.h, and requires the same shape (keys, colours, structure) after
 * every operation, with rb_check() passing.  Directed cases pin small
 * shapes computed by hand, the erasure of a node with two children by its
 * successor, and each violation rb_check() must notice.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/rbtree.h"
#include "sim/rng.h"
#include "sim/xmalloc.h"
#include "tests/unit/rbref.h"
#include "tests/unit/suite.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct knode {
	struct rb_node	node;
	uint64_t	key;
};

static uint64_t
knode_key(const struct rb_node *n)
{
	return rb_entry(n, struct knode, node)->key;
}

static int
knode_cmp(const struct rb_node *a, const struct rb_node *b)
{
	uint64_t x = knode_key(a), y = knode_key(b);

	return x < y ? -1 : x > y;
}

/* Descend by key and link K, then rebalance; K's key must be absent. */
static void
kinsert(struct rb_root *root, struct knode *k)
{
	struct rb_node **link = &root->node, *parent = NULL;

	while (*link != NULL) {
		parent = *link;
		ck_assert_uint_ne(knode_key(parent), k->key);
		link = k->key < knode_key(parent) ? &parent->left :
		    &parent->right;
	}
	rb_link(&k->node, parent, link);
	rb_insert(root, &k->node);
}

static struct knode *
kfind(const struct rb_root *root, uint64_t key)
{
	struct rb_node *n = root->node;

	while (n != NULL && knode_key(n) != key)
		n = key < knode_key(n) ? n->left : n->right;
	return n == NULL ? NULL : rb_entry(n, struct knode, node);
}

static void
check_rb(const struct rb_root *root, size_t expect_count)
{
	const char *why = NULL;
	size_t count = 0;

	ck_assert_msg(rb_check(root, knode_cmp, &count, &why) == 0,
	    "rb_check: %s", why);
	ck_assert_uint_eq(count, expect_count);
}

static const char *
kshape(const struct rb_root *root, char *buf, size_t sz)
{
	return rb_shape(root, knode_key, 1, buf, sz);
}

/* Insert KEYS in order into an empty tree and compare with SHAPE. */
static void
assert_shape_after(const uint64_t *keys, size_t n, const char *shape,
    struct knode *pool, struct rb_root *root)
{
	char buf[512];

	root->node = NULL;
	for (size_t i = 0; i < n; i++) {
		pool[i].key = keys[i];
		kinsert(root, &pool[i]);
		check_rb(root, i + 1);
	}
	ck_assert_str_eq(kshape(root, buf, sizeof(buf)), shape);
}

/*
 * scenario: small shapes by hand.  1,2,3: 2 rises (2 red under black 1,
 * 3 red under red 2, uncle missing: rotate left at 1).  3,1,2: 2 is an
 * inner grandchild, rotated outward first, then up.  1..5: the fourth
 * insert recolours (uncle 1 red), the fifth rotates 4 up under 2.
 */
START_TEST(test_insert_by_hand)
{
	static const uint64_t a[] = { 1, 2, 3 }, b[] = { 3, 1, 2 },
	    c[] = { 1, 2, 3, 4, 5 };
	struct knode pool[8];
	struct rb_root root;

	assert_shape_after(a, NELEM(a), "2B(1R,3R)", pool, &root);
	assert_shape_after(b, NELEM(b), "2B(1R,3R)", pool, &root);
	assert_shape_after(c, NELEM(c), "2B(1B,4B(3R,5R))", pool, &root);
}
END_TEST

/*
 * scenario: erasing a node with two children moves its successor (not
 * its predecessor) into its place and colour.  2B(1R,3R) less 2 is
 * 3B(1R,.); a predecessor convention would give 1B(.,3R).  In
 * 2B(1B,4B(3R,5R)) less 2, the successor 3 (red, so no fixup) takes 2's
 * place: 3B(1B,4B(.,5R)).  Then less 1: a black leaf, sibling 4 black with
 * a red far child 5: case 4, rotate left at 3: 4B(3B,5B).
 */
START_TEST(test_erase_by_successor)
{
	static const uint64_t a[] = { 2, 1, 3 }, c[] = { 1, 2, 3, 4, 5 };
	struct knode pool[8];
	struct rb_root root;
	char buf[256];

	assert_shape_after(a, NELEM(a), "2B(1R,3R)", pool, &root);
	rb_erase(&root, &kfind(&root, 2)->node);
	check_rb(&root, 2);
	ck_assert_str_eq(kshape(&root, buf, sizeof(buf)), "3B(1R,.)");

	assert_shape_after(c, NELEM(c), "2B(1B,4B(3R,5R))", pool, &root);
	rb_erase(&root, &kfind(&root, 2)->node);
	check_rb(&root, 4);
	ck_assert_str_eq(kshape(&root, buf, sizeof(buf)), "3B(1B,4B(.,5R))");
	rb_erase(&root, &kfind(&root, 1)->node);
	check_rb(&root, 3);
	ck_assert_str_eq(kshape(&root, buf, sizeof(buf)), "4B(3B,5B)");
	rb_erase(&root, &kfind(&root, 4)->node);
	rb_erase(&root, &kfind(&root, 3)->node);
	rb_erase(&root, &kfind(&root, 5)->node);
	check_rb(&root, 0);
	ck_assert_ptr_null(root.node);
}
END_TEST

/* scenario: first, last, next and prev walk the in-order sequence. */
START_TEST(test_walk)
{
	struct knode pool[64];
	struct rb_root root = { NULL };
	struct rb_node *n;
	uint64_t k;

	ck_assert_ptr_null(rb_first(&root));
	ck_assert_ptr_null(rb_last(&root));
	for (size_t i = 0; i < NELEM(pool); i++) {
		pool[i].key = (i * 37) % NELEM(pool);
		kinsert(&root, &pool[i]);
	}
	for (n = rb_first(&root), k = 0; n != NULL; n = rb_next(n), k++)
		ck_assert_uint_eq(knode_key(n), k);
	ck_assert_uint_eq(k, NELEM(pool));
	for (n = rb_last(&root); n != NULL; n = rb_prev(n))
		ck_assert_uint_eq(knode_key(n), --k);
	ck_assert_uint_eq(k, 0);
}
END_TEST

/*
 * The shape test.  Keys are drawn from [0, RANGE); each step inserts an
 * absent key or erases a present one, with a bias that drifts the tree's
 * size up and down between empty and a few hundred nodes.
 */
struct shape_stats {
	unsigned long	ops;
	unsigned long	erase_two_children;
	size_t		max_count;
};

static void
shape_run(uint64_t seed, long nops, uint64_t range, struct shape_stats *st)
{
	struct knode *pool = xreallocarray(NULL, range, sizeof(*pool));
	bool *present = xreallocarray(NULL, range, sizeof(*present));
	struct rb_root root = { NULL };
	struct rbref ref;
	struct rng g;
	static char a[1 << 16], b[1 << 16];
	size_t count = 0, target = 0;
	uint64_t k;
	unsigned x;

	memset(present, 0, range * sizeof(*present));
	rbref_init(&ref);
	rng_seed(&g, seed);
	for (long i = 0; i < nops; i++) {
		if (i % 2000 == 0)
			target = rng_below(&g, range < 400 ? range : 400);
		k = rng_below(&g, range);
		if (!present[k] &&
		    (count <= target || rng_below(&g, 16) == 0)) {
			pool[k].key = k;
			kinsert(&root, &pool[k]);
			rbref_insert(&ref, k, 0, 0);
			present[k] = true;
			count++;
		} else if (present[k]) {
			x = rbref_search(&ref, k);
			st->erase_two_children += ref.n[x].left != RBREF_NIL &&
			    ref.n[x].right != RBREF_NIL;
			rb_erase(&root, &pool[k].node);
			rbref_delete(&ref, x);
			present[k] = false;
			count--;
		} else {
			continue;
		}
		st->ops++;
		if (count > st->max_count)
			st->max_count = count;
		check_rb(&root, count);
		ck_assert_uint_eq(ref.count, count);
		rb_shape(&root, knode_key, 1, a, sizeof(a));
		rbref_shape(&ref, 1, b, sizeof(b));
		ck_assert_uint_lt(strlen(b), sizeof(b) - 1);
		ck_assert_msg(strcmp(a, b) == 0, "seed %" PRIu64 " op %ld: "
		    "shape %.200s, reference %.200s", seed, i, a, b);
	}
	rbref_free(&ref);
	free(present);
	free(pool);
}

/*
 * scenario: 8 seeds x 80,000 steps over key ranges 16 to 4096 (about
 * 370,000 insertions and erasures, 70,000 of them of a node with two
 * children, trees up to 400 nodes): the same shape as the textbook
 * reference after every one.
 */
START_TEST(test_shape_random)
{
	static const uint64_t ranges[] = { 16, 64, 300, 4096 };
	struct shape_stats st = { 0 };

	for (uint64_t seed = 1; seed <= 8; seed++)
		shape_run(seed * 0x9e3779b97f4a7c15ULL, 80000,
		    ranges[seed % NELEM(ranges)], &st);
	ck_assert_uint_gt(st.ops, 350000);
	ck_assert_uint_gt(st.erase_two_children, 60000);
	ck_assert_uint_ge(st.max_count, 300);
}
END_TEST

/* scenario: rb_check notices each broken property. */
START_TEST(test_check_detects)
{
	static const uint64_t keys[] = { 1, 2, 3, 4, 5 };
	struct knode pool[8];
	struct rb_root root;
	struct rb_node *two, *four;
	const char *why;

	assert_shape_after(keys, NELEM(keys), "2B(1B,4B(3R,5R))", pool, &root);
	two = root.node;
	four = two->right;

	two->red = true;
	ck_assert_int_eq(rb_check(&root, knode_cmp, NULL, &why), -1);
	ck_assert_str_eq(why, "red root");
	two->red = false;

	four->red = true;
	ck_assert_int_eq(rb_check(&root, knode_cmp, NULL, &why), -1);
	ck_assert_str_eq(why, "red node with a red parent");
	four->red = false;

	four->left->red = false;
	ck_assert_int_eq(rb_check(&root, knode_cmp, NULL, &why), -1);
	ck_assert_str_eq(why, "black heights differ");
	four->left->red = true;

	four->left->parent = two;
	ck_assert_int_eq(rb_check(&root, knode_cmp, NULL, &why), -1);
	ck_assert_str_eq(why, "parent link broken");
	four->left->parent = four;

	rb_entry(four->left, struct knode, node)->key = 6;
	ck_assert_int_eq(rb_check(&root, knode_cmp, NULL, NULL), -1);
	ck_assert_int_eq(rb_check(&root, NULL, NULL, &why), 0);
	rb_entry(four->left, struct knode, node)->key = 3;

	check_rb(&root, 5);
}
END_TEST

static Suite *
rbtree_suite(void)
{
	Suite *s = suite_create("rbtree");
	TCase *tc;

	tc = tcase_create("directed");
	tcase_add_test(tc, test_insert_by_hand);
	tcase_add_test(tc, test_erase_by_successor);
	tcase_add_test(tc, test_walk);
	tcase_add_test(tc, test_check_detects);
	suite_add_tcase(s, tc);

	tc = tcase_create("shape");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_shape_random);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(rbtree_suite)
