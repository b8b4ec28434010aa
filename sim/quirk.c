/*
 * The quirk and preset tables.  Names are the spellings of DESIGN.md §2.1;
 * the order of the table is the quirk number minus one.
 */
#include <string.h>

#include "quirk.h"

static const struct quirk_info quirk_table[QUIRK_COUNT] = {
	[QUIRK_RETRY_GET_EXTENT] = { "retry-get-extent",
	    "retry finds the logical block through get_extent, taking fs_mutex "
	    "on the end-io worker (deadlock)" },
	[QUIRK_DROP_WHOLE] = { "drop-whole",
	    "drop_extent_cache removes every map touching the range whole "
	    "(retry lookup misses: EIO without the good mirror)" },
	[QUIRK_TRUNCATE_UNALIGNED] = { "truncate-unaligned",
	    "truncate drops the extent cache from the raw i_size "
	    "(unaligned cached remnant)" },
	[QUIRK_HOLE_DROP_LENGTH] = { "hole-drop-length",
	    "hole filling drops (hole_start, hole_size - 1), a length passed "
	    "as an inclusive end (stale or bogus maps)" },
	[QUIRK_INSERT_EEXIST_EIO] = { "insert-eexist-eio",
	    "get_extent fails with EIO when the insert hits -EEXIST and the "
	    "range is not cached (no merge)" },
	[QUIRK_NOCSUM_EIO] = { "nocsum-eio",
	    "a sector with no recorded checksum fails verification "
	    "(EIO after every mirror)" },
	[QUIRK_ALLOC_UNDERFLOW] = { "alloc-underflow",
	    "cow_file_range has no num_bytes < cur_alloc_size break "
	    "(runaway allocation: ENOSPC or oops)" },
	[QUIRK_RETRY_MISS_OOPS] = { "retry-miss-oops",
	    "the fixed retry dereferences a missed cache lookup before "
	    "checking it (oops instead of EIO)" },
	[QUIRK_REPAIR_DISABLED] = { "repair-disabled",
	    "buffered reads get no repair: a dummy readpage_io_failed hook "
	    "(btrfs/141, 143)" },
	[QUIRK_NO_CORRUPTION_COUNT] = { "no-corruption-count",
	    "checksum errors do not count corruption_errs (btrfs/215)" },
	[QUIRK_REPAIR_ONE_MIRROR] = { "repair-one-mirror",
	    "repair reads start at copy 1 and only the last bad copy is "
	    "rewritten (btrfs/265)" },
	[QUIRK_WRITE_ERROR_READ_COUNT] = { "write-error-read-count",
	    "a failed write also counts read_io_errs" },
	[QUIRK_SCRUB_RO_WRITES] = { "scrub-ro-writes",
	    "a read-only scrub writes its repairs (btrfs/288)" },
	[QUIRK_SCRUB_FINAL_COUNTS] = { "scrub-final-counts",
	    "scrub reports the errors left at the end, not those found "
	    "(btrfs/289)" },
	[QUIRK_REPAIR_ENDLESS] = { "repair-endless",
	    "the repair walk does not stop at the failed copy (the loop "
	    "btrfs/268 guards against)" },
};

static const struct {
	const char	*name;
	const char	*summary;
	unsigned	 mask;
} preset_table[PRESET_COUNT] = {
	[PRESET_POST_PATCH] = { "post-patch",
	    "every quirk off: the code after commit 3b951516 (default)", 0 },
	[PRESET_PRE_PATCH] = { "pre-patch",
	    "quirks 1-7 on: the code before commit 3b951516",
	    (1u << QUIRK_RETRY_MISS_OOPS) - 1 },
};

const struct quirk_info *
quirk_info(enum quirk_id q)
{
	return &quirk_table[q];
}

int
quirk_lookup(const char *name, unsigned long len)
{
	for (int q = 0; q < QUIRK_COUNT; q++) {
		if (strlen(quirk_table[q].name) == len &&
		    memcmp(quirk_table[q].name, name, len) == 0)
			return q;
	}
	return -1;
}

int
quirk_preset_lookup(const char *name, unsigned long len)
{
	for (int p = 0; p < PRESET_COUNT; p++) {
		if (strlen(preset_table[p].name) == len &&
		    memcmp(preset_table[p].name, name, len) == 0)
			return p;
	}
	return -1;
}

const char *
quirk_preset_name(enum quirk_preset p)
{
	return preset_table[p].name;
}

const char *
quirk_preset_summary(enum quirk_preset p)
{
	return preset_table[p].summary;
}

unsigned
quirk_preset_mask(enum quirk_preset p)
{
	return preset_table[p].mask;
}
