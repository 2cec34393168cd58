/* pcapng: the block reader (draft-ietf-opsawg-pcapng).  Each block is
 * read whole into one buffer after its length is checked against the
 * file's remaining bytes and a cap, then parsed within that length. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#include "finlint.h"
#include "pcapng.h"

enum {
	BT_SHB = 0x0a0d0d0a,
	BT_IDB = 1,
	BT_OPB = 2, /* the obsolete Packet Block */
	BT_SPB = 3,
	BT_EPB = 6,
	BOM = 0x1a2b3c4d,
	OPT_END = 0,
	OPT_TSRESOL = 9,
	OPT_TSOFFSET = 14,
	/* libpcap's own caps: 16 MiB blocks, and the snapshot length it
	 * gives an interface that says 0 or more than it allows */
	BLOCK_MAX = 16 << 20,
	SNAPLEN_MAX = 262144,
	/* each interface costs a few bytes; a file is not allowed millions */
	IFACE_MAX = 1 << 16,
};

struct iface {
	int dlt;
	uint32_t snaplen;
	uint64_t units;    /* timestamp units per second */
	unsigned exp;      /* units is 10^exp, or 2^exp with pow2 */
	bool pow2;
	int64_t offset_s;  /* if_tsoffset */
};

struct pcapng {
	FILE *f;
	bool swap;           /* the section is in the other byte order */
	struct iface *iface; /* of the current section */
	size_t n_iface;
	int first_dlt;
	uint32_t first_snaplen;
	uint8_t *buf;
	size_t buf_cap;
	uint64_t offset; /* of the block being read, from the file's start */
	uint64_t next;   /* of the block after it */
	bool in_section; /* a section header was read */
	char error[200];
};

static uint16_t get16(const struct pcapng *ng, const uint8_t *p)
{
	uint16_t v = (uint16_t)(p[0] | p[1] << 8);

	if (ng->swap)
		v = (uint16_t)(v >> 8 | v << 8);
	return v;
}

static uint32_t get32(const struct pcapng *ng, const uint8_t *p)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		     (uint32_t)p[3] << 24;

	/* the file's byte order is the writer's: swap means big-endian here */
	if (ng->swap)
		v = (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
	return v;
}

static enum pcapng_status fail(struct pcapng *ng, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static enum pcapng_status fail(struct pcapng *ng, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(ng->error, sizeof ng->error, "pcapng block at byte %llu: ",
			 (unsigned long long)ng->offset);

	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof ng->error)
		vsnprintf(ng->error + n, sizeof ng->error - (size_t)n, fmt, ap);
	va_end(ap);
	return PCAPNG_ERROR;
}

/* Read n bytes, the block's bytes after its first done ones, or say why
 * not; ending at the block's first byte is the file's end. */
static enum pcapng_status read_exact(struct pcapng *ng, uint8_t *p, size_t n, size_t done)
{
	size_t got = fread(p, 1, n, ng->f);

	if (got == n)
		return PCAPNG_PACKET;
	if (ferror(ng->f))
		return fail(ng, "read error: %s", strerror(errno));
	if (got == 0 && done == 0)
		return PCAPNG_END;
	return fail(ng, "the file ends inside the block (after %zu of its %zu bytes)", done + got,
		    done + n);
}

/* pcapng link types are LINKTYPE_ values; the decoder takes DLT_ ones.
 * They differ where BSDs disagreed (libpcap's linktype_to_dlt()). */
static int dlt_of(uint16_t linktype)
{
	switch (linktype) {
	case 100:
		return DLT_ATM_RFC1483;
	case 101:
		return DLT_RAW;
	default:
		return linktype;
	}
}

/* Read the next block: its type and body (without the two lengths). */
static enum pcapng_status read_block(struct pcapng *ng, uint32_t *type, const uint8_t **body,
				     size_t *body_len)
{
	uint8_t head[12];
	enum pcapng_status st;
	uint32_t len;
	size_t have = 8;

	ng->offset = ng->next;
	*type = 0;
	*body = ng->buf;
	*body_len = 0;
	st = read_exact(ng, head, 8, 0);
	if (st != PCAPNG_PACKET)
		return st;
	*type = get32(ng, head);
	if (*type == BT_SHB) {
		/* a new section: its byte-order magic says how to read even
		 * its own length */
		uint32_t bom;

		if ((st = read_exact(ng, head + 8, 4, 8)) != PCAPNG_PACKET)
			return st;
		have = 12;
		bom = (uint32_t)head[8] | (uint32_t)head[9] << 8 | (uint32_t)head[10] << 16 |
		      (uint32_t)head[11] << 24;
		if (bom == BOM)
			ng->swap = false;
		else if (bom == 0x4d3c2b1a)
			ng->swap = true;
		else
			return fail(ng, "section header with a bad byte-order magic 0x%08x", bom);
	}
	len = get32(ng, head + 4);
	if (len < 12 || len % 4 != 0 || len > BLOCK_MAX || (*type == BT_SHB && len < 28))
		return fail(ng, "type 0x%x with a length of %u bytes", *type, len);
	if (ng->buf_cap < len) {
		free(ng->buf);
		ng->buf_cap = len;
		ng->buf = xmalloc(len);
	}
	memcpy(ng->buf, head, have);
	if ((st = read_exact(ng, ng->buf + have, len - have, have)) != PCAPNG_PACKET)
		return st;
	ng->next += len;
	if (get32(ng, ng->buf + len - 4) != len)
		return fail(ng, "type 0x%x: trailing length %u, leading length %u", *type,
			    get32(ng, ng->buf + len - 4), len);
	*body = ng->buf + 8;
	*body_len = len - 12;
	return PCAPNG_PACKET;
}

