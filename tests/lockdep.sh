#!/bin/sh
# TAP test: the lockdep-style deadlock and lock-order reports, on every
# bundled deadlock case.
#
# The cases are found, not listed: every bundled scenario with a
# concurrent block, run with each quirk of `blksim quirks` on, whose
# report says *** DEADLOCK *** (the historical quirk 1 scenario and the
# man page's example today; at least two must be found).  For each, in
# the text report:
#  - each entity's first line names it, and a task its statement and
#    line as the scenario file has them ("task 2 (line 29: write b 0 4K):");
#  - each hold says where it was taken and each wait where it began, as
#    "FUNCTION (KERNEL_FUNCTION) at line N";
#  - no line passes 100 columns but the replay line;
#  - every D<n> the report names is in its schedule string;
#  - counts of schedules agree in number ("1 schedule", "2 schedules");
#  - the lock-order note gives where each edge was first seen and draws
#    the unsafe locking scenario with one column per entity;
#  - the replay line reproduces the deadlock in exactly "1 of 1 schedule".
# In JSON, the same as fields: each entity's statement, its holds and
# wait with fn, kernel_fn and line; each lock-order edge with where it
# was first seen.  Last, with workers=2 the man page's example does not
# deadlock and still prints the note with its table.
# Environment (from Makefile.am): BLKSIM, SRCDIR.
set -u
: "${BLKSIM:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/tap.sh"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

quirks=$("$BLKSIM" quirks | awk '$1 ~ /^[0-9]+$/ { print $2 }')
[ -n "$quirks" ] || tap_bail "blksim quirks lists no quirk"

# The logical lines of FILE: a line indented by MIN to MAX spaces goes on
# the one before it (the report's continuations are at 12, those of the
# note's edges at 10).
logical() {
	awk -v min="$2" -v max="$3" '
	{ match($0, /^ */); ind = RLENGTH }
	NR > 1 && ind >= min && ind <= max { prev = prev " " substr($0, ind + 1); next }
	{ if (NR > 1) print prev; prev = $0 }
	END { if (NR > 0) print prev }' "$1"
}

# check_text FILE SCN LABEL: the text report's rules.
check_text() {
	out=$1 scn=$2 label=$3
	report="$tmp/report"
	sed -n '/^    \*\*\* DEADLOCK \*\*\*$/,/^    replay: /p' "$out" >"$report"
	logical "$report" 12 99 >"$tmp/logical"
	sed -n '/^note: /,$p' "$out" | grep '^note: \|^     ' >"$tmp/note"
	logical "$tmp/note" 10 10 >"$tmp/notelines"

	# Tasks name their statements and lines, as the file has them.
	bad=0 ntask=0
	while IFS= read -r line; do
		ntask=$((ntask + 1))
		n=$(printf '%s\n' "$line" | sed 's/^    task [0-9]* (line \([0-9]*\): .*/\1/')
		text=$(printf '%s\n' "$line" | sed 's/^    task [0-9]* (line [0-9]*: \(.*\)):$/\1/')
		src=$(sed -n "${n}p" "$scn" | sed 's/^ *//')
		case $src in
		"$text"*) ;;
		*) bad=1; printf '%s: line %s is "%s"\n' "$line" "$n" "$src" | tap_diag ;;
		esac
	done <<EOF
$(grep '^    task [0-9]' "$tmp/logical")
EOF
	[ "$ntask" -gt 0 ] && [ "$bad" -eq 0 ]
	tap_check $? "$label: each task names its statement and line ($ntask)"
	grep '^    task [0-9]' "$tmp/logical" | grep -v '^    task [0-9]* (line [0-9]*: .*):$' |
	    tap_diag
	grep '^    end-io worker [0-9]* (completing [a-z ]*read D[0-9]* for task [0-9]*, line [0-9]*: ' \
	    "$tmp/logical" >/dev/null
	tap_check $? "$label: the busy worker names its completion and the task's line"

	# Every hold and wait has its site, kernel function included.
	site='[a-z_0-9]* ([a-z_0-9]*)'
	holds=$(grep -c '^        holds ' "$tmp/logical")
	good=$(grep -c "^        holds .*, taken in $site at line [0-9]*\$" "$tmp/logical")
	[ "$holds" -gt 0 ] && [ "$holds" -eq "$good" ]
	tap_check $? "$label: each hold says where it was taken ($good of $holds)"
	waits=$(grep -c '^        waits for ' "$tmp/logical")
	good=$(grep -c "^        waits for .*, in $site\( at line [0-9]*\)\{0,1\}\$" "$tmp/logical")
	[ "$waits" -gt 0 ] && [ "$waits" -eq "$good" ]
	tap_check $? "$label: each wait says where it began ($good of $waits)"

	# 100 columns, the replay line aside.
	cat "$report" "$tmp/note" | grep -v '^    replay: ' |
	    awk 'length($0) > 100' >"$tmp/long"
	long=$(grep -c . "$tmp/long")
	[ "$long" -eq 0 ] && [ -s "$tmp/note" ]
	tap_check $? "$label: no line but the replay passes 100 columns ($long do)"
	tap_diag <"$tmp/long"

	# One numbering for reads: each D<n> named is in the schedule.
	sched=$(sed -n 's/^    schedule: //p' "$tmp/logical" | tr -d ' ')
	bad=0 nd=0
	for d in $(grep -v '^    \(schedule\|replay\): ' "$report" |
	    grep -o 'read D[0-9]*' | sed 's/read //' | sort -u); do
		nd=$((nd + 1))
		case ",$sched," in
		*",$d,"*) ;;
		*) bad=1; echo "$d is not in $sched" | tap_diag ;;
		esac
	done
	[ "$nd" -gt 0 ] && [ "$bad" -eq 0 ]
	tap_check $? "$label: the report's D-numbers are the schedule's ($nd)"

	# Plural agreement.
	bad=$(grep -o '[0-9][0-9]* schedules\{0,1\}\b' "$out" |
	    awk '($1 == 1) != ($2 == "schedule")' | grep -c .)
	[ "$bad" -eq 0 ]
	tap_check $? "$label: schedule counts agree in number"

	# The lock-order note: edges first seen, and the scenario table.
	n_edges=$(grep -c "^      [^ ].* -> .*: first seen in .* taken in $site at line [0-9]*, then .* in $site at line [0-9]*\$" "$tmp/notelines")
	all_edges=$(grep -c ': first seen in ' "$tmp/notelines")
	grep -q '^note: line [0-9]*: possible lock-order cycle: ' "$out" &&
	    [ "$n_edges" -ge 1 ] && [ "$n_edges" -eq "$all_edges" ] &&
	    grep -q '^      possible unsafe locking scenario:$' "$out" &&
	    grep -q '^  *----  *----' "$out" &&
	    grep -q '^        lock(' "$out" &&
	    grep -q '^ \{20,\}lock(' "$out" &&
	    grep -q '^         \*\*\* DEADLOCK \*\*\*$' "$out"
	tap_check $? "$label: the note says where each edge was seen and draws the table"

	# The replay reproduces it, in one schedule.
	replay=$(sed -n 's/^    replay: [^ ]* run //p' "$out")
	# shellcheck disable=SC2086
	"$BLKSIM" run $replay >"$tmp/replay" 2>&1
	grep -q 'got deadlock in 1 of 1 schedule$' "$tmp/replay"
	tap_check $? "$label: the replay line reproduces it in 1 of 1 schedule"
}

