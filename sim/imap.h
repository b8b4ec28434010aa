/*
 * Interval maps: an ordered set of disjoint, non-empty half-open byte
 * ranges [start, end), each carrying a small value.  They are the storage
 * of everything in the model that is "per byte range": a mirror's content,
 * its fault overlays, a file's contents, the page cache, recorded
 * checksums.  Memory and time grow with the number of distinct runs, never
 * with the number of bytes they cover.
 *
 * A value describes the byte at the range's start.  Values whose kind has
 * IMAP_SHIFT set are positional: the value at start + d has b + d (a
 * generator offset, a block address), so splitting a range advances b for
 * the tail, and two adjacent ranges merge when the second continues the
 * first (same a, kind, aux; b2 == b1 + len1).  Values without IMAP_SHIFT
 * merge when equal.  imap_set() keeps the map maximally merged: no two
 * adjacent entries are mergeable (an invariant imap_check() verifies).
 *
 * Positions are uint64_t bytes; ranges never wrap (start < end), so the
 * byte at (u64)-1 cannot be covered.
 */
#ifndef SIM_IMAP_H
#define SIM_IMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bsd/sys/tree.h>

#define IMAP_SHIFT	0x80000000u	/* kind flag: b is positional */

struct imap_val {
	uint64_t	a;		/* identity (stream id, count, ...) */
	uint64_t	b;		/* offset; advances if IMAP_SHIFT */
	uint32_t	kind;		/* user kind, optionally | IMAP_SHIFT */
	uint32_t	aux;		/* extra tag (fill byte, flags) */
};

struct imap_ent {
	RB_ENTRY(imap_ent) node;
	uint64_t	start;
	uint64_t	end;		/* exclusive; start < end */
	struct imap_val	v;		/* value at start */
};

RB_HEAD(imap_rb, imap_ent);

struct imap {
	struct imap_rb	root;
	size_t		count;		/* number of entries */
	uint64_t	bytes;		/* bytes covered by the entries */
};

void	imap_init(struct imap *);
/* Free every entry; the map is empty (and reusable) afterwards. */
void	imap_destroy(struct imap *);
/* Make DST (uninitialised) a deep copy of SRC. */
void	imap_clone(struct imap *dst, const struct imap *src);

/*
 * Give [start, end) the value V (the value at start), replacing whatever
 * was there: entries are trimmed or split around the range and the result
 * merged with mergeable neighbours.  start < end.
 */
void	imap_set(struct imap *, uint64_t start, uint64_t end,
	    const struct imap_val *v);
/* Remove [start, end) from the map, trimming or splitting entries. */
void	imap_clear(struct imap *, uint64_t start, uint64_t end);

/* The entry containing POS, or NULL.  Borrowed until the map changes. */
const struct imap_ent *imap_find(const struct imap *, uint64_t pos);
/* The first entry with end > POS (containing POS or after it), or NULL. */
const struct imap_ent *imap_first_from(const struct imap *, uint64_t pos);
const struct imap_ent *imap_first(const struct imap *);
const struct imap_ent *imap_next(const struct imap *, const struct imap_ent *);

/* The value of entry E at position POS (E->start <= POS < E->end). */
struct imap_val imap_val_at(const struct imap_ent *, uint64_t pos);
/* True if the value after a run of LEN bytes of A continues into B. */
bool	imap_val_continues(const struct imap_val *a, uint64_t len,
	    const struct imap_val *b);
/* Bytes of [start, end) covered by entries. */
uint64_t imap_covered(const struct imap *, uint64_t start, uint64_t end);
/* Bytes covered by all the entries, kept as they change: O(1). */
uint64_t imap_bytes(const struct imap *);

/* A hash of the entries (start, end, value), in order: equal maps,
 * equal hashes (state hashes, sched.h). */
uint64_t imap_hash(const struct imap *);

/*
 * Walk the map and verify its invariants: entries non-empty, sorted,
 * disjoint, maximally merged, count and bytes exact.  Returns 0, or -1 with a
 * description of the first broken invariant in WHY (may be NULL).
 */
int	imap_check(const struct imap *, const char **why);

#endif
