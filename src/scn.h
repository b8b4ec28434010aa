/*
 * The scenario AST: what the parser builds from a .scn buffer and the
 * interpreter walks.  A script is a flat array of statements in file order;
 * a `concurrent` block is one statement that owns its tasks (the `end` line
 * is folded into it).  Every statement carries the position of its first
 * word; every value that the model may reject at run time keeps its own
 * position too, so a run-time error can point at it.
 *
 * Sizes and offsets are bytes as uint64_t.  A length given as `max` is
 * stored with len_max set and len = UINT64_MAX - off (so off + len is
 * (u64)-1, "to the end"); otherwise OFF + LEN is at most SCN_ADDR_LIMIT
 * (below).  Files are referred to by index into script->files, in order
 * of their `create`.
 */
#ifndef SRC_SCN_H
#define SRC_SCN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../sim/fs.h"
#include "../sim/inv.h"
#include "../sim/quirk.h"
#include "../sim/stat.h"

/*
 * Limits of the language, enforced by the parser (and SCN_MAX_BYTES also
 * by files_read(), which never reads more than one byte past it).  Each
 * is in blksim-scenario(5), LIMITS.
 *
 * The address space: every file offset, file size and logical address
 * of the model lies in [0, SCN_ADDR_LIMIT], 8 EiB.  An explicit range
 * ends at or below it, OFF is below it, and the data area [1M, 1M + size)
 * ends at or below it; a LEN of `max` is the only way past it, and it
 * means "to the end" (drop-cache's (u64)-1).  So every OFF + LEN, every
 * round-up of a file offset or size to a sector or to alloc_align (at
 * most size, so at most 2^62) and every sum of a logical address and a
 * length stays below 2^64 without a check of its own.
 */
#define SCN_ADDR_LIMIT		FS_ADDR_LIMIT	/* 8E */
#define SCN_MAX_BYTES		(16u << 20)	/* of a scenario file */
#define SCN_MAX_STATEMENTS	10000u		/* lines other than blank
						   and comment lines */
#define SCN_MAX_FILES		FS_MAX_INODES	/* `create`s */
#define SCN_MAX_ERRORS		1000u		/* reported per file */
#define SCN_MAX_SCHEDULES	1000000u	/* runs= and max-schedules= */
#define SCN_MAX_FILE_SCHEDULES	1000000u	/* all blocks of a file */

/* 1-based line and column of a word in the source. */
struct scn_pos {
	uint32_t	line;
	uint32_t	col;
};

enum scn_kind {
	SCN_ERA,
	SCN_FS,
	SCN_PRESET,
	SCN_QUIRK,
	SCN_SEED,
	SCN_GUARDS,
	SCN_CREATE,
	SCN_WRITE,
	SCN_SYNC,
	SCN_READ,
	SCN_TRUNCATE,
	SCN_DROP_CACHE,
	SCN_DROP_CACHES,
	SCN_CORRUPT,		/* corrupt NAME OFF LEN mirror=N [fill=B] */
	SCN_CORRUPT_LOGICAL,	/* corrupt logical=L len=N mirror=N [fill=B] */
	SCN_IOERROR,
	SCN_IOERROR_LOGICAL,	/* ioerror logical=L len=N mirror=N ... */
	SCN_LOSE_WRITE,		/* lose-write NAME OFF LEN mirror=N */
	SCN_LOSE_WRITE_LOGICAL,
	SCN_TEAR_WRITE,		/* tear-write NAME OFF LEN mirror=N bytes=K */
	SCN_TEAR_WRITE_LOGICAL,
	SCN_MISDIRECT_WRITE,	/* misdirect-write NAME OFF LEN mirror=N
				   to=L */
	SCN_MISDIRECT_WRITE_LOGICAL,
	SCN_OFFLINE,
	SCN_ONLINE,
	SCN_FAULTS,
	SCN_SCRUB,		/* scrub [device=N] [readonly] (modern) */
	SCN_CONCURRENT,
	SCN_EXPECT_CACHE,
	SCN_EXPECT_COHERENT,
	SCN_EXPECT_SIZE,
	SCN_EXPECT_EXTENTS,
	SCN_EXPECT_STAT,
	SCN_EXPECT_COPY,
	SCN_EXPECT_DEVSTATS,	/* modern */
	SCN_EXPECT_SCRUB,	/* modern */
	SCN_EXPECT_VIOLATION,
	SCN_KIND_COUNT
};

