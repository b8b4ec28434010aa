/*
 * The toy worlds of the scheduler's unit suites (check_sched, check_explore,
 * check_por, check_lockorder).
 *
 * A world is built from a table (struct spec): locks, events, queues,
 * tasks that run little programs of operations (take, drop, yield, wait,
 * post, bump a shared counter), workers that pop items and run the items'
 * programs, and posted actions that push items or run a program in
 * interrupt context.  sched_check() runs after every operation.  The
 * exploration harness runs sched_explore() over a spec with the trail's
 * own checker on (sched_explore_opts.check) and collects what the suites
 * compare: final-state signatures, the schedule that logged 2 then 1, the
 * progress calls.
 */
#ifndef TESTS_UNIT_SCHED_WORLD_H
#define TESTS_UNIT_SCHED_WORLD_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "sim/sched.h"
#include "tests/unit/suite.h"

#define MAXL	4	/* locks */
#define MAXE	6	/* events */
#define MAXQ	2	/* queues */
#define MAXT	4	/* tasks */
#define MAXW	2	/* workers */
#define MAXI	6	/* work items */
#define MAXA	6	/* posted actions */
#define MAXOPS	16

enum opk {
	END,		/* end of a program */
	ACQ,		/* sched_acquire(lock a) */
	REL,		/* sched_release(lock a) */
	YIELD,
	WAIT,		/* sched_wait(event a) */
	SIGNAL,		/* sched_signal(event a) */
	POST,		/* sched_post(action a) */
	BUMP,		/* v[a] = 3 * v[a] + self + 1: order-sensitive data */
	TOUCH,		/* sched_touch("v<a>") */
	LOG,		/* append a to the world's log */
	OOPS		/* sched_oops() */
};

struct op {
	enum opk	k;
	int		a;
};

struct item_spec {
	int		q;		/* queue it goes to */
	struct op	ops[MAXOPS];	/* what a worker does with it */
};

struct action_spec {
	const char	*name;
	int		nitems;
	int		items[4];	/* pushed in this order */
	struct op	ops[MAXOPS];	/* then run in interrupt context */
};

struct spec {
	int		nlock;
	const char	*lname[MAXL];
	enum sched_lock_kind lkind[MAXL];
	int		nev;
	const char	*ename[MAXE];
	int		evia[MAXE];	/* queue index + 1, 0 for none */
	int		nq;
	const char	*qname[MAXQ];
	int		ntask;
	struct op	task[MAXT][MAXOPS];
	int		nworker;
	int		wq[MAXW];	/* queue of each worker */
	const char	*wname[MAXW];
	struct item_spec item[MAXI];
	struct action_spec action[MAXA];
};

struct world;

struct ref {
	struct world	*w;
	int		 i;
};

struct world {
	const struct spec *sp;
	struct sched	*s;
	struct sched_lock lock[MAXL];
	struct sched_event ev[MAXE];
	struct sched_queue q[MAXQ];
	struct ref	 tref[MAXT], wref[MAXW], iref[MAXI], aref[MAXA];
	int		 pc[MAXT];	/* operations each task completed */
	uint64_t	 v[MAXL];	/* shared data */
	int		 log[32];
	int		 nlog;
	bool		 points;	/* tasks declare program points */
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Hot paths (every operation of every schedule) test with CHECK_HOT: a
 * passing ck_assert() costs Check a message, and these run millions of
 * times.
 */
#define CHECK_HOT(cond, ...)	do {					\
	if (!(cond))							\
		ck_abort_msg(__VA_ARGS__);				\
} while (0)

/* FN(OBJ, &why), a *_check() walker, must pass. */
#define CHECK_PASSES(fn, obj)	do {					\
	const char *why_ = NULL;					\
									\
	CHECK_HOT(fn((obj), &why_) == 0, #fn ": %s", why_);		\
} while (0)


struct harness {
	const struct spec *sp;
	const struct spec *alt;		/* if set, every other setup uses it */
	int		 nsetup;
	struct world	*w;
	uint64_t	*sig;		/* final-state signatures seen */
	size_t		 nsig;
	bool		 collect;
	bool		 stop_on_log21;	/* stop at a log of 2 then 1 */
	uint32_t	 finished;	/* bit m: a schedule ended with the
					   tasks of mask m finished */
	char		 found[1024];	/* that schedule */
	bool		 progressed;
	uint64_t	 progress_done;
	double		 progress_rate;
	/* The state cache (explore.h): tasks declare their points and
	 * h_world_hash() hashes the world; LEAKY leaves the data out of
	 * the hash (a self-test: the cache then loses final states). */
	bool		 states;
	bool		 leaky;
	/* Shards (explore.h): with COLLECT, the hashes of the schedules
	 * visited that are not foreign, in visit order; the foreign ones
	 * visited; the first completed schedule, foreign or not. */
	uint64_t	*runs;
	size_t		 nruns;
	uint64_t	 foreign;
	char		 first_done[1024];
};

/* The world's part of a state hash, for sched_explore_opts.world_hash. */
uint64_t	h_world_hash(void *arg, bool *complete);

/* The worlds several suites use (sched_world.c says what each is). */
extern const struct spec world_abba, world_mini, world_mini_ok, world_btrfs,
    world_btrfs_fixed, world_yields, world_posted;

void		 check_sched(const struct sched *);
struct world	*world_new(const struct spec *, const struct sched_opts *);
void		 world_free(struct world *);
void		 task_fn(struct sched *, void *);
void		 run1(const struct spec *, enum sched_policy, const char *str,
		    uint64_t seed, struct sched_result *);
struct sched	*h_setup(void *, const struct sched_opts *);
void		 h_teardown(void *, struct sched *);
bool		 h_visit(void *, struct sched *, const struct sched_result *);
void		 h_progress(void *, uint64_t, double);
void		 explore(struct harness *, const struct sched_explore_opts *,
		    struct sched_explore_result *);
struct sched_explore_opts eopts(void);
int		 cmp_u64(const void *, const void *);

#endif
