/* tcpstate: rebuild both endpoints' TCP states from the packets of one
 * connection.  Every packet is given to each endpoint's current state
 * handler, once as the sender's and once as the receiver's view; the
 * handlers are the only place states change.  Sequence accounting and
 * events are done once per packet before them. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "artefact.h"
#include "finlint.h"
#include "goodbye.h"
#include "tcpstate.h"

/* The facts about one packet the handlers need, computed once. */
struct seg {
	const struct packet *pkt;
	unsigned from;
	bool syn, ack, fin, rst;
	bool acks_fin[2];  /* the packet acknowledges side i's FIN */
	bool rst_accepted; /* a RST the receiver would act on */
};

const struct tcp_rst tcp_rst_none;
const struct tcp_fin tcp_fin_none;
const struct tcp_odd tcp_odd_none;
const struct tcp_reuse tcp_reuse_none;

/* The kinds of block (tcpstate.h): where a connection keeps its pointer,
 * the bytes it takes, and what the pointer is without it. */
static const struct block_kind {
	size_t at;
	size_t size;
	const void *none;
} block_kind[TCP_CONN_BLOCKS] = {
	[TCP_BLOCK_EVENTS] = { offsetof(struct tcp_conn, events),
			       TCP_EVENTS_MAX * sizeof(struct tcp_event), NULL },
	[TCP_BLOCK_RST] = { offsetof(struct tcp_conn, ep[0].rst), sizeof(struct tcp_rst),
			    &tcp_rst_none },
	[TCP_BLOCK_RST + 1] = { offsetof(struct tcp_conn, ep[1].rst), sizeof(struct tcp_rst),
				&tcp_rst_none },
	[TCP_BLOCK_FIN] = { offsetof(struct tcp_conn, ep[0].fin), sizeof(struct tcp_fin),
			    &tcp_fin_none },
	[TCP_BLOCK_FIN + 1] = { offsetof(struct tcp_conn, ep[1].fin), sizeof(struct tcp_fin),
				&tcp_fin_none },
	[TCP_BLOCK_ODD] = { offsetof(struct tcp_conn, ep[0].odd), sizeof(struct tcp_odd),
			    &tcp_odd_none },
	[TCP_BLOCK_ODD + 1] = { offsetof(struct tcp_conn, ep[1].odd), sizeof(struct tcp_odd),
				&tcp_odd_none },
	[TCP_BLOCK_TIMELINE] = { offsetof(struct tcp_conn, timeline_rest),
				 2 * sizeof *((struct tcp_conn *)NULL)->timeline_rest, NULL },
	[TCP_BLOCK_REUSE] = { offsetof(struct tcp_conn, reuse), sizeof(struct tcp_reuse),
			      &tcp_reuse_none },
};

_Static_assert(sizeof(struct tcp_event) % 8 == 0 && sizeof(struct tcp_rst) % 8 == 0 &&
		       sizeof(struct tcp_fin) % 8 == 0 && sizeof(struct tcp_odd) % 8 == 0 &&
		       sizeof(struct tcp_transition) % 8 == 0 && sizeof(struct tcp_reuse) % 8 == 0,
	       "blocks are packed in whole words");

/* Block i's pointer, whatever its type (all are object pointers). */
static void *block_ptr(const struct tcp_conn *c, unsigned i)
{
	void *p;

	memcpy(&p, (const char *)c + block_kind[i].at, sizeof p);
	return p;
}

static void block_put(struct tcp_conn *c, unsigned i, const void *p)
{
	memcpy((char *)c + block_kind[i].at, &p, sizeof p);
}

/* Allocate block i, zero.  Out of line: inlined in the state machine,
 * the call made every step save more registers. */
__attribute__((noinline)) static void block_new(struct tcp_conn *c, unsigned i)
{
	block_put(c, i, xcalloc(1, block_kind[i].size));
	c->blocks |= (uint16_t)(1u << i);
}

/* Make sure c has block i: the first write to it allocates it. */
static inline void need_block(struct tcp_conn *c, unsigned i)
{
	if (!(c->blocks & 1u << i))
		block_new(c, i);
}

/* Append a transition to side's timeline while it has room. */
static void add_transition(struct tcp_conn *c, unsigned side, uint8_t state, uint64_t pkt,
			   uint64_t ts)
{
	struct tcp_endpoint *ep = &c->ep[side];
	struct tcp_transition *t;

	if (ep->timeline_count >= TCP_TIMELINE_MAX)
		return;
	if (ep->timeline_count < TCP_TIMELINE_INLINE) {
		t = &ep->timeline[ep->timeline_count];
	} else {
		need_block(c, TCP_BLOCK_TIMELINE);
		t = &c->timeline_rest[side][ep->timeline_count - TCP_TIMELINE_INLINE];
	}
	ep->timeline_count++;
	t->pkt = pkt;
	t->ts = ts;
	t->state = state;
}

/* Move side to state at ts, by packet pkt (0: by a kernel timer). */
static void enter_state(struct tcp_conn *c, unsigned side, uint8_t state, uint64_t pkt,
			uint64_t ts)
{
	struct tcp_endpoint *ep = &c->ep[side];

	if (ep->state == state)
		return;
	ep->state = state;
	ep->state_ts = ts;
	add_transition(c, side, state, pkt, ts);
}

static void set_state(struct tcp_conn *c, unsigned self, uint8_t state, const struct seg *s)
{
	enter_state(c, self, state, s != NULL ? s->pkt->num : 0, s != NULL ? s->pkt->ts_ns : 0);
}

static void add_event(struct tcp_conn *c, uint8_t type, const struct seg *s, uint32_t a,
		      uint32_t b)
{
	struct tcp_event *e;

	if (c->event_count >= TCP_EVENTS_MAX) {
		/* a FIN retransmitted for every packet of a huge capture can
		 * drop billions: stop at the top rather than wrap to 0 */
		if (c->events_dropped < UINT32_MAX)
			c->events_dropped++;
		return;
	}
	need_block(c, TCP_BLOCK_EVENTS);
	e = &c->events[c->event_count++];
	e->pkt = s->pkt->num;
	e->a = a;
	e->b = b;
	e->type = type;
	e->dir = (uint8_t)s->from;
}

/* ---- state handlers: (connection, which endpoint, the packet) ---------- */

static void handle(struct tcp_conn *c, unsigned self, const struct seg *s);

static bool sent(unsigned self, const struct seg *s)
{
	return s->from == self;
}

static bool got_fin(unsigned self, const struct seg *s)
{
	return !sent(self, s) && s->fin;
}

static bool reset_by(unsigned self, const struct seg *s)
{
	return s->rst && s->rst_accepted && !sent(self, s);
}

