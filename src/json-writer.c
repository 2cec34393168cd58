/* json-writer: see include/json-writer.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "finlint.h"
#include "json-writer.h"

static void reserve(struct jw *w, size_t more)
{
	size_t cap = w->cap != 0 ? w->cap : 4096;

	if (w->len + more <= w->cap)
		return;
	while (cap < w->len + more)
		cap *= 2;
	w->buf = xrealloc(w->buf, cap, 1);
	w->cap = cap;
}

static void put(struct jw *w, const char *s, size_t n)
{
	reserve(w, n);
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void putc_(struct jw *w, char c)
{
	reserve(w, 1);
	w->buf[w->len++] = c;
}

/* Quote and escape as cJSON does: the two JSON specials and the control
 * characters; every other byte as it is. */
static void quoted(struct jw *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0;

	putc_(w, '"');
	for (; p[run] != '\0'; run++) {
		unsigned char c = p[run];
		char esc[6];
		size_t n = 2;

		if (c >= 32 && c != '"' && c != '\\')
			continue;
		put(w, (const char *)p, run);
		p += run + 1;
		run = (size_t)-1; /* the loop's ++ makes it 0 */
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
			break;
		}
		put(w, esc, n);
	}
	put(w, (const char *)p, run);
	putc_(w, '"');
}

/* The separator and member name before a value. */
static void member(struct jw *w, const char *key)
{
	if (w->depth > 0) {
		if (!w->first[w->depth - 1])
			putc_(w, ',');
		w->first[w->depth - 1] = false;
	}
	if (key != NULL) {
		/* member names are the report's own identifiers: nothing to
		 * escape, so copy them without scanning */
		size_t n = strlen(key);

		reserve(w, n + 3);
		w->buf[w->len++] = '"';
		memcpy(w->buf + w->len, key, n);
		w->len += n;
		w->buf[w->len++] = '"';
		w->buf[w->len++] = ':';
	}
}

static void open_(struct jw *w, const char *key, char bracket)
{
	member(w, key);
	putc_(w, bracket);
	if (w->depth >= JW_DEPTH_MAX)
		fatal("JSON nested deeper than %d", JW_DEPTH_MAX);
	w->closers[w->depth] = bracket == '{' ? '}' : ']';
	w->first[w->depth++] = true;
}

void jw_reset(struct jw *w)
{
	w->len = 0;
	w->depth = 0;
}

void jw_free(struct jw *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
}

void jw_object(struct jw *w, const char *key)
{
	open_(w, key, '{');
}

void jw_array(struct jw *w, const char *key)
{
	open_(w, key, '[');
}

void jw_end(struct jw *w)
{
	if (w->depth == 0)
		fatal("JSON writer: end without a start");
	w->depth--;
	putc_(w, w->closers[w->depth]);
}

void jw_string(struct jw *w, const char *key, const char *value)
{
	member(w, key);
	quoted(w, value);
}

void jw_uint(struct jw *w, const char *key, uint64_t value)
{
	char digits[20];
	unsigned n = 0;

	member(w, key);
	do {
		digits[n++] = (char)('0' + value % 10);
		value /= 10;
	} while (value != 0);
	reserve(w, n);
	while (n > 0)
		w->buf[w->len++] = digits[--n];
}

void jw_bool(struct jw *w, const char *key, bool value)
{
	member(w, key);
	if (value)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void jw_null(struct jw *w, const char *key)
{
	member(w, key);
	put(w, "null", 4);
}

void jw_flush(struct jw *w, FILE *out)
{
	fwrite(w->buf, 1, w->len, out);
	jw_reset(w);
}
