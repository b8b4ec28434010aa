/*
 * Random scenarios for `blksim fuzz` (see gen.h).
 *
 * The generator keeps a rough picture of each file (its size as the
 * operations leave it) so that reads, faults and drops mostly land on
 * data, and it shapes scenarios the way the 2008 bugs need them without
 * naming any bug: big writes that become one extent and one cached map,
 * partial cache drops, faults under pinned reads, unaligned truncates,
 * allocation units larger than the writes, and concurrent blocks whose
 * first task reads while the others write, truncate or drop the cache,
 * often right after a drop of the caches.  Every choice comes from the
 * caller's PRNG, so a seed names a scenario.
 *
 * What is particular to a statement sits in its row (src/stmt.h): its
 * share of the random choices, the function that makes it, its printer
 * and its own simplification moves.  This file holds what they share:
 * the choice helpers, the scenario's skeleton (an fs line, a first file
 * and its first write, then one row's statement per roll), blocks and
 * their tasks, copies, printing and the order of simplification.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/era.h"
#include "../sim/fs.h"
#include "../sim/quirk.h"
#include "../sim/xmalloc.h"
#include "exec.h"
#include "fmt.h"
#include "gen.h"
#include "stmt.h"

/* ---- choices ------------------------------------------------------------- */

bool
gen_chance(struct rng *r, unsigned pct)
{
	return rng_below(r, 100) < pct;
}

uint64_t
gen_pick(struct rng *r, const uint64_t *v, size_t n)
{
	return v[rng_below(r, n)];
}

uint64_t
gen_len(struct gen_state *g)
{
	uint64_t ss = g->ss;

	switch (rng_below(g->r, 20)) {
	case 0:
		return 1 + rng_below(g->r, 2 * ss - 1);	/* unaligned */
	case 1: case 2: case 3: case 4: case 5:
		return ss;
	case 6: case 7: case 8: case 9: case 10: case 11: case 12:
		return ss * (2 + rng_below(g->r, 7));
	default:
		return ss * GEN_PICK(g->r, 16, 32, 64);
	}
}

uint64_t
gen_off(struct gen_state *g, int f)
{
	uint64_t ss = g->ss, size = g->fsize[f], off;

	if (size == 0 || gen_chance(g->r, 15))
		off = ss * rng_below(g->r, 32);
	else
		off = ss * rng_below(g->r, (size + ss - 1) / ss);
	if (gen_chance(g->r, 8))
		off += 1 + rng_below(g->r, ss - 1);
	return off;
}

uint64_t
gen_logical(struct gen_state *g)
{
	uint64_t ss = g->ss, n = g->written / ss;

	if (n == 0 || gen_chance(g->r, 10))
		n = 64;
	return FS_DATA_BASE + ss * rng_below(g->r, n);
}

/* A file that exists: the last created one half the time. */
static int
gen_file(struct gen_state *g)
{
	if (gen_chance(g->r, 40))
		return g->nfiles - 1;
	return (int)rng_below(g->r, (uint64_t)g->nfiles);
}

void
gen_op_init(struct gen_op *op, enum scn_kind kind, int file)
{
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->file = file;
	op->fill = -1;
	op->pid = -1;
}

struct gen_op *
gen_push(struct gen_state *g)
{
	struct gen_script *s = g->s;

	if (s->nops == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 16;
		s->ops = xreallocarray(s->ops, g->cap, sizeof(*s->ops));
	}
	return &s->ops[s->nops++];
}

/*
 * The row whose share of the rolls holds ROLL: of the 100 rolls for a
 * top-level statement, or (TASK) of the 10 for a task.  The shares of the
 * rows cover every roll.
 */
static const struct stmt_row *
share_row(bool task, unsigned roll)
{
	for (int k = 0; k < SCN_KIND_COUNT; k++) {
		const struct stmt_row *row = stmt_row((enum scn_kind)k);
		const unsigned char *share = task ? row->gen_task : row->gen;

		if (roll >= share[0] && roll < share[1])
			return row;
	}
	abort();
}

void
gen_task(struct gen_state *g, struct gen_op *op, bool first)
{
	int f = gen_file(g);

	if (first)
		stmt_row(SCN_READ)->gen_make(g, op, f);
	else
		share_row(true, (unsigned)rng_below(g->r, 10))->gen_make(g, op,
		    f);
}

