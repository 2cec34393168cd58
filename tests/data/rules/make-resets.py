#!/usr/bin/env python3
"""Write the reset captures of tests/data/rules/ that need IP header facts
(TTL, IP ID) or RST payload, and their manifests.

  rst-with-payload.pcap  a server answers a request with RST|ACK carrying
                         the text 'Access Denied' (as a filtering proxy does).
  middlebox-reset.pcap   an idle connection is reset in the client's name by
                         a device with another TTL (251 where the client's
                         packets arrive with 52); a second connection is
                         reset by the client itself (same TTL): nothing to
                         report beyond the abort.

Run from this directory: python3 make-resets.py.  Standard library only."""
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


def frame(src, dst, sport, dport, flags, seq, ack, payload, ttl, ipid, win=512):
    fl = sum(bit for ch, bit in (("F", 1), ("S", 2), ("R", 4), ("P", 8), ("A", 16)) if ch in flags)
    sa = bytes(int(x) for x in src.split("."))
    da = bytes(int(x) for x in dst.split("."))
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      5 << 4, fl, win, 0, 0) + payload
    pseudo = sa + da + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), ipid, 0x4000, ttl, 6, 0, sa, da)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00" + ip + tcp


class Capture:
    def __init__(self, name, scenario):
        self.name, self.scenario, self.frames, self.conns, self.t = name, scenario, [], [], 0.0

    def write(self):
        with open(self.name + ".pcap", "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for t, fr in self.frames:
                sec = int(t)
                f.write(struct.pack("<IIII", BASE + sec, int(round((t - sec) * 1e6)),
                                    len(fr), len(fr)))
                f.write(fr)
        with open(self.name + ".json", "w") as f:
            json.dump({"scenario": self.scenario, "script": "tests/data/rules/make-resets.py",
                       "capture_side": "synthesized", "packets": len(self.frames),
                       "connections": [c.record() for c in self.conns]}, f, indent=1)
            f.write("\n")


class Conn:
    """One connection; each side has a TTL as seen here and an IP ID counter."""

    def __init__(self, cap, client, server, ttls):
        self.cap, self.ends, self.ttl, self.anomalies = cap, (client, server), list(ttls), []
        self.ipid = [1000, 30000]
        cap.conns.append(self)

    def send(self, side, flags, seq, ack, payload=b"", dt=0.001, ttl=None, ipid=None):
        a, b = self.ends[side], self.ends[1 - side]
        self.cap.t += dt
        if ipid is None:
            self.ipid[side] += 1
            ipid = self.ipid[side]
        self.cap.frames.append((self.cap.t, frame(a[0], b[0], a[1], b[1], flags, seq, ack,
                                                  payload, ttl or self.ttl[side], ipid)))
        return len(self.cap.frames)

    def expect(self, rule, packets, why):
        self.anomalies.append({"rule": rule, "packets": packets, "why": why})

    def record(self):
        c, s = self.ends
        return {"client": {"addr": c[0], "port": c[1]}, "server": {"addr": s[0], "port": s[1]},
                "anomalies": self.anomalies}

    def handshake(self, cisn, sisn):
        self.send(0, "S", cisn, 0)
        self.send(1, "SA", sisn, cisn + 1)
        self.send(0, "A", cisn + 1, sisn + 1)
        return cisn + 1, sisn + 1


C, S = 0, 1

cap = Capture("rst-with-payload", "A server answers a request with RST|ACK at its next seq "
              "carrying 'Access Denied', as filtering proxies do.")
k = Conn(cap, ("10.9.8.1", 40081), ("10.9.8.2", 8080), (64, 60))
c, s = k.handshake(1000, 9000)
req = k.send(C, "PA", c, s, b"GET / HTTP/1.1\r\n\r\n")
k.send(S, "A", s, c + 18)
rst = k.send(S, "RA", s, c + 18, b"Access Denied")
k.expect("abortive-close", [req, rst], "the server aborts with RST|ACK at its next seq, the "
         "request acked but never answered")
k.expect("rst-with-payload", [rst], "the RST carries 13 bytes 'Access Denied'")
cap.write()

cap = Capture("middlebox-reset", "An idle connection reset in the client's name by a device "
              "whose packets arrive with TTL 251, the client's with 52; then one the client "
              "resets itself.")
k = Conn(cap, ("10.9.9.1", 40091), ("10.9.9.2", 3268), (52, 124))
c, s = k.handshake(2000, 7000)
k.send(C, "PA", c, s, b"q" * 52)
k.send(S, "PA", s, c + 52, b"r" * 22)
k.send(C, "PA", c + 52, s + 22, b"q" * 113)
k.send(S, "PA", s + 22, c + 165, b"r" * 144)
k.send(C, "A", c + 165, s + 166)
rst = k.send(C, "RA", c + 165, s + 166, dt=181.0, ttl=251, ipid=32788)
k.expect("middlebox-reset", [rst], "RST|ACK in the client's name with TTL 251 after 181 s "
         "idle; every client segment had TTL 52")
k = Conn(cap, ("10.9.9.1", 40092), ("10.9.9.2", 3268), (52, 124))
c, s = k.handshake(3000, 8000)
k.send(C, "PA", c, s, b"q" * 52)
k.send(S, "PA", s, c + 52, b"r" * 22)
k.send(C, "PA", c + 52, s + 22, b"q" * 10)
k.send(S, "A", s + 22, c + 62)
rst = k.send(C, "RA", c + 62, s + 22, dt=0.5)
k.expect("abortive-close", [rst], "the client aborts with RST|ACK at its next seq, TTL 52 "
         "like its other packets: its own reset, no middlebox")
cap.write()
