#!/usr/bin/env bash
# Installs nsreconcile as a user would, into throwaway roots only: `cmake
# --install` with DESTDIR, and the Debian package `cpack -G DEB` builds,
# extracted with dpkg-deb. Checks the file lists, that Depends is what the
# binary really links, and that the installed binary, hook, completion,
# sample configuration and manual pages work from where they were installed.
#
#   package_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 src=$2

scratch=$(mktemp -d /tmp/nsreconcile-package.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
failures=0
ok() { echo "ok: $*"; }
fail() {
    echo "FAILED: $*"
    failures=$((failures + 1))
}
check() {
    local what=$1
    shift
    if "$@"; then ok "$what"; else fail "$what"; fi
}

version=$("$build/nsreconcile" --version | sed -n 's/^nsreconcile //p')
[ -n "$version" ] || { echo "cannot read the version of $build/nsreconcile" >&2; exit 1; }

# What an installation holds, files and symlinks, relative to the root.
expected="usr/bin/nsreconcile
usr/lib/nsreconcile/snap-update-ns -> ../../bin/nsreconcile
usr/share/bash-completion/completions/nsreconcile
usr/share/doc/nsreconcile/README.md
usr/share/doc/nsreconcile/examples/config.yaml
usr/share/man/man5/nsreconcile-config.5.gz
usr/share/man/man5/nsreconcile.fstab.5.gz
usr/share/man/man8/nsreconcile.8.gz
usr/share/nsreconcile/nsreconcile-hook
usr/share/nsreconcile/schema/apply.json
usr/share/nsreconcile/schema/check.json
usr/share/nsreconcile/schema/features.json
usr/share/nsreconcile/schema/ns-list.json
usr/share/nsreconcile/schema/plan.json"
listing() { (cd "$1" && find . -type f -printf '%P\n' -o -type l -printf '%P -> %l\n' | sort); }

# --- cmake --install --------------------------------------------------------
DESTDIR=$scratch/destdir cmake --install "$build" --prefix /usr >/dev/null
if [ "$(listing "$scratch/destdir")" = "$expected" ]; then
    ok "cmake --install puts the binary in /usr/bin and nothing in /etc"
else
    fail "cmake --install file list"
    diff <(echo "$expected") <(listing "$scratch/destdir") || true
fi

# --- cpack -G DEB -----------------------------------------------------------
(cd "$build" && cpack -G DEB -B "$scratch/pkg" >/dev/null)
debs=("$scratch"/pkg/*.deb)
[ ${#debs[@]} = 1 ] && [ -f "${debs[0]}" ] || { echo "cpack built no single .deb" >&2; exit 1; }
deb=${debs[0]}
field() { dpkg-deb -f "$deb" "$1"; }
check "the package is nsreconcile $version" test "$(field Package) $(field Version)" = "nsreconcile $version"
deb_listing=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\.\//, "", $6); if ($7 == "->") print $6 " -> " $8; else print $6 }' | sort)
if [ "$deb_listing" = "$expected" ]; then
    ok "the package holds exactly the installed files"
else
    fail "the package's file list"
    diff <(echo "$expected") <(echo "$deb_listing") || true
fi

root=$scratch/root
dpkg-deb -x "$deb" "$root"

# Depends is derived: the packages of the shared libraries the binary
# names (DT_NEEDED), no more, no fewer.
needed_packages=$(
    for lib in $(readelf -d "$root/usr/bin/nsreconcile" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        # The dynamic loader's line names it by its full path, with no "=>".
        path=$(ldd "$root/usr/bin/nsreconcile" |
            awk -v l="$lib" '{ n = $1; sub(/.*\//, "", n) } n == l { print ($2 == "=>") ? $3 : $1 }')
        { dpkg -S "$path" 2>/dev/null || dpkg -S "$(realpath "$path")"; } | sed 's/:.*//; s/,.*//'
    done | sort -u)
depends=$(field Depends | tr ',' '\n' | sed 's/^ *//; s/ .*//; s/:.*//' | sort -u)
if [ -n "$needed_packages" ] && [ "$needed_packages" = "$depends" ]; then
    ok "Depends names the packages of the linked libraries: $(echo $depends)"
else
    fail "Depends ($(echo $depends)) is not what the binary links ($(echo $needed_packages))"
fi

# --- the installed files at work ---------------------------------------------
nsr=$root/usr/bin/nsreconcile
check "the installed binary runs: --version" test "$("$nsr" --version)" = "nsreconcile $version"
printf '%s\n' "/snap/p/1/lib /snap/a/1/lib none bind,ro 0 0" >"$scratch/good.fstab"
printf '%s\n' "/snap/p/1/lib snap/a/1/lib none bind,ro 0 0" >"$scratch/bad.fstab"
check "the installed binary lints a good profile (exit 0)" "$nsr" lint "$scratch/good.fstab"
lint_bad=$("$nsr" lint "$scratch/bad.fstab" && echo "exit 0" || echo "exit $?")
check "the installed binary lints a bad one (exit 2, PATH:LINE)" test "$lint_bad" = \
    "$scratch/bad.fstab:1: mount point \"snap/a/1/lib\" is not an absolute path
exit 2"
check "the personality link is snap-update-ns" \
    sh -c "'$root/usr/lib/nsreconcile/snap-update-ns' --help | head -1 | grep -q '^usage: nsreconcile snap-update-ns'"
sample=$root/usr/share/doc/nsreconcile/examples/config.yaml
check "the sample configuration is accepted as it is" \
    sh -c "'$nsr' check no-such-name --config '$sample' | grep -q 'nothing to check'"
hook_refuses() {
    local out
    out=$(echo "bad" | NSRECONCILE=$nsr NSRECONCILE_PROFILES=$scratch/profiles \
        "$root/usr/share/nsreconcile/nsreconcile-hook" connect app 2>&1) && return 1
    [ $? = 2 ] && [[ $out == *"the new profile is invalid; nothing changed"* ]] &&
        [ ! -e "$scratch/profiles/app.fstab" ]
}
check "the installed hook runs the installed binary's lint and refuses a bad profile" hook_refuses
check "the installed completion loads" \
    bash -c "source '$root/usr/share/bash-completion/completions/nsreconcile' && complete -p nsreconcile >/dev/null"
# man -l on an installed page: rendered, no groff warnings, and SECTIONS
# among its headings.
renders() {
    local page=$1 text
    shift
    text=$(man --warnings -l "$root/usr/share/man/$page.gz" 2>"$scratch/man.err") || return 1
    [ ! -s "$scratch/man.err" ] || { cat "$scratch/man.err"; return 1; }
    for section in NAME "$@" "SEE ALSO"; do
        grep -qx -- "$section" <<<"$text" || { echo "no $section"; return 1; }
    done
}
check "man -l renders the installed nsreconcile(8)" renders man8/nsreconcile.8 SYNOPSIS \
    COMMANDS "EXIT STATUS" FILES ENVIRONMENT EXAMPLES
check "man -l renders the installed nsreconcile.fstab(5)" renders man5/nsreconcile.fstab.5 \
    "X-SNAPD OPTIONS" "X-NSR OPTIONS" VALIDATION FILES EXAMPLES
check "man -l renders the installed nsreconcile-config(5)" renders man5/nsreconcile-config.5 \
    KEYS VALIDATION FILES EXAMPLES

if [ "$failures" != 0 ]; then
    echo "$failures package check(s) failed"
    exit 1
fi
