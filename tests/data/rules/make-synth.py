#!/usr/bin/env python3
"""Write the synthesized captures of tests/data/rules/ and their manifests.

These are the teardown anomalies a correct kernel does not produce (a FIN
acked wrongly, a FIN at the wrong seq, data after FIN, a FIN the peer never
acknowledges while it keeps sending, a RST into TIME_WAIT, a RST outside
the window), so the scenario lab cannot record them.  Each connection is
written packet by packet here, with the anomalies the rules must report:
the manifest is the expectation, stated before finlint ever read the file.

Run from this directory: python3 make-synth.py.  Standard library only."""
import json
import struct

BASE = 1_700_000_000


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(src, dst, sport, dport, flags, seq, ack, payload=b"", win=512, ipid=1):
    fl = 0
    for ch, bit in (("F", 1), ("S", 2), ("R", 4), ("P", 8), ("A", 16)):
        if ch in flags:
            fl |= bit
    sa = bytes(int(x) for x in src.split("."))
    da = bytes(int(x) for x in dst.split("."))
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      5 << 4, fl, win, 0, 0) + payload
    pseudo = sa + da + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), ipid, 0x4000, 64, 6, 0, sa, da)
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
             "script": "tests/data/rules/make-synth.py",
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

    def send(self, side, flags, seq, ack, payload=b"", dt=0.001, ipid=1):
        a, b = self.ends[side], self.ends[1 - side]
        self.cap.t += dt
        self.cap.frames.append((self.cap.t, frame(a[0], b[0], a[1], b[1], flags, seq, ack,
                                                  payload, ipid=ipid)))
        return len(self.cap.frames)

    def expect(self, rule, packets, why):
        self.anomalies.append({"rule": rule, "packets": packets, "why": why})

    def record(self):
        c, s = self.ends
        return {"client": {"addr": c[0], "port": c[1]},
                "server": {"addr": s[0], "port": s[1]},
                "anomalies": self.anomalies}

    def handshake(self, cisn, sisn, synack_dt=0.001, ack_dt=0.001):
        """The three packets, the SYN|ACK synack_dt after the SYN and the ACK
        ack_dt after that: a long first and a short second interval put
        the capture point near the client (classify_capture_point)."""
        self.send(0, "S", cisn, 0)
        self.send(1, "SA", sisn, cisn + 1, dt=synack_dt)
        self.send(0, "A", cisn + 1, sisn + 1, dt=ack_dt)
        return cisn + 1, sisn + 1


C, S = 0, 1
cap = Capture("fin-ack-mismatch", "Broken FIN acknowledgements: a server that acks "
              "FIN.seq instead of FIN.seq + 1 and closes anyway; a server that acks "
              "five past the FIN.")
k = cap.conn(("10.9.0.1", 40001), ("10.9.0.2", 80))
c, s = k.handshake(1000, 5000)
k.send(C, "PA", c, s, b"x" * 100)
k.send(S, "A", s, c + 100)
fin = k.send(C, "FA", c + 100, s)
# 10 ms after the FIN, two round trips of this handshake: sent after the
# FIN arrived, so not a crossing
short = k.send(S, "A", s, c + 100, dt=0.010)
sfin = k.send(S, "FA", s, c + 100)
k.send(C, "A", c + 101, s + 1)
k.expect("fin-ack-mismatch", [fin, short, sfin],
         "the server acks the client's FIN with its seq (not seq + 1), then closes")
