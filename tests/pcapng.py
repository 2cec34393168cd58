#!/usr/bin/env python3
"""finlint's pcapng reader (src/pcapng.c).

Built here from the lab capture samples/08-linger-zero-abort.pcap (8
Ethernet frames of one connection): a pcapng file in each byte order
whose three interfaces have different link types (Ethernet, raw IP,
Linux cooked), snapshot lengths, if_tsresol (10^-9 s, 2^-10 s, default
10^-6 s) and if_tsoffset, carrying the frames in Enhanced, Simple and
obsolete Packet Blocks between unknown blocks.  libpcap 1.10 refuses
such a file; finlint must give the frames the times the options say and
the same connection and findings as the pcap.  Then damage: the file cut
at every length and blocks with lengths that lie, each a documented exit
status with one line on stderr and no crash (ASan/UBSan in CI).

With the shared corpus: the files libpcap refused (different link types
or snapshot lengths per interface) give tshark's packet, TCP segment and
TCP connection counts, pinned below from tshark 4.0 (-T fields -e
frame.number, -Y tcp, -e tcp.stream).

  pcapng.py                 run the checks
  pcapng.py --seeds DIR     write the built files into DIR (fuzz seeds)"""
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

srcdir = os.path.abspath(os.environ.get("srcdir", "."))
finlint = os.path.abspath(os.environ.get("FINLINT", "./finlint"))
sample = os.path.join(srcdir, "samples", "08-linger-zero-abort.pcap")
passed = failed = 0

# file -> (packets, TCP segments, connections).  pcapplusplus__dns_over_tcp
# holds one connection's two packets 50 years apart (the first is dated
# 0): tshark's tcp.stream has no idle timeout and says 2; finlint 3.
CORPUS = {
    "zeek/traces/ldap/gap-data-missing.pcapng": (18, 18, 1),
    "other/libpcap-midfile-errors/pcapplusplus__too_many_interfaces.pcapng": (1, 0, 0),
    "other/libpcap-midfile-errors/pcapplusplus__pcapng-example.pcapng": (159, 159, 15),
    "other/libpcap-midfile-errors/pcapplusplus__many_interfaces-1.pcapng": (64, 32, 2),
    "other/libpcap-midfile-errors/pcapplusplus__ipsec.pcapng": (3, 0, 0),
    "other/libpcap-midfile-errors/pcapplusplus__dns_over_tcp.pcapng": (4, 4, 3),
    "other/libpcap-midfile-errors/pcapplusplus__ldap.pcapng": (25, 25, 6),
}


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def run(args):
    p = subprocess.run([finlint] + args, capture_output=True)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def frames(path):
    data = open(path, "rb").read()
    off, out = 24, []
    while off + 16 <= len(data):
        sec, usec, caplen, wirelen = struct.unpack("<IIII", data[off:off + 16])
        out.append((sec, usec, data[off + 16:off + 16 + caplen], wirelen))
        off += 16 + caplen
    return out


def pad(b):
    return b + b"\0" * (-len(b) % 4)


def block(e, btype, body):
    n = 12 + len(pad(body))
    return struct.pack(e + "II", btype, n) + pad(body) + struct.pack(e + "I", n)


def option(e, code, value):
    return struct.pack(e + "HH", code, len(value)) + pad(value)


