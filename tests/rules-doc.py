#!/usr/bin/env python3
"""docs/rules.md is generated from finlint's own catalogue (--list-rules and
--explain), so the page and the tool cannot drift apart.

  rules-doc.py --write   regenerate docs/rules.md
  rules-doc.py           check that docs/rules.md is what finlint says now

Standard library only."""
import os
import subprocess
import sys

srcdir = os.environ.get("srcdir", ".")
finlint = os.environ.get("FINLINT", "./finlint")
page = os.path.join(srcdir, "docs", "rules.md")

HEAD = """# finlint's rules

Each rule reads the engine's record of one finished connection (both
endpoints' states, FIN and RST records, events) and, when its packet
signature is there, reports one finding: the rule, a severity, the evidence
packet numbers (1-based, as Wireshark's `frame.number` and `tcpdump -#`
count), a confidence, and a message naming the connection's sides and what
the packets show.  A finding resting on packets the capture did not show
(gaps, acks for bytes never seen, a capture begun mid-connection) says so
and has its confidence lowered to medium or low; `--fail-on` counts only
findings of at least `--min-confidence` (default medium).

Severities: `error` when data was lost, `warning` for a teardown that went
wrong without proven data loss, `info` for legal closes worth knowing about.
`--fail-on SEVERITY` turns findings at or above a severity into exit
status 1.  `--select`/`--ignore` take ids or codes.  Timers come from
`--profile` (the closing host's OS; linux by default) and can be overridden
with `--fin-timeout`, `--time-wait` and `--close-wait`; findings that
depend on a timer name the value used.

This page is generated from `finlint --list-rules` and `finlint --explain`
by `tests/rules-doc.py --write`; `make check` fails when they differ.

| id | code | severity | what the capture shows |
|---|---|---|---|
"""


def run(*args):
    out = subprocess.run([finlint, *args], capture_output=True, text=True, check=True)
    return out.stdout


def render():
    rules = [line.split(None, 3) for line in run("--list-rules").splitlines()]
    text = HEAD
    for rid, code, sev, title in rules:
        text += f"| [`{rid}`](#{rid}) | {code} | {sev} | {title} |\n"
    for rid, code, sev, title in rules:
        lines = run("--explain", rid).splitlines()
        text += f"\n## {rid}\n\n{code}, default severity **{sev}**: {title}.\n"
        section, words = None, []
        for line in lines[1:] + [""]:
            if line.endswith(":") and not line.startswith(" "):
                section, words = line[:-1], []
            elif line.startswith("  "):
                words.append(line.strip())
            elif section is not None and words:
                text += f"\n**{section}.** " + " ".join(words) + "\n"
                section, words = None, []
    return text


if __name__ == "__main__":
    want = render()
    if sys.argv[1:] == ["--write"]:
        with open(page, "w") as f:
            f.write(want)
        sys.exit(0)
    have = open(page).read() if os.path.exists(page) else ""
    if have != want:
        print("FAIL docs/rules.md differs from finlint --explain: "
              "run tests/rules-doc.py --write")
        sys.exit(1)
    print("rules-doc: docs/rules.md matches the catalogue")
