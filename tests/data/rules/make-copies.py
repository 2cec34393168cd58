#!/usr/bin/env python3
"""Write the capture-artefact captures of tests/data/rules/ from a real one.

A capture taken on both sides of a device holds every packet twice.  These
files are made from the lab's half-close capture (samples/06, a real Linux
exchange) by doing to it what such captures do, so the expectation is the
original's: the same findings at the kept copies' packet numbers.

  copies-router.pcap   every packet again 5 us later with the TTL one
                       lower: the capture saw both sides of a router.
  copies-shifted.pcap  the client sits behind a firewall that randomises
                       ISNs: outside, its seq is D higher and the server's
                       ack (and SACK blocks) D higher; each packet is seen
                       first on its sender's side, 20 us before the other.

Run from this directory: python3 make-copies.py.  Standard library only."""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "..", "..", "samples", "06-half-close-data-after-fin")
SHIFT = 0x5A3C1F07  # the firewall's offset: any large 32-bit value


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def read_pcap(path):
    with open(path, "rb") as f:
        head = f.read(24)
        assert struct.unpack("<I", head[:4])[0] == 0xA1B2C3D4, "little-endian usec pcap"
        out = []
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return head, out
            sec, usec, incl, orig = struct.unpack("<IIII", rec)
            out.append([sec * 1000000 + usec, f.read(incl)])


def rewrite(frame, ttl_down=0, seq_add=0, ack_add=0):
    """The frame with its TTL, seq, ack and SACK blocks changed and both
    checksums recomputed (IPv4 without options, behind Ethernet)."""
    b = bytearray(frame)
    ip, ihl = 14, (frame[14] & 15) * 4
    tcp = ip + ihl
    b[ip + 8] -= ttl_down
    b[ip + 10:ip + 12] = b"\0\0"
    b[ip + 10:ip + 12] = struct.pack("!H", csum(bytes(b[ip:tcp])))
    seq, ack = struct.unpack("!II", b[tcp + 4:tcp + 12])
    b[tcp + 4:tcp + 12] = struct.pack("!II", (seq + seq_add) & 0xFFFFFFFF, (ack + ack_add) & 0xFFFFFFFF)
    off = (b[tcp + 12] >> 4) * 4
    i = tcp + 20
    while i < tcp + off:  # SACK blocks name the acked stream's seqs
        kind = b[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        n = b[i + 1]
        if kind == 5 and ack_add:
            for j in range(i + 2, i + n, 4):
                v = struct.unpack("!I", b[j:j + 4])[0]
                b[j:j + 4] = struct.pack("!I", (v + ack_add) & 0xFFFFFFFF)
        i += max(n, 2)
    if not seq_add and not ack_add:  # a router leaves the TCP checksum alone
        return bytes(b)
    total = struct.unpack("!H", b[ip + 2:ip + 4])[0]
    seg = bytes(b[tcp:ip + total])
    pseudo = bytes(b[ip + 12:ip + 20]) + struct.pack("!BBH", 0, 6, len(seg))
    b[tcp + 16:tcp + 18] = b"\0\0"
    b[tcp + 16:tcp + 18] = struct.pack("!H", csum(pseudo + bytes(b[tcp:ip + total])))
    return bytes(b)


def write(name, head, frames, manifest, scenario):
    with open(os.path.join(HERE, name + ".pcap"), "wb") as f:
        f.write(head)
        for t, fr in frames:
            f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(fr), len(fr)))
            f.write(fr)
    conns = []
    for c in manifest["connections"]:
        conns.append({"client": c["client"], "server": c["server"],
                      "anomalies": [dict(a, packets=[2 * p - 1 for p in a["packets"]])
                                    for a in c["anomalies"]]})
    m = {"scenario": scenario, "script": "tests/data/rules/make-copies.py",
         "capture_side": "synthesized", "packets": len(frames), "connections": conns}
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(m, f, indent=1)
        f.write("\n")


def main():
    head, pkts = read_pcap(SOURCE + ".pcap")
    manifest = json.load(open(SOURCE + ".json"))
    client = bytes(pkts[0][1][26:30])  # the SYN's source address
    router, shifted = [], []
    for t, fr in pkts:
        router.append((t, fr))
        router.append((t + 5, rewrite(fr, ttl_down=1)))
        if bytes(fr[26:30]) == client:  # inside first, then its shifted seq outside
            shifted.append((t, fr))
            shifted.append((t + 20, rewrite(fr, ttl_down=1, seq_add=SHIFT)))
        else:  # the server's packet outside first, with the ack it sent
            shifted.append((t, rewrite(fr, ack_add=SHIFT)))
            shifted.append((t + 20, rewrite(fr, ttl_down=1)))
    write("copies-router", head, router, manifest,
          "samples/06 (a half-close) captured on both sides of a router: every packet "
          "twice, 5 us apart, the TTL one lower; finlint must see the original only.")
    write("copies-shifted", head, shifted, manifest,
          "samples/06 (a half-close) captured on both sides of an ISN-randomising "
          "firewall: every packet twice, the client's seq and the server's ack %d higher "
          "outside; no FIN at a wrong seq, no data after a FIN." % SHIFT)


if __name__ == "__main__":
    main()
