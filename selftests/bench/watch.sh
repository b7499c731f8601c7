#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make bench: watchpoints under gdb (Documentation/gdb.rst). They make the
# debugged process run by single steps; read and access watchpoints also
# decode each instruction. A recording of workloads/gdb_demo is replayed
# under gdb with `watch`, then `rwatch`, then `awatch` of counter set at
# main(), and run to the end of the recording, and without any; prints
#   bench watch none_s=W write_s=X read_s=Y access_s=Z
# (gdb's own time between its commands).
#
# usage: watch.sh OUTPUT_DIR   (run as root)
set -u
out=${1:?usage: watch.sh OUTPUT_DIR}
ttrec=$out/ttrec
wl=$out/selftests/workloads
tmp=$(mktemp -d /dev/shm/ttrec-watch.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

command -v gdb >/dev/null || { echo "bench watch skipped: gdb not installed"; exit 0; }
[ "$(id -u)" = 0 ] || { echo "bench: run as root (BPF)" >&2; exit 1; }

"$ttrec" record -o "$tmp/rec" -- "$wl/gdb_demo" >/dev/null 2>"$tmp/rerr" ||
	{ echo "bench watch failed: record: $(cat "$tmp/rerr")"; exit 0; }

. "$(dirname "$0")/gdb_serve.sh"

# run KIND: seconds from main() to the end with a KIND watchpoint on
# counter (none: "")
run() {
	if [ -n "$1" ]; then
		printf '%s counter\ncommands\nsilent\ncontinue\nend\n' "$1"
	fi >"$tmp/kind.gdb"
	cat >"$tmp/w.gdb" <<EOS
set pagination off
break main
continue
delete
source $tmp/kind.gdb
shell date +%s.%N > $tmp/t0
continue
shell date +%s.%N > $tmp/t1
EOS
	serve "$tmp/w.gdb" gdb_demo
	grep -q "reverse-execution history" "$tmp/gdb.out" ||
		{ echo "bench watch failed: $1: $(tail -n 5 "$tmp/gdb.out")" >&2; return 1; }
	echo "$(cat "$tmp/t0") $(cat "$tmp/t1")" | awk '{ printf "%.3f", $2 - $1 }'
}

none=$(run "") && w=$(run watch) && r=$(run rwatch) && a=$(run awatch) ||
	{ echo "bench watch failed"; exit 0; }

awk -v n="$none" -v w="$w" -v r="$r" -v a="$a" 'BEGIN {
	printf "bench watch none_s=%.3f write_s=%.3f read_s=%.3f access_s=%.3f\n", n, w, r, a }'
