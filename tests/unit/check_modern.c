/*
 * Unit tests of the modern era's data path (sim/read6.c, repair6.c,
 * write6.c, truncate6.c, scrub6.c) through the fs API, with fs_check()
 * and the invariant checker after every operation.  Each case is an
 * fstests read-repair test's setup, with the numbers derived by hand in
 * its comment from the rules of repair6.h and scrub6.h, and each modern
 * quirk's case shows the old behaviour with the quirk on.  Last, the races
 * blksim fuzz found in concurrent blocks, in both eras where they apply.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/copy.h"
#include "sim/dev.h"
#include "sim/fault.h"
#include "sim/fei.h"
#include "sim/fs.h"
#include "sim/inode.h"
#include "sim/inv.h"
#include "sim/mirror.h"
#include "sim/quirk.h"
#include "sim/read6.h"
#include "sim/scrub6.h"
#include "sim/wfault.h"
#include "sim/xmalloc.h"
#include "src/diag.h"
#include "src/exec.h"
#include "src/parse.h"
#include "tests/unit/fsclean.h"
#include "tests/unit/suite.h"

#define K	1024ULL

static struct fs *
modern(uint32_t copies, bool dup, unsigned quirks)
{
	struct fs_config cfg = { .era = 1, .sectorsize = 4096,
	    .mirrors = copies, .dup = dup, .size = 1ULL << 30, .workers = 1,
	    .quirks = quirks, .readahead = 128 * K };
	int err;
	struct fs *fs = fs_new(&cfg, &err);

	ck_assert_ptr_nonnull(fs);
	return fs;
}

static uint64_t
devstat(struct fs *fs, int devid, enum dev_stat st)
{
	return dev_stat(fs_dev(fs), devid, st);
}

static uint64_t
stat(struct fs *fs, enum stat_id id)
{
	return fs_stats(fs)->v[id];
}

/* Copy K of file INO's [off, off + len) holds the file's bytes. */
static bool
intact(struct fs *fs, uint32_t ino, uint64_t off, uint64_t len, int k)
{
	struct copy_state st;

	ck_assert_int_eq(copy_state(fs, ino, off, len, k, &st), 0);
	ck_assert_uint_gt(st.sectors, 0);
	return st.damaged == 0;
}

static int
read_on(struct fs *fs, uint32_t ino, uint64_t off, uint64_t len, int pid,
    bool direct, struct fs_read_result *r)
{
	struct fs_read_opts o = { .off = off, .len = len, .want_data = true,
	    .direct = direct, .pid = pid };
	int st = fs_read_ex(fs, ino, &o, r);

	clean(fs);
	return st;
}

/*
 * btrfs/265: raid1c3, 128K of 0xaa, the first 64K of copies 1 and 2 bad;
 * a direct read on stripe 0 (pid 0: copy 1).  Each of the 16 bad sectors
 * reads copy 2 (bad: corruption_errs there) then copy 3 (good), and
 * copies 2 and 1 are rewritten: 32 repair reads, 32 write-backs,
 * corruption_errs 16 on devices 1 and 2.  Under repair-one-mirror the
 * walk goes 2 (bad), 3 (good) but rewrites only copy 2, the last bad one
 * tried: copy 1 stays damaged.
 */
START_TEST(test_btrfs265)
{
	for (int q = 0; q < 2; q++) {
		struct fs *fs = modern(3, false,
		    q ? 1u << QUIRK_REPAIR_ONE_MIRROR : 0);
		uint32_t a = fs_create(fs, false);
		struct fs_read_result r;

		ck_assert_int_eq(fs_write(fs, a, 0, 128 * K, 0xaa, 0), 0);
		ck_assert_int_eq(fault_corrupt_file(fs, a, 0, 64 * K, 1, 0xbf),
		    0);
		ck_assert_int_eq(fault_corrupt_file(fs, a, 0, 64 * K, 2, 0xbf),
		    0);
		ck_assert_int_eq(read_on(fs, a, 0, 128 * K, 0, true, &r), 0);
		ck_assert(r.intact);
		ck_assert_uint_eq(r.retries, 32);
		ck_assert_uint_eq(r.served, 1u << 0 | 1u << 2);
		ck_assert_uint_eq(devstat(fs, 1, DEV_CORRUPTION_ERRS), 16);
		ck_assert_uint_eq(devstat(fs, 2, DEV_CORRUPTION_ERRS), 16);
		ck_assert_uint_eq(devstat(fs, 3, DEV_CORRUPTION_ERRS), 0);
		ck_assert_uint_eq(stat(fs, STAT_REPAIR_WRITES), q ? 16 : 32);
		ck_assert(intact(fs, a, 0, 128 * K, 2));
		ck_assert(intact(fs, a, 0, 128 * K, 1) == (q == 0));
		fs_free(fs);
	}
}
END_TEST

