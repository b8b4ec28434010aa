/*
 * The expectations (blksim-scenario(5)): `expect cache`, `coherent`,
 * `size`, `extents`, `stat` and `violation`, each a row (see stmt.h) with
 * the functions it names.  An expectation runs nothing: its interpreter
 * entry looks at the model's state after the statements before it and
 * records one point (one per counter for stat) with what was expected and
 * what was found.  `expect violation` is judged once the scenario has run
 * (exec.c): it holds when the invariant checker reported its kind at
 * least once, in any schedule.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../sim/copy.h"
#include "../sim/dev.h"
#include "../sim/fei.h"
#include "../sim/fs.h"
#include "../sim/inode.h"
#include "../sim/inv.h"
#include "../sim/xmalloc.h"
#include "exec.h"
#include "fmt.h"
#include "pval.h"
#include "stmt.h"

/*
 * The KEY=N words of L from the FIRST (expect stat, devstats, scrub) into
 * st->stats, each key at most once.  LOOKUP gives a key's id or -1, NAME
 * its spelling; IN_ERA whether it exists in the file's era (NULL: all);
 * LIST fills the names messages offer; WHAT is what a key is called,
 * FORM how the usage line writes it.
 */
static void
parse_key_values(struct pval *pv, const struct stmt_line *l, size_t first,
    int (*lookup)(const char *, size_t), const char *(*name)(int),
    bool (*in_era)(int, unsigned),
    void (*list)(struct pval *, char *, size_t), const char *what,
    const char *form, struct scn_stmt *st)
{
	const struct lex_word *w;
	struct scn_stat_expect *se;
	char names[512];
	const char *v;
	size_t vlen;
	int id;

	if (l->nargs <= first) {
		pval_err(pv, l->stmtw, "missing %s=N: %s", form,
		    l->row->usage);
		return;
	}
	st->stats = xreallocarray(NULL, l->nargs, sizeof(*st->stats));
	for (size_t i = first; i < l->nargs; i++) {
		size_t spaced = pval_spaced_option(pv, l->args, l->nargs, i);

		if (spaced > 0) {
			i += spaced - 1;
			continue;
		}
		w = &l->args[i];
		if (memchr(w->s, '=', w->len) == NULL) {
			pval_err(pv, w, "`" PVAL_SHOW_FMT "` is not %s=N: %s",
			    PVAL_SHOWW(w), form, l->row->usage);
			continue;
		}
		v = pval_opt(w, &vlen);
		id = lookup(w->s, w->len - vlen - 1);
		list(pv, names, sizeof(names));
		if (id >= 0 && in_era != NULL && !in_era(id, pv->era)) {
			pval_err(pv, w, "%s %s does not exist in the %s era: "
			    "use %s", what, name(id), pval_era_name(pv->era),
			    names);
			continue;
		}
		if (id < 0) {
			pval_err(pv, w, "unknown %s `" PVAL_SHOW_FMT "`: use "
			    "%s", what, PVAL_SHOW(w->s, w->len - vlen - 1),
			    names);
			continue;
		}
		for (size_t j = 0; j < st->nstats; j++) {
			if (st->stats[j].id == id) {
				pval_err(pv, w, "%s %s given twice: give each "
				    "%s once", what, name(id), what);
				id = -1;
				break;
			}
		}
		if (id < 0)
			continue;
		se = &st->stats[st->nstats];
		se->id = id;
		se->pos = pval_pos(pv, w);
		if (pval_num(pv, w, v, vlen, name(id), &se->value))
			st->nstats++;
	}
}

/* The counters of expect stat (sim/stat.h), those of the file's era. */
static int
stat_key_lookup(const char *s, size_t len)
{
	return stat_lookup(s, len);
}

static const char *
stat_key_name(int id)
{
	return stat_name((enum stat_id)id);
}

static bool
stat_key_in_era(int id, unsigned era)
{
	return stat_in_era((enum stat_id)id, era);
}

static void
stat_key_list(struct pval *pv, char *buf, size_t size)
{
	pval_list(pv, buf, size, PVAL_STATS);
}

