#!/usr/bin/env python3
"""Compare finlint's Zeek-compatible conn_state and history with what Zeek
itself logged for the same captures: the trace + baseline pairs of the
shared corpus (MANIFEST.md, section 'zeek/: trace + baseline pairs').

Each Zeek connection is matched to a finlint flow, or to one of the further
conn.log lines finlint says Zeek would cut the flow into ("zeek_split"), by
the unordered 4-tuple, in order of appearance when a tuple repeats.  Every
disagreement is printed.  The test fails unless conn_state agrees for at
least 95% of the Zeek connections that have one, and every disagreement is
one of KNOWN below (docs/zeek-compat.md gives the reasons).

Standard library only.  Environment: FINLINT (the binary), srcdir,
FINLINT_CORPUS (the corpus, default $srcdir/../shared/corpus).  Exits 77
when the corpus is absent."""
import ipaddress
import json
import os
import subprocess
import sys

srcdir = os.environ.get("srcdir", ".")
finlint = os.environ.get("FINLINT", "./finlint")
corpus = os.environ.get("FINLINT_CORPUS", os.path.join(srcdir, "..", "shared", "corpus"))
if not os.path.isdir(os.path.join(corpus, "zeek")):
    corpus = os.path.join(srcdir, "..", "..", "shared", "corpus")
if not os.path.isdir(os.path.join(corpus, "zeek")):
    print("SKIP: no shared corpus at %s (set FINLINT_CORPUS)"
          % os.environ.get("FINLINT_CORPUS", os.path.join(srcdir, "..", "shared", "corpus")))
    sys.exit(77)

THRESHOLD = 0.95

# (trace under zeek/traces, baseline under zeek/baselines).  Only pairs
# whose checksums do not matter: Zeek ran with -C, or no connection in the
# baseline has a 'c' in its history (Zeek found no bad checksum, so it
# dropped nothing finlint keeps).  Left out: tcp/syn-bad.pcap and
# chksums/localhost-bad-chksum.pcap's conn-failed.log (bad checksums, no
# -C), ldap/gap-data-missing.pcapng (libpcap cannot read it),
# expire-all-timers' conn-limited.log (the test starves Zeek's timers on
# purpose; conn-all.log is the same trace with timers working), and the
# event printouts that are not conn.log lines.
PAIRS = [
    ("tcp/single-rst.pcap", "scripts.base.protocols.conn.conn_state-RST-behavior.out"),
    ("tcp/syn-then-rst.pcap", "scripts.base.protocols.conn.conn_state-RST-behavior.out"),
    ("tcp/syn-then-ack-then-rst.pcap", "scripts.base.protocols.conn.conn_state-RST-behavior.out"),
    ("tcp/syn-then-stuff-then-rst.pcap", "scripts.base.protocols.conn.conn_state-RST-behavior.out"),
    ("tcp/retransmit-fast009.pcap", "core.tcp.rxmit-history.conn-1.log"),
    ("wikipedia.pcap", "core.tcp.rxmit-history.conn-2.log"),
    ("tcp/missing-syn.pcap", "core.tcp.missing-syn.conn.log"),
    ("tcp/missing-syn.pcap", "core.history-flip.conn.log"),
    ("tcp/miss_end_data.pcap", "core.tcp.miss-end-data.conn.log"),
    ("tcp/http-on-irc-port-missing-syn.pcapng", "core.tcp.flip-without-syn.conn.log"),
    ("tcp/one-sided-2745.pcap", "core.conn-size-flip.conn.log.one-sided"),
    ("tcp/ctu-64702-888.pcap", "core.conn-size-flip.conn.log.ctu"),
    ("tcp/retransmit-timeout.pcapng", "core.expire-all-timers.conn-all.log"),
    ("tunnels/Teredo.pcap", "core.tunnels.teredo.conn.log"),
    ("modbus/modbus-and-non-modbus-p502.pcap",
     "scripts.base.protocols.modbus.modbus_and_non_modbus_on_port_502.conn.log"),
    ("ssh/ssh.pcap", "scripts.base.protocols.ssh.basic.conn.log"),
    ("ssh/ssh.client-side-half-duplex.pcap", "scripts.base.protocols.ssh.half-duplex-client.conn.log"),
    ("ssh/ssh.server-side-half-duplex.pcap", "scripts.base.protocols.ssh.half-duplex-server.conn.log"),
    ("pop3/pop3.pcap", "scripts.base.protocols.pop3.basic.conn.log"),
    ("ftp/ipv4.pcap", "scripts.base.protocols.ftp.ftp-ipv4.conn.log"),
    ("ftp/ipv6.pcap", "scripts.base.protocols.ftp.ftp-ipv6.conn.log"),
    ("ftp/ftp-auth-tls.pcap", "scripts.base.protocols.ftp.ftp-auth-tls.conn.log"),
    ("ftp/bigtransfer.pcap", "core.tcp.large-file-reassembly.conn.log"),
    ("mixed-vlan-mpls.pcap", "core.vlan-mpls.conn.log"),
    ("chksums/localhost-bad-chksum.pcap", "core.checksums_ignore_nets.conn-worked.log"),
    ("ldap/simpleauth.pcap", "scripts.base.protocols.ldap.basic.conn.log"),
    ("ldap/ldap-starttls.pcap", "scripts.base.protocols.ldap.starttls.conn.log"),
    ("ldap/ctu-sme-11-win7ad-1-ldap-tcp-50041.pcap",
     "scripts.base.protocols.ldap.spnego-ntlmssp.conn.log"),
    ("pop3/bad-list-retr-crafted.pcap", "scripts.base.protocols.pop3.bad-list-retr-crafted.conn.log"),
    ("http/http-to-ssh.pcap",
     "scripts.base.frameworks.analyzer.request-response-protocol-differences.conn-http-to-ssh.log"),
    ("tls/https-to-http.pcap",
     "scripts.base.frameworks.analyzer.request-response-protocol-differences.conn-https-to-http.log"),
    ("tls/imap-starttls.pcap", "scripts.base.protocols.imap.starttls.conn.log"),
    ("tls/xmpp-starttls.pcap", "scripts.base.protocols.xmpp.starttls.conn.log"),
    ("tls/irc-starttls.pcap", "scripts.base.protocols.irc.starttls.conn.log"),
    ("http/connect-with-smtp.pcap", "scripts.base.protocols.http.http-connect.conn.log"),
    ("http/m57-long-49600-80.pcap",
     "scripts.base.protocols.http.m57-long-download-windowsupdate-2.conn.log.cut"),
    ("globus-url-copy.pcap", "scripts.base.protocols.ftp.gridftp.conn.log"),
    ("tcp-http-with-padding.pcap", "core.tcp-padding.conn.log"),
]

