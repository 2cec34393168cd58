/* gen: write a deterministic synthetic Ethernet capture of many interleaved
 * TCP connections, and a truth file naming how each one ends in finlint's
 * close vocabulary (docs/close-classes.md).
 *
 * The traffic is a stationary process: a fixed number of connection slots,
 * each running one connection at a time from SYN to its last packet, then
 * starting the next.  Each connection follows a script (handshake, request/
 * response rounds, a teardown picked from a weighted mix) and queues a few
 * packets at a time; a min-heap over the slots merges them in time order.
 * Memory is bounded by the slot count, whatever the number of connections.
 *
 * The capture point is taken near the server: the server's answers follow
 * the packet they answer within microseconds, the client's follow after
 * the connection's round-trip time.  Everything comes from the seed: the
 * same options give a byte-identical capture and truth file. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

/* ---- options --------------------------------------------------------------- */

enum scenario {
	SC_CLEAN,        /* four-way close */
	SC_THREE_WAY,    /* the second FIN carries the ACK of the first */
	SC_SIMULTANEOUS, /* the FINs cross */
	SC_HALF,         /* the FIN receiver keeps sending data, then closes */
	SC_ABORT,        /* RST from an open connection */
	SC_RESET_AFTER,  /* RST after a FIN */
	SC_REFUSED,      /* SYN answered by RST+ACK */
	SC_VANISHED,     /* FIN retransmitted with backoff, never acked, silence */
	SC_NOT_CLOSED,   /* open and busy until the capture ends */
	SC_CLOSE_WAIT,   /* a FIN acked, the peer never closes: stuck CLOSE_WAIT */
	SC_COUNT
};

static const char *const scenario_names[SC_COUNT] = {
	[SC_CLEAN] = "clean",
	[SC_THREE_WAY] = "three-way",
	[SC_SIMULTANEOUS] = "simultaneous",
	[SC_HALF] = "half-close",
	[SC_ABORT] = "abort",
	[SC_RESET_AFTER] = "reset-after-close",
	[SC_REFUSED] = "refused",
	[SC_VANISHED] = "vanished",
	[SC_NOT_CLOSED] = "not-closed",
	[SC_CLOSE_WAIT] = "close-wait",
};

struct options {
	uint64_t connections;
	uint32_t concurrency;
	uint32_t payload;
	uint32_t segments;
	uint32_t snaplen;
	double ipv6_pct;
	uint64_t seed;
	double lifetime_s;
	double retrans_pct, reorder_pct, wrap_pct;
	double client_close_pct;
	double weight[SC_COUNT];
	bool checksums;
	uint64_t flood;         /* spoofed SYNs from distinct 4-tuples */
	double flood_span_s;    /* spread evenly over this much time from 0 */
	double flood_synack_pct; /* answered by one SYN-ACK (SYN cookies) */
	const char *output, *truth;
};

/* ---- random numbers: splitmix64, one stream per connection ---------------- */

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Return a uniform double in [0, 1). */
static double urand(uint64_t *s)
{
	return (double)(splitmix(s) >> 11) * (1.0 / 9007199254740992.0);
}

/* Return a uniform integer in [lo, hi]. */
static uint64_t irand(uint64_t *s, uint64_t lo, uint64_t hi)
{
	return lo + splitmix(s) % (hi - lo + 1);
}

static bool chance(uint64_t *s, double pct)
{
	return pct > 0 && urand(s) * 100.0 < pct;
}

/* ---- connections ---------------------------------------------------------- */

enum { US = 1000, MS = 1000000 };
static const uint64_t SEC = 1000000000ULL;

/* One packet waiting in a connection's queue. */
struct qpkt {
	uint64_t t;
	uint32_t seq, ack;
	uint16_t len;
	uint8_t dir; /* 0 client -> server, 1 server -> client */
	uint8_t flags;
};

enum { QCAP = 10 };

enum phase {
	PH_START,
	PH_DATA,
	PH_HALF_DATA,  /* half-close: the passive side's data after the FIN */
	PH_HALF_FIN,   /* half-close: the passive side's FIN */
	PH_KEEPALIVE,  /* long-lived: a small exchange now and then, forever */
	PH_DONE,
};

struct conn {
	uint64_t id;
	uint64_t rng;
	uint8_t family; /* 4 or 6 */
	uint8_t scenario;
	uint8_t closer;  /* 0 client, 1 server: the side that acts in the teardown */
	uint8_t variant;
	uint8_t phase;
	uint8_t qhead, qlen;
	bool long_lived;
	uint16_t port[2];
	uint8_t addr[2][16];
	uint32_t nxt[2];  /* next sequence number each side sends */
	uint32_t ackv[2]; /* the ack value each side sends */
	uint32_t tsbase[2];
	uint16_t ipid[2];
	uint32_t rtt_ns;
	uint32_t rounds_left, rounds_done, abort_round;
	uint32_t srv_per_round, srv_extra, srv_left, half_segs;
	uint64_t gap_ns;  /* think time between rounds */
	uint64_t t;       /* time of the last queued packet */
	struct qpkt q[QCAP];
};

struct gen {
	struct options o;
	pcap_t *pcap;
	pcap_dumper_t *dump;
	FILE *out, *truth;
	uint8_t *frame;
	uint8_t *pattern; /* payload bytes, indexed by sequence number */
	struct conn *slot;
	uint32_t *heap; /* slot indices, ordered by their next packet's time */
	uint32_t heap_len;
	double cum_weight[SC_COUNT];
	uint64_t rng; /* arrivals */
	uint64_t started, finite_open, open, peak_open, long_lived, long_lived_cap;
	uint64_t packets, bytes, wire_bytes;
	uint64_t class_count[SC_COUNT];
	uint64_t last_t;
	uint64_t flood_sent, flood_reply, flood_answered; /* next SYN, next SYN to answer */
};

enum { PATTERN = 1 << 16, MAX_PAYLOAD = 8960 };

