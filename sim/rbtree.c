/*
 * A red-black tree balanced by the 2008 kernel's algorithm (see rbtree.h).
 *
 * Data model: each node has a parent, two children and a colour; the root
 * has no parent.  Invariants between calls: the root is black, a red node
 * has no red child, every path from a node down to a missing child passes
 * the same number of black nodes, and parent links agree with child
 * links.  Order is the caller's business: rotations and erasure keep the
 * in-order sequence, so a tree the caller linked in order stays in order.
 *
 * Both fixups are the textbook ones (Cormen et al., "Introduction to
 * Algorithms", RB-INSERT-FIXUP and RB-DELETE-FIXUP) with the cases tested
 * in the order 2008's rbtree.c tested them, which decides the shape when
 * more than one case would restore the properties.  Erasing a node with
 * two children moves its in-order successor into its place and colour and
 * rebalances from where the successor was, as 2008 did; a key-copying
 * variant would give the same shape but not keep node identity.
 */
#include "rbtree.h"

/* Make NEW take OLD's place below OLD's parent (or as the root). */
static void
rb_replace_child(struct rb_root *root, struct rb_node *old,
    struct rb_node *new)
{
	struct rb_node *parent = old->parent;

	if (parent == NULL)
		root->node = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
	if (new != NULL)
		new->parent = parent;
}

/* X's right child R rises to X's place; X becomes R's left child. */
static void
rb_rotate_left(struct rb_root *root, struct rb_node *x)
{
	struct rb_node *r = x->right;

	x->right = r->left;
	if (r->left != NULL)
		r->left->parent = x;
	rb_replace_child(root, x, r);
	r->left = x;
	x->parent = r;
}

/* X's left child L rises to X's place; X becomes L's right child. */
static void
rb_rotate_right(struct rb_root *root, struct rb_node *x)
{
	struct rb_node *l = x->left;

	x->left = l->right;
	if (l->right != NULL)
		l->right->parent = x;
	rb_replace_child(root, x, l);
	l->right = x;
	x->parent = l;
}

static bool
rb_is_red(const struct rb_node *n)
{
	return n != NULL && n->red;
}

void
rb_link(struct rb_node *n, struct rb_node *parent, struct rb_node **link)
{
	n->parent = parent;
	n->left = n->right = NULL;
	n->red = true;
	*link = n;
}

/*
 * RB-INSERT-FIXUP.  While N's parent is red: a red uncle is recoloured
 * with the parent, the grandparent turns red and the climb goes on from
 * it; otherwise an inner N is first rotated outward (it and its parent
 * swap roles), then the parent turns black, the grandparent red, and the
 * grandparent rotates towards the uncle.  The root ends black.
 */
void
rb_insert(struct rb_root *root, struct rb_node *n)
{
	struct rb_node *parent, *gparent, *uncle, *tmp;

	while ((parent = n->parent) != NULL && parent->red) {
		gparent = parent->parent;
		if (parent == gparent->left) {
			uncle = gparent->right;
			if (rb_is_red(uncle)) {
				uncle->red = parent->red = false;
				gparent->red = true;
				n = gparent;
				continue;
			}
			if (n == parent->right) {
				rb_rotate_left(root, parent);
				tmp = parent;
				parent = n;
				n = tmp;
			}
			parent->red = false;
			gparent->red = true;
			rb_rotate_right(root, gparent);
		} else {
			uncle = gparent->left;
			if (rb_is_red(uncle)) {
				uncle->red = parent->red = false;
				gparent->red = true;
				n = gparent;
				continue;
			}
			if (n == parent->left) {
				rb_rotate_right(root, parent);
				tmp = parent;
				parent = n;
				n = tmp;
			}
			parent->red = false;
			gparent->red = true;
			rb_rotate_left(root, gparent);
		}
	}
	root->node->red = false;
}

/*
 * RB-DELETE-FIXUP.  N (possibly NULL, then PARENT says where it hangs)
 * carries an extra black.  With sibling S: a red S is rotated up first so
 * that the sibling is black; a black S with two black children turns red
 * and the extra black climbs to PARENT; otherwise S's far child is made
 * red-free by rotating S's red near child up if need be, then S takes
 * PARENT's colour, PARENT and S's far child turn black and PARENT rotates
 * towards N, which ends the fixup.  A red N (or the root) is painted black.
 */
static void
rb_erase_fixup(struct rb_root *root, struct rb_node *n,
    struct rb_node *parent)
{
	struct rb_node *s;

