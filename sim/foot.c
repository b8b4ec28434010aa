/*
 * Footprints (foot.h): each object is handed to the scheduler as a name
 * made of its kind and numbers, which the reduction compares.  Nothing is
 * done, and nothing formatted, unless the fs runs under a scheduler.
 */
#include <inttypes.h>
#include <stdio.h>

#include "conc.h"
#include "foot.h"
#include "fs.h"
#include "sched.h"

/* How each object is named: its shape and its word. */
enum foot_shape {
	SHAPE_GLOBAL,		/* "WORD" */
	SHAPE_INODE,		/* "inode A WORD" */
	SHAPE_COPY,		/* "mirror A" */
	SHAPE_COPY_NUM		/* "mirror A WORDB" */
};

static const struct {
	enum foot_shape	 shape;
	const char	*word;
} foot_names[FOOT_OBJ_COUNT] = {
	[FOOT_PAGES] = { SHAPE_INODE, "pages" },
	[FOOT_SIZE] = { SHAPE_INODE, "size" },
	[FOOT_CSUMS] = { SHAPE_INODE, "csums" },
	[FOOT_FAILREC] = { SHAPE_INODE, "failrec" },
	[FOOT_META] = { SHAPE_INODE, "meta" },
	[FOOT_EM] = { SHAPE_INODE, "em" },
	[FOOT_READS] = { SHAPE_INODE, "reads" },
	[FOOT_ITEMS] = { SHAPE_INODE, "items" },
	[FOOT_SECTOR] = { SHAPE_COPY_NUM, "0:" },
	[FOOT_RUN] = { SHAPE_COPY_NUM, "1:" },
	[FOOT_MIRROR] = { SHAPE_COPY, "" },
	[FOOT_BIOS] = { SHAPE_COPY_NUM, "bios " },
	[FOOT_ALLOC] = { SHAPE_GLOBAL, "alloc" },
	[FOOT_CSUM_TREE] = { SHAPE_GLOBAL, "csum tree" },
	[FOOT_READ_BLOCKS] = { SHAPE_GLOBAL, "read blocks" },
	[FOOT_GEN] = { SHAPE_GLOBAL, "gen" },
	[FOOT_BIOLIST] = { SHAPE_GLOBAL, "bios" },
	[FOOT_WHY] = { SHAPE_GLOBAL, "why" },
};

void
foot_touch(const struct fs *fs, enum foot_obj obj, uint32_t a, uint64_t b)
{
	const struct conc *c = fs_conc(fs);
	const char *word = foot_names[obj].word;
	char what[48];

	if (c == NULL)
		return;
	switch (foot_names[obj].shape) {
	case SHAPE_GLOBAL:
		snprintf(what, sizeof(what), "%s", word);
		break;
	case SHAPE_INODE:
		snprintf(what, sizeof(what), "inode %u %s", a, word);
		break;
	case SHAPE_COPY:
		snprintf(what, sizeof(what), "mirror %u", a);
		break;
	case SHAPE_COPY_NUM:
		snprintf(what, sizeof(what), "mirror %u %s%" PRIu64, a, word, b);
		break;
	}
	sched_touch(conc_sched(c), what);
}

void
foot_read(const struct fs *fs, int k, uint64_t start, uint64_t end)
{
	uint64_t ss = fs_cfg(fs)->sectorsize;

	if (fs_conc(fs) == NULL || end <= start)
		return;
	for (uint64_t s = start / ss; s <= (end - 1) / ss; s++)
		foot_touch(fs, FOOT_SECTOR, (uint32_t)k, s);
	for (uint64_t r = start / ss / FOOT_FANOUT;
	    r <= (end - 1) / ss / FOOT_FANOUT; r++)
		foot_touch(fs, FOOT_RUN, (uint32_t)k, r);
	foot_touch(fs, FOOT_MIRROR, (uint32_t)k, 0);
}

void
foot_write(const struct fs *fs, int k, uint64_t start, uint64_t end)
{
	uint64_t ss = fs_cfg(fs)->sectorsize;
	uint64_t first = start / ss, last = (end - 1) / ss;
	static const enum foot_obj level[] = { FOOT_SECTOR, FOOT_RUN };

	if (fs_conc(fs) == NULL || end <= start)
		return;
	for (size_t l = 0; l < sizeof(level) / sizeof(level[0]); l++) {
		if (last - first <= FOOT_FANOUT) {
			for (uint64_t u = first; u <= last; u++)
				foot_touch(fs, level[l], (uint32_t)k, u);
			return;
		}
		first /= FOOT_FANOUT;
		last /= FOOT_FANOUT;
	}
	foot_touch(fs, FOOT_MIRROR, (uint32_t)k, 0);
}

void
foot_bios_read(const struct fs *fs, int k)
{
	const struct conc *c = fs_conc(fs);

	if (c == NULL)
		return;
	for (int e = 0; e < conc_nent(c); e++)
		foot_touch(fs, FOOT_BIOS, (uint32_t)k, (uint64_t)e);
}

void
foot_bios_add(const struct fs *fs, int k)
{
	const struct conc *c = fs_conc(fs);

	if (c != NULL)
		foot_touch(fs, FOOT_BIOS, (uint32_t)k,
		    (uint64_t)(int64_t)conc_self(c));
}
