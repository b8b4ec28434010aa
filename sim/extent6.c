/*
 * btrfs_get_extent() and the extent map drops of Linux 6.x (extent6.h).
 */
#include <errno.h>

#include "conc.h"
#include "em6.h"
#include "extent6.h"
#include "fei.h"
#include "fs.h"
#include "inode.h"
#include "range.h"

/*
 * The map btrfs_get_extent builds from the items for START: the item
 * containing it (a real or hole map over the whole item), else a hole up
 * to the next item, else a hole of LEN bytes (no-holes: gaps have no
 * items).  The caller owns it.
 */
static struct em_map *
map_from_items(struct fs *fs, struct fs_inode *ip, uint64_t start,
    uint64_t len)
{
	struct fei_extent x;
	struct em_map *em;

	fei_extent_at(inode_items(fs, ip), start, len, &x);
	if (x.logical == 0) {
		em = em_alloc(x.start, x.len, EM_HOLE);
		em->block_len = 0;
		return em;
	}
	em = em_alloc(x.start, x.len, x.logical);
	em->offset = x.item->offset;
	em->ram_bytes = x.item->disk_num_bytes;
	return em;
}

/* The hit test of btrfs_get_extent: a cached map containing START. */
static bool
holds(const struct em_map *em, uint64_t start)
{
	return em != NULL && em->start <= start && em_end(em) > start;
}

int
extent6_get(struct fs *fs, struct fs_inode *ip, uint64_t start, uint64_t len,
    bool on_worker, struct em_map **out, unsigned *why)
{
	struct em_map *em;
	struct em_tree *tree;
	uint64_t merges;
	int r;

	(void)on_worker;
	conc_lock(fs, CONC_EM_LOCK, ip);
	em = em6_lookup(inode_em(fs, ip), start, len);
	conc_unlock(fs, CONC_EM_LOCK, ip);
	if (holds(em, start)) {
		fs_emit(fs, TRACE_GET_EXTENT, inode_ino(ip), em->start,
		    em->len, em->block_start, TRACE_GE_HIT);
		*out = em;
		return 0;
	}
	em = map_from_items(fs, ip, start, len);
	conc_lock(fs, CONC_EM_LOCK, ip);
	tree = inode_em(fs, ip);
	merges = tree->merges;
	r = em6_add_mapping(tree, em, start, len, out);
	fs_count(fs, STAT_EM_MERGES, tree->merges - merges);
	conc_unlock(fs, CONC_EM_LOCK, ip);
	if (r != 0) {
		fs_emit(fs, TRACE_GET_EXTENT, inode_ino(ip), start, len, 0,
		    TRACE_GE_FAILED);
		*why = FS_EIO_INSERT_EEXIST;
		return -EIO;
	}
	fs_emit(fs, TRACE_GET_EXTENT, inode_ino(ip), (*out)->start,
	    (*out)->len, (*out)->block_start, TRACE_GE_INSERT);
	return 0;
}

int
extent6_drop(struct fs *fs, struct fs_inode *ip, uint64_t start,
    uint64_t end)
{
	struct em_tree *tree;
	uint64_t splits;

	fs_emit(fs, TRACE_DROP_CACHE, inode_ino(ip), start, end, 0, 0);
	conc_note_drop(fs, ip, start, end);
	conc_lock(fs, CONC_EM_LOCK, ip);
	tree = inode_em(fs, ip);
	splits = tree->splits;
	em6_drop_range(tree, start, end, false);
	fs_count(fs, STAT_EM_SPLITS, tree->splits - splits);
	conc_unlock(fs, CONC_EM_LOCK, ip);
	return 0;
}

struct em_map *
extent6_replace(struct fs *fs, struct fs_inode *ip, uint64_t start,
    uint64_t len, uint64_t logical, bool pinned)
{
	struct em_map *em = em_alloc(start, len, logical);
	struct em_tree *tree;

	em->flags = pinned ? EM_FLAG_PINNED : 0;
	conc_lock(fs, CONC_EM_LOCK, ip);
	tree = inode_em(fs, ip);
	/* The range is free after the drop, so the add goes in. */
	do
		em6_drop_range(tree, start, start + len - 1, false);
	while (em6_add(tree, em) != 0);
	conc_unlock(fs, CONC_EM_LOCK, ip);
	return em;
}

void
extent6_unpin(struct fs *fs, struct fs_inode *ip, uint64_t start)
{
	struct em_tree *tree;
	struct em_map *em;
	uint64_t merges;

	conc_lock(fs, CONC_EM_LOCK, ip);
	tree = inode_em(fs, ip);
	em = em6_lookup(tree, start, 1);
	if (em != NULL && (em->flags & EM_FLAG_PINNED)) {
		merges = tree->merges;
		em6_unpin(tree, em);
		fs_count(fs, STAT_EM_MERGES, tree->merges - merges);
	}
	conc_unlock(fs, CONC_EM_LOCK, ip);
}
