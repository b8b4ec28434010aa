/*
 * bench: performance and scale figures of the model, each next to a
 * baseline that does the same useful work with nothing around it, and
 * checked against the targets of BENCHMARKS.md.
 *
 * Figures and their baselines:
 *
 *   read path	fs_read() of a 1 GiB file, sequential, caches dropped, every
 *		page read from a device and CRC-32C verified, generated or
 *		fill content; against the true floor of floor.h (make the
 *		page's bytes, CRC-32C them with ISA-L, nothing of the model),
 *		with the old floor (the model's own content_materialize()
 *		and csum_crc32c()) reported beside it.
 *   extent maps	em_add(), em_lookup() and em_drop_cache() of sim/em.c at
 *		1e5 and 1e6 maps; against the <bsd/sys/tree.h> RB macros on
 *		the same extents in the same order, and heap bytes per map
 *		(mallinfo2) against the bare node's.
 *   memory	peak RSS of a child process that writes 1 TiB in 128 MiB
 *		extents, or makes 1e6 file extent items; against the RSS of
 *		an idle child.
 *   scenarios	CPU of `blksim run --guards` over every bundled scenario,
 *		and wall time of a one-statement scenario; against the
 *		one-statement run and spawning /bin/true.
 *   explore	wall time of `blksim run` finding the historical retry
 *		deadlock with schedule=explore, and exploring every schedule
 *		of the fixed code; against the one-statement run.  Reported
 *		as "not built yet" while blksim skips concurrent blocks.
 *   scale	read-path cost per page as the number of extents (1e3..1e6)
 *		and the file size (1 GiB..64 TiB) grow (no target: a table).
 *
 * Method: the process pins itself to one CPU; each
 * measurement is repeated and its median reported; the model and its
 * baseline alternate inside one process, so drift hits both.  Time is
 * the thread's CPU time in nanoseconds (CLOCK_MONOTONIC with --wall), so
 * that other processes on a shared machine do not stretch one side; the
 * CPU time, wall time and peak RSS of child processes come from wait4().
 *
 * Internal modes (run by run.sh under callgrind, or as child processes):
 * `readpages N clean|fill|corrupt|pinned`, `floorpages N gen|fill|old`,
 * `mem-tib`,
 * `mem-items`, `idle`.  The measured loops are the noinline functions
 * cg_read_pages() and cg_floor_pages(), which callgrind's --toggle-collect
 * selects by name.
 *
 * Exit status: 0 if every target was met, 1 if any was missed, 2 on a
 * usage error or a setup that did not behave as the model promises.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <sched.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim/alloc.h"
#include "sim/content.h"
#include "sim/csum.h"
#include "sim/em.h"
#include "sim/fault.h"
#include "sim/fei.h"
#include "sim/fs.h"
#include "sim/inode.h"
#include "sim/mirror.h"
#include "sim/pcache.h"
#include "sim/rng.h"
#include "bench/floor.h"

#define KIB	(1ULL << 10)
#define MIB	(1ULL << 20)
#define GIB	(1ULL << 30)
#define TIB	(1ULL << 40)
#define PAGE	(4 * KIB)

extern char **environ;

/* Keeps results alive so that no measured work is optimized away. */
static volatile uint64_t sink;

#define BARRIER()	__asm__ __volatile__("" ::: "memory")

/* ---- options and the report --------------------------------------------- */

struct opts {
	int		 reps;		/* repetitions per measurement */
	bool		 quick;		/* smaller sizes, fewer repetitions */
	const char	*blksim;	/* the built program, or NULL */
	const char	*scenarios;	/* the bundled scenario directory */
	const char	*self;		/* this program, for child modes */
};

static int	nfail, npass;

/*
 * The clock of in-process measurements: the thread's CPU time by default,
 * so that other processes sharing the CPU (a busy build machine) do not
 * stretch the figures; CLOCK_MONOTONIC with --wall.
 */
static clockid_t	bench_clock = CLOCK_THREAD_CPUTIME_ID;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(bench_clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Wall time, for anything that includes other processes. */
static uint64_t
wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median of N values (N <= 512); V is left as it is. */
static double
median(const double *v, int n)
{
	double s[512];

	memcpy(s, v, (size_t)n * sizeof(*s));
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* The CPUs we may run on at start, and the one we pin to. */
static cpu_set_t	all_cpus, pin_set;

/* Pin to the last CPU we may run on (CPU 1 on the 2-CPU build VM). */
static int
pin_cpu(void)
{
	int cpu = -1;

	if (sched_getaffinity(0, sizeof(all_cpus), &all_cpus) != 0)
		return -1;
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &all_cpus))
			cpu = i;
	if (cpu < 0)
		return -1;
	CPU_ZERO(&pin_set);
	CPU_SET(cpu, &pin_set);
	return sched_setaffinity(0, sizeof(pin_set), &pin_set) == 0 ? cpu : -1;
}

/*
 * Let spawned programs run on any CPU (they inherit our mask): a process
 * start measures the machine, and waiting for one busy CPU is no part of
 * it.  PINNED true restores the pin.
 */
static void
set_pinned(bool pinned)
{
	cpu_set_t *set = pinned ? &pin_set : &all_cpus;

	if (CPU_COUNT(set) > 0)
		sched_setaffinity(0, sizeof(*set), set);
}

/* A value with its unit, e.g. "301.2 ms", in a static rotating buffer. */
static const char *
fmt(double v, const char *unit)
{
	static char buf[8][32];
	static int next;
	char *b = buf[next++ % 8];

	if (v >= 100)
		snprintf(b, sizeof(buf[0]), "%.0f %s", v, unit);
	else if (v >= 10)
		snprintf(b, sizeof(buf[0]), "%.1f %s", v, unit);
	else
		snprintf(b, sizeof(buf[0]), "%.2f %s", v, unit);
	return b;
}

static void
header(const char *title)
{
	printf("\n== %s\n", title);
	printf("%-46s %11s %11s %7s %10s  %s\n", "figure", "value",
	    "baseline", "ratio", "target", "verdict");
	fflush(stdout);
}

/*
 * A figure judged by its ratio to the baseline: PASS if ratio <= LIMIT.
 * LIMIT 0 means no target (context only).
 */
static void
row(const char *what, double v, double base, double ratio,
    const char *unit, double limit)
{
	char target[16] = "-";
	const char *verdict = "(context)";

	if (limit > 0) {
		snprintf(target, sizeof(target), "<= %.2fx", limit);
		verdict = ratio <= limit ? "PASS" : "FAIL";
		if (ratio <= limit)
			npass++;
		else
			nfail++;
	}
	printf("%-46s %11s %11s %6.2fx %10s  %s\n", what, fmt(v, unit),
	    fmt(base, unit), ratio, target, verdict);
	fflush(stdout);
}

static void
row_ratio(const char *what, double v, double base, const char *unit,
    double limit)
{
	row(what, v, base, v / base, unit, limit);
}

/* Medians of the model's and the baseline's costs, and of their ratio. */
struct pair {
	double	model;		/* median, per operation */
	double	base;		/* median, per operation */
	double	ratio;		/* median of the per-repetition ratios */
};

/* A figure whose ratio is the median of per-repetition ratios. */
static void
row_pair(const char *what, const struct pair *p, const char *unit,
    double limit)
{
	row(what, p->model, p->base, p->ratio, unit, limit);
}

static void
pair_set(struct pair *p, const double *model, const double *base,
    int reps)
{
	double ratio[64];

	for (int r = 0; r < reps; r++)
		ratio[r] = model[r] / base[r];
	p->ratio = median(ratio, reps);
	p->model = median(model, reps);
	p->base = median(base, reps);
}

