/*
 * The read path's floor (floor.h): fill or generate a page, CRC-32C it.
 */
#include <string.h>

#include <isa-l/crc.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "bench/floor.h"

#define FLOOR_MUL	0xd1342543de82ef95ULL
#define FLOOR_WORDS	(FLOOR_PAGE / 8)

/* btrfs's CRC-32C of a page, straight from ISA-L. */
static uint32_t
page_crc(const uint8_t *buf)
{
	return ~crc32_iscsi((unsigned char *)buf, FLOOR_PAGE, ~0u);
}

uint32_t
floor_fill_page(uint8_t *buf, int byte)
{
	memset(buf, byte, FLOOR_PAGE);
	return page_crc(buf);
}

/* Words [w, w + FLOOR_WORDS) one at a time (little-endian host). */
static void
gen_plain(uint8_t *buf, uint64_t w)
{
	for (uint64_t i = 0; i < FLOOR_WORDS; i++) {
		uint64_t x = (w + i) * FLOOR_MUL;

		x ^= x >> 32;
		memcpy(buf + 8 * i, &x, 8);
	}
}

#if defined(__x86_64__) && defined(__GNUC__)
/* The same words, eight at a time. */
__attribute__((target("avx512f,avx512dq")))
static void
gen_avx512(uint8_t *buf, uint64_t w)
{
	const __m512i mul = _mm512_set1_epi64((long long)FLOOR_MUL);
	const __m512i eight = _mm512_set1_epi64(8);
	__m512i idx = _mm512_add_epi64(_mm512_set1_epi64((long long)w),
	    _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7));

	for (uint64_t i = 0; i < FLOOR_WORDS; i += 8) {
		__m512i x = _mm512_mullo_epi64(idx, mul);

		x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 32));
		_mm512_storeu_si512((void *)(buf + 8 * i), x);
		idx = _mm512_add_epi64(idx, eight);
	}
}
#endif

uint32_t
floor_gen_page(uint8_t *buf, uint64_t index)
{
#if defined(__x86_64__) && defined(__GNUC__)
	static int wide = -1;

	if (wide < 0)
		wide = __builtin_cpu_supports("avx512dq") ? 1 : 0;
	if (wide)
		gen_avx512(buf, index * FLOOR_WORDS);
	else
#endif
		gen_plain(buf, index * FLOOR_WORDS);
	return page_crc(buf);
}
