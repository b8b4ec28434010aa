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
# compare status and stderr; stdout is the one summary line that counts
# the files (valid, or invalid: whichever the status says).
check_case() {
	name=$1 want_rc=$2 want=$3
	shift 3
	$as "$BLKSIM" check "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	case $rc in
	0) summary='^blksim: check: [0-9]* files* valid$' ;;
	*) summary='^blksim: check: [0-9]* of [0-9]* files* invalid' ;;
	esac
	if [ "$rc" -eq "$want_rc" ] && cmp -s "$want" "$tmp/err" &&
	    [ "$(wc -l <"$tmp/out")" -eq 1 ] && grep -q "$summary" "$tmp/out"
	then
		tap_ok "$name"
		return
	fi
	tap_not_ok "$name"
	echo "exit status $rc, want $want_rc" | tap_diag
	diff -u "$want" "$tmp/err" | tap_diag
	{ echo "stdout (one summary line wanted):"; cat "$tmp/out"; } |
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
# Root reads every file, so as root the case runs as nobody, if it can.
as=
if [ "$(id -u)" -eq 0 ]; then
	as="setpriv --reuid=65534 --regid=65534 --clear-groups"
	$as true 2>/dev/null || as=no
fi
if [ "$as" != no ]; then
	echo sync >"$tmp/locked.scn"
	chmod 000 "$tmp/locked.scn"
	chmod 755 "$tmp"
	printf 'blksim: %s: Permission denied\n' "$tmp/locked.scn" \
	    >"$tmp/want"
	check_case "an unreadable file is exit 3" 3 "$tmp/want" \
	    "$tmp/locked.scn"
	chmod 700 "$tmp"
	as=
else
	as=
	tap_skip "an unreadable file is exit 3" "root, and no setpriv"
fi
: >"$tmp/empty.scn"
check_case "an empty file is valid" 0 "$tmp/empty" "$tmp/empty.scn"

# Limits of a whole file (blksim-scenario(5), LIMITS), on files made here
# rather than committed: statements, files, errors and bytes.  Each file
# is checked from $tmp so that its name in the messages is short.
cd "$tmp" || tap_bail "cd $tmp"
lines() {	# N TEXT: TEXT on N lines
	awk -v n="$1" -v t="$2" 'BEGIN { for (i = 0; i < n; i++) print t }'
}

{ lines 10000 "sync"; lines 100 "# a comment"; lines 100 ""; } >stmts.scn
check_case "10000 statements, blank and comment lines apart, are valid" 0 \
    empty stmts.scn
{ echo "  sync"; echo "bogus"; } >>stmts.scn
cat >want <<'EOF'
stmts.scn:10201:3: error: too many statements: a scenario holds at most 10000 (lines other than blank and comment lines); split it into several files
  sync
  ^~~~
EOF
check_case "statement 10001 is reported and ends the check" 2 want stmts.scn

awk 'BEGIN { for (i = 0; i < 4096; i++) print "create f" i }' >files.scn
check_case "4096 files are valid" 0 empty files.scn
echo "create f4096" >>files.scn
cat >want <<'EOF'
files.scn:4097:8: error: too many files: a scenario may create at most 4096; reuse a file or split the scenario
create f4096
       ^~~~~
EOF
check_case "file 4097 is reported" 2 want files.scn

# The 1000 errors are those `bogus` alone gets, line by line; then a note.
echo bogus >one.scn
"$BLKSIM" check one.scn 2>one.err
lines 1003 "bogus" >errs.scn
i=1
while [ "$i" -le 1000 ]; do
	sed "1s/^one\.scn:1:/errs.scn:$i:/" one.err
	i=$((i + 1))
done >want
cat >>want <<'EOF'
errs.scn:1001:1: error: too many errors: these are the first 1000; fix them and check again
bogus
^
EOF
check_case "the first 1000 errors are reported, then a note" 2 want errs.scn

# A file of exactly 16M is read; one byte more is refused as a whole.
yes '# padding' | head -c 16777216 >bytes.scn
check_case "a file of 16M is valid" 0 empty bytes.scn
printf '#' >>bytes.scn
cat >want <<'EOF'
bytes.scn:1:1: error: the file is larger than 16M (16777216 bytes), the most a scenario may hold: split it into several files
# padding
^
EOF
check_case "a file of 16M + 1 byte is refused" 2 want bytes.scn

# A file that never ends is read no further than the limit.  Under a
# 4G address-space limit where the build allows one (a sanitizer build
# does not), so that a reader without the limit fails fast instead of
# filling the machine's memory.
vlimit=
(ulimit -v 4000000 && "$BLKSIM" check empty.scn) >/dev/null 2>&1 &&
    vlimit="ulimit -v 4000000;"
if [ -r /dev/zero ] && command -v timeout >/dev/null 2>&1; then
	(eval "$vlimit"; exec timeout 60 "$BLKSIM" check /dev/zero) \
	    >out 2>err
	rc=$?
	[ "$rc" -eq 2 ] && head -n 1 err |
	    grep -q '^/dev/zero:1:1: error: the file is larger than 16M'
	tap_check $? "check /dev/zero stops at the limit (exit $rc)"
else
	tap_skip "check /dev/zero stops at the limit" "no /dev/zero or timeout"
fi
cd "$SRCDIR/tests/golden" || tap_bail "cd $SRCDIR/tests/golden"
"$BLKSIM" check >/dev/null 2>&1
tap_check $(($? != 2)) "check without a path is a usage error"

tap_done