/*
 * btrfs/266 (buffered) and 267 (direct): raid1c3, 256K of 0xaa, bad:
 * copy 3 [0,64K), copy 1 [0,128K), copy 2 [64K,192K), copy 3
 * [128K,256K); reads on stripes 0, 1, 2.  Stripe 0 repairs segment 0
 * from copy 2 and segment 1 from copy 3 (rewriting 2 and 1); stripe 1
 * repairs segment 2 from copy 1 (rewriting 3 and 2); stripe 2 repairs
 * segments 0 and 3 from copy 1.  Every copy ends clean: corruption_errs
 * 32, 32 and 48, 112 repair reads and 112 write-backs.
 */
START_TEST(test_btrfs266_267)
{
	for (int direct = 0; direct < 2; direct++) {
		struct fs *fs = modern(3, false, 0);
		uint32_t a = fs_create(fs, false);
		struct fs_read_result r;
		uint64_t retries = 0;

		ck_assert_int_eq(fs_write(fs, a, 0, 256 * K, 0xaa, 0), 0);
		fault_corrupt_file(fs, a, 0, 64 * K, 3, 0xbd);
		fault_corrupt_file(fs, a, 0, 128 * K, 1, 0xba);
		fault_corrupt_file(fs, a, 64 * K, 128 * K, 2, 0xbb);
		fault_corrupt_file(fs, a, 128 * K, 128 * K, 3, 0xbc);
		for (int pid = 0; pid < 3; pid++) {
			fs_drop_caches(fs, 1);
			ck_assert_int_eq(read_on(fs, a, 0, 256 * K, pid,
			    direct, &r), 0);
			ck_assert(r.intact);
			retries += r.retries;
		}
		for (int k = 1; k <= 3; k++)
			ck_assert(intact(fs, a, 0, 256 * K, k));
		ck_assert_uint_eq(devstat(fs, 1, DEV_CORRUPTION_ERRS), 32);
		ck_assert_uint_eq(devstat(fs, 2, DEV_CORRUPTION_ERRS), 32);
		ck_assert_uint_eq(devstat(fs, 3, DEV_CORRUPTION_ERRS), 48);
		ck_assert_uint_eq(retries, 112);
		ck_assert_uint_eq(stat(fs, STAT_REPAIR_WRITES), 112);
		fs_free(fs);
	}
}
END_TEST

/*
 * btrfs/215: one copy, readahead 0, 8 pages of 0xbb, the first 4 bad.
 * A buffered read of the file: readahead of page 0 fails (+1), read_folio
 * of page 0 fails (+1), the read stops with EIO: 2.  A direct read of
 * the file: one bio, 4 bad sectors: 6.  Under no-corruption-count: 0.
 */
START_TEST(test_btrfs215)
{
	for (int q = 0; q < 2; q++) {
		struct fs_config cfg = { .era = 1, .sectorsize = 4096,
		    .mirrors = 1, .size = 1ULL << 30, .workers = 1,
		    .readahead = 0,
		    .quirks = q ? 1u << QUIRK_NO_CORRUPTION_COUNT : 0 };
		int err;
		struct fs *fs = fs_new(&cfg, &err);
		uint32_t a = fs_create(fs, false);
		struct fs_read_result r;

		ck_assert_int_eq(fs_write(fs, a, 0, 32 * K, 0xbb, 0), 0);
		fault_corrupt_file(fs, a, 0, 16 * K, 1, 0xaa);
		fs_drop_caches(fs, 1);
		ck_assert_int_eq(read_on(fs, a, 0, 32 * K, -1, false, &r),
		    -EIO);
		ck_assert_uint_eq(devstat(fs, 1, DEV_CORRUPTION_ERRS),
		    q ? 0 : 2);
		ck_assert_int_eq(read_on(fs, a, 0, 32 * K, -1, true, &r), -EIO);
		ck_assert_uint_eq(devstat(fs, 1, DEV_CORRUPTION_ERRS),
		    q ? 0 : 6);
		ck_assert_uint_eq(stat(fs, STAT_CSUM_ERRORS), 6);
		fs_free(fs);
	}
}
END_TEST

