#!/bin/sh
# TAP test: the same input and seed give byte-identical output.
#
# For every report format, the whole of scenarios/ is run twice and with
# -j 2; the outputs must be identical.  Then the run is split with
# --shard=K/3 and the union of the shards' TAP points must equal the
# whole run's.  Environment (from Makefile.am): BLKSIM, SRCDIR.
set -u
: "${BLKSIM:?}" "${SRCDIR:?}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
. "$SRCDIR/tests/tap.sh"

for fmt in text tap junit json; do
	"$BLKSIM" run -f $fmt "$SRCDIR/scenarios" >"$tmp/a.$fmt" 2>&1
	"$BLKSIM" run -f $fmt "$SRCDIR/scenarios" >"$tmp/b.$fmt" 2>&1
	"$BLKSIM" run -j 2 -f $fmt "$SRCDIR/scenarios" >"$tmp/c.$fmt" 2>&1
	if [ -s "$tmp/a.$fmt" ] && cmp -s "$tmp/a.$fmt" "$tmp/b.$fmt"; then
		tap_ok "$fmt: two runs are byte-identical"
	else
		tap_not_ok "$fmt: two runs are byte-identical"
	fi
	if cmp -s "$tmp/a.$fmt" "$tmp/c.$fmt"; then
		tap_ok "$fmt: -j 2 gives the same bytes as -j 1"
	else
		tap_not_ok "$fmt: -j 2 gives the same bytes as -j 1"
		diff "$tmp/a.$fmt" "$tmp/c.$fmt" | head -5 | sed 's/^/# /'
	fi
done

# --seed overrides the file and is reproducible too.
"$BLKSIM" run --seed=7 -f json "$SRCDIR/scenarios" >"$tmp/s1" 2>&1
"$BLKSIM" run --seed=7 -f json "$SRCDIR/scenarios" >"$tmp/s2" 2>&1
if cmp -s "$tmp/s1" "$tmp/s2" && grep -q '"seed":7' "$tmp/s1"; then
	tap_ok "--seed=7: reproducible and reported"
else
	tap_not_ok "--seed=7: reproducible and reported"
fi

# The shards' points, without their numbers, make up the whole run.  A
# file that explores a block is run by every shard (each explores its
# parts of the tree, tests/shard.sh), so its points come once a shard.
points() { sed -n 's/^\(not ok\|ok\) [0-9]* - /\1 /p' "$@" | sort -u; }
: >"$tmp/shards"
for k in 1 2 3; do
	"$BLKSIM" run --shard=$k/3 -f tap "$SRCDIR/scenarios" >"$tmp/shard$k" 2>/dev/null
	points "$tmp/shard$k" >>"$tmp/shards"
done
sort -u "$tmp/shards" >"$tmp/union"
points "$tmp/a.tap" >"$tmp/whole"
if [ -s "$tmp/whole" ] && cmp -s "$tmp/union" "$tmp/whole"; then
	tap_ok "the union of --shard=1/3, 2/3, 3/3 is the whole run"
else
	tap_not_ok "the union of --shard=1/3, 2/3, 3/3 is the whole run"
fi
if cmp -s "$tmp/shard1" "$tmp/shard2"; then
	tap_not_ok "shards differ from each other"
else
	tap_ok "shards differ from each other"
fi

tap_done
