/*
 * Unit tests for the scenario lexer (src/lex.c): line and word splitting
 * with positions, comments, CRLF, control characters, byte order marks,
 * and the value parsers (numbers with suffixes, probabilities, names).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/lex.h"
#include "tests/unit/suite.h"

/* The words of every line of SRC, as "L:C:word" joined by blanks. */
static char *
lex_dump(const char *src, size_t len)
{
	struct lex lx;
	struct lex_line ln;
	char *out = NULL;
	size_t outlen = 0;
	FILE *fp = open_memstream(&out, &outlen);
	const char *sep = "";

	ck_assert_ptr_nonnull(fp);
	lex_init(&lx, src, len);
	while (lex_next(&lx, &ln)) {
		for (size_t i = 0; i < ln.nwords; i++, sep = " ")
			fprintf(fp, "%s%u:%u:%.*s", sep, ln.lineno,
			    ln.words[i].col, (int)ln.words[i].len,
			    ln.words[i].s);
		if (ln.bad_col) {
			fprintf(fp, "%s%u:%u:BAD(0x%02x)", sep, ln.lineno,
			    ln.bad_col, ln.bad_char);
			sep = " ";
		}
	}
	lex_fini(&lx);
	fclose(fp);
	return out;
}

static void
assert_lex(const char *src, size_t len, const char *want)
{
	char *got = lex_dump(src, len);

	ck_assert_msg(strcmp(got, want) == 0, "lexing \"%s\": got \"%s\", "
	    "want \"%s\"", src, got, want);
	free(got);
}

#define ASSERT_LEX(src, want)	assert_lex(src, sizeof(src) - 1, want)

static unsigned
count_lines(const char *src, size_t len)
{
	struct lex lx;
	struct lex_line ln;
	unsigned n = 0;

	lex_init(&lx, src, len);
	while (lex_next(&lx, &ln))
		n++;
	lex_fini(&lx);
	return n;
}

/* scenario: words split on blanks and tabs, 1-based columns. */
START_TEST(test_words)
{
	ASSERT_LEX("write a 0 4K", "1:1:write 1:7:a 1:9:0 1:11:4K");
	ASSERT_LEX("  read\ta   0\t\t4K  ", "1:3:read 1:8:a 1:12:0 1:15:4K");
	ASSERT_LEX("a\nb c\n\nd", "1:1:a 2:1:b 2:3:c 4:1:d");
	ASSERT_LEX("", "");
	ASSERT_LEX("\n\n\n", "");
}
END_TEST

/* scenario: blank and comment lines count; the last needs no newline. */
START_TEST(test_line_count)
{
	ck_assert_uint_eq(count_lines("", 0), 0);
	ck_assert_uint_eq(count_lines("a", 1), 1);
	ck_assert_uint_eq(count_lines("a\n", 2), 1);
	ck_assert_uint_eq(count_lines("a\nb", 3), 2);
	ck_assert_uint_eq(count_lines("\n\n", 2), 2);
	ck_assert_uint_eq(count_lines("# c\n\n x\n", 8), 3);
}
END_TEST

/* scenario: `#` starts a comment anywhere, even inside a word. */
START_TEST(test_comments)
{
	ASSERT_LEX("# whole line\nsync", "2:1:sync");
	ASSERT_LEX("write a 0 4K # trailing", "1:1:write 1:7:a 1:9:0 1:11:4K");
	ASSERT_LEX("write a 0 4K#glued", "1:1:write 1:7:a 1:9:0 1:11:4K");
	ASSERT_LEX("#", "");
	ASSERT_LEX("a # b # c\nd", "1:1:a 2:1:d");
}
END_TEST

/* scenario: CRLF line ends read like LF; the text excludes them. */
START_TEST(test_crlf)
{
	struct lex lx;
	struct lex_line ln;
	static const char src[] = "sync\r\nread a 0 4K\r\nend\r";

	ASSERT_LEX("sync\r\nread a\r\n", "1:1:sync 2:1:read 2:6:a");
	lex_init(&lx, src, sizeof(src) - 1);
	ck_assert(lex_next(&lx, &ln));
	ck_assert_uint_eq(ln.len, 4);
	ck_assert(lex_next(&lx, &ln));
	ck_assert_uint_eq(ln.len, 11);
	ck_assert_uint_eq(ln.bad_col, 0);
	ck_assert(lex_next(&lx, &ln));
	ck_assert_uint_eq(ln.len, 3);
	ck_assert_uint_eq(ln.bad_col, 0);
	ck_assert(!lex_next(&lx, &ln));
	lex_fini(&lx);
}
END_TEST

