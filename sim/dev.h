/*
 * The data device as the data path sees it: `copies` mirrors (mirror.h),
 * copy k (1-based) holding a copy of every logical data byte, each with
 * its content, its fault overlays, its online flag and the count of data
 * bios submitted to it.
 *
 * Units are bytes at logical addresses.  The layout is private to dev.c;
 * every function below that reads or writes a copy's bytes, overlays or
 * bio count records it in the running step's footprint (foot.h) first:
 * the sectors it reads or writes, or the bio count.  The online flag is
 * not recorded: no task changes it (only `offline` and `online`
 * statements do, between operations).
 */
#ifndef SIM_DEV_H
#define SIM_DEV_H

#include <stdbool.h>
#include <stdint.h>

struct dev;
struct fs;
struct imap;
struct imap_val;
struct mirror;

#define DEV_MAX_COPIES	4

/* A device of COPIES copies (1..DEV_MAX_COPIES), all online and empty. */
struct dev	*dev_new(int copies);
void		 dev_free(struct dev *);
/* A deep copy, owned by the caller. */
struct dev	*dev_clone(const struct dev *);

int		 dev_copies(const struct dev *);
bool		 dev_online(const struct dev *, int k);
void		 dev_set_online(struct dev *, int k, bool online);

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
/* Fault overlays on copy K's [s, t) (mirror_corrupt, mirror_ioerror). */
void		 dev_corrupt(const struct fs *, struct dev *, int k,
		    uint64_t s, uint64_t t, int fill);
void		 dev_ioerror(const struct fs *, struct dev *, int k,
		    uint64_t s, uint64_t t, uint64_t count);
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

#endif
