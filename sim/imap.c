/*
 * Interval maps (see imap.h): a red-black tree of disjoint, non-empty
 * half-open byte ranges keyed on their start.  Because the ranges are
 * disjoint, ordering by start also orders them by end, so "the first entry
 * ending after POS" is a plain tree descent; every lookup is O(log n) and
 * imap_set()/imap_clear() are O(log n + k) for k entries touched.
 *
 * Invariants (imap_check): start < end; entries sorted and disjoint; no two
 * adjacent entries whose values continue one another (the map is always
 * maximally merged, which imap_set() keeps by joining the new range with
 * its neighbours); count equals the number of entries and bytes the bytes
 * they cover (kept by imap_clear() and imap_set() as they trim, split and
 * join, so that a caller's accounting can be checked against it in O(1)).
 *
 * The map owns its entries.  Pointers handed out are borrowed until the
 * next imap_set(), imap_clear() or imap_destroy() on the same map.
 */
#include <assert.h>
#include <stdlib.h>

#include "imap.h"
#include "rng.h"
#include "xmalloc.h"

static int
imap_cmp(const struct imap_ent *x, const struct imap_ent *y)
{
	if (x->start < y->start)
		return -1;
	return x->start > y->start;
}

/* tree.h marks the generated functions __unused, a BSD <sys/cdefs.h> name. */
#ifndef __unused
#define __unused	__attribute__((__unused__))
#endif
RB_GENERATE_STATIC(imap_rb, imap_ent, node, imap_cmp)

/* The tree of a map whose caller only holds it const (lookups). */
static struct imap_rb *
imap_tree(const struct imap *m)
{
	return (struct imap_rb *)&m->root;
}

static bool
imap_is_positional(const struct imap_val *v)
{
	return (v->kind & IMAP_SHIFT) != 0;
}

void
imap_init(struct imap *m)
{
	RB_INIT(&m->root);
	m->count = 0;
	m->bytes = 0;
}

/* Free a subtree bottom-up; the depth is bounded by the tree's height. */
static void
imap_free_subtree(struct imap_ent *e)
{
	if (e == NULL)
		return;
	imap_free_subtree(RB_LEFT(e, node));
	imap_free_subtree(RB_RIGHT(e, node));
	free(e);
}

/* Frees in O(n); the map is empty and reusable afterwards. */
void
imap_destroy(struct imap *m)
{
	imap_free_subtree(RB_ROOT(&m->root));
	imap_init(m);
}

/* A new entry, not yet in any tree; the caller inserts or frees it. */
static struct imap_ent *
imap_ent_new(uint64_t start, uint64_t end, const struct imap_val *v)
{
	struct imap_ent *e = xcalloc(1, sizeof(*e));

	e->start = start;
	e->end = end;
	e->v = *v;
	return e;
}

/* DST (uninitialised) becomes a deep copy; its entries are its own. */
void
imap_clone(struct imap *dst, const struct imap *src)
{
	const struct imap_ent *e;

	imap_init(dst);
	for (e = imap_first(src); e != NULL; e = imap_next(src, e)) {
		RB_INSERT(imap_rb, &dst->root,
		    imap_ent_new(e->start, e->end, &e->v));
		dst->count++;
	}
	dst->bytes = src->bytes;
}

/*
 * The first entry with end > POS.  Ends are ordered like starts, so the
 * descent keeps the leftmost node seen whose end lies beyond POS.
 */
static struct imap_ent *
imap_first_ending_after(const struct imap *m, uint64_t pos)
{
	struct imap_ent *e = RB_ROOT(imap_tree(m));
	struct imap_ent *best = NULL;

	while (e != NULL) {
		if (e->end > pos) {
			best = e;
			e = RB_LEFT(e, node);
		} else
			e = RB_RIGHT(e, node);
	}
	return best;
}

/* Borrowed, as every entry pointer handed out. */
const struct imap_ent *
imap_first_from(const struct imap *m, uint64_t pos)
{
	return imap_first_ending_after(m, pos);
}

const struct imap_ent *
imap_find(const struct imap *m, uint64_t pos)
{
	const struct imap_ent *e = imap_first_ending_after(m, pos);

	return e != NULL && e->start <= pos ? e : NULL;
}

const struct imap_ent *
imap_first(const struct imap *m)
{
	return RB_MIN(imap_rb, imap_tree(m));
}

const struct imap_ent *
imap_next(const struct imap *m, const struct imap_ent *e)
{
	(void)m;	/* kept for symmetry with imap_first() */
	return RB_NEXT(imap_rb, NULL, (struct imap_ent *)e);
}

/* The value at POS: a positional b advances with the distance from start. */
struct imap_val
imap_val_at(const struct imap_ent *e, uint64_t pos)
{
	struct imap_val v = e->v;

	assert(e->start <= pos && pos < e->end);
	if (imap_is_positional(&v))
		v.b += pos - e->start;	/* wraps like any u64 offset */
	return v;
}

/* Whether B is what A's run would hold LEN bytes on: the merge rule. */
bool
imap_val_continues(const struct imap_val *a, uint64_t len,
    const struct imap_val *b)
{
	uint64_t want_b = imap_is_positional(a) ? a->b + len : a->b;

	return a->a == b->a && a->kind == b->kind && a->aux == b->aux &&
	    b->b == want_b;
}

