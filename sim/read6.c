/*
 * The Linux 6.x read path (read6.h): submission side.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conc.h"
#include "content.h"
#include "csum.h"
#include "dev.h"
#include "em.h"
#include "era.h"
#include "fei.h"
#include "fs.h"
#include "imap.h"
#include "inode.h"
#include "mirror.h"
#include "pcache.h"
#include "quirk.h"
#include "range.h"
#include "read6.h"
#include "repair6.h"
#include "write6.h"

static int
copies(const struct fs *fs)
{
	return (int)fs_cfg(fs)->mirrors;
}

int
read6_next_mirror(const struct fs *fs, int k)
{
	return k >= copies(fs) ? 1 : k + 1;
}

int
read6_prev_mirror(const struct fs *fs, int k)
{
	return k <= 1 ? copies(fs) : k - 1;
}

/*
 * The copy a bio of NSECT sectors goes to: PIN if the read pins one,
 * else find_live_mirror() under the read policy (dup: copy 1).
 */
static int
choose_mirror(struct fs *fs, int pin, int pid)
{
	const struct fs_config *cfg = fs_cfg(fs);
	uint64_t per, total;

	if (pin > 0)
		return pin > copies(fs) ? 1 : pin;
	if (cfg->dup)
		return 1;
	switch (cfg->read_policy) {
	case FS_POLICY_ROUND_ROBIN:
		per = (cfg->rr_min_contig ? cfg->rr_min_contig :
		    FS_RR_MIN_CONTIG) / cfg->sectorsize;
		total = dev_read_blocks(fs, fs_dev(fs));
		return (int)((total / (per ? per : 1)) % (uint64_t)copies(fs))
		    + 1;
	case FS_POLICY_DEVID:
		return cfg->policy_devid >= 1 &&
		    cfg->policy_devid <= (uint32_t)copies(fs) ?
		    (int)cfg->policy_devid : 1;
	case FS_POLICY_PID:
		break;
	}
	return (pid < 0 ? 0 : pid) % copies(fs) + 1;
}

/* The trace word of each kind of read bio. */
static const uint64_t kind_trace[] = {
	[READ6_RAHEAD] = TRACE_BIO_READAHEAD,
	[READ6_FOLIO] = TRACE_BIO_READ,
	[READ6_DIRECT] = TRACE_BIO_DIRECT,
	[READ6_REPAIR] = TRACE_BIO_REPAIR,
};

static const char *const kind_name[] = {
	[READ6_RAHEAD] = " (readahead)",
	[READ6_FOLIO] = "",
	[READ6_DIRECT] = " (direct)",
	[READ6_REPAIR] = " (repair)",
};

/* Collect a copy's content into a bio's map (dev_describe's emit). */
static void
keep_piece(void *arg, uint64_t start, uint64_t end, const struct imap_val *v)
{
	imap_set(arg, start, end, v);
}

/*
 * The device completing read bio B: the I/O (an I/O error on any sector
 * fails the bio) and, when it succeeds, what the copy handed up.  A
 * failed bio counts read_io_errs on its device, unless it was readahead
 * or the device is missing (offline), as btrfs_log_dev_io_error().
 */
static void
read_at_device(struct fs *fs, struct conc_bio *hdr)
{
	struct read6_bio *b = (struct read6_bio *)hdr;
	struct dev *d = fs_dev(fs);
	uint64_t len = (uint64_t)b->nsect * fs_sectorsize(fs);

	b->status = dev_read(fs, d, b->mirror, b->logical, len, NULL);
	if (b->status == 0)
		dev_describe(fs, d, b->mirror, b->logical, b->logical + len,
		    keep_piece, &b->data);
	fs_emit(fs, TRACE_BIO_DONE, inode_ino(b->ip), b->logical, b->file_off,
	    (uint64_t)b->mirror, b->status != 0);
	if (b->status == 0)
		return;
	fs_count(fs, STAT_IO_ERRORS, 1);
	if (b->kind != READ6_RAHEAD && dev_online(d, b->mirror))
		dev_stat_add(d, dev_device_of(d, b->mirror), DEV_READ_IO_ERRS,
		    1);
}

