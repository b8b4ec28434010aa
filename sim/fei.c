/*
 * File extent items (see fei.h): one inode's BTRFS_EXTENT_DATA_KEY items
 * as a red-black tree keyed on file_offset.  Items are disjoint, so the
 * order by start is also the order by end, and "the item containing OFF"
 * is one tree descent: lookups are O(log n), a drop or truncate touching k
 * items is O(log n + k log n).
 *
 * Units are bytes.  An item covers [file_offset, file_offset + num_bytes),
 * which never wraps (fei_insert asserts it, fei_check verifies it).  Items
 * are never merged, as in the 2008 btree: two adjacent items stay two.
 *
 * Reference bookkeeping follows 2008's btrfs_drop_extents and
 * btrfs_truncate_in_trans: a deleted real item drops its reference on the
 * allocator extent at disk_bytenr, a split takes one for the new tail, and
 * a trim changes nothing (the extent stays whole: a bookend).  Holes
 * (disk_bytenr 0) hold no reference.  The tree owns its items; pointers
 * handed out are borrowed until the tree next changes.
 *
 * For the invariant checker, every item that comes, goes, is trimmed or
 * split marks its whole (former) range in t->changed, and every
 * reference it takes or drops is counted in t->track (track.h): the
 * checker compares those counts with the allocator's, which the data path
 * keeps through alloc_get() and alloc_put().
 */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "fei.h"
#include "rng.h"
#include "track.h"
#include "xmalloc.h"

static int
fei_cmp(const struct fei_item *x, const struct fei_item *y)
{
	if (x->file_offset < y->file_offset)
		return -1;
	return x->file_offset > y->file_offset;
}

/* tree.h marks the generated functions __unused, a BSD <sys/cdefs.h> name. */
#ifndef __unused
#define __unused	__attribute__((__unused__))
#endif
RB_GENERATE_STATIC(fei_rb, fei_item, node, fei_cmp)

static struct fei_rb *
fei_tree_rb(const struct fei_tree *t)
{
	return (struct fei_rb *)&t->root;
}

static bool
fei_is_hole(const struct fei_item *it)
{
	return it->disk_bytenr == 0;
}

/* The end of an item; items never wrap (checked at insert). */
static uint64_t
fei_end(const struct fei_item *it)
{
	return it->file_offset + it->num_bytes;
}

void
fei_init(struct fei_tree *t)
{
	RB_INIT(&t->root);
	t->count = 0;
	imap_init(&t->changed);
	t->track = NULL;
}

void
fei_set_track(struct fei_tree *t, struct track *track)
{
	t->track = track;
}

void
fei_settle(struct fei_tree *t)
{
	imap_destroy(&t->changed);
}

/* IT's range changed, for the checker. */
static void
fei_mark(struct fei_tree *t, const struct fei_item *it)
{
	static const struct imap_val unused;

	imap_set(&t->changed, it->file_offset, it->file_offset + it->num_bytes,
	    &unused);
}

/* IT (a real item) takes (DELTA 1) or drops (-1) its reference. */
static void
fei_ref(struct fei_tree *t, const struct fei_item *it, int delta)
{
	if (t->track != NULL && it->disk_bytenr != 0)
		track_ref(t->track, it->disk_bytenr, delta);
}

static void
fei_free_subtree(struct fei_item *it)
{
	if (it == NULL)
		return;
	fei_free_subtree(RB_LEFT(it, node));
	fei_free_subtree(RB_RIGHT(it, node));
	free(it);
}

/* Frees every item; references are the caller's to drop (fei_drop). */
void
fei_destroy(struct fei_tree *t)
{
	fei_free_subtree(RB_ROOT(&t->root));
	imap_destroy(&t->changed);
	fei_init(t);
}

/* A copy of IT, not in any tree; the caller inserts or frees it. */
static struct fei_item *
fei_item_dup(const struct fei_item *it)
{
	struct fei_item *n = xmalloc(sizeof(*n));

	*n = *it;
	return n;
}

/*
 * DST (uninitialised) becomes a deep copy of SRC.  The copy's items take
 * no references: clone the allocator alongside to copy a whole model.
 */
void
fei_clone(struct fei_tree *dst, const struct fei_tree *src)
{
	const struct fei_item *it;

	fei_init(dst);
	for (it = fei_first(src); it != NULL; it = fei_next(src, it)) {
		RB_INSERT(fei_rb, &dst->root, fei_item_dup(it));
		dst->count++;
	}
	imap_clone(&dst->changed, &src->changed);
}

