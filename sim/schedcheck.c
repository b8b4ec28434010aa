/*
 * The invariant walker of the scheduler's runtime (sched_check(), sched.h):
 * the rules its state obeys between steps, checked by the unit tests and
 * the explorer's self-check.
 *
 * The data model is sched_int.h's: entities with their waits, held-lock
 * lists (held.h) and the task each works for, the posted actions, the
 * callback's spinlocks, the step's footprint and the lock-order graph.
 * Beside the rules of each part: a running entity is runnable and no
 * callback runs inside it; actions before the first unfired one fired;
 * a blocked entity has exactly the wait object its kind says; a held
 * lock names its holder; an entity works for a task it could (a task
 * for itself, a busy worker for its item's, an idle one for none); a
 * spinlock is held only by the running entity.
 */
#include <errno.h>

#include "held.h"
#include "lockorder.h"
#include "por.h"
#include "sched.h"
#include "sched_int.h"

/* The invariants of S's entities, held locks, posted actions, footprint
 * and lock-order graph: 0, or a negative code with *WHY set. */
int
sched_check(const struct sched *s, const char **why)
{
	const struct sched_ent *e;
	size_t i;
	int k, ntask = 0, rc;

#define FAIL(msg)	do { *why = (msg); return -EINVAL; } while (0)
	if (s->nent < 0 || s->nent > SCHED_MAX_ENTITIES)
		FAIL("entity count out of range");
	if (s->cur >= s->nent || (s->cur >= 0 && (!s->running ||
	    s->ent[s->cur]->state != SCHED_RUNNABLE)))
		FAIL("the running entity is not runnable");
	if (s->cur >= 0 && s->firing != 0)
		FAIL("an entity runs inside a callback");
	if (s->unfired > s->nact || s->firing > s->nact)
		FAIL("posted action index out of range");
	for (i = 0; i < s->unfired; i++)
		if (!s->act[i].fired)
			FAIL("an action before the first unfired did not fire");
	if (s->firing == 0 && s->irq.n > 0 && !s->stop)
		FAIL("interrupt locks held outside a callback");
	for (i = 0; i < s->irq.n; i++)
		if (s->irq.lock[i]->owner != SCHED_OWNER_IRQ ||
		    s->irq.lock[i]->kind != SCHED_SPINLOCK)
			FAIL("an interrupt holds a lock it does not own");
	for (k = 0; k < s->nent; k++) {
		e = s->ent[k];
		ntask += e->role == SCHED_TASK;
		if (e->id != k)
			FAIL("entity id is not its index");
		if ((e->state == SCHED_BLOCKED) != (e->wait != SCHED_WAIT_NONE))
			FAIL("blocked entity without a wait, or the reverse");
		if ((e->wait == SCHED_WAIT_LOCK) != (e->wlock != NULL) ||
		    (e->wait == SCHED_WAIT_EVENT) != (e->wevent != NULL) ||
		    (e->wait == SCHED_WAIT_QUEUE) != (e->wqueue != NULL))
			FAIL("wait object does not match the wait kind");
		if (e->busy && e->serves == NULL)
			FAIL("busy worker without a queue");
		if (e->serves != NULL && e->serves->head > e->serves->tail)
			FAIL("queue head past its tail");
		if (e->serves != NULL && e->serves->tail > e->serves->cap)
			FAIL("queue tail past its capacity");
		if (e->task != (e->role == SCHED_TASK ? k : e->busy ?
		    e->task : -1) || e->task >= s->nent ||
		    (!e->busy && e->item != 0) || e->item < 0 ||
		    (size_t)e->item > s->nact)
			FAIL("an entity works for no task it could");
		if ((rc = held_check(&e->held, why)) < 0)
			return rc;
		for (i = 0; i < e->held.n; i++) {
			if (e->held.lock[i]->owner != e->id)
				FAIL("a held lock names another owner");
			if (k != s->cur && !s->stop &&
			    e->held.lock[i]->kind == SCHED_SPINLOCK)
				FAIL("a spinlock held at a scheduling point");
		}
	}
	if (ntask != s->ntask || s->nent - ntask != s->nworker)
		FAIL("task and worker counts disagree");
	if (!s->chooser.footprints && s->fp.n > 0)
		FAIL("a footprint recorded that nobody asked for");
#undef FAIL
	if ((rc = por_fp_check(&s->fp, why)) < 0 ||
	    (rc = lockorder_check(&s->graph, why)) < 0)
		return rc;
	return 0;
}
