/*
 * Allocation that cannot fail.  Host memory exhaustion is not a simulated
 * fault: these never return NULL, so the model carries no NULL checks and
 * its error paths are domain errors only.  When memory runs out they call
 * the program's handler (xmalloc_on_fail), which ends the process its own
 * way; without one they print a message and abort.  That is the one place
 * sim/ stops the process.
 */
#ifndef SIM_XMALLOC_H
#define SIM_XMALLOC_H

#include <stddef.h>

/*
 * Call FN, which must not return, when an allocation of SIZE bytes fails
 * (NULL: print and abort).  Set it before any thread starts.
 */
void	 xmalloc_on_fail(void (*fn)(size_t size));

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
/* A new string formatted as by printf (no NULL: it aborts instead). */
char	*xasprintf(const char *fmt, ...)
	    __attribute__((__format__(__printf__, 1, 2)));

#endif