k = cap.conn(("10.9.0.1", 40002), ("10.9.0.2", 80))
c, s = k.handshake(0xFFFFFF00, 7000)  # the client's seq wraps through 2^32 here
k.send(C, "PA", c, s, b"y" * 300)
k.send(S, "A", s, c + 300)
fin = k.send(C, "FA", c + 300, s)
beyond = k.send(S, "FA", s, c + 306)
k.send(C, "A", c + 301, s + 1)
k.expect("fin-ack-mismatch", [fin, beyond], "the server acks five past FIN.seq + 1")
# FINs that crossed, the capture ending before either final ACK (as on
# loopback in suricata-verify's http-auth-unrecognized): the server's FIN
# acks only FIN.seq because it left before the client's FIN arrived
k = cap.conn(("10.9.0.1", 40003), ("10.9.0.2", 80))
c, s = k.handshake(2000, 9000)
k.send(C, "PA", c, s, b"z" * 100)
k.send(S, "PA", s, c + 100, b"w" * 200)
k.send(C, "A", c + 100, s + 200)
k.send(C, "FA", c + 100, s + 200)
k.send(S, "FA", s + 200, c + 100, dt=0.00002)
cap.write()

cap = Capture("fin-seq-mismatch", "FINs at the wrong sequence number: one behind data "
              "already sent, one re-sent further on.")
k = cap.conn(("10.9.1.1", 40011), ("10.9.1.2", 80))
c, s = k.handshake(2000, 6000)
k.send(C, "PA", c, s, b"a" * 200)
k.send(S, "A", s, c + 200)
fin = k.send(C, "FA", c + 100, s)
k.send(S, "FA", s, c + 200)
k.send(C, "A", c + 200, s + 1)
k.expect("fin-seq-mismatch", [fin], "FIN at seq 2101 after data up to 2201")
k = cap.conn(("10.9.1.1", 40012), ("10.9.1.2", 80))
c, s = k.handshake(3000, 8000)
k.send(C, "PA", c, s, b"b" * 50)
k.send(S, "A", s, c + 50)
fin = k.send(C, "FA", c + 50, s)
moved = k.send(C, "FA", c + 60, s, dt=0.2)
k.send(S, "FA", s, c + 61)
k.send(C, "A", c + 61, s + 1)
k.expect("fin-seq-mismatch", [fin, moved], "the FIN is re-sent ten bytes further on")
# Seen behind a VPN (nDPI's waze.pcap): the server closes first, both FINs
# are acknowledged, and the server then sends a second FIN one past its
# first; the client, closed, answers with a bare RST at its next seq, which
# ends the server's TIME_WAIT.  Nothing but a sequence number was "sent"
# after the first FIN: no data was lost.
k = cap.conn(("10.9.1.1", 40013), ("10.9.1.2", 80))
c, s = k.handshake(3500, 8500)
k.send(C, "PA", c, s, b"e" * 80)
k.send(S, "A", s, c + 80)
k.send(S, "PA", s, c + 80, b"f" * 300)
k.send(C, "A", c + 80, s + 300)
sfin = k.send(S, "FA", s + 300, c + 80)
k.send(C, "A", c + 80, s + 301, dt=0.05)
k.send(C, "FA", c + 80, s + 301, dt=0.05)
k.send(S, "A", s + 301, c + 81)
moved = k.send(S, "FA", s + 301, c + 81)
rst = k.send(C, "R", c + 81, 0)
k.expect("fin-seq-mismatch", [sfin, moved], "the server's second FIN one past its first")
k.expect("time-wait-assassination", [rst], "the client's RST answers it and ends the server's TIME_WAIT")
# A tool that sends each SYN with a fresh ISN from one port, the last one
# answered (suricata-verify's bug-7657): four connections, and the FIN of
# the last one is where its own stream ends, not behind the earlier ISNs
for n, isn in enumerate((0x7A000000, 0x05000000, 0x60000000)):
    k = cap.conn(("10.9.1.1", 40014), ("10.9.1.2", 80))
    k.send(C, "S", isn, 0, dt=0.16, ipid=28094 + 7919 * n)  # a fresh IP ID each