static void st_unknown(struct tcp_conn *c, unsigned self, const struct seg *s)
{
	if (sent(self, s) && s->syn && !s->ack) {
		set_state(c, self, TCPS_SYN_SENT, s);
	} else if (sent(self, s) && s->syn) {
		set_state(c, self, TCPS_SYN_RECEIVED, s);
	} else if (s->syn && s->ack) {
		/* a SYN-ACK to it: it sent the SYN the capture missed */
		set_state(c, self, TCPS_ESTABLISHED, s);
	} else if (s->syn && !s->ack) {
		/* listening, or no socket at all: its answer will tell */
	} else if (sent(self, s) && s->rst && c->ep[!self].state == TCPS_SYN_SENT) {
		/* refused; but a RST the client must ignore (it does not ack
		 * the SYN, RFC 9293 3.10.7.3) says nothing of the server,
		 * which often answers the SYN right after (a forged reset) */
		if (s->rst_accepted)
			set_state(c, self, TCPS_CLOSED, s);
	} else if (!s->syn) {
		/* Picked up mid-stream: the connection was open before. */
		set_state(c, self, TCPS_ESTABLISHED, s);
		handle(c, self, s);
	}
}

static void st_syn_sent(struct tcp_conn *c, unsigned self, const struct seg *s)
{
	if (!sent(self, s) && s->syn && s->ack)
		set_state(c, self, TCPS_ESTABLISHED, s);
	else if (reset_by(self, s))
		set_state(c, self, TCPS_CLOSED, s);
	else if (sent(self, s) && !s->syn) {
		/* the SYN-ACK was not captured, but the client acts established */
		set_state(c, self, TCPS_ESTABLISHED, s);
		handle(c, self, s);
	}
}

static void st_syn_received(struct tcp_conn *c, unsigned self, const struct seg *s)
{
	if (sent(self, s) && s->fin) {
		set_state(c, self, TCPS_FIN_WAIT_1, s);
	} else if (!sent(self, s) && s->ack && !s->syn) {
		set_state(c, self, TCPS_ESTABLISHED, s);
		handle(c, self, s);
	}
}

static void st_established(struct tcp_conn *c, unsigned self, const struct seg *s)
{
	if (sent(self, s) && s->fin)
		set_state(c, self, TCPS_FIN_WAIT_1, s);
	else if (got_fin(self, s))
		set_state(c, self, TCPS_CLOSE_WAIT, s);
}

static void st_fin_wait_1(struct tcp_conn *c, unsigned self, const struct seg *s)
{
	if (got_fin(self, s) && s->acks_fin[self])
		set_state(c, self, TCPS_TIME_WAIT, s); /* three-way close */
	else if (got_fin(self, s))
		set_state(c, self, TCPS_CLOSING, s); /* the FINs crossed */
	else if (!sent(self, s) && s->acks_fin[self])
		set_state(c, self, TCPS_FIN_WAIT_2, s);
	else if (sent(self, s) && s->acks_fin[!self])
		/* acking the peer's FIN proves it arrived, even when the
		 * capture point saw it before this side's own FIN */
		set_state(c, self, TCPS_CLOSING, s);
}

static void st_fin_wait_2(struct tcp_conn *c, unsigned self, const struct seg *s)
{
	if (got_fin(self, s) || (sent(self, s) && s->acks_fin[!self]))
		set_state(c, self, TCPS_TIME_WAIT, s);
}

static void st_closing(struct tcp_conn *c, unsigned self, const struct seg *s)
{
	if (!sent(self, s) && s->acks_fin[self])
		set_state(c, self, TCPS_TIME_WAIT, s);
}

static void st_close_wait(struct tcp_conn *c, unsigned self, const struct seg *s)
{
	if (sent(self, s) && s->fin && s->ack && !s->acks_fin[!self])
		/* Its FIN does not ack the peer's: it left before the peer's
		 * FIN arrived, which only looked earlier from the capture
		 * point.  The FINs crossed. */
		set_state(c, self, TCPS_FIN_WAIT_1, s);
	else if (sent(self, s) && s->fin)
		set_state(c, self, TCPS_LAST_ACK, s);
}

static void st_last_ack(struct tcp_conn *c, unsigned self, const struct seg *s)
{
	if (!sent(self, s) && s->acks_fin[self])
		set_state(c, self, TCPS_CLOSED, s);
}

static void handle(struct tcp_conn *c, unsigned self, const struct seg *s)
{
	struct tcp_endpoint *ep = &c->ep[self];

	/* Every state from SYN_RECEIVED to LAST_ACK ends on a RST the
	 * endpoint sends or one it accepts, before anything else. */
	if (ep->state >= TCPS_SYN_RECEIVED && ep->state <= TCPS_LAST_ACK &&
	    (reset_by(self, s) || (sent(self, s) && s->rst))) {
		/* RFC 1337: Linux lets a RST end TIME_WAIT early unless
		 * tcp_rfc1337 = 1; record it and follow the default.  A RST
		 * sent from TIME_WAIT means the socket was already gone (for
		 * instance FIN_WAIT_2 expired before the peer's FIN came). */
		if (ep->state == TCPS_TIME_WAIT && reset_by(self, s) && ep->odd->tw_rst_pkt == 0)
			tcp_conn_odd(c, self)->tw_rst_pkt = s->pkt->num;
		set_state(c, self, TCPS_CLOSED, s);
		return;
	}
	switch (ep->state) {
	case TCPS_ESTABLISHED:
		st_established(c, self, s);
		break;
	case TCPS_UNKNOWN:
		st_unknown(c, self, s);
		break;
	case TCPS_SYN_SENT:
		st_syn_sent(c, self, s);
		break;
	case TCPS_SYN_RECEIVED:
		st_syn_received(c, self, s);
		break;
	case TCPS_FIN_WAIT_1:
		st_fin_wait_1(c, self, s);
		break;
	case TCPS_FIN_WAIT_2:
		st_fin_wait_2(c, self, s);
		break;
	case TCPS_CLOSING:
		st_closing(c, self, s);
		break;
	case TCPS_CLOSE_WAIT:
		st_close_wait(c, self, s);
		break;
	case TCPS_LAST_ACK:
		st_last_ack(c, self, s);
		break;
	default: /* TIME_WAIT and CLOSED: only a RST or a timer moves them */
		break;
	}
}

/* ---- accounting done once per packet ------------------------------------ */

/* The first few events of a kind that can repeat for every segment
 * (gaps, data after a FIN) are logged; counters keep the rest. */
enum { EVENTS_PER_KIND = 3 };

/* A keepalive probe: no SYN/FIN, seq one below what the peer has
 * acknowledged of everything sent, at most one byte. */
static bool is_keepalive(const struct tcp_endpoint *me, const struct tcp_endpoint *peer,
			 const struct seg *s)
{
	const struct packet *pkt = s->pkt;

	return !s->syn && !s->fin && s->ack && pkt->payload_len <= 1 && me->seq_known &&
	       peer->ack_known && peer->last_ack == me->snd_nxt && pkt->seq == me->snd_nxt - 1;
}

