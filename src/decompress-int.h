/* decompress-int: what a codec adapter (src/decompress-codecs.c) offers
 * the stream machinery (src/decompress.c). */
#ifndef FINLINT_DECOMPRESS_INT_H
#define FINLINT_DECOMPRESS_INT_H

#include <stdbool.h>
#include <stddef.h>

enum dz_step {
	DZ_MORE,  /* call again (with more input once *in_len is 0) */
	DZ_END,   /* the input ended where a stream may end */
	DZ_ERROR, /* err holds why */
};

/* One step of decompression: consume from *in (advancing it and
 * lowering *in_len), write at most *out_len bytes to out and set *out_len
 * to how many were written.  in_eof says no input follows *in.  A step
 * with in_eof and nothing left in *in must write something or return
 * DZ_END or DZ_ERROR, so that a stream cut short cannot loop. */
typedef enum dz_step dz_step_fn(void *state, const unsigned char **in, size_t *in_len,
				bool in_eof, unsigned char *out, size_t *out_len, char *err,
				size_t errlen);

struct dz_codec {
	const char *name;
	unsigned char magic[6];
	size_t magic_len;
	void *(*open)(void); /* the library's state; dies when out of memory */
	dz_step_fn *step;
	void (*close)(void *state);
};

/* The compressed formats, and the plain pass-through used for a pipe
 * whose first bytes were read to look for a magic number. */
extern const struct dz_codec dz_codecs[];
extern const size_t dz_codec_count;
extern const struct dz_codec dz_plain;

#endif
