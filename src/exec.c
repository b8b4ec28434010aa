/*
 * The interpreter: drive the model (sim/fs.h) through a parsed scenario
 * and judge every expectation.  See exec.h for what a point is.  Each
 * statement runs by its row's interpreter entry (src/stmt.h), the one
 * place it calls the model; this file holds what they share: the run's
 * state (exec_int.h), the points, the judging of outcomes and read keys,
 * the invariant checker.  Concurrent blocks are block.c's.
 *
 * Order of events per statement: stamp the statement's line on the fs,
 * clear the per-statement trace, run it, judge it, then run the invariant
 * checker.  A simulated oops (or a sequential deadlock) stops the
 * scenario: the statements after it are not run.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/fs.h"
#include "../sim/xmalloc.h"
#include "chrome.h"
#include "exec_int.h"
#include "fmt.h"
#include "oracle.h"
#include "stmt.h"

/* What this thread runs (exec_where); set per statement by exec_script. */
static _Thread_local const char *exec_cur_file;
static _Thread_local uint32_t exec_cur_line;

void
exec_where(const char **file, uint32_t *line)
{
	*file = exec_cur_file;
	*line = exec_cur_line;
}

struct fs *
exec_fs(struct exec *x)
{
	return x->fs;
}

uint32_t
exec_inode(const struct exec *x, int file)
{
	return file >= 0 ? x->ino[file] : 0;
}

void
exec_set_inode(struct exec *x, int file, uint32_t ino)
{
	x->ino[file] = ino;
}

const char *
exec_file_name(const struct exec *x, int file)
{
	return file >= 0 ? x->scn->files[file] : "";
}

bool
exec_oracle(const struct exec *x)
{
	return x->oracle;
}

void
exec_point(struct exec *x, uint32_t line, char *desc, bool ok,
    char *expected, char *got)
{
	struct exec_result *r = x->res;
	struct exec_point *p;

	if (r->npoints == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 16;
		r->points = xreallocarray(r->points, x->cap, sizeof(*p));
	}
	p = &r->points[r->npoints++];
	memset(p, 0, sizeof(*p));
	p->line = line;
	p->desc = desc;
	p->ok = ok;
	p->expected = expected;
	p->got = got;
	if (!ok) {
		const struct trace *t = fs_trace(x->fs);
		size_t n = 0;

		r->passed = false;
		for (size_t i = 0; i < t->n; i++)
			if (t->ev[i].line == line)
				n++;
		p->ev = xreallocarray(NULL, n ? n : 1, sizeof(*p->ev));
		for (size_t i = 0; i < t->n; i++)
			if (t->ev[i].line == line)
				p->ev[p->nev++] = t->ev[i];
		p->dropped = t->dropped;
	} else {
		free(expected);
		free(got);
		p->expected = p->got = NULL;
	}
}

void
exec_warn(struct exec *x, uint32_t line, const char *fmt, ...)
{
	struct exec_result *r = x->res;
	char *msg, *all;
	va_list ap;

	if (x->oracle)
		return;		/* blksim fuzz judges otherwise */
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	all = xasprintf("%s%sline %u: %s", r->warnings ? r->warnings : "",
	    r->warnings ? "\n" : "", line, msg ? msg : fmt);
	free(msg);
	free(r->warnings);
	r->warnings = all;
}

static const char *
outcome_word(unsigned o)
{
	switch (o) {
	case SCN_OUT_OK:
		return "ok";
	case SCN_OUT_EIO:
		return "eio";
	case SCN_OUT_ENOSPC:
		return "enospc";
	case SCN_OUT_HANG:
		return "hang";
	default:
		return "oops";
	}
}

char *
exec_outcomes_text(unsigned mask)
{
	char buf[64] = "";

	for (unsigned o = SCN_OUT_OK; o <= SCN_OUT_HANG; o <<= 1) {
		if (!(mask & o))
			continue;
		if (buf[0])
			strcat(buf, "|");
		strcat(buf, outcome_word(o));
	}
	return xstrdup(buf);
}

