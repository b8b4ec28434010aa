/*
 * The data allocator (see alloc.h): two interval maps over the logical
 * data area [base, base + size).  `free` holds the free runs, all with the
 * same plain value so that imap_set() merges a freed range with its free
 * neighbours by itself; `extents` holds the allocated extents, each with
 * the value { a = refs, b = its own start }: the start makes every
 * extent's value distinct, so adjacent extents never merge.
 *
 * Units are bytes.  Every free run and extent starts and ends on a
 * multiple of `align` from base; a hint is rounded up to that grid first.
 * The area may end at UINT64_MAX (exclusive), never beyond.
 *
 * Cost: the run containing or following the hint is found by a tree
 * descent (O(log n)); from there the first-fit search walks runs in order,
 * so a request that skips many too-small runs costs O(runs skipped), and
 * the largest-run fallback walks every run.  In the common case of a
 * mostly free area filled front to back with hints at the end of the last
 * extent, the first run looked at fits and a reservation is O(log n).
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "rng.h"
#include "xmalloc.h"

/* The value every free run carries: all equal, so free runs merge. */
static const struct imap_val free_val;

static bool
is_pow2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

static uint64_t
area_end(const struct alloc *al)
{
	return al->base + al->size;
}

static struct imap_val
extent_val(uint64_t start, uint64_t refs)
{
	struct imap_val v = { .a = refs, .b = start };

	return v;
}

/*
 * round_up(want, align), saturating at UINT64_MAX instead of wrapping: a
 * request that large fits no run and takes the largest-run fallback.
 */
static uint64_t
round_up_sat(uint64_t want, uint64_t align)
{
	if (want > UINT64_MAX - (align - 1))
		return UINT64_MAX;
	return (want + align - 1) & ~(align - 1);
}

/*
 * The hint moved onto the allocation grid: rounded up to a multiple of
 * align from base, base if it lies before the area, and the area's end if
 * it lies (or rounds) past it, where the first pass finds nothing and the
 * wrapped pass covers everything.
 */
static uint64_t
grid_hint(const struct alloc *al, uint64_t hint)
{
	uint64_t off;

	if (hint <= al->base)
		return al->base;
	if (hint >= area_end(al))
		return area_end(al);
	off = round_up_sat(hint - al->base, al->align);
	return off >= al->size ? area_end(al) : al->base + off;
}

/*
 * The whole area starts as one free run.  On -EINVAL (empty area after
 * rounding, base + size overflowing, or ALIGN not a power of two) the
 * allocator is left empty but alloc_destroy() is still safe.
 */
int
alloc_init(struct alloc *al, uint64_t base, uint64_t size, uint64_t align)
{
	al->base = base;
	al->align = is_pow2(align) ? align : 1;
	al->size = size & ~(al->align - 1);
	al->free_bytes = 0;
	al->nallocs = 0;
	imap_init(&al->free);
	imap_init(&al->extents);
	al->changed = NULL;
	al->nchanged = al->changedcap = 0;
	if (!is_pow2(align) || al->size == 0 ||
	    al->size > UINT64_MAX - base) {
		al->size = 0;
		return -EINVAL;
	}
	imap_set(&al->free, base, area_end(al), &free_val);
	al->free_bytes = al->size;
	return 0;
}

/* Frees both maps; the extents' references die with them. */
void
alloc_destroy(struct alloc *al)
{
	imap_destroy(&al->free);
	imap_destroy(&al->extents);
	free(al->changed);
	al->changed = NULL;
	al->nchanged = al->changedcap = 0;
}

/* DST (uninitialised) becomes a deep copy of SRC. */
void
alloc_clone(struct alloc *dst, const struct alloc *src)
{
	*dst = *src;
	imap_clone(&dst->free, &src->free);
	imap_clone(&dst->extents, &src->extents);
	dst->changedcap = src->nchanged;
	dst->changed = NULL;
	if (src->nchanged > 0) {
		dst->changed = xreallocarray(NULL, src->nchanged,
		    sizeof(*dst->changed));
		memcpy(dst->changed, src->changed,
		    src->nchanged * sizeof(*dst->changed));
	}
}

/* The extent [start, end) changed, for the invariant checker. */
static void
mark(struct alloc *al, uint64_t start, uint64_t end)
{
	if (al->nchanged == al->changedcap) {
		al->changedcap = al->changedcap ? 2 * al->changedcap : 16;
		al->changed = xreallocarray(al->changed, al->changedcap,
		    sizeof(*al->changed));
	}
	al->changed[al->nchanged].start = start;
	al->changed[al->nchanged++].end = end;
}

void
alloc_settle(struct alloc *al)
{
	al->nchanged = 0;
}

