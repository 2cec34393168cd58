#!/usr/bin/env python3
"""What the rule table (src/rules-catalogue.c) says, finlint's
--list-rules and --explain print, and the places that repeat it must agree:

- docs/rules.md, generated whole from --list-rules and --explain;
- docs/finlint.schema.json: the rule_id and rule_code enums and the
  finding's id/code pairs (finding_fields.oneOf), in the table's order;
- the rule count in README.md, docs/finlint.1 and tests/cli.test.

  rules-doc.py --write   regenerate them all
  rules-doc.py           check them; exit status 1 naming what differs

--list-rules writes one rule a line: id, code, severity (none with a
space), then the title.  The schema is compared by value; --write
rewrites only the parts whose values differ, so the rest of the file
keeps its layout.  Standard library only."""
import json
import os
import re
import subprocess
import sys

srcdir = os.environ.get("srcdir", ".")
finlint = os.environ.get("FINLINT", "./finlint")
page = os.path.join(srcdir, "docs", "rules.md")
schema_path = os.path.join(srcdir, "docs", "finlint.schema.json")

# Where the rule count is written in prose and tests: (file, pattern whose
# groups are the count; each must match once).
COUNTS = [
    ("README.md", r"`finlint --list-rules` lists the (\d+) rules"),
    (os.path.join("docs", "finlint.1"), r"each of (\d+) rules"),
    (os.path.join("tests", "cli.test"),
     r'if \[ "\$n" -eq (\d+) \]; then ok; else bad "list-rules: \$n lines, want (\d+)"; fi'),
]

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
[Adding a rule](#adding-a-rule), at the end, says how a new rule is made.

| id | code | severity | what the capture shows |
|---|---|---|---|
"""


TAIL = """
## Adding a rule

A rule is one row of the rule table, and four steps:

1. **Its check.** In the rule family's file (`src/rules-close.c`,
   `rules-reset.c`, `rules-fin.c`, `rules-timer.c`, `rules-reuse.c`, or a
   new `rules-FAMILY.c`), code that calls `rules_found(k, RULE_NEW, side)`
   when the packets show the signature, then adds the evidence packets
   (`rules_evidence`) and the message (`rules_say`).  A new check function
   is declared in `src/rules-int.h`.
2. **Its row.** `X(RULE_NEW)` at the end of `RULE_LIST` in
   `include/rule-catalogue.h`, and `ROW(RULE_NEW)` in
   `src/rules-catalogue.c`: the check, then the id, the next `FLnnn` code,
   the default severity and the texts `--explain` prints.  A listed rule
   without a row does not compile; a row without its check or a text
   stops finlint at startup and fails `make check`.
3. **Its capture.** A capture that shows the signature with the findings
   it must give: `tests/data/rules/NAME.pcap` and `NAME.json`, or a
   real-kernel lab scenario in `samples/` (whose manifests may only name
   rules `tests/lab/check_manifest.py` knows).  `tests/rules-vs-lab.py`
   fails while a listed rule fires nowhere.
4. **A regenerate.** `tests/rules-doc.py --write` rewrites this page, the
   schema's rule enums and the rule count in README, man page and
   `tests/cli.test`; `make check` fails until it has run.  Update the
   goldens (`tests/golden.py --update`) if a golden capture shows the rule.
