#!/usr/bin/env python3
"""manifest.py: write a lab capture's manifest from what the capture shows.

    manifest.py NAME PCAP SIDE SYSCTLS.json OUT.json
    manifest.py --crossing PCAP      exit 0 if the capture's FINs crossed

The run script knows what it meant to do; this file only believes the
packets.  For each scenario a function below finds the packets the scenario
is about (the FINs, their ACKs, the RSTs, the retransmissions), checks that
they are there and look the way the scenario claims, and returns the
connection records.  If the capture does not show the expected behaviour the
function raises Mismatch and no manifest is written: the run fails loudly
instead of labelling a capture with what was intended.

Standard library only, like tests/lab/check_manifest.py, but deliberately not
sharing its pcap reader: the checker is meant to be an independent reading.
"""
import ipaddress
import json
import os
import platform
import struct
import sys

SERVER_PORTS = range(8000, 8100)
F_FIN, F_SYN, F_RST, F_PSH, F_ACK, F_URG, F_ECE, F_CWR = (
    0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80)


class Mismatch(Exception):
    pass


def expect(cond, msg):
    if not cond:
        raise Mismatch(msg)


def seq_diff(a, b):
    """a - b as a signed 32-bit number (RFC 9293 sequence arithmetic)."""
    d = (a - b) & 0xFFFFFFFF
    return d - (1 << 32) if d & 0x80000000 else d


