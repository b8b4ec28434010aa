/*
 * Escaping for the report formats (see esc.h).  Every function walks the
 * string once, byte by byte, copying runs of valid UTF-8 whole; the
 * decoder follows RFC 3629 (no overlong forms, no surrogates, nothing
 * past U+10FFFF).
 */
#include <string.h>

#include "esc.h"

#define ESC_REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD in UTF-8 */

size_t
esc_utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned lo = 0x80, hi = 0xbf;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (s[0] == 0xe0)
		lo = 0xa0;		/* no overlong 3-byte forms */
	else if (s[0] == 0xed)
		hi = 0x9f;		/* no surrogates */
	else if (s[0] == 0xf0)
		lo = 0x90;		/* no overlong 4-byte forms */
	else if (s[0] == 0xf4)
		hi = 0x8f;		/* nothing past U+10FFFF */
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

void
esc_line(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\r')
			fputs("\\r", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p == '\\')
			fputs("\\\\", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
}

/*
 * Write S to F: each ASCII byte through ASCII (which escapes it as the
 * format needs; FLAG is the format's), each valid UTF-8 sequence as it
 * is, and each other byte as BAD.
 */
static void
esc_walk(FILE *f, const char *s, void (*ascii)(FILE *, unsigned char, bool),
    bool flag, const char *bad)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), k;

	while (n > 0) {
		if (*p < 0x80)
			k = 1, ascii(f, *p, flag);
		else if ((k = esc_utf8_len(p, n)) > 0)
			fwrite(p, 1, k, f);
		else
			k = 1, fputs(bad, f);
		p += k;
		n -= k;
	}
}

/*
 * An ASCII byte in a double-quoted string of YAML or JSON: both take \"
 * \\ \n \t \r; another control character is \u00NN in JSON, \xNN in
 * YAML.
 */
static void
esc_quoted_ascii(FILE *f, unsigned char c, bool json)
{
	if (c == '"' || c == '\\')
		fprintf(f, "\\%c", c);
	else if (c == '\n')
		fputs("\\n", f);
	else if (c == '\t')
		fputs("\\t", f);
	else if (c == '\r')
		fputs("\\r", f);
	else if (c < 0x20 || c == 0x7f)
		fprintf(f, json ? "\\u%04x" : "\\x%02x", c);
	else
		fputc(c, f);
}

void
esc_yaml(FILE *f, const char *s)
{
	fputc('"', f);
	esc_walk(f, s, esc_quoted_ascii, false, "\\ufffd");
	fputc('"', f);
}

void
esc_json(FILE *f, const char *s)
{
	fputc('"', f);
	esc_walk(f, s, esc_quoted_ascii, true, "\\ufffd");
	fputc('"', f);
}

/* An ASCII byte in XML character data, or in an attribute value. */
static void
esc_xml_ascii(FILE *f, unsigned char c, bool attribute)
{
	if (c == '<')
		fputs("&lt;", f);
	else if (c == '>')
		fputs("&gt;", f);
	else if (c == '&')
		fputs("&amp;", f);
	else if (c == '"')
		fputs("&quot;", f);
	else if (c == '\'')
		fputs("&apos;", f);
	else if ((c == '\n' || c == '\t') && attribute)
		fprintf(f, "&#%u;", c);
	else if (c == '\n' || c == '\t')
		fputc(c, f);
	else if (c < 0x20 || c == 0x7f)
		fputs(ESC_REPLACEMENT, f);	/* not allowed in XML 1.0 */
	else
		fputc(c, f);
}

void
esc_xml(FILE *f, const char *s, bool attribute)
{
	esc_walk(f, s, esc_xml_ascii, attribute, ESC_REPLACEMENT);
}
