/*
 * Faults (fault.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "dev.h"
#include "fault.h"
#include "fei.h"
#include "fs.h"
#include "imap.h"
#include "inode.h"
#include "mirror.h"
#include "range.h"
#include "rng.h"
#include "wfault.h"
#include "xmalloc.h"

static bool
mirror_ok(const struct fs *fs, int mirror)
{
	return mirror >= 1 && mirror <= (int)fs_cfg(fs)->mirrors;
}

typedef void (*range_fn)(struct fs *, int mirror, uint64_t start,
    uint64_t end, const void *arg);

/*
 * Apply FN to the logical ranges backing file range [off, off + len)
 * (rounded out to sectors) on MIRROR, as the items say now.  FS_EINVAL if
 * any part of the range is a hole or has no item.
 */
static int
for_file_range(struct fs *fs, uint32_t ino, uint64_t off, uint64_t len,
    int mirror, range_fn fn, const void *arg)
{
	uint64_t ss = fs_sectorsize(fs);
	struct fs_inode *ip = fs_inode(fs, ino);
	const struct fei_tree *items;
	uint64_t end = off + len < off ? UINT64_MAX : off + len;
	uint64_t s = range_round_down(off, ss), e;

	if (ip == NULL)
		return fs_invalid(fs, "there is no file number %u", ino);
	items = inode_items(fs, ip);
	if (len > UINT64_MAX - off) {
		/* `max`: to the end of the file's last block. */
		end = range_round_up(inode_size(fs, ip), ss);
		if (end <= s)
			return fs_invalid(fs, "the range starts at or past the "
			    "end of the file");
	}
	e = range_round_up(end, ss);
	/* Check first, so that a bad range changes nothing. */
	for (uint64_t p = s; p < e; ) {
		const struct fei_item *it = fei_lookup(items, p);

		if (it == NULL || it->disk_bytenr == 0)
			return fs_invalid(fs, "the range includes a hole or "
			    "unwritten space: only written data can be faulted");
		p = it->file_offset + it->num_bytes;
	}
	for (uint64_t p = s; p < e; ) {
		const struct fei_item *it = fei_lookup(items, p);
		uint64_t t = it->file_offset + it->num_bytes;
		uint64_t base = it->disk_bytenr + it->offset - it->file_offset;

		if (t > e)
			t = e;
		fn(fs, mirror, base + p, base + t, arg);
		p = t;
	}
	return 0;
}

static void
corrupt_range(struct fs *fs, int mirror, uint64_t s, uint64_t t,
    const void *arg)
{
	dev_corrupt(fs, fs_dev(fs), mirror, s, t, *(const int *)arg);
}

/* The read part of an ioerror statement: how often, and whether a
   write clears it. */
struct ioerror_arg {
	uint64_t	count;
	bool		clear_on_write;
};

static void
ioerror_range(struct fs *fs, int mirror, uint64_t s, uint64_t t,
    const void *arg)
{
	const struct ioerror_arg *a = arg;

	dev_ioerror(fs, fs_dev(fs), mirror, s, t, a->count, a->clear_on_write);
}

int
fault_corrupt_file(struct fs *fs, uint32_t ino, uint64_t off, uint64_t len,
    int mirror, int fill)
{
	if (!mirror_ok(fs, mirror))
		return fs_invalid(fs, "there is no such mirror");
	return for_file_range(fs, ino, off, len, mirror, corrupt_range, &fill);
}

int
fault_ioerror_file(struct fs *fs, uint32_t ino, uint64_t off, uint64_t len,
    int mirror, uint64_t count, bool clear_on_write)
{
	struct ioerror_arg a = { count == 0 ? MIRROR_IOERR_FOREVER : count,
	    clear_on_write };

	if (!mirror_ok(fs, mirror))
		return fs_invalid(fs, "there is no such mirror");
	return for_file_range(fs, ino, off, len, mirror, ioerror_range, &a);
}

/*
 * The sector-aligned logical range [*s, *e) that LOGICAL, LEN (LEN past
 * the end: `max`, to the end of the data area) names, or FS_EINVAL if it
 * leaves the data area.
 */
