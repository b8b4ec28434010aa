/*
 * Check suite for the write faults (sim/wfault.h) against a trivial
 * reference model: every copy as a flat byte array with a staleness tag
 * per sector, and the armed faults as a plain list that a write bio
 * walks as DESIGN §6 says.  Random sequences of arming faults (every
 * kind, both forms, counts) and write bios (any copy, any range, with or
 * without an owner) from a fixed-seed PRNG; after each step the model's
 * copies must hold exactly the reference's bytes and staleness, its
 * fault set the reference's faults, and every structure pass its check.
 * Then the random write faults: with safe=yes, no sector of a
 * three-copy device is ever left without an intact copy.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/content.h"
#include "sim/dev.h"
#include "sim/fault.h"
#include "sim/fs.h"
#include "sim/imap.h"
#include "sim/mirror.h"
#include "sim/rng.h"
#include "sim/wfault.h"
#include "tests/unit/suite.h"

#define SS		512u
#define NSECT		48u		/* the area the sequences use */
#define BASE		(1u << 20)	/* the data area's start */
#define COPIES		3
#define MAXF		64

/* The reference: bytes and staleness of every copy, and the faults. */
struct ref {
	uint8_t		bytes[COPIES][NSECT * SS];
	uint8_t		stale[COPIES][NSECT];	/* 0, MIRROR_STALE, ..._MIS.. */
	struct wfault	f[MAXF];
	int		nf;
};

static struct fs *
new_fs(void)
{
	struct fs_config cfg = { .sectorsize = SS, .mirrors = COPIES,
	    .size = 1u << 20, .max_extent = UINT64_MAX, .workers = 1,
	    .csum = CSUM_CRC32C };
	int err;
	struct fs *fs = fs_new(&cfg, &err);

	ck_assert_ptr_nonnull(fs);
	ck_assert_uint_eq(fs_create(fs, false), 1);
	return fs;
}

/* The reference's write bio: DESIGN §6, one sector after another. */
static int
ref_write(struct ref *r, int k, uint32_t l0, uint32_t n, uint32_t ino,
    uint32_t foff, uint8_t byte)
{
	uint8_t plan[NSECT] = { 0 };
	uint64_t arg[NSECT] = { 0 };
	int j = 0;

	for (int i = 0; i < r->nf; i++) {
		struct wfault *f = &r->f[i];
		uint32_t base = f->ino ? foff : l0;
		bool hit = false;

		if (f->copy != k || (f->ino != 0 && f->ino != ino))
			continue;
		for (uint32_t s = 0; s < n; s++) {
			uint64_t at = base + s * SS;

			if (at < f->start || at >= f->end)
				continue;
			hit = true;
			if (f->kind == WFAULT_ERROR || plan[s] != 0)
				continue;
			plan[s] = (uint8_t)(f->kind + 1);
			arg[s] = f->kind == WFAULT_MISDIRECT ?
			    f->arg + (at - f->start) : f->arg;
		}
		if (!hit)
			continue;
		if (f->left != WFAULT_EVERY)
			f->left--;
		if (f->kind == WFAULT_ERROR) {
			for (int m = 0; m < r->nf; m++)
				if (r->f[m].left != 0)
					r->f[j++] = r->f[m];
			r->nf = j;
			for (uint32_t s = 0; s < n; s++)
				r->stale[k - 1][(l0 - BASE) / SS + s] =
				    MIRROR_STALE;
			return -EIO;
		}
	}
	for (int m = 0; m < r->nf; m++)
		if (r->f[m].left != 0)
			r->f[j++] = r->f[m];
	r->nf = j;
	for (uint32_t s = 0; s < n; s++) {
		uint32_t sec = (l0 - BASE) / SS + s;
		uint8_t *b = r->bytes[k - 1] + sec * SS;

		switch (plan[s]) {
		case 0:
			memset(b, byte, SS);
			r->stale[k - 1][sec] = 0;
			continue;
		case WFAULT_TORN + 1:
			memset(b, byte, arg[s]);
			break;
		case WFAULT_MISDIRECT + 1: {
			uint32_t v = (uint32_t)(arg[s] - BASE) / SS;

			memset(r->bytes[k - 1] + v * SS, byte, SS);
			r->stale[k - 1][v] = MIRROR_MISDIRECTED;
			break;
		}
		default:
			break;
		}
		r->stale[k - 1][sec] = MIRROR_STALE;
	}
	return 0;
}

