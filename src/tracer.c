/*
 * The --trace stream (see tracer.h).  A tracer has one destination
 * stream, DEST: a buffered stream on a copy of stderr's descriptor, the
 * output file, or a stdio stream whose writes go through gzwrite() into
 * the output file (fopencookie).  Each file of the run has a slot: where
 * its lines go (DEST itself with one job, an anonymous temporary file
 * with more), what names its events use, and how many it wrote.
 *
 * Invariant (jobs > 1): the slots before NEXT have been copied to DEST
 * and closed; a slot is copied only when every slot before it is done,
 * under the lock, so DEST sees the files in order.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "../sim/xmalloc.h"
#include "cli.h"
#include "fmt.h"
#include "out.h"
#include "tracer.h"

struct tracer_slot {
	FILE		*f;		/* its lines; NULL until started */
	const char	*path;		/* borrowed */
	char *const	*names;		/* borrowed */
	uint64_t	 events;
	bool		 done;
};

struct tracer {
	FILE		*dest;		/* in file order */
	bool		 have_out;	/* DEST writes into OUT (or gz) */
	struct out	 out;
	bool		 gz;		/* DEST is the gzip cookie stream */
	bool		 direct;	/* one job: slots write to DEST */
	const char	*name;		/* for messages */
	struct tracer_slot *v;
	size_t		 n;
	size_t		 next;		/* slots copied so far */
	int		 status;	/* CLI_EXIT_IO once something failed */
	pthread_mutex_t	 lock;
};

static ssize_t
tracer_gz_write(void *cookie, const char *buf, size_t len)
{
	int w = len > 0 ? gzwrite(cookie, buf, (unsigned)len) : 0;

	return w <= 0 && len > 0 ? -1 : w;
}

static int
tracer_gz_close(void *cookie)
{
	return gzclose(cookie) == Z_OK ? 0 : -1;
}

/* DEST for FILE: the output file itself, or gzip into it. */
static int
tracer_open_file(struct tracer *t, const char *file)
{
	static const cookie_io_functions_t gz_io = {
		.write = tracer_gz_write, .close = tracer_gz_close
	};
	size_t len = strlen(file);
	gzFile gz;
	int fd;

	if (out_open(&t->out, file) != 0)
		return CLI_EXIT_IO;
	t->have_out = true;
	if (len < 3 || strcmp(file + len - 3, ".gz") != 0) {
		t->dest = t->out.f;
		return 0;
	}
	if ((fd = dup(fileno(t->out.f))) < 0 ||
	    (gz = gzdopen(fd, "wb")) == NULL) {
		if (fd >= 0)
			close(fd);
		fprintf(stderr, "blksim: %s: cannot start compressing\n",
		    file);
		return CLI_EXIT_IO;
	}
	if ((t->dest = fopencookie(gz, "w", gz_io)) == NULL) {
		gzclose(gz);
		fprintf(stderr, "blksim: %s: %s\n", file, strerror(errno));
		return CLI_EXIT_IO;
	}
	t->gz = true;
	return 0;
}

struct tracer *
tracer_open(const char *file, size_t n, unsigned jobs)
{
	struct tracer *t = xcalloc(1, sizeof(*t));
	int fd;

	t->n = n;
	t->v = xcalloc(n ? n : 1, sizeof(*t->v));
	t->direct = jobs <= 1 || n <= 1;
	t->name = file != NULL ? file : "standard error";
	pthread_mutex_init(&t->lock, NULL);
	if (file != NULL) {
		if (tracer_open_file(t, file) != 0) {
			if (t->have_out)
				out_discard(&t->out);
			t->have_out = false;
			tracer_close(t);
			return NULL;
		}
	} else if ((fd = dup(2)) < 0 || (t->dest = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "blksim: standard error: %s\n",
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		tracer_close(t);
		return NULL;
	}
	return t;
}

/* The sink: one event as a line of its file's stream. */
static void
tracer_line(void *arg, const struct trace_event *e)
{
	struct tracer_slot *s = arg;
	char line[320];

	if (s->f == NULL)
		return;
	fmt_event(e, (const char *const *)s->names, line, sizeof(line));
	fprintf(s->f, "%s:%u: %s\n", s->path, e->line, line);
	s->events++;
}

void
tracer_start(struct tracer *t, size_t i, const char *path,
    char *const *names, trace_sink_fn **sink, void **arg)
{
	struct tracer_slot *s = &t->v[i];

	s->path = path;
	s->names = names;
	if (t->direct)
		s->f = t->dest;
	else if ((s->f = tmpfile()) == NULL) {
		pthread_mutex_lock(&t->lock);
		fprintf(stderr, "blksim: a temporary file for the trace of "
		    "%s: %s\n", path, strerror(errno));
		t->status = CLI_EXIT_IO;
		pthread_mutex_unlock(&t->lock);
	}
	*sink = tracer_line;
	*arg = s;
}

/* Copy slot S's temporary to DEST and close it (under the lock). */
static void
tracer_copy(struct tracer *t, struct tracer_slot *s)
{
	char buf[65536];
	size_t k;

	if (s->f == NULL || s->f == t->dest)
		return;
	if (fflush(s->f) != 0 || ferror(s->f) || fseek(s->f, 0, SEEK_SET))
		t->status = CLI_EXIT_IO;
	while ((k = fread(buf, 1, sizeof(buf), s->f)) > 0)
		fwrite(buf, 1, k, t->dest);
	if (ferror(s->f)) {
		fprintf(stderr, "blksim: the trace of %s: a temporary file "
		    "could not be read back\n", s->path);
		t->status = CLI_EXIT_IO;
	}
	fclose(s->f);
	s->f = NULL;
}

void
tracer_done(struct tracer *t, size_t i)
{
	pthread_mutex_lock(&t->lock);
	t->v[i].done = true;
	if (t->direct)
		t->v[i].f = NULL;
	while (t->next < t->n && t->v[t->next].done)
		tracer_copy(t, &t->v[t->next++]);
	pthread_mutex_unlock(&t->lock);
}

uint64_t
tracer_events(const struct tracer *t, size_t i)
{
	return t->v[i].events;
}

/* Close a stream of the tracer's own (stderr's copy, the gzip cookie);
   0 or an errno value, -1 when only its error flag knows. */
static int
tracer_close_stream(FILE *f)
{
	int err = 0;

	if (fflush(f) != 0)
		err = errno;
	else if (ferror(f))
		err = -1;
	if (fclose(f) != 0 && err == 0)
		err = errno ? errno : -1;
	return err;
}

int
tracer_close(struct tracer *t)
{
	int status, err;

	for (size_t i = t->next; i < t->n; i++)
		tracer_copy(t, &t->v[i]);	/* never started or done */
	if (t->dest != NULL && (t->gz || !t->have_out) &&
	    (err = tracer_close_stream(t->dest)) != 0) {
		fprintf(stderr, "blksim: %s: %s\n", t->name, err > 0 ?
		    strerror(err) : t->gz ? "compressing the trace failed" :
		    "a write failed");
		t->status = CLI_EXIT_IO;
	}
	if (t->have_out) {
		if (t->status != CLI_EXIT_OK)
			out_discard(&t->out);	/* leave the target alone */
		else
			t->status = out_close(&t->out);
	}
	status = t->status;
	pthread_mutex_destroy(&t->lock);
	free(t->v);
	free(t);
	return status;
}