/*
 * A figure judged against an absolute LIMIT (PASS if v < limit, or
 * v <= limit when INCLUSIVE), with a baseline for context.
 */
static void
row_abs(const char *what, double v, double base, const char *unit,
    double limit, bool inclusive)
{
	char target[16];
	bool ok = inclusive ? v <= limit : v < limit;

	snprintf(target, sizeof(target), "%s %s", inclusive ? "<=" : "<",
	    fmt(limit, unit));
	printf("%-46s %11s %11s %6.2fx %10s  %s\n", what, fmt(v, unit),
	    fmt(base, unit), v / base, target, ok ? "PASS" : "FAIL");
	if (ok)
		npass++;
	else
		nfail++;
	fflush(stdout);
}

/* A target that could not be measured counts as missed. */
static void
row_fail(const char *what, const char *why)
{
	printf("%-46s %11s %11s %7s %10s  FAIL\n", what, why, "", "", "");
	nfail++;
	fflush(stdout);
}

static void
note(const char *fmt_, ...) __attribute__((format(printf, 1, 2)));

static void
note(const char *fmt_, ...)
{
	va_list ap;

	printf("   ");
	va_start(ap, fmt_);
	vprintf(fmt_, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void __attribute__((noreturn))
die(const char *what, long code)
{
	fprintf(stderr, "bench: %s (%ld)\n", what, code);
	exit(2);
}

/* ---- the read path ------------------------------------------------------ */

/* The default configuration: 4 KiB sectors, 2 mirrors, CRC-32C. */
static struct fs *
new_fs(uint64_t size, uint64_t max_extent)
{
	struct fs_config cfg = {
		.sectorsize = PAGE, .mirrors = 2, .size = size,
		.max_extent = max_extent, .alloc_align = 0, .workers = 1,
		.csum = CSUM_CRC32C, .quirks = 0, .seed = 1
	};
	struct fs *fs;
	int err;

	if ((fs = fs_new(&cfg, &err)) == NULL)
		die("fs_new", err);
	return fs;
}

/*
 * One file of SIZE bytes in one write, generated (FILL < 0) or all FILL;
 * mirror 1 corrupt (one bit flipped per sector) if asked.
 */
static struct fs *
readpath_fs(uint64_t size, int fill, bool corrupt, uint32_t *ino)
{
	struct fs *fs = new_fs(2 * size + GIB, UINT64_MAX);
	int r;

	*ino = fs_create(fs, false);
	if ((r = fs_write(fs, *ino, 0, size, fill, 0)) != 0)
		die("fs_write", r);
	if (corrupt && (r = fault_corrupt_file(fs, *ino, 0, size, 1, -1)) != 0)
		die("fs_corrupt_file", r);
	return fs;
}

/*
 * The model's read of NPAGES pages from offset 0 with cold caches: every
 * page goes to a device and is verified.  PIN is the mirror= of the read.
 */
static __attribute__((noinline)) int
cg_read_pages(struct fs *fs, uint32_t ino, uint64_t npages, int pin,
    struct fs_read_result *res)
{
	return fs_read(fs, ino, 0, npages * PAGE, pin, false, res);
}

/*
 * The true floor (floor.h): NPAGES pages made (FILL < 0: generated, else
 * all FILL) and CRC-32C'd, with nothing of the model.
 */
static __attribute__((noinline)) uint32_t
cg_floor_pages(int fill, uint64_t npages)
{
	static uint8_t buf[PAGE] __attribute__((aligned(64)));
	uint32_t acc = 0;

	for (uint64_t i = 0; i < npages; i++) {
		acc ^= fill < 0 ? floor_gen_page(buf, i) :
		    floor_fill_page(buf, fill);
		BARRIER();
	}
	return acc;
}

/*
 * The floor of the earlier benches: the file's own bytes (the generated
 * value BASE of file offset 0, advanced to offsets 0, 4K, ...) made by the
 * model's content generator, content_materialize(), and checksummed by
 * csum_crc32c().  Kept beside the true floor so that the change shows.
 */
static __attribute__((noinline)) uint32_t
cg_old_floor_pages(const struct imap_val *base, uint64_t npages)
{
	static uint8_t buf[PAGE] __attribute__((aligned(64)));
	uint32_t acc = 0;

	for (uint64_t i = 0; i < npages; i++) {
		struct imap_val v = *base;

		if (v.kind & IMAP_SHIFT)
			v.b += i * PAGE;
		content_materialize(&v, i * PAGE, PAGE, PAGE, buf);
		acc ^= csum_crc32c(buf, PAGE);
		BARRIER();
	}
	return acc;
}

/* Time one cold read of the whole file; checks what it did. */
static double
time_read(struct fs *fs, uint32_t ino, uint64_t npages, int pin,
    bool corrupt)
{
	struct fs_read_result res;
	uint64_t t0, t1;
	int r;

	fs_drop_caches(fs, 3);
	fs_trace_clear(fs);
	t0 = now_ns();
	r = cg_read_pages(fs, ino, npages, pin, &res);
	t1 = now_ns();
	if (r != 0 || res.bytes != npages * PAGE ||
	    res.device_pages != npages || (corrupt && res.retries == 0) ||
	    (!corrupt && res.retries != 0))
		die("the read did not behave as expected", r);
	return (double)(t1 - t0);
}

static double
time_floor(int fill, uint64_t npages)
{
	uint64_t t0 = now_ns();

	sink += cg_floor_pages(fill, npages);
	return (double)(now_ns() - t0);
}

static double
time_old_floor(const struct imap_val *base, uint64_t npages)
{
	uint64_t t0 = now_ns();

	sink += cg_old_floor_pages(base, npages);
	return (double)(now_ns() - t0);
}

/*
 * The value at file offset 0 of the one-write file, which the old floor
 * generates from.  It must make the very bytes the file holds: compare
 * its first pages with the file's contents as the model's oracle has
 * them.
 */
static struct imap_val
floor_base(struct fs *fs, uint32_t ino)
{
	static uint8_t want[PAGE], got[PAGE];
	const struct imap *data = inode_data(fs, fs_inode(fs, ino));
	const struct imap_ent *e = imap_first(data);

	if (e == NULL || e->start != 0)
		die("the file is not one run", 0);
	for (uint64_t i = 0; i < 4; i++) {
		struct imap_val v = e->v;

		if (v.kind & IMAP_SHIFT)
			v.b += i * PAGE;
		content_read_map(data, i * PAGE, PAGE, PAGE, want);
		content_materialize(&v, i * PAGE, PAGE, PAGE, got);
		if (memcmp(want, got, PAGE) != 0)
			die("the old floor does not make the file's bytes",
			    (long)i);
	}
	return e->v;
}

/* A read figure: the model, the true floor and the old one, ms each. */
struct read_fig {
	struct pair	p;		/* the model against the true floor */
	double		old;		/* median of the old floor */
	double		old_ratio;	/* median model / old floor */
};

/*
 * Model and floors side by side, rotating which goes first; ns for the
 * whole file, medians of REPS.
 */
static void
measure_read(int reps, uint64_t size, int fill, bool corrupt, int pin,
    struct read_fig *fig)
{
	uint64_t npages = size / PAGE;
	uint32_t ino;
	struct fs *fs = readpath_fs(size, fill, corrupt, &ino);
	double s[64], f[64], o[64], r[64];
	struct imap_val base = floor_base(fs, ino);

	time_read(fs, ino, npages, pin, corrupt);	/* warm-up */
	time_floor(fill, npages);
	time_old_floor(&base, npages);
	for (int i = 0; i < reps; i++) {
		switch (i % 3) {
		case 0:
			s[i] = time_read(fs, ino, npages, pin, corrupt);
			f[i] = time_floor(fill, npages);
			o[i] = time_old_floor(&base, npages);
			break;
		case 1:
			f[i] = time_floor(fill, npages);
			o[i] = time_old_floor(&base, npages);
			s[i] = time_read(fs, ino, npages, pin, corrupt);
			break;
		default:
			o[i] = time_old_floor(&base, npages);
			s[i] = time_read(fs, ino, npages, pin, corrupt);
			f[i] = time_floor(fill, npages);
			break;
		}
		s[i] /= 1e6;
		f[i] /= 1e6;
		o[i] /= 1e6;
		r[i] = s[i] / o[i];
	}
	pair_set(&fig->p, s, f, reps);
	fig->old = median(o, reps);
	fig->old_ratio = median(r, reps);
	fs_free(fs);
}

/* The note under a read figure: per page, and the old floor's ratio. */
static void
read_note(const struct read_fig *fig, double np, const char *bios)
{
	note("per page: model %.0f ns, true floor %.0f ns; old floor %.0f "
	    "ns (model %.2fx)%s%s", fig->p.model * 1e6 / np,
	    fig->p.base * 1e6 / np, fig->old * 1e6 / np, fig->old_ratio,
	    bios ? "; " : "", bios ? bios : "");
}

static void
bench_read(const struct opts *o)
{
	uint64_t size = o->quick ? 256 * MIB : GIB;
	double np = (double)(size / PAGE);
	struct read_fig fig;
	char what[64];
	const char *sz = o->quick ? "256 MiB" : "1 GiB";

	header("read path: 4 KiB pages, CRC-32C verified, sequential, cold; "
	    "baseline: the true floor (bench/floor.h)");
	snprintf(what, sizeof(what), "read %s generated, no faults", sz);
	measure_read(o->reps, size, -1, false, 0, &fig);
	row_pair(what, &fig.p, "ms", 4.0);
	read_note(&fig, np, NULL);

	snprintf(what, sizeof(what), "read %s fill, no faults", sz);
	measure_read(o->reps, size, 0x5a, false, 0, &fig);
	row_pair(what, &fig.p, "ms", 3.0);
	read_note(&fig, np, "floor: memset + crc32c");

	snprintf(what, sizeof(what), "read %s, mirror 1 of 2 all corrupt", sz);
	measure_read(o->reps, size, -1, true, 0, &fig);
	row_pair(what, &fig.p, "ms", 5.0);
	read_note(&fig, np, "the default mirror choice alternates: 2 bios "
	    "per page on average");

	snprintf(what, sizeof(what), "  same, read pinned to mirror=1");
	measure_read(o->reps < 3 ? o->reps : 3, size, -1, true, 1, &fig);
	row_pair(what, &fig.p, "ms", 0);
	read_note(&fig, np, "3 bios per page: mirror 1, retry mirror 1, "
	    "retry mirror 2");
}

/*
 * `readpages N clean|fill|corrupt|pinned`: one cold read, for
 * callgrind.
 */
static int
mode_readpages(uint64_t npages, const char *kind)
{
	bool corrupt = strcmp(kind, "corrupt") == 0 ||
	    strcmp(kind, "pinned") == 0;
	int pin = strcmp(kind, "pinned") == 0 ? 1 : 0;
	int fill = strcmp(kind, "fill") == 0 ? 0x5a : -1;
	uint32_t ino;
	struct fs *fs = readpath_fs(npages * PAGE, fill, corrupt, &ino);

	time_read(fs, ino, npages, pin, corrupt);
	fs_free(fs);
	return 0;
}

/* `floorpages N gen|fill|old`: one pass of a floor, for callgrind. */
static int
mode_floorpages(uint64_t npages, const char *kind)
{
	struct imap_val first = content_gen(1, 0);	/* fs's 1st write */

	if (strcmp(kind, "old") == 0)
		sink += cg_old_floor_pages(&first, npages);
	else
		sink += cg_floor_pages(strcmp(kind, "fill") == 0 ? 0x5a : -1,
		    npages);
	return 0;
}

/* ---- the extent map cache against a bare red-black tree ----------------- */

/* The bare tree: the same extent fields, nothing else. */
struct bare {
	RB_ENTRY(bare)	node;
	uint64_t	start;
	uint64_t	len;
	uint64_t	block_start;
};

RB_HEAD(bare_rb, bare);

static int
bare_cmp(struct bare *a, struct bare *b)
{
	return a->start < b->start ? -1 : a->start > b->start;
}

RB_GENERATE_INTERNAL(bare_rb, bare, node, bare_cmp,
    __attribute__((__unused__)) static)

/* The extents: laid end to end, never physically contiguous (no merges). */
struct extents {
	size_t		 n;
	uint64_t	*start;
	uint64_t	*len;
	uint64_t	*block;
	uint64_t	 total;		/* bytes covered */
};

static void
extents_make(struct extents *x, size_t n, struct rng *rng)
{
	uint64_t at = 0;

	x->n = n;
	x->start = malloc(n * sizeof(uint64_t));
	x->len = malloc(n * sizeof(uint64_t));
	x->block = malloc(n * sizeof(uint64_t));
	for (size_t i = 0; i < n; i++) {
		x->start[i] = at;
		x->len[i] = (1 + rng_below(rng, 32)) * PAGE;	/* 4..128 KiB */
		x->block[i] = FS_DATA_BASE + at + i * PAGE;	/* a gap each */
		at += x->len[i];
	}
	x->total = at;
}

static void
extents_free(struct extents *x)
{
	free(x->start);
	free(x->len);
	free(x->block);
}

static void
shuffle(size_t *perm, size_t n, struct rng *rng)
{
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)rng_below(rng, i + 1), t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
}

static __attribute__((noinline)) struct bare *
bare_find(struct bare_rb *root, uint64_t pos)
{
	struct bare *n = RB_ROOT(root);

	while (n != NULL) {
		if (pos < n->start)
			n = RB_LEFT(n, node);
		else if (pos >= n->start + n->len)
			n = RB_RIGHT(n, node);
		else
			return n;
	}
	return NULL;
}

/* The node meeting [s, e), if any: the one holding s, else the first after. */
static __attribute__((noinline)) struct bare *
bare_find_range(struct bare_rb *root, uint64_t s, uint64_t e)
{
	struct bare *n = RB_ROOT(root), *succ = NULL;

	while (n != NULL) {
		if (s < n->start) {
			succ = n;
			n = RB_LEFT(n, node);
		} else if (s >= n->start + n->len)
			n = RB_RIGHT(n, node);
		else
			return n;
	}
	return succ != NULL && succ->start < e ? succ : NULL;
}

static __attribute__((noinline)) void
bare_add(struct bare_rb *root, uint64_t start, uint64_t len, uint64_t block)
{
	struct bare *b = malloc(sizeof(*b));

	b->start = start;
	b->len = len;
	b->block_start = block;
	bare_rb_RB_INSERT(root, b);
}

static void
bare_destroy(struct bare_rb *root)
{
	struct bare *n, *next;

	for (n = RB_MIN(bare_rb, root); n != NULL; n = next) {
		next = RB_NEXT(bare_rb, root, n);
		bare_rb_RB_REMOVE(root, n);
		free(n);
	}
}

/*
 * Drop [s, e) the way the 2008 code does it, on the bare tree: remove
 * every node meeting the range and insert its head and tail remnants.
 */
static void
bare_drop(struct bare_rb *root, uint64_t s, uint64_t e)
{
	struct bare *n;

	while ((n = bare_find_range(root, s, e)) != NULL) {
		bare_rb_RB_REMOVE(root, n);
		if (n->start < s)
			bare_add(root, n->start, s - n->start, n->block_start);
		if (n->start + n->len > e)
			bare_add(root, e, n->start + n->len - e,
			    n->block_start + (e - n->start));
		free(n);
	}
}

/* The cheapest split: shrink the node to its head, insert the tail. */
static void
bare_drop_inplace(struct bare_rb *root, uint64_t s, uint64_t e)
{
	struct bare *n = bare_find_range(root, s, e);
	uint64_t end = n->start + n->len;

	n->len = s - n->start;
	bare_add(root, e, end - e, n->block_start + (e - n->start));
}

struct em_times {
	struct pair	ins;		/* ns per insert, allocation included */
	struct pair	look;		/* ns per random lookup */
	struct pair	drop;		/* ns per drop with a split */
	struct pair	inplace;	/* the drop against an in-place split */
	double		bytes_em;	/* heap bytes per map */
	double		bytes_bare;
};

static double
heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return (double)mi.uordblks;
}

