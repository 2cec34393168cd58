#!/usr/bin/env python3
"""finlint's warning and error findings on real traffic against labels a
person wrote after reading the packets (tests/realworld/labels.tsv; how to
label: tests/realworld/README.md).

The scanned folders of the shared corpus are SCANNED below.  Every warning
or error finding finlint produces there is matched to a label by file, the
flow's first packet number and the rule; when no label has that first
packet (an engine change split or joined flows differently), by file, the
client and server endpoints and the rule.  A problem is:
  - a finding labelled false that is produced,
  - a finding labelled true (or expected) that is not produced
    (an expected one only counts as recall, it is reported but is no
    problem until its rule exists: see --strict-expected),
  - a finding labelled unclear that is produced with a confidence above low,
  - an unlabelled warning or error finding.
An info finding counts where a label names it (a finding graded down to
info, "severity: info" in its reason, is still found); other info findings
are not labelled.
Exit status 1 with any problem, 0 without, 77 when the corpus is absent.

Options: --report (print everything, exit 0), --list (print every
produced warning/error finding as an unlabelled TSV line), --labels FILE,
--strict-expected (a missing expected finding is a problem too).

Standard library only.  Environment: FINLINT (the binary), srcdir,
FINLINT_CORPUS (the corpus, default $srcdir/../shared/corpus)."""
import argparse
import collections
import json
import os
import signal
import subprocess
import sys

SCANNED = ["other", "zeek/traces", "tcpdump"]
COLUMNS = ["file", "first_packet", "client", "server", "rule", "label",
           "frames", "reason"]
LABELS = ("true", "false", "unclear", "expected")


def endpoint(e):
    addr = e["addr"]
    if ":" in addr:
        return "[%s]:%d" % (addr, e["port"])
    return "%s:%d" % (addr, e["port"])


def find_corpus(srcdir):
    """The corpus root: $FINLINT_CORPUS, else ../shared/corpus next to the
    source tree (or one level up, for a build directory inside it)."""
    cands = [os.environ.get("FINLINT_CORPUS"),
             os.path.join(srcdir, "..", "shared", "corpus"),
             os.path.join(srcdir, "..", "..", "shared", "corpus")]
    for c in cands:
        if c and os.path.isdir(os.path.join(c, "zeek")):
            return c
    return None


def read_labels(path):
    labels = []
    with open(path, encoding="utf-8") as fh:
        header = None
        for n, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if header is None:
                header = cols
                if header[:len(COLUMNS)] != COLUMNS:
                    sys.exit("%s:%d: header must be %s" % (path, n, "\t".join(COLUMNS)))
                continue
            if len(cols) < len(COLUMNS):
                sys.exit("%s:%d: %d columns, want %d" % (path, n, len(cols), len(COLUMNS)))
            rec = dict(zip(COLUMNS, cols))
            if rec["label"] not in LABELS:
                sys.exit("%s:%d: label %r is not one of %s" % (path, n, rec["label"], LABELS))
            rec["line"] = n
            rec["first_packet"] = int(rec["first_packet"]) if rec["first_packet"] not in ("", "-") else None
            labels.append(rec)
    return labels


