#!/bin/sh
#
# tests/fuzz.sh: `blksim fuzz` end to end, in both eras.  A TAP test for
# automake's TAP driver.
#
# With every quirk off a fixed run of each era finds no anomaly, and two
# runs print the same; with each quirk on, a fixed seed rediscovers that
# quirk's failure (its oracle signature), writes a reproducer of at most
# 15 statements that names the seed and the command, that `blksim run`
# fails on, and that shows no anomaly with every quirk off (a documented
# latent defect of the fixed 2008 code may show); a modern quirk's
# reproducer also passes `blksim run` with the quirk turned off.  Bad
# options (a quirk or preset of the other era among them) are usage
# errors and an unwritable output directory is exit status 3.
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
# era, seed, runs: a clean run finds nothing, prints the same twice and
# writes no reproducer.
while read -r era seed runs; do
	tap_run fuzz -q --era="$era" --seed="$seed" --runs="$runs" \
	    --out="$tmp/post-$era"
	tap_check_exit 0 "$era: fuzz of $runs scenarios with every quirk off"
	if head -1 "$tmp/out" | grep -qx "blksim fuzz: $runs scenarios, no anomaly"
	then
		tap_ok "$era: fuzz with every quirk off finds no anomaly"
	else
		tap_not_ok "$era: fuzz with every quirk off finds no anomaly"
		tap_diag <"$tmp/out"
	fi
	cp "$tmp/out" "$tmp/first"
	tap_run fuzz -q --era="$era" --seed="$seed" --runs="$runs" \
	    --out="$tmp/post-$era"
	if cmp -s "$tmp/out" "$tmp/first"; then
		tap_ok "$era: the same seed prints the same"
	else
		tap_not_ok "$era: the same seed prints the same"
	fi
	if [ -z "$(ls -A "$tmp/post-$era" 2>/dev/null)" ]; then
		tap_ok "$era: a clean run writes no reproducer"
	else
		tap_not_ok "$era: a clean run writes no reproducer"
	fi
done <<'CLEAN'
2008 1 60
modern 1 60
CLEAN

# --- rediscovery, one quirk at a time -----------------------------------------
# era, quirk, seed, runs (a bound above the scenario that finds it),
# signature.
while read -r era quirk seed runs sig; do
	out=$tmp/$quirk
	opts=--seed=$seed
	[ "$era" = 2008 ] || opts="--era=$era $opts"
	# shellcheck disable=SC2086
	tap_run fuzz -q $opts --runs="$runs" --quirk="$quirk=on" --out="$out"
	tap_check_exit 1 "$quirk: fuzz $opts"
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
	if grep -q "^# Found by \`blksim fuzz $opts --quirk=$quirk=on\`" \
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
	[ "$era" = 2008 ] && continue
	if [ "$(grep -v '^#' "$repro" | head -1)" = "era $era" ]; then
		tap_ok "$quirk: the reproducer opens with its era"
	else
		tap_not_ok "$quirk: the reproducer opens with its era"
	fi
	tap_run run --quirk="$quirk=off" "$repro"
	tap_check_exit 0 "$quirk: blksim run --quirk=$quirk=off on the reproducer"
done <<'TABLE'
2008 retry-get-extent 12 50 deadlock
2008 drop-whole 11 20 eio retry-lost
2008 truncate-unaligned 11 20 violation unaligned
2008 hole-drop-length 8 50 oops btrfs_drop_extent_cache
2008 insert-eexist-eio 9 20 eio insert-eexist
2008 nocsum-eio 5 20 eio good-copy
2008 alloc-underflow 5 20 enospc alloc
2008 retry-miss-oops 10 100 oops btrfs_io_failed_hook
modern repair-disabled 6 20 eio good-copy
modern no-corruption-count 8 20 devstats corruption_errs
modern repair-one-mirror 12 50 repair left-damaged
modern write-error-read-count 9 20 devstats read_io_errs
modern scrub-ro-writes 10 20 scrub readonly-writes
modern scrub-final-counts 4 20 scrub totals
modern repair-endless 8 20 hang
modern dio-retry-deref 4 20 oops btrfs_retry_endio
modern dio-repair-offset 7 100 oops __btrfs_correct_data_nocsum
TABLE

# --- without --seed --------------------------------------------------------
# Each campaign draws its own seed and names it; that seed repeats it.
tap_run fuzz -q --runs=5 --out="$tmp/noseed"
tap_check_exit 0 "fuzz without --seed"
seed1=$(sed -n '1s/^blksim fuzz: no --seed given; this run is --seed=\(0x[0-9a-f]*\)$/\1/p' "$tmp/out")
cp "$tmp/out" "$tmp/noseed1"
tap_run fuzz -q --runs=5 --out="$tmp/noseed"
seed2=$(sed -n '1s/^blksim fuzz: no --seed given; this run is --seed=\(0x[0-9a-f]*\)$/\1/p' "$tmp/out")
if [ -n "$seed1" ] && [ -n "$seed2" ] && [ "$seed1" != "$seed2" ]; then
	tap_ok "fuzz without --seed names a fresh seed each time"
else
	tap_not_ok "fuzz without --seed names a fresh seed each time"
	tap_diag <"$tmp/noseed1"
	tap_diag <"$tmp/out"
fi
tap_run fuzz -q --runs=5 --seed="$seed1" --out="$tmp/noseed"
if tail -n +2 "$tmp/noseed1" | cmp -s - "$tmp/out"; then
	tap_ok "the seed it names repeats the campaign"
else
	tap_not_ok "the seed it names repeats the campaign"
	tap_diag <"$tmp/out"
fi

# --- the progress line, on a terminal ------------------------------------------
if command -v script >/dev/null 2>&1; then
	script -qc "'$BLKSIM' fuzz --seed=1 --time=2 --out='$tmp/prog'" \
	    /dev/null </dev/null | tr '\r' '\n' >"$tmp/prog.txt"
	if grep -Eq '^.*blksim fuzz: [0-9]+ scenarios? \([0-9]+/s\), [0-9]+ with a documented latent defect; [0-9]+ s elapsed, ~[0-9]+ s left$' \
	    "$tmp/prog.txt"; then
		tap_ok "the progress line shows the latent defects, elapsed and left"
	else
		tap_not_ok "the progress line shows the latent defects, elapsed and left"
		tap_diag <"$tmp/prog.txt"
	fi
else
	tap_skip "the progress line on a terminal" "no script(1) to make one"
fi

# --- usage ------------------------------------------------------------------
tap_run fuzz --runs=0
tap_check_exit 2 "fuzz --runs=0"
tap_run fuzz --runs=1 --time=1
tap_check_exit 2 "fuzz --runs and --time together"
tap_run fuzz --time=0
tap_check_exit 2 "fuzz --time=0"
tap_run fuzz --quirk=nocsum-eio=on --seed=5 --runs=20 -q --out=/dev/null/x
tap_check_exit 3 "fuzz with an output directory that cannot be made"
tap_run fuzz --era=modern --quirk=nocsum-eio=on --runs=1
tap_check_exit 2 "fuzz --era=modern with a quirk of 2008"
tap_run fuzz --quirk=repair-disabled=on --runs=1
tap_check_exit 2 "fuzz in 2008 with a modern quirk"
tap_run fuzz --era=modern --preset=pre-patch --runs=1
tap_check_exit 2 "fuzz --era=modern with a preset of 2008"
tap_done
