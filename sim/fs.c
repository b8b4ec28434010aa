/*
 * The 2008 btrfs data path: write with copy-on-write allocation and
 * writeback, truncate, hole filling, buffered read with checksum
 * verification and mirror retries, and the extent map cache between them.
 * See fs.h for the objects and research/btrfs.md for the functions each
 * piece models.
 *
 * Sequential model.  An operation runs to completion before the next
 * starts, so the end-io worker processes a bio's completion right after
 * its submission, and fs_mutex is always free when taken.  The blocking
 * points of the 2008 code are still visible here as calls (need_metadata,
 * the completion of a bio): that is where a concurrent scheduler
 * interleaves tasks.  One blocking point matters even sequentially: with
 * the retry-get-extent quirk, a retry that needs a metadata read waits for
 * a completion that only the end-io worker it is running on could process;
 * with one worker that can never happen (FS_EDEADLK).
 *
 * Page contents.  The page cache holds whole pages (one page = one
 * sector) as content values (content.h).  A page read from a device holds
 * what that mirror handed up, overlays included; a page that failed
 * verification is filled with 0x01 bytes first (the `zeroit` path of
 * btrfs_readpage_end_io_hook), which is what a checksummed page with no
 * recorded checksum keeps after the post-patch early return.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "content.h"
#include "fs.h"
#include "sched.h"
#include "quirk.h"
#include "xmalloc.h"

/*
 * The imap kind of a failure record in fs_inode.failrec (2008's
 * io_failure_record): a = the logical address, b = last_mirror.  Distinct
 * from the content and mirror overlay kinds.
 */
#define FS_FAILREC	6u

/* Keep only the bits of a content value that describe bytes. */
#define CONTENT_BYTES_AUX	(CONTENT_BYTE_MASK | CONTENT_FLIP)

static inline bool
quirk(const struct fs *fs, enum quirk_id q)
{
	return quirk_on(fs->cfg.quirks, q);
}

static inline uint64_t
ss(const struct fs *fs)
{
	return fs->cfg.sectorsize;
}

static inline uint64_t
round_down(uint64_t x, uint64_t a)
{
	return x & ~(a - 1);
}

/* round_up, saturating to the last aligned value below 2^64. */
static inline uint64_t
round_up(uint64_t x, uint64_t a)
{
	if (x > UINT64_MAX - (a - 1))
		return round_down(UINT64_MAX, a);
	return (x + a - 1) & ~(a - 1);
}

struct fs_conc;
static int	conc_self(const struct fs *);
static void	touch(const struct fs *, const char *, ...)
		    __attribute__((__format__(__printf__, 2, 3)));

static void
emit(struct fs *fs, enum trace_kind k, uint32_t ino, uint64_t x0,
    uint64_t x1, uint64_t x2, uint64_t x3)
{
	size_t n = fs->trace.n;

	trace_emit(&fs->trace, k, fs->line, ino, x0, x1, x2, x3);
	if (fs->conc != NULL && fs->trace.n > n)
		fs->trace.ev[n].task = (uint16_t)(conc_self(fs) + 1);
}

/* Record a simulated kernel crash; the fs takes no more operations. */
static struct sched *conc_sched(const struct fs *);

static int
oops(struct fs *fs, const char *fn, const char *reason)
{
	snprintf(fs->oops, sizeof(fs->oops), "%s: %s", fn, reason);
	fs->crashed = true;
	emit(fs, TRACE_OOPS, 0, 0, 0, 0, 0);
	if (fs->conc != NULL)
		sched_oops(conc_sched(fs), fs->oops);	/* ends the schedule */
	return FS_EOOPS;
}

static int
invalid(struct fs *fs, const char *why)
{
	touch(fs, "why");
	snprintf(fs->why, sizeof(fs->why), "%s", why);
	return FS_EINVAL;
}

/* ---- lifetime ---------------------------------------------------------- */

struct fs *
fs_new(const struct fs_config *cfg, int *err)
{
	struct fs *fs;
	uint64_t align = cfg->alloc_align ? cfg->alloc_align : cfg->sectorsize;

	if (cfg->mirrors < 1 || cfg->mirrors > FS_MAX_MIRRORS ||
	    cfg->sectorsize < 512 || (cfg->sectorsize & (cfg->sectorsize - 1)) ||
	    align < cfg->sectorsize || (align & (align - 1))) {
		*err = -EINVAL;
		return NULL;
	}
	fs = xcalloc(1, sizeof(*fs));
	fs->cfg = *cfg;
	fs->cfg.alloc_align = align;
	if (alloc_init(&fs->alloc, FS_DATA_BASE, cfg->size, align) != 0) {
		free(fs);
		*err = -EINVAL;
		return NULL;
	}
	for (int k = 0; k < FS_MAX_MIRRORS; k++)
		mirror_init(&fs->mirror[k]);
	trace_init(&fs->trace, cfg->trace_all);
	rng_seed(&fs->rng, cfg->seed);
	content_stream_init(&fs->gen);
	*err = 0;
	return fs;
}

static void
inode_free(struct fs_inode *ip)
{
	fei_destroy(&ip->items);
	em_tree_destroy(&ip->em);
	imap_destroy(&ip->pages);
	imap_destroy(&ip->dirty);
	imap_destroy(&ip->csums);
	imap_destroy(&ip->data);
	imap_destroy(&ip->failrec);
	imap_destroy(&ip->unsure);
	free(ip);
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
	for (int k = 0; k < FS_MAX_MIRRORS; k++)
		mirror_destroy(&fs->mirror[k]);
	trace_destroy(&fs->trace);
	free(fs);
}

struct fs *
fs_clone(const struct fs *src)
{
	struct fs *fs = xmalloc(sizeof(*fs));

	*fs = *src;
	fs->conc = NULL;
	alloc_clone(&fs->alloc, &src->alloc);
	for (int k = 0; k < FS_MAX_MIRRORS; k++)
		mirror_clone(&fs->mirror[k], &src->mirror[k]);
	trace_init(&fs->trace, src->trace.keep_all);
	fs->inodes = xreallocarray(NULL, src->ninodes ? src->ninodes : 1,
	    sizeof(*fs->inodes));
	for (size_t i = 0; i < src->ninodes; i++) {
		const struct fs_inode *s = src->inodes[i];
		struct fs_inode *d = xmalloc(sizeof(*d));

		*d = *s;
		fei_clone(&d->items, &s->items);
		em_tree_clone(&d->em, &s->em);
		imap_clone(&d->pages, &s->pages);
		imap_clone(&d->dirty, &s->dirty);
		imap_clone(&d->csums, &s->csums);
		imap_clone(&d->data, &s->data);
		imap_clone(&d->failrec, &s->failrec);
		imap_clone(&d->unsure, &s->unsure);
		fs->inodes[i] = d;
	}
	return fs;
}

uint32_t
fs_create(struct fs *fs, bool nodatasum)
{
	struct fs_inode *ip = xcalloc(1, sizeof(*ip));

	fs->inodes = xreallocarray(fs->inodes, fs->ninodes + 1,
	    sizeof(*fs->inodes));
	fs->inodes[fs->ninodes++] = ip;
	ip->ino = (uint32_t)fs->ninodes;
	ip->nodatasum = nodatasum;
	fei_init(&ip->items);
	em_tree_init(&ip->em);
	imap_init(&ip->pages);
	imap_init(&ip->dirty);
	imap_init(&ip->csums);
	imap_init(&ip->data);
	imap_init(&ip->failrec);
	imap_init(&ip->unsure);
	ip->meta_cached = true;		/* create leaves it cached */
	return ip->ino;
}

struct fs_inode *
fs_inode(const struct fs *fs, uint32_t ino)
{
	if (ino == 0 || ino > fs->ninodes)
		return NULL;
	return fs->inodes[ino - 1];
}

/* ---- blocking points ---------------------------------------------------- */

/*
 * Concurrency state while a schedule runs (fs_attach): the sleeping
 * fs_mutex, the per-inode extent map spinlocks, page locks made on
 * demand, the btrfs-end-io work queue, and every bio made during the
 * schedule (freed at fs_detach, finished or not).
 */
struct fs_pagelock {
	struct fs_pagelock	*next;
	uint32_t		 ino;
	uint64_t		 p;
	struct sched_lock	 lock;
};

/*
 * A page read in flight under a scheduler, from its btrfs_get_extent()
 * to its completion: a cache drop covering the page marks it, so that a
 * retry that then misses the cache is told from one that lost its map
 * some other way (fs_read_result.eio).  Lives in read_page's frame.
 */
struct fs_read_window {
	struct fs_read_window	*next;		/* conc->windows */
	struct fs_inode		*ip;
	uint64_t		 p;
	bool			 dropped;
};

struct fs_bio {
	struct fs_bio	*next;		/* conc->bios */
	struct fs	*fs;
	bool		 meta;		/* a metadata read, not a data read */
	struct fs_inode	*ip;
	uint64_t	 p;		/* file offset of the page */
	uint64_t	 logical;
	int		 mirror;
	bool		 retry;
	struct fs_read_result *res;
	int		 dev_status;	/* the device's answer: 0 or -EIO */
	int		 result;	/* the page's final status */
	struct sched_event ev;		/* page done / metadata read done */
	uint8_t		*buf;		/* sectorsize bytes read */
	struct fs_read_window *win;	/* its page's window, or NULL */
	bool		 stale_rec;	/* its first failure found a record */
};

struct fs_conc {
	struct sched		*sched;
	struct sched_lock	 fs_mutex;
	struct sched_lock	*em_lock;	/* one per inode */
	struct sched_lock	*i_mutex;	/* one per inode */
	size_t			 nem;
	struct sched_queue	 endio;
	struct fs_pagelock	*pages;
	struct fs_bio		*bios;
	unsigned		 nbios;
	struct fs_read_window	*windows;	/* page reads in flight */
	int			 nent;		/* tasks and workers (touch) */
};

static int
conc_self(const struct fs *fs)
{
	return sched_self(fs->conc->sched);
}

static struct sched *
conc_sched(const struct fs *fs)
{
	return fs->conc->sched;
}

