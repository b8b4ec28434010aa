#!/bin/sh
#
# tests/help.sh: the usage text of blksim is its manual's SYNOPSIS.  A TAP
# test for automake's TAP driver.
#
# `blksim --help' must print, word for word, the SYNOPSIS of blksim.1 as
# mandoc renders it, after a leading `usage:'; whitespace is not compared,
# so line breaks and indentation are free.  It also checks the conventions
# of blksim.1: --help and -h print to standard output only and exit 0;
# --version and -V print `blksim VERSION' and exit 0; a usage error exits 2
# with the usage on standard error and nothing on standard output.
#
# Environment: BLKSIM, the blksim binary; SRCDIR, the absolute top source
# directory; MANDOC, the mandoc program or empty (then the SYNOPSIS
# comparison is skipped).

: "${SRCDIR:?SRCDIR must name the top source directory}"
BLKSIM=${BLKSIM-}
MANDOC=${MANDOC-}
page=$SRCDIR/man/blksim.1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/blksim-help.XXXXXX") || {
	echo "Bail out! cannot create a temporary directory"
	exit 99
}
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

. "$SRCDIR/tests/tap.sh"
# One word per line from standard input.
words() { awk '{ for (i = 1; i <= NF; i++) print $i }'; }

if [ -z "$BLKSIM" ] || [ ! -x "$BLKSIM" ]; then
	echo "Bail out! BLKSIM '$BLKSIM' is not an executable"
	exit 99
fi

# --- --help and -h ----------------------------------------------------------
tap_run --help
tap_check_exit 0 "blksim --help"
cp "$tmp/out" "$tmp/help"
if [ ! -s "$tmp/err" ]; then
	tap_ok "blksim --help writes nothing to standard error"
else
	tap_not_ok "blksim --help writes nothing to standard error"
	tap_diag <"$tmp/err"
fi
if head -n 1 "$tmp/help" | grep -q '^usage: blksim '; then
	tap_ok "blksim --help starts with 'usage: blksim'"
else
	tap_not_ok "blksim --help starts with 'usage: blksim'"
	tap_diag <"$tmp/help"
fi

tap_run -h
if [ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ] && cmp -s "$tmp/out" "$tmp/help"
then
	tap_ok "blksim -h prints what --help prints"
else
	tap_not_ok "blksim -h prints what --help prints (exit $rc)"
	tap_diag <"$tmp/err"
fi

# --- the SYNOPSIS -------------------------------------------------------------
if [ -z "$MANDOC" ]; then
	tap_skip "--help is the SYNOPSIS of blksim.1" "mandoc not found"
else
	# mandoc marks bold and underline with backspaces; drop them, then
	# keep the lines between the SYNOPSIS heading and the next heading.
	bs=$(printf '\b')
	"$MANDOC" -Tascii -O width=200 "$page" 2>"$tmp/mandoc.err" |
	    sed "s/.$bs//g" |
	    awk '/^[^ \t]/ { in_synopsis = ($0 == "SYNOPSIS"); next }
		in_synopsis' | words >"$tmp/synopsis"
	words <"$tmp/help" | awk 'NR > 1 || $0 != "usage:"' >"$tmp/usage"
	if [ ! -s "$tmp/synopsis" ]; then
		tap_not_ok "--help is the SYNOPSIS of blksim.1 (no SYNOPSIS rendered)"
		tap_diag <"$tmp/mandoc.err"
	elif cmp -s "$tmp/synopsis" "$tmp/usage"; then
		tap_ok "--help is the SYNOPSIS of blksim.1"
	else
		tap_not_ok "--help is the SYNOPSIS of blksim.1"
		echo "word by word, - SYNOPSIS, + --help:" | tap_diag
		diff -u "$tmp/synopsis" "$tmp/usage" | tail -n +3 | tap_diag
	fi
fi

# --- --version and -V ---------------------------------------------------------
tap_run --version
tap_check_exit 0 "blksim --version"
head -n 1 "$tmp/out" >"$tmp/version"
if grep -Eq '^blksim [0-9][0-9A-Za-z.+~_-]*$' "$tmp/version" &&
    [ ! -s "$tmp/err" ]; then
	tap_ok "blksim --version prints 'blksim VERSION'"
else
	tap_not_ok "blksim --version prints 'blksim VERSION'"
	tap_diag <"$tmp/out"
	tap_diag <"$tmp/err"
fi
cp "$tmp/out" "$tmp/version"
tap_run -V
if [ "$rc" -eq 0 ] && cmp -s "$tmp/out" "$tmp/version"; then
	tap_ok "blksim -V prints what --version prints"
else
	tap_not_ok "blksim -V prints what --version prints (exit $rc)"
	tap_diag <"$tmp/out"
fi

# --- usage errors -------------------------------------------------------------
# Each usage error must exit 2, print nothing on standard output, and print
# the usage (its first line at least) on standard error.
usage_line=$(head -n 1 "$tmp/help")
usage_error() {
	what=$1
	shift
	tap_run "$@"
	if [ "$rc" -eq 2 ] && [ ! -s "$tmp/out" ] &&
	    grep -qxF -- "$usage_line" "$tmp/err"; then
		tap_ok "$what: exit 2, usage on standard error"
	else
		tap_not_ok "$what: exit 2, usage on standard error (exit $rc)"
		echo "stdout:" | tap_diag
		tap_diag <"$tmp/out"
		echo "stderr:" | tap_diag
		tap_diag <"$tmp/err"
	fi
}
usage_error "an unknown option" --no-such-option
usage_error "an unknown option of run" run --no-such-option "$SRCDIR/scenarios"
usage_error "an unknown command" no-such-command
usage_error "no command" 

tap_done
