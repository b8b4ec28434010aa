/*
 * The concurrency glue (conc.h): the era's locks, page locks, bios, the
 * btrfs-end-io work queue and its workers, and the read windows, for one
 * schedule.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "conc.h"
#include "foot.h"
#include "fs.h"
#include "imap.h"
#include "inode.h"
#include "rng.h"
#include "xmalloc.h"

/* A page lock, made on first use. */
struct conc_pagelock {
	struct conc_pagelock	*next;		/* every page lock, newest first */
	uint32_t		 ino;
	uint64_t		 p;
	struct sched_lock	 lock;
};

/* The page locks by (inode, page): open addressing, half full at most. */
struct conc_pagemap {
	struct conc_pagelock	**slot;
	size_t			 cap;		/* 0 or a power of two */
	size_t			 n;
};

/* A block of conc_alloc(); FINI (or NULL) empties it at conc_free. */
struct conc_mem {
	struct conc_mem		*next;
	void			(*fini)(void *);
};

struct conc {
	struct fs		*fs;
	struct sched		*sched;
	bool			 alone;		/* conc_run_alone's world */
	enum sched_lock_kind	 page_kind;
	struct conc_mem		*mem;
	struct sched_lock	 global[CONC_LOCK_COUNT];
	struct sched_lock	*per_inode[CONC_LOCK_COUNT]; /* [ino - 1];
						   key 0: not made yet */
	const struct conc_lock_class *cls[CONC_LOCK_COUNT]; /* per inode */
	bool			 have[CONC_LOCK_COUNT];
	size_t			 ninodes;	/* inodes with locks */
	struct sched_queue	 endio;
	struct conc_pagelock	*pages;
	struct conc_pagemap	 pagemap;
	struct conc_bio		*bios;
	int			 nposted;	/* device actions: D1 ... */
	struct conc_window	*windows;
	int			 nent;		/* tasks and workers */
};

static void	endio_worker(struct sched *, void *);
static uint64_t	conc_ident(void *, enum sched_ident_kind, const void *,
		    bool *);

struct conc *
conc_new(struct fs *fs, struct sched *sched,
    const struct conc_lock_class *locks, size_t nlocks,
    enum sched_lock_kind page_kind, uint32_t workers)
{
	struct conc *c = xcalloc(1, sizeof(*c));
	char name[SCHED_NAME];
	int id;

	c->fs = fs;
	c->sched = sched;
	c->page_kind = page_kind;
	c->ninodes = fs_ninodes(fs);
	for (size_t i = 0; i < nlocks; i++)
		if (!locks[i].per_inode) {
			sched_lock_init(sched, &c->global[locks[i].id],
			    locks[i].kind, locks[i].name);
			c->have[locks[i].id] = true;
		}
	sched_queue_init(sched, &c->endio, "btrfs-end-io");
	/* Per-inode locks are made on first use (lock_of()): a block
	 * touches a few of the fs's inodes, and each schedule makes them
	 * afresh. */
	for (size_t i = 0; i < nlocks; i++)
		if (locks[i].per_inode) {
			c->per_inode[locks[i].id] = xcalloc(c->ninodes ?
			    c->ninodes : 1, sizeof(struct sched_lock));
			c->cls[locks[i].id] = &locks[i];
			c->have[locks[i].id] = true;
		}
	sched_set_ident(sched, conc_ident, c);
	c->nent = SCHED_MAX_ENTITIES;
	for (uint32_t w = 1; w <= workers; w++) {
		sched_name_num(name, "end-io worker ", w, "");
		id = sched_spawn(sched, SCHED_WORKER, name, endio_worker, fs);
		if (id >= 0)
			c->nent = id + 1;	/* the tasks came first */
	}
	return c;
}

void
conc_free(struct conc *c)
{
	if (c == NULL)
		return;
	while (c->pages != NULL) {
		struct conc_pagelock *pl = c->pages;

		c->pages = pl->next;
		free(pl);
	}
	free(c->pagemap.slot);
	while (c->bios != NULL) {
		struct conc_bio *b = c->bios;

		c->bios = b->next;
		if (b->release != NULL)
			b->release(b);
		free(b);
	}
	while (c->mem != NULL) {
		struct conc_mem *m = c->mem;

		c->mem = m->next;
		if (m->fini != NULL)
			m->fini(m + 1);
		free(m);
	}
	sched_queue_free(&c->endio);
	for (int i = 0; i < CONC_LOCK_COUNT; i++)
		free(c->per_inode[i]);
	free(c);
}