unsigned
exec_outcome(int status)
{
	switch (status) {
	case 0:
		return SCN_OUT_OK;
	case -EIO:
		return SCN_OUT_EIO;
	case -ENOSPC:
		return SCN_OUT_ENOSPC;
	case FS_EOOPS:
		return SCN_OUT_OOPS;
	case FS_EHANG:
		return SCN_OUT_HANG;
	default:
		return 0;
	}
}

char *
exec_status_text(struct exec *x, int status)
{
	switch (status) {
	case FS_EOOPS:
		return xasprintf("oops (%s)", fs_oops_msg(x->fs));
	case FS_EDEADLK:
		return xstrdup("deadlock (the end-io worker waits for a "
		    "metadata read that only it could complete)");
	case FS_EHANG:
		return xstrdup("hang (a repair walk went round every copy "
		    "twice without reaching the failed one)");
	case FS_EINVAL:
		return xasprintf("error: %s", fs_why(x->fs));
	default:
		return xstrdup(outcome_word(exec_outcome(status)));
	}
}

/* An operation line as points and reports name it (its row's describe). */
char *
exec_describe(struct exec *x, const struct scn_stmt *s)
{
	const struct stmt_row *row = stmt_row(s->kind);

	if (row->describe == NULL)
		return xstrdup(row->name);
	return row->describe(s, exec_file_name(x, s->file));
}

/* Judge the read keys of an expectation; append mismatches to the texts. */
bool
exec_judge_read(const struct scn_expect *e, const struct fs_read_result *rr,
    char **expected, char **got)
{
	char want[256] = "", have[256] = "";
	bool ok = true;
	size_t w, h;

#define ADD(buf, ...) (w = strlen(buf), snprintf(buf + w, sizeof(buf) - w, \
	__VA_ARGS__))
	if (e->mirror > 0) {
		unsigned bit = 1u << (e->mirror - 1);

		ADD(want, " mirror=%d", e->mirror);
		if (rr->device_pages == 0) {
			ADD(have, " mirror=none (no page was read from a "
			    "device)");
			ok = false;
		} else if (rr->served != bit) {
			ADD(have, " mirror=");
			for (int k = 1; k <= FS_MAX_MIRRORS; k++)
				if (rr->served & (1u << (k - 1)))
					h = strlen(have), snprintf(have + h,
					    sizeof(have) - h, "%s%d",
					    have[h - 1] == '=' ? "" : ",", k);
			if (rr->served == 0)
				ADD(have, "none");
			ok = false;
		} else
			ADD(have, " mirror=%d", e->mirror);
	}
	if (e->retries >= 0) {
		ADD(want, " retries=%" PRId64, e->retries);
		ADD(have, " retries=%" PRIu64, rr->retries);
		if (rr->device_pages == 0 && rr->bytes > 0 && e->retries > 0)
			ADD(have, " (no page was read from a device: the page "
			    "cache served them; drop-caches 1 first?)");
		if ((uint64_t)e->retries != rr->retries)
			ok = false;
	}
	if (e->lookup != SCN_LOOKUP_ANY) {
		unsigned bit = e->lookup == SCN_LOOKUP_CACHE ? FS_LOOKUP_CACHE :
		    FS_LOOKUP_GET_EXTENT;

		ADD(want, " lookup=%s", bit == FS_LOOKUP_CACHE ? "cache" :
		    "get_extent");
		ADD(have, " lookup=%s", rr->lookups == FS_LOOKUP_CACHE ?
		    "cache" : rr->lookups == FS_LOOKUP_GET_EXTENT ?
		    "get_extent" : rr->lookups == 0 ? "none (no retry)" :
		    "cache,get_extent");
		if (rr->lookups != bit)
			ok = false;
	}
	if (e->data == SCN_DATA_INTACT) {
		ADD(want, " data=intact");
		ADD(have, " data=%s", rr->intact ? "intact" : "different");
		if (!rr->intact)
			ok = false;
	} else if (e->data >= 0) {
		ADD(want, " data=0x%02x", e->data);
		if (rr->bytes == 0)
			ADD(have, " data=none (no bytes returned)");
		else if (rr->uniform < 0)
			ADD(have, " data=mixed");
		else
			ADD(have, " data=0x%02x", rr->uniform);
		if (rr->bytes == 0 || rr->uniform != e->data)
			ok = false;
	}
