/* classify: read the two endpoints' records and name how the connection
 * ended.  Judging whether that was a problem is the rules' work. */
#include "config.h"

#include "classify.h"

/* Read from the endpoint records, not the event log, which may be full. */
int classify_resetter(const struct tcp_conn *c)
{
	int by = -1;

	for (int i = 0; i < 2; i++) {
		const struct tcp_endpoint *ep = &c->ep[i];

		/* its first RST may have been ignored and a later one not
		 * (debug-s13: 22 below the window, 23 at it) */
		if (ep->rst->accept_pkt == 0)
			continue;
		if (by < 0 || ep->rst->accept_pkt < c->ep[by].rst->accept_pkt)
			by = i;
	}
	return by;
}

/* Scanners send what no connection does, so the signatures are of the
 * packets, never of addresses or ports. */
enum probe_kind classify_probe(const struct tcp_conn *c)
{
	const struct tcp_endpoint *cl = &c->ep[0], *sv = &c->ep[1];
	uint8_t f = cl->first_flags;

	/* Every segment of a connection but the first SYN carries ACK
	 * (RFC 9293 3.10.7); a first segment without SYN, ACK or RST, or
	 * with SYN and FIN together, is a FIN, NULL, Xmas or similar probe;
	 * the answer tells: a closed port's RST|ACK with seq 0.  (A lone odd
	 * segment without an answer is no evidence of a scan.) */
	if (((c->mid_stream && !(f & (TCP_ACK | TCP_RST)) && !cl->ack_known) ||
	     (f & (TCP_SYN | TCP_FIN)) == (TCP_SYN | TCP_FIN)) &&
	    sv->rsts > 0 && sv->rst->answers_pkt == cl->first_pkt)
		return PROBE_FLAGS;
	if (!c->syn_seen || cl->rsts == 0 || cl->fin_seen || sv->fin_seen ||
	    classify_resetter(c) != 0)
		return PROBE_NONE;
	/* A SYN without window scaling or SACK_OK comes from no current
	 * stack but from a scanner writing raw packets; its kernel knows
	 * no such connection and resets the SYN-ACK. */
	if (!(cl->syn_opts & (TCPOPT_HAS_WSCALE | TCPOPT_HAS_SACKOK)) &&
	    (cl->rst->answers_flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
		return PROBE_SYN;
	/* connect() and an immediate abort, before either side sent a
	 * byte: a connect scan or a health check */
	if (c->hs_ack_ts != 0 && cl->data_bytes == 0 && sv->data_bytes == 0 &&
	    cl->rst->ts >= c->hs_ack_ts && cl->rst->ts - c->hs_ack_ts <= PROBE_CONNECT_MAX_NS)
		return PROBE_CONNECT;
	return PROBE_NONE;
}

/* The side whose FIN came first, or -1 without any FIN. */
static int first_fin(const struct tcp_conn *c)
{
	const struct tcp_endpoint *a = &c->ep[0], *b = &c->ep[1];

	if (a->fin_seen && (!b->fin_seen || a->fin->pkt <= b->fin->pkt))
		return 0;
	if (b->fin_seen)
		return 1;
	return -1;
}

struct close_verdict classify_close(const struct tcp_conn *c)
{
	struct close_verdict v = { .cls = CLOSE_NOT_CLOSED, .active_closer = CLOSER_NONE };
	int first = first_fin(c);

	if (classify_probe(c) != PROBE_NONE) {
		v.cls = CLOSE_PROBE;
		return v;
	}
	/* SYN answered by RST, no SYN-ACK ever */
	if (c->syn_seen && !c->ep[1].isn_known && c->ep[1].rsts > 0) {
		v.cls = CLOSE_REFUSED;
		return v;
	}
	if (c->reset) {
		int by = classify_resetter(c);

		if (first >= 0 && (by < 0 || c->ep[first].fin->pkt < c->ep[by].rst->accept_pkt)) {
			v.cls = CLOSE_RESET_AFTER;
			v.active_closer = first;
		} else {
			v.cls = CLOSE_ABORT;
			v.active_closer = by < 0 ? CLOSER_NONE : by;
		}
		return v;
	}
	if (first < 0)
		return v;
	v.active_closer = first;
	if (tcp_endpoint_gave_up(&c->ep[first])) {
		v.cls = CLOSE_VANISHED;
		return v;
	}
	{
		const struct tcp_endpoint *a = &c->ep[first], *b = &c->ep[!first];

		if (!(a->fin_seen && a->fin_acked && b->fin_seen && b->fin_acked))
			return v;
		/* Crossed: the second FIN left before its sender had seen the
		 * first, so neither FIN carried the ack of the other. */
		if (a->fin->ack_pkt > b->fin->pkt) {
			v.cls = CLOSE_SIMULTANEOUS;
			v.active_closer = CLOSER_BOTH;
			return v;
		}
		if (b->odd->data_after_peer_fin > 0) {
			v.cls = CLOSE_HALF;
			return v;
		}
		v.cls = CLOSE_CLEAN;
		v.three_way = a->fin->ack_pkt == b->fin->pkt;
		return v;
	}
}

const char *classify_name(enum close_class cls)
{
	switch (cls) {
	case CLOSE_CLEAN:
		return "clean-close";
	case CLOSE_SIMULTANEOUS:
		return "simultaneous-close";
	case CLOSE_HALF:
		return "half-close";
	case CLOSE_ABORT:
		return "abortive-reset";
	case CLOSE_RESET_AFTER:
		return "reset-after-close";
	case CLOSE_REFUSED:
		return "refused";
	case CLOSE_VANISHED:
		return "vanished";
	case CLOSE_NOT_CLOSED:
		return "not-closed";
	case CLOSE_PROBE:
		return "probe";
	case CLOSE_COUNT:
		break;
	}
	return "?";
}

/* One leg must be this many times the other to tell the side; below the
 * floor both legs are host or switch latency and tell nothing. */
enum { CAPTURE_POINT_RATIO = 4 };
static const uint64_t CAPTURE_POINT_FLOOR_NS = 1000000u; /* 1 ms */

struct capture_point_verdict classify_capture_point(const struct tcp_conn *c)
{
	struct capture_point_verdict v = { .where = CAPTURE_UNKNOWN };
	uint64_t a, b;

	if (c->syn_ts == 0 || c->synack_ts < c->syn_ts || c->hs_ack_ts < c->synack_ts ||
	    c->synack_ts == 0 || c->hs_ack_ts == 0)
		return v;
	v.handshake_seen = true;
	a = v.syn_to_synack_ns = c->synack_ts - c->syn_ts;
	b = v.synack_to_ack_ns = c->hs_ack_ts - c->synack_ts;
	if (a <= CAPTURE_POINT_FLOOR_NS && b <= CAPTURE_POINT_FLOOR_NS)
		return v;
	if (a >= CAPTURE_POINT_RATIO * b)
		v.where = CAPTURE_NEAR_CLIENT;
	else if (b >= CAPTURE_POINT_RATIO * a)
		v.where = CAPTURE_NEAR_SERVER;
	else
		v.where = CAPTURE_BETWEEN;
	return v;
}

const char *capture_point_words(enum capture_point where)
{
	switch (where) {
	case CAPTURE_NEAR_CLIENT:
		return "near the client";
	case CAPTURE_NEAR_SERVER:
		return "near the server";
	case CAPTURE_BETWEEN:
		return "between the hosts";
	case CAPTURE_UNKNOWN:
		break;
	}
	return "at an unknown point";
}

const char *capture_point_name(enum capture_point where)
{
	switch (where) {
	case CAPTURE_NEAR_CLIENT:
		return "near-client";
	case CAPTURE_NEAR_SERVER:
		return "near-server";
	case CAPTURE_BETWEEN:
		return "between";
	case CAPTURE_UNKNOWN:
		break;
	}
	return "unknown";
}
