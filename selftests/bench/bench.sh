#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make bench: ttrec's recording overhead, side by side with strace, in one run.
# For each workload: native, under `ttrec attach --follow-fork`, under
# `strace -f -o /dev/null`, interleaved round by round (the machine may be
# shared: a load change then hits all three alike); prints
#   bench NAME native_s=X ttrec_s=Y strace_s=Z ttrec_ratio=Y/X strace_vs_ttrec=Z/Y bytes_per_event=B
# with the medians of BENCH_RUNS (default 5) rounds, then a comment line with
# every round's ttrec/native ratio and the recorder's own median time until
# its journal was complete (ttrec_s is the workload's elapsed time: the
# recorder compresses and writes what it buffered after that).
# bytes_per_event: the journal's file size / the events recorded. Lost
# events are reported as a warning.
# Workloads: read (200k x 4 KiB read() from tmpfs), getppid (1M), sqlite
# (sqlite3 inserting 50k rows); then what an untraced process pays while
# another is recorded. BENCH_ONLY=read,sqlite runs only those.
#
# usage: bench.sh OUTPUT_DIR   (run as root)
set -u
out=${1:?usage: bench.sh OUTPUT_DIR}
ttrec=$out/ttrec
wl=$out/selftests/workloads
runs=${BENCH_RUNS:-5}
# The BPF ring buffer must hold what the recorder cannot drain (LZ4, CRC,
# write) while a burst like (a)'s 800 MiB in 0.1 s comes in.
ring=${BENCH_RING_MIB:-1024}
tmp=$(mktemp -d /dev/shm/ttrec-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

[ "$(id -u)" = 0 ] || { echo "bench: run as root (BPF)" >&2; exit 1; }
command -v strace >/dev/null || { echo "bench: strace missing (make deps)" >&2; exit 1; }

# The file read in (a): 8 MiB of log-like text (BENCH_RANDOM=1: random bytes,
# the worst case for the journal's LZ4).
if [ "${BENCH_RANDOM:-0}" = 1 ]; then
	head -c 8388608 /dev/urandom >"$tmp/data"
else
	awk 'BEGIN { srand(1); while (n < 8388608) {
		l = sprintf("%06d 2026-01-%02d %02d:%02d:%02d host%d svc[%d]: request id=%x status=%d bytes=%d\n",
			    i++, 1 + i % 28, i % 24, i % 60, (i * 7) % 60, i % 5, 100 + i % 37,
			    int(rand() * 2^31), 200 + 100 * int(rand() * 4), int(rand() * 65536));
		printf "%s", l; n += length(l) } }' >"$tmp/data"
fi
sql=$tmp/insert.sql
{
	echo "PRAGMA journal_mode=WAL; CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, v REAL);"
	i=0
	awk 'BEGIN { for (i = 0; i < 50000; i++) {
		if (i % 1000 == 0) print "BEGIN;";
		printf "INSERT INTO t(name, v) VALUES (%cname-%d%c, %d.5);\n", 39, i, 39, i;
		if (i % 1000 == 999) print "COMMIT;" } }'
} >"$sql"

elapsed() { sed -n 's/^elapsed //p' "$1" | tail -n 1; }

# run_native NAME CMD... -> seconds
run_native() {
	"$wl/bench_wrap" - "$@" 2>"$tmp/err" >/dev/null
	elapsed "$tmp/err"
}

run_strace() {
	strace -f -o /dev/null "$wl/bench_wrap" - "$@" 2>"$tmp/err" >/dev/null
	elapsed "$tmp/err"
}

# Wait (20 s at most) until `ttrec attach` (stdout in $tmp/tout) says it records.
wait_recording() {
	w=0
	until grep -q '^recording' "$tmp/tout" 2>/dev/null; do
		w=$((w + 1))
		[ $w -lt 400 ] || { echo "bench: ttrec attach did not start" >&2; cat "$tmp/terr" >&2; return 1; }
		sleep 0.05
	done
}

