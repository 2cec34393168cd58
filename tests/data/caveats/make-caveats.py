#!/usr/bin/env python3
"""Write the hostile captures of tests/data/caveats/ and the fuzz seeds made
from the same shapes (tests/fuzz-seeds/).  tests/caveats.test says what
finlint must report for each.

  teb-nest.pcap      Ethernet in Ethernet (0x6558), plain and behind LLC/SNAP:
                     one level (decodes), 13 levels (over the nesting limit)
  orig-len.pcap      IP lengths of 0 with a record length of ~4 GB, which the
                     IP header does not vouch for; the same lengths of 0 in
                     frames captured whole; an IPv6 Jumbo Payload option
  y2041.pcap         a clean connection on 2041-03-21, past the signed 32-bit
  y2041.pcapng       seconds of 2038 (the same packets in both formats)
  time-back.pcap     a frame dated 100 s after the rest first; a packet 5 s
                     before its predecessor; a FIN "answered" by a packet
                     dated before it
  time-outlier.pcap  three open connections and one packet dated five years
                     ahead in the middle of them
  time-outlier-batch.pcap  the same with the outlier as the 256th packet
  time-gap-batch.pcap      a real two-hour gap before the 256th packet

Run from this directory: python3 make-caveats.py.  Standard library only;
rerunning gives byte-identical files."""
import calendar
import struct

BASE = 1_700_000_000  # 2023-11-14T22:13:20Z
MAC = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01"


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def tcp(sport, dport, flags, seq, ack, payload=b"", win=512):
    fl = 0
    for ch, bit in (("F", 1), ("S", 2), ("R", 4), ("P", 8), ("A", 16)):
        if ch in flags:
            fl |= bit
    return struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                       5 << 4, fl, win, 0, 0) + payload


def ipv4(src, dst, payload, total=None, proto=6):
    sa = bytes(int(x) for x in src.split("."))
    da = bytes(int(x) for x in dst.split("."))
    if total is None:
        total = 20 + len(payload)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 1, 0x4000, 64, proto, 0, sa, da)
    return ip[:10] + struct.pack("!H", csum(ip)) + ip[12:] + payload


def ipv6(src, dst, payload, plen=None, nh=6):
    if plen is None:
        plen = len(payload)
    return (struct.pack("!IHBB", 6 << 28, plen, nh, 64) + bytes(16 - len(src)) + src +
            bytes(16 - len(dst)) + dst + payload)


def eth(payload, etype=0x0800):
    return MAC + struct.pack("!H", etype) + payload


def write_pcap(path, records):
    """records: (seconds, microseconds, frame[, orig_len])"""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for r in records:
            sec, usec, fr = r[:3]
            orig = r[3] if len(r) > 3 else len(fr)
            f.write(struct.pack("<IIII", sec, usec, len(fr), orig))
            f.write(fr)


def block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def write_pcapng(path, records):
    """The same records as write_pcap, as EPBs with 64-bit microseconds."""
    with open(path, "wb") as f:
        f.write(block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
        f.write(block(1, struct.pack("<HHI", 1, 0, 65535)))
        for sec, usec, fr in records:
            ts = sec * 1_000_000 + usec
            f.write(block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(fr),
                                         len(fr)) + fr))


def teb(inner, levels, snap):
    """inner: a whole Ethernet frame; wrap it in levels more Ethernet headers."""
    for _ in range(levels):
        if snap:
            # an 802.3 length, at most 1500 or it would be a type
            inner = MAC + struct.pack("!H", min(8 + len(inner), 1500)) + \
                b"\xaa\xaa\x03\0\0\0\x65\x58" + inner
        else:
            inner = eth(inner, 0x6558)
    return inner


def v4(sport, dport, flags, seq, ack, payload=b""):
    return eth(ipv4("10.7.0.1", "10.7.0.2", tcp(sport, dport, flags, seq, ack, payload)))


def v4r(sport, dport, flags, seq, ack, payload=b""):
    return eth(ipv4("10.7.0.2", "10.7.0.1", tcp(sport, dport, flags, seq, ack, payload)))


def clean_close(port, t, dt=0.001):
    """A whole connection from the client's port to 80: (t, frame) pairs."""
    c, s = 1000, 5000
    pkts = [v4(port, 80, "S", c, 0), v4r(80, port, "SA", s, c + 1),
            v4(port, 80, "A", c + 1, s + 1), v4(port, 80, "FA", c + 1, s + 1),
            v4r(80, port, "A", s + 1, c + 2), v4r(80, port, "FA", s + 1, c + 2),
            v4(port, 80, "A", c + 2, s + 2)]
    return [(t + i * dt, p) for i, p in enumerate(pkts)]


def at(t, frame):
    sec = int(t)
    return (sec, int(round((t - sec) * 1e6)), frame)


# --- teb-nest.pcap ------------------------------------------------------------
syn = v4(40000, 80, "S", 1000, 0)
write_pcap("teb-nest.pcap", [at(BASE, teb(syn, 1, False)),
                             at(BASE + 0.001, teb(syn, 13, False)),
                             at(BASE + 0.002, teb(syn, 13, True))])

