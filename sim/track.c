/*
 * The checker's change tracking (track.h): the reference table and the
 * lists of what changed.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "track.h"
#include "xmalloc.h"

void
track_init(struct track *t)
{
	memset(t, 0, sizeof(*t));
}

void
track_destroy(struct track *t)
{
	free(t->slot);
	free(t->bytenr);
	free(t->ino);
	track_init(t);
}

void
track_clone(struct track *dst, const struct track *src)
{
	*dst = *src;
	dst->slot = NULL;
	dst->bytenr = NULL;
	dst->ino = NULL;
	if (src->cap > 0) {
		dst->slot = xreallocarray(NULL, src->cap, sizeof(*dst->slot));
		memcpy(dst->slot, src->slot, src->cap * sizeof(*dst->slot));
	}
	dst->bytenrcap = src->nbytenr;
	if (src->nbytenr > 0) {
		dst->bytenr = xreallocarray(NULL, src->nbytenr,
		    sizeof(*dst->bytenr));
		memcpy(dst->bytenr, src->bytenr,
		    src->nbytenr * sizeof(*dst->bytenr));
	}
	dst->inocap = src->nino;
	if (src->nino > 0) {
		dst->ino = xreallocarray(NULL, src->nino, sizeof(*dst->ino));
		memcpy(dst->ino, src->ino, src->nino * sizeof(*dst->ino));
	}
}

/* Where BYTENR's probe sequence starts in a table of CAP slots. */
static size_t
home(uint64_t bytenr, size_t cap)
{
	return rng_mix64(bytenr) & (cap - 1);
}

/* The slot of BYTENR: where it is, or the empty slot ending its probe
 * sequence.  The table has room. */
static size_t
find(const struct track *t, uint64_t bytenr)
{
	size_t i, mask = t->cap - 1;

	for (i = home(bytenr, t->cap); t->slot[i].bytenr != 0 &&
	    t->slot[i].bytenr != bytenr; i = (i + 1) & mask)
		;
	return i;
}

/* Room for one more key: at half full, double and insert every key again. */
static void
reserve(struct track *t)
{
	struct track_slot *old = t->slot;
	size_t oldcap = t->cap;

	if (2 * (t->n + 1) <= t->cap)
		return;
	t->cap = t->cap ? 2 * t->cap : 64;
	t->slot = xcalloc(t->cap, sizeof(*t->slot));
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].bytenr != 0)
			t->slot[find(t, old[i].bytenr)] = old[i];
	free(old);
}

/*
 * Empty slot I and close the gap (linear probing's deletion): move back
 * every later key of the cluster whose home does not lie cyclically
 * between the gap and it, so that no probe sequence crosses an empty slot.
 */
static void
erase(struct track *t, size_t i)
{
	size_t mask = t->cap - 1, j = i, h;

	t->slot[i].bytenr = 0;
	for (;;) {
		j = (j + 1) & mask;
		if (t->slot[j].bytenr == 0)
			break;
		h = home(t->slot[j].bytenr, t->cap);
		/* Keep J if its home lies in (i, j] cyclically. */
		if (i <= j ? (i < h && h <= j) : (i < h || h <= j))
			continue;
		t->slot[i] = t->slot[j];
		t->slot[j].bytenr = 0;
		i = j;
	}
	t->n--;
}

static void
note_bytenr(struct track *t, uint64_t bytenr)
{
	if (t->nbytenr == t->bytenrcap) {
		t->bytenrcap = t->bytenrcap ? 2 * t->bytenrcap : 16;
		t->bytenr = xreallocarray(t->bytenr, t->bytenrcap,
		    sizeof(*t->bytenr));
	}
	t->bytenr[t->nbytenr++] = bytenr;
}

/* Called by the items module for every reference an item takes or drops. */
void
track_ref(struct track *t, uint64_t bytenr, int delta)
{
	size_t i;

	assert(bytenr != 0 && (delta == 1 || delta == -1));
	note_bytenr(t, bytenr);
	if (delta > 0) {
		reserve(t);
		i = find(t, bytenr);
		if (t->slot[i].bytenr == 0) {
			t->slot[i].bytenr = bytenr;
			t->slot[i].count = 0;
			t->n++;
		}
		t->slot[i].count++;
		return;
	}
	assert(t->cap > 0);
	i = find(t, bytenr);
	assert(t->slot[i].bytenr == bytenr && t->slot[i].count > 0);
	if (--t->slot[i].count == 0)
		erase(t, i);
}

uint64_t
track_refs(const struct track *t, uint64_t bytenr)
{
	size_t i;

	if (t->cap == 0 || bytenr == 0)
		return 0;
	i = find(t, bytenr);
	return t->slot[i].bytenr == bytenr ? t->slot[i].count : 0;
}

void
track_inode(struct track *t, uint32_t ino)
{
	if (t->nino == t->inocap) {
		t->inocap = t->inocap ? 2 * t->inocap : 16;
		t->ino = xreallocarray(t->ino, t->inocap, sizeof(*t->ino));
	}
	t->ino[t->nino++] = ino;
}

void
track_settle(struct track *t)
{
	t->nbytenr = 0;
	t->nino = 0;
}

/* T's invariants (track.h): 0, or -EINVAL with *WHY set. */
int
track_check(const struct track *t, const char **why)
{
	size_t i, n = 0;

#define FAIL(msg)	do { *why = (msg); return -EINVAL; } while (0)
	if (t->cap & (t->cap - 1))
		FAIL("reference table size not a power of two");
	if (2 * t->n > t->cap && t->n > 0)
		FAIL("reference table more than half full");
	if (t->nbytenr > t->bytenrcap || t->nino > t->inocap)
		FAIL("change list past its capacity");
	for (i = 0; i < t->cap; i++) {
		if (t->slot[i].bytenr == 0)
			continue;
		n++;
		if (t->slot[i].count == 0)
			FAIL("reference table keeps a zero count");
		if (find(t, t->slot[i].bytenr) != i)
			FAIL("reference table key off its probe sequence");
	}
	if (n != t->n)
		FAIL("reference table key count wrong");
#undef FAIL
	return 0;
}
