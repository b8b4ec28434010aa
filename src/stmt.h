/*
 * The statements of the scenario language (blksim-scenario(5)), one row
 * each, as tmux has one entry per command.  A row holds everything about
 * its statement:
 *
 *	- its name and grammar: positional words (slots), key=value options,
 *	  flags, the usage line that messages quote, and a parse hook for what
 *	  the generic parser (parse.c) cannot check;
 *	- its role, which says where it may stand (fs first, headers before
 *	  the first operation, tasks inside a concurrent block, expectations
 *	  anywhere) and how the interpreter treats it;
 *	- its interpreter entry: the function that runs it against the model
 *	  (sim/fs.h), the one place its calls into the model are made; for a
 *	  header, what it adds to the script's summary instead;
 *	- its description in reports, and whether it writes a file's bytes
 *	  (which a concurrent read of the same file may then see);
 *	- its generator, printer and simplifications for `blksim fuzz`
 *	  (gen.c), with its share of the generator's random choices.
 *
 * Rows live beside the functions they name, one file per family of
 * statements: stmt_head.c (era, fs, preset, quirk, seed, guards),
 * stmt_io.c (create, write, sync, read, truncate, drop-cache, drop-caches,
 * scrub), stmt_fault.c (corrupt, ioerror, offline, online, faults),
 * stmt_block.c (concurrent) and stmt_expect.c (the expect statements).  stmt.c indexes
 * them by enum scn_kind, which is also the order in which the parser
 * tries them and messages list them; every predicate about statements and
 * every list of their names derives from the rows.
 *
 * Adding a statement: its kind in scn.h, its row (and the functions the
 * row names) in its family's file, the row in stmt.c's table.
 */
#ifndef SRC_STMT_H
#define SRC_STMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lex.h"
#include "scn.h"

struct exec;
struct fs_read_result;
struct gen_op;
struct gen_state;
struct pval;

/* Where a statement may stand, and how it runs. */
enum stmt_role {
	STMT_CONFIG,		/* era, fs: first, once each, in that
				   order; configure the model */
	STMT_HEADER,		/* before the first operation; run has none */
	STMT_OPERATION,		/* runs against the model; may end with
				   expect OUTCOME */
	STMT_BLOCK,		/* an operation that holds tasks until `end` */
	STMT_EXPECT		/* `expect WORD ...`: checks the state */
};

/* What a positional word is. */
enum stmt_slot {
	STMT_SL_NAME,		/* an existing file */
	STMT_SL_NEWNAME,	/* the file `create` makes */
	STMT_SL_OFF,
	STMT_SL_LEN,		/* a length or max; follows STMT_SL_OFF */
	STMT_SL_SIZE,		/* truncate and expect size: a number */
	STMT_SL_COUNT,		/* expect extents: a number */
	STMT_SL_SEED,
	STMT_SL_LEVEL,		/* drop-caches 1|2|3 */
	STMT_SL_PRESET,
	STMT_SL_QUIRK,
	STMT_SL_ONOFF,
	STMT_SL_PRESENCE,	/* present|absent */
	STMT_SL_KIND,		/* an invariant violation kind */
	STMT_SL_ERA		/* 2008|modern */
};

/* How an option's value is read: by the row's parse hook, or as one of
   the values that several statements share. */
enum stmt_opt {
	STMT_OPT_HOOK,
	STMT_OPT_MIRROR,	/* mirror=N of this filesystem: st->mirror */
	STMT_OPT_FILL,		/* fill=BYTE: st->fill */
	STMT_OPT_COUNT,		/* count=N, at least 1: st->count */
	STMT_OPT_LOGICAL,	/* logical=L, an address: st->logical */
	STMT_OPT_LEN		/* len=N or max after logical=: st->len */
};

/* A key=value option of a statement. */
struct stmt_key {
	const char	*name;		/* NULL ends a row's keys */
	enum stmt_opt	 type;
	const char	*required;	/* as "missing" messages name it
					   ("mirror=N"), NULL if optional */
};

#define STMT_MAX_POS	4
#define STMT_MAX_KEYS	12

/* Row flags. */
#define STMT_ONCE	0x1u	/* may appear once in a file */
#define STMT_WRITES	0x2u	/* changes a file's bytes */
#define STMT_READ_KEYS	0x4u	/* its expect tail takes the read keys
				   (mirror=, retries=, lookup=, data=) */

/* A statement's line split into its parts (parse.c), for its hook. */
struct stmt_line {
	const struct stmt_row	*row;
	const struct lex_word	*stmtw;		/* first word of the line */
	const struct lex_word	*args;		/* words after the statement */
	size_t			 nargs;		/* up to the expect tail */
	const struct lex_word	*pos[STMT_MAX_POS];
	size_t			 npos;
	const struct lex_word	*opt[STMT_MAX_KEYS]; /* by key index */
	unsigned		 given;		/* keys written, even if bad */
	unsigned		 flags;		/* SCN_F_* written */
	const struct lex_word	*expect;	/* the `expect` word, or NULL */
	const struct lex_word	*tail;		/* words after it */
	size_t			 ntail;
};