static void q_add(struct conn *c, uint64_t t, unsigned dir, uint8_t flags, uint32_t seq,
		  uint32_t ack, uint16_t len)
{
	struct qpkt *p;

	if (c->qlen >= QCAP) {
		fprintf(stderr, "gen: internal error: queue overflow\n");
		exit(1);
	}
	if (t < c->t)
		t = c->t;
	p = &c->q[(c->qhead + c->qlen++) % QCAP];
	p->t = t;
	p->dir = (uint8_t)dir;
	p->flags = flags;
	p->seq = seq;
	p->ack = ack;
	p->len = len;
	c->t = t;
}

enum { F_FIN = 0x01, F_SYN = 0x02, F_RST = 0x04, F_PSH = 0x08, F_ACK = 0x10 };

/* Queue a segment of len payload bytes from dir; it acks what dir has seen. */
static void send_data(struct conn *c, uint64_t t, unsigned dir, uint16_t len, uint8_t extra)
{
	q_add(c, t, dir, F_ACK | (len > 0 ? F_PSH : 0) | extra, c->nxt[dir], c->ackv[dir], len);
	c->nxt[dir] += len;
	if (extra & F_FIN)
		c->nxt[dir]++;
}

/* Queue a pure ACK from dir of everything the peer sent. */
static void send_ack(struct conn *c, uint64_t t, unsigned dir)
{
	c->ackv[dir] = c->nxt[!dir];
	q_add(c, t, dir, F_ACK, c->nxt[dir], c->ackv[dir], 0);
}

/* How long dir takes to answer a packet, as seen at the capture point. */
static uint64_t react(struct conn *c, unsigned dir)
{
	if (dir == 1)
		return irand(&c->rng, 15 * US, 120 * US);
	return c->rtt_ns + irand(&c->rng, 0, c->rtt_ns / 10 + 1);
}

static uint64_t spacing(struct conn *c)
{
	return irand(&c->rng, 5 * US, 40 * US);
}

static uint64_t rto(const struct conn *c)
{
	return 200 * (uint64_t)MS + 2 * (uint64_t)c->rtt_ns;
}

static uint64_t think(struct conn *c)
{
	return (uint64_t)((double)c->gap_ns * (0.5 + urand(&c->rng)));
}

/* ---- the script -------------------------------------------------------------- */

static void handshake(struct gen *g, struct conn *c)
{
	uint64_t t = c->t;
	uint32_t isn0 = c->nxt[0], isn1 = c->nxt[1];

	q_add(c, t, 0, F_SYN, isn0, 0, 0);
	if (chance(&c->rng, g->o.retrans_pct)) {
		t += SEC; /* the first SYN got no answer: retransmitted after 1 s */
		q_add(c, t, 0, F_SYN, isn0, 0, 0);
	}
	c->nxt[0] = isn0 + 1;
	if (c->scenario == SC_REFUSED) {
		/* RFC 9293 3.10.7.1: RST|ACK, seq 0, ack SYN + 1 */
		q_add(c, t + react(c, 1), 1, F_RST | F_ACK, 0, isn0 + 1, 0);
		c->phase = PH_DONE;
		return;
	}
	t += react(c, 1);
	c->ackv[1] = isn0 + 1;
	q_add(c, t, 1, F_SYN | F_ACK, isn1, isn0 + 1, 0);
	c->nxt[1] = isn1 + 1;
	t += react(c, 0);
	send_ack(c, t, 0);
	c->phase = PH_DATA;
}

/* Up to two segments from dir, then the peer's ACK, with the occasional
 * reordering (the two segments swapped) or retransmission (the ACK lost
 * before the capture point: the sender repeats its last segment). */
static void data_unit(struct gen *g, struct conn *c, unsigned dir, uint32_t nseg, uint64_t t)
{
	uint16_t len = (uint16_t)g->o.payload;
	uint32_t seq0 = c->nxt[dir];
	bool swap = nseg == 2 && chance(&c->rng, g->o.reorder_pct);

	if (swap) {
		q_add(c, t, dir, F_ACK | F_PSH, seq0 + len, c->ackv[dir], len);
		q_add(c, t + spacing(c), dir, F_ACK | F_PSH, seq0, c->ackv[dir], len);
		c->nxt[dir] += 2u * len;
	} else {
		send_data(c, t, dir, len, 0);
		if (nseg == 2)
			send_data(c, t + spacing(c), dir, len, 0);
	}
	t = c->t;
	if (chance(&c->rng, g->o.retrans_pct)) {
		t += rto(c);
		q_add(c, t, dir, F_ACK | F_PSH, c->nxt[dir] - len, c->ackv[dir], len);
	}
	send_ack(c, t + react(c, !dir), !dir);
}

/* The closer's FIN, with payload now and then (FIN on the last data). */
static void send_fin(struct gen *g, struct conn *c, uint64_t t, unsigned a, bool may_carry)
{
	uint16_t len = may_carry && chance(&c->rng, 10) ? (uint16_t)g->o.payload : 0;

	send_data(c, t, a, len, F_FIN);
}