/*
 * btrfs/268: raid1, both copies of the first 4K bad: a direct read of it
 * fails after one repair read ("no mirror left"), and ends.  Under
 * repair-endless the walk never stops at the failed copy: the model
 * stops it and reports a hang.
 */
START_TEST(test_btrfs268)
{
	for (int q = 0; q < 2; q++) {
		struct fs *fs = modern(2, false,
		    q ? 1u << QUIRK_REPAIR_ENDLESS : 0);
		uint32_t a = fs_create(fs, false);
		struct fs_read_result r;
		struct fs_read_opts o = { .off = 0, .len = 4 * K,
		    .direct = true, .pid = -1 };

		ck_assert_int_eq(fs_write(fs, a, 0, 256 * K, 0xaa, 0), 0);
		fault_corrupt_file(fs, a, 0, 4 * K, 1, 0xba);
		fault_corrupt_file(fs, a, 0, 4 * K, 2, 0xba);
		if (q) {
			ck_assert_int_eq(fs_read_ex(fs, a, &o, &r), FS_EHANG);
			ck_assert(fs_hung(fs));
		} else {
			ck_assert_int_eq(read_on(fs, a, 0, 4 * K, -1, true, &r),
			    -EIO);
			ck_assert_uint_eq(r.retries, 1);
			ck_assert_uint_eq(stat(fs, STAT_REPAIR_WRITES), 0);
		}
		fs_free(fs);
	}
}
END_TEST

/*
 * btrfs/142 and 143: nodatasum, raid1, 128K of 0xaa; copy 1's first 64K
 * is 0xbb and its first sector has an I/O error.  A read on copy 1: the
 * bio fails, every sector of it is repaired from copy 2 unverified (a
 * resync) and written back, which clears the bad block: copy 1 ends
 * clean, read_io_errs 1 on device 1.  Direct (142) and buffered (143);
 * under repair-disabled the buffered read gets EIO, the direct one is
 * still repaired.  read_io_errs on device 1 counts the failed direct
 * bio; a buffered read fails as readahead, which does not count, and is
 * repaired there, unless repair-disabled leaves the page for read_folio,
 * whose failure counts.
 */
START_TEST(test_btrfs142_143)
{
	for (int q = 0; q < 2; q++)
		for (int direct = 0; direct < 2; direct++) {
			struct fs *fs = modern(2, false,
			    q ? 1u << QUIRK_REPAIR_DISABLED : 0);
			uint32_t a = fs_create(fs, true);
			struct fs_read_result r;
			int want = q && !direct ? -EIO : 0;

			ck_assert_int_eq(fs_write(fs, a, 0, 128 * K, 0xaa, 0),
			    0);
			fault_corrupt_file(fs, a, 0, 64 * K, 1, 0xbb);
			fault_ioerror_file(fs, a, 0, 4 * K, 1, 0, true);
			fs_drop_caches(fs, 1);
			ck_assert_int_eq(read_on(fs, a, 0, 128 * K, 0, direct,
			    &r), want);
			ck_assert_uint_eq(devstat(fs, 1, DEV_READ_IO_ERRS),
			    direct || q ? 1 : 0);
			ck_assert(intact(fs, a, 0, 128 * K, 1) == (want == 0));
			fs_free(fs);
		}
}
END_TEST

/*
 * A direct read of a 128K raid1 file of 0xaa, checksummed or not
 * (NOCSUM), on copy 1, whose first 64K is 0xbb and, for a nodatasum
 * file, whose first sector has an I/O error (dm-dust's bad block): the
 * setups of btrfs/140 and 142 (copy 1 here).  With QUIRK on and a file
 * of the kind it breaks (BROKEN_NOCSUM), the first good repair read is
 * an oops naming FN and copy 1 stays bad; otherwise the read succeeds
 * after 16 (checksum errors) or 32 (every sector of the failed bio)
 * repair reads, and copy 1 is clean.
 */
