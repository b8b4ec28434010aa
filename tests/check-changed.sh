#!/bin/sh
# TAP test: the invariant checker of what changed finds what the full one
# finds.
#
# After every statement the checker looks only at what the statement
# changed (inv_check_changed() in sim/inv.c); `--check=full` walks the
# whole model instead.  That is sound only if every change to the extent
# maps, the file extent items and the allocator is recorded where the
# checker looks (sim/em.c, sim/fei.c, sim/alloc.c, sim/track.c).  A change
# made without its record shows here as a finding one mode makes and the
# other does not.  This compares, for each set of quirks (none, the
# pre-patch preset and each quirk that breaks an invariant, alone):
#
#  - the -f json reports of every scenario under scenarios/ and
#    scenarios/history/ and the golden parse test inputs that run, with the
#    times blanked: the same points, findings, counters and verdicts;
#  - a fuzz campaign's summary and reproducer (`blksim fuzz`, whose oracle
#    stops at the first finding), which must be equal byte for byte.
#
# Environment (from Makefile.am): BLKSIM, SRCDIR.
set -u
: "${BLKSIM:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/tap.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/blksim-check-changed.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# Blank what differs between runs of the same input: the times.
normal() {
	sed -E -e 's/"seconds":[0-9.e+-]+/"seconds":T/g'
}

configs="default
--preset=pre-patch
--quirk=drop-whole=on
--quirk=truncate-unaligned=on
--quirk=hole-drop-length=on
--quirk=insert-eexist-eio=on
--quirk=alloc-underflow=on"

set -- "$SRCDIR"/scenarios/*.scn "$SRCDIR"/scenarios/history/*.scn
[ -f "$1" ] || tap_bail "no scenarios under $SRCDIR/scenarios"

echo "$configs" | while IFS= read -r c; do
	opts=
	[ "$c" = default ] || opts=$c
	for mode in full changed; do
		# shellcheck disable=SC2086
		"$BLKSIM" run -f json --check=$mode $opts "$@" \
		    >"$tmp/$mode.raw" 2>"$tmp/$mode.err" </dev/null
		echo $? >>"$tmp/$mode.raw"
		normal <"$tmp/$mode.raw" >"$tmp/$mode.json"
	done
	if cmp -s "$tmp/full.json" "$tmp/changed.json" &&
	    cmp -s "$tmp/full.err" "$tmp/changed.err"; then
		tap_ok "scenarios, $c: the same reports"
	else
		tap_not_ok "scenarios, $c: the same reports"
		diff "$tmp/full.json" "$tmp/changed.json" |
		    sed 's/},{/},\n{/g' | head -n 20 | tap_diag
	fi
	# Something must have been found, or the comparison says little.
	case $c in
	*truncate-unaligned*|*hole-drop-length*|*alloc-underflow*)
		grep -q '"findings":\[{' "$tmp/full.json"
		tap_check $? "scenarios, $c: some scenario has a finding" ;;
	esac
	for mode in full changed; do
		mkdir "$tmp/out.$mode"
		# shellcheck disable=SC2086
		"$BLKSIM" fuzz -q --seed=3 --runs=300 --check=$mode \
		    --out="$tmp/out.$mode" $opts >"$tmp/fuzz.$mode" 2>&1
		echo $? >>"$tmp/fuzz.$mode"
		sed "s,$tmp/out.$mode,OUT," "$tmp/fuzz.$mode" \
		    >"$tmp/fuzz.$mode.n"
		cat "$tmp"/out.$mode/*.scn >>"$tmp/fuzz.$mode.n" 2>/dev/null
	done
	if cmp -s "$tmp/fuzz.full.n" "$tmp/fuzz.changed.n"; then
		tap_ok "fuzz, $c: the same summary and reproducer ($(head -n 1 \
		    "$tmp/fuzz.full"))"
	else
		tap_not_ok "fuzz, $c: the same summary and reproducer"
		diff "$tmp/fuzz.full.n" "$tmp/fuzz.changed.n" | head -n 20 |
		    tap_diag
	fi
	rm -rf "$tmp/out.full" "$tmp/out.changed"
done >"$tmp/tap"
cat "$tmp/tap"
tap_n=$(grep -c '^ok \|^not ok ' "$tmp/tap")
tap_failed=$(grep -c '^not ok ' "$tmp/tap")
tap_done
