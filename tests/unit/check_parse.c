/*
 * Unit tests for the scenario parser (src/parse.c) and the diagnostics
 * printer (src/diag.c): every statement, option, flag and value form of
 * blksim-scenario(5) parsed into the AST, and every kind of error reported at
 * the right line and column with the right message.  Error cases are one
 * table, each row a file with exactly one error; files with several
 * errors have their own tests.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/dev.h"
#include "sim/era.h"
#include "src/diag.h"
#include "sim/rng.h"
#include "sim/xmalloc.h"
#include "src/parse.h"
#include "src/pfiles.h"
#include "src/scn.h"
#include "src/stmt.h"
#include "tests/unit/suite.h"

/* The diagnostics of DL printed against SRC, for failure messages. */
static char *
diags_text(struct diag_list *dl, const char *src)
{
	char *out = NULL;
	size_t outlen = 0;
	FILE *fp = open_memstream(&out, &outlen);

	ck_assert_ptr_nonnull(fp);
	diag_print(dl, "t.scn", src, strlen(src), fp);
	fclose(fp);
	return out;
}

/* Parse SRC, which must be valid; the caller frees the script. */
static struct scn_script *
ok(const char *src)
{
	struct diag_list dl;
	struct scn_script *s;
	char *text;

	diag_init(&dl);
	s = parse_script("t.scn", src, strlen(src), &dl);
	if (dl.n > 0) {
		text = diags_text(&dl, src);
		ck_abort_msg("unexpected errors in\n%s\n---\n%s", src, text);
	}
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s->filename, "t.scn");
	diag_free(&dl);
	return s;
}

struct want {
	uint32_t	line;
	uint32_t	col;
	const char	*msg;		/* a substring of the message */
};

/* Parse SRC and require exactly the N errors of W, in order. */
static void
errs(const char *src, const struct want *w, size_t n)
{
	struct diag_list dl;
	struct scn_script *s;
	char *text;

	diag_init(&dl);
	s = parse_script("t.scn", src, strlen(src), &dl);
	ck_assert_ptr_null(s);
	text = diags_text(&dl, src);
	ck_assert_msg(dl.n == n, "want %zu errors, got %zu in\n%s\n---\n%s",
	    n, dl.n, src, text);
	for (size_t i = 0; i < n; i++) {
		const struct diag *d = &dl.v[i];

		ck_assert_msg(d->line == w[i].line && d->col == w[i].col &&
		    strstr(d->msg, w[i].msg) != NULL,
		    "error %zu: want %u:%u \"%s\"\n---\n%s", i, w[i].line,
		    w[i].col, w[i].msg, text);
	}
	free(text);
	diag_free(&dl);
}

#define ERRS(src, ...)	do {						\
	static const struct want w_[] = { __VA_ARGS__ };		\
	errs(src, w_, sizeof(w_) / sizeof(w_[0]));			\
} while (0)

/* --- valid files: the AST ------------------------------------------------ */

/* scenario: an empty file is valid and every default applies. */
START_TEST(test_defaults)
{
	struct scn_script *s = ok("");

	ck_assert_uint_eq(s->nstmts, 0);
	ck_assert_uint_eq(s->nfiles, 0);
	ck_assert_uint_eq(s->fs.sectorsize, 4096);
	ck_assert_uint_eq(s->fs.mirrors, 2);
	ck_assert_uint_eq(s->fs.size, 1ull << 30);
	ck_assert_uint_eq(s->fs.max_extent, UINT64_MAX);
	ck_assert_uint_eq(s->fs.alloc_align, 4096);
	ck_assert_uint_eq(s->fs.workers, 1);
	ck_assert(!s->fs.csum_crc32);
	ck_assert_uint_eq(s->quirks, 0);
	ck_assert_uint_eq(s->seed, 0);
	ck_assert_uint_eq(s->guards, 0);
	scn_free(s);
	s = ok("# only comments\n\n   \t\n# and blanks\n");
	ck_assert_uint_eq(s->nstmts, 0);
	scn_free(s);
}
END_TEST

/* scenario: every fs option, in any order, fills script->fs. */
START_TEST(test_fs)
{
	struct scn_script *s = ok("fs csum=crc32 workers=64 alloc_align=8K "
	    "max_extent=0x3000 size=0x100000 mirrors=4 sectorsize=1K\n");

	ck_assert_uint_eq(s->nstmts, 1);
	ck_assert_int_eq(s->stmts[0].kind, SCN_FS);
	ck_assert_uint_eq(s->fs.sectorsize, 1024);
	ck_assert_uint_eq(s->fs.mirrors, 4);
	ck_assert_uint_eq(s->fs.size, 1ull << 20);
	ck_assert_uint_eq(s->fs.max_extent, 0x3000);
	ck_assert_uint_eq(s->fs.alloc_align, 8192);
	ck_assert_uint_eq(s->fs.workers, 64);
	ck_assert(s->fs.csum_crc32);
	ck_assert_uint_eq(s->stmts[0].fs.alloc_align, 8192);
	ck_assert_uint_eq(s->stmts[0].fs.mirrors, 4);
	scn_free(s);

	/* alloc_align defaults to the sector size given on the line. */
	s = ok("fs sectorsize=64K csum=crc32c mirrors=1 workers=1");
	ck_assert_uint_eq(s->fs.sectorsize, 65536);
	ck_assert_uint_eq(s->fs.alloc_align, 65536);
	ck_assert_uint_eq(s->fs.size, 1ull << 30);
	ck_assert(!s->fs.csum_crc32);
	scn_free(s);

	/* Boundaries: 512-byte sectors, the largest size (1M + size is
	 * 2^63). */
	s = ok("fs sectorsize=512 size=0x7ffffffffff00000 max_extent=512 "
	    "alloc_align=512");
	ck_assert_uint_eq(s->fs.sectorsize, 512);
	ck_assert_uint_eq(s->fs.size, 0x7ffffffffff00000ull);
	ck_assert_uint_eq(s->fs.max_extent, 512);
	scn_free(s);

	/* Comments and blank lines before fs do not count. */
	s = ok("# header\n\nfs mirrors=3\n");
	ck_assert_uint_eq(s->fs.mirrors, 3);
	ck_assert_uint_eq(s->stmts[0].pos.line, 3);
	scn_free(s);
}
END_TEST

/* scenario: preset mask first, then quirk lines in file order. */
START_TEST(test_quirks)
{
	struct scn_script *s;
	unsigned pre = quirk_preset_mask(PRESET_PRE_PATCH);

	s = ok("preset pre-patch\nquirk drop-whole off\n"
	    "quirk retry-miss-oops on\nquirk drop-whole on\n"
	    "quirk nocsum-eio off\n");
	ck_assert_uint_eq(s->quirks, (pre & ~(1u << QUIRK_NOCSUM_EIO)) |
	    (1u << QUIRK_RETRY_MISS_OOPS));
	ck_assert_int_eq(s->stmts[0].preset, PRESET_PRE_PATCH);
	ck_assert_int_eq(s->stmts[1].quirk, QUIRK_DROP_WHOLE);
	ck_assert(!s->stmts[1].on);
	ck_assert(s->stmts[2].on);
	scn_free(s);

	/* A quirk line before the preset still applies after it. */
	s = ok("quirk drop-whole off\npreset pre-patch\n");
	ck_assert_uint_eq(s->quirks, pre & ~(1u << QUIRK_DROP_WHOLE));
	scn_free(s);

	s = ok("preset post-patch\nquirk alloc-underflow on");
	ck_assert_uint_eq(s->quirks, 1u << QUIRK_ALLOC_UNDERFLOW);
	scn_free(s);

	/* Every quirk name of the file's era is accepted, no other. */
	for (int q = 0; q < QUIRK_COUNT; q++) {
		char src[128];
		struct diag_list dl;

		snprintf(src, sizeof(src), "quirk %s on\nguards %s\n",
		    quirk_info((enum quirk_id)q)->name,
		    quirk_info((enum quirk_id)q)->name);
		if (quirk_info((enum quirk_id)q)->era != 0) {
			diag_init(&dl);
			ck_assert_ptr_null(parse_script("t.scn", src,
			    strlen(src), &dl));
			ck_assert_uint_eq(dl.n, 2);
			ck_assert_ptr_nonnull(strstr(dl.v[0].msg,
			    "belongs to the modern era"));
			diag_free(&dl);
			continue;
		}
		s = ok(src);
		ck_assert_uint_eq(s->quirks, 1u << q);
		ck_assert_uint_eq(s->guards, 1u << q);
		scn_free(s);
	}
}
END_TEST

/*
 * Quirk precedence (sim/quirk.c, quirk_resolve()), which the summary
 * above, `blksim run` and `blksim fuzz` share: the order blksim(1) and
 * blksim-scenario(5) state, which is the order of enum quirk_from
 * whatever the order of the list, and within one source the list's.
 */
#define BIT(q)	(1u << (q))
#define PRE	quirk_preset_mask(PRESET_PRE_PATCH)

START_TEST(test_default)
{
	struct quirk_settings l = { 0 };

	ck_assert_uint_eq(quirk_resolve(&l), 0);
	quirk_settings_add(&l, QUIRK_FROM_FILE_PRESET, PRESET_PRE_PATCH, true);
	ck_assert_uint_eq(quirk_resolve(&l), PRE);
	ck_assert(!quirk_on(PRE, QUIRK_RETRY_MISS_OOPS));
	quirk_settings_free(&l);
}
END_TEST

/* A file's preset applies before its quirk lines, wherever it stands. */
START_TEST(test_file_order)
{
	struct quirk_settings l = { 0 };

	quirk_settings_add(&l, QUIRK_FROM_FILE_QUIRK, QUIRK_DROP_WHOLE, false);
	quirk_settings_add(&l, QUIRK_FROM_FILE_PRESET, PRESET_PRE_PATCH, true);
	quirk_settings_add(&l, QUIRK_FROM_FILE_QUIRK, QUIRK_NOCSUM_EIO, false);
	quirk_settings_add(&l, QUIRK_FROM_FILE_QUIRK, QUIRK_NOCSUM_EIO, true);
	ck_assert_uint_eq(quirk_resolve(&l), PRE & ~BIT(QUIRK_DROP_WHOLE));
	quirk_settings_free(&l);
}
END_TEST

/* --preset replaces the file's settings; --quirk options come after. */
START_TEST(test_options)
{
	struct quirk_settings l = { 0 };

	quirk_settings_add(&l, QUIRK_FROM_OPT_QUIRK, QUIRK_DROP_WHOLE, true);
	quirk_settings_add(&l, QUIRK_FROM_OPT_QUIRK, QUIRK_ALLOC_UNDERFLOW,
	    true);
	quirk_settings_add(&l, QUIRK_FROM_OPT_QUIRK, QUIRK_DROP_WHOLE, false);
	quirk_settings_add(&l, QUIRK_FROM_FILE_PRESET, PRESET_PRE_PATCH, true);
	quirk_settings_add(&l, QUIRK_FROM_OPT_PRESET, PRESET_POST_PATCH, true);
	quirk_settings_add(&l, QUIRK_FROM_FILE_QUIRK, QUIRK_NOCSUM_EIO, true);
	ck_assert_uint_eq(quirk_resolve(&l), BIT(QUIRK_ALLOC_UNDERFLOW));
	quirk_settings_free(&l);
}
END_TEST

/* The guarded quirk is on even when an option turned it off. */
START_TEST(test_guard_last)
{
	struct quirk_settings l = { 0 }, m = { 0 };

	quirk_settings_add(&l, QUIRK_FROM_GUARD, QUIRK_NOCSUM_EIO, true);
	quirk_settings_add(&m, QUIRK_FROM_OPT_QUIRK, QUIRK_NOCSUM_EIO, false);
	quirk_settings_append(&l, &m);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_uint_eq(quirk_resolve(&l), BIT(QUIRK_NOCSUM_EIO));
	quirk_settings_free(&l);
	quirk_settings_free(&m);
}
END_TEST

/* What `blksim fuzz` writes as quirk lines: the net --quirk options. */
START_TEST(test_overrides)
{
	struct quirk_settings l = { 0 };
	unsigned on, off;

	quirk_settings_add(&l, QUIRK_FROM_OPT_PRESET, PRESET_PRE_PATCH, true);
	quirk_settings_add(&l, QUIRK_FROM_OPT_QUIRK, QUIRK_DROP_WHOLE, true);
	quirk_settings_add(&l, QUIRK_FROM_OPT_QUIRK, QUIRK_NOCSUM_EIO, true);
	quirk_settings_add(&l, QUIRK_FROM_OPT_QUIRK, QUIRK_DROP_WHOLE, false);
	quirk_overrides(&l, &on, &off);
	ck_assert_uint_eq(on, BIT(QUIRK_NOCSUM_EIO));
	ck_assert_uint_eq(off, BIT(QUIRK_DROP_WHOLE));
	quirk_settings_free(&l);
}
END_TEST

/*
 * The statement table (src/stmt.h): every kind has its row, the shares of
 * the fuzzer's rolls cover every roll once, each generated statement can
 * be made and printed, and the task ranks number the tasks from 1.
 */
