/*
 * Reporters: the results of a run as text for a terminal, TAP 13 for
 * automake's TAP driver and prove, JUnit XML and JSON for CI systems.
 * Every reporter writes the scenarios in the order given and prints no
 * timing unless asked (REPORT_TIMING), so the same input and seed give
 * byte-identical output.
 *
 * Every format carries everything a run found (blksim(1), OUTPUT): each
 * expectation; a file that could not be read or is invalid, as an ERROR
 * entry with the reason or the diagnostics; how each concurrent block
 * ran (schedules, completeness); the warnings of checks that had nothing
 * to check.  Text that blksim did not write (paths, source lines) is
 * escaped for the format (esc.h).
 */
#ifndef SRC_REPORT_H
#define SRC_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "cli.h"
#include "exec.h"

/* One --guards rerun: the scenario with one guarded quirk turned on. */
struct report_guard {
	int		quirk;		/* enum quirk_id */
	bool		held;		/* the quirk run failed, as it must */
	struct exec_result res;
};

enum report_state {
	REPORT_RAN,			/* res is valid */
	REPORT_INVALID,			/* parse errors: detail */
	REPORT_UNREADABLE		/* could not be read: detail */
};

struct report_item {
	char		*path;		/* owned */
	enum report_state state;
	struct exec_result res;
	char		**names;	/* the script's file names (owned) */
	size_t		nnames;
	struct report_guard *guards;	/* owned */
	size_t		nguards;
	double		seconds;	/* wall time of the main run */
	/* INVALID: the diagnostics as blksim check prints them; UNREADABLE:
	   why (strerror); else NULL.  Owned. */
	char		*detail;
	/* The scenario's warnings and the run's about it, one a line, or
	   NULL (owned). */
	char		*warnings;
};

#define REPORT_QUIET	0x1u	/* text: failures and the summary only */
#define REPORT_VERBOSE	0x2u	/* text: every event of a failure, timing */
#define REPORT_TIMING	0x4u	/* include wall times */
#define REPORT_COLOUR	0x10u	/* text: PASS and FAIL in colour (a
				   terminal, NO_COLOR unset) */
#define REPORT_BRIEF	0x8u	/* text: no diagnostics or warnings (they
				   are on stderr, beside the report) */

/* Did the item pass: ran, every point held, every guard held. */
bool	report_item_passed(const struct report_item *);
void	report_item_free(struct report_item *);
/* The spelling of a report format, as -f takes it. */
const char *report_format_name(enum cli_format);
/* Write the report of ITEMS in FORMAT to OUT. */
void	report_write(FILE *out, enum cli_format format,
	    const struct report_item *items, size_t n, unsigned flags);
/* The text report's last line: "blksim: N scenarios: P passed, ...". */
void	report_summary(FILE *out, const struct report_item *items, size_t n);

#endif
