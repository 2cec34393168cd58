/* rules-fin: the rules about FIN accounting: where a FIN sits in its
 * sender's stream, what acknowledges it, and a FIN repeated because its
 * final ACK was lost. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "classify.h"
#include "rules-int.h"

/* The shortest time after which a retransmission timer can fire: no
 * stack retransmits sooner than one round trip (the handshake's SYN to
 * its ACK spans a whole one wherever the capture point is), nor sooner
 * than a millisecond (Linux's tail-loss probe floor is 2 jiffies).  A copy
 * sooner than this is the capture's duplicate, not the sender's. */
static uint64_t rto_floor(const struct tcp_conn *c)
{
	uint64_t floor = NS_PER_S / 1000, hs;

	return tcp_conn_handshake(c, &hs) && hs > floor ? hs : floor;
}

/* Report a FIN retransmitted from LAST_ACK to repair a lost final ACK. */
void rules_final_ack(struct check *k)
{
	for (int x = 0; x < 2; x++) {
		const struct tcp_endpoint *me = &k->c->ep[x], *peer = &k->c->ep[!x];
		bool passive = peer->fin_seen && peer->fin_acked && peer->fin->ack_pkt <= me->fin->pkt;
		uint64_t rexmit = me->fin->rexmit_clean_pkt;
		struct finding *fd;

		if (!me->fin_seen)
			continue;
		/* Only a copy that repairs nothing but the final ACK counts: the
		 * peer had acked every byte before the FIN (a FIN re-sent with
		 * missing data repairs the data), it came a retransmission
		 * timeout after the copy before it (not a capture duplicate),
		 * and the peer acknowledged the FIN at some point, as a peer
		 * holding TIME_WAIT does for every copy (one that answers none
		 * has no state left: last-ack-giveup's case). */
		if (passive && rexmit != 0 && me->fin_acked &&
		    me->fin->rexmit_clean_gap >= rto_floor(k->c) &&
		    (fd = rules_found(k, RULE_FINAL_ACK_LOST, x)) != NULL) {
			bool seen = me->fin->ack_pkt < rexmit;

			rules_evidence(fd, seen ? me->fin->ack_pkt : me->fin->pkt);
			rules_evidence(fd, rexmit);
			if (seen)
				rules_say(fd, "the %s acknowledged the %s's FIN (packet %" PRIu64
					"), yet the %s retransmitted that FIN from LAST_ACK "
					"(packet %" PRIu64 "): the final ACK was lost after the "
					"capture point, on its way to the %s",
					  who(k, !x), who(k, x), me->fin->ack_pkt, who(k, x), rexmit,
					  who(k, x));
			else
				rules_say(fd, "the %s's FIN (packet %" PRIu64 ") was retransmitted "
					"from LAST_ACK (packet %" PRIu64 ") with no ACK of it seen "
					"before",
					  who(k, x), me->fin->pkt, rexmit);
			if (!seen) {
				/* what the silence means depends on which end the
				 * capture was near */
				struct capture_point_verdict cp = classify_capture_point(k->c);
				int near = cp.where == CAPTURE_NEAR_CLIENT   ? 0
					   : cp.where == CAPTURE_NEAR_SERVER ? 1
									     : -1;

				if (near == x)
					rules_say(fd, ": near the %s (as the handshake's timing "
						"places the capture), either the final ACK was lost on "
						"its way or the FIN on its way to the %s",
						  who(k, x), who(k, !x));
				else if (near == !x)
					rules_say(fd, ", although the handshake's timing places the "
						"capture near the %s, which never acknowledged the "
						"first copy: that copy was lost on the last hop or "
						"dropped by the %s's stack",
						  who(k, !x), who(k, !x));
				else
					rules_say(fd, ": the final ACK was lost before the capture "
						"point, or the FIN after it (where the capture was "
						"taken is not known)");
			}
			if (me->fin->ack_pkt > rexmit)
				rules_say(fd, "; the %s, still in TIME_WAIT, acknowledged %s "
					"(packet %" PRIu64 ")",
					  who(k, !x), seen ? "it again" : "the retransmission",
					  me->fin->ack_pkt);
			else if (peer->last_pkt > rexmit)
				rules_say(fd, "; the %s, still in TIME_WAIT, acknowledged %s "
					"(packet %" PRIu64 ")",
					  who(k, !x), seen ? "it again" : "the retransmission",
					  peer->last_pkt);
			else
				rules_say(fd, "; no answer to the retransmission was captured");
		}
	}
}

