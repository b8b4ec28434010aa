/*
 * The 2008 writeback (writeback2008.h).
 */
#include <errno.h>

#include "alloc.h"
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
#include "quirk.h"
#include "range.h"
#include "wfault.h"
#include "writeback2008.h"

/* The bits of a content value that describe bytes (no page-cache flags). */
#define CONTENT_BYTES_AUX	(CONTENT_BYTE_MASK | CONTENT_FLIP)

int
writeback2008_drop_extents(struct fs *fs, struct fs_inode *ip,
    uint64_t start, uint64_t end)
{
	int r = fs_era(fs)->drop_extent_cache(fs, ip, start, end - 1);

	if (r != 0)
		return r;
	return fei_drop(inode_items(fs, ip), fs_alloc(fs), start, end);
}

/*
 * Write the page cache's content of file range [s, t) to every mirror at
 * LOGICAL, one bio per mirror, and record its checksums; -EIO if a mirror
 * was offline or a write fault failed its bio (wfault_write).
 */
static int
write_data(struct fs *fs, struct fs_inode *ip, uint64_t s, uint64_t t,
    uint64_t logical)
{
	uint64_t ss = fs_sectorsize(fs);
	const struct imap *pages = pcache_map(inode_pages(fs, ip));
	struct imap *csums;
	struct dev *d = fs_dev(fs);
	int status = 0;

	for (int k = 1; k <= (int)fs_cfg(fs)->mirrors; k++) {
		dev_add_bios(fs, d, k, (t - s) / ss);
		fs_emit(fs, TRACE_BIO_SUBMIT, inode_ino(ip), logical, s,
		    (uint64_t)k, TRACE_BIO_WRITE);
		if (wfault_write(fs, k, logical, pages, s, t, CONTENT_BYTES_AUX,
		    inode_ino(ip), s) != 0) {
			fs_emit(fs, TRACE_BIO_DONE, inode_ino(ip), logical, s,
			    (uint64_t)k, 1);
			fs_count(fs, STAT_WRITE_ERRORS, 1);
			status = -EIO;
		}
	}
	if (inode_nodatasum(ip))
		return status;
	csums = inode_csums(fs, ip);
	for (const struct imap_ent *e = imap_first_from(pages, s);
	    e != NULL && e->start < t; e = imap_next(pages, e)) {
		uint64_t a = e->start > s ? e->start : s;
		uint64_t b = e->end < t ? e->end : t;
		struct imap_val v = imap_val_at(e, a);

		if (v.aux & CONTENT_NOCSUM) {
			imap_clear(csums, a, b);
			continue;
		}
		v.aux &= CONTENT_BYTES_AUX;
		imap_set(csums, a, b, &v);
	}
	return status;
}

int
writeback2008_allocs_limit(struct fs *fs)
{
	return fs_invalid(fs, "the writeback needs more than %u allocations, "
	    "the most one dirty range may make: raise max_extent or write "
	    "less at once", FS_MAX_ALLOCS);
}

int
writeback2008_too_many_pieces(const struct fs *fs, uint64_t num_bytes)
{
	uint64_t me = fs_cfg(fs)->max_extent ? fs_cfg(fs)->max_extent : 1;

	return num_bytes / me + (num_bytes % me != 0) > FS_MAX_ALLOCS;
}

/*
 * cow_file_range(inode, start, end - 1) of the delalloc range [start, end):
 * allocate in max_extent pieces from the inode's hint, drop what was there
 * (cache and items), insert the new item, write the data and checksums.
 * Post-patch, the loop breaks when the allocator returned more than
 * remained; under alloc-underflow num_bytes wraps and the loop runs away.
 */
