/*
 * The command line's tables (blksim(1)): every option once, with the
 * commands that take it, its argument, its one-line help and what shell
 * completion offers for it; and the shape of a command row, which main.c
 * fills with its commands.  From these tables come the getopt strings of
 * each command, each command's --help, `blksim help` and the bash
 * completion script, so that none of them can drift from what the parser
 * accepts.  The synopsis (`blksim --help`) is the manual's SYNOPSIS,
 * checked word for word by tests/help.sh, and tests/unit/check_cliopt.c
 * checks that it names every option of every command.
 */
#ifndef SRC_CLIOPT_H
#define SRC_CLIOPT_H

#include <stddef.h>
#include <stdio.h>

#include "cli.h"

/* The commands, as bits of an option's `cmds`. */
#define CLI_CMD_RUN		0x01u
#define CLI_CMD_CHECK		0x02u
#define CLI_CMD_QUIRKS		0x04u
#define CLI_CMD_DUMP		0x08u
#define CLI_CMD_FUZZ		0x10u
#define CLI_CMD_HELP		0x20u
#define CLI_CMD_COMPLETION	0x40u

/* One command (main.c's table). */
struct cli_cmd {
	const char	*name;
	unsigned	 bit;		/* CLI_CMD_* */
	int		 min_args;
	int		 max_args;	/* -1: no limit */
	const char	*operands;	/* "path ...", or "" */
	const char	*summary;	/* one line, for `blksim help` */
	const char	*about;		/* a paragraph, for its --help */
	int		(*fn)(const struct cli_opts *, char **, int);
};

/*
 * The synopsis of every command (the manual's SYNOPSIS), with
 * "usage: " in front.
 */
void	cli_usage(FILE *);

/*
 * Parse ARGV (the command line after the global options; ARGV[0] is the
 * command word) against CMDS: find the command, reset *O to the defaults
 * and apply its options.  Returns -1 with the command in *CMD and its
 * operands from ARGV[*FIRST], or an exit status when the line was a usage
 * error (said on stderr) or asked for help (printed on stdout).
 */
int	cli_parse(const struct cli_cmd *cmds, size_t ncmds, int argc,
	    char **argv, struct cli_opts *o, const struct cli_cmd **cmd,
	    int *first);

/* A usage error: "blksim: CMD: MESSAGE" and the synopsis, on stderr;
   returns CLI_EXIT_USAGE. */
int	cli_usage_error(const char *cmd, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 2, 3)));

/* CMD's help: its usage line, what it does, a line per option. */
void	cli_cmd_help(FILE *, const struct cli_cmd *cmd);
/* Every command with its summary, and where the manuals are. */
void	cli_help(FILE *, const struct cli_cmd *cmds, size_t ncmds);
/* A bash completion script for blksim, from the tables. */
void	cli_completion_bash(FILE *, const struct cli_cmd *cmds,
	    size_t ncmds);

/* For the tables' own test: the long names (NULL-ended) an option row of
   command BIT has, one at a time. */
const char *cli_option_name(unsigned bit, size_t i, char *shortname);

#endif
