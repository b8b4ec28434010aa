/*
 * Footprints: what one step of a concurrent schedule reads or writes of
 * the model state its entities share.
 *
 * The explorer's partial-order reduction takes two steps as independent,
 * and runs only one order of them, when their footprints are disjoint.
 * Locks, events and queues record themselves (sched.h); this module names
 * everything else that tasks, end-io workers and device callbacks share:
 * an object is a kind and up to two integers.
 *
 *	FOOT_PAGES   ino	the page cache and its dirty map, the data
 *				oracle (the file's bytes and the unsure
 *				ranges), and the inode's page locks: which
 *				exist and who holds them
 *	FOOT_SIZE    ino	i_size
 *	FOOT_CSUMS   ino	the checksums recorded for the inode
 *	FOOT_FAILREC ino	its failure records (io_failure_tree)
 *	FOOT_META    ino	whether its btree blocks are cached
 *	FOOT_EM      ino	its extent map tree
 *	FOOT_READS   ino	the page reads in flight (their read windows)
 *	FOOT_ITEMS   ino	its file extent items and allocation hint
 *	FOOT_SECTOR  k, s	copy k's sector s: bytes and fault overlays (a
 *				read may use up an I/O error count)
 *	FOOT_RUN     k, r	copy k's run r of FOOT_FANOUT sectors
 *	FOOT_MIRROR  k		copy k as a whole
 *	FOOT_BIOS    k, e	the bio count of copy k as entity e added to it:
 *				additions commute; the default mirror choice
 *				reads every entity's
 *	FOOT_ALLOC		the allocator
 *	FOOT_CSUM_TREE		the checksums kept by logical address (the
 *				modern era's csum tree)
 *	FOOT_READ_BLOCKS	the sectors read so far (round-robin policy)
 *	FOOT_GEN		the fs's stream of generated content
 *	FOOT_BIOLIST		the list and count of bios (a bio's name is
 *				its number)
 *	FOOT_WHY		the detail of the last failure (fs_why)
 *	FOOT_WFAULT		the armed write faults (their counts) and the
 *				fault stream random write faults draw from
 *
 * A copy's sectors are named at three levels (sector, run, whole copy).
 * A read names each sector it reads at every level; a write names the
 * fewest units of the finest level that covers it in at most
 * FOOT_FANOUT + 1 names.  So a read and a write always share a name where
 * they overlap, and a large write stays cheap.
 *
 * Why the footprints are complete.  The shared state lives behind opaque
 * handles (struct fs in fs.c, struct fs_inode in inode.c, struct dev in
 * dev.c, struct conc in conc.c) whose layout only their own module sees.
 * Every function of those modules that reads or writes shared state
 * records its object before it returns; a function that hands out a
 * pointer into shared state (inode_pages(), fs_alloc(), ...) records the
 * object when it hands it out, and the pointer is borrowed only until the
 * step ends, that is until the caller's next blocking call.  The data
 * path has no other way in, so a step cannot touch shared state without
 * naming it: a missing declaration is impossible by construction.
 *
 * Not recorded, on purpose: the stat counters and the latent-defect
 * flags, which tasks only add to and which are read after the block, so
 * the order of additions does not matter; the trace, whose order does
 * differ between equivalent schedules but which is read only from the
 * schedule the scenario goes on from, the same run with or without the
 * reduction; a copy's online flag, which no task changes; and the fs
 * configuration, which never changes.
 */
#ifndef SIM_FOOT_H
#define SIM_FOOT_H

#include <stdint.h>

#include "fs.h"

enum foot_obj {
	FOOT_PAGES,
	FOOT_SIZE,
	FOOT_CSUMS,
	FOOT_FAILREC,
	FOOT_META,
	FOOT_EM,
	FOOT_READS,
	FOOT_ITEMS,
	FOOT_SECTOR,
	FOOT_RUN,
	FOOT_MIRROR,
	FOOT_BIOS,
	FOOT_ALLOC,
	FOOT_CSUM_TREE,
	FOOT_READ_BLOCKS,
	FOOT_GEN,
	FOOT_BIOLIST,
	FOOT_WHY,
	FOOT_WFAULT,
	FOOT_OBJ_COUNT
};

/* Sectors per run, the middle level of a copy's names. */
#define FOOT_FANOUT	64

/*
 * The calls below are no-ops unless the fs runs under a scheduler, which
 * they test inline (the data path makes a dozen of them a page): the
 * _sched functions are their bodies.
 */
void	foot_touch_sched(const struct fs *, enum foot_obj, uint32_t,
	    uint64_t);
void	foot_read_sched(const struct fs *, int, uint64_t, uint64_t);
void	foot_write_sched(const struct fs *, int, uint64_t, uint64_t);
void	foot_bios_read_sched(const struct fs *, int);
void	foot_bios_add_sched(const struct fs *, int);

/*
 * The running step touches object OBJ (A, B as the table above says; 0
 * where unused).
 */
static inline void
foot_touch(const struct fs *fs, enum foot_obj obj, uint32_t a, uint64_t b)
{
	if (fs_conc(fs) != NULL)
		foot_touch_sched(fs, obj, a, b);
}

/* The running step reads copy K's sectors of logical [start, end). */
static inline void
foot_read(const struct fs *fs, int k, uint64_t start, uint64_t end)
{
	if (fs_conc(fs) != NULL)
		foot_read_sched(fs, k, start, end);
}

/* The running step writes copy K's sectors of logical [start, end). */
static inline void
foot_write(const struct fs *fs, int k, uint64_t start, uint64_t end)
{
	if (fs_conc(fs) != NULL)
		foot_write_sched(fs, k, start, end);
}

/* The running step reads copy K's bio count: every entity's share. */
static inline void
foot_bios_read(const struct fs *fs, int k)
{
	if (fs_conc(fs) != NULL)
		foot_bios_read_sched(fs, k);
}

/* The running step adds to copy K's bio count. */
static inline void
foot_bios_add(const struct fs *fs, int k)
{
	if (fs_conc(fs) != NULL)
		foot_bios_add_sched(fs, k);
}

#endif
