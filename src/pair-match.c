/* pair-match: which connection at one point is which at the other, how
 * the two clocks differ, and what became of every packet between the
 * points.
 *
 * Connections are matched by their ISNs and server port (ISNs survive a
 * NAT that rewrites addresses and ports), or, with no SYN at either
 * point, by their 4-tuple.  The clock offset comes from the handshake
 * seen at both points: the SYN crosses toward the server side and the
 * SYN-ACK back, so the mean of the two time differences is the offset
 * and half their difference the one-way delay.  Packets are matched by
 * direction, seq, ack, flags and payload length (and IP ID where the
 * path leaves it alone), nearest in corrected time first. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "finlint.h"
#include "pair.h"
#include "tcpstate.h"

/* Two copies of one packet are never further apart than this in
 * corrected time: longer than any queue, shorter than most retransmission
 * series. */
#define PAIR_WINDOW_NS (NS_PER_S)

static bool same_tuple(const struct pair_conn *a, const struct pair_conn *b)
{
	unsigned len = a->family == 6 ? 16 : 4;

	return a->family == b->family && a->port[0] == b->port[0] && a->port[1] == b->port[1] &&
	       memcmp(a->addr[0], b->addr[0], len) == 0 && memcmp(a->addr[1], b->addr[1], len) == 0;
}

static bool flipped_tuple(const struct pair_conn *a, const struct pair_conn *b)
{
	unsigned len = a->family == 6 ? 16 : 4;

	return a->family == b->family && a->port[0] == b->port[1] && a->port[1] == b->port[0] &&
	       memcmp(a->addr[0], b->addr[1], len) == 0 && memcmp(a->addr[1], b->addr[0], len) == 0;
}

