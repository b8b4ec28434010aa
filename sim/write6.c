/*
 * The Linux 6.x write path (write6.h).
 */
#include <errno.h>
#include <stdio.h>

#include "alloc.h"
#include "conc.h"
#include "content.h"
#include "dev.h"
#include "extent6.h"
#include "fei.h"
#include "fs.h"
#include "imap.h"
#include "inode.h"
#include "pcache.h"
#include "quirk.h"
#include "range.h"
#include "read6.h"
#include "wfault.h"
#include "write6.h"

/* The bits of a content value that describe bytes (no page-cache flags). */
#define BYTES_AUX	(CONTENT_BYTE_MASK | CONTENT_FLIP)

/* A write bio to one copy: its data by logical address. */
struct write6_bio {
	struct conc_bio	 hdr;
	int		 mirror;
	uint32_t	 ino;		/* whose bytes, 0: none (scrub) */
	uint64_t	 file_off;
	uint64_t	 logical, len;
	struct imap	 src;
	int		 status;
};

/* The device completing write bio B: the copy takes the bytes, or not. */
static void
write_at_device(struct fs *fs, struct conc_bio *hdr)
{
	struct write6_bio *b = (struct write6_bio *)hdr;

	b->status = wfault_write(fs, b->mirror, b->logical, &b->src,
	    b->logical, b->logical + b->len, BYTES_AUX, b->ino, b->file_off);
}

static void
write_release(struct conc_bio *hdr)
{
	imap_destroy(&((struct write6_bio *)hdr)->src);
}

/*
 * A write bio of SRC's [s, t) (by logical) to copy K at LOGICAL, posted;
 * TRACE_WORD says what it is for.
 */
static struct write6_bio *
write_submit(struct fs *fs, uint32_t ino, int k, uint64_t logical,
    const struct imap *src, uint64_t s, uint64_t t, uint64_t file_off,
    uint64_t trace_word)
{
	struct write6_bio *b;
	char name[SCHED_NAME];

	b = (struct write6_bio *)conc_bio_new(fs, sizeof(*b), 0);
	b->hdr.at_device = write_at_device;
	b->hdr.release = write_release;
	b->mirror = k;
	b->ino = ino;
	b->file_off = file_off;
	b->logical = logical;
	b->len = t - s;
	imap_init(&b->src);
	for (const struct imap_ent *e = imap_first_from(src, s);
	    e != NULL && e->start < t; e = imap_next(src, e)) {
		uint64_t a = e->start > s ? e->start : s;
		uint64_t z = e->end < t ? e->end : t;
		struct imap_val v = imap_val_at(e, a);

		imap_set(&b->src, logical + (a - s), logical + (z - s), &v);
	}
	dev_add_bios(fs, fs_dev(fs), k, (t - s) / fs_sectorsize(fs));
	fs_emit(fs, TRACE_BIO_SUBMIT, ino, logical, file_off, (uint64_t)k,
	    trace_word);
	snprintf(name, sizeof(name), "data write #%u", conc_nbios(fs));
	conc_bio_post(fs, &b->hdr, name);
	return b;
}

/*
 * Wait for write bio B; a failure counts write_errors and write_io_errs
 * on a present device (read_io_errs too under write-error-read-count).
 */
static int
write_wait(struct fs *fs, uint32_t ino, uint64_t file_off,
    struct write6_bio *b)
{
	struct dev *d = fs_dev(fs);
	int devid = dev_device_of(d, b->mirror);

	conc_bio_wait(fs, &b->hdr);
	fs_emit(fs, TRACE_BIO_DONE, ino, b->logical, file_off,
	    (uint64_t)b->mirror, b->status != 0);
	if (b->status == 0)
		return 0;
	fs_count(fs, STAT_WRITE_ERRORS, 1);
	if (dev_online(d, b->mirror)) {
		dev_stat_add(d, devid, DEV_WRITE_IO_ERRS, 1);
		if (fs_quirk(fs, QUIRK_WRITE_ERROR_READ_COUNT))
			dev_stat_add(d, devid, DEV_READ_IO_ERRS, 1);
	}
	return b->status;
}

int
write6_copy_sync(struct fs *fs, uint32_t ino, uint64_t file_off, int k,
    uint64_t logical, const struct imap *src, uint64_t s, uint64_t t)
{
	struct write6_bio *b = write_submit(fs, ino, k, logical, src, s, t,
	    file_off, TRACE_BIO_REPAIR_WRITE);

	return write_wait(fs, ino, file_off, b);
}

