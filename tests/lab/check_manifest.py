#!/usr/bin/env python3
"""check_manifest.py: verify the lab manifests against their captures.

    check_manifest.py [DIR | FILE.json]...     (default: ../../samples)

For every samples/NAME.json: NAME.pcap exists, its packet count and link
type are the manifest's, every evidence packet exists and has exactly the
stated direction, flags, seq, ack and payload length, every anomaly's
packets are in its connection's evidence, and every connection's 4-tuple
occurs in the capture.  One line per failed check, then "N passed, N
failed" counting manifests; exit status 1 if any failed.

Standard library only, python3 >= 3.9.  It has its own small pcap reader on
purpose: the manifests are written by samples/lab/manifest.py, and checking
them with the same code would prove nothing.
"""
import ipaddress
import json
import os
import struct
import sys

LINKTYPES = {1: "EN10MB"}
CLOSES = {"clean-close", "simultaneous-close", "half-close", "abortive-reset",
          "reset-after-close", "refused", "not-closed", "vanished"}
CLOSERS = {"client", "server", "both", None}
RULES = {"fin-ack-mismatch", "fin-seq-mismatch", "data-after-fin",
         "rst-after-fin-wait2-timeout", "rst-on-data-after-close",
         "abortive-close", "linger-timeout", "final-ack-lost",
         "final-ack-missing", "fin-wait1-giveup", "close-wait-stuck",
         "time-wait-reuse", "time-wait-assassination", "rst-out-of-window",
         "half-open", "half-close", "simultaneous-close",
         "connection-refused"}
# tcpdump prints TCP flags in this order, ACK as "."
FLAG_CHARS = ((0x01, "F"), (0x02, "S"), (0x04, "R"), (0x08, "P"),
              (0x10, "."), (0x20, "U"), (0x40, "E"), (0x80, "W"))


class BadCapture(Exception):
    pass


def flag_string(flags):
    s = "".join(c for bit, c in FLAG_CHARS if flags & bit)
    return s or "none"