static enum pcapng_status section(struct pcapng *ng, const uint8_t *b)
{
	uint16_t major = get16(ng, b + 4), minor = get16(ng, b + 6);

	/* 1.2 was written by early tools for what became 1.0 (libpcap
	 * reads both and only both) */
	if (major != 1 || (minor != 0 && minor != 2))
		return fail(ng, "section of pcapng version %u.%u, not 1.0", major, minor);
	ng->n_iface = 0; /* interface numbers start again in each section */
	ng->in_section = true;
	return PCAPNG_PACKET;
}

/* The Interface Description Block's options after its 8 fixed bytes. */
static enum pcapng_status iface_options(struct pcapng *ng, struct iface *ifc, const uint8_t *p,
					size_t n)
{
	while (n >= 4) {
		uint16_t code = get16(ng, p), olen = get16(ng, p + 2);
		size_t padded = ((size_t)olen + 3) & ~(size_t)3;

		if (code == OPT_END)
			break;
		if (padded > n - 4)
			return fail(ng, "interface option %u of %u bytes runs past the block", code,
				    olen);
		if (code == OPT_TSRESOL && olen == 1) {
			uint8_t r = p[4];

			ifc->pow2 = (r & 0x80) != 0;
			ifc->exp = r & 0x7f;
			if (ifc->pow2 ? ifc->exp > 63 : ifc->exp > 19)
				return fail(ng, "interface timestamp resolution 0x%02x too fine", r);
			ifc->units = 1;
			for (unsigned i = 0; i < ifc->exp; i++)
				ifc->units *= ifc->pow2 ? 2 : 10;
		} else if (code == OPT_TSOFFSET && olen == 8) {
			uint64_t v = ng->swap ? (uint64_t)get32(ng, p + 4) << 32 | get32(ng, p + 8)
					      : (uint64_t)get32(ng, p + 8) << 32 | get32(ng, p + 4);

			memcpy(&ifc->offset_s, &v, sizeof v);
		}
		p += 4 + padded;
		n -= 4 + padded;
	}
	return PCAPNG_PACKET;
}

static enum pcapng_status interface(struct pcapng *ng, const uint8_t *b, size_t n)
{
	struct iface ifc = { .units = 1000000, .exp = 6 };

	if (n < 8)
		return fail(ng, "interface description of %zu bytes", n);
	if (ng->n_iface >= IFACE_MAX)
		return fail(ng, "more than %d interfaces in a section", IFACE_MAX);
	ifc.dlt = dlt_of(get16(ng, b));
	ifc.snaplen = get32(ng, b + 4);
	if (ifc.snaplen == 0 || ifc.snaplen > SNAPLEN_MAX)
		ifc.snaplen = SNAPLEN_MAX;
	if (iface_options(ng, &ifc, b + 8, n - 8) != PCAPNG_PACKET)
		return PCAPNG_ERROR;
	if (ng->n_iface % 16 == 0)
		ng->iface = xrealloc(ng->iface, ng->n_iface + 16, sizeof *ng->iface);
	ng->iface[ng->n_iface++] = ifc;
	return PCAPNG_PACKET;
}

/* A timestamp in the interface's units, as seconds and nanoseconds. */
static void stamp(const struct iface *ifc, uint64_t t, struct pcapng_packet *pkt)
{
	uint64_t frac = t % ifc->units;
	int64_t off = ifc->offset_s;

	pkt->sec = t / ifc->units;
	if (!ifc->pow2)
		pkt->nsec = (uint32_t)(ifc->exp <= 9 ? frac * (NS_PER_S / ifc->units)
						     : frac / (ifc->units / NS_PER_S));
	else if (ifc->exp <= 34) /* frac < 2^34: frac * 10^9 < 2^64 */
		pkt->nsec = (uint32_t)((frac * NS_PER_S) >> ifc->exp);
	else
		pkt->nsec = (uint32_t)(((frac >> (ifc->exp - 34)) * NS_PER_S) >> 34);
	/* an offset before the epoch stops at it */
	if (off >= 0)
		pkt->sec += (uint64_t)off;
	else
		pkt->sec = pkt->sec > (uint64_t)-(off + 1) ? pkt->sec - (uint64_t)-(off + 1) - 1 : 0;
}

