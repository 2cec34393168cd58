/* json-writer: JSON written straight into a growing buffer, for the
 * per-connection records.  Building a cJSON tree per connection cost a
 * malloc per value and a printf/scanf round trip per number; this costs a
 * few byte copies.  The output is what cJSON_PrintUnformatted prints for
 * the same values (integers, strings escaped the same way) as long as the
 * strings are UTF-8, so either can write any record given strings that
 * went through escape_utf8(). */
#ifndef FINLINT_JSON_WRITER_H
#define FINLINT_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { JW_DEPTH_MAX = 16 };

struct jw {
	char *buf;
	size_t len, cap;
	unsigned depth;
	bool first[JW_DEPTH_MAX];   /* nothing written yet at this depth */
	char closers[JW_DEPTH_MAX]; /* '}' or ']' for each open container */
};

/* Free the buffer. */
void jw_free(struct jw *w);

/* Close the innermost object or array. */
void jw_end(struct jw *w);

/* Bytes outside any value, such as the separator between two records. */
void jw_raw(struct jw *w, const char *bytes, size_t len);

/* Write the buffer to out and empty it (its memory is kept for the next record). */
void jw_flush(struct jw *w, FILE *out);

/* Write the bytes stored so far to out and keep the containers open, so
 * that a long document goes out in pieces as it is built. */
void jw_drain(struct jw *w, FILE *out);

/* The writer's own parts, for the inline functions below. */
char *jw_grow_(struct jw *w, size_t more);
char *jw_escaped_(char *p, const char *s, size_t n);
char *jw_decimal_(char *p, uint64_t v);
void jw_open_(struct jw *w, char *p, char bracket);
_Noreturn void jw_too_long_(void);

/* The separator and member name before a value, with room for value_max
 * bytes of value after them; returns where the value goes.  Values are
 * inline so that with a literal member name its length and bytes are
 * known at compile time: a few stores instead of strlen and memcpy.
 * Member names are written as they are: they must need no escaping (the
 * report's own identifiers do not). */
static inline char *jw_member_(struct jw *w, const char *key, size_t value_max)
{
	size_t key_len = key != NULL ? strlen(key) : 0;
	char *p;

	if (key_len > SIZE_MAX / 4 || value_max > SIZE_MAX / 4)
		jw_too_long_();
	/* 4: a comma, the name's quotes and colon */
	if (key_len + value_max + 4 <= w->cap - w->len)
		p = w->buf + w->len;
	else
		p = jw_grow_(w, key_len + value_max + 4);
	if (w->depth > 0) {
		if (!w->first[w->depth - 1])
			*p++ = ',';
		w->first[w->depth - 1] = false;
	}
	if (key != NULL) {
		*p++ = '"';
		memcpy(p, key, key_len);
		p += key_len;
		*p++ = '"';
		*p++ = ':';
	}
	return p;
}

/* End a value whose bytes were stored up to end. */
static inline void jw_done_(struct jw *w, const char *end)
{
	w->len = (size_t)(end - w->buf);
}

/* Values: key is the member name inside an object, NULL inside an array. */
static inline void jw_object(struct jw *w, const char *key)
{
	jw_open_(w, jw_member_(w, key, 1), '{');
}

static inline void jw_array(struct jw *w, const char *key)
{
	jw_open_(w, jw_member_(w, key, 1), '[');
}

static inline void jw_string(struct jw *w, const char *key, const char *value)
{
	size_t n = strlen(value);
	char *p;

	if (n > SIZE_MAX / 4 / 6 - 2)
		jw_too_long_();
	p = jw_member_(w, key, 6 * n + 2); /* 6: the longest escape, \u00XX */
	*p++ = '"';
	p = jw_escaped_(p, value, n);
	*p++ = '"';
	jw_done_(w, p);
}

/* A string that needs no escaping (no '"', '\\' or control characters:
 * names, times, addresses) copied without looking at each byte. */
static inline void jw_plain_n(struct jw *w, const char *key, const char *value, size_t value_len)
{
	char *p;

	if (value_len > SIZE_MAX / 4 - 2)
		jw_too_long_();
	p = jw_member_(w, key, value_len + 2);
	*p++ = '"';
	memcpy(p, value, value_len);
	p += value_len;
	*p++ = '"';
	jw_done_(w, p);
}

static inline void jw_plain(struct jw *w, const char *key, const char *value)
{
	jw_plain_n(w, key, value, strlen(value));
}

/* A plain string the caller stores in place: begin returns where its
 * at most max bytes go, end takes how many it stored. */
static inline char *jw_plain_begin(struct jw *w, const char *key, size_t max)
{
	char *p;

	if (max > SIZE_MAX / 4 - 2)
		jw_too_long_();
	p = jw_member_(w, key, max + 2);
	*p++ = '"';
	jw_done_(w, p);
	return p;
}

static inline void jw_plain_end(struct jw *w, size_t len)
{
	/* begin left room for max bytes and the closing quote */
	if (len >= w->cap - w->len)
		jw_too_long_();
	w->len += len;
	w->buf[w->len++] = '"';
}

static inline void jw_uint(struct jw *w, const char *key, uint64_t value)
{
	jw_done_(w, jw_decimal_(jw_member_(w, key, 20), value)); /* 20: UINT64_MAX */
}

static inline void jw_bool(struct jw *w, const char *key, bool value)
{
	char *p = jw_member_(w, key, 5);

	if (value) {
		memcpy(p, "true", 4);
		p += 4;
	} else {
		memcpy(p, "false", 5);
		p += 5;
	}
	jw_done_(w, p);
}

static inline void jw_null(struct jw *w, const char *key)
{
	char *p = jw_member_(w, key, 4);

	memcpy(p, "null", 4);
	jw_done_(w, p + 4);
}

#endif
