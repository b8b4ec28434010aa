/*
 * Mirrors: lazy content plus fault overlays; see mirror.h for the model.
 */
#include <errno.h>
#include <string.h>

#include "content.h"
#include "mirror.h"
#include "rng.h"

void
mirror_init(struct mirror *m)
{
	imap_init(&m->content);
	imap_init(&m->corrupt);
	imap_init(&m->ioerr);
	imap_init(&m->stale);
	m->online = true;
	m->bios = 0;
}

void
mirror_destroy(struct mirror *m)
{
	imap_destroy(&m->content);
	imap_destroy(&m->corrupt);
	imap_destroy(&m->ioerr);
	imap_destroy(&m->stale);
}

void
mirror_clone(struct mirror *dst, const struct mirror *src)
{
	imap_clone(&dst->content, &src->content);
	imap_clone(&dst->corrupt, &src->corrupt);
	imap_clone(&dst->ioerr, &src->ioerr);
	imap_clone(&dst->stale, &src->stale);
	dst->online = src->online;
	dst->bios = src->bios;
}

void
mirror_write(struct mirror *m, uint64_t start, uint64_t end,
    const struct imap_val *v)
{
	const struct imap_ent *e;
	uint64_t at = start;

	imap_set(&m->content, start, end, v);
	imap_clear(&m->corrupt, start, end);
	imap_clear(&m->stale, start, end);
	/* Invariant: the errors before AT that a write clears are gone.
	   An error that outlives writes may reach past END: stop there. */
	while (at < end && (e = imap_first_from(&m->ioerr, at)) != NULL &&
	    e->start < end) {
		uint64_t s = e->start > at ? e->start : at;
		uint64_t t = e->end < end ? e->end : end;

		if (e->v.aux & MIRROR_IOERR_CLEAR)
			imap_clear(&m->ioerr, s, t);
		at = t;
	}
}

/*
 * Consume one failure from every sector of [start, end) that has an I/O
 * error left; true if there was any.
 */
static bool
consume_ioerrors(struct mirror *m, uint64_t start, uint64_t end)
{
	const struct imap_ent *e;
	bool failed = false;

	while (start < end) {
		uint64_t s, t, left;
		struct imap_val v;

		e = imap_first_from(&m->ioerr, start);
		if (e == NULL || e->start >= end)
			break;
		failed = true;
		s = e->start > start ? e->start : start;
		t = e->end < end ? e->end : end;
		left = e->v.a;
		if (left != MIRROR_IOERR_FOREVER) {
			v = e->v;
			if (left <= 1)
				imap_clear(&m->ioerr, s, t);
			else {
				v.a = left - 1;
				imap_set(&m->ioerr, s, t, &v);
			}
		}
		start = t;
	}
	return failed;
}

/* Apply the corruption overlays of [start, start + len) to BUF. */
static void
apply_corruption(const struct mirror *m, uint64_t start, uint64_t len,
    uint32_t sectorsize, uint8_t *buf)
{
	uint64_t end = start + len;
	const struct imap_ent *e;

	for (e = imap_first_from(&m->corrupt, start); e != NULL &&
	    e->start < end; e = imap_next(&m->corrupt, e)) {
		uint64_t s = e->start > start ? e->start : start;
		uint64_t t = e->end < end ? e->end : end;

		if (e->v.kind == MIRROR_CORRUPT_FILL)
			memset(buf + (s - start), e->v.aux & 0xff, t - s);
		else {
			uint64_t p = (s + sectorsize - 1) / sectorsize *
			    sectorsize;

			for (; p < t; p += sectorsize)
				buf[p - start] ^= 1;
		}
	}
}

/*
 * The one value that [start, end) reads as, overlays applied, which is
 * also what mirror_describe() emits for it as a single piece, if there is
 * one.  (A flip overlay on content already flipped reads as unflipped
 * bytes, while describe() keeps the flag: no one value then.)
 */
static bool
one_value(const struct mirror *m, uint64_t start, uint64_t end,
    struct imap_val *v)
{
	const struct imap_ent *c = imap_first_from(&m->content, start);
	const struct imap_ent *k = imap_first_from(&m->corrupt, start);

	if (c != NULL && c->start <= start && c->end >= end)
		*v = imap_val_at(c, start);
	else if (c == NULL || c->start >= end)
		*v = content_fill(0);		/* never written: zeros */
	else
		return false;
	if (k == NULL || k->start >= end)
		return true;
	if (k->start > start || k->end < end)
		return false;
	if (k->v.kind == MIRROR_CORRUPT_FILL)
		*v = content_fill(k->v.aux);
	else if (v->aux & CONTENT_FLIP)
		return false;	/* flipped twice: not what describe() says */
	else
		v->aux |= CONTENT_FLIP;
	return true;
}

