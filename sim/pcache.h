/*
 * The page cache of one inode.
 *
 * `pages` maps file ranges to the content values (content.h) the cached
 * pages hold; a page is uptodate when its whole range is covered.  Values
 * carry CONTENT_DIRTY while the page waits for writeback (delalloc) and
 * CONTENT_NOCSUM for a dirty page a `nocsum` write left.  `dirty` covers
 * exactly the bytes whose value carries CONTENT_DIRTY, merged into maximal
 * runs (no values), so that writeback and the free-space check walk the
 * dirty runs, not every clean run the page cache ever held: every change
 * goes through the functions below, which keep the two maps in step, and
 * pcache_check() verifies it.
 *
 * Units are bytes.  The page cache knows nothing of pages' size but what
 * the callers pass; it records no footprint (the inode that owns it does,
 * inode_pages()).
 */
#ifndef SIM_PCACHE_H
#define SIM_PCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "imap.h"

struct pcache {
	struct imap	pages;		/* content | DIRTY, NOCSUM */
	struct imap	dirty;		/* where pages carry DIRTY */
};

void	pcache_init(struct pcache *);
void	pcache_destroy(struct pcache *);
/* Make DST (uninitialised) a deep copy of SRC. */
void	pcache_clone(struct pcache *dst, const struct pcache *src);

/* Give [s, t) the value V (flags included), s < t. */
void	pcache_set(struct pcache *, uint64_t s, uint64_t t,
	    const struct imap_val *v);
/* Remove [s, t) from the cache. */
void	pcache_clear(struct pcache *, uint64_t s, uint64_t t);
/* The whole page [p, p + pagesize) is cached. */
bool	pcache_uptodate(const struct pcache *, uint64_t p, uint64_t pagesize);
/* Give every cached byte of [s, t) the DIRTY flag (and NOCSUM). */
void	pcache_mark_dirty(struct pcache *, uint64_t s, uint64_t t,
	    bool nocsum);
/* Clear DIRTY and NOCSUM on the cached bytes of [s, t). */
void	pcache_mark_clean(struct pcache *, uint64_t s, uint64_t t);
/* Drop every clean page (drop_caches 1): dirty ones stay. */
void	pcache_drop_clean(struct pcache *);
/* Drop the clean pages of [s, t) only. */
void	pcache_drop_clean_range(struct pcache *, uint64_t s, uint64_t t);
/* The first maximal dirty run ending after AT, or NULL.  Borrowed. */
const struct imap_ent *pcache_dirty_from(const struct pcache *, uint64_t at);
/* The bytes of every dirty run. */
uint64_t pcache_dirty_bytes(const struct pcache *);
/* The pages map, to read or walk.  Borrowed. */
const struct imap *pcache_map(const struct pcache *);

/*
 * Walk both maps: each well formed (imap_check) and `dirty` exactly the
 * DIRTY bytes of `pages`, maximally merged.  0, or -1 with *WHY set.
 */
int	pcache_check(const struct pcache *, const char **why);
/* A hash of the pages and their dirty map (state hashes, sched.h). */
uint64_t pcache_hash(const struct pcache *);

#endif
