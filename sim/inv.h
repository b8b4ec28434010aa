/*
 * The invariant checker and the kinds of its findings (blksim-scenario(5),
 * INVARIANTS).  The kind names are part of the scenario language:
 * `expect violation KIND`.
 */
#ifndef SIM_INV_H
#define SIM_INV_H

#include <stddef.h>
#include <stdint.h>

enum inv_kind {
	INV_UNALIGNED,		/* a cached extent map not on sector bounds */
	INV_INCOHERENT,		/* a cached real map disagrees with the items */
	INV_OVERLAP,		/* two cached maps overlap */
	INV_EXTENT_ITEMS,	/* items unsorted, overlapping or unallocated */
	INV_ALLOC,		/* allocator accounting broken */
	INV_KIND_COUNT
};

/* One broken invariant: where, and a short description. */
struct inv_finding {
	enum inv_kind	kind;
	uint32_t	ino;		/* inode number, 0 for fs-wide findings */
	uint64_t	start;		/* file offset or logical address */
	uint64_t	len;
	const char	*what;		/* static text */
};

struct inv_report {
	struct inv_finding *f;		/* owned; inv_report_free */
	size_t		n;
	size_t		cap;
	unsigned	kinds;		/* mask of kinds found */
};

struct fs;

/*
 * Walk the whole model and append a finding for every broken invariant
 * (at most INV_MAX_PER_KIND of each kind per call): extent maps aligned
 * to sectors, cached real maps coherent with the file extent items, no
 * overlapping maps, items sorted, disjoint and inside allocated extents,
 * allocator accounting exact with every extent's references equal to the
 * items that point at it.
 */
#define INV_MAX_PER_KIND	8
void	inv_check(struct fs *, struct inv_report *);
void	inv_report_free(struct inv_report *);

const char	*inv_kind_name(enum inv_kind);
/* The kind called NAME (LEN bytes), or -1. */
int		 inv_kind_lookup(const char *name, unsigned long len);

#endif
