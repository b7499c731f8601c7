#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Make the man pages from the tool's own --help texts (help2roff.awk):
# ttrec(8) from `ttrec --help`, ttrec-CMD(8) from `ttrec CMD --help` for
# every command `ttrec --help` lists, with its one-line summary there.
#
# usage: mkman.sh TTREC OUTDIR VERSION DATE
set -eu
ttrec=$1 out=$2 version=$3 date=$4
here=$(dirname "$0")
mkdir -p "$out"
cmds=$("$ttrec" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
see="ttrec"
for c in $cmds; do see="$see ttrec-$c"; done
"$ttrec" --help | awk -v name=ttrec -v section=8 -v version="$version" \
	-v summary="a time machine for Linux processes" -v date="$date" \
	-v see="$see" -f "$here/help2roff.awk" > "$out/ttrec.8"
for c in $cmds; do
	summary=$("$ttrec" --help | sed -n "s/^  $c  *//p")
	"$ttrec" "$c" --help | awk -v name="ttrec-$c" -v section=8 -v version="$version" \
		-v summary="$summary" -v date="$date" -v see="$see" \
		-f "$here/help2roff.awk" > "$out/ttrec-$c.8"
done
