#!/usr/bin/env bash
# Drives the bash completion function (contrib/completion/nsreconcile.bash)
# as bash does, with COMP_WORDS and COMP_CWORD, and checks the candidates:
# subcommands, options per subcommand, option values, namespace names from
# the layout's namespace directory (as root and as nobody, with --layout and
# with a configuration file), profile paths, and a command after "--".
#
#   completion_test.sh NSRECONCILE SOURCE_DIR
#
# Needs root: the namespace directories are made on a tmpfs over /run in a
# throwaway mount namespace (unshare -m --propagation private).
set -euo pipefail
nsr=$1 src=$2

if [ "${NSR_INSIDE:-}" != 1 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "completion_test.sh: needs root (it makes a mount namespace)" >&2
        exit 1
    fi
    NSR_INSIDE=1 exec unshare --mount --propagation private "$0" "$@"
fi

mount -t tmpfs -o mode=0755 completion-test /run
mkdir -p /run/nsreconcile/ns /run/snapd/ns /run/t/profiles /run/t/cg/app.slice
: >/run/nsreconcile/ns/alpha.mnt
: >/run/nsreconcile/ns/beta.mnt
: >/run/nsreconcile/ns/gamma.fstab
: >/run/snapd/ns/snapone.mnt
: >/run/t/profiles/app.fstab
: >/run/t/profiles/other.fstab
printf 'layout: snapd\n' >/run/t/config.yaml
# The binary is called by the name a user types.
mkdir -p /run/t/bin
ln -s "$nsr" /run/t/bin/nsreconcile
export PATH=/run/t/bin:$PATH

# shellcheck source=../../contrib/completion/nsreconcile.bash
source "$src/contrib/completion/nsreconcile.bash"
[ "$(complete -p nsreconcile)" = "complete -F _nsreconcile nsreconcile" ]

failures=0
# COMP_WORDS and COMP_CWORD for LINE as bash makes them: words split at
# blanks and around '=' (COMP_WORDBREAKS), and an empty word at the cursor
# after a trailing space.
split_line() {
    local line=$1 w
    local -a blank
    read -r -a blank <<<"$line"
    COMP_WORDS=()
    for w in "${blank[@]}"; do
        if [[ $w == -*=* ]]; then
            COMP_WORDS+=("${w%%=*}" "=" "${w#*=}")
        else
            COMP_WORDS+=("$w")
        fi
    done
    [ "${line: -1}" = " " ] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE=$line
    COMP_POINT=${#line}
    COMPREPLY=()
    # A completion function may return non-zero when it offers nothing.
    _nsreconcile || true
}

# expect "LINE" "CANDIDATES": the candidates for the last word of LINE,
# sorted, space-separated.
expect() {
    local line=$1 want=$2 got
    split_line "$line"
    got=$(printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//')
    if [ "$got" = "$want" ]; then
        echo "ok: '$line' -> $want"
    else
        echo "FAILED: '$line'"
        echo "  want: $want"
        echo "  got:  $got"
        failures=$((failures + 1))
    fi
}
# contains "LINE" "WORD...": each WORD is a candidate (for long lists).
contains() {
    local line=$1 word missing=""
    shift
    split_line "$line"
    local offered
    offered=$(printf '%s\n' "${COMPREPLY[@]}")
    for word in "$@"; do
        [[ $'\n'$offered$'\n' == *$'\n'"$word"$'\n'* ]] || missing+=" $word"
    done
    if [ -z "$missing" ]; then
        echo "ok: '$line' offers $*"
    else
        echo "FAILED: '$line' does not offer:$missing (offers: ${COMPREPLY[*]})"
        failures=$((failures + 1))
    fi
}

# Subcommands, read from --help.
expect "nsreconcile " "apply check convert features lint ns plan snap-update-ns"
expect "nsreconcile pl" "plan"
expect "nsreconcile --" "--help --version"
expect "nsreconcile ns " "create discard list run"
expect "nsreconcile ns d" "discard"

# Options of each subcommand.
contains "nsreconcile apply -" --dry-run --json --all --no-tuck --freeze-cgroup \
    --user-mounts --uid -u --layout --config --ns-file --desired --current --lock \
    --lock-timeout --log-level --debug -v --help -h
contains "nsreconcile plan --" --scenario --json --all --no-tuck --desired
expect "nsreconcile plan --sc" "--scenario"
expect "nsreconcile check --d" "--debug"
expect "nsreconcile ns list -" \
    "--config --debug --help --json --layout --log-level --names -h -v"
expect "nsreconcile features -" "--help --json -h"
expect "nsreconcile convert --from " "oci"
expect "nsreconcile snap-update-ns -" "--from-snap-confine --user-mounts -u"
expect "nsreconcile ns create app --" \
    "--apply --config --current --debug --desired --help --layout --lock --lock-timeout --log-level --ns-file --propagation"

# Option values.
expect "nsreconcile plan --layout " "native snapd"
expect "nsreconcile apply app --layout s" "snapd"
expect "nsreconcile apply --layout=s" "snapd"
expect "nsreconcile check x --log-level " "debug error"
expect "nsreconcile ns create app --propagation " "private slave"
expect "nsreconcile apply app --lock-timeout " ""
expect "nsreconcile apply app -u " ""

# Namespace names from the layout's namespace directory (namespace files
# and current profiles), with --layout, --config, and snapd's for
# snap-update-ns.
expect "nsreconcile apply " "alpha beta gamma"
expect "nsreconcile apply a" "alpha"
expect "nsreconcile check --layout snapd " "snapone"
expect "nsreconcile plan --layout=snapd " "snapone"
expect "nsreconcile plan --config /run/t/config.yaml " "snapone"
expect "nsreconcile plan --config /run/t/config.yaml --layout native " "alpha beta gamma"
expect "nsreconcile snap-update-ns " "snapone"
expect "nsreconcile ns run " "alpha beta gamma"
expect "nsreconcile ns discard b" "beta"
expect "nsreconcile apply alpha " ""
expect "nsreconcile apply -v alpha --dry-run " ""

# Profile paths for file arguments, directories for cgroups.
expect "nsreconcile lint /run/t/profiles/" "/run/t/profiles/app.fstab /run/t/profiles/other.fstab"
expect "nsreconcile lint /run/t/profiles/app.fstab /run/t/profiles/o" "/run/t/profiles/other.fstab"
expect "nsreconcile plan app --desired /run/t/profiles/a" "/run/t/profiles/app.fstab"
expect "nsreconcile plan --scenario /run/t/profiles/o" "/run/t/profiles/other.fstab"
expect "nsreconcile apply app --config /run/t/conf" "/run/t/config.yaml"
expect "nsreconcile apply app --freeze-cgroup /run/t/cg/" "/run/t/cg/app.slice"

# A command after "--".
contains "nsreconcile ns run alpha -- ech" echo

# Without root: the names are still there, and nothing needed privilege.
nobody=$(setpriv --reuid=65534 --regid=65534 --clear-groups -- bash -c "
    export PATH=$PATH
    source '$src/contrib/completion/nsreconcile.bash'
    COMP_WORDS=(nsreconcile apply ''); COMP_CWORD=2
    _nsreconcile
    printf '%s ' \"\${COMPREPLY[@]}\"")
if [ "$nobody" = "alpha beta gamma " ]; then
    echo "ok: as nobody, 'nsreconcile apply ' -> alpha beta gamma"
else
    echo "FAILED: as nobody, 'nsreconcile apply ' offers '$nobody'"
    failures=$((failures + 1))
fi

if [ "$failures" != 0 ]; then
    echo "$failures completion check(s) failed"
    exit 1
fi
