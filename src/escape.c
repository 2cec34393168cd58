/* escape: see include/escape.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "finlint.h"

size_t escape_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c < 0xc2)
		return 0; /* a continuation byte, or an overlong 2-byte form */
	if (c < 0xe0)
		len = 2;
	else if (c < 0xf0)
		len = 3;
	else if (c < 0xf5)
		len = 4;
	else
		return 0;
	/* the second byte's range rules out overlong forms, surrogates and
	 * code points past U+10FFFF */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

static char *hex_byte(char *p, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	*p++ = '\\';
	*p++ = 'x';
	*p++ = hex[c >> 4];
	*p++ = hex[c & 15];
	return p;
}

char *escape_text(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s);
	char *out = xmalloc(4 * n + 1), *p = out; /* 4: \xHH */

	for (size_t i = 0; i < n;) {
		unsigned char c = u[i];
		size_t len = escape_utf8_len(u + i, n - i);

		if (c == '\n' || c == '\t' || c == '\r') {
			*p++ = '\\';
			*p++ = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
			i++;
		} else if (c < 0x20 || c == 0x7f || len == 0) {
			p = hex_byte(p, c);
			i++;
		} else if (c == 0xc2 && u[i + 1] < 0xa0) {
			/* U+0080 to U+009F: some terminals take U+009B as CSI */
			p = hex_byte(p, c);
			p = hex_byte(p, u[i + 1]);
			i += 2;
		} else {
			memcpy(p, u + i, len);
			p += len;
			i += len;
		}
	}
	*p = '\0';
	return out;
}

char *escape_utf8(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s);
	char *out = xmalloc(3 * n + 1), *p = out; /* 3: U+FFFD */

	for (size_t i = 0; i < n;) {
		size_t len = escape_utf8_len(u + i, n - i);

		if (len == 0) {
			memcpy(p, "\xef\xbf\xbd", 3);
			p += 3;
			i++;
		} else {
			memcpy(p, u + i, len);
			p += len;
			i += len;
		}
	}
	*p = '\0';
	return out;
}

char *escape_markup(const char *s)
{
	char *t = escape_text(s);
	size_t n = strlen(t);
	char *out = xmalloc(6 * n + 1), *p = out; /* 6: &quot; */

	for (size_t i = 0; i < n; i++) {
		const char *ref = NULL;

		switch (t[i]) {
		case '&':
			ref = "&amp;";
			break;
		case '<':
			ref = "&lt;";
			break;
		case '>':
			ref = "&gt;";
			break;
		case '"':
			ref = "&quot;";
			break;
		case '\'':
			ref = "&#39;";
			break;
		}
		if (ref != NULL) {
			size_t len = strlen(ref);

			memcpy(p, ref, len);
			p += len;
		} else if ((unsigned char)t[i] == 0xef && i + 2 < n && (unsigned char)t[i + 1] == 0xbf &&
			   ((unsigned char)t[i + 2] & 0xfe) == 0xbe) {
			/* U+FFFE and U+FFFF are UTF-8 but no XML character,
			 * not even as a reference (XML 1.0 2.2) */
			p += sprintf(p, "\\xef\\xbf\\x%02x", (unsigned char)t[i + 2]);
			i += 2;
		} else {
			*p++ = t[i];
		}
	}
	*p = '\0';
	free(t);
	return out;
}

void escape_markup_put(FILE *out, const char *s)
{
	char *e = escape_markup(s != NULL ? s : "?");

	fputs(e, out);
	free(e);
}

void escape_diag(const char *path, const char *fmt, ...)
{
	char msg[1024];
	char *p = escape_text(path), *m;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	m = escape_text(msg);
	fprintf(stderr, "finlint: %s: %s\n", p, m);
	free(p);
	free(m);
}

void escape_bytes(const uint8_t *bytes, unsigned n, char *out, unsigned size)
{
	unsigned o = 0;

	if (size == 0)
		return;
	for (unsigned i = 0; i < n; i++) {
		char piece[5];
		unsigned len;

		if (bytes[i] == '\'' || bytes[i] == '\\') {
			piece[0] = '\\';
			piece[1] = (char)bytes[i];
			len = 2;
		} else if (bytes[i] >= 0x20 && bytes[i] < 0x7f) {
			piece[0] = (char)bytes[i];
			len = 1;
		} else {
			snprintf(piece, sizeof piece, "\\x%02x", bytes[i]);
			len = 4;
		}
		if (o + len >= size)
			break;
		memcpy(out + o, piece, len);
		o += len;
	}
	out[o] = '\0';
}
