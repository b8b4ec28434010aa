/*
 * The scenario parser (see parse.h).  One pass over the lines of the file:
 * each line is one statement, found in a table of statement definitions
 * (`stmt_defs`) that gives its positional words, its options (key=value),
 * its flags and the usage line quoted by messages about it.  The words of
 * a line are split once into positional words, options, flags and the
 * `expect` tail; each part is then checked against the definition, and
 * each value by one small parser per kind of value.
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
 * the lines of fs, preset and the first operation (headers must precede
 * operations), the mirror count that bounds mirror=N, the files created so
 * far (a hash from name to index, for O(1) lookups in long files), the
 * open `concurrent` block with its nesting depth, and what the limits of
 * scn.h count: statements, errors, the schedules of the blocks so far.
 *
 * Limits (scn.h, blksim-scenario(5) LIMITS) are errors like any other,
 * except that the first statement past SCN_MAX_STATEMENTS and the first
 * error past SCN_MAX_ERRORS end the parse (a huge file costs no more than
 * the limit), and a buffer past SCN_MAX_BYTES is refused unread.  Every
 * offset, size and logical address is checked against SCN_ADDR_LIMIT,
 * which is what lets the model add and round them without overflow.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../sim/sched.h"
#include "../sim/xmalloc.h"
#include "fmt.h"
#include "lex.h"
#include "parse.h"

#define PARSE_MIB		(1ull << 20)	/* logical data starts here */
#define PARSE_MAX_SECTOR	65536u
#define PARSE_MIN_SECTOR	512u
#define PARSE_MAX_MIRRORS	4u
#define PARSE_MAX_WORKERS	64u
#define PARSE_DEFAULT_RUNS	1u
#define PARSE_DEFAULT_SCHEDULES	100000u
#define PARSE_SHOW		40	/* bytes of a word quoted in messages */
#define PARSE_MAX_POS		4
#define PARSE_MAX_KEYS		8

/* How the address-space limit (scn.h) is named in messages. */
#define ADDR_TEXT	"2^63 (0x8000000000000000, 8388608T), the end of the " \
			"model's address space"

/* What a positional word is. */
enum slot {
	SL_NAME,		/* an existing file */
	SL_NEWNAME,		/* the file `create` makes */
	SL_OFF,
	SL_LEN,			/* a length or max; follows SL_OFF */
	SL_SIZE,		/* truncate and expect size: a number */
	SL_COUNT,		/* expect extents: a number */
	SL_SEED,
	SL_LEVEL,		/* drop-caches 1|2|3 */
	SL_PRESET,
	SL_QUIRK,
	SL_ONOFF,
	SL_PRESENCE,		/* present|absent */
	SL_KIND			/* an invariant violation kind */
};

/* How a slot is called in "missing X" messages. */
static const char *const slot_labels[] = {
	[SL_NAME] = "NAME",
	[SL_NEWNAME] = "NAME",
	[SL_OFF] = "OFF",
	[SL_LEN] = "LEN",
	[SL_SIZE] = "SIZE",
	[SL_COUNT] = "N",
	[SL_SEED] = "N",
	[SL_LEVEL] = "1|2|3",
	[SL_PRESET] = "the preset name",
	[SL_QUIRK] = "the quirk name",
	[SL_ONOFF] = "on|off",
	[SL_PRESENCE] = "present|absent",
	[SL_KIND] = "the violation KIND",
};

/* Flags, and the one statement each belongs to. */
static const struct {
	const char	*name;
	unsigned	 bit;
	const char	*owner;
} flag_defs[] = {
	{ "nodatasum", SCN_F_NODATASUM, "create" },
	{ "nocsum", SCN_F_NOCSUM, "write" },
	{ "nosync", SCN_F_NOSYNC, "write" },
};

struct parser;
struct cmd;

/* One statement form. */
struct stmt_def {
	const char	*word;		/* after `expect` for expect kinds */
	enum scn_kind	 kind;
	const char	*usage;		/* quoted by messages */
	unsigned	 npos;
	enum slot	 pos[PARSE_MAX_POS];
	const char	*keys[PARSE_MAX_KEYS]; /* NULL-terminated */
	unsigned	 flags;		/* SCN_F_* allowed */
	bool		 raw;		/* arguments handled by fn alone */
	void		(*fn)(struct parser *, struct cmd *, struct scn_stmt *);
};

/* A line split into its parts. */
struct cmd {
	const struct stmt_def	*def;
	const struct lex_word	*stmtw;		/* first word of the line */
	const struct lex_word	*args;		/* words after the statement */
	size_t			 nargs;		/* up to the expect tail */
	const struct lex_word	*pos[PARSE_MAX_POS];
	size_t			 npos;
	const struct lex_word	*opt[PARSE_MAX_KEYS]; /* by key index */
	unsigned		 given;		/* keys written, even if bad */
	unsigned		 flags;
	const struct lex_word	*expect;	/* the `expect` word, or NULL */
	const struct lex_word	*tail;		/* words after it */
	size_t			 ntail;
};

struct parser {
	struct diag_list	*diags;
	struct scn_script	*s;
	const struct lex_line	*ln;		/* the line being parsed */
	size_t			 stmt_cap;
	size_t			 files_cap;
	uint32_t		*create_line;	/* per file */
	int			*hash;		/* file indices, -1 empty */
	size_t			 hash_cap;	/* a power of two */
	bool			 seen_stmt;
	uint32_t		 first_line;	/* of the first statement */
	uint32_t		 fs_line;
	uint32_t		 preset_line;
	uint32_t		 first_op_line;
	const char		*first_op;	/* its statement name */
	uint32_t		 mirrors;	/* bound of mirror=N */
	int			 depth;		/* concurrent nesting */
	struct scn_stmt		 block;		/* the open block */
	uint32_t		 block_width;	/* of its `concurrent` word */
	size_t			 task_cap;
	bool			 block_content;
	bool			 block_full;	/* its task limit reported */
	size_t			 nerr0;		/* diags before this file */
	uint32_t		 full_line;	/* where errors were dropped */
	bool			 stopped;	/* a limit ended the parse */
	size_t			 nstatements;	/* lines with a statement */
	uint64_t		 schedules;	/* of the blocks so far */
	bool			 schedules_full; /* their limit reported */
};

/* --- messages ------------------------------------------------------------ */

/*
 * Report an error at LINE:COL, WIDTH bytes wide.  Past SCN_MAX_ERRORS
 * errors of this file the message is dropped and the parse stops;
 * parse_script() then adds one note saying so.
 */
static void __attribute__((__format__(__printf__, 5, 0)))
vperr_at(struct parser *p, uint32_t line, uint32_t col, uint32_t width,
    const char *fmt, va_list ap)
{
	char *msg;

	if (p->diags->n - p->nerr0 >= SCN_MAX_ERRORS) {
		if (p->full_line == 0)
			p->full_line = line;
		p->stopped = true;
		return;
	}
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	diag_add(p->diags, line, col, width, "%s",
	    msg ? msg : "(out of memory)");
	free(msg);
}

static void __attribute__((__format__(__printf__, 5, 6)))
perr_at(struct parser *p, uint32_t line, uint32_t col, uint32_t width,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vperr_at(p, line, col, width, fmt, ap);
	va_end(ap);
}

/* Report an error at word W of the line being parsed. */
static void __attribute__((__format__(__printf__, 3, 4)))
perr(struct parser *p, const struct lex_word *w, const char *fmt, ...)
{
	uint32_t width = w->len > UINT32_MAX ? UINT32_MAX : (uint32_t)w->len;
	va_list ap;

	va_start(ap, fmt);
	vperr_at(p, p->ln->lineno, w->col, width, fmt, ap);
	va_end(ap);
}

/* Quote at most PARSE_SHOW bytes of a word: "%.*s%s" with SHOW(ptr, len). */
#define SHOW_FMT	"%.*s%s"
#define SHOW(s, len)	(int)((len) > PARSE_SHOW ? PARSE_SHOW : (len)), (s), \
			((len) > PARSE_SHOW ? "..." : "")
#define SHOWW(w)	SHOW((w)->s, (w)->len)

static void
list_quirks(char *buf, size_t sz)
{
	const char *names[QUIRK_COUNT];

	for (int q = 0; q < QUIRK_COUNT; q++)
		names[q] = quirk_info((enum quirk_id)q)->name;
	fmt_list(buf, sz, names, QUIRK_COUNT, "or");
}