/* The smaller of a block end and a limit. */
static size_t
block_end(size_t i, size_t block, size_t n)
{
	return i + block < n ? i + block : n;
}

/*
 * The operations of one repetition, each a block of the model's work
 * followed by the same block on the bare tree (or the other way round),
 * so that both see the same machine.  Blocks are small enough that a
 * burst of load elsewhere hits both sides alike.
 */
#define EM_BLOCK	4096

static void
em_insert_block(struct em_tree *tree, const struct extents *x,
    const size_t *perm, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		size_t k = perm[i];

		if (em_add(tree, em_alloc(x->start[k], x->len[k],
		    x->block[k])) != 0)
			die("em_add", (long)k);
	}
}

static void
bare_insert_block(struct bare_rb *root, const struct extents *x,
    const size_t *perm, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		size_t k = perm[i];

		bare_add(root, x->start[k], x->len[k], x->block[k]);
	}
}

static uint64_t
em_lookup_block(struct em_tree *tree, const uint64_t *q, size_t from,
    size_t to)
{
	uint64_t acc = 0;

	for (size_t i = from; i < to; i++) {
		acc += em_lookup(tree, q[i], PAGE)->block_start;
		BARRIER();
	}
	return acc;
}

static uint64_t
bare_lookup_block(struct bare_rb *root, const uint64_t *q, size_t from,
    size_t to)
{
	uint64_t acc = 0;

	for (size_t i = from; i < to; i++) {
		acc += bare_find(root, q[i])->block_start;
		BARRIER();
	}
	return acc;
}

