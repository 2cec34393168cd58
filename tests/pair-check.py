#!/usr/bin/env python3
"""--pair: two capture points of the same connections.

1. Pairs made here from lab captures (tests/pair-make.py): the other
   point is the same capture with frames left out, a retransmission
   added, its clock moved, or the client's address and port rewritten by
   a NAT.  The verdicts, counts, frames and findings are asserted exactly.
2. The router lab's pairs, samples/pair/NN-name.{client,server}.pcap:
   the report must reproduce each manifest (tuples, ISNs, counts, every
   lost and appeared packet) and hold its expected findings; a scenario
   that expects none gets none.
3. Goldens: the text and JSON reports of a made pair and of the lab's
   04-conntrack-idle-reset (tests/golden/pair-*).
4. Hostile and wrong use: an empty, a truncated and a non-pcap file as
   one point; formats that cannot show the section; one file; --merge.

  pair-check.py            the make check test
  pair-check.py --update   rewrite the goldens
"""
import glob
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

srcdir = os.path.abspath(os.environ.get("srcdir", "."))
finlint = os.path.abspath(os.environ.get("FINLINT", "./finlint"))
update = sys.argv[1:] == ["--update"]
make = [sys.executable, os.path.join(srcdir, "tests", "pair-make.py")]
failed = passed = 0


def check(cond, what):
    global failed, passed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL", what)


def run(args, cwd=None):
    return subprocess.run([finlint] + args, capture_output=True, text=True, cwd=cwd)


def pair_json(a, b, cwd=None):
    p = run(["--pair", a, b, "-f", "json", "--flows", "none"], cwd=cwd)
    return p.returncode, json.loads(p.stdout)["pair"] if p.stdout else None


def sample(name):
    return os.path.join(srcdir, "samples", name + ".pcap")


def rules_of(conn):
    return [f["rule"] for f in conn["findings"]]


def pkt(d):
    return (d["point"], d["frame"], d["from"], d["flags"], d["seq"], d["ack"], d["len"])


