/*
 * Long report lines folded to a width, as the lockdep-style reports are
 * (blksim-scenario(5), Deadlocks): a line of text breaks at spaces (and,
 * if asked, after commas, for schedule strings) so that no output line
 * passes WIDTH columns; the first output line is indented by INDENT
 * spaces, each continuation by CONT (deeper, so that a reader sees where
 * a logical line goes on).  A word longer than the room left (a long
 * path) stays whole on a line of its own.
 */
#ifndef SRC_WRAP_H
#define SRC_WRAP_H

#include <stdbool.h>
#include <stdio.h>

/* TEXT (one line, no newline) folded onto F, each line ending in '\n';
 * with COMMAS, a line may also break after a comma, which it keeps. */
void	wrap_put(FILE *f, const char *text, int indent, int cont, int width,
	    bool commas);

#endif
