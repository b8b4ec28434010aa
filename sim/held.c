/*
 * Held-lock lists with the site of each hold (held.h): two arrays grown
 * together, the locks and their sites, in acquisition order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "held.h"
#include "xmalloc.h"

/* Append L, taken at AT; the arrays double when full. */
void
held_push(struct sched_held *h, struct sched_lock *l, struct sched_site at)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 8;
		h->lock = xreallocarray(h->lock, h->cap, sizeof(*h->lock));
		h->at = xreallocarray(h->at, h->cap, sizeof(*h->at));
	}
	h->lock[h->n] = l;
	h->at[h->n++] = at;
}

/* Drop the last entry of L, keeping the order of the others: a report
 * lists holds as they were taken, as lockdep does. */
void
held_remove(struct sched_held *h, const struct sched_lock *l)
{
	size_t i;

	for (i = h->n; i-- > 0;)
		if (h->lock[i] == l) {
			memmove(h->lock + i, h->lock + i + 1,
			    (h->n - i - 1) * sizeof(*h->lock));
			memmove(h->at + i, h->at + i + 1,
			    (h->n - i - 1) * sizeof(*h->at));
			h->n--;
			return;
		}
}

/* The first spinlock of H, or NULL: sleeping under one is an oops. */
struct sched_lock *
held_spinlock(const struct sched_held *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (h->lock[i]->kind == SCHED_SPINLOCK)
			return h->lock[i];
	return NULL;
}

/* Free H's arrays, so that an entity's list dies with it. */
void
held_free(struct sched_held *h)
{
	free(h->lock);
	free(h->at);
	memset(h, 0, sizeof(*h));
}

/* H's invariants (held.h), for sched_check() and the unit tests. */
int
held_check(const struct sched_held *h, const char **why)
{
	size_t i, j;

	if (h->n > h->cap || (h->cap > 0 && (h->lock == NULL ||
	    h->at == NULL))) {
		*why = "a held-lock list past its capacity";
		return -EINVAL;
	}
	for (i = 0; i < h->n; i++) {
		if (h->lock[i] == NULL) {
			*why = "a held-lock entry without its lock";
			return -EINVAL;
		}
		for (j = 0; j < i; j++)
			if (h->lock[j] == h->lock[i]) {
				*why = "a lock held twice";
				return -EINVAL;
			}
	}
	return 0;
}
