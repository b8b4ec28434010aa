/*
 * The oracle of `blksim fuzz` (see oracle.h).
 *
 * It judges what the model did against what the code of its era may do,
 * without expectations: a read that succeeds returns the file's bytes
 * (unchecksummed pages excepted: they are not verified, and the 2008
 * no-checksum path hands up 0x01 bytes); a read fails only when some
 * sector had no good copy (every copy stale, torn, misdirected over,
 * corrupt, failing or offline), or a cache drop covering the page raced
 * with its retry; no oops, no hang, no deadlock, no invariant violation.
 *
 * The modern era adds, for top-level operations: after a read, every copy
 * its repairs found bad holds the file's bytes again, unless its
 * write-back failed or a write fault hit that sector of that copy in the
 * same statement; each device's counters grew by what the statement's
 * trace shows (corruption_errs by the checksum failures on its copies,
 * read_io_errs by the failed read bios other than readahead,
 * write_io_errs by the failed write bios, a device offline counting
 * nothing); and a scrub's totals add up (corrected + uncorrectable =
 * read + csum errors, which the devices counted), it scrubbed every
 * allocated byte of each copy it covered, it left nothing uncorrectable
 * when every checksummed sector had a good copy, and read-only, it
 * changed no copy.  A counter's anomaly comes with an `expect devstats`
 * or `expect scrub` line, a copy's with an `expect copy` line, naming a
 * file by its inode as `@N`.
 *
 * Three defects
 * of the 2008 code are documented (blksim-scenario(5), BUGS): an overlap
 * accepted by add_extent_mapping() and merge_extent_mapping() failing
 * again (scenarios/history/latent-*.scn), and retries that go on from a
 * failure record an earlier read left (scenarios/failrec-leak.scn).  When
 * one shows, the run is "latent" and nothing after it is judged, since
 * every later failure may be its consequence.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/copy.h"
#include "../sim/dev.h"
#include "../sim/era.h"
#include "../sim/fei.h"
#include "../sim/fs.h"
#include "../sim/inode.h"
#include "../sim/inv.h"
#include "../sim/read6.h"
#include "../sim/scrub6.h"
#include "../sim/trace.h"
#include "../sim/wfault.h"
#include "../sim/xmalloc.h"
#include "exec.h"
#include "fmt.h"
#include "oracle.h"

bool
oracle_done(const struct exec_result *r)
{
	return r->anomaly != NULL || r->latent != NULL;
}

void
oracle_anomaly(struct exec_result *r, uint32_t line, char *sig, char *why)
{
	if (oracle_done(r)) {
		free(sig);
		free(why);
		return;
	}
	r->anomaly = sig;
	r->anomaly_why = why;
	r->anomaly_line = line;
	r->passed = false;
}

/* Record the first anomaly with its expect line EXPECT (taken over). */
static void
anomaly_expect(struct exec_result *r, uint32_t line, char *sig, char *why,
    char *expect)
{
	if (oracle_done(r))
		free(expect);
	else
		r->anomaly_expect = expect;
	oracle_anomaly(r, line, sig, why);
}

/* Record a documented latent defect (WHAT is copied). */
static void
oracle_latent(struct exec_result *r, const char *what)
{
	if (!oracle_done(r))
		r->latent = xstrdup(what);
}

bool
oracle_latent_fs(struct exec_result *r, const struct fs *fs)
{
	if (fs_latent(fs) & FS_LATENT_OVERLAP)
		oracle_latent(r, "latent overlap");
	else if (fs_latent(fs) & FS_LATENT_MERGE_REFAIL)
		oracle_latent(r, "latent merge-refail");
	else
		return false;
	return true;
}

void
oracle_oops(struct exec_result *r, uint32_t line, const char *msg,
    const char *where)
{
	oracle_anomaly(r, line, xasprintf("oops %.*s",
	    (int)strcspn(msg, ":"), msg), xasprintf("%s%s", msg, where));
}

/* Record a hang (FS_EHANG) of the operation on LINE. */
static void
oracle_hang(struct exec_result *r, uint32_t line, const char *where)
{
	oracle_anomaly(r, line, xstrdup("hang"), xasprintf("a repair walk "
	    "went round every copy twice without coming back to the failed "
	    "one%s", where));
}

