/*
 * The scenario AST helpers (see scn.h): statement names for messages and
 * the operation predicate (both from the statement table, src/stmt.h),
 * the fs defaults, and freeing.
 *
 * alloc_align: scn_fs_defaults() leaves it 0 ("the sector size"), because
 * the sector size may be given later on the same `fs` line; the parser then
 * resolves it, so script->fs.alloc_align (and the fs statement's copy) of a
 * successfully parsed script is never 0.
 */
#include <stdlib.h>

#include "scn.h"
#include "stmt.h"

/* The statement's name in its row (src/stmt.h). */
const char *
scn_kind_name(enum scn_kind k)
{
	if ((unsigned)k >= SCN_KIND_COUNT)
		return "?";
	return stmt_row(k)->name;
}

/* The roles of its row (src/stmt.h): an operation or a block. */
bool
scn_is_operation(enum scn_kind k)
{
	return stmt_is_operation(k);
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
	fs->dup = false;
	fs->read_policy = FS_POLICY_PID;
	fs->rr_min_contig = FS_RR_MIN_CONTIG;
	fs->policy_devid = 1;
	fs->readahead = FS_READAHEAD_DEFAULT;
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