"""


def run(*args):
    out = subprocess.run([finlint, *args], capture_output=True, text=True, check=True)
    return out.stdout


def list_rules():
    """The table as --list-rules prints it: [(id, code, severity, title)]."""
    return [tuple(line.split(None, 3)) for line in run("--list-rules").splitlines()]


def render(rules):
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
    return text + TAIL


def wrap_items(items, indent):
    """JSON strings, comma separated, wrapped at 100 columns."""
    lines, cur = [], ""
    for i, item in enumerate(items):
        word = json.dumps(item) + ("," if i + 1 < len(items) else "")
        if cur and len(indent) + len(cur) + 1 + len(word) > 100:
            lines.append(indent + cur)
            cur = word
        else:
            cur = cur + " " + word if cur else word
    lines.append(indent + cur)
    return "\n".join(lines)


def closing(text, start):
    """Index of the bracket that closes the one at text[start]."""
    depth, instr, i = 0, False, start
    while i < len(text):
        ch = text[i]
        if instr:
            if ch == "\\":
                i += 1
            elif ch == '"':
                instr = False
        elif ch == '"':
            instr = True
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError("unbalanced brackets in the schema")


def array_after(text, anchor, key):
    """(start, end) of the array under key after anchor: text[start] is '['."""
    at = text.index(anchor)
    start = text.index('"%s": [' % key, at) + len('"%s": ' % key)
    return start, closing(text, start)


def schema_parts(rules):
    """What the schema must hold: {(anchor, key): (value, rendered array)}."""
    ids = [r[0] for r in rules]
    codes = [r[1] for r in rules]
    pairs = [{"properties": {"rule": {"const": i}, "code": {"const": c}}}
             for i, c in zip(ids, codes)]
    pair_text = ",\n".join(
        '        {\n          "properties": {\n'
        '            "rule": {"const": %s},\n            "code": {"const": %s}\n'
        '          }\n        }' % (json.dumps(i), json.dumps(c)) for i, c in zip(ids, codes))
    return {
        ('"rule_id": {', "enum"): (ids, "[\n" + wrap_items(ids, " " * 8) + "\n      ]"),
        ('"rule_code": {', "enum"): (codes, "[\n" + wrap_items(codes, " " * 8) + "\n      ]"),
        ('"finding_fields": {', "oneOf"): (pairs, "[\n" + pair_text + "\n      ]"),
    }


def schema(rules, write):
    """Check (or rewrite) the schema's rule parts; return the names that differ."""
    text = open(schema_path).read()
    wrong = []
    # last part first, so earlier offsets stay valid while rewriting
    parts = sorted(schema_parts(rules).items(),
                   key=lambda kv: -array_after(text, kv[0][0], kv[0][1])[0])
    for (anchor, key), (value, rendered) in parts:
        start, end = array_after(text, anchor, key)
        if json.loads(text[start:end + 1]) != value:
            wrong.append("%s %s" % (anchor.split('"')[1], key))
            text = text[:start] + rendered + text[end + 1:]
    if write and wrong:
        json.loads(text)  # still one JSON document
        with open(schema_path, "w") as f:
            f.write(text)
    return wrong


def counts(n, write):
    """Check (or rewrite) the rule count where it is written; return what differs."""
    wrong = []
    for name, pattern in COUNTS:
        path = os.path.join(srcdir, name)
        text = open(path).read()
        found = list(re.finditer(pattern, text))
        if len(found) != 1:
            wrong.append("%s (the sentence with the rule count is gone)" % name)
            continue
        m = found[0]
        if any(int(g) != n for g in m.groups()):
            wrong.append("%s (says %s)" % (name, m.group(1)))
            if write:
                new = m.group(0)
                for g in m.groups():
                    new = new.replace(g, str(n))
                with open(path, "w") as f:
                    f.write(text[:m.start()] + new + text[m.end():])
    return [w for w in wrong if not write or "gone" in w]


if __name__ == "__main__":
    write = sys.argv[1:] == ["--write"]
    rules = list_rules()
    want = render(rules)
    have = open(page).read() if os.path.exists(page) else ""
    problems = []
    if have != want:
        if write:
            with open(page, "w") as f:
                f.write(want)
        else:
            problems.append("docs/rules.md differs from finlint --explain")
    wrong = schema(rules, write)
    if wrong and not write:
        problems.append("docs/finlint.schema.json: %s differ from finlint --list-rules"
                        % ", ".join(wrong))
    problems += ["rule count in %s is not %d" % (w, len(rules)) for w in counts(len(rules), write)]
    for p in problems:
        print("FAIL " + p + ("" if "gone" in p else ": run tests/rules-doc.py --write"))
    if problems:
        sys.exit(1)
    if not write:
        print("rules-doc: docs/rules.md, the schema's rule enums and the rule count "
              "match the %d rules of the table" % len(rules))
