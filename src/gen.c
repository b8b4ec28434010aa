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
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/quirk.h"
#include "../sim/xmalloc.h"
#include "fmt.h"
#include "gen.h"

/* ---- choices ---------------------------------------------------------------- */

/* True with probability PCT percent. */
static bool
chance(struct rng *r, unsigned pct)
{
	return rng_below(r, 100) < pct;
}

/* One of N values, uniformly. */
static uint64_t
pick(struct rng *r, const uint64_t *v, size_t n)
{
	return v[rng_below(r, n)];
}

#define PICK(r, ...) pick(r, (const uint64_t[]){ __VA_ARGS__ }, \
	sizeof((const uint64_t[]){ __VA_ARGS__ }) / sizeof(uint64_t))

/* The generator's picture of the scenario so far. */
struct gen_state {
	struct rng	*r;
	uint32_t	 ss;
	uint32_t	 mirrors;
	int		 nfiles;
	uint64_t	 fsize[GEN_MAX_FILES];
	struct gen_op	 fault;		/* the last fault placed */
	bool		 faulted;
};

/* A length: mostly whole sectors, from one to a 64-sector extent. */
static uint64_t
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
		return ss * PICK(g->r, 16, 32, 64);
	}
}

/* An offset in file F: mostly on a sector inside the file. */
static uint64_t
gen_off(struct gen_state *g, int f)
{
	uint64_t ss = g->ss, size = g->fsize[f], off;

	if (size == 0 || chance(g->r, 15))
		off = ss * rng_below(g->r, 32);
	else
		off = ss * rng_below(g->r, (size + ss - 1) / ss);
	if (chance(g->r, 8))
		off += 1 + rng_below(g->r, ss - 1);
	return off;
}

/* A file that exists: the last created one half the time. */
static int
gen_file(struct gen_state *g)
{
	if (chance(g->r, 40))
		return g->nfiles - 1;
	return (int)rng_below(g->r, (uint64_t)g->nfiles);
}

static void
op_init(struct gen_op *op, enum gen_kind kind, int file)
{
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->file = file;
	op->fill = -1;
}

static void
gen_write(struct gen_state *g, struct gen_op *op, int f)
{
	op_init(op, GEN_WRITE, f);
	op->off = chance(g->r, 50) ? 0 : gen_off(g, f);
	op->len = gen_len(g);
	if (chance(g->r, 15))
		op->fill = (int)PICK(g->r, 0, 0x01, 0xaa, 0xff);
	op->nocsum = chance(g->r, 8);
	op->nosync = chance(g->r, 20);
	if (op->off + op->len > g->fsize[f])
		g->fsize[f] = op->off + op->len;
}

/*
 * A read of file F; often one of the page of the last fault, pinned to
 * its mirror, since a fault nobody reads shows nothing.
 */
static void
gen_read(struct gen_state *g, struct gen_op *op, int f)
{
	if (g->faulted && chance(g->r, 40)) {
		op_init(op, GEN_READ, g->fault.file);
		op->off = g->fault.off / g->ss * g->ss;
		op->len = g->ss;
		op->mirror = g->fault.mirror;
		return;
	}
	op_init(op, GEN_READ, f);
	op->off = gen_off(g, f);
	op->len = chance(g->r, 70) ? g->ss : gen_len(g);
	if (chance(g->r, 55))
		op->mirror = 1 + (int)rng_below(g->r, g->mirrors);
}

static void
gen_truncate(struct gen_state *g, struct gen_op *op, int f)
{
	uint64_t ss = g->ss, size = g->fsize[f];

	op_init(op, GEN_TRUNCATE, f);
	if (size > 0 && chance(g->r, 60))
		op->size = rng_below(g->r, size / ss + 1) * ss;	/* down */
	else
		op->size = size + ss * (1 + rng_below(g->r, 8));	/* up */
	if (chance(g->r, 30))
		op->size += 1 + rng_below(g->r, ss - 1);
	g->fsize[f] = op->size;
}

/*
 * A drop of the extent map cache.  Whole sectors, as every 2008 caller of
 * btrfs_drop_extent_cache passes them (an unaligned drop would make the
 * unaligned maps itself).
 */
static void
gen_drop_cache(struct gen_state *g, struct gen_op *op, int f)
{
	uint64_t ss = g->ss;

	op_init(op, GEN_DROP_CACHE, f);
	op->off = gen_off(g, f) / ss * ss;
	op->len = chance(g->r, 30) ? GEN_LEN_MAX :
	    (gen_len(g) + ss - 1) / ss * ss;
}

