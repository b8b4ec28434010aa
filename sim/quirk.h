/*
 * Quirks: historical behaviours of btrfs, each one switch.
 *
 * A quirk belongs to an era (era.h's enum era_id: 0 the 2008 code, 1 the
 * modern one).  The 2008 quirks revert one fix of commit 3b951516 each
 * (QUIRK_RETRY_MISS_OOPS reproduces a latent defect of the fixed code);
 * the modern ones revert a fix of Linux's read repair or scrub from
 * 2017-2023.  Either way a scenario shows the old failure with the quirk
 * on and the fix with it off.  A quirk set is a bitmask over enum
 * quirk_id.  Presets are named bitmasks of one era: post-patch (empty,
 * the 2008 default) and pre-patch (quirks 1-7) for 2008, fixed (empty,
 * the default) for the modern era.
 */
#ifndef SIM_QUIRK_H
#define SIM_QUIRK_H

#include <stdbool.h>
#include <stddef.h>

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
	QUIRK_DIO_RETRY_DEREF,	/* direct read repair oopses (btrfs/140) */
	QUIRK_DIO_REPAIR_OFFSET, /* nodatasum direct repair segfaults (142) */
	QUIRK_COUNT
};

enum quirk_preset {
	PRESET_POST_PATCH,
	PRESET_PRE_PATCH,
	PRESET_FIXED,
	PRESET_COUNT
};

/* Static description of one quirk; the table is indexed by enum quirk_id. */
struct quirk_info {
	const char	*name;		/* scenario and CLI spelling */
	const char	*summary;	/* one line for `blksim quirks` */
	unsigned	 era;		/* enum era_id */
	const char	*fix;		/* the fixing commit and its year */
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
/* The era (enum era_id) a preset belongs to, and an era's default one. */
unsigned	quirk_preset_era(enum quirk_preset);
enum quirk_preset quirk_default_preset(unsigned era);
/* Every quirk of ERA, as a mask. */
unsigned	quirk_era_mask(unsigned era);

/*
 * Where a quirk setting comes from.  The order of the enum is the order in
 * which settings apply, each overriding the ones before (blksim(1),
 * blksim-scenario(5)): the scenario's `preset` line, its `quirk` lines in
 * file order, the --preset option, the --quirk options in command-line
 * order, and last the quirk that --guards turns on.
 */
enum quirk_from {
	QUIRK_FROM_FILE_PRESET,
	QUIRK_FROM_FILE_QUIRK,
	QUIRK_FROM_OPT_PRESET,
	QUIRK_FROM_OPT_QUIRK,
	QUIRK_FROM_GUARD,
	QUIRK_FROM_COUNT
};

/* One setting: a preset (which replaces the whole set) or one quirk. */
struct quirk_setting {
	enum quirk_from	from;
	int		id;	/* enum quirk_preset for the presets, else
				   enum quirk_id */
	bool		on;	/* a quirk's: on or off */
};

/*
 * Settings as they were written: within one source, list order is the
 * order written; across sources it does not matter, quirk_resolve()
 * orders them.  The array is owned by the list.
 */
struct quirk_settings {
	struct quirk_setting	*v;
	size_t			 n;
	size_t			 cap;
};

void	quirk_settings_add(struct quirk_settings *, enum quirk_from, int id,
	    bool on);
/* Append a copy of every setting of SRC to DST. */
void	quirk_settings_append(struct quirk_settings *dst,
	    const struct quirk_settings *src);
/*
 * The index of the first setting (a quirk or a preset) that belongs to
 * another era than ERA, or -1: a file's era decides which names apply.
 */
int	quirk_settings_foreign(const struct quirk_settings *, unsigned era);
/* Free the array; the list is left empty and reusable. */
void	quirk_settings_free(struct quirk_settings *);
/*
 * The quirk bitmask the settings give: the one place that decides which
 * setting wins.  Start from post-patch (every quirk off), then apply the
 * settings source by source in enum quirk_from order and, within one
 * source, in list order.
 */
unsigned quirk_resolve(const struct quirk_settings *);
/*
 * The quirks the quirk settings of the list turn on and off, the last
 * setting of each quirk winning, presets left out: what `quirk` lines
 * after the same preset must say to have the same effect.
 */
void	quirk_overrides(const struct quirk_settings *, unsigned *on,
	    unsigned *off);

static inline bool
quirk_on(unsigned mask, enum quirk_id q)
{
	return ((mask >> q) & 1u) != 0;
}

#endif
