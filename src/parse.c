/*
 * The scenario parser (see parse.h).  One pass over the lines of the file:
 * each line is one statement, found in a table of statement definitions
 * (`stmt_defs`) that gives its positional words, its options (key=value),
 * its flags and the usage line quoted by messages about it.  The words of
 * a line are split once into positional words, options, flags and the
 * `expect` tail; each part is then checked against the definition, and
 * each value by one small parser per kind of value (pval.c).
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../sim/sched.h"
#include "../sim/xmalloc.h"
#include "fmt.h"
#include "lex.h"
#include "parse.h"
#include "pval.h"

#define PARSE_MIB		(1ull << 20)	/* logical data starts here */
#define PARSE_MAX_SECTOR	65536u
#define PARSE_MIN_SECTOR	512u
#define PARSE_MAX_MIRRORS	4u
#define PARSE_MAX_WORKERS	64u
#define PARSE_DEFAULT_RUNS	1u
#define PARSE_DEFAULT_SCHEDULES	100000u
#define PARSE_MAX_POS		4
#define PARSE_MAX_KEYS		8

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
	struct pval		 pv;		/* errors, line, mirror bound */
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
	idx = file_find(p, w->s, w->len);
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
	idx = file_find(p, w->s, w->len);
	if (idx >= 0) {
		pval_err(&p->pv, w, "file `%.*s` is already created at line "
		    "%u: create each file once", (int)w->len, w->s,
		    p->create_line[idx]);
		st->file = idx;
		return;
	}
	if (p->s->nfiles >= SCN_MAX_FILES) {
		pval_err(&p->pv, w, "too many files: a scenario may create at "
		    "most %u; reuse a file or split the scenario",
		    SCN_MAX_FILES);
		return;
	}
	st->file = file_add(p, w->s, w->len, p->pv.line);
}

static void
slot_preset(struct parser *p, const struct lex_word *w, struct scn_stmt *st)
{
	char list[128];

	st->preset = quirk_preset_lookup(w->s, w->len);
	if (st->preset >= 0)
		return;
	pval_list(list, sizeof(list), PVAL_PRESETS);
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
	pval_list(list, sizeof(list), PVAL_KINDS);
	pval_err(&p->pv, w, "unknown violation kind `" PVAL_SHOW_FMT "`: use "
	    "%s", PVAL_SHOWW(w), list);
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
			st->off_pos = pval_pos(&p->pv, w);
			off_ok = pval_off(&p->pv, w, w->s, w->len, "OFF",
			    &st->off);
			break;
		case SL_LEN:
			st->len_pos = pval_pos(&p->pv, w);
			pval_len(&p->pv, w, w->s, w->len, "LEN", "OFF", st->off,
			    off_ok, &st->len, &st->len_max);
			break;
		case SL_SIZE:
			st->size_pos = pval_pos(&p->pv, w);
			if (pval_num(&p->pv, w, w->s, w->len, "SIZE",
			    &st->size) && st->size > SCN_ADDR_LIMIT)
				pval_err(&p->pv, w, "SIZE must be at most "
				    PVAL_ADDR_TEXT);
			break;
		case SL_COUNT:
			st->size_pos = pval_pos(&p->pv, w);
			pval_num(&p->pv, w, w->s, w->len, "N", &st->size);
			break;
		case SL_SEED:
			pval_num(&p->pv, w, w->s, w->len, "seed", &st->seed);
			break;
		case SL_LEVEL:
			if (pval_range(&p->pv, w, w->s, w->len, "drop-caches "
			    "level", 1, 3, "1 (page cache), 2 (extent map "
			    "caches and cached metadata) or 3 (both)", &v))
				st->level = (int)v;
			break;
		case SL_PRESET:
			slot_preset(p, w, st);
			break;
		case SL_QUIRK:
			st->quirk = pval_quirk(&p->pv, w);
			break;
		case SL_ONOFF:
			if (lex_eq(w, "on") || lex_eq(w, "off"))
				st->on = lex_eq(w, "on");
			else
				pval_err(&p->pv, w, "a quirk is turned on or "
				    "off, not `" PVAL_SHOW_FMT "`",
				    PVAL_SHOWW(w));
			break;
		case SL_PRESENCE:
			if (lex_eq(w, "present") || lex_eq(w, "absent"))
				st->present = lex_eq(w, "present");
			else
				pval_err(&p->pv, w, "expect cache ends with "
				    "present or absent, not `" PVAL_SHOW_FMT
				    "`", PVAL_SHOWW(w));
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
		pval_err(&p->pv, c->stmtw, "missing %s: %s", form,
		    c->def->usage);
	return false;
}

