/*
 * The lock-order graph and its cycle listing; lockorder.h states the model.
 *
 * Nodes and edges live in arrays in the order they were added; each array
 * has an open-addressing index of positions by key (linear probing, at
 * most half full), so that adding a node or an edge is one lookup.
 *
 * Listing: the strongly connected components first (Kosaraju, iterative,
 * on adjacency arrays with sorted successors), since a cycle lies inside
 * one; then, from each node s in id order, every simple path through
 * nodes of s's component with ids above s that comes back to s.  Each
 * elementary cycle is found once, from its lowest node, and sorted
 * successors give the lexicographic order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lockorder.h"
#include "rng.h"
#include "xmalloc.h"

/* The slot of KEY in IX over KEYS: where it is, or the empty slot where
 * it would go.  IX has room (ix_reserve()). */
static size_t
ix_slot(const struct lockorder_index *ix, const uint64_t *keys, uint64_t key)
{
	size_t i, mask = ix->cap - 1;

	for (i = rng_mix64(key) & mask; ix->slot[i] != 0; i = (i + 1) & mask)
		if (keys[ix->slot[i] - 1] == key)
			break;
	return i;
}

/* Room in IX for one more than the N keys of KEYS: at half full, double
 * the table and index the keys again. */
static void
ix_reserve(struct lockorder_index *ix, const uint64_t *keys, size_t n)
{
	size_t i;

	if (2 * (n + 1) <= ix->cap)
		return;
	free(ix->slot);
	ix->cap = ix->cap ? 2 * ix->cap : 64;
	ix->slot = xcalloc(ix->cap, sizeof(*ix->slot));
	for (i = 0; i < n; i++)
		ix->slot[ix_slot(ix, keys, keys[i])] = (int32_t)i + 1;
}

/* The id of the node of KEY, added under NAME (cut to fit) if new. */
int
lockorder_node(struct lockorder *g, uint64_t key, const char *name)
{
	size_t i, len;

	ix_reserve(&g->nodes, g->key, g->nnode);
	i = ix_slot(&g->nodes, g->key, key);
	if (g->nodes.slot[i] != 0)
		return g->nodes.slot[i] - 1;
	if (g->nnode == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 16;
		g->key = xreallocarray(g->key, g->cap, sizeof(*g->key));
		g->name = xreallocarray(g->name, g->cap, sizeof(*g->name));
	}
	len = strnlen(name, LOCKORDER_NAME - 1);
	memcpy(g->name[g->nnode], name, len);
	g->name[g->nnode][len] = '\0';
	g->key[g->nnode] = key;
	g->nodes.slot[i] = (int32_t)g->nnode + 1;
	return (int)g->nnode++;
}

/* Record FROM -> TO, once, in the order edges are first seen, with
 * SEEN (or nothing known) as where: later sightings add nothing, as
 * lockdep reports the first trace of a dependency. */
void
lockorder_edge(struct lockorder *g, int from, int to,
    const struct lockorder_seen *seen)
{
	uint64_t e = (uint64_t)from << 32 | (uint32_t)to;
	size_t i;

	ix_reserve(&g->edges, g->edge, g->nedge);
	i = ix_slot(&g->edges, g->edge, e);
	if (g->edges.slot[i] != 0)
		return;
	if (g->nedge == g->ecap) {
		g->ecap = g->ecap ? 2 * g->ecap : 16;
		g->edge = xreallocarray(g->edge, g->ecap, sizeof(*g->edge));
		g->seen = xreallocarray(g->seen, g->ecap, sizeof(*g->seen));
	}
	if (seen != NULL)
		g->seen[g->nedge] = *seen;
	else
		g->seen[g->nedge] = (struct lockorder_seen){ .task = -1 };
	g->edge[g->nedge] = e;
	g->edges.slot[i] = (int32_t)g->nedge + 1;
	g->nedge++;
}

/* Release G's arrays; G is empty afterwards. */
void
lockorder_free(struct lockorder *g)
{
	free(g->key);
	free(g->name);
	free(g->nodes.slot);
	free(g->edge);
	free(g->seen);
	free(g->edges.slot);
	memset(g, 0, sizeof(*g));
}

/*
 * Add SRC's edges to DST, nodes matched by key.  DST numbers its new
 * nodes in the order their edges were first seen in SRC.
 */
void
lockorder_merge(struct lockorder *dst, const struct lockorder *src)
{
	size_t i;
	int a, b, from, to;

	for (i = 0; i < src->nedge; i++) {
		a = (int)(src->edge[i] >> 32);
		b = (int)(uint32_t)src->edge[i];
		from = lockorder_node(dst, src->key[a], src->name[a]);
		to = lockorder_node(dst, src->key[b], src->name[b]);
		lockorder_edge(dst, from, to, &src->seen[i]);
	}
}

