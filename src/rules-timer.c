/* rules-timer: the rules about timers and give-ups: a FIN or SYN
 * retransmitted until the sender gave up, SO_LINGER running out, and an
 * application that left its socket in CLOSE_WAIT. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "goodbye.h"
#include "rules-int.h"

/* SO_LINGER's time is in whole seconds: a RST sooner after the FIN is no
 * linger timeout. */
static const uint64_t LINGER_MIN_NS = 1000000000u;

/* Report a FIN sent with data never acknowledged, and a FIN_WAIT_1 give-up. */
void rules_giveup(struct check *k)
{
	uint64_t pkts[FINDING_PKTS_MAX];

	for (int x = 0; x < 2; x++) {
		const struct tcp_endpoint *me = &k->c->ep[x], *peer = &k->c->ep[!x];
		/* The premise: the data and the FIN were never acknowledged,
		 * and a RST came only after close() could have waited the
		 * linger time (whole seconds), not in answer to the peer's data
		 * (rst-on-data-after-close's case: one RST, one diagnosis). */
		bool never_acked = !me->fin_acked && peer->ack_known &&
				   seq_leq(peer->last_ack, me->fin->unacked_seq);
		bool linger_rst = me->rsts && me->rst->pkt > me->fin->pkt &&
				  me->rst->ts >= me->fin->ts && me->rst->ts - me->fin->ts >= LINGER_MIN_NS &&
				  rules_rst_unread(me) == 0;
		struct finding *fd;
		unsigned n = 0;

		if (me->fin->unacked_pkt != 0 && never_acked &&
		    (tcp_endpoint_gave_up(me) || linger_rst) &&
		    (fd = rules_found(k, RULE_LINGER_TIMEOUT, x)) != NULL) {
			rules_evidence(fd, me->fin->unacked_pkt);
			rules_evidence(fd, me->fin->pkt);
			if (linger_rst)
				rules_evidence(fd, me->rst->pkt);
			rules_say(fd, "the %s sent its FIN (packet %" PRIu64 ") with data still "
				"unacknowledged (from packet %" PRIu64 "), and neither was ever "
				"acknowledged; ",
				  who(k, x), me->fin->pkt, me->fin->unacked_pkt);
			if (linger_rst)
				rules_say(fd, "%.3f s after the FIN it reset the connection "
					"(packet %" PRIu64 "), as SO_LINGER {1, t} does on BSD and "
					"Windows when t runs out: the data was discarded",
					  secs(me->fin->ts, me->rst->ts), me->rst->pkt);
			else
				rules_say(fd, "it retransmitted and gave up without a RST, as "
					"Linux does for an orphaned socket whether or not "
					"SO_LINGER {1, t} made close() wait: the data was lost");
			{
				uint32_t len = me->fin->seq - me->fin->unacked_seq;
				const char *bye = me->una_seq == me->fin->unacked_seq
							  ? goodbye_name(me->una_head, me->una_head_len, len)
							  : NULL;

				if (bye != NULL) {
					rules_say(fd, "; the bytes are %s, a goodbye, not "
						"application data",
						  bye);
					fd->severity = SEV_INFO;
				}
			}
			if (peer->fin_seen && peer->fin->pkt < me->fin->pkt &&
			    peer->last_pkt < me->fin->pkt) {
				/* A peer that had closed must still acknowledge
				 * (FIN_WAIT_1, FIN_WAIT_2): its silence says the
				 * segments never reached its TCP, or it is gone;
				 * the capture cannot tell which. */
				rules_say(fd, "; the %s, which had sent its own FIN (packet %"
					PRIu64 "), never answered again, so the segments may not "
					"have reached its TCP at all",
					  who(k, !x), peer->fin->pkt);
				fd->confidence = CONF_LOW;
			}
		}
		if (k->v->cls != CLOSE_VANISHED || k->v->active_closer != x ||
		    (fd = rules_found(k, RULE_FIN_WAIT1_GIVEUP, x)) == NULL)
			continue;
		n += rules_event_pkts(k->c, EV_FIN, x, pkts, FINDING_PKTS_MAX);
		n += rules_event_pkts(k->c, EV_FIN_RETRANSMIT, x, pkts + n, FINDING_PKTS_MAX - n);
		for (unsigned i = 0; i < n; i++)
			rules_evidence(fd, pkts[i]);
		rules_say(fd, "the %s's FIN was sent %" PRIu32 " times over %.3f s (packets %"
			PRIu64 " to %" PRIu64 ") and never acknowledged, then nothing more came "
			"from it: an orphaned socket ran out of retries (Linux: "
			"net.ipv4.tcp_orphan_retries) and was destroyed without TIME_WAIT or RST; "
			"the %s may still believe the connection is open",
			  who(k, x), me->fin->count, secs(me->fin->ts, me->fin->last_ts), me->fin->pkt,
			  me->fin->last_pkt, who(k, !x));
	}
}

