/*
 * Scenario lexer and value parsers (see lex.h).  The lexer is one forward
 * pass over the buffer; each call finds the end of one line with memchr and
 * splits it into words in a scratch array reused from line to line, so the
 * whole file costs O(bytes) time and O(longest line) memory.
 */
#include <stdlib.h>
#include <string.h>

#include "../sim/xmalloc.h"
#include "lex.h"

#define LEX_PROB_DIGITS	18	/* decimals a probability may carry */

void
lex_init(struct lex *lx, const char *buf, size_t len)
{
	lx->buf = buf;
	lx->len = len;
	lx->pos = 0;
	lx->lineno = 0;
	lx->words = NULL;
	lx->cap = 0;
}

void
lex_fini(struct lex *lx)
{
	free(lx->words);
	lx->words = NULL;
	lx->cap = 0;
}

bool
lex_has_bom(const char *s, size_t len)
{
	return len >= LEX_BOM_LEN &&
	    memcmp(s, "\xef\xbb\xbf", LEX_BOM_LEN) == 0;
}

static uint32_t
lex_col(size_t i)
{
	return i >= UINT32_MAX ? UINT32_MAX : (uint32_t)i + 1;
}

static bool
lex_is_blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static bool
lex_is_control(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* Keep a word, or note where the first one past LEX_MAX_WORDS starts. */
static void
lex_push(struct lex *lx, struct lex_line *ln, const char *s, size_t len,
    size_t start)
{
	if (ln->nwords == LEX_MAX_WORDS) {
		if (ln->over_col == 0)
			ln->over_col = lex_col(start);
		return;
	}
	if (ln->nwords == lx->cap) {
		lx->cap = lx->cap ? lx->cap * 2 : 16;
		lx->words = xreallocarray(lx->words, lx->cap,
		    sizeof(*lx->words));
		ln->words = lx->words;
	}
	lx->words[ln->nwords].s = s;
	lx->words[ln->nwords].len = len;
	lx->words[ln->nwords].col = lex_col(start);
	ln->nwords++;
}

bool
lex_next(struct lex *lx, struct lex_line *ln)
{
	const char *line, *nl;
	size_t len, i, start;
	bool comment = false;

	if (lx->pos >= lx->len)
		return false;
	line = lx->buf + lx->pos;
	nl = memchr(line, '\n', lx->len - lx->pos);
	len = nl ? (size_t)(nl - line) : lx->len - lx->pos;
	lx->pos += len + (nl != NULL);
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (lx->lineno == 0 && lex_has_bom(line, len)) {
		line += LEX_BOM_LEN;
		len -= LEX_BOM_LEN;
	}
	if (lx->lineno < UINT32_MAX)
		lx->lineno++;

	ln->lineno = lx->lineno;
	ln->text = line;
	ln->len = len;
	ln->words = lx->words;
	ln->nwords = 0;
	ln->bad_col = 0;
	ln->bad_char = 0;
	ln->over_col = 0;
	/* Invariant: words hold every complete word before i. */
	for (i = 0; i < len; ) {
		unsigned char c = (unsigned char)line[i];

		if (lex_is_control(c)) {
			if (ln->bad_col == 0) {
				ln->bad_col = lex_col(i);
				ln->bad_char = c;
			}
			i++;
			continue;
		}
		if (comment || lex_is_blank(c)) {
			i++;
			continue;
		}
		if (c == '#') {
			comment = true;
			i++;
			continue;
		}
		start = i;
		while (i < len && !lex_is_blank((unsigned char)line[i]) &&
		    !lex_is_control((unsigned char)line[i]) && line[i] != '#')
			i++;
		lex_push(lx, ln, line + start, i - start, start);
	}
	return true;
}

bool
lex_eq(const struct lex_word *w, const char *lit)
{
	size_t n = strlen(lit);

	return w->len == n && memcmp(w->s, lit, n) == 0;
}

static int
lex_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The size suffixes and the power of two each multiplies by. */
static const struct {
	const char	*name;
	unsigned	 shift;
} lex_suffixes[] = {
	{ "K", 10 }, { "M", 20 }, { "G", 30 }, { "T", 40 },
	{ "KiB", 10 }, { "MiB", 20 }, { "GiB", 30 }, { "TiB", 40 },
};

/* Suffixes past T: named so that `16E` is refused as such, not as junk. */
static const char *const lex_big_suffixes[] = { "P", "E", "PiB", "EiB" };

/*
 * The shift of suffix S (LEN bytes): 0 for none, -1 for no suffix of ours,
 * -2 for one of ours in the wrong case, -3 for one beyond T.
 */
static int
lex_suffix(const char *s, size_t len)
{
	size_t k;

	if (len == 0)
		return 0;
	for (k = 0; k < sizeof(lex_suffixes) / sizeof(lex_suffixes[0]); k++) {
		if (strlen(lex_suffixes[k].name) == len &&
		    memcmp(lex_suffixes[k].name, s, len) == 0)
			return (int)lex_suffixes[k].shift;
	}
	for (k = 0; k < sizeof(lex_suffixes) / sizeof(lex_suffixes[0]); k++) {
		if (strlen(lex_suffixes[k].name) == len &&
		    strncasecmp(lex_suffixes[k].name, s, len) == 0)
			return -2;
	}
	for (k = 0; k < sizeof(lex_big_suffixes) / sizeof(lex_big_suffixes[0]);
	    k++) {
		if (strlen(lex_big_suffixes[k]) == len &&
		    memcmp(lex_big_suffixes[k], s, len) == 0)
			return -3;
	}
	return -1;
}

enum lex_err
lex_number(const char *s, size_t len, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;
	size_t i = 0, digits = 0;
	int shift, d;

	if (len > 2 && s[0] == '0' && s[1] == 'x') {
		base = 16;
		i = 2;
	}
	for (; i < len; i++, digits++) {
		d = lex_hexval((unsigned char)s[i]);
		if (d < 0 || (unsigned)d >= base)
			break;
		if (v > (UINT64_MAX - (unsigned)d) / base)
			return LEX_OVERFLOW;
		v = v * base + (unsigned)d;
	}
	if (digits == 0)
		return LEX_SYNTAX;
	shift = lex_suffix(s + i, len - i);
	if (shift == -1)
		return LEX_SYNTAX;
	if (shift == -2)
		return LEX_SUFFIX_CASE;
	if (shift == -3)
		return LEX_SUFFIX_BIG;
	if (shift > 0 && v > (UINT64_MAX >> shift))
		return LEX_OVERFLOW;
	*out = v << shift;
	return LEX_OK;
}

enum lex_err
lex_prob(const char *s, size_t len, uint64_t *num, uint64_t *den)
{
	size_t i = 0, intdigits = 0, fstart, fend;
	uint64_t ipart = 0, f = 0, d = 1;

	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, intdigits++) {
		if (ipart < 10)
			ipart = ipart * 10 + (uint64_t)(s[i] - '0');
	}
	fstart = fend = i;
	if (i < len && s[i] == '.') {
		fstart = ++i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		fend = i;
		if (fend == fstart)
			return LEX_SYNTAX;
	}
	if (i != len || intdigits + (fend - fstart) == 0)
		return LEX_SYNTAX;
	while (fend > fstart && s[fend - 1] == '0')
		fend--;
	if (ipart > 1 || (ipart == 1 && fend > fstart))
		return LEX_RANGE;
	if (fend - fstart > LEX_PROB_DIGITS)
		return LEX_DIGITS;
	for (i = fstart; i < fend; i++) {
		f = f * 10 + (uint64_t)(s[i] - '0');
		d *= 10;
	}
	*num = ipart ? d : f;
	*den = d;
	return LEX_OK;
}

static bool
lex_is_name_start(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool
lex_is_name_char(unsigned char c)
{
	return lex_is_name_start(c) || (c >= '0' && c <= '9') || c == '.' ||
	    c == '-';
}

bool
lex_is_name(const char *s, size_t len)
{
	if (len == 0 || !lex_is_name_start((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < len; i++) {
		if (!lex_is_name_char((unsigned char)s[i]))
			return false;
	}
	return true;
}
