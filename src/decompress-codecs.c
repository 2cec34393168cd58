/* decompress-codecs: zlib, libzstd, liblzma and liblz4 behind one step
 * function each.  Well-kept libraries do the decoding; this file only
 * says where each stream may end and turns their errors into finlint's
 * one-line texts. */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZLIB_CONST
#include <lz4frame.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "decompress-int.h"
#include "finlint.h"

/* zstd and xz let the writer choose the window (and so the reader's
 * memory); past this a file is refused rather than allowed to take what
 * it asks.  zstd's own default limit is the same 2^27 bytes; xz -9 needs
 * 65 MiB. */
enum { WINDOW_LOG_MAX = 27 };
#define MEMORY_MAX (UINT64_C(1) << WINDOW_LOG_MAX)

static enum dz_step cut_short(const char *name, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: the compressed data ends early (a truncated file)", name);
	return DZ_ERROR;
}

static enum dz_step corrupt(const char *name, const char *why, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: corrupt compressed data (%s)", name, why);
	return DZ_ERROR;
}

/* The libraries count in unsigned int or size_t; the buffers handed in
 * are far smaller than either, but say so once. */
static unsigned clamp_uint(size_t n)
{
	return n > UINT_MAX ? UINT_MAX : (unsigned)n;
}

/* --- gzip (zlib) ------------------------------------------------------- */

struct gz {
	z_stream z;
	bool member_done; /* a member ended: another may follow (gzip -c a b) */
};

static void *gz_open(void)
{
	struct gz *g = xcalloc(1, sizeof *g);

	/* 16: a gzip header and trailer, not a bare zlib stream */
	if (inflateInit2(&g->z, 15 + 16) != Z_OK)
		fatal("out of memory starting a gzip decoder");
	return g;
}

static enum dz_step gz_step(void *state, const unsigned char **in, size_t *in_len, bool in_eof,
			    unsigned char *out, size_t *out_len, char *err, size_t errlen)
{
	struct gz *g = state;
	unsigned avail_in, avail_out;
	int r;

	if (g->member_done) {
		*out_len = 0;
		if (*in_len == 0)
			return in_eof ? DZ_END : DZ_MORE;
		/* what follows the last member must be another member: a file
		 * with bytes of something else after it is not what it says */
		if ((*in)[0] != 0x1f)
			return corrupt("gzip", "data after the end of the compressed stream", err,
				       errlen);
		if (inflateReset(&g->z) != Z_OK)
			fatal("gzip decoder reset failed");
		g->member_done = false;
	}
	avail_in = clamp_uint(*in_len);
	avail_out = clamp_uint(*out_len);
	g->z.next_in = *in;
	g->z.avail_in = avail_in;
	g->z.next_out = out;
	g->z.avail_out = avail_out;
	r = inflate(&g->z, Z_NO_FLUSH);
	*in += avail_in - g->z.avail_in;
	*in_len -= avail_in - g->z.avail_in;
	*out_len = avail_out - g->z.avail_out;
	switch (r) {
	case Z_STREAM_END:
		g->member_done = true;
		return DZ_MORE;
	case Z_OK:
	case Z_BUF_ERROR: /* no progress was possible: more input is needed */
		if (in_eof && *in_len == 0 && *out_len == 0)
			return cut_short("gzip", err, errlen);
		return DZ_MORE;
	case Z_MEM_ERROR:
		fatal("out of memory in the gzip decoder");
	default: /* Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR */
		return corrupt("gzip", g->z.msg != NULL ? g->z.msg : "inflate failed", err, errlen);
	}
}

static void gz_close(void *state)
{
	struct gz *g = state;

	inflateEnd(&g->z);
	free(g);
}

/* zstd and lz4 say how much input the next step wants, 0 once a frame
 * has ended whole: at the end of the input that tells a file that ends
 * between frames from one cut inside a frame. */
static enum dz_step frame_step_end(const char *name, size_t hint, bool in_eof, size_t in_len,
				   size_t produced, char *err, size_t errlen)
{
	if (!in_eof || in_len > 0 || produced > 0)
		return DZ_MORE;
	return hint == 0 ? DZ_END : cut_short(name, err, errlen);
}

/* --- zstd -------------------------------------------------------------- */

struct zs {
	ZSTD_DCtx *d;
	size_t hint; /* 0: the last frame was decoded and flushed whole */
};

static void *zs_open(void)
{
	struct zs *z = xcalloc(1, sizeof *z);

	z->d = ZSTD_createDCtx();
	if (z->d == NULL)
		fatal("out of memory starting a zstd decoder");
	if (ZSTD_isError(ZSTD_DCtx_setParameter(z->d, ZSTD_d_windowLogMax, WINDOW_LOG_MAX)))
		fatal("zstd refused its window limit");
	z->hint = 1;
	return z;
}

static enum dz_step zs_step(void *state, const unsigned char **in, size_t *in_len, bool in_eof,
			    unsigned char *out, size_t *out_len, char *err, size_t errlen)
{
	struct zs *z = state;
	ZSTD_inBuffer ib = { *in, *in_len, 0 };
	ZSTD_outBuffer ob = { out, *out_len, 0 };
	size_t r;

	if (in_eof && *in_len == 0 && z->hint == 0) {
		*out_len = 0;
		return DZ_END;
	}
	r = ZSTD_decompressStream(z->d, &ob, &ib);
	*in += ib.pos;
	*in_len -= ib.pos;
	*out_len = ob.pos;
	if (ZSTD_isError(r)) {
		if (ZSTD_getErrorCode(r) == ZSTD_error_frameParameter_windowTooLarge) {
			snprintf(err, errlen, "zstd: the stream needs a window over %u MiB",
				 (1u << WINDOW_LOG_MAX) >> 20);
			return DZ_ERROR;
		}
		return corrupt("zstd", ZSTD_getErrorName(r), err, errlen);
	}
	z->hint = r;
	return frame_step_end("zstd", r, in_eof, *in_len, ob.pos, err, errlen);
}

