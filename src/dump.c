/*
 * `blksim dump FILE`: run a scenario, then show the model's state so a
 * person can see it at a glance: per file, the file extent items, the
 * cached extent maps and the failure records as aligned tables, then an
 * ASCII map with one track per layer (items, extent map cache, page cache,
 * and each mirror's faults), one character per sector, or per scaled
 * block for large files; last, the mirrors and the counters.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/alloc.h"
#include "../sim/content.h"
#include "../sim/dev.h"
#include "../sim/em.h"
#include "../sim/era.h"
#include "../sim/fei.h"
#include "../sim/fs.h"
#include "../sim/inode.h"
#include "../sim/mirror.h"
#include "../sim/pcache.h"
#include "../sim/quirk.h"
#include "../sim/xmalloc.h"
#include "diag.h"
#include "dump.h"
#include "exec.h"
#include "files.h"
#include "fmt.h"
#include "parse.h"
#include "report.h"
#include "run.h"

#define MAP_CELLS	64	/* characters per map track */

static void
size_text(uint64_t v, char *buf, size_t n)
{
	fmt_size(v, buf, n);
}

static void
block_text(uint64_t b, char *buf, size_t n)
{
	if (b == EM_HOLE)
		snprintf(buf, n, "hole");
	else if (b == EM_INLINE)
		snprintf(buf, n, "inline");
	else if (b == EM_DELALLOC)
		snprintf(buf, n, "delalloc");
	else
		fmt_size(b, buf, n);
}

static void
dump_items(FILE *out, const struct fei_tree *items)
{
	char a[32], b[32], c[32], d[32], e[32];

	fprintf(out, "  file extent items (%zu)\n", items->count);
	if (items->count == 0)
		return;
	fprintf(out, "    %-12s %-12s %-12s %-14s %s\n", "file_offset",
	    "num_bytes", "disk_bytenr", "disk_num_bytes", "offset");
	for (const struct fei_item *it = fei_first(items); it != NULL;
	    it = fei_next(items, it)) {
		size_text(it->file_offset, a, sizeof(a));
		size_text(it->num_bytes, b, sizeof(b));
		if (it->disk_bytenr == 0)
			snprintf(c, sizeof(c), "hole");
		else
			size_text(it->disk_bytenr, c, sizeof(c));
		size_text(it->disk_num_bytes, d, sizeof(d));
		size_text(it->offset, e, sizeof(e));
		fprintf(out, "    %-12s %-12s %-12s %-14s %s\n", a, b, c, d, e);
	}
}

static void
dump_cache(FILE *out, const struct em_tree *tree)
{
	char a[32], b[32], c[32];

	fprintf(out, "  cached extent maps (%zu)\n", tree->count);
	if (tree->count == 0)
		return;
	fprintf(out, "    %-12s %-12s %s\n", "start", "len", "block_start");
	for (const struct em_map *em = em_first(tree); em != NULL;
	    em = em_next(tree, em)) {
		size_text(em->start, a, sizeof(a));
		size_text(em->len, b, sizeof(b));
		block_text(em->block_start, c, sizeof(c));
		fprintf(out, "    %-12s %-12s %s%s\n", a, b, c,
		    tree->last == em ? "   (last)" : "");
	}
}

static void
dump_failrecs(FILE *out, const struct imap *failrec)
{
	char a[32], b[32];

	if (failrec->count == 0) {
		fprintf(out, "  failure records: none\n");
		return;
	}
	fprintf(out, "  failure records (%zu)\n    %-12s %-12s %s\n",
	    failrec->count, "start", "logical", "last_mirror");
	for (const struct imap_ent *e = imap_first(failrec); e != NULL;
	    e = imap_next(failrec, e)) {
		size_text(e->start, a, sizeof(a));
		size_text(e->v.a, b, sizeof(b));
		fprintf(out, "    %-12s %-12s %" PRIu64 "\n", a, b, e->v.b);
	}
}

/* Does the imap M have an entry in [s, t) matching PRED (NULL: any)? */
static bool
imap_any(const struct imap *m, uint64_t s, uint64_t t,
    bool (*pred)(const struct imap_ent *))
{
	for (const struct imap_ent *e = imap_first_from(m, s);
	    e != NULL && e->start < t; e = imap_next(m, e))
		if (pred == NULL || pred(e))
			return true;
	return false;
}

static bool
is_dirty(const struct imap_ent *e)
{
	return (e->v.aux & CONTENT_DIRTY) != 0;
}

/* One character of the items track for cell [s, t). */
static char
item_cell(const struct fei_tree *items, uint64_t s, uint64_t t)
{
	bool data = false, hole = false;

	for (uint64_t p = s; p < t; ) {
		const struct fei_item *it = fei_lookup(items, p);
		const struct fei_item *nx;

		if (it != NULL) {
			if (it->disk_bytenr)
				data = true;
			else
				hole = true;
			p = it->file_offset + it->num_bytes;
			continue;
		}
		nx = fei_next_after(items, p);
		if (nx == NULL)
			break;
		p = nx->file_offset;
	}
	return data ? (hole ? '+' : 'd') : hole ? 'h' : ' ';
}

