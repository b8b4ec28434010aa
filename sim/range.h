/*
 * Byte-range arithmetic shared by the model: rounding to a power-of-two
 * unit and the end of a range, never wrapping.  Ranges are half-open
 * [start, end) in bytes; where a sum would pass 2^64 the result saturates
 * at the last representable value, as 2008's extent_map_end() did.
 */
#ifndef SIM_RANGE_H
#define SIM_RANGE_H

#include <stdint.h>

/* X rounded down to a multiple of A (a power of two). */
static inline uint64_t
range_round_down(uint64_t x, uint64_t a)
{
	return x & ~(a - 1);
}

/* X rounded up to a multiple of A, saturating at the last one below 2^64. */
static inline uint64_t
range_round_up(uint64_t x, uint64_t a)
{
	if (x > UINT64_MAX - (a - 1))
		return range_round_down(UINT64_MAX, a);
	return (x + a - 1) & ~(a - 1);
}

/* OFF + LEN, saturating at (u64)-1. */
static inline uint64_t
range_end(uint64_t off, uint64_t len)
{
	return off + len < off ? UINT64_MAX : off + len;
}

#endif
