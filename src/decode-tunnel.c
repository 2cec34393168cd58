/* decode-tunnel: the encapsulations real captures carry around the TCP
 * connection of interest: MPLS, GRE and ERSPAN, VXLAN, GENEVE, Teredo. */
#include "config.h"

#include "decode-int.h"

enum {
	GRE_PROTO_ERSPAN2 = 0x88be, /* type I without the S bit */
	GRE_PROTO_ERSPAN3 = 0x22eb,
	GENEVE_PROTO_TEB = 0x6558,
	PORT_VXLAN = 4789,
	PORT_VXLAN_LINUX = 8472, /* the Linux kernel's historical default */
	PORT_GENEVE = 6081,
	PORT_TEREDO = 3544,
};

/* RFC 3032: labels until the bottom-of-stack bit, then guess the payload
 * from its first nibble, as MPLS itself carries no payload type. */
enum decode_result decode_mpls(struct decode_ctx *d, struct cursor c)
{
	uint32_t entry;
	uint8_t first;

	if (!decode_push_via(d, VIA_MPLS))
		return decode_skip(d, DECODE_MALFORMED, "too many nested layers");
	do {
		if (!cursor_be32(&c, &entry))
			return decode_skip(d, DECODE_TRUNCATED, "truncated MPLS label stack");
	} while ((entry & 0x100) == 0);
	if (!cursor_peek(&c, 0, &first))
		return decode_skip(d, DECODE_TRUNCATED, "nothing after MPLS label stack");
	switch (first >> 4) {
	case 4:
		return decode_ipv4(d, c);
	case 6:
		return decode_ipv6(d, c);
	case 0:
		/* RFC 4385 pseudowire control word, then an Ethernet frame */
		if (!cursor_skip(&c, 4))
			return decode_skip(d, DECODE_TRUNCATED, "truncated MPLS control word");
		return decode_ethernet(d, c);
	default:
		return decode_skip(d, DECODE_NOT_IP, "unknown MPLS payload");
	}
}

static enum decode_result decode_erspan(struct decode_ctx *d, uint16_t proto, bool seq,
					struct cursor c)
{
	uint16_t word;
	uint8_t ft;

	if (!decode_push_via(d, VIA_ERSPAN))
		return decode_skip(d, DECODE_MALFORMED, "too many nested layers");
	if (proto == GRE_PROTO_ERSPAN2) {
		/* Type I has no header of its own and no GRE sequence number. */
		if (seq && !cursor_skip(&c, 8))
			return decode_skip(d, DECODE_TRUNCATED, "truncated ERSPAN II header");
		return decode_ethernet(d, c);
	}
	/* Type III: 12 bytes; bit O adds an 8-byte platform subheader and
	 * FT names the frame type (0 Ethernet, 2 IP). */
	if (!cursor_skip(&c, 10) || !cursor_be16(&c, &word))
		return decode_skip(d, DECODE_TRUNCATED, "truncated ERSPAN III header");
	if ((word & 1) != 0 && !cursor_skip(&c, 8))
		return decode_skip(d, DECODE_TRUNCATED, "truncated ERSPAN III subheader");
	ft = (uint8_t)((word >> 10) & 0x1f);
	if (ft == 0)
		return decode_ethernet(d, c);
	if (ft == 2)
		return decode_ip_any(d, c);
	return decode_skip(d, DECODE_NOT_IP, "ERSPAN III frame type not Ethernet or IP");
}

/* RFC 2784 with the key and sequence extensions of RFC 2890. */
enum decode_result decode_gre(struct decode_ctx *d, struct cursor c)
{
	uint16_t flags, proto;
	size_t opt = 0;

	if (!decode_push_via(d, VIA_GRE))
		return decode_skip(d, DECODE_MALFORMED, "too many nested layers");
	if (!cursor_be16(&c, &flags) || !cursor_be16(&c, &proto))
		return decode_skip(d, DECODE_TRUNCATED, "truncated GRE header");
	if ((flags & 0x7) != 0)
		return decode_skip(d, DECODE_NOT_IP, "GRE version other than 0");
	if ((flags & 0x4000) != 0)
		return decode_skip(d, DECODE_NOT_IP, "GRE with source routing");
	if ((flags & 0x8000) != 0)
		opt += 4;
	if ((flags & 0x2000) != 0)
		opt += 4;
	if ((flags & 0x1000) != 0)
		opt += 4;
	if (!cursor_skip(&c, opt))
		return decode_skip(d, DECODE_TRUNCATED, "truncated GRE options");
	if (proto == GRE_PROTO_ERSPAN2 || proto == GRE_PROTO_ERSPAN3)
		return decode_erspan(d, proto, (flags & 0x1000) != 0, c);
	return decode_ethertype(d, proto, c);
}

