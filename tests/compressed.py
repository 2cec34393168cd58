#!/usr/bin/env python3
"""Compressed captures: every lab sample compressed here with gzip, zstd,
xz and lz4 must give the report of the plain file byte for byte (text,
JSON and --decode, the file's name aside), from a file and from standard
input; a directory walk finds them by suffix, a file is read by its magic
number whatever its name.  Damage: a .gz cut in the middle reports the
packets before the cut (their number computed here with Python's zlib)
with one line on stderr and exit status 3; a .gz without its trailer, and
cut .zst/.xz/.lz4 files, likewise; garbage after a zstd magic number is
one line and exit status 3.  The compressors are the command-line tools
(gzip, zstd, xz-utils, lz4 packages); without one of them its codec is
skipped and so is the test, saying which."""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

srcdir = os.path.abspath(os.environ.get("srcdir", "."))
finlint = os.path.abspath(os.environ.get("FINLINT", "./finlint"))
samples = sorted(os.path.join(srcdir, "samples", n)
                 for n in os.listdir(os.path.join(srcdir, "samples")) if n.endswith(".pcap"))
busy = os.path.join(srcdir, "samples", "19-busy.pcap")

# suffix -> command writing the compressed form of argv's last file to stdout
TOOLS = {
    "gz": ["gzip", "-n", "-c"],
    "zst": ["zstd", "-q", "-c"],
    "xz": ["xz", "-c"],
    "lz4": ["lz4", "-q", "-c"],
}
passed = failed = 0
missing = [s for s, cmd in TOOLS.items() if shutil.which(cmd[0]) is None]


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def run(args, stdin=None):
    p = subprocess.run([finlint] + args, stdin=stdin, capture_output=True)
    return p.returncode, p.stdout, p.stderr.decode()


def report(path, opts):
    """finlint's output on path with path's name written as CAPTURE."""
    rc, out, err = run(opts + [path])
    return rc, out.replace(path.encode(), b"CAPTURE"), err.replace(path, "CAPTURE")


def compress(suffix, src, dst):
    with open(dst, "wb") as f:
        subprocess.run(TOOLS[suffix] + [src], stdout=f, check=True)


def records(data):
    """How many whole pcap records data (a classic pcap's first bytes) holds."""
    off, n = 24, 0
    while off + 16 <= len(data):
        caplen = struct.unpack("<I", data[off + 8:off + 12])[0]
        if off + 16 + caplen > len(data):
            break
        off += 16 + caplen
        n += 1
    return n


