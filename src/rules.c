/* rules: the checks.  Each check reads the engine's record of one
 * finished connection (both endpoints' FIN and RST records, events, state
 * timelines) and, when its packet signature is there, writes one finding
 * with the evidence packets and a message that stands on its own. */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "rules.h"

static const uint64_t NS = 1000000000u;

/* ---- profiles, severities, selection ------------------------------------ */

static const struct timer_profile profiles[] = {
	{ "linux", 60, 60, "net.ipv4.tcp_fin_timeout", "TCP_TIMEWAIT_LEN, fixed" },
	{ "windows", 120, 120, "TcpFinWait2Delay", "TcpTimedWaitDelay (240 s before Windows 10)" },
	{ "bsd", 60, 60, "net.inet.tcp.finwait2_timeout", "2 x net.inet.tcp.msl" },
	{ "macos", 60, 30, "net.inet.tcp.fin_timeout", "2 x net.inet.tcp.msl" },
};

const struct timer_profile *timer_profile_find(const char *name)
{
	for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++)
		if (strcmp(name, profiles[i].name) == 0)
			return &profiles[i];
	return NULL;
}

const char *timer_profile_names(void)
{
	return "linux, windows, bsd, macos";
}

/* No kernel timer ends CLOSE_WAIT; past this an application is late. */
enum { CLOSE_WAIT_DEFAULT_S = 60 };

void rules_config_init(struct rule_config *cfg, const struct timer_profile *profile)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->profile = profile != NULL ? profile : &profiles[0];
	cfg->fin_timeout_ns = cfg->profile->fin_timeout_s * NS;
	cfg->time_wait_ns = cfg->profile->time_wait_s * NS;
	cfg->close_wait_ns = CLOSE_WAIT_DEFAULT_S * NS;
	for (unsigned i = 0; i < RULE_COUNT; i++)
		cfg->enabled[i] = true;
}