/* The one task of conc_run_alone(). */
struct alone {
	struct fs	*fs;
	int		(*op)(struct fs *, void *);
	void		*arg;
	int		 status;
};

static void
alone_main(struct sched *s, void *arg)
{
	struct alone *a = arg;

	(void)s;
	a->status = a->op(a->fs, a->arg);
}

int
conc_run_alone(struct fs *fs, int (*op)(struct fs *, void *), void *arg)
{
	struct sched_opts so = { .policy = SCHED_POLICY_FIFO,
	    .max_steps = (size_t)-1 };
	struct alone a = { .fs = fs, .op = op, .arg = arg };
	struct sched_result *res = xmalloc(sizeof(*res));
	struct sched *s = sched_new(&so);
	int status;

	sched_spawn(s, SCHED_TASK, "task 1", alone_main, &a);
	fs_attach(fs, s);
	fs_conc(fs)->alone = true;
	sched_run(s, res);
	fs_detach(fs);
	sched_free(s);
	switch (res->outcome) {
	case SCHED_COMPLETED:
		status = a.status;
		break;
	case SCHED_OOPS:
		if (!fs_crashed(fs))
			fs_oops(fs, "scheduler", res->oops);
		status = fs_hung(fs) ? FS_EHANG : FS_EOOPS;
		break;
	default:
		status = FS_EDEADLK;
		break;
	}
	free(res);
	return status;
}

bool
conc_alone(const struct conc *c)
{
	return c->alone;
}

int
conc_task_pid(const struct fs *fs)
{
	const struct conc *c = fs_conc(fs);

	if (c == NULL || c->alone || sched_self(c->sched) < 0)
		return 0;
	return sched_self(c->sched) + 1;	/* tasks come first */
}

void *
conc_alloc(struct fs *fs, size_t size)
{
	struct conc *c = fs_conc(fs);
	struct conc_mem *m = xcalloc(1, sizeof(*m) + size);

	m->next = c->mem;
	c->mem = m;
	return m + 1;
}

/* conc_imap's FINI. */
static void
imap_fini(void *m)
{
	imap_destroy(m);
}

struct imap *
conc_imap(struct fs *fs)
{
	struct imap *m = conc_alloc(fs, sizeof(*m));

	((struct conc_mem *)m - 1)->fini = imap_fini;
	imap_init(m);
	return m;
}

void
conc_event_init(struct fs *fs, struct sched_event *ev, const char *name)
{
	sched_event_init(ev, name, &fs_conc(fs)->endio);
}

void
conc_event_wait_at(struct fs *fs, struct sched_event *ev, const char *fn)
{
	sched_wait_at(fs_conc(fs)->sched, ev, fn);
}

void
conc_event_signal(struct fs *fs, struct sched_event *ev)
{
	sched_signal(fs_conc(fs)->sched, ev);
}

struct sched *
conc_sched(const struct conc *c)
{
	return c->sched;
}

int
conc_self(const struct conc *c)
{
	return sched_self(c->sched);
}

int
conc_nent(const struct conc *c)
{
	return c->nent;
}

/* Lock ID of IP (or the global one), or NULL if the era has none; a
 * per-inode lock is made here on first use, named "NAME INO". */
static struct sched_lock *
lock_of(struct conc *c, enum conc_lock id, const struct fs_inode *ip)
{
	struct sched_lock *l;
	char name[SCHED_NAME];
	uint32_t ino;

	if (!c->have[id])
		return NULL;
	if (c->per_inode[id] == NULL)
		return &c->global[id];
	if (ip == NULL || (ino = inode_ino(ip)) > c->ninodes)
		return NULL;	/* created after the block began */
	l = &c->per_inode[id][ino - 1];
	if (l->key == 0) {
		snprintf(name, sizeof(name), "%s %u", c->cls[id]->name,
		    (unsigned)ino & 0xffffu);
		sched_lock_init(c->sched, l, c->cls[id]->kind, name);
	}
	return l;
}

void
conc_lock_sched(struct fs *fs, enum conc_lock id, const struct fs_inode *ip,
    const char *fn)
{
	struct conc *c = fs_conc(fs);
	struct sched_lock *l;

	if ((l = lock_of(c, id, ip)) != NULL)
		sched_acquire_at(c->sched, l, fn);
}

void
conc_unlock_sched(struct fs *fs, enum conc_lock id,
    const struct fs_inode *ip)
{
	struct conc *c = fs_conc(fs);
	struct sched_lock *l;

	if ((l = lock_of(c, id, ip)) != NULL)
		sched_release(c->sched, l);
}

