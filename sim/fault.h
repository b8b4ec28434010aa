/*
 * Faults: overlays on the copies of the data device (dev.h, mirror.h),
 * placed by the fault statements of a scenario between operations.
 *
 *   corrupt	the sectors backing a file range now (resolved through the
 *		file extent items when the statement runs), or a logical
 *		range, on copy k: one bit flipped per sector, or every byte
 *		replaced by a fill byte; it stays until the sector is
 *		rewritten
 *   ioerror	reads of those sectors from copy k fail with an I/O error,
 *		COUNT times or every time
 *   offline	every I/O to copy k fails until it is online again
 *   random	each written sector of each copy hit with probability
 *		NUM/DEN (`faults`), from the fs's PRNG; SAFE never leaves a
 *		sector without one good copy (TigerBeetle's fault atlas)
 *
 * Ranges are rounded out to whole sectors.  A range that is not written
 * data (a hole, unwritten space, outside the data area) is FS_EINVAL
 * with fs_why() saying so, and changes nothing.
 */
#ifndef SIM_FAULT_H
#define SIM_FAULT_H

#include <stdbool.h>
#include <stdint.h>

struct fs;

#define FAULT_CORRUPT	0x1u
#define FAULT_IOERROR	0x2u

/* FILL < 0 flips a bit per sector; else every byte becomes FILL. */
int	fault_corrupt_file(struct fs *, uint32_t ino, uint64_t off,
	    uint64_t len, int mirror, int fill);
int	fault_corrupt_logical(struct fs *, uint64_t logical, uint64_t len,
	    int mirror, int fill);
/* COUNT 0: every time. */
int	fault_ioerror_file(struct fs *, uint32_t ino, uint64_t off,
	    uint64_t len, int mirror, uint64_t count);
int	fault_set_online(struct fs *, int mirror, bool online);
/*
 * Random faults of KINDS (FAULT_*) at rate NUM/DEN per written sector and
 * copy.  FS_EINVAL past FS_MAX_FAULTS expected faults.
 */
int	fault_random(struct fs *, uint64_t num, uint64_t den, unsigned kinds,
	    bool safe);

#endif
