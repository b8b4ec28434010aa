/*
 * Data checksums as btrfs computes them.  CRC-32C (the default, through
 * ISA-L: btrfs's value is ~crc32_iscsi(buf, len, ~0), i.e. seed ~0 and the
 * result inverted, stored little-endian) or, with `csum=crc32`, the IEEE
 * CRC-32 through zlib.  Known answers for "123456789": 0xE3069283 and
 * 0xCBF43926.
 */
#ifndef SIM_CSUM_H
#define SIM_CSUM_H

#include <stddef.h>
#include <stdint.h>

enum csum_algo {
	CSUM_CRC32C,
	CSUM_CRC32
};

uint32_t	csum_crc32c(const void *, size_t);
uint32_t	csum_crc32(const void *, size_t);
uint32_t	csum_compute(enum csum_algo, const void *, size_t);

#endif
