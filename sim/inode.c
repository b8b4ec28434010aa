/*
 * An inode of the model (inode.h): its layout, and the accessors that
 * record each object in the running step's footprint (foot.h) before
 * handing it out.
 */
#include <stdlib.h>

#include "content.h"
#include "em.h"
#include "fei.h"
#include "foot.h"
#include "fs.h"
#include "imap.h"
#include "inode.h"
#include "pcache.h"
#include "range.h"
#include "rng.h"
#include "track.h"
#include "xmalloc.h"

struct fs_inode {
	uint32_t	ino;		/* 1-based */
	bool		nodatasum;	/* never checksummed or verified */
	uint64_t	i_size;
	struct fei_tree	items;
	struct em_tree	em;
	struct pcache	pages;
	struct imap	csums;
	struct imap	data;
	struct imap	failrec;
	struct imap	unsure;
	struct imap	ondisk;
	struct imap	present;
	bool		meta_cached;
	uint64_t	alloc_hint;
	/* The invariant checker's tracker (track.h), and whether its maps or
	 * items were handed out since the checker last looked. */
	struct track	*track;
	bool		touched;
};

struct fs_inode *
inode_new(uint32_t ino, bool nodatasum)
{
	struct fs_inode *ip = xcalloc(1, sizeof(*ip));

	ip->ino = ino;
	ip->nodatasum = nodatasum;
	fei_init(&ip->items);
	em_tree_init(&ip->em);
	pcache_init(&ip->pages);
	imap_init(&ip->csums);
	imap_init(&ip->data);
	imap_init(&ip->failrec);
	imap_init(&ip->unsure);
	imap_init(&ip->ondisk);
	imap_init(&ip->present);
	ip->meta_cached = true;		/* create leaves it cached */
	return ip;
}

void
inode_free(struct fs_inode *ip)
{
	if (ip == NULL)
		return;
	fei_destroy(&ip->items);
	em_tree_destroy(&ip->em);
	pcache_destroy(&ip->pages);
	imap_destroy(&ip->csums);
	imap_destroy(&ip->data);
	imap_destroy(&ip->failrec);
	imap_destroy(&ip->unsure);
	imap_destroy(&ip->ondisk);
	imap_destroy(&ip->present);
	free(ip);
}

struct fs_inode *
inode_clone(const struct fs_inode *s)
{
	struct fs_inode *d = xmalloc(sizeof(*d));

	*d = *s;
	fei_clone(&d->items, &s->items);
	em_tree_clone(&d->em, &s->em);
	pcache_clone(&d->pages, &s->pages);
	imap_clone(&d->csums, &s->csums);
	imap_clone(&d->data, &s->data);
	imap_clone(&d->failrec, &s->failrec);
	imap_clone(&d->unsure, &s->unsure);
	imap_clone(&d->ondisk, &s->ondisk);
	imap_clone(&d->present, &s->present);
	inode_set_track(d, NULL);
	return d;
}

void
inode_set_track(struct fs_inode *ip, struct track *track)
{
	ip->track = track;
	fei_set_track(&ip->items, track);
}

/* The maps or items go out: the checker will look at what changed. */
static void
note_touched(struct fs_inode *ip)
{
	if (!ip->touched && ip->track != NULL) {
		ip->touched = true;
		track_inode(ip->track, ip->ino);
	}
}

uint64_t
inode_hash(const struct fs_inode *ip)
{
	const struct imap *maps[] = { &ip->csums, &ip->data, &ip->failrec,
	    &ip->unsure, &ip->ondisk, &ip->present };
	uint64_t h = rng_fold(ip->ino, ip->nodatasum);

	h = rng_fold(h, ip->i_size);
	h = rng_fold(h, fei_hash(&ip->items));
	h = rng_fold(h, em_tree_hash(&ip->em));
	h = rng_fold(h, pcache_hash(&ip->pages));
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
		h = rng_fold(h, imap_hash(maps[i]));
	h = rng_fold(h, ip->meta_cached);
	return rng_fold(h, ip->alloc_hint);
}

void
inode_count_refs(const struct fs_inode *ip, struct track *t)
{
	for (const struct fei_item *it = fei_first(&ip->items); it != NULL;
	    it = fei_next(&ip->items, it))
		if (it->disk_bytenr != 0)
			track_ref(t, it->disk_bytenr, 1);
}

void
inode_settle(struct fs_inode *ip)
{
	ip->touched = false;
	em_settle(&ip->em);
	fei_settle(&ip->items);
}

uint32_t
inode_ino(const struct fs_inode *ip)
{
	return ip->ino;
}

bool
inode_nodatasum(const struct fs_inode *ip)
{
	return ip->nodatasum;
}

uint64_t
inode_size(const struct fs *fs, const struct fs_inode *ip)
{
	foot_touch(fs, FOOT_SIZE, ip->ino, 0);
	return ip->i_size;
}

void
inode_set_size(const struct fs *fs, struct fs_inode *ip, uint64_t size)
{
	foot_touch(fs, FOOT_SIZE, ip->ino, 0);
	ip->i_size = size;
}

