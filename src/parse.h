/*
 * The scenario parser: builds the AST of src/scn.h from a buffer and
 * checks every rule of the language that does not depend on the model's
 * state (blksim-scenario(5)): statement and key names, value forms and
 * ranges, the order of headers, file names used before `create`,
 * `concurrent` block structure, and `expect` tails.  It never stops at
 * the first error: every error of the file goes to the diagnostic list.
 *
 * Positions kept for the run time: every statement's first word (`pos`),
 * the NAME word (`name_pos`), OFF and LEN (`off_pos`, `len_pos`; for
 * `corrupt logical=L len=N` these are the logical= and len= words), SIZE of
 * truncate / expect size / expect extents (`size_pos`), the mirror= word,
 * each COUNTER=N word, the `expect` word of a tail and the `end` word.
 */
#ifndef SRC_PARSE_H
#define SRC_PARSE_H

#include <stddef.h>

#include "diag.h"
#include "scn.h"

/*
 * Parse BUF (LEN bytes, need not be NUL-terminated) read from FILENAME.
 * Errors are appended to DIAGS (which may already hold others): at most
 * SCN_MAX_ERRORS of them and a note, and one only for a buffer longer
 * than SCN_MAX_BYTES.  Returns a new script that the caller frees with
 * scn_free(), or NULL when this call added any error (nothing of a file
 * with an error may run).
 */
struct scn_script *parse_script(const char *filename, const char *buf,
		    size_t len, struct diag_list *diags);
/*
 * The same in era ERA (enum era_id) whatever the file's `era` line says
 * (--era); -1: the file's era, 2008 without an `era` line.
 */
struct scn_script *parse_script_era(const char *filename, const char *buf,
		    size_t len, int era, struct diag_list *diags);

#endif
