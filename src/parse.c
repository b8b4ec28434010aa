/*
 * The scenario parser (see parse.h).  One pass over the lines of the file:
 * each line is one statement, found by its word in the statement table
 * (src/stmt.h), whose row gives its positional words, its options
 * (key=value), its flags and the usage line quoted by messages about it.
 * The words of a line are split once into positional words, options,
 * flags and the `expect` tail; each part is then checked against the row
 * (values by pval.c, the tail by tail.c), and the row's parse hook checks
 * the rest.
 *
 * Positional words are taken in order while they can be one: a word with
 * `=` is never positional, and a word that is `expect` or a flag name ends
 * the positional words unless the slot is a NAME (a file may be called
 * `expect`).  The rest, up to the word `expect`, are options and flags in
 * any order.
 *
 * Messages say what is accepted; they quote the statement's usage line when
 * a word is missing or unexpected.  The caret marks the offending word: the
 * whole key=value word for an option, the statement word when something is
 * missing, the LEN word when OFF + LEN ends past 2^63, the `concurrent`
 * word for a block that is never closed or is empty.
 *
 * State across lines: whether any statement was seen (fs must be first),
 * the first line of each statement that may appear once, the line of the
 * first operation (headers must precede operations), the files created so
 * far (pfiles.h, for O(1) lookups in long files), the
 * open `concurrent` block with its nesting depth, and what the limits of
 * scn.h count: statements, errors (pval.h), the schedules of the blocks
 * so far.  The first fs line sets the script's fs options as it is read,
 * so that its mirror count bounds the mirror=N of the lines after it.
 *
 * Limits (scn.h, blksim-scenario(5) LIMITS) are errors like any other,
 * except that the first statement past SCN_MAX_STATEMENTS and the first
 * error past SCN_MAX_ERRORS end the parse (a huge file costs no more than
 * the limit), and a buffer past SCN_MAX_BYTES is refused unread.  Every
 * offset, size and logical address is checked against SCN_ADDR_LIMIT,
 * which is what lets the model add and round them without overflow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../sim/era.h"
#include "../sim/sched.h"
#include "../sim/xmalloc.h"
#include "fmt.h"
#include "lex.h"
#include "parse.h"
#include "pfiles.h"
#include "pval.h"
#include "stmt.h"
#include "tail.h"

#define PARSE_DEFAULT_RUNS	1u
#define PARSE_DEFAULT_SCHEDULES	100000u
#define PARSE_MAX_NAMES		32	/* statement words listed in messages */

/* How a slot is called in "missing X" messages. */
static const char *const slot_labels[] = {
	[STMT_SL_NAME] = "NAME",
	[STMT_SL_NEWNAME] = "NAME",
	[STMT_SL_OFF] = "OFF",
	[STMT_SL_LEN] = "LEN",
	[STMT_SL_SIZE] = "SIZE",
	[STMT_SL_COUNT] = "N",
	[STMT_SL_SEED] = "N",
	[STMT_SL_LEVEL] = "1|2|3",
	[STMT_SL_PRESET] = "the preset name",
	[STMT_SL_QUIRK] = "the quirk name",
	[STMT_SL_ONOFF] = "on|off",
	[STMT_SL_PRESENCE] = "present|absent",
	[STMT_SL_KIND] = "the violation KIND",
	[STMT_SL_ERA] = "2008|modern",
};

struct parser {
	struct pval		 pv;		/* errors, line, mirror bound */
	struct scn_script	*s;
	size_t			 stmt_cap;
	struct pfiles		 files;		/* created so far */
	bool			 seen_stmt;
	uint32_t		 first_line;	/* of the first statement */
	uint32_t		 past_era_line;	/* of the first one not era */
	uint32_t		 once_line[SCN_KIND_COUNT]; /* STMT_ONCE rows */
	uint32_t		 first_op_line;
	const char		*first_op;	/* its statement name */
	int			 depth;		/* concurrent nesting */
	struct scn_stmt		 block;		/* the open block */
	uint32_t		 block_width;	/* of its `concurrent` word */
	size_t			 task_cap;
	bool			 block_content;
	bool			 block_full;	/* its task limit reported */
	size_t			 nstatements;	/* lines with a statement */
	uint64_t		 schedules;	/* of the blocks so far */
	bool			 schedules_full; /* their limit reported */
};

/* --- files --------------------------------------------------------------- */

