#!/usr/bin/env python3
"""finlint's JSON and JSON Lines reports against docs/finlint.schema.json.

Runs $FINLINT -f json and -f jsonl (--flows all --fail-on never) over the
bundled samples, the rule test captures, a missing and an empty file, and,
when the shared corpus is there ($FINLINT_CORPUS, default
$srcdir/../shared/corpus), a fixed list of corpus captures of varied kinds.
Every JSON document and every JSON Lines record must validate against the
schema, and every record's first key must be "type".  The schema closes
every object, so a field added to the C code but not to the schema fails
here.

Needs the jsonschema module (Debian: python3-jsonschema).  Without it the
test fails rather than skips: CI installs it.
"""
import json
import re
import os
import subprocess
import sys
import tempfile

try:
    import jsonschema
    from jsonschema import Draft202012Validator
except ImportError:
    print("FAIL: the Python module 'jsonschema' (Draft 2020-12 support) is missing for %s;"
          " install it: apt-get install -y python3-jsonschema" % sys.executable)
    print("schema: 0 passed, 1 failed")
    sys.exit(1)

srcdir = os.environ.get("srcdir", ".")
finlint = os.environ.get("FINLINT", "./finlint")
corpus = os.environ.get("FINLINT_CORPUS") or os.path.join(srcdir, "..", "shared", "corpus")

# Captures of the shared corpus that between them make finlint write every
# optional part of a report: mid-stream flows, IPv6, tunnels, nanosecond
# times, FIN and RST records, reuse splits, findings with a null endpoint,
# files damaged part-way, of an unsupported link type or not captures.
CORPUS_FILES = [
    "zeek/traces/tunnels/Teredo.pcap",              # Teredo, zeek_split, mid-stream
    "zeek/traces/ssh/ssh.pcap",                     # 23 flows, simultaneous close
    "zeek/traces/tcp/fin_retransmission.pcap",      # FIN retransmitted
    "zeek/traces/tcp/retransmit-fast009.pcap",      # retransmissions, truncated segments
    "zeek/traces/pop3/pop3.pcap",                   # refused, zeek_split
    "zeek/traces/ftp/ipv6.pcap",                    # IPv6, clean closes
    "zeek/traces/tcp/no-handshake.pcap",            # mid-stream
    "zeek/traces/mixed-vlan-mpls.pcap",             # VLAN and MPLS
    "zeek/traces/tcp/payload-syn.pcap",             # raw IP link type
    "tcpdump/tcp-handshake-nano.pcap",              # nanosecond times, Linux cooked
    "tcpdump/bigtcp-ipv6-geneve-ipv6.pcap",         # GENEVE, IPv6 inside IPv6
    "tcpdump/tcp_rst_diag_payload.pcap",            # BSD loopback, RST with data
    "other/tcpreplay/test.pcap",                    # malformed packets, IPv6
    "other/pcapplusplus/many-protocols.pcap",       # 126 flows, every close word but two
    "other/libpcap-midfile-errors/suricata-verify__http-mime-truncated__input.pcap",  # damaged part-way
    "tcpdump/unsupported-link-type-160.pcap",       # link type finlint does not read
    "other/libpcap-bad/pcap-invalid-version-1.pcap",  # not readable at all
]

passed = failed = 0
MAX_ERRORS_SHOWN = 5


def ok():
    global passed
    passed += 1


def fail(msg, show=True):
    global failed
    failed += 1
    if show:
        print("FAIL: " + msg)


def where(path):
    return "".join("[%d]" % p if isinstance(p, int) else "." + p for p in path) or "(root)"


def explain(validator, instance):
    """The most telling validation error, as one line: the deepest one, as
    an object that fails inside also leaves its own key "unevaluated" in
    its parent, which says less."""
    errs = list(validator.iter_errors(instance))
    if not errs:
        return "?"
    errs = [e for e in errs if e.validator != "unevaluatedProperties"] or errs
    err = max(errs, key=lambda e: len(e.absolute_path))
    if err.context:
        err = jsonschema.exceptions.best_match(err.context) or err
    return "at %s: %s" % (where(err.absolute_path), err.message[:300])


with open(os.path.join(srcdir, "docs", "finlint.schema.json")) as f:
    schema = json.load(f)
try:
    Draft202012Validator.check_schema(schema)
except jsonschema.exceptions.SchemaError as e:
    print("FAIL: docs/finlint.schema.json is not a valid Draft 2020-12 schema: %s" % e.message)
    print("schema: 0 passed, 1 failed")
    sys.exit(1)

# The schema names every rule (a finding's code is one of them) and caps a
# record's findings at one per rule: both must follow the catalogue.
rules = subprocess.run([finlint, "--list-rules"], capture_output=True, text=True).stdout.split()
codes = sorted(w for w in rules if re.fullmatch(r"FL\d{3}", w))
text = json.dumps(schema)
in_schema = sorted(set(re.findall(r'"const": "(FL\d{3})"', text)))
if in_schema != codes:
    fail("the schema's rule codes %s are not --list-rules' %s" % (in_schema, codes))
caps = re.findall(r'"findings": \{"type": "array", "maxItems": (\d+)', text)
if caps != [str(len(codes))] * len(caps) or not caps:
    fail("the schema caps a record's findings at %s, not at the %d rules" % (caps, len(codes)))

# The root is the -f json document; the JSON Lines records are a $def.
checker = jsonschema.FormatChecker()
doc_validator = Draft202012Validator(schema, format_checker=checker)
line_validators = {
    name: Draft202012Validator(dict(schema, **{"$ref": "#/$defs/" + ref}), format_checker=checker)
    for name, ref in [("record", "jsonl_record"), ("header", "jsonl_header"), ("flow", "jsonl_flow"),
                      ("finding", "jsonl_finding"), ("file", "jsonl_file"),
                      ("summary", "jsonl_summary")]
}


