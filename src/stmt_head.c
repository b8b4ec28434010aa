/*
 * The statements that set up a scenario before it runs (blksim-scenario(5)):
 * `fs`, which configures the model and must come first, and the headers
 * `preset`, `quirk`, `seed` and `guards`, which must come before the first
 * operation.  None runs against the model: fs's options become the
 * script's (parse.c applies the first fs line as it is read, so that its
 * mirror count bounds the mirror=N of later lines), and each header adds
 * to the script's summary (its apply hook): quirk settings, which
 * quirk_resolve() orders, the seed, the guarded quirks.
 */
#include "../sim/quirk.h"
#include "fmt.h"
#include "pval.h"
#include "stmt.h"

/* Bounds of fs's options (blksim-scenario(5), LIMITS). */
/* The model's limits (sim/fs.h), which fs_new() checks too. */
#define HEAD_DATA_START		FS_DATA_BASE
#define HEAD_MIN_SECTOR		FS_MIN_SECTORSIZE
#define HEAD_MAX_SECTOR		FS_MAX_SECTORSIZE
#define HEAD_MAX_MIRRORS	FS_MAX_MIRRORS
#define HEAD_MAX_WORKERS	FS_MAX_WORKERS

/* fs's keys, in the order of the row's. */
enum { FSKEY_SECTORSIZE, FSKEY_MIRRORS, FSKEY_SIZE, FSKEY_MAX_EXTENT,
    FSKEY_ALLOC_ALIGN, FSKEY_WORKERS, FSKEY_CSUM };

/*
 * fs's options, each checked against those it depends on (alloc_align
 * and size against the sector size, size against alloc_align), in the
 * order of blksim-scenario(5), FILESYSTEM.
 */
static void
fs_parse(struct pval *pv, const struct stmt_line *l, struct scn_stmt *st)
{
	static const char *const csums[] = { "crc32c", "crc32" };
	const struct lex_word *w;
	struct scn_fs *fs = &st->fs;
	bool ss_ok = true, al_ok = true;
	char ss[32], al[32];
	const char *v;
	size_t vlen;
	uint64_t n;
	int k;

	if ((w = l->opt[FSKEY_SECTORSIZE]) != NULL) {
		v = pval_opt(w, &vlen);
		ss_ok = pval_num(pv, w, v, vlen, "sectorsize", &n);
		if (ss_ok && (!pval_pow2(n) || n < HEAD_MIN_SECTOR ||
		    n > HEAD_MAX_SECTOR)) {
			pval_err(pv, w, "sector size must be a power of two "
			    "from 512 to 64K");
			ss_ok = false;
		}
		if (ss_ok)
			fs->sectorsize = (uint32_t)n;
	}
	if ((w = l->opt[FSKEY_MIRRORS]) != NULL) {
		v = pval_opt(w, &vlen);
		if (pval_range(pv, w, v, vlen, "mirrors", 1, HEAD_MAX_MIRRORS,
		    "from 1 to 4", &n))
			fs->mirrors = (uint32_t)n;
		else
			fs->mirrors = HEAD_MAX_MIRRORS;
	}
	if ((w = l->opt[FSKEY_ALLOC_ALIGN]) != NULL) {
		v = pval_opt(w, &vlen);
		al_ok = pval_num(pv, w, v, vlen, "alloc_align", &n);
		fmt_size(fs->sectorsize, ss, sizeof(ss));
		if (al_ok && (!pval_pow2(n) ||
		    (ss_ok && n < fs->sectorsize))) {
			pval_err(pv, w, "alloc_align must be a power of two no "
			    "smaller than the sector size (%s)", ss);
			al_ok = false;
		}
		if (al_ok)
			fs->alloc_align = n;
	}
	if (fs->alloc_align == 0)
		fs->alloc_align = fs->sectorsize;
	if ((w = l->opt[FSKEY_SIZE]) != NULL) {
		v = pval_opt(w, &vlen);
		fmt_size(fs->sectorsize, ss, sizeof(ss));
		fmt_size(fs->alloc_align, al, sizeof(al));
		if (!pval_num(pv, w, v, vlen, "size", &n))
			;
		else if (n > SCN_ADDR_LIMIT - HEAD_DATA_START)
			pval_err(pv, w, "size is too large: data lives from 1M "
			    "to 1M + size, which must end at or below "
			    PVAL_ADDR_TEXT ", so size is at most "
			    "0x7ffffffffff00000");
		else if (ss_ok && n < fs->sectorsize)
			pval_err(pv, w, "size must be at least the sector size "
			    "(%s)", ss);
		else if (ss_ok && al_ok && n < fs->alloc_align)
			pval_err(pv, w, "size must be at least alloc_align "
			    "(%s)", al);
		else
			fs->size = n;
	} else if ((w = l->opt[FSKEY_ALLOC_ALIGN]) != NULL && al_ok &&
	    fs->alloc_align > fs->size) {
		fmt_size(fs->alloc_align, al, sizeof(al));
		fmt_size(fs->size, ss, sizeof(ss));
		pval_err(pv, w, "alloc_align (%s) must be at most the size of "
		    "the filesystem (%s, the default): give a larger size= or "
		    "a smaller alloc_align", al, ss);
	}
	if ((w = l->opt[FSKEY_MAX_EXTENT]) != NULL) {
		v = pval_opt(w, &vlen);
		fmt_size(fs->sectorsize, ss, sizeof(ss));
		if (!pval_num(pv, w, v, vlen, "max_extent", &n))
			;
		else if (ss_ok && (n < fs->sectorsize ||
		    n % fs->sectorsize != 0))
			pval_err(pv, w, "max_extent must be a multiple of the "
			    "sector size (%s), at least one sector", ss);
		else
			fs->max_extent = n;
	}
	if ((w = l->opt[FSKEY_WORKERS]) != NULL) {
		v = pval_opt(w, &vlen);
		if (pval_range(pv, w, v, vlen, "workers", 1, HEAD_MAX_WORKERS,
		    "from 1 to 64", &n))
			fs->workers = (uint32_t)n;
	}
	if ((w = l->opt[FSKEY_CSUM]) != NULL &&
	    (k = pval_choice(pv, w, csums, 2)) >= 0)
		fs->csum_crc32 = k == 1;
}

