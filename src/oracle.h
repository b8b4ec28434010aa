/*
 * The oracle of `blksim fuzz` (exec_opts.oracle): judge a run by what the
 * code of its era may do instead of by the scenario's expectations, and
 * record the first anomaly (a short stable signature, a sentence, a line,
 * and when the operation's outcome does not show it an expect line that
 * does) or the first documented latent defect in the exec_result, after
 * which nothing is judged.  The interpreter (exec.c) calls it around each operation and
 * after each schedule of a concurrent block; it owns nothing itself: what
 * it records the result owns.
 */
#ifndef SRC_ORACLE_H
#define SRC_ORACLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../sim/dev.h"
#include "../sim/fs.h"
#include "scn.h"

struct inv_report;

struct exec_result;

/*
 * What the oracle knows of the state before a top-level operation (inside
 * a block it knows nothing: the interpreter passes none).  Whatever
 * oracle_before() keeps, oracle_operation() releases.
 */
struct oracle_pre {
	bool	good;		/* a read: every sector had a good copy */
	bool	room;		/* a write: free space for all writeback */
	uint32_t ino;		/* the operation's file, 0 for none */
	/* The modern era's: */
	bool	modern;
	uint64_t devstats[FS_MAX_MIRRORS][DEV_STAT_COUNT];	/* by device */
	bool	scrub_good;	/* a scrub: every checksummed sector had a
				   good copy (scrub6_good_copy) */
	struct fs *snap;	/* a read-only scrub: the fs before it */
};

/* An anomaly or a latent defect is recorded: judge nothing more. */
bool	oracle_done(const struct exec_result *);
/* Record the first anomaly; SIG and WHY are taken over. */
void	oracle_anomaly(struct exec_result *, uint32_t line, char *sig,
	    char *why);
/* Record an oops, message MSG ("FN: reason"), as "oops FN". */
void	oracle_oops(struct exec_result *, uint32_t line, const char *msg,
	    const char *where);
/*
 * A schedule of a block on LINE ended in a crash: the documented defect
 * the fs went through, else its hang ("hang") or its oops, else the
 * scheduler's own oops message SCHED_MSG.
 */
void	oracle_crash(struct exec_result *, const struct fs *fs, uint32_t line,
	    const char *sched_msg, const char *where);
/*
 * The model went through a documented defect of the fixed code
 * (fs->latent): record it and say so.
 */
bool	oracle_latent_fs(struct exec_result *, const struct fs *);
/* Look at the state before top-level operation S on file inode INO. */
void	oracle_before(struct fs *, uint32_t ino, const struct scn_stmt *s,
	    struct oracle_pre *pre);
/*
 * Judge one operation by the oracle, on the fs FS it ran on, knowing PRE
 * (NULL inside a block); SHARED says another task of its block may change
 * the file's bytes.  WHERE is "" or " in schedule S".
 */
void	oracle_operation(struct exec_result *, struct fs *fs,
	    const struct scn_stmt *s, int status,
	    const struct fs_read_result *rr, struct oracle_pre *pre,
	    bool shared, const char *where);
/* Judge the invariant checker's report REP on FS by the oracle. */
void	oracle_findings(struct exec_result *, struct fs *fs,
	    const struct inv_report *rep, uint32_t line, const char *where);
/* Record what operation line number I (file order) did. */
void	oracle_outcome(struct exec_result *, size_t i, int status);

#endif
