/*
 * The page cache of one inode (pcache.h): the content map and its exact
 * dirty shadow.
 */
#include <stddef.h>

#include "content.h"
#include "pcache.h"
#include "rng.h"

void
pcache_init(struct pcache *pc)
{
	imap_init(&pc->pages);
	imap_init(&pc->dirty);
}

void
pcache_destroy(struct pcache *pc)
{
	imap_destroy(&pc->pages);
	imap_destroy(&pc->dirty);
}

void
pcache_clone(struct pcache *dst, const struct pcache *src)
{
	imap_clone(&dst->pages, &src->pages);
	imap_clone(&dst->dirty, &src->dirty);
}

void
pcache_set(struct pcache *pc, uint64_t s, uint64_t t,
    const struct imap_val *v)
{
	static const struct imap_val mark = { 0, 0, 0, 0 };

	imap_set(&pc->pages, s, t, v);
	if (v->aux & CONTENT_DIRTY)
		imap_set(&pc->dirty, s, t, &mark);
	else
		imap_clear(&pc->dirty, s, t);
}

void
pcache_clear(struct pcache *pc, uint64_t s, uint64_t t)
{
	imap_clear(&pc->pages, s, t);
	imap_clear(&pc->dirty, s, t);
}

bool
pcache_uptodate(const struct pcache *pc, uint64_t p, uint64_t pagesize)
{
	return imap_find(&pc->pages, p) != NULL &&
	    imap_covered(&pc->pages, p, p + pagesize) == pagesize;
}

void
pcache_mark_dirty(struct pcache *pc, uint64_t s, uint64_t t, bool nocsum)
{
	while (s < t) {
		const struct imap_ent *e = imap_first_from(&pc->pages, s);
		struct imap_val v;
		uint64_t b;

		if (e == NULL || e->start >= t)
			return;
		if (e->start > s)
			s = e->start;
		b = e->end < t ? e->end : t;
		v = imap_val_at(e, s);
		v.aux |= CONTENT_DIRTY;
		if (nocsum)
			v.aux |= CONTENT_NOCSUM;
		pcache_set(pc, s, b, &v);
		s = b;
	}
}

void
pcache_mark_clean(struct pcache *pc, uint64_t s, uint64_t t)
{
	for (;;) {
		const struct imap_ent *e = imap_first_from(&pc->pages, s);
		struct imap_val v;
		uint64_t a, b;

		while (e != NULL && e->start < t && !(e->v.aux & CONTENT_DIRTY))
			e = imap_next(&pc->pages, e);
		if (e == NULL || e->start >= t)
			return;
		a = e->start > s ? e->start : s;
		b = e->end < t ? e->end : t;
		v = imap_val_at(e, a);
		v.aux &= ~(CONTENT_DIRTY | CONTENT_NOCSUM);
		pcache_set(pc, a, b, &v);
		s = b;
	}
}

void
pcache_drop_clean(struct pcache *pc)
{
	struct imap keep;

	imap_init(&keep);
	for (const struct imap_ent *e = imap_first(&pc->pages); e != NULL;
	    e = imap_next(&pc->pages, e))
		if (e->v.aux & CONTENT_DIRTY)
			imap_set(&keep, e->start, e->end, &e->v);
	imap_destroy(&pc->pages);
	pc->pages = keep;
}

void
pcache_drop_clean_range(struct pcache *pc, uint64_t s, uint64_t t)
{
	uint64_t at = s;

	/* Clear the gaps between dirty runs. */
	while (at < t) {
		const struct imap_ent *d = imap_first_from(&pc->dirty, at);
		uint64_t stop = d == NULL || d->start >= t ? t :
		    (d->start > at ? d->start : at);

		if (stop > at)
			imap_clear(&pc->pages, at, stop);
		if (d == NULL || d->start >= t)
			break;
		at = d->end;
	}
}

const struct imap_ent *
pcache_dirty_from(const struct pcache *pc, uint64_t at)
{
	return imap_first_from(&pc->dirty, at);
}

uint64_t
pcache_dirty_bytes(const struct pcache *pc)
{
	uint64_t n = 0;

	for (const struct imap_ent *e = imap_first(&pc->dirty); e != NULL;
	    e = imap_next(&pc->dirty, e))
		n += e->end - e->start;
	return n;
}

const struct imap *
pcache_map(const struct pcache *pc)
{
	return &pc->pages;
}

uint64_t
pcache_hash(const struct pcache *pc)
{
	return rng_fold(imap_hash(&pc->pages), imap_hash(&pc->dirty));
}

int
pcache_check(const struct pcache *pc, const char **why)
{
	const struct imap_ent *p, *d;
	uint64_t at = 0;

	if (imap_check(&pc->pages, why) != 0 ||
	    imap_check(&pc->dirty, why) != 0)
		return -1;
	/* Walk the DIRTY runs of pages, merged, beside the dirty map. */
	d = imap_first(&pc->dirty);
	for (p = imap_first(&pc->pages); p != NULL; ) {
		uint64_t s, t;

		while (p != NULL && !(p->v.aux & CONTENT_DIRTY))
			p = imap_next(&pc->pages, p);
		if (p == NULL)
			break;
		s = p->start;
		t = p->end;
		for (p = imap_next(&pc->pages, p); p != NULL &&
		    p->start == t && (p->v.aux & CONTENT_DIRTY);
		    p = imap_next(&pc->pages, p))
			t = p->end;
		if (d == NULL || d->start != s || d->end != t || s < at) {
			*why = "the dirty map differs from the dirty pages";
			return -1;
		}
		at = t;
		d = imap_next(&pc->dirty, d);
	}
	if (d != NULL) {
		*why = "the dirty map covers clean or uncached bytes";
		return -1;
	}
	return 0;
}
