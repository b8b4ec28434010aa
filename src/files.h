/*
 * Scenario files on disk: expanding the paths of the command line into a
 * sorted list of files, and reading a file whole into memory.
 */
#ifndef SRC_FILES_H
#define SRC_FILES_H

#include <stddef.h>

struct files_list {
	char		**v;		/* owned paths, sorted with strcmp */
	size_t		n;
	size_t		cap;
};

void	files_list_init(struct files_list *);
void	files_list_free(struct files_list *);
/*
 * Append to OUT every path of PATHS that is not a directory, as given, and
 * for each directory every regular file named *.scn below it (walked
 * recursively; symbolic links to directories are not followed), then sort
 * the whole list with strcmp.  A path that cannot be examined is reported
 * on stderr as "blksim: PATH: <reason>".  Returns CLI_EXIT_OK, or
 * CLI_EXIT_IO if anything was reported.
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
