#!/usr/bin/env python3
"""check_manifest.py: verify the lab manifests against their captures.

    check_manifest.py [DIR | FILE.json]...     (default: ../../samples)

For every samples/NAME.json: NAME.pcap exists, its packet count and link
type are the manifest's, every evidence packet exists and has exactly the
stated direction, flags, seq, ack and payload length, every anomaly's
packets are in its connection's evidence, every connection's 4-tuple
occurs in the capture, and what the newer manifests add holds too: the
payload an anomaly says was lost ("lost": its length and first bytes), the
packets a note calls retransmissions (one direction, one seq, one length)
or capture duplicates (the same IP packet, recorded again less than a
millisecond later).  One line per failed check, then "N passed, N
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

LINKTYPES = {1: "EN10MB", 113: "LINUX_SLL", 276: "LINUX_SLL2"}
CLOSES = {"clean-close", "simultaneous-close", "half-close", "abortive-reset",
          "reset-after-close", "refused", "not-closed", "vanished"}
CLOSERS = {"client", "server", "both", None}
RULES = {"fin-ack-mismatch", "fin-seq-mismatch", "data-after-fin",
         "rst-after-fin-wait2-timeout", "rst-on-data-after-close",
         "abortive-close", "linger-timeout", "final-ack-lost",
         "final-ack-missing", "fin-wait1-giveup", "close-wait-stuck",
         "time-wait-reuse", "time-wait-assassination", "rst-out-of-window",
         "half-open", "half-close", "simultaneous-close",
         "connection-refused", "syn-to-old-connection",
         # Ground truth for a rule not written yet (tests/rules-vs-lab.py
         # lists it as pending); a manifest may name it already.
         "connect-timeout"}
SEVERITIES = {"info", "warning", "error"}
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
    tsdiv = 1e9 if magic == 0xA1B23C4D else 1e6
    while off < len(data):
        if off + 16 > len(data):
            raise BadCapture("truncated record header at byte %d" % off)
        incl = struct.unpack(order + "I", data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + incl]
        if len(frame) != incl:
            raise BadCapture("truncated record at byte %d" % off)
        sec, frac = struct.unpack(order + "II", data[off:off + 8])
        off += 16 + incl
        r = decode_link(linktype, frame)
        if r:
            r["ts"] = sec + frac / tsdiv
        records.append(r)
    return linktype, records


def decode_link(linktype, frame):
    if linktype == 1:
        return decode_ethernet(frame)
    if linktype == 113 and len(frame) >= 16:        # cooked v1: 16 bytes
        return decode_ip(struct.unpack("!H", frame[14:16])[0], frame[16:])
    if linktype == 276 and len(frame) >= 20:        # cooked v2: 20 bytes
        return decode_ip(struct.unpack("!H", frame[0:2])[0], frame[20:])
    return None


def decode_ethernet(frame):
    if len(frame) < 14:
        return None
    etype = struct.unpack("!H", frame[12:14])[0]
    off = 14
    while etype in (0x8100, 0x88A8) and len(frame) >= off + 4:
        etype = struct.unpack("!H", frame[off + 2:off + 4])[0]
        off += 4
    return decode_ip(etype, frame[off:])


def decode_ip(etype, ip):
    if etype == 0x0800 and len(ip) >= 20 and ip[0] >> 4 == 4:
        ihl = (ip[0] & 0x0F) * 4
        if ip[9] != 6 or len(ip) < ihl + 20:
            return None
        # the IP length, not the captured length: snaplen may cut payload
        seglen = struct.unpack("!H", ip[2:4])[0] - ihl
        src, dst = ip[12:16], ip[16:20]
        tcp = ip[ihl:]
        whole = ip[:ihl + seglen]
    elif etype == 0x86DD and len(ip) >= 60 and ip[0] >> 4 == 6:
        if ip[6] != 6:          # extension headers: not in our captures
            return None
        seglen = struct.unpack("!H", ip[4:6])[0]
        src, dst = ip[8:24], ip[24:40]
        tcp = ip[40:]
        whole = ip[:40 + seglen]
    else:
        return None
    sport, dport, seq, ack, word = struct.unpack("!HHIIH", tcp[:14])
    flags = word & 0xFF
    return {"src": ipaddress.ip_address(src), "dst": ipaddress.ip_address(dst),
            "sport": sport, "dport": dport, "flags": flag_string(flags),
            "seq": seq, "ack": ack if flags & 0x10 else None,
            "len": seglen - (word >> 12) * 4,
            "ip": bytes(whole), "payload": bytes(tcp[(word >> 12) * 4:seglen])}


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
        if "severity" in a and a["severity"] not in SEVERITIES:
            errs.append("anomaly %s: severity %r" % (a.get("rule"),
                                                      a["severity"]))
        if "lost" in a:
            errs += ["anomaly %s: %s" % (a.get("rule"), e)
                     for e in check_lost(a["lost"], records, listed)]
    for note in c.get("notes", []):
        errs += ["note %s: %s" % (note.get("what"), e)
                 for e in check_note(note, records, listed)]
    return errs


def record_at(records, n):
    if isinstance(n, int) and 1 <= n <= len(records):
        return records[n - 1]
    return None


def check_lost(lost, records, listed):
    """The lost bytes: that packet's payload length and first bytes."""
    r = record_at(records, lost.get("packet"))
    if r is None or lost.get("packet") not in listed:
        return ["lost packet %r is not in the evidence" % lost.get("packet")]
    errs = []
    if lost.get("len") != len(r["payload"]):
        errs.append("lost len %r, packet %d carries %d bytes"
                    % (lost.get("len"), lost["packet"], len(r["payload"])))
    head = " ".join("%02x" % b for b in r["payload"][:5])
    if lost.get("head") != head:
        errs.append("lost head %r, packet %d starts %r"
                    % (lost.get("head"), lost["packet"], head))
    return errs


def check_note(note, records, listed):
    what, errs = note.get("what"), []
    if not note.get("why"):
        errs.append("no why")
    if what == "retransmission":
        pkts = [record_at(records, n) for n in note.get("packets", [])]
        if len(pkts) < 1 or None in pkts or \
                not set(note["packets"]) <= listed:
            return errs + ["packets %r not all in the evidence"
                           % note.get("packets")]
        same = {(r["src"], r["sport"], r["seq"], r["len"]) for r in pkts}
        if len(same) != 1 or pkts[0]["len"] == 0:
            errs.append("packets %r are not one data segment sent again"
                        % note["packets"])
    elif what == "capture-duplicate":
        pairs = note.get("pairs") or []
        if not pairs:
            errs.append("no pairs")
        for pair in pairs:
            if not (isinstance(pair, list) and len(pair) == 2):
                errs.append("pair %r" % (pair,))
                continue
            a, b = (record_at(records, n) for n in pair)
            if a is None or b is None or not set(pair) <= listed:
                errs.append("pair %r not in the evidence" % (pair,))
            elif not pair[0] < pair[1] or a["ip"] != b["ip"] or \
                    not 0 <= b["ts"] - a["ts"] < 0.001:
                errs.append("packets %d and %d are not one IP packet "
                            "recorded twice within 1 ms" % tuple(pair))
    else:
        errs.append("unknown note")
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