# check_json FILE LABEL: the JSON report's fields.
check_json() {
	if ! command -v python3 >/dev/null 2>&1; then
		tap_skip "$2: JSON fields" "no python3"
		return
	fi
	python3 - "$1" >"$tmp/py" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))[0]
dl = d["deadlocks"]
assert len(dl) >= 1, "no deadlock object"
for blk in dl:
    assert blk["cycle"] and blk["schedule"], blk
    sched = blk["schedule"].split(",")
    for e in blk["entities"]:
        st = e["statement"]
        if e["role"] == "task":
            assert st and st["line"] > 0 and st["text"], e
        for h in e["holds"]:
            assert h["fn"] and h["kernel_fn"] and h["line"], h
        w = e["waits"]
        assert w and w["fn"] and w["kernel_fn"], e
        if e["item"]:
            assert e["item"].split(" ")[-1] in sched or \
                e["item"].split(" ")[2] in sched, e["item"]
lo = d["lock_order"]
assert len(lo) >= 1, "no lock-order object"
for c in lo:
    assert c["nedges"] == len(c["edges"]) >= 1, c
    for e in c["edges"]:
        assert e["entity"] and e["statement"]["line"] > 0, e
        assert e["held_fn"] and e["held_kernel_fn"], e
        assert e["fn"] and e["kernel_fn"], e
    assert " -> ".join([x["from"] for x in c["edges"]] +
                       [c["edges"][0]["from"]]) == c["cycle"], c
assert "possible unsafe locking scenario" in d["notes"], d["notes"]
PY
	st=$?
	tap_diag <"$tmp/py"
	tap_check $st "$2: JSON has statements, sites and where each edge was seen"
}

found=0
for scn in "$SRCDIR"/scenarios/*.scn "$SRCDIR"/scenarios/*/*.scn; do
	grep -q '^concurrent' "$scn" || continue
	for q in $quirks; do
		"$BLKSIM" run --quirk="$q=on" "$scn" >"$tmp/out" 2>&1
		grep -q '^    \*\*\* DEADLOCK \*\*\*$' "$tmp/out" || continue
		found=$((found + 1))
		label="${scn#"$SRCDIR"/} with $q"
		check_text "$tmp/out" "$scn" "$label"
		"$BLKSIM" run -f json --quirk="$q=on" "$scn" >"$tmp/json" 2>&1
		check_json "$tmp/json" "$label"
		"$BLKSIM" run -f tap --quirk="$q=on" "$scn" >"$tmp/tap" 2>&1
		grep -q '^# note: .*possible unsafe locking scenario:' "$tmp/tap" &&
		    grep -q 'detail: ".*DEADLOCK.*taken in ' "$tmp/tap"
		tap_check $? "$label: TAP carries the report and the note"
		"$BLKSIM" run -f junit --quirk="$q=on" "$scn" >"$tmp/xml" 2>&1
		grep -q '<system-out>.*possible lock-order cycle' "$tmp/xml" &&
		    grep -q 'taken in ' "$tmp/xml"
		tap_check $? "$label: JUnit carries the report and the note"
	done
done
[ "$found" -ge 2 ]
tap_check $? "the bundled deadlock cases are found ($found)"

# No deadlock with two workers, and still the note with its table.
sed 's/workers=1/workers=2/' "$SRCDIR/scenarios/man-concurrent.scn" >"$tmp/w2.scn"
"$BLKSIM" run -v --quirk=retry-get-extent=on "$tmp/w2.scn" >"$tmp/w2" 2>&1
! grep -q '^    \*\*\* DEADLOCK \*\*\*$' "$tmp/w2" &&
    grep -q '^note: line 10: possible lock-order cycle: fs_mutex -> btrfs-end-io -> fs_mutex$' "$tmp/w2" &&
    grep -q '^             task 2  *end-io worker 1$' "$tmp/w2"
tap_check $? "workers=2: no deadlock, and the note names the entities of its table"

tap_done
