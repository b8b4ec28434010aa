/*
 * The values of the scenario language and the parser's error reporting
 * (see pval.h).
 *
 * Errors past SCN_MAX_ERRORS of one file are dropped and set `stopped`,
 * which ends the parse; parse_script() then adds one note at `full_line`
 * saying so.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/era.h"
#include "../sim/inv.h"
#include "../sim/quirk.h"
#include "../sim/stat.h"
#include "fmt.h"
#include "pval.h"

static void __attribute__((__format__(__printf__, 5, 0)))
pval_verr_at(struct pval *pv, uint32_t line, uint32_t col, uint32_t width,
    const char *fmt, va_list ap)
{
	char *msg;

	if (pv->diags->n - pv->nerr0 >= SCN_MAX_ERRORS) {
		if (pv->full_line == 0)
			pv->full_line = line;
		pv->stopped = true;
		return;
	}
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	diag_add(pv->diags, line, col, width, "%s",
	    msg ? msg : "(out of memory)");
	free(msg);
}

void
pval_err_at(struct pval *pv, uint32_t line, uint32_t col, uint32_t width,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pval_verr_at(pv, line, col, width, fmt, ap);
	va_end(ap);
}

void
pval_err(struct pval *pv, const struct lex_word *w, const char *fmt, ...)
{
	uint32_t width = w->len > UINT32_MAX ? UINT32_MAX : (uint32_t)w->len;
	va_list ap;

	va_start(ap, fmt);
	pval_verr_at(pv, pv->line, w->col, width, fmt, ap);
	va_end(ap);
}

struct scn_pos
pval_pos(const struct pval *pv, const struct lex_word *w)
{
	struct scn_pos pos = { pv->line, w->col };

	return pos;
}

/* Name I of the names WHICH lists. */
static const char *
pval_name(enum pval_names which, int i)
{
	switch (which) {
	case PVAL_QUIRKS:
		return quirk_info((enum quirk_id)i)->name;
	case PVAL_PRESETS:
		return quirk_preset_name((enum quirk_preset)i);
	case PVAL_STATS:
		return stat_name((enum stat_id)i);
	default:
		return inv_kind_name((enum inv_kind)i);
	}
}

/* Name I of table WHICH belongs to ERA. */
static bool
pval_in_era(enum pval_names which, int i, unsigned era)
{
	switch (which) {
	case PVAL_QUIRKS:
		return quirk_info((enum quirk_id)i)->era == era;
	case PVAL_PRESETS:
		return quirk_preset_era((enum quirk_preset)i) == era;
	case PVAL_STATS:
		return stat_in_era((enum stat_id)i, era);
	default:
		return true;
	}
}

const char *
pval_era_name(unsigned era)
{
	return era_ops((enum era_id)era)->name;
}

/* One of the COUNT things called WHAT of this filesystem, from 1. */
static bool
pval_numbered(struct pval *pv, const struct lex_word *w, const char *v,
    size_t vlen, const char *what, uint32_t count, int *out)
{
	char range[80];
	uint64_t n;

	if (count == 1)
		snprintf(range, sizeof(range), "1: this filesystem has 1 %s",
		    what);
	else
		snprintf(range, sizeof(range), "from 1 to %u: this filesystem "
		    "has %u %ss", count, count, what);
	if (!pval_range(pv, w, v, vlen, what, 1, count, range, &n))
		return false;
	*out = (int)n;
	return true;
}

bool
pval_modern(struct pval *pv, const struct lex_word *w, const char *what)
{
	if (pv->era == ERA_MODERN)
		return true;
	if (pv->era_fixed)
		pval_err(pv, w, "%s belongs to the modern era, and --era=%s "
		    "runs this file in the %s era: use --era=modern", what,
		    pval_era_name(pv->era), pval_era_name(pv->era));
	else
		pval_err(pv, w, "%s belongs to the modern era, and this file "
		    "is era %s: write `era modern` as its first line", what,
		    pval_era_name(pv->era));
	return false;
}

bool
pval_device(struct pval *pv, const struct lex_word *w, const char *v,
    size_t vlen, int *out)
{
	return pval_numbered(pv, w, v, vlen, "device", pv->devices, out);
}

void
pval_list(struct pval *pv, char *buf, size_t sz, enum pval_names which)
{
	size_t n = 0;
	static const int count[] = {
		[PVAL_QUIRKS] = QUIRK_COUNT,
		[PVAL_PRESETS] = PRESET_COUNT,
		[PVAL_STATS] = STAT_COUNT,
		[PVAL_KINDS] = INV_KIND_COUNT,
	};
	const char *names[QUIRK_COUNT + PRESET_COUNT + STAT_COUNT +
	    INV_KIND_COUNT];

	for (int i = 0; i < count[which]; i++)
		if (pval_in_era(which, i, pv->era))
			names[n++] = pval_name(which, i);
	fmt_list(buf, sz, names, n, "or");
}