static bool
check_name(struct parser *p, const struct lex_word *w)
{
	if (lex_is_name(w->s, w->len))
		return true;
	pval_err(&p->pv, w, "`" PVAL_SHOW_FMT "` is not a valid file name: a "
	    "NAME is a letter or _ followed by letters, digits, _, . or -",
	    PVAL_SHOWW(w));
	return false;
}

/* --- positional words ---------------------------------------------------- */

static void
slot_name(struct parser *p, const struct lex_word *w, struct scn_stmt *st)
{
	int idx;

	st->name_pos = pval_pos(&p->pv, w);
	if (!check_name(p, w))
		return;
	idx = pfiles_find(&p->files, w->s, w->len);
	if (idx < 0) {
		pval_err(&p->pv, w, "file `%.*s` is used before it is created: "
		    "add `create %.*s` above this line", (int)w->len, w->s,
		    (int)w->len, w->s);
		return;
	}
	st->file = idx;
}

static void
slot_newname(struct parser *p, const struct lex_word *w, struct scn_stmt *st)
{
	int idx;

	st->name_pos = pval_pos(&p->pv, w);
	if (!check_name(p, w))
		return;
	idx = pfiles_find(&p->files, w->s, w->len);
	if (idx >= 0) {
		pval_err(&p->pv, w, "file `%.*s` is already created at line "
		    "%u: create each file once", (int)w->len, w->s,
		    pfiles_line(&p->files, idx));
		st->file = idx;
		return;
	}
	if (p->s->nfiles >= SCN_MAX_FILES) {
		pval_err(&p->pv, w, "too many files: a scenario may create at "
		    "most %u; reuse a file or split the scenario",
		    SCN_MAX_FILES);
		return;
	}
	st->file = pfiles_add(&p->files, w->s, w->len, p->pv.line);
}

static void
slot_preset(struct parser *p, const struct lex_word *w, struct scn_stmt *st)
{
	char list[128];

	st->preset = quirk_preset_lookup(w->s, w->len);
	pval_list(&p->pv, list, sizeof(list), PVAL_PRESETS);
	if (st->preset >= 0 && quirk_preset_era(st->preset) != p->pv.era) {
		pval_err(&p->pv, w, "preset %s belongs to the %s era, and this "
		    "file is era %s: use %s", quirk_preset_name(st->preset),
		    pval_era_name(quirk_preset_era(st->preset)),
		    pval_era_name(p->pv.era), list);
		st->preset = -1;
		return;
	}
	if (st->preset >= 0)
		return;
	pval_err(&p->pv, w, "unknown preset `" PVAL_SHOW_FMT "`: use %s",
	    PVAL_SHOWW(w), list);
}

static void
slot_kind(struct parser *p, const struct lex_word *w, struct scn_stmt *st)
{
	char list[128];

	st->violation = inv_kind_lookup(w->s, w->len);
	if (st->violation >= 0)
		return;
	pval_list(&p->pv, list, sizeof(list), PVAL_KINDS);
	pval_err(&p->pv, w, "unknown violation kind `" PVAL_SHOW_FMT "`: use "
	    "%s", PVAL_SHOWW(w), list);
}