START_TEST(test_stmt_table)
{
	unsigned top[100] = { 0 }, task[10] = { 0 }, ranks = 0;
	int ntasks = 0;

	for (int k = 0; k < SCN_KIND_COUNT; k++) {
		const struct stmt_row *row = stmt_row((enum scn_kind)k);

		ck_assert_int_eq(row->kind, k);
		ck_assert_str_eq(scn_kind_name((enum scn_kind)k), row->name);
		for (unsigned r = row->gen[0]; r < row->gen[1]; r++)
			top[r]++;
		for (unsigned r = row->gen_task[0]; r < row->gen_task[1]; r++)
			task[r]++;
		if (row->gen[1] > 0 || row->gen_task[1] > 0)
			ck_assert(row->gen_make != NULL &&
			    row->gen_print != NULL);
		ck_assert(stmt_is_task((enum scn_kind)k) ==
		    (row->gen_task[1] > 0));
		if (row->task > 0) {
			ck_assert(row->role == STMT_OPERATION);
			ranks |= 1u << row->task;
			ntasks++;
		}
	}
	for (int r = 0; r < 100; r++)
		ck_assert_uint_eq(top[r], 1);
	for (int r = 0; r < 10; r++)
		ck_assert_uint_eq(task[r], 1);
	ck_assert_uint_eq(ranks, ((1u << ntasks) - 1) << 1);
	ck_assert(stmt_row(SCN_ONLINE)->gen_print != NULL);
}
END_TEST

/* scenario: seed takes any number form; the last line wins. */
START_TEST(test_seed_guards)
{
	struct scn_script *s = ok("seed 0x2a\n");

	ck_assert_uint_eq(s->seed, 42);
	ck_assert_uint_eq(s->stmts[0].seed, 42);
	scn_free(s);
	s = ok("seed 1\nseed 18446744073709551615\n");
	ck_assert_uint_eq(s->seed, UINT64_MAX);
	scn_free(s);
	s = ok("seed 4K");
	ck_assert_uint_eq(s->seed, 4096);
	scn_free(s);

	s = ok("guards drop-whole\nguards nocsum-eio retry-get-extent\n");
	ck_assert_uint_eq(s->guards, (1u << QUIRK_DROP_WHOLE) |
	    (1u << QUIRK_NOCSUM_EIO) | (1u << QUIRK_RETRY_GET_EXTENT));
	ck_assert_uint_eq(s->stmts[0].guards, 1u << QUIRK_DROP_WHOLE);
	scn_free(s);

	/* Headers may follow standalone expectations. */
	s = ok("expect stat eio=0\nquirk drop-whole on\nseed 3\n"
	    "guards drop-whole\ncreate a\n");
	ck_assert_uint_eq(s->nstmts, 5);
	scn_free(s);
}
END_TEST

/* scenario: create registers files in order; nodatasum is a flag. */
START_TEST(test_create)
{
	struct scn_script *s = ok("create a\ncreate b.2-x_ nodatasum\n"
	    "create expect\ncreate nosync\n");

	ck_assert_uint_eq(s->nfiles, 4);
	ck_assert_str_eq(s->files[0], "a");
	ck_assert_str_eq(s->files[1], "b.2-x_");
	ck_assert_str_eq(s->files[2], "expect");
	ck_assert_str_eq(s->files[3], "nosync");
	ck_assert_int_eq(s->stmts[0].kind, SCN_CREATE);
	ck_assert_int_eq(s->stmts[0].file, 0);
	ck_assert_uint_eq(s->stmts[0].flags, 0);
	ck_assert_int_eq(s->stmts[1].file, 1);
	ck_assert_uint_eq(s->stmts[1].flags, SCN_F_NODATASUM);
	ck_assert_uint_eq(s->stmts[1].name_pos.col, 8);
	ck_assert(scn_is_operation(SCN_CREATE));
	scn_free(s);
}
END_TEST

/* scenario: write with its options and flags in any order. */
START_TEST(test_write)
{
	struct scn_script *s = ok("create a\n"
	    "write a 4K 8K\n"
	    "write a 0x10 1M nosync fill=0xff nocsum\n"
	    "write a 1G max fill=7\n"
	    "write a 0 4KiB nocsum\n");
	struct scn_stmt *st = &s->stmts[1];

	ck_assert_int_eq(st->kind, SCN_WRITE);
	ck_assert_int_eq(st->file, 0);
	ck_assert_uint_eq(st->off, 4096);
	ck_assert_uint_eq(st->len, 8192);
	ck_assert(!st->len_max);
	ck_assert_int_eq(st->fill, -1);
	ck_assert_uint_eq(st->flags, 0);
	ck_assert_uint_eq(st->pos.line, 2);
	ck_assert_uint_eq(st->pos.col, 1);
	ck_assert_uint_eq(st->name_pos.col, 7);
	ck_assert_uint_eq(st->off_pos.line, 2);
	ck_assert_uint_eq(st->off_pos.col, 9);
	ck_assert_uint_eq(st->len_pos.col, 12);
	ck_assert(!st->expect.given);
	ck_assert_uint_eq(st->expect.outcomes, SCN_OUT_OK);

	st = &s->stmts[2];
	ck_assert_uint_eq(st->off, 16);
	ck_assert_uint_eq(st->len, 1 << 20);
	ck_assert_int_eq(st->fill, 255);
	ck_assert_uint_eq(st->flags, SCN_F_NOSYNC | SCN_F_NOCSUM);

	st = &s->stmts[3];
	ck_assert_uint_eq(st->off, 1ull << 30);
	ck_assert(st->len_max);
	ck_assert_uint_eq(st->len, UINT64_MAX - (1ull << 30));
	ck_assert_int_eq(st->fill, 7);

	st = &s->stmts[4];
	ck_assert_uint_eq(st->len, 4096);
	ck_assert_uint_eq(st->flags, SCN_F_NOCSUM);
	scn_free(s);

	/* A range may end exactly at 2^63, the end of the address space. */
	s = ok("create a\nwrite a 0x7ffffffffffff000 0x1000\n"
	    "write a 0x4000000000000000 0x4000000000000000\n");
	ck_assert_uint_eq(s->stmts[1].off + s->stmts[1].len, SCN_ADDR_LIMIT);
	ck_assert_uint_eq(s->stmts[2].off + s->stmts[2].len, SCN_ADDR_LIMIT);
	scn_free(s);
}
END_TEST

/* scenario: read with mirror= and a full expect tail. */
START_TEST(test_read)
{
	struct scn_script *s = ok("fs mirrors=3\ncreate a\n"
	    "read a 0 4K\n"
	    "read a 0 4K mirror=3 expect ok mirror=2 retries=2 lookup=cache\n"
	    "read a 8K max expect eio|ok data=intact lookup=get_extent\n"
	    "read a 0 1 expect ok data=0x01 retries=0\n"
	    "read a 0 1 expect oops|enospc|eio|ok data=255\n");
	struct scn_stmt *st = &s->stmts[2];

	ck_assert_int_eq(st->kind, SCN_READ);
	ck_assert_int_eq(st->mirror, 0);
	ck_assert(!st->expect.given);
	ck_assert_int_eq(st->expect.mirror, 0);
	ck_assert_int_eq(st->expect.retries, -1);
	ck_assert_int_eq(st->expect.lookup, SCN_LOOKUP_ANY);
	ck_assert_int_eq(st->expect.data, SCN_DATA_ANY);

	st = &s->stmts[3];
	ck_assert_int_eq(st->mirror, 3);
	ck_assert_uint_eq(st->mirror_pos.col, 13);
	ck_assert(st->expect.given);
	ck_assert_uint_eq(st->expect.pos.line, 4);
	ck_assert_uint_eq(st->expect.pos.col, 22);
	ck_assert_uint_eq(st->expect.outcomes, SCN_OUT_OK);
	ck_assert_int_eq(st->expect.mirror, 2);
	ck_assert_int_eq(st->expect.retries, 2);
	ck_assert_int_eq(st->expect.lookup, SCN_LOOKUP_CACHE);

	st = &s->stmts[4];
	ck_assert(st->len_max);
	ck_assert_uint_eq(st->expect.outcomes, SCN_OUT_OK | SCN_OUT_EIO);
	ck_assert_int_eq(st->expect.data, SCN_DATA_INTACT);
	ck_assert_int_eq(st->expect.lookup, SCN_LOOKUP_GET_EXTENT);

	st = &s->stmts[5];
	ck_assert_int_eq(st->expect.data, 1);
	ck_assert_int_eq(st->expect.retries, 0);

	st = &s->stmts[6];
	ck_assert_uint_eq(st->expect.outcomes, SCN_OUT_OK | SCN_OUT_EIO |
	    SCN_OUT_ENOSPC | SCN_OUT_OOPS);
	ck_assert_int_eq(st->expect.data, 255);
	scn_free(s);
}
END_TEST

/* scenario: truncate, drop-cache, drop-caches, sync. */
START_TEST(test_small_ops)
{
	struct scn_script *s = ok("create a\n"
	    "truncate a 100000\n"
	    "truncate a 0\n"
	    "drop-cache a 64K 4K\n"
	    "drop-cache a 0 max\n"
	    "drop-caches 1\ndrop-caches 2\ndrop-caches 0x3\n"
	    "sync\n");

	ck_assert_int_eq(s->stmts[1].kind, SCN_TRUNCATE);
	ck_assert_uint_eq(s->stmts[1].size, 100000);
	ck_assert_uint_eq(s->stmts[1].size_pos.col, 12);
	ck_assert_uint_eq(s->stmts[2].size, 0);
	ck_assert_int_eq(s->stmts[3].kind, SCN_DROP_CACHE);
	ck_assert_uint_eq(s->stmts[3].off, 65536);
	ck_assert_uint_eq(s->stmts[3].len, 4096);
	ck_assert(s->stmts[4].len_max);
	ck_assert_uint_eq(s->stmts[4].len, UINT64_MAX);
	ck_assert_int_eq(s->stmts[5].kind, SCN_DROP_CACHES);
	ck_assert_int_eq(s->stmts[5].level, 1);
	ck_assert_int_eq(s->stmts[6].level, 2);
	ck_assert_int_eq(s->stmts[7].level, 3);
	ck_assert_int_eq(s->stmts[8].kind, SCN_SYNC);
	ck_assert_int_eq(s->stmts[8].file, -1);
	scn_free(s);
}
END_TEST

/* scenario: both corrupt forms, ioerror, offline, online. */
START_TEST(test_faults_by_hand)
{
	struct scn_script *s = ok("fs mirrors=4\ncreate a\n"
	    "corrupt a 0 4K mirror=1\n"
	    "corrupt a 4K max fill=0xaa mirror=4\n"
	    "corrupt logical=1M len=8K mirror=2\n"
	    "corrupt fill=1 mirror=3 len=max logical=0x200000\n"
	    "ioerror a 0 4K mirror=2\n"
	    "ioerror a 0 4K count=3 mirror=1\n"
	    "offline mirror=3\nonline mirror=3\n");
	struct scn_stmt *st = &s->stmts[2];

	ck_assert_int_eq(st->kind, SCN_CORRUPT);
	ck_assert_int_eq(st->mirror, 1);
	ck_assert_int_eq(st->fill, -1);
	ck_assert_uint_eq(st->mirror_pos.col, 16);
	st = &s->stmts[3];
	ck_assert_int_eq(st->mirror, 4);
	ck_assert_int_eq(st->fill, 0xaa);
	ck_assert(st->len_max);
	st = &s->stmts[4];
	ck_assert_int_eq(st->kind, SCN_CORRUPT_LOGICAL);
	ck_assert_int_eq(st->file, -1);
	ck_assert_uint_eq(st->logical, 1 << 20);
	ck_assert_uint_eq(st->len, 8192);
	ck_assert_int_eq(st->mirror, 2);
	ck_assert_uint_eq(st->off_pos.col, 9);
	ck_assert_uint_eq(st->len_pos.col, 20);
	st = &s->stmts[5];
	ck_assert_int_eq(st->kind, SCN_CORRUPT_LOGICAL);
	ck_assert_uint_eq(st->logical, 0x200000);
	ck_assert(st->len_max);
	ck_assert_uint_eq(st->len, UINT64_MAX - 0x200000);
	ck_assert_int_eq(st->fill, 1);
	ck_assert_int_eq(st->mirror, 3);
	st = &s->stmts[6];
	ck_assert_int_eq(st->kind, SCN_IOERROR);
	ck_assert_uint_eq(st->count, 0);
	ck_assert_int_eq(st->mirror, 2);
	st = &s->stmts[7];
	ck_assert_uint_eq(st->count, 3);
	ck_assert_int_eq(st->mirror, 1);
	ck_assert_int_eq(s->stmts[8].kind, SCN_OFFLINE);
	ck_assert_int_eq(s->stmts[8].mirror, 3);
	ck_assert_int_eq(s->stmts[9].kind, SCN_ONLINE);
	ck_assert_int_eq(s->stmts[9].mirror, 3);
	scn_free(s);
}
END_TEST

/* scenario: faults with exact rates, kinds and safe. */
START_TEST(test_faults)
{
	struct scn_script *s = ok("faults rate=0.01\n"
	    "faults rate=1 kinds=ioerror safe=no\n"
	    "faults safe=yes kinds=ioerror,corrupt rate=0\n"
	    "faults rate=.5 kinds=corrupt\n");
	struct scn_stmt *st = &s->stmts[0];

	ck_assert_int_eq(st->kind, SCN_FAULTS);
	ck_assert_uint_eq(st->rate_num, 1);
	ck_assert_uint_eq(st->rate_den, 100);
	ck_assert_uint_eq(st->fault_kinds, SCN_FAULT_CORRUPT |
	    SCN_FAULT_IOERROR);
	ck_assert(st->safe);
	st = &s->stmts[1];
	ck_assert_uint_eq(st->rate_num, 1);
	ck_assert_uint_eq(st->rate_den, 1);
	ck_assert_uint_eq(st->fault_kinds, SCN_FAULT_IOERROR);
	ck_assert(!st->safe);
	st = &s->stmts[2];
	ck_assert_uint_eq(st->rate_num, 0);
	ck_assert_uint_eq(st->fault_kinds, SCN_FAULT_CORRUPT |
	    SCN_FAULT_IOERROR);
	ck_assert(st->safe);
	st = &s->stmts[3];
	ck_assert_uint_eq(st->rate_num, 5);
	ck_assert_uint_eq(st->rate_den, 10);
	ck_assert_uint_eq(st->fault_kinds, SCN_FAULT_CORRUPT);
	scn_free(s);
}
END_TEST

