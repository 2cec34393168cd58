#!/usr/bin/python3
"""Dev-time generator of the small deterministic test captures in tests/decode/.

Run with /usr/bin/python3 (needs scapy).  CI does not run this: the captures
it writes are checked in.  Everything is deterministic (fixed timestamps,
fixed addresses, ports and sequence numbers), so running it again must give
byte-identical files.

scapy builds the IP / TCP / UDP / GRE parts (so the checksums and lengths are
right); link-layer headers, tunnel headers that scapy lacks or gets wrong
(SLL2, ERSPAN III, GENEVE options, Teredo indications) and the file formats
(pcap in all its variants, pcapng) are written here with struct.

Usage: make-captures.py [OUTDIR]   (default: the directory of this script)
"""
import os
import struct
import sys

from scapy.all import (IP, IPv6, TCP, UDP, ICMP, Raw, Ether, Dot1Q, GRE,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrRouting,
                       IPv6ExtHdrDestOpt, IPOption_NOP, IPOption_RR,
                       IPOption, ARP, DNS, DNSQR, conf)

conf.verb = 0

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------- file writers

LINKTYPE = {
    'EN10MB': 1, 'NULL': 0, 'RAW': 101, 'DLT_RAW12': 12, 'DLT_RAW14': 14,
    'LOOP': 108, 'LINUX_SLL': 113, 'IPV4': 228, 'IPV6': 229, 'LINUX_SLL2': 276,
}


def write_pcap(name, linktype, records, nsec=False, big_endian=False, snaplen=65535):
    """records: list of (sec, frac, frame_bytes) with frac in usec (or nsec)."""
    e = '>' if big_endian else '<'
    magic = 0xa1b23c4d if nsec else 0xa1b2c3d4
    out = [struct.pack(e + 'IHHiIII', magic, 2, 4, 0, 0, snaplen, linktype)]
    for sec, frac, data in records:
        cap = data[:snaplen]
        out.append(struct.pack(e + 'IIII', sec, frac, len(cap), len(data)))
        out.append(cap)
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(b''.join(out))


def _pad4(b):
    return b + b'\0' * (-len(b) % 4)


def _block(btype, body):
    total = 12 + len(body)
    return struct.pack('<II', btype, total) + body + struct.pack('<I', total)


def _opt(code, value):
    return struct.pack('<HH', code, len(value)) + _pad4(value)


def write_pcapng(name, linktype, records, tsresol=None, snaplen=65535):
    """Little-endian pcapng: SHB, one IDB, one EPB per record.
    records: (ticks_hi_lo as one integer in units of the resolution, frame)."""
    shb_opts = _opt(4, b'finlint make-captures.py') + _opt(0, b'')  # shb_userappl
    shb = _block(0x0A0D0D0A, struct.pack('<IHHq', 0x1A2B3C4D, 1, 0, -1) + shb_opts)
    idb_opts = _opt(2, b'eth0')  # if_name
    if tsresol is not None:
        idb_opts += _opt(9, bytes([tsresol]))
    idb_opts += _opt(0, b'')
    idb = _block(1, struct.pack('<HHI', linktype, 0, snaplen) + idb_opts)
    out = [shb, idb]
    for ticks, data in records:
        cap = data[:snaplen]
        body = struct.pack('<IIIII', 0, ticks >> 32, ticks & 0xffffffff, len(cap), len(data))
        body += _pad4(cap)
        if len(out) == 3:  # one EPB with an option (opt_comment), the rest without
            body += _opt(1, b'epb with a comment') + _opt(0, b'')
        out.append(_block(6, body))
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(b''.join(out))


# ---------------------------------------------------------------- link layers

MAC_A = b'\x02\x00\x00\x00\x00\x0a'
MAC_B = b'\x02\x00\x00\x00\x00\x0b'


def eth(payload, ethertype, src=MAC_A, dst=MAC_B, tags=()):
    """Ethernet II with optional tags: tags = [(tpid, vid), ...] outermost first.
    Padded to the 60-byte minimum like a real NIC would."""
    hdr = dst + src
    for tpid, vid in tags:
        hdr += struct.pack('>H', tpid)
        hdr += struct.pack('>H', vid)
    frame = hdr + struct.pack('>H', ethertype) + payload
    if len(frame) < 60:
        frame += b'\0' * (60 - len(frame))
    return frame


def ethertype_of(ip):
    return 0x86DD if bytes(ip)[0] >> 4 == 6 else 0x0800