/* Fewer unanswered SYNs (or FINs) than this are no evidence of a series:
 * one SYN alone is what a scan, or a capture that ended, shows too. */
enum { RETRY_SERIES_MIN = 3 };

/* No stack's SYN retransmission timer fires sooner than this (the initial
 * RTO is 1 s by RFC 6298, 3 s on older stacks; Linux's RTO floor is 200 ms):
 * SYNs closer together are crafted or a tool's, not a connect() retrying. */
enum { SYN_RTO_MIN_MS = 200 };

/* Intervals between the copies of a SYN, from the event log (ms since the
 * first SYN); return how many were logged, 0 when one is shorter than a
 * SYN timer can be or shorter than three quarters of the one before: a
 * backoff never shrinks, so that is no retransmission timer. */
static unsigned syn_intervals(const struct tcp_conn *c, uint32_t *ms, unsigned max)
{
	uint32_t prev = 0;
	unsigned n = 0;

	for (unsigned i = 0; i < c->event_count && n < max; i++) {
		const struct tcp_event *e = &c->events[i];

		if (e->type != EV_SYN_RETRANSMIT || e->dir != 0)
			continue;
		if (e->b < prev + SYN_RTO_MIN_MS || (n > 0 && (uint64_t)(e->b - prev) * 4 < (uint64_t)ms[n - 1] * 3))
			return 0;
		ms[n++] = e->b - prev;
		prev = e->b;
	}
	return n;
}

/* Report a SYN retried with backoff and never answered. */
void rules_connect_timeout(struct check *k)
{
	const struct tcp_conn *c = k->c;
	const struct tcp_endpoint *cl = &c->ep[0];
	uint32_t ms[TCP_EVENTS_MAX];
	uint64_t pkts[FINDING_PKTS_MAX];
	unsigned n, np;
	bool stopped;
	struct finding *fd;

	if (!c->syn_seen || c->mid_stream || !tcp_endpoint_syn_unanswered(c, 0, RETRY_SERIES_MIN))
		return;
	n = syn_intervals(c, ms, TCP_EVENTS_MAX);
	if (n + 1 < RETRY_SERIES_MIN || (fd = rules_found(k, RULE_CONNECT_TIMEOUT, 0)) == NULL)
		return;
	stopped = tcp_retries_stopped(cl->prev_syn_ts, cl->last_syn_ts, c->end_ts);
	rules_evidence(fd, cl->first_pkt);
	np = rules_event_pkts(c, EV_SYN_RETRANSMIT, 0, pkts, FINDING_PKTS_MAX - 2);
	for (unsigned i = 0; i < np; i++)
		rules_evidence(fd, pkts[i]);
	rules_evidence(fd, cl->last_pkt); /* the last SYN: the silence starts there */
	rules_say(fd, "the client's SYN (packet %" PRIu64 ") was never answered: it was sent %"
		PRIu32 " times over %.3f s, at intervals of",
		  cl->first_pkt, cl->syns, secs(c->syn_ts, cl->last_syn_ts));
	for (unsigned i = 0; i < n; i++)
		rules_say(fd, "%s %.3f", i == 0 ? "" : ",", ms[i] / 1e3);
	rules_say(fd, "%s s, and nothing came back from the server", c->events_dropped ? " ..." : "");
	if (stopped) {
		rules_say(fd, "; then %.3f s of silence until %s, over twice the "
			"last interval: the client gave up, its stack after its retries "
			"(connect() fails with ETIMEDOUT; Linux: net.ipv4.tcp_syn_retries, "
			"Windows: TcpMaxConnectRetransmissions) or its application first, on a "
			"timeout of its own",
			  secs(cl->last_syn_ts, c->end_ts), rules_end_noun(c));
	} else {
		rules_say(fd, "; %s %.3f s after the last one, before the retries "
			"could be seen to stop (connect() fails with ETIMEDOUT when they run out)",
			  rules_end_verb(c), secs(cl->last_syn_ts, c->end_ts));
		rules_lower(fd, CONF_MEDIUM, c->end_at_leap ? "the capture's time jumped ahead, maybe "
			    "during the retries" : "the capture may have ended during the retries");
	}
}