static char
cache_cell(const struct em_tree *tree, uint64_t s, uint64_t t)
{
	bool real = false, hole = false;

	for (const struct em_map *em = em_first(tree); em != NULL;
	    em = em_next(tree, em)) {
		if (em->start >= t || em_end(em) <= s)
			continue;
		if (em_is_real(em))
			real = true;
		else
			hole = true;
	}
	return real ? 'c' : hole ? 'h' : ' ';
}

/* Whether any sector of [l, l + n) in MAP has kind KIND. */
static bool
any_kind(const struct imap *map, uint64_t l, uint64_t n, uint32_t kind)
{
	for (const struct imap_ent *e = imap_first_from(map, l);
	    e != NULL && e->start < l + n; e = imap_next(map, e))
		if (e->v.kind == kind)
			return true;
	return false;
}

/*
 * Faults on mirror K behind cell [s, t): x corrupt, e I/O error, ! both;
 * else m if a misdirected write landed there, s if a write fault kept
 * the old bytes (stale).  The walk goes item by item, so that its cost
 * follows the extents and not the sectors: a cell of a large sparse file
 * spans billions of them.
 */
static char
fault_cell(const struct mirror *m, const struct fei_tree *items, uint64_t s,
    uint64_t t)
{
	bool corrupt = false, ioerr = false, stale = false, landed = false;

	for (uint64_t p = s; p < t; ) {
		const struct fei_item *it = fei_lookup(items, p);
		uint64_t e, l;

		if (it == NULL) {
			it = fei_next_after(items, p);
			if (it == NULL)
				break;
			p = it->file_offset;
			continue;
		}
		e = it->file_offset + it->num_bytes < t ?
		    it->file_offset + it->num_bytes : t;
		if (it->disk_bytenr != 0) {
			l = it->disk_bytenr + it->offset +
			    (p - it->file_offset);
			corrupt |= imap_any(&m->corrupt, l, l + (e - p), NULL);
			ioerr |= imap_any(&m->ioerr, l, l + (e - p), NULL);
			stale |= any_kind(&m->stale, l, e - p, MIRROR_STALE);
			landed |= any_kind(&m->stale, l, e - p,
			    MIRROR_MISDIRECTED);
		}
		p = e;
	}
	return corrupt && ioerr ? '!' : corrupt ? 'x' : ioerr ? 'e' :
	    landed ? 'm' : stale ? 's' : '.';
}

static void
dump_map(FILE *out, struct fs *fs, struct fs_inode *ip)
{
	uint64_t ss = fs_cfg(fs)->sectorsize, span = inode_size(fs, ip);
	const struct fei_tree *items = inode_items(fs, ip);
	const struct em_tree *tree = inode_em(fs, ip);
	const struct imap *pages = pcache_map(inode_pages(fs, ip));
	const struct fei_item *last = NULL;
	char line[MAP_CELLS + 1], a[32], b[32];
	uint64_t cell, ncells;

	for (const struct fei_item *it = fei_first(items); it != NULL;
	    it = fei_next(items, it))
		last = it;
	if (last != NULL && last->file_offset + last->num_bytes > span)
		span = last->file_offset + last->num_bytes;
	span = (span + ss - 1) / ss * ss;
	if (span == 0) {
		fprintf(out, "  map: empty file\n");
		return;
	}
	ncells = span / ss;
	cell = ss;
	if (ncells > MAP_CELLS) {
		cell = (span / MAP_CELLS + ss - 1) / ss * ss;
		ncells = (span + cell - 1) / cell;
	}
	size_text(cell, a, sizeof(a));
	size_text(span, b, sizeof(b));
	fprintf(out, "  map: one character per %s, 0 to %s\n", a, b);
	for (uint64_t i = 0; i < ncells; i++)
		line[i] = item_cell(items, i * cell, (i + 1) * cell);
	line[ncells] = '\0';
	fprintf(out, "    items  |%s|  d data, h hole, + both\n", line);
	for (uint64_t i = 0; i < ncells; i++)
		line[i] = cache_cell(tree, i * cell, (i + 1) * cell);
	fprintf(out, "    cache  |%s|  c cached map, h cached hole\n", line);
	for (uint64_t i = 0; i < ncells; i++) {
		uint64_t s = i * cell, t = s + cell;

		line[i] = imap_any(pages, s, t, is_dirty) ? 'D' :
		    imap_any(pages, s, t, NULL) ? 'p' : ' ';
	}
	fprintf(out, "    pages  |%s|  p uptodate, D dirty\n", line);
	for (int k = 0; k < (int)fs_cfg(fs)->mirrors; k++) {
		const struct mirror *m = dev_mirror(fs, fs_dev(fs), k + 1);

		for (uint64_t i = 0; i < ncells; i++)
			line[i] = fault_cell(m, items, i * cell,
			    (i + 1) * cell);
		fprintf(out, "    m%d     |%s|  x corrupt, e I/O error, "
		    "! both, s stale, m misdirected here\n", k + 1, line);
	}
}

