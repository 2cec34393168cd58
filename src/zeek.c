/* zeek: Zeek's conn_state and history, learnt from the rules of Zeek's
 * TCP analyzer (TCPSessionAdapter, TCP_Endpoint, the reassembler's gap
 * report) and of base/protocols/conn/main.zeek, and written anew.
 *
 * The order of the work per packet is Zeek's, because letters and states
 * depend on it: history from the endpoint states before the packet, the
 * state machine next, acks and data after.  Endpoints are kept by flow
 * side; which side is Zeek's originator is a separate bit, so a role flip
 * in the middle of a packet leaves the packet's own view intact, as it
 * does in Zeek. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "finlint.h"
#include "zeek.h"


/* Zeek's defaults (init-bare.zeek): tcp_SYN_timeout, tcp_session_timer,
 * tcp_connection_linger, tcp_attempt_delay, tcp_close_delay, and the
 * inactivity timeouts, udp_inactivity_timeout being the one a TCP
 * connection starts with until its handshake is over. */
#define SYN_TIMEOUT (5 * NS_PER_S)
#define SESSION_TIMER (6 * NS_PER_S)
#define LINGER (5 * NS_PER_S)
#define ATTEMPT_DELAY (5 * NS_PER_S)
#define CLOSE_DELAY (5 * NS_PER_S)
#define IDLE_HANDSHAKE (60 * NS_PER_S)
#define IDLE_OPEN (300 * NS_PER_S)

enum {
	TOO_LARGE_SEQ_DELTA = 1048576, /* a SYN or RST this far off is not trusted */
	ABOVE_HOLE_MAX = 16384,        /* tcp_max_above_hole_without_any_acks */
};

/* History letters seen, one bit each; the responder's in the high half. */
enum {
	H_SYN = 0x01,
	H_FIN = 0x02,
	H_RST = 0x04,
	H_FIN_RST = 0x08,
	H_DATA = 0x10,
	H_ACK = 0x20,
	H_MULTI = 0x40,
};

static const char *const state_names[] = {
	[ZEEK_S0] = "S0",     [ZEEK_S1] = "S1",         [ZEEK_SF] = "SF",
	[ZEEK_REJ] = "REJ",   [ZEEK_S2] = "S2",         [ZEEK_S3] = "S3",
	[ZEEK_RSTO] = "RSTO", [ZEEK_RSTR] = "RSTR",     [ZEEK_RSTOS0] = "RSTOS0",
	[ZEEK_RSTRH] = "RSTRH", [ZEEK_SH] = "SH",       [ZEEK_SHR] = "SHR",
	[ZEEK_OTH] = "OTH",
};

/* Zeek guesses roles from the ports its analyzers register
 * (likely_server_ports); this is the TCP part of that set with Zeek's
 * default scripts loaded, sorted. */
static const uint16_t server_ports[] = {
	21,   22,   25,   53,   80,   81,   88,   110,  135,  139,  143,  389,
	443,  445,  502,  563,  585,  587,  614,  631,  636,  989,  990,  992,
	993,  995,  1080, 1434, 1883, 2811, 3128, 3268, 3306, 3389, 5222, 5223,
	5269, 5432, 6379, 6666, 6667, 6668, 6669, 8000, 8080, 8888, 20000,
};

