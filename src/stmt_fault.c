/*
 * The fault statements (blksim-scenario(5)): `corrupt` and `ioerror` (of a
 * file's range or of logical=L), the write faults `lose-write`,
 * `tear-write` and `misdirect-write` (both forms), `offline`, `online` and
 * `faults`, each a row (see stmt.h) with the functions it names.  They
 * change what the mirrors return or will take, never a file's bytes, and
 * none can be a task.  A read fault lands on the sectors that back the
 * range now; a write fault (ioerror op=write, the write faults) is armed
 * on the range's next writes (sim/wfault.h).
 *
 * Each run function is the one place its statement calls the model's
 * fault overlays: fault_corrupt_file() and fault_corrupt_logical() (resolved
 * through the file extent items at that statement), fault_ioerror_file()
 * and fault_ioerror_logical(), fault_write_file() and fault_write_logical()
 * (armed write faults), fault_set_online() and fault_random() (persistent
 * faults placed from the seed, and the random write faults).  Errors that depend on the model's state (a hole, a missing
 * mirror) are found there, at run time.
 *
 * The generators place one fault at a time on a file's range and remember
 * it (gen.h), so that a later read can be of the same page, pinned to the
 * faulted mirror; offline and online alternate, one mirror at a time.
 */
#include <stdio.h>
#include <string.h>

#include "../sim/fault.h"
#include "../sim/fs.h"
#include "../sim/wfault.h"
#include "fmt.h"
#include "exec.h"
#include "gen.h"
#include "pval.h"
#include "stmt.h"

/*
 * A range of file F on a mirror, mostly one sector on mirror 1; now and
 * then (LOGICAL_OK) the logical=L len=N form instead, KIND's next row.
 */
static void
fault_range(struct gen_state *g, struct gen_op *op, enum scn_kind kind,
    int f, bool logical_ok)
{
	gen_op_init(op, kind, f);
	op->off = gen_off(g, f);
	op->len = gen_chance(g->r, 60) ? g->ss : gen_len(g);
	op->mirror = gen_chance(g->r, 60) ? 1 :
	    1 + (int)rng_below(g->r, g->mirrors);
	if (logical_ok && gen_chance(g->r, 15)) {
		op->kind = (enum scn_kind)(kind + 1);
		op->file = -1;
		op->logical = true;
		op->off = gen_logical(g);
		op->len = (op->len + g->ss - 1) / g->ss * g->ss;
	}
}

/* OP is the last read fault placed, which reads may aim at. */
static bool
fault_placed(struct gen_state *g, const struct gen_op *op)
{
	if (op->logical)
		return true;
	g->fault = *op;
	g->faulted = true;
	return true;
}

/* OP is the last write fault armed, whose range writes may aim at. */
static bool
wfault_placed(struct gen_state *g, const struct gen_op *op)
{
	g->wfault = *op;
	g->wfaulted = true;
	return true;
}

/*
 * "corrupt a 0 4K mirror=1 fill=0x00", "ioerror a 0 4K mirror=2 count=1
 * op=both clear-on-write", "tear-write logical=1M len=4K mirror=1
 * bytes=100", "misdirect-write a 0 4K mirror=1 to=1M"
 */
static void
fault_print(FILE *f, const struct gen_op *op, const char *file)
{
	static const char *const ops[] = { "read", "read", "write", "both" };
	char a[32];

	gen_print_range(f, op, file);
	fprintf(f, " mirror=%d", op->mirror);
	if (op->fill >= 0)
		fprintf(f, " fill=0x%02x", op->fill);
	if (op->count > 0)
		fprintf(f, " count=%llu", (unsigned long long)op->count);
	if (op->op > SCN_OP_READ)
		fprintf(f, " op=%s", ops[op->op & 3]);
	if (op->clear_on_write)
		fputs(" clear-on-write", f);
	if (op->bytes > 0)
		fprintf(f, " bytes=%llu", (unsigned long long)op->bytes);
	if (op->target > 0)
		fprintf(f, " to=%s", gen_size(op->target, a, sizeof(a)));
}

