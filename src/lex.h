/*
 * The scenario lexer: splits a buffer into lines and each line into words
 * separated by blanks (spaces and tabs), with 1-based line and byte column.
 * `#` starts a comment anywhere, even inside a word.  A line ends at "\n";
 * one "\r" before it (or at the end of the buffer) is dropped, so CRLF files
 * read the same; the last line needs no newline.  A UTF-8 byte order mark
 * at the start of the buffer is skipped (columns of line 1 count from
 * after it).  Any other control
 * character, NUL included, anywhere on a line (comments too) makes the line
 * bad: the lexer reports its column and the parser rejects the line.
 *
 * Words point into the caller's buffer, which must outlive them.  Lines may
 * be of any length; columns and line numbers saturate at UINT32_MAX.  A
 * line keeps at most LEX_MAX_WORDS words (no statement has half as many):
 * the lexer notes where the first word beyond them starts and drops the
 * rest, so memory stays O(LEX_MAX_WORDS) whatever the line.
 *
 * The value helpers parse the number forms of the language: NUM is decimal
 * or 0x hex with an optional suffix right after the digits, K M G T or KiB
 * MiB GiB TiB (powers of 1024, uppercase only), checked for overflow (P,
 * E, PiB and EiB are recognised only to be refused by name); a
 * probability is a decimal fraction in [0, 1] kept exactly as num/den with
 * den a power of ten (at most 18 digits after the point); a NAME matches
 * [A-Za-z_][A-Za-z0-9_.-]*.
 */
#ifndef SRC_LEX_H
#define SRC_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lex_word {
	const char	*s;		/* borrowed from the buffer */
	size_t		len;		/* bytes, >= 1 */
	uint32_t	col;		/* 1-based byte column */
};

struct lex_line {
	uint32_t	lineno;		/* 1-based */
	const char	*text;		/* the line without "\n" or "\r\n" */
	size_t		len;
	struct lex_word	*words;		/* owned by the lexer, valid until
					   the next lex_next() */
	size_t		nwords;
	uint32_t	bad_col;	/* column of the first control
					   character, 0 if none */
	unsigned char	bad_char;	/* that character */
	uint32_t	over_col;	/* column of word LEX_MAX_WORDS + 1,
					   0 if the line has no more */
};

struct lex {
	const char	*buf;		/* borrowed */
	size_t		len;
	size_t		pos;		/* start of the next line */
	uint32_t	lineno;		/* of the last line returned */
	struct lex_word	*words;		/* owned scratch array */
	size_t		cap;
};

#define LEX_BOM_LEN	3	/* bytes of a UTF-8 byte order mark */
#define LEX_MAX_WORDS	256	/* words kept per line */

/* True when S (LEN bytes) starts with a UTF-8 byte order mark. */
bool	lex_has_bom(const char *s, size_t len);
/* Lexer over BUF (LEN bytes, not NUL-terminated); BUF must outlive it. */
void	lex_init(struct lex *, const char *buf, size_t len);
/* The next line, blank and comment lines included; false at the end. */
bool	lex_next(struct lex *, struct lex_line *);
void	lex_fini(struct lex *);

/* Why a value did not parse. */
enum lex_err {
	LEX_OK,
	LEX_SYNTAX,		/* not the form at all */
	LEX_SUFFIX_CASE,	/* a size suffix in the wrong case (4k, 4kib) */
	LEX_SUFFIX_BIG,		/* P, E, PiB or EiB: beyond the suffixes */
	LEX_OVERFLOW,		/* does not fit in 64 bits */
	LEX_RANGE,		/* probability above 1 */
	LEX_DIGITS		/* probability with more than 18 decimals */
};

/* Parse NUM (S, LEN bytes) into *OUT. */
enum lex_err	lex_number(const char *s, size_t len, uint64_t *out);
/* Parse a probability into *NUM / *DEN (den = 10^k, k <= 18). */
enum lex_err	lex_prob(const char *s, size_t len, uint64_t *num,
		    uint64_t *den);
/* True when S (LEN bytes) is a NAME. */
bool		lex_is_name(const char *s, size_t len);
/* True when word W equals the NUL-terminated string LIT. */
bool		lex_eq(const struct lex_word *w, const char *lit);

#endif
