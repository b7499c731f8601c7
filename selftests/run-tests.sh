#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run kselftest-harness programs and count their TAP results.
# Used on the host and inside the test VM (busybox sh), so POSIX sh only.
#
# usage: run-tests.sh LABEL PROGRAM...
# Prints each program's TAP output, then one line per program and a final
#   ttrec-results LABEL pass=N fail=N skip=N
# A program that dies, times out or exits non-zero without a failing test
# counts as one failure more; results missing from its declared plan
# ("1..N") count as failures too. Exit status 0 only if nothing failed.
# TTREC_TEST_TIMEOUT (seconds, default 900) bounds each program.

label=$1
shift
timeout=${TTREC_TEST_TIMEOUT:-900}
tmp=${TMPDIR:-/tmp}/ttrec-run-tests.$$
total_pass=0
total_fail=0
total_skip=0

for prog in "$@"; do
	name=${prog##*/}
	echo "# ==== $label: $name"
	( cd "${prog%/*}" && exec timeout "$timeout" "./$name" ) >"$tmp" 2>&1
	rc=$?
	cat "$tmp"
	set -- $(awk '
		/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0 }
		/^ok [0-9]+/ { if ($0 ~ /# SKIP/) skip++; else pass++; next }
		/^not ok [0-9]+/ { fail++ }
		END { printf "%d %d %d %d\n", pass, fail, skip, plan }' "$tmp")
	pass=$1 fail=$2 skip=$3 plan=$4
	seen=$((pass + fail + skip))
	if [ "$plan" -gt "$seen" ]; then
		echo "not ok - $name: $((plan - seen)) of $plan planned tests never reported (exit $rc)"
		fail=$((fail + plan - seen))
	elif [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
		echo "not ok - $name: exited with status $rc and no failing test"
		fail=$((fail + 1))
	elif [ "$seen" -eq 0 ]; then
		echo "not ok - $name: ran no test"
		fail=$((fail + 1))
	fi
	echo "# ---- $label: $name pass=$pass fail=$fail skip=$skip"
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	total_skip=$((total_skip + skip))
done
rm -f "$tmp"
echo "ttrec-results $label pass=$total_pass fail=$total_fail skip=$total_skip"
[ "$total_fail" -eq 0 ]
