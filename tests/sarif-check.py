#!/usr/bin/env python3
"""finlint's SARIF log against the published SARIF 2.1.0 schema, and
against finlint's own JSON report of the same captures.

For the bundled samples, the rule test captures and, when the shared
corpus is there, a fixed list of corpus captures: -f sarif must validate
against sarif-schema-2.1.0.json (the OASIS schema, draft-04, read from
$FINLINT_SCHEMAS, default $srcdir/../shared/schemas: never copied into
the repository), and say what -f json says: one result per finding, each
with the rule's id and index, the level of its severity, the capture as
its artifact, its first evidence packet as region.startLine, every
evidence packet as a related location the message links to, the
connection as a logical location, and the fingerprint
rule:community-id:first-packet.  Two runs give the same log, and every
rule of --list-rules is in tool.driver.rules.

Needs python3-jsonschema (fails without it, as tests/schema-check.py
does); skips, saying why, without the schemas.
"""
import json
import os
import re
import subprocess
import sys

try:
    import jsonschema
except ImportError:
    print("FAIL: the Python module 'jsonschema' is missing for %s;"
          " install it: apt-get install -y python3-jsonschema" % sys.executable)
    print("sarif: 0 passed, 1 failed")
    sys.exit(1)

srcdir = os.environ.get("srcdir", ".")
finlint = os.environ.get("FINLINT", "./finlint")
corpus = os.environ.get("FINLINT_CORPUS") or os.path.join(srcdir, "..", "shared", "corpus")
schemas = os.environ.get("FINLINT_SCHEMAS") or os.path.join(srcdir, "..", "shared", "schemas")
schema_path = os.path.join(schemas, "sarif-schema-2.1.0.json")
if not os.path.isfile(schema_path):
    print("SKIP: no SARIF schema at %s (set FINLINT_SCHEMAS to the folder holding "
          "sarif-schema-2.1.0.json)" % schema_path)
    sys.exit(77)

# Captures of the corpus with findings of many rules, IPv6, tunnels, a
# file damaged part-way and one of a link type finlint does not read.
CORPUS_FILES = [
    "zeek/traces/ssh/ssh.pcap",
    "zeek/traces/pop3/pop3.pcap",
    "zeek/traces/tcp/retransmit-fast009.pcap",
    "zeek/traces/tunnels/Teredo.pcap",
    "zeek/traces/ftp/ipv6.pcap",
    "tcpdump/tcp_rst_diag_payload.pcap",
    "other/pcapplusplus/many-protocols.pcap",
    "other/retina/tls_ciphers.pcap",
    "other/libpcap-midfile-errors/suricata-verify__http-mime-truncated__input.pcap",
    "tcpdump/unsupported-link-type-160.pcap",
]

LEVEL = {"error": "error", "warning": "warning", "info": "note"}

passed = failed = 0


def ok():
    global passed
    passed += 1


def fail(msg):
    global failed
    failed += 1
    print("FAIL: " + msg)


with open(schema_path) as f:
    validator = jsonschema.Draft4Validator(json.load(f), format_checker=jsonschema.FormatChecker())


def run(fmt, args):
    out = subprocess.run([finlint, "-f", fmt, "--fail-on", "never"] + args,
                         capture_output=True, text=True, timeout=300)
    if out.returncode not in (0, 3):
        return None, "exit status %d: %s" % (out.returncode, out.stderr.strip()[-300:])
    return out.stdout, None


def explain(doc):
    errs = sorted(validator.iter_errors(doc), key=lambda e: -len(e.absolute_path))
    e = errs[0]
    return "at %s: %s" % ("/".join(map(str, e.absolute_path)) or "(root)", e.message[:300])


def uri_of(path):
    """The artifact URI finlint writes for a file name: unreserved bytes and
    '/' as they are, every other byte percent-encoded, absolute names as
    file URIs."""
    enc = "".join(chr(b) if re.match(rb"[A-Za-z0-9._~/-]", bytes([b])) else "%%%02X" % b
                  for b in os.fsencode(path))
    return "file://" + enc if path.startswith("/") else enc