def eth_ip(ip, **kw):
    b = bytes(ip)
    return eth(b, ethertype_of(b), **kw)


def sll(ip, pkttype=0):
    b = bytes(ip)
    return struct.pack('>HHH8sH', pkttype, 1, 6, MAC_A + b'\0\0', ethertype_of(b)) + b


def sll2(ip, pkttype=4, ifindex=2):
    b = bytes(ip)
    return struct.pack('>HHIHBB8s', ethertype_of(b), 0, ifindex, 1, pkttype, 6,
                       MAC_A + b'\0\0') + b


def null_hdr(af, ip, order='<'):
    return struct.pack(order + 'I', af) + bytes(ip)


# ---------------------------------------------------------------- TCP helpers

V4A, V4B = '192.0.2.10', '198.51.100.20'
V6A, V6B = '2001:db8::10', '2001:db8:0:1::20'


class Conv:
    """A mini TCP conversation between a client and a server."""

    def __init__(self, ipcls, cli, srv, sport, dport, isn_c, isn_s, **ipkw):
        self.ipcls, self.cli, self.srv = ipcls, cli, srv
        self.sport, self.dport = sport, dport
        self.isn_c, self.isn_s = isn_c, isn_s
        self.ipkw = ipkw

    def ip(self, from_client):
        s, d = (self.cli, self.srv) if from_client else (self.srv, self.cli)
        if self.ipcls is IP:
            return IP(src=s, dst=d, id=0x1234, ttl=64, **self.ipkw)
        return IPv6(src=s, dst=d, hlim=64, **self.ipkw)

    def seg(self, from_client, flags, seq_off, ack_off, payload=b'', win=None, options=None):
        sp, dp = (self.sport, self.dport) if from_client else (self.dport, self.sport)
        seq = (self.isn_c if from_client else self.isn_s) + seq_off
        ack = (self.isn_s if from_client else self.isn_c) + ack_off if ack_off is not None else 0
        t = TCP(sport=sp, dport=dp, flags=flags, seq=seq & 0xffffffff, ack=ack & 0xffffffff,
                window=win if win is not None else (65535 if from_client else 28960),
                options=options or [])
        p = self.ip(from_client) / t
        if payload:
            p = p / Raw(payload)
        return p

    def exchange(self, data_c=b'GET / HTTP/1.0\r\n\r\n', data_s=b'HTTP/1.0 200 OK\r\n\r\nhello'):
        """SYN, SYN-ACK, ACK, data, ACK with SACK, data back, FIN-ACK both ways, last ACK."""
        nc, ns = len(data_c), len(data_s)
        return [
            self.seg(True, 'S', 0, None, win=64240,
                     options=[('MSS', 1460), ('SAckOK', b''), ('Timestamp', (1000, 0)),
                              ('NOP', None), ('WScale', 7)]),
            self.seg(False, 'SA', 0, 1, win=65160,
                     options=[('MSS', 1400), ('SAckOK', b''), ('Timestamp', (5000, 1000)),
                              ('NOP', None), ('WScale', 9)]),
            self.seg(True, 'A', 1, 1, win=502, options=[('NOP', None), ('NOP', None),
                                                         ('Timestamp', (1001, 5000))]),
            self.seg(True, 'PA', 1, 1, data_c, win=502,
                     options=[('NOP', None), ('NOP', None), ('Timestamp', (1002, 5000))]),
            self.seg(False, 'A', 1, 1, win=507,
                     options=[('NOP', None), ('NOP', None), ('Timestamp', (5001, 1002)),
                              ('NOP', None), ('NOP', None),
                              ('SAck', (self.isn_c + 1 + nc + 100, self.isn_c + 1 + nc + 200,
                                        self.isn_c + 1 + nc + 300, self.isn_c + 1 + nc + 400))]),
            self.seg(False, 'PA', 1, 1 + nc, data_s, win=507),
            self.seg(True, 'FA', 1 + nc, 1 + ns, win=502),
            self.seg(False, 'FA', 1 + ns, 2 + nc, win=507),
            self.seg(True, 'A', 2 + nc, 2 + ns, win=502),
        ]


def fix_sack(pkts):
    """scapy's SAck option wants plain ints; wrap them to 32 bits."""
    for p in pkts:
        t = p[TCP]
        t.options = [(k, tuple(x & 0xffffffff for x in v)) if k == 'SAck' else (k, v)
                     for k, v in t.options]
    return pkts


