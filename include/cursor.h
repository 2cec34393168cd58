/* cursor: bounds-checked reads from captured packet bytes.
 *
 * Every wire field is read through a cursor; a read past the end fails and
 * leaves the cursor where it was, so a malformed packet can never make the
 * decoder touch memory outside what libpcap captured. */
#ifndef FINLINT_CURSOR_H
#define FINLINT_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cursor {
	const uint8_t *p; /* first unread byte */
	size_t left;      /* bytes readable from p */
};

static inline struct cursor cursor_make(const uint8_t *p, size_t len)
{
	struct cursor c = { p, len };
	return c;
}

static inline bool cursor_skip(struct cursor *c, size_t n)
{
	if (c->left < n)
		return false;
	c->p += n;
	c->left -= n;
	return true;
}

static inline bool cursor_u8(struct cursor *c, uint8_t *v)
{
	if (c->left < 1)
		return false;
	*v = c->p[0];
	c->p++;
	c->left--;
	return true;
}

static inline bool cursor_be16(struct cursor *c, uint16_t *v)
{
	if (c->left < 2)
		return false;
	*v = (uint16_t)((uint16_t)c->p[0] << 8 | c->p[1]);
	c->p += 2;
	c->left -= 2;
	return true;
}

static inline bool cursor_be32(struct cursor *c, uint32_t *v)
{
	if (c->left < 4)
		return false;
	*v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 |
	     (uint32_t)c->p[2] << 8 | c->p[3];
	c->p += 4;
	c->left -= 4;
	return true;
}

/* Read a 32-bit field in the capturing host's byte order, either one. */
static inline bool cursor_le32(struct cursor *c, uint32_t *v)
{
	if (c->left < 4)
		return false;
	*v = (uint32_t)c->p[3] << 24 | (uint32_t)c->p[2] << 16 |
	     (uint32_t)c->p[1] << 8 | c->p[0];
	c->p += 4;
	c->left -= 4;
	return true;
}

/* Look at byte i ahead without consuming; false when it is not captured. */
static inline bool cursor_peek(const struct cursor *c, size_t i, uint8_t *v)
{
	if (c->left <= i)
		return false;
	*v = c->p[i];
	return true;
}

/* Cut the readable span to at most n bytes (e.g. to an IP length). */
static inline void cursor_limit(struct cursor *c, size_t n)
{
	if (c->left > n)
		c->left = n;
}

static inline bool cursor_bytes(struct cursor *c, void *dst, size_t n)
{
	if (c->left < n)
		return false;
	memcpy(dst, c->p, n);
	c->p += n;
	c->left -= n;
	return true;
}

#endif
