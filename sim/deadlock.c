/*
 * The report of a stuck world; deadlock.h states the model.
 *
 * The wait-for graph has at most SCHED_MAX_ENTITIES nodes and each
 * entity waits for at most one lock owner or for a queue's busy workers,
 * so a plain recursive search from each entity in priority order finds
 * the first cycle.
 */
#include <string.h>

#include "deadlock.h"
#include "sched_int.h"

/* Hold NAME taken at AT, as the next of R's holds with sites (counted
 * past the ones it has room for). */
static void
add_hold(struct sched_report_entity *r, const char *name, bool queue,
    struct sched_site at)
{
	struct sched_report_hold *h;

	if (r->nhold++ >= SCHED_REPORT_HOLDS)
		return;
	h = &r->hold[r->nhold - 1];
	h->name[0] = '\0';
	sched_str_add(h->name, sizeof(h->name), "%s", name);
	h->queue = queue;
	h->at = at;
}

/* What E holds into R: "fs_mutex, processing an item of end-io" as
 * text, and each hold with the site that took it. */
static void
report_holds(const struct sched *s, const struct sched_ent *e,
    struct sched_report_entity *r)
{
	size_t i;

	r->holds[0] = '\0';
	for (i = 0; i < e->held.n; i++) {
		sched_str_add(r->holds, sizeof(r->holds), "%s%s", i ? ", " :
		    "", e->held.lock[i]->name);
		add_hold(r, e->held.lock[i]->name, false, e->held.at[i]);
	}
	if (e->busy) {
		sched_str_add(r->holds, sizeof(r->holds), "%sprocessing an "
		    "item of %s", e->held.n ? ", " : "", e->serves->name);
		add_hold(r, e->serves->name, true, e->popat);
	}
	r->task = e->busy ? e->task : e->role == SCHED_TASK ? e->id : -1;
	if (e->busy && e->item > 0)
		sched_str_add(r->item, sizeof(r->item), "%s",
		    s->act[e->item - 1].name);
}

/* Q's workers: all busy, some idle, or none known. */
static const char *
queue_state(const struct sched *s, const struct sched_queue *q)
{
	int k, nw = 0, nbusy = 0;

	for (k = 0; k < s->nent; k++)
		if (s->ent[k]->serves == q) {
			nw++;
			nbusy += s->ent[k]->busy;
		}
	if (nw == 0)
		return "which has no worker";
	if (nbusy == nw)
		return nw == 1 ? "whose worker is busy" :
		    "whose workers are all busy";
	return "with nothing queued for it";
}

/* What blocked E waits for, with who holds it or who must signal it. */
static void
report_waits(const struct sched *s, const struct sched_ent *e, char *buf,
    size_t size)
{
	buf[0] = '\0';
	if (e->state != SCHED_BLOCKED)
		return;
	switch (e->wait) {
	case SCHED_WAIT_LOCK:
		sched_str_add(buf, size, "%s", e->wlock->name);
		if (e->wlock->owner >= 0)
			sched_str_add(buf, size, " (held by %s)",
			    s->ent[e->wlock->owner]->name);
		else if (e->wlock->owner == SCHED_OWNER_IO)
			sched_str_add(buf, size, " (under I/O)");
		break;
	case SCHED_WAIT_EVENT:
		sched_str_add(buf, size, "%s", e->wevent->name);
		if (e->wevent->via != NULL)
			sched_str_add(buf, size, " (signalled through %s, %s)",
			    e->wevent->via->name,
			    queue_state(s, e->wevent->via));
		break;
	case SCHED_WAIT_QUEUE:
		sched_str_add(buf, size, "work on %s", e->wqueue->name);
		break;
	case SCHED_WAIT_NONE:
		break;
	}
}

/*
 * The entities E waits for: a lock's owner; for an event signalled through
 * a queue, that queue's busy workers.  Returns how many, in priority order.
 */
static int
waits_for(const struct sched *s, const struct sched_ent *e, int *out)
{
	const struct sched_ent *w;
	int k, n = 0;

	if (e->state != SCHED_BLOCKED)
		return 0;
	if (e->wait == SCHED_WAIT_LOCK && e->wlock->owner >= 0)
		out[n++] = e->wlock->owner;
	if (e->wait == SCHED_WAIT_EVENT && e->wevent->via != NULL)
		for (k = 0; k < s->nent; k++) {
			w = s->ent[s->order[k]];
			if (w->serves == e->wevent->via && w->busy)
				out[n++] = w->id;
		}
	return n;
}

