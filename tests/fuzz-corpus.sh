#!/bin/sh
# TAP test: the libFuzzer targets' own checks over their seeds, on a plain
# build.  tests/fuzz/replay_parse and replay_run are fuzz_parse.c and
# fuzz_run.c behind a driver that reads files (tests/fuzz/replay.c); each
# must return on every file of tests/fuzz/corpus/ and every bundled
# scenario, so a target whose checks fall behind the language (a new
# outcome, a new statement) fails here, not first in CI's fuzzing step.
#
# Environment (from Makefile.am): BLKSIM, the program (the drivers are
# found beside it, in the build tree); SRCDIR, the top source directory.
set -u
: "${BLKSIM:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/tap.sh"

top=$(cd "$(dirname "$BLKSIM")/.." && pwd)
rm -f "$top/tests/fuzz-corpus.err"
for t in parse run; do
	drv="$top/tests/fuzz/replay_$t"
	if [ ! -x "$drv" ]; then
		tap_not_ok "fuzz_$t replays its seeds (no $drv: a fuzzing build?)"
		continue
	fi
	n=0 bad=
	for f in "$SRCDIR"/tests/fuzz/corpus/* "$SRCDIR"/scenarios/*.scn \
	    "$SRCDIR"/scenarios/*/*.scn; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		"$drv" "$f" >/dev/null 2>>"$top/tests/fuzz-corpus.err" ||
		    bad="$bad ${f#"$SRCDIR"/}"
	done
	if [ -z "$bad" ] && [ "$n" -gt 0 ]; then
		tap_ok "fuzz_$t runs its checks on $n seeds"
	else
		tap_not_ok "fuzz_$t runs its checks on $n seeds"
		echo "failed on:$bad" | tap_diag
		tap_diag <"$top/tests/fuzz-corpus.err"
	fi
done
rm -f "$top/tests/fuzz-corpus.err"
tap_done
