/*
 * A small deterministic PRNG (splitmix64 seeding a xoshiro256** state).
 * Every random choice of the model (fault placement, random schedules)
 * draws from one of these, seeded from the scenario's seed, so the same
 * input and seed give the same run on every machine.
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
	uint64_t	s[4];
};

void		rng_seed(struct rng *, uint64_t seed);
uint64_t	rng_next(struct rng *);
/* Uniform in [0, bound); bound must be non-zero.  Unbiased. */
uint64_t	rng_below(struct rng *, uint64_t bound);
/*
 * The number of trials to skip before the next hit when each hits with
 * probability NUM/DEN (0 < NUM, DEN > 0): a geometric draw, so that a
 * caller's cost follows the hits, not the trials.  0 when NUM >= DEN.
 */
uint64_t	rng_geometric(struct rng *, uint64_t num, uint64_t den);
/*
 * One step of splitmix64: a good 64-bit mixing function on its own.
 * Inline, because hot paths call it.
 */
static inline uint64_t
rng_mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/*
 * Fold X into the running hash H: the state hashes of the explorer's state
 * cache (the *_hash() walkers of the model's structures) are built with
 * it.  Order-sensitive; a set is hashed as a sum of rng_mix64()s.
 */
static inline uint64_t
rng_fold(uint64_t h, uint64_t x)
{
	return rng_mix64(h ^ rng_mix64(x + 0x632be59bd9b4e019ULL));
}

/*
 * N bytes at P hashed (FNV-1a, then rng_mix64()): how names and byte
 * strings become keys, equal bytes giving equal hashes in every run.
 */
static inline uint64_t
rng_hash_bytes(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return rng_mix64(h);
}

#endif
