#!/usr/bin/env bash
# Prints every JSON form nsreconcile has (plan, apply, check, features,
# ns list; live, dry run, scenario, no namespace, drifted three ways) from
# real runs, then checks each against docs/schema/ with validate_json.py.
#
#   json_output_test.sh NSRECONCILE SOURCE_DIR PYTHON3
#
# Needs root: it works in a throwaway mount namespace (unshare -m
# --propagation private) with tmpfs over /run and /var/lib and / read-only
# there only, as scripts/demo does, so the host is left as it was.
set -euo pipefail
nsr=$1 src=$2 python=$3

if [ "${NSR_INSIDE:-}" != 1 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "json_output_test.sh: needs root (it makes mount namespaces)" >&2
        exit 1
    fi
    NSR_INSIDE=1 exec unshare --mount --propagation private "$0" "$@"
fi

for d in /run /var/lib; do mount -t tmpfs -o mode=0755 json-test "$d"; done
mount -o remount,bind,ro /
out=/run/json-out S=/run/t
mkdir -p "$out" "$S"/prov/1 "$S"/prov/2/sub "$S"/app/data "$S"/plugins /var/lib/nsreconcile/profiles
echo 1 >"$S"/prov/1/f
echo 2 >"$S"/prov/2/f
# Exit status 1 is what check says about drift; anything else is a failure.
run() {
    local file=$1 rc=0
    shift
    "$nsr" "$@" >"$out/$file.json" || rc=$?
    if [ "$rc" -gt 1 ]; then
        echo "nsreconcile $* exited $rc" >&2
        exit 1
    fi
}
profile() {
    printf '%s\n' "$S/prov/$1 $S/app/data none bind,ro 0 0" \
        "$S/plugins /usr/local/share/nsr-plugins none rbind,rw,x-snapd.origin=layout 0 0" \
        >/var/lib/nsreconcile/profiles/app.fstab
}

"$nsr" ns create app >/dev/null
profile 1
run plan--live plan app --json
run apply--first apply app --json
run apply--again apply app --json
run plan--dry-run apply app --dry-run --json
profile 2
run plan--replace plan app --json
run apply--replace apply app --json
run check--in-step check app --json
"$nsr" ns run app -- mount -t tmpfs tmpfs "$S/app/data/sub"
run check--extra check app --json
"$nsr" ns run app -- umount "$S/app/data/sub"
"$nsr" ns run app -- umount "$S/app/data"
run check--missing check app --json
"$nsr" ns run app -- mount -t tmpfs tmpfs "$S/app/data"
run check--differs check app --json
run plan--no-ns plan nothere --json
run apply--no-ns apply nothere --json
run check--no-ns check nothere --json
run ns-list--one ns list --json
run features--root features --json
setpriv --reuid=65534 --regid=65534 --clear-groups -- "$nsr" features --json >"$out/features--nobody.json"
for f in "$src"/fixtures/plan/*.yaml; do
    name=$(basename "$f" .yaml)
    run "plan--scenario-$name" plan --scenario "$f" --json
    run "plan--scenario-$name-no-tuck" plan --scenario "$f" --json --no-tuck
done

"$python" "$src/tests/docs/validate_json.py" "$src/docs/schema" "$out"
