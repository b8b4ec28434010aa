#!/bin/sh
# TAP test: the concurrent scheduler end to end, through the CLI.
#
#  - post-patch, the historical deadlock scenario explores every schedule
#    and none deadlocks;
#  - with retry-get-extent on, exploration finds the deadlock and reports
#    it lockdep-style: the fs_mutex holder, the end-io worker, the cycle;
#  - the replay command printed in the report reproduces the deadlock in
#    exactly one schedule;
#  - a schedule string that does not fit the block fails the scenario;
#  - a preemption bound explores fewer schedules and still finds it.
# Environment (from Makefile.am): BLKSIM, SRCDIR.
set -u
: "${BLKSIM:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/tap.sh"
scn="$SRCDIR/scenarios/history/quirk1-deadlock.scn"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

"$BLKSIM" run -v "$scn" >"$tmp/post" 2>&1
tap_check $? "post-patch: no schedule deadlocks"

"$BLKSIM" run --quirk=retry-get-extent=on "$scn" >"$tmp/pre" 2>&1
tap_check $(( $? != 1 )) "retry-get-extent on: the scenario fails"
grep -q '^    \*\*\* DEADLOCK \*\*\*$' "$tmp/pre"
tap_check $? "the report opens lockdep-style"
grep -q 'task 2: holds fs_mutex; waits for metadata read' "$tmp/pre"
tap_check $? "task 2 holds fs_mutex and waits for a metadata read"
grep -q 'end-io worker 1: .*waits for fs_mutex (held by task 2)' "$tmp/pre"
tap_check $? "the end-io worker waits for fs_mutex"
grep -q 'cycle: task 2 -> end-io worker 1 -> task 2' "$tmp/pre"
tap_check $? "the wait-for cycle is named"
grep -q 'note: .*possible lock-order cycle: fs_mutex -> btrfs-end-io -> fs_mutex' "$tmp/pre"
tap_check $? "the lock-order checker reports the cycle"

replay=$(sed -n 's/^    replay: [^ ]* run //p' "$tmp/pre")
grep -q "^    replay: $BLKSIM run " "$tmp/pre"
tap_check $? "the replay line names the program as it was invoked"
if [ -n "$replay" ]; then
	# shellcheck disable=SC2086
	"$BLKSIM" run $replay >"$tmp/replay" 2>&1
	grep -q 'got deadlock in 1 of 1 schedule$' "$tmp/replay"
	tap_check $? "the printed replay reproduces the deadlock"
else
	tap_not_ok "the report prints a replay command"
fi

"$BLKSIM" run --schedule=T1,T9 "$scn" >"$tmp/bad" 2>&1
st=$?
grep -q 'does not fit it' "$tmp/bad"
tap_check $(( $? != 0 || st != 1 )) "a schedule that does not fit fails"

# A 16K read can be preempted between its pages: the bound must cut.
cat >"$tmp/pb.scn" <<'SCN'
fs mirrors=2 workers=1
create a
create b
write a 0 16K
drop-caches 3
read a 0 4K
corrupt a 0 4K mirror=1
drop-caches 1
concurrent schedule=explore
  read a 0 16K mirror=1 expect ok|eio
  write b 0 4K
end expect no-deadlock
SCN
count() { sed -n 's/.*got deadlock in [0-9]* of \([0-9]*\) schedules.*/\1/p' "$1"; }
"$BLKSIM" run --quirk=retry-get-extent=on --reduction=none "$tmp/pb.scn" \
	>"$tmp/unbound" 2>&1
"$BLKSIM" run --quirk=retry-get-extent=on --preemption-bound=0 "$tmp/pb.scn" \
	>"$tmp/bound" 2>&1
all=$(count "$tmp/unbound")
bounded=$(count "$tmp/bound")
if [ -n "$all" ] && [ -n "$bounded" ] && [ "$bounded" -lt "$all" ]; then
	tap_ok "--preemption-bound=0 explores $bounded of $all schedules and finds it"
else
	tap_not_ok "--preemption-bound=0 explores fewer schedules and finds it (${bounded:-none} of ${all:-none})"
fi

tap_done
