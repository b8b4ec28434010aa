/* Counter names, indexed by enum stat_id. */
#include <string.h>

#include "stat.h"

static const char *const stat_names[STAT_COUNT] = {
	[STAT_DATA_READS] = "data_reads",
	[STAT_RETRIES] = "retries",
	[STAT_CSUM_ERRORS] = "csum_errors",
	[STAT_IO_ERRORS] = "io_errors",
	[STAT_EIO] = "eio",
	[STAT_RETRY_CACHE_HITS] = "retry_cache_hits",
	[STAT_RETRY_CACHE_MISSES] = "retry_cache_misses",
	[STAT_METADATA_READS] = "metadata_reads",
	[STAT_EM_SPLITS] = "em_splits",
	[STAT_EM_MERGES] = "em_merges",
	[STAT_ALLOCATIONS] = "allocations",
	[STAT_DEADLOCKS] = "deadlocks",
	[STAT_REPAIR_WRITES] = "repair_writes",
	[STAT_WRITE_ERRORS] = "write_errors",
};

/* Counters of one era only: the 2008 retry's cache lookups, the modern
 * repair's write-backs.  Every other counter is in both. */
static const unsigned char stat_only[STAT_COUNT] = {
	[STAT_RETRY_CACHE_HITS] = 1,		/* 2008: era 0, stored + 1 */
	[STAT_RETRY_CACHE_MISSES] = 1,
	[STAT_REPAIR_WRITES] = 2,		/* modern */
};

bool
stat_in_era(enum stat_id id, unsigned era)
{
	return stat_only[id] == 0 || stat_only[id] == era + 1;
}

const char *
stat_name(enum stat_id id)
{
	return stat_names[id];
}

int
stat_lookup(const char *name, unsigned long len)
{
	for (int i = 0; i < STAT_COUNT; i++) {
		if (strlen(stat_names[i]) == len &&
		    memcmp(stat_names[i], name, len) == 0)
			return i;
	}
	return -1;
}
