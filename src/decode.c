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

/* The encapsulation layers: a tag on the frame (a VLAN) carries the
 * packet on the same link; every other layer is a tunnel across others. */
static const struct via_info {
	const char *name;
	bool tunnel;
} via_table[] = {
	[VIA_VLAN] = { .name = "vlan", .tunnel = false },
	[VIA_MPLS] = { .name = "mpls", .tunnel = true },
	[VIA_GRE] = { .name = "gre", .tunnel = true },
	[VIA_ERSPAN] = { .name = "erspan", .tunnel = true },
	[VIA_VXLAN] = { .name = "vxlan", .tunnel = true },
	[VIA_GENEVE] = { .name = "geneve", .tunnel = true },
	[VIA_TEREDO] = { .name = "teredo", .tunnel = true },
	[VIA_IPIP] = { .name = "ipip", .tunnel = true },
};

static const struct via_info *via_find(uint8_t layer)
{
	if (layer < sizeof via_table / sizeof via_table[0] && via_table[layer].name != NULL)
		return &via_table[layer];
	return NULL;
}

const char *decode_via_name(uint8_t layer)
{
	const struct via_info *v = via_find(layer);

	return v != NULL ? v->name : "?";
}

bool decode_tunneled(const struct packet *pkt)
{
	for (unsigned i = 0; i < pkt->via_count; i++) {
		const struct via_info *v = via_find(pkt->via[i]);

		if (v != NULL && v->tunnel)
			return true;
	}
	return false;
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