static void
dump_fs(FILE *out, struct fs *fs, char **names)
{
	const struct fs_config *cfg = fs_cfg(fs);
	const struct alloc *al = fs_alloc(fs);
	char a[32], b[32];

	size_text(cfg->sectorsize, a, sizeof(a));
	size_text(cfg->size, b, sizeof(b));
	fprintf(out, "fs: sectorsize %s, mirrors %u, size %s, workers %u\n",
	    a, cfg->mirrors, b, cfg->workers);
	size_text(al->free_bytes, a, sizeof(a));
	fprintf(out, "allocator: %s free, %zu extents allocated\n", a,
	    al->extents.count);
	for (int k = 1; k <= (int)cfg->mirrors; k++) {
		const struct mirror *m = dev_mirror(fs, fs_dev(fs), k);

		fprintf(out, "mirror %d: %s, %" PRIu64 " data bios, %zu "
		    "corrupt runs, %zu I/O error runs, %zu stale runs\n", k,
		    dev_online(fs_dev(fs), k) ? "online" : "offline",
		    dev_bios(fs, fs_dev(fs), k), m->corrupt.count,
		    m->ioerr.count, m->stale.count);
	}
	for (uint32_t ino = 1; ino <= fs_ninodes(fs); ino++) {
		struct fs_inode *ip = fs_inode(fs, ino);

		size_text(inode_size(fs, ip), a, sizeof(a));
		fprintf(out, "\nfile %s (inode %u%s): size %s, metadata %s\n",
		    names[ino - 1], ino, inode_nodatasum(ip) ? ", nodatasum" :
		    "", a, inode_meta_cached(fs, ip) ? "cached" : "not cached");
		dump_items(out, inode_items(fs, ip));
		dump_cache(out, inode_em(fs, ip));
		dump_failrecs(out, inode_failrec(fs, ip));
		dump_map(out, fs, ip);
	}
	fprintf(out, "\ncounters:");
	for (int c = 0; c < STAT_COUNT; c++)
		if (stat_in_era(c, fs_cfg(fs)->era))
			fprintf(out, " %s=%" PRIu64, stat_name(c),
			    fs_stats(fs)->v[c]);
	fputc('\n', out);
	if (fs_cfg(fs)->era != ERA_MODERN)
		return;
	for (int d = 1; d <= dev_devices(fs_dev(fs)); d++) {
		fprintf(out, "device %d:", d);
		for (int k = 0; k < DEV_STAT_COUNT; k++)
			fprintf(out, " %s=%" PRIu64, dev_stat_name(k),
			    dev_stat(fs_dev(fs), d, k));
		fputc('\n', out);
	}
}

int
dump_main(const struct cli_opts *o, const char *path)
{
	struct exec_opts xo;
	struct report_item item = { 0 };
	struct diag_list diags;
	struct scn_script *scn;
	char *buf, *msg;
	size_t len;
	int err, status;

	run_exec_opts(o, &xo);
	xo.keep_fs = true;
	xo.chrome = xo.dot = xo.progress = false;
	if ((err = files_read(path, &buf, &len)) != 0) {
		fprintf(stderr, "blksim: %s: %s\n", path, strerror(err));
		return CLI_EXIT_IO;
	}
	diag_init(&diags);
	scn = parse_script_era(path, buf, len, o->era, &diags);
	if (scn != NULL && (msg = run_foreign_option(path, scn, xo.quirks)) !=
	    NULL) {
		fputs(msg, stderr);
		free(msg);
		scn_free(scn);
		diag_free(&diags);
		free(buf);
		return CLI_EXIT_USAGE;
	}
	if (scn == NULL) {
		diag_print(&diags, path, buf, len, stderr);
		diag_free(&diags);
		free(buf);
		return CLI_EXIT_USAGE;
	}
	diag_free(&diags);
	free(buf);
	item.path = xstrdup(path);
	item.state = REPORT_RAN;
	item.nnames = scn->nfiles;
	item.names = xcalloc(scn->nfiles ? scn->nfiles : 1, sizeof(char *));
	for (size_t i = 0; i < scn->nfiles; i++)
		item.names[i] = xstrdup(scn->files[i]);
	exec_script(scn, &xo, &item.res);
	report_write(stdout, CLI_FORMAT_TEXT, &item, 1, 0);
	if (item.res.fs != NULL) {
		fputc('\n', stdout);
		dump_fs(stdout, item.res.fs, item.names);
	}
	status = report_item_passed(&item) ? CLI_EXIT_OK : CLI_EXIT_FAIL;
	report_item_free(&item);
	scn_free(scn);
	return status;
}