	while (!rb_is_red(n) && n != root->node) {
		if (parent->left == n) {
			s = parent->right;
			if (s->red) {
				s->red = false;
				parent->red = true;
				rb_rotate_left(root, parent);
				s = parent->right;
			}
			if (!rb_is_red(s->left) && !rb_is_red(s->right)) {
				s->red = true;
				n = parent;
				parent = n->parent;
				continue;
			}
			if (!rb_is_red(s->right)) {
				s->left->red = false;
				s->red = true;
				rb_rotate_right(root, s);
				s = parent->right;
			}
			s->red = parent->red;
			parent->red = false;
			if (s->right != NULL)
				s->right->red = false;
			rb_rotate_left(root, parent);
		} else {
			s = parent->left;
			if (s->red) {
				s->red = false;
				parent->red = true;
				rb_rotate_right(root, parent);
				s = parent->left;
			}
			if (!rb_is_red(s->left) && !rb_is_red(s->right)) {
				s->red = true;
				n = parent;
				parent = n->parent;
				continue;
			}
			if (!rb_is_red(s->left)) {
				s->right->red = false;
				s->red = true;
				rb_rotate_left(root, s);
				s = parent->left;
			}
			s->red = parent->red;
			parent->red = false;
			if (s->left != NULL)
				s->left->red = false;
			rb_rotate_right(root, parent);
		}
		n = root->node;
		break;
	}
	if (n != NULL)
		n->red = false;
}

/*
 * Unlink N.  With at most one child, the child takes N's place.  With two,
 * N's successor Y (leftmost of N's right subtree) is spliced out of its
 * place (its right child taking it) and put in N's place with N's colour.
 * If the colour that left the tree (N's, or Y's in the second case) was
 * black, the fixup starts from the node that moved up and its parent.
 */
void
rb_erase(struct rb_root *root, struct rb_node *n)
{
	struct rb_node *child, *parent, *y;
	bool removed_red;

	if (n->left == NULL || n->right == NULL) {
		child = n->left != NULL ? n->left : n->right;
		parent = n->parent;
		removed_red = n->red;
		rb_replace_child(root, n, child);
	} else {
		y = n->right;
		while (y->left != NULL)
			y = y->left;
		child = y->right;
		removed_red = y->red;
		if (y->parent == n) {
			parent = y;
		} else {
			parent = y->parent;
			parent->left = child;
			if (child != NULL)
				child->parent = parent;
			y->right = n->right;
			y->right->parent = y;
		}
		y->left = n->left;
		y->left->parent = y;
		y->red = n->red;
		rb_replace_child(root, n, y);
	}
	if (!removed_red)
		rb_erase_fixup(root, child, parent);
}

struct rb_node *
rb_first(const struct rb_root *root)
{
	struct rb_node *n = root->node;

	if (n != NULL)
		while (n->left != NULL)
			n = n->left;
	return n;
}

struct rb_node *
rb_last(const struct rb_root *root)
{
	struct rb_node *n = root->node;

	if (n != NULL)
		while (n->right != NULL)
			n = n->right;
	return n;
}

/* The leftmost of the right subtree, else the first ancestor N is left of. */
struct rb_node *
rb_next(const struct rb_node *n)
{
	const struct rb_node *p;

	if (n->right != NULL) {
		for (n = n->right; n->left != NULL; n = n->left)
			;
		return (struct rb_node *)n;
	}
	while ((p = n->parent) != NULL && n == p->right)
		n = p;
	return (struct rb_node *)p;
}

struct rb_node *
rb_prev(const struct rb_node *n)
{
	const struct rb_node *p;

	if (n->left != NULL) {
		for (n = n->left; n->right != NULL; n = n->right)
			;
		return (struct rb_node *)n;
	}
	while ((p = n->parent) != NULL && n == p->left)
		n = p;
	return (struct rb_node *)p;
}

/*
 * The subtree at N: parent links, no red-red edge, equal black heights.
 * Returns its black height (a missing child counts 1), or -1.
 */
static int
rb_check_subtree(const struct rb_node *n, const struct rb_node *parent,
    size_t *count, const char **why)
{
	int lh, rh;

	if (n == NULL)
		return 1;
	if (n->parent != parent) {
		*why = "parent link broken";
		return -1;
	}
	if (n->red && parent != NULL && parent->red) {
		*why = "red node with a red parent";
		return -1;
	}
	(*count)++;
	if ((lh = rb_check_subtree(n->left, n, count, why)) < 0 ||
	    (rh = rb_check_subtree(n->right, n, count, why)) < 0)
		return -1;
	if (lh != rh) {
		*why = "black heights differ";
		return -1;
	}
	return lh + !n->red;
}

int
rb_check(const struct rb_root *root,
    int (*cmp)(const struct rb_node *, const struct rb_node *),
    size_t *count, const char **why)
{
	const struct rb_node *n, *next;
	const char *dummy;
	size_t nodes = 0;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	if (root->node != NULL && root->node->red) {
		*why = "red root";
		return -1;
	}
	if (rb_check_subtree(root->node, NULL, &nodes, why) < 0)
		return -1;
	if (cmp != NULL)
		for (n = rb_first(root); n != NULL; n = next)
			if ((next = rb_next(n)) != NULL && cmp(n, next) >= 0) {
				*why = "in-order sequence not increasing";
				return -1;
			}
	if (count != NULL)
		*count = nodes;
	return 0;
}
