/* decompress: a compressed capture as a FILE (glibc's fopencookie), so
 * that libpcap reads it as it reads any other; the format is told by its
 * magic number, never by the file's name. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decompress-int.h"
#include "decompress.h"
#include "finlint.h"

/* Compressed bytes are read this many at a time; with the decoder's
 * window and stdio's buffer this is all the memory a stream takes,
 * however much it decompresses to. */
enum { DZ_INPUT = 1 << 17, DZ_SNIFF = 6, DZ_PEEK = 8 };

struct decompress {
	const struct dz_codec *codec;
	void *state;
	FILE *raw;
	int fd; /* raw's descriptor when raw is a pipe, else -1 */
	unsigned char *in;
	const unsigned char *next; /* unconsumed input */
	size_t avail;
	bool in_eof, ended, failed;
	unsigned char peek[DZ_PEEK]; /* decompressed, not yet read */
	size_t peek_len, peek_off;
	char error[192];
};

/* Read up to n bytes of raw.  A pipe is read with read(2), which returns
 * what has arrived: a capture written live (tcpdump -U -w - | finlint -)
 * is analysed as it comes rather than a buffer at a time. */
static ssize_t raw_read(FILE *raw, int fd, unsigned char *buf, size_t n)
{
	if (fd < 0) {
		size_t got = fread(buf, 1, n, raw);

		return got == 0 && ferror(raw) ? -1 : (ssize_t)got;
	}
	for (;;) {
		ssize_t got = read(fd, buf, n);

		if (got >= 0 || errno != EINTR)
			return got;
	}
}

static bool refill(struct decompress *dz)
{
	ssize_t got = raw_read(dz->raw, dz->fd, dz->in, DZ_INPUT);

	if (got < 0) {
		snprintf(dz->error, sizeof dz->error, "read error: %s", strerror(errno));
		dz->failed = true;
		return false;
	}
	dz->in_eof = got == 0;
	dz->next = dz->in;
	dz->avail = (size_t)got;
	return true;
}

/* Decompress into out (n > 0 bytes); return how many bytes were written,
 * 0 only once the stream has ended or failed. */
static size_t pump(struct decompress *dz, unsigned char *out, size_t n)
{
	while (!dz->ended && !dz->failed) {
		const unsigned char *before;
		size_t got = n;
		enum dz_step r;

		if (dz->avail == 0 && !dz->in_eof && !refill(dz))
			break;
		before = dz->next;
		r = dz->codec->step(dz->state, &dz->next, &dz->avail, dz->in_eof, out, &got,
				    dz->error, sizeof dz->error);
		if (r == DZ_ERROR)
			dz->failed = true;
		else if (r == DZ_END)
			dz->ended = true;
		else if (got == 0 && dz->next == before && dz->avail > 0) {
			/* a decoder that neither reads nor writes would spin */
			snprintf(dz->error, sizeof dz->error, "%s: the decoder stopped",
				 dz->codec->name != NULL ? dz->codec->name : "input");
			dz->failed = true;
		}
		if (got > 0)
			return got;
	}
	return 0;
}

static ssize_t dz_read(void *cookie, char *buf, size_t size)
{
	struct decompress *dz = cookie;
	size_t done = 0;

	if (size == 0)
		return 0;
	if (dz->peek_off < dz->peek_len) {
		done = dz->peek_len - dz->peek_off;
		if (done > size)
			done = size;
		memcpy(buf, dz->peek + dz->peek_off, done);
		dz->peek_off += done;
		return (ssize_t)done;
	}
	done = pump(dz, (unsigned char *)buf, size);
	/* the bytes before a failure were handed out on the calls before:
	 * the packets they hold are analysed, then the error is reported */
	if (done == 0 && dz->failed) {
		errno = EIO;
		return -1;
	}
	return (ssize_t)done;
}

static int dz_close(void *cookie)
{
	struct decompress *dz = cookie;
	int r = 0;

	dz->codec->close(dz->state);
	if (dz->raw != stdin)
		r = fclose(dz->raw);
	free(dz->in);
	free(dz);
	return r;
}

static const struct dz_codec *sniff(const unsigned char *head, size_t n)
{
	for (size_t i = 0; i < dz_codec_count; i++)
		if (n >= dz_codecs[i].magic_len &&
		    memcmp(head, dz_codecs[i].magic, dz_codecs[i].magic_len) == 0)
			return &dz_codecs[i];
	return NULL;
}

static void close_raw(FILE *raw)
{
	if (raw != stdin)
		fclose(raw);
}

FILE *decompress_open(FILE *raw, bool seekable, struct decompress **dzp, char *err,
		      unsigned errlen)
{
	static const cookie_io_functions_t io = { .read = dz_read, .close = dz_close };
	unsigned char head[DZ_SNIFF];
	int fd = seekable ? -1 : fileno(raw);
	const struct dz_codec *codec;
	struct decompress *dz;
	size_t n = 0;
	FILE *f;

	*dzp = NULL;
	while (n < sizeof head) {
		ssize_t got = raw_read(raw, fd, head + n, sizeof head - n);

		if (got < 0) {
			snprintf(err, errlen, "%s", strerror(errno));
			close_raw(raw);
			return NULL;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	codec = sniff(head, n);
	if (codec == NULL && seekable) {
		if (fseek(raw, 0, SEEK_SET) == 0)
			return raw;
		snprintf(err, errlen, "%s", strerror(errno));
		close_raw(raw);
		return NULL;
	}
	dz = xcalloc(1, sizeof *dz);
	dz->codec = codec != NULL ? codec : &dz_plain;
	dz->state = dz->codec->open();
	dz->raw = raw;
	dz->fd = fd;
	dz->in = xmalloc(DZ_INPUT);
	memcpy(dz->in, head, n); /* the bytes looked at are the stream's first */
	dz->next = dz->in;
	dz->avail = n;
	f = fopencookie(dz, "rb", io);
	if (f == NULL)
		fatal("out of memory opening a decompressed stream");
	*dzp = dz;
	return f;
}

const char *decompress_codec(const struct decompress *dz)
{
	return dz != NULL ? dz->codec->name : NULL;
}

const char *decompress_error(const struct decompress *dz)
{
	return dz != NULL && dz->failed ? dz->error : NULL;
}

size_t decompress_peek(struct decompress *dz, unsigned char *buf, size_t n)
{
	if (n > DZ_PEEK)
		n = DZ_PEEK;
	while (dz->peek_off == 0 && dz->peek_len < n) {
		size_t got = pump(dz, dz->peek + dz->peek_len, n - dz->peek_len);

		if (got == 0)
			break;
		dz->peek_len += got;
	}
	n = n < dz->peek_len - dz->peek_off ? n : dz->peek_len - dz->peek_off;
	memcpy(buf, dz->peek + dz->peek_off, n);
	return n;
}