/* scenario: NUL and other controls mark the line bad at their column. */
START_TEST(test_control)
{
	ASSERT_LEX("ab\x01 c", "1:1:ab 1:5:c 1:3:BAD(0x01)");
	assert_lex("a\0b", 3, "1:1:a 1:3:b 1:2:BAD(0x00)");
	ASSERT_LEX("x\x7f", "1:1:x 1:2:BAD(0x7f)");
	ASSERT_LEX("a\rb", "1:1:a 1:3:b 1:2:BAD(0x0d)");
	ASSERT_LEX("a # c\x1b[0m", "1:1:a 1:6:BAD(0x1b)");
	ASSERT_LEX("a\r\r\n", "1:1:a 1:2:BAD(0x0d)");
	ASSERT_LEX("ok\n\x0c", "1:1:ok 2:1:BAD(0x0c)");
	/* Only the first control of a line is reported. */
	ASSERT_LEX("\x02\x03", "1:1:BAD(0x02)");
	/* Bytes above 0x7f are not controls. */
	ASSERT_LEX("caf\xc3\xa9 x", "1:1:caf\xc3\xa9 1:7:x");
}
END_TEST

/* scenario: a UTF-8 byte order mark at the start is skipped. */
START_TEST(test_bom)
{
	ASSERT_LEX("\xef\xbb\xbf" "fs mirrors=2\nsync",
	    "1:1:fs 1:4:mirrors=2 2:1:sync");
	/* Only at the start of the buffer. */
	ASSERT_LEX("a\n\xef\xbb\xbf" "b", "1:1:a 2:1:\xef\xbb\xbf" "b");
	ck_assert(lex_has_bom("\xef\xbb\xbfx", 4));
	ck_assert(!lex_has_bom("\xef\xbb", 2));
}
END_TEST

/*
 * scenario: a line of 200000 bytes keeps its first LEX_MAX_WORDS words,
 * notes where the next one starts, and the next line starts afresh.
 */
START_TEST(test_long_line)
{
	size_t n = 200000, i;
	char *src = malloc(n + 3);
	struct lex lx;
	struct lex_line ln;

	ck_assert_ptr_nonnull(src);
	for (i = 0; i < n; i++)
		src[i] = i % 2 ? ' ' : 'x';
	memcpy(src + n, "\ny", 3);
	lex_init(&lx, src, n + 2);
	ck_assert(lex_next(&lx, &ln));
	ck_assert_uint_eq(ln.nwords, LEX_MAX_WORDS);
	ck_assert_uint_eq(ln.words[LEX_MAX_WORDS - 1].col,
	    2 * LEX_MAX_WORDS - 1);
	ck_assert_uint_eq(ln.over_col, 2 * LEX_MAX_WORDS + 1);
	ck_assert_uint_eq(ln.len, n);
	ck_assert(lex_next(&lx, &ln));
	ck_assert_uint_eq(ln.nwords, 1);
	ck_assert_uint_eq(ln.over_col, 0);
	ck_assert(!lex_next(&lx, &ln));
	lex_fini(&lx);
	free(src);
}
END_TEST

/* scenario: exactly LEX_MAX_WORDS words fit; one more is noted. */
START_TEST(test_words_limit)
{
	char src[4 * LEX_MAX_WORDS + 8];
	struct lex lx;
	struct lex_line ln;
	size_t n = 0;

	for (int i = 0; i < LEX_MAX_WORDS; i++)
		n += (size_t)sprintf(src + n, "w ");
	n += (size_t)sprintf(src + n, "# a comment is no word\n");
	lex_init(&lx, src, n);
	ck_assert(lex_next(&lx, &ln));
	ck_assert_uint_eq(ln.nwords, LEX_MAX_WORDS);
	ck_assert_uint_eq(ln.over_col, 0);
	lex_fini(&lx);
	n = 0;
	for (int i = 0; i <= LEX_MAX_WORDS; i++)
		n += (size_t)sprintf(src + n, "w\t");
	lex_init(&lx, src, n);
	ck_assert(lex_next(&lx, &ln));
	ck_assert_uint_eq(ln.nwords, LEX_MAX_WORDS);
	ck_assert_uint_eq(ln.over_col, 2 * LEX_MAX_WORDS + 1);
	lex_fini(&lx);
}
END_TEST

