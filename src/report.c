/*
 * The reporters; see report.h.  A report is built from report_items in
 * the order of the run (sorted paths), so it does not depend on how the
 * scenarios were scheduled.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/quirk.h"
#include "fmt.h"
#include "report.h"

#define TEXT_EVENTS	24	/* events shown per failure without -v */

static const char *const format_names[] = {
	[CLI_FORMAT_TEXT] = "text",
	[CLI_FORMAT_TAP] = "tap",
	[CLI_FORMAT_JUNIT] = "junit",
	[CLI_FORMAT_JSON] = "json",
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
	free(it->errors);
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

/* ---- text ------------------------------------------------------------- */

/* Print the lines of TEXT, each after PREFIX. */
static void
text_lines(FILE *out, const char *text, const char *prefix)
{
	while (*text) {
		size_t n = strcspn(text, "\n");

		fprintf(out, "%s%.*s\n", prefix, (int)n, text);
		text += n + (text[n] == '\n');
	}
}

static void
text_events(FILE *out, const struct report_item *it,
    const struct exec_point *p, unsigned flags)
{
	size_t shown = p->nev;
	char buf[256];

	if (!(flags & REPORT_VERBOSE) && shown > TEXT_EVENTS)
		shown = TEXT_EVENTS;
	for (size_t i = 0; i < shown; i++) {
		fmt_event(&p->ev[i], (const char *const *)it->names,
		    buf, sizeof(buf));
		fprintf(out, "    | %s\n", buf);
	}
	if (shown < p->nev || p->dropped > 0)
		fprintf(out, "    | ... %" PRIu64 " more events%s\n",
		    (uint64_t)(p->nev - shown) + p->dropped,
		    flags & REPORT_VERBOSE ? "" : " (-v shows them)");
}

static void
text_item(FILE *out, const struct report_item *it, unsigned flags)
{
	bool passed = report_item_passed(it);

	if (it->state == REPORT_INVALID) {
		fprintf(out, "ERROR %s (invalid scenario file)\n", it->path);
		return;
	}
	if (it->state == REPORT_UNREADABLE) {
		fprintf(out, "ERROR %s (could not be read)\n", it->path);
		return;
	}
	if (passed && (flags & REPORT_QUIET))
		return;
	fprintf(out, "%s %s", passed ? "PASS" : "FAIL", it->path);
	if (flags & REPORT_TIMING)
		fprintf(out, " %.3fs", it->seconds);
	fputc('\n', out);
	for (size_t i = 0; i < it->res.npoints; i++) {
		const struct exec_point *p = &it->res.points[i];

		if (p->ok) {
			if (flags & REPORT_VERBOSE)
				fprintf(out, "%s:%u: %s: ok\n", it->path,
				    p->line, p->desc);
			continue;
		}
		fprintf(out, "%s:%u: %s: expected %s, got %s\n", it->path,
		    p->line, p->desc, p->expected, p->got);
		if (p->detail != NULL)
			text_lines(out, p->detail, "    ");
		text_events(out, it, p, flags);
	}
	if (it->res.stopped)
		fprintf(out, "%s: the statements after that were not run\n",
		    it->path);
	if (it->res.notes != NULL && (!passed || (flags & REPORT_VERBOSE)))
		text_lines(out, it->res.notes, "note: ");
	for (size_t g = 0; g < it->nguards; g++) {
		char buf[512];

		if (it->guards[g].held && !(flags & REPORT_VERBOSE))
			continue;
		guard_text(&it->guards[g], buf, sizeof(buf));
		fprintf(out, "%s: %s\n", it->path, buf);
	}
}

static void
report_text(FILE *out, const struct report_item *items, size_t n,
    unsigned flags)
{
	size_t passed = 0, guards = 0, held = 0;

	for (size_t i = 0; i < n; i++) {
		text_item(out, &items[i], flags);
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

/* ---- TAP 13 ------------------------------------------------------------ */

/* A YAML double-quoted scalar. */
static void
yaml_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(out, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

/* Test point descriptions may not contain '#' (a TAP directive). */
static void
tap_desc(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc(*s == '#' ? '_' : *s == '\n' ? ' ' : *s, out);
}

static size_t
tap_count(const struct report_item *it)
{
	if (it->state != REPORT_RAN)
		return 1;
	return it->res.npoints + it->nguards;
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
			fprintf(out, "not ok %zu - %s: %s\n", ++k, it->path,
			    it->state == REPORT_INVALID ?
			    "invalid scenario file" : "could not be read");
			continue;
		}
		for (size_t j = 0; j < it->res.npoints; j++) {
			const struct exec_point *p = &it->res.points[j];

			fprintf(out, "%s %zu - %s:%u: ", p->ok ? "ok" :
			    "not ok", ++k, it->path, p->line);
			tap_desc(out, p->desc);
			fputc('\n', out);
			if (p->ok)
				continue;
			fprintf(out, "  ---\n  file: ");
			yaml_str(out, it->path);
			fprintf(out, "\n  line: %u\n  expected: ", p->line);
			yaml_str(out, p->expected);
			fprintf(out, "\n  got: ");
			yaml_str(out, p->got);
			if (p->detail != NULL) {
				fprintf(out, "\n  detail: ");
				yaml_str(out, p->detail);
			}
			if (p->nev > 0) {
				char buf[256];

				fprintf(out, "\n  events:\n");
				for (size_t e = 0; e < p->nev &&
				    (e < TEXT_EVENTS || (flags &
				    REPORT_VERBOSE)); e++) {
					fmt_event(&p->ev[e],
					    (const char *const *)it->names,
					    buf, sizeof(buf));
					fprintf(out, "    - ");
					yaml_str(out, buf);
					fputc('\n', out);
				}
				fprintf(out, "  ...\n");
			} else
				fprintf(out, "\n  ...\n");
		}
		for (size_t g = 0; g < it->nguards; g++) {
			char buf[512];

			guard_text(&it->guards[g], buf, sizeof(buf));
			fprintf(out, "%s %zu - %s: ", it->guards[g].held ?
			    "ok" : "not ok", ++k, it->path);
			tap_desc(out, buf);
			fputc('\n', out);
		}
	}
}

/* ---- JUnit XML ------------------------------------------------------------ */

static void
xml_str(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '&':
			fputs("&amp;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			if ((unsigned char)*s < 0x20 && *s != '\n' &&
			    *s != '\t')
				fputc('?', out);
			else
				fputc(*s, out);
		}
	}
}

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

		fprintf(out, "  <testsuite name=\"");
		xml_str(out, it->path);
		fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%d\" "
		    "skipped=\"0\" time=\"%.3f\">\n", tap_count(it),
		    item_failures(it), it->state != REPORT_RAN,
		    flags & REPORT_TIMING ? it->seconds : 0.0);
		if (it->state != REPORT_RAN) {
			fprintf(out, "    <testcase classname=\"");
			xml_str(out, it->path);
			fprintf(out, "\" name=\"parse\" time=\"0\">\n      "
			    "<error message=\"%s\" type=\"%s\"/>\n    "
			    "</testcase>\n", it->state == REPORT_INVALID ?
			    "invalid scenario file" : "could not be read",
			    it->state == REPORT_INVALID ? "invalid" : "io");
		}
		for (size_t j = 0; it->state == REPORT_RAN &&
		    j < it->res.npoints; j++) {
			const struct exec_point *p = &it->res.points[j];

			fprintf(out, "    <testcase classname=\"");
			xml_str(out, it->path);
			fprintf(out, "\" name=\"line %u: ", p->line);
			xml_str(out, p->desc);
			fprintf(out, "\" time=\"0\"");
			if (p->ok) {
				fprintf(out, "/>\n");
				continue;
			}
			fprintf(out, ">\n      <failure type=\"expectation\" "
			    "message=\"expected ");
			xml_str(out, p->expected);
			fprintf(out, ", got ");
			xml_str(out, p->got);
			fprintf(out, "\">");
			if (p->detail != NULL) {
				xml_str(out, p->detail);
				fputc('\n', out);
			}
			for (size_t e = 0; e < p->nev; e++) {
				char buf[256];

				fmt_event(&p->ev[e],
				    (const char *const *)it->names, buf,
				    sizeof(buf));
				xml_str(out, buf);
				fputc('\n', out);
			}
			fprintf(out, "</failure>\n    </testcase>\n");
		}
		for (size_t g = 0; g < it->nguards; g++) {
			char buf[512];

			guard_text(&it->guards[g], buf, sizeof(buf));
			fprintf(out, "    <testcase classname=\"");
			xml_str(out, it->path);
			fprintf(out, "\" name=\"guard %s\" time=\"0\"",
			    quirk_info(it->guards[g].quirk)->name);
			if (it->guards[g].held)
				fprintf(out, "/>\n");
			else {
				fprintf(out, ">\n      <failure type=\"guard\" "
				    "message=\"");
				xml_str(out, buf);
				fprintf(out, "\"/>\n    </testcase>\n");
			}
		}
		fprintf(out, "  </testsuite>\n");
	}
	fprintf(out, "</testsuites>\n");
}

