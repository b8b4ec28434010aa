/*
 * The extent map cache of Linux 6.x (em6.h) on em.h's tree.  The maps
 * never overlap, so every answer is the floor's or its neighbours', and
 * the tree's shape does not matter.
 */
#include <errno.h>
#include <stdlib.h>

#include "em6.h"

/* The map after EM in start order, or the first map when EM is NULL. */
static struct em_map *
after(const struct em_tree *tree, const struct em_map *em)
{
	return em == NULL ? em_first(tree) : em_next(tree, em);
}

static bool
contains(const struct em_map *em, uint64_t pos)
{
	return pos >= em->start && pos < em_end(em);
}

static bool
intersects(const struct em_map *em, uint64_t start, uint64_t end)
{
	return end > em->start && start < em_end(em);
}

/* em6_insert(); MARK: for the invariant checker, EM's bytes change their
 * mapping (not for a remnant that maps them as before: em.h). */
static int
insert_as(struct em_tree *tree, struct em_map *em, bool mark)
{
	struct em_map *floor = em_floor(tree, em->start);
	struct em_map *succ = after(tree, floor);

	if (floor != NULL && em_end(floor) > em->start)
		return -EEXIST;
	if (succ != NULL && succ->start < em_end(em))
		return -EEXIST;
	(mark ? em_link : em_link_quiet)(tree, em);
	return 0;
}

int
em6_insert(struct em_tree *tree, struct em_map *em)
{
	return insert_as(tree, em, true);
}

/* can_merge(): neither under I/O nor compressed. */
static bool
can_merge(const struct em_map *em)
{
	return !(em->flags & (EM_FLAG_PINNED | EM_FLAG_COMPRESSED));
}

/* mergeable_maps(PREV, NEXT): see em6.h. */
static bool
mergeable(const struct em_map *prev, const struct em_map *next)
{
	if (em_end(prev) != next->start ||
	    (prev->flags & ~EM_FLAG_MERGED) != (next->flags & ~EM_FLAG_MERGED))
		return false;
	if (next->block_start < EM_LAST_BYTE - 1)
		return next->block_start == prev->block_start + prev->block_len;
	return next->block_start == prev->block_start;
}

/* Remove and free VICTIM, which a neighbour absorbed (its bytes keep
 * their mapping, so no change for the invariant checker). */
static void
absorb(struct em_tree *tree, struct em_map *victim)
{
	em_remove_quiet(tree, victim);
	em_free(victim);
	tree->merges++;
}

/* try_merge_map(): EM (in the tree) absorbs the neighbours it continues. */
static void
try_merge(struct em_tree *tree, struct em_map *em)
{
	struct em_map *prev, *next;

	if (!can_merge(em))
		return;
	prev = em_prev_map(tree, em);
	if (prev != NULL && can_merge(prev) && mergeable(prev, em)) {
		uint64_t start = prev->start, len = prev->len;
		uint64_t block_start = prev->block_start;
		uint64_t block_len = prev->block_len, offset = prev->offset;

		absorb(tree, prev);
		em->start = start;	/* the order by start is unchanged */
		em->len += len;
		em->block_start = block_start;
		em->block_len += block_len;
		em->offset = offset;
		em->flags |= EM_FLAG_MERGED;
	}
	next = em_next(tree, em);
	if (next != NULL && can_merge(next) && mergeable(em, next)) {
		uint64_t len = next->len, block_len = next->block_len;

		absorb(tree, next);	/* before EM grows over it */
		em->len += len;
		em->block_len += block_len;
		em->flags |= EM_FLAG_MERGED;
	}
}

int
em6_add(struct em_tree *tree, struct em_map *em)
{
	int r = em6_insert(tree, em);

	if (r == 0)
		try_merge(tree, em);
	return r;
}

/* __tree_search() for POS (see em6.h), or NULL on an empty tree. */
static struct em_map *
tree_search(const struct em_tree *tree, uint64_t pos)
{
	struct em_map *floor = em_floor(tree, pos), *next;

	if (floor != NULL && contains(floor, pos))
		return floor;
	next = after(tree, floor);
	return next != NULL ? next : floor;
}

struct em_map *
em6_search(struct em_tree *tree, uint64_t start, uint64_t len)
{
	(void)len;
	return tree_search(tree, start);
}

struct em_map *
em6_lookup(struct em_tree *tree, uint64_t start, uint64_t len)
{
	struct em_map *em = tree_search(tree, start);
	uint64_t end = start + len < start ? UINT64_MAX : start + len;

	return em != NULL && intersects(em, start, end) ? em : NULL;
}

/*
 * merge_extent_mapping(): trim EM to the gap around START between the
 * neighbours EXISTING gives, shift its location by the trim, insert it.
 */
