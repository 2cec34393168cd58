/* capture: libpcap (classic pcap) or finlint's pcapng reader behind a
 * small interface, with finlint's error texts. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pcap/pcap.h>

#include "capfilter.h"
#include "capset-open.h"
#include "capture.h"
#include "decompress.h"
#include "finlint.h"
#include "pcapng.h"

/* Reading whole megabytes at a time keeps the syscall count low on
 * multi-gigabyte files. */
enum { CAPTURE_BUFFER = 1 << 20 };

struct capture {
	pcap_t *pcap;       /* a classic pcap */
	struct pcapng *ng;  /* or a pcapng file, read from f */
	FILE *f;
	int dlt;            /* the file's (its first interface's) link type */
	char *buffer; /* stdio buffer of the FILE being read */
	uint64_t count;
	uint64_t filtered; /* frames the BPF filter left out */
	bool nanosecond;
	bool seconds_u32; /* a classic pcap: see capture_next() */
	struct capfilter *filter;
	struct decompress *dz; /* the stream's decoder, NULL for a plain file */
	struct capset *set;    /* or several files merged (--merge): the rest unused */
	char error[PCAP_ERRBUF_SIZE + 64];
};

/* One frame as the reader below gives it. */
struct raw_frame {
	int dlt;
	uint64_t sec;
	uint32_t nsec, caplen, wirelen;
	const uint8_t *data;
};

/* pcap magic numbers written with nanosecond timestamps, both orders. */
static bool magic_is_nano(const unsigned char m[4])
{
	return (m[0] == 0xa1 && m[1] == 0xb2 && m[2] == 0x3c && m[3] == 0x4d) ||
	       (m[0] == 0x4d && m[1] == 0x3c && m[2] == 0xb2 && m[3] == 0xa1);
}

static bool magic_is_pcapng(const unsigned char m[4])
{
	return m[0] == 0x0a && m[1] == 0x0d && m[2] == 0x0d && m[3] == 0x0a;
}

/* The file's first 4 bytes, or zeros when it is shorter. */
static void peek_magic(FILE *f, struct decompress *dz, unsigned char m[4])
{
	memset(m, 0, 4);
	/* a decompressed stream or a pipe cannot be rewound, but its decoder
	 * can show its first bytes before they are read */
	if (dz != NULL) {
		if (decompress_peek(dz, m, 4) != 4)
			memset(m, 0, 4);
		return;
	}
	if (fread(m, 1, 4, f) != 4)
		memset(m, 0, 4);
	rewind(f);
}

/* pcapng goes to finlint's own reader: libpcap 1.10 refuses a file whose
 * interfaces differ in link type or snapshot length, often part-way
 * through; falling back to another reader there would mean reading the
 * file again, which a pipe or a compressed stream cannot do. */
static struct capture *open_pcapng(struct capture *cap, FILE *f, char *err, unsigned errlen)
{
	cap->ng = pcapng_open(f, err, errlen);
	if (cap->ng == NULL) {
		if (decompress_error(cap->dz) != NULL)
			snprintf(err, errlen, "cannot read capture: %s", decompress_error(cap->dz));
		fclose(f);
		free(cap->buffer);
		free(cap);
		return NULL;
	}
	cap->f = f;
	cap->dlt = pcapng_dlt(cap->ng);
	/* as libpcap did for pcapng: its unit is per interface */
	cap->nanosecond = false;
	return cap;
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
	if (dz != NULL || seekable)
		peek_magic(f, dz, m);
	else
		memset(m, 0, sizeof m);
	if (magic_is_pcapng(m))
		return open_pcapng(cap, f, err, errlen);
	cap->nanosecond = magic_is_nano(m);

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
	cap->dlt = pcap_datalink(cap->pcap);
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
	if (cap->set != NULL)
		return capset_set_filter(cap->set, expr, err, errlen);
	cap->filter = capfilter_new(expr, cap->dlt, err, errlen);
	return cap->filter != NULL;
}

uint64_t capture_frames(const struct capture *cap)
{
	if (cap->set != NULL) {
		uint64_t n = 0;

		for (unsigned i = 0; i < capset_files(cap->set); i++)
			n += capset_packets(cap->set, i);
		return n;
	}
	return cap->count;
}

uint64_t capture_filtered(const struct capture *cap)
{
	if (cap->set != NULL) {
		uint64_t n = 0;

		for (unsigned i = 0; i < capset_files(cap->set); i++)
			n += capset_filtered(cap->set, i);
		return n;
	}
	return cap->filtered;
}

/* The next frame from libpcap: 1, or libpcap's end (PCAP_ERROR_BREAK)
 * or error. */
