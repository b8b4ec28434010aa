#!/bin/sh
# bench/run.sh: every figure of BENCHMARKS.md, as `make bench` runs it.
#
#   bench/run.sh [BENCH [BLKSIM [SCENARIOS]]] [-- BENCH-OPTIONS...]
#
# First the timed figures (bench/bench, which pins itself to one CPU),
# then the read path again as instruction counts under callgrind, which
# no other process on the machine can disturb: the model's cold read of
# CG_PAGES pages against the floor loop over the same bytes.  Exit status
# is the timed run's: 0 when every target was met.
set -u

bench=${1:-./bench/bench}
blksim=${2:-./src/blksim}
scenarios=${3:-scenarios}
[ $# -ge 3 ] && shift 3 || shift $#
[ "${1:-}" = "--" ] && shift
pages=${CG_PAGES:-8192}

"$bench" --blksim="$blksim" --scenarios="$scenarios" "$@"
status=$?

echo
echo "== read path under callgrind: instructions per 4 KiB page ($pages pages)"
if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind not found: skipped"
	exit $status
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

# Instructions executed inside the function named $1 while running $2...
count() {
	fn=$1
	shift
	valgrind --tool=callgrind --callgrind-out-file="$tmp/out" \
	    --collect-atstart=no --toggle-collect="$fn" "$@" \
	    >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; echo 0; return; }
	sed -n 's/^totals: *//p; s/^summary: *//p' "$tmp/out" | head -n 1
}

gen=$(count 'cg_floor_pages*' "$bench" floorpages "$pages" gen)
fill=$(count 'cg_floor_pages*' "$bench" floorpages "$pages" fill)
old=$(count 'cg_old_floor_pages*' "$bench" floorpages "$pages" old)
echo "(valgrind has no AVX-512: the model and the generated floor run their"
echo "one-word-at-a-time loops here; memset's Ir is a rep stosb's count)"
printf '%-46s %12s %9s %7s %10s\n' figure "Ir/page" "floor" ratio target
for kind in clean fill corrupt pinned old; do
	floor=$gen
	case $kind in
	clean)	what="read generated, no faults"; limit=4.00 ;;
	fill)	what="read fill, no faults"; limit=3.00; floor=$fill ;;
	corrupt) what="read, mirror 1 of 2 all corrupt"; limit=5.00 ;;
	pinned)	what="  same, pinned to mirror=1"; limit=- ;;
	old)	what="read generated, against the old floor"; limit=-
		floor=$old ;;
	esac
	ir=$(count 'cg_read_pages*' "$bench" readpages "$pages" \
	    "$([ "$kind" = old ] && echo clean || echo "$kind")")
	awk -v what="$what" -v ir="$ir" -v fl="$floor" -v n="$pages" \
	    -v limit="$limit" 'BEGIN {
		r = fl > 0 ? ir / fl : 0
		v = limit == "-" ? "(context)" : \
		    (r <= limit + 0 ? "within" : "over")
		printf "%-46s %12.0f %9.0f %6.2fx %10s  %s\n", what, ir / n,
		    fl / n, r, limit == "-" ? "-" : "<= " limit "x", v
	}'
done
exit $status