enum { FS_SECTORSIZE, FS_MIRRORS, FS_SIZE, FS_MAX_EXTENT, FS_ALLOC_ALIGN,
    FS_WORKERS, FS_CSUM };

static void
st_fs(struct parser *p, struct cmd *c, struct scn_stmt *st)
{
	static const char *const csums[] = { "crc32c", "crc32" };
	int k;
	const struct lex_word *w;
	struct scn_fs *fs = &st->fs;
	bool ss_ok = true, al_ok = true;
	char ss[32], al[32];
	const char *v;
	size_t vlen;
	uint64_t n;

	if ((w = c->opt[FS_SECTORSIZE]) != NULL) {
		v = pval_opt(w, &vlen);
		ss_ok = pval_num(&p->pv, w, v, vlen, "sectorsize", &n);
		if (ss_ok && (!pval_pow2(n) || n < PARSE_MIN_SECTOR ||
		    n > PARSE_MAX_SECTOR)) {
			pval_err(&p->pv, w, "sector size must be a power of "
			    "two from 512 to 64K");
			ss_ok = false;
		}
		if (ss_ok)
			fs->sectorsize = (uint32_t)n;
	}
	if ((w = c->opt[FS_MIRRORS]) != NULL) {
		v = pval_opt(w, &vlen);
		if (pval_range(&p->pv, w, v, vlen, "mirrors", 1,
		    PARSE_MAX_MIRRORS, "from 1 to 4", &n))
			fs->mirrors = (uint32_t)n;
		else
			fs->mirrors = PARSE_MAX_MIRRORS;
	}
	if ((w = c->opt[FS_ALLOC_ALIGN]) != NULL) {
		v = pval_opt(w, &vlen);
		al_ok = pval_num(&p->pv, w, v, vlen, "alloc_align", &n);
		fmt_size(fs->sectorsize, ss, sizeof(ss));
		if (al_ok && (!pval_pow2(n) || (ss_ok && n < fs->sectorsize))) {
			pval_err(&p->pv, w, "alloc_align must be a power of "
			    "two no smaller than the sector size (%s)", ss);
			al_ok = false;
		}
		if (al_ok)
			fs->alloc_align = n;
	}
	if (fs->alloc_align == 0)
		fs->alloc_align = fs->sectorsize;
	if ((w = c->opt[FS_SIZE]) != NULL) {
		v = pval_opt(w, &vlen);
		fmt_size(fs->sectorsize, ss, sizeof(ss));
		fmt_size(fs->alloc_align, al, sizeof(al));
		if (!pval_num(&p->pv, w, v, vlen, "size", &n))
			;
		else if (n > SCN_ADDR_LIMIT - PARSE_MIB)
			pval_err(&p->pv, w, "size is too large: data lives "
			    "from 1M to 1M + size, which must end at or below "
			    PVAL_ADDR_TEXT ", so size is at most "
			    "0x7ffffffffff00000");
		else if (ss_ok && n < fs->sectorsize)
			pval_err(&p->pv, w, "size must be at least the sector "
			    "size (%s)", ss);
		else if (ss_ok && al_ok && n < fs->alloc_align)
			pval_err(&p->pv, w, "size must be at least alloc_align "
			    "(%s)", al);
		else
			fs->size = n;
	} else if ((w = c->opt[FS_ALLOC_ALIGN]) != NULL && al_ok &&
	    fs->alloc_align > fs->size) {
		fmt_size(fs->alloc_align, al, sizeof(al));
		fmt_size(fs->size, ss, sizeof(ss));
		pval_err(&p->pv, w, "alloc_align (%s) must be at most the size "
		    "of the filesystem (%s, the default): give a larger size= "
		    "or a smaller alloc_align", al, ss);
	}
	if ((w = c->opt[FS_MAX_EXTENT]) != NULL) {
		v = pval_opt(w, &vlen);
		fmt_size(fs->sectorsize, ss, sizeof(ss));
		if (!pval_num(&p->pv, w, v, vlen, "max_extent", &n))
			;
		else if (ss_ok && (n < fs->sectorsize ||
		    n % fs->sectorsize != 0))
			pval_err(&p->pv, w, "max_extent must be a multiple of "
			    "the sector size (%s), at least one sector", ss);
		else
			fs->max_extent = n;
	}
	if ((w = c->opt[FS_WORKERS]) != NULL) {
		v = pval_opt(w, &vlen);
		if (pval_range(&p->pv, w, v, vlen, "workers", 1,
		    PARSE_MAX_WORKERS, "from 1 to 64", &n))
			fs->workers = (uint32_t)n;
	}
	if ((w = c->opt[FS_CSUM]) != NULL &&
	    (k = pval_choice(&p->pv, w, csums, 2)) >= 0)
		fs->csum_crc32 = k == 1;
	if (p->fs_line == p->pv.line) {
		p->s->fs = *fs;
		p->pv.mirrors = fs->mirrors;
	}
}

