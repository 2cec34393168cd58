/* flow-compact: the byte format of a connection kept compact.
 *
 * data[] holds side 0's address and port, side 1's, then one record per
 * packet: a byte of REC_* bits, the packet number (absolute in the first
 * record, then the distance from the previous one) and the time (8 bytes
 * in the first record, then the signed distance from the previous one),
 * both as base-128 varints, and unless REC_SAME the TCP fields.  A SYN is
 * ~21 bytes, its SYN-ACK ~15, a retransmitted SYN ~9. */
#include "config.h"

#include <string.h>

#include "finlint.h"
#include "flow-compact.h"

enum {
	REC_DIR = 0x01,     /* sent by side 1 */
	REC_SAME = 0x02,    /* seq, ack, window, flags and option as that side's last */
	REC_WSCALE = 0x04,  /* a window scale option; its shift count follows */
	REC_ACK = 0x08,     /* the ack follows (4 bytes) */
	REC_ACK_NEXT = 0x10, /* the ack is one past the other side's last seq */
};

/* Allocations are 16 k + 8 bytes, a whole chunk for glibc's malloc. */
static size_t alloc_size(size_t need)
{
	return need <= 8 ? 8 : (need - 8 + 15) / 16 * 16 + 8;
}

static size_t addr_len(uint8_t family)
{
	return family == 6 ? 16 : 4;
}

static uint8_t *put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

/* The records were written by put_varint: no bound to check but len. */
static uint64_t get_varint(const uint8_t *d, unsigned *pos)
{
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b;

	do {
		b = d[(*pos)++];
		v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	return v;
}

static uint8_t *put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		*p++ = (uint8_t)(v >> (8 * i));
	return p;
}

static uint64_t get_le(const uint8_t *d, unsigned *pos, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)d[(*pos)++] << (8 * i);
	return v;
}

bool flow_compact_opens(const struct packet *pkt, unsigned dir)
{
	uint8_t want = dir == 0 ? TCP_SYN : TCP_SYN | TCP_ACK;

	return (pkt->flags & (TCP_SYN | TCP_ACK | TCP_FIN | TCP_RST)) == want &&
	       pkt->payload_len == 0 && (pkt->family == 4 || pkt->family == 6);
}

/* The fields REC_SAME stands for. */
static bool same_fields(const struct packet *a, const struct flow_compact_last *b)
{
	bool ws = (a->opt.has & TCPOPT_HAS_WSCALE) != 0;

	return a->seq == b->seq && a->ack == b->ack && a->win == b->win && a->flags == b->flags &&
	       ws == b->has_wscale && (!ws || a->opt.wscale == b->wscale);
}

/* Encode pkt after the packets r has read (all of them) into out, which
 * holds 40 bytes; return the length. */
static size_t encode(const struct flow_compact_reader *r, const struct packet *pkt, unsigned dir,
		     uint8_t *out)
{
	const struct flow_compact_last *mine = &r->last[dir], *peer = &r->last[!dir];
	uint8_t *p = out + 1, bits = dir ? REC_DIR : 0;

	if (r->first) {
		p = put_varint(p, pkt->num);
		p = put_le(p, pkt->ts_ns, 8);
	} else {
		int64_t d = (int64_t)(pkt->ts_ns - r->ts); /* capture time may step back */

		p = put_varint(p, pkt->num - r->num);
		p = put_varint(p, ((uint64_t)d << 1) ^ (uint64_t)(d >> 63));
	}
	if (mine->seen && same_fields(pkt, mine)) {
		bits |= REC_SAME;
	} else {
		p = put_le(p, pkt->seq, 4);
		if (peer->seen && pkt->ack == peer->seq + 1) {
			bits |= REC_ACK_NEXT;
		} else if (pkt->ack != 0) {
			bits |= REC_ACK;
			p = put_le(p, pkt->ack, 4);
		}
		p = put_le(p, pkt->win, 2);
		*p++ = pkt->flags;
		if (pkt->opt.has & TCPOPT_HAS_WSCALE) {
			bits |= REC_WSCALE;
			*p++ = pkt->opt.wscale;
		}
	}
	out[0] = bits;
	return (size_t)(p - out);
}

/* Append rec[0..n) to *c, growing it up to FLOW_COMPACT_MAX. */
static bool append(struct flow_compact **c, const uint8_t *rec, size_t n)
{
	struct flow_compact *x = *c;
	size_t need = offsetof(struct flow_compact, data) + x->len + n;

	if (need > FLOW_COMPACT_MAX)
		return false;
	if (need > x->size) {
		size_t size = alloc_size(need);

		x = xrealloc(x, 1, size);
		x->size = (uint8_t)size;
	}
	memcpy(x->data + x->len, rec, n);
	x->len = (uint8_t)(x->len + n);
	*c = x;
	return true;
}

struct flow_compact *flow_compact_new(const struct packet *pkt, uint64_t id)
{
	size_t alen = addr_len(pkt->family);
	struct flow_compact *c;
	struct flow_compact_reader r;
	uint8_t rec[40];
	size_t n, size;

	if (!flow_compact_opens(pkt, 0) || id > UINT32_MAX)
		return NULL;
	memset(&r, 0, sizeof r);
	r.first = true;
	n = encode(&r, pkt, 0, rec);
	/* room for the SYN-ACK that most connections get next */
	size = alloc_size(offsetof(struct flow_compact, data) + 2 * alen + 4 + n + 16);
	if (size > FLOW_COMPACT_MAX)
		size = alloc_size(offsetof(struct flow_compact, data) + 2 * alen + 4 + n);
	c = xmalloc(size);
	memset(c, 0, offsetof(struct flow_compact, data));
	c->id = (uint32_t)id;
	c->family = pkt->family;
	c->size = (uint8_t)size;
	memcpy(c->data, pkt->src, alen);
	memcpy(c->data + alen, pkt->dst, alen);
	put_le(c->data + 2 * alen, pkt->sport, 2);
	put_le(c->data + 2 * alen + 2, pkt->dport, 2);
	c->len = (uint8_t)(2 * alen + 4);
	if (!append(&c, rec, n))
		fatal("internal error: a SYN does not fit the compact form");
	return c;
}