/* Bytes of [start, end) inside entries: O(log n + entries in range). */
uint64_t
imap_covered(const struct imap *m, uint64_t start, uint64_t end)
{
	const struct imap_ent *e;
	uint64_t total = 0, lo, hi;

	for (e = imap_first_from(m, start); e != NULL && e->start < end;
	    e = imap_next(m, e)) {
		lo = e->start > start ? e->start : start;
		hi = e->end < end ? e->end : end;
		total += hi - lo;
	}
	return total;
}

uint64_t
imap_bytes(const struct imap *m)
{
	return m->bytes;
}

/* Unlink E from M and free it; returns its successor.  Coverage is the
 * caller's to account for. */
static struct imap_ent *
imap_remove(struct imap *m, struct imap_ent *e)
{
	struct imap_ent *next = RB_NEXT(imap_rb, &m->root, e);

	RB_REMOVE(imap_rb, &m->root, e);
	free(e);
	m->count--;
	return next;
}

/*
 * Trim, split or delete what lies in [start, end); an empty range is a
 * no-op.  Removing coverage never makes two entries adjacent that were
 * not, so clearing cannot break the merge invariant and needs no merging.
 */
void
imap_clear(struct imap *m, uint64_t start, uint64_t end)
{
	struct imap_ent *e, *tail;
	struct imap_val tv;

	assert(start <= end);
	if (start == end)
		return;
	e = imap_first_ending_after(m, start);
	if (e != NULL && e->start < start) {
		if (e->end > end) {
			tv = imap_val_at(e, end);
			tail = imap_ent_new(end, e->end, &tv);
			e->end = start;
			RB_INSERT(imap_rb, &m->root, tail);
			m->count++;
			m->bytes -= end - start;
			return;
		}
		m->bytes -= e->end - start;
		e->end = start;
		e = RB_NEXT(imap_rb, &m->root, e);
	}
	/* Every entry before E now ends at or before START. */
	while (e != NULL && e->start < end) {
		if (e->end > end) {
			/* [start, end) is empty: raising the key is safe. */
			m->bytes -= end - e->start;
			e->v = imap_val_at(e, end);
			e->start = end;
			break;
		}
		m->bytes -= e->end - e->start;
		e = imap_remove(m, e);
	}
}

/*
 * Clear the range, then join it to a neighbour it continues instead of
 * inserting a new entry where possible, so the map stays maximally merged
 * with at most one allocation.
 */
void
imap_set(struct imap *m, uint64_t start, uint64_t end,
    const struct imap_val *v)
{
	struct imap_ent *prev, *next;
	bool join_prev, join_next;

	assert(start < end);
	imap_clear(m, start, end);
	m->bytes += end - start;
	/* Now nothing intersects [start, end): NEXT starts at or after END. */
	next = imap_first_ending_after(m, start);
	prev = next != NULL ? RB_PREV(imap_rb, &m->root, next) :
	    RB_MAX(imap_rb, &m->root);
	join_prev = prev != NULL && prev->end == start &&
	    imap_val_continues(&prev->v, prev->end - prev->start, v);
	join_next = next != NULL && next->start == end &&
	    imap_val_continues(v, end - start, &next->v);

	if (join_prev && join_next) {
		prev->end = next->end;
		imap_remove(m, next);
	} else if (join_prev)
		prev->end = end;
	else if (join_next) {
		next->start = start;
		next->v = *v;
	} else {
		RB_INSERT(imap_rb, &m->root, imap_ent_new(start, end, v));
		m->count++;
	}
}

uint64_t
imap_hash(const struct imap *m)
{
	uint64_t h = m->count;

	for (const struct imap_ent *e = imap_first(m); e != NULL;
	    e = imap_next(m, e)) {
		h = rng_fold(h, e->start);
		h = rng_fold(h, e->end);
		h = rng_fold(h, e->v.a);
		h = rng_fold(h, e->v.b);
		h = rng_fold(h, (uint64_t)e->v.kind << 32 | e->v.aux);
	}
	return h;
}

int
imap_check(const struct imap *m, const char **why)
{
	const struct imap_ent *e, *prev = NULL;
	const char *broken = NULL;
	uint64_t bytes = 0;
	size_t n = 0;

	for (e = imap_first(m); e != NULL && broken == NULL;
	    prev = e, e = imap_next(m, e)) {
		n++;
		bytes += e->end - e->start;
		if (e->start >= e->end)
			broken = "entry empty or reversed";
		else if (prev != NULL && prev->end > e->start)
			broken = "entries overlap or out of order";
		else if (prev != NULL && prev->end == e->start &&
		    imap_val_continues(&prev->v, prev->end - prev->start,
		    &e->v))
			broken = "adjacent entries not merged";
	}
	if (broken == NULL && n != m->count)
		broken = "entry count wrong";
	if (broken == NULL && bytes != m->bytes)
		broken = "covered byte count wrong";
	if (why != NULL)
		*why = broken;
	return broken == NULL ? 0 : -1;
}
