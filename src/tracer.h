/*
 * The --trace stream of `blksim run` (blksim(1)): every event of every
 * scenario, one line each, "FILE:LINE: EVENT", written as the model emits
 * it (sim/trace.h), never kept: to stderr, to FILE (out.h: atomically, or
 * in place for a device or a pipe), or gzip-compressed to a FILE ending in
 * .gz.
 *
 * Lines come in the order of the files whatever the jobs: with one job,
 * a scenario writes straight to the stream; with more, each scenario
 * writes into an anonymous temporary file of its own, which is copied to
 * the stream once the scenarios before it are done.  The stream's
 * memory is a stdio buffer either way.
 */
#ifndef SRC_TRACER_H
#define SRC_TRACER_H

#include <stddef.h>
#include <stdint.h>

#include "../sim/trace.h"

struct tracer;

/*
 * Open the stream for a run of N files on JOBS threads, to FILE (NULL:
 * stderr).  Returns the tracer (caller ends it with tracer_close), or
 * NULL after printing why.
 */
struct tracer	*tracer_open(const char *file, size_t n, unsigned jobs);
/*
 * The sink for file I (I < N), named PATH, whose script names its files
 * NAMES: both borrowed until tracer_done(I).  Thread-safe for distinct I.
 */
void		 tracer_start(struct tracer *, size_t i, const char *path,
		    char *const *names, trace_sink_fn **sink, void **arg);
/* File I has run (or could not): its lines go out once those of the
   files before it have.  Thread-safe. */
void		 tracer_done(struct tracer *, size_t i);
/* The events written for file I so far. */
uint64_t	 tracer_events(const struct tracer *, size_t i);
/* Finish and free the stream; CLI_EXIT_OK or CLI_EXIT_IO (said why). */
int		 tracer_close(struct tracer *);

#endif
