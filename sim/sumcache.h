/*
 * The checksums of content values, remembered.
 *
 * The checksum of a sector's bytes, when one content value (content.h)
 * describes them all, is a function of that value alone (its kind,
 * stream, position and fill byte or flip flag), the sector size and the
 * algorithm.  The read path asks here for the checksum of what a copy
 * handed up and of what was recorded, so that each is materialized once
 * per value, not once per bio: a sector read twice from a bad copy, or
 * read back from the good one after the recorded value's sum was derived,
 * costs no bytes.
 *
 * Deriving: CRC-32C and CRC-32 are affine over GF(2), so for messages of
 * one length crc(m ^ e) = crc(m) ^ crc(e) ^ crc(0).  A value and the same
 * value with the sector's first bit flipped (a flip overlay,
 * CONTENT_FLIP) therefore have sums that differ by the constant
 * sumcache_flip_delta(), and one gives the other without bytes.
 *
 * An fs and its clones (the schedules of a concurrent block) share one
 * cache, which counts its holders; they run on one thread.
 *
 * A direct-mapped table of SUMCACHE_SLOTS slots, each holding the last
 * value that hashed to it with its checksum.  It is not model state: an
 * fs's copy starts with an empty one, and a miss only costs the
 * computation.  Invariant (sumcache_check): every filled slot's checksum
 * is the checksum of its value's bytes, and every flip delta is the two
 * checksums' difference.
 */
#ifndef SIM_SUMCACHE_H
#define SIM_SUMCACHE_H

#include <stdint.h>

#include "csum.h"
#include "imap.h"

#define SUMCACHE_SLOTS	256

struct sumcache;

/* An empty cache, held once; sumcache_free drops a hold (NULL is fine). */
struct sumcache	*sumcache_new(void);
void		 sumcache_free(struct sumcache *);
/* One more holder of C; returns C. */
struct sumcache	*sumcache_hold(struct sumcache *c);

/*
 * The ALGO checksum of the SECTORSIZE bytes that content value V
 * describes at a sector boundary: from the cache, or computed and kept.
 */
uint32_t	 sumcache_get(struct sumcache *, const struct imap_val *v,
		    uint32_t sectorsize, enum csum_algo algo);
/* Keep SUM as the checksum of V (derived by the caller). */
void		 sumcache_put(struct sumcache *, const struct imap_val *v,
		    uint32_t sectorsize, enum csum_algo algo, uint32_t sum);
/*
 * crc(e) ^ crc(0) for the SECTORSIZE-byte message e whose only set bit is
 * the first byte's lowest: what flipping that bit does to a sector's sum.
 */
uint32_t	 sumcache_flip_delta(struct sumcache *, uint32_t sectorsize,
		    enum csum_algo algo);

/* Recompute every filled slot: 0, or -1 with *WHY set. */
int		 sumcache_check(const struct sumcache *, const char **why);

#endif