static void
check_dio_quirk(enum quirk_id quirk, bool broken_nocsum, const char *fn)
{
	for (int q = 0; q < 2; q++)
		for (int nocsum = 0; nocsum < 2; nocsum++) {
			struct fs *fs = modern(2, false, q ? 1u << quirk : 0);
			uint32_t a = fs_create(fs, nocsum);
			struct fs_read_result r;
			struct fs_read_opts o = { .off = 0, .len = 128 * K,
			    .direct = true, .pid = 0, .want_data = true };

			ck_assert_int_eq(fs_write(fs, a, 0, 128 * K, 0xaa, 0),
			    0);
			fault_corrupt_file(fs, a, 0, 64 * K, 1, 0xbb);
			if (nocsum)
				fault_ioerror_file(fs, a, 0, 4 * K, 1, 0, true);
			if (q && nocsum == broken_nocsum) {
				ck_assert_int_eq(fs_read_ex(fs, a, &o, &r),
				    FS_EOOPS);
				ck_assert(fs_crashed(fs));
				ck_assert_int_eq(strncmp(fs_oops_msg(fs), fn,
				    strlen(fn)), 0);
				ck_assert(!intact(fs, a, 0, 64 * K, 1));
			} else {
				ck_assert_int_eq(read_on(fs, a, 0, 128 * K, 0,
				    true, &r), 0);
				ck_assert(r.intact);
				ck_assert_uint_eq(r.retries, nocsum ? 32 : 16);
				ck_assert(intact(fs, a, 0, 128 * K, 1));
			}
			fs_free(fs);
		}
}

/*
 * btrfs/140 and dio-retry-deref: a checksummed sector's good repair
 * read of a direct read oopses in btrfs_retry_endio; a nodatasum file
 * completed elsewhere (btrfs_retry_endio_nocsum) and is repaired.
 */
START_TEST(test_dio_retry_deref)
{
	check_dio_quirk(QUIRK_DIO_RETRY_DEREF, false, "btrfs_retry_endio:");
}
END_TEST

/*
 * btrfs/142 and dio-repair-offset: a nodatasum file's resync after an
 * I/O error is a segfault in __btrfs_correct_data_nocsum; a checksummed
 * file's repair is not that code and succeeds.
 */
START_TEST(test_dio_repair_offset)
{
	check_dio_quirk(QUIRK_DIO_REPAIR_OFFSET, true,
	    "__btrfs_correct_data_nocsum:");
}
END_TEST

/*
 * A write with copies offline: raid1 tolerates one, so the write goes
 * through and the other copy holds it; with both offline the ordered
 * extent fails and the file keeps its previous bytes (the offline
 * devices are missing: no write_io_errs).  A single copy tolerates none.
 */
START_TEST(test_write_tolerance)
{
	struct fs *fs = modern(2, false, 0);
	uint32_t a = fs_create(fs, false);
	struct fs_read_result r;

	ck_assert_int_eq(fs_write(fs, a, 0, 8 * K, 0x11, 0), 0);
	ck_assert_int_eq(fault_set_online(fs, 2, false), 0);
	ck_assert_int_eq(fs_write(fs, a, 0, 8 * K, 0x22, 0), 0);
	ck_assert_uint_eq(stat(fs, STAT_WRITE_ERRORS), 1);
	ck_assert_int_eq(fault_set_online(fs, 1, false), 0);
	ck_assert_int_eq(fs_write(fs, a, 0, 8 * K, 0x33, 0), -EIO);
	ck_assert_uint_eq(devstat(fs, 1, DEV_WRITE_IO_ERRS), 0);
	fault_set_online(fs, 1, true);
	fault_set_online(fs, 2, true);
	fs_drop_caches(fs, 1);
	ck_assert_int_eq(read_on(fs, a, 0, 8 * K, 0, false, &r), 0);
	ck_assert_int_eq(r.uniform, 0x22);
	ck_assert(r.intact);
	fs_free(fs);
}
END_TEST

/*
 * btrfs/288: raid1, copy 1's first 64K bad; a read-only scrub repairs
 * nothing on disk but counts the 16 sectors corrected; under
 * scrub-ro-writes it writes them.  btrfs/289: dup, the whole first copy
 * (128K) bad: csum_errors and corrected_errors 32; under
 * scrub-final-counts csum_errors is 0.
 */