k = cap.conn(("10.9.1.1", 40014), ("10.9.1.2", 80))
c, s = k.handshake(0x10000000, 8800)
k.send(C, "PA", c, s, b"g" * 60)
k.send(S, "A", s, c + 60)
k.send(C, "FA", c + 60, s)
k.send(S, "FA", s, c + 61)
k.send(C, "A", c + 61, s + 1)
# Two SYN|ACKs with different ISNs 0.7 ms apart (a SYN proxy, nDPI's
# KakaoTalk_talk and tls_multiple_synack_different_seq): the client's ACK
# names the live one, the first here and the second in the next
# connection; the server's FIN is at the live stream's end
for live in (0, 1):
    k = cap.conn(("10.9.1.1", 40015 + live), ("10.9.1.2", 80))
    isns = (0x30000000, 0x30F56000)
    k.send(C, "S", 5000, 0)
    k.send(S, "SA", isns[0], 5001, dt=0.0024, ipid=0)
    k.send(S, "SA", isns[1], 5001, dt=0.0007, ipid=0x5C2E)  # another sender's IP ID
    s = isns[live] + 1
    k.send(C, "A", 5001, s, dt=0.008)
    k.send(C, "PA", 5001, s, b"h" * 609)
    k.send(S, "PA", s, 5610, b"i" * 206, dt=0.05)
    k.send(S, "FA", s + 206, 5610)
    k.send(C, "A", 5610, s + 207)
    k.send(C, "FA", 5610, s + 207)
    k.send(S, "A", s + 207, 5611)
# The server's ACK of the client's FIN, sent after its own FIN, captured
# before it at the same instant (Zeek's mysql tls-12-amazon-rds trace):
# its seq is one past the FIN, and the FIN is still at the stream's end
k = cap.conn(("10.9.1.1", 40017), ("10.9.1.2", 3306))
c, s = k.handshake(6000, 9600)
k.send(S, "PA", s, c, b"j" * 120)
k.send(C, "PA", c, s + 120, b"k" * 34)
k.send(C, "FA", c + 34, s + 120, dt=0.00006)
k.send(S, "A", s + 121, c + 35, dt=0.133)
k.send(S, "FA", s + 120, c + 34, dt=0.0)
k.send(C, "A", c + 35, s + 121, dt=0.0001)
cap.write()

cap = Capture("data-after-fin", "New data from a client after its own FIN.")
k = cap.conn(("10.9.2.1", 40021), ("10.9.2.2", 80))
c, s = k.handshake(4000, 9000)
k.send(C, "PA", c, s, b"c" * 100)
k.send(S, "A", s, c + 100)
fin = k.send(C, "FA", c + 100, s)
k.send(S, "A", s, c + 101)
late = k.send(C, "PA", c + 101, s, b"d" * 50)
k.send(S, "A", s, c + 101)
k.send(S, "FA", s, c + 101)
k.send(C, "A", c + 151, s + 1)
k.expect("data-after-fin", [fin, late], "50 bytes sent after the client's FIN")
cap.write()

cap = Capture("final-ack-missing", "A client FIN the server never acknowledges "
              "while it goes on sending for a second; the capture ends there.")
k = cap.conn(("10.9.3.1", 40031), ("10.9.3.2", 80))
c, s = k.handshake(5000, 10000)
k.send(C, "PA", c, s, b"e" * 100)
k.send(S, "A", s, c + 100)
fin = k.send(C, "FA", c + 100, s)
for i in range(3):
    last = k.send(S, "PA", s + i * 1000, c + 100, b"f" * 1000, dt=0.3)
    k.send(C, "A", c + 101, s + (i + 1) * 1000)
k.expect("final-ack-missing", [fin, last],
         "the server keeps sending with ack = FIN.seq for 0.9 s")
cap.write()

cap = Capture("time-wait-assassination", "A clean close, then a RST from the "
              "server reaches the client in TIME_WAIT (RFC 1337).")
