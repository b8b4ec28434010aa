/*
 * The data-path statements (blksim-scenario(5)): `create`, `write`,
 * `sync`, `read`, `truncate`, `drop-cache` and `drop-caches`, each a row
 * (see stmt.h) with the functions it names.  All but create and
 * drop-caches can be tasks of a concurrent block; write and truncate
 * change a file's bytes.
 *
 * Each run function is the one place its statement calls the model:
 * fs_create(), fs_write() (btrfs_file_write and the writeback it may
 * start), fs_sync(), fs_read() (btrfs_readpage with the end-io checksum
 * check and io_failed_hook's retries), fs_truncate() (btrfs_setattr),
 * fs_drop_cache() (btrfs_drop_extent_cache) and fs_drop_caches() (the
 * kernel's drop_caches sysctl).
 *
 * The generators keep the generator's picture of each file's size
 * (gen.h) and shape the operations the way the 2008 bugs need them:
 * writes from 0 that become one extent, reads of the page the last fault
 * hit pinned to its mirror, unaligned truncates, whole-sector cache drops.
 */
#include <stdio.h>
#include <string.h>

#include "../sim/fs.h"
#include "../sim/xmalloc.h"
#include "exec.h"
#include "fmt.h"
#include "gen.h"
#include "pval.h"
#include "stmt.h"

/* "write a 0 4K": the statement, its file and its range. */
static char *
describe_range(const struct scn_stmt *s, const char *file)
{
	char off[32], len[32];

	fmt_size(s->off, off, sizeof(off));
	if (s->len_max)
		strcpy(len, "max");
	else
		fmt_size(s->len, len, sizeof(len));
	return xasprintf("%s %s %s %s", scn_kind_name(s->kind), file, off,
	    len);
}

/* --- create --------------------------------------------------------------- */

/* The file's inode is the one fs_create() makes (btrfs_create). */
static int
create_run(struct exec *x, const struct scn_stmt *s, struct fs_read_result *rr)
{
	exec_set_inode(x, s->file, fs_create(exec_fs(x),
	    s->flags & SCN_F_NODATASUM));
	return 0;
}

/* "create a" (the caller frees it). */
static char *
create_describe(const struct scn_stmt *s, const char *file)
{
	return xasprintf("create %s", file);
}

/* A new file, while there is room for one. */
static bool
create_make(struct gen_state *g, struct gen_op *op, int file)
{
	if (g->nfiles >= GEN_MAX_FILES)
		return false;
	gen_op_init(op, SCN_CREATE, g->nfiles++);
	op->nodatasum = gen_chance(g->r, g->modern ? 12 : 5);
	return true;
}

/* "create a [nodatasum]" */
static void
create_print(FILE *f, const struct gen_op *op, const char *file)
{
	fprintf(f, "create %s%s", file, op->nodatasum ? " nodatasum" : "");
}

const struct stmt_row stmt_create_row = {
	.kind = SCN_CREATE, .name = "create", .role = STMT_OPERATION,
	.usage = "create NAME [nodatasum]", .npos = 1,
	.pos = { STMT_SL_NEWNAME }, .allow = SCN_F_NODATASUM,
	.run = create_run, .describe = create_describe,
	.gen = { 0, 5 }, .gen_make = create_make, .gen_print = create_print,
};

/* --- write ---------------------------------------------------------------- */

/*
 * fs_write() (btrfs_file_write into the page cache, writeback unless
 * nosync); a length of `max` fits no filesystem and is refused here.
 */
static int
write_run(struct exec *x, const struct scn_stmt *s, struct fs_read_result *rr)
{
	struct fs *fs = exec_fs(x);
	unsigned flags = 0;

	if (s->flags & SCN_F_NOCSUM)
		flags |= FS_W_NOCSUM;
	if (s->flags & SCN_F_NOSYNC)
		flags |= FS_W_NOSYNC;
	if (s->len_max) {
		return fs_invalid(fs, "a write of `max` bytes cannot fit any "
		    "filesystem");
	}
	return fs_write(fs, exec_inode(x, s->file), s->off, s->len, s->fill,
	    flags);
}

/*
 * Half of the writes start at 0, so that they overwrite one another; a
 * write fault armed on a file's range is often followed by a write of
 * that range, which it hits.
 */