/* The bio's maps go when the schedule ends, done or not. */
static void
read_release(struct conc_bio *hdr)
{
	struct read6_bio *b = (struct read6_bio *)hdr;

	imap_destroy(&b->data);
	imap_destroy(&b->want);
}

struct read6_bio *
read6_submit(struct fs *fs, struct fs_inode *ip, enum read6_kind kind,
    uint64_t file_off, uint64_t logical, uint32_t nsect, int mirror,
    struct read6_req *req, void (*prep)(struct read6_bio *, void *),
    void *arg)
{
	uint64_t ss = fs_sectorsize(fs), len = (uint64_t)nsect * ss;
	struct read6_bio *b;

	b = (struct read6_bio *)conc_bio_new(fs, sizeof(*b), 0);
	b->hdr.at_device = read_at_device;
	b->hdr.at_worker = fs_era(fs)->read_end_io;
	b->hdr.release = read_release;
	b->kind = kind;
	b->ip = ip;
	b->file_off = file_off;
	b->logical = logical;
	b->nsect = nsect;
	b->mirror = mirror;
	b->req = req;
	imap_init(&b->data);
	imap_init(&b->want);
	b->src = conc_alloc(fs, nsect * sizeof(*b->src));
	if (prep != NULL)
		prep(b, arg);
	/* btrfs_lookup_bio_sums(): the checksums as they are now. */
	if (!inode_nodatasum(ip)) {
		const struct imap *tree = fs_csum_tree(fs);

		for (const struct imap_ent *e = imap_first_from(tree, logical);
		    e != NULL && e->start < logical + len;
		    e = imap_next(tree, e)) {
			uint64_t s = e->start > logical ? e->start : logical;
			uint64_t t = e->end < logical + len ? e->end :
			    logical + len;
			struct imap_val v = imap_val_at(e, s);

			imap_set(&b->want, s, t, &v);
		}
	}
	fs_count(fs, STAT_DATA_READS, 1);
	dev_add_bios(fs, fs_dev(fs), mirror, 1);
	dev_add_read_blocks(fs, fs_dev(fs), nsect);
	fs_emit(fs, TRACE_BIO_SUBMIT, inode_ino(ip), logical, file_off,
	    (uint64_t)mirror, kind_trace[kind]);
	conc_bio_post(fs, &b->hdr, "data read", kind_name[kind]);
	return b;
}

void
read6_bio_done(struct fs *fs, struct read6_bio *b)
{
	struct read6_req *req = b->req;
	uint64_t ss = fs_sectorsize(fs);
	int64_t delta = (int64_t)(b->file_off - b->logical);

	for (uint32_t i = 0; i < b->nsect; i++)
		if (b->src[i] > 0)
			req->res.served |= 1u << (b->src[i] - 1);
	if (b->failed)
		req->res.eio |= FS_EIO_NO_GOOD_MIRROR;
	if (b->kind == READ6_DIRECT) {
		if (b->failed)
			req->failed = true;
		else
			for (const struct imap_ent *e = imap_first(&b->data);
			    e != NULL; e = imap_next(&b->data, e))
				imap_set(req->got, e->start + (uint64_t)delta,
				    e->end + (uint64_t)delta, &e->v);
		if (--req->pending == 0)
			conc_event_signal(fs, &req->done);
	} else {
		/* 6.3+: a sector that stays bad fails the whole bio. */
		struct pcache *pages = inode_pages(fs, b->ip);

		for (uint32_t i = 0; i < b->nsect; i++) {
			uint64_t q = b->file_off + i * ss, l = b->logical + i * ss;

			if (b->failed)
				pcache_clear(pages, q, q + ss);
			else
				for (const struct imap_ent *e =
				    imap_first_from(&b->data, l); e != NULL &&
				    e->start < l + ss; e = imap_next(&b->data, e)) {
					uint64_t s = e->start > l ? e->start : l;
					uint64_t t = e->end < l + ss ? e->end :
					    l + ss;
					struct imap_val v = imap_val_at(e, s);

					pcache_set(pages, s + (uint64_t)delta,
					    t + (uint64_t)delta, &v);
				}
			conc_unlock_page(fs, b->ip, q);
		}
	}
	read_release(&b->hdr);
}

