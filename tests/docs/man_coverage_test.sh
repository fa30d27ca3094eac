#!/usr/bin/env bash
# Keeps the manual pages true to the code: every subcommand and every
# option its --help lists is in nsreconcile(8), every environment variable
# the product reads is in its ENVIRONMENT, every x-snapd.* and x-nsr.*
# option the product names is in nsreconcile.fstab(5), and every key of the
# sample configuration is in nsreconcile-config(5), which the binary
# accepts as it is.
#
#   man_coverage_test.sh NSRECONCILE SOURCE_DIR
set -euo pipefail
nsr=$1 src=$2
man8=$src/docs/man/nsreconcile.8
man5=$src/docs/man/nsreconcile.fstab.5
config5=$src/docs/man/nsreconcile-config.5
sample=$src/docs/examples/config.yaml
failures=0
missing() {
    echo "FAILED: $*"
    failures=$((failures + 1))
}

# Options of a --help: the words starting with '-' of the lines of its
# options lists (as the completion reads them).
options_of() {
    "$nsr" "$@" --help | awk '
        /^examples?:$/ { exit }
        /^[a-z][a-z ,]*:$/ { listing = 1; next }
        listing && /^  -/ {
            spec = $0; sub(/^  /, "", spec); sub(/  .*/, "", spec)
            n = split(spec, w, " "); for (i = 1; i <= n; i++) if (w[i] ~ /^-/) print w[i]
        }'
}

commands=$("$nsr" --help | sed -n '/^commands:$/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
ns_commands=$("$nsr" ns --help | sed -n '/^examples\{0,1\}:$/q; s/^  nsreconcile ns \([a-z][a-z-]*\) .*/\1/p')
[ -n "$commands" ] && [ -n "$ns_commands" ] || { echo "cannot read the commands" >&2; exit 1; }
# The text of the .Ss section of a command, and of COMMON OPTIONS.
section_of() {
    awk -v head=".Ss $1" 'index($0, head) == 1 && (length($0) == length(head) || substr($0, length(head) + 1, 1) == " ") { on = 1; print; next }
        on && /^\.S[sh] / { exit } on' "$man8"
}
common=$(awk '/^\.Sh COMMON OPTIONS/ { on = 1; next } on && /^\.Sh / { exit } on' "$man8")
[ -n "$common" ] || { echo "nsreconcile(8) has no COMMON OPTIONS" >&2; exit 1; }
checked=0
for cmd in $commands; do
    lines=("$cmd")
    if [ "$cmd" = ns ]; then
        lines=()
        for sub in $ns_commands; do lines+=("ns $sub"); done
    fi
    for line in "${lines[@]}"; do
        text=$(section_of "$line")
        [ -n "$text" ] || missing "nsreconcile(8) has no section for '$line'"
        # shellcheck disable=SC2086
        for opt in $(options_of $line); do
            checked=$((checked + 1))
            case $opt in
                --*) pattern="Fl -${opt#--}\b" ;;
                *) pattern="Fl ${opt#-}\b" ;;
            esac
            grep -q -- "$pattern" <<<"$text"$'\n'"$common" ||
                missing "nsreconcile(8) does not describe '$line $opt' in its section or COMMON OPTIONS"
        done
    done
done
echo "checked $checked options of $(echo $commands | wc -w) commands against nsreconcile(8)"

for var in $(grep -rhoE 'getenv\("[A-Z_]+"\)' "$src"/cmd "$src"/reconcile "$src"/profile "$src"/mountinfo |
    sed 's/getenv("\(.*\)")/\1/' | sort -u); do
    [ "$var" = TERM ] && grep -q '^\.Ev TERM' "$man8" && continue
    grep -q "^\.It Ev $var\$" "$man8" || missing "nsreconcile(8) ENVIRONMENT lacks $var"
done

for opt in $(grep -rhoE '"x-(snapd|nsr)\.[a-z-]+' "$src"/cmd "$src"/reconcile "$src"/profile |
    tr -d '"' | sort -u); do
    grep -q "Cm $opt\b" "$man5" || missing "nsreconcile.fstab(5) does not describe $opt"
done

for key in $(sed -n 's/^ *\([a-z][a-z-]*\):.*/\1/p' "$sample" | sort -u); do
    grep -q "Cm $key\b" "$config5" || missing "nsreconcile-config(5) does not describe the key $key"
done
out=$("$nsr" check no-such-name --config "$sample" 2>&1) ||
    missing "the sample configuration is refused: $out"

if [ "$failures" != 0 ]; then
    echo "$failures gap(s) between the code and the manual"
    exit 1
fi
echo "the manual covers every command, option, environment variable, x-snapd/x-nsr option and key"