struct stmt_row {
	enum scn_kind	 kind;		/* its index in the table */
	const char	*name;		/* "write", "expect cache" */
	enum stmt_role	 role;
	unsigned	 task;		/* place in the lists of the statements
					   that can be tasks, from 1; 0 if it
					   cannot be one */
	unsigned	 flags;		/* STMT_* */

	/* Grammar (parse.c). */
	const char	*usage;		/* quoted by messages */
	unsigned	 npos;
	enum stmt_slot	 pos[STMT_MAX_POS];
	struct stmt_key	 keys[STMT_MAX_KEYS];
	unsigned	 allow;		/* the SCN_F_* flags it takes */
	bool		 raw;		/* its arguments are the hook's alone */
	/* What the generic parser does not check (STMT_OPT_HOOK options,
	   the words of a raw row); the positional words and typed options
	   are parsed already, and a missing required option reported. */
	void		(*parse)(struct pval *, const struct stmt_line *,
			    struct scn_stmt *);
	/* A header's effect on the script's summary (parse.c). */
	void		(*apply)(struct scn_script *, const struct scn_stmt *);

	/* The interpreter (exec.c): run an operation (or a block, or check
	   an expectation) and return the model's status; a read fills the
	   fs_read_result.  NULL: nothing to run. */
	int		(*run)(struct exec *, const struct scn_stmt *,
			    struct fs_read_result *);
	/* The operation as reports name it, given its file's name; NULL:
	   its name.  The string is the caller's. */
	char		*(*describe)(const struct scn_stmt *, const char *file);

	/* The fuzzer (gen.c).  GEN is its share [lo, hi) of the 100 rolls
	   for a top-level statement, GEN_TASK of the 10 for a task. */
	unsigned char	 gen[2];
	unsigned char	 gen_task[2];
	/* Fill OP for FILE (an existing file's index); false if the
	   statement cannot be made now (the next share is tried). */
	bool		(*gen_make)(struct gen_state *, struct gen_op *,
			    int file);
	/* The line's words after the indent, before any expect tail. */
	void		(*gen_print)(FILE *, const struct gen_op *,
			    const char *file);
	/* Its own simplification moves (gen.c numbers them). */
	void		(*gen_shrink)(struct gen_op *, int move,
			    uint64_t sectorsize);
};

/* The row of kind K (K < SCN_KIND_COUNT). */
const struct stmt_row *stmt_row(enum scn_kind);
/* The word that starts its line (after `expect` for expectations). */
const char	*stmt_word(const struct stmt_row *);
/*
 * The row whose word is W, among the expectations if EXPECT.  A word with
 * a second form that takes options only (corrupt logical=L) gives that
 * form when KEYFORM (the line's first argument is key=value).
 */
const struct stmt_row *stmt_find(const struct lex_word *w, bool expect,
		    bool keyform);

bool	stmt_is_operation(enum scn_kind);
bool	stmt_is_header(enum scn_kind);
bool	stmt_is_expect(enum scn_kind);
bool	stmt_is_task(enum scn_kind);
/* Changes a file's bytes: a concurrent read of the file may see it. */
bool	stmt_writes(enum scn_kind);
/* Takes a NAME OFF LEN range. */
bool	stmt_has_range(enum scn_kind);

/*
 * Names for messages, into NAMES (room for MAX): the distinct words of
 * the statements (EXPECT: of the expectations), in table order; the
 * statements that can be tasks, in their `task` order.  Return the count.
 */
size_t	stmt_words(const char **names, size_t max, bool expect);
size_t	stmt_tasks(const char **names, size_t max);

/* A flag of the language (nodatasum, nocsum, nosync, direct, readonly,
   intact, damaged): SCN_F_* BIT. */
struct stmt_flag {
	const char	*name;
	unsigned	 bit;
};

/* The flag word W is, or NULL. */
const struct stmt_flag *stmt_flag(const struct lex_word *w);
/* The statement that takes flag BIT (the row that allows it). */
const char	*stmt_flag_owner(unsigned bit);

/* The rows, in their family files. */
extern const struct stmt_row stmt_era_row, stmt_fs_row, stmt_preset_row, stmt_quirk_row,
    stmt_seed_row, stmt_guards_row;
extern const struct stmt_row stmt_create_row, stmt_write_row, stmt_sync_row,
    stmt_read_row, stmt_truncate_row, stmt_drop_cache_row,
    stmt_drop_caches_row;
extern const struct stmt_row stmt_corrupt_row, stmt_corrupt_logical_row,
    stmt_ioerror_row, stmt_ioerror_logical_row, stmt_lose_write_row,
    stmt_lose_write_logical_row, stmt_tear_write_row,
    stmt_tear_write_logical_row, stmt_misdirect_write_row,
    stmt_misdirect_write_logical_row, stmt_offline_row, stmt_online_row,
    stmt_faults_row, stmt_scrub_row;
extern const struct stmt_row stmt_concurrent_row;
extern const struct stmt_row stmt_expect_cache_row, stmt_expect_coherent_row,
    stmt_expect_size_row, stmt_expect_extents_row, stmt_expect_stat_row,
    stmt_expect_copy_row, stmt_expect_devstats_row, stmt_expect_scrub_row,
    stmt_expect_violation_row;

#endif
