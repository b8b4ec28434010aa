/*
 * What a copy holds behind a file range (copy.h).
 */
#include <string.h>

#include "content.h"
#include "dev.h"
#include "fei.h"
#include "fs.h"
#include "imap.h"
#include "inode.h"
#include "copy.h"
#include "range.h"

/* Collect a copy's content into a map (dev_describe's emit). */
static void
keep_piece(void *arg, uint64_t start, uint64_t end, const struct imap_val *v)
{
	imap_set(arg, start, end, v);
}

int
copy_state(struct fs *fs, uint32_t ino, uint64_t off, uint64_t len, int k,
    struct copy_state *st)
{
	struct fs_inode *ip = fs_inode(fs, ino);
	uint64_t ss = fs_sectorsize(fs), end, size;
	uint32_t sectorsize = (uint32_t)ss;
	struct imap held;

	memset(st, 0, sizeof(*st));
	st->uniform = -2;
	if (ip == NULL)
		return fs_invalid(fs, "there is no file number %u", ino);
	if (k < 1 || k > dev_copies(fs_dev(fs)))
		return fs_invalid(fs, "there is no copy %d", k);
	size = inode_size(fs, ip);
	end = range_end(off, len) < size ? range_end(off, len) : size;
	imap_init(&held);
	for (uint64_t p = range_round_down(off, ss); p < end; p += ss) {
		const struct fei_item *it = fei_lookup(inode_items(fs, ip), p);
		uint64_t a = p > off ? p : off;
		uint64_t b = p + ss < end ? p + ss : end, l;

		if (it == NULL || it->disk_bytenr == 0)
			continue;
		l = it->disk_bytenr + it->offset + (p - it->file_offset);
		imap_destroy(&held);
		dev_describe(fs, fs_dev(fs), k, l, l + ss, keep_piece, &held);
		st->sectors++;
		st->damaged += !content_compare(&held, l + (a - p),
		    inode_data(fs, ip), a, b - a, sectorsize, &st->uniform);
	}
	imap_destroy(&held);
	if (st->uniform == -2)
		st->uniform = -1;
	return 0;
}