/*
 * The logical form's own moves: its length halved or one sector (the
 * shared moves are for a file's NAME OFF LEN).
 */
static void
logical_shrink(struct gen_op *op, int move, uint64_t ss)
{
	if (!op->logical || op->len <= ss)
		return;
	if (move == GEN_MOVE_LEN_SECTOR)
		op->len = ss;
	else if (move == GEN_MOVE_LEN_HALF)
		op->len = (op->len / 2 + ss - 1) / ss * ss;
}

/* --- corrupt -------------------------------------------------------------- */

/* fault_corrupt_file(): the sectors backing the range now, on a mirror. */
static int
corrupt_run(struct exec *x, const struct scn_stmt *s,
    struct fs_read_result *rr)
{
	return fault_corrupt_file(exec_fs(x), exec_inode(x, s->file), s->off,
	    s->len, s->mirror, s->fill);
}

/* A bit flip, or now and then a fill byte. */
static bool
corrupt_make(struct gen_state *g, struct gen_op *op, int f)
{
	/* A second fault on the last one's range, on another copy: a
	   sector bad on several copies is what repair walks are for. */
	if (g->faulted && g->mirrors > 1 && gen_chance(g->r, 30)) {
		int m = g->fault.mirror;

		*op = g->fault;
		op->kind = SCN_CORRUPT;
		op->fill = -1;
		op->count = 0;
		op->op = 0;
		op->clear_on_write = false;
		op->mirror = m % (int)g->mirrors + 1;
	} else
		fault_range(g, op, SCN_CORRUPT, f, true);
	if (gen_chance(g->r, 20))
		op->fill = (int)GEN_PICK(g->r, 0, 0x01, 0xff);
	return fault_placed(g, op);
}

const struct stmt_row stmt_corrupt_row = {
	.kind = SCN_CORRUPT, .name = "corrupt", .role = STMT_OPERATION,
	.usage = "corrupt NAME OFF LEN mirror=N [fill=BYTE]",
	.npos = 3, .pos = { STMT_SL_NAME, STMT_SL_OFF, STMT_SL_LEN },
	.keys = { { "mirror", STMT_OPT_MIRROR, "mirror=N" },
	    { "fill", STMT_OPT_FILL } },
	.run = corrupt_run,
	.gen = { 63, 72 }, .gen_make = corrupt_make, .gen_print = fault_print,
};

/* --- corrupt logical= ----------------------------------------------------- */

/* fault_corrupt_logical(): a logical range, whatever maps to it. */
static int
corrupt_logical_run(struct exec *x, const struct scn_stmt *s,
    struct fs_read_result *rr)
{
	return fault_corrupt_logical(exec_fs(x), s->logical, s->len, s->mirror,
	    s->fill);
}

const struct stmt_row stmt_corrupt_logical_row = {
	.kind = SCN_CORRUPT_LOGICAL, .name = "corrupt",
	.role = STMT_OPERATION,
	.usage = "corrupt logical=L len=N mirror=N [fill=BYTE]",
	.keys = { { "logical", STMT_OPT_LOGICAL, "logical=L" },
	    { "len", STMT_OPT_LEN, "len=N" },
	    { "mirror", STMT_OPT_MIRROR, "mirror=N" },
	    { "fill", STMT_OPT_FILL } },
	.run = corrupt_logical_run,
	.gen_print = fault_print, .gen_shrink = logical_shrink,
};

/* --- ioerror -------------------------------------------------------------- */

/* ioerror's keys, in the order of the rows' (both forms share the tail). */
enum { IOKEY_MIRROR, IOKEY_COUNT, IOKEY_OP, IOKEY_FORM_KEYS };

