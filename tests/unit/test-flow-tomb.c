/* test-flow-tomb: tombstones are found by either direction's key, keep
 * what a closed flow told them, survive the index growing and others
 * being removed around them, come out of the expiry queue in the order of
 * their last packets (a touched one later), and take their notes with
 * them. */
#include "config.h"

#include <string.h>

#include "check.h"
#include "finlint.h"
#include "flow-tomb.h"

static struct packet pkt_of(unsigned v6, uint32_t a, uint16_t ap, uint32_t b, uint16_t bp)
{
	struct packet p;

	memset(&p, 0, sizeof p);
	p.family = v6 ? 6 : 4;
	for (unsigned i = 0; i < 4; i++) {
		p.src[(v6 ? 12 : 0) + i] = (uint8_t)(a >> (24 - 8 * i));
		p.dst[(v6 ? 12 : 0) + i] = (uint8_t)(b >> (24 - 8 * i));
	}
	if (v6) {
		p.src[0] = p.dst[0] = 0x20;
		p.src[1] = p.dst[1] = 0x01;
	}
	p.sport = ap;
	p.dport = bp;
	return p;
}

/* Connection i: client 10.0.x.y:(1024 + i % 50000) to server 10.1.0.1:80
 * (or the IPv6 equivalents), closed at i ms, client in TIME_WAIT. */
static void flow_of(struct flow *f, unsigned i, unsigned v6)
{
	struct packet p = pkt_of(v6, 0x0a000000u + i / 50000u, (uint16_t)(1024 + i % 50000u),
				 0x0a010001u, 80);

	memset(f, 0, sizeof *f);
	flow_table_key(&p, &f->key);
	f->family = p.family;
	flow_set_client(f, p.src, p.sport);
	f->id = i + 1;
	f->last_ts = (uint64_t)i * 1000000u;
	f->conn.ep[0].state = TCPS_TIME_WAIT;
	f->conn.ep[0].state_ts = f->last_ts - 1;
	f->conn.ep[1].state = TCPS_CLOSED;
	f->conn.ep[1].state_ts = f->last_ts;
	f->conn.ep[0].snd_nxt = 1000 + i;
	f->conn.ep[1].snd_nxt = 5000 + i;
	f->conn.ep[0].last_ack = 5000 + i;
	f->conn.ep[1].last_ack = 1000 + i;
	f->conn.ep[0].fin_seen = f->conn.ep[1].fin_seen = true;
	/* as tcp_conn_init leaves them (the details as if no packet told) */
	f->conn.ep[0].fin = f->conn.ep[1].fin = &tcp_fin_none;
	f->conn.ep[0].rst = f->conn.ep[1].rst = &tcp_rst_none;
	f->conn.ep[0].odd = f->conn.ep[1].odd = &tcp_odd_none;
	f->conn.reuse = &tcp_reuse_none;
	f->conn.ep[0].isn = 77 + i;
	f->conn.ep[0].isn_known = true;
}

static struct tomb *find(struct tomb_store *s, unsigned i, unsigned v6, bool reverse)
{
	struct packet p = reverse ? pkt_of(v6, 0x0a010001u, 80, 0x0a000000u + i / 50000u,
					   (uint16_t)(1024 + i % 50000u))
				  : pkt_of(v6, 0x0a000000u + i / 50000u,
					   (uint16_t)(1024 + i % 50000u), 0x0a010001u, 80);
	struct flow_key k;
	uint64_t h = flow_table_key(&p, &k);
	struct tomb *t = tomb_find(s, &k, h);

	if (t != NULL)
		CHECK_U64(tomb_dir(t, &p), reverse ? 1 : 0);
	return t;
}

enum { N = 6000 };