/* scenario: a concurrent block owns its tasks; end is folded in. */
START_TEST(test_concurrent)
{
	struct scn_script *s = ok("create a\ncreate b\n"
	    "concurrent\n"
	    "  read a 0 4K expect eio|ok\n"
	    "\n  # a comment\n"
	    "  write b 0 4K nosync\n"
	    "  truncate a 0\n"
	    "  drop-cache a 0 max\n"
	    "  sync\n"
	    "end expect deadlock\n"
	    "concurrent schedule=explore max-schedules=500 runs=3\n"
	    "\tread a 0 4K\n"
	    "end\n"
	    "concurrent schedule=random runs=7\nsync\nend expect no-deadlock\n"
	    "concurrent schedule=fifo\nsync\nend # done\n"
	    "expect stat deadlocks=1\n");
	struct scn_stmt *st = &s->stmts[2];

	ck_assert_uint_eq(s->nstmts, 7);
	ck_assert_int_eq(st->kind, SCN_CONCURRENT);
	ck_assert_uint_eq(st->pos.line, 3);
	ck_assert_int_eq(st->schedule, SCN_SCHED_FIFO);
	ck_assert_uint_eq(st->runs, 1);
	ck_assert_uint_eq(st->max_schedules, 100000);
	ck_assert(st->expect_deadlock);
	ck_assert_uint_eq(st->end_pos.line, 11);
	ck_assert_uint_eq(st->end_pos.col, 1);
	ck_assert_uint_eq(st->ntasks, 5);
	ck_assert_int_eq(st->tasks[0].kind, SCN_READ);
	ck_assert(st->tasks[0].expect.given);
	ck_assert_uint_eq(st->tasks[0].expect.outcomes, SCN_OUT_EIO |
	    SCN_OUT_OK);
	ck_assert_uint_eq(st->tasks[0].pos.line, 4);
	ck_assert_uint_eq(st->tasks[0].pos.col, 3);
	ck_assert_int_eq(st->tasks[1].kind, SCN_WRITE);
	ck_assert_int_eq(st->tasks[1].file, 1);
	ck_assert_uint_eq(st->tasks[1].flags, SCN_F_NOSYNC);
	ck_assert_int_eq(st->tasks[2].kind, SCN_TRUNCATE);
	ck_assert_int_eq(st->tasks[3].kind, SCN_DROP_CACHE);
	ck_assert_int_eq(st->tasks[4].kind, SCN_SYNC);

	st = &s->stmts[3];
	ck_assert_int_eq(st->schedule, SCN_SCHED_EXPLORE);
	ck_assert_uint_eq(st->max_schedules, 500);
	ck_assert_uint_eq(st->runs, 3);
	ck_assert(!st->expect_deadlock);
	ck_assert_uint_eq(st->ntasks, 1);
	st = &s->stmts[4];
	ck_assert_int_eq(st->schedule, SCN_SCHED_RANDOM);
	ck_assert_uint_eq(st->runs, 7);
	ck_assert(!st->expect_deadlock);
	ck_assert_int_eq(s->stmts[5].schedule, SCN_SCHED_FIFO);
	ck_assert_int_eq(s->stmts[6].kind, SCN_EXPECT_STAT);
	scn_free(s);
}
END_TEST

/* scenario: every standalone expectation. */
START_TEST(test_expect_stmts)
{
	struct scn_script *s = ok("create a\n"
	    "expect cache a 64K 4K absent\n"
	    "expect cache a 0 max absent\n"
	    "expect coherent a\n"
	    "expect size a 128K\n"
	    "expect extents a 3\n"
	    "expect stat data_reads=3 retries=0x2 eio=0\n"
	    "expect violation unaligned\n"
	    "expect violation extent-items\n");
	struct scn_stmt *st = &s->stmts[1];

	ck_assert_int_eq(st->kind, SCN_EXPECT_CACHE);
	ck_assert_uint_eq(st->off, 65536);
	ck_assert_uint_eq(st->len, 4096);
	ck_assert(!st->present);
	ck_assert(!s->stmts[2].present);
	ck_assert(s->stmts[2].len_max);
	ck_assert_int_eq(s->stmts[3].kind, SCN_EXPECT_COHERENT);
	ck_assert_int_eq(s->stmts[3].file, 0);
	ck_assert_int_eq(s->stmts[4].kind, SCN_EXPECT_SIZE);
	ck_assert_uint_eq(s->stmts[4].size, 131072);
	ck_assert_int_eq(s->stmts[5].kind, SCN_EXPECT_EXTENTS);
	ck_assert_uint_eq(s->stmts[5].size, 3);
	st = &s->stmts[6];
	ck_assert_int_eq(st->kind, SCN_EXPECT_STAT);
	ck_assert_uint_eq(st->nstats, 3);
	ck_assert_int_eq(st->stats[0].id, STAT_DATA_READS);
	ck_assert_uint_eq(st->stats[0].value, 3);
	ck_assert_uint_eq(st->stats[0].pos.col, 13);
	ck_assert_int_eq(st->stats[1].id, STAT_RETRIES);
	ck_assert_uint_eq(st->stats[1].value, 2);
	ck_assert_int_eq(st->stats[2].id, STAT_EIO);
	ck_assert_int_eq(s->stmts[7].violation, INV_UNALIGNED);
	ck_assert_int_eq(s->stmts[8].violation, INV_EXTENT_ITEMS);
	ck_assert(!scn_is_operation(SCN_EXPECT_CACHE));
	scn_free(s);

	/* Every counter of the era and violation kind name is accepted. */
	for (int i = 0; i < STAT_COUNT; i++) {
		char src[64];

		if (!stat_in_era((enum stat_id)i, 0))
			continue;
		snprintf(src, sizeof(src), "expect stat %s=1",
		    stat_name((enum stat_id)i));
		s = ok(src);
		ck_assert_int_eq(s->stmts[0].stats[0].id, i);
		scn_free(s);
	}
	for (int i = 0; i < INV_KIND_COUNT; i++) {
		char src[64];

		snprintf(src, sizeof(src), "expect violation %s",
		    inv_kind_name((enum inv_kind)i));
		s = ok(src);
		ck_assert_int_eq(s->stmts[0].violation, i);
		scn_free(s);
	}
}
END_TEST

/* scenario: every operation may carry an outcome-only expect tail. */
START_TEST(test_expect_tails)
{
	struct scn_script *s = ok("create a expect ok\n"
	    "write a 0 4K expect enospc\n"
	    "sync expect eio\n"
	    "truncate a 0 expect oops\n"
	    "drop-cache a 0 4K expect ok\n"
	    "drop-caches 3 expect ok\n"
	    "corrupt a 0 4K mirror=1 expect ok|eio\n"
	    "corrupt logical=1M len=4K mirror=1 expect ok\n"
	    "ioerror a 0 4K mirror=1 expect ok\n"
	    "offline mirror=1 expect ok\n"
	    "online mirror=1 expect ok\n"
	    "faults rate=0 expect ok\n"
	    "create expect expect eio\n");

	ck_assert_uint_eq(s->nstmts, 13);
	for (size_t i = 0; i < s->nstmts; i++)
		ck_assert_msg(s->stmts[i].expect.given, "line %zu", i + 1);
	ck_assert_uint_eq(s->stmts[1].expect.outcomes, SCN_OUT_ENOSPC);
	ck_assert_uint_eq(s->stmts[2].expect.outcomes, SCN_OUT_EIO);
	ck_assert_uint_eq(s->stmts[3].expect.outcomes, SCN_OUT_OOPS);
	ck_assert_uint_eq(s->stmts[6].expect.outcomes,
	    SCN_OUT_OK | SCN_OUT_EIO);
	ck_assert_str_eq(s->files[1], "expect");
	ck_assert_uint_eq(s->stmts[12].expect.outcomes, SCN_OUT_EIO);
	scn_free(s);
}
END_TEST

/* scenario: mirror=N is bounded by the fs line's mirrors. */
START_TEST(test_mirror_bound)
{
	struct scn_script *s = ok("fs mirrors=4\ncreate a\n"
	    "read a 0 4K mirror=4 expect ok mirror=4\noffline mirror=4\n");

	ck_assert_int_eq(s->stmts[2].mirror, 4);
	scn_free(s);
	ERRS("fs mirrors=1\ncreate a\nread a 0 4K mirror=2\n",
	    { 3, 13, "mirror must be 1: this filesystem has 1 mirror" });
	ERRS("create a\nread a 0 4K mirror=3\n",
	    { 2, 13, "mirror must be from 1 to 2: this filesystem has 2 "
	    "mirrors" });
}
END_TEST

/* scenario: a file of 20000 files and references parses in linear time. */
START_TEST(test_many_files)
{
	size_t n = SCN_MAX_FILES, len = 0;
	char *src = malloc(n * 64);
	struct scn_script *s;

	ck_assert_ptr_nonnull(src);
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(src + len, "create f%zu\n", i);
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(src + len, "write f%zu 0 4K\n",
		    n - 1 - i);
	s = ok(src);
	ck_assert_uint_eq(s->nfiles, n);
	ck_assert_uint_eq(s->nstmts, 2 * n);
	ck_assert_int_eq(s->stmts[n].file, (int)(n - 1));
	ck_assert_int_eq(s->stmts[2 * n - 1].file, 0);
	scn_free(s);
	free(src);
}
END_TEST

/*
 * scenario: every value at the edge of the address space (scn.h) that
 * is still inside it parses, `max` from the last byte included.
 */
START_TEST(test_address_limit)
{
	struct scn_script *s = ok("fs size=0x7ffffffffff00000 alloc_align=1T\n"
	    "create a\n"
	    "read a 0x7fffffffffffffff max\n"
	    "drop-cache a 0x7fffffffffffffff 1\n"
	    "truncate a 8388608T\n"
	    "expect size a 0x8000000000000000\n"
	    "corrupt logical=0x7ffffffffffff000 len=0x1000 mirror=1\n"
	    "expect cache a 0 0x8000000000000000 absent\n");

	ck_assert_uint_eq(s->fs.size, SCN_ADDR_LIMIT - (1ull << 20));
	ck_assert(s->stmts[2].len_max);
	ck_assert_uint_eq(s->stmts[2].len, UINT64_MAX - (SCN_ADDR_LIMIT - 1));
	ck_assert_uint_eq(s->stmts[3].off + s->stmts[3].len, SCN_ADDR_LIMIT);
	ck_assert_uint_eq(s->stmts[4].size, SCN_ADDR_LIMIT);
	ck_assert_uint_eq(s->stmts[6].logical + s->stmts[6].len,
	    SCN_ADDR_LIMIT);
	scn_free(s);
	/* alloc_align may equal the default size. */
	s = ok("fs alloc_align=1G\n");
	ck_assert_uint_eq(s->fs.alloc_align, s->fs.size);
	scn_free(s);
}
END_TEST

/* A buffer of N copies of LINE (caller frees); *LEN gets its length. */
static char *
repeat(const char *line, size_t n, size_t *len)
{
	size_t k = strlen(line);
	char *buf = malloc(n * k + 1);

	ck_assert_ptr_nonnull(buf);
	for (size_t i = 0; i < n; i++)
		memcpy(buf + i * k, line, k);
	buf[n * k] = '\0';
	*len = n * k;
	return buf;
}

/* Parse BUF (LEN bytes); the errors are left in DL, the script freed. */
static bool
parse_buf(const char *buf, size_t len, struct diag_list *dl)
{
	struct scn_script *s;

	diag_init(dl);
	s = parse_script("t.scn", buf, len, dl);
	scn_free(s);
	return s != NULL;
}

/*
 * scenario: a file holds SCN_MAX_STATEMENTS statements (blank and comment
 * lines apart); the next one is reported and ends the parse, so that
 * neither the lines after it nor a block it cuts are reported.
 */
START_TEST(test_statement_limit)
{
	struct diag_list dl;
	size_t len;
	char *buf = repeat("sync\n# c\n\n", SCN_MAX_STATEMENTS, &len), *big;

	ck_assert(parse_buf(buf, len, &dl));
	diag_free(&dl);
	big = malloc(len + 64);
	ck_assert_ptr_nonnull(big);
	memcpy(big, buf, len);
	strcpy(big + len, "  read a 0 4K\nbogus\n");
	ck_assert(!parse_buf(big, strlen(big), &dl));
	ck_assert_uint_eq(dl.n, 1);
	ck_assert_uint_eq(dl.v[0].line, 3 * SCN_MAX_STATEMENTS + 1);
	ck_assert_uint_eq(dl.v[0].col, 3);
	ck_assert_uint_eq(dl.v[0].width, 4);
	ck_assert_ptr_nonnull(strstr(dl.v[0].msg, "too many statements: a "
	    "scenario holds at most 10000"));
	diag_free(&dl);
	/* The last statement allowed opens a block the cut leaves open. */
	memcpy(big + len - 10, "concurrent", 10);
	strcpy(big + len, "\n  read a 0 4K\nbogus\n");
	ck_assert(!parse_buf(big, strlen(big), &dl));
	ck_assert_uint_eq(dl.n, 1);
	ck_assert_ptr_nonnull(strstr(dl.v[0].msg, "too many statements"));
	diag_free(&dl);
	free(big);
	free(buf);
}
END_TEST

