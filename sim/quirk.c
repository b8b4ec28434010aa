/*
 * The quirk and preset tables, and the resolution of quirk settings.
 * Names are the spellings of blksim-quirks(7) and blksim-scenario(5); the
 * order of the table is the quirk number minus one.
 *
 * Settings come from the scenario and from the command line (see
 * quirk.h); quirk_resolve() is the only code that knows which one wins,
 * so that the parser's summary of a file, `blksim run` and `blksim fuzz`
 * cannot disagree.
 */
#include <stdlib.h>
#include <string.h>

#include "quirk.h"
#include "xmalloc.h"

static const struct quirk_info quirk_table[QUIRK_COUNT] = {
	[QUIRK_RETRY_GET_EXTENT] = { "retry-get-extent",
	    "retry finds the logical block through get_extent, taking fs_mutex "
	    "on the end-io worker (deadlock)",
	    0, "3b951516 (2008)" },
	[QUIRK_DROP_WHOLE] = { "drop-whole",
	    "drop_extent_cache removes every map touching the range whole "
	    "(retry lookup misses: EIO without the good mirror)",
	    0, "3b951516 (2008)" },
	[QUIRK_TRUNCATE_UNALIGNED] = { "truncate-unaligned",
	    "truncate drops the extent cache from the raw i_size "
	    "(unaligned cached remnant)",
	    0, "3b951516 (2008)" },
	[QUIRK_HOLE_DROP_LENGTH] = { "hole-drop-length",
	    "hole filling drops (hole_start, hole_size - 1), a length passed "
	    "as an inclusive end (stale or bogus maps)",
	    0, "3b951516 (2008)" },
	[QUIRK_INSERT_EEXIST_EIO] = { "insert-eexist-eio",
	    "get_extent fails with EIO when the insert hits -EEXIST and the "
	    "range is not cached (no merge)",
	    0, "3b951516 (2008)" },
	[QUIRK_NOCSUM_EIO] = { "nocsum-eio",
	    "a sector with no recorded checksum fails verification "
	    "(EIO after every mirror)",
	    0, "3b951516 (2008)" },
	[QUIRK_ALLOC_UNDERFLOW] = { "alloc-underflow",
	    "cow_file_range has no num_bytes < cur_alloc_size break "
	    "(runaway allocation: ENOSPC or oops)",
	    0, "3b951516 (2008)" },
	[QUIRK_RETRY_MISS_OOPS] = { "retry-miss-oops",
	    "the fixed retry dereferences a missed cache lookup before "
	    "checking it (oops instead of EIO)",
	    0, "none in 3b951516: a latent defect of it" },
	[QUIRK_REPAIR_DISABLED] = { "repair-disabled",
	    "buffered reads get no repair: a dummy readpage_io_failed hook "
	    "(btrfs/141, 143)",
	    1, "9d0d1c8b1c9d (2017)" },
	[QUIRK_NO_CORRUPTION_COUNT] = { "no-corruption-count",
	    "checksum errors do not count corruption_errs (btrfs/215)",
	    1, "814723e0a55a (2020)" },
	[QUIRK_REPAIR_ONE_MIRROR] = { "repair-one-mirror",
	    "repair reads start at copy 1 and only the last bad copy is "
	    "rewritten (btrfs/265)",
	    1, "c144c63fd33a (2022)" },
	[QUIRK_WRITE_ERROR_READ_COUNT] = { "write-error-read-count",
	    "a failed write also counts read_io_errs",
	    1, "\"fix unnecessary increment of read error stat on write error\" (2023)" },
	[QUIRK_SCRUB_RO_WRITES] = { "scrub-ro-writes",
	    "a read-only scrub writes its repairs (btrfs/288)",
	    1, "1f2030ff6e49 (2023)" },
	[QUIRK_SCRUB_FINAL_COUNTS] = { "scrub-final-counts",
	    "scrub reports the errors left at the end, not those found "
	    "(btrfs/289)",
	    1, "79b8ee702c91 (2023)" },
	[QUIRK_REPAIR_ENDLESS] = { "repair-endless",
	    "the repair walk does not stop at the failed copy (the loop "
	    "btrfs/268 guards against)",
	    1, "none: the loop btrfs/268 guards against (2021 review)" },
	[QUIRK_DIO_RETRY_DEREF] = { "dio-retry-deref",
	    "a direct read's repair of a checksummed sector oopses in "
	    "btrfs_retry_endio (btrfs/140)",
	    1, "2e949b0a5592 (2017)" },
	[QUIRK_DIO_REPAIR_OFFSET] = { "dio-repair-offset",
	    "a direct read's repair of a nodatasum I/O error builds its bio "
	    "at a wrong page offset: the reader segfaults (btrfs/142)",
	    1, "97bf5a5589aa (2017)" },
};

