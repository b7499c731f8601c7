#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make bench: reverse execution under gdb (Documentation/gdb.rst). A
# recording of workloads/gdb_bench (BENCH_REVERSE_SECONDS, default 30 s:
# computes, makes a syscall, and calls mark() once a second) is replayed
# under gdb to its end; there, with a breakpoint on mark(), a
# reverse-continue goes back to its last hit, shortly before the end.
# Then a new replay runs from the start to that same hit. Prints
#   bench reverse reverse_s=X from_start_s=Y ratio=X/Y
# (gdb's own time between its commands: `shell date` around them).
#
# usage: reverse.sh OUTPUT_DIR   (run as root)
set -u
out=${1:?usage: reverse.sh OUTPUT_DIR}
ttrec=$out/ttrec
wl=$out/selftests/workloads
secs=${BENCH_REVERSE_SECONDS:-30}
tmp=$(mktemp -d /dev/shm/ttrec-rev.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

command -v gdb >/dev/null || { echo "bench reverse skipped: gdb not installed"; exit 0; }
[ "$(id -u)" = 0 ] || { echo "bench: run as root (BPF)" >&2; exit 1; }

"$ttrec" record -o "$tmp/rec" -- "$wl/gdb_bench" "$secs" >/dev/null 2>"$tmp/rerr" ||
	{ echo "bench reverse failed: record: $(cat "$tmp/rerr")"; exit 0; }

. "$(dirname "$0")/gdb_serve.sh"

cat >"$tmp/back.gdb" <<EOS
set pagination off
continue
break mark
shell date +%s.%N > $tmp/t0
reverse-continue
shell date +%s.%N > $tmp/t1
printf "k=%d\n", k
EOS
serve "$tmp/back.gdb" gdb_bench
k=$(sed -n 's/^k=//p' "$tmp/gdb.out")
[ -n "$k" ] || { echo "bench reverse failed: $(tail -n 5 "$tmp/gdb.out")"; exit 0; }
back=$(echo "$(cat "$tmp/t0") $(cat "$tmp/t1")" | awk '{ printf "%.3f", $2 - $1 }')

cat >"$tmp/fwd.gdb" <<EOS
set pagination off
break mark if k == $k
shell date +%s.%N > $tmp/t0
continue
shell date +%s.%N > $tmp/t1
printf "k=%d\n", k
EOS
serve "$tmp/fwd.gdb" gdb_bench
[ "$(sed -n 's/^k=//p' "$tmp/gdb.out")" = "$k" ] ||
	{ echo "bench reverse failed: from the start: $(tail -n 5 "$tmp/gdb.out")"; exit 0; }
fwd=$(echo "$(cat "$tmp/t0") $(cat "$tmp/t1")" | awk '{ printf "%.3f", $2 - $1 }')
awk -v b="$back" -v f="$fwd" -v s="$secs" 'BEGIN {
	printf "bench reverse reverse_s=%.3f from_start_s=%.3f ratio=%.2f (recording %d s)\n",
	       b, f, b / f, s }'
