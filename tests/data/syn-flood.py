#!/usr/bin/env python3
"""Write tests/data/syn-flood.pcap: a small SYN flood with three real
connections in it, for the --max-memory case of tests/cli.test.

1000 SYNs, 1 ms apart, each from its own spoofed address (198.18.x.y,
port 40000 + i) to 10.0.0.1:80; every fourth is answered by one SYN-ACK
(SYN cookies), none completes.  Three real connections from 10.9.0.1 to
10.0.0.1:80 (one before the flood, one in its middle, one after it) each
open, exchange a request and a response, and close cleanly.  No options,
no randomness: the same bytes every time.

    python3 tests/data/syn-flood.py tests/data/syn-flood.pcap
"""

import struct
import sys

BASE = 1767225600  # 2026-01-01T00:00:00Z


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(src, sport, dst, dport, flags, seq, ack, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 64240, 0, 0)
    pseudo = struct.pack("!4s4sBBH", src, dst, 0, 6, len(tcp) + len(payload))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp + payload)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 0, 0x4000, 64, 6,
                     0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = b"\x02\x00\x00\x00\x00\x01" + b"\x02\x00\x00\x00\x00\x02" + b"\x08\x00"
    return eth + ip + tcp + payload


S, A, F, P = 0x02, 0x10, 0x01, 0x08
SERVER = bytes([10, 0, 0, 1])
CLIENT = bytes([10, 9, 0, 1])


def real(t, port):
    """A whole connection from CLIENT:port starting at t (seconds)."""
    c, s = 1000 * port, 7000 * port
    pk = [
        (0.0000, 0, S, c, 0, b""),
        (0.0001, 1, S | A, s, c + 1, b""),
        (0.0002, 0, A, c + 1, s + 1, b""),
        (0.0003, 0, P | A, c + 1, s + 1, b"GET / HTTP/1.0\r\n\r\n"),
        (0.0004, 1, P | A, s + 1, c + 19, b"HTTP/1.0 200 OK\r\n\r\n"),
        (0.0005, 0, A, c + 19, s + 20, b""),
        (0.0006, 0, F | A, c + 19, s + 20, b""),
        (0.0007, 1, A, s + 20, c + 20, b""),
        (0.0008, 1, F | A, s + 20, c + 20, b""),
        (0.0009, 0, A, c + 20, s + 21, b""),
    ]
    out = []
    for dt, d, fl, seq, ack, data in pk:
        if d == 0:
            out.append((t + dt, frame(CLIENT, port, SERVER, 80, fl, seq, ack, data)))
        else:
            out.append((t + dt, frame(SERVER, 80, CLIENT, port, fl, seq, ack, data)))
    return out


def main():
    packets = real(0.0, 50001)
    for i in range(1000):
        t = 0.01 + i * 0.001
        src = bytes([198, 18, i // 250, i % 250 + 1])
        packets.append((t, frame(src, 40000 + i, SERVER, 80, S, 0x10000000 + i * 7919, 0)))
        if i % 4 == 0:
            packets.append((t + 0.00004, frame(SERVER, 80, src, 40000 + i, S | A,
                                               0x20000000 + i * 104729,
                                               0x10000000 + i * 7919 + 1)))
    packets += real(0.5005, 50002)
    packets += real(1.1, 50003)
    packets.sort(key=lambda p: p[0])
    with open(sys.argv[1], "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for t, data in packets:
            us = round(t * 1e6)
            f.write(struct.pack("<IIII", BASE + us // 1000000, us % 1000000, len(data), len(data)))
            f.write(data)


if __name__ == "__main__":
    main()