/* Parse the positional words of L into ST, in slot order. */
static void
parse_slots(struct parser *p, const struct stmt_line *l, struct scn_stmt *st)
{
	bool off_ok = false;
	uint64_t v;

	for (size_t i = 0; i < l->npos; i++) {
		const struct lex_word *w = l->pos[i];

		switch (l->row->pos[i]) {
		case STMT_SL_NAME:
			slot_name(p, w, st);
			break;
		case STMT_SL_NEWNAME:
			slot_newname(p, w, st);
			break;
		case STMT_SL_OFF:
			st->off_pos = pval_pos(&p->pv, w);
			off_ok = pval_off(&p->pv, w, w->s, w->len, "OFF",
			    &st->off);
			break;
		case STMT_SL_LEN:
			st->len_pos = pval_pos(&p->pv, w);
			pval_len(&p->pv, w, w->s, w->len, "LEN", "OFF", st->off,
			    off_ok, &st->len, &st->len_max);
			break;
		case STMT_SL_SIZE:
			st->size_pos = pval_pos(&p->pv, w);
			if (pval_num(&p->pv, w, w->s, w->len, "SIZE",
			    &st->size) && st->size > SCN_ADDR_LIMIT)
				pval_err(&p->pv, w, "SIZE must be at most "
				    PVAL_ADDR_TEXT);
			break;
		case STMT_SL_COUNT:
			st->size_pos = pval_pos(&p->pv, w);
			pval_num(&p->pv, w, w->s, w->len, "N", &st->size);
			break;
		case STMT_SL_SEED:
			pval_num(&p->pv, w, w->s, w->len, "seed", &st->seed);
			break;
		case STMT_SL_LEVEL:
			if (pval_range(&p->pv, w, w->s, w->len, "drop-caches "
			    "level", 1, 3, "1 (page cache), 2 (extent map "
			    "caches and cached metadata) or 3 (both)", &v))
				st->level = (int)v;
			break;
		case STMT_SL_PRESET:
			slot_preset(p, w, st);
			break;
		case STMT_SL_QUIRK:
			st->quirk = pval_quirk(&p->pv, w);
			break;
		case STMT_SL_ONOFF:
			if (lex_eq(w, "on") || lex_eq(w, "off"))
				st->on = lex_eq(w, "on");
			else
				pval_err(&p->pv, w, "a quirk is turned on or "
				    "off, not `" PVAL_SHOW_FMT "`",
				    PVAL_SHOWW(w));
			break;
		case STMT_SL_PRESENCE:
			if (lex_eq(w, "present") || lex_eq(w, "absent"))
				st->present = lex_eq(w, "present");
			else
				pval_err(&p->pv, w, "expect cache ends with "
				    "present or absent, not `" PVAL_SHOW_FMT
				    "`", PVAL_SHOWW(w));
			break;
		case STMT_SL_KIND:
			slot_kind(p, w, st);
			break;
		case STMT_SL_ERA:	/* the row's hook: it sets the era */
			break;
		}
	}
}

/* --- splitting a line --------------------------------------------------- */

/*
 * Find the expect tail among ARGS and leave l->args/nargs as the words
 * before it.  For a statement with positional words the tail starts at the
 * first `expect` that is not in a NAME slot.
 */
static void
split_tail(struct stmt_line *l, const struct lex_word *args, size_t nargs)
{
	size_t i;

	l->args = args;
	l->nargs = nargs;
	for (i = 0; i < nargs; i++) {
		if (i < l->row->npos && !l->row->raw &&
		    (l->row->pos[i] == STMT_SL_NAME ||
		    l->row->pos[i] == STMT_SL_NEWNAME) &&
		    !pval_has_eq(&args[i]))
			continue;
		if (lex_eq(&args[i], "expect"))
			break;
	}
	if (i < nargs) {
		l->nargs = i;
		l->expect = &args[i];
		l->tail = &args[i + 1];
		l->ntail = nargs - i - 1;
	}
}

/* Split l->args into positional words, options and flags. */
static void
split_args(struct parser *p, struct stmt_line *l)
{
	const struct stmt_row *d = l->row;
	const struct stmt_flag *f;
	size_t i = 0, k;

	/* Invariant: l->pos holds the first npos words, all positional. */
	for (; i < l->nargs && l->npos < d->npos; i++) {
		const struct lex_word *w = &l->args[i];
		enum stmt_slot sl = d->pos[l->npos];

		if (pval_has_eq(w))
			break;
		if (sl != STMT_SL_NAME && sl != STMT_SL_NEWNAME &&
		    stmt_flag(w) != NULL)
			break;
		l->pos[l->npos++] = w;
	}
	for (; i < l->nargs; i++) {
		const struct lex_word *w = &l->args[i];
		const char *eq = memchr(w->s, '=', w->len);
		size_t spaced = pval_spaced_option(&p->pv, l->args, l->nargs,
		    i);

		if (spaced > 0) {
			/* Reported: not missing too, if it is a key. */
			size_t klen = eq ? (size_t)(eq - w->s) : w->len;

			for (k = 0; d->keys[k].name != NULL; k++)
				if (pval_eq(w->s, klen, d->keys[k].name))
					l->given |= 1u << k;
			i += spaced - 1;
			continue;
		}
		if (eq == NULL) {
			f = stmt_flag(w);
			if (f != NULL && (d->allow & f->bit)) {
				if (l->flags & f->bit)
					pval_err(&p->pv, w, "flag %s given "
					    "twice: give each flag once",
					    f->name);
				l->flags |= f->bit;
			} else if (f != NULL)
				pval_err(&p->pv, w, "flag %s applies to %s "
				    "only: %s", f->name,
				    stmt_flag_owner(f->bit), d->usage);
			else
				pval_err(&p->pv, w, "unexpected word `"
				    PVAL_SHOW_FMT "`: %s", PVAL_SHOWW(w),
				    d->usage);
			continue;
		}
		for (k = 0; d->keys[k].name != NULL; k++) {
			if (pval_eq(w->s, (size_t)(eq - w->s), d->keys[k].name))
				break;
		}
		if (d->keys[k].name == NULL) {
			pval_err(&p->pv, w, "unknown option `" PVAL_SHOW_FMT
			    "=`: %s", PVAL_SHOW(w->s, (size_t)(eq - w->s)),
			    d->usage);
			continue;
		}
		l->given |= 1u << k;
		if (l->opt[k] != NULL) {
			pval_err(&p->pv, w, "option %s= given twice (first at "
			    "column %u): give each option once",
			    d->keys[k].name, l->opt[k]->col);
			continue;
		}
		if (eq + 1 == w->s + w->len) {
			pval_err(&p->pv, w, "option %s= has no value: %s",
			    d->keys[k].name, d->usage);
			continue;
		}
		l->opt[k] = w;
	}
	if (l->npos < d->npos)
		pval_err(&p->pv, l->stmtw, "missing %s: %s",
		    slot_labels[d->pos[l->npos]], d->usage);
}

