/*
 * Finding and reading scenario files (see files.h).  Directories are
 * walked depth first with opendir; the list is sorted once at the end, so
 * the order of a run does not depend on the order readdir returns entries
 * or on the order of the arguments.
 *
 * Reading stops one byte past SCN_MAX_BYTES (scn.h), the most a scenario
 * may hold: the parser reports a buffer that long as too large, and a
 * device or a pipe that never ends (/dev/zero) costs no more than that.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sim/xmalloc.h"
#include "cli.h"
#include "files.h"
#include "scn.h"

#define FILES_READ_MAX	((size_t)SCN_MAX_BYTES + 1)	/* bytes kept */

#define FILES_SUFFIX	".scn"

void
files_list_init(struct files_list *fl)
{
	fl->v = NULL;
	fl->n = 0;
	fl->cap = 0;
}

void
files_list_free(struct files_list *fl)
{
	for (size_t i = 0; i < fl->n; i++)
		free(fl->v[i].path);
	free(fl->v);
	files_list_init(fl);
}

/* Add PATH (taken over) with ERR; returns the status it makes. */
static int
files_add(struct files_list *fl, char *path, int err)
{
	if (fl->n == fl->cap) {
		fl->cap = fl->cap ? fl->cap * 2 : 16;
		fl->v = xreallocarray(fl->v, fl->cap, sizeof(*fl->v));
	}
	fl->v[fl->n].path = path;
	fl->v[fl->n++].err = err;
	return err != 0 ? CLI_EXIT_IO : CLI_EXIT_OK;
}

static bool
files_is_scenario(const char *name)
{
	size_t n = strlen(name), k = strlen(FILES_SUFFIX);

	return n >= k && strcmp(name + n - k, FILES_SUFFIX) == 0;
}

static char *
files_join(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	char *p;

	if (n > 0 && dir[n - 1] == '/')
		n--;
	if (asprintf(&p, "%.*s/%s", (int)n, dir, name) < 0)
		p = xstrdup(name);
	return p;
}

/* Could the entry DE, which lstat could not examine, be one we want? */
static bool
files_maybe_wanted(const struct dirent *de)
{
	return de->d_type == DT_DIR || de->d_type == DT_UNKNOWN ||
	    files_is_scenario(de->d_name);
}

/* Collect the *.scn files below DIR; returns a CLI_EXIT_* status. */
static int
files_walk(const char *dir, struct files_list *out)
{
	struct dirent *de;
	struct stat sb, lsb;
	int status = CLI_EXIT_OK, sub;
	DIR *dp;
	char *path;

	if ((dp = opendir(dir)) == NULL)
		return files_add(out, xstrdup(dir), errno);
	for (;;) {
		errno = 0;
		if ((de = readdir(dp)) == NULL)
			break;
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		path = files_join(dir, de->d_name);
		if (lstat(path, &lsb) != 0) {
			if (errno != ENOENT && files_maybe_wanted(de))
				status = files_add(out, path, errno);
			else
				free(path);	/* gone, or not ours */
			continue;
		}
		if (S_ISDIR(lsb.st_mode)) {
			sub = files_walk(path, out);
			if (sub != CLI_EXIT_OK)
				status = sub;
			free(path);
		} else if (!files_is_scenario(de->d_name))
			free(path);
		else if (stat(path, &sb) != 0)
			status = files_add(out, path, errno);	/* dangling,
								   looping */
		else if (S_ISREG(sb.st_mode))
			files_add(out, path, 0);
		else
			free(path);
	}
	if (errno != 0)
		status = files_add(out, xstrdup(dir), errno);
	closedir(dp);
	return status;
}

static int
files_cmp(const void *a, const void *b)
{
	const struct files_entry *x = a, *y = b;

	return strcmp(x->path, y->path);
}

int
files_collect(char *const *paths, int npaths, struct files_list *out)
{
	int status = CLI_EXIT_OK, sub;
	struct stat sb;

	for (int i = 0; i < npaths; i++) {
		if (stat(paths[i], &sb) != 0)
			sub = files_add(out, xstrdup(paths[i]), errno);
		else if (S_ISDIR(sb.st_mode))
			sub = files_walk(paths[i], out);
		else
			sub = files_add(out, xstrdup(paths[i]), 0);
		if (sub != CLI_EXIT_OK)
			status = sub;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), files_cmp);
	return status;
}

int
files_read(const char *path, char **bufp, size_t *lenp)
{
	size_t len = 0, cap = 4096;
	struct stat sb;
	char *buf;
	ssize_t n;
	int fd, err;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno;
	if (fstat(fd, &sb) != 0) {
		err = errno;
		close(fd);
		return err;
	}
	if (S_ISDIR(sb.st_mode)) {
		close(fd);
		return EISDIR;
	}
	if (S_ISREG(sb.st_mode) && sb.st_size > 0)
		cap = (uint64_t)sb.st_size < FILES_READ_MAX ?
		    (size_t)sb.st_size + 1 : FILES_READ_MAX + 1;
	buf = xmalloc(cap);
	/* Invariant: buf holds the first len bytes; len < cap. */
	while (len < FILES_READ_MAX) {
		size_t want = cap - len - 1;

		if (want > FILES_READ_MAX - len)
			want = FILES_READ_MAX - len;
		n = read(fd, buf + len, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			free(buf);
			close(fd);
			return err;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (cap - len <= 1 && len < FILES_READ_MAX) {
			buf = xreallocarray(buf, cap, 2);
			cap *= 2;
		}
	}
	close(fd);
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	return 0;
}