/* expect stat COUNTER=N [COUNTER=N ...]: each counter at most once. */
static void
expect_stat_parse(struct pval *pv, const struct stmt_line *l,
    struct scn_stmt *st)
{
	parse_key_values(pv, l, 0, stat_key_lookup, stat_key_name,
	    stat_key_in_era, stat_key_list, "counter", "COUNTER", st);
}

/* The device error counters (btrfs device stats), sim/dev.h. */
static int
devstat_key_lookup(const char *s, size_t len)
{
	return dev_stat_lookup(s, len);
}

static const char *
devstat_key_name(int id)
{
	return dev_stat_name((enum dev_stat)id);
}

static void
devstat_key_list(struct pval *pv, char *buf, size_t size)
{
	const char *names[DEV_STAT_COUNT];

	for (int i = 0; i < DEV_STAT_COUNT; i++)
		names[i] = dev_stat_name((enum dev_stat)i);
	fmt_list(buf, size, names, DEV_STAT_COUNT, "or");
}

/* expect devstats DEVICE KEY=N ... (modern). */
static void
expect_devstats_parse(struct pval *pv, const struct stmt_line *l,
    struct scn_stmt *st)
{
	const struct lex_word *w = l->nargs > 0 ? &l->args[0] : NULL;

	if (!pval_modern(pv, l->stmtw, "expect devstats"))
		return;
	if (w == NULL || pval_has_eq(w)) {
		pval_err(pv, l->stmtw, "missing DEVICE: %s", l->row->usage);
		return;
	}
	if (!pval_device(pv, w, w->s, w->len, &st->device))
		return;
	parse_key_values(pv, l, 1, devstat_key_lookup, devstat_key_name,
	    NULL, devstat_key_list, "device counter", "KEY", st);
}

/* The totals of expect scrub, as `btrfs scrub status -R` names them. */
static const char *const scrub_keys[SCN_SCRUB_KEYS] = {
	[SCN_SCRUB_READ_ERRORS] = "read_errors",
	[SCN_SCRUB_CSUM_ERRORS] = "csum_errors",
	[SCN_SCRUB_NO_CSUM] = "no_csum",
	[SCN_SCRUB_CORRECTED] = "corrected_errors",
	[SCN_SCRUB_UNCORRECTABLE] = "uncorrectable_errors",
	[SCN_SCRUB_BYTES] = "data_bytes_scrubbed",
};

static int
scrub_key_lookup(const char *s, size_t len)
{
	for (int i = 0; i < SCN_SCRUB_KEYS; i++)
		if (pval_eq(s, len, scrub_keys[i]))
			return i;
	return -1;
}

static const char *
scrub_key_name(int id)
{
	return scrub_keys[id];
}

static void
scrub_key_list(struct pval *pv, char *buf, size_t size)
{
	fmt_list(buf, size, scrub_keys, SCN_SCRUB_KEYS, "or");
}

/* expect scrub KEY=N ... (modern), after a scrub line. */
static void
expect_scrub_parse(struct pval *pv, const struct stmt_line *l,
    struct scn_stmt *st)
{
	if (!pval_modern(pv, l->stmtw, "expect scrub"))
		return;
	if (pv->scrub_line == 0) {
		pval_err(pv, l->stmtw, "expect scrub checks the totals of the "
		    "last scrub, and no scrub comes before it: add a scrub "
		    "line above");
		return;
	}
	parse_key_values(pv, l, 0, scrub_key_lookup, scrub_key_name, NULL,
	    scrub_key_list, "scrub total", "KEY", st);
}

/* expect copy's keys, in the order of the row's. */
enum { COPYKEY_MIRROR, COPYKEY_DATA };

/* Exactly one of intact, damaged and data=BYTE. */
static void
expect_copy_parse(struct pval *pv, const struct stmt_line *l,
    struct scn_stmt *st)
{
	unsigned given = (l->flags & SCN_F_INTACT ? 1 : 0) +
	    (l->flags & SCN_F_DAMAGED ? 1 : 0) +
	    (l->opt[COPYKEY_DATA] != NULL ? 1 : 0);