/* Classify a RST by how its seq relates to the two streams. */
static uint8_t rst_kind(const struct tcp_endpoint *snd, const struct tcp_endpoint *rcv,
			const struct packet *pkt)
{
	if (!(pkt->flags & TCP_ACK) && rcv->ack_known && pkt->seq == rcv->last_ack)
		return RST_BARE_NO_SOCKET;
	if ((pkt->flags & TCP_ACK) && snd->seq_known && pkt->seq == snd->snd_nxt)
		return RST_ABORT;
	return RST_OTHER;
}

/* RFC 5961 3.2: a RST is acted on only when its seq is what the receiver
 * expects next.  The observer does not know the receiver's exact RCV.NXT,
 * so anything from its last ack up to the sender's stream end counts. */
static bool rst_acceptable(const struct tcp_endpoint *snd, const struct tcp_endpoint *rcv,
			   const struct packet *pkt)
{
	uint32_t seq = pkt->seq;

	/* RFC 9293 3.10.7.3: in SYN-SENT only a RST whose ACK acknowledges
	 * the SYN is acceptable (a forged one often acks the SYN's seq) */
	if (rcv->state == TCPS_SYN_SENT && rcv->isn_known)
		return (pkt->flags & TCP_ACK) && pkt->ack == rcv->isn + 1;
	if (!rcv->ack_known)
		return true;
	if (seq == rcv->last_ack)
		return true;
	return snd->seq_known && seq_geq(seq, rcv->last_ack) && seq_leq(seq, snd->snd_nxt);
}

/* Take back the gap a FIN past the stream end opened, and its event. */
static void fill_fin_gap(struct tcp_conn *c, unsigned side)
{
	struct tcp_odd *o = tcp_conn_odd(c, side); /* allocated at the FIN */

	o->fin_gap_open = false;
	o->gaps--;
	for (unsigned i = 0; i < c->event_count; i++) {
		if (c->events[i].type != EV_GAP || c->events[i].pkt != o->fin_gap_pkt ||
		    c->events[i].dir != side)
			continue;
		memmove(&c->events[i], &c->events[i + 1],
			(c->event_count - i - 1) * sizeof c->events[0]);
		c->event_count--;
		break;
	}
}

/* Who sends in an endpoint's name: its TTLs, apart for data segments,
 * which a middlebox rarely makes up (a SYN proxy sends the handshake). */
static void note_ttl(struct tcp_endpoint *me, const struct packet *pkt)
{
	me->last_ip_id = pkt->ip_id;
	if (me->ttl_n++ == 0 || pkt->ttl < me->ttl_min)
		me->ttl_min = pkt->ttl;
	if (me->ttl_n == 1 || pkt->ttl > me->ttl_max)
		me->ttl_max = pkt->ttl;
	if (pkt->payload_len == 0)
		return;
	if (me->data_ttl_n++ == 0 || pkt->ttl < me->data_ttl_min)
		me->data_ttl_min = pkt->ttl;
	if (me->data_ttl_n == 1 || pkt->ttl > me->data_ttl_max)
		me->data_ttl_max = pkt->ttl;
}

bool tcp_endpoint_rst_forged(const struct tcp_endpoint *ep)
{
	unsigned lo, hi;

	if (ep->rst->accept_pkt == 0 || ep->rst->ttl == 0)
		return false;
	if (ep->data_ttl_n >= 2) {
		lo = ep->data_ttl_min;
		hi = ep->data_ttl_max;
	} else if (ep->ttl_n >= 3) {
		lo = ep->ttl_min;
		hi = ep->ttl_max;
	} else {
		return false;
	}
	/* its own RST too (a later one with its usual TTL): not for it */
	return ((unsigned)ep->rst->ttl + TCP_FORGED_TTL_HOPS < lo ||
		(unsigned)ep->rst->ttl > hi + TCP_FORGED_TTL_HOPS) &&
	       ((unsigned)ep->rst_ttl_max + TCP_FORGED_TTL_HOPS < lo ||
		(unsigned)ep->rst_ttl_min > hi + TCP_FORGED_TTL_HOPS);
}

enum tcp_rst_origin tcp_endpoint_rst_origin(const struct tcp_endpoint *ep)
{
	unsigned ttl;

	if (tcp_endpoint_rst_forged(ep))
		return TCP_RST_FORGED;
	if (ep->rst->accept_pkt == 0 || ep->rst->ttl == 0)
		return TCP_RST_OWN;
	/* one TTL for everything else it sent, over enough packets */
	if (ep->data_ttl_n >= 2 && ep->data_ttl_min == ep->data_ttl_max &&
	    ep->ttl_min == ep->ttl_max)
		ttl = ep->data_ttl_min;
	else if (ep->ttl_n >= 3 && ep->ttl_min == ep->ttl_max)
		ttl = ep->ttl_min;
	else
		return TCP_RST_OWN;
	/* every RST in its name nearer than it: on one path a TTL only
	 * falls, so they left from a device between it and the capture */
	if (ep->rst_ttl_min > ttl && ep->rst_ttl_min == ep->rst_ttl_max)
		return TCP_RST_NEARER;
	return TCP_RST_OWN;
}

/* The FIN details of c's endpoint side, allocated at the first write;
 * the pointer is const for readers, never the none details here. */
static struct tcp_fin *fin_detail(struct tcp_conn *c, unsigned side)
{
	need_block(c, TCP_BLOCK_FIN + side);
	return (struct tcp_fin *)(uintptr_t)c->ep[side].fin;
}

struct tcp_odd *tcp_conn_odd(struct tcp_conn *c, unsigned side)
{
	need_block(c, TCP_BLOCK_ODD + side);
	return (struct tcp_odd *)(uintptr_t)c->ep[side].odd;
}

/* me's RST details, allocated at its first RST. */
static struct tcp_rst *rst_detail(struct tcp_conn *c, unsigned self)
{
	need_block(c, TCP_BLOCK_RST + self);
	return (struct tcp_rst *)(uintptr_t)c->ep[self].rst;
}

