/*
 * The values of the scenario language as the parser reads them, and the
 * parser's error reporting: what a word means (a number, a size, a range,
 * a mirror, a byte, a quirk), each value checked by one small function
 * that reports its own error and returns false on one.  The parser
 * (parse.c) and the statements' parse hooks (src/stmt.h) share them.
 *
 * A struct pval is the state they need of the parse: where errors go and
 * how many this file has produced (past SCN_MAX_ERRORS they are dropped
 * and the parse stops), the line being parsed, and the mirror count of
 * the filesystem, which bounds every mirror=N.  The parser owns it.
 *
 * Messages say what is accepted, in the words of blksim-scenario(5);
 * errors are at a word of the current line, whose whole width the caret
 * marks.  Value functions take the word W (for the caret), the value text
 * V of VLEN bytes (the whole word for positional words, the part after
 * `=` for options) and WHAT, the value's name in messages.
 */
#ifndef SRC_PVAL_H
#define SRC_PVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "lex.h"
#include "scn.h"

struct pval {
	struct diag_list *diags;	/* where errors go (borrowed) */
	size_t		 nerr0;		/* diags before this file */
	uint32_t	 line;		/* of the line being parsed */
	uint32_t	 full_line;	/* where errors began to be dropped */
	bool		 stopped;	/* a limit ended the parse */
	uint32_t	 mirrors;	/* bound of mirror=N */
	uint32_t	 devices;	/* bound of device=N (dup: 1) */
	uint32_t	 sectorsize;	/* the fs's, for alignment rules */
	unsigned	 era;		/* the file's (enum era_id) */
	bool		 era_fixed;	/* by --era: `era` lines do not change it */
	uint32_t	 scrub_line;	/* of the last scrub so far, 0: none */
};

/* Quote at most PVAL_SHOW_MAX bytes of a word: PVAL_SHOW_FMT with
   PVAL_SHOW(ptr, len) or PVAL_SHOWW(word). */
#define PVAL_SHOW_MAX	40
#define PVAL_SHOW_FMT	"%.*s%s"
#define PVAL_SHOW(s, len) \
	(int)((len) > PVAL_SHOW_MAX ? PVAL_SHOW_MAX : (len)), (s), \
	((len) > PVAL_SHOW_MAX ? "..." : "")
#define PVAL_SHOWW(w)	PVAL_SHOW((w)->s, (w)->len)

/* How the address-space limit (scn.h) is named in messages. */
#define PVAL_ADDR_TEXT	"2^63 (0x8000000000000000, 8388608T), the end of " \
			"the model's address space"

/* Report an error at LINE:COL, WIDTH bytes wide. */
void	pval_err_at(struct pval *, uint32_t line, uint32_t col,
	    uint32_t width, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 5, 6)));
/* Report an error at word W of the line being parsed. */
void	pval_err(struct pval *, const struct lex_word *w, const char *fmt,
	    ...) __attribute__((__format__(__printf__, 3, 4)));
/* The position of word W of the line being parsed. */
struct scn_pos pval_pos(const struct pval *, const struct lex_word *w);

/* The name tables messages list the choices of. */
enum pval_names {
	PVAL_QUIRKS,
	PVAL_PRESETS,
	PVAL_STATS,		/* the counters of `expect stat` */
	PVAL_KINDS		/* the invariant violation kinds */
};

/* Every name of a table in the file's era, as "a, b or c". */
void	pval_list(struct pval *, char *buf, size_t size, enum pval_names);
/* The era called ERA (enum era_id) in messages: "2008" or "modern". */
const char *pval_era_name(unsigned era);

/*
 * True in a modern file; otherwise report that WHAT (word W) belongs to
 * the modern era and false.
 */
bool	pval_modern(struct pval *, const struct lex_word *w, const char *what);
/* A device of this filesystem, from 1 (dup has one). */
bool	pval_device(struct pval *, const struct lex_word *w, const char *v,
	    size_t vlen, int *out);

bool	pval_pow2(uint64_t);
/* V (VLEN bytes) is the string LIT. */
bool	pval_eq(const char *v, size_t vlen, const char *lit);
/* Word W is key=value. */
bool	pval_has_eq(const struct lex_word *w);
/*
 * Words I, I + 1 (and I + 2) of the N words W written as `key = value`,
 * `key =value` or `key= value`: one error that shows the word to write,
 * and the number of words to skip; 0 when they are not.
 */
size_t	pval_spaced_option(struct pval *, const struct lex_word *w, size_t n,
	    size_t i);
/* The value part of a key=value word W, *VLEN bytes. */
const char *pval_opt(const struct lex_word *w, size_t *vlen);

bool	pval_num(struct pval *, const struct lex_word *w, const char *v,
	    size_t vlen, const char *what, uint64_t *out);
/* A number in [lo, hi]; RANGE says what is accepted, for the message. */
bool	pval_range(struct pval *, const struct lex_word *w, const char *v,
	    size_t vlen, const char *what, uint64_t lo, uint64_t hi,
	    const char *range, uint64_t *out);
/* A count that must be at least 1. */
bool	pval_positive(struct pval *, const struct lex_word *w, const char *v,
	    size_t vlen, const char *what, uint64_t *out);
/* A mirror of this filesystem, from 1. */
bool	pval_mirror(struct pval *, const struct lex_word *w, const char *v,
	    size_t vlen, int *out);
bool	pval_byte(struct pval *, const struct lex_word *w, const char *v,
	    size_t vlen, const char *what, int *out);
/* An OFF (called WHAT in messages): a number below SCN_ADDR_LIMIT. */
bool	pval_off(struct pval *, const struct lex_word *w, const char *v,
	    size_t vlen, const char *what, uint64_t *out);
/*
 * A LEN after an OFF (called OFFNAME in messages) that parsed if OFF_OK
 * (so OFF < SCN_ADDR_LIMIT): a number >= 1 with OFF + LEN at most
 * SCN_ADDR_LIMIT, or `max` (len = UINT64_MAX - off, "to the end").  A
 * range past the limit, 64-bit overflow included, is reported at the LEN
 * word; with a bad OFF only LEN's own form is checked.
 */
bool	pval_len(struct pval *, const struct lex_word *w, const char *v,
	    size_t vlen, const char *what, const char *offname, uint64_t off,
	    bool off_ok, uint64_t *len, bool *len_max);
/*
 * The value of option W (KEY=VALUE), one of the N WORDS: its index, or
 * -1 after the error "KEY must be a, b or c".
 */
int	pval_choice(struct pval *, const struct lex_word *w,
	    const char *const *words, size_t n);

enum pval_set_err {
	PVAL_SET_OK,
	PVAL_SET_UNKNOWN,	/* *ITEM is none of the names */
	PVAL_SET_TWICE		/* *ITEM is given twice */
};

/*
 * A list of items separated by SEP (kinds=corrupt,ioerror; an outcome
 * ok|eio), each one of the N NAMES at most once, into *MASK (bit k for
 * NAMES[k]).  On an error *ITEM (*ILEN bytes) is the item at fault; the
 * caller words the message.
 */
enum pval_set_err pval_set(const char *v, size_t vlen, char sep,
	    const char *const *names, size_t n, unsigned *mask,
	    const char **item, size_t *ilen);
/* The quirk word W names (enum quirk_id), or -1 after an error. */
int	pval_quirk(struct pval *, const struct lex_word *w);

#endif