/* ---- JSON --------------------------------------------------------------- */

static void
json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(out, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

static void
json_quirks(FILE *out, unsigned mask)
{
	bool first = true;

	fputc('[', out);
	for (int q = 0; q < QUIRK_COUNT; q++)
		if (quirk_on(mask, q)) {
			if (!first)
				fputc(',', out);
			json_str(out, quirk_info(q)->name);
			first = false;
		}
	fputc(']', out);
}

static void
json_item(FILE *out, const struct report_item *it, unsigned flags)
{
	const struct exec_result *r = &it->res;

	fprintf(out, "{\"file\":");
	json_str(out, it->path);
	if (it->state != REPORT_RAN) {
		fprintf(out, ",\"result\":\"error\",\"error\":\"%s\"}",
		    it->state == REPORT_INVALID ? "invalid scenario file" :
		    "could not be read");
		return;
	}
	fprintf(out, ",\"result\":\"%s\",\"quirks\":",
	    report_item_passed(it) ? "pass" : "fail");
	json_quirks(out, r->quirks);
	fprintf(out, ",\"seed\":%" PRIu64, r->seed);
	if (flags & REPORT_TIMING)
		fprintf(out, ",\"seconds\":%.6f", it->seconds);
	fprintf(out, ",\"expectations\":[");
	for (size_t j = 0; j < r->npoints; j++) {
		const struct exec_point *p = &r->points[j];

		fprintf(out, "%s{\"line\":%u,\"what\":", j ? "," : "", p->line);
		json_str(out, p->desc);
		fprintf(out, ",\"ok\":%s", p->ok ? "true" : "false");
		if (!p->ok) {
			fprintf(out, ",\"expected\":");
			json_str(out, p->expected);
			fprintf(out, ",\"got\":");
			json_str(out, p->got);
			if (p->detail != NULL) {
				fprintf(out, ",\"detail\":");
				json_str(out, p->detail);
			}
		}
		fputc('}', out);
	}
	fprintf(out, "],\"counters\":{");
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
		json_str(out, r->first[k].what);
		fputc('}', out);
		first = 0;
	}
	fprintf(out, "],\"guards\":[");
	for (size_t g = 0; g < it->nguards; g++) {
		fprintf(out, "%s{\"quirk\":", g ? "," : "");
		json_str(out, quirk_info(it->guards[g].quirk)->name);
		fprintf(out, ",\"held\":%s}", it->guards[g].held ? "true" :
		    "false");
	}
	fprintf(out, "]");
	if (r->oops != NULL) {
		fprintf(out, ",\"oops\":");
		json_str(out, r->oops);
	}
	if (r->notes != NULL) {
		fprintf(out, ",\"notes\":");
		json_str(out, r->notes);
	}
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