/* The model agrees with the reference, and every structure checks. */
static void
agree(struct fs *fs, const struct ref *r)
{
	struct dev *d = fs_dev(fs);
	const char *why = "";
	uint8_t buf[NSECT * SS];
	struct wfault_set *w = dev_wfaults(fs, d);

	ck_assert_msg(fs_check(fs, &why) == 0, "fs_check: %s", why);
	for (int k = 1; k <= COPIES; k++) {
		const struct mirror *m = dev_mirror(fs, d, k);

		ck_assert_int_eq(dev_read(fs, d, k, BASE, sizeof(buf), buf), 0);
		ck_assert_msg(memcmp(buf, r->bytes[k - 1], sizeof(buf)) == 0,
		    "copy %d bytes differ", k);
		for (uint32_t s = 0; s < NSECT; s++) {
			const struct imap_ent *e = imap_find(&m->stale,
			    BASE + s * SS);

			ck_assert_msg((e ? e->v.kind : 0) ==
			    r->stale[k - 1][s], "copy %d sector %u stale %u, "
			    "want %u", k, s, e ? e->v.kind : 0,
			    r->stale[k - 1][s]);
		}
	}
	ck_assert_uint_eq(w->n, (size_t)r->nf);
	for (int i = 0; i < r->nf; i++) {
		ck_assert_int_eq(w->v[i].kind, r->f[i].kind);
		ck_assert_uint_eq(w->v[i].left, r->f[i].left);
		ck_assert_uint_eq(w->v[i].start, r->f[i].start);
	}
}

/* A random fault of either form over the area, armed in both. */
static void
arm_random(struct fs *fs, struct ref *r, struct rng *g)
{
	uint32_t a = (uint32_t)rng_below(g, NSECT);
	uint32_t n = 1 + (uint32_t)rng_below(g, NSECT - a);
	struct wfault f = { .kind = (enum wfault_kind)rng_below(g,
	    WFAULT_KINDS), .copy = 1 + (int)rng_below(g, COPIES),
	    .left = rng_below(g, 3) };
	bool file = rng_below(g, 2) == 0;

	if (r->nf == MAXF)
		return;
	if (f.kind == WFAULT_TORN)
		f.arg = 1 + rng_below(g, SS - 1);
	if (f.kind == WFAULT_MISDIRECT)
		f.arg = BASE + rng_below(g, NSECT - n + 1) * SS;
	if (file)
		ck_assert_int_eq(fault_write_file(fs, 1, BASE + a * SS, n * SS,
		    &f), 0);
	else
		ck_assert_int_eq(fault_write_logical(fs, BASE + a * SS,
		    n * SS, &f), 0);
	f.ino = file ? 1 : 0;
	f.start = BASE + a * SS;
	f.end = f.start + n * SS;
	if (f.left == 0)
		f.left = WFAULT_EVERY;
	r->f[r->nf++] = f;
}

/* A random write bio; its owner's file offsets run over the area too. */
static void
write_random(struct fs *fs, struct ref *r, struct rng *g)
{
	uint32_t a = (uint32_t)rng_below(g, NSECT);
	uint32_t n = 1 + (uint32_t)rng_below(g, NSECT - a);
	uint32_t o = (uint32_t)rng_below(g, NSECT - n + 1);
	int k = 1 + (int)rng_below(g, COPIES);
	uint8_t byte = (uint8_t)(1 + rng_below(g, 255));
	struct imap src;
	struct imap_val v = content_fill(byte);
	uint32_t ino = rng_below(g, 3) == 0 ? 0 : 1;
	int want, got;

	imap_init(&src);
	imap_set(&src, BASE + a * SS, BASE + (a + n) * SS, &v);
	want = ref_write(r, k, BASE + a * SS, n, ino, BASE + o * SS, byte);
	got = wfault_write(fs, k, BASE + a * SS, &src, BASE + a * SS,
	    BASE + (a + n) * SS, CONTENT_BYTE_MASK, ino ? ino : 2,
	    BASE + o * SS);
	ck_assert_int_eq(got, want);
	imap_destroy(&src);
}

/*
 * Scenario: 40 sequences of 60 random steps (arming and writing), the
 * model and the reference in step.  Writes "owned" by inode 2 meet only
 * the logical-form faults, as an unowned scrub write would.
 */
START_TEST(test_against_reference)
{
	struct rng g;

	rng_seed(&g, 0x5eed);
	for (int seq = 0; seq < 40; seq++) {
		struct fs *fs = new_fs();
		struct ref *r = calloc(1, sizeof(*r));

		ck_assert_int_eq(fs_create(fs, false), 2);
		for (int step = 0; step < 60; step++) {
			if (rng_below(&g, 3) == 0)
				arm_random(fs, r, &g);
			else
				write_random(fs, r, &g);
			agree(fs, r);
		}
		free(r);
		fs_free(fs);
	}
}
END_TEST

/* Scenario: what arming refuses: a torn write keeping a whole sector, a
 * misdirect off a sector boundary or out of the data area, no copy. */