uint64_t
alloc_hash(const struct alloc *al)
{
	uint64_t h = rng_fold(imap_hash(&al->free), imap_hash(&al->extents));

	h = rng_fold(h, al->free_bytes);
	return rng_fold(h, al->nallocs);
}

/* The first free run, from HINT on, with NEED bytes after max(start, hint). */
static const struct imap_ent *
first_fit_from(const struct alloc *al, uint64_t hint, uint64_t need,
    uint64_t *at)
{
	const struct imap_ent *r;
	uint64_t from;

	/* Runs before R end at or before HINT; R may contain it. */
	for (r = imap_first_from(&al->free, hint); r != NULL;
	    r = imap_next(&al->free, r)) {
		from = r->start > hint ? r->start : hint;
		if (r->end - from >= need) {
			*at = from;
			return r;
		}
	}
	return NULL;
}

/* The first free run starting before HINT that holds NEED from its start. */
static const struct imap_ent *
first_fit_wrapped(const struct alloc *al, uint64_t hint, uint64_t need)
{
	const struct imap_ent *r;

	for (r = imap_first(&al->free); r != NULL && r->start < hint;
	    r = imap_next(&al->free, r))
		if (r->end - r->start >= need)
			return r;
	return NULL;
}

/* The largest free run, the lowest of equals. */
static const struct imap_ent *
largest_run(const struct alloc *al)
{
	const struct imap_ent *r, *best = NULL;

	for (r = imap_first(&al->free); r != NULL; r = imap_next(&al->free, r))
		if (best == NULL || r->end - r->start > best->end - best->start)
			best = r;
	return best;
}

/*
 * btrfs_alloc_extent with min_alloc_size = sectorsize, as the file comment
 * of alloc.h states it: first fit from the hint to the end, then once from
 * the area start over the runs that start before the hint (each from its
 * own start, so the run holding the hint is tried whole), else the whole
 * largest run.  The caller owns the new extent's one reference.
 */
int
alloc_reserve(struct alloc *al, uint64_t want, uint64_t hint,
    uint64_t *start, uint64_t *got)
{
	const struct imap_ent *r;
	uint64_t need, at = 0, len;
	struct imap_val v;

	assert(want != 0);
	if (al->free_bytes == 0)
		return -ENOSPC;
	need = round_up_sat(want, al->align);
	hint = grid_hint(al, hint);
	if ((r = first_fit_from(al, hint, need, &at)) != NULL)
		len = need;
	else if ((r = first_fit_wrapped(al, hint, need)) != NULL) {
		at = r->start;
		len = need;
	} else {
		r = largest_run(al);
		at = r->start;
		len = r->end - r->start;
	}
	imap_clear(&al->free, at, at + len);
	al->free_bytes -= len;
	v = extent_val(at, 1);
	imap_set(&al->extents, at, at + len, &v);
	mark(al, at, at + len);
	al->nallocs++;
	*start = at;
	*got = len;
	return 0;
}

/* The extent starting exactly at START, or NULL. */
static const struct imap_ent *
extent_starting_at(const struct alloc *al, uint64_t start)
{
	const struct imap_ent *e = imap_find(&al->extents, start);

	return e != NULL && e->start == start ? e : NULL;
}

/* A reference for a split file extent item (btrfs_inc_extent_ref). */
int
alloc_get(struct alloc *al, uint64_t start)
{
	const struct imap_ent *e = extent_starting_at(al, start);
	struct imap_val v;

	if (e == NULL)
		return -ENOENT;
	v = extent_val(start, e->v.a + 1);
	mark(al, e->start, e->end);
	imap_set(&al->extents, e->start, e->end, &v);
	return 0;
}

/*
 * Drop a reference (btrfs_free_extent); the last one returns the whole
 * extent to free space, merged with the free runs beside it.
 */
int
alloc_put(struct alloc *al, uint64_t start)
{
	const struct imap_ent *e = extent_starting_at(al, start);
	uint64_t end;
	struct imap_val v;

	if (e == NULL)
		return -ENOENT;
	end = e->end;
	mark(al, start, end);
	if (e->v.a > 1) {
		v = extent_val(start, e->v.a - 1);
		imap_set(&al->extents, start, end, &v);
		return 0;
	}
	imap_clear(&al->extents, start, end);
	imap_set(&al->free, start, end, &free_val);
	al->free_bytes += end - start;
	return 0;
}

/* References on the extent starting exactly at START, 0 if none. */
uint64_t
alloc_refs(const struct alloc *al, uint64_t start)
{
	const struct imap_ent *e = extent_starting_at(al, start);

	return e != NULL ? e->v.a : 0;
}

/* Borrowed until the allocator next changes. */
const struct imap_ent *
alloc_extent_at(const struct alloc *al, uint64_t l)
{
	return imap_find(&al->extents, l);
}

