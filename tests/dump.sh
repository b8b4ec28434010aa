#!/bin/sh
# TAP test: `blksim dump` shows the state a person needs, on the first
# example of blksim-scenario(5) (scenarios/man-partial-drop.scn): the item, the two cached maps
# around the dropped [64K, 68K) with the tree's `last', the corrupt sector
# on mirror 1, a gap in the cache track, and the counters; and --quirk
# applies to dump as to run.  Environment (from Makefile.am): BLKSIM, SRCDIR.
set -u
: "${BLKSIM:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/tap.sh"
out=$("$BLKSIM" dump "$SRCDIR/scenarios/man-partial-drop.scn" 2>&1)
tap_check $? "dump of a passing scenario exits 0"
has() { printf '%s\n' "$out" | grep -q -- "$1"; tap_check $? "$2"; }
has '^    0            128K         1M           128K           0$' \
	"the file extent item table"
has '^    0            64K          1M   (last)$' \
	"the head remnant, marked as the tree's last"
has '^    68K          60K          1092K$' "the tail remnant"
has '^    cache  |cccccccccccccccc ccccccccccccccc|' \
	"the cache track shows the dropped 4K as a gap"
has '^    m1     |x\.*|' "mirror 1's track shows its corrupt sector"
has '^mirror 1: online, .* 1 corrupt runs' "the mirror summary"
has 'em_splits=2' "the counters"
out=$("$BLKSIM" dump --quirk=drop-whole=on \
	"$SRCDIR/scenarios/man-partial-drop.scn" 2>&1)
printf '%s\n' "$out" | grep -q '^  cached extent maps (1)$'
tap_check $? "--quirk=drop-whole=on: the whole map was dropped and re-read"
tap_done
