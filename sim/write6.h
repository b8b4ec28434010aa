/*
 * The Linux 6.x write path: write(2) (btrfs_buffered_write) and its
 * writeback (cow_file_range and the ordered extent's completion,
 * btrfs_finish_ordered_io), and the synchronous single-copy writes of
 * repair and scrub (btrfs_repair_io_failure, btrfs_submit_repair_write).
 *
 * write(2), under the inode lock: the free space checked (allocated,
 * dirty and asked bytes within the capacity), the pages of the range
 * locked in order and the partly covered ones read (read_folio), the
 * bytes copied in, the pages dirty, i_size raised.  No hole items: the
 * modern era models the no-holes feature (mkfs's default since
 * btrfs-progs 5.15), so the gap a write past EOF leaves has no item.
 *
 * Writeback of a dirty run, holding the inode's ordered-extent lock (so
 * that a truncate waits for it, as btrfs_wait_ordered_range does): the
 * run is allocated in max_extent pieces, its pages cleaned and their
 * contents taken (clear_page_dirty_for_io), each piece gets a pinned
 * extent map, and each piece goes to each copy as one bio.  When they
 * have all completed, a piece whose failed copies exceed what the
 * profile tolerates (copies - 1 for raid1*, none for dup and single)
 * fails: its map, space and pages go, the file keeps its previous
 * contents, and the writeback is -EIO.  Otherwise its file extent item
 * goes in (btrfs_drop_extents over what was there), its checksums into
 * the csum tree by logical address, its map is unpinned (and may merge).
 * A failed write bio counts write_io_errs on its device, unless the
 * device is missing (offline), and the write_errors counter.
 */
#ifndef SIM_WRITE6_H
#define SIM_WRITE6_H

#include <stdint.h>

struct fs;
struct fs_inode;
struct imap;

/* write(2) under the inode lock, without its writeback (fs_write). */
int	write6_write(struct fs *, struct fs_inode *, uint64_t off, uint64_t len,
	    int fill, unsigned flags);
/* Write back every dirty page of IP; of every inode. */
int	write6_writeback(struct fs *, struct fs_inode *);
int	write6_sync(struct fs *);
/* Write back the dirty pages of IP in [s, t) (for a direct read). */
int	write6_writeback_range(struct fs *, struct fs_inode *, uint64_t s,
	    uint64_t t);
/*
 * Write SRC's [s, t) (content by logical address) to copy K at LOGICAL,
 * synchronously: the caller sleeps until the device completes it.  INO
 * and FILE_OFF say whose bytes they are, for the trace (0 for scrub,
 * which has no file).  0 or -EIO (counted as above).
 */
int	write6_copy_sync(struct fs *, uint32_t ino, uint64_t file_off, int k,
	    uint64_t logical, const struct imap *src, uint64_t s, uint64_t t);
/* The bytes writing back every dirty page and MORE can allocate. */
uint64_t write6_bound(struct fs *, uint64_t more);
/*
 * btrfs_truncate_block(): zero the page holding OFFSET from there on and
 * leave it dirty (nothing when OFFSET is on a page boundary).  0 or -EIO.
 */
int	write6_zero_tail(struct fs *, struct fs_inode *, uint64_t offset);

#endif
