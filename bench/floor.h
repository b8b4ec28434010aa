/*
 * The floor of the read path: the bare work that reading and verifying a
 * 4 KiB page takes, with nothing of the model in it (no sim/ code).  A
 * page's bytes are made, then checksummed with CRC-32C by ISA-L as btrfs
 * computes it (~crc32_iscsi(buf, len, ~0)).  Making them is:
 *
 *   fill content	memset().
 *   generated content	the fastest generator of non-repeating words
 *			found for this machine: word i of the page is a
 *			64-bit counter through one multiply by an odd
 *			constant and one xor-shift (a bijection, so no two
 *			words of a run repeat), eight words at a time with
 *			AVX-512 where the CPU has it, one at a time
 *			otherwise.  It is cheaper than the model's
 *			generator (two multiplies and three xor-shifts a
 *			word), as a user's could be.
 *
 * BENCHMARKS.md says why this and not the model's own content generator,
 * which the earlier floor used and which bench.c still reports beside it.
 */
#ifndef BENCH_FLOOR_H
#define BENCH_FLOOR_H

#include <stdint.h>

#define FLOOR_PAGE	4096

/* Fill BUF (FLOOR_PAGE bytes) with BYTE and return its CRC-32C. */
uint32_t	floor_fill_page(uint8_t *buf, int byte);
/* Generate page number INDEX into BUF and return its CRC-32C. */
uint32_t	floor_gen_page(uint8_t *buf, uint64_t index);

#endif
