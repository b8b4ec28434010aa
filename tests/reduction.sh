#!/bin/sh
# TAP test: partial-order reduction and the state cache keep every verdict.
#
# Explored concurrent blocks use sleep sets (--reduction=sleep-sets, the
# default), which run one schedule of each class of schedules that differ
# only in the order of independent steps; --reduction=state adds the state
# cache (sim/states.h), which cuts a run at a state explored before.  That is sound only if sim/fs.c
# declares every object its tasks, end-io workers and device completions
# share outside a sched lock (sched_touch()).  A missing declaration makes
# two steps look independent when their order matters, and the reduction
# then loses an outcome.  This test looks for such a loss by running each
# scenario with --reduction=none and with --reduction=sleep-sets and
# comparing, per scenario and set of quirks:
#
#  - the -f json reports with the schedule counts blanked out: the same
#    points pass and fail with the same texts, so the same deadlock
#    verdict and the same first failing, deadlocking and completed
#    schedules (sched.c keeps those);
#  - each task's set of outcomes over all schedules (ok, eio, enospc,
#    oops): in a copy where every task expects every outcome but one, a
#    task's point fails exactly when some schedule gave it that one (the
#    reports of the four copies are compared too);
#  - the schedule counts, from the report or from a copy whose `end' line
#    expects the opposite: never more with the reduction, and the run
#    without it must have run every schedule, or comparing means nothing.
#
# And on quirk1-deadlock.scn with retry-get-extent on, the reduction must
# prune and still find the deadlock.
#
# Scenarios: every one under scenarios/ and scenarios/history/ with a
# `concurrent schedule=explore' block, and a few small races written below
# (writes, truncates and cache drops against reads of the same file and of
# others, the mirror choice, delayed allocation, ENOSPC, and an oops that
# another task may or may not finish before).  Quirks: none,
# the pre-patch preset, retry-miss-oops on alone and with pre-patch, and
# each quirk a scenario guards on alone.  With FILE arguments, those files
# are compared instead (a new race tried by hand).  The races catch what
# they were written for: without sched.c's rule that an oops depends on
# every step, oops.scn fails; without fs.c's declarations of inode state,
# cached.scn and eof.scn do.
# Environment (from Makefile.am): BLKSIM, SRCDIR.
set -u
: "${BLKSIM:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/tap.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/blksim-reduction.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

outcomes="ok eio enospc oops"
mkdir "$tmp/v" "$tmp/hand" || tap_bail "cannot make directories in $tmp"

# --- variants of a scenario --------------------------------------------------

