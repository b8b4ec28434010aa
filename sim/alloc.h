/*
 * The data allocator: free space over the logical data area
 * [base, base + size), in units of `align` bytes (alloc_align), and the
 * table of allocated extents with their reference counts.
 *
 * An allocation asks for `want` bytes with a hint and gets
 * round_up(want, align) (saturating) from the first free run at or after
 * the hint (a run containing the hint counts from the hint on) that can
 * hold it, searching to the end of the area and then, wrapping once, from
 * its start; if no run can hold it, the whole of the largest free run (the
 * first of equals) is returned; -ENOSPC when nothing is free.  This is the
 * shape of 2008's btrfs_alloc_extent with min_alloc_size = sectorsize.
 *
 * An allocated extent starts with one reference (its first file extent
 * item); alloc_get() adds one when an item is split, alloc_put() drops one
 * and frees the extent's whole space at zero (partly overwritten extents
 * stay whole: bookends, as in 2008).
 *
 * Invariants (alloc_check): free runs disjoint, sorted, non-empty, aligned
 * to `align` relative to base, inside the area, and not adjacent (merged);
 * extents disjoint, inside the area, disjoint from free space, refs > 0;
 * free bytes + extent bytes == size.
 */
#ifndef SIM_ALLOC_H
#define SIM_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "imap.h"

struct alloc {
	uint64_t	base;		/* first logical byte (1 MiB) */
	uint64_t	size;		/* capacity in bytes, a multiple of align */
	uint64_t	align;		/* power of two */
	uint64_t	free_bytes;
	struct imap	free;		/* free runs (values unused) */
	struct imap	extents;	/* allocated extents: v.a = refs */
	uint64_t	nallocs;	/* successful alloc_reserve() calls */
	/*
	 * The extents reserved, freed or whose references changed since the
	 * invariant checker last looked (inv.h), in that order, repeats
	 * allowed.
	 */
	struct alloc_change {
		uint64_t start, end;
	}		*changed;
	size_t		nchanged, changedcap;
};

/*
 * Set up an allocator over [base, base + size) with unit ALIGN (a power of
 * two).  SIZE is rounded down to ALIGN.  -EINVAL if the area is empty or
 * base + size overflows.
 */
int	alloc_init(struct alloc *, uint64_t base, uint64_t size,
	    uint64_t align);
void	alloc_destroy(struct alloc *);
void	alloc_clone(struct alloc *dst, const struct alloc *src);

/*
 * Reserve space: see the file comment.  On success (0) *START and *GOT
 * describe a new extent holding one reference.  -ENOSPC when no space is
 * free.  WANT must be non-zero.
 */
int	alloc_reserve(struct alloc *, uint64_t want, uint64_t hint,
	    uint64_t *start, uint64_t *got);

/* Add a reference to the extent starting at START.  -ENOENT if none. */
int	alloc_get(struct alloc *, uint64_t start);
/* Drop one; at zero the extent's space is freed.  -ENOENT if none. */
int	alloc_put(struct alloc *, uint64_t start);
/* References held on the extent starting at START (0 if none). */
uint64_t alloc_refs(const struct alloc *, uint64_t start);
/* The extent containing logical address L, or NULL. */
const struct imap_ent *alloc_extent_at(const struct alloc *, uint64_t l);

int	alloc_check(const struct alloc *, const char **why);
/*
 * alloc_check() of what lies in or beside the changed ranges, and of the
 * accounting, in O(changed runs log n): 0, or -1 with WHY.  It finds
 * every broken rule that alloc_check() finds which was not broken at the
 * last alloc_settle() (only a change can break one).
 */
int	alloc_check_changed(const struct alloc *, const char **why);
/* The invariant checker has looked: forget the changed ranges. */
void	alloc_settle(struct alloc *);
/* A hash of the free runs, the extents and the counts (not the checker's
 * changed list): equal allocators, equal hashes (state hashes, sched.h). */
uint64_t alloc_hash(const struct alloc *);

#endif