/* A page of the page cache: present (in it) and uptodate (its bytes). */
static bool
present(struct fs *fs, struct fs_inode *ip, uint64_t p)
{
	return imap_find(inode_present(fs, ip), p) != NULL;
}

static bool
uptodate(struct fs *fs, struct fs_inode *ip, uint64_t p)
{
	return pcache_uptodate(inode_pages(fs, ip), p, fs_sectorsize(fs));
}

static void
make_present(struct fs *fs, struct fs_inode *ip, uint64_t p)
{
	static const struct imap_val mark = { 0, 0, 0, 0 };

	imap_set(inode_present(fs, ip), p, p + fs_sectorsize(fs), &mark);
}

/* A batch of pages a read submits: contiguous runs become one bio. */
struct batch {
	struct fs	*fs;
	struct fs_inode	*ip;
	enum read6_kind	 kind;
	struct read6_req *req;
	int		 pin, pid;
	uint64_t	 file_off, logical;	/* of the run being built */
	uint32_t	 n;			/* its sectors */
	/* The map the last lookup gave (em_cached of btrfs_do_readpage, a
	   copy: a drop does not change what this pass already looked up);
	   em_end 0: none. */
	uint64_t	 em_start, em_end, em_block;
};

/* A new pass (one readahead, one read_folio): no cached map yet. */
static void
batch_forget_map(struct batch *bt)
{
	bt->em_end = 0;
}

/*
 * The map of sector Q: the cached one when it covers Q, else
 * btrfs_get_extent's, cached.  0 with the block_start in *BLOCK and the
 * map's start in *START, or get_extent's error with its cause in *WHY.
 * The lookup holds the inode's ordered extents off
 * (btrfs_lock_and_flush_ordered_range: a read waits for the ordered
 * extents of its range, holding the range locked): a writeback between
 * its new map and its new item would otherwise let the lookup cache the
 * old item's map over the new extent once a drop took the new map away.
 */
static int
batch_map(struct batch *bt, uint64_t q, uint64_t *start, uint64_t *block,
    unsigned *why)
{
	struct fs *fs = bt->fs;
	struct em_map *em;
	int r;

	if (q >= bt->em_start && q < bt->em_end) {
		*start = bt->em_start;
		*block = bt->em_block;
		return 0;
	}
	conc_lock(fs, CONC_ORDERED, bt->ip);
	r = fs_era(fs)->get_extent(fs, bt->ip, q, fs_sectorsize(fs), false,
	    &em, why);
	if (r == 0) {	/* copied while the map cannot change */
		bt->em_start = *start = em->start;
		bt->em_end = em_end(em);
		bt->em_block = *block = em->block_start;
	}
	conc_unlock(fs, CONC_ORDERED, bt->ip);
	return r;
}

static void
batch_flush(struct batch *bt)
{
	if (bt->n == 0)
		return;
	if (bt->kind == READ6_DIRECT)
		bt->req->pending++;
	bt->req->res.device_pages += bt->n;
	read6_submit(bt->fs, bt->ip, bt->kind, bt->file_off, bt->logical,
	    bt->n, choose_mirror(bt->fs, bt->pin, bt->pid), bt->req, NULL,
	    NULL);
	bt->n = 0;
}

/*
 * Add the sector at file offset Q (its page locked, for a buffered read)
 * to the batch: a hole becomes zeros at once, a real sector joins the
 * run if it continues it on disk.  0, or -EIO when btrfs_get_extent
 * failed (the page, if any, is then unlocked, not uptodate).
 */
