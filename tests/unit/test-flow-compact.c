/* test-flow-compact: a connection that has only opened is kept in at most
 * FLOW_COMPACT_MAX bytes and its packets come back exactly; the packet
 * that proves it, or the end, rebuilds the very flow it would have been
 * as a full flow all along, in the same order of activity; and over the
 * cap, compact connections are finished first, then the oldest. */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "flow-compact.h"
#include "flow.h"
#include "tcpstate.h"
#include "zeek.h"

static const uint64_t T0 = 1767225600000000000u, MS = 1000000u;

static struct packet pkt4(uint32_t a, uint16_t ap, uint32_t b, uint16_t bp)
{
	struct packet p = { .family = 4 };

	for (unsigned i = 0; i < 4; i++) {
		p.src[i] = (uint8_t)(a >> (24 - 8 * i));
		p.dst[i] = (uint8_t)(b >> (24 - 8 * i));
	}
	p.sport = ap;
	p.dport = bp;
	return p;
}

static struct packet tcp(struct packet p, uint64_t num, uint64_t ts, uint8_t flags, uint32_t seq,
			 uint32_t ack, uint32_t len)
{
	p.num = num;
	p.ts_ns = ts;
	p.flags = flags;
	p.seq = seq;
	p.ack = ack;
	p.payload_len = len;
	p.payload_caplen = len;
	p.win = 64240;
	return p;
}

static struct packet rev(struct packet p)
{
	struct packet r = p;

	memcpy(r.src, p.dst, 16);
	memcpy(r.dst, p.src, 16);
	r.sport = p.dport;
	r.dport = p.sport;
	return r;
}

static bool same_packet(const struct packet *a, const struct packet *b)
{
	return a->num == b->num && a->ts_ns == b->ts_ns && a->family == b->family &&
	       memcmp(a->src, b->src, 16) == 0 && memcmp(a->dst, b->dst, 16) == 0 &&
	       a->sport == b->sport && a->dport == b->dport && a->seq == b->seq &&
	       a->ack == b->ack && a->win == b->win && a->flags == b->flags &&
	       a->payload_len == b->payload_len &&
	       (a->opt.has & TCPOPT_HAS_WSCALE) == (b->opt.has & TCPOPT_HAS_WSCALE) &&
	       (!(a->opt.has & TCPOPT_HAS_WSCALE) || a->opt.wscale == b->opt.wscale);
}

/* The packets come back as they went in: retransmissions, a SYN-ACK, time
 * stepping back, IPv6; and what does not fit is refused, not cut. */
