#!/usr/bin/env python3
"""The two-point lab (samples/pair/): every manifest re-derives exactly from
its two captures (samples/lab/pair-manifest.py --check, no root: the
router's counters come from the manifest), a damaged manifest is caught,
and the facts each scenario is built on hold, read from the packets with a
reader of our own (Ethernet, IPv4, TCP)."""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

srcdir = os.environ.get("srcdir", ".")
python = os.environ.get("PYTHON3") or sys.executable
pair = os.path.join(srcdir, "samples", "pair")
tool = os.path.join(srcdir, "samples", "lab", "pair-manifest.py")
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what)


def frames(path):
    """[(frame number, time, src, sport, dst, dport, flags, seq, ack, len)]"""
    with open(path, "rb") as f:
        data = f.read()
    assert struct.unpack("<I", data[:4])[0] == 0xA1B2C3D4, path
    out, off, n = [], 24, 0
    while off + 16 <= len(data):
        sec, usec, incl, _ = struct.unpack("<IIII", data[off:off + 16])
        fr = data[off + 16:off + 16 + incl]
        off += 16 + incl
        n += 1
        ip = fr[14:]
        hl = (ip[0] & 15) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        t = ip[hl:]
        sport, dport, seq, ack = struct.unpack("!HHII", t[:12])
        doff = (t[12] >> 4) * 4
        src = ".".join(map(str, ip[12:16]))
        dst = ".".join(map(str, ip[16:20]))
        out.append((n, sec + usec / 1e6, src, sport, dst, dport, t[13], seq,
                    ack, total - hl - doff))
    return out


LETTERS = ((1, "F"), (2, "S"), (4, "R"), (8, "P"), (16, "A"))


def letters(flags):
    return "".join(c for b, c in LETTERS if flags & b)


names = sorted(n[:-5] for n in os.listdir(pair) if n.endswith(".json"))
check(names == ["01-clean-close-routed", "02-final-ack-lost-in-router",
                "03-router-reset-injected", "04-conntrack-idle-reset",
                "05-nat-routed", "06-data-lost-in-router"],
      "scenarios: %s" % names)

# 1. Each manifest is what pair-manifest.py derives from its captures.
r = subprocess.run([python, tool, "--check"] +
                   [os.path.join(pair, n + ".json") for n in names],
                   capture_output=True, text=True)
check(r.returncode == 0, "pair-manifest.py --check:\n" + r.stdout + r.stderr)

# 2. ... and a manifest that disagrees with them is not.
with tempfile.TemporaryDirectory() as tmp:
    base = "02-final-ack-lost-in-router"
    for ext in (".client.pcap", ".server.pcap"):
        shutil.copy(os.path.join(pair, base + ext), tmp)
    orig = json.load(open(os.path.join(pair, base + ".json")))

    def rejected(change, what):
        m = json.loads(json.dumps(orig))
        change(m)
        p = os.path.join(tmp, base + ".json")
        with open(p, "w") as f:
            f.write(json.dumps(m, indent=2) + "\n")
        r = subprocess.run([python, tool, "--check", p], capture_output=True,
                           text=True)
        check(r.returncode == 1 and "FAIL" in r.stdout,
              "--check accepted a manifest with %s" % what)

    rejected(lambda m: m["router"]["counters"].update({"final-ack": 0}),
             "the drop counter at 0")
    rejected(lambda m: m["router"]["counters"].update({"forwarded": 12}),
             "one forwarded packet less")
    rejected(lambda m: m["connections"][0]["lost"][0].update({"frame": 13}),
             "the repeated ACK as the lost one")
    rejected(lambda m: m["connections"][0].update({"expect": []}),
             "no expected diagnosis")
    # the unchanged copy passes: the failures above are the changes'
    p = os.path.join(tmp, base + ".json")
    shutil.copy(os.path.join(pair, base + ".json"), p)
    r = subprocess.run([python, tool, "--check", p], capture_output=True)
    check(r.returncode == 0, "--check rejects an unchanged copy")

# 3. The facts, from the packets.
M = {n: json.load(open(os.path.join(pair, n + ".json"))) for n in names}
P = {n: {pt: frames(os.path.join(pair, M[n]["points"][pt]))
         for pt in ("client", "server")} for n in names}
ISN = {}


