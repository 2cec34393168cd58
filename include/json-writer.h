/* json-writer: JSON written straight into a growing buffer, for the
 * per-connection records.  Building a cJSON tree per connection cost a
 * malloc per value and a printf/scanf round trip per number; this costs a
 * few byte copies.  The output is what cJSON_PrintUnformatted prints for
 * the same values (integers, strings escaped the same way), so either can
 * write any record. */
#ifndef FINLINT_JSON_WRITER_H
#define FINLINT_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { JW_DEPTH_MAX = 16 };

struct jw {
	char *buf;
	size_t len, cap;
	unsigned depth;
	bool first[JW_DEPTH_MAX];   /* nothing written yet at this depth */
	char closers[JW_DEPTH_MAX]; /* '}' or ']' for each open container */
};

/* Start an empty document (the buffer is kept between documents). */
void jw_reset(struct jw *w);

/* Free the buffer. */
void jw_free(struct jw *w);

/* Values: key is the member name inside an object, NULL inside an array.
 * Member names are written as they are: they must need no escaping (the
 * report's own identifiers do not). */
void jw_object(struct jw *w, const char *key);
void jw_array(struct jw *w, const char *key);
void jw_end(struct jw *w); /* closes the innermost object or array */
void jw_string(struct jw *w, const char *key, const char *value);
void jw_uint(struct jw *w, const char *key, uint64_t value);
void jw_bool(struct jw *w, const char *key, bool value);
void jw_null(struct jw *w, const char *key);

/* Write the buffer to out, then reset. */
void jw_flush(struct jw *w, FILE *out);

#endif