/* scenario: a file creates at most SCN_MAX_FILES files. */
START_TEST(test_files_limit)
{
	char *src = malloc((SCN_MAX_FILES + 1) * 16);
	struct diag_list dl;
	size_t len = 0;

	ck_assert_ptr_nonnull(src);
	for (unsigned i = 0; i < SCN_MAX_FILES; i++)
		len += (size_t)sprintf(src + len, "create f%u\n", i);
	ck_assert(parse_buf(src, len, &dl));
	diag_free(&dl);
	len += (size_t)sprintf(src + len, "create extra\n");
	ck_assert(!parse_buf(src, len, &dl));
	ck_assert_uint_eq(dl.n, 1);
	ck_assert_uint_eq(dl.v[0].line, SCN_MAX_FILES + 1);
	ck_assert_uint_eq(dl.v[0].col, 8);
	ck_assert_ptr_nonnull(strstr(dl.v[0].msg, "too many files: a scenario "
	    "may create at most 4096"));
	diag_free(&dl);
	free(src);
}
END_TEST

/*
 * scenario: SCN_MAX_ERRORS errors are reported, then one note at the
 * line of the first dropped one, however many words or lines are bad.
 */
START_TEST(test_error_limit)
{
	struct diag_list dl;
	size_t len;
	char *buf = repeat("bogus\n", SCN_MAX_ERRORS, &len);

	ck_assert(!parse_buf(buf, len, &dl));
	ck_assert_uint_eq(dl.n, SCN_MAX_ERRORS);
	diag_free(&dl);
	free(buf);
	buf = repeat("bogus\n", SCN_MAX_ERRORS + 5, &len);
	ck_assert(!parse_buf(buf, len, &dl));
	ck_assert_uint_eq(dl.n, SCN_MAX_ERRORS + 1);
	ck_assert_uint_eq(dl.v[SCN_MAX_ERRORS].line, SCN_MAX_ERRORS + 1);
	ck_assert_str_eq(dl.v[SCN_MAX_ERRORS].msg, "too many errors: these "
	    "are the first 1000; fix them and check again");
	diag_free(&dl);
	free(buf);
	/* Errors of one line count one by one: 5 lines of 201 bad words. */
	buf = malloc(5 * (6 + 201 * 2 + 1) + 1);
	ck_assert_ptr_nonnull(buf);
	len = 0;
	for (int i = 0; i < 5; i++) {
		len += (size_t)sprintf(buf + len, "guards");
		for (int k = 0; k < 201; k++)
			len += (size_t)sprintf(buf + len, " x");
		buf[len++] = '\n';
	}
	ck_assert(!parse_buf(buf, len, &dl));
	ck_assert_uint_eq(dl.n, SCN_MAX_ERRORS + 1);
	ck_assert_uint_eq(dl.v[SCN_MAX_ERRORS - 1].line, 5);
	/* 804 errors on lines 1-4, so the 1000th is line 5's 196th. */
	ck_assert_uint_eq(dl.v[SCN_MAX_ERRORS - 1].col, 6 + 2 * 196);
	ck_assert_uint_eq(dl.v[SCN_MAX_ERRORS].line, 5);
	ck_assert_ptr_nonnull(strstr(dl.v[SCN_MAX_ERRORS].msg, "too many "
	    "errors"));
	diag_free(&dl);
	free(buf);
}
END_TEST

/* scenario: a line of more than LEX_MAX_WORDS words is one error. */
START_TEST(test_words_limit)
{
	struct diag_list dl;
	size_t len;
	char *buf = repeat(" x", 300, &len), *src = malloc(len + 8);

	ck_assert_ptr_nonnull(src);
	len = (size_t)sprintf(src, "guards%s", buf);
	/* "guards", then 300 words: the 257th word is the 256th x. */
	ck_assert(!parse_buf(src, len, &dl));
	ck_assert_uint_eq(dl.n, 1);
	ck_assert_uint_eq(dl.v[0].col, 6 + 2 * 256);
	ck_assert_ptr_nonnull(strstr(dl.v[0].msg, "more than 256 words on one "
	    "line: no statement takes that many; the line is ignored"));
	diag_free(&dl);
	/* 256 words are a statement like any other. */
	len = (size_t)sprintf(src, "guards%.*s", 2 * 255, buf);
	ck_assert(!parse_buf(src, len, &dl));
	ck_assert_uint_eq(dl.n, 255);
	ck_assert_ptr_nonnull(strstr(dl.v[0].msg, "unknown quirk `x`"));
	diag_free(&dl);
	free(src);
	free(buf);
}
END_TEST

/* scenario: a buffer longer than SCN_MAX_BYTES is refused whole. */
START_TEST(test_bytes_limit)
{
	struct diag_list dl;
	size_t len;
	char *buf = repeat("\n", SCN_MAX_BYTES + 1, &len);

	ck_assert(parse_buf(buf, SCN_MAX_BYTES, &dl));
	diag_free(&dl);
	ck_assert(!parse_buf(buf, SCN_MAX_BYTES + 1, &dl));
	ck_assert_uint_eq(dl.n, 1);
	ck_assert_uint_eq(dl.v[0].line, 1);
	ck_assert_uint_eq(dl.v[0].col, 1);
	ck_assert_str_eq(dl.v[0].msg, "the file is larger than 16M (16777216 "
	    "bytes), the most a scenario may hold: split it into several "
	    "files");
	diag_free(&dl);
	free(buf);
}
END_TEST

/*
 * scenario: a block holds SCHED_MAX_ENTITIES tasks less the fs's end-io
 * workers; the first task past that is reported, once per block.
 */
START_TEST(test_tasks_limit)
{
	struct diag_list dl;
	size_t len, n;
	char *tasks = repeat("sync\n", 70, &len), *src = malloc(3 * len + 200);

	ck_assert_ptr_nonnull(src);
	/* 63 tasks and 1 worker fill the 64 entities. */
	n = (size_t)sprintf(src, "fs workers=1\nconcurrent\n%.*send\n",
	    63 * 5, tasks);
	ck_assert(parse_buf(src, n, &dl));
	diag_free(&dl);
	/* 70 tasks: one error, at the 64th; the next block again. */
	n = (size_t)sprintf(src, "concurrent\n%send\nconcurrent\n%.*send\n",
	    tasks, 64 * 5, tasks);
	ck_assert(!parse_buf(src, n, &dl));
	ck_assert_uint_eq(dl.n, 2);
	ck_assert_uint_eq(dl.v[0].line, 65);
	ck_assert_str_eq(dl.v[0].msg, "too many tasks: a concurrent block "
	    "holds at most 63 here (the scheduler runs 64 entities, 1 of them "
	    "end-io workers); split the block");
	ck_assert_uint_eq(dl.v[1].line, 73 + 64);
	diag_free(&dl);
	/* Fewer when there are more workers. */
	n = (size_t)sprintf(src, "fs workers=60\nconcurrent\n%.*send\n",
	    5 * 5, tasks);
	ck_assert(!parse_buf(src, n, &dl));
	ck_assert_uint_eq(dl.n, 1);
	ck_assert_uint_eq(dl.v[0].line, 7);
	ck_assert_ptr_nonnull(strstr(dl.v[0].msg, "at most 4 here"));
	diag_free(&dl);
	n = (size_t)sprintf(src, "fs workers=64\nconcurrent\nsync\nend\n");
	ck_assert(!parse_buf(src, n, &dl));
	ck_assert_uint_eq(dl.n, 1);
	ck_assert_uint_eq(dl.v[0].line, 3);
	ck_assert_ptr_nonnull(strstr(dl.v[0].msg, "no room for tasks: the "
	    "scheduler runs 64 entities and this filesystem's 64 end-io "
	    "workers take them all"));
	diag_free(&dl);
	free(src);
	free(tasks);
}
END_TEST

/*
 * scenario: the blocks of a file may run SCN_MAX_FILE_SCHEDULES
 * schedules in all: explore counts max-schedules (default 100000),
 * random counts runs bounded by max-schedules, fifo one.
 */
START_TEST(test_schedules_limit)
{
	struct diag_list dl;
	size_t len;
	char *buf = repeat("concurrent schedule=explore\nsync\nend\n", 10,
	    &len), *src = malloc(len + 200);

	ck_assert_ptr_nonnull(src);
	ck_assert(parse_buf(buf, len, &dl));
	diag_free(&dl);
	/* One more schedule, from a fifo block, is one too many. */
	sprintf(src, "%sconcurrent\nsync\nend\nconcurrent\nsync\nend\n",
	    buf);
	ck_assert(!parse_buf(src, strlen(src), &dl));
	ck_assert_uint_eq(dl.n, 1);
	ck_assert_uint_eq(dl.v[0].line, 31);
	ck_assert_uint_eq(dl.v[0].col, 1);
	ck_assert_str_eq(dl.v[0].msg, "the concurrent blocks up to this one "
	    "may run 1000001 schedules in all, more than the 1000000 a file "
	    "may: give them a smaller max-schedules (explore) or runs "
	    "(random)");
	diag_free(&dl);
	/* random: runs, bounded by max-schedules. */
	sprintf(src, "concurrent schedule=random runs=1000000 "
	    "max-schedules=999999\nsync\nend\nconcurrent\nsync\nend\n");
	ck_assert(parse_buf(src, strlen(src), &dl));
	diag_free(&dl);
	sprintf(src, "concurrent schedule=random runs=1000000\nsync\nend\n"
	    "concurrent schedule=fifo runs=1000000\nsync\nend\n");
	ck_assert(parse_buf(src, strlen(src), &dl));	/* 100000 + 1 */
	diag_free(&dl);
	sprintf(src, "concurrent schedule=random runs=1000000 "
	    "max-schedules=1000000\nsync\nend\n"
	    "concurrent schedule=fifo runs=1000000\nsync\nend\n");
	ck_assert(!parse_buf(src, strlen(src), &dl));
	ck_assert_uint_eq(dl.n, 1);
	ck_assert_uint_eq(dl.v[0].line, 4);
	diag_free(&dl);
	free(src);
	free(buf);
}
END_TEST

/* scenario: a modern file's era, profile, policies and statements. */
START_TEST(test_modern)
{
	struct scn_script *s = ok("era modern\n"
	    "fs profile=raid1c3 read_policy=round-robin:64K readahead=0\n"
	    "preset fixed\n"
	    "quirk repair-one-mirror on\n"
	    "create a nodatasum\n"
	    "read a 0 8K direct pid=7 mirror=3 expect eio|hang retries=2\n"
	    "scrub device=2 readonly\n"
	    "expect scrub csum_errors=16 data_bytes_scrubbed=0x10000\n"
	    "expect devstats 3 corruption_errs=4 write_io_errs=0\n"
	    "expect copy a 0 max mirror=2 data=0xaa\n"
	    "expect copy a 4K 4K mirror=1 damaged\n");
	const struct scn_stmt *st = s->stmts;
	struct diag_list dl;

	ck_assert_uint_eq(s->era, ERA_MODERN);
	ck_assert_uint_eq(s->fs.mirrors, 3);
	ck_assert(!s->fs.dup);
	ck_assert_int_eq(s->fs.read_policy, FS_POLICY_ROUND_ROBIN);
	ck_assert_uint_eq(s->fs.rr_min_contig, 64 * 1024);
	ck_assert_uint_eq(s->fs.readahead, 0);
	ck_assert_uint_eq(s->quirks, 1u << QUIRK_REPAIR_ONE_MIRROR);
	ck_assert_int_eq(st[5].kind, SCN_READ);
	ck_assert_uint_eq(st[5].flags, SCN_F_DIRECT);
	ck_assert_int_eq(st[5].pid, 7);
	ck_assert_int_eq(st[5].mirror, 3);
	ck_assert_uint_eq(st[5].expect.outcomes, SCN_OUT_EIO | SCN_OUT_HANG);
	ck_assert_int_eq(st[6].kind, SCN_SCRUB);
	ck_assert_int_eq(st[6].device, 2);
	ck_assert_uint_eq(st[6].flags, SCN_F_READONLY);
	ck_assert_uint_eq(st[7].nstats, 2);
	ck_assert_int_eq(st[7].stats[0].id, SCN_SCRUB_CSUM_ERRORS);
	ck_assert_uint_eq(st[7].stats[1].value, 0x10000);
	ck_assert_int_eq(st[8].device, 3);
	ck_assert_int_eq(st[8].stats[0].id, DEV_CORRUPTION_ERRS);
	ck_assert_uint_eq(st[8].stats[0].value, 4);
	ck_assert_int_eq(st[8].stats[1].id, DEV_WRITE_IO_ERRS);
	ck_assert(st[9].len_max);
	ck_assert_int_eq(st[9].fill, 0xaa);
	ck_assert_int_eq(st[9].mirror, 2);
	ck_assert_uint_eq(st[10].flags, SCN_F_DAMAGED);
	scn_free(s);

	/* dup: two copies, one device; mirrors=2 agrees with it. */
	s = ok("era modern\nfs mirrors=2 profile=dup\nscrub device=1\n");
	ck_assert(s->fs.dup);
	ck_assert_uint_eq(s->fs.mirrors, 2);
	ck_assert_int_eq(s->fs.read_policy, FS_POLICY_PID);
	ck_assert_uint_eq(s->fs.readahead, 128 * 1024);
	scn_free(s);
	/* mirrors=N alone is the raid1 family. */
	s = ok("era modern\nfs mirrors=4\n");
	ck_assert_uint_eq(s->fs.mirrors, 4);
	ck_assert(!s->fs.dup);
	scn_free(s);
	/* No era line: 2008; the default outcome set has no hang. */
	s = ok("create a\nread a 0 4K\n");
	ck_assert_uint_eq(s->era, ERA_2008);
	ck_assert_int_eq(s->stmts[1].pid, -1);
	scn_free(s);

	/* --era overrides the file, whichever way. */
	diag_init(&dl);
	s = parse_script_era("t.scn", "era 2008\nscrub\n", 15, ERA_MODERN,
	    &dl);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->era, ERA_MODERN);
	scn_free(s);
	s = parse_script_era("t.scn", "era modern\nscrub\n", 17, ERA_2008,
	    &dl);
	ck_assert_ptr_null(s);
	ck_assert_uint_eq(dl.n, 1);
	ck_assert_msg(strstr(dl.v[0].msg, "--era=2008 runs this file in the "
	    "2008 era: use --era=modern") != NULL, "%s", dl.v[0].msg);
	diag_free(&dl);
}
END_TEST