tmp = tempfile.mkdtemp(prefix="finlint-pair.")
try:
    def mk(src, out, *opts):
        path = os.path.join(tmp, out)
        subprocess.run(make + [src, path] + list(opts), check=True)
        return path

    # -- 1. pairs made from lab captures ---------------------------------
    # The final ACK dropped between the points: 12's capture at the client,
    # and the server's view without the ACK (frame 11).
    c12 = sample("12-lost-final-ack-client-side")
    s12 = mk(c12, "12.server.pcap", "--drop", "11")
    rc, p = pair_json(c12, s12)
    m = p["connections"][0]
    check(rc == 1, "12: exit status %d, want 1 (a warning)" % rc)
    check(m["packets"] == {"client_point": 13, "server_point": 12, "crossed": 12, "lost": 1,
                           "appeared": 0, "outside": 0, "resegmented": 0},
          "12: counts %s" % m["packets"])
    check([pkt(x) for x in m["lost"]] == [("client", 11, "client", "A", 102, 202, 0)],
          "12: lost %s" % m["lost"])
    check(rules_of(m) == ["final-ack-lost-between"], "12: findings %s" % rules_of(m))
    check(m["findings"][0]["evidence"] == {"client": [10, 11, 12], "server": [10, 11]},
          "12: evidence %s" % m["findings"][0]["evidence"])
    check(p["clock"] == {"handshakes": 1, "offset_ns": 0, "delay_ns": 0}, "12: clock %s" % p["clock"])

    # A data segment lost between: 20's capture at the server holds the
    # 552-byte segment (frame 7) and its retransmission (11); the client
    # side never saw the first.
    s20 = sample("20-data-before-fin-lost-server-side")
    c20 = mk(s20, "20.client.pcap", "--drop", "7")
    rc, p = pair_json(c20, s20)
    m = p["connections"][0]
    check(m["packets"]["crossed"] == 13 and m["packets"]["lost"] == 1, "20: counts %s" % m["packets"])
    check([pkt(x) for x in m["lost"]] == [("server", 7, "server", "PA", 1449, 101, 552)],
          "20: lost %s" % m["lost"])
    check(rules_of(m) == ["packet-lost-between"], "20: findings %s" % rules_of(m))
    check(m["findings"][0]["side"] == "server" and
          m["findings"][0]["evidence"] == {"client": [10], "server": [7, 11]},
          "20: finding %s" % m["findings"][0])

    # A RST the server never sent: 17's server RST (frame 9) is not in
    # the server side's capture.
    c17 = sample("17-half-open")
    s17 = mk(c17, "17.server.pcap", "--drop", "9")
    rc, p = pair_json(c17, s17)
    m = p["connections"][0]
    check([pkt(x) for x in m["appeared"]] == [("client", 9, "server", "R", 201, 0, 0)],
          "17: appeared %s" % m["appeared"])
    check(m["lost"] == [] and m["packets"]["crossed"] == 8, "17: counts %s" % m["packets"])
    check(rules_of(m) == ["rst-injected-between"], "17: findings %s" % rules_of(m))
    check(m["findings"][0]["evidence"] == {"client": [9], "server": [6]},
          "17: evidence %s" % m["findings"][0]["evidence"])

    # The same after 3 s of silence, the client's data never reaching the
    # server: a firewall that forgot the connection.
    idle = mk(c17, "17idle.client.pcap", "--retime", "8:3")
    idle_s = mk(idle, "17idle.server.pcap", "--drop", "8,9")
    rc, p = pair_json(idle, idle_s)
    m = p["connections"][0]
    check(rules_of(m) == ["rst-injected-between", "conntrack-idle-reset", "packet-lost-between"],
          "17idle: findings %s" % rules_of(m))
    check([pkt(x) for x in m["lost"]] == [("client", 8, "client", "PA", 101, 201, 100)],
          "17idle: lost %s" % m["lost"])
    # the rule options apply to the two-point rules as to the others
    p = run(["--pair", idle, idle_s, "-f", "json", "--flows", "none", "--ignore",
             "packet-lost-between", "--severity", "rst-injected-between=error"])
    d = json.loads(p.stdout)
    got = [(f["rule"], f["severity"]) for f in d["pair"]["connections"][0]["findings"]]
    check(got == [("rst-injected-between", "error"), ("conntrack-idle-reset", "warning")] and
          d["summary"]["rules"] == {"half-open": 1, "rst-injected-between": 1,
                                    "conntrack-idle-reset": 1} and
          d["summary"]["findings"] == {"info": 0, "warning": 1, "error": 2},
          "17idle --ignore/--severity: %s" % got)
    p = run(["--pair", c20, s20, "--fail-on", "info", "-q"])
    check(p.returncode == 1, "20 --fail-on info: exit %d (packet-lost-between is info)"
          % p.returncode)
    ct = m["findings"][1]
    check(ct["confidence"] == "medium" and ct["evidence"] == {"client": [7, 8, 9], "server": []},
          "17idle: conntrack finding %s" % ct)

    # NAT between the points, the server side's clock 5 s ahead and 10 us
    # of one-way delay: every packet crosses, nothing is found.
    c01 = sample("01-clean-close-client-first")
    s01 = mk(c01, "01nat.server.pcap", "--nat", "192.0.2.7:61000", "--offset", "5",
             "--delay", "0.00001")
    rc, p = pair_json(c01, s01)
    m = p["connections"][0]
    check(rc == 0, "01nat: exit status %d" % rc)
    check(m["translated"] and m["server_tuple"] == "192.0.2.7:61000 > 10.0.1.2:8000" and
          m["client_tuple"] == "10.0.1.1:38166 > 10.0.1.2:8000", "01nat: tuples %s" % m)
    check(m["packets"]["crossed"] == 11 and m["lost"] == [] and m["appeared"] == [] and
          m["findings"] == [], "01nat: %s" % m["packets"])
    check(p["clock"] == {"handshakes": 1, "offset_ns": 5000000000, "delay_ns": 10000},
          "01nat: clock %s" % p["clock"])

    # TSO: the client side (on the client host) saw the 100-byte request
    # as one segment, the server side as two of 50; and GRO the other way.
    tso = mk(c01, "01tso.server.pcap", "--split", "4:2")
    for a_, b_, what in ((c01, tso, "tso"), (tso, c01, "gro")):
        rc, p = pair_json(a_, b_)
        m = p["connections"][0]
        check(rc == 0 and m["packets"]["resegmented"] == 3 and m["packets"]["crossed"] == 10 and
              m["lost"] == [] and m["appeared"] == [] and m["findings"] == [],
              "01%s: %s" % (what, m["packets"]))

    # The server side started late: what came before it is "outside".
    late = mk(c01, "01late.server.pcap", "--drop", "1,2,3")
    rc, p = pair_json(c01, late)
    m = p["connections"][0] if p["connections"] else None
    check(m is not None and m["packets"]["outside"] == 3 and m["lost"] == [],
          "01late: %s" % (m and m["packets"]))

    # Two different captures: no connection matches.
    rc, p = pair_json(c01, c12)
    check(p["connections"] == [] and len(p["one_point_only"]) == 2,
          "unrelated: %s" % p["one_point_only"])

    # The HTML page's section: self-contained, the findings in it.
    page = os.path.join(tmp, "idle.html")
    p = run(["--pair", idle, idle_s, "-f", "html", "-o", page])
    html = open(page, encoding="utf-8").read()
    sec = html[html.find('<section class="pair" id="pair">'):]
    check(p.returncode == 1 and sec.count('<article class="pair-conn sev-warning" id="pair-1">') == 1
          and all(r in sec for r in ("rst-injected-between", "conntrack-idle-reset",
                                     "packet-lost-between", "client side #7, #8, #9")),
          "html: exit %d, section %r" % (p.returncode, sec[:300]))
    st = subprocess.run([sys.executable, os.path.join(srcdir, "tests", "html-check.py"), "static",
                         page], capture_output=True, text=True)
    check(st.returncode == 0, "html: html-check static: %s" % st.stdout + st.stderr)

    # -- 2. the router lab's pairs ---------------------------------------
    # FINLINT_PAIR_LAB: another directory of lab pairs (the lab's own tree)
    lab = os.environ.get("FINLINT_PAIR_LAB", os.path.join(srcdir, "samples", "pair"))
    manifests = sorted(glob.glob(os.path.join(lab, "*.json")))
    for mf in manifests:
        man = json.load(open(mf))
        name = man["scenario"]
        d = os.path.dirname(mf)
        rc, p = pair_json(os.path.join(d, man["points"]["client"]),
                          os.path.join(d, man["points"]["server"]))
        got = {c["client_tuple"]: c for c in p["connections"]}
        check(len(p["connections"]) == len(man["connections"]) and p["one_point_only"] == [],
              "%s: %d connections matched, manifest %d" % (name, len(p["connections"]),
                                                           len(man["connections"])))
        for want in man["connections"]:
            c = got.get(want["client_tuple"])
            if c is None:
                check(False, "%s: %s not matched" % (name, want["client_tuple"]))
                continue
            label = name + " " + want["client_tuple"]
            check(c["server_tuple"] == want["server_tuple"], "%s: server tuple %s, manifest %s"
                  % (label, c["server_tuple"], want["server_tuple"]))
            check(c["isn"] == want["isn"], "%s: ISNs %s, manifest %s" % (label, c["isn"], want["isn"]))
            counts = {k: c["packets"][k] for k in want["packets"]}
            check(counts == want["packets"], "%s: counts %s, manifest %s"
                  % (label, counts, want["packets"]))
            for v in ("lost", "appeared"):
                check(sorted(map(pkt, c[v])) == sorted(map(pkt, want[v])),
                      "%s: %s %s, manifest %s" % (label, v, c[v], want[v]))
            found = set(rules_of(c))
            check(set(want["expect"]) <= found, "%s: findings %s, manifest expects %s"
                  % (label, sorted(found), want["expect"]))
            if not want["expect"]:
                check(not found, "%s: findings %s, manifest expects none" % (label, sorted(found)))
    print("pair-check: %d lab pairs" % len(manifests))

    # -- 3. goldens --------------------------------------------------------
    # the made 12 pair, and the router lab's conntrack pair (two RSTs'
    # findings, a loss): relative names, so that the path does not show
    shutil.copy(c12, os.path.join(tmp, "12.client.pcap"))
    goldens = [("pair-12-final-ack", "12.client.pcap", "12.server.pcap")]
    lab04 = os.path.join(srcdir, "samples", "pair", "04-conntrack-idle-reset")
    if os.path.exists(lab04 + ".client.pcap"):
        for pt in ("client", "server"):
            shutil.copy("%s.%s.pcap" % (lab04, pt), os.path.join(tmp, "04.%s.pcap" % pt))
        goldens.append(("pair-04-conntrack-idle-reset", "04.client.pcap", "04.server.pcap"))
    for name, a_, b_ in goldens:
        for ext, opts in (("txt", []), ("json", ["-f", "json"])):
            out = run(["--pair", a_, b_] + opts, cwd=tmp).stdout
            gold = os.path.join(srcdir, "tests", "golden", name + "." + ext)
            if update:
                open(gold, "w").write(out)
            else:
                check(out == open(gold).read(), "golden %s differs (pair-check.py --update)"
                      % gold)

    # -- 4. hostile input and wrong use ----------------------------------
    empty = os.path.join(tmp, "empty.pcap")
    open(empty, "wb").close()
    cut = os.path.join(tmp, "cut.pcap")
    raw = open(c12, "rb").read()
    open(cut, "wb").write(raw[:len(raw) // 2 + 7])
    text = os.path.join(tmp, "text.pcap")
    open(text, "w").write("not a capture\n" * 20)
    for bad, why in ((empty, "empty"), (cut, "truncated"), (text, "not a pcap")):
        for order in ((c12, bad), (bad, c12)):
            p = run(["--pair", order[0], order[1], "-f", "json"])
            check(p.returncode == 3, "%s: exit status %d, want 3" % (why, p.returncode))
            check("finlint: " in p.stderr and "Sanitizer" not in p.stderr,
                  "%s: stderr %r" % (why, p.stderr))
            doc = json.loads(p.stdout)
            which = "server" if order[1] == bad else "client"
            check(doc["pair"]["points"][which]["read_error"], "%s: read_error not set" % why)
    # Damaged points (seeded: the same bytes every run): never a crash,
    # always a report.
    rnd = random.Random(18)
    for i in range(40):
        src = rnd.choice([c12, c17, idle, sample("19-busy")])
        d = bytearray(open(src, "rb").read())
        for _ in range(rnd.randint(1, 30)):
            d[rnd.randrange(24, len(d))] = rnd.randrange(256)
        if rnd.random() < 0.3:
            d = d[:rnd.randrange(24, len(d))]
        bad = os.path.join(tmp, "mutated.pcap")
        open(bad, "wb").write(d)
        for order in ((src, bad), (bad, src)):
            p = run(["--pair", order[0], order[1], "-f", "json"])
            check(p.returncode in (0, 1, 3) and "pair" in json.loads(p.stdout or "{}"),
                  "mutated %d of %s: exit %d, %r" % (i, src, p.returncode, p.stderr[-300:]))
    p = run(["--pair", cut, s12])  # the truncated half still pairs
    check(p.returncode == 3 and "connection 10.0.1.1:46320 > 10.0.1.2:8000" in p.stdout,
          "truncated: %r" % p.stdout[-400:])
    for fmt in ("csv", "jsonl", "sarif", "junit", "github", "markdown"):
        p = run(["--pair", c12, s12, "-f", fmt])
        check(p.returncode == 2 and p.stdout == "" and
              p.stderr.startswith("finlint: -f %s cannot show --pair" % fmt),
              "-f %s: exit %d, %r" % (fmt, p.returncode, p.stderr))
    for args, what in ((["--pair", c12], "one file"), (["--pair", c12, s12, c01], "three files"),
                       (["--pair", "--merge", c12, s12], "--merge"),
                       (["--pair", "--decode", c12, s12], "--decode")):
        p = run(args)
        check(p.returncode == 2 and p.stderr.startswith("finlint: --pair"),
              "%s: exit %d, %r" % (what, p.returncode, p.stderr))
finally:
    shutil.rmtree(tmp)

print("pair-check: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
