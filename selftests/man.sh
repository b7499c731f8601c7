#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The man pages (user/man/mkman.sh) against the built tool: a page for
# ttrec and for every command it lists, each rendering without a groff
# warning and naming every option of its --help (TAP; skipped where there
# is no build folder or no groff, as in the VM).
out=${OUTPUT:-$(dirname "$0")/../.output}
ttrec=$out/ttrec
if [ ! -d "$out/man" ] || ! command -v groff >/dev/null || ! command -v man >/dev/null; then
	echo "1..1"
	echo "ok 1 # SKIP no man pages or no groff/man here (the host test checks them)"
	exit 0
fi
cmds=$("$ttrec" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
n=0 fail=0
echo "1..$(( $(echo "$cmds" | wc -w) + 1 ))"
for c in "" $cmds; do
	n=$((n + 1))
	page=$out/man/ttrec${c:+-$c}.8
	name=ttrec${c:+-$c}
	if [ ! -f "$page" ]; then
		echo "not ok $n $name: no page $page"
		fail=$((fail + 1))
		continue
	fi
	warn=$(groff -man -ww -z "$page" 2>&1)
	text=$(MANWIDTH=200 man -l "$page" 2>/dev/null)
	missing=
	for o in $("$ttrec" $c --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		printf '%s\n' "$text" | grep -q -- "$o" || missing="$missing $o"
	done
	if [ -n "$warn" ] || [ -n "$missing" ]; then
		echo "not ok $n $name: ${warn:+groff: $warn }${missing:+missing:$missing}"
		fail=$((fail + 1))
	else
		echo "ok $n $name"
	fi
done
[ "$fail" -eq 0 ]