def run(label, fmt, args, statuses):
    """Run finlint; return its standard output, or None after a failure."""
    cmd = [finlint, "-f", fmt, "--flows", "all", "--fail-on", "never"] + args
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        fail("%s -f %s: no answer within 300 s" % (label, fmt))
        return None
    # 0: all read; 3: an input error, which some of these inputs are on purpose.
    if out.returncode not in statuses:
        fail("%s -f %s: exit status %d: %s" % (label, fmt, out.returncode,
                                                out.stderr.strip()[-500:]))
        return None
    return out.stdout


def check_json(label, args, statuses):
    text = run(label, "json", args, statuses)
    if text is None:
        return
    try:
        doc = json.loads(text)
    except ValueError as e:
        fail("%s -f json: not one JSON document: %s" % (label, e))
        return
    if doc_validator.is_valid(doc):
        ok()
    else:
        fail("%s -f json: %s" % (label, explain(doc_validator, doc)))


def check_jsonl(label, args, statuses):
    text = run(label, "jsonl", args, statuses)
    if text is None:
        return
    if not text.endswith("\n"):
        fail("%s -f jsonl: output does not end with a newline" % label)
    shown = 0
    types = []
    for n, line in enumerate(text.splitlines(), 1):
        problem = None
        try:
            rec = json.loads(line)
        except ValueError as e:
            problem = "not a JSON value: %s" % e
        else:
            if not isinstance(rec, dict) or not rec:
                problem = "not a non-empty object"
            elif next(iter(rec)) != "type":
                problem = "first key is %r, not \"type\"" % next(iter(rec))
            elif not line_validators["record"].is_valid(rec):
                # Explain against the record type it claims to be, if any.
                t = rec.get("type")
                v = line_validators[t if t in ("header", "flow", "finding", "file", "summary")
                                    else "record"]
                problem = "type %r: %s" % (rec.get("type"), explain(v, rec))
            types.append(rec.get("type") if isinstance(rec, dict) else None)
        if problem is None:
            ok()
        else:
            shown += 1
            fail("%s -f jsonl line %d: %s" % (label, n, problem), shown <= MAX_ERRORS_SHOWN)
    if shown > MAX_ERRORS_SHOWN:
        print("      ... %d more failing lines in %s -f jsonl" % (shown - MAX_ERRORS_SHOWN, label))
    # The stream starts with exactly one header and ends with exactly one
    # summary record.
    if types.count("summary") == 1 and types and types[-1] == "summary" and \
            types.count("header") == 1 and types[0] == "header":
        ok()
    else:
        fail("%s -f jsonl: want one header record, first, and one summary, last; got types %s" %
             (label, sorted(set(map(str, types)))))


def check(label, args, statuses=(0, 3)):
    check_json(label, args, statuses)
    check_jsonl(label, args, statuses)


check("samples/", [os.path.join(srcdir, "samples")], (0,))
check("tests/data/rules/", [os.path.join(srcdir, "tests", "data", "rules")], (0,))
check("tests/data/caveats/", [os.path.join(srcdir, "tests", "data", "caveats")], (0, 1))
# late findings (--hold-closed tombstone): late_findings, late_* records
check("tests/data/late/", [os.path.join(srcdir, "tests", "data", "late")], (0,))
# --merge: frames on findings, merged_from on the one file record
check("--merge of two lab captures", ["--merge", os.path.join(srcdir, "samples", "07-rst-after-fin-wait2-timeout.pcap"),
                                      os.path.join(srcdir, "samples", "10-rst-on-data-after-close.pcap")], (0,))

with tempfile.TemporaryDirectory() as tmp:
    empty = os.path.join(tmp, "empty.pcap")
    open(empty, "w").close()
    check("missing and empty files", [os.path.join(tmp, "missing.pcap"), empty], (3,))
    # --pair (JSON only: JSON Lines refuses it): a pair made from a lab
    # capture with a lost ACK and an appeared RST, a NAT pair, an empty point
    make = [sys.executable, os.path.join(srcdir, "tests", "pair-make.py")]
    c17 = os.path.join(srcdir, "samples", "17-half-open.pcap")
    s17 = os.path.join(tmp, "17.server.pcap")
    subprocess.run(make + [c17, s17, "--drop", "7,9"], check=True)
    check_json("--pair of 17 without frames 7 and 9", ["--pair", c17, s17], (0,))
    nat = os.path.join(tmp, "nat.pcap")
    subprocess.run(make + [c17, nat, "--nat", "192.0.2.1:40000"], check=True)
    check_json("--pair across NAT", ["--pair", c17, nat], (0,))
    check_json("--pair with an empty point", ["--pair", c17, empty], (3,))
    for lab in sorted(os.listdir(os.path.join(srcdir, "samples", "pair"))
                      if os.path.isdir(os.path.join(srcdir, "samples", "pair")) else []):
        if lab.endswith(".client.pcap"):
            base = os.path.join(srcdir, "samples", "pair", lab[:-len(".client.pcap")])
            check_json("--pair " + lab, ["--pair", base + ".client.pcap", base + ".server.pcap"],
                       (0,))

if os.path.isdir(corpus):
    files = []
    for rel in CORPUS_FILES:
        path = os.path.join(corpus, rel)
        if os.path.isfile(path):
            files.append(path)
        else:
            fail("corpus capture %s is missing from %s" % (rel, corpus))
    # All together (one document, many inputs), then each on its own.
    if files:
        check("corpus (%d files)" % len(files), files)
    for path in files:
        check(os.path.relpath(path, corpus), [path])
else:
    print("note: no shared corpus at %s (set FINLINT_CORPUS): only the bundled captures checked"
          % corpus)

print("schema: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
