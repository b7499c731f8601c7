#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: host tests, then one VM run per guest kernel; fails on any
# failed test, on a VM that did not finish, or on any kernel warning, BUG or
# oops in a VM. Last line: "N passed, N failed" (", N skipped" when some
# were), counting every kernel; a line per kernel before it. The Debian
# package test (selftests/deb.sh: a chroot, minutes of dpkg and DKMS
# builds, no VM) runs in the background beside the others, its output in
# $OUTPUT/deb-results.log, shown and counted at the end.
#
# usage: check.sh [--host-only | --vm-only]
# Environment: OUTPUT (build folder), TTREC_VM_KERNELS (kernel releases to
# boot, /boot/vmlinuz-<release> each; logs in $OUTPUT/vm/<release>/).
set -uo pipefail

: "${OUTPUT:?}"
here=$(cd "$(dirname "$0")" && pwd)
mode=${1:-all}
pass=0 fail=0 skip=0
problems=()

add_results() {	# LOGFILE LABEL [NAME]: NAME in messages (default LABEL)
	local line p f s
	line=$(tr -d '\r' <"$1" | grep -a "^ttrec-results $2 " | tail -n 1)
	if [ -z "$line" ]; then
		problems+=("${3:-$2}: no results")
		fail=$((fail + 1))
		return
	fi
	line=${line#*pass=}; p=${line%% *}
	line=${line#*fail=}; f=${line%% *}
	line=${line#*skip=}; s=${line%% *}
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	summary+=("${3:-$2}: $p passed, $f failed, $s skipped")
}
summary=()

deb_pid=
deb_log=$OUTPUT/deb-results.log
if [ "$mode" != --vm-only ] && [ -f "$here/../deb.sh" ]; then
	# a first run makes the chroot's base: allow it more than 900 s
	TTREC_TEST_TIMEOUT=${TTREC_DEB_TIMEOUT:-2400} \
		"$here/../run-tests.sh" deb "$here/../deb.sh" >"$deb_log" 2>&1 &
	deb_pid=$!
fi

if [ "$mode" != --vm-only ]; then
	host_tests=()
	for t in "$OUTPUT"/selftests/*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		case "${t##*/}" in kmod_*) continue ;; esac
		host_tests+=("$t")
	done
	for t in "$here"/../*.sh; do
		case "${t##*/}" in run-tests.sh|deb.sh) continue ;; esac
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

# One guest kernel: boot it, count its results, look for kernel complaints.
run_vm() {	# KERNELRELEASE
	local krel=$1 logs=$OUTPUT/vm/$1 start vmrc results kmsgs first pat
	local name="vm $1"
	mkdir -p "$logs"
	echo "== VM tests ($krel, QEMU TCG)"
	start=$(date +%s)
	VMLINUZ=/boot/vmlinuz-$krel TTREC_VM_LOGS=$logs "$here/run-vm.sh"
	vmrc=$?
	echo "== VM run on $krel took $(( $(date +%s) - start ))s (console: $logs/console.log)"
	results=$logs/results.log
	case $vmrc in
	0) ;;
	124) problems+=("$name: the VM timed out"); fail=$((fail + 1)) ;;
	*) problems+=("$name: the VM did not finish its run"); fail=$((fail + 1)) ;;
	esac
	add_results "$results" vm "$name"
	# Any kernel complaint fails the run, wherever it was logged.
	pat='BUG:|kernel BUG at|invalid opcode|WARNING:|Oops|general protection|KASAN|[Kk]ernel panic|UBSAN|refcount_t:|list_(add|del) corruption|hung_task|soft lockup'
	kmsgs=$( { cat "$logs/console.log";
		   sed -n '/^TTREC-DMESG-BEGIN/,/^TTREC-DMESG-END/p' "$results"; } |
		 tr -d '\r' | grep -aE "$pat" | sort -u )
	if [ -n "$kmsgs" ]; then
		echo "== the guest kernel $krel complained:"
		echo "$kmsgs" | head -n 40
		# The first complaint with what led to it and its backtrace.
		first=$(echo "$kmsgs" | head -n 1)
		echo "== first complaint in context (console):"
		tr -d '\r' <"$logs/console.log" |
			grep -aF -B 20 -A 60 -m 1 -- "$first" | head -n 100
		problems+=("$name: kernel warnings/oops in the VM")
		fail=$((fail + 1))
	fi
}

if [ "$mode" != --host-only ]; then
	if [ -z "${TTREC_VM_KERNELS:-}" ]; then
		problems+=("no guest kernel to boot (make deps installs them)")
		fail=$((fail + 1))
	fi
	for krel in ${TTREC_VM_KERNELS:-}; do
		run_vm "$krel"
	done
fi

if [ -n "$deb_pid" ]; then
	echo "== Debian packages (selftests/deb.sh, in the background so far)"
	wait "$deb_pid"
	cat "$deb_log"
	add_results "$deb_log" deb
fi

for l in "${summary[@]}"; do
	echo "check: $l"
done
for p in "${problems[@]}"; do
	echo "check: FAILED: $p"
done
line="$pass passed, $fail failed"
[ "$skip" -gt 0 ] && line="$line, $skip skipped"
echo "$line"
[ "$fail" -eq 0 ]
