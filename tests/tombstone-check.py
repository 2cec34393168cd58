#!/usr/bin/env python3
"""--hold-closed tombstone against --hold-closed full, and late findings.

1. The two modes agree (tests/tombstone-compare.py) on every lab capture
   (samples/), every rule capture (tests/data/rules/), the late captures
   (tests/data/late/) and some corpus files, with every member of every
   record equal where no packet came after the linger.
2. With --linger 100ms, the lab's late packets become late findings, and
   the modes still agree once those are put back into their records.
3. Each kind on real packets, exact values: the captures in
   tests/data/late/ are lab captures whose last packets were moved 15 to
   20 s later (editcap -t), past the default linger of 10 s and inside
   TIME_WAIT: a FIN repeated after a lost final ACK, a RST into
   TIME_WAIT, a SYN reusing the 4-tuple.
4. How each format shows a late finding, and the exit status.
5. Closed flows packed for their linger give the same reports as whole."""
import glob
import json
import os
import subprocess
import sys

srcdir = os.environ.get("srcdir", ".")
finlint = os.environ.get("FINLINT", "./finlint")
corpus = os.environ.get("FINLINT_CORPUS", os.path.join(srcdir, "..", "shared", "corpus"))
passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what)


def run(*args):
    p = subprocess.run([finlint] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, check=False)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def jsonl(*args):
    rc, out, _ = run("-f", "jsonl", *args)
    return rc, [json.loads(l) for l in out.splitlines()]


def compare(args, paths, expect_late):
    cmd = [sys.executable, os.path.join(srcdir, "tests", "tombstone-compare.py")] + args + \
          ["--expect-late", str(expect_late), finlint] + paths
    p = subprocess.run(cmd, stdout=subprocess.PIPE, check=False)
    out = p.stdout.decode()
    check(p.returncode == 0, "tombstone-compare %s: %s" % (" ".join(args), out[-2000:]))


def data(*parts):
    return os.path.join(srcdir, "tests", "data", *parts)


samples = sorted(glob.glob(os.path.join(srcdir, "samples", "*.pcap")))
rules = sorted(glob.glob(data("rules", "*.pcap")))
late_dir = sorted(glob.glob(data("late", "*.pcap")))
real = []
for name in ("zeek/traces/tunnels/Teredo.pcap",
             "zeek/traces/modbus/modbus-and-non-modbus-p502.pcap",
             "other/ndpi/synscan.pcap", "other/pcapplusplus/tls2.pcap",
             "other/pcapplusplus/many-protocols.pcap", "other/retina/tls_ciphers.pcap",
             "zeek/traces/ssh/ssh.pcap", "other/chrissanders-packets/http_espn_fail.pcapng"):
    p = os.path.join(corpus, name)
    if os.path.exists(p):
        real.append(p)

# 1: with the default linger no lab packet is late; the late captures
# hold 2 late findings (the reuse is none: it is the new record's)
compare(["--strict"], samples + rules, 0)
compare(["--strict"], late_dir, 2)
if real:
    # the Teredo capture's late RSTs find nothing: records compared loosely
    compare(["--strict"], real, 0)
    compare(["--linger", "1s"], real, 0)
# 2: a short linger makes three of the lab's packets late
compare(["--linger", "100ms"], samples + rules, 3)

# 3a: the final ACK lost, its FIN repeated 20 s later
cap = data("late", "lost-final-ack-late.pcap")
rc, recs = jsonl(cap)
flows = [o for o in recs if o["type"] == "flow"]
late = [o for o in recs if o["type"] == "late_finding"]
check(rc == 1, "lost-final-ack-late: exit 1 from its late finding alone (got %d)" % rc)
check(len(flows) == 1 and flows[0]["close"] == "clean-close" and flows[0]["last_packet"] == 11
      and flows[0]["client_side"]["state"] == "TIME_WAIT"
      and flows[0]["server_side"]["state"] == "CLOSED" and not flows[0]["findings"],
      "lost-final-ack-late: the record ends at packet 11, clean, no finding")