/* The same tree content on both sides, map for map. */
static void
em_same_as_bare(struct em_tree *tree, struct bare_rb *root)
{
	const char *why;

	if (em_check(tree, &why) != 0)
		die(why, 0);
	for (struct em_map *em = em_first(tree); em != NULL;
	    em = em_next(tree, em)) {
		struct bare *b = bare_find(root, em->start);

		if (b == NULL || b->start != em->start || b->len != em->len ||
		    b->block_start != em->block_start)
			die("em and the bare tree differ", 0);
	}
}

/* Everything the extent-map figures need, for N maps. */
static void
measure_em(const struct opts *o, size_t n, struct em_times *t)
{
	struct rng rng;
	struct extents x;
	size_t *perm = malloc(n * sizeof(*perm));
	size_t nq = n >= 1000000 ? 1u << 18 : 1u << 20;
	size_t nd = n / 16 < (1u << 16) ? n / 16 : (1u << 16);
	uint64_t *q = malloc(nq * sizeof(*q));
	uint64_t *dq = malloc(nd * sizeof(*dq));
	double v[8][64];
	int reps = n >= 1000000 ? (o->reps < 5 ? o->reps : 5) : o->reps;
	double h0;

	rng_seed(&rng, 20080415);
	extents_make(&x, n, &rng);
	for (size_t i = 0; i < nq; i++)
		q[i] = rng_below(&rng, x.total / PAGE) * PAGE;
	for (size_t i = 0; i < n; i++)
		perm[i] = i;

	/* Heap per map, each tree built alone. */
	{
		struct em_tree tree;
		struct bare_rb root;

		em_tree_init(&tree);
		RB_INIT(&root);
		h0 = heap_in_use();
		em_insert_block(&tree, &x, perm, 0, n);
		t->bytes_em = (heap_in_use() - h0) / (double)n;
		em_tree_destroy(&tree);
		h0 = heap_in_use();
		bare_insert_block(&root, &x, perm, 0, n);
		t->bytes_bare = (heap_in_use() - h0) / (double)n;
		bare_destroy(&root);
	}

	for (int r = 0; r < reps; r++) {
		struct em_tree tree;
		struct bare_rb root;
		uint64_t t0, acc = 0;
		double te = 0, tb = 0;
		size_t nv = 0;

		/*
		 * Inserts in a fresh random order (the branch predictor must
		 * not learn it), both trees growing block by block.
		 */
		shuffle(perm, n, &rng);
		em_tree_init(&tree);
		RB_INIT(&root);
		for (size_t i = 0; i < n; i += EM_BLOCK) {
			size_t j = block_end(i, EM_BLOCK, n);

			t0 = now_ns();
			em_insert_block(&tree, &x, perm, i, j);
			te += (double)(now_ns() - t0);
			t0 = now_ns();
			bare_insert_block(&root, &x, perm, i, j);
			tb += (double)(now_ns() - t0);
		}
		v[0][r] = te / (double)n;
		v[1][r] = tb / (double)n;
		if (tree.count != n || tree.merges != 0)
			die("the extent maps merged", (long)tree.merges);

		/* Random lookups, independent of one another. */
		te = tb = 0;
		for (size_t i = 0; i < nq; i += EM_BLOCK * 4) {
			size_t j = block_end(i, EM_BLOCK * 4, nq);

			t0 = now_ns();
			acc += em_lookup_block(&tree, q, i, j);
			te += (double)(now_ns() - t0);
			t0 = now_ns();
			acc -= bare_lookup_block(&root, q, i, j);
			tb += (double)(now_ns() - t0);
		}
		v[2][r] = te / (double)nq;
		v[3][r] = tb / (double)nq;
		if (acc != 0)
			die("em_lookup and the bare tree disagree", 0);

		/* Drops of one interior page of distinct maps of >= 3 pages. */
		shuffle(perm, n, &rng);
		for (size_t i = 0; i < n && nv < nd; i++) {
			size_t k = perm[i];
			uint64_t pages = x.len[k] / PAGE;

			if (pages >= 3)
				dq[nv++] = x.start[k] +
				    (1 + rng_below(&rng, pages - 2)) * PAGE;
		}
		te = tb = 0;
		for (size_t i = 0; i < nv; i += EM_BLOCK / 4) {
			size_t j = block_end(i, EM_BLOCK / 4, nv);

			t0 = now_ns();
			for (size_t k = i; k < j; k++)
				if (em_drop_cache(&tree, dq[k],
				    dq[k] + PAGE - 1, false) != 0)
					die("em_drop_cache", (long)k);
			te += (double)(now_ns() - t0);
			t0 = now_ns();
			for (size_t k = i; k < j; k++)
				bare_drop(&root, dq[k], dq[k] + PAGE);
			tb += (double)(now_ns() - t0);
		}
		v[4][r] = te / (double)nv;
		v[5][r] = tb / (double)nv;
		if (tree.count != n + nv)
			die("em_drop_cache did not split", (long)tree.count);
		if (r == 0)
			em_same_as_bare(&tree, &root);
		bare_destroy(&root);

		/* The same drops as an in-place split, against the model's. */
		RB_INIT(&root);
		bare_insert_block(&root, &x, perm, 0, n);
		tb = 0;
		for (size_t i = 0; i < nv; i += EM_BLOCK / 4) {
			size_t j = block_end(i, EM_BLOCK / 4, nv);

			t0 = now_ns();
			for (size_t k = i; k < j; k++)
				bare_drop_inplace(&root, dq[k], dq[k] + PAGE);
			tb += (double)(now_ns() - t0);
		}
		v[6][r] = tb / (double)nv;
		em_tree_destroy(&tree);
		bare_destroy(&root);
		sink += acc;
	}
	pair_set(&t->ins, v[0], v[1], reps);
	pair_set(&t->look, v[2], v[3], reps);
	pair_set(&t->drop, v[4], v[5], reps);
	pair_set(&t->inplace, v[4], v[6], reps);
	extents_free(&x);
	free(perm);
	free(q);
	free(dq);
}