/* One task of a concurrent block. */
static void
gen_task(struct gen_state *g, struct gen_op *op, bool first)
{
	int f = gen_file(g);

	if (first) {
		gen_read(g, op, f);
		return;
	}
	switch (rng_below(g->r, 10)) {
	case 0: case 1:
		gen_read(g, op, f);
		break;
	case 2: case 3: case 4:
		gen_write(g, op, f);
		break;
	case 5: case 6:
		gen_drop_cache(g, op, f);
		break;
	case 7: case 8:
		gen_truncate(g, op, f);
		break;
	default:
		op_init(op, GEN_SYNC, -1);
		break;
	}
}

static void
gen_concurrent(struct gen_state *g, struct gen_op *op)
{
	op_init(op, GEN_CONCURRENT, -1);
	op->explore = chance(g->r, 80);
	op->ntasks = 2 + rng_below(g->r, GEN_MAX_TASKS - 1);
	op->tasks = xcalloc(op->ntasks, sizeof(*op->tasks));
	for (size_t i = 0; i < op->ntasks; i++)
		gen_task(g, &op->tasks[i], i == 0);
}

/* A fault on a range of file F. */
static void
gen_fault(struct gen_state *g, struct gen_op *op, enum gen_kind kind, int f)
{
	op_init(op, kind, f);
	op->off = gen_off(g, f);
	op->len = chance(g->r, 60) ? g->ss : gen_len(g);
	op->mirror = chance(g->r, 60) ? 1 :
	    1 + (int)rng_below(g->r, g->mirrors);
	if (kind == GEN_CORRUPT && chance(g->r, 20))
		op->fill = (int)PICK(g->r, 0, 0x01, 0xff);
	if (kind == GEN_IOERROR)
		op->count = PICK(g->r, 0, 0, 1, 2);
	g->fault = *op;
	g->faulted = true;
}

/* Append an op to S and return it. */
static struct gen_op *
push(struct gen_script *s, size_t *cap)
{
	if (s->nops == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		s->ops = xreallocarray(s->ops, *cap, sizeof(*s->ops));
	}
	return &s->ops[s->nops++];
}

void
gen_random(struct gen_script *s, struct rng *r)
{
	struct gen_state g = { .r = r };
	size_t cap = 0, nops;
	bool offline = false;

	memset(s, 0, sizeof(*s));
	s->preset = -1;
	s->sectorsize = chance(r, 90) ? 4096 : (uint32_t)PICK(r, 512, 16384);
	s->mirrors = chance(r, 80) ? 2 : (uint32_t)PICK(r, 1, 3);
	s->workers = chance(r, 80) ? 1 : 2;
	s->size = chance(r, 50) ? 0 : PICK(r, 1 << 20, 4 << 20, 16 << 20);
	s->alloc_align = chance(r, 60) ? 0 :
	    s->sectorsize * PICK(r, 2, 4, 16);
	s->max_extent = chance(r, 75) ? 0 : s->sectorsize * PICK(r, 4, 16, 256);
	s->seed = rng_next(r);
	g.ss = s->sectorsize;
	g.mirrors = s->mirrors;

	nops = 6 + rng_below(r, 13);
	push(s, &cap);
	op_init(&s->ops[0], GEN_CREATE, g.nfiles++);
	s->ops[0].nodatasum = chance(r, 5);
	/* The first write goes to disk: faults and reads need an extent. */
	gen_write(&g, push(s, &cap), 0);
	s->ops[1].nosync = false;
	while (s->nops < nops) {
		int f = gen_file(&g);
		unsigned roll = (unsigned)rng_below(r, 100);
		struct gen_op *op;

		if (roll < 6 && g.nfiles < GEN_MAX_FILES) {
			op = push(s, &cap);
			op_init(op, GEN_CREATE, g.nfiles++);
			op->nodatasum = chance(r, 5);
		} else if (roll < 28)
			gen_write(&g, push(s, &cap), f);
		else if (roll < 44)
			gen_read(&g, push(s, &cap), f);
		else if (roll < 51)
			gen_truncate(&g, push(s, &cap), f);
		else if (roll < 58)
			gen_drop_cache(&g, push(s, &cap), f);
		else if (roll < 68) {
			op = push(s, &cap);
			op_init(op, GEN_DROP_CACHES, -1);
			op->level = (int)PICK(r, 1, 1, 2, 3, 3);
		} else if (roll < 71)
			op_init(push(s, &cap), GEN_SYNC, -1);
		else if (roll < 81)
			gen_fault(&g, push(s, &cap), GEN_CORRUPT, f);
		else if (roll < 84)
			gen_fault(&g, push(s, &cap), GEN_IOERROR, f);
		else if (roll < 86) {
			op = push(s, &cap);
			op_init(op, offline ? GEN_ONLINE : GEN_OFFLINE, -1);
			op->mirror = 1 + (int)rng_below(r, s->mirrors);
			offline = !offline;
		} else if (roll < 88) {
			op = push(s, &cap);
			op_init(op, GEN_FAULTS, -1);
			op->rate_pct = (unsigned)PICK(r, 1, 5, 20, 50);
			op->kinds = 1 + (unsigned)rng_below(r, 3);
			op->safe = chance(r, 60);
		} else {
			if (chance(r, 60)) {
				op = push(s, &cap);
				op_init(op, GEN_DROP_CACHES, -1);
				op->level = (int)PICK(r, 1, 2, 3, 3);
			}
			gen_concurrent(&g, push(s, &cap));
		}
	}
}

