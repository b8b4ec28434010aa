/*
 * Unit tests for the escaping of report strings (src/esc.c): the UTF-8
 * decoder against RFC 3629's edge cases, and each format on a string
 * holding a quote, a newline, a control character and an invalid byte.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/esc.h"
#include "tests/unit/suite.h"

/* What FN writes for S (ARG for xml). */
static char *
esc(int which, const char *s)
{
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);

	switch (which) {
	case 0:
		esc_line(f, s);
		break;
	case 1:
		esc_yaml(f, s);
		break;
	case 2:
		esc_json(f, s);
		break;
	case 3:
		esc_xml(f, s, false);
		break;
	default:
		esc_xml(f, s, true);
		break;
	}
	fclose(f);
	return out;
}

START_TEST(test_utf8)
{
	static const struct {
		const char	*s;
		size_t		 len;
	} cases[] = {
		{ "a", 1 },
		{ "\xc3\xa9", 2 },		/* U+00E9 */
		{ "\xe2\x82\xac", 3 },		/* U+20AC */
		{ "\xf0\x9f\x98\x80", 4 },	/* U+1F600 */
		{ "\xc0\xaf", 0 },		/* overlong '/' */
		{ "\xe0\x80\xaf", 0 },		/* overlong */
		{ "\xed\xa0\x80", 0 },		/* a surrogate */
		{ "\xf4\x90\x80\x80", 0 },	/* past U+10FFFF */
		{ "\xff", 0 },
		{ "\x80", 0 },			/* a lone continuation */
		{ "\xe2\x82", 0 },		/* cut short */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(esc_utf8_len((const unsigned char *)cases[i].s,
		    strlen(cases[i].s)) == cases[i].len, "case %zu", i);
}
END_TEST

START_TEST(test_formats)
{
	static const char s[] = "a\"b\nc\x01\\d\xff\xc3\xa9<&>";
	static const char *const want[] = {
		"a\"b\\nc\\x01\\\\d\xff\xc3\xa9<&>",
		"\"a\\\"b\\nc\\x01\\\\d\\ufffd\xc3\xa9<&>\"",
		"\"a\\\"b\\nc\\u0001\\\\d\\ufffd\xc3\xa9<&>\"",
		"a&quot;b\nc\xef\xbf\xbd\\d\xef\xbf\xbd\xc3\xa9&lt;&amp;&gt;",
		"a&quot;b&#10;c\xef\xbf\xbd\\d\xef\xbf\xbd\xc3\xa9&lt;&amp;&gt;",
	};

	for (int k = 0; k < 5; k++) {
		char *got = esc(k, s);

		ck_assert_msg(strcmp(got, want[k]) == 0, "format %d: %s", k,
		    got);
		free(got);
	}
}
END_TEST

static Suite *
esc_suite(void)
{
	Suite *s = suite_create("esc");
	TCase *tc = tcase_create("esc");

	tcase_add_test(tc, test_utf8);
	tcase_add_test(tc, test_formats);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(esc_suite)
