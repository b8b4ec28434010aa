/*
 * A reference red-black tree for the unit tests of sim/rbtree and sim/em,
 * written from the textbook (Cormen, Leiserson, Rivest and Stein,
 * "Introduction to Algorithms", 3rd ed., chapter 13) rather than from
 * sim/rbtree.c: nodes live in an array and are named by index, index 0 is
 * the sentinel T.nil (black; RB-TRANSPLANT may set its parent, which
 * RB-DELETE-FIXUP then reads), and every procedure follows the book's
 * pseudocode line by line: LEFT-ROTATE, RB-INSERT, RB-INSERT-FIXUP,
 * RB-TRANSPLANT, RB-DELETE (a node with two children is replaced by its
 * successor, which takes its colour) and RB-DELETE-FIXUP, cases 1 to 4 in
 * the book's order, which is also the order of 2008's lib/rbtree.c.
 *
 * Each node carries a key (its position in the order) and two payload
 * words A and B for the caller (sim/em's reference keeps len and
 * block_start there).  rbref_shape() and rb_shape() print a tree of either
 * kind in one notation, so that a test compares shapes as strings.
 */
#ifndef TESTS_UNIT_RBREF_H
#define TESTS_UNIT_RBREF_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sim/rbtree.h"
#include "sim/xmalloc.h"

#define RBREF_NIL	0u

struct rbref_node {
	uint64_t	key;
	uint64_t	a, b;		/* the caller's payload */
	unsigned	left, right, p;
	bool		red;
	bool		used;
};

struct rbref {
	struct rbref_node	*n;	/* n[0] is T.nil */
	size_t			 cap;
	unsigned		 root;
	unsigned		 freelist;	/* unused nodes, through .p */
	size_t			 count;
};

static inline void
rbref_init(struct rbref *t)
{
	t->cap = 16;
	t->n = xreallocarray(NULL, t->cap, sizeof(*t->n));
	memset(&t->n[0], 0, sizeof(t->n[0]));
	t->root = RBREF_NIL;
	t->freelist = RBREF_NIL;
	t->count = 0;
	for (unsigned i = 1; i < t->cap; i++) {
		t->n[i].used = false;
		t->n[i].p = t->freelist;
		t->freelist = i;
	}
}

static inline void
rbref_free(struct rbref *t)
{
	free(t->n);
	t->n = NULL;
}

/* A deep copy; node indices are the same in both. */
static inline void
rbref_copy(struct rbref *dst, const struct rbref *src)
{
	*dst = *src;
	dst->n = xreallocarray(NULL, src->cap, sizeof(*dst->n));
	memcpy(dst->n, src->n, src->cap * sizeof(*dst->n));
}

static inline unsigned
rbref_alloc(struct rbref *t)
{
	unsigned z;

	if (t->freelist == RBREF_NIL) {
		size_t old = t->cap;

		t->cap *= 2;
		t->n = xreallocarray(t->n, t->cap, sizeof(*t->n));
		for (size_t i = t->cap - 1; i >= old; i--) {
			t->n[i].used = false;
			t->n[i].p = t->freelist;
			t->freelist = (unsigned)i;
		}
	}
	z = t->freelist;
	t->freelist = t->n[z].p;
	memset(&t->n[z], 0, sizeof(t->n[z]));
	t->n[z].used = true;
	return z;
}

/* LEFT-ROTATE(T, x) */
static inline void
rbref_left_rotate(struct rbref *t, unsigned x)
{
	struct rbref_node *n = t->n;
	unsigned y = n[x].right;

	n[x].right = n[y].left;
	if (n[y].left != RBREF_NIL)
		n[n[y].left].p = x;
	n[y].p = n[x].p;
	if (n[x].p == RBREF_NIL)
		t->root = y;
	else if (x == n[n[x].p].left)
		n[n[x].p].left = y;
	else
		n[n[x].p].right = y;
	n[y].left = x;
	n[x].p = y;
}

/* RIGHT-ROTATE(T, y), the mirror image. */
static inline void
rbref_right_rotate(struct rbref *t, unsigned y)
{
	struct rbref_node *n = t->n;
	unsigned x = n[y].left;

	n[y].left = n[x].right;
	if (n[x].right != RBREF_NIL)
		n[n[x].right].p = y;
	n[x].p = n[y].p;
	if (n[y].p == RBREF_NIL)
		t->root = x;
	else if (y == n[n[y].p].right)
		n[n[y].p].right = x;
	else
		n[n[y].p].left = x;
	n[x].right = y;
	n[y].p = x;
}

