/*
 * btrfs_get_extent() and btrfs_drop_extent_cache() of 2008 (extent2008.h)
 * on the inode's extent map tree (em.h).
 */
#include <errno.h>

#include "conc.h"
#include "em.h"
#include "extent2008.h"
#include "fei.h"
#include "fs.h"
#include "inode.h"
#include "meta.h"
#include "quirk.h"

/*
 * Note an overlap in IP's cache: add_extent_mapping() accepted a map that
 * starts in a gap and overlaps its successor (latent-insert-overlap.scn).
 */
static void
note_overlap(struct fs *fs, const struct em_tree *tree)
{
	if (tree->overlaps > 0)
		fs_note_latent(fs, FS_LATENT_OVERLAP);
}

int
extent2008_drop(struct fs *fs, struct fs_inode *ip, uint64_t start,
    uint64_t end)
{
	struct em_tree *tree;
	uint64_t before;
	int r;

	fs_emit(fs, TRACE_DROP_CACHE, inode_ino(ip), start, end, 0, 0);
	conc_note_drop(fs, ip, start, end);
	conc_lock(fs, CONC_EM_LOCK, ip);
	tree = inode_em(fs, ip);
	before = tree->splits;
	r = em_drop_cache(tree, start, end, fs_quirk(fs, QUIRK_DROP_WHOLE));
	fs_count(fs, STAT_EM_SPLITS, tree->splits - before);
	conc_unlock(fs, CONC_EM_LOCK, ip);
	if (r == -ELOOP)
		return fs_oops(fs, "btrfs_drop_extent_cache",
		    "soft lockup: the remnants merge back into the map they "
		    "came from and the loop never ends (end < start)");
	if (r != 0)
		return fs_oops(fs, "btrfs_drop_extent_cache",
		    "BUG_ON: inserting a split extent map failed (-EEXIST)");
	return 0;
}

/*
 * The map btrfs_get_extent builds from the items for START: the item
 * containing it (a real or hole map over the whole item), else a hole up
 * to the next item, else a hole of LEN bytes.  Caller owns the result.
 */
static struct em_map *
map_from_items(struct fs *fs, struct fs_inode *ip, uint64_t start,
    uint64_t len)
{
	struct fei_extent x;

	fei_extent_at(inode_items(fs, ip), start, len, &x);
	return em_alloc(x.start, x.len, x.logical != 0 ? x.logical : EM_HOLE);
}

/* The trace word of each em_get_extent_insert() result. */
static const uint64_t ge_trace[] = {
	[EM_GE_INSERTED] = TRACE_GE_INSERT,
	[EM_GE_EXISTING] = TRACE_GE_EEXIST_HIT,
	[EM_GE_MERGED] = TRACE_GE_MERGED,
	[EM_GE_FAILED] = TRACE_GE_FAILED,
};

/*
 * The insert half of btrfs_get_extent, under the extent map spinlock:
 * insert EM (the caller's) with the -EEXIST handling of the commit, or
 * the old EIO under insert-eexist-eio.  *OUT is borrowed from the cache.
 * On failure, *WHY gets the FS_EIO_* cause and the error is 2008's:
 * -EEXIST when merge_extent_mapping collided again (3b951516 returns the
 * merge's error as it is, `err = merge_extent_mapping(...)`), else -EIO.
 */
static int
get_extent_insert(struct fs *fs, struct fs_inode *ip, uint64_t start,
    uint64_t len, struct em_map *em, struct em_map **out, unsigned *why)
{
	bool old = fs_quirk(fs, QUIRK_INSERT_EEXIST_EIO);
	struct em_tree *tree = inode_em(fs, ip);
	uint64_t before = tree->merges;
	const struct em_map *shown;
	enum em_ge how;
	int r;

	r = em_get_extent_insert(tree, start, len, em, !old, out, &how);
	fs_count(fs, STAT_EM_MERGES, tree->merges - before);
	note_overlap(fs, tree);
	shown = how == EM_GE_FAILED ? em : *out;
	fs_emit(fs, TRACE_GET_EXTENT, inode_ino(ip), shown->start, shown->len,
	    shown->block_start, r == -EEXIST ? TRACE_GE_REFAILED :
	    ge_trace[how]);
	if (r == 0)
		return 0;
	em_free(em);
	if (old) {
		*why = FS_EIO_INSERT_EEXIST;
		return -EIO;
	}
	*why = FS_EIO_MERGE_REFAIL;
	fs_note_latent(fs, FS_LATENT_MERGE_REFAIL);
	return r == -EEXIST ? -EEXIST : -EIO;
}

int
extent2008_get(struct fs *fs, struct fs_inode *ip, uint64_t start,
    uint64_t len, bool on_worker, struct em_map **out, unsigned *why)
{
	struct em_map *em;
	int r;

	conc_lock(fs, CONC_EM_LOCK, ip);
	em = em_lookup(inode_em(fs, ip), start, len);
	if (em != NULL && (em->start > start || em_end(em) <= start))
		em = NULL;	/* mid-2008: a hit must contain start */
	conc_unlock(fs, CONC_EM_LOCK, ip);
	if (em != NULL) {
		fs_emit(fs, TRACE_GET_EXTENT, inode_ino(ip), em->start,
		    em->len, em->block_start, TRACE_GE_HIT);
		*out = em;
		return 0;
	}
	if ((r = meta_read(fs, ip, on_worker)) != 0)
		return r;
	em = map_from_items(fs, ip, start, len);
	conc_lock(fs, CONC_EM_LOCK, ip);
	r = get_extent_insert(fs, ip, start, len, em, out, why);
	conc_unlock(fs, CONC_EM_LOCK, ip);
	return r;
}