static int
cow_file_range(struct fs *fs, struct fs_inode *ip, uint64_t start,
    uint64_t end)
{
	uint64_t ss = fs_sectorsize(fs);
	const struct fs_config *cfg = fs_cfg(fs);
	bool underflow = fs_quirk(fs, QUIRK_ALLOC_UNDERFLOW);
	uint64_t num_bytes = range_round_up(end - start, ss);
	uint64_t hint = inode_alloc_hint(fs, ip);
	uint64_t total = fs_data_end(fs) - FS_DATA_BASE;
	uint64_t nallocs = 0;
	int status = 0, r;

	if (hint == 0)
		hint = FS_DATA_BASE;
	if (num_bytes == 0)
		num_bytes = ss;
	if (!underflow && num_bytes > total)
		return fs_oops(fs, "cow_file_range",
		    "BUG_ON(num_bytes > total_bytes)");
	if (writeback2008_too_many_pieces(fs, num_bytes))
		return writeback2008_allocs_limit(fs);
	if ((r = fs_extents_room(fs, num_bytes)) != 0)
		return r;
	while (num_bytes > 0) {
		uint64_t cur = num_bytes < cfg->max_extent ? num_bytes :
		    cfg->max_extent;
		static const struct imap_val mark = { 0, 0, 0, 0 };
		uint64_t ins, got, size;
		struct fei_item item;
		struct imap *unsure;

		/* Short allocations, or alloc-underflow's runaway. */
		if (nallocs++ == FS_MAX_ALLOCS)
			return writeback2008_allocs_limit(fs);
		if (alloc_reserve(fs_alloc(fs), cur, hint, &ins, &got) != 0)
			return fs_nospace(fs, FS_ENOSPC_ALLOC);
		fs_count(fs, STAT_ALLOCATIONS, 1);
		fs_emit(fs, TRACE_ALLOC, inode_ino(ip), ins, got, cur, hint);
		if (start + got < start)
			return fs_oops(fs, "cow_file_range",
			    "file offset overflow in the allocation loop");
		if ((r = writeback2008_drop_extents(fs, ip, start,
		    start + got)) != 0)
			return r;
		item = (struct fei_item){ .file_offset = start,
		    .num_bytes = got, .disk_bytenr = ins,
		    .disk_num_bytes = got, .offset = 0 };
		if (fei_insert(inode_items(fs, ip), &item) != 0)
			return fs_oops(fs, "cow_file_range",
			    "BUG_ON: inserting the file extent item failed");
		if (start < end &&
		    write_data(fs, ip, start, start + got < end ? start + got :
		    end, ins) != 0)
			status = -EIO;
		/*
		 * The item maps file bytes past the range to unwritten space:
		 * the oracle cannot vouch for them, up to i_size.
		 */
		size = inode_size(fs, ip);
		unsure = inode_unsure(fs, ip);
		if (start + got > end && (start > end ? start : end) <
		    (start + got < size ? start + got : size))
			imap_set(unsure, start > end ? start : end,
			    start + got < size ? start + got : size, &mark);
		inode_set_alloc_hint(fs, ip, ins + got);
		if (!underflow && num_bytes < got)
			break;	/* "num_bytes %Lu cur_alloc %Lu" */
		num_bytes -= got;
		hint = ins + got;
		start += got;
	}
	return status;
}

/*
 * One delalloc range [s, t) under fs_mutex: cow_file_range, then map the
 * written blocks through get_extent (one call per map covers many).
 */
static int
writeback_range(struct fs *fs, struct fs_inode *ip, uint64_t s, uint64_t t)
{
	uint64_t ss = fs_sectorsize(fs);
	int r, status;

	if ((r = meta_read(fs, ip, false)) != 0)
		return r;
	status = cow_file_range(fs, ip, s, t);
	if (status == FS_EOOPS || status == -ENOSPC || status == FS_EINVAL)
		return status;	/* the pages stay dirty */
	pcache_mark_clean(inode_pages(fs, ip), s, t);
	for (uint64_t p = s; p < t; ) {
		struct em_map *em;
		unsigned why = 0;

		r = fs_era(fs)->get_extent(fs, ip, p, t - p, false, &em, &why);
		if (r == FS_EOOPS)
			return r;
		if (r != 0 || em_end(em) <= p) {
			p += ss;
			continue;
		}
		p = em_end(em);
	}
	return status;
}

int
writeback2008_inode(struct fs *fs, struct fs_inode *ip)
{
	int status = 0;
	uint64_t at = 0;

	for (;;) {
		/* A maximal run of dirty pages, whatever their NOCSUM. */
		const struct imap_ent *e;
		uint64_t s, t;
		int r;

		e = pcache_dirty_from(inode_pages(fs, ip), at);
		if (e == NULL)
			break;
		s = e->start;
		t = e->end;
		conc_lock(fs, CONC_FS_MUTEX, NULL);
		r = writeback_range(fs, ip, s, t);
		conc_unlock(fs, CONC_FS_MUTEX, NULL);
		if (r == FS_EOOPS || r == -ENOSPC || r == FS_EDEADLK)
			return r;
		if (r != 0)
			status = r;
		at = t;
	}
	return status;
}

int
writeback2008_sync(struct fs *fs)
{
	int status = 0;

	for (size_t i = 0; i < fs_ninodes(fs); i++) {
		int r;

		if (i > 0)
			conc_preempt(fs);
		r = writeback2008_inode(fs, fs_inode(fs, (uint32_t)i + 1));
		if (r == FS_EOOPS || r == FS_EDEADLK)
			return r;
		if (r != 0 && status == 0)
			status = r;
	}
	return status;
}

/* The bytes cow_file_range may take for a dirty run of LEN bytes. */
static uint64_t
cow_bound(const struct fs *fs, uint64_t len)
{
	uint64_t ss = fs_sectorsize(fs);
	uint64_t total = fs_data_end(fs) - FS_DATA_BASE;
	uint64_t piece = fs_cfg(fs)->max_extent, pieces;

	if (piece > total)
		piece = total;
	pieces = len / piece + 1;
	return range_round_up(len, ss) + pieces * fs_cfg(fs)->alloc_align;
}

uint64_t
writeback2008_bound(struct fs *fs, uint64_t more)
{
	uint64_t ss = fs_sectorsize(fs);
	uint64_t n = more ? cow_bound(fs, more + 2 * ss) : 0;

	for (size_t i = 0; i < fs_ninodes(fs); i++) {
		const struct pcache *pc = inode_pages(fs,
		    fs_inode(fs, (uint32_t)i + 1));

		for (const struct imap_ent *e = pcache_dirty_from(pc, 0);
		    e != NULL; e = pcache_dirty_from(pc, e->end))
			n += cow_bound(fs, e->end - e->start);
	}
	return n;
}
