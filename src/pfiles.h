/*
 * The files a scenario creates, as the parser knows them: each `create`
 * name in order, the line that created it, and an index from name to
 * position so that a long file's lookups stay O(1).
 *
 * The names themselves are the script's (scn_script.files and .nfiles,
 * which the script owns and scn_free() releases); the table adds the
 * capacity, the create lines and the index.  The index is open
 * addressing with linear probing, a power of two of slots holding a
 * position or -1, at most half full.  Invariants (pfiles_check()): every
 * name is found at its own position, every used slot holds a position
 * below nfiles, no name is indexed twice and the slots are at most half
 * used.
 */
#ifndef SRC_PFILES_H
#define SRC_PFILES_H

#include <stddef.h>
#include <stdint.h>

#include "scn.h"

struct pfiles {
	struct scn_script *s;		/* whose files (borrowed) */
	size_t		 cap;		/* of s->files and line */
	uint32_t	*line;		/* the create line of each file */
	int		*slot;		/* positions, -1 empty */
	size_t		 nslot;		/* 0 or a power of two */
};

/* An empty table over S's files (S has none yet). */
void	pfiles_init(struct pfiles *, struct scn_script *s);
/* The position of the file named by the LEN bytes at NAME, or -1. */
int	pfiles_find(const struct pfiles *, const char *name, size_t len);
/* Append the file NAME (LEN bytes, not created yet), created at LINE, to
 * the script's files; returns its position. */
int	pfiles_add(struct pfiles *, const char *name, size_t len,
	    uint32_t line);
/* The line that created the file at position IDX. */
uint32_t pfiles_line(const struct pfiles *, int idx);
/* Release the table (not the script's names). */
void	pfiles_fini(struct pfiles *);
/* 0 if the invariants above hold, else a negative code, *WHY set. */
int	pfiles_check(const struct pfiles *, const char **why);

#endif
