/*
 * Content: what bytes are, without storing them.
 *
 * Every byte the model ever holds (in a file, on a mirror, in the page
 * cache, in a recorded checksum) is described by an imap value (imap.h) of
 * one of these kinds:
 *
 *   CONTENT_GEN	positional: the bytes written by write number a at
 *			file offset b onwards; byte(b) = a fixed function of
 *			(a, b), so the same write read back anywhere yields
 *			the same bytes.
 *   CONTENT_FILL	every byte equals aux & 0xff (zeros are FILL 0; a
 *			range with no entry also reads as zeros).
 *
 * aux may carry CONTENT_FLIP: the lowest bit of the first byte of every
 * sector is inverted (a corrupt overlay that a nodatasum read handed up).
 * Page-cache values also carry CONTENT_DIRTY and CONTENT_NOCSUM (a dirty
 * page written with `nocsum`), which keep dirty and clean runs apart.
 *
 * Bytes are materialized only where they must be: to checksum a sector, or
 * to compare a read with the file's contents.  Generation is 8 bytes per
 * splitmix64 step.
 */
#ifndef SIM_CONTENT_H
#define SIM_CONTENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "imap.h"

#define CONTENT_GEN	(1u | IMAP_SHIFT)
#define CONTENT_FILL	2u

#define CONTENT_BYTE_MASK	0xffu
#define CONTENT_FLIP		0x100u	/* first byte of each sector: bit 0 */
#define CONTENT_DIRTY		0x200u	/* page cache: not written back */
#define CONTENT_NOCSUM		0x400u	/* page cache: write said nocsum */

/* Value constructors. */
struct imap_val content_gen(uint64_t write_id, uint64_t file_off);
struct imap_val content_fill(unsigned byte);

/*
 * Write the bytes of value V over [pos, pos + len) into BUF.  POS is the
 * position of the first byte in the map the value came from (it matters
 * for positional values and for CONTENT_FLIP, which hits positions that are
 * multiples of SECTORSIZE).  V is the value at POS.
 */
void	content_materialize(const struct imap_val *v, uint64_t pos,
	    uint64_t len, uint32_t sectorsize, uint8_t *buf);

/*
 * Materialize [pos, pos + len) of map M into BUF; bytes with no entry are
 * zero.  The map's values must be content values.
 */
void	content_read_map(const struct imap *m, uint64_t pos, uint64_t len,
	    uint32_t sectorsize, uint8_t *buf);

/* True if the two values describe the same bytes over LEN bytes. */
bool	content_same(const struct imap_val *a, const struct imap_val *b,
	    uint64_t pos, uint64_t len, uint32_t sectorsize);

#endif
