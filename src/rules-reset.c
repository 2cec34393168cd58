/* rules-reset: the rules about RSTs.  What the RST that ended the
 * connection answered decides its one diagnosis (data after close, a late
 * FIN, an abort, a half-open peer, an MPTCP fast close); a RST the
 * receiver ignored, one forged by a middlebox, and one carrying text have
 * rules of their own. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "goodbye.h"
#include "escape.h"
#include "rules-int.h"

/* A FIN_WAIT_2 timer below this is no timer anyone sets: a socket gone
 * sooner was destroyed another way (socket-vanished). */
static const uint64_t FW2_MIN_NS = 1000000000u;

/* An abort this long after the peer's last packet, and ten round trips
 * (at most STALL_MAX_NS: a handshake with a retransmitted SYN overstates
 * the round trip), ends a wait, not a race with data in flight. */
static const uint64_t STALL_MIN_NS = 2000000000u;
static const uint64_t STALL_MAX_NS = 10000000000u;

/* The peer's bytes the RST threw away unacknowledged: not even its own
 * ack counts them. */
static uint32_t rst_lost(const struct tcp_endpoint *me)
{
	return seq_gt(me->rst->peer_end, me->rst->acked) ? me->rst->peer_end - me->rst->acked : 0;
}

/* The peer's bytes no ACK before the RST counted: after a full close
 * they reached a socket that delivers nothing, even when the RST's own
 * ack counts them (Windows does). */
uint32_t rules_rst_unread(const struct tcp_endpoint *me)
{
	return seq_gt(me->rst->peer_end, me->rst->prev_ack) ? me->rst->peer_end - me->rst->prev_ack
							   : 0;
}

/* Name a side's first RST by its flags. */
const char *rules_rst_name(const struct tcp_endpoint *me)
{
	return (me->rst->flags & TCP_ACK) ? "RST|ACK" : "RST";
}

/* A RST after the sender's FIN that threw data away: the data reached a
 * socket closed for reading (TCPAbortOnData), whatever else came with it.
 * A protocol's goodbye lost that way is graded info. */
