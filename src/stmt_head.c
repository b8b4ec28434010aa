/*
 * The statements that set up a scenario before it runs (blksim-scenario(5)):
 * `era`, which picks the code modelled and must come first of all (the
 * parser sets the file's era as it reads it, so that every later line is
 * checked against that era's names), `fs`, which configures the model and
 * must come first after era, and the headers
 * `preset`, `quirk`, `seed` and `guards`, which must come before the first
 * operation.  None runs against the model: fs's options become the
 * script's (parse.c applies the first fs line as it is read, so that its
 * mirror count bounds the mirror=N of later lines), and each header adds
 * to the script's summary (its apply hook): quirk settings, which
 * quirk_resolve() orders, the seed, the guarded quirks.
 */
#include <string.h>

#include "../sim/era.h"
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
    FSKEY_ALLOC_ALIGN, FSKEY_WORKERS, FSKEY_CSUM, FSKEY_PROFILE,
    FSKEY_READ_POLICY, FSKEY_READAHEAD };

/* The modern era's profiles: their copies, and dup's one device. */
static const struct {
	const char	*name;
	uint32_t	 copies;
	bool		 dup;
} profiles[] = {
	{ "single", 1, false },
	{ "dup", 2, true },
	{ "raid1", 2, false },
	{ "raid1c3", 3, false },
	{ "raid1c4", 4, false },
};
#define NPROFILES	(sizeof(profiles) / sizeof(profiles[0]))

/*
 * profile=NAME (modern): the copies it makes.  With mirrors= too, the two
 * must agree on the number of copies (mirrors=2 with dup included).
 */
static void
fs_profile(struct pval *pv, const struct stmt_line *l, struct scn_fs *fs)
{
	const char *names[NPROFILES];
	const struct lex_word *w = l->opt[FSKEY_PROFILE];
	int k;

	for (size_t i = 0; i < NPROFILES; i++)
		names[i] = profiles[i].name;
	if (!pval_modern(pv, w, "profile=") ||
	    (k = pval_choice(pv, w, names, NPROFILES)) < 0)
		return;
	if (l->opt[FSKEY_MIRRORS] != NULL &&
	    fs->mirrors != profiles[k].copies) {
		pval_err(pv, w, "profile=%s keeps %u cop%s but mirrors=%u: give "
		    "one of them, or values that agree", profiles[k].name,
		    profiles[k].copies, profiles[k].copies == 1 ? "y" : "ies",
		    fs->mirrors);
		return;
	}
	fs->mirrors = profiles[k].copies;
	fs->dup = profiles[k].dup;
}

/* A number of bytes after PREFIX in V: a multiple of the sector size. */
static bool
fs_sector_bytes(struct pval *pv, const struct lex_word *w, const char *v,
    size_t vlen, const char *what, bool zero_ok, const struct scn_fs *fs,
    uint64_t *out)
{
	char ss[32];
	uint64_t n;

	if (!pval_num(pv, w, v, vlen, what, &n))
		return false;
	fmt_size(fs->sectorsize, ss, sizeof(ss));
	if ((n == 0 && !zero_ok) || n % fs->sectorsize != 0 ||
	    n > SCN_ADDR_LIMIT) {
		pval_err(pv, w, "%s must be a multiple of the sector size "
		    "(%s)%s", what, ss, zero_ok ? ", or 0" : ", at least one "
		    "sector");
		return false;
	}
	*out = n;
	return true;
}

/*
 * read_policy=pid|round-robin[:BYTES]|devid:N (modern), as the sysfs
 * file /sys/fs/btrfs/UUID/read_policy takes it; N is checked against the
 * devices once the profile is known (fs_devid).
 */
