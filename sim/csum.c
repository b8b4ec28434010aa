/*
 * Checksum algorithms; see csum.h.
 *
 * ISA-L's AVX-512 CRC-32C (crc32_iscsi_by16_10, which its dispatcher picks
 * on such CPUs) returns without vzeroupper, leaving the vector registers'
 * upper halves dirty; every legacy-SSE instruction after that (gcc's
 * struct copies at -O2) then pays a transition, which more than doubled
 * the cost of the read path around each checksum.  csum_crc32c() cleans
 * them up where the CPU has AVX.
 */
#include <stdbool.h>

#include <isa-l/crc.h>
#include <zlib.h>

#include "csum.h"

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx")))
static void
upper_clean(void)
{
	__builtin_ia32_vzeroupper();
}

/* vzeroupper after ISA-L, on a CPU that has it (asked once). */
static void
vector_clean(void)
{
	static int avx = -1;

	if (avx < 0)
		avx = __builtin_cpu_supports("avx") ? 1 : 0;
	if (avx)
		upper_clean();
}
#else
static void
vector_clean(void)
{
}
#endif

uint32_t
csum_crc32c(const void *buf, size_t len)
{
	uint32_t crc = ~crc32_iscsi((unsigned char *)buf, (int)len, ~0u);

	vector_clean();
	return crc;
}

uint32_t
csum_crc32(const void *buf, size_t len)
{
	return (uint32_t)crc32(0L, buf, (uInt)len);
}

uint32_t
csum_compute(enum csum_algo algo, const void *buf, size_t len)
{
	return algo == CSUM_CRC32 ? csum_crc32(buf, len) :
	    csum_crc32c(buf, len);
}