/* scenario: names and kinds of statements for messages. */
START_TEST(test_kind_names)
{
	ck_assert_str_eq(scn_kind_name(SCN_DROP_CACHE), "drop-cache");
	ck_assert_str_eq(scn_kind_name(SCN_CORRUPT_LOGICAL), "corrupt");
	ck_assert_str_eq(scn_kind_name(SCN_EXPECT_STAT), "expect stat");
	ck_assert_str_eq(scn_kind_name(SCN_KIND_COUNT), "?");
	for (int k = 0; k < SCN_KIND_COUNT; k++)
		ck_assert_ptr_nonnull(scn_kind_name((enum scn_kind)k));
	ck_assert(scn_is_operation(SCN_CONCURRENT));
	ck_assert(scn_is_operation(SCN_FAULTS));
	ck_assert(!scn_is_operation(SCN_FS));
	ck_assert(!scn_is_operation(SCN_GUARDS));
	ck_assert(!scn_is_operation(SCN_EXPECT_VIOLATION));
	scn_free(NULL);
}
END_TEST

/* --- errors: one per file ----------------------------------------------- */

struct bad {
	const char	*src;
	uint32_t	 line;
	uint32_t	 col;
	const char	*msg;
};

#define C	"create a\n"	/* most rows need a file */

static const struct bad bad_files[] = {
	/* lexical */
	{ "sync\x01", 1, 5, "control character 0x01 is not allowed" },
	{ "sync\n\x7fsync", 2, 1, "control character 0x7f" },
	{ "sync # \x1b", 1, 8, "control character 0x1b" },
	/* statements */
	{ "bogus a", 1, 1, "unknown statement `bogus`: use era, fs, preset, "
	    "quirk, seed, guards, create, write, sync, read, truncate, "
	    "drop-cache, drop-caches, corrupt, ioerror, lose-write, tear-write, "
	    "misdirect-write, offline, online, faults, scrub, concurrent, end "
	    "or expect" },
	{ "Write a 0 4K", 1, 1, "statements are lowercase: use write" },
	{ "EXPECT", 1, 1, "statements are lowercase: use expect" },
	{ "mirrors=2", 1, 1, "unknown statement `mirrors=2`" },
	{ "expect", 1, 1, "missing what to expect: expect cache, coherent, "
	    "size, extents, stat, copy, devstats, scrub or violation" },
	{ "expect foo", 1, 8, "unknown expectation `foo`: use expect cache" },
	{ "expect ok", 1, 8, "an outcome goes at the end of an operation "
	    "line" },
	{ "expect ok|eio", 1, 8, "an outcome goes at the end" },
	{ "end", 1, 1, "end without concurrent: no block is open here" },
	/* fs */
	{ "fs sectorsize=3000", 1, 4, "sector size must be a power of two "
	    "from 512 to 64K" },
	{ "fs sectorsize=256", 1, 4, "sector size must be a power of two" },
	{ "fs sectorsize=128K", 1, 4, "sector size must be a power of two" },
	{ "fs sectorsize=0", 1, 4, "sector size must be a power of two" },
	{ "fs mirrors=0", 1, 4, "mirrors must be from 1 to 4" },
	{ "fs mirrors=5", 1, 4, "mirrors must be from 1 to 4" },
	{ "fs size=1M alloc_align=2M", 1, 4, "size must be at least "
	    "alloc_align (2M)" },
	{ "fs size=2K", 1, 4, "size must be at least the sector size (4K)" },
	{ "fs size=0", 1, 4, "size must be at least the sector size (4K)" },
	{ "fs sectorsize=512 size=0xfffffffffff00000", 1, 19,
	    "size is too large: data lives from 1M to 1M + size" },
	{ "fs size=0x7ffffffffff00001", 1, 4, "size is too large: data lives "
	    "from 1M to 1M + size, which must end at or below 2^63 "
	    "(0x8000000000000000, 8388608T), the end of the model's address "
	    "space, so size is at most 0x7ffffffffff00000" },
	{ "fs alloc_align=2G", 1, 4, "alloc_align (2G) must be at most the "
	    "size of the filesystem (1G, the default): give a larger size= or "
	    "a smaller alloc_align" },
	{ "fs alloc_align=0x8000000000000000", 1, 4, "alloc_align (8388608T) "
	    "must be at most the size of the filesystem" },
	{ "fs max_extent=6K", 1, 4, "max_extent must be a multiple of the "
	    "sector size (4K), at least one sector" },
	{ "fs max_extent=2K", 1, 4, "max_extent must be a multiple" },
	{ "fs max_extent=0", 1, 4, "max_extent must be a multiple" },
	{ "fs sectorsize=8K max_extent=12K", 1, 18, "max_extent must be a "
	    "multiple of the sector size (8K)" },
	{ "fs alloc_align=6K", 1, 4, "alloc_align must be a power of two no "
	    "smaller than the sector size (4K)" },
	{ "fs alloc_align=2K", 1, 4, "alloc_align must be a power of two" },
	{ "fs alloc_align=4K sectorsize=8K", 1, 4, "alloc_align must be a "
	    "power of two no smaller than the sector size (8K)" },
	{ "fs workers=0", 1, 4, "workers must be from 1 to 64" },
	{ "fs workers=65", 1, 4, "workers must be from 1 to 64" },
	{ "fs csum=md5", 1, 4, "csum must be crc32c or crc32" },
	{ "fs csum=CRC32C", 1, 4, "csum must be crc32c or crc32" },
	{ "fs bogus=1", 1, 4, "unknown option `bogus=`: fs [sectorsize=N] "
	    "[mirrors=N] [size=N] [max_extent=N] [alloc_align=N] [workers=N] "
	    "[csum=crc32c|crc32]" },
	{ "fs Mirrors=2", 1, 4, "unknown option `Mirrors=`" },
	{ "fs mirrors=2 mirrors=3", 1, 14, "option mirrors= given twice "
	    "(first at column 4): give each option once" },
	{ "fs mirrors=", 1, 4, "option mirrors= has no value" },
	{ "fs 4K", 1, 4, "unexpected word `4K`: fs [sectorsize=N]" },
	{ "fs mirrors=2k", 1, 4, "mirrors `2k`: size suffixes are uppercase: "
	    "K, M, G, T, KiB, MiB, GiB or TiB" },
	{ "fs size=max", 1, 4, "size cannot be max: max is accepted only as a "
	    "length" },
	{ "fs size=1x", 1, 4, "size `1x` is not a number: use decimal or 0x "
	    "hex digits with an optional K, M, G, T, KiB, MiB, GiB or TiB "
	    "suffix" },
	{ "fs size=99999999999999999999", 1, 4, "size `99999999999999999999` "
	    "does not fit in 64 bits" },
	{ "fs nodatasum", 1, 4, "flag nodatasum applies to create only" },
	{ "fs expect ok", 1, 4, "fs takes no outcome: only operations end "
	    "with expect OUTCOME" },
	{ C "fs", 2, 1, "fs must be the first statement of the file (after "
	    "era, if any): move it above line 1" },
	{ "# c\nseed 1\n\nfs", 4, 1, "fs must be the first statement of the "
	    "file (after era, if any): move it above line 2" },
	{ "fs\nfs", 2, 1, "fs may appear only once (first at line 1)" },
	/* preset, quirk, seed, guards */
	{ "preset foo", 1, 8, "unknown preset `foo`: use post-patch or "
	    "pre-patch" },
	{ "preset", 1, 1, "missing the preset name: preset "
	    "pre-patch|post-patch" },
	{ "preset pre-patch post-patch", 1, 18, "unexpected word "
	    "`post-patch`: preset pre-patch|post-patch" },
	{ "preset pre-patch\npreset post-patch", 2, 1, "preset may appear only "
	    "once (first at line 1)" },
	{ C "preset pre-patch", 2, 1, "preset must come before the first "
	    "operation (create at line 1): put preset, quirk, seed and guards "
	    "at the top" },
	{ "quirk bogus on", 1, 7, "unknown quirk `bogus`: use "
	    "retry-get-extent, drop-whole, truncate-unaligned, "
	    "hole-drop-length, insert-eexist-eio, nocsum-eio, alloc-underflow "
	    "or retry-miss-oops" },
	{ "quirk drop-whole yes", 1, 18, "a quirk is turned on or off, not "
	    "`yes`" },
	{ "quirk drop-whole", 1, 1, "missing on|off: quirk QUIRK on|off" },
	{ "quirk", 1, 1, "missing the quirk name: quirk QUIRK on|off" },
	{ "quirk drop-whole on off", 1, 21, "unexpected word `off`" },
	{ "sync\nquirk drop-whole on", 2, 1, "quirk must come before the first "
	    "operation (sync at line 1)" },
	{ "seed x", 1, 6, "seed `x` is not a number" },
	{ "seed", 1, 1, "missing N: seed N" },
	{ "seed max", 1, 6, "seed cannot be max" },
	{ "seed 18446744073709551616", 1, 6, "does not fit in 64 bits: the "
	    "largest number is 0xffffffffffffffff" },
	{ "offline mirror=1\nseed 1", 2, 1, "seed must come before the first "
	    "operation (offline at line 1)" },
	{ "guards", 1, 1, "missing the quirk name: guards QUIRK [QUIRK ...]" },
	{ "guards drop-whole bogus", 1, 19, "unknown quirk `bogus`" },
	{ "faults rate=0\nguards drop-whole", 2, 1, "guards must come before "
	    "the first operation (faults at line 1)" },
	{ "concurrent\nsync\nend\nguards drop-whole", 4, 1, "guards must come "
	    "before the first operation (concurrent at line 1)" },
	/* create */
	{ "create", 1, 1, "missing NAME: create NAME [nodatasum]" },
	{ "create 9a", 1, 8, "`9a` is not a valid file name: a NAME is a "
	    "letter or _ followed by letters, digits, _, . or -" },
	{ "create a/b", 1, 8, "`a/b` is not a valid file name" },
	{ C "create a", 2, 8, "file `a` is already created at line 1: create "
	    "each file once" },
	{ "create a nocsum", 1, 10, "flag nocsum applies to write only: create "
	    "NAME [nodatasum]" },
	{ "create a bogus", 1, 10, "unexpected word `bogus`: create NAME "
	    "[nodatasum]" },
	{ "create a nodatasum nodatasum", 1, 20, "flag nodatasum given twice: "
	    "give each flag once" },
	{ "create a x=1", 1, 10, "unknown option `x=`: create NAME "
	    "[nodatasum]" },
	/* write */
	{ "write a 0 4K", 1, 7, "file `a` is used before it is created: add "
	    "`create a` above this line" },
	{ C "write a 0", 2, 1, "missing LEN: write NAME OFF LEN [fill=BYTE] "
	    "[nocsum] [nosync]" },
	{ C "write a", 2, 1, "missing OFF: write NAME OFF LEN" },
	{ C "write", 2, 1, "missing NAME: write NAME OFF LEN" },
	{ C "write a 0 nosync", 2, 1, "missing LEN: write" },
	{ C "write a 0 fill=1", 2, 1, "missing LEN: write" },
	{ C "write a 0 0", 2, 11, "LEN must be at least 1: a zero-length range "
	    "is empty; give a positive length, or max" },
	{ C "write a x 4K", 2, 9, "OFF `x` is not a number" },
	{ C "write a -1 4K", 2, 9, "OFF `-1` is not a number" },
	{ C "write a 0 4k", 2, 11, "LEN `4k`: size suffixes are uppercase" },
	{ C "write a 0 4K fill=256", 2, 14, "fill must be a byte from 0 to 255 "
	    "(decimal or 0x hex)" },
	{ C "write a 0 4K fill=0x100", 2, 14, "fill must be a byte" },
	{ C "write a 0 4K fill=x", 2, 14, "fill `x` is not a number" },
	{ C "write a 0 4K nodatasum", 2, 14, "flag nodatasum applies to create "
	    "only" },
	{ C "write a 0 4K nosync nosync", 2, 21, "flag nosync given twice" },
	{ C "write a 0 4K fill=1 fill=2", 2, 21, "option fill= given twice "
	    "(first at column 14)" },
	{ C "write a 0 4K mirror=1", 2, 14, "unknown option `mirror=`: write "
	    "NAME OFF LEN [fill=BYTE] [nocsum] [nosync]" },
	/* The address space ends at 2^63; 2^64 wraps, and is caught too. */
	{ C "write a 0x7ffffffffffff000 0x1001", 2, 28, "OFF + LEN ends past "
	    "2^63 (0x8000000000000000, 8388608T), the end of the model's "
	    "address space: give a smaller LEN, or max for \"to the end\"" },
	{ C "write a 0x7fffffffffffffff 2", 2, 28, "OFF + LEN ends past 2^63" },
	{ C "write a 0x4000000000000000 0xc000000000000000", 2, 28, "OFF + LEN "
	    "ends past 2^63" },
	{ C "write a 0x4000000000000000 0xbfffffffffffffff", 2, 28, "OFF + LEN "
	    "ends past 2^63" },
	{ C "write a 1 0xffffffffffffffff", 2, 11, "OFF + LEN ends past 2^63" },
	{ C "drop-cache a 1 0xffffffffffffffff", 2, 16, "OFF + LEN ends past "
	    "2^63" },
	{ C "expect cache a 4K 0x7ffffffffffff001 absent", 2, 19, "OFF + LEN "
	    "ends past 2^63" },
	{ C "write a 0x8000000000000000 1", 2, 9, "OFF must be below 2^63 "
	    "(0x8000000000000000, 8388608T), the end of the model's address "
	    "space" },
	{ C "write a 18446744073709551615 1", 2, 9, "OFF must be below 2^63" },
	{ C "write a 18446744073709551615 max", 2, 9, "OFF must be below "
	    "2^63" },
	{ C "read a 8388608T max", 2, 8, "OFF must be below 2^63" },
	{ C "ioerror a 0x8000000000000000 max mirror=1", 2, 11, "OFF must be "
	    "below 2^63" },
	{ C "truncate a 0x8000000000000001", 2, 12, "SIZE must be at most 2^63 "
	    "(0x8000000000000000, 8388608T), the end of the model's address "
	    "space" },
	{ C "truncate a 0xfffffffffffff001", 2, 12, "SIZE must be at most "
	    "2^63" },
	{ C "expect size a 0xffffffffffffffff", 2, 15, "SIZE must be at most "
	    "2^63" },
	{ C "write a 0 16E", 2, 11, "LEN `16E`: the size suffixes stop at T "
	    "(TiB); write a larger number in T or in 0x hex" },
	{ C "truncate a 1EiB", 2, 12, "SIZE `1EiB`: the size suffixes stop at "
	    "T" },
	{ C "read a 1P 4K", 2, 8, "OFF `1P`: the size suffixes stop at T" },
	{ C "write a 0 4K 8K", 2, 14, "unexpected word `8K`: write" },
	{ C "write a 0 4K expect ok nosync", 2, 24, "flag nosync must come "
	    "before expect" },
	{ C "write a 0 4K expect ok mirror=1", 2, 24, "expect key mirror= "
	    "applies to read only: write takes expect OUTCOME" },
	{ C "write a 0 4K expect ok retries=1", 2, 24, "expect key retries= "
	    "applies to read only" },
	{ C "write a 0 4K expect ok lookup=cache", 2, 24, "expect key lookup= "
	    "applies to read only" },
	{ C "write a 0 4K expect ok data=intact", 2, 24, "expect key data= "
	    "applies to read only" },
	{ C "write a 0 4K expect ok bogus", 2, 24, "unexpected word `bogus` "
	    "after the outcome: expect OUTCOME" },
	{ C "write 1a 0 4K", 2, 7, "`1a` is not a valid file name" },
	/* read */
	{ C "read a 0 4K mirror=3", 2, 13, "mirror must be from 1 to 2: this "
	    "filesystem has 2 mirrors" },
	{ C "read a 0 4K mirror=0", 2, 13, "mirror must be from 1 to 2" },
	{ C "read a 0 4K mirror=x", 2, 13, "mirror `x` is not a number" },
	{ C "read a 0 4K mirror=1 mirror=2", 2, 22, "option mirror= given "
	    "twice (first at column 13)" },
	{ C "read a 0 4K fill=1", 2, 13, "unknown option `fill=`: read NAME "
	    "OFF LEN [mirror=N]" },
	{ C "read a 0 4K nosync", 2, 13, "flag nosync applies to write only" },
	{ C "read a 0 4K expect", 2, 13, "missing OUTCOME after expect: use "
	    "ok, eio, enospc or oops, or alternatives joined by | such as "
	    "ok|eio" },
	{ C "read a 0 4K expect mirror=1", 2, 13, "missing OUTCOME after "
	    "expect" },
	{ C "read a 0 4K expect bad", 2, 20, "unknown outcome `bad`: use ok, "
	    "eio, enospc or oops" },
	{ C "read a 0 4K expect OK", 2, 20, "unknown outcome `OK`" },
	{ C "read a 0 4K expect ok|", 2, 20, "unknown outcome ``" },
	{ C "read a 0 4K expect ok||eio", 2, 20, "unknown outcome ``" },
	{ C "read a 0 4K expect ok|ok", 2, 20, "outcome ok listed twice" },
	{ C "read a 0 4K expect deadlock", 2, 20, "deadlock is expected on the "
	    "end line of a concurrent block" },
	{ C "read a 0 4K expect ok mirror=5", 2, 23, "mirror must be from 1 "
	    "to 2" },
	{ C "read a 0 4K expect ok retries=x", 2, 23, "retries `x` is not a "
	    "number" },
	{ C "read a 0 4K expect ok retries=0x8000000000000000", 2, 23,
	    "retries must be a count of retry bios, 0 or more" },
	{ C "read a 0 4K expect ok lookup=tree", 2, 23, "lookup must be cache "
	    "or get_extent" },
	{ C "read a 0 4K expect ok data=256", 2, 23, "data must be intact or a "
	    "byte from 0 to 255" },
	{ C "read a 0 4K expect ok data=corrupt", 2, 23, "data must be intact "
	    "or a byte" },
	{ C "read a 0 4K expect ok foo=1", 2, 23, "unknown expect key `foo=`: "
	    "expect OUTCOME [mirror=N] [retries=N] [lookup=cache|get_extent] "
	    "[data=intact|BYTE]" },
	{ C "read a 0 4K expect ok mirror=1 mirror=2", 2, 32, "expect key "
	    "mirror= given twice (first at column 23)" },
	{ C "read a 0 4K expect ok expect eio", 2, 23, "expect given twice: a "
	    "line has one expect tail" },
	{ C "read a 0 4K expect ok bogus", 2, 23, "unexpected word `bogus` "
	    "after the outcome: expect OUTCOME [mirror=N]" },
	/* truncate, drop-cache, drop-caches */
	{ C "truncate a max", 2, 12, "SIZE cannot be max: max is accepted only "
	    "as a length; give a number" },
	{ C "truncate a", 2, 1, "missing SIZE: truncate NAME SIZE" },
	{ C "truncate a 1G 2G", 2, 15, "unexpected word `2G`: truncate NAME "
	    "SIZE" },
	{ C "truncate a 1g", 2, 12, "SIZE `1g`: size suffixes are uppercase" },
	{ C "drop-cache a 0", 2, 1, "missing LEN: drop-cache NAME OFF "
	    "LEN|max" },
	{ C "drop-cache a 4K 0", 2, 17, "LEN must be at least 1" },
	{ C "drop-cache a 4K 0x", 2, 17, "LEN `0x` is not a number" },
	{ "drop-caches 4", 1, 13, "drop-caches level must be 1 (page cache), 2 "
	    "(extent map caches and cached metadata) or 3 (both)" },
	{ "drop-caches 0", 1, 13, "drop-caches level must be 1" },
	{ "drop-caches", 1, 1, "missing 1|2|3: drop-caches 1|2|3" },
	{ "drop-caches x", 1, 13, "drop-caches level `x` is not a number" },
	{ "drop-caches 1 2", 1, 15, "unexpected word `2`: drop-caches 1|2|3" },
	/* corrupt */
	{ C "corrupt a 0 4K", 2, 1, "missing mirror=N: corrupt NAME OFF LEN "
	    "mirror=N [fill=BYTE]" },
	{ C "corrupt a 0 4K mirror=1 fill=x", 2, 25, "fill `x` is not a "
	    "number" },
	{ C "corrupt a 0 4K mirror=1 len=4K", 2, 25, "unknown option `len=`: "
	    "corrupt NAME OFF LEN mirror=N [fill=BYTE]" },
	{ C "corrupt a 0 0 mirror=1", 2, 13, "LEN must be at least 1" },
	{ "corrupt logical=1M len=4K", 1, 1, "missing mirror=N: corrupt "
	    "logical=L len=N mirror=N [fill=BYTE]" },
	{ "corrupt len=4K mirror=1", 1, 1, "missing logical=L: corrupt "
	    "logical=L" },
	{ "corrupt logical=1M mirror=1", 1, 1, "missing len=N: corrupt "
	    "logical=L" },
	{ "corrupt logical=1M len=0 mirror=1", 1, 20, "len must be at least "
	    "1" },
	{ "corrupt logical=x len=1 mirror=1", 1, 9, "logical `x` is not a "
	    "number" },
	{ "corrupt logical=0xffffffffffffffff len=2 mirror=1", 1, 9,
	    "logical must be below 2^63" },
	{ "corrupt logical=0x8000000000000000 len=max mirror=1", 1, 9,
	    "logical must be below 2^63" },
	{ "corrupt logical=0x7ffffffffffffff0 len=0x11 mirror=1", 1, 36,
	    "logical + len ends past 2^63 (0x8000000000000000, 8388608T), the "
	    "end of the model's address space: give a smaller len" },
	{ "corrupt logical=1M len=0xffffffffffffffff mirror=1", 1, 20,
	    "logical + len ends past 2^63" },
	{ "corrupt logical=1M len=4K mirror=3", 1, 27, "mirror must be from 1 "
	    "to 2" },
	{ "corrupt logical=1M len=4K mirror=1 a", 1, 36, "unexpected word `a`: "
	    "corrupt logical=L len=N mirror=N [fill=BYTE]" },
	{ "corrupt logical=1M len=4K mirror=1 count=1", 1, 36, "unknown option "
	    "`count=`" },
	{ "corrupt logical=1M len=4K mirror=1 fill=300", 1, 36, "fill must be "
	    "a byte" },
	/* ioerror, offline, online */
	{ C "ioerror a 0 4K", 2, 1, "missing mirror=N: ioerror NAME OFF LEN "
	    "mirror=N [count=N]" },
	{ C "ioerror a 0 4K mirror=1 count=0", 2, 25, "count must be at least "
	    "1" },
	{ C "ioerror a 0 4K mirror=1 fill=1", 2, 25, "unknown option `fill=`" },
	{ C "ioerror a 4K max mirror=9", 2, 18, "mirror must be from 1 to 2" },
	{ "offline", 1, 1, "missing mirror=N: offline mirror=N" },
	{ "online", 1, 1, "missing mirror=N: online mirror=N" },
	{ "online mirror=3", 1, 8, "mirror must be from 1 to 2" },
	/* faults */
	{ "faults", 1, 1, "missing rate=P: faults rate=P "
	    "[kinds=corrupt,ioerror,lost,torn,misdirect] [safe=yes|no]" },
	{ "faults rate=1.5", 1, 8, "rate must be a probability: a decimal "
	    "fraction from 0 to 1 such as 0.01" },
	{ "faults rate=x", 1, 8, "rate must be a probability" },
	{ "faults rate=0.1234567890123456789", 1, 8, "rate has more than 18 "
	    "digits after the decimal point" },
	{ "faults rate=0.1 kinds=corrupt,bogus", 1, 17, "kinds must be a "
	    "comma-separated list of corrupt, ioerror, lost, torn and "
	    "misdirect, not `bogus`" },
	{ "faults rate=0.1 kinds=ioerror,ioerror", 1, 17, "kinds lists ioerror "
	    "twice" },
	{ "faults rate=0.1 kinds=corrupt,", 1, 17, "kinds must be a "
	    "comma-separated list of corrupt, ioerror, lost, torn and "
	    "misdirect, not ``" },
	{ "faults rate=0.1 safe=maybe", 1, 17, "safe must be yes or no" },
	/* write faults */
	{ C "ioerror a 0 4K mirror=1 op=erase", 2, 25, "op must be read, "
	    "write or both" },
	{ C "ioerror a 0 4K mirror=1 op=write clear-on-write", 2, 25,
	    "clear-on-write says what a write does to a read error, and "
	    "op=write makes none" },
	{ C "ioerror logical=1M len=4K", 2, 1, "missing mirror=N: ioerror "
	    "logical=L len=N mirror=N" },
	{ C "ioerror logical=1M len=4K mirror=1 op=write clear-on-write", 2,
	    36, "op=write makes none" },
	{ C "write a 0 4K clear-on-write", 2, 14, "flag clear-on-write applies "
	    "to ioerror only" },
	{ C "lose-write a 0 4K", 2, 1, "missing mirror=N: lose-write NAME OFF "
	    "LEN mirror=N [count=N]" },
	{ C "lose-write a 0 4K mirror=1 count=0", 2, 28, "count must be at "
	    "least 1" },
	{ C "tear-write a 0 4K mirror=1", 2, 1, "missing bytes=K: tear-write "
	    "NAME OFF LEN mirror=N bytes=K [count=N]" },
	{ C "tear-write a 0 4K mirror=1 bytes=4096", 2, 28, "bytes must be "
	    "from 1 to 4095 (the sector size less one)" },
	{ C "tear-write a 0 4K mirror=1 bytes=0", 2, 28, "bytes must be from "
	    "1 to 4095" },
	{ C "misdirect-write a 0 4K mirror=1", 2, 1, "missing to=LOGICAL: "
	    "misdirect-write NAME OFF LEN mirror=N to=LOGICAL [count=N]" },
	{ C "misdirect-write a 0 4K mirror=1 to=1000", 2, 33, "to must be a "
	    "multiple of the sector size (4K): a misdirected write lands on "
	    "whole sectors" },
	{ C "misdirect-write logical=1M len=4K mirror=3 to=2M", 2, 35,
	    "mirror must be from 1 to 2" },
	{ "faults rate=0.1 kinds=lost,lost", 1, 17, "kinds lists lost twice" },
	/* concurrent blocks */
	{ C "concurrent schedule=lifo\nsync\nend", 2, 12, "schedule must be "
	    "fifo, random or explore" },
	{ C "concurrent runs=0\nsync\nend", 2, 12, "runs must be at least 1" },
	{ C "concurrent max-schedules=0\nsync\nend", 2, 12, "max-schedules "
	    "must be at least 1" },
	{ C "concurrent runs=1000001 schedule=random\nsync\nend", 2, 12,
	    "runs must be at most 1000000, the most schedules one block may "
	    "run" },
	{ C "concurrent max-schedules=0xffffffffffffffff\nsync\nend", 2, 12,
	    "max-schedules must be at most 1000000" },
	{ C "concurrent workers=2\nsync\nend", 2, 12, "unknown option "
	    "`workers=`: concurrent [schedule=fifo|random|explore] [runs=N] "
	    "[max-schedules=N]" },
	{ "concurrent\nend", 1, 1, "concurrent block has no tasks: put one "
	    "read, write, truncate, drop-cache or sync per line between "
	    "concurrent and end" },
	{ "concurrent\n# only a comment\n\nend", 1, 1, "concurrent block has "
	    "no tasks" },
	{ C "concurrent\nread a 0 4K", 2, 1, "concurrent block opened here is "
	    "never closed: add `end` after its tasks" },
	{ C "concurrent\nconcurrent\nread a 0 4K\nend\nend", 3, 1,
	    "concurrent blocks do not nest: close the block opened at line 2 "
	    "with end first" },
	{ C "concurrent\nread a 0 4K\nend\nend", 5, 1, "end without "
	    "concurrent" },
	{ C "concurrent\ncreate b\nend", 3, 1, "create cannot run in a "
	    "concurrent block (opened at line 2): only read, write, truncate, "
	    "drop-cache and sync can be tasks" },
	{ C "concurrent\nexpect coherent a\nend", 3, 1, "expect coherent "
	    "cannot run in a concurrent block" },
	{ C "concurrent\nread a 0 4K\ndrop-caches 1\nend", 4, 1, "drop-caches "
	    "cannot run in a concurrent block" },
	{ C "concurrent\nquirk drop-whole on\nread a 0 4K\nend", 3, 1,
	    "quirk cannot run in a concurrent block" },
	{ C "concurrent\nfaults rate=0\nend", 3, 1, "faults cannot run" },
	{ C "concurrent\ncorrupt a 0 4K mirror=1\nend", 3, 1, "corrupt cannot "
	    "run" },
	{ C "concurrent\nread a 0 4K\nend expect ok", 4, 12, "a concurrent "
	    "block expects deadlock or no-deadlock, not `ok`" },
	{ C "concurrent\nread a 0 4K\nend expect", 4, 5, "missing "
	    "deadlock|no-deadlock after expect: end [expect "
	    "deadlock|no-deadlock]" },
	{ C "concurrent\nread a 0 4K\nend foo", 4, 5, "unexpected word `foo`: "
	    "end [expect deadlock|no-deadlock]" },
	{ C "concurrent\nread a 0 4K\nend expect deadlock x", 4, 21,
	    "unexpected word `x`: end" },
	{ C "concurrent expect deadlock\nread a 0 4K\nend", 2, 12, "a "
	    "concurrent block's expectation goes on its end line: end [expect "
	    "deadlock|no-deadlock]" },
	{ "concurrent\nread b 0 4K\nend", 2, 6, "file `b` is used before it "
	    "is created" },
	{ C "concurrent\nread a 0 4K expect ok mirror=7\nend", 3, 23, "mirror "
	    "must be from 1 to 2" },
	{ C "concurrent\nwrite a 0 4K expect ok data=1\nend", 3, 24,
	    "expect key data= applies to read only" },
	/* standalone expectations */
	{ "expect cache a 0 4K present", 1, 14, "file `a` is used before it is "
	    "created" },
	{ C "expect cache a 0 4K", 2, 1, "missing present|absent: expect cache "
	    "NAME OFF LEN present|absent" },
	{ C "expect cache a 0 4K maybe", 2, 21, "expect cache ends with "
	    "present or absent, not `maybe`" },
	{ C "expect cache a 0 0 absent", 2, 18, "LEN must be at least 1" },
	{ C "expect cache a 4K max present", 2, 19, "present with max can "
	    "never hold: max reaches (u64)-1 and no map does; give a length, "
	    "or expect absent" },
	{ C "expect cache a 0 4K present expect ok", 2, 29, "expect cache "
	    "takes no outcome" },
	{ C "expect size a max", 2, 15, "SIZE cannot be max" },
	{ C "expect size a", 2, 1, "missing SIZE: expect size NAME N" },
	{ C "expect extents a x", 2, 18, "N `x` is not a number" },
	{ C "expect extents a", 2, 1, "missing N: expect extents NAME N" },
	{ "expect coherent", 1, 1, "missing NAME: expect coherent NAME" },
	{ "expect coherent b", 1, 17, "file `b` is used before it is created" },
	{ C "expect coherent a a", 2, 19, "unexpected word `a`: expect "
	    "coherent NAME" },
	{ "expect stat", 1, 1, "missing COUNTER=N: expect stat COUNTER=N "
	    "[COUNTER=N ...]" },
	{ "expect stat bogus=1", 1, 13, "unknown counter `bogus`: use "
	    "data_reads, retries, csum_errors, io_errors, eio, "
	    "retry_cache_hits, retry_cache_misses, metadata_reads, em_splits, "
	    "em_merges, allocations, deadlocks or write_errors" },
	{ "expect stat eio", 1, 13, "`eio` is not COUNTER=N: expect stat" },
	{ "expect stat eio=1 eio=2", 1, 19, "counter eio given twice" },
	{ "expect stat eio=x", 1, 13, "eio `x` is not a number" },
	{ "expect stat eio=", 1, 13, "eio `` is not a number" },
	{ "expect violation bogus", 1, 18, "unknown violation kind `bogus`: "
	    "use unaligned, incoherent, overlap, extent-items or alloc" },
	{ "expect violation", 1, 1, "missing the violation KIND: expect "
	    "violation KIND" },
	{ "expect violation alloc x", 1, 24, "unexpected word `x`" },
	{ "expect violation alloc expect ok", 1, 24, "expect violation takes "
	    "no outcome" },
	{ "quirk drop-whole on expect ok", 1, 21, "quirk takes no outcome" },
	/* a key=value word split by spaces: one error that says the word */
	{ C "expect stat data_reads = 0", 2, 13, "`data_reads = 0` has spaces "
	    "around its =: write it as one word, data_reads=0" },
	{ C "write a 0 4K\ncorrupt a 0 4K mirror = 1", 3, 16, "write it as "
	    "one word, mirror=1" },
	{ C "read a 0 4K mirror= 2", 2, 13, "`mirror= 2` has spaces" },
	{ C "read a 0 4K mirror=x", 2, 13, "mirror `x` is not a number: mirror "
	    "must be from 1 to 2: this filesystem has 2 mirrors" },
	/* the modern era's statements and keys */
#define M	"era modern\n"
#define MC	M "create a\n"
	{ "era 2009", 1, 5, "unknown era `2009`: use 2008 or modern" },
	{ "era", 1, 1, "missing 2008|modern: era 2008|modern" },
	{ "fs\nera modern", 2, 1, "era must be the first statement of the "
	    "file, before fs: move it above line 1" },
	{ M "era modern", 2, 1, "era may appear only once (first at line 1)" },
	{ "era modern x", 1, 12, "unexpected word `x`" },
	{ "fs profile=raid1", 1, 4, "profile= belongs to the modern era, and "
	    "this file is era 2008: write `era modern` as its first line" },
	{ "era 2008\nfs readahead=0", 2, 4, "readahead= belongs to the "
	    "modern era" },
	{ "fs read_policy=pid", 1, 4, "read_policy= belongs to the modern" },
	{ M "fs profile=raid5", 2, 4, "profile must be single, dup, raid1, "
	    "raid1c3 or raid1c4" },
	{ M "fs profile=raid1c3 mirrors=2", 2, 4, "profile=raid1c3 keeps 3 "
	    "copies but mirrors=2: give one of them, or values that agree" },
	{ M "fs mirrors=1 profile=dup", 2, 14, "profile=dup keeps 2 copies "
	    "but mirrors=1" },
	{ M "fs read_policy=fastest", 2, 4, "read_policy must be pid, "
	    "round-robin, round-robin:BYTES or devid:N" },
	{ M "fs read_policy=pid:3", 2, 4, "read_policy must be pid" },
	{ M "fs read_policy=devid", 2, 4, "read_policy must be pid" },
	{ M "fs read_policy=devid:3", 2, 4, "devid:3 is not a device of this "
	    "filesystem: it has 2 devices, from 1" },
	{ M "fs profile=dup read_policy=devid:2", 2, 16, "it has 1 device, "
	    "from 1" },
	{ M "fs read_policy=round-robin:1000", 2, 4, "round-robin's BYTES "
	    "must be a multiple of the sector size (4K), at least one sector" },
	{ M "fs readahead=5000", 2, 4, "readahead must be a multiple of the "
	    "sector size (4K), or 0" },
	{ C "read a 0 4K direct", 2, 13, "a direct read belongs to the modern "
	    "era" },
	{ C "read a 0 4K pid=1", 2, 13, "pid= belongs to the modern era" },
	{ MC "read a 512 4K direct", 3, 8, "a direct read starts at a multiple "
	    "of the sector size (4K), as O_DIRECT requires" },
	{ MC "read a 0 100 direct", 3, 10, "a direct read's length is a "
	    "multiple of the sector size" },
	{ MC "read a 0 4K pid=4194305", 3, 13, "pid must be from 0 to "
	    "4194304" },
	{ MC "read a 0 4K expect ok lookup=cache", 3, 23, "lookup= belongs to "
	    "the 2008 era" },
	{ C "read a 0 4K expect hang", 2, 20, "outcome hang (a repair walk "
	    "that never ends) belongs to the modern era" },
	{ MC "read a 0 4K expect bad", 3, 20, "use ok, eio, enospc, oops or "
	    "hang" },
	{ "scrub", 1, 1, "scrub belongs to the modern era" },
	{ M "scrub device=3", 2, 7, "device must be from 1 to 2: this "
	    "filesystem has 2 devices" },
	{ M "fs profile=dup\nscrub device=2", 3, 7, "device must be 1: this "
	    "filesystem has 1 device" },
	{ M "scrub nosync", 2, 7, "flag nosync applies to write only" },
	{ M "expect scrub csum_errors=0", 2, 1, "expect scrub checks the "
	    "totals of the last scrub, and no scrub comes before it" },
	{ M "scrub\nexpect scrub csum=0", 3, 14, "unknown scrub total `csum`: "
	    "use read_errors, csum_errors, no_csum, corrected_errors, "
	    "uncorrectable_errors or data_bytes_scrubbed" },
	{ M "scrub\nexpect scrub", 3, 1, "missing KEY=N: expect scrub KEY=N" },
	{ "expect devstats 1 read_io_errs=0", 1, 1, "expect devstats belongs "
	    "to the modern era" },
	{ M "expect devstats read_io_errs=0", 2, 1, "missing DEVICE" },
	{ M "expect devstats 3 read_io_errs=0", 2, 17, "device must be from 1 "
	    "to 2" },
	{ M "expect devstats 1 reads=0", 2, 19, "unknown device counter "
	    "`reads`: use write_io_errs, read_io_errs, flush_io_errs, "
	    "corruption_errs or generation_errs" },
	{ M "expect devstats 1 read_io_errs=1 read_io_errs=1", 2, 34,
	    "device counter read_io_errs given twice" },
	{ C "expect copy a 0 4K intact", 2, 1, "missing mirror=N: expect copy" },
	{ C "expect copy a 0 4K mirror=1", 2, 1, "missing what the copy holds: "
	    "intact, damaged or data=BYTE" },
	{ C "expect copy a 0 4K mirror=1 intact data=1", 2, 1, "give one of "
	    "intact, damaged and data=BYTE" },
	{ C "expect copy a 0 4K mirror=3 intact", 2, 20, "mirror must be from "
	    "1 to 2" },
	{ C "expect copy a 0 4K mirror=1 data=256", 2, 29, "data must be" },
	{ MC "expect stat retry_cache_hits=0", 3, 13, "counter "
	    "retry_cache_hits does not exist in the modern era" },
	{ M "quirk drop-whole on", 2, 7, "quirk drop-whole belongs to the 2008 "
	    "era, and this file is era modern" },
	{ M "preset pre-patch", 2, 8, "preset pre-patch belongs to the 2008 "
	    "era" },
	{ "preset fixed", 1, 8, "preset fixed belongs to the modern era" },
#undef MC
#undef M
};

