/*
 * Strings as each report format can carry them (blksim(1), OUTPUT).  A
 * report quotes text blksim did not write: paths as the command line or a
 * directory gave them (any bytes but NUL: a newline, invalid UTF-8),
 * source lines in diagnostics, a --schedule string.  None of it may
 * break the format: add a line to text or TAP, end a YAML, XML or JSON
 * string early, or make a JSON or XML document invalid UTF-8.
 *
 *  - line: text and TAP lines.  Control characters become C escapes
 *    (\n, \r, \t, \xNN), and a backslash becomes \\ so that the escapes
 *    are not ambiguous.  Other bytes, invalid UTF-8 included, pass as
 *    they are (the text report is bytes, like the file names it shows).
 *  - yaml, json: double-quoted strings with the quotes.  Control
 *    characters are escaped; a byte that does not start a valid UTF-8
 *    sequence becomes U+FFFD (the replacement character), since neither
 *    format can carry a raw byte.
 *  - xml: character data or an attribute value (without quotes), with
 *    the five entities; U+FFFD for invalid UTF-8 and for the control
 *    characters XML 1.0 does not allow; in an attribute, tabs and
 *    newlines as character references so that they survive.
 */
#ifndef SRC_ESC_H
#define SRC_ESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

void	esc_line(FILE *, const char *s);
void	esc_yaml(FILE *, const char *s);
void	esc_json(FILE *, const char *s);
void	esc_xml(FILE *, const char *s, bool attribute);
/* The length of the valid UTF-8 sequence at S (1 to 4; 1 for ASCII), or
   0 when S does not start one (N bytes readable). */
size_t	esc_utf8_len(const unsigned char *s, size_t n);

#endif
