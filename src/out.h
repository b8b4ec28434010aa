/*
 * Output files: where a report (-o), a trace (--trace=FILE) or a fuzz
 * reproducer goes, written so that writing it never does harm
 * (blksim(1), OUTPUT FILES).
 *
 *  - A regular file, or a name that does not exist yet, is written
 *    atomically: into a temporary named ".blksim-XXXXXX" in the same
 *    directory (short, so that a long target name still fits in
 *    NAME_MAX), renamed over the target once complete.  Through a
 *    symbolic link to a regular file, the link's target is replaced and
 *    the link stays.  A file that existed keeps its permission bits (and
 *    its owner and group where the process may set them); a new one gets
 *    0666 less the umask, as open(2) would have given it.  A file the
 *    process may not write is refused, not replaced.
 *  - Anything else (a device such as /dev/null or /dev/full, a FIFO, a
 *    terminal, /dev/stdout or /proc/self/fd/N naming a pipe) is written
 *    in place, never replaced.  A directory, and a symbolic link that
 *    leads nowhere, are refused.
 *  - Every temporary is registered until it is renamed or removed:
 *    SIGINT, SIGTERM, SIGHUP and SIGPIPE remove them before the signal
 *    ends the process, and so does out_cleanup() (the program's
 *    out-of-memory exit calls it).
 *  - Every write error, the last flush's and fsync's included (ENOSPC on
 *    /dev/full), is reported as "blksim: FILE: REASON" on stderr and gives
 *    CLI_EXIT_IO; an atomic target is then left as it was.
 *
 * out_open and out_close are meant for the main thread: they read and
 * restore the umask, which is process-wide.
 */
#ifndef SRC_OUT_H
#define SRC_OUT_H

#include <stdbool.h>
#include <stdio.h>

/* One output file being written; fill with out_open, end with out_close
   or out_discard. */
struct out {
	FILE		*f;		/* write here */
	char		*path;		/* as given, for messages (owned) */
	char		*target;	/* renamed over at the end (owned), NULL
					   when written in place */
	char		*tmp;		/* the temporary (owned), NULL in place */
	int		 slot;		/* its cleanup slot, -1 for none */
};

/*
 * Open PATH for writing as described above.  Returns 0, or CLI_EXIT_IO
 * after printing why (O is then empty and needs no out_discard).
 */
int	out_open(struct out *o, const char *path);
/*
 * Finish O: flush, check every error, fsync and rename a temporary over
 * its target.  Returns CLI_EXIT_OK, or CLI_EXIT_IO after printing why (a
 * temporary is removed, the target untouched).  O is empty afterwards.
 */
int	out_close(struct out *o);
/* Give O up: close it, remove any temporary, leave the target as it was. */
void	out_discard(struct out *o);
/*
 * Remove every registered temporary.  Async-signal-safe; for the signal
 * handlers and the program's out-of-memory exit.
 */
void	out_cleanup(void);
/*
 * The end of the program: flush stdout and close it, and if that or any
 * earlier write to it failed, say so on stderr; returns CLI_EXIT_IO then,
 * else STATUS.  (A full disk or /dev/full behind stdout is an error.)
 */
int	out_stdout_status(int status);

#endif