/* Read the next record into r's state; return its side, or -1 after the
 * last. */
static int next_record(struct flow_compact_reader *r)
{
	const uint8_t *d = r->c->data;
	unsigned pos = r->pos, side;
	struct flow_compact_last *mine;
	uint8_t bits;

	if (pos >= r->c->len)
		return -1;
	bits = d[pos++];
	side = bits & REC_DIR ? 1 : 0;
	mine = &r->last[side];
	if (r->first) {
		r->num = get_varint(d, &pos);
		r->ts = get_le(d, &pos, 8);
	} else {
		uint64_t z;

		r->num += get_varint(d, &pos);
		z = get_varint(d, &pos);
		r->ts += (z >> 1) ^ (0 - (z & 1));
	}
	if (!(bits & REC_SAME)) {
		mine->seq = (uint32_t)get_le(d, &pos, 4);
		if (bits & REC_ACK_NEXT)
			mine->ack = r->last[!side].seq + 1;
		else if (bits & REC_ACK)
			mine->ack = (uint32_t)get_le(d, &pos, 4);
		else
			mine->ack = 0;
		mine->win = (uint16_t)get_le(d, &pos, 2);
		mine->flags = d[pos++];
		mine->has_wscale = (bits & REC_WSCALE) != 0;
		mine->wscale = mine->has_wscale ? d[pos++] : 0;
	}
	mine->seen = true;
	r->pos = pos;
	r->first = false;
	return (int)side;
}

bool flow_compact_add(struct flow_compact **c, const struct packet *pkt, unsigned dir)
{
	struct flow_compact_reader r;
	uint8_t rec[40];

	flow_compact_read_begin(&r, *c);
	while (next_record(&r) >= 0)
		;
	return append(c, rec, encode(&r, pkt, dir, rec));
}

void flow_compact_sides(const struct flow_compact *c, struct flow_side side[2])
{
	size_t alen = addr_len(c->family);
	unsigned pos = (unsigned)(2 * alen);

	memset(side, 0, 2 * sizeof side[0]);
	memcpy(side[0].addr, c->data, alen);
	memcpy(side[1].addr, c->data + alen, alen);
	side[0].port = (uint16_t)get_le(c->data, &pos, 2);
	side[1].port = (uint16_t)get_le(c->data, &pos, 2);
}

bool flow_compact_has_key(const struct flow_compact *c, const struct flow_key *k)
{
	size_t alen = addr_len(c->family);
	const uint8_t *d = c->data;
	unsigned pos = (unsigned)(2 * alen);
	uint16_t p0 = (uint16_t)get_le(d, &pos, 2), p1 = (uint16_t)get_le(d, &pos, 2);

	/* the key's order is canonical, the sides' the SYN's: either way round */
	if (k->family != c->family)
		return false;
	if (p0 == k->port[0] && p1 == k->port[1] && memcmp(d, k->addr[0], alen) == 0 &&
	    memcmp(d + alen, k->addr[1], alen) == 0)
		return true;
	return p0 == k->port[1] && p1 == k->port[0] && memcmp(d, k->addr[1], alen) == 0 &&
	       memcmp(d + alen, k->addr[0], alen) == 0;
}

unsigned flow_compact_dir(const struct flow_compact *c, const struct packet *pkt)
{
	size_t alen = addr_len(c->family);
	unsigned pos = (unsigned)(2 * alen);

	return memcmp(c->data, pkt->src, alen) == 0 && get_le(c->data, &pos, 2) == pkt->sport
		       ? 0
		       : 1;
}

void flow_compact_read_begin(struct flow_compact_reader *r, const struct flow_compact *c)
{
	memset(r, 0, sizeof *r);
	r->c = c;
	r->pos = (unsigned)(2 * addr_len(c->family) + 4);
	r->first = true;
}

bool flow_compact_read(struct flow_compact_reader *r, struct packet *pkt, unsigned *dir)
{
	const struct flow_compact *c = r->c;
	size_t alen = addr_len(c->family);
	unsigned pos = (unsigned)(2 * alen);
	const struct flow_compact_last *mine;
	uint16_t port[2];
	int side = next_record(r);

	if (side < 0)
		return false;
	port[0] = (uint16_t)get_le(c->data, &pos, 2);
	port[1] = (uint16_t)get_le(c->data, &pos, 2);
	mine = &r->last[side];
	memset(pkt, 0, sizeof *pkt);
	pkt->num = r->num;
	pkt->ts_ns = r->ts;
	pkt->seq = mine->seq;
	pkt->ack = mine->ack;
	pkt->win = mine->win;
	pkt->flags = mine->flags;
	if (mine->has_wscale) {
		pkt->opt.has = TCPOPT_HAS_WSCALE;
		pkt->opt.wscale = mine->wscale;
	}
	pkt->family = c->family;
	memcpy(pkt->src, c->data + (side ? alen : 0), alen);
	memcpy(pkt->dst, c->data + (side ? 0 : alen), alen);
	pkt->sport = port[side];
	pkt->dport = port[!side];
	*dir = (unsigned)side;
	return true;
}
