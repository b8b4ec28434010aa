/*
 * The invariant checker (inv.h) in its two modes.  inv_check() walks the
 * whole model: every cached map of every inode against the items, every
 * item against the allocator, and the allocator's references against a
 * sorted list of every item's.  inv_check_changed() looks only where the
 * structures recorded a change since inv_settle() (em.h, fei.h and
 * alloc.h keep changed ranges; track.h the inodes handed out, the
 * references every item holds, counted by bytenr, and the bytenrs whose
 * count moved), at a cost that grows with the change, not the model;
 * when anything there may be wrong it hands over to inv_check(), so that
 * both modes report the same findings in the same order.
 *
 * First, the finding kind names, indexed by enum inv_kind.
 */
#include <string.h>

#include "inv.h"

static const char *const inv_kind_names[INV_KIND_COUNT] = {
	[INV_UNALIGNED] = "unaligned",
	[INV_INCOHERENT] = "incoherent",
	[INV_OVERLAP] = "overlap",
	[INV_EXTENT_ITEMS] = "extent-items",
	[INV_ALLOC] = "alloc",
};

const char *
inv_kind_name(enum inv_kind k)
{
	return inv_kind_names[k];
}

int
inv_kind_lookup(const char *name, unsigned long len)
{
	for (int i = 0; i < INV_KIND_COUNT; i++) {
		if (strlen(inv_kind_names[i]) == len &&
		    memcmp(inv_kind_names[i], name, len) == 0)
			return i;
	}
	return -1;
}

/* ---- the checker -------------------------------------------------------- */

#include <assert.h>
#include <stdlib.h>

#include "alloc.h"
#include "em.h"
#include "fei.h"
#include "fs.h"
#include "inode.h"
#include "track.h"
#include "xmalloc.h"

static void
finding(struct inv_report *r, enum inv_kind kind, uint32_t ino,
    uint64_t start, uint64_t len, const char *what, unsigned *count)
{
	r->kinds |= 1u << kind;
	if (count[kind]++ >= INV_MAX_PER_KIND)
		return;
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 8;
		r->f = xreallocarray(r->f, r->cap, sizeof(*r->f));
	}
	r->f[r->n++] = (struct inv_finding){ kind, ino, start, len, what };
}

/*
 * Does the real map EM agree with the items over [from, end) (inside its
 * range)?  Both are linear within one item, so one comparison per item
 * piece suffices.
 */
static bool
map_coherent_in(const struct fei_tree *items, const struct em_map *em,
    uint64_t from, uint64_t end)
{
	for (uint64_t p = from; p < end; ) {
		const struct fei_item *it = fei_lookup(items, p);

		if (it == NULL || it->disk_bytenr == 0)
			return false;
		if (it->disk_bytenr + it->offset + (p - it->file_offset) !=
		    em->block_start + (p - em->start))
			return false;
		p = it->file_offset + it->num_bytes;
	}
	return true;
}

/* map_coherent_in() over the map's whole range. */
static bool
map_coherent(const struct fei_tree *items, const struct em_map *em)
{
	return map_coherent_in(items, em, em->start, em_end(em));
}