static void teardown(struct gen *g, struct conn *c)
{
	unsigned a = c->closer, b = !a;
	uint64_t t = c->t + think(c);

	switch (c->scenario) {
	case SC_CLEAN:
		send_fin(g, c, t, a, true);
		send_ack(c, c->t + react(c, b), b);
		/* the passive side's application closes a little later */
		send_data(c, c->t + irand(&c->rng, 100 * US, 50 * MS), b, 0, F_FIN);
		send_ack(c, c->t + react(c, a), a);
		if (chance(&c->rng, g->o.retrans_pct * 5)) {
			/* the last ACK was lost after the capture point: LAST_ACK
			 * retransmits its FIN, TIME_WAIT acks it again */
			q_add(c, c->t + rto(c), b, F_FIN | F_ACK, c->nxt[b] - 1, c->ackv[b], 0);
			send_ack(c, c->t + react(c, a), a);
		}
		c->phase = PH_DONE;
		break;
	case SC_THREE_WAY:
		send_fin(g, c, t, a, true);
		c->ackv[b] = c->nxt[a];
		send_data(c, c->t + react(c, b), b, 0, F_FIN);
		send_ack(c, c->t + react(c, a), a);
		c->phase = PH_DONE;
		break;
	case SC_SIMULTANEOUS:
		/* b's FIN leaves before a's arrives: it does not ack it */
		send_data(c, t, a, 0, F_FIN);
		send_data(c, t + irand(&c->rng, 1 * US, 30 * US), b, 0, F_FIN);
		if (b == 1) {
			send_ack(c, c->t + react(c, b), b);
			send_ack(c, c->t + react(c, a), a);
		} else {
			send_ack(c, c->t + react(c, a), a);
			send_ack(c, c->t + react(c, b), b);
		}
		c->phase = PH_DONE;
		break;
	case SC_HALF:
		/* shutdown(SHUT_WR): a's FIN, acked; b keeps sending */
		send_data(c, t, a, 0, F_FIN);
		send_ack(c, c->t + react(c, b), b);
		c->half_segs = (uint32_t)irand(&c->rng, 1, 4);
		c->phase = PH_HALF_DATA;
		break;
	case SC_ABORT:
		/* SO_LINGER {1, 0} or close() with unread data: RST|ACK at snd.nxt */
		c->ackv[a] = c->nxt[b];
		q_add(c, t, a, F_RST | F_ACK, c->nxt[a], c->ackv[a], 0);
		c->phase = PH_DONE;
		break;
	case SC_RESET_AFTER:
		send_data(c, t, a, 0, F_FIN);
		if (c->variant == 0) {
			/* full close, then data from b: a's orphan answers with a
			 * bare RST whose seq is that segment's ack */
			bool acked = chance(&c->rng, 50);

			if (acked)
				send_ack(c, c->t + react(c, b), b);
			send_data(c, c->t + irand(&c->rng, 20 * US, 2 * MS), b, (uint16_t)g->o.payload,
				  0);
			q_add(c, c->t + react(c, a), a, F_RST, c->ackv[b], 0, 0);
		} else {
			/* FIN_WAIT_2 expired (60 s) before b's late FIN: no socket */
			send_ack(c, c->t + react(c, b), b);
			send_data(c, c->t + irand(&c->rng, 61 * SEC, 90 * SEC), b, 0, F_FIN);
			q_add(c, c->t + react(c, a), a, F_RST, c->ackv[b], 0, 0);
		}
		c->phase = PH_DONE;
		break;
	case SC_VANISHED: {
		/* the peer is gone: a retransmits its FIN with backoff, gives up */
		uint64_t r = rto(c);
		uint32_t tries = (uint32_t)irand(&c->rng, 3, 6);
		uint32_t seq = c->nxt[a];

		send_data(c, t, a, 0, F_FIN);
		for (uint32_t i = 0; i < tries; i++) {
			t = c->t + r;
			r *= 2;
			q_add(c, t, a, F_FIN | F_ACK, seq, c->ackv[a], 0);
		}
		c->phase = PH_DONE;
		break;
	}
	case SC_NOT_CLOSED:
		c->phase = PH_KEEPALIVE;
		break;
	case SC_CLOSE_WAIT:
		/* a's FIN acked, b's application never closes */
		send_data(c, t, a, 0, F_FIN);
		send_ack(c, c->t + react(c, b), b);
		c->phase = PH_DONE;
		break;
	default:
		c->phase = PH_DONE;
		break;
	}
}

/* Queue the next few packets of c; return false when it has no more. */
static bool refill(struct gen *g, struct conn *c)
{
	for (;;) {
		switch (c->phase) {
		case PH_START:
			handshake(g, c);
			return true;
		case PH_DATA:
			if (c->srv_left > 0) {
				uint32_t n = c->srv_left >= 2 ? 2 : 1;
				uint64_t t = c->t + irand(&c->rng, 200 * US, 5 * MS);

				c->srv_left -= n;
				data_unit(g, c, 1, n, t);
				return true;
			}
			if (c->scenario == SC_ABORT && c->rounds_done == c->abort_round) {
				teardown(g, c);
				if (c->qlen > 0)
					return true;
				continue;
			}
			if (c->rounds_left > 0) {
				uint64_t t = c->rounds_done == 0 ? c->t + spacing(c) : c->t + think(c);
				uint32_t k = c->srv_per_round + (c->rounds_done < c->srv_extra ? 1 : 0);

				c->rounds_left--;
				c->rounds_done++;
				if (k == 0) {
					data_unit(g, c, 0, 1, t);
				} else {
					/* the response's first segment acks the request */
					send_data(c, t, 0, (uint16_t)g->o.payload, 0);
					if (chance(&c->rng, g->o.retrans_pct)) {
						q_add(c, c->t + rto(c), 0, F_ACK | F_PSH,
						      c->nxt[0] - g->o.payload, c->ackv[0],
						      (uint16_t)g->o.payload);
					}
					c->ackv[1] = c->nxt[0];
					c->srv_left = k;
				}
				return true;
			}
			teardown(g, c);
			if (c->qlen > 0)
				return true;
			continue;
		case PH_HALF_DATA:
			if (c->half_segs > 0) {
				unsigned b = !c->closer;
				uint32_t n = c->half_segs >= 2 ? 2 : 1;

				c->half_segs -= n;
				data_unit(g, c, b, n, c->t + irand(&c->rng, 50 * US, 5 * MS));
				return true;
			}
			c->phase = PH_HALF_FIN;
			continue;
		case PH_HALF_FIN: {
			unsigned a = c->closer, b = !a;

			send_data(c, c->t + irand(&c->rng, 100 * US, 20 * MS), b, 0, F_FIN);
			send_ack(c, c->t + react(c, a), a);
			c->phase = PH_DONE;
			return true;
		}
		case PH_KEEPALIVE: {
			uint64_t t = c->t + think(c);

			data_unit(g, c, 0, 1, t);
			return true;
		}
		default:
			return false;
		}
	}
}