int main(void)
{
	struct tomb_store *s = tomb_store_new();
	static struct flow f;
	struct tomb *t;
	unsigned bad = 0;

	for (unsigned i = 0; i < N; i++) {
		flow_of(&f, i, i % 10 == 9);
		CHECK(tomb_add(s, &f));
	}
	CHECK_U64(tomb_count(s), N);
	/* every one, both directions, as it was filed */
	for (unsigned i = 0; i < N; i++) {
		unsigned v6 = i % 10 == 9;
		struct tomb *a = find(s, i, v6, false), *b = find(s, i, v6, true);
		struct flow_side side;

		if (a == NULL || a != b || a->id != i + 1 || a->snd_nxt[0] != 1000 + i ||
		    a->snd_nxt[1] != 5000 + i || a->last_ack[0] != 5000 + i ||
		    tomb_state(a, 0) != TCPS_TIME_WAIT || tomb_state(a, 1) != TCPS_CLOSED ||
		    a->last_ts != (uint64_t)i * 1000000u || a->isn0 != 77 + i || !a->isn0_known ||
		    a->fin_seen != 3 || a->v6 != v6) {
			bad++;
			continue;
		}
		tomb_side(a, 1, &side);
		if (side.port != 80 || side.addr[v6 ? 15 : 3] != 1)
			bad++;
	}
	CHECK_U64(bad, 0);
	/* a flow id too large for 36 bits is not filed */
	flow_of(&f, N + 1, 0);
	f.id = (uint64_t)TOMB_ID_MAX + 1;
	CHECK(!tomb_add(s, &f));

	/* remove every third one through a lookup, note every seventh */
	for (unsigned i = 0; i < N; i += 3) {
		t = find(s, i, i % 10 == 9, i % 2 == 0);
		if (t == NULL) {
			bad++;
			continue;
		}
		tomb_remove(s, t);
	}
	for (unsigned i = 1; i < N; i += 7) {
		if (i % 3 == 0)
			continue;
		t = find(s, i, i % 10 == 9, false);
		if (t == NULL) {
			bad++;
			continue;
		}
		tomb_note(s, t)->others = i;
	}
	CHECK_U64(bad, 0);
	for (unsigned i = 0; i < N; i++) {
		t = find(s, i, i % 10 == 9, false);
		if ((t == NULL) != (i % 3 == 0))
			bad++;
		if (t != NULL && i % 7 == 1) {
			const struct tomb_note *n = tomb_note_get(s, t);

			if (n == NULL || n->others != i || n->record_last_ts != t->last_ts)
				bad++;
		} else if (t != NULL && tomb_note_get(s, t) != NULL) {
			bad++;
		}
	}
	CHECK_U64(bad, 0);
	CHECK_U64(tomb_count(s), N - (N + 2) / 3);

	/* connection 1 gets a late packet: its TIME_WAIT ends later */
	t = find(s, 1, 0, false);
	tomb_touch(t, (uint64_t)N * 1000000u);
	/* the expiry queue: at 60 s after connection i's last packet, the
	 * ones up to i are over, in order, the touched one not */
	{
		uint64_t idle = 60ull * 1000000000u, prev = 0;
		unsigned out = 0;

		while ((t = tomb_expired(s, (uint64_t)(N / 2) * 1000000u + idle, idle)) != NULL) {
			if (t->last_ts < prev || t->id == 2 || t->last_ts > (uint64_t)(N / 2) * 1000000u)
				bad++;
			prev = t->last_ts;
			out++;
			tomb_remove(s, t);
		}
		CHECK_U64(bad, 0);
		/* 0..N/2 less the removed every third, less connection 1 */
		CHECK_U64(out, (N / 2 + 1) - (N / 2 + 3) / 3 - 1);
		/* the rest in order of last packet, the touched one last */
		prev = 0;
		out = 0;
		while ((t = tomb_oldest(s)) != NULL) {
			if (t->last_ts < prev)
				bad++;
			prev = t->last_ts;
			out++;
			tomb_remove(s, t);
		}
		CHECK_U64(bad, 0);
		CHECK_U64(prev, (uint64_t)N * 1000000u);
		CHECK_U64(tomb_count(s), 0);
	}
	/* what is filed again after all that is found again */
	flow_of(&f, 42, 1);
	CHECK(tomb_add(s, &f));
	t = find(s, 42, 1, true);
	CHECK(t != NULL && t->id == 43);
	CHECK(find(s, 43, 1, true) == NULL);
	tomb_store_free(s);
	return check_done("test-flow-tomb");
}
