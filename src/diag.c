/*
 * Diagnostics list and printer (see diag.h).  Printing walks the source
 * once: the diagnostics are sorted by line, so a cursor moving forward
 * through the buffer finds every line they need in O(buffer + output).
 *
 * The source line is echoed as it is, except that a control character
 * other than a tab is shown as `?` so that a stray escape or NUL byte (which
 * is itself an error) cannot garble a terminal.  The caret line repeats the
 * tabs of the source line up to the column and puts one blank for every
 * other character (a UTF-8 sequence counts as one character), so the caret
 * lands under the word whatever the tab stops are.  A line longer than
 * DIAG_LONG_LINE bytes is shown only around the word, cut ends marked with
 * "...", so that the output stays proportional to the input however many
 * errors a huge line holds.  A byte order mark is not shown (the lexer
 * skips it too).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/xmalloc.h"
#include "diag.h"
#include "lex.h"

#define DIAG_LONG_LINE	256	/* longer source lines are shown cut */
#define DIAG_CONTEXT	80	/* bytes shown either side of the word */

void
diag_init(struct diag_list *dl)
{
	dl->v = NULL;
	dl->n = 0;
	dl->cap = 0;
}

void
diag_add(struct diag_list *dl, uint32_t line, uint32_t col, uint32_t width,
    const char *fmt, ...)
{
	struct diag *d;
	va_list ap;
	char *msg;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		msg = xstrdup("(out of memory formatting a message)");
	if (dl->n == dl->cap) {
		dl->cap = dl->cap ? dl->cap * 2 : 8;
		dl->v = xreallocarray(dl->v, dl->cap, sizeof(*dl->v));
	}
	d = &dl->v[dl->n];
	d->line = line;
	d->col = col ? col : 1;
	d->width = width ? width : 1;
	d->seq = dl->n;
	d->msg = msg;
	dl->n++;
}

static int
diag_cmp(const void *a, const void *b)
{
	const struct diag *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return 0;
}

void
diag_sort(struct diag_list *dl)
{
	if (dl->n > 1)
		qsort(dl->v, dl->n, sizeof(*dl->v), diag_cmp);
}

/* True for the bytes echoed as `?`: controls other than the tab. */
static bool
diag_is_control(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* True for a UTF-8 continuation byte, which takes no column on screen. */
static bool
diag_is_continuation(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/*
 * Echo the part [lo, hi) of source line S, "..." marking a cut, and the
 * caret line under it.
 */
static void
diag_show(const struct diag *d, const char *s, size_t len, FILE *fp)
{
	size_t start = d->col - 1, lo = 0, hi = len, wide, i;

	if (start > len)
		start = len;
	wide = d->width > DIAG_CONTEXT ? DIAG_CONTEXT : d->width;
	if (len > DIAG_LONG_LINE) {
		lo = start > DIAG_CONTEXT ? start - DIAG_CONTEXT : 0;
		while (lo < start && diag_is_continuation((unsigned char)s[lo]))
			lo++;
		hi = start + wide + DIAG_CONTEXT < len ?
		    start + wide + DIAG_CONTEXT : len;
		while (hi < len && diag_is_continuation((unsigned char)s[hi]))
			hi++;
	}
	if (lo > 0)
		fputs("...", fp);
	for (i = lo; i < hi; i++) {
		unsigned char c = (unsigned char)s[i];

		putc(diag_is_control(c) ? '?' : c, fp);
	}
	fputs(hi < len ? "...\n" : "\n", fp);

	if (lo > 0)
		fputs("   ", fp);
	for (i = lo; i < start; i++) {
		if (s[i] == '\t')
			putc('\t', fp);
		else if (!diag_is_continuation((unsigned char)s[i]))
			putc(' ', fp);
	}
	putc('^', fp);
	for (i = start + 1; i < start + d->width && i < hi; i++) {
		if (!diag_is_continuation((unsigned char)s[i]))
			putc('~', fp);
	}
	putc('\n', fp);
}

void
diag_print(struct diag_list *dl, const char *filename, const char *buf,
    size_t len, FILE *fp)
{
	size_t pos = 0, linelen = 0, skip;
	uint32_t lineno = 1;
	bool have = false;

	diag_sort(dl);
	for (size_t k = 0; k < dl->n; k++) {
		const struct diag *d = &dl->v[k];
		const char *nl;

		/* Invariant: buf[pos] starts line `lineno` (or pos == len). */
		while (lineno < d->line && pos < len) {
			nl = memchr(buf + pos, '\n', len - pos);
			pos = nl ? (size_t)(nl - buf) + 1 : len;
			lineno++;
			have = false;
		}
		if (!have && lineno == d->line) {
			nl = pos < len ? memchr(buf + pos, '\n', len - pos) :
			    NULL;
			linelen = (nl ? (size_t)(nl - buf) : len) - pos;
			if (linelen > 0 && buf[pos + linelen - 1] == '\r')
				linelen--;
			skip = pos == 0 && lex_has_bom(buf, linelen) ?
			    LEX_BOM_LEN : 0;
			pos += skip;
			linelen -= skip;
			have = true;
		}
		fprintf(fp, "%s:%u:%u: error: %s\n", filename, d->line,
		    d->col, d->msg);
		if (have)
			diag_show(d, buf + pos, linelen, fp);
	}
}

void
diag_free(struct diag_list *dl)
{
	for (size_t i = 0; i < dl->n; i++)
		free(dl->v[i].msg);
	free(dl->v);
	diag_init(dl);
}
