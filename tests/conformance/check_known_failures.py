#!/usr/bin/env python3
"""Fails if a scenario the expected-failures file allows to fail fails in a new way.

The suite's --expected-failures works per scenario: a listed scenario may fail any of its
checks. The product lists 28 scenarios because each calls a test_* tool, prompt or resource
only the suite's fixture ships; without this guard a real regression inside one of them (say
server-stateless's version checks) would pass unnoticed. So every failing or warning check of a
listed scenario must be named in the known-checks file ("<scenario> <check id>", # comments),
and every named check must still fail or warn (a check that starts passing is removed there).

usage: check_known_failures.py RESULTS_DIR EXPECTED_FAILURES_YAML KNOWN_CHECKS
"""
import glob
import json
import os
import re
import sys


def listed_scenarios(yaml_path):
    # The file is the suite's format: "server:" then "  - <scenario>" lines and comments.
    with open(yaml_path) as f:
        return {m.group(1) for m in (re.match(r"\s+-\s+([\w-]+)\s*$", line) for line in f) if m}


def known_checks(path):
    with open(path) as f:
        lines = (line.split("#", 1)[0].split() for line in f)
        return {(parts[0], parts[1]) for parts in lines if parts}


def failing_checks(results_dir, scenarios):
    # One folder per scenario: server-<scenario>-<ISO timestamp>, holding checks.json.
    found = set()
    seen = set()
    for checks_file in glob.glob(os.path.join(results_dir, "*", "checks.json")):
        folder = os.path.basename(os.path.dirname(checks_file))
        m = re.match(r"server-(.+)-\d{4}-\d\d-\d\dT", folder)
        if not m or m.group(1) not in scenarios:
            continue
        seen.add(m.group(1))
        with open(checks_file) as f:
            for check in json.load(f):
                if check.get("status") in ("FAILURE", "WARNING"):
                    found.add((m.group(1), check["id"]))
    return found, seen


def main():
    results_dir, yaml_path, known_path = sys.argv[1:4]
    scenarios = listed_scenarios(yaml_path)
    known = known_checks(known_path)
    failing, seen = failing_checks(results_dir, scenarios)
    ok = True
    for scenario in sorted(scenarios - seen):
        print(f"listed scenario {scenario} did not run", file=sys.stderr)
        ok = False
    for scenario, check in sorted(failing - known):
        print(f"NEW failure in an allowed scenario: {scenario} {check}", file=sys.stderr)
        ok = False
    for scenario, check in sorted(known - failing):
        print(f"known failure now passes (remove it from {known_path}): {scenario} {check}", file=sys.stderr)
        ok = False
    if ok:
        print(f"known-failure guard: {len(failing)} failing or warning checks in {len(scenarios)} "
              f"allowed scenarios, each one known", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