k = cap.conn(("10.9.4.1", 40041), ("10.9.4.2", 80))
c, s = k.handshake(6000, 11000)
k.send(C, "PA", c, s, b"g" * 100)
k.send(S, "A", s, c + 100)
k.send(C, "FA", c + 100, s)
k.send(S, "A", s, c + 101)
k.send(S, "FA", s, c + 101)
k.send(C, "A", c + 101, s + 1)
rst = k.send(S, "RA", s + 1, c + 101, dt=1.0)
k.expect("time-wait-assassination", [rst], "RST into the client's TIME_WAIT")
# A Windows client ends its side with FIN and then RST|ACK 0.4 ms later
# (nDPI's emotet, wow and gnutella captures): the RST kills the server's
# fresh TIME_WAIT, reported as info
k = cap.conn(("10.9.4.1", 40042), ("10.9.4.2", 443))
c, s = k.handshake(6500, 11500)
k.send(C, "PA", c, s, b"h" * 100)
k.send(S, "PA", s, c + 100, b"i" * 31)
k.send(S, "FA", s + 31, c + 100)
k.send(C, "A", c + 100, s + 32)
k.send(C, "FA", c + 100, s + 32, dt=2.0)
rst = k.send(C, "RA", c + 101, s + 32, dt=0.0004)
k.expect("time-wait-assassination", [rst], "the client's own RST after its FIN ends the server's TIME_WAIT")
cap.write()

cap = Capture("rst-out-of-window", "A RST far outside the receiver's window in the "
              "middle of a connection, which goes on and closes cleanly; the same "
              "in a connection the client then aborts.")
k = cap.conn(("10.9.5.1", 40051), ("10.9.5.2", 80))
c, s = k.handshake(7000, 12000)
k.send(C, "PA", c, s, b"h" * 100)
k.send(S, "A", s, c + 100)
rst = k.send(S, "R", s + 100000, 0)
k.send(C, "PA", c + 100, s, b"i" * 100)
k.send(S, "PA", s, c + 200, b"j" * 200)
k.send(C, "FA", c + 200, s + 200)
k.send(S, "FA", s + 200, c + 201)
k.send(C, "A", c + 201, s + 201)
k.expect("rst-out-of-window", [rst], "RST seq 100000 beyond the server's stream")
# The ignored RST comes first, then the client aborts with a RST the server
# accepts: that second RST is the one that ended the connection and the one
# the reset rules judge (they once stopped at the first RST, ignored).
k = cap.conn(("10.9.5.1", 40052), ("10.9.5.2", 80))
c, s = k.handshake(7500, 12500)
k.send(C, "PA", c, s, b"k" * 100)
k.send(S, "A", s, c + 100)
rst = k.send(S, "R", s + 100000, 0)
k.send(S, "PA", s, c + 100, b"l" * 100)
abort = k.send(C, "RA", c + 100, s + 100, dt=0.1)
k.expect("rst-out-of-window", [rst], "RST seq 100000 beyond the server's stream")
k.expect("abortive-close", [abort], "then the client resets the open connection")
cap.write()

cap = Capture("final-ack-repair", "FIN retransmissions that are not a lost final ACK: "
              "a FIN re-sent with the data it carried, which the peer never acked; "
              "a FIN captured twice a microsecond apart; and, for contrast, a real "
              "lost final ACK.")
# The server closes first; the client's answer carries its last 50 bytes
# with the FIN, lost after the capture point: the server keeps acking
# below the FIN's seq and the client re-sends data and FIN together.
k = cap.conn(("10.9.6.1", 40061), ("10.9.6.2", 80))
c, s = k.handshake(8000, 13000)
k.send(C, "PA", c, s, b"m" * 100)
k.send(S, "A", s, c + 100)
sfin = k.send(S, "FA", s, c + 100, dt=0.05)
k.send(C, "A", c + 100, s + 1)
last = k.send(C, "FPA", c + 100, s + 1, b"n" * 50, dt=0.01)
k.send(S, "A", s + 1, c + 100, dt=0.02)
k.send(C, "FPA", c + 100, s + 1, b"n" * 50, dt=0.3)
k.send(S, "A", s + 1, c + 151)
k.expect("half-close", [sfin, last],
         "the client's last data and FIN follow the server's FIN (a half-close)")
