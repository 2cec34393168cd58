#!/usr/bin/env python3
"""finlint's JUnit XML against junit-10.xsd (the schema Jenkins' xUnit
plugin reads JUnit reports with) using xmllint, and against finlint's own
JSON report of the same captures.

For the bundled samples, the rule test captures and, when the shared
corpus is there, a fixed list of corpus captures, at two --fail-on
levels: the document must validate, hold one testsuite per input (named
for the file), one testcase per connection, one failure per finding that
fails the run (at or above --fail-on, confidence at or above
--min-confidence), an error per input that could not be read whole, and
totals that add up.  The schema is read from $FINLINT_SCHEMAS (default
$srcdir/../shared/schemas), never copied into the repository.

Skips, saying why, without xmllint (Debian: libxml2-utils) or the schema.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

srcdir = os.environ.get("srcdir", ".")
finlint = os.environ.get("FINLINT", "./finlint")
corpus = os.environ.get("FINLINT_CORPUS") or os.path.join(srcdir, "..", "shared", "corpus")
schemas = os.environ.get("FINLINT_SCHEMAS") or os.path.join(srcdir, "..", "shared", "schemas")
xsd = os.path.join(schemas, "junit-10.xsd")
xmllint = shutil.which("xmllint")
if xmllint is None:
    print("SKIP: xmllint is not installed (Debian: apt-get install -y libxml2-utils)")
    sys.exit(77)
if not os.path.isfile(xsd):
    print("SKIP: no JUnit schema at %s (set FINLINT_SCHEMAS to the folder holding junit-10.xsd)"
          % xsd)
    sys.exit(77)

CORPUS_FILES = [
    "zeek/traces/ssh/ssh.pcap",
    "zeek/traces/pop3/pop3.pcap",
    "zeek/traces/tcp/retransmit-fast009.pcap",
    "zeek/traces/ftp/ipv6.pcap",
    "tcpdump/tcp_rst_diag_payload.pcap",
    "other/pcapplusplus/many-protocols.pcap",
    "other/libpcap-midfile-errors/suricata-verify__http-mime-truncated__input.pcap",
    "tcpdump/unsupported-link-type-160.pcap",
    "other/libpcap-bad/pcap-invalid-version-1.pcap",
]

SEV = {"info": 0, "warning": 1, "error": 2, "never": 3}
CONF = {"high": 0, "medium": 1, "low": 2}

passed = failed = 0
tmp = tempfile.mkdtemp()


def ok():
    global passed
    passed += 1


def fail(msg):
    global failed
    failed += 1
    print("FAIL: " + msg)


def shown(name):
    """A file name as escape_text shows it (what the XML holds): control
    characters and the non-characters XML forbids as escapes."""
    out = []
    for ch in name:
        if ch in "\n\t\r":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7f or 0x80 <= ord(ch) < 0xa0 or ch in "\ufffe\uffff":
            out.append("".join("\\x%02x" % b for b in ch.encode("utf-8")))
        else:
            out.append(ch)
    return "".join(out)


def run(args):
    out = subprocess.run([finlint] + args, capture_output=True, timeout=300)
    if out.returncode not in (0, 1, 3):
        return None, out.returncode, "exit status %d: %s" % (out.returncode,
                                                             out.stderr.decode()[-300:])
    return out.stdout, out.returncode, None


def check(label, args, fail_on):
    xml, status, err = run(["-f", "junit", "--fail-on", fail_on] + args)
    if xml is None:
        fail("%s -f junit: %s" % (label, err))
        return
    path = os.path.join(tmp, "report.xml")
    with open(path, "wb") as f:
        f.write(xml)
    lint = subprocess.run([xmllint, "--noout", "--schema", xsd, path], capture_output=True,
                          text=True)
    if lint.returncode == 0:
        ok()
    else:
        fail("%s --fail-on %s -f junit: not valid against junit-10.xsd: %s" %
             (label, fail_on, lint.stderr.strip()[:400]))
        return
    text, jstatus, err = run(["-f", "json", "--flows", "all", "--fail-on", fail_on] + args)
    if text is None:
        fail("%s -f json: %s" % (label, err))
        return
    report = json.loads(text)
    if status != jstatus:
        fail("%s: exit status %d with -f junit, %d with -f json" % (label, status, jstatus))
    root = ET.fromstring(xml)
    suites = root.findall("testsuite")
    if [s.get("name") for s in suites] == [shown(i["file"]) for i in report["inputs"]]:
        ok()
    else:
        fail("%s: testsuites %s, want the inputs" % (label, [s.get("name") for s in suites][:3]))
        return
    bad = []
    total = {"tests": 0, "failures": 0, "errors": 0}
    for suite, inp in zip(suites, report["inputs"]):
        flows = [fl for fl in report["flows"] if fl["file"] == inp["file"]]
        cases = suite.findall("testcase")
        conns = [c for c in cases if c.get("name").startswith("connection ")]
        errors = [c for c in cases if c.find("error") is not None]
        want_fail = [[x for x in fl["findings"] if SEV[x["severity"]] >= SEV[fail_on] and
                      CONF[x["confidence"]] <= CONF[report["summary"]["min_confidence"]]]
                     for fl in flows]
        got_fail = [[f.get("type") for f in c.findall("failure")] for c in conns]
        if [c.get("name").split()[1] for c in conns] != [str(fl["id"]) for fl in flows]:
            bad.append("%s: testcases %s for connections %s" %
                       (inp["file"], [c.get("name") for c in conns][:3],
                        [fl["id"] for fl in flows][:3]))
        elif got_fail != [[x["rule"] for x in w] for w in want_fail]:
            bad.append("%s: failures %s, want %s" % (inp["file"], got_fail, want_fail))
        if len(errors) != (1 if inp["error"] is not None else 0):
            bad.append("%s: %d error testcases, error %r" % (inp["file"], len(errors), inp["error"]))
        counts = {"tests": len(cases), "failures": sum(map(len, got_fail)), "errors": len(errors)}
        for k, v in counts.items():
            total[k] += v
            if suite.get(k) != str(v):
                bad.append("%s: %s=%s, counted %d" % (inp["file"], k, suite.get(k), v))
    for k, v in total.items():
        if root.get(k) != str(v):
            bad.append("testsuites %s=%s, counted %d" % (k, root.get(k), v))
    if bad:
        fail("%s --fail-on %s: %d problems, first: %s" % (label, fail_on, len(bad), bad[0]))
    else:
        ok()


try:
    for fail_on in ("warning", "info"):
        check("samples/", [os.path.join(srcdir, "samples")], fail_on)
        check("tests/data/rules/", [os.path.join(srcdir, "tests", "data", "rules")], fail_on)
    check("tests/data/caveats/", [os.path.join(srcdir, "tests", "data", "caveats")], "warning")
    # a file name with every XML special and U+FFFE, which XML allows in no form
    odd = os.path.join(tmp, "odd <&\"'> \xef\xbf\xbe\n.pcap".encode("latin-1").decode("utf-8"))
    shutil.copy(os.path.join(srcdir, "samples", "10-rst-on-data-after-close.pcap"), odd)
    check("a file name with XML specials", [odd], "warning")
    if os.path.isdir(corpus):
        files = [os.path.join(corpus, rel) for rel in CORPUS_FILES]
        for m in [f for f in files if not os.path.isfile(f)]:
            fail("corpus capture %s is missing" % m)
        files = [f for f in files if os.path.isfile(f)]
        if files:
            check("corpus (%d files)" % len(files), files, "warning")
    else:
        print("note: no shared corpus at %s (set FINLINT_CORPUS): only the bundled captures"
              " checked" % corpus)
finally:
    shutil.rmtree(tmp)

print("junit: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