/*
 * op=read|write|both, and clear-on-write, which says what a write does to
 * the read error: so not with op=write alone.  KEYS is where op= is among
 * the row's keys (after logical= and len= in the logical form).
 */
static void
ioerror_op(struct pval *pv, const struct stmt_line *l, struct scn_stmt *st,
    int key)
{
	static const char *const ops[] = { "read", "write", "both" };
	const struct lex_word *w = l->opt[key];
	int k;

	if (w != NULL && (k = pval_choice(pv, w, ops, 3)) >= 0)
		st->op = k == 0 ? SCN_OP_READ : k == 1 ? SCN_OP_WRITE :
		    SCN_OP_READ | SCN_OP_WRITE;
	if ((l->flags & SCN_F_CLEAR_ON_WRITE) && st->op == SCN_OP_WRITE)
		pval_err(pv, w, "clear-on-write says what a write does to a "
		    "read error, and op=write makes none: use op=both, or drop "
		    "clear-on-write");
}

static void
ioerror_parse(struct pval *pv, const struct stmt_line *l, struct scn_stmt *st)
{
	ioerror_op(pv, l, st, IOKEY_OP);
}

static void
ioerror_logical_parse(struct pval *pv, const struct stmt_line *l,
    struct scn_stmt *st)
{
	ioerror_op(pv, l, st, IOKEY_OP + 2);
}

/* The write fault statement S arms, of KIND, with ARG. */
static struct wfault
armed(const struct scn_stmt *s, enum wfault_kind kind, uint64_t arg)
{
	struct wfault f = { .kind = kind, .copy = s->mirror, .left = s->count,
	    .arg = arg };

	return f;
}

/*
 * fault_ioerror_file() for the read part (the sectors backing the range
 * now), fault_write_file() for the write part (the range's next writes).
 */
static int
ioerror_run(struct exec *x, const struct scn_stmt *s,
    struct fs_read_result *rr)
{
	struct fs *fs = exec_fs(x);
	uint32_t ino = exec_inode(x, s->file);
	struct wfault f = armed(s, WFAULT_ERROR, 0);
	int r = 0;

	if (s->op & SCN_OP_READ)
		r = fault_ioerror_file(fs, ino, s->off, s->len, s->mirror,
		    s->count, (s->flags & SCN_F_CLEAR_ON_WRITE) != 0);
	if (r == 0 && (s->op & SCN_OP_WRITE))
		r = fault_write_file(fs, ino, s->off, s->len, &f);
	return r;
}

/* The same on a logical range. */
static int
ioerror_logical_run(struct exec *x, const struct scn_stmt *s,
    struct fs_read_result *rr)
{
	struct fs *fs = exec_fs(x);
	struct wfault f = armed(s, WFAULT_ERROR, 0);
	int r = 0;

	if (s->op & SCN_OP_READ)
		r = fault_ioerror_logical(fs, s->logical, s->len, s->mirror,
		    s->count, (s->flags & SCN_F_CLEAR_ON_WRITE) != 0);
	if (r == 0 && (s->op & SCN_OP_WRITE))
		r = fault_write_logical(fs, s->logical, s->len, &f);
	return r;
}

/*
 * Half of them for good, the rest once or twice; mostly on reads, else
 * on writes or both, and a read error that a write clears (dm-dust)
 * now and then.
 */
static bool
ioerror_make(struct gen_state *g, struct gen_op *op, int f)
{
	fault_range(g, op, SCN_IOERROR, f, true);
	op->count = GEN_PICK(g->r, 0, 0, 1, 2);
	op->op = (unsigned)GEN_PICK(g->r, SCN_OP_READ, SCN_OP_READ,
	    SCN_OP_READ, SCN_OP_WRITE, SCN_OP_READ | SCN_OP_WRITE);
	op->clear_on_write = (op->op & SCN_OP_READ) && gen_chance(g->r, 25);
	if (op->op & SCN_OP_WRITE)
		wfault_placed(g, op);
	return op->op == SCN_OP_WRITE || fault_placed(g, op);
}

