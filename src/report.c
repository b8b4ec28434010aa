/*
 * The reporters; see report.h.  A report is built from report_items in
 * the order of the run (sorted paths), so it does not depend on how the
 * scenarios were scheduled.  Paths, diagnostics and every string that
 * quotes the user go through esc.h for the format at hand.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/quirk.h"
#include "../sim/xmalloc.h"
#include "esc.h"
#include "fmt.h"
#include "report.h"

#define TEXT_EVENTS	24	/* events shown per failure without -v */

static const char *const format_names[] = {
	[CLI_FORMAT_TEXT] = "text",
	[CLI_FORMAT_TAP] = "tap",
	[CLI_FORMAT_JUNIT] = "junit",
	[CLI_FORMAT_JSON] = "json",
};

/* How a block was scheduled, as the reports name it. */
static const char *const how_names[] = {
	[EXEC_HOW_FIFO] = "fifo",
	[EXEC_HOW_RANDOM] = "random",
	[EXEC_HOW_EXPLORE] = "explore",
	[EXEC_HOW_REPLAY] = "replay",
};

const char *
report_format_name(enum cli_format f)
{
	return format_names[f];
}

static bool
points_passed(const struct exec_result *r)
{
	if (!r->passed)
		return false;	/* also a run that could not start */
	for (size_t i = 0; i < r->npoints; i++)
		if (!r->points[i].ok)
			return false;
	return true;
}

bool
report_item_passed(const struct report_item *it)
{
	if (it->state != REPORT_RAN || !points_passed(&it->res))
		return false;
	for (size_t g = 0; g < it->nguards; g++)
		if (!it->guards[g].held)
			return false;
	return true;
}

void
report_item_free(struct report_item *it)
{
	exec_result_free(&it->res);
	for (size_t g = 0; g < it->nguards; g++)
		exec_result_free(&it->guards[g].res);
	free(it->guards);
	for (size_t i = 0; i < it->nnames; i++)
		free(it->names[i]);
	free(it->names);
	free(it->path);
	free(it->detail);
	free(it->warnings);
	memset(it, 0, sizeof(*it));
}

/* The first failed point of a result, or NULL. */
static const struct exec_point *
first_failure(const struct exec_result *r)
{
	for (size_t i = 0; i < r->npoints; i++)
		if (!r->points[i].ok)
			return &r->points[i];
	return NULL;
}

/* "the quirk run failed at line 12: expected ok, got eio" and the like. */
static void
guard_text(const struct report_guard *g, char *buf, size_t size)
{
	const struct exec_point *p = first_failure(&g->res);
	const char *name = quirk_info(g->quirk)->name;

	if (p == NULL)
		snprintf(buf, size, "guard %s: BROKEN: the scenario still "
		    "passes with %s on", name, name);
	else
		snprintf(buf, size, "guard %s: held: with it on, line %u "
		    "(%s): expected %s, got %s", name, p->line, p->desc,
		    p->expected, p->got);
}

/* What an ERROR entry says: "invalid scenario file", "could not be
   read: REASON" (caller frees). */
static char *
error_text(const struct report_item *it)
{
	if (it->state == REPORT_INVALID)
		return xstrdup("invalid scenario file");
	return xasprintf("could not be read: %s", it->detail != NULL ?
	    it->detail : "unknown error");
}

/* "50 schedules explored, complete" and the like (caller frees). */
static char *
block_text(const struct exec_block *b)
{
	const char *s = b->schedules == 1 ? "" : "s";

	if (b->how != EXEC_HOW_EXPLORE)
		return xasprintf("%" PRIu64 " schedule%s (%s), not every "
		    "schedule", b->schedules, s, b->how == EXEC_HOW_REPLAY ?
		    "--schedule" : how_names[b->how]);
	if (b->complete)
		return xasprintf("%" PRIu64 " schedule%s explored, complete",
		    b->schedules, s);
	return xasprintf("%" PRIu64 " schedule%s explored, cut by %s (%s)",
	    b->schedules, s, b->cut, b->incomplete_ok ? "incomplete=ok "
	    "accepts it" : "incomplete");
}

