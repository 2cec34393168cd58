#!/usr/bin/env python3
"""Make the other point of a capture pair from one lab capture (classic
pcap, Ethernet, IPv4), for tests/pair.test:

  pair-make.py IN OUT [--drop N,...] [--retransmit N:SECONDS]
                      [--offset SECONDS] [--delay SECONDS] [--nat ADDR:PORT]
                      [--retime N:SECONDS] [--split N:K]

--drop leaves frames out (lost before this point, or never sent here);
--retransmit adds a copy of frame N SECONDS later with another IP ID (the
sender's retransmission); --offset shifts every time (another clock);
--delay moves the client's packets later and the server's earlier (this
point lies that far toward the server); --nat rewrites the client's
address and port (source NAT between the points); --retime moves frame N
and every later one SECONDS later (an idle gap); --split cuts frame N's
payload in K segments (what TSO/GSO sends for one segment a capture on
the sender saw).  The client is the
first frame's sender.  Frames are written in time order.
"""
import argparse
import socket
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def fix_sums(frame):
    """Recompute the IPv4 header's and the TCP checksum of an Ethernet frame."""
    f = bytearray(frame)
    ip = 14
    ihl = (f[ip] & 15) * 4
    total = struct.unpack("!H", f[ip + 2:ip + 4])[0]
    f[ip + 10:ip + 12] = b"\0\0"
    f[ip + 10:ip + 12] = struct.pack("!H", csum(bytes(f[ip:ip + ihl])))
    tcp = ip + ihl
    seg = bytearray(f[tcp:ip + total])
    seg[16:18] = b"\0\0"
    pseudo = bytes(f[ip + 12:ip + 20]) + struct.pack("!BBH", 0, 6, len(seg))
    f[tcp + 16:tcp + 18] = struct.pack("!H", csum(pseudo + bytes(seg)))
    return bytes(f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("inp")
    ap.add_argument("out")
    ap.add_argument("--drop", default="")
    ap.add_argument("--retransmit", action="append", default=[])
    ap.add_argument("--offset", type=float, default=0.0)
    ap.add_argument("--delay", type=float, default=0.0)
    ap.add_argument("--nat", default=None)
    ap.add_argument("--retime", default=None)
    ap.add_argument("--split", default=None)
    a = ap.parse_args()

    raw = open(a.inp, "rb").read()
    head, body = raw[:24], raw[24:]
    magic = struct.unpack("<I", head[:4])[0]
    if magic != 0xA1B2C3D4:
        sys.exit("pair-make: %s: not a little-endian microsecond pcap" % a.inp)
    frames = []
    pos = 0
    while pos + 16 <= len(body):
        sec, usec, incl, orig = struct.unpack("<IIII", body[pos:pos + 16])
        frames.append([sec * 1000000 + usec, body[pos + 16:pos + 16 + incl], orig])
        pos += 16 + incl
    client = frames[0][1][14 + 12:14 + 16]
    cport = frames[0][1][14 + 20:14 + 22]
    if a.retime:
        n, later = a.retime.split(":")
        for f in frames[int(n) - 1:]:
            f[0] += round(float(later) * 1e6)
    drop = {int(n) for n in a.drop.split(",") if n}
    out = []
    for i, (t, data, orig) in enumerate(frames, 1):
        if i in drop:
            continue
        out.append([t, data, orig])
    if a.split:
        # frame N's payload in K pieces, as a NIC's TSO cuts it: the same
        # headers, seq advanced, IP IDs counted up, 1 us apart
        n, k = map(int, a.split.split(":"))
        at = [i for i, f in enumerate(out) if f[1] is frames[n - 1][1]][0]
        t, data, orig = out[at]
        d = bytearray(data)
        ihl = (d[14] & 15) * 4
        thl = (d[14 + ihl + 12] >> 4) * 4
        hlen = 14 + ihl + thl
        total = struct.unpack("!H", d[16:18])[0]
        payload = bytes(d[hlen:14 + total])
        seq = struct.unpack("!I", d[14 + ihl + 4:14 + ihl + 8])[0]
        ipid = struct.unpack("!H", d[18:20])[0]
        size = -(-len(payload) // k)
        pieces = []
        for i in range(k):
            part = payload[i * size:(i + 1) * size]
            p = bytearray(d[:hlen]) + part
            p[16:18] = struct.pack("!H", ihl + thl + len(part))
            p[18:20] = struct.pack("!H", (ipid + i) & 0xFFFF)
            p[14 + ihl + 4:14 + ihl + 8] = struct.pack("!I", (seq + i * size) & 0xFFFFFFFF)
            if i + 1 < k:
                p[14 + ihl + 13] &= ~0x09 & 0xFF  # FIN and PSH on the last piece only
            pieces.append([t + i, fix_sums(bytes(p)), len(p)])
        out[at:at + 1] = pieces
    for spec in a.retransmit:
        n, later = spec.split(":")
        t, data, orig = frames[int(n) - 1]
        d = bytearray(data)
        ipid = (struct.unpack("!H", d[18:20])[0] + 1000) & 0xFFFF
        d[18:20] = struct.pack("!H", ipid)
        out.append([t + round(float(later) * 1e6), fix_sums(bytes(d)), orig])
    for f in out:
        from_client = f[1][14 + 12:14 + 16] == client and f[1][14 + 20:14 + 22] == cport
        f[0] += round((a.offset + (a.delay if from_client else -a.delay)) * 1e6)
        if a.nat:
            addr, port = a.nat.split(":")
            d = bytearray(f[1])
            ihl = (d[14] & 15) * 4
            if from_client:
                d[14 + 12:14 + 16] = socket.inet_aton(addr)
                d[14 + ihl:14 + ihl + 2] = struct.pack("!H", int(port))
            else:
                d[14 + 16:14 + 20] = socket.inet_aton(addr)
                d[14 + ihl + 2:14 + ihl + 4] = struct.pack("!H", int(port))
            f[1] = fix_sums(bytes(d))
    out.sort(key=lambda f: f[0])
    with open(a.out, "wb") as w:
        w.write(head)
        for t, data, orig in out:
            w.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(data), orig))
            w.write(data)


main()