static void
check_cache(const struct fs *fs, struct fs_inode *ip, struct inv_report *r,
    unsigned *count)
{
	const struct em_tree *tree = inode_em(fs, ip);
	const struct fei_tree *items = inode_items(fs, ip);
	uint64_t mask = fs_cfg(fs)->sectorsize - 1;
	uint32_t ino = inode_ino(ip);
	uint64_t reach = 0;
	bool any = false;
	const char *why;

	assert(em_check(tree, &why) == 0);
	for (const struct em_map *em = em_first(tree); em != NULL;
	    em = em_next(tree, em)) {
		if ((em->start & mask) ||
		    (em_end(em) != UINT64_MAX && (em_end(em) & mask)))
			finding(r, INV_UNALIGNED, ino, em->start, em->len,
			    "a cached extent map does not start and end on "
			    "sector boundaries", count);
		if (any && em->start < reach)
			finding(r, INV_OVERLAP, ino, em->start, em->len,
			    "a cached extent map overlaps the one before it",
			    count);
		if (em_is_real(em) && !map_coherent(items, em))
			finding(r, INV_INCOHERENT, ino, em->start, em->len,
			    "a cached extent map points elsewhere than the "
			    "file extent items", count);
		if (!any || em_end(em) > reach)
			reach = em_end(em);
		any = true;
	}
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Items sorted, disjoint, inside allocated extents; references exact. */
static void
check_items_and_alloc(struct fs *fs, struct inv_report *r, unsigned *count)
{
	const struct alloc *al = fs_alloc(fs);
	uint64_t *refs = NULL;
	size_t n = 0, cap = 0, i = 0;
	const char *why;

	for (uint32_t ino = 1; ino <= fs_ninodes(fs); ino++) {
		const struct fei_tree *items = inode_items(fs,
		    fs_inode(fs, ino));

		if (fei_check(items, &why) != 0)
			finding(r, INV_EXTENT_ITEMS, ino, 0, 0, why, count);
		for (const struct fei_item *it = fei_first(items);
		    it != NULL; it = fei_next(items, it)) {
			const struct imap_ent *x;

			if (it->disk_bytenr == 0)
				continue;
			x = alloc_extent_at(al, it->disk_bytenr);
			if (x == NULL || x->start != it->disk_bytenr ||
			    x->end - x->start != it->disk_num_bytes)
				finding(r, INV_EXTENT_ITEMS, ino,
				    it->file_offset, it->num_bytes,
				    "a file extent item points outside the "
				    "allocated extents", count);
			if (n == cap)
				refs = xreallocarray(refs, cap = cap ? 2 * cap :
				    64, sizeof(*refs));
			refs[n++] = it->disk_bytenr;
		}
	}
	if (alloc_check(al, &why) != 0)
		finding(r, INV_ALLOC, 0, 0, 0, why, count);
	if (n > 0)
		qsort(refs, n, sizeof(*refs), cmp_u64);
	/* Walk extents and sorted references together. */
	for (const struct imap_ent *x = imap_first(&al->extents);
	    x != NULL; x = imap_next(&al->extents, x)) {
		uint64_t held = 0;

		while (i < n && refs[i] < x->start)
			i++;	/* dangling: reported as extent-items above */
		while (i < n && refs[i] == x->start) {
			held++;
			i++;
		}
		if (held != x->v.a)
			finding(r, INV_ALLOC, 0, x->start, x->end - x->start,
			    held == 0 ? "an allocated extent is referenced "
			    "by no file extent item (leaked)" :
			    "an extent's reference count differs from the "
			    "items that point at it", count);
	}
	free(refs);
}

void
inv_check(struct fs *fs, struct inv_report *r)
{
	unsigned count[INV_KIND_COUNT] = { 0 };

	for (uint32_t ino = 1; ino <= fs_ninodes(fs); ino++)
		check_cache(fs, fs_inode(fs, ino), r, count);
	check_items_and_alloc(fs, r, count);
}

/* ---- what changed ------------------------------------------------------ */

/*
 * Whether the cached maps meeting or touching [start, end) of a tree
 * without overlaps may break a rule: a map ends off a sector boundary, or
 * maps a byte of the range elsewhere than the items.  A map that only
 * touches the range is looked at for its ends: a split leaves remnants
 * that map their bytes as before, whose new ends are those of the range.
 * Maps elsewhere are as they were.
 */
static bool
maps_suspect(struct em_tree *tree, const struct fei_tree *items,
    uint64_t mask, uint64_t start, uint64_t end)
{
	struct em_map *em = em_floor(tree, start);

	if (em == NULL)
		em = em_first(tree);
	else if (em_end(em) < start)
		em = em_next(tree, em);
	for (; em != NULL && em->start <= end; em = em_next(tree, em)) {
		uint64_t lo = em->start > start ? em->start : start;
		uint64_t hi = em_end(em) < end ? em_end(em) : end;

		if ((em->start & mask) ||
		    (em_end(em) != UINT64_MAX && (em_end(em) & mask)))
			return true;
		if (em_is_real(em) && lo < hi &&
		    !map_coherent_in(items, em, lo, hi))
			return true;
	}
	return false;
}

/*
 * Whether the items meeting [start, end) may break a rule: one of them
 * broken on its own (fei_check()'s rules), out of order with the item
 * before it, or pointing elsewhere than at the whole of an allocated
 * extent.
 */
static bool
items_suspect(const struct fei_tree *items, const struct alloc *al,
    uint64_t start, uint64_t end)
{
	const struct fei_item *it = fei_lookup(items, start), *prev;
	const struct imap_ent *x;
	const char *why;

	if (it == NULL)
		it = fei_next_after(items, start);
	for (; it != NULL && it->file_offset < end;
	    it = fei_next(items, it)) {
		if (fei_item_check(it, &why) != 0)
			return true;
		if ((prev = fei_prev(items, it)) != NULL &&
		    prev->file_offset + prev->num_bytes > it->file_offset)
			return true;
		if (it->disk_bytenr == 0)
			continue;
		x = alloc_extent_at(al, it->disk_bytenr);
		if (x == NULL || x->start != it->disk_bytenr ||
		    x->end - x->start != it->disk_num_bytes)
			return true;
	}
	return false;
}

/* Inode IP's changed maps and items: may a rule be broken there? */
static bool
inode_suspect(struct fs *fs, struct fs_inode *ip, const struct alloc *al)
{
	struct em_tree *tree = inode_em(fs, ip);
	const struct fei_tree *items = inode_items(fs, ip);
	uint64_t mask = fs_cfg(fs)->sectorsize - 1;
	const struct imap *changed[2] = { &tree->changed, &items->changed };

	/* tree->overlaps is exact: any overlap at all is looked at whole;
	 * so is a tree that changed in too many places to keep them. */
	if (tree->changed_all)
		return true;
	if (tree->overlaps > 0 && (tree->changed.count > 0 ||
	    items->changed.count > 0))
		return true;
	for (int i = 0; i < 2; i++)
		for (const struct imap_ent *c = imap_first(changed[i]);
		    c != NULL; c = imap_next(changed[i], c))
			if (maps_suspect(tree, items, mask, c->start, c->end) ||
			    items_suspect(items, al, c->start, c->end))
				return true;
	return false;
}

/* Does the extent starting at BYTENR (if any) hold as many references
 * as items point at BYTENR? */
static bool
refs_suspect(const struct alloc *al, const struct track *t, uint64_t bytenr)
{
	const struct imap_ent *x = alloc_extent_at(al, bytenr);
	uint64_t held = track_refs(t, bytenr);

	if (x == NULL || x->start != bytenr)
		return held != 0;
	return x->v.a != held;
}

/*
 * May a rule be broken in what changed since the last settle?  Complete
 * (see inv.h): a rule that held then and is broken now was broken by a
 * change, inside a changed range, and each rule's inputs there are
 * looked at here.
 */
static bool
changed_suspect(struct fs *fs)
{
	struct track *t = fs_track(fs);
	const struct alloc *al = fs_alloc(fs);

	for (size_t i = 0; i < t->nino; i++)
		if (inode_suspect(fs, fs_inode(fs, t->ino[i]), al))
			return true;
	if (alloc_check_changed(al, NULL) != 0)
		return true;
	for (size_t i = 0; i < t->nbytenr; i++)
		if (refs_suspect(al, t, t->bytenr[i]))
			return true;
	for (size_t i = 0; i < al->nchanged; i++)
		if (refs_suspect(al, t, al->changed[i].start))
			return true;
	return false;
}

void
inv_check_changed(struct fs *fs, struct inv_report *r)
{
	if (changed_suspect(fs))
		inv_check(fs, r);
}

void
inv_settle(struct fs *fs)
{
	struct track *t = fs_track(fs);

	for (size_t i = 0; i < t->nino; i++)
		inode_settle(fs_inode(fs, t->ino[i]));
	alloc_settle(fs_alloc(fs));
	track_settle(t);
}

void
inv_report_free(struct inv_report *r)
{
	free(r->f);
	r->f = NULL;
	r->n = r->cap = 0;
	r->kinds = 0;
}