/* --- options ---------------------------------------------------------- */

/*
 * Report required option KEY of L (written FORM in the message) if it is
 * missing; true if it is there with a value.  An option written without
 * a value was reported already.
 */
static bool
require(struct parser *p, const struct stmt_line *l, int key,
    const char *form)
{
	if (l->opt[key] != NULL)
		return true;
	if ((l->given & (1u << key)) == 0)
		pval_err(&p->pv, l->stmtw, "missing %s: %s", form,
		    l->row->usage);
	return false;
}

/*
 * Parse the options of L into ST in key order: report the required ones
 * that are missing, read the typed ones (the row's hook reads the rest).
 */
static void
parse_opts(struct parser *p, const struct stmt_line *l, struct scn_stmt *st)
{
	const struct stmt_key *key;
	const char *v, *offname = NULL;
	bool off_ok = false;
	size_t vlen;

	for (int k = 0; (key = &l->row->keys[k])->name != NULL; k++) {
		const struct lex_word *w = l->opt[k];

		if (key->required != NULL && !require(p, l, k, key->required))
			continue;
		if (w == NULL)
			continue;
		v = pval_opt(w, &vlen);
		switch (key->type) {
		case STMT_OPT_HOOK:
			break;
		case STMT_OPT_MIRROR:
			st->mirror_pos = pval_pos(&p->pv, w);
			pval_mirror(&p->pv, w, v, vlen, &st->mirror);
			break;
		case STMT_OPT_FILL:
			pval_byte(&p->pv, w, v, vlen, key->name, &st->fill);
			break;
		case STMT_OPT_COUNT:
			pval_positive(&p->pv, w, v, vlen, key->name,
			    &st->count);
			break;
		case STMT_OPT_LOGICAL:
			st->off_pos = pval_pos(&p->pv, w);
			offname = key->name;
			off_ok = pval_off(&p->pv, w, v, vlen, key->name,
			    &st->logical);
			break;
		case STMT_OPT_LEN:
			st->len_pos = pval_pos(&p->pv, w);
			pval_len(&p->pv, w, v, vlen, key->name, offname,
			    st->logical, off_ok, &st->len, &st->len_max);
			break;
		}
	}
}

/* --- lines -------------------------------------------------------------- */

static void
parse_init(struct scn_stmt *st, enum scn_kind kind, struct scn_pos pos)
{
	memset(st, 0, sizeof(*st));
	st->kind = kind;
	st->pos = pos;
	st->file = -1;
	st->fill = -1;
	st->preset = -1;
	st->quirk = -1;
	st->violation = -1;
	st->pid = -1;
	st->fault_kinds = SCN_FAULT_CORRUPT | SCN_FAULT_IOERROR;
	st->op = SCN_OP_READ;
	st->safe = true;
	st->rate_den = 1;
	st->runs = PARSE_DEFAULT_RUNS;
	st->max_schedules = PARSE_DEFAULT_SCHEDULES;
	st->schedule = SCN_SCHED_FIFO;
	st->expect.outcomes = SCN_OUT_OK;
	st->expect.retries = -1;
	st->expect.lookup = SCN_LOOKUP_ANY;
	st->expect.data = SCN_DATA_ANY;
	scn_fs_defaults(&st->fs);
}