# Disagreements understood and accepted, each with its reason in
# docs/zeek-compat.md.  Key: "trace orig_h:orig_p > resp_h:resp_p #n what",
# #n counting the Zeek connections of that 4-tuple from 1, what being
# "unmatched", "conn_state", "history" or "orig".
KNOWN = {
    "tunnels/Teredo.pcap 2001:0:4137:9e50:8000:f12a:b9c8:2815:1286 > 2001:4860:0:2001::68:80 #1 unmatched":
        "the IPv6 connection rides a Teredo relay on UDP 3797/32900; finlint's decoder "
        "takes UDP as Teredo on port 3544 only, so it never sees this TCP",
    "globus-url-copy.pcap 192.168.57.103:35391 > 192.168.57.101:55968 #1 conn_state":
        "Zeek's GridFTP script stops processing the data channel once detected "
        "(skip_further_processing), so Zeek never sees the FINs; both sides did close: SF",
    "globus-url-copy.pcap 192.168.57.103:35391 > 192.168.57.101:55968 #1 history":
        "same cause: the FINs (fF) come after Zeek stopped looking at the connection",
}


def norm_addr(a):
    try:
        return str(ipaddress.ip_address(a))
    except ValueError:
        return a


def tuple_key(a, ap, b, bp):
    return frozenset([(norm_addr(a), int(ap)), (norm_addr(b), int(bp))])


def read_conn_log(path):
    """Zeek's TCP connections in a conn.log (or zeek-cut -m output)."""
    fields, rows = None, []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line or line.startswith("### "):
            continue
        if line.startswith("#fields"):
            fields = line.split("\t")[1:]
            continue
        if line.startswith("#"):
            continue
        parts = line.split("\t")
        if fields is None:
            fields = parts  # zeek-cut -m: the first line names the columns
            continue
        r = dict(zip(fields, parts))
        if r.get("proto", "tcp") != "tcp" or "id.orig_h" not in r:
            continue
        rows.append({
            "orig": (norm_addr(r["id.orig_h"]), int(r["id.orig_p"])),
            "resp": (norm_addr(r["id.resp_h"]), int(r["id.resp_p"])),
            "conn_state": r.get("conn_state"),
            "history": None if r.get("history") in (None, "-") else r["history"],
        })
    return rows


def read_rst_behavior(path, trace):
    """conn_state-RST-behavior.out: one 'history, conn_state' line per
    trace, in the order of the test's runs."""
    order = [t for t, b in PAIRS if b.endswith("conn_state-RST-behavior.out")]
    lines = [l.strip() for l in open(path, encoding="utf-8")
             if l.strip() and not l.startswith("###")]
    history, state = [x.strip() for x in lines[order.index(trace)].split(",")]
    return [{"orig": None, "resp": None, "conn_state": state, "history": history}]