/* The slot of (INO, P) in the page map: its lock's, or an empty one. */
static size_t
pagemap_slot(const struct conc_pagemap *m, uint32_t ino, uint64_t p)
{
	size_t mask = m->cap - 1;
	size_t i = rng_mix64(p ^ ((uint64_t)ino << 44)) & mask;

	while (m->slot[i] != NULL &&
	    (m->slot[i]->ino != ino || m->slot[i]->p != p))
		i = (i + 1) & mask;
	return i;
}

/* Make room for one more page lock in M, rehashing when half full. */
static void
pagemap_grow(struct conc_pagemap *m)
{
	struct conc_pagemap bigger;

	if (2 * (m->n + 1) <= m->cap)
		return;
	bigger.cap = m->cap ? 2 * m->cap : 64;
	bigger.n = m->n;
	bigger.slot = xcalloc(bigger.cap, sizeof(*bigger.slot));
	for (size_t i = 0; i < m->cap; i++)
		if (m->slot[i] != NULL)
			bigger.slot[pagemap_slot(&bigger, m->slot[i]->ino,
			    m->slot[i]->p)] = m->slot[i];
	free(m->slot);
	*m = bigger;
}

/*
 * The page lock of (IP, P), made on first use: keyed by the page (one
 * object each to the reduction, named "page INO:OFFSET" in reports), all
 * in one lock class "page" of the lock-order graph, as lockdep would
 * have them, so that a write holding 4096 pages adds no edges among them
 * (it took 4096 * 4095 / 2 before).
 */
static struct sched_lock *
page_lock_of(struct conc *c, const struct fs_inode *ip, uint64_t p)
{
	uint32_t ino = inode_ino(ip);
	struct conc_pagelock *pl;
	char name[SCHED_NAME], inum[SCHED_NAME];
	size_t i;

	pagemap_grow(&c->pagemap);
	i = pagemap_slot(&c->pagemap, ino, p);
	if (c->pagemap.slot[i] != NULL)
		return &c->pagemap.slot[i]->lock;
	pl = xcalloc(1, sizeof(*pl));
	pl->ino = ino;
	pl->p = p;
	sched_name_num(inum, "page ", ino & 0xffffu, ":");
	sched_name_num(name, inum, p & (uint64_t)0xffffffffff, "");
	sched_lock_init_class(c->sched, &pl->lock, c->page_kind,
	    sched_name_key(name), name, sched_name_key("page"), "page");
	pl->next = c->pages;
	c->pages = pl;
	c->pagemap.slot[i] = pl;
	c->pagemap.n++;
	return &pl->lock;
}

void
conc_lock_page_sched(struct fs *fs, const struct fs_inode *ip, uint64_t p,
    const char *fn)
{
	struct conc *c = fs_conc(fs);

	sched_acquire_at(c->sched, page_lock_of(c, ip, p), fn);
	foot_touch(fs, FOOT_PAGES, inode_ino(ip), 0);
}

void
conc_page_to_io(struct fs *fs, const struct fs_inode *ip, uint64_t p)
{
	struct conc *c = fs_conc(fs);

	if (c != NULL)
		sched_handoff(c->sched, page_lock_of(c, ip, p));
}

void
conc_unlock_page_sched(struct fs *fs, const struct fs_inode *ip, uint64_t p)
{
	struct conc *c = fs_conc(fs);

	foot_touch(fs, FOOT_PAGES, inode_ino(ip), 0);
	sched_release(c->sched, page_lock_of(c, ip, p));
}

void
conc_wait_pages_from_at(struct fs *fs, const struct fs_inode *ip,
    uint64_t keep, const char *fn)
{
	struct conc *c = fs_conc(fs);
	uint32_t ino = inode_ino(ip);

	if (c == NULL)
		return;
	foot_touch(fs, FOOT_PAGES, ino, 0);
	for (struct conc_pagelock *pl = c->pages; pl != NULL; pl = pl->next)
		if (pl->ino == ino && pl->p >= keep) {
			/* Held by a task, or under I/O (handed off). */
			if (pl->lock.owner != -1) {
				sched_acquire_at(c->sched, &pl->lock, fn);
				sched_release(c->sched, &pl->lock);
			}
			foot_touch(fs, FOOT_PAGES, ino, 0);	/* it may sleep */
		}
}