/* A range inside the area, both ends on the align grid from base. */
static bool
on_grid(const struct alloc *al, const struct imap_ent *e)
{
	return e->start >= al->base && e->end <= area_end(al) &&
	    ((e->start - al->base) & (al->align - 1)) == 0 &&
	    ((e->end - al->base) & (al->align - 1)) == 0;
}

static const char *
check_free_runs(const struct alloc *al, uint64_t *sum)
{
	const struct imap_ent *r, *prev = NULL;

	*sum = 0;
	for (r = imap_first(&al->free); r != NULL;
	    prev = r, r = imap_next(&al->free, r)) {
		if (!on_grid(al, r))
			return "free run outside the area or off the grid";
		if (prev != NULL && prev->end == r->start)
			return "adjacent free runs not merged";
		*sum += r->end - r->start;
	}
	return NULL;
}

/* Extent E's own rules (check_extents() of one). */
static const char *
extent_broken(const struct alloc *al, const struct imap_ent *e)
{
	const struct imap_ent *r;

	if (!on_grid(al, e))
		return "extent outside the area or off the grid";
	if (e->v.a == 0)
		return "extent with no references";
	if (e->v.b != e->start || e->v.kind != 0 || e->v.aux != 0)
		return "extent value corrupt";
	r = imap_first_from(&al->free, e->start);
	if (r != NULL && r->start < e->end)
		return "extent overlaps free space";
	return NULL;
}

static const char *
check_extents(const struct alloc *al, uint64_t *sum)
{
	const struct imap_ent *e;
	const char *why;

	*sum = 0;
	for (e = imap_first(&al->extents); e != NULL;
	    e = imap_next(&al->extents, e)) {
		if ((why = extent_broken(al, e)) != NULL)
			return why;
		*sum += e->end - e->start;
	}
	return NULL;
}

/* The first broken invariant, or NULL. */
static const char *
alloc_broken(const struct alloc *al)
{
	const char *why;
	uint64_t free_sum, ext_sum;

	if (!is_pow2(al->align) || (al->size & (al->align - 1)) != 0 ||
	    al->size > UINT64_MAX - al->base)
		return "area geometry invalid";
	if (imap_check(&al->free, &why) != 0 ||
	    imap_check(&al->extents, &why) != 0)
		return why;
	if ((why = check_free_runs(al, &free_sum)) != NULL ||
	    (why = check_extents(al, &ext_sum)) != NULL)
		return why;
	if (free_sum != al->free_bytes)
		return "free byte count wrong";
	if (free_sum + ext_sum != al->size)
		return "free + extent bytes != size";
	return NULL;
}

/*
 * The rules of alloc_broken() that a change in [start, end) can break:
 * the free runs and extents meeting it (and the free run before, for the
 * merge rule).  Runs and extents elsewhere are as they were.
 */
static const char *
range_broken(const struct alloc *al, uint64_t start, uint64_t end)
{
	const struct imap_ent *r, *prev = NULL, *e;
	const char *why;

	r = imap_first_from(&al->free, start > 0 ? start - 1 : 0);
	for (; r != NULL && r->start <= end; prev = r,
	    r = imap_next(&al->free, r)) {
		if (!on_grid(al, r))
			return "free run outside the area or off the grid";
		if (prev != NULL && prev->end == r->start)
			return "adjacent free runs not merged";
	}
	for (e = imap_first_from(&al->extents, start);
	    e != NULL && e->start < end; e = imap_next(&al->extents, e))
		if ((why = extent_broken(al, e)) != NULL)
			return why;
	return NULL;
}

int
alloc_check_changed(const struct alloc *al, const char **why)
{
	const char *broken = NULL;

	if (!is_pow2(al->align) || (al->size & (al->align - 1)) != 0 ||
	    al->size > UINT64_MAX - al->base)
		broken = "area geometry invalid";
	else if (imap_bytes(&al->free) != al->free_bytes)
		broken = "free byte count wrong";
	else if (imap_bytes(&al->free) + imap_bytes(&al->extents) != al->size)
		broken = "free + extent bytes != size";
	for (size_t i = 0; i < al->nchanged && broken == NULL; i++)
		broken = range_broken(al, al->changed[i].start,
		    al->changed[i].end);
	if (why != NULL)
		*why = broken;
	return broken == NULL ? 0 : -1;
}

/*
 * Walk both maps and the accounting (see alloc.h); O(n log n).  Returns
 * 0, or -1 with the first broken invariant in WHY (may be NULL).
 */
int
alloc_check(const struct alloc *al, const char **why)
{
	const char *broken = alloc_broken(al);

	if (why != NULL)
		*why = broken;
	return broken == NULL ? 0 : -1;
}