	if (given == 0 && (l->given & (1u << COPYKEY_DATA)) == 0)
		pval_err(pv, l->stmtw, "missing what the copy holds: intact, "
		    "damaged or data=BYTE: %s", l->row->usage);
	else if (given > 1)
		pval_err(pv, l->stmtw, "give one of intact, damaged and "
		    "data=BYTE: %s", l->row->usage);
}

/*
 * `present` with `max` asks for every byte up to (u64)-1, which no map
 * reaches (file offsets end at 2^63): an error, not a point that can
 * never hold.
 */
static void
expect_cache_parse(struct pval *pv, const struct stmt_line *l,
    struct scn_stmt *st)
{
	if (st->len_max && st->present && l->npos > 2)
		pval_err(pv, l->pos[2], "present with max can never hold: "
		    "max reaches (u64)-1 and no map does; give a length, or "
		    "expect absent");
}

/*
 * Every byte of the range cached (present) or none (absent).  `max` is
 * (u64)-1, as everywhere: a map cached past EOF (hole-drop-length leaves
 * them) is cached.
 */
static int
expect_cache_run(struct exec *x, const struct scn_stmt *s,
    struct fs_read_result *rr)
{
	struct fs *fs = exec_fs(x);
	uint32_t ino = exec_inode(x, s->file);
	uint64_t len = s->len, covered;
	char a[32], b[32];

	covered = len ? fs_cache_covered(fs, ino, s->off, len) : 0;
	fmt_size(s->off, a, sizeof(a));
	if (s->len_max)
		snprintf(b, sizeof(b), "max");
	else
		fmt_size(len, b, sizeof(b));
	exec_point(x, s->pos.line, xasprintf("cache %s %s %s %s",
	    exec_file_name(x, s->file), a, b, s->present ? "present" :
	    "absent"), s->present ? covered == len : covered == 0,
	    xasprintf("%s", s->present ? "every byte cached" :
	    "no byte cached"),
	    xasprintf("%" PRIu64 " of %" PRIu64 " bytes cached", covered,
	    len));
	return 0;
}

/* No cached map of the file disagrees with its extent items. */
static int
expect_coherent_run(struct exec *x, const struct scn_stmt *s,
    struct fs_read_result *rr)
{
	uint32_t ino = exec_inode(x, s->file);
	struct inv_report rep = { 0 };
	const struct inv_finding *bad = NULL;
	char a[32], b[32];

	inv_check(exec_fs(x), &rep);
	for (size_t i = 0; i < rep.n && bad == NULL; i++)
		if (rep.f[i].ino == ino && rep.f[i].kind == INV_INCOHERENT)
			bad = &rep.f[i];
	fmt_size(bad ? bad->start : 0, a, sizeof(a));
	fmt_size(bad ? bad->len : 0, b, sizeof(b));
	exec_point(x, s->pos.line, xasprintf("coherent %s",
	    exec_file_name(x, s->file)), bad == NULL,
	    xstrdup("every cached map agrees with the extent items"),
	    xasprintf("the cached map at %s (%s bytes) disagrees", a, b));
	inv_report_free(&rep);
	return 0;
}

/* The file's i_size. */
static int
expect_size_run(struct exec *x, const struct scn_stmt *s,
    struct fs_read_result *rr)
{
	struct fs *fs = exec_fs(x);
	uint64_t size = inode_size(fs, fs_inode(fs, exec_inode(x, s->file)));

	exec_point(x, s->pos.line, xasprintf("size %s",
	    exec_file_name(x, s->file)), size == s->size,
	    xasprintf("size %" PRIu64, s->size),
	    xasprintf("size %" PRIu64, size));
	return 0;
}

/* File extent items, holes included. */
static int
expect_extents_run(struct exec *x, const struct scn_stmt *s,
    struct fs_read_result *rr)
{
	struct fs *fs = exec_fs(x);
	size_t n = inode_items(fs, fs_inode(fs, exec_inode(x,
	    s->file)))->count;

	exec_point(x, s->pos.line, xasprintf("extents %s",
	    exec_file_name(x, s->file)), n == s->size,
	    xasprintf("%" PRIu64 " file extent items", s->size),
	    xasprintf("%zu file extent items", n));
	return 0;
}

