#!/usr/bin/env python3
"""pair-manifest.py: the manifest of a two-point lab capture (samples/pair/).

    pair-manifest.py NAME CLIENT.pcap SERVER.pcap RULESET.txt RULESET.json SYSCTLS.json OUT.json
    pair-manifest.py --check MANIFEST.json...

The first form is what samples/lab/pair-run calls after a scenario: the two
captures, the router's `nft list ruleset` text and `nft -j list ruleset`
(for the counters) and its sysctls.  --check needs neither root nor a
router: it re-derives each manifest from the captures next to it, with the
router's ruleset, counters and sysctls taken from the manifest itself, and
fails unless the result is the committed manifest byte for byte.

Ground truth is computed from the packets and the router's counters, not by
finlint.  Connections are paired between the points by their ISNs (the
router never rewrites sequence numbers, even under NAT), and packets within
a connection by (sender, seq, ack, flags, payload length, IP ID, TCP
options): the router only forwards, rewrites addresses and ports, or drops,
none of which changes the IP ID or the TCP options.  Each retransmission
gets a new IP ID, except the ACKs Linux sends from TIME_WAIT, which all
have IP ID 0: there the timestamp option (a new TSval each time) tells two
transmissions apart.  A packet seen at its sender's point and not at the other is
lost; a packet seen at one point that its claimed sender's point never saw
appeared (the router made it).  The totals must agree with the router:
"forwarded" (every TCP packet in the forward chain) = crossed + lost, the
drop and reject rules' counters add up to the lost packets, the reject
rules' to the appeared resets.  Then the scenario's own check below asserts
what it is built to show; on any disagreement no manifest is written.

The pcap reader is samples/lab/manifest.py's.
"""
import importlib.util
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "lab_manifest", os.path.join(HERE, "manifest.py"))
lab = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lab)

F_FIN, F_SYN, F_RST, F_PSH, F_ACK = (lab.F_FIN, lab.F_SYN, lab.F_RST,
                                     lab.F_PSH, lab.F_ACK)
POINTS = ("client", "server")
M32 = 0xFFFFFFFF


class Mismatch(Exception):
    pass


def expect(cond, msg):
    if not cond:
        raise Mismatch(msg)


def flagstr(p):
    """Flag letters, tcpdump's order, A for ACK: "SA", "FA", "PA", "R"."""
    return "".join(c for f, c in ((F_FIN, "F"), (F_SYN, "S"), (F_RST, "R"),
                                  (F_PSH, "P"), (F_ACK, "A"), (lab.F_URG, "U"),
                                  (lab.F_ECE, "E"), (lab.F_CWR, "W"))
                   if p.flags & f)


def tuple_text(c):
    return "%s:%d > %s:%d" % (c.client + c.server)


# ------------------------------------------------------------------ router

def rule_kinds(ruleset):
    """comment -> "drop", "reject" or "other", from the ruleset text."""
    kinds = {}
    for line in ruleset.splitlines():
        m = re.search(r'comment "([^"]+)"', line)
        if not m:
            continue
        if re.search(r"\breject\b", line):
            kinds[m.group(1)] = "reject"
        elif re.search(r"\bdrop\b", line):
            kinds[m.group(1)] = "drop"
        else:
            kinds[m.group(1)] = "other"
    return kinds


def text_counters(ruleset):
    """comment -> packets, as the ruleset text prints them."""
    out = {}
    for line in ruleset.splitlines():
        m = re.search(r'counter packets (\d+) bytes \d+.*comment "([^"]+)"',
                      line)
        if m:
            out[m.group(2)] = int(m.group(1))
    return out


def json_counters(doc):
    """comment -> packets, from nft -j list ruleset; every counted rule
    must have a comment (that is its name in the manifest)."""
    out = {}
    for item in doc["nftables"]:
        rule = item.get("rule")
        if not rule:
            continue
        counters = [e["counter"] for e in rule["expr"] if "counter" in e]
        if not counters:
            continue
        expect("comment" in rule, "a counted rule without a comment: %r"
               % rule["expr"])
        expect(rule["comment"] not in out, "two rules named %s"
               % rule["comment"])
        out[rule["comment"]] = counters[0]["packets"]
    return out


# ------------------------------------------------------------------ pairing

def read_point(path):
    _n, pkts = lab.read_pcap(path)
    return lab.connections(pkts)


