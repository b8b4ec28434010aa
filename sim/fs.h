/*
 * The filesystem: the btrfs data path on a multi-copy data device.
 *
 * An fs owns the allocator, the device (dev.h) and the inodes (inode.h),
 * and runs the file operations of one era (era.h): the 2008 code of
 * commit 3b951516 today.  Each operation below goes to the era's function
 * that models the kernel function it names; the quirks of quirk.h are
 * switches in cfg.quirks.
 *
 * Units are bytes (uint64_t); the page size is the sector size.  Logical
 * data addresses start at FS_DATA_BASE (1 MiB), because disk_bytenr 0
 * means "hole".  Every file offset, file size and logical address lies in
 * [0, FS_ADDR_LIMIT]: an operation given a range past it fails with
 * FS_EINVAL, so sums of an offset and a length never wrap.  Operations
 * return 0 or a negative status: -EIO, -ENOSPC, FS_EOOPS (a simulated
 * kernel crash: fs_oops_msg() says where and why, and the fs accepts no
 * more operations), FS_EDEADLK (the operation can never finish: a
 * sequential self-deadlock, see meta.h), or FS_EINVAL for a request that
 * the model's limits or state make invalid (fs_why() says why).
 *
 * The layout of struct fs is private to fs.c; the rest of the model and
 * the program reach it through the functions below.  Those that hand out
 * shared state record it in the running step's footprint (foot.h).
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

#include "csum.h"
#include "dev.h"
#include "stat.h"
#include "trace.h"

struct alloc;
struct conc;
struct content_stream;
struct era_ops;
struct fs;
struct fs_inode;
struct imap;
struct rng;
struct sched;
struct sumcache;
struct track;

#define FS_DATA_BASE	(1ULL << 20)

/*
 * The model's limits (blksim-scenario(5), LIMITS); fs_new() and the
 * operations check them, and the parser takes its own from here.
 */
#define FS_MAX_MIRRORS		DEV_MAX_COPIES
#define FS_MIN_SECTORSIZE	512u
#define FS_MAX_SECTORSIZE	65536u
#define FS_MAX_WORKERS		64u
#define FS_ADDR_LIMIT		(1ULL << 63)	/* of offsets, sizes, addresses */
#define FS_MAX_SIZE		(FS_ADDR_LIMIT - FS_DATA_BASE)
#define FS_MAX_INODES		4096u

/*
 * Work limits of one operation, so that none runs for hours or exhausts
 * memory: past one, the operation fails with FS_EINVAL before it changes
 * anything (fs_why() names the limit), except that an allocation loop
 * that reaches FS_MAX_ALLOCS stops there.
 */
#define FS_MAX_READ_PAGES	(1u << 20)	/* pages one read covers */
#define FS_MAX_ALLOCS		(1u << 20)	/* one delalloc range's */
#define FS_MAX_FAULTS		(1u << 20)	/* a faults call's expected */
#define FS_MAX_LOCKED_PAGES	(1u << 12)	/* a write's, in a block */
/*
 * And of the whole filesystem: the extents allocated, which every write
 * adds to and only a free of the last reference takes away.  A write
 * that would take the allocator past it is refused like one past a
 * limit of its own (fs_extents_room()).
 */
#define FS_MAX_EXTENTS		(1u << 21)

#define FS_EOOPS	(-1000)		/* simulated kernel crash */
#define FS_EDEADLK	(-1001)		/* the operation can never finish */
#define FS_EINVAL	(-1002)		/* invalid for the model's state */
#define FS_EHANG	(-1003)		/* a loop that never ends (a hang) */

/* How the modern era picks the copy a read's bio goes to. */
enum fs_read_policy {
	FS_POLICY_PID,		/* copy (pid mod copies) + 1 */
	FS_POLICY_ROUND_ROBIN,	/* by the sectors read so far */
	FS_POLICY_DEVID		/* the copy on one device */
};

