/* decode-ip: IPv4 and IPv6 headers, and what they carry. */
#include "config.h"

#include "decode-int.h"

enum {
	IPPROTO_HOPOPTS_ = 0,
	IPPROTO_IPIP_ = 4,
	IPPROTO_TCP_ = 6,
	IPPROTO_UDP_ = 17,
	IPPROTO_IPV6_ = 41,
	IPPROTO_ROUTING_ = 43,
	IPPROTO_FRAGMENT_ = 44,
	IPPROTO_GRE_ = 47,
	IPPROTO_ESP_ = 50,
	IPPROTO_AH_ = 51,
	IPPROTO_NONE_ = 59,
	IPPROTO_DSTOPTS_ = 60,
	IPPROTO_MH_ = 135,
	IPPROTO_HIP_ = 139,
	IPPROTO_SHIM6_ = 140,
};

/* Length the IP header declares for its payload, checked against the
 * frame's length on the wire.  Returns false when it cannot be true. */
static bool declared_fits(const struct decode_ctx *d, const struct cursor *c, uint32_t len)
{
	return (uint64_t)len <= (uint64_t)c->left + d->uncaptured;
}

static enum decode_result decode_transport(struct decode_ctx *d, uint8_t proto,
					   struct cursor c, uint32_t len)
{
	switch (proto) {
	case IPPROTO_TCP_:
		return decode_tcp(d, c, len);
	case IPPROTO_UDP_:
		return decode_udp(d, c);
	case IPPROTO_GRE_:
		return decode_gre(d, c);
	case IPPROTO_IPIP_:
		if (!decode_push_via(d, VIA_IPIP))
			return decode_skip(d, DECODE_MALFORMED, "too many nested layers");
		return decode_ipv4(d, c);
	case IPPROTO_IPV6_:
		if (!decode_push_via(d, VIA_IPIP))
			return decode_skip(d, DECODE_MALFORMED, "too many nested layers");
		return decode_ipv6(d, c);
	default:
		return decode_skip(d, DECODE_NOT_TCP, "not TCP");
	}
}

enum decode_result decode_ip_any(struct decode_ctx *d, struct cursor c)
{
	uint8_t v;

	if (!cursor_peek(&c, 0, &v))
		return decode_skip(d, DECODE_TRUNCATED, "truncated IP header");
	if (v >> 4 == 4)
		return decode_ipv4(d, c);
	if (v >> 4 == 6)
		return decode_ipv6(d, c);
	return decode_skip(d, DECODE_MALFORMED, "bad IP version");
}

/* RFC 791 */
enum decode_result decode_ipv4(struct decode_ctx *d, struct cursor c)
{
	struct packet *pkt = d->pkt;
	uint8_t vihl, tos, ttl, proto;
	uint16_t total16, id, frag, sum;
	uint32_t hlen, total;

	if (!cursor_u8(&c, &vihl) || !cursor_u8(&c, &tos) || !cursor_be16(&c, &total16) ||
	    !cursor_be16(&c, &id) || !cursor_be16(&c, &frag) || !cursor_u8(&c, &ttl) ||
	    !cursor_u8(&c, &proto) || !cursor_be16(&c, &sum) ||
	    !cursor_bytes(&c, pkt->src, 4) || !cursor_bytes(&c, pkt->dst, 4))
		return decode_skip(d, DECODE_TRUNCATED, "truncated IPv4 header");
	if (vihl >> 4 != 4)
		return decode_skip(d, DECODE_MALFORMED, "bad IPv4 version");
	hlen = (uint32_t)(vihl & 0x0f) * 4;
	if (hlen < 20)
		return decode_skip(d, DECODE_MALFORMED, "IPv4 header length below 20");
	/* A total length of 0 is what segmentation offload leaves in
	 * locally captured frames: the frame's bytes are the length then,
	 * but only when all of them were captured.  The record's length on
	 * the wire alone is vouched for by no header, and a corrupt one
	 * would make the segment claim up to 4 GB. */
	total = total16;
	if (total == 0) {
		if (d->uncaptured > 0)
			return decode_skip(d, DECODE_MALFORMED,
					   "IPv4 total length 0 in a frame not captured whole");
		total = (uint32_t)c.left + 20;
	}
	if (total < hlen)
		return decode_skip(d, DECODE_MALFORMED, "IPv4 total length below header length");
	if (!declared_fits(d, &c, total - 20U))
		return decode_skip(d, DECODE_MALFORMED, "IPv4 total length beyond the frame");
	if (!cursor_skip(&c, hlen - 20))
		return decode_skip(d, DECODE_TRUNCATED, "truncated IPv4 options");
	memset(pkt->src + 4, 0, 12);
	memset(pkt->dst + 4, 0, 12);
	pkt->family = 4;
	pkt->ttl = ttl;
	pkt->ip_id = id;
	pkt->flow_label = 0;
	pkt->ip_fills_frame = (uint64_t)total - hlen == (uint64_t)c.left + d->uncaptured;
	cursor_limit(&c, total - hlen);
	if ((frag & 0x1fff) != 0)
		return decode_skip(d, DECODE_FRAGMENT, "IPv4 fragment");
	pkt->first_fragment = (frag & 0x2000) != 0;
	return decode_transport(d, proto, c, total - hlen);
}

