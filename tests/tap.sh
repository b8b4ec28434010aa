# tap.sh: a tiny TAP producer for the shell tests, sourced by them.
#
#	. "$SRCDIR/tests/tap.sh"
#	tap_ok "name"			# a passing test point
#	tap_not_ok "name"		# a failing one
#	tap_check COND_STATUS "name"	# ok if the status is 0
#	tap_skip "name" "reason"
#	some command | tap_diag		# commentary, as "# ..." lines
#	tap_done			# the plan "1..N"; exits 1 if any failed
#	tap_run ARGS...			# run "$BLKSIM" ARGS: status in $rc,
#					# output in $tmp/out and $tmp/err
#	tap_check_exit N "name"		# ok if the last tap_run exited N
#
# The plan comes last, which TAP and automake's tap-driver.sh accept.
# Test points are numbered in order; tap_failed counts the failures.

tap_n=0
tap_failed=0

tap_ok() {
	tap_n=$((tap_n + 1))
	printf 'ok %d - %s\n' "$tap_n" "$1"
}

tap_not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	printf 'not ok %d - %s\n' "$tap_n" "$1"
}

tap_check() {
	if [ "$1" -eq 0 ]; then
		tap_ok "$2"
	else
		tap_not_ok "$2"
	fi
}

tap_skip() {
	tap_n=$((tap_n + 1))
	printf 'ok %d - %s # SKIP %s\n' "$tap_n" "$1" "$2"
}

tap_diag() {
	sed 's/^/# /'
}

tap_bail() {
	printf 'Bail out! %s\n' "$1"
	exit 99
}

tap_run() {
	"$BLKSIM" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
}

tap_check_exit() {
	if [ "$rc" -eq "$1" ]; then
		tap_ok "$2 exits $1"
	else
		tap_not_ok "$2 exits $1 (got $rc)"
		tap_diag <"$tmp/out"
		tap_diag <"$tmp/err"
	fi
}

tap_done() {
	printf '1..%d\n' "$tap_n"
	[ "$tap_failed" -eq 0 ]
	exit $?
}