static bool
write_make(struct gen_state *g, struct gen_op *op, int f)
{
	if (g->wfaulted && !g->wfault.logical && gen_chance(g->r, 40)) {
		f = g->wfault.file;
		gen_op_init(op, SCN_WRITE, f);
		op->off = g->wfault.off;
		op->len = g->wfault.len;
	} else {
		gen_op_init(op, SCN_WRITE, f);
		op->off = gen_chance(g->r, 50) ? 0 : gen_off(g, f);
		op->len = gen_len(g);
	}
	g->written += op->len;
	if (gen_chance(g->r, 15))
		op->fill = (int)GEN_PICK(g->r, 0, 0x01, 0xaa, 0xff);
	op->nocsum = gen_chance(g->r, 8);
	op->nosync = gen_chance(g->r, 20);
	if (op->off + op->len > g->fsize[f])
		g->fsize[f] = op->off + op->len;
	return true;
}

/* "write a 0 4K [fill=0x..] [nocsum] [nosync]" */
static void
write_print(FILE *f, const struct gen_op *op, const char *file)
{
	gen_print_range(f, op, file);
	if (op->fill >= 0)
		fprintf(f, " fill=0x%02x", op->fill);
	fprintf(f, "%s%s", op->nocsum ? " nocsum" : "",
	    op->nosync ? " nosync" : "");
}

const struct stmt_row stmt_write_row = {
	.kind = SCN_WRITE, .name = "write", .role = STMT_OPERATION,
	.task = 2, .flags = STMT_WRITES,
	.usage = "write NAME OFF LEN [fill=BYTE] [nocsum] [nosync]",
	.npos = 3, .pos = { STMT_SL_NAME, STMT_SL_OFF, STMT_SL_LEN },
	.keys = { { "fill", STMT_OPT_FILL } },
	.allow = SCN_F_NOCSUM | SCN_F_NOSYNC,
	.run = write_run, .describe = describe_range,
	.gen = { 5, 25 }, .gen_task = { 2, 5 }, .gen_make = write_make,
	.gen_print = write_print,
};

/* --- sync ----------------------------------------------------------------- */

/* fs_sync(): write back every dirty page of every file. */
static int
sync_run(struct exec *x, const struct scn_stmt *s, struct fs_read_result *rr)
{
	return fs_sync(exec_fs(x));
}

/* A sync, at top level or as a task. */
static bool
sync_make(struct gen_state *g, struct gen_op *op, int f)
{
	gen_op_init(op, SCN_SYNC, -1);
	return true;
}

/* "sync" */
static void
sync_print(FILE *f, const struct gen_op *op, const char *file)
{
	fputs("sync", f);
}

const struct stmt_row stmt_sync_row = {
	.kind = SCN_SYNC, .name = "sync", .role = STMT_OPERATION, .task = 5,
	.usage = "sync", .run = sync_run,
	.gen = { 60, 63 }, .gen_task = { 9, 10 }, .gen_make = sync_make,
	.gen_print = sync_print,
};

/* --- read ----------------------------------------------------------------- */

/* The largest pid=N: the kernel's PID_MAX_LIMIT. */
#define READ_MAX_PID	4194304u

/* read's keys, in the order of the row's. */
enum { READKEY_MIRROR, READKEY_PID };

/*
 * The modern era's read options: `direct` (O_DIRECT: the range sector
 * aligned, as the kernel's direct I/O requires) and pid=N (the pid the
 * read_policy=pid policy sees).
 */
static void
read_parse(struct pval *pv, const struct stmt_line *l, struct scn_stmt *st)
{
	const struct lex_word *w = l->opt[READKEY_PID];
	uint64_t n, ss = pv->sectorsize;
	const char *v;
	size_t vlen;
	char a[32];

	if (w != NULL && pval_modern(pv, w, "pid=")) {
		v = pval_opt(w, &vlen);
		if (pval_range(pv, w, v, vlen, "pid", 0, READ_MAX_PID,
		    "from 0 to 4194304 (PID_MAX_LIMIT)", &n))
			st->pid = (int)n;
	}
	if (!(l->flags & SCN_F_DIRECT) || l->npos < 3)
		return;
	for (size_t i = 0; i < l->nargs; i++)
		if (lex_eq(&l->args[i], "direct") &&
		    !pval_modern(pv, &l->args[i], "a direct read"))
			return;
	fmt_size(ss, a, sizeof(a));
	if (st->off % ss != 0)
		pval_err(pv, l->pos[1], "a direct read starts at a multiple of "
		    "the sector size (%s), as O_DIRECT requires", a);
	else if (!st->len_max && st->len % ss != 0)
		pval_err(pv, l->pos[2], "a direct read's length is a multiple "
		    "of the sector size (%s), as O_DIRECT requires", a);
}

