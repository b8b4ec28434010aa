#!/bin/sh
#
# tests/shard.sh: --shard=K/N splits one exploration and one fuzz campaign,
# and the shards together are the whole.  A TAP test for automake's driver.
#
# Explorations: every bundled scenario with an explored block, with the
# quirks of pre-patch (deadlocks) and post-patch (none), as written and
# with its `end expect` turned over (so that every block's point fails and
# its report shows the counts), under each reduction.  With sleep sets and
# without a reduction, the schedules and the deadlocks that shards 1/3,
# 2/3 and 3/3 count add up to the unsharded exploration's; with the state
# cache (whose cuts depend on what the shard saw) a deadlock is found by
# some shard exactly when the unsharded exploration finds one.  Every
# shard's verdict on a block that expects a deadlock is the whole's, and a
# block that expects none passes in every shard exactly when it passes
# whole.
#
# Fuzzing: the shards of a campaign run its scenarios once each (their
# counts of scenarios and of documented latent defects add up to the
# whole's), and the anomaly the whole campaign stops at is the one the
# shard holding its scenario number stops at.
#
# Environment: BLKSIM, the blksim binary; SRCDIR, the top source directory.

: "${SRCDIR:?SRCDIR must name the top source directory}"
: "${BLKSIM:?BLKSIM must name the blksim binary}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/blksim-shard.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
. "$SRCDIR/tests/tap.sh"

# The `end expect` points of the TAP report $1: "LINE OK DEADLOCKS
# SCHEDULES", DEADLOCKS "?" where the point passed expecting a deadlock
# (its report names no count).
ends() {
	awk '
	function flush() {
		if (line != "")
			print line, ok, d, s
		line = ""
	}
	/^(not )?ok [0-9]+ - / {
		flush()
		if ($0 !~ /: end expect /)
			next
		ok = $1 == "ok" ? "ok" : "fail"
		d = ok == "ok" && $0 ~ /end expect deadlock/ ? "?" : 0
		s = "-"
		line = $0
		sub(/: end expect.*/, "", line)
		sub(/.*:/, "", line)
		next
	}
	line != "" && /^  got: "deadlock in [0-9]+ of/ {
		d = $0; sub(/.*deadlock in /, "", d); sub(/ .*/, "", d)
	}
	line != "" && /^  schedules: [0-9]+$/ { s = $2 }
	END { flush() }' "$1"
}

# Compare the whole report $1 with the shards' $2 $3 $4 under reduction $5.
compare() {
	whole=$1 red=$5
	ends "$whole" >"$tmp/w"
	: >"$tmp/s"
	for f in "$2" "$3" "$4"; do
		ends "$f" >>"$tmp/s"
	done
	while read -r line ok d s; do
		grep "^$line " "$tmp/s" >"$tmp/l"
		n=$(wc -l <"$tmp/l")
		[ "$n" -eq 3 ] || { echo "line $line: $n shard points"; return 1; }
		# Verdicts: whole ok iff every shard ok.
		nok=$(awk '$2 == "ok"' "$tmp/l" | wc -l)
		if { [ "$ok" = ok ] && [ "$nok" -ne 3 ]; } ||
		    { [ "$ok" = fail ] && [ "$nok" -eq 3 ]; }; then
			echo "line $line: whole $ok, $nok shards ok"
			return 1
		fi
		if [ "$s" = - ] || awk '$4 == "-"' "$tmp/l" | grep -q .; then
			echo "line $line: a point shows no schedule count"
			return 1
		fi
		ss=$(awk '{ n += $4 } END { print n }' "$tmp/l")
		if [ "$d" = "?" ] || awk '$3 == "?"' "$tmp/l" | grep -q .; then
			# Only the verdicts and schedules of a passing
			# `expect deadlock` can be compared.
			if [ "$red" != state ] && [ "$ss" -ne "$s" ]; then
				echo "line $line: whole $s schedules, shards $ss"
				return 1
			fi
			shown=$((shown + 1))
			continue
		fi
		sd=$(awk '{ n += $3 } END { print n }' "$tmp/l")
		if [ "$red" = state ]; then
			if { [ "$d" -gt 0 ] && [ "$sd" -eq 0 ]; } ||
			    { [ "$d" -eq 0 ] && [ "$sd" -gt 0 ]; }; then
				echo "line $line: deadlocks $d whole, $sd shards"
				return 1
			fi
		elif [ "$sd" -ne "$d" ] || [ "$ss" -ne "$s" ]; then
			echo "line $line: whole $d of $s, shards $sd of $ss"
			return 1
		fi
		shown=$((shown + 1))
	done <"$tmp/w"
	return 0
}