static void
st_guards(struct parser *p, struct cmd *c, struct scn_stmt *st)
{
	if (c->nargs == 0) {
		pval_err(&p->pv, c->stmtw, "missing the quirk name: %s",
		    c->def->usage);
		return;
	}
	for (size_t i = 0; i < c->nargs; i++) {
		int q = pval_quirk(&p->pv, &c->args[i]);

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
		v = pval_opt(w, &vlen);
		pval_byte(&p->pv, w, v, vlen, "fill", &st->fill);
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
	st->mirror_pos = pval_pos(&p->pv, w);
	v = pval_opt(w, &vlen);
	pval_mirror(&p->pv, w, v, vlen, &st->mirror);
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
		v = pval_opt(w, &vlen);
		pval_byte(&p->pv, w, v, vlen, "fill", &st->fill);
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
		st->off_pos = pval_pos(&p->pv, w);
		v = pval_opt(w, &vlen);
		lok = pval_off(&p->pv, w, v, vlen, "logical", &st->logical);
	}
	if (require(p, c, LOGICAL_LEN, "len=N")) {
		w = c->opt[LOGICAL_LEN];
		st->len_pos = pval_pos(&p->pv, w);
		v = pval_opt(w, &vlen);
		pval_len(&p->pv, w, v, vlen, "len", "logical", st->logical, lok,
		    &st->len, &st->len_max);
	}
	if (require(p, c, LOGICAL_MIRROR, "mirror=N"))
		opt_mirror(p, c->opt[LOGICAL_MIRROR], st);
	if ((w = c->opt[LOGICAL_FILL]) != NULL) {
		v = pval_opt(w, &vlen);
		pval_byte(&p->pv, w, v, vlen, "fill", &st->fill);
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
		v = pval_opt(w, &vlen);
		pval_positive(&p->pv, w, v, vlen, "count", &st->count);
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
	static const char *const kinds[] = {
		"corrupt",	/* SCN_FAULT_CORRUPT */
		"ioerror",	/* SCN_FAULT_IOERROR */
	};
	const char *v, *item;
	size_t vlen, ilen;
	unsigned mask;

	v = pval_opt(w, &vlen);
	switch (pval_set(v, vlen, ',', kinds, 2, &mask, &item, &ilen)) {
	case PVAL_SET_OK:
		st->fault_kinds = mask;
		break;
	case PVAL_SET_UNKNOWN:
		pval_err(&p->pv, w, "kinds must be a comma-separated list of "
		    "corrupt and ioerror, not `" PVAL_SHOW_FMT "`",
		    PVAL_SHOW(item, ilen));
		break;
	case PVAL_SET_TWICE:
		pval_err(&p->pv, w, "kinds lists %.*s twice: name each kind "
		    "once", (int)ilen, item);
		break;
	}
}

static void
st_faults(struct parser *p, struct cmd *c, struct scn_stmt *st)
{
	static const char *const yesno[] = { "yes", "no" };
	int k;
	const struct lex_word *w;
	const char *v;
	size_t vlen;

	if (require(p, c, FAULTS_RATE, "rate=P")) {
		w = c->opt[FAULTS_RATE];
		v = pval_opt(w, &vlen);
		switch (lex_prob(v, vlen, &st->rate_num, &st->rate_den)) {
		case LEX_OK:
			break;
		case LEX_DIGITS:
			pval_err(&p->pv, w, "rate has more than 18 digits "
			    "after the decimal point: give at most 18");
			break;
		default:
			pval_err(&p->pv, w, "rate must be a probability: a "
			    "decimal fraction from 0 to 1 such as 0.01");
			break;
		}
	}
	if ((w = c->opt[FAULTS_KINDS]) != NULL)
		faults_kinds(p, w, st);
	if ((w = c->opt[FAULTS_SAFE]) != NULL &&
	    (k = pval_choice(&p->pv, w, yesno, 2)) >= 0)
		st->safe = k == 0;
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

	v = pval_opt(w, &vlen);
	if (!pval_positive(&p->pv, w, v, vlen, what, &n))
		return;
	if (n > SCN_MAX_SCHEDULES) {
		pval_err(&p->pv, w, "%s must be at most %u, the most schedules "
		    "one block may run", what, SCN_MAX_SCHEDULES);
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
	static const char *const names[] = {
		[SCN_SCHED_FIFO] = "fifo",
		[SCN_SCHED_RANDOM] = "random",
		[SCN_SCHED_EXPLORE] = "explore",
	};
	const struct lex_word *w;
	int k;

	if ((w = c->opt[CONC_SCHEDULE]) != NULL && (k = pval_choice(&p->pv, w,
	    names, sizeof(names) / sizeof(names[0]))) >= 0)
		st->schedule = (enum scn_schedule)k;
	if ((w = c->opt[CONC_RUNS]) != NULL)
		opt_schedules(p, w, "runs", &st->runs);
	if ((w = c->opt[CONC_MAX_SCHEDULES]) != NULL)
		opt_schedules(p, w, "max-schedules", &st->max_schedules);
	/* At most 10^4 blocks of at most 10^6 each: the sum fits. */
	p->schedules += block_schedules(st);
	if (p->schedules > SCN_MAX_FILE_SCHEDULES && !p->schedules_full) {
		pval_err(&p->pv, c->stmtw, "the concurrent blocks up to this "
		    "one may run %llu schedules in all, more than the %u a "
		    "file may: give them a smaller max-schedules (explore) or "
		    "runs (random)", (unsigned long long)p->schedules,
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
		pval_err(&p->pv, c->stmtw, "missing COUNTER=N: %s",
		    c->def->usage);
		return;
	}
	st->stats = xreallocarray(NULL, c->nargs, sizeof(*st->stats));
	for (size_t i = 0; i < c->nargs; i++) {
		w = &c->args[i];
		if (memchr(w->s, '=', w->len) == NULL) {
			pval_err(&p->pv, w, "`" PVAL_SHOW_FMT "` is not "
			    "COUNTER=N: %s", PVAL_SHOWW(w), c->def->usage);
			continue;
		}
		v = pval_opt(w, &vlen);
		id = stat_lookup(w->s, w->len - vlen - 1);
		if (id < 0) {
			pval_list(list, sizeof(list), PVAL_STATS);
			pval_err(&p->pv, w, "unknown counter `" PVAL_SHOW_FMT
			    "`: use %s", PVAL_SHOW(w->s, w->len - vlen - 1),
			    list);
			continue;
		}
		for (size_t j = 0; j < st->nstats; j++) {
			if (st->stats[j].id == (enum stat_id)id) {
				pval_err(&p->pv, w, "counter %s given twice: "
				    "give each counter once", stat_name(id));
				id = -1;
				break;
			}
		}
		if (id < 0)
			continue;
		se = &st->stats[st->nstats];
		se->id = (enum stat_id)id;
		se->pos = pval_pos(&p->pv, w);
		if (pval_num(&p->pv, w, v, vlen, stat_name(id), &se->value))
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
		    c->def->pos[i] == SL_NEWNAME) && !pval_has_eq(&args[i]))
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

		if (pval_has_eq(w))
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
					pval_err(&p->pv, w, "flag %s given "
					    "twice: give each flag once",
					    flag_defs[f].name);
				c->flags |= flag_defs[f].bit;
			} else if (f >= 0)
				pval_err(&p->pv, w, "flag %s applies to %s "
				    "only: %s", flag_defs[f].name,
				    flag_defs[f].owner, d->usage);
			else
				pval_err(&p->pv, w, "unexpected word `"
				    PVAL_SHOW_FMT "`: %s", PVAL_SHOWW(w),
				    d->usage);
			continue;
		}
		for (k = 0; d->keys[k] != NULL; k++) {
			if (pval_eq(w->s, (size_t)(eq - w->s), d->keys[k]))
				break;
		}
		if (d->keys[k] == NULL) {
			pval_err(&p->pv, w, "unknown option `" PVAL_SHOW_FMT
			    "=`: %s", PVAL_SHOW(w->s, (size_t)(eq - w->s)),
			    d->usage);
			continue;
		}
		c->given |= 1u << k;
		if (c->opt[k] != NULL) {
			pval_err(&p->pv, w, "option %s= given twice (first at "
			    "column %u): give each option once", d->keys[k],
			    c->opt[k]->col);
			continue;
		}
		if (eq + 1 == w->s + w->len) {
			pval_err(&p->pv, w, "option %s= has no value: %s",
			    d->keys[k], d->usage);
			continue;
		}
		c->opt[k] = w;
	}
	if (c->npos < d->npos)
		pval_err(&p->pv, c->stmtw, "missing %s: %s",
		    slot_labels[d->pos[c->npos]], d->usage);
}