/* Remember what a RST answered and what it threw away. */
static void record_rst(struct tcp_endpoint *me, struct tcp_rst *r,
		       const struct tcp_endpoint *peer, const struct packet *pkt,
		       uint64_t prev_pkt, uint64_t prev_ts)
{
	bool acked_known = me->ack_known || (pkt->flags & TCP_ACK);
	uint32_t acked = me->ack_known ? me->last_ack : pkt->ack;
	uint32_t peer_end = peer->snd_nxt, my_end = me->snd_nxt;

	me->rst_kind = rst_kind(me, peer, pkt);
	r->pkt = pkt->num;
	r->ts = pkt->ts_ns;
	r->seq = pkt->seq;
	r->ack = pkt->ack;
	r->flags = pkt->flags;
	r->win = pkt->win;
	r->payload = (uint16_t)(pkt->payload_len < 0xffff ? pkt->payload_len : 0xffff);
	r->fastclose = (pkt->opt.mptcp & (1u << MPTCP_FASTCLOSE)) != 0;
	r->at_own_nxt = me->seq_known && pkt->seq == me->snd_nxt;
	r->own_data_ts = me->last_data_ts;
	r->own_prev_pkt = prev_pkt;
	r->own_prev_ts = prev_ts;
	/* the state it was in when it sent the RST that counts: one its
	 * receiver ignored before (a forged reset) changed nothing */
	r->state = me->state;
	r->answers_pkt = peer->last_pkt;
	r->answers_ts = peer->last_ts;
	r->answers_flags = peer->last_flags;
	r->answers_data = peer->last_had_data;

	r->prev_ack = acked;
	if ((pkt->flags & TCP_ACK) && seq_gt(pkt->ack, acked))
		acked = pkt->ack;
	/* a FIN is a sequence number, not data */
	if (peer->fin_seen && (peer_end == peer->fin->seq + 1 || peer_end == peer->fin->last_seq + 1))
		peer_end--;
	if (me->fin_seen && my_end == me->fin->seq + 1)
		my_end = me->fin->seq;
	r->acked = acked;
	r->peer_end = r->prev_ack;
	r->lost_pkt = 0;
	r->lost_head_len = 0;
	r->sacked = me->odd->sacked != 0 && me->odd->sack_ack == acked ? me->odd->sacked : 0;
	if (acked_known && peer->seq_known && seq_gt(peer_end, r->prev_ack)) {
		r->peer_end = peer_end;
		/* that segment, if the first byte lost is in it: acks after it
		 * may have covered it while it stayed the latest such */
		if (peer->una_head_pkt != 0 && seq_geq(r->prev_ack, peer->una_seq) &&
		    seq_lt(r->prev_ack, peer->una_end)) {
			uint32_t off = r->prev_ack - peer->una_seq;

			r->lost_pkt = peer->una_head_pkt;
			if (off < peer->una_head_len) {
				r->lost_head_len = (uint8_t)(peer->una_head_len - off);
				memcpy(r->lost_head, peer->una_head + off, r->lost_head_len);
			}
		}
	}
	r->mine_unacked = 0;
	if (me->seq_known && peer->ack_known && seq_gt(my_end, peer->last_ack))
		r->mine_unacked = my_end - peer->last_ack;
}

/* Keep pkt, a data segment from me starting at data_seq, when it holds
 * the peer's next expected byte, new or re-sent: what a RST would discard
 * first.  before is my stream end before it. */
static void note_una_head(struct tcp_endpoint *me, const struct tcp_endpoint *peer,
			  const struct packet *pkt, uint32_t data_seq, uint32_t before)
{
	uint32_t end = data_seq + pkt->payload_len;

	if (!peer->ack_known || (seq_leq(data_seq, peer->last_ack) && seq_gt(end, peer->last_ack)) ||
	    (seq_gt(end, before) && seq_geq(peer->last_ack, before))) {
		me->una_head_pkt = pkt->num;
		me->una_seq = data_seq;
		me->una_end = end;
		me->una_head_len = pkt->head_len;
		memcpy(me->una_head, pkt->head, pkt->head_len);
	}
}

/* A retransmission must carry the bytes it repeats.  Compare what pkt
 * (at data_seq) and the kept head of the first unacknowledged segment
 * both captured of the same sequence numbers: a difference means a second
 * sender (an injection racing the real one) or a rewriting middlebox. */
static void note_rexmit_diff(struct tcp_conn *c, unsigned side, const struct packet *pkt,
			     uint32_t data_seq)
{
	const struct tcp_endpoint *me = &c->ep[side];
	uint32_t from, to, a_end, b_end;

	if (me->una_head_pkt == 0 || me->una_head_len == 0 || pkt->head_len == 0)
		return;
	a_end = me->una_seq + me->una_head_len;
	b_end = data_seq + pkt->head_len;
	from = seq_gt(me->una_seq, data_seq) ? me->una_seq : data_seq;
	to = seq_lt(a_end, b_end) ? a_end : b_end;
	/* a few bytes could be a keepalive's or a probe's filler */
	if (!seq_geq(to, from + 8))
		return;
	for (uint32_t q = from; q != to; q++) {
		if (me->una_head[q - me->una_seq] != pkt->head[q - data_seq]) {
			struct tcp_odd *o = tcp_conn_odd(c, side);

			o->rexmit_diff_pkt = pkt->num;
			o->rexmit_orig_pkt = me->una_head_pkt;
			o->rexmit_diff_seq = q;
			return;
		}
	}
}

/* Keep what pkt, an ACK from side, SACKs past its ack: the peer's bytes
 * that arrived behind a hole.  A RST discards them with the rest, but they
 * did reach the host.  Only lossy connections SACK, so the odd block. */
static void note_sack(struct tcp_conn *c, unsigned side, const struct packet *pkt)
{
	uint32_t sum = 0;

	/* a RST holds no SACK, and record_rst reads the one before it */
	if (pkt->flags & TCP_RST)
		return;
	if (pkt->opt.sack_count == 0) {
		if (c->ep[side].odd->sacked != 0)
			tcp_conn_odd(c, side)->sacked = 0;
		return;
	}
	for (unsigned i = 0; i < pkt->opt.sack_count; i++) {
		uint32_t l = pkt->opt.sack[i][0], r = pkt->opt.sack[i][1];

		/* a D-SACK (RFC 2883) reports bytes below the ack: none here */
		if (seq_lt(l, pkt->ack))
			l = pkt->ack;
		if (seq_gt(r, l) && r - l < (1u << 30))
			sum += r - l;
	}
	if (sum != 0 || c->ep[side].odd->sacked != 0) {
		struct tcp_odd *o = tcp_conn_odd(c, side);

		o->sack_ack = pkt->ack;
		o->sacked = sum;
	}
}

/* Count pkt as me's latest packet; whether it carried new data is told
 * later. */
static void note_sent(struct tcp_endpoint *me, const struct packet *pkt)
{
	if (me->packets++ == 0) {
		me->first_pkt = pkt->num;
		me->first_flags = pkt->flags;
	}
	me->last_pkt = pkt->num;
	me->last_ts = pkt->ts_ns;
	me->last_flags = pkt->flags;
	me->last_had_data = false;
}