/* One point per counter. */
static int
expect_stat_run(struct exec *x, const struct scn_stmt *s,
    struct fs_read_result *rr)
{
	struct fs *fs = exec_fs(x);

	for (size_t i = 0; i < s->nstats; i++) {
		const struct scn_stat_expect *e = &s->stats[i];
		uint64_t have = fs_stats(fs)->v[e->id];

		exec_point(x, s->pos.line, xasprintf("stat %s",
		    stat_name(e->id)), have == e->value,
		    xasprintf("%s=%" PRIu64, stat_name(e->id), e->value),
		    xasprintf("%s=%" PRIu64, stat_name(e->id), have));
	}
	return 0;
}

const struct stmt_row stmt_expect_cache_row = {
	.kind = SCN_EXPECT_CACHE, .name = "expect cache", .role = STMT_EXPECT,
	.usage = "expect cache NAME OFF LEN present|absent", .npos = 4,
	.pos = { STMT_SL_NAME, STMT_SL_OFF, STMT_SL_LEN, STMT_SL_PRESENCE },
	.parse = expect_cache_parse, .run = expect_cache_run,
};

const struct stmt_row stmt_expect_coherent_row = {
	.kind = SCN_EXPECT_COHERENT, .name = "expect coherent",
	.role = STMT_EXPECT, .usage = "expect coherent NAME",
	.npos = 1, .pos = { STMT_SL_NAME }, .run = expect_coherent_run,
};

const struct stmt_row stmt_expect_size_row = {
	.kind = SCN_EXPECT_SIZE, .name = "expect size", .role = STMT_EXPECT,
	.usage = "expect size NAME N",
	.npos = 2, .pos = { STMT_SL_NAME, STMT_SL_SIZE },
	.run = expect_size_run,
};

const struct stmt_row stmt_expect_extents_row = {
	.kind = SCN_EXPECT_EXTENTS, .name = "expect extents",
	.role = STMT_EXPECT, .usage = "expect extents NAME N",
	.npos = 2, .pos = { STMT_SL_NAME, STMT_SL_COUNT },
	.run = expect_extents_run,
};

const struct stmt_row stmt_expect_stat_row = {
	.kind = SCN_EXPECT_STAT, .name = "expect stat", .role = STMT_EXPECT,
	.usage = "expect stat COUNTER=N [COUNTER=N ...]", .raw = true,
	.parse = expect_stat_parse, .run = expect_stat_run,
};

/*
 * What copy N holds behind the range now (copy_state): every sector equal
 * to the file's (intact), at least one differing (damaged), or all bytes
 * equal to BYTE.  A range with no written sector behind it has nothing
 * to compare and fails, whatever was asked.
 */
static int
expect_copy_run(struct exec *x, const struct scn_stmt *s,
    struct fs_read_result *rr)
{
	struct fs *fs = exec_fs(x);
	struct copy_state cs;
	char a[32], b[32], want[48], have[96];
	uint64_t len = s->len_max ? UINT64_MAX - s->off : s->len;
	bool ok;

	if (copy_state(fs, exec_inode(x, s->file), s->off, len, s->mirror,
	    &cs) != 0)
		return fs_invalid(fs, "no copy %d of this file", s->mirror);
	if (s->flags & SCN_F_INTACT) {
		snprintf(want, sizeof(want), "intact");
		ok = cs.sectors > 0 && cs.damaged == 0;
	} else if (s->flags & SCN_F_DAMAGED) {
		snprintf(want, sizeof(want), "damaged");
		ok = cs.damaged > 0;
	} else {
		snprintf(want, sizeof(want), "data=0x%02x", s->fill);
		ok = cs.sectors > 0 && cs.uniform == s->fill;
	}
	if (cs.sectors == 0)
		snprintf(have, sizeof(have), "no written sector behind the "
		    "range (nothing to compare)");
	else if (cs.uniform >= 0)
		snprintf(have, sizeof(have), "%" PRIu64 " of %" PRIu64
		    " sectors damaged, every byte 0x%02x", cs.damaged,
		    cs.sectors, cs.uniform);
	else
		snprintf(have, sizeof(have), "%" PRIu64 " of %" PRIu64
		    " sectors damaged", cs.damaged, cs.sectors);
	fmt_size(s->off, a, sizeof(a));
	if (s->len_max)
		strcpy(b, "max");
	else
		fmt_size(s->len, b, sizeof(b));
	exec_point(x, s->pos.line, xasprintf("copy %s %s %s mirror=%d",
	    exec_file_name(x, s->file), a, b, s->mirror), ok,
	    xstrdup(want), xstrdup(have));
	return 0;
}

