/* Finding kind names, indexed by enum inv_kind. */
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
 * Does the real map EM agree with the items over its whole range?  Both
 * are linear within one item, so one comparison per item piece suffices.
 */
static bool
map_coherent(const struct fei_tree *items, const struct em_map *em)
{
	uint64_t end = em_end(em);

	for (uint64_t p = em->start; p < end; ) {
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

void
inv_report_free(struct inv_report *r)
{
	free(r->f);
	r->f = NULL;
	r->n = r->cap = 0;
	r->kinds = 0;
}
