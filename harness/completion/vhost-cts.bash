# bash completion for vhost-cts: commands, each command's options, rule IDs
# after --rules and scenario names after --scenario. Every list comes from
# the binary being completed (its --help, `rules`, `drive --list`), so the
# completion follows the binary it completes. Needs only bash; works with
# or without the bash-completion package.

# The words of "$bin ARGS..." output matching an extended regex's first
# field; stderr and failures give nothing.
_vhost_cts_field1()
{
	local re=$1
	shift
	"$@" 2>/dev/null | awk -v re="$re" '$1 ~ re { print $1 }'
}

_vhost_cts()
{
	local cur=${COMP_WORDS[COMP_CWORD]}
	local prev=${COMP_WORDS[COMP_CWORD-1]}
	local bin=${COMP_WORDS[0]}
	bin=${bin/#\~/$HOME}
	COMPREPLY=()

	if [ "$COMP_CWORD" -eq 1 ]; then
		local cmds
		cmds=$("$bin" --help 2>/dev/null |
			awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }')
		COMPREPLY=($(compgen -W "$cmds --help --version" -- "$cur"))
		return 0
	fi

	local cmd=${COMP_WORDS[1]}
	case "$prev" in
	--rules)
		# a comma-separated list: complete the last item
		local head="" item=$cur
		case "$cur" in *,*) head=${cur%,*},; item=${cur##*,} ;; esac
		local ids
		ids=$(_vhost_cts_field1 '^[A-Z]+-[A-Z0-9-]+$' "$bin" rules)
		COMPREPLY=($(compgen -P "$head" -W "$ids" -- "$item"))
		return 0
		;;
	--scenario)
		local head="" item=$cur
		case "$cur" in *,*) head=${cur%,*},; item=${cur##*,} ;; esac
		local names
		names=$(_vhost_cts_field1 '^[a-z][a-z0-9-]+$' "$bin" drive --list)
		COMPREPLY=($(compgen -P "$head" -W "$names" -- "$item"))
		return 0
		;;
	--format)
		COMPREPLY=($(compgen -W "auto strace qemu-trace native" -- "$cur"))
		return 0
		;;
	--profile)
		COMPREPLY=($(compgen -W "net blk generic" -- "$cur"))
		return 0
		;;
	--device)
		# drive and fuzz-backend take a device type, certify a device node
		if [ "$cmd" = drive ] || [ "$cmd" = fuzz-backend ]; then
			COMPREPLY=($(compgen -W "net blk fs gpu" -- "$cur"))
			return 0
		fi
		;;
	esac

	case "$cur" in
	-*)
		# the options the command's --help lists
		local opts
		# (long options anywhere; short ones where a line starts "  -x,")
		opts=$("$bin" "$cmd" --help 2>/dev/null |
			grep -oE -- '(^ *-[a-zA-Z],|--[a-z][a-z0-9-]*)' | tr -d ' ,' | sort -u)
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return 0
		;;
	esac
	# anything else is a file name: left to -o default (readline's)
	return 0
}
complete -o default -F _vhost_cts vhost-cts