const struct gen_profile gen_profiles[GEN_NPROFILES] = {
	{ "single", 1, false },
	{ "dup", 2, true },
	{ "raid1", 2, false },
	{ "raid1c3", 3, false },
	{ "raid1c4", 4, false },
};

/*
 * The modern era's fs options: mostly a profile (raid1 and the
 * three- and four-copy ones most, which repair walks need), now and then
 * a read policy and a readahead window.
 */
static void
gen_modern_fs(struct gen_script *s, struct rng *r)
{
	uint32_t devices;

	s->profile = gen_chance(r, 25) ? -1 :
	    (int)GEN_PICK(r, 0, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4);
	if (s->profile >= 0)
		s->mirrors = gen_profiles[s->profile].copies;
	else
		s->mirrors = 1 + (uint32_t)rng_below(r, 4);
	devices = s->profile >= 0 && gen_profiles[s->profile].dup ? 1 :
	    s->mirrors;
	if (gen_chance(r, 25)) {
		s->policy = (enum gen_policy)(1 + rng_below(r, 3));
		if (s->policy == GEN_POLICY_ROUND_ROBIN && gen_chance(r, 50))
			s->policy_arg = s->sectorsize * GEN_PICK(r, 1, 2, 16);
		if (s->policy == GEN_POLICY_DEVID)
			s->policy_arg = 1 + rng_below(r, devices);
	}
	if (gen_chance(r, 30))
		s->readahead = s->sectorsize * GEN_PICK(r, 0, 1, 4, 32);
}

void
gen_random(struct gen_script *s, struct rng *r, unsigned era)
{
	struct gen_state g = { .r = r, .s = s };
	const struct stmt_row *row;
	size_t nops;

	memset(s, 0, sizeof(*s));
	s->era = era;
	s->profile = -1;
	s->readahead = GEN_NO_READAHEAD;
	s->preset = -1;
	s->sectorsize = gen_chance(r, 90) ? 4096 :
	    (uint32_t)GEN_PICK(r, 512, 16384);
	s->mirrors = gen_chance(r, 80) ? 2 : (uint32_t)GEN_PICK(r, 1, 3);
	s->workers = gen_chance(r, 80) ? 1 : 2;
	s->size = gen_chance(r, 50) ? 0 : GEN_PICK(r, 1 << 20, 4 << 20,
	    16 << 20);
	s->alloc_align = gen_chance(r, 60) ? 0 :
	    s->sectorsize * GEN_PICK(r, 2, 4, 16);
	s->max_extent = gen_chance(r, 75) ? 0 :
	    s->sectorsize * GEN_PICK(r, 4, 16, 256);
	s->seed = rng_next(r);
	if (era == ERA_MODERN)
		gen_modern_fs(s, r);
	g.ss = s->sectorsize;
	g.mirrors = s->mirrors;
	g.devices = s->profile >= 0 && gen_profiles[s->profile].dup ? 1 :
	    s->mirrors;
	g.modern = era == ERA_MODERN;

	nops = 6 + rng_below(r, 13);
	/* The first write goes to disk: faults and reads need an extent. */
	stmt_row(SCN_CREATE)->gen_make(&g, gen_push(&g), 0);
	stmt_row(SCN_WRITE)->gen_make(&g, gen_push(&g), 0);
	s->ops[1].nosync = false;
	while (s->nops < nops) {
		int f = gen_file(&g);
		unsigned roll = (unsigned)rng_below(r, 100);

		/* One that cannot be made now gives its roll to the next. */
		while (!(row = share_row(false, roll))->gen_make(&g,
		    gen_push(&g), f)) {
			s->nops--;
			roll = row->gen[1];
		}
	}
}

/* ---- copies -------------------------------------------------------------- */

static void
op_free(struct gen_op *op)
{
	free(op->tasks);
	op->tasks = NULL;
	op->ntasks = 0;
}

void
gen_free(struct gen_script *s)
{
	for (size_t i = 0; i < s->nops; i++)
		op_free(&s->ops[i]);
	free(s->ops);
	memset(s, 0, sizeof(*s));
}

