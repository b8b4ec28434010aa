/*
 * The oracle of `blksim fuzz` (see oracle.h).
 *
 * It judges what the model did against what the 2008 code may do,
 * without expectations: a read that succeeds returns the file's bytes
 * (unchecksummed pages excepted: they are not verified, and the
 * no-checksum path hands up 0x01 bytes); a read fails only when some
 * sector had no good copy, or a cache drop covering the page raced with
 * its retry; no oops, no deadlock, no invariant violation.  Three defects
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

#include "../sim/fs.h"
#include "../sim/inv.h"
#include "../sim/xmalloc.h"
#include "exec.h"
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
	pre->good = s->kind == SCN_READ && fs_good_copy(fs, ino, s->off,
	    s->len);
	pre->room = s->kind == SCN_WRITE && !s->len_max &&
	    fs_free_bytes(fs) >= fs_writeback_bound(fs, s->len);
}

void
oracle_operation(struct exec_result *r, struct fs *fs, const struct scn_stmt *s,
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
	if (s->kind != SCN_READ)
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

