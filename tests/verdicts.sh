#!/bin/sh
# TAP test: no false pass (blksim(1), OUTPUT; blksim-scenario(5), Judging
# a block).
#
#  - an exploration cut by max-schedules or --preemption-bound fails as
#    incomplete, and passes with incomplete=ok; every format carries the
#    schedules run and whether the exploration was complete, -v too;
#  - `expect cache NAME OFF max` reaches (u64)-1: a map cached past EOF
#    is cached (quirk hole-drop-length leaves one);
#  - a missing path, a dangling or looping *.scn link, a path past
#    PATH_MAX and an invalid file are ERROR entries in every format, with
#    the reason or the diagnostics inside; -o writes them; the summary
#    line goes to stderr with -o;
#  - checks that had nothing to check warn on stderr and in the reports;
#  - a newline or invalid UTF-8 in a path breaks no format.
# Environment (from Makefile.am): BLKSIM, SRCDIR.
set -u
: "${BLKSIM:?}" "${SRCDIR:?}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/blksim-verdicts.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
. "$SRCDIR/tests/tap.sh"
cd "$tmp" || tap_bail "cannot enter $tmp"

# py FILE SCRIPT: run the python SCRIPT on FILE; ok if it prints "ok".
py() {
	python3 -c "$2" "$1" >"$tmp/py.out" 2>&1
	[ "$(cat "$tmp/py.out")" = ok ]
}
have_py=false
command -v python3 >/dev/null 2>&1 && have_py=true

# --- cut explorations ----------------------------------------------------------
# man-concurrent.scn explores 50 schedules; cut it at 5.
sed 's/^concurrent schedule=explore$/concurrent schedule=explore max-schedules=5/' \
    "$SRCDIR/scenarios/man-concurrent.scn" >cut.scn
sed 's/max-schedules=5/max-schedules=5 incomplete=ok/' cut.scn >cut-ok.scn
grep -q 'max-schedules=5$' cut.scn && grep -q 'incomplete=ok' cut-ok.scn ||
    tap_bail "man-concurrent.scn changed: no explore line to cut"

tap_run run cut.scn
tap_check_exit 1 "a block cut by max-schedules"
grep -q '^cut.scn:13: end expect no-deadlock: expected no deadlock, got incomplete: no deadlock in 5 schedules, but max-schedules=5 stopped' out
tap_check $? "its end line fails as incomplete, with the count and the bound"
grep -q '^cut.scn:11: read a 0 4K: expected ok mirror=2 retries=2 lookup=cache in every schedule, got incomplete: held in 5 schedules' out
tap_check $? "its tasks fail as incomplete too"
tap_run run cut-ok.scn
tap_check_exit 0 "the same block with incomplete=ok"
tap_run run -v cut-ok.scn
grep -q '^cut-ok.scn:10: concurrent: 5 schedules explored, cut by max-schedules=5 (incomplete=ok accepts it)$' out
tap_check $? "-v shows the count and the cut"
tap_run run -v "$SRCDIR/scenarios/man-concurrent.scn"
grep -q 'man-concurrent.scn:10: concurrent: 50 schedules explored, complete$' out
tap_check $? "-v shows the count of a complete exploration"
tap_run run --preemption-bound=0 "$SRCDIR/scenarios/race-read-truncate.scn"
tap_check_exit 1 "a block cut by --preemption-bound=0"
grep -q 'but --preemption-bound=0 stopped the exploration' out
tap_check $? "the cut names --preemption-bound"
tap_run run --quirk=retry-get-extent=on --preemption-bound=0 \
    "$SRCDIR/scenarios/history/quirk1-deadlock.scn"
grep -q 'end expect no-deadlock: expected no deadlock, got deadlock in' out
tap_check $? "a deadlock found by a cut exploration is still a deadlock"
printf 'create a\nconcurrent incomplete=ok\n  read a 0 4K\nend\n' >fifo-ok.scn
tap_run check fifo-ok.scn
tap_check_exit 2 "incomplete=ok on a fifo block"
grep -q 'incomplete=ok applies to schedule=explore' err
tap_check $? "incomplete=ok on a fifo block says why"

tap_run run -f tap cut.scn
grep -q '^  schedules: 5$' out && grep -q '^  complete: false$' out
tap_check $? "TAP carries the schedules and completeness"
tap_run run -f tap "$SRCDIR/scenarios/man-concurrent.scn"
grep -q '^  schedules: 50$' out && grep -q '^  complete: true$' out
tap_check $? "TAP carries them for a complete exploration"
tap_run run -f junit cut.scn
grep -q '<property name="line 10: schedules" value="5"/>' out &&
    grep -q '<property name="line 10: complete" value="false"/>' out
tap_check $? "JUnit carries them as testsuite properties"
if $have_py; then
	"$BLKSIM" run -f json cut-ok.scn "$SRCDIR/scenarios/man-concurrent.scn" \
	    >blocks.json 2>/dev/null
	py blocks.json '
