/* classify: read the two endpoints' records and name how the connection
 * ended.  Judging whether that was a problem is the rules' work. */
#include "config.h"

#include "classify.h"

static bool has_event_from(const struct tcp_conn *c, uint8_t type, unsigned dir)
{
	for (unsigned i = 0; i < c->event_count; i++)
		if (c->events[i].type == type && c->events[i].dir == dir)
			return true;
	return false;
}

/* The side whose FIN came first, or -1 without any FIN. */
static int first_fin(const struct tcp_conn *c)
{
	const struct tcp_endpoint *a = &c->ep[0], *b = &c->ep[1];

	if (a->fin_seen && (!b->fin_seen || a->fin_pkt <= b->fin_pkt))
		return 0;
	if (b->fin_seen)
		return 1;
	return -1;
}

struct close_verdict classify_close(const struct tcp_conn *c)
{
	struct close_verdict v = { .cls = CLOSE_NOT_CLOSED, .active_closer = CLOSER_NONE };
	int first = first_fin(c);

	/* SYN answered by RST, no SYN-ACK ever */
	if (c->syn_seen && !c->ep[1].isn_known && c->ep[1].rsts > 0) {
		v.cls = CLOSE_REFUSED;
		return v;
	}
	if (c->reset) {
		int by = -1;

		for (unsigned i = 0; i < c->event_count && by < 0; i++)
			if (c->events[i].type == EV_RST)
				by = c->events[i].dir;
		if (first >= 0 && c->ep[first].fin_pkt < c->ep[by < 0 ? 0 : by].rst_pkt) {
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
		if (a->fin_ack_pkt > b->fin_pkt) {
			v.cls = CLOSE_SIMULTANEOUS;
			v.active_closer = CLOSER_BOTH;
			return v;
		}
		if (has_event_from(c, EV_DATA_AFTER_PEER_FIN, (unsigned)!first)) {
			v.cls = CLOSE_HALF;
			return v;
		}
		v.cls = CLOSE_CLEAN;
		v.three_way = a->fin_ack_pkt == b->fin_pkt;
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
	}
	return "?";
}
