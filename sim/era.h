/*
 * Eras: which kernel's data path the model runs.
 *
 * The shared modules (device, content, checksums, allocator, file extent
 * items, page cache, scheduler, faults) are the same in every era; what
 * differs is reached through one table of operations per era, the way
 * 2008 btrfs plugged its read hooks into the generic extent_io code
 * through `extent_io_ops`: the file operations, the extent map cache's
 * lookup, insert and drop, the read completion and retry hooks, the lock
 * set, and what the fuzzer's oracle asks of the state.  No shared module
 * asks which era it runs in.
 *
 * Two eras: `2008`, the code of commit 3b951516 with its quirks, and
 * `modern`, the Linux 6.x data path (per-sector read repair, device
 * error counters, read policies, scrub) with the read-repair regressions
 * of 2017-2023 as quirks.  Each entry names the kernel function it
 * models.  An era whose operations complete through the end-io workers
 * (SCHEDULED) runs each operation outside a concurrent block as the one
 * task of a world of its own (conc_run_alone()), so that it has one code
 * path; the 2008 era runs them inline, its blocking points as calls.
 */
#ifndef SIM_ERA_H
#define SIM_ERA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conc.h"

struct em_map;
struct fs;
struct fs_bio;
struct fs_inode;
struct imap_val;
struct fs_read_opts;
struct fs_read_result;
struct fs_scrub_stats;

/*
 * A site of the model (conc.h, Sites) and the kernel function it stands
 * for: FN is a model function that takes a lock or waits, as its
 * __func__ spells it; KERNEL_FN the function of the era's kernel that
 * does it, for the deadlock and lock-order reports.
 */
struct era_site {
	const char	*fn;
	const char	*kernel_fn;
};

enum era_id {
	ERA_2008,
	ERA_MODERN,
	ERA_COUNT
};

struct era_ops {
	const char	*name;		/* `era NAME` */
	const char	*summary;	/* one line for `blksim quirks` */

	/* The lock set: conc_new() makes these, in this order; and the
	 * kind of the page locks. */
	const struct conc_lock_class *locks;
	size_t		 nlocks;
	enum sched_lock_kind page_lock_kind;
	bool		 scheduled;	/* every operation on the scheduler */
	/* The kernel function of each model function that takes a lock
	 * or waits, the shared modules' included. */
	const struct era_site *sites;
	size_t		 nsites;

	/*
	 * The file operations.  WRITE is write(2) without its writeback,
	 * called under the inode lock (fs_write takes it, then writes the
	 * inode back unless nosync); WRITEBACK writes back one inode's
	 * dirty pages, SYNC every inode's.
	 */
	int	(*write)(struct fs *, struct fs_inode *, uint64_t off,
		    uint64_t len, int fill, unsigned flags);
	int	(*writeback)(struct fs *, struct fs_inode *);
	int	(*sync)(struct fs *);
	int	(*read)(struct fs *, struct fs_inode *,
		    const struct fs_read_opts *, struct fs_read_result *);
	int	(*truncate)(struct fs *, struct fs_inode *, uint64_t size);

	/*
	 * The extent map cache: btrfs_get_extent (*OUT borrowed from the
	 * cache; on an error, -EIO or 2008's -EEXIST of a merge that
	 * collided again, *WHY gets FS_EIO_* causes) and
	 * btrfs_drop_extent_cache (END inclusive, (u64)-1 to EOF).
	 */
	int	(*get_extent)(struct fs *, struct fs_inode *, uint64_t start,
		    uint64_t len, bool on_worker, struct em_map **out,
		    unsigned *why);
	int	(*drop_extent_cache)(struct fs *, struct fs_inode *,
		    uint64_t start, uint64_t end);

	/*
	 * The end-io work of a data read bio, on an end-io worker:
	 * end_bio_extent_readpage with the hooks below (2008), or
	 * btrfs_check_read_bio with its repair (modern).
	 */
	void	(*read_end_io)(struct fs *, struct conc_bio *);
	/*
	 * The data-read hooks of 2008's extent_io_ops (NULL in the modern
	 * era, whose repair is bio.c's): verify a page that a bio handed up
	 * (readpage_end_io_hook: 0, or -EIO; *ZEROIT when the page was
	 * filled; DESC, or NULL, the one content value its bytes are, which
	 * spares recomputing the expected checksum), and decide the retry
	 * of a failed one
	 * (readpage_io_failed_hook: the mirror to retry and its *LOGICAL,
	 * or a negative status).
	 */
	int	(*readpage_end_io_hook)(struct fs *, struct fs_inode *,
		    uint64_t p, int mirror, const uint8_t *buf,
		    const struct imap_val *desc, bool *zeroit);
	int	(*readpage_io_failed_hook)(struct fs *, struct fs_bio *,
		    uint64_t *logical);

	/* The fuzzer's oracle (fs_good_copy, fs_writeback_bound). */
	bool	(*good_copy)(struct fs *, struct fs_inode *, uint64_t off,
		    uint64_t len);
	uint64_t (*writeback_bound)(struct fs *, uint64_t more);

	/* A scrub of every device (DEVID 0) or one (fs_scrub); NULL: none. */
	int	(*scrub)(struct fs *, int devid, bool readonly,
		    struct fs_scrub_stats *);
};

/* The table of era ID. */
const struct era_ops *era_ops(enum era_id id);
/* The era called NAME (LEN bytes), or -1. */
int		 era_lookup(const char *name, size_t len);
/* The kernel function that model function FN stands for in ERA, or
 * NULL (FN NULL, or missing from the table). */
const char	*era_kernel_fn(const struct era_ops *, const char *fn);
/* ERA's site table: each entry whole, no model function twice.  0, or
 * -EINVAL with *WHY set. */
int		 era_sites_check(const struct era_ops *, const char **why);

#endif
