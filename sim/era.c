/*
 * The eras and their operation tables (era.h).
 */
#include <errno.h>
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

/*
 * Where the 2008 model takes a lock or waits, and the function of the
 * 2008 code that did: the reader's lock_page() in do_generic_file_read,
 * btrfs_get_extent and btrfs_readpage_io_hook under fs_mutex, the
 * retry's lookups in btrfs_io_failed_hook, the write's prepare_pages
 * and dirty_and_release_pages, run_delalloc_range's fs_mutex, the
 * truncate's vmtruncate, and the end-io workqueue's end_workqueue_fn.
 */
static const struct era_site sites_2008[] = {
	{ "endio_worker", "end_workqueue_fn" },
	{ "extent2008_drop", "btrfs_drop_extent_cache" },
	{ "extent2008_get", "btrfs_get_extent" },
	{ "fill_hole", "btrfs_setattr" },
	{ "file_write", "dirty_and_release_pages" },
	{ "lock_pages", "prepare_pages" },
	{ "lookup_by_get_extent", "btrfs_get_extent" },
	{ "lookup_in_cache", "btrfs_io_failed_hook" },
	{ "map_page", "btrfs_get_extent" },
	{ "meta_read", "read_tree_block" },
	{ "op_write", "btrfs_file_write" },
	{ "read2008_read", "do_generic_file_read" },
	{ "readpage_io_hook", "btrfs_readpage_io_hook" },
	{ "truncate2008_truncate", "do_truncate" },
	{ "truncate_down", "vmtruncate" },
	{ "truncate_page", "btrfs_truncate_page" },
	{ "wait_page_read", "wait_on_page_locked" },
	{ "writeback2008_inode", "run_delalloc_range" },
};

/*
 * The same for the Linux 6.x model: the inode lock of
 * btrfs_buffered_write and do_truncate, the folio locks of filemap_read,
 * readahead and prepare_uptodate_folio, the ordered extents of
 * btrfs_lock_and_flush_ordered_range and the writeback, the extent map
 * tree's lock, direct reads waiting in iomap_dio_rw, and the end-io
 * work of btrfs_end_bio_work.
 */
static const struct era_site sites_modern[] = {
	{ "batch_map", "btrfs_lock_and_flush_ordered_range" },
	{ "buffered_page", "filemap_read" },
	{ "direct_read", "iomap_dio_rw" },
	{ "endio_worker", "btrfs_end_bio_work" },
	{ "extent6_drop", "btrfs_drop_extent_map_range" },
	{ "extent6_get", "btrfs_get_extent" },
	{ "extent6_replace", "btrfs_replace_extent_map_range" },
	{ "extent6_unpin", "unpin_extent_cache" },
	{ "lock_pages", "prepare_pages" },
	{ "meta_read", "read_tree_block" },
	{ "op_write", "btrfs_buffered_write" },
	{ "read6_prepare_page", "prepare_uptodate_folio" },
	{ "readahead", "btrfs_readahead" },
	{ "truncate6_truncate", "do_truncate" },
	{ "truncate_down", "btrfs_setsize" },
	{ "write6_writeback_range", "btrfs_run_delalloc_range" },
	{ "write6_zero_tail", "btrfs_truncate_block" },
	{ "write_wait", "submit_bio_wait" },
};

static const struct era_ops eras[ERA_COUNT] = {
	[ERA_2008] = {
		.name = "2008",
		.summary = "btrfs as of commit 3b951516 (the data-retry fix)",
		.locks = locks_2008,
		.nlocks = sizeof(locks_2008) / sizeof(locks_2008[0]),
		/* 2008's reader holds its page until its completion. */
		.page_lock_kind = SCHED_MUTEX,
		.sites = sites_2008,
		.nsites = sizeof(sites_2008) / sizeof(sites_2008[0]),
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
		.sites = sites_modern,
		.nsites = sizeof(sites_modern) / sizeof(sites_modern[0]),
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

/* FN's kernel function in ERA's site table: a linear search, since it
 * runs for reports only. */
const char *
era_kernel_fn(const struct era_ops *era, const char *fn)
{
	if (fn == NULL)
		return NULL;
	for (size_t i = 0; i < era->nsites; i++)
		if (strcmp(era->sites[i].fn, fn) == 0)
			return era->sites[i].kernel_fn;
	return NULL;
}

/* The site table's rules (era.h), for the unit tests. */
int
era_sites_check(const struct era_ops *era, const char **why)
{
	for (size_t i = 0; i < era->nsites; i++) {
		if (era->sites[i].fn == NULL || era->sites[i].kernel_fn ==
		    NULL || era->sites[i].kernel_fn[0] == '\0') {
			*why = "a site without its model or kernel function";
			return -EINVAL;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(era->sites[j].fn, era->sites[i].fn) == 0) {
				*why = "a model function listed twice";
				return -EINVAL;
			}
	}
	return 0;
}
