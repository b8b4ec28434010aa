#!/bin/sh
# TAP test: --trace=FILE.json writes a Chrome trace-event timeline of the
# concurrent blocks and --trace=FILE.dot the wait-for graph of every
# deadlock.  The JSON must parse, name a thread per task and worker, hold
# spans, and be byte-identical across runs (and with -j 2); the DOT must
# name the cycle's entities, and Graphviz must accept it when installed.
# Environment (from Makefile.am): BLKSIM, SRCDIR.
set -u
: "${BLKSIM:?}" "${SRCDIR:?}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
. "$SRCDIR/tests/tap.sh"

scn="$SRCDIR/scenarios/history/quirk1-deadlock.scn"
q=--quirk=retry-get-extent=on

"$BLKSIM" run $q --trace="$tmp/a.json" "$scn" >/dev/null 2>&1
"$BLKSIM" run $q --trace="$tmp/b.json" "$scn" >/dev/null 2>&1
"$BLKSIM" run -j 2 $q --trace="$tmp/c.json" "$scn" "$scn" >/dev/null 2>&1
"$BLKSIM" run -j 1 $q --trace="$tmp/d.json" "$scn" "$scn" >/dev/null 2>&1

if [ -s "$tmp/a.json" ] && cmp -s "$tmp/a.json" "$tmp/b.json"; then
	tap_ok "json: two runs are byte-identical"
else
	tap_not_ok "json: two runs are byte-identical"
fi
if [ -s "$tmp/c.json" ] && cmp -s "$tmp/c.json" "$tmp/d.json"; then
	tap_ok "json: -j 2 gives the same bytes as -j 1"
else
	tap_not_ok "json: -j 2 gives the same bytes as -j 1"
fi
if ls "$tmp"/a.json.* >/dev/null 2>&1; then
	tap_not_ok "json: no temporary file left"
else
	tap_ok "json: no temporary file left"
fi

if command -v python3 >/dev/null 2>&1; then
	python3 - "$tmp/a.json" >"$tmp/py.out" 2>&1 <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
ev = t["traceEvents"]
names = {e["args"]["name"] for e in ev
	 if e["ph"] == "M" and e["name"] == "thread_name"}
for want in ("task 1", "task 2", "end-io worker 1", "device"):
	assert want in names, "no thread %r in %r" % (want, names)
procs = [e for e in ev if e["ph"] == "M" and e["name"] == "process_name"]
assert len(procs) == 2, procs
assert procs[0]["args"]["name"].endswith("quirk1-deadlock.scn"), procs
assert procs[1]["args"]["name"].endswith("quirk1-deadlock.scn:27"), procs
# The data path: statements, a track per copy with its bios, the block's
# entities with the events of the schedule the scenario went on from.
for want in ("statements", "copy 1: bios", "copy 2: bios", "task 1: events",
	     "end-io worker 1: events"):
	assert want in names, "no thread %r in %r" % (want, names)
stmts = [e for e in ev if e.get("cat") == "statement"]
assert any(e["name"].startswith("line 27: concurrent") for e in stmts), stmts
bios = [e for e in ev if e.get("cat") == "bio"]
assert bios and all("logical" in e["args"] and "mirror" in e["args"]
		    for e in bios), bios[:3]
assert any(e["name"].startswith("retry read bio") for e in bios), \
	"no retry bio"
csum = [e for e in ev if e.get("cat") == "event" and "mismatch" in e["name"]]
assert csum, "no checksum mismatch instant"
spans = [e for e in ev if e["ph"] in ("X", "B", "E")]
assert any(e["cat"] == "run" for e in spans), "no run span"
assert any(e["cat"] == "hold" and e["name"] == "fs_mutex" for e in spans), \
	"no fs_mutex hold"
assert any(e["cat"] == "wait" for e in spans), "no wait span"
assert any(e["ph"] == "i" for e in ev), "no device instant"
for e in ev:
	if e["ph"] == "X":
		assert e["dur"] >= 0 and isinstance(e["ts"], int), e
print("ok")
PY
	if [ "$(cat "$tmp/py.out")" = ok ]; then
		tap_ok "json: parses, with threads, spans and instants"
	else
		tap_not_ok "json: parses, with threads, spans and instants"
		tap_diag <"$tmp/py.out"
	fi
else
	tap_skip "json: parses, with threads, spans and instants" "no python3"
fi

"$BLKSIM" run $q --trace="$tmp/a.dot" "$scn" >/dev/null 2>&1
ok=0
for want in 'digraph' '"task 2\nline 29: write b 0 4K"' \
    '"end-io worker 1\nfor line 28: read a 0 4K"' 'color=red' \
    '"fs_mutex"' '"waits for\nin lookup_by_get_extent"'; do
	grep -qF "$want" "$tmp/a.dot" || { ok=1; echo "missing $want" |
	    tap_diag; }
done
tap_check $ok "dot: a digraph naming the cycle's entities in red"
if command -v dot >/dev/null 2>&1; then
	dot -Tsvg "$tmp/a.dot" >"$tmp/a.svg" 2>"$tmp/dot.err"
	tap_check $? "dot: Graphviz accepts it"
else
	tap_skip "dot: Graphviz accepts it" "no dot program"
fi
# A scenario under a directory whose name is not UTF-8: the labels hold
# U+FFFD where the bad byte was, and the file stays UTF-8.
bad=$(printf 'bad\377dir')
mkdir "$tmp/$bad" && cp "$scn" "$tmp/$bad/q.scn"
"$BLKSIM" run $q --trace="$tmp/b.dot" "$tmp/$bad/q.scn" >/dev/null 2>&1
grep -q "bad$(printf '\357\277\275')dir/q.scn" "$tmp/b.dot" &&
    ! grep -q "$(printf '\377')" "$tmp/b.dot"
tap_check $? "dot: a path that is not UTF-8 is labelled with U+FFFD"

"$BLKSIM" run --trace="$tmp/none.dot" "$SRCDIR/scenarios/history" \
    >/dev/null 2>&1
grep -q '^digraph' "$tmp/none.dot" 2>/dev/null
tap_check $? "dot: written even when no deadlock is found"

"$BLKSIM" run $q --trace="$tmp/t.txt" "$scn" >/dev/null 2>&1
grep -q "quirk1-deadlock.scn:" "$tmp/t.txt" 2>/dev/null
tap_check $? "other names keep the text trace"

tap_done