void
conc_wait_page_at(struct fs *fs, const struct fs_inode *ip, uint64_t p,
    const char *fn)
{
	struct conc *c = fs_conc(fs);
	struct sched_lock *l;

	if (c == NULL)
		return;
	l = page_lock_of(c, ip, p);
	if (l->owner != -1) {
		sched_acquire_at(c->sched, l, fn);
		sched_release(c->sched, l);
	}
	foot_touch(fs, FOOT_PAGES, inode_ino(ip), 0);
}

void
conc_preempt(struct fs *fs)
{
	struct conc *c = fs_conc(fs);

	if (c != NULL)
		sched_preempt_point(c->sched);
}

void
conc_oops(struct fs *fs, const char *msg)
{
	struct conc *c = fs_conc(fs);

	if (c != NULL)
		sched_oops(c->sched, msg);
}

struct conc_bio *
conc_bio_new(struct fs *fs, size_t size, size_t bufsize)
{
	struct conc *c = fs_conc(fs);
	struct conc_bio *b;

	if (c == NULL)
		return NULL;
	foot_touch(fs, FOOT_BIOLIST, 0, 0);
	b = xcalloc(1, size + bufsize);
	b->fs = fs;
	b->buf = bufsize > 0 ? (uint8_t *)b + size : NULL;
	b->creator = conc_self(c);
	b->next = c->bios;
	c->bios = b;
	return b;
}

/* The device completing a posted bio: the I/O, then the end-io queue. */
static void
device_complete(struct sched *s, void *arg)
{
	struct conc_bio *b = arg;

	if (b->at_device != NULL)
		b->at_device(b->fs, b);
	if (b->at_worker == NULL)
		sched_signal(s, &b->ev);	/* completes right here */
	else
		sched_push(s, &fs_conc(b->fs)->endio, b);
}

/* Post B named after the number its action gets, which this glue
 * counts (it is the world's only poster) and the scheduler confirms. */
void
conc_bio_post(struct fs *fs, struct conc_bio *b, const char *what,
    const char *suffix)
{
	struct conc *c = fs_conc(fs);
	char name[SCHED_NAME];
	int n;

	foot_touch(fs, FOOT_BIOLIST, 0, 0);	/* as the naming always did */
	snprintf(name, sizeof(name), "%s D%d%s", what, c->nposted + 1,
	    suffix);
	sched_event_init(&b->ev, name, b->at_worker != NULL ? &c->endio :
	    NULL);
	b->ev.owner = b;
	n = sched_post(c->sched, name, device_complete, b);
	assert(n == c->nposted + 1);
	c->nposted = n;
}

void
conc_bio_wait_at(struct fs *fs, struct conc_bio *b, const char *fn)
{
	sched_wait_at(fs_conc(fs)->sched, &b->ev, fn);
}

void
conc_bio_done(struct fs *fs, struct conc_bio *b)
{
	sched_signal(fs_conc(fs)->sched, &b->ev);
}

/* An end-io worker: pop completions in FIFO order and run their work. */
static void
endio_worker(struct sched *s, void *arg)
{
	struct fs *fs = arg;
	struct conc *c = fs_conc(fs);

	for (;;) {
		struct conc_bio *b = sched_pop(s, &c->endio);

		b->at_worker(fs, b);
		sched_done(s, &c->endio);
	}
}

void
conc_window_open(struct fs *fs, struct conc_window *w,
    const struct fs_inode *ip, uint64_t p)
{
	struct conc *c = fs_conc(fs);

	w->ip = ip;
	w->p = p;
	w->dropped = false;
	w->next = NULL;
	if (c == NULL)
		return;
	foot_touch(fs, FOOT_READS, inode_ino(ip), 0);
	w->next = c->windows;
	c->windows = w;
}

void
conc_window_close(struct fs *fs, struct conc_window *w)
{
	struct conc *c = fs_conc(fs);
	struct conc_window **pp;

	if (c == NULL)
		return;
	foot_touch(fs, FOOT_READS, inode_ino(w->ip), 0);
	for (pp = &c->windows; *pp != w; pp = &(*pp)->next)
		;
	*pp = w->next;
}

void
conc_note_drop(struct fs *fs, const struct fs_inode *ip, uint64_t start,
    uint64_t end)
{
	struct conc *c = fs_conc(fs);
	uint64_t ss = fs_cfg(fs)->sectorsize;

	if (c == NULL)
		return;
	foot_touch(fs, FOOT_READS, inode_ino(ip), 0);
	for (struct conc_window *w = c->windows; w != NULL; w = w->next)
		if (w->ip == ip && w->p <= end && w->p + ss - 1 >= start)
			w->dropped = true;
}

