/*
 * What the unit tests of sim/em share (check_em, with its naive model, and
 * check_em2008, with its 2008 reference on a textbook red-black tree): the
 * fixture, the two rules both models apply to map values (mergable_maps()
 * and the union of merge_extent_mapping()), and the random operations of
 * their differential tests: offsets mostly whole units in a window of WIN units,
 * some unaligned, at 0 or at the top of the address space; lengths of a
 * few units, unaligned, or near (u64)-1; block addresses that continue
 * the file offset (so that maps merge), special values, a family that
 * reaches EM_LAST_BYTE - 1, or anything; drop ends to EOF, of length 0,
 * wrapped below START (quirk 4), or a few units on.
 */
#ifndef TESTS_UNIT_EMTEST_H
#define TESTS_UNIT_EMTEST_H

#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/em.h"
#include "sim/rng.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* The fixture's tree, empty before each test. */
static struct em_tree tree;

static inline void
setup(void)
{
	em_tree_init(&tree);
}

static inline void
teardown(void)
{
	em_tree_destroy(&tree);
}

static inline void
check_tree(const struct em_tree *t)
{
	const char *why = NULL;

	ck_assert_msg(em_check(t, &why) == 0, "em_check: %s", why);
}

static inline uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/*
 * mergable_maps(), clause by clause as in 2008: NEXT (starting at NSTART,
 * at NBLOCK) may absorb PREV (PSTART, PLEN, PBLOCK), or PREV it.
 */
static inline bool
rule_mergeable(uint64_t pstart, uint64_t plen, uint64_t pblock,
    uint64_t nstart, uint64_t nblock)
{
	return sat_add(pstart, plen) == nstart &&
	    ((nblock == EM_HOLE && pblock == EM_HOLE) ||
	    (nblock == EM_INLINE && pblock == EM_INLINE) ||
	    (nblock == EM_DELALLOC && pblock == EM_DELALLOC) ||
	    (nblock < EM_LAST_BYTE - 1 && nblock == sat_add(pblock, plen)));
}

/*
 * The test and the union of merge_extent_mapping() (3b951516), rule by
 * rule: false if EXISTING (XS, XL, XB)
 * and the new map (*S, *L, *B) are of different kinds, leave a gap or (real
 * maps) do not continue each other on disk; else the new map becomes the
 * union.  The caller then removes EXISTING and adds the union.
 */
static inline bool
rule_merge_union(uint64_t xs, uint64_t xl, uint64_t xb, uint64_t *s,
    uint64_t *l, uint64_t *b)
{
	bool real = xb < EM_LAST_BYTE;
	uint64_t x_end = sat_add(xs, xl), e_end = sat_add(*s, *l), new_end;

	if ((real && *b >= EM_LAST_BYTE) || (!real && *b != xb))
		return false;
	if (xs >= *s) {
		if (e_end < xs || (real && *b + (xs - *s) != xb))
			return false;
	} else {
		if (x_end < *s || (real && xb + (*s - xs) != *b))
			return false;
	}
	new_end = x_end > e_end ? x_end : e_end;
	if (xs >= *s) {
		*l = new_end - *s;
	} else {
		*s = xs;
		*b = xb;
		*l = new_end - xs;
	}
	return true;
}

#define UNIT	((uint64_t)4096)
#define WIN	48			/* window of offsets, in units */
#define BASE1	((uint64_t)1 << 20)	/* block = BASE1 + file offset */
#define BASE2	((uint64_t)1 << 36)
/* A family whose block_start reaches EM_LAST_BYTE - 1 at 24 units. */
#define EDGE	(EM_LAST_BYTE - 1 - 24 * UNIT)

static inline uint64_t
gen_pos(struct rng *g)
{
	uint64_t k = rng_below(g, 100);

	if (k < 78)
		return rng_below(g, WIN) * UNIT;
	if (k < 92)
		return rng_below(g, WIN * UNIT);
	if (k < 95)
		return 0;
	return UINT64_MAX - rng_below(g, 4) * UNIT - rng_below(g, 3) * 100;
}

static inline uint64_t
gen_len(struct rng *g)
{
	uint64_t k = rng_below(g, 100);

	if (k < 80)
		return (1 + rng_below(g, 12)) * UNIT;
	if (k < 95)
		return 1 + rng_below(g, 8 * UNIT);
	return UINT64_MAX - rng_below(g, 3);
}

static inline uint64_t
gen_block(struct rng *g, uint64_t start)
{
	static const uint64_t specials[] = { EM_HOLE, EM_INLINE, EM_DELALLOC,
	    EM_LAST_BYTE };
	uint64_t k = rng_below(g, 100);

	if (k < 40)
		return BASE1 + start;
	if (k < 55)
		return BASE2 + start;
	if (k < 75)
		return specials[rng_below(g,
		    sizeof(specials) / sizeof(specials[0]))];
	if (k < 88)
		return EDGE + start;
	return rng_below(g, (uint64_t)1 << 30);
}

/* A map [*START, *START + *LEN) -> *BLOCK that does not wrap. */
static inline void
gen_extent(struct rng *g, uint64_t *start, uint64_t *len, uint64_t *block)
{
	*start = gen_pos(g);
	if (*start == UINT64_MAX)
		(*start)--;
	*len = gen_len(g);
	if (*len > UINT64_MAX - *start)
		*len = UINT64_MAX - *start;
	*block = gen_block(g, *start);
}

static inline uint64_t
gen_end(struct rng *g, uint64_t start)
{
	uint64_t k = rng_below(g, 100);

	if (k < 25)
		return UINT64_MAX;
	if (k < 35)
		return start - 1;
	if (k < 47 && start >= 2)
		return rng_below(g, start - 1);
	if (k < 75)
		return start + (1 + rng_below(g, 12)) * UNIT - 1;
	return start + rng_below(g, 12 * UNIT);
}

enum op {
	OP_LOOKUP, OP_ADD, OP_GET_EXTENT, OP_REMOVE, OP_DROP, OP_MERGE,
	OP_CLONE, OP_RESET
};

static const char *const op_names[] = {
	"lookup", "add", "get_extent", "remove", "drop", "merge", "clone",
	"reset"
};

/* An operation; always a reset once the tree holds more than MAX maps. */
static inline enum op
gen_op(struct rng *g, size_t count, size_t max)
{
	uint64_t k = rng_below(g, 1000);

	if (count > max || k < 2)
		return OP_RESET;
	if (k < 5)
		return OP_CLONE;
	if (k < 230)
		return OP_LOOKUP;
	if (k < 430)
		return OP_ADD;
	if (k < 560)
		return OP_GET_EXTENT;
	if (k < 610)
		return OP_REMOVE;
	if (k < 880)
		return OP_DROP;
	return OP_MERGE;
}

#endif