static void account_sender(struct tcp_conn *c, struct seg *s)
{
	const struct packet *pkt = s->pkt;
	struct tcp_endpoint *me = &c->ep[s->from];
	struct tcp_endpoint *peer = &c->ep[!s->from];
	uint32_t data_seq = pkt->seq + (s->syn ? 1u : 0u);
	uint32_t end = data_seq + pkt->payload_len;
	uint32_t before;
	/* a RST keeps its sender's packet before it */
	uint64_t prev_pkt = me->last_pkt, prev_ts = me->last_ts;

	note_sent(me, pkt);
	if (pkt->opt.mptcp != 0) {
		me->mptcp = true;
		if ((pkt->opt.mptcp & (1u << MPTCP_FASTCLOSE)) && me->odd->fastclose_pkt == 0)
			tcp_conn_odd(c, s->from)->fastclose_pkt = pkt->num;
	}
	if (s->rst) {
		/* A RST's seq says who sent it and why, not where the
		 * stream is: keep it out of the sequence accounting. */
		struct tcp_rst *r = rst_detail(c, s->from);
		bool first;

		if (me->rsts == 0 || pkt->ttl < me->rst_ttl_min)
			me->rst_ttl_min = pkt->ttl;
		if (me->rsts == 0 || pkt->ttl > me->rst_ttl_max)
			me->rst_ttl_max = pkt->ttl;
		first = me->rsts++ == 0;
		s->rst_accepted = rst_acceptable(me, peer, pkt);
		/* The RST that ends the connection is the first one its
		 * receiver acts on: one it ignored is replaced by the next. */
		if (first || (s->rst_accepted && r->ignored_pkt == r->pkt))
			record_rst(me, r, peer, pkt, prev_pkt, prev_ts);
		if (!s->rst_accepted && r->ignored_pkt == 0) {
			r->ignored_pkt = pkt->num;
			r->ignored_ack = (pkt->flags & TCP_ACK) ? pkt->ack : 0;
			r->ignored_syn_sent = peer->state == TCPS_SYN_SENT;
		}
		if (s->rst_accepted && r->accept_pkt == 0) {
			r->accept_pkt = pkt->num;
			r->ttl = pkt->ttl;
			r->ip_id = pkt->ip_id;
			r->prev_ip_id = me->last_ip_id;
		}
		if (pkt->payload_len > 0 && r->data_pkt == 0) {
			r->data_pkt = pkt->num;
			r->data_len = pkt->payload_len;
			r->excerpt_len = (uint8_t)(pkt->head_len < TCP_RST_EXCERPT_MAX
								 ? pkt->head_len
								 : TCP_RST_EXCERPT_MAX);
			memcpy(r->excerpt, pkt->head, r->excerpt_len);
		}
		add_event(c, EV_RST, s, pkt->seq, (pkt->flags & TCP_ACK) ? pkt->ack : 0);
		return;
	}
	note_ttl(me, pkt);
	if (s->syn && !s->ack && me->isn_known && pkt->seq == me->isn) {
		/* the same SYN again: its retransmission timer fired */
		uint64_t since = pkt->ts_ns >= c->syn_ts ? (pkt->ts_ns - c->syn_ts) / 1000000u : 0;

		me->syns++;
		me->prev_syn_ts = me->last_syn_ts;
		me->last_syn_ts = pkt->ts_ns;
		add_event(c, EV_SYN_RETRANSMIT, s, pkt->seq,
			  since > UINT32_MAX ? UINT32_MAX : (uint32_t)since);
	} else if (s->syn && !s->ack && !me->isn_known) {
		me->syns = 1;
		me->last_syn_ts = pkt->ts_ns;
	}
	if (s->syn && !s->ack && c->syn_ts == 0)
		c->syn_ts = pkt->ts_ns;
	else if (s->syn && s->ack && c->synack_ts == 0 && c->syn_ts != 0)
		c->synack_ts = pkt->ts_ns;
	else if (!s->syn && s->ack && c->hs_ack_ts == 0 && c->synack_ts != 0 && peer->isn_known &&
		 pkt->ack == peer->isn + 1)
		c->hs_ack_ts = pkt->ts_ns;
	if (s->syn && !me->isn_known) {
		me->isn = pkt->seq;
		me->isn_known = true;
		me->syn_win = pkt->win;
		me->syn_opts = pkt->opt.has;
		if (pkt->opt.has & TCPOPT_HAS_WSCALE)
			me->wscale = pkt->opt.wscale;
	}
	if (s->syn && me->isn_known && pkt->seq != me->isn && me->data_bytes == 0 &&
	    pkt->payload_len == 0) {
		/* Another ISN before any data: a SYN proxy or balancer that
		 * answered two SYNs, or a rewritten copy.  The peer's ACK
		 * tells which is live (see the ACK below); until then the
		 * first keeps the stream. */
		struct tcp_odd *o = tcp_conn_odd(c, s->from);

		o->alt_isn = pkt->seq;
		o->alt_isn_known = true;
		return;
	}
	if (!me->seq_known) {
		me->seq_known = true;
		me->snd_nxt = data_seq;
	}
	before = me->snd_nxt;

	if (is_keepalive(me, peer, s)) {
		/* seq = SND.UNA - 1 with nothing or one old byte: a probe
		 * that the socket is still there, not a retransmission */
		struct tcp_odd *o = tcp_conn_odd(c, s->from);

		o->keepalives++;
		o->keepalive_pkt = pkt->num;
	} else if (pkt->payload_len > 0 && me->odd->fin_gap_open &&
		   data_seq == me->odd->fin_gap_from && seq_geq(end, me->fin->seq)) {
		/* the bytes before the FIN, captured after it: reordered, not lost */
		fill_fin_gap(c, s->from);
		note_una_head(me, peer, pkt, data_seq, before);
		me->data_bytes += pkt->payload_len;
		me->last_data_pkt = pkt->num;
		me->last_data_ts = pkt->ts_ns;
		me->last_had_data = true;
		if (peer->fin_seen &&
		    tcp_conn_odd(c, s->from)->data_after_peer_fin++ < EVENTS_PER_KIND)
			add_event(c, EV_DATA_AFTER_PEER_FIN, s, data_seq, pkt->payload_len);
	} else if (pkt->payload_len > 0) {
		if (seq_lt(data_seq, before)) {
			me->retransmits++;
			if (me->odd->rexmit_diff_pkt == 0)
				note_rexmit_diff(c, s->from, pkt, data_seq);
		} else if (seq_gt(data_seq, before)) {
			if (tcp_conn_odd(c, s->from)->gaps++ < EVENTS_PER_KIND)
				add_event(c, EV_GAP, s, before, data_seq);
		}
		if (seq_gt(end, before)) {
			if (!peer->ack_known || seq_geq(peer->last_ack, before)) {
				/* everything before it was acked */
				me->una_pkt = pkt->num;
			}
			me->data_bytes += (uint32_t)(end - (seq_gt(data_seq, before) ? data_seq : before));
			me->last_data_pkt = pkt->num;
			me->last_data_ts = pkt->ts_ns;
			me->last_had_data = true;
			me->last_data_bye = data_seq == before &&
					    goodbye_name(pkt->head, pkt->head_len, pkt->payload_len) != NULL;
		}
		note_una_head(me, peer, pkt, data_seq, before);
		if (me->fin_seen && seq_gt(end, me->fin->seq))
			add_event(c, EV_DATA_AFTER_FIN, s, data_seq, pkt->payload_len);
		if (peer->fin_seen && seq_gt(end, before) &&
		    tcp_conn_odd(c, s->from)->data_after_peer_fin++ < EVENTS_PER_KIND)
			add_event(c, EV_DATA_AFTER_PEER_FIN, s, data_seq, pkt->payload_len);
	} else if (s->fin && !me->fin_seen && seq_gt(data_seq, before)) {
		/* A FIN past the stream end: the bytes before it were sent
		 * but not captured, as a data segment past it would say. */
		struct tcp_odd *o = tcp_conn_odd(c, s->from);

		if (o->gaps++ < EVENTS_PER_KIND)
			add_event(c, EV_GAP, s, before, data_seq);
		o->fin_gap_open = true;
		o->fin_gap_from = before;
		o->fin_gap_pkt = pkt->num;
	}

	if (s->fin) {
		struct tcp_fin *mf = fin_detail(c, s->from);
		uint32_t fseq = end;

		/* Its first FIN one below a stream end that only a bare segment
		 * moved there: that segment left after this FIN (its ACK of the
		 * peer's FIN, say) and the capture holds the two reordered. */
		if (!me->fin_seen && me->bare_bump && fseq + 1 == me->snd_nxt &&
		    pkt->payload_len == 0)
			before = fseq;
		if (!me->fin_seen) {
			me->fin_seen = true;
			mf->seq = fseq;
			mf->count = 1;
			mf->pkt = pkt->num;
			mf->ts = pkt->ts_ns;
			/* A FIN at the SYN's seq before any SYN-ACK: the
			 * application gave up on connect() (a stack that sends
			 * FIN from SYN_SENT); the SYN's number is not data. */
			me->fin_before_handshake = me->state == TCPS_SYN_SENT && me->isn_known &&
						   fseq == me->isn && !peer->isn_known;
			if (peer->ack_known && seq_lt(peer->last_ack, fseq)) {
				mf->unacked_pkt = me->una_pkt != 0 ? me->una_pkt : pkt->num;
				mf->unacked_seq = peer->last_ack;
			}
			add_event(c, EV_FIN, s, fseq, before);
		} else if (fseq == mf->seq) {
			if (mf->count++ == 1)
				mf->rexmit_pkt = pkt->num;
			/* the peer's acks reached the FIN: this copy repairs no data */
			if (mf->rexmit_clean_pkt == 0 && peer->ack_known &&
			    seq_geq(peer->last_ack, fseq)) {
				mf->rexmit_clean_pkt = pkt->num;
				mf->rexmit_clean_ts = pkt->ts_ns;
				mf->rexmit_clean_gap = pkt->ts_ns >= mf->last_ts ?
								   pkt->ts_ns - mf->last_ts : 0;
			}
			add_event(c, EV_FIN_RETRANSMIT, s, fseq, mf->seq);
		} else {
			add_event(c, EV_FIN_SEQ_MOVED, s, fseq, mf->seq);
		}
		mf->prev_ts = mf->last_pkt != 0 ? mf->last_ts : 0;
		mf->last_seq = fseq;
		mf->last_pkt = pkt->num;
		mf->last_ts = pkt->ts_ns;
		end = fseq + 1;
	}
	if (s->syn)
		end = seq_gt(end, pkt->seq + 1) ? end : pkt->seq + 1;
	if (seq_gt(end, me->snd_nxt)) {
		/* a bare segment one past the stream end may follow a FIN the
		 * capture shows after it (see the FIN above) */
		me->bare_bump = pkt->payload_len == 0 && !s->syn && !s->fin &&
				end == me->snd_nxt + 1;
		me->snd_nxt = end;
	}

	if (s->ack && peer->odd->alt_isn_known && peer->data_bytes == 0 &&
	    pkt->ack == peer->odd->alt_isn + 1 && pkt->ack != peer->isn + 1) {
		/* the peer's other ISN is the one acknowledged: it is live */
		peer->isn = peer->odd->alt_isn;
		peer->snd_nxt = peer->odd->alt_isn + 1;
		tcp_conn_odd(c, !s->from)->alt_isn_known = false;
	}
	if (s->ack) {
		if (!me->ack_known || seq_gt(pkt->ack, me->last_ack)) {
			if (peer->seq_known && seq_gt(pkt->ack, peer->snd_nxt) &&
			    !(peer->fin_seen && seq_geq(pkt->ack, peer->fin->seq + 1)) &&
			    tcp_conn_odd(c, s->from)->acks_unseen++ < EVENTS_PER_KIND)
				add_event(c, EV_ACK_UNSEEN, s, pkt->ack, peer->snd_nxt);
			me->last_ack = pkt->ack;
			me->ack_known = true;
		}
		me->last_win = pkt->win;
		note_sack(c, s->from, pkt);
		if (peer->fin_seen && !peer->fin_acked) {
			struct tcp_fin *pf = fin_detail(c, !s->from); /* allocated at its FIN */

			if (pkt->ack == pf->seq && pkt->num > pf->pkt) {
				if (pf->ack_short_pkt == 0)
					pf->ack_short_pkt = pkt->num;
				pf->ack_short_ts = pkt->ts_ns;
			}
			if (pkt->ack == pf->seq + 1) {
				peer->fin_acked = true;
				pf->ack_pkt = pkt->num;
				pf->ack_ts = pkt->ts_ns;
				add_event(c, EV_FIN_ACKED, s, pkt->ack, pf->seq);
			} else if (seq_gt(pkt->ack, pf->seq + 1)) {
				peer->fin_acked = true;
				pf->ack_pkt = pkt->num;
				pf->ack_ts = pkt->ts_ns;
				add_event(c, EV_FIN_ACK_BEYOND, s, pkt->ack, pf->seq);
			}
		}
	}
	for (unsigned i = 0; i < 2; i++)
		s->acks_fin[i] = s->ack && s->from != i && c->ep[i].fin_seen &&
				 seq_geq(pkt->ack, c->ep[i].fin->seq + 1);
}

