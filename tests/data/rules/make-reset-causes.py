#!/usr/bin/env python3
"""Write the synthesized captures of the reset rules (resets-*.pcap) and
their manifests: what a RST answered decides its diagnosis.

Each connection is the packet signature of one case read from real
traffic (issue #13): a scanner's probes, a socket gone too soon for any
FIN_WAIT_2 timer, protocol goodbyes and data lost to a closed socket, a
RST that answers data rather than a linger timer, a bare RST from a live
socket, MPTCP fast close and subflow resets.  The manifest is the
expectation, written here before finlint reads the file.

Run from this directory: python3 make-reset-causes.py.  Standard library only."""
import json
import struct

BASE = 1_700_100_000

MSS = b"\x02\x04\x05\xb4"
KERNEL_SYN = MSS + b"\x04\x02" + b"\x01\x03\x03\x07"  # MSS, SACK_OK, NOP, WS 7


def mptcp(subtype, body=b""):
    opt = bytes([30, 3 + len(body), subtype << 4]) + body
    return opt + b"\x01" * (-len(opt) % 4)


CAPABLE = mptcp(0, b"\x81" + b"\x11" * 8)
FASTCLOSE = mptcp(7, b"\x00" + b"\x22" * 8)
DSS = mptcp(2, b"\x00")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(src, dst, sport, dport, flags, seq, ack, payload, win, opts):
    fl = 0
    for ch, bit in (("F", 1), ("S", 2), ("R", 4), ("P", 8), ("A", 16), ("U", 32)):
        if ch in flags:
            fl |= bit
    opts += b"\x00" * (-len(opts) % 4)
    sa = bytes(int(x) for x in src.split("."))
    da = bytes(int(x) for x in dst.split("."))
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      (5 + len(opts) // 4) << 4, fl, win, 0, 0) + opts + payload
    pseudo = sa + da + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0, sa, da)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00"
    return eth + ip + tcp


