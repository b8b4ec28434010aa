/*
 * The concurrency glue: the fs's blocking points put on the scheduler's
 * primitives (sched.h) while a schedule runs (fs_attach).
 *
 *   locks	the era's lock set (era.h): global locks (2008's
 *		fs_mutex) and per-inode ones (the extent map tree's
 *		spinlock, i_mutex), made at attach in the era table's order,
 *		and page locks, made on first use
 *   bios	every bio made during the schedule, freed at detach, finished
 *		or not; a bio is posted to the device, whose completion (a
 *		posted action the scheduler fires) does the I/O and queues
 *		the bio on the end-io work queue
 *   workers	cfg.workers end-io workers (2008's btrfs-end-io) that pop
 *		completions in FIFO order and run each bio's end-io work
 *   windows	the page reads in flight, from their get_extent to their
 *		completion: a cache drop covering one marks it, so that a
 *		retry that then misses the cache is told from one that lost
 *		its map some other way
 *
 * Sequentially (no scheduler) every function here is a no-op or says so:
 * an operation then runs to completion, its bios complete at once, and
 * the data path runs their completions itself.
 *
 * Locks, events and queues record themselves in footprints (sched.h);
 * what this module shares outside them is recorded here (foot.h): the
 * page locks' existence and holders as FOOT_PAGES of their inode, the
 * bio list as FOOT_BIOLIST, the windows as FOOT_READS.  Memory: all of it
 * belongs to the struct conc, freed by conc_free().
 */
#ifndef SIM_CONC_H
#define SIM_CONC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs.h"
#include "sched.h"

struct conc;
struct fs;
struct imap;
struct fs_inode;

/* The locks an era may have (era.h lists which, and names them). */
enum conc_lock {
	CONC_FS_MUTEX,		/* 2008: fs_info->fs_mutex, global */
	CONC_EM_LOCK,		/* the extent map tree's lock, per inode */
	CONC_I_MUTEX,		/* inode->i_mutex, per inode */
	CONC_ORDERED,		/* modern: an inode's ordered extents, per
				   inode (btrfs_wait_ordered_range) */
	CONC_LOCK_COUNT
};

/* One lock of an era's lock set. */
struct conc_lock_class {
	enum conc_lock		 id;
	const char		*name;	/* per inode: then " INO" */
	enum sched_lock_kind	 kind;
	bool			 per_inode;
};

/*
 * What the glue knows of a bio; an era's bio embeds it first.  AT_DEVICE
 * (or NULL) runs in the device's completion callback and does the I/O;
 * AT_WORKER runs on an end-io worker and must signal EV when the bio's
 * waiter may go on.  A bio with no AT_WORKER completes in the callback
 * itself (EV signalled there), as a write waited for with
 * submit_bio_wait() does.
 */
struct conc_bio {
	struct conc_bio	*next;		/* every bio of the schedule */
	struct fs	*fs;
	struct sched_event ev;
	uint8_t		*buf;		/* the bio's data, or NULL */
	void		(*at_device)(struct fs *, struct conc_bio *);
	void		(*at_worker)(struct fs *, struct conc_bio *);
	/* Frees what the bio points to (or NULL); run when it is freed. */
	void		(*release)(struct conc_bio *);
	/*
	 * The bio's own fields, hashed for a state hash (sched.h), or NULL
	 * when its kind cannot say (then no state with it is cached).  The
	 * glue adds what every bio has: its work, its data, whether it is
	 * done and which entity made it (whose result and frame it points
	 * into).
	 */
	uint64_t	(*hash)(const struct conc_bio *);
	int		 creator;	/* entity id, -1 from a callback */
};

/* A page read in flight (see above); lives in the reader's frame. */
struct conc_window {
	struct conc_window	*next;
	const struct fs_inode	*ip;
	uint64_t		 p;	/* file offset of the page */
	bool			 dropped;
};

