/*
 * The 2008 buffered read (read2008.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conc.h"
#include "content.h"
#include "em.h"
#include "era.h"
#include "fei.h"
#include "fs.h"
#include "imap.h"
#include "inode.h"
#include "meta.h"
#include "pcache.h"
#include "range.h"
#include "read2008.h"
#include "rng.h"

/*
 * Program points (sched_point()) of a read task.  Its stack, where it can
 * block, holds the statement's own values (the same in every run of the
 * task), the read loop's below, the page's read window (which the glue's
 * state hash has) and the bio it waits for (which the scheduler's has):
 * a point is where it is and the loop's values.  Blocking calls made
 * from elsewhere in the read (a metadata read inside get_extent) declare
 * nothing, and a state with the task there is not cached.
 */
struct read_loop {
	uint64_t	p;		/* the page it is at */
	uint64_t	end;		/* the range's end as i_size clips it */
	int		status;		/* -EIO once a page failed */
};

enum {
	PP_READ_PREEMPT = 0x52440001,	/* between pages */
	PP_READ_LOCK_PAGE,		/* lock_page() */
	PP_READ_FS_MUTEX,		/* fs_mutex for get_extent */
	PP_READ_CSUM_MUTEX,		/* fs_mutex for the csum lookup */
	PP_READ_BIO_WAIT		/* the page's bio */
};

/* Declare the read task at WHERE with the loop LP (NULL: not a read
 * task's own loop, nothing declared) and the frame's value X. */
static void
read_point(struct fs *fs, const struct read_loop *lp, uint64_t where,
    uint64_t x)
{
	uint64_t h;

	if (lp == NULL || fs_conc(fs) == NULL)
		return;
	h = rng_fold(rng_fold(where, lp->p), lp->end);
	conc_point(fs, rng_fold(rng_fold(h, (uint64_t)(int64_t)lp->status),
	    x));
}

/* The 2008 data read bio's fields, for a state hash (conc.h). */
static uint64_t
fs_bio_hash(const struct conc_bio *hdr)
{
	const struct fs_bio *b = (const struct fs_bio *)hdr;
	uint64_t h = rng_fold(inode_ino(b->ip), b->p);

	h = rng_fold(h, b->logical);
	h = rng_fold(h, (uint64_t)b->mirror << 1 | b->retry);
	h = rng_fold(h, (uint64_t)(int64_t)b->dev_status);
	h = rng_fold(h, (uint64_t)(int64_t)b->result);
	h = rng_fold(h, (uint64_t)b->dev_one << 1 | b->stale_rec);
	if (b->dev_one) {
		h = rng_fold(h, b->dev_desc.a);
		h = rng_fold(h, b->dev_desc.b);
		h = rng_fold(h, (uint64_t)b->dev_desc.kind << 32 |
		    b->dev_desc.aux);
	} else
		h = rng_fold(h, imap_hash(&b->data));
	return h;
}

bool
read2008_mapped(const struct fs *fs, uint64_t logical, uint64_t len)
{
	uint64_t end = fs_data_end(fs);

	return logical >= FS_DATA_BASE && logical <= end &&
	    len <= end - logical;
}

/* The data mirror 2008's btrfs_map_block picks for mirror_num 0: the
 * copy with the fewest bios so far, the first of equals. */
static int
default_mirror(struct fs *fs)
{
	uint64_t bios[FS_MAX_MIRRORS];
	int n = (int)fs_cfg(fs)->mirrors, best = 1;

	for (int k = 1; k <= n; k++)
		bios[k - 1] = dev_bios(fs, fs_dev(fs), k);
	for (int k = 2; k <= n; k++)
		if (bios[k - 1] < bios[best - 1])
			best = k;
	return best;
}

/* Keep a piece of what the mirror handed up (dev_describe's emit). */
static void
keep_piece(void *arg, uint64_t start, uint64_t end, const struct imap_val *v)
{
	imap_set(arg, start, end, v);
}

