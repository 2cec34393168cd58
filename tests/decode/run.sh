#!/bin/sh
# Decoder tests: run `finlint --decode` on every capture listed in
# tests/decode/LIST (local captures) and tests/decode/corpus.list (captures
# in the shared public corpus) and compare its TCP lines with the expected
# files, which were produced by the independent oracle (oracle.py) and
# checked against tcpdump and tshark.  See tests/decode/README.md.
#
# Environment:
#   srcdir          top of the source tree (default: .)
#   FINLINT         the finlint binary (default: ./finlint)
#   FINLINT_CORPUS  the shared corpus (default: $srcdir/../shared/corpus)
#
# Prints PASS/FAIL/SKIP per test, then exactly "N passed, N failed" as the
# last line; exits 1 if anything failed.

srcdir=${srcdir:-.}
FINLINT=${FINLINT:-./finlint}
FINLINT_CORPUS=${FINLINT_CORPUS:-$srcdir/../shared/corpus}
dir=$srcdir/tests/decode

tmp=${TMPDIR:-/tmp}/finlint-decode.$$
trap 'rm -f "$tmp.out" "$tmp.status" "$tmp.diff"' 0
trap 'exit 1' 1 2 15

passed=0
failed=0
skipped=0

# check NAME CAPTURE EXPECTED
check() {
	{
		"$FINLINT" --decode "$2" </dev/null
		echo $? >"$tmp.status"
	} | grep ' tcp ' >"$tmp.out"
	status=$(cat "$tmp.status")
	if [ "$status" -gt 125 ]; then
		echo "FAIL $1 (finlint exited with status $status)"
		failed=$((failed + 1))
	elif diff -u "$3" "$tmp.out" >"$tmp.diff" 2>&1; then
		echo "PASS $1"
		passed=$((passed + 1))
	else
		echo "FAIL $1"
		cat "$tmp.diff"
		failed=$((failed + 1))
	fi
	rm -f "$tmp.diff"
}

if [ ! -f "$dir/LIST" ]; then
	echo "FAIL LIST ($dir/LIST not found; is srcdir right?)"
	failed=$((failed + 1))
else
	while read -r cap exp rest; do
		case $cap in '' | '#'*) continue ;; esac
		check "${exp%.expected}" "$dir/$cap" "$dir/$exp"
	done <"$dir/LIST"
fi

if [ -f "$dir/corpus.list" ]; then
	while read -r cap exp rest; do
		case $cap in '' | '#'*) continue ;; esac
		name=${exp%.expected}
		if [ ! -d "$FINLINT_CORPUS" ]; then
			echo "SKIP $name (corpus directory $FINLINT_CORPUS not found)"
			skipped=$((skipped + 1))
		elif [ ! -f "$FINLINT_CORPUS/$cap" ]; then
			echo "SKIP $name ($FINLINT_CORPUS/$cap not found)"
			skipped=$((skipped + 1))
		else
			check "$name" "$FINLINT_CORPUS/$cap" "$dir/$exp"
		fi
	done <"$dir/corpus.list"
fi

if [ "$skipped" -gt 0 ]; then
	echo "$skipped skipped"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