/*
 * The glue of FS under SCHED for one schedule: the lock set of LOCKS
 * (NLOCKS classes), the end-io queue and WORKERS workers spawned after the
 * tasks.  Freed by conc_free.
 */
struct conc	*conc_new(struct fs *, struct sched *,
		    const struct conc_lock_class *locks, size_t nlocks,
		    enum sched_lock_kind page_lock_kind, uint32_t workers);
/*
 * Run OP(FS, ARG) as the one task of a world of its own under the fifo
 * schedule, with the fs attached, and return its status: how an era
 * whose operations complete through the end-io workers (the modern one)
 * runs a statement outside a concurrent block.  A world that cannot
 * finish is FS_EDEADLK; an oops FS_EOOPS.
 */
int		 conc_run_alone(struct fs *, int (*op)(struct fs *, void *),
		    void *arg);
/* The task running alone, as conc_run_alone() made it. */
bool		 conc_alone(const struct conc *);
/*
 * The pid a task's read has by default: 0 for a statement, the task's
 * number (1, 2, ...) inside a concurrent block.
 */
int		 conc_task_pid(const struct fs *);
void		 conc_free(struct conc *);

struct sched	*conc_sched(const struct conc *);
/* The running entity, or -1 (a posted action's callback). */
int		 conc_self(const struct conc *);
/* Entities of the schedule: the tasks and the workers. */
int		 conc_nent(const struct conc *);

/*
 * Sites.  The calls that take a lock or wait are macros that pass their
 * caller's __func__ to the _at function, which the scheduler records as
 * the site of the hold or wait (sched.h, Sites): a deadlock report names
 * the model function, and the era's table of kernel functions
 * (era_kernel_fn()) the function of 2008 or 6.x it stands for.
 *
 * The lock calls are no-ops sequentially, which they test inline (a read
 * makes several a page); the _sched functions are their bodies.
 */
void		 conc_lock_sched(struct fs *, enum conc_lock,
		    const struct fs_inode *, const char *fn);
void		 conc_unlock_sched(struct fs *, enum conc_lock,
		    const struct fs_inode *);
void		 conc_lock_page_sched(struct fs *, const struct fs_inode *,
		    uint64_t, const char *fn);
void		 conc_unlock_page_sched(struct fs *, const struct fs_inode *,
		    uint64_t);

/* Take or drop lock ID (IP's for a per-inode lock; NULL otherwise). */
static inline void
conc_lock_at(struct fs *fs, enum conc_lock id, const struct fs_inode *ip,
    const char *fn)
{
	if (fs_conc(fs) != NULL)
		conc_lock_sched(fs, id, ip, fn);
}
#define conc_lock(fs, id, ip)	conc_lock_at((fs), (id), (ip), __func__)

static inline void
conc_unlock(struct fs *fs, enum conc_lock id, const struct fs_inode *ip)
{
	if (fs_conc(fs) != NULL)
		conc_unlock_sched(fs, id, ip);
}

/* The page lock of (IP, P): lock_page(), unlock_page(). */
static inline void
conc_lock_page_at(struct fs *fs, const struct fs_inode *ip, uint64_t p,
    const char *fn)
{
	if (fs_conc(fs) != NULL)
		conc_lock_page_sched(fs, ip, p, fn);
}
#define conc_lock_page(fs, ip, p) conc_lock_page_at((fs), (ip), (p), __func__)

static inline void
conc_unlock_page(struct fs *fs, const struct fs_inode *ip, uint64_t p)
{
	if (fs_conc(fs) != NULL)
		conc_unlock_page_sched(fs, ip, p);
}
/* The caller's page lock of (IP, P) now belongs to the bio reading it. */
void		 conc_page_to_io(struct fs *, const struct fs_inode *ip,
		    uint64_t p);
/*
 * truncate_inode_pages(): wait until nobody holds a page lock of IP at or
 * beyond KEEP (a read in flight holds its page until its completion is
 * done).
 */
void		 conc_wait_pages_from_at(struct fs *,
		    const struct fs_inode *ip, uint64_t keep, const char *fn);