/* RFC 7348 */
static enum decode_result decode_vxlan(struct decode_ctx *d, struct cursor c)
{
	uint8_t flags;

	if (!decode_push_via(d, VIA_VXLAN))
		return decode_skip(d, DECODE_MALFORMED, "too many nested layers");
	if (!cursor_u8(&c, &flags) || !cursor_skip(&c, 7))
		return decode_skip(d, DECODE_TRUNCATED, "truncated VXLAN header");
	if ((flags & 0x08) == 0)
		return decode_skip(d, DECODE_NOT_IP, "VXLAN without a valid VNI");
	return decode_ethernet(d, c);
}

/* RFC 8926 */
static enum decode_result decode_geneve(struct decode_ctx *d, struct cursor c)
{
	uint8_t verlen, flags;
	uint16_t proto;

	if (!decode_push_via(d, VIA_GENEVE))
		return decode_skip(d, DECODE_MALFORMED, "too many nested layers");
	if (!cursor_u8(&c, &verlen) || !cursor_u8(&c, &flags) || !cursor_be16(&c, &proto) ||
	    !cursor_skip(&c, 4))
		return decode_skip(d, DECODE_TRUNCATED, "truncated GENEVE header");
	if (verlen >> 6 != 0)
		return decode_skip(d, DECODE_NOT_IP, "GENEVE version other than 0");
	if (!cursor_skip(&c, (size_t)(verlen & 0x3f) * 4))
		return decode_skip(d, DECODE_TRUNCATED, "truncated GENEVE options");
	if (proto == GENEVE_PROTO_TEB)
		return decode_ethernet(d, c);
	return decode_ethertype(d, proto, c);
}

/* RFC 4380: optional authentication and origin indication headers
 * precede the IPv6 packet. */
static enum decode_result decode_teredo(struct decode_ctx *d, struct cursor c)
{
	uint8_t b0, b1, idlen, aulen, v;

	if (!cursor_peek(&c, 0, &b0) || !cursor_peek(&c, 1, &b1))
		return decode_skip(d, DECODE_NOT_TCP, "short Teredo payload");
	if (b0 == 0 && b1 == 1) {
		if (!cursor_skip(&c, 2) || !cursor_u8(&c, &idlen) || !cursor_u8(&c, &aulen) ||
		    !cursor_skip(&c, (size_t)idlen + aulen + 9))
			return decode_skip(d, DECODE_TRUNCATED, "truncated Teredo authentication");
		if (!cursor_peek(&c, 0, &b0) || !cursor_peek(&c, 1, &b1))
			return decode_skip(d, DECODE_NOT_TCP, "short Teredo payload");
	}
	if (b0 == 0 && b1 == 0 && !cursor_skip(&c, 8))
		return decode_skip(d, DECODE_TRUNCATED, "truncated Teredo origin indication");
	if (!cursor_peek(&c, 0, &v) || v >> 4 != 6)
		return decode_skip(d, DECODE_NOT_TCP, "UDP on the Teredo port without IPv6");
	if (!decode_push_via(d, VIA_TEREDO))
		return decode_skip(d, DECODE_MALFORMED, "too many nested layers");
	return decode_ipv6(d, c);
}

/* RFC 768: only tunnels are of interest in UDP. */
enum decode_result decode_udp(struct decode_ctx *d, struct cursor c)
{
	uint16_t sport, dport, len, sum;

	if (!cursor_be16(&c, &sport) || !cursor_be16(&c, &dport) || !cursor_be16(&c, &len) ||
	    !cursor_be16(&c, &sum))
		return decode_skip(d, DECODE_NOT_TCP, "UDP");
	if (len >= 8)
		cursor_limit(&c, len - 8U);
	if (dport == PORT_VXLAN || dport == PORT_VXLAN_LINUX)
		return decode_vxlan(d, c);
	if (dport == PORT_GENEVE)
		return decode_geneve(d, c);
	if (sport == PORT_TEREDO || dport == PORT_TEREDO)
		return decode_teredo(d, c);
	return decode_skip(d, DECODE_NOT_TCP, "UDP");
}
