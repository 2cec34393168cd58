#!/usr/bin/env python3
"""Golden reports: finlint's text, JSON, JSON Lines, CSV, GitHub and
Markdown output for the scenario-lab captures and the synthesized rule
captures, and its HTML page for two of the lab's, compared byte for byte
with tests/golden/.  Each rule's findings (evidence packets, message, fix) are
pinned in all three formats.  Paths are given relative to the source tree,
so the outputs do not depend on where the tree is.

  golden.py            compare (the make check test)
  golden.py --update   rewrite tests/golden/ from the current finlint

Also checks that CSV survives Python's csv module: a capture whose name
holds a comma, a double quote and a newline must come back field for field
equal to the JSON report's values; and that the GitHub workflow commands
for a capture named with every character the runner reads as syntax
(%, CR, LF, ':' and ',') escape them as the runner unescapes them.
Standard library only."""
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

srcdir = os.path.abspath(os.environ.get("srcdir", "."))
finlint = os.path.abspath(os.environ.get("FINLINT", "./finlint"))
golden = os.path.join(srcdir, "tests", "golden")
update = sys.argv[1:] == ["--update"]

CAPTURES = sorted(
    ["samples/" + n for n in os.listdir(os.path.join(srcdir, "samples"))
     if n.endswith(".pcap") and not n.startswith(("01-", "02-", "03-", "04-", "18-", "19-"))] +
    ["tests/data/rules/" + n for n in os.listdir(os.path.join(srcdir, "tests/data/rules"))
     if n.endswith(".pcap")])
FORMATS = {"txt": ["--timeline"], "json": ["-f", "json"], "jsonl": ["-f", "jsonl"],
           "csv": ["-f", "csv"], "flows.csv": ["-f", "csv", "--csv-table", "flows"],
           "github": ["-f", "github"], "md": ["-f", "markdown"]}
# The HTML page is large: pinned for two lab captures, one with evidence
# on both sides of a pause, one with packets left out and two pauses.
HTML_CAPTURES = ["samples/07-rst-after-fin-wait2-timeout.pcap", "samples/14-close-wait-stuck.pcap"]
JOBS = [(cap, ext, args) for cap in CAPTURES for ext, args in FORMATS.items()] + \
    [(cap, "html", ["-f", "html"]) for cap in HTML_CAPTURES]

passed = failed = 0


def run(args, cwd=srcdir):
    out = subprocess.run([finlint, "--fail-on", "never"] + args, cwd=cwd,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"FAIL finlint {' '.join(args)}: exit {out.returncode}: {out.stderr}")
    # the version is not part of what a golden file pins
    text = re.sub(r'"version":"[^"]*"', '"version":"X"', out.stdout)
    return re.sub(r'<meta name="generator" content="finlint [^"]*">',
                  '<meta name="generator" content="finlint X">', text)


for cap, ext, args in JOBS:
    base = os.path.splitext(os.path.basename(cap))[0]
    got = run(args + [cap])
    path = os.path.join(golden, f"{base}.{ext}")
    if update:
        with open(path, "w", newline="") as f:
            f.write(got)
        continue
    want = open(path, newline="").read() if os.path.exists(path) else None
    if got == want:
        passed += 1
    elif want is None:
        failed += 1
        print(f"FAIL {base}.{ext}: no such file in tests/golden for {cap} "
              "(golden.py --update writes it)")
    else:
        failed += 1
        print(f"FAIL {base}.{ext} differs from tests/golden (golden.py --update "
              "rewrites it after a deliberate change)")
        for a, b in zip(want.splitlines(), got.splitlines()):
            if a != b:
                print(f"    want: {a[:160]}\n    got:  {b[:160]}")
                break

if not update:
    # CSV round trip through a file name no CSV writer may mangle.
    tmp = tempfile.mkdtemp()
    try:
        name = os.path.join(tmp, 'odd, "name"\nhere.pcap')
        shutil.copy(os.path.join(srcdir, "samples", "10-rst-on-data-after-close.pcap"), name)
        rows = list(csv.DictReader(io.StringIO(run(["-f", "csv", name], cwd=tmp), newline="")))
        doc = json.loads(run(["-f", "json", name], cwd=tmp))
        findings = [(fl, x) for fl in doc["flows"] for x in fl["findings"]]
        ok = len(rows) == len(findings) == 1
        for row, (fl, x) in zip(rows, findings):
            ok = ok and row["file"] == name and row["message"] == x["message"] \
                and row["fix"] == x["fix"] and row["rule"] == x["rule"] \
                and row["packets"] == " ".join(map(str, x["packets"])) \
                and row["client_port"] == str(fl["client"]["port"]) \
                and row["community_id"] == fl["community_id"]
        if ok:
            passed += 1
        else:
            failed += 1
            print(f"FAIL csv round trip: {rows!r}")
    finally:
        shutil.rmtree(tmp)

    # GitHub workflow commands: the runner unescapes %25, %0D, %0A in the
    # data and also %3A, %2C in properties; a property ends at ',' and the
    # properties at "::".  Read the lines back that way.
    def unescape(text, prop):
        pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if prop else [])
        for a, b in pairs:
            text = text.replace(a, b)
        return text.replace("%25", "%")

    tmp = tempfile.mkdtemp()
    try:
        name = os.path.join(tmp, "50%,a:b\r\nc%0A.pcap")
        shutil.copy(os.path.join(srcdir, "samples", "10-rst-on-data-after-close.pcap"), name)
        doc = json.loads(run(["-f", "json", name], cwd=tmp))
        lines = run(["-f", "github", name], cwd=tmp).splitlines()
        fl = doc["flows"][0]
        x = fl["findings"][0]
        got = None
        if len(lines) == 2 and lines[0].startswith("::error "):
            head, _, data = lines[0][len("::error "):].partition("::")
            props = dict(p.split("=", 1) for p in head.split(","))
            got = {k: unescape(v, True) for k, v in props.items()}, unescape(data, False)
        # escape_text shows the CR and LF of the name as \r and \n
        shown = name.replace("\r", "\\r").replace("\n", "\\n")
        want = ({"file": shown, "line": str(x["packets"][0]),
                 "title": "%s (%s)" % (x["rule"], x["code"])},
                "connection %d %s:%d -> %s:%d: %s\nevidence: packets %s, confidence %s\n"
                "fix: %s (finlint --explain %s)" %
                (fl["id"], fl["client"]["addr"], fl["client"]["port"], fl["server"]["addr"],
                 fl["server"]["port"], x["message"], ", ".join(map(str, x["packets"])),
                 x["confidence"], "shutdown(SHUT_WR), read until 0, then close()", x["code"]))
        if got == want and lines[1].startswith("::notice title=finlint::1 file, 1 connection"):
            passed += 1
        else:
            failed += 1
            print(f"FAIL github escaping: got {got!r}\n    want {want!r}\n    lines {lines!r}")
    finally:
        shutil.rmtree(tmp)

if update:
    print(f"golden: wrote {len(JOBS)} files")
    sys.exit(0)
print(f"golden: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
