/* rules-reuse: the rules about TIME_WAIT: a RST that ended it early, and
 * a new connection's SYN on the 4-tuple of one still in it (the reuse
 * record the engine keeps, tcpstate.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "rules-int.h"

/* Report a RST that ended TIME_WAIT, and a SYN that reused a TIME_WAIT 4-tuple. */
void rules_time_wait(struct check *k)
{
	const struct flow *f = k->f;
	const struct tcp_conn *c = k->c;
	struct finding *fd;
	char t[DURATION_MAX];

	for (int x = 0; x < 2; x++) {
		const struct tcp_endpoint *me = &c->ep[x], *peer = &c->ep[!x];

		if (me->odd->tw_rst_pkt == 0 ||
		    (fd = rules_found(k, RULE_TIME_WAIT_ASSASSINATION, x)) == NULL)
			continue;
		rules_evidence(fd, me->odd->tw_rst_pkt);
		rules_say(fd, "a RST from the %s (packet %" PRIu64 ") reached the %s while it held "
			"TIME_WAIT; Linux ends TIME_WAIT on it unless net.ipv4.tcp_rfc1337=1",
			  who(k, !x), me->odd->tw_rst_pkt, who(k, x));
		if (me->fin->last_seq != me->fin->seq && peer->rst->pkt == me->odd->tw_rst_pkt &&
		    peer->rst->answers_pkt == me->fin->last_pkt) {
			rules_say(fd, "; the RST answers the %s's own second FIN at another seq "
				"(packet %" PRIu64 ", see fin-seq-mismatch): the %s had closed and "
				"reset what was to it a segment past the stream's end",
				  who(k, x), me->fin->last_pkt, who(k, !x));
		} else if (peer->fin_seen && peer->fin->pkt < me->odd->tw_rst_pkt &&
			   peer->rst->pkt == me->odd->tw_rst_pkt &&
			   peer->rst->seq == peer->fin->seq + 1 &&
			   peer->rst->ts >= peer->fin->ts &&
			   peer->rst->ts - peer->fin->ts <= rules_round_trip(c) + NS_PER_S / 10) {
			/* shortly after its own FIN, at the seq after it: the
			 * sender's stack (or a device speaking for it) ending its
			 * closed side with a reset, as Windows and some CDNs do;
			 * not the answer to an old segment */
			rules_say(fd, "; the %s had sent its own FIN (packet %" PRIu64 ") %.3f ms "
				"before, and the RST is at the seq after it: its side ended in a "
				"reset after a graceful close, which only matters if the 4-tuple "
				"is reused before TIME_WAIT would have ended",
				  who(k, !x), peer->fin->pkt, secs(peer->fin->ts, peer->rst->ts) * 1e3);
			fd->severity = SEV_INFO;
		}
	}
	if (!c->reuse->known || c->mid_stream)
		return;
	for (int x = 0; x < 2; x++) {
		const struct tcp_endpoint *cl = &c->ep[0], *sv = &c->ep[1];
		const char *answer;

		if (c->reuse->state[x] != TCPS_TIME_WAIT)
			continue;
		if ((fd = rules_found(k, RULE_TIME_WAIT_REUSE, x)) == NULL)
			return;
		rules_evidence(fd, cl->first_pkt);
		rules_evidence(fd, sv->first_pkt);
		rules_say(fd, "the SYN (packet %" PRIu64 ") reuses the 4-tuple of connection %"
			PRIu64 " %.3f s after the %s entered TIME_WAIT (%s %s%s); its ISN %" PRIu32
			" is %s the old connection's last client seq %" PRIu32,
			  cl->first_pkt, c->reuse->prev_id, secs(c->reuse->state_ts[x], f->first_ts),
			  who(k, x),
			  rules_duration(k->cfg->time_wait_ns, t),
			  k->cfg->time_wait_set ? "as configured" : "on ",
			  k->cfg->time_wait_set ? "" : k->cfg->profile->name, cl->isn,
			  seq_gt(cl->isn, c->reuse->snd_nxt[0]) ? "beyond" : "not beyond",
			  c->reuse->snd_nxt[0]);
		if (sv->first_pkt == 0) {
			rules_say(fd, "; no answer was seen");
			return;
		}
		if ((sv->first_flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
			answer = ", so the server accepted it with SYN|ACK";
		else if (sv->first_flags & TCP_RST)
			answer = "; the server answered with RST: the SYN was refused";
		else
			answer = "; the TIME_WAIT socket answered with an ACK for the old "
				 "connection (the SYN was not accepted), and the client must reset "
				 "and retry";
		rules_say(fd, "%s (packet %" PRIu64 ")", answer, sv->first_pkt);
		return;
	}
}

/* Report a SYN the server answered with an ACK of an earlier connection
 * it still held (EV_OLD_ACK), unless time-wait-reuse already tells it. */
void rules_old_connection(struct check *k)
{
	const struct tcp_conn *c = k->c;
	const struct tcp_endpoint *cl = &c->ep[0];
	const struct tcp_event *old = rules_first_event(c, EV_OLD_ACK, 1), *rst, *retry;
	bool prev = c->reuse->known && c->reuse->prev_id != 0, matches;
	struct finding *fd;

	if (old == NULL || !c->syn_seen || !cl->isn_known)
		return;
	if (prev && (c->reuse->state[0] == TCPS_TIME_WAIT || c->reuse->state[1] == TCPS_TIME_WAIT))
		return; /* time-wait-reuse's case */
	if ((fd = rules_found(k, RULE_SYN_TO_OLD_CONNECTION, 1)) == NULL)
		return;
	rst = rules_event_after(c, EV_OLD_ACK_RST, 0, old->pkt);
	if (rst != NULL && rst->a != old->a)
		rst = NULL;
	retry = rules_event_after(c, EV_SYN_RETRANSMIT, 0, rst != NULL ? rst->pkt : old->pkt);
	matches = prev && old->a == c->reuse->snd_nxt[0];
	rules_evidence(fd, cl->first_pkt);
	rules_evidence(fd, old->pkt);
	rules_say(fd, "the server answered the SYN (packet %" PRIu64 ") with an ACK not "
		"acking it (packet %" PRIu64 ", ack %" PRIu32 ", not %" PRIu32 "): ",
		  cl->first_pkt, (uint64_t)old->pkt, old->a, cl->isn + 1);
	if (matches && c->reuse->state[1] != TCPS_CLOSED)
		rules_say(fd, "an ACK of connection %" PRIu64 ", whose client stream ends there, "
			"still open in the capture: the client had lost it without a FIN or "
			"RST reaching the server",
			  c->reuse->prev_id);
	else if (matches)
		rules_say(fd, "an ACK of connection %" PRIu64 ", whose client stream ends there",
			  c->reuse->prev_id);
	else
		rules_say(fd, "an ACK of an earlier connection on the 4-tuple that the server "
			"still held (TIME_WAIT, or open: RFC 5961 4.2)");
	if (rst != NULL) {
		rules_evidence(fd, rst->pkt);
		rules_say(fd, "; the client's RST at that ack (packet %" PRIu64 ") ended it there",
			  (uint64_t)rst->pkt);
	}
	if (retry != NULL) {
		rules_evidence(fd, retry->pkt);
		rules_say(fd, "; the SYN sent again %.3f s after the first (packet %" PRIu64 ") %s",
			  retry->b / 1e3, (uint64_t)retry->pkt,
			  c->synack_ts != 0 ? "was accepted" : "got no SYN|ACK");
	} else {
		rules_say(fd, "; no retry of the SYN was captured");
	}
	if (!matches)
		rules_lower(fd, CONF_MEDIUM, "the earlier connection is not in the capture");
}
