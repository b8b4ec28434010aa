#!/bin/sh
#
# tests/colour.sh: PASS, FAIL and ERROR are in colour on a terminal, and
# never when NO_COLOR is set or the output is not a terminal.  A TAP test;
# the terminal is script(1)'s pseudo-terminal.
#
# Environment: BLKSIM, the blksim binary; SRCDIR, the top source directory.

: "${SRCDIR:?SRCDIR must name the top source directory}"
BLKSIM=${BLKSIM-}
. "$SRCDIR/tests/tap.sh"
if [ -z "$BLKSIM" ] || [ ! -x "$BLKSIM" ]; then
	echo "Bail out! BLKSIM '$BLKSIM' is not an executable"
	exit 99
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/blksim-colour.XXXXXX") || {
	echo "Bail out! cannot create a temporary directory"
	exit 99
}
trap 'rm -rf "$tmp"' EXIT
printf 'create a\nwrite a 0 4K\n' >"$tmp/pass.scn"
printf 'create a\nwrite a 0 4K expect eio\n' >"$tmp/fail.scn"
esc=$(printf '\033')

# on_tty FILE: blksim run FILE's stdout, as a terminal sees it.
on_tty() {
	script -qc "'$BLKSIM' run '$1'" /dev/null </dev/null
}

if ! command -v script >/dev/null 2>&1; then
	tap_skip "colours on a terminal" "no script(1) to make one"
	tap_done
	exit 0
fi
unset NO_COLOR
on_tty "$tmp/pass.scn" >"$tmp/out"
grep -q "${esc}\[32mPASS${esc}\[0m" "$tmp/out"
tap_check $? "PASS is green on a terminal"
on_tty "$tmp/fail.scn" >"$tmp/out"
grep -q "${esc}\[1;31mFAIL${esc}\[0m" "$tmp/out"
tap_check $? "FAIL is bold red on a terminal"
NO_COLOR=1 on_tty "$tmp/fail.scn" >"$tmp/out"
! grep -q "$esc" "$tmp/out" && grep -q '^FAIL ' "$tmp/out"
tap_check $? "NO_COLOR=1: no colour on a terminal"
NO_COLOR= on_tty "$tmp/pass.scn" >"$tmp/out"
grep -q "${esc}\[32mPASS" "$tmp/out"
tap_check $? "an empty NO_COLOR does not count"
"$BLKSIM" run "$tmp/fail.scn" >"$tmp/out" 2>&1
! grep -q "$esc" "$tmp/out"
tap_check $? "no colour into a pipe"
"$BLKSIM" run -f tap "$tmp/pass.scn" >"$tmp/out" 2>&1
! grep -q "$esc" "$tmp/out"
tap_check $? "no colour in TAP"
tap_done