struct fs_config {
	unsigned	era;		/* enum era_id: 0 is 2008 */
	uint32_t	sectorsize;	/* FS_MIN..FS_MAX_SECTORSIZE, power of 2 */
	uint32_t	mirrors;	/* 1..FS_MAX_MIRRORS */
	bool		dup;		/* profile dup: 2 copies on device 1 */
	uint64_t	size;		/* data capacity in bytes, <= FS_MAX_SIZE */
	uint64_t	max_extent;	/* largest allocation; UINT64_MAX: none */
	uint64_t	alloc_align;	/* allocation unit (0: the sector size) */
	uint32_t	workers;	/* end-io worker threads, 1..FS_MAX_WORKERS */
	enum csum_algo	csum;
	unsigned	quirks;		/* mask of enum quirk_id */
	uint64_t	seed;		/* for `faults` */
	/* Where every trace event goes as it is emitted (trace.h), or
	   NULL: only each statement's first events are kept. */
	trace_sink_fn	*trace_sink;
	void		*trace_arg;
	/* The modern era's reads (0 where not given: the defaults). */
	enum fs_read_policy read_policy;
	uint64_t	rr_min_contig;	/* round-robin:BYTES, 0: 256K */
	uint32_t	policy_devid;	/* devid:N, 0: device 1 */
	uint64_t	readahead;	/* bytes; FS_READAHEAD_DEFAULT */
};

#define FS_READAHEAD_DEFAULT	(128u << 10)
#define FS_RR_MIN_CONTIG	(256u << 10)

/* One read, as a statement or a task asks for it. */
struct fs_read_opts {
	uint64_t	off;
	uint64_t	len;		/* clipped at EOF */
	int		mirror;		/* the first copy tried, 0: the policy's */
	bool		want_data;	/* fill intact/uniform (costs a compare) */
	bool		direct;		/* O_DIRECT (modern): sector aligned */
	int		pid;		/* the pid policy's pid, -1: the default */
};

/*
 * A sector a modern read repaired from a good copy (a checksummed one:
 * nodatasum resyncs are not verified), for blksim fuzz's oracle: the
 * copies the repair walk found bad, the failed one included, which the
 * fixed code rewrites; and those whose write-back failed.
 */
struct fs_read_repair {
	uint64_t	file_off;	/* the sector's */
	uint64_t	logical;
	unsigned	visited;	/* bit k-1: copy k was read and bad */
	unsigned	wb_failed;	/* bit k-1: its write-back to k failed */
	int		good;		/* the copy it was repaired from */
};

#define FS_READ_MAX_REPAIRS	16

/* What a read did, for `expect` keys and blksim fuzz's oracle. */
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
	/* Modern: the first FS_READ_MAX_REPAIRS sectors repaired, in the
	   order their repairs ended; REPAIRED_MORE if there were more. */
	struct fs_read_repair repaired[FS_READ_MAX_REPAIRS];
	unsigned	nrepaired;
	bool		repaired_more;
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

/* Why an operation failed with -ENOSPC (fs_enospc()). */
#define FS_ENOSPC_CHECK		1u	/* btrfs_check_free_space refused */
#define FS_ENOSPC_ALLOC		2u	/* the allocator found nothing free */

/* Known defects of the fixed code that a run went through (fs_latent()). */
#define FS_LATENT_MERGE_REFAIL	0x1u	/* latent-merge-refail.scn */
#define FS_LATENT_OVERLAP	0x2u	/* latent-insert-overlap.scn */

#define FS_LOOKUP_CACHE		1u
#define FS_LOOKUP_GET_EXTENT	2u

/* ---- lifetime ----------------------------------------------------------- */

/*
 * 0 if CFG is within the limits above, else -EINVAL with a sentence a
 * person can act on in WHY (WHYSIZE bytes; WHY may be NULL).
 */
int		 fs_config_check(const struct fs_config *cfg, char *why,
		    size_t whysize);
/*
 * A new fs for CFG; NULL with -EINVAL in *ERR if the configuration breaks
 * a limit (fs_config_check() says which).  The caller frees it with
 * fs_free.
 */
struct fs	*fs_new(const struct fs_config *cfg, int *err);
void		 fs_free(struct fs *);
/* A deep copy: the state a concurrent block's schedules start from.  Its
   trace streams where SRC's does, but holds its events (fs_trace_release). */
struct fs	*fs_clone(const struct fs *);

/* A new empty inode; its number (1-based), or 0 past FS_MAX_INODES. */
uint32_t	 fs_create(struct fs *, bool nodatasum);
/* Inode INO (borrowed), or NULL. */
struct fs_inode	*fs_inode(const struct fs *, uint32_t ino);
size_t		 fs_ninodes(const struct fs *);

