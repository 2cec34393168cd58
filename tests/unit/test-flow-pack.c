/* test-flow-pack: packing restores every byte, whatever the words hold,
 * packs the typical record of a closed connection small, and refuses
 * packed bytes that are cut or too long. */
#include "config.h"

#include <stdlib.h>

#include "check.h"
#include "flow-pack.h"

enum { WORDS = 61 }; /* odd: the last pair has one word */

static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int round_trip(const uint64_t *in, uint64_t base, size_t *packed_len)
{
	uint8_t packed[WORDS * 9];
	uint64_t out[WORDS];
	size_t len;

	if (flow_pack_bound(sizeof out) > sizeof packed)
		return 0;
	len = flow_pack(in, WORDS * 8, base, packed);
	if (len > flow_pack_bound(WORDS * 8))
		return 0;
	memset(out, 0xa5, sizeof out);
	if (!flow_unpack(packed, len, base, out, sizeof out))
		return 0;
	if (packed_len != NULL)
		*packed_len = len;
	return memcmp(in, out, sizeof out) == 0;
}

int main(void)
{
	const uint64_t base = 1767225600123456789u; /* 2026-01-01, in ns */
	const uint64_t edge[] = { 0, 1, 255, 256, 65535, UINT32_MAX, (uint64_t)1 << 56,
				  UINT64_MAX, UINT64_MAX - 1, base, base - 1, base + 1,
				  base - 4000000000u, base + 4000000000u, (uint64_t)INT64_MAX,
				  (uint64_t)INT64_MAX + 1 };
	uint64_t w[WORDS];
	uint64_t seed = 0x9e3779b97f4a7c15u;
	uint8_t packed[WORDS * 9];
	size_t len = 0;
	int bad = 0;

	/* every edge value in every position of a pair, next to every other */
	for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
		for (size_t j = 0; j < sizeof edge / sizeof edge[0]; j++) {
			for (size_t k = 0; k < WORDS; k++)
				w[k] = k % 2 == 0 ? edge[i] : edge[j];
			if (!round_trip(w, base, NULL))
				bad++;
		}
	}
	CHECK_U64(bad, 0);

	/* random words, random bytes zeroed, random base */
	for (int n = 0; n < 20000; n++) {
		uint64_t b = next_random(&seed);

		for (size_t k = 0; k < WORDS; k++) {
			uint64_t r = next_random(&seed);

			w[k] = r >> (next_random(&seed) % 64);
			if (r % 3 == 0)
				w[k] = b + (r % 2000000000u) - 1000000000u;
			if (r % 5 == 0)
				w[k] = 0;
		}
		if (!round_trip(w, b, NULL))
			bad++;
	}
	CHECK_U64(bad, 0);

	/* a closed connection's record: mostly zeros, small counters and
	 * times close to base; it packs to its significant bytes */
	memset(w, 0, sizeof w);
	for (size_t k = 0; k < 10; k++)
		w[k * 3] = base - k * 1000003u; /* times: 1 byte for base, 3 up to 8 ms before, then 4 */
	for (size_t k = 0; k < 10; k++)
		w[k * 3 + 1] = 2800000u + k;        /* packet numbers: 3 bytes */
	CHECK(round_trip(w, base, &len));
	CHECK_U64(len, 31 + (1 + 8 * 3 + 4) + 10 * 3);

	/* cut, extended or wrongly sized input is refused, not read past */
	len = flow_pack(w, sizeof w, base, packed);
	CHECK(!flow_unpack(packed, len - 1, base, w, sizeof w));
	CHECK(!flow_unpack(packed, 0, base, w, sizeof w));
	packed[len] = 0;
	CHECK(!flow_unpack(packed, len + 1, base, w, sizeof w));
	CHECK(!flow_unpack(packed, len, base, w, sizeof w - 16));
	return check_done("test-flow-pack");
}