# run_ttrec CMD... -> "seconds bytes events recorder_seconds"
run_ttrec() {
	rm -rf "$tmp/rec" "$tmp/go"
	mkfifo "$tmp/go"
	"$wl/bench_wrap" "$tmp/go" "$@" 2>"$tmp/err" >/dev/null &
	wp=$!
	"$ttrec" attach "$wp" --follow-fork --ring-mib "$ring" -o "$tmp/rec" >"$tmp/tout" 2>"$tmp/terr" &
	tp=$!
	wait_recording	# go only once the target is traced
	t0=$(date +%s%N)
	echo go >"$tmp/go"
	wait "$wp"
	wait "$tp"
	t1=$(date +%s%N)
	s=$(elapsed "$tmp/err")
	bytes=$(wc -c <"$tmp/rec/journal")
	events=$(sed -n 's/^events=//p' "$tmp/rec/meta" | tail -n 1)
	lost=$(sed -n 's/^lost=//p' "$tmp/rec/meta" | tail -n 1)
	[ "${lost:-0}" = 0 ] || echo "# warning: $lost events lost" >&2
	echo "$s $bytes $events $(( (t1 - t0) / 1000000 ))"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

bench() {
	name=$1
	shift
	: >"$tmp/n"; : >"$tmp/t"; : >"$tmp/s"; : >"$tmp/r"; : >"$tmp/b"; : >"$tmp/d"
	i=0
	while [ $i -lt "$runs" ]; do
		n=$(run_native "$@")
		t=$(run_ttrec "$@")
		st=$(run_strace "$@")
		echo "$n" >>"$tmp/n"
		echo "$st" >>"$tmp/s"
		echo "$t" | awk -v n="$n" -v t="$tmp" '{
			print $1 >> (t "/t"); print $1 / n >> (t "/r");
			print $2 / $3 >> (t "/b"); print $4 / 1000 >> (t "/d") }'
		i=$((i + 1))
	done
	awk -v name="$name" -v n="$(median <"$tmp/n")" -v t="$(median <"$tmp/t")" \
	    -v s="$(median <"$tmp/s")" -v b="$(median <"$tmp/b")" 'BEGIN {
		printf "bench %s native_s=%.3f ttrec_s=%.3f strace_s=%.3f ttrec_ratio=%.2f strace_vs_ttrec=%.2f bytes_per_event=%.2f\n",
		       name, n, t, s, t / n, s / t, b }'
	printf '# %s: %s rounds, ttrec/native per round:%s; recorder done after (median) %ss\n' \
	       "$name" "$runs" "$(awk '{ printf " %.2f", $1 }' "$tmp/r")" "$(median <"$tmp/d")"
}

# BENCH_ONLY=a,b: only these (read, getppid, sqlite, untraced)
want() {
	[ -z "${BENCH_ONLY:-}" ] && return 0
	case ",$BENCH_ONLY," in *",$1,"*) return 0 ;; esac
	return 1
}

read_native=
if want read; then
	bench read "$wl/bench_read" "$tmp/data" 200000
	read_native=$(median <"$tmp/n")
fi
want getppid && bench getppid "$wl/bench_getppid" 1000000
# What (a) cannot go below on this machine: its payloads copied once into a
# buffer as big as the ring (memory bandwidth; copyfloor), plus what every
# recorded event costs without a payload (the getppid line's difference).
if want read && want getppid && floor=$("$out/bench/copyfloor" 200000 4096 "$ring"); then
	awk -v n="$read_native" -v c="$floor" -v gn="$(median <"$tmp/n")" -v gt="$(median <"$tmp/t")" 'BEGIN {
		ev = (gt - gn) / 1000000
		printf "# read: floor here: copying 200000 x 4 KiB once into a %d MiB buffer takes %.3fs, an event without payload %.0f ns more than its syscall: ttrec_ratio >= %.2f\n",
		       '"$ring"', c, ev * 1e9, (n + c + 200000 * ev) / n }'
fi
if ! want sqlite; then
	:
elif command -v sqlite3 >/dev/null; then
	bench sqlite sh -c "rm -f $tmp/db*; exec sqlite3 $tmp/db < $sql"
else
	echo "bench sqlite skipped: sqlite3 not installed"
fi

# What everybody else pays while ttrec records one process: the BPF
# programs run for every syscall on the machine and return after the tgid
# filter. 1M getppid() of an untraced process, with and without a
# recording of another one, interleaved:
#   bench untraced native_s=X while_recording_s=Y ratio=Y/X ns_per_syscall=D
untraced() {
	: >"$tmp/n"; : >"$tmp/u"
	sleep 1000 &
	sp=$!
	i=0
	while [ $i -lt "$runs" ]; do
		run_native "$wl/bench_getppid" 1000000 >>"$tmp/n"
		rm -rf "$tmp/rec"
		"$ttrec" attach "$sp" -o "$tmp/rec" >"$tmp/tout" 2>"$tmp/terr" &
		tp=$!
		wait_recording
		run_native "$wl/bench_getppid" 1000000 >>"$tmp/u"
		kill -INT "$tp"
		wait "$tp"
		i=$((i + 1))
	done
	kill "$sp"
	wait "$sp" 2>/dev/null
	awk -v n="$(median <"$tmp/n")" -v u="$(median <"$tmp/u")" 'BEGIN {
		printf "bench untraced native_s=%.3f while_recording_s=%.3f ratio=%.2f ns_per_syscall=%.0f\n",
		       n, u, u / n, (u - n) * 1000 }'
}
want untraced && untraced