bool
inode_meta_cached(const struct fs *fs, const struct fs_inode *ip)
{
	foot_touch(fs, FOOT_META, ip->ino, 0);
	return ip->meta_cached;
}

void
inode_set_meta_cached(const struct fs *fs, struct fs_inode *ip, bool cached)
{
	foot_touch(fs, FOOT_META, ip->ino, 0);
	ip->meta_cached = cached;
}

uint64_t
inode_alloc_hint(const struct fs *fs, const struct fs_inode *ip)
{
	foot_touch(fs, FOOT_ITEMS, ip->ino, 0);
	return ip->alloc_hint;
}

void
inode_set_alloc_hint(const struct fs *fs, struct fs_inode *ip, uint64_t hint)
{
	foot_touch(fs, FOOT_ITEMS, ip->ino, 0);
	ip->alloc_hint = hint;
}

struct pcache *
inode_pages(const struct fs *fs, struct fs_inode *ip)
{
	foot_touch(fs, FOOT_PAGES, ip->ino, 0);
	return &ip->pages;
}

struct imap *
inode_data(const struct fs *fs, struct fs_inode *ip)
{
	foot_touch(fs, FOOT_PAGES, ip->ino, 0);
	return &ip->data;
}

struct imap *
inode_unsure(const struct fs *fs, struct fs_inode *ip)
{
	foot_touch(fs, FOOT_PAGES, ip->ino, 0);
	return &ip->unsure;
}

struct imap *
inode_ondisk(const struct fs *fs, struct fs_inode *ip)
{
	foot_touch(fs, FOOT_PAGES, ip->ino, 0);
	return &ip->ondisk;
}

struct imap *
inode_present(const struct fs *fs, struct fs_inode *ip)
{
	foot_touch(fs, FOOT_PAGES, ip->ino, 0);
	return &ip->present;
}

struct imap *
inode_csums(const struct fs *fs, struct fs_inode *ip)
{
	foot_touch(fs, FOOT_CSUMS, ip->ino, 0);
	return &ip->csums;
}

struct imap *
inode_failrec(const struct fs *fs, struct fs_inode *ip)
{
	foot_touch(fs, FOOT_FAILREC, ip->ino, 0);
	return &ip->failrec;
}

struct em_tree *
inode_em(const struct fs *fs, struct fs_inode *ip)
{
	foot_touch(fs, FOOT_EM, ip->ino, 0);
	note_touched(ip);
	return &ip->em;
}

struct fei_tree *
inode_items(const struct fs *fs, struct fs_inode *ip)
{
	foot_touch(fs, FOOT_ITEMS, ip->ino, 0);
	note_touched(ip);
	return &ip->items;
}

void
inode_mark_unsure(const struct fs *fs, struct fs_inode *ip, uint64_t s,
    uint64_t t)
{
	static const struct imap_val mark = { 0, 0, 0, 0 };

	if (s < t)
		imap_set(inode_unsure(fs, ip), s, t, &mark);
}

void
inode_write_bytes(struct fs *fs, struct fs_inode *ip, uint64_t off,
    uint64_t len, int fill, bool nocsum)
{
	uint64_t ss = fs_sectorsize(fs), end = off + len;
	uint64_t first = range_round_down(off, ss);
	uint64_t last = range_round_down(end - 1, ss);
	struct imap_val v;

	/*
	 * Generated bytes come from the fs's one stream (content.h): an
	 * append continues its predecessor's values, so the runs of both
	 * merge in every map, and the bytes differ from what they replace.
	 */
	v = fill >= 0 ? content_fill((unsigned)fill) :
	    content_stream_take(fs_gen(fs), inode_data(fs, ip), off, len,
	    (uint32_t)ss);
	imap_set(inode_data(fs, ip), off, end, &v);
	if (range_round_up(off, ss) < range_round_down(end, ss))
		imap_clear(inode_unsure(fs, ip), range_round_up(off, ss),
		    range_round_down(end, ss));
	pcache_set(inode_pages(fs, ip), off, end, &v);
	pcache_mark_dirty(inode_pages(fs, ip), first, last + ss, nocsum);
	if (end > inode_size(fs, ip))
		inode_set_size(fs, ip, end);
}

int
inode_check(const struct fs_inode *ip, uint32_t pagesize, const char **why)
{
	if (fei_check(&ip->items, why) != 0 || em_check(&ip->em, why) != 0 ||
	    pcache_check(&ip->pages, why) != 0 ||
	    imap_check(&ip->csums, why) != 0 ||
	    imap_check(&ip->data, why) != 0 ||
	    imap_check(&ip->failrec, why) != 0 ||
	    imap_check(&ip->unsure, why) != 0 ||
	    imap_check(&ip->ondisk, why) != 0 ||
	    imap_check(&ip->present, why) != 0)
		return -1;
	for (const struct imap_ent *e = imap_first(&ip->failrec); e != NULL;
	    e = imap_next(&ip->failrec, e)) {
		if (e->start % pagesize != 0 || e->end % pagesize != 0) {
			*why = "a failure record does not cover whole pages";
			return -1;
		}
		if (e->v.kind != INODE_FAILREC) {
			*why = "a failure record has the wrong kind";
			return -1;
		}
	}
	return 0;
}
