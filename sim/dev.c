/*
 * The data device (dev.h): the copies, each a mirror.h, behind accessors
 * that record their footprints.
 */
#include <stdlib.h>
#include <string.h>

#include "dev.h"
#include "rng.h"
#include "foot.h"
#include "fs.h"
#include "imap.h"
#include "mirror.h"
#include "wfault.h"
#include "xmalloc.h"

struct dev {
	int		copies;
	bool		dup;		/* every copy on device 1 */
	struct mirror	mirror[DEV_MAX_COPIES];
	uint64_t	stat[DEV_MAX_COPIES][DEV_STAT_COUNT];	/* [devid - 1] */
	uint64_t	read_blocks;
	struct wfault_set wfaults;	/* armed on the writes to come */
};

static const char *const dev_stat_names[DEV_STAT_COUNT] = {
	[DEV_WRITE_IO_ERRS] = "write_io_errs",
	[DEV_READ_IO_ERRS] = "read_io_errs",
	[DEV_FLUSH_IO_ERRS] = "flush_io_errs",
	[DEV_CORRUPTION_ERRS] = "corruption_errs",
	[DEV_GENERATION_ERRS] = "generation_errs",
};

struct dev *
dev_new(int copies, bool dup)
{
	struct dev *d = xcalloc(1, sizeof(*d));

	d->copies = copies;
	d->dup = dup;
	for (int k = 0; k < DEV_MAX_COPIES; k++)
		mirror_init(&d->mirror[k]);
	wfault_init(&d->wfaults);
	return d;
}

void
dev_free(struct dev *d)
{
	if (d == NULL)
		return;
	for (int k = 0; k < DEV_MAX_COPIES; k++)
		mirror_destroy(&d->mirror[k]);
	wfault_destroy(&d->wfaults);
	free(d);
}

struct dev *
dev_clone(const struct dev *s)
{
	struct dev *d = xmalloc(sizeof(*d));

	d->copies = s->copies;
	d->dup = s->dup;
	for (int k = 0; k < DEV_MAX_COPIES; k++)
		mirror_clone(&d->mirror[k], &s->mirror[k]);
	memcpy(d->stat, s->stat, sizeof(d->stat));
	d->read_blocks = s->read_blocks;
	wfault_clone(&d->wfaults, &s->wfaults);
	return d;
}

int
dev_copies(const struct dev *d)
{
	return d->copies;
}

int
dev_devices(const struct dev *d)
{
	return d->dup ? 1 : d->copies;
}

int
dev_device_of(const struct dev *d, int k)
{
	return d->dup ? 1 : k;
}

bool
dev_online(const struct dev *d, int k)
{
	return d->mirror[k - 1].online;
}

void
dev_set_online(struct dev *d, int k, bool online)
{
	for (int j = 1; j <= d->copies; j++)
		if (dev_device_of(d, j) == dev_device_of(d, k))
			d->mirror[j - 1].online = online;
}

uint64_t
dev_stat(const struct dev *d, int devid, enum dev_stat stat)
{
	return d->stat[devid - 1][stat];
}

void
dev_stat_add(struct dev *d, int devid, enum dev_stat stat, uint64_t n)
{
	d->stat[devid - 1][stat] += n;
}

const char *
dev_stat_name(enum dev_stat stat)
{
	return dev_stat_names[stat];
}

int
dev_stat_lookup(const char *name, size_t len)
{
	for (int i = 0; i < DEV_STAT_COUNT; i++)
		if (strlen(dev_stat_names[i]) == len &&
		    memcmp(dev_stat_names[i], name, len) == 0)
			return i;
	return -1;
}

uint64_t
dev_read_blocks(const struct fs *fs, const struct dev *d)
{
	foot_touch(fs, FOOT_READ_BLOCKS, 0, 0);
	return d->read_blocks;
}

void
dev_add_read_blocks(const struct fs *fs, struct dev *d, uint64_t n)
{
	foot_touch(fs, FOOT_READ_BLOCKS, 0, 0);
	d->read_blocks += n;
}

uint64_t
dev_bios(const struct fs *fs, const struct dev *d, int k)
{
	foot_bios_read(fs, k);
	return d->mirror[k - 1].bios;
}

void
dev_add_bios(const struct fs *fs, struct dev *d, int k, uint64_t n)
{
	foot_bios_add(fs, k);
	d->mirror[k - 1].bios += n;
}

int
dev_read_desc(const struct fs *fs, struct dev *d, int k, uint64_t logical,
    uint64_t len, uint8_t *buf, struct imap_val *desc, bool *one)
{
	foot_read(fs, k, logical, logical + len);
	return mirror_read_desc(&d->mirror[k - 1], logical, len,
	    fs_cfg(fs)->sectorsize, buf, desc, one);
}

