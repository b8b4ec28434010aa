#!/bin/sh
#
# tests/fuzz.sh: `blksim fuzz` end to end.  A TAP test for automake's TAP
# driver.
#
# With every quirk off a fixed run finds no anomaly, and two runs print the
# same; with each quirk on, a fixed seed rediscovers that quirk's failure
# (its oracle signature), writes a reproducer of at most 15 statements that
# names the seed and the command, that `blksim run` fails on, and that
# shows no anomaly with every quirk off (a documented latent defect of the
# fixed code may show); bad options are usage errors and an
# unwritable output directory is exit status 3.
#
# Environment: BLKSIM, the blksim binary; SRCDIR, the top source directory.

: "${SRCDIR:?SRCDIR must name the top source directory}"
BLKSIM=${BLKSIM-}
if [ -z "$BLKSIM" ] || [ ! -x "$BLKSIM" ]; then
	echo "Bail out! BLKSIM '$BLKSIM' is not an executable"
	exit 99
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/blksim-fuzz.XXXXXX") || {
	echo "Bail out! cannot create a temporary directory"
	exit 99
}
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

. "$SRCDIR/tests/tap.sh"

# --- every quirk off ---------------------------------------------------------
tap_run fuzz -q --seed=1 --runs=60 --out="$tmp/post"
tap_check_exit 0 "post-patch fuzz of 60 scenarios"
if head -1 "$tmp/out" | grep -qx 'blksim fuzz: 60 scenarios, no anomaly'; then
	tap_ok "post-patch fuzz finds no anomaly"
else
	tap_not_ok "post-patch fuzz finds no anomaly"
	tap_diag <"$tmp/out"
fi
cp "$tmp/out" "$tmp/first"
tap_run fuzz -q --seed=1 --runs=60 --out="$tmp/post"
if cmp -s "$tmp/out" "$tmp/first"; then
	tap_ok "the same seed prints the same"
else
	tap_not_ok "the same seed prints the same"
fi
if [ -z "$(ls -A "$tmp/post" 2>/dev/null)" ]; then
	tap_ok "a clean run writes no reproducer"
else
	tap_not_ok "a clean run writes no reproducer"
fi

# --- rediscovery, one quirk at a time -----------------------------------------
# quirk, seed, runs (a bound above the scenario that finds it), signature.
while read -r quirk seed runs sig; do
	out=$tmp/$quirk
	tap_run fuzz -q --seed="$seed" --runs="$runs" --quirk="$quirk=on" \
	    --out="$out"
	tap_check_exit 1 "$quirk: fuzz --seed=$seed"
	if head -1 "$tmp/out" | grep -q "^blksim fuzz: $sig in scenario "; then
		tap_ok "$quirk: finds \`$sig'"
	else
		tap_not_ok "$quirk: finds \`$sig'"
		tap_diag <"$tmp/out"
	fi
	if grep -q '^  with every quirk off: \(no anomaly\|it shows only a documented latent defect\)$' \
	    "$tmp/out"; then
		tap_ok "$quirk: the scenario is clean with every quirk off"
	else
		tap_not_ok "$quirk: the scenario is clean with every quirk off"
		tap_diag <"$tmp/out"
	fi
	set -- "$out"/blksim-fuzz-*.scn
	if [ $# -ne 1 ] || [ ! -f "$1" ]; then
		tap_not_ok "$quirk: one reproducer written"
		continue
	fi
	tap_ok "$quirk: one reproducer written"
	repro=$1
	n=$(grep -v '^#' "$repro" | grep -c .)
	if [ "$n" -le 15 ]; then
		tap_ok "$quirk: reproducer of $n statements (at most 15)"
	else
		tap_not_ok "$quirk: reproducer of $n statements (at most 15)"
		tap_diag <"$repro"
	fi
	if grep -q "^# Found by \`blksim fuzz --seed=$seed --quirk=$quirk=on\`" \
	    "$repro" && grep -q "^quirk $quirk on$" "$repro"; then
		tap_ok "$quirk: the reproducer names the command and its quirk"
	else
		tap_not_ok "$quirk: the reproducer names the command and its quirk"
		tap_diag <"$repro"
	fi
	tap_run run "$repro"
	tap_check_exit 1 "$quirk: blksim run on the reproducer"
	tap_run check "$repro"
	tap_check_exit 0 "$quirk: blksim check on the reproducer"
done <<'TABLE'
retry-get-extent 2 400 deadlock
drop-whole 7 100 eio retry-lost
truncate-unaligned 7 100 violation unaligned
hole-drop-length 7 400 oops btrfs_drop_extent_cache
insert-eexist-eio 7 100 eio insert-eexist
nocsum-eio 7 100 eio good-copy
alloc-underflow 7 100 enospc alloc
retry-miss-oops 7 100 oops btrfs_io_failed_hook
TABLE

# --- usage ------------------------------------------------------------------
tap_run fuzz --runs=0
tap_check_exit 2 "fuzz --runs=0"
tap_run fuzz --runs=1 --time=1
tap_check_exit 2 "fuzz --runs and --time together"
tap_run fuzz --time=0
tap_check_exit 2 "fuzz --time=0"
tap_run fuzz --quirk=nocsum-eio=on --seed=7 --runs=100 -q --out=/dev/null/x
tap_check_exit 3 "fuzz with an output directory that cannot be made"
tap_done