#undef ADD
	if (want[0]) {
		char *a = xasprintf("%s%s", *expected, want);
		char *b = xasprintf("%s%s", *got, have);

		free(*expected);
		free(*got);
		*expected = a;
		*got = b;
	}
	return ok;
}

/*
 * Run one statement (a top-level line, a task, an expectation) by its
 * row's interpreter entry; returns the model's status.
 */
int
exec_run_stmt(struct exec *x, const struct scn_stmt *s,
    struct fs_read_result *rr)
{
	const struct stmt_row *row = stmt_row(s->kind);

	return row->run != NULL ? row->run(x, s, rr) : 0;
}

/* Judged by exec_judge_read: the statement takes the read keys. */
bool
exec_read_keys(const struct scn_stmt *s, int status)
{
	return (stmt_row(s->kind)->flags & STMT_READ_KEYS) &&
	    (status == 0 || status == -EIO);
}

void
exec_explain_cached(const struct scn_stmt *s, unsigned want, int status,
    const struct fs_read_result *rr, char **got)
{
	char *more;

	if (s->kind != SCN_READ || status != 0 || (want & SCN_OUT_OK) ||
	    rr->bytes == 0 || rr->device_pages != 0)
		return;
	more = xasprintf("%s (no device read happened: every page was in "
	    "the page cache; drop-caches 1 first?)", *got);
	free(*got);
	*got = more;
}

/* Judge an operation's outcome and keys; false stops the scenario. */
static bool
judge_operation(struct exec *x, const struct scn_stmt *s, int status,
    const struct fs_read_result *rr)
{
	unsigned want = s->expect.given ? s->expect.outcomes : SCN_OUT_OK;
	unsigned got = exec_outcome(status);
	char *expected = exec_outcomes_text(want);
	char *gottext = exec_status_text(x, status);
	bool ok = (want & got) != 0;

	if (exec_read_keys(s, status) &&
	    !exec_judge_read(&s->expect, rr, &expected, &gottext))
		ok = false;
	exec_explain_cached(s, want, status, rr, &gottext);
	if (s->expect.data == SCN_DATA_INTACT && status == 0 &&
	    rr->bytes == 0)
		exec_warn(x, s->pos.line, "data=intact: the read returned no "
		    "bytes, so nothing was compared");
	exec_point(x, s->pos.line, exec_describe(x, s), ok, expected, gottext);
	return status != FS_EOOPS && status != FS_EDEADLK &&
	    status != FS_EHANG;
}

/* The invariant checker after a statement or a schedule (exec_int.h). */
void
exec_run_checker(const struct exec *x, struct fs *fs, struct inv_report *rep)
{
	if (x->o->full_check)
		inv_check(fs, rep);
	else
		inv_check_changed(fs, rep);
	inv_settle(fs);
}

/* Remember the first finding of each kind of REP, made after LINE. */
static void
record_findings(struct exec *x, const struct inv_report *rep, uint32_t line)
{
	struct exec_result *r = x->res;

	for (size_t i = 0; i < rep->n; i++) {
		enum inv_kind k = rep->f[i].kind;

		if (!(r->found & (1u << k))) {
			r->first[k] = rep->f[i];
			r->first_line[k] = line;
		}
		r->found |= 1u << k;
	}
}

unsigned
exec_quirks(const struct scn_script *scn, const struct exec_opts *o)
{
	struct quirk_settings all = { 0 };
	unsigned mask;

	quirk_settings_append(&all, &scn->quirk_settings);
	if (o->quirks != NULL)
		quirk_settings_append(&all, o->quirks);
	for (int q = 0; q < QUIRK_COUNT; q++)
		if (quirk_on(o->guard, q))
			quirk_settings_add(&all, QUIRK_FROM_GUARD, q, true);
	mask = quirk_resolve(&all);
	quirk_settings_free(&all);
	return mask;
}