/* scenario: each row of bad_files has exactly its one error. */
START_TEST(test_bad_file)
{
	const struct bad *b = &bad_files[_i];
	struct want w = { b->line, b->col, b->msg };

	errs(b->src, &w, 1);
}
END_TEST

/* --- errors: several per file ------------------------------------------- */

/* scenario: every error of a file is reported, sorted by position. */
START_TEST(test_many_errors)
{
	ERRS("fs sectorsize=3000 mirrors=9\n"
	    "create a\n"
	    "write b 0 4K\n"
	    "read a 0 0 mirror=3\n"
	    "bogus\n"
	    "quirk drop-whole on\n",
	    { 1, 4, "sector size must be a power of two" },
	    { 1, 20, "mirrors must be from 1 to 4" },
	    { 3, 7, "file `b` is used before it is created" },
	    { 4, 10, "LEN must be at least 1" },
	    { 5, 1, "unknown statement `bogus`" },
	    { 6, 1, "quirk must come before the first operation" });
}
END_TEST

/* scenario: an unclosed block is reported at its line, in line order. */
START_TEST(test_unclosed_order)
{
	ERRS("create a\nconcurrent\nread a 0 4K\nbogus\nread a 0 0\n",
	    { 2, 1, "concurrent block opened here is never closed" },
	    { 4, 1, "unknown statement" },
	    { 5, 10, "LEN must be at least 1" });
	/* The nested block pairs with the first end; the outer is open. */
	ERRS("create a\nconcurrent\nread a 0 4K\nconcurrent\nsync\nend\n",
	    { 2, 1, "concurrent block opened here is never closed" },
	    { 4, 1, "concurrent blocks do not nest" });
	/* An empty nested block does not make the outer empty. */
	ERRS("concurrent\nconcurrent\nend\nend\n",
	    { 2, 1, "concurrent blocks do not nest" });
	/* After a block closes another may open. */
	ERRS("create a\nconcurrent\nsync\nend\nconcurrent\nend\nend\n",
	    { 5, 1, "concurrent block has no tasks" },
	    { 7, 1, "end without concurrent" });
}
END_TEST

