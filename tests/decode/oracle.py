#!/usr/bin/python3
"""Independent oracle for `finlint --decode`: prints the TCP lines that
finlint must print for a capture.

Written from the format spec alone, with no code shared with finlint's C
decoder and no third-party library: only struct and ipaddress from the
Python standard library.  Its output was cross-checked against tcpdump and
tshark (see crosscheck.py and README.md).

Usage: oracle.py CAPTURE            print the expected ' tcp ' lines
       oracle.py --all CAPTURE      also print '<n> t=... skip <why>' lines
                                    (the reasons are the oracle's own; the
                                    test never compares them)
       oracle.py --fields CAPTURE   machine-readable dump used by crosscheck.py

Line format (one per TCP packet):
<n> t=<time> tcp <src> > <dst> flags=<F> seq=<u32> ack=<u32> win=<u16>
    len=<payload>[ mss=][ ws=][ sackok][ ts=v/e][ sack=l-r,...][ via=...][ trunc]
<time> is RFC 3339 in UTC, as finlint's reports write it: 9 decimals for a
pcap file with the nanosecond magic, 6 (truncated) for any other file,
pcapng included, whatever its if_tsresol.
"""
import datetime
import gzip
import ipaddress
import struct
import sys

# ------------------------------------------------------------------ readers


class Skip(Exception):
    pass