/* ---- copies ------------------------------------------------------------------- */

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

size_t
gen_op_lines(const struct gen_script *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nops; i++)
		n += s->ops[i].kind == GEN_CONCURRENT ? s->ops[i].ntasks : 1;
	return n;
}

size_t
gen_statements(const struct gen_script *s)
{
	size_t n = 2;	/* fs, seed */

	if (s->preset >= 0)
		n++;
	for (int q = 0; q < QUIRK_COUNT; q++)
		n += ((s->quirks_on | s->quirks_off) >> q) & 1;
	for (size_t i = 0; i < s->nops; i++)
		n += s->ops[i].kind == GEN_CONCURRENT ?
		    s->ops[i].ntasks + 2 : 1;
	return n;
}

/* ---- printing ----------------------------------------------------------------- */

static const char *const file_names[GEN_MAX_FILES] = { "a", "b", "c", "d" };

static const char *
size_word(uint64_t v, char *buf, size_t n)
{
	fmt_size(v, buf, n);
	return buf;
}

static void
print_op(FILE *f, const struct gen_op *op, const char *indent,
    const char *annot)
{
	char a[32], b[32];
	const char *name = op->file >= 0 && op->file < GEN_MAX_FILES ?
	    file_names[op->file] : "?";

	fputs(indent, f);
	switch (op->kind) {
	case GEN_CREATE:
		fprintf(f, "create %s%s", name, op->nodatasum ? " nodatasum" :
		    "");
		break;
	case GEN_WRITE:
		fprintf(f, "write %s %s %s", name, size_word(op->off, a, 32),
		    size_word(op->len, b, 32));
		if (op->fill >= 0)
			fprintf(f, " fill=0x%02x", op->fill);
		fprintf(f, "%s%s", op->nocsum ? " nocsum" : "",
		    op->nosync ? " nosync" : "");
		break;
	case GEN_SYNC:
		fputs("sync", f);
		break;
	case GEN_READ:
		fprintf(f, "read %s %s %s", name, size_word(op->off, a, 32),
		    size_word(op->len, b, 32));
		if (op->mirror > 0)
			fprintf(f, " mirror=%d", op->mirror);
		break;
	case GEN_TRUNCATE:
		fprintf(f, "truncate %s %s", name, size_word(op->size, a, 32));
		break;
	case GEN_DROP_CACHE:
		fprintf(f, "drop-cache %s %s %s", name,
		    size_word(op->off, a, 32), op->len == GEN_LEN_MAX ? "max" :
		    size_word(op->len, b, 32));
		break;
	case GEN_DROP_CACHES:
		fprintf(f, "drop-caches %d", op->level);
		break;
	case GEN_CORRUPT:
	case GEN_IOERROR:
		fprintf(f, "%s %s %s %s mirror=%d", op->kind == GEN_CORRUPT ?
		    "corrupt" : "ioerror", name, size_word(op->off, a, 32),
		    size_word(op->len, b, 32), op->mirror);
		if (op->fill >= 0)
			fprintf(f, " fill=0x%02x", op->fill);
		if (op->count > 0)
			fprintf(f, " count=%llu", (unsigned long long)op->count);
		break;
	case GEN_OFFLINE:
	case GEN_ONLINE:
		fprintf(f, "%s mirror=%d", op->kind == GEN_OFFLINE ?
		    "offline" : "online", op->mirror);
		break;
	case GEN_FAULTS:
		fprintf(f, "faults rate=%s%u kinds=%s safe=%s",
		    op->rate_pct < 10 ? "0.0" : "0.", op->rate_pct,
		    op->kinds == 1 ? "corrupt" : op->kinds == 2 ? "ioerror" :
		    "corrupt,ioerror", op->safe ? "yes" : "no");
		break;
	case GEN_CONCURRENT:
		break;
	}
	if (annot != NULL)
		fprintf(f, " %s", annot);
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
	fprintf(f, "fs sectorsize=%s mirrors=%u workers=%u",
	    size_word(s->sectorsize, a, 32), s->mirrors, s->workers);
	if (s->size)
		fprintf(f, " size=%s", size_word(s->size, a, 32));
	if (s->alloc_align)
		fprintf(f, " alloc_align=%s", size_word(s->alloc_align, a, 32));
	if (s->max_extent)
		fprintf(f, " max_extent=%s", size_word(s->max_extent, a, 32));
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

		if (op->kind != GEN_CONCURRENT) {
			print_op(f, op, "", annot ? annot[line] : NULL);
			line++;
			continue;
		}
		if (op->explore)
			fputs("concurrent schedule=explore max-schedules=400\n",
			    f);
		else
			fputs("concurrent schedule=random runs=20\n", f);
		for (size_t t = 0; t < op->ntasks; t++, line++)
			print_op(f, &op->tasks[t], "  ", annot ? annot[line] :
			    NULL);
		fputs("end\n", f);
	}
	if (fclose(f) != 0)
		abort();
	return text;
}

