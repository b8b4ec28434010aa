/*
 * Scrub in Linux 6.4 and later (scrub6.h).
 */
#include <stdlib.h>

#include "alloc.h"
#include "dev.h"
#include "fs.h"
#include "imap.h"
#include "mirror.h"
#include "quirk.h"
#include "range.h"
#include "read6.h"
#include "repair6.h"
#include "scrub6.h"
#include "write6.h"
#include "xmalloc.h"

/* The state of one stripe of one copy, per sector. */
struct stripe {
	uint64_t	 start;		/* logical, SCRUB6_STRIPE aligned */
	uint32_t	 n;		/* sectors in a stripe */
	bool		*has;		/* a sector of an allocated extent */
	bool		*io;		/* initial read: I/O error */
	bool		*csum;		/* initial read: checksum mismatch */
	bool		*bad;		/* still bad */
	struct imap	 good;		/* the repaired sectors' content */
};

/* Collect a copy's content into a map (dev_describe's emit). */
static void
keep_piece(void *arg, uint64_t start, uint64_t end, const struct imap_val *v)
{
	imap_set(arg, start, end, v);
}

/*
 * Read sectors [a, b) of the stripe from copy K, one read: 0 with their
 * content in DATA, or -EIO (an I/O error on any of them).
 */
static int
read_range(struct fs *fs, int k, uint64_t a, uint64_t b, struct imap *data)
{
	struct dev *d = fs_dev(fs);

	fs_emit(fs, TRACE_BIO_SUBMIT, 0, a, 0, (uint64_t)k, TRACE_BIO_SCRUB);
	if (dev_read(fs, d, k, a, b - a, NULL) != 0) {
		fs_emit(fs, TRACE_BIO_DONE, 0, a, 0, (uint64_t)k, 1);
		return -1;
	}
	dev_describe(fs, d, k, a, b, keep_piece, data);
	fs_emit(fs, TRACE_BIO_DONE, 0, a, 0, (uint64_t)k, 0);
	return 0;
}

/* Sector I of the stripe: its logical address. */
static uint64_t
sector_at(const struct fs *fs, const struct stripe *st, uint32_t i)
{
	return st->start + (uint64_t)i * fs_cfg(fs)->sectorsize;
}

/* Has the sector at L a checksum in the csum tree? */
static bool
has_csum(struct fs *fs, uint64_t l)
{
	uint64_t ss = fs_sectorsize(fs);

	return imap_covered(fs_csum_tree(fs), l, l + ss) == ss;
}

/* DATA holds the checksummed bytes of the sector at L (a csum tree copy
 * over it is made on the fly). */
static bool
verified(struct fs *fs, const struct imap *data, uint64_t l)
{
	uint64_t ss = fs_sectorsize(fs);
	const struct imap *tree = fs_csum_tree(fs);
	struct imap want;
	bool ok;

	imap_init(&want);
	for (const struct imap_ent *e = imap_first_from(tree, l);
	    e != NULL && e->start < l + ss; e = imap_next(tree, e)) {
		uint64_t s = e->start > l ? e->start : l;
		uint64_t t = e->end < l + ss ? e->end : l + ss;
		struct imap_val v = imap_val_at(e, s);

		imap_set(&want, s, t, &v);
	}
	ok = repair6_sector_matches(fs, data, &want, l);
	imap_destroy(&want);
	return ok;
}

/* The span of sectors with an extent: [*a, *b) by index; false if none. */
static bool
span(const struct stripe *st, uint32_t *a, uint32_t *b)
{
	*a = *b = 0;
	for (uint32_t i = 0; i < st->n; i++)
		if (st->has[i]) {
			if (*b == 0)
				*a = i;
			*b = i + 1;
		}
	return *b > 0;
}

/*
 * A pass over copy M: the still-bad sectors of [a, b) verified in DATA,
 * read without error; one with no checksum is taken as it is
 * (scrub_verify_one_sector: "we have no other choice but to trust it").
 */
