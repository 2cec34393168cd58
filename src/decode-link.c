/* decode-link: link-layer headers, and the table of link types finlint reads. */
#include "config.h"

#include <pcap/pcap.h>
#include <pcap/dlt.h>

#include "decode-int.h"

enum {
	ETHERTYPE_IPV4 = 0x0800,
	ETHERTYPE_IPV6 = 0x86dd,
	ETHERTYPE_VLAN = 0x8100,
	ETHERTYPE_QINQ = 0x88a8,
	ETHERTYPE_QINQ_OLD = 0x9100,
	ETHERTYPE_MPLS = 0x8847,
	ETHERTYPE_MPLS_MC = 0x8848,
	ETHERTYPE_TEB = 0x6558, /* transparent Ethernet bridging */
	ETHERTYPE_PPPOE = 0x8864, /* a PPPoE session (RFC 2516): DSL links */
};

/* PPP protocol numbers (RFC 1661, IANA) finlint reads on. */
enum { PPP_IPV4 = 0x0021, PPP_IPV6 = 0x0057, PPP_MPLS = 0x0281, PPP_MPLS_MC = 0x0283 };

static enum decode_result decode_ppp_proto(struct decode_ctx *d, uint16_t proto, struct cursor c)
{
	if (proto == PPP_IPV4)
		return decode_ipv4(d, c);
	if (proto == PPP_IPV6)
		return decode_ipv6(d, c);
	if (proto == PPP_MPLS || proto == PPP_MPLS_MC)
		return decode_mpls(d, c);
	return decode_skip(d, DECODE_NOT_IP, "PPP frame of another protocol");
}

/* A PPP frame: the HDLC address and control bytes (0xff 0x03) unless
 * they were compressed away, then the protocol, one byte when protocol
 * field compression left out its zero high byte (RFC 1661 6.5, 6.6: the
 * first byte of a full protocol number is even).  Cisco HDLC framing
 * (DLT_PPP_SERIAL carries either) names an ethertype instead. */
static enum decode_result decode_ppp(struct decode_ctx *d, struct cursor c)
{
	uint8_t b0, b1, lo;
	uint16_t proto;

	if (!cursor_peek(&c, 0, &b0) || !cursor_peek(&c, 1, &b1))
		return decode_skip(d, DECODE_TRUNCATED, "truncated PPP header");
	if ((b0 == 0x0f || b0 == 0x8f) && b1 == 0x00) {
		if (!cursor_skip(&c, 2) || !cursor_be16(&c, &proto))
			return decode_skip(d, DECODE_TRUNCATED, "truncated Cisco HDLC header");
		return decode_ethertype(d, proto, c);
	}
	if (b0 == 0xff && b1 == 0x03)
		cursor_skip(&c, 2);
	if (!cursor_u8(&c, &b0))
		return decode_skip(d, DECODE_TRUNCATED, "truncated PPP header");
	if (b0 & 1)
		return decode_ppp_proto(d, b0, c);
	if (!cursor_u8(&c, &lo))
		return decode_skip(d, DECODE_TRUNCATED, "truncated PPP header");
	return decode_ppp_proto(d, (uint16_t)(b0 << 8 | lo), c);
}

/* A PPPoE session header (version/type, code, session id, length), then
 * the PPP protocol, two bytes. */
static enum decode_result decode_pppoe(struct decode_ctx *d, struct cursor c)
{
	uint16_t proto;

	if (!cursor_skip(&c, 6) || !cursor_be16(&c, &proto))
		return decode_skip(d, DECODE_TRUNCATED, "truncated PPPoE header");
	return decode_ppp_proto(d, proto, c);
}

/* Values a BSD loopback header may carry for IPv6: the AF_INET6 of
 * Linux, NetBSD/OpenBSD, FreeBSD and macOS respectively. */
static bool af_is_ipv6(uint32_t af)
{
	return af == 10 || af == 24 || af == 28 || af == 30;
}

/* IEEE 802.3 frames carry a length instead of a type; SNAP may still
 * name an ethertype (RFC 1042). */
static enum decode_result decode_llc(struct decode_ctx *d, struct cursor c)
{
	uint8_t dsap, ssap, ctl;
	uint16_t type;

	if (!cursor_u8(&c, &dsap) || !cursor_u8(&c, &ssap) || !cursor_u8(&c, &ctl))
		return decode_skip(d, DECODE_NOT_IP, "802.3 frame");
	if (dsap != 0xaa || ssap != 0xaa || ctl != 0x03)
		return decode_skip(d, DECODE_NOT_IP, "802.2 LLC frame");
	if (!cursor_skip(&c, 3) || !cursor_be16(&c, &type))
		return decode_skip(d, DECODE_TRUNCATED, "truncated SNAP header");
	return decode_ethertype(d, type, c);
}