static void
op_copy(struct gen_op *dst, const struct gen_op *src)
{
	*dst = *src;
	if (src->ntasks > 0) {
		dst->tasks = xreallocarray(NULL, src->ntasks,
		    sizeof(*dst->tasks));
		memcpy(dst->tasks, src->tasks, src->ntasks *
		    sizeof(*dst->tasks));
	}
}

void
gen_copy(struct gen_script *dst, const struct gen_script *src)
{
	*dst = *src;
	dst->ops = xreallocarray(NULL, src->nops ? src->nops : 1,
	    sizeof(*dst->ops));
	for (size_t i = 0; i < src->nops; i++)
		op_copy(&dst->ops[i], &src->ops[i]);
}

void
gen_remove(struct gen_script *s, size_t from, size_t n)
{
	for (size_t i = from; i < from + n; i++)
		op_free(&s->ops[i]);
	memmove(&s->ops[from], &s->ops[from + n],
	    (s->nops - from - n) * sizeof(*s->ops));
	s->nops -= n;
}

/* OP is a block: its tasks are lines of their own, and `end` one more. */
static bool
is_block(const struct gen_op *op)
{
	return stmt_row(op->kind)->role == STMT_BLOCK;
}

size_t
gen_op_lines(const struct gen_script *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nops; i++)
		n += is_block(&s->ops[i]) ? s->ops[i].ntasks : 1;
	return n;
}

size_t
gen_statements(const struct gen_script *s)
{
	size_t n = 2;	/* fs, seed */

	if (s->era != ERA_2008)
		n++;	/* era */
	if (s->preset >= 0)
		n++;
	for (int q = 0; q < QUIRK_COUNT; q++)
		n += ((s->quirks_on | s->quirks_off) >> q) & 1;
	for (size_t i = 0; i < s->nops; i++)
		n += is_block(&s->ops[i]) ? s->ops[i].ntasks + 2 : 1;
	return n;
}

/* ---- printing ------------------------------------------------------------ */

static const char *const file_names[GEN_MAX_FILES] = { "a", "b", "c", "d" };

const char *
gen_file_name(int i)
{
	return i >= 0 && i < GEN_MAX_FILES ? file_names[i] : "?";
}

const char *
gen_size(uint64_t v, char *buf, size_t n)
{
	fmt_size(v, buf, n);
	return buf;
}

void
gen_print_range(FILE *f, const struct gen_op *op, const char *file)
{
	char a[32], b[32];

	if (op->logical)
		fprintf(f, "%s logical=%s len=%s", stmt_row(op->kind)->name,
		    gen_size(op->off, a, sizeof(a)), gen_size(op->len, b,
		    sizeof(b)));
	else
		fprintf(f, "%s %s %s %s", stmt_row(op->kind)->name, file,
		    gen_size(op->off, a, sizeof(a)), op->len == GEN_LEN_MAX ?
		    "max" : gen_size(op->len, b, sizeof(b)));
}

/* The fs line's modern options: profile= (or mirrors=), read_policy=,
   readahead=. */
static void
print_modern_fs(FILE *f, const struct gen_script *s)
{
	static const char *const policies[] = {
		[GEN_POLICY_PID] = "pid",
		[GEN_POLICY_ROUND_ROBIN] = "round-robin",
		[GEN_POLICY_DEVID] = "devid",
	};
	char a[32];

	if (s->policy != GEN_POLICY_NONE) {
		fprintf(f, " read_policy=%s", policies[s->policy]);
		if (s->policy == GEN_POLICY_DEVID)
			fprintf(f, ":%llu", (unsigned long long)s->policy_arg);
		else if (s->policy_arg != 0)
			fprintf(f, ":%s", gen_size(s->policy_arg, a, 32));
	}
	if (s->readahead != GEN_NO_READAHEAD)
		fprintf(f, " readahead=%s", gen_size(s->readahead, a, 32));
}

/* One line: INDENT, the row's words, ANNOT (or NULL) after a blank. */
static void
print_op(FILE *f, const struct gen_op *op, const char *indent,
    const char *annot)
{
	const char *name = gen_file_name(op->file);

	fputs(indent, f);
	stmt_row(op->kind)->gen_print(f, op, name);
	if (annot != NULL)	/* an expectation tail, further lines */
		fprintf(f, "%s%s", annot[0] == '\n' ? "" : " ", annot);
	fputc('\n', f);
}

