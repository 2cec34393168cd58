/* test-flow: both directions find one entry, entries survive the table
 * growing and shrinking around them, flows packed (closed ones for
 * their TIME_WAIT, open ones silent for a minute) come back unchanged,
 * and a SYN that reuses a 4-tuple links the new connection to the old. */
#include "config.h"

#include "check.h"
#include "finlint.h"
#include "flow.h"

/* f is want restored: the same bytes but the link, and its event log
 * (three entries), RST and FIN details (side 1) the same where they are kept
 * out of line, wherever that is now. */
static bool restored(const struct flow *f, const struct flow *want,
		     const struct tcp_event *want_events, const struct tcp_rst *want_rst,
		     const struct tcp_fin *want_fin)
{
	struct flow x = *f, y = *want;

	if (f->conn.blocks != (1u << 0 | 1u << 2 | 1u << 4) || f->conn.event_count != 3 ||
	    memcmp(f->conn.events, want_events, 3 * sizeof *want_events) != 0 ||
	    memcmp(f->conn.ep[1].rst, want_rst, sizeof *want_rst) != 0 ||
	    memcmp(f->conn.ep[1].fin, want_fin, sizeof *want_fin) != 0 ||
	    f->conn.ep[0].rst != want->conn.ep[0].rst || f->conn.ep[0].fin != want->conn.ep[0].fin)
		return false;
	x.conn.events = y.conn.events = NULL;
	x.conn.ep[1].rst = y.conn.ep[1].rst = NULL;
	x.conn.ep[1].fin = y.conn.ep[1].fin = NULL;
	return memcmp(&x.key, &y.key, sizeof x - sizeof x.link) == 0;
}

static struct packet make(uint32_t a, uint16_t ap, uint32_t b, uint16_t bp)
{
	struct packet p = { .family = 4 };

	p.src[0] = (uint8_t)(a >> 24); p.src[1] = (uint8_t)(a >> 16);
	p.src[2] = (uint8_t)(a >> 8);  p.src[3] = (uint8_t)a;
	p.dst[0] = (uint8_t)(b >> 24); p.dst[1] = (uint8_t)(b >> 16);
	p.dst[2] = (uint8_t)(b >> 8);  p.dst[3] = (uint8_t)b;
	p.sport = ap;
	p.dport = bp;
	return p;
}

/* One segment of the reuse test: from a to b, at packet num, 1 ms apart. */
static struct packet seg(struct packet p, uint8_t flags, uint32_t seq, uint32_t ack,
			 uint64_t num)
{
	p.flags = flags;
	p.seq = seq;
	p.ack = ack;
	p.num = num;
	p.ts_ns = num * 1000000u;
	p.ttl = 64;
	p.win = 1000;
	return p;
}

/* A connection closed cleanly, client first, so the client holds
 * TIME_WAIT; then the server's host opens a new connection on the same
 * 4-tuple: the new flow's side 0 is the old server, and what it keeps of
 * the old connection (conn.reuse, EV_SYN_REUSE) is by its own sides. */