static bool likely_server_port(uint16_t port)
{
	unsigned lo = 0, hi = sizeof server_ports / sizeof server_ports[0];

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (server_ports[mid] == port)
			return true;
		if (server_ports[mid] < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static int32_t delta(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

static struct zeek_endpoint *orig_ep(struct zeek_live *c)
{
	return &c->ep[c->orig_side];
}

static struct zeek_endpoint *resp_ep(struct zeek_live *c)
{
	return &c->ep[!c->orig_side];
}

static struct zeek_endpoint *peer_of(struct zeek_live *c, const struct zeek_endpoint *e)
{
	return &c->ep[e == &c->ep[0] ? 1 : 0];
}

static bool is_orig(const struct zeek_live *c, const struct zeek_endpoint *e)
{
	return e == &c->ep[c->orig_side];
}

static void add_history(struct zeek_live *c, char code)
{
	if (c->hist_len + 1 >= ZEEK_HISTORY_MAX) {
		c->truncated = true;
		return;
	}
	c->history[c->hist_len++] = code;
	c->history[c->hist_len] = '\0';
}

/* The originator's letters are upper case, the responder's lower. */
static char role_letter(const struct zeek_live *c, const struct zeek_endpoint *e, char upper)
{
	return is_orig(c, e) ? upper : (char)(upper - 'A' + 'a');
}

/* Record a letter the first time only; report whether it was seen before. */
static bool check_history(struct zeek_live *c, const struct zeek_endpoint *e, uint32_t mask,
			  char code)
{
	if (!is_orig(c, e))
		mask <<= 16;
	if (c->hist_seen & mask)
		return true;
	c->hist_seen |= mask;
	add_history(c, role_letter(c, e, code));
	return false;
}

/* Zeek's threshold after k multiplications by 10 in 32 bits. */
static uint32_t threshold_of(uint8_t k)
{
	uint32_t t = 1;

	while (k-- > 0)
		t *= 10u;
	return t;
}

/* Retransmissions, zero windows and gaps are counted on a log scale: the
 * letter again at the 1st, 10th, 100th... */
static void scaled(struct zeek_live *c, const struct zeek_endpoint *e, uint32_t *count,
		   uint8_t *next, char code)
{
	uint32_t threshold = threshold_of(*next);

	if (++*count != threshold)
		return;
	add_history(c, role_letter(c, e, code));
	if (threshold * 10u <= threshold)
		*count = 0; /* wrapped: Zeek keeps the threshold and restarts */
	else
		++*next;
}

static bool handshake_state(uint8_t s)
{
	return s == ZEEK_INACTIVE || s == ZEEK_SYN_SENT || s == ZEEK_SYN_ACK_SENT;
}

static void set_state(struct zeek_live *c, struct zeek_endpoint *e, uint8_t s)
{
	const struct zeek_endpoint *peer = peer_of(c, e);

	if (s == e->state)
		return;
	/* the first endpoint out of the handshake lengthens the idle timeout */
	if (!handshake_state(s) && handshake_state(e->state) && handshake_state(peer->state))
		c->long_idle = true;
	e->prev_state = e->state;
	e->state = s;
}

static void flip_roles(struct zeek_live *c)
{
	c->orig_side ^= 1;
	c->first_seen = (uint8_t)(((c->first_seen & 1) << 1) | ((c->first_seen >> 1) & 1));
	c->is_partial = false;
	add_history(c, '^');
}

/* A connection that began with a SYN-ACK Zeek did not flip is flipped once
 * an ack or data follows, and its history then reads as if it had been
 * flipped from the start ("^h...", not "H^..."): what Zeek's conn.log
 * shows for such connections. */
static void flip_after_synack(struct zeek_live *c)
{
	char old[ZEEK_HISTORY_MAX];
	uint8_t n = c->hist_len;

	memcpy(old, c->history, sizeof old);
	c->hist_len = 0;
	c->history[0] = '\0';
	c->orig_side ^= 1;
	c->first_seen = (uint8_t)(((c->first_seen & 1) << 1) | ((c->first_seen >> 1) & 1));
	c->is_partial = false;
	c->hist_seen = (c->hist_seen >> 16) | (c->hist_seen << 16);
	add_history(c, '^');
	for (uint8_t i = 0; i < n; i++) {
		char ch = old[i];

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		else if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		add_history(c, ch);
	}
}

static void start_piece(struct zeek_live *c, unsigned dir, const struct packet *pkt)
{
	uint8_t f = pkt->flags;

	memset(c, 0, sizeof *c);
	c->live = true;
	c->active = true;
	c->orig_side = (uint8_t)dir;
	c->first_pkt = pkt->num;
	c->last_time = pkt->ts_ns;
	c->expire_at[0] = pkt->ts_ns + SYN_TIMEOUT;
	for (unsigned i = 0; i < 2; i++)
		c->ep[i].reassem = c->ep[i].trim = 1; /* relative: just past the SYN */

	/* No SYN, or a SYN-ACK: the sender may be the server.  Flip when its
	 * port is a likely server port and the other is not; when both are,
	 * only a non-SYN from the lower port (a SYN-ACK may be a scan's). */
	if (!(f & TCP_SYN) || (f & TCP_ACK)) {
		if (likely_server_port(pkt->sport)) {
			bool flip = likely_server_port(pkt->dport)
					    ? !(f & TCP_SYN) && pkt->sport < pkt->dport
					    : true;

			if (flip)
				flip_roles(c);
		}
	}
	if ((f & (TCP_SYN | TCP_ACK | TCP_FIN | TCP_RST)) == (TCP_SYN | TCP_ACK) &&
	    c->orig_side == dir)
		c->synack_first = true;
}

/* Zeek's IsReuse: does this SYN start a new connection on the 4-tuple? */
static bool reuses(struct zeek_live *c, const struct packet *pkt)
{
	struct zeek_endpoint *o = orig_ep(c), *r = resp_ep(c), *conn_orig = o;

	if (!(pkt->flags & TCP_SYN))
		return false;
	if (pkt->flags & TCP_ACK) {
		if (o->state != ZEEK_INACTIVE)
			return false; /* a SYN-ACK only starts over a half connection */
		conn_orig = r;
	}
	if (o->did_close || r->did_close)
		return true;
	if (pkt->seq == conn_orig->start)
		return false;
	/* the SYN of a SYN/SYN-ACK pair captured in reverse order */
	if (!(pkt->flags & TCP_ACK) && conn_orig->state == ZEEK_SYN_ACK_SENT &&
	    r->state == ZEEK_INACTIVE && pkt->seq == r->start)
		return false;
	return true;
}

static bool expire_condition(const struct zeek_live *c)
{
	const struct zeek_endpoint *o = &c->ep[c->orig_side], *r = &c->ep[!c->orig_side];

	if ((o->did_close || r->did_close) &&
	    ((o->did_close && r->did_close) || o->state == ZEEK_RESET || r->state == ZEEK_RESET ||
	     o->state == ZEEK_INACTIVE || r->state == ZEEK_INACTIVE))
		return true;
	return o->state == ZEEK_INACTIVE && r->state == ZEEK_INACTIVE;
}

/* Has one of Zeek's timers removed the connection before time now?  Timers
 * fire before a packet at or past their time is processed, and the state
 * they look at is the one the last packet left. */
static bool expired(struct zeek_live *c, uint64_t now)
{
	const struct zeek_endpoint *o = orig_ep(c), *r = resp_ep(c);

	if (c->delete_at != 0 && now >= c->delete_at)
		return true;
	if (now >= c->last_time + (c->long_idle ? IDLE_OPEN : IDLE_HANDSHAKE))
		return true;
	if (c->attempt_at != 0 && now >= c->attempt_at) {
		if (c->active && (o->state == ZEEK_SYN_SENT || o->state == ZEEK_SYN_ACK_SENT) &&
		    r->state == ZEEK_INACTIVE)
			return true;
		c->attempt_at = 0;
	}
	for (unsigned i = 0; i < ZEEK_EXPIRE_CHAINS; i++) {
		uint64_t t = c->expire_at[i];

		if (t == 0 || now < t)
			continue;
		if (!c->active) {
			c->expire_at[i] = 0; /* an inactive connection's timer stops */
			continue;
		}
		if (expire_condition(c)) {
			/* the first tick more than the linger time after the last packet */
			uint64_t need = c->last_time + LINGER + 1;

			if (t < need)
				t += (need - t + SESSION_TIMER - 1) / SESSION_TIMER * SESSION_TIMER;
			if (t <= now)
				return true;
		}
		c->expire_at[i] += ((now - c->expire_at[i]) / SESSION_TIMER + 1) * SESSION_TIMER;
	}
	return false;
}

static void add_expire(struct zeek_live *c, uint64_t at)
{
	for (unsigned i = 0; i < ZEEK_EXPIRE_CHAINS; i++) {
		if (c->expire_at[i] == 0) {
			c->expire_at[i] = at;
			return;
		}
	}
}

static void reinit(struct zeek_endpoint *e, uint32_t seq, uint32_t seq_end)
{
	e->start = e->ack = seq;
	e->last = seq_end;
}

/* Where the endpoint's relative numbering starts: its SYN, or as if one
 * had come just before its first segment. */
static void init_endpoint(struct zeek_endpoint *e, uint8_t f, uint32_t seq, uint32_t seq_end)
{
	bool syn = (f & TCP_SYN) != 0;

	switch (e->state) {
	case ZEEK_INACTIVE:
		if (syn) {
			reinit(e, seq, seq_end);
		} else {
			e->start = e->ack = seq - 1;
			e->last = seq; /* so the first segment is not a retransmission */
		}
		break;
	case ZEEK_SYN_SENT:
	case ZEEK_SYN_ACK_SENT:
		if (syn && seq != e->start)
			reinit(e, seq, seq_end);
		break;
	case ZEEK_ESTABLISHED:
	case ZEEK_PARTIAL:
		if (syn)
			reinit(e, seq, seq_end);
		break;
	case ZEEK_RESET:
		if (syn && e->prev_state == ZEEK_INACTIVE)
			reinit(e, seq, seq_end);
		break;
	default:
		break;
	}
}

static void update_history(struct zeek_live *c, struct zeek_endpoint *e, uint8_t f, uint32_t rel,
			   uint32_t len)
{
	unsigned bits = !!(f & TCP_SYN) + !!(f & TCP_FIN) + !!(f & TCP_RST);

	if (bits > 1) {
		if ((f & TCP_FIN) && (f & TCP_RST))
			check_history(c, e, H_FIN_RST, 'I');
		else
			check_history(c, e, H_MULTI, 'Q');
	} else if (f & TCP_SYN) {
		char code = (f & TCP_ACK) ? 'H' : 'S';

		/* S, H, F and R repeat when the sequence number moves */
		if (check_history(c, e, H_SYN, code) && rel != e->hist_syn)
			add_history(c, role_letter(c, e, code));
		e->hist_syn = rel;
	} else if (f & TCP_FIN) {
		if (check_history(c, e, H_FIN, 'F') && rel + len != e->hist_fin)
			add_history(c, role_letter(c, e, 'F'));
		e->hist_fin = rel + len;
	} else if (f & TCP_RST) {
		if (check_history(c, e, H_RST, 'R') && rel != e->hist_rst)
			add_history(c, role_letter(c, e, 'R'));
		e->hist_rst = rel;
	} else if (len > 0) {
		check_history(c, e, H_DATA, 'D');
	} else if (f & TCP_ACK) {
		check_history(c, e, H_ACK, 'A');
	}
}

static void update_last_seq(struct zeek_live *c, struct zeek_endpoint *e, uint32_t seq_end,
			    uint8_t f, uint32_t len)
{
	int32_t d = delta(seq_end, e->last);

	if ((f & (TCP_SYN | TCP_RST)) && (d > TOO_LARGE_SEQ_DELTA || d < -TOO_LARGE_SEQ_DELTA))
		; /* an outlandish SYN or RST does not move the stream */
	else if ((f & TCP_FIN) && e->last == e->start + 1)
		e->last = seq_end; /* SYN then FIN only: trust the FIN, however far */
	else if (e->state == ZEEK_RESET)
		;
	else if (d > 0)
		e->last = seq_end;
	else if (len > 0)
		scaled(c, e, &e->rxmt, &e->rxmt_next, 'T');
}

static bool clean(const struct zeek_endpoint *e)
{
	return e->state == ZEEK_ESTABLISHED ||
	       (e->state == ZEEK_CLOSED && e->prev_state == ZEEK_ESTABLISHED);
}

/* Zeek reports content gaps only while both sides are established or
 * closing cleanly: elsewhere they come from sequence confusion. */
static void gap(struct zeek_live *c, struct zeek_endpoint *e)
{
	if (clean(e) && clean(peer_of(c, e)))
		scaled(c, e, &e->gaps, &e->gaps_next, 'G');
}

static void undelivered(struct zeek_live *c, struct zeek_endpoint *e, uint32_t up_to)
{
	/* a partial connection's first ack of data before the first seen */
	if (up_to <= 2 && c->is_partial)
		return;
	if (!e->skip) {
		if (e->buffered && e->buf_lo < up_to) {
			gap(c, e);
			if (e->buf_hi > e->reassem)
				e->reassem = e->buf_hi;
			e->buffered = false;
		}
		if (up_to > e->reassem)
			gap(c, e);
	}
	if (up_to > e->reassem)
		e->reassem = up_to;
}

/* The peer acked e's stream up to rel: bytes acked but never seen are a gap. */
static void ack_received(struct zeek_live *c, struct zeek_endpoint *e, uint32_t rel)
{
	if (e->fin_seen && rel >= e->fin_rel)
		rel = e->fin_rel - 1;
	if (rel <= e->trim)
		return;
	if (rel > e->reassem)
		undelivered(c, e, rel);
	e->trim = rel;
}

static bool no_data_acked(const struct zeek_endpoint *e)
{
	return e->ack == e->start || e->ack == e->start + 1;
}

static void data_sent(struct zeek_endpoint *e, uint32_t rel, uint32_t len)
{
	uint32_t acked = e->ack - e->start, upper = rel + len;

	if (e->skip)
		return;
	if (rel < acked) {
		if (upper <= acked)
			return;
		rel = acked;
	}
	if (upper <= e->trim)
		return;
	if (rel < e->trim)
		rel = e->trim;
	if (upper <= e->reassem)
		return;
	if (rel <= e->reassem) {
		e->reassem = upper;
		if (e->buffered && e->buf_lo <= e->reassem) {
			if (e->buf_hi > e->reassem)
				e->reassem = e->buf_hi;
			e->buffered = false;
		}
		return;
	}
	if (!e->buffered) {
		e->buffered = true;
		e->buf_lo = rel;
		e->buf_hi = upper;
	} else {
		if (rel < e->buf_lo)
			e->buf_lo = rel;
		if (upper > e->buf_hi)
			e->buf_hi = upper;
	}
	/* lots of data above a hole and none of it acked: Zeek stops
	 * reassembling that stream, and so reports no more gaps in it */
	if (no_data_acked(e) && e->buf_hi - e->reassem > ABOVE_HOLE_MAX) {
		e->skip = true;
		e->buffered = false;
	}
}

static void inactive_state(struct zeek_live *c, struct zeek_endpoint *e, struct zeek_endpoint *p,
			   const struct packet *pkt, bool from_orig, bool *do_close, bool *gen)
{
	uint8_t f = pkt->flags;

	if (f & TCP_SYN) {
		if (from_orig) {
			set_state(c, e, (f & TCP_ACK) ? ZEEK_SYN_ACK_SENT : ZEEK_SYN_SENT);
			c->attempt_at = pkt->ts_ns + ATTEMPT_DELAY;
		} else {
			/* a SYN answering an originator's SYN-ACK: the two were
			 * captured in reverse order, so swap the roles */
			if (!(f & TCP_ACK) && p->state == ZEEK_SYN_ACK_SENT && pkt->seq == e->start) {
				c->is_partial = false;
				flip_roles(c);
				set_state(c, p, ZEEK_ESTABLISHED);
				c->first_seen |= 1;
			}
			if (p->state == ZEEK_SYN_SENT)
				set_state(c, p, ZEEK_ESTABLISHED);
			set_state(c, e, ZEEK_ESTABLISHED);
		}
	}
	if (f & TCP_FIN) {
		set_state(c, e, ZEEK_CLOSED);
		*do_close = *gen = true;
	}
	if (f & TCP_RST) {
		bool reject = from_orig ? p->state == ZEEK_ESTABLISHED
					: p->state == ZEEK_SYN_SENT || p->state == ZEEK_SYN_ACK_SENT;

		set_state(c, e, ZEEK_RESET);
		*do_close = true;
		*gen = !reject;
	}
	if (e->state == ZEEK_INACTIVE) {
		if (!from_orig && pkt->payload_len == 0 && orig_ep(c)->state == ZEEK_SYN_SENT) {
			; /* an ack of the SYN before the SYN-ACK: not a partial connection */
		} else if ((f & TCP_ACK) && p->state == ZEEK_ESTABLISHED) {
			/* the SYN was missed but the SYN-ACK was not */
			set_state(c, e, ZEEK_ESTABLISHED);
			c->is_partial = false;
			c->first_seen |= from_orig ? 1 : 2;
		} else {
			set_state(c, e, ZEEK_PARTIAL);
		}
	}
}

static void state_machine(struct zeek_live *c, struct zeek_endpoint *e, struct zeek_endpoint *p,
			  const struct packet *pkt, bool from_orig, bool *do_close, bool *gen)
{
	uint8_t f = pkt->flags;

	*do_close = *gen = false;
	switch (e->state) {
	case ZEEK_INACTIVE:
		inactive_state(c, e, p, pkt, from_orig, do_close, gen);
		break;
	case ZEEK_SYN_SENT:
	case ZEEK_SYN_ACK_SENT:
		if (f & TCP_FIN) {
			set_state(c, e, ZEEK_CLOSED);
			*do_close = *gen = true;
		}
		if (f & TCP_RST) {
			set_state(c, e, ZEEK_RESET);
			c->active = false;
			*do_close = true;
		}
		break;
	case ZEEK_ESTABLISHED:
	case ZEEK_PARTIAL:
		if ((f & TCP_SYN) && !(f & TCP_ACK) && e->state == ZEEK_PARTIAL &&
		    p->state == ZEEK_INACTIVE)
			set_state(c, e, ZEEK_SYN_SENT);
		if ((f & TCP_FIN) && !(f & TCP_RST)) {
			set_state(c, e, ZEEK_CLOSED);
			/* a FIN then RST from the peer was a normal close after all */
			if (p->state == ZEEK_RESET && p->prev_state == ZEEK_CLOSED)
				set_state(c, p, ZEEK_CLOSED);
			*do_close = *gen = true;
		}
		if (f & TCP_RST) {
			set_state(c, e, ZEEK_RESET);
			*do_close = true;
			if (p->state != ZEEK_RESET || p->prev_state != ZEEK_ESTABLISHED)
				c->active = false;
		}
		break;
	case ZEEK_CLOSED:
		/* after a FIN exchange a RST does not change the record */
		if ((f & TCP_RST) && p->state != ZEEK_CLOSED) {
			set_state(c, e, ZEEK_RESET);
			if (!e->did_close)
				*do_close = true;
		}
		break;
	default:
		break;
	}
}

static void connection_closed(struct zeek_live *c, struct zeek_endpoint *e,
			      struct zeek_endpoint *p, bool gen)
{
	bool complete;

	if (e->did_close)
		return;
	e->did_close = true;
	complete = e->state == ZEEK_RESET || p->did_close || p->state == ZEEK_INACTIVE;
	if (complete) {
		if (gen && (e->prev_state != ZEEK_INACTIVE || p->state != ZEEK_INACTIVE))
			c->active = false;
		/* all analyzer timers go; the connection is flushed after a delay */
		c->attempt_at = 0;
		memset(c->expire_at, 0, sizeof c->expire_at);
		c->delete_at = c->last_time + CLOSE_DELAY;
	} else if (e->prev_state != ZEEK_INACTIVE) {
		add_expire(c, c->last_time + SESSION_TIMER);
	}
}

static void process(struct zeek_live *c, unsigned dir, const struct packet *pkt)
{
	uint8_t f = pkt->flags;
	bool syn = (f & TCP_SYN) != 0, fin = (f & TCP_FIN) != 0, rst = (f & TCP_RST) != 0;
	uint32_t len = pkt->payload_len, seg_len, seq_end, rel_ack = 0;
	struct zeek_endpoint *e = &c->ep[dir], *p = &c->ep[!dir];
	bool from_orig, underflow, do_close, gen;
	int32_t rel;

	if (c->synack_first && !(dir == c->orig_side && syn && (f & TCP_ACK))) {
		if (!syn && !rst && ((f & TCP_ACK) || len > 0) &&
		    orig_ep(c)->state == ZEEK_SYN_ACK_SENT && resp_ep(c)->state == ZEEK_INACTIVE)
			flip_after_synack(c);
		c->synack_first = false;
	}
	from_orig = dir == c->orig_side;

	/* whether the connection was picked up without its opening */
	if (from_orig) {
		if (!(c->first_seen & 1))
			c->is_partial = !syn || (f & TCP_ACK);
	} else if (!(c->first_seen & 2) && !c->is_partial) {
		c->is_partial = !syn;
	}

	seg_len = len + syn + fin;
	if (rst)
		seg_len -= len; /* a RST's payload is not stream data */
	seq_end = pkt->seq + seg_len;
	init_endpoint(e, f, pkt->seq, seq_end);
	rel = delta(pkt->seq, e->start);
	underflow = rel < 0;

	update_history(c, e, f, (uint32_t)rel, len);
	if (pkt->win == 0 && !rst && p->state != ZEEK_CLOSED && e->state != ZEEK_RESET)
		scaled(c, e, &e->win0, &e->win0_next, 'W');
	if (!(c->ep[0].did_close && c->ep[1].did_close))
		c->last_time = pkt->ts_ns;
	if (fin) {
		e->fin_seen = true;
		e->fin_rel = (uint32_t)rel + seg_len;
	}
	if (f & TCP_ACK) {
		if (p->state == ZEEK_INACTIVE) {
			/* number the silent peer as if its SYN had been seen */
			rel_ack = 1;
			p->start = p->ack = p->last = pkt->ack - 1;
		} else if (delta(pkt->ack, p->start) >= 0) {
			int32_t d = delta(pkt->ack, p->ack);

			rel_ack = pkt->ack - p->start;
			/* a RST's ack is not trusted; an ack of 0 far ahead is broken */
			if (!rst && d > 0 && !(pkt->ack == 0 && d > TOO_LARGE_SEQ_DELTA))
				p->ack = pkt->ack;
		}
	}
	update_last_seq(c, e, seq_end, f, len);
	state_machine(c, e, p, pkt, from_orig, &do_close, &gen);
	if (f & TCP_ACK)
		ack_received(c, p, rel_ack);
	c->first_seen |= from_orig ? 1 : 2;
	if (len > 0 && pkt->payload_caplen >= len && !rst && !underflow)
		data_sent(e, syn ? (uint32_t)rel + 1 : (uint32_t)rel, len);
	if (do_close)
		connection_closed(c, e, p, gen);
}

static bool rstos0_history(const char *h)
{
	/* Zeek's pattern \^?S[^HAFGIQ]*R: a SYN, then a RST with no handshake,
	 * ack, FIN, gap or odd flags from the originator between them */
	if (*h == '^')
		h++;
	if (*h++ != 'S')
		return false;
	for (; *h != '\0'; h++) {
		if (*h == 'R')
			return true;
		if (strchr("HAFGIQ", *h) != NULL)
			return false;
	}
	return false;
}

static uint64_t endpoint_size(const struct zeek_endpoint *e, const struct zeek_endpoint *peer)
{
	uint32_t by_last = e->last - e->start, by_ack = e->ack - e->start;
	uint64_t size;

	if (e->prev_state == ZEEK_SYN_SENT && e->state == ZEEK_RESET &&
	    peer->state == ZEEK_INACTIVE && !no_data_acked(e))
		return 0;
	size = by_last > by_ack ? by_last : by_ack;
	if (size != 0)
		size--; /* the SYN */
	if (e->fin_seen && size != 0)
		size--;
	return size;
}

static uint8_t conn_state(const struct zeek_live *c)
{
	const struct zeek_endpoint *o = &c->ep[c->orig_side], *r = &c->ep[!c->orig_side];
	uint8_t os = o->state, rs = r->state;
	bool o_inactive = os == ZEEK_INACTIVE || os == ZEEK_PARTIAL;
	bool r_inactive = rs == ZEEK_INACTIVE || rs == ZEEK_PARTIAL;

	if (rs == ZEEK_RESET) {
		if (os == ZEEK_SYN_SENT || os == ZEEK_SYN_ACK_SENT ||
		    (os == ZEEK_RESET && endpoint_size(o, r) == 0 && endpoint_size(r, o) == 0))
			return ZEEK_REJ;
		return o_inactive ? ZEEK_RSTRH : ZEEK_RSTR;
	}
	if (os == ZEEK_RESET) {
		if (r_inactive)
			return rstos0_history(c->history) ? ZEEK_RSTOS0 : ZEEK_OTH;
		return ZEEK_RSTO;
	}
	if (rs == ZEEK_CLOSED && os == ZEEK_CLOSED)
		return ZEEK_SF;
	if (os == ZEEK_CLOSED)
		return r_inactive ? ZEEK_SH : ZEEK_S2;
	if (rs == ZEEK_CLOSED)
		return o_inactive ? ZEEK_SHR : ZEEK_S3;
	if (os == ZEEK_SYN_SENT && rs == ZEEK_INACTIVE)
		return ZEEK_S0;
	if (os == ZEEK_ESTABLISHED && rs == ZEEK_ESTABLISHED)
		return ZEEK_S1;
	return ZEEK_OTH;
}

static void summarize(const struct zeek_live *c, struct zeek_piece *p)
{
	p->first_pkt = c->first_pkt;
	p->conn_state = conn_state(c);
	p->orig_side = c->orig_side;
	p->truncated = c->truncated;
	memcpy(p->history, c->history, sizeof p->history);
}

static void end_piece(struct zeek_conn *z)
{
	if (z->done == NULL)
		z->done = xcalloc(ZEEK_PIECES_MAX - 1, sizeof *z->done);
	if (z->done_count < ZEEK_PIECES_MAX - 1)
		summarize(&z->cur, &z->done[z->done_count++]);
	else
		z->done_dropped++;
	z->cur.live = false;
}

void zeek_conn_free(struct zeek_conn *z)
{
	free(z->done);
	memset(z, 0, sizeof *z);
}

void zeek_step(struct zeek_conn *z, unsigned dir, const struct packet *pkt)
{
	struct zeek_live *c = &z->cur;

	if (c->live && (expired(c, pkt->ts_ns) || reuses(c, pkt)))
		end_piece(z);
	if (!c->live)
		start_piece(c, dir & 1, pkt);
	process(c, dir & 1, pkt);
}

unsigned zeek_piece_count(const struct zeek_conn *z)
{
	return z->done_count + (z->cur.live ? 1u : 0u);
}

bool zeek_piece_get(const struct zeek_conn *z, unsigned i, struct zeek_piece *out)
{
	if (i < z->done_count) {
		*out = z->done[i];
		return true;
	}
	if (i == z->done_count && z->cur.live) {
		summarize(&z->cur, out);
		return true;
	}
	return false;
}

uint32_t zeek_pieces_dropped(const struct zeek_conn *z)
{
	return z->done_dropped;
}

const char *zeek_conn_state_name(uint8_t s)
{
	return s < sizeof state_names / sizeof state_names[0] ? state_names[s] : "?";
}

const char *zeek_conn_state(const struct zeek_conn *z)
{
	struct zeek_piece p;

	return zeek_piece_get(z, 0, &p) ? zeek_conn_state_name(p.conn_state) : NULL;
}

const char *zeek_history(const struct zeek_conn *z)
{
	if (z->done_count > 0)
		return z->done[0].history;
	return z->cur.live ? z->cur.history : NULL;
}

unsigned zeek_orig_side(const struct zeek_conn *z)
{
	if (z->done_count > 0)
		return z->done[0].orig_side;
	return z->cur.orig_side;
}
