/*
 * The filesystem: the 2008 btrfs data path on a RAID1-like device.
 *
 * An fs owns the allocator, the mirrors and the inodes.  Each inode has
 * its file extent items (the on-disk truth), its extent map cache, its page
 * cache, its recorded checksums, its failure records and the oracle of what
 * the file holds.  Operations follow the 2008 functions they model (named
 * at each), with every quirk of quirk.h as a switch in fs->cfg.quirks.
 *
 * Units are bytes (uint64_t); the page size is the sector size.  Logical
 * data addresses start at FS_DATA_BASE (1 MiB), because disk_bytenr 0
 * means "hole".  Operations return 0 or a negative status: -EIO, -ENOSPC,
 * FS_EOOPS (a simulated kernel crash: fs->oops says where and why, and the
 * fs accepts no more operations), FS_EDEADLK (the operation can never
 * finish: a sequential self-deadlock, see fs_read), or FS_EINVAL for a
 * request that the model's state makes invalid (fs->why says why).
 *
 * Memory and time grow with the number of extents, runs, faults and
 * operations, never with the number of simulated bytes, except that each
 * page read from a device is materialized once to verify its checksum.
 */
#ifndef SIM_FS_H
#define SIM_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "content.h"
#include "csum.h"
#include "em.h"
#include "fei.h"
#include "imap.h"
#include "mirror.h"
#include "rng.h"
#include "stat.h"
#include "trace.h"

#define FS_DATA_BASE	(1ULL << 20)
#define FS_MAX_MIRRORS	4

#define FS_EOOPS	(-1000)		/* simulated kernel crash */
#define FS_EDEADLK	(-1001)		/* the operation can never finish */
#define FS_EINVAL	(-1002)		/* invalid for the model's state */

/*
 * Work limits of one operation, so that none runs for hours or exhausts
 * memory: past one, the operation fails with FS_EINVAL before it changes
 * anything (fs->why names the limit), except that an allocation loop
 * that reaches FS_MAX_ALLOCS stops there.  blksim-scenario(5), LIMITS.
 */
#define FS_MAX_READ_PAGES	(1u << 20)	/* pages one read covers */
#define FS_MAX_ALLOCS		(1u << 20)	/* one delalloc range's */
#define FS_MAX_FAULTS		(1u << 20)	/* a faults call's expected */
#define FS_MAX_LOCKED_PAGES	(1u << 12)	/* a write's, in a block */

struct fs_config {
	uint32_t	sectorsize;	/* 512..64K, power of two */
	uint32_t	mirrors;	/* 1..FS_MAX_MIRRORS */
	uint64_t	size;		/* data capacity in bytes */
	uint64_t	max_extent;	/* largest allocation; UINT64_MAX: none */
	uint64_t	alloc_align;	/* allocation unit (>= sectorsize) */
	uint32_t	workers;	/* end-io worker threads */
	enum csum_algo	csum;
	unsigned	quirks;		/* mask of enum quirk_id */
	uint64_t	seed;		/* for `faults` */
	bool		trace_all;	/* keep every trace event */
};

struct fs_inode {
	uint32_t	ino;		/* 1-based */
	bool		nodatasum;	/* never checksummed or verified */
	uint64_t	i_size;
	struct fei_tree	items;		/* file extent items */
	struct em_tree	em;		/* extent map cache */
	struct imap	pages;		/* page cache: content | DIRTY, NOCSUM */
	struct imap	dirty;		/* where pages carry DIRTY (no values) */
	struct imap	csums;		/* per sector: the content checksummed */
	struct imap	data;		/* oracle: what the file holds */
	struct imap	failrec;	/* io_failure_tree: a logical, b last_mirror */
	struct imap	unsure;		/* oracle: bytes it cannot vouch for
					   (0x01 pages, over-allocation) */
	bool		meta_cached;	/* btree blocks of this inode in memory */
	uint64_t	alloc_hint;	/* end of its last allocated extent */
};