# What a finding must say, where the rule alone does not tell a reader the
# cause: (file, rule, severity, words the message must hold); words that
# begin with "!" must not be in it.
SAYS = [
    ("other/suricata-verify/tcp-rst-unacked-stream-10/"
     "TLPW1-tcp-174.56.47.59-10.3.11.101-tcp-80-49309.pcap", "abortive-close", "warning",
     "the server's last packet (73) came 43.074 s before the RST"),
    ("other/suricata-verify/bug-4702-01/input.pcap", "abortive-close", "warning",
     "the client reset with data still arriving"),
    ("other/pcapplusplus/many-protocols.pcap", "rst-on-data-after-close", "info",
     "27 bytes of the server's data (from packet 2507)"),
    # 4235 and 4236 are two bare RSTs (IP ID 0) answering the data 4231 and
    # the FIN 4232, not one RST captured twice
    ("other/pcapplusplus/many-protocols.pcap", "rst-on-data-after-close", "info",
     "the server's kernel answered with RST (packet 4235"),
    ("other/pcapplusplus/many-protocols.pcap", "rst-on-data-after-close", "info",
     "!captured more than once"),
    # the server acked the client's 25-byte request (5) and reset; the
    # client's data 8 left before the RST reached it
    ("zeek/traces/tcp/rst-inject-rae.pcap", "abortive-close", "warning",
     "the client's data in packet 5 was acknowledged but never answered"),
    # 44's bytes were acknowledged by 49: not where the lost bytes start
    ("other/suricata-verify/tcp-rst-unacked-stream-09/"
     "TLPW1-tcp-110.37.219.134-10.12.14.101-tcp-990-49230.pcap", "abortive-close", "warning",
     "!from packet 44"),
    # the server's FIN 176 came before the RST 177: it was in LAST_ACK
    ("other/ndpi/heuristic_tcp_ack_payload.pcap", "rst-on-data-after-close", "warning",
     "the server closed its side too (FIN, packet 176, before the RST came)"),
    ("other/ndpi/heuristic_tcp_ack_payload.pcap", "rst-on-data-after-close", "warning",
     "!and the server sees ECONNRESET"),
    # 174 is the server's NewSessionTicket, CCS and Finished (0x16 ...)
    ("other/ndpi/heuristic_tcp_ack_payload.pcap", "rst-on-data-after-close", "warning",
     "they begin with a TLS handshake record"),
    # the server's close_notify 1040 and FIN 1041 left before the RST
    # 1038 could reach it (capture near the client)
    ("other/pcapplusplus/many-protocols.pcap", "rst-on-data-after-close", "warning",
     "the server closed its side too (FIN, packet 1041"),
    # RST 19 answers the lost 64 bytes at a seq the server drops; 20 counts
    ("other/suricata-verify/tcp-fastopen-07/tcp_fastopen_segmentation.pcap",
     "rst-on-data-after-close", "error",
     "RST (packet 19) at a seq the server had to ignore (RFC 5961), then RST (packet 20"),
    # the client's ACK 74 counts bytes the capture missed: ~30 s, not 43
    ("other/suricata-verify/tcp-rst-unacked-stream-10/"
     "TLPW1-tcp-174.56.47.59-10.3.11.101-tcp-80-49309.pcap", "abortive-close", "warning",
     "the client waited at least 30.020 s"),
    # a bare RST is no kernel's abort: no SO_LINGER cause offered
    ("other/suricata-verify/tcp-split-handshake-01-4whs/split-handshake-4whs.pcap",
     "abortive-close", "warning", "!SO_LINGER"),
    # the client's TLS alert 1024 went before its FIN 1025
    ("other/pcapplusplus/many-protocols.pcap", "rst-on-data-after-close", "warning",
     "its last data before the FIN (packet 1024) was a protocol goodbye"),
    # the server's RST 4097 came 8.6 s after the client's ack 2752 of its
    # whole response: an idle keep-alive connection, nothing unread
    ("other/pcapplusplus/many-protocols.pcap", "abortive-close", "info",
     "it came 8.588 s after the client's last packet (2752) on a connection idle since"),
    ("zeek/traces/tcp/retransmit-fast009.pcap", "abortive-close", "warning",
     "!still unread (RFC 2525)"),
    # 49 SACKs 39105:41681 and 36529:37817 past its ack 35241
    ("other/suricata-verify/tcp-rst-unacked-stream-09/"
     "TLPW1-tcp-110.37.219.134-10.12.14.101-tcp-990-49230.pcap", "abortive-close", "warning",
     "3864 of them it had SACKed, received out of order, and 2576 never reached it"),
    # 5 (TTL 56, no timestamps) and 9 both carry the server's seq 1:44
    ("zeek/traces/tcp/qi_internet_SYNACK_curl_jsonip.pcap", "rst-on-data-after-close", "error",
     "packet 9 carries bytes that packet 5 had already carried, with other contents"),
]


