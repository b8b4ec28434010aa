/*
 * Output files (see out.h): the choice between an atomic replacement and
 * a write in place, the temporary's mode, and the table of temporaries
 * that the signal handlers remove.
 *
 * The table holds at most OUT_SLOTS names (a run has a report and a
 * trace open at once, fuzz one reproducer).  A slot is set before its
 * temporary is created and cleared before its name is freed, so the
 * handler, which may run at any moment, only ever unlinks a complete
 * name (perhaps one already gone, which is harmless).  Names are written
 * by the main thread only.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sim/xmalloc.h"
#include "cli.h"
#include "out.h"

#define OUT_SLOTS	8
#define OUT_TEMPLATE	".blksim-XXXXXX"

static char *volatile out_slots[OUT_SLOTS];

void
out_cleanup(void)
{
	for (int i = 0; i < OUT_SLOTS; i++) {
		char *name = out_slots[i];

		if (name != NULL)
			unlink(name);
	}
}

/* Remove the temporaries, then let the signal do what it would have. */
static void
out_on_signal(int sig)
{
	out_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Install the handlers once; a signal the process ignores stays so. */
static void
out_catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	static bool done;
	struct sigaction sa, old;

	if (done)
		return;
	done = true;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = out_on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
}

/* Register NAME (borrowed until out_unregister); -1 if the table is full. */
static int
out_register(char *name)
{
	out_catch_signals();
	for (int i = 0; i < OUT_SLOTS; i++)
		if (out_slots[i] == NULL) {
			out_slots[i] = name;
			return i;
		}
	return -1;
}

static void
out_unregister(int slot)
{
	if (slot >= 0)
		out_slots[slot] = NULL;
}

/* Say why PATH failed: ERR, or OUT_EUNKNOWN when only a stream's error
   flag knows that a write failed. */
#define OUT_EUNKNOWN	(-1)

static int
out_fail(const char *path, int err)
{
	fprintf(stderr, "blksim: %s: %s\n", path, err == OUT_EUNKNOWN ?
	    "a write failed" : strerror(err));
	return CLI_EXIT_IO;
}

/* Names that stand for a file the process has open (/dev/stdout,
   /proc/self/fd/1): written in place whatever they lead to. */
static bool
out_names_open_file(const char *path)
{
	return strncmp(path, "/proc/", 6) == 0 ||
	    strncmp(path, "/dev/fd/", 8) == 0 ||
	    strcmp(path, "/dev/stdout") == 0 ||
	    strcmp(path, "/dev/stderr") == 0;
}

/* Open PATH in place, for writing, without creating or truncating it. */
static int
out_open_in_place(struct out *o, const char *path)
{
	int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);

	if (fd < 0 || (o->f = fdopen(fd, "w")) == NULL) {
		int err = errno;

		if (fd >= 0)
			close(fd);
		return out_fail(path, err);
	}
	o->path = xstrdup(path);
	return 0;
}

/* The process's umask, read without changing it for long. */
static mode_t
out_umask(void)
{
	mode_t m = umask(022);

	umask(m);
	return m;
}

/*
 * Create the temporary beside TARGET (owned, taken over) with the mode
 * the result should have: EXISTING's if not NULL, else 0666 less the
 * umask.
 */
static int
out_open_atomic(struct out *o, const char *path, char *target,
    const struct stat *existing)
{
	const char *slash = strrchr(target, '/');
	int dirlen = slash == NULL ? 0 : (int)(slash - target) + 1;
	mode_t mode;
	int fd, err;

	o->target = target;
	o->path = xstrdup(path);
	o->tmp = xasprintf("%.*s%s", dirlen, target, OUT_TEMPLATE);
	o->slot = out_register(o->tmp);
	if ((fd = mkostemp(o->tmp, O_CLOEXEC)) < 0) {
		err = errno;
		out_unregister(o->slot);
		free(o->tmp);
		o->tmp = NULL;	/* nothing to remove */
		out_discard(o);
		return out_fail(path, err);
	}
	if (existing != NULL) {
		mode = existing->st_mode & 07777;
		if (fchown(fd, existing->st_uid, existing->st_gid) != 0)
			mode &= 0777;	/* no set-id bits for another owner */
	} else
		mode = 0666 & ~out_umask();
	if (fchmod(fd, mode) != 0 || (o->f = fdopen(fd, "w")) == NULL) {
		err = errno;
		close(fd);
		out_discard(o);
		return out_fail(path, err);
	}
	return 0;
}

int
out_open(struct out *o, const char *path)
{
	struct stat lsb, sb;
	char *real;

	memset(o, 0, sizeof(*o));
	o->slot = -1;
	if (out_names_open_file(path))
		return out_open_in_place(o, path);
	if (lstat(path, &lsb) != 0) {
		if (errno != ENOENT)
			return out_fail(path, errno);
		return out_open_atomic(o, path, xstrdup(path), NULL);
	}
	if (S_ISLNK(lsb.st_mode)) {
		if (stat(path, &sb) != 0) {
			if (errno != ENOENT)
				return out_fail(path, errno);
			fprintf(stderr, "blksim: %s: a symbolic link to a file "
			    "that does not exist: name the file itself\n",
			    path);
			return CLI_EXIT_IO;
		}
	} else
		sb = lsb;
	if (S_ISDIR(sb.st_mode))
		return out_fail(path, EISDIR);
	if (!S_ISREG(sb.st_mode))
		return out_open_in_place(o, path);
	if (access(path, W_OK) != 0)	/* replacing would bypass it */
		return out_fail(path, errno);
	if (!S_ISLNK(lsb.st_mode))
		return out_open_atomic(o, path, xstrdup(path), &sb);
	if ((real = realpath(path, NULL)) == NULL)
		return out_fail(path, errno);
	return out_open_atomic(o, path, real, &sb);
}

int
out_close(struct out *o)
{
	int err = 0, status = CLI_EXIT_OK;

	if (o->f == NULL)
		return CLI_EXIT_IO;
	if (fflush(o->f) != 0)
		err = errno;
	else if (ferror(o->f))
		err = OUT_EUNKNOWN;	/* an earlier write failed */
	if (err == 0 && o->tmp != NULL && fsync(fileno(o->f)) != 0)
		err = errno;
	if (fclose(o->f) != 0 && err == 0)
		err = errno;
	o->f = NULL;
	if (err == 0 && o->tmp != NULL && rename(o->tmp, o->target) != 0)
		err = errno;
	if (err != 0)
		status = out_fail(o->path, err);
	else if (o->tmp != NULL) {
		out_unregister(o->slot);
		free(o->tmp);
		o->tmp = NULL;
	}
	out_discard(o);
	return status;
}

void
out_discard(struct out *o)
{
	if (o->f != NULL)
		fclose(o->f);
	if (o->tmp != NULL)
		unlink(o->tmp);
	out_unregister(o->slot);
	free(o->tmp);
	free(o->target);
	free(o->path);
	memset(o, 0, sizeof(*o));
	o->slot = -1;
}

int
out_stdout_status(int status)
{
	int err = 0;

	if (fflush(stdout) != 0)
		err = errno;
	else if (ferror(stdout))
		err = OUT_EUNKNOWN;
	if (fclose(stdout) != 0 && err == 0)
		err = errno;
	if (err == 0)
		return status;
	out_fail("standard output", err);
	return status > CLI_EXIT_IO ? status : CLI_EXIT_IO;
}
