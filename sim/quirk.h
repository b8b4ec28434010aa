/*
 * Quirks: the historical behaviours of btrfs before commit 3b951516.
 *
 * Each quirk reverts one fix of the commit (or, for QUIRK_RETRY_MISS_OOPS,
 * reproduces a latent defect of the fixed code), so that a scenario shows the
 * old failure with the quirk on and the fix with it off.  A quirk set is a
 * bitmask over enum quirk_id.  Presets are named bitmasks: post-patch is
 * empty, pre-patch holds quirks 1-7 (quirk 8 is in neither).
 */
#ifndef SIM_QUIRK_H
#define SIM_QUIRK_H

#include <stdbool.h>

enum quirk_id {
	QUIRK_RETRY_GET_EXTENT,	/* 1: retry resolves via get_extent (fs_mutex) */
	QUIRK_DROP_WHOLE,	/* 2: drop_extent_cache drops touched maps whole */
	QUIRK_TRUNCATE_UNALIGNED, /* 3: truncate drops the cache from raw i_size */
	QUIRK_HOLE_DROP_LENGTH,	/* 4: hole fill passes hole_size - 1 as the end */
	QUIRK_INSERT_EEXIST_EIO, /* 5: -EEXIST on insert gives EIO, no merge */
	QUIRK_NOCSUM_EIO,	/* 6: a sector with no checksum fails verification */
	QUIRK_ALLOC_UNDERFLOW,	/* 7: cow_file_range lacks the underflow break */
	QUIRK_RETRY_MISS_OOPS,	/* 8: retry dereferences a missed lookup */
	/* The modern era's: regressions of Linux 4.x-6.x read repair. */
	QUIRK_REPAIR_DISABLED,	/* buffered reads get no repair (btrfs/141) */
	QUIRK_NO_CORRUPTION_COUNT, /* csum errors not in corruption_errs */
	QUIRK_REPAIR_ONE_MIRROR, /* repair from copy 1, rewrite one copy */
	QUIRK_WRITE_ERROR_READ_COUNT, /* write errors count read_io_errs */
	QUIRK_SCRUB_RO_WRITES,	/* a read-only scrub writes repairs */
	QUIRK_SCRUB_FINAL_COUNTS, /* scrub counts the errors left at the end */
	QUIRK_REPAIR_ENDLESS,	/* the repair walk passes the failed copy */
	QUIRK_COUNT
};

enum quirk_preset {
	PRESET_POST_PATCH,
	PRESET_PRE_PATCH,
	PRESET_COUNT
};

/* Static description of one quirk; the table is indexed by enum quirk_id. */
struct quirk_info {
	const char	*name;		/* scenario and CLI spelling */
	const char	*summary;	/* one line for `blksim quirks` */
};

const struct quirk_info *quirk_info(enum quirk_id);
/* The quirk called NAME (LEN bytes), or -1. */
int		quirk_lookup(const char *name, unsigned long len);
/* The preset called NAME (LEN bytes), or -1. */
int		quirk_preset_lookup(const char *name, unsigned long len);
const char	*quirk_preset_name(enum quirk_preset);
const char	*quirk_preset_summary(enum quirk_preset);
/* The quirk bitmask a preset turns on. */
unsigned	quirk_preset_mask(enum quirk_preset);

static inline bool
quirk_on(unsigned mask, enum quirk_id q)
{
	return ((mask >> q) & 1u) != 0;
}

#endif
