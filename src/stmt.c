/*
 * The statement table (see stmt.h): the rows indexed by enum scn_kind,
 * what derives from them (roles, names for messages, the statement a
 * flag belongs to), and the flags of the language.
 *
 * Invariant: stmt_table[k]->kind == k for every kind, and the table's
 * order is the order of the kinds; statements that share a word (the two
 * forms of corrupt) are adjacent, the positional form first.
 */
#include <string.h>

#include "stmt.h"

static const struct stmt_row *const stmt_table[SCN_KIND_COUNT] = {
	[SCN_ERA] = &stmt_era_row,
	[SCN_FS] = &stmt_fs_row,
	[SCN_PRESET] = &stmt_preset_row,
	[SCN_QUIRK] = &stmt_quirk_row,
	[SCN_SEED] = &stmt_seed_row,
	[SCN_GUARDS] = &stmt_guards_row,
	[SCN_CREATE] = &stmt_create_row,
	[SCN_WRITE] = &stmt_write_row,
	[SCN_SYNC] = &stmt_sync_row,
	[SCN_READ] = &stmt_read_row,
	[SCN_TRUNCATE] = &stmt_truncate_row,
	[SCN_DROP_CACHE] = &stmt_drop_cache_row,
	[SCN_DROP_CACHES] = &stmt_drop_caches_row,
	[SCN_CORRUPT] = &stmt_corrupt_row,
	[SCN_CORRUPT_LOGICAL] = &stmt_corrupt_logical_row,
	[SCN_IOERROR] = &stmt_ioerror_row,
	[SCN_IOERROR_LOGICAL] = &stmt_ioerror_logical_row,
	[SCN_LOSE_WRITE] = &stmt_lose_write_row,
	[SCN_LOSE_WRITE_LOGICAL] = &stmt_lose_write_logical_row,
	[SCN_TEAR_WRITE] = &stmt_tear_write_row,
	[SCN_TEAR_WRITE_LOGICAL] = &stmt_tear_write_logical_row,
	[SCN_MISDIRECT_WRITE] = &stmt_misdirect_write_row,
	[SCN_MISDIRECT_WRITE_LOGICAL] = &stmt_misdirect_write_logical_row,
	[SCN_OFFLINE] = &stmt_offline_row,
	[SCN_ONLINE] = &stmt_online_row,
	[SCN_FAULTS] = &stmt_faults_row,
	[SCN_SCRUB] = &stmt_scrub_row,
	[SCN_CONCURRENT] = &stmt_concurrent_row,
	[SCN_EXPECT_CACHE] = &stmt_expect_cache_row,
	[SCN_EXPECT_COHERENT] = &stmt_expect_coherent_row,
	[SCN_EXPECT_SIZE] = &stmt_expect_size_row,
	[SCN_EXPECT_EXTENTS] = &stmt_expect_extents_row,
	[SCN_EXPECT_STAT] = &stmt_expect_stat_row,
	[SCN_EXPECT_COPY] = &stmt_expect_copy_row,
	[SCN_EXPECT_DEVSTATS] = &stmt_expect_devstats_row,
	[SCN_EXPECT_SCRUB] = &stmt_expect_scrub_row,
	[SCN_EXPECT_VIOLATION] = &stmt_expect_violation_row,
};

#define EXPECT_PREFIX	"expect "

static const struct stmt_flag stmt_flags[] = {
	{ "nodatasum", SCN_F_NODATASUM },
	{ "nocsum", SCN_F_NOCSUM },
	{ "nosync", SCN_F_NOSYNC },
	{ "direct", SCN_F_DIRECT },
	{ "readonly", SCN_F_READONLY },
	{ "intact", SCN_F_INTACT },
	{ "damaged", SCN_F_DAMAGED },
	{ "clear-on-write", SCN_F_CLEAR_ON_WRITE },
};

const struct stmt_row *
stmt_row(enum scn_kind k)
{
	return stmt_table[k];
}

const char *
stmt_word(const struct stmt_row *row)
{
	if (row->role == STMT_EXPECT)
		return row->name + strlen(EXPECT_PREFIX);
	return row->name;
}

const struct stmt_row *
stmt_find(const struct lex_word *w, bool expect, bool keyform)
{
	const struct stmt_row *found = NULL;

	for (int k = 0; k < SCN_KIND_COUNT; k++) {
		const struct stmt_row *row = stmt_table[k];

		if ((row->role == STMT_EXPECT) != expect ||
		    !lex_eq(w, stmt_word(row)))
			continue;
		if (found == NULL)
			found = row;
		else if (keyform && row->npos == 0)
			return row;
	}
	return found;
}

bool
stmt_is_operation(enum scn_kind k)
{
	return k < SCN_KIND_COUNT && (stmt_table[k]->role == STMT_OPERATION ||
	    stmt_table[k]->role == STMT_BLOCK);
}

bool
stmt_is_header(enum scn_kind k)
{
	return stmt_table[k]->role == STMT_HEADER;
}

bool
stmt_is_expect(enum scn_kind k)
{
	return stmt_table[k]->role == STMT_EXPECT;
}

bool
stmt_is_task(enum scn_kind k)
{
	return stmt_table[k]->task > 0;
}

bool
stmt_writes(enum scn_kind k)
{
	return (stmt_table[k]->flags & STMT_WRITES) != 0;
}

bool
stmt_has_range(enum scn_kind k)
{
	const struct stmt_row *row = stmt_table[k];

	for (unsigned i = 0; i < row->npos; i++)
		if (row->pos[i] == STMT_SL_OFF)
			return true;
	return false;
}

size_t
stmt_words(const char **names, size_t max, bool expect)
{
	size_t n = 0;

	for (int k = 0; k < SCN_KIND_COUNT && n < max; k++) {
		const struct stmt_row *row = stmt_table[k];

		if ((row->role == STMT_EXPECT) != expect)
			continue;
		if (n == 0 || strcmp(names[n - 1], stmt_word(row)) != 0)
			names[n++] = stmt_word(row);
	}
	return n;
}

size_t
stmt_tasks(const char **names, size_t max)
{
	size_t n = 0;

	for (int k = 0; k < SCN_KIND_COUNT; k++) {
		unsigned t = stmt_table[k]->task;

		if (t > 0 && t <= max) {
			names[t - 1] = stmt_table[k]->name;
			n = t > n ? t : n;
		}
	}
	return n;
}

const struct stmt_flag *
stmt_flag(const struct lex_word *w)
{
	for (size_t i = 0; i < sizeof(stmt_flags) / sizeof(stmt_flags[0]);
	    i++) {
		if (lex_eq(w, stmt_flags[i].name))
			return &stmt_flags[i];
	}
	return NULL;
}

const char *
stmt_flag_owner(unsigned bit)
{
	for (int k = 0; k < SCN_KIND_COUNT; k++)
		if (stmt_table[k]->allow & bit)
			return stmt_table[k]->name;
	return "?";
}
