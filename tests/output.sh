#!/bin/sh
# TAP test: writing output never does harm (blksim(1), OUTPUT FILES).
#
#  - -o and --trace=FILE on something that is not a regular file write in
#    place: /dev/null stays a device, /dev/full fails with exit 3, a FIFO
#    and /proc/self/fd/1 get the bytes;
#  - a write error on stdout is exit 3 for every command that prints;
#  - a new file follows the umask, an existing one keeps its mode, a
#    symbolic link stays a link and its target gets the report;
#  - a 250-character name works (the temporary's name is short), no
#    temporary is left behind, a directory and a dangling link are
#    refused with exit 3 and left alone;
#  - a signal while a temporary exists removes it;
#  - fuzz with an --out it cannot write prints the reproducer on stderr.
# Environment (from Makefile.am): BLKSIM, SRCDIR.
set -u
: "${BLKSIM:?}" "${SRCDIR:?}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/blksim-output.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
. "$SRCDIR/tests/tap.sh"
scn=$SRCDIR/scenarios/man-intro.scn
cd "$tmp" || tap_bail "cannot enter $tmp"

# Nothing but the expected files in the directory: no temporary left.
no_temporaries() {
	if ls -a | grep -q '^\.blksim-'; then
		tap_not_ok "$1: no temporary left behind"
		ls -a | tap_diag
	else
		tap_ok "$1: no temporary left behind"
	fi
}

# --- not regular files: in place ---------------------------------------------
if [ -c /dev/null ] && [ -w /dev/null ]; then
	tap_run run -o /dev/null "$scn"
	tap_check_exit 0 "-o /dev/null"
	test -c /dev/null
	tap_check $? "-o /dev/null leaves /dev/null a character device"
	tap_run run --trace=/dev/null "$scn"
	tap_check_exit 0 "--trace=/dev/null"
	test -c /dev/null
	tap_check $? "--trace=/dev/null leaves /dev/null a device"
else
	tap_skip "-o /dev/null" "no writable /dev/null"
fi
if [ -c /dev/full ]; then
	tap_run run -o /dev/full "$scn"
	tap_check_exit 3 "-o /dev/full"
	grep -q 'No space left on device' "$tmp/err"
	tap_check $? "-o /dev/full names ENOSPC"
	tap_run run --trace=/dev/full "$scn"
	tap_check_exit 3 "--trace=/dev/full"
	for cmd in "run $scn" "run -f junit $scn" "dump $scn" \
	    "quirks" "--help" "run --help" "--version" \
	    "fuzz --runs=1 --seed=1 --out=$tmp"; do
		# shellcheck disable=SC2086
		"$BLKSIM" $cmd >/dev/full 2>"$tmp/err"
		rc=$?
		if [ "$rc" -eq 3 ] && grep -q 'standard output' "$tmp/err"
		then
			tap_ok "blksim $cmd >/dev/full exits 3"
		else
			tap_not_ok "blksim $cmd >/dev/full exits 3 (got $rc)"
			tap_diag <"$tmp/err"
		fi
	done
	"$BLKSIM" run "$scn" >/dev/full 2>/dev/null </dev/null
	[ $? -eq 3 ]
	tap_check $? "a passing run to a full stdout is not exit 0"
else
	tap_skip "/dev/full" "no /dev/full"
fi
if mkfifo "$tmp/fifo" 2>/dev/null; then
	cat "$tmp/fifo" >"$tmp/fifo.out" &
	"$BLKSIM" run -f tap -o "$tmp/fifo" "$scn" >/dev/null 2>&1
	rc=$?
	wait
	[ "$rc" -eq 0 ] && [ -p "$tmp/fifo" ] &&
	    grep -q '^TAP version 13' "$tmp/fifo.out"
	tap_check $? "-o FIFO writes through the FIFO and leaves it one"
	rm -f "$tmp/fifo" "$tmp/fifo.out"
else
	tap_skip "-o FIFO" "mkfifo failed"
fi
"$BLKSIM" run --trace=/proc/self/fd/1 "$scn" 2>/dev/null | cat >"$tmp/p.out"
grep -q 'man-intro.scn:[0-9]*: alloc' "$tmp/p.out"
tap_check $? "--trace=/proc/self/fd/1 writes into the pipe"

# --- regular files ----------------------------------------------------------
(umask 027 && "$BLKSIM" run -o "$tmp/new.txt" "$scn" >/dev/null 2>&1)
mode=$(stat -c %a "$tmp/new.txt" 2>/dev/null)
[ "$mode" = 640 ]
tap_check $? "a new -o file follows the umask 027 (mode $mode)"
(umask 022 && "$BLKSIM" run --trace="$tmp/new.trace" "$scn" >/dev/null 2>&1)
mode=$(stat -c %a "$tmp/new.trace" 2>/dev/null)
[ "$mode" = 644 ]
tap_check $? "a new --trace file follows the umask 022 (mode $mode)"
echo old >"$tmp/old.txt"
chmod 604 "$tmp/old.txt"
"$BLKSIM" run -o "$tmp/old.txt" "$scn" >/dev/null 2>&1
mode=$(stat -c %a "$tmp/old.txt")
[ "$mode" = 604 ] && grep -q '^PASS' "$tmp/old.txt"
tap_check $? "an existing -o file keeps its mode 604 (mode $mode)"
ln -s old.txt "$tmp/link.txt"
"$BLKSIM" run -f tap -o "$tmp/link.txt" "$scn" >/dev/null 2>&1
[ -L "$tmp/link.txt" ] && grep -q '^TAP' "$tmp/old.txt"
tap_check $? "-o LINK replaces the link's target and keeps the link"
long=$(printf '%0250d' 0).txt
"$BLKSIM" run -o "$tmp/$long" "$scn" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && [ -s "$tmp/$long" ]
tap_check $? "-o with a 254-byte name works (exit $rc)"
no_temporaries "regular files"