static void zs_close(void *state)
{
	struct zs *z = state;

	ZSTD_freeDCtx(z->d);
	free(z);
}

/* --- xz (liblzma) ------------------------------------------------------ */

static void *xz_open(void)
{
	lzma_stream init = LZMA_STREAM_INIT;
	lzma_stream *s = xmalloc(sizeof *s);

	*s = init;
	/* concatenated: xz -c a b, as xz -d reads it */
	if (lzma_stream_decoder(s, MEMORY_MAX, LZMA_CONCATENATED) != LZMA_OK)
		fatal("out of memory starting an xz decoder");
	return s;
}

static enum dz_step xz_step(void *state, const unsigned char **in, size_t *in_len, bool in_eof,
			    unsigned char *out, size_t *out_len, char *err, size_t errlen)
{
	lzma_stream *s = state;
	size_t want = *out_len;
	lzma_ret r;

	s->next_in = *in;
	s->avail_in = *in_len;
	s->next_out = out;
	s->avail_out = want;
	r = lzma_code(s, in_eof ? LZMA_FINISH : LZMA_RUN);
	*in = s->next_in;
	*in_len = s->avail_in;
	*out_len = want - s->avail_out;
	switch (r) {
	case LZMA_STREAM_END:
		return DZ_END;
	case LZMA_OK:
	case LZMA_BUF_ERROR: /* no progress possible: needs input, or cut short */
		if (in_eof && *in_len == 0 && *out_len == 0)
			return cut_short("xz", err, errlen);
		return DZ_MORE;
	case LZMA_MEMLIMIT_ERROR:
		snprintf(err, errlen, "xz: the stream needs over %u MiB of memory to decompress",
			 (unsigned)(MEMORY_MAX >> 20));
		return DZ_ERROR;
	case LZMA_MEM_ERROR:
		fatal("out of memory in the xz decoder");
	case LZMA_FORMAT_ERROR:
		return corrupt("xz", "not an xz stream", err, errlen);
	case LZMA_OPTIONS_ERROR:
		return corrupt("xz", "unsupported options", err, errlen);
	default: /* LZMA_DATA_ERROR, LZMA_PROG_ERROR */
		return corrupt("xz", "bad data or checksum", err, errlen);
	}
}

static void xz_close(void *state)
{
	lzma_end(state);
	free(state);
}

/* --- lz4 (frame format) ------------------------------------------------ */

struct l4 {
	LZ4F_dctx *d;
	size_t hint; /* 0: the last frame ended whole */
};

static void *l4_open(void)
{
	struct l4 *l = xcalloc(1, sizeof *l);

	if (LZ4F_isError(LZ4F_createDecompressionContext(&l->d, LZ4F_VERSION)))
		fatal("out of memory starting an lz4 decoder");
	l->hint = 1;
	return l;
}

static enum dz_step l4_step(void *state, const unsigned char **in, size_t *in_len, bool in_eof,
			    unsigned char *out, size_t *out_len, char *err, size_t errlen)
{
	struct l4 *l = state;
	size_t src = *in_len, dst = *out_len;
	size_t r;

	/* called again past a frame's end it would wait for the next one */
	if (in_eof && *in_len == 0 && l->hint == 0) {
		*out_len = 0;
		return DZ_END;
	}
	r = LZ4F_decompress(l->d, out, &dst, *in, &src, NULL);
	*in += src;
	*in_len -= src;
	*out_len = dst;
	if (LZ4F_isError(r))
		return corrupt("lz4", LZ4F_getErrorName(r), err, errlen);
	l->hint = r;
	return frame_step_end("lz4", r, in_eof, *in_len, dst, err, errlen);
}

static void l4_close(void *state)
{
	struct l4 *l = state;

	LZ4F_freeDecompressionContext(l->d);
	free(l);
}

/* --- plain: the bytes as they are ------------------------------------- */

static void *plain_open(void)
{
	return NULL;
}

static enum dz_step plain_step(void *state, const unsigned char **in, size_t *in_len,
			       bool in_eof, unsigned char *out, size_t *out_len, char *err,
			       size_t errlen)
{
	size_t n = *in_len < *out_len ? *in_len : *out_len;

	(void)state;
	(void)err;
	(void)errlen;
	memcpy(out, *in, n);
	*in += n;
	*in_len -= n;
	*out_len = n;
	return in_eof && *in_len == 0 && n == 0 ? DZ_END : DZ_MORE;
}

static void plain_close(void *state)
{
	(void)state;
}

/* Magic numbers from each format's specification: RFC 1952 (gzip, with
 * deflate, the only method it defines), RFC 8878 (zstd), the .xz file
 * format 1.1.0 and the LZ4 frame format 1.6. */
const struct dz_codec dz_codecs[] = {
	{ "gzip", { 0x1f, 0x8b, 0x08 }, 3, gz_open, gz_step, gz_close },
	{ "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4, zs_open, zs_step, zs_close },
	{ "xz", { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00 }, 6, xz_open, xz_step, xz_close },
	{ "lz4", { 0x04, 0x22, 0x4d, 0x18 }, 4, l4_open, l4_step, l4_close },
};
const size_t dz_codec_count = sizeof dz_codecs / sizeof dz_codecs[0];
const struct dz_codec dz_plain = { NULL, { 0 }, 0, plain_open, plain_step, plain_close };