static void rst_on_data(struct check *k, int x, uint32_t lost)
{
	const struct tcp_endpoint *me = &k->c->ep[x], *peer = &k->c->ep[!x];
	const char *bye = goodbye_name(me->rst->lost_head, me->rst->lost_head_len, lost);
	/* the closer ended the session itself before its FIN */
	bool chose = bye == NULL && me->last_data_bye && me->last_data_pkt <= me->fin->pkt;
	struct finding *fd;

	if ((fd = rules_found(k, RULE_RST_ON_DATA_AFTER_CLOSE, x)) == NULL)
		return;
	if (chose)
		rules_evidence(fd, me->last_data_pkt);
	rules_evidence(fd, me->fin->pkt);
	rules_evidence(fd, me->rst->lost_pkt);
	rules_evidence(fd, me->rst->pkt);
	if (me->rst->lost_pkt != 0 && me->rst->lost_pkt < me->fin->pkt)
		rules_say(fd, "the %s closed fully (FIN, packet %" PRIu64 ") before all of the "
			"%s's data had reached it (its acks stop at seq %" PRIu32 "); ",
			  who(k, x), me->fin->pkt, who(k, !x), me->rst->prev_ack);
	else
		rules_say(fd, "the %s closed its socket fully (FIN, packet %" PRIu64 ") while the "
			"%s still had data to send; ",
			  who(k, x), me->fin->pkt, who(k, !x));
	rules_say(fd, "%" PRIu32 " bytes of the %s's data", lost, who(k, !x));
	if (me->rst->lost_pkt != 0)
		rules_say(fd, " (from packet %" PRIu64 ")", me->rst->lost_pkt);
	/* the kernel's first answer may come at a seq the peer drops */
	bool first_ignored = me->rst->ignored_pkt != 0 && me->rst->ignored_pkt < me->rst->pkt &&
			     me->rst->ignored_pkt > me->fin->pkt;

	rules_say(fd, " reached the closed socket, %s, and the %s's kernel answered with ",
		  rst_lost(me) > 0 ? "never acknowledged" : "acknowledged only by the RST",
		  who(k, x));
	if (first_ignored) {
		rules_evidence(fd, me->rst->ignored_pkt);
		rules_say(fd, "RST (packet %" PRIu64 ") at a seq the %s had to ignore (RFC 5961), "
			"then ",
			  me->rst->ignored_pkt, who(k, !x));
	}
	rules_say(fd, "%s (packet %" PRIu64 ", %.3f ms after the %s's last packet)",
		  rules_rst_name(me), me->rst->pkt, secs(me->rst->answers_ts, me->rst->ts) * 1e3,
		  who(k, !x));
	if (bye != NULL) {
		rules_say(fd, ": they are %s, a goodbye, so no application data was lost",
			  bye);
		fd->severity = SEV_INFO;
	} else {
		if (goodbye_tls_handshake(me->rst->lost_head, me->rst->lost_head_len)) {
			rules_say(fd, ": they begin with a TLS handshake record, so the %s most "
				"likely closed before its TLS handshake was complete and what it "
				"discarded starts with handshake messages, not application data "
				"(look at why it gave up on the handshake)",
				  who(k, x));
			fd->severity = SEV_WARNING;
		} else if (chose) {
			/* TLS lets the side that sent close_notify close without
			 * reading the peer's remaining records (RFC 8446 6.1) */
			rules_say(fd, ": the %s's application never read them, but its last data "
				"before the FIN (packet %" PRIu64 ") was a protocol goodbye: it had "
				"ended the session and chose not to read what came after",
				  who(k, x), me->last_data_pkt);
			fd->severity = SEV_WARNING;
		} else {
			rules_say(fd, ": those bytes were lost");
		}
		if (peer->fin_seen)
			/* in LAST_ACK or CLOSING a RST only frees the socket; a FIN
			 * after the RST left before it arrived, or outlived it */
			rules_say(fd, "; the %s closed its side too (FIN, packet %" PRIu64 ", %s): an "
				"application that had closed its socket sees no error, only one "
				"still using it after shutdown(SHUT_WR) gets ECONNRESET",
				  who(k, !x), peer->fin->pkt,
				  peer->fin->pkt < me->rst->pkt ? "before the RST came"
								: "after the RST passed the capture point");
		else
			rules_say(fd, "%s the %s sees ECONNRESET", chose ? ";" : " and", who(k, !x));
	}
	if (peer->odd->rexmit_diff_pkt != 0 && peer->odd->rexmit_diff_pkt <= me->rst->pkt &&
	    peer->odd->rexmit_orig_pkt < me->fin->pkt) {
		/* the closer may have read the first copy as the whole answer */
		rules_evidence(fd, peer->odd->rexmit_orig_pkt);
		rules_say(fd, "; but packet %" PRIu64 " carries bytes that packet %" PRIu64 " had "
			"already carried, with other contents (they differ from seq %" PRIu32 "): "
			"two hosts sent in the %s's name, one of them most likely a third host "
			"injecting an answer to race the %s, and the %s closed after the first; "
			"the loss follows from that race, not from how the %s closes",
			  peer->odd->rexmit_diff_pkt, peer->odd->rexmit_orig_pkt,
			  peer->odd->rexmit_diff_seq, who(k, !x), who(k, !x), who(k, x), who(k, x));
		fd->confidence = CONF_LOW;
	}
}

/* A bare RST answering the peer's FIN after this side's FIN was acked:
 * a FIN_WAIT_2 socket that timed out, or one that vanished too soon for
 * any timer. */