static void test_round_trip(void)
{
	struct packet c = pkt4(0xc6120001, 40000, 0x0a000001, 80), in[8], out;
	struct flow_compact *fc;
	struct flow_compact_reader r;
	unsigned n = 0, dir, i = 0;
	bool ok = true;

	in[n] = tcp(c, 5, T0, TCP_SYN, 0xfffffff0u, 0, 0);
	in[n].opt.has = TCPOPT_HAS_WSCALE | TCPOPT_HAS_MSS;
	in[n++].opt.wscale = 7;
	in[n] = in[0];
	in[n].num = 9000;
	in[n++].ts_ns = T0 + 1000 * MS; /* retransmitted after 1 s */
	in[n] = tcp(rev(c), 9001, T0 + 1000 * MS + 40000, TCP_SYN | TCP_ACK, 77, 0xfffffff1u, 0);
	in[n].opt.has = TCPOPT_HAS_WSCALE;
	in[n++].opt.wscale = 9;
	in[n++] = tcp(c, 9002, T0 + 997 * MS, TCP_SYN | TCP_ECE | TCP_CWR, 12345, 0, 0);

	fc = flow_compact_new(&in[0], 42);
	CHECK(fc != NULL);
	/* an IPv4 SYN, with room for the SYN-ACK it gets: a 96-byte malloc chunk */
	CHECK(fc->size <= 88);
	for (unsigned k = 1; k < n; k++)
		CHECK(flow_compact_add(&fc, &in[k], k == 2 ? 1 : 0));
	CHECK(offsetof(struct flow_compact, data) + fc->len <= FLOW_COMPACT_MAX);
	CHECK(fc->size <= FLOW_COMPACT_MAX);
	CHECK_U64(fc->id, 42);
	flow_compact_read_begin(&r, fc);
	while (flow_compact_read(&r, &out, &dir)) {
		ok = ok && i < n && same_packet(&out, &in[i]) && dir == (i == 2 ? 1u : 0u);
		i++;
	}
	CHECK(ok);
	CHECK_U64(i, n);
	free(fc);

	/* IPv6 SYN, SYN-ACK: still compact; then SYNs with new ISNs until
	 * one is refused, everything before it intact */
	{
		struct packet s6 = { .family = 6 }, list[16];
		unsigned m = 0;

		s6.src[0] = 0xfd, s6.src[15] = 1, s6.dst[0] = 0xfd, s6.dst[15] = 2;
		s6.sport = 50000, s6.dport = 443;
		list[m++] = tcp(s6, 100, T0, TCP_SYN, 1, 0, 0);
		list[m++] = tcp(rev(s6), 101, T0 + 50000, TCP_SYN | TCP_ACK, 2, 2, 0);
		fc = flow_compact_new(&list[0], 7);
		CHECK(fc != NULL && flow_compact_add(&fc, &list[1], 1));
		for (;;) {
			list[m] = tcp(s6, 200 + m, T0 + m * MS, TCP_SYN, 1000 + m, 0, 0);
			if (!flow_compact_add(&fc, &list[m], 0))
				break;
			m++;
		}
		CHECK(m < 16 && fc->size <= FLOW_COMPACT_MAX);
		i = 0;
		ok = true;
		flow_compact_read_begin(&r, fc);
		while (flow_compact_read(&r, &out, &dir))
			ok = ok && i < m && same_packet(&out, &list[i++]);
		CHECK(ok && i == m);
		free(fc);
	}
	/* only a lone SYN starts one */
	in[0].flags = TCP_SYN | TCP_ACK;
	CHECK(flow_compact_new(&in[0], 1) == NULL);
	in[0].flags = TCP_SYN;
	CHECK(flow_compact_new(&in[0], (uint64_t)1 << 32) == NULL);
	in[0].payload_len = 10;
	CHECK(flow_compact_new(&in[0], 1) == NULL);
}

/* A count of steps and the table whose flows they step. */
struct stepper {
	unsigned *n;
	struct flow_table *t;
};

/* What run.c does with each packet of a flow (but the ladder): the
 * blocks the step allocates are counted, as flow_table_free checks. */
static void step(void *ctx, struct flow *f, unsigned dir, const struct packet *pkt)
{
	struct stepper *s = ctx;

	(*s->n)++;
	if (f->first_packet == 0) {
		f->first_packet = pkt->num;
		f->first_ts = pkt->ts_ns;
		tcp_conn_init(&f->conn, pkt);
	}
	f->last_packet = pkt->num;
	f->last_ts = pkt->ts_ns;
	tcp_conn_step(&f->conn, dir, pkt);
	zeek_step(&f->zeek, dir, pkt);
	flow_table_count_blocks(s->t, f);
}

/* The flows' records, all but the table's bookkeeping; the blocks kept
 * out of line (the event log, RST details) are compared by what they
 * hold, not where. */
static bool same_flow(const struct flow *a, const struct flow *b)
{
	size_t from = offsetof(struct flow, key);
	struct flow x = *a, y = *b;

	if (a->conn.blocks != b->conn.blocks)
		return false;
	for (unsigned i = 0; i < TCP_CONN_BLOCKS; i++) {
		size_t ua, ub;
		const void *pa = tcp_conn_block(&a->conn, i, &ua), *pb = tcp_conn_block(&b->conn, i, &ub);

		if (pa != NULL && (ua != ub || memcmp(pa, pb, tcp_conn_block_size(i)) != 0))
			return false;
	}
	x.conn.ep[0].rst = x.conn.ep[1].rst = y.conn.ep[0].rst = y.conn.ep[1].rst = NULL;
	x.conn.ep[0].fin = x.conn.ep[1].fin = y.conn.ep[0].fin = y.conn.ep[1].fin = NULL;
	x.conn.ep[0].odd = x.conn.ep[1].odd = y.conn.ep[0].odd = y.conn.ep[1].odd = NULL;
	x.conn.events = y.conn.events = NULL;
	return memcmp((const char *)&x + from, (const char *)&y + from, sizeof x - from) == 0;
}