def build(e):
    """The three-interface file in byte order e ('<' or '>'), and the
    times (seconds, microseconds) finlint must give its frames."""
    fr = frames(sample)
    shb = block(e, 0x0a0d0d0a, struct.pack(e + "IHHq", 0x1a2b3c4d, 1, 0, -1))
    idb0 = block(e, 1, struct.pack(e + "HHI", 1, 0, 0) +       # Ethernet, 10^-6
                 option(e, 0, b""))
    idb1 = block(e, 1, struct.pack(e + "HHI", 101, 0, 65535) +  # raw IP, 10^-9, +100 s
                 option(e, 9, b"\x09") + option(e, 14, struct.pack(e + "q", 100)) +
                 option(e, 0, b""))
    idb2 = block(e, 1, struct.pack(e + "HHI", 113, 0, 262144) +  # Linux cooked, 2^-20
                 option(e, 2, b"eth-cooked") + option(e, 9, b"\x94") + option(e, 0, b""))
    out = [shb, block(e, 0x0bad, b"not a block finlint knows"), idb0, idb1, idb2]
    times = []
    for i, (sec, usec, data, wire) in enumerate(fr):
        if i % 3 == 1:
            # 10^-9 s units, counted from 100 s after the epoch
            t = (sec - 100) * 1000000000 + usec * 1000
            out.append(block(e, 6, struct.pack(e + "IIIII", 1, t >> 32, t & 0xffffffff,
                                               len(data) - 14, wire - 14) + data[14:]))
            times.append((sec, usec))
        elif i % 3 == 2:
            # 2^-20 s units: usec rounded down to what they can say
            t = (sec << 20) + (usec << 20) // 1000000
            cooked = struct.pack(">HHH8sH", 0, 1, 6, data[6:12] + b"\0\0", 0x0800) + data[14:]
            out.append(block(e, 6, struct.pack(e + "IIIII", 2, t >> 32, t & 0xffffffff,
                                               len(cooked), wire - 14 + 16) + cooked))
            times.append((sec, (((t & 0xfffff) * 1000000000) >> 20) // 1000))
        else:
            # the obsolete Packet Block: 16-bit interface, drop count
            t = sec * 1000000 + usec
            out.append(block(e, 2, struct.pack(e + "HHIIII", 0, 0, t >> 32, t & 0xffffffff,
                                               len(data), wire) + data))
            times.append((sec, usec))
        if i == 4:
            out.append(block(e, 5, struct.pack(e + "III", 0, 0, 0)))  # statistics
    # a Simple Packet Block (interface 0, no time, so dated 0): LLDP
    lldp = fr[0][2][:12] + b"\x88\xcc" + b"\0" * 46
    out.append(block(e, 3, struct.pack(e + "I", len(lldp)) + lldp))
    return b"".join(out), times


FLOW_KEYS = ("client", "server", "community_id", "first_packet", "last_packet", "close",
             "active_closer", "conn_state", "history", "states", "findings")


def summary(out):
    """The counts and the connections of a JSON report, times aside."""
    d = json.loads(out)
    i = d["inputs"][0]
    counts = {k: i.get(k) for k in ("packets", "tcp_segments", "connections", "error")}
    flows = [{k: f.get(k) for k in FLOW_KEYS} for f in d["flows"]]
    for f in flows:
        for x in f["findings"] or []:
            x.pop("message", None)
    return [counts, flows]


def stamp(sec, usec):
    import datetime
    t = datetime.datetime.fromtimestamp(sec, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ".%06dZ" % usec


if sys.argv[1:2] == ["--seeds"]:
    d = sys.argv[2]
    for name, e in (("multi-iface-le.pcapng", "<"), ("multi-iface-be.pcapng", ">")):
        open(os.path.join(d, name), "wb").write(build(e)[0])
    sys.exit(0)

tmp = tempfile.mkdtemp()
try:
    want = summary(run(["-f", "json", sample])[1])
    want[0]["packets"] += 1  # the LLDP frame
    outs = {}
    for e in "<>":
        data, times = build(e)
        p = os.path.join(tmp, "multi%s.pcapng" % ("be" if e == ">" else "le"))
        open(p, "wb").write(data)
        rc, out, err = run(["--decode", p])
        got = re.findall(r"^\d+ t=(\S+) tcp ", out, re.M)
        check(rc == 0 and err == "" and got == [stamp(*t) for t in times],
              "%s --decode: exit %d, %r, times %r, want %r" % (p, rc, err, got,
                                                              [stamp(*t) for t in times]))
        outs[e] = out
        rc, out, err = run(["-f", "json", "--fail-on", "never", p])
        check(rc == 0 and err == "" and summary(out) == want,
              "%s -f json: exit %d, %r, %r, want %r" % (p, rc, err, summary(out), want))
        # a filter compiled for each interface's link type
        rc, out, err = run(["--decode", p, "--", "tcp port 8000"])
        check((rc, err, out.count(" tcp "), len(out.splitlines())) == (0, "", 8, 8),
              "%s with a filter: exit %d, %r, %d frames" % (p, rc, err, out.count(" tcp ")))
    check(outs["<"] == outs[">"].replace("multibe", "multile"), "byte orders differ")

    # cut at every length: a documented exit status, one line on stderr
    data = build("<")[0]
    p = os.path.join(tmp, "cut.pcapng")
    for n in range(len(data)):
        open(p, "wb").write(data[:n])
        for opts in ([], ["--decode"]):
            rc, out, err = run(opts + ["--fail-on", "never", p])
            ok = rc in (0, 3) and err.count("\n") == (rc == 3) and "Sanitizer" not in err
            check(ok, "cut at %d %s: exit %d, %r" % (n, opts, rc, err))
    # lengths that lie; each is an error after the packets before it
    le = lambda v: struct.pack("<I", v)
    shb_end = 28
    cases = {
        "length 0": data[:shb_end] + le(6) + le(0) + data[shb_end + 8:],
        "length 13": data[:shb_end] + le(0x0bad) + le(13) + b"\0" * 64,
        "length 4 GiB": data[:shb_end] + le(0x0bad) + le(0xfffffff0) + b"\0" * 64,
        "trailer": data[:shb_end] + block("<", 0x0bad, b"abcd")[:-4] + le(99) + data[shb_end:],
        "caplen past block": data[:shb_end] + data[shb_end:].replace(
            block("<", 0x0bad, b"not a block finlint knows"),
            block("<", 1, struct.pack("<HHI", 1, 0, 0)) +
            block("<", 6, struct.pack("<IIIII", 0, 0, 0, 4000, 4000) + b"\0" * 8)),
        "no such interface": data + block("<", 6, struct.pack("<IIIII", 7, 0, 0, 4, 4) + b"abcd"),
        "option past block": data[:shb_end] + block("<", 1, struct.pack("<HHI", 1, 0, 0) +
                                                   struct.pack("<HH", 9, 400)) + data[shb_end:],
        "bad byte-order magic": data[:8] + b"ABCD" + data[12:],
        "version 2.0": data[:12] + struct.pack("<H", 2) + data[14:],
    }
    for name, bad in cases.items():
        open(p, "wb").write(bad)
        rc, out, err = run(["--fail-on", "never", p])
        check(rc == 3 and re.fullmatch(r"finlint: %s: (after packet \d+|cannot read capture): "
                                       r"[^\n]+\n" % re.escape(p), err),
              "%s: exit %d, %r" % (name, rc, err))

    corpus = os.environ.get("FINLINT_CORPUS", os.path.join(srcdir, "..", "shared", "corpus"))
    if os.path.isdir(os.path.join(corpus, "zeek")):
        for f, want in sorted(CORPUS.items()):
            rc, out, err = run(["-f", "json", "--fail-on", "never", os.path.join(corpus, f)])
            i = json.loads(out)["inputs"][0]
            got = (i["packets"], i["tcp_segments"], i["connections"])
            check((rc, err, got) == (0, "", want), "%s: exit %d, %r, %r, want %r"
                  % (f, rc, err, got, want))
        skipped = None
    else:
        skipped = "no shared corpus at %s (set FINLINT_CORPUS)" % corpus
finally:
    subprocess.run(["rm", "-rf", tmp])

print("pcapng: %d passed, %d failed" % (passed, failed))
if failed:
    sys.exit(1)
if skipped:
    print("SKIP:", skipped)
    sys.exit(77)