/* --- expect tails ------------------------------------------------------- */

/* The outcomes, bit k of a mask for outcome_names[k] (SCN_OUT_*). */
static const char *const outcome_names[] = { "ok", "eio", "enospc", "oops" };
#define NOUTCOMES	(sizeof(outcome_names) / sizeof(outcome_names[0]))

#define OUTCOMES	"ok, eio, enospc or oops, or alternatives joined " \
			"by | such as ok|eio"
#define READ_TAIL	"expect OUTCOME [mirror=N] [retries=N] " \
			"[lookup=cache|get_extent] [data=intact|BYTE]"

static void
tail_outcome(struct parser *p, const struct lex_word *w, struct scn_expect *e)
{
	const char *item;
	size_t ilen;
	unsigned mask;

	if (lex_eq(w, "deadlock") || lex_eq(w, "no-deadlock")) {
		pval_err(&p->pv, w, "%.*s is expected on the end line of a "
		    "concurrent block (end expect %.*s); an operation expects "
		    "%s", (int)w->len, w->s, (int)w->len, w->s, OUTCOMES);
		return;
	}
	switch (pval_set(w->s, w->len, '|', outcome_names, NOUTCOMES, &mask,
	    &item, &ilen)) {
	case PVAL_SET_OK:
		e->outcomes = mask;
		break;
	case PVAL_SET_UNKNOWN:
		pval_err(&p->pv, w, "unknown outcome `" PVAL_SHOW_FMT "`: use "
		    "%s", PVAL_SHOW(item, ilen), OUTCOMES);
		break;
	case PVAL_SET_TWICE:
		pval_err(&p->pv, w, "outcome %.*s listed twice: list each "
		    "outcome once", (int)ilen, item);
		break;
	}
}