/* The same packets through a table that keeps connections compact and one
 * that does not: the same flows, finished in the same order. */
static void test_promotion(void)
{
	struct flow_table *tc = flow_table_new(), *tf = flow_table_new();
	struct packet a = pkt4(0x0a090001, 50001, 0x0a000001, 80);
	struct packet b = pkt4(0xc6120001, 40001, 0x0a000001, 80);
	struct packet c = pkt4(0xc6120002, 40002, 0x0a000001, 80);
	struct packet e = pkt4(0x0a090002, 50002, 0x0a000001, 80);
	struct packet d = { .family = 6 }, seq[32];
	unsigned n = 0, replayed = 0, stepped = 0, kept = 0;
	bool ok = true;

	d.src[0] = 0xfd, d.src[15] = 3, d.dst[0] = 0xfd, d.dst[15] = 4, d.sport = 1, d.dport = 2;
	seq[n++] = tcp(e, 1, T0, TCP_ACK | TCP_PSH, 500, 600, 100); /* mid-stream: full */
	seq[n++] = tcp(a, 2, T0 + 1 * MS, TCP_SYN, 1000, 0, 0);
	seq[n++] = tcp(b, 3, T0 + 2 * MS, TCP_SYN, 2000, 0, 0);     /* never answered */
	seq[n++] = tcp(rev(a), 4, T0 + 3 * MS, TCP_SYN | TCP_ACK, 9000, 1001, 0);
	seq[n++] = tcp(c, 5, T0 + 4 * MS, TCP_SYN, 3000, 0, 0);
	seq[n++] = tcp(d, 6, T0 + 5 * MS, TCP_SYN, 4000, 0, 0);
	seq[n++] = tcp(rev(e), 7, T0 + 6 * MS, TCP_ACK, 600, 600, 0);
	seq[n++] = tcp(c, 8, T0 + 1004 * MS, TCP_SYN, 3000, 0, 0); /* retransmitted */
	seq[n++] = tcp(rev(d), 9, T0 + 1005 * MS, TCP_SYN | TCP_ACK, 8000, 4001, 0);
	seq[n++] = tcp(a, 10, T0 + 1006 * MS, TCP_ACK, 1001, 9001, 0); /* proves a */
	seq[n++] = tcp(rev(c), 11, T0 + 1007 * MS, TCP_RST | TCP_ACK, 0, 3001, 0);
	seq[n++] = tcp(a, 12, T0 + 1008 * MS, TCP_ACK | TCP_PSH, 1001, 9001, 50);

	struct stepper rc = { &replayed, tc }, sc = { &stepped, tc }, sf = { &stepped, tf };

	flow_table_set_replay(tc, step, &rc, 0);
	for (unsigned i = 0; i < n; i++) {
		struct flow_key k;
		uint64_t h = flow_table_key(&seq[i], &k);
		unsigned dc, df;
		struct flow *fc = flow_table_lookup(tc, &seq[i], &k, h, &dc);
		struct flow *ff = flow_table_get_keyed(tf, &seq[i], &k, h, &df);

		ok = ok && dc == df;
		if (fc != NULL)
			step(&sc, fc, dc, &seq[i]);
		else
			kept++;
		step(&sf, ff, df, &seq[i]);
	}
	CHECK(ok);
	CHECK_U64(kept, 7); /* SYNs, SYN-ACKs, the retransmission */
	CHECK_U64(replayed, 4); /* a's SYN and SYN-ACK, c's SYN twice: a, c rebuilt */
	CHECK_U64(flow_table_count(tc), 5);
	/* b and d are still compact: the table is smaller by two full flows */
	CHECK(flow_table_bytes(tc) + 2 * (sizeof(struct flow) - FLOW_COMPACT_MAX) <=
	      flow_table_bytes(tf));

	/* least recently active first, across both kinds: b (last packet 3,
	 * compact), e (7), d (9, compact), c (11), a (12); the same flows in
	 * the same order from both tables */
	for (unsigned i = 0; i < 5; i++) {
		static const uint64_t order[5] = { 3, 1, 5, 4, 2 };
		struct flow *x = flow_table_oldest(tc), *y = flow_table_oldest(tf);

		CHECK(x != NULL && y != NULL && x->id == y->id && same_flow(x, y));
		CHECK(x != NULL && x->id == order[i]);
		if (x == NULL || y == NULL)
			break;
		zeek_conn_free(&x->zeek);
		zeek_conn_free(&y->zeek);
		flow_table_remove(tc, x);
		flow_table_remove(tf, y);
	}
	CHECK(flow_table_oldest(tc) == NULL);
	CHECK_U64(replayed, 7); /* b's SYN, d's SYN and SYN-ACK at the end */
	flow_table_free(tc);
	flow_table_free(tf);
}