shown=0
for scn in $(grep -l 'schedule=explore' "$SRCDIR"/scenarios/*.scn \
    "$SRCDIR"/scenarios/history/*.scn); do
	name=$(basename "$scn" .scn)
	sed -e 's/end expect no-deadlock/end expect NODEADLOCK/' \
	    -e 's/end expect deadlock/end expect no-deadlock/' \
	    -e 's/end expect NODEADLOCK/end expect deadlock/' \
	    "$scn" >"$tmp/$name-flipped.scn"
	for file in "$scn" "$tmp/$name-flipped.scn"; do
		for preset in pre-patch post-patch; do
			for red in none sleep-sets state; do
				opts="--preset=$preset --reduction=$red"
				what="$(basename "$file") $opts"
				"$BLKSIM" run -f tap $opts "$file" \
				    >"$tmp/whole" 2>/dev/null
				for k in 1 2 3; do
					"$BLKSIM" run -f tap $opts \
					    --shard=$k/3 "$file" \
					    >"$tmp/shard$k" 2>/dev/null
				done
				if compare "$tmp/whole" "$tmp/shard1" \
				    "$tmp/shard2" "$tmp/shard3" $red \
				    >"$tmp/why"; then
					tap_ok "$what: 3 shards make the whole"
				else
					tap_not_ok "$what: 3 shards make the whole"
					tap_diag <"$tmp/why"
				fi
			done
		done
	done
done
if [ "$shown" -ge 10 ]; then
	tap_ok "$shown blocks' counts compared"
else
	tap_not_ok "only $shown blocks' counts compared"
fi

# A block the shards really split: its schedules spread over the shards.
"$BLKSIM" run -f tap --preset=pre-patch \
    "$SRCDIR/scenarios/history/quirk1-deadlock.scn" >"$tmp/whole" 2>/dev/null
busy=0
for k in 1 2 3; do
	"$BLKSIM" run -f tap --preset=pre-patch --shard=$k/3 \
	    "$SRCDIR/scenarios/history/quirk1-deadlock.scn" >"$tmp/s$k" 2>/dev/null
	ends "$tmp/s$k" | awk '$4 != "-" && $4 > 0' | grep -q . &&
	    busy=$((busy + 1))
done
if [ "$busy" -eq 3 ]; then
	tap_ok "quirk1-deadlock: every one of 3 shards runs schedules"
else
	tap_not_ok "quirk1-deadlock: $busy of 3 shards run schedules"
fi

# --- fuzz --------------------------------------------------------------------
# The campaign's sums: scenarios and latent defects.
sums() {
	sed -n -e 's/^blksim fuzz: \([0-9]*\) scenarios.*/scenarios \1/p' \
	    -e 's/^  documented latent defects: //p' "$@" |
	    tr ',' '\n' | sed 's/^ *//' |
	    awk '{ v = $NF; $NF = ""; n[$0] += v }
		END { for (k in n) print k, n[k] }' |
	    sort
}
"$BLKSIM" fuzz -q --seed=11 --runs=150 >"$tmp/fw" 2>&1
: >"$tmp/fs"
for k in 1 2 3; do
	"$BLKSIM" fuzz -q --seed=11 --runs=150 --shard=$k/3 >>"$tmp/fs" 2>&1
done
sums "$tmp/fw" >"$tmp/fw.sum"
sums "$tmp/fs" >"$tmp/fs.sum"
if grep -q '^scenarios  *150$' "$tmp/fw.sum" && cmp -s "$tmp/fw.sum" "$tmp/fs.sum"
then
	tap_ok "fuzz: 3 shards run the 150 scenarios, the latent defects add up"
else
	tap_not_ok "fuzz: 3 shards run the 150 scenarios, the latent defects add up"
	diff "$tmp/fw.sum" "$tmp/fs.sum" | tap_diag
fi

# The whole campaign's anomaly is found by the shard holding its number;
# every shard's anomaly is one of its own numbers.
"$BLKSIM" fuzz -q --seed=1 --runs=300 --preset=pre-patch --out="$tmp" \
    >"$tmp/aw" 2>&1
first=$(sed -n 's/.* in scenario \([0-9]*\)$/\1/p' "$tmp/aw")
ok=${first:+yes}
for k in 1 2 3; do
	"$BLKSIM" fuzz -q --seed=1 --runs=300 --preset=pre-patch --shard=$k/3 \
	    --out="$tmp" >"$tmp/a$k" 2>&1
	i=$(sed -n 's/.* in scenario \([0-9]*\)$/\1/p' "$tmp/a$k")
	[ -n "$i" ] && [ $((i % 3)) -eq $((k - 1)) ] || ok=
	if [ -n "$first" ] && [ $((first % 3)) -eq $((k - 1)) ] &&
	    [ "$i" != "$first" ]; then
		ok=
	fi
done
if [ -n "$ok" ]; then
	tap_ok "fuzz: each shard's anomaly is its own; scenario $first's shard finds it"
else
	tap_not_ok "fuzz: each shard's anomaly is its own; the whole's shard finds it"
	cat "$tmp/aw" "$tmp"/a[123] | tap_diag
fi

# Reports say which shard explored a block, so that the shards' suites of
# one file tell themselves apart; an unsharded run says nothing of it.
f="$SRCDIR/scenarios/history/quirk1-deadlock.scn"
ok=yes
for k in 1 2 3; do
	"$BLKSIM" run -f junit --shard=$k/3 "$f" >"$tmp/j$k" 2>/dev/null
	"$BLKSIM" run -f json --shard=$k/3 "$f" >"$tmp/s$k" 2>/dev/null
	grep -q "<property name=\"line 27: shard\" value=\"$k/3\"/>" \
	    "$tmp/j$k" && grep -q "\"shard\":\"$k/3\"" "$tmp/s$k" || ok=
done
"$BLKSIM" run -f junit "$f" >"$tmp/j0" 2>/dev/null
! grep -q ': shard"' "$tmp/j0" || ok=
if [ -n "$ok" ]; then
	tap_ok "junit and json name the shard of an explored block"
else
	tap_not_ok "junit and json name the shard of an explored block"
	cat "$tmp"/j1 "$tmp"/s1 | tap_diag
fi

tap_done