def read_pcap(data):
    magic = data[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
        e = '<'
    elif magic in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        e = '>'
    else:
        raise ValueError('not a pcap file')
    nsec = magic in (b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\x3c\x4d')
    _, _, _, _, _, lt_field = struct.unpack_from(e + 'HHiIII', data, 4)
    linktype = lt_field & 0x0fffffff  # upper bits: FCS info, not the link type
    off = 24
    while off + 16 <= len(data):
        sec, frac, caplen, origlen = struct.unpack_from(e + 'IIII', data, off)
        off += 16
        frame = data[off:off + caplen]
        if len(frame) < caplen:
            break  # truncated record: libpcap reports an error here
        off += caplen
        yield linktype, sec, frac if nsec else frac * 1000, frame, origlen


def read_pcapng(data):
    off = 0
    e = '<'
    ifaces = []
    while off + 12 <= len(data):
        btype = struct.unpack_from('<I', data, off)[0]
        if btype == 0x0A0D0D0A:
            bom = data[off + 8:off + 12]
            e = '<' if bom == b'\x4d\x3c\x2b\x1a' else '>'
            ifaces = []
        btype, blen = struct.unpack_from(e + 'II', data, off)
        body = data[off + 8:off + blen - 4]
        if btype == 1:  # IDB
            linktype, _, snaplen = struct.unpack_from(e + 'HHI', body, 0)
            units = 10 ** 6
            o = 8
            while o + 4 <= len(body):
                code, olen = struct.unpack_from(e + 'HH', body, o)
                if code == 0:
                    break
                val = body[o + 4:o + 4 + olen]
                if code == 9 and olen >= 1:
                    r = val[0]
                    units = 2 ** (r & 0x7f) if r & 0x80 else 10 ** r
                o += 4 + olen + (-olen % 4)
            ifaces.append((linktype, units))
        elif btype == 6:  # EPB
            ifid, hi, lo, caplen, origlen = struct.unpack_from(e + 'IIIII', body, 0)
            linktype, units = ifaces[ifid]
            ticks = (hi << 32) | lo
            sec = ticks // units
            # libpcap in nanosecond precision: scale the fraction to ns
            # (truncating when the resolution is finer than 1 ns)
            ns = (ticks % units) * 10 ** 9 // units
            yield linktype, sec, ns, body[20:20 + caplen], origlen
        elif btype == 3:  # SPB: no timestamp, length from the block
            linktype, _ = ifaces[0]
            origlen = struct.unpack_from(e + 'I', body, 0)[0]
            yield linktype, 0, 0, body[4:4 + origlen], origlen
        off += blen


def read_capture(path):
    with open(path, 'rb') as f:
        data = f.read()
    if data[:2] == b'\x1f\x8b':
        data = gzip.decompress(data)
    if data[:4] == b'\x0a\x0d\x0d\x0a':
        return read_pcapng(data)
    return read_pcap(data)


def nanosecond_file(path):
    """A classic pcap with the nanosecond magic, either byte order."""
    with open(path, 'rb') as f:
        data = f.read(4)
    return data in (b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\x3c\x4d')


def rfc3339(sec, ns, nano):
    day = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=sec)
    frac = '%09d' % ns if nano else '%06d' % (ns // 1000)
    return day.strftime('%Y-%m-%dT%H:%M:%S') + '.' + frac + 'Z'


# ------------------------------------------------------------------ decoding


class Pkt:
    def __init__(self, frame):
        self.frame = frame
        self.via = []


def u16(b, o):
    if o + 2 > len(b):
        raise Skip('truncated')
    return struct.unpack_from('>H', b, o)[0]


def u32(b, o):
    if o + 4 > len(b):
        raise Skip('truncated')
    return struct.unpack_from('>I', b, o)[0]


ETH_IPV4, ETH_IPV6 = 0x0800, 0x86DD
VLAN_TPIDS = (0x8100, 0x88A8, 0x9100)
MPLS_TYPES = (0x8847, 0x8848)


def ethernet(p, o):
    """o: offset of the destination MAC."""
    if o + 14 > len(p.frame):
        raise Skip('truncated ethernet')
    etype = u16(p.frame, o + 12)
    if etype <= 1500:
        raise Skip('802.3 frame')
    return ethertype(p, etype, o + 14)


def ethertype(p, etype, o):
    if etype == ETH_IPV4:
        return ipv4(p, o)
    if etype == ETH_IPV6:
        return ipv6(p, o)
    if etype in VLAN_TPIDS:
        p.via.append('vlan')
        return ethertype(p, u16(p.frame, o + 2), o + 4)
    if etype in MPLS_TYPES:
        return mpls(p, o)
    if etype == 0x8864:  # PPPoE session stage, RFC 2516
        return pppoe(p, o)
    raise Skip('ethertype 0x%04x' % etype)


def ppp_protocol(p, proto, o):
    if proto == 0x0021:
        return ipv4(p, o)
    if proto == 0x0057:
        return ipv6(p, o)
    if proto in (0x0281, 0x0283):
        return mpls(p, o)
    raise Skip('PPP protocol 0x%04x' % proto)


def ppp(p, o):
    """RFC 1662 framing (ff 03) may be absent; RFC 1661 6.6: a protocol
    field whose first byte is odd is one byte long.  Cisco HDLC (0f/8f 00)
    shares DLT_PPP_SERIAL."""
    b = p.frame
    if o + 2 > len(b):
        raise Skip('truncated PPP')
    if b[o] in (0x0f, 0x8f) and b[o + 1] == 0:
        return ethertype(p, u16(b, o + 2), o + 4)
    if b[o] == 0xff and b[o + 1] == 0x03:
        o += 2
    if o >= len(b):
        raise Skip('truncated PPP')
    if b[o] & 1:
        return ppp_protocol(p, b[o], o + 1)
    return ppp_protocol(p, u16(b, o), o + 2)


def pppoe(p, o):
    if o + 8 > len(p.frame):
        raise Skip('truncated PPPoE')
    return ppp_protocol(p, u16(p.frame, o + 6), o + 8)


def mpls(p, o):
    p.via.append('mpls')
    while True:
        entry = u32(p.frame, o)
        o += 4
        if entry & 0x100:
            break
    if o >= len(p.frame):
        raise Skip('nothing after MPLS')
    nib = p.frame[o] >> 4
    if nib == 4:
        return ipv4(p, o)
    if nib == 6:
        return ipv6(p, o)
    raise Skip('MPLS payload not IP')


def ip_any(p, o):
    if o >= len(p.frame):
        raise Skip('truncated')
    v = p.frame[o] >> 4
    if v == 4:
        return ipv4(p, o)
    if v == 6:
        return ipv6(p, o)
    raise Skip('IP version %d' % v)


def ipv4(p, o):
    b = p.frame
    if o + 20 > len(b):
        raise Skip('truncated IPv4')
    vihl = b[o]
    if vihl >> 4 != 4:
        raise Skip('not IPv4')
    ihl = (vihl & 15) * 4
    if ihl < 20:
        raise Skip('bad IHL')
    if o + ihl > len(b):
        raise Skip('truncated IPv4 options')
    total = u16(b, o + 2)
    frag = u16(b, o + 6)
    proto = b[o + 9]
    if total < ihl:
        raise Skip('bad total length')
    if frag & 0x1fff:
        raise Skip('IPv4 fragment, not the first')
    src = str(ipaddress.IPv4Address(b[o + 12:o + 16]))
    dst = str(ipaddress.IPv4Address(b[o + 16:o + 20]))
    return transport(p, proto, o + ihl, total - ihl, src, dst, 4)


EXT_HDRS = (0, 43, 60)


def ipv6(p, o):
    b = p.frame
    if o + 40 > len(b):
        raise Skip('truncated IPv6')
    if b[o] >> 4 != 6:
        raise Skip('not IPv6')
    plen = u16(b, o + 4)
    nh = b[o + 6]
    src = str(ipaddress.IPv6Address(b[o + 8:o + 24]))
    dst = str(ipaddress.IPv6Address(b[o + 24:o + 40]))
    q = o + 40
    remaining = plen
    while True:
        if nh in EXT_HDRS:
            if q + 2 > len(b):
                raise Skip('truncated extension header')
            hlen = (b[q + 1] + 1) * 8
        elif nh == 44:  # fragment
            if q + 8 > len(b):
                raise Skip('truncated fragment header')
            if u16(b, q + 2) & 0xfff8:
                raise Skip('IPv6 fragment, not the first')
            hlen = 8
        elif nh == 51:  # AH
            if q + 2 > len(b):
                raise Skip('truncated AH')
            hlen = (b[q + 1] + 2) * 4
        else:
            break
        nh = b[q]
        q += hlen
        remaining -= hlen
    if remaining < 0:
        raise Skip('extension headers longer than the payload')
    return transport(p, nh, q, remaining, src, dst, 6)


def transport(p, proto, o, length, src, dst, ver):
    if proto == 6:
        return tcp(p, o, length, src, dst, ver)
    if proto in (4, 41):
        p.via.append('ipip')
        return ipv4(p, o) if proto == 4 else ipv6(p, o)
    if proto == 47:
        return gre(p, o)
    if proto == 17:
        return udp(p, o, length)
    raise Skip('IP protocol %d' % proto)


def gre(p, o):
    p.via.append('gre')
    flags = u16(p.frame, o)
    proto = u16(p.frame, o + 2)
    if flags & 7:
        raise Skip('GRE version %d' % (flags & 7))
    if flags & 0x4000:
        raise Skip('GRE with routing')
    q = o + 4
    for bit in (0x8000, 0x2000, 0x1000):  # checksum+reserved, key, sequence
        if flags & bit:
            q += 4
    if proto == 0x6558:
        return ethernet(p, q)
    if proto == 0x88BE:
        p.via.append('erspan')
        if flags & 0x1000:  # type II: 8-byte header; type I (no S bit): none
            q += 8
        return ethernet(p, q)
    if proto == 0x22EB:
        p.via.append('erspan')
        last = u16(p.frame, q + 10)
        q += 12
        if last & 1:  # O bit: 8-byte platform-specific subheader
            q += 8
        ft = (last >> 10) & 0x1f
        if ft == 0:
            return ethernet(p, q)
        if ft == 2:
            return ip_any(p, q)
        raise Skip('ERSPAN III frame type %d' % ft)
    return ethertype(p, proto, q)


def udp(p, o, iplen):
    b = p.frame
    sport, dport, ulen = u16(b, o), u16(b, o + 2), u16(b, o + 4)
    q = o + 8
    if dport in (4789, 8472):
        if q + 8 > len(b):
            raise Skip('truncated VXLAN')
        if not b[q] & 0x08:
            raise Skip('VXLAN without I flag')
        p.via.append('vxlan')
        return ethernet(p, q + 8)
    if dport == 6081:
        if q + 8 > len(b):
            raise Skip('truncated GENEVE')
        if b[q] >> 6:
            raise Skip('GENEVE version')
        optlen = (b[q] & 0x3f) * 4
        proto = u16(b, q + 2)
        p.via.append('geneve')
        q += 8 + optlen
        if proto == 0x6558:
            return ethernet(p, q)
        return ethertype(p, proto, q)
    if 3544 in (sport, dport):
        if q + 2 <= len(b) and b[q:q + 2] == b'\x00\x01':  # authentication
            if q + 4 > len(b):
                raise Skip('truncated teredo auth')
            q += 4 + b[q + 2] + b[q + 3] + 8 + 1
        if q + 2 <= len(b) and b[q:q + 2] == b'\x00\x00':  # origin indication
            q += 8
        if q < len(b) and b[q] >> 4 == 6:
            p.via.append('teredo')
            return ipv6(p, q)
        raise Skip('teredo without IPv6')
    raise Skip('UDP')


FLAG_LETTERS = ((0x01, 'F'), (0x02, 'S'), (0x04, 'R'), (0x08, 'P'),
                (0x10, 'A'), (0x20, 'U'), (0x40, 'E'), (0x80, 'C'))


def tcp(p, o, iplen, src, dst, ver):
    b = p.frame
    if o + 20 > len(b):
        raise Skip('truncated TCP header')
    sport, dport, seq, ack, off, flags, win = struct.unpack_from('>HHIIBBH', b, o)
    hlen = (off >> 4) * 4
    if hlen < 20 or hlen > iplen:
        raise Skip('bad TCP header length')
    paylen = iplen - hlen
    opts = {}
    if o + hlen <= len(b):
        opts = tcp_options(b[o + 20:o + hlen])
    else:
        opts = {'_cut': True}  # options cut off by the snaplen (not in our test data)
    trunc = len(b) < o + hlen + paylen
    fl = ''.join(ch for bit, ch in FLAG_LETTERS if flags & bit) or 'none'
    if ver == 4:
        s, d = '%s:%d' % (src, sport), '%s:%d' % (dst, dport)
    else:
        s, d = '[%s]:%d' % (src, sport), '[%s]:%d' % (dst, dport)
    line = '%s > %s flags=%s seq=%d ack=%d win=%d len=%d' % (s, d, fl, seq, ack, win, paylen)
    if 'mss' in opts:
        line += ' mss=%d' % opts['mss']
    if 'ws' in opts:
        line += ' ws=%d' % opts['ws']
    if 'sackok' in opts:
        line += ' sackok'
    if 'ts' in opts:
        line += ' ts=%d/%d' % opts['ts']
    if 'sack' in opts:
        line += ' sack=' + ','.join('%d-%d' % lr for lr in opts['sack'])
    if p.via:
        line += ' via=' + ','.join(p.via)
    if trunc:
        line += ' trunc'
    p.fields = dict(src=src, dst=dst, sport=sport, dport=dport, seq=seq, ack=ack, flags=flags,
                    win=win, len=paylen, opts=opts, via=list(p.via), trunc=trunc)
    return line


def tcp_options(ob):
    opts = {}
    i = 0
    while i < len(ob):
        kind = ob[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        if i + 1 >= len(ob):
            break
        olen = ob[i + 1]
        if olen < 2 or i + olen > len(ob):
            break
        val = ob[i + 2:i + olen]
        if kind == 2 and olen == 4:
            opts['mss'] = struct.unpack('>H', val)[0]
        elif kind == 3 and olen == 3:
            opts['ws'] = val[0]
        elif kind == 4 and olen == 2:
            opts['sackok'] = True
        elif kind == 8 and olen == 10:
            opts['ts'] = struct.unpack('>II', val)
        elif kind == 5 and olen > 2 and (olen - 2) % 8 == 0:
            opts['sack'] = [struct.unpack_from('>II', val, j) for j in range(0, olen - 2, 8)]
        i += olen
    return opts


def link(p, linktype):
    b = p.frame
    if linktype == 1:
        return ethernet(p, 0)
    if linktype == 113:  # Linux cooked v1
        if len(b) < 16:
            raise Skip('truncated SLL')
        return ethertype(p, u16(b, 14), 16)
    if linktype == 276:  # Linux cooked v2
        if len(b) < 20:
            raise Skip('truncated SLL2')
        return ethertype(p, u16(b, 0), 20)
    if linktype in (101, 12, 14):  # raw IP
        return ip_any(p, 0)
    if linktype == 228:
        return ipv4(p, 0)
    if linktype == 229:
        return ipv6(p, 0)
    if linktype in (0, 108):  # BSD loopback: AF in host order / network order
        if len(b) < 4:
            raise Skip('truncated loopback header')
        af = struct.unpack_from('>I' if linktype == 108 else '<I', b, 0)[0]
        if linktype == 0 and af & 0xffff0000:
            af = struct.unpack_from('>I', b, 0)[0]
        if af == 2:
            return ipv4(p, 4)
        if af in (10, 24, 28, 30):
            return ipv6(p, 4)
        raise Skip('AF %d' % af)
    if linktype in (9, 50):  # PPP, PPP_SERIAL
        return ppp(p, 0)
    if linktype == 51:  # PPP_ETHER: a PPPoE session header first
        return pppoe(p, 0)
    if linktype == 104:  # Cisco HDLC: address, control, ethertype
        if len(b) < 4:
            raise Skip('truncated C_HDLC')
        return ethertype(p, u16(b, 2), 4)
    if linktype == 192:  # PPI: little-endian length and inner link type
        if len(b) < 8:
            raise Skip('truncated PPI')
        hlen, inner = struct.unpack_from('<HI', b, 2)
        if hlen < 8 or hlen > len(b):
            raise Skip('bad PPI header')
        if inner == 1:
            return ethernet(p, hlen)
        if inner == 101:
            return ip_any(p, hlen)
        raise Skip('PPI of link type %d' % inner)
    if linktype == 242:  # IPoIB, Linux: 2 x 20-byte addresses, type, reserved
        if len(b) < 44:
            raise Skip('truncated IPoIB')
        return ethertype(p, u16(b, 40), 44)
    raise Skip('link type %d' % linktype)


def decode(path, show_skips=False, fields=False):
    out = []
    nano = nanosecond_file(path)
    for n, (linktype, sec, ns, frame, origlen) in enumerate(read_capture(path), 1):
        p = Pkt(frame)
        t = 't=' + rfc3339(sec, ns, nano)
        try:
            line = link(p, linktype)
        except Skip as e:
            if show_skips:
                out.append('%d %s skip %s' % (n, t, e))
            continue
        if fields:
            p.fields['time'] = '%d.%09d' % (sec, ns)  # what tshark and tcpdump print
            out.append((n, p.fields))
        else:
            out.append('%d %s tcp %s' % (n, t, line))
    return out


def main():
    args = sys.argv[1:]
    show = '--all' in args
    fields = '--fields' in args
    args = [a for a in args if not a.startswith('--')]
    if len(args) != 1:
        sys.stderr.write(__doc__)
        sys.exit(2)
    for line in decode(args[0], show, fields):
        print(line)


if __name__ == '__main__':
    main()
