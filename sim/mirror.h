/*
 * One mirror (copy) of the RAID1-like data device.
 *
 * Mirror k holds a copy of every logical data byte.  Storage is lazy:
 * `content` maps logical ranges to content values (content.h) as writes
 * left them, and a range with no entry reads as zeros.  Faults are
 * overlays on sectors, kept apart from the content:
 *
 *   corrupt	a corruption: CONTENT_FLIP (one bit per sector) or a fill
 *		byte (aux) that replaces the bytes; it stays until the sector
 *		is rewritten.
 *   ioerr	reads of the sector fail with an I/O error; v.a is the number
 *		of failures left (MIRROR_IOERR_FOREVER for every time).  It
 *		outlives writes (a bad block the drive never remaps), unless
 *		v.aux has MIRROR_IOERR_CLEAR: then a write of the sector
 *		clears it, as dm-dust's bad-block list does.
 *   stale	the sector does not hold what the fs last wrote there: a
 *		write fault (wfault.h) left the old bytes (MIRROR_STALE), or
 *		a misdirected write landed on it (MIRROR_MISDIRECTED).  Not
 *		a fault of its own: the bytes are the truth, this says why
 *		they are wrong, for dump and for the fault atlas (safe=).
 *
 * An offline mirror fails every I/O.  `bios` counts the data bios
 * submitted to this mirror (reads, retries and writes), which is what the
 * default mirror choice of 2008's btrfs_map_block (the device with the
 * fewest total_ios) looks at.
 */
#ifndef SIM_MIRROR_H
#define SIM_MIRROR_H

#include <stdbool.h>
#include <stdint.h>

#include "imap.h"

#define MIRROR_IOERR_FOREVER	UINT64_MAX

#define MIRROR_CORRUPT_FLIP	3u	/* imap kinds of the corrupt overlay */
#define MIRROR_CORRUPT_FILL	4u
#define MIRROR_IOERR		5u
#define MIRROR_STALE		6u	/* imap kinds of the stale map */
#define MIRROR_MISDIRECTED	7u

#define MIRROR_IOERR_CLEAR	0x1u	/* ioerr aux: a write clears it */

struct mirror {
	struct imap	content;	/* logical -> content value */
	struct imap	corrupt;	/* logical -> corruption overlay */
	struct imap	ioerr;		/* logical -> failures left */
	struct imap	stale;		/* logical -> why the bytes are old */
	bool		online;
	uint64_t	bios;		/* data bios submitted */
};

void	mirror_init(struct mirror *);
void	mirror_destroy(struct mirror *);
void	mirror_clone(struct mirror *dst, const struct mirror *src);

/*
 * Write value V over logical [start, end): the content is replaced, the
 * corruption and staleness cleared, and the I/O errors marked
 * MIRROR_IOERR_CLEAR.  The caller checks `online`.
 */
void	mirror_write(struct mirror *, uint64_t start, uint64_t end,
	    const struct imap_val *v);

/*
 * Read logical [start, start + len) for a data bio: -EIO if the mirror is
 * offline or any sector has an I/O error left (each such sector's count
 * is consumed); otherwise 0 and the bytes, overlays applied, in BUF
 * (unless BUF is NULL: the status alone, nothing materialized).
 */
int	mirror_read(struct mirror *, uint64_t start, uint64_t len,
	    uint32_t sectorsize, uint8_t *buf);
/*
 * mirror_read(), telling also what the bytes are when one value describes
 * the whole range as read (overlays applied, and the very value
 * mirror_describe() emits for it): then *DESC is that value and *ONE true, BUF is left alone,
 * and the bytes are what DESC materializes at a sector boundary (its
 * flipped bits, if any, where a sector starts).  Otherwise *ONE is false
 * and the bytes are in BUF.
 */
int	mirror_read_desc(struct mirror *, uint64_t start, uint64_t len,
	    uint32_t sectorsize, uint8_t *buf, struct imap_val *desc,
	    bool *one);

/*
 * The content of [start, end) as the mirror would hand it up, overlays
 * applied, as values appended by EMIT (used to fill the page cache).
 */
void	mirror_describe(const struct mirror *, uint64_t start, uint64_t end,
	    void (*emit)(void *arg, uint64_t start, uint64_t end,
	    const struct imap_val *v), void *arg);

/* Corrupt logical [start, end): FILL < 0 flips a bit per sector. */
void	mirror_corrupt(struct mirror *, uint64_t start, uint64_t end,
	    int fill);
/* Make reads of [start, end) fail COUNT times (MIRROR_IOERR_FOREVER);
   a write clears them if CLEAR_ON_WRITE. */
void	mirror_ioerror(struct mirror *, uint64_t start, uint64_t end,
	    uint64_t count, bool clear_on_write);
/* Mark [start, end) stale for WHY (MIRROR_STALE, MIRROR_MISDIRECTED). */
void	mirror_stale(struct mirror *, uint64_t start, uint64_t end,
	    uint32_t why);

/* Verify the four maps (imap_check) and their kinds. */
int	mirror_check(const struct mirror *, const char **why);
/* A hash of the content, the overlays, the flag and the count. */
uint64_t mirror_hash(const struct mirror *);

#endif
