/*
 * The eras and their operation tables (era.h).
 */
#include <string.h>

#include "era.h"
#include "extent2008.h"
#include "extent6.h"
#include "read2008.h"
#include "read6.h"
#include "repair6.h"
#include "retry2008.h"
#include "scrub6.h"
#include "truncate2008.h"
#include "truncate6.h"
#include "write2008.h"
#include "write6.h"
#include "writeback2008.h"

/*
 * The 2008 lock set: fs_mutex (a sleeping mutex around every btree
 * section), each inode's extent map tree spinlock (never held across a
 * block), and each inode's i_mutex, which the VFS takes around write(2)
 * and truncate so that the two never interleave on one file (reads and
 * writeback do not take it).  Page locks are the glue's own (conc.h).
 */
static const struct conc_lock_class locks_2008[] = {
	{ CONC_FS_MUTEX, "fs_mutex", SCHED_MUTEX, false },
	{ CONC_EM_LOCK, "em_tree->lock", SCHED_SPINLOCK, true },
	{ CONC_I_MUTEX, "i_mutex", SCHED_MUTEX, true },
};

/*
 * The Linux 6.x lock set: no fs_mutex; each inode's lock around write
 * and truncate (i_rwsem), its extent map tree's lock (never held across
 * a block), and its ordered extents, which a truncate waits for while a
 * writeback holds them (btrfs_wait_ordered_range).  Page locks are bit
 * locks, taken by the reader and dropped by the bio's completion.
 */
static const struct conc_lock_class locks_modern[] = {
	{ CONC_EM_LOCK, "extent_map_tree lock", SCHED_SPINLOCK, true },
	{ CONC_I_MUTEX, "i_rwsem", SCHED_MUTEX, true },
	{ CONC_ORDERED, "ordered extents", SCHED_MUTEX, true },
};

static const struct era_ops eras[ERA_COUNT] = {
	[ERA_2008] = {
		.name = "2008",
		.summary = "btrfs as of commit 3b951516 (the data-retry fix)",
		.locks = locks_2008,
		.nlocks = sizeof(locks_2008) / sizeof(locks_2008[0]),
		/* 2008's reader holds its page until its completion. */
		.page_lock_kind = SCHED_MUTEX,
		.write = write2008_write,
		.writeback = writeback2008_inode,
		.sync = writeback2008_sync,
		.read = read2008_read,
		.truncate = truncate2008_truncate,
		.get_extent = extent2008_get,
		.drop_extent_cache = extent2008_drop,
		.read_end_io = read2008_end_io,
		.readpage_end_io_hook = retry2008_end_io_hook,
		.readpage_io_failed_hook = retry2008_io_failed_hook,
		.good_copy = read2008_good_copy,
		.writeback_bound = writeback2008_bound,
	},
	[ERA_MODERN] = {
		.name = "modern",
		.summary = "Linux 6.x: per-sector read repair, device counters, "
		    "scrub",
		.locks = locks_modern,
		.nlocks = sizeof(locks_modern) / sizeof(locks_modern[0]),
		.page_lock_kind = SCHED_BITLOCK,
		.scheduled = true,
		.write = write6_write,
		.writeback = write6_writeback,
		.sync = write6_sync,
		.read = read6_read,
		.truncate = truncate6_truncate,
		.get_extent = extent6_get,
		.drop_extent_cache = extent6_drop,
		.read_end_io = repair6_end_io,
		.good_copy = read6_good_copy,
		.writeback_bound = write6_bound,
		.scrub = scrub6_scrub,
	},
};

const struct era_ops *
era_ops(enum era_id id)
{
	return &eras[id];
}

int
era_lookup(const char *name, size_t len)
{
	for (int i = 0; i < ERA_COUNT; i++)
		if (strlen(eras[i].name) == len &&
		    memcmp(eras[i].name, name, len) == 0)
			return i;
	return -1;
}
