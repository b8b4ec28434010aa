/*
 * The files a scenario creates, by name (see pfiles.h for the model and
 * its invariants).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/rng.h"
#include "../sim/xmalloc.h"
#include "pfiles.h"

void
pfiles_init(struct pfiles *t, struct scn_script *s)
{
	memset(t, 0, sizeof(*t));
	t->s = s;
}

/* The first slot to probe for the LEN bytes at NAME. */
static size_t
home(const struct pfiles *t, const char *name, size_t len)
{
	return (size_t)rng_hash_bytes(name, len) & (t->nslot - 1);
}

int
pfiles_find(const struct pfiles *t, const char *name, size_t len)
{
	size_t i;

	if (t->nslot == 0)
		return -1;
	/* Probing stops at an empty slot or at the name. */
	for (i = home(t, name, len); t->slot[i] >= 0;
	    i = (i + 1) & (t->nslot - 1)) {
		const char *f = t->s->files[t->slot[i]];

		if (strlen(f) == len && memcmp(f, name, len) == 0)
			return t->slot[i];
	}
	return -1;
}

/* Index the file at position IDX, which is not indexed yet. */
static void
index_one(struct pfiles *t, int idx)
{
	const char *f = t->s->files[idx];
	size_t i;

	for (i = home(t, f, strlen(f)); t->slot[i] >= 0;
	    i = (i + 1) & (t->nslot - 1))
		continue;
	t->slot[i] = idx;
}

int
pfiles_add(struct pfiles *t, const char *name, size_t len, uint32_t line)
{
	struct scn_script *s = t->s;
	int idx = (int)s->nfiles;

	if (s->nfiles == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 8;
		s->files = xreallocarray(s->files, t->cap, sizeof(*s->files));
		t->line = xreallocarray(t->line, t->cap, sizeof(*t->line));
	}
	s->files[idx] = xstrndup(name, len);
	t->line[idx] = line;
	s->nfiles++;
	if (2 * s->nfiles <= t->nslot) {
		index_one(t, idx);
		return idx;
	}
	/* Past half full: twice the slots, everything indexed again. */
	free(t->slot);
	t->nslot = t->nslot ? t->nslot * 2 : 16;
	t->slot = xreallocarray(NULL, t->nslot, sizeof(*t->slot));
	for (size_t i = 0; i < t->nslot; i++)
		t->slot[i] = -1;
	for (size_t i = 0; i < s->nfiles; i++)
		index_one(t, (int)i);
	return idx;
}

uint32_t
pfiles_line(const struct pfiles *t, int idx)
{
	return t->line[idx];
}

void
pfiles_fini(struct pfiles *t)
{
	free(t->line);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

int
pfiles_check(const struct pfiles *t, const char **why)
{
	size_t used = 0, n = t->s->nfiles;

#define FAIL(msg)	do { *why = (msg); return -EINVAL; } while (0)
	if (t->nslot & (t->nslot - 1))
		FAIL("slot count not a power of two");
	if (n > t->cap)
		FAIL("more files than room for them");
	for (size_t i = 0; i < t->nslot; i++) {
		if (t->slot[i] < -1 || t->slot[i] >= (int)n)
			FAIL("a slot holds no file's position");
		used += t->slot[i] >= 0;
	}
	if (used != n || 2 * used > t->nslot)
		FAIL("not every file indexed once, or the index over half full");
	for (size_t k = 0; k < n; k++) {
		const char *f = t->s->files[k];

		if (pfiles_find(t, f, strlen(f)) != (int)k)
			FAIL("a file is not found at its own position");
	}
#undef FAIL
	return 0;
}
