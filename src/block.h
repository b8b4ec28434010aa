/*
 * Concurrent blocks (blksim-scenario(5), CONCURRENT BLOCKS): the
 * interpreter entry of the `concurrent` row (src/stmt_block.c).  It runs
 * the block's tasks on the deterministic scheduler (sim/explore.h) over
 * the schedules the block's options and the command line ask for, judges
 * every task in every schedule, reports deadlocks, lock-order cycles and
 * how much was explored, and leaves the scenario on the state of the
 * first schedule that completed.
 */
#ifndef SRC_BLOCK_H
#define SRC_BLOCK_H

struct exec;
struct fs_read_result;
struct scn_stmt;

/*
 * Run block BLK of the scenario X runs.  Returns 0 when the scenario goes
 * on from the first schedule that completed, -1 when none did and it
 * stops there.  (The read result is unused: a row's run takes one.)
 */
int	block_run(struct exec *x, const struct scn_stmt *blk,
	    struct fs_read_result *unused);

#endif