/* Outcomes an operation may be expected to have (a bitmask). */
#define SCN_OUT_OK	0x1u
#define SCN_OUT_EIO	0x2u
#define SCN_OUT_ENOSPC	0x4u
#define SCN_OUT_OOPS	0x8u
#define SCN_OUT_HANG	0x10u	/* modern: a repair walk that never ends */
#define SCN_OUT_ALL	0x1fu	/* every outcome above */

enum scn_lookup {
	SCN_LOOKUP_ANY,		/* not asserted */
	SCN_LOOKUP_CACHE,
	SCN_LOOKUP_GET_EXTENT
};

#define SCN_DATA_ANY	(-2)	/* data= not asserted */
#define SCN_DATA_INTACT	(-1)	/* data=intact; otherwise 0..255 */

/* The `expect OUTCOME [key=value ...]` tail of an operation line. */
struct scn_expect {
	bool		given;		/* an `expect` tail was written */
	struct scn_pos	pos;		/* of the word `expect` */
	unsigned	outcomes;	/* SCN_OUT_* mask; OK if not given */
	int		mirror;		/* mirror=N, 0 if not asserted */
	int64_t		retries;	/* retries=N, -1 if not asserted */
	enum scn_lookup	lookup;
	int		data;		/* SCN_DATA_* or a byte 0..255 */
};

/* Options of the `fs` statement; unset ones keep their defaults. */
struct scn_fs {
	uint32_t	sectorsize;	/* default 4K */
	uint32_t	mirrors;	/* default 2 */
	uint64_t	size;		/* default 1G */
	uint64_t	max_extent;	/* default UINT64_MAX (unlimited) */
	uint64_t	alloc_align;	/* default 0: the sector size */
	uint32_t	workers;	/* default 1 */
	bool		csum_crc32;	/* csum=crc32 instead of crc32c */
	/* The modern era's (blksim-scenario(5), THE MODERN ERA). */
	bool		dup;		/* profile=dup: 2 copies, 1 device */
	enum fs_read_policy read_policy; /* default pid */
	uint64_t	rr_min_contig;	/* round-robin:BYTES, default 256K */
	uint32_t	policy_devid;	/* devid:N, default 1 */
	uint64_t	readahead;	/* bytes, default 128K; 0: one page */
};

/* Statement flags. */
#define SCN_F_NODATASUM	0x1u
#define SCN_F_NOCSUM	0x2u
#define SCN_F_NOSYNC	0x4u
#define SCN_F_DIRECT	0x8u	/* read ... direct (modern) */
#define SCN_F_READONLY	0x10u	/* scrub ... readonly (modern) */
#define SCN_F_INTACT	0x20u	/* expect copy ... intact */
#define SCN_F_DAMAGED	0x40u	/* expect copy ... damaged */
#define SCN_F_CLEAR_ON_WRITE 0x80u /* ioerror ... clear-on-write */

/* Fault kinds for `faults kinds=`. */
#define SCN_FAULT_CORRUPT	0x1u
#define SCN_FAULT_IOERROR	0x2u
#define SCN_FAULT_LOST		0x4u	/* the write kinds */
#define SCN_FAULT_TORN		0x8u
#define SCN_FAULT_MISDIRECT	0x10u

/* Which I/O an ioerror fails (op=read|write|both). */
#define SCN_OP_READ	0x1u
#define SCN_OP_WRITE	0x2u

/* The totals `expect scrub` checks (struct fs_scrub_stats). */
enum scn_scrub_key {
	SCN_SCRUB_READ_ERRORS,
	SCN_SCRUB_CSUM_ERRORS,
	SCN_SCRUB_NO_CSUM,
	SCN_SCRUB_CORRECTED,
	SCN_SCRUB_UNCORRECTABLE,
	SCN_SCRUB_BYTES,
	SCN_SCRUB_KEYS
};

enum scn_schedule {
	SCN_SCHED_FIFO,
	SCN_SCHED_RANDOM,
	SCN_SCHED_EXPLORE
};