static void
bench_em(const struct opts *o)
{
	size_t sizes[] = { 100000, 1000000 };
	const char *names[] = { "1e5", "1e6" };

	header("extent map cache (sim/em.c) vs bare <bsd/sys/tree.h> RB tree");
	for (size_t i = 0; i < (o->quick ? 1 : 2); i++) {
		struct em_times t;
		char what[64];

		measure_em(o, sizes[i], &t);
		snprintf(what, sizeof(what), "random lookup, %s maps",
		    names[i]);
		row_pair(what, &t.look, "ns", 1.3);
		snprintf(what, sizeof(what), "insert (random order, alloc), %s "
		    "maps", names[i]);
		row_pair(what, &t.ins, "ns", 1.5);
		snprintf(what, sizeof(what), "drop 4 KiB inside a map (split), "
		    "%s", names[i]);
		row_pair(what, &t.drop, "ns", 1.5);
		row_pair("  same vs in-place split (1 insert)", &t.inplace,
		    "ns", 0);
		snprintf(what, sizeof(what), "heap per cached map, %s maps",
		    names[i]);
		row_abs(what, t.bytes_em, t.bytes_bare, "B", 96, true);
	}
	note("sizeof(struct em_map) = %zu B, bare node = %zu B; heap bytes "
	    "from mallinfo2().uordblks", sizeof(struct em_map),
	    sizeof(struct bare));
}

/* ---- memory independent of simulated bytes (child processes) ------------ */

/*
 * Spawn PATH with ARGV; QUIET sends its stdout and stderr to /dev/null;
 * REPORT_FD >= 0 becomes the child's descriptor 3 (see report_hwm).
 */
static pid_t
spawn(const char *path, char *const argv[], bool quiet, int report_fd)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int r;

	posix_spawn_file_actions_init(&fa);
	if (report_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, report_fd, 3);
	if (quiet) {
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null",
		    O_WRONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null",
		    O_WRONLY, 0);
	}
	fflush(stdout);
	r = posix_spawn(&pid, path, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0) {
		fprintf(stderr, "bench: cannot run %s: %s\n", path,
		    strerror(r));
		return -1;
	}
	return pid;
}

struct child {
	int	status;		/* wait status */
	double	wall_ms;
	double	cpu_ms;		/* user + system */
	double	rss_mib;	/* peak resident set, or -1 if not reported */
};

/*
 * Run a program and wait for it.  With HWM, the program is one of our
 * child modes and reports its own peak RSS on descriptor 3: the
 * ru_maxrss that wait4() returns would include the parent's, because
 * the child runs in the parent's memory until it execs.
 */
static int
run_child(const char *path, char *const argv[], bool quiet, bool hwm,
    struct child *c)
{
	struct rusage ru;
	uint64_t t0 = wall_ns();
	int fds[2] = { -1, -1 };
	pid_t pid;
	char buf[64];
	ssize_t n;

	if (hwm && pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	pid = spawn(path, argv, quiet, fds[1]);
	if (hwm)
		close(fds[1]);
	if (pid < 0 || wait4(pid, &c->status, 0, &ru) != pid) {
		if (hwm)
			close(fds[0]);
		return -1;
	}
	c->wall_ms = (double)(wall_ns() - t0) / 1e6;
	c->cpu_ms = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	c->rss_mib = -1;
	if (hwm) {
		n = read(fds[0], buf, sizeof(buf) - 1);
		close(fds[0]);
		if (n > 0) {
			buf[n] = '\0';
			c->rss_mib = strtod(buf, NULL) / 1024.0;
		}
	}
	return 0;
}

/*
 * A child mode's last act: write its peak RSS (VmHWM, KiB) to descriptor
 * 3 if the parent opened it; returns STATUS.
 */
static int
report_hwm(int status)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long long kib = 0;

	if (f == NULL)
		return status;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmHWM: %llu kB", &kib) == 1)
			break;
	fclose(f);
	if (fcntl(3, F_GETFD) != -1)
		dprintf(3, "%llu\n", kib);
	return status;
}

static bool
child_ok(const struct child *c)
{
	return WIFEXITED(c->status) && WEXITSTATUS(c->status) == 0;
}

/* Interval-map entries of every map the fs owns, for the notes. */
static size_t
fs_entries(struct fs *fs, size_t *items, size_t *maps)
{
	const struct alloc *al = fs_alloc(fs);
	size_t n = al->free.count + al->extents.count;

	*items = *maps = 0;
	for (int k = 1; k <= FS_MAX_MIRRORS; k++) {
		const struct mirror *m = dev_mirror(fs, fs_dev(fs), k);

		n += m->content.count + m->corrupt.count + m->ioerr.count;
	}
	for (uint32_t ino = 1; ino <= fs_ninodes(fs); ino++) {
		struct fs_inode *ip = fs_inode(fs, ino);

		n += pcache_map(inode_pages(fs, ip))->count +
		    inode_csums(fs, ip)->count + inode_data(fs, ip)->count +
		    inode_failrec(fs, ip)->count;
		*items += inode_items(fs, ip)->count;
		*maps += inode_em(fs, ip)->count;
	}
	return n;
}

/* `mem-tib`: 1 TiB in 128 MiB writes on a 16 TiB fs, then reads. */
static int
mode_mem_tib(void)
{
	struct fs *fs = new_fs(16 * TIB, 128 * MIB);
	struct fs_read_result res;
	uint32_t ino = fs_create(fs, false);
	size_t items, maps, ents;
	int r;

	for (uint64_t off = 0; off < TIB; off += 128 * MIB)
		if ((r = fs_write(fs, ino, off, 128 * MIB, -1, 0)) != 0)
			die("fs_write", r);
	fs_drop_caches(fs, 3);
	for (uint64_t off = 0; off < TIB; off += 128 * MIB) {
		fs_trace_clear(fs);
		if ((r = fs_read(fs, ino, off + 64 * MIB, PAGE, 0, true,
		    &res)) != 0 || !res.intact)
			die("fs_read", r);
	}
	if ((r = fault_corrupt_file(fs, ino, 0, 256 * MIB, 1, -1)) != 0)
		die("fs_corrupt_file", r);
	fs_drop_caches(fs, 1);
	fs_trace_clear(fs);
	if ((r = fs_read(fs, ino, 0, 256 * MIB, 0, false, &res)) != 0)
		die("fs_read", r);
	ents = fs_entries(fs, &items, &maps);
	printf("   child: %zu file extent items, %zu cached maps, %zu "
	    "interval-map entries\n", items, maps, ents);
	fs_free(fs);
	return 0;
}