START_TEST(test_arm_errors)
{
	struct fs *fs = new_fs();
	struct wfault torn = { .kind = WFAULT_TORN, .copy = 1, .arg = SS };
	struct wfault mis = { .kind = WFAULT_MISDIRECT, .copy = 1,
	    .arg = BASE + 100 };
	struct wfault lost = { .kind = WFAULT_LOST, .copy = 4 };

	ck_assert_int_eq(fault_write_file(fs, 1, 0, SS, &torn), FS_EINVAL);
	ck_assert_int_eq(fault_write_file(fs, 1, 0, SS, &mis), FS_EINVAL);
	mis.arg = BASE + (1u << 20) - SS;
	ck_assert_int_eq(fault_write_file(fs, 1, 0, 2 * SS, &mis), FS_EINVAL);
	ck_assert_int_eq(fault_write_file(fs, 1, 0, SS, &mis), 0);
	ck_assert_int_eq(fault_write_logical(fs, BASE, SS, &lost), FS_EINVAL);
	ck_assert_int_eq(fault_write_file(fs, 9, 0, SS, &torn), FS_EINVAL);
	ck_assert_uint_eq(dev_wfaults(fs, fs_dev(fs))->n, 1);
	fs_free(fs);
}
END_TEST

/*
 * Scenario: random lost, torn and misdirected writes at a high rate with
 * safe=yes: after every write of a range to the three copies, every
 * sector written so far keeps at least one intact copy holding its last
 * bytes (misdirected victims included).
 */
START_TEST(test_random_safe)
{
	struct fs *fs = new_fs();
	struct dev *d = fs_dev(fs);
	uint8_t last[NSECT] = { 0 };	/* the byte last written, 0: none */
	struct rng g;

	rng_seed(&g, 77);
	ck_assert_int_eq(fault_random(fs, 1, 3, FAULT_LOST | FAULT_TORN |
	    FAULT_MISDIRECT, true), 0);
	for (int step = 0; step < 200; step++) {
		uint32_t a = (uint32_t)rng_below(&g, NSECT);
		uint32_t n = 1 + (uint32_t)rng_below(&g, NSECT - a);
		struct imap src;
		struct imap_val v = content_fill(1 + (unsigned)step % 250);
		uint8_t want[SS];

		imap_init(&src);
		imap_set(&src, BASE + a * SS, BASE + (a + n) * SS, &v);
		for (int k = 1; k <= COPIES; k++)
			ck_assert_int_eq(wfault_write(fs, k, BASE + a * SS,
			    &src, BASE + a * SS, BASE + (a + n) * SS,
			    CONTENT_BYTE_MASK, 1, a * SS), 0);
		imap_destroy(&src);
		for (uint32_t s = a; s < a + n; s++)
			last[s] = (uint8_t)(1 + step % 250);
		for (uint32_t s = 0; s < NSECT; s++) {
			bool good = last[s] == 0;

			memset(want, last[s], SS);
			for (int k = 1; k <= COPIES && !good; k++)
				good = dev_sector_intact(fs, d, k,
				    BASE + s * SS) && dev_sector_good(fs, d, k,
				    BASE + s * SS, SS, want, SS);
			ck_assert_msg(good, "step %d: sector %u has no good "
			    "copy", step, s);
		}
	}
	ck_assert_uint_gt(dev_mirror(fs, d, 1)->stale.count +
	    dev_mirror(fs, d, 2)->stale.count +
	    dev_mirror(fs, d, 3)->stale.count, 0);
	fs_free(fs);
}
END_TEST

/*
 * Scenario: a write inside a longer I/O error that outlives writes (a bad
 * block the drive never remaps) returns and leaves the error whole; one
 * inside an error that a write clears (dm-dust) clears that part alone.
 */
START_TEST(test_write_inside_ioerror)
{
	struct fs *fs = new_fs();
	struct dev *d = fs_dev(fs);
	struct imap src;
	struct imap_val v = content_fill(0x5a);

	imap_init(&src);
	imap_set(&src, BASE + SS, BASE + 2 * SS, &v);
	dev_ioerror(fs, d, 1, BASE, BASE + 4 * SS, MIRROR_IOERR_FOREVER,
	    false);
	dev_ioerror(fs, d, 2, BASE, BASE + 4 * SS, MIRROR_IOERR_FOREVER,
	    true);
	for (int k = 1; k <= 2; k++)
		ck_assert_int_eq(wfault_write(fs, k, BASE + SS, &src,
		    BASE + SS, BASE + 2 * SS, CONTENT_BYTE_MASK, 1, SS), 0);
	ck_assert_uint_eq(imap_covered(&dev_mirror(fs, d, 1)->ioerr, BASE,
	    BASE + 4 * SS), 4 * SS);
	ck_assert_uint_eq(imap_covered(&dev_mirror(fs, d, 2)->ioerr, BASE,
	    BASE + 4 * SS), 3 * SS);
	ck_assert_ptr_null(imap_find(&dev_mirror(fs, d, 2)->ioerr,
	    BASE + SS));
	imap_destroy(&src);
	ck_assert_int_eq(fs_check(fs, &(const char *){ NULL }), 0);
	fs_free(fs);
}
END_TEST

static Suite *
wfault_suite(void)
{
	Suite *s = suite_create("wfault");
	TCase *tc = tcase_create("wfault");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_against_reference);
	tcase_add_test(tc, test_arm_errors);
	tcase_add_test(tc, test_random_safe);
	tcase_add_test(tc, test_write_inside_ioerror);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(wfault_suite)
