/*
 * Footprints (foot.h): each object is handed to the scheduler as an
 * integer key made of its kind and numbers, which the reduction compares.
 * Nothing is done unless the fs runs under a scheduler.
 */
#include <stddef.h>

#include "conc.h"
#include "foot.h"
#include "fs.h"
#include "rng.h"
#include "sched.h"

/*
 * The key of object OBJ (A, B): the three numbers mixed into the range
 * the scheduler keeps keys in.  Distinct objects colliding would only
 * make more steps dependent (sound, if less reduced); with 61 bits they
 * do not in practice.
 */
static uint64_t
foot_key(enum foot_obj obj, uint32_t a, uint64_t b)
{
	uint64_t h = rng_mix64(((uint64_t)obj << 32 | a) + 0x9e3779b97f4a7c15ULL);

	return rng_mix64(h ^ b) & SCHED_KEY_MAX;
}

void
foot_touch_sched(const struct fs *fs, enum foot_obj obj, uint32_t a,
    uint64_t b)
{
	sched_touch_key(conc_sched(fs_conc(fs)), foot_key(obj, a, b));
}

void
foot_read_sched(const struct fs *fs, int k, uint64_t start, uint64_t end)
{
	uint64_t ss = fs_cfg(fs)->sectorsize;

	if (end <= start)
		return;
	for (uint64_t s = start / ss; s <= (end - 1) / ss; s++)
		foot_touch(fs, FOOT_SECTOR, (uint32_t)k, s);
	for (uint64_t r = start / ss / FOOT_FANOUT;
	    r <= (end - 1) / ss / FOOT_FANOUT; r++)
		foot_touch(fs, FOOT_RUN, (uint32_t)k, r);
	foot_touch(fs, FOOT_MIRROR, (uint32_t)k, 0);
}

void
foot_write_sched(const struct fs *fs, int k, uint64_t start, uint64_t end)
{
	uint64_t ss = fs_cfg(fs)->sectorsize;
	uint64_t first = start / ss, last = (end - 1) / ss;
	static const enum foot_obj level[] = { FOOT_SECTOR, FOOT_RUN };

	if (end <= start)
		return;
	for (size_t l = 0; l < sizeof(level) / sizeof(level[0]); l++) {
		if (last - first <= FOOT_FANOUT) {
			for (uint64_t u = first; u <= last; u++)
				foot_touch(fs, level[l], (uint32_t)k, u);
			return;
		}
		first /= FOOT_FANOUT;
		last /= FOOT_FANOUT;
	}
	foot_touch(fs, FOOT_MIRROR, (uint32_t)k, 0);
}

void
foot_bios_read_sched(const struct fs *fs, int k)
{
	const struct conc *c = fs_conc(fs);

	for (int e = 0; e < conc_nent(c); e++)
		foot_touch(fs, FOOT_BIOS, (uint32_t)k, (uint64_t)e);
}

void
foot_bios_add_sched(const struct fs *fs, int k)
{
	foot_touch_sched(fs, FOOT_BIOS, (uint32_t)k,
	    (uint64_t)(int64_t)conc_self(fs_conc(fs)));
}
