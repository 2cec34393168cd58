/* artefact: see include/artefact.h. */
#include "config.h"

#include <stdlib.h>

#include "artefact.h"

/* The packet's own identity: IPv4's IP ID, IPv6's flow label. */
static uint32_t packet_id(const struct packet *p)
{
	return p->family == 6 ? p->flow_label : p->ip_id;
}

static uint32_t distance(uint32_t a, uint32_t b)
{
	int32_t d = (int32_t)(a - b);

	return d < 0 ? (uint32_t)0 - (uint32_t)d : (uint32_t)d;
}

/* Whether x lies nearer the shifted copy of a stream whose next seq is
 * nxt than the stream itself. */
static bool in_shifted_space(uint32_t x, uint32_t nxt, uint32_t shift)
{
	return distance(x, nxt + shift) < distance(x, nxt);
}

bool artefact_translate(const struct tcp_conn *c, unsigned dir, struct packet *p)
{
	const struct tcp_endpoint *me = &c->ep[dir], *peer = &c->ep[!dir];
	bool moved = false;

	if (me->odd->shift_known && me->seq_known &&
	    in_shifted_space(p->seq, me->snd_nxt, me->odd->seq_shift)) {
		p->seq -= me->odd->seq_shift;
		moved = true;
	}
	if (peer->odd->shift_known && peer->seq_known && (p->flags & TCP_ACK) &&
	    in_shifted_space(p->ack, peer->snd_nxt, peer->odd->seq_shift)) {
		p->ack -= peer->odd->seq_shift;
		for (unsigned i = 0; i < p->opt.sack_count && i < TCP_MAX_SACK; i++) {
			p->opt.sack[i][0] -= peer->odd->seq_shift;
			p->opt.sack[i][1] -= peer->odd->seq_shift;
		}
		moved = true;
	}
	return moved;
}

/* The same packet apart from seq and ack: what a copy taken on the other
 * side of an ISN-shifting device keeps.  SACK blocks are shifted too, so
 * only the option kinds and the timestamp are compared. */
static bool same_but_numbers(const struct tcp_copy_sig *s, const struct packet *p)
{
	return s->id == packet_id(p) && s->len == p->payload_len && s->flags == p->flags &&
	       s->win == p->win && s->opt_has == p->opt.has &&
	       (!(p->opt.has & TCPOPT_HAS_TS) || s->ts_val == p->opt.ts_val) &&
	       abs((int)s->ttl - (int)p->ttl) <= 1;
}

enum artefact_kind artefact_check(struct tcp_conn *c, unsigned dir, const struct packet *p,
				  bool translated)
{
	struct tcp_endpoint *me = &c->ep[dir], *peer = &c->ep[!dir];
	const struct tcp_copy_sig *s = &me->sig;
	bool informative;

	if (!s->valid || p->ts_ns < s->ts || p->ts_ns - s->ts > ARTEFACT_COPY_WINDOW_NS ||
	    !same_but_numbers(s, p))
		return ARTEFACT_NONE;
	/* An IP ID of 0 (stacks that leave it so with DF), one the sender
	 * has put on two different packets already, or a flow label, which
	 * is the same for the whole flow, does not tell one packet from
	 * another: then nothing from the peer may come between. */
	informative = p->family == 4 && p->ip_id != 0 && !s->id_repeats;
	/* A host with no socket answers each segment of a burst with the
	 * same RST (seq = their ack, IP ID 0), microseconds apart with
	 * nothing from the peer between: without an identity such RSTs are
	 * real answers, unless this side's packets were captured twice
	 * before (a copied RST changes nothing but a count). */
	if (!informative && (p->flags & TCP_RST) && me->odd->copies == 0)
		return ARTEFACT_NONE;
	/* The checksum covers the payload, so an exact copy has the same;
	 * a translated packet's checksum and option bytes (SACK blocks) are
	 * the other space's: its timestamp was compared, that must do. */
	if (s->seq == p->seq && s->ack == p->ack &&
	    ((s->opt_hash == p->opt_hash && s->tcp_sum == p->tcp_sum) || s->translated ||
	     translated))
		return informative || s->peer_packets == peer->packets ? ARTEFACT_COPY
								       : ARTEFACT_NONE;
	if (!informative)
		return ARTEFACT_NONE;
	/* seq or ack differ by a large constant: learn it, once per stream */
	{
		uint32_t ds = p->seq - s->seq, da = p->ack - s->ack;
		bool seq_moved = ds != 0, ack_moved = da != 0 && (p->flags & TCP_ACK);

		if ((seq_moved &&
		     (distance(ds, 0) < ARTEFACT_MIN_SHIFT || me->odd->shift_known)) ||
		    (ack_moved &&
		     (distance(da, 0) < ARTEFACT_MIN_SHIFT || peer->odd->shift_known)) ||
		    (!seq_moved && !ack_moved))
			return ARTEFACT_NONE;
		if (seq_moved) {
			struct tcp_odd *o = tcp_conn_odd(c, dir);

			o->shift_known = true;
			o->seq_shift = ds;
		}
		if (ack_moved) {
			struct tcp_odd *o = tcp_conn_odd(c, !dir);

			o->shift_known = true;
			o->seq_shift = da;
		}
	}
	return ARTEFACT_SHIFTED;
}

void artefact_remember(struct tcp_conn *c, unsigned dir, const struct packet *p, bool translated)
{
	struct tcp_copy_sig *s = &c->ep[dir].sig;

	if (s->valid && s->id == packet_id(p))
		s->id_repeats = true;
	s->ts = p->ts_ns;
	s->peer_packets = c->ep[!dir].packets;
	s->seq = p->seq;
	s->ack = p->ack;
	s->len = p->payload_len;
	s->opt_hash = p->opt_hash;
	s->ts_val = p->opt.ts_val;
	s->id = packet_id(p);
	s->win = p->win;
	s->tcp_sum = p->tcp_sum;
	s->flags = p->flags;
	s->ttl = p->ttl;
	s->opt_has = p->opt.has;
	s->translated = translated;
	s->valid = true;
}

bool artefact_renumbered(const struct tcp_conn *c, unsigned dir, const struct packet *p)
{
	const struct tcp_copy_sig *s = &c->ep[dir].sig;

	return s->valid && same_but_numbers(s, p);
}

bool artefact_padding(const struct packet *p)
{
	if ((p->wirelen != ARTEFACT_ETHER_MIN && p->wirelen != ARTEFACT_ETHER_MIN_UNTAGGED) ||
	    !p->ip_fills_frame || p->payload_len == 0 ||
	    p->payload_len > ARTEFACT_PAD_MAX || p->head_len != p->payload_len ||
	    (p->flags & (TCP_SYN | TCP_PSH | TCP_URG)) != 0 || !(p->flags & (TCP_ACK | TCP_RST)))
		return false;
	for (uint32_t i = 0; i < p->payload_len; i++)
		if (p->head[i] != 0)
			return false;
	return true;
}
