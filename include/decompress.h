/* decompress: read gzip, zstd, xz and lz4 compressed captures as if they
 * were plain, streaming (memory stays bounded whatever the file's size). */
#ifndef FINLINT_DECOMPRESS_H
#define FINLINT_DECOMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct decompress;

/* Look at raw's first bytes: for a compressed stream, return a FILE that
 * reads it decompressed and set *dz to its state; for a plain one, return
 * raw itself (rewound) with *dz NULL when raw is seekable, or a FILE that
 * gives back the bytes looked at when it is not (a pipe).  The returned
 * FILE owns raw (it is not closed when it is stdin); *dz lives until that
 * FILE is closed.  On a read error return NULL, raw closed, with the
 * reason in err. */
FILE *decompress_open(FILE *raw, bool seekable, struct decompress **dz, char *err,
		      unsigned errlen);

/* The codec's name ("gzip", "zstd", "xz", "lz4"), or NULL when the
 * stream is plain. */
const char *decompress_codec(const struct decompress *dz);

/* Why the stream failed (its FILE read failed with EIO), or NULL. */
const char *decompress_error(const struct decompress *dz);

/* Copy the stream's first n (at most 8) decompressed bytes into buf
 * without consuming them; return how many there were. */
size_t decompress_peek(struct decompress *dz, unsigned char *buf, size_t n);

#endif