START_TEST(test_scrub_288_289)
{
	for (int q = 0; q < 2; q++) {
		struct fs *fs = modern(2, false,
		    q ? 1u << QUIRK_SCRUB_RO_WRITES : 0);
		uint32_t a = fs_create(fs, false);
		const struct fs_scrub_stats *st = fs_last_scrub(fs);

		ck_assert_int_eq(fs_write(fs, a, 0, 128 * K, 0xaa, 0), 0);
		fault_corrupt_file(fs, a, 0, 64 * K, 1, 0xf1);
		ck_assert_int_eq(fs_scrub(fs, 0, true), 0);
		clean(fs);
		ck_assert_uint_eq(st->csum_errors, 16);
		ck_assert_uint_eq(st->corrected_errors, 16);
		ck_assert_uint_eq(st->uncorrectable_errors, 0);
		ck_assert_uint_eq(st->data_bytes_scrubbed, 256 * K);
		ck_assert(intact(fs, a, 0, 64 * K, 1) == (q == 1));
		fs_free(fs);
	}
	for (int q = 0; q < 2; q++) {
		struct fs *fs = modern(2, true,
		    q ? 1u << QUIRK_SCRUB_FINAL_COUNTS : 0);
		uint32_t a = fs_create(fs, false);
		const struct fs_scrub_stats *st = fs_last_scrub(fs);

		ck_assert_int_eq(fs_write(fs, a, 0, 128 * K, 0xaa, 0), 0);
		fault_corrupt_file(fs, a, 0, 128 * K, 1, 0xf1);
		ck_assert_int_eq(fs_scrub(fs, 1, false), 0);
		clean(fs);
		ck_assert_uint_eq(st->csum_errors, q ? 0 : 32);
		ck_assert_uint_eq(st->corrected_errors, 32);
		ck_assert(intact(fs, a, 0, 128 * K, 1));
		ck_assert_uint_eq(devstat(fs, 1, DEV_CORRUPTION_ERRS), 32);
		fs_free(fs);
	}
}
END_TEST

/*
 * Truncate and the page cache: a file truncated down reads back its
 * first bytes and zeros past the old last page's tail; truncated up, the
 * gap reads as zeros with no item (no-holes).  Zeroing the tail of the
 * page at 8K (btrfs_truncate_block) rewrites it, so the 64K extent's
 * item becomes two: the old 0-8K and a new 8K-12K.
 */
START_TEST(test_truncate)
{
	struct fs *fs = modern(2, false, 0);
	uint32_t a = fs_create(fs, false);
	struct fs_read_result r;

	ck_assert_int_eq(fs_write(fs, a, 0, 64 * K, 0x5a, 0), 0);
	ck_assert_int_eq(fs_truncate(fs, a, 10000), 0);
	clean(fs);
	ck_assert_int_eq(fs_sync(fs), 0);
	fs_drop_caches(fs, 3);
	ck_assert_int_eq(read_on(fs, a, 0, 64 * K, 0, false, &r), 0);
	ck_assert_uint_eq(r.bytes, 10000);
	ck_assert(r.intact);
	ck_assert_int_eq(fs_truncate(fs, a, 1024 * K), 0);
	clean(fs);
	ck_assert_uint_eq(inode_items(fs, fs_inode(fs, a))->count, 2);
	fs_drop_caches(fs, 3);
	ck_assert_int_eq(read_on(fs, a, 16 * K, 64 * K, 1, true, &r), 0);
	ck_assert_int_eq(r.uniform, 0);
	ck_assert(r.intact);
	fs_free(fs);
}
END_TEST

/*
 * A failed write after a truncate inside a sector: dup tolerates no failed
 * copy, so the write of [0, 4K) over a file truncated to 1752 bytes fails
 * and leaves the previous contents, which on disk are the first write's
 * whole sector (the truncate's zeroed tail never got there).  The read
 * returns those bytes, and the model's file holds the same: intact.
 */
START_TEST(test_failed_write_after_truncate)
{
	struct fs *fs = modern(2, true, 0);
	uint32_t a = fs_create(fs, false);
	struct wfault wf = { .kind = WFAULT_ERROR, .copy = 1,
	    .left = WFAULT_EVERY };
	struct fs_read_result r;

	ck_assert_int_eq(fs_write(fs, a, 0, 4 * K, 0x44, 0), 0);
	ck_assert_int_eq(fault_write_file(fs, a, 0, 4 * K, &wf), 0);
	ck_assert_int_eq(fs_truncate(fs, a, 1752), 0);
	clean(fs);
	ck_assert_int_eq(fs_write(fs, a, 0, 4 * K, 0x55, 0), -EIO);
	clean(fs);
	ck_assert_int_eq(read_on(fs, a, 0, 4 * K, 0, false, &r), 0);
	ck_assert_uint_eq(r.bytes, 4 * K);
	ck_assert(r.intact);
	ck_assert_int_eq(r.uniform, 0x44);
	fs_free(fs);
}
END_TEST