/* The first item ending after OFF: it contains OFF or lies beyond it. */
static struct fei_item *
fei_first_ending_after(const struct fei_tree *t, uint64_t off)
{
	struct fei_item *it = RB_ROOT(fei_tree_rb(t)), *best = NULL;

	while (it != NULL) {
		if (fei_end(it) > off) {
			best = it;
			it = RB_LEFT(it, node);
		} else
			it = RB_RIGHT(it, node);
	}
	return best;
}

/*
 * Insert a copy of ITEM unless it would overlap an item (-EEXIST): the
 * only item that can overlap is the first one ending after its start.
 */
int
fei_insert(struct fei_tree *t, const struct fei_item *item)
{
	const struct fei_item *it;

	assert(item->num_bytes > 0);
	assert(item->num_bytes <= UINT64_MAX - item->file_offset);
	it = fei_first_ending_after(t, item->file_offset);
	if (it != NULL && it->file_offset < fei_end(item))
		return -EEXIST;
	RB_INSERT(fei_rb, &t->root, fei_item_dup(item));
	t->count++;
	fei_mark(t, item);
	fei_ref(t, item, 1);
	return 0;
}

/* The item containing OFF, borrowed: O(log n). */
const struct fei_item *
fei_lookup(const struct fei_tree *t, uint64_t off)
{
	const struct fei_item *it = fei_first_ending_after(t, off);

	return it != NULL && it->file_offset <= off ? it : NULL;
}

/* The first item starting after OFF, borrowed: O(log n). */
const struct fei_item *
fei_next_after(const struct fei_tree *t, uint64_t off)
{
	struct fei_item *it = RB_ROOT(fei_tree_rb(t)), *best = NULL;

	while (it != NULL) {
		if (it->file_offset > off) {
			best = it;
			it = RB_LEFT(it, node);
		} else
			it = RB_RIGHT(it, node);
	}
	return best;
}

const struct fei_item *
fei_first(const struct fei_tree *t)
{
	return RB_MIN(fei_rb, fei_tree_rb(t));
}

const struct fei_item *
fei_next(const struct fei_tree *t, const struct fei_item *it)
{
	(void)t;	/* kept for symmetry with fei_first() */
	return RB_NEXT(fei_rb, NULL, (struct fei_item *)it);
}

const struct fei_item *
fei_prev(const struct fei_tree *t, const struct fei_item *it)
{
	(void)t;
	return RB_PREV(fei_rb, NULL, (struct fei_item *)it);
}

/* Cut D bytes off the front of IT; a real item's offset moves with it. */
static void
fei_trim_head(struct fei_item *it, uint64_t d)
{
	it->file_offset += d;
	it->num_bytes -= d;
	if (!fei_is_hole(it))
		it->offset += d;
}

/* Unlink and free IT, dropping its reference (btrfs_free_extent). */
static int
fei_delete(struct fei_tree *t, struct alloc *al, struct fei_item *it)
{
	int rc = fei_is_hole(it) ? 0 : alloc_put(al, it->disk_bytenr);

	fei_mark(t, it);
	fei_ref(t, it, -1);
	RB_REMOVE(fei_rb, &t->root, it);
	free(it);
	t->count--;
	return rc;
}

/*
 * The four cases of btrfs_drop_extents, per item overlapping [start, end):
 * covering the range (split: the head keeps the item, a new tail item
 * takes a reference), straddling its start (tail trimmed), straddling its
 * end (head trimmed, offset advanced), inside it (deleted).  In a
 * consistent model this returns 0; an allocator error (an item whose
 * extent is not allocated) is returned after the items are dropped anyway.
 */
int
fei_drop(struct fei_tree *t, struct alloc *al, uint64_t start, uint64_t end)
{
	struct fei_item *it, *next, *tail;
	int rc = 0, err;

	if (start >= end)
		return 0;
	/* Every item before IT ends at or before START. */
	for (it = fei_first_ending_after(t, start);
	    it != NULL && it->file_offset < end; it = next) {
		next = RB_NEXT(fei_rb, &t->root, it);
		err = 0;
		if (it->file_offset < start && fei_end(it) > end) {
			fei_mark(t, it);
			tail = fei_item_dup(it);
			fei_trim_head(tail, end - it->file_offset);
			it->num_bytes = start - it->file_offset;
			RB_INSERT(fei_rb, &t->root, tail);
			t->count++;
			fei_ref(t, tail, 1);
			if (!fei_is_hole(it))
				err = alloc_get(al, it->disk_bytenr);
		} else if (it->file_offset < start) {
			fei_mark(t, it);
			it->num_bytes = start - it->file_offset;
		} else if (fei_end(it) > end) {
			fei_mark(t, it);
			fei_trim_head(it, end - it->file_offset);
		} else
			err = fei_delete(t, al, it);
		if (rc == 0)
			rc = err;
	}
	return rc;
}

