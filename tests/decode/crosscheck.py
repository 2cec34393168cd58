#!/usr/bin/python3
"""Cross-check oracle.py against tshark and tcpdump (dev-time tool, not run by CI).

For every packet of a capture, compares what the oracle decoded with what
tshark (-T fields) and tcpdump (-nn -S, nanosecond timestamps) print:
the set of packets seen as TCP, timestamp, addresses, ports, flags, raw seq
and ack, window, payload length, TCP options and the encapsulation layers
(tshark's frame.protocols, mapped to the via= names).  The trunc mark is not
cross-checked here (neither tool reports it directly); see README.md.

Usage: crosscheck.py [--no-tcpdump] [--no-tshark] CAPTURE...
Prints one OK/DIFF line per capture and the differences; exit status 1 on
any difference.  Where a tool cannot decode a layer (tcpdump 4.99 has no
ERSPAN or Teredo dissector, for instance) it simply sees fewer TCP packets;
that shows up as 'only in oracle' and has to be judged by hand.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402

TSHARK_FIELDS = ['frame.number', 'frame.time_epoch', 'frame.protocols', 'ip.src', 'ip.dst',
                 'ipv6.src', 'ipv6.dst', 'tcp.srcport', 'tcp.dstport', 'tcp.seq_raw',
                 'tcp.ack_raw', 'tcp.flags', 'tcp.window_size_value', 'tcp.len',
                 'tcp.options.mss_val', 'tcp.options.wscale.shift', 'tcp.options.sack_perm',
                 'tcp.options.timestamp.tsval', 'tcp.options.timestamp.tsecr',
                 'tcp.options.sack_le', 'tcp.options.sack_re']

VIA_MAP = {'vlan': 'vlan', 'ieee8021ad': 'vlan', 'mpls': 'mpls', 'gre': 'gre', 'erspan': 'erspan', 'vxlan': 'vxlan',
           'geneve': 'geneve', 'teredo': 'teredo'}


def via_from_protocols(protos):
    toks = protos.split(':')
    out = []
    last_ip = False
    for t in toks:
        if t in ('ip', 'ipv6'):
            if last_ip:
                out.append('ipip')
            last_ip = True
            continue
        if t.startswith('ipv6.'):
            continue  # extension headers keep last_ip as it was
        last_ip = False
        if t in VIA_MAP:
            out.append(VIA_MAP[t])
    return out


def oracle_view(path):
    res = {}
    for n, f in oracle.decode(path, fields=True):
        o = f['opts']
        res[n] = dict(src=f['src'], dst=f['dst'], sport=f['sport'], dport=f['dport'],
                      seq=f['seq'], ack=f['ack'], flags=f['flags'], win=f['win'], len=f['len'],
                      mss=o.get('mss'), ws=o.get('ws'), sackok=bool(o.get('sackok')),
                      ts=o.get('ts'), sack=[tuple(x) for x in o.get('sack', [])],
                      via=f['via'], time=f['time'])
    return res


def last(v):
    return v.split(',')[-1] if v else ''


def tshark_view(path):
    cmd = ['tshark', '-r', path, '-o', 'tcp.relative_sequence_numbers:FALSE',
           '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE',
           '-o', 'tcp.analyze_sequence_numbers:FALSE', '-Y', 'tcp && !icmp && !icmpv6',
           '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a']
    for f in TSHARK_FIELDS:
        cmd += ['-e', f]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    res = {}
    for line in out.splitlines():
        v = dict(zip(TSHARK_FIELDS, line.split('\t')))
        n = int(v['frame.number'])
        toks = v['frame.protocols'].split(':')
        inner = [t for t in toks[:toks.index('tcp')] if t in ('ip', 'ipv6')][-1]
        pre = 'ipv6' if inner == 'ipv6' else 'ip'
        src, dst = last(v[pre + '.src']), last(v[pre + '.dst'])
        ts = None
        if v['tcp.options.timestamp.tsval']:
            ts = (int(v['tcp.options.timestamp.tsval']), int(v['tcp.options.timestamp.tsecr']))
        le = [int(x) for x in v['tcp.options.sack_le'].split(',') if x]
        re_ = [int(x) for x in v['tcp.options.sack_re'].split(',') if x]
        sec, _, frac = v['frame.time_epoch'].partition('.')
        res[n] = dict(src=src, dst=dst, sport=int(last(v['tcp.srcport'])),
                      dport=int(last(v['tcp.dstport'])), seq=int(last(v['tcp.seq_raw'])),
                      ack=int(last(v['tcp.ack_raw'])), flags=int(last(v['tcp.flags']), 16) & 0xff,
                      win=int(last(v['tcp.window_size_value'])),
                      mss=int(v['tcp.options.mss_val']) if v['tcp.options.mss_val'] else None,
                      ws=int(v['tcp.options.wscale.shift']) if v['tcp.options.wscale.shift'] else None,
                      sackok=bool(v['tcp.options.sack_perm']), ts=ts, sack=list(zip(le, re_)),
                      via=via_from_protocols(v['frame.protocols']),
                      time='%s.%s' % (sec, (frac + '000000000')[:9]))
        if v['tcp.len']:  # tshark leaves it empty for a first fragment it did not reassemble
            res[n]['len'] = int(last(v['tcp.len']))
    return res


TD_RE = re.compile(r'(?:(\S+)\.)?(\d+) > (?:(\S+)\.)?(\d+): Flags \[([^\]]*)\](?:, seq (\d+)(?::\d+)?)?'
                   r'(?:, ack (\d+))?, win (\d+)(?:, urg \d+)?(?:, options \[([^\]]*)\])?, length (\d+)')
TD_FLAGS = {'F': 0x01, 'S': 0x02, 'R': 0x04, 'P': 0x08, '.': 0x10, 'U': 0x20, 'E': 0x40, 'W': 0x80}


def tcpdump_view(path):
    out = subprocess.run(['tcpdump', '-nn', '-S', '-tt', '--time-stamp-precision=nano', '-r', path],
                         capture_output=True, text=True).stdout
    pkts = []
    for line in out.splitlines():  # a packet may take several lines (tunnels)
        if re.match(r'\d+\.\d+ ', line) or not pkts:
            pkts.append(line)
        else:
            pkts[-1] += ' ' + line
    res = {}
    for n, line in enumerate(pkts, 1):
        ms = list(TD_RE.finditer(line))
        if not ms:
            continue
        m = ms[-1]
        src, sport, dst, dport, fl, seq, ack, win, opts, length = m.groups()
        if src is None:  # IPv6 with extension headers: 'IP6 a > b: HBH ... sport > dport: Flags'
            a = re.findall(r'IP6 (\S+) > (\S+):', line[:m.start()])
            if not a:
                continue
            src, dst = a[-1]
        flags = 0 if fl == 'none' else sum(TD_FLAGS[c] for c in fl)
        d = dict(src=src, dst=dst, sport=int(sport), dport=int(dport), flags=flags, win=int(win),
                 len=int(length), time=line.split(' ', 1)[0])
        if seq is not None:
            d['seq'] = int(seq)
        if ack is not None:
            d['ack'] = int(ack)
        opts = opts or ''
        mm = re.search(r'mss (\d+)', opts)
        d['mss'] = int(mm.group(1)) if mm else None
        mm = re.search(r'wscale (\d+)', opts)
        d['ws'] = int(mm.group(1)) if mm else None
        d['sackok'] = 'sackOK' in opts
        mm = re.search(r'TS val (\d+) ecr (\d+)', opts)
        d['ts'] = (int(mm.group(1)), int(mm.group(2))) if mm else None
        d['sack'] = [(int(a), int(b)) for a, b in re.findall(r'\{(\d+):(\d+)\}', opts)]
        res[n] = d
    return res


def compare(name, ora, other, keys):
    diffs = []
    for n in sorted(set(ora) | set(other)):
        if n not in other:
            diffs.append('  pkt %d: only in oracle' % n)
            continue
        if n not in ora:
            diffs.append('  pkt %d: only in %s' % (n, name))
            continue
        for k in keys:
            if k in other[n] and other[n][k] != ora[n][k]:
                diffs.append('  pkt %d %s: oracle %r, %s %r' % (n, k, ora[n][k], name, other[n][k]))
    return diffs


def main():
    args = sys.argv[1:]
    use_td = '--no-tcpdump' not in args
    use_ts = '--no-tshark' not in args
    files = [a for a in args if not a.startswith('--')]
    bad = 0
    keys = ['time', 'src', 'dst', 'sport', 'dport', 'seq', 'ack', 'flags', 'win', 'len', 'mss',
            'ws', 'sackok', 'ts', 'sack']
    for f in files:
        ora = oracle_view(f)
        for tool, view, k in (('tshark', tshark_view, keys + ['via']), ('tcpdump', tcpdump_view, keys)):
            if (tool == 'tshark' and not use_ts) or (tool == 'tcpdump' and not use_td):
                continue
            d = compare(tool, ora, view(f), k)
            print('%s %s vs %s (%d tcp packets in oracle)' % ('DIFF' if d else 'OK', f, tool, len(ora)))
            for line in d[:40]:
                print(line)
            if len(d) > 40:
                print('  ... %d more' % (len(d) - 40))
            bad |= bool(d)
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
