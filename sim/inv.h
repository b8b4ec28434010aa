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
/*
 * The checker after a statement, at the cost of what changed since the
 * last inv_settle() (what the structures and track.h record), not of the
 * model's size.  If something that changed may break a rule, the report
 * is inv_check()'s; else it is empty.  So it finds every broken rule that
 * inv_check() finds and that was not broken at the last settle: only a
 * change can break one, and every rule's inputs in each changed range are
 * looked at.  A run that settles after every check therefore finds the
 * same kinds, first at the same statement, with the same first finding,
 * as one that calls inv_check() (`blksim run --check=full`).
 */
void	inv_check_changed(struct fs *, struct inv_report *);
/* The checker has looked: what changed starts afresh from here. */
void	inv_settle(struct fs *);
void	inv_report_free(struct inv_report *);

const char	*inv_kind_name(enum inv_kind);
/* The kind called NAME (LEN bytes), or -1. */
int		 inv_kind_lookup(const char *name, unsigned long len);

#endif
