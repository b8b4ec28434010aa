/*
 * How blksim writes the model's quantities and events for people (see
 * fmt.h).  A size is written in the largest of K, M, G and T (powers of
 * 1024) that divides it, else in bytes, the way the scenario language
 * reads it back; an event names the file and the 2008 function it comes
 * from (btrfs_drop_extent_cache, io_failed_hook, get_extent), with
 * drop_extent_cache's inclusive end shown as an exclusive one.
 */
#include <inttypes.h>
#include <stdio.h>

#include "../sim/em.h"
#include "../sim/wfault.h"
#include "fmt.h"

void
fmt_size(uint64_t v, char *buf, size_t size)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (u < 3 && v != 0 && v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, size, "%" PRIu64, v);
	else
		snprintf(buf, size, "%" PRIu64 "%c", v, units[u]);
}

void
fmt_list(char *buf, size_t sz, const char *const *names, size_t n,
    const char *conj)
{
	size_t used = 0;
	int k;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used < sz; i++, used += (size_t)k) {
		if (i == 0)
			k = snprintf(buf, sz, "%s", names[i]);
		else if (i + 1 == n)
			k = snprintf(buf + used, sz - used, " %s %s", conj,
			    names[i]);
		else
			k = snprintf(buf + used, sz - used, ", %s", names[i]);
		if (k < 0)
			break;
	}
}

static const char *const csum_words[] = {
	[TRACE_CSUM_OK] = "ok",
	[TRACE_CSUM_BAD] = "mismatch",
	[TRACE_CSUM_NONE] = "no checksum recorded: passes, page filled with "
	    "0x01",
	[TRACE_CSUM_NONE_EIO] = "no checksum recorded: fails (nocsum-eio)",
};

static const char *const ge_words[] = {
	[TRACE_GE_HIT] = "cache hit",
	[TRACE_GE_INSERT] = "read from the items and cached",
	[TRACE_GE_EEXIST_HIT] = "-EEXIST, returned the map lookup found",
	[TRACE_GE_MERGED] = "-EEXIST, merged with merge_extent_mapping",
	[TRACE_GE_FAILED] = "-EEXIST, failed with EIO",
	[TRACE_GE_REFAILED] = "-EEXIST, merge_extent_mapping collided again: "
	    "failed with -EEXIST",
};

/* What a bio is for (TRACE_BIO_*), as the trace says it. */
static const char *const bio_words[] = {
	[TRACE_BIO_READ] = "read",
	[TRACE_BIO_RETRY] = "retry read",
	[TRACE_BIO_WRITE] = "write",
	[TRACE_BIO_READAHEAD] = "readahead read",
	[TRACE_BIO_DIRECT] = "direct read",
	[TRACE_BIO_REPAIR] = "repair read",
	[TRACE_BIO_REPAIR_WRITE] = "repair write",
	[TRACE_BIO_SCRUB] = "scrub read",
};
#define NBIO_WORDS	(sizeof(bio_words) / sizeof(bio_words[0]))

/* What a write fault did (WFAULT_*), for the trace. */
static const char *const wfault_words[WFAULT_KINDS] = {
	[WFAULT_ERROR] = "failed with an I/O error (the copy keeps its old "
	    "bytes)",
	[WFAULT_LOST] = "was lost (acknowledged, never persisted)",
	[WFAULT_TORN] = "was torn (part of each sector reached the copy)",
	[WFAULT_MISDIRECT] = "was misdirected",
};

/* A block_start: a size, or "hole". */
static void
fmt_block(uint64_t block_start, char *buf, size_t size)
{
	if (block_start == EM_HOLE)
		snprintf(buf, size, "hole");
	else
		fmt_size(block_start, buf, size);
}