/*
 * The device completing bio B: the read itself, its bytes (for the
 * checksum) and its content (for the page).  Sequentially right after
 * the submission, under a scheduler when the device's action fires.
 */
static void
read_at_device(struct fs *fs, struct conc_bio *hdr)
{
	static _Thread_local uint8_t scratch[FS_MAX_SECTORSIZE];
	uint64_t ss = fs_sectorsize(fs);
	struct fs_bio *b = (struct fs_bio *)hdr;

	/*
	 * A scheduled bio gets its page's buffer only when one value is not
	 * all of its bytes (mirror_read_desc() makes none then): most never
	 * need one, and a read of many pages keeps every bio until the
	 * schedule ends.  What it hands up is the content as of the read:
	 * that one value, or the pieces dev_describe() gives now.
	 */
	b->dev_status = dev_read_desc(fs, fs_dev(fs), b->mirror, b->logical,
	    ss, b->hdr.buf != NULL ? b->hdr.buf : scratch, &b->dev_desc,
	    &b->dev_one);
	imap_destroy(&b->data);
	if (b->dev_status == 0 && !b->dev_one) {
		if (b->hdr.buf == NULL) {
			b->hdr.buf = conc_alloc(fs, ss);
			memcpy(b->hdr.buf, scratch, ss);
		}
		dev_describe(fs, fs_dev(fs), b->mirror, b->logical,
		    b->logical + ss, keep_piece, &b->data);
	}
	fs_emit(fs, TRACE_BIO_DONE, inode_ino(b->ip), b->logical, b->p,
	    (uint64_t)b->mirror, b->dev_status != 0);
	if (b->dev_status != 0)
		fs_count(fs, STAT_IO_ERRORS, 1);
}

/*
 * Submit the data read bio B (btrfs_map_bio): count it for the mirror
 * choice and the counters; sequentially the device reads at once, under
 * a scheduler the read happens when the device completes the posted bio.
 */
static void
bio_submit(struct fs *fs, struct fs_bio *b)
{
	dev_add_bios(fs, fs_dev(fs), b->mirror, 1);
	fs_count(fs, STAT_DATA_READS, 1);
	fs_emit(fs, TRACE_BIO_SUBMIT, inode_ino(b->ip), b->logical, b->p,
	    (uint64_t)b->mirror, b->retry ? TRACE_BIO_RETRY : TRACE_BIO_READ);
	if (fs_conc(fs) != NULL) {
		conc_bio_post(fs, &b->hdr, "data read", b->retry ?
		    " (retry)" : "");
		return;
	}
	read_at_device(fs, &b->hdr);
}

/*
 * end_bio_extent_readpage with the btrfs hooks, on the end-io worker:
 * verify the page; on a failure ask the retry hook and resubmit to the
 * mirror it names.  Returns 1 when a retry bio was submitted, else the
 * page's final status, also left in b->result: 0 (its content is then in
 * the page cache), -EIO, FS_EOOPS or FS_EDEADLK.
 */
static int
end_bio_readpage(struct fs *fs, struct fs_bio *b)
{
	uint64_t ss = fs_sectorsize(fs);
	const struct era_ops *era = fs_era(fs);
	struct fs_inode *ip = b->ip;
	uint64_t p = b->p, logical = 0;
	bool zeroit = false;
	int r = b->dev_status;

	if (r == 0)
		r = era->readpage_end_io_hook(fs, ip, p, b->mirror, b->hdr.buf,
		    b->dev_one ? &b->dev_desc : NULL, &zeroit);
	if (r == 0) {
		/*
		 * btrfs_clean_io_failures() runs only after a checksum
		 * matched: the nodatasum and no-checksum returns of the
		 * end_io hook skip it, and a retry's record stays behind.
		 */
		if (!inode_nodatasum(ip) && !zeroit)
			imap_clear(inode_failrec(fs, ip), p, p + ss);
		if (zeroit) {
			struct imap_val v = content_fill(0x01);

			pcache_set(inode_pages(fs, ip), p, p + ss, &v);
			inode_mark_unsure(fs, ip, p, p + ss);
		} else if (b->dev_one)
			pcache_set(inode_pages(fs, ip), p, p + ss,
			    &b->dev_desc);
		else
			for (const struct imap_ent *e = imap_first(&b->data);
			    e != NULL; e = imap_next(&b->data, e))
				pcache_set(inode_pages(fs, ip), e->start +
				    (p - b->logical), e->end + (p - b->logical),
				    &e->v);
		b->res->served |= 1u << (b->mirror - 1);
		return b->result = 0;
	}
	r = era->readpage_io_failed_hook(fs, b, &logical);
	if (r < 0) {
		if (r == -EIO)
			fs_emit(fs, TRACE_EIO, inode_ino(ip), 0, p, 0, 0);
		return b->result = r;
	}
	if (!read2008_mapped(fs, logical, ss))
		return b->result = fs_oops(fs, "btrfs_map_block",
		    "unable to find logical (no chunk maps it)");
	b->mirror = r > (int)fs_cfg(fs)->mirrors ? 1 : r;
	b->logical = logical;
	b->retry = true;
	bio_submit(fs, b);
	return 1;
}