/* ---- file operations (the era's) ---------------------------------------- */

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
/* The same with every option a read may have. */
int	fs_read_ex(struct fs *, uint32_t ino, const struct fs_read_opts *,
	    struct fs_read_result *);
/* ftruncate(2): down (btrfs_truncate) or up (btrfs_setattr hole fill). */
int	fs_truncate(struct fs *, uint32_t ino, uint64_t size);
/* btrfs_drop_extent_cache(start, end), END inclusive, (u64)-1 to EOF. */
int	fs_drop_cache(struct fs *, uint32_t ino, uint64_t start, uint64_t end);
/* drop_caches: 1 clean pages, 2 extent maps and metadata, 3 both. */
void	fs_drop_caches(struct fs *, int level);

/*
 * Run the fs under the scheduler SCHED (sched.h) for one schedule: the
 * era's locks become scheduler locks, bios complete when the scheduler
 * fires the device, and cfg.workers end-io workers are spawned to process
 * completions in FIFO order (conc.h).  Call after spawning the tasks (so
 * tasks are numbered first).  fs_detach frees the concurrency state.
 */
void	fs_attach(struct fs *, struct sched *sched);
void	fs_detach(struct fs *);

/*
 * The totals of a scrub (btrfs scrub status -R), for `expect scrub`:
 * sectors with an I/O error or a checksum mismatch in the first read,
 * data sectors with no checksum, sectors repaired (counted even by a
 * read-only scrub, which writes nothing) and left bad, and the data bytes
 * scrubbed.
 */
struct fs_scrub_stats {
	uint64_t	read_errors;
	uint64_t	csum_errors;
	uint64_t	verify_errors;
	uint64_t	no_csum;
	uint64_t	corrected_errors;
	uint64_t	uncorrectable_errors;
	uint64_t	data_bytes_scrubbed;
	uint64_t	data_extents_scrubbed;
};

/*
 * `btrfs scrub start`: scrub every device (DEVID 0) or device DEVID,
 * writing repairs back unless READONLY.  The totals are kept for
 * fs_last_scrub().  0, or FS_EINVAL (no scrub in this era, no such
 * device).
 */
int	fs_scrub(struct fs *, int devid, bool readonly);
const struct fs_scrub_stats *fs_last_scrub(const struct fs *);

/* ---- questions about the state ------------------------------------------ */

/*
 * True if every sector of [off, off + len) (clipped at EOF) that a read
 * would fetch from a device (not cached, backed by a real item) has a
 * copy that reads without error and holds the bytes its checksum (or,
 * unchecksummed, the file) expects.  The data oracle of blksim fuzz; it
 * changes nothing.
 */
bool	fs_good_copy(struct fs *, uint32_t ino, uint64_t off, uint64_t len);
/*
 * An upper bound of the bytes that writing back every dirty page, plus a
 * write of MORE bytes, can allocate.  With at least this much free,
 * writeback cannot run out of space (blksim fuzz's oracle).
 */
uint64_t fs_writeback_bound(struct fs *, uint64_t more);
/*
 * Room for the extents a writeback of BYTES (cut into max_extent pieces)
 * may allocate, within FS_MAX_EXTENTS: 0, or FS_EINVAL with fs_why()
 * naming the limit.
 */
int	fs_extents_room(struct fs *, uint64_t bytes);
/* Bytes of [off, off + len) covered by cached extent maps (holes too). */
uint64_t fs_cache_covered(struct fs *, uint32_t ino, uint64_t off,
	    uint64_t len);

const struct fs_config *fs_cfg(const struct fs *);
/* The sector size, which is also the page size. */
uint64_t	 fs_sectorsize(const struct fs *);
const struct era_ops *fs_era(const struct fs *);
const struct stat_counters *fs_stats(const struct fs *);
/* The end of the data area: FS_DATA_BASE + size (rounded to alloc_align). */
uint64_t	 fs_data_end(const struct fs *);
/* The allocator's free bytes. */
uint64_t	 fs_free_bytes(struct fs *);
/* Why the last FS_EINVAL, and the last oops ("fn: reason"), or "". */
const char	*fs_why(const struct fs *);
const char	*fs_oops_msg(const struct fs *);
bool		 fs_crashed(const struct fs *);
/* FS_LATENT_* seen so far; why the last -ENOSPC (FS_ENOSPC_*). */
unsigned	 fs_latent(const struct fs *);
unsigned	 fs_enospc(const struct fs *);

