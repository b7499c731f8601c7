#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: host tests, then the VM run; fails on any failed test, on a
# VM that did not finish, or on any kernel warning, BUG or oops in the VM.
# Last line: "N passed, N failed" (", N skipped" when some were).
#
# usage: check.sh [--host-only | --vm-only]
set -uo pipefail

: "${OUTPUT:?}"
here=$(cd "$(dirname "$0")" && pwd)
mode=${1:-all}
pass=0 fail=0 skip=0
problems=()

add_results() {	# LOGFILE LABEL
	local line
	line=$(tr -d '\r' <"$1" | grep -a "^ttrec-results $2 " | tail -n 1)
	if [ -z "$line" ]; then
		problems+=("$2: no results")
		fail=$((fail + 1))
		return
	fi
	line=${line#*pass=}; pass=$((pass + ${line%% *}))
	line=${line#*fail=}; fail=$((fail + ${line%% *}))
	line=${line#*skip=}; skip=$((skip + ${line%% *}))
}

if [ "$mode" != --vm-only ]; then
	host_tests=()
	for t in "$OUTPUT"/selftests/*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		case "${t##*/}" in kmod_*) continue ;; esac
		host_tests+=("$t")
	done
	for t in "$here"/../*.sh; do
		case "${t##*/}" in run-tests.sh) continue ;; esac
		[ -f "$t" ] && host_tests+=("$t")
	done
	echo "== host tests ($(uname -r))"
	log=$OUTPUT/host-results.log
	if [ ${#host_tests[@]} -gt 0 ]; then
		"$here/../run-tests.sh" host "${host_tests[@]}" 2>&1 | tee "$log"
		add_results "$log" host
	else
		echo "(no host tests)"
	fi
fi

if [ "$mode" != --host-only ]; then
	echo "== VM tests ($(basename "${VMLINUZ:-?}"), QEMU TCG)"
	start=$(date +%s)
	"$here/run-vm.sh"
	vmrc=$?
	echo "== VM run took $(( $(date +%s) - start ))s (console: $OUTPUT/vm/console.log)"
	results=$OUTPUT/vm/results.log
	case $vmrc in
	0) ;;
	124) problems+=("the VM timed out"); fail=$((fail + 1)) ;;
	*) problems+=("the VM did not finish its run"); fail=$((fail + 1)) ;;
	esac
	add_results "$results" vm
	# Any kernel complaint fails the run, wherever it was logged.
	pat='BUG:|kernel BUG at|invalid opcode|WARNING:|Oops|general protection|KASAN|[Kk]ernel panic|UBSAN|refcount_t:|list_(add|del) corruption|hung_task|soft lockup'
	kmsgs=$( { cat "$OUTPUT/vm/console.log";
		   sed -n '/^TTREC-DMESG-BEGIN/,/^TTREC-DMESG-END/p' "$results"; } |
		 tr -d '\r' | grep -aE "$pat" | sort -u )
	if [ -n "$kmsgs" ]; then
		echo "== the guest kernel complained:"
		echo "$kmsgs" | head -n 40
		# The first complaint with what led to it and its backtrace.
		first=$(echo "$kmsgs" | head -n 1)
		echo "== first complaint in context (console):"
		tr -d '\r' <"$OUTPUT/vm/console.log" |
			grep -aF -B 20 -A 60 -m 1 -- "$first" | head -n 100
		problems+=("kernel warnings/oops in the VM")
		fail=$((fail + 1))
	fi
fi

for p in "${problems[@]}"; do
	echo "check: FAILED: $p"
done
line="$pass passed, $fail failed"
[ "$skip" -gt 0 ] && line="$line, $skip skipped"
echo "$line"
[ "$fail" -eq 0 ]
