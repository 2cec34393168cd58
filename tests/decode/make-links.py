#!/usr/bin/env python3
"""Write the PPP, PPPoE, Cisco HDLC, PPI and IPoIB captures of this
directory by wrapping the IP packets of raw.pcap (LINKTYPE_RAW) in each
link layer's header, byte by byte from its specification.  Standard library
only; deterministic.  Run from this directory: python3 make-links.py."""
import struct

ETH = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01"


def packets():
    data = open("raw.pcap", "rb").read()
    off = 24
    while off + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack_from("<IIII", data, off)
        yield sec, usec, data[off + 16:off + 16 + incl]
        off += 16 + incl


def write(name, linktype, wrap):
    with open(name, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype))
        for i, (sec, usec, ip) in enumerate(packets()):
            frame = wrap(i, ip)
            f.write(struct.pack("<IIII", sec, usec, len(frame), len(frame)) + frame)


def v6(ip):
    return ip[0] >> 4 == 6


def ppp(i, ip):
    # HDLC-framed, then the same with address/control and then the
    # protocol field compressed away (RFC 1661 6.5, 6.6); one LCP
    # echo-request that carries no IP
    proto = 0x0057 if v6(ip) else 0x0021
    if i == 0:
        return b"\xff\x03\xc0\x21\x09\x01\x00\x08\x00\x00\x00\x00"
    if i % 3 == 0:
        return bytes([proto]) + ip
    if i % 3 == 1:
        return struct.pack("!H", proto) + ip
    return b"\xff\x03" + struct.pack("!H", proto) + ip


def ppp_serial(i, ip):
    # PPP in HDLC framing, and Cisco HDLC (unicast 0x0f, broadcast 0x8f)
    if i % 2:
        return b"\x0f\x00" + struct.pack("!H", 0x86DD if v6(ip) else 0x0800) + ip
    return b"\xff\x03" + struct.pack("!H", 0x0057 if v6(ip) else 0x0021) + ip


def pppoe_session(ip):
    body = struct.pack("!H", 0x0057 if v6(ip) else 0x0021) + ip
    return struct.pack("!BBHH", 0x11, 0x00, 0x1234, len(body)) + body


def chdlc(i, ip):
    return bytes([0x8F if i % 4 == 3 else 0x0F, 0x00]) + \
        struct.pack("!H", 0x86DD if v6(ip) else 0x0800) + ip


def ppi(i, ip):
    # PPI version 0, no flags, an 8-byte header (and on odd packets one
    # more 12-byte field before the frame), the frame Ethernet
    eth = ETH + struct.pack("!H", 0x86DD if v6(ip) else 0x0800) + ip
    field = struct.pack("<HH", 2, 8) + b"\x00" * 8 if i % 2 else b""
    return struct.pack("<BBHI", 0, 0, 8 + len(field), 1) + field + eth


def ipoib(i, ip):
    # Linux: two 20-byte hardware addresses (QPN + GID), type, reserved
    src = struct.pack("!I", 0x00000048) + bytes(range(16))
    dst = struct.pack("!I", 0x80000550) + bytes(range(16, 32))
    return src + dst + struct.pack("!HH", 0x86DD if v6(ip) else 0x0800, 0) + ip


write("ppp.pcap", 9, ppp)
write("ppp-serial.pcap", 50, ppp_serial)
write("pppoe.pcap", 1, lambda i, ip: ETH + b"\x88\x64" + pppoe_session(ip))
write("ppp-ether.pcap", 51, lambda i, ip: pppoe_session(ip))
write("chdlc.pcap", 104, chdlc)
write("ppi.pcap", 192, ppi)
write("ipoib.pcap", 242, ipoib)