def conv4(sport=40000, dport=80, isn_c=4294967000, isn_s=123456789, **kw):
    return fix_sack(Conv(IP, kw.pop('cli', V4A), kw.pop('srv', V4B), sport, dport,
                         isn_c, isn_s, **kw).exchange())


def conv6(sport=40001, dport=443, isn_c=1000000, isn_s=4294967290, **kw):
    return fix_sack(Conv(IPv6, kw.pop('cli', V6A), kw.pop('srv', V6B), sport, dport,
                         isn_c, isn_s, **kw).exchange())


def short4(n=3, **kw):
    """First n packets of an IPv4 exchange (SYN, SYN-ACK, ACK, data...)."""
    return conv4(**kw)[:n]


def short6(n=3, **kw):
    return conv6(**kw)[:n]


def stamps(frames, base=1700000000, step_us=1500, nsec=False):
    """Fixed timestamps: base seconds, then step_us apart (crossing second
    boundaries now and then)."""
    out = []
    t = 123456  # usec
    for f in frames:
        sec = base + t // 1000000
        frac = t % 1000000
        if nsec:
            frac = frac * 1000 + 789  # sub-microsecond digits that a usec reader would lose
        out.append((sec, frac, bytes(f)))
        t += step_us + 437111
    return out


def udp_dns4():
    return IP(src=V4A, dst='192.0.2.53', id=7) / UDP(sport=5353, dport=53) / \
        DNS(id=0x1234, rd=1, qd=DNSQR(qname='example.com'))


def udp_dns6():
    return IPv6(src=V6A, dst='2001:db8::53') / UDP(sport=5353, dport=53) / \
        DNS(id=0x4321, rd=1, qd=DNSQR(qname='example.org'))


# ---------------------------------------------------------------- the captures


def cap_ethernet():
    p4 = conv4()
    p6 = conv6()
    extra = [
        # flags nobody sends together, and no flag at all
        IP(src=V4A, dst=V4B, id=1) / TCP(sport=40100, dport=80, flags='SEC', seq=0, ack=0,
                                         window=1024),
        IP(src=V4A, dst=V4B, id=2) / TCP(sport=40100, dport=80, flags='', seq=1, ack=77,
                                         window=0),
        IP(src=V4A, dst=V4B, id=3) / TCP(sport=40100, dport=80, flags='FSRPAUEC',
                                         seq=0xffffffff, ack=0xfffffffe, window=65535,
                                         urgptr=1) / Raw(b'x'),
        IP(src=V4B, dst=V4A, id=4) / TCP(sport=80, dport=40100, flags='R', seq=4242, ack=0,
                                         window=0),
    ]
    frames = [eth(bytes(ARP(hwsrc='02:00:00:00:00:0a', psrc=V4A, pdst=V4B)), 0x0806,
                  dst=b'\xff' * 6)]
    frames += [eth_ip(p) for p in p4[:5]]
    frames += [eth_ip(udp_dns4())]
    frames += [eth_ip(p) for p in p4[5:]]
    frames += [eth_ip(p) for p in p6]
    frames += [eth_ip(p) for p in extra]
    # an 802.3 / LLC frame (STP): not IP
    frames += [b'\x01\x80\xc2\x00\x00\x00' + MAC_A + struct.pack('>H', 38) +
               b'\x42\x42\x03' + b'\0' * 35]
    write_pcap('ethernet.pcap', LINKTYPE['EN10MB'], stamps(frames))


def cap_vlan():
    frames = [eth_ip(p, tags=[(0x8100, 100)]) for p in short4(5)]
    frames += [eth_ip(p, tags=[(0x8100, 0x2000 | 101)]) for p in short6(4)]  # PCP 1
    frames += [eth(bytes(udp_dns4()), 0x0800, tags=[(0x8100, 100)])]
    write_pcap('vlan.pcap', LINKTYPE['EN10MB'], stamps(frames))


def cap_qinq():
    tags = [(0x88a8, 200), (0x8100, 2001)]
    frames = [eth_ip(p, tags=tags) for p in short4(5, sport=40200)]
    frames += [eth_ip(p, tags=tags) for p in short6(3, sport=40201)]
    # legacy QinQ tpid 0x9100 over 0x8100: two vlan layers too
    frames += [eth_ip(p, tags=[(0x9100, 300), (0x8100, 30)]) for p in short4(2, sport=40202)]
    write_pcap('qinq.pcap', LINKTYPE['EN10MB'], stamps(frames))


