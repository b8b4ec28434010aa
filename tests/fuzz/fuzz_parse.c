/*
 * libFuzzer target for the scenario parser: parse the input as a scenario
 * file, print the diagnostics to a memory stream, free everything.  Beyond
 * the sanitizers it checks the parser's contract on every input:
 *
 *	- a script is returned exactly when no diagnostic was added;
 *	- every diagnostic's caret lies on its source line (line, column and
 *	  width inside the text the lexer saw), and they print in order;
 *	- a returned script is sane: file indices in range, every range
 *	  non-empty and inside 64 bits, mirrors within the fs mirror count,
 *	  blocks non-empty and made of tasks only, alloc_align resolved.
 *
 * Build: ./configure --enable-fuzzing CC=clang && make tests/fuzz/fuzz_parse
 * Seeds: tests/fuzz/corpus/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "src/diag.h"
#include "src/lex.h"
#include "src/parse.h"
#include "src/scn.h"
#include "src/stmt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_ASSERT(c)	do {						\
	if (!(c)) {							\
		fprintf(stderr, "fuzz_parse: %s:%d: %s\n", __FILE__,	\
		    __LINE__, #c);					\
		abort();						\
	}								\
} while (0)

static void
fuzz_check_stmt(const struct scn_script *s, const struct scn_stmt *st,
    bool in_block)
{
	FUZZ_ASSERT(st->kind < SCN_KIND_COUNT);
	FUZZ_ASSERT(st->pos.line >= 1 && st->pos.col >= 1);
	FUZZ_ASSERT(st->file >= -1 && (st->file < 0 ||
	    (size_t)st->file < s->nfiles));
	FUZZ_ASSERT(!in_block || stmt_is_task(st->kind));
	if (stmt_has_range(st->kind)) {
		FUZZ_ASSERT(st->file >= 0);
		FUZZ_ASSERT(st->len >= 1);
		FUZZ_ASSERT(st->off <= UINT64_MAX - st->len);
		FUZZ_ASSERT(!st->len_max || st->off + st->len == UINT64_MAX);
	}
	if (st->kind == SCN_CORRUPT_LOGICAL) {
		FUZZ_ASSERT(st->len >= 1);
		FUZZ_ASSERT(st->logical <= UINT64_MAX - st->len);
	}
	FUZZ_ASSERT(st->mirror >= 0 && (unsigned)st->mirror <= s->fs.mirrors);
	FUZZ_ASSERT(st->expect.mirror >= 0 &&
	    (unsigned)st->expect.mirror <= s->fs.mirrors);
	if (st->kind == SCN_CORRUPT || st->kind == SCN_CORRUPT_LOGICAL ||
	    st->kind == SCN_IOERROR || st->kind == SCN_OFFLINE ||
	    st->kind == SCN_ONLINE)
		FUZZ_ASSERT(st->mirror >= 1);
	FUZZ_ASSERT(st->fill >= -1 && st->fill <= 255);
	FUZZ_ASSERT(st->expect.outcomes != 0 &&
	    (st->expect.outcomes & ~SCN_OUT_ALL) == 0);
	FUZZ_ASSERT(st->rate_den >= 1 && st->rate_num <= st->rate_den);
	FUZZ_ASSERT(st->kind != SCN_FAULTS || st->fault_kinds != 0);
	FUZZ_ASSERT(st->kind != SCN_DROP_CACHES ||
	    (st->level >= 1 && st->level <= 3));
	FUZZ_ASSERT(st->kind != SCN_EXPECT_STAT || st->nstats >= 1);
	FUZZ_ASSERT(st->kind != SCN_CONCURRENT ||
	    (st->ntasks >= 1 && st->runs >= 1 && st->max_schedules >= 1));
	for (size_t i = 0; i < st->ntasks; i++) {
		FUZZ_ASSERT(!in_block);
		fuzz_check_stmt(s, &st->tasks[i], true);
	}
}

static void
fuzz_check_script(const struct scn_script *s)
{
	const struct scn_fs *fs = &s->fs;

	FUZZ_ASSERT(fs->mirrors >= 1 && fs->mirrors <= 4);
	FUZZ_ASSERT(fs->sectorsize >= 512 && fs->sectorsize <= 65536 &&
	    (fs->sectorsize & (fs->sectorsize - 1)) == 0);
	FUZZ_ASSERT(fs->alloc_align >= fs->sectorsize &&
	    (fs->alloc_align & (fs->alloc_align - 1)) == 0);
	FUZZ_ASSERT(fs->size >= fs->alloc_align &&
	    fs->size <= UINT64_MAX - (1u << 20));
	FUZZ_ASSERT(fs->max_extent >= fs->sectorsize &&
	    (fs->max_extent == UINT64_MAX ||
	    fs->max_extent % fs->sectorsize == 0));
	FUZZ_ASSERT(fs->workers >= 1 && fs->workers <= 64);
	for (size_t i = 0; i < s->nstmts; i++)
		fuzz_check_stmt(s, &s->stmts[i], false);
}

/* Every caret lies on its line, inside the text the lexer saw. */
static void
fuzz_check_diags(const struct diag_list *dl, const char *buf, size_t len)
{
	struct lex lx;
	struct lex_line ln;
	size_t k = 0;

	lex_init(&lx, buf, len);
	while (k < dl->n && lex_next(&lx, &ln)) {
		for (; k < dl->n && dl->v[k].line == ln.lineno; k++) {
			const struct diag *d = &dl->v[k];

			FUZZ_ASSERT(d->col >= 1 && d->width >= 1);
			FUZZ_ASSERT(d->col - 1 + (size_t)d->width <= ln.len);
		}
		if (k < dl->n)
			FUZZ_ASSERT(dl->v[k].line > ln.lineno);
	}
	lex_fini(&lx);
	FUZZ_ASSERT(k == dl->n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct scn_script *s;
	struct diag_list dl;
	char *out = NULL;
	size_t outlen = 0;
	FILE *fp;

	diag_init(&dl);
	s = parse_script("fuzz.scn", buf, size, &dl);
	FUZZ_ASSERT((s == NULL) == (dl.n > 0));
	if (s != NULL)
		fuzz_check_script(s);
	fp = open_memstream(&out, &outlen);
	FUZZ_ASSERT(fp != NULL);
	diag_print(&dl, "fuzz.scn", buf, size, fp);
	fclose(fp);
	free(out);
	fuzz_check_diags(&dl, buf, size);
	scn_free(s);
	diag_free(&dl);
	return 0;
}
