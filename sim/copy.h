/*
 * What a copy holds behind a file range: `expect copy` (both eras), how
 * fstests checks a repair by dumping the physical offset, without the
 * physical offset.
 *
 * The range [off, off + len), clipped at EOF, is resolved through the
 * file extent items now; each sector backed by written space is read
 * from copy k as the device holds it (corruption overlays applied; an
 * I/O error does not change the bytes and does not count) and compared
 * with what the file holds (the model's oracle).  Holes and unwritten
 * space are skipped.  Nothing changes.
 */
#ifndef SIM_COPY_H
#define SIM_COPY_H

#include <stdint.h>

struct fs;

struct copy_state {
	uint64_t	sectors;	/* sectors compared */
	uint64_t	damaged;	/* of them, differing from the file */
	int		uniform;	/* the byte all their bytes equal, or
					   -1 (mixed, or no sector) */
};

/* Compare copy K behind file INO's [off, off + len) with the file.  0 or
 * FS_EINVAL (no such file or copy). */
int	copy_state(struct fs *, uint32_t ino, uint64_t off, uint64_t len,
	    int k, struct copy_state *st);

#endif
