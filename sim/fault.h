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
 *		COUNT times or every time; they outlive writes unless
 *		CLEAR_ON_WRITE (dm-dust's bad blocks)
 *   write	a write fault (wfault.h) armed on the next writes of a file
 *		range, wherever copy-on-write puts them, or of a logical
 *		range, on copy k
 *   offline	every I/O to copy k fails until it is online again
 *   random	each written sector of each copy hit with probability
 *		NUM/DEN (`faults`), from the fs's PRNG; SAFE never leaves a
 *		sector without one good copy (TigerBeetle's fault atlas).
 *		The write kinds (lost, torn, misdirect) hit the writes that
 *		follow at the same rate (wfault.h); a later `faults` with
 *		write kinds replaces the rate
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

struct wfault;

#define FAULT_CORRUPT	0x1u
#define FAULT_IOERROR	0x2u
#define FAULT_LOST	0x4u	/* the write kinds of `faults` */
#define FAULT_TORN	0x8u
#define FAULT_MISDIRECT	0x10u

/* FILL < 0 flips a bit per sector; else every byte becomes FILL. */
int	fault_corrupt_file(struct fs *, uint32_t ino, uint64_t off,
	    uint64_t len, int mirror, int fill);
int	fault_corrupt_logical(struct fs *, uint64_t logical, uint64_t len,
	    int mirror, int fill);
/* COUNT 0: every time. */
int	fault_ioerror_file(struct fs *, uint32_t ino, uint64_t off,
	    uint64_t len, int mirror, uint64_t count, bool clear_on_write);
int	fault_ioerror_logical(struct fs *, uint64_t logical, uint64_t len,
	    int mirror, uint64_t count, bool clear_on_write);
/*
 * Arm write fault F (its kind, copy, left: 0 for every write, and arg)
 * on file INO's [off, off + len) or on a logical range; the range is
 * rounded out to sectors and filled in.  FS_EINVAL for a bad copy,
 * torn byte count or misdirect target.
 */
int	fault_write_file(struct fs *, uint32_t ino, uint64_t off,
	    uint64_t len, const struct wfault *f);
int	fault_write_logical(struct fs *, uint64_t logical, uint64_t len,
	    const struct wfault *f);
int	fault_set_online(struct fs *, int mirror, bool online);
/*
 * Random faults of KINDS (FAULT_*) at rate NUM/DEN per written sector and
 * copy.  FS_EINVAL past FS_MAX_FAULTS expected faults.
 */
int	fault_random(struct fs *, uint64_t num, uint64_t den, unsigned kinds,
	    bool safe);

#endif