/* ---- simplification ----------------------------------------------------------- */

#define NOP_MOVES	15

static uint64_t
round_down(uint64_t x, uint64_t a)
{
	return x - x % a;
}

/*
 * Apply simplification M to OP (scalar fields only); true if it changed
 * anything.  Each move goes toward a smaller or plainer scenario.
 */
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
	    a->explore == b->explore;
}

static bool
op_move(struct gen_op *op, int m, uint64_t ss)
{
	struct gen_op before = *op;
	bool ranged = op->kind == GEN_WRITE || op->kind == GEN_READ ||
	    op->kind == GEN_DROP_CACHE || op->kind == GEN_CORRUPT ||
	    op->kind == GEN_IOERROR;

	switch (m) {
	case 0: op->nosync = false; break;
	case 1: op->nocsum = false; break;
	case 2: op->nodatasum = false; break;
	case 3: op->fill = -1; break;
	case 4:
		if (op->kind == GEN_READ)
			op->mirror = 0;
		break;
	case 5: op->count = 0; break;
	case 6:
		if (ranged)
			op->off = 0;
		break;
	case 7:
		if (ranged)
			op->off = round_down(op->off / 2, ss);
		break;
	case 8:
		if (ranged)
			op->off = round_down(op->off, ss);
		break;
	case 9:
		if (ranged && op->len != GEN_LEN_MAX && op->len > ss)
			op->len = ss;
		break;
	case 10:
		if (ranged && op->len != GEN_LEN_MAX && op->len > ss)
			op->len = round_down(op->len / 2 + ss - 1, ss);
		break;
	case 11:
		if (op->kind == GEN_TRUNCATE)
			op->size = round_down(op->size / 2, ss);
		break;
	case 12:
		if (op->kind == GEN_TRUNCATE && op->size % ss)
			op->size = op->size % ss;
		break;
	case 13:
		if (op->kind == GEN_DROP_CACHES && op->level == 3)
			op->level = 1;
		break;
	case 14:
		if (op->kind == GEN_DROP_CACHES && op->level == 3)
			op->level = 2;
		else if (op->kind == GEN_FAULTS)
			op->safe = true;
		break;
	}
	return !op_same(&before, op);
}

#define NFS_MOVES	6

static bool
fs_move(struct gen_script *s, int m)
{
	struct gen_script before = *s;

	switch (m) {
	case 0: s->workers = 1; break;
	case 1: s->size = 0; break;
	case 2: s->alloc_align = 0; break;
	case 3: s->max_extent = 0; break;
	case 4: s->mirrors = 2; break;
	case 5: s->sectorsize = 4096; break;
	}
	return before.workers != s->workers || before.size != s->size ||
	    before.alloc_align != s->alloc_align ||
	    before.max_extent != s->max_extent ||
	    before.mirrors != s->mirrors || before.sectorsize != s->sectorsize;
}

/*
 * Counts candidate moves down from *K; when it reaches the K-th, builds
 * it in OUT.  The order: fs options, then per op its removal of a task,
 * the lift of a one-task block, and the scalar moves of the op or each
 * task.
 */
bool
gen_simplify(const struct gen_script *s, size_t k, struct gen_script *out)
{
	uint64_t ss = s->sectorsize;
	struct gen_script tmp;
	struct gen_op t;

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

		if (op->kind == GEN_CONCURRENT) {
			for (size_t j = 0; j < op->ntasks && op->ntasks > 1;
			    j++)
				if (k-- == 0) {
					struct gen_op *o;

					gen_copy(out, s);
					o = &out->ops[i];
					memmove(&o->tasks[j], &o->tasks[j + 1],
					    (o->ntasks - j - 1) *
					    sizeof(*o->tasks));
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
				for (int m = 0; m < NOP_MOVES; m++) {
					t = op->tasks[j];
					if (op_move(&t, m, ss) && k-- == 0) {
						gen_copy(out, s);
						op_move(&out->ops[i].tasks[j], m,
						    ss);
						return true;
					}
				}
			continue;
		}
		for (int m = 0; m < NOP_MOVES; m++) {
			t = *op;
			if (op_move(&t, m, ss) && k-- == 0) {
				gen_copy(out, s);
				op_move(&out->ops[i], m, ss);
				return true;
			}
		}
	}
	return false;
}