/* ---- packets on the wire --------------------------------------------------- */

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	uint64_t acc = s;

	while (n >= 2) {
		acc += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		n -= 2;
	}
	if (n > 0)
		acc += (uint32_t)p[0] << 8;
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint32_t)acc;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Build p's frame into g->frame; return its length on the wire. */
static uint32_t build(struct gen *g, struct conn *c, const struct qpkt *p)
{
	uint8_t *f = g->frame, *ip = f + 14, *tcp;
	unsigned d = p->dir;
	uint32_t iphl = c->family == 4 ? 20 : 40, optlen, tcplen, ms;
	uint32_t ts_val, ts_ecr;

	/* Ethernet: the server's NIC and the router in front of it */
	static const uint8_t mac_srv[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
	static const uint8_t mac_gw[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0xfe };

	memcpy(f, d == 0 ? mac_srv : mac_gw, 6);
	memcpy(f + 6, d == 0 ? mac_gw : mac_srv, 6);
	put16(f + 12, c->family == 4 ? 0x0800 : 0x86dd);

	tcp = ip + iphl;
	ms = (uint32_t)(p->t / MS);
	ts_val = c->tsbase[d] + ms;
	ts_ecr = c->tsbase[!d] + (ms > c->rtt_ns / MS ? ms - c->rtt_ns / MS : 0);
	if (p->flags & F_RST) {
		optlen = 0;
	} else if (p->flags & F_SYN) {
		uint8_t *o = tcp + 20;

		optlen = 20; /* Linux: MSS, SACK_PERM, TS, NOP, WS */
		o[0] = 2, o[1] = 4;
		put16(o + 2, c->family == 4 ? 1460 : 1440);
		o[4] = 4, o[5] = 2;
		o[6] = 8, o[7] = 10;
		put32(o + 8, ts_val);
		put32(o + 12, (p->flags & F_ACK) ? ts_ecr : 0);
		o[16] = 1, o[17] = 3, o[18] = 3, o[19] = 7;
	} else {
		uint8_t *o = tcp + 20;

		optlen = 12; /* NOP, NOP, TS */
		o[0] = 1, o[1] = 1, o[2] = 8, o[3] = 10;
		put32(o + 4, ts_val);
		put32(o + 8, ts_ecr);
	}
	tcplen = 20 + optlen + p->len;

	put16(tcp, c->port[d]);
	put16(tcp + 2, c->port[!d]);
	put32(tcp + 4, p->seq);
	put32(tcp + 8, p->ack);
	tcp[12] = (uint8_t)(((20 + optlen) / 4) << 4);
	tcp[13] = p->flags;
	put16(tcp + 14, (p->flags & F_RST) ? 0 : (p->flags & F_SYN) ? 64240 : 501 + d * 8);
	put16(tcp + 16, 0);
	put16(tcp + 18, 0);
	if (p->len > 0)
		memcpy(tcp + 20 + optlen, g->pattern + (p->seq & (PATTERN - 1)), p->len);

	if (c->family == 4) {
		ip[0] = 0x45;
		ip[1] = 0;
		put16(ip + 2, 20 + tcplen);
		put16(ip + 4, c->ipid[d]++);
		put16(ip + 6, 0x4000); /* DF */
		ip[8] = d == 1 ? 64 : 52;
		ip[9] = 6;
		put16(ip + 10, 0);
		memcpy(ip + 12, c->addr[d], 4);
		memcpy(ip + 16, c->addr[!d], 4);
		if (g->o.checksums)
			put16(ip + 10, fold(sum16(ip, 20, 0)));
	} else {
		put32(ip, 0x60000000u | (uint32_t)(c->id & 0xfffff));
		put16(ip + 4, tcplen);
		ip[6] = 6;
		ip[7] = d == 1 ? 64 : 52;
		memcpy(ip + 8, c->addr[d], 16);
		memcpy(ip + 24, c->addr[!d], 16);
	}
	if (g->o.checksums) {
		uint32_t s;
		uint8_t ph[8];

		if (c->family == 4) {
			s = sum16(ip + 12, 8, 0);
		} else {
			s = sum16(ip + 8, 32, 0);
		}
		put32(ph, tcplen);
		put32(ph + 4, 6);
		s = sum16(ph, 8, s);
		put16(tcp + 16, fold(sum16(tcp, tcplen, s)));
	}
	return 14 + iphl + tcplen;
}

static void emit(struct gen *g, struct conn *c, const struct qpkt *p)
{
	static const uint64_t EPOCH = 1767225600; /* 2026-01-01T00:00:00Z */
	struct pcap_pkthdr h;
	uint32_t wire = build(g, c, p);

	h.ts.tv_sec = (time_t)(EPOCH + p->t / SEC);
	h.ts.tv_usec = (suseconds_t)((p->t % SEC) / US);
	h.len = wire;
	h.caplen = wire < g->o.snaplen ? wire : g->o.snaplen;
	pcap_dump((u_char *)g->dump, &h, g->frame);
	g->packets++;
	g->bytes += 16 + h.caplen;
	g->wire_bytes += wire;
	g->last_t = p->t;
}

/* ---- connection set-up -------------------------------------------------------- */

static const char *closer_word(int closer)
{
	switch (closer) {
	case 0:
		return "client";
	case 1:
		return "server";
	case 2:
		return "both";
	default:
		return "none";
	}
}

/* Write c's expected close class and active closer (finlint's words). */
static void write_truth(struct gen *g, const struct conn *c)
{
	char a0[INET6_ADDRSTRLEN], a1[INET6_ADDRSTRLEN];
	const char *cls = "?";
	int closer = c->closer;
	bool three_way = false;

	inet_ntop(c->family == 4 ? AF_INET : AF_INET6, c->addr[0], a0, sizeof a0);
	inet_ntop(c->family == 4 ? AF_INET : AF_INET6, c->addr[1], a1, sizeof a1);
	switch (c->scenario) {
	case SC_CLEAN:
		cls = "clean-close";
		break;
	case SC_THREE_WAY:
		cls = "clean-close";
		three_way = true;
		break;
	case SC_SIMULTANEOUS:
		cls = "simultaneous-close";
		closer = 2;
		break;
	case SC_HALF:
		cls = "half-close";
		break;
	case SC_ABORT:
		cls = "abortive-reset";
		break;
	case SC_RESET_AFTER:
		cls = "reset-after-close";
		break;
	case SC_REFUSED:
		cls = "refused";
		closer = -1;
		break;
	case SC_VANISHED:
		cls = "vanished";
		break;
	case SC_NOT_CLOSED:
		cls = "not-closed";
		closer = -1;
		break;
	case SC_CLOSE_WAIT:
		cls = "not-closed";
		break;
	}
	if (g->truth != NULL)
		fprintf(g->truth, "%s\t%u\t%s\t%u\t%s\t%s\t%s\t%s%s\n", a0, c->port[0], a1, c->port[1],
			cls, closer_word(closer), three_way ? "three-way" : "-",
			scenario_names[c->scenario],
			c->scenario == SC_RESET_AFTER ? (c->variant ? "/fin-wait-2-expiry" : "/data-after-close")
						       : "");
}

/* Draw a teardown from the mix.  Connections open until the end hold
 * their slot, so their number is capped at their share of the slots:
 * what is open at the end then follows the concurrency, not the length
 * of the capture, and a longer capture of the same traffic has the same
 * open set. */
static uint8_t pick_scenario(struct gen *g, uint64_t *rng)
{
	for (unsigned tries = 0; tries < 16; tries++) {
		double x = urand(rng) * g->cum_weight[SC_COUNT - 1];
		unsigned i;

		for (i = 0; i + 1 < SC_COUNT && x >= g->cum_weight[i]; i++)
			;
		if (i != SC_NOT_CLOSED || g->long_lived < g->long_lived_cap)
			return (uint8_t)i;
	}
	return SC_CLEAN;
}

/* Start connection number g->started in slot c at time t. */
static void start_conn(struct gen *g, struct conn *c, uint64_t t)
{
	const struct options *o = &g->o;
	uint64_t id = g->started++;
	uint64_t host = id / 8, scram;
	uint32_t d, r;
	double life;

	memset(c, 0, sizeof *c);
	c->id = id;
	c->rng = o->seed * 0x9e3779b97f4a7c15ULL ^ (id + 1) * 0xd1b54a32d192ed03ULL;
	splitmix(&c->rng);
	c->family = chance(&c->rng, o->ipv6_pct) ? 6 : 4;
	c->scenario = pick_scenario(g, &c->rng);
	c->closer = chance(&c->rng, c->scenario == SC_HALF ? 80 : o->client_close_pct) ? 0 : 1;
	c->variant = (uint8_t)(c->scenario == SC_RESET_AFTER ? chance(&c->rng, 30) : 0);
	if (c->scenario == SC_NOT_CLOSED) {
		c->long_lived = true;
		g->long_lived++;
	}

	/* client: 8 connections per host, host addresses scrambled; the
	 * 4-tuple is unique in the whole capture */
	scram = (host * 0x9e3779b1ULL + 1) & ((1u << 22) - 1);
	c->port[0] = (uint16_t)(32768 + (id % 8) * 3500 + host % 3500);
	c->port[1] = chance(&c->rng, 80) ? 443 : 80;
	r = (uint32_t)irand(&c->rng, 1, 16);
	if (c->family == 4) {
		uint32_t ca = 0x0a400000u | (uint32_t)scram, sa = 0x0a000000u | r;

		put32(c->addr[0], ca);
		put32(c->addr[1], sa);
	} else {
		c->addr[0][0] = 0xfd, c->addr[0][1] = 0x00, c->addr[0][3] = 0x0c;
		put32(c->addr[0] + 12, (uint32_t)scram);
		c->addr[0][8] = (uint8_t)(host >> 24);
		c->addr[1][0] = 0xfd, c->addr[1][1] = 0x00, c->addr[1][3] = 0x05;
		c->addr[1][15] = (uint8_t)r;
	}
	write_truth(g, c);
	g->class_count[c->scenario]++;

	/* data: d segments in r rounds, one request segment per round */
	d = (uint32_t)irand(&c->rng, 1, 2 * (uint64_t)o->segments - 1);
	r = 1 + (d - 1) / 5;
	c->rounds_left = r;
	c->srv_per_round = (d - r) / r;
	c->srv_extra = (d - r) % r;
	/* an application's abort comes after at least one round: a reset
	 * right after the handshake with no byte either way is a connect
	 * scan's or a health check's signature (finlint's close word probe) */
	c->abort_round = (uint32_t)irand(&c->rng, 1, r);

	/* sequence numbers: random, or close enough to 2^32 to wrap */
	for (unsigned s = 0; s < 2; s++) {
		uint64_t bytes = (uint64_t)(s == 0 ? r : d - r + 4) * o->payload + 2;

		c->nxt[s] = (uint32_t)splitmix(&c->rng);
		if (chance(&c->rng, o->wrap_pct))
			c->nxt[s] = (uint32_t)(0x100000000ULL - irand(&c->rng, 1, bytes));
		c->tsbase[s] = (uint32_t)splitmix(&c->rng);
		c->ipid[s] = (uint16_t)splitmix(&c->rng);
	}
	/* round trip: log-uniform 0.5 ms .. 100 ms */
	c->rtt_ns = (uint32_t)(0.5e6 * exp(urand(&c->rng) * log(200.0)));
	/* lifetime: exponential around the mean, spread over the think times */
	life = -log(1.0 - urand(&c->rng)) * o->lifetime_s;
	if (life < o->lifetime_s / 20)
		life = o->lifetime_s / 20;
	if (life > 8 * o->lifetime_s)
		life = 8 * o->lifetime_s;
	c->gap_ns = (uint64_t)(life * 1e9 / (double)r);
	if (c->long_lived) /* a small exchange every few seconds */
		c->gap_ns = (uint64_t)((o->lifetime_s / 2 > 1 ? o->lifetime_s / 2 : 1) * 1e9);
	c->t = t;
	c->phase = PH_START;
	g->open++;
	if (g->open > g->peak_open)
		g->peak_open = g->open;
	if (!c->long_lived)
		g->finite_open++;
	refill(g, c);
}

/* ---- the heap of slots by next packet time ------------------------------- */

static bool before(const struct gen *g, uint32_t a, uint32_t b)
{
	const struct conn *x = &g->slot[a], *y = &g->slot[b];
	uint64_t tx = x->q[x->qhead].t, ty = y->q[y->qhead].t;

	return tx < ty || (tx == ty && a < b);
}

static void heap_push(struct gen *g, uint32_t s)
{
	uint32_t i = g->heap_len++;

	while (i > 0) {
		uint32_t p = (i - 1) / 2;

		if (!before(g, s, g->heap[p]))
			break;
		g->heap[i] = g->heap[p];
		i = p;
	}
	g->heap[i] = s;
}

/* Restore the order after the top slot's key grew. */
static void heap_sift_top(struct gen *g)
{
	uint32_t i = 0, n = g->heap_len, s = g->heap[0];

	for (;;) {
		uint32_t l = 2 * i + 1, m;

		if (l >= n)
			break;
		m = l + 1 < n && before(g, g->heap[l + 1], g->heap[l]) ? l + 1 : l;
		if (!before(g, g->heap[m], s))
			break;
		g->heap[i] = g->heap[m];
		i = m;
	}
	g->heap[i] = s;
}

static void heap_pop(struct gen *g)
{
	g->heap[0] = g->heap[--g->heap_len];
	if (g->heap_len > 0)
		heap_sift_top(g);
}

/* ---- a SYN flood mixed into the traffic ------------------------------------ */

/* --flood N: N SYNs at a steady rate over --flood-span seconds, each from
 * its own spoofed 4-tuple (sources in 100.64.0.0/10, which the real
 * clients never use) to 10.0.0.1:80, and never completed.  A share of
 * them is answered by one SYN-ACK 40 us later, as a server answers with
 * SYN cookies: no state, so no retransmission.  They are not in the truth
 * file; what a capture taken during an attack holds besides the real
 * traffic. */
enum { FLOOD_REPLY_NS = 40 * US };

static uint64_t flood_time(const struct gen *g, uint64_t i)
{
	return (uint64_t)((double)i * g->o.flood_span_s * 1e9 / (double)g->o.flood);
}

/* Flood SYN i's own random numbers. */
static uint64_t flood_rng(const struct gen *g, uint64_t i)
{
	uint64_t s = g->o.seed * 0xa0761d6478bd642fULL ^ (i + 1) * 0xe7037ed1a0b428dbULL;

	splitmix(&s);
	return s;
}

static bool flood_answered(const struct gen *g, uint64_t i)
{
	uint64_t s = flood_rng(g, i) ^ 0x5ca1ab1eULL;

	return chance(&s, g->o.flood_synack_pct);
}

/* The 4-tuple and sequence numbers of flood SYN i: the low 22 bits of i
 * pick the address (an odd multiplier is a bijection mod 2^22), the rest
 * shift a port drawn for that address, so no two SYNs share a 4-tuple. */
static void flood_conn(const struct gen *g, uint64_t i, struct conn *c)
{
	uint64_t rng = flood_rng(g, i);
	uint32_t low = (uint32_t)(i & ((1u << 22) - 1));
	uint64_t by_addr = flood_rng(g, low) ^ 0x9047ULL;

	memset(c, 0, sizeof *c);
	c->id = i;
	c->family = 4;
	put32(c->addr[0], 0x64400000u | ((low * 0x9e3779b1u) & ((1u << 22) - 1)));
	put32(c->addr[1], 0x0a000001u);
	c->port[0] = (uint16_t)(1024 + ((i >> 22) + irand(&by_addr, 0, 63999)) % 64000);
	c->port[1] = 80;
	c->nxt[0] = (uint32_t)splitmix(&rng);
	c->nxt[1] = (uint32_t)splitmix(&rng);
	c->tsbase[0] = (uint32_t)splitmix(&rng);
	c->tsbase[1] = (uint32_t)splitmix(&rng);
	c->ipid[0] = (uint16_t)splitmix(&rng);
	c->ipid[1] = (uint16_t)splitmix(&rng);
}

/* Skip the SYNs no SYN-ACK answers. */
static void flood_next_reply(struct gen *g)
{
	while (g->flood_reply < g->flood_sent && !flood_answered(g, g->flood_reply))
		g->flood_reply++;
}

/* The time of the flood's next packet, or UINT64_MAX when it is over. */
static uint64_t flood_next_t(struct gen *g)
{
	uint64_t t = UINT64_MAX;

	flood_next_reply(g);
	if (g->flood_reply < g->flood_sent)
		t = flood_time(g, g->flood_reply) + FLOOD_REPLY_NS;
	if (g->flood_sent < g->o.flood && flood_time(g, g->flood_sent) < t)
		t = flood_time(g, g->flood_sent);
	return t;
}

/* Write the flood's next packet: a SYN, or the SYN-ACK due first. */
static void flood_emit(struct gen *g)
{
	struct conn c;
	struct qpkt p = { 0 };
	bool reply;

	flood_next_reply(g);
	reply = g->flood_reply < g->flood_sent &&
		(g->flood_sent >= g->o.flood ||
		 flood_time(g, g->flood_reply) + FLOOD_REPLY_NS < flood_time(g, g->flood_sent));
	if (reply) {
		flood_conn(g, g->flood_reply, &c);
		p.t = flood_time(g, g->flood_reply++) + FLOOD_REPLY_NS;
		p.dir = 1;
		p.flags = F_SYN | F_ACK;
		p.seq = c.nxt[1];
		p.ack = c.nxt[0] + 1;
		g->flood_answered++;
	} else {
		flood_conn(g, g->flood_sent, &c);
		p.t = flood_time(g, g->flood_sent++);
		p.flags = F_SYN;
		p.seq = c.nxt[0];
	}
	emit(g, &c, &p);
}

/* Write the flood's packets due by time t. */
static void flood_until(struct gen *g, uint64_t t)
{
	while (flood_next_t(g) <= t)
		flood_emit(g);
}

/* ---- main ------------------------------------------------------------------- */

static void run(struct gen *g)
{
	const struct options *o = &g->o;
	uint64_t ramp = (uint64_t)(o->lifetime_s * 1e9);

	for (uint32_t s = 0; s < o->concurrency && g->started < o->connections; s++) {
		start_conn(g, &g->slot[s], irand(&g->rng, 0, ramp));
		heap_push(g, s);
	}
	while (g->heap_len > 0) {
		uint32_t s = g->heap[0];
		struct conn *c = &g->slot[s];

		flood_until(g, c->q[c->qhead].t);
		emit(g, c, &c->q[c->qhead]);
		c->qhead = (uint8_t)((c->qhead + 1) % QCAP);
		c->qlen--;
		if (c->qlen > 0 || refill(g, c)) {
			heap_sift_top(g);
			continue;
		}
		/* c is over: the slot takes the next connection shortly after */
		g->open--;
		g->finite_open--;
		if (g->started < o->connections) {
			uint64_t t = c->t + irand(&g->rng, 1 * MS, (uint64_t)(o->lifetime_s * 2e7));

			start_conn(g, c, t);
			heap_sift_top(g);
		} else {
			heap_pop(g);
		}
		if (g->started >= o->connections && g->finite_open == 0)
			break; /* only long-lived ones left: the capture ends */
	}
	flood_until(g, UINT64_MAX - 1);
}

static const char usage_text[] =
	"Usage: gen [OPTION]... -o FILE.pcap\n"
	"Write a deterministic synthetic Ethernet capture of interleaved TCP connections\n"
	"and a truth file of how each ends (finlint's close words).\n"
	"\n"
	"  -o, --output FILE        capture to write ('-' for standard output)\n"
	"  -t, --truth FILE         truth file (TSV: client addr, client port, server addr,\n"
	"                           server port, close, active closer, three-way, scenario)\n"
	"  -n, --connections N      connections in total (default 10000)\n"
	"  -c, --concurrency N      connections open at once (default 1000)\n"
	"  -p, --payload BYTES      payload bytes per data segment (default 1000, max 8960)\n"
	"  -s, --segments N         mean data segments per connection (default 6)\n"
	"      --snaplen BYTES      bytes captured per packet (default 262144; 96 = headers)\n"
	"      --ipv6 PCT           share of IPv6 connections (default 20)\n"
	"      --seed N             random seed (default 1)\n"
	"      --lifetime SECONDS   mean connection lifetime (default 10)\n"
	"      --retrans PCT        chance of a retransmission per exchange (default 1)\n"
	"      --reorder PCT        chance two segments arrive swapped (default 1)\n"
	"      --wrap PCT           chance a side's ISN is near 2^32 (default 5)\n"
	"      --client-close PCT   chance the client is the closer (default 60)\n"
	"      --mix LIST           teardown weights, e.g. clean=50,three-way=10,simultaneous=2,\n"
	"                           half-close=4,abort=8,reset-after-close=5,refused=5,\n"
	"                           vanished=2,not-closed=4,close-wait=0.5 (unnamed ones keep\n"
	"                           their default); not-closed ones stay open and busy until\n"
	"                           the end, at most their share of the slots\n"
	"      --no-checksum        leave IP and TCP checksums zero\n"
	"      --flood N            add a SYN flood: N SYNs from distinct spoofed 4-tuples\n"
	"                           (100.64.0.0/10 to 10.0.0.1:80), never completed, not in\n"
	"                           the truth file (default 0)\n"
	"      --flood-span SECONDS spread them evenly over this time from 0 (default 10)\n"
	"      --flood-synack PCT   share answered by one SYN-ACK, as with SYN cookies\n"
	"                           (default 0)\n"
	"  -h, --help               show this help\n";

static void die(const char *msg, const char *arg)
{
	fprintf(stderr, "gen: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	exit(2);
}

static double num_arg(const char *s, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		die("bad number", s);
	return v;
}

static void parse_mix(struct options *o, char *list)
{
	for (char *tok = strtok(list, ","); tok != NULL; tok = strtok(NULL, ",")) {
		char *eq = strchr(tok, '=');
		unsigned i;

		if (eq == NULL)
			die("bad --mix entry (want name=weight)", tok);
		*eq = '\0';
		for (i = 0; i < SC_COUNT; i++)
			if (strcmp(tok, scenario_names[i]) == 0)
				break;
		if (i == SC_COUNT)
			die("unknown teardown in --mix", tok);
		o->weight[i] = num_arg(eq + 1, 0, 1e9);
	}
}

int main(int argc, char **argv)
{
	enum { O_SNAP = 256, O_V6, O_SEED, O_LIFE, O_RETX, O_REORD, O_WRAP, O_CC, O_MIX, O_NOCK,
	       O_FLOOD, O_FLOOD_SPAN, O_FLOOD_SYNACK };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "truth", required_argument, NULL, 't' },
		{ "connections", required_argument, NULL, 'n' },
		{ "concurrency", required_argument, NULL, 'c' },
		{ "payload", required_argument, NULL, 'p' },
		{ "segments", required_argument, NULL, 's' },
		{ "snaplen", required_argument, NULL, O_SNAP },
		{ "ipv6", required_argument, NULL, O_V6 },
		{ "seed", required_argument, NULL, O_SEED },
		{ "lifetime", required_argument, NULL, O_LIFE },
		{ "retrans", required_argument, NULL, O_RETX },
		{ "reorder", required_argument, NULL, O_REORD },
		{ "wrap", required_argument, NULL, O_WRAP },
		{ "client-close", required_argument, NULL, O_CC },
		{ "mix", required_argument, NULL, O_MIX },
		{ "no-checksum", no_argument, NULL, O_NOCK },
		{ "flood", required_argument, NULL, O_FLOOD },
		{ "flood-span", required_argument, NULL, O_FLOOD_SPAN },
		{ "flood-synack", required_argument, NULL, O_FLOOD_SYNACK },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct gen g;
	struct options *o = &g.o;
	int ch;

	*o = (struct options){
		.connections = 10000,
		.concurrency = 1000,
		.payload = 1000,
		.segments = 6,
		.snaplen = 262144,
		.ipv6_pct = 20,
		.seed = 1,
		.lifetime_s = 10,
		.retrans_pct = 1,
		.reorder_pct = 1,
		.wrap_pct = 5,
		.client_close_pct = 60,
		.checksums = true,
		.flood_span_s = 10,
		.weight = {
			[SC_CLEAN] = 50, [SC_THREE_WAY] = 10, [SC_SIMULTANEOUS] = 2,
			[SC_HALF] = 4, [SC_ABORT] = 8, [SC_RESET_AFTER] = 5,
			[SC_REFUSED] = 5, [SC_VANISHED] = 2, [SC_NOT_CLOSED] = 4,
			[SC_CLOSE_WAIT] = 0.5,
		},
	};
	while ((ch = getopt_long(argc, argv, "o:t:n:c:p:s:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o': o->output = optarg; break;
		case 't': o->truth = optarg; break;
		case 'n': o->connections = (uint64_t)num_arg(optarg, 1, 3e7); break;
		case 'c': o->concurrency = (uint32_t)num_arg(optarg, 1, 1e7); break;
		case 'p': o->payload = (uint32_t)num_arg(optarg, 1, MAX_PAYLOAD); break;
		case 's': o->segments = (uint32_t)num_arg(optarg, 1, 10000); break;
		case O_SNAP: o->snaplen = (uint32_t)num_arg(optarg, 54, 262144); break;
		case O_V6: o->ipv6_pct = num_arg(optarg, 0, 100); break;
		case O_SEED: o->seed = (uint64_t)num_arg(optarg, 0, 1e18); break;
		case O_LIFE: o->lifetime_s = num_arg(optarg, 0.001, 1e6); break;
		case O_RETX: o->retrans_pct = num_arg(optarg, 0, 100); break;
		case O_REORD: o->reorder_pct = num_arg(optarg, 0, 100); break;
		case O_WRAP: o->wrap_pct = num_arg(optarg, 0, 100); break;
		case O_CC: o->client_close_pct = num_arg(optarg, 0, 100); break;
		case O_MIX: parse_mix(o, optarg); break;
		case O_NOCK: o->checksums = false; break;
		case O_FLOOD: o->flood = (uint64_t)num_arg(optarg, 0, 1e10); break;
		case O_FLOOD_SPAN: o->flood_span_s = num_arg(optarg, 0.001, 1e6); break;
		case O_FLOOD_SYNACK: o->flood_synack_pct = num_arg(optarg, 0, 100); break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (o->output == NULL || optind != argc)
		die("give the capture to write with -o FILE (see --help)", NULL);
	if (o->connections / 8 >= (1u << 22))
		die("at most 33554431 connections", NULL);
	for (unsigned i = 0; i < SC_COUNT; i++)
		g.cum_weight[i] = (i > 0 ? g.cum_weight[i - 1] : 0) + o->weight[i];
	if (g.cum_weight[SC_COUNT - 1] <= 0)
		die("the --mix weights are all zero", NULL);
	g.long_lived_cap = (uint64_t)((double)o->concurrency * o->weight[SC_NOT_CLOSED] /
				      g.cum_weight[SC_COUNT - 1]);
	if (g.long_lived_cap >= o->concurrency)
		g.long_lived_cap = o->concurrency - 1; /* keep one slot turning */

	g.out = strcmp(o->output, "-") == 0 ? stdout : fopen(o->output, "wb");
	if (g.out == NULL)
		die(strerror(errno), o->output);
	setvbuf(g.out, NULL, _IOFBF, 1 << 20);
	if (o->truth != NULL) {
		g.truth = fopen(o->truth, "w");
		if (g.truth == NULL)
			die(strerror(errno), o->truth);
		fputs("#client_addr\tclient_port\tserver_addr\tserver_port\tclose\tactive_closer"
		      "\tthree_way\tscenario\n", g.truth);
	}
	g.pcap = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, (int)o->snaplen,
						      PCAP_TSTAMP_PRECISION_MICRO);
	if (g.pcap == NULL)
		die("pcap_open_dead failed", NULL);
	g.dump = pcap_dump_fopen(g.pcap, g.out);
	if (g.dump == NULL)
		die(pcap_geterr(g.pcap), o->output);
	g.frame = calloc(1, 14 + 40 + 60 + MAX_PAYLOAD);
	g.pattern = malloc(PATTERN + MAX_PAYLOAD);
	g.slot = calloc(o->concurrency, sizeof *g.slot);
	g.heap = calloc(o->concurrency, sizeof *g.heap);
	if (g.frame == NULL || g.pattern == NULL || g.slot == NULL || g.heap == NULL)
		die("out of memory", NULL);
	g.rng = o->seed ^ 0x5eed5eed5eedULL;
	{
		uint64_t s = o->seed;

		for (size_t i = 0; i < PATTERN + MAX_PAYLOAD; i++)
			g.pattern[i] = (uint8_t)(splitmix(&s) >> 56);
	}

	run(&g);

	pcap_dump_flush(g.dump);
	if (ferror(g.out) || (g.out != stdout && fclose(g.out) != 0))
		die("write error", o->output);
	if (g.truth != NULL && (ferror(g.truth) || fclose(g.truth) != 0))
		die("write error", o->truth);
	fprintf(stderr,
		"gen: packets=%" PRIu64 " file_bytes=%" PRIu64 " wire_bytes=%" PRIu64
		" connections=%" PRIu64 " peak_open=%" PRIu64 " open_at_end=%" PRIu64
		" duration_s=%.3f flood=%" PRIu64 " flood_synacks=%" PRIu64 "\n",
		g.packets, g.bytes + 24, g.wire_bytes, g.started, g.peak_open, g.open,
		(double)g.last_t / 1e9, g.flood_sent, g.flood_answered);
	fprintf(stderr, "gen: mix");
	for (unsigned i = 0; i < SC_COUNT; i++)
		fprintf(stderr, " %s=%" PRIu64, scenario_names[i], g.class_count[i]);
	fputc('\n', stderr);
	free(g.frame);
	free(g.pattern);
	free(g.slot);
	free(g.heap);
	pcap_close(g.pcap);
	return 0;
}