class Capture:
    def __init__(self, name, scenario):
        self.name, self.scenario = name, scenario
        self.frames, self.conns = [], []
        self.t = 0.0

    def conn(self, client, server):
        c = Conn(self, client, server)
        self.conns.append(c)
        return c

    def write(self):
        with open(self.name + ".pcap", "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for t, fr in self.frames:
                sec = int(t)
                usec = int(round((t - sec) * 1e6))
                f.write(struct.pack("<IIII", BASE + sec, usec, len(fr), len(fr)))
                f.write(fr)
        m = {"scenario": self.scenario,
             "script": "tests/data/rules/make-reset-causes.py",
             "capture_side": "synthesized",
             "packets": len(self.frames),
             "connections": [c.record() for c in self.conns]}
        with open(self.name + ".json", "w") as f:
            json.dump(m, f, indent=1)
            f.write("\n")


class Conn:
    """One connection; c.send(side, ...) appends a packet, returns its number."""

    def __init__(self, cap, client, server):
        self.cap, self.ends = cap, (client, server)
        self.anomalies = []

    def send(self, side, flags, seq, ack, payload=b"", dt=0.001, win=512, opts=b""):
        a, b = self.ends[side], self.ends[1 - side]
        self.cap.t += dt
        self.cap.frames.append((self.cap.t, frame(a[0], b[0], a[1], b[1], flags, seq, ack,
                                                  payload, win, opts)))
        return len(self.cap.frames)

    def expect(self, rule, packets, why):
        self.anomalies.append({"rule": rule, "packets": sorted(packets), "why": why})

    def record(self):
        c, s = self.ends
        return {"client": {"addr": c[0], "port": c[1]},
                "server": {"addr": s[0], "port": s[1]},
                "anomalies": self.anomalies}

    def handshake(self, cisn, sisn, opts=KERNEL_SYN, sopts=KERNEL_SYN, hs_opts=b""):
        self.send(0, "S", cisn, 0, opts=opts)
        self.send(1, "SA", sisn, cisn + 1, opts=sopts)
        self.send(0, "A", cisn + 1, sisn + 1, opts=hs_opts)
        return cisn + 1, sisn + 1


C, S = 0, 1
TLS_ALERT = b"\x15\x03\x03\x00\x1a" + b"\xa5" * 26          # encrypted alert, 31 bytes
TLS13_CLOSE = b"\x17\x03\x03\x00\x13" + b"\x5a" * 19        # close_notify, 24 bytes
TLS_DATA = b"\x17\x03\x03\x00\x30" + b"\x77" * 48           # application data, 53 bytes

# ---- scanners -------------------------------------------------------------
cap = Capture("resets-scan-probe", "A scanner's FIN and Xmas probes answered by a closed "
              "port's RST|ACK seq 0, a SYN scan (no options) whose SYN-ACK its kernel "
              "resets, a connect scan reset 0.1 ms after its handshake; and a kernel's "
              "abandoned connection attempt (SYN, SYN-ACK, RST), which is normal.")
k = cap.conn(("10.9.6.1", 40061), ("10.9.6.2", 3390))
p = k.send(C, "F", 0x10000000, 0, win=1024)
r = k.send(S, "RA", 0, 0x10000001, win=0)
k.expect("scan-probe", [p, r], "FIN probe without ACK, closed port answers RST|ACK seq 0")
k = cap.conn(("10.9.6.1", 40062), ("10.9.6.2", 3391))
p = k.send(C, "FPU", 0x20000000, 0, win=1024)
r = k.send(S, "RA", 0, 0x20000001, win=0)
k.expect("scan-probe", [p, r], "Xmas probe (FIN|PSH|URG), closed port's RST|ACK seq 0")
k = cap.conn(("10.9.6.1", 40063), ("10.9.6.2", 502))
p = k.send(C, "S", 0, 0, win=65535)
sa = k.send(S, "SA", 5000, 1, opts=MSS)
r = k.send(C, "R", 1, 0, win=0, dt=0.1)
k.expect("scan-probe", [p, sa, r], "SYN scan: optionless SYN, the scanner resets the SYN-ACK")
k = cap.conn(("10.9.6.1", 40064), ("10.9.6.2", 80))
p = k.send(C, "S", 3000, 0, opts=KERNEL_SYN)
k.send(S, "SA", 6000, 3001, opts=KERNEL_SYN)
k.send(C, "A", 3001, 6001, dt=0.0001)
r = k.send(C, "RA", 3001, 6001, dt=0.0001)
k.expect("scan-probe", [p, r], "connect scan: handshake reset 0.1 ms later, no data")
k = cap.conn(("10.9.6.3", 40065), ("10.9.6.2", 445))
k.send(C, "S", 7000, 0, opts=KERNEL_SYN)
k.send(S, "SA", 8000, 7001, opts=KERNEL_SYN, dt=0.05)
k.send(C, "R", 7001, 0, win=0, dt=0.0001)  # the losing attempt of a race: no finding
cap.write()

# ---- FIN_WAIT_2: expired, or gone too soon --------------------------------
cap = Capture("resets-late-fin", "A client's FIN acknowledged, the server's FIN 0.1 s "
              "later met no socket (socket-vanished); the same with a 5 s gap "
              "(rst-after-fin-wait2-timeout, shorter than the linux timeout).")
for port, gap, rule in ((40071, 0.1, "socket-vanished"),
                        (40072, 5.0, "rst-after-fin-wait2-timeout")):
    k = cap.conn(("10.9.7.1", port), ("10.9.7.2", 80))
    c, s = k.handshake(1000, 9000)
    k.send(C, "PA", c, s, b"q" * 50)
    k.send(S, "PA", s, c + 50, b"r" * 80)
    k.send(C, "FA", c + 50, s + 80)
    ack = k.send(S, "A", s + 80, c + 51)
    fin = k.send(S, "FA", s + 80, c + 51, dt=gap)
    rst = k.send(C, "R", c + 51, 0, win=0)
    k.expect(rule, [ack, fin, rst], "the server's FIN %.1f s after the ack met no socket" % gap)
cap.write()

# ---- data after a full close: goodbyes and application data ----------------
cap = Capture("resets-data-after-close", "Bytes reaching a fully closed socket: a TLS alert "
              "(a goodbye: info), a TLS 1.3 close_notify sent as the FINs crossed "
              "(info), 200 bytes of application data (error); the RST follows one "
              "round trip later, after the sender's own FIN.")
k = cap.conn(("10.9.8.1", 40081), ("10.9.8.2", 143))
c, s = k.handshake(2000, 12000)
k.send(C, "PA", c, s, b"a1 LOGOUT\r\n")
sfin = k.send(S, "FPA", s, c + 11, b"* BYE\r\n")
k.send(C, "A", c + 11, s + 8)
alert = k.send(C, "PA", c + 11, s + 8, TLS_ALERT, dt=0.0001)
k.send(C, "FA", c + 42, s + 8, dt=0.00001)
rst = k.send(S, "R", s + 8, 0, win=0, dt=0.19)
k.expect("rst-on-data-after-close", [sfin, alert, rst],
         "the client's TLS alert reached the server's closed socket: a goodbye")
k = cap.conn(("10.9.8.1", 40082), ("10.9.8.2", 443))
c, s = k.handshake(3000, 13000)
k.send(C, "PA", c, s, b"g" * 100)
k.send(S, "PA", s, c + 100, b"h" * 300)
close = k.send(C, "PA", c + 100, s + 300, TLS13_CLOSE)
k.send(C, "FA", c + 124, s + 300, dt=0.00003)
sfin = k.send(S, "FA", s + 300, c + 100, dt=0.0001)  # crossed: acks only up to the record
k.send(C, "A", c + 125, s + 301, dt=0.00002)
first = k.send(S, "R", s + 300, 0, win=0, dt=0.01)  # answers the record: below the client's ack
rst = k.send(S, "R", s + 301, 0, win=0, dt=0.000001)  # answers the FIN: accepted
k.expect("rst-on-data-after-close", [close, sfin, first, rst],
         "FINs crossed; the client's TLS 1.3 close_notify reached the closed server")
k = cap.conn(("10.9.8.1", 40083), ("10.9.8.2", 8080))
c, s = k.handshake(4000, 14000)
k.send(C, "PA", c, s, b"i" * 60)
sfin = k.send(S, "FPA", s, c + 60, b"j" * 90)
k.send(C, "A", c + 60, s + 91)
data = k.send(C, "PA", c + 60, s + 91, b"k" * 200)
rst = k.send(S, "R", s + 91, 0, win=0, dt=0.05)
k.expect("rst-on-data-after-close", [sfin, data, rst],
         "200 bytes of application data lost to the closed server")
# SMTP as a real mail client ends it (suricata-verify bug-7126): QUIT and
# FIN at once, so the server's 221 line, longer than the 32 bytes a
# connection keeps of a segment, meets a closed socket: still a goodbye
k = cap.conn(("10.9.8.1", 40084), ("10.9.8.2", 25))
c, s = k.handshake(4500, 14500)
k.send(S, "PA", s, c, b"220 mx.example.net ESMTP ready\r\n")
k.send(C, "PA", c, s + 32, b"QUIT\r\n")
fin = k.send(C, "FA", c + 6, s + 32, dt=0.00005)
bye = k.send(S, "FPA", s + 32, c + 7, b"221 2.0.0 mx.example.net closing connection\r\n", dt=0.004)
rst = k.send(C, "R", c + 7, 0, win=0, dt=0.0001)
k.expect("rst-on-data-after-close", [fin, bye, rst],
         "the server's 221 line reached the client's closed socket: a goodbye")
cap.write()

# ---- linger-timeout's premise ----------------------------------------------
cap = Capture("resets-linger", "A client's data and FIN, the server acking part of it "
              "and sending data that the client's RST|ACK answers 30 us later "
              "(rst-on-data-after-close, no linger timer); the server's bare RST 1 us "
              "after its own FIN; and a real linger timeout: data and FIN never "
              "acknowledged, RST|ACK 2 s later.")
k = cap.conn(("10.9.9.1", 40091), ("10.9.9.2", 443))
c, s = k.handshake(5000, 15000)
k.send(C, "PA", c, s, b"l" * 517)
k.send(S, "PA", s, c + 517, b"m" * 173)
k.send(C, "PA", c + 517, s + 173, b"n" * 83)
k.send(C, "PA", c + 600, s + 173, b"o" * 27)
cfin = k.send(C, "FA", c + 627, s + 173)
k.send(S, "A", s + 173, c + 600, dt=0.05)
data = k.send(S, "PA", s + 173, c + 600, TLS_DATA, dt=0.0007)
rst = k.send(C, "RA", c + 628, s + 226, win=0, dt=0.00003)
k.send(S, "PA", s + 226, c + 600, b"p" * 27, dt=0.0014)
k.send(S, "FA", s + 253, c + 600, dt=0.0007)
k.send(S, "R", s + 254, 0, win=0, dt=0.000001)
k.expect("rst-on-data-after-close", [cfin, data, rst],
         "the client's RST|ACK answers the server's 53 bytes, 30 us after them")
k = cap.conn(("10.9.9.1", 40092), ("10.9.9.2", 80))
c, s = k.handshake(6000, 16000)
k.send(S, "PA", s, c, b"s" * 40)
k.send(C, "A", c, s + 40)
d = k.send(C, "PA", c, s + 40, b"t" * 700, dt=0.2)
fin = k.send(C, "FA", c + 700, s + 40)
k.send(S, "A", s + 40, c, win=0, dt=0.5)  # alive, window full: nothing acked
rst = k.send(C, "RA", c + 701, s + 40, dt=1.5)
k.expect("linger-timeout", [d, fin, rst], "data and FIN never acked, RST|ACK 2 s later")
cap.write()

# ---- a RST on an open connection: who sent it, what it discarded -----------
cap = Capture("resets-open", "A bare RST at the client's own next seq 1.7 ms after its "
              "data, window 8192: a live socket aborting (abortive-close, not "
              "half-open); a real half-open (the server's no-socket bare RST, "
              "window 0, 0.35 s after its last data); a server's RST|ACK that acks "
              "only the first of the client's segments; a bare RST, window 0, 13 s after "
              "everything was acknowledged (an abort, not half-open).")
k = cap.conn(("10.9.10.1", 40101), ("10.9.10.2", 8080))
c, s = k.handshake(7000, 17000)
k.send(C, "PA", c, s, b"GET /")
data = k.send(S, "PA", s, c + 5, b"u" * 15)
rst = k.send(C, "R", c + 5, 0, win=8192, dt=0.0008)
k.expect("abortive-close", [data, rst], "live client aborts with a bare RST at its next seq")
k = cap.conn(("10.9.10.1", 40102), ("10.9.10.2", 8000))
c, s = k.handshake(8000, 18000)
k.send(C, "PA", c, s, b"v" * 100)
k.send(S, "A", s, c + 100)
k.send(S, "PA", s, c + 100, b"w" * 200)
k.send(C, "A", c + 100, s + 200)
req = k.send(C, "PA", c + 100, s + 200, b"x" * 100, dt=0.35)
rst = k.send(S, "R", s + 200, 0, win=0, dt=0.00004)
k.expect("half-open", [req, rst], "the server's socket is gone: no-socket RST to new data")
k = cap.conn(("10.9.10.1", 40103), ("10.9.10.2", 8080))
c, s = k.handshake(9000, 19000)
k.send(C, "PA", c, s, b"y" * 16)
k.send(C, "PA", c + 16, s, b"z" * 16)
last = k.send(C, "PA", c + 32, s, b"Z" * 12)
rst = k.send(S, "RA", s, c + 16)
k.expect("abortive-close", [last, rst], "the RST acks 16 of 44 bytes: 28 discarded")
# Seen from macOS clients (nDPI's signal.pcap): everything acknowledged,
# 13 s of silence, then a bare RST at the client's own next seq with
# window 0.  It answers no segment, so it is no host without the
# connection: an abort of a live socket, nothing lost.
k = cap.conn(("10.9.10.1", 40104), ("10.9.10.2", 443))
c, s = k.handshake(9500, 19500)
k.send(C, "PA", c, s, b"h" * 40)
k.send(S, "PA", s, c + 40, b"i" * 120)
k.send(C, "A", c + 40, s + 120)
rst = k.send(C, "R", c + 40, 0, win=0, dt=13.0)
k.expect("abortive-close", [rst], "a bare RST 13 s after the last packet answers nothing")
cap.write()

# ---- MPTCP ----------------------------------------------------------------
cap = Capture("resets-mptcp", "MPTCP: the client's MP_FASTCLOSE answered by the server's "
              "RST|ACK (the abort is the client's); a subflow reset without "
              "MP_FASTCLOSE, which ends that subflow only (no finding).")
k = cap.conn(("10.9.11.1", 40111), ("10.9.11.2", 2002))
c, s = k.handshake(10000, 20000, opts=KERNEL_SYN + CAPABLE, sopts=KERNEL_SYN + CAPABLE,
                   hs_opts=CAPABLE)
k.send(C, "PA", c, s, b"1", opts=DSS)
k.send(S, "A", s, c + 1, opts=DSS)
fc = k.send(C, "A", c + 1, s, opts=FASTCLOSE, dt=4.0)
rst = k.send(S, "RA", s, c + 1, opts=DSS)
k.expect("abortive-close", [fc, rst], "MP_FASTCLOSE from the client, the server's RST replies")
k = cap.conn(("10.9.11.1", 40112), ("10.9.11.2", 22))
c, s = k.handshake(11000, 21000, opts=KERNEL_SYN + CAPABLE, sopts=KERNEL_SYN + CAPABLE,
                   hs_opts=CAPABLE)
k.send(C, "PA", c, s, b"2" * 48, opts=DSS)
k.send(S, "PA", s, c + 48, b"3" * 48, opts=DSS)
k.send(C, "A", c + 48, s + 48, opts=DSS)
k.send(C, "RA", c + 48, s + 48, opts=DSS, dt=0.03)  # subflow teardown: no finding
cap.write()
