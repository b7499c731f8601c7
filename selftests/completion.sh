#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The bash completion (user/completion/ttrec.bash) against the built tool:
# subcommands and options come from its --help, values from the system.
# (TAP).
here=$(cd "$(dirname "$0")" && pwd)
ttrec=${OUTPUT:-$here/../.output}/ttrec
[ -x "$ttrec" ] || ttrec=$here/../ttrec		# the VM's layout
comp=$here/../user/completion/ttrec.bash
[ -f "$comp" ] || comp=$here/ttrec.bash
if [ ! -f "$comp" ]; then
	echo "1..1"
	echo "ok 1 # SKIP no user/completion/ttrec.bash here"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0

# shellcheck source=../user/completion/ttrec.bash
. "$comp"

# complete LINE: the words bash would offer for the last word of LINE.
complete_line()
{
	read -r -a COMP_WORDS <<<"$1"
	[ "${1% }" != "$1" ] && COMP_WORDS+=("")
	COMP_WORDS[0]=$ttrec
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_ttrec
	printf '%s\n' "${COMPREPLY[@]}"
}

# check NAME LINE WANT: WANT is among the words offered for LINE.
check()
{
	n=$((n + 1))
	if complete_line "$2" | grep -qx -- "$3"; then
		echo "ok $n $1"
	else
		echo "not ok $n $1: '$3' not offered for '$2': $(complete_line "$2" | tr '\n' ' ')"
		fail=$((fail + 1))
	fi
}

mkdir -p "$tmp/rec.one" && touch "$tmp/snap-0001.img" "$tmp/notes.txt"
cmds=$("$ttrec" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
echo "1..$(( $(echo "$cmds" | wc -w) + 15 ))"
for c in $cmds; do
	check "command_$c" "ttrec ${c:0:3}" "$c"
done
check record_option "ttrec record --no-f" "--no-follow-fork"
check attach_option "ttrec attach --snap" "--snapshot-interval"
check replay_option "ttrec replay rec --t" "--to"
check global_option "ttrec --verb" "--verbose"
check attach_pid "ttrec attach " "$$"
check snapshot_pid "ttrec snapshot " "$$"
check replay_dir "ttrec replay $tmp/rec" "$tmp/rec.one/"
check info_image "ttrec info $tmp/snap" "$tmp/snap-0001.img"
check export_option "ttrec export rec --perf" "--perfetto"
check replay_gdb_option "ttrec replay rec --gdb-l" "--gdb-listen"
check export_dir "ttrec export $tmp/rec" "$tmp/rec.one/"
check export_output_file "ttrec export rec --perfetto -o $tmp/no" "$tmp/notes.txt"
check restore_image "ttrec restore $tmp/snap" "$tmp/snap-0001.img"
check restore_option "ttrec restore --pid" "--pidns"
n=$((n + 1))
if complete_line "ttrec dump $tmp/no" | grep -q notes.txt; then
	echo "not ok $n dump_skips_other_files: notes.txt offered"
	fail=$((fail + 1))
else
	echo "ok $n dump_skips_other_files"
fi
[ "$fail" -eq 0 ]