bool
pval_pow2(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

bool
pval_eq(const char *v, size_t vlen, const char *lit)
{
	return strlen(lit) == vlen && memcmp(v, lit, vlen) == 0;
}

/* Why a number did not parse, as the end of "WHAT `WORD`...". */
static const char *const pval_num_errors[] = {
	[LEX_SUFFIX_CASE] = ": size suffixes are uppercase: K, M, G, T, KiB, "
	    "MiB, GiB or TiB",
	[LEX_SUFFIX_BIG] = ": the size suffixes stop at T (TiB); write a "
	    "larger number in T or in 0x hex",
	[LEX_OVERFLOW] = " does not fit in 64 bits: the largest number is "
	    "0xffffffffffffffff",
	[LEX_SYNTAX] = " is not a number: use decimal or 0x hex digits with "
	    "an optional K, M, G, T, KiB, MiB, GiB or TiB suffix",
};

bool
pval_num(struct pval *pv, const struct lex_word *w, const char *v,
    size_t vlen, const char *what, uint64_t *out)
{
	enum lex_err e;

	if (pval_eq(v, vlen, "max")) {
		pval_err(pv, w, "%s cannot be max: max is accepted only as a "
		    "length; give a number", what);
		return false;
	}
	if ((e = lex_number(v, vlen, out)) == LEX_OK)
		return true;
	if ((size_t)e >= sizeof(pval_num_errors) / sizeof(pval_num_errors[0]) ||
	    pval_num_errors[e] == NULL)
		e = LEX_SYNTAX;
	pval_err(pv, w, "%s `" PVAL_SHOW_FMT "`%s", what, PVAL_SHOW(v, vlen),
	    pval_num_errors[e]);
	return false;
}

/*
 * A number in [lo, hi]; RANGE says what is accepted, for the messages:
 * a word that is no number at all is told the range, not the K/M
 * suffixes that sizes take.
 */
bool
pval_range(struct pval *pv, const struct lex_word *w, const char *v,
    size_t vlen, const char *what, uint64_t lo, uint64_t hi,
    const char *range, uint64_t *out)
{
	if (lex_number(v, vlen, out) == LEX_SYNTAX && !pval_eq(v, vlen,
	    "max")) {
		pval_err(pv, w, "%s `" PVAL_SHOW_FMT "` is not a number: %s "
		    "must be %s", what, PVAL_SHOW(v, vlen), what, range);
		return false;
	}
	if (!pval_num(pv, w, v, vlen, what, out))
		return false;
	if (*out < lo || *out > hi) {
		pval_err(pv, w, "%s must be %s", what, range);
		return false;
	}
	return true;
}

bool
pval_mirror(struct pval *pv, const struct lex_word *w, const char *v,
    size_t vlen, int *out)
{
	return pval_numbered(pv, w, v, vlen, "mirror", pv->mirrors, out);
}

bool
pval_byte(struct pval *pv, const struct lex_word *w, const char *v,
    size_t vlen, const char *what, int *out)
{
	uint64_t b;

	if (!pval_range(pv, w, v, vlen, what, 0, 255,
	    "a byte from 0 to 255 (decimal or 0x hex)", &b))
		return false;
	*out = (int)b;
	return true;
}

/* A count that must be at least 1. */
bool
pval_positive(struct pval *pv, const struct lex_word *w, const char *v,
    size_t vlen, const char *what, uint64_t *out)
{
	return pval_range(pv, w, v, vlen, what, 1, UINT64_MAX,
	    "at least 1", out);
}

/* An OFF (called WHAT in messages): a number below SCN_ADDR_LIMIT. */
bool
pval_off(struct pval *pv, const struct lex_word *w, const char *v,
    size_t vlen, const char *what, uint64_t *out)
{
	if (!pval_num(pv, w, v, vlen, what, out))
		return false;
	if (*out >= SCN_ADDR_LIMIT) {
		pval_err(pv, w, "%s must be below " PVAL_ADDR_TEXT, what);
		return false;
	}
	return true;
}

/*
 * A LEN after an OFF (called OFFNAME in messages) that parsed if OFF_OK
 * (so OFF < SCN_ADDR_LIMIT): a number >= 1 with OFF + LEN at most
 * SCN_ADDR_LIMIT, or `max` (len = UINT64_MAX - off, "to the end").  A
 * range past the limit, 64-bit overflow included, is reported at the LEN
 * word; with a bad OFF only LEN's own form is checked.
 */
bool
pval_len(struct pval *pv, const struct lex_word *w, const char *v,
    size_t vlen, const char *what, const char *offname, uint64_t off,
    bool off_ok, uint64_t *len, bool *len_max)
{
	uint64_t n;

	if (pval_eq(v, vlen, "max")) {
		*len = UINT64_MAX - off;
		*len_max = true;
		return off_ok;
	}
	if (!pval_num(pv, w, v, vlen, what, &n))
		return false;
	if (n == 0) {
		pval_err(pv, w, "%s must be at least 1: a zero-length range is "
		    "empty; give a positive length, or max for \"to the end\"",
		    what);
		return false;
	}
	if (off_ok && n > SCN_ADDR_LIMIT - off) {
		pval_err(pv, w, "%s + %s ends past " PVAL_ADDR_TEXT ": give a "
		    "smaller %s, or max for \"to the end\"", offname, what,
		    what);
		return false;
	}
	*len = n;
	*len_max = false;
	return off_ok;
}

bool
pval_has_eq(const struct lex_word *w)
{
	return memchr(w->s, '=', w->len) != NULL;
}

size_t
pval_spaced_option(struct pval *pv, const struct lex_word *w, size_t n,
    size_t i)
{
	const struct lex_word *a = &w[i], *b = i + 1 < n ? &w[i + 1] : NULL;
	const char *eq = memchr(a->s, '=', a->len);
	size_t span = 0;

	if (b == NULL)
		return 0;
	if (eq == NULL && b->s[0] == '=')
		span = b->len == 1 && i + 2 < n ? 3 : 2;	/* k = v, k =v */
	else if (eq == a->s + a->len - 1 && a->len > 1 && !pval_has_eq(b))
		span = 2;					/* k= v */
	if (span == 0)
		return 0;
	pval_err(pv, a, "`" PVAL_SHOW_FMT "%s" PVAL_SHOW_FMT "%s"
	    PVAL_SHOW_FMT "` has spaces around its =: write it as one word, "
	    PVAL_SHOW_FMT "=" PVAL_SHOW_FMT, PVAL_SHOWW(a), " ", PVAL_SHOWW(b),
	    span == 3 ? " " : "", PVAL_SHOW(span == 3 ? w[i + 2].s : "",
	    span == 3 ? w[i + 2].len : 0),
	    PVAL_SHOW(a->s, eq ? (size_t)(eq - a->s) : a->len),
	    PVAL_SHOW(span == 3 ? w[i + 2].s : (eq ? b->s : b->s + 1),
	    span == 3 ? w[i + 2].len : (eq ? b->len : b->len - 1)));
	return span;
}

const char *
pval_opt(const struct lex_word *w, size_t *vlen)
{
	const char *eq = memchr(w->s, '=', w->len);

	*vlen = w->len - (size_t)(eq + 1 - w->s);
	return eq + 1;
}

int
pval_choice(struct pval *pv, const struct lex_word *w,
    const char *const *words, size_t n)
{
	char list[128];
	size_t vlen;
	const char *v = pval_opt(w, &vlen);

	for (size_t i = 0; i < n; i++)
		if (pval_eq(v, vlen, words[i]))
			return (int)i;
	fmt_list(list, sizeof(list), words, n, "or");
	pval_err(pv, w, "%.*s must be %s", (int)(w->len - vlen - 1), w->s,
	    list);
	return -1;
}

enum pval_set_err
pval_set(const char *v, size_t vlen, char sep, const char *const *names,
    size_t n, unsigned *mask, const char **item, size_t *ilen)
{
	const char *end = v + vlen, *at = v, *next;
	size_t k;

	*mask = 0;
	/* Invariant: *mask holds the names of the items before `at`. */
	for (;; at = next + 1) {
		if ((next = memchr(at, sep, (size_t)(end - at))) == NULL)
			next = end;
		*item = at;
		*ilen = (size_t)(next - at);
		for (k = 0; k < n && !pval_eq(at, *ilen, names[k]); k++)
			continue;
		if (k == n)
			return PVAL_SET_UNKNOWN;
		if (*mask & (1u << k))
			return PVAL_SET_TWICE;
		*mask |= 1u << k;
		if (next == end)
			return PVAL_SET_OK;
	}
}

int
pval_quirk(struct pval *pv, const struct lex_word *w)
{
	char list[256];
	int q = quirk_lookup(w->s, w->len);

	if (q >= 0 && quirk_info(q)->era == pv->era)
		return q;
	pval_list(pv, list, sizeof(list), PVAL_QUIRKS);
	if (q >= 0 && pv->era_fixed) {
		pval_err(pv, w, "quirk %s belongs to the %s era, and --era=%s "
		    "runs this file in the %s era: use %s, or --era=%s",
		    quirk_info(q)->name, pval_era_name(quirk_info(q)->era),
		    pval_era_name(pv->era), pval_era_name(pv->era), list,
		    pval_era_name(quirk_info(q)->era));
		return -1;
	}
	if (q >= 0) {
		pval_err(pv, w, "quirk %s belongs to the %s era, and this file "
		    "is era %s: use %s, or write `era %s` first",
		    quirk_info(q)->name, pval_era_name(quirk_info(q)->era),
		    pval_era_name(pv->era), list,
		    pval_era_name(quirk_info(q)->era));
		return -1;
	}
	pval_err(pv, w, "unknown quirk `" PVAL_SHOW_FMT "`: use %s",
	    PVAL_SHOWW(w), list);
	return -1;
}