import json, sys
d = {o["file"].split("/")[-1]: o for o in json.load(open(sys.argv[1]))}
x, = d["cut-ok.scn"]["blocks"]; y, = d["man-concurrent.scn"]["blocks"]
assert (x["line"], x["schedule"], x["schedules"], x["complete"],
    x["incomplete_ok"], x["cut"]) == (10, "explore", 5, False, True,
    "max-schedules=5"), x
assert (y["schedules"], y["complete"], y["cut"]) == (50, True, None), y
print("ok")'
	tap_check $? "JSON carries them per block"
else
	tap_skip "JSON carries them per block" "no python3"
fi

# --- --reduction=check -------------------------------------------------------
# Every bundled scenario, with its guards: the reduction keeps every
# outcome, so each explored block passes its check.
explored=$(grep -l 'concurrent.*schedule=explore' "$SRCDIR"/scenarios/*.scn \
    "$SRCDIR"/scenarios/history/*.scn | wc -l)
tap_run run -v --guards --reduction=check "$SRCDIR/scenarios"
tap_check_exit 0 "--reduction=check over scenarios/"
checked=$(grep -c ': reduction check: ok$' out)
[ "$explored" -gt 0 ] && [ "$checked" -ge "$explored" ]
tap_check $? "each of the $explored files with an explored block is checked ($checked checks)"
tap_run run -v --reduction=check "$SRCDIR/scenarios/man-intro.scn"
! grep -q 'reduction check' out
tap_check $? "a file without an explored block has no check"
tap_run run --reduction=bogus "$SRCDIR/scenarios/man-intro.scn"
grep -q 'takes sleep-sets, state, none or check' err
tap_check $? "--reduction names its four values"

# --- expect cache ... max ------------------------------------------------------
cat >eof.scn <<'SCN'
fs mirrors=2 alloc_align=64K
create f
write f 0 4K
truncate f 16K
expect cache f 16K max absent
SCN
tap_run run eof.scn
tap_check_exit 0 "expect cache max absent holds when nothing is cached"
tap_run run --quirk=hole-drop-length=on eof.scn
tap_check_exit 1 "a map cached past EOF is cached for expect cache max"
grep -q 'cache f 16K max absent: expected no byte cached, got 49152 of' out
tap_check $? "it counts the map past EOF"
printf 'create f\nexpect cache f 0 max present\n' >maxp.scn
tap_run check maxp.scn
grep -q 'present with max can never hold' err
tap_check $? "present with max is an error"

# --- ERROR entries ----------------------------------------------------------
mkdir dir
printf 'fs mirrors=2\ncreate a\nbogus 1\n' >dir/bad.scn
ln -s nowhere dir/dangling.scn
ln -s loop.scn dir/loop.scn
cp "$SRCDIR/scenarios/man-intro.scn" dir/good.scn
tap_run run -f junit -o r.xml nope.scn
tap_check_exit 3 "-o r.xml on a missing path"
grep -q '<testsuites name="blksim" tests="1" failures="0" errors="1">' r.xml &&
    grep -q '<error message="could not be read: No such file or directory" type="io">' r.xml
tap_check $? "-o r.xml holds the missing path as an io error"
grep -q '^blksim: 1 scenario: 0 passed, 1 failed$' err
tap_check $? "with -o the summary line still goes to stderr"

tap_run run -f tap dir
tap_check_exit 3 "a directory with a dangling and a looping link"
for f in bad dangling loop; do
	grep -q "^not ok [0-9]* - dir/$f.scn: " out
	tap_check $? "TAP: dir/$f.scn is a failed point"
done
grep -q '^  diagnostics: "dir/bad.scn:3:1: error: unknown statement' out
tap_check $? "TAP: the invalid file's diagnostics are in its YAML"
grep -q '^  reason: "Too many levels of symbolic links"$' out
tap_check $? "TAP: the looping link's reason is in its YAML"
if $have_py; then
	"$BLKSIM" run -f junit dir >dir.xml 2>/dev/null
	py dir.xml '
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
assert r.get("errors") == "3", r.attrib
errs = {s.get("name"): s.find("testcase/error") for s in r}
assert errs["dir/bad.scn"].get("type") == "invalid"
assert "dir/bad.scn:3:1: error: unknown statement" in errs["dir/bad.scn"].text
assert errs["dir/dangling.scn"].get("type") == "io"
assert errs["dir/loop.scn"].get("type") == "io"
assert errs["dir/good.scn"] is None
print("ok")'
	tap_check $? "JUnit: three errors, with the diagnostics inside"
	"$BLKSIM" run -f json dir >dir.json 2>/dev/null
	py dir.json '
import json, sys
d = {o["file"]: o for o in json.load(open(sys.argv[1]))}
assert d["dir/bad.scn"]["result"] == "error"
assert "unknown statement" in d["dir/bad.scn"]["diagnostics"]
assert d["dir/dangling.scn"]["reason"] == "No such file or directory"
assert d["dir/good.scn"]["result"] == "pass"
print("ok")'
	tap_check $? "JSON: the errors with their reasons and diagnostics"
else
	tap_skip "JUnit and JSON errors" "no python3"
fi

# A directory whose path reaches PATH_MAX: reported, not skipped.
(
	mkdir deep && cd deep || exit 1
	i=0
	while [ $i -lt 30 ]; do
		d=$(printf 'd%0150d' $i)
		mkdir "$d" && cd "$d" || exit 1
		i=$((i + 1))
	done
	cp "$SRCDIR/scenarios/man-intro.scn" a.scn
) 2>/dev/null
tap_run run -f tap deep
if [ "$rc" -eq 3 ] && grep -q '^not ok 1 - deep/.*: could not be read: File name too long$' out; then
	tap_ok "a path past PATH_MAX is an ERROR entry (exit 3)"
else
	tap_not_ok "a path past PATH_MAX is an ERROR entry (exit $rc)"
	head -c 300 out | tap_diag
fi

# Root reads any directory: as root the test runs as nobody, if it can.
as=
if [ "$(id -u)" = 0 ]; then
	as="setpriv --reuid=65534 --regid=65534 --clear-groups"
	$as true 2>/dev/null || as=no
fi
if [ "$as" != no ]; then
	chmod 711 "$tmp"
	mkdir locked && cp dir/good.scn locked/ && chmod 000 locked
	$as "$BLKSIM" run -f tap "$tmp/locked" >out 2>err
	chmod 755 locked
	chmod 700 "$tmp"
	grep -q "^not ok 1 - $tmp/locked: could not be read: Permission denied" out
	tap_check $? "an unreadable directory is an ERROR entry"
else
	tap_skip "an unreadable directory is an ERROR entry" "root, and no setpriv"
fi

# --- nothing to check ----------------------------------------------------------
printf 'create a\nexpect size a 0\n' >quiet.scn
tap_run run --trace=t.txt quiet.scn
grep -q '^blksim: warning: --trace: no scenario did anything that is traced' err
tap_check $? "an empty trace warns on stderr"
tap_run run -f json --trace=t.txt quiet.scn
grep -q '"warnings":\["--trace: no scenario' out
tap_check $? "and in the JSON report"
tap_run run --trace=g.dot "$SRCDIR/scenarios/man-intro.scn"
grep -q 'warning: --trace=g.dot: no schedule deadlocked, so the graph is empty' err
tap_check $? "a .dot with no deadlock warns"
tap_run run -f tap --schedule=T1 "$SRCDIR/scenarios/man-intro.scn"
grep -q '^# warning: .*man-intro.scn: --schedule: the file has no concurrent block' out
tap_check $? "--schedule on a file with no block warns, in TAP too"
printf 'fs mirrors=2\ncreate a\nwrite a 0 4K\nread a 8K 4K expect ok data=intact\n' >past.scn
tap_run run -f junit past.scn
tap_check_exit 0 "a data=intact read past EOF still passes"
grep -q '<system-err>line 4: data=intact: the read returned no bytes' out
tap_check $? "but warns that nothing was compared"
tap_run run "$SRCDIR/scenarios/man-intro.scn"
[ ! -s err ]
tap_check $? "a scenario with something to check does not warn"

# --- escaping ------------------------------------------------------------------
mkdir esc
nl='esc/new
line.scn'
bad=$(printf 'esc/bad\377name.scn')
cp "$SRCDIR/scenarios/man-intro.scn" "$nl"
cp "$SRCDIR/scenarios/man-intro.scn" "$bad"
"$BLKSIM" run -f tap esc >esc.tap 2>/dev/null
plan=$(sed -n 's/^1\.\.//p' esc.tap)
points=$(grep -c '^\(not \)\{0,1\}ok ' esc.tap)
[ "$plan" = "$points" ] && [ "$(grep -vc '^\(ok\|not ok\|TAP\|1\.\.\)' esc.tap)" = 0 ]
tap_check $? "TAP: a newline in a path adds no line ($points points)"
"$BLKSIM" run esc >esc.txt 2>/dev/null
[ "$(wc -l <esc.txt)" -eq 3 ] && grep -q '^PASS esc/new\\nline.scn$' esc.txt
tap_check $? "text: the newline is shown as \\n"
if $have_py; then
	"$BLKSIM" run -f json esc >esc.json 2>/dev/null
	py esc.json '
import json, sys
d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
names = sorted(o["file"] for o in d)
assert names == ["esc/bad\ufffdname.scn", "esc/new\nline.scn"], names
print("ok")'
	tap_check $? "JSON: valid UTF-8, the bad byte as U+FFFD"
	"$BLKSIM" run -f junit esc >esc.xml 2>/dev/null
	py esc.xml '
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
assert len(r) == 2 and r.get("failures") == "0"
print("ok")'
	tap_check $? "JUnit: well-formed"
else
	tap_skip "JSON and JUnit escaping" "no python3"
fi

tap_done