/* The bytes are compared only when data= or the oracle asks. */
static int
read_run(struct exec *x, const struct scn_stmt *s, struct fs_read_result *rr)
{
	struct fs_read_opts o = {
		.off = s->off, .len = s->len, .mirror = s->mirror,
		.want_data = s->expect.data != SCN_DATA_ANY || exec_oracle(x),
		.direct = (s->flags & SCN_F_DIRECT) != 0, .pid = s->pid,
	};

	return fs_read_ex(exec_fs(x), exec_inode(x, s->file), &o, rr);
}

/*
 * The modern era's read options: a direct read (its range widened to
 * whole sectors, as O_DIRECT needs), a pid that the pid policy turns
 * into a copy.
 */
static void
read_modern(struct gen_state *g, struct gen_op *op)
{
	uint64_t ss = g->ss, end = op->off + op->len;

	if (gen_chance(g->r, 30)) {
		op->direct = true;
		op->off = op->off / ss * ss;
		op->len = (end - op->off + ss - 1) / ss * ss;
	}
	if (op->mirror == 0 && gen_chance(g->r, 35))
		op->pid = (int)rng_below(g->r, 2 * g->mirrors);
}

/*
 * A read of file F; often one of the page of the last fault, on its
 * mirror (pinned, or in the modern era as often through the pid that
 * reads it), since a fault nobody reads shows nothing.
 */
static bool
read_make(struct gen_state *g, struct gen_op *op, int f)
{
	if (g->faulted && gen_chance(g->r, 40)) {
		gen_op_init(op, SCN_READ, g->fault.file);
		op->off = g->fault.off / g->ss * g->ss;
		op->len = g->ss;
		if (g->modern && gen_chance(g->r, 50))
			op->pid = g->fault.mirror - 1;
		else
			op->mirror = g->fault.mirror;
	} else {
		gen_op_init(op, SCN_READ, f);
		op->off = gen_off(g, f);
		op->len = gen_chance(g->r, 70) ? g->ss : gen_len(g);
		if (gen_chance(g->r, g->modern ? 30 : 55))
			op->mirror = 1 + (int)rng_below(g->r, g->mirrors);
	}
	if (g->modern)
		read_modern(g, op);
	return true;
}

/* "read a 0 4K [mirror=N] [pid=N] [direct]" */
static void
read_print(FILE *f, const struct gen_op *op, const char *file)
{
	gen_print_range(f, op, file);
	if (op->mirror > 0)
		fprintf(f, " mirror=%d", op->mirror);
	if (op->pid >= 0)
		fprintf(f, " pid=%d", op->pid);
	if (op->direct)
		fputs(" direct", f);
}

/* An unpinned read lets the model choose the mirror; a buffered one
   goes through the page cache; without pid= the default pid. */
static void
read_shrink(struct gen_op *op, int move, uint64_t ss)
{
	if (move == GEN_MOVE_UNPIN)
		op->mirror = 0;
	else if (move == GEN_MOVE_DIRECT)
		op->direct = false;
	else if (move == GEN_MOVE_PID)
		op->pid = -1;
}

const struct stmt_row stmt_read_row = {
	.kind = SCN_READ, .name = "read", .role = STMT_OPERATION, .task = 1,
	.flags = STMT_READ_KEYS,
	.usage = "read NAME OFF LEN [mirror=N] [pid=N] [direct]",
	.npos = 3, .pos = { STMT_SL_NAME, STMT_SL_OFF, STMT_SL_LEN },
	.keys = { { "mirror", STMT_OPT_MIRROR }, { "pid" } },
	.allow = SCN_F_DIRECT, .parse = read_parse, .run = read_run,
	.describe = describe_range,
	.gen = { 25, 41 }, .gen_task = { 0, 2 }, .gen_make = read_make,
	.gen_print = read_print, .gen_shrink = read_shrink,
};

/* --- truncate ------------------------------------------------------------- */