enum { TK_MIRROR, TK_RETRIES, TK_LOOKUP, TK_DATA, TK_COUNT };

static const char *const tail_keys[TK_COUNT] = {
	"mirror", "retries", "lookup", "data"
};

static void
tail_key(struct parser *p, const struct lex_word *w, int key,
    struct scn_stmt *st)
{
	static const char *const lookups[] = { "cache", "get_extent" };
	int k;
	struct scn_expect *e = &st->expect;
	const char *v;
	size_t vlen;
	uint64_t n;

	v = pval_opt(w, &vlen);
	switch (key) {
	case TK_MIRROR:
		pval_mirror(&p->pv, w, v, vlen, &e->mirror);
		break;
	case TK_RETRIES:
		if (pval_range(&p->pv, w, v, vlen, "retries", 0, INT64_MAX,
		    "a count of retry bios, 0 or more", &n))
			e->retries = (int64_t)n;
		break;
	case TK_LOOKUP:
		if ((k = pval_choice(&p->pv, w, lookups, 2)) >= 0)
			e->lookup = k == 0 ? SCN_LOOKUP_CACHE :
			    SCN_LOOKUP_GET_EXTENT;
		break;
	case TK_DATA:
		if (pval_eq(v, vlen, "intact"))
			e->data = SCN_DATA_INTACT;
		else if (lex_number(v, vlen, &n) == LEX_OK && n <= 255)
			e->data = (int)n;
		else
			pval_err(&p->pv, w, "data must be intact or a byte "
			    "from 0 to 255 (decimal or 0x hex)");
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
	e->pos = pval_pos(&p->pv, c->expect);
	if (c->ntail == 0 || pval_has_eq(&c->tail[0])) {
		pval_err(&p->pv, c->expect, "missing OUTCOME after expect: use "
		    "%s", OUTCOMES);
	} else
		tail_outcome(p, &c->tail[i++], e);
	for (; i < c->ntail; i++) {
		const struct lex_word *w = &c->tail[i];
		const char *eq = memchr(w->s, '=', w->len);

		if (eq == NULL) {
			if (lex_eq(w, "expect")) {
				pval_err(&p->pv, w, "expect given twice: a "
				    "line has one expect tail");
				break;
			} else if (flag_index(w) >= 0)
				pval_err(&p->pv, w, "flag %.*s must come "
				    "before expect", (int)w->len, w->s);
			else
				pval_err(&p->pv, w, "unexpected word `"
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
			pval_err(&p->pv, w, "unknown expect key `"
			    PVAL_SHOW_FMT "=`: %s",
			    PVAL_SHOW(w->s, (size_t)(eq - w->s)), READ_TAIL);
			continue;
		}
		if (!is_read) {
			pval_err(&p->pv, w, "expect key %s= applies to read "
			    "only: %s takes expect OUTCOME", tail_keys[k],
			    scn_kind_name(st->kind));
			continue;
		}
		if (seen[k] != NULL) {
			pval_err(&p->pv, w, "expect key %s= given twice (first "
			    "at column %u): give each key once", tail_keys[k],
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
	uint32_t line = p->pv.line;

	if (p->depth > 0 && !is_task_kind(k)) {
		if (k == SCN_CONCURRENT)
			pval_err(&p->pv, c->stmtw, "concurrent blocks do not "
			    "nest: close the block opened at line %u with end "
			    "first", p->block.pos.line);
		else
			pval_err(&p->pv, c->stmtw, "%s cannot run in a "
			    "concurrent block (opened at line %u): only %s can "
			    "be tasks", name, p->block.pos.line, TASK_KINDS);
	} else if (k == SCN_FS) {
		if (p->fs_line != 0)
			pval_err(&p->pv, c->stmtw, "fs may appear only once "
			    "(first at line %u)", p->fs_line);
		else if (p->seen_stmt)
			pval_err(&p->pv, c->stmtw, "fs must be the first "
			    "statement of the file: move it above line %u",
			    p->first_line);
	} else if (k == SCN_PRESET && p->preset_line != 0) {
		pval_err(&p->pv, c->stmtw, "preset may appear only once (first "
		    "at line %u)", p->preset_line);
	} else if (is_header_kind(k) && p->first_op_line != 0) {
		pval_err(&p->pv, c->stmtw, "%s must come before the first "
		    "operation (%s at line %u): put preset, quirk, seed and "
		    "guards at the top", name, p->first_op, p->first_op_line);
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
	if (!p->block_content)
		pval_err_at(&p->pv, p->block.pos.line, p->block.pos.col,
		    p->block_width, "concurrent block has no tasks: put one "
		    "%s per line between concurrent and end", "read, write, "
		    "truncate, drop-cache or sync");
	stmt_push(&p->s->stmts, &p->s->nstmts, &p->stmt_cap, &p->block);
	memset(&p->block, 0, sizeof(p->block));
}

static bool
is_outcome_word(const struct lex_word *w)
{
	for (size_t k = 0; k < NOUTCOMES; k++) {
		if (lex_eq(w, outcome_names[k]))
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
			pval_err(&p->pv, w0, "missing what to expect: expect "
			    "%s", EXPECT_NAMES);
			return NULL;
		}
		if ((d = find_def(w1, true)) != NULL)
			return d;
		if (is_outcome_word(w1))
			pval_err(&p->pv, w1, "an outcome goes at the end of an "
			    "operation line, as in `read a 0 4K expect eio`; a "
			    "line that starts with expect checks %s",
			    EXPECT_NAMES);
		else
			pval_err(&p->pv, w1, "unknown expectation `"
			    PVAL_SHOW_FMT "`: use expect %s", PVAL_SHOWW(w1),
			    EXPECT_NAMES);
		return NULL;
	}
	if ((d = find_def(w0, false)) != NULL) {
		if (d->kind == SCN_CORRUPT && ln->nwords > 1 && pval_has_eq(w1))
			d++;
		return d;
	}
	if ((lc = lowercase_of(w0)) != NULL)
		pval_err(&p->pv, w0, "statements are lowercase: use %s", lc);
	else
		pval_err(&p->pv, w0, "unknown statement `" PVAL_SHOW_FMT "`: "
		    "use %s", PVAL_SHOWW(w0), STMT_NAMES);
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
	if (ln->bad_col != 0) {
		pval_err_at(&p->pv, ln->lineno, ln->bad_col, 1, "control "
		    "character 0x%02x is not allowed: a scenario is plain "
		    "text; the line is ignored", ln->bad_char);
		p->block_content |= p->depth > 0;
		return;
	}
	if (ln->over_col != 0) {
		pval_err_at(&p->pv, ln->lineno, ln->over_col, 1, "more than %d "
		    "words on one line: no statement takes that many; the line "
		    "is ignored", LEX_MAX_WORDS);
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
	stmt_init(&st, c.def->kind, pval_pos(&p->pv, w0));
	if (!c.def->raw) {
		split_args(p, &c);
		parse_slots(p, &c, &st);
	}
	if (c.def->fn != NULL)
		c.def->fn(p, &c, &st);
	st.flags = c.flags;
	if (c.expect != NULL) {
		if (st.kind == SCN_CONCURRENT)
			pval_err(&p->pv, c.expect, "a concurrent block's "
			    "expectation goes on its end line: %s", END_USAGE);
		else if (!scn_is_operation(st.kind))
			pval_err(&p->pv, c.expect, "%s takes no outcome: only "
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
	p.pv.diags = diags;
	p.pv.nerr0 = diags->n;
	p.s = s = xcalloc(1, sizeof(*s));
	s->filename = xstrdup(filename);
	scn_fs_defaults(&s->fs);
	s->fs.alloc_align = s->fs.sectorsize;
	p.pv.mirrors = s->fs.mirrors;

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
		stmt_discard(&p.block);
	if (p.pv.full_line != 0)
		diag_add(diags, p.pv.full_line, 1, 1, "too many errors: these "
		    "are the first %u; fix them and check again",
		    SCN_MAX_ERRORS);
	free(p.create_line);
	free(p.hash);
	summarize(s);
	if (diags->n > p.pv.nerr0) {
		scn_free(s);
		return NULL;
	}
	return s;
}