static int
logical_range(struct fs *fs, uint64_t logical, uint64_t len, uint64_t *s,
    uint64_t *e)
{
	uint64_t ss = fs_sectorsize(fs);
	uint64_t area_end = fs_data_end(fs);

	if (len > UINT64_MAX - logical)
		len = area_end > logical ? area_end - logical : 0;
	if (logical < FS_DATA_BASE || logical >= area_end ||
	    len > area_end - logical)
		return fs_invalid(fs, "the logical range is outside the data "
		    "area [1M, 1M + size)");
	*s = range_round_down(logical, ss);
	*e = range_round_up(logical + len, ss);
	return 0;
}

/* Apply FN to the logical range LOGICAL, LEN on MIRROR (for_file_range's
   twin for the logical= forms). */
static int
for_logical_range(struct fs *fs, uint64_t logical, uint64_t len, int mirror,
    range_fn fn, const void *arg)
{
	uint64_t s, e;
	int r;

	if (!mirror_ok(fs, mirror))
		return fs_invalid(fs, "there is no such mirror");
	if ((r = logical_range(fs, logical, len, &s, &e)) != 0)
		return r;
	fn(fs, mirror, s, e, arg);
	return 0;
}

int
fault_corrupt_logical(struct fs *fs, uint64_t logical, uint64_t len,
    int mirror, int fill)
{
	return for_logical_range(fs, logical, len, mirror, corrupt_range,
	    &fill);
}

int
fault_ioerror_logical(struct fs *fs, uint64_t logical, uint64_t len,
    int mirror, uint64_t count, bool clear_on_write)
{
	struct ioerror_arg a = { count == 0 ? MIRROR_IOERR_FOREVER : count,
	    clear_on_write };

	return for_logical_range(fs, logical, len, mirror, ioerror_range, &a);
}

/*
 * Arm write fault F over [s, e) (sector aligned by the caller): check
 * what its kind needs (torn: fewer bytes than a sector; misdirect: a
 * sector-aligned target whose range stays in the data area).
 */
static int
arm(struct fs *fs, struct wfault *f)
{
	uint64_t ss = fs_sectorsize(fs), area_end = fs_data_end(fs);

	if (!mirror_ok(fs, f->copy))
		return fs_invalid(fs, "there is no such mirror");
	if (f->kind == WFAULT_TORN && (f->arg == 0 || f->arg >= ss))
		return fs_invalid(fs, "a torn write keeps 1 to %" PRIu64
		    " bytes of each sector (the sector size less one)",
		    ss - 1);
	if (f->kind == WFAULT_MISDIRECT && (f->arg % ss != 0 ||
	    f->arg < FS_DATA_BASE || f->arg >= area_end ||
	    f->end - f->start > area_end - f->arg))
		return fs_invalid(fs, "a misdirected write lands inside the "
		    "data area [1M, 1M + size), at a sector boundary, with "
		    "the whole range");
	if (f->left == 0)
		f->left = WFAULT_EVERY;
	wfault_add(dev_wfaults(fs, fs_dev(fs)), f);
	return 0;
}

int
fault_write_file(struct fs *fs, uint32_t ino, uint64_t off, uint64_t len,
    const struct wfault *f)
{
	struct wfault a = *f;
	uint64_t ss = fs_sectorsize(fs);

	if (fs_inode(fs, ino) == NULL)
		return fs_invalid(fs, "there is no file number %u", ino);
	a.ino = ino;
	a.start = range_round_down(off, ss);
	a.end = len > UINT64_MAX - off ? UINT64_MAX / ss * ss :
	    range_round_up(off + len, ss);
	return arm(fs, &a);
}

int
fault_write_logical(struct fs *fs, uint64_t logical, uint64_t len,
    const struct wfault *f)
{
	struct wfault a = *f;
	int r;

	a.ino = 0;
	if ((r = logical_range(fs, logical, len, &a.start, &a.end)) != 0)
		return r;
	return arm(fs, &a);
}

int
fault_set_online(struct fs *fs, int mirror, bool online)
{
	if (!mirror_ok(fs, mirror))
		return fs_invalid(fs, "there is no such mirror");
	dev_set_online(fs_dev(fs), mirror, online);
	return 0;
}

/* True if some copy other than K (0-based) has no fault on sector L. */
static bool
other_good_copy(struct fs *fs, int k, uint64_t l)
{
	for (int j = 0; j < (int)fs_cfg(fs)->mirrors; j++) {
		const struct mirror *m;

		if (j == k)
			continue;
		m = dev_mirror(fs, fs_dev(fs), j + 1);
		if (imap_find(&m->corrupt, l) == NULL &&
		    imap_find(&m->ioerr, l) == NULL &&
		    imap_find(&m->stale, l) == NULL)
			return true;
	}
	return false;
}