class Packet:
    def __init__(self, n, ts, src, sport, dst, dport, flags, seq, ack, plen):
        self.n, self.ts = n, ts
        self.src, self.sport, self.dst, self.dport = src, sport, dst, dport
        self.flags, self.seq, self.plen = flags, seq, plen
        self.ack = ack if flags & F_ACK else None
        self.side = None            # "client"/"server", set by Conn
        self.ip = b""               # the IP packet, for telling copies apart
        self.ipid = None            # IPv4 identification
        self.ifindex = None         # Linux cooked v2: the interface
        self.payload = b""
        self.sack = []              # SACK blocks (left, right)

    def has(self, f):
        return bool(self.flags & f)

    @property
    def end(self):
        """Sequence number after this segment (SYN and FIN count one)."""
        return (self.seq + self.plen + self.has(F_SYN) + self.has(F_FIN)) \
            & 0xFFFFFFFF

    @property
    def flagstr(self):
        # tcpdump's order: F S R P . U E W
        s = "".join(c for f, c in ((F_FIN, "F"), (F_SYN, "S"), (F_RST, "R"),
                                   (F_PSH, "P"), (F_ACK, "."), (F_URG, "U"),
                                   (F_ECE, "E"), (F_CWR, "W"))
                    if self.flags & f)
        return s or "none"

    def evidence(self):
        return {"packet": self.n, "from": self.side, "flags": self.flagstr,
                "seq": self.seq, "ack": self.ack, "len": self.plen}


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        e = "<"
    else:
        e = ">"
    nsec = struct.unpack(e + "I", data[:4])[0] == 0xA1B23C4D
    linktype = struct.unpack(e + "I", data[20:24])[0]
    if linktype not in LINKTYPES:
        raise Mismatch("link type %d, expected one of %s" % (linktype,
                       ", ".join(LINKTYPES.values())))
    read_pcap.linktype = LINKTYPES[linktype]
    off, n, pkts = 24, 0, []
    while off + 16 <= len(data):
        sec, frac, incl, _orig = struct.unpack(e + "IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        n += 1
        ts = sec + frac / (1e9 if nsec else 1e6)
        p = decode(n, ts, frame, linktype)
        if p:
            pkts.append(p)
    return n, pkts


# Ethernet (one veth), and the Linux cooked captures of tcpdump -i any
LINKTYPES = {1: "EN10MB", 113: "LINUX_SLL", 276: "LINUX_SLL2"}


def decode(n, ts, frame, linktype=1):
    ifindex = None
    if linktype == 113:         # 16 bytes, protocol last
        etype, ip = struct.unpack("!H", frame[14:16])[0], frame[16:]
    elif linktype == 276:       # 20 bytes, protocol first, then ifindex
        etype = struct.unpack("!H", frame[0:2])[0]
        ifindex = struct.unpack("!I", frame[4:8])[0]
        ip = frame[20:]
    else:
        etype = struct.unpack("!H", frame[12:14])[0]
        ip = frame[14:]
    p = decode_ip(n, ts, etype, ip)
    if p:
        p.ifindex = ifindex
    return p


def decode_ip(n, ts, etype, ip):
    ipid = None
    if etype == 0x0800:
        ihl = (ip[0] & 0x0F) * 4
        if ip[9] != 6:
            return None
        total = struct.unpack("!H", ip[2:4])[0]
        ipid = struct.unpack("!H", ip[4:6])[0]
        src, dst = ipaddress.ip_address(ip[12:16]), ipaddress.ip_address(ip[16:20])
        tcp, tcplen = ip[ihl:], total - ihl
        ip = ip[:total]
    elif etype == 0x86DD:
        if ip[6] != 6:
            return None
        tcplen = struct.unpack("!H", ip[4:6])[0]
        src, dst = ipaddress.ip_address(ip[8:24]), ipaddress.ip_address(ip[24:40])
        tcp = ip[40:]
        ip = ip[:40 + tcplen]
    else:
        return None
    sport, dport, seq, ack, offflags = struct.unpack("!HHIIH", tcp[:14])
    doff = (offflags >> 12) * 4
    p = Packet(n, ts, str(src), sport, str(dst), dport, offflags & 0xFF,
               seq, ack, tcplen - doff)
    p.ip, p.ipid, p.payload = ip, ipid, tcp[doff:tcplen]
    p.sack = sack_blocks(tcp[20:doff])
    return p


def sack_blocks(opts):
    i, blocks = 0, []
    while i < len(opts):
        kind = opts[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        if i + 1 >= len(opts) or opts[i + 1] < 2:
            break
        size = opts[i + 1]
        if kind == 5:
            body = opts[i + 2:i + size]
            blocks += [struct.unpack("!II", body[j:j + 8])
                       for j in range(0, len(body) - 7, 8)]
        i += size
    return blocks


class Conn:
    def __init__(self, first):
        if first.has(F_SYN) and not first.has(F_ACK):
            cl = (first.src, first.sport)
            sv = (first.dst, first.dport)
        elif first.sport in SERVER_PORTS:
            cl, sv = (first.dst, first.dport), (first.src, first.sport)
        else:
            cl, sv = (first.src, first.sport), (first.dst, first.dport)
        self.client, self.server = cl, sv
        self.pkts = []
        self.syn = first if first.has(F_SYN) and not first.has(F_ACK) else None

    def add(self, p):
        p.side = "client" if (p.src, p.sport) == self.client else "server"
        self.pkts.append(p)

    def of(self, side, flag=None, after=None):
        return [p for p in self.pkts if p.side == side
                and (flag is None or p.has(flag))
                and (after is None or p.n > after.n)]

    def acking(self, target, after=None):
        """First packet from the other side whose ACK covers target."""
        other = "server" if target.side == "client" else "client"
        for p in self.of(other, after=after or target):
            if p.ack is not None and seq_diff(p.ack, target.end) >= 0:
                return p
        return None

    def retransmissions(self, p):
        return [q for q in self.of(p.side, after=p)
                if q.seq == p.seq and q.plen == p.plen
                and q.flags & ~F_PSH == p.flags & ~F_PSH]

    def record(self, **kw):
        r = {"client": {"addr": self.client[0], "port": self.client[1]},
             "server": {"addr": self.server[0], "port": self.server[1]},
             "active_closer": None, "close": None, "three_way": False,
             "mid_stream": self.syn is None,
             "final_states": {"client": None, "server": None},
             "anomalies": [], "evidence": []}
        ev = kw.pop("evidence", [])
        r.update(kw)
        seen = {}
        for p in ev:
            if p is not None:
                seen[p.n] = p
        for a in r["anomalies"]:
            for n in a["packets"]:
                expect(n in seen, "anomaly %s packet %d has no evidence"
                       % (a["rule"], n))
        r["evidence"] = [seen[n].evidence() for n in sorted(seen)]
        return r


def anomaly(rule, pkts, why):
    return {"rule": rule, "packets": sorted({p.n for p in pkts}), "why": why}


def connections(pkts):
    conns, live = [], {}
    for p in pkts:
        key = frozenset([(p.src, p.sport), (p.dst, p.dport)])
        c = live.get(key)
        new_syn = p.has(F_SYN) and not p.has(F_ACK)
        if c is None or (new_syn and c.syn is not None and c.syn.seq != p.seq):
            c = Conn(p)
            live[key] = c
            conns.append(c)
        c.add(p)
    return conns


# ------------------------------------------------------------------ closes

def fin_exchange(c):
    """The two FINs, who sent first, whether they crossed, their ACKs."""
    fc, fs = c.of("client", F_FIN), c.of("server", F_FIN)
    expect(fc and fs, "expected a FIN from each side (client %d, server %d)"
           % (len(fc), len(fs)))
    fc, fs = fc[0], fs[0]
    # Crossed: each FIN left before its sender had the other's FIN.
    crossed = (fc.ack is not None and seq_diff(fc.ack, fs.end) < 0 and
               fs.ack is not None and seq_diff(fs.ack, fc.end) < 0)
    first, second = (fc, fs) if fc.n < fs.n else (fs, fc)
    return {"first": first, "second": second, "crossed": crossed,
            "ack_first": c.acking(first), "ack_second": c.acking(second),
            "client_fin": fc, "server_fin": fs}


def clean_close(c, closer, three_way=None):
    """A complete FIN/ACK exchange, active closer as given."""
    x = fin_exchange(c)
    expect(not x["crossed"], "the FINs crossed")
    expect(x["first"].side == closer, "the first FIN came from the %s"
           % x["first"].side)
    expect(not c.of("client", F_RST) and not c.of("server", F_RST),
           "unexpected RST")
    a1, a2 = x["ack_first"], x["ack_second"]
    expect(a1 is not None, "the first FIN is never acknowledged")
    expect(a2 is not None, "the second FIN is never acknowledged")
    tw = a1 is x["second"]
    if three_way is not None:
        expect(tw == three_way, "three-way close: %s, expected %s"
               % (tw, three_way))
    passive = "server" if closer == "client" else "client"
    ev = [x["first"], a1, x["second"], a2]
    for p in (x["first"], x["second"]):
        ev += c.retransmissions(p)
    return c.record(active_closer=closer, close="clean-close", three_way=tw,
                    final_states={closer: "TIME_WAIT", passive: "CLOSED"},
                    evidence=ev), x


def abortive(c, side, why):
    """A RST|ACK from side with no FIN before it: a socket being aborted."""
    r = c.of(side, F_RST)
    expect(r, "no RST from the %s" % side)
    r = r[0]
    expect(r.has(F_ACK), "the RST from the %s has no ACK flag" % side)
    expect(not c.of(side, F_FIN), "the %s sent a FIN" % side)
    # A socket being aborted resets with its next sequence number.
    last = max((p.end for p in c.of(side)), key=lambda s: seq_diff(s, r.seq))
    expect(seq_diff(r.seq, last) == 0, "RST seq %d is not the %s's next "
           "sequence number %d" % (r.seq, side, last))
    return r


# ------------------------------------------------------------------ scenarios

def only(conns, n=1):
    expect(len(conns) == n, "expected %d connection(s), found %d"
           % (n, len(conns)))
    return conns if n > 1 else conns[0]


def s_clean_close_client_first(conns):
    c = only(conns)
    rec, x = clean_close(c, "client", three_way=False)
    return ("Clean four-way close: the client closes first, the server "
            "ACKs its FIN, reads EOF and closes 0.3 s later.", [rec])


def s_clean_close_server_first(conns):
    c = only(conns)
    rec, x = clean_close(c, "server")
    return ("Clean close initiated by the server after its response; the "
            "client reads EOF and closes 0.3 s later.", [rec])


def s_fin_piggyback(conns):
    c = only(conns)
    rec, x = clean_close(c, "server")
    fs = x["server_fin"]
    expect(fs.plen > 0, "the server's FIN carries no data")
    return ("The server's FIN rides on its last data segment (response "
            "written with TCP_CORK set, then close()).", [rec])


def s_three_way(conns):
    c = only(conns)
    rec, x = clean_close(c, "client", three_way=True)
    return ("Three-way close: the server closes as soon as it reads EOF, "
            "so the ACK of the client's FIN and the server's FIN travel in "
            "one segment.", [rec])


def s_simultaneous(conns):
    c = only(conns)
    x = fin_exchange(c)
    if not x["crossed"]:
        rec, _ = clean_close(c, x["first"].side)
        return ("Attempted simultaneous close (both peers close() at the same "
                "instant) in which the FINs did NOT cross: an ordinary close.",
                [rec])
    fc, fs = x["client_fin"], x["server_fin"]
    ac, as_ = x["ack_first"] if x["first"] is fc else x["ack_second"], \
        x["ack_first"] if x["first"] is fs else x["ack_second"]
    expect(ac is not None and as_ is not None, "a crossing FIN is never ACKed")
    ev = [fc, fs, ac, as_] + c.retransmissions(fc) + c.retransmissions(fs)
    rec = c.record(active_closer="both", close="simultaneous-close",
                   final_states={"client": "TIME_WAIT", "server": "TIME_WAIT"},
                   anomalies=[anomaly("simultaneous-close", [fc, fs],
                              "each FIN's ack field does not cover the "
                              "other's FIN: both were sent before either "
                              "arrived")],
                   evidence=ev)
    return ("Simultaneous close: both peers, pinned to different CPUs, "
            "busy-wait for the same instant and close(); the FINs cross on "
            "the wire (each FIN's ack does not cover the other FIN) and "
            "both sides go through CLOSING to TIME_WAIT.", [rec])


def s_half_close(conns):
    c = only(conns)
    rec, x = clean_close(c, "client")
    fc = x["client_fin"]
    data = [p for p in c.of("server", after=fc) if p.plen > 0
            and p.n < x["server_fin"].n]
    expect(len(data) >= 2, "no server data after the client's FIN")
    acks = [c.acking(p) for p in data]
    expect(all(a is not None and a.side == "client" for a in acks),
           "the client does not ACK the data after its FIN")
    rec["close"] = "half-close"
    rec["anomalies"] = [anomaly("half-close", [fc] + data,
                        "the client shut down its sending side and keeps "
                        "receiving: the server's data follows the client's "
                        "FIN and is acknowledged")]
    ev = {e["packet"] for e in rec["evidence"]}
    rec["evidence"] = sorted(rec["evidence"] + [p.evidence() for p in
                             data + acks if p.n not in ev],
                             key=lambda e: e["packet"])
    return ("Half-close: the client sends its request and shutdown(SHUT_WR), "
            "then reads; the server sends 3000 bytes after the client's FIN "
            "and closes.", [rec])


def s_rst_after_fin_wait2(conns):
    c = only(conns)
    x = fin_exchange(c)
    fc, fs, a1 = x["client_fin"], x["server_fin"], x["ack_first"]
    expect(x["first"] is fc and a1 is not None and a1 is not fs,
           "expected the client's FIN ACKed alone by the server")
    rst = c.of("client", F_RST, after=fs)
    expect(rst, "no RST from the client after the server's FIN")
    rst = rst[0]
    expect(not rst.has(F_ACK), "the RST has the ACK flag")
    expect(rst.seq == fs.ack, "RST seq %d != the FIN's ack %d"
           % (rst.seq, fs.ack))
    gap = fs.ts - a1.ts
    rec = c.record(active_closer="client", close="reset-after-close",
                   final_states={"client": "CLOSED", "server": "CLOSED"},
                   anomalies=[anomaly("rst-after-fin-wait2-timeout",
                              [a1, fs, rst],
                              "the server's FIN comes %.1f s after it ACKed "
                              "the client's FIN, longer than the client's "
                              "tcp_fin_timeout; the client has no socket left "
                              "and answers with a bare RST, seq = the FIN's "
                              "ack" % gap)],
                   evidence=[fc, a1, fs, rst])
    return ("RST after FIN_WAIT_2 expiry: the client close()s (orphaned "
            "FIN_WAIT_2, tcp_fin_timeout=2), the server closes %.0f s later "
            "and its FIN is answered by a bare RST." % gap, [rec])


def s_linger_abort(conns):
    c = only(conns)
    r = abortive(c, "client", "")
    expect(not c.of("server", F_FIN), "the server sent a FIN")
    rec = c.record(active_closer="client", close="abortive-reset",
                   final_states={"client": "CLOSED", "server": "CLOSED"},
                   anomalies=[anomaly("abortive-close", [r],
                              "the client resets with RST|ACK at its next "
                              "sequence number instead of sending a FIN "
                              "(SO_LINGER {1, 0})")],
                   evidence=[r])
    return ("Abortive close: the client sets SO_LINGER {1, 0} and close()s "
            "after the response: RST|ACK, no FIN, no TIME_WAIT.", [rec])


def s_unread_data(conns):
    c = only(conns)
    r = abortive(c, "server", "")
    data = [p for p in c.of("client") if p.plen > 0]
    expect(len(data) == 2, "expected two client requests")
    expect(seq_diff(r.ack, data[1].end) == 0,
           "RST ack does not cover the unread request")
    rec = c.record(active_closer="server", close="abortive-reset",
                   final_states={"client": "CLOSED", "server": "CLOSED"},
                   anomalies=[anomaly("abortive-close", [data[1], r],
                              "the server closes with the client's second "
                              "request unread in its receive buffer, so it "
                              "resets (RFC 2525) instead of sending a FIN")],
                   evidence=[data[1], c.acking(data[1]), r])
    return ("close() with unread data: the server reads the first request "
            "and closes while the second is still in its receive buffer; "
            "Linux sends RST|ACK instead of FIN.", [rec])


def s_rst_on_data_after_close(conns):
    c = only(conns)
    fc = c.of("client", F_FIN)
    expect(fc, "no client FIN")
    fc = fc[0]
    a = c.acking(fc)
    data = [p for p in c.of("server", after=fc) if p.plen > 0]
    expect(a is not None and data, "expected the server to ACK the FIN and "
           "then send data")
    rst = c.of("client", F_RST, after=data[0])
    expect(rst, "no client RST after the server's data")
    rst = rst[0]
    expect(not rst.has(F_ACK) and rst.seq == data[0].ack,
           "expected a bare RST with seq = the data's ack")
    rec = c.record(active_closer="client", close="reset-after-close",
                   final_states={"client": "CLOSED", "server": "CLOSED"},
                   anomalies=[anomaly("rst-on-data-after-close",
                              [fc, data[0], rst],
                              "the client close()d fully; the server's "
                              "response reaches a socket that cannot receive "
                              "any more and is answered by RST: the data is "
                              "lost")],
                   evidence=[fc, a, data[0], rst] + data[1:2])
    return ("Data after a full close: the client close()s right after its "
            "request; the server's 500-byte response is answered by a "
            "bare RST.", [rec])


def split_marker(conns):
    """The main connection and the record of the end-of-capture marker."""
    main = [c for c in conns if c.server[1] != 8099]
    mark = [c for c in conns if c.server[1] == 8099]
    expect(len(mark) == 1, "no end-of-capture marker connection")
    rec = s_refused(mark)[1][0]
    rec["pattern"] = "end-of-capture marker"
    return only(main), mark[0], rec


def silence(c, last, mark):
    """Seconds without anything from the client after its last retransmission,
    and the gap before it (the next RTO would be due after twice that)."""
    segs = [p for p in c.of("client") if p.n <= last.n]
    prev = segs[-2] if len(segs) > 1 else last
    quiet = mark.pkts[0].ts - last.ts
    expect(quiet > 2 * (last.ts - prev.ts),
           "the capture does not outlast the next retransmission due")
    return quiet, last.ts - prev.ts


def s_linger_timeout(conns):
    c, mark, mrec = split_marker(conns)
    fc = c.of("client", F_FIN)
    expect(fc, "no client FIN")
    fc = fc[0]
    expect(c.acking(fc) is None, "the client's FIN was ACKed")
    expect(not c.of("client", F_RST), "the client sent a RST")
    # The last data: the first client segment after the exchange that the
    # server never acknowledges.
    unacked = [p for p in c.of("client") if p.plen > 0 and c.acking(p) is None]
    expect(unacked, "no unacknowledged client data")
    first = unacked[0]
    rtx = [p for p in c.of("client", after=first)
           if p.plen > 0 or p.has(F_FIN)]
    quiet, gap = silence(c, rtx[-1], mark)
    rec = c.record(active_closer="client", close="vanished",
                   final_states={"client": "CLOSED", "server": None},
                   anomalies=[anomaly("linger-timeout", [first, fc],
                              "the client close()s with SO_LINGER {1, 2} and "
                              "unacknowledged data; Linux sends no RST when "
                              "the linger time runs out, it keeps "
                              "retransmitting as an orphan"),
                              anomaly("fin-wait1-giveup", [fc] + rtx,
                              "data and FIN retransmitted with backoff, never "
                              "acknowledged, then %.1f s of silence (the last "
                              "gap was %.1f s): the orphan gave up "
                              "(tcp_orphan_retries=2), no RST" % (quiet, gap))],
                   evidence=[first, fc] + rtx)
    return ("SO_LINGER {1, 2} timing out: after the exchange the server's "
            "packets stop reaching the client; the client writes 300 bytes "
            "and close()s, close() returns 0 after 2 s, no RST is sent, and "
            "the orphan retransmits until tcp_orphan_retries. The last "
            "connection, a refused SYN to port 8099, only marks that the "
            "capture was still running.", [rec, mrec])


def s_lost_final_ack(side):
    def f(conns):
        c = only(conns)
        x = fin_exchange(c)
        expect(x["first"].side == "client", "the server closed first")
        fs = x["server_fin"]
        rtx = c.retransmissions(fs)
        expect(rtx, "the server's FIN is not retransmitted")
        acks = [p for p in c.of("client", after=fs)
                if p.ack is not None and seq_diff(p.ack, fs.end) >= 0]
        expect(acks, "the server's FIN is never ACKed")
        ev = [x["client_fin"], x["ack_first"], fs] + rtx + acks
        if side == "client":
            expect(acks[0].n < rtx[0].n, "no client ACK before the "
                   "retransmitted FIN")
            anomalies = [anomaly("final-ack-lost", [acks[0], rtx[0]],
                         "the client ACKs the server's FIN, yet the server "
                         "retransmits the FIN: the final ACK was lost after "
                         "the capture point; the client (TIME_WAIT) ACKs "
                         "again")]
        else:
            expect(acks[0].n > rtx[0].n, "the final ACK is seen before the "
                   "retransmission")
            anomalies = [anomaly("final-ack-lost", [fs] + rtx,
                         "no ACK of the server's FIN is seen at the server, "
                         "which retransmits the FIN from LAST_ACK with the "
                         "same seq; the client's ACK of the retransmission "
                         "arrives")]
        rec = c.record(active_closer="client", close="clean-close",
                       three_way=x["ack_first"] is fs,
                       final_states={"client": "TIME_WAIT",
                                     "server": "CLOSED"},
                       anomalies=anomalies, evidence=ev)
        return ("Lost final ACK, captured at the %s: the client's last ACK "
                "is dropped once (nftables, %s), so the server in LAST_ACK "
                "retransmits its FIN and the client in TIME_WAIT ACKs it "
                "again." % (side, "server input hook, after the client's "
                            "capture point" if side == "client" else
                            "client output hook, before the wire"), [rec])
    return f


def s_fin_wait1_giveup(conns):
    c, mark, mrec = split_marker(conns)
    fc = c.of("client", F_FIN)
    expect(fc, "no client FIN")
    fc = fc[0]
    expect(c.acking(fc) is None, "the client's FIN was ACKed")
    rtx = c.retransmissions(fc)
    expect(len(rtx) >= 2, "fewer than two FIN retransmissions")
    expect(not c.of("client", F_RST), "the client sent a RST")
    gaps = ["%.1f" % (b.ts - a.ts) for a, b in zip([fc] + rtx, rtx)]
    quiet, _ = silence(c, rtx[-1], mark)
    rec = c.record(active_closer="client", close="vanished",
                   final_states={"client": "CLOSED", "server": None},
                   anomalies=[anomaly("fin-wait1-giveup", [fc] + rtx,
                              "the FIN is retransmitted %d times (gaps %s s) "
                              "and never acknowledged; then %.1f s of silence: "
                              "the orphan gave up (tcp_orphan_retries=2), no "
                              "RST" % (len(rtx), ", ".join(gaps), quiet))],
                   evidence=[fc] + rtx)
    return ("FIN_WAIT_1 give-up: nothing from the server reaches the client "
            "after the exchange; the client's orphaned FIN is retransmitted "
            "with backoff and then dropped without RST. The last connection, "
            "a refused SYN to port 8099, only marks that the capture was "
            "still running.", [rec, mrec])


def s_close_wait_stuck(conns):
    c = only(conns)
    fc = c.of("client", F_FIN)
    expect(fc, "no client FIN")
    fc = fc[0]
    a = c.acking(fc)
    expect(a is not None, "the client's FIN is not ACKed")
    expect(not c.of("server", F_FIN) and not c.of("server", F_RST),
           "the server closed")
    # Keepalive probes: seq one below the server's next, no payload (or one
    # garbage byte), each answered by the client.
    probes = [p for p in c.of("server", after=a) if p.plen <= 1
              and seq_diff(p.seq, fc.ack) == -1]
    expect(len(probes) >= 2, "no keepalive probes during CLOSE_WAIT")
    answers = [q for q in (next((r for r in c.of("client", after=p)), None)
                           for p in probes) if q is not None]
    held = c.pkts[-1].ts - a.ts
    rec = c.record(active_closer="client", close="not-closed",
                   final_states={"client": "FIN_WAIT_2",
                                 "server": "CLOSE_WAIT"},
                   anomalies=[anomaly("close-wait-stuck", [fc, a, probes[-1]],
                              "the server's kernel ACKs the client's FIN but "
                              "the server never closes: its keepalive probes "
                              "show the connection still in CLOSE_WAIT %.1f s "
                              "later, when the capture ends" % held)],
                   evidence=[fc, a] + probes + answers)
    return ("CLOSE_WAIT that lasts: the client sends 524 bytes and "
            "shutdown(SHUT_WR); the server application never reads nor "
            "closes (SO_KEEPALIVE, 1 s probes); capture stopped 3.5 s "
            "later.", [rec])


def s_time_wait_reuse(conns):
    expect(len(conns) == 2, "expected two connections, found %d"
           % len(conns))
    c1, c2 = conns
    expect((c1.client, c1.server) == (c2.client, c2.server),
           "the connections do not share the 4-tuple")
    rec1, x = clean_close(c1, "server")
    syn = c2.syn
    expect(syn is not None, "no SYN for the second connection")
    sa = [p for p in c2.of("server") if p.has(F_SYN)]
    expect(sa and sa[0].has(F_ACK), "the new SYN is not answered by SYN|ACK")
    rec2, _ = clean_close(c2, "server")
    # What lets Linux accept it (tcp_timewait_state_process): a SYN beyond
    # the old connection's sequence space.
    expect(seq_diff(syn.seq, x["client_fin"].end) > 0,
           "the new ISN is not beyond the old connection")
    rec2["anomalies"] = [anomaly("time-wait-reuse", [syn, sa[0]],
                         "the SYN reuses the 4-tuple %.1f s after the server "
                         "entered TIME_WAIT; its ISN %d is beyond the old "
                         "connection's last client seq %d, so the server "
                         "accepts it with SYN|ACK"
                         % (syn.ts - x["ack_second"].ts, syn.seq,
                            x["client_fin"].end))]
    rec2["evidence"] = sorted(rec2["evidence"] + [syn.evidence(),
                              sa[0].evidence()], key=lambda e: e["packet"])
    return ("TIME_WAIT reuse: the server closes first (TIME_WAIT); 1 s later "
            "the client connects again from the same port (SO_REUSEADDR) and "
            "the server accepts the SYN on the TIME_WAIT 4-tuple.",
            [rec1, rec2])


def s_refused(conns):
    c = only(conns)
    r = c.of("server", F_RST)
    expect(c.syn is not None and r, "expected a SYN and a RST")
    r = r[0]
    expect(r.has(F_ACK) and r.ack == c.syn.end, "expected RST|ACK acking "
           "the SYN")
    rec = c.record(close="refused",
                   final_states={"client": "CLOSED", "server": "CLOSED"},
                   anomalies=[anomaly("connection-refused", [c.syn, r],
                              "no listener: the SYN is answered by RST|ACK")],
                   evidence=[c.syn, r])
    return ("Connection refused: SYN to a port with no listener, answered "
            "by RST|ACK; connect() fails with ECONNREFUSED.", [rec])


def s_half_open(conns):
    c = only(conns)
    r = c.of("server", F_RST)
    expect(len(r) == 1, "expected one server RST, found %d" % len(r))
    r = r[0]
    expect(not r.has(F_ACK), "the RST has the ACK flag")
    data = [p for p in c.of("client") if p.plen > 0 and p.n < r.n]
    d = data[-1]
    expect(r.seq == d.ack, "RST seq %d != the data's ack %d" % (r.seq, d.ack))
    quiet = [p for p in c.pkts if p.n < d.n]
    expect(not [p for p in quiet if p.has(F_FIN) or p.has(F_RST)],
           "a FIN or RST precedes the data")
    # The connection ends on an accepted RST with no FIN before it:
    # abortive-reset by the server's host; the RST's kind (bare, seq = the
    # ack it answers: no socket) is what tells it from an application abort.
    rec = c.record(active_closer="server", close="abortive-reset",
                   final_states={"client": "CLOSED", "server": "CLOSED"},
                   anomalies=[anomaly("half-open", [d, r],
                              "the server lost the connection without "
                              "telling the client (socket destroyed, its RST "
                              "dropped); the client's next data meets no "
                              "socket and gets a bare RST")],
                   evidence=[d, r])
    return ("Half-open connection: the server's socket is destroyed (ss -K) "
            "and its RST dropped; the client then sends another request and "
            "gets a bare RST.", [rec])


def s_mid_stream(conns):
    c = only(conns)
    expect(c.syn is None and not [p for p in c.pkts if p.has(F_SYN)],
           "the capture has the handshake")
    rec, x = clean_close(c, "client")
    rec["mid_stream"] = True
    return ("Capture started mid-connection (after the handshake and 2000 "
            "bytes); then more data and a clean close.", [rec])


BUSY = {8001: "client-first", 8002: "server-first", 8003: "linger-zero",
        8004: "unread-data", 8009: "refused"}


def s_busy(conns):
    recs, counts = [], {}
    for c in conns:
        kind = BUSY.get(c.server[1])
        expect(kind, "connection to unexpected port %d" % c.server[1])
        expect(c.syn is not None, "connection without SYN")
        try:
            if kind in ("client-first", "server-first"):
                rec, _ = clean_close(c, kind.split("-")[0])
            elif kind == "linger-zero":
                r = abortive(c, "client", "")
                rec = c.record(active_closer="client", close="abortive-reset",
                               final_states={"client": "CLOSED",
                                             "server": "CLOSED"},
                               anomalies=[anomaly("abortive-close", [r],
                                          "SO_LINGER {1, 0}: RST|ACK, no FIN")],
                               evidence=[r])
            elif kind == "unread-data":
                r = abortive(c, "server", "")
                data = [p for p in c.of("client") if p.plen > 0]
                expect(data, "no client request before the RST")
                rec = c.record(active_closer="server", close="abortive-reset",
                               final_states={"client": "CLOSED",
                                             "server": "CLOSED"},
                               anomalies=[anomaly("abortive-close", [data[-1], r],
                                          "close() with the last request "
                                          "unread: RST|ACK")],
                               evidence=[data[-1], r])
            else:
                rec = s_refused([c])[1][0]
        except Mismatch as e:
            raise Mismatch("%s:%d (%s): %s" % (c.client[0], c.client[1],
                                               kind, e))
        rec["pattern"] = kind
        counts[kind] = counts.get(kind, 0) + 1
        recs.append(rec)
    return ("Busy capture: %d connections at once, %s."
            % (len(recs), ", ".join("%d %s" % (v, k) for k, v in
                                    sorted(counts.items()))), recs)


# ------------------------------------------------------------------ real-traffic shapes

def add_evidence(rec, pkts):
    have = {e["packet"] for e in rec["evidence"]}
    rec["evidence"] = sorted(rec["evidence"] + [p.evidence() for p in pkts
                             if p is not None and p.n not in have
                             and not have.add(p.n)],
                             key=lambda e: e["packet"])


def s_data_before_fin_lost(side, sack):
    def f(conns):
        c = only(conns)
        rec, x = clean_close(c, "server")
        fs = x["server_fin"]
        expect(fs.plen == 0, "the server's FIN carries data")
        expect(not c.retransmissions(fs), "the server's FIN is retransmitted")
        # The last data segment before the FIN: it ends where the FIN is.
        last = [p for p in c.of("server") if p.plen > 0 and p.end == fs.seq]
        expect(last, "no server data segment ends at the FIN")
        before = [p for p in last if p.n < fs.n]
        after = [p for p in last if p.n > fs.n]
        expect(len(after) == 1, "expected one transmission of the last data "
               "segment after the FIN, found %d" % len(after))
        rtx = after[0]
        if side == "client":
            expect(not before, "the client's capture has the first "
                   "transmission of the last data segment")
        else:
            expect(len(before) == 1, "the server's capture does not have "
                   "the first transmission of the last data segment")
        # The client acks below the hole after the FIN arrived beyond it.
        dup = [p for p in c.of("client", after=fs) if p.n < rtx.n
               and p.ack == rtx.seq]
        expect(dup, "no client ACK below the hole after the FIN")
        d = dup[0]
        if sack:
            expect((fs.seq, fs.end) in d.sack, "the duplicate ACK's SACK "
                   "blocks %s do not cover the FIN" % d.sack)
        else:
            expect(not d.sack, "SACK blocks with tcp_sack=0")
        full = c.acking(rtx)
        expect(full is not None and seq_diff(full.ack, fs.end) == 0,
               "the repaired data is not acknowledged with the FIN")
        expect(full is x["ack_first"], "the FIN is acknowledged before the "
               "repair")
        rep = before + [rtx]
        gap = rtx.ts - fs.ts
        why = ("the server's last %d-byte data segment before its FIN was "
               "dropped once (nftables, after the server's capture point); "
               "the FIN arrived beyond the hole and the client acked below "
               "it (ack %d%s); the server re-sent only the data, %.3f s "
               "after the FIN (%s), and the client's next ACK covers data "
               "and FIN. A data repair: the FIN is never retransmitted, "
               "the final ACK is not lost"
               % (rtx.plen, d.ack,
                  ", SACK %d-%d: the FIN" % (fs.seq, fs.end) if sack else
                  ", no SACK", gap,
                  "fast retransmit on the SACK" if sack else
                  "retransmission timeout"))
        rec["notes"] = [{"what": "retransmission", "packets":
                         sorted(p.n for p in rep), "why": why}]
        add_evidence(rec, rep + dup + [full])
        return ("Last data segment before the FIN lost once: the server "
                "writes a 2000-byte response (1448 + 552 bytes) and "
                "close()s; the 552-byte segment is dropped once between the "
                "hosts, the FIN gets there first, the client acks below the "
                "hole%s and the server re-sends the data; then the client "
                "closes. Captured at the %s.%s"
                % (" with a SACK block for the FIN" if sack else
                   " (tcp_sack=0 at the client)", side,
                   " The first transmission is in the capture, then the "
                   "retransmission." if side == "server" else ""), [rec])
    return f


def tls_record(p):
    """'TLS alert record ...' if the payload is exactly one TLS record."""
    b = p.payload
    if len(b) < 5 or b[1] != 3 or b[2] > 4:
        return None
    if struct.unpack("!H", b[3:5])[0] != len(b) - 5:
        return None
    return {21: "alert", 22: "handshake", 23: "application data"}.get(b[0])


def s_goodbye(goodbye):
    def f(conns):
        c = only(conns)
        fs = c.of("server", F_FIN)
        expect(len(fs) == 1, "expected one server FIN")
        fs = fs[0]
        expect(not c.of("client", F_FIN, after=None) or
               c.of("client", F_FIN)[0].n > fs.n, "the client closed first")
        data = [p for p in c.of("client", after=fs) if p.plen > 0]
        expect(len(data) == 1, "expected one client write after the "
               "server's FIN, found %d" % len(data))
        d = data[0]
        expect(d.ack is not None and seq_diff(d.ack, fs.end) == 0,
               "the client's data does not ack the server's FIN")
        rst = c.of("server", F_RST, after=d)
        expect(len(rst) == 1, "expected one server RST after the data")
        rst = rst[0]
        expect(not rst.has(F_ACK) and rst.seq == d.ack,
               "expected a bare RST with seq = the data's ack")
        expect(not c.of("client", F_RST), "the client sent a RST")
        kind = tls_record(d)
        head = " ".join("%02x" % b for b in d.payload[:5])
        if goodbye:
            expect(kind == "alert" and d.plen == 31, "the client's write is "
                   "not a 31-byte TLS alert record")
            what = ("a %d-byte TLS alert record (content type 21, version "
                    "3.3, length %d): the shape of a TLS 1.2 close_notify, "
                    "a protocol goodbye, not application data"
                    % (d.plen, d.plen - 5))
            sev = "info"
        else:
            expect(kind is None and d.plen == 500, "the client's write is "
                   "not a 500-byte request")
            what = ("%d bytes of application data (a second request), not "
                    "a protocol goodbye" % d.plen)
            sev = "error"
        cfin = c.of("client", F_FIN)
        a = anomaly("rst-on-data-after-close", [fs, d, rst],
                    "the server close()d fully after its response; the "
                    "client read EOF and then wrote; the server's orphan "
                    "answers with a bare RST %.0f us later, seq = the data's "
                    "ack: %s is lost" % ((rst.ts - d.ts) * 1e6, what))
        a["severity"] = sev
        a["lost"] = {"packet": d.n, "len": d.plen, "head": head,
                     "what": what}
        rec = c.record(active_closer="server", close="reset-after-close",
                       final_states={"client": "CLOSED", "server": "CLOSED"},
                       anomalies=[a], evidence=[fs, d, rst] + cfin)
        return ("Goodbye after a full close: the server close()s right "
                "after its response; the client reads EOF, then writes %s "
                "and close()s; the server's kernel answers with RST%s."
                % ("a 31-byte TLS-shaped alert record (15 03 03 00 1a: "
                   "close_notify)" if goodbye else "a 500-byte request",
                   ", so the client's close() sends no FIN" if not cfin
                   else ""), [rec])
    return f


def s_connect_timeout(linear):
    def f(conns):
        c, mark, mrec = split_marker(conns)
        syns = c.of("client")
        expect(c.syn is not None and len(syns) >= 3, "expected a SYN and "
               "its retransmissions")
        expect(all(p.flags == F_SYN and p.seq == c.syn.seq for p in syns),
               "the client sent something other than its SYN again")
        expect(not c.of("server"), "the server answered")
        gaps = [b.ts - a.ts for a, b in zip(syns, syns[1:])]
        # Linear: tcp_syn_linear_timeouts gaps of about 1 s, then doubling;
        # exponential: each gap twice the one before.
        for i, (g0, g1) in enumerate(zip(gaps, gaps[1:])):
            ratio = g1 / g0
            if linear and i < 4:
                expect(0.8 < ratio < 1.25, "gap %d is not linear" % (i + 2))
            else:
                expect(1.7 < ratio < 2.3, "gap %d does not double" % (i + 2))
        quiet, _ = silence(c, syns[-1], mark)
        series = ", ".join("%.1f" % g for g in gaps)
        # never established, so no close: "not-closed" in the close
        # vocabulary (docs/close-classes.md keeps "vanished" for a FIN
        # given up); the client's CLOSED says it gave up
        rec = c.record(final_states={"client": "CLOSED", "server": None},
                       close="not-closed",
                       anomalies=[anomaly("connect-timeout", syns,
                                  "the SYN is sent %d times, never "
                                  "answered (gaps %s s), then %.1f s of "
                                  "silence: connect() gave up with "
                                  "ETIMEDOUT (tcp_syn_retries=3%s); the "
                                  "connection never began"
                                  % (len(syns), series, quiet,
                                     ", tcp_syn_linear_timeouts=4" if linear
                                     else ", tcp_syn_linear_timeouts=0"))],
                       evidence=syns)
        rec["syn_gaps"] = [round(g, 3) for g in gaps]
        return ("Connect timeout: the server drops every SYN; the client's "
                "connect() retransmits it (%s) and fails with ETIMEDOUT. "
                "The last connection, a refused SYN to port 8099, only marks "
                "that the capture was still running."
                % ("1 s apart tcp_syn_linear_timeouts=4 times, then doubling:"
                   " Linux 6.5's default" if linear else
                   "doubling each time: tcp_syn_linear_timeouts=0, as before "
                   "Linux 6.5"), [rec, mrec])
    return f


def capture_copies(pkts):
    """Split a capture where every packet is recorded twice into the first
    copies and the pairs (first, second); fail unless every packet has
    exactly one twin: the same IP bytes, recorded on another interface
    less than a millisecond later."""
    firsts, pairs, open_ = [], [], {}
    for p in pkts:
        q = open_.pop(p.ip, None)
        if q is None:
            open_[p.ip] = p
            firsts.append(p)
            continue
        expect(p.ts - q.ts < 0.001, "packets %d and %d are %.6f s apart"
               % (q.n, p.n, p.ts - q.ts))
        expect(p.ifindex is None or p.ifindex != q.ifindex,
               "packets %d and %d come from the same interface" % (q.n, p.n))
        pairs.append((q, p))
    expect(not open_, "packet(s) %s recorded only once"
           % sorted(p.n for p in open_.values()))
    return firsts, pairs


def s_capture_duplicates(pkts):
    firsts, pairs = capture_copies(pkts)
    conns = connections(firsts)
    c1, c2 = only(conns, 2)
    rec1, _ = clean_close(c1, "client", three_way=False)
    r = abortive(c2, "client", "")
    expect(not c2.of("server", F_FIN), "the server sent a FIN")
    rec2 = c2.record(active_closer="client", close="abortive-reset",
                     final_states={"client": "CLOSED", "server": "CLOSED"},
                     anomalies=[anomaly("abortive-close", [r],
                                "the client resets with RST|ACK at its next "
                                "sequence number instead of sending a FIN "
                                "(SO_LINGER {1, 0})")],
                     evidence=[r])
    gaps = sorted((b.ts - a.ts) * 1e6 for a, b in pairs)
    for rec, c in ((rec1, c1), (rec2, c2)):
        mine = [(a, b) for a, b in pairs if a in c.pkts]
        for a, b in mine:
            b.side = a.side
        rec["notes"] = [{"what": "capture-duplicate",
                         "pairs": [[a.n, b.n] for a, b in mine],
                         "why": "tcpdump -i any at the server records each "
                         "packet on vserver and on the bridge br0: the "
                         "second copy has the same IP header (IP ID "
                         "included) and TCP segment, %.0f to %.0f us later, "
                         "another interface index: a capture artifact, not "
                         "a retransmission" % (gaps[0], gaps[-1])}]
        add_evidence(rec, [p for ab in mine for p in ab])
    return ("Every packet twice: the server's address is on a bridge (br0) "
            "whose only port is its veth, and the capture is tcpdump -i any "
            "in the server's namespace (Linux cooked v2), so each packet is "
            "recorded on both interfaces. One clean close (client first), "
            "then one abort (SO_LINGER {1, 0}).", [rec1, rec2])


def s_syn_to_stale(conns):
    expect(len(conns) == 2, "expected two connections, found %d" % len(conns))
    c1, c2 = conns
    expect((c1.client, c1.server) == (c2.client, c2.server),
           "the connections do not share the 4-tuple")
    expect(not [p for p in c1.pkts if p.has(F_FIN) or p.has(F_RST)],
           "the first connection shows a FIN or RST")
    old_end = max((p.end for p in c1.of("client")),
                  key=lambda e: seq_diff(e, c1.syn.seq))
    syn = c2.syn
    expect(syn is not None, "no SYN for the second connection")
    # the server's answer to the SYN: an ACK of the first connection's
    # client stream, not of the SYN (RFC 5961 4.2 challenge ACK)
    ack = next((p for p in c2.of("server") if not p.has(F_SYN)), None)
    expect(ack is not None and ack.n < min(p.n for p in c2.of("server")
                                           if p.has(F_SYN)),
           "no ACK before the SYN|ACK")
    expect(ack.plen == 0 and ack.ack == old_end,
           "the server's first answer acks %s, not the old stream's end %d"
           % (ack.ack, old_end))
    rst = c2.of("client", F_RST)
    expect(len(rst) == 1 and not rst[0].has(F_ACK) and rst[0].seq == ack.ack,
           "expected one bare client RST at the challenge ACK's ack")
    rst = rst[0]
    again = c2.retransmissions(syn)
    expect(again and again[0].n > rst.n, "the SYN is not retransmitted after the RST")
    # the rest is an ordinary connection: close it as one
    rest = Conn(syn)
    for p in c2.pkts:
        if p is not ack and p is not rst:
            rest.add(p)
    rec2, _ = clean_close(rest, "client")
    sa = [p for p in c2.of("server") if p.has(F_SYN)][0]
    rec2["anomalies"] = [anomaly("syn-to-old-connection", [syn, ack, rst, again[0]],
                         "the server still held the earlier connection on the "
                         "4-tuple: it answers the SYN with that connection's "
                         "ACK (ack %d, the old client stream's end), the "
                         "client's stack resets it, and the SYN's "
                         "retransmission %.1f ms after it connects"
                         % (ack.ack, (again[0].ts - rst.ts) * 1e3))]
    rec2["evidence"] = sorted(rec2["evidence"] + [p.evidence() for p in
                              (syn, ack, rst, again[0], sa)],
                              key=lambda e: e["packet"])
    rec1 = c1.record(close="not-closed",
                     final_states={"client": "ESTABLISHED",
                                   "server": "ESTABLISHED"})
    return ("A SYN meets an earlier connection the server still holds: the "
            "client's first socket is destroyed (ss -K) with its RST "
            "dropped, so the server keeps the connection; the client "
            "connects again from the same port, the server's established "
            "socket answers with a challenge ACK, the client resets it and "
            "retransmits its SYN at once (Linux does after such a reset), "
            "which connects.", [rec1, rec2])


SCENARIOS = {
    "01-clean-close-client-first": s_clean_close_client_first,
    "02-clean-close-server-first": s_clean_close_server_first,
    "03-fin-piggybacked-on-data": s_fin_piggyback,
    "04-three-way-close": s_three_way,
    "05-simultaneous-close": s_simultaneous,
    "06-half-close-data-after-fin": s_half_close,
    "07-rst-after-fin-wait2-timeout": s_rst_after_fin_wait2,
    "08-linger-zero-abort": s_linger_abort,
    "09-close-with-unread-data": s_unread_data,
    "10-rst-on-data-after-close": s_rst_on_data_after_close,
    "11-linger-timeout": s_linger_timeout,
    "12-lost-final-ack-client-side": s_lost_final_ack("client"),
    "12-lost-final-ack-server-side": s_lost_final_ack("server"),
    "13-fin-wait1-giveup": s_fin_wait1_giveup,
    "14-close-wait-stuck": s_close_wait_stuck,
    "15-time-wait-reuse": s_time_wait_reuse,
    "16-connection-refused": s_refused,
    "17-half-open": s_half_open,
    "18-mid-stream-capture": s_mid_stream,
    "19-busy": s_busy,
    "20-data-before-fin-lost": s_data_before_fin_lost("client", True),
    "20-data-before-fin-lost-server-side": s_data_before_fin_lost("server",
                                                                  True),
    "20-data-before-fin-lost-no-sack": s_data_before_fin_lost("client",
                                                              False),
    "21-close-notify-after-close": s_goodbye(True),
    "21-request-after-close": s_goodbye(False),
    "22-connect-timeout": s_connect_timeout(True),
    "22-connect-timeout-exponential": s_connect_timeout(False),
    "24-syn-to-stale-connection": s_syn_to_stale,
}
# These read the packets before they are split into connections.
RAW = {"23-capture-duplicates": s_capture_duplicates}


def main(argv):
    if len(argv) == 3 and argv[1] == "--crossing":
        _, pkts = read_pcap(argv[2])
        try:
            return 0 if fin_exchange(only(connections(pkts)))["crossed"] else 1
        except Mismatch:
            return 1
    if len(argv) != 6:
        sys.stderr.write(__doc__)
        return 2
    name, pcap, side, sysctls, out = argv[1:]
    base = name[:-3] if name.endswith("-v6") else name
    try:
        total, pkts = read_pcap(pcap)
        if base in RAW:
            text, recs = RAW[base](pkts)
        else:
            text, recs = SCENARIOS[base](connections(pkts))
        if base != name:
            text += " Over IPv6."
    except Mismatch as e:
        sys.stderr.write("manifest: %s: %s\n" % (name, e))
        return 1
    m = {"scenario": text,
         "script": "samples/lab/run " + name,
         "capture_side": side,
         "link_type": read_pcap.linktype,
         "kernel": platform.release(),
         "sysctls": json.load(open(sysctls)),
         "packets": total,
         "connections": recs}
    with open(out + ".tmp", "w") as f:
        json.dump(m, f, indent=1)
        f.write("\n")
    os.replace(out + ".tmp", out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
