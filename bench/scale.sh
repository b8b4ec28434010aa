#!/bin/sh
#
# bench/scale.sh: how the cost of `blksim run` grows with the size of the
# work, for BENCHMARKS.md's scale curves.  Not part of `make check`.
#
#	sh bench/scale.sh BLKSIM [REDUCTION] [DIMENSION...]
#
# Each dimension is a family of generated scenarios with one knob N (the
# statements, the cached maps, the files, the pages read, the corrupt
# sectors read, the tasks of an explored block); for each N the line
# "DIMENSION N SECONDS" gives the median wall time of 3 runs of
# `BLKSIM run` on it (the process start included), and for each step of
# 10x a line "DIMENSION ratio N1->N2 R" the ratio of the times.  The
# explored blocks (tasks, retrying, clean) run with --reduction=REDUCTION
# (default sleep-sets; an older blksim without the option: pass "").
# Exit status 0; a run that fails the scenario prints "FAILED".
#
# The scenarios:
#   statements  N appended 4 KiB writes to one file
#   maps        N 4 KiB writes to each of two files, interleaved so that
#               no two extents of a file merge, then a cold read of one
#               file: N cached maps that do not merge
#   files       N files of one 4 KiB write each
#   pages       one cold read of an N-page file
#   faults      a cold read of a 2N-page file with N corrupt sectors on
#               mirror 1 (each retried on mirror 2)
#   tasks       an explored block of N clean concurrent reads, one file
#               each (N = 2..5)
#   retrying    an explored block of 3 concurrent reads of three files
#               with a corrupt first copy, one end-io worker
#   tasks-warm, retrying-warm
#               the same after `drop-caches 1` instead of 3: the files'
#               metadata stays cached, so a read takes fs_mutex without
#               a metadata read under it (the blocks issue 14 counted:
#               sleep sets run 16, 288, 9216 schedules for 2, 3, 4 tasks)
set -u
blksim=${1:?usage: scale.sh BLKSIM [REDUCTION] [DIMENSION...]}
shift
red=${1-sleep-sets}
[ $# -gt 0 ] && shift
dims=${*:-statements maps files pages faults tasks retrying}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/blksim-scale.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

gen() {
	dim=$1 n=$2
	case $dim in
	statements)
		awk -v n="$n" 'BEGIN { print "fs mirrors=2"; print "create a"
		    for (i = 0; i < n; i++) printf "write a %d 4K\n", i * 4096 }' ;;
	maps)
		awk -v n="$n" 'BEGIN { print "fs mirrors=2"
		    print "create a"; print "create b"
		    for (i = 0; i < n; i++) {
			printf "write a %d 4K\n", i * 4096
			printf "write b %d 4K\n", i * 4096
		    }
		    print "drop-caches 3"
		    printf "read a 0 %d\n", n * 4096 }' ;;
	files)
		awk -v n="$n" 'BEGIN { print "fs mirrors=2"
		    for (i = 0; i < n; i++) {
			printf "create f%d\n", i; printf "write f%d 0 4K\n", i
		    } }' ;;
	pages)
		awk -v n="$n" 'BEGIN { print "fs mirrors=2 size=2G"; print "create a"
		    printf "write a 0 %d\n", n * 4096; print "drop-caches 3"
		    printf "read a 0 %d\n", n * 4096 }' ;;
	faults)
		awk -v n="$n" 'BEGIN { print "fs mirrors=2"; print "create a"
		    printf "write a 0 %d\n", n * 8192
		    for (i = 0; i < n; i++)
			printf "corrupt a %d 4K mirror=1\n", i * 8192
		    print "drop-caches 3"
		    printf "read a 0 %d mirror=1\n", n * 8192 }' ;;
	tasks)
		awk -v n="$n" 'BEGIN { print "fs mirrors=2 workers=1"
		    for (i = 0; i < n; i++) {
			printf "create f%d\n", i; printf "write f%d 0 4K\n", i
		    }
		    print "drop-caches 3"
		    print "concurrent schedule=explore max-schedules=1000000"
		    for (i = 0; i < n; i++) printf "  read f%d 0 4K\n", i
		    print "end expect no-deadlock" }' ;;
	retrying)
		awk 'BEGIN { print "fs mirrors=2 workers=1"
		    for (i = 0; i < 3; i++) {
			printf "create f%d\n", i; printf "write f%d 0 4K\n", i
			printf "corrupt f%d 0 4K mirror=1\n", i
		    }
		    print "drop-caches 3"
		    print "concurrent schedule=explore max-schedules=1000000"
		    for (i = 0; i < 3; i++)
			printf "  read f%d 0 4K mirror=1 expect ok mirror=2\n", i
		    print "end expect no-deadlock" }' ;;
	esac
}

# The median of 3 wall times of BLKSIM on FILE (with the reduction option
# for an explored block), or FAILED.
timeit() {
	file=$1 opt=$2
	for rep in 1 2 3; do
		s=$(date +%s.%N)
		# shellcheck disable=SC2086
		if "$blksim" run -q $opt "$file" >/dev/null 2>&1; then
			e=$(date +%s.%N)
			echo "$e - $s" | bc
		else
			echo FAILED
		fi
	done | sort -n | sed -n 2p
}

for dim in $dims; do
	case $dim in
	statements) ns="90 900 9000" ;;	# a file holds 10000 at most
	maps|files|faults) ns="40 400 4000" ;;
	pages) ns="2500 25000 250000" ;;
	tasks|tasks-warm) ns="2 3 4 5" ;;
	retrying|retrying-warm) ns="3" ;;
	*) echo "unknown dimension $dim" >&2; exit 2 ;;
	esac
	opt=
	case $dim in tasks*|retrying*) [ -n "$red" ] && opt="--reduction=$red" ;; esac
	prev= prevn=
	for n in $ns; do
		case $dim in
		*-warm) gen "${dim%-warm}" "$n" |
			    sed 's/^drop-caches 3$/drop-caches 1/' ;;
		*) gen "$dim" "$n" ;;
		esac >"$tmp/$dim-$n.scn"
		t=$(timeit "$tmp/$dim-$n.scn" "$opt")
		echo "$dim $n $t"
		if [ -n "$prev" ] && [ "$t" != FAILED ] && [ "$prev" != FAILED ] &&
		    [ "$dim" != tasks ]; then
			printf '%s ratio %s->%s %.2f\n' "$dim" "$prevn" "$n" \
			    "$(echo "scale=3; $t / $prev" | bc)"
		fi
		prev=$t prevn=$n
	done
done
