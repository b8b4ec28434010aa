/*
 * What changed since the invariant checker last looked (inv.h), so that
 * after each statement it checks what the statement touched instead of
 * the whole model.
 *
 * The structures record their own changed ranges (em.h, fei.h, alloc.h:
 * a `changed` interval map each).  This module keeps what no single
 * structure can:
 *
 *   refs	for every disk bytenr, how many file extent items of any
 *		inode point at it.  The items module (fei.h) adds and removes
 *		these as items come, go and split, whatever the data path does
 *		about the allocator; the checker compares them with the
 *		allocator's own reference counts.  An open-addressing table
 *		(linear probing, at most half full, deletion by backward
 *		shift), so a count is one probe sequence: O(1).
 *   bytenrs	the bytenrs whose count changed since the last look (in the
 *		order changed, repeats allowed).
 *   inodes	the inode numbers whose extent map cache or items were
 *		handed out since the last look (inode.h notes them).
 *
 * The data path never reads any of it, so none of it is a footprint
 * (foot.h): counts only add and subtract, and the lists are sets.
 *
 * Invariants (track_check): every key non-zero, at a slot its probe
 * sequence reaches without an empty slot between, counts non-zero, the
 * number of keys exact, the table at most half full.
 */
#ifndef SIM_TRACK_H
#define SIM_TRACK_H

#include <stddef.h>
#include <stdint.h>

struct track_slot {
	uint64_t	bytenr;		/* 0: empty */
	uint64_t	count;		/* items pointing at bytenr, > 0 */
};

struct track {
	struct track_slot *slot;
	size_t		 cap;		/* 0 or a power of two */
	size_t		 n;		/* keys in the table */
	uint64_t	*bytenr;	/* changed since the last look */
	size_t		 nbytenr, bytenrcap;
	uint32_t	*ino;		/* handed out since the last look */
	size_t		 nino, inocap;
};

/* An empty tracker (a zeroed struct is one too). */
void	track_init(struct track *);
void	track_destroy(struct track *);
/* DST (uninitialised) becomes a deep copy of SRC. */
void	track_clone(struct track *dst, const struct track *src);

/* One more (DELTA 1) or one fewer (DELTA -1) item points at BYTENR (> 0). */
void	track_ref(struct track *, uint64_t bytenr, int delta);
/* The items that point at BYTENR: O(1). */
uint64_t track_refs(const struct track *, uint64_t bytenr);
/* Inode INO's maps or items were handed out (the caller notes it once). */
void	track_inode(struct track *, uint32_t ino);
/* Forget the lists (not the counts): the checker has looked. */
void	track_settle(struct track *);

int	track_check(const struct track *, const char **why);

#endif