static int
batch_add(struct batch *bt, uint64_t q)
{
	struct fs *fs = bt->fs;
	uint64_t ss = fs_sectorsize(fs), logical, start = 0, block = 0;
	struct imap_val zero = content_fill(0);
	unsigned why = 0;
	int r;

	r = batch_map(bt, q, &start, &block, &why);
	if (r != 0 || block >= EM_LAST_BYTE) {	/* a hole, inline, ... */
		if (bt->kind == READ6_DIRECT)
			imap_set(bt->req->got, q, q + ss, &zero);
		else {
			if (r == 0)
				pcache_set(inode_pages(fs, bt->ip), q, q + ss,
				    &zero);
			conc_unlock_page(fs, bt->ip, q);
		}
		bt->req->res.eio |= why;
		return r;
	}
	logical = block + (q - start);
	if (bt->kind != READ6_DIRECT)
		conc_page_to_io(fs, bt->ip, q);	/* the bio unlocks it */
	if (bt->n > 0 && (bt->file_off + bt->n * ss != q ||
	    bt->logical + bt->n * ss != logical ||
	    bt->n == READ6_BIO_MAX_PAGES))
		batch_flush(bt);
	if (bt->n == 0) {
		bt->file_off = q;
		bt->logical = logical;
	}
	bt->n++;
	return 0;
}

/*
 * Readahead from page P: the absent pages among the next `readahead`
 * bytes (one page at 0), not past LAST, locked and read (REQ_RAHEAD).
 */
static void
readahead(struct fs *fs, struct fs_inode *ip, uint64_t p, uint64_t last,
    struct batch *bt)
{
	uint64_t ss = fs_sectorsize(fs), ra = fs_cfg(fs)->readahead;
	uint64_t stop = range_end(p, ra > ss ? ra : ss);

	if (stop > last + ss)
		stop = last + ss;
	bt->kind = READ6_RAHEAD;
	batch_forget_map(bt);
	for (uint64_t q = p; q < stop; q += ss) {
		if (present(fs, ip, q))
			continue;
		conc_lock_page(fs, ip, q);
		make_present(fs, ip, q);
		batch_add(bt, q);
	}
	batch_flush(bt);
}

/*
 * read_folio of page P, which the caller has locked: one bio, or zeros
 * for a hole; the completion unlocks it.
 */
static void
read_folio(struct batch *bt, uint64_t p)
{
	bt->kind = READ6_FOLIO;
	batch_forget_map(bt);
	make_present(bt->fs, bt->ip, p);
	if (batch_add(bt, p) == 0)
		batch_flush(bt);
}

/* One page of a buffered read (filemap_read): 0, or -EIO to stop. */
static int
buffered_page(struct fs *fs, struct fs_inode *ip, uint64_t p, uint64_t last,
    struct batch *bt)
{
	if (uptodate(fs, ip, p))
		return 0;
	if (!present(fs, ip, p))
		readahead(fs, ip, p, last, bt);
	conc_wait_page(fs, ip, p);
	if (uptodate(fs, ip, p))
		return 0;
	conc_lock_page(fs, ip, p);
	if (uptodate(fs, ip, p)) {
		conc_unlock_page(fs, ip, p);
		return 0;
	}
	read_folio(bt, p);
	conc_wait_page(fs, ip, p);
	return uptodate(fs, ip, p) ? 0 : -EIO;
}

int
read6_prepare_page(struct fs *fs, struct fs_inode *ip, uint64_t p)
{
	struct read6_req *req = conc_alloc(fs, sizeof(*req));
	struct batch bt = { .fs = fs, .ip = ip, .req = req,
	    .pid = conc_task_pid(fs) };
	struct imap_val zero = content_fill(0);

	if (uptodate(fs, ip, p))
		return 0;
	if (p >= inode_size(fs, ip)) {
		pcache_set(inode_pages(fs, ip), p, p + fs_sectorsize(fs), &zero);
		make_present(fs, ip, p);
		return 0;
	}
	/* The caller holds the page: the completion drops it, we retake it. */
	read_folio(&bt, p);
	conc_lock_page(fs, ip, p);
	return uptodate(fs, ip, p) ? 0 : -EIO;
}

