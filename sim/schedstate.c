/*
 * The scheduler's part of a state hash (sched.h, "state hashes"): what a
 * schedule's world is, between two steps, as far as the scheduler keeps
 * it, named the same in every run that is in that state.
 *
 * Per entity, in id order (ids are spawn order, the same in every run):
 * its state, what it waits for (a lock by its key, an event by its
 * owner's identity, a queue by its key), the keys of the locks it holds
 * in the order taken, the queue it serves and whether it is busy, and its
 * program point.  Then the posted actions not fired yet, as a set of
 * their arguments' identities: their numbers (D<n>) only name them in
 * schedule strings, and which are enabled follows from the set.  The
 * step count, the schedule string and the lock-order graph are left out:
 * they record the path, not the state.
 *
 * Hashes combine with rng_mix64(); the set is a sum, which does not
 * depend on order.  Private to the runtime's modules (sched_int.h).
 */
#include "rng.h"
#include "sched.h"
#include "sched_int.h"

#define fold	rng_fold

/* The world's identity of OBJ, or 0 with *COMPLETE cleared. */
static uint64_t
ident(const struct sched *s, enum sched_ident_kind kind, const void *obj,
    bool *complete)
{
	bool known = false;
	uint64_t id = 0;

	if (s->ident != NULL && obj != NULL)
		id = s->ident(s->ident_ctx, kind, obj, &known);
	if (!known)
		*complete = false;
	return id;
}

/* Entity E's part. */
static uint64_t
ent_hash(const struct sched *s, const struct sched_ent *e, bool *complete)
{
	uint64_t h = fold((uint64_t)e->id, (uint64_t)e->state);

	if (e->state == SCHED_FINISHED)
		return h;
	if (!e->pp_set)
		*complete = false;
	h = fold(h, e->pp);
	h = fold(h, (uint64_t)e->wait);
	switch (e->wait) {
	case SCHED_WAIT_LOCK:
		h = fold(h, e->wlock->key);
		break;
	case SCHED_WAIT_EVENT:
		h = fold(h, ident(s, SCHED_IDENT_EVENT, e->wevent->owner,
		    complete));
		break;
	case SCHED_WAIT_QUEUE:
		h = fold(h, e->wqueue->key);
		break;
	case SCHED_WAIT_NONE:
		break;
	}
	for (size_t i = 0; i < e->held.n; i++)
		h = fold(h, e->held.lock[i]->key);
	h = fold(h, e->serves != NULL ? e->serves->key : 0);
	return fold(h, e->busy);
}

uint64_t
sched_state_hash(const struct sched *s, bool *complete)
{
	uint64_t h = 0x1f83d9abfb41bd6bULL, posts = 0;

	*complete = true;
	for (int k = 0; k < s->nent; k++)
		h = fold(h, ent_hash(s, s->ent[k], complete));
	for (size_t i = s->unfired; i < s->nact; i++)
		if (!s->act[i].fired)
			posts += rng_mix64(ident(s, SCHED_IDENT_POST,
			    s->act[i].arg, complete));
	return fold(h, posts);
}

uint64_t
sched_action_ident(const struct sched *s, uint32_t a, bool *known)
{
	bool complete = true;
	uint64_t id;

	if (!sched_act_is_post(a)) {
		*known = true;
		return a;
	}
	id = ident(s, SCHED_IDENT_POST, s->act[a - SCHED_MAX_ENTITIES].arg,
	    &complete);
	*known = complete;
	return rng_mix64(id) | 1ULL << 63;	/* apart from entity ids */
}
