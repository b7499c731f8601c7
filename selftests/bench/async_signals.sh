#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make bench (last part): how often the replay delivers a signal recorded
# between syscalls where it came, at the same execution of the instruction
# it interrupted, with the recorded registers (user/replay/async.c). Each
# workload is recorded and replayed with --verify BENCH_ASYNC_RUNS times
# (default 20); prints
#   bench async-NAME runs=N between=A where_recorded=E rate=E/A same_output=K
# between: signals recorded between syscalls, over all runs; where_recorded:
# those the replay delivered there; same_output: runs whose replay said OK
# and printed what the recording printed.
# Workloads (selftests/workloads/): count (rp_count 1000: a 3 ms timer ends
# a loop of units, each a getppid() and up to 1000 steps of arithmetic;
# count3k: 3000 steps),
# tight (rp_count 0: the timer ends while (!stop) n++), timer (rp_async: a
# 1 ms interval timer while a loop computes, 20M steps).
#
# usage: async_signals.sh OUTPUT_DIR   (run as root)
set -u
out=${1:?usage: async_signals.sh OUTPUT_DIR}
ttrec=$out/ttrec
wl=$out/selftests/workloads
runs=${BENCH_ASYNC_RUNS:-20}
tmp=$(mktemp -d /dev/shm/ttrec-abench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

[ "$(id -u)" = 0 ] || { echo "bench: run as root (BPF)" >&2; exit 1; }

# one NAME CMD...: the bench line of NAME
one() {
	name=$1
	shift
	between=0 exact=0 same=0 i=0
	while [ "$i" -lt "$runs" ]; do
		i=$((i + 1))
		rm -rf "$tmp/rec"
		"$ttrec" record -o "$tmp/rec" -- "$@" >"$tmp/rec.out" 2>"$tmp/rec.err" ||
			{ echo "# $name: record failed: $(head -c 600 "$tmp/rec.err")" >&2; continue; }
		"$ttrec" -v replay --verify "$tmp/rec" >"$tmp/rep.out" 2>"$tmp/rep.err"
		a=$(grep -c 'recorded at 0x[0-9a-f]* between syscalls:' "$tmp/rep.err")
		e=$(grep -c 'between syscalls: found' "$tmp/rep.err")
		between=$((between + a))
		exact=$((exact + e))
		grep -q 'replay OK' "$tmp/rep.err" && cmp -s "$tmp/rec.out" "$tmp/rep.out" &&
			same=$((same + 1))
	done
	echo "$name $runs $between $exact $same" |
		awk '{ printf "bench async-%s runs=%d between=%d where_recorded=%d rate=%.2f same_output=%d\n",
		       $1, $2, $3, $4, $3 ? $4 / $3 : 0, $5 }'
}

one count "$wl/rp_count" 1000
one count3k "$wl/rp_count" 3000
one tight "$wl/rp_count" 0
one timer "$wl/rp_async" 20000000