/* ---- the trace ---------------------------------------------------------- */

/* Stamp LINE (the running statement's) on the events that follow. */
void		 fs_set_line(struct fs *, uint32_t line);
const struct trace *fs_trace(const struct fs *);
void		 fs_trace_clear(struct fs *);
/*
 * A clone (fs_clone) holds its stream's events (trace_hold): send them
 * on, as if they had just happened, and stream from now on.
 */
void		 fs_trace_release(struct fs *);
/* A concurrent block found a deadlock (the `deadlocks` counter). */
void		 fs_note_deadlock(struct fs *);

/* ---- for the model's own modules ---------------------------------------- */

/* Append an event, stamped with the line and the running task. */
void		 fs_emit(struct fs *, enum trace_kind, uint32_t ino,
		    uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3);
/* Add N to counter ID (not a footprint: see foot.h). */
void		 fs_count(struct fs *, enum stat_id id, uint64_t n);
/* A simulated kernel crash in kernel function FN; returns FS_EOOPS. */
int		 fs_oops(struct fs *, const char *fn, const char *reason);
/*
 * Kernel function FN would loop forever: the model stops it and the fs,
 * like an oops, takes no more operations; returns FS_EHANG.
 */
int		 fs_hang(struct fs *, const char *fn, const char *reason);
bool		 fs_hung(const struct fs *);
/* FS_EINVAL with WHY (formatted) as fs_why(). */
int		 fs_invalid(struct fs *, const char *fmt, ...)
		    __attribute__((__format__(__printf__, 2, 3)));
/* -ENOSPC for CAUSE (FS_ENOSPC_*). */
int		 fs_nospace(struct fs *, unsigned cause);
/* The run went through a documented defect (FS_LATENT_*). */
void		 fs_note_latent(struct fs *, unsigned latent);

struct dev	*fs_dev(const struct fs *);
/* The allocator and the content stream, recorded (foot.h); borrowed. */
struct alloc	*fs_alloc(struct fs *);
struct content_stream *fs_gen(struct fs *);
/*
 * The modern era's csum tree: the content each checksummed sector held
 * when written, by logical address.  Recorded (foot.h); borrowed.
 */
struct imap	*fs_csum_tree(struct fs *);
/*
 * The invariant checker's record of what changed (track.h); borrowed.
 * Not a footprint: the data path never reads it.
 */
struct track	*fs_track(struct fs *);
/* The fs's cache of content checksums (sumcache.h): not model state, no
 * footprint.  Borrowed. */
struct sumcache	*fs_sumcache(struct fs *);
/* The PRNG that places random faults (not used inside tasks). */
struct rng	*fs_rng(struct fs *);
/*
 * The concurrency glue, or NULL when sequential.  Every footprint and lock
 * call asks, on every page of a read, so the answer is read inline: the
 * glue's pointer is the first member of struct fs (fs.c keeps it there;
 * nothing else of the layout is public).
 */
struct fs_head {
	struct conc	*conc;
};
static inline struct conc *
fs_conc(const struct fs *fs)
{
	return ((const struct fs_head *)(const void *)fs)->conc;
}
/* The quirk Q is on. */
bool		 fs_quirk(const struct fs *, int q);

/*
 * A hash of the fs's whole state, as the explorer's state cache keys it
 * (sched.h, "state hashes"): every inode, the allocator, the device, the
 * csum tree, the content stream, the counters, the failure details and,
 * under a scheduler, the glue's (conc_state_hash()).  Not the trace, nor
 * the checker's bookkeeping, nor the configuration (fixed).  *COMPLETE
 * is cleared when a part cannot be hashed.
 */
uint64_t	 fs_state_hash(const struct fs *, bool *complete);

/*
 * Walk the whole fs and verify each structure's own invariants (inodes,
 * device, allocator): 0, or -1 with the first broken rule in *WHY.  The
 * relations between them (coherence, references) are the invariant
 * checker's (inv.h).
 */
int		 fs_check(const struct fs *, const char **why);

#endif