static uint64_t
num_ok(const char *s)
{
	uint64_t v = 0xdeadbeef;
	enum lex_err e = lex_number(s, strlen(s), &v);

	ck_assert_msg(e == LEX_OK, "lex_number(\"%s\") failed with %d", s,
	    (int)e);
	return v;
}

static void
num_err(const char *s, enum lex_err want)
{
	uint64_t v = 0x1234;
	enum lex_err e = lex_number(s, strlen(s), &v);

	ck_assert_msg(e == want, "lex_number(\"%s\") gave %d, want %d", s,
	    (int)e, (int)want);
	ck_assert_msg(v == 0x1234, "lex_number(\"%s\") wrote on failure", s);
}

/* scenario: decimal and hex numbers, every suffix, in range. */
START_TEST(test_number_forms)
{
	ck_assert_uint_eq(num_ok("0"), 0);
	ck_assert_uint_eq(num_ok("4096"), 4096);
	ck_assert_uint_eq(num_ok("007"), 7);
	ck_assert_uint_eq(num_ok("0x0"), 0);
	ck_assert_uint_eq(num_ok("0x1f"), 31);
	ck_assert_uint_eq(num_ok("0xABcd"), 0xabcd);
	ck_assert_uint_eq(num_ok("4K"), 4096);
	ck_assert_uint_eq(num_ok("3M"), 3ull << 20);
	ck_assert_uint_eq(num_ok("2G"), 2ull << 30);
	ck_assert_uint_eq(num_ok("5T"), 5ull << 40);
	ck_assert_uint_eq(num_ok("4KiB"), 4096);
	ck_assert_uint_eq(num_ok("3MiB"), 3ull << 20);
	ck_assert_uint_eq(num_ok("2GiB"), 2ull << 30);
	ck_assert_uint_eq(num_ok("5TiB"), 5ull << 40);
	ck_assert_uint_eq(num_ok("0x10K"), 16ull << 10);
	ck_assert_uint_eq(num_ok("0x1MiB"), 1ull << 20);
	ck_assert_uint_eq(num_ok("0K"), 0);
	ck_assert_uint_eq(num_ok("18446744073709551615"), UINT64_MAX);
	ck_assert_uint_eq(num_ok("0xffffffffffffffff"), UINT64_MAX);
	ck_assert_uint_eq(num_ok("16777215T"), 16777215ull << 40);
	ck_assert_uint_eq(num_ok("0x00000000000000000001"), 1);
}
END_TEST

/* scenario: malformed numbers, wrong-case suffixes, overflow. */
START_TEST(test_number_errors)
{
	num_err("", LEX_SYNTAX);
	num_err("x", LEX_SYNTAX);
	num_err("0x", LEX_SYNTAX);
	num_err("0xg", LEX_SYNTAX);
	num_err("0X10", LEX_SYNTAX);
	num_err("-1", LEX_SYNTAX);
	num_err("+1", LEX_SYNTAX);
	num_err("1.5", LEX_SYNTAX);
	num_err("12ab", LEX_SYNTAX);
	num_err("4KB", LEX_SYNTAX);
	num_err("4 K", LEX_SYNTAX);
	num_err("4KK", LEX_SYNTAX);
	num_err("K", LEX_SYNTAX);
	num_err("max", LEX_SYNTAX);
	num_err("4k", LEX_SUFFIX_CASE);
	num_err("4m", LEX_SUFFIX_CASE);
	num_err("4g", LEX_SUFFIX_CASE);
	num_err("4t", LEX_SUFFIX_CASE);
	num_err("4kib", LEX_SUFFIX_CASE);
	num_err("4KIB", LEX_SUFFIX_CASE);
	num_err("0x4k", LEX_SUFFIX_CASE);
	num_err("18446744073709551616", LEX_OVERFLOW);
	num_err("99999999999999999999999", LEX_OVERFLOW);
	num_err("0x10000000000000000", LEX_OVERFLOW);
	num_err("16777216T", LEX_OVERFLOW);
	num_err("17179869184G", LEX_OVERFLOW);
	num_err("18014398509481984K", LEX_OVERFLOW);
	/* Suffixes past T are refused by name, in any number form. */
	num_err("16E", LEX_SUFFIX_BIG);
	num_err("8P", LEX_SUFFIX_BIG);
	num_err("1PiB", LEX_SUFFIX_BIG);
	num_err("1EiB", LEX_SUFFIX_BIG);
	num_err("0x1P", LEX_SUFFIX_BIG);
	num_err("1p", LEX_SYNTAX);
	num_err("1e6", LEX_SYNTAX);
	num_err("1PB", LEX_SYNTAX);
	/* In hex, E is a digit: 0x16E is 366, not 16 exbibytes. */
	ck_assert_uint_eq(num_ok("0x16E"), 0x16e);
}
END_TEST

