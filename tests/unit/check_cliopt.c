/*
 * Check suite for the command line's tables (src/cliopt.h): the synopsis
 * names every option of every command, each command's help lists them,
 * and parsing applies them (and refuses bad values with status 2).
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cliopt.h"
#include "tests/unit/suite.h"

static int
nop(const struct cli_opts *o, char **a, int n)
{
	return 0;
}

static const struct cli_cmd cmds[] = {
	{ "run", CLI_CMD_RUN, 1, -1, "path ...", "s", "a", nop },
	{ "check", CLI_CMD_CHECK, 1, -1, "path ...", "s", "a", nop },
	{ "quirks", CLI_CMD_QUIRKS, 0, 0, "", "s", "a", nop },
	{ "dump", CLI_CMD_DUMP, 1, 1, "file", "s", "a", nop },
	{ "fuzz", CLI_CMD_FUZZ, 0, 0, "", "s", "a", nop },
};
#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

/* What F writes, as a string the caller frees. */
static char *
captured(void (*fn)(FILE *, const struct cli_cmd *), const struct cli_cmd *c)
{
	/* Static: the stream keeps their addresses until fclose. */
	static char *buf;
	static size_t len;
	FILE *f;

	buf = NULL;
	f = open_memstream(&buf, &len);
	fn(f, c);
	fclose(f);
	return buf;
}

static void
usage_of(FILE *f, const struct cli_cmd *c)
{
	cli_usage(f);
}

/* The synopsis line of command NAME, with its continuation lines. */
static char *
synopsis_of(const char *usage, const char *name)
{
	char key[32];
	size_t at, n;

	snprintf(key, sizeof(key), "blksim %s", name);
	ck_assert_msg(strstr(usage, key) != NULL, "no synopsis of %s", name);
	at = (size_t)(strstr(usage, key) - usage);
	n = strstr(usage + at + 1, "blksim ") != NULL ?
	    (size_t)(strstr(usage + at + 1, "blksim ") - (usage + at)) :
	    strlen(usage + at);
	return strndup(usage + at, n);
}

/* Short option C is in synopsis SYN: "-c", or a letter of "[-qv]". */
static bool
has_short(const char *syn, char c)
{
	for (const char *p = syn; (p = strstr(p, "[-")) != NULL; p++)
		for (const char *q = p + 2; *q != ']' && *q != ' ' &&
		    *q != '\0'; q++)
			if (*q == c)
				return true;
	return false;
}

/* scenario: every option of every command is in its synopsis and help. */
START_TEST(test_every_option_documented)
{
	char *usage = captured(usage_of, NULL);

	for (size_t c = 0; c < NCMDS; c++) {
		char *syn = synopsis_of(usage, cmds[c].name);
		char *help = captured(cli_cmd_help, &cmds[c]);
		const char *name;
		char s, word[40];

		for (size_t i = 0; (name = cli_option_name(cmds[c].bit, i,
		    &s)) != NULL; i++) {
			if (*name)
				snprintf(word, sizeof(word), "--%s", name);
			else
				snprintf(word, sizeof(word), "-%c", s);
			ck_assert_msg(s ? has_short(syn, s) :
			    strstr(syn, word) != NULL, "%s: %s not in the "
			    "synopsis", cmds[c].name, s ? (char[]){ '-', s,
			    '\0' } : word);
			ck_assert_msg(strstr(help, word) != NULL, "%s: %s not "
			    "in its help", cmds[c].name, word);
		}
		free(syn);
		free(help);
	}
	free(usage);
}
END_TEST

/* Parse ARGS (NULL-ended) for their command; the status. */
static int
parse(struct cli_opts *o, const char **args)
{
	char *argv[16];
	const struct cli_cmd *cmd;
	int argc = 0, first;

	while (args[argc] != NULL)
		argv[argc] = (char *)args[argc], argc++;
	argv[argc] = NULL;
	return cli_parse(cmds, NCMDS, argc, argv, o, &cmd, &first);
}

/* scenario: options land in struct cli_opts; bad ones are status 2. */
START_TEST(test_parse)
{
	struct cli_opts o;
	FILE *err = freopen("/dev/null", "w", stderr);

	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(parse(&o, (const char *[]){ "run", "-f", "json",
	    "--era=modern", "--seed=0x10", "-j", "3", "--quirk=drop-whole=on",
	    "x.scn", NULL }), -1);
	ck_assert_int_eq(o.format, CLI_FORMAT_JSON);
	ck_assert_int_eq(o.era, 1);
	ck_assert_uint_eq(o.seed, 16);
	ck_assert_uint_eq(o.jobs, 3);
	ck_assert_uint_eq(o.quirks.n, 1);
	quirk_settings_free(&o.quirks);
	ck_assert_int_eq(parse(&o, (const char *[]){ "run", "--era=1999",
	    "x.scn", NULL }), CLI_EXIT_USAGE);
	ck_assert_int_eq(parse(&o, (const char *[]){ "check", "--seed=1",
	    "x.scn", NULL }), CLI_EXIT_USAGE);
	ck_assert_int_eq(parse(&o, (const char *[]){ "dump", "a", "b",
	    NULL }), CLI_EXIT_USAGE);
	ck_assert_int_eq(parse(&o, (const char *[]){ "run", "-q", "-v",
	    "x", NULL }), CLI_EXIT_USAGE);
	ck_assert_int_eq(parse(&o, (const char *[]){ "bogus", NULL }),
	    CLI_EXIT_USAGE);
	ck_assert_int_eq(parse(&o, (const char *[]){ "fuzz", "--runs=0",
	    NULL }), CLI_EXIT_USAGE);
	quirk_settings_free(&o.quirks);
}
END_TEST

static Suite *
cliopt_suite(void)
{
	Suite *s = suite_create("cliopt");
	TCase *tc = tcase_create("cliopt");

	tcase_add_test(tc, test_every_option_documented);
	tcase_add_test(tc, test_parse);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(cliopt_suite)