/* The closing point: every finding of the checker was declared. */
static void
judge_findings(struct exec *x)
{
	struct exec_result *r = x->res;
	uint32_t last = 0;

	for (size_t i = 0; i < x->scn->nstmts; i++)
		if (x->scn->stmts[i].kind == SCN_EXPECT_VIOLATION) {
			const struct scn_stmt *s = &x->scn->stmts[i];
			bool seen = (r->found >> s->violation) & 1;

			exec_point(x, s->pos.line, xasprintf("violation %s",
			    inv_kind_name(s->violation)), seen,
			    xasprintf("a %s finding",
			    inv_kind_name(s->violation)), xstrdup("none"));
		}
	for (int k = 0; k < INV_KIND_COUNT; k++) {
		const struct inv_finding *f = &r->first[k];
		char a[32], b[32];

		if (!((r->found & ~r->declared) >> k & 1))
			continue;
		fmt_size(f->start, a, sizeof(a));
		fmt_size(f->len, b, sizeof(b));
		exec_point(x, r->first_line[k], xstrdup("invariants"), false,
		    xstrdup("no undeclared invariant violation"),
		    xasprintf("%s: %s (inode %u, at %s, %s bytes)",
		    inv_kind_name(k), f->what, f->ino, a, b));
		last = 1;
	}
	if (!last)
		exec_point(x, x->scn->nstmts ?
		    x->scn->stmts[x->scn->nstmts - 1].pos.line : 0,
		    xstrdup("invariants"), true, NULL, NULL);
}

void
exec_script(const struct scn_script *scn, const struct exec_opts *o,
    struct exec_result *r)
{
	struct exec x = { .scn = scn, .o = o, .res = r };
	struct fs_config cfg = {
		.sectorsize = scn->fs.sectorsize,
		.mirrors = scn->fs.mirrors,
		.size = scn->fs.size,
		.max_extent = scn->fs.max_extent,
		.alloc_align = scn->fs.alloc_align,
		.workers = scn->fs.workers,
		.csum = scn->fs.csum_crc32 ? CSUM_CRC32 : CSUM_CRC32C,
		.trace_sink = o->trace_sink,
		.trace_arg = o->trace_arg,
		.era = scn->era,
		.dup = scn->fs.dup,
		.read_policy = scn->fs.read_policy,
		.rr_min_contig = scn->fs.rr_min_contig,
		.policy_devid = scn->fs.policy_devid,
		.readahead = scn->fs.readahead,
	};
	int err;