/* Report a passive closer whose FIN copies nobody answered. */
void rules_last_ack_giveup(struct check *k)
{
	const struct tcp_conn *c = k->c;
	uint64_t pkts[FINDING_PKTS_MAX];

	for (int x = 0; x < 2; x++) {
		const struct tcp_endpoint *me = &c->ep[x], *peer = &c->ep[!x];
		unsigned n = 0;
		struct finding *fd;

		if (!tcp_endpoint_last_ack_unanswered(c, (unsigned)x, RETRY_SERIES_MIN) ||
		    (fd = rules_found(k, RULE_LAST_ACK_GIVEUP, x)) == NULL)
			continue;
		rules_evidence(fd, peer->fin->pkt);
		n += rules_event_pkts(c, EV_FIN, x, pkts, FINDING_PKTS_MAX - 1);
		n += rules_event_pkts(c, EV_FIN_RETRANSMIT, x, pkts + n, FINDING_PKTS_MAX - 1 - n);
		for (unsigned i = 0; i < n; i++)
			rules_evidence(fd, pkts[i]);
		rules_say(fd, "the %s closed first (FIN, packet %" PRIu64 "); the %s's own FIN "
			"(packet %"
			PRIu64 ") was sent %" PRIu32 " times over %.3f s and never acknowledged, and "
			"nothing more came from the %s: a peer in TIME_WAIT acknowledges every copy, "
			"so its connection state was gone (or a middlebox dropped the flow after "
			"the first FIN)",
			  who(k, !x), peer->fin->pkt, who(k, x), me->fin->pkt, me->fin->count,
			  secs(me->fin->ts, me->fin->last_ts), who(k, !x));
		if (me->state == TCPS_CLOSED) {
			rules_say(fd, "; %.3f s of silence followed the last copy: the %s's "
				"orphaned socket ran out of retries (Linux: "
				"net.ipv4.tcp_orphan_retries) and was destroyed without a RST",
				  secs(me->fin->last_ts, c->end_ts), who(k, x));
		} else {
			rules_say(fd, "; %s %.3f s after the last copy, with the %s "
				"still in LAST_ACK and retrying",
				  rules_end_verb(c), secs(me->fin->last_ts, c->end_ts), who(k, x));
			rules_lower(fd, CONF_MEDIUM, c->end_at_leap ? "the capture's time jumped ahead, maybe "
			    "during the retries" : "the capture may have ended during the retries");
		}
	}
}

/* The first RST after ts from either side, or 0; *by gets its sender. */
static uint64_t first_rst_after(const struct tcp_conn *c, uint64_t pkt, int *by)
{
	uint64_t best = 0;

	for (int i = 0; i < 2; i++)
		if (c->ep[i].rsts && c->ep[i].rst->pkt > pkt && (best == 0 || c->ep[i].rst->pkt < best)) {
			best = c->ep[i].rst->pkt;
			*by = i;
		}
	return best;
}

