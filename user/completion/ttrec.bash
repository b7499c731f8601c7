# SPDX-License-Identifier: GPL-2.0
# bash completion for ttrec(8). The subcommands and their options are read
# from `ttrec --help` and `ttrec COMMAND --help`, so they follow the tool.
# Values: process ids (attach, snapshot), recording directories (replay,
# dump, info, export: directories holding a journal) and snapshot images
# (*.img; restore takes only those).

_ttrec_commands()
{
	"$1" --help 2>/dev/null | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p'
}

_ttrec_options()
{
	"$1" "$2" --help 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u
}

# Running processes as "PID" words; the shell shows them with their names.
_ttrec_pids()
{
	local p
	for p in /proc/[0-9]*; do
		[ -r "$p/comm" ] && printf '%s\n' "${p#/proc/}"
	done
}

# Directories holding a journal, and snapshot images, under the word's directory.
_ttrec_recordings()
{
	local cur=$1 d
	compopt -o filenames 2>/dev/null
	while IFS= read -r d; do
		if [ -d "$d" ]; then
			printf '%s/\n' "$d"
		elif [ "${d%.img}" != "$d" ]; then
			printf '%s\n' "$d"
		fi
	done < <(compgen -f -- "$cur")
}

_ttrec()
{
	local cur prev words cword cmd i prog
	if declare -F _init_completion >/dev/null; then
		_init_completion || return
	else
		COMPREPLY=()
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD-1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	fi
	prog=${words[0]}

	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--) return 0 ;;		# record -- CMD: bash completes CMD itself
		-*) ;;
		*) cmd=${words[i]}; break ;;
		esac
	done
	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--verbose --version --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_ttrec_commands "$prog")" -- "$cur"))
		fi
		return 0
	fi
	case $prev in
	-o|--output)
		if [ "$cmd" = export ]; then	# a file to write
			COMPREPLY=($(compgen -f -- "$cur"))
		else				# a recording directory to make
			COMPREPLY=($(compgen -d -- "$cur"))
		fi
		compopt -o filenames 2>/dev/null
		return 0 ;;
	--parent)
		COMPREPLY=($(compgen -f -X '!*.img' -- "$cur"))
		compopt -o filenames 2>/dev/null
		return 0 ;;
	--duration|--snapshot-interval|--ring-mib|--to|--from|--tid|--mem|--gdb-listen|-d|-s|-t|-f|-T|-L)
		return 0 ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_ttrec_options "$prog" "$cmd")" -- "$cur"))
		return 0
	fi
	case $cmd in
	attach|snapshot)
		COMPREPLY=($(compgen -W "$(_ttrec_pids)" -- "$cur")) ;;
	replay|dump|info|export|restore)
		COMPREPLY=($(_ttrec_recordings "$cur")) ;;
	esac
	return 0
}
complete -F _ttrec ttrec
