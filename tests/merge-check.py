#!/usr/bin/env python3
"""--merge: a capture split into files is the capture.

Every lab capture (samples/*.pcap, and the router lab's samples/pair/*.pcap)
is split with editcap -c 3 (rotated
files, as tcpdump -C writes them) and read with --merge, the files given
in reverse order: the connections and findings must be exactly those of
the whole file (packet numbers are positions in the merged order, which
is the whole file's order), and each evidence packet's "frames" entry
must name the file and frame that hold the whole file's packet of that
number (compared by timestamp and bytes, read with this script's own
pcap reader).  Then one part is cut short: exit status 3, one line naming
that part, the other parts still analysed; and a file that is no capture
in the set is an error naming it.  Needs editcap (wireshark-common);
skips without it."""
import copy
import glob
import json
import os
import resource
import shutil
import struct
import subprocess
import sys
import tempfile

srcdir = os.environ.get("srcdir", ".")
finlint = os.environ.get("FINLINT", "./finlint")
passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what)


def frames(path):
    """The records of a classic pcap: [(ts bytes, data)]."""
    with open(path, "rb") as f:
        data = f.read()
    end = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    out, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(end + "IIII", data[off:off + 16])
        out.append(((sec, frac), data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return out


def run(args):
    return subprocess.run([finlint, "--fail-on", "never"] + args, capture_output=True, text=True)


def strip(doc):
    """The flows without what names the input files."""
    flows = copy.deepcopy(doc["flows"])
    for fl in flows:
        fl.pop("file", None)
        for fd in fl["findings"]:
            fd.pop("frames", None)
    return flows


if shutil.which("editcap") is None:
    print("SKIP: editcap not installed (apt-get install wireshark-common)")
    sys.exit(77)

tmp = tempfile.mkdtemp()
try:
    for cap in sorted(glob.glob(os.path.join(srcdir, "samples", "*.pcap")) +
                      glob.glob(os.path.join(srcdir, "samples", "pair", "*.pcap"))):
        name = os.path.basename(cap)
        d = os.path.join(tmp, name)
        os.mkdir(d)
        subprocess.run(["editcap", "-F", "pcap", "-c", "3", cap, os.path.join(d, "part.pcap")], check=True,
                       capture_output=True)
        parts = sorted(glob.glob(os.path.join(d, "*.pcap")))
        whole = json.loads(run(["-f", "json", cap]).stdout)
        got = run(["--merge", "-f", "json"] + parts[::-1])
        check(got.returncode == 0, f"{name}: --merge exit {got.returncode}: {got.stderr}")
        merged = json.loads(got.stdout)
        check(strip(merged) == strip(json.loads(run(["-f", "json", cap]).stdout)),
              f"{name}: --merge of {len(parts)} parts differs from the whole file")
        check(len(merged["inputs"]) == 1 and
              [m["file"] for m in merged["inputs"][0].get("merged_from", [])] == parts[::-1],
              f"{name}: merged_from does not list the parts in the order given")
        check(merged["summary"] == whole["summary"], f"{name}: the summary differs")
        # every evidence packet found where the record says
        all_frames = frames(cap)
        part_frames = {p: frames(p) for p in parts}
        for fl in merged["flows"]:
            for fd in fl["findings"]:
                ok = len(fd.get("frames", [])) == len(fd["packets"])
                for num, where in zip(fd["packets"], fd.get("frames", [])):
                    pf = part_frames.get(where["file"], [])
                    ok = ok and 0 < where["frame"] <= len(pf) and \
                        pf[where["frame"] - 1] == all_frames[num - 1]
                check(ok, f"{name}: flow {fl['id']} {fd['rule']}: frames {fd.get('frames')} "
                          f"are not packets {fd['packets']}")

    # A ring of many files under a low descriptor limit, with a filter:
    # a file is open only while the merge is in its time.
    cap = os.path.join(srcdir, "samples", "19-busy.pcap")
    d = os.path.join(tmp, "ring")
    os.mkdir(d)
    subprocess.run(["editcap", "-F", "pcap", "-c", "4", cap, os.path.join(d, "part.pcap")], check=True,
                   capture_output=True)
    parts = sorted(glob.glob(os.path.join(d, "*.pcap")))
    filt = ["--", "tcp port 8000 or tcp port 8001 or tcp port 8002"]
    whole = json.loads(run(["-f", "json", cap] + filt).stdout)
    got = subprocess.run([finlint, "--fail-on", "never", "--merge", "-f", "json", d] + filt,
                         capture_output=True, text=True,
                         preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (32, 32)))
    check(len(parts) > 200 and got.returncode == 0,
          f"ring of {len(parts)} files, 32 descriptors: exit {got.returncode}: {got.stderr}")
    if got.returncode == 0:
        merged = json.loads(got.stdout)
        check(strip(merged) == strip(whole) and merged["summary"] == whole["summary"],
              f"ring of {len(parts)} files with a filter differs from the whole file")
    # Files that overlap in time (two interfaces): every other packet in
    # each, both open together (packets of one timestamp stay in one file:
    # between files equal times have no order to keep).
    d = os.path.join(tmp, "overlap")
    os.mkdir(d)
    with open(cap, "rb") as f:
        raw = f.read()
    end = "<" if raw[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    groups, off = [], 24
    while off + 16 <= len(raw):
        incl = struct.unpack(end + "I", raw[off + 8:off + 12])[0]
        if not groups or groups[-1][0] != raw[off:off + 8]:
            groups.append((raw[off:off + 8], []))
        groups[-1][1].append(raw[off:off + 16 + incl])
        off += 16 + incl
    for name, first in (("odd.pcap", 0), ("even.pcap", 1)):
        with open(os.path.join(d, name), "wb") as f:
            f.write(raw[:24] + b"".join(b"".join(g[1]) for g in groups[first::2]))
    got = run(["--merge", "-f", "json", os.path.join(d, "odd.pcap"), os.path.join(d, "even.pcap")])
    check(got.returncode == 0 and strip(json.loads(got.stdout)) == strip(
        json.loads(run(["-f", "json", cap]).stdout)),
        f"two interleaved halves differ from the whole file: {got.stderr}")

    # a part cut short: the others go on, the damage is named
    cap = os.path.join(srcdir, "samples", "19-busy.pcap")
    d = os.path.join(tmp, "cut")
    os.mkdir(d)
    subprocess.run(["editcap", "-F", "pcap", "-c", "50", cap, os.path.join(d, "part.pcap")], check=True,
                   capture_output=True)
    parts = sorted(glob.glob(os.path.join(d, "*.pcap")))
    size = os.path.getsize(parts[1])
    with open(parts[1], "r+b") as f:
        f.truncate(size - 7)
    got = run(["--merge", "-f", "json"] + parts)
    check(got.returncode == 3, f"cut part: exit {got.returncode}, want 3")
    lines = got.stderr.splitlines()
    check(len(lines) == 1 and parts[1] in lines[0], f"cut part: stderr {lines!r}")
    doc = json.loads(got.stdout)
    whole = json.loads(run(["-f", "json", cap]).stdout)
    check(doc["summary"]["packets"] == whole["summary"]["packets"] - 1,
          f"cut part: {doc['summary']['packets']} packets read, want all but the cut one "
          f"({whole['summary']['packets'] - 1})")
    # a file of the set that is no capture
    bad = os.path.join(tmp, "not-a-capture.pcap")
    with open(bad, "w") as f:
        f.write("hello\n")
    got = run(["--merge", parts[0], bad])
    check(got.returncode == 3 and len(got.stderr.splitlines()) == 1 and bad in got.stderr,
          f"bad part: exit {got.returncode}, stderr {got.stderr!r}")
    got = run(["--merge", "--from-jsonl", parts[0]])
    check(got.returncode == 2, f"--merge --from-jsonl: exit {got.returncode}, want 2")
finally:
    shutil.rmtree(tmp)

print(f"merge: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