def rel_of(n, conn, fr, point):
    """A frame in manifest form (seq/ack relative to the connection's ISNs)."""
    _, _, src, sport, _, _, flags, seq, ack, plen = fr
    tup = conn[point + "_tuple"].split(" > ")
    side = "client" if "%s:%d" % (src, sport) == tup[0] else "server"
    other = "server" if side == "client" else "client"
    return {"from": side, "flags": letters(flags),
            "seq": (seq - conn["isn"][side]) & 0xFFFFFFFF,
            "ack": (ack - conn["isn"][other]) & 0xFFFFFFFF if flags & 16
            else 0, "len": plen}


for n in names:
    m = M[n]
    check(m["scenario"] == n and m["points"] == {
        "client": n + ".client.pcap", "server": n + ".server.pcap"},
        "%s: scenario and points" % n)
    crossed = lost = 0
    for c in m["connections"]:
        k = c["packets"]
        check(k["client_point"] + k["server_point"] ==
              2 * k["crossed"] + k["lost"] + k["appeared"],
              "%s: packet counts do not add up: %s" % (n, k))
        check(k["lost"] == len(c["lost"]) and
              k["appeared"] == len(c["appeared"]), "%s: list lengths" % n)
        crossed += k["crossed"]
        lost += k["lost"]
        # every frame named is the packet it says, at that point
        for e in c["lost"] + c["appeared"]:
            fr = P[n][e["point"]][e["frame"] - 1]
            got = rel_of(n, c, fr, e["point"])
            want = {x: e[x] for x in ("from", "flags", "seq", "ack", "len")}
            check(got == want, "%s: frame %d at the %s: %s, manifest %s"
                  % (n, e["frame"], e["point"], got, want))
        # the ISNs are the SYN's and SYN|ACK's at both points
        for pt in ("client", "server"):
            cl = c[pt + "_tuple"].split(" > ")[0]
            syn = [f for f in P[n][pt] if f[6] & 18 == 2
                   and "%s:%d" % (f[2], f[3]) == cl]
            sa = [f for f in P[n][pt] if f[6] & 18 == 18
                  and "%s:%d" % (f[4], f[5]) == cl]
            check(len(syn) == 1 and syn[0][7] == c["isn"]["client"] and
                  len(sa) == 1 and sa[0][7] == c["isn"]["server"],
                  "%s: ISNs at the %s point" % (n, pt))
    check(m["router"]["counters"]["forwarded"] == crossed + lost,
          "%s: forwarded %d != crossed %d + lost %d"
          % (n, m["router"]["counters"]["forwarded"], crossed, lost))
    check(m["router"]["sysctls"]["net.ipv4.ip_forward"] == 1,
          "%s: ip_forward" % n)


def one(n):
    check(len(M[n]["connections"]) == 1, "%s: one connection" % n)
    return M[n]["connections"][0]


def pkts(n, point, src=None, flag=None, plen=None):
    return [f for f in P[n][point] if (src is None or f[2] == src)
            and (flag is None or f[6] & flag) and (plen is None or f[9] == plen)]


# 01: nothing lost, the same 11 packets at both points
c = one("01-clean-close-routed")
check(c["packets"] == {"client_point": 11, "server_point": 11, "crossed": 11,
                       "lost": 0, "appeared": 0}, "01: %s" % c["packets"])
check(c["client_tuple"] == c["server_tuple"] and c["expect"] == [], "01")

# 02: one lost pure ACK from the client, the server's FIN retransmitted
n = "02-final-ack-lost-in-router"
c = one(n)
check(len(c["lost"]) == 1 and not c["appeared"], "02: lost/appeared")
e = c["lost"][0]
check((e["point"], e["from"], e["flags"], e["len"]) ==
      ("client", "client", "A", 0), "02: the lost packet %s" % e)
sfin = pkts(n, "server", "10.0.2.2", 1)
check(len(sfin) == 2 and sfin[0][7] == sfin[1][7],
      "02: the server's FIN and its retransmission (same seq) at the server")
check(e["ack"] == ((sfin[0][7] - c["isn"]["server"]) & 0xFFFFFFFF) + 1,
      "02: the lost ACK acks the server's FIN")
cfin = pkts(n, "client", "10.0.2.2", 1)
check(len(cfin) == 2 and cfin[0][0] < e["frame"] < cfin[1][0],
      "02: the lost ACK answers the first FIN at the client")
acks = [f for f in P[n]["server"] if f[2] == "10.0.1.1" and f[6] == 16
        and f[8] == sfin[0][7] + 1]