def cap_sll():
    frames = []
    for i, p in enumerate(conv4(sport=40300)):
        frames.append(sll(p, pkttype=4 if i % 2 == 0 else 0))
    for p in short6(4, sport=40301):
        frames.append(sll(p, pkttype=4))
    # ARP through SLL: not IP
    frames.append(struct.pack('>HHH8sH', 1, 1, 6, MAC_B + b'\0\0', 0x0806) +
                  bytes(ARP(psrc=V4B, pdst=V4A)))
    write_pcap('sll.pcap', LINKTYPE['LINUX_SLL'], stamps(frames))


def cap_sll2():
    frames = [sll2(p, pkttype=4 if i % 2 == 0 else 0) for i, p in
              enumerate(conv4(sport=40400))]
    frames += [sll2(p) for p in short6(4, sport=40401)]
    frames.append(sll2(udp_dns4()))
    write_pcap('sll2.pcap', LINKTYPE['LINUX_SLL2'], stamps(frames))


def cap_raw():
    frames = [bytes(p) for p in short4(5, sport=40500)]
    frames += [bytes(udp_dns6())]
    frames += [bytes(p) for p in short6(5, sport=40501)]
    write_pcap('raw.pcap', LINKTYPE['RAW'], stamps(frames))
    frames = [bytes(p) for p in short4(3, sport=40502)] + [bytes(p) for p in short6(2, sport=40503)]
    write_pcap('raw-dlt12.pcap', LINKTYPE['DLT_RAW12'], stamps(frames))
    frames = [bytes(p) for p in short4(3, sport=40504)] + [bytes(p) for p in short6(2, sport=40505)]
    write_pcap('raw-dlt14.pcap', LINKTYPE['DLT_RAW14'], stamps(frames))
    frames = [bytes(p) for p in conv4(sport=40506)] + [bytes(udp_dns4())]
    write_pcap('ipv4-228.pcap', LINKTYPE['IPV4'], stamps(frames))
    frames = [bytes(p) for p in conv6(sport=40507)] + [bytes(udp_dns6())]
    write_pcap('ipv6-229.pcap', LINKTYPE['IPV6'], stamps(frames))


def cap_null():
    # DLT_NULL: AF in the byte order of the capturing host.  Little-endian
    # file from a little-endian host: AF 2 (IPv4), 24 (NetBSD/OpenBSD
    # AF_INET6), 28 (FreeBSD), 30 (macOS).
    frames = [null_hdr(2, p) for p in short4(5, sport=40600)]
    p6 = short6(6, sport=40601)
    frames += [null_hdr(24, p6[0]), null_hdr(28, p6[1]), null_hdr(30, p6[2]),
               null_hdr(24, p6[3]), null_hdr(28, p6[4]), null_hdr(30, p6[5])]
    frames += [null_hdr(2, udp_dns4())]
    write_pcap('null.pcap', LINKTYPE['NULL'], stamps(frames))
    # big-endian file from a big-endian host: the AF is big-endian too.
    frames = [null_hdr(2, p, '>') for p in short4(4, sport=40602)]
    p6 = short6(3, sport=40603)
    frames += [null_hdr(af, p, '>') for af, p in zip((24, 28, 30), p6)]
    write_pcap('null-be.pcap', LINKTYPE['NULL'], stamps(frames), big_endian=True)
    # DLT_LOOP: AF always in network byte order, even in a little-endian file.
    frames = [null_hdr(2, p, '>') for p in short4(5, sport=40604)]
    p6 = short6(3, sport=40605)
    frames += [null_hdr(af, p, '>') for af, p in zip((24, 28, 30), p6)]
    write_pcap('loop.pcap', LINKTYPE['LOOP'], stamps(frames))


def mpls_stack(labels, payload):
    out = b''
    for i, lab in enumerate(labels):
        bos = 1 if i == len(labels) - 1 else 0
        out += struct.pack('>I', (lab << 12) | (i << 9) | (bos << 8) | (64 - i))
    return out + bytes(payload)


def cap_mpls():
    frames = [eth(mpls_stack([16, 1000], p), 0x8847) for p in short4(5, sport=40700)]
    frames += [eth(mpls_stack([17, 2000, 30], p), 0x8847) for p in short6(3, sport=40701)]
    # VLAN then a label stack: via=vlan,mpls
    frames += [eth(mpls_stack([18, 19], p), 0x8847, tags=[(0x8100, 10)])
               for p in short4(2, sport=40702)]
    # a single label over multicast MPLS ethertype
    frames += [eth(mpls_stack([20], p), 0x8848) for p in short4(2, sport=40703)]
    write_pcap('mpls.pcap', LINKTYPE['EN10MB'], stamps(frames))