/*
 * Partial-order reduction (sched_explore_opts.por) takes two steps as
 * independent when they touch no common object, so each piece of model
 * state that tasks, end-io workers and device callbacks share outside a
 * sched lock is named here by the step that reads or writes it (after
 * any blocking call before the access: a block ends the step):
 *
 *	"inode N pages"		page cache and dirty map, the data oracle
 *				(data, unsure), and the inode's page locks:
 *				which exist and who holds them
 *	"inode N size"		i_size
 *	"inode N csums"		recorded checksums
 *	"inode N failrec"	failure records
 *	"inode N meta"		meta_cached
 *	"inode N em"		the extent map tree; also named under its
 *				spinlock, for fs_drop_caches, which takes
 *				none
 *	"inode N reads"		the read windows of the inode's pages
 *	"mirror K ..."		mirror K's bytes and faults (a read can use
 *				up an I/O error count): touch_mirror_read()
 *				and touch_mirror_write() name them by sector
 *	"mirror K bios E"	its bio count as entity E added to it:
 *				additions commute, default_mirror reads
 *				every entity's
 *	"alloc"			the allocator, which check_free_space reads
 *				without fs_mutex
 *	"bios"			the bio list and count (bios are named by it)
 *	"why"			fs->why and fs->enospc, a failure's detail
 *
 * Only under fs_mutex, so covered by it: the file extent items,
 * alloc_hint and the content stream.  Not named, on purpose: the stat
 * counters and fs->latent, only added to during a block and read after
 * it, so the order of the additions does not matter; and the trace,
 * whose order does differ between equivalent schedules, but which is read
 * only from the schedule the scenario goes on from, the same one with or
 * without the reduction (sched.c).  An oops ends the schedule, and
 * sched.c makes such a step depend on every other.  Names are per inode
 * and per mirror so that work on different files and mirrors commutes;
 * coarse within an inode, because its page-cache ranges (a truncate to
 * EOF, the writeback of every dirty run) cannot be named page by page.
 * A mirror's online flag is not named: no task changes it.
 */
