/*
 * Diagnostics: the errors found in one scenario file, each at a 1-based
 * line and column with the width in bytes of the word it blames.  The list
 * is built in any order and printed sorted by position, jq and gcc style:
 *
 *	FILE:LINE:COL: error: MESSAGE
 *	<the source line>
 *	<blanks up to COL>^~~~
 *
 * The caret always marks one whole word of the line (for key=value options,
 * the whole key=value word); a message about something missing marks the
 * statement word.  The list does not keep the source: the printer is given
 * the same buffer the lexer read.
 */
#ifndef SRC_DIAG_H
#define SRC_DIAG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct diag {
	uint32_t	line;		/* 1-based */
	uint32_t	col;		/* 1-based byte column */
	uint32_t	width;		/* bytes under the caret, >= 1 */
	size_t		seq;		/* insertion order, for a stable sort */
	char		*msg;		/* owned; no trailing newline */
};

struct diag_list {
	struct diag	*v;		/* owned array of n entries */
	size_t		n;
	size_t		cap;
};

void	diag_init(struct diag_list *);
/* Append a printf-formatted message; width 0 is taken as 1. */
void	diag_add(struct diag_list *, uint32_t line, uint32_t col,
	    uint32_t width, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 5, 6)));
/* Order by line, then column, then insertion. */
void	diag_sort(struct diag_list *);
/* Sort, then print every diagnostic against the source BUF of LEN bytes. */
void	diag_print(struct diag_list *, const char *filename, const char *buf,
	    size_t len, FILE *);
/* Free the messages and the array; the list is left empty and reusable. */
void	diag_free(struct diag_list *);

#endif