void
oracle_crash(struct exec_result *r, const struct fs *fs, uint32_t line,
    const char *sched_msg, const char *where)
{
	if (oracle_latent_fs(r, fs))
		return;
	if (fs_hung(fs))
		oracle_hang(r, line, where);
	else
		oracle_oops(r, line, fs_crashed(fs) ? fs_oops_msg(fs) :
		    sched_msg, where);
}

/* Read failures that no path of the fixed code explains. */
static const struct {
	unsigned	 bit;
	const char	*sig;
	const char	*why;
} eio_anomalies[] = {
	{ FS_EIO_RETRY_LOST, "eio retry-lost", "the retry's cache lookup "
	    "missed, though no cache drop covered the page" },
	{ FS_EIO_INSERT_EEXIST, "eio insert-eexist", "btrfs_get_extent gave "
	    "up when its insert hit -EEXIST, without trying to merge" },
	{ FS_EIO_RETRY_GET_EXTENT, "eio retry-get-extent", "the retry's "
	    "btrfs_get_extent failed" },
};

void
oracle_before(struct fs *fs, uint32_t ino, const struct scn_stmt *s,
    struct oracle_pre *pre)
{
	struct fs_inode *ip = fs_inode(fs, ino);
	const struct dev *d = fs_dev(fs);

	memset(pre, 0, sizeof(*pre));
	pre->ino = ino;
	/* A direct read (modern) writes the range's dirty pages back first,
	   to new places: what is on the copies now says nothing of them;
	   and its bios span many sectors (read6_direct_good). */
	if (s->kind == SCN_READ && (s->flags & SCN_F_DIRECT))
		pre->good = ip != NULL && fs_writeback_bound(fs, 0) == 0 &&
		    read6_direct_good(fs, ip, s->off, s->len);
	else
		pre->good = s->kind == SCN_READ && fs_good_copy(fs, ino,
		    s->off, s->len);
	pre->room = s->kind == SCN_WRITE && !s->len_max &&
	    fs_free_bytes(fs) >= fs_writeback_bound(fs, s->len);
	if (fs_cfg(fs)->era != ERA_MODERN)
		return;
	pre->modern = true;
	for (int dv = 1; dv <= dev_devices(d); dv++)
		for (int k = 0; k < DEV_STAT_COUNT; k++)
			pre->devstats[dv - 1][k] = dev_stat(d, dv,
			    (enum dev_stat)k);
	if (s->kind == SCN_SCRUB) {
		pre->scrub_good = scrub6_good_copy(fs);
		if (s->flags & SCN_F_READONLY)
			pre->snap = fs_clone(fs);
	}
}

/* ---- the modern era: the trace of a statement -------------------------------- */

/* What a statement's trace shows, by device (index devid - 1). */
struct tally {
	uint64_t	csum_bad[FS_MAX_MIRRORS];	/* checksum failures */
	uint64_t	read_fail[FS_MAX_MIRRORS];	/* failed read bios that
							   count: not readahead
							   nor scrub, online */
	uint64_t	write_fail[FS_MAX_MIRRORS];	/* failed write bios,
							   online */
};

/* A bio submitted and not yet completed, in the trace. */
struct inflight {
	uint32_t	ino;
	uint64_t	logical, copy, what;	/* what: TRACE_BIO_* */
	bool		done;
};

/*
 * The bio kind of the completion E: the first bio in flight of the same
 * file, address and copy (one statement's bios of one address and copy
 * complete in the order they were submitted).  UINT64_MAX if none.
 */
static uint64_t
completed(struct inflight *v, size_t n, const struct trace_event *e)
{
	for (size_t i = 0; i < n; i++)
		if (!v[i].done && v[i].ino == e->ino &&
		    v[i].logical == e->x[0] && v[i].copy == e->x[2]) {
			v[i].done = true;
			return v[i].what;
		}
	return UINT64_MAX;
}

/* Tally the trace of FS's last statement into T; false if the trace
   dropped events, when it proves nothing. */