/*
 * A scrub of data with no checksum (a nodatasum file, and a write marked
 * nocsum): an I/O error on copy 1's first sector fails the initial read
 * of the stripe, so each of the 4 sectors of each file is a read error;
 * pass 1 reads them from copy 2, where with no checksum to verify they
 * are taken as they read (scrub_verify_one_sector), so all 8 are
 * corrected and none is uncorrectable.  With copy 2 offline, pass 2
 * reads each sector alone from copy 1, where all but the first of each
 * file read: 6 corrected, 2 uncorrectable, and scrub6_good_copy() says
 * beforehand that not every sector has a good copy.
 */
START_TEST(test_scrub_nocsum)
{
	for (int off = 0; off < 2; off++) {
		struct fs *fs = modern(2, false, 0);
		uint32_t a = fs_create(fs, true), b = fs_create(fs, false);
		const struct fs_scrub_stats *st = fs_last_scrub(fs);

		ck_assert_int_eq(fs_write(fs, a, 0, 16 * K, 0x11, 0), 0);
		ck_assert_int_eq(fs_write(fs, b, 0, 16 * K, 0x22,
		    FS_W_NOCSUM), 0);
		ck_assert_int_eq(fault_ioerror_file(fs, a, 0, 4 * K, 1,
		    MIRROR_IOERR_FOREVER, false), 0);
		ck_assert_int_eq(fault_ioerror_file(fs, b, 0, 4 * K, 1,
		    MIRROR_IOERR_FOREVER, false), 0);
		if (off)
			ck_assert_int_eq(fault_set_online(fs, 2, false), 0);
		ck_assert(scrub6_good_copy(fs) == !off);
		ck_assert_int_eq(fs_scrub(fs, 1, false), 0);
		clean(fs);
		ck_assert_uint_eq(st->read_errors, 8);
		ck_assert_uint_eq(st->csum_errors, 0);
		ck_assert_uint_eq(st->no_csum, 8);
		ck_assert_uint_eq(st->corrected_errors, off ? 6 : 8);
		ck_assert_uint_eq(st->uncorrectable_errors, off ? 2 : 0);
		fs_free(fs);
	}
}
END_TEST

/*
 * What a read reports of its repairs (fs_read_result.repaired), for the
 * fuzzer's oracle.  raid1c3, [0, 8K) bad on copies 1 and 2, a read on
 * copy 1: each sector's walk finds copy 2 bad and repairs from copy 3,
 * so it visited copies 1 and 2, both rewritten, under repair-one-mirror
 * too (whose walk is the same here: 2, then 3), in either kind of read.
 * A write fault on copy 1's sector 0 makes that write-back fail.  A
 * nodatasum file's resync is not reported.
 */