static unsigned
take_good(struct fs *fs, struct stripe *st, const struct imap *data,
    uint32_t a, uint32_t b)
{
	uint64_t ss = fs_sectorsize(fs);
	unsigned left = 0;

	for (uint32_t i = a; i < b; i++) {
		uint64_t l = sector_at(fs, st, i);

		if (!st->bad[i])
			continue;
		if (!has_csum(fs, l) || verified(fs, data, l)) {
			st->bad[i] = false;
			for (const struct imap_ent *e = imap_first_from(data,
			    l); e != NULL && e->start < l + ss;
			    e = imap_next(data, e)) {
				uint64_t s = e->start > l ? e->start : l;
				struct imap_val v = imap_val_at(e, s);

				imap_set(&st->good, s, e->end < l + ss ?
				    e->end : l + ss, &v);
			}
		} else
			left++;
	}
	return left;
}

/* scrub_stripe_read_repair_worker() for copy K of stripe ST. */
static void
scrub_stripe(struct fs *fs, int k, struct stripe *st, bool readonly,
    struct fs_scrub_stats *out)
{
	struct dev *d = fs_dev(fs);
	uint64_t ss = fs_sectorsize(fs);
	uint32_t a, b;
	unsigned left = 0, ioe = 0, cse = 0, fixed = 0;
	struct imap data;
	int m;

	if (!span(st, &a, &b))
		return;
	imap_init(&data);
	imap_init(&st->good);
	if (read_range(fs, k, sector_at(fs, st, a), sector_at(fs, st, b),
	    &data) != 0) {
		for (uint32_t i = a; i < b; i++)
			st->io[i] = st->bad[i] = st->has[i];
	} else
		for (uint32_t i = a; i < b; i++) {
			uint64_t l = sector_at(fs, st, i);

			st->io[i] = false;
			st->csum[i] = st->bad[i] = st->has[i] &&
			    has_csum(fs, l) && !verified(fs, &data, l);
		}
	for (uint32_t i = a; i < b; i++) {
		if (!st->has[i])
			continue;
		out->data_bytes_scrubbed += ss;
		out->no_csum += !has_csum(fs, sector_at(fs, st, i));
		ioe += st->io[i];
		cse += st->csum[i];
		left += st->bad[i];
	}
	/* Pass 1: the whole stripe from each other copy. */
	for (m = read6_next_mirror(fs, k); left > 0 && m != k;
	    m = read6_next_mirror(fs, m)) {
		imap_destroy(&data);
		if (read_range(fs, m, sector_at(fs, st, a),
		    sector_at(fs, st, b), &data) == 0)
			left = take_good(fs, st, &data, a, b);
	}
	/* Pass 2: sector by sector, from every copy, the failed one first. */
	m = k;
	for (int tries = 0; left > 0 && tries < (int)fs_cfg(fs)->mirrors;
	    tries++, m = read6_next_mirror(fs, m))
		for (uint32_t i = a; i < b; i++) {
			if (!st->bad[i])
				continue;
			imap_destroy(&data);
			if (read_range(fs, m, sector_at(fs, st, i),
			    sector_at(fs, st, i) + ss, &data) == 0)
				take_good(fs, st, &data, i, i + 1);
		}
	left = 0;
	for (uint32_t i = a; i < b; i++) {
		bool was = st->io[i] || st->csum[i];

		left += st->bad[i];
		if (!was || st->bad[i])
			continue;
		fixed++;
		if (!readonly || fs_quirk(fs, QUIRK_SCRUB_RO_WRITES))
			write6_copy_sync(fs, 0, 0, k, sector_at(fs, st, i),
			    &st->good, sector_at(fs, st, i),
			    sector_at(fs, st, i) + ss);
	}
	if (fs_quirk(fs, QUIRK_SCRUB_FINAL_COUNTS)) {
		/* The counts of what is still bad: nothing, once repaired. */
		unsigned io_left = 0, cs_left = 0;

		for (uint32_t i = a; i < b; i++)
			if (st->bad[i]) {
				io_left += st->io[i];
				cs_left += !st->io[i];
			}
		out->read_errors += io_left;
		out->csum_errors += cs_left;
	} else {
		out->read_errors += ioe;
		out->csum_errors += cse;
	}
	out->corrected_errors += fixed;
	out->uncorrectable_errors += left;
	dev_stat_add(d, dev_device_of(d, k), DEV_READ_IO_ERRS, ioe);
	dev_stat_add(d, dev_device_of(d, k), DEV_CORRUPTION_ERRS, cse);
	imap_destroy(&data);
	imap_destroy(&st->good);
}