static bool
tally_trace(struct fs *fs, struct tally *t)
{
	const struct trace *tr = fs_trace(fs);
	const struct dev *d = fs_dev(fs);
	struct inflight *v;
	size_t n = 0;

	memset(t, 0, sizeof(*t));
	if (tr->dropped > 0)
		return false;
	v = xcalloc(tr->n ? tr->n : 1, sizeof(*v));
	for (size_t i = 0; i < tr->n; i++) {
		const struct trace_event *e = &tr->ev[i];
		int k = (int)e->x[2], dv;
		uint64_t what;

		if (k < 1 || k > dev_copies(d))
			continue;
		dv = dev_device_of(d, k) - 1;
		switch (e->kind) {
		case TRACE_CSUM:
			t->csum_bad[dv] += e->x[3] == TRACE_CSUM_BAD;
			break;
		case TRACE_BIO_SUBMIT:
			v[n++] = (struct inflight){ .ino = e->ino,
			    .logical = e->x[0], .copy = e->x[2],
			    .what = e->x[3] };
			break;
		case TRACE_BIO_DONE:
			what = completed(v, n, e);
			if (e->x[3] == 0 || !dev_online(d, k))
				break;
			if (what == TRACE_BIO_WRITE ||
			    what == TRACE_BIO_REPAIR_WRITE)
				t->write_fail[dv]++;
			else if (what == TRACE_BIO_READ ||
			    what == TRACE_BIO_DIRECT || what == TRACE_BIO_REPAIR)
				t->read_fail[dv]++;
			break;
		default:
			break;
		}
	}
	free(v);
	return true;
}

/* A write fault hit sector L of copy K in FS's last statement (it fired
   on a write of it, or a misdirected write landed there). */
static bool
write_fault_hit(struct fs *fs, int k, uint64_t l)
{
	const struct trace *tr = fs_trace(fs);

	for (size_t i = 0; i < tr->n; i++) {
		const struct trace_event *e = &tr->ev[i];

		if (e->kind == TRACE_WFAULT && e->x[2] == (uint64_t)k &&
		    (e->x[0] == l || (e->x[3] == WFAULT_MISDIRECT &&
		    e->x[1] == l)))
			return true;
	}
	return tr->dropped > 0;	/* not known: excused */
}

/* ---- the modern era: the rules ----------------------------------------------- */

/*
 * Device counter KEY of every device grew by WANT[devid - 1] in the
 * statement on LINE (PRE holds them before); else an anomaly saying
 * what the trace shows (WHAT).  False if one was recorded.
 */
static bool
counter_grew(struct exec_result *r, struct fs *fs, uint32_t line,
    const struct oracle_pre *pre, enum dev_stat key, const uint64_t *want,
    const char *what)
{
	const struct dev *d = fs_dev(fs);

	for (int dv = 1; dv <= dev_devices(d); dv++) {
		uint64_t was = pre->devstats[dv - 1][key];
		uint64_t now = dev_stat(d, dv, key);

		if (now - was == want[dv - 1])
			continue;
		anomaly_expect(r, line, xasprintf("devstats %s",
		    dev_stat_name(key)), xasprintf("device %d counted %" PRIu64
		    " %s in this statement, but the trace shows %" PRIu64 " %s",
		    dv, now - was, dev_stat_name(key), want[dv - 1], what),
		    xasprintf("expect devstats %d %s=%" PRIu64,
		    dv, dev_stat_name(key), was + want[dv - 1]));
		return false;
	}
	return true;
}

/* The device counters against the statement's trace (not a scrub's
   read and corruption counts, which are per sector: judge_scrub). */
static void
judge_counters(struct exec_result *r, struct fs *fs, const struct scn_stmt *s,
    const struct oracle_pre *pre)
{
	struct tally t;

	if (!tally_trace(fs, &t))
		return;
	if (s->kind != SCN_SCRUB && (!counter_grew(r, fs, s->pos.line, pre,
	    DEV_CORRUPTION_ERRS, t.csum_bad, "checksum failures on its "
	    "copies") || !counter_grew(r, fs, s->pos.line, pre,
	    DEV_READ_IO_ERRS, t.read_fail, "failed read bios other than "
	    "readahead on its copies")))
		return;
	counter_grew(r, fs, s->pos.line, pre, DEV_WRITE_IO_ERRS, t.write_fail,
	    "failed write bios to its copies");
}

