/*
 * The interpreter: run one parsed scenario against a fresh fs and judge
 * it.  Every expectation is one point (an operation line is one point
 * whose expectation is its outcome and keys, `expect ok` when none is
 * written; every expect statement is one point; the invariant checker
 * adds one point, "no undeclared invariant violation", at the end).  The
 * result owns its strings; exec_result_free releases them.
 */
#ifndef SRC_EXEC_H
#define SRC_EXEC_H

#include <stdbool.h>
#include <stdint.h>

#include "../sim/inv.h"
#include "../sim/sched.h"
#include "../sim/stat.h"
#include "../sim/trace.h"
#include "scn.h"

struct chrome;
struct fs;
struct fs_read_result;
struct sched_result;

/* How to run a script: the command line's settings. */
struct exec_opts {
	/* --preset and --quirk, applied after the file's (borrowed; NULL
	   for none); quirk_resolve() decides. */
	const struct quirk_settings *quirks;
	const char	*progname;	/* the program as invoked, for the
					   replay lines it prints; NULL:
					   "blksim" */
	int		era;		/* --era (enum era_id): parse every file
					   in it; -1: the file's */
	unsigned	guard;		/* --guards: the quirk turned on last */
	bool		seed_given;
	uint64_t	seed;
	/* --trace: every event of the run, as it happens (sim/trace.h);
	   NULL for none.  A block's events come when it is done, those of
	   the schedule the scenario goes on from. */
	trace_sink_fn	*trace_sink;
	void		*trace_arg;
	bool		keep_fs;	/* hand the final fs to the result */
	const char	*schedule;	/* --schedule: replay in every block */
	int		preemption_bound; /* explore bound, < 0 for none */
	bool		no_reduction;	/* --reduction=none: explore without
					   sleep sets */
	bool		state_cache;	/* --reduction=state: sleep sets and
					   the state cache (explore.h) */
	bool		reduction_check; /* --reduction=check: explore with
					   and without them, compare */
	bool		full_check;	/* --check=full: the invariant
					   checker walks the whole model
					   after every statement, instead
					   of what the statement changed */
	unsigned	shard_k;	/* --shard=K/N: explore only shard K's */
	unsigned	shard_n;	/*   parts of each tree (explore.h) */
	bool		progress;	/* exploration progress on stderr */
	bool		chrome;		/* collect a timeline per block */
	bool		dot;		/* keep every deadlock's report */
	/*
	 * Judge by the oracle instead of the script's expectations (blksim
	 * fuzz): stop at the first anomaly or documented latent defect and
	 * describe it in exec_result.anomaly / .latent.
	 */
	bool		oracle;
};

/*
 * How a concurrent block was run: the schedules and whether they were all
 * there are (blksim-scenario(5), Judging a block).  Every report format
 * carries this.
 */
enum exec_how {
	EXEC_HOW_FIFO,
	EXEC_HOW_RANDOM,
	EXEC_HOW_EXPLORE,
	EXEC_HOW_REPLAY			/* --schedule */
};

struct exec_block {
	uint32_t	line;		/* of the concurrent statement */
	uint32_t	end_line;	/* of its end, whose point it belongs to */
	enum exec_how	how;
	uint64_t	schedules;	/* run */
	uint64_t	max_schedules;	/* the block's bound */
	/* Explore: every alternative was run or pruned by the reduction.
	   Never for the others, which do not try every schedule. */
	bool		complete;
	bool		incomplete_ok;	/* the block accepts a cut */
	char		*cut;		/* what cut an exploration short
					   ("max-schedules=100"), or NULL */
	unsigned	shard_k;	/* explored as shard K of N (N > 1, */
	unsigned	shard_n;	/*   --shard); else both 0 */
};

/* A deadlock found in a concurrent block (exec_opts.dot). */
struct exec_deadlock {
	uint32_t	line;		/* the block's */
	struct sched_result *res;	/* the first deadlocking schedule */
	/* Each entity's box label: "task 1\nline 28: read a 0 4K". */
	char		*label[SCHED_MAX_ENTITIES];
};

struct exec_point {
	uint32_t	line;
	char		*desc;		/* what was expected, as written */
	bool		ok;
	char		*expected;	/* NULL when ok */
	char		*got;
	struct trace_event *ev;		/* events of the statement (failures) */
	size_t		nev;
	uint64_t	dropped;	/* events not kept */
	char		*detail;	/* a deadlock report, or NULL */
};

