/* community-id: the Community ID v1 flow hash
 * (https://github.com/corelight/community-id-spec), so that a finlint
 * connection can be joined with the same flow in Zeek, Suricata or
 * Wireshark by one string comparison. */
#ifndef FINLINT_COMMUNITY_ID_H
#define FINLINT_COMMUNITY_ID_H

#include <stdint.h>

/* "1:" + base64 of a 20-byte SHA-1 (28 characters with padding) + NUL. */
enum { COMMUNITY_ID_LEN = 31 };

/* Write the Community ID v1 of a flow into out.  family is 4 or 6; the
 * addresses are in network byte order (4 or 16 bytes), the ports and seed
 * in host order.  Either endpoint may come first: the result is the same. */
void community_id_v1(char out[COMMUNITY_ID_LEN], uint16_t seed, uint8_t family,
		     const uint8_t *addr_a, uint16_t port_a, const uint8_t *addr_b,
		     uint16_t port_b, uint8_t proto);

#endif