START_TEST(test_repair_report)
{
	for (int q = 0; q < 4; q++) {
		struct fs *fs = modern(3, false,
		    q & 1 ? 1u << QUIRK_REPAIR_ONE_MIRROR : 0);
		uint32_t a = fs_create(fs, false), b = fs_create(fs, true);
		struct wfault wf = { .kind = WFAULT_ERROR, .copy = 1,
		    .left = WFAULT_EVERY };
		struct fs_read_result r;

		ck_assert_int_eq(fs_write(fs, a, 0, 16 * K, 0xaa, 0), 0);
		ck_assert_int_eq(fs_write(fs, b, 0, 16 * K, 0xbb, 0), 0);
		for (int k = 1; k <= 2; k++)
			ck_assert_int_eq(fault_corrupt_file(fs, a, 0, 8 * K, k,
			    0xbf), 0);
		ck_assert_int_eq(fault_ioerror_file(fs, b, 0, 4 * K, 1, 1,
		    false), 0);
		ck_assert_int_eq(fault_write_file(fs, a, 0, 4 * K, &wf), 0);
		fs_drop_caches(fs, 3);
		ck_assert_int_eq(read_on(fs, a, 0, 16 * K, 0, q & 2, &r), 0);
		ck_assert(r.intact);
		ck_assert_uint_eq(r.nrepaired, 2);
		ck_assert(!r.repaired_more);
		for (unsigned i = 0; i < 2; i++) {
			const struct fs_read_repair *x = &r.repaired[i];

			ck_assert_uint_eq(x->file_off, i * 4 * K);
			ck_assert_uint_eq(x->visited, 0x3);
			ck_assert_int_eq(x->good, 3);
			/* one-mirror rewrites copy 2 alone */
			ck_assert_uint_eq(x->wb_failed, i == 0 && !(q & 1));
		}
		ck_assert(!intact(fs, a, 0, 4 * K, 1));
		ck_assert(intact(fs, a, 4 * K, 4 * K, 1) == !(q & 1));
		ck_assert(intact(fs, a, 0, 8 * K, 2));
		ck_assert_int_eq(read_on(fs, b, 0, 16 * K, 0, q & 2, &r), 0);
		ck_assert_uint_eq(r.nrepaired, 0);
		ck_assert_uint_eq(r.retries, 4);	/* the whole bio */
		fs_free(fs);
	}
}
END_TEST

/*
 * The oracle's good-copy questions for a direct read.  raid1c3, 16K: the
 * sector at 0 is good on copy 2 alone, the one at 12K has an I/O error
 * on copy 2.  Every sector has a good copy, so a buffered read succeeds;
 * but a direct read's bio to copy 2 (pid 1) fails whole on the error at
 * 12K, and the repair of the sector at 0 never returns to copy 2: EIO,
 * as read6_direct_good() says beforehand.  Without the error at 12K it
 * succeeds, and read6_direct_good() says so too.
 */
START_TEST(test_direct_good)
{
	for (int err = 0; err < 2; err++) {
		struct fs *fs = modern(3, false, 0);
		uint32_t a = fs_create(fs, false);
		struct fs_inode *ip;
		struct fs_read_result r;

		ck_assert_int_eq(fs_write(fs, a, 0, 16 * K, 0x33, 0), 0);
		ck_assert_int_eq(fault_corrupt_file(fs, a, 0, 4 * K, 1, -1), 0);
		ck_assert_int_eq(fault_corrupt_file(fs, a, 0, 4 * K, 3, -1), 0);
		if (err)
			ck_assert_int_eq(fault_ioerror_file(fs, a, 12 * K,
			    4 * K, 2, MIRROR_IOERR_FOREVER, false), 0);
		fs_drop_caches(fs, 3);
		ip = fs_inode(fs, a);
		ck_assert(read6_good_copy(fs, ip, 0, 16 * K));
		ck_assert(read6_direct_good(fs, ip, 0, 16 * K) == !err);
		ck_assert_int_eq(read_on(fs, a, 0, 16 * K, 1, true, &r),
		    err ? -EIO : 0);
		fs_drop_caches(fs, 3);
		ck_assert_int_eq(read_on(fs, a, 0, 16 * K, 1, false, &r), 0);
		fs_free(fs);
	}
}
END_TEST

/* Scenario TEXT parses and passes, its blocks explored. */
static void
passes(const char *text)
{
	struct exec_opts eo = { .preemption_bound = -1 };
	struct exec_result r;
	struct diag_list dl;
	struct scn_script *scn;

	diag_init(&dl);
	scn = parse_script("race.scn", text, strlen(text), &dl);
	ck_assert_uint_eq(dl.n, 0);
	exec_script(scn, &eo, &r);
	for (size_t i = 0; i < r.npoints; i++)
		ck_assert_msg(r.points[i].ok, "line %u: %s: expected %s, got %s",
		    r.points[i].line, r.points[i].desc, r.points[i].expected,
		    r.points[i].got);
	ck_assert(r.passed);
	exec_result_free(&r);
	scn_free(scn);
	diag_free(&dl);
}

/*
 * A read racing a writeback and a drop of the extent maps: the writeback
 * of [0, 4K) maps its new extent (pinned), the drop takes that map away,
 * and a read's lookup at 4K between the new map and the new item must
 * not cache the old item's map [0, 8K) over the new extent.  The read
 * waits for the inode's ordered extents around its lookup
 * (btrfs_lock_and_flush_ordered_range); in every schedule the maps stay
 * coherent with the items.
 */
