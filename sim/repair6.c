/*
 * Read completion and repair in Linux 6.x (repair6.h).
 */
#include <string.h>

#include "conc.h"
#include "content.h"
#include "csum.h"
#include "dev.h"
#include "fs.h"
#include "imap.h"
#include "inode.h"
#include "mirror.h"
#include "quirk.h"
#include "read6.h"
#include "repair6.h"
#include "write6.h"

/* Collect a copy's content into a map (dev_describe's emit). */
static void
keep_piece(void *arg, uint64_t start, uint64_t end, const struct imap_val *v)
{
	imap_set(arg, start, end, v);
}

/* The checksum of LOGICAL's sector as the map M holds it (zeros where none). */
static uint32_t
sector_sum(const struct fs *fs, const struct imap *m, uint64_t logical)
{
	uint8_t buf[FS_MAX_SECTORSIZE];
	const struct fs_config *cfg = fs_cfg(fs);

	content_read_map(m, logical, cfg->sectorsize, cfg->sectorsize, buf);
	return csum_compute(cfg->csum, buf, cfg->sectorsize);
}

/* The two maps hold one and the same run over [s, t). */
static bool
same_run(const struct imap *a, const struct imap *b, uint64_t s, uint64_t t)
{
	const struct imap_ent *x = imap_find(a, s), *y = imap_find(b, s);
	struct imap_val vx, vy;

	if (x == NULL || y == NULL || x->end < t || y->end < t)
		return false;
	vx = imap_val_at(x, s);
	vy = imap_val_at(y, s);
	return vx.kind == vy.kind && vx.a == vy.a && vx.b == vy.b &&
	    vx.aux == vy.aux;
}

bool
repair6_sector_matches(const struct fs *fs, const struct imap *data,
    const struct imap *want, uint64_t logical)
{
	uint64_t ss = fs_cfg(fs)->sectorsize;

	if (imap_covered(want, logical, logical + ss) != ss)
		return sector_sum(fs, data, logical) == 0;	/* csum hole */
	/* One run each, the same: the same bytes, no need to look. */
	if (same_run(data, want, logical, logical + ss))
		return true;
	return sector_sum(fs, data, logical) == sector_sum(fs, want, logical);
}

/*
 * btrfs_data_csum_ok() for sector I of B, read from copy K: true if it
 * matches (or the inode is nodatasum); a mismatch counts csum_errors and
 * corruption_errs on K's device.
 */
static bool
csum_ok(struct fs *fs, struct read6_bio *b, uint32_t i, int k)
{
	uint64_t ss = fs_sectorsize(fs), l = b->logical + i * ss;
	struct dev *d = fs_dev(fs);

	if (inode_nodatasum(b->ip))
		return true;
	if (repair6_sector_matches(fs, &b->data, &b->want, l)) {
		fs_emit(fs, TRACE_CSUM, inode_ino(b->ip), l, b->file_off + i * ss,
		    (uint64_t)k, TRACE_CSUM_OK);
		return true;
	}
	fs_count(fs, STAT_CSUM_ERRORS, 1);
	fs_emit(fs, TRACE_CSUM, inode_ino(b->ip), l, b->file_off + i * ss,
	    (uint64_t)k, TRACE_CSUM_BAD);
	if (!fs_quirk(fs, QUIRK_NO_CORRUPTION_COUNT))
		dev_stat_add(d, dev_device_of(d, k), DEV_CORRUPTION_ERRS, 1);
	return false;
}

/* What a repair read is to know: which sector of which bio, from where. */
struct repair_seed {
	struct read6_bio *parent;
	uint32_t	 sector;
	int		 failed;	/* the copy the walk started from */
	unsigned	 tries;
	int		 last_bad;	/* the last bad copy tried (one-mirror) */
	unsigned	 bad;		/* the copies found bad so far */
};

static void
seed_repair(struct read6_bio *rb, void *arg)
{
	struct repair_seed *seed = arg;

	rb->parent = seed->parent;
	rb->sector = seed->sector;
	rb->failed_mirror = seed->failed;
	rb->tries = seed->tries;
	rb->last_bad = seed->last_bad;
	rb->bad = seed->bad;
}

/*
 * The copy after K in the walk from FAILED: the next one wrapping, or,
 * under repair-one-mirror, the next one from copy 1 up skipping FAILED,
 * 0 when none is left.  K == 0 asks for the first.
 */
static int
walk_next(struct fs *fs, int k, int failed)
{
	int n = (int)fs_cfg(fs)->mirrors;

	if (!fs_quirk(fs, QUIRK_REPAIR_ONE_MIRROR))
		return read6_next_mirror(fs, k == 0 ? failed : k);
	for (k++; k <= n; k++)
		if (k != failed)
			return k;
	return 0;
}

