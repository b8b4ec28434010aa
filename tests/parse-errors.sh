#!/bin/sh
# Golden tests of `blksim check`, as TAP.
#
# tests/golden/NN-name.scn is a malformed scenario and NN-name.err the
# exact stderr `blksim check NN-name.scn` must print (run from that
# directory, so the file names in the messages are relative), with exit
# status 2.  ok-NN-name.scn is a valid scenario: exit 0, nothing printed.
# Then the file handling of `check`: directories walked recursively for
# *.scn and sorted, exit 3 for a file that cannot be read (winning over 2).
#
# Environment (set by `make check`): BLKSIM, the program; SRCDIR, the
# absolute top source directory.  To accept a changed message, rerun with
# the new binary and review the diff before copying its output over the
# .err file.

LC_ALL=C
export LC_ALL
: "${SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${BLKSIM:=$SRCDIR/src/blksim}"
. "$SRCDIR/tests/tap.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/golden.XXXXXX") || tap_bail "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
[ -x "$BLKSIM" ] || tap_bail "no program at $BLKSIM"
cd "$SRCDIR/tests/golden" || tap_bail "no $SRCDIR/tests/golden"

# check_case NAME WANT_STATUS WANT_STDERR_FILE ARGS...: run `check ARGS`,
# compare status and stderr, require an empty stdout.
check_case() {
	name=$1 want_rc=$2 want=$3
	shift 3
	"$BLKSIM" check "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq "$want_rc" ] && cmp -s "$want" "$tmp/err" &&
	    [ ! -s "$tmp/out" ]; then
		tap_ok "$name"
		return
	fi
	tap_not_ok "$name"
	echo "exit status $rc, want $want_rc" | tap_diag
	diff -u "$want" "$tmp/err" | tap_diag
	[ -s "$tmp/out" ] && { echo "unexpected stdout:"; cat "$tmp/out"; } |
	    tap_diag
}

: >"$tmp/empty"
ninvalid=0
for scn in *.scn; do
	base=${scn%.scn}
	case $base in
	ok-*)
		check_case "$scn is valid" 0 "$tmp/empty" "$scn"
		;;
	*)
		ninvalid=$((ninvalid + 1))
		if [ ! -f "$base.err" ]; then
			tap_not_ok "$scn has a $base.err"
			continue
		fi
		check_case "$scn: errors as in $base.err" 2 "$base.err" "$scn"
		;;
	esac
done
[ "$ninvalid" -ge 40 ]
tap_check $? "at least 40 malformed files ($ninvalid)"

# The whole directory: every file in strcmp order, names as walked.
: >"$tmp/want"
for scn in *.scn; do
	[ -f "${scn%.scn}.err" ] || continue
	sed "s|^$scn:\([0-9]*:[0-9]*: error: \)|golden/$scn:\1|" \
	    "${scn%.scn}.err" >>"$tmp/want"
done
cd .. || tap_bail "cd $SRCDIR/tests"
check_case "check golden: all files, sorted" 2 "$tmp/want" golden
check_case "check golden/: same with a trailing slash" 2 "$tmp/want" golden/
cd golden || tap_bail "cd $SRCDIR/tests/golden"

# A tree: *.scn found at any depth, other files ignored.
mkdir -p "$tmp/tree/a/b" "$tmp/tree/c.scn.d"
echo bogus >"$tmp/tree/a/b/deep.scn"
echo sync >"$tmp/tree/top.scn"
echo bogus >"$tmp/tree/notes.txt"
echo bogus >"$tmp/tree/c.scn.d/x.scn.bak"
"$BLKSIM" check "$tmp/tree" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && [ "$(grep -c ': error: ' "$tmp/err")" -eq 1 ] &&
    grep -q "^$tmp/tree/a/b/deep.scn:1:1: error: unknown statement" \
    "$tmp/err"
tap_check $? "a directory is walked recursively for *.scn only"
"$BLKSIM" check "$tmp/tree/a/b/deep.scn" 2>"$tmp/want" >/dev/null
check_case "the walk reports the same as the file" 2 "$tmp/want" \
    "$tmp/tree"
rm "$tmp/tree/a/b/deep.scn"
check_case "a tree of valid files passes" 0 "$tmp/empty" "$tmp/tree"
"$BLKSIM" check "$tmp/tree/notes.txt" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "^$tmp/tree/notes.txt:1:1: error: unknown statement" \
    "$tmp/err"
tap_check $? "a file named explicitly need not end in .scn"

# Files from several arguments are sorted together.
mkdir -p "$tmp/s1" "$tmp/s2"
echo bogus >"$tmp/s2/a.scn"
echo bogus >"$tmp/s1/b.scn"
"$BLKSIM" check "$tmp/s1/b.scn" "$tmp/s2" >/dev/null 2>"$tmp/err"
rc=$?
first=$(grep ': error: ' "$tmp/err" | head -n 1 | cut -d: -f1)
[ "$rc" -eq 2 ] && [ "$first" = "$tmp/s1/b.scn" ]
tap_check $? "paths are sorted with strcmp across arguments"

# Exit 3 when a file cannot be read; 3 wins over 2.
printf 'blksim: %s: No such file or directory\n' "$tmp/missing.scn" \
    >"$tmp/want"
check_case "a missing file is exit 3" 3 "$tmp/want" "$tmp/missing.scn"
cat "$tmp/want" 01-unknown-statement.err >"$tmp/want2"
check_case "exit 3 wins over 2; the other file is still checked" 3 \
    "$tmp/want2" "$tmp/missing.scn" 01-unknown-statement.scn
if [ "$(id -u)" -ne 0 ]; then
	echo sync >"$tmp/locked.scn"
	chmod 000 "$tmp/locked.scn"
	printf 'blksim: %s: Permission denied\n' "$tmp/locked.scn" \
	    >"$tmp/want"
	check_case "an unreadable file is exit 3" 3 "$tmp/want" \
	    "$tmp/locked.scn"
else
	tap_skip "an unreadable file is exit 3" "root reads every file"
fi
: >"$tmp/empty.scn"
check_case "an empty file is valid" 0 "$tmp/empty" "$tmp/empty.scn"
"$BLKSIM" check >/dev/null 2>&1
tap_check $(($? != 2)) "check without a path is a usage error"

tap_done