#define conc_wait_pages_from(fs, ip, keep) \
	conc_wait_pages_from_at((fs), (ip), (keep), __func__)
/* folio_wait_locked(): wait until nobody holds the page lock of (IP, P). */
void		 conc_wait_page_at(struct fs *, const struct fs_inode *ip,
		    uint64_t p, const char *fn);
#define conc_wait_page(fs, ip, p) conc_wait_page_at((fs), (ip), (p), __func__)
/* cond_resched(): the scheduler may switch entities here. */
void		 conc_preempt(struct fs *);
/* A simulated oops under the scheduler: the schedule ends. */
void		 conc_oops(struct fs *, const char *msg);

/*
 * A new bio of SIZE bytes (>= sizeof(struct conc_bio)), zeroed, with
 * BUFSIZE bytes of data at ->buf, owned by the glue; NULL sequentially.
 */
struct conc_bio	*conc_bio_new(struct fs *, size_t size, size_t bufsize);
/*
 * Submit B to the device as a posted action named "WHAT D<n>SUFFIX"
 * ("data read D3 (retry)"), where D<n> is the action's name in schedule
 * strings, so that a report and a schedule number a bio alike.
 */
void		 conc_bio_post(struct fs *, struct conc_bio *b,
		    const char *what, const char *suffix);
/* Sleep until B's end-io work signals it. */
void		 conc_bio_wait_at(struct fs *, struct conc_bio *b,
		    const char *fn);
#define conc_bio_wait(fs, b)	conc_bio_wait_at((fs), (b), __func__)
/* B's waiter may go on. */
void		 conc_bio_done(struct fs *, struct conc_bio *b);

/*
 * The glue's part of a state hash (sched.h): every lock's owner, the read
 * windows, the end-io queue's items in order and the bios (by content,
 * never by number or address).  *COMPLETE is cleared when a bio cannot be
 * hashed.  The glue also names events, items and posted actions for the
 * scheduler's part (it registers with sched_set_ident() at attach).
 */
uint64_t	 conc_state_hash(const struct conc *, bool *complete);
/*
 * The running entity declares its program point (sched_point()); a
 * no-op sequentially.
 */
void		 conc_point(struct fs *, uint64_t pp);
/* A bio's identity in a state hash (its content); *KNOWN as above. */
uint64_t	 conc_bio_hash(const struct conc_bio *, bool *known);

/* SIZE zeroed bytes that live until the schedule ends (conc_free). */
void		*conc_alloc(struct fs *, size_t size);
/*
 * An empty map that lives until the schedule ends, emptied then: what a
 * task keeps across a blocking point, since a schedule that ends with
 * the task blocked (a deadlock, a crash, an exploration's cut) never
 * runs the rest of it.  Emptying it earlier (imap_destroy) is allowed.
 */
struct imap	*conc_imap(struct fs *);
/*
 * An event a task waits for and an end-io worker signals (a direct
 * read's completion): initialised as NAME, signalled through the end-io
 * queue for the reports.
 */
void		 conc_event_init(struct fs *, struct sched_event *,
		    const char *name);
void		 conc_event_wait_at(struct fs *, struct sched_event *,
		    const char *fn);
#define conc_event_wait(fs, ev)	conc_event_wait_at((fs), (ev), __func__)
void		 conc_event_signal(struct fs *, struct sched_event *);

/* Register the read window W of page (IP, P) / remove it. */
void		 conc_window_open(struct fs *, struct conc_window *w,
		    const struct fs_inode *ip, uint64_t p);
void		 conc_window_close(struct fs *, struct conc_window *w);
/* A cache drop of IP's [start, end] (inclusive) marks the windows in it. */
void		 conc_note_drop(struct fs *, const struct fs_inode *ip,
		    uint64_t start, uint64_t end);
/* Was W's page covered by a cache drop since it opened? */
bool		 conc_window_dropped(struct fs *, const struct conc_window *w);

#endif