/* The block whose end line is point P, or NULL. */
static const struct exec_block *
block_of_end(const struct exec_result *r, const struct exec_point *p)
{
	if (strncmp(p->desc, "end expect ", 11) != 0)
		return NULL;
	for (size_t i = 0; i < r->nblocks; i++)
		if (r->blocks[i].end_line == p->line)
			return &r->blocks[i];
	return NULL;
}

/* ---- text ------------------------------------------------------------- */

/* Print the lines of TEXT, each after PREFIX and escaped. */
static void
text_lines(FILE *out, const char *text, const char *prefix)
{
	while (*text) {
		size_t n = strcspn(text, "\n");
		char *line = xstrndup(text, n);

		fputs(prefix, out);
		esc_line(out, line);
		fputc('\n', out);
		free(line);
		text += n + (text[n] == '\n');
	}
}

/* NOTES, one note a line, each "note: " and its text; a line that opens
 * with a space goes on the note before it, under its text (lockrep.h). */
static void
note_lines(FILE *out, const char *notes)
{
	while (*notes) {
		size_t n = strcspn(notes, "\n");
		char *line = xstrndup(notes, n);

		fputs(line[0] == ' ' ? "     " : "note: ", out);
		esc_line(out, line);
		fputc('\n', out);
		free(line);
		notes += n + (notes[n] == '\n');
	}
}

static void
text_events(FILE *out, const struct report_item *it,
    const struct exec_point *p, unsigned flags)
{
	size_t shown = p->nev;
	char buf[256], more[64];

	if (!(flags & REPORT_VERBOSE) && shown > TEXT_EVENTS)
		shown = TEXT_EVENTS;
	for (size_t i = 0; i < shown; i++) {
		fmt_event(&p->ev[i], (const char *const *)it->names,
		    buf, sizeof(buf));
		fprintf(out, "    | %s\n", buf);
	}
	if (shown == p->nev && p->dropped == 0)
		return;
	/* A statement keeps its first TRACE_STMT_CAP events; --trace has
	   every one. */
	if (flags & REPORT_VERBOSE)
		snprintf(more, sizeof(more), " (not kept; --trace has them)");
	else if (p->dropped > 0)
		snprintf(more, sizeof(more), " (-v shows %d of them, --trace "
		    "all)", TRACE_STMT_CAP - TEXT_EVENTS);
	else
		snprintf(more, sizeof(more), " (-v shows them)");
	fprintf(out, "    | ... %" PRIu64 " more events%s\n",
	    (uint64_t)(p->nev - shown) + p->dropped, more);
}

/* Each line of TEXT (NULL: none) as BEFORE, PATH, BETWEEN, the line,
   PATH and the line escaped. */
static void
lines_of(FILE *out, const char *path, const char *text, const char *before,
    const char *between)
{
	while (text != NULL && *text) {
		size_t n = strcspn(text, "\n");
		char *line = xstrndup(text, n);

		fputs(before, out);
		esc_line(out, path);
		fputs(between, out);
		esc_line(out, line);
		fputc('\n', out);
		free(line);
		text += n + (text[n] == '\n');
	}
}

/* "FILE:LINE: " with FILE escaped. */
static void
text_where(FILE *out, const char *path, uint32_t line)
{
	esc_line(out, path);
	fprintf(out, ":%u: ", line);
}