/* Scrub copy K over every allocated extent. */
static void
scrub_copy(struct fs *fs, int k, bool readonly, struct fs_scrub_stats *out)
{
	const struct alloc *al = fs_alloc(fs);
	uint64_t ss = fs_sectorsize(fs), done = 0;
	struct stripe st;

	st.n = SCRUB6_STRIPE > ss ? (uint32_t)(SCRUB6_STRIPE / ss) : 1;
	st.has = xcalloc(st.n, sizeof(*st.has));
	st.io = xcalloc(st.n, sizeof(*st.io));
	st.csum = xcalloc(st.n, sizeof(*st.csum));
	st.bad = xcalloc(st.n, sizeof(*st.bad));
	/* Scrubbing changes no allocation: the walk's entries stay put. */
	for (const struct imap_ent *x = imap_first(&al->extents); x != NULL;
	    x = imap_next(&(al = fs_alloc(fs))->extents, x)) {
		out->data_extents_scrubbed++;
		for (uint64_t s = range_round_down(x->start, SCRUB6_STRIPE);
		    s < x->end; s += SCRUB6_STRIPE) {
			if (s < done)
				continue;	/* a stripe two extents share */
			st.start = s;
			for (uint32_t i = 0; i < st.n; i++) {
				uint64_t l = s + i * ss;
				const struct imap_ent *e =
				    imap_find(&fs_alloc(fs)->extents, l);

				st.has[i] = e != NULL;
				st.io[i] = st.csum[i] = st.bad[i] = false;
			}
			scrub_stripe(fs, k, &st, readonly, out);
			done = s + SCRUB6_STRIPE;
		}
	}
	free(st.has);
	free(st.io);
	free(st.csum);
	free(st.bad);
}

int
scrub6_scrub(struct fs *fs, int devid, bool readonly,
    struct fs_scrub_stats *st)
{
	const struct dev *d = fs_dev(fs);

	for (int dv = 1; dv <= dev_devices(d); dv++) {
		if (devid != 0 && dv != devid)
			continue;
		for (int k = 1; k <= dev_copies(d); k++)
			if (dev_device_of(d, k) == dv)
				scrub_copy(fs, k, readonly, st);
	}
	return 0;
}

/* Copy K holds the sector at L readable and, with a checksum, verified. */
static bool
copy_good(struct fs *fs, int k, uint64_t l)
{
	struct dev *d = fs_dev(fs);
	uint64_t ss = fs_sectorsize(fs);
	struct imap data;
	bool good;

	if (!dev_online(d, k) ||
	    imap_covered(&dev_mirror(fs, d, k)->ioerr, l, l + ss) != 0)
		return false;
	imap_init(&data);
	dev_describe(fs, d, k, l, l + ss, keep_piece, &data);
	good = !has_csum(fs, l) || verified(fs, &data, l);
	imap_destroy(&data);
	return good;
}

bool
scrub6_good_copy(struct fs *fs)
{
	const struct alloc *al = fs_alloc(fs);
	uint64_t ss = fs_sectorsize(fs);

	for (const struct imap_ent *x = imap_first(&al->extents); x != NULL;
	    x = imap_next(&al->extents, x))
		for (uint64_t l = x->start; l < x->end; l += ss) {
			bool good = false;

			for (int k = 1; k <= dev_copies(fs_dev(fs)) && !good;
			    k++)
				good = copy_good(fs, k, l);
			if (!good)
				return false;
		}
	return true;
}