static void
parse_push(struct scn_stmt **v, size_t *n, size_t *cap,
    const struct scn_stmt *st)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = xreallocarray(*v, *cap, sizeof(**v));
	}
	(*v)[(*n)++] = *st;
}

static void
parse_discard(struct scn_stmt *st)
{
	free(st->stats);
	for (size_t i = 0; i < st->ntasks; i++)
		parse_discard(&st->tasks[i]);
	free(st->tasks);
	st->stats = NULL;
	st->tasks = NULL;
	st->nstats = st->ntasks = 0;
}

/* The statements that can be tasks, as "a, b CONJ c", for messages. */
static void
task_list(char *buf, size_t size, const char *conj)
{
	const char *names[PARSE_MAX_NAMES];

	fmt_list(buf, size, names, stmt_tasks(names, PARSE_MAX_NAMES),
	    conj);
}

/*
 * Rules about where a statement may stand (its row's role and flags),
 * reported at its word: only tasks inside a block, a STMT_ONCE statement
 * once, fs first, headers before the first operation.
 */
static void
check_order(struct parser *p, const struct stmt_line *l)
{
	const struct stmt_row *row = l->row;
	enum scn_kind k = row->kind;
	uint32_t line = p->pv.line;
	char tasks[128];

	if (p->depth > 0 && !stmt_is_task(k)) {
		task_list(tasks, sizeof(tasks), "and");
		if (row->role == STMT_BLOCK)
			pval_err(&p->pv, l->stmtw, "concurrent blocks do not "
			    "nest: close the block opened at line %u with end "
			    "first", p->block.pos.line);
		else
			pval_err(&p->pv, l->stmtw, "%s cannot run in a "
			    "concurrent block (opened at line %u): only %s can "
			    "be tasks", row->name, p->block.pos.line, tasks);
	} else if ((row->flags & STMT_ONCE) && p->once_line[k] != 0) {
		pval_err(&p->pv, l->stmtw, "%s may appear only once (first at "
		    "line %u)", row->name, p->once_line[k]);
	} else if (k == SCN_ERA && p->seen_stmt) {
		pval_err(&p->pv, l->stmtw, "era must be the first statement of "
		    "the file, before fs: move it above line %u",
		    p->first_line);
	} else if (row->role == STMT_CONFIG && p->past_era_line != 0) {
		pval_err(&p->pv, l->stmtw, "%s must be the first statement of "
		    "the file (after era, if any): move it above line %u",
		    row->name, p->past_era_line);
	} else if (row->role == STMT_HEADER && p->first_op_line != 0) {
		pval_err(&p->pv, l->stmtw, "%s must come before the first "
		    "operation (%s at line %u): put preset, quirk, seed and "
		    "guards at the top", row->name, p->first_op,
		    p->first_op_line);
	}
	if (!p->seen_stmt)
		p->first_line = line;
	p->seen_stmt = true;
	if (k != SCN_ERA && p->past_era_line == 0)
		p->past_era_line = line;
	if ((row->flags & STMT_ONCE) && p->once_line[k] == 0)
		p->once_line[k] = line;
	if (stmt_is_operation(k) && p->first_op_line == 0) {
		p->first_op_line = line;
		p->first_op = row->name;
	}
}

#define END_USAGE	"end [expect deadlock|no-deadlock]"

