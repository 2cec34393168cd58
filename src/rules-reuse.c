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
		const struct tcp_endpoint *me = &c->ep[x];

		if (me->tw_rst_pkt == 0 ||
		    (fd = rules_found(k, RULE_TIME_WAIT_ASSASSINATION, x)) == NULL)
			continue;
		rules_evidence(fd, me->tw_rst_pkt);
		rules_say(fd, "a RST from the %s (packet %" PRIu64 ") reached the %s while it held "
			"TIME_WAIT; Linux ends TIME_WAIT on it unless net.ipv4.tcp_rfc1337=1",
			  who(k, !x), me->tw_rst_pkt, who(k, x));
		if (me->last_fin_seq != me->fin_seq && c->ep[!x].rst->pkt == me->tw_rst_pkt &&
		    c->ep[!x].rst->answers_pkt == me->last_fin_pkt)
			rules_say(fd, "; the RST answers the %s's own second FIN at another seq "
				"(packet %" PRIu64 ", see fin-seq-mismatch): the %s had closed and "
				"reset what was to it a segment past the stream's end",
				  who(k, x), me->last_fin_pkt, who(k, !x));
	}
	if (!c->reuse.known || c->mid_stream)
		return;
	for (int x = 0; x < 2; x++) {
		const struct tcp_endpoint *cl = &c->ep[0], *sv = &c->ep[1];
		const char *answer;

		if (c->reuse.state[x] != TCPS_TIME_WAIT)
			continue;
		if ((fd = rules_found(k, RULE_TIME_WAIT_REUSE, x)) == NULL)
			return;
		rules_evidence(fd, cl->first_pkt);
		rules_evidence(fd, sv->first_pkt);
		rules_say(fd, "the SYN (packet %" PRIu64 ") reuses the 4-tuple of connection %"
			PRIu64 " %.3f s after the %s entered TIME_WAIT (%s %s%s); its ISN %" PRIu32
			" is %s the old connection's last client seq %" PRIu32,
			  cl->first_pkt, f->prev_id, secs(c->reuse.state_ts[x], f->first_ts), who(k, x),
			  rules_duration(k->cfg->time_wait_ns, t),
			  k->cfg->time_wait_set ? "as configured" : "on ",
			  k->cfg->time_wait_set ? "" : k->cfg->profile->name, cl->isn,
			  seq_gt(cl->isn, c->reuse.snd_nxt[0]) ? "beyond" : "not beyond",
			  c->reuse.snd_nxt[0]);
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
