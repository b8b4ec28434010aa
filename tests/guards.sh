#!/bin/sh
# TAP test: the historical cases prove both directions.
#
#  - `blksim run --guards scenarios/` passes: every scenario holds as written
#    (post-patch) and fails with each quirk it guards turned on;
#  - every scenario under scenarios/history/ (the cases of commit 3b951516)
#    and scenarios/fstests/ (the fstests read-repair tests, modern era)
#    declares `guards`;
#  - for each such scenario and each quirk it guards, a separate run with
#    --quirk=Q=on exits 1 (the scenario fails) and the plain run exits 0;
#  - every scenario file is listed in Makefile.am, so none escapes make check.
#
# Environment (from Makefile.am): BLKSIM, SRCDIR.
set -u
: "${BLKSIM:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/tap.sh"

out=$("$BLKSIM" run --guards -q "$SRCDIR/scenarios" 2>&1)
if [ $? -eq 0 ]; then
	tap_ok "blksim run --guards scenarios/"
else
	tap_not_ok "blksim run --guards scenarios/"
	printf '%s\n' "$out" | sed 's/^/# /'
fi

for f in "$SRCDIR"/scenarios/history/*.scn "$SRCDIR"/scenarios/fstests/*.scn; do
	[ -f "$f" ] || continue
	name=${f#"$SRCDIR"/}
	quirks=$(sed -n 's/#.*//; s/^[[:space:]]*guards[[:space:]]\{1,\}//p' "$f" |
		tr -s ' \t' '\n\n' | sed '/^$/d')
	if [ -z "$quirks" ]; then
		tap_not_ok "$name declares guards"
		continue
	fi
	tap_ok "$name declares guards"
	"$BLKSIM" run -q "$f" >/dev/null 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then tap_ok "$name passes post-patch"
	else tap_not_ok "$name passes post-patch (exit $rc)"; fi
	for q in $quirks; do
		"$BLKSIM" run -q --quirk="$q=on" "$f" >/dev/null 2>&1
		rc=$?
		if [ $rc -eq 1 ]; then tap_ok "$name fails with $q on"
		else tap_not_ok "$name fails with $q on (exit $rc)"; fi
	done
done

# Every scenario is a test of make check.
for f in "$SRCDIR"/scenarios/*.scn "$SRCDIR"/scenarios/history/*.scn \
    "$SRCDIR"/scenarios/fstests/*.scn; do
	[ -f "$f" ] || continue
	name=${f#"$SRCDIR"/}
	if grep -q "[[:space:]]$name\\([[:space:]]\\|\$\\)" "$SRCDIR/Makefile.am"; then
		tap_ok "$name is listed in Makefile.am"
	else
		tap_not_ok "$name is listed in Makefile.am (add it to SCENARIO_TESTS)"
	fi
done

tap_done