enum decode_result decode_ethernet(struct decode_ctx *d, struct cursor c)
{
	uint16_t type;

	if (!cursor_skip(&c, 12) || !cursor_be16(&c, &type))
		return decode_skip(d, DECODE_TRUNCATED, "truncated Ethernet header");
	if (type <= 1500)
		return decode_llc(d, c);
	return decode_ethertype(d, type, c);
}

enum decode_result decode_ethertype(struct decode_ctx *d, uint16_t type, struct cursor c)
{
	uint16_t tci;

	switch (type) {
	case ETHERTYPE_IPV4:
		return decode_ipv4(d, c);
	case ETHERTYPE_IPV6:
		return decode_ipv6(d, c);
	case ETHERTYPE_VLAN:
	case ETHERTYPE_QINQ:
	case ETHERTYPE_QINQ_OLD:
		if (!decode_push_via(d, VIA_VLAN))
			return decode_skip(d, DECODE_MALFORMED, "too many nested layers");
		if (!cursor_be16(&c, &tci) || !cursor_be16(&c, &type))
			return decode_skip(d, DECODE_TRUNCATED, "truncated VLAN tag");
		return decode_ethertype(d, type, c);
	case ETHERTYPE_MPLS:
	case ETHERTYPE_MPLS_MC:
		return decode_mpls(d, c);
	case ETHERTYPE_PPPOE:
		return decode_pppoe(d, c);
	case ETHERTYPE_TEB:
		/* not a layer in via (the tunnel that carries it is), but a
		 * frame of nothing else nests as deep as it is long */
		if (!decode_nest(d))
			return decode_skip(d, DECODE_MALFORMED, "too many nested layers");
		return decode_ethernet(d, c);
	default:
		return decode_skip(d, DECODE_NOT_IP, "not IP");
	}
}

/* Linux cooked capture v1: 16 bytes, protocol last. */
static enum decode_result decode_sll(struct decode_ctx *d, struct cursor c)
{
	uint16_t proto;

	if (!cursor_skip(&c, 14) || !cursor_be16(&c, &proto))
		return decode_skip(d, DECODE_TRUNCATED, "truncated SLL header");
	return decode_ethertype(d, proto, c);
}

/* Linux cooked capture v2: 20 bytes, protocol first. */
static enum decode_result decode_sll2(struct decode_ctx *d, struct cursor c)
{
	uint16_t proto;

	if (!cursor_be16(&c, &proto) || !cursor_skip(&c, 18))
		return decode_skip(d, DECODE_TRUNCATED, "truncated SLL2 header");
	return decode_ethertype(d, proto, c);
}

static enum decode_result decode_raw(struct decode_ctx *d, struct cursor c)
{
	return decode_ip_any(d, c);
}

static enum decode_result decode_raw4(struct decode_ctx *d, struct cursor c)
{
	return decode_ipv4(d, c);
}

static enum decode_result decode_raw6(struct decode_ctx *d, struct cursor c)
{
	return decode_ipv6(d, c);
}

static enum decode_result decode_af(struct decode_ctx *d, uint32_t af, struct cursor c)
{
	if (af == 2)
		return decode_ipv4(d, c);
	if (af_is_ipv6(af))
		return decode_ipv6(d, c);
	return decode_skip(d, DECODE_NOT_IP, "loopback frame of another family");
}

/* DLT_NULL: the address family in the byte order of the machine that
 * wrote the file, which need not be ours; AF values are small, so the
 * order with the small value is the right one. */
static enum decode_result decode_null(struct decode_ctx *d, struct cursor c)
{
	uint32_t af;

	if (!cursor_le32(&c, &af))
		return decode_skip(d, DECODE_TRUNCATED, "truncated loopback header");
	if (af > 0xffff)
		af = (af >> 24) | ((af >> 8) & 0xff00) | ((af << 8) & 0xff0000) | (af << 24);
	return decode_af(d, af, c);
}

/* DLT_LOOP: the same header, always in network byte order. */
static enum decode_result decode_loop(struct decode_ctx *d, struct cursor c)
{
	uint32_t af;

	if (!cursor_be32(&c, &af))
		return decode_skip(d, DECODE_TRUNCATED, "truncated loopback header");
	return decode_af(d, af, c);
}

/* Cisco HDLC: address, control, then an ethertype. */
static enum decode_result decode_c_hdlc(struct decode_ctx *d, struct cursor c)
{
	uint16_t type;

	if (!cursor_skip(&c, 2) || !cursor_be16(&c, &type))
		return decode_skip(d, DECODE_TRUNCATED, "truncated Cisco HDLC header");
	return decode_ethertype(d, type, c);
}