/* `end [expect deadlock|no-deadlock]`: closes the open block. */
static void
parse_end(struct parser *p, const struct lex_line *ln)
{
	const struct lex_word *w = ln->words;
	bool deadlock = false;
	char tasks[128];
	size_t i = 1;

	if (ln->nwords > 1) {
		if (!lex_eq(&w[1], "expect"))
			pval_err(&p->pv, &w[1], "unexpected word `"
			    PVAL_SHOW_FMT "`: %s", PVAL_SHOWW(&w[1]),
			    END_USAGE);
		else if (ln->nwords == 2)
			pval_err(&p->pv, &w[1], "missing deadlock|no-deadlock "
			    "after expect: %s", END_USAGE);
		else if (lex_eq(&w[2], "deadlock") ||
		    lex_eq(&w[2], "no-deadlock"))
			deadlock = lex_eq(&w[2], "deadlock");
		else
			pval_err(&p->pv, &w[2], "a concurrent block expects "
			    "deadlock or no-deadlock, not `" PVAL_SHOW_FMT "`",
			    PVAL_SHOWW(&w[2]));
		i = lex_eq(&w[1], "expect") ? 3 : 2;
	}
	for (; i < ln->nwords; i++)
		pval_err(&p->pv, &w[i], "unexpected word `" PVAL_SHOW_FMT "`: "
		    "%s", PVAL_SHOWW(&w[i]), END_USAGE);
	if (p->depth == 0) {
		pval_err(&p->pv, &w[0], "end without concurrent: no block is "
		    "open here");
		return;
	}
	if (--p->depth > 0)
		return;
	p->block.expect_deadlock = deadlock;
	p->block.end_pos = pval_pos(&p->pv, &w[0]);
	if (!p->block_content) {
		task_list(tasks, sizeof(tasks), "or");
		pval_err_at(&p->pv, p->block.pos.line, p->block.pos.col,
		    p->block_width, "concurrent block has no tasks: put one "
		    "%s per line between concurrent and end", tasks);
	}
	parse_push(&p->s->stmts, &p->s->nstmts, &p->stmt_cap, &p->block);
	memset(&p->block, 0, sizeof(p->block));
}

/*
 * The words a line may start with, as "a, b or c" (EXPECT: the words
 * after `expect`), for messages.
 */
static void
word_list(char *buf, size_t size, bool expect)
{
	const char *names[PARSE_MAX_NAMES];
	size_t n = stmt_words(names, PARSE_MAX_NAMES - 2, expect);

	if (!expect) {
		names[n++] = "end";
		names[n++] = "expect";
	}
	fmt_list(buf, size, names, n, "or");
}

/* The lowercase statement word W would be, or NULL. */
static const char *
lowercase_of(const struct lex_word *w)
{
	const char *names[PARSE_MAX_NAMES];
	size_t n = stmt_words(names, PARSE_MAX_NAMES - 2, false);

	names[n++] = "end";
	names[n++] = "expect";
	for (size_t i = 0; i < n; i++) {
		if (strlen(names[i]) == w->len &&
		    strncasecmp(names[i], w->s, w->len) == 0)
			return names[i];
	}
	return NULL;
}

/* Find the row of the line's statement, reporting unknown ones. */
static const struct stmt_row *
line_row(struct parser *p, const struct lex_line *ln, size_t *skip)
{
	const struct lex_word *w0 = &ln->words[0], *w1 = &ln->words[1];
	const struct stmt_row *row;
	char list[512];
	const char *lc;

	*skip = 1;
	if (lex_eq(w0, "expect")) {
		*skip = 2;
		word_list(list, sizeof(list), true);
		if (ln->nwords < 2) {
			pval_err(&p->pv, w0, "missing what to expect: expect "
			    "%s", list);
			return NULL;
		}
		if ((row = stmt_find(w1, true, false)) != NULL)
			return row;
		if (tail_is_outcome(w1))
			pval_err(&p->pv, w1, "an outcome goes at the end of an "
			    "operation line, as in `read a 0 4K expect eio`; a "
			    "line that starts with expect checks %s", list);
		else
			pval_err(&p->pv, w1, "unknown expectation `"
			    PVAL_SHOW_FMT "`: use expect %s", PVAL_SHOWW(w1),
			    list);
		return NULL;
	}
	if ((row = stmt_find(w0, false, ln->nwords > 1 && pval_has_eq(w1))) !=
	    NULL)
		return row;
	if ((lc = lowercase_of(w0)) != NULL)
		pval_err(&p->pv, w0, "statements are lowercase: use %s", lc);
	else {
		word_list(list, sizeof(list), false);
		pval_err(&p->pv, w0, "unknown statement `" PVAL_SHOW_FMT "`: "
		    "use %s", PVAL_SHOWW(w0), list);
	}
	return NULL;
}

/*
 * Whether the open block has room for one more task: the scheduler runs
 * SCHED_MAX_ENTITIES entities, the fs's end-io workers among them.  The
 * first task past the limit is reported (at its word W0), once per block.
 */
