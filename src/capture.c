/* capture: libpcap behind a small interface, with finlint's error texts. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pcap/pcap.h>

#include "capture.h"
#include "decompress.h"
#include "finlint.h"

/* Reading whole megabytes at a time keeps the syscall count low on
 * multi-gigabyte files. */
enum { CAPTURE_BUFFER = 1 << 20 };

struct capture {
	pcap_t *pcap;
	char *buffer; /* stdio buffer of the FILE libpcap reads */
	uint64_t count;
	uint64_t filtered; /* frames the BPF filter left out */
	bool nanosecond;
	bool seconds_u32; /* a classic pcap: see capture_next() */
	bool has_filter;
	struct decompress *dz; /* the stream's decoder, NULL for a plain file */
	struct bpf_program filter;
	char error[PCAP_ERRBUF_SIZE + 64];
};

/* pcap magic numbers written with nanosecond timestamps, both orders. */
static bool magic_is_nano(const unsigned char m[4])
{
	return (m[0] == 0xa1 && m[1] == 0xb2 && m[2] == 0x3c && m[3] == 0x4d) ||
	       (m[0] == 0x4d && m[1] == 0x3c && m[2] == 0xb2 && m[3] == 0xa1);
}

/* pcapng files have a per-interface resolution; libpcap scales them to
 * what we ask for, so only a classic pcap's magic tells us the unit. */
static bool peek_nanosecond(FILE *f)
{
	unsigned char m[4];
	bool nano;

	if (fread(m, 1, 4, f) != 4) {
		rewind(f);
		return false;
	}
	nano = magic_is_nano(m);
	rewind(f);
	return nano;
}

/* " in the gzip data" and the like, after what was not found in it. */
static const char *inside(const struct capture *cap, char *buf, size_t len)
{
	const char *codec = decompress_codec(cap->dz);

	if (codec == NULL)
		return "";
	snprintf(buf, len, " inside the %s data", codec);
	return buf;
}

/* Wrap f, which the capture owns from now on, even on failure. */
static struct capture *open_stream(FILE *f, bool seekable, char *err, unsigned errlen)
{
	char pcap_err[PCAP_ERRBUF_SIZE], where[32];
	struct decompress *dz;
	struct capture *cap;
	unsigned char m[4];

	f = decompress_open(f, seekable, &dz, err, errlen);
	if (f == NULL)
		return NULL;
	cap = xcalloc(1, sizeof *cap);
	cap->dz = dz;
	cap->buffer = xmalloc(CAPTURE_BUFFER);
	setvbuf(f, cap->buffer, _IOFBF, CAPTURE_BUFFER);
	/* a decompressed stream or a pipe cannot be rewound, but its decoder
	 * can show its first bytes before libpcap reads them */
	if (dz != NULL)
		cap->nanosecond = decompress_peek(dz, m, sizeof m) == sizeof m && magic_is_nano(m);
	else if (seekable)
		cap->nanosecond = peek_nanosecond(f);

	pcap_err[0] = '\0';
	cap->pcap = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO,
								pcap_err);
	if (cap->pcap == NULL) {
		if (decompress_error(dz) != NULL)
			snprintf(err, errlen, "cannot read capture: %s", decompress_error(dz));
		else if (strstr(pcap_err, "unknown file format") != NULL)
			snprintf(err, errlen, "not a pcap or pcapng capture%s (%s)",
				 inside(cap, where, sizeof where), pcap_err);
		else if (strstr(pcap_err, "truncated dump file") != NULL ||
			 pcap_err[0] == '\0')
			snprintf(err, errlen, "not a capture%s: the file is empty or shorter than "
					      "a capture header (%s)", inside(cap, where, sizeof where),
				 pcap_err);
		else
			snprintf(err, errlen, "cannot read capture: %s", pcap_err);
		fclose(f);
		free(cap->buffer);
		free(cap);
		return NULL;
	}
	/* pcapng reports its own major version, 1; a classic pcap says 2.
	 * This needs no look at the magic number. */
	cap->seconds_u32 = pcap_major_version(cap->pcap) == PCAP_VERSION_MAJOR;
	return cap;
}