static uint64_t absdiff(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

/* Whether b, at the server side, can be a, at the client side; *flip when
 * b's sides are a's the other way round (both picked up mid-stream). */
static bool could_be(const struct pair_conn *a, const struct pair_conn *b, bool *flip)
{
	*flip = false;
	if (a->isn_known[0] && b->isn_known[0]) {
		/* a NAT may change addresses and the client's port, not the ISNs */
		if (a->isn[0] != b->isn[0] || a->port[1] != b->port[1])
			return false;
		return !(a->isn_known[1] && b->isn_known[1] && a->isn[1] != b->isn[1]);
	}
	if (same_tuple(a, b))
		return true;
	*flip = flipped_tuple(a, b);
	return *flip;
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return a < b ? -1 : a > b;
}

static int64_t median(int64_t *v, unsigned n)
{
	qsort(v, n, sizeof *v, cmp_i64);
	return n % 2 ? v[n / 2] : v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
}

static struct pair_match *add_match(struct pair *p, uint32_t a, uint32_t b, bool flip)
{
	struct pair_match *m;

	if (p->nmatch == p->match_cap) {
		p->match_cap = p->match_cap ? 2 * p->match_cap : 16;
		p->match = xrealloc(p->match, p->match_cap, sizeof *p->match);
	}
	m = &p->match[p->nmatch++];
	memset(m, 0, sizeof *m);
	m->conn[0] = a;
	m->conn[1] = b;
	m->flipped = flip;
	p->point[0].conn[a].match = b;
	p->point[1].conn[b].match = a;
	/* a point that missed the handshake takes the ISNs of the other:
	 * they survive NAT, and its packets' relative numbers then agree */
	for (unsigned s = 0; s < 2 && !flip; s++) {
		struct pair_conn *x = &p->point[0].conn[a], *y = &p->point[1].conn[b];

		if (x->isn_known[s] && !y->isn_known[s]) {
			y->isn_known[s] = true;
			y->isn[s] = x->isn[s];
		} else if (y->isn_known[s] && !x->isn_known[s]) {
			x->isn_known[s] = true;
			x->isn[s] = y->isn[s];
		}
	}
	return m;
}

/* Server-side connections by client ISN, for the look-up below. */
static const struct pair_point *sort_point;

static int cmp_by_isn(const void *x, const void *y)
{
	const struct pair_conn *a = &sort_point->conn[*(const uint32_t *)x];
	const struct pair_conn *b = &sort_point->conn[*(const uint32_t *)y];

	if (a->isn_known[0] != b->isn_known[0])
		return a->isn_known[0] ? 1 : -1;
	if (a->isn[0] != b->isn[0])
		return a->isn[0] < b->isn[0] ? -1 : 1;
	return *(const uint32_t *)x < *(const uint32_t *)y ? -1 : 1;
}

/* The best server-side candidate so far for one client-side connection. */
struct best {
	uint32_t j;
	bool flip, same;
	uint64_t gap;
};

/* Consider server-side connection j for a: the same 4-tuple first, then
 * the nearest first packet in time. */
static void consider(const struct pair_point *s, const struct pair_conn *a, uint32_t j,
		     struct best *best)
{
	const struct pair_conn *b = &s->conn[j];
	uint64_t gap = absdiff(a->pkt[0].ts, b->pkt[0].ts);
	bool flip, same;

	if (b->match != PAIR_NONE || !could_be(a, b, &flip))
		return;
	same = same_tuple(a, b);
	if (best->j == PAIR_NONE || (same && !best->same) || (same == best->same && gap < best->gap))
		*best = (struct best){ j, flip, same, gap };
}

/* Match each client-side connection with the server-side one that is
 * the same: by client ISN (a binary search), or, when none matches or a
 * point missed the handshake, by 4-tuple. */
static void match_conns(struct pair *p)
{
	const struct pair_point *s = &p->point[1];
	uint32_t *order = xmalloc((s->n + 1) * sizeof *order);
	uint32_t lo = 0;

	for (uint32_t i = 0; i < s->n; i++)
		order[i] = i;
	sort_point = s;
	qsort(order, s->n, sizeof *order, cmp_by_isn);
	while (lo < s->n && !s->conn[order[lo]].isn_known[0])
		lo++; /* [0, lo): no ISN */
	for (uint32_t i = 0; i < p->point[0].n; i++) {
		const struct pair_conn *a = &p->point[0].conn[i];
		struct best best = { PAIR_NONE, false, false, UINT64_MAX };

		if (a->isn_known[0]) {
			/* the range of server-side connections with a's client ISN */
			uint32_t l = lo, h = s->n;

			while (l < h) {
				uint32_t mid = l + (h - l) / 2;

				if (s->conn[order[mid]].isn[0] < a->isn[0])
					l = mid + 1;
				else
					h = mid;
			}
			for (; l < s->n && s->conn[order[l]].isn[0] == a->isn[0]; l++)
				consider(s, a, order[l], &best);
			/* the server side missed the handshake: by 4-tuple */
			for (uint32_t j = 0; j < lo && best.j == PAIR_NONE; j++)
				consider(s, a, order[j], &best);
		} else {
			/* the client side missed it: any by 4-tuple */
			for (uint32_t j = 0; j < s->n; j++)
				consider(s, a, order[j], &best);
		}
		if (best.j != PAIR_NONE) {
			struct pair_match *m = add_match(p, i, best.j, best.flip);

			m->translated = !best.same && !best.flip;
		}
	}
	free(order);
	for (unsigned pt = 0; pt < 2; pt++)
		for (uint32_t i = 0; i < p->point[pt].n; i++)
			if (p->point[pt].conn[i].match == PAIR_NONE)
				p->only[pt]++;
}

/* Estimate each matched connection's offset and delay from its
 * handshake, and the run's from their medians. */
static void estimate_clock(struct pair *p)
{
	int64_t *off = xmalloc((p->nmatch + 1) * sizeof *off);
	int64_t *del = xmalloc((p->nmatch + 1) * sizeof *del);
	unsigned n = 0;

	for (uint32_t i = 0; i < p->nmatch; i++) {
		struct pair_match *m = &p->match[i];
		const struct pair_conn *a = &p->point[0].conn[m->conn[0]];
		const struct pair_conn *b = &p->point[1].conn[m->conn[1]];
		int64_t d_syn, d_synack;

		if (!a->syn_seen || !a->synack_seen || !b->syn_seen || !b->synack_seen)
			continue;
		d_syn = (int64_t)(b->syn_ts - a->syn_ts);
		d_synack = (int64_t)(b->synack_ts - a->synack_ts);
		m->clocked = true;
		m->offset_ns = d_syn / 2 + d_synack / 2 + (d_syn % 2 + d_synack % 2) / 2;
		m->delay_ns = (d_syn - d_synack) / 2;
		off[n] = m->offset_ns;
		del[n] = m->delay_ns;
		n++;
	}
	p->clocked = n;
	if (n > 0) {
		p->offset_ns = median(off, n);
		p->delay_ns = median(del, n);
	}
	free(off);
	free(del);
}

/* One candidate copy: packet i at the client side, j at the server side. */
struct cand {
	uint64_t score;
	uint32_t i, j;
};

static int cmp_cand(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;

	if (a->score != b->score)
		return a->score < b->score ? -1 : 1;
	if (a->i != b->i)
		return a->i < b->i ? -1 : 1;
	return a->j < b->j ? -1 : a->j > b->j;
}

static bool same_header(const struct pair_pkt *x, const struct pair_pkt *y)
{
	return x->seq == y->seq && x->ack == y->ack && x->flags == y->flags && x->len == y->len;
}

/* Whether the path between the points leaves dir's IP IDs alone: the
 * first packet of dir at each point, when it is the same packet by its
 * header (a SYN, a SYN-ACK), has the same ID at both. */
static bool ids_kept(const struct pair_conn *a, const struct pair_conn *b, unsigned dir, bool flip)
{
	const struct pair_pkt *x = NULL, *y = NULL;

	for (uint32_t i = 0; i < a->n && x == NULL; i++)
		if (a->pkt[i].dir == dir)
			x = &a->pkt[i];
	for (uint32_t j = 0; j < b->n && y == NULL; j++)
		if ((b->pkt[j].dir ^ flip) == dir)
			y = &b->pkt[j];
	return x != NULL && y != NULL && same_header(x, y) && x->ip_id == y->ip_id;
}

/* Where a packet seen at point pt at time t would be at the other
 * point's clock: offset, and the delay in the direction it travels. */
int64_t pair_other_time(const struct pair *p, const struct pair_match *m, unsigned pt,
			unsigned dir, uint64_t t)
{
	int64_t off = m->clocked ? m->offset_ns : p->offset_ns;
	int64_t del = m->clocked ? m->delay_ns : p->delay_ns;
	/* toward the server side the packet arrives later by the delay */
	int64_t shift = off + (dir == 0 ? del : -del);

	return pt == 0 ? (int64_t)t + shift : (int64_t)t - shift;
}

/* Give every packet of match m a verdict. */
static void match_packets(struct pair *p, struct pair_match *m)
{
	struct pair_conn *a = &p->point[0].conn[m->conn[0]];
	struct pair_conn *b = &p->point[1].conn[m->conn[1]];
	struct cand *cand = NULL;
	size_t ncand = 0, cap = 0;
	bool keep_id[2] = { ids_kept(a, b, 0, m->flipped), ids_kept(a, b, 1, m->flipped) };

	/* every pair with the same header, near enough in time; both lists
	 * are in time order, so the server side's is walked with a window */
	uint32_t lo = 0;
	int64_t del = m->clocked ? m->delay_ns : p->delay_ns;
	int64_t slack = (int64_t)PAIR_WINDOW_NS + 2 * (del < 0 ? -del : del);

	for (uint32_t i = 0; i < a->n; i++) {
		const struct pair_pkt *x = &a->pkt[i];
		int64_t want = pair_other_time(p, m, 0, x->dir, x->ts);

		while (lo < b->n && (int64_t)b->pkt[lo].ts < want - slack)
			lo++;
		for (uint32_t j = lo; j < b->n && (int64_t)b->pkt[j].ts <= want + slack; j++) {
			const struct pair_pkt *y = &b->pkt[j];
			uint64_t score;

			if ((unsigned)(y->dir ^ m->flipped) != x->dir || !same_header(x, y) ||
			    (keep_id[x->dir] && x->ip_id != y->ip_id))
				continue;
			score = (uint64_t)(want > (int64_t)y->ts ? want - (int64_t)y->ts :
								   (int64_t)y->ts - want);
			if (score > PAIR_WINDOW_NS)
				continue;
			if (ncand == cap) {
				cap = cap ? 2 * cap : 64;
				cand = xrealloc(cand, cap, sizeof *cand);
			}
			cand[ncand++] = (struct cand){ score, i, j };
		}
	}
	/* the nearest first: a retransmission's copy is nearer to it than
	 * to the lost original */
	if (ncand > 1)
		qsort(cand, ncand, sizeof *cand, cmp_cand);
	for (size_t c = 0; c < ncand; c++) {
		struct pair_pkt *x = &a->pkt[cand[c].i], *y = &b->pkt[cand[c].j];

		if (x->peer != PAIR_NONE || y->peer != PAIR_NONE)
			continue;
		x->peer = cand[c].j;
		y->peer = cand[c].i;
		x->verdict = y->verdict = PAIR_CROSSED;
		m->count[PAIR_CROSSED]++;
	}
	free(cand);
	for (unsigned pt = 0; pt < 2; pt++) {
		struct pair_conn *c = pt == 0 ? a : b;
		const struct pair_point *other = &p->point[!pt];

		for (uint32_t i = 0; i < c->n; i++) {
			struct pair_pkt *k = &c->pkt[i];
			unsigned dir = pt == 0 ? k->dir : (unsigned)(k->dir ^ m->flipped);
			int64_t t;

			if (k->peer != PAIR_NONE)
				continue;
			t = pair_other_time(p, m, pt, dir, k->ts);
			/* before the other capture's first packet it was not
			 * running yet; its end is not recorded (a pcap has no
			 * stop time), so a packet after its last one is judged */
			if (other->packets == 0 || t < (int64_t)other->first_ts)
				k->verdict = PAIR_OUTSIDE;
			else /* the client's own point is the client side's */
				k->verdict = dir == pt ? PAIR_LOST : PAIR_APPEARED;
			m->count[k->verdict]++;
		}
	}
}

/* Whether packets i (sorted by seq) of conn c cover [from, to) exactly,
 * end to end. */
static bool covers(const struct pair_conn *c, const uint32_t *idx, unsigned n, uint32_t from,
		   uint32_t to)
{
	uint32_t at = from;

	for (unsigned i = 0; i < n; i++) {
		if (c->pkt[idx[i]].seq != at)
			return false;
		at += c->pkt[idx[i]].len;
	}
	return n >= 2 && at == to;
}

/* A segment that did not cross whole, whose bytes crossed in pieces: one
 * at one point, the pieces at the other with the complementary verdict
 * (a TSO/GSO segment captured before the NIC cut it, or segments GRO
 * merged before the capture).  All of them are resegmented. */
static void resegmented(struct pair *p, struct pair_match *m)
{
	enum { PIECES_MAX = 64 };
	uint32_t idx[PIECES_MAX];

	for (unsigned pt = 0; pt < 2; pt++) {
		struct pair_conn *c = &p->point[pt].conn[m->conn[pt]];
		struct pair_conn *o = &p->point[!pt].conn[m->conn[!pt]];

		for (uint32_t i = 0; i < c->n; i++) {
			struct pair_pkt *big = &c->pkt[i];
			unsigned dir = pt == 0 ? big->dir : (unsigned)(big->dir ^ m->flipped);
			unsigned want, n = 0;
			int64_t t;

			if ((big->verdict != PAIR_LOST && big->verdict != PAIR_APPEARED) ||
			    big->len == 0 || (big->flags & (TCP_SYN | TCP_RST)))
				continue;
			want = big->verdict == PAIR_LOST ? PAIR_APPEARED : PAIR_LOST;
			t = pair_other_time(p, m, pt, dir, big->ts);
			for (uint32_t j = 0; j < o->n && n < PIECES_MAX; j++) {
				const struct pair_pkt *k = &o->pkt[j];
				unsigned kdir = pt == 0 ? (unsigned)(k->dir ^ m->flipped) : k->dir;
				int64_t gap = (int64_t)k->ts - t;

				if (k->verdict != want || kdir != dir || k->len == 0 ||
				    (k->flags & (TCP_SYN | TCP_RST)) || seq_lt(k->seq, big->seq) ||
				    seq_gt(k->seq + k->len, big->seq + big->len) ||
				    gap > (int64_t)PAIR_WINDOW_NS || gap < -(int64_t)PAIR_WINDOW_NS)
					continue;
				idx[n++] = j;
			}
			/* in seq order (few pieces: insertion) */
			for (unsigned a = 1; a < n; a++)
				for (unsigned b = a; b > 0 && seq_gt(o->pkt[idx[b - 1]].seq,
								     o->pkt[idx[b]].seq); b--) {
					uint32_t x = idx[b];

					idx[b] = idx[b - 1];
					idx[b - 1] = x;
				}
			if (!covers(o, idx, n, big->seq, big->seq + big->len))
				continue;
			m->count[big->verdict]--;
			big->verdict = PAIR_RESEGMENTED;
			m->count[PAIR_RESEGMENTED]++;
			for (unsigned a = 0; a < n; a++) {
				m->count[o->pkt[idx[a]].verdict]--;
				o->pkt[idx[a]].verdict = PAIR_RESEGMENTED;
				m->count[PAIR_RESEGMENTED]++;
			}
		}
	}
}

void pair_match_points(struct pair *p)
{
	match_conns(p);
	estimate_clock(p);
	for (uint32_t i = 0; i < p->nmatch; i++) {
		match_packets(p, &p->match[i]);
		resegmented(p, &p->match[i]);
	}
}