/* The point P of IT, with its details when it failed. */
static void
text_point(FILE *out, const struct report_item *it,
    const struct exec_point *p, unsigned flags)
{
	const struct exec_block *b;

	if (p->ok && !(flags & REPORT_VERBOSE))
		return;
	text_where(out, it->path, p->line);
	esc_line(out, p->desc);
	if (p->ok) {
		fputs(": ok\n", out);
	} else {
		fputs(": expected ", out);
		esc_line(out, p->expected);
		fputs(", got ", out);
		esc_line(out, p->got);
		fputc('\n', out);
		if (p->detail != NULL)
			text_lines(out, p->detail, "    ");
		text_events(out, it, p, flags);
	}
	if ((flags & REPORT_VERBOSE) && (b = block_of_end(&it->res, p))) {
		char *t = block_text(b);

		text_where(out, it->path, b->line);
		fprintf(out, "concurrent: %s\n", t);
		free(t);
	}
}

static void
text_item(FILE *out, const struct report_item *it, unsigned flags)
{
	bool passed = report_item_passed(it);
	bool details = !(flags & (REPORT_BRIEF | REPORT_QUIET));

	if (it->state != REPORT_RAN) {
		char *e = error_text(it);

		fputs(flags & REPORT_COLOUR ? "\033[1;31mERROR\033[0m " :
		    "ERROR ", out);
		esc_line(out, it->path);
		fprintf(out, " (%s)\n", e);
		free(e);
		if (it->state == REPORT_INVALID && !(flags & REPORT_BRIEF))
			text_lines(out, it->detail, "    ");
		return;
	}
	if (!passed || !(flags & REPORT_QUIET)) {
		/* Green PASS, bold red FAIL (ECMA-48 SGR). */
		if (flags & REPORT_COLOUR)
			fputs(passed ? "\033[32mPASS\033[0m " :
			    "\033[1;31mFAIL\033[0m ", out);
		else
			fputs(passed ? "PASS " : "FAIL ", out);
		esc_line(out, it->path);
		if (flags & REPORT_TIMING)
			fprintf(out, " %.3fs", it->seconds);
		fputc('\n', out);
		for (size_t i = 0; i < it->res.npoints; i++)
			text_point(out, it, &it->res.points[i], flags);
		if (it->res.stopped) {
			esc_line(out, it->path);
			fputs(": the statements after that were not run\n",
			    out);
		}
		if (it->res.notes != NULL &&
		    (!passed || (flags & REPORT_VERBOSE)))
			note_lines(out, it->res.notes);
		for (size_t g = 0; g < it->nguards; g++) {
			char buf[512];

			if (it->guards[g].held && !(flags & REPORT_VERBOSE))
				continue;
			guard_text(&it->guards[g], buf, sizeof(buf));
			esc_line(out, it->path);
			fputs(": ", out);
			esc_line(out, buf);
			fputc('\n', out);
		}
	}
	if (details)
		lines_of(out, it->path, it->warnings, "", ": warning: ");
}

void
report_summary(FILE *out, const struct report_item *items, size_t n)
{
	size_t passed = 0, guards = 0, held = 0;

	for (size_t i = 0; i < n; i++) {
		passed += report_item_passed(&items[i]);
		for (size_t g = 0; g < items[i].nguards; g++) {
			guards++;
			held += items[i].guards[g].held;
		}
	}
	fprintf(out, "blksim: %zu scenario%s: %zu passed, %zu failed", n,
	    n == 1 ? "" : "s", passed, n - passed);
	if (guards > 0)
		fprintf(out, "; %zu of %zu guards held", held, guards);
	fputc('\n', out);
}

static void
report_text(FILE *out, const struct report_item *items, size_t n,
    unsigned flags)
{
	for (size_t i = 0; i < n; i++)
		text_item(out, &items[i], flags);
	report_summary(out, items, n);
}

/* ---- TAP 13 ------------------------------------------------------------ */

/* A test point's description: escaped, and no '#' (a TAP directive). */
static void
tap_desc(FILE *out, const char *s)
{
	char *t = xstrdup(s);

	for (char *c = t; *c; c++)
		if (*c == '#')
			*c = '_';
	esc_line(out, t);
	free(t);
}

static size_t
tap_count(const struct report_item *it)
{
	if (it->state != REPORT_RAN)
		return 1;
	return it->res.npoints + it->nguards;
}

