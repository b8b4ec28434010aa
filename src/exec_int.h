/*
 * The interpreter's run state and the helpers its two halves share: the
 * statements (exec.c) and the concurrent blocks (block.c).  Nothing else
 * includes this header; statement rows use exec.h's accessors.
 *
 * A struct exec lives for one exec_script() call.  Its fs is the model
 * the current statement runs on: the scenario's, or inside a block the
 * copy the current schedule runs on.  RES collects the points.
 */
#ifndef SRC_EXEC_INT_H
#define SRC_EXEC_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exec.h"

struct fs;
struct inv_report;

struct exec {
	const struct scn_script	*scn;
	const struct exec_opts	*o;
	struct exec_result	*res;
	struct fs		*fs;	/* a block's schedule copy inside one */
	uint32_t		*ino;	/* script file index -> inode */
	size_t			 cap;	/* of res->points */
	bool			 oracle;	/* exec_opts.oracle */
	size_t			 opi;	/* next operation line's index */
};

/* Run S by its row's interpreter entry; the model's status. */
int	exec_run_stmt(struct exec *, const struct scn_stmt *s,
	    struct fs_read_result *rr);
/* Does S take the read keys, given that it ended with STATUS? */
bool	exec_read_keys(const struct scn_stmt *s, int status);
/*
 * Judge the read keys of E against RR; append what was wanted and what
 * was found to *EXPECTED and *GOT (replaced, caller's).  True if they
 * held.
 */
bool	exec_judge_read(const struct scn_expect *e,
	    const struct fs_read_result *rr, char **expected, char **got);
/*
 * A read that was to fail (WANT has no ok) and succeeded from the page
 * cache alone: append why to *GOT (replaced, caller's), since no device
 * read happened to fail.
 */
void	exec_explain_cached(const struct scn_stmt *s, unsigned want,
	    int status, const struct fs_read_result *rr, char **got);
/* "ok|eio" for an SCN_OUT_* mask; caller frees. */
char	*exec_outcomes_text(unsigned mask);
/* What a model status means, as reports say it ("oops (...)"); caller
   frees. */
char	*exec_status_text(struct exec *, int status);
/* An operation line as points and reports name it; caller frees. */
char	*exec_describe(struct exec *, const struct scn_stmt *s);
/*
 * The invariant checker on FS after a statement or a schedule, into REP
 * (the caller frees it): of what changed since it last looked, or
 * (--check=full) of the whole model.  Both give the same verdicts
 * (inv.h); either way it starts afresh from here.
 */
void	exec_run_checker(const struct exec *, struct fs *fs,
	    struct inv_report *rep);

#endif