static void
prob_ok(const char *s, uint64_t num, uint64_t den)
{
	uint64_t n = 99, d = 99;
	enum lex_err e = lex_prob(s, strlen(s), &n, &d);

	ck_assert_msg(e == LEX_OK, "lex_prob(\"%s\") failed with %d", s,
	    (int)e);
	ck_assert_msg(n == num && d == den, "lex_prob(\"%s\") = %llu/%llu, "
	    "want %llu/%llu", s, (unsigned long long)n, (unsigned long long)d,
	    (unsigned long long)num, (unsigned long long)den);
}

static void
prob_err(const char *s, enum lex_err want)
{
	uint64_t n = 99, d = 99;
	enum lex_err e = lex_prob(s, strlen(s), &n, &d);

	ck_assert_msg(e == want, "lex_prob(\"%s\") gave %d, want %d", s,
	    (int)e, (int)want);
}

/* scenario: probabilities are exact fractions over powers of ten. */
START_TEST(test_prob)
{
	prob_ok("0", 0, 1);
	prob_ok("1", 1, 1);
	prob_ok("0.5", 5, 10);
	prob_ok("0.01", 1, 100);
	prob_ok(".25", 25, 100);
	prob_ok("1.0", 1, 1);
	prob_ok("1.000", 1, 1);
	prob_ok("0.0", 0, 1);
	prob_ok("00.50", 5, 10);
	prob_ok("0.123456789012345678", 123456789012345678ull,
	    1000000000000000000ull);
	prob_ok("0.1000000000000000000000", 1, 10);
	prob_ok("0.000000000000000001", 1, 1000000000000000000ull);
	prob_err("0.1234567890123456789", LEX_DIGITS);
	prob_err("1.5", LEX_RANGE);
	prob_err("2", LEX_RANGE);
	prob_err("10", LEX_RANGE);
	prob_err("1.0000000000000000000001", LEX_RANGE);
	prob_err("", LEX_SYNTAX);
	prob_err(".", LEX_SYNTAX);
	prob_err("5.", LEX_SYNTAX);
	prob_err("0.5x", LEX_SYNTAX);
	prob_err("-0.5", LEX_SYNTAX);
	prob_err("1e-3", LEX_SYNTAX);
	prob_err("0x1", LEX_SYNTAX);
	prob_err("0.5.5", LEX_SYNTAX);
}
END_TEST

/* scenario: NAME is [A-Za-z_][A-Za-z0-9_.-]*. */
START_TEST(test_names)
{
	static const char *const good[] = {
		"a", "_", "_x", "A.b-c_9", "file.scn", "Z9", "expect", "max",
	};
	static const char *const bad[] = {
		"", "9a", "-a", ".a", "a/b", "a=b", "a b", "a#", "caf\xc3\xa9",
		"a:b", "a,b",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(lex_is_name(good[i], strlen(good[i])),
		    "\"%s\" should be a name", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!lex_is_name(bad[i], strlen(bad[i])),
		    "\"%s\" should not be a name", bad[i]);
}
END_TEST

/* scenario: lex_eq compares whole words, not prefixes. */
START_TEST(test_eq)
{
	struct lex_word w = { "expect", 6, 1 };

	ck_assert(lex_eq(&w, "expect"));
	ck_assert(!lex_eq(&w, "expec"));
	ck_assert(!lex_eq(&w, "expects"));
	w.len = 3;
	ck_assert(lex_eq(&w, "exp"));
}
END_TEST

static Suite *
lex_suite(void)
{
	Suite *s = suite_create("lex");
	TCase *tc;

	tc = tcase_create("lines");
	tcase_add_test(tc, test_words);
	tcase_add_test(tc, test_line_count);
	tcase_add_test(tc, test_comments);
	tcase_add_test(tc, test_crlf);
	tcase_add_test(tc, test_control);
	tcase_add_test(tc, test_bom);
	tcase_add_test(tc, test_long_line);
	tcase_add_test(tc, test_words_limit);
	suite_add_tcase(s, tc);
	tc = tcase_create("values");
	tcase_add_test(tc, test_number_forms);
	tcase_add_test(tc, test_number_errors);
	tcase_add_test(tc, test_prob);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_eq);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(lex_suite)