/* fs_truncate() (btrfs_truncate; growing, the hole filling). */
static int
truncate_run(struct exec *x, const struct scn_stmt *s,
    struct fs_read_result *rr)
{
	return fs_truncate(exec_fs(x), exec_inode(x, s->file), s->size);
}

/* "truncate a 6K" (the caller frees it). */
static char *
truncate_describe(const struct scn_stmt *s, const char *file)
{
	char size[32];

	fmt_size(s->size, size, sizeof(size));
	return xasprintf("truncate %s %s", file, size);
}

/* Down to a sector boundary or up past the end, often unaligned. */
static bool
truncate_make(struct gen_state *g, struct gen_op *op, int f)
{
	uint64_t ss = g->ss, size = g->fsize[f];

	gen_op_init(op, SCN_TRUNCATE, f);
	if (size > 0 && gen_chance(g->r, 60))
		op->size = rng_below(g->r, size / ss + 1) * ss;	/* down */
	else
		op->size = size + ss * (1 + rng_below(g->r, 8));	/* up */
	if (gen_chance(g->r, 30))
		op->size += 1 + rng_below(g->r, ss - 1);
	g->fsize[f] = op->size;
	return true;
}

/* "truncate a 6K" */
static void
truncate_print(FILE *f, const struct gen_op *op, const char *file)
{
	char a[32];

	fprintf(f, "truncate %s %s", file, gen_size(op->size, a, sizeof(a)));
}

/* Half the size, down to a sector; or just its unaligned tail. */
static void
truncate_shrink(struct gen_op *op, int move, uint64_t ss)
{
	if (move == GEN_MOVE_SHRINK)
		op->size = op->size / 2 - op->size / 2 % ss;
	else if (move == GEN_MOVE_TAIL && op->size % ss)
		op->size = op->size % ss;
}

const struct stmt_row stmt_truncate_row = {
	.kind = SCN_TRUNCATE, .name = "truncate", .role = STMT_OPERATION,
	.task = 3, .flags = STMT_WRITES, .usage = "truncate NAME SIZE",
	.npos = 2, .pos = { STMT_SL_NAME, STMT_SL_SIZE },
	.run = truncate_run, .describe = truncate_describe,
	.gen = { 41, 46 }, .gen_task = { 7, 9 }, .gen_make = truncate_make,
	.gen_print = truncate_print, .gen_shrink = truncate_shrink,
};

/* --- drop-cache ----------------------------------------------------------- */

/* btrfs_drop_extent_cache(OFF, OFF + LEN - 1), or to EOF for max. */
static int
drop_cache_run(struct exec *x, const struct scn_stmt *s,
    struct fs_read_result *rr)
{
	return fs_drop_cache(exec_fs(x), exec_inode(x, s->file), s->off,
	    s->len_max ? UINT64_MAX : s->off + s->len - 1);
}

/*
 * Whole sectors, as every 2008 caller of btrfs_drop_extent_cache passes
 * them (an unaligned drop would make the unaligned maps itself).
 */
static bool
drop_cache_make(struct gen_state *g, struct gen_op *op, int f)
{
	uint64_t ss = g->ss;

	gen_op_init(op, SCN_DROP_CACHE, f);
	op->off = gen_off(g, f) / ss * ss;
	op->len = gen_chance(g->r, 30) ? GEN_LEN_MAX :
	    (gen_len(g) + ss - 1) / ss * ss;
	return true;
}

const struct stmt_row stmt_drop_cache_row = {
	.kind = SCN_DROP_CACHE, .name = "drop-cache", .role = STMT_OPERATION,
	.task = 4, .usage = "drop-cache NAME OFF LEN|max",
	.npos = 3, .pos = { STMT_SL_NAME, STMT_SL_OFF, STMT_SL_LEN },
	.run = drop_cache_run, .describe = describe_range,
	.gen = { 46, 51 }, .gen_task = { 5, 7 }, .gen_make = drop_cache_make,
	.gen_print = gen_print_range,
};

/* --- drop-caches ---------------------------------------------------------- */

/* fs_drop_caches(): 1 pages, 2 extent maps and metadata, 3 both. */
static int
drop_caches_run(struct exec *x, const struct scn_stmt *s,
    struct fs_read_result *rr)
{
	fs_drop_caches(exec_fs(x), s->level);
	return 0;
}