static int
merge_mapping(struct em_tree *tree, struct em_map *existing,
    struct em_map *em, uint64_t start)
{
	struct em_map *prev, *next;
	uint64_t new_start, new_end, diff;

	if (start < em->start || start >= em_end(em))
		return -EINVAL;
	if (existing->start > start) {
		next = existing;
		prev = em_prev_map(tree, next);
	} else {
		prev = existing;
		next = em_next(tree, prev);
	}
	new_start = prev != NULL && em_end(prev) > em->start ? em_end(prev) :
	    em->start;
	new_end = next != NULL && next->start < em_end(em) ? next->start :
	    em_end(em);
	diff = new_start - em->start;
	em->start = new_start;
	em->len = new_end - new_start;
	if (em_is_real(em)) {
		em->offset += diff;
		if (!(em->flags & EM_FLAG_COMPRESSED)) {
			em->block_start += diff;
			em->block_len = em->len;
		}
	}
	return em6_add(tree, em);
}

int
em6_add_mapping(struct em_tree *tree, struct em_map *em, uint64_t start,
    uint64_t len, struct em_map **out)
{
	struct em_map *existing;
	int r;

	*out = NULL;
	if ((r = em6_add(tree, em)) == 0) {
		*out = em;
		return 0;
	}
	existing = em6_search(tree, start, len);
	if (existing != NULL && contains(existing, start)) {
		em_free(em);
		*out = existing;
		return 0;
	}
	if (existing == NULL)
		r = -EEXIST;
	else if ((r = merge_mapping(tree, existing, em, start)) == 0) {
		*out = em;
		return 0;
	}
	em_free(em);
	return r;
}

/* A remnant of EM over [start, start + len) (em6.h: the split rules). */
static struct em_map *
remnant(const struct em_map *em, uint64_t start, uint64_t len,
    uint32_t flags)
{
	struct em_map *r = em_alloc(start, len, em->block_start);
	uint64_t diff = start - em->start;

	r->flags = flags;
	if (!em_is_real(em)) {
		r->block_len = 0;
		r->ram_bytes = len;
		return r;
	}
	r->ram_bytes = em->ram_bytes;
	r->offset = em->offset + diff;
	if (em->flags & EM_FLAG_COMPRESSED)
		r->block_len = em->block_len;
	else {
		r->block_start = em->block_start + diff;
		r->block_len = len;
	}
	return r;
}

void
em6_drop_range(struct em_tree *tree, uint64_t start, uint64_t end,
    bool skip_pinned)
{
	uint64_t len;
	struct em_map *em;

	if (end < start)
		return;
	if (end == UINT64_MAX) {
		if (start == 0 && !skip_pinned) {
			/* The fast path: everything goes. */
			while ((em = em_first(tree)) != NULL) {
				em_remove(tree, em);
				em_free(em);
			}
			return;
		}
		len = UINT64_MAX;
	} else {
		len = end - start + 1;
		end++;		/* exclusive from here on */
	}
	em = em6_lookup(tree, start, len);
	while (em != NULL) {
		uint64_t em_stop = em_end(em);
		struct em_map *next = NULL, *head = NULL, *tail = NULL;
		uint32_t flags = em->flags & ~EM_FLAG_PINNED;

		if (em_stop < end && (next = em_next(tree, em)) != NULL &&
		    next->start >= end)
			next = NULL;
		if (skip_pinned && (em->flags & EM_FLAG_PINNED)) {
			start = em_stop;
			em = next;
			continue;
		}
		if (em->start < start)
			head = remnant(em, em->start, start - em->start, flags);
		if (em_stop > end)
			tail = remnant(em, end, em_stop - end, flags);
		/* Only the dropped bytes change their mapping: the
		 * remnants map theirs as EM did (em.h, the _quiet calls). */
		em_remove_quiet(tree, em);
		em_mark_range(tree, em->start > start ? em->start : start,
		    em_stop < end ? em_stop : end);
		/* The first remnant takes EM's place; a later one is added. */
		if (head != NULL) {
			em_link_quiet(tree, head);
			tree->splits++;
		}
		if (tail != NULL) {
			if (head == NULL)
				em_link_quiet(tree, tail);
			else if (insert_as(tree, tail, false) != 0)
				em_free(tail);	/* cannot collide: the gap */
			else
				try_merge(tree, tail);
			tree->splits++;
		}
		em_free(em);
		em = next;
	}
}

void
em6_unpin(struct em_tree *tree, struct em_map *em)
{
	em->flags &= ~EM_FLAG_PINNED;
	try_merge(tree, em);
}

int
em6_check(const struct em_tree *tree, const char **why)
{
	if (em_check(tree, why) != 0)
		return -1;
	if (tree->overlaps != 0) {
		*why = "two maps overlap";
		return -1;
	}
	return 0;
}