check(len(acks) == 1 and acks[0][0] > sfin[1][0],
      "02: the server sees one ACK of its FIN, after the retransmission")
check(M[n]["router"]["counters"]["final-ack"] == 1 and
      c["expect"] == ["final-ack-lost-between"], "02: counter, expect")

# 03, 04: an appeared RST from "server" at the client point, right after the
# client's lost 300-byte request; nothing of it at the server point
for n, rule, exp in (("03-router-reset-injected", "reset-request",
                      ["rst-injected-between"]),
                     ("04-conntrack-idle-reset", "ct-invalid",
                      ["rst-injected-between", "conntrack-idle-reset"])):
    c = one(n)
    check(len(c["lost"]) == 1 and len(c["appeared"]) == 1,
          "%s: lost/appeared" % n)
    lo, ap = c["lost"][0], c["appeared"][0]
    check((lo["point"], lo["from"], lo["flags"], lo["len"]) ==
          ("client", "client", "PA", 300), "%s: lost %s" % (n, lo))
    check((ap["point"], ap["from"], ap["flags"], ap["len"]) ==
          ("client", "server", "R", 0), "%s: appeared %s" % (n, ap))
    check(ap["frame"] == lo["frame"] + 1 and ap["seq"] == lo["ack"],
          "%s: the RST answers the request, seq = its ack" % n)
    check(not pkts(n, "server", flag=4) and not pkts(n, "server", plen=300)
          and not pkts(n, "server", flag=1),
          "%s: the server point has a RST, a FIN or the request" % n)
    check(M[n]["router"]["counters"][rule] == 1 and c["expect"] == exp,
          "%s: counter, expect" % n)
n = "04-conntrack-idle-reset"
s = M[n]["router"]["sysctls"]
check(s["net.netfilter.nf_conntrack_tcp_timeout_established"] == 3 and
      s["net.netfilter.nf_conntrack_tcp_loose"] == 0, "04: sysctls %s" % s)
lo = M[n]["connections"][0]["lost"][0]["frame"]
idle = P[n]["client"][lo - 1][1] - P[n]["client"][lo - 2][1]
check(idle > 4.5, "04: idle %.2f s before the request" % idle)
check(M["03-router-reset-injected"]["router"]["sysctls"][
    "net.netfilter.nf_conntrack_tcp_timeout_established"] == 432000,
    "03: conntrack timeout left at its default")

# 05: the tuples differ (SNAT to 10.0.2.254:40000-40100), nothing lost
n = "05-nat-routed"
check(len(M[n]["connections"]) == 2, "05: two connections")
for c in M[n]["connections"]:
    cl, sv = c["client_tuple"].split(" > "), c["server_tuple"].split(" > ")
    addr, port = sv[0].split(":")
    check(cl[0] != sv[0] and cl[0].startswith("10.0.1.1:") and
          addr == "10.0.2.254" and 40000 <= int(port) <= 40100 and
          cl[1] == sv[1] == "10.0.2.2:8000", "05: tuples %s / %s"
          % (c["client_tuple"], c["server_tuple"]))
    check(not c["lost"] and not c["appeared"] and c["expect"] == [] and
          c["packets"]["crossed"] == 11, "05: %s" % c["packets"])
check(not [f for f in P[n]["server"] if "10.0.1.1" in (f[2], f[4])],
      "05: the client's own address at the server point")
check(M[n]["router"]["counters"]["snat"] == 2, "05: snat counter")

# 06: the server's 300 bytes twice at the server, once at the client
n = "06-data-lost-in-router"
c = one(n)
check(len(c["lost"]) == 1 and not c["appeared"], "06: lost/appeared")
e = c["lost"][0]
check((e["point"], e["from"], e["flags"], e["len"]) ==
      ("server", "server", "PA", 300), "06: lost %s" % e)
s300, c300 = pkts(n, "server", "10.0.2.2", plen=300), \
    pkts(n, "client", "10.0.2.2", plen=300)
check(len(s300) == 2 and s300[0][7] == s300[1][7] and
      s300[0][0] == e["frame"] and len(c300) == 1 and c300[0][7] == s300[0][7],
      "06: the segment and its retransmission")
check(len(pkts(n, "client", flag=1)) == 2 and not pkts(n, "client", flag=4),
      "06: a clean close")
check(c["expect"] == ["packet-lost-between"], "06: expect")

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