def read_pcap(path):
    """Return (link type, [decoded TCP packet or None per record])."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise BadCapture("too short for a pcap header")
    for order in ("<", ">"):
        magic = struct.unpack(order + "I", data[:4])[0]
        if magic in (0xA1B2C3D4, 0xA1B23C4D):
            break
    else:
        raise BadCapture("not a pcap file (pcapng is not supported)")
    linktype = struct.unpack(order + "I", data[20:24])[0] & 0x0FFFFFFF
    records, off = [], 24
    while off < len(data):
        if off + 16 > len(data):
            raise BadCapture("truncated record header at byte %d" % off)
        incl = struct.unpack(order + "I", data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + incl]
        if len(frame) != incl:
            raise BadCapture("truncated record at byte %d" % off)
        off += 16 + incl
        records.append(decode_ethernet(frame) if linktype == 1 else None)
    return linktype, records


def decode_ethernet(frame):
    if len(frame) < 14:
        return None
    etype = struct.unpack("!H", frame[12:14])[0]
    off = 14
    while etype in (0x8100, 0x88A8) and len(frame) >= off + 4:
        etype = struct.unpack("!H", frame[off + 2:off + 4])[0]
        off += 4
    ip = frame[off:]
    if etype == 0x0800 and len(ip) >= 20 and ip[0] >> 4 == 4:
        ihl = (ip[0] & 0x0F) * 4
        if ip[9] != 6 or len(ip) < ihl + 20:
            return None
        # the IP length, not the captured length: snaplen may cut payload
        seglen = struct.unpack("!H", ip[2:4])[0] - ihl
        src, dst = ip[12:16], ip[16:20]
        tcp = ip[ihl:]
    elif etype == 0x86DD and len(ip) >= 60 and ip[0] >> 4 == 6:
        if ip[6] != 6:          # extension headers: not in our captures
            return None
        seglen = struct.unpack("!H", ip[4:6])[0]
        src, dst = ip[8:24], ip[24:40]
        tcp = ip[40:]
    else:
        return None
    sport, dport, seq, ack, word = struct.unpack("!HHIIH", tcp[:14])
    flags = word & 0xFF
    return {"src": ipaddress.ip_address(src), "dst": ipaddress.ip_address(dst),
            "sport": sport, "dport": dport, "flags": flag_string(flags),
            "seq": seq, "ack": ack if flags & 0x10 else None,
            "len": seglen - (word >> 12) * 4}


def endpoint(d):
    return (ipaddress.ip_address(d["addr"]), int(d["port"]))


def check_manifest(path):
    """Return the list of failure messages for one manifest."""
    errs = []
    try:
        with open(path) as f:
            m = json.load(f)
    except (OSError, ValueError) as e:
        return ["cannot read manifest: %s" % e]
    pcap = path[:-len(".json")] + ".pcap"
    if not os.path.exists(pcap):
        return ["capture %s does not exist" % os.path.basename(pcap)]
    try:
        linktype, records = read_pcap(pcap)
    except (OSError, BadCapture) as e:
        return ["%s: %s" % (os.path.basename(pcap), e)]
    for key in ("scenario", "script", "capture_side", "link_type", "kernel",
                "sysctls", "packets", "connections"):
        if key not in m:
            errs.append("missing key %r" % key)
    if errs:
        return errs
    if m["capture_side"] not in ("client", "server"):
        errs.append("capture_side %r is not client/server" % m["capture_side"])
    if LINKTYPES.get(linktype, str(linktype)) != m["link_type"]:
        errs.append("link_type %s, capture has %s"
                    % (m["link_type"], LINKTYPES.get(linktype, linktype)))
    if m["packets"] != len(records):
        errs.append("packets %s, capture has %d" % (m["packets"], len(records)))
    tuples = set()
    for r in records:
        if r:
            tuples.add(((r["src"], r["sport"]), (r["dst"], r["dport"])))
    for i, c in enumerate(m["connections"], 1):
        errs += ["connection %d: %s" % (i, e) for e in
                 check_connection(c, records, tuples)]
    return errs


def check_connection(c, records, tuples):
    errs = []
    try:
        cl, sv = endpoint(c["client"]), endpoint(c["server"])
    except (KeyError, ValueError, TypeError) as e:
        return ["bad client/server endpoint: %s" % e]
    name = "%s.%d > %s.%d" % (cl[0], cl[1], sv[0], sv[1])
    if (cl, sv) not in tuples and (sv, cl) not in tuples:
        errs.append("4-tuple %s not in the capture" % name)
    if c.get("close") not in CLOSES:
        errs.append("close %r is not a known class" % c.get("close"))
    if c.get("active_closer", "missing") not in CLOSERS:
        errs.append("active_closer %r" % c.get("active_closer"))
    missing = [k for k in ("three_way", "mid_stream", "final_states",
                           "anomalies", "evidence") if k not in c]
    if missing:
        return errs + ["missing key %r" % k for k in missing]
    listed = set()
    for ev in c["evidence"]:
        n = ev.get("packet")
        listed.add(n)
        if not isinstance(n, int) or not 1 <= n <= len(records):
            errs.append("evidence packet %r does not exist" % n)
            continue
        r = records[n - 1]
        if r is None:
            errs.append("packet %d is not TCP" % n)
            continue
        here = ((r["src"], r["sport"]), (r["dst"], r["dport"]))
        want = {"client": (cl, sv), "server": (sv, cl)}.get(ev.get("from"))
        if want is None:
            errs.append("packet %d: from %r" % (n, ev.get("from")))
        elif here != want:
            errs.append("packet %d: from %s, but it goes %s.%d > %s.%d"
                        % (n, ev["from"], here[0][0], here[0][1],
                           here[1][0], here[1][1]))
        for key in ("flags", "seq", "ack", "len"):
            if key not in ev:
                errs.append("packet %d: evidence has no %r" % (n, key))
            elif ev[key] != r[key]:
                errs.append("packet %d: %s %r, capture has %r"
                            % (n, key, ev[key], r[key]))
    for a in c["anomalies"]:
        if a.get("rule") not in RULES:
            errs.append("unknown rule %r" % a.get("rule"))
        if not a.get("packets"):
            errs.append("anomaly %s lists no packets" % a.get("rule"))
        for n in a.get("packets", []):
            if n not in listed:
                errs.append("anomaly %s: packet %r is not in the evidence"
                            % (a.get("rule"), n))
    return errs


def manifests(args):
    for a in args:
        if os.path.isdir(a):
            for f in sorted(os.listdir(a)):
                if f.endswith(".json"):
                    yield os.path.join(a, f)
        else:
            yield a


def main(argv):
    args = argv[1:] or [os.path.join(os.path.dirname(os.path.abspath(
        __file__)), "..", "..", "samples")]
    passed = failed = 0
    for path in manifests(args):
        errs = check_manifest(path)
        for e in errs:
            print("%s: %s" % (os.path.basename(path), e))
        if errs:
            failed += 1
        else:
            passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