/* The copies a write may lose and still succeed (btrfs_chunk_max_errors). */
static int
tolerated(const struct fs *fs)
{
	const struct fs_config *cfg = fs_cfg(fs);

	return cfg->dup ? 0 : (int)cfg->mirrors - 1;
}

/*
 * The file keeps its previous contents over the clean pages of [s, t)
 * (a failed ordered extent): those pages leave the page cache, and the
 * oracle goes back to what the file held on disk.
 */
static void
keep_previous(struct fs *fs, struct fs_inode *ip, uint64_t s, uint64_t t)
{
	struct pcache *pages = inode_pages(fs, ip);
	struct imap *data = inode_data(fs, ip), *ondisk = inode_ondisk(fs, ip);
	uint64_t at = s;

	while (at < t) {
		const struct imap_ent *d = pcache_dirty_from(pages, at);
		uint64_t stop = d == NULL || d->start >= t ? t :
		    (d->start > at ? d->start : at);

		if (stop > at) {
			pcache_clear(pages, at, stop);
			imap_clear(inode_present(fs, ip), at, stop);
			imap_clear(data, at, stop);
			for (const struct imap_ent *e = imap_first_from(ondisk,
			    at); e != NULL && e->start < stop;
			    e = imap_next(ondisk, e)) {
				uint64_t a = e->start > at ? e->start : at;
				uint64_t b = e->end < stop ? e->end : stop;
				struct imap_val v = imap_val_at(e, a);

				imap_set(data, a, b, &v);
			}
		}
		if (d == NULL || d->start >= t)
			break;
		at = d->end;
	}
}

/*
 * The ordered extent of file range [start, start + got) at INS is done:
 * its item in, its checksums recorded (sectors the write said nocsum
 * excepted), its map unpinned, the oracle's on-disk view updated.  SRC
 * holds the written bytes [start, wend) by logical; NOCSUM the file
 * ranges written with nocsum.
 */
static int
finish_ordered(struct fs *fs, struct fs_inode *ip, uint64_t start,
    uint64_t wend, uint64_t got, uint64_t ins, const struct imap *src,
    const struct imap *nocsum)
{
	struct fei_item item = { .file_offset = start, .num_bytes = got,
	    .disk_bytenr = ins, .disk_num_bytes = got, .offset = 0 };
	struct imap *tree, *ondisk = inode_ondisk(fs, ip);
	uint64_t size;
	int r;

	if ((r = fei_drop(inode_items(fs, ip), fs_alloc(fs), start,
	    start + got)) != 0)
		return fs_oops(fs, "btrfs_drop_extents", "dropping the old "
		    "file extent items failed");
	if (fei_insert(inode_items(fs, ip), &item) != 0)
		return fs_oops(fs, "insert_reserved_file_extent", "BUG_ON: "
		    "inserting the file extent item failed");
	if (!inode_nodatasum(ip)) {
		tree = fs_csum_tree(fs);
		for (const struct imap_ent *e = imap_first(src); e != NULL;
		    e = imap_next(src, e))
			imap_set(tree, e->start, e->end, &e->v);
		for (const struct imap_ent *e = imap_first(nocsum); e != NULL;
		    e = imap_next(nocsum, e))
			imap_clear(tree, ins + (e->start - start),
			    ins + (e->end - start));
	}
	for (const struct imap_ent *e = imap_first(src); e != NULL;
	    e = imap_next(src, e))
		imap_set(ondisk, start + (e->start - ins), start + (e->end - ins),
		    &e->v);
	extent6_unpin(fs, ip, start);
	/* The item maps file bytes past the write to unwritten space. */
	size = inode_size(fs, ip);
	inode_mark_unsure(fs, ip, wend, start + got < size ? start + got :
	    size);
	return 0;
}

/*
 * Write the file range [start, wend) to the new extent [ins, ins + got):
 * take the pages' bytes and clean them, pin a map, one bio per copy, wait,
 * and finish or fail the ordered extent.  0, -EIO or FS_EOOPS.
 */