/* guards QUIRK ...: the mask of the quirks named. */
static void
guards_parse(struct pval *pv, const struct stmt_line *l, struct scn_stmt *st)
{
	if (l->nargs == 0) {
		pval_err(pv, l->stmtw, "missing the quirk name: %s",
		    l->row->usage);
		return;
	}
	for (size_t i = 0; i < l->nargs; i++) {
		int q = pval_quirk(pv, &l->args[i]);

		if (q >= 0)
			st->guards |= 1u << q;
	}
}


/* The file's preset, applied before its quirk lines. */
static void
preset_apply(struct scn_script *s, const struct scn_stmt *st)
{
	if (st->preset >= 0)
		quirk_settings_add(&s->quirk_settings, QUIRK_FROM_FILE_PRESET,
		    st->preset, true);
}

/* One quirk line, in file order. */
static void
quirk_apply(struct scn_script *s, const struct scn_stmt *st)
{
	if (st->quirk >= 0)
		quirk_settings_add(&s->quirk_settings, QUIRK_FROM_FILE_QUIRK,
		    st->quirk, st->on);
}

/* The last seed line wins. */
static void
seed_apply(struct scn_script *s, const struct scn_stmt *st)
{
	s->seed = st->seed;
}

/* Every guards line adds to the set --guards reruns with. */
static void
guards_apply(struct scn_script *s, const struct scn_stmt *st)
{
	s->guards |= st->guards;
}

const struct stmt_row stmt_fs_row = {
	.kind = SCN_FS, .name = "fs", .role = STMT_CONFIG, .flags = STMT_ONCE,
	.usage = "fs [sectorsize=N] [mirrors=N] [size=N] [max_extent=N] "
	    "[alloc_align=N] [workers=N] [csum=crc32c|crc32]",
	.keys = { { "sectorsize" }, { "mirrors" }, { "size" },
	    { "max_extent" }, { "alloc_align" }, { "workers" }, { "csum" } },
	.parse = fs_parse,
};

const struct stmt_row stmt_preset_row = {
	.kind = SCN_PRESET, .name = "preset", .role = STMT_HEADER,
	.flags = STMT_ONCE, .usage = "preset pre-patch|post-patch",
	.npos = 1, .pos = { STMT_SL_PRESET }, .apply = preset_apply,
};

const struct stmt_row stmt_quirk_row = {
	.kind = SCN_QUIRK, .name = "quirk", .role = STMT_HEADER,
	.usage = "quirk QUIRK on|off",
	.npos = 2, .pos = { STMT_SL_QUIRK, STMT_SL_ONOFF },
	.apply = quirk_apply,
};

const struct stmt_row stmt_seed_row = {
	.kind = SCN_SEED, .name = "seed", .role = STMT_HEADER,
	.usage = "seed N", .npos = 1, .pos = { STMT_SL_SEED },
	.apply = seed_apply,
};

const struct stmt_row stmt_guards_row = {
	.kind = SCN_GUARDS, .name = "guards", .role = STMT_HEADER,
	.usage = "guards QUIRK [QUIRK ...]", .raw = true,
	.parse = guards_parse, .apply = guards_apply,
};