struct fs {
	struct fs_config cfg;
	struct alloc	alloc;
	struct mirror	mirror[FS_MAX_MIRRORS];
	struct fs_inode	**inodes;
	size_t		ninodes;
	struct stat_counters stats;
	struct trace	trace;
	uint32_t	line;		/* scenario line, stamped on events */
	struct content_stream gen;	/* where generated writes draw from */
	struct rng	rng;		/* fault placement */
	bool		crashed;	/* an oops happened */
	unsigned	latent;		/* FS_LATENT_* seen so far */
	unsigned	enospc;		/* why the last -ENOSPC: FS_ENOSPC_* */
	char		oops[160];	/* where and why */
	char		why[160];	/* detail of the last FS_EINVAL */
	struct fs_conc	*conc;		/* scheduler state (fs_attach), or NULL */
};

/* What a read did, for `expect` keys. */
struct fs_read_result {
	uint64_t	bytes;		/* bytes returned (0 past EOF) */
	uint64_t	device_pages;	/* pages read from a device */
	unsigned	served;		/* mask: bit k-1 if mirror k served a page */
	uint64_t	retries;	/* retry bios issued */
	unsigned	lookups;	/* mask: 1 cache, 2 get_extent (retries) */
	bool		intact;		/* returned bytes == file contents */
	int		uniform;	/* the byte every returned byte equals, or -1 */
	unsigned	eio;		/* FS_EIO_* causes, when it failed */
	uint64_t	wrong_pages;	/* returned pages of checksummed
					   sectors whose bytes are not the
					   file's (WANT_DATA only) */
};

/*
 * Why a page of a read failed (fs_read_result.eio), for an oracle that
 * tells modelled failures from anomalies (blksim fuzz).  Which of them a
 * given 2008 build can produce depends on the quirks.
 */
#define FS_EIO_NO_GOOD_MIRROR	0x01u	/* every copy tried failed: an I/O
					   error or a checksum mismatch */
#define FS_EIO_RETRY_DROPPED	0x02u	/* the retry's cache lookup missed,
					   and a cache drop covering the
					   page ran while it was in flight */
#define FS_EIO_RETRY_LOST	0x04u	/* the retry's cache lookup missed
					   though no drop covered the page */
#define FS_EIO_INSERT_EEXIST	0x08u	/* btrfs_get_extent gave up on
					   -EEXIST (insert-eexist-eio) */
#define FS_EIO_MERGE_REFAIL	0x10u	/* merge_extent_mapping collided
					   again: a defect of 3b951516 */
#define FS_EIO_RETRY_GET_EXTENT	0x20u	/* the retry's btrfs_get_extent
					   failed (retry-get-extent) */
#define FS_EIO_STALE_FAILREC	0x40u	/* the retries went on from a
					   failure record an earlier read
					   left: a defect of 2008 */

/* Why an operation failed with -ENOSPC (fs->enospc). */
#define FS_ENOSPC_CHECK		1u	/* btrfs_check_free_space refused */
#define FS_ENOSPC_ALLOC		2u	/* the allocator found nothing free */

/* Known defects of the fixed code that a run went through (fs->latent). */
#define FS_LATENT_MERGE_REFAIL	0x1u	/* latent-merge-refail.scn */
#define FS_LATENT_OVERLAP	0x2u	/* latent-insert-overlap.scn */

#define FS_LOOKUP_CACHE		1u
#define FS_LOOKUP_GET_EXTENT	2u

/*
 * A new fs for CFG; NULL with -EINVAL in *ERR if the configuration is
 * invalid (the parser rejects those first).  The caller frees with fs_free.
 */
struct fs	*fs_new(const struct fs_config *cfg, int *err);
void		 fs_free(struct fs *);
/* A deep copy: the state a concurrent block's schedules start from. */
struct fs	*fs_clone(const struct fs *);

