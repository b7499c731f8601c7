#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the ttrec test VM (QEMU TCG, Debian's cloud kernel, our initramfs).
#
# usage: run-vm.sh [--shell]
# Environment: OUTPUT (build folder), VMLINUZ (guest kernel),
#   TTREC_VM_TIMEOUT (seconds, default 1500), TTREC_VM_MEM (MiB, default 2048),
#   TTREC_VM_APPEND (extra kernel command line), TTREC_VM_INITRD (another
#   initramfs), TTREC_VM_LOGS (folder of the logs, default $OUTPUT/vm).
# The initramfs holds a ttrec.ko per kernel; the guest loads the one built
# for the kernel it runs (selftests/vm/init).
# Without --shell: console to $TTREC_VM_LOGS/console.log, results (ttyS1) to
# $TTREC_VM_LOGS/results.log, streamed to stdout as they arrive. Exit status
# 0 when the VM ran to its end, 124 on timeout, 1 otherwise.
set -uo pipefail

: "${OUTPUT:?}" "${VMLINUZ:?}"
initrd=${TTREC_VM_INITRD:-$OUTPUT/vm/initramfs.cpio.gz}
timeout_s=${TTREC_VM_TIMEOUT:-1500}
mem=${TTREC_VM_MEM:-2048}
# A soft lockup panics the guest at once (with every CPU's backtrace on the
# console) instead of leaving CI to wait for the timeout.
append="console=ttyS0 panic=-1 loglevel=5 softlockup_panic=1"
append="$append softlockup_all_cpu_backtrace=1 ${TTREC_VM_APPEND:-}"

[ -r "$VMLINUZ" ] || { echo "run-vm: cannot read the guest kernel $VMLINUZ (make deps; root needed to read /boot)" >&2; exit 1; }
[ -r "$initrd" ] || { echo "run-vm: no initramfs at $initrd (make initramfs)" >&2; exit 1; }

# thread=single: one host thread runs both vCPUs in turn. The guest is still
# SMP (IPIs, TLB shootdowns and text patching cross CPUs), but QEMU's
# multi-threaded TCG, under which a CI run once hung for good in a guest
# cross-CPU call, is out of the picture. It costs no time on a 2-core host.
qemu=(qemu-system-x86_64 -accel tcg,thread=single -cpu max -smp 2 -m "$mem"
      -nodefaults -display none -no-reboot
      -kernel "$VMLINUZ" -initrd "$initrd")

if [ "${1:-}" = --shell ]; then
	exec "${qemu[@]}" -serial mon:stdio -serial null -append "$append ttrec.shell"
fi

logs=${TTREC_VM_LOGS:-$OUTPUT/vm}
mkdir -p "$logs"
console=$logs/console.log
results=$logs/results.log
: >"$console"
: >"$results"
# Stream the test output (not the kernel log dumped after it) as it comes.
tail -n +1 -f "$results" | tr -d '\r' | sed -u '/^TTREC-DMESG-BEGIN/q' &
tailpid=$!
timeout --foreground -k 10 "$timeout_s" "${qemu[@]}" \
	-serial "file:$console" -serial "file:$results" \
	-append "$append" </dev/null
rc=$?
sleep 0.5
pkill -P $$ -x tail 2>/dev/null
wait "$tailpid" 2>/dev/null
if [ "$rc" -eq 124 ]; then
	echo "run-vm: the VM did not finish within ${timeout_s}s" >&2
	exit 124
fi
grep -q '^TTREC-VM-END' "$results" || { echo "run-vm: the VM stopped before the end of the run (qemu status $rc)" >&2; exit 1; }
exit 0