/* qsort() order of ints. */
static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Adjacency: the successors of v are adj[off[v], off[v + 1]), sorted. */
struct csr {
	int		*off;
	int		*adj;
};

/* G's edges as adjacency arrays, reversed if REVERSE; csr_free()
 * releases them. */
static void
csr_build(const struct lockorder *g, struct csr *c, bool reverse)
{
	size_t i, n = g->nnode;
	int *fill, from, to;

	c->off = xcalloc(n + 1, sizeof(*c->off));
	c->adj = xcalloc(g->nedge + 1, sizeof(*c->adj));
	fill = xcalloc(n + 1, sizeof(*fill));
	for (i = 0; i < g->nedge; i++) {
		from = (int)(reverse ? (uint32_t)g->edge[i] : g->edge[i] >> 32);
		c->off[from + 1]++;
	}
	for (i = 0; i < n; i++)
		c->off[i + 1] += c->off[i];
	for (i = 0; i < g->nedge; i++) {
		from = (int)(reverse ? (uint32_t)g->edge[i] : g->edge[i] >> 32);
		to = (int)(reverse ? g->edge[i] >> 32 : (uint32_t)g->edge[i]);
		c->adj[c->off[from] + fill[from]++] = to;
	}
	for (i = 0; i < n; i++)
		qsort(c->adj + c->off[i], (size_t)(c->off[i + 1] - c->off[i]),
		    sizeof(int), cmp_int);
	free(fill);
}

/* Release what csr_build() allocated. */
static void
csr_free(struct csr *c)
{
	free(c->off);
	free(c->adj);
}

/*
 * Strongly connected components (Kosaraju, iterative): COMP[v] for each of
 * the N nodes.  A cycle lies inside one component.
 */
static void
scc(size_t n, const struct csr *fwd, const struct csr *rev, int *comp)
{
	int *fin, *stk, *it, nfin = 0, sp, v, w, ncomp = 0;
	bool *seen;
	size_t r;

	fin = xcalloc(n + 1, sizeof(*fin));
	stk = xcalloc(n + 1, sizeof(*stk));
	it = xcalloc(n + 1, sizeof(*it));
	seen = xcalloc(n + 1, sizeof(*seen));
	for (r = 0; r < n; r++) {
		if (seen[r])
			continue;
		sp = 0;
		stk[sp] = (int)r;
		it[sp++] = fwd->off[r];
		seen[r] = true;
		while (sp > 0) {
			v = stk[sp - 1];
			if (it[sp - 1] == fwd->off[v + 1]) {
				fin[nfin++] = v;
				sp--;
				continue;
			}
			w = fwd->adj[it[sp - 1]++];
			if (!seen[w]) {
				seen[w] = true;
				stk[sp] = w;
				it[sp++] = fwd->off[w];
			}
		}
	}
	for (r = 0; r < n; r++)
		comp[r] = -1;
	while (nfin > 0) {
		v = fin[--nfin];
		if (comp[v] >= 0)
			continue;
		sp = 0;
		stk[sp++] = v;
		comp[v] = ncomp;
		while (sp > 0) {
			v = stk[--sp];
			for (int k = rev->off[v]; k < rev->off[v + 1]; k++) {
				w = rev->adj[k];
				if (comp[w] < 0) {
					comp[w] = ncomp;
					stk[sp++] = w;
				}
			}
		}
		ncomp++;
	}
	free(fin);
	free(stk);
	free(it);
	free(seen);
}

/* Append the string S to BUF of SIZE bytes, cut to fit. */
static void
text_add(char *buf, size_t size, const char *s)
{
	size_t len = strlen(buf), n = strlen(s);

	if (n > size - 1 - len)
		n = size - 1 - len;
	memcpy(buf + len, s, n);
	buf[len + n] = '\0';
}

/* The index of edge FROM -> TO of G, which exists. */
static size_t
edge_index(const struct lockorder *g, int from, int to)
{
	uint64_t e = (uint64_t)from << 32 | (uint32_t)to;

	return (size_t)g->edges.slot[ix_slot(&g->edges, g->edge, e)] - 1;
}

/* Copy the name of node V of G into a LOCKORDER_NAME buffer. */
static void
name_to(char *dst, const struct lockorder *g, int v)
{
	memcpy(dst, g->name[v], LOCKORDER_NAME);
}

/* Add "A -> B -> ... -> A" for the cycle PATH[0..len) to REP, with its
 * edges and where each was first seen; false when REP is full (and then
 * it says there are more). */