static void rst_on_late_fin(struct check *k, int x)
{
	const struct tcp_endpoint *me = &k->c->ep[x], *peer = &k->c->ep[!x];
	const struct rule_config *cfg = k->cfg;
	uint64_t gap_ns = peer->fin->ts > me->fin->ack_ts ? peer->fin->ts - me->fin->ack_ts : 0;
	double gap = (double)gap_ns / 1e9;
	bool vanished = gap_ns < FW2_MIN_NS;
	const char *sock = cfg->profile->fin_socket_knob;
	char t[DURATION_MAX];
	struct finding *fd;

	fd = rules_found(k, vanished ? RULE_SOCKET_VANISHED : RULE_RST_AFTER_FIN_WAIT2_TIMEOUT, x);
	if (fd == NULL)
		return;
	rules_evidence(fd, me->fin->ack_pkt);
	rules_evidence(fd, peer->fin->pkt);
	rules_evidence(fd, me->rst->pkt);
	if (vanished) {
		rules_say(fd, "the %s's FIN was acknowledged (packet %" PRIu64 ") and only %.3f s "
			"later the %s's FIN (packet %" PRIu64 ") met no socket: the %s answered "
			"with a bare RST, seq = the FIN's ack (packet %" PRIu64 "); no FIN_WAIT_2 "
			"timer is that short, so the %s's socket was destroyed another way (no "
			"free TIME_WAIT bucket, a proxy or user-space stack); the %s had closed "
			"too, so nothing was lost",
			  who(k, x), me->fin->ack_pkt, gap, who(k, !x), peer->fin->pkt, who(k, x),
			  me->rst->pkt, who(k, x), who(k, !x));
		return;
	}
	rules_say(fd, "the %s's FIN was acknowledged (packet %" PRIu64 ") but the %s's own FIN "
		"came %.3f s later (packet %" PRIu64 "); by then the %s had no socket left and "
		"answered with a bare RST, seq = the FIN's ack (packet %" PRIu64 "); ",
		  who(k, x), me->fin->ack_pkt, who(k, !x), gap, peer->fin->pkt, who(k, x), me->rst->pkt);
	if (gap_ns >= cfg->fin_timeout_ns)
		rules_say(fd, "%.3f s is longer than the %s FIN_WAIT_2 timeout of %s (%s)",
			  gap, cfg->fin_timeout_set ? "configured" : cfg->profile->name,
			  rules_duration(cfg->fin_timeout_ns, t), cfg->profile->fin_knob);
	else
		rules_say(fd, "that is shorter than the %s FIN_WAIT_2 timeout of %s, so only a "
			"timeout set between 1 s and %.3f s on the %s (%s%s%s) explains the delay, "
			"or its socket was destroyed another way",
			  cfg->fin_timeout_set ? "configured" : cfg->profile->name,
			  rules_duration(cfg->fin_timeout_ns, t), gap, who(k, x),
			  cfg->profile->fin_knob, sock != NULL ? " or " : "",
			  sock != NULL ? sock : "");
}

