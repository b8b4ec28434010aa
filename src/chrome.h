/*
 * Timelines and wait-for graphs of concurrent blocks, for viewers:
 * a run as Chrome trace-event JSON (which Perfetto and chrome://tracing
 * open) and a deadlock as a Graphviz DOT graph.
 *
 * A chrome collector is fed the observations of replayed schedules
 * (sched_opts.observe = chrome_observe); each replay is one process of
 * the trace, named by chrome_process() ("FILE:LINE").  In a process every
 * entity has two threads: its run steps (tid = entity id + 1) and its
 * lock holds and waits (tid = SCHED_MAX_ENTITIES + entity id + 1), since
 * a hold outlives the step that took it; posted actions fire as instants
 * on a "device" thread.  The clock is logical: each observation advances
 * it by one microsecond, so the output depends on the schedule only and
 * is byte-identical across runs.  Spans still open when the replay ends
 * (a deadlock) close at its end with "open": true in their args.
 */
#ifndef SRC_CHROME_H
#define SRC_CHROME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../sim/sched.h"
#include "../sim/trace.h"

struct chrome;

/* A new empty collector (caller frees with chrome_free). */
struct chrome	*chrome_new(void);
void		 chrome_free(struct chrome *);
/* Start a process named NAME: the next observations belong to it.  Closes
 * the spans the previous one left open. */
void		 chrome_process(struct chrome *, const char *name);
/*
 * The data path of a scenario, as one process named NAME (the file): a
 * "statements" track with a slice per statement (chrome_statement), one
 * track per device copy with a slice per bio (submission to completion,
 * with its logical address, file offset and copy in its args), a "data
 * path" track with every other event (checksums, retries, repairs, write
 * faults) as an instant, and one track per entity of a concurrent block
 * (a task or an end-io worker) with the events of the schedule the
 * scenario went on from.  NAMES (borrowed for the collector's life) name
 * the files.
 */
void		 chrome_data_path(struct chrome *, const char *name,
		    char *const *names);
/* Begin or end the slice of the statement at LINE described by DESC. */
void		 chrome_statement(struct chrome *, uint32_t line,
		    const char *desc, bool begin);
/* The trace sink (sim/trace.h) of the data path; ARG is the collector. */
void		 chrome_event(void *arg, const struct trace_event *e);
/* The observer hook; ARG is the struct chrome. */
void		 chrome_observe(void *arg, const struct sched_obs *);
/*
 * Write the collectors V[0..N) as one JSON trace, processes numbered
 * from 1 in order (NULL entries are skipped).  Returns 0, or -EIO if F
 * reports an error.
 */
int		 chrome_write(FILE *, struct chrome *const *v, size_t n);

/*
 * Write deadlock D as a DOT subgraph "cluster_K" of a digraph the caller
 * opens and closes (chrome_dot_begin/end): entities are boxes, locks,
 * events and work queues ellipses; an object points to its holder ("held
 * by"), an entity to what it waits for, and the wait-for cycle is drawn
 * in red.  LABEL names the block ("FILE:LINE").
 */
void		 chrome_dot_begin(FILE *);
void		 chrome_dot(FILE *, unsigned k, const char *label,
		    const struct sched_result *d);
void		 chrome_dot_end(FILE *);

#endif
