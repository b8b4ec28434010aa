/* splitmix64 and xoshiro256** (public-domain algorithms by Vigna et al.). */
#include <math.h>

#include "rng.h"

void
rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++) {
		seed += 0x9e3779b97f4a7c15ULL;
		r->s[i] = rng_mix64(seed);
	}
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t
rng_below(struct rng *r, uint64_t bound)
{
	uint64_t limit = -bound % bound;	/* 2^64 mod bound */
	uint64_t x;

	do
		x = rng_next(r);
	while (x < limit);
	return x % bound;
}

uint64_t
rng_geometric(struct rng *r, uint64_t num, uint64_t den)
{
	double p = (double)num / (double)den;
	double u, g;

	if (num >= den)
		return 0;
	/* u in (0, 1]. */
	u = ((double)(rng_next(r) >> 11) + 1.0) * (1.0 / 9007199254740992.0);
	g = floor(log(u) / log1p(-p));
	return g >= 1.8e19 ? UINT64_MAX : (uint64_t)g;
}
