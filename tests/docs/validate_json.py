#!/usr/bin/python3
"""Checks nsreconcile's JSON output against docs/schema/*.json.

    validate_json.py SCHEMA_DIR OUTPUT_DIR

Each OUTPUT_DIR/KIND--LABEL.json is validated against SCHEMA_DIR/KIND.json.
Every schema must have been exercised, and the documents must cover the
variants the schemas describe (a replace, mimic entries, each kind of
drift, a namespace that is not there...), so a test run that printed less
than it should fails instead of passing on too little. Each schema must
also reject documents broken on purpose: a validator that accepts
anything would otherwise pass everything.

Uses python3-jsonschema (a Debian package), for the tests only.
"""
import copy
import json
import pathlib
import sys

try:
    import jsonschema
except ImportError:
    sys.exit("validate_json.py: python3-jsonschema is missing (scripts/install-deps installs it)")


def main():
    schema_dir, output_dir = map(pathlib.Path, sys.argv[1:3])
    validators = {}
    for path in sorted(schema_dir.glob("*.json")):
        schema = json.loads(path.read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        validators[path.stem] = jsonschema.Draft202012Validator(schema)

    docs = {}
    failures = []
    for path in sorted(output_dir.glob("*--*.json")):
        kind = path.name.split("--", 1)[0]
        if kind not in validators:
            failures.append(f"{path.name}: no schema {kind}.json")
            continue
        doc = json.loads(path.read_text())
        docs.setdefault(kind, []).append((path.name, doc))
        for err in validators[kind].iter_errors(doc):
            failures.append(f"{path.name}: {'/'.join(map(str, err.absolute_path))}: {err.message}")

    for kind in validators:
        if kind not in docs:
            failures.append(f"no output was checked against {kind}.json")

    def every(kind):
        for _, doc in docs.get(kind, []):
            yield doc

    def covered(what, found):
        if not found:
            failures.append(f"no output shows {what}")

    plans = [c for d in every("plan") for c in d["changes"]]
    covered("a planned replace", any(c["action"] == "replace" for c in plans))
    covered("a planned change already done", any(not c["needed"] for c in plans))
    covered("a plan with no namespace", any(d.get("namespace", 0) is None for d in every("plan")))
    outcomes = [c for d in every("apply") for c in d["changes"]]
    covered("an applied replace", any(c["action"] == "replace" for c in outcomes))
    covered("a mimic built by apply", any(c["synthesized"] for c in outcomes))
    covered("an apply outcome 'already done'", any(c["outcome"] == "already done" for c in outcomes))
    covered("an apply with no namespace", any(d.get("namespace", 0) is None for d in every("apply")))
    findings = [f["kind"] for d in every("check") for f in d.get("drift", [])]
    for kind in ("missing", "differs", "extra"):
        covered(f"a '{kind}' finding", kind in findings)
    covered("a namespace in step", any(d.get("namespace") and d["in_step"] for d in every("check")))
    covered("a check with no namespace", any(d["namespace"] is None for d in every("check")))
    features = [f for d in every("features") for f in d["features"]]
    covered("a feature probed available", any(f["available"] is True for f in features))
    covered("a feature unknown (needs root)",
            any(f["available"] is None and f["detail"] == "needs root" for f in features))

    # Documents broken on purpose: each must be rejected.
    def rejects(kind, label, mutate):
        for _, doc in docs.get(kind, []):
            broken = copy.deepcopy(doc)
            if mutate(broken) is not False:
                if validators[kind].is_valid(broken):
                    failures.append(f"{kind}.json accepts a document with {label}")
                return
        failures.append(f"no {kind} output to break for '{label}'")

    def first_change(doc, action):
        for c in doc.get("changes", []):
            if c["action"] == action:
                return c
        return None

    def drop_replaces(doc):
        c = first_change(doc, "replace")
        if c is None:
            return False
        del c["replaces"]

    def bad_action(doc):
        if not doc["changes"]:
            return False
        doc["changes"][0]["action"] = "remount"

    def finding_without_entry(doc):
        for f in doc.get("drift", []):
            if f["kind"] != "extra":
                del f["entry"]
                return
        return False

    def drifted_in_step(doc):
        if not doc.get("drift"):
            return False
        doc["in_step"] = True

    def unknown_key(doc):
        doc["surprise"] = 1

    def available_with_detail(doc):
        doc["features"][0]["available"] = True
        doc["features"][0]["detail"] = "but why"

    rejects("plan", "a replace without 'replaces'", drop_replaces)
    rejects("plan", "an unknown action", bad_action)
    rejects("plan", "an unknown key", unknown_key)
    rejects("apply", "a replace without 'replaces'", drop_replaces)
    rejects("apply", "an unknown outcome",
            lambda d: d["changes"][0].update(outcome="maybe") if d["changes"] else False)
    rejects("check", "a missing entry without 'entry'", finding_without_entry)
    rejects("check", "drift while in step", drifted_in_step)
    rejects("features", "an available feature with a detail", available_with_detail)
    rejects("ns-list", "an unknown key", unknown_key)

    checked = sum(len(v) for v in docs.values())
    if failures:
        print("\n".join(failures))
        sys.exit(1)
    print(f"validate_json.py: {checked} documents valid against {len(validators)} schemas")


main()