static bool
add_cycle(struct lockorder_report *rep, const struct lockorder *g,
    const int *path, int len)
{
	struct lockorder_report_edge *re;
	char *buf;
	int i;

	if (rep->ncycles == LOCKORDER_MAX_CYCLES) {
		rep->more = true;
		return false;
	}
	rep->nedges[rep->ncycles] = len;
	for (i = 0; i < len && i < LOCKORDER_CYCLE_EDGES; i++) {
		re = &rep->edges[rep->ncycles][i];
		name_to(re->from, g, path[i]);
		name_to(re->to, g, path[(i + 1) % len]);
		re->seen = g->seen[edge_index(g, path[i],
		    path[(i + 1) % len])];
	}
	buf = rep->cycles[rep->ncycles++];
	buf[0] = '\0';
	for (i = 0; i < len; i++) {
		text_add(buf, LOCKORDER_CYCLE_LEN, g->name[path[i]]);
		text_add(buf, LOCKORDER_CYCLE_LEN, " -> ");
	}
	text_add(buf, LOCKORDER_CYCLE_LEN, g->name[path[0]]);
	return true;
}

/*
 * REP (overwritten) lists every elementary cycle of G, each once, in the
 * order lockorder.h states, up to the report's capacity and the budget.
 */
void
lockorder_cycles(const struct lockorder *g, struct lockorder_report *rep)
{
	struct csr fwd, rev;
	size_t n = g->nnode, s;
	int *comp, *path, *it, depth, v, w;
	bool *onpath;
	long budget = LOCKORDER_BUDGET;

	memset(rep, 0, sizeof(*rep));
	if (n == 0)
		return;
	csr_build(g, &fwd, false);
	csr_build(g, &rev, true);
	comp = xcalloc(n, sizeof(*comp));
	path = xcalloc(n + 1, sizeof(*path));
	it = xcalloc(n + 1, sizeof(*it));
	onpath = xcalloc(n, sizeof(*onpath));
	scc(n, &fwd, &rev, comp);
	for (s = 0; s < n; s++) {
		path[0] = (int)s;
		it[0] = fwd.off[s];
		onpath[s] = true;
		depth = 1;
		while (depth > 0) {
			v = path[depth - 1];
			if (it[depth - 1] == fwd.off[v + 1]) {
				onpath[v] = false;
				depth--;
				continue;
			}
			w = fwd.adj[it[depth - 1]++];
			if (--budget < 0) {
				rep->more = true;
				goto out;
			}
			if (w == (int)s) {
				if (!add_cycle(rep, g, path, depth))
					goto out;
			} else if (w > (int)s && comp[w] == comp[s] &&
			    !onpath[w]) {
				path[depth] = w;
				it[depth++] = fwd.off[w];
				onpath[w] = true;
			}
		}
	}
out:
	csr_free(&fwd);
	csr_free(&rev);
	free(comp);
	free(path);
	free(it);
	free(onpath);
}

/* IX over the N keys of KEYS indexes each at its position and nothing
 * else, at most half full. */
static bool
ix_consistent(const struct lockorder_index *ix, const uint64_t *keys,
    size_t n)
{
	size_t i, used = 0;

	if (n == 0)
		return true;
	if (ix->cap == 0 || (ix->cap & (ix->cap - 1)) != 0 || 2 * n > ix->cap)
		return false;
	for (i = 0; i < ix->cap; i++) {
		if (ix->slot[i] < 0 || (size_t)ix->slot[i] > n)
			return false;
		used += ix->slot[i] != 0;
	}
	for (i = 0; i < n; i++)
		if (ix->slot[ix_slot(ix, keys, keys[i])] != (int32_t)i + 1)
			return false;
	return used == n;
}

/* G's invariants (lockorder.h): 0, or -EINVAL with *WHY set. */
int
lockorder_check(const struct lockorder *g, const char **why)
{
	size_t i;

#define FAIL(msg)	do { *why = (msg); return -EINVAL; } while (0)
	if (g->nnode > g->cap || g->nedge > g->ecap)
		FAIL("lock-order count past its capacity");
	if (!ix_consistent(&g->nodes, g->key, g->nnode))
		FAIL("a lock-order node is not indexed by its key, or twice");
	if (!ix_consistent(&g->edges, g->edge, g->nedge))
		FAIL("a lock-order edge is not indexed, or listed twice");
	for (i = 0; i < g->nnode; i++)
		if (memchr(g->name[i], '\0', LOCKORDER_NAME) == NULL)
			FAIL("a lock-order name without its end");
	for (i = 0; i < g->nedge; i++) {
		if ((g->edge[i] >> 32) >= g->nnode ||
		    (uint32_t)g->edge[i] >= g->nnode)
			FAIL("a lock-order edge to no node");
		if (memchr(g->seen[i].who, '\0', LOCKORDER_NAME) == NULL ||
		    memchr(g->seen[i].item, '\0', LOCKORDER_NAME) == NULL)
			FAIL("where an edge was seen lacks its end");
	}
#undef FAIL
	return 0;
}