/* The YAML block of an ERROR entry's point. */
static void
tap_error(FILE *out, const struct report_item *it, size_t k)
{
	char *e = error_text(it);

	fprintf(out, "not ok %zu - ", k);
	tap_desc(out, it->path);
	fputs(": ", out);
	tap_desc(out, e);
	fputs("\n  ---\n  file: ", out);
	esc_yaml(out, it->path);
	fputs("\n  error: ", out);
	esc_yaml(out, it->state == REPORT_INVALID ? "invalid" : "io");
	fputs(it->state == REPORT_INVALID ? "\n  diagnostics: " :
	    "\n  reason: ", out);
	esc_yaml(out, it->detail != NULL ? it->detail : "");
	fputs("\n  ...\n", out);
	free(e);
}

/* The YAML members of point P: its failure, its block's schedules. */
static void
tap_yaml(FILE *out, const struct report_item *it,
    const struct exec_point *p, unsigned flags)
{
	const struct exec_block *b = block_of_end(&it->res, p);

	if (p->ok && b == NULL)
		return;
	fputs("  ---\n  file: ", out);
	esc_yaml(out, it->path);
	fprintf(out, "\n  line: %u\n", p->line);
	if (!p->ok) {
		fputs("  expected: ", out);
		esc_yaml(out, p->expected);
		fputs("\n  got: ", out);
		esc_yaml(out, p->got);
		fputc('\n', out);
	}
	if (!p->ok && p->detail != NULL) {
		fputs("  detail: ", out);
		esc_yaml(out, p->detail);
		fputc('\n', out);
	}
	if (b != NULL)
		fprintf(out, "  schedule: %s\n  schedules: %" PRIu64 "\n"
		    "  complete: %s\n", how_names[b->how], b->schedules,
		    b->complete ? "true" : "false");
	if (!p->ok && p->nev > 0) {
		char buf[256];

		fputs("  events:\n", out);
		for (size_t e = 0; e < p->nev && (e < TEXT_EVENTS ||
		    (flags & REPORT_VERBOSE)); e++) {
			fmt_event(&p->ev[e], (const char *const *)it->names,
			    buf, sizeof(buf));
			fputs("    - ", out);
			esc_yaml(out, buf);
			fputc('\n', out);
		}
	}
	fputs("  ...\n", out);
}

static void
report_tap(FILE *out, const struct report_item *items, size_t n,
    unsigned flags)
{
	size_t total = 0, k = 0;

	for (size_t i = 0; i < n; i++)
		total += tap_count(&items[i]);
	fprintf(out, "TAP version 13\n1..%zu\n", total);
	for (size_t i = 0; i < n; i++) {
		const struct report_item *it = &items[i];

		if (it->state != REPORT_RAN) {
			tap_error(out, it, ++k);
			continue;
		}
		for (size_t j = 0; j < it->res.npoints; j++) {
			const struct exec_point *p = &it->res.points[j];

			fprintf(out, "%s %zu - ", p->ok ? "ok" : "not ok",
			    ++k);
			tap_desc(out, it->path);
			fprintf(out, ":%u: ", p->line);
			tap_desc(out, p->desc);
			fputc('\n', out);
			tap_yaml(out, it, p, flags);
		}
		for (size_t g = 0; g < it->nguards; g++) {
			char buf[512];

			guard_text(&it->guards[g], buf, sizeof(buf));
			fprintf(out, "%s %zu - ", it->guards[g].held ?
			    "ok" : "not ok", ++k);
			tap_desc(out, it->path);
			fputs(": ", out);
			tap_desc(out, buf);
			fputc('\n', out);
		}
		lines_of(out, it->path, it->warnings, "# warning: ", ": ");
		lines_of(out, it->path, it->res.notes, "# note: ", ": ");
	}
}

/* ---- JUnit XML ------------------------------------------------------------ */