def isns(c):
    """(client ISN, server ISN) from the SYN and the SYN|ACK."""
    syn = [p for p in c.pkts if p.flags & (F_SYN | F_ACK) == F_SYN]
    synack = [p for p in c.pkts if p.flags & (F_SYN | F_ACK) == F_SYN | F_ACK]
    expect(syn and synack, "connection %s: no SYN or no SYN|ACK"
           % tuple_text(c))
    expect(syn[0].side == "client" and synack[0].side == "server",
           "connection %s: SYN from the %s" % (tuple_text(c), syn[0].side))
    return syn[0].seq, synack[0].seq


def tcp_options(p):
    """The TCP options as sent (with the timestamp option, they differ
    between two transmissions of the same segment)."""
    ip = p.ip
    hl = (ip[0] & 0x0F) * 4 if ip[0] >> 4 == 4 else 40
    return bytes(ip[hl + 20:hl + (ip[hl + 12] >> 4) * 4])


def key(p):
    return (p.side, p.seq, p.ack, p.flags, p.plen, p.ipid, tcp_options(p))


def rel(p, isn):
    """A packet in manifest form, seq/ack relative to the ISNs."""
    own, other = (isn["client"], isn["server"]) if p.side == "client" \
        else (isn["server"], isn["client"])
    return {"seq": (p.seq - own) & M32,
            "ack": (p.ack - other) & M32 if p.ack is not None else 0}


def entry(point, p, isn, cause):
    r = rel(p, isn)
    return {"point": point, "frame": p.n, "from": p.side,
            "flags": flagstr(p), "seq": r["seq"], "ack": r["ack"],
            "len": p.plen, "cause": cause}


def pair_connection(cc, sc):
    """Match the packets of one connection seen at both points."""
    cisn, sisn = isns(cc)
    isn = {"client": cisn, "server": sisn}
    at = {"client": cc, "server": sc}
    queues = {}
    for point in POINTS:
        for p in at[point].pkts:
            queues.setdefault(key(p), {"client": [], "server": []})[point] \
                .append(p)
    crossed, lost, appeared = [], [], []
    for k, q in queues.items():
        n = min(len(q["client"]), len(q["server"]))
        crossed += list(zip(q["client"][:n], q["server"][:n]))
        for point in POINTS:
            for p in q[point][n:]:
                # seen at the sender's own point: it left and never arrived
                (lost if p.side == point else appeared).append((point, p))
    lost.sort(key=lambda e: (e[0], e[1].n))
    appeared.sort(key=lambda e: (e[0], e[1].n))
    return isn, crossed, lost, appeared