/* "expect copy @INO OFF LEN mirror=K WHAT" */
static char *
expect_copy(uint32_t ino, uint64_t off, uint64_t len, int k, const char *what)
{
	char a[32], b[32];

	fmt_size(off, a, sizeof(a));
	fmt_size(len, b, sizeof(b));
	return xasprintf("expect copy @%u %s %s mirror=%d %s", ino, a, b, k,
	    what);
}

/*
 * After a successful read: every copy its repairs found bad (RR) holds
 * the file's bytes again, unless its write-back failed or a write fault
 * hit that sector of that copy.
 */
static void
judge_repairs(struct exec_result *r, struct fs *fs, const struct scn_stmt *s,
    const struct fs_read_result *rr, uint32_t ino)
{
	uint64_t ss = fs_sectorsize(fs);

	for (unsigned i = 0; i < rr->nrepaired; i++) {
		const struct fs_read_repair *x = &rr->repaired[i];

		for (int k = 1; k <= dev_copies(fs_dev(fs)); k++) {
			struct copy_state st;

			if (!(x->visited >> (k - 1) & 1) ||
			    (x->wb_failed >> (k - 1) & 1) ||
			    copy_state(fs, ino, x->file_off, ss, k, &st) != 0 ||
			    st.damaged == 0 ||
			    write_fault_hit(fs, k, x->logical))
				continue;
			anomaly_expect(r, s->pos.line, xstrdup("repair "
			    "left-damaged"), xasprintf("the read repaired the "
			    "sector at %" PRIu64 " from copy %d, but copy %d, "
			    "which its walk found bad, still does not hold the "
			    "file's bytes, and no write to it failed",
			    x->file_off, x->good, k),
			    expect_copy(ino, x->file_off, ss, k, "intact"));
			return;
		}
	}
}

/*
 * The first copy of file INO's sector at OFF that SNAP held damaged and
 * FS holds intact, or 0.
 */
static int
rewritten(struct fs *snap, struct fs *fs, uint32_t ino, uint64_t off)
{
	uint64_t ss = fs_sectorsize(fs);

	for (int k = 1; k <= dev_copies(fs_dev(fs)); k++) {
		struct copy_state was, now;

		if (copy_state(snap, ino, off, ss, k, &was) == 0 &&
		    was.damaged > 0 && copy_state(fs, ino, off, ss, k,
		    &now) == 0 && now.damaged == 0)
			return k;
	}
	return 0;
}

/*
 * A read-only scrub changed no copy: every sector of every file that a
 * copy held damaged before it (SNAP) is damaged still.
 */
static void
judge_readonly(struct exec_result *r, struct fs *fs, struct fs *snap,
    uint32_t line)
{
	uint64_t ss = fs_sectorsize(fs);

	for (uint32_t ino = 1; ino <= fs_ninodes(snap); ino++) {
		const struct fei_tree *items = inode_items(snap,
		    fs_inode(snap, ino));

		for (const struct fei_item *it = fei_first(items); it != NULL;
		    it = fei_next(items, it)) {
			for (uint64_t o = 0; it->disk_bytenr != 0 &&
			    o < it->num_bytes; o += ss) {
				uint64_t off = it->file_offset + o;
				int k = rewritten(snap, fs, ino, off);

				if (k == 0)
					continue;
				anomaly_expect(r, line, xstrdup("scrub "
				    "readonly-writes"), xasprintf("the "
				    "read-only scrub rewrote copy %d of the "
				    "sector at %" PRIu64 " of file inode %u", k,
				    off, ino), expect_copy(ino, off, ss, k,
				    "damaged"));
				return;
			}
		}
	}
}

/* The copies a scrub of device DEVID (0: all) covers. */
static uint64_t
copies_scrubbed(const struct dev *d, int devid)
{
	uint64_t n = 0;

	for (int k = 1; k <= dev_copies(d); k++)
		n += devid == 0 || dev_device_of(d, k) == devid;
	return n;
}

/*
 * The expect line of a scrub whose report adds up but whose devices
 * counted RD read and CS corruption errors against it (ST): the report is
 * then taken as right.  When the read errors the devices counted beyond
 * it are as many as the write bios that failed on them (a write error
 * counted as a read error), the first such device's read_io_errs less its
 * failed writes; else the report, with what the devices counted.
 */