struct capture *capture_open(const char *path, char *err, unsigned errlen)
{
	struct stat st;
	FILE *f;

	if (strcmp(path, "-") == 0)
		return open_stream(stdin, false, err, errlen);
	f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) != 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		fclose(f);
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "is a directory");
		fclose(f);
		return NULL;
	}
	return open_stream(f, S_ISREG(st.st_mode), err, errlen);
}

struct capture *capture_open_stream(FILE *f, char *err, unsigned errlen)
{
	return open_stream(f, true, err, errlen);
}

bool capture_check_filter(const char *expr, char *err, unsigned errlen)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	struct bpf_program prog;
	bool ok;

	if (p == NULL)
		fatal("out of memory compiling a filter");
	ok = pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) == 0;
	if (ok)
		pcap_freecode(&prog);
	else
		snprintf(err, errlen, "bad filter '%s': %s", expr, pcap_geterr(p));
	pcap_close(p);
	return ok;
}

bool capture_set_filter(struct capture *cap, const char *expr, char *err, unsigned errlen)
{
	if (pcap_compile(cap->pcap, &cap->filter, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(err, errlen, "bad filter '%s': %s", expr, pcap_geterr(cap->pcap));
		return false;
	}
	cap->has_filter = true;
	return true;
}

uint64_t capture_frames(const struct capture *cap)
{
	return cap->count;
}

uint64_t capture_filtered(const struct capture *cap)
{
	return cap->filtered;
}

enum capture_status capture_next(struct capture *cap, struct capture_frame *frame)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	int r;

	/* The filter runs here, not in libpcap, so that frames it drops
	 * still count: packet numbers stay positions in the file. */
	while ((r = pcap_next_ex(cap->pcap, &hdr, &data)) == 1 && cap->has_filter &&
	       pcap_offline_filter(&cap->filter, hdr, data) == 0) {
		cap->count++;
		cap->filtered++;
	}
	if (r == 1) {
		/* A classic pcap record holds its seconds as an unsigned 32-bit
		 * field, good until 2106, but libpcap 1.10 reads them as signed
		 * and sign-extends every time past 2038-01-19; pcapng's 64-bit
		 * times come through whole.  Past what 64-bit nanoseconds hold
		 * (year 2554) a time is kept at that end rather than wrapped. */
		uint64_t sec = cap->seconds_u32 ? (uint32_t)hdr->ts.tv_sec : (uint64_t)hdr->ts.tv_sec;

		if (sec > (UINT64_MAX - 999999999u) / 1000000000u)
			sec = (UINT64_MAX - 999999999u) / 1000000000u;
		frame->num = ++cap->count;
		frame->ts_ns = sec * 1000000000u + (uint64_t)hdr->ts.tv_usec;
		frame->caplen = hdr->caplen;
		/* A corrupt record may claim fewer bytes on the wire than it
		 * holds; the bytes held are the better witness. */
		frame->wirelen = hdr->len > hdr->caplen ? hdr->len : hdr->caplen;
		frame->data = data;
		return CAPTURE_FRAME;
	}
	if (r == PCAP_ERROR_BREAK)
		return CAPTURE_END;
	/* libpcap only saw a failed read: the decoder knows what failed */
	snprintf(cap->error, sizeof cap->error, "after packet %llu: %s",
		 (unsigned long long)cap->count,
		 decompress_error(cap->dz) != NULL ? decompress_error(cap->dz)
						   : pcap_geterr(cap->pcap));
	return CAPTURE_ERROR;
}

const char *capture_error(const struct capture *cap)
{
	return cap->error;
}

int capture_dlt(const struct capture *cap)
{
	return pcap_datalink(cap->pcap);
}

bool capture_nanosecond(const struct capture *cap)
{
	return cap->nanosecond;
}

int capture_snaplen(const struct capture *cap)
{
	return pcap_snapshot(cap->pcap);
}

void capture_close(struct capture *cap)
{
	if (cap == NULL)
		return;
	if (cap->has_filter)
		pcap_freecode(&cap->filter);
	pcap_close(cap->pcap); /* closes the decompressed stream and *cap->dz */
	free(cap->buffer);
	free(cap);
}
