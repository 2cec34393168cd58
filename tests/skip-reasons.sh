#!/bin/sh
# After make check's summary, which only counts skipped tests: each skipped
# test and why, taken from the last "SKIP: reason" line it printed into its
# .log.  Arguments: the suite's .log files (their .trs files beside them).
header=no
for log in "$@"; do
	trs=${log%.log}.trs
	[ -f "$trs" ] && grep -q '^:test-result: SKIP' "$trs" || continue
	why=$(sed -n 's/^SKIP: //p' "$log" | tail -n 1)
	if [ "$header" = no ]; then
		echo "Skipped tests, and why:"
		header=yes
	fi
	echo "  ${log%.log}: ${why:-no reason given, see $log}"
done
exit 0
