/*
 * Allocation that cannot fail.  Host memory exhaustion is not a simulated
 * fault: these abort with a message instead of returning NULL, so the model
 * carries no NULL checks and its error paths are domain errors only.  This
 * abort is the one place sim/ stops the process.
 */
#ifndef SIM_XMALLOC_H
#define SIM_XMALLOC_H

#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
/* A new string formatted as by printf (no NULL: it aborts instead). */
char	*xasprintf(const char *fmt, ...)
	    __attribute__((__format__(__printf__, 1, 2)));

#endif