static int
write_piece(struct fs *fs, struct fs_inode *ip, uint64_t start,
    uint64_t wend, uint64_t ins, uint64_t got)
{
	struct pcache *pages = inode_pages(fs, ip);
	struct write6_bio *bio[FS_MAX_MIRRORS];
	/* Kept across the bios' wait: in glue memory (conc_imap). */
	struct imap *src = conc_imap(fs), *nocsum = conc_imap(fs);
	int n = (int)fs_cfg(fs)->mirrors, failed = 0, r;

	for (const struct imap_ent *e = imap_first_from(pcache_map(pages),
	    start); e != NULL && e->start < wend;
	    e = imap_next(pcache_map(pages), e)) {
		uint64_t a = e->start > start ? e->start : start;
		uint64_t b = e->end < wend ? e->end : wend;
		struct imap_val v = imap_val_at(e, a);

		if (v.aux & CONTENT_NOCSUM)
			imap_set(nocsum, a, b, &(struct imap_val){ 0 });
		v.aux &= BYTES_AUX;
		imap_set(src, ins + (a - start), ins + (b - start), &v);
	}
	pcache_mark_clean(pages, start, wend);
	imap_clear(fs_csum_tree(fs), ins, ins + got);
	extent6_replace(fs, ip, start, got, ins, true);
	for (int k = 1; k <= n; k++)
		bio[k - 1] = write_submit(fs, inode_ino(ip), k, ins, src, ins,
		    ins + (wend - start), start, TRACE_BIO_WRITE);
	for (int k = 1; k <= n; k++)
		failed += write_wait(fs, inode_ino(ip), start, bio[k - 1]) != 0;
	if (failed > tolerated(fs)) {
		extent6_drop(fs, ip, start, start + got - 1);
		alloc_put(fs_alloc(fs), ins);
		keep_previous(fs, ip, start, wend);
		r = -EIO;
	} else
		r = finish_ordered(fs, ip, start, wend, got, ins, src, nocsum);
	imap_destroy(src);
	imap_destroy(nocsum);
	return r;
}

/* cow_file_range of the dirty run [s, t), piece by piece. */
static int
writeback_run(struct fs *fs, struct fs_inode *ip, uint64_t s, uint64_t t)
{
	const struct fs_config *cfg = fs_cfg(fs);
	uint64_t num = range_round_up(t - s, cfg->sectorsize);
	uint64_t hint = inode_alloc_hint(fs, ip), start = s;
	int status = 0, r;

	if (hint == 0)
		hint = FS_DATA_BASE;
	while (start < t) {
		uint64_t cur = num < cfg->max_extent ? num : cfg->max_extent;
		uint64_t ins, got, wend;

		if (alloc_reserve(fs_alloc(fs), cur, hint, &ins, &got) != 0)
			return fs_nospace(fs, FS_ENOSPC_ALLOC);
		fs_count(fs, STAT_ALLOCATIONS, 1);
		fs_emit(fs, TRACE_ALLOC, inode_ino(ip), ins, got, cur, hint);
		wend = start + got < t ? start + got : t;
		r = write_piece(fs, ip, start, wend, ins, got);
		if (r == FS_EOOPS)
			return r;
		if (r != 0)
			status = r;
		inode_set_alloc_hint(fs, ip, ins + got);
		if (got >= num)
			break;
		num -= got;
		hint = ins + got;
		start += got;
	}
	return status;
}

int
write6_writeback_range(struct fs *fs, struct fs_inode *ip, uint64_t s,
    uint64_t t)
{
	int status = 0;

	conc_lock(fs, CONC_ORDERED, ip);
	for (uint64_t at = s; at < t; ) {
		const struct imap_ent *e = pcache_dirty_from(inode_pages(fs,
		    ip), at);
		uint64_t a, b;
		int r;

		if (e == NULL || e->start >= t)
			break;
		a = e->start > at ? e->start : at;
		b = e->end < t ? e->end : t;
		r = writeback_run(fs, ip, a, b);
		if (r == FS_EOOPS || r == -ENOSPC) {
			status = r;
			break;
		}
		if (r != 0)
			status = r;
		at = b;
	}
	conc_unlock(fs, CONC_ORDERED, ip);
	return status;
}

int
write6_sync(struct fs *fs)
{
	int status = 0;

	for (uint32_t ino = 1; ino <= fs_ninodes(fs); ino++) {
		int r;

		if (ino > 1)
			conc_preempt(fs);
		r = write6_writeback_range(fs, fs_inode(fs, ino), 0,
		    UINT64_MAX);
		if (r == FS_EOOPS)
			return r;
		if (r != 0 && status == 0)
			status = r;
	}
	return status;
}

/*
 * The space check of a write of NEED bytes: what is allocated, what is
 * dirty (delalloc) and NEED must fit the capacity.
 */
static int
check_space(struct fs *fs, uint64_t need)
{
	const struct alloc *al = fs_alloc(fs);
	uint64_t used = al->size - al->free_bytes;

	for (uint32_t ino = 1; ino <= fs_ninodes(fs); ino++)
		used += pcache_dirty_bytes(inode_pages(fs, fs_inode(fs, ino)));
	if (used > al->size || need > al->size - used)
		return fs_nospace(fs, FS_ENOSPC_CHECK);
	return 0;
}