/* scenario: errors on one line come in column order. */
START_TEST(test_same_line)
{
	ERRS("create a\nwrite a x 0 fill=300 nodatasum bogus expect what "
	    "data=1\n",
	    { 2, 9, "OFF `x` is not a number" },
	    { 2, 11, "LEN must be at least 1" },
	    { 2, 13, "fill must be a byte" },
	    { 2, 22, "flag nodatasum applies to create only" },
	    { 2, 32, "unexpected word `bogus`" },
	    { 2, 45, "unknown outcome `what`" },
	    { 2, 50, "expect key data= applies to read only" });
	ERRS("expect stat bogus=1 eio eio=x retries=1 retries=2\n",
	    { 1, 13, "unknown counter" },
	    { 1, 21, "`eio` is not COUNTER=N" },
	    { 1, 25, "eio `x` is not a number" },
	    { 1, 41, "counter retries given twice" });
	ERRS("guards x drop-whole y\n",
	    { 1, 8, "unknown quirk `x`" },
	    { 1, 21, "unknown quirk `y`" });
}
END_TEST

/* scenario: a line missing several things gets one error for each. */
START_TEST(test_missing_several)
{
	ERRS("corrupt\n",
	    { 1, 1, "missing NAME: corrupt NAME OFF LEN mirror=N" },
	    { 1, 1, "missing mirror=N: corrupt NAME OFF LEN mirror=N" });
	ERRS("offline 1\n",
	    { 1, 1, "missing mirror=N: offline mirror=N" },
	    { 1, 9, "unexpected word `1`: offline mirror=N" });
	ERRS("corrupt logical=1M\n",
	    { 1, 1, "missing len=N" },
	    { 1, 1, "missing mirror=N" });
}
END_TEST