/* Compare the returned bytes [s, t) of SRC with the file (want_data). */
static void
check_returned(struct fs *fs, struct fs_inode *ip, const struct imap *src,
    uint64_t s, uint64_t t, struct fs_read_result *res)
{
	uint32_t sectorsize = fs_cfg(fs)->sectorsize;
	uint64_t p = range_round_down(s, sectorsize);

	if (!content_compare(src, s, inode_data(fs, ip), s, t - s, sectorsize,
	    &res->uniform)) {
		res->intact = false;
		if (!inode_nodatasum(ip) &&
		    imap_covered(inode_unsure(fs, ip), p, p + sectorsize) == 0)
			res->wrong_pages++;
	}
}

/* The device-side tally of REQ into RES. */
static void
take_tally(struct fs_read_result *res, const struct read6_req *req)
{
	res->device_pages += req->res.device_pages;
	res->served |= req->res.served;
	res->retries += req->res.retries;
	res->eio |= req->res.eio;
	for (unsigned i = 0; i < req->res.nrepaired; i++)
		if (res->nrepaired < FS_READ_MAX_REPAIRS)
			res->repaired[res->nrepaired++] = req->res.repaired[i];
		else
			res->repaired_more = true;
	res->repaired_more |= req->res.repaired_more;
}

/* An O_DIRECT read of [o->off, o->off + o->len). */
static int
direct_read(struct fs *fs, struct fs_inode *ip, const struct fs_read_opts *o,
    struct fs_read_result *res)
{
	uint64_t ss = fs_sectorsize(fs), size, end, stop;
	struct read6_req *req = conc_alloc(fs, sizeof(*req));
	struct batch bt = { .fs = fs, .ip = ip, .kind = READ6_DIRECT,
	    .req = req, .pin = o->mirror, .pid = o->pid >= 0 ? o->pid :
	    conc_task_pid(fs) };
	struct imap *got;
	int status = 0;

	if (o->off % ss != 0 || (o->len % ss != 0 && o->len < UINT64_MAX -
	    o->off))
		return fs_invalid(fs, "a direct read's offset and length must "
		    "be multiples of the sector size");
	size = inode_size(fs, ip);
	end = range_end(o->off, o->len);
	if (end > range_round_up(size, ss))
		end = range_round_up(size, ss);
	if (o->off >= end) {
		res->uniform = -1;
		return 0;
	}
	if ((end - o->off) / ss > FS_MAX_READ_PAGES)
		return fs_invalid(fs, "the read covers more than %u pages, "
		    "the most one read may: read a smaller range",
		    FS_MAX_READ_PAGES);
	/* iomap_dio_rw: the dirty pages of the range go to disk first. */
	if ((status = write6_writeback_range(fs, ip, o->off, end)) != 0 &&
	    status != -EIO)
		return status;
	status = 0;
	req->got = got = conc_imap(fs);	/* outlives a cut schedule */
	req->pending = 1;	/* the submitter's own, dropped below */
	conc_event_init(fs, &req->done, "direct read");
	for (uint64_t q = o->off; q < end; q += ss)
		if (batch_add(&bt, q) != 0)
			status = -EIO;
	batch_flush(&bt);
	if (--req->pending > 0)
		conc_event_wait(fs, &req->done);
	take_tally(res, req);
	if (req->failed || status != 0)
		status = -EIO;
	else {
		stop = end < size ? end : size;
		res->bytes = stop - o->off;
		for (uint64_t q = o->off; o->want_data && q < stop; q += ss)
			check_returned(fs, ip, got, q, q + ss < stop ? q + ss :
			    stop, res);
	}
	imap_destroy(got);
	return status;
}

int
read6_read(struct fs *fs, struct fs_inode *ip, const struct fs_read_opts *o,
    struct fs_read_result *res)
{
	uint64_t ss = fs_sectorsize(fs), end, first, size, last;
	struct read6_req *req;
	struct batch bt = { .fs = fs, .ip = ip, .pin = o->mirror };
	int status = 0;