struct exec_result {
	bool		passed;
	unsigned	quirks;		/* effective quirk mask */
	unsigned	era;		/* the era it ran in (enum era_id) */
	uint64_t	seed;
	struct exec_point *points;
	size_t		npoints;
	struct stat_counters stats;
	unsigned	found;		/* mask of finding kinds seen */
	unsigned	declared;	/* mask of `expect violation` kinds */
	struct inv_finding first[INV_KIND_COUNT];	/* first of each kind */
	uint32_t	first_line[INV_KIND_COUNT];
	char		*oops;		/* "LINE: fn: reason", or NULL */
	bool		stopped;	/* statements were left unrun */
	struct fs	*fs;		/* final state if keep_fs (owned) */
	char		*notes;		/* lock-order cycles, or NULL */
	/* The same and each block's first deadlock as JSON objects
	 * separated by commas (src/lockrep.h), or NULL. */
	char		*deadlocks_json;
	char		*lock_order_json;
	/* exec_opts.chrome: each block's representative schedule, replayed
	 * (the first deadlocking one, else the first completed one). */
	struct chrome	*chrome;
	struct exec_deadlock *deadlocks;	/* exec_opts.dot */
	size_t		ndeadlocks;
	struct exec_block *blocks;	/* each block run, in order */
	size_t		nblocks;
	/* Checks that had nothing to check (blksim(1), OUTPUT): one line
	   each, "line N: ...", or NULL. */
	char		*warnings;
	/*
	 * exec_opts.oracle.  ANOMALY is a short stable signature ("eio
	 * good-copy", "oops btrfs_drop_extent_cache", "violation past-eof",
	 * "deadlock", ...), WHY a sentence, EXPECT (when the operation's
	 * outcome does not show it) an expect line for after the operation
	 * that fails because of it; LATENT names a documented defect
	 * of the fixed code ("latent overlap") after which nothing is judged.
	 * OUTCOMES has one SCN_OUT_* mask per operation line in file order
	 * (each task of a block counts, the block does not): what it did,
	 * over every schedule; 0 if it did not run.
	 */
	char		*anomaly;
	char		*anomaly_why;
	uint32_t	anomaly_line;
	char		*anomaly_expect;	/* an expect statement that
						   fails on it, or NULL */
	char		*latent;
	unsigned	*outcomes;
	size_t		noutcomes;
};

/*
 * What a statement's interpreter entry (src/stmt.h, run) may use of the
 * run it is part of, a struct exec that exec_script() owns: the model
 * (inside a concurrent block, the copy the current schedule runs on), the
 * inode of each of the script's files, their names, whether the oracle
 * judges (then a read compares the bytes it returns), and the points of
 * the result.
 */
struct exec;
struct fs	*exec_fs(struct exec *);
/* The inode of the script's file FILE, 0 for -1 or before its create. */
uint32_t	 exec_inode(const struct exec *, int file);
void		 exec_set_inode(struct exec *, int file, uint32_t ino);
/* The script's name of FILE, "" for -1. */
const char	*exec_file_name(const struct exec *, int file);
bool		 exec_oracle(const struct exec *);
/* Record a point at LINE; DESC, EXPECTED and GOT (NULL when OK) are
   taken over. */
void		 exec_point(struct exec *, uint32_t line, char *desc, bool ok,
		    char *expected, char *got);
/* Note that the expectation at LINE had nothing to check (a warning of
   the result, "line LINE: ..."; not a failure). */
void		 exec_warn(struct exec *, uint32_t line, const char *fmt, ...)
		    __attribute__((__format__(__printf__, 3, 4)));
/* The SCN_OUT_* bit of a model status, or 0 for one no expectation names. */
unsigned	 exec_outcome(int status);

/* The quirk mask a script runs with under OPTS (quirk_resolve()). */
unsigned	exec_quirks(const struct scn_script *,
		    const struct exec_opts *);
void	exec_script(const struct scn_script *, const struct exec_opts *,
	    struct exec_result *);
void	exec_result_free(struct exec_result *);
/*
 * The scenario file and the line of the statement the calling thread is
 * running (NULL and 0 outside exec_script): for a message when memory
 * runs out.  Async-safe enough for that: it only reads the thread's own
 * two variables.
 */
void	exec_where(const char **file, uint32_t *line);

#endif