/* scenario: a bad line is skipped; no cascade of follow-up errors. */
START_TEST(test_no_cascade)
{
	/* An unknown statement does not count as the first statement. */
	ERRS("fss mirrors=2\nfs mirrors=2\n",
	    { 1, 1, "unknown statement `fss`" });
	/* A create with a bad option still creates the file. */
	ERRS("create a bogus\nwrite a 0 4K\n",
	    { 1, 10, "unexpected word `bogus`" });
	/* A create in a block still creates the file. */
	ERRS("concurrent\ncreate a\nend\nwrite a 0 4K\n",
	    { 2, 1, "create cannot run in a concurrent block" });
	/* A bad mirrors= bounds mirror=N at 4, the largest. */
	ERRS("fs mirrors=7\ncreate a\nread a 0 4K mirror=4\n",
	    { 1, 4, "mirrors must be from 1 to 4" });
	/* A required option written without a value is one error. */
	ERRS("create a\ncorrupt a 0 4K mirror=\n",
	    { 2, 16, "option mirror= has no value" });
	/* A bad sector size does not drag size/max_extent/alloc_align. */
	ERRS("fs sectorsize=100 size=1K max_extent=1K alloc_align=1K\n",
	    { 1, 4, "sector size must be a power of two" });
	/* A control character hides the line, and the block keeps it. */
	ERRS("create a\nconcurrent\nread a 0 4K\x01\nend\n",
	    { 3, 12, "control character 0x01" });
}
END_TEST

/* scenario: parse_script appends to a list that already holds errors. */
START_TEST(test_appends)
{
	struct diag_list dl;
	struct scn_script *s;

	diag_init(&dl);
	diag_add(&dl, 9, 9, 1, "earlier");
	s = parse_script("x.scn", "sync\n", 5, &dl);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(dl.n, 1);
	scn_free(s);
	s = parse_script("x.scn", "bogus\n", 6, &dl);
	ck_assert_ptr_null(s);
	ck_assert_uint_eq(dl.n, 2);
	ck_assert_str_eq(dl.v[0].msg, "earlier");
	diag_free(&dl);
	ck_assert_uint_eq(dl.n, 0);
}
END_TEST

/* scenario: the buffer need not be NUL-terminated. */
START_TEST(test_no_nul)
{
	static const char src[] = { 's', 'y', 'n', 'c', '\n', 's', 'y', 'n' };
	struct diag_list dl;
	struct scn_script *s;

	diag_init(&dl);
	s = parse_script("t.scn", src, sizeof(src), &dl);
	ck_assert_ptr_null(s);
	ck_assert_uint_eq(dl.n, 1);
	ck_assert_uint_eq(dl.v[0].line, 2);
	ck_assert_ptr_nonnull(strstr(dl.v[0].msg, "unknown statement `syn`"));
	diag_free(&dl);
}
END_TEST

/* --- the printer ---------------------------------------------------------- */

static char *
printed(const char *src, size_t len)
{
	struct diag_list dl;
	struct scn_script *s;
	char *out = NULL;
	size_t outlen = 0;
	FILE *fp;

	diag_init(&dl);
	s = parse_script("t.scn", src, len, &dl);
	scn_free(s);
	fp = open_memstream(&out, &outlen);
	ck_assert_ptr_nonnull(fp);
	diag_print(&dl, "t.scn", src, len, fp);
	fclose(fp);
	diag_free(&dl);
	return out;
}

static void
assert_printed(const char *src, size_t len, const char *want)
{
	char *got = printed(src, len);

	ck_assert_msg(strcmp(got, want) == 0, "got\n%s---\nwant\n%s---", got,
	    want);
	free(got);
}

#define ASSERT_PRINTED(src, want) assert_printed(src, sizeof(src) - 1, want)

/* scenario: header, source line, caret under the whole word. */
START_TEST(test_print)
{
	ASSERT_PRINTED("fs sectorsize=3000\n",
	    "t.scn:1:4: error: sector size must be a power of two from 512 to "
	    "64K\n"
	    "fs sectorsize=3000\n"
	    "   ^~~~~~~~~~~~~~~\n");
	/* Tabs are copied so that the caret lines up. */
	ASSERT_PRINTED("create a\n\t write a 0\t0 # x\r\n",
	    "t.scn:2:13: error: LEN must be at least 1: a zero-length range is "
	    "empty; give a positive length, or max for \"to the end\"\n"
	    "\t write a 0\t0 # x\n"
	    "\t          \t^\n");
	/* Sorted by line even when found out of order; controls as `?`. */
	ASSERT_PRINTED("concurrent\nsync\x1b\n",
	    "t.scn:1:1: error: concurrent block opened here is never closed: "
	    "add `end` after its tasks\n"
	    "concurrent\n"
	    "^~~~~~~~~~\n"
	    "t.scn:2:5: error: control character 0x1b is not allowed: a "
	    "scenario is plain text; the line is ignored\n"
	    "sync?\n"
	    "    ^\n");
	/* No final newline; a byte order mark is not shown. */
	ASSERT_PRINTED("\xef\xbb\xbf" "seed x",
	    "t.scn:1:6: error: seed `x` is not a number: use decimal or 0x hex "
	    "digits with an optional K, M, G, T, KiB, MiB, GiB or TiB suffix\n"
	    "seed x\n"
	    "     ^\n");
	/* A UTF-8 character before the word takes one blank. */
	ASSERT_PRINTED("create \xc3\xa9t\xc3\xa9 x\n",
	    "t.scn:1:8: error: `\xc3\xa9t\xc3\xa9` is not a valid file name: a "
	    "NAME is a letter or _ followed by letters, digits, _, . or -\n"
	    "create \xc3\xa9t\xc3\xa9 x\n"
	    "       ^~~\n"
	    "t.scn:1:14: error: unexpected word `x`: create NAME [nodatasum]\n"
	    "create \xc3\xa9t\xc3\xa9 x\n"
	    "           ^\n");
}
END_TEST

/* scenario: a huge line is shown around the word only. */
START_TEST(test_print_long)
{
	size_t pad = 1000, len;
	char *src = malloc(2 * pad + 64), *got, *line2, *line3;

	ck_assert_ptr_nonnull(src);
	memcpy(src, "guards", 6);
	memset(src + 6, ' ', pad);
	len = 6 + pad;
	len += (size_t)sprintf(src + len, "bogus");
	memset(src + len, ' ', pad);
	len += pad;
	src[len++] = 'x';
	got = printed(src, len);
	line2 = strchr(got, '\n') + 1;
	line3 = strchr(line2, '\n') + 1;
	/* "..." + 80 blanks + "bogus" + 80 blanks + "..." */
	ck_assert_uint_eq((size_t)(line3 - line2), 3 + 80 + 5 + 80 + 3 + 1);
	ck_assert(strncmp(line2, "...", 3) == 0);
	ck_assert(strncmp(line3, "   ", 3) == 0);
	ck_assert(strncmp(line3 + 3 + 80, "^~~~~\n", 6) == 0);
	free(got);
	free(src);
}
END_TEST

/* scenario: diag_add/diag_sort keep insertion order for equal positions. */
START_TEST(test_diag_sort)
{
	struct diag_list dl;

	diag_init(&dl);
	diag_add(&dl, 3, 1, 0, "c%d", 1);
	diag_add(&dl, 1, 5, 2, "b");
	diag_add(&dl, 1, 5, 1, "b2");
	diag_add(&dl, 1, 1, 1, "a");
	diag_sort(&dl);
	ck_assert_str_eq(dl.v[0].msg, "a");
	ck_assert_str_eq(dl.v[1].msg, "b");
	ck_assert_str_eq(dl.v[2].msg, "b2");
	ck_assert_str_eq(dl.v[3].msg, "c1");
	ck_assert_uint_eq(dl.v[3].width, 1);
	diag_free(&dl);
}
END_TEST

/*
 * The parser's file table (src/pfiles.h) against a trivial reference, a
 * list searched from the start: random names from a small alphabet, so
 * that lookups hit and miss and the index grows several times, with
 * pfiles_check() after every operation.
 */
START_TEST(test_pfiles_reference)
{
	struct scn_script *s = xcalloc(1, sizeof(*s));
	char ref[600][8];
	size_t nref = 0;
	struct pfiles t;
	struct rng r;
	const char *why = "";

	rng_seed(&r, 20261206);
	pfiles_init(&t, s);
	for (int op = 0; op < 4000; op++) {
		char name[8];
		size_t len = 1 + (size_t)rng_below(&r, 3);
		int want = -1, got;

		for (size_t i = 0; i < len; i++)
			name[i] = (char)('a' + rng_below(&r, 8));
		name[len] = '\0';
		for (size_t i = 0; i < nref && want < 0; i++)
			if (strcmp(ref[i], name) == 0)
				want = (int)i;
		got = pfiles_find(&t, name, len);
		ck_assert_int_eq(got, want);
		if (got < 0 && nref < 600) {
			ck_assert_int_eq(pfiles_add(&t, name, len, 10u + op),
			    (int)nref);
			memcpy(ref[nref++], name, len + 1);
		}
		ck_assert_msg(pfiles_check(&t, &why) == 0, "%s", why);
		if (want >= 0)
			ck_assert_uint_ge(pfiles_line(&t, want), 10);
	}
	ck_assert_uint_eq(s->nfiles, nref);
	ck_assert_uint_gt(nref, 100);		/* the index grew */
	t.slot[0] = (int)nref;			/* a corrupted slot */
	ck_assert_int_lt(pfiles_check(&t, &why), 0);
	pfiles_fini(&t);
	scn_free(s);
}
END_TEST

static Suite *
parse_suite(void)
{
	Suite *s = suite_create("parse");
	TCase *tc;

	tc = tcase_create("ast");
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_fs);
	tcase_add_test(tc, test_quirks);
	tcase_add_test(tc, test_seed_guards);
	tcase_add_test(tc, test_create);
	tcase_add_test(tc, test_pfiles_reference);
	tcase_add_test(tc, test_write);
	tcase_add_test(tc, test_read);
	tcase_add_test(tc, test_small_ops);
	tcase_add_test(tc, test_faults_by_hand);
	tcase_add_test(tc, test_faults);
	tcase_add_test(tc, test_concurrent);
	tcase_add_test(tc, test_expect_stmts);
	tcase_add_test(tc, test_expect_tails);
	tcase_add_test(tc, test_mirror_bound);
	tcase_add_test(tc, test_many_files);
	tcase_add_test(tc, test_address_limit);
	tcase_add_test(tc, test_kind_names);
	tcase_add_test(tc, test_modern);
	suite_add_tcase(s, tc);
	tc = tcase_create("statement table");
	tcase_add_test(tc, test_stmt_table);
	suite_add_tcase(s, tc);
	tc = tcase_create("quirk precedence");
	tcase_add_test(tc, test_default);
	tcase_add_test(tc, test_file_order);
	tcase_add_test(tc, test_options);
	tcase_add_test(tc, test_guard_last);
	tcase_add_test(tc, test_overrides);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_bad_file, 0,
	    (int)(sizeof(bad_files) / sizeof(bad_files[0])));
	tcase_add_test(tc, test_many_errors);
	tcase_add_test(tc, test_unclosed_order);
	tcase_add_test(tc, test_same_line);
	tcase_add_test(tc, test_missing_several);
	tcase_add_test(tc, test_no_cascade);
	tcase_add_test(tc, test_appends);
	tcase_add_test(tc, test_no_nul);
	suite_add_tcase(s, tc);
	tc = tcase_create("limits");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_statement_limit);
	tcase_add_test(tc, test_files_limit);
	tcase_add_test(tc, test_error_limit);
	tcase_add_test(tc, test_words_limit);
	tcase_add_test(tc, test_bytes_limit);
	tcase_add_test(tc, test_tasks_limit);
	tcase_add_test(tc, test_schedules_limit);
	suite_add_tcase(s, tc);
	tc = tcase_create("print");
	tcase_add_test(tc, test_print);
	tcase_add_test(tc, test_print_long);
	tcase_add_test(tc, test_diag_sort);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(parse_suite)