START_TEST(test_race_read_ordered)
{
	passes("era modern\n"
	    "fs mirrors=2\n"
	    "create a\n"
	    "write a 0 8K\n"
	    "drop-caches 1\n"
	    "concurrent schedule=explore\n"
	    "  read a 4K 4K\n"
	    "  write a 0 4K\n"
	    "  drop-cache a 0 max\n"
	    "end\n"
	    "expect coherent a\n");
}
END_TEST

/*
 * Truncating to 0 while a readahead of the page at 72K is in flight: the
 * truncate waits for the page under I/O (truncate_inode_pages), so the
 * page does not come back uptodate with the old bytes past the new end;
 * the file later grown over it reads zeros there, in every era.
 */
START_TEST(test_race_truncate_io)
{
	static const char *const eras[] = { "2008", "modern" };

	for (int e = 0; e < 2; e++) {
		char *text = xasprintf("era %s\n"
		    "fs mirrors=2\n"
		    "create a\n"
		    "write a 72K 4K\n"
		    "drop-caches 1\n"
		    "concurrent schedule=explore\n"
		    "  read a 72K 4K\n"
		    "  truncate a 0\n"
		    "end\n"
		    "write a 100K 4K fill=0x11\n"
		    "read a 72K 4K expect ok data=0x00\n", eras[e]);

		passes(text);
		free(text);
	}
}
END_TEST

/*
 * A direct read, a write and a truncate explored together: schedules
 * that exploration cuts leave tasks blocked in the middle of a direct
 * read's wait and of a writeback's, and what those kept (conc_imap)
 * goes with the schedule.  Under --enable-sanitizers a leak fails it.
 */
START_TEST(test_race_cut_schedules)
{
	passes("era modern\n"
	    "fs mirrors=2\n"
	    "create a\n"
	    "write a 0 64K\n"
	    "drop-caches 1\n"
	    "concurrent schedule=explore\n"
	    "  read a 0 64K direct\n"
	    "  write a 0 16K\n"
	    "  truncate a 4K\n"
	    "end\n");
}
END_TEST

/*
 * A misdirected write landing on the block a read has just read, before
 * the read's end-io work runs: the page holds what the device handed up
 * (and the checksum verified), not what the copy holds by then, in
 * either era.
 */
START_TEST(test_race_misdirect_read)
{
	static const char *const eras[] = { "2008", "modern" };

	for (int e = 0; e < 2; e++) {
		char *text = xasprintf("era %s\n"
		    "fs mirrors=2\n"
		    "create a\n"
		    "write a 0 64K\n"
		    "create b\n"
		    "misdirect-write b 0 4K mirror=1 to=1076K\n"
		    "drop-caches 1\n"
		    "concurrent schedule=explore\n"
		    "  read a 52K 4K mirror=1 expect ok data=intact\n"
		    "  write b 0 4K\n"
		    "end\n", eras[e]);

		passes(text);
		free(text);
	}
}
END_TEST

static Suite *
modern_suite(void)
{
	Suite *s = suite_create("modern");
	TCase *tc = tcase_create("repair");

	tcase_add_test(tc, test_btrfs265);
	tcase_add_test(tc, test_btrfs266_267);
	tcase_add_test(tc, test_btrfs215);
	tcase_add_test(tc, test_btrfs268);
	tcase_add_test(tc, test_btrfs142_143);
	tcase_add_test(tc, test_repair_report);
	tcase_add_test(tc, test_direct_good);
	tcase_add_test(tc, test_dio_retry_deref);
	tcase_add_test(tc, test_dio_repair_offset);
	suite_add_tcase(s, tc);
	tc = tcase_create("write");
	tcase_add_test(tc, test_write_tolerance);
	tcase_add_test(tc, test_truncate);
	tcase_add_test(tc, test_failed_write_after_truncate);
	suite_add_tcase(s, tc);
	tc = tcase_create("scrub");
	tcase_add_test(tc, test_scrub_288_289);
	tcase_add_test(tc, test_scrub_nocsum);
	suite_add_tcase(s, tc);
	tc = tcase_create("races");
	tcase_add_test(tc, test_race_read_ordered);
	tcase_add_test(tc, test_race_truncate_io);
	tcase_add_test(tc, test_race_cut_schedules);
	tcase_add_test(tc, test_race_misdirect_read);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(modern_suite)
