/* decode-int: what the decoder's files share with each other, not with
 * the rest of finlint. */
#ifndef FINLINT_DECODE_INT_H
#define FINLINT_DECODE_INT_H

#include "cursor.h"
#include "decode.h"

struct decode_ctx {
	struct packet *pkt;
	unsigned depth;
	uint32_t uncaptured; /* bytes of the frame past the snaplen */
};

/* Count one more level of nesting; false when the packet nests deeper
 * than DECODE_MAX_DEPTH.  Every layer that can hold another calls this,
 * through decode_push_via() when it is a layer the packet records. */
bool decode_nest(struct decode_ctx *d);

/* Record an encapsulation layer; false when the packet nests too deep. */
bool decode_push_via(struct decode_ctx *d, uint8_t layer);

enum decode_result decode_skip(struct decode_ctx *d, enum decode_result r, const char *why);

/* Layer decoders: each takes a cursor at the start of its header. */
enum decode_result decode_ethernet(struct decode_ctx *d, struct cursor c);
enum decode_result decode_ethertype(struct decode_ctx *d, uint16_t type, struct cursor c);
enum decode_result decode_ip_any(struct decode_ctx *d, struct cursor c);
enum decode_result decode_ipv4(struct decode_ctx *d, struct cursor c);
enum decode_result decode_ipv6(struct decode_ctx *d, struct cursor c);
enum decode_result decode_mpls(struct decode_ctx *d, struct cursor c);
enum decode_result decode_gre(struct decode_ctx *d, struct cursor c);
enum decode_result decode_udp(struct decode_ctx *d, struct cursor c);

/* Decode a TCP header; ip_payload is the IP-declared length of the
 * segment, which may exceed what c holds when the frame was truncated. */
enum decode_result decode_tcp(struct decode_ctx *d, struct cursor c, uint32_t ip_payload);

#endif
