#!/usr/bin/env python3
"""Check the rules against captures whose anomalies are known.

For every manifest (samples/*.json from the real-kernel scenario lab, and
tests/data/rules/*.json for synthesized captures of what a kernel will not
produce), run finlint -f json on its capture and compare, connection by
connection, the set of findings (rule id and evidence packet numbers) with
the manifest's anomalies.  Every connection must match exactly: a rule
firing where the manifest expects nothing fails as much as a missing one.
Then check that every rule in `finlint --list-rules` fired somewhere, so no
rule goes untested.

Standard library only.  Ends with 'N passed, N failed'."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from labmatch import match  # noqa: E402

srcdir = os.environ.get("srcdir", ".")
finlint = os.environ.get("FINLINT", "./finlint")
dirs = [os.path.join(srcdir, "samples"), os.path.join(srcdir, "tests", "data", "rules")]
passed = failed = 0
fired = {}

# Captures recorded as ground truth for a rule that finlint does not have
# yet: (manifest, rule).  While the rule is missing from --list-rules, that
# rule's anomalies are taken out of the manifest's expectation (and said
# so); everything else in the capture is compared as strictly as ever.
# Once the rule is listed the entry has no effect, and the line is removed
# with the change that adds the rule.
PENDING = set()  # connect-timeout (22-*) landed: nothing is pending
known = {line.split()[0] for line in subprocess.run(
    [finlint, "--list-rules"], capture_output=True, text=True).stdout.splitlines() if line.strip()}

for d in dirs:
    for name in sorted(os.listdir(d)):
        if not name.endswith(".json"):
            continue
        manifest = json.load(open(os.path.join(d, name)))
        pcap = os.path.join(d, name[:-5] + ".pcap")
        cmd = [finlint, "-f", "json"] + manifest.get("finlint_args", []) + [pcap]
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode not in (0, 1):
            print(f"FAIL {name}: finlint exited {out.returncode}: {out.stderr.strip()}")
            failed += 1
            continue
        pairs, unmatched = match(name, manifest["connections"], json.loads(out.stdout)["flows"])
        for label, conn, f in pairs:
            if f is None:
                print(f"FAIL {label}: no such connection in finlint's output")
                failed += 1
                continue
            want = []
            for a in conn.get("anomalies", []):
                if (name, a["rule"]) in PENDING and a["rule"] not in known:
                    print(f"PENDING {label}: {a['rule']} {a['packets']} not compared "
                          "until finlint has the rule")
                else:
                    want.append((a["rule"], tuple(a["packets"])))
            want.sort()
            got = sorted((x["rule"], tuple(x["packets"])) for x in f["findings"])
            for rule, _ in got:
                fired.setdefault(rule, set()).add(name)
            if want == got:
                passed += 1
            else:
                # Say what the manifest knows of the packets a wrong
                # finding rests on (a note: a duplicate, a repair).
                noted = {}
                for note in conn.get("notes", []):
                    for n in note.get("packets", []) + [x for p in note.get("pairs", []) for x in p]:
                        noted.setdefault(n, note["what"])
                extra = sorted({f"packet {n} is in the manifest's {noted[n]} note"
                                for rule, pkts in set(got) - set(want) for n in pkts if n in noted})
                print(f"FAIL {label}: findings {got}, manifest {want}"
                      + ("".join("; " + e for e in extra)))
                failed += 1
        for f in (f for f in unmatched if f["findings"]):
            print(f"FAIL {name}: connection {f['id']} not in the manifest has findings "
                  f"{[x['rule'] for x in f['findings']]}")
            failed += 1

# The two-point rules need two captures (--pair): tests/pair.test
# makes them fire on capture pairs.
two_point = {"rst-injected-between", "conntrack-idle-reset", "final-ack-lost-between",
             "packet-lost-between"}
rules = subprocess.run([finlint, "--list-rules"], capture_output=True, text=True).stdout
for line in rules.splitlines():
    rule = line.split()[0]
    if rule in two_point:
        continue
    if rule in fired:
        passed += 1
    else:
        print(f"FAIL rule {rule} fired on no capture")
        failed += 1

print(f"rules-vs-lab: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
