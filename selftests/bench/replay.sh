#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make bench (second part): replay time against record time, in one run.
# For each workload of bench.sh: `ttrec record` it, then `ttrec replay
# --quiet` the recording; prints
#   bench replay-NAME record_s=X replay_s=Y ratio=Y/X events=N
# Both are wall-clock times of the whole ttrec command (record: BPF load,
# the workload, the drain; replay: the journal read, the launch, every
# syscall checked and emulated). Best of BENCH_RUNS (default 3) each.
# Workloads: read (200k x 4 KiB read() from tmpfs), getppid (1M), sqlite
# (sqlite3 inserting 50k rows), execs (a shell running /bin/true 300 times:
# what each fork and exec costs the recorder).
#
# usage: replay.sh OUTPUT_DIR   (run as root)
set -u
out=${1:?usage: replay.sh OUTPUT_DIR}
ttrec=$out/ttrec
wl=$out/selftests/workloads
runs=${BENCH_RUNS:-3}
ring=${BENCH_RING_MIB:-1024}
tmp=$(mktemp -d /dev/shm/ttrec-rbench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

[ "$(id -u)" = 0 ] || { echo "bench: run as root (BPF)" >&2; exit 1; }

awk 'BEGIN { srand(1); while (n < 8388608) {
	l = sprintf("%06d 2026-01-%02d %02d:%02d:%02d host%d svc[%d]: request id=%x status=%d bytes=%d\n",
		    i++, 1 + i % 28, i % 24, i % 60, (i * 7) % 60, i % 5, 100 + i % 37,
		    int(rand() * 2^31), 200 + 100 * int(rand() * 4), int(rand() * 65536));
	printf "%s", l; n += length(l) } }' >"$tmp/data"
sql=$tmp/insert.sql
{
	echo "PRAGMA journal_mode=WAL; CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, v REAL);"
	awk 'BEGIN { for (i = 0; i < 50000; i++) {
		if (i % 1000 == 0) print "BEGIN;";
		printf "INSERT INTO t(name, v) VALUES (%cname-%d%c, %d.5);\n", 39, i, 39, i;
		if (i % 1000 == 999) print "COMMIT;" } }'
} >"$sql"

now() { date +%s.%N; }

# one NAME CMD... -> "record_s replay_s events"; prints a warning on failure
one() {
	name=$1
	shift
	rm -rf "$tmp/rec" "$tmp"/db*
	t0=$(now)
	"$ttrec" record --ring-mib "$ring" -o "$tmp/rec" -- "$@" <"$stdin" >/dev/null 2>"$tmp/rerr" ||
		{ echo "# $name: record failed: $(cat "$tmp/rerr")" >&2; return; }
	t1=$(now)
	lost=$(sed -n 's/^lost=//p' "$tmp/rec/meta" | tail -n 1)
	[ "${lost:-0}" = 0 ] || echo "# warning: $name: $lost events lost" >&2
	rm -f "$tmp"/db*
	"$ttrec" replay --quiet "$tmp/rec" </dev/null >/dev/null 2>"$tmp/perr"
	rc=$?
	t2=$(now)
	[ $rc = 0 ] || { echo "# $name: replay failed ($rc): $(head -c 600 "$tmp/perr")" >&2; return; }
	events=$(sed -n 's/^events=//p' "$tmp/rec/meta" | tail -n 1)
	echo "$t0 $t1 $t2 $events" | awk '{ printf "%.3f %.3f %s\n", $2 - $1, $3 - $2, $4 }'
}

bench() {
	name=$1
	shift
	r=$(i=0; while [ $i -lt "$runs" ]; do one "$name" "$@"; i=$((i + 1)); done |
		sort -g -k2 | head -n 1)
	[ -n "$r" ] || { echo "bench replay-$name failed"; return; }
	set -- $r
	awk -v name="$name" -v r="$1" -v p="$2" -v e="$3" 'BEGIN {
		printf "bench replay-%s record_s=%.3f replay_s=%.3f ratio=%.2f events=%d\n",
		       name, r, p, p / r, e }'
}

stdin=/dev/null
bench read "$wl/bench_read" "$tmp/data" 200000
bench getppid "$wl/bench_getppid" 1000000
if command -v sqlite3 >/dev/null; then
	stdin=$sql
	bench sqlite sqlite3 "$tmp/db"
else
	echo "bench replay-sqlite skipped: sqlite3 not installed"
fi
stdin=/dev/null
bench execs sh -c 'i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i + 1)); done'