# A read-only file in a writable directory: refused, not replaced.  Root
# writes anything, so as root the test runs as nobody, if it can.
as=
if [ "$(id -u)" = 0 ]; then
	as="setpriv --reuid=65534 --regid=65534 --clear-groups"
	$as true 2>/dev/null || as=no
fi
if [ "$as" != no ]; then
	mkdir "$tmp/rw" && chmod 777 "$tmp/rw" && chmod 755 "$tmp"
	cp "$scn" "$tmp/rw/a.scn" && chmod 644 "$tmp/rw/a.scn"
	echo ro >"$tmp/rw/ro.txt"
	chmod 444 "$tmp/rw/ro.txt"
	[ -z "$as" ] || chown 65534 "$tmp/rw/ro.txt"
	$as "$BLKSIM" run -o "$tmp/rw/ro.txt" "$tmp/rw/a.scn" >/dev/null \
	    2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 3 ] && [ "$(cat "$tmp/rw/ro.txt")" = ro ] &&
	    grep -q 'Permission denied' "$tmp/err"
	tap_check $? "a read-only -o file is refused, not replaced (exit $rc)"
	chmod 700 "$tmp"
else
	tap_skip "a read-only -o file is refused" "root, and no setpriv"
fi
mkdir "$tmp/dir"
tap_run run -o "$tmp/dir" "$scn"
tap_check_exit 3 "-o DIRECTORY"
[ -d "$tmp/dir" ] && [ -z "$(ls -A "$tmp/dir")" ]
tap_check $? "-o DIRECTORY leaves it alone"
ln -s nowhere "$tmp/dangling"
tap_run run -o "$tmp/dangling" "$scn"
tap_check_exit 3 "-o to a dangling link"
[ -L "$tmp/dangling" ] && [ ! -e "$tmp/nowhere" ]
tap_check $? "a dangling link is left alone"
echo keep >"$tmp/keep.txt"
tap_run run -o "$tmp/keep.txt" "$tmp/no-such.scn"
[ "$(cat "$tmp/keep.txt")" != keep ]
tap_check $? "a report of an unreadable path still replaces -o"

# --- signals ----------------------------------------------------------------
# A long traced run: its trace goes to a temporary from the start.
cat >"$tmp/long.scn" <<'SCN'
fs mirrors=2 size=8G
create a
write a 0 4G
drop-caches 1
read a 0 4G
drop-caches 1
read a 0 4G
drop-caches 1
read a 0 4G
SCN
mkdir "$tmp/sig"
# A shell starts background jobs with SIGINT ignored; blksim then leaves
# it so, and the test needs GNU env to give it back.
if env --default-signal=INT true 2>/dev/null; then
	sigs="INT TERM HUP"
	start="env --default-signal=INT"
else
	sigs="TERM HUP"
	start=
	tap_skip "SIGINT during a traced run" "env has no --default-signal"
fi
for sig in $sigs; do
	rm -f "$tmp/sig/trace.txt"
	$start "$BLKSIM" run --trace="$tmp/sig/trace.txt" "$tmp/long.scn" \
	    >/dev/null 2>&1 &
	pid=$!
	n=0
	while [ $n -lt 100 ] && ! ls -a "$tmp/sig" | grep -q '^\.blksim-'; do
		sleep 0.05
		n=$((n + 1))
	done
	had=$(ls -a "$tmp/sig" | grep -c '^\.blksim-')
	kill -s "$sig" "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	left=$(ls -a "$tmp/sig" | grep -c '^\.blksim-')
	[ "$had" -eq 1 ] && [ "$left" -eq 0 ] && [ ! -e "$tmp/sig/trace.txt" ]
	tap_check $? "SIG$sig during a traced run removes its temporary \
($had before, $left after)"
done

# --- fuzz --------------------------------------------------------------------
"$BLKSIM" fuzz --seed=7 --runs=200 --quirk=alloc-underflow=on \
    --out=/proc/no-such-dir >"$tmp/fz.out" 2>"$tmp/fz.err"
rc=$?
[ "$rc" -eq 3 ] && grep -q '^# blksim fuzz: enospc alloc' "$tmp/fz.err" &&
    grep -q '^write ' "$tmp/fz.err" && grep -q 'could not be written' \
    "$tmp/fz.out"
tap_check $? "fuzz with an unwritable --out prints the reproducer on \
stderr (exit $rc)"

tap_done
