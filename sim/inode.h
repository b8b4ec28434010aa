/*
 * An inode of the model: everything the data path keeps per file.
 *
 *   items	the file extent items, the on-disk truth (fei.h)
 *   em		the extent map cache (em.h)
 *   pages	the page cache with its dirty map (pcache.h)
 *   csums	the checksums recorded at writeback, per sector, keyed by
 *		file offset as 2008 btrfs kept them: a content value for
 *		each checksummed sector (content.h)
 *   failrec	the failure records of page reads that failed (2008's
 *		io_failure_tree): at a page's file offset, a = the logical
 *		address, b = last_mirror
 *   data	the oracle: what the file holds, as content values
 *   unsure	the oracle's blind spots: bytes it cannot vouch for (a page
 *		the 2008 code filled with 0x01 bytes, or file bytes mapped
 *		past a write's end by an over-sized allocation)
 *   ondisk	the oracle of what the file holds on disk, as of the last
 *		writeback that succeeded (modern: a failed ordered extent
 *		leaves the file's previous contents)
 *   present	the pages present in the page cache whatever their state
 *		(modern: a failed readahead leaves a page present but not
 *		uptodate; `pages` holds only uptodate ones)
 *   meta	whether the inode's btree blocks are in memory
 *   alloc_hint	the end of its last allocated extent
 *   i_size	the file size
 *
 * Units are bytes; the page size is the sector size.  The layout is
 * private to inode.c: the rest of the model reaches these through the
 * functions below, each of which records its object in the running step's
 * footprint (foot.h) before it returns.  A pointer handed out is borrowed
 * from the inode until the step ends (the caller's next blocking call);
 * the inode owns everything it points to.
 */
#ifndef SIM_INODE_H
#define SIM_INODE_H

#include <stdbool.h>
#include <stdint.h>

struct em_tree;
struct fei_tree;
struct fs;
struct fs_inode;
struct imap;
struct pcache;
struct track;

/* The imap kind of a failure record in an inode's failrec map. */
#define INODE_FAILREC	6u

/* A new empty inode number INO; the caller frees it with inode_free. */
struct fs_inode	*inode_new(uint32_t ino, bool nodatasum);
void		 inode_free(struct fs_inode *);
/* A deep copy, owned by the caller. */
struct fs_inode	*inode_clone(const struct fs_inode *);

/*
 * The invariant checker's tracker (track.h, borrowed from the fs, NULL
 * for none): the items count their references in it, and the inode notes
 * itself there the first time its maps or items are handed out after
 * inode_settle().  A clone starts with none.
 */
void		 inode_set_track(struct fs_inode *, struct track *);
/* The checker has looked at what changed in the maps and items. */
void		 inode_settle(struct fs_inode *);
/* A hash of everything the inode keeps (not the checker's bookkeeping):
 * equal inodes, equal hashes (state hashes, sched.h). */
uint64_t	 inode_hash(const struct fs_inode *);
/* Count every reference the items hold in T (a check of the tracker). */
void		 inode_count_refs(const struct fs_inode *, struct track *t);

/* Immutable: no footprint. */
uint32_t	 inode_ino(const struct fs_inode *);
bool		 inode_nodatasum(const struct fs_inode *);

uint64_t	 inode_size(const struct fs *, const struct fs_inode *);
void		 inode_set_size(const struct fs *, struct fs_inode *,
		    uint64_t size);
bool		 inode_meta_cached(const struct fs *, const struct fs_inode *);
void		 inode_set_meta_cached(const struct fs *, struct fs_inode *,
		    bool cached);
uint64_t	 inode_alloc_hint(const struct fs *, const struct fs_inode *);
void		 inode_set_alloc_hint(const struct fs *, struct fs_inode *,
		    uint64_t hint);

/* Borrowed views of the inode's structures (see above). */
struct pcache	*inode_pages(const struct fs *, struct fs_inode *);
struct imap	*inode_data(const struct fs *, struct fs_inode *);
struct imap	*inode_unsure(const struct fs *, struct fs_inode *);
struct imap	*inode_ondisk(const struct fs *, struct fs_inode *);
struct imap	*inode_present(const struct fs *, struct fs_inode *);
struct imap	*inode_csums(const struct fs *, struct fs_inode *);
struct imap	*inode_failrec(const struct fs *, struct fs_inode *);
struct em_tree	*inode_em(const struct fs *, struct fs_inode *);
struct fei_tree	*inode_items(const struct fs *, struct fs_inode *);

/*
 * The oracle gives up on the file's bytes in [s, t) (nothing if s >= t):
 * the 2008 code handed up bytes it never verified there, or mapped the
 * range to space it never wrote.
 */
void		 inode_mark_unsure(const struct fs *, struct fs_inode *,
		    uint64_t s, uint64_t t);

/*
 * The bytes of a write(2) of LEN bytes at OFF land (LEN > 0): generated
 * content from the fs's stream (FILL < 0) or FILL bytes become what the
 * file holds (the oracle, which vouches for the whole pages written), and
 * what its pages hold, uptodate and dirty (NOCSUM marks them), and i_size
 * grows to the write's end.  The caller holds the pages.
 */
void		 inode_write_bytes(struct fs *, struct fs_inode *, uint64_t off,
		    uint64_t len, int fill, bool nocsum);

/*
 * Walk every structure of the inode and verify its invariants: each map
 * well formed (imap_check, fei_check, em_check), the page cache's dirty
 * map exact (pcache_check), failure records whole pages of kind
 * INODE_FAILREC.  PAGESIZE is the sector size.  0, or -1 with the first
 * broken rule in *WHY.
 */
int		 inode_check(const struct fs_inode *, uint32_t pagesize,
		    const char **why);

#endif
