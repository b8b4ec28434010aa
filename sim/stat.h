/*
 * Counters: what a scenario can assert with `expect stat`.  They are
 * cumulative over a scenario.  The names are part of the scenario language
 * (blksim-scenario(5), EXPECTATIONS) and fixed; new counters are appended.
 */
#ifndef SIM_STAT_H
#define SIM_STAT_H

#include <stdbool.h>
#include <stdint.h>

enum stat_id {
	STAT_DATA_READS,	/* data read bios, retries included */
	STAT_RETRIES,		/* retry bios issued by io_failed_hook */
	STAT_CSUM_ERRORS,	/* failed page checksum verifications */
	STAT_IO_ERRORS,		/* data bios failed by the device */
	STAT_EIO,		/* reads (statements or tasks) returning EIO */
	STAT_RETRY_CACHE_HITS,	/* first-failure cache lookups that hit */
	STAT_RETRY_CACHE_MISSES, /* first-failure cache lookups that missed */
	STAT_METADATA_READS,	/* metadata reads (uncached inode btree) */
	STAT_EM_SPLITS,		/* remnants inserted by drop_extent_cache */
	STAT_EM_MERGES,		/* maps merged on insert or by merge_extent_mapping */
	STAT_ALLOCATIONS,	/* allocator calls that returned space */
	STAT_DEADLOCKS,		/* concurrent blocks in which a deadlock was found */
	STAT_REPAIR_WRITES,	/* modern: repair write-backs that succeeded */
	STAT_WRITE_ERRORS,	/* data write bios that failed */
	STAT_COUNT
};

struct stat_counters {
	uint64_t	v[STAT_COUNT];
};

const char	*stat_name(enum stat_id);
/* The counter exists in era ERA (enum era_id). */
bool		 stat_in_era(enum stat_id, unsigned era);
/* The counter called NAME (LEN bytes), or -1. */
int		 stat_lookup(const char *name, unsigned long len);

#endif