/* Submit the repair read of the walk SEED at copy K. */
static void
repair_read(struct fs *fs, struct read6_bio *p, struct repair_seed *seed,
    int k)
{
	uint64_t ss = fs_sectorsize(fs);

	fs_count(fs, STAT_RETRIES, 1);
	p->req->res.retries++;
	read6_submit(fs, p->ip, READ6_REPAIR, p->file_off + seed->sector * ss,
	    p->logical + seed->sector * ss, 1, k, p->req, seed_repair, seed);
}

/* repair_one_sector(): sector I of B is bad. */
static void
repair_one(struct fs *fs, struct read6_bio *b, uint32_t i)
{
	struct repair_seed seed = { .parent = b, .sector = i,
	    .failed = b->mirror, .tries = 1,
	    .bad = 1u << (b->mirror - 1) };
	bool buffered = b->kind == READ6_RAHEAD || b->kind == READ6_FOLIO;

	b->src[i] = 0;
	if (fs_cfg(fs)->mirrors == 1 ||
	    (buffered && fs_quirk(fs, QUIRK_REPAIR_DISABLED))) {
		b->failed = true;	/* no copy to repair from */
		return;
	}
	b->repairs++;
	repair_read(fs, b, &seed, walk_next(fs, 0, b->mirror));
}

/* One repair of the parent's sector is over: complete it if the last. */
static void
repair_finished(struct fs *fs, struct read6_bio *p)
{
	if (--p->repairs == 0)
		read6_bio_done(fs, p);
}

/* btrfs_repair_io_failure() of RB's sector to copy M: 0, or the mask
   bit of M if the write failed. */
static unsigned
write_back_one(struct fs *fs, struct read6_bio *rb, int m)
{
	uint64_t ss = fs_sectorsize(fs), l = rb->logical;

	if (write6_copy_sync(fs, inode_ino(rb->ip), rb->file_off, m, l,
	    &rb->data, l, l + ss) != 0)
		return 1u << (m - 1);
	fs_count(fs, STAT_REPAIR_WRITES, 1);
	return 0;
}

/*
 * btrfs_repair_io_failure() for every copy the walk of RB tried before
 * the good copy G, from the last back to the failed one; under
 * repair-one-mirror only the last bad copy tried (the failed one when G
 * was the first).  The mask of the copies whose write failed.
 */
static unsigned
write_back(struct fs *fs, struct read6_bio *rb, int g)
{
	unsigned failed = 0;
	int m;

	if (fs_quirk(fs, QUIRK_REPAIR_ONE_MIRROR))
		return write_back_one(fs, rb, rb->last_bad > 0 ? rb->last_bad :
		    rb->failed_mirror);
	m = g;
	do {
		m = read6_prev_mirror(fs, m);
		failed |= write_back_one(fs, rb, m);
	} while (m != rb->failed_mirror);
	return failed;
}

/* Record the repair of RB's sector from copy G in its read's tally. */
static void
note_repaired(struct read6_bio *rb, int g, unsigned wb_failed)
{
	struct fs_read_result *res = &rb->parent->req->res;

	if (inode_nodatasum(rb->ip))
		return;
	if (res->nrepaired == FS_READ_MAX_REPAIRS) {
		res->repaired_more = true;
		return;
	}
	res->repaired[res->nrepaired++] = (struct fs_read_repair){
		.file_off = rb->file_off, .logical = rb->logical,
		.visited = rb->bad, .wb_failed = wb_failed, .good = g };
}

/*
 * Quirk dio-retry-deref (fixed by 2e949b0a5592, 2017; regressed by
 * 2dabb3248453, 4.6): before 6.3 a direct read repaired its sectors
 * itself, and the completion of a checksummed sector's repair read,
 * btrfs_retry_endio() on the btrfs-endio-repair queue, dereferenced
 * invalid memory as it verified the repair bio: any repair read of a
 * direct read of a checksummed inode that the device completed without
 * error ended in a general protection fault (btrfs/140).
 */
static bool
dio_retry_deref(struct fs *fs, const struct read6_bio *rb)
{
	return fs_quirk(fs, QUIRK_DIO_RETRY_DEREF) &&
	    rb->parent->kind == READ6_DIRECT && !inode_nodatasum(rb->ip) &&
	    rb->status == 0;
}

/*
 * Quirk dio-repair-offset (fixed by 97bf5a5589aa, 2017; regressed by
 * 2dabb3248453): __btrfs_correct_data_nocsum(), which resynced a
 * nodatasum direct read after an I/O error, walked a page's blocks with
 * `if (nr_sectors--)': once a block was repaired it took one more block
 * of the same page, past its end, and built that block's repair bio
 * with a wrong bv_offset; the access through it faulted, a segfault of
 * the reading task (btrfs/142).  So the first good repair read of such
 * a read is fatal.
 */