/* IP over InfiniBand (RFC 4391) as Linux captures it: two 20-byte
 * hardware addresses (queue pair number and GID each), then the ethertype
 * and 2 reserved bytes. */
static enum decode_result decode_ipoib(struct decode_ctx *d, struct cursor c)
{
	uint16_t type;

	if (!cursor_skip(&c, 40) || !cursor_be16(&c, &type) || !cursor_skip(&c, 2))
		return decode_skip(d, DECODE_TRUNCATED, "truncated IPoIB header");
	return decode_ethertype(d, type, c);
}

struct link_decoder {
	int dlt;
	const char *name;
	enum decode_result (*decode)(struct decode_ctx *d, struct cursor c);
};

static const struct link_decoder *link_find(int dlt);

/* PPI (Per-Packet Information, DLT 192): a little-endian header that
 * names its own length and the link type of the frame after it. */
static enum decode_result decode_ppi(struct decode_ctx *d, struct cursor c)
{
	uint8_t v[8];
	uint16_t len;
	uint32_t dlt;
	const struct link_decoder *l;

	if (!cursor_bytes(&c, v, sizeof v))
		return decode_skip(d, DECODE_TRUNCATED, "truncated PPI header");
	len = (uint16_t)(v[2] | v[3] << 8);
	dlt = (uint32_t)v[4] | (uint32_t)v[5] << 8 | (uint32_t)v[6] << 16 | (uint32_t)v[7] << 24;
	if (len < sizeof v || !cursor_skip(&c, len - sizeof v))
		return decode_skip(d, DECODE_TRUNCATED, "truncated PPI header");
	l = dlt == DLT_PPI ? NULL : link_find((int)dlt);
	if (l == NULL)
		return decode_skip(d, DECODE_NOT_IP, "PPI frame of an unsupported link type");
	return l->decode(d, c);
}

static const struct link_decoder link_table[] = {
	{ .dlt = DLT_EN10MB, .name = "EN10MB", .decode = decode_ethernet },
	{ .dlt = DLT_LINUX_SLL, .name = "LINUX_SLL", .decode = decode_sll },
	{ .dlt = DLT_LINUX_SLL2, .name = "LINUX_SLL2", .decode = decode_sll2 },
	{ .dlt = DLT_RAW, .name = "RAW", .decode = decode_raw },
	{ .dlt = 14, .name = "RAW", .decode = decode_raw }, /* DLT_RAW on OpenBSD */
	{ .dlt = DLT_IPV4, .name = "IPV4", .decode = decode_raw4 },
	{ .dlt = DLT_IPV6, .name = "IPV6", .decode = decode_raw6 },
	{ .dlt = DLT_NULL, .name = "NULL", .decode = decode_null },
	{ .dlt = DLT_LOOP, .name = "LOOP", .decode = decode_loop },
	{ .dlt = DLT_PPP, .name = "PPP", .decode = decode_ppp },
	{ .dlt = DLT_PPP_SERIAL, .name = "PPP_SERIAL", .decode = decode_ppp },
	{ .dlt = DLT_PPP_ETHER, .name = "PPP_ETHER", .decode = decode_pppoe },
	{ .dlt = DLT_C_HDLC, .name = "C_HDLC", .decode = decode_c_hdlc },
	{ .dlt = DLT_PPI, .name = "PPI", .decode = decode_ppi },
	{ .dlt = DLT_IPOIB, .name = "IPOIB", .decode = decode_ipoib },
};

static const struct link_decoder *link_find(int dlt)
{
	for (size_t i = 0; i < sizeof link_table / sizeof link_table[0]; i++)
		if (link_table[i].dlt == dlt)
			return &link_table[i];
	return NULL;
}

bool decode_link_supported(int dlt)
{
	return link_find(dlt) != NULL;
}

const char *decode_link_name(int dlt)
{
	const struct link_decoder *l = link_find(dlt);
	const char *name;

	if (l != NULL)
		return l->name;
	name = pcap_datalink_val_to_name(dlt);
	return name != NULL ? name : "unknown";
}

enum decode_result decode_frame(int dlt, const uint8_t *frame, uint32_t caplen,
				uint32_t wirelen, struct packet *pkt)
{
	const struct link_decoder *l = link_find(dlt);
	struct decode_ctx d = { .pkt = pkt, .depth = 0,
				 .uncaptured = wirelen > caplen ? wirelen - caplen : 0 };
	uint64_t num = pkt->num, ts = pkt->ts_ns;

	memset(pkt, 0, sizeof *pkt);
	pkt->num = num;
	pkt->ts_ns = ts;
	pkt->caplen = caplen;
	pkt->wirelen = wirelen;
	if (l == NULL)
		return decode_skip(&d, DECODE_NOT_IP, "unsupported link type");
	return l->decode(&d, cursor_make(frame, caplen));
}