# A LAST_ACK FIN captured twice, 1 us apart, then acknowledged.
k = cap.conn(("10.9.6.1", 40062), ("10.9.6.2", 80))
c, s = k.handshake(8500, 13500)
k.send(C, "PA", c, s, b"o" * 100)
k.send(S, "A", s, c + 100)
k.send(S, "FA", s, c + 100, dt=0.05)
k.send(C, "A", c + 100, s + 1)
k.send(C, "FA", c + 100, s + 1, dt=0.01)
k.send(C, "FA", c + 100, s + 1, dt=0.000001)
k.send(S, "A", s + 1, c + 101, dt=0.02)
# The real thing: the server's ACK of the client's FIN, then the same FIN
# again 0.2 s later (an RTO) and the server's second ACK from TIME_WAIT.
k = cap.conn(("10.9.6.1", 40063), ("10.9.6.2", 80))
c, s = k.handshake(9000, 14000)
k.send(C, "PA", c, s, b"p" * 100)
k.send(S, "A", s, c + 100)
k.send(S, "FA", s, c + 100, dt=0.05)
k.send(C, "A", c + 100, s + 1)
k.send(C, "FA", c + 100, s + 1, dt=0.01)
ack = k.send(S, "A", s + 1, c + 101, dt=0.02)
again = k.send(C, "FA", c + 100, s + 1, dt=0.2)
k.send(S, "A", s + 1, c + 101, dt=0.02)
k.expect("final-ack-lost", [ack, again],
         "the server acked the client's FIN, yet the client re-sent it an RTO later")
# FINs that crossed, but the server's first FIN never reached the client's
# TCP: the client's next packets still ack below it, and only the FIN's
# retransmission 0.4 s later is acknowledged (as in Zeek's ftp bruteforce
# trace, whose capture point the handshake does not tell)
k = cap.conn(("10.9.6.1", 40064), ("10.9.6.2", 21))
# captured near the client, so the client's packets after the FIN show
# what it took
c, s = k.handshake(9500, 14500, synack_dt=0.02, ack_dt=0.0001)
k.send(C, "PA", c, s, b"QUIT\r\n")
k.send(S, "PA", s, c + 6, b"221 Goodbye.\r\n")
k.send(C, "A", c + 6, s + 14)
sfin = k.send(S, "FA", s + 14, c + 6, dt=0.0005)
cfin = k.send(C, "FA", c + 6, s + 14, dt=0.0002)
k.send(S, "A", s + 15, c + 7, dt=0.0002)
k.send(C, "A", c + 7, s + 14, dt=0.0025)
again = k.send(S, "FA", s + 14, c + 7, dt=0.404)
k.send(C, "A", c + 7, s + 15, dt=0.0004)
k.expect("simultaneous-close", [sfin, cfin, again],
         "the FINs crossed; the server's first FIN was not taken, its retransmission was")
# A lost final ACK seen near the client (Zeek's mysql tls-12-amazon-rds
# trace): the client never acknowledged the server's first FIN, so that
# copy, not an ACK, was lost (or dropped by the client's stack)
k = cap.conn(("10.9.6.1", 40066), ("10.9.6.2", 3306))
c, s = k.handshake(9900, 14900, synack_dt=0.129, ack_dt=0.00003)
k.send(C, "PA", c, s, b"s" * 34)
k.send(C, "FA", c + 34, s, dt=0.00006)
k.send(S, "A", s, c + 35, dt=0.133)
fin = k.send(S, "FA", s, c + 35, dt=0.00001)
again = k.send(S, "FA", s, c + 35, dt=0.385)
k.send(C, "A", c + 35, s + 1, dt=0.00004)
k.expect("final-ack-lost", [fin, again], "the server re-sends its FIN; near the client, no ACK of the first copy")
# The same crossing from a stack that repeats its FIN when the peer's FIN
# arrives (macOS, BSD; Zeek's http get-gzip trace): nothing was lost
k = cap.conn(("10.9.6.1", 40065), ("10.9.6.2", 80))
c, s = k.handshake(9700, 14700, synack_dt=0.0228, ack_dt=0.0002)
k.send(C, "PA", c, s, b"q" * 79)
k.send(S, "PA", s, c + 79, b"r" * 342, dt=0.035)
k.send(C, "A", c + 79, s + 342, dt=0.0002)
cfin = k.send(C, "FA", c + 79, s + 342, dt=0.0002)
sfin = k.send(S, "FA", s + 342, c + 79, dt=0.0021)
k.send(C, "FA", c + 79, s + 343, dt=0.0001)
k.send(S, "A", s + 343, c + 80, dt=0.0202)
k.send(C, "A", c + 80, s + 343, dt=0.0001)
k.expect("simultaneous-close", [cfin, sfin], "the FINs crossed; the client repeats its FIN to ack the server's")
cap.write()