/* round_up(x, align) for a power-of-two align, saturating at (u64)-1. */
static uint64_t
round_up_sat(uint64_t x, uint64_t align)
{
	if (x > UINT64_MAX - (align - 1))
		return UINT64_MAX;
	return (x + align - 1) & ~(align - 1);
}

/*
 * The item walk of btrfs_truncate_in_trans: items at or after SIZE are
 * deleted (dropping their references); the item straddling SIZE keeps
 * round_up(SIZE - file_offset, sectorsize) bytes, never more than it had,
 * and its extent stays whole.  Allocator errors cannot happen in a
 * consistent model and are ignored here (fei_check and alloc_check are
 * where a broken model shows).
 */
void
fei_truncate(struct fei_tree *t, struct alloc *al, uint64_t size,
    uint64_t sectorsize)
{
	struct fei_item *it, *next;
	uint64_t keep;

	assert(sectorsize != 0 && (sectorsize & (sectorsize - 1)) == 0);
	it = fei_first_ending_after(t, size);
	if (it != NULL && it->file_offset < size) {
		keep = round_up_sat(size - it->file_offset, sectorsize);
		if (keep < it->num_bytes) {
			fei_mark(t, it);
			it->num_bytes = keep;
		}
		it = RB_NEXT(fei_rb, &t->root, it);
	}
	for (; it != NULL; it = next) {
		next = RB_NEXT(fei_rb, &t->root, it);
		(void)fei_delete(t, al, it);
	}
}

/* What is wrong with IT on its own, or NULL. */
static const char *
fei_item_broken(const struct fei_item *it)
{
	if (it->num_bytes == 0)
		return "empty item";
	if (it->num_bytes > UINT64_MAX - it->file_offset)
		return "item wraps past 2^64";
	if (fei_is_hole(it))
		return it->disk_num_bytes != 0 || it->offset != 0 ?
		    "hole with a disk range" : NULL;
	if (it->disk_num_bytes > UINT64_MAX - it->disk_bytenr)
		return "disk extent wraps past 2^64";
	if (it->offset > it->disk_num_bytes ||
	    it->num_bytes > it->disk_num_bytes - it->offset)
		return "item runs past its disk extent";
	return NULL;
}

uint64_t
fei_hash(const struct fei_tree *t)
{
	uint64_t h = t->count;

	for (const struct fei_item *it = fei_first(t); it != NULL;
	    it = fei_next(t, it)) {
		h = rng_fold(h, it->file_offset);
		h = rng_fold(h, it->num_bytes);
		h = rng_fold(h, it->disk_bytenr);
		h = rng_fold(h, it->disk_num_bytes);
		h = rng_fold(h, it->offset);
	}
	return h;
}

int
fei_item_check(const struct fei_item *it, const char **why)
{
	const char *broken = fei_item_broken(it);

	if (why != NULL)
		*why = broken;
	return broken == NULL ? 0 : -1;
}

/*
 * Walk the items in order (see fei.h).  Returns 0, or -1 with the first
 * broken invariant in WHY (may be NULL).
 */
int
fei_check(const struct fei_tree *t, const char **why)
{
	const struct fei_item *it, *prev = NULL;
	const char *broken = NULL;
	size_t n = 0;

	for (it = fei_first(t); it != NULL && broken == NULL;
	    prev = it, it = fei_next(t, it)) {
		n++;
		if ((broken = fei_item_broken(it)) == NULL && prev != NULL &&
		    fei_end(prev) > it->file_offset)
			broken = "items overlap or out of order";
	}
	if (broken == NULL && n != t->count)
		broken = "item count wrong";
	if (why != NULL)
		*why = broken;
	return broken == NULL ? 0 : -1;
}

void
fei_extent_at(const struct fei_tree *t, uint64_t start, uint64_t len,
    struct fei_extent *out)
{
	const struct fei_item *it = fei_lookup(t, start), *next;

	out->item = it;
	out->logical = 0;
	if (it != NULL) {
		out->start = it->file_offset;
		out->len = it->num_bytes;
		if (it->disk_bytenr != 0)
			out->logical = it->disk_bytenr + it->offset;
		return;
	}
	out->start = start;
	if ((next = fei_next_after(t, start)) != NULL)
		out->len = next->file_offset - start;
	else
		out->len = (start + len < start ? UINT64_MAX : start + len) -
		    start;
}