/* Over the cap: compact connections first, oldest first, then full flows
 * by last activity across the open and closed lists; each is marked. */
static void test_cap(void)
{
	struct flow_table *t = flow_table_new();
	unsigned replayed = 0, got = 0;
	uint64_t num = 0, last = 0, ids_ok = 1, cap;
	struct flow *f, *full[3];
	unsigned dir;

	struct stepper rc = { &replayed, t };

	flow_table_set_replay(t, step, &rc, 0);
	for (unsigned i = 0; i < 3; i++) {
		struct packet p = tcp(pkt4(0x0a090000 + i, 5000, 0x0a000001, 80), num + 1,
				      T0 + num + 1, TCP_ACK, 1, 1, 10);

		num++;
		full[i] = flow_table_get(t, &p, &dir);
		step(&rc, full[i], dir, &p);
	}
	flow_table_mark_closed(t, full[1], false);
	for (unsigned i = 0; i < 200; i++) {
		struct packet p = tcp(pkt4(0xc6120000 + i, 4000, 0x0a000001, 80), num + 1,
				      T0 + num + 1, TCP_SYN, i, 0, 0);
		struct flow_key k;
		uint64_t h = flow_table_key(&p, &k);

		num++;
		CHECK(flow_table_lookup(t, &p, &k, h, &dir) == NULL);
	}
	{
		/* full[0] was touched last: it is the newest now */
		struct packet p = tcp(pkt4(0x0a090000, 5000, 0x0a000001, 80), num + 1,
				      T0 + num + 1, TCP_ACK, 11, 1, 0);

		num++;
		CHECK(flow_table_get(t, &p, &dir) == full[0]);
	}
	CHECK(flow_table_over_cap(t) == NULL); /* no cap */
	cap = flow_table_bytes(t) - 1000;
	flow_table_set_cap(t, cap, 0);
	while ((f = flow_table_over_cap(t)) != NULL) {
		ids_ok = ids_ok && f->finished_early && f->id > last && f->id > 3;
		last = f->id;
		got++;
		zeek_conn_free(&f->zeek);
		flow_table_remove(t, f);
	}
	CHECK(ids_ok);
	CHECK(got >= 1 && got < 200);
	CHECK(flow_table_bytes(t) <= cap && flow_table_bytes(t) + 200 > cap);
	CHECK_U64(flow_table_finished_early(t), got);

	/* a tiny cap: every compact one goes, then the full flows by last
	 * activity, closed or open: full[1] (packet 2), full[2] (3), full[0] */
	flow_table_set_cap(t, 1, 0);
	last = 0;
	while ((f = flow_table_over_cap(t)) != NULL && f->id > 3) {
		ids_ok = ids_ok && f->id > last;
		last = f->id;
		got++;
		zeek_conn_free(&f->zeek);
		flow_table_remove(t, f);
	}
	CHECK(ids_ok);
	CHECK_U64(got, 200);
	CHECK(f != NULL && f->id == 2 && f->finished_early && f->link.list == FLOW_CLOSED);
	flow_table_remove(t, f);
	f = flow_table_over_cap(t);
	CHECK(f != NULL && f->id == 3);
	flow_table_remove(t, f);
	f = flow_table_over_cap(t);
	CHECK(f != NULL && f->id == 1);
	flow_table_remove(t, f);
	CHECK(flow_table_over_cap(t) == NULL);
	CHECK_U64(flow_table_finished_early(t), 203);
	CHECK_U64(flow_table_count(t), 0);
	flow_table_free(t);
}