static size_t
item_failures(const struct report_item *it)
{
	size_t f = 0;

	if (it->state != REPORT_RAN)
		return 0;
	for (size_t j = 0; j < it->res.npoints; j++)
		f += !it->res.points[j].ok;
	for (size_t g = 0; g < it->nguards; g++)
		f += !it->guards[g].held;
	return f;
}

/* <testcase classname="FILE" name=" (open: the caller goes on). */
static void
junit_case(FILE *out, const char *path)
{
	fputs("    <testcase classname=\"", out);
	esc_xml(out, path, true);
	fputs("\" name=\"", out);
}

/* An ERROR entry: one testcase with an error of type invalid or io. */
static void
junit_error(FILE *out, const struct report_item *it)
{
	char *e = error_text(it);

	junit_case(out, it->path);
	fprintf(out, "%s\" time=\"0\">\n      <error message=\"",
	    it->state == REPORT_INVALID ? "parse" : "read");
	esc_xml(out, e, true);
	fprintf(out, "\" type=\"%s\">", it->state == REPORT_INVALID ?
	    "invalid" : "io");
	if (it->detail != NULL)
		esc_xml(out, it->detail, false);
	fputs("</error>\n    </testcase>\n", out);
	free(e);
}

/* The testsuite's properties: how each concurrent block ran. */
static void
junit_properties(FILE *out, const struct exec_result *r)
{
	if (r->nblocks == 0)
		return;
	fputs("    <properties>\n", out);
	for (size_t i = 0; i < r->nblocks; i++) {
		const struct exec_block *b = &r->blocks[i];
		char *t = block_text(b);

		fprintf(out, "      <property name=\"line %u: schedules\" "
		    "value=\"%" PRIu64 "\"/>\n", b->line, b->schedules);
		fprintf(out, "      <property name=\"line %u: complete\" "
		    "value=\"%s\"/>\n", b->line, b->complete ? "true" :
		    "false");
		fprintf(out, "      <property name=\"line %u: concurrent\" "
		    "value=\"", b->line);
		esc_xml(out, t, true);
		fputs("\"/>\n", out);
		free(t);
		if (b->shard_n > 1)
			fprintf(out, "      <property name=\"line %u: shard\" "
			    "value=\"%u/%u\"/>\n", b->line, b->shard_k,
			    b->shard_n);
	}
	fputs("    </properties>\n", out);
}

static void
junit_points(FILE *out, const struct report_item *it)
{
	for (size_t j = 0; j < it->res.npoints; j++) {
		const struct exec_point *p = &it->res.points[j];

		junit_case(out, it->path);
		fprintf(out, "line %u: ", p->line);
		esc_xml(out, p->desc, true);
		fputs("\" time=\"0\"", out);
		if (p->ok) {
			fputs("/>\n", out);
			continue;
		}
		fputs(">\n      <failure type=\"expectation\" "
		    "message=\"expected ", out);
		esc_xml(out, p->expected, true);
		fputs(", got ", out);
		esc_xml(out, p->got, true);
		fputs("\">", out);
		if (p->detail != NULL) {
			esc_xml(out, p->detail, false);
			fputc('\n', out);
		}
		for (size_t e = 0; e < p->nev; e++) {
			char buf[256];

			fmt_event(&p->ev[e], (const char *const *)it->names,
			    buf, sizeof(buf));
			esc_xml(out, buf, false);
			fputc('\n', out);
		}
		fputs("</failure>\n    </testcase>\n", out);
	}
	for (size_t g = 0; g < it->nguards; g++) {
		char buf[512];

		guard_text(&it->guards[g], buf, sizeof(buf));
		junit_case(out, it->path);
		fprintf(out, "guard %s\" time=\"0\"",
		    quirk_info(it->guards[g].quirk)->name);
		if (it->guards[g].held)
			fputs("/>\n", out);
		else {
			fputs(">\n      <failure type=\"guard\" message=\"",
			    out);
			esc_xml(out, buf, true);
			fputs("\"/>\n    </testcase>\n", out);
		}
	}
}

