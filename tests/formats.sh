#!/bin/sh
# TAP test: the reports are what their consumers expect.
#
#  - TAP: prove(1) accepts `blksim run -f tap` of scenarios/ (all pass) and
#    rejects a failing scenario's TAP;
#  - JSON: python's json module parses it: one object per scenario with
#    result, expectations, counters, findings;
#  - JUnit: it is well-formed XML with one testsuite per file and one
#    testcase per expectation, counts consistent;
#  - -o writes the file atomically: no temporary is left behind, and an
#    unwritable path exits 3 without touching anything.
# Environment (from Makefile.am): BLKSIM, SRCDIR.
set -u
: "${BLKSIM:?}" "${SRCDIR:?}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
. "$SRCDIR/tests/tap.sh"
check() { d=$1; shift; "$@"; st=$?; tap_check $st "$d"; return $st; }

"$BLKSIM" run -f tap -o "$tmp/all.tap" "$SRCDIR/scenarios"
check "run -o exits 0 and writes the report" test -s "$tmp/all.tap"
check "no temporary file is left beside -o" \
	test "$(ls "$tmp" | wc -l)" -eq 1

if command -v prove >/dev/null 2>&1; then
	prove -Q -e cat "$tmp/all.tap" >"$tmp/prove.out" 2>&1
	check "prove accepts the TAP of scenarios/" test $? -eq 0 ||
		tap_diag <"$tmp/prove.out"
	cat >"$tmp/bad.scn" <<'SCN'
fs mirrors=2
create a
write a 0 8K
read a 0 4K expect eio
SCN
	"$BLKSIM" run -f tap "$tmp/bad.scn" >"$tmp/bad.tap"
	if prove -Q -e cat "$tmp/bad.tap" >/dev/null 2>&1; then
		tap_not_ok "prove rejects the TAP of a failing scenario"
	else
		tap_ok "prove rejects the TAP of a failing scenario"
	fi
	check "a failed point carries YAML diagnostics" \
		grep -q '^  expected: "eio"' "$tmp/bad.tap"
else
	tap_skip "prove" "prove is not installed"
fi

"$BLKSIM" run -f json -o "$tmp/all.json" "$SRCDIR/scenarios"
check "JSON parses, one object per scenario with its fields" python3 -c '
import json, sys, glob, os
d = json.load(open(sys.argv[1]))
files = sorted(glob.glob(os.path.join(sys.argv[2], "**", "*.scn"), recursive=True))
assert len(d) == len(files), (len(d), len(files))
for o in d:
    assert o["result"] in ("pass", "skip"), o["file"]
    if o["result"] == "pass":
        assert o["expectations"] and all(e["ok"] for e in o["expectations"])
        assert set(o["counters"]) >= {"data_reads", "retries", "eio"}
        assert isinstance(o["findings"], list)
' "$tmp/all.json" "$SRCDIR/scenarios"

"$BLKSIM" run -f junit -o "$tmp/all.xml" "$SRCDIR/scenarios"
check "JUnit is well-formed, counts consistent" python3 -c '
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites"
total = 0
for ts in root.findall("testsuite"):
    cases = ts.findall("testcase")
    assert int(ts.get("tests")) == len(cases), ts.get("name")
    assert int(ts.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)
    total += len(cases)
assert int(root.get("tests")) == total
' "$tmp/all.xml"

"$BLKSIM" run -o "$tmp/no/such/dir/report.txt" "$SRCDIR/scenarios/man-intro.scn" \
	>/dev/null 2>&1
check "an unwritable -o exits 3" test $? -eq 3

tap_done