/* RFC 2675: the Jumbo Payload option of a hop-by-hop header at c, which
 * is where the option must be; false when there is none. */
static bool jumbo_length(struct cursor c, uint32_t *len)
{
	uint8_t next, hdr_len, type, olen;
	struct cursor opts;

	if (!cursor_u8(&c, &next) || !cursor_u8(&c, &hdr_len))
		return false;
	opts = cursor_make(c.p, c.left);
	cursor_limit(&opts, ((size_t)hdr_len + 1) * 8 - 2);
	while (cursor_u8(&opts, &type)) {
		if (type == 0) /* Pad1 */
			continue;
		if (!cursor_u8(&opts, &olen))
			return false;
		if (type == 0xc2 && olen == 4)
			return cursor_be32(&opts, len);
		if (!cursor_skip(&opts, olen))
			return false;
	}
	return false;
}

/* RFC 8200 */
enum decode_result decode_ipv6(struct decode_ctx *d, struct cursor c)
{
	struct packet *pkt = d->pkt;
	uint32_t vtcfl, len;
	uint16_t plen, fragoff;
	uint8_t next, hops, hdr_next, hdr_len;

	if (!cursor_be32(&c, &vtcfl) || !cursor_be16(&c, &plen) || !cursor_u8(&c, &next) ||
	    !cursor_u8(&c, &hops) || !cursor_bytes(&c, pkt->src, 16) ||
	    !cursor_bytes(&c, pkt->dst, 16))
		return decode_skip(d, DECODE_TRUNCATED, "truncated IPv6 header");
	if (vtcfl >> 28 != 6)
		return decode_skip(d, DECODE_MALFORMED, "bad IPv6 version");
	pkt->family = 6;
	pkt->ttl = hops;
	pkt->ip_id = 0;
	pkt->flow_label = vtcfl & 0xfffff;
	len = plen;
	/* A zero payload length means a jumbogram, whose option says the
	 * length, or offload (Linux BIG TCP), where the frame's bytes are
	 * the length when all were captured; as for IPv4, the record's
	 * length on the wire alone vouches for nothing. */
	if (len == 0 && next == IPPROTO_HOPOPTS_ && jumbo_length(c, &len)) {
		if (len <= 0xffff)
			return decode_skip(d, DECODE_MALFORMED, "IPv6 Jumbo Payload length below 65536");
	} else if (len == 0) {
		if (d->uncaptured > 0)
			return decode_skip(d, DECODE_MALFORMED,
					   "IPv6 payload length 0 without a Jumbo Payload option in "
					   "a frame not captured whole");
		len = (uint32_t)c.left;
	}
	if (!declared_fits(d, &c, len))
		return decode_skip(d, DECODE_MALFORMED, "IPv6 payload length beyond the frame");
	pkt->ip_fills_frame = (uint64_t)len == (uint64_t)c.left + d->uncaptured;
	cursor_limit(&c, len);

	/* Walk the extension header chain; each one shortens the payload. */
	for (unsigned n = 0; n < 16; n++) {
		uint32_t ext, used = 2;

		switch (next) {
		case IPPROTO_HOPOPTS_:
		case IPPROTO_ROUTING_:
		case IPPROTO_DSTOPTS_:
		case IPPROTO_MH_:
		case IPPROTO_HIP_:
		case IPPROTO_SHIM6_:
			if (!cursor_u8(&c, &hdr_next) || !cursor_u8(&c, &hdr_len))
				return decode_skip(d, DECODE_TRUNCATED, "truncated IPv6 extension header");
			ext = ((uint32_t)hdr_len + 1) * 8;
			break;
		case IPPROTO_AH_:
			if (!cursor_u8(&c, &hdr_next) || !cursor_u8(&c, &hdr_len))
				return decode_skip(d, DECODE_TRUNCATED, "truncated IPv6 AH header");
			ext = ((uint32_t)hdr_len + 2) * 4;
			break;
		case IPPROTO_FRAGMENT_:
			if (!cursor_u8(&c, &hdr_next) || !cursor_skip(&c, 1) ||
			    !cursor_be16(&c, &fragoff))
				return decode_skip(d, DECODE_TRUNCATED, "truncated IPv6 fragment header");
			if ((fragoff & 0xfff8) != 0)
				return decode_skip(d, DECODE_FRAGMENT, "IPv6 fragment");
			pkt->first_fragment = (fragoff & 1) != 0;
			ext = 8;
			used = 4;
			break;
		case IPPROTO_ESP_:
			return decode_skip(d, DECODE_NOT_TCP, "IPv6 ESP");
		case IPPROTO_NONE_:
			return decode_skip(d, DECODE_NOT_TCP, "IPv6 no next header");
		default:
			return decode_transport(d, next, c, len);
		}
		if (ext > len)
			return decode_skip(d, DECODE_MALFORMED, "IPv6 extension header beyond payload");
		if (!cursor_skip(&c, ext - used))
			return decode_skip(d, DECODE_TRUNCATED, "truncated IPv6 extension header");
		len -= ext;
		next = hdr_next;
	}
	return decode_skip(d, DECODE_MALFORMED, "IPv6 extension header chain too long");
}
