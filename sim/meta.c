/*
 * Metadata reads (meta.h): a bio with no data that completes through the
 * end-io queue and marks its inode cached.
 */
#include <stdio.h>

#include "conc.h"
#include "fs.h"
#include "inode.h"
#include "meta.h"

struct meta_bio {
	struct conc_bio	 hdr;
	struct fs_inode	*ip;
};

/* A metadata bio's fields, for a state hash (conc.h): its inode. */
static uint64_t
meta_bio_hash(const struct conc_bio *b)
{
	return inode_ino(((const struct meta_bio *)b)->ip);
}

/* The end-io work of a metadata read: the blocks are in memory. */
static void
meta_end_io(struct fs *fs, struct conc_bio *b)
{
	struct meta_bio *mb = (struct meta_bio *)b;

	inode_set_meta_cached(fs, mb->ip, true);
	conc_bio_done(fs, b);
}

int
meta_read(struct fs *fs, struct fs_inode *ip, bool on_worker)
{
	struct meta_bio *mb;

	if (inode_meta_cached(fs, ip))
		return 0;
	fs_count(fs, STAT_METADATA_READS, 1);
	fs_emit(fs, TRACE_META_READ, inode_ino(ip), 0, 0, 0, 0);
	if (fs_conc(fs) != NULL) {
		mb = (struct meta_bio *)conc_bio_new(fs, sizeof(*mb), 0);
		mb->ip = ip;
		mb->hdr.at_worker = meta_end_io;
		mb->hdr.hash = meta_bio_hash;
		conc_bio_post(fs, &mb->hdr, "metadata read", "");
		conc_bio_wait(fs, &mb->hdr);
		return 0;
	}
	if (on_worker && fs_cfg(fs)->workers <= 1) {
		fs_count(fs, STAT_DEADLOCKS, 1);
		return FS_EDEADLK;
	}
	inode_set_meta_cached(fs, ip, true);
	return 0;
}
