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
#  (d) Every command example in the pages and in README.md does what it
#      shows.  A command (of blksim, or a cat of a file it shows) is a
#      line starting with `$ ' in a literal block
#      (a fenced block of README.md), continued by lines after a trailing
#      backslash, or a line starting with `src/blksim ' in a README
#      `sh' block.  When lines of output follow a command, the command is
#      run in a directory holding scenarios/ and src/blksim (and blksim
#      on the PATH), and its standard output then standard error must be
#      those lines; a command shown without output is run with --help
#      added, which checks every option and value it uses, and must
#      print the usage.
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

# The awk functions both extractions share: problem() reports at the
# page's line, unescape() undoes the roff escapes a literal block may carry
# (anything else is reported rather than guessed at), glyphs() fills the
# table of the named glyphs it knows.
ROFF_AWK='
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
	function glyphs() {
		glyph["aq"] = "\047"; glyph["dq"] = "\""; glyph["ti"] = "~"
		glyph["ha"] = "^"; glyph["ga"] = "`"; glyph["rs"] = "\\"
		glyph["ba"] = "|"
	}
'

# Extract the marked examples of page $1 into $2/NAME, appending
# "NAME PAGE:LINE" to the index file $3.  Problems (an escape this script does not
# know, a macro inside an example, an unterminated block, a name used
# twice) go to standard error, one per line.
extract() {
	awk -v dir="$2" -v index_file="$3" -v page="${1##*/}" "$ROFF_AWK"'
	BEGIN {
		glyphs()
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

# (d) command examples.  commands FILE KIND writes, for each command of
# FILE (KIND man or md), $tmp/cmd/N.cmd (the command), $tmp/cmd/N.want
# (the output shown, possibly empty) and the line "N FILE:LINE" to
# $tmp/cmd/index, numbering on from $tmp/cmd/index's last line.
commands() {
	awk -v dir="$tmp/cmd" -v kind="$2" -v page="${1##*/}" "$ROFF_AWK"'
	BEGIN {
		glyphs()
		n = 0
		while ((getline line < (dir "/index")) > 0)
			n++
	}
	function finish() {
		if (cmd != "") {
			close(dir "/" n ".want")
			print cmd > (dir "/" n ".cmd")
			close(dir "/" n ".cmd")
			print n, page ":" start >> (dir "/index")
			close(dir "/index")
		}
		cmd = ""
		cont = 0
	}
	function begin(text) {
		finish()
		n++
		cmd = text
		start = FNR
		printf "" > (dir "/" n ".want")
		cont = sub(/[ \t]*\\$/, "", cmd)
	}
	# inside: 0 outside a block, 1 in a literal or console block, 2 in
	# a README sh block (commands only, no output)
	kind == "man" && /^\.Bd[ \t]/ && / -literal([ \t]|$)/ { inside = 1; next }
	kind == "man" && /^\.Ed([ \t]|$)/ { finish(); inside = 0; next }
	kind == "md" && /^```/ {
		if (inside) { finish(); inside = 0 }
		else inside = /^```sh[ \t]*$/ ? 2 : 1
		next
	}
	!inside { next }
	{ line = kind == "man" ? unescape($0) : $0 }
	cont {
		sub(/^[ \t]+/, "", line)
		cont = sub(/[ \t]*\\$/, "", line)
		cmd = cmd " " line
		next
	}
	inside == 1 && line ~ /^\$ / { begin(substr(line, 3)); next }
	inside == 2 && line ~ /^src\/blksim / {
		sub(/[ \t]+#.*/, "", line)
		begin(line)
		finish()
		next
	}
	cmd != "" && inside == 1 { print line > (dir "/" n ".want") }
	END { finish() }
	' "$1"
}

mkdir "$tmp/cmd" "$tmp/run" "$tmp/run/src" "$tmp/run/bin"
: >"$tmp/cmd/index"
for f in $pages; do
	commands "$f" man 2>>"$tmp/cmd/problems"
done
commands "$SRCDIR/README.md" md 2>>"$tmp/cmd/problems"
if [ -s "$tmp/cmd/problems" ]; then
	tap_not_ok "command examples extract cleanly"
	tap_diag <"$tmp/cmd/problems"
else
	tap_ok "command examples extract cleanly"
fi
ln -s "$SRCDIR/scenarios" "$tmp/run/scenarios"
ln -s "$BLKSIM" "$tmp/run/src/blksim"
ln -s "$BLKSIM" "$tmp/run/bin/blksim"
while read -r k where; do
	cmd=$(cat "$tmp/cmd/$k.cmd")
	case $cmd in
	blksim\ *|src/blksim\ *) ;;
	cat\ *)	[ -s "$tmp/cmd/$k.want" ] ||
			{ tap_not_ok "$where: \`$cmd' shows its output"; continue; } ;;
	*)	tap_not_ok "$where: \`$cmd' runs blksim or cat"; continue ;;
	esac
	if [ -s "$tmp/cmd/$k.want" ]; then
		(cd "$tmp/run" && PATH="$tmp/run/bin:$PATH" sh -c "$cmd" \
		    >"$tmp/cmd/$k.out" 2>"$tmp/cmd/$k.err" </dev/null)
		cat "$tmp/cmd/$k.out" "$tmp/cmd/$k.err" >"$tmp/cmd/$k.got"
		if cmp -s "$tmp/cmd/$k.want" "$tmp/cmd/$k.got"; then
			tap_ok "$where: \`$cmd' prints what is shown"
		else
			tap_not_ok "$where: \`$cmd' prints what is shown"
			diff -u "$tmp/cmd/$k.want" "$tmp/cmd/$k.got" | tap_diag
		fi
	else
		(cd "$tmp/run" && PATH="$tmp/run/bin:$PATH" sh -c "$cmd --help" \
		    >"$tmp/cmd/$k.out" 2>&1 </dev/null)
		rc=$?
		if [ "$rc" -eq 0 ] && grep -q '^usage: blksim' "$tmp/cmd/$k.out"
		then
			tap_ok "$where: \`$cmd' takes its options"
		else
			tap_not_ok "$where: \`$cmd' takes its options (exit $rc)"
			tap_diag <"$tmp/cmd/$k.out"
		fi
	fi
done <"$tmp/cmd/index"

tap_done
