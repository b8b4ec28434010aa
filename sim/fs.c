/*
 * The filesystem core (fs.h): its lifetime and limits, the inode table,
 * the era's file operations behind the checks every era shares, and the
 * small services the data path modules use (trace, counters, oopses,
 * failures' details).
 *
 * Sequential model.  Outside a concurrent block an operation runs to
 * completion before the next starts, so a bio completes right after its
 * submission and the data path runs its completion itself; locks are
 * free when taken.  The blocking points of the kernel code are still
 * calls (conc.h, meta.h): that is where a concurrent schedule interleaves
 * tasks.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "conc.h"
#include "content.h"
#include "em.h"
#include "era.h"
#include "foot.h"
#include "imap.h"
#include "fs.h"
#include "inode.h"
#include "pcache.h"
#include "quirk.h"
#include "rng.h"
#include "sumcache.h"
#include "track.h"
#include "xmalloc.h"

struct fs {
	struct fs_head	head;		/* first: fs_conc() reads it inline */
	struct fs_config cfg;
	const struct era_ops *era;
	struct alloc	alloc;
	struct dev	*dev;
	struct fs_inode	**inodes;
	size_t		ninodes;
	struct stat_counters stats;
	struct trace	trace;
	uint32_t	line;		/* scenario line, stamped on events */
	struct content_stream gen;	/* where generated writes draw from */
	struct imap	csum_tree;	/* modern: logical -> content checksummed */
	struct fs_scrub_stats scrub;	/* the last scrub's totals */
	struct rng	rng;		/* fault placement (fault.c) */
	bool		crashed;	/* an oops (or a hang) happened */
	bool		hung;		/* it was a hang */
	unsigned	latent;		/* FS_LATENT_* seen so far */
	unsigned	enospc;		/* why the last -ENOSPC: FS_ENOSPC_* */
	char		oops[160];	/* where and why */
	char		why[160];	/* detail of the last FS_EINVAL */
	struct track	track;		/* the invariant checker's (inv.h) */
	struct sumcache	*sums;		/* shared with the fs's clones */
};