# --- orig-len.pcap ------------------------------------------------------------
A6 = b"\x20\x01\x0d\xb8" + bytes(11) + b"\x01"
B6 = b"\x20\x01\x0d\xb8" + bytes(11) + b"\x02"
seg = tcp(40000, 80, "A", 1000, 5000)
huge = 0xFFFF0000
jumbo_len = 100_000
hbh_jumbo = struct.pack("!BBBBI", 6, 0, 0xC2, 4, jumbo_len)
frames = [
    eth(ipv6(A6, B6, seg, plen=0), 0x86DD),             # 1: plen 0, no Jumbo, 4 GB record
    eth(ipv4("10.7.0.1", "10.7.0.2", seg, total=0)),    # 2: total 0, 4 GB record
    eth(ipv6(A6, B6, hbh_jumbo + seg, plen=0, nh=0), 0x86DD),  # 3: Jumbo, cut by the snaplen
    eth(ipv4("10.7.0.1", "10.7.0.2", seg + b"z" * 30, total=0)),   # 4: whole, total 0
    eth(ipv6(A6, B6, seg + b"z" * 40, plen=0), 0x86DD),            # 5: whole, plen 0
]
origs = [len(frames[0]) + huge, len(frames[1]) + huge, 14 + 40 + jumbo_len,
         len(frames[3]), len(frames[4])]
write_pcap("orig-len.pcap", [(BASE, i * 1000, fr, o)
                             for i, (fr, o) in enumerate(zip(frames, origs))])

# --- y2041.pcap / y2041.pcapng ------------------------------------------------
T2041 = calendar.timegm((2041, 3, 21, 12, 0, 0, 0, 0, 0))
recs = [(T2041, i * 1000, fr) for i, (_, fr) in enumerate(clean_close(40000, 0))]
write_pcap("y2041.pcap", recs)
write_pcapng("y2041.pcapng", recs)

# --- time-back.pcap -----------------------------------------------------------
arp = eth(bytes(28), 0x0806)
recs = [at(BASE + 100, arp)]                       # 1: 100 s after what follows
conn = clean_close(40001, BASE)
conn[4] = (BASE - 5, conn[4][1])                   # 6: 5 s before packet 5
recs += [at(t, fr) for t, fr in conn]
# 9-12: a FIN the server is seen to answer with an ACK short of FIN+1 dated
# before the FIN: nothing came from the server after the FIN in time.
c, s = 2000, 6000
recs += [at(BASE + 10, v4(40002, 80, "S", c, 0)),
         at(BASE + 10.001, v4r(80, 40002, "SA", s, c + 1)),
         at(BASE + 10.002, v4(40002, 80, "A", c + 1, s + 1)),
         at(BASE + 12, v4(40002, 80, "FA", c + 1, s + 1)),
         at(BASE + 11, v4r(80, 40002, "A", s + 1, c + 1))]
write_pcap("time-back.pcap", recs)

# --- time-outlier.pcap --------------------------------------------------------
# Three connections open at BASE, each sends data at BASE + 1; one packet of
# the second is dated five years on; then all three close at BASE + 2.
recs = []
ports = (40010, 40011, 40012)
for p in ports:
    recs += [at(BASE, v4(p, 80, "S", 1000, 0)), at(BASE, v4r(80, p, "SA", 5000, 1001)),
             at(BASE, v4(p, 80, "A", 1001, 5001))]
for i, p in enumerate(ports):
    t = BASE + 1 + i * 0.001
    if i == 1:
        t += 5 * 365 * 86400
    recs += [at(t, v4(p, 80, "PA", 1001, 5001, b"q" * 10)),
             at(BASE + 1.0005 + i * 0.001, v4r(80, p, "A", 5001, 1011))]
for p in ports:
    recs += [at(BASE + 2, v4(p, 80, "FA", 1011, 5001)), at(BASE + 2, v4r(80, p, "A", 5001, 1012)),
             at(BASE + 2, v4r(80, p, "FA", 5001, 1012)), at(BASE + 2, v4(p, 80, "A", 1012, 5002))]
write_pcap("time-outlier.pcap", recs)
outlier_recs = recs

# --- time-outlier-batch.pcap ------------------------------------------------------
# The same, with the outlier the 256th packet: the last of the reader's
# first batch, whose date waits for the next batch.
recs = []
for p in (40020, 40021):
    recs += [at(BASE, v4(p, 80, "S", 1000, 0)), at(BASE, v4r(80, p, "SA", 5000, 1001)),
             at(BASE, v4(p, 80, "A", 1001, 5001))]
seq = 1001
while len(recs) < 255:
    recs.append(at(BASE + 1 + len(recs) * 0.001, v4(40020, 80, "PA", seq, 5001, b"r")))
    seq += 1
recs.append(at(BASE + 5 * 365 * 86400, v4(40021, 80, "PA", 1001, 5001, b"s")))
for p, s_ in ((40020, seq), (40021, 1002)):
    recs += [at(BASE + 2, v4r(80, p, "A", 5001, s_)), at(BASE + 2, v4(p, 80, "FA", s_, 5001)),
             at(BASE + 2, v4r(80, p, "FA", 5001, s_ + 1)), at(BASE + 2, v4(p, 80, "A", s_ + 1, 5002))]
write_pcap("time-outlier-batch.pcap", recs)

# --- time-gap-batch.pcap ----------------------------------------------------
# The same 256th packet two hours on, and the rest after it too: a real
# gap, which ends both connections as the idle timeout says.
GAP = 2 * 3600
recs = recs[:255] + [at(BASE + GAP, v4(40021, 80, "PA", 1001, 5001, b"s"))] + \
    [(sec + GAP, usec, fr) for sec, usec, fr in recs[256:]]
write_pcap("time-gap-batch.pcap", recs)

# --- fuzz seeds: the crashing shape at a size a seed can have -----------------
write_pcap("../../fuzz-seeds/teb-deep.pcap",
           [at(BASE, teb(syn, 200, False)), at(BASE, teb(syn, 200, True))])
write_pcap("../../fuzz-seeds/orig-len.pcap", [(BASE, i * 1000, fr, o)
                                              for i, (fr, o) in enumerate(zip(frames, origs))])
write_pcap("../../fuzz-seeds/time-outlier.pcap", outlier_recs)
