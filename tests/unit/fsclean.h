/*
 * What the suites that drive a whole fs share: assert, after an
 * operation, that every structure holds its own invariants (fs_check:
 * the page cache's dirty map exact, the maps well formed, ...) and that
 * the invariant checker (inv_check) finds nothing.
 */
#ifndef TESTS_UNIT_FSCLEAN_H
#define TESTS_UNIT_FSCLEAN_H

#include <check.h>
#include "sim/fs.h"
#include "sim/inv.h"

static inline void
clean(struct fs *fs)
{
	struct inv_report r = { 0 };
	const char *why = "";

	ck_assert_msg(fs_check(fs, &why) == 0, "fs_check: %s", why);
	inv_check(fs, &r);
	ck_assert_msg(r.n == 0, "invariant %s: %s",
	    r.n ? inv_kind_name(r.f[0].kind) : "", r.n ? r.f[0].what : "");
	inv_report_free(&r);
}

#endif
