/* addr-text: addresses written by hand, because inet_ntop's sprintf per
 * group was a good part of the JSON writer's time. */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include <arpa/inet.h>

#include "addr-text.h"

_Static_assert(ADDR_TEXT_MAX >= INET6_ADDRSTRLEN, "ADDR_TEXT_MAX too small");

/* inet_ntop's IPv4 form at p; returns the end. */
static char *dotted_quad(char *p, const uint8_t a[4])
{
	for (unsigned i = 0; i < 4; i++) {
		if (i > 0)
			*p++ = '.';
		if (a[i] >= 100)
			*p++ = (char)('0' + a[i] / 100);
		if (a[i] >= 10)
			*p++ = (char)('0' + a[i] / 10 % 10);
		*p++ = (char)('0' + a[i] % 10);
	}
	return p;
}

/* One group of an IPv6 address as "%x" writes it; returns the end. */
static char *hex_group(char *p, unsigned v)
{
	static const char hex[] = "0123456789abcdef";
	bool started = false;

	for (int shift = 12; shift >= 0; shift -= 4) {
		unsigned d = v >> shift & 15u;

		if (d != 0 || started || shift == 0) {
			*p++ = hex[d];
			started = true;
		}
	}
	return p;
}

/* glibc's inet_ntop IPv6 form at p (RFC 5952 but for its IPv4-compatible
 * and -mapped forms); returns the end. */
static char *ipv6_text(char *p, const uint8_t a[16])
{
	unsigned words[8];
	int best = -1, best_len = 0, cur = -1, cur_len = 0;

	for (unsigned i = 0; i < 8; i++)
		words[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	/* the first longest run of zero groups, if two or more, is "::" */
	for (int i = 0; i <= 8; i++) {
		if (i < 8 && words[i] == 0) {
			if (cur < 0) {
				cur = i;
				cur_len = 0;
			}
			cur_len++;
		} else if (cur >= 0) {
			if (best < 0 || cur_len > best_len) {
				best = cur;
				best_len = cur_len;
			}
			cur = -1;
		}
	}
	if (best_len < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i != 0)
			*p++ = ':';
		if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff)))
			return dotted_quad(p, a + 12);
		p = hex_group(p, words[i]);
	}
	if (best >= 0 && best + best_len == 8)
		*p++ = ':';
	return p;
}


size_t addr_text(uint8_t family, const uint8_t a[16], char out[ADDR_TEXT_MAX])
{
	char *end = family == 6 ? ipv6_text(out, a) : dotted_quad(out, a);

	*end = '\0';
	return (size_t)(end - out);
}
