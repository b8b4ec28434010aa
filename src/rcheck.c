/*
 * The reduction check's outcome sets (see rcheck.h).  A set is an array
 * of (line, first schedule, arrival) kept unsorted while a block's
 * schedules run; rcheck_count() and rcheck_compare() sort it by line, then
 * by arrival, and drop the repeats, so each line keeps the schedule that
 * gave it first.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/em.h"
#include "../sim/fei.h"
#include "../sim/fs.h"
#include "../sim/inode.h"
#include "../sim/inv.h"
#include "../sim/sched.h"
#include "../sim/xmalloc.h"
#include "rcheck.h"

struct rcheck_ent {
	char		*line;		/* owned */
	char		*schedule;	/* owned */
	size_t		 seq;		/* arrival */
};

struct rcheck {
	struct rcheck_ent *v;
	size_t		 n, cap;
	size_t		 seq;
	bool		 sorted;	/* v is sorted and distinct */
};

struct rcheck *
rcheck_new(void)
{
	return xcalloc(1, sizeof(struct rcheck));
}

void
rcheck_free(struct rcheck *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].line);
		free(c->v[i].schedule);
	}
	free(c->v);
	free(c);
}

void
rcheck_outcome(FILE *f, const struct sched_result *res)
{
	switch (res->outcome) {
	case SCHED_COMPLETED:
		fputs("completed", f);
		break;
	case SCHED_DEADLOCK:
		fprintf(f, "deadlock: %s", res->cycle[0] ? res->cycle :
		    "no entity can run");
		break;
	case SCHED_OOPS:
		fprintf(f, "oops: %s", res->oops);
		break;
	default:
		fprintf(f, "cut (%d)", (int)res->outcome);
		break;
	}
}

void
rcheck_task(FILE *f, size_t task, int status,
    const struct fs_read_result *rr)
{
	fprintf(f, "; task %zu: status %d", task + 1, status);
	if (rr->bytes == 0 && rr->device_pages == 0)
		return;
	fprintf(f, ", %" PRIu64 " bytes, %" PRIu64 " device pages, served "
	    "%#x, %" PRIu64 " retries, lookups %#x, %s, byte %d, eio %#x",
	    rr->bytes, rr->device_pages, rr->served, rr->retries,
	    rr->lookups, rr->intact ? "intact" : "not intact", rr->uniform,
	    rr->eio);
}

void
rcheck_state(FILE *f, struct fs *fs)
{
	struct inv_report rep = { 0 };
	unsigned kinds = 0;

	inv_check(fs, &rep);
	for (size_t i = 0; i < rep.n; i++)
		kinds |= 1u << rep.f[i].kind;
	inv_report_free(&rep);
	fprintf(f, "; findings %#x; counters", kinds);
	for (int c = 0; c < STAT_COUNT; c++)
		fprintf(f, " %" PRIu64, fs_stats(fs)->v[c]);
	for (uint32_t ino = 1; ino <= fs_ninodes(fs); ino++) {
		struct fs_inode *ip = fs_inode(fs, ino);
		const struct fei_tree *items = inode_items(fs, ip);
		const struct em_tree *em = inode_em(fs, ip);

		fprintf(f, "; inode %u size %" PRIu64 " items", ino,
		    inode_size(fs, ip));
		for (const struct fei_item *it = fei_first(items); it != NULL;
		    it = fei_next(items, it))
			fprintf(f, " %" PRIx64 "+%" PRIx64 "@%" PRIx64 "/%"
			    PRIx64 "+%" PRIx64, it->file_offset, it->num_bytes,
			    it->disk_bytenr, it->disk_num_bytes, it->offset);
		fputs(" maps", f);
		for (const struct em_map *m = em_first(em); m != NULL;
		    m = em_next(em, m))
			fprintf(f, " %" PRIx64 "+%" PRIx64 "@%" PRIx64,
			    m->start, m->len, m->block_start);
	}
}

void
rcheck_add(struct rcheck *c, char *line, const char *schedule)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->v = xreallocarray(c->v, c->cap, sizeof(*c->v));
	}
	c->v[c->n].line = line;
	c->v[c->n].schedule = xstrdup(schedule);
	c->v[c->n++].seq = c->seq++;
	c->sorted = false;
}

static int
rcheck_cmp(const void *a, const void *b)
{
	const struct rcheck_ent *x = a, *y = b;
	int r = strcmp(x->line, y->line);

	if (r != 0)
		return r;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sort C by line, then arrival, and keep each line's first entry. */
static void
rcheck_sort(struct rcheck *c)
{
	size_t k = 0;

	if (c->sorted)
		return;
	qsort(c->v, c->n, sizeof(*c->v), rcheck_cmp);
	for (size_t i = 0; i < c->n; i++) {
		if (k > 0 && strcmp(c->v[k - 1].line, c->v[i].line) == 0) {
			free(c->v[i].line);
			free(c->v[i].schedule);
			continue;
		}
		c->v[k++] = c->v[i];
	}
	c->n = k;
	c->sorted = true;
}

size_t
rcheck_count(struct rcheck *c)
{
	rcheck_sort(c);
	return c->n;
}

/*
 * Count the lines of A that B lacks; *FIRST is the earliest of them (in
 * A's arrival order), or NULL.
 */
static size_t
rcheck_missing(const struct rcheck *a, const struct rcheck *b,
    const struct rcheck_ent **first)
{
	size_t i = 0, j = 0, n = 0;

	*first = NULL;
	while (i < a->n) {
		int r = j < b->n ? strcmp(a->v[i].line, b->v[j].line) : -1;

		if (r > 0) {
			j++;
			continue;
		}
		if (r < 0) {
			n++;
			if (*first == NULL || a->v[i].seq < (*first)->seq)
				*first = &a->v[i];
		} else
			j++;
		i++;
	}
	return n;
}

char *
rcheck_compare(struct rcheck *reduced, struct rcheck *full)
{
	const struct rcheck_ent *lost, *extra;
	size_t nlost, nextra;

	rcheck_sort(reduced);
	rcheck_sort(full);
	nlost = rcheck_missing(full, reduced, &lost);
	nextra = rcheck_missing(reduced, full, &extra);
	if (lost != NULL)
		return xasprintf("%zu outcome%s only without the reduction%s, "
		    "the first in schedule %s: %s", nlost, nlost == 1 ? "" :
		    "s", nextra ? " (and some only with it)" : "",
		    lost->schedule, lost->line);
	if (extra != NULL)
		return xasprintf("%zu outcome%s only with the reduction, the "
		    "first in schedule %s: %s", nextra, nextra == 1 ? "" : "s",
		    extra->schedule, extra->line);
	return NULL;
}