void tcp_conn_init(struct tcp_conn *conn, const struct packet *pkt)
{
	memset(conn, 0, sizeof *conn);
	tcp_conn_blocks_none(conn);
	conn->syn_seen = (pkt->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;
	conn->mid_stream = !(pkt->flags & TCP_SYN);
}

void tcp_conn_release(struct tcp_conn *conn)
{
	for (unsigned m = conn->blocks; m != 0;) {
		size_t used;

		free(tcp_conn_block(conn, tcp_block_next(&m), &used));
	}
	tcp_conn_blocks_none(conn);
	conn->blocks = 0;
}

void tcp_conn_blocks_none(struct tcp_conn *conn)
{
	for (unsigned i = 0; i < TCP_CONN_BLOCKS; i++)
		block_put(conn, i, block_kind[i].none);
}

void tcp_conn_blocks_null(struct tcp_conn *conn)
{
	for (unsigned i = 0; i < TCP_CONN_BLOCKS; i++)
		block_put(conn, i, NULL);
}

size_t tcp_conn_block_size(unsigned i)
{
	return block_kind[i].size;
}

void *tcp_conn_block(const struct tcp_conn *conn, unsigned i, size_t *used)
{
	if (!(conn->blocks & 1u << i))
		return NULL;
	*used = i == TCP_BLOCK_EVENTS ? conn->event_count * sizeof(struct tcp_event)
				      : block_kind[i].size;
	return block_ptr(conn, i);
}

void tcp_conn_block_set(struct tcp_conn *conn, unsigned i, void *p)
{
	block_put(conn, i, p);
}

void tcp_reuse_note(struct tcp_reuse *r, const struct tcp_conn *old, unsigned syn_side)
{
	memset(r, 0, sizeof *r);
	r->known = true;
	for (unsigned i = 0; i < 2; i++) {
		const struct tcp_endpoint *ep = &old->ep[syn_side == 0 ? i : !i];

		r->state[i] = ep->state;
		r->state_ts[i] = ep->state_ts;
		r->snd_nxt[i] = ep->snd_nxt;
	}
}

void tcp_conn_reuse(struct tcp_conn *conn, const struct packet *syn, const struct tcp_reuse *r)
{
	struct seg s = { .pkt = syn, .from = 0 };

	need_block(conn, TCP_BLOCK_REUSE);
	/* padding too: the block is packed byte for byte */
	memcpy((void *)(uintptr_t)conn->reuse, r, sizeof *r);
	add_event(conn, EV_SYN_REUSE, &s, syn->seq, r->snd_nxt[0]);
}

/* Padding bytes are not data: the segment goes on without them.  Should
 * the peer acknowledge them after all (exactly their end, nothing else),
 * they were data, and the sender's stream is given them back. */
static void padding(struct tcp_conn *c, unsigned dir, struct packet *p)
{
	struct tcp_endpoint *me = &c->ep[dir], *peer = &c->ep[!dir];

	struct tcp_odd *o;

	if (peer->odd->pad_end != 0 && (p->flags & TCP_ACK) && peer->seq_known &&
	    p->ack == peer->odd->pad_end && seq_gt(p->ack, peer->snd_nxt) && !peer->fin_seen) {
		o = tcp_conn_odd(c, !dir);
		peer->data_bytes += (uint32_t)(p->ack - peer->snd_nxt);
		peer->snd_nxt = p->ack;
		o->pad_segments--;
		o->pad_end = 0;
	}
	/* at the stream end, or on a FIN re-sent where it was: never on a
	 * retransmission of data or a keepalive's old byte */
	if (!me->seq_known || !artefact_padding(p) ||
	    (seq_lt(p->seq, me->snd_nxt) &&
	     !((p->flags & TCP_FIN) && me->fin_seen && p->seq == me->fin->seq)))
		return;
	o = tcp_conn_odd(c, dir);
	if (o->pad_segments++ == 0)
		o->pad_pkt = p->num;
	o->pad_end = (p->flags & TCP_FIN) ? 0 : p->seq + p->payload_len;
	p->payload_len = 0;
	p->payload_caplen = 0;
}

/* The event of type from side dir whose a is v, if any. */
static const struct tcp_event *event_with(const struct tcp_conn *c, uint8_t type, unsigned dir,
					  uint32_t v)
{
	for (unsigned i = 0; i < c->event_count; i++)
		if (c->events[i].type == type && c->events[i].dir == dir && c->events[i].a == v)
			return &c->events[i];
	return NULL;
}

/* An ACK of another connection answering the SYN, or the RST the SYN's
 * sender answers it with (EV_OLD_ACK): count the packet (note_sent) and
 * log it, nothing more.  Return whether s was one. */
static bool old_connection(struct tcp_conn *c, const struct seg *s)
{
	const struct packet *pkt = s->pkt;
	struct tcp_endpoint *me = &c->ep[s->from], *peer = &c->ep[!s->from];
	uint8_t type;

	if (peer->state == TCPS_SYN_SENT && peer->isn_known && me->state == TCPS_UNKNOWN &&
	    (pkt->flags & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN)) == TCP_ACK &&
	    pkt->payload_len == 0 && pkt->ack != peer->isn + 1 && pkt->ack != peer->isn &&
	    pkt->ack != 0)
		type = EV_OLD_ACK;
	else if (me->state == TCPS_SYN_SENT && (pkt->flags & (TCP_RST | TCP_ACK)) == TCP_RST &&
		 event_with(c, EV_OLD_ACK, !s->from, pkt->seq) != NULL &&
		 event_with(c, EV_OLD_ACK_RST, s->from, pkt->seq) == NULL)
		type = EV_OLD_ACK_RST;
	else
		return false;
	note_sent(me, pkt);
	add_event(c, type, s, type == EV_OLD_ACK ? pkt->ack : pkt->seq,
		  type == EV_OLD_ACK ? pkt->seq : 0);
	return true;
}