static void
touch(const struct fs *fs, const char *fmt, ...)
{
	char what[48];
	va_list ap;

	if (fs->conc == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	sched_touch(fs->conc->sched, what);
}

/*
 * Mirror K's sectors are named at three levels: the sector, its run of
 * TOUCH_FANOUT sectors, and the whole mirror.  A read names its sector at
 * every level; a write names the fewest units of the finest level that
 * covers its range in at most TOUCH_FANOUT + 1 names, so the two always
 * share a name where they overlap, and a big write stays cheap.  Reads
 * sharing the coarse names cost nothing: each runs in a device callback
 * or an end-io worker step, which all touch the end-io queue anyway.
 */
#define TOUCH_FANOUT	64

static void
touch_mirror_read(const struct fs *fs, int k, uint64_t logical)
{
	uint64_t sector = logical / ss(fs);

	touch(fs, "mirror %d 0:%" PRIu64, k, sector);
	touch(fs, "mirror %d 1:%" PRIu64, k, sector / TOUCH_FANOUT);
	touch(fs, "mirror %d", k);
}

static void
touch_mirror_write(const struct fs *fs, int k, uint64_t start, uint64_t end)
{
	uint64_t first = start / ss(fs), last = (end - 1) / ss(fs);

	if (fs->conc == NULL || end <= start)
		return;
	for (int level = 0; level < 2; level++) {
		if (last - first <= TOUCH_FANOUT) {
			for (uint64_t u = first; u <= last; u++)
				touch(fs, "mirror %d %d:%" PRIu64, k, level, u);
			return;
		}
		first /= TOUCH_FANOUT;
		last /= TOUCH_FANOUT;
	}
	touch(fs, "mirror %d", k);
}

/* The running entity adds to mirror K's bio count. */
static void
touch_mirror_bios(const struct fs *fs, int k)
{
	if (fs->conc != NULL)
		touch(fs, "mirror %d bios %d", k, conc_self(fs));
}

static void
lock_mutex(struct fs *fs)
{
	if (fs->conc != NULL)
		sched_acquire(fs->conc->sched, &fs->conc->fs_mutex);
}

static void
unlock_mutex(struct fs *fs)
{
	if (fs->conc != NULL)
		sched_release(fs->conc->sched, &fs->conc->fs_mutex);
}

static void
lock_em(struct fs *fs, const struct fs_inode *ip)
{
	if (fs->conc != NULL && ip->ino <= fs->conc->nem) {
		sched_acquire(fs->conc->sched, &fs->conc->em_lock[ip->ino - 1]);
		touch(fs, "inode %u em", ip->ino);
	}
}

static void
unlock_em(struct fs *fs, const struct fs_inode *ip)
{
	if (fs->conc != NULL && ip->ino <= fs->conc->nem)
		sched_release(fs->conc->sched, &fs->conc->em_lock[ip->ino - 1]);
}

/*
 * inode->i_mutex, which the VFS takes around write(2) and truncate (and
 * 2008's btrfs_file_write around its own work), so that a write and a
 * truncate of one file never interleave; reads and writeback do not take
 * it.  DESIGN.md's lock list leaves it out; blksim-scenario(5) says so.
 */
static void
lock_inode(struct fs *fs, const struct fs_inode *ip)
{
	if (fs->conc != NULL && ip->ino <= fs->conc->nem)
		sched_acquire(fs->conc->sched, &fs->conc->i_mutex[ip->ino - 1]);
}

static void
unlock_inode(struct fs *fs, const struct fs_inode *ip)
{
	if (fs->conc != NULL && ip->ino <= fs->conc->nem)
		sched_release(fs->conc->sched, &fs->conc->i_mutex[ip->ino - 1]);
}

/* The page lock of (IP, P), made on first use. */
static struct sched_lock *
page_lock_of(struct fs *fs, const struct fs_inode *ip, uint64_t p)
{
	struct fs_pagelock *pl;

	for (pl = fs->conc->pages; pl != NULL; pl = pl->next)
		if (pl->ino == ip->ino && pl->p == p)
			return &pl->lock;
	pl = xcalloc(1, sizeof(*pl));
	pl->ino = ip->ino;
	pl->p = p;
	{
		char name[SCHED_NAME];

		snprintf(name, sizeof(name), "page %u:%" PRIu64, ip->ino & 0xffffu,
		    p & (uint64_t)0xffffffffff);
		sched_lock_init(fs->conc->sched, &pl->lock, SCHED_MUTEX, name);
	}
	pl->next = fs->conc->pages;
	fs->conc->pages = pl;
	return &pl->lock;
}

static void
lock_page(struct fs *fs, const struct fs_inode *ip, uint64_t p)
{
	if (fs->conc != NULL) {
		sched_acquire(fs->conc->sched, page_lock_of(fs, ip, p));
		touch(fs, "inode %u pages", ip->ino);
	}
}

static void
unlock_page(struct fs *fs, const struct fs_inode *ip, uint64_t p)
{
	if (fs->conc != NULL) {
		touch(fs, "inode %u pages", ip->ino);
		sched_release(fs->conc->sched, page_lock_of(fs, ip, p));
	}
}

/* Wait until nobody holds the page lock of (IP, P): truncate_inode_pages. */
static void
wait_on_page(struct fs *fs, const struct fs_inode *ip, uint64_t p)
{
	struct fs_pagelock *pl;

	if (fs->conc == NULL)
		return;
	for (pl = fs->conc->pages; pl != NULL; pl = pl->next)
		if (pl->ino == ip->ino && pl->p == p && pl->lock.owner >= 0) {
			sched_acquire(fs->conc->sched, &pl->lock);
			sched_release(fs->conc->sched, &pl->lock);
		}
}

/* A new bio, owned by the concurrency state (or by the caller's frame). */
static struct fs_bio *
bio_new(struct fs *fs, struct fs_bio *frame)
{
	struct fs_bio *b = frame;

	if (fs->conc != NULL) {
		touch(fs, "bios");
		b = xcalloc(1, sizeof(*b));
		b->buf = xmalloc(ss(fs));
		b->next = fs->conc->bios;
		fs->conc->bios = b;
		fs->conc->nbios++;
	}
	b->fs = fs;
	return b;
}

/* The device completing a posted bio: it goes on the end-io queue. */
static void
device_complete(struct sched *s, void *arg)
{
	struct fs_bio *b = arg;
	struct fs *fs = b->fs;

	if (!b->meta) {
		struct mirror *m = &fs->mirror[b->mirror - 1];

		touch_mirror_read(fs, b->mirror, b->logical);
		b->dev_status = mirror_read(m, b->logical, ss(fs),
		    fs->cfg.sectorsize, b->buf);
		emit(fs, TRACE_BIO_DONE, b->ip->ino, b->logical, b->p,
		    (uint64_t)b->mirror, b->dev_status != 0);
		if (b->dev_status != 0)
			fs->stats.v[STAT_IO_ERRORS]++;
	}
	sched_push(s, &fs->conc->endio, b);
}

/*
 * An fs_mutex section that needs the inode's btree: if its blocks are not
 * cached, one metadata read is issued and waited for, holding fs_mutex;
 * it completes through the end-io worker.  Sequentially, ON_WORKER says
 * the caller is itself running on an end-io worker: with one worker,
 * nobody could process the metadata completion (the quirk-1
 * self-deadlock); under a scheduler that wait is real and the scheduler
 * finds the deadlock itself.
 */
static int
need_metadata(struct fs *fs, struct fs_inode *ip, bool on_worker)
{
	touch(fs, "inode %u meta", ip->ino);
	if (ip->meta_cached)
		return 0;
	fs->stats.v[STAT_METADATA_READS]++;
	emit(fs, TRACE_META_READ, ip->ino, 0, 0, 0, 0);
	if (fs->conc != NULL) {
		struct fs_bio *b = bio_new(fs, NULL);
		char name[SCHED_NAME];

		b->meta = true;
		b->ip = ip;
		snprintf(name, sizeof(name), "metadata read #%u",
		    fs->conc->nbios);
		sched_event_init(&b->ev, name, &fs->conc->endio);
		sched_post(fs->conc->sched, name, device_complete, b);
		sched_wait(fs->conc->sched, &b->ev);
		return 0;
	}
	if (on_worker && fs->cfg.workers <= 1) {
		fs->stats.v[STAT_DEADLOCKS]++;
		return FS_EDEADLK;
	}
	ip->meta_cached = true;
	return 0;
}

static void	endio_worker(struct sched *, void *);

void
fs_attach(struct fs *fs, struct sched *sched)
{
	struct fs_conc *c = xcalloc(1, sizeof(*c));
	char name[SCHED_NAME];
	int id;

	c->sched = sched;
	sched_lock_init(sched, &c->fs_mutex, SCHED_MUTEX, "fs_mutex");
	sched_queue_init(sched, &c->endio, "btrfs-end-io");
	c->nem = fs->ninodes;
	c->em_lock = xcalloc(c->nem ? c->nem : 1, sizeof(*c->em_lock));
	c->i_mutex = xcalloc(c->nem ? c->nem : 1, sizeof(*c->i_mutex));
	for (size_t i = 0; i < c->nem; i++) {
		snprintf(name, sizeof(name), "em_tree->lock %u",
		    (unsigned)(i + 1) & 0xffffu);
		sched_lock_init(sched, &c->em_lock[i], SCHED_SPINLOCK, name);
		snprintf(name, sizeof(name), "i_mutex %u",
		    (unsigned)(i + 1) & 0xffffu);
		sched_lock_init(sched, &c->i_mutex[i], SCHED_MUTEX, name);
	}
	fs->conc = c;
	c->nent = SCHED_MAX_ENTITIES;
	for (uint32_t w = 1; w <= fs->cfg.workers; w++) {
		snprintf(name, sizeof(name), "end-io worker %u", w);
		id = sched_spawn(sched, SCHED_WORKER, name, endio_worker, fs);
		if (id >= 0)
			c->nent = id + 1;	/* the tasks came first */
	}
}

void
fs_detach(struct fs *fs)
{
	struct fs_conc *c = fs->conc;

	if (c == NULL)
		return;
	while (c->pages != NULL) {
		struct fs_pagelock *pl = c->pages;

		c->pages = pl->next;
		free(pl);
	}
	c->windows = NULL;	/* frames of tasks that never finished */
	while (c->bios != NULL) {
		struct fs_bio *b = c->bios;

		c->bios = b->next;
		free(b->buf);
		free(b);
	}
	sched_queue_free(&c->endio);
	free(c->em_lock);
	free(c->i_mutex);
	free(c);
	fs->conc = NULL;
}

/*
 * The oracle gives up on the file's bytes in [s, t): the 2008 code handed
 * up bytes it never verified there (the 0x01 page) or mapped the range to
 * space it never wrote (an allocation larger than the write).
 */
static void
mark_unsure(struct fs_inode *ip, uint64_t s, uint64_t t)
{
	static const struct imap_val mark = { 0, 0, 0, 0 };

	if (s < t)
		imap_set(&ip->unsure, s, t, &mark);
}

/* ---- the extent map cache ------------------------------------------------ */

/* Mark the page reads in flight whose page [start, end] (inclusive) covers. */
static void
note_drop(struct fs *fs, const struct fs_inode *ip, uint64_t start,
    uint64_t end)
{
	if (fs->conc == NULL)
		return;
	touch(fs, "inode %u reads", ip->ino);
	for (struct fs_read_window *w = fs->conc->windows; w != NULL;
	    w = w->next)
		if (w->ip == ip && w->p <= end && w->p + ss(fs) - 1 >= start)
			w->dropped = true;
}

/* btrfs_drop_extent_cache(), with the BUG_ON on a failed remnant insert. */
static int
drop_extent_cache(struct fs *fs, struct fs_inode *ip, uint64_t start,
    uint64_t end)
{
	uint64_t before = ip->em.splits;
	int r;

	emit(fs, TRACE_DROP_CACHE, ip->ino, start, end, 0, 0);
	note_drop(fs, ip, start, end);
	lock_em(fs, ip);
	r = em_drop_cache(&ip->em, start, end, quirk(fs, QUIRK_DROP_WHOLE));
	unlock_em(fs, ip);
	fs->stats.v[STAT_EM_SPLITS] += ip->em.splits - before;
	if (r == -ELOOP)
		return oops(fs, "btrfs_drop_extent_cache",
		    "soft lockup: the remnants merge back into the map they "
		    "came from and the loop never ends (end < start)");
	if (r != 0)
		return oops(fs, "btrfs_drop_extent_cache",
		    "BUG_ON: inserting a split extent map failed (-EEXIST)");
	return 0;
}

/*
 * Note an overlap in IP's cache: add_extent_mapping() accepted a map that
 * starts in a gap and overlaps its successor (latent-insert-overlap.scn).
 */
static void
note_overlap(struct fs *fs, const struct fs_inode *ip)
{
	if (ip->em.overlaps > 0)
		fs->latent |= FS_LATENT_OVERLAP;
}

/* em_add() counting the merges it makes. */
static int
cache_insert(struct fs *fs, struct fs_inode *ip, struct em_map *em)
{
	uint64_t before = ip->em.merges;
	int r = em_add(&ip->em, em);

	fs->stats.v[STAT_EM_MERGES] += ip->em.merges - before;
	note_overlap(fs, ip);
	return r;
}

/*
 * The map btrfs_get_extent builds from the items for START: the item
 * containing it (a real or hole map over the whole item), else a hole up
 * to the next item, else a hole of LEN bytes.  Caller owns the result.
 */
static struct em_map *
map_from_items(const struct fs_inode *ip, uint64_t start, uint64_t len)
{
	const struct fei_item *it = fei_lookup(&ip->items, start);
	const struct fei_item *next;
	uint64_t end;

	if (it != NULL) {
		if (it->disk_bytenr == 0)
			return em_alloc(it->file_offset, it->num_bytes,
			    EM_HOLE);
		return em_alloc(it->file_offset, it->num_bytes,
		    it->disk_bytenr + it->offset);
	}
	next = fei_next_after(&ip->items, start);
	if (next != NULL)
		return em_alloc(start, next->file_offset - start, EM_HOLE);
	end = start + len < start ? UINT64_MAX : start + len;
	return em_alloc(start, end - start, EM_HOLE);
}

/*
 * btrfs_get_extent(inode, page, pg_offset, start, len, 0) under fs_mutex:
 * a cached map containing START, else one built from the items and
 * inserted, with the post-patch -EEXIST handling (research/btrfs.md §1.4
 * item 7) or, under insert-eexist-eio, the old EIO.  The result is
 * borrowed from the cache and may, as in 2008, not contain START when an
 * -EEXIST lookup hands back another intersecting map.
 */
static int get_extent_insert(struct fs *, struct fs_inode *, uint64_t,
    uint64_t, struct em_map *, struct em_map **, unsigned *);

static int
get_extent(struct fs *fs, struct fs_inode *ip, uint64_t start, uint64_t len,
    bool on_worker, struct em_map **out, unsigned *why)
{
	struct em_map *em;
	int r;

	lock_em(fs, ip);
	em = em_lookup(&ip->em, start, len);
	if (em != NULL && (em->start > start || em_end(em) <= start))
		em = NULL;	/* mid-2008: a hit must contain start */
	unlock_em(fs, ip);
	if (em != NULL) {
		emit(fs, TRACE_GET_EXTENT, ip->ino, em->start, em->len,
		    em->block_start, TRACE_GE_HIT);
		*out = em;
		return 0;
	}
	if ((r = need_metadata(fs, ip, on_worker)) != 0)
		return r;
	em = map_from_items(ip, start, len);
	lock_em(fs, ip);
	r = get_extent_insert(fs, ip, start, len, em, out, why);
	unlock_em(fs, ip);
	return r;
}

/*
 * The insert half of btrfs_get_extent, under the extent map spinlock:
 * insert EM (the caller's), with the -EEXIST handling of the commit (or
 * the old EIO under insert-eexist-eio).  *OUT is borrowed from the cache.
 * On -EIO, *WHY gets the FS_EIO_* cause.
 */
static int
get_extent_insert(struct fs *fs, struct fs_inode *ip, uint64_t start,
    uint64_t len, struct em_map *em, struct em_map **out, unsigned *why)
{
	struct em_map *existing;
	int r;

	if (cache_insert(fs, ip, em) == 0) {
		emit(fs, TRACE_GET_EXTENT, ip->ino, em->start, em->len,
		    em->block_start, TRACE_GE_INSERT);
		*out = em;
		return 0;
	}
	/* -EEXIST: em->start lies inside a cached map. */
	existing = em_lookup(&ip->em, start, len);
	if (existing != NULL) {
		em_free(em);
		emit(fs, TRACE_GET_EXTENT, ip->ino, existing->start,
		    existing->len, existing->block_start, TRACE_GE_EEXIST_HIT);
		*out = existing;
		return 0;
	}
	if (!quirk(fs, QUIRK_INSERT_EEXIST_EIO)) {
		existing = em_lookup(&ip->em, em->start, em->len);
		if (existing != NULL) {
			uint64_t before = ip->em.merges;

			r = em_merge_mapping(&ip->em, existing, em);
			fs->stats.v[STAT_EM_MERGES] += ip->em.merges - before;
			note_overlap(fs, ip);
			if (r == 0) {
				emit(fs, TRACE_GET_EXTENT, ip->ino, em->start,
				    em->len, em->block_start, TRACE_GE_MERGED);
				*out = em;
				return 0;
			}
		}
	}
	emit(fs, TRACE_GET_EXTENT, ip->ino, em->start, em->len,
	    em->block_start, TRACE_GE_FAILED);
	em_free(em);
	if (quirk(fs, QUIRK_INSERT_EEXIST_EIO))
		*why = FS_EIO_INSERT_EEXIST;
	else {
		*why = FS_EIO_MERGE_REFAIL;
		fs->latent |= FS_LATENT_MERGE_REFAIL;
	}
	return -EIO;
}

uint64_t
fs_cache_covered(struct fs *fs, uint32_t ino, uint64_t off, uint64_t len)
{
	struct fs_inode *ip = fs_inode(fs, ino);
	uint64_t end = off + len < off ? UINT64_MAX : off + len;
	uint64_t covered = 0, at = off;

	/* Maps may overlap (2008 insert): count the union, in start order. */
	for (struct em_map *em = em_first(&ip->em); em != NULL;
	    em = em_next(&ip->em, em)) {
		uint64_t s = em->start > at ? em->start : at;
		uint64_t t = em_end(em) < end ? em_end(em) : end;

		if (t > s) {
			covered += t - s;
			at = t;
		}
	}
	return covered;
}

/* ---- the read path -------------------------------------------------------- */

/*
 * Every change to an inode's page cache goes through pages_set() and
 * pages_clear(), which keep ip->dirty exact: it covers the bytes whose
 * page-cache value carries CONTENT_DIRTY, merged into maximal runs.
 * Writeback and the free-space check walk it instead of the whole page
 * cache, whose clean runs grow with the number of writes.
 */
static void
pages_set(struct fs_inode *ip, uint64_t s, uint64_t t,
    const struct imap_val *v)
{
	static const struct imap_val mark = { 0, 0, 0, 0 };

	imap_set(&ip->pages, s, t, v);
	if (v->aux & CONTENT_DIRTY)
		imap_set(&ip->dirty, s, t, &mark);
	else
		imap_clear(&ip->dirty, s, t);
}

static void
pages_clear(struct fs_inode *ip, uint64_t s, uint64_t t)
{
	imap_clear(&ip->pages, s, t);
	imap_clear(&ip->dirty, s, t);
}

/* Whole page [p, p + ss) cached (uptodate) in the page cache. */
static bool
page_cached(const struct fs *fs, const struct fs_inode *ip, uint64_t p)
{
	const struct imap_ent *e = imap_find(&ip->pages, p);

	return e != NULL && imap_covered(&ip->pages, p, p + ss(fs)) == ss(fs);
}

/* The data mirror 2008's btrfs_map_block picks for mirror_num 0. */
static int
default_mirror(const struct fs *fs)
{
	int best = 1;

	for (int k = 1; k <= (int)fs->cfg.mirrors; k++)
		for (int e = 0; fs->conc != NULL && e < fs->conc->nent; e++)
			touch(fs, "mirror %d bios %d", k, e);
	for (int k = 2; k <= (int)fs->cfg.mirrors; k++)
		if (fs->mirror[k - 1].bios < fs->mirror[best - 1].bios)
			best = k;
	return best;
}

struct page_fill {
	struct fs_inode	*ip;
	uint64_t	 delta;		/* file offset - logical */
};

static void
fill_page_piece(void *arg, uint64_t start, uint64_t end,
    const struct imap_val *v)
{
	struct page_fill *pf = arg;

	pages_set(pf->ip, start + pf->delta, end + pf->delta, v);
}

/*
 * btrfs_readpage_end_io_hook(): verify the page in BUF (ss bytes at file
 * offset P) against the recorded checksum.  0 if it passes; -EIO if not.
 * *ZEROIT is set when the 2008 code filled the page with 0x01 bytes.
 */
static int
verify_page(struct fs *fs, struct fs_inode *ip, uint64_t p, int mirror,
    const uint8_t *buf, bool *zeroit)
{
	uint8_t want[65536];
	uint32_t have_sum, want_sum;

	*zeroit = false;
	if (ip->nodatasum)
		return 0;
	touch(fs, "inode %u csums", ip->ino);
	if (imap_covered(&ip->csums, p, p + ss(fs)) != ss(fs)) {
		/* private == 0: no checksum recorded for this sector. */
		*zeroit = true;
		if (quirk(fs, QUIRK_NOCSUM_EIO)) {
			fs->stats.v[STAT_CSUM_ERRORS]++;
			emit(fs, TRACE_CSUM, ip->ino, 0, p, (uint64_t)mirror,
			    TRACE_CSUM_NONE_EIO);
			return -EIO;
		}
		emit(fs, TRACE_CSUM, ip->ino, 0, p, (uint64_t)mirror,
		    TRACE_CSUM_NONE);
		return 0;
	}
	content_read_map(&ip->csums, p, ss(fs), fs->cfg.sectorsize, want);
	want_sum = csum_compute(fs->cfg.csum, want, ss(fs));
	have_sum = csum_compute(fs->cfg.csum, buf, ss(fs));
	if (have_sum == want_sum) {
		emit(fs, TRACE_CSUM, ip->ino, 0, p, (uint64_t)mirror,
		    TRACE_CSUM_OK);
		return 0;
	}
	fs->stats.v[STAT_CSUM_ERRORS]++;
	emit(fs, TRACE_CSUM, ip->ino, 0, p, (uint64_t)mirror, TRACE_CSUM_BAD);
	*zeroit = true;
	return -EIO;
}

/* True if [logical, logical + len) lies in the data area. */
static bool
logical_mapped(const struct fs *fs, uint64_t logical, uint64_t len)
{
	uint64_t end = fs->alloc.base + fs->alloc.size;

	return logical >= fs->alloc.base && logical <= end &&
	    len <= end - logical;
}

/*
 * Submit the data read bio B (btrfs_map_bio): count it for the mirror
 * choice and the counters; sequentially the device reads at once, under
 * a scheduler the read happens when the device completes the posted bio.
 */
static void
bio_submit(struct fs *fs, struct fs_bio *b)
{
	struct mirror *m = &fs->mirror[b->mirror - 1];

	touch_mirror_bios(fs, b->mirror);
	touch(fs, "bios");
	fs->stats.v[STAT_DATA_READS]++;
	m->bios++;
	emit(fs, TRACE_BIO_SUBMIT, b->ip->ino, b->logical, b->p,
	    (uint64_t)b->mirror, b->retry ? TRACE_BIO_RETRY : TRACE_BIO_READ);
	if (fs->conc != NULL) {
		char name[SCHED_NAME];

		snprintf(name, sizeof(name), "data read #%u%s",
		    fs->conc->nbios, b->retry ? " (retry)" : "");
		sched_event_init(&b->ev, name, &fs->conc->endio);
		sched_post(fs->conc->sched, name, device_complete, b);
		return;
	}
	b->dev_status = mirror_read(m, b->logical, ss(fs), fs->cfg.sectorsize,
	    b->buf);
	emit(fs, TRACE_BIO_DONE, b->ip->ino, b->logical, b->p,
	    (uint64_t)b->mirror, b->dev_status != 0);
	if (b->dev_status != 0)
		fs->stats.v[STAT_IO_ERRORS]++;
}

static int io_failed_hook(struct fs *, struct fs_bio *, uint64_t *);

/*
 * end_bio_extent_readpage with the btrfs hooks, on the end-io worker:
 * verify the page; on a failure call io_failed_hook and resubmit to the
 * mirror it names.  Returns 1 when a retry bio was submitted, else the
 * page's final status, also left in b->result: 0 (its content is then in
 * the page cache), -EIO, FS_EOOPS or FS_EDEADLK.
 */
static int
end_bio_readpage(struct fs *fs, struct fs_bio *b)
{
	struct fs_inode *ip = b->ip;
	uint64_t p = b->p, logical = 0;
	bool zeroit = false;
	int r = b->dev_status;

	if (r == 0)
		r = verify_page(fs, ip, p, b->mirror, b->buf, &zeroit);
	if (r == 0) {
		/*
		 * btrfs_clean_io_failures() runs only after a checksum
		 * matched: the nodatasum and no-checksum returns of the
		 * end_io hook skip it, and a retry's record stays behind.
		 */
		touch(fs, "inode %u failrec", ip->ino);
		touch(fs, "inode %u pages", ip->ino);
		touch_mirror_read(fs, b->mirror, b->logical);
		if (!ip->nodatasum && !zeroit)
			imap_clear(&ip->failrec, p, p + ss(fs));
		if (zeroit) {
			struct imap_val v = content_fill(0x01);

			pages_set(ip, p, p + ss(fs), &v);
			mark_unsure(ip, p, p + ss(fs));
		} else {
			struct page_fill pf = { ip, p - b->logical };

			mirror_describe(&fs->mirror[b->mirror - 1], b->logical,
			    b->logical + ss(fs), fill_page_piece, &pf);
		}
		b->res->served |= 1u << (b->mirror - 1);
		return b->result = 0;
	}
	touch(fs, "inode %u reads", ip->ino);
	r = io_failed_hook(fs, b, &logical);
	if (r < 0) {
		if (r == -EIO)
			emit(fs, TRACE_EIO, ip->ino, 0, p, 0, 0);
		return b->result = r;
	}
	if (!logical_mapped(fs, logical, ss(fs)))
		return b->result = oops(fs, "btrfs_map_block",
		    "unable to find logical (no chunk maps it)");
	b->mirror = r > (int)fs->cfg.mirrors ? 1 : r;
	b->logical = logical;
	b->retry = true;
	bio_submit(fs, b);
	return 1;
}

/* An end-io worker: pop completions in FIFO order and process them. */
static void
endio_worker(struct sched *s, void *arg)
{
	struct fs *fs = arg;

	for (;;) {
		struct fs_bio *b = sched_pop(s, &fs->conc->endio);

		if (b->meta) {
			touch(fs, "inode %u meta", b->ip->ino);
			b->ip->meta_cached = true;
			sched_signal(s, &b->ev);
		} else if (end_bio_readpage(fs, b) != 1)
			sched_signal(s, &b->ev);
		sched_done(s, &fs->conc->endio);
	}
}

/*
 * btrfs_io_failed_hook() for the failed bio B of page B->p, run on the
 * end-io worker: find or make the failure record, pick the next mirror
 * and say which.  Returns the mirror to retry (> 0), -EIO to give up (the
 * cause in res->eio), or FS_EOOPS/FS_EDEADLK.
 *
 * A record found at a read's first failure was left by an earlier read
 * (2008 clears records only after a checksum matched, so a nodatasum or
 * unchecksummed page keeps the one its successful retry made): the count
 * goes on from that read's last mirror, and the read may give up without
 * trying a good copy.  That is a defect of the 2008 code, kept, and said
 * (FS_EIO_STALE_FAILREC).
 */
static int
io_failed_hook(struct fs *fs, struct fs_bio *b, uint64_t *logical)
{
	struct fs_inode *ip = b->ip;
	struct fs_read_result *res = b->res;
	uint64_t p = b->p, last_mirror;
	bool dropped = b->win != NULL && b->win->dropped;
	const struct imap_ent *rec;
	struct imap_val v;

	touch(fs, "inode %u failrec", ip->ino);
	rec = imap_find(&ip->failrec, p);
	if (rec != NULL && !b->retry)
		b->stale_rec = true;
	if (rec == NULL) {
		struct em_map *em = NULL;
		uint64_t logical_of_em = 0;

		if (quirk(fs, QUIRK_RETRY_GET_EXTENT)) {
			/* The old code: btrfs_get_extent, under fs_mutex. */
			int r;

			lock_mutex(fs);
			r = get_extent(fs, ip, p, ss(fs), true, &em, &res->eio);
			if (r == 0)
				logical_of_em = em->block_start +
				    (p - em->start);
			unlock_mutex(fs);

			res->lookups |= FS_LOOKUP_GET_EXTENT;
			if (r == FS_EDEADLK) {
				emit(fs, TRACE_DEADLOCK, ip->ino, 0, p, 0, 0);
				return r;
			}
			emit(fs, TRACE_LOOKUP, ip->ino, logical_of_em, p,
			    TRACE_LOOKUP_GET_EXTENT, r == 0);
			if (r != 0) {
				res->eio |= FS_EIO_RETRY_GET_EXTENT;
				return -EIO;
			}
		} else {
			/* Post-patch: the cache only, under its spinlock. */
			lock_em(fs, ip);
			em = em_lookup(&ip->em, p, ss(fs));
			res->lookups |= FS_LOOKUP_CACHE;
			if (em == NULL && quirk(fs, QUIRK_RETRY_MISS_OOPS)) {
				unlock_em(fs, ip);
				return oops(fs, "btrfs_io_failed_hook",
				    "NULL pointer dereference: em->start read "
				    "before the lookup result was checked");
			}
			if (em == NULL || em->start > p || em_end(em) < p) {
				unlock_em(fs, ip);
				fs->stats.v[STAT_RETRY_CACHE_MISSES]++;
				emit(fs, TRACE_LOOKUP, ip->ino, 0, p,
				    TRACE_LOOKUP_CACHE, 0);
				res->eio |= dropped ? FS_EIO_RETRY_DROPPED :
				    FS_EIO_RETRY_LOST;
				return -EIO;
			}
			logical_of_em = em->block_start + (p - em->start);
			unlock_em(fs, ip);
			fs->stats.v[STAT_RETRY_CACHE_HITS]++;
			emit(fs, TRACE_LOOKUP, ip->ino, logical_of_em, p,
			    TRACE_LOOKUP_CACHE, 1);
		}
		v.a = logical_of_em;
		v.b = 0;
		v.kind = FS_FAILREC;
		v.aux = 0;
		touch(fs, "inode %u failrec", ip->ino);	/* after fs_mutex */
		imap_set(&ip->failrec, p, p + ss(fs), &v);
		rec = imap_find(&ip->failrec, p);
	}
	v = rec->v;
	last_mirror = v.b + 1;
	if (last_mirror > fs->cfg.mirrors) {
		emit(fs, TRACE_RETRY_GIVE_UP, ip->ino, 0, p, last_mirror - 1,
		    fs->cfg.mirrors);
		imap_clear(&ip->failrec, p, p + ss(fs));
		res->eio |= b->stale_rec ? FS_EIO_STALE_FAILREC :
		    FS_EIO_NO_GOOD_MIRROR;
		return -EIO;
	}
	v.b = last_mirror;
	imap_set(&ip->failrec, p, p + ss(fs), &v);
	*logical = v.a;
	fs->stats.v[STAT_RETRIES]++;
	res->retries++;
	emit(fs, TRACE_RETRY, ip->ino, v.a, p, last_mirror, 0);
	return (int)last_mirror;
}

/*
 * readpage of the page at file offset P (extent_read_full_page with the
 * btrfs hooks): get_extent, the checksum lookup, the data bio and its
 * completion with retries.  0, -EIO, FS_EOOPS or FS_EDEADLK.
 */
static int read_page_in(struct fs *, struct fs_inode *, uint64_t, int,
    struct fs_read_result *, struct fs_read_window *);

static int
read_page(struct fs *fs, struct fs_inode *ip, uint64_t p, int pin,
    struct fs_read_result *res)
{
	struct fs_read_window win = { .ip = ip, .p = p }, **pp;
	int r;

	if (fs->conc == NULL)
		return read_page_in(fs, ip, p, pin, res, NULL);
	touch(fs, "inode %u reads", ip->ino);
	win.next = fs->conc->windows;
	fs->conc->windows = &win;
	r = read_page_in(fs, ip, p, pin, res, &win);
	touch(fs, "inode %u reads", ip->ino);
	for (pp = &fs->conc->windows; *pp != &win; pp = &(*pp)->next)
		;
	*pp = win.next;
	return r;
}

static int
read_page_in(struct fs *fs, struct fs_inode *ip, uint64_t p, int pin,
    struct fs_read_result *res, struct fs_read_window *win)
{
	struct fs_bio frame, *b;
	uint8_t buf[65536];
	struct em_map *em;
	uint64_t logical = 0;
	bool real = false;
	int r;

	lock_mutex(fs);
	r = get_extent(fs, ip, p, ss(fs), false, &em, &res->eio);
	if (r == 0 && (real = em_is_real(em)))
		logical = em->block_start + (p - em->start);
	unlock_mutex(fs);
	if (r != 0)
		return r;
	if (!real) {
		struct imap_val zero = content_fill(0);

		touch(fs, "inode %u pages", ip->ino);
		pages_set(ip, p, p + ss(fs), &zero);
		return 0;
	}
	if (!ip->nodatasum) {
		/* btrfs_readpage_io_hook's checksum lookup. */
		lock_mutex(fs);
		r = need_metadata(fs, ip, false);
		unlock_mutex(fs);
		if (r != 0)
			return r;
	}
	if (!logical_mapped(fs, logical, ss(fs)))
		return oops(fs, "btrfs_map_block",
		    "unable to find logical (no chunk maps it)");
	memset(&frame, 0, sizeof(frame));
	frame.buf = buf;
	b = bio_new(fs, &frame);
	b->ip = ip;
	b->p = p;
	b->logical = logical;
	b->mirror = pin > 0 ? pin : default_mirror(fs);
	if (b->mirror > (int)fs->cfg.mirrors)
		b->mirror = 1;	/* mirror_num > num_stripes: 0 */
	b->res = res;
	b->win = win;
	res->device_pages++;
	bio_submit(fs, b);
	if (fs->conc != NULL) {
		/* Sleep until the completion (retries included) is done. */
		sched_wait(fs->conc->sched, &b->ev);
		return b->result;
	}
	while ((r = end_bio_readpage(fs, b)) == 1)
		;
	return r;
}

/* Compare the returned bytes [s, t) of the page cache with the file. */
static void
check_returned(struct fs *fs, struct fs_inode *ip, uint64_t s, uint64_t t,
    struct fs_read_result *res)
{
	uint8_t got[65536], want[65536];
	uint64_t n = t - s;

	touch(fs, "inode %u pages", ip->ino);
	touch(fs, "inode %u csums", ip->ino);
	content_read_map(&ip->pages, s, n, fs->cfg.sectorsize, got);
	content_read_map(&ip->data, s, n, fs->cfg.sectorsize, want);
	if (memcmp(got, want, n) != 0) {
		uint64_t p = round_down(s, ss(fs));

		res->intact = false;
		/* Unchecksummed pages are not verified, by design. */
		if (!ip->nodatasum &&
		    imap_covered(&ip->csums, p, p + ss(fs)) == ss(fs) &&
		    imap_covered(&ip->unsure, p, p + ss(fs)) == 0)
			res->wrong_pages++;
	}
	for (uint64_t i = 0; i < n; i++) {
		if (res->uniform == -2)
			res->uniform = got[i];
		else if (res->uniform != got[i]) {
			res->uniform = -1;
			break;
		}
	}
}

int
fs_read(struct fs *fs, uint32_t ino, uint64_t off, uint64_t len, int mirror,
    bool want_data, struct fs_read_result *res)
{
	struct fs_inode *ip = fs_inode(fs, ino);
	uint64_t end = off + len < off ? UINT64_MAX : off + len;
	int status = 0;

	memset(res, 0, sizeof(*res));
	res->intact = true;
	res->uniform = -2;
	touch(fs, "inode %u size", ip->ino);
	if (end > ip->i_size)
		end = ip->i_size;
	if (off >= end) {
		res->uniform = -1;
		return 0;	/* at or past EOF: nothing to return */
	}
	/* Work limit (fs.h); end <= i_size < 2^63, so no overflow. */
	if ((end - round_down(off, ss(fs)) + ss(fs) - 1) / ss(fs) >
	    FS_MAX_READ_PAGES) {
		touch(fs, "why");
		snprintf(fs->why, sizeof(fs->why), "the read covers more than "
		    "%u pages, the most one read may: read a smaller range",
		    FS_MAX_READ_PAGES);
		return FS_EINVAL;
	}
	/* Every page of the range is read, as readahead would; EIO if any fails. */
	for (uint64_t p = round_down(off, ss(fs)); p < end; p += ss(fs)) {
		int r = 0;

		if (fs->conc != NULL && p > round_down(off, ss(fs)))
			sched_preempt_point(fs->conc->sched);	/* between pages */
		lock_page(fs, ip, p);
		/* do_generic_mapping_read: i_size again for every page. */
		touch(fs, "inode %u size", ip->ino);
		if (end > ip->i_size)
			end = ip->i_size;
		if (p >= end || off >= end) {
			unlock_page(fs, ip, p);	/* truncated meanwhile */
			break;
		}
		if (!page_cached(fs, ip, p))
			r = read_page(fs, ip, p, mirror, res);
		unlock_page(fs, ip, p);
		if (r == FS_EOOPS || r == FS_EDEADLK)
			return r;
		if (r != 0) {
			status = -EIO;
			continue;
		}
		if (want_data)
			check_returned(fs, ip, p > off ? p : off,
			    p + ss(fs) < end ? p + ss(fs) : end, res);
		res->bytes += (p + ss(fs) < end ? p + ss(fs) : end) -
		    (p > off ? p : off);
	}
	if (res->uniform == -2)
		res->uniform = -1;
	if (status != 0)
		fs->stats.v[STAT_EIO]++;
	return status;
}

/*
 * One sector at LOGICAL on mirror K reads without error and its first N
 * bytes are WANT's.  A sector with an I/O error pending is never good
 * here, however many failures it has left (and so mirror_read consumes
 * no count).
 */
static bool
sector_good_on(struct fs *fs, int k, uint64_t logical, const uint8_t *want,
    uint64_t n)
{
	struct mirror *m = &fs->mirror[k - 1];
	uint8_t got[65536];

	if (!m->online || imap_covered(&m->ioerr, logical, logical + ss(fs)))
		return false;
	if (mirror_read(m, logical, ss(fs), fs->cfg.sectorsize, got) != 0)
		return false;
	return memcmp(got, want, n) == 0;
}

bool
fs_good_copy(struct fs *fs, uint32_t ino, uint64_t off, uint64_t len)
{
	struct fs_inode *ip = fs_inode(fs, ino);
	uint64_t end = off + len < off ? UINT64_MAX : off + len;
	uint8_t want[65536];

	if (end > ip->i_size)
		end = ip->i_size;
	/* The read itself refuses more (FS_MAX_READ_PAGES): not known. */
	if (off < end && (end - round_down(off, ss(fs)) - 1) / ss(fs) >=
	    FS_MAX_READ_PAGES)
		return false;
	for (uint64_t p = round_down(off, ss(fs)); p < end; p += ss(fs)) {
		const struct fei_item *it = fei_lookup(&ip->items, p);
		uint64_t logical, n = ss(fs);
		bool good = false;

		if (page_cached(fs, ip, p) || it == NULL ||
		    it->disk_bytenr == 0)
			continue;
		if (imap_covered(&ip->unsure, p, p + ss(fs)) != 0)
			return false;
		logical = it->disk_bytenr + it->offset + (p - it->file_offset);
		if (!logical_mapped(fs, logical, ss(fs)))
			return false;
		if (!ip->nodatasum &&
		    imap_covered(&ip->csums, p, p + ss(fs)) == ss(fs))
			/* What verify_page will compare against. */
			content_read_map(&ip->csums, p, n, fs->cfg.sectorsize,
			    want);
		else {
			/* Unchecksummed: the file's bytes, as far as EOF. */
			content_read_map(&ip->data, p, n, fs->cfg.sectorsize,
			    want);
			if (p + n > ip->i_size)
				n = ip->i_size - p;
		}
		for (int k = 1; k <= (int)fs->cfg.mirrors && !good; k++)
			good = sector_good_on(fs, k, logical, want, n);
		if (!good)
			return false;
	}
	return true;
}

/* ---- writeback ------------------------------------------------------------- */

/* btrfs_drop_extents(start, end): the cache for the range, then the items. */
static int
drop_extents(struct fs *fs, struct fs_inode *ip, uint64_t start,
    uint64_t end)
{
	int r = drop_extent_cache(fs, ip, start, end - 1);

	if (r != 0)
		return r;
	touch(fs, "alloc");
	return fei_drop(&ip->items, &fs->alloc, start, end);
}

/*
 * Write the page cache's content of file range [s, t) to every mirror at
 * LOGICAL and record its checksums; -EIO if a mirror was offline.
 */
static int
write_data(struct fs *fs, struct fs_inode *ip, uint64_t s, uint64_t t,
    uint64_t logical)
{
	uint64_t pages = (t - s) / ss(fs);
	int status = 0;

	touch(fs, "inode %u pages", ip->ino);
	touch(fs, "inode %u csums", ip->ino);
	for (int k = 0; k < (int)fs->cfg.mirrors; k++) {
		struct mirror *m = &fs->mirror[k];

		touch_mirror_write(fs, k + 1, logical, logical + (t - s));
		touch_mirror_bios(fs, k + 1);
		m->bios += pages;
		emit(fs, TRACE_BIO_SUBMIT, ip->ino, logical, s,
		    (uint64_t)k + 1, TRACE_BIO_WRITE);
		if (!m->online) {
			emit(fs, TRACE_BIO_DONE, ip->ino, logical, s,
			    (uint64_t)k + 1, 1);
			status = -EIO;
			continue;
		}
		for (const struct imap_ent *e = imap_first_from(&ip->pages, s);
		    e != NULL && e->start < t; e = imap_next(&ip->pages, e)) {
			uint64_t a = e->start > s ? e->start : s;
			uint64_t b = e->end < t ? e->end : t;
			struct imap_val v = imap_val_at(e, a);

			v.aux &= CONTENT_BYTES_AUX;
			mirror_write(m, logical + (a - s), logical + (b - s), &v);
		}
	}
	if (ip->nodatasum)
		return status;
	for (const struct imap_ent *e = imap_first_from(&ip->pages, s);
	    e != NULL && e->start < t; e = imap_next(&ip->pages, e)) {
		uint64_t a = e->start > s ? e->start : s;
		uint64_t b = e->end < t ? e->end : t;
		struct imap_val v = imap_val_at(e, a);

		if (v.aux & CONTENT_NOCSUM) {
			imap_clear(&ip->csums, a, b);
			continue;
		}
		v.aux &= CONTENT_BYTES_AUX;
		imap_set(&ip->csums, a, b, &v);
	}
	return status;
}

/* The FS_EINVAL of the allocation work limit (fs.h). */
static int
allocs_limit(struct fs *fs)
{
	touch(fs, "why");
	snprintf(fs->why, sizeof(fs->why), "the writeback needs more than %u "
	    "allocations, the most one dirty range may make: raise max_extent "
	    "or write less at once", FS_MAX_ALLOCS);
	return FS_EINVAL;
}

/* True if NUM_BYTES takes more than FS_MAX_ALLOCS max_extent pieces. */
static bool
too_many_pieces(const struct fs *fs, uint64_t num_bytes)
{
	uint64_t me = fs->cfg.max_extent ? fs->cfg.max_extent : 1;

	return num_bytes / me + (num_bytes % me != 0) > FS_MAX_ALLOCS;
}

/*
 * cow_file_range(inode, start, end - 1) of the delalloc range [start, end):
 * allocate in max_extent pieces from the inode's hint, drop what was there
 * (cache and items), insert the new item, write the data and checksums.
 * Post-patch, the loop breaks when the allocator returned more than
 * remained; under alloc-underflow num_bytes wraps and the loop runs away.
 */
static int
cow_file_range(struct fs *fs, struct fs_inode *ip, uint64_t start,
    uint64_t end)
{
	uint64_t num_bytes = round_up(end - start, ss(fs));
	uint64_t hint = ip->alloc_hint ? ip->alloc_hint : fs->alloc.base;
	uint64_t nallocs = 0;
	int status = 0;

	if (num_bytes == 0)
		num_bytes = ss(fs);
	if (!quirk(fs, QUIRK_ALLOC_UNDERFLOW) && num_bytes > fs->alloc.size)
		return oops(fs, "cow_file_range",
		    "BUG_ON(num_bytes > total_bytes)");
	if (too_many_pieces(fs, num_bytes))
		return allocs_limit(fs);
	while (num_bytes > 0) {
		uint64_t cur = num_bytes < fs->cfg.max_extent ? num_bytes :
		    fs->cfg.max_extent;
		uint64_t ins, got;
		struct fei_item item;
		int r;

		/* Short allocations, or alloc-underflow's runaway. */
		if (nallocs++ == FS_MAX_ALLOCS)
			return allocs_limit(fs);
		touch(fs, "alloc");
		r = alloc_reserve(&fs->alloc, cur, hint, &ins, &got);
		if (r != 0) {
			touch(fs, "why");
			fs->enospc = FS_ENOSPC_ALLOC;
			return -ENOSPC;
		}
		fs->stats.v[STAT_ALLOCATIONS]++;
		emit(fs, TRACE_ALLOC, ip->ino, ins, got, cur, hint);
		if (start + got < start)
			return oops(fs, "cow_file_range",
			    "file offset overflow in the allocation loop");
		if ((r = drop_extents(fs, ip, start, start + got)) != 0)
			return r;
		item = (struct fei_item){ .file_offset = start,
		    .num_bytes = got, .disk_bytenr = ins,
		    .disk_num_bytes = got, .offset = 0 };
		if (fei_insert(&ip->items, &item) != 0)
			return oops(fs, "cow_file_range",
			    "BUG_ON: inserting the file extent item failed");
		if (start < end &&
		    write_data(fs, ip, start, start + got < end ? start + got :
		    end, ins) != 0)
			status = -EIO;
		/* The item maps file bytes past the range to unwritten space. */
		touch(fs, "inode %u pages", ip->ino);
		touch(fs, "inode %u size", ip->ino);
		if (start + got > end)
			mark_unsure(ip, start > end ? start : end,
			    start + got < ip->i_size ? start + got : ip->i_size);
		ip->alloc_hint = ins + got;
		if (!quirk(fs, QUIRK_ALLOC_UNDERFLOW) && num_bytes < got)
			break;	/* "num_bytes %Lu cur_alloc %Lu" */
		num_bytes -= got;
		hint = ins + got;
		start += got;
	}
	return status;
}

/* Mark the page cache's [s, t) clean. */
static void
mark_clean(struct fs_inode *ip, uint64_t s, uint64_t t)
{
	for (;;) {
		const struct imap_ent *e = imap_first_from(&ip->pages, s);
		struct imap_val v;
		uint64_t a, b;

		while (e != NULL && e->start < t && !(e->v.aux & CONTENT_DIRTY))
			e = imap_next(&ip->pages, e);
		if (e == NULL || e->start >= t)
			return;
		a = e->start > s ? e->start : s;
		b = e->end < t ? e->end : t;
		v = imap_val_at(e, a);
		v.aux &= ~(CONTENT_DIRTY | CONTENT_NOCSUM);
		pages_set(ip, a, b, &v);
		s = b;
	}
}

/*
 * One delalloc range [s, t) under fs_mutex: cow_file_range, then map the
 * written blocks through get_extent (one call per map covers many).
 */
static int
writeback_range(struct fs *fs, struct fs_inode *ip, uint64_t s, uint64_t t)
{
	int r, status;

	if ((r = need_metadata(fs, ip, false)) != 0)
		return r;
	status = cow_file_range(fs, ip, s, t);
	if (status == FS_EOOPS || status == -ENOSPC || status == FS_EINVAL)
		return status;	/* the pages stay dirty */
	touch(fs, "inode %u pages", ip->ino);
	mark_clean(ip, s, t);
	for (uint64_t p = s; p < t; ) {
		struct em_map *em;
		unsigned why = 0;

		r = get_extent(fs, ip, p, t - p, false, &em, &why);
		if (r == FS_EOOPS)
			return r;
		if (r != 0 || em_end(em) <= p) {
			p += ss(fs);
			continue;
		}
		p = em_end(em);
	}
	return status;
}

/*
 * Writeback of every dirty range of the inode (2008's writepages: fill
 * the delalloc range with cow_file_range, then map each written block
 * through get_extent, so the range is cached afterwards).
 */
static int
writeback_inode(struct fs *fs, struct fs_inode *ip)
{
	int status = 0;
	uint64_t at = 0;

	for (;;) {
		/* A maximal run of dirty pages, whatever their NOCSUM. */
		const struct imap_ent *e;
		uint64_t s, t;
		int r;

		touch(fs, "inode %u pages", ip->ino);
		e = imap_first_from(&ip->dirty, at);

		if (e == NULL)
			break;
		s = e->start;
		t = e->end;
		lock_mutex(fs);
		r = writeback_range(fs, ip, s, t);
		unlock_mutex(fs);
		if (r == FS_EOOPS || r == -ENOSPC || r == FS_EDEADLK)
			return r;
		if (r != 0)
			status = r;
		at = t;
	}
	return status;
}

int
fs_sync(struct fs *fs)
{
	int status = 0;

	for (size_t i = 0; i < fs->ninodes; i++) {
		int r;

		if (fs->conc != NULL && i > 0)
			sched_preempt_point(fs->conc->sched);
		r = writeback_inode(fs, fs->inodes[i]);

		if (r == FS_EOOPS || r == FS_EDEADLK)
			return r;
		if (r != 0 && status == 0)
			status = r;
	}
	return status;
}

/* ---- write, truncate, hole filling ----------------------------------------- */

/* Give the whole page cache range [s, t) the DIRTY (and NOCSUM) flags. */
static void
mark_dirty(struct fs_inode *ip, uint64_t s, uint64_t t, bool nocsum)
{
	while (s < t) {
		const struct imap_ent *e = imap_first_from(&ip->pages, s);
		struct imap_val v;
		uint64_t b;

		if (e == NULL || e->start >= t)
			return;
		if (e->start > s)
			s = e->start;
		b = e->end < t ? e->end : t;
		v = imap_val_at(e, s);
		v.aux |= CONTENT_DIRTY;
		if (nocsum)
			v.aux |= CONTENT_NOCSUM;
		pages_set(ip, s, b, &v);
		s = b;
	}
}

/*
 * Make the page at P, which the caller has locked, present in the page
 * cache for a partial overwrite: inside the file it is read if not cached
 * (prepare_pages), beyond EOF it starts as zeros.
 */
static int
prepare_page(struct fs *fs, struct fs_inode *ip, uint64_t p)
{
	struct fs_read_result res;
	struct imap_val zero = content_fill(0);
	int r = 0;

	touch(fs, "inode %u pages", ip->ino);
	touch(fs, "inode %u size", ip->ino);
	if (page_cached(fs, ip, p))
		;
	else if (p < ip->i_size) {
		memset(&res, 0, sizeof(res));
		r = read_page(fs, ip, p, 0, &res);
	} else
		pages_set(ip, p, p + ss(fs), &zero);
	return r;
}

/*
 * Lock the pages [first, last] of a write, in order (prepare_pages).
 * Sequentially nothing can wait, so nothing is done.
 */
static void
lock_pages(struct fs *fs, struct fs_inode *ip, uint64_t first,
    uint64_t last)
{
	if (fs->conc != NULL)
		for (uint64_t p = first; p <= last; p += ss(fs))
			lock_page(fs, ip, p);
}

/* Unlock the pages [first, last] of a write (dirty_and_release_pages). */
static void
release_pages(struct fs *fs, struct fs_inode *ip, uint64_t first,
    uint64_t last)
{
	if (fs->conc != NULL)
		for (uint64_t p = first; p <= last; p += ss(fs))
			unlock_page(fs, ip, p);
}

/*
 * btrfs_truncate_page(inode, from): zero the page from FROM to its end
 * and leave it dirty (a copy-on-write of the last block).
 */
static int
truncate_page(struct fs *fs, struct fs_inode *ip, uint64_t from)
{
	uint64_t p = round_down(from, ss(fs));
	struct imap_val zero = content_fill(0);
	int r;


	if (from == p)
		return 0;
	lock_page(fs, ip, p);	/* grab_cache_page; outside fs_mutex */
	if ((r = prepare_page(fs, ip, p)) == 0) {
		touch(fs, "inode %u pages", ip->ino);
		pages_set(ip, from, p + ss(fs), &zero);
		mark_dirty(ip, p, p + ss(fs), false);
	}
	unlock_page(fs, ip, p);
	return r;
}

/*
 * btrfs_setattr's hole filling for a size increase to NEW_SIZE (also run
 * by a write that starts past EOF): zero the old last block's tail, drop
 * extents over [hole_start, block_end), insert a hole item, and drop the
 * cache from hole_start (to EOF; under hole-drop-length, to the "end"
 * hole_size - 1).
 */
static int
fill_hole(struct fs *fs, struct fs_inode *ip, uint64_t new_size)
{
	uint64_t hole_start;
	uint64_t block_end = round_up(new_size, ss(fs));
	uint64_t hole_size;
	struct fei_item hole;
	int r;

	touch(fs, "inode %u size", ip->ino);
	hole_start = round_up(ip->i_size, ss(fs));
	if (new_size <= hole_start)
		return 0;
	if ((r = truncate_page(fs, ip, ip->i_size)) != 0)
		return r;
	hole_size = block_end - hole_start;
	lock_mutex(fs);
	if ((r = need_metadata(fs, ip, false)) != 0 ||
	    (r = drop_extents(fs, ip, hole_start, block_end)) != 0)
		goto out;
	hole = (struct fei_item){ .file_offset = hole_start,
	    .num_bytes = hole_size };
	if (fei_insert(&ip->items, &hole) != 0)
		r = oops(fs, "btrfs_setattr",
		    "BUG_ON: inserting the hole file extent failed");
	else
		r = drop_extent_cache(fs, ip, hole_start,
		    quirk(fs, QUIRK_HOLE_DROP_LENGTH) ? hole_size - 1 :
		    UINT64_MAX);
out:
	unlock_mutex(fs);
	return r;
}

/*
 * The hole of a write that starts past EOF, as 2008's
 * dirty_and_release_pages made it: drop extents over
 * [round_up(i_size), round_down(pos)), insert a hole item there and drop
 * the cache for that range only.  The old last page is not rewritten (its
 * tail beyond EOF was written as zeros already).
 */
static int
write_hole(struct fs *fs, struct fs_inode *ip, uint64_t pos)
{
	uint64_t hole_start;
	uint64_t hole_end = round_down(pos, ss(fs));
	struct fei_item hole;
	int r;

	touch(fs, "inode %u size", ip->ino);
	hole_start = round_up(ip->i_size, ss(fs));
	if (hole_end <= hole_start)
		return 0;
	if ((r = need_metadata(fs, ip, false)) != 0)
		return r;
	if ((r = drop_extents(fs, ip, hole_start, hole_end)) != 0)
		return r;
	hole = (struct fei_item){ .file_offset = hole_start,
	    .num_bytes = hole_end - hole_start };
	if (fei_insert(&ip->items, &hole) != 0)
		return oops(fs, "dirty_and_release_pages",
		    "BUG_ON: inserting the hole file extent failed");
	return drop_extent_cache(fs, ip, hole_start, hole_end - 1);
}

/* Bytes of dirty (delalloc) pages in every inode. */
static uint64_t
delalloc_bytes(const struct fs *fs)
{
	uint64_t n = 0;

	for (size_t i = 0; i < fs->ninodes; i++) {
		const struct imap *dirty = &fs->inodes[i]->dirty;

		for (const struct imap_ent *e = imap_first(dirty); e != NULL;
		    e = imap_next(dirty, e))
			n += e->end - e->start;
	}
	return n;
}

/*
 * btrfs_check_free_space(root, num_required, 0): -ENOSPC when the space
 * in use, the dirty bytes not yet allocated and the request together pass
 * 85% of the capacity.
 */
static int
check_free_space(struct fs *fs, uint64_t num_required)
{
	uint64_t total = fs->alloc.size;
	uint64_t thresh = total / 100 * 85 + total % 100 * 85 / 100;
	uint64_t used, need;

	touch(fs, "alloc");
	for (size_t i = 0; i < fs->ninodes; i++)
		touch(fs, "inode %u pages", fs->inodes[i]->ino);
	used = total - fs->alloc.free_bytes;
	need = used + delalloc_bytes(fs);
	if (need > thresh || num_required > thresh - need) {
		touch(fs, "why");
		fs->enospc = FS_ENOSPC_CHECK;
		return -ENOSPC;
	}
	return 0;
}

/* The bytes cow_file_range may take for a dirty run of LEN bytes. */
static uint64_t
cow_bound(const struct fs *fs, uint64_t len)
{
	uint64_t piece = fs->cfg.max_extent, pieces;

	if (piece > fs->alloc.size)
		piece = fs->alloc.size;
	pieces = len / piece + 1;
	return round_up(len, ss(fs)) + pieces * fs->cfg.alloc_align;
}

uint64_t
fs_writeback_bound(const struct fs *fs, uint64_t more)
{
	uint64_t n = more ? cow_bound(fs, more + 2 * ss(fs)) : 0;

	for (size_t i = 0; i < fs->ninodes; i++) {
		const struct imap *dirty = &fs->inodes[i]->dirty;

		for (const struct imap_ent *e = imap_first(dirty); e != NULL;
		    e = imap_next(dirty, e))
			n += cow_bound(fs, e->end - e->start);
	}
	return n;
}

/* btrfs_file_write() under i_mutex: dirty the pages, no writeback. */
static int
file_write(struct fs *fs, struct fs_inode *ip, uint64_t off, uint64_t len,
    int fill, unsigned flags)
{
	uint64_t end = off + len;
	uint64_t first = round_down(off, ss(fs));
	uint64_t last = round_down(end - 1, ss(fs));
	struct imap_val v;
	int r;

	if (len == 0 || end < off || end > UINT64_MAX - ss(fs))
		return invalid(fs, "the write ends past the largest file offset");
	if (too_many_pieces(fs, round_up(len, ss(fs))))
		return allocs_limit(fs);
	if (fs->conc != NULL && (last - first) / ss(fs) >= FS_MAX_LOCKED_PAGES)
		return invalid(fs, "a write in a concurrent block may cover at "
		    "most 4096 pages, since it holds every page's lock; split "
		    "it");
	/* btrfs_check_free_space() before any page is dirtied. */
	if (check_free_space(fs, round_up(len, ss(fs))) != 0)
		return -ENOSPC;
	/*
	 * prepare_pages: every page of the write is locked, in order, until
	 * dirty_and_release_pages is done with it, so that a read in flight
	 * cannot fill one with older bytes; only partly covered pages are
	 * read first.
	 */
	lock_pages(fs, ip, first, last);
	if ((off != first && (r = prepare_page(fs, ip, first)) != 0) ||
	    (end != last + ss(fs) && (last != first || off == first) &&
	    (r = prepare_page(fs, ip, last)) != 0)) {
		release_pages(fs, ip, first, last);
		return r;
	}
	/* dirty_and_release_pages, under fs_mutex. */
	lock_mutex(fs);
	touch(fs, "inode %u size", ip->ino);
	if (off > ip->i_size && (r = write_hole(fs, ip, off)) != 0) {
		unlock_mutex(fs);
		release_pages(fs, ip, first, last);
		return r;
	}
	touch(fs, "inode %u pages", ip->ino);	/* write_hole may block */
	touch(fs, "inode %u size", ip->ino);
	/*
	 * Generated bytes come from the fs's one stream (content.h): an
	 * append continues its predecessor's values, so the runs of both
	 * merge in every map, and the bytes differ from what they replace.
	 */
	v = fill >= 0 ? content_fill((unsigned)fill) :
	    content_stream_take(&fs->gen, &ip->data, off, len,
	    fs->cfg.sectorsize);
	imap_set(&ip->data, off, end, &v);
	if (round_up(off, ss(fs)) < round_down(end, ss(fs)))
		imap_clear(&ip->unsure, round_up(off, ss(fs)),
		    round_down(end, ss(fs)));
	pages_set(ip, off, end, &v);
	mark_dirty(ip, first, last + ss(fs), (flags & FS_W_NOCSUM) != 0);
	if (end > ip->i_size)
		ip->i_size = end;
	unlock_mutex(fs);
	release_pages(fs, ip, first, last);
	return 0;
}

int
fs_write(struct fs *fs, uint32_t ino, uint64_t off, uint64_t len, int fill,
    unsigned flags)
{
	struct fs_inode *ip = fs_inode(fs, ino);
	int r;

	lock_inode(fs, ip);
	r = file_write(fs, ip, off, len, fill, flags);
	unlock_inode(fs, ip);
	if (r != 0 || (flags & FS_W_NOSYNC))
		return r;
	return writeback_inode(fs, ip);
}

/*
 * truncate_inode_pages(): wait for every locked page at or beyond KEEP
 * (a read in flight holds its page until its completion is done).
 */
static void
truncate_inode_pages(struct fs *fs, struct fs_inode *ip, uint64_t keep)
{
	struct fs_pagelock *pl;

	if (fs->conc == NULL)
		return;
	touch(fs, "inode %u pages", ip->ino);
	for (pl = fs->conc->pages; pl != NULL; pl = pl->next)
		if (pl->ino == ip->ino && pl->p >= keep) {
			wait_on_page(fs, ip, pl->p);
			touch(fs, "inode %u pages", ip->ino);	/* it may sleep */
		}
}

/* ftruncate(2) under i_mutex (see fs_truncate). */
static int
file_truncate(struct fs *fs, struct fs_inode *ip, uint64_t size)
{
	uint64_t keep = round_up(size, ss(fs));
	int r;

	touch(fs, "inode %u size", ip->ino);
	if (size > ip->i_size) {
		/* btrfs_setattr: btrfs_check_free_space(root, 1, 0). */
		if (size > round_up(ip->i_size, ss(fs)) &&
		    check_free_space(fs, 1) != 0)
			return -ENOSPC;
		if ((r = fill_hole(fs, ip, size)) != 0)
			return r;
		touch(fs, "inode %u size", ip->ino);
		ip->i_size = size;
		return 0;
	}
	if (size == ip->i_size)
		return 0;
	/*
	 * Zero the partial last page (btrfs_truncate_page; first, so that a
	 * failure changes nothing), then as vmtruncate: i_size, so that a
	 * read checking it page by page stops, then the page cache, waiting
	 * for pages under read; then btrfs_truncate's btree work.
	 */
	if ((r = truncate_page(fs, ip, size)) != 0)
		return r;
	touch(fs, "inode %u size", ip->ino);	/* truncate_page may sleep */
	ip->i_size = size;
	truncate_inode_pages(fs, ip, keep);
	lock_mutex(fs);
	if ((r = need_metadata(fs, ip, false)) != 0 ||
	    (r = drop_extent_cache(fs, ip, quirk(fs,
	    QUIRK_TRUNCATE_UNALIGNED) ? size : round_down(size, ss(fs)),
	    UINT64_MAX)) != 0) {
		unlock_mutex(fs);
		return r;
	}
	touch(fs, "alloc");
	touch(fs, "inode %u pages", ip->ino);
	touch(fs, "inode %u csums", ip->ino);
	fei_truncate(&ip->items, &fs->alloc, size, ss(fs));
	if (keep < UINT64_MAX) {
		imap_clear(&ip->csums, keep, UINT64_MAX);
		pages_clear(ip, keep, UINT64_MAX);
	}
	imap_clear(&ip->data, size, UINT64_MAX);
	imap_clear(&ip->unsure, keep, UINT64_MAX);
	unlock_mutex(fs);
	return 0;
}

int
fs_truncate(struct fs *fs, uint32_t ino, uint64_t size)
{
	struct fs_inode *ip = fs_inode(fs, ino);
	int r;

	lock_inode(fs, ip);
	r = file_truncate(fs, ip, size);
	unlock_inode(fs, ip);
	return r;
}

int
fs_drop_cache(struct fs *fs, uint32_t ino, uint64_t start, uint64_t end)
{
	return drop_extent_cache(fs, fs_inode(fs, ino), start, end);
}

/* Remove the clean pages of an inode's page cache. */
static void
drop_clean_pages(struct fs_inode *ip)
{
	struct imap keep;

	imap_init(&keep);
	for (const struct imap_ent *e = imap_first(&ip->pages); e != NULL;
	    e = imap_next(&ip->pages, e))
		if (e->v.aux & CONTENT_DIRTY)
			imap_set(&keep, e->start, e->end, &e->v);
	imap_destroy(&ip->pages);
	ip->pages = keep;
}

void
fs_drop_caches(struct fs *fs, int level)
{
	for (size_t i = 0; i < fs->ninodes; i++) {
		struct fs_inode *ip = fs->inodes[i];

		if (level & 1) {
			touch(fs, "inode %u pages", ip->ino);
			drop_clean_pages(ip);
		}
		if (level & 2) {
			touch(fs, "inode %u em", ip->ino);
			touch(fs, "inode %u meta", ip->ino);
			em_tree_destroy(&ip->em);
			em_tree_init(&ip->em);
			ip->meta_cached = false;
		}
	}
}

/* ---- faults ----------------------------------------------------------------- */

typedef void (*range_fn)(struct fs *, int mirror, uint64_t start,
    uint64_t end, const void *arg);

/*
 * Apply FN to the logical ranges backing file range [off, off + len)
 * (rounded out to sectors) on MIRROR, as the items say now.  FS_EINVAL if
 * any part of the range is a hole or has no item.
 */
static int
for_file_range(struct fs *fs, uint32_t ino, uint64_t off, uint64_t len,
    int mirror, range_fn fn, const void *arg)
{
	struct fs_inode *ip = fs_inode(fs, ino);
	uint64_t end = off + len < off ? UINT64_MAX : off + len;
	uint64_t s = round_down(off, ss(fs)), e;

	if (len > UINT64_MAX - off) {
		/* `max`: to the end of the file's last block. */
		end = round_up(ip->i_size, ss(fs));
		if (end <= s)
			return invalid(fs, "the range starts at or past the "
			    "end of the file");
	}
	e = round_up(end, ss(fs));
	/* Check first, so that a bad range changes nothing. */
	for (uint64_t p = s; p < e; ) {
		const struct fei_item *it = fei_lookup(&ip->items, p);

		if (it == NULL || it->disk_bytenr == 0)
			return invalid(fs, "the range includes a hole or "
			    "unwritten space: only written data can be faulted");
		p = it->file_offset + it->num_bytes;
	}
	for (uint64_t p = s; p < e; ) {
		const struct fei_item *it = fei_lookup(&ip->items, p);
		uint64_t t = it->file_offset + it->num_bytes;
		uint64_t base = it->disk_bytenr + it->offset - it->file_offset;

		if (t > e)
			t = e;
		fn(fs, mirror, base + p, base + t, arg);
		p = t;
	}
	return 0;
}

static void
corrupt_range(struct fs *fs, int mirror, uint64_t s, uint64_t t,
    const void *arg)
{
	mirror_corrupt(&fs->mirror[mirror - 1], s, t, *(const int *)arg);
}

static void
ioerror_range(struct fs *fs, int mirror, uint64_t s, uint64_t t,
    const void *arg)
{
	mirror_ioerror(&fs->mirror[mirror - 1], s, t,
	    *(const uint64_t *)arg);
}

int
fs_corrupt_file(struct fs *fs, uint32_t ino, uint64_t off, uint64_t len,
    int mirror, int fill)
{
	if (mirror < 1 || mirror > (int)fs->cfg.mirrors)
		return invalid(fs, "there is no such mirror");
	return for_file_range(fs, ino, off, len, mirror, corrupt_range, &fill);
}

int
fs_ioerror_file(struct fs *fs, uint32_t ino, uint64_t off, uint64_t len,
    int mirror, uint64_t count)
{
	uint64_t n = count == 0 ? MIRROR_IOERR_FOREVER : count;

	if (mirror < 1 || mirror > (int)fs->cfg.mirrors)
		return invalid(fs, "there is no such mirror");
	return for_file_range(fs, ino, off, len, mirror, ioerror_range, &n);
}

int
fs_corrupt_logical(struct fs *fs, uint64_t logical, uint64_t len, int mirror,
    int fill)
{
	uint64_t area_end = fs->alloc.base + fs->alloc.size;
	uint64_t s = round_down(logical, ss(fs)), e;

	if (mirror < 1 || mirror > (int)fs->cfg.mirrors)
		return invalid(fs, "there is no such mirror");
	if (len > UINT64_MAX - logical)
		len = area_end > logical ? area_end - logical : 0;
	if (logical < fs->alloc.base || logical >= area_end ||
	    len > area_end - logical)
		return invalid(fs, "the logical range is outside the data "
		    "area [1M, 1M + size)");
	e = round_up(logical + len, ss(fs));
	mirror_corrupt(&fs->mirror[mirror - 1], s, e, fill);
	return 0;
}

int
fs_set_online(struct fs *fs, int mirror, bool online)
{
	if (mirror < 1 || mirror > (int)fs->cfg.mirrors)
		return invalid(fs, "there is no such mirror");
	fs->mirror[mirror - 1].online = online;
	return 0;
}

/* True if some mirror other than K has no fault on the sector at L. */
static bool
other_good_copy(const struct fs *fs, int k, uint64_t l)
{
	for (int j = 0; j < (int)fs->cfg.mirrors; j++) {
		if (j == k)
			continue;
		if (imap_find(&fs->mirror[j].corrupt, l) == NULL &&
		    imap_find(&fs->mirror[j].ioerr, l) == NULL)
			return true;
	}
	return false;
}

/*
 * The number of sectors to skip before the next hit when each is hit with
 * probability num/den: a geometric draw, so the cost follows the number of
 * faults placed, not the number of sectors.
 */
static uint64_t
geometric_skip(struct rng *rng, uint64_t num, uint64_t den)
{
	double p = (double)num / (double)den;
	double u, g;

	if (num >= den)
		return 0;
	/* u in (0, 1]. */
	u = ((double)(rng_next(rng) >> 11) + 1.0) * (1.0 / 9007199254740992.0);
	g = floor(log(u) / log1p(-p));
	return g >= 1.8e19 ? UINT64_MAX : (uint64_t)g;
}

/*
 * Work limit (fs.h): FS_EINVAL if a rate of NUM/DEN would place more than
 * FS_MAX_FAULTS faults on the written sectors of every mirror, on
 * average.  The count placed is random, but its tail beyond twice the
 * mean vanishes, so this bounds the work and the overlay entries.
 */
static int
faults_limit(struct fs *fs, uint64_t num, uint64_t den)
{
	double sectors = 0, mean;

	for (int k = 0; k < (int)fs->cfg.mirrors; k++) {
		const struct imap *c = &fs->mirror[k].content;

		for (const struct imap_ent *e = imap_first(c); e != NULL;
		    e = imap_next(c, e))
			sectors += (double)((round_up(e->end, ss(fs)) -
			    round_down(e->start, ss(fs))) / ss(fs));
	}
	mean = sectors * (double)num / (double)den;
	if (mean <= FS_MAX_FAULTS)
		return 0;
	snprintf(fs->why, sizeof(fs->why), "rate x written sectors is about "
	    "%.0f faults, more than the %u one faults statement may place: "
	    "lower the rate", mean, FS_MAX_FAULTS);
	return FS_EINVAL;
}

int
fs_faults(struct fs *fs, uint64_t num, uint64_t den, unsigned kinds,
    bool safe)
{
	int r;

	if (num == 0 || den == 0)
		return 0;
	if ((r = faults_limit(fs, num, den)) != 0)
		return r;
	for (int k = 0; k < (int)fs->cfg.mirrors; k++) {
		struct mirror *m = &fs->mirror[k];
		/* Snapshot the written runs: faults do not change content. */
		size_t n = 0, cap = 16;
		uint64_t (*runs)[2] = xreallocarray(NULL, cap, sizeof(*runs));

		for (const struct imap_ent *e = imap_first(&m->content);
		    e != NULL; e = imap_next(&m->content, e)) {
			if (n == cap)
				runs = xreallocarray(runs, cap *= 2,
				    sizeof(*runs));
			runs[n][0] = round_down(e->start, ss(fs));
			runs[n][1] = round_up(e->end, ss(fs));
			n++;
		}
		for (size_t i = 0; i < n; i++) {
			uint64_t l = runs[i][0];

			for (;;) {
				uint64_t skip = geometric_skip(&fs->rng, num,
				    den);
				bool corrupt;

				if (skip > (runs[i][1] - l) / ss(fs))
					break;
				l += skip * ss(fs);
				if (l >= runs[i][1])
					break;
				corrupt = kinds == FS_FAULT_CORRUPT ||
				    (kinds != FS_FAULT_IOERROR &&
				    (rng_next(&fs->rng) & 1));
				if (!safe || other_good_copy(fs, k, l)) {
					if (corrupt)
						mirror_corrupt(m, l, l + ss(fs),
						    -1);
					else
						mirror_ioerror(m, l, l + ss(fs),
						    MIRROR_IOERR_FOREVER);
				}
				l += ss(fs);
			}
		}
		free(runs);
	}
	return 0;
}