int
dev_read(const struct fs *fs, struct dev *d, int k, uint64_t logical,
    uint64_t len, uint8_t *buf)
{
	return dev_read_desc(fs, d, k, logical, len, buf, NULL, NULL);
}

void
dev_describe(const struct fs *fs, struct dev *d, int k, uint64_t start,
    uint64_t end, void (*emit)(void *, uint64_t, uint64_t,
    const struct imap_val *), void *arg)
{
	foot_read(fs, k, start, end);
	mirror_describe(&d->mirror[k - 1], start, end, emit, arg);
}

void
dev_write_from(const struct fs *fs, struct dev *d, int k, uint64_t logical,
    const struct imap *src, uint64_t s, uint64_t t, uint32_t keep_aux)
{
	struct mirror *m = &d->mirror[k - 1];

	foot_write(fs, k, logical, logical + (t - s));
	for (const struct imap_ent *e = imap_first_from(src, s);
	    e != NULL && e->start < t; e = imap_next(src, e)) {
		uint64_t a = e->start > s ? e->start : s;
		uint64_t b = e->end < t ? e->end : t;
		struct imap_val v = imap_val_at(e, a);

		v.aux &= keep_aux;
		mirror_write(m, logical + (a - s), logical + (b - s), &v);
	}
}

void
dev_corrupt(const struct fs *fs, struct dev *d, int k, uint64_t s,
    uint64_t t, int fill)
{
	foot_write(fs, k, s, t);
	mirror_corrupt(&d->mirror[k - 1], s, t, fill);
}

void
dev_ioerror(const struct fs *fs, struct dev *d, int k, uint64_t s,
    uint64_t t, uint64_t count, bool clear_on_write)
{
	foot_write(fs, k, s, t);
	mirror_ioerror(&d->mirror[k - 1], s, t, count, clear_on_write);
}

void
dev_stale(const struct fs *fs, struct dev *d, int k, uint64_t s, uint64_t t,
    uint32_t why)
{
	foot_write(fs, k, s, t);
	mirror_stale(&d->mirror[k - 1], s, t, why);
}

bool
dev_sector_intact(const struct fs *fs, struct dev *d, int k, uint64_t l)
{
	const struct mirror *m = &d->mirror[k - 1];

	foot_read(fs, k, l, l + fs_cfg(fs)->sectorsize);
	return m->online && imap_find(&m->corrupt, l) == NULL &&
	    imap_find(&m->ioerr, l) == NULL && imap_find(&m->stale, l) == NULL;
}

struct wfault_set *
dev_wfaults(const struct fs *fs, struct dev *d)
{
	foot_touch(fs, FOOT_WFAULT, 0, 0);
	return &d->wfaults;
}

bool
dev_sector_good(const struct fs *fs, struct dev *d, int k, uint64_t logical,
    uint64_t len, const uint8_t *want, uint64_t n)
{
	struct mirror *m = &d->mirror[k - 1];
	uint8_t got[65536];

	foot_read(fs, k, logical, logical + len);
	if (len > sizeof(got) || n > len)
		return false;
	if (!m->online || imap_covered(&m->ioerr, logical, logical + len))
		return false;
	if (mirror_read(m, logical, len, fs_cfg(fs)->sectorsize, got) != 0)
		return false;
	return memcmp(got, want, n) == 0;
}

const struct mirror *
dev_mirror(const struct fs *fs, const struct dev *d, int k)
{
	foot_touch(fs, FOOT_MIRROR, (uint32_t)k, 0);
	return &d->mirror[k - 1];
}

uint64_t
dev_hash(const struct dev *d)
{
	uint64_t h = (uint64_t)d->copies << 1 | d->dup;

	for (int k = 0; k < d->copies; k++)
		h = rng_fold(h, mirror_hash(&d->mirror[k]));
	for (int i = 0; i < DEV_MAX_COPIES; i++)
		for (int j = 0; j < DEV_STAT_COUNT; j++)
			h = rng_fold(h, d->stat[i][j]);
	return rng_fold(h, d->read_blocks);
}

int
dev_check(const struct dev *d, const char **why)
{
	if (d->copies < 1 || d->copies > DEV_MAX_COPIES) {
		*why = "the number of copies is out of range";
		return -1;
	}
	for (int k = 1; k <= d->copies; k++)
		if (d->mirror[k - 1].online !=
		    d->mirror[dev_device_of(d, k) - 1].online) {
			*why = "copies of one device disagree on being online";
			return -1;
		}
	for (int k = 0; k < DEV_MAX_COPIES; k++)
		if (mirror_check(&d->mirror[k], why) != 0)
			return -1;
	return wfault_check(&d->wfaults, d->copies, why);
}
