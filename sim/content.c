/*
 * Content generation and materialization; see content.h for the model.
 *
 * The generator: the 8-byte word at index w = off / 8 of write a is
 * rng_mix64(a * 0x9e3779b97f4a7c15 ^ w), stored little-endian; byte off is
 * byte (off % 8) of that word.  It is cheap, has no visible structure, and
 * two different writes practically never agree on a sector.
 */
#include <string.h>

#include "content.h"
#include "rng.h"

struct imap_val
content_gen(uint64_t write_id, uint64_t file_off)
{
	struct imap_val v = { .a = write_id, .b = file_off,
	    .kind = CONTENT_GEN, .aux = 0 };

	return v;
}

struct imap_val
content_fill(unsigned byte)
{
	struct imap_val v = { .a = 0, .b = 0, .kind = CONTENT_FILL,
	    .aux = byte & CONTENT_BYTE_MASK };

	return v;
}

static inline uint64_t
gen_word(uint64_t write_id, uint64_t word_index)
{
	return rng_mix64((write_id * 0x9e3779b97f4a7c15ULL) ^ word_index);
}

/* Store W little-endian: one 8-byte store on a little-endian host. */
static inline void
store_le64(uint8_t *p, uint64_t w)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	memcpy(p, &w, sizeof(w));
}

/* Bytes [off, off + len) of write WRITE_ID's generated stream. */
static void
gen_bytes(uint64_t write_id, uint64_t off, uint64_t len, uint8_t *buf)
{
	uint64_t w = off / 8;
	unsigned skip = off % 8;
	uint8_t tmp[8];

	if (skip != 0) {
		uint64_t n = 8 - skip < len ? 8 - skip : len;

		store_le64(tmp, gen_word(write_id, w++));
		memcpy(buf, tmp + skip, n);
		buf += n;
		len -= n;
	}
	while (len >= 8) {
		store_le64(buf, gen_word(write_id, w++));
		buf += 8;
		len -= 8;
	}
	if (len > 0) {
		store_le64(tmp, gen_word(write_id, w));
		memcpy(buf, tmp, len);
	}
}

void
content_materialize(const struct imap_val *v, uint64_t pos, uint64_t len,
    uint32_t sectorsize, uint8_t *buf)
{
	if ((v->kind & ~IMAP_SHIFT) == (CONTENT_GEN & ~IMAP_SHIFT))
		gen_bytes(v->a, v->b, len, buf);
	else
		memset(buf, v->aux & CONTENT_BYTE_MASK, len);
	if (v->aux & CONTENT_FLIP) {
		uint64_t first = (pos + sectorsize - 1) / sectorsize * sectorsize;

		for (uint64_t p = first; p - pos < len && p >= pos;
		    p += sectorsize)
			buf[p - pos] ^= 1;
	}
}

void
content_read_map(const struct imap *m, uint64_t pos, uint64_t len,
    uint32_t sectorsize, uint8_t *buf)
{
	uint64_t end = pos + len;
	uint64_t at = pos;
	const struct imap_ent *e;

	for (e = imap_first_from(m, pos); e != NULL && e->start < end;
	    e = imap_next(m, e)) {
		uint64_t s = e->start > at ? e->start : at;
		uint64_t t = e->end < end ? e->end : end;
		struct imap_val v;

		if (s > at)
			memset(buf + (at - pos), 0, s - at);
		v = imap_val_at(e, s);
		content_materialize(&v, s, t - s, sectorsize, buf + (s - pos));
		at = t;
	}
	if (at < end)
		memset(buf + (at - pos), 0, end - at);
}

/* The value V advanced by D bytes (positional values move their offset). */
static struct imap_val
advance(const struct imap_val *v, uint64_t d)
{
	struct imap_val r = *v;

	if (r.kind & IMAP_SHIFT)
		r.b += d;
	return r;
}

bool
content_same(const struct imap_val *a, const struct imap_val *b,
    uint64_t pos, uint64_t len, uint32_t sectorsize)
{
	uint8_t x[512], y[512];
	unsigned flags = CONTENT_BYTE_MASK | CONTENT_FLIP;
	uint64_t done;

	if (a->kind == b->kind && a->a == b->a && a->b == b->b &&
	    (a->aux & flags) == (b->aux & flags))
		return true;
	/* Different descriptions may still be the same bytes: compare. */
	for (done = 0; done < len; ) {
		uint64_t n = len - done < sizeof(x) ? len - done : sizeof(x);
		struct imap_val va = advance(a, done), vb = advance(b, done);

		content_materialize(&va, pos + done, n, sectorsize, x);
		content_materialize(&vb, pos + done, n, sectorsize, y);
		if (memcmp(x, y, n) != 0)
			return false;
		done += n;
	}
	return true;
}