def run_finlint(finlint, corpus, infos=False):
    """Yield (file relative to corpus, flow, finding) for every warning and
    error finding in the scanned folders (and the info ones with infos)."""
    dirs = [os.path.join(corpus, d) for d in SCANNED if os.path.isdir(os.path.join(corpus, d))]
    proc = subprocess.run([finlint, "-f", "jsonl", "--flows", "flagged",
                           "--fail-on", "never"] + dirs,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if proc.returncode not in (0, 1, 3):
        sys.exit("finlint exited %d" % proc.returncode)
    root = os.path.normpath(corpus) + os.sep
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        rec = json.loads(line)
        if rec.get("type") != "flow":
            continue
        rel = os.path.normpath(rec["file"])
        rel = rel[len(root):] if rel.startswith(root) else rel
        for f in rec.get("findings", []):
            if infos or f["severity"] in ("warning", "error"):
                yield rel, rec, f


def main():
    # a closed pipe (check.py --list | head) ends the listing quietly
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--report", action="store_true", help="print numbers and problems, exit 0")
    ap.add_argument("--list", action="store_true", help="print every produced finding as a TSV line")
    ap.add_argument("--strict-expected", action="store_true",
                    help="an expected finding that is missing is a problem")
    srcdir = os.environ.get("srcdir", ".")
    ap.add_argument("--labels", default=os.path.join(srcdir, "tests", "realworld", "labels.tsv"))
    args = ap.parse_args()

    finlint = os.environ.get("FINLINT", "./finlint")
    corpus = find_corpus(srcdir)
    if corpus is None:
        print("SKIP: shared corpus not found (set FINLINT_CORPUS)")
        return 77

    produced = list(run_finlint(finlint, corpus, infos=not args.list))
    if args.list:
        print("\t".join(COLUMNS))
        for rel, flow, f in produced:
            print("\t".join([rel, str(flow["first_packet"]), endpoint(flow["client"]),
                             endpoint(flow["server"]), f["rule"], "?",
                             ",".join(str(p) for p in f.get("packets", [])),
                             "[%s %s] %s" % (f["severity"], f["confidence"], f["message"])]))
        return 0

    labels = read_labels(args.labels)
    by_packet = collections.defaultdict(list)
    by_ends = collections.defaultdict(list)
    for lab in labels:
        by_packet[(lab["file"], lab["first_packet"], lab["rule"])].append(lab)
        by_ends[(lab["file"], lab["client"], lab["server"], lab["rule"])].append(lab)

    problems = []
    matched = set()
    hits = collections.Counter()
    for rel, flow, f in produced:
        key = (rel, flow["first_packet"], f["rule"])
        cands = [lab for lab in by_packet.get(key, []) if id(lab) not in matched]
        if not cands:
            ends = (rel, endpoint(flow["client"]), endpoint(flow["server"]), f["rule"])
            cands = [lab for lab in by_ends.get(ends, []) if id(lab) not in matched]
        where = "%s flow@%d %s -> %s %s (packets %s)" % (
            rel, flow["first_packet"], endpoint(flow["client"]), endpoint(flow["server"]),
            f["rule"], ",".join(str(p) for p in f.get("packets", [])))
        if not cands and f["severity"] == "info":
            continue  # info findings are labelled only where one was graded down
        if not cands:
            hits["unlabelled"] += 1
            problems.append("unlabelled %s %s: %s" % (f["severity"], where, f["message"]))
            continue
        frames = ",".join(str(p) for p in f.get("packets", []))
        exact = [lab for lab in cands if lab["frames"] == frames]
        lab = (exact or cands)[0]
        matched.add(id(lab))
        hits[lab["label"]] += 1
        if lab["label"] == "false":
            problems.append("false finding produced (labels.tsv:%d) %s: %s"
                            % (lab["line"], where, lab["reason"]))
        elif lab["label"] == "true" and lab["frames"] != frames:
            # the right rule on the wrong packets still sends the reader
            # to the wrong place
            problems.append("true finding with other evidence (labels.tsv:%d) %s: labelled %s"
                            % (lab["line"], where, lab["frames"]))
        elif lab["label"] == "unclear" and f["confidence"] != "low":
            problems.append("unclear finding with confidence above low (labels.tsv:%d) %s: %s"
                            % (lab["line"], where, lab["reason"]))

    for rel, rule, sev, words in SAYS:
        found = [f["message"] for r, _, f in produced
                 if r == rel and f["rule"] == rule and f["severity"] == sev]
        if words.startswith("!") and any(words[1:] in m for m in found):
            problems.append("a %s %s finding in %s says %r" % (sev, rule, rel, words[1:]))
        elif not words.startswith("!") and not any(words in m for m in found):
            problems.append("no %s %s finding in %s says %r" % (sev, rule, rel, words))

    missing = collections.Counter()
    notes = []
    for lab in labels:
        if id(lab) in matched or lab["label"] not in ("true", "expected"):
            continue
        missing[lab["label"]] += 1
        msg = "%s finding missing (labels.tsv:%d) %s flow@%s %s -> %s %s (frames %s): %s" % (
            lab["label"], lab["line"], lab["file"], lab["first_packet"], lab["client"],
            lab["server"], lab["rule"], lab["frames"], lab["reason"])
        if lab["label"] == "true" or args.strict_expected:
            problems.append(msg)
        else:
            notes.append(msg)

    per_class = collections.Counter(lab["label"] for lab in labels)
    print("labels: " + ", ".join("%s %d" % (c, per_class[c]) for c in LABELS))
    print("produced labelled or warning/error findings: %d (%s)" % (
        sum(hits.values()), ", ".join("%s %d" % (c, hits[c])
                                 for c in ("true", "false", "unclear", "expected", "unlabelled"))))
    tp = hits["true"] + hits["expected"]
    fp = hits["false"]
    want = per_class["true"] + per_class["expected"]
    prec = "%.3f" % (tp / (tp + fp)) if tp + fp else "n/a"
    rec = "%.3f" % (tp / want) if want else "n/a"
    print("precision (true / (true + false) produced): %d/%d = %s" % (tp, tp + fp, prec))
    print("recall (true produced / (true + expected labels)): %d/%d = %s" % (tp, want, rec))
    for n in notes:
        print("note: " + n)
    for p in problems:
        print("PROBLEM: " + p)
    print("realworld: %d problem%s" % (len(problems), "" if len(problems) == 1 else "s"))
    if args.report:
        return 0
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
