/*
 * Footprints and sleep sets; por.h states the model, why the reduction is
 * sound and what it asks of the caller.
 *
 * A footprint is a short list (a step touches a handful of objects, a few
 * dozen at most), so membership is a linear scan, done only when the
 * summary bit of the key is already set.  Disjointness is tested on the
 * summaries first: most independent steps share no summary bit, and the
 * quadratic comparison runs only for the others.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "por.h"
#include "xmalloc.h"

/* The summary bit of KEY: the top six bits of a multiplicative hash. */
static inline uint64_t
summary_bit(uint64_t key)
{
	return UINT64_C(1) << ((key * UINT64_C(0x9e3779b97f4a7c15)) >> 58);
}

/* KEY is among FP's keys. */
static bool
fp_has(const struct por_fp *fp, uint64_t key)
{
	size_t i;

	if ((fp->summary & summary_bit(key)) == 0)
		return false;
	for (i = 0; i < fp->n; i++)
		if (fp->key[i] == key)
			return true;
	return false;
}

/* The step touched the object KEY (por_key()): add it once. */
void
por_fp_add(struct por_fp *fp, uint64_t key)
{
	if (fp_has(fp, key))
		return;
	if (fp->n == fp->cap) {
		fp->cap = fp->cap ? 2 * fp->cap : 8;
		fp->key = xreallocarray(fp->key, fp->cap, sizeof(*fp->key));
	}
	fp->key[fp->n++] = key;
	fp->summary |= summary_bit(key);
}

/* Empty FP for the next step, keeping its array. */
void
por_fp_reset(struct por_fp *fp)
{
	fp->n = 0;
	fp->summary = 0;
	fp->all = false;
}

/* DST (uninitialized or freed) becomes a copy of SRC that owns its array. */
void
por_fp_copy(struct por_fp *dst, const struct por_fp *src)
{
	*dst = *src;
	dst->cap = src->n;
	dst->key = NULL;
	if (src->n > 0) {
		dst->key = xreallocarray(NULL, src->n, sizeof(*dst->key));
		memcpy(dst->key, src->key, src->n * sizeof(*dst->key));
	}
}

/* Release FP's array; FP is empty afterwards. */
void
por_fp_free(struct por_fp *fp)
{
	free(fp->key);
	memset(fp, 0, sizeof(*fp));
}

/* Steps with footprints A and B are independent (they commute). */
bool
por_fp_disjoint(const struct por_fp *a, const struct por_fp *b)
{
	size_t i;

	if (a->all || b->all)
		return false;
	if ((a->summary & b->summary) == 0)
		return true;
	for (i = 0; i < a->n; i++)
		if (fp_has(b, a->key[i]))
			return false;
	return true;
}

/* FP's invariants: 0, or -EINVAL with *WHY set to the broken rule. */
int
por_fp_check(const struct por_fp *fp, const char **why)
{
	uint64_t summary = 0;
	size_t i, j;

#define FAIL(msg)	do { *why = (msg); return -EINVAL; } while (0)
	if (fp->n > fp->cap || (fp->cap > 0 && fp->key == NULL))
		FAIL("footprint count past its capacity");
	for (i = 0; i < fp->n; i++) {
		if (por_key_kind(fp->key[i]) == 0 ||
		    por_key_kind(fp->key[i]) >= POR_NKIND)
			FAIL("footprint key of no kind");
		for (j = 0; j < i; j++)
			if (fp->key[j] == fp->key[i])
				FAIL("footprint key listed twice");
		summary |= summary_bit(fp->key[i]);
	}
	if (summary != fp->summary)
		FAIL("footprint summary does not match its keys");
#undef FAIL
	return 0;
}

/* ACT sleeps (or was explored) with footprint FP, copied; ACT is new. */
void
por_sleep_add(struct por_sleep *set, uint32_t act, const struct por_fp *fp)
{
	if (set->n == set->cap) {
		set->cap = set->cap ? 2 * set->cap : 4;
		set->v = xreallocarray(set->v, set->cap, sizeof(*set->v));
	}
	set->v[set->n].act = act;
	por_fp_copy(&set->v[set->n].fp, fp);
	set->n++;
}

/* ACT is asleep in SET. */
bool
por_sleep_has(const struct por_sleep *set, uint32_t act)
{
	size_t k;

	for (k = 0; k < set->n; k++)
		if (set->v[k].act == act)
			return true;
	return false;
}

/*
 * The sleep set NEXT (empty) of the state that a step of footprint TAKEN
 * leads to, from a state whose sleep set is SLEEP and where the actions
 * of DONE were explored before it: those of both that commute with it.
 */
void
por_sleep_inherit(struct por_sleep *next, const struct por_sleep *sleep,
    const struct por_sleep *done, const struct por_fp *taken)
{
	const struct por_sleep *from[2] = { sleep, done };
	size_t f, k;

	for (f = 0; f < 2; f++)
		for (k = 0; k < from[f]->n; k++)
			if (por_fp_disjoint(&from[f]->v[k].fp, taken))
				por_sleep_add(next, from[f]->v[k].act,
				    &from[f]->v[k].fp);
}

/* Release SET and its footprints; SET is empty afterwards. */
void
por_sleep_free(struct por_sleep *set)
{
	size_t k;

	for (k = 0; k < set->n; k++)
		por_fp_free(&set->v[k].fp);
	free(set->v);
	memset(set, 0, sizeof(*set));
}

/* SET's invariants: distinct actions, valid footprints. */
int
por_sleep_check(const struct por_sleep *set, const char **why)
{
	size_t k, j;
	int rc;

	if (set->n > set->cap || (set->cap > 0 && set->v == NULL)) {
		*why = "sleep set count past its capacity";
		return -EINVAL;
	}
	for (k = 0; k < set->n; k++) {
		for (j = 0; j < k; j++)
			if (set->v[j].act == set->v[k].act) {
				*why = "an action asleep twice";
				return -EINVAL;
			}
		if ((rc = por_fp_check(&set->v[k].fp, why)) < 0)
			return rc;
	}
	return 0;
}