bool rules_config_select(struct rule_config *cfg, const char *list, bool enable, char *bad,
			 unsigned bad_size)
{
	const char *p = list;

	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		char name[64];
		unsigned id;

		if (n == 0 || n >= sizeof name) {
			snprintf(bad, bad_size, "%.*s", (int)(n < 60 ? n : 60), p);
			return false;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		if (strcmp(name, "all") == 0) {
			for (unsigned i = 0; i < RULE_COUNT; i++)
				cfg->enabled[i] = enable;
		} else if ((id = rule_find(name)) < RULE_COUNT) {
			cfg->enabled[id] = enable;
		} else {
			snprintf(bad, bad_size, "%s", name);
			return false;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return true;
}

const char *severity_name(unsigned sev)
{
	static const char *const names[] = { "info", "warning", "error", "never" };

	return sev < sizeof names / sizeof names[0] ? names[sev] : "?";
}

unsigned severity_parse(const char *name)
{
	for (unsigned i = SEV_INFO; i <= SEV_NEVER; i++)
		if (strcmp(name, severity_name(i)) == 0)
			return i;
	return SEV_NEVER + 1;
}

const char *confidence_name(unsigned conf)
{
	return conf == CONF_HIGH ? "high" : conf == CONF_MEDIUM ? "medium" : "low";
}

unsigned confidence_parse(const char *name)
{
	for (unsigned i = CONF_HIGH; i <= CONF_LOW; i++)
		if (strcmp(name, confidence_name(i)) == 0)
			return i;
	return CONF_LOW + 1;
}

const char *rules_side_name(const struct flow *f, int side)
{
	if (f->conn.mid_stream)
		return side == 0 ? "first sender" : "other side";
	return side == 0 ? "client" : "server";
}

/* ---- building findings -------------------------------------------------- */

struct check {
	const struct rule_config *cfg;
	const struct flow *f;
	const struct tcp_conn *c;
	struct findings *out;
};

static int cmp_pkt(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Start a finding; evidence packets are added with evidence(). */
static struct finding *found(struct check *k, unsigned rule, int side)
{
	struct finding *fd;

	if (!k->cfg->enabled[rule] || k->out->n >= RULE_COUNT)
		return NULL;
	fd = &k->out->f[k->out->n++];
	memset(fd, 0, sizeof *fd);
	fd->rule = (uint8_t)rule;
	fd->severity = rule_info(rule)->severity;
	fd->confidence = CONF_HIGH;
	fd->side = (int8_t)side;
	return fd;
}

static void evidence(struct finding *fd, uint64_t pkt)
{
	if (pkt == 0 || fd->npkts >= FINDING_PKTS_MAX)
		return;
	for (unsigned i = 0; i < fd->npkts; i++)
		if (fd->pkts[i] == pkt)
			return;
	fd->pkts[fd->npkts++] = pkt;
}

static void say(struct finding *fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append to the finding's message; a message too long is cut, never overrun. */
static void say(struct finding *fd, const char *fmt, ...)
{
	size_t used = strlen(fd->message);
	va_list ap;

	if (used + 1 >= sizeof fd->message)
		return;
	va_start(ap, fmt);
	vsnprintf(fd->message + used, sizeof fd->message - used, fmt, ap);
	va_end(ap);
}

/* Lower a finding's confidence to conf and say why in its message. */
static void lower(struct finding *fd, unsigned conf, const char *why)
{
	if (conf > fd->confidence)
		fd->confidence = (uint8_t)conf;
	say(fd, "; confidence %s: %s", confidence_name(conf), why);
}

static double secs(uint64_t a, uint64_t b)
{
	return b >= a ? (double)(b - a) / 1e9 : -(double)(a - b) / 1e9;
}

static const char *who(const struct check *k, int side)
{
	return rules_side_name(k->f, side);
}

/* The packets of events of one type sent by one side, in order. */
static unsigned event_pkts(const struct tcp_conn *c, uint8_t type, int dir, uint64_t *pkts,
			   unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < c->event_count && n < max; i++)
		if (c->events[i].type == type && (dir < 0 || c->events[i].dir == dir))
			pkts[n++] = c->events[i].pkt;
	return n;
}

static const struct tcp_event *first_event(const struct tcp_conn *c, uint8_t type, int dir)
{
	for (unsigned i = 0; i < c->event_count; i++)
		if (c->events[i].type == type && (dir < 0 || c->events[i].dir == dir))
			return &c->events[i];
	return NULL;
}

/* ---- the checks ----------------------------------------------------------- */

static void check_refused(struct check *k, const struct close_verdict *v)
{
	const struct tcp_endpoint *cl = &k->c->ep[0], *sv = &k->c->ep[1];
	struct finding *fd;

	if (v->cls != CLOSE_REFUSED || (fd = found(k, RULE_CONNECTION_REFUSED, 1)) == NULL)
		return;
	evidence(fd, cl->first_pkt);
	evidence(fd, sv->rst_pkt);
	say(fd, "the client's SYN (packet %" PRIu64 ") was answered by %s (packet %" PRIu64
		") %.3f ms later: no socket listened on the server's port, or a firewall "
		"rejected it; connect() failed with ECONNREFUSED",
	    cl->first_pkt, (sv->rst_flags & TCP_ACK) ? "RST|ACK" : "RST", sv->rst_pkt,
	    secs(cl->first_pkt != 0 ? k->f->first_ts : 0, sv->rst_ts) * 1e3);
	if (cl->packets > 1 && cl->fin_count == 0 && cl->rsts == 0 && !cl->seq_known)
		say(fd, "; the client retried");
}

static void check_simultaneous(struct check *k, const struct close_verdict *v)
{
	const struct tcp_endpoint *a = &k->c->ep[0], *b = &k->c->ep[1];
	struct finding *fd;

	if (v->cls != CLOSE_SIMULTANEOUS || (fd = found(k, RULE_SIMULTANEOUS_CLOSE, -1)) == NULL)
		return;
	evidence(fd, a->fin_pkt);
	evidence(fd, b->fin_pkt);
	say(fd, "the FINs crossed: the %s's (packet %" PRIu64 ") and the %s's (packet %" PRIu64
		") were each sent before the other arrived, so neither acknowledges the other; "
		"both sides go through CLOSING and hold TIME_WAIT",
	    who(k, 0), a->fin_pkt, who(k, 1), b->fin_pkt);
}

static void check_half_close(struct check *k, const struct close_verdict *v)
{
	int a = v->active_closer;
	uint64_t pkts[FINDING_PKTS_MAX];
	unsigned n;
	struct finding *fd;

	if (v->cls != CLOSE_HALF || a < 0 || a > 1 ||
	    (fd = found(k, RULE_HALF_CLOSE, a)) == NULL)
		return;
	evidence(fd, k->c->ep[a].fin_pkt);
	n = event_pkts(k->c, EV_DATA_AFTER_PEER_FIN, !a, pkts, FINDING_PKTS_MAX - 1);
	for (unsigned i = 0; i < n; i++)
		evidence(fd, pkts[i]);
	say(fd, "the %s shut down its sending side (FIN, packet %" PRIu64 ") and kept "
		"receiving: the %s sent %" PRIu32 " more data %s after it, all acknowledged, "
		"then closed",
	    who(k, a), k->c->ep[a].fin_pkt, who(k, !a), k->c->ep[!a].data_after_peer_fin,
	    k->c->ep[!a].data_after_peer_fin == 1 ? "segment" : "segments");
}

/* The side that sent the RST which ended the connection, or -1. */
static void check_resets(struct check *k)
{
	const struct tcp_conn *c = k->c;
	/* a RST the receiver ignored is rst-out-of-window's business; the
	 * one judged here is the one that ended the connection, as the close
	 * verdict says */
	int x = classify_resetter(c);
	const struct tcp_endpoint *me, *peer;
	struct finding *fd;

	if (x < 0)
		return;
	me = &c->ep[x];
	peer = &c->ep[!x];

	if (me->fin_seen && me->fin_pkt < me->rst_pkt) {
		/* after its own FIN: which packet did the RST answer? */
		if (me->rst_answers_data && me->rst_answers_pkt > me->fin_pkt) {
			const struct tcp_event *d = first_event(c, EV_DATA_AFTER_PEER_FIN, !x);

			if ((fd = found(k, RULE_RST_ON_DATA_AFTER_CLOSE, x)) == NULL)
				return;
			evidence(fd, me->fin_pkt);
			evidence(fd, d != NULL ? d->pkt : me->rst_answers_pkt);
			evidence(fd, me->rst_pkt);
			say(fd, "the %s closed its socket fully (FIN, packet %" PRIu64 ") while the "
				"%s still had data to send; %" PRIu32 " %s of data arrived after the "
				"FIN (first: packet %" PRIu64 ") and the %s's kernel answered with RST "
				"(packet %" PRIu64 "): those bytes were lost and the %s sees ECONNRESET",
			    who(k, x), me->fin_pkt, who(k, !x), peer->data_after_peer_fin,
			    peer->data_after_peer_fin == 1 ? "segment" : "segments",
			    d != NULL ? d->pkt : me->rst_answers_pkt, who(k, x), me->rst_pkt,
			    who(k, !x));
			return;
		}
		if (!(me->rst_flags & TCP_ACK) && me->fin_acked && peer->fin_seen &&
		    peer->fin_pkt > me->fin_ack_pkt && (me->rst_answers_flags & TCP_FIN) &&
		    me->rst_answers_pkt == peer->last_fin_pkt) {
			double gap = secs(me->fin_ack_ts, peer->fin_ts);
			const struct rule_config *cfg = k->cfg;

			if ((fd = found(k, RULE_RST_AFTER_FIN_WAIT2_TIMEOUT, x)) == NULL)
				return;
			evidence(fd, me->fin_ack_pkt);
			evidence(fd, peer->fin_pkt);
			evidence(fd, me->rst_pkt);
			say(fd, "the %s's FIN was acknowledged (packet %" PRIu64 ") but the %s's "
				"own FIN came %.3f s later (packet %" PRIu64 "); by then the %s had no "
				"socket left and answered with a bare RST, seq = the FIN's ack "
				"(packet %" PRIu64 "); ",
			    who(k, x), me->fin_ack_pkt, who(k, !x), gap, peer->fin_pkt, who(k, x),
			    me->rst_pkt);
			if (gap * 1e9 >= (double)cfg->fin_timeout_ns)
				say(fd, "%.3f s is longer than the %s FIN_WAIT_2 timeout of %" PRIu64
					" s (%s)",
				    gap, cfg->fin_timeout_set ? "configured" : cfg->profile->name,
				    cfg->fin_timeout_ns / NS, cfg->profile->fin_knob);
			else
				say(fd, "that is shorter than the %s FIN_WAIT_2 timeout of %" PRIu64
					" s, so the %s's timeout was set lower (%s or TCP_LINGER2) "
					"or its socket was destroyed another way",
				    cfg->fin_timeout_set ? "configured" : cfg->profile->name,
				    cfg->fin_timeout_ns / NS, who(k, x), cfg->profile->fin_knob);
		}
		return;
	}
	if (me->fin_seen)
		return;
	/* No FIN before it: the RST ended an open connection. */
	if (me->rst_state != TCPS_ESTABLISHED && me->rst_state != TCPS_CLOSE_WAIT)
		return;
	if (me->rst_kind == RST_BARE_NO_SOCKET) {
		if ((fd = found(k, RULE_HALF_OPEN, x)) == NULL)
			return;
		evidence(fd, me->rst_answers_pkt);
		evidence(fd, me->rst_pkt);
		say(fd, "the %s answered the %s's packet %" PRIu64 "%s with a bare RST (no ACK, "
			"seq = that packet's ack, packet %" PRIu64 "), the reply of a host with no "
			"socket for the connection; the %s never sent a FIN, so it lost the "
			"connection without telling the %s",
		    who(k, x), who(k, !x), me->rst_answers_pkt,
		    me->rst_answers_data ? " (data)" : "", me->rst_pkt, who(k, x), who(k, !x));
		if (me->rst_answers_data)
			say(fd, "; that data was lost");
		return;
	}
	if ((fd = found(k, RULE_ABORTIVE_CLOSE, x)) == NULL)
		return;
	{
		bool unread = x == 1 && !c->mid_stream && peer->last_data_pkt != 0 &&
			      peer->last_data_pkt > me->last_data_pkt &&
			      peer->last_data_pkt < me->rst_pkt;

		if (unread)
			evidence(fd, peer->last_data_pkt);
		evidence(fd, me->rst_pkt);
		say(fd, "the %s ended the connection with %s (packet %" PRIu64 ")%s instead of "
			"a FIN%s; ",
		    who(k, x), (me->rst_flags & TCP_ACK) ? "RST|ACK" : "RST", me->rst_pkt,
		    me->rst_kind == RST_ABORT ? " at its next sequence number" : "",
		    me->rst_state == TCPS_CLOSE_WAIT ? ", after the peer's FIN" : "");
		if (unread)
			say(fd, "the %s's data in packet %" PRIu64 " was acknowledged but never "
				"answered: the packets point to close() with that data unread in the "
				"receive buffer (RFC 2525), which turns the close into a reset",
			    who(k, !x), peer->last_data_pkt);
		else
			say(fd, "nothing was left unanswered before it, so the packets point to "
				"close() with SO_LINGER {1, 0}, an intentional abort");
		if (me->rst_kind != RST_ABORT) {
			say(fd, "; its seq is not the %s's next sequence number, so it may come "
				"from a middlebox",
			    who(k, x));
			fd->confidence = CONF_MEDIUM;
		}
	}
}

static void check_giveup(struct check *k, const struct close_verdict *v)
{
	uint64_t pkts[FINDING_PKTS_MAX];

	for (int x = 0; x < 2; x++) {
		const struct tcp_endpoint *me = &k->c->ep[x];
		struct finding *fd;
		unsigned n = 0;

		if (me->fin_unacked_pkt != 0 && !me->fin_acked &&
		    (tcp_endpoint_gave_up(me) || (me->rsts && me->rst_pkt > me->fin_pkt)) &&
		    (fd = found(k, RULE_LINGER_TIMEOUT, x)) != NULL) {
			evidence(fd, me->fin_unacked_pkt);
			evidence(fd, me->fin_pkt);
			if (me->rsts && me->rst_pkt > me->fin_pkt)
				evidence(fd, me->rst_pkt);
			say(fd, "the %s sent its FIN (packet %" PRIu64 ") with data still "
				"unacknowledged (from packet %" PRIu64 "), and neither was ever "
				"acknowledged; ",
			    who(k, x), me->fin_pkt, me->fin_unacked_pkt);
			if (me->rsts && me->rst_pkt > me->fin_pkt)
				say(fd, "%.3f s after the FIN it reset the connection (packet %" PRIu64
					"), as SO_LINGER {1, t} does on BSD and Windows when t runs out: "
					"the data was discarded",
				    secs(me->fin_ts, me->rst_ts), me->rst_pkt);
			else
				say(fd, "it retransmitted and gave up without a RST, as Linux does "
					"for an orphaned socket whether or not SO_LINGER {1, t} made "
					"close() wait: the data was lost");
		}
		if (v->cls != CLOSE_VANISHED || v->active_closer != x ||
		    (fd = found(k, RULE_FIN_WAIT1_GIVEUP, x)) == NULL)
			continue;
		n += event_pkts(k->c, EV_FIN, x, pkts, FINDING_PKTS_MAX);
		n += event_pkts(k->c, EV_FIN_RETRANSMIT, x, pkts + n, FINDING_PKTS_MAX - n);
		for (unsigned i = 0; i < n; i++)
			evidence(fd, pkts[i]);
		say(fd, "the %s's FIN was sent %" PRIu32 " times over %.3f s (packets %" PRIu64
			" to %" PRIu64 ") and never acknowledged, then nothing more came from it: "
			"an orphaned socket ran out of retries (Linux: net.ipv4.tcp_orphan_retries) "
			"and was destroyed without TIME_WAIT or RST; the %s may still believe the "
			"connection is open",
		    who(k, x), me->fin_count, secs(me->fin_ts, me->last_fin_ts), me->fin_pkt,
		    me->last_fin_pkt, who(k, !x));
	}
}

/* The shortest time after which a retransmission timer can fire: no
 * stack retransmits sooner than one round trip (the handshake's SYN to
 * its ACK spans a whole one wherever the capture point is), nor sooner
 * than a millisecond (Linux's tail-loss probe floor is 2 jiffies).  A copy
 * sooner than this is the capture's duplicate, not the sender's. */
static uint64_t rto_floor(const struct tcp_conn *c)
{
	uint64_t floor = NS / 1000;

	if (c->syn_ts != 0 && c->hs_ack_ts > c->syn_ts && c->hs_ack_ts - c->syn_ts > floor)
		floor = c->hs_ack_ts - c->syn_ts;
	return floor;
}

static void check_final_ack(struct check *k)
{
	for (int x = 0; x < 2; x++) {
		const struct tcp_endpoint *me = &k->c->ep[x], *peer = &k->c->ep[!x];
		bool passive = peer->fin_seen && peer->fin_acked && peer->fin_ack_pkt <= me->fin_pkt;
		uint64_t rexmit = me->fin_rexmit_clean_pkt;
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
		    me->fin_rexmit_clean_gap >= rto_floor(k->c) &&
		    (fd = found(k, RULE_FINAL_ACK_LOST, x)) != NULL) {
			bool seen = me->fin_ack_pkt < rexmit;

			evidence(fd, seen ? me->fin_ack_pkt : me->fin_pkt);
			evidence(fd, rexmit);
			if (seen)
				say(fd, "the %s acknowledged the %s's FIN (packet %" PRIu64 "), yet the "
					"%s retransmitted that FIN from LAST_ACK (packet %" PRIu64 "): "
					"the final ACK was lost after the capture point, on its way to "
					"the %s",
				    who(k, !x), who(k, x), me->fin_ack_pkt, who(k, x), rexmit, who(k, x));
			else
				say(fd, "the %s's FIN (packet %" PRIu64 ") was retransmitted from "
					"LAST_ACK (packet %" PRIu64 ") with no ACK of it seen before: "
					"the final ACK was lost before the capture point (or the capture "
					"was taken at the %s)",
				    who(k, x), me->fin_pkt, rexmit, who(k, x));
			{
				struct capture_point_verdict cp = classify_capture_point(k->c);

				if (cp.where == CAPTURE_NEAR_CLIENT || cp.where == CAPTURE_NEAR_SERVER)
					say(fd, " (the handshake's timing places the capture point %s)",
					    capture_point_words(cp.where));
			}
			if (me->fin_ack_pkt > rexmit)
				say(fd, "; the %s, still in TIME_WAIT, acknowledged it again "
					"(packet %" PRIu64 ")",
				    who(k, !x), me->fin_ack_pkt);
			else if (peer->last_pkt > rexmit)
				say(fd, "; the %s, still in TIME_WAIT, acknowledged it again "
					"(packet %" PRIu64 ")",
				    who(k, !x), peer->last_pkt);
			else
				say(fd, "; no answer to the retransmission was captured");
		}
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

static void check_connect_timeout(struct check *k)
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
	if (n + 1 < RETRY_SERIES_MIN || (fd = found(k, RULE_CONNECT_TIMEOUT, 0)) == NULL)
		return;
	stopped = tcp_retries_stopped(cl->prev_syn_ts, cl->last_syn_ts, c->end_ts);
	evidence(fd, cl->first_pkt);
	np = event_pkts(c, EV_SYN_RETRANSMIT, 0, pkts, FINDING_PKTS_MAX - 2);
	for (unsigned i = 0; i < np; i++)
		evidence(fd, pkts[i]);
	evidence(fd, cl->last_pkt); /* the last SYN: the silence starts there */
	say(fd, "the client's SYN (packet %" PRIu64 ") was never answered: it was sent %" PRIu32
		" times over %.3f s, at intervals of",
	    cl->first_pkt, cl->syns, secs(c->syn_ts, cl->last_syn_ts));
	for (unsigned i = 0; i < n; i++)
		say(fd, "%s %.3f", i == 0 ? "" : ",", ms[i] / 1e3);
	say(fd, "%s s, and nothing came back from the server", c->events_dropped ? " ..." : "");
	if (stopped) {
		say(fd, "; then %.3f s of silence until the capture's end, over twice the last "
			"interval: the client gave up and connect() failed with ETIMEDOUT (Linux: "
			"net.ipv4.tcp_syn_retries)",
		    secs(cl->last_syn_ts, c->end_ts));
	} else {
		say(fd, "; the capture ended %.3f s after the last one, before the retries could "
			"be seen to stop (connect() fails with ETIMEDOUT when they run out)",
		    secs(cl->last_syn_ts, c->end_ts));
		lower(fd, CONF_MEDIUM, "the capture ended during the retries");
	}
}

static void check_last_ack_giveup(struct check *k)
{
	const struct tcp_conn *c = k->c;
	uint64_t pkts[FINDING_PKTS_MAX];

	for (int x = 0; x < 2; x++) {
		const struct tcp_endpoint *me = &c->ep[x], *peer = &c->ep[!x];
		unsigned n = 0;
		struct finding *fd;

		if (!tcp_endpoint_last_ack_unanswered(c, (unsigned)x, RETRY_SERIES_MIN) ||
		    (fd = found(k, RULE_LAST_ACK_GIVEUP, x)) == NULL)
			continue;
		evidence(fd, peer->fin_pkt);
		n += event_pkts(c, EV_FIN, x, pkts, FINDING_PKTS_MAX - 1);
		n += event_pkts(c, EV_FIN_RETRANSMIT, x, pkts + n, FINDING_PKTS_MAX - 1 - n);
		for (unsigned i = 0; i < n; i++)
			evidence(fd, pkts[i]);
		say(fd, "the %s closed first (FIN, packet %" PRIu64 "); the %s's own FIN (packet %"
			PRIu64 ") was sent %" PRIu32 " times over %.3f s and never acknowledged, and "
			"nothing more came from the %s: a peer in TIME_WAIT acknowledges every copy, "
			"so its connection state was gone (or a middlebox dropped the flow after "
			"the first FIN)",
		    who(k, !x), peer->fin_pkt, who(k, x), me->fin_pkt, me->fin_count,
		    secs(me->fin_ts, me->last_fin_ts), who(k, !x));
		if (me->state == TCPS_CLOSED) {
			say(fd, "; %.3f s of silence followed the last copy: the %s's orphaned "
				"socket ran out of retries (Linux: net.ipv4.tcp_orphan_retries) and "
				"was destroyed without a RST",
			    secs(me->last_fin_ts, c->end_ts), who(k, x));
		} else {
			say(fd, "; the capture ended %.3f s after the last copy, with the %s still "
				"in LAST_ACK and retrying",
			    secs(me->last_fin_ts, c->end_ts), who(k, x));
			lower(fd, CONF_MEDIUM, "the capture ended during the retries");
		}
	}
}

/* The round trip seen in the handshake, or a generous guess without one:
 * a peer's packet sent sooner after a FIN than this may have crossed it. */
static uint64_t round_trip(const struct tcp_conn *c)
{
	if (c->hs_ack_ts != 0 && c->hs_ack_ts >= c->syn_ts && c->syn_ts != 0)
		return 2 * (c->hs_ack_ts - c->syn_ts) + NS / 1000;
	return NS / 5;
}

static void check_fin_acks(struct check *k)
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
		if (beyond != NULL && (first_event(c, EV_FIN_SEQ_MOVED, x) != NULL ||
				       seq_lt(me->fin_seq, me->snd_nxt - 1)))
			beyond = NULL;
		if (beyond != NULL && (fd = found(k, RULE_FIN_ACK_MISMATCH, !x)) != NULL) {
			evidence(fd, me->fin_pkt);
			evidence(fd, beyond->pkt);
			say(fd, "the %s's FIN has seq %" PRIu32 ", so its acknowledgement must be %"
				PRIu32 "; the %s acknowledged %" PRIu32 " (packet %" PRIu64 "), %"
				PRIu32 " past it",
			    who(k, x), me->fin_seq, me->fin_seq + 1, who(k, !x), beyond->a,
			    beyond->pkt, beyond->a - (me->fin_seq + 1));
			continue;
		}
		if (!me->fin_acked && me->fin_ack_short_pkt != 0 && peer->fin_seen &&
		    peer->fin_pkt > me->fin_pkt &&
		    (fd = found(k, RULE_FIN_ACK_MISMATCH, !x)) != NULL) {
			evidence(fd, me->fin_pkt);
			evidence(fd, me->fin_ack_short_pkt);
			evidence(fd, peer->fin_pkt);
			say(fd, "the %s's FIN (packet %" PRIu64 ", seq %" PRIu32 ") was never "
				"acknowledged with %" PRIu32 ": the %s kept acking %" PRIu32
				" (from packet %" PRIu64 ") and sent its own FIN (packet %" PRIu64
				"), so it went on closing without counting the FIN's sequence number",
			    who(k, x), me->fin_pkt, me->fin_seq, me->fin_seq + 1, who(k, !x),
			    me->fin_seq, me->fin_ack_short_pkt, peer->fin_pkt);
			continue;
		}
		if (!me->fin_acked && !c->reset && !tcp_endpoint_gave_up(me) &&
		    peer->last_pkt > me->last_fin_pkt && !peer->rsts &&
		    peer->last_ts - me->last_fin_ts > round_trip(c) &&
		    (fd = found(k, RULE_FINAL_ACK_MISSING, x)) != NULL) {
			evidence(fd, me->fin_pkt);
			evidence(fd, peer->last_pkt);
			say(fd, "the %s's FIN (packet %" PRIu64 ") was never acknowledged, although "
				"the %s went on sending (last: packet %" PRIu64 ", acking %" PRIu32
				" < FIN+1 = %" PRIu32 "): the FIN did not reach the %s, or its stack "
				"ignored it",
			    who(k, x), me->fin_pkt, who(k, !x), peer->last_pkt, peer->last_ack,
			    me->fin_seq + 1, who(k, !x));
		}
	}
}

static void check_fin_seq(struct check *k)
{
	const struct tcp_conn *c = k->c;

	for (int x = 0; x < 2; x++) {
		const struct tcp_endpoint *me = &c->ep[x];
		const struct tcp_event *fin = first_event(c, EV_FIN, x);
		const struct tcp_event *moved = first_event(c, EV_FIN_SEQ_MOVED, x);
		const struct tcp_event *after = first_event(c, EV_DATA_AFTER_FIN, x);
		struct finding *fd;

		if (fin == NULL)
			continue;
		if ((moved != NULL || seq_lt(fin->a, fin->b)) &&
		    (fd = found(k, RULE_FIN_SEQ_MISMATCH, x)) != NULL) {
			evidence(fd, me->fin_pkt);
			if (moved != NULL) {
				evidence(fd, moved->pkt);
				say(fd, "the %s sent its FIN at seq %" PRIu32 " (packet %" PRIu64
					") and again at seq %" PRIu32 " (packet %" PRIu64 "): the two "
					"ends no longer agree where the stream ends",
				    who(k, x), moved->b, me->fin_pkt, moved->a, moved->pkt);
			} else {
				say(fd, "the %s's FIN (packet %" PRIu64 ") has seq %" PRIu32
					" although it had already sent data up to %" PRIu32 ": the %"
					PRIu32 " bytes beyond the FIN are not part of the stream",
				    who(k, x), me->fin_pkt, fin->a, fin->b, fin->b - fin->a);
			}
		}
		if (after != NULL && (fd = found(k, RULE_DATA_AFTER_FIN, x)) != NULL) {
			evidence(fd, me->fin_pkt);
			evidence(fd, after->pkt);
			say(fd, "the %s sent %" PRIu32 " bytes at seq %" PRIu32 " (packet %" PRIu64
				") after its own FIN (packet %" PRIu64 ", seq %" PRIu32 "): a receiver "
				"that accepted the FIN discards them",
			    who(k, x), after->b, after->a, after->pkt, me->fin_pkt, me->fin_seq);
		}
	}
}

/* The first RST after ts from either side, or 0; *by gets its sender. */
static uint64_t first_rst_after(const struct tcp_conn *c, uint64_t pkt, int *by)
{
	uint64_t best = 0;

	for (int i = 0; i < 2; i++)
		if (c->ep[i].rsts && c->ep[i].rst_pkt > pkt && (best == 0 || c->ep[i].rst_pkt < best)) {
			best = c->ep[i].rst_pkt;
			*by = i;
		}
	return best;
}

static void check_close_wait(struct check *k)
{
	const struct tcp_conn *c = k->c;

	for (int y = 0; y < 2; y++) {
		const struct tcp_endpoint *me = &c->ep[y], *peer = &c->ep[!y];
		uint64_t since, until, rst = 0;
		bool stuck, late, probes, answers_probe;
		int by = -1;
		struct finding *fd;

		if (!peer->fin_seen || !peer->fin_acked || peer->fin_ack_pkt == 0)
			continue;
		if (me->fin_seen && me->fin_pkt < peer->fin_pkt)
			continue; /* it closed first: never in CLOSE_WAIT */
		since = peer->fin_ack_ts;
		if (me->last_data_pkt > peer->fin_pkt && me->last_data_ts > since)
			since = me->last_data_ts; /* it was still writing: a half-close */
		/* no FIN from it, and a RST ended the connection: the peer's
		 * timer or a keepalive answered by RST ended the CLOSE_WAIT */
		if (!me->fin_seen)
			rst = first_rst_after(c, peer->fin_ack_pkt, &by);
		stuck = me->state == TCPS_CLOSE_WAIT;
		until = me->fin_seen ? me->fin_ts
			: rst != 0   ? c->ep[by].rst_ts
			: c->end_ts > k->f->last_ts ? c->end_ts : k->f->last_ts;
		probes = (stuck || rst != 0) && me->keepalive_pkt > peer->fin_ack_pkt;
		late = until > since && until - since >= k->cfg->close_wait_ns;
		/* a keepalive answered by the peer's RST: the socket outlived
		 * the peer's memory of the connection, whatever the threshold */
		answers_probe = rst != 0 && by == !y && probes &&
				c->ep[by].rst_answers_pkt == me->keepalive_pkt;
		if (me->fin_seen || (rst != 0 && !answers_probe)) {
			if (!late)
				continue;
		} else if (!answers_probe &&
			   (!stuck || until <= since || until - since <= round_trip(c))) {
			/* a close answered within a round trip may be on its way */
			continue;
		}
		if ((fd = found(k, RULE_CLOSE_WAIT_STUCK, y)) == NULL)
			continue;
		evidence(fd, peer->fin_pkt);
		evidence(fd, peer->fin_ack_pkt);
		if (me->fin_seen) {
			evidence(fd, me->fin_pkt);
			say(fd, "the %s's kernel acknowledged the %s's FIN (packet %" PRIu64 ") but "
				"its application closed only %.3f s later (FIN, packet %" PRIu64
				"), longer than the close-wait threshold of %.0f s",
			    who(k, y), who(k, !y), peer->fin_ack_pkt, secs(since, until),
			    me->fin_pkt, (double)k->cfg->close_wait_ns / 1e9);
		} else if (rst != 0) {
			if (answers_probe)
				evidence(fd, me->keepalive_pkt);
			evidence(fd, rst);
			say(fd, "the %s's kernel acknowledged the %s's FIN (packet %" PRIu64 ") but "
				"its application never closed: %.3f s later, %s the close-wait "
				"threshold of %.0f s, the connection was still in CLOSE_WAIT when "
				"the %s's RST (packet %" PRIu64 ") ended it%s",
			    who(k, y), who(k, !y), peer->fin_ack_pkt, secs(since, until),
			    late ? "longer than" : "below", (double)k->cfg->close_wait_ns / 1e9,
			    who(k, by), rst,
			    answers_probe ? ", answering its keepalive probe: the peer had "
					    "already forgotten the connection" : "");
			if (!late)
				fd->severity = SEV_INFO;
		} else {
			evidence(fd, me->last_pkt);
			say(fd, "the %s's kernel acknowledged the %s's FIN (packet %" PRIu64 ") but "
				"its application never closed: it was still in CLOSE_WAIT %.3f s "
				"later, when the capture ended (its last packet: %" PRIu64 "%s)",
			    who(k, y), who(k, !y), peer->fin_ack_pkt, secs(since, until),
			    me->last_pkt, probes ? ", a keepalive probe: the socket is open and idle" : "");
			if (!late && !probes) {
				fd->severity = SEV_INFO;
				say(fd, "; that is below the close-wait threshold of %.0f s, so "
					"the application may still close it",
				    (double)k->cfg->close_wait_ns / 1e9);
			}
		}
	}
}

static void check_time_wait(struct check *k)
{
	const struct flow *f = k->f;
	const struct tcp_conn *c = k->c;
	struct finding *fd;

	for (int x = 0; x < 2; x++) {
		const struct tcp_endpoint *me = &c->ep[x];

		if (me->tw_rst_pkt == 0 || (fd = found(k, RULE_TIME_WAIT_ASSASSINATION, x)) == NULL)
			continue;
		evidence(fd, me->tw_rst_pkt);
		say(fd, "a RST from the %s (packet %" PRIu64 ") reached the %s while it held "
			"TIME_WAIT; Linux ends TIME_WAIT on it unless net.ipv4.tcp_rfc1337=1",
		    who(k, !x), me->tw_rst_pkt, who(k, x));
	}
	if (f->prev_id == 0 || c->mid_stream)
		return;
	for (int x = 0; x < 2; x++) {
		const struct tcp_endpoint *cl = &c->ep[0], *sv = &c->ep[1];
		const char *answer;

		if (f->prev_states[x] != TCPS_TIME_WAIT)
			continue;
		if ((fd = found(k, RULE_TIME_WAIT_REUSE, x)) == NULL)
			return;
		evidence(fd, cl->first_pkt);
		evidence(fd, sv->first_pkt);
		say(fd, "the SYN (packet %" PRIu64 ") reuses the 4-tuple of connection %" PRIu64
			" %.3f s after the %s entered TIME_WAIT (%" PRIu64 " s %s%s); its "
			"ISN %" PRIu32 " is %s the old connection's last client seq %" PRIu32,
		    cl->first_pkt, f->prev_id, secs(f->prev_state_ts[x], f->first_ts), who(k, x),
		    k->cfg->time_wait_ns / NS, k->cfg->time_wait_set ? "as configured" : "on ",
		    k->cfg->time_wait_set ? "" : k->cfg->profile->name,
		    cl->isn, seq_gt(cl->isn, f->prev_snd_nxt[0]) ? "beyond" : "not beyond",
		    f->prev_snd_nxt[0]);
		if (sv->first_pkt == 0) {
			say(fd, "; no answer was seen");
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
		say(fd, "%s (packet %" PRIu64 ")", answer, sv->first_pkt);
		return;
	}
}

static void check_ignored_rst(struct check *k)
{
	for (int x = 0; x < 2; x++) {
		const struct tcp_endpoint *me = &k->c->ep[x], *peer = &k->c->ep[!x];
		struct finding *fd;

		if (me->rst_ignored_pkt == 0 || peer->last_pkt < me->rst_ignored_pkt ||
		    (fd = found(k, RULE_RST_OUT_OF_WINDOW, x)) == NULL)
			continue;
		evidence(fd, me->rst_ignored_pkt);
		say(fd, "the RST from the %s (packet %" PRIu64 ") carries a seq outside what the "
			"%s would accept, so it was ignored (RFC 5961) and the connection went on, "
			"up to packet %" PRIu64,
		    who(k, x), me->rst_ignored_pkt, who(k, !x), peer->last_pkt);
	}
}

/* Capture duplicates (one packet captured twice) seen in this connection.
 * Hook: the engine's per-connection duplicate count goes here once it
 * exists; until then none are known. */
static uint32_t capture_duplicates(const struct tcp_conn *c)
{
	(void)c;
	return 0;
}

/* A side's FIN retransmissions were still going when the capture ended:
 * a give-up (FIN_WAIT_1, orphaned linger) rests on a silence not seen. */
static bool giveup_unseen(const struct tcp_conn *c, int side)
{
	const struct tcp_endpoint *ep = &c->ep[side];

	return side >= 0 && side <= 1 && ep->fin_count >= 2 && !ep->fin_acked && ep->rsts == 0 &&
	       !tcp_retries_stopped(ep->prev_fin_ts, ep->last_fin_ts, c->end_ts);
}

/* Capture caveats that make a finding rest on packets not seen: each
 * lowers the confidence and says why, the worst one deciding. */
static void caveats(struct check *k)
{
	const struct tcp_conn *c = k->c;
	uint32_t missed = c->ep[0].gaps + c->ep[1].gaps + c->ep[0].acks_unseen +
			  c->ep[1].acks_unseen;
	uint32_t dups = capture_duplicates(c);
	char why[160];

	for (unsigned i = 0; i < k->out->n; i++) {
		struct finding *fd = &k->out->f[i];

		if (missed > 0) {
			snprintf(why, sizeof why, "the capture point missed segments of this "
				 "connection (%" PRIu32 " gaps or acks for bytes never seen)", missed);
			lower(fd, CONF_MEDIUM, why);
		}
		if (dups > 0) {
			snprintf(why, sizeof why, "%" PRIu32 " packets of this connection were "
				 "captured more than once", dups);
			lower(fd, CONF_MEDIUM, why);
		}
		if ((c->ep[0].packets == 0 || c->ep[1].packets == 0) &&
		    fd->rule != RULE_CONNECT_TIMEOUT)
			/* a connect timeout is the other side's silence itself */
			lower(fd, CONF_LOW, "only one direction of the connection was captured");
		if ((fd->rule == RULE_FIN_WAIT1_GIVEUP || fd->rule == RULE_LINGER_TIMEOUT) &&
		    giveup_unseen(c, fd->side))
			lower(fd, CONF_LOW, "the capture ended while the FIN was still being "
					    "retransmitted, so the give-up itself is not seen");
		if (c->mid_stream)
			lower(fd, CONF_LOW, "the capture began mid-connection, so the roles and "
					    "earlier history are not known");
	}
}

static int cmp_finding(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;
	uint64_t px = x->npkts ? x->pkts[0] : 0, py = y->npkts ? y->pkts[0] : 0;

	if (px != py)
		return px < py ? -1 : 1;
	return (int)x->rule - (int)y->rule;
}

void rules_check(const struct rule_config *cfg, const struct flow *f, struct findings *out)
{
	struct check k = { .cfg = cfg, .f = f, .c = &f->conn, .out = out };
	const struct close_verdict *v = &out->close;

	out->close = classify_close(&f->conn);
	out->n = 0;
	check_refused(&k, v);
	check_connect_timeout(&k);
	check_last_ack_giveup(&k);
	check_simultaneous(&k, v);
	check_half_close(&k, v);
	check_resets(&k);
	check_giveup(&k, v);
	check_final_ack(&k);
	check_fin_acks(&k);
	check_fin_seq(&k);
	check_close_wait(&k);
	check_time_wait(&k);
	check_ignored_rst(&k);
	caveats(&k);
	for (unsigned i = 0; i < out->n; i++)
		qsort(out->f[i].pkts, out->f[i].npkts, sizeof out->f[i].pkts[0], cmp_pkt);
	qsort(out->f, out->n, sizeof out->f[0], cmp_finding);
}