static bool
task_room(struct parser *p, const struct lex_word *w0)
{
	uint32_t workers = p->s->fs.workers;
	size_t room = workers < SCHED_MAX_ENTITIES ?
	    SCHED_MAX_ENTITIES - workers : 0;

	if (p->block.ntasks < room)
		return true;
	if (!p->block_full && room == 0)
		pval_err(&p->pv, w0, "no room for tasks: the scheduler runs %d "
		    "entities and this filesystem's %u end-io workers take "
		    "them all; give fs a smaller workers=", SCHED_MAX_ENTITIES,
		    workers);
	else if (!p->block_full)
		pval_err(&p->pv, w0, "too many tasks: a concurrent block holds "
		    "at most %zu here (the scheduler runs %d entities, %u of "
		    "them end-io workers); split the block", room,
		    SCHED_MAX_ENTITIES, workers);
	p->block_full = true;
	return false;
}

/* Where a parsed statement goes: the top level, the open block, nowhere. */
static void
place(struct parser *p, struct scn_stmt *st, const struct lex_word *w0)
{
	if (stmt_row(st->kind)->role == STMT_BLOCK) {
		if (p->depth++ > 0) {
			parse_discard(st);
			return;
		}
		p->block = *st;
		p->block_width = w0->len > UINT32_MAX ? UINT32_MAX :
		    (uint32_t)w0->len;
		p->block_content = false;
		p->block_full = false;
		p->task_cap = 0;
		return;
	}
	if (p->depth > 0) {
		if (stmt_is_task(st->kind) && task_room(p, w0))
			parse_push(&p->block.tasks, &p->block.ntasks,
			    &p->task_cap, st);
		else
			parse_discard(st);
		return;
	}
	parse_push(&p->s->stmts, &p->s->nstmts, &p->stmt_cap, st);
}

/*
 * The most schedules block ST may run: max-schedules when exploring,
 * runs (bounded by max-schedules too) when random, one for fifo.
 */
static uint64_t
block_schedules(const struct scn_stmt *st)
{
	switch (st->schedule) {
	case SCN_SCHED_EXPLORE:
		return st->max_schedules;
	case SCN_SCHED_RANDOM:
		return st->runs < st->max_schedules ? st->runs :
		    st->max_schedules;
	default:
		return 1;
	}
}

/* Count the schedules of block ST (at word W) against the file's limit. */
static void
count_schedules(struct parser *p, const struct lex_word *w,
    const struct scn_stmt *st)
{
	/* At most 10^4 blocks of at most 10^6 each: the sum fits. */
	p->schedules += block_schedules(st);
	if (p->schedules > SCN_MAX_FILE_SCHEDULES && !p->schedules_full) {
		pval_err(&p->pv, w, "the concurrent blocks up to this one may "
		    "run %llu schedules in all, more than the %u a file may: "
		    "give them a smaller max-schedules (explore) or runs "
		    "(random)", (unsigned long long)p->schedules,
		    SCN_MAX_FILE_SCHEDULES);
		p->schedules_full = true;
	}
}

/* Lines the lexer could not split into words; false for a good one. */
static bool
bad_line(struct parser *p, const struct lex_line *ln)
{
	if (ln->bad_col != 0)
		pval_err_at(&p->pv, ln->lineno, ln->bad_col, 1, "control "
		    "character 0x%02x is not allowed: a scenario is plain "
		    "text; the line is ignored", ln->bad_char);
	else if (ln->over_col != 0)
		pval_err_at(&p->pv, ln->lineno, ln->over_col, 1, "more than %d "
		    "words on one line: no statement takes that many; the line "
		    "is ignored", LEX_MAX_WORDS);
	else
		return false;
	p->block_content |= p->depth > 0;
	return true;
}