/* op=both fails reads alone; clear-on-write goes. */
static void
ioerror_shrink(struct gen_op *op, int move, uint64_t ss)
{
	logical_shrink(op, move, ss);
	if (move == GEN_MOVE_OP_READ && op->op == (SCN_OP_READ | SCN_OP_WRITE))
		op->op = SCN_OP_READ;
	else if (move == GEN_MOVE_CLEAR)
		op->clear_on_write = false;
}

const struct stmt_row stmt_ioerror_row = {
	.kind = SCN_IOERROR, .name = "ioerror", .role = STMT_OPERATION,
	.usage = "ioerror NAME OFF LEN mirror=N [count=N] "
	    "[op=read|write|both] [clear-on-write]",
	.npos = 3, .pos = { STMT_SL_NAME, STMT_SL_OFF, STMT_SL_LEN },
	.keys = { { "mirror", STMT_OPT_MIRROR, "mirror=N" },
	    { "count", STMT_OPT_COUNT }, { "op" } },
	.allow = SCN_F_CLEAR_ON_WRITE, .parse = ioerror_parse,
	.run = ioerror_run,
	.gen = { 72, 76 }, .gen_make = ioerror_make, .gen_print = fault_print,
	.gen_shrink = ioerror_shrink,
};

const struct stmt_row stmt_ioerror_logical_row = {
	.kind = SCN_IOERROR_LOGICAL, .name = "ioerror",
	.role = STMT_OPERATION,
	.usage = "ioerror logical=L len=N mirror=N [count=N] "
	    "[op=read|write|both] [clear-on-write]",
	.keys = { { "logical", STMT_OPT_LOGICAL, "logical=L" },
	    { "len", STMT_OPT_LEN, "len=N" },
	    { "mirror", STMT_OPT_MIRROR, "mirror=N" },
	    { "count", STMT_OPT_COUNT }, { "op" } },
	.allow = SCN_F_CLEAR_ON_WRITE, .parse = ioerror_logical_parse,
	.run = ioerror_logical_run,
	.gen_print = fault_print, .gen_shrink = ioerror_shrink,
};

/* --- lose-write, tear-write, misdirect-write ------------------------------ */

/* The write fault a lose-, tear- or misdirect-write statement arms. */
static struct wfault
write_fault_of(const struct scn_stmt *s)
{
	switch (s->kind) {
	case SCN_TEAR_WRITE:
	case SCN_TEAR_WRITE_LOGICAL:
		return armed(s, WFAULT_TORN, s->bytes);
	case SCN_MISDIRECT_WRITE:
	case SCN_MISDIRECT_WRITE_LOGICAL:
		return armed(s, WFAULT_MISDIRECT, s->target);
	default:
		return armed(s, WFAULT_LOST, 0);
	}
}

/* fault_write_file(): armed on the file range's next writes. */
static int
write_fault_run(struct exec *x, const struct scn_stmt *s,
    struct fs_read_result *rr)
{
	struct wfault f = write_fault_of(s);

	return fault_write_file(exec_fs(x), exec_inode(x, s->file), s->off,
	    s->len, &f);
}

/* fault_write_logical(): armed on the next writes of those addresses. */
static int
write_fault_logical_run(struct exec *x, const struct scn_stmt *s,
    struct fs_read_result *rr)
{
	struct wfault f = write_fault_of(s);

	return fault_write_logical(exec_fs(x), s->logical, s->len, &f);
}

/* The key of BYTES= or TO= among a row's keys. */
enum { WKEY_POS_ARG = 2, WKEY_LOGICAL_ARG = 4 };

