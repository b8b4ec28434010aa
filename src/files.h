/*
 * Scenario files on disk: expanding the paths of the command line into a
 * sorted list of files, and reading a file whole into memory.
 */
#ifndef SRC_FILES_H
#define SRC_FILES_H

#include <stddef.h>

/* A path to run: a scenario file, or one that could not be examined. */
struct files_entry {
	char		*path;		/* owned */
	int		err;		/* 0, or the errno value that kept it
					   from being examined */
};

struct files_list {
	struct files_entry *v;		/* owned, sorted by path (strcmp) */
	size_t		n;
	size_t		cap;
};

void	files_list_init(struct files_list *);
void	files_list_free(struct files_list *);
/*
 * Append to OUT every path of PATHS that is not a directory, as given, and
 * for each directory every regular file named *.scn below it (walked
 * recursively; symbolic links to directories are not followed), then sort
 * the whole list with strcmp.  What cannot be examined is an entry too,
 * with its errno value, so that every report can name it: a path that
 * does not exist, a *.scn link that dangles or loops, a directory that
 * cannot be read, a path too long for the system (ENAMETOOLONG), below a
 * directory any entry that might be a directory or a *.scn file.
 * Nothing is printed.  Returns CLI_EXIT_OK, or CLI_EXIT_IO if any entry
 * has an error.
 */
int	files_collect(char *const *paths, int npaths, struct files_list *out);
/*
 * Read the file PATH whole, or only its first SCN_MAX_BYTES + 1 bytes when
 * it is longer (enough for the parser to refuse it as too large).  Returns
 * 0 with *BUFP (caller frees; one NUL byte added past the end, not
 * counted) and *LENP set, or an errno value.
 */
int	files_read(const char *path, char **bufp, size_t *lenp);

#endif
