/*
 * Content generation and materialization; see content.h for the model.
 *
 * The generator: the 8-byte word at index w = p / 8 of stream a is
 * x ^ (x >> 32) with x = (a * 0x9e3779b97f4a7c15 ^ w) * GEN_MUL (odd),
 * stored little-endian; the byte at position p is byte (p % 8) of that
 * word.  One multiply and one xor-shift a word, eight words at a time with
 * AVX-512 where the CPU has it: the read path makes a page's bytes once,
 * and this is most of its cost (the bench's floor makes its generated
 * pages the same way).  Within one stream, a * K ^ w is one-to-one in w,
 * multiplying by an odd number and x ^ (x >> 32) are bijections, so two
 * different word indices never give the same word: two runs of one
 * stream whose positions are a non-zero multiple of 8 apart differ in
 * every whole word.
 */
#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "content.h"

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

#define GEN_KEY	0x9e3779b97f4a7c15ULL
#define GEN_MUL	0xd1342543de82ef95ULL

static inline uint64_t
gen_word(uint64_t stream, uint64_t word_index)
{
	uint64_t x = ((stream * GEN_KEY) ^ word_index) * GEN_MUL;

	return x ^ (x >> 32);
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

/* Words [w, w + n) of STREAM, little-endian, into BUF: the bulk loop. */
static void
gen_words_plain(uint64_t stream, uint64_t w, uint64_t n, uint8_t *buf)
{
	for (uint64_t i = 0; i < n; i++)
		store_le64(buf + 8 * i, gen_word(stream, w + i));
}

#if defined(__x86_64__) && defined(__GNUC__)
/*
 * The same words, eight at a time with AVX-512 (gen_word() on 64-bit
 * lanes), on a CPU that has it: the same bytes, several times faster.
 * x86 is little-endian, so a vector store is store_le64() of each lane.
 */
__attribute__((target("avx512f,avx512dq")))
static void
gen_words_avx512(uint64_t stream, uint64_t w, uint64_t n, uint8_t *buf)
{
	const __m512i key = _mm512_set1_epi64((long long)(stream * GEN_KEY));
	const __m512i mul = _mm512_set1_epi64((long long)GEN_MUL);
	const __m512i eight = _mm512_set1_epi64(8);
	__m512i idx = _mm512_add_epi64(_mm512_set1_epi64((long long)w),
	    _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7));
	uint64_t i = 0;

	for (; i + 8 <= n; i += 8) {
		__m512i x = _mm512_mullo_epi64(_mm512_xor_si512(key, idx), mul);

		x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 32));
		_mm512_storeu_si512((void *)(buf + 8 * i), x);
		idx = _mm512_add_epi64(idx, eight);
	}
	gen_words_plain(stream, w + i, n - i, buf + 8 * i);
}

/* The bulk loop this CPU runs best: chosen once (a benign race). */
static void
gen_words(uint64_t stream, uint64_t w, uint64_t n, uint8_t *buf)
{
	static void (*fn)(uint64_t, uint64_t, uint64_t, uint8_t *);

	if (fn == NULL)
		fn = __builtin_cpu_supports("avx512dq") ? gen_words_avx512 :
		    gen_words_plain;
	fn(stream, w, n, buf);
}
#else
#define gen_words	gen_words_plain
#endif

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
	if (len >= 8) {
		gen_words(stream, w, len / 8, buf);
		w += len / 8;
		buf += len / 8 * 8;
		len %= 8;
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
content_desc_equal(const struct imap_val *a, const struct imap_val *b)
{
	unsigned flags = CONTENT_BYTE_MASK | CONTENT_FLIP;

	return a->kind == b->kind && a->a == b->a && a->b == b->b &&
	    (a->aux & flags) == (b->aux & flags);
}

/* LEN bytes of A at position PA against those of B at PB, by bytes. */
static bool
content_same_at(const struct imap_val *a, uint64_t pa,
    const struct imap_val *b, uint64_t pb, uint64_t len,
    uint32_t sectorsize)
{
	uint8_t x[512], y[512];

	for (uint64_t done = 0; done < len; ) {
		uint64_t n = len - done < sizeof(x) ? len - done : sizeof(x);
		struct imap_val va = advance(a, done), vb = advance(b, done);

		content_materialize(&va, pa + done, n, sectorsize, x);
		content_materialize(&vb, pb + done, n, sectorsize, y);
		if (memcmp(x, y, n) != 0)
			return false;
		done += n;
	}
	return true;
}

bool
content_same(const struct imap_val *a, const struct imap_val *b,
    uint64_t pos, uint64_t len, uint32_t sectorsize)
{
	if (content_desc_equal(a, b))
		return true;
	/* Different descriptions may still be the same bytes: compare. */
	return content_same_at(a, pos, b, pos, len, sectorsize);
}

/*
 * The value of map M at POS and the length from POS over which it holds
 * (no entry: zeros up to the next entry), at most MAX.
 */
static struct imap_val
piece(const struct imap *m, uint64_t pos, uint64_t max, uint64_t *len)
{
	const struct imap_ent *e = imap_first_from(m, pos);

	if (e != NULL && e->start <= pos) {
		*len = e->end - pos < max ? e->end - pos : max;
		return imap_val_at(e, pos);
	}
	*len = e != NULL && e->start - pos < max ? e->start - pos : max;
	return content_fill(0);
}

/* Fold LEN bytes of V at POS into *UNIFORM, materializing as little as
 * it takes to see two bytes differ. */
static void
uniform_piece(const struct imap_val *v, uint64_t pos, uint64_t len,
    uint32_t sectorsize, int *uniform)
{
	uint8_t x[64];

	if (*uniform == -1)
		return;
	if ((v->kind & ~IMAP_SHIFT) == (CONTENT_FILL & ~IMAP_SHIFT) &&
	    !(v->aux & CONTENT_FLIP)) {
		x[0] = (uint8_t)(v->aux & CONTENT_BYTE_MASK);
		content_uniform(x, 1, uniform);
		return;
	}
	for (uint64_t done = 0; done < len && *uniform != -1; ) {
		uint64_t n = len - done < sizeof(x) ? len - done : sizeof(x);
		struct imap_val w = advance(v, done);

		content_materialize(&w, pos + done, n, sectorsize, x);
		content_uniform(x, n, uniform);
		done += n;
	}
}

bool
content_compare(const struct imap *a, uint64_t sa, const struct imap *b,
    uint64_t sb, uint64_t n, uint32_t sectorsize, int *uniform)
{
	bool same = true;

	for (uint64_t d = 0, la, lb; d < n; d += la) {
		struct imap_val va = piece(a, sa + d, n - d, &la);
		struct imap_val vb = piece(b, sb + d, n - d, &lb);
		bool flips = ((va.aux | vb.aux) & CONTENT_FLIP) != 0;

		if (lb < la)
			la = lb;
		if (same && !(content_desc_equal(&va, &vb) && (!flips ||
		    (sa + d) % sectorsize == (sb + d) % sectorsize)))
			same = content_same_at(&va, sa + d, &vb, sb + d, la,
			    sectorsize);
		uniform_piece(&va, sa + d, la, sectorsize, uniform);
	}
	return same;
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