OUT4A, OUT4B = '203.0.113.1', '203.0.113.2'
OUT6A, OUT6B = '2001:db8:ffff::1', '2001:db8:ffff::2'


def gre_hdr(proto, key=None, seq=None, csum=False):
    flags = (0x8000 if csum else 0) | (0x2000 if key is not None else 0) | \
        (0x1000 if seq is not None else 0)
    h = struct.pack('>HH', flags, proto)
    if csum:
        h += b'\0\0\0\0'  # checksum (fixed up below) + reserved1
    if key is not None:
        h += struct.pack('>I', key)
    if seq is not None:
        h += struct.pack('>I', seq)
    return h


def inet_csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('>%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def gre_pkt(inner_bytes, proto, outer6=False, **kw):
    g = gre_hdr(proto, **kw) + inner_bytes
    if kw.get('csum'):
        c = inet_csum(g)
        g = g[:4] + struct.pack('>H', c) + g[6:]
    if outer6:
        return IPv6(src=OUT6A, dst=OUT6B, nh=47) / Raw(g)
    return IP(src=OUT4A, dst=OUT4B, proto=47, id=0x4747) / Raw(g)


def cap_gre():
    frames = []
    # plain GREv0, IPv4 inside (scapy's own GRE layer)
    for p in short4(5, sport=40800):
        frames.append(eth_ip(IP(src=OUT4A, dst=OUT4B, id=0x4747) / GRE(proto=0x0800) / p))
    # GRE with checksum, key and sequence number, IPv6 inside
    for i, p in enumerate(short6(3, sport=40801)):
        frames.append(eth_ip(gre_pkt(bytes(p), 0x86DD, key=0x28, seq=i + 1, csum=True)))
    # GRE with only a key, over an IPv6 outer header, IPv4 inside
    for p in short4(2, sport=40802):
        frames.append(eth_ip(gre_pkt(bytes(p), 0x0800, outer6=True, key=7)))
    # a GRE keepalive-like packet carrying nothing useful
    frames.append(eth_ip(gre_pkt(b'', 0x0000)))
    write_pcap('gre.pcap', LINKTYPE['EN10MB'], stamps(frames))
    # transparent Ethernet bridging over GRE (0x6558): inner Ethernet
    frames = []
    for p in short4(4, sport=40803):
        inner = eth_ip(p, src=b'\x02\x00\x00\x00\x01\x01', dst=b'\x02\x00\x00\x00\x01\x02')
        frames.append(eth_ip(gre_pkt(inner, 0x6558, key=0x100)))
    for p in short6(2, sport=40804):  # inner Ethernet with a VLAN tag: via=gre,vlan
        inner = eth_ip(p, tags=[(0x8100, 55)])
        frames.append(eth_ip(gre_pkt(inner, 0x6558)))
    write_pcap('gre-teb.pcap', LINKTYPE['EN10MB'], stamps(frames))


def erspan2_hdr(vlan=0, session=100, index=5):
    # Ver=1 (4 bits) VLAN (12) | COS(3) En(2) T(1) Session ID(10) | Reserved(12) Index(20)
    w1 = (1 << 12) | vlan
    w2 = (0 << 13) | (3 << 11) | (0 << 10) | session  # En=3: tagged frames kept as they were
    w3 = index
    return struct.pack('>HHI', w1, w2, w3)


def erspan3_hdr(session=200, ft=0, o=False, timestamp=0x01020304):
    # Ver=2 VLAN | COS BSO T SessionID | Timestamp(32) | SGT(16) | P FT(5) HW ID(6) D Gra(2) O
    w1 = (2 << 12) | 0
    w2 = (0 << 13) | (0 << 11) | (0 << 10) | session
    last = (0 << 15) | (ft << 10) | (1 << 4) | (0 << 3) | (3 << 1) | (1 if o else 0)
    h = struct.pack('>HHIHH', w1, w2, timestamp, 0x1234, last)
    if o:
        # platform-specific subheader, 8 bytes (Platf ID 3: port index and timestamp seconds)
        h += struct.pack('>II', (3 << 26) | 42, 1700000000)
    return h


def cap_erspan():
    frames = []
    for i, p in enumerate(short4(5, sport=40900)):
        mirrored = eth_ip(p, src=b'\x02\x00\x00\x00\x02\x01', dst=b'\x02\x00\x00\x00\x02\x02')
        frames.append(eth_ip(gre_pkt(erspan2_hdr(index=i) + mirrored, 0x88BE, seq=100 + i)))
    for i, p in enumerate(short6(3, sport=40901)):  # mirrored frame kept its VLAN tag
        mirrored = eth_ip(p, tags=[(0x8100, 77)])
        frames.append(eth_ip(gre_pkt(erspan2_hdr(vlan=77) + mirrored, 0x88BE, seq=200 + i)))
    write_pcap('erspan2.pcap', LINKTYPE['EN10MB'], stamps(frames))
    frames = []
    for i, p in enumerate(short4(5, sport=41000)):
        mirrored = eth_ip(p)
        frames.append(eth_ip(gre_pkt(erspan3_hdr(o=False) + mirrored, 0x22EB, seq=i)))
    for i, p in enumerate(short6(3, sport=41001)):  # with the optional platform subheader
        mirrored = eth_ip(p)
        frames.append(eth_ip(gre_pkt(erspan3_hdr(o=True) + mirrored, 0x22EB, seq=10 + i)))
    write_pcap('erspan3.pcap', LINKTYPE['EN10MB'], stamps(frames))


def vxlan_pkt(inner_frame, vni=100, outer6=False, sport=51000):
    hdr = struct.pack('>BBHI', 0x08, 0, 0, vni << 8)
    ip = IPv6(src=OUT6A, dst=OUT6B) if outer6 else IP(src=OUT4A, dst=OUT4B, id=0x5858)
    return ip / UDP(sport=sport, dport=4789) / Raw(hdr + inner_frame)


def cap_vxlan():
    frames = []
    for p in short4(5, sport=41100):
        frames.append(eth_ip(vxlan_pkt(eth_ip(p))))
    for p in short6(3, sport=41101):
        frames.append(eth_ip(vxlan_pkt(eth_ip(p), outer6=True, vni=200)))
    for p in short4(2, sport=41102):  # tagged inner frame: via=vxlan,vlan
        frames.append(eth_ip(vxlan_pkt(eth_ip(p, tags=[(0x8100, 5)]))))
    write_pcap('vxlan.pcap', LINKTYPE['EN10MB'], stamps(frames))


def geneve_pkt(payload, proto, options=b'', vni=300, outer6=False):
    assert len(options) % 4 == 0
    hdr = struct.pack('>BBHI', len(options) // 4, 0, proto, vni << 8) + options
    ip = IPv6(src=OUT6A, dst=OUT6B) if outer6 else IP(src=OUT4A, dst=OUT4B, id=0x6060)
    return ip / UDP(sport=52000, dport=6081) / Raw(hdr + payload)


def geneve_opt(cls, typ, data):
    assert len(data) % 4 == 0
    return struct.pack('>HBB', cls, typ, len(data) // 4) + data


def cap_geneve():
    frames = []
    opts = geneve_opt(0x0102, 0x80, b'\x00\x00\x00\x2a') + geneve_opt(0xffff, 0x01, b'ABCDEFGH')
    for p in short4(5, sport=41200):  # Ethernet inside, two option TLVs
        frames.append(eth_ip(geneve_pkt(eth_ip(p), 0x6558, opts)))
    for p in short6(3, sport=41201):  # IPv6 directly inside (protocol 0x86DD), no options
        frames.append(eth_ip(geneve_pkt(bytes(p), 0x86DD)))
    for p in short4(2, sport=41202):  # IPv4 directly inside, one option, IPv6 outer
        frames.append(eth_ip(geneve_pkt(bytes(p), 0x0800, geneve_opt(0x0103, 0x01, b'\x01\x02\x03\x04'),
                                        outer6=True)))
    write_pcap('geneve.pcap', LINKTYPE['EN10MB'], stamps(frames))


TEREDO_CLIENT = '2001:0:4136:e378:8000:63bf:3fff:fdd2'
TEREDO_PEER = '2001:db8:1::99'


def teredo_pkt(ip6, auth=False, origin=False, from_server_port=False):
    b = b''
    if auth:
        cid, au = b'cid', b'authval!'
        b += struct.pack('>HBB', 0x0001, len(cid), len(au)) + cid + au + b'NONCE123' + b'\x00'
    if origin:
        # origin indication: 0x0000, obfuscated port, obfuscated IPv4
        b += struct.pack('>HH4s', 0x0000, 40000 ^ 0xffff, bytes(x ^ 0xff for x in bytes([198, 51, 100, 7])))
    b += bytes(ip6)
    sport, dport = (3544, 50000) if from_server_port else (50000, 3544)
    return IP(src='192.0.2.77', dst='198.51.100.7', id=0x3544) / UDP(sport=sport, dport=dport) / Raw(b)


def cap_teredo():
    c = conv6(cli=TEREDO_CLIENT, srv=TEREDO_PEER, sport=41300, dport=80)
    frames = [eth_ip(teredo_pkt(c[0])),
              eth_ip(teredo_pkt(c[1], origin=True, from_server_port=True)),
              eth_ip(teredo_pkt(c[2])),
              eth_ip(teredo_pkt(c[3], auth=True)),
              eth_ip(teredo_pkt(c[4], auth=True, origin=True, from_server_port=True)),
              eth_ip(teredo_pkt(c[5], from_server_port=True))]
    # a Teredo bubble: IPv6 with no next header, not TCP
    frames.append(eth_ip(teredo_pkt(IPv6(src=TEREDO_CLIENT, dst=TEREDO_PEER, nh=59))))
    write_pcap('teredo.pcap', LINKTYPE['EN10MB'], stamps(frames))


def cap_ipv6_ext():
    frames = []
    for i, p in enumerate(short6(5, sport=41400)):
        ip, tcp = p[IPv6], p[TCP]
        ip.remove_payload()
        if i % 2 == 0:
            chain = IPv6ExtHdrHopByHop() / IPv6ExtHdrRouting(addresses=['2001:db8::aa'], segleft=1) / \
                IPv6ExtHdrDestOpt()
        else:
            chain = IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() / \
                IPv6ExtHdrRouting(addresses=['2001:db8::bb', '2001:db8::cc'], segleft=0) / \
                IPv6ExtHdrDestOpt()
        frames.append(eth_ip(IPv6(bytes(ip / chain / tcp))))
    write_pcap('ipv6-ext.pcap', LINKTYPE['EN10MB'], stamps(frames))


def cap_ipv4_opts():
    frames = []
    optsets = [[IPOption_RR(routers=['0.0.0.0'] * 3)],
               [IPOption_NOP(), IPOption_NOP(), IPOption_NOP(), IPOption_NOP()],
               [IPOption(b'\x44\x0c\x05\x00' + b'\0' * 8)],  # timestamp, room for 2
               [IPOption_RR(routers=['10.0.0.1'] * 9)]]  # 40 bytes of options: IHL 15
    for i, p in enumerate(short4(8, sport=41500)):
        ip, tcp = p[IP], p[TCP]
        ip.remove_payload()
        ip.options = optsets[i % len(optsets)]
        frames.append(eth_ip(IP(bytes(ip / tcp))))
    write_pcap('ipv4-opts.pcap', LINKTYPE['EN10MB'], stamps(frames))


def cap_ipv4_frag():
    frames = []
    c = conv4(sport=41600)
    big = Conv(IP, V4A, V4B, 41600, 80, 4294967000, 123456789).seg(
        True, 'PA', 1, 1, bytes(range(256)) * 4, win=502,
        options=[('NOP', None), ('NOP', None), ('Timestamp', (1002, 5000))])
    raw = bytes(big)
    ip = IP(raw)
    l4 = raw[20:]  # TCP header + payload, 32 + 1024 bytes
    frags = [l4[:400], l4[400:800], l4[800:]]
    frames += [eth_ip(p) for p in c[:3]]
    off = 0
    for i, part in enumerate(frags):
        mf = i < len(frags) - 1
        fp = IP(src=ip.src, dst=ip.dst, id=0xf00d, ttl=64, proto=6,
                flags='MF' if mf else 0, frag=off // 8) / Raw(part)
        frames.append(eth_ip(fp))
        off += len(part)
    # fragments sent out of order: last piece first, then the first piece
    frags2 = [l4[:600], l4[600:]]
    fp2 = [IP(src=ip.src, dst=ip.dst, id=0xf00e, proto=6, flags=0, frag=600 // 8) / Raw(frags2[1]),
           IP(src=ip.src, dst=ip.dst, id=0xf00e, proto=6, flags='MF', frag=0) / Raw(frags2[0])]
    frames += [eth_ip(p) for p in fp2]
    # DF set, not a fragment
    df = c[4].copy()
    df[IP].flags = 'DF'
    frames += [eth_ip(df)]
    write_pcap('ipv4-frag.pcap', LINKTYPE['EN10MB'], stamps(frames))


def cap_ipip():
    frames = []
    o4 = IP(src=OUT4A, dst=OUT4B, id=0x0404)
    o6 = IPv6(src=OUT6A, dst=OUT6B)
    for p in short4(3, sport=41700):   # IPv4 in IPv4 (proto 4)
        frames.append(eth_ip(o4 / p))
    for p in short6(3, sport=41701):   # IPv6 in IPv4 (6in4, proto 41)
        frames.append(eth_ip(o4 / p))
    for p in short4(2, sport=41702):   # IPv4 in IPv6 (next header 4)
        frames.append(eth_ip(o6 / p))
    for p in short6(2, sport=41703):   # IPv6 in IPv6 (next header 41)
        frames.append(eth_ip(o6 / p))
    for p in short4(2, sport=41704):   # VLAN, GRE, then IPv4-in-IPv4: via=vlan,gre,ipip
        frames.append(eth_ip(IP(src=OUT4A, dst=OUT4B) / GRE(proto=0x0800) / o4 / p,
                             tags=[(0x8100, 9)]))
    write_pcap('ipip.pcap', LINKTYPE['EN10MB'], stamps(frames))


def cap_formats():
    frames = [eth_ip(p) for p in conv4(sport=41800)] + [eth_ip(p) for p in short6(3, sport=41801)]
    write_pcap('nsec.pcap', LINKTYPE['EN10MB'], stamps(frames, nsec=True), nsec=True)
    frames = [eth_ip(p) for p in conv4(sport=41802)] + [eth_ip(p) for p in short6(3, sport=41803)]
    write_pcap('big-endian.pcap', LINKTYPE['EN10MB'], stamps(frames), big_endian=True)
    frames = [eth_ip(p) for p in conv4(sport=41804)] + [eth_ip(p) for p in short6(3, sport=41805)]
    write_pcap('big-endian-nsec.pcap', LINKTYPE['EN10MB'], stamps(frames, nsec=True),
               big_endian=True, nsec=True)
    # pcapng, default resolution (microseconds)
    frames = [eth_ip(p) for p in conv4(sport=41806)] + [eth_ip(p) for p in short6(3, sport=41807)]
    recs = [(s * 1000000 + us, f) for s, us, f in stamps(frames)]
    write_pcapng('pcapng.pcapng', LINKTYPE['EN10MB'], recs)
    # pcapng, if_tsresol = 9 (nanoseconds), Linux cooked v2 link type
    frames = [sll2(p) for p in conv4(sport=41808)] + [sll2(p) for p in short6(3, sport=41809)]
    recs = [(s * 1000000000 + ns, f) for s, ns, f in stamps(frames, nsec=True)]
    write_pcapng('pcapng-nsec.pcapng', LINKTYPE['LINUX_SLL2'], recs, tsresol=9)


def cap_snaplen():
    """snaplen 96: full-size segments whose payload is cut off."""
    c = Conv(IP, V4A, V4B, 41900, 80, 4294967000, 123456789)
    c6 = Conv(IPv6, V6A, V6B, 41901, 80, 1000, 2000)
    ts = [('NOP', None), ('NOP', None), ('Timestamp', (1002, 5000))]
    pk = [
        c.seg(True, 'S', 0, None, win=64240, options=[('MSS', 1460), ('SAckOK', b''),
                                                      ('Timestamp', (1000, 0)), ('NOP', None),
                                                      ('WScale', 7)]),
        c.seg(True, 'A', 1, 1, b'A' * 1448, win=502, options=ts),
        c.seg(True, 'PA', 1449, 1, b'B' * 1000, win=502),
        c.seg(True, 'PA', 2449, 1, b'C' * 30, win=502, options=ts),  # 96 exactly: not trunc
        c.seg(True, 'PA', 2479, 1, b'D' * 31, win=502, options=ts),  # 97: one byte short
        c6.seg(True, 'PA', 1, 1, b'E' * 1200, win=300, options=ts),
        c6.seg(True, 'PA', 1201, 1, b'F' * 10, win=300, options=ts),  # 96 exactly: not trunc
    ]
    frames = [eth_ip(p) for p in pk]
    write_pcap('snaplen.pcap', LINKTYPE['EN10MB'], stamps(frames), snaplen=96)


def main():
    for fn in (cap_ethernet, cap_vlan, cap_qinq, cap_sll, cap_sll2, cap_raw, cap_null, cap_mpls,
               cap_gre, cap_erspan, cap_vxlan, cap_geneve, cap_teredo, cap_ipv6_ext,
               cap_ipv4_opts, cap_ipv4_frag, cap_ipip, cap_formats, cap_snaplen):
        fn()


if __name__ == '__main__':
    main()
