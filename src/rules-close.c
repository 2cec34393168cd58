/* rules-close: the rules that name how a connection ended, when the close
 * verdict (classify.h) alone says it: refused, simultaneous close, half
 * close, a scanner's probe. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "rules-int.h"

/* Report a SYN answered by a RST: connection-refused. */
void rules_refused(struct check *k)
{
	const struct tcp_endpoint *cl = &k->c->ep[0], *sv = &k->c->ep[1];
	struct finding *fd;

	if (k->v->cls != CLOSE_REFUSED || (fd = rules_found(k, RULE_CONNECTION_REFUSED, 1)) == NULL)
		return;
	rules_evidence(fd, cl->first_pkt);
	rules_evidence(fd, sv->rst->pkt);
	rules_say(fd, "the client's SYN (packet %" PRIu64 ") was answered by %s (packet %" PRIu64
		") %.3f ms later: no socket listened on the server's port, or a firewall "
		"rejected it; connect() failed with ECONNREFUSED",
		  cl->first_pkt, (sv->rst->flags & TCP_ACK) ? "RST|ACK" : "RST", sv->rst->pkt,
		  secs(cl->first_pkt != 0 ? k->f->first_ts : 0, sv->rst->ts) * 1e3);
	if (cl->packets > 1 && cl->fin->count == 0 && cl->rsts == 0 && !cl->seq_known)
		rules_say(fd, "; the client retried");
}

/* Report FINs that crossed: simultaneous-close. */
void rules_simultaneous(struct check *k)
{
	const struct tcp_endpoint *a = &k->c->ep[0], *b = &k->c->ep[1];
	struct capture_point_verdict cp;
	uint64_t rtt;
	struct finding *fd;

	if (k->v->cls != CLOSE_SIMULTANEOUS ||
	    (fd = rules_found(k, RULE_SIMULTANEOUS_CLOSE, -1)) == NULL)
		return;
	rules_evidence(fd, a->fin->pkt);
	rules_evidence(fd, b->fin->pkt);
	rules_say(fd, "the FINs crossed: the %s's (packet %" PRIu64 ") and the %s's (packet %"
		PRIu64 ") were each sent before the other arrived, so neither acknowledges the "
		"other; both sides go through CLOSING and hold TIME_WAIT",
		  who(k, 0), a->fin->pkt, who(k, 1), b->fin->pkt);
	cp = classify_capture_point(k->c);
	rtt = rules_round_trip(k->c);
	for (int x = 0; x < 2; x++) {
		const struct tcp_endpoint *me = &k->c->ep[x], *peer = &k->c->ep[!x];
		bool near_peer = (x == 0 && cp.where == CAPTURE_NEAR_SERVER) ||
				 (x == 1 && cp.where == CAPTURE_NEAR_CLIENT);

		/* acked only after a retransmission, and the peer sent a packet
		 * acking below the FIN once the first copy had reached it (at
		 * once near the peer, a round trip later elsewhere): that copy
		 * was not taken */
		if (me->fin->rexmit_pkt == 0 || !me->fin_acked || me->fin->ack_pkt < me->fin->rexmit_pkt ||
		    me->fin->ack_short_ts <= me->fin->ts ||
		    me->fin->ack_short_ts - me->fin->ts <= (near_peer ? NS_PER_S / 1000 : rtt))
			continue;
		/* a copy sent as the peer's FIN arrived answers that FIN, as
		 * BSD and macOS do, with nothing lost */
		if (me->fin->rexmit_clean_pkt != me->fin->rexmit_pkt ||
		    me->fin->rexmit_clean_ts < peer->fin->ts ||
		    me->fin->rexmit_clean_ts - peer->fin->ts <= rtt)
			continue;
		rules_evidence(fd, me->fin->rexmit_pkt);
		rules_say(fd, "; but the %s's FIN was acknowledged only after its retransmission "
			"(packet %" PRIu64 ", %.3f s later): the first copy never reached the %s's "
			"TCP (lost after the capture point, or discarded there)",
			  who(k, x), me->fin->rexmit_pkt, secs(me->fin->ts, me->fin->rexmit_clean_ts),
			  who(k, !x));
	}
}

/* Report a side that kept receiving after its FIN: half-close. */
void rules_half_close(struct check *k)
{
	int a = k->v->active_closer;
	uint64_t pkts[FINDING_PKTS_MAX];
	unsigned n;
	struct finding *fd;

	if (k->v->cls != CLOSE_HALF || a < 0 || a > 1 ||
	    (fd = rules_found(k, RULE_HALF_CLOSE, a)) == NULL)
		return;
	rules_evidence(fd, k->c->ep[a].fin->pkt);
	n = rules_event_pkts(k->c, EV_DATA_AFTER_PEER_FIN, !a, pkts, FINDING_PKTS_MAX - 1);
	for (unsigned i = 0; i < n; i++)
		rules_evidence(fd, pkts[i]);
	rules_say(fd, "the %s shut down its sending side (FIN, packet %" PRIu64 ") and kept "
		"receiving: the %s sent %" PRIu32 " more data %s after it, all acknowledged, "
		"then closed",
		  who(k, a), k->c->ep[a].fin->pkt, who(k, !a),
		  k->c->ep[!a].odd->data_after_peer_fin,
		  k->c->ep[!a].odd->data_after_peer_fin == 1 ? "segment" : "segments");
}

/* A scanner's probe (the close verdict found its signature). */
void rules_probe(struct check *k)
{
	const struct tcp_conn *c = k->c;
	const struct tcp_endpoint *cl = &c->ep[0], *sv = &c->ep[1];
	struct finding *fd;
	char flags[9];

	if (k->v->cls != CLOSE_PROBE || (fd = rules_found(k, RULE_SCAN_PROBE, 0)) == NULL)
		return;
	rules_evidence(fd, cl->first_pkt);
	switch (classify_probe(c)) {
	case PROBE_FLAGS:
		decode_flags_str(cl->first_flags, flags);
		rules_evidence(fd, sv->rst->pkt);
		rules_say(fd, "packet %" PRIu64 " opens with flags %s, %s, which no TCP stack "
			"sends in a connection: a FIN/NULL/Xmas-style port probe; the %s (packet %"
			PRIu64 ") is a closed port's no-socket answer%s",
			  cl->first_pkt, flags,
			  (cl->first_flags & TCP_SYN) ? "SYN with FIN" : "without ACK",
			  rules_rst_name(sv), sv->rst->pkt,
			  sv->rst->seq == 0 ? " (seq 0, as for any segment without ACK)" : "");
		break;
	case PROBE_SYN:
		rules_evidence(fd, sv->first_pkt);
		rules_evidence(fd, cl->rst->pkt);
		rules_say(fd, "a half-open SYN scan: the SYN (packet %" PRIu64 ", window %u) "
			"carries neither window scaling nor SACK_OK, which every current stack "
			"sends, and the SYN-ACK (packet %" PRIu64 ") was reset by the scanner's "
			"own kernel (packet %" PRIu64 "), which had no socket for it: the port is "
			"open",
			  cl->first_pkt, cl->syn_win, sv->first_pkt, cl->rst->pkt);
		break;
	default:
		rules_evidence(fd, cl->rst->pkt);
		rules_say(fd, "a connect scan or health check: the client completed the handshake "
			"and reset it with %s (packet %" PRIu64 ") %.3f ms after its handshake "
			"ACK, before either side sent a byte: the port is open",
			  rules_rst_name(cl), cl->rst->pkt, secs(c->hs_ack_ts, cl->rst->ts) * 1e3);
		break;
	}
}
