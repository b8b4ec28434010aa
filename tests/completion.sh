#!/bin/sh
#
# tests/completion.sh: the bash completion script that `blksim completion`
# writes completes what the program accepts.  A TAP test for automake's
# TAP driver; it needs bash, and runs the script's completion function on
# command lines as bash would split them.
#
# Environment: BLKSIM, the blksim binary; SRCDIR, the top source directory.

: "${SRCDIR:?SRCDIR must name the top source directory}"
BLKSIM=${BLKSIM-}
. "$SRCDIR/tests/tap.sh"
if [ -z "$BLKSIM" ] || [ ! -x "$BLKSIM" ]; then
	echo "Bail out! BLKSIM '$BLKSIM' is not an executable"
	exit 99
fi
if ! command -v bash >/dev/null 2>&1; then
	tap_skip "bash completion" "no bash"
	tap_done
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/blksim-compl.XXXXXX") || {
	echo "Bail out! cannot create a temporary directory"
	exit 99
}
trap 'rm -rf "$tmp"' EXIT

"$BLKSIM" completion >"$tmp/blksim.bash"
tap_check $? "blksim completion exits 0"
bash -n "$tmp/blksim.bash"
tap_check $? "the script is valid bash"

# complete WANT WORD...: the replies for the command line WORD... (the
# last word being completed) are exactly WANT (space-separated, sorted).
complete_case() {
	want=$1
	shift
	got=$(cd "$SRCDIR" && bash -c '
		. "$0"
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_blksim
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
	    "$tmp/blksim.bash" "$@" 2>&1)
	got=${got% }
	if [ "$got" = "$want" ]; then
		tap_ok "complete '$*'"
	else
		tap_not_ok "complete '$*'"
		printf 'want: %s\ngot:  %s\n' "$want" "$got" | tap_diag
	fi
}

complete_case "run" blksim ru
complete_case "check completion" blksim c
complete_case "--era=" blksim run --er
complete_case "--era=modern" blksim run --era=m
complete_case "2008 modern" blksim check --era =
complete_case "modern" blksim dump --era = m
complete_case "--quirk=repair-one-mirror=off --quirk=repair-one-mirror=on" \
    blksim run --quirk=repair-one
complete_case "--preset=fixed" blksim fuzz --preset=f
complete_case "json junit" blksim run -f j
complete_case "--reduction=check" blksim fuzz --reduction=c
complete_case "run" blksim help ru
complete_case "scenarios/man-intro.scn" blksim run scenarios/man-int
complete_case "scenarios/fstests" blksim check scenarios/fst
complete_case "--reduction= --runs=" blksim fuzz --r
complete_case "" blksim quirks --era
tap_done
