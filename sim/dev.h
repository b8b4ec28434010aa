/*
 * The data device as the data path sees it: `copies` mirrors (mirror.h),
 * copy k (1-based) holding a copy of every logical data byte, each with
 * its content, its fault overlays, its online flag and the count of data
 * bios submitted to it.  The copies live on devices (1-based): copy k on
 * device k, except for a `dup` profile, whose copies are both on device
 * 1.  A device is online or not, with all its copies, and keeps the error
 * counters of `btrfs device stats` (DEV_*: write_io_errs, read_io_errs,
 * flush_io_errs, corruption_errs, generation_errs).  The device also
 * counts the sectors every data read bio asked for (the round-robin read
 * policy's stats_read_blocks).
 *
 * Units are bytes at logical addresses.  The layout is private to dev.c;
 * every function below that reads or writes a copy's bytes, overlays or
 * bio count records it in the running step's footprint (foot.h) first:
 * the sectors it reads or writes, the bio count or the read blocks.  The
 * online flag is not recorded: no task changes it (only `offline` and
 * `online` statements do, between operations); nor are the error
 * counters, which tasks only add to and which are read after a block.
 */
#ifndef SIM_DEV_H
#define SIM_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dev;
struct fs;
struct imap;
struct imap_val;
struct mirror;
struct wfault_set;

#define DEV_MAX_COPIES	4

/* The error counters of a device (btrfs device stats). */
enum dev_stat {
	DEV_WRITE_IO_ERRS,
	DEV_READ_IO_ERRS,
	DEV_FLUSH_IO_ERRS,
	DEV_CORRUPTION_ERRS,
	DEV_GENERATION_ERRS,
	DEV_STAT_COUNT
};

/*
 * COPIES copies (1..DEV_MAX_COPIES), all online and empty, on one device
 * each, or all on device 1 if DUP.
 */
struct dev	*dev_new(int copies, bool dup);
void		 dev_free(struct dev *);
/* A deep copy, owned by the caller. */
struct dev	*dev_clone(const struct dev *);

int		 dev_copies(const struct dev *);
int		 dev_devices(const struct dev *);
/* The device copy K lives on. */
int		 dev_device_of(const struct dev *, int k);
bool		 dev_online(const struct dev *, int k);
/* Take the device of copy K offline or back online, all its copies. */
void		 dev_set_online(struct dev *, int k, bool online);

/* Error counter STAT of device DEVID; add N to it. */
uint64_t	 dev_stat(const struct dev *, int devid, enum dev_stat stat);
void		 dev_stat_add(struct dev *, int devid, enum dev_stat stat,
		    uint64_t n);
/* The counter's name in `expect devstats`, and the reverse (or -1). */
const char	*dev_stat_name(enum dev_stat);
int		 dev_stat_lookup(const char *name, size_t len);

/* Sectors every data read bio asked for so far; add N to them. */
uint64_t	 dev_read_blocks(const struct fs *, const struct dev *);
void		 dev_add_read_blocks(const struct fs *, struct dev *,
		    uint64_t n);

/* Data bios submitted to copy K so far. */
uint64_t	 dev_bios(const struct fs *, const struct dev *, int k);
/* N more data bios were submitted to copy K by the running entity. */
void		 dev_add_bios(const struct fs *, struct dev *, int k,
		    uint64_t n);

/*
 * A data read of [logical, logical + len) from copy K (mirror_read):
 * -EIO if the copy is offline or a sector has an I/O error left (each
 * such sector's count is used up), else 0 and the bytes in BUF.
 */
int		 dev_read(const struct fs *, struct dev *, int k,
		    uint64_t logical, uint64_t len, uint8_t *buf);
/* dev_read() with what the bytes are (mirror_read_desc()). */
int		 dev_read_desc(const struct fs *, struct dev *, int k,
		    uint64_t logical, uint64_t len, uint8_t *buf,
		    struct imap_val *desc, bool *one);
/* Copy K's content of [start, end) as values, overlays applied. */
void		 dev_describe(const struct fs *, struct dev *, int k,
		    uint64_t start, uint64_t end,
		    void (*emit)(void *arg, uint64_t start, uint64_t end,
		    const struct imap_val *v), void *arg);
/*
 * Write to copy K at LOGICAL the content of SRC's [s, t), each value's
 * aux masked with KEEP_AUX (page-cache flags stripped): the content is
 * replaced and the sectors' overlays cleared.  The caller checks online.
 */
void		 dev_write_from(const struct fs *, struct dev *, int k,
		    uint64_t logical, const struct imap *src, uint64_t s,
		    uint64_t t, uint32_t keep_aux);
/* Fault overlays on copy K's [s, t) (mirror_corrupt, mirror_ioerror,
   mirror_stale). */
void		 dev_corrupt(const struct fs *, struct dev *, int k,
		    uint64_t s, uint64_t t, int fill);
void		 dev_ioerror(const struct fs *, struct dev *, int k,
		    uint64_t s, uint64_t t, uint64_t count, bool clear_on_write);
void		 dev_stale(const struct fs *, struct dev *, int k, uint64_t s,
		    uint64_t t, uint32_t why);
/*
 * Copy K holds the sector at L as last written, with no fault on it:
 * online, not corrupt, no I/O error pending, not stale (the fault atlas's
 * "good copy").
 */
bool		 dev_sector_intact(const struct fs *, struct dev *, int k,
		    uint64_t l);
/* The write faults armed on the device (wfault.h).  Borrowed. */
struct wfault_set *dev_wfaults(const struct fs *, struct dev *);
/*
 * The sector of LEN bytes at LOGICAL on copy K reads without error and
 * its first N bytes are WANT's.  A sector with an I/O error pending is
 * never good here, however many failures it has left, so no count is
 * used up.  Changes nothing.
 */
bool		 dev_sector_good(const struct fs *, struct dev *, int k,
		    uint64_t logical, uint64_t len, const uint8_t *want,
		    uint64_t n);
/* Copy K as a whole, to read (dump, fault placement).  Borrowed. */
const struct mirror *dev_mirror(const struct fs *, const struct dev *, int k);

/* Every copy well formed (mirror_check).  0, or -1 with *WHY set. */
int		 dev_check(const struct dev *, const char **why);
/* A hash of every copy, the error counters and the read blocks. */
uint64_t	 dev_hash(const struct dev *);

#endif