cap = Capture("connect-timeout", "Unanswered SYNs: a client that retries with backoff "
              "and gives up; one still retrying when the capture ends; a single SYN "
              "(a scan's, or the capture's end: no evidence); three SYNs 1 ms apart "
              "(no retransmission timer is that fast).")
k = cap.conn(("10.9.7.1", 40071), ("10.9.7.2", 80))
syns = [k.send(C, "S", 20000, 0, dt=d) for d in (0.001, 1.0, 2.0, 4.0)]
k.expect("connect-timeout", syns, "SYN at 0, 1, 3, 7 s, then 20 s of silence: gave up")
k = cap.conn(("10.9.7.1", 40072), ("10.9.7.2", 81))
k.send(C, "S", 21000, 0, dt=0.5)
for i in range(3):
    k.send(C, "S", 21000 + 1000 * (i + 1), 0, dt=0.001)  # distinct ISNs: a tool's probes
k = cap.conn(("10.9.7.1", 40073), ("10.9.7.2", 82))
k.send(C, "S", 22000, 0, dt=5.0)
k = cap.conn(("10.9.7.1", 40074), ("10.9.7.2", 83))
syns = [k.send(C, "S", 23000, 0, dt=d) for d in (14.0, 1.0, 2.0, 4.0)]
k.expect("connect-timeout", syns, "SYN at 20, 21, 23, 27 s and the capture ends: mid-series")
k = cap.conn(("10.9.7.1", 40075), ("10.9.7.2", 84))
for d in (0.0001, 0.001, 0.001):
    k.send(C, "S", 24000, 0, dt=d)
cap.write()

cap = Capture("last-ack-giveup", "A passive closer whose FIN the peer never answers: "
              "retried with backoff until the retries stop; the same with the capture "
              "ending during the retries.")
for port, end in ((40081, True), (40082, False)):
    k = cap.conn(("10.9.8.1", port), ("10.9.8.2", 80))
    cap.t += 0.0 if end else 1.0
    c, s = k.handshake(30000 + port, 40000 + port)
    k.send(C, "PA", c, s, b"q" * 100)
    k.send(S, "A", s, c + 100)
    sfin = k.send(S, "FA", s, c + 100, dt=0.05)
    k.send(C, "A", c + 100, s + 1)
    fins = [k.send(C, "FA", c + 100, s + 1, dt=d) for d in (0.01, 0.2, 0.4, 0.8)]
    k.expect("last-ack-giveup", [sfin] + fins,
             "the server closed first and never answered the client's FIN or its "
             "three retransmissions" + ("; 2.5 s of silence" if end else
                                        "; the capture ends 0.5 s after the last"))
# The capture goes on 0.5 s after the second connection's last FIN (another
# host's single SYN, no finding): 2.5 s after the first connection's.
cap.conn(("10.9.8.3", 40083), ("10.9.8.2", 80)).send(C, "S", 50000, 0, dt=0.5)
cap.write()