/* Depth-first search of the wait-for graph for a cycle: PATH holds the
 * current path, FOUND the cycle once there is one. */
struct cycle_search {
	const struct sched *s;
	int		 color[SCHED_MAX_ENTITIES]; /* 0 new, 1 open, 2 done */
	int		 path[SCHED_MAX_ENTITIES];
	int		 depth;
	int		 found[SCHED_MAX_ENTITIES];
	int		 nfound;
};

/* Search from V; true when a cycle is found (in cs->found). */
static bool
cycle_dfs(struct cycle_search *cs, int v)
{
	int succ[SCHED_MAX_ENTITIES], n, i, j, w;

	cs->color[v] = 1;
	cs->path[cs->depth++] = v;
	n = waits_for(cs->s, cs->s->ent[v], succ);
	for (i = 0; i < n; i++) {
		w = succ[i];
		if (cs->color[w] == 1) {
			for (j = cs->depth - 1; cs->path[j] != w; j--)
				;
			cs->nfound = cs->depth - j;
			memcpy(cs->found, cs->path + j,
			    (size_t)cs->nfound * sizeof(int));
			return true;
		}
		if (cs->color[w] == 0 && cycle_dfs(cs, w))
			return true;
	}
	cs->color[v] = 2;
	cs->depth--;
	return false;
}

/* "task 2 -> end-io worker 1 -> task 2", from the cycle's first entity in
 * priority order; empty if the wait-for graph has no cycle. */
static void
report_cycle(const struct sched *s, char *buf, size_t size)
{
	struct cycle_search cs;
	int rank[SCHED_MAX_ENTITIES], k, first = 0, i;

	memset(&cs, 0, sizeof(cs));
	cs.s = s;
	buf[0] = '\0';
	for (k = 0; k < s->nent; k++)
		rank[s->order[k]] = k;
	for (k = 0; k < s->nent && cs.nfound == 0; k++)
		if (cs.color[s->order[k]] == 0)
			cycle_dfs(&cs, s->order[k]);
	if (cs.nfound == 0)
		return;
	for (i = 1; i < cs.nfound; i++)
		if (rank[cs.found[i]] < rank[cs.found[first]])
			first = i;
	for (i = 0; i < cs.nfound; i++)
		sched_str_add(buf, size, "%s -> ",
		    s->ent[cs.found[(first + i) % cs.nfound]]->name);
	sched_str_add(buf, size, "%s", s->ent[cs.found[first]]->name);
}

/* No action enabled: finished, or stuck (a task unfinished, or a worker
 * blocked inside an item). */
bool
deadlock_stuck(const struct sched *s)
{
	const struct sched_ent *e;
	int k;

	for (k = 0; k < s->nent; k++) {
		e = s->ent[k];
		if (e->state == SCHED_FINISHED)
			continue;
		if (e->role == SCHED_TASK || e->state != SCHED_BLOCKED ||
		    e->wait != SCHED_WAIT_QUEUE)
			return true;
	}
	return false;
}

/* Each entity of S into RES, and the wait-for cycle of a deadlock. */
void
deadlock_report(const struct sched *s, struct sched_result *res)
{
	struct sched_report_entity *r;
	const struct sched_ent *e;
	int i;

	res->nent = s->nent;
	for (i = 0; i < s->nent; i++) {
		e = s->ent[i];
		r = &res->ent[i];
		memcpy(r->name, e->name, sizeof(r->name));
		r->role = e->role;
		r->state = e->state;
		/* The texts only when a run did not complete: a completed
		 * one's are never shown, and every run makes a result. */
		r->holds[0] = r->waits[0] = r->item[0] = '\0';
		r->nhold = 0;
		r->task = -1;
		r->wait_at = (struct sched_site){ .fn = NULL, .task = -1 };
		if (res->outcome == SCHED_COMPLETED)
			continue;
		report_holds(s, e, r);
		report_waits(s, e, r->waits, sizeof(r->waits));
		r->wait_at = e->state == SCHED_BLOCKED ? e->wat :
		    (struct sched_site){ .fn = NULL, .task = -1 };
	}
	if (res->outcome == SCHED_DEADLOCK)
		report_cycle(s, res->cycle, sizeof(res->cycle));
}