static void reuse(struct flow_table *t)
{
	struct packet c = make(0x0f000001, 40001, 0x0f000002, 8080);
	struct packet s = make(0x0f000002, 8080, 0x0f000001, 40001);
	struct packet syn;
	struct flow_prev prev;
	struct flow *f, *g;
	unsigned dir;
	const struct {
		bool from_client;
		uint8_t flags;
		uint32_t seq, ack;
	} close[] = {
		{ true, TCP_SYN, 100, 0 },
		{ false, TCP_SYN | TCP_ACK, 900, 101 },
		{ true, TCP_ACK, 101, 901 },
		{ true, TCP_FIN | TCP_ACK, 101, 901 },
		{ false, TCP_ACK, 901, 102 },
		{ false, TCP_FIN | TCP_ACK, 901, 102 },
		{ true, TCP_ACK, 102, 902 },
	};

	for (unsigned i = 0; i < sizeof close / sizeof close[0]; i++) {
		struct packet p = seg(close[i].from_client ? c : s, close[i].flags, close[i].seq,
				      close[i].ack, i + 1);

		f = flow_table_get(t, &p, &dir);
		if (f->first_packet == 0)
			flow_begin(f, &p, NULL);
		f->last_ts = p.ts_ns;
		tcp_conn_step(&f->conn, dir, &p);
	}
	CHECK_U64(f->conn.ep[0].state, TCPS_TIME_WAIT);
	CHECK_U64(f->conn.ep[1].state, TCPS_CLOSED);
	CHECK(!f->conn.reuse->known && f->conn.event_count > 0);
	for (unsigned i = 0; i < f->conn.event_count; i++)
		CHECK(f->conn.events[i].type != EV_SYN_REUSE);

	syn = seg(s, TCP_SYN, 5000, 0, 20);
	flow_prev_note(&prev, f, &syn);
	CHECK_U64(prev.id, f->id);
	CHECK_U64(prev.last_ts, 7000000u);
	flow_table_remove(t, f);
	g = flow_table_get(t, &syn, &dir);
	CHECK_U64(dir, 0);
	CHECK_U64(flow_side_port(g, 0), 8080);
	flow_begin(g, &syn, &prev);
	CHECK_U64(g->first_packet, 20);
	CHECK_U64(g->conn.reuse->prev_id, prev.id);
	CHECK_U64(g->conn.reuse->prev_last_ts, 7000000u);
	CHECK(g->conn.reuse->known);
	CHECK_U64(g->conn.reuse->state[0], TCPS_CLOSED);    /* the old server */
	CHECK_U64(g->conn.reuse->state[1], TCPS_TIME_WAIT); /* the old client */
	CHECK_U64(g->conn.reuse->state_ts[1], 6000000u);   /* its FIN's ACK, packet 6 */
	CHECK_U64(g->conn.reuse->snd_nxt[0], 902);
	CHECK_U64(g->conn.reuse->snd_nxt[1], 102);
	CHECK_U64(g->conn.event_count, 1);
	CHECK_U64(g->conn.events[0].type, EV_SYN_REUSE);
	CHECK_U64(g->conn.events[0].pkt, 20);
	CHECK_U64(g->conn.events[0].dir, 0);
	CHECK_U64(g->conn.events[0].a, 5000);
	CHECK_U64(g->conn.events[0].b, 902);
	/* the SYN itself steps the new connection as any first SYN does */
	tcp_conn_step(&g->conn, dir, &syn);
	CHECK_U64(g->conn.ep[0].state, TCPS_SYN_SENT);
	CHECK(g->conn.syn_seen && !g->conn.mid_stream);
	flow_table_remove(t, g);
}

/* Two lingers: a closed flow on the fast list ends after the short one
 * even behind an older one that waits for the long one; the oldest of
 * both lists comes first once both are due, and flow_table_oldest takes
 * the less recently active of the two fronts. */
static void two_lingers(void)
{
	struct flow_table *t = flow_table_new();
	const uint64_t s = 1000000000u, base = 7000 * s;
	struct packet slow = make(0x10000001, 41000, 0x10000002, 80);
	struct packet fast = make(0x10000003, 41001, 0x10000002, 80);
	struct flow *a, *b;
	unsigned dir;

	slow.ts_ns = base;
	slow.num = 9000001;
	fast.ts_ns = base + 1 * s;
	fast.num = 9000002;
	a = flow_table_get(t, &slow, &dir);
	b = flow_table_get(t, &fast, &dir);
	CHECK(a != NULL && b != NULL && a != b);
	flow_table_mark_closed(t, a, false);
	flow_table_mark_closed(t, b, true);
	CHECK(flow_is_closed(a) && flow_is_closed(b) && b->link.list == FLOW_CLOSED_FAST);
	/* marking again moves nothing */
	flow_table_mark_closed(t, b, false);
	CHECK(b->link.list == FLOW_CLOSED_FAST);
	/* at +3.5 s only the fast one is due (3 s), the slow one not (10 s) */
	CHECK(flow_table_closed_idle(t, base + 3 * s, 10 * s, 3 * s) == NULL);
	CHECK(flow_table_closed_idle(t, base + 4 * s, 10 * s, 3 * s) == b);
	/* both due: the less recently active first */
	CHECK(flow_table_closed_idle(t, base + 20 * s, 10 * s, 3 * s) == a);
	flow_table_remove(t, a);
	CHECK(flow_table_closed_idle(t, base + 9 * s, 10 * s, 3 * s) == b);
	flow_table_remove(t, b);
	CHECK(flow_table_closed_idle(t, base + 20 * s, 10 * s, 3 * s) == NULL);
	flow_table_free(t);
}