def finlint_pieces(trace):
    out = subprocess.run([finlint, "-f", "json", trace], capture_output=True, text=True)
    if out.returncode not in (0, 1):
        raise RuntimeError(f"finlint exited {out.returncode}: {out.stderr.strip()}")
    if "Sanitizer" in out.stderr or "runtime error:" in out.stderr:
        raise RuntimeError(f"sanitizer report: {out.stderr.strip()[:2000]}")
    pieces = []
    doc = json.loads(out.stdout)
    # --hold-closed tombstone: packets after a closed connection's record
    # are Zeek's lines of their own, on the late_packets entries
    for f in doc["flows"] + [e for e in doc.get("late_findings", [])
                             if e["kind"] == "late_packets"]:
        side = {"client": (norm_addr(f["client"]["addr"]), f["client"]["port"]),
                "server": (norm_addr(f["server"]["addr"]), f["server"]["port"])}
        other = {"client": "server", "server": "client"}
        parts = ([f] if "conn_state" in f else []) + f.get("zeek_split", [])
        for p in parts:
            pieces.append({
                "key": frozenset([side["client"], side["server"]]),
                "first_packet": p["first_packet"],
                "conn_state": p["conn_state"],
                "history": p["history"],
                "orig": side[p["zeek_orig"]],
                "resp": side[other[p["zeek_orig"]]],
            })
    pieces.sort(key=lambda p: p["first_packet"])
    return pieces


def main():
    cs_total = cs_agree = h_total = h_agree = o_total = o_agree = 0
    seen_known = set()
    unknown = []
    for trace, baseline in PAIRS:
        tpath = os.path.join(corpus, "zeek", "traces", trace)
        bpath = os.path.join(corpus, "zeek", "baselines", baseline)
        if baseline.endswith("conn_state-RST-behavior.out"):
            rows = read_rst_behavior(bpath, trace)
        else:
            rows = read_conn_log(bpath)
        try:
            pieces = finlint_pieces(tpath)
        except (RuntimeError, ValueError) as e:
            print(f"FAIL {trace}: {e}")
            return 1
        by_key = {}
        for p in pieces:
            by_key.setdefault(p["key"], []).append(p)
        counts = {}
        for r in rows:
            if r["orig"] is None:  # one connection per trace, no 4-tuple given
                if pieces:
                    r["orig"], r["resp"] = pieces[0]["orig"], pieces[0]["resp"]
                else:
                    r["orig"] = r["resp"] = ("?", 0)
            key = frozenset([r["orig"], r["resp"]])
            counts[key] = counts.get(key, 0) + 1
            label = (f"{trace} {r['orig'][0]}:{r['orig'][1]} > {r['resp'][0]}:{r['resp'][1]}"
                     f" #{counts[key]}")
            candidates = by_key.get(key, [])
            p = candidates.pop(0) if candidates else None
            problems = []
            if r["conn_state"] is not None:
                cs_total += 1
                if p is not None and p["conn_state"] == r["conn_state"]:
                    cs_agree += 1
                elif p is not None:
                    problems.append(("conn_state", f"Zeek {r['conn_state']}, finlint {p['conn_state']}"))
            if r["history"] is not None:
                h_total += 1
                if p is not None and p["history"] == r["history"]:
                    h_agree += 1
                elif p is not None:
                    problems.append(("history", f"Zeek {r['history']}, finlint {p['history']}"))
            o_total += 1
            if p is not None and p["orig"] == r["orig"]:
                o_agree += 1
            elif p is not None:
                problems.append(("orig", f"Zeek's originator {r['orig'][0]}:{r['orig'][1]}, "
                                         f"finlint's {p['orig'][0]}:{p['orig'][1]}"))
            if p is None:
                problems.append(("unmatched", f"no finlint connection for Zeek's "
                                              f"{r['conn_state']} {r['history']}"))
            for what, text in problems:
                k = f"{label} {what}"
                if k in KNOWN:
                    seen_known.add(k)
                    print(f"known    {k}: {text} ({KNOWN[k]})")
                else:
                    unknown.append(k)
                    print(f"NEW      {k}: {text}")
    for k in sorted(set(KNOWN) - seen_known):
        print(f"note     {k}: listed as known but agrees now; remove it from KNOWN")

    def pct(a, n):
        return f"{a}/{n} ({100.0 * a / n:.1f}%)" if n else "0/0"

    print(f"conn_state agrees: {pct(cs_agree, cs_total)}")
    print(f"history agrees:    {pct(h_agree, h_total)}")
    print(f"originator agrees: {pct(o_agree, o_total)}")
    ok = True
    if cs_total == 0 or cs_agree < THRESHOLD * cs_total:
        print(f"FAIL: conn_state agreement below {THRESHOLD:.0%}")
        ok = False
    if unknown:
        print(f"FAIL: {len(unknown)} disagreement(s) not in the known table")
        ok = False
    print("zeek-compare: " + ("passed" if ok else "failed"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