def derive(name, cpcap, spcap, router):
    cconns, sconns = read_point(cpcap), read_point(spcap)
    by_isn = {}
    for c in sconns:
        expect(isns(c) not in by_isn, "two connections with ISNs %s at the "
               "server" % (isns(c),))
        by_isn[isns(c)] = c
    kinds = rule_kinds(router["nft"])
    counters = router["counters"]
    expect("forwarded" in counters, "the router has no forwarded counter")
    for rule in counters:
        expect(rule in kinds, "counter %s is not in the ruleset" % rule)
    losing = sorted(r for r in counters
                    if kinds[r] in ("drop", "reject") and counters[r])
    rejecting = [r for r in losing if kinds[r] == "reject"]
    expect(len(losing) <= 1, "more than one rule dropped packets (%s): "
           "the manifest cannot tell which packet each took"
           % ", ".join(losing))
    cause_lost = cause_rst = None
    if losing:
        r = losing[0]
        if kinds[r] == "reject":
            cause_lost = "rejected by the router (rule %s: reject with tcp " \
                "reset)" % r
        else:
            cause_lost = "dropped by the router (rule %s)" % r
    if rejecting:
        cause_rst = "reset sent by the router (rule %s: reject with tcp " \
            "reset)" % rejecting[0]

    out, totals = [], {"crossed": 0, "lost": 0, "appeared": 0}
    expect(len(cconns) == len(sconns), "%d connections at the client, %d at "
           "the server" % (len(cconns), len(sconns)))
    for cc in cconns:
        sc = by_isn.get(isns(cc))
        expect(sc is not None, "connection %s (ISNs %s) is not at the server"
               % (tuple_text(cc), isns(cc)))
        isn, crossed, lost, appeared = pair_connection(cc, sc)
        for point, p in lost:
            expect(cause_lost is not None, "packet %d at the %s point was "
                   "lost, but no router rule dropped anything"
                   % (p.n, point))
        for point, p in appeared:
            expect(cause_rst is not None and p.flags & F_RST,
                   "packet %d at the %s point (%s) appeared, but the router "
                   "rejected nothing" % (p.n, point, flagstr(p)))
        totals["crossed"] += len(crossed)
        totals["lost"] += len(lost)
        totals["appeared"] += len(appeared)
        out.append({
            "client_tuple": tuple_text(cc),
            "server_tuple": tuple_text(sc),
            "isn": isn,
            "packets": {"client_point": len(cc.pkts),
                        "server_point": len(sc.pkts),
                        "crossed": len(crossed), "lost": len(lost),
                        "appeared": len(appeared)},
            "lost": [entry(pt, p, isn, cause_lost) for pt, p in lost],
            "appeared": [entry(pt, p, isn, cause_rst) for pt, p in appeared],
            "expect": list(SCENARIOS[name][1]),
            # for the scenario checks only
            "_pkts": {"client": cc.pkts, "server": sc.pkts},
            "_lost": lost, "_appeared": appeared,
        })
    # The router's own account.
    expect(counters["forwarded"] == totals["crossed"] + totals["lost"],
           "the router forwarded or dropped %d TCP packets; the captures show "
           "%d crossing and %d lost" % (counters["forwarded"],
                                        totals["crossed"], totals["lost"]))
    dropped = sum(counters[r] for r in counters
                  if kinds[r] in ("drop", "reject"))
    expect(dropped == totals["lost"], "the router's drop/reject rules took "
           "%d packets; the captures show %d lost" % (dropped, totals["lost"]))
    rejected = sum(counters[r] for r in counters if kinds[r] == "reject")
    expect(rejected == totals["appeared"], "the router's reject rules "
           "answered %d packets; the captures show %d appeared"
           % (rejected, totals["appeared"]))

    SCENARIOS[name][2](out, router)
    for c in out:
        for k in [k for k in c if k.startswith("_")]:
            del c[k]
    return {"scenario": name,
            "description": SCENARIOS[name][0],
            "points": {"client": name + ".client.pcap",
                       "server": name + ".server.pcap"},
            "router": router,
            "connections": out}


# ------------------------------------------------------------------ scenarios
# Each check asserts what its scenario is built to show, on the derived
# connections (with their packets under "_pkts").

def only(conns, n=1):
    expect(len(conns) == n, "expected %d connection(s), found %d"
           % (n, len(conns)))
    return conns[0]


def of(c, point, side, flag=None, plen=None):
    return [p for p in c["_pkts"][point] if p.side == side
            and (flag is None or p.flags & flag)
            and (plen is None or p.plen == plen)]


def clean(c):
    """Both FINs crossed the router and were ACKed, nothing lost, no RST."""
    expect(not c["lost"] and not c["appeared"], "%s: packets lost or "
           "appeared" % c["client_tuple"])
    for point in POINTS:
        for side in POINTS:
            expect(of(c, point, side, F_FIN), "%s: no FIN from the %s at the "
                   "%s point" % (c["client_tuple"], side, point))
            expect(not of(c, point, side, F_RST), "%s: a RST from the %s"
                   % (c["client_tuple"], side))
    expect(c["packets"]["client_point"] == c["packets"]["server_point"] ==
           c["packets"]["crossed"], "%s: not every packet crossed"
           % c["client_tuple"])


def check_clean_close_routed(conns, router):
    c = only(conns)
    clean(c)
    expect(c["client_tuple"] == c["server_tuple"], "tuples differ")