int main(void)
{
	struct flow_table *t = flow_table_new();
	struct packet fwd = make(0x0a000001, 40000, 0x0a000002, 80);
	struct packet rev = make(0x0a000002, 80, 0x0a000001, 40000);
	struct flow *f, *g;
	unsigned dir;
	int lost = 0;

	f = flow_table_get(t, &fwd, &dir);
	CHECK_U64(dir, 0);
	CHECK_U64(f->id, 1);
	g = flow_table_get(t, &rev, &dir);
	CHECK(g == f);
	CHECK_U64(dir, 1);
	CHECK_U64(flow_table_count(t), 1);

	/* The side that spoke first is side 0 whatever the key order. */
	g = flow_table_get(t, &rev, &dir);
	CHECK(g == f && dir == 1);

	/* A capture that begins at the SYN-ACK: its receiver is the client. */
	{
		struct packet sa = make(0x0d000002, 22, 0x0d000001, 51880);

		sa.flags = TCP_SYN | TCP_ACK;
		g = flow_table_get(t, &sa, &dir);
		CHECK_U64(dir, 1);
		CHECK_U64(flow_side_port(g, 0), 51880);
		CHECK_U64(flow_side_port(g, 1), 22);
		sa = make(0x0d000001, 51880, 0x0d000002, 22);
		sa.flags = TCP_ACK;
		CHECK(flow_table_get(t, &sa, &dir) == g && dir == 0);
		flow_table_remove(t, g);
	}

	/* Many flows: growth, then removing every other one must leave the
	 * rest findable (backward-shift deletion). */
	for (uint32_t i = 0; i < 5000; i++) {
		struct packet p = make(0x0b000000 + i, (uint16_t)(1000 + i % 7), 0x0c000001, 443);
		flow_table_get(t, &p, &dir);
	}
	CHECK_U64(flow_table_count(t), 5001);
	CHECK(flow_table_oldest(t) == f);
	for (uint32_t i = 0; i < 5000; i += 2) {
		struct packet p = make(0x0b000000 + i, (uint16_t)(1000 + i % 7), 0x0c000001, 443);
		uint64_t before = flow_table_count(t);

		g = flow_table_get(t, &p, &dir);
		if (flow_table_count(t) != before)
			lost++;
		flow_table_remove(t, g);
	}
	CHECK_U64(lost, 0);
	CHECK_U64(flow_table_count(t), 2501);
	for (uint32_t i = 1; i < 5000; i += 2) {
		struct packet p = make(0x0c000001, 443, 0x0b000000 + i, (uint16_t)(1000 + i % 7));
		uint64_t before = flow_table_count(t);

		g = flow_table_get(t, &p, &dir);
		if (flow_table_count(t) != before || dir != 1)
			lost++;
	}
	CHECK_U64(lost, 0);
	/* the most recently touched flow is the newest, f now the oldest */
	CHECK(flow_table_oldest(t) == f);

	/* A closed flow leaves the open list, so it can expire on its own
	 * clock while older open flows stay; touching it keeps it closed. */
	CHECK(flow_table_closed_idle(t, 0, 0, 0) == NULL);
	flow_table_mark_closed(t, f, false);
	CHECK(flow_table_closed_idle(t, 0, 0, 0) == f);
	g = flow_table_open_idle(t, 0, 0);
	CHECK(g != f && g != NULL);
	g = flow_table_get(t, &fwd, &dir);
	CHECK(g == f && f->link.list == FLOW_CLOSED && flow_table_closed_idle(t, 0, 0, 0) == f);
	flow_table_remove(t, f);
	CHECK(flow_table_closed_idle(t, 0, 0, 0) == NULL);
	CHECK_U64(flow_table_count(t), 2500);

	/* Packed closed flows come back byte for byte, in their place: by a
	 * packet in either direction, and to be finished once idle. */
	{
		struct flow want[3];
		struct tcp_event want_events[3][3];
		struct tcp_rst want_rst[3];
		struct tcp_fin want_fin[3];
		struct packet p[3];
		uint64_t base = 1767225600000000000u;

		for (unsigned i = 0; i < 3; i++) {
			p[i] = make(0x0d000000 + i, 5000, 0x0c000001, 443);
			p[i].ts_ns = base + i * 1000000000u;
			f = flow_table_get(t, &p[i], &dir);
			tcp_conn_init(&f->conn, &p[i]); /* as flow_begin does */
			f->first_ts = p[i].ts_ns - 2500000u;
			f->last_ts = p[i].ts_ns;
			f->conn.ep[0].snd_nxt = 0xfffffff0u - i;
			{
				struct tcp_fin *fin = xcalloc(1, sizeof *fin);

				fin->pkt = 2800000u + i;
				fin->ts = base - 7u;
				f->conn.ep[1].fin = fin;
				want_fin[i] = *fin;
			}
			/* the blocks as tcp_conn_step allocates them */
			f->conn.events = xcalloc(TCP_EVENTS_MAX, sizeof *f->conn.events);
			f->conn.ep[1].rst = xcalloc(1, sizeof(struct tcp_rst));
			f->conn.blocks = 1u << 0 | 1u << 2 | 1u << 4; /* the events, side 1's RST and FIN */
			f->conn.event_count = 3;
			for (unsigned e = 0; e < 3; e++) {
				f->conn.events[e].type = EV_FIN + e;
				f->conn.events[e].pkt = 2800000u + 10 * i + e;
				f->conn.events[e].a = 0xfffffff0u - e;
			}
			((struct tcp_rst *)(uintptr_t)f->conn.ep[1].rst)->ts = base - 3u;
			((struct tcp_rst *)(uintptr_t)f->conn.ep[1].rst)->excerpt[5] = 0x41;
			memcpy(want_events[i], f->conn.events, sizeof want_events[i]);
			want_rst[i] = *f->conn.ep[1].rst;
			strcpy(f->zeek.cur.history, "ShADadFf");
			flow_table_count_blocks(t, f); /* as run.c does after a step */
			flow_table_mark_closed(t, f, false);
			want[i] = *f;
		}
		/* under the budget for whole flows they stay whole; a cap
		 * whose eighth they exceed has them packed */
		flow_table_pack(t, base);
		CHECK_U64(flow_table_packed(t), 2500); /* the open ones, silent since 0 */
		CHECK(!f->link.packed && f->link.list == FLOW_CLOSED);
		flow_table_set_cap(t, 16u << 10, 0); /* 2 KiB for whole flows: not 2 of them */
		flow_table_pack(t, base);
		CHECK_U64(flow_table_packed(t), 2503);
		CHECK_U64(flow_table_count(t), 2503);
		CHECK(flow_table_closed_idle(t, base + 59000000000u, 60000000000u, 60000000000u) == NULL);

		/* the middle one, reached by a reply: restored and now newest */
		p[1] = make(0x0c000001, 443, 0x0d000001, 5000);
		p[1].ts_ns = base + 5000000000u;
		g = flow_table_get(t, &p[1], &dir);
		CHECK_U64(dir, 1);
		CHECK(restored(g, &want[1], want_events[1], &want_rst[1], &want_fin[1]));
		CHECK(g->link.list == FLOW_CLOSED && !g->link.packed);
		CHECK_U64(g->link.last_ts, base + 5000000000u);
		flow_table_pack(t, base);

		/* idle 60 s: first 0, then 2, then 1 (touched last) */
		g = flow_table_closed_idle(t, base + 60000000000u, 60000000000u, 60000000000u);
		CHECK(g != NULL && restored(g, &want[0], want_events[0], &want_rst[0], &want_fin[0]));
		flow_table_remove(t, g);
		CHECK(flow_table_closed_idle(t, base + 60000000000u, 60000000000u, 60000000000u) == NULL);
		g = flow_table_closed_idle(t, base + 62000000000u, 60000000000u, 60000000000u);
		CHECK(g != NULL && restored(g, &want[2], want_events[2], &want_rst[2], &want_fin[2]));
		flow_table_remove(t, g);
		CHECK(flow_table_closed_idle(t, base + 64000000000u, 60000000000u, 60000000000u) == NULL);
		g = flow_table_oldest(t);
		CHECK(g != NULL && g->link.list != FLOW_CLOSED);
		g = flow_table_closed_idle(t, base + 65000000000u, 60000000000u, 60000000000u);
		CHECK(g != NULL && g->conn.ep[0].snd_nxt == 0xfffffff0u - 1 &&
		      strcmp(g->zeek.cur.history, "ShADadFf") == 0);
		flow_table_remove(t, g);
		CHECK_U64(flow_table_count(t), 2500);

		/* Open flows silent for FLOW_PACK_IDLE_S are packed as well (the
		 * 2500 above, all at time 0, were at the first pack): a fresh
		 * one stays as it is until then, and a packed one comes back
		 * whole, on the open list again */
		{
			struct packet q = make(0x0e000001, 6000, 0x0c000001, 443);
			struct flow keep;

			q.ts_ns = base + 100 * NS_PER_S;
			f = flow_table_get(t, &q, &dir);
			tcp_conn_init(&f->conn, &q);
			f->conn.ep[1].snd_nxt = 77;
			keep = *f;
			flow_table_pack(t, q.ts_ns + 59 * NS_PER_S);
			CHECK(!f->link.packed && f->link.list != FLOW_IDLE);
			flow_table_pack(t, q.ts_ns + 60 * NS_PER_S);
			CHECK(flow_table_open_idle(t, q.ts_ns, 0) != NULL); /* the oldest, restored */
			q.ts_ns += 61 * NS_PER_S;
			f = flow_table_get(t, &q, &dir);
			CHECK(!f->link.packed && f->link.list == FLOW_OPEN);
			CHECK(memcmp(&f->key, &keep.key, sizeof *f - sizeof f->link) == 0);
			CHECK(f->conn.ep[1].snd_nxt == 77);
			/* the open flows silent for an hour come first, oldest first */
			g = flow_table_open_idle(t, q.ts_ns, 3600 * NS_PER_S);
			CHECK(g != NULL && g != f && g->last_ts == 0);
			CHECK_U64(flow_table_count(t), 2501);
		}

		/* one left packed: freeing the table frees it (ASan's check) */
		f = flow_table_get(t, &p[0], &dir);
		flow_table_mark_closed(t, f, false);
		flow_table_pack(t, base);
	}
	reuse(t);
	flow_table_free(t);
	two_lingers();
	return check_done("test-flow");
}