/* Mostly the page cache or both, so that reads go to a device. */
static bool
drop_caches_make(struct gen_state *g, struct gen_op *op, int f)
{
	gen_op_init(op, SCN_DROP_CACHES, -1);
	op->level = (int)GEN_PICK(g->r, 1, 1, 2, 3, 3);
	return true;
}

/* "drop-caches 3" */
static void
drop_caches_print(FILE *f, const struct gen_op *op, const char *file)
{
	fprintf(f, "drop-caches %d", op->level);
}

/* Level 3 (both caches) becomes 1 (pages), else 2 (extent maps). */
static void
drop_caches_shrink(struct gen_op *op, int move, uint64_t ss)
{
	if (op->level == 3 && move == GEN_MOVE_PLAIN1)
		op->level = 1;
	else if (op->level == 3 && move == GEN_MOVE_PLAIN2)
		op->level = 2;
}

/* --- scrub ---------------------------------------------------------------- */

/* scrub's keys, in the order of the row's. */
enum { SCRUBKEY_DEVICE };

/* The modern era's; device=N a device of the profile. */
static void
scrub_parse(struct pval *pv, const struct stmt_line *l, struct scn_stmt *st)
{
	const struct lex_word *w = l->opt[SCRUBKEY_DEVICE];
	const char *v;
	size_t vlen;

	if (!pval_modern(pv, l->stmtw, "scrub"))
		return;
	pv->scrub_line = pv->line;
	if (w != NULL) {
		v = pval_opt(w, &vlen);
		pval_device(pv, w, v, vlen, &st->device);
	}
}

/* fs_scrub() (btrfs scrub start [-r], one device or all). */
static int
scrub_run(struct exec *x, const struct scn_stmt *s, struct fs_read_result *rr)
{
	return fs_scrub(exec_fs(x), s->device,
	    (s->flags & SCN_F_READONLY) != 0);
}

/* "scrub [device=N] [readonly]" (the caller frees it). */
static char *
scrub_describe(const struct scn_stmt *s, const char *file)
{
	char dev[32] = "";

	if (s->device > 0)
		snprintf(dev, sizeof(dev), " device=%d", s->device);
	return xasprintf("scrub%s%s", dev, s->flags & SCN_F_READONLY ?
	    " readonly" : "");
}

/* A scrub of every device or one, read-only now and then; modern only. */
static bool
scrub_make(struct gen_state *g, struct gen_op *op, int f)
{
	if (!g->modern)
		return false;
	gen_op_init(op, SCN_SCRUB, -1);
	if (gen_chance(g->r, 30))
		op->device = 1 + (int)rng_below(g->r, g->devices);
	op->readonly = gen_chance(g->r, 40);
	return true;
}

/* "scrub [device=N] [readonly]" */
static void
scrub_print(FILE *f, const struct gen_op *op, const char *file)
{
	fputs("scrub", f);
	if (op->device > 0)
		fprintf(f, " device=%d", op->device);
	if (op->readonly)
		fputs(" readonly", f);
}

/* Every device; writing its repairs. */
static void
scrub_shrink(struct gen_op *op, int move, uint64_t ss)
{
	if (move == GEN_MOVE_DEVICE)
		op->device = 0;
	else if (move == GEN_MOVE_READONLY)
		op->readonly = false;
}

const struct stmt_row stmt_scrub_row = {
	.kind = SCN_SCRUB, .name = "scrub", .role = STMT_OPERATION,
	.usage = "scrub [device=N] [readonly]",
	.keys = { { "device" } }, .allow = SCN_F_READONLY,
	.parse = scrub_parse, .run = scrub_run, .describe = scrub_describe,
	.gen = { 87, 90 }, .gen_make = scrub_make, .gen_print = scrub_print,
	.gen_shrink = scrub_shrink,
};

const struct stmt_row stmt_drop_caches_row = {
	.kind = SCN_DROP_CACHES, .name = "drop-caches",
	.role = STMT_OPERATION, .usage = "drop-caches 1|2|3",
	.npos = 1, .pos = { STMT_SL_LEVEL }, .run = drop_caches_run,
	.gen = { 51, 60 }, .gen_make = drop_caches_make,
	.gen_print = drop_caches_print, .gen_shrink = drop_caches_shrink,
};
