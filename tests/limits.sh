#!/bin/sh
# TAP test: the work limits that only a run can meet (blksim-scenario(5),
# LIMITS; sim/fs.h).  A statement past one fails with an error naming the
# limit, at its line, and the run goes on and exits 1; a statement at the
# limit runs.  The extents of the whole filesystem, a block's budget of
# steps, memory running out (exit 3, never an abort) and a traced read's
# memory.  Then `blksim dump` of a huge sparse file, which must not walk
# its sectors.  The limits of the file itself (statements, files,
# bytes, address space, schedules) are parse-time: tests/parse-errors.sh.
#
# Environment (from Makefile.am): BLKSIM, the program; SRCDIR, the top
# source directory.
set -u
: "${BLKSIM:?}" "${SRCDIR:?}"
LC_ALL=C
export LC_ALL
. "$SRCDIR/tests/tap.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/limits.XXXXXX") || tap_bail "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || tap_bail "cd $tmp"

READS='the read covers more than 1048576 pages, the most one read may: read a smaller range'
ALLOCS='the writeback needs more than 1048576 allocations, the most one dirty range may make: raise max_extent or write less at once'

# run_case NAME FILE: run FILE; exit 1 and the lines of stdout other than
# the summary must be exactly those of FILE.want.
run_case() {
	"$BLKSIM" run "$2" >out 2>err
	rc=$?
	grep -v '^blksim: ' out >got
	if [ "$rc" -eq 1 ] && cmp -s "$2.want" got && [ ! -s err ]; then
		tap_ok "$1"
		return
	fi
	tap_not_ok "$1"
	echo "exit status $rc, want 1" | tap_diag
	diff -u "$2.want" got | tap_diag
	tap_diag <err
}

# Reads: at most 2^20 pages, counted up to EOF (holes read too).
cat >read.scn <<'EOF'
fs size=64G
create a
truncate a 8388608T
read a 0 4G
read a 4G 0x100001000
read a 0x7fffffff00000000 max
read a 0x7ffffffeff000000 max
concurrent
  read a 0 0x100001000
end
EOF
cat >read.scn.want <<EOF
FAIL read.scn
read.scn:5: read a 4G 4194308K: expected ok, got error: $READS
read.scn:7: read a 8796093018096M max: expected ok, got error: $READS
read.scn:9: read a 0 4194308K: expected ok, got error: $READS in schedule T1,W1
EOF
run_case "a read covers at most 1048576 pages" read.scn

# A write is refused before it dirties anything when its max_extent
# pieces are too many; accumulated nosync writes fail at writeback, with
# nothing allocated, and their pages stay dirty for the next sync.
cat >write.scn <<'EOF'
fs size=64G max_extent=4K
create a
write a 0 0x100001000
expect size a 0
write a 0 4K nosync
write a 4K 4G nosync
sync
expect stat allocations=0
sync
create b
write b 0 4G
expect stat allocations=1048576
EOF
cat >write.scn.want <<EOF
FAIL write.scn
write.scn:3: write a 0 4194308K: expected ok, got error: $ALLOCS
write.scn:7: sync: expected ok, got error: $ALLOCS
write.scn:9: sync: expected ok, got error: $ALLOCS
EOF
run_case "a write takes at most 1048576 allocations" write.scn

# alloc-underflow's runaway is cut at the limit, before the allocator
# runs dry (it would at 2^21 allocations here).
cat >runaway.scn <<'EOF'
fs size=16G alloc_align=8K max_extent=8K
quirk alloc-underflow on
create a
write a 0 4K expect enospc
expect stat allocations=1048576
EOF
cat >runaway.scn.want <<EOF
FAIL runaway.scn
runaway.scn:4: write a 0 4K: expected enospc, got error: $ALLOCS
EOF
"$BLKSIM" run runaway.scn >out 2>err
rc=$?
grep -v -e '^blksim: ' -e '^    |' out >got
cmp -s runaway.scn.want got && [ "$rc" -eq 1 ]
tap_check $? "alloc-underflow's runaway stops at 1048576 allocations"
diff -u runaway.scn.want got | tap_diag

# faults: at most 2^20 on average, over every mirror's written sectors
# (2 mirrors x 2G = 2^20 sectors of 4K).
cat >faults.scn <<'EOF'
fs size=64G
create a
write a 0 2G fill=7
faults rate=1 kinds=corrupt safe=no
write a 2G 4K fill=7
faults rate=1 kinds=ioerror safe=no
faults rate=0.5 kinds=ioerror safe=no
EOF
cat >faults.scn.want <<'EOF'
FAIL faults.scn
faults.scn:6: faults: expected ok, got error: rate x written sectors is about 1048578 faults, more than the 1048576 one faults statement may place: lower the rate
EOF
run_case "faults places at most 1048576 on average" faults.scn

