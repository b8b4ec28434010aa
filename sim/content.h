/*
 * Content: what bytes are, without storing them.
 *
 * Every byte the model ever holds (in a file, on a mirror, in the page
 * cache, in a recorded checksum) is described by an imap value (imap.h) of
 * one of these kinds:
 *
 *   CONTENT_GEN	positional: position b onwards of generator stream a.
 *			The byte at stream position p is a fixed function of
 *			(a, p), so the value at off + d is b + d wherever the
 *			bytes are copied to (file, page cache, checksums,
 *			mirror at a logical address).
 *   CONTENT_FILL	every byte equals aux & 0xff (zeros are FILL 0; a
 *			range with no entry also reads as zeros).
 *
 * Generated writes draw from one stream per fs (struct content_stream):
 * each write takes the next LEN unused positions, so no two writes share
 * a position, and a write that continues its predecessor in the file
 * (an append) continues it in the stream too.  Its values then merge with
 * the predecessor's in every map (imap.h), and memory grows with the
 * number of discontinuities, not of writes.  A write's first position is
 * congruent to its file offset modulo CONTENT_WORD, so that two generated
 * values for the same file byte are always whole generator words apart:
 * see content_stream_take() for why a rewrite always changes the bytes.
 *
 * aux may carry CONTENT_FLIP: the lowest bit of the first byte of every
 * sector is inverted (a corrupt overlay that a nodatasum read handed up).
 * Page-cache values also carry CONTENT_DIRTY and CONTENT_NOCSUM (a dirty
 * page written with `nocsum`), which keep dirty and clean runs apart.
 *
 * Bytes are materialized only where they must be: to checksum a sector, or
 * to compare a read with the file's contents.  Generation is 8 bytes per
 * multiply and xor-shift (content.c).
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

#define CONTENT_WORD		8u	/* bytes per generator step */

/* Value constructors. */
struct imap_val content_gen(uint64_t stream, uint64_t pos);
struct imap_val content_fill(unsigned byte);

/*
 * An fs's source of generated content: positions [0, next) of stream id
 * have been handed out.  A stream is used up only after 2^64 bytes; the
 * next one (id + 1) starts again at position 0.
 */
struct content_stream {
	uint64_t	id;		/* the a of the values handed out */
	uint64_t	next;		/* first position not handed out */
};

void	content_stream_init(struct content_stream *);

/*
 * The generated value of a write of LEN bytes at file offset OFF, which
 * uses up LEN positions from the first unused one congruent to OFF modulo
 * CONTENT_WORD (or, rarely, a word or more later).  OLD is the file's
 * content before the write (the oracle map; SECTORSIZE places its
 * overlays).  The bytes returned differ from OLD's somewhere in
 * [off, off + len), so stale bytes never compare equal to the file.
 * len > 0.
 */
struct imap_val content_stream_take(struct content_stream *,
	    const struct imap *old, uint64_t off, uint64_t len,
	    uint32_t sectorsize);

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

/*
 * Fold the N bytes of BUF into *UNIFORM: -2 before any byte, the byte
 * every byte so far equals, or -1 once two differ.
 */
void	content_uniform(const uint8_t *buf, size_t n, int *uniform);

/*
 * True if A and B are the same description: the same kind, stream,
 * position, fill byte and flip flag (so the same bytes wherever they
 * are put).  Different descriptions may still be the same bytes.
 */
bool	content_desc_equal(const struct imap_val *a, const struct imap_val *b);

/*
 * Compare the N bytes of map A from position SA with those of map B from
 * SB (bytes with no entry are zeros), piece by piece: where both pieces
 * have the same description (and any flipped bits fall alike) without
 * materializing them, else by their bytes.  True if all are equal.  Also
 * folds A's bytes into *UNIFORM (content_uniform()), from the
 * descriptions where it can: a fill piece is one byte, and a generated
 * one is materialized only until two bytes differ.
 */
bool	content_compare(const struct imap *a, uint64_t sa,
	    const struct imap *b, uint64_t sb, uint64_t n,
	    uint32_t sectorsize, int *uniform);

/* True if the two values describe the same bytes over LEN bytes. */
bool	content_same(const struct imap_val *a, const struct imap_val *b,
	    uint64_t pos, uint64_t len, uint32_t sectorsize);

#endif