static bool
is_pow2(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

/* ---- lifetime ----------------------------------------------------------- */

int
fs_config_check(const struct fs_config *cfg, char *why, size_t whysize)
{
	uint64_t align = cfg->alloc_align ? cfg->alloc_align : cfg->sectorsize;
	const char *bad = NULL;

	if (!is_pow2(cfg->sectorsize) || cfg->sectorsize < FS_MIN_SECTORSIZE ||
	    cfg->sectorsize > FS_MAX_SECTORSIZE)
		bad = "the sector size must be a power of two from 512 to 64K";
	else if (cfg->mirrors < 1 || cfg->mirrors > FS_MAX_MIRRORS)
		bad = "mirrors must be from 1 to 4";
	else if (cfg->workers < 1 || cfg->workers > FS_MAX_WORKERS)
		bad = "workers must be from 1 to 64";
	else if (!is_pow2(align) || align < cfg->sectorsize)
		bad = "alloc_align must be a power of two no smaller than the "
		    "sector size";
	else if (cfg->size < align || cfg->size < cfg->sectorsize)
		bad = "the size must be at least the sector size and "
		    "alloc_align";
	else if (cfg->size > FS_MAX_SIZE)
		bad = "the size is too large: data lives from 1M to 1M + size, "
		    "which must end at or below 2^63";
	else if (cfg->max_extent != 0 && cfg->max_extent != UINT64_MAX &&
	    (cfg->max_extent < cfg->sectorsize ||
	    cfg->max_extent % cfg->sectorsize != 0))
		bad = "max_extent must be a multiple of the sector size, at "
		    "least one sector";
	else if (cfg->csum != CSUM_CRC32C && cfg->csum != CSUM_CRC32)
		bad = "the checksum must be crc32c or crc32";
	else if (cfg->era >= ERA_COUNT)
		bad = "the era must be 2008 or modern";
	else if (cfg->dup && (cfg->mirrors != 2 || cfg->era != ERA_MODERN))
		bad = "the dup profile has two copies on one device, in the "
		    "modern era";
	if (bad == NULL)
		return 0;
	if (why != NULL && whysize > 0)
		snprintf(why, whysize, "%s", bad);
	return -EINVAL;
}

struct fs *
fs_new(const struct fs_config *cfg, int *err)
{
	struct fs *fs;

	if (fs_config_check(cfg, NULL, 0) != 0) {
		*err = -EINVAL;
		return NULL;
	}
	fs = xcalloc(1, sizeof(*fs));
	fs->cfg = *cfg;
	if (fs->cfg.alloc_align == 0)
		fs->cfg.alloc_align = cfg->sectorsize;
	if (fs->cfg.max_extent == 0)
		fs->cfg.max_extent = UINT64_MAX;
	fs->era = era_ops(cfg->era < ERA_COUNT ? cfg->era : ERA_2008);
	if (alloc_init(&fs->alloc, FS_DATA_BASE, cfg->size,
	    fs->cfg.alloc_align) != 0) {
		free(fs);
		*err = -EINVAL;
		return NULL;
	}
	fs->dev = dev_new((int)cfg->mirrors, cfg->dup);
	imap_init(&fs->csum_tree);
	trace_init(&fs->trace, cfg->trace_sink, cfg->trace_arg);
	rng_seed(&fs->rng, cfg->seed);
	content_stream_init(&fs->gen);
	track_init(&fs->track);
	fs->sums = sumcache_new();
	*err = 0;
	return fs;
}

void
fs_free(struct fs *fs)
{
	if (fs == NULL)
		return;
	fs_detach(fs);
	for (size_t i = 0; i < fs->ninodes; i++)
		inode_free(fs->inodes[i]);
	free(fs->inodes);
	alloc_destroy(&fs->alloc);
	dev_free(fs->dev);
	imap_destroy(&fs->csum_tree);
	trace_destroy(&fs->trace);
	track_destroy(&fs->track);
	sumcache_free(fs->sums);
	free(fs);
}

struct fs *
fs_clone(const struct fs *src)
{
	struct fs *fs = xmalloc(sizeof(*fs));

	*fs = *src;
	fs->head.conc = NULL;
	fs->sums = sumcache_hold(src->sums);
	alloc_clone(&fs->alloc, &src->alloc);
	fs->dev = dev_clone(src->dev);
	imap_clone(&fs->csum_tree, &src->csum_tree);
	trace_init(&fs->trace, src->trace.sink, src->trace.sink_arg);
	trace_hold(&fs->trace);
	track_clone(&fs->track, &src->track);
	fs->inodes = xreallocarray(NULL, src->ninodes ? src->ninodes : 1,
	    sizeof(*fs->inodes));
	for (size_t i = 0; i < src->ninodes; i++) {
		fs->inodes[i] = inode_clone(src->inodes[i]);
		inode_set_track(fs->inodes[i], &fs->track);
	}
	return fs;
}

uint32_t
fs_create(struct fs *fs, bool nodatasum)
{
	if (fs->ninodes >= FS_MAX_INODES)
		return 0;
	fs->inodes = xreallocarray(fs->inodes, fs->ninodes + 1,
	    sizeof(*fs->inodes));
	fs->inodes[fs->ninodes] = inode_new((uint32_t)fs->ninodes + 1,
	    nodatasum);
	inode_set_track(fs->inodes[fs->ninodes], &fs->track);
	return (uint32_t)++fs->ninodes;
}

struct fs_inode *
fs_inode(const struct fs *fs, uint32_t ino)
{
	if (ino == 0 || ino > fs->ninodes)
		return NULL;
	return fs->inodes[ino - 1];
}

size_t
fs_ninodes(const struct fs *fs)
{
	return fs->ninodes;
}

/* ---- file operations ---------------------------------------------------- */

/*
 * The checks every era's operation shares: a live fs and an inode that
 * exists.  The inode, or NULL with *R set.
 */
static struct fs_inode *
op_inode(struct fs *fs, uint32_t ino, int *r)
{
	struct fs_inode *ip = fs_inode(fs, ino);

	if (fs->crashed)
		*r = fs_invalid(fs, "the filesystem crashed (an oops): it "
		    "takes no more operations");
	else if (ip == NULL)
		*r = fs_invalid(fs, "there is no file number %u", ino);
	return fs->crashed ? NULL : ip;
}

/* One file operation, as a function the scheduler can run. */
struct fs_op {
	int		(*fn)(struct fs *, struct fs_op *);
	struct fs_inode	*ip;
	uint64_t	 off, len;
	int		 fill;
	unsigned	 flags;
	const struct fs_read_opts *ro;
	struct fs_read_result *res;
	int		 devid;
	bool		 readonly;
};

static int
op_run(struct fs *fs, void *arg)
{
	struct fs_op *op = arg;

	return op->fn(fs, op);
}

/*
 * Run OP: inline, or, for an era whose operations complete through the
 * end-io workers, as the one task of a world of its own when no
 * concurrent block runs it already.
 */
static int
dispatch(struct fs *fs, struct fs_op *op)
{
	if (fs->era->scheduled && fs->head.conc == NULL)
		return conc_run_alone(fs, op_run, op);
	return op->fn(fs, op);
}

/* write(2) under i_mutex, then writeback unless nosync (as fsync). */
static int
op_write(struct fs *fs, struct fs_op *op)
{
	int r;

	conc_lock(fs, CONC_I_MUTEX, op->ip);
	r = fs->era->write(fs, op->ip, op->off, op->len, op->fill, op->flags);
	conc_unlock(fs, CONC_I_MUTEX, op->ip);
	if (r != 0 || (op->flags & FS_W_NOSYNC))
		return r;
	return fs->era->writeback(fs, op->ip);
}

static int
op_sync(struct fs *fs, struct fs_op *op)
{
	(void)op;
	return fs->era->sync(fs);
}

static int
op_read(struct fs *fs, struct fs_op *op)
{
	return fs->era->read(fs, op->ip, op->ro, op->res);
}

static int
op_truncate(struct fs *fs, struct fs_op *op)
{
	return fs->era->truncate(fs, op->ip, op->off);
}

static int
op_scrub(struct fs *fs, struct fs_op *op)
{
	memset(&fs->scrub, 0, sizeof(fs->scrub));
	return fs->era->scrub(fs, op->devid, op->readonly, &fs->scrub);
}

int
fs_write(struct fs *fs, uint32_t ino, uint64_t off, uint64_t len, int fill,
    unsigned flags)
{
	struct fs_op op = { .fn = op_write, .off = off, .len = len,
	    .fill = fill, .flags = flags };
	int r = 0;

	if ((op.ip = op_inode(fs, ino, &r)) == NULL)
		return r;
	if (len == 0 || off >= FS_ADDR_LIMIT || len > FS_ADDR_LIMIT - off)
		return fs_invalid(fs, "the write ends past the largest file "
		    "offset");
	return dispatch(fs, &op);
}

int
fs_sync(struct fs *fs)
{
	struct fs_op op = { .fn = op_sync };

	if (fs->crashed)
		return fs_invalid(fs, "the filesystem crashed (an oops): it "
		    "takes no more operations");
	return dispatch(fs, &op);
}

int
fs_read(struct fs *fs, uint32_t ino, uint64_t off, uint64_t len, int mirror,
    bool want_data, struct fs_read_result *res)
{
	struct fs_read_opts o = { .off = off, .len = len, .mirror = mirror,
	    .want_data = want_data, .pid = -1 };

	return fs_read_ex(fs, ino, &o, res);
}

int
fs_read_ex(struct fs *fs, uint32_t ino, const struct fs_read_opts *o,
    struct fs_read_result *res)
{
	struct fs_op op = { .fn = op_read, .ro = o, .res = res };
	int r = 0;

	memset(res, 0, sizeof(*res));
	if ((op.ip = op_inode(fs, ino, &r)) == NULL)
		return r;
	if (o->mirror < 0 || o->mirror > FS_MAX_MIRRORS)
		return fs_invalid(fs, "there is no such mirror");
	return dispatch(fs, &op);
}

int
fs_truncate(struct fs *fs, uint32_t ino, uint64_t size)
{
	struct fs_op op = { .fn = op_truncate, .off = size };
	int r = 0;

	if ((op.ip = op_inode(fs, ino, &r)) == NULL)
		return r;
	if (size > FS_ADDR_LIMIT)
		return fs_invalid(fs, "the size is past the largest file "
		    "offset, 2^63");
	return dispatch(fs, &op);
}

int
fs_drop_cache(struct fs *fs, uint32_t ino, uint64_t start, uint64_t end)
{
	struct fs_inode *ip;
	int r = 0;

	if ((ip = op_inode(fs, ino, &r)) == NULL)
		return r;
	return fs->era->drop_extent_cache(fs, ip, start, end);
}

int
fs_scrub(struct fs *fs, int devid, bool readonly)
{
	struct fs_op op = { .fn = op_scrub, .devid = devid,
	    .readonly = readonly };

	if (fs->crashed)
		return fs_invalid(fs, "the filesystem crashed (an oops): it "
		    "takes no more operations");
	if (fs->era->scrub == NULL)
		return fs_invalid(fs, "the %s era has no scrub: it came in "
		    "2011", fs->era->name);
	if (devid < 0 || devid > dev_devices(fs->dev))
		return fs_invalid(fs, "there is no device %d: this filesystem "
		    "has %d", devid, dev_devices(fs->dev));
	return dispatch(fs, &op);
}

const struct fs_scrub_stats *
fs_last_scrub(const struct fs *fs)
{
	return &fs->scrub;
}

void
fs_drop_caches(struct fs *fs, int level)
{
	for (size_t i = 0; i < fs->ninodes; i++) {
		struct fs_inode *ip = fs->inodes[i];

		if (level & 1) {
			struct pcache *pages = inode_pages(fs, ip);
			struct imap *present = inode_present(fs, ip);

			/* Clean pages go, uptodate or not: dirty ones stay. */
			pcache_drop_clean(pages);
			imap_clear(present, 0, UINT64_MAX);
			for (const struct imap_ent *e = pcache_dirty_from(pages,
			    0); e != NULL; e = pcache_dirty_from(pages, e->end))
				imap_set(present, e->start, e->end, &e->v);
		}
		if (level & 2) {
			struct em_tree *em = inode_em(fs, ip);

			em_tree_destroy(em);
			em_tree_init(em);
			inode_set_meta_cached(fs, ip, false);
		}
	}
}

void
fs_attach(struct fs *fs, struct sched *sched)
{
	fs->head.conc = conc_new(fs, sched, fs->era->locks, fs->era->nlocks,
	    fs->era->page_lock_kind, fs->cfg.workers);
}

void
fs_detach(struct fs *fs)
{
	conc_free(fs->head.conc);
	fs->head.conc = NULL;
}

/* ---- questions about the state ------------------------------------------ */

bool
fs_good_copy(struct fs *fs, uint32_t ino, uint64_t off, uint64_t len)
{
	struct fs_inode *ip = fs_inode(fs, ino);

	return ip != NULL && fs->era->good_copy(fs, ip, off, len);
}

uint64_t
fs_writeback_bound(struct fs *fs, uint64_t more)
{
	return fs->era->writeback_bound(fs, more);
}

int
fs_extents_room(struct fs *fs, uint64_t bytes)
{
	uint64_t me = fs->cfg.max_extent ? fs->cfg.max_extent : 1;
	uint64_t pieces = bytes / me + (bytes % me != 0);
	uint64_t have = fs->alloc.extents.count;

	if (pieces <= FS_MAX_EXTENTS && have <= FS_MAX_EXTENTS - pieces)
		return 0;
	return fs_invalid(fs, "more than the %u extents a filesystem may "
	    "hold (%" PRIu64 ", and %" PRIu64 " more): raise max_extent or "
	    "write less", FS_MAX_EXTENTS, have, pieces);
}

uint64_t
fs_cache_covered(struct fs *fs, uint32_t ino, uint64_t off, uint64_t len)
{
	struct fs_inode *ip = fs_inode(fs, ino);
	uint64_t end = off + len < off ? UINT64_MAX : off + len;
	uint64_t covered = 0, at = off;
	struct em_tree *tree;

	if (ip == NULL)
		return 0;
	tree = inode_em(fs, ip);
	/* Maps may overlap (2008 insert): count the union, in start order. */
	for (struct em_map *em = em_first(tree); em != NULL;
	    em = em_next(tree, em)) {
		uint64_t s = em->start > at ? em->start : at;
		uint64_t t = em_end(em) < end ? em_end(em) : end;

		if (t > s) {
			covered += t - s;
			at = t;
		}
	}
	return covered;
}

const struct fs_config *
fs_cfg(const struct fs *fs)
{
	return &fs->cfg;
}

uint64_t
fs_sectorsize(const struct fs *fs)
{
	return fs->cfg.sectorsize;
}

const struct era_ops *
fs_era(const struct fs *fs)
{
	return fs->era;
}

const struct stat_counters *
fs_stats(const struct fs *fs)
{
	return &fs->stats;
}

uint64_t
fs_data_end(const struct fs *fs)
{
	return fs->alloc.base + fs->alloc.size;	/* fixed at fs_new */
}

uint64_t
fs_free_bytes(struct fs *fs)
{
	return fs_alloc(fs)->free_bytes;
}

const char *
fs_why(const struct fs *fs)
{
	return fs->why;
}

const char *
fs_oops_msg(const struct fs *fs)
{
	return fs->oops;
}

bool
fs_crashed(const struct fs *fs)
{
	return fs->crashed;
}

unsigned
fs_latent(const struct fs *fs)
{
	return fs->latent;
}

unsigned
fs_enospc(const struct fs *fs)
{
	return fs->enospc;
}

/* ---- the trace ---------------------------------------------------------- */

void
fs_set_line(struct fs *fs, uint32_t line)
{
	fs->line = line;
}

const struct trace *
fs_trace(const struct fs *fs)
{
	return &fs->trace;
}

void
fs_trace_clear(struct fs *fs)
{
	trace_clear(&fs->trace);
}

void
fs_trace_release(struct fs *fs)
{
	trace_release(&fs->trace);
}

void
fs_note_deadlock(struct fs *fs)
{
	fs->stats.v[STAT_DEADLOCKS]++;
}

/* ---- for the model's own modules ---------------------------------------- */

void
fs_emit(struct fs *fs, enum trace_kind k, uint32_t ino, uint64_t x0,
    uint64_t x1, uint64_t x2, uint64_t x3)
{
	uint16_t task = fs->head.conc != NULL &&
	    !conc_alone(fs->head.conc) ?
	    (uint16_t)(conc_self(fs->head.conc) + 1) : 0;

	trace_emit(&fs->trace, k, fs->line, ino, task, x0, x1, x2, x3);
}

void
fs_count(struct fs *fs, enum stat_id id, uint64_t n)
{
	fs->stats.v[id] += n;
}

int
fs_oops(struct fs *fs, const char *fn, const char *reason)
{
	snprintf(fs->oops, sizeof(fs->oops), "%s: %s", fn, reason);
	fs->crashed = true;
	fs_emit(fs, TRACE_OOPS, 0, 0, 0, 0, 0);
	conc_oops(fs, fs->oops);	/* ends the schedule */
	return FS_EOOPS;
}

int
fs_hang(struct fs *fs, const char *fn, const char *reason)
{
	snprintf(fs->oops, sizeof(fs->oops), "%s: %s", fn, reason);
	fs->crashed = fs->hung = true;
	fs_emit(fs, TRACE_HANG, 0, 0, 0, 0, 0);
	conc_oops(fs, fs->oops);	/* ends the schedule */
	return FS_EHANG;
}

bool
fs_hung(const struct fs *fs)
{
	return fs->hung;
}

int
fs_invalid(struct fs *fs, const char *fmt, ...)
{
	va_list ap;

	foot_touch(fs, FOOT_WHY, 0, 0);
	va_start(ap, fmt);
	vsnprintf(fs->why, sizeof(fs->why), fmt, ap);
	va_end(ap);
	return FS_EINVAL;
}

int
fs_nospace(struct fs *fs, unsigned cause)
{
	foot_touch(fs, FOOT_WHY, 0, 0);
	fs->enospc = cause;
	return -ENOSPC;
}

void
fs_note_latent(struct fs *fs, unsigned latent)
{
	fs->latent |= latent;
}

struct dev *
fs_dev(const struct fs *fs)
{
	return fs->dev;
}

struct alloc *
fs_alloc(struct fs *fs)
{
	foot_touch(fs, FOOT_ALLOC, 0, 0);
	return &fs->alloc;
}

struct imap *
fs_csum_tree(struct fs *fs)
{
	foot_touch(fs, FOOT_CSUM_TREE, 0, 0);
	return &fs->csum_tree;
}

struct content_stream *
fs_gen(struct fs *fs)
{
	foot_touch(fs, FOOT_GEN, 0, 0);
	return &fs->gen;
}

struct sumcache *
fs_sumcache(struct fs *fs)
{
	return fs->sums;
}

struct track *
fs_track(struct fs *fs)
{
	return &fs->track;
}

struct rng *
fs_rng(struct fs *fs)
{
	return &fs->rng;
}


bool
fs_quirk(const struct fs *fs, int q)
{
	return quirk_on(fs->cfg.quirks, (enum quirk_id)q);
}

uint64_t
fs_state_hash(const struct fs *fs, bool *complete)
{
	const uint64_t *sc = (const uint64_t *)(const void *)&fs->scrub;
	uint64_t h = fs->ninodes;

	*complete = true;
	for (size_t i = 0; i < fs->ninodes; i++)
		h = rng_fold(h, inode_hash(fs->inodes[i]));
	h = rng_fold(h, alloc_hash(&fs->alloc));
	h = rng_fold(h, dev_hash(fs->dev));
	h = rng_fold(h, imap_hash(&fs->csum_tree));
	h = rng_fold(h, fs->gen.id);
	h = rng_fold(h, fs->gen.next);
	for (int i = 0; i < STAT_COUNT; i++)
		h = rng_fold(h, fs->stats.v[i]);
	for (size_t i = 0; i < sizeof(fs->scrub) / sizeof(*sc); i++)
		h = rng_fold(h, sc[i]);
	h = rng_fold(h, (uint64_t)fs->crashed << 1 | fs->hung);
	h = rng_fold(h, (uint64_t)fs->latent << 32 | fs->enospc);
	h = rng_fold(h, rng_hash_bytes(fs->oops, strlen(fs->oops)));
	h = rng_fold(h, rng_hash_bytes(fs->why, strlen(fs->why)));
	if (fs->head.conc != NULL)
		h = rng_fold(h, conc_state_hash(fs->head.conc, complete));
	return h;
}

/* The tracker's reference counts are the items' (track.h). */
static int
refs_check(const struct fs *fs, const char **why)
{
	struct track t;
	bool same;

	track_init(&t);
	for (size_t i = 0; i < fs->ninodes; i++)
		inode_count_refs(fs->inodes[i], &t);
	same = t.n == fs->track.n;
	for (size_t i = 0; same && i < t.cap; i++)
		if (t.slot[i].bytenr != 0)
			same = track_refs(&fs->track, t.slot[i].bytenr) ==
			    t.slot[i].count;
	track_destroy(&t);
	if (!same)
		*why = "the checker's reference counts are not the items'";
	return same ? 0 : -1;
}

int
fs_check(const struct fs *fs, const char **why)
{
	if (fs_config_check(&fs->cfg, NULL, 0) != 0) {
		*why = "the configuration breaks a limit";
		return -1;
	}
	for (size_t i = 0; i < fs->ninodes; i++) {
		if (inode_ino(fs->inodes[i]) != i + 1) {
			*why = "an inode's number is not its place";
			return -1;
		}
		if (inode_check(fs->inodes[i], fs->cfg.sectorsize, why) != 0)
			return -1;
	}
	if (dev_check(fs->dev, why) != 0 ||
	    alloc_check(&fs->alloc, why) != 0 ||
	    imap_check(&fs->csum_tree, why) != 0 ||
	    track_check(&fs->track, why) != 0 ||
	    refs_check(fs, why) != 0)
		return -1;
	return 0;
}
