# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the gdb benches (reverse.sh, watch.sh), which set $ttrec,
# $tmp (the recording in $tmp/rec) and $wl.
#
# serve SCRIPT PROGRAM: gdb runs SCRIPT against a replay of $tmp/rec, with
# the symbols of workload PROGRAM; its output in $tmp/gdb.out
serve() {
	rm -f "$tmp/srv.err"
	"$ttrec" replay "$tmp/rec" --gdb=0 2>"$tmp/srv.err" &
	pid=$!
	i=0
	while [ $i -lt 400 ] && ! grep -q listening "$tmp/srv.err" 2>/dev/null; do
		sleep 0.05
		i=$((i + 1))
	done
	port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/srv.err")
	gdb -batch -nx -ex 'set sysroot /' -ex "target remote 127.0.0.1:$port" -x "$1" \
		"$wl/$2" >"$tmp/gdb.out" 2>&1
	wait $pid
}