# Extents across statements: at most 2^21 allocated in the filesystem.
# Overwriting 4G of 4K pieces fits (the old extents count until the
# write frees them: 2^20 + 2^20); a second 4G range fills it; one more
# extent does not fit, and fails at its line before it dirties anything.
cat >extents.scn <<'EOF'
fs size=64G max_extent=4K
create a
write a 0 4G
write a 0 4G
write a 4G 4G
write a 8G 4K
expect size a 8G
EOF
cat >extents.scn.want <<'EOF'
FAIL extents.scn
extents.scn:6: write a 8G 4K: expected ok, got error: more than the 2097152 extents a filesystem may hold (2097152, and 1 more): raise max_extent or write less
EOF
run_case "a filesystem holds at most 2097152 extents" extents.scn

# A block takes at most 2^22 scheduler steps over all its schedules: an
# exploration that would run longer is cut, and fails as incomplete.
cat >budget.scn <<'EOF'
fs size=1G
create a
create b
write a 0 8M
write b 0 8M
drop-caches 1
concurrent schedule=explore
  read a 0 8M
  read b 0 8M
end
EOF
"$BLKSIM" run budget.scn >out 2>err
rc=$?
[ "$rc" -eq 1 ] && grep -q "^budget.scn:10: end expect no-deadlock: expected no deadlock, got incomplete: no deadlock in [0-9]* schedules, but the block's budget of 4194304 steps stopped the exploration" out
tap_check $? "a block's exploration stops at 4194304 steps, incomplete (exit $rc)"
sed 's/^concurrent schedule=explore$/concurrent schedule=explore incomplete=ok/' \
    budget.scn >budget-ok.scn
"$BLKSIM" run budget-ok.scn >out 2>err
tap_check $? "and passes with incomplete=ok"

# A schedule takes at most 500000 steps: two concurrent reads of 16000
# pages each (about 3.5 steps a page) run whole; of 80000 pages each,
# the schedule is cut and the block fails, naming the limit.
cat >steps.scn <<'EOF'
fs size=2G
create a
create b
write a 0 64000K
write b 0 64000K
drop-caches 3
concurrent schedule=fifo
  read a 0 64000K expect ok
  read b 0 64000K expect ok
end
EOF
"$BLKSIM" run steps.scn >out 2>err
tap_check $? "two concurrent reads of 16000 pages run whole"
sed 's/64000K/320000K/' steps.scn >steps-cut.scn
"$BLKSIM" run steps-cut.scn >out 2>err
rc=$?
[ "$rc" -eq 1 ] && grep -q "^steps-cut.scn:7: concurrent: expected schedules that end, got 1 schedule cut at 500000 steps, a schedule's limit" out
tap_check $? "a schedule past 500000 steps is cut and fails, naming the limit (exit $rc)"

# Running out of memory is a message and exit 3, never an abort (134).
# Under ASan the address space limit cannot be set: skipped there.
if (ulimit -v 100000 && "$BLKSIM" run "$SRCDIR/scenarios/man-intro.scn") \
    >/dev/null 2>&1; then
	cat >oom.scn <<'EOF'
fs size=64G max_extent=4K
create a
write a 0 4G
EOF
	(ulimit -v 100000 && exec "$BLKSIM" run -f junit -o oom.xml oom.scn) \
	    >out 2>err
	rc=$?
	if [ "$rc" -eq 3 ] && grep -q '^blksim: oom.scn:3: out of memory' err &&
	    [ ! -e oom.xml ] && ! ls -a | grep -q '^\.blksim-'; then
		tap_ok "out of memory: exit 3, FILE:LINE named, no output left"
	else
		tap_not_ok "out of memory: exit 3, FILE:LINE named, no output left (exit $rc)"
		tap_diag <err
	fi
else
	tap_skip "out of memory: exit 3" "ulimit -v cannot be used here"
fi

# A traced read of 2G streams its trace: memory stays that of an
# untraced run, not the trace's size (about 230 MB when it was kept).
cat >traced.scn <<'EOF'
fs size=8G
create a
write a 0 2G
drop-caches 1
read a 0 2G
EOF
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f %M -o rss "$BLKSIM" run --trace=t.gz traced.scn \
	    >/dev/null 2>&1
	rc=$?
	kb=$(tail -n 1 rss)
	[ "$rc" -eq 0 ] && [ "$kb" -lt 102400 ] && [ -s t.gz ]
	tap_check $? "a traced 2G read takes ${kb} KB, under 100 MB"
else
	tap_skip "a traced 2G read's memory" "no /usr/bin/time"
fi

# dump draws the fault tracks item by item: a file of 2^63 bytes with
# 512-byte sectors would be 2^54 sectors to walk.
cat >dump.scn <<'EOF'
fs sectorsize=512
create a
write a 0 4K
corrupt a 0 512 mirror=1
truncate a 8388608T
EOF
if command -v timeout >/dev/null 2>&1; then
	timeout 60 "$BLKSIM" dump dump.scn >out 2>&1
	rc=$?
	[ "$rc" -eq 0 ] && grep -q '^    m1     |x\.*|' out &&
	    grep -q '^    m2     |\.*|' out
	tap_check $? "dump of an 8E sparse file is quick (exit $rc)"
else
	tap_skip "dump of an 8E sparse file is quick" "no timeout(1)"
fi

tap_done