static const struct {
	const char	*name;
	const char	*summary;
	unsigned	 mask;
	unsigned	 era;
} preset_table[PRESET_COUNT] = {
	[PRESET_POST_PATCH] = { "post-patch",
	    "every quirk off: the code after commit 3b951516 (default)", 0,
	    0 },
	[PRESET_PRE_PATCH] = { "pre-patch",
	    "quirks 1-7 on: the code before commit 3b951516",
	    (1u << QUIRK_RETRY_MISS_OOPS) - 1, 0 },
	[PRESET_FIXED] = { "fixed",
	    "every quirk off: every fix in (default)", 0, 1 },
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

unsigned
quirk_preset_era(enum quirk_preset p)
{
	return preset_table[p].era;
}

enum quirk_preset
quirk_default_preset(unsigned era)
{
	return era == 0 ? PRESET_POST_PATCH : PRESET_FIXED;
}

unsigned
quirk_era_mask(unsigned era)
{
	unsigned mask = 0;

	for (int q = 0; q < QUIRK_COUNT; q++)
		if (quirk_table[q].era == era)
			mask |= 1u << q;
	return mask;
}

void
quirk_settings_add(struct quirk_settings *l, enum quirk_from from, int id,
    bool on)
{
	struct quirk_setting *qs;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	qs = &l->v[l->n++];
	qs->from = from;
	qs->id = id;
	qs->on = on;
}

void
quirk_settings_append(struct quirk_settings *dst,
    const struct quirk_settings *src)
{
	for (size_t i = 0; i < src->n; i++)
		quirk_settings_add(dst, src->v[i].from, src->v[i].id,
		    src->v[i].on);
}

void
quirk_settings_free(struct quirk_settings *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static bool
is_preset(enum quirk_from from)
{
	return from == QUIRK_FROM_FILE_PRESET || from == QUIRK_FROM_OPT_PRESET;
}

/*
 * Apply the settings of L to the mask MASK in precedence order, presets
 * only if PRESETS; *TOUCHED gets every quirk a quirk setting named.
 */
static unsigned
quirk_apply(const struct quirk_settings *l, bool presets, unsigned mask,
    unsigned *touched)
{
	*touched = 0;
	for (int from = 0; from < QUIRK_FROM_COUNT; from++)
		for (size_t i = 0; i < l->n; i++) {
			const struct quirk_setting *qs = &l->v[i];

			if ((int)qs->from != from)
				continue;
			if (is_preset(qs->from)) {
				if (presets)
					mask = quirk_preset_mask(qs->id);
				continue;
			}
			*touched |= 1u << qs->id;
			if (qs->on)
				mask |= 1u << qs->id;
			else
				mask &= ~(1u << qs->id);
		}
	return mask;
}

int
quirk_settings_foreign(const struct quirk_settings *l, unsigned era)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct quirk_setting *qs = &l->v[i];
		bool preset = qs->from == QUIRK_FROM_OPT_PRESET ||
		    qs->from == QUIRK_FROM_FILE_PRESET;
		unsigned its = preset ?
		    quirk_preset_era((enum quirk_preset)qs->id) :
		    quirk_info((enum quirk_id)qs->id)->era;

		if (its != era)
			return (int)i;
	}
	return -1;
}

unsigned
quirk_resolve(const struct quirk_settings *l)
{
	unsigned touched;

	return quirk_apply(l, true, quirk_preset_mask(PRESET_POST_PATCH),
	    &touched);
}

void
quirk_overrides(const struct quirk_settings *l, unsigned *on, unsigned *off)
{
	unsigned touched;

	*on = quirk_apply(l, false, 0, &touched);
	*off = touched & ~*on;
}