/* Report FINs acknowledged wrongly, or never although the peer went on. */
void rules_fin_acks(struct check *k)
{
	const struct tcp_conn *c = k->c;

	for (int x = 0; x < 2; x++) {
		const struct tcp_endpoint *me = &c->ep[x], *peer = &c->ep[!x];
		const struct tcp_event *beyond = NULL;
		struct finding *fd;

		if (!me->fin_seen)
			continue;
		for (unsigned i = 0; i < c->event_count; i++)
			if (c->events[i].type == EV_FIN_ACK_BEYOND && c->events[i].dir == !x)
				beyond = &c->events[i];
		/* A FIN behind the stream end, or moved, is fin-seq-mismatch's
		 * case: acks past it follow from that. */
		if (beyond != NULL && (rules_first_event(c, EV_FIN_SEQ_MOVED, x) != NULL ||
				       seq_lt(me->fin->seq, me->snd_nxt - 1)))
			beyond = NULL;
		if (beyond != NULL && (fd = rules_found(k, RULE_FIN_ACK_MISMATCH, !x)) != NULL) {
			rules_evidence(fd, me->fin->pkt);
			rules_evidence(fd, beyond->pkt);
			rules_say(fd, "the %s's FIN has seq %" PRIu32 ", so its acknowledgement "
				"must be %"
				PRIu32 "; the %s acknowledged %" PRIu32 " (packet %" PRIu64 "), %"
				PRIu32 " past it",
				  who(k, x), me->fin->seq, me->fin->seq + 1, who(k, !x), beyond->a,
				  (uint64_t)beyond->pkt, beyond->a - (me->fin->seq + 1));
			continue;
		}
		/* the peer's packets sent within a round trip of the FIN may
		 * have left before it arrived (FINs that crossed): only one
		 * sent later shows a FIN received and not counted */
		if (!me->fin_acked && me->fin->ack_short_pkt != 0 && peer->fin_seen &&
		    peer->fin->pkt > me->fin->pkt && me->fin->ack_short_ts > me->fin->ts &&
		    me->fin->ack_short_ts - me->fin->ts > rules_round_trip(c) &&
		    (fd = rules_found(k, RULE_FIN_ACK_MISMATCH, !x)) != NULL) {
			rules_evidence(fd, me->fin->pkt);
			rules_evidence(fd, me->fin->ack_short_pkt);
			rules_evidence(fd, peer->fin->pkt);
			struct capture_point_verdict cp = classify_capture_point(c);
			bool near_sender = (x == 0 && cp.where == CAPTURE_NEAR_CLIENT) ||
					   (x == 1 && cp.where == CAPTURE_NEAR_SERVER);

			rules_say(fd, "the %s's FIN (packet %" PRIu64 ", seq %" PRIu32 ") was "
				"never acknowledged with %" PRIu32 ": the %s kept acking %" PRIu32
				" (from packet %" PRIu64 ") and sent its own FIN (packet %" PRIu64
				"), more than a round trip after it",
				  who(k, x), me->fin->pkt, me->fin->seq, me->fin->seq + 1, who(k, !x),
				  me->fin->seq, me->fin->ack_short_pkt, peer->fin->pkt);
			/* near the FIN's sender, the capture cannot tell a FIN lost
			 * on the way from one the peer did not count */
			if (near_sender)
				rules_say(fd, "; the capture point is near the %s, so either the FIN "
					"was lost on the way to the %s or the %s's stack closed "
					"without counting the FIN's sequence number",
					  who(k, x), who(k, !x), who(k, !x));
			else
				rules_say(fd, ", so it went on closing without counting the FIN's "
					"sequence number");
			continue;
		}
		if (!me->fin_acked && !c->reset && !tcp_endpoint_gave_up(me) &&
		    peer->last_pkt > me->fin->last_pkt && !peer->rsts &&
		    peer->last_ts > me->fin->last_ts && /* later in time, not only in the file */
		    peer->last_ts - me->fin->last_ts > rules_round_trip(c) &&
		    (fd = rules_found(k, RULE_FINAL_ACK_MISSING, x)) != NULL) {
			rules_evidence(fd, me->fin->pkt);
			rules_evidence(fd, peer->last_pkt);
			rules_say(fd, "the %s's FIN (packet %" PRIu64 ") was never acknowledged, "
				"although the %s went on sending (last: packet %" PRIu64 ", acking "
				"%" PRIu32 " < FIN+1 = %" PRIu32 "): the FIN did not reach the %s, "
				"or its stack ignored it",
				  who(k, x), me->fin->pkt, who(k, !x), peer->last_pkt, peer->last_ack,
				  me->fin->seq + 1, who(k, !x));
		}
	}
}