char *
gen_print(const struct gen_script *s, const char *header, char *const *annot)
{
	char *text = NULL, a[32];
	size_t size = 0, line = 0;
	FILE *f = open_memstream(&text, &size);

	if (f == NULL)
		abort();
	if (header != NULL)
		fputs(header, f);
	if (s->era != ERA_2008)
		fprintf(f, "era %s\n", era_ops(s->era)->name);
	fprintf(f, "fs sectorsize=%s", gen_size(s->sectorsize, a, 32));
	if (s->profile >= 0)
		fprintf(f, " profile=%s", gen_profiles[s->profile].name);
	else
		fprintf(f, " mirrors=%u", s->mirrors);
	fprintf(f, " workers=%u", s->workers);
	if (s->size)
		fprintf(f, " size=%s", gen_size(s->size, a, 32));
	if (s->alloc_align)
		fprintf(f, " alloc_align=%s", gen_size(s->alloc_align, a, 32));
	if (s->max_extent)
		fprintf(f, " max_extent=%s", gen_size(s->max_extent, a, 32));
	print_modern_fs(f, s);
	fputc('\n', f);
	if (s->preset >= 0)
		fprintf(f, "preset %s\n", quirk_preset_name(s->preset));
	for (int q = 0; q < QUIRK_COUNT; q++)
		if ((s->quirks_on | s->quirks_off) >> q & 1)
			fprintf(f, "quirk %s %s\n", quirk_info(q)->name,
			    s->quirks_on >> q & 1 ? "on" : "off");
	fprintf(f, "seed %llu\n", (unsigned long long)s->seed);
	for (size_t i = 0; i < s->nops; i++) {
		const struct gen_op *op = &s->ops[i];

		if (!is_block(op)) {
			print_op(f, op, "", annot ? annot[line] : NULL);
			line++;
			continue;
		}
		print_op(f, op, "", NULL);
		for (size_t t = 0; t < op->ntasks; t++, line++)
			print_op(f, &op->tasks[t], "  ", annot ? annot[line] :
			    NULL);
		fputs("end\n", f);
	}
	if (fclose(f) != 0)
		abort();
	return text;
}

/* ---- simplification ------------------------------------------------------ */

static uint64_t
round_down(uint64_t x, uint64_t a)
{
	return x - x % a;
}

/* The scalar fields of two ops are equal (tasks are not compared). */
static bool
op_same(const struct gen_op *a, const struct gen_op *b)
{
	return a->kind == b->kind && a->file == b->file && a->off == b->off &&
	    a->len == b->len && a->size == b->size &&
	    a->mirror == b->mirror && a->fill == b->fill &&
	    a->nocsum == b->nocsum && a->nosync == b->nosync &&
	    a->nodatasum == b->nodatasum && a->level == b->level &&
	    a->count == b->count && a->rate_pct == b->rate_pct &&
	    a->safe == b->safe && a->kinds == b->kinds &&
	    a->explore == b->explore && a->logical == b->logical &&
	    a->direct == b->direct && a->pid == b->pid &&
	    a->device == b->device && a->readonly == b->readonly &&
	    a->op == b->op && a->clear_on_write == b->clear_on_write &&
	    a->bytes == b->bytes && a->target == b->target;
}

/*
 * Apply simplification move M (enum gen_move) to OP (scalar fields only):
 * the moves every statement shares here, its own by its row's
 * gen_shrink.  True if it changed anything.  Each move goes toward a
 * smaller or plainer scenario.
 */
static bool
op_move(struct gen_op *op, int m, uint64_t ss)
{
	const struct stmt_row *row = stmt_row(op->kind);
	struct gen_op before = *op;
	bool ranged = stmt_has_range(op->kind);
	bool len = ranged && op->len != GEN_LEN_MAX && op->len > ss;

	switch (m) {
	case GEN_MOVE_NOSYNC:
		op->nosync = false;
		break;
	case GEN_MOVE_NOCSUM:
		op->nocsum = false;
		break;
	case GEN_MOVE_NODATASUM:
		op->nodatasum = false;
		break;
	case GEN_MOVE_FILL:
		op->fill = -1;
		break;
	case GEN_MOVE_COUNT:
		op->count = 0;
		break;
	case GEN_MOVE_OFF_ZERO:
		if (ranged)
			op->off = 0;
		break;
	case GEN_MOVE_OFF_HALF:
		if (ranged)
			op->off = round_down(op->off / 2, ss);
		break;
	case GEN_MOVE_OFF_ALIGN:
		if (ranged)
			op->off = round_down(op->off, ss);
		break;
	case GEN_MOVE_LEN_SECTOR:
		if (len)
			op->len = ss;
		break;
	case GEN_MOVE_LEN_HALF:
		if (len)
			op->len = round_down(op->len / 2 + ss - 1, ss);
		break;
	}
	if (row->gen_shrink != NULL)
		row->gen_shrink(op, m, ss);
	return !op_same(&before, op);
}