void tcp_conn_step(struct tcp_conn *conn, unsigned dir, const struct packet *orig)
{
	struct packet p = *orig;
	const struct packet *pkt = &p;
	bool translated = artefact_translate(conn, dir, &p);
	enum artefact_kind art = artefact_check(conn, dir, &p, translated);

	/* a capture copy was sent once, and that once was counted */
	if (art != ARTEFACT_NONE) {
		struct tcp_odd *o = tcp_conn_odd(conn, dir);

		if (o->copies++ == 0)
			o->copy_pkt = p.num;
		return;
	}
	artefact_remember(conn, dir, &p, translated);
	padding(conn, dir, &p);

	struct seg s = {
		.pkt = pkt,
		.from = dir,
		.syn = (pkt->flags & TCP_SYN) != 0,
		.ack = (pkt->flags & TCP_ACK) != 0,
		.fin = (pkt->flags & TCP_FIN) != 0,
		.rst = (pkt->flags & TCP_RST) != 0,
	};

	if (old_connection(conn, &s))
		return;
	account_sender(conn, &s);
	handle(conn, dir, &s);
	handle(conn, !dir, &s);
	if (s.rst && s.rst_accepted && conn->ep[0].state == TCPS_CLOSED &&
	    conn->ep[1].state == TCPS_CLOSED)
		conn->reset = true;
}

/* Close side by a kernel timer at ts: its timeline names no packet. */
static void timer_close(struct tcp_conn *c, unsigned side, uint64_t ts)
{
	enter_state(c, side, TCPS_CLOSED, 0, ts);
}

void tcp_conn_expire(struct tcp_conn *conn, uint64_t now, uint64_t time_wait_ns)
{
	for (unsigned i = 0; i < 2; i++) {
		struct tcp_endpoint *ep = &conn->ep[i];

		if (ep->state == TCPS_TIME_WAIT && now >= ep->state_ts &&
		    now - ep->state_ts >= time_wait_ns)
			timer_close(conn, i, ep->state_ts + time_wait_ns);
	}
}

bool tcp_endpoint_gave_up(const struct tcp_endpoint *ep)
{
	return ep->fin_seen && !ep->fin_acked && ep->fin->count >= TCP_GIVE_UP_FINS &&
	       ep->fin->last_pkt == ep->last_pkt && ep->rsts == 0;
}

bool tcp_retries_stopped(uint64_t prev, uint64_t last, uint64_t end)
{
	return prev != 0 && last > prev && end > last && end - last > 2 * (last - prev);
}