	res->intact = true;
	res->uniform = -2;
	if (o->direct)
		status = direct_read(fs, ip, o, res);
	else {
		end = range_end(o->off, o->len);
		if (end > (size = inode_size(fs, ip)))
			end = size;
		first = range_round_down(o->off, ss);
		if (o->off < end && (end - first + ss - 1) / ss >
		    FS_MAX_READ_PAGES)
			return fs_invalid(fs, "the read covers more than %u "
			    "pages, the most one read may: read a smaller "
			    "range", FS_MAX_READ_PAGES);
		req = conc_alloc(fs, sizeof(*req));
		bt.req = req;
		bt.pid = o->pid >= 0 ? o->pid : conc_task_pid(fs);
		last = o->off < end ? range_round_down(end - 1, ss) : 0;
		for (uint64_t p = first; o->off < end && p < end; p += ss) {
			if (p > first)
				conc_preempt(fs);	/* between pages */
			if (end > (size = inode_size(fs, ip)))
				end = size;	/* truncated meanwhile */
			if (p >= end)
				break;
			if ((status = buffered_page(fs, ip, p, last, &bt)) != 0)
				break;
			if (o->want_data)
				check_returned(fs, ip,
				    pcache_map(inode_pages(fs, ip)),
				    p > o->off ? p : o->off,
				    p + ss < end ? p + ss : end, res);
			res->bytes += (p + ss < end ? p + ss : end) -
			    (p > o->off ? p : o->off);
		}
		take_tally(res, req);
	}
	if (res->uniform == -2)
		res->uniform = -1;
	if (status == -EIO)
		fs_count(fs, STAT_EIO, 1);
	return status;
}

/*
 * The logical address of the sector at file offset P of IP that a read
 * would fetch from a device, or false for a hole.
 */
static bool
sector_logical(struct fs *fs, struct fs_inode *ip, uint64_t p,
    uint64_t *logical)
{
	const struct fei_item *it = fei_lookup(inode_items(fs, ip), p);

	if (it == NULL || it->disk_bytenr == 0)
		return false;
	*logical = it->disk_bytenr + it->offset + (p - it->file_offset);
	return true;
}

/*
 * Every sector of [off, off + len) (clipped at EOF) that a read would
 * fetch has a good copy other than copy SKIP (0: any copy will do).
 */
static bool
good_except(struct fs *fs, struct fs_inode *ip, uint64_t off, uint64_t len,
    int skip)
{
	uint64_t ss = fs_sectorsize(fs), size = inode_size(fs, ip);
	uint64_t end = range_end(off, len), logical;

	if (end > size)
		end = size;
	for (uint64_t p = range_round_down(off, ss); p < end; p += ss) {
		bool good = false;

		if (!sector_logical(fs, ip, p, &logical))
			continue;
		/* Space an allocation mapped but no write reached: no
		   checksum, a csum hole on every copy. */
		if (imap_covered(inode_unsure(fs, ip), p, p + ss) != 0)
			return false;
		for (int k = 1; k <= copies(fs) && !good; k++)
			good = k != skip && repair6_copy_good(fs, ip, k, logical);
		if (!good)
			return false;
	}
	return true;
}

/* Copy K is offline, or some sector of the range has an I/O error
   pending on it: a direct read's bio to it may fail whole. */
static bool
copy_fails(struct fs *fs, struct fs_inode *ip, uint64_t off, uint64_t len,
    int k)
{
	const struct mirror *m = dev_mirror(fs, fs_dev(fs), k);
	uint64_t ss = fs_sectorsize(fs), size = inode_size(fs, ip);
	uint64_t end = range_end(off, len), logical;

	if (!dev_online(fs_dev(fs), k))
		return true;
	if (end > size)
		end = size;
	for (uint64_t p = range_round_down(off, ss); p < end; p += ss)
		if (sector_logical(fs, ip, p, &logical) &&
		    imap_covered(&m->ioerr, logical, logical + ss) != 0)
			return true;
	return false;
}

bool
read6_good_copy(struct fs *fs, struct fs_inode *ip, uint64_t off,
    uint64_t len)
{
	return good_except(fs, ip, off, len, 0);
}

bool
read6_direct_good(struct fs *fs, struct fs_inode *ip, uint64_t off,
    uint64_t len)
{
	if (!good_except(fs, ip, off, len, 0))
		return false;
	for (int k = 1; k <= copies(fs); k++)
		if (copy_fails(fs, ip, off, len, k) &&
		    !good_except(fs, ip, off, len, k))
			return false;
	return true;
}
