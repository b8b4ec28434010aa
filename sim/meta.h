/*
 * Metadata reads: an inode's btree blocks, cached or not.
 *
 * Every section of the data path that needs the inode's btree (the
 * extent lookup of get_extent on a cache miss, the checksum lookup,
 * writeback, truncate, hole filling) calls meta_read() first.  A cached
 * inode costs nothing.  An uncached one issues one metadata read that
 * completes through the end-io worker, as 2008's btree reads did, and
 * waits for it (in 2008 while holding fs_mutex); the inode is cached
 * afterwards.  `drop-caches 2` uncaches every inode.  Metadata reads are
 * never faulted and do not count in the mirror choice.
 */
#ifndef SIM_META_H
#define SIM_META_H

#include <stdbool.h>

struct fs;
struct fs_inode;

/*
 * Make IP's btree blocks cached, reading them if needed.  Sequentially,
 * ON_WORKER says the caller runs on an end-io worker: with one worker
 * nobody could process the metadata completion (the retry-get-extent
 * self-deadlock), FS_EDEADLK.  Under a scheduler that wait is real and
 * the scheduler finds the deadlock itself.  0 or FS_EDEADLK.
 */
int	meta_read(struct fs *, struct fs_inode *ip, bool on_worker);

#endif