/* bytes=K: from 1 to the sector size less one. */
static void
tear_parse_at(struct pval *pv, const struct stmt_line *l, struct scn_stmt *st,
    int key)
{
	const struct lex_word *w = l->opt[key];
	char range[64];
	const char *v;
	size_t vlen;

	if (w == NULL)
		return;
	v = pval_opt(w, &vlen);
	snprintf(range, sizeof(range), "from 1 to %u (the sector size less "
	    "one)", pv->sectorsize - 1);
	pval_range(pv, w, v, vlen, "bytes", 1, pv->sectorsize - 1, range,
	    &st->bytes);
}

static void
tear_parse(struct pval *pv, const struct stmt_line *l, struct scn_stmt *st)
{
	tear_parse_at(pv, l, st, WKEY_POS_ARG);
}

static void
tear_logical_parse(struct pval *pv, const struct stmt_line *l,
    struct scn_stmt *st)
{
	tear_parse_at(pv, l, st, WKEY_LOGICAL_ARG);
}

/* to=LOGICAL: a logical address at a sector boundary. */
static void
misdirect_parse_at(struct pval *pv, const struct stmt_line *l,
    struct scn_stmt *st, int key)
{
	const struct lex_word *w = l->opt[key];
	const char *v;
	size_t vlen;
	char ss[32];

	if (w == NULL)
		return;
	v = pval_opt(w, &vlen);
	if (!pval_off(pv, w, v, vlen, "to", &st->target))
		return;
	fmt_size(pv->sectorsize, ss, sizeof(ss));
	if (st->target % pv->sectorsize != 0)
		pval_err(pv, w, "to must be a multiple of the sector size "
		    "(%s): a misdirected write lands on whole sectors", ss);
}

static void
misdirect_parse(struct pval *pv, const struct stmt_line *l,
    struct scn_stmt *st)
{
	misdirect_parse_at(pv, l, st, WKEY_POS_ARG);
}

static void
misdirect_logical_parse(struct pval *pv, const struct stmt_line *l,
    struct scn_stmt *st)
{
	misdirect_parse_at(pv, l, st, WKEY_LOGICAL_ARG);
}

/*
 * A lose-, tear- or misdirect-write (KIND) of a file range or of logical
 * addresses, once, twice or for good; a torn write keeps some bytes of
 * each sector, a misdirected one lands on a logical sector mostly among
 * those written.
 */
static bool
write_fault_make(struct gen_state *g, struct gen_op *op, enum scn_kind kind,
    int f)
{
	fault_range(g, op, kind, f, true);
	op->count = GEN_PICK(g->r, 0, 1, 1, 2);
	if (kind == SCN_TEAR_WRITE)
		op->bytes = gen_chance(g->r, 50) ? g->ss / 2 :
		    1 + rng_below(g->r, g->ss - 1);
	else if (kind == SCN_MISDIRECT_WRITE)
		op->target = gen_logical(g);
	return wfault_placed(g, op);
}

static bool
lose_write_make(struct gen_state *g, struct gen_op *op, int f)
{
	return write_fault_make(g, op, SCN_LOSE_WRITE, f);
}

static bool
tear_write_make(struct gen_state *g, struct gen_op *op, int f)
{
	return write_fault_make(g, op, SCN_TEAR_WRITE, f);
}

static bool
misdirect_write_make(struct gen_state *g, struct gen_op *op, int f)
{
	return write_fault_make(g, op, SCN_MISDIRECT_WRITE, f);
}

/* A torn write keeps one byte; a misdirected one lands at the data
   area's start. */
static void
write_fault_shrink(struct gen_op *op, int move, uint64_t ss)
{
	logical_shrink(op, move, ss);
	if (move == GEN_MOVE_PLAIN1 && op->bytes > 1)
		op->bytes = 1;
	else if (move == GEN_MOVE_PLAIN1 && op->target > FS_DATA_BASE)
		op->target = FS_DATA_BASE;
}

#define WFAULT_GEN(make)	.gen_make = make, .gen_print = fault_print, \
				.gen_shrink = write_fault_shrink