int
mirror_read_desc(struct mirror *m, uint64_t start, uint64_t len,
    uint32_t sectorsize, uint8_t *buf, struct imap_val *desc, bool *one)
{
	struct imap_val v;

	if (one != NULL)
		*one = false;
	if (!m->online)
		return -EIO;
	if (consume_ioerrors(m, start, start + len))
		return -EIO;
	if (buf == NULL)
		return 0;
	if (one_value(m, start, start + len, &v)) {
		/* V stands for the bytes wherever they are put only if its
		 * flipped bits sit where they would at a sector boundary;
		 * then the caller has them as V, and none are made here. */
		if (one != NULL && (!(v.aux & CONTENT_FLIP) ||
		    start % sectorsize == 0)) {
			*desc = v;
			*one = true;
			return 0;
		}
		/* The same bytes as the general path, made in one go. */
		content_materialize(&v, start, len, sectorsize, buf);
		return 0;
	}
	content_read_map(&m->content, start, len, sectorsize, buf);
	apply_corruption(m, start, len, sectorsize, buf);
	return 0;
}

int
mirror_read(struct mirror *m, uint64_t start, uint64_t len,
    uint32_t sectorsize, uint8_t *buf)
{
	return mirror_read_desc(m, start, len, sectorsize, buf, NULL, NULL);
}

/*
 * Walk [start, end) as pieces with one content value and one overlay
 * each, handing each piece's resulting value to EMIT.
 */
void
mirror_describe(const struct mirror *m, uint64_t start, uint64_t end,
    void (*emit)(void *, uint64_t, uint64_t, const struct imap_val *),
    void *arg)
{
	uint64_t at = start;

	while (at < end) {
		const struct imap_ent *c = imap_first_from(&m->content, at);
		const struct imap_ent *k = imap_first_from(&m->corrupt, at);
		uint64_t t = end;
		struct imap_val v = content_fill(0);

		/* The content value at `at` and where it changes. */
		if (c != NULL && c->start <= at) {
			v = imap_val_at(c, at);
			if (c->end < t)
				t = c->end;
		} else if (c != NULL && c->start < t)
			t = c->start;
		/* The overlay at `at` and where it changes. */
		if (k != NULL && k->start <= at) {
			if (k->v.kind == MIRROR_CORRUPT_FILL)
				v = content_fill(k->v.aux);
			else
				v.aux |= CONTENT_FLIP;
			if (k->end < t)
				t = k->end;
		} else if (k != NULL && k->start < t)
			t = k->start;
		emit(arg, at, t, &v);
		at = t;
	}
}

void
mirror_corrupt(struct mirror *m, uint64_t start, uint64_t end, int fill)
{
	struct imap_val v = { 0, 0, MIRROR_CORRUPT_FLIP, 0 };

	if (fill >= 0) {
		v.kind = MIRROR_CORRUPT_FILL;
		v.aux = (uint32_t)fill & 0xff;
	}
	imap_set(&m->corrupt, start, end, &v);
}

void
mirror_ioerror(struct mirror *m, uint64_t start, uint64_t end,
    uint64_t count, bool clear_on_write)
{
	struct imap_val v = { count, 0, MIRROR_IOERR,
	    clear_on_write ? MIRROR_IOERR_CLEAR : 0 };

	imap_set(&m->ioerr, start, end, &v);
}

void
mirror_stale(struct mirror *m, uint64_t start, uint64_t end, uint32_t why)
{
	struct imap_val v = { 0, 0, why, 0 };

	imap_set(&m->stale, start, end, &v);
}

static bool
kinds_are(const struct imap *map, uint32_t k1, uint32_t k2)
{
	for (const struct imap_ent *e = imap_first(map); e != NULL;
	    e = imap_next(map, e))
		if (e->v.kind != k1 && e->v.kind != k2)
			return false;
	return true;
}

uint64_t
mirror_hash(const struct mirror *m)
{
	uint64_t h = imap_hash(&m->content);

	h = rng_fold(h, imap_hash(&m->corrupt));
	h = rng_fold(h, imap_hash(&m->ioerr));
	h = rng_fold(h, m->online);
	return rng_fold(h, m->bios);
}

int
mirror_check(const struct mirror *m, const char **why)
{
	if (imap_check(&m->content, why) != 0 ||
	    imap_check(&m->corrupt, why) != 0 ||
	    imap_check(&m->ioerr, why) != 0 ||
	    imap_check(&m->stale, why) != 0)
		return -1;
	if (!kinds_are(&m->content, CONTENT_GEN, CONTENT_FILL)) {
		if (why)
			*why = "mirror content holds a non-content value";
		return -1;
	}
	if (!kinds_are(&m->corrupt, MIRROR_CORRUPT_FLIP, MIRROR_CORRUPT_FILL) ||
	    !kinds_are(&m->ioerr, MIRROR_IOERR, MIRROR_IOERR) ||
	    !kinds_are(&m->stale, MIRROR_STALE, MIRROR_MISDIRECTED)) {
		if (why)
			*why = "mirror overlay of the wrong kind";
		return -1;
	}
	return 0;
}