tmp = tempfile.mkdtemp()
try:
    codecs = [s for s in TOOLS if s not in missing]
    # the same report, compressed or not
    for sample in samples:
        base = os.path.basename(sample)
        for opts in (["--fail-on", "never"], ["-f", "json"], ["--decode"]):
            want = report(sample, opts)
            for s in codecs:
                z = os.path.join(tmp, base + "." + s)
                if not os.path.exists(z):
                    compress(s, sample, z)
                check(report(z, opts) == want, "%s.%s %s differs from the plain file's"
                      % (base, s, " ".join(opts)))
    # standard input, where nothing can be rewound
    with open(busy, "rb") as f:
        want = run(["-f", "json", "-"], stdin=f)
    for s in codecs:
        with open(os.path.join(tmp, "19-busy.pcap." + s), "rb") as f:
            check(run(["-f", "json", "-"], stdin=f) == want, "stdin %s differs" % s)
    # by magic number, not by name; by name in a directory walk
    d = os.path.join(tmp, "walk")
    os.mkdir(d)
    for s in codecs:
        shutil.copy(os.path.join(tmp, "08-linger-zero-abort.pcap." + s),
                    os.path.join(d, "08." + s + ".pcap." + s))
    shutil.copy(os.path.join(tmp, "08-linger-zero-abort.pcap." + codecs[0]),
                os.path.join(d, "named-plain.pcap"))
    shutil.copy(os.path.join(tmp, "08-linger-zero-abort.pcap." + codecs[0]),
                os.path.join(d, "not-a-capture-name.txt.gz"))
    rc, out, err = run(["-q", "--fail-on", "never", d])
    check((rc, err) == (0, ""), "walk: exit %d, stderr %r" % (rc, err))
    rc, out, err = run(["--fail-on", "never", d])
    check(out.decode().endswith("%d files, %d packets, %d TCP segments, %d connections\n"
                                % (len(codecs) + 1, 8 * (len(codecs) + 1),
                                   8 * (len(codecs) + 1), len(codecs) + 1)),
          "walk: %r" % out.decode()[-200:])

    # damage: a .gz cut in the middle
    total = records(open(busy, "rb").read())
    if "gz" in codecs:
        gz = open(os.path.join(tmp, "19-busy.pcap.gz"), "rb").read()
        for name, cut in (("middle", len(gz) // 2), ("trailer", len(gz) - 8)):
            part = gz[:cut]
            n = records(zlib.decompressobj(wbits=31).decompress(part))
            p = os.path.join(tmp, "cut-%s.pcap.gz" % name)
            open(p, "wb").write(part)
            rc, out, err = run([p])
            line = ("finlint: %s: after packet %d: gzip: the compressed data ends early "
                    "(a truncated file)\n" % (p, n))
            check((rc, err) == (3, line), "cut %s .gz: exit %d, stderr %r, want %r"
                  % (name, rc, err, line))
            check(("\n  %d packets, " % n).encode() in out and
                  (0 < n < total if name == "middle" else n == total),
                  "cut %s .gz: %d of %d packets, report %r" % (name, n, total, out[-400:]))
    for s, codec in (("zst", "zstd"), ("xz", "xz"), ("lz4", "lz4")):
        if s not in codecs:
            continue
        p = os.path.join(tmp, "blocks.pcap." + s)
        # lz4's default block is 4 MiB, the whole file: 64 KiB ones here,
        # so that a cut leaves whole blocks before it
        with open(p, "wb") as f:
            subprocess.run(TOOLS[s][:1] + ["-B4"] * (s == "lz4") + TOOLS[s][1:] + [busy],
                           stdout=f, stderr=subprocess.DEVNULL, check=True)
        z = open(p, "rb").read()
        p = os.path.join(tmp, "cut.pcap." + s)
        open(p, "wb").write(z[:len(z) * 3 // 4])
        rc, out, err = run([p])
        m = re.fullmatch(r"finlint: %s: after packet (\d+): %s: the compressed data ends "
                         r"early \(a truncated file\)\n" % (re.escape(p), codec), err)
        check(rc == 3 and m is not None and 0 < int(m.group(1)) < total,
              "cut .%s: exit %d, stderr %r" % (s, rc, err))
    # garbage after a zstd magic number
    p = os.path.join(tmp, "garbage.pcap.zst")
    open(p, "wb").write(b"\x28\xb5\x2f\xfd" + bytes(range(256)) * 4)
    for opts in ([], ["-f", "json"]):
        rc, out, err = run(opts + [p])
        check(rc == 3 and re.fullmatch(r"finlint: %s: cannot read capture: zstd: corrupt "
                                       r"compressed data \([^\n]+\)\n" % re.escape(p), err),
              "garbage .zst %s: exit %d, stderr %r" % (opts, rc, err))
    # data after the gzip stream that is not another gzip member
    if "gz" in codecs:
        p = os.path.join(tmp, "tail.pcap.gz")
        open(p, "wb").write(open(os.path.join(tmp, "08-linger-zero-abort.pcap.gz"),
                                 "rb").read() + b"junk")
        rc, out, err = run([p])
        line = ("finlint: %s: after packet 8: gzip: corrupt compressed data (data after "
                "the end of the compressed stream)\n" % p)
        check((rc, err) == (3, line), "junk after .gz: exit %d, stderr %r" % (rc, err))
finally:
    shutil.rmtree(tmp)

print("compressed: %d passed, %d failed" % (passed, failed))
if failed:
    sys.exit(1)
if missing:
    print("SKIP: no compressor for .%s (install gzip, zstd, xz-utils, lz4)"
          % ", .".join(missing))
    sys.exit(77)