/* A new empty inode; returns its number (1-based). */
uint32_t	 fs_create(struct fs *, bool nodatasum);
struct fs_inode	*fs_inode(const struct fs *, uint32_t ino);

/*
 * write(2) of LEN bytes at OFF (FILL < 0: generated bytes, else the byte);
 * then writeback of the inode unless FS_W_NOSYNC.
 */
#define FS_W_NOCSUM	0x1u
#define FS_W_NOSYNC	0x2u
int	fs_write(struct fs *, uint32_t ino, uint64_t off, uint64_t len,
	    int fill, unsigned flags);
/* Write back every dirty page of every inode. */
int	fs_sync(struct fs *);
/*
 * Buffered read of [off, off + len) (clipped at EOF).  MIRROR pins the
 * first bio of each page (0: the default choice).  WANT_DATA asks for the
 * intact/uniform fields (it costs a comparison per page).
 */
int	fs_read(struct fs *, uint32_t ino, uint64_t off, uint64_t len,
	    int mirror, bool want_data, struct fs_read_result *);
/* ftruncate(2): down (btrfs_truncate) or up (btrfs_setattr hole fill). */
int	fs_truncate(struct fs *, uint32_t ino, uint64_t size);
/* btrfs_drop_extent_cache(start, end), END inclusive, (u64)-1 to EOF. */
int	fs_drop_cache(struct fs *, uint32_t ino, uint64_t start, uint64_t end);
/* drop_caches: 1 clean pages, 2 extent maps and metadata, 3 both. */
void	fs_drop_caches(struct fs *, int level);

/* Faults.  File ranges resolve through the items at this moment. */
int	fs_corrupt_file(struct fs *, uint32_t ino, uint64_t off, uint64_t len,
	    int mirror, int fill);
int	fs_corrupt_logical(struct fs *, uint64_t logical, uint64_t len,
	    int mirror, int fill);
int	fs_ioerror_file(struct fs *, uint32_t ino, uint64_t off, uint64_t len,
	    int mirror, uint64_t count);
int	fs_set_online(struct fs *, int mirror, bool online);
#define FS_FAULT_CORRUPT	0x1u
#define FS_FAULT_IOERROR	0x2u
int	fs_faults(struct fs *, uint64_t rate_num, uint64_t rate_den,
	    unsigned kinds, bool safe);

struct sched;

/*
 * Run the fs under the scheduler SCHED (sim/sched.h) for one schedule:
 * fs_mutex, the extent map spinlocks and page locks become scheduler
 * locks, bios complete when the scheduler fires the device, and
 * cfg.workers end-io workers are spawned to process completions in FIFO
 * order.  Call after spawning the tasks (so tasks are numbered first).
 * fs_detach frees the concurrency state (every bio, finished or not).
 */
void	fs_attach(struct fs *, struct sched *sched);
void	fs_detach(struct fs *);

/*
 * True if every sector of [off, off + len) (clipped at EOF) that a read
 * would fetch from a device (not cached, backed by a real item) has a
 * copy that reads without error and holds the bytes its checksum (or,
 * unchecksummed, the file) expects: an online mirror with no I/O error
 * pending.  The data oracle of blksim fuzz; it changes nothing.
 */
bool	fs_good_copy(struct fs *, uint32_t ino, uint64_t off, uint64_t len);

/*
 * An upper bound of the bytes that writing back every dirty page, plus a
 * write of MORE bytes, can allocate: each dirty run in max_extent pieces,
 * each piece rounded up to alloc_align.  With at least this much free,
 * writeback cannot run out of space (blksim fuzz's oracle).
 */
uint64_t fs_writeback_bound(const struct fs *, uint64_t more);

/* Bytes of [off, off + len) covered by cached extent maps (holes too). */
uint64_t fs_cache_covered(struct fs *, uint32_t ino, uint64_t off,
	    uint64_t len);

#endif
