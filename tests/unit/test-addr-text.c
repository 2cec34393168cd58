/* test-addr-text: finlint's own address formatting gives what glibc's
 * inet_ntop gives, for IPv4 and for IPv6 with zero runs of every length
 * and place, the IPv4-mapped and -compatible forms included. */
#include "config.h"

#include <stdlib.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include "check.h"
#include "addr-text.h"

static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

struct addr {
	uint8_t family;
	uint8_t bytes[16];
};

/* Compare one address both ways; 1 when they differ. */
static int differs(const struct addr *f)
{
	char want[INET6_ADDRSTRLEN + 8], got[ADDR_TEXT_MAX];
	size_t len;

	if (inet_ntop(f->family == 6 ? AF_INET6 : AF_INET, f->bytes, want, sizeof want) == NULL)
		return 1;
	len = addr_text(f->family, f->bytes, got);
	return strcmp(got, want) != 0 || len != strlen(want);
}

int main(void)
{
	struct addr *f = calloc(1, sizeof *f);
	uint64_t seed = 0x2545f4914f6cdd1du;
	int bad = 0;

	/* IPv4: every octet width */
	f->family = 4;
	for (int n = 0; n < 200000; n++) {
		uint64_t r = next_random(&seed);

		for (unsigned i = 0; i < 4; i++)
			f->bytes[i] = (uint8_t)(r >> (8 * i) >> (r % 3 == 0 ? 4 : 0));
		bad += differs(f);
	}
	CHECK_U64(bad, 0);

	/* IPv6: each group zero or not by a bit mask (all 256 patterns), the
	 * rest random, small and large values */
	f->family = 6;
	for (unsigned mask = 0; mask < 256; mask++) {
		for (int n = 0; n < 200; n++) {
			uint64_t r = next_random(&seed);

			for (unsigned g = 0; g < 8; g++) {
				unsigned v = (mask >> g & 1) != 0 ? 0 : (unsigned)(next_random(&seed) >> (r % 16));

				if (v == 0 && (mask >> g & 1) == 0)
					v = 1;
				f->bytes[2 * g] = (uint8_t)(v >> 8);
				f->bytes[2 * g + 1] = (uint8_t)v;
			}
			bad += differs(f);
			/* the mapped and compatible forms: ::ffff:a.b.c.d and ::a.b.c.d */
			memset(f->bytes, 0, 10);
			f->bytes[10] = f->bytes[11] = (uint8_t)(n % 2 == 0 ? 0xff : 0);
			bad += differs(f);
		}
	}
	CHECK_U64(bad, 0);
	free(f);
	return check_done("test-addr-text");
}