bool tcp_endpoint_syn_unanswered(const struct tcp_conn *conn, unsigned side, uint32_t count)
{
	const struct tcp_endpoint *ep = &conn->ep[side];

	return ep->syns >= count && ep->packets == ep->syns && conn->ep[!side].packets == 0;
}

bool tcp_endpoint_last_ack_unanswered(const struct tcp_conn *conn, unsigned side,
				      uint32_t count)
{
	const struct tcp_endpoint *ep = &conn->ep[side], *peer = &conn->ep[!side];

	return ep->fin_seen && !ep->fin_acked && ep->fin->count >= count && peer->fin_seen &&
	       peer->fin_acked && peer->fin->ack_pkt <= ep->fin->pkt && peer->last_pkt < ep->fin->pkt;
}

void tcp_conn_finish(struct tcp_conn *conn, uint64_t now)
{
	conn->end_ts = now;
	for (unsigned i = 0; i < 2; i++) {
		struct tcp_endpoint *ep = &conn->ep[i];

		if (ep->state == TCPS_FIN_WAIT_1 && tcp_endpoint_gave_up(ep)) {
			timer_close(conn, i, ep->fin->last_ts);
		} else if (ep->state == TCPS_SYN_SENT &&
			   tcp_endpoint_syn_unanswered(conn, i, TCP_GIVE_UP_FINS) &&
			   tcp_retries_stopped(ep->prev_syn_ts, ep->last_syn_ts, now)) {
			timer_close(conn, i, ep->last_syn_ts); /* connect() gave up: ETIMEDOUT */
		} else if (ep->state == TCPS_LAST_ACK &&
			   tcp_endpoint_last_ack_unanswered(conn, i, TCP_GIVE_UP_FINS) &&
			   tcp_retries_stopped(ep->fin->prev_ts, ep->fin->last_ts, now)) {
			timer_close(conn, i, ep->fin->last_ts); /* orphan retries ran out */
		}
	}
}

enum tcp_timers tcp_conn_timers(const struct tcp_conn *conn, uint64_t now)
{
	enum tcp_timers t = TCP_TIMERS_NONE;

	for (unsigned i = 0; i < 2; i++) {
		const struct tcp_endpoint *ep = &conn->ep[i], *peer = &conn->ep[!i];
		uint64_t gap, wait;

		if (!(ep->state == TCPS_FIN_WAIT_1 && tcp_endpoint_gave_up(ep)) &&
		    !(ep->state == TCPS_LAST_ACK &&
		      tcp_endpoint_last_ack_unanswered(conn, i, TCP_GIVE_UP_FINS)))
			continue;
		/* the peer said nothing since the first FIN: its host had
		 * nothing more to say either */
		if (peer->last_ts > ep->fin->ts || ep->fin->last_ts <= ep->fin->prev_ts)
			continue;
		/* stopped: silent for over twice the last interval (backoff at
		 * most doubles it) and for the longest interval a stack uses
		 * (Linux's TCP_RTO_MAX), since a host that slept, a phone
		 * for instance, resumes its retries late */
		gap = ep->fin->last_ts - ep->fin->prev_ts;
		wait = 2 * gap > TCP_RTO_MAX_NS ? 2 * gap : TCP_RTO_MAX_NS;
		if (now > ep->fin->last_ts && now - ep->fin->last_ts > wait)
			return TCP_TIMERS_DONE;
		t = TCP_TIMERS_RUNNING;
	}
	return t;
}

bool tcp_conn_closed(const struct tcp_conn *conn)
{
	for (unsigned i = 0; i < 2; i++)
		if (conn->ep[i].state != TCPS_CLOSED && conn->ep[i].state != TCPS_TIME_WAIT)
			return false;
	return true;
}

const char *tcp_state_name(uint8_t state)
{
	static const char *const names[] = {
		[TCPS_UNKNOWN] = "UNKNOWN",         [TCPS_SYN_SENT] = "SYN_SENT",
		[TCPS_SYN_RECEIVED] = "SYN_RECEIVED", [TCPS_ESTABLISHED] = "ESTABLISHED",
		[TCPS_FIN_WAIT_1] = "FIN_WAIT_1",   [TCPS_FIN_WAIT_2] = "FIN_WAIT_2",
		[TCPS_CLOSING] = "CLOSING",         [TCPS_TIME_WAIT] = "TIME_WAIT",
		[TCPS_CLOSE_WAIT] = "CLOSE_WAIT",   [TCPS_LAST_ACK] = "LAST_ACK",
		[TCPS_CLOSED] = "CLOSED",
	};

	return state < sizeof names / sizeof names[0] ? names[state] : "?";
}

const char *tcp_event_name(uint8_t type)
{
	static const char *const names[] = {
		[EV_FIN] = "fin",
		[EV_FIN_RETRANSMIT] = "fin-retransmit",
		[EV_FIN_ACKED] = "fin-acked",
		[EV_FIN_ACK_BEYOND] = "fin-ack-beyond",
		[EV_FIN_SEQ_MOVED] = "fin-seq-moved",
		[EV_DATA_AFTER_FIN] = "data-after-fin",
		[EV_DATA_AFTER_PEER_FIN] = "data-after-peer-fin",
		[EV_RST] = "rst",
		[EV_SYN_REUSE] = "syn-reuse",
		[EV_GAP] = "gap",
		[EV_ACK_UNSEEN] = "ack-unseen",
		[EV_SYN_RETRANSMIT] = "syn-retransmit",
		[EV_OLD_ACK] = "old-connection-ack",
		[EV_OLD_ACK_RST] = "old-connection-rst",
	};

	return type < sizeof names / sizeof names[0] && names[type] ? names[type] : "?";
}

void tcp_event_fields(uint8_t type, const char **a, const char **b)
{
	/* what each event's two values are (enum tcp_event_type) */
	static const char *const names[][2] = {
		[EV_FIN] = { "seq", "stream_end" },
		[EV_FIN_RETRANSMIT] = { "seq", "first_seq" },
		[EV_FIN_ACKED] = { "ack", "fin_seq" },
		[EV_FIN_ACK_BEYOND] = { "ack", "fin_seq" },
		[EV_FIN_SEQ_MOVED] = { "seq", "first_seq" },
		[EV_DATA_AFTER_FIN] = { "seq", "len" },
		[EV_DATA_AFTER_PEER_FIN] = { "seq", "len" },
		[EV_RST] = { "seq", "ack" },
		[EV_SYN_REUSE] = { "seq", "old_next_seq" },
		[EV_GAP] = { "stream_end", "seq" },
		[EV_ACK_UNSEEN] = { "ack", "peer_next_seq" },
		[EV_SYN_RETRANSMIT] = { "seq", "ms_since_first" },
		[EV_OLD_ACK] = { "ack", "seq" },
		[EV_OLD_ACK_RST] = { "seq", "ack" },
	};

	if (type < sizeof names / sizeof names[0] && names[type][0] != NULL) {
		*a = names[type][0];
		*b = names[type][1];
	} else {
		*a = *b = NULL;
	}
}
