/*
 * The Linux 6.x ftruncate(2) (truncate6.h).
 */
#include "conc.h"
#include "era.h"
#include "fei.h"
#include "fs.h"
#include "imap.h"
#include "inode.h"
#include "pcache.h"
#include "range.h"
#include "truncate6.h"
#include "write6.h"

/* Truncate down to SIZE (smaller than i_size). */
static int
truncate_down(struct fs *fs, struct fs_inode *ip, uint64_t size)
{
	uint64_t ss = fs_sectorsize(fs), keep = range_round_up(size, ss);
	int r;

	if ((r = write6_zero_tail(fs, ip, size)) != 0)
		return r;
	inode_set_size(fs, ip, size);
	conc_wait_pages_from(fs, ip, keep);
	conc_lock(fs, CONC_ORDERED, ip);
	fs_era(fs)->drop_extent_cache(fs, ip, keep, UINT64_MAX);
	fei_truncate(inode_items(fs, ip), fs_alloc(fs), size, ss);
	pcache_clear(inode_pages(fs, ip), keep, UINT64_MAX);
	imap_clear(inode_present(fs, ip), keep, UINT64_MAX);
	imap_clear(inode_data(fs, ip), size, UINT64_MAX);
	/* The item keeps the last sector whole: its tail's old bytes stay
	   on disk until the zeroed page is written back, and a failed
	   writeback leaves them the file's (write6's keep_previous). */
	imap_clear(inode_ondisk(fs, ip), keep, UINT64_MAX);
	imap_clear(inode_unsure(fs, ip), keep, UINT64_MAX);
	conc_unlock(fs, CONC_ORDERED, ip);
	return 0;
}

int
truncate6_truncate(struct fs *fs, struct fs_inode *ip, uint64_t size)
{
	uint64_t old;
	int r = 0;

	conc_lock(fs, CONC_I_MUTEX, ip);
	old = inode_size(fs, ip);
	if (size > old) {
		if ((r = write6_zero_tail(fs, ip, old)) == 0)
			inode_set_size(fs, ip, size);
	} else if (size < old)
		r = truncate_down(fs, ip, size);
	conc_unlock(fs, CONC_I_MUTEX, ip);
	return r;
}
