/* decode-tcp: the TCP header and the options finlint's analysis uses. */
#include "config.h"

#include <string.h>

#include "decode-int.h"

enum {
	TCPOPT_EOL = 0,
	TCPOPT_NOP = 1,
	TCPOPT_MSS = 2,
	TCPOPT_WSCALE = 3,
	TCPOPT_SACKOK = 4,
	TCPOPT_SACK = 5,
	TCPOPT_TS = 8,
	TCPOPT_MPTCP = 30,
};

/* RFC 9293 3.1, RFC 7323, RFC 2018.  A malformed option list stops the
 * parse and is flagged; the segment itself is still good. */
static void parse_options(struct cursor c, struct tcp_options *o)
{
	uint8_t kind, len;

	while (cursor_u8(&c, &kind)) {
		if (kind == TCPOPT_EOL)
			return;
		if (kind == TCPOPT_NOP)
			continue;
		if (!cursor_u8(&c, &len) || len < 2 || len - 2U > c.left) {
			o->has |= TCPOPT_BAD;
			return;
		}
		struct cursor v = cursor_make(c.p, len - 2U);
		cursor_skip(&c, len - 2U);
		switch (kind) {
		case TCPOPT_MSS:
			if (len == 4 && cursor_be16(&v, &o->mss))
				o->has |= TCPOPT_HAS_MSS;
			break;
		case TCPOPT_WSCALE:
			if (len == 3 && cursor_u8(&v, &o->wscale))
				o->has |= TCPOPT_HAS_WSCALE;
			break;
		case TCPOPT_SACKOK:
			if (len == 2)
				o->has |= TCPOPT_HAS_SACKOK;
			break;
		case TCPOPT_TS:
			if (len == 10 && cursor_be32(&v, &o->ts_val) && cursor_be32(&v, &o->ts_ecr))
				o->has |= TCPOPT_HAS_TS;
			break;
		case TCPOPT_SACK:
			if ((len - 2) % 8 != 0)
				break;
			o->sack_count = 0;
			while (o->sack_count < TCP_MAX_SACK &&
			       cursor_be32(&v, &o->sack[o->sack_count][0]) &&
			       cursor_be32(&v, &o->sack[o->sack_count][1]))
				o->sack_count++;
			if (o->sack_count > 0)
				o->has |= TCPOPT_HAS_SACK;
			break;
		case TCPOPT_MPTCP: {
			/* the subtype is the high nibble of the first byte */
			uint8_t sub;

			if (len >= 3 && cursor_u8(&v, &sub))
				o->mptcp |= (uint16_t)(1u << (sub >> 4));
			break;
		}
		default:
			break;
		}
	}
}

/* FNV-1a over the option bytes: two segments with the same options as
 * sent (SACK blocks, timestamps, MPTCP...) hash alike, so a capture copy
 * can be told without keeping the bytes. */
static uint32_t options_hash(const uint8_t *p, uint32_t n)
{
	uint32_t h = 2166136261u;

	if (n == 0)
		return 0;
	for (uint32_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

enum decode_result decode_tcp(struct decode_ctx *d, struct cursor c, uint32_t ip_payload)
{
	struct packet *pkt = d->pkt;
	uint8_t off, flags;
	uint16_t sum, urg;
	uint32_t hlen;
	bool options_cut = false;

	if (!cursor_be16(&c, &pkt->sport) || !cursor_be16(&c, &pkt->dport) ||
	    !cursor_be32(&c, &pkt->seq) || !cursor_be32(&c, &pkt->ack) || !cursor_u8(&c, &off) ||
	    !cursor_u8(&c, &flags) || !cursor_be16(&c, &pkt->win) || !cursor_be16(&c, &sum) ||
	    !cursor_be16(&c, &urg))
		return decode_skip(d, DECODE_TRUNCATED, "truncated TCP header");
	hlen = (uint32_t)(off >> 4) * 4;
	if (hlen < 20)
		return decode_skip(d, DECODE_MALFORMED, "TCP header length below 20");
	if (hlen > ip_payload)
		return decode_skip(d, DECODE_MALFORMED, "TCP header longer than the IP payload");
	pkt->flags = flags;
	pkt->tcp_sum = sum;
	/* Options cut off by the snaplen lose only the options: seq, ack and
	 * flags are what the analysis needs, and they are here. */
	if (c.left >= hlen - 20) {
		parse_options(cursor_make(c.p, hlen - 20), &pkt->opt);
		pkt->opt_hash = options_hash(c.p, hlen - 20);
		cursor_skip(&c, hlen - 20);
		pkt->payload = c.p;
		pkt->payload_caplen = (uint32_t)c.left;
	} else {
		options_cut = true;
		pkt->payload = NULL;
		pkt->payload_caplen = 0;
	}
	pkt->payload_len = ip_payload - hlen;
	if (pkt->payload_caplen > pkt->payload_len)
		pkt->payload_caplen = pkt->payload_len;
	pkt->head_len = (uint8_t)(pkt->payload_caplen < PACKET_HEAD_MAX ? pkt->payload_caplen
									: PACKET_HEAD_MAX);
	if (pkt->head_len > 0)
		memcpy(pkt->head, pkt->payload, pkt->head_len);
	pkt->truncated = options_cut || pkt->payload_caplen < pkt->payload_len;
	return DECODE_TCP;
}
