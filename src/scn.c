/*
 * The scenario AST helpers (see scn.h): statement names for messages, the
 * operation predicate that orders headers before operations, the fs
 * defaults, and freeing.
 *
 * alloc_align: scn_fs_defaults() leaves it 0 ("the sector size"), because
 * the sector size may be given later on the same `fs` line; the parser then
 * resolves it, so script->fs.alloc_align (and the fs statement's copy) of a
 * successfully parsed script is never 0.
 */
#include <stdlib.h>

#include "scn.h"

static const char *const scn_kind_names[SCN_KIND_COUNT] = {
	[SCN_FS] = "fs",
	[SCN_PRESET] = "preset",
	[SCN_QUIRK] = "quirk",
	[SCN_SEED] = "seed",
	[SCN_GUARDS] = "guards",
	[SCN_CREATE] = "create",
	[SCN_WRITE] = "write",
	[SCN_SYNC] = "sync",
	[SCN_READ] = "read",
	[SCN_TRUNCATE] = "truncate",
	[SCN_DROP_CACHE] = "drop-cache",
	[SCN_DROP_CACHES] = "drop-caches",
	[SCN_CORRUPT] = "corrupt",
	[SCN_CORRUPT_LOGICAL] = "corrupt",
	[SCN_IOERROR] = "ioerror",
	[SCN_OFFLINE] = "offline",
	[SCN_ONLINE] = "online",
	[SCN_FAULTS] = "faults",
	[SCN_CONCURRENT] = "concurrent",
	[SCN_EXPECT_CACHE] = "expect cache",
	[SCN_EXPECT_COHERENT] = "expect coherent",
	[SCN_EXPECT_SIZE] = "expect size",
	[SCN_EXPECT_EXTENTS] = "expect extents",
	[SCN_EXPECT_STAT] = "expect stat",
	[SCN_EXPECT_VIOLATION] = "expect violation",
};

const char *
scn_kind_name(enum scn_kind k)
{
	if ((unsigned)k >= SCN_KIND_COUNT)
		return "?";
	return scn_kind_names[k];
}

/*
 * Every statement but the headers (fs, preset, quirk, seed, guards) and the
 * standalone expectations is an operation; `create` is one.
 */
bool
scn_is_operation(enum scn_kind k)
{
	switch (k) {
	case SCN_FS:
	case SCN_PRESET:
	case SCN_QUIRK:
	case SCN_SEED:
	case SCN_GUARDS:
	case SCN_EXPECT_CACHE:
	case SCN_EXPECT_COHERENT:
	case SCN_EXPECT_SIZE:
	case SCN_EXPECT_EXTENTS:
	case SCN_EXPECT_STAT:
	case SCN_EXPECT_VIOLATION:
	case SCN_KIND_COUNT:
		return false;
	default:
		return true;
	}
}

void
scn_fs_defaults(struct scn_fs *fs)
{
	fs->sectorsize = 4096;
	fs->mirrors = 2;
	fs->size = 1ull << 30;
	fs->max_extent = UINT64_MAX;
	fs->alloc_align = 0;
	fs->workers = 1;
	fs->csum_crc32 = false;
}

static void
scn_stmt_free(struct scn_stmt *st)
{
	free(st->stats);
	for (size_t i = 0; i < st->ntasks; i++)
		scn_stmt_free(&st->tasks[i]);
	free(st->tasks);
}

void
scn_free(struct scn_script *s)
{
	if (s == NULL)
		return;
	free(s->filename);
	for (size_t i = 0; i < s->nfiles; i++)
		free(s->files[i]);
	free(s->files);
	for (size_t i = 0; i < s->nstmts; i++)
		scn_stmt_free(&s->stmts[i]);
	free(s->stmts);
	quirk_settings_free(&s->quirk_settings);
	free(s);
}
