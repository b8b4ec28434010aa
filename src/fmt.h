/*
 * Text for people: sizes ("4K", "128K", "1M" or plain bytes), name lists
 * ("a, b or c") and trace events in words, for reports, messages and the
 * scenario text blksim writes.  Each writes into the caller's buffer of
 * SIZE bytes, cut to fit.
 */
#ifndef SRC_FMT_H
#define SRC_FMT_H

#include <stddef.h>
#include <stdint.h>

#include "../sim/trace.h"

/* V as a size: 4K, 128K, 1M, or the decimal number of bytes. */
void	fmt_size(uint64_t v, char *buf, size_t size);
/* The N NAMES as "a, b, c CONJ d" (CONJ "or" or "and"). */
void	fmt_list(char *buf, size_t size, const char *const *names, size_t n,
	    const char *conj);
/* Event E in words; NAMES are the script's file names (inode i is
   NAMES[i - 1]), or NULL. */
void	fmt_event(const struct trace_event *e, const char *const *names,
	    char *buf, size_t size);

#endif