static char *
scrub_counts_expect(struct fs *fs, const struct fs_scrub_stats *st,
    uint64_t rd, uint64_t cs)
{
	const struct dev *d = fs_dev(fs);
	struct tally t;
	uint64_t wf = 0;

	if (cs == st->csum_errors && tally_trace(fs, &t)) {
		for (int dv = 1; dv <= dev_devices(d); dv++)
			wf += t.write_fail[dv - 1];
		for (int dv = 1; wf > 0 && rd - st->read_errors == wf &&
		    dv <= dev_devices(d); dv++)
			if (t.write_fail[dv - 1] > 0)
				return xasprintf("expect devstats %d "
				    "read_io_errs=%" PRIu64, dv,
				    dev_stat(d, dv, DEV_READ_IO_ERRS) -
				    t.write_fail[dv - 1]);
	}
	return xasprintf("expect scrub read_errors=%" PRIu64 " csum_errors=%"
	    PRIu64, rd, cs);
}

/*
 * A scrub's totals: they add up, the devices counted what it found, it
 * covered every allocated byte of each copy, and it corrected all when
 * every checksummed sector had a good copy; read-only, it wrote nothing.
 */
static void
judge_scrub(struct exec_result *r, struct fs *fs, const struct scn_stmt *s,
    const struct oracle_pre *pre)
{
	const struct fs_scrub_stats *st = fs_last_scrub(fs);
	const struct dev *d = fs_dev(fs);
	uint64_t rd = 0, cs = 0, bytes;
	uint32_t line = s->pos.line;

	for (int dv = 1; dv <= dev_devices(d); dv++) {
		rd += dev_stat(d, dv, DEV_READ_IO_ERRS) -
		    pre->devstats[dv - 1][DEV_READ_IO_ERRS];
		cs += dev_stat(d, dv, DEV_CORRUPTION_ERRS) -
		    pre->devstats[dv - 1][DEV_CORRUPTION_ERRS];
	}
	if (st->corrected_errors + st->uncorrectable_errors !=
	    st->read_errors + st->csum_errors || st->read_errors != rd ||
	    st->csum_errors != cs) {
		bool adds_up = st->corrected_errors + st->uncorrectable_errors ==
		    st->read_errors + st->csum_errors;

		anomaly_expect(r, line, xstrdup(adds_up ? "scrub counts" :
		    "scrub totals"), xasprintf("the scrub reports %" PRIu64
		    " read and %" PRIu64 " csum errors, %" PRIu64 " corrected "
		    "and %" PRIu64 " uncorrectable, and its devices counted %"
		    PRIu64 " read and %" PRIu64 " corruption errors",
		    st->read_errors, st->csum_errors, st->corrected_errors,
		    st->uncorrectable_errors, rd, cs), adds_up ?
		    scrub_counts_expect(fs, st, rd, cs) :
		    xasprintf("expect scrub read_errors=%" PRIu64
		    " csum_errors=%" PRIu64, rd, cs));
		return;
	}
	bytes = (fs_data_end(fs) - FS_DATA_BASE - fs_free_bytes(fs)) *
	    copies_scrubbed(d, s->device);
	if (st->data_bytes_scrubbed != bytes) {
		anomaly_expect(r, line, xstrdup("scrub bytes"), xasprintf("the "
		    "scrub covered %" PRIu64 " bytes, not the allocated bytes "
		    "times the copies scrubbed, %" PRIu64,
		    st->data_bytes_scrubbed, bytes),
		    xasprintf("expect scrub "
		    "data_bytes_scrubbed=%" PRIu64, bytes));
		return;
	}
	if (pre->scrub_good && st->uncorrectable_errors > 0) {
		anomaly_expect(r, line, xstrdup("scrub good-copy"), xasprintf(
		    "the scrub left %" PRIu64 " sectors uncorrectable, although "
		    "every checksummed sector had a copy that reads without "
		    "error and verifies", st->uncorrectable_errors),
		    xstrdup("expect scrub "
		    "uncorrectable_errors=0"));
		return;
	}
	if (pre->snap != NULL)
		judge_readonly(r, fs, pre->snap, line);
}