/* One KEY=N of expect stat (enum stat_id), devstats (enum dev_stat) or
   scrub (enum scn_scrub_key). */
struct scn_stat_expect {
	int		id;
	uint64_t	value;
	struct scn_pos	pos;		/* of the COUNTER=N word */
};

struct scn_stmt {
	enum scn_kind	kind;
	struct scn_pos	pos;		/* of the statement word */
	int		file;		/* index into script->files, or -1 */
	struct scn_pos	name_pos;	/* of the NAME word (file statements) */

	/* Ranges: write, read, drop-cache, corrupt, ioerror, expect cache. */
	uint64_t	off;
	uint64_t	len;
	bool		len_max;	/* LEN was `max` */
	struct scn_pos	off_pos;	/* positions for run-time errors */
	struct scn_pos	len_pos;

	uint64_t	size;		/* truncate, expect size/extents */
	struct scn_pos	size_pos;	/* of that SIZE or N word */
	uint64_t	logical;	/* corrupt logical= */
	int		mirror;		/* mirror=N, 0 if not given */
	struct scn_pos	mirror_pos;
	int		pid;		/* read pid=N, -1 if not given */
	int		device;		/* scrub device=N, expect devstats
					   DEVICE; 0 if not given */
	int		fill;		/* fill=BYTE, -1 if not given */
	unsigned	flags;		/* SCN_F_* */
	uint64_t	count;		/* fault count=N, 0 for every time */
	unsigned	op;		/* ioerror op=: SCN_OP_* mask */
	uint64_t	bytes;		/* tear-write bytes=K */
	uint64_t	target;		/* misdirect-write to=L */
	int		level;		/* drop-caches 1|2|3 */
	bool		present;	/* expect cache present|absent */

	/* faults: probability as the exact fraction rate_num / rate_den. */
	uint64_t	rate_num;
	uint64_t	rate_den;
	unsigned	fault_kinds;	/* SCN_FAULT_* */
	bool		safe;

	struct scn_fs	fs;		/* fs */
	int		preset;		/* preset: enum quirk_preset */
	int		quirk;		/* quirk: enum quirk_id */
	bool		on;		/* quirk ... on|off */
	uint64_t	seed;		/* seed */
	unsigned	guards;		/* guards: mask of enum quirk_id */
	int		violation;	/* expect violation: enum inv_kind */

	struct scn_stat_expect *stats;	/* expect stat, devstats, scrub
					   (owned) */
	size_t		nstats;

	/* concurrent: tasks are owned; each is an operation statement. */
	enum scn_schedule schedule;
	uint64_t	runs;		/* default 1 */
	uint64_t	max_schedules;	/* default 100000 */
	bool		incomplete_ok;	/* incomplete=ok: a cut exploration
					   passes (blksim-scenario(5)) */
	struct scn_stmt	*tasks;
	size_t		ntasks;
	bool		expect_deadlock; /* end expect deadlock */
	struct scn_pos	end_pos;	/* of the `end` word */

	struct scn_expect expect;	/* operations only */
};

struct scn_script {
	char		*filename;	/* as given to the parser (owned) */
	char		**files;	/* `create` names, in order (owned) */
	size_t		nfiles;
	struct scn_stmt	*stmts;		/* top-level statements (owned) */
	size_t		nstmts;
	/* Header summary, filled by the parser. */
	struct scn_fs	fs;		/* fs options, defaults applied */
	struct quirk_settings quirk_settings;	/* its preset and quirk lines */
	unsigned	quirks;		/* quirk_resolve() of them */
	unsigned	era;		/* enum era_id: `era`, else 2008 */
	uint64_t	seed;		/* 0 unless `seed` given */
	unsigned	guards;		/* union of `guards` lines */
};

/* The lowercase spelling of a statement kind, for messages (its row's
   name, src/stmt.h). */
const char	*scn_kind_name(enum scn_kind);
/* True for the kinds that are operations (everything but fs, headers and
   expectations; a concurrent block is one). */
bool		 scn_is_operation(enum scn_kind);
/* Default fs options. */
void		 scn_fs_defaults(struct scn_fs *);
/* Free a script and everything it owns; NULL is a no-op. */
void		 scn_free(struct scn_script *);

#endif
