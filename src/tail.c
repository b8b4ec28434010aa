/*
 * The `expect OUTCOME [key=value ...]` tail of an operation line (see
 * tail.h): the outcomes an operation may have, joined by `|`, and for a
 * read the keys that say how it went (mirror=, retries=, lookup=,
 * data=), each at most once.
 */
#include <string.h>

#include "../sim/era.h"
#include "pval.h"
#include "stmt.h"
#include "tail.h"

/* The outcomes, bit k of a mask for outcome_names[k] (SCN_OUT_*). */
static const char *const outcome_names[] = { "ok", "eio", "enospc", "oops",
    "hang" };
#define NOUTCOMES	(sizeof(outcome_names) / sizeof(outcome_names[0]))

/* The outcomes of the file's era, for messages. */
#define OUTCOMES(pv)	((pv)->era == ERA_2008 ? \
			"ok, eio, enospc or oops, or alternatives joined " \
			"by | such as ok|eio" : \
			"ok, eio, enospc, oops or hang, or alternatives " \
			"joined by | such as ok|eio")
#define READ_TAIL	"expect OUTCOME [mirror=N] [retries=N] " \
			"[lookup=cache|get_extent] [data=intact|BYTE]"

/* OUTCOME: one outcome, or alternatives joined by |, each once. */
static void
tail_outcome(struct pval *pv, const struct lex_word *w, struct scn_expect *e)
{
	const char *item;
	size_t ilen;
	unsigned mask;

	if (lex_eq(w, "deadlock") || lex_eq(w, "no-deadlock")) {
		pval_err(pv, w, "%.*s is expected on the end line of a "
		    "concurrent block (end expect %.*s); an operation expects "
		    "%s", (int)w->len, w->s, (int)w->len, w->s, OUTCOMES(pv));
		return;
	}
	switch (pval_set(w->s, w->len, '|', outcome_names, NOUTCOMES, &mask,
	    &item, &ilen)) {
	case PVAL_SET_OK:
		if ((mask & SCN_OUT_HANG) &&
		    !pval_modern(pv, w, "outcome hang (a repair walk that "
		    "never ends)"))
			mask &= ~SCN_OUT_HANG;
		e->outcomes = mask ? mask : SCN_OUT_OK;
		break;
	case PVAL_SET_UNKNOWN:
		pval_err(pv, w, "unknown outcome `" PVAL_SHOW_FMT "`: use %s",
		    PVAL_SHOW(item, ilen), OUTCOMES(pv));
		break;
	case PVAL_SET_TWICE:
		pval_err(pv, w, "outcome %.*s listed twice: list each outcome "
		    "once", (int)ilen, item);
		break;
	}
}

enum { TK_MIRROR, TK_RETRIES, TK_LOOKUP, TK_DATA, TK_COUNT };

static const char *const tail_keys[TK_COUNT] = {
	"mirror", "retries", "lookup", "data"
};

/* The read key KEY (TK_*) of word W, into ST's expect. */
static void
tail_key(struct pval *pv, const struct lex_word *w, int key,
    struct scn_stmt *st)
{
	static const char *const lookups[] = { "cache", "get_extent" };
	struct scn_expect *e = &st->expect;
	const char *v;
	size_t vlen;
	uint64_t n;
	int k;

	v = pval_opt(w, &vlen);
	switch (key) {
	case TK_MIRROR:
		pval_mirror(pv, w, v, vlen, &e->mirror);
		break;
	case TK_RETRIES:
		if (pval_range(pv, w, v, vlen, "retries", 0, INT64_MAX,
		    pv->era == ERA_2008 ? "a count of retry bios, 0 or more" :
		    "a count of repair reads, 0 or more", &n))
			e->retries = (int64_t)n;
		break;
	case TK_LOOKUP:
		if (pv->era != ERA_2008) {
			pval_err(pv, w, "lookup= belongs to the 2008 era (the "
			    "retry's extent map lookup): a modern read has no "
			    "such lookup");
			break;
		}
		if ((k = pval_choice(pv, w, lookups, 2)) >= 0)
			e->lookup = k == 0 ? SCN_LOOKUP_CACHE :
			    SCN_LOOKUP_GET_EXTENT;
		break;
	case TK_DATA:
		if (pval_eq(v, vlen, "intact"))
			e->data = SCN_DATA_INTACT;
		else if (lex_number(v, vlen, &n) == LEX_OK && n <= 255)
			e->data = (int)n;
		else
			pval_err(pv, w, "data must be intact or a byte from 0 "
			    "to 255 (decimal or 0x hex)");
		break;
	}
}

void
tail_parse(struct pval *pv, const struct stmt_line *l, struct scn_stmt *st)
{
	const struct lex_word *seen[TK_COUNT] = { NULL };
	struct scn_expect *e = &st->expect;
	bool is_read = (l->row->flags & STMT_READ_KEYS) != 0;
	size_t i = 0;
	int k;

	e->given = true;
	e->pos = pval_pos(pv, l->expect);
	if (l->ntail == 0 || pval_has_eq(&l->tail[0])) {
		pval_err(pv, l->expect, "missing OUTCOME after expect: use %s",
		    OUTCOMES(pv));
	} else
		tail_outcome(pv, &l->tail[i++], e);
	for (; i < l->ntail; i++) {
		const struct lex_word *w = &l->tail[i];
		const char *eq = memchr(w->s, '=', w->len);

		if (eq == NULL) {
			if (lex_eq(w, "expect")) {
				pval_err(pv, w, "expect given twice: a line "
				    "has one expect tail");
				break;
			} else if (stmt_flag(w) != NULL)
				pval_err(pv, w, "flag %.*s must come before "
				    "expect", (int)w->len, w->s);
			else
				pval_err(pv, w, "unexpected word `"
				    PVAL_SHOW_FMT "` after the outcome: %s",
				    PVAL_SHOWW(w),
				    is_read ? READ_TAIL : "expect OUTCOME");
			continue;
		}
		for (k = 0; k < TK_COUNT; k++) {
			if (pval_eq(w->s, (size_t)(eq - w->s), tail_keys[k]))
				break;
		}
		if (k == TK_COUNT) {
			pval_err(pv, w, "unknown expect key `" PVAL_SHOW_FMT
			    "=`: %s", PVAL_SHOW(w->s, (size_t)(eq - w->s)),
			    READ_TAIL);
			continue;
		}
		if (!is_read) {
			pval_err(pv, w, "expect key %s= applies to read only: "
			    "%s takes expect OUTCOME", tail_keys[k],
			    l->row->name);
			continue;
		}
		if (seen[k] != NULL) {
			pval_err(pv, w, "expect key %s= given twice (first at "
			    "column %u): give each key once", tail_keys[k],
			    seen[k]->col);
			continue;
		}
		seen[k] = w;
		tail_key(pv, w, k, st);
	}
}

bool
tail_is_outcome(const struct lex_word *w)
{
	for (size_t k = 0; k < NOUTCOMES; k++) {
		if (lex_eq(w, outcome_names[k]))
			return true;
	}
	return memchr(w->s, '|', w->len) != NULL;
}
