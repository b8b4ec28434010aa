/*
 * File extent items: the on-disk truth of where an inode's bytes live, as
 * 2008's BTRFS_EXTENT_DATA_KEY items in the fs tree.  Each item maps the
 * file range [file_offset, file_offset + num_bytes) to the disk extent
 * [disk_bytenr, disk_bytenr + disk_num_bytes), starting `offset` bytes into
 * it; disk_bytenr 0 is a hole (disk_num_bytes and offset 0).  Items are
 * sorted and disjoint.  Inline items are out of scope.
 *
 * Items reference allocator extents: every non-hole item holds one
 * reference on the extent at disk_bytenr (see alloc.h), so splitting an
 * item takes a reference and deleting one drops it.
 */
#ifndef SIM_FEI_H
#define SIM_FEI_H

#include <stddef.h>
#include <stdint.h>

#include <bsd/sys/tree.h>

#include "alloc.h"

struct fei_item {
	RB_ENTRY(fei_item) node;
	uint64_t	file_offset;
	uint64_t	num_bytes;
	uint64_t	disk_bytenr;	/* 0: hole */
	uint64_t	disk_num_bytes;
	uint64_t	offset;		/* into the disk extent */
};

RB_HEAD(fei_rb, fei_item);

struct track;

struct fei_tree {
	struct fei_rb	root;
	size_t		count;
	/*
	 * For the invariant checker (inv.h): the file ranges of the items
	 * inserted, deleted, trimmed or split since it last looked (values
	 * unused), and where every reference an item takes or drops is
	 * counted (track.h), or NULL.
	 */
	struct imap	changed;
	struct track	*track;
};

void	fei_init(struct fei_tree *);
/* Free every item (references are NOT dropped: see fei_drop). */
void	fei_destroy(struct fei_tree *);
/* A deep copy, counted in no tracker (fei_set_track). */
void	fei_clone(struct fei_tree *dst, const struct fei_tree *src);
/*
 * Count the references the items take and drop from now on in TRACK
 * (borrowed; the items already there are the caller's to count).
 */
void	fei_set_track(struct fei_tree *, struct track *);
/* The invariant checker has looked at the changed ranges: forget them. */
void	fei_settle(struct fei_tree *);

/*
 * Insert a copy of ITEM.  The reference it holds is the caller's to give
 * (alloc_reserve's, or one taken with alloc_get).  -EEXIST if it would
 * overlap an item (nothing inserted).
 */
int	fei_insert(struct fei_tree *, const struct fei_item *item);

/* The item containing file offset OFF, or NULL.  Borrowed. */
const struct fei_item *fei_lookup(const struct fei_tree *, uint64_t off);
/* The first item starting after OFF (file_offset > OFF), or NULL. */
const struct fei_item *fei_next_after(const struct fei_tree *, uint64_t off);
const struct fei_item *fei_first(const struct fei_tree *);
const struct fei_item *fei_next(const struct fei_tree *,
	    const struct fei_item *);
const struct fei_item *fei_prev(const struct fei_tree *,
	    const struct fei_item *);

/*
 * btrfs_drop_extents(start, end) on the items alone: remove [start, end)
 * from the file's items.  Items inside are deleted (dropping their
 * reference), items straddling an edge are trimmed (offset advanced for a
 * head trim), an item covering the whole range is split in two (taking a
 * reference for the tail).  Returns 0 (the model's items cannot fail).
 */
int	fei_drop(struct fei_tree *, struct alloc *, uint64_t start,
	    uint64_t end);

/*
 * The btree part of btrfs_truncate_in_trans: delete items at or after
 * SIZE and trim the item straddling SIZE to
 * round_up(SIZE - file_offset, sectorsize) bytes (its extent stays whole).
 */
void	fei_truncate(struct fei_tree *, struct alloc *, uint64_t size,
	    uint64_t sectorsize);

/*
 * Verify: items sorted, disjoint, non-empty; holes have no disk range;
 * offset + num_bytes <= disk_num_bytes for real items.  Returns 0 or -1
 * with WHY.
 */
int	fei_check(const struct fei_tree *, const char **why);
/* A hash of the items, in order (not the checker's changed ranges). */
uint64_t fei_hash(const struct fei_tree *);

/* fei_check()'s rules for one item on its own: 0, or -1 with WHY. */
int	fei_item_check(const struct fei_item *, const char **why);

/*
 * What btrfs_get_extent maps for file offset START when asked for LEN
 * bytes: the item holding START (its whole range; LOGICAL its first
 * byte's address, 0 for a hole item), else a hole from START to the next
 * item, else a hole of LEN bytes (its end saturating).  ITEM is the item
 * found, or NULL.
 */
struct fei_extent {
	uint64_t	start;
	uint64_t	len;
	uint64_t	logical;	/* 0: a hole */
	const struct fei_item *item;
};
void	fei_extent_at(const struct fei_tree *, uint64_t start, uint64_t len,
	    struct fei_extent *out);

#endif