void
read2008_end_io(struct fs *fs, struct conc_bio *hdr)
{
	if (end_bio_readpage(fs, (struct fs_bio *)hdr) != 1)
		conc_bio_done(fs, hdr);
}

/* The bio's content goes with it (when the schedule ends, under one). */
static void
read_release(struct conc_bio *hdr)
{
	imap_destroy(&((struct fs_bio *)hdr)->data);
}

/*
 * btrfs_get_extent of the page at P, which in 2008 ran under fs_mutex
 * from its entry: 0 with the page's *LOGICAL block and whether it is
 * *REAL (not a hole), or get_extent's error (causes in RES).
 */
static int
map_page(struct fs *fs, struct fs_inode *ip, uint64_t p,
    struct fs_read_result *res, uint64_t *logical, bool *real)
{
	struct em_map *em;
	int r;

	conc_lock(fs, CONC_FS_MUTEX, NULL);
	r = fs_era(fs)->get_extent(fs, ip, p, fs_sectorsize(fs), false, &em,
	    &res->eio);
	if (r == 0 && (*real = em_is_real(em)))
		*logical = em->block_start + (p - em->start);
	conc_unlock(fs, CONC_FS_MUTEX, NULL);
	return r;
}

/* btrfs_readpage_io_hook's checksum lookup, under fs_mutex: it may read
 * the inode's metadata, and waits for that read. */
static int
readpage_io_hook(struct fs *fs, struct fs_inode *ip)
{
	int r;

	conc_lock(fs, CONC_FS_MUTEX, NULL);
	r = meta_read(fs, ip, false);
	conc_unlock(fs, CONC_FS_MUTEX, NULL);
	return r;
}

/* Under a scheduler, sleep until B's completion, retries included, is
 * done (the reader's wait_on_page_locked): its final status. */
static int
wait_page_read(struct fs *fs, struct fs_bio *b)
{
	conc_bio_wait(fs, &b->hdr);
	return b->result;
}

/*
 * extent_read_full_page of the page at P with the btrfs hooks, inside its
 * read window: get_extent, the checksum lookup, the data bio and its
 * completion with retries.
 */
