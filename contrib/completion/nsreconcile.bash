# bash completion for nsreconcile(8)                       -*- shell-script -*-
#
# Subcommands and options are read from the tool's own --help, so a new
# subcommand or option completes without an edit here; only the values of
# options with a fixed set of words are listed below. Namespace names come
# from `nsreconcile ns list --names`, which needs no root and enters no
# namespace, with the --layout and --config of the command line.
#
# Needs nothing from the bash-completion package.

# Option values that are one of a few words.
_nsreconcile_option_words() {
    case $1 in
        --layout) echo "native snapd" ;;
        --log-level) echo "error debug" ;;
        --propagation) echo "slave private" ;;
        --from) echo "oci" ;;
    esac
}

# The options of a command line (the tool and the subcommand path), read
# from the options lists of its --help; with "arg" first, only those that
# take a value ("--layout arg", "-u [ --uid ] arg", "-u UID").
_nsreconcile_options() {
    local want=$1
    shift
    "$@" --help 2>/dev/null | awk -v want="$want" '
        /^examples?:$/ { exit }
        /^[a-z][a-z ,]*:$/ { listing = 1; next }
        listing && /^  -/ {
            spec = $0
            sub(/^  /, "", spec)
            sub(/  .*/, "", spec)
            if (want == "arg" && spec !~ / (arg|UID)( |$)/) next
            n = split(spec, w, " ")
            for (i = 1; i <= n; i++) if (w[i] ~ /^-/) print w[i]
        }'
}

# Whether OPTION takes a value on the command line TOOL PATH... (no pipe to
# grep -q, which a shell with pipefail would see fail).
_nsreconcile_takes_value() {
    local option=$1 list
    shift
    list=$(_nsreconcile_options arg "$@")
    [[ $'\n'$list$'\n' == *$'\n'"$option"$'\n'* ]]
}

_nsreconcile() {
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prev=""
    [ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
    # "--layout=sn": bash splits at '=' (COMP_WORDBREAKS).
    if [ "$prev" = "=" ] && [ "$COMP_CWORD" -gt 1 ]; then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    fi
    local tool=${COMP_WORDS[0]}
    COMPREPLY=()

    # The subcommand path (plan, ns create...), how many positional words
    # follow it, and what the line says about the layout and the
    # configuration file.
    local -a path=() where=()
    local i word value positional=0
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        if [ "$word" = -- ]; then
            # After "ns run NAME ... --": a command to run.
            mapfile -t COMPREPLY < <(compgen -c -- "$cur")
            return
        fi
        if [[ $word == -* ]]; then
            value=""
            if [ "${COMP_WORDS[i + 1]}" = "=" ]; then
                value=${COMP_WORDS[i + 2]}
                ((i += 2))
            elif [[ $word == *=* ]]; then
                value=${word#*=}
                word=${word%%=*}
            elif [ $((i + 1)) -lt "$COMP_CWORD" ] &&
                _nsreconcile_takes_value "$word" "$tool" "${path[@]}"; then
                value=${COMP_WORDS[i + 1]}
                ((i++))
            fi
            case $word in
                --layout | --config) where+=("$word=$value") ;;
            esac
            continue
        fi
        if [ ${#path[@]} -eq 0 ] || { [ "${path[0]}" = ns ] && [ ${#path[@]} -eq 1 ]; }; then
            path+=("$word")
        else
            positional=$((positional + 1))
        fi
    done

    # The value of the option before the cursor.
    local words
    words=$(_nsreconcile_option_words "$prev")
    if [ -n "$words" ]; then
        mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
        return
    fi
    case $prev in
        --uid | --gid | -u | --lock-timeout)
            return
            ;;
        --freeze-cgroup)
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -d -- "$cur")
            return
            ;;
        -*)
            if [ ${#path[@]} -gt 0 ] && _nsreconcile_takes_value "$prev" "$tool" "${path[@]}"; then
                # --config, --desired, --current, --ns-file, --lock, --scenario.
                compopt -o filenames 2>/dev/null
                mapfile -t COMPREPLY < <(compgen -f -- "$cur")
                return
            fi
            ;;
    esac

    # A subcommand.
    local commands
    if [ ${#path[@]} -eq 0 ]; then
        if [[ $cur == -* ]]; then
            mapfile -t COMPREPLY < <(compgen -W "--help --version" -- "$cur")
        else
            commands=$("$tool" --help 2>/dev/null |
                sed -n '/^commands:$/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
            mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
        fi
        return
    fi
    if [ "${path[0]}" = ns ] && [ ${#path[@]} -eq 1 ]; then
        commands=$("$tool" ns --help 2>/dev/null |
            sed -n '/^examples\{0,1\}:$/q; s/^  nsreconcile ns \([a-z][a-z-]*\) .*/\1/p')
        mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
        return
    fi

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(_nsreconcile_options all "$tool" "${path[@]}")" -- "$cur")
        return
    fi

    # Positional arguments: profile files, or a namespace name.
    case "${path[*]}" in
        lint)
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -f -- "$cur")
            ;;
        plan | apply | check | "ns create" | "ns run" | "ns discard")
            [ $positional -eq 0 ] || return
            mapfile -t COMPREPLY < <(compgen -W \
                "$("$tool" ns list --names "${where[@]}" 2>/dev/null)" -- "$cur")
            ;;
        snap-update-ns)
            [ $positional -eq 0 ] || return
            mapfile -t COMPREPLY < <(compgen -W \
                "$("$tool" ns list --names --layout snapd 2>/dev/null)" -- "$cur")
            ;;
    esac
}

complete -F _nsreconcile nsreconcile