/* Lock or unlock the pages [first, last] of a write, in order. */
static void
lock_pages(struct fs *fs, struct fs_inode *ip, uint64_t first, uint64_t last,
    bool lock)
{
	for (uint64_t p = first; p <= last; p += fs_sectorsize(fs))
		(lock ? conc_lock_page : conc_unlock_page)(fs, ip, p);
}

/* btrfs_buffered_write() under the inode lock: the pages dirty. */
static int
file_write(struct fs *fs, struct fs_inode *ip, uint64_t off, uint64_t len,
    int fill, unsigned flags)
{
	uint64_t ss = fs_sectorsize(fs), end = off + len;
	uint64_t first = range_round_down(off, ss);
	uint64_t last = range_round_down(end - 1, ss);
	const struct fs_config *cfg = fs_cfg(fs);
	static const struct imap_val mark = { 0, 0, 0, 0 };
	int r = 0;

	if (range_round_up(len, ss) / cfg->max_extent >= FS_MAX_ALLOCS)
		return fs_invalid(fs, "the writeback needs more than %u "
		    "allocations, the most one dirty range may make: raise "
		    "max_extent or write less at once", FS_MAX_ALLOCS);
	if ((r = fs_extents_room(fs, range_round_up(len, ss))) != 0)
		return r;
	if (!conc_alone(fs_conc(fs)) && (last - first) / ss >=
	    FS_MAX_LOCKED_PAGES)
		return fs_invalid(fs, "a write in a concurrent block may cover "
		    "at most %u pages, since it holds every page's lock; split "
		    "it", FS_MAX_LOCKED_PAGES);
	if (check_space(fs, range_round_up(len, ss)) != 0)
		return -ENOSPC;
	lock_pages(fs, ip, first, last, true);
	if (off != first)
		r = read6_prepare_page(fs, ip, first);
	if (r == 0 && end != last + ss && (last != first || off == first))
		r = read6_prepare_page(fs, ip, last);
	if (r != 0) {
		lock_pages(fs, ip, first, last, false);
		return r;
	}
	inode_write_bytes(fs, ip, off, len, fill, (flags & FS_W_NOCSUM) != 0);
	imap_set(inode_present(fs, ip), first, last + ss, &mark);
	lock_pages(fs, ip, first, last, false);
	return 0;
}

int
write6_write(struct fs *fs, struct fs_inode *ip, uint64_t off, uint64_t len,
    int fill, unsigned flags)
{
	return file_write(fs, ip, off, len, fill, flags);
}

int
write6_writeback(struct fs *fs, struct fs_inode *ip)
{
	return write6_writeback_range(fs, ip, 0, UINT64_MAX);
}

int
write6_zero_tail(struct fs *fs, struct fs_inode *ip, uint64_t offset)
{
	uint64_t ss = fs_sectorsize(fs), p = range_round_down(offset, ss);
	struct imap_val zero = content_fill(0);
	int r;

	if (offset == p)
		return 0;
	conc_lock_page(fs, ip, p);
	if ((r = read6_prepare_page(fs, ip, p)) == 0) {
		struct pcache *pages = inode_pages(fs, ip);

		pcache_set(pages, offset, p + ss, &zero);
		pcache_mark_dirty(pages, p, p + ss, false);
	}
	conc_unlock_page(fs, ip, p);
	return r;
}

/* The bytes cow_file_range may take for a dirty run of LEN bytes. */
static uint64_t
cow_bound(const struct fs *fs, uint64_t len)
{
	uint64_t total = fs_data_end(fs) - FS_DATA_BASE;
	uint64_t piece = fs_cfg(fs)->max_extent;

	if (piece > total)
		piece = total;
	return range_round_up(len, fs_cfg(fs)->sectorsize) +
	    (len / piece + 1) * fs_cfg(fs)->alloc_align;
}

uint64_t
write6_bound(struct fs *fs, uint64_t more)
{
	uint64_t n = more ? cow_bound(fs, more + 2 * fs_sectorsize(fs)) : 0;

	for (uint32_t ino = 1; ino <= fs_ninodes(fs); ino++) {
		const struct pcache *pc = inode_pages(fs, fs_inode(fs, ino));

		for (const struct imap_ent *e = pcache_dirty_from(pc, 0);
		    e != NULL; e = pcache_dirty_from(pc, e->end))
			n += cow_bound(fs, e->end - e->start);
	}
	return n;
}