/* Report FINs not at their sender's stream end, and data after a FIN. */
void rules_fin_seq(struct check *k)
{
	const struct tcp_conn *c = k->c;

	for (int x = 0; x < 2; x++) {
		const struct tcp_endpoint *me = &c->ep[x];
		const struct tcp_event *fin = rules_first_event(c, EV_FIN, x);
		const struct tcp_event *moved = rules_first_event(c, EV_FIN_SEQ_MOVED, x);
		const struct tcp_event *after = rules_first_event(c, EV_DATA_AFTER_FIN, x);
		struct finding *fd;

		if (fin == NULL)
			continue;
		/* a FIN at the SYN's own seq before the handshake is an
		 * abandoned connect (the record says so), not a FIN behind data */
		if ((moved != NULL || (seq_lt(fin->a, fin->b) && !me->fin_before_handshake)) &&
		    (fd = rules_found(k, RULE_FIN_SEQ_MISMATCH, x)) != NULL) {
			rules_evidence(fd, me->fin->pkt);
			if (moved != NULL) {
				rules_evidence(fd, moved->pkt);
				rules_say(fd, "the %s sent its FIN at seq %" PRIu32 " (packet %"
					PRIu64 ") and again at seq %" PRIu32 " (packet %" PRIu64
					"): the two ends no longer agree where the stream ends",
					  who(k, x), moved->b, me->fin->pkt, moved->a, (uint64_t)moved->pkt);
			} else {
				rules_say(fd, "the %s's FIN (packet %" PRIu64 ") has seq %" PRIu32
					" although it had already sent data up to %" PRIu32 ": the "
					"%"
					PRIu32 " bytes beyond the FIN are not part of the stream",
					  who(k, x), me->fin->pkt, fin->a, fin->b, fin->b - fin->a);
			}
		}
		if (after != NULL && (fd = rules_found(k, RULE_DATA_AFTER_FIN, x)) != NULL) {
			rules_evidence(fd, me->fin->pkt);
			rules_evidence(fd, after->pkt);
			rules_say(fd, "the %s sent %" PRIu32 " bytes at seq %" PRIu32 " (packet %"
				PRIu64 ") after its own FIN (packet %" PRIu64 ", seq %" PRIu32 "): "
				"a receiver that accepted the FIN discards them",
				  who(k, x), after->b, after->a, (uint64_t)after->pkt, me->fin->pkt, me->fin->seq);
		}
	}
}