cap = Capture("close-wait-end", "CLOSE_WAIT that the application never ended: one "
              "still open when the capture ends, 5 s after the peer's FIN (below the "
              "threshold: info); one ended 70 s later by the peer's RST; one whose "
              "keepalive probe 75 s later is answered by RST; one whose probe 10 s "
              "later is (info).")
k2 = cap.conn(("10.9.9.1", 40092), ("10.9.9.2", 80))
c2, s2 = k2.handshake(60000, 61000)
k2.send(S, "PA", s2, c2, b"r" * 100)
k2.send(C, "A", c2, s2 + 100)
fin2 = k2.send(C, "FA", c2, s2 + 100)
ack2 = k2.send(S, "A", s2 + 100, c2 + 1)
k3 = cap.conn(("10.9.9.1", 40093), ("10.9.9.2", 80))
c3, s3 = k3.handshake(62000, 63000)
k3.send(S, "PA", s3, c3, b"s" * 100)
k3.send(C, "A", c3, s3 + 100)
fin3 = k3.send(C, "FA", c3, s3 + 100)
ack3 = k3.send(S, "A", s3 + 100, c3 + 1)
rst2 = k2.send(C, "R", c2 + 1, 0, dt=70.0)  # the client's FIN_WAIT_2 gave up
k2.expect("close-wait-stuck", [fin2, ack2, rst2],
          "the server never closed; the client's RST 70 s later ended CLOSE_WAIT")
probe3 = k3.send(S, "A", s3 + 99, c3 + 1, dt=5.0)  # keepalive: seq = SND.UNA - 1
rst3 = k3.send(C, "R", c3 + 1, 0, dt=0.001)
k3.expect("close-wait-stuck", [fin3, ack3, probe3, rst3],
          "the server's keepalive 75 s after the client's FIN is answered by RST")
# below the threshold: a keepalive 10 s after the FIN, answered by RST (info)
k4 = cap.conn(("10.9.9.1", 40095), ("10.9.9.2", 80))
c4, s4 = k4.handshake(67000, 68000)
k4.send(S, "PA", s4, c4, b"u" * 100)
k4.send(C, "A", c4, s4 + 100)
fin4 = k4.send(C, "FA", c4, s4 + 100)
ack4 = k4.send(S, "A", s4 + 100, c4 + 1)
probe4 = k4.send(S, "A", s4 + 99, c4 + 1, dt=10.0)
rst4 = k4.send(C, "R", c4 + 1, 0, dt=0.001)
k4.expect("close-wait-stuck", [fin4, ack4, probe4, rst4],
          "the server's keepalive 10 s after the client's FIN is answered by RST (info)")
k1 = cap.conn(("10.9.9.1", 40091), ("10.9.9.2", 80))
c1, s1 = k1.handshake(64000, 65000)
k1.send(S, "PA", s1, c1, b"t" * 100)
k1.send(C, "A", c1, s1 + 100)
fin1 = k1.send(C, "FA", c1, s1 + 100)
ack1 = k1.send(S, "A", s1 + 100, c1 + 1)
k1.expect("close-wait-stuck", [fin1, ack1],
          "the server is still in CLOSE_WAIT when the capture ends 5 s later (info)")
# the capture goes on for 5 s: another host's single SYN marks its end
cap.conn(("10.9.9.3", 40094), ("10.9.9.2", 80)).send(C, "S", 66000, 0, dt=5.0)
cap.write()

cap = Capture("mid-stream-guess", "A FIN behind data already sent, in a connection "
              "picked up mid-stream: the finding's confidence is low, so it does not "
              "fail a run at the default --min-confidence medium.")
k = cap.conn(("10.9.10.1", 40101), ("10.9.10.2", 80))
k.send(C, "PA", 70000, 71000, b"v" * 200)
k.send(S, "A", 71000, 70200)
fin = k.send(C, "FA", 70100, 71000)
k.send(S, "FA", 71000, 70200)
k.send(C, "A", 70200, 71001)
k.expect("fin-seq-mismatch", [fin], "FIN at seq 70100 after data up to 70200")
cap.write()
