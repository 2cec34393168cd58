#!/usr/bin/env python3
"""Compare --hold-closed full with --hold-closed tombstone on captures.

For each capture, both modes' JSON Lines reports are read and every
connection is compared by id: its close class, active closer and the
rules of its findings (with their endpoints and evidence packets) must be
the same, once the tombstone mode's late findings are put back into the
record they name.  Record order is not compared (with tombstones a closed
connection's record comes out after the linger, not after TIME_WAIT).

With --strict, every member of every flow record must be equal too
(packet counts, states, Zeek's view...): true when no packet came after a
linger, which is what the default linger gives the lab's captures.

usage: tombstone-compare.py [--strict] [--linger T] [--expect-late N]
                            FINLINT CAPTURE...
Exit 0 when every capture agrees; 1 with the differences on stdout."""
import json
import subprocess
import sys


def report(finlint, args, path):
    out = subprocess.run([finlint, "-f", "jsonl", "--flows", "all"] + args + [path],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
    if out.returncode not in (0, 1, 3):
        raise SystemExit("%s %s: exit %d" % (finlint, path, out.returncode))
    flows, findings, late = {}, {}, []
    for line in out.stdout.decode("utf-8", "replace").splitlines():
        o = json.loads(line)
        t = o.get("type")
        if t == "flow":
            key = (o["file"], o["id"])
            if key in flows:
                raise SystemExit("%s: flow %d reported twice" % (path, o["id"]))
            flows[key] = o
        elif t == "finding":
            findings.setdefault((o["file"], o["flow"]), []).append(o)
        elif t in ("late_finding", "late_packets"):
            key = (o["file"], o["flow"])
            late.append(o)
            if key not in flows:
                raise SystemExit("%s: late finding for flow %d before its record"
                                 % (path, o["flow"]))
    return flows, findings, late


def finding_key(f, loose):
    # a late finding's message says it is late; the packets say what it is
    if loose:
        return (f["rule"], f["endpoint"])
    return (f["rule"], f["endpoint"], tuple(f["packets"]))


def main(argv):
    strict = False
    linger = []
    expect_late = None
    while argv and argv[0].startswith("--"):
        opt = argv.pop(0)
        if opt == "--strict":
            strict = True
        elif opt == "--linger":
            linger = ["--linger", argv.pop(0)]
        elif opt == "--expect-late":
            expect_late = int(argv.pop(0))
        else:
            raise SystemExit(__doc__)
    if len(argv) < 2:
        raise SystemExit(__doc__)
    finlint, paths = argv[0], argv[1:]
    bad = 0
    late_total = 0
    late_records = 0
    for path in paths:
        full, full_find, full_late = report(finlint, ["--hold-closed", "full"], path)
        tomb, tomb_find, late = report(finlint, ["--hold-closed", "tombstone"] + linger, path)
        late_total += sum(1 for o in late if o["type"] == "late_finding")
        late_records += len(late)
        if full_late:
            print("%s: --hold-closed full wrote late findings" % path)
            bad += 1
        if set(full) != set(tomb):
            print("%s: connections differ: %s" % (path, sorted(set(full) ^ set(tomb))))
            bad += 1
            continue
        late_by, late_pk = {}, set()
        for o in late:
            key = (o["file"], o["flow"])
            if o["type"] == "late_finding":
                late_by.setdefault(key, []).append(o)
            late_pk.add(key)
        for key in sorted(full):
            a, b = full[key], tomb[key]
            moved = late_by.get(key, [])
            # a late packet changes what the whole record would say of
            # the packets it carries: compare those loosely
            loose = key in late_pk
            fa = sorted(finding_key(f, loose) for f in full_find.get(key, []))
            fb = sorted(finding_key(f, loose)
                        for f in tomb_find.get(key, []) + moved)
            if fa != fb:
                print("%s flow %d: findings %s (full) vs %s (tombstone, late ones put back)"
                      % (path, key[1], fa, fb))
                bad += 1
            for member in ("close", "active_closer", "three_way", "prev_id"):
                if a.get(member) != b.get(member) and not loose:
                    print("%s flow %d: %s %r (full) vs %r (tombstone)"
                          % (path, key[1], member, a.get(member), b.get(member)))
                    bad += 1
            if strict and not loose:
                da = {k: v for k, v in a.items() if k != "findings"}
                db = {k: v for k, v in b.items() if k != "findings"}
                if da != db:
                    diff = sorted(k for k in set(da) | set(db) if da.get(k) != db.get(k))
                    print("%s flow %d: record members differ: %s" % (path, key[1], diff))
                    bad += 1
    if expect_late is not None and late_total != expect_late:
        print("expected %d late findings, got %d" % (expect_late, late_total))
        bad += 1
    print("%d captures, %d late findings, %d late records, %d differences"
          % (len(paths), late_total, late_records, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
