/* flow-pack: see include/flow-pack.h.
 *
 * Words go in pairs: one byte of two 4-bit codes, then each word's bytes,
 * least significant first.  Code 0: the word is zero; 1 to 8: that many
 * bytes of the word; 9 to 15: 1 to 7 bytes of its distance from base,
 * zigzag-coded so a time just before base stays short. */
#include "config.h"

#include <string.h>

#include "flow-pack.h"

enum { CODE_DELTA = 8 };

/* Every closed flow packs ~200 words: the highest set bit where the
 * compiler can find it in one instruction, comparisons otherwise. */
static unsigned bytes_of(uint64_t v)
{
#if defined(__GNUC__) || defined(__clang__)
	return v == 0 ? 0 : (unsigned)(71 - __builtin_clzll(v)) / 8;
#else
	return (unsigned)(v != 0) + (v > 0xffu) + (v > 0xffffu) + (v > 0xffffffu) +
	       (v > 0xffffffffu) + (v > 0xffffffffffu) + (v > 0xffffffffffffu) +
	       (v > 0xffffffffffffffu);
#endif
}

static uint64_t zigzag(uint64_t word, uint64_t base)
{
	uint64_t d = word - base;

	/* the sign bit to the bottom: small distances either way stay small */
	return d >> 63 != 0 ? ~(d << 1) : d << 1;
}

static uint64_t unzigzag(uint64_t z, uint64_t base)
{
	uint64_t d = (z & 1) != 0 ? ~(z >> 1) : z >> 1;

	return base + d;
}

/* Choose the shorter form of word; return its code and set *v to the
 * value whose low bytes are written. */
static inline unsigned encode_word(uint64_t word, uint64_t base, uint64_t *v)
{
	unsigned raw = bytes_of(word), delta;
	uint64_t z;

	*v = word;
	if (raw <= 4) /* not a time: those are 8 bytes of ns since 1970 */
		return raw;
	z = zigzag(word, base);
	delta = bytes_of(z);
	if (delta == 0) /* the word is base: code CODE_DELTA itself means 8 raw bytes */
		delta = 1;
	if (delta < raw && delta <= 15 - CODE_DELTA) {
		*v = z;
		return CODE_DELTA + delta;
	}
	return raw;
}

/* The packed bytes never leave the process, so on a little-endian host a
 * word's low bytes are simply its first bytes in memory: one 8-byte store
 * or load instead of a loop per byte. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static uint64_t load_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static void store_le64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}
#else
static uint64_t load_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void store_le64(uint8_t *p, uint64_t v)
{
	for (unsigned i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
#endif

/* All eight bytes are stored and the output advances by n: the bound
 * leaves room for the overhang. */
static uint8_t *put_bytes(uint8_t *out, uint64_t v, unsigned n)
{
	store_le64(out, v);
	return out + n;
}

size_t flow_pack_bound(size_t size)
{
	size_t words = size / 8;

	return words * 8 + (words + 1) / 2 + 8;
}

size_t flow_pack(const void *src, size_t size, uint64_t base, uint8_t *out)
{
	const uint8_t *p = src;
	size_t words = size / 8;
	uint8_t *o = out;

	for (size_t w = 0; w < words; w += 2) {
		uint64_t a, b = 0, va, vb = 0;
		unsigned ca, cb = 0;
		uint8_t *codes = o++;

		memcpy(&a, p + w * 8, 8);
		if (w + 1 < words)
			memcpy(&b, p + (w + 1) * 8, 8);
		if ((a | b) == 0) { /* half the words of a record are zero */
			*codes = 0;
			continue;
		}
		ca = encode_word(a, base, &va);
		if (w + 1 < words)
			cb = encode_word(b, base, &vb);
		*codes = (uint8_t)(ca | cb << 4);
		o = put_bytes(o, va, ca > CODE_DELTA ? ca - CODE_DELTA : ca);
		o = put_bytes(o, vb, cb > CODE_DELTA ? cb - CODE_DELTA : cb);
	}
	return (size_t)(o - out);
}

/* Read one word of code c from in[*at..len) into *word. */
static inline bool decode_word(const uint8_t *in, size_t len, size_t *at, unsigned c, uint64_t base,
			uint64_t *word)
{
	unsigned n = c > CODE_DELTA ? c - CODE_DELTA : c;
	uint64_t v = 0;

	if (len - *at < n)
		return false;
	if (len - *at >= 8) {
		v = load_le64(in + *at);
		if (n < 8)
			v &= ((uint64_t)1 << (8 * n)) - 1;
	} else {
		for (unsigned i = 0; i < n; i++)
			v |= (uint64_t)in[*at + i] << (8 * i);
	}
	*at += n;
	*word = c > CODE_DELTA ? unzigzag(v, base) : v;
	return true;
}

size_t flow_unpack_prefix(const uint8_t *in, size_t len, uint64_t base, void *dst, size_t size)
{
	uint8_t *p = dst;
	size_t words = size / 8, at = 0;

	for (size_t w = 0; w < words; w += 2) {
		uint64_t a, b;
		unsigned codes;

		if (at >= len)
			return 0;
		codes = in[at++];
		if (codes == 0 && w + 1 < words) {
			memset(p + w * 8, 0, 16);
			continue;
		}
		if (!decode_word(in, len, &at, codes & 15, base, &a))
			return 0;
		memcpy(p + w * 8, &a, 8);
		if (w + 1 < words) {
			if (!decode_word(in, len, &at, codes >> 4, base, &b))
				return 0;
			memcpy(p + (w + 1) * 8, &b, 8);
		} else if (codes >> 4 != 0) {
			return 0;
		}
	}
	return at;
}

bool flow_unpack(const uint8_t *in, size_t len, uint64_t base, void *dst, size_t size)
{
	size_t at = flow_unpack_prefix(in, len, base, dst, size);

	return at == len && (at != 0 || size < 8);
}
