/*
 * The explorer's state cache (states.h): a hash table of states with the
 * sleep sets they were explored with.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "states.h"
#include "xmalloc.h"

void
states_init(struct states *c)
{
	memset(c, 0, sizeof(*c));
}

void
states_free(struct states *c)
{
	for (size_t i = 0; i < c->cap; i++)
		free(c->slot[i].sleep);
	free(c->slot);
	states_init(c);
}

/* The slot of HASH (non-zero): where it is or the empty slot ending its
 * probe sequence.  The table has room. */
static size_t
find(const struct states *c, uint64_t hash)
{
	size_t i, mask = c->cap - 1;

	for (i = rng_mix64(hash) & mask; c->slot[i].hash != 0 &&
	    c->slot[i].hash != hash; i = (i + 1) & mask)
		;
	return i;
}

/* Room for one more state: at half full, double and re-insert. */
static void
reserve(struct states *c)
{
	struct states_entry *old = c->slot;
	size_t oldcap = c->cap;

	if (2 * (c->n + 1) <= c->cap)
		return;
	c->cap = c->cap ? 2 * c->cap : 256;
	c->slot = xcalloc(c->cap, sizeof(*c->slot));
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].hash != 0)
			c->slot[find(c, old[i].hash)] = old[i];
	free(old);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* SLEEP (N) sorted and made distinct into a new array; its length. */
static size_t
canonical(const uint64_t *sleep, size_t n, uint64_t **out)
{
	size_t k = 0;

	*out = NULL;
	if (n == 0)
		return 0;
	*out = xreallocarray(NULL, n, sizeof(**out));
	memcpy(*out, sleep, n * sizeof(**out));
	qsort(*out, n, sizeof(**out), cmp_u64);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || (*out)[k - 1] != (*out)[i])
			(*out)[k++] = (*out)[i];
	return k;
}

/* Is sorted A (NA) a subset of sorted B (NB)? */
static bool
subset(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
	size_t j = 0;

	for (size_t i = 0; i < na; i++) {
		while (j < nb && b[j] < a[i])
			j++;
		if (j == nb || b[j] != a[i])
			return false;
	}
	return true;
}

/* A = A n B, in place (both sorted). */
static void
intersect(struct states_entry *e, const uint64_t *b, size_t nb)
{
	size_t k = 0, j = 0;

	for (size_t i = 0; i < e->nsleep; i++) {
		while (j < nb && b[j] < e->sleep[i])
			j++;
		if (j < nb && b[j] == e->sleep[i])
			e->sleep[k++] = e->sleep[i];
	}
	e->nsleep = k;
}

bool
states_visit(struct states *c, uint64_t hash, const uint64_t *sleep,
    size_t n)
{
	struct states_entry *e;
	uint64_t *set;
	size_t nset, i;

	if (hash == 0)
		hash = 1;
	nset = canonical(sleep, n, &set);
	reserve(c);
	i = find(c, hash);
	e = &c->slot[i];
	if (e->hash == 0) {
		e->hash = hash;
		e->sleep = set;
		e->nsleep = nset;
		c->n++;
		return false;
	}
	if (subset(e->sleep, e->nsleep, set, nset)) {
		free(set);
		return true;
	}
	intersect(e, set, nset);
	free(set);
	return false;
}

int
states_check(const struct states *c, const char **why)
{
	size_t n = 0;

#define FAIL(msg)	do { *why = (msg); return -EINVAL; } while (0)
	if (c->cap & (c->cap - 1))
		FAIL("state table size not a power of two");
	if (c->n > 0 && 2 * c->n > c->cap)
		FAIL("state table more than half full");
	for (size_t i = 0; i < c->cap; i++) {
		const struct states_entry *e = &c->slot[i];

		if (e->hash == 0)
			continue;
		n++;
		if (find(c, e->hash) != i)
			FAIL("a state off its probe sequence");
		for (size_t k = 1; k < e->nsleep; k++)
			if (e->sleep[k - 1] >= e->sleep[k])
				FAIL("a sleep set unsorted or repeating");
	}
	if (n != c->n)
		FAIL("state count wrong");
#undef FAIL
	return 0;
}
