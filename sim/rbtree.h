/*
 * An intrusive red-black tree balanced exactly as Linux's lib/rbtree.c was
 * in 2008 (2.6.25/2.6.26): the textbook insertion fixup and, for erasure,
 * a node with two children replaced by its in-order successor followed by
 * the textbook deletion fixup, each with the kernel's case order.  The
 * same sequence of links and erasures therefore gives the same shape and
 * colours as the 2008 kernel, which matters to a caller whose searches
 * depend on the shape (sim/em.c: overlapping extent maps).
 *
 * The tree knows no keys.  The caller descends it itself, links a new node
 * where its descent ended (rb_link, as rb_link_node()) and then rebalances
 * (rb_insert, as rb_insert_color()); rb_erase unlinks.  Nodes are embedded
 * in the caller's structures (rb_entry recovers them) and are owned by the
 * caller; the tree never allocates or frees.  Erasure moves nodes, never
 * contents, so a node stays the caller's object wherever it ends up.
 */
#ifndef SIM_RBTREE_H
#define SIM_RBTREE_H

#include <stdbool.h>
#include <stddef.h>

struct rb_node {
	struct rb_node	*parent;
	struct rb_node	*left;
	struct rb_node	*right;
	bool		 red;		/* else black (as a missing child) */
};

struct rb_root {
	struct rb_node	*node;		/* NULL when empty */
};

#define rb_entry(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/*
 * Hang N, red and childless, below PARENT at *LINK (PARENT's left or right
 * pointer, or the root's when PARENT is NULL); then call rb_insert.
 */
void	rb_link(struct rb_node *n, struct rb_node *parent,
	    struct rb_node **link);
/* Restore the red-black properties after rb_link(N). */
void	rb_insert(struct rb_root *, struct rb_node *n);
/* Unlink N (in the tree) and rebalance; N's own fields are left stale. */
void	rb_erase(struct rb_root *, struct rb_node *n);

/* In-order neighbours and ends; NULL past the end or on an empty tree. */
struct rb_node *rb_first(const struct rb_root *);
struct rb_node *rb_last(const struct rb_root *);
struct rb_node *rb_next(const struct rb_node *);
struct rb_node *rb_prev(const struct rb_node *);

/*
 * Verify the tree: parent links, a black root, no red node with a red
 * child, equal black height on every path, and (when CMP is not NULL)
 * CMP(a, b) < 0 for each in-order pair a, b.  Counts the nodes into
 * *COUNT when COUNT is not NULL.  Returns 0, or -1 with the first broken
 * property in WHY (may be NULL).
 */
int	rb_check(const struct rb_root *,
	    int (*cmp)(const struct rb_node *, const struct rb_node *),
	    size_t *count, const char **why);

#endif
