/* Aborting allocators; see xmalloc.h. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xmalloc.h"

static void (*xmalloc_fail)(size_t);

void
xmalloc_on_fail(void (*fn)(size_t))
{
	xmalloc_fail = fn;
}

static void
xmalloc_die(size_t size)
{
	static const char msg[] = "blksim: out of memory\n";

	if (xmalloc_fail != NULL)
		xmalloc_fail(size);
	(void)!write(2, msg, sizeof(msg) - 1);
	abort();
}

void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		xmalloc_die(size);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		xmalloc_die(n * size);
	return p;
}

void *
xreallocarray(void *old, size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > SIZE_MAX / size)
		xmalloc_die(SIZE_MAX);
	p = realloc(old, (n != 0 && size != 0) ? n * size : 1);
	if (p == NULL)
		xmalloc_die(n * size);
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		xmalloc_die(0);
	return s;
}
