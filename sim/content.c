/*
 * Content generation and materialization; see content.h for the model.
 *
 * The generator: the 8-byte word at index w = p / 8 of stream a is
 * rng_mix64(a * 0x9e3779b97f4a7c15 ^ w), stored little-endian; the byte at
 * position p is byte (p % 8) of that word.  It is cheap and has no visible
 * structure.  Within one stream, a * K ^ w is one-to-one in w and
 * rng_mix64() is a bijection, so two different word indices never give the
 * same word: two runs of one stream whose positions are a non-zero
 * multiple of 8 apart differ in every whole word.
 */
#include <string.h>

#include "content.h"
#include "rng.h"

struct imap_val
content_gen(uint64_t stream, uint64_t pos)
{
	struct imap_val v = { .a = stream, .b = pos,
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

/* Stream 1 from position 0: the first write of an fs is (1, 0). */
void
content_stream_init(struct content_stream *cs)
{
	cs->id = 1;
	cs->next = 0;
}

static inline uint64_t
gen_word(uint64_t stream, uint64_t word_index)
{
	return rng_mix64((stream * 0x9e3779b97f4a7c15ULL) ^ word_index);
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

/* Bytes at positions [pos, pos + len) of stream STREAM. */
static void
gen_bytes(uint64_t stream, uint64_t pos, uint64_t len, uint8_t *buf)
{
	uint64_t w = pos / 8;
	unsigned skip = pos % 8;
	uint8_t tmp[8];

	if (skip != 0) {
		uint64_t n = 8 - skip < len ? 8 - skip : len;

		store_le64(tmp, gen_word(stream, w++));
		memcpy(buf, tmp + skip, n);
		buf += n;
		len -= n;
	}
	while (len >= 8) {
		store_le64(buf, gen_word(stream, w++));
		buf += 8;
		len -= 8;
	}
	if (len > 0) {
		store_le64(tmp, gen_word(stream, w));
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

void
content_uniform(const uint8_t *buf, size_t n, int *uniform)
{
	for (size_t i = 0; i < n && *uniform != -1; i++) {
		if (*uniform == -2)
			*uniform = buf[i];
		else if (*uniform != buf[i])
			*uniform = -1;
	}
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

/* Bytes compared by content_stream_take: at most this many. */
#define TAKE_WINDOW	(2 * CONTENT_WORD)

/*
 * The stream hands out positions in order, so consecutive appends take
 * consecutive positions and their values merge.  The start is raised to
 * the next position congruent to OFF modulo CONTENT_WORD (at most 7
 * positions are skipped): a file byte's old and new generated positions
 * are then a non-zero multiple of CONTENT_WORD apart, and file words map
 * to whole generator words.
 *
 * That alone makes a rewrite differ from older generated content in every
 * whole word, but not from fill content, nor in a write shorter than a
 * word.  So the first TAKE_WINDOW bytes (or all, if fewer) are compared
 * with OLD's, and the start moves on by a word while they are equal.  A
 * window holding a whole word needs at most one move (the generator never
 * repeats a word within a stream); a shorter one moves with probability
 * 256^-len per try.  Either way the cost is O(log n) per write, whatever
 * its length.
 */
struct imap_val
content_stream_take(struct content_stream *cs, const struct imap *old,
    uint64_t off, uint64_t len, uint32_t sectorsize)
{
	uint8_t was[TAKE_WINDOW], now[TAKE_WINDOW];
	uint64_t n = len < TAKE_WINDOW ? len : TAKE_WINDOW;
	uint64_t pos = cs->next + ((off - cs->next) & (CONTENT_WORD - 1));
	struct imap_val v;

	content_read_map(old, off, n, sectorsize, was);
	for (;;) {
		/* A position must not wrap inside the write: next stream. */
		if (pos < cs->next || len > UINT64_MAX - pos) {
			cs->id++;
			cs->next = 0;
			pos = off & (CONTENT_WORD - 1);
		}
		v = content_gen(cs->id, pos);
		content_materialize(&v, off, n, sectorsize, now);
		if (memcmp(was, now, n) != 0)
			break;
		pos += CONTENT_WORD;
	}
	cs->next = pos + len;
	return v;
}