static int next_pcap(struct capture *cap, struct raw_frame *rf)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	int r = pcap_next_ex(cap->pcap, &hdr, &data);

	if (r != 1)
		return r;
	/* A classic pcap record holds its seconds as an unsigned 32-bit
	 * field, good until 2106, but libpcap 1.10 reads them as signed and
	 * sign-extends every time past 2038-01-19. */
	rf->dlt = cap->dlt;
	rf->sec = cap->seconds_u32 ? (uint32_t)hdr->ts.tv_sec : (uint64_t)hdr->ts.tv_sec;
	rf->nsec = (uint32_t)hdr->ts.tv_usec;
	rf->caplen = hdr->caplen;
	rf->wirelen = hdr->len;
	rf->data = data;
	return 1;
}

static int next_pcapng(struct capture *cap, struct raw_frame *rf)
{
	struct pcapng_packet p;

	switch (pcapng_next(cap->ng, &p)) {
	case PCAPNG_PACKET:
		rf->dlt = p.dlt;
		rf->sec = p.sec;
		rf->nsec = p.nsec;
		rf->caplen = p.caplen;
		rf->wirelen = p.wirelen;
		rf->data = p.data;
		return 1;
	case PCAPNG_END:
		return PCAP_ERROR_BREAK;
	default:
		return PCAP_ERROR;
	}
}

struct capture *capture_open_merged(struct capset *set, char *err, unsigned errlen)
{
	struct capture *cap;

	if (!capset_open_parts(set, err, errlen))
		return NULL;
	cap = calloc(1, sizeof *cap);
	if (cap == NULL)
		fatal("out of memory");
	cap->set = set;
	cap->dlt = capset_dlt(set);
	cap->nanosecond = capset_nanosecond(set);
	return cap;
}

enum capture_status capture_next(struct capture *cap, struct capture_frame *frame)
{
	struct raw_frame rf;
	int r;

	if (cap->set != NULL)
		return capset_next(cap->set, frame);

	/* The filter runs here, not in libpcap, so that frames it drops
	 * still count: packet numbers stay positions in the file. */
	while ((r = cap->ng != NULL ? next_pcapng(cap, &rf) : next_pcap(cap, &rf)) == 1 &&
	       cap->filter != NULL &&
	       !capfilter_match(cap->filter, rf.dlt, rf.data, rf.caplen, rf.wirelen)) {
		cap->count++;
		cap->filtered++;
	}
	if (r == 1) {
		/* Past what 64-bit nanoseconds hold (year 2554) a time is kept
		 * at that end rather than wrapped. */
		uint64_t sec = rf.sec;

		if (sec > (UINT64_MAX - 999999999u) / 1000000000u)
			sec = (UINT64_MAX - 999999999u) / 1000000000u;
		frame->num = ++cap->count;
		frame->dlt = rf.dlt;
		frame->ts_ns = sec * 1000000000u + (uint64_t)rf.nsec;
		frame->caplen = rf.caplen;
		/* A corrupt record may claim fewer bytes on the wire than it
		 * holds; the bytes held are the better witness. */
		frame->wirelen = rf.wirelen > rf.caplen ? rf.wirelen : rf.caplen;
		frame->data = rf.data;
		return CAPTURE_FRAME;
	}
	if (r == PCAP_ERROR_BREAK)
		return CAPTURE_END;
	/* a failed read of a compressed stream: the decoder knows what failed */
	snprintf(cap->error, sizeof cap->error, "after packet %llu: %s",
		 (unsigned long long)cap->count,
		 decompress_error(cap->dz) != NULL ? decompress_error(cap->dz)
		 : cap->ng != NULL		   ? pcapng_error(cap->ng)
						   : pcap_geterr(cap->pcap));
	return CAPTURE_ERROR;
}

const char *capture_error(const struct capture *cap)
{
	if (cap->set != NULL)
		return capset_error(cap->set);
	return cap->error;
}

int capture_dlt(const struct capture *cap)
{
	return cap->dlt;
}

bool capture_nanosecond(const struct capture *cap)
{
	return cap->nanosecond;
}

int capture_snaplen(const struct capture *cap)
{
	if (cap->set != NULL)
		return capset_snaplen(cap->set);
	return cap->ng != NULL ? (int)pcapng_snaplen(cap->ng) : pcap_snapshot(cap->pcap);
}

void capture_close(struct capture *cap)
{
	if (cap == NULL)
		return;
	if (cap->set != NULL) { /* the set itself is its maker's */
		capset_close_parts(cap->set);
		free(cap);
		return;
	}
	capfilter_free(cap->filter);
	if (cap->ng != NULL) {
		pcapng_close(cap->ng);
		fclose(cap->f); /* and with it *cap->dz */
	} else {
		pcap_close(cap->pcap); /* closes the file, and *cap->dz */
	}
	free(cap->buffer);
	free(cap);
}