#define WFAULT_LOGICAL_GEN	.gen_print = fault_print, \
				.gen_shrink = write_fault_shrink

#define FILE_RANGE	.npos = 3, \
			.pos = { STMT_SL_NAME, STMT_SL_OFF, STMT_SL_LEN }
#define LOGICAL_KEYS	{ "logical", STMT_OPT_LOGICAL, "logical=L" }, \
			{ "len", STMT_OPT_LEN, "len=N" }, \
			{ "mirror", STMT_OPT_MIRROR, "mirror=N" }

const struct stmt_row stmt_lose_write_row = {
	.kind = SCN_LOSE_WRITE, .name = "lose-write", .role = STMT_OPERATION,
	.usage = "lose-write NAME OFF LEN mirror=N [count=N]", FILE_RANGE,
	.keys = { { "mirror", STMT_OPT_MIRROR, "mirror=N" },
	    { "count", STMT_OPT_COUNT } },
	.run = write_fault_run,
	.gen = { 76, 79 }, WFAULT_GEN(lose_write_make),
};

const struct stmt_row stmt_lose_write_logical_row = {
	.kind = SCN_LOSE_WRITE_LOGICAL, .name = "lose-write",
	.role = STMT_OPERATION,
	.usage = "lose-write logical=L len=N mirror=N [count=N]",
	.keys = { LOGICAL_KEYS, { "count", STMT_OPT_COUNT } },
	.run = write_fault_logical_run, WFAULT_LOGICAL_GEN,
};

const struct stmt_row stmt_tear_write_row = {
	.kind = SCN_TEAR_WRITE, .name = "tear-write", .role = STMT_OPERATION,
	.usage = "tear-write NAME OFF LEN mirror=N bytes=K [count=N]",
	FILE_RANGE,
	.keys = { { "mirror", STMT_OPT_MIRROR, "mirror=N" },
	    { "count", STMT_OPT_COUNT }, { "bytes", STMT_OPT_HOOK, "bytes=K" } },
	.parse = tear_parse, .run = write_fault_run,
	.gen = { 79, 81 }, WFAULT_GEN(tear_write_make),
};

const struct stmt_row stmt_tear_write_logical_row = {
	.kind = SCN_TEAR_WRITE_LOGICAL, .name = "tear-write",
	.role = STMT_OPERATION,
	.usage = "tear-write logical=L len=N mirror=N bytes=K [count=N]",
	.keys = { LOGICAL_KEYS, { "count", STMT_OPT_COUNT },
	    { "bytes", STMT_OPT_HOOK, "bytes=K" } },
	.parse = tear_logical_parse, .run = write_fault_logical_run,
	WFAULT_LOGICAL_GEN,
};

const struct stmt_row stmt_misdirect_write_row = {
	.kind = SCN_MISDIRECT_WRITE, .name = "misdirect-write",
	.role = STMT_OPERATION,
	.usage = "misdirect-write NAME OFF LEN mirror=N to=LOGICAL [count=N]",
	FILE_RANGE,
	.keys = { { "mirror", STMT_OPT_MIRROR, "mirror=N" },
	    { "count", STMT_OPT_COUNT }, { "to", STMT_OPT_HOOK, "to=LOGICAL" } },
	.parse = misdirect_parse, .run = write_fault_run,
	.gen = { 81, 83 }, WFAULT_GEN(misdirect_write_make),
};

const struct stmt_row stmt_misdirect_write_logical_row = {
	.kind = SCN_MISDIRECT_WRITE_LOGICAL, .name = "misdirect-write",
	.role = STMT_OPERATION,
	.usage = "misdirect-write logical=L len=N mirror=N to=LOGICAL "
	    "[count=N]",
	.keys = { LOGICAL_KEYS, { "count", STMT_OPT_COUNT },
	    { "to", STMT_OPT_HOOK, "to=LOGICAL" } },
	.parse = misdirect_logical_parse, .run = write_fault_logical_run,
	WFAULT_LOGICAL_GEN,
};