bool
conc_window_dropped(struct fs *fs, const struct conc_window *w)
{
	if (w == NULL || fs_conc(fs) == NULL)
		return false;
	foot_touch(fs, FOOT_READS, inode_ino(w->ip), 0);
	return w->dropped;
}

/* ---- state hashes -------------------------------------------------------- */

uint64_t
conc_bio_hash(const struct conc_bio *b, bool *known)
{
	uint64_t h;

	*known = b->hash != NULL;
	if (!*known)
		return 0;
	/* Function addresses are the same in every run of this process. */
	h = rng_fold((uint64_t)(uintptr_t)b->at_device,
	    (uint64_t)(uintptr_t)b->at_worker);
	h = rng_fold(h, b->ev.done);
	h = rng_fold(h, (uint64_t)(int64_t)b->creator);
	if (b->buf != NULL)
		h = rng_fold(h, rng_hash_bytes(b->buf,
		    fs_cfg(b->fs)->sectorsize));
	return rng_fold(h, b->hash(b));
}

/* The world's identities for the scheduler: every event, item and post
 * of this glue is a bio. */
static uint64_t
conc_ident(void *ctx, enum sched_ident_kind kind, const void *obj,
    bool *known)
{
	(void)ctx;
	(void)kind;
	return conc_bio_hash(obj, known);
}

/* A lock's owner, named by its key. */
static uint64_t
lock_hash(uint64_t h, const struct sched_lock *l)
{
	return rng_fold(rng_fold(h, l->key), (uint64_t)(int64_t)l->owner);
}

/* A page lock, with its rank among its inode's in the list. */
struct page_rank {
	uint32_t	ino;
	size_t		rank;
	const struct sched_lock *lock;
};

static int
cmp_page_rank(const void *a, const void *b)
{
	const struct page_rank *x = a, *y = b;

	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return (x->rank > y->rank) - (x->rank < y->rank);
}

/*
 * The page locks: only an inode's own are ever walked in the list's
 * order (conc_wait_pages_from()), so each inode's sequence is hashed in
 * that order and the inodes apart, whatever order their pages were made
 * in.
 */
static uint64_t
pages_hash(const struct conc *c)
{
	struct page_rank *v;
	size_t n = c->pagemap.n, i = 0;
	uint64_t h = n;

	if (n == 0)
		return h;
	v = xreallocarray(NULL, n, sizeof(*v));
	for (const struct conc_pagelock *pl = c->pages; pl != NULL;
	    pl = pl->next, i++)
		v[i] = (struct page_rank){ pl->ino, i, &pl->lock };
	qsort(v, n, sizeof(*v), cmp_page_rank);
	for (i = 0; i < n; i++)
		h = lock_hash(h, v[i].lock);
	free(v);
	return h;
}

uint64_t
conc_state_hash(const struct conc *c, bool *complete)
{
	uint64_t h = 0x2545f4914f6cdd1dULL, bios = 0, windows = 0;
	bool known;

	for (int i = 0; i < CONC_LOCK_COUNT; i++) {
		if (!c->have[i])
			continue;
		if (c->per_inode[i] == NULL) {
			h = lock_hash(h, &c->global[i]);
			continue;
		}
		for (size_t k = 0; k < c->ninodes; k++)
			if (c->per_inode[i][k].key != 0)
				h = lock_hash(h, &c->per_inode[i][k]);
	}
	h = rng_fold(h, pages_hash(c));
	/* The read windows as a set: none is told from another by its
	 * place in the list (conc_note_drop() marks every one in range). */
	for (const struct conc_window *w = c->windows; w != NULL;
	    w = w->next)
		windows += rng_mix64(rng_fold(inode_ino(w->ip),
		    w->p << 1 | w->dropped));
	h = rng_fold(h, windows);
	for (size_t i = c->endio.head; i < c->endio.tail; i++) {
		h = rng_fold(h, conc_bio_hash(c->endio.items[i], &known));
		*complete = *complete && known;
	}
	/* The bios as a set: their numbers only name them. */
	for (const struct conc_bio *b = c->bios; b != NULL; b = b->next) {
		bios += rng_mix64(conc_bio_hash(b, &known));
		*complete = *complete && known;
	}
	return rng_fold(h, bios);
}

void
conc_point(struct fs *fs, uint64_t pp)
{
	struct conc *c = fs_conc(fs);

	if (c != NULL)
		sched_point(c->sched, pp);
}
