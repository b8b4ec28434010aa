/*
 * The checksums of content values (sumcache.h): a direct-mapped table.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "content.h"
#include "csum.h"
#include "fs.h"
#include "rng.h"
#include "sumcache.h"
#include "xmalloc.h"

/* What a checksum is a function of; filled slots have kind != 0. */
struct sumcache_key {
	uint64_t	a, b;
	uint32_t	kind, aux;	/* aux: fill byte and flip flag only */
	uint32_t	sectorsize;
	uint32_t	algo;
};

struct sumcache_slot {
	struct sumcache_key key;
	uint32_t	sum;
};

/* The flip deltas computed so far: one per sector size and algorithm. */
struct sumcache_delta {
	uint32_t	sectorsize;	/* 0: empty */
	uint32_t	algo;
	uint32_t	delta;
};

struct sumcache {
	struct sumcache_slot slot[SUMCACHE_SLOTS];
	struct sumcache_delta delta[4];
	unsigned	holds;
};

struct sumcache *
sumcache_new(void)
{
	struct sumcache *c = xcalloc(1, sizeof(struct sumcache));

	c->holds = 1;
	return c;
}

struct sumcache *
sumcache_hold(struct sumcache *c)
{
	c->holds++;
	return c;
}

void
sumcache_free(struct sumcache *c)
{
	if (c != NULL && --c->holds == 0)
		free(c);
}

static struct sumcache_key
key_of(const struct imap_val *v, uint32_t sectorsize, enum csum_algo algo)
{
	struct sumcache_key k = { .a = v->a, .b = v->b, .kind = v->kind,
	    .aux = v->aux & (CONTENT_BYTE_MASK | CONTENT_FLIP),
	    .sectorsize = sectorsize, .algo = (uint32_t)algo };

	return k;
}

static bool
key_eq(const struct sumcache_key *x, const struct sumcache_key *y)
{
	return x->a == y->a && x->b == y->b && x->kind == y->kind &&
	    x->aux == y->aux && x->sectorsize == y->sectorsize &&
	    x->algo == y->algo;
}

/* The checksum of K's bytes, computed: one materialization. */
static uint32_t
compute(const struct sumcache_key *k)
{
	static _Thread_local uint8_t buf[FS_MAX_SECTORSIZE];
	struct imap_val v = { .a = k->a, .b = k->b, .kind = k->kind,
	    .aux = k->aux };

	content_materialize(&v, 0, k->sectorsize, k->sectorsize, buf);
	return csum_compute((enum csum_algo)k->algo, buf, k->sectorsize);
}

static struct sumcache_slot *
slot_of(struct sumcache *c, const struct sumcache_key *k)
{
	return &c->slot[rng_mix64(k->a ^ rng_mix64(k->b ^
	    ((uint64_t)k->kind << 32 | k->aux))) % SUMCACHE_SLOTS];
}

uint32_t
sumcache_get(struct sumcache *c, const struct imap_val *v,
    uint32_t sectorsize, enum csum_algo algo)
{
	struct sumcache_key k = key_of(v, sectorsize, algo);
	struct sumcache_slot *s = slot_of(c, &k);

	if (s->key.kind == 0 || !key_eq(&s->key, &k)) {
		s->key = k;
		s->sum = compute(&k);
	}
	return s->sum;
}

void
sumcache_put(struct sumcache *c, const struct imap_val *v,
    uint32_t sectorsize, enum csum_algo algo, uint32_t sum)
{
	struct sumcache_key k = key_of(v, sectorsize, algo);
	struct sumcache_slot *s = slot_of(c, &k);

	s->key = k;
	s->sum = sum;
}

/* crc(e) ^ crc(0) of SECTORSIZE bytes, computed. */
static uint32_t
compute_delta(uint32_t sectorsize, enum csum_algo algo)
{
	static _Thread_local uint8_t buf[FS_MAX_SECTORSIZE];
	uint32_t zero, one;

	memset(buf, 0, sectorsize);
	zero = csum_compute(algo, buf, sectorsize);
	buf[0] = 1;
	one = csum_compute(algo, buf, sectorsize);
	return zero ^ one;
}

uint32_t
sumcache_flip_delta(struct sumcache *c, uint32_t sectorsize,
    enum csum_algo algo)
{
	size_t i, n = sizeof(c->delta) / sizeof(c->delta[0]);

	for (i = 0; i < n && c->delta[i].sectorsize != 0; i++)
		if (c->delta[i].sectorsize == sectorsize &&
		    c->delta[i].algo == (uint32_t)algo)
			return c->delta[i].delta;
	if (i == n)
		i = 0;		/* full: the oldest goes (never, in one fs) */
	c->delta[i].sectorsize = sectorsize;
	c->delta[i].algo = (uint32_t)algo;
	c->delta[i].delta = compute_delta(sectorsize, algo);
	return c->delta[i].delta;
}

int
sumcache_check(const struct sumcache *c, const char **why)
{
	for (size_t i = 0; i < SUMCACHE_SLOTS; i++)
		if (c->slot[i].key.kind != 0 &&
		    compute(&c->slot[i].key) != c->slot[i].sum) {
			*why = "a cached checksum is not its value's";
			return -1;
		}
	for (size_t i = 0; i < sizeof(c->delta) / sizeof(c->delta[0]); i++)
		if (c->delta[i].sectorsize != 0 && c->delta[i].delta !=
		    compute_delta(c->delta[i].sectorsize,
		    (enum csum_algo)c->delta[i].algo)) {
			*why = "a flip delta is not the checksums' difference";
			return -1;
		}
	return 0;
}