static void
parse_line(struct parser *p, const struct lex_line *ln)
{
	const struct lex_word *w0 = ln->words;
	const struct stmt_row *row;
	struct scn_stmt st;
	struct stmt_line l;
	size_t skip;

	p->pv.line = ln->lineno;
	if (ln->bad_col == 0 && ln->nwords == 0)
		return;
	if (++p->nstatements > SCN_MAX_STATEMENTS) {
		if (ln->nwords > 0)
			pval_err(&p->pv, w0, "too many statements: a scenario "
			    "holds at most %u (lines other than blank and "
			    "comment lines); split it into several files",
			    SCN_MAX_STATEMENTS);
		else
			pval_err_at(&p->pv, ln->lineno, ln->bad_col, 1, "too "
			    "many statements: a scenario holds at most %u; "
			    "split it into several files", SCN_MAX_STATEMENTS);
		p->pv.stopped = true;
		return;
	}
	if (bad_line(p, ln))
		return;
	if (lex_eq(w0, "end")) {
		parse_end(p, ln);
		return;
	}
	p->block_content |= p->depth > 0;
	memset(&l, 0, sizeof(l));
	if ((row = line_row(p, ln, &skip)) == NULL)
		return;
	l.row = row;
	l.stmtw = w0;
	check_order(p, &l);
	split_tail(&l, ln->words + skip, ln->nwords - skip);
	parse_init(&st, row->kind, pval_pos(&p->pv, w0));
	if (!row->raw) {
		split_args(p, &l);
		parse_slots(p, &l, &st);
		parse_opts(p, &l, &st);
	}
	if (row->parse != NULL)
		row->parse(&p->pv, &l, &st);
	if (row->role == STMT_BLOCK)
		count_schedules(p, w0, &st);
	if (row->kind == SCN_FS && p->once_line[row->kind] == ln->lineno) {
		p->s->fs = st.fs;
		p->pv.mirrors = st.fs.mirrors;
		p->pv.devices = st.fs.dup ? 1 : st.fs.mirrors;
		p->pv.sectorsize = st.fs.sectorsize;
	}
	st.flags = l.flags;
	if (l.expect != NULL) {
		if (row->role == STMT_BLOCK)
			pval_err(&p->pv, l.expect, "a concurrent block's "
			    "expectation goes on its end line: %s", END_USAGE);
		else if (!stmt_is_operation(row->kind))
			pval_err(&p->pv, l.expect, "%s takes no outcome: only "
			    "operations end with expect OUTCOME", row->name);
		else
			tail_parse(&p->pv, &l, &st);
	}
	place(p, &st, w0);
}

/*
 * The header summary: what each header adds (its row's apply hook), and
 * the quirk mask of the file's quirk settings (quirk_resolve()).
 */
static void
summarize(struct scn_script *s)
{
	for (size_t i = 0; i < s->nstmts; i++) {
		const struct scn_stmt *st = &s->stmts[i];
		const struct stmt_row *row = stmt_row(st->kind);

		if (row->apply != NULL)
			row->apply(s, st);
	}
	s->quirks = quirk_resolve(&s->quirk_settings);
}

struct scn_script *
parse_script(const char *filename, const char *buf, size_t len,
    struct diag_list *diags)
{
	return parse_script_era(filename, buf, len, -1, diags);
}

struct scn_script *
parse_script_era(const char *filename, const char *buf, size_t len, int era,
    struct diag_list *diags)
{
	struct parser p;
	struct lex lx;
	struct lex_line ln;
	struct scn_script *s;

	memset(&p, 0, sizeof(p));
	p.pv.diags = diags;
	p.pv.nerr0 = diags->n;
	p.s = s = xcalloc(1, sizeof(*s));
	pfiles_init(&p.files, s);
	s->filename = xstrdup(filename);
	scn_fs_defaults(&s->fs);
	s->fs.alloc_align = s->fs.sectorsize;
	p.pv.mirrors = s->fs.mirrors;
	p.pv.devices = s->fs.mirrors;
	p.pv.sectorsize = s->fs.sectorsize;
	p.pv.era = era >= 0 ? (unsigned)era : ERA_2008;
	p.pv.era_fixed = era >= 0;

	if (len > SCN_MAX_BYTES) {
		diag_add(diags, 1, 1, 1, "the file is larger than %uM (%u "
		    "bytes), the most a scenario may hold: split it into "
		    "several files", SCN_MAX_BYTES >> 20, SCN_MAX_BYTES);
		scn_free(s);
		return NULL;
	}
	lex_init(&lx, buf, len);
	while (!p.pv.stopped && lex_next(&lx, &ln))
		parse_line(&p, &ln);
	lex_fini(&lx);
	if (p.depth > 0 && !p.pv.stopped)
		pval_err_at(&p.pv, p.block.pos.line, p.block.pos.col,
		    p.block_width, "concurrent block opened here is never "
		    "closed: add `end` after its tasks");
	if (p.depth > 0)
		parse_discard(&p.block);
	if (p.pv.full_line != 0)
		diag_add(diags, p.pv.full_line, 1, 1, "too many errors: these "
		    "are the first %u; fix them and check again",
		    SCN_MAX_ERRORS);
	pfiles_fini(&p.files);
	s->era = p.pv.era;
	summarize(s);
	if (diags->n > p.pv.nerr0) {
		scn_free(s);
		return NULL;
	}
	return s;
}