static void
fs_read_policy(struct pval *pv, const struct stmt_line *l, struct scn_fs *fs)
{
	static const char *const policies[] = { "pid", "round-robin",
	    "devid" };
	const struct lex_word *w = l->opt[FSKEY_READ_POLICY];
	size_t vlen, nlen;
	const char *v = pval_opt(w, &vlen), *colon;
	uint64_t n;
	int k;

	if (!pval_modern(pv, w, "read_policy="))
		return;
	colon = memchr(v, ':', vlen);
	nlen = colon ? (size_t)(colon - v) : vlen;
	for (k = 0; k < 3 && !pval_eq(v, nlen, policies[k]); k++)
		continue;
	if (k == 3 || (k == FS_POLICY_PID && colon) ||
	    (k == FS_POLICY_DEVID && !colon)) {
		pval_err(pv, w, "read_policy must be pid, round-robin, "
		    "round-robin:BYTES or devid:N");
		return;
	}
	fs->read_policy = (enum fs_read_policy)k;
	if (colon == NULL)
		return;
	v = colon + 1;
	vlen -= nlen + 1;
	if (k == FS_POLICY_ROUND_ROBIN) {
		if (fs_sector_bytes(pv, w, v, vlen, "round-robin's BYTES",
		    false, fs, &n))
			fs->rr_min_contig = n;
	} else if (pval_num(pv, w, v, vlen, "devid", &n))
		fs->policy_devid = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/* devid:N names a device of the profile (dup has one). */
static void
fs_devid(struct pval *pv, const struct stmt_line *l, const struct scn_fs *fs)
{
	uint32_t devices = fs->dup ? 1 : fs->mirrors;

	if (fs->read_policy == FS_POLICY_DEVID && (fs->policy_devid < 1 ||
	    fs->policy_devid > devices))
		pval_err(pv, l->opt[FSKEY_READ_POLICY], "devid:%u is not a "
		    "device of this filesystem: it has %u device%s, from 1",
		    fs->policy_devid, devices, devices == 1 ? "" : "s");
}

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
	if (l->opt[FSKEY_PROFILE] != NULL)
		fs_profile(pv, l, fs);
	if (l->opt[FSKEY_READ_POLICY] != NULL) {
		fs_read_policy(pv, l, fs);
		fs_devid(pv, l, fs);
	}
	if ((w = l->opt[FSKEY_READAHEAD]) != NULL &&
	    pval_modern(pv, w, "readahead=")) {
		v = pval_opt(w, &vlen);
		if (ss_ok && fs_sector_bytes(pv, w, v, vlen, "readahead", true,
		    fs, &n))
			fs->readahead = n;
	}
}

/*
 * era 2008|modern: the file's era, unless --era fixed it (the line is
 * then checked and ignored).
 */
static void
era_parse(struct pval *pv, const struct stmt_line *l, struct scn_stmt *st)
{
	const struct lex_word *w = l->pos[0];
	int era;

	if (l->npos == 0)
		return;
	era = era_lookup(w->s, w->len);
	if (era < 0) {
		pval_err(pv, w, "unknown era `" PVAL_SHOW_FMT "`: use 2008 or "
		    "modern", PVAL_SHOWW(w));
		return;
	}
	if (!pv->era_fixed)
		pv->era = (unsigned)era;
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

const struct stmt_row stmt_era_row = {
	.kind = SCN_ERA, .name = "era", .role = STMT_CONFIG, .flags = STMT_ONCE,
	.usage = "era 2008|modern", .npos = 1, .pos = { STMT_SL_ERA },
	.parse = era_parse,
};

const struct stmt_row stmt_fs_row = {
	.kind = SCN_FS, .name = "fs", .role = STMT_CONFIG, .flags = STMT_ONCE,
	.usage = "fs [sectorsize=N] [mirrors=N] [size=N] [max_extent=N] "
	    "[alloc_align=N] [workers=N] [csum=crc32c|crc32] "
	    "[profile=single|dup|raid1|raid1c3|raid1c4] "
	    "[read_policy=pid|round-robin[:N]|devid:N] [readahead=N]",
	.keys = { { "sectorsize" }, { "mirrors" }, { "size" },
	    { "max_extent" }, { "alloc_align" }, { "workers" }, { "csum" },
	    { "profile" }, { "read_policy" }, { "readahead" } },
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