#define NFS_MOVES	9

/*
 * fs move M on S: an option back to its default (a profile becomes the
 * mirrors= of its copies, raid1 for dup).  True if anything changed.
 */
static bool
fs_move(struct gen_script *s, int m)
{
	struct gen_script before = *s;

	switch (m) {
	case 0: s->workers = 1; break;
	case 1: s->size = 0; break;
	case 2: s->alloc_align = 0; break;
	case 3: s->max_extent = 0; break;
	case 4: s->policy = GEN_POLICY_NONE; s->policy_arg = 0; break;
	case 5: s->readahead = GEN_NO_READAHEAD; break;
	case 6: s->profile = -1; break;
	case 7:
		if (s->profile < 0)
			s->mirrors = 2;
		break;
	case 8: s->sectorsize = 4096; break;
	}
	/* devid:N names a device that is still there. */
	if (s->policy == GEN_POLICY_DEVID && s->policy_arg > s->mirrors)
		s->policy = GEN_POLICY_NONE;
	return before.workers != s->workers || before.size != s->size ||
	    before.alloc_align != s->alloc_align ||
	    before.max_extent != s->max_extent ||
	    before.mirrors != s->mirrors || before.sectorsize != s->sectorsize ||
	    before.policy != s->policy || before.readahead != s->readahead ||
	    before.profile != s->profile;
}

/*
 * Count the scalar moves of OP, op I of S or its task J if TASK, down
 * from *K; at the K-th, build it in OUT and return true.
 */
static bool
op_moves(const struct gen_script *s, const struct gen_op *op, size_t i,
    size_t j, bool task, size_t *k, struct gen_script *out)
{
	struct gen_op t;

	for (int m = 0; m < GEN_MOVES; m++) {
		t = *op;
		if (op_move(&t, m, s->sectorsize) && (*k)-- == 0) {
			gen_copy(out, s);
			op_move(task ? &out->ops[i].tasks[j] : &out->ops[i], m,
			    s->sectorsize);
			return true;
		}
	}
	return false;
}

/*
 * Counts candidate moves down from K; when it reaches the K-th, builds
 * it in OUT.  The order: fs options, then per op its removal of a task,
 * the lift of a one-task block, and the scalar moves of the op or each
 * task.
 */
bool
gen_simplify(const struct gen_script *s, size_t k, struct gen_script *out)
{
	struct gen_script tmp;

	for (int m = 0; m < NFS_MOVES; m++) {
		tmp = *s;
		if (fs_move(&tmp, m) && k-- == 0) {
			gen_copy(out, s);
			fs_move(out, m);
			return true;
		}
	}
	for (size_t i = 0; i < s->nops; i++) {
		const struct gen_op *op = &s->ops[i];

		if (!is_block(op)) {
			if (op_moves(s, op, i, 0, false, &k, out))
				return true;
			continue;
		}
		for (size_t j = 0; j < op->ntasks && op->ntasks > 1; j++)
			if (k-- == 0) {
				struct gen_op *o;

				gen_copy(out, s);
				o = &out->ops[i];
				memmove(&o->tasks[j], &o->tasks[j + 1],
				    (o->ntasks - j - 1) * sizeof(*o->tasks));
				o->ntasks--;
				return true;
			}
		if (op->ntasks == 1 && k-- == 0) {
			struct gen_op lifted;

			gen_copy(out, s);
			lifted = out->ops[i].tasks[0];
			free(out->ops[i].tasks);
			out->ops[i] = lifted;
			return true;
		}
		for (size_t j = 0; j < op->ntasks; j++)
			if (op_moves(s, &op->tasks[j], i, j, true, &k, out))
				return true;
	}
	return false;
}
