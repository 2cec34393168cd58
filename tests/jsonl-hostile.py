#!/usr/bin/env python3
"""--from-jsonl against hostile reports: deterministic mutations of real
JSON Lines reports (lab captures with findings, RST payloads, IPv6,
reuse, Zeek splits) -- bytes flipped, lines cut, dropped, repeated or
swapped, values of the wrong type, huge numbers, deep nesting, a line
longer than the reader takes -- each read back by finlint (under ASan and
UBSan in CI).  Every run must end with exit status 0, 1 or 3, never a
crash or a sanitizer report, and say at most one line per report on
standard error; the JSON report must be one valid UTF-8 document and
the text report UTF-8 without control characters.  Standard library
only."""
import json
import os
import random
import subprocess
import sys
import tempfile

srcdir = os.environ.get("srcdir", ".")
finlint = os.environ.get("FINLINT", "./finlint")
SAMPLES = ["10-rst-on-data-after-close.pcap", "15-time-wait-reuse.pcap",
           "07-rst-after-fin-wait2-timeout-v6.pcap", "18-mid-stream-capture.pcap"]
passed = failed = 0


def report(cap):
    out = subprocess.run([finlint, "--fail-on", "never", "-f", "jsonl",
                          os.path.join(srcdir, "samples", cap)], capture_output=True)
    return out.stdout


def wrong_types(line, rng):
    """One member of a record given another JSON type."""
    try:
        rec = json.loads(line)
    except ValueError:
        return line
    def walk(o):
        if isinstance(o, dict) and o:
            k = rng.choice(list(o))
            if rng.random() < 0.5 and isinstance(o[k], (dict, list)):
                walk(o[k])
            else:
                o[k] = rng.choice([None, -1, 1e300, "x", [], {}, True, 2 ** 64, -0.5, "\u0000"])
        elif isinstance(o, list) and o:
            walk(o[rng.randrange(len(o))])
    walk(rec)
    return json.dumps(rec).encode()


def mutate(data, rng):
    lines = data.split(b"\n")
    kind = rng.randrange(9)
    if kind == 0:  # flip bytes
        b = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        return bytes(b)
    if kind == 1:  # cut anywhere
        return data[:rng.randrange(len(data))]
    if kind == 2:  # drop a line
        del lines[rng.randrange(len(lines))]
    elif kind == 3:  # repeat a line
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    elif kind == 4:  # swap two lines
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind in (5, 6):  # a value of the wrong type
        i = rng.randrange(len(lines))
        lines[i] = wrong_types(lines[i], rng)
    elif kind == 7:  # deep nesting
        lines.insert(rng.randrange(1, len(lines)), b"[" * 5000 + b"]" * 5000)
    else:  # a line too long to be finlint's
        lines.insert(rng.randrange(1, len(lines)), b'{"type":"flow","x":"' + b"a" * (1 << 21) + b'"}')
    return b"\n".join(lines)


rng = random.Random(20261203)
with tempfile.TemporaryDirectory() as tmp:
    seeds = [report(c) for c in SAMPLES]
    for n in range(400):
        data = mutate(seeds[n % len(seeds)], rng)
        path = os.path.join(tmp, "m%03d.jsonl" % n)
        with open(path, "wb") as f:
            f.write(data)
        out = subprocess.run([finlint, "--from-jsonl", "-f", "json", path],
                             capture_output=True, timeout=60)
        err = out.stderr.decode("utf-8", "replace")
        problems = []
        if out.returncode not in (0, 1, 3):
            problems.append("exit status %d" % out.returncode)
        if "Sanitizer" in err or "runtime error" in err:
            problems.append("sanitizer report")
        if len(err.splitlines()) > 2:  # a report's error, and a --flows warning at most
            problems.append("%d lines on stderr" % len(err.splitlines()))
        try:
            json.loads(out.stdout)
        except ValueError:
            problems.append("the JSON report is not one document")
        text = subprocess.run([finlint, "--from-jsonl", "--flows", "all", path],
                              capture_output=True, timeout=60)
        if text.returncode not in (0, 1, 3):
            problems.append("text report: exit status %d" % text.returncode)
        if any(b < 0x20 and b not in (0x0a,) for b in text.stdout):
            problems.append("a control character in the text report")
        try:
            text.stdout.decode("utf-8")
        except UnicodeDecodeError:
            problems.append("the text report is not UTF-8")
        if problems:
            failed += 1
            keep = os.path.join(os.getcwd(), "jsonl-hostile-%03d.jsonl" % n)
            with open(keep, "wb") as f:
                f.write(data)
            print("FAIL: mutant %d (kept as %s): %s\n    %s" % (n, keep, ", ".join(problems),
                                                            err.strip()[:400]))
        else:
            passed += 1

print("jsonl-hostile: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