check(len(late) == 1 and late[0]["rule"] == "final-ack-lost" and late[0]["flow"] == 1
      and late[0]["endpoint"] == "server" and late[0]["packets"] == [12, 13]
      and late[0]["severity"] == "warning"
      and "retransmitted that FIN from LAST_ACK (packet 12), 20.208 s after" in late[0]["message"]
      and "acknowledged it again (packet 13)" in late[0]["message"]
      and late[0]["client"] == {"addr": "10.0.1.1", "port": 46320},
      "lost-final-ack-late: one late final-ack-lost, packets 12 and 13: %s" % late)
check(recs.index(late[0]) > recs.index(flows[0]) if late and flows else False,
      "lost-final-ack-late: the late finding comes after the record")
rc, recs = jsonl("--hold-closed", "full", cap)
full = [o for o in recs if o["type"] == "flow"]
check(len(full) == 1 and full[0]["last_packet"] == 13
      and [f["rule"] for f in full[0]["findings"]] == ["final-ack-lost"]
      and full[0]["findings"][0]["packets"] == [11, 12]
      and not [o for o in recs if o["type"].startswith("late")],
      "lost-final-ack-late --hold-closed full: the record holds final-ack-lost (11, 12)")

# 3b: a RST into TIME_WAIT 21 s after the close
cap = data("late", "time-wait-assassination-late.pcap")
rc, recs = jsonl(cap)
flows = [o for o in recs if o["type"] == "flow"]
late = [o for o in recs if o["type"] == "late_finding"]
check(len(flows) == 1 and flows[0]["close"] == "clean-close" and flows[0]["last_packet"] == 9,
      "assassination-late: the record closes clean at packet 9")
check(len(late) == 1 and late[0]["rule"] == "time-wait-assassination" and late[0]["flow"] == 1
      and late[0]["endpoint"] == "client" and late[0]["packets"] == [10]
      and "21.000 s after" in late[0]["message"]
      and "reset-after-close" in late[0]["message"],
      "assassination-late: one late time-wait-assassination, packet 10: %s" % late)
rc, recs = jsonl("--hold-closed", "full", cap)
full = [o for o in recs if o["type"] == "flow"]
check(len(full) == 1 and full[0]["close"] == "reset-after-close"
      and [(f["rule"], f["packets"]) for f in full[0]["findings"]]
      == [("time-wait-assassination", [10])],
      "assassination-late --hold-closed full: reset-after-close with the finding")

# 3c: a SYN on the 4-tuple 16 s after TIME_WAIT began: the new record
# links the old one exactly as with the whole flow held
cap = data("late", "time-wait-reuse-late.pcap")
_, tomb = jsonl(cap)
_, full = jsonl("--hold-closed", "full", cap)
t2 = [o for o in tomb if o["type"] == "flow" and o["id"] == 2]
f2 = [o for o in full if o["type"] == "flow" and o["id"] == 2]
check(len(t2) == 1 and t2 == f2, "reuse-late: connection 2's record is the same in both modes")
check(t2 and t2[0]["reuses"] == {"id": 1, "client_state": "CLOSED", "server_state": "TIME_WAIT"}
      and [(f["rule"], f["packets"]) for f in t2[0]["findings"]]
      == [("time-wait-reuse", [9, 10])]
      and "reuses the 4-tuple of connection 1 16.000 s after" in t2[0]["findings"][0]["message"],
      "reuse-late: time-wait-reuse links connection 1: %s" % t2)
check(not [o for o in tomb if o["type"].startswith("late")], "reuse-late: no late finding")

# 3d: late packets that find nothing are shown too: the corpus's Teredo
# capture has RSTs 16 to 18 s after three closes
teredo = os.path.join(corpus, "zeek/traces/tunnels/Teredo.pcap")
if os.path.exists(teredo):
    _, recs = jsonl(teredo)
    lp = sorted((o["flow"], o["first_packet"]) for o in recs if o["type"] == "late_packets")
    check(lp == [(1, 51), (2, 50), (3, 78)], "Teredo: late packets of flows 1-3: %s" % lp)
    two = [o for o in recs if o["type"] == "late_packets" and o["flow"] == 2]
    check(two and "left both sides CLOSED" in two[0]["message"],
          "Teredo: flow 2's late RST says the full record would end in it")

# 4: the other formats
cap = data("late", "lost-final-ack-late.pcap")
rc, out, _ = run(cap)
check(rc == 1 and "late findings (--hold-closed tombstone)" in out
      and "late packets from packet 12" in out
      and "connection 1 10.0.1.1:46320 -> 10.0.1.2:8000, after its record:" in out
      and "final-ack-lost (FL008), packets 12, 13" in out
      and "0 errors, 1 warning, 0 infos, 1 of them late" in out
      and "2 packets came for closed connections after their records" in out,
      "text: the late section and the totals:\n" + out)
