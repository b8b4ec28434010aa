/*
 * The 2008 data-read hooks (retry2008.h).
 */
#include <errno.h>
#include <string.h>

#include "conc.h"
#include "content.h"
#include "csum.h"
#include "em.h"
#include "era.h"
#include "fs.h"
#include "imap.h"
#include "inode.h"
#include "quirk.h"
#include "read2008.h"
#include "retry2008.h"
#include "sumcache.h"

/*
 * The checksum the sector at P should have (CSUMS covers it whole; E is
 * its entry holding P), the page's bytes (DESC, or NULL, the value they
 * are) having HAVE.
 */
static uint32_t
expected_sum(struct fs *fs, const struct imap *csums, uint64_t p,
    const struct imap_ent *e, const struct imap_val *desc, uint32_t have)
{
	static _Thread_local uint8_t want[FS_MAX_SECTORSIZE];
	const struct fs_config *cfg = fs_cfg(fs);
	uint32_t ss = cfg->sectorsize, sum;
	struct imap_val rec, flipped;

	if (e == NULL || e->end - p < ss) {
		/* Recorded in pieces: materialize them. */
		content_read_map(csums, p, ss, ss, want);
		return csum_compute(cfg->csum, want, ss);
	}
	rec = imap_val_at(e, p);
	if (desc != NULL && content_desc_equal(desc, &rec))
		return have;
	flipped = rec;
	flipped.aux ^= CONTENT_FLIP;
	if (desc != NULL && content_desc_equal(desc, &flipped)) {
		/* The page is REC with its first bit flipped (sumcache.h). */
		sum = have ^ sumcache_flip_delta(fs_sumcache(fs), ss,
		    cfg->csum);
		sumcache_put(fs_sumcache(fs), &rec, ss, cfg->csum, sum);
		return sum;
	}
	return sumcache_get(fs_sumcache(fs), &rec, ss, cfg->csum);
}

int
retry2008_end_io_hook(struct fs *fs, struct fs_inode *ip, uint64_t p,
    int mirror, const uint8_t *buf, const struct imap_val *desc,
    bool *zeroit)
{
	const struct fs_config *cfg = fs_cfg(fs);
	uint32_t ss = cfg->sectorsize, have_sum, want_sum;
	const struct imap_ent *e;
	struct imap *csums;

	*zeroit = false;
	if (inode_nodatasum(ip))
		return 0;
	csums = inode_csums(fs, ip);
	e = imap_find(csums, p);
	if ((e == NULL || e->end - p < ss) &&
	    imap_covered(csums, p, p + ss) != ss) {
		/* private == 0: no checksum recorded for this sector. */
		*zeroit = true;
		if (fs_quirk(fs, QUIRK_NOCSUM_EIO)) {
			fs_count(fs, STAT_CSUM_ERRORS, 1);
			fs_emit(fs, TRACE_CSUM, inode_ino(ip), 0, p,
			    (uint64_t)mirror, TRACE_CSUM_NONE_EIO);
			return -EIO;
		}
		fs_emit(fs, TRACE_CSUM, inode_ino(ip), 0, p, (uint64_t)mirror,
		    TRACE_CSUM_NONE);
		return 0;
	}
	/* The page's own sum, as the hook computes it: from the bytes, or,
	 * when one value is all of them, of that value (sumcache.h). */
	have_sum = desc != NULL ? sumcache_get(fs_sumcache(fs), desc, ss,
	    cfg->csum) : csum_compute(cfg->csum, buf, ss);
	want_sum = expected_sum(fs, csums, p, e, desc, have_sum);
	if (have_sum == want_sum) {
		fs_emit(fs, TRACE_CSUM, inode_ino(ip), 0, p, (uint64_t)mirror,
		    TRACE_CSUM_OK);
		return 0;
	}
	fs_count(fs, STAT_CSUM_ERRORS, 1);
	fs_emit(fs, TRACE_CSUM, inode_ino(ip), 0, p, (uint64_t)mirror,
	    TRACE_CSUM_BAD);
	*zeroit = true;
	return -EIO;
}

/*
 * The old first-failure lookup (retry-get-extent): btrfs_get_extent under
 * fs_mutex, from the end-io worker.  0 with *LOGICAL, or a status.
 */
