/*
 * The event trace: what the model did, as data.  The model appends events
 * (bio submitted and completed, checksum result, retry, lookup hit or miss,
 * metadata read, allocation, cache drop, EIO, oops); the program formats
 * them (--trace, and the events of a statement whose expectation failed).
 *
 * Each event carries the scenario line of the statement that caused it and
 * up to four numeric fields whose meaning depends on the kind (below).
 *
 * Two consumers, two memories.  The statement's buffer keeps the first
 * TRACE_STMT_CAP events since the last trace_clear() and counts the rest
 * in `dropped`: bounded, for the report of a failed expectation.  The
 * stream (a sink, if set) receives every event as it is emitted, and
 * keeps none: --trace writes them out as they come, so a traced run costs
 * no more memory than an untraced one.  A trace that holds (trace_hold:
 * a copy of the model running one schedule of a concurrent block, which
 * may not be the one the scenario goes on from) keeps its stream's
 * events until trace_release() sends them on, or until it is destroyed
 * and they are forgotten.
 */
#ifndef SIM_TRACE_H
#define SIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_STMT_CAP	4096

enum trace_kind {
	TRACE_BIO_SUBMIT,	/* x0 logical, x1 file offset, x2 mirror, x3 TRACE_BIO_* */
	TRACE_BIO_DONE,		/* x0 logical, x1 file offset, x2 mirror, x3 0 ok / 1 I/O error */
	TRACE_CSUM,		/* x1 file offset, x2 mirror, x3 TRACE_CSUM_* */
	TRACE_RETRY,		/* x0 logical, x1 file offset, x2 mirror (last_mirror) */
	TRACE_RETRY_GIVE_UP,	/* x1 file offset, x2 last_mirror, x3 num_copies */
	TRACE_LOOKUP,		/* x0 logical, x1 file offset, x2 TRACE_LOOKUP_*, x3 1 hit / 0 miss */
	TRACE_GET_EXTENT,	/* x0 map start, x1 map len, x2 block_start, x3 TRACE_GE_* */
	TRACE_META_READ,	/* (inode) */
	TRACE_ALLOC,		/* x0 start, x1 bytes got, x2 bytes wanted, x3 hint */
	TRACE_DROP_CACHE,	/* x0 start, x1 inclusive end */
	TRACE_EIO,		/* x1 file offset: the page failed */
	TRACE_DEADLOCK,		/* x1 file offset */
	TRACE_OOPS,		/* (message in fs) */
	TRACE_NO_MIRROR,	/* x0 logical, x1 file offset, x2 the failed
				   copy: the repair walk is back at it */
	TRACE_HANG,		/* (message in fs): a walk that never ends */
	TRACE_WFAULT,		/* x0 logical, x1 file offset (misdirect:
				   where it landed), x2 copy, x3 WFAULT_* */
	TRACE_KIND_COUNT
};

#define TRACE_BIO_READ		0
#define TRACE_BIO_RETRY		1
#define TRACE_BIO_WRITE		2
#define TRACE_BIO_READAHEAD	3	/* modern: REQ_RAHEAD */
#define TRACE_BIO_DIRECT	4	/* modern: O_DIRECT */
#define TRACE_BIO_REPAIR	5	/* modern: a repair read */
#define TRACE_BIO_REPAIR_WRITE	6	/* modern: a repair write-back */
#define TRACE_BIO_SCRUB		7	/* modern: a scrub read */

#define TRACE_CSUM_OK		0
#define TRACE_CSUM_BAD		1
#define TRACE_CSUM_NONE		2	/* no checksum recorded: 0x01 page */
#define TRACE_CSUM_NONE_EIO	3	/* no checksum, quirk nocsum-eio */

#define TRACE_LOOKUP_CACHE	0
#define TRACE_LOOKUP_GET_EXTENT	1

#define TRACE_GE_HIT		0	/* found in the cache */
#define TRACE_GE_INSERT		1	/* read from the items, inserted */
#define TRACE_GE_EEXIST_HIT	2	/* -EEXIST: returned lookup(start,len) */
#define TRACE_GE_MERGED		3	/* -EEXIST: merge_extent_mapping */
#define TRACE_GE_FAILED		4	/* -EEXIST: EIO */
#define TRACE_GE_REFAILED	5	/* -EEXIST: merge_extent_mapping
					   collided again, its -EEXIST
					   returned (an EIO to the reader) */

struct trace_event {
	uint16_t	kind;		/* enum trace_kind */
	uint16_t	task;		/* 0 outside concurrent blocks */
	uint32_t	line;		/* scenario line */
	uint32_t	ino;		/* inode number (1-based), 0 if none */
	uint64_t	x[4];
};

/* Where the stream goes: called once per event, in order; E is borrowed
   for the call. */
typedef void trace_sink_fn(void *arg, const struct trace_event *e);

struct trace {
	struct trace_event *ev;		/* the statement's first events */
	size_t		n;
	size_t		cap;
	uint64_t	dropped;	/* events not kept since trace_clear */
	trace_sink_fn	*sink;		/* the stream, or NULL */
	void		*sink_arg;
	bool		hold;		/* stream into held[] for now */
	struct trace_event *held;	/* owned; nheld of them */
	size_t		nheld;
	size_t		heldcap;
};

/* An empty trace streaming to SINK (NULL: no stream). */
void	trace_init(struct trace *, trace_sink_fn *sink, void *sink_arg);
/* Free both memories; held events are forgotten. */
void	trace_destroy(struct trace *);
/* Start a new statement's buffer (the stream is not affected). */
void	trace_clear(struct trace *);
/* Keep the stream's events from now on, until trace_release(). */
void	trace_hold(struct trace *);
/* Send the held events to the sink, in order, and stop holding. */
void	trace_release(struct trace *);
void	trace_emit(struct trace *, enum trace_kind, uint32_t line,
	    uint32_t ino, uint16_t task, uint64_t x0, uint64_t x1,
	    uint64_t x2, uint64_t x3);
const char *trace_kind_name(enum trace_kind);

#endif