static void
report_junit(FILE *out, const struct report_item *items, size_t n,
    unsigned flags)
{
	size_t tests = 0, failures = 0, errors = 0;

	for (size_t i = 0; i < n; i++) {
		tests += tap_count(&items[i]);
		failures += item_failures(&items[i]);
		errors += items[i].state != REPORT_RAN;
	}
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(out, "<testsuites name=\"blksim\" tests=\"%zu\" failures=\"%zu\""
	    " errors=\"%zu\">\n", tests, failures, errors);
	for (size_t i = 0; i < n; i++) {
		const struct report_item *it = &items[i];

		fputs("  <testsuite name=\"", out);
		esc_xml(out, it->path, true);
		fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%d\" "
		    "skipped=\"0\" time=\"%.3f\">\n", tap_count(it),
		    item_failures(it), it->state != REPORT_RAN,
		    flags & REPORT_TIMING ? it->seconds : 0.0);
		if (it->state != REPORT_RAN)
			junit_error(out, it);
		else {
			junit_properties(out, &it->res);
			junit_points(out, it);
		}
		if (it->state == REPORT_RAN && it->res.notes != NULL) {
			fputs("    <system-out>", out);
			esc_xml(out, it->res.notes, false);
			fputs("</system-out>\n", out);
		}
		if (it->warnings != NULL) {
			fputs("    <system-err>", out);
			esc_xml(out, it->warnings, false);
			fputs("</system-err>\n", out);
		}
		fprintf(out, "  </testsuite>\n");
	}
	fprintf(out, "</testsuites>\n");
}

/* ---- JSON --------------------------------------------------------------- */

static void
json_quirks(FILE *out, unsigned mask)
{
	bool first = true;

	fputc('[', out);
	for (int q = 0; q < QUIRK_COUNT; q++)
		if (quirk_on(mask, q)) {
			if (!first)
				fputc(',', out);
			esc_json(out, quirk_info(q)->name);
			first = false;
		}
	fputc(']', out);
}

/* An array of the lines of TEXT (NULL: empty). */
static void
json_lines(FILE *out, const char *text)
{
	fputc('[', out);
	for (const char *w = text; w != NULL && *w; ) {
		size_t len = strcspn(w, "\n");
		char *line = xstrndup(w, len);

		if (w != text)
			fputc(',', out);
		esc_json(out, line);
		free(line);
		w += len + (w[len] == '\n');
	}
	fputc(']', out);
}

static void
json_blocks(FILE *out, const struct exec_result *r)
{
	fputs(",\"blocks\":[", out);
	for (size_t i = 0; i < r->nblocks; i++) {
		const struct exec_block *b = &r->blocks[i];

		fprintf(out, "%s{\"line\":%u,\"schedule\":\"%s\","
		    "\"schedules\":%" PRIu64 ",\"max_schedules\":%" PRIu64
		    ",\"complete\":%s,\"incomplete_ok\":%s,\"cut\":",
		    i ? "," : "", b->line, how_names[b->how], b->schedules,
		    b->max_schedules, b->complete ? "true" : "false",
		    b->incomplete_ok ? "true" : "false");
		if (b->cut != NULL)
			esc_json(out, b->cut);
		else
			fputs("null", out);
		if (b->shard_n > 1)
			fprintf(out, ",\"shard\":\"%u/%u\"", b->shard_k,
			    b->shard_n);
		fputc('}', out);
	}
	fputc(']', out);
}

static void
json_points(FILE *out, const struct exec_result *r)
{
	fprintf(out, ",\"expectations\":[");
	for (size_t j = 0; j < r->npoints; j++) {
		const struct exec_point *p = &r->points[j];

		fprintf(out, "%s{\"line\":%u,\"what\":", j ? "," : "", p->line);
		esc_json(out, p->desc);
		fprintf(out, ",\"ok\":%s", p->ok ? "true" : "false");
		if (!p->ok) {
			fprintf(out, ",\"expected\":");
			esc_json(out, p->expected);
			fprintf(out, ",\"got\":");
			esc_json(out, p->got);
			if (p->detail != NULL) {
				fprintf(out, ",\"detail\":");
				esc_json(out, p->detail);
			}
		}
		fputc('}', out);
	}
	fputc(']', out);
}

