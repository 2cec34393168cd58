/* json-writer: see include/json-writer.h.
 *
 * Each value makes room once for all it may write (separator, name and
 * the longest form of the value) and then stores its bytes without
 * further checks: a record is a few hundred small values, so per-byte
 * checks and calls were most of its cost. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "finlint.h"
#include "json-writer.h"

/* The buffer with room for more bytes after w->len, when it had less;
 * returns where they go. */
char *jw_grow_(struct jw *w, size_t more)
{
	size_t cap = w->cap != 0 ? w->cap : 4096;

	if (more > SIZE_MAX / 2 - w->len)
		jw_too_long_();
	while (cap < w->len + more)
		cap *= 2;
	w->buf = xrealloc(w->buf, cap, 1);
	w->cap = cap;
	return w->buf + w->len;
}

_Noreturn void jw_too_long_(void)
{
	fatal("JSON record too large");
}

/* Store s escaped as cJSON does: the two JSON specials and the control
 * characters; UTF-8 sequences as they are, and (unlike cJSON) each byte
 * that is not part of one as U+FFFD, so that the document is valid UTF-8
 * whatever bytes a file name holds.  p has room for 6 bytes per byte of
 * s. */
char *jw_escaped_(char *p, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 32 && c < 0x80 && c != '"' && c != '\\') {
			*p++ = (char)c;
			continue;
		}
		if (c >= 0x80) {
			size_t len = escape_utf8_len((const unsigned char *)s + i, n - i);

			if (len == 0) {
				memcpy(p, "\xef\xbf\xbd", 3);
				p += 3;
			} else {
				memcpy(p, s + i, len);
				p += len;
				i += len - 1;
			}
			continue;
		}
		*p++ = '\\';
		switch (c) {
		case '"': *p++ = '"'; break;
		case '\\': *p++ = '\\'; break;
		case '\b': *p++ = 'b'; break;
		case '\f': *p++ = 'f'; break;
		case '\n': *p++ = 'n'; break;
		case '\r': *p++ = 'r'; break;
		case '\t': *p++ = 't'; break;
		default:
			memcpy(p, "u00", 3);
			p[3] = hex[c >> 4];
			p[4] = hex[c & 15];
			p += 5;
			break;
		}
	}
	return p;
}

/* How many decimal digits v has. */
static unsigned decimal_len(uint64_t v)
{
	unsigned n = 1;

	for (uint64_t limit = 10; n < 20 && v >= limit; limit *= 10)
		n++;
	return n;
}

/* Store v in decimal at p, which has room for 20 bytes; returns the end. */
char *jw_decimal_(char *p, uint64_t v)
{
	/* stored right where they go, last digits first: digits stored a
	 * pair at a time and then copied were read back before the stores
	 * had landed, which stalls the CPU */
	unsigned n = decimal_len(v);
	char *end = p + n;

	while (v >= 100) {
		n -= 2;
		memcpy(p + n, finlint_digit_pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10)
		memcpy(p, finlint_digit_pairs + 2 * v, 2);
	else
		p[0] = (char)('0' + v);
	return end;
}

/* Open an object or array at p, where its member name ends. */
void jw_open_(struct jw *w, char *p, char bracket)
{
	if (w->depth >= JW_DEPTH_MAX)
		fatal("JSON nested deeper than %d", JW_DEPTH_MAX);
	*p++ = bracket;
	jw_done_(w, p);
	w->closers[w->depth] = bracket == '{' ? '}' : ']';
	w->first[w->depth++] = true;
}

void jw_free(struct jw *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
}

void jw_end(struct jw *w)
{
	if (w->depth == 0)
		fatal("JSON writer: end without a start");
	if (w->len == w->cap)
		jw_grow_(w, 1);
	w->depth--;
	w->buf[w->len++] = w->closers[w->depth];
}

void jw_raw(struct jw *w, const char *bytes, size_t len)
{
	char *p = len <= w->cap - w->len ? w->buf + w->len : jw_grow_(w, len);

	memcpy(p, bytes, len);
	jw_done_(w, p + len);
}

void jw_flush(struct jw *w, FILE *out)
{
	fwrite(w->buf, 1, w->len, out);
	w->len = 0;
	w->depth = 0;
}

void jw_drain(struct jw *w, FILE *out)
{
	fwrite(w->buf, 1, w->len, out);
	w->len = 0;
}
