/* addr-text: an IP address as text, the way glibc's inet_ntop writes it. */
#ifndef FINLINT_ADDR_TEXT_H
#define FINLINT_ADDR_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Room for any address and its terminating NUL (INET6_ADDRSTRLEN). */
enum { ADDR_TEXT_MAX = 46 };

/* Write the IPv4 (family 4: a[0..3]) or IPv6 (family 6) address at out,
 * NUL-terminated; returns its length. */
size_t addr_text(uint8_t family, const uint8_t a[16], char out[ADDR_TEXT_MAX]);

#endif
