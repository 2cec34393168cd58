/* escape: text that did not come from finlint (file names, error texts
 * quoting them, command-line values) made safe to show.  A file name may
 * hold any byte but '/' and NUL: a newline in one would forge a line of a
 * report or a diagnostic, an escape sequence would reach the terminal, and
 * bytes that are not UTF-8 make a JSON document unreadable. */
#ifndef FINLINT_ESCAPE_H
#define FINLINT_ESCAPE_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

/* The length of the UTF-8 sequence (RFC 3629: shortest form, no
 * surrogates, at most U+10FFFF) that starts s, of at most n bytes; 0 when
 * the bytes there are not one. */
size_t escape_utf8_len(const unsigned char *s, size_t n);

/* s for a terminal or a text file: control characters, DEL, the C1
 * controls and bytes that are not UTF-8 written as \t, \n, \r or \xHH;
 * everything else, UTF-8 text in any script included, as it is.  The
 * caller frees the result. */
char *escape_text(const char *s);

/* s as valid UTF-8: each byte that does not belong to a UTF-8 sequence
 * replaced by U+FFFD, everything else as it is.  The caller frees it. */
char *escape_utf8(const char *s);

/* s for HTML or XML text and attribute values alike: first as
 * escape_text makes it (XML 1.0 allows no control character, not even as
 * a reference, and a terminal-safe form reads the same everywhere), then
 * &, <, >, " and ' as character references.  The caller frees it. */
char *escape_markup(const char *s);

/* Write s to out as escape_markup makes it; NULL as "?". */
void escape_markup_put(FILE *out, const char *s);

/* Print "finlint: PATH: message" on stderr, path and message both through
 * escape_text, as one line. */
void escape_diag(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Write bytes (a payload excerpt) as printable text for a message or
 * report: printable ASCII as is, quotes and backslashes escaped, anything
 * else as \xNN; the output is cut (never mid-escape) to fit size,
 * NUL-terminated. */
void escape_bytes(const uint8_t *bytes, unsigned n, char *out, unsigned size);

#endif
