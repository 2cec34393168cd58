#!/usr/bin/env python3
"""pcap-join.py OUT FIRST [SECONDS FILE]...: write OUT, a capture of FIRST
followed by each FILE with its times shifted so that its first packet
comes SECONDS after FIRST's first packet (whole seconds; microseconds
unchanged).  Little-endian microsecond pcap of one link type, as the lab
writes; the tests use it to make captures joined end to end or spread
in time.  Standard library only."""
import struct
import sys


def records(path):
    d = open(path, 'rb').read()
    assert struct.unpack('<I', d[:4])[0] == 0xa1b2c3d4, path
    at, out = 24, []
    while at < len(d):
        sec, usec, incl, orig = struct.unpack('<IIII', d[at:at + 16])
        out.append((sec, usec, d[at + 16:at + 16 + incl], orig))
        at += 16 + incl
    return d[:24], out


def main(argv):
    if len(argv) < 3 or len(argv) % 2 == 0:
        sys.exit(__doc__)
    head, out = records(argv[2])
    start = out[0][0]
    for seconds, path in zip(argv[3::2], argv[4::2]):
        rec = records(path)[1]
        shift = start + int(seconds) - rec[0][0]
        out += [(s + shift, u, x, o) for s, u, x, o in rec]
    with open(argv[1], 'wb') as f:
        f.write(head)
        for sec, usec, data, orig in out:
            f.write(struct.pack('<IIII', sec, usec, len(data), orig) + data)


if __name__ == "__main__":
    main(sys.argv)
