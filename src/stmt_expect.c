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
#include <string.h>

#include "../sim/fei.h"
#include "../sim/fs.h"
#include "../sim/inode.h"
#include "../sim/inv.h"
#include "../sim/xmalloc.h"
#include "exec.h"
#include "fmt.h"
#include "pval.h"
#include "stmt.h"

/* expect stat COUNTER=N [COUNTER=N ...]: each counter at most once. */
static void
expect_stat_parse(struct pval *pv, const struct stmt_line *l,
    struct scn_stmt *st)
{
	const struct lex_word *w;
	struct scn_stat_expect *se;
	char list[512];
	const char *v;
	size_t vlen;
	int id;

	if (l->nargs == 0) {
		pval_err(pv, l->stmtw, "missing COUNTER=N: %s", l->row->usage);
		return;
	}
	st->stats = xreallocarray(NULL, l->nargs, sizeof(*st->stats));
	for (size_t i = 0; i < l->nargs; i++) {
		w = &l->args[i];
		if (memchr(w->s, '=', w->len) == NULL) {
			pval_err(pv, w, "`" PVAL_SHOW_FMT "` is not COUNTER=N: "
			    "%s", PVAL_SHOWW(w), l->row->usage);
			continue;
		}
		v = pval_opt(w, &vlen);
		id = stat_lookup(w->s, w->len - vlen - 1);
		if (id >= 0 && !stat_in_era(id, pv->era)) {
			pval_list(pv, list, sizeof(list), PVAL_STATS);
			pval_err(pv, w, "counter %s does not exist in the %s "
			    "era: use %s", stat_name(id),
			    pval_era_name(pv->era), list);
			continue;
		}
		if (id < 0) {
			pval_list(pv, list, sizeof(list), PVAL_STATS);
			pval_err(pv, w, "unknown counter `" PVAL_SHOW_FMT "`: "
			    "use %s", PVAL_SHOW(w->s, w->len - vlen - 1), list);
			continue;
		}
		for (size_t j = 0; j < st->nstats; j++) {
			if (st->stats[j].id == (enum stat_id)id) {
				pval_err(pv, w, "counter %s given twice: give "
				    "each counter once", stat_name(id));
				id = -1;
				break;
			}
		}
		if (id < 0)
			continue;
		se = &st->stats[st->nstats];
		se->id = (enum stat_id)id;
		se->pos = pval_pos(pv, w);
		if (pval_num(pv, w, v, vlen, stat_name(id), &se->value))
			st->nstats++;
	}
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

/* Judged after the run (exec.c), over every finding of the scenario. */
const struct stmt_row stmt_expect_violation_row = {
	.kind = SCN_EXPECT_VIOLATION, .name = "expect violation",
	.role = STMT_EXPECT, .usage = "expect violation KIND",
	.npos = 1, .pos = { STMT_SL_KIND },
};