static int
read_page_in(struct fs *fs, struct fs_inode *ip, uint64_t p, int pin,
    struct fs_read_result *res, struct conc_window *win,
    const struct read_loop *lp)
{
	/* A sequential bio's page; its completion runs before any other
	 * read_page_in() on this thread. */
	static _Thread_local uint8_t buf[FS_MAX_SECTORSIZE];
	uint64_t ss = fs_sectorsize(fs);
	struct fs_bio frame, *b;
	uint64_t logical = 0;
	bool real = false;
	int r;

	read_point(fs, lp, PP_READ_FS_MUTEX, 0);
	r = map_page(fs, ip, p, res, &logical, &real);
	if (r == -EEXIST)
		r = -EIO;	/* an error map fails the page (2008's
				   __extent_read_full_page) */
	if (r != 0)
		return r;
	if (!real) {
		struct imap_val zero = content_fill(0);

		pcache_set(inode_pages(fs, ip), p, p + ss, &zero);
		return 0;
	}
	if (!inode_nodatasum(ip)) {
		read_point(fs, lp, PP_READ_CSUM_MUTEX, logical);
		if ((r = readpage_io_hook(fs, ip)) != 0)
			return r;
	}
	if (!read2008_mapped(fs, logical, ss))
		return fs_oops(fs, "btrfs_map_block",
		    "unable to find logical (no chunk maps it)");
	b = (struct fs_bio *)conc_bio_new(fs, sizeof(*b), 0);
	if (b == NULL) {
		memset(&frame, 0, sizeof(frame));
		frame.hdr.fs = fs;
		frame.hdr.buf = buf;
		b = &frame;
	}
	imap_init(&b->data);
	b->hdr.release = read_release;
	b->hdr.at_device = read_at_device;
	b->hdr.at_worker = fs_era(fs)->read_end_io;
	b->hdr.hash = fs_bio_hash;
	b->ip = ip;
	b->p = p;
	b->logical = logical;
	b->mirror = pin > 0 ? pin : default_mirror(fs);
	if (b->mirror > (int)fs_cfg(fs)->mirrors)
		b->mirror = 1;	/* mirror_num > num_stripes: 0 */
	b->res = res;
	b->win = win;
	res->device_pages++;
	bio_submit(fs, b);
	if (fs_conc(fs) != NULL) {
		/* Sleep until the completion (retries included) is done. */
		read_point(fs, lp, PP_READ_BIO_WAIT, 0);
		return wait_page_read(fs, b);
	}
	while ((r = end_bio_readpage(fs, b)) == 1)
		;
	read_release(&b->hdr);
	return r;
}

/* read2008_page() of a read task's loop LP (NULL from elsewhere). */
static int
read_page(struct fs *fs, struct fs_inode *ip, uint64_t p, int pin,
    struct fs_read_result *res, const struct read_loop *lp)
{
	struct conc_window win;
	int r;

	conc_window_open(fs, &win, ip, p);
	r = read_page_in(fs, ip, p, pin, res, &win, lp);
	conc_window_close(fs, &win);
	return r;
}

int
read2008_page(struct fs *fs, struct fs_inode *ip, uint64_t p, int pin,
    struct fs_read_result *res)
{
	return read_page(fs, ip, p, pin, res, NULL);
}

/*
 * Compare the returned bytes [s, t) of the page cache with the file: by
 * their descriptions where they agree (content_compare()), so that an
 * intact page costs no bytes.
 */
static void
check_returned(struct fs *fs, struct fs_inode *ip, uint64_t s, uint64_t t,
    struct fs_read_result *res)
{
	uint64_t ss = fs_sectorsize(fs);
	uint32_t sectorsize = fs_cfg(fs)->sectorsize;

	if (!content_compare(pcache_map(inode_pages(fs, ip)), s,
	    inode_data(fs, ip), s, t - s, sectorsize, &res->uniform)) {
		uint64_t p = range_round_down(s, ss);

		res->intact = false;
		/* Unchecksummed pages are not verified, by design. */
		if (!inode_nodatasum(ip) &&
		    imap_covered(inode_csums(fs, ip), p, p + ss) ==
		    ss &&
		    imap_covered(inode_unsure(fs, ip), p, p + ss) == 0)
			res->wrong_pages++;
	}
}

