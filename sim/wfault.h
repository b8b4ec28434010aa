/*
 * Write faults: what happens to the next writes that reach a copy
 * (blksim-scenario(5), FAULTS; DESIGN §6).  A read fault (fault.h) sits
 * on the sectors a copy holds now; a write fault is armed on the writes
 * still to come, and fires when a write bio reaches its copy:
 *
 *   WFAULT_ERROR	the bio fails (fail_make_request, dm-dust): nothing
 *			of it reaches the copy, and its caller sees -EIO
 *   WFAULT_LOST	the bio is acknowledged but the sectors in the
 *			fault's range never reach the copy (dm-flakey's
 *			drop_writes)
 *   WFAULT_TORN	only the first ARG bytes of each such sector do
 *   WFAULT_MISDIRECT	each such sector lands at ARG + i x sectorsize
 *			instead (i its index in the fault's range), over
 *			whatever lives there on that copy (TigerBeetle's
 *			storage simulator)
 *
 * A fault names a file range (INO > 0: file offsets; it follows that
 * range wherever copy-on-write puts its next writes) or a logical range
 * (INO 0: those addresses), on one copy.  LEFT counts the write bios it
 * still hits (each bio that meets the range uses one), WFAULT_EVERY for
 * every one.  Every write counts: writeback, the modern era's repair
 * write-backs and scrub's.  The sectors a fault keeps from their write
 * are marked stale on the copy (mirror.h), and a misdirected write's
 * victims misdirected, so that dump and the fault atlas can tell.
 *
 * Random write faults (`faults kinds=lost,torn,misdirect`): each sector
 * of each write bio is hit with probability NUM/DEN by one of KINDS,
 * drawn from the fs's fault stream.  SAFE never takes a sector's last
 * good copy: a sector is hit on copy k only while another copy holds it
 * intact (no corruption, no I/O error, not stale, online), and a
 * misdirect lands only on a written sector that keeps another good copy.
 *
 * Invariants (wfault_check): every fault has a copy of the device, a
 * kind, a non-empty range and LEFT > 0, and a torn fault keeps at least
 * one byte (the arming code, fault.c, keeps it below the sector size);
 * the random rate is off (NUM 0) or NUM < DEN with write kinds.
 */
#ifndef SIM_WFAULT_H
#define SIM_WFAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fs;
struct imap;

enum wfault_kind {
	WFAULT_ERROR,
	WFAULT_LOST,
	WFAULT_TORN,
	WFAULT_MISDIRECT,
	WFAULT_KINDS
};

#define WFAULT_EVERY	UINT64_MAX	/* LEFT: every write */

/* One armed write fault. */
struct wfault {
	enum wfault_kind kind;
	int		 copy;		/* 1-based */
	uint32_t	 ino;		/* file form; 0: logical form */
	uint64_t	 start, end;	/* file offsets or logical addresses */
	uint64_t	 left;		/* bios still to hit, or WFAULT_EVERY */
	uint64_t	 arg;		/* TORN: bytes kept; MISDIRECT: target */
};

/* The random write faults of the last `faults` statement with any. */
struct wfault_random {
	uint64_t	 num, den;	/* rate; NUM 0: off */
	unsigned	 kinds;		/* mask of 1 << WFAULT_* */
	bool		 safe;
};

/* Every write fault of a device (owned by struct dev). */
struct wfault_set {
	struct wfault	*v;
	size_t		 n, cap;
	struct wfault_random random;
};

void	wfault_init(struct wfault_set *);
void	wfault_destroy(struct wfault_set *);
void	wfault_clone(struct wfault_set *dst, const struct wfault_set *src);
/* Arm F (copied). */
void	wfault_add(struct wfault_set *, const struct wfault *f);
/* Every fault well formed for a device of COPIES copies.  0, or -1 with
   *WHY set. */
int	wfault_check(const struct wfault_set *, int copies, const char **why);

/*
 * A write bio reaching copy K: SRC's [s, t) (content by file offset for
 * writeback, by logical address for repair and scrub) to LOGICAL; INO
 * and FILE_OFF say whose bytes they are (INO 0: none known, as for a
 * scrub write-back: the owner is looked up).  KEEP_AUX masks each value's
 * aux (page-cache flags stripped).  The faults armed on it fire and the
 * rest is written (dev_write_from).  0, or -EIO if the copy is offline
 * or a WFAULT_ERROR failed the bio (nothing written then).
 */
int	wfault_write(struct fs *, int k, uint64_t logical,
	    const struct imap *src, uint64_t s, uint64_t t, uint32_t keep_aux,
	    uint32_t ino, uint64_t file_off);

#endif