static int
lookup_by_get_extent(struct fs *fs, struct fs_bio *b, uint64_t *logical)
{
	struct fs_inode *ip = b->ip;
	struct em_map *em = NULL;
	uint64_t p = b->p;
	int r;

	conc_lock(fs, CONC_FS_MUTEX, NULL);
	r = fs_era(fs)->get_extent(fs, ip, p, fs_cfg(fs)->sectorsize, true,
	    &em, &b->res->eio);
	if (r == 0)
		*logical = em->block_start + (p - em->start);
	conc_unlock(fs, CONC_FS_MUTEX, NULL);
	b->res->lookups |= FS_LOOKUP_GET_EXTENT;
	if (r == FS_EDEADLK) {
		fs_emit(fs, TRACE_DEADLOCK, inode_ino(ip), 0, p, 0, 0);
		return r;
	}
	fs_emit(fs, TRACE_LOOKUP, inode_ino(ip), r == 0 ? *logical : 0, p,
	    TRACE_LOOKUP_GET_EXTENT, r == 0);
	if (r != 0) {
		b->res->eio |= FS_EIO_RETRY_GET_EXTENT;
		return -EIO;
	}
	return 0;
}

/*
 * The post-patch first-failure lookup: the extent map cache only, under
 * its spinlock.  DROPPED: a cache drop covered the page in flight.  0
 * with *LOGICAL, or a status.
 */
static int
lookup_in_cache(struct fs *fs, struct fs_bio *b, bool dropped,
    uint64_t *logical)
{
	struct fs_inode *ip = b->ip;
	uint64_t p = b->p;
	struct em_map *em;

	conc_lock(fs, CONC_EM_LOCK, ip);
	em = em_lookup(inode_em(fs, ip), p, fs_cfg(fs)->sectorsize);
	b->res->lookups |= FS_LOOKUP_CACHE;
	if (em == NULL && fs_quirk(fs, QUIRK_RETRY_MISS_OOPS)) {
		conc_unlock(fs, CONC_EM_LOCK, ip);
		return fs_oops(fs, "btrfs_io_failed_hook",
		    "NULL pointer dereference: em->start read before the "
		    "lookup result was checked");
	}
	if (em == NULL || em->start > p || em_end(em) < p) {
		conc_unlock(fs, CONC_EM_LOCK, ip);
		fs_count(fs, STAT_RETRY_CACHE_MISSES, 1);
		fs_emit(fs, TRACE_LOOKUP, inode_ino(ip), 0, p,
		    TRACE_LOOKUP_CACHE, 0);
		b->res->eio |= dropped ? FS_EIO_RETRY_DROPPED :
		    FS_EIO_RETRY_LOST;
		return -EIO;
	}
	*logical = em->block_start + (p - em->start);
	conc_unlock(fs, CONC_EM_LOCK, ip);
	fs_count(fs, STAT_RETRY_CACHE_HITS, 1);
	fs_emit(fs, TRACE_LOOKUP, inode_ino(ip), *logical, p,
	    TRACE_LOOKUP_CACHE, 1);
	return 0;
}

int
retry2008_io_failed_hook(struct fs *fs, struct fs_bio *b, uint64_t *logical)
{
	struct fs_inode *ip = b->ip;
	uint32_t ss = fs_cfg(fs)->sectorsize;
	uint64_t p = b->p, last_mirror;
	bool dropped = conc_window_dropped(fs, b->win);
	const struct imap_ent *rec;
	struct imap *failrec;
	struct imap_val v;
	int r;

	rec = imap_find(inode_failrec(fs, ip), p);
	if (rec != NULL && !b->retry)
		b->stale_rec = true;
	if (rec == NULL) {
		uint64_t at = 0;

		r = fs_quirk(fs, QUIRK_RETRY_GET_EXTENT) ?
		    lookup_by_get_extent(fs, b, &at) :
		    lookup_in_cache(fs, b, dropped, &at);
		if (r != 0)
			return r;
		v = (struct imap_val){ .a = at, .b = 0, .kind = INODE_FAILREC };
		failrec = inode_failrec(fs, ip);	/* after the locks */
		imap_set(failrec, p, p + ss, &v);
		rec = imap_find(failrec, p);
	}
	failrec = inode_failrec(fs, ip);
	v = rec->v;
	last_mirror = v.b + 1;
	if (last_mirror > fs_cfg(fs)->mirrors) {
		fs_emit(fs, TRACE_RETRY_GIVE_UP, inode_ino(ip), 0, p,
		    last_mirror - 1, fs_cfg(fs)->mirrors);
		imap_clear(failrec, p, p + ss);
		b->res->eio |= b->stale_rec ? FS_EIO_STALE_FAILREC :
		    FS_EIO_NO_GOOD_MIRROR;
		return -EIO;
	}
	v.b = last_mirror;
	imap_set(failrec, p, p + ss, &v);
	*logical = v.a;
	fs_count(fs, STAT_RETRIES, 1);
	b->res->retries++;
	fs_emit(fs, TRACE_RETRY, inode_ino(ip), v.a, p, last_mirror, 0);
	return (int)last_mirror;
}