/*
 * Work limit (fs.h): FS_EINVAL if a rate of NUM/DEN would place more than
 * FS_MAX_FAULTS faults on the written sectors of every copy, on average.
 * The count placed is random, but its tail beyond twice the mean
 * vanishes, so this bounds the work and the overlay entries.
 */
static int
faults_limit(struct fs *fs, uint64_t num, uint64_t den)
{
	uint64_t ss = fs_sectorsize(fs);
	double sectors = 0, mean;

	for (int k = 1; k <= (int)fs_cfg(fs)->mirrors; k++) {
		const struct imap *c = &dev_mirror(fs, fs_dev(fs), k)->content;

		for (const struct imap_ent *e = imap_first(c); e != NULL;
		    e = imap_next(c, e))
			sectors += (double)((range_round_up(e->end, ss) -
			    range_round_down(e->start, ss)) / ss);
	}
	mean = sectors * (double)num / (double)den;
	if (mean <= FS_MAX_FAULTS)
		return 0;
	return fs_invalid(fs, "rate x written sectors is about %.0f faults, "
	    "more than the %u one faults statement may place: lower the rate",
	    mean, FS_MAX_FAULTS);
}

/* Place the random faults of copy K (0-based) over its written runs. */
static void
faults_on_copy(struct fs *fs, int k, uint64_t num, uint64_t den,
    unsigned kinds, bool safe)
{
	uint64_t ss = fs_sectorsize(fs);
	const struct mirror *m = dev_mirror(fs, fs_dev(fs), k + 1);
	const struct imap *content = &m->content;
	struct rng *rng = fs_rng(fs);
	/* Snapshot the written runs: faults do not change content. */
	size_t n = 0, cap = 16;
	uint64_t (*runs)[2] = xreallocarray(NULL, cap, sizeof(*runs));

	for (const struct imap_ent *e = imap_first(content); e != NULL;
	    e = imap_next(content, e)) {
		if (n == cap)
			runs = xreallocarray(runs, cap *= 2, sizeof(*runs));
		runs[n][0] = range_round_down(e->start, ss);
		runs[n][1] = range_round_up(e->end, ss);
		n++;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t l = runs[i][0];

		for (;;) {
			uint64_t skip = rng_geometric(rng, num, den);
			bool corrupt;

			if (skip > (runs[i][1] - l) / ss)
				break;
			l += skip * ss;
			if (l >= runs[i][1])
				break;
			corrupt = kinds == FAULT_CORRUPT ||
			    (kinds != FAULT_IOERROR && (rng_next(rng) & 1));
			if (!safe || other_good_copy(fs, k, l)) {
				if (corrupt)
					dev_corrupt(fs, fs_dev(fs), k + 1, l,
					    l + ss, -1);
				else
					dev_ioerror(fs, fs_dev(fs), k + 1, l,
					    l + ss, MIRROR_IOERR_FOREVER,
					    true);
			}
			l += ss;
		}
	}
	free(runs);
}

int
fault_random(struct fs *fs, uint64_t num, uint64_t den, unsigned kinds,
    bool safe)
{
	int r;

	struct wfault_random *wr = &dev_wfaults(fs, fs_dev(fs))->random;
	unsigned wkinds = (kinds & FAULT_LOST ? 1u << WFAULT_LOST : 0) |
	    (kinds & FAULT_TORN ? 1u << WFAULT_TORN : 0) |
	    (kinds & FAULT_MISDIRECT ? 1u << WFAULT_MISDIRECT : 0);

	if (wkinds != 0) {
		wr->num = den == 0 ? 0 : num;
		wr->den = den;
		wr->kinds = wkinds;
		wr->safe = safe;
	}
	kinds &= FAULT_CORRUPT | FAULT_IOERROR;
	if (num == 0 || den == 0 || kinds == 0)
		return 0;
	if ((r = faults_limit(fs, num, den)) != 0)
		return r;
	for (int k = 0; k < (int)fs_cfg(fs)->mirrors; k++)
		faults_on_copy(fs, k, num, den, kinds, safe);
	return 0;
}