	memset(r, 0, sizeof(*r));
	r->passed = true;
	r->era = scn->era;
	if (o->chrome) {
		/* The Perfetto timeline: the data path, then the blocks. */
		r->chrome = chrome_new();
		chrome_data_path(r->chrome, scn->filename, scn->files);
		cfg.trace_sink = chrome_event;
		cfg.trace_arg = r->chrome;
	}
	r->quirks = cfg.quirks = exec_quirks(scn, o);
	r->seed = cfg.seed = o->seed_given ? o->seed : scn->seed;
	x.fs = fs_new(&cfg, &err);
	if (x.fs == NULL) {
		r->passed = false;
		r->oops = xstrdup("the fs configuration is invalid");
		return;
	}
	x.ino = xcalloc(scn->nfiles ? scn->nfiles : 1, sizeof(*x.ino));
	x.oracle = o->oracle;
	for (size_t i = 0; i < scn->nstmts; i++) {
		const struct scn_stmt *s = &scn->stmts[i];

		if (s->kind == SCN_EXPECT_VIOLATION)
			r->declared |= 1u << s->violation;
		if (stmt_row(s->kind)->role == STMT_BLOCK)
			r->noutcomes += s->ntasks;
		else if (scn_is_operation(s->kind))
			r->noutcomes++;
	}
	if (x.oracle)
		r->outcomes = xcalloc(r->noutcomes ? r->noutcomes : 1,
		    sizeof(*r->outcomes));
	for (size_t i = 0; i < scn->nstmts; i++) {
		const struct scn_stmt *s = &scn->stmts[i];
		struct fs_read_result rr;
		struct oracle_pre pre;
		struct inv_report rep;
		bool stop;
		int status;

		fs_set_line(x.fs, s->pos.line);
		exec_cur_file = scn->filename;
		exec_cur_line = s->pos.line;
		fs_trace_clear(x.fs);
		if (r->chrome != NULL) {
			char *d = exec_describe(&x, s);

			/* Its slice ends where the next statement's begins. */
			chrome_statement(r->chrome, 0, "", false);
			chrome_statement(r->chrome, s->pos.line, d, true);
			free(d);
		}
		if (!scn_is_operation(s->kind)) {
			exec_run_stmt(&x, s, NULL);
			continue;
		}
		if (stmt_row(s->kind)->role == STMT_BLOCK) {
			if (exec_run_stmt(&x, s, NULL) != 0 || (x.oracle &&
			    oracle_done(r))) {
				r->stopped = i + 1 < scn->nstmts;
				break;
			}
			continue;
		}
		memset(&rr, 0, sizeof(rr));
		if (x.oracle)
			oracle_before(x.fs, exec_inode(&x, s->file), s, &pre);
		status = exec_run_stmt(&x, s, &rr);
		/* A crashed kernel's half-done state is not judged. */
		memset(&rep, 0, sizeof(rep));
		if (status != FS_EOOPS)
			exec_run_checker(&x, x.fs, &rep);
		if (x.oracle) {
			oracle_outcome(r, x.opi, status);
			oracle_operation(r, x.fs, s, status, &rr, &pre, false,
			    "");
			if (status != FS_EOOPS)
				oracle_findings(r, x.fs, &rep, s->pos.line,
				    "");
			if (oracle_done(r)) {
				r->stopped = i + 1 < scn->nstmts;
				x.opi++;
				inv_report_free(&rep);
				break;
			}
		}
		x.opi++;
		stop = !judge_operation(&x, s, status, &rr);
		record_findings(&x, &rep, s->pos.line);
		inv_report_free(&rep);
		if (stop) {
			if (status == FS_EOOPS)
				r->oops = xasprintf("%u: %s", s->pos.line,
				    fs_oops_msg(x.fs));
			r->stopped = i + 1 < scn->nstmts;
			break;
		}
	}
	exec_cur_file = NULL;
	exec_cur_line = 0;
	if (r->chrome != NULL)
		chrome_statement(r->chrome, 0, "", false);
	judge_findings(&x);
	r->stats = *fs_stats(x.fs);
	free(x.ino);
	if (o->keep_fs)
		r->fs = x.fs;
	else
		fs_free(x.fs);
}

void
exec_result_free(struct exec_result *r)
{
	for (size_t i = 0; i < r->npoints; i++) {
		free(r->points[i].desc);
		free(r->points[i].expected);
		free(r->points[i].got);
		free(r->points[i].ev);
		free(r->points[i].detail);
	}
	free(r->points);
	free(r->oops);
	free(r->anomaly);
	free(r->anomaly_why);
	free(r->anomaly_expect);
	free(r->latent);
	free(r->outcomes);
	free(r->notes);
	free(r->deadlocks_json);
	free(r->lock_order_json);
	free(r->warnings);
	fs_free(r->fs);
	chrome_free(r->chrome);
	for (size_t i = 0; i < r->ndeadlocks; i++) {
		free(r->deadlocks[i].res);
		for (int e = 0; e < SCHED_MAX_ENTITIES; e++)
			free(r->deadlocks[i].label[e]);
	}
	free(r->deadlocks);
	for (size_t i = 0; i < r->nblocks; i++)
		free(r->blocks[i].cut);
	free(r->blocks);
	memset(r, 0, sizeof(*r));
}