int
read2008_read(struct fs *fs, struct fs_inode *ip,
    const struct fs_read_opts *o, struct fs_read_result *res)
{
	uint64_t off = o->off, len = o->len;
	int mirror = o->mirror;
	bool want_data = o->want_data;
	uint64_t ss = fs_sectorsize(fs);
	uint64_t end = off + len < off ? UINT64_MAX : off + len;
	uint64_t first = range_round_down(off, ss), size;
	int status = 0;
	struct read_loop lp;

	res->intact = true;
	res->uniform = -2;
	if (end > (size = inode_size(fs, ip)))
		end = size;
	if (off >= end) {
		res->uniform = -1;
		return 0;	/* at or past EOF: nothing to return */
	}
	/* Work limit (fs.h); end <= i_size <= 2^63, so no overflow. */
	if ((end - first + ss - 1) / ss > FS_MAX_READ_PAGES)
		return fs_invalid(fs, "the read covers more than %u pages, "
		    "the most one read may: read a smaller range",
		    FS_MAX_READ_PAGES);
	/* Every page of the range is read, as readahead would; EIO if one
	 * fails. */
	for (uint64_t p = first; p < end; p += ss) {
		int r = 0;

		lp = (struct read_loop){ .p = p, .end = end, .status = status };
		if (p > first) {
			read_point(fs, &lp, PP_READ_PREEMPT, 0);
			conc_preempt(fs);	/* between pages */
		}
		read_point(fs, &lp, PP_READ_LOCK_PAGE, 0);
		conc_lock_page(fs, ip, p);
		/* do_generic_mapping_read: i_size again for every page. */
		if (end > (size = inode_size(fs, ip)))
			end = size;
		if (p >= end || off >= end) {
			conc_unlock_page(fs, ip, p);	/* truncated meanwhile */
			break;
		}
		lp.end = end;
		if (!pcache_uptodate(inode_pages(fs, ip), p, ss))
			r = read_page(fs, ip, p, mirror, res, &lp);
		conc_unlock_page(fs, ip, p);
		if (r == FS_EOOPS || r == FS_EDEADLK)
			return r;
		if (r != 0) {
			status = -EIO;
			continue;
		}
		if (want_data)
			check_returned(fs, ip, p > off ? p : off,
			    p + ss < end ? p + ss : end, res);
		res->bytes += (p + ss < end ? p + ss : end) -
		    (p > off ? p : off);
	}
	if (res->uniform == -2)
		res->uniform = -1;
	if (status != 0)
		fs_count(fs, STAT_EIO, 1);
	return status;
}

bool
read2008_good_copy(struct fs *fs, struct fs_inode *ip, uint64_t off,
    uint64_t len)
{
	uint64_t ss = fs_sectorsize(fs);
	uint64_t end = off + len < off ? UINT64_MAX : off + len;
	uint32_t sectorsize = fs_cfg(fs)->sectorsize;
	uint8_t want[FS_MAX_SECTORSIZE];
	uint64_t size = inode_size(fs, ip);

	if (end > size)
		end = size;
	/* The read itself refuses more (FS_MAX_READ_PAGES): not known. */
	if (off < end && (end - range_round_down(off, ss) - 1) / ss >=
	    FS_MAX_READ_PAGES)
		return false;
	for (uint64_t p = range_round_down(off, ss); p < end; p += ss) {
		const struct fei_item *it = fei_lookup(inode_items(fs, ip), p);
		uint64_t logical, n = ss;
		bool good = false;

		if (pcache_uptodate(inode_pages(fs, ip), p, ss) ||
		    it == NULL || it->disk_bytenr == 0)
			continue;
		if (imap_covered(inode_unsure(fs, ip), p, p + ss) != 0)
			return false;
		logical = it->disk_bytenr + it->offset + (p - it->file_offset);
		if (!read2008_mapped(fs, logical, ss))
			return false;
		if (!inode_nodatasum(ip) &&
		    imap_covered(inode_csums(fs, ip), p, p + ss) == ss)
			/* What the end_io hook will compare against. */
			content_read_map(inode_csums(fs, ip), p, n, sectorsize,
			    want);
		else {
			/* Unchecksummed: the file's bytes, as far as EOF. */
			content_read_map(inode_data(fs, ip), p, n, sectorsize,
			    want);
			if (p + n > size)
				n = size - p;
		}
		for (int k = 1; k <= (int)fs_cfg(fs)->mirrors && !good; k++)
			good = dev_sector_good(fs, fs_dev(fs), k, logical,
			    ss, want, n);
		if (!good)
			return false;
	}
	return true;
}