/* --- offline, online ------------------------------------------------------ */

/* fault_set_online(): every I/O to the mirror fails until `online`. */
static int
offline_run(struct exec *x, const struct scn_stmt *s,
    struct fs_read_result *rr)
{
	return fault_set_online(exec_fs(x), s->mirror, false);
}

/* fault_set_online(): the mirror serves I/O again. */
static int
online_run(struct exec *x, const struct scn_stmt *s, struct fs_read_result *rr)
{
	return fault_set_online(exec_fs(x), s->mirror, true);
}

/* A mirror goes offline; on offline's next turn it comes back online. */
static bool
offline_make(struct gen_state *g, struct gen_op *op, int f)
{
	gen_op_init(op, g->offline ? SCN_ONLINE : SCN_OFFLINE, -1);
	op->mirror = 1 + (int)rng_below(g->r, g->mirrors);
	g->offline = !g->offline;
	return true;
}

/* "offline mirror=2", "online mirror=2" */
static void
online_print(FILE *f, const struct gen_op *op, const char *file)
{
	fprintf(f, "%s mirror=%d", stmt_row(op->kind)->name, op->mirror);
}

const struct stmt_row stmt_offline_row = {
	.kind = SCN_OFFLINE, .name = "offline", .role = STMT_OPERATION,
	.usage = "offline mirror=N",
	.keys = { { "mirror", STMT_OPT_MIRROR, "mirror=N" } },
	.run = offline_run,
	.gen = { 83, 85 }, .gen_make = offline_make, .gen_print = online_print,
};

const struct stmt_row stmt_online_row = {
	.kind = SCN_ONLINE, .name = "online", .role = STMT_OPERATION,
	.usage = "online mirror=N",
	.keys = { { "mirror", STMT_OPT_MIRROR, "mirror=N" } },
	.run = online_run, .gen_print = online_print,
};

/* --- faults --------------------------------------------------------------- */

enum { FAULTS_RATE, FAULTS_KINDS, FAULTS_SAFE };

/* kinds=corrupt,ioerror: a comma list, each kind at most once. */
static void
faults_kinds(struct pval *pv, const struct lex_word *w, struct scn_stmt *st)
{
	static const char *const kinds[] = {
		"corrupt",	/* SCN_FAULT_CORRUPT */
		"ioerror",	/* SCN_FAULT_IOERROR */
		"lost",		/* SCN_FAULT_LOST */
		"torn",		/* SCN_FAULT_TORN */
		"misdirect",	/* SCN_FAULT_MISDIRECT */
	};
	const char *v, *item;
	size_t vlen, ilen;
	unsigned mask;

	v = pval_opt(w, &vlen);
	switch (pval_set(v, vlen, ',', kinds, 5, &mask, &item, &ilen)) {
	case PVAL_SET_OK:
		st->fault_kinds = mask;
		break;
	case PVAL_SET_UNKNOWN:
		pval_err(pv, w, "kinds must be a comma-separated list of "
		    "corrupt, ioerror, lost, torn and misdirect, not `"
		    PVAL_SHOW_FMT "`",
		    PVAL_SHOW(item, ilen));
		break;
	case PVAL_SET_TWICE:
		pval_err(pv, w, "kinds lists %.*s twice: name each kind once",
		    (int)ilen, item);
		break;
	}
}