/* Fill pkt from a packet block's fields; caplen bytes at data are inside
 * the block (checked by the caller). */
static enum pcapng_status packet(struct pcapng *ng, uint32_t ifn, uint64_t t, uint32_t caplen,
				 uint32_t wirelen, const uint8_t *data, struct pcapng_packet *pkt)
{
	const struct iface *ifc;

	if (ifn >= ng->n_iface)
		return fail(ng, "a packet on interface %u, but the section has %zu", ifn,
			    ng->n_iface);
	ifc = &ng->iface[ifn];
	pkt->dlt = ifc->dlt;
	stamp(ifc, t, pkt);
	/* libpcap cuts a packet longer than its snapshot length: so do we,
	 * and the decoder sees what libpcap would have given it */
	pkt->caplen = caplen > ifc->snaplen ? ifc->snaplen : caplen;
	pkt->wirelen = wirelen;
	pkt->data = data;
	return PCAPNG_PACKET;
}

/* One block: PCAPNG_PACKET with *pkt filled for a packet block, END, or
 * ERROR; *got says whether it was a packet. */
static enum pcapng_status one_block(struct pcapng *ng, struct pcapng_packet *pkt, bool *got)
{
	const uint8_t *b;
	size_t n;
	uint32_t type, caplen;
	enum pcapng_status st = read_block(ng, &type, &b, &n);

	*got = false;
	if (st != PCAPNG_PACKET)
		return st;
	if (type != BT_SHB && !ng->in_section)
		return fail(ng, "the file does not start with a section header block");
	switch (type) {
	case BT_SHB:
		return section(ng, b);
	case BT_IDB:
		return interface(ng, b, n);
	case BT_EPB:
		if (n < 20 || (caplen = get32(ng, b + 12)) > n - 20)
			return fail(ng, "enhanced packet block of %zu bytes", n);
		*got = true;
		return packet(ng, get32(ng, b), (uint64_t)get32(ng, b + 4) << 32 | get32(ng, b + 8),
			      caplen, get32(ng, b + 16), b + 20, pkt);
	case BT_OPB:
		if (n < 20 || (caplen = get32(ng, b + 12)) > n - 20)
			return fail(ng, "packet block of %zu bytes", n);
		*got = true;
		return packet(ng, get16(ng, b), (uint64_t)get32(ng, b + 4) << 32 | get32(ng, b + 8),
			      caplen, get32(ng, b + 16), b + 20, pkt);
	case BT_SPB: {
		/* no captured length: what the block holds, at most the
		 * original length; no timestamp (libpcap gives 0 too) */
		uint32_t wire;

		if (n < 4)
			return fail(ng, "simple packet block of %zu bytes", n);
		wire = get32(ng, b);
		*got = true;
		return packet(ng, 0, 0, wire < n - 4 ? wire : (uint32_t)(n - 4), wire, b + 4, pkt);
	}
	default: /* name resolution, statistics, secrets, custom: not ours */
		return PCAPNG_PACKET;
	}
}

struct pcapng *pcapng_open(FILE *f, char *err, size_t errlen)
{
	struct pcapng *ng = xcalloc(1, sizeof *ng);
	struct pcapng_packet pkt;
	bool got;

	ng->f = f;
	while (ng->n_iface == 0) {
		enum pcapng_status st = one_block(ng, &pkt, &got);
		const char *why = ng->error;

		if (st == PCAPNG_END)
			why = "no interface description block in the file";
		else if (st == PCAPNG_PACKET && got) /* one_block() refuses it: safety */
			why = "a packet before any interface description block";
		else if (st == PCAPNG_PACKET)
			continue;
		snprintf(err, errlen, "cannot read capture: %s", why);
		pcapng_close(ng);
		return NULL;
	}
	ng->first_dlt = ng->iface[0].dlt;
	ng->first_snaplen = ng->iface[0].snaplen;
	return ng;
}

enum pcapng_status pcapng_next(struct pcapng *ng, struct pcapng_packet *pkt)
{
	for (;;) {
		bool got;
		enum pcapng_status st = one_block(ng, pkt, &got);

		if (st != PCAPNG_PACKET || got)
			return st;
	}
}

const char *pcapng_error(const struct pcapng *ng)
{
	return ng->error;
}

int pcapng_dlt(const struct pcapng *ng)
{
	return ng->first_dlt;
}

uint32_t pcapng_snaplen(const struct pcapng *ng)
{
	return ng->first_snaplen;
}

void pcapng_close(struct pcapng *ng)
{
	if (ng == NULL)
		return;
	free(ng->iface);
	free(ng->buf);
	free(ng);
}