/* Report an application that left its socket in CLOSE_WAIT. */
void rules_close_wait(struct check *k)
{
	const struct tcp_conn *c = k->c;

	for (int y = 0; y < 2; y++) {
		const struct tcp_endpoint *me = &c->ep[y], *peer = &c->ep[!y];
		uint64_t since, until, rst = 0;
		bool stuck, late, probes, answers_probe;
		int by = -1;
		struct finding *fd;
		char t[DURATION_MAX];

		if (!peer->fin_seen || !peer->fin_acked || peer->fin->ack_pkt == 0)
			continue;
		if (me->fin_seen && me->fin->pkt < peer->fin->pkt)
			continue; /* it closed first: never in CLOSE_WAIT */
		since = peer->fin->ack_ts;
		if (me->last_data_pkt > peer->fin->pkt && me->last_data_ts > since)
			since = me->last_data_ts; /* it was still writing: a half-close */
		/* no FIN from it, and a RST ended the connection: the peer's
		 * timer or a keepalive answered by RST ended the CLOSE_WAIT */
		if (!me->fin_seen)
			rst = first_rst_after(c, peer->fin->ack_pkt, &by);
		stuck = me->state == TCPS_CLOSE_WAIT;
		until = me->fin_seen ? me->fin->ts
			: rst != 0   ? c->ep[by].rst->ts
			: c->end_ts > k->f->last_ts ? c->end_ts : k->f->last_ts;
		probes = (stuck || rst != 0) && me->odd->keepalive_pkt > peer->fin->ack_pkt;
		late = until > since && until - since >= k->cfg->close_wait_ns;
		/* a keepalive answered by the peer's RST: the socket outlived
		 * the peer's memory of the connection, whatever the threshold */
		answers_probe = rst != 0 && by == !y && probes &&
				c->ep[by].rst->answers_pkt == me->odd->keepalive_pkt;
		if (me->fin_seen || (rst != 0 && !answers_probe)) {
			if (!late)
				continue;
		} else if (!answers_probe &&
			   (!stuck || until <= since || until - since <= rules_round_trip(c))) {
			/* a close answered within a round trip may be on its way */
			continue;
		}
		if ((fd = rules_found(k, RULE_CLOSE_WAIT_STUCK, y)) == NULL)
			continue;
		rules_evidence(fd, peer->fin->pkt);
		rules_evidence(fd, peer->fin->ack_pkt);
		if (me->fin_seen) {
			rules_evidence(fd, me->fin->pkt);
			rules_say(fd, "the %s's kernel acknowledged the %s's FIN (packet %" PRIu64
				") but its application closed only %.3f s later (FIN, packet %"
				PRIu64 "), longer than the close-wait threshold of %s",
				  who(k, y), who(k, !y), peer->fin->ack_pkt, secs(since, until),
				  me->fin->pkt, rules_duration(k->cfg->close_wait_ns, t));
		} else if (rst != 0) {
			if (answers_probe)
				rules_evidence(fd, me->odd->keepalive_pkt);
			rules_evidence(fd, rst);
			rules_say(fd, "the %s's kernel acknowledged the %s's FIN (packet %" PRIu64
				") but its application never closed: %.3f s later, %s the "
				"close-wait threshold of %s, the connection was still in "
				"CLOSE_WAIT when the %s's RST (packet %" PRIu64 ") ended it%s",
				  who(k, y), who(k, !y), peer->fin->ack_pkt, secs(since, until),
				  late ? "longer than" : "below",
				  rules_duration(k->cfg->close_wait_ns, t), who(k, by), rst,
				  answers_probe ? ", answering its keepalive probe: the peer had "
					    "already forgotten the connection" : "");
			if (!late)
				fd->severity = SEV_INFO;
		} else {
			rules_evidence(fd, me->last_pkt);
			rules_say(fd, "the %s's kernel acknowledged the %s's FIN (packet %" PRIu64
				") but its application never closed: it was still in CLOSE_WAIT "
				"%.3f s later, when %s (its last packet: %" PRIu64
				"%s)",
				  who(k, y), who(k, !y), peer->fin->ack_pkt, secs(since, until),
				  rules_end_verb(c), me->last_pkt,
				  probes ? ", a keepalive probe: the socket is open and idle" : "");
			if (!late && !probes) {
				fd->severity = SEV_INFO;
				rules_say(fd, "; that is below the close-wait threshold of %s, so "
					"the application may still close it",
					  rules_duration(k->cfg->close_wait_ns, t));
			}
		}
	}
}