def check_final_ack_lost(conns, router):
    c = only(conns)
    expect(len(c["lost"]) == 1 and not c["appeared"],
           "expected one lost packet, nothing appeared")
    lost = c["lost"][0]
    point, p = c["_lost"][0]
    expect(point == "client" and p.side == "client" and lost["flags"] == "A"
           and p.plen == 0, "the lost packet is not a pure ACK from the "
           "client: %s" % lost)
    sfin = of(c, "server", "server", F_FIN)
    expect(len(sfin) == 2 and sfin[0].seq == sfin[1].seq,
           "expected the server's FIN and one retransmission at the server, "
           "found %d" % len(sfin))
    expect(p.ack == sfin[0].end, "the lost ACK does not ack the server's FIN")
    cfin = of(c, "client", "server", F_FIN)
    expect(len(cfin) == 2, "the client did not receive the FIN twice")
    expect(cfin[0].n < p.n < cfin[1].n, "the lost ACK is not the client's "
           "answer to the first FIN")
    acks = [q for q in of(c, "client", "client") if q.flags == F_ACK
            and q.ack == sfin[0].end]
    expect(len(acks) == 2, "expected two ACKs of the server's FIN at the "
           "client, found %d" % len(acks))
    at_server = [q for q in of(c, "server", "client") if q.flags == F_ACK
                 and q.ack == sfin[0].end]
    expect(len(at_server) == 1 and at_server[0].n > sfin[1].n,
           "the server should see exactly one ACK of its FIN, after the "
           "retransmission")
    expect(router["counters"].get("final-ack") == 1, "rule final-ack "
           "dropped %s packets" % router["counters"].get("final-ack"))


def injected_reset(c):
    """The client's 300-byte request rejected, a RST in the server's name
    at the client point, right after it; the server saw neither."""
    expect(len(c["lost"]) == 1 and len(c["appeared"]) == 1,
           "expected one lost and one appeared packet")
    (lp, lost), (ap, rst) = c["_lost"][0], c["_appeared"][0]
    expect(lp == "client" and lost.side == "client" and lost.plen == 300,
           "the lost packet is not the client's 300-byte request")
    expect(ap == "client" and rst.side == "server" and rst.flags == F_RST,
           "the appeared packet is not a bare RST from the server's address "
           "at the client point")
    # nf_reject: an ACKing segment is answered with RST, seq = its ack
    expect(rst.seq == lost.ack, "the RST's seq is not the request's ack")
    expect(rst.n == lost.n + 1, "the RST does not follow the request")
    expect(not of(c, "server", "server", F_RST) and
           not of(c, "server", "client", F_RST) and
           not of(c, "server", "client", plen=300),
           "the server point shows the request or a RST")
    expect(not of(c, "client", "client", F_FIN) and
           not of(c, "server", "server", F_FIN), "a FIN was sent")
    return lost, rst


def check_router_reset(conns, router):
    c = only(conns)
    injected_reset(c)
    expect(router["counters"].get("reset-request") == 1,
           "rule reset-request counted %s"
           % router["counters"].get("reset-request"))


def check_conntrack_idle(conns, router):
    c = only(conns)
    lost, rst = injected_reset(c)
    timeout = router["sysctls"][
        "net.netfilter.nf_conntrack_tcp_timeout_established"]
    expect(router["sysctls"]["net.netfilter.nf_conntrack_tcp_loose"] == 0,
           "nf_conntrack_tcp_loose is not 0")
    before = [p for p in c["_pkts"]["client"] if p.n < lost.n]
    idle = lost.ts - before[-1].ts
    expect(idle > timeout + 1, "the connection idled %.1f s only, conntrack "
           "forgets it after %d s" % (idle, timeout))
    expect(router["counters"].get("ct-invalid") == 1,
           "rule ct-invalid counted %s" % router["counters"].get("ct-invalid"))


def check_nat(conns, router):
    only(conns, 2)
    for c in conns:
        clean(c)
        cl, sv = c["client_tuple"].split(" > "), c["server_tuple"].split(" > ")
        expect(cl[1] == sv[1] == "10.0.2.2:8000", "server address changed")
        expect(cl[0].startswith("10.0.1.1:"), "client tuple %s" % cl[0])
        addr, port = sv[0].split(":")
        expect(addr == "10.0.2.254" and 40000 <= int(port) <= 40100,
               "the server saw %s, not 10.0.2.254:40000-40100" % sv[0])
        expect(cl[0] != sv[0], "NAT did not change the tuple")
    expect(router["counters"].get("snat") == 2, "rule snat counted %s"
           % router["counters"].get("snat"))