static bool
dio_repair_offset(struct fs *fs, const struct read6_bio *rb)
{
	return fs_quirk(fs, QUIRK_DIO_REPAIR_OFFSET) &&
	    rb->parent->kind == READ6_DIRECT && inode_nodatasum(rb->ip) &&
	    rb->status == 0;
}

/* btrfs_end_repair_bio(): the repair read RB completed. */
static void
end_repair(struct fs *fs, struct read6_bio *rb)
{
	struct read6_bio *p = rb->parent;
	uint64_t ss = fs_sectorsize(fs), l = rb->logical;
	struct repair_seed seed = { .parent = p, .sector = rb->sector,
	    .failed = rb->failed_mirror, .tries = rb->tries + 1,
	    .last_bad = rb->last_bad, .bad = rb->bad };
	int next;

	if (dio_retry_deref(fs, rb)) {
		fs_oops(fs, "btrfs_retry_endio", "general protection fault: "
		    "the direct read's repair completion dereferenced invalid "
		    "memory verifying the repair bio");
		return;
	}
	if (dio_repair_offset(fs, rb)) {
		fs_oops(fs, "__btrfs_correct_data_nocsum", "segfault of the "
		    "reading task: the repair bio of a block past the page "
		    "end had a wrong bv_offset");
		return;
	}
	if (rb->status == 0 && csum_ok(fs, rb, 0, rb->mirror)) {
		p->src[rb->sector] = rb->mirror;
		for (const struct imap_ent *e = imap_first_from(&rb->data, l);
		    e != NULL && e->start < l + ss; e = imap_next(&rb->data, e))
			imap_set(&p->data, e->start, e->end, &e->v);
		note_repaired(rb, rb->mirror, write_back(fs, rb, rb->mirror));
		repair_finished(fs, p);
		return;
	}
	seed.last_bad = rb->mirror;
	seed.bad |= 1u << (rb->mirror - 1);
	next = walk_next(fs, rb->mirror, rb->failed_mirror);
	if (fs_quirk(fs, QUIRK_REPAIR_ENDLESS)) {
		if (rb->tries >= 2 * fs_cfg(fs)->mirrors) {
			fs_hang(fs, "btrfs_end_repair_bio", "the repair walk "
			    "went round every copy twice without stopping at "
			    "the failed one");
			return;
		}
		if (next == 0)
			next = 1;
	} else if (next == 0 || next == rb->failed_mirror) {
		/* "no mirror left": the sector stays bad. */
		fs_emit(fs, TRACE_NO_MIRROR, inode_ino(p->ip), l, rb->file_off,
		    (uint64_t)rb->failed_mirror, 0);
		p->failed = true;
		repair_finished(fs, p);
		return;
	}
	repair_read(fs, p, &seed, next);
}

void
repair6_end_io(struct fs *fs, struct conc_bio *hdr)
{
	struct read6_bio *b = (struct read6_bio *)hdr;

	if (b->kind == READ6_REPAIR) {
		end_repair(fs, b);
		return;
	}
	for (uint32_t i = 0; i < b->nsect; i++) {
		if (b->status == 0 && csum_ok(fs, b, i, b->mirror))
			b->src[i] = b->mirror;
		else
			repair_one(fs, b, i);
	}
	if (b->repairs == 0)
		read6_bio_done(fs, b);
}

bool
repair6_copy_good(struct fs *fs, struct fs_inode *ip, int k,
    uint64_t logical)
{
	uint64_t ss = fs_sectorsize(fs);
	const struct mirror *m = dev_mirror(fs, fs_dev(fs), k);
	struct imap data, want;
	bool good;

	if (!dev_online(fs_dev(fs), k) ||
	    imap_covered(&m->ioerr, logical, logical + ss) != 0)
		return false;
	if (inode_nodatasum(ip))
		return true;
	imap_init(&data);
	imap_init(&want);
	dev_describe(fs, fs_dev(fs), k, logical, logical + ss, keep_piece,
	    &data);
	for (const struct imap_ent *e = imap_first_from(fs_csum_tree(fs),
	    logical); e != NULL && e->start < logical + ss;
	    e = imap_next(fs_csum_tree(fs), e)) {
		uint64_t s = e->start > logical ? e->start : logical;
		uint64_t t = e->end < logical + ss ? e->end : logical + ss;
		struct imap_val v = imap_val_at(e, s);

		imap_set(&want, s, t, &v);
	}
	good = repair6_sector_matches(fs, &data, &want, logical);
	imap_destroy(&data);
	imap_destroy(&want);
	return good;
}
