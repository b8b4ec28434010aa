/*
 * The Linux 6.x read path: buffered reads with readahead, direct reads,
 * the read policies, and the bios that carry them (fs/btrfs/bio.c's
 * btrfs_submit_bio side; the completion and repair side is repair6.h).
 *
 * Buffered (filemap_read): the range is walked page by page.  An uptodate
 * page is copied.  At a page absent from the page cache, readahead first
 * reads the absent pages among the next `readahead` bytes (0: one page),
 * not past the range's last page, as one bio per physically contiguous
 * piece (REQ_RAHEAD), each page locked until its bio completes; the read
 * then waits for its page.  A page present but not uptodate (a failed
 * readahead's) is read alone (read_folio), without readahead; if that
 * fails the read stops there with EIO.  Holes are zero pages, no bio.
 *
 * Direct (O_DIRECT): offset and length sector aligned; dirty pages of the
 * range are written back first; no page cache; one bio per physically
 * contiguous piece; EIO if any sector stays bad.
 *
 * Bios cover at most READ6_BIO_MAX_PAGES pages (BIO_MAX_VECS) and never
 * cross a physical discontinuity.  Each copies the expected checksums of
 * its sectors from the csum tree when submitted (btrfs_lookup_bio_sums):
 * a checksummed inode's sector with none gets a zero checksum (a csum
 * hole), which fails.  The copy a bio goes to: `mirror=N` pins it;
 * otherwise the read policy: pid (copy pid mod copies + 1, pid the read's
 * or by default 0 for a statement and the task's number in a block),
 * round-robin (by the sectors read so far, in steps of rr_min_contig),
 * devid (the copy on that device); dup always reads copy 1.
 *
 * Units are bytes.  The modern era runs every operation on the scheduler
 * (conc_run_alone() outside blocks), so bios always complete through the
 * end-io workers.  A read's tally lives in glue memory (struct read6_req),
 * so that a readahead bio completing after its reader gave up writes into
 * memory that is still there.
 */
#ifndef SIM_READ6_H
#define SIM_READ6_H

#include <stdbool.h>
#include <stdint.h>

#include "conc.h"
#include "fs.h"
#include "imap.h"

#define READ6_BIO_MAX_PAGES	256u

/* What kind of read a bio is. */
enum read6_kind {
	READ6_RAHEAD,		/* buffered readahead (REQ_RAHEAD) */
	READ6_FOLIO,		/* buffered read_folio */
	READ6_DIRECT,		/* O_DIRECT */
	READ6_REPAIR		/* a repair read of one sector */
};

/* One read's tally, in glue memory (see above). */
struct read6_req {
	struct fs_read_result res;
	unsigned	 pending;	/* direct: bios not completed */
	bool		 failed;	/* direct: a sector stayed bad */
	struct sched_event done;	/* direct: every bio completed */
	struct imap	*got;		/* direct: what was read, by file
					   offset (the reader's frame) */
};

struct read6_bio {
	struct conc_bio	 hdr;
	enum read6_kind	 kind;
	struct fs_inode	*ip;
	uint64_t	 file_off;	/* of the first sector */
	uint64_t	 logical;	/* of the first sector */
	uint32_t	 nsect;
	int		 mirror;	/* the copy read */
	int		 status;	/* the device's answer */
	struct read6_req *req;
	struct imap	 data;		/* what the copy handed up, by logical */
	struct imap	 want;		/* the content checksummed, by logical
					   (a sector it misses has none) */
	int		*src;		/* per sector: the copy that served
					   it in the end, 0 if none */
	uint32_t	 repairs;	/* repair reads outstanding */
	bool		 failed;	/* a sector stayed bad */
	/* A repair read (READ6_REPAIR): */
	struct read6_bio *parent;
	uint32_t	 sector;	/* its index in the parent */
	int		 failed_mirror;	/* where the walk started */
	unsigned	 tries;		/* repair reads of this walk */
	int		 last_bad;	/* the last bad copy it tried, or 0 */
	unsigned	 bad;		/* mask of the copies found bad so far,
					   the failed one included */
};

/* The modern era's read (fs_read_ex). */
int	read6_read(struct fs *, struct fs_inode *, const struct fs_read_opts *,
	    struct fs_read_result *);
/*
 * Make page P present and uptodate for a partial overwrite (the write
 * path's prepare_pages): read_folio if it is inside i_size and not
 * uptodate.  The caller holds no lock on it.  0 or -EIO.
 */
int	read6_prepare_page(struct fs *, struct fs_inode *, uint64_t p);
/*
 * A new bio of KIND for NSECT sectors at file offset FILE_OFF and LOGICAL,
 * to copy MIRROR, for REQ; submitted (its checksums looked up, counted,
 * posted to the device).  The caller sets a repair's parent fields first
 * through PREP (or NULL).
 */
struct read6_bio *read6_submit(struct fs *, struct fs_inode *,
	    enum read6_kind kind, uint64_t file_off, uint64_t logical,
	    uint32_t nsect, int mirror, struct read6_req *req,
	    void (*prep)(struct read6_bio *, void *), void *arg);
/* The bio B is done: its pages (or its direct read) get the result. */
void	read6_bio_done(struct fs *, struct read6_bio *b);
/* The copy after/before K in the repair walk, wrapping. */
int	read6_next_mirror(const struct fs *, int k);
int	read6_prev_mirror(const struct fs *, int k);
/* The fuzzer's oracle: every sector this read would fetch has a copy
 * that reads without error and matches its checksum (fs_good_copy). */
bool	read6_good_copy(struct fs *, struct fs_inode *, uint64_t off,
	    uint64_t len);
/*
 * The same for a direct read, whose bios span many sectors: an I/O error
 * on one sector of a bio (or its copy offline) sends every sector of it
 * to repair, which never goes back to the copy the bio failed on.  So
 * besides a good copy each, the sectors need one on another copy than
 * any copy with an I/O error pending in the range or offline.
 */
bool	read6_direct_good(struct fs *, struct fs_inode *, uint64_t off,
	    uint64_t len);

#endif