/* CPU seconds this process has used. */
static double
cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define ITEMS_N		1000000
#define ITEMS_BLOCK	4096
#define ITEMS_CPU_LIMIT	30.0	/* seconds: give up, the cost is growing */

/*
 * `mem-items [fill]`: 1e6 file extent items from 1e6 appended 4 KiB
 * writes, each written back at once.  Reports the cost per write of the
 * first and the last block of writes; gives up (exit 3) when the writes
 * have used ITEMS_CPU_LIMIT seconds, which only happens when their cost
 * grows with the number of writes already made.
 */
static int
mode_mem_items(int fill)
{
	struct fs *fs = new_fs(8 * GIB, UINT64_MAX);
	uint32_t ino = fs_create(fs, false);
	size_t items, maps, ents;
	double t0 = cpu_seconds(), tb = t0, first = 0, last = 0;
	int r;

	for (uint64_t i = 0; i < ITEMS_N; i++) {
		if ((r = fs_write(fs, ino, i * PAGE, PAGE, fill, 0)) != 0)
			die("fs_write", r);
		if ((i + 1) % ITEMS_BLOCK != 0)
			continue;
		last = (cpu_seconds() - tb) / ITEMS_BLOCK;
		tb = cpu_seconds();
		if (first == 0)
			first = last;
		if (tb - t0 > ITEMS_CPU_LIMIT) {
			printf("   child: gave up after %llu writes and %.0f s "
			    "of CPU: %.1f us per write at first, %.1f us "
			    "now\n", (unsigned long long)i + 1, tb - t0,
			    first * 1e6, last * 1e6);
			return 3;
		}
	}
	ents = fs_entries(fs, &items, &maps);
	if (items != ITEMS_N)
		die("expected 1e6 items", (long)items);
	printf("   child: %zu items, %zu cached maps, %zu interval-map "
	    "entries (%zu B, %zu B per item); %.1f us per write at first, "
	    "%.1f us at the end\n", items, maps, ents,
	    sizeof(struct imap_ent), sizeof(struct fei_item), first * 1e6,
	    last * 1e6);
	printf("   child: heap %.1f MiB in use: %zu items, %zu allocator "
	    "extents, %zu other interval-map entries; %.1f B of heap per "
	    "item or entry\n", heap_in_use() / MIB, items,
	    fs_alloc(fs)->extents.count, ents - fs_alloc(fs)->extents.count,
	    heap_in_use() / (double)(items + ents));
	fs_free(fs);
	return 0;
}

static void
bench_mem(const struct opts *o)
{
	char *idle[] = { (char *)o->self, (char *)"idle", NULL };
	char *tib[] = { (char *)o->self, (char *)"mem-tib", NULL };
	char *items[] = { (char *)o->self, (char *)"mem-items", NULL };
	char *items_fill[] = { (char *)o->self, (char *)"mem-items",
	    (char *)"fill", NULL };
	struct child base, c;

	header("memory independent of simulated bytes (peak RSS of a child)");
	if (run_child(o->self, idle, false, true, &base) != 0 ||
	    !child_ok(&base) || base.rss_mib < 0)
		die("the idle child failed", base.status);
	if (run_child(o->self, tib, false, true, &c) != 0 || !child_ok(&c) ||
	    c.rss_mib < 0)
		die("mem-tib failed", c.status);
	row_abs("1 TiB written in 128 MiB extents, 16 TiB fs", c.rss_mib,
	    base.rss_mib, "MiB", 64, false);
	note("baseline: idle child; %.1f s of CPU (8192 writes, 8192 page "
	    "reads, 256 MiB read with mirror 1 corrupt)", c.cpu_ms / 1e3);
	if (o->quick)
		return;
	if (run_child(o->self, items, false, true, &c) != 0)
		die("mem-items did not start", errno);
	if (WIFEXITED(c.status) && WEXITSTATUS(c.status) == 3)
		row_fail("1e6 file extent items (1e6 4 KiB writes)",
		    "did not finish");
	else if (!child_ok(&c) || c.rss_mib < 0)
		die("mem-items failed", c.status);
	else
		row_abs("1e6 file extent items (1e6 4 KiB writes)", c.rss_mib,
		    base.rss_mib, "MiB", 256, false);
	note("%.1f s of CPU; generated content: each append continues the "
	    "previous write's stream", c.cpu_ms / 1e3);
	if (run_child(o->self, items_fill, false, true, &c) != 0 ||
	    !child_ok(&c) || c.rss_mib < 0)
		die("mem-items fill failed", c.status);
	row_ratio("  same, every write fill=0x5a", c.rss_mib, base.rss_mib,
	    "MiB", 0);
	note("%.1f s of CPU; equal fills merge, so this isolates the items "
	    "and the allocator", c.cpu_ms / 1e3);
}

/* ---- scenarios through the program -------------------------------------- */

/* Spawn statistics of one command: medians over the runs, and the best. */
struct spawn_stat {
	double	wall_ms;	/* median wall time */
	double	cpu_ms;		/* median CPU time (user + system) */
	double	min_ms;		/* fastest wall time */
};

#define SPAWN_MAX	512

/*
 * Spawn each of the N commands ARGVS in turn, RUNS rounds after WARM
 * warm-up rounds, so that a burst of load elsewhere hits them alike.
 */
static void
spawn_compare(char **const argvs[], int n, int warm, int runs,
    struct spawn_stat *st)
{
	static double w[4][SPAWN_MAX], cpu[4][SPAWN_MAX];
	struct child c;

	if (n > 4 || runs > SPAWN_MAX)
		die("spawn_compare: too many", n);
	for (int i = 0; i < warm; i++)
		for (int k = 0; k < n; k++)
			run_child(argvs[k][0], argvs[k], true, false, &c);
	for (int i = 0; i < runs; i++)
		for (int k = 0; k < n; k++) {
			if (run_child(argvs[k][0], argvs[k], true, false,
			    &c) != 0)
				die("spawn failed", errno);
			w[k][i] = c.wall_ms;
			cpu[k][i] = c.cpu_ms;
		}
	for (int k = 0; k < n; k++) {
		st[k].wall_ms = median(w[k], runs);
		st[k].cpu_ms = median(cpu[k], runs);
		st[k].min_ms = w[k][0];
		for (int i = 1; i < runs; i++)
			if (w[k][i] < st[k].min_ms)
				st[k].min_ms = w[k][i];
	}
}

/* Write TEXT to a new file named after TEMPLATE (ending in ".scn"). */
static void
write_temp(char *template, const char *text)
{
	size_t len = strlen(text);
	int fd;

	if ((fd = mkstemps(template, 4)) < 0)
		die("mkstemps", errno);
	if (write(fd, text, len) != (ssize_t)len)
		die("write", errno);
	close(fd);
}

static bool
have_blksim(const struct opts *o, const char *what)
{
	if (o->blksim != NULL && access(o->blksim, X_OK) == 0)
		return true;
	row_fail(what, "no blksim");
	note("give the built program with --blksim=PATH");
	return false;
}

