/*
 * The expect tail of an operation line (blksim-scenario(5)): `expect
 * OUTCOME [key=value ...]`, where OUTCOME is ok, eio, enospc or oops, or
 * alternatives joined by `|`, and the keys (mirror=, retries=, lookup=,
 * data=) are for the statements whose row has STMT_READ_KEYS.  An
 * operation without a tail must succeed; the parser (parse.c) finds the
 * tail and hands it here.
 */
#ifndef SRC_TAIL_H
#define SRC_TAIL_H

#include <stdbool.h>

#include "lex.h"
#include "scn.h"

struct pval;
struct stmt_line;

/* Parse L's tail (l->expect and after) into ST's expect. */
void	tail_parse(struct pval *, const struct stmt_line *l,
	    struct scn_stmt *st);
/* Word W looks like an outcome: one of them, or alternatives with `|`. */
bool	tail_is_outcome(const struct lex_word *w);

#endif