void
fmt_event(const struct trace_event *e, const char *const *names,
    char *buf, size_t size)
{
	char a[32], b[32], c[32];
	const char *file = names != NULL && e->ino > 0 ? names[e->ino - 1] :
	    "";

	fmt_size(e->x[0], a, sizeof(a));
	fmt_size(e->x[1], b, sizeof(b));
	switch (e->kind) {
	case TRACE_BIO_SUBMIT:
		/* A scrub bio belongs to no file. */
		if (e->ino == 0)
			snprintf(buf, size, "%s bio -> logical %s, mirror %"
			    PRIu64, bio_words[e->x[3] < NBIO_WORDS ? e->x[3] :
			    0], a, e->x[2]);
		else
			snprintf(buf, size, "%s bio %s %s -> logical %s, "
			    "mirror %" PRIu64, bio_words[e->x[3] < NBIO_WORDS ?
			    e->x[3] : 0], file, b, a, e->x[2]);
		break;
	case TRACE_BIO_DONE:
		if (e->ino == 0)
			snprintf(buf, size, "bio done logical %s mirror %"
			    PRIu64 ": %s", a, e->x[2], e->x[3] ? "I/O error" :
			    "ok");
		else
			snprintf(buf, size, "bio done %s %s mirror %" PRIu64
			    ": %s", file, b, e->x[2], e->x[3] ? "I/O error" :
			    "ok");
		break;
	case TRACE_CSUM:
		snprintf(buf, size, "csum %s %s from mirror %" PRIu64 ": %s",
		    file, b, e->x[2], csum_words[e->x[3] & 3]);
		break;
	case TRACE_RETRY:
		snprintf(buf, size, "io_failed_hook %s %s: retry on mirror "
		    "%" PRIu64 " (logical %s)", file, b, e->x[2], a);
		break;
	case TRACE_RETRY_GIVE_UP:
		snprintf(buf, size, "io_failed_hook %s %s: last_mirror %" PRIu64
		    " of %" PRIu64 " copies: EIO", file, b, e->x[2] + 1,
		    e->x[3]);
		break;
	case TRACE_LOOKUP:
		snprintf(buf, size, "io_failed_hook %s %s: %s lookup %s%s%s",
		    file, b, e->x[2] == TRACE_LOOKUP_CACHE ? "cache" :
		    "get_extent", e->x[3] ? "hit, logical " : "miss: EIO, no "
		    "retry", e->x[3] ? a : "", "");
		break;
	case TRACE_GET_EXTENT:
		fmt_block(e->x[2], c, sizeof(c));
		snprintf(buf, size, "get_extent %s: [%s, +%s) -> %s: %s", file,
		    a, b, c, ge_words[e->x[3] % (sizeof(ge_words) / sizeof(ge_words[0]))]);
		break;
	case TRACE_META_READ:
		snprintf(buf, size, "metadata read for %s (fs_mutex held)",
		    file);
		break;
	case TRACE_ALLOC:
		fmt_size(e->x[2], c, sizeof(c));
		snprintf(buf, size, "alloc %s: %s at logical %s (asked %s)",
		    file, b, a, c);
		break;
	case TRACE_DROP_CACHE:
		/* The 2008 end is inclusive: show it as end + 1, exclusive. */
		fmt_size(e->x[1] + 1, c, sizeof(c));
		if (e->x[1] == UINT64_MAX)
			snprintf(buf, size, "drop_extent_cache %s [%s, EOF)",
			    file, a);
		else if (e->x[1] < e->x[0])
			snprintf(buf, size, "drop_extent_cache %s start %s, "
			    "end %" PRIu64 " (before start: the length wraps)",
			    file, a, e->x[1]);
		else
			snprintf(buf, size, "drop_extent_cache %s [%s, %s)",
			    file, a, c);
		break;
	case TRACE_EIO:
		snprintf(buf, size, "page %s %s: EIO", file, b);
		break;
	case TRACE_DEADLOCK:
		snprintf(buf, size, "deadlock: the retry of %s %s waits on the "
		    "end-io worker it runs on", file, b);
		break;
	case TRACE_WFAULT:
		if (e->x[3] == WFAULT_MISDIRECT)
			snprintf(buf, size, "write fault on mirror %" PRIu64
			    ": the write of %s%s%s logical %s was misdirected "
			    "to logical %s", e->x[2], file, file[0] ? " " : "",
			    file[0] ? "at" : "", a, b);
		else
			snprintf(buf, size, "write fault on mirror %" PRIu64
			    ": the write of %s%s logical %s %s", e->x[2], file,
			    file[0] ? "," : "", a, wfault_words[e->x[3] %
			    WFAULT_KINDS]);
		break;
	case TRACE_HANG:
		snprintf(buf, size, "hang: the repair walk went round every "
		    "copy twice without stopping at the failed one");
		break;
	case TRACE_NO_MIRROR:
		snprintf(buf, size, "repair %s %s (logical %s): no mirror left, "
		    "the walk is back at mirror %" PRIu64 ": the sector stays "
		    "bad", file, b, a, e->x[2]);
		break;
	default:
		snprintf(buf, size, "%s", trace_kind_name(e->kind));
		break;
	}
}
