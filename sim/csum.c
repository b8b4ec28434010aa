/* Checksum algorithms; see csum.h. */
#include <isa-l/crc.h>
#include <zlib.h>

#include "csum.h"

uint32_t
csum_crc32c(const void *buf, size_t len)
{
	return ~crc32_iscsi((unsigned char *)buf, (int)len, ~0u);
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