static void
list_presets(char *buf, size_t sz)
{
	const char *names[PRESET_COUNT];

	for (int i = 0; i < PRESET_COUNT; i++)
		names[i] = quirk_preset_name((enum quirk_preset)i);
	fmt_list(buf, sz, names, PRESET_COUNT, "or");
}

static void
list_stats(char *buf, size_t sz)
{
	const char *names[STAT_COUNT];

	for (int i = 0; i < STAT_COUNT; i++)
		names[i] = stat_name((enum stat_id)i);
	fmt_list(buf, sz, names, STAT_COUNT, "or");
}

static void
list_kinds(char *buf, size_t sz)
{
	const char *names[INV_KIND_COUNT];

	for (int i = 0; i < INV_KIND_COUNT; i++)
		names[i] = inv_kind_name((enum inv_kind)i);
	fmt_list(buf, sz, names, INV_KIND_COUNT, "or");
}

/* --- value parsers ------------------------------------------------------- */
/*
 * Each takes the word W (for the caret), the value text V/VLEN (the whole
 * word for positional words, the part after `=` for options) and WHAT, the
 * name of the value in messages; each reports its own errors and returns
 * false on one.
 */

static bool
is_pow2(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

static bool
val_eq(const char *v, size_t vlen, const char *lit)
{
	return strlen(lit) == vlen && memcmp(v, lit, vlen) == 0;
}

static bool
val_num(struct parser *p, const struct lex_word *w, const char *v,
    size_t vlen, const char *what, uint64_t *out)
{
	if (val_eq(v, vlen, "max")) {
		perr(p, w, "%s cannot be max: max is accepted only as a length;"
		    " give a number", what);
		return false;
	}
	switch (lex_number(v, vlen, out)) {
	case LEX_OK:
		return true;
	case LEX_SUFFIX_CASE:
		perr(p, w, "%s `" SHOW_FMT "`: size suffixes are uppercase: "
		    "K, M, G, T, KiB, MiB, GiB or TiB", what, SHOW(v, vlen));
		return false;
	case LEX_SUFFIX_BIG:
		perr(p, w, "%s `" SHOW_FMT "`: the size suffixes stop at T "
		    "(TiB); write a larger number in T or in 0x hex", what,
		    SHOW(v, vlen));
		return false;
	case LEX_OVERFLOW:
		perr(p, w, "%s `" SHOW_FMT "` does not fit in 64 bits: the "
		    "largest number is 0xffffffffffffffff", what,
		    SHOW(v, vlen));
		return false;
	default:
		perr(p, w, "%s `" SHOW_FMT "` is not a number: use decimal "
		    "or 0x hex digits with an optional K, M, G, T, KiB, MiB, "
		    "GiB or TiB suffix", what, SHOW(v, vlen));
		return false;
	}
}

/* A number in [lo, hi]; RANGE says what is accepted, for the message. */
static bool
val_range(struct parser *p, const struct lex_word *w, const char *v,
    size_t vlen, const char *what, uint64_t lo, uint64_t hi,
    const char *range, uint64_t *out)
{
	if (!val_num(p, w, v, vlen, what, out))
		return false;
	if (*out < lo || *out > hi) {
		perr(p, w, "%s must be %s", what, range);
		return false;
	}
	return true;
}

static bool
val_mirror(struct parser *p, const struct lex_word *w, const char *v,
    size_t vlen, int *out)
{
	char range[64];
	uint64_t m;

	if (p->mirrors == 1)
		snprintf(range, sizeof(range), "1: this filesystem has 1 "
		    "mirror");
	else
		snprintf(range, sizeof(range), "from 1 to %u: this filesystem "
		    "has %u mirrors", p->mirrors, p->mirrors);
	if (!val_range(p, w, v, vlen, "mirror", 1, p->mirrors, range, &m))
		return false;
	*out = (int)m;
	return true;
}

static bool
val_byte(struct parser *p, const struct lex_word *w, const char *v,
    size_t vlen, const char *what, int *out)
{
	uint64_t b;

	if (!val_range(p, w, v, vlen, what, 0, 255,
	    "a byte from 0 to 255 (decimal or 0x hex)", &b))
		return false;
	*out = (int)b;
	return true;
}

/* A count that must be at least 1. */
static bool
val_positive(struct parser *p, const struct lex_word *w, const char *v,
    size_t vlen, const char *what, uint64_t *out)
{
	return val_range(p, w, v, vlen, what, 1, UINT64_MAX,
	    "at least 1", out);
}

/* An OFF (called WHAT in messages): a number below SCN_ADDR_LIMIT. */
static bool
val_off(struct parser *p, const struct lex_word *w, const char *v,
    size_t vlen, const char *what, uint64_t *out)
{
	if (!val_num(p, w, v, vlen, what, out))
		return false;
	if (*out >= SCN_ADDR_LIMIT) {
		perr(p, w, "%s must be below " ADDR_TEXT, what);
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
static bool
val_len(struct parser *p, const struct lex_word *w, const char *v,
    size_t vlen, const char *what, const char *offname, uint64_t off,
    bool off_ok, uint64_t *len, bool *len_max)
{
	uint64_t n;

	if (val_eq(v, vlen, "max")) {
		*len = UINT64_MAX - off;
		*len_max = true;
		return off_ok;
	}
	if (!val_num(p, w, v, vlen, what, &n))
		return false;
	if (n == 0) {
		perr(p, w, "%s must be at least 1: a zero-length range is "
		    "empty; give a positive length, or max for \"to the end\"",
		    what);
		return false;
	}
	if (off_ok && n > SCN_ADDR_LIMIT - off) {
		perr(p, w, "%s + %s ends past " ADDR_TEXT ": give a smaller "
		    "%s, or max for \"to the end\"", offname, what, what);
		return false;
	}
	*len = n;
	*len_max = false;
	return off_ok;
}

/* --- files --------------------------------------------------------------- */

static size_t
file_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return (size_t)h;
}

/* The index of file NAME, or -1. */
static int
file_find(const struct parser *p, const char *name, size_t len)
{
	size_t mask = p->hash_cap - 1, i;

	if (p->hash_cap == 0)
		return -1;
	/* Invariant: probing stops at an empty slot or the name. */
	for (i = file_hash(name, len) & mask; p->hash[i] >= 0;
	    i = (i + 1) & mask) {
		const char *f = p->s->files[p->hash[i]];

		if (strlen(f) == len && memcmp(f, name, len) == 0)
			return p->hash[i];
	}
	return -1;
}

static void
file_hash_insert(struct parser *p, int idx)
{
	const char *f = p->s->files[idx];
	size_t mask = p->hash_cap - 1, i;

	for (i = file_hash(f, strlen(f)) & mask; p->hash[i] >= 0;
	    i = (i + 1) & mask)
		continue;
	p->hash[i] = idx;
}

/* Register a new file; the table stays at most half full. */
static int
file_add(struct parser *p, const char *name, size_t len, uint32_t line)
{
	struct scn_script *s = p->s;
	int idx = (int)s->nfiles;

	if (s->nfiles == p->files_cap) {
		p->files_cap = p->files_cap ? p->files_cap * 2 : 8;
		s->files = xreallocarray(s->files, p->files_cap,
		    sizeof(*s->files));
		p->create_line = xreallocarray(p->create_line, p->files_cap,
		    sizeof(*p->create_line));
	}
	s->files[idx] = xstrndup(name, len);
	p->create_line[idx] = line;
	s->nfiles++;
	if (2 * s->nfiles > p->hash_cap) {
		free(p->hash);
		p->hash_cap = p->hash_cap ? p->hash_cap * 2 : 16;
		p->hash = xreallocarray(NULL, p->hash_cap, sizeof(*p->hash));
		for (size_t i = 0; i < p->hash_cap; i++)
			p->hash[i] = -1;
		for (size_t i = 0; i < s->nfiles; i++)
			file_hash_insert(p, (int)i);
	} else
		file_hash_insert(p, idx);
	return idx;
}

static bool
check_name(struct parser *p, const struct lex_word *w)
{
	if (lex_is_name(w->s, w->len))
		return true;
	perr(p, w, "`" SHOW_FMT "` is not a valid file name: a NAME is a "
	    "letter or _ followed by letters, digits, _, . or -", SHOWW(w));
	return false;
}

/* --- positional words ---------------------------------------------------- */

static struct scn_pos
pos_of(const struct parser *p, const struct lex_word *w)
{
	struct scn_pos pos = { p->ln->lineno, w->col };

	return pos;
}

static void
slot_name(struct parser *p, const struct lex_word *w, struct scn_stmt *st)
{
	int idx;

	st->name_pos = pos_of(p, w);
	if (!check_name(p, w))
		return;
	idx = file_find(p, w->s, w->len);
	if (idx < 0) {
		perr(p, w, "file `%.*s` is used before it is created: add "
		    "`create %.*s` above this line", (int)w->len, w->s,
		    (int)w->len, w->s);
		return;
	}
	st->file = idx;
}

static void
slot_newname(struct parser *p, const struct lex_word *w, struct scn_stmt *st)
{
	int idx;

	st->name_pos = pos_of(p, w);
	if (!check_name(p, w))
		return;
	idx = file_find(p, w->s, w->len);
	if (idx >= 0) {
		perr(p, w, "file `%.*s` is already created at line %u: create "
		    "each file once", (int)w->len, w->s, p->create_line[idx]);
		st->file = idx;
		return;
	}
	if (p->s->nfiles >= SCN_MAX_FILES) {
		perr(p, w, "too many files: a scenario may create at most %u; "
		    "reuse a file or split the scenario", SCN_MAX_FILES);
		return;
	}
	st->file = file_add(p, w->s, w->len, p->ln->lineno);
}

static void
slot_preset(struct parser *p, const struct lex_word *w, struct scn_stmt *st)
{
	char list[128];

	st->preset = quirk_preset_lookup(w->s, w->len);
	if (st->preset >= 0)
		return;
	list_presets(list, sizeof(list));
	perr(p, w, "unknown preset `" SHOW_FMT "`: use %s", SHOWW(w), list);
}

static int
lookup_quirk(struct parser *p, const struct lex_word *w)
{
	char list[256];
	int q = quirk_lookup(w->s, w->len);

	if (q >= 0)
		return q;
	list_quirks(list, sizeof(list));
	perr(p, w, "unknown quirk `" SHOW_FMT "`: use %s", SHOWW(w), list);
	return -1;
}

static void
slot_kind(struct parser *p, const struct lex_word *w, struct scn_stmt *st)
{
	char list[128];

	st->violation = inv_kind_lookup(w->s, w->len);
	if (st->violation >= 0)
		return;
	list_kinds(list, sizeof(list));
	perr(p, w, "unknown violation kind `" SHOW_FMT "`: use %s", SHOWW(w),
	    list);
}

/* Parse the positional words of C into ST, in slot order. */
static void
parse_slots(struct parser *p, const struct cmd *c, struct scn_stmt *st)
{
	bool off_ok = false;
	uint64_t v;

	for (size_t i = 0; i < c->npos; i++) {
		const struct lex_word *w = c->pos[i];

		switch (c->def->pos[i]) {
		case SL_NAME:
			slot_name(p, w, st);
			break;
		case SL_NEWNAME:
			slot_newname(p, w, st);
			break;
		case SL_OFF:
			st->off_pos = pos_of(p, w);
			off_ok = val_off(p, w, w->s, w->len, "OFF", &st->off);
			break;
		case SL_LEN:
			st->len_pos = pos_of(p, w);
			val_len(p, w, w->s, w->len, "LEN", "OFF", st->off,
			    off_ok, &st->len, &st->len_max);
			break;
		case SL_SIZE:
			st->size_pos = pos_of(p, w);
			if (val_num(p, w, w->s, w->len, "SIZE", &st->size) &&
			    st->size > SCN_ADDR_LIMIT)
				perr(p, w, "SIZE must be at most " ADDR_TEXT);
			break;
		case SL_COUNT:
			st->size_pos = pos_of(p, w);
			val_num(p, w, w->s, w->len, "N", &st->size);
			break;
		case SL_SEED:
			val_num(p, w, w->s, w->len, "seed", &st->seed);
			break;
		case SL_LEVEL:
			if (val_range(p, w, w->s, w->len, "drop-caches level",
			    1, 3, "1 (page cache), 2 (extent map caches and "
			    "cached metadata) or 3 (both)", &v))
				st->level = (int)v;
			break;
		case SL_PRESET:
			slot_preset(p, w, st);
			break;
		case SL_QUIRK:
			st->quirk = lookup_quirk(p, w);
			break;
		case SL_ONOFF:
			if (lex_eq(w, "on") || lex_eq(w, "off"))
				st->on = lex_eq(w, "on");
			else
				perr(p, w, "a quirk is turned on or off, not "
				    "`" SHOW_FMT "`", SHOWW(w));
			break;
		case SL_PRESENCE:
			if (lex_eq(w, "present") || lex_eq(w, "absent"))
				st->present = lex_eq(w, "present");
			else
				perr(p, w, "expect cache ends with present or "
				    "absent, not `" SHOW_FMT "`", SHOWW(w));
			break;
		case SL_KIND:
			slot_kind(p, w, st);
			break;
		}
	}
}

/* --- statement bodies --------------------------------------------------- */
/*
 * Each gets the split line and the statement with its positional words
 * already parsed, and handles the options (c->opt, indexed like
 * def->keys) and anything the generic code cannot.
 */

/* The value part of option word W. */
static const char *
opt_val(const struct lex_word *w, size_t *vlen)
{
	const char *eq = memchr(w->s, '=', w->len);

	*vlen = w->len - (size_t)(eq + 1 - w->s);
	return eq + 1;
}

/*
 * Report a required option that is missing; true if it is there with a
 * value.  An option written without a value was reported already.
 */
static bool
require(struct parser *p, const struct cmd *c, int key, const char *form)
{
	if (c->opt[key] != NULL)
		return true;
	if ((c->given & (1u << key)) == 0)
		perr(p, c->stmtw, "missing %s: %s", form, c->def->usage);
	return false;
}

enum { FS_SECTORSIZE, FS_MIRRORS, FS_SIZE, FS_MAX_EXTENT, FS_ALLOC_ALIGN,
    FS_WORKERS, FS_CSUM };

static void
st_fs(struct parser *p, struct cmd *c, struct scn_stmt *st)
{
	const struct lex_word *w;
	struct scn_fs *fs = &st->fs;
	bool ss_ok = true, al_ok = true;
	char ss[32], al[32];
	const char *v;
	size_t vlen;
	uint64_t n;

	if ((w = c->opt[FS_SECTORSIZE]) != NULL) {
		v = opt_val(w, &vlen);
		ss_ok = val_num(p, w, v, vlen, "sectorsize", &n);
		if (ss_ok && (!is_pow2(n) || n < PARSE_MIN_SECTOR ||
		    n > PARSE_MAX_SECTOR)) {
			perr(p, w, "sector size must be a power of two from "
			    "512 to 64K");
			ss_ok = false;
		}
		if (ss_ok)
			fs->sectorsize = (uint32_t)n;
	}
	if ((w = c->opt[FS_MIRRORS]) != NULL) {
		v = opt_val(w, &vlen);
		if (val_range(p, w, v, vlen, "mirrors", 1, PARSE_MAX_MIRRORS,
		    "from 1 to 4", &n))
			fs->mirrors = (uint32_t)n;
		else
			fs->mirrors = PARSE_MAX_MIRRORS;
	}
	if ((w = c->opt[FS_ALLOC_ALIGN]) != NULL) {
		v = opt_val(w, &vlen);
		al_ok = val_num(p, w, v, vlen, "alloc_align", &n);
		fmt_size(fs->sectorsize, ss, sizeof(ss));
		if (al_ok && (!is_pow2(n) || (ss_ok && n < fs->sectorsize))) {
			perr(p, w, "alloc_align must be a power of two no "
			    "smaller than the sector size (%s)", ss);
			al_ok = false;
		}
		if (al_ok)
			fs->alloc_align = n;
	}
	if (fs->alloc_align == 0)
		fs->alloc_align = fs->sectorsize;
	if ((w = c->opt[FS_SIZE]) != NULL) {
		v = opt_val(w, &vlen);
		fmt_size(fs->sectorsize, ss, sizeof(ss));
		fmt_size(fs->alloc_align, al, sizeof(al));
		if (!val_num(p, w, v, vlen, "size", &n))
			;
		else if (n > SCN_ADDR_LIMIT - PARSE_MIB)
			perr(p, w, "size is too large: data lives from 1M to "
			    "1M + size, which must end at or below " ADDR_TEXT
			    ", so size is at most 0x7ffffffffff00000");
		else if (ss_ok && n < fs->sectorsize)
			perr(p, w, "size must be at least the sector size (%s)",
			    ss);
		else if (ss_ok && al_ok && n < fs->alloc_align)
			perr(p, w, "size must be at least alloc_align (%s)",
			    al);
		else
			fs->size = n;
	} else if ((w = c->opt[FS_ALLOC_ALIGN]) != NULL && al_ok &&
	    fs->alloc_align > fs->size) {
		fmt_size(fs->alloc_align, al, sizeof(al));
		fmt_size(fs->size, ss, sizeof(ss));
		perr(p, w, "alloc_align (%s) must be at most the size of the "
		    "filesystem (%s, the default): give a larger size= or a "
		    "smaller alloc_align", al, ss);
	}
	if ((w = c->opt[FS_MAX_EXTENT]) != NULL) {
		v = opt_val(w, &vlen);
		fmt_size(fs->sectorsize, ss, sizeof(ss));
		if (!val_num(p, w, v, vlen, "max_extent", &n))
			;
		else if (ss_ok && (n < fs->sectorsize ||
		    n % fs->sectorsize != 0))
			perr(p, w, "max_extent must be a multiple of the "
			    "sector size (%s), at least one sector", ss);
		else
			fs->max_extent = n;
	}
	if ((w = c->opt[FS_WORKERS]) != NULL) {
		v = opt_val(w, &vlen);
		if (val_range(p, w, v, vlen, "workers", 1, PARSE_MAX_WORKERS,
		    "from 1 to 64", &n))
			fs->workers = (uint32_t)n;
	}
	if ((w = c->opt[FS_CSUM]) != NULL) {
		v = opt_val(w, &vlen);
		if (val_eq(v, vlen, "crc32c") || val_eq(v, vlen, "crc32"))
			fs->csum_crc32 = val_eq(v, vlen, "crc32");
		else
			perr(p, w, "csum must be crc32c or crc32");
	}
	if (p->fs_line == p->ln->lineno) {
		p->s->fs = *fs;
		p->mirrors = fs->mirrors;
	}
}

static void
st_guards(struct parser *p, struct cmd *c, struct scn_stmt *st)
{
	if (c->nargs == 0) {
		perr(p, c->stmtw, "missing the quirk name: %s", c->def->usage);
		return;
	}
	for (size_t i = 0; i < c->nargs; i++) {
		int q = lookup_quirk(p, &c->args[i]);

		if (q >= 0)
			st->guards |= 1u << q;
	}
}

enum { WRITE_FILL };

static void
st_write(struct parser *p, struct cmd *c, struct scn_stmt *st)
{
	const struct lex_word *w = c->opt[WRITE_FILL];
	const char *v;
	size_t vlen;

	if (w != NULL) {
		v = opt_val(w, &vlen);
		val_byte(p, w, v, vlen, "fill", &st->fill);
	}
}

/* mirror=N as an option of the statement (read, corrupt, ...). */
static void
opt_mirror(struct parser *p, const struct lex_word *w, struct scn_stmt *st)
{
	const char *v;
	size_t vlen;

	if (w == NULL)
		return;
	st->mirror_pos = pos_of(p, w);
	v = opt_val(w, &vlen);
	val_mirror(p, w, v, vlen, &st->mirror);
}

enum { READ_MIRROR };

static void
st_read(struct parser *p, struct cmd *c, struct scn_stmt *st)
{
	opt_mirror(p, c->opt[READ_MIRROR], st);
}

enum { CORRUPT_MIRROR, CORRUPT_FILL };

static void
st_corrupt(struct parser *p, struct cmd *c, struct scn_stmt *st)
{
	const struct lex_word *w = c->opt[CORRUPT_FILL];
	const char *v;
	size_t vlen;

	if (require(p, c, CORRUPT_MIRROR, "mirror=N"))
		opt_mirror(p, c->opt[CORRUPT_MIRROR], st);
	if (w != NULL) {
		v = opt_val(w, &vlen);
		val_byte(p, w, v, vlen, "fill", &st->fill);
	}
}

enum { LOGICAL_LOGICAL, LOGICAL_LEN, LOGICAL_MIRROR, LOGICAL_FILL };

static void
st_corrupt_logical(struct parser *p, struct cmd *c, struct scn_stmt *st)
{
	const struct lex_word *w;
	bool lok = false;
	const char *v;
	size_t vlen;

	if (require(p, c, LOGICAL_LOGICAL, "logical=L")) {
		w = c->opt[LOGICAL_LOGICAL];
		st->off_pos = pos_of(p, w);
		v = opt_val(w, &vlen);
		lok = val_off(p, w, v, vlen, "logical", &st->logical);
	}
	if (require(p, c, LOGICAL_LEN, "len=N")) {
		w = c->opt[LOGICAL_LEN];
		st->len_pos = pos_of(p, w);
		v = opt_val(w, &vlen);
		val_len(p, w, v, vlen, "len", "logical", st->logical, lok,
		    &st->len, &st->len_max);
	}
	if (require(p, c, LOGICAL_MIRROR, "mirror=N"))
		opt_mirror(p, c->opt[LOGICAL_MIRROR], st);
	if ((w = c->opt[LOGICAL_FILL]) != NULL) {
		v = opt_val(w, &vlen);
		val_byte(p, w, v, vlen, "fill", &st->fill);
	}
}

enum { IOERROR_MIRROR, IOERROR_COUNT };

static void
st_ioerror(struct parser *p, struct cmd *c, struct scn_stmt *st)
{
	const struct lex_word *w = c->opt[IOERROR_COUNT];
	const char *v;
	size_t vlen;

	if (require(p, c, IOERROR_MIRROR, "mirror=N"))
		opt_mirror(p, c->opt[IOERROR_MIRROR], st);
	if (w != NULL) {
		v = opt_val(w, &vlen);
		val_positive(p, w, v, vlen, "count", &st->count);
	}
}

enum { ONLINE_MIRROR };

static void
st_online(struct parser *p, struct cmd *c, struct scn_stmt *st)
{
	if (require(p, c, ONLINE_MIRROR, "mirror=N"))
		opt_mirror(p, c->opt[ONLINE_MIRROR], st);
}

enum { FAULTS_RATE, FAULTS_KINDS, FAULTS_SAFE };

/* kinds=corrupt,ioerror: a comma list, each kind at most once. */
static void
faults_kinds(struct parser *p, const struct lex_word *w, struct scn_stmt *st)
{
	static const struct {
		const char	*name;
		unsigned	 bit;
	} kinds[] = {
		{ "corrupt", SCN_FAULT_CORRUPT },
		{ "ioerror", SCN_FAULT_IOERROR },
	};
	const char *v, *end, *item, *comma;
	unsigned mask = 0;
	size_t vlen, k;

	v = opt_val(w, &vlen);
	end = v + vlen;
	/* Invariant: mask holds the kinds of the items before `item`. */
	for (item = v; ; item = comma + 1) {
		comma = memchr(item, ',', (size_t)(end - item));
		if (comma == NULL)
			comma = end;
		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			if (val_eq(item, (size_t)(comma - item),
			    kinds[k].name))
				break;
		}
		if (k == sizeof(kinds) / sizeof(kinds[0])) {
			perr(p, w, "kinds must be a comma-separated list of "
			    "corrupt and ioerror, not `" SHOW_FMT "`",
			    SHOW(item, (size_t)(comma - item)));
			return;
		}
		if (mask & kinds[k].bit) {
			perr(p, w, "kinds lists %s twice: name each kind once",
			    kinds[k].name);
			return;
		}
		mask |= kinds[k].bit;
		if (comma == end)
			break;
	}
	st->fault_kinds = mask;
}

static void
st_faults(struct parser *p, struct cmd *c, struct scn_stmt *st)
{
	const struct lex_word *w;
	const char *v;
	size_t vlen;

	if (require(p, c, FAULTS_RATE, "rate=P")) {
		w = c->opt[FAULTS_RATE];
		v = opt_val(w, &vlen);
		switch (lex_prob(v, vlen, &st->rate_num, &st->rate_den)) {
		case LEX_OK:
			break;
		case LEX_DIGITS:
			perr(p, w, "rate has more than 18 digits after the "
			    "decimal point: give at most 18");
			break;
		default:
			perr(p, w, "rate must be a probability: a decimal "
			    "fraction from 0 to 1 such as 0.01");
			break;
		}
	}
	if ((w = c->opt[FAULTS_KINDS]) != NULL)
		faults_kinds(p, w, st);
	if ((w = c->opt[FAULTS_SAFE]) != NULL) {
		v = opt_val(w, &vlen);
		if (val_eq(v, vlen, "yes") || val_eq(v, vlen, "no"))
			st->safe = val_eq(v, vlen, "yes");
		else
			perr(p, w, "safe must be yes or no");
	}
}

enum { CONC_SCHEDULE, CONC_RUNS, CONC_MAX_SCHEDULES };

/* runs=N or max-schedules=N (option W): from 1 to SCN_MAX_SCHEDULES. */
static void
opt_schedules(struct parser *p, const struct lex_word *w, const char *what,
    uint64_t *out)
{
	const char *v;
	size_t vlen;
	uint64_t n;

	v = opt_val(w, &vlen);
	if (!val_positive(p, w, v, vlen, what, &n))
		return;
	if (n > SCN_MAX_SCHEDULES) {
		perr(p, w, "%s must be at most %u, the most schedules one "
		    "block may run", what, SCN_MAX_SCHEDULES);
		return;
	}
	*out = n;
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

static void
st_concurrent(struct parser *p, struct cmd *c, struct scn_stmt *st)
{
	static const char *const names[] = { "fifo", "random", "explore" };
	const struct lex_word *w;
	const char *v;
	size_t vlen, k;

	if ((w = c->opt[CONC_SCHEDULE]) != NULL) {
		v = opt_val(w, &vlen);
		for (k = 0; k < 3; k++) {
			if (val_eq(v, vlen, names[k]))
				break;
		}
		if (k < 3)
			st->schedule = (enum scn_schedule)k;
		else
			perr(p, w, "schedule must be fifo, random or explore");
	}
	if ((w = c->opt[CONC_RUNS]) != NULL)
		opt_schedules(p, w, "runs", &st->runs);
	if ((w = c->opt[CONC_MAX_SCHEDULES]) != NULL)
		opt_schedules(p, w, "max-schedules", &st->max_schedules);
	/* At most 10^4 blocks of at most 10^6 each: the sum fits. */
	p->schedules += block_schedules(st);
	if (p->schedules > SCN_MAX_FILE_SCHEDULES && !p->schedules_full) {
		perr(p, c->stmtw, "the concurrent blocks up to this one may "
		    "run %llu schedules in all, more than the %u a file may: "
		    "give them a smaller max-schedules (explore) or runs "
		    "(random)", (unsigned long long)p->schedules,
		    SCN_MAX_FILE_SCHEDULES);
		p->schedules_full = true;
	}
}

/* expect stat COUNTER=N [COUNTER=N ...]: each counter at most once. */
static void
st_stat(struct parser *p, struct cmd *c, struct scn_stmt *st)
{
	const struct lex_word *w;
	struct scn_stat_expect *se;
	char list[512];
	const char *v;
	size_t vlen;
	int id;

	if (c->nargs == 0) {
		perr(p, c->stmtw, "missing COUNTER=N: %s", c->def->usage);
		return;
	}
	st->stats = xreallocarray(NULL, c->nargs, sizeof(*st->stats));
	for (size_t i = 0; i < c->nargs; i++) {
		w = &c->args[i];
		if (memchr(w->s, '=', w->len) == NULL) {
			perr(p, w, "`" SHOW_FMT "` is not COUNTER=N: %s",
			    SHOWW(w), c->def->usage);
			continue;
		}
		v = opt_val(w, &vlen);
		id = stat_lookup(w->s, w->len - vlen - 1);
		if (id < 0) {
			list_stats(list, sizeof(list));
			perr(p, w, "unknown counter `" SHOW_FMT "`: use %s",
			    SHOW(w->s, w->len - vlen - 1), list);
			continue;
		}
		for (size_t j = 0; j < st->nstats; j++) {
			if (st->stats[j].id == (enum stat_id)id) {
				perr(p, w, "counter %s given twice: give each "
				    "counter once", stat_name(id));
				id = -1;
				break;
			}
		}
		if (id < 0)
			continue;
		se = &st->stats[st->nstats];
		se->id = (enum stat_id)id;
		se->pos = pos_of(p, w);
		if (val_num(p, w, v, vlen, stat_name(id), &se->value))
			st->nstats++;
	}
}

/* --- the statement table -------------------------------------------------- */

#define TASK_KINDS	"read, write, truncate, drop-cache and sync"

static const struct stmt_def stmt_defs[] = {
	{ "fs", SCN_FS, "fs [sectorsize=N] [mirrors=N] [size=N] "
	    "[max_extent=N] [alloc_align=N] [workers=N] [csum=crc32c|crc32]",
	    0, { SL_NAME }, { "sectorsize", "mirrors", "size", "max_extent",
	    "alloc_align", "workers", "csum", NULL }, 0, false, st_fs },
	{ "preset", SCN_PRESET, "preset pre-patch|post-patch",
	    1, { SL_PRESET }, { NULL }, 0, false, NULL },
	{ "quirk", SCN_QUIRK, "quirk QUIRK on|off",
	    2, { SL_QUIRK, SL_ONOFF }, { NULL }, 0, false, NULL },
	{ "seed", SCN_SEED, "seed N",
	    1, { SL_SEED }, { NULL }, 0, false, NULL },
	{ "guards", SCN_GUARDS, "guards QUIRK [QUIRK ...]",
	    0, { SL_NAME }, { NULL }, 0, true, st_guards },
	{ "create", SCN_CREATE, "create NAME [nodatasum]",
	    1, { SL_NEWNAME }, { NULL }, SCN_F_NODATASUM, false, NULL },
	{ "write", SCN_WRITE, "write NAME OFF LEN [fill=BYTE] [nocsum] "
	    "[nosync]", 3, { SL_NAME, SL_OFF, SL_LEN }, { "fill", NULL },
	    SCN_F_NOCSUM | SCN_F_NOSYNC, false, st_write },
	{ "sync", SCN_SYNC, "sync",
	    0, { SL_NAME }, { NULL }, 0, false, NULL },
	{ "read", SCN_READ, "read NAME OFF LEN [mirror=N]",
	    3, { SL_NAME, SL_OFF, SL_LEN }, { "mirror", NULL }, 0, false,
	    st_read },
	{ "truncate", SCN_TRUNCATE, "truncate NAME SIZE",
	    2, { SL_NAME, SL_SIZE }, { NULL }, 0, false, NULL },
	{ "drop-cache", SCN_DROP_CACHE, "drop-cache NAME OFF LEN|max",
	    3, { SL_NAME, SL_OFF, SL_LEN }, { NULL }, 0, false, NULL },
	{ "drop-caches", SCN_DROP_CACHES, "drop-caches 1|2|3",
	    1, { SL_LEVEL }, { NULL }, 0, false, NULL },
	{ "corrupt", SCN_CORRUPT, "corrupt NAME OFF LEN mirror=N [fill=BYTE]",
	    3, { SL_NAME, SL_OFF, SL_LEN }, { "mirror", "fill", NULL }, 0,
	    false, st_corrupt },
	{ "corrupt", SCN_CORRUPT_LOGICAL,
	    "corrupt logical=L len=N mirror=N [fill=BYTE]",
	    0, { SL_NAME }, { "logical", "len", "mirror", "fill", NULL }, 0,
	    false, st_corrupt_logical },
	{ "ioerror", SCN_IOERROR, "ioerror NAME OFF LEN mirror=N [count=N]",
	    3, { SL_NAME, SL_OFF, SL_LEN }, { "mirror", "count", NULL }, 0,
	    false, st_ioerror },
	{ "offline", SCN_OFFLINE, "offline mirror=N",
	    0, { SL_NAME }, { "mirror", NULL }, 0, false, st_online },
	{ "online", SCN_ONLINE, "online mirror=N",
	    0, { SL_NAME }, { "mirror", NULL }, 0, false, st_online },
	{ "faults", SCN_FAULTS, "faults rate=P [kinds=corrupt,ioerror] "
	    "[safe=yes|no]", 0, { SL_NAME }, { "rate", "kinds", "safe", NULL },
	    0, false, st_faults },
	{ "concurrent", SCN_CONCURRENT, "concurrent "
	    "[schedule=fifo|random|explore] [runs=N] [max-schedules=N]",
	    0, { SL_NAME }, { "schedule", "runs", "max-schedules", NULL }, 0,
	    false, st_concurrent },
	{ "cache", SCN_EXPECT_CACHE, "expect cache NAME OFF LEN present|absent",
	    4, { SL_NAME, SL_OFF, SL_LEN, SL_PRESENCE }, { NULL }, 0, false,
	    NULL },
	{ "coherent", SCN_EXPECT_COHERENT, "expect coherent NAME",
	    1, { SL_NAME }, { NULL }, 0, false, NULL },
	{ "size", SCN_EXPECT_SIZE, "expect size NAME N",
	    2, { SL_NAME, SL_SIZE }, { NULL }, 0, false, NULL },
	{ "extents", SCN_EXPECT_EXTENTS, "expect extents NAME N",
	    2, { SL_NAME, SL_COUNT }, { NULL }, 0, false, NULL },
	{ "stat", SCN_EXPECT_STAT, "expect stat COUNTER=N [COUNTER=N ...]",
	    0, { SL_NAME }, { NULL }, 0, true, st_stat },
	{ "violation", SCN_EXPECT_VIOLATION, "expect violation KIND",
	    1, { SL_KIND }, { NULL }, 0, false, NULL },
};

#define NDEFS	(sizeof(stmt_defs) / sizeof(stmt_defs[0]))

static bool
is_expect_kind(enum scn_kind k)
{
	return k >= SCN_EXPECT_CACHE && k <= SCN_EXPECT_VIOLATION;
}

static bool
is_task_kind(enum scn_kind k)
{
	return k == SCN_READ || k == SCN_WRITE || k == SCN_TRUNCATE ||
	    k == SCN_DROP_CACHE || k == SCN_SYNC;
}

static bool
is_header_kind(enum scn_kind k)
{
	return k == SCN_PRESET || k == SCN_QUIRK || k == SCN_SEED ||
	    k == SCN_GUARDS;
}

/* The statement definition for WORD (after `expect` if EXPECT). */
static const struct stmt_def *
find_def(const struct lex_word *w, bool expect)
{
	for (size_t i = 0; i < NDEFS; i++) {
		if (is_expect_kind(stmt_defs[i].kind) == expect &&
		    lex_eq(w, stmt_defs[i].word))
			return &stmt_defs[i];
	}
	return NULL;
}

static int
flag_index(const struct lex_word *w)
{
	for (size_t i = 0; i < sizeof(flag_defs) / sizeof(flag_defs[0]); i++) {
		if (lex_eq(w, flag_defs[i].name))
			return (int)i;
	}
	return -1;
}

static bool
has_eq(const struct lex_word *w)
{
	return memchr(w->s, '=', w->len) != NULL;
}

/* --- splitting a line --------------------------------------------------- */

/*
 * Find the expect tail among ARGS and leave c->args/nargs as the words
 * before it.  For a statement with positional words the tail starts at the
 * first `expect` that is not in a NAME slot.
 */
static void
split_tail(struct cmd *c, const struct lex_word *args, size_t nargs)
{
	size_t i;

	c->args = args;
	c->nargs = nargs;
	for (i = 0; i < nargs; i++) {
		if (i < c->def->npos && !c->def->raw &&
		    (c->def->pos[i] == SL_NAME ||
		    c->def->pos[i] == SL_NEWNAME) && !has_eq(&args[i]))
			continue;
		if (lex_eq(&args[i], "expect"))
			break;
	}
	if (i < nargs) {
		c->nargs = i;
		c->expect = &args[i];
		c->tail = &args[i + 1];
		c->ntail = nargs - i - 1;
	}
}

/* Split c->args into positional words, options and flags. */
static void
split_args(struct parser *p, struct cmd *c)
{
	const struct stmt_def *d = c->def;
	size_t i = 0, k;
	int f;

	/* Invariant: c->pos holds the first npos words, all positional. */
	for (; i < c->nargs && c->npos < d->npos; i++) {
		const struct lex_word *w = &c->args[i];
		enum slot sl = d->pos[c->npos];

		if (has_eq(w))
			break;
		if (sl != SL_NAME && sl != SL_NEWNAME && flag_index(w) >= 0)
			break;
		c->pos[c->npos++] = w;
	}
	for (; i < c->nargs; i++) {
		const struct lex_word *w = &c->args[i];
		const char *eq = memchr(w->s, '=', w->len);

		if (eq == NULL) {
			f = flag_index(w);
			if (f >= 0 && (d->flags & flag_defs[f].bit)) {
				if (c->flags & flag_defs[f].bit)
					perr(p, w, "flag %s given twice: "
					    "give each flag once",
					    flag_defs[f].name);
				c->flags |= flag_defs[f].bit;
			} else if (f >= 0)
				perr(p, w, "flag %s applies to %s only: %s",
				    flag_defs[f].name, flag_defs[f].owner,
				    d->usage);
			else
				perr(p, w, "unexpected word `" SHOW_FMT "`: %s",
				    SHOWW(w), d->usage);
			continue;
		}
		for (k = 0; d->keys[k] != NULL; k++) {
			if (val_eq(w->s, (size_t)(eq - w->s), d->keys[k]))
				break;
		}
		if (d->keys[k] == NULL) {
			perr(p, w, "unknown option `" SHOW_FMT "=`: %s",
			    SHOW(w->s, (size_t)(eq - w->s)), d->usage);
			continue;
		}
		c->given |= 1u << k;
		if (c->opt[k] != NULL) {
			perr(p, w, "option %s= given twice (first at column "
			    "%u): give each option once", d->keys[k],
			    c->opt[k]->col);
			continue;
		}
		if (eq + 1 == w->s + w->len) {
			perr(p, w, "option %s= has no value: %s", d->keys[k],
			    d->usage);
			continue;
		}
		c->opt[k] = w;
	}
	if (c->npos < d->npos)
		perr(p, c->stmtw, "missing %s: %s",
		    slot_labels[d->pos[c->npos]], d->usage);
}

/* --- expect tails ------------------------------------------------------- */

static const struct {
	const char	*name;
	unsigned	 bit;
} outcome_defs[] = {
	{ "ok", SCN_OUT_OK },
	{ "eio", SCN_OUT_EIO },
	{ "enospc", SCN_OUT_ENOSPC },
	{ "oops", SCN_OUT_OOPS },
};

#define OUTCOMES	"ok, eio, enospc or oops, or alternatives joined " \
			"by | such as ok|eio"
#define READ_TAIL	"expect OUTCOME [mirror=N] [retries=N] " \
			"[lookup=cache|get_extent] [data=intact|BYTE]"

static void
tail_outcome(struct parser *p, const struct lex_word *w, struct scn_expect *e)
{
	const char *item = w->s, *end = w->s + w->len, *bar;
	unsigned mask = 0;
	size_t k;

	if (lex_eq(w, "deadlock") || lex_eq(w, "no-deadlock")) {
		perr(p, w, "%.*s is expected on the end line of a concurrent "
		    "block (end expect %.*s); an operation expects %s",
		    (int)w->len, w->s, (int)w->len, w->s, OUTCOMES);
		return;
	}
	/* Invariant: mask holds the outcomes of the items before `item`. */
	for (;; item = bar + 1) {
		bar = memchr(item, '|', (size_t)(end - item));
		if (bar == NULL)
			bar = end;
		for (k = 0; k < sizeof(outcome_defs) / sizeof(outcome_defs[0]);
		    k++) {
			if (val_eq(item, (size_t)(bar - item),
			    outcome_defs[k].name))
				break;
		}
		if (k == sizeof(outcome_defs) / sizeof(outcome_defs[0])) {
			perr(p, w, "unknown outcome `" SHOW_FMT "`: use %s",
			    SHOW(item, (size_t)(bar - item)), OUTCOMES);
			return;
		}
		if (mask & outcome_defs[k].bit) {
			perr(p, w, "outcome %s listed twice: list each outcome "
			    "once", outcome_defs[k].name);
			return;
		}
		mask |= outcome_defs[k].bit;
		if (bar == end)
			break;
	}
	e->outcomes = mask;
}

enum { TK_MIRROR, TK_RETRIES, TK_LOOKUP, TK_DATA, TK_COUNT };

static const char *const tail_keys[TK_COUNT] = {
	"mirror", "retries", "lookup", "data"
};

static void
tail_key(struct parser *p, const struct lex_word *w, int key,
    struct scn_stmt *st)
{
	struct scn_expect *e = &st->expect;
	const char *v;
	size_t vlen;
	uint64_t n;

	v = opt_val(w, &vlen);
	switch (key) {
	case TK_MIRROR:
		val_mirror(p, w, v, vlen, &e->mirror);
		break;
	case TK_RETRIES:
		if (val_range(p, w, v, vlen, "retries", 0, INT64_MAX,
		    "a count of retry bios, 0 or more", &n))
			e->retries = (int64_t)n;
		break;
	case TK_LOOKUP:
		if (val_eq(v, vlen, "cache"))
			e->lookup = SCN_LOOKUP_CACHE;
		else if (val_eq(v, vlen, "get_extent"))
			e->lookup = SCN_LOOKUP_GET_EXTENT;
		else
			perr(p, w, "lookup must be cache or get_extent");
		break;
	case TK_DATA:
		if (val_eq(v, vlen, "intact"))
			e->data = SCN_DATA_INTACT;
		else if (lex_number(v, vlen, &n) == LEX_OK && n <= 255)
			e->data = (int)n;
		else
			perr(p, w, "data must be intact or a byte from 0 to "
			    "255 (decimal or 0x hex)");
		break;
	}
}

/* The `expect OUTCOME [key=value ...]` tail of an operation line. */
static void
parse_tail(struct parser *p, const struct cmd *c, struct scn_stmt *st)
{
	const struct lex_word *seen[TK_COUNT] = { NULL };
	struct scn_expect *e = &st->expect;
	bool is_read = st->kind == SCN_READ;
	size_t i = 0;
	int k;

	e->given = true;
	e->pos = pos_of(p, c->expect);
	if (c->ntail == 0 || has_eq(&c->tail[0])) {
		perr(p, c->expect, "missing OUTCOME after expect: use %s",
		    OUTCOMES);
	} else
		tail_outcome(p, &c->tail[i++], e);
	for (; i < c->ntail; i++) {
		const struct lex_word *w = &c->tail[i];
		const char *eq = memchr(w->s, '=', w->len);

		if (eq == NULL) {
			if (lex_eq(w, "expect")) {
				perr(p, w, "expect given twice: a line has one "
				    "expect tail");
				break;
			} else if (flag_index(w) >= 0)
				perr(p, w, "flag %.*s must come before expect",
				    (int)w->len, w->s);
			else
				perr(p, w, "unexpected word `" SHOW_FMT "` "
				    "after the outcome: %s", SHOWW(w),
				    is_read ? READ_TAIL : "expect OUTCOME");
			continue;
		}
		for (k = 0; k < TK_COUNT; k++) {
			if (val_eq(w->s, (size_t)(eq - w->s), tail_keys[k]))
				break;
		}
		if (k == TK_COUNT) {
			perr(p, w, "unknown expect key `" SHOW_FMT "=`: %s",
			    SHOW(w->s, (size_t)(eq - w->s)), READ_TAIL);
			continue;
		}
		if (!is_read) {
			perr(p, w, "expect key %s= applies to read only: %s "
			    "takes expect OUTCOME", tail_keys[k],
			    scn_kind_name(st->kind));
			continue;
		}
		if (seen[k] != NULL) {
			perr(p, w, "expect key %s= given twice (first at "
			    "column %u): give each key once", tail_keys[k],
			    seen[k]->col);
			continue;
		}
		seen[k] = w;
		tail_key(p, w, k, st);
	}
}

/* --- lines -------------------------------------------------------------- */

static void
stmt_init(struct scn_stmt *st, enum scn_kind kind, struct scn_pos pos)
{
	memset(st, 0, sizeof(*st));
	st->kind = kind;
	st->pos = pos;
	st->file = -1;
	st->fill = -1;
	st->preset = -1;
	st->quirk = -1;
	st->violation = -1;
	st->fault_kinds = SCN_FAULT_CORRUPT | SCN_FAULT_IOERROR;
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
stmt_push(struct scn_stmt **v, size_t *n, size_t *cap,
    const struct scn_stmt *st)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = xreallocarray(*v, *cap, sizeof(**v));
	}
	(*v)[(*n)++] = *st;
}

static void
stmt_discard(struct scn_stmt *st)
{
	free(st->stats);
	for (size_t i = 0; i < st->ntasks; i++)
		stmt_discard(&st->tasks[i]);
	free(st->tasks);
	st->stats = NULL;
	st->tasks = NULL;
	st->nstats = st->ntasks = 0;
}

/* Rules about where a statement may stand; reported at its word. */
static void
check_order(struct parser *p, const struct cmd *c)
{
	enum scn_kind k = c->def->kind;
	const char *name = scn_kind_name(k);
	uint32_t line = p->ln->lineno;

	if (p->depth > 0 && !is_task_kind(k)) {
		if (k == SCN_CONCURRENT)
			perr(p, c->stmtw, "concurrent blocks do not nest: "
			    "close the block opened at line %u with end first",
			    p->block.pos.line);
		else
			perr(p, c->stmtw, "%s cannot run in a concurrent block "
			    "(opened at line %u): only %s can be tasks", name,
			    p->block.pos.line, TASK_KINDS);
	} else if (k == SCN_FS) {
		if (p->fs_line != 0)
			perr(p, c->stmtw, "fs may appear only once (first at "
			    "line %u)", p->fs_line);
		else if (p->seen_stmt)
			perr(p, c->stmtw, "fs must be the first statement of "
			    "the file: move it above line %u", p->first_line);
	} else if (k == SCN_PRESET && p->preset_line != 0) {
		perr(p, c->stmtw, "preset may appear only once (first at line "
		    "%u)", p->preset_line);
	} else if (is_header_kind(k) && p->first_op_line != 0) {
		perr(p, c->stmtw, "%s must come before the first operation "
		    "(%s at line %u): put preset, quirk, seed and guards at "
		    "the top", name, p->first_op, p->first_op_line);
	}
	if (!p->seen_stmt)
		p->first_line = line;
	p->seen_stmt = true;
	if (k == SCN_FS && p->fs_line == 0)
		p->fs_line = line;
	if (k == SCN_PRESET && p->preset_line == 0)
		p->preset_line = line;
	if (scn_is_operation(k) && p->first_op_line == 0) {
		p->first_op_line = line;
		p->first_op = name;
	}
}

#define END_USAGE	"end [expect deadlock|no-deadlock]"

/* `end [expect deadlock|no-deadlock]`: closes the open block. */
static void
parse_end(struct parser *p, const struct lex_line *ln)
{
	const struct lex_word *w = ln->words;
	bool deadlock = false;
	size_t i = 1;

	if (ln->nwords > 1) {
		if (!lex_eq(&w[1], "expect"))
			perr(p, &w[1], "unexpected word `" SHOW_FMT "`: %s",
			    SHOWW(&w[1]), END_USAGE);
		else if (ln->nwords == 2)
			perr(p, &w[1], "missing deadlock|no-deadlock after "
			    "expect: %s", END_USAGE);
		else if (lex_eq(&w[2], "deadlock") ||
		    lex_eq(&w[2], "no-deadlock"))
			deadlock = lex_eq(&w[2], "deadlock");
		else
			perr(p, &w[2], "a concurrent block expects deadlock or "
			    "no-deadlock, not `" SHOW_FMT "`", SHOWW(&w[2]));
		i = lex_eq(&w[1], "expect") ? 3 : 2;
	}
	for (; i < ln->nwords; i++)
		perr(p, &w[i], "unexpected word `" SHOW_FMT "`: %s",
		    SHOWW(&w[i]), END_USAGE);
	if (p->depth == 0) {
		perr(p, &w[0], "end without concurrent: no block is open here");
		return;
	}
	if (--p->depth > 0)
		return;
	p->block.expect_deadlock = deadlock;
	p->block.end_pos = pos_of(p, &w[0]);
	if (!p->block_content)
		perr_at(p, p->block.pos.line, p->block.pos.col,
		    p->block_width, "concurrent block has no tasks: put one "
		    "%s per line between concurrent and end", "read, write, "
		    "truncate, drop-cache or sync");
	stmt_push(&p->s->stmts, &p->s->nstmts, &p->stmt_cap, &p->block);
	memset(&p->block, 0, sizeof(p->block));
}

static bool
is_outcome_word(const struct lex_word *w)
{
	for (size_t k = 0; k < sizeof(outcome_defs) / sizeof(outcome_defs[0]);
	    k++) {
		if (lex_eq(w, outcome_defs[k].name))
			return true;
	}
	return memchr(w->s, '|', w->len) != NULL;
}

#define STMT_NAMES	"fs, preset, quirk, seed, guards, create, write, " \
			"sync, read, truncate, drop-cache, drop-caches, " \
			"corrupt, ioerror, offline, online, faults, " \
			"concurrent, end or expect"
#define EXPECT_NAMES	"cache, coherent, size, extents, stat or violation"

/* The lowercase statement W would be, or NULL. */
static const char *
lowercase_of(const struct lex_word *w)
{
	static const char *const extra[] = { "end", "expect" };

	for (size_t i = 0; i < NDEFS; i++) {
		if (!is_expect_kind(stmt_defs[i].kind) &&
		    strlen(stmt_defs[i].word) == w->len &&
		    strncasecmp(stmt_defs[i].word, w->s, w->len) == 0)
			return stmt_defs[i].word;
	}
	for (size_t i = 0; i < 2; i++) {
		if (strlen(extra[i]) == w->len &&
		    strncasecmp(extra[i], w->s, w->len) == 0)
			return extra[i];
	}
	return NULL;
}

/* Find the definition of the line's statement, reporting unknown ones. */
static const struct stmt_def *
line_def(struct parser *p, const struct lex_line *ln, size_t *skip)
{
	const struct lex_word *w0 = &ln->words[0], *w1 = &ln->words[1];
	const struct stmt_def *d;
	const char *lc;

	*skip = 1;
	if (lex_eq(w0, "expect")) {
		*skip = 2;
		if (ln->nwords < 2) {
			perr(p, w0, "missing what to expect: expect %s",
			    EXPECT_NAMES);
			return NULL;
		}
		if ((d = find_def(w1, true)) != NULL)
			return d;
		if (is_outcome_word(w1))
			perr(p, w1, "an outcome goes at the end of an "
			    "operation line, as in `read a 0 4K expect eio`; a "
			    "line that starts with expect checks %s",
			    EXPECT_NAMES);
		else
			perr(p, w1, "unknown expectation `" SHOW_FMT "`: use "
			    "expect %s", SHOWW(w1), EXPECT_NAMES);
		return NULL;
	}
	if ((d = find_def(w0, false)) != NULL) {
		if (d->kind == SCN_CORRUPT && ln->nwords > 1 && has_eq(w1))
			d++;
		return d;
	}
	if ((lc = lowercase_of(w0)) != NULL)
		perr(p, w0, "statements are lowercase: use %s", lc);
	else
		perr(p, w0, "unknown statement `" SHOW_FMT "`: use %s",
		    SHOWW(w0), STMT_NAMES);
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
		perr(p, w0, "no room for tasks: the scheduler runs %d "
		    "entities and this filesystem's %u end-io workers take "
		    "them all; give fs a smaller workers=", SCHED_MAX_ENTITIES,
		    workers);
	else if (!p->block_full)
		perr(p, w0, "too many tasks: a concurrent block holds at most "
		    "%zu here (the scheduler runs %d entities, %u of them "
		    "end-io workers); split the block", room,
		    SCHED_MAX_ENTITIES, workers);
	p->block_full = true;
	return false;
}

/* Where a parsed statement goes: the top level, the open block, nowhere. */
static void
place(struct parser *p, struct scn_stmt *st, const struct lex_word *w0)
{
	if (st->kind == SCN_CONCURRENT) {
		if (p->depth++ > 0) {
			stmt_discard(st);
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
		if (is_task_kind(st->kind) && task_room(p, w0))
			stmt_push(&p->block.tasks, &p->block.ntasks,
			    &p->task_cap, st);
		else
			stmt_discard(st);
		return;
	}
	stmt_push(&p->s->stmts, &p->s->nstmts, &p->stmt_cap, st);
}

static void
parse_line(struct parser *p, const struct lex_line *ln)
{
	const struct lex_word *w0 = ln->words;
	struct scn_stmt st;
	struct cmd c;
	size_t skip;

	p->ln = ln;
	if (ln->bad_col == 0 && ln->nwords == 0)
		return;
	if (++p->nstatements > SCN_MAX_STATEMENTS) {
		if (ln->nwords > 0)
			perr(p, w0, "too many statements: a scenario holds at "
			    "most %u (lines other than blank and comment "
			    "lines); split it into several files",
			    SCN_MAX_STATEMENTS);
		else
			perr_at(p, ln->lineno, ln->bad_col, 1, "too many "
			    "statements: a scenario holds at most %u; split it "
			    "into several files", SCN_MAX_STATEMENTS);
		p->stopped = true;
		return;
	}
	if (ln->bad_col != 0) {
		perr_at(p, ln->lineno, ln->bad_col, 1, "control character "
		    "0x%02x is not allowed: a scenario is plain text; the line "
		    "is ignored", ln->bad_char);
		p->block_content |= p->depth > 0;
		return;
	}
	if (ln->over_col != 0) {
		perr_at(p, ln->lineno, ln->over_col, 1, "more than %d words on "
		    "one line: no statement takes that many; the line is "
		    "ignored", LEX_MAX_WORDS);
		p->block_content |= p->depth > 0;
		return;
	}
	if (lex_eq(w0, "end")) {
		parse_end(p, ln);
		return;
	}
	p->block_content |= p->depth > 0;
	memset(&c, 0, sizeof(c));
	if ((c.def = line_def(p, ln, &skip)) == NULL)
		return;
	c.stmtw = w0;
	check_order(p, &c);
	split_tail(&c, ln->words + skip, ln->nwords - skip);
	stmt_init(&st, c.def->kind, pos_of(p, w0));
	if (!c.def->raw) {
		split_args(p, &c);
		parse_slots(p, &c, &st);
	}
	if (c.def->fn != NULL)
		c.def->fn(p, &c, &st);
	st.flags = c.flags;
	if (c.expect != NULL) {
		if (st.kind == SCN_CONCURRENT)
			perr(p, c.expect, "a concurrent block's expectation "
			    "goes on its end line: %s", END_USAGE);
		else if (!scn_is_operation(st.kind))
			perr(p, c.expect, "%s takes no outcome: only "
			    "operations end with expect OUTCOME",
			    scn_kind_name(st.kind));
		else
			parse_tail(p, &c, &st);
	}
	place(p, &st, w0);
}

/*
 * The header summary: the quirk settings of the preset and quirk lines
 * and the mask they give (quirk_resolve() orders them), seed, guards.
 */
static void
summarize(struct scn_script *s)
{
	for (size_t i = 0; i < s->nstmts; i++) {
		const struct scn_stmt *st = &s->stmts[i];

		if (st->kind == SCN_PRESET && st->preset >= 0)
			quirk_settings_add(&s->quirk_settings,
			    QUIRK_FROM_FILE_PRESET, st->preset, true);
		else if (st->kind == SCN_QUIRK && st->quirk >= 0)
			quirk_settings_add(&s->quirk_settings,
			    QUIRK_FROM_FILE_QUIRK, st->quirk, st->on);
		else if (st->kind == SCN_SEED)
			s->seed = st->seed;
		else if (st->kind == SCN_GUARDS)
			s->guards |= st->guards;
	}
	s->quirks = quirk_resolve(&s->quirk_settings);
}

struct scn_script *
parse_script(const char *filename, const char *buf, size_t len,
    struct diag_list *diags)
{
	struct parser p;
	struct lex lx;
	struct lex_line ln;
	struct scn_script *s;

	memset(&p, 0, sizeof(p));
	p.diags = diags;
	p.nerr0 = diags->n;
	p.s = s = xcalloc(1, sizeof(*s));
	s->filename = xstrdup(filename);
	scn_fs_defaults(&s->fs);
	s->fs.alloc_align = s->fs.sectorsize;
	p.mirrors = s->fs.mirrors;

	if (len > SCN_MAX_BYTES) {
		diag_add(diags, 1, 1, 1, "the file is larger than %uM (%u "
		    "bytes), the most a scenario may hold: split it into "
		    "several files", SCN_MAX_BYTES >> 20, SCN_MAX_BYTES);
		scn_free(s);
		return NULL;
	}
	lex_init(&lx, buf, len);
	while (!p.stopped && lex_next(&lx, &ln))
		parse_line(&p, &ln);
	lex_fini(&lx);
	if (p.depth > 0 && !p.stopped)
		perr_at(&p, p.block.pos.line, p.block.pos.col, p.block_width,
		    "concurrent block opened here is never closed: add `end` "
		    "after its tasks");
	if (p.depth > 0)
		stmt_discard(&p.block);
	if (p.full_line != 0)
		diag_add(diags, p.full_line, 1, 1, "too many errors: these are "
		    "the first %u; fix them and check again", SCN_MAX_ERRORS);
	free(p.create_line);
	free(p.hash);
	summarize(s);
	if (diags->n > p.nerr0) {
		scn_free(s);
		return NULL;
	}
	return s;
}