# FILE with every task of its explored blocks expecting $2 instead (keys
# dropped).
expect_variant() {
	awk -v want="$2" '/^[ \t]*concurrent([ \t#]|$)/ {
		blk = /schedule=explore/; print; next }
	    /^[ \t]*end([ \t#]|$)/ { blk = 0; print; next }
	    blk && !/^[ \t]*(#|$)/ { sub(/[ \t]*#.*/, "");
		sub(/[ \t]+expect([ \t].*)?$/, ""); print $0 " expect " want;
		next }
	    { print }' "$1"
}

# FILE with every explored block expecting the opposite deadlock verdict.
flip_variant() {
	awk '/^[ \t]*concurrent([ \t#]|$)/ { blk = /schedule=explore/ }
	    blk && /^[ \t]*end([ \t#]|$)/ { sub(/[ \t]*#.*/, "");
		if (/no-deadlock/ || !/expect/) print "end expect deadlock";
		else print "end expect no-deadlock";
		blk = 0; next }
	    { print }' "$1"
}

# The lines of FILE's tasks in explored blocks, one a line.
task_lines() {
	awk '/^[ \t]*concurrent([ \t#]|$)/ { blk = /schedule=explore/; next }
	    /^[ \t]*end([ \t#]|$)/ { blk = 0; next }
	    blk && !/^[ \t]*(#|$)/ { print NR }' "$1"
}

# Scenario N (from 1) is FILE: write its variants $tmp/v/N.VARIANT.scn.
add_scenario() {
	cp "$2" "$tmp/v/$1.orig.scn"
	flip_variant "$2" >"$tmp/v/$1.flip.scn"
	for oc in $outcomes; do
		others=$(echo "$outcomes" | tr ' ' '\n' | grep -vx "$oc" |
		    paste -sd '|' -)
		expect_variant "$2" "$others" >"$tmp/v/$1.$oc.scn"
	done
	echo "$2" >"$tmp/v/$1.path"
	task_lines "$2" | paste -sd ' ' - >"$tmp/v/$1.tasks"
}

# --- small races the bundled scenarios do not have ------------------------------

cat >"$tmp/hand/overwrite.scn" <<'SCN'
# A read with a retry races an overwrite of the same pages.
fs mirrors=2 workers=1
create a
write a 0 16K
corrupt a 0 4K mirror=1
drop-caches 1
concurrent schedule=explore
  read a 0 8K mirror=1 expect ok data=intact retries=2
  write a 4K 8K
end
expect coherent a
SCN
cat >"$tmp/hand/truncate.scn" <<'SCN'
# Truncating down races a failing read of the pages it removes.
fs mirrors=2 workers=1
create a
write a 0 16K
corrupt a 8K 4K mirror=1
drop-caches 1
concurrent schedule=explore
  read a 4K 12K mirror=1 expect ok data=intact
  truncate a 6000
end
expect size a 6000
SCN
cat >"$tmp/hand/hole.scn" <<'SCN'
# Hole filling races a read past the old EOF and a cache drop.
fs mirrors=2 workers=1
create a
write a 0 6000
drop-caches 3
concurrent schedule=explore
  read a 4K 8K expect ok data=intact
  truncate a 12K
  drop-cache a 0 max
end
SCN
cat >"$tmp/hand/delalloc.scn" <<'SCN'
# Delayed allocation: a nosync write, a sync and a read of the file.
fs mirrors=2 workers=1 size=64K
create a
write a 0 8K
drop-caches 3
concurrent schedule=explore
  write a 4K 8K nosync
  sync
  read a 0 8K expect ok data=intact
end
SCN
cat >"$tmp/hand/mirrors.scn" <<'SCN'
# The default mirror choice counts every bio, pinned ones included.
fs mirrors=3 workers=1
create a
create b
write a 0 4K
write b 0 4K
drop-caches 1
concurrent schedule=explore
  read a 0 4K expect ok mirror=1
  read b 0 4K mirror=1
  write b 0 4K
end
SCN
cat >"$tmp/hand/enospc.scn" <<'SCN'
# Two writes race for the last free space while a truncate frees some.
fs mirrors=2 workers=1 size=64K
create a
create b
write a 0 24K
drop-caches 1
concurrent schedule=explore
  write a 24K 16K
  write b 0 16K
  truncate a 8K
end
SCN
cat >"$tmp/hand/cached.scn" <<'SCN'
# A read of a cached page races a truncate down across it.
fs mirrors=2 workers=1
create a
write a 0 16K fill=0x41
concurrent schedule=explore
  read a 8K 4K expect ok data=0x41
  truncate a 8K
end
SCN
cat >"$tmp/hand/eof.scn" <<'SCN'
# A read up to the end of the file races a truncate up.
fs mirrors=2 workers=1
create a
write a 0 8K fill=0x41
concurrent schedule=explore
  read a 4K 8K expect ok data=0x41
  truncate a 16K
end
SCN
cat >"$tmp/hand/reads.scn" <<'SCN'
# Two reads of one file race for a page lock and the retries of a bad
# copy, the file's metadata not cached (get_extent waits for it, at a
# program point the reads do not declare).
fs mirrors=2 workers=1
create a
write a 0 8K
corrupt a 4K 4K mirror=1
drop-caches 3
concurrent schedule=explore
  read a 0 8K mirror=1 expect ok data=intact
  read a 4K 4K expect ok data=intact
end
SCN
cat >"$tmp/hand/oops.scn" <<'SCN'
# A task oopses; another, independent of it, may finish first or not.
fs mirrors=2 workers=1
create a
create b
write a 0 128K
write b 0 4K
drop-cache a 64K 4K
drop-caches 1
read a 0 4K
read a 64K 4K
expect violation overlap
concurrent schedule=explore
  truncate a 100K expect oops
  drop-cache b 0 max
end
SCN

n=0
if [ $# -gt 0 ]; then
	for f in "$@"; do
		n=$((n + 1))
		add_scenario "$n" "$f"
	done
else
	for f in "$SRCDIR"/scenarios/*.scn "$SRCDIR"/scenarios/history/*.scn \
	    "$tmp"/hand/*.scn; do
		grep -Eq '^[[:space:]]*concurrent[[:space:]].*schedule=explore' \
		    "$f" || continue
		n=$((n + 1))
		add_scenario "$n" "$f"
	done
fi
[ "$n" -gt 0 ] || tap_bail "no scenario with an explored block"

# The quirk options, one argument list a line.
{
	echo ""
	echo "--preset=pre-patch"
	echo "--quirk=retry-miss-oops=on"
	echo "--preset=pre-patch --quirk=retry-miss-oops=on"
	cat "$tmp"/v/*.orig.scn | sed -n 's/#.*//; s/^[ \t]*guards[ \t]//p' |
	    tr -s ' \t' '\n' | grep -v -e '^$' -e '^retry-miss-oops$' |
	    sort -u | sed 's/^/--quirk=/; s/$/=on/'
} >"$tmp/configs"

# --- run and compare ---------------------------------------------------------------

# run MODE OUT [OPTION...]: every variant of every scenario in one run, the
# JSON report in OUT.raw and, with schedule counts blanked, in OUT.
run() {
	run_mode=$1 run_out=$2
	shift 2
	"$BLKSIM" run -q -f json --reduction="$run_mode" "$@" "$tmp"/v/*.scn \
	    >"$run_out.raw" 2>"$run_out.err" </dev/null
	echo $? >"$run_out.status"
	sed -e 's/deadlock in [0-9]* of [0-9]* schedules\{0,1\}/deadlock in D of N schedules/g' \
	    -e 's/no deadlock in [0-9]* schedules\{0,1\}/no deadlock in N schedules/g' \
	    -e 's/"schedules":[0-9]*/"schedules":N/g' \
	    "$run_out.raw" >"$run_out"
}

# compare C: one line per scenario N of the runs C.none and C.ss:
#	N;variants whose reports differ;outcome sets;
#	  schedules without the reduction;with it
# where a count is "N all", "N cut" (not every schedule ran), "N deadlock"
# (cannot tell) or empty.  Task lines come from $tmp/v/N.tasks.
compare() {
	awk -v n="$n" -v dir="$tmp/v/" -v outcomes="$outcomes" '
	function key(line,   f) {
		f = line
		sub(/^\{"file":"/, "", f)
		sub(/".*/, "", f)
		sub(/.*\//, "", f)
		return f
	}
	function count(line,   m) {
		if (match(line, /deadlock in [0-9]+ of [0-9]+ schedules?/)) {
			m = substr(line, RSTART, RLENGTH)
			sub(/.* of /, "", m); sub(/ .*/, "", m)
			return m " deadlock"
		}
		if (match(line, /no deadlock in [0-9]+ schedules?[^"]*/)) {
			m = substr(line, RSTART, RLENGTH)
			sub(/no deadlock in /, "", m)
			return (m ~ /all of them/) ? (m + 0) " all" : (m + 0) " cut"
		}
		return ""
	}
	# Did the point of LINE fail in report R?
	function failed(r, line,   pre, p, rest) {
		pre = "{\"line\":" line ",\"what\":\""
		while ((p = index(r, pre)) > 0) {
			rest = substr(r, p + length(pre))
			rest = substr(rest, index(rest, "\"") + 1)
			if (substr(rest, 1, 11) == ",\"ok\":false")
				return 1
			r = rest
		}
		return 0
	}
	FNR == 1 { file++ }
	/^\{"file":/ {
		line = $0
		sub(/,$/, "", line)
		rep[file, key(line)] = line
	}
	END {
		nv = split("orig flip " outcomes, vs, " ")
		no = split(outcomes, ocs, " ")
		for (k = 1; k <= n; k++) {
			differ = ""
			for (i = 1; i <= nv; i++) {
				f = k "." vs[i] ".scn"
				if (!((1, f) in rep) || rep[1, f] != rep[2, f])
					differ = differ " " vs[i]
			}
			sets = ""
			nt = 0
			if ((getline tl < (dir k ".tasks")) > 0)
				nt = split(tl, tasks, " ")
			close(dir k ".tasks")
			for (t = 1; t <= nt; t++) {
				seen = ""
				for (i = 1; i <= no; i++)
					if (failed(rep[1, k "." ocs[i] ".scn"],
					    tasks[t]))
						seen = seen (seen == "" ? "" : ",") ocs[i]
				sets = sets " line " tasks[t] " {" seen "}"
			}
			full = count(rep[3, k ".orig.scn"])
			reduced = count(rep[4, k ".orig.scn"])
			if (full == "") {
				full = count(rep[3, k ".flip.scn"])
				reduced = count(rep[4, k ".flip.scn"])
			}
			printf "%d;%s;%s;%s;%s\n", k, differ, sets, full, reduced
		}
	}' "$1.none" "$1.ss" "$1.none.raw" "$1.ss.raw"
}

# Show how the reports of variant $2 differ in run $1, one point a line.
show_diff() {
	for m in none ss; do
		grep -F "/v/$2\"" "$1.$m" | sed 's/},{/},\n{/g' >"$tmp/diff.$m"
	done
	diff "$tmp/diff.none" "$tmp/diff.ss" | head -n 20 | tap_diag
}

ci=0
while IFS= read -r opts; do
	ci=$((ci + 1))
	c="$tmp/c$ci"
	# shellcheck disable=SC2086
	run none "$c.none" $opts
	for mode in sleep-sets state; do
	# shellcheck disable=SC2086
	run $mode "$c.ss" $opts
	if [ "$(cat "$c.none.status")" = "$(cat "$c.ss.status")" ] &&
	    cmp -s "$c.none.err" "$c.ss.err"; then
		tap_ok "quirks '${opts:-default}', $mode: same exit status and messages"
	else
		tap_not_ok "quirks '${opts:-default}', $mode: same exit status and messages"
		cat "$c.none.err" "$c.ss.err" | tap_diag
	fi
	compare "$c" >"$c.cmp"
	while IFS=';' read -r k differ sets full reduced; do
		path=$(cat "$tmp/v/$k.path")
		label="${path##*/}${opts:+ $opts}, $mode"
		if [ -z "$differ" ]; then
			tap_ok "$label: same verdicts; outcomes$sets"
		else
			tap_not_ok "$label: the reports differ:$differ (outcomes$sets)"
			for v in $differ; do
				show_diff "$c" "$k.$v.scn"
			done
		fi
		case $full in
		*" all"|*" deadlock")
			if [ -n "$reduced" ] &&
			    [ "${reduced%% *}" -le "${full%% *}" ]; then
				tap_ok "$label: ${reduced%% *} of ${full%% *} schedules"
			else
				tap_not_ok "$label: the reduction runs more schedules (${reduced:-none} > $full)"
			fi ;;
		*)	tap_not_ok "$label: --reduction=none runs every schedule (${full:-no count})" ;;
		esac
		# The historical deadlock: pruned, and still found.
		if [ "${path##*/}" != quirk1-deadlock.scn ] ||
		    [ "$opts" != --quirk=retry-get-extent=on ]; then
			continue
		fi
		if [ "${full#* }" = deadlock ] && [ "${reduced#* }" = deadlock ] &&
		    [ "${reduced%% *}" -lt "${full%% *}" ]; then
			tap_ok "$label: the deadlock is found in ${reduced%% *} of ${full%% *} schedules"
		else
			tap_not_ok "$label: the reduction prunes and finds the deadlock (${reduced:-none} of ${full:-none})"
		fi
	done <"$c.cmp"
	done
done <"$tmp/configs"

tap_done