static void
json_item(FILE *out, const struct report_item *it, unsigned flags)
{
	const struct exec_result *r = &it->res;

	fprintf(out, "{\"file\":");
	esc_json(out, it->path);
	if (it->state != REPORT_RAN) {
		fprintf(out, ",\"result\":\"error\",\"error\":\"%s\",\"%s\":",
		    it->state == REPORT_INVALID ? "invalid scenario file" :
		    "could not be read", it->state == REPORT_INVALID ?
		    "diagnostics" : "reason");
		esc_json(out, it->detail != NULL ? it->detail : "");
		fputs(",\"warnings\":", out);
		json_lines(out, it->warnings);
		fputc('}', out);
		return;
	}
	fprintf(out, ",\"result\":\"%s\",\"quirks\":",
	    report_item_passed(it) ? "pass" : "fail");
	json_quirks(out, r->quirks);
	fprintf(out, ",\"seed\":%" PRIu64, r->seed);
	if (flags & REPORT_TIMING)
		fprintf(out, ",\"seconds\":%.6f", it->seconds);
	json_points(out, r);
	fprintf(out, ",\"counters\":{");
	for (int c = 0, n = 0; c < STAT_COUNT; c++)
		if (stat_in_era(c, r->era))
			fprintf(out, "%s\"%s\":%" PRIu64, n++ ? "," : "",
			    stat_name(c), r->stats.v[c]);
	fprintf(out, "},\"findings\":[");
	for (int k = 0, first = 1; k < INV_KIND_COUNT; k++) {
		if (!(r->found >> k & 1))
			continue;
		fprintf(out, "%s{\"kind\":\"%s\",\"line\":%u,\"declared\":%s,"
		    "\"what\":", first ? "" : ",", inv_kind_name(k),
		    r->first_line[k], r->declared >> k & 1 ? "true" : "false");
		esc_json(out, r->first[k].what);
		fputc('}', out);
		first = 0;
	}
	fprintf(out, "],\"guards\":[");
	for (size_t g = 0; g < it->nguards; g++) {
		fprintf(out, "%s{\"quirk\":", g ? "," : "");
		esc_json(out, quirk_info(it->guards[g].quirk)->name);
		fprintf(out, ",\"held\":%s}", it->guards[g].held ? "true" :
		    "false");
	}
	fprintf(out, "]");
	json_blocks(out, r);
	fputs(",\"warnings\":", out);
	json_lines(out, it->warnings);
	if (r->oops != NULL) {
		fprintf(out, ",\"oops\":");
		esc_json(out, r->oops);
	}
	if (r->notes != NULL) {
		fprintf(out, ",\"notes\":");
		esc_json(out, r->notes);
	}
	fprintf(out, ",\"deadlocks\":[%s],\"lock_order\":[%s]",
	    r->deadlocks_json != NULL ? r->deadlocks_json : "",
	    r->lock_order_json != NULL ? r->lock_order_json : "");
	fputc('}', out);
}

static void
report_json(FILE *out, const struct report_item *items, size_t n,
    unsigned flags)
{
	fputc('[', out);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",\n" : "\n", out);
		json_item(out, &items[i], flags);
	}
	fputs("\n]\n", out);
}

void
report_write(FILE *out, enum cli_format format,
    const struct report_item *items, size_t n, unsigned flags)
{
	switch (format) {
	case CLI_FORMAT_TAP:
		report_tap(out, items, n, flags);
		break;
	case CLI_FORMAT_JUNIT:
		report_junit(out, items, n, flags);
		break;
	case CLI_FORMAT_JSON:
		report_json(out, items, n, flags);
		break;
	default:
		report_text(out, items, n, flags);
		break;
	}
}
