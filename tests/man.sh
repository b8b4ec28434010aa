#!/bin/sh
#
# tests/man.sh: keep the manual pages honest.  A TAP test for automake's
# TAP driver.
#
#  (a) Every page in man/ is clean under `mandoc -Tlint -W warning': any
#      output is a failure.  Skipped only when MANDOC is empty.
#  (b) Every scenario example in the pages is also a file in scenarios/
#      with the same bytes.  An example is a `.Bd -literal' block whose
#      first line is the comment `# man-NAME.scn: TITLE'; its text, with the
#      few roff escapes a literal block may hold undone, must equal
#      scenarios/man-NAME.scn.  Conversely every scenarios/man-*.scn must
#      be an example in some page, so that no file outlives its example.
#  (c) `$BLKSIM check' accepts every example.
#
# Environment: BLKSIM, the blksim binary; SRCDIR, the absolute top source
# directory; MANDOC, the mandoc program or empty.

: "${SRCDIR:?SRCDIR must name the top source directory}"
BLKSIM=${BLKSIM-}
MANDOC=${MANDOC-}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/blksim-man.XXXXXX") || {
	echo "Bail out! cannot create a temporary directory"
	exit 99
}
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

. "$SRCDIR/tests/tap.sh"

pages=
for page in "$SRCDIR"/man/*.[1-9]; do
	[ -f "$page" ] && pages="$pages $page"
done
if [ -z "$pages" ]; then
	echo "Bail out! no manual pages in $SRCDIR/man"
	exit 99
fi

# (a) lint
for page in $pages; do
	name=${page##*/}
	if [ -z "$MANDOC" ]; then
		tap_skip "mandoc -Tlint $name" "mandoc not found"
		continue
	fi
	"$MANDOC" -Tlint -W warning "$page" >"$tmp/lint" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ] && [ ! -s "$tmp/lint" ]; then
		tap_ok "mandoc -Tlint $name"
	else
		tap_not_ok "mandoc -Tlint $name (exit $rc)"
		tap_diag <"$tmp/lint"
	fi
done

# Extract the marked examples of page $1 into $2/NAME, appending
# "NAME PAGE:LINE" to the index file $3.  Problems (an escape this script does not
# know, a macro inside an example, an unterminated block, a name used
# twice) go to standard error, one per line.
extract() {
	awk -v dir="$2" -v index_file="$3" -v page="${1##*/}" '
	function problem(msg) {
		printf "%s:%d: %s\n", page, FNR, msg > "/dev/stderr"
		bad = 1
	}
	# Undo the roff escapes a literal block may carry.  Anything else
	# is reported rather than guessed at.
	function unescape(s,	out, i, c, name) {
		out = ""
		while ((i = index(s, "\\")) > 0) {
			out = out substr(s, 1, i - 1)
			c = substr(s, i + 1, 1)
			s = substr(s, i + 2)
			if (c == "e")
				out = out "\\"
			else if (c == "-")
				out = out "-"
			else if (c == "&" || c == "|" || c == "^")
				;
			else if (c == "(" || c == "[") {
				if (c == "(") {
					name = substr(s, 1, 2)
					s = substr(s, 3)
				} else {
					i = index(s, "]")
					if (i == 0) {
						problem("unterminated \\[ escape")
						return out s
					}
					name = substr(s, 1, i - 1)
					s = substr(s, i + 1)
				}
				if (name in glyph)
					out = out glyph[name]
				else
					problem("unknown escape \\(" name)
			} else
				problem("unknown escape \\" c)
		}
		return out s
	}
	BEGIN {
		glyph["aq"] = "\047"; glyph["dq"] = "\""; glyph["ti"] = "~"
		glyph["ha"] = "^"; glyph["ga"] = "`"; glyph["rs"] = "\\"
		glyph["ba"] = "|"
		while ((getline line < index_file) > 0) {
			split(line, f, " ")
			seen[f[1]] = f[2]
		}
		close(index_file)
	}
	# state: 0 outside, 1 just after .Bd -literal, 2 inside an example
	state == 1 {
		state = 0
		if (match($0, /^# man-[A-Za-z0-9_.-]+\.scn: /)) {
			name = substr($0, 3, RLENGTH - 4)
			out = dir "/" name
			if (name in seen) {
				problem(name " already an example at " \
				    seen[name])
				out = "/dev/null"
			} else {
				seen[name] = page ":" FNR
				print name, page ":" FNR >> index_file
				close(index_file)
			}
			printf "" > out
			start = FNR
			state = 2
		}
	}
	state == 2 && /^\.Ed([ \t]|$)/ {
		close(out)
		state = 0
		next
	}
	state == 2 {
		if ($0 ~ /^[.\047]/)
			problem("roff request or macro inside example " name)
		print unescape($0) > out
		next
	}
	/^\.Bd[ \t]/ && / -literal([ \t]|$)/ { state = 1 }
	END {
		if (state == 2)
			problem("example " name " at line " start \
			    " has no .Ed")
		exit bad
	}
	' "$1"
}

# (b) examples against scenarios/
: >"$tmp/index"
mkdir "$tmp/ex"
for page in $pages; do
	if extract "$page" "$tmp/ex" "$tmp/index" 2>"$tmp/problems" &&
	    [ ! -s "$tmp/problems" ]; then
		tap_ok "examples of ${page##*/} extract cleanly"
	else
		tap_not_ok "examples of ${page##*/} extract cleanly"
		tap_diag <"$tmp/problems"
	fi
done

count=$(wc -l <"$tmp/index")
count=$((count + 0))
if [ "$count" -gt 0 ]; then
	tap_ok "found $count marked examples"
else
	tap_not_ok "found no marked examples"
fi

while read -r name where; do
	file=$SRCDIR/scenarios/$name
	if [ ! -f "$file" ]; then
		tap_not_ok "$where: scenarios/$name exists"
	elif cmp -s "$tmp/ex/$name" "$file"; then
		tap_ok "$where: scenarios/$name is the example"
	else
		tap_not_ok "$where: scenarios/$name is the example"
		diff -u "$tmp/ex/$name" "$file" 2>&1 | tap_diag
	fi
done <"$tmp/index"

orphans=
for file in "$SRCDIR"/scenarios/man-*.scn; do
	[ -f "$file" ] || continue
	name=${file##*/}
	grep -q "^$name " "$tmp/index" || orphans="$orphans $name"
done
if [ -z "$orphans" ]; then
	tap_ok "every scenarios/man-*.scn is an example in a page"
else
	tap_not_ok "scenarios without an example in a page:$orphans"
fi

# (c) blksim check accepts every example
while read -r name where; do
	if [ -z "$BLKSIM" ] || [ ! -x "$BLKSIM" ]; then
		tap_not_ok "$where: blksim check $name (BLKSIM '$BLKSIM' not executable)"
		continue
	fi
	(cd "$tmp/ex" && "$BLKSIM" check "$name") >"$tmp/check" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		tap_ok "$where: blksim check $name"
	else
		tap_not_ok "$where: blksim check $name (exit $rc)"
		tap_diag <"$tmp/check"
	fi
done <"$tmp/index"

tap_done
