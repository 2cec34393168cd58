/* community-id: build the byte string the Community ID v1 spec hashes.
 * SHA-1 and base64 come from nettle, so this file owns only the layout. */
#include "config.h"

#include <string.h>

#include <nettle/base64.h>
#include <nettle/sha1.h>

#include "community-id.h"

_Static_assert(COMMUNITY_ID_LEN == 2 + BASE64_ENCODE_RAW_LENGTH(SHA1_DIGEST_SIZE) + 1,
	       "COMMUNITY_ID_LEN must hold \"1:\", the base64 digest and a NUL");

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void community_id_v1(char out[COMMUNITY_ID_LEN], uint16_t seed, uint8_t family,
		     const uint8_t *addr_a, uint16_t port_a, const uint8_t *addr_b,
		     uint16_t port_b, uint8_t proto)
{
	/* seed(2) saddr(16) daddr(16) proto(1) pad(1) sport(2) dport(2) */
	uint8_t buf[2 + 16 + 16 + 1 + 1 + 2 + 2], *p = buf;
	uint8_t digest[SHA1_DIGEST_SIZE];
	size_t alen = family == 6 ? 16 : 4;
	struct sha1_ctx ctx;
	int cmp = memcmp(addr_a, addr_b, alen);

	/* The smaller address:port goes first, so both directions of a flow
	 * hash the same bytes; addresses compare as big-endian numbers,
	 * which memcmp on network order does. */
	if (cmp > 0 || (cmp == 0 && port_a > port_b)) {
		const uint8_t *ta = addr_a;
		uint16_t tp = port_a;

		addr_a = addr_b;
		port_a = port_b;
		addr_b = ta;
		port_b = tp;
	}

	put_be16(p, seed);
	p += 2;
	memcpy(p, addr_a, alen);
	p += alen;
	memcpy(p, addr_b, alen);
	p += alen;
	*p++ = proto;
	*p++ = 0; /* keeps the ports 32-bit aligned in the hashed input */
	put_be16(p, port_a);
	p += 2;
	put_be16(p, port_b);
	p += 2;

	sha1_init(&ctx);
	sha1_update(&ctx, (size_t)(p - buf), buf);
	sha1_digest(&ctx, sizeof digest, digest);

	out[0] = '1';
	out[1] = ':';
	base64_encode_raw(out + 2, sizeof digest, digest);
	out[COMMUNITY_ID_LEN - 1] = '\0';
}