/* RB-INSERT-FIXUP(T, z) */
static inline void
rbref_insert_fixup(struct rbref *t, unsigned z)
{
	struct rbref_node *n = t->n;
	unsigned y;

	while (n[n[z].p].red) {
		if (n[z].p == n[n[n[z].p].p].left) {
			y = n[n[n[z].p].p].right;
			if (n[y].red) {
				n[n[z].p].red = false;		/* case 1 */
				n[y].red = false;
				n[n[n[z].p].p].red = true;
				z = n[n[z].p].p;
			} else {
				if (z == n[n[z].p].right) {
					z = n[z].p;		/* case 2 */
					rbref_left_rotate(t, z);
				}
				n[n[z].p].red = false;		/* case 3 */
				n[n[n[z].p].p].red = true;
				rbref_right_rotate(t, n[n[z].p].p);
			}
		} else {
			y = n[n[n[z].p].p].left;
			if (n[y].red) {
				n[n[z].p].red = false;
				n[y].red = false;
				n[n[n[z].p].p].red = true;
				z = n[n[z].p].p;
			} else {
				if (z == n[n[z].p].left) {
					z = n[z].p;
					rbref_right_rotate(t, z);
				}
				n[n[z].p].red = false;
				n[n[n[z].p].p].red = true;
				rbref_left_rotate(t, n[n[z].p].p);
			}
		}
	}
	n[t->root].red = false;
}

/* RB-INSERT(T, z): a new node with KEY, A, B; returns its index. */
static inline unsigned
rbref_insert(struct rbref *t, uint64_t key, uint64_t a, uint64_t b)
{
	unsigned z = rbref_alloc(t), x = t->root, y = RBREF_NIL;
	struct rbref_node *n = t->n;

	n[z].key = key;
	n[z].a = a;
	n[z].b = b;
	while (x != RBREF_NIL) {
		y = x;
		x = key < n[x].key ? n[x].left : n[x].right;
	}
	n[z].p = y;
	if (y == RBREF_NIL)
		t->root = z;
	else if (key < n[y].key)
		n[y].left = z;
	else
		n[y].right = z;
	n[z].left = n[z].right = RBREF_NIL;
	n[z].red = true;
	rbref_insert_fixup(t, z);
	t->count++;
	return z;
}

/* RB-TRANSPLANT(T, u, v) */
static inline void
rbref_transplant(struct rbref *t, unsigned u, unsigned v)
{
	struct rbref_node *n = t->n;

	if (n[u].p == RBREF_NIL)
		t->root = v;
	else if (u == n[n[u].p].left)
		n[n[u].p].left = v;
	else
		n[n[u].p].right = v;
	n[v].p = n[u].p;
}

/* TREE-MINIMUM(x) */
static inline unsigned
rbref_minimum(const struct rbref *t, unsigned x)
{
	while (t->n[x].left != RBREF_NIL)
		x = t->n[x].left;
	return x;
}

static inline unsigned
rbref_maximum(const struct rbref *t, unsigned x)
{
	while (t->n[x].right != RBREF_NIL)
		x = t->n[x].right;
	return x;
}

/* TREE-SUCCESSOR(x); RBREF_NIL for the last node. */
static inline unsigned
rbref_successor(const struct rbref *t, unsigned x)
{
	unsigned y;

	if (t->n[x].right != RBREF_NIL)
		return rbref_minimum(t, t->n[x].right);
	y = t->n[x].p;
	while (y != RBREF_NIL && x == t->n[y].right) {
		x = y;
		y = t->n[y].p;
	}
	return y;
}

/* TREE-PREDECESSOR(x), the mirror image. */
static inline unsigned
rbref_predecessor(const struct rbref *t, unsigned x)
{
	unsigned y;

	if (t->n[x].left != RBREF_NIL)
		return rbref_maximum(t, t->n[x].left);
	y = t->n[x].p;
	while (y != RBREF_NIL && x == t->n[y].left) {
		x = y;
		y = t->n[y].p;
	}
	return y;
}

/* RB-DELETE-FIXUP(T, x) */
static inline void
rbref_delete_fixup(struct rbref *t, unsigned x)
{
	struct rbref_node *n = t->n;
	unsigned w;

	while (x != t->root && !n[x].red) {
		if (x == n[n[x].p].left) {
			w = n[n[x].p].right;
			if (n[w].red) {
				n[w].red = false;		/* case 1 */
				n[n[x].p].red = true;
				rbref_left_rotate(t, n[x].p);
				w = n[n[x].p].right;
			}
			if (!n[n[w].left].red && !n[n[w].right].red) {
				n[w].red = true;		/* case 2 */
				x = n[x].p;
			} else {
				if (!n[n[w].right].red) {
					n[n[w].left].red = false; /* case 3 */
					n[w].red = true;
					rbref_right_rotate(t, w);
					w = n[n[x].p].right;
				}
				n[w].red = n[n[x].p].red;	/* case 4 */
				n[n[x].p].red = false;
				n[n[w].right].red = false;
				rbref_left_rotate(t, n[x].p);
				x = t->root;
			}
		} else {
			w = n[n[x].p].left;
			if (n[w].red) {
				n[w].red = false;
				n[n[x].p].red = true;
				rbref_right_rotate(t, n[x].p);
				w = n[n[x].p].left;
			}
			if (!n[n[w].right].red && !n[n[w].left].red) {
				n[w].red = true;
				x = n[x].p;
			} else {
				if (!n[n[w].left].red) {
					n[n[w].right].red = false;
					n[w].red = true;
					rbref_left_rotate(t, w);
					w = n[n[x].p].left;
				}
				n[w].red = n[n[x].p].red;
				n[n[x].p].red = false;
				n[n[w].left].red = false;
				rbref_right_rotate(t, n[x].p);
				x = t->root;
			}
		}
	}
	n[x].red = false;
}

