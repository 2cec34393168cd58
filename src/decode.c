/* decode: helpers shared by the layer decoders, and packet formatting. */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>

#include "decode-int.h"

bool decode_nest(struct decode_ctx *d)
{
	return ++d->depth <= DECODE_MAX_DEPTH;
}

bool decode_push_via(struct decode_ctx *d, uint8_t layer)
{
	struct packet *pkt = d->pkt;

	if (!decode_nest(d))
		return false;
	if (pkt->via_count < DECODE_MAX_VIA)
		pkt->via[pkt->via_count++] = layer;
	return true;
}

enum decode_result decode_skip(struct decode_ctx *d, enum decode_result r, const char *why)
{
	d->pkt->skip_reason = why;
	return r;
}

const char *decode_via_name(uint8_t layer)
{
	static const char *const names[] = {
		[VIA_VLAN] = "vlan",     [VIA_MPLS] = "mpls",     [VIA_GRE] = "gre",
		[VIA_ERSPAN] = "erspan", [VIA_VXLAN] = "vxlan",   [VIA_GENEVE] = "geneve",
		[VIA_TEREDO] = "teredo", [VIA_IPIP] = "ipip",
	};

	if (layer < sizeof names / sizeof names[0] && names[layer] != NULL)
		return names[layer];
	return "?";
}

void decode_flags_str(uint8_t flags, char *buf)
{
	static const char letters[] = "FSRPAUEC";
	char *p = buf;

	for (unsigned i = 0; i < 8; i++)
		if (flags & (1U << i))
			*p++ = letters[i];
	if (p == buf) {
		memcpy(buf, "none", 5);
		return;
	}
	*p = '\0';
}

void decode_endpoint_str(const struct packet *pkt, bool source, char *buf, unsigned size)
{
	char addr[INET6_ADDRSTRLEN];
	const uint8_t *a = source ? pkt->src : pkt->dst;
	uint16_t port = source ? pkt->sport : pkt->dport;

	if (pkt->family == 6) {
		inet_ntop(AF_INET6, a, addr, sizeof addr);
		snprintf(buf, size, "[%s]:%u", addr, port);
	} else {
		inet_ntop(AF_INET, a, addr, sizeof addr);
		snprintf(buf, size, "%s:%u", addr, port);
	}
}