rc, out, _ = run("-f", "json", cap)
doc = json.loads(out)
lf = doc["late_findings"]
check(rc == 1 and [e["kind"] for e in lf] == ["late_finding", "late_packets"]
      and lf[0]["flow"] == 1 and lf[0]["rule"] == "final-ack-lost"
      and lf[1]["flow"] == 1 and lf[1]["first_packet"] == 12
      and lf[1]["message"].startswith("2 packets came after the connection's record")
      and "they made the late findings listed with it" in lf[1]["message"]
      and [(z["first_packet"], z["zeek_orig"]) for z in lf[1]["zeek_split"]] == [(12, "client")]
      and doc["summary"]["rules"] == {"final-ack-lost": 1},
      "json: late_findings holds it and what came, the summary counts it: %s" % lf)
rc, out, _ = run("-f", "json", os.path.join(srcdir, "samples", "01-clean-close-client-first.pcap"))
check("late_findings" not in json.loads(out), "json: no late_findings member without any")
rc, out, _ = run("-f", "csv", cap)
rows = out.splitlines()
check(len(rows) == 2 and ',"late","final-ack-lost","FL008","warning"' in rows[1],
      "csv: a findings row, close \"late\": %s" % rows)
rc, out, _ = run("-f", "github", cap)
check(out.startswith("::warning ") and "line=12,title=final-ack-lost (FL008)::connection 1 "
      "10.0.1.1:46320 -> 10.0.1.2:8000, after its record: " in out, "github: an annotation")
rc, out, _ = run("-f", "sarif", cap)
res = json.loads(out)["runs"][0]["results"]
check(len(res) == 1 and res[0]["ruleId"] == "final-ack-lost"
      and res[0]["properties"]["close"] == "late", "sarif: one result, close late")
rc, out, _ = run("-f", "junit", cap)
check(out.count("<failure") == 1 and ", after its record\"" in out, "junit: a failing case")
rc, out, _ = run("-f", "markdown", cap)
check("| 1 (late) | `FL008` final-ack-lost |" in out and "| late findings | 1 " in out,
      "markdown: a findings row and the count")
rc, out, _ = run("-f", "html", cap)
check(rc == 1 and "1 of them late" in out, "html: the count in the summary")
rc, out, _ = run("--ignore", "final-ack-lost", cap)
check(rc == 0, "--ignore leaves the late finding out")
rc, out, _ = run("--severity", "final-ack-lost=error", "-f", "jsonl", cap)
check('"late_finding","rule":"final-ack-lost","code":"FL008","severity":"error"' in out,
      "--severity applies to a late finding")
# --from-jsonl replays late findings
rc, out, _ = run("-f", "jsonl", cap)
saved = os.path.join(os.environ.get("TMPDIR", "/tmp"), "finlint-tombstone-%d.jsonl" % os.getpid())
with open(saved, "w") as f:
    f.write(out)
rc2, again, _ = run("--from-jsonl", "-f", "jsonl", saved)
os.unlink(saved)
check(rc2 == rc and again == out, "--from-jsonl writes the same report, late finding and all")
rc, _, err = run("--hold-closed", "maybe", cap)
check(rc == 2 and "--hold-closed takes tombstone or full" in err, "--hold-closed maybe: usage")

# 5: closed flows stay whole for their linger while whole flows take
# little (flow.c whole_budget: an eighth of --max-memory); packed, they
# must give the same records.  64K leaves 8 KB whole, 4 flows: the
# busy lab capture, the rule captures close-wait-end and middlebox-reset
# and the larger corpus captures here pack (those that reach the cap
# itself are left out).
packed_some = 0
for path in samples + rules + real:
    rc0, out0, _ = run("-f", "jsonl", path)
    rc1, out1, err1 = run("-f", "jsonl", "--max-memory", "64K", path)
    if "finished early" in err1:
        continue
    packed_some += 1
    check(rc0 == rc1 and out0 == out1, "%s: the same report with closed flows packed" % path)
check(packed_some > len(samples), "most captures compared packed (%d)" % packed_some)

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