/* One point per device counter (btrfs device stats). */
static int
expect_devstats_run(struct exec *x, const struct scn_stmt *s,
    struct fs_read_result *rr)
{
	const struct dev *d = fs_dev(exec_fs(x));

	for (size_t i = 0; i < s->nstats; i++) {
		const struct scn_stat_expect *e = &s->stats[i];
		const char *name = dev_stat_name((enum dev_stat)e->id);
		uint64_t have = dev_stat(d, s->device, (enum dev_stat)e->id);

		exec_point(x, s->pos.line, xasprintf("devstats %d %s",
		    s->device, name), have == e->value,
		    xasprintf("%s=%" PRIu64, name, e->value),
		    xasprintf("%s=%" PRIu64, name, have));
	}
	return 0;
}

/* One point per total of the last scrub. */
static int
expect_scrub_run(struct exec *x, const struct scn_stmt *s,
    struct fs_read_result *rr)
{
	const struct fs_scrub_stats *st = fs_last_scrub(exec_fs(x));
	const uint64_t totals[SCN_SCRUB_KEYS] = {
		[SCN_SCRUB_READ_ERRORS] = st->read_errors,
		[SCN_SCRUB_CSUM_ERRORS] = st->csum_errors,
		[SCN_SCRUB_NO_CSUM] = st->no_csum,
		[SCN_SCRUB_CORRECTED] = st->corrected_errors,
		[SCN_SCRUB_UNCORRECTABLE] = st->uncorrectable_errors,
		[SCN_SCRUB_BYTES] = st->data_bytes_scrubbed,
	};

	for (size_t i = 0; i < s->nstats; i++) {
		const struct scn_stat_expect *e = &s->stats[i];

		exec_point(x, s->pos.line, xasprintf("scrub %s",
		    scrub_keys[e->id]), totals[e->id] == e->value,
		    xasprintf("%s=%" PRIu64, scrub_keys[e->id], e->value),
		    xasprintf("%s=%" PRIu64, scrub_keys[e->id],
		    totals[e->id]));
	}
	return 0;
}

const struct stmt_row stmt_expect_copy_row = {
	.kind = SCN_EXPECT_COPY, .name = "expect copy", .role = STMT_EXPECT,
	.usage = "expect copy NAME OFF LEN mirror=N intact|damaged|data=BYTE",
	.npos = 3, .pos = { STMT_SL_NAME, STMT_SL_OFF, STMT_SL_LEN },
	.keys = { { "mirror", STMT_OPT_MIRROR, "mirror=N" },
	    { "data", STMT_OPT_FILL } },
	.allow = SCN_F_INTACT | SCN_F_DAMAGED,
	.parse = expect_copy_parse, .run = expect_copy_run,
};

const struct stmt_row stmt_expect_devstats_row = {
	.kind = SCN_EXPECT_DEVSTATS, .name = "expect devstats",
	.role = STMT_EXPECT, .usage = "expect devstats DEVICE KEY=N "
	    "[KEY=N ...]", .raw = true,
	.parse = expect_devstats_parse, .run = expect_devstats_run,
};

const struct stmt_row stmt_expect_scrub_row = {
	.kind = SCN_EXPECT_SCRUB, .name = "expect scrub", .role = STMT_EXPECT,
	.usage = "expect scrub KEY=N [KEY=N ...]", .raw = true,
	.parse = expect_scrub_parse, .run = expect_scrub_run,
};

/* Judged after the run (exec.c), over every finding of the scenario. */
const struct stmt_row stmt_expect_violation_row = {
	.kind = SCN_EXPECT_VIOLATION, .name = "expect violation",
	.role = STMT_EXPECT, .usage = "expect violation KIND",
	.npos = 1, .pos = { STMT_SL_KIND },
};