/* RB-DELETE(T, z); z's index is free afterwards. */
static inline void
rbref_delete(struct rbref *t, unsigned z)
{
	struct rbref_node *n = t->n;
	unsigned x, y = z;
	bool y_original_red = n[y].red;

	if (n[z].left == RBREF_NIL) {
		x = n[z].right;
		rbref_transplant(t, z, n[z].right);
	} else if (n[z].right == RBREF_NIL) {
		x = n[z].left;
		rbref_transplant(t, z, n[z].left);
	} else {
		y = rbref_minimum(t, n[z].right);
		y_original_red = n[y].red;
		x = n[y].right;
		if (n[y].p == z) {
			n[x].p = y;
		} else {
			rbref_transplant(t, y, n[y].right);
			n[y].right = n[z].right;
			n[n[y].right].p = y;
		}
		rbref_transplant(t, z, y);
		n[y].left = n[z].left;
		n[n[y].left].p = y;
		n[y].red = n[z].red;
	}
	if (!y_original_red)
		rbref_delete_fixup(t, x);
	/* The sentinel must stay black and childless; its parent is scratch. */
	n[RBREF_NIL].red = false;
	n[z].used = false;
	n[z].p = t->freelist;
	t->freelist = z;
	t->count--;
}

/* The node with KEY, or RBREF_NIL. */
static inline unsigned
rbref_search(const struct rbref *t, uint64_t key)
{
	unsigned x = t->root;

	while (x != RBREF_NIL && key != t->n[x].key)
		x = key < t->n[x].key ? t->n[x].left : t->n[x].right;
	return x;
}

/*
 * The shape notation: a node is KEY then B (black) or R (red), followed by
 * "(LEFT,RIGHT)" when it has a child; a missing child is ".".  Keys are
 * divided by DIV (so that offsets print in pages).  Output is cut at SZ.
 */
static inline void
rbref_shape_at(const struct rbref *t, unsigned x, uint64_t div, char *buf,
    size_t sz, size_t *off)
{
	const struct rbref_node *n = &t->n[x];
	int w;

	if (x == RBREF_NIL) {
		w = snprintf(buf + *off, sz - *off, ".");
	} else {
		w = snprintf(buf + *off, sz - *off, "%" PRIu64 "%c",
		    n->key / div, n->red ? 'R' : 'B');
	}
	if (w < 0 || (size_t)w >= sz - *off) {
		*off = sz - 1;
		return;
	}
	*off += (size_t)w;
	if (x == RBREF_NIL || (n->left == RBREF_NIL && n->right == RBREF_NIL))
		return;
	if (*off + 1 < sz)
		buf[(*off)++] = '(';
	rbref_shape_at(t, n->left, div, buf, sz, off);
	if (*off + 1 < sz)
		buf[(*off)++] = ',';
	rbref_shape_at(t, n->right, div, buf, sz, off);
	if (*off + 1 < sz)
		buf[(*off)++] = ')';
	buf[*off] = '\0';
}

static inline const char *
rbref_shape(const struct rbref *t, uint64_t div, char *buf, size_t sz)
{
	size_t off = 0;

	buf[0] = '\0';
	rbref_shape_at(t, t->root, div, buf, sz, &off);
	return buf;
}

/* The same notation for a sim/rbtree tree, KEY giving a node's key. */
static inline void
rb_shape_at(const struct rb_node *x, uint64_t (*key)(const struct rb_node *),
    uint64_t div, char *buf, size_t sz, size_t *off)
{
	int w;

	if (x == NULL)
		w = snprintf(buf + *off, sz - *off, ".");
	else
		w = snprintf(buf + *off, sz - *off, "%" PRIu64 "%c",
		    key(x) / div, x->red ? 'R' : 'B');
	if (w < 0 || (size_t)w >= sz - *off) {
		*off = sz - 1;
		return;
	}
	*off += (size_t)w;
	if (x == NULL || (x->left == NULL && x->right == NULL))
		return;
	if (*off + 1 < sz)
		buf[(*off)++] = '(';
	rb_shape_at(x->left, key, div, buf, sz, off);
	if (*off + 1 < sz)
		buf[(*off)++] = ',';
	rb_shape_at(x->right, key, div, buf, sz, off);
	if (*off + 1 < sz)
		buf[(*off)++] = ')';
	buf[*off] = '\0';
}

static inline const char *
rb_shape(const struct rb_root *root, uint64_t (*key)(const struct rb_node *),
    uint64_t div, char *buf, size_t sz)
{
	size_t off = 0;

	buf[0] = '\0';
	rb_shape_at(root->node, key, div, buf, sz, &off);
	return buf;
}

#endif