static void
bench_scn(const struct opts *o)
{
	char one[] = "/tmp/bench-one-XXXXXX.scn";
	char history[4096];
	char *run_dir[] = { (char *)o->blksim, (char *)"run", (char *)"-q",
	    (char *)"--guards", (char *)o->scenarios, history, NULL };
	char *run_one[] = { (char *)o->blksim, (char *)"run", one, NULL };
	char *truecmd[] = { (char *)"/bin/true", NULL };
	char *version[] = { (char *)o->blksim, (char *)"--version", NULL };
	char **const cmds[] = { run_one, version, truecmd };
	struct spawn_stat st[3];
	double cpu[16], wall[16];
	struct child c;
	int n = o->reps < 16 ? o->reps : 16;

	header("scenarios through src/blksim (process start included)");
	if (!have_blksim(o, "scenarios"))
		return;
	snprintf(history, sizeof(history), "%s/history", o->scenarios);
	if (access(history, R_OK) != 0)
		run_dir[5] = NULL;
	write_temp(one, "create a\n");

	set_pinned(false);
	run_child(o->blksim, run_dir, true, false, &c);	/* warm-up */
	for (int i = 0; i < n; i++) {
		if (run_child(o->blksim, run_dir, true, false, &c) != 0)
			die("blksim run failed to start", errno);
		cpu[i] = c.cpu_ms;
		wall[i] = c.wall_ms;
	}
	spawn_compare(cmds, 3, 20, 200, st);
	set_pinned(true);
	if (!WIFEXITED(c.status) || WEXITSTATUS(c.status) > 1)
		row_fail("CPU, every bundled scenario, with --guards",
		    "blksim error");
	else
		row_abs("CPU, every bundled scenario, with --guards",
		    median(cpu, n), st[0].cpu_ms, "ms", 1000, false);
	note("`blksim run -q --guards %s%s%s`: wall %.0f ms, exit status %d; "
	    "baseline: CPU of the one-statement run", o->scenarios,
	    run_dir[5] != NULL ? " " : "", run_dir[5] != NULL ? history : "",
	    median(wall, n), WEXITSTATUS(c.status));
	row_abs("wall time, one-statement scenario", st[0].wall_ms,
	    st[2].wall_ms, "ms", 5, false);
	note("baseline: spawning /bin/true (the process-start floor); "
	    "medians of 200 rounds of the three; fastest %.2f ms; "
	    "`blksim --version` %.2f ms", st[0].min_ms, st[1].wall_ms);
	unlink(one);
}

/*
 * The historical retry deadlock (scenarios/history/quirk1-deadlock.scn
 * with retry-get-extent on): schedule=explore must find a deadlocking
 * interleaving; and with the quirk off it must explore every schedule
 * and find none.
 */
static const char explore_scn[] =
    "fs mirrors=2 workers=1\n"
    "quirk retry-get-extent %s\n"
    "create a\n"
    "create b\n"
    "write a 0 128K\n"
    "drop-caches 3\n"
    "read a 0 4K\n"
    "corrupt a 0 4K mirror=1\n"
    "drop-caches 1\n"
    "concurrent schedule=explore\n"
    "  read a 0 4K mirror=1\n"
    "  write b 0 4K\n"
    "end expect %s\n";

/* Run PATH once with its report in a file: did it pass, and not skip? */
static int
explore_outcome(const struct opts *o, const char *path)
{
	char out[] = "/tmp/bench-out-XXXXXX.txt";
	char *argv[] = { (char *)o->blksim, (char *)"run", (char *)path,
	    NULL };
	posix_spawn_file_actions_t fa;
	char buf[4096];
	pid_t pid;
	int fd, status = -1;
	ssize_t len;

	if ((fd = mkstemps(out, 4)) < 0)
		die("mkstemps", errno);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd, 1);
	if (posix_spawn(&pid, o->blksim, &fa, NULL, argv, environ) == 0)
		waitpid(pid, &status, 0);
	posix_spawn_file_actions_destroy(&fa);
	len = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	unlink(out);
	buf[len > 0 ? len : 0] = '\0';
	if (strstr(buf, "SKIP") != NULL)
		return 1;		/* concurrency not built */
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void
bench_explore(const struct opts *o)
{
	char dl[] = "/tmp/bench-deadlock-XXXXXX.scn";
	char nodl[] = "/tmp/bench-nodeadlock-XXXXXX.scn";
	char one[] = "/tmp/bench-one-XXXXXX.scn";
	char text[1024];
	char *run_dl[] = { (char *)o->blksim, (char *)"run", dl, NULL };
	char *run_nodl[] = { (char *)o->blksim, (char *)"run", nodl, NULL };
	char *run_one[] = { (char *)o->blksim, (char *)"run", one, NULL };
	char **const cmds[] = { run_dl, run_nodl, run_one };
	struct spawn_stat st[3];
	int r1, r2;

	header("exploration (concurrent block, schedule=explore)");
	if (!have_blksim(o, "exploration"))
		return;
	snprintf(text, sizeof(text), explore_scn, "on", "deadlock");
	write_temp(dl, text);
	snprintf(text, sizeof(text), explore_scn, "off", "no-deadlock");
	write_temp(nodl, text);
	write_temp(one, "create a\n");
	r1 = explore_outcome(o, dl);
	r2 = explore_outcome(o, nodl);
	if (r1 == 1 || r2 == 1)
		printf("%-46s not built yet\n", "historical deadlock found");
	else if (r1 != 0 || r2 != 0) {
		row_fail("historical deadlock found", "wrong answer");
		note("blksim run %s: %s; %s: %s", dl, r1 ? "failed" : "passed",
		    nodl, r2 ? "failed" : "passed");
	} else {
		set_pinned(false);
		spawn_compare(cmds, 3, 5, 50, st);
		set_pinned(true);
		row_abs("historical deadlock found (quirk 1 on)",
		    st[0].wall_ms, st[2].wall_ms, "ms", 1000, false);
		note("CPU %.1f ms; blksim-quirks(7): found in well under a second; "
		    "baseline: the one-statement scenario", st[0].cpu_ms);
		row_abs("every schedule explored, none deadlocks (off)",
		    st[1].wall_ms, st[2].wall_ms, "ms", 1000, false);
		note("CPU %.1f ms; medians of 50 rounds, process start "
		    "included", st[1].cpu_ms);
	}
	unlink(dl);
	unlink(nodl);
	unlink(one);
}

/* ---- growth with extents and file size ---------------------------------- */

/*
 * A file of N extents of 16 KiB that are never contiguous on disk: each
 * append to A is followed by a 4 KiB append to B, which takes the space
 * right after it.  Every write has the same fill byte, so the content,
 * checksum and mirror maps stay one run each and only items and maps grow.
 */
static struct fs *
scale_extents_fs(uint64_t n, uint32_t *ino)
{
	struct fs *fs = new_fs(n * 40 * KIB + GIB, UINT64_MAX);
	uint32_t b;
	int r;

	*ino = fs_create(fs, false);
	b = fs_create(fs, false);
	for (uint64_t i = 0; i < n; i++) {
		if ((r = fs_write(fs, *ino, i * 16 * KIB, 16 * KIB, 0x5a,
		    0)) != 0 ||
		    (r = fs_write(fs, b, i * PAGE, PAGE, 0x5a, 0)) != 0)
			die("fs_write", r);
	}
	if (inode_em(fs, fs_inode(fs, *ino))->count != n)
		die("the extents merged",
		    (long)inode_em(fs, fs_inode(fs, *ino))->count);
	return fs;
}