/* Compact only once `after` connections are in their opening at once, or
 * once the cap has been reached: below that a SYN makes a full flow. */
static void test_threshold(void)
{
	struct flow_table *t = flow_table_new();
	unsigned replayed = 0, stepped = 0, dir;
	struct flow *f[3];
	struct flow_key k;
	uint64_t h;

	struct stepper rc = { &replayed, t }, sc = { &stepped, t };

	flow_table_set_replay(t, step, &rc, 3);

	for (unsigned i = 0; i < 3; i++) {
		struct packet p = tcp(pkt4(0xc6120000 + i, 4000, 0x0a000001, 80), i + 1, T0 + i,
				      TCP_SYN, i, 0, 0);

		h = flow_table_key(&p, &k);
		f[i] = flow_table_lookup(t, &p, &k, h, &dir);
		CHECK(f[i] != NULL && f[i]->opening && f[i]->link.list == FLOW_OPENING);
		step(&sc, f[i], dir, &p);
	}
	{
		/* three in their opening: the fourth SYN is kept compact */
		struct packet p = tcp(pkt4(0xc6120003, 4000, 0x0a000001, 80), 4, T0 + 4, TCP_SYN, 3,
				      0, 0);

		h = flow_table_key(&p, &k);
		CHECK(flow_table_lookup(t, &p, &k, h, &dir) == NULL);
	}
	{
		/* a SYN-ACK keeps f[0] opening, its ACK ends that */
		struct packet p = tcp(pkt4(0x0a000001, 80, 0xc6120000, 4000), 5, T0 + 5,
				      TCP_SYN | TCP_ACK, 70, 1, 0);

		h = flow_table_key(&p, &k);
		CHECK(flow_table_lookup(t, &p, &k, h, &dir) == f[0] && f[0]->opening);
		p = tcp(pkt4(0xc6120000, 4000, 0x0a000001, 80), 6, T0 + 6, TCP_ACK, 1, 71, 0);
		CHECK(flow_table_lookup(t, &p, &k, h, &dir) == f[0] && !f[0]->opening &&
		      f[0]->link.list == FLOW_OPEN);
	}
	{
		/* two opening, one compact: still three */
		struct packet p = tcp(pkt4(0xc6120004, 4000, 0x0a000001, 80), 7, T0 + 7, TCP_SYN, 4,
				      0, 0);

		h = flow_table_key(&p, &k);
		CHECK(flow_table_lookup(t, &p, &k, h, &dir) == NULL);
	}
	flow_table_remove(t, f[1]);
	flow_table_remove(t, f[2]);
	{
		/* zero opening, two compact: below three, full again */
		struct packet p = tcp(pkt4(0xc6120005, 4000, 0x0a000001, 80), 8, T0 + 8, TCP_SYN, 5,
				      0, 0);

		h = flow_table_key(&p, &k);
		f[1] = flow_table_lookup(t, &p, &k, h, &dir);
		CHECK(f[1] != NULL && f[1]->opening);
	}
	CHECK_U64(flow_table_count(t), 4);
	CHECK_U64(replayed, 0);
	/* over the cap, those still opening go first, compact or full, by
	 * last activity (packets 4, 7, 8), then f[0], which completed */
	flow_table_set_cap(t, 1, 0);
	for (unsigned i = 0; i < 4; i++) {
		static const uint64_t order[4] = { 4, 5, 6, 1 };
		struct flow *g = flow_table_over_cap(t);

		CHECK(g != NULL && g->id == order[i] && g->finished_early);
		if (g == NULL)
			break;
		zeek_conn_free(&g->zeek);
		flow_table_remove(t, g);
	}
	CHECK_U64(replayed, 2);
	CHECK_U64(flow_table_count(t), 0);
	flow_table_free(t);
}

int main(void)
{
	test_round_trip();
	test_promotion();
	test_cap();
	test_threshold();
	return check_done("test-flow-compact");
}