def check(label, args):
    text, err = run("sarif", args)
    if text is None:
        fail("%s -f sarif: %s" % (label, err))
        return
    try:
        log = json.loads(text)
    except ValueError as e:
        fail("%s -f sarif: not JSON: %s" % (label, e))
        return
    if validator.is_valid(log):
        ok()
    else:
        fail("%s -f sarif: not valid SARIF 2.1.0: %s" % (label, explain(log)))
        return
    again, _ = run("sarif", args)
    if again == text:
        ok()
    else:
        fail("%s -f sarif: two runs wrote different logs" % label)

    report, err = run("json", ["--flows", "all"] + args)
    if report is None:
        fail("%s -f json: %s" % (label, err))
        return
    report = json.loads(report)
    run0 = log["runs"][0]
    rules = run0["tool"]["driver"]["rules"]
    want = []
    for fl in report["flows"]:
        for x in fl["findings"]:
            first = x["packets"][0] if x["packets"] else fl["last_packet"]
            want.append((fl, x, first))
    results = run0.get("results", [])
    if len(results) != len(want):
        fail("%s: %d SARIF results for %d findings" % (label, len(results), len(want)))
        return
    artifacts = [a["location"]["uri"] for a in run0.get("artifacts", [])]
    wanted_uris = [uri_of(i["file"]) for i in report["inputs"]]
    if artifacts == wanted_uris:
        ok()
    else:
        fail("%s: artifacts %s, want the inputs %s" % (label, artifacts[:3], wanted_uris[:3]))
    bad = []
    for res, (fl, x, first) in zip(results, want):
        loc = res["locations"][0]
        phys = loc["physicalLocation"]
        fp = "%s:%s:%d" % (x["rule"], fl["community_id"], first)
        related = res.get("relatedLocations", [])
        msg = res["message"]["text"]
        problems = []
        if res["ruleId"] != x["rule"] or rules[res["ruleIndex"]]["id"] != x["rule"]:
            problems.append("ruleId/ruleIndex %s/%s" % (res["ruleId"], res["ruleIndex"]))
        if res["level"] != LEVEL[x["severity"]]:
            problems.append("level %s for %s" % (res["level"], x["severity"]))
        if phys["artifactLocation"]["uri"] != uri_of(fl["file"]) or \
                artifacts[phys["artifactLocation"]["index"]] != uri_of(fl["file"]):
            problems.append("artifact %s" % phys["artifactLocation"])
        if phys["region"]["startLine"] != first:
            problems.append("startLine %s, first evidence %s" % (phys["region"]["startLine"], first))
        if [r["physicalLocation"]["region"]["startLine"] for r in related] != x["packets"]:
            problems.append("related locations %s" % related)
        for i, r in enumerate(related):
            if "[%d](%d)" % (x["packets"][i], r["id"]) not in msg:
                problems.append("no link to related location %d in %r" % (r["id"], msg))
        if res["partialFingerprints"].get("finlint/v1") != fp:
            problems.append("fingerprint %s, want %s" % (res["partialFingerprints"], fp))
        if not re.fullmatch(r"[0-9a-f]{16}:1", res["partialFingerprints"].get(
                "primaryLocationLineHash", "")):
            problems.append("primaryLocationLineHash %s" % res["partialFingerprints"])
        logical = loc.get("logicalLocations", [{}])[0]
        if logical.get("fullyQualifiedName") != fl["community_id"] or \
                not logical.get("name", "").startswith("connection %d " % fl["id"]):
            problems.append("logical location %s" % logical)
        if re.search(r"(?<!\{)\{(?!\{)|(?<!\})\}(?!\})", msg.replace("{{", "").replace("}}", "")):
            problems.append("an undoubled brace in %r" % msg)
        if "baselineState" in res:
            problems.append("baselineState without --baseline")
        if problems:
            bad.append("%s flow %d: %s" % (x["rule"], fl["id"], "; ".join(problems)))
    if bad:
        fail("%s: %d results disagree with -f json, first: %s" % (label, len(bad), bad[0]))
    else:
        ok()
    # exit status and failed inputs
    inv = run0["invocations"][0]
    if inv["exitCode"] == report["summary"]["exit_status"] and \
            inv["executionSuccessful"] == (report["summary"]["exit_status"] != 3):
        ok()
    else:
        fail("%s: invocation %s, want exit status %d" % (label, inv,
                                                         report["summary"]["exit_status"]))
    notes = [n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
             for n in inv.get("toolExecutionNotifications", [])]
    failed_inputs = [uri_of(i["file"]) for i in report["inputs"] if i["error"] is not None]
    if notes == failed_inputs:
        ok()
    else:
        fail("%s: notifications for %s, want %s" % (label, notes, failed_inputs))


# every rule, as --list-rules lists them, in the log of any run
listed = [line.split()[0] for line in
          subprocess.run([finlint, "--list-rules"], capture_output=True, text=True).stdout.splitlines()]
text, err = run("sarif", [os.path.join(srcdir, "samples", "05-simultaneous-close.pcap")])
if text is not None and [r["id"] for r in json.loads(text)["runs"][0]["tool"]["driver"]["rules"]] == listed:
    ok()
else:
    fail("tool.driver.rules is not the --list-rules list (%s)" % err)

check("samples/", [os.path.join(srcdir, "samples")])
check("tests/data/rules/", [os.path.join(srcdir, "tests", "data", "rules")])
check("tests/data/caveats/", [os.path.join(srcdir, "tests", "data", "caveats")])
if os.path.isdir(corpus):
    files = [os.path.join(corpus, rel) for rel in CORPUS_FILES]
    missing = [f for f in files if not os.path.isfile(f)]
    for m in missing:
        fail("corpus capture %s is missing" % m)
    files = [f for f in files if os.path.isfile(f)]
    if files:
        check("corpus (%d files)" % len(files), files)
else:
    print("note: no shared corpus at %s (set FINLINT_CORPUS): only the bundled captures checked"
          % corpus)

print("sarif: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