/* ns per page: NPAGES single-page reads at random pages of a SIZE file. */
static double
time_random_pages(struct fs *fs, uint32_t ino, uint64_t size, uint64_t npages,
    int drop, struct rng *rng)
{
	struct fs_read_result res;
	uint64_t *at = malloc(npages * sizeof(*at));
	uint64_t t0, t1;

	for (uint64_t i = 0; i < npages; i++)
		at[i] = rng_below(rng, size / PAGE) * PAGE;
	fs_drop_caches(fs, drop);
	t0 = now_ns();
	for (uint64_t i = 0; i < npages; i++) {
		fs_trace_clear(fs);
		if (fs_read(fs, ino, at[i], PAGE, 0, false, &res) != 0)
			die("fs_read", (long)i);
	}
	t1 = now_ns();
	free(at);
	return (double)(t1 - t0) / (double)npages;
}

static double
time_seq_pages(struct fs *fs, uint32_t ino, uint64_t npages)
{
	struct fs_read_result res;
	uint64_t t0;

	fs_drop_caches(fs, 3);
	fs_trace_clear(fs);
	t0 = now_ns();
	if (fs_read(fs, ino, 0, npages * PAGE, 0, false, &res) != 0)
		die("fs_read", 0);
	return (double)(now_ns() - t0) / (double)npages;
}

/* Medians over REPS of the three access patterns. */
static void
scale_point(const struct opts *o, struct fs *fs, uint32_t ino, uint64_t size,
    double out[3])
{
	uint64_t np = 1u << 16;
	double v[3][64];
	struct rng rng;
	int reps = o->reps < 5 ? o->reps : 5;

	rng_seed(&rng, 7);
	if (np > size / PAGE)
		np = size / PAGE;
	for (int r = 0; r < reps; r++) {
		v[0][r] = time_seq_pages(fs, ino, np);
		v[1][r] = time_random_pages(fs, ino, size, np, 3, &rng);
		/* Pages only: the maps the previous run cached stay. */
		v[2][r] = time_random_pages(fs, ino, size, np, 1, &rng);
	}
	for (int k = 0; k < 3; k++)
		out[k] = median(v[k], reps);
}

static void
bench_scale(const struct opts *o)
{
	uint64_t ext[] = { 1000, 10000, 100000, 1000000 };
	uint64_t sizes[] = { GIB, 64 * GIB, 4 * TIB, 64 * TIB };
	const char *snames[] = { "1 GiB", "64 GiB", "4 TiB", "64 TiB" };
	size_t next = o->quick ? 3 : 4;
	double fl;

	printf("\n== growth: ns per 4 KiB page read (medians; no target)\n");
	printf("%-30s %12s %14s %14s\n", "", "sequential", "random, cold",
	    "random, warm");
	printf("%-30s %12s %14s %14s\n", "", "cold caches", "maps", "maps");
	for (size_t i = 0; i < next; i++) {
		uint32_t ino;
		struct fs *fs = scale_extents_fs(ext[i], &ino);
		double t[3];
		char what[64];

		scale_point(o, fs, ino, ext[i] * 16 * KIB, t);
		snprintf(what, sizeof(what), "%llu extents of 16 KiB (fill)",
		    (unsigned long long)ext[i]);
		printf("%-30s %12.0f %14.0f %14.0f\n", what, t[0], t[1], t[2]);
		fflush(stdout);
		fs_free(fs);
	}
	for (size_t i = 0; i < (o->quick ? 2u : 4u); i++) {
		uint32_t ino;
		struct fs *fs = readpath_fs(sizes[i], -1, false, &ino);
		double t[3];
		char what[64];

		scale_point(o, fs, ino, sizes[i], t);
		snprintf(what, sizeof(what), "1 extent, file of %s",
		    snames[i]);
		printf("%-30s %12.0f %14.0f %14.0f\n", what, t[0], t[1], t[2]);
		fflush(stdout);
		fs_free(fs);
	}
	fl = time_floor(-1, 1u << 16) / (double)(1u << 16);
	note("true floor for generated content (bench/floor.h): %.0f ns per "
	    "page; for fill content: %.0f ns", fl,
	    time_floor(0x5a, 1u << 16) / (double)(1u << 16));
}

/* ---- main --------------------------------------------------------------- */

/* The load average: other work on this machine skews wall-clock figures. */
static void
print_load(void)
{
	FILE *f = fopen("/proc/loadavg", "r");
	char line[128];

	if (f == NULL)
		return;
	if (fgets(line, sizeof(line), f) != NULL)
		printf("bench: load average at start: %s", line);
	fclose(f);
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: bench [--quick] [--wall] [--reps=N] [--blksim=PATH] "
	    "[--scenarios=DIR] [SECTION ...]\n"
	    "       sections: read em mem scn scale explore (default: all)\n"
	    "       bench readpages N clean|fill|corrupt|pinned | "
	    "floorpages N gen|fill|old\n");
}

static bool
wanted(int argc, char **argv, const char *section)
{
	if (argc == 0)
		return true;
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], section) == 0)
			return true;
	return false;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "reps", required_argument, NULL, 'r' },
		{ "blksim", required_argument, NULL, 'b' },
		{ "scenarios", required_argument, NULL, 's' },
		{ "wall", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o = { .reps = 7, .quick = false, .blksim = NULL,
	    .scenarios = "scenarios", .self = "/proc/self/exe" };
	static char self[4096];
	ssize_t len;
	int ch, cpu;

	if (argc >= 2 && strcmp(argv[1], "idle") == 0)
		return report_hwm(0);
	if (argc >= 2 && strcmp(argv[1], "mem-tib") == 0)
		return report_hwm(mode_mem_tib());
	if (argc >= 2 && strcmp(argv[1], "mem-items") == 0)
		return report_hwm(mode_mem_items(argc >= 3 ? 0x5a : -1));
	if (argc == 4 && strcmp(argv[1], "readpages") == 0)
		return mode_readpages(strtoull(argv[2], NULL, 0), argv[3]);
	if (argc == 4 && strcmp(argv[1], "floorpages") == 0)
		return mode_floorpages(strtoull(argv[2], NULL, 0), argv[3]);

	while ((ch = getopt_long(argc, argv, "qr:b:s:wh", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'q':
			o.quick = true;
			o.reps = 3;
			break;
		case 'r':
			o.reps = atoi(optarg);
			if (o.reps < 1 || o.reps > 63) {
				usage(stderr);
				return 2;
			}
			break;
		case 'b':
			o.blksim = optarg;
			break;
		case 's':
			o.scenarios = optarg;
			break;
		case 'w':
			bench_clock = CLOCK_MONOTONIC;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if ((len = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[len] = '\0';
		o.self = self;
	}

	cpu = pin_cpu();
	printf("bench: pinned to CPU %d; %d repetitions, medians; %s time%s\n",
	    cpu, o.reps, bench_clock == CLOCK_MONOTONIC ? "wall" :
	    "thread CPU", o.quick ? "; --quick sizes" : "");
	print_load();
	if (wanted(argc, argv, "read"))
		bench_read(&o);
	if (wanted(argc, argv, "em"))
		bench_em(&o);
	if (wanted(argc, argv, "mem"))
		bench_mem(&o);
	if (wanted(argc, argv, "scn"))
		bench_scn(&o);
	if (wanted(argc, argv, "explore"))
		bench_explore(&o);
	if (wanted(argc, argv, "scale"))
		bench_scale(&o);
	printf("\nbench: %d targets met, %d missed\n", npass, nfail);
	return nfail ? 1 : 0;
}