/* An RST from a side that never sent a FIN, on an open connection. */
static void rst_on_open(struct check *k, int x)
{
	const struct tcp_conn *c = k->c;
	const struct tcp_endpoint *me = &c->ep[x], *peer = &c->ep[!x];
	uint32_t lost = rst_lost(me);
	bool recent, live, unprompted, bare_doubt = false;
	struct finding *fd;

	/* The client answered the SYN-ACK with a RST: its socket was gone
	 * (connect() timed out or was cancelled, a Happy Eyeballs race, a
	 * client that tried two ports and kept the other).  Normal. */
	if (x == 0 && !c->mid_stream &&
	    (me->rst->answers_flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
		return;
	/* The peer closed while its SYN was unanswered (its FIN sits at the
	 * SYN's seq) and this RST rejects that FIN: an abandoned attempt
	 * that never carried a byte. */
	if (peer->fin_seen && peer->isn_known && peer->fin->seq == peer->isn &&
	    peer->fin->pkt < me->rst->pkt && me->data_bytes == 0 && peer->data_bytes == 0)
		return;
	/* A bare RST at the sender's own next seq from a side that has just
	 * sent data, or with a window a no-socket reply never has, is a live
	 * socket aborting, not a host that lost the connection. */
	recent = me->rst->own_data_ts != 0 && me->rst->ts >= me->rst->own_data_ts &&
		 me->rst->ts - me->rst->own_data_ts <= rules_round_trip(c);
	/* a host without the connection only ever answers a segment: a RST
	 * long after the peer's last packet answers nothing */
	unprompted = me->rst->ts > me->rst->answers_ts &&
		     me->rst->ts - me->rst->answers_ts >= STALL_MIN_NS &&
		     me->rst->ts - me->rst->answers_ts >= 10 * rules_round_trip(c);
	live = me->rst->at_own_nxt && (me->rst->win != 0 || recent || unprompted);
	if (me->rst_kind == RST_BARE_NO_SOCKET && !live) {
		if ((fd = rules_found(k, RULE_HALF_OPEN, x)) == NULL)
			return;
		rules_evidence(fd, me->rst->answers_pkt);
		rules_evidence(fd, me->rst->pkt);
		rules_say(fd, "the %s answered the %s's packet %" PRIu64 "%s with a bare RST (no "
			"ACK, seq = that packet's ack, packet %" PRIu64 "), the reply of a host "
			"with no socket for the connection; the %s never sent a FIN, so it lost "
			"the connection without telling the %s",
			  who(k, x), who(k, !x), me->rst->answers_pkt,
			  me->rst->answers_data ? " (data)" : "", me->rst->pkt, who(k, x), who(k, !x));
		if (me->rst->answers_data)
			rules_say(fd, "; that data was lost");
		return;
	}
	if ((fd = rules_found(k, RULE_ABORTIVE_CLOSE, x)) == NULL)
		return;
	{
		/* the peer's last data before the RST: segments in flight when
		 * it left come after it in the capture */
		uint64_t peer_data = peer->last_data_pkt < me->rst->pkt ? peer->last_data_pkt
				     : me->rst->answers_data ? me->rst->answers_pkt
							      : 0;
		bool unread = x == 1 && !c->mid_stream && lost == 0 && peer_data != 0 &&
			      peer_data > me->last_data_pkt;
		bool after_fin = me->rst->state == TCPS_CLOSE_WAIT;
		/* long after the peer's last packet: not a close() racing data
		 * in flight, a wait for data that never came */
		uint64_t quiet = me->rst->ts > me->rst->answers_ts ? me->rst->ts - me->rst->answers_ts : 0;
		uint64_t rtt10 = 10 * rules_round_trip(c);
		bool waited = quiet >= STALL_MIN_NS && quiet >= (rtt10 < STALL_MAX_NS ? rtt10 : STALL_MAX_NS);

		if (unread)
			rules_evidence(fd, peer_data);
		/* the first segment past the RST's own ack, when it is known */
		uint64_t first_lost = me->rst->acked == me->rst->prev_ack ? me->rst->lost_pkt : 0;

		if (lost > 0)
			rules_evidence(fd, first_lost != 0 ? first_lost : peer->last_data_pkt);
		rules_evidence(fd, me->rst->pkt);
		rules_say(fd, "the %s ended the connection with %s (packet %" PRIu64 ")%s instead "
			"of a FIN%s; ",
			  who(k, x), rules_rst_name(me), me->rst->pkt,
			  me->rst_kind == RST_ABORT || live ? " at its next sequence number" : "",
			  after_fin ? ", after the peer's FIN" : "");
		if (live && !(me->rst->flags & TCP_ACK) && !recent && me->rst->win == 0)
			rules_say(fd, "a bare RST, but from a live socket: it came %.3f s after "
				"the %s's last packet, and a host without the connection only ever "
				"answers a segment; ",
				  secs(me->rst->answers_ts, me->rst->ts), who(k, !x));
		else if (live && !(me->rst->flags & TCP_ACK)) {
			/* kernels abort with RST|ACK; without the ACK flag this
			 * is also the shape of a no-socket reply */
			rules_say(fd, "a bare RST, which suggests a live socket (%s) but is not "
				"how kernels abort one (RST|ACK): a host that lost the connection "
				"answers packet %" PRIu64 " the same way, and the packets cannot "
				"tell the two apart; ",
				  recent ? "it had sent data just before" :
				     "its window is not 0, which a no-socket reply's is",
				  me->rst->answers_pkt);
			fd->confidence = CONF_LOW;
			bare_doubt = true;
		}
		if (lost > 0) {
			if (me->rst->sacked != 0 && me->rst->sacked < lost)
				/* SACKed bytes arrived; the holes around them did not */
				rules_say(fd, "it discards %" PRIu32 " bytes of the %s's data past its "
					"cumulative ack (which stops at %" PRIu32 "; %" PRIu32 " of "
					"them it had SACKed, received out of order, and %" PRIu32
					" never reached it",
					  lost, who(k, !x), me->rst->acked, me->rst->sacked,
					  lost - me->rst->sacked);
			else
				rules_say(fd, "it discards %" PRIu32 " bytes of the %s's data that it "
					"never acknowledged (its ack stops at %" PRIu32,
					  lost, who(k, !x), me->rst->acked);
			if (first_lost != 0)
				rules_say(fd, "; from packet %" PRIu64, first_lost);
			else if (peer->last_data_pkt != 0)
				rules_say(fd, "; up to packet %" PRIu64, peer->last_data_pkt);
			rules_say(fd, ")");
			if (waited && (peer->odd->gaps != 0 || me->odd->acks_unseen != 0) &&
			    me->rst->own_prev_ts > me->rst->answers_ts)
				/* segments the capture missed may have reached it after
				 * the peer's last one seen: time the wait from its own */
				rules_say(fd, "; but the %s's last packet (%" PRIu64 ") came %.3f s "
					"before the RST, and the %s's own last packet (%" PRIu64 ") "
					"%.3f s before it, after segments of the %s that the capture missed: "
					"nothing was still arriving, and the %s waited at least %.3f s for the "
					"rest of the stream and gave up, an application timeout on an "
					"incomplete transfer (look for why the rest never came, not at "
					"SO_LINGER)",
					  who(k, !x), me->rst->answers_pkt,
					  secs(me->rst->answers_ts, me->rst->ts), who(k, x),
					  me->rst->own_prev_pkt, secs(me->rst->own_prev_ts, me->rst->ts),
					  who(k, !x), who(k, x), secs(me->rst->own_prev_ts, me->rst->ts));
			else if (waited)
				rules_say(fd, "; but the %s's last packet (%" PRIu64 ") came %.3f s "
					"before the RST, so nothing was still arriving: the %s waited "
					"that long for the rest of the stream and gave up, an "
					"application timeout on an incomplete transfer (look for why "
					"the rest never came, not at SO_LINGER)",
					  who(k, !x), me->rst->answers_pkt, secs(me->rst->answers_ts,
					  me->rst->ts), who(k, x));
			else
				rules_say(fd, ": the %s reset with data still arriving", who(k, x));
		} else if (unread) {
			rules_say(fd, "the %s's data in packet %" PRIu64 " was acknowledged but "
				"never answered: the packets point to close() with that data "
				"unread in the receive buffer (RFC 2525), which turns the close "
				"into a reset",
				  who(k, !x), peer_data);
		} else if (after_fin) {
			rules_say(fd, "it acknowledged everything the %s had sent, so nothing was "
				"lost: an abort after the peer had closed (close() with SO_LINGER "
				"{1, 0}, or unread data)",
				  who(k, !x));
		} else if (me->rst->payload > 0 || bare_doubt) {
			/* neither a close() nor a reply: no cause to offer */
			rules_say(fd, "nothing was left unanswered before it");
		} else if (waited && (me->data_bytes > 0 || peer->data_bytes > 0)) {
			/* every byte answered, then a long silence: the abort
			 * ended an idle connection, not a transfer */
			rules_say(fd, "nothing was left unanswered before it, and it came %.3f s "
				"after the %s's last packet (%" PRIu64 ") on a connection idle since: "
				"an idle connection aborted instead of closed (an idle or keep-alive "
				"timeout that closes with SO_LINGER {1, 0}, or a load balancer or "
				"firewall resetting idle connections in the %s's name)",
				  secs(me->rst->answers_ts, me->rst->ts), who(k, !x),
				  me->rst->answers_pkt, who(k, x));
			/* nothing lost either way: worth knowing, not a failure */
			if (me->rst->mine_unacked == 0)
				fd->severity = SEV_INFO;
		} else if (peer->data_bytes > 0) {
			/* the wire shows the same RST for both: Linux resets on
			 * close() with unread bytes as it does with SO_LINGER {1, 0} */
			rules_say(fd, "nothing was left unanswered before it, so the packets point "
				"to close() with SO_LINGER {1, 0}, an intentional abort, or to "
				"close() with bytes the %s sent still unread (RFC 2525)",
				  who(k, !x));
		} else {
			rules_say(fd, "nothing was left unanswered before it, so the packets point "
				"to close() with SO_LINGER {1, 0}, an intentional abort");
		}
		if (me->rst->mine_unacked > 0)
			rules_say(fd, "; %" PRIu32 " bytes it had sent were not yet acknowledged "
				"and may never be delivered",
				  me->rst->mine_unacked);
		if (after_fin && lost == 0 && me->rst->mine_unacked == 0)
			fd->severity = SEV_INFO;
		if (me->rst->payload > 0) {
			/* stacks abort with empty RSTs; text in one is how
			 * filtering devices explain the resets they inject */
			rules_say(fd, "; the RST carries %u bytes of payload (RFC 9293 3.5.3), "
				"which names its cause and is typical of a filtering device "
				"resetting in the %s's name rather than of close()",
				  me->rst->payload, who(k, x));
			/* whose abort it was, the packets cannot tell */
			fd->confidence = CONF_LOW;
		}
		if (me->rst_kind != RST_ABORT && !live) {
			rules_say(fd, "; its seq is not the %s's next sequence number, so it may "
				"come from a middlebox",
				  who(k, x));
			fd->confidence = CONF_MEDIUM;
		}
	}
}

/* MPTCP (RFC 8684): a RST can be a subflow's business. */
static bool rst_mptcp(struct check *k, int x)
{
	const struct tcp_endpoint *me = &k->c->ep[x], *peer = &k->c->ep[!x];
	struct finding *fd;
	int by;

	if (!me->mptcp && !peer->mptcp)
		return false;
	/* MP_FASTCLOSE aborts the whole MPTCP connection; the receiver must
	 * answer it with a RST on the subflow (3.5).  The abort is the
	 * fast-close sender's. */
	by = me->rst->fastclose ? x
	     : (peer->odd->fastclose_pkt != 0 && peer->odd->fastclose_pkt < me->rst->pkt) ? !x : -1;
	if (by < 0)
		/* A subflow reset without MP_FASTCLOSE ends that subflow only
		 * (REMOVE_ADDR, a path manager's choice); the MPTCP connection
		 * may go on over another: no teardown to diagnose here. */
		return true;
	if ((fd = rules_found(k, RULE_ABORTIVE_CLOSE, by)) == NULL)
		return true;
	if (by == x) {
		rules_evidence(fd, me->rst->pkt);
		rules_say(fd, "the %s aborted the MPTCP connection: its %s (packet %" PRIu64 ") "
			"carries MP_FASTCLOSE (RFC 8684 3.5), the MPTCP counterpart of close() "
			"with SO_LINGER {1, 0}",
			  who(k, x), rules_rst_name(me), me->rst->pkt);
	} else {
		rules_evidence(fd, peer->odd->fastclose_pkt);
		rules_evidence(fd, me->rst->pkt);
		rules_say(fd, "the %s aborted the MPTCP connection with MP_FASTCLOSE (packet %"
			PRIu64 "), the MPTCP counterpart of close() with SO_LINGER {1, 0}; the "
			"%s's %s (packet %" PRIu64 ") is the reply RFC 8684 3.5 requires, not an "
			"abort of its own",
			  who(k, !x), peer->odd->fastclose_pkt, who(k, x), rules_rst_name(me),
			  me->rst->pkt);
	}
	return true;
}

/* Diagnose the RST that ended the connection, by what it answered. */
void rules_resets(struct check *k)
{
	const struct tcp_conn *c = k->c;
	/* a RST the receiver ignored is rst-out-of-window's business; the
	 * one judged here is the one that ended the connection, as the close
	 * verdict says */
	int x = classify_resetter(c);
	const struct tcp_endpoint *me, *peer;

	if (x < 0 || k->v->cls == CLOSE_PROBE || rst_mptcp(k, x))
		return;
	me = &c->ep[x];
	peer = &c->ep[!x];
	/* a RST another device sent in its name says nothing of its
	 * application: middlebox-reset reports it */
	if (tcp_endpoint_rst_origin(me) != TCP_RST_OWN)
		return;

	if (me->fin_seen && me->fin->pkt < me->rst->pkt) {
		/* After its own FIN: data it threw away is what the RST
		 * answered, even when a FIN came with it or after it. */
		if (rules_rst_unread(me) > 0) {
			rst_on_data(k, x, rules_rst_unread(me));
			return;
		}
		if (!(me->rst->flags & TCP_ACK) && me->fin_acked && peer->fin_seen &&
		    peer->fin->pkt > me->fin->ack_pkt && (me->rst->answers_flags & TCP_FIN) &&
		    me->rst->answers_pkt == peer->fin->last_pkt)
			rst_on_late_fin(k, x);
		return;
	}
	if (me->fin_seen)
		return;
	/* No FIN before it: the RST ended an open connection. */
	if (me->rst->state != TCPS_ESTABLISHED && me->rst->state != TCPS_CLOSE_WAIT)
		return;
	rst_on_open(k, x);
}

/* Report a RST its receiver had to ignore: rst-out-of-window. */
void rules_ignored_rst(struct check *k)
{
	for (int x = 0; x < 2; x++) {
		const struct tcp_endpoint *me = &k->c->ep[x], *peer = &k->c->ep[!x];
		struct finding *fd;

		if (me->rst->ignored_pkt == 0 || peer->last_pkt < me->rst->ignored_pkt ||
		    (fd = rules_found(k, RULE_RST_OUT_OF_WINDOW, x)) == NULL)
			continue;
		rules_evidence(fd, me->rst->ignored_pkt);
		if (me->rst->ignored_syn_sent && peer->isn_known)
			rules_say(fd, "the RST from the %s (packet %" PRIu64 ") reached the %s in "
				"SYN_SENT acking %" PRIu32 ", not the SYN's seq + 1 (%" PRIu32 "), "
				"so it was ignored (RFC 9293 3.10.7.3) and the connection went on, "
				"up to packet %"
				PRIu64 "; a RST that does not acknowledge the SYN it answers was most "
				"likely forged by a device in the path",
				  who(k, x), me->rst->ignored_pkt, who(k, !x), me->rst->ignored_ack,
				  peer->isn + 1, peer->last_pkt);
		else
			rules_say(fd, "the RST from the %s (packet %" PRIu64 ") carries a seq "
				"outside what the %s would accept, so it was ignored (RFC 5961) "
				"and the connection went on, up to packet %" PRIu64,
				  who(k, x), me->rst->ignored_pkt, who(k, !x), peer->last_pkt);
	}
}

/* A RST that came nearer than its claimed sender: its TTL a few hops
 * higher than every other packet of the sender's. */
static void middlebox_nearer(struct check *k, int x, struct finding *fd)
{
	const struct tcp_endpoint *me = &k->c->ep[x];
	bool data = me->data_ttl_n >= 2;
	const char *ttl = k->f->family == 6 ? "hop limit" : "TTL";
	unsigned mine = data ? me->data_ttl_min : me->ttl_min;

	rules_evidence(fd, me->rst->accept_pkt);
	fd->confidence = CONF_MEDIUM;
	rules_say(fd, "the RST in the %s's name (packet %" PRIu64 ") has %s %u, %u more than "
		"every other packet of the %s (%u, %" PRIu32 " packets); a %s only falls along "
		"a path, so a device between the capture point and the %s most likely sent it "
		"(a firewall's reject, a conntrack or NAT timeout), not the %s",
		  who(k, x), me->rst->accept_pkt, ttl, me->rst->ttl, me->rst->ttl - mine, who(k, x),
		  mine, me->ttl_n, ttl, who(k, x), who(k, x));
	if (k->f->family == 4)
		rules_say(fd, "; IP ID %u, the %s's previous %u", me->rst->ip_id, who(k, x),
			  me->rst->prev_ip_id);
	rules_say(fd, "; a route change or a stack giving RSTs another initial %s would also "
		"do it: a capture nearer the %s (--pair) tells", ttl, who(k, x));
}

/* A RST whose TTL no other packet of its claimed sender has. */
void rules_middlebox(struct check *k)
{
	const struct tcp_conn *c = k->c;
	int x = classify_resetter(c);
	const struct tcp_endpoint *me;
	enum tcp_rst_origin origin;
	bool data;
	struct finding *fd;

	if (x < 0 || (origin = tcp_endpoint_rst_origin(&c->ep[x])) == TCP_RST_OWN ||
	    (fd = rules_found(k, RULE_MIDDLEBOX_RESET, x)) == NULL)
		return;
	if (origin == TCP_RST_NEARER) {
		middlebox_nearer(k, x, fd);
		return;
	}
	me = &c->ep[x];
	data = me->data_ttl_n >= 2;
	rules_evidence(fd, me->rst->accept_pkt);
	fd->confidence = CONF_MEDIUM;
	rules_say(fd, "the RST in the %s's name (packet %" PRIu64 ") has %s %u, unlike every %s of "
		"the %s (%s %u",
		  who(k, x), me->rst->accept_pkt, k->f->family == 6 ? "hop limit" : "TTL", me->rst->ttl,
		  data ? "data segment" : "other packet", who(k, x),
		  k->f->family == 6 ? "hop limit" : "TTL", data ? me->data_ttl_min : me->ttl_min);
	if ((data ? me->data_ttl_max : me->ttl_max) != (data ? me->data_ttl_min : me->ttl_min))
		rules_say(fd, " to %u", data ? me->data_ttl_max : me->ttl_max);
	rules_say(fd, " over %" PRIu32 " packets)", data ? me->data_ttl_n : me->ttl_n);
	if (data && me->rst->ttl >= me->ttl_min && me->rst->ttl <= me->ttl_max)
		rules_say(fd, ", though some of its packets without data had TTLs up to %u: a "
			"device that also speaks for it (a SYN proxy) is in the path",
			  me->ttl_max);
	if (k->f->family == 4)
		rules_say(fd, "; its IP ID is %u, the %s's previous packet had %u", me->rst->ip_id,
			  who(k, x), me->rst->prev_ip_id);
	rules_say(fd, ": a firewall, load balancer or IDS between the capture point and the %s "
		"most likely sent it (an idle or policy reset), not the %s's application",
		  who(k, x), who(k, x));
}

/* The text a RST carries, quoted: it often names the reset's cause. */
void rules_rst_payload(struct check *k)
{
	for (int x = 0; x < 2; x++) {
		const struct tcp_endpoint *me = &k->c->ep[x];
		char text[4 * TCP_RST_EXCERPT_MAX + 1];
		struct finding *fd;

		if (me->rst->data_pkt == 0 || (fd = rules_found(k, RULE_RST_WITH_PAYLOAD, x)) == NULL)
			continue;
		escape_bytes(me->rst->excerpt, me->rst->excerpt_len, text, sizeof text);
		rules_evidence(fd, me->rst->data_pkt);
		rules_say(fd, "the RST from the %s (packet %" PRIu64 ") carries %" PRIu32 " %s: "
			"'%s'%s",
			  who(k, x), me->rst->data_pkt, me->rst->data_len,
			  me->rst->data_len == 1 ? "byte" : "bytes", text,
			  me->rst->data_len > me->rst->excerpt_len ? "..." : "");
		rules_say(fd, "; RFC 9293 lets a RST carry data, and a text there usually names "
			"who refused the connection and why");
		return;
	}
}