/* rate=P (required, a decimal fraction), kinds= and safe=. */
static void
faults_parse(struct pval *pv, const struct stmt_line *l, struct scn_stmt *st)
{
	static const char *const yesno[] = { "yes", "no" };
	const struct lex_word *w;
	const char *v;
	size_t vlen;
	int k;

	if ((w = l->opt[FAULTS_RATE]) != NULL) {
		v = pval_opt(w, &vlen);
		switch (lex_prob(v, vlen, &st->rate_num, &st->rate_den)) {
		case LEX_OK:
			break;
		case LEX_DIGITS:
			pval_err(pv, w, "rate has more than 18 digits after "
			    "the decimal point: give at most 18");
			break;
		default:
			pval_err(pv, w, "rate must be a probability: a decimal "
			    "fraction from 0 to 1 such as 0.01");
			break;
		}
	}
	if ((w = l->opt[FAULTS_KINDS]) != NULL)
		faults_kinds(pv, w, st);
	if ((w = l->opt[FAULTS_SAFE]) != NULL &&
	    (k = pval_choice(pv, w, yesno, 2)) >= 0)
		st->safe = k == 0;
}

/* fault_random(): faults placed from the seed on every written sector. */
static int
faults_run(struct exec *x, const struct scn_stmt *s, struct fs_read_result *rr)
{
	return fault_random(exec_fs(x), s->rate_num, s->rate_den,
	    (s->fault_kinds & SCN_FAULT_CORRUPT ? FAULT_CORRUPT : 0) |
	    (s->fault_kinds & SCN_FAULT_IOERROR ? FAULT_IOERROR : 0) |
	    (s->fault_kinds & SCN_FAULT_LOST ? FAULT_LOST : 0) |
	    (s->fault_kinds & SCN_FAULT_TORN ? FAULT_TORN : 0) |
	    (s->fault_kinds & SCN_FAULT_MISDIRECT ? FAULT_MISDIRECT : 0),
	    s->safe);
}

/*
 * A rate of 1 to 50 percent, some kinds (half the time the read kinds
 * alone, else any non-empty set with the write kinds), mostly safe.
 */
static bool
faults_make(struct gen_state *g, struct gen_op *op, int f)
{
	gen_op_init(op, SCN_FAULTS, -1);
	op->rate_pct = (unsigned)GEN_PICK(g->r, 1, 5, 20, 50);
	if (gen_chance(g->r, 50))
		op->kinds = 1 + (unsigned)rng_below(g->r, 3);
	else
		op->kinds = 1 + (unsigned)rng_below(g->r, 31);
	op->safe = gen_chance(g->r, 60);
	return true;
}

/* "faults rate=0.05 kinds=corrupt,lost safe=yes" */
static void
faults_print(FILE *f, const struct gen_op *op, const char *file)
{
	static const char *const names[] = { "corrupt", "ioerror", "lost",
	    "torn", "misdirect" };
	const char *sep = "";

	fprintf(f, "faults rate=%s%u kinds=", op->rate_pct < 10 ? "0.0" :
	    "0.", op->rate_pct);
	for (unsigned k = 0; k < 5; k++)
		if (op->kinds & (1u << k)) {
			fprintf(f, "%s%s", sep, names[k]);
			sep = ",";
		}
	fprintf(f, " safe=%s", op->safe ? "yes" : "no");
}

/* One kind fewer (the lowest of several), or safe=yes: no sector left
   without one good copy. */
static void
faults_shrink(struct gen_op *op, int move, uint64_t ss)
{
	if (move == GEN_MOVE_PLAIN1 && (op->kinds & (op->kinds - 1)) != 0)
		op->kinds &= op->kinds - 1;
	else if (move == GEN_MOVE_PLAIN2)
		op->safe = true;
}

const struct stmt_row stmt_faults_row = {
	.kind = SCN_FAULTS, .name = "faults", .role = STMT_OPERATION,
	.usage = "faults rate=P [kinds=corrupt,ioerror,lost,torn,misdirect] "
	    "[safe=yes|no]",
	.keys = { { "rate", STMT_OPT_HOOK, "rate=P" }, { "kinds" },
	    { "safe" } },
	.parse = faults_parse,
	.run = faults_run,
	.gen = { 85, 87 }, .gen_make = faults_make, .gen_print = faults_print,
	.gen_shrink = faults_shrink,
};