/* The modern era's rules for top-level operation S (status STATUS). */
static void
judge_modern(struct exec_result *r, struct fs *fs, const struct scn_stmt *s,
    int status, const struct fs_read_result *rr,
    const struct oracle_pre *pre)
{
	if (s->kind == SCN_READ && status == 0)
		judge_repairs(r, fs, s, rr, pre->ino);
	if (s->kind == SCN_SCRUB && status == 0 && !oracle_done(r))
		judge_scrub(r, fs, s, pre);
	if (!oracle_done(r))
		judge_counters(r, fs, s, pre);
}

/* ---- every era ------------------------------------------------------------- */

/* oracle_operation() but for releasing what PRE holds. */
static void
judge_operation(struct exec_result *r, struct fs *fs, const struct scn_stmt *s,
    int status, const struct fs_read_result *rr,
    const struct oracle_pre *pre, bool shared, const char *where)
{
	uint32_t line = s->pos.line;

	if (oracle_latent_fs(r, fs))
		return;
	if (status == FS_EOOPS) {
		oracle_oops(r, line, fs_oops_msg(fs), where);
		return;
	}
	if (status == FS_EHANG) {
		oracle_hang(r, line, where);
		return;
	}
	if (status == FS_EDEADLK) {
		oracle_anomaly(r, line, xstrdup("deadlock self"),
		    xasprintf("the end-io worker waits for a metadata read "
		    "that only it could complete%s", where));
		return;
	}
	if (status == -ENOSPC && fs_enospc(fs) == FS_ENOSPC_ALLOC &&
	    pre != NULL &&
	    pre->room) {
		oracle_anomaly(r, line, xstrdup("enospc alloc"),
		    xasprintf("ENOSPC: the allocator ran out, although the "
		    "free space held every dirty byte and this write, rounded "
		    "up as cow_file_range allocates%s", where));
		return;
	}
	if (pre != NULL && pre->modern)
		judge_modern(r, fs, s, status, rr, pre);
	if (s->kind != SCN_READ || oracle_done(r))
		return;
	if (status == -EIO && (rr->eio & FS_EIO_STALE_FAILREC)) {
		oracle_latent(r, "latent stale-failrec");
		return;
	}
	if (status == -EIO) {
		for (size_t i = 0; i < sizeof(eio_anomalies) /
		    sizeof(eio_anomalies[0]); i++)
			if (rr->eio & eio_anomalies[i].bit) {
				oracle_anomaly(r, line,
				    xstrdup(eio_anomalies[i].sig),
				    xasprintf("EIO: %s%s", eio_anomalies[i].why,
				    where));
				return;
			}
		if ((rr->eio & FS_EIO_NO_GOOD_MIRROR) && pre != NULL &&
		    pre->good)
			oracle_anomaly(r, line, xstrdup("eio good-copy"),
			    xasprintf("EIO, although every sector had a copy "
			    "that reads without error and matches%s", where));
		return;
	}
	if (status == 0 && rr->wrong_pages > 0 && !shared)
		oracle_anomaly(r, line, xstrdup("wrong-data"),
		    xasprintf("the read succeeded but %" PRIu64 " checksummed "
		    "page(s) do not hold the file's bytes%s", rr->wrong_pages,
		    where));
}

void
oracle_operation(struct exec_result *r, struct fs *fs, const struct scn_stmt *s,
    int status, const struct fs_read_result *rr, struct oracle_pre *pre,
    bool shared, const char *where)
{
	judge_operation(r, fs, s, status, rr, pre, shared, where);
	if (pre != NULL && pre->snap != NULL) {
		fs_free(pre->snap);
		pre->snap = NULL;
	}
}

void
oracle_findings(struct exec_result *r, struct fs *fs,
    const struct inv_report *rep, uint32_t line, const char *where)
{
	if (oracle_done(r) || oracle_latent_fs(r, fs))
		return;
	if (rep->kinds & (1u << INV_OVERLAP))
		oracle_latent(r, "latent overlap");
	else if (rep->n > 0)
		oracle_anomaly(r, line, xasprintf("violation %s",
		    inv_kind_name(rep->f[0].kind)), xasprintf("%s (inode %u)%s",
		    rep->f[0].what, rep->f[0].ino, where));
}

void
oracle_outcome(struct exec_result *r, size_t i, int status)
{
	if (i >= r->noutcomes)
		return;
	r->outcomes[i] |= status == FS_EDEADLK ? SCN_OUT_OOPS :
	    exec_outcome(status);
}