def check_data_lost(conns, router):
    c = only(conns)
    expect(len(c["lost"]) == 1 and not c["appeared"],
           "expected one lost packet, nothing appeared")
    point, p = c["_lost"][0]
    expect(point == "server" and p.side == "server" and p.plen == 300,
           "the lost packet is not the server's 300-byte segment")
    again = [q for q in of(c, "server", "server", plen=300)
             if q.seq == p.seq and q.n > p.n]
    expect(len(again) == 1, "expected one retransmission, found %d"
           % len(again))
    expect(len(of(c, "client", "server", plen=300)) == 1,
           "the client should receive the 300 bytes once")
    for point in POINTS:
        for side in POINTS:
            expect(of(c, point, side, F_FIN), "no FIN from the %s at the %s "
                   "point" % (side, point))
            expect(not of(c, point, side, F_RST), "a RST")
    expect(router["counters"].get("lost-data") == 1,
           "rule lost-data counted %s" % router["counters"].get("lost-data"))


# name -> (description, expected two-point diagnoses, check)
SCENARIOS = {
    "01-clean-close-routed": (
        "The router forwards everything: request, response and a four-way "
        "close (client first) cross it, and both points see the same "
        "packets.", [], check_clean_close_routed),
    "02-final-ack-lost-in-router": (
        "The router drops the client's ACK of the server's FIN: the client "
        "sent it and went to TIME_WAIT, the server never got it, "
        "retransmitted its FIN from LAST_ACK, and the client's second ACK "
        "got through.", ["final-ack-lost-between"], check_final_ack_lost),
    "03-router-reset-injected": (
        "The router answers the client's second request with a reset in the "
        "server's name (reject with tcp reset): the client sees the server "
        "reset the connection, the server never sees the request nor a "
        "reset and still holds the connection open.",
        ["rst-injected-between"], check_router_reset),
    "04-conntrack-idle-reset": (
        "The router's conntrack forgets the connection after 3 s idle "
        "(nf_conntrack_tcp_timeout_established=3, nf_conntrack_tcp_loose=0); "
        "the client's request after 5 s idle is invalid to it and answered "
        "with a reset in the server's name, which the server never sees.",
        ["rst-injected-between", "conntrack-idle-reset"],
        check_conntrack_idle),
    "05-nat-routed": (
        "Two clean connections through a router that rewrites the client's "
        "address and port (snat to 10.0.2.254:40000-40100): the server sees "
        "other tuples, the same packets.", [], check_nat),
    "06-data-lost-in-router": (
        "The router drops the server's second response segment (300 bytes) "
        "once: the server retransmits it, the client receives it once, and "
        "the connection closes cleanly.", ["packet-lost-between"],
        check_data_lost),
}


def dump(m):
    return json.dumps(m, indent=2) + "\n"


def check(path):
    with open(path) as f:
        text = f.read()
    m = json.loads(text)
    d = os.path.dirname(path)
    router = {"nft": m["router"]["nft"], "counters": m["router"]["counters"],
              "sysctls": m["router"]["sysctls"]}
    got = derive(m["scenario"], os.path.join(d, m["points"]["client"]),
                 os.path.join(d, m["points"]["server"]), router)
    if dump(got) != text:
        import difflib
        sys.stdout.writelines(difflib.unified_diff(
            text.splitlines(True), dump(got).splitlines(True),
            path, "re-derived"))
        return False
    return True


def main(argv):
    if len(argv) > 1 and argv[1] == "--check":
        bad = 0
        for path in argv[2:]:
            try:
                ok = check(path)
            except (Mismatch, lab.Mismatch, KeyError, OSError, ValueError) as e:
                print("%s: %s" % (path, e))
                ok = False
            print("%s %s" % ("ok  " if ok else "FAIL", path))
            bad += not ok
        return 1 if bad or len(argv) < 3 else 0
    if len(argv) != 8:
        sys.stderr.write(__doc__)
        return 2
    name, cpcap, spcap, nft_text, nft_json, sysctls, out = argv[1:]
    with open(nft_text) as f:
        text = f.read()
    with open(nft_json) as f:
        counters = json_counters(json.load(f))
    with open(sysctls) as f:
        sysctls = json.load(f)
    try:
        expect(name in SCENARIOS, "unknown scenario %s" % name)
        expect(text_counters(text) == counters, "the ruleset text and its "
               "JSON disagree on the counters: %s, %s"
               % (text_counters(text), counters))
        m = derive(name, cpcap, spcap, {"nft": text, "counters": counters,
                                        "sysctls": sysctls})
    except (Mismatch, lab.Mismatch) as e:
        sys.stderr.write("pair-manifest.py: %s: %s\n" % (name, e))
        return 1
    with open(out, "w") as f:
        f.write(dump(m))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
