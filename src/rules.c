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
#include "escape.h"
#include "goodbye.h"
#include "rules.h"

static const uint64_t NS = 1000000000u;

/* ---- profiles, severities, selection ------------------------------------ */

static const struct timer_profile profiles[] = {
	{ "linux", 60, 60, "net.ipv4.tcp_fin_timeout", "TCP_TIMEWAIT_LEN, fixed", "TCP_LINGER2" },
	{ "windows", 120, 120, "TcpFinWait2Delay", "TcpTimedWaitDelay (240 s before Windows 10)",
	  NULL },
	{ "bsd", 60, 60, "net.inet.tcp.finwait2_timeout", "2 x net.inet.tcp.msl", NULL },
	{ "macos", 60, 30, "net.inet.tcp.fin_timeout", "2 x net.inet.tcp.msl", NULL },
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

/* A timer as it was set, in seconds: "60 s", or with the decimals it
 * needs ("3.99 s" for --fin-timeout 3990ms), never rounded to another
 * value.  buf has room for DURATION_MAX bytes. */
enum { DURATION_MAX = 32 };
static const char *duration(uint64_t ns, char *buf)
{
	int n = snprintf(buf, DURATION_MAX, "%" PRIu64, ns / NS);

	if (ns % NS != 0) {
		char frac[16];
		size_t len = (size_t)snprintf(frac, sizeof frac, "%09" PRIu64, ns % NS);

		while (len > 0 && frac[len - 1] == '0')
			frac[--len] = '\0';
		n += snprintf(buf + n, DURATION_MAX - (size_t)n, ".%s", frac);
	}
	snprintf(buf + n, DURATION_MAX - (size_t)n, " s");
	return buf;
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

/* ---- resets: what the RST answered decides the rule ---------------------- */

static uint64_t round_trip(const struct tcp_conn *c);

/* A FIN_WAIT_2 timer below this is no timer anyone sets: a socket gone
 * sooner was destroyed another way (socket-vanished). */
static const uint64_t FW2_MIN_NS = 1000000000u;

/* The peer's bytes the RST threw away unacknowledged: not even its own
 * ack counts them. */
static uint32_t rst_lost(const struct tcp_endpoint *me)
{
	return seq_gt(me->rst_peer_end, me->rst_acked) ? me->rst_peer_end - me->rst_acked : 0;
}

/* The peer's bytes no ACK before the RST counted: after a full close
 * they reached a socket that delivers nothing, even when the RST's own
 * ack counts them (Windows does). */
static uint32_t rst_unread(const struct tcp_endpoint *me)
{
	return seq_gt(me->rst_peer_end, me->rst_prev_ack) ? me->rst_peer_end - me->rst_prev_ack
							   : 0;
}

static const char *rst_name(const struct tcp_endpoint *me)
{
	return (me->rst_flags & TCP_ACK) ? "RST|ACK" : "RST";
}

/* A RST after the sender's FIN that threw data away: the data reached a
 * socket closed for reading (TCPAbortOnData), whatever else came with it.
 * A protocol's goodbye lost that way is graded info. */
static void rst_on_data(struct check *k, int x, uint32_t lost)
{
	const struct tcp_endpoint *me = &k->c->ep[x], *peer = &k->c->ep[!x];
	const char *bye = goodbye_name(me->rst_lost_head, me->rst_lost_head_len, lost);
	struct finding *fd;

	if ((fd = found(k, RULE_RST_ON_DATA_AFTER_CLOSE, x)) == NULL)
		return;
	evidence(fd, me->fin_pkt);
	evidence(fd, me->rst_lost_pkt);
	evidence(fd, me->rst_pkt);
	if (me->rst_lost_pkt != 0 && me->rst_lost_pkt < me->fin_pkt)
		say(fd, "the %s closed fully (FIN, packet %" PRIu64 ") before all of the %s's "
			"data had reached it (its acks stop at seq %" PRIu32 "); ",
		    who(k, x), me->fin_pkt, who(k, !x), me->rst_prev_ack);
	else
		say(fd, "the %s closed its socket fully (FIN, packet %" PRIu64 ") while the "
			"%s still had data to send; ",
		    who(k, x), me->fin_pkt, who(k, !x));
	say(fd, "%" PRIu32 " bytes of the %s's data", lost, who(k, !x));
	if (me->rst_lost_pkt != 0)
		say(fd, " (from packet %" PRIu64 ")", me->rst_lost_pkt);
	say(fd, " reached the closed socket, %s, and the %s's kernel answered with %s "
		"(packet %" PRIu64 ", %.3f ms after the %s's last packet)",
	    rst_lost(me) > 0 ? "never acknowledged" : "acknowledged only by the RST",
	    who(k, x), rst_name(me), me->rst_pkt, secs(me->rst_answers_ts, me->rst_ts) * 1e3,
	    who(k, !x));
	if (bye != NULL) {
		say(fd, ": they are %s, a goodbye, so no application data was lost",
		    bye);
		fd->severity = SEV_INFO;
	} else {
		say(fd, ": those bytes were lost and the %s sees ECONNRESET", who(k, !x));
	}
	(void)peer;
}

/* A bare RST answering the peer's FIN after this side's FIN was acked:
 * a FIN_WAIT_2 socket that timed out, or one that vanished too soon for
 * any timer. */
static void rst_on_late_fin(struct check *k, int x)
{
	const struct tcp_endpoint *me = &k->c->ep[x], *peer = &k->c->ep[!x];
	const struct rule_config *cfg = k->cfg;
	uint64_t gap_ns = peer->fin_ts > me->fin_ack_ts ? peer->fin_ts - me->fin_ack_ts : 0;
	double gap = (double)gap_ns / 1e9;
	const char *sock = cfg->profile->fin_socket_knob;
	char t[DURATION_MAX];
	struct finding *fd;

	if (gap_ns < FW2_MIN_NS) {
		if ((fd = found(k, RULE_SOCKET_VANISHED, x)) == NULL)
			return;
		evidence(fd, me->fin_ack_pkt);
		evidence(fd, peer->fin_pkt);
		evidence(fd, me->rst_pkt);
		say(fd, "the %s's FIN was acknowledged (packet %" PRIu64 ") and only %.3f s later "
			"the %s's FIN (packet %" PRIu64 ") met no socket: the %s answered with a "
			"bare RST, seq = the FIN's ack (packet %" PRIu64 "); no FIN_WAIT_2 timer is "
			"that short, so the %s's socket was destroyed another way (no free "
			"TIME_WAIT bucket, a proxy or user-space stack); the %s had closed too, so "
			"nothing was lost",
		    who(k, x), me->fin_ack_pkt, gap, who(k, !x), peer->fin_pkt, who(k, x),
		    me->rst_pkt, who(k, x), who(k, !x));
		return;
	}
	if ((fd = found(k, RULE_RST_AFTER_FIN_WAIT2_TIMEOUT, x)) == NULL)
		return;
	evidence(fd, me->fin_ack_pkt);
	evidence(fd, peer->fin_pkt);
	evidence(fd, me->rst_pkt);
	say(fd, "the %s's FIN was acknowledged (packet %" PRIu64 ") but the %s's own FIN came "
		"%.3f s later (packet %" PRIu64 "); by then the %s had no socket left and answered with a bare "
		"RST, seq = the FIN's ack (packet %" PRIu64 "); ",
	    who(k, x), me->fin_ack_pkt, who(k, !x), gap, peer->fin_pkt, who(k, x), me->rst_pkt);
	if (gap_ns >= cfg->fin_timeout_ns)
		say(fd, "%.3f s is longer than the %s FIN_WAIT_2 timeout of %s (%s)",
		    gap, cfg->fin_timeout_set ? "configured" : cfg->profile->name,
		    duration(cfg->fin_timeout_ns, t), cfg->profile->fin_knob);
	else
		say(fd, "that is shorter than the %s FIN_WAIT_2 timeout of %s, so only a timeout "
			"set between 1 s and %.3f s on the %s (%s%s%s) explains the delay, or its "
			"socket was destroyed another way",
		    cfg->fin_timeout_set ? "configured" : cfg->profile->name,
		    duration(cfg->fin_timeout_ns, t), gap, who(k, x), cfg->profile->fin_knob,
		    sock != NULL ? " or " : "", sock != NULL ? sock : "");
}

/* An RST from a side that never sent a FIN, on an open connection. */
static void rst_on_open(struct check *k, int x)
{
	const struct tcp_conn *c = k->c;
	const struct tcp_endpoint *me = &c->ep[x], *peer = &c->ep[!x];
	uint32_t lost = rst_lost(me);
	bool recent, live;
	struct finding *fd;

	/* The client answered the SYN-ACK with a RST: its socket was gone
	 * (connect() timed out or was cancelled, a Happy Eyeballs race, a
	 * client that tried two ports and kept the other).  Normal. */
	if (x == 0 && !c->mid_stream &&
	    (me->rst_answers_flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
		return;
	/* The peer closed while its SYN was unanswered (its FIN sits at the
	 * SYN's seq) and this RST rejects that FIN: an abandoned attempt
	 * that never carried a byte. */
	if (peer->fin_seen && peer->isn_known && peer->fin_seq == peer->isn &&
	    peer->fin_pkt < me->rst_pkt && me->data_bytes == 0 && peer->data_bytes == 0)
		return;
	/* A bare RST at the sender's own next seq from a side that has just
	 * sent data, or with a window a no-socket reply never has, is a live
	 * socket aborting, not a host that lost the connection. */
	recent = me->rst_own_data_ts != 0 && me->rst_ts >= me->rst_own_data_ts &&
		 me->rst_ts - me->rst_own_data_ts <= round_trip(c);
	live = me->rst_at_own_nxt && (me->rst_win != 0 || recent);
	if (me->rst_kind == RST_BARE_NO_SOCKET && !live) {
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
		bool unread = x == 1 && !c->mid_stream && lost == 0 && peer->last_data_pkt != 0 &&
			      peer->last_data_pkt > me->last_data_pkt &&
			      peer->last_data_pkt < me->rst_pkt;
		bool after_fin = me->rst_state == TCPS_CLOSE_WAIT;

		if (unread)
			evidence(fd, peer->last_data_pkt);
		/* the first segment past the RST's own ack, when it is known */
		uint64_t first_lost = me->rst_acked == me->rst_prev_ack ? me->rst_lost_pkt : 0;

		if (lost > 0)
			evidence(fd, first_lost != 0 ? first_lost : peer->last_data_pkt);
		evidence(fd, me->rst_pkt);
		say(fd, "the %s ended the connection with %s (packet %" PRIu64 ")%s instead of "
			"a FIN%s; ",
		    who(k, x), rst_name(me), me->rst_pkt,
		    me->rst_kind == RST_ABORT || live ? " at its next sequence number" : "",
		    after_fin ? ", after the peer's FIN" : "");
		if (live && !(me->rst_flags & TCP_ACK))
			say(fd, "a bare RST, but from a live socket: %s; ",
			    recent ? "it had sent data just before" :
				     "its window is not 0, which a no-socket reply's is");
		if (lost > 0) {
			say(fd, "it discards %" PRIu32 " bytes of the %s's data that it never "
				"acknowledged (its ack stops at %" PRIu32,
			    lost, who(k, !x), me->rst_acked);
			if (first_lost != 0)
				say(fd, "; from packet %" PRIu64, first_lost);
			else if (peer->last_data_pkt != 0)
				say(fd, "; up to packet %" PRIu64, peer->last_data_pkt);
			say(fd, ")");
			say(fd, ": the %s reset with data still arriving", who(k, x));
		} else if (unread) {
			say(fd, "the %s's data in packet %" PRIu64 " was acknowledged but never "
				"answered: the packets point to close() with that data unread in the "
				"receive buffer (RFC 2525), which turns the close into a reset",
			    who(k, !x), peer->last_data_pkt);
		} else if (after_fin) {
			say(fd, "it acknowledged everything the %s had sent, so nothing was lost: "
				"an abort after the peer had closed (close() with SO_LINGER {1, 0}, or "
				"unread data)",
			    who(k, !x));
		} else if (me->rst_payload > 0) {
			say(fd, "nothing was left unanswered before it");
		} else {
			say(fd, "nothing was left unanswered before it, so the packets point to "
				"close() with SO_LINGER {1, 0}, an intentional abort");
		}
		if (me->rst_mine_unacked > 0)
			say(fd, "; %" PRIu32 " bytes it had sent were not yet acknowledged and may "
				"never be delivered",
			    me->rst_mine_unacked);
		if (after_fin && lost == 0 && me->rst_mine_unacked == 0)
			fd->severity = SEV_INFO;
		if (me->rst_payload > 0) {
			/* stacks abort with empty RSTs; text in one is how
			 * filtering devices explain the resets they inject */
			say(fd, "; the RST carries %u bytes of payload (RFC 9293 3.5.3), which "
				"names its cause and is typical of a filtering device resetting in "
				"the %s's name rather than of close()",
			    me->rst_payload, who(k, x));
			/* whose abort it was, the packets cannot tell */
			fd->confidence = CONF_LOW;
		}
		if (me->rst_kind != RST_ABORT && !live) {
			say(fd, "; its seq is not the %s's next sequence number, so it may come "
				"from a middlebox",
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
	by = me->rst_fastclose ? x
	     : (peer->fastclose_pkt != 0 && peer->fastclose_pkt < me->rst_pkt) ? !x : -1;
	if (by < 0)
		/* A subflow reset without MP_FASTCLOSE ends that subflow only
		 * (REMOVE_ADDR, a path manager's choice); the MPTCP connection
		 * may go on over another: no teardown to diagnose here. */
		return true;
	if ((fd = found(k, RULE_ABORTIVE_CLOSE, by)) == NULL)
		return true;
	if (by == x) {
		evidence(fd, me->rst_pkt);
		say(fd, "the %s aborted the MPTCP connection: its %s (packet %" PRIu64 ") carries "
			"MP_FASTCLOSE (RFC 8684 3.5), the MPTCP counterpart of close() with "
			"SO_LINGER {1, 0}",
		    who(k, x), rst_name(me), me->rst_pkt);
	} else {
		evidence(fd, peer->fastclose_pkt);
		evidence(fd, me->rst_pkt);
		say(fd, "the %s aborted the MPTCP connection with MP_FASTCLOSE (packet %" PRIu64
			"), the MPTCP counterpart of close() with SO_LINGER {1, 0}; the %s's %s "
			"(packet %" PRIu64 ") is the reply RFC 8684 3.5 requires, not an abort of "
			"its own",
		    who(k, !x), peer->fastclose_pkt, who(k, x), rst_name(me), me->rst_pkt);
	}
	return true;
}

static void check_resets(struct check *k, const struct close_verdict *v)
{
	const struct tcp_conn *c = k->c;
	/* a RST the receiver ignored is rst-out-of-window's business; the
	 * one judged here is the one that ended the connection, as the close
	 * verdict says */
	int x = classify_resetter(c);
	const struct tcp_endpoint *me, *peer;

	if (x < 0 || v->cls == CLOSE_PROBE || rst_mptcp(k, x))
		return;
	me = &c->ep[x];
	peer = &c->ep[!x];
	/* a RST another device sent in its name says nothing of its
	 * application: middlebox-reset reports it */
	if (tcp_endpoint_rst_forged(me))
		return;

	if (me->fin_seen && me->fin_pkt < me->rst_pkt) {
		/* After its own FIN: data it threw away is what the RST
		 * answered, even when a FIN came with it or after it. */
		if (rst_unread(me) > 0) {
			rst_on_data(k, x, rst_unread(me));
			return;
		}
		if (!(me->rst_flags & TCP_ACK) && me->fin_acked && peer->fin_seen &&
		    peer->fin_pkt > me->fin_ack_pkt && (me->rst_answers_flags & TCP_FIN) &&
		    me->rst_answers_pkt == peer->last_fin_pkt)
			rst_on_late_fin(k, x);
		return;
	}
	if (me->fin_seen)
		return;
	/* No FIN before it: the RST ended an open connection. */
	if (me->rst_state != TCPS_ESTABLISHED && me->rst_state != TCPS_CLOSE_WAIT)
		return;
	rst_on_open(k, x);
}

/* A scanner's probe (the close verdict found its signature). */
static void check_probe(struct check *k, const struct close_verdict *v)
{
	const struct tcp_conn *c = k->c;
	const struct tcp_endpoint *cl = &c->ep[0], *sv = &c->ep[1];
	struct finding *fd;
	char flags[9];

	if (v->cls != CLOSE_PROBE || (fd = found(k, RULE_SCAN_PROBE, 0)) == NULL)
		return;
	evidence(fd, cl->first_pkt);
	switch (classify_probe(c)) {
	case PROBE_FLAGS:
		decode_flags_str(cl->first_flags, flags);
		evidence(fd, sv->rst_pkt);
		say(fd, "packet %" PRIu64 " opens with flags %s, %s, which no TCP stack sends in "
			"a connection: a FIN/NULL/Xmas-style port probe; the %s (packet %" PRIu64
			") is a closed port's no-socket answer%s",
		    cl->first_pkt, flags,
		    (cl->first_flags & TCP_SYN) ? "SYN with FIN" : "without ACK", rst_name(sv),
		    sv->rst_pkt, sv->rst_seq == 0 ? " (seq 0, as for any segment without ACK)" : "");
		break;
	case PROBE_SYN:
		evidence(fd, sv->first_pkt);
		evidence(fd, cl->rst_pkt);
		say(fd, "a half-open SYN scan: the SYN (packet %" PRIu64 ", window %u) carries "
			"neither window scaling nor SACK_OK, which every current stack sends, and "
			"the SYN-ACK (packet %" PRIu64 ") was reset by the scanner's own kernel "
			"(packet %" PRIu64 "), which had no socket for it: the port is open",
		    cl->first_pkt, cl->syn_win, sv->first_pkt, cl->rst_pkt);
		break;
	default:
		evidence(fd, cl->rst_pkt);
		say(fd, "a connect scan or health check: the client completed the handshake and "
			"reset it with %s (packet %" PRIu64 ") %.3f ms after its handshake ACK, "
			"before either side sent a byte: the port is open",
		    rst_name(cl), cl->rst_pkt, secs(c->hs_ack_ts, cl->rst_ts) * 1e3);
		break;
	}
}

/* SO_LINGER's time is in whole seconds: a RST sooner after the FIN is no
 * linger timeout. */
static const uint64_t LINGER_MIN_NS = 1000000000u;

static void check_giveup(struct check *k, const struct close_verdict *v)
{
	uint64_t pkts[FINDING_PKTS_MAX];

	for (int x = 0; x < 2; x++) {
		const struct tcp_endpoint *me = &k->c->ep[x], *peer = &k->c->ep[!x];
		/* The premise: the data and the FIN were never acknowledged,
		 * and a RST came only after close() could have waited the
		 * linger time (whole seconds), not in answer to the peer's data
		 * (rst-on-data-after-close's case: one RST, one diagnosis). */
		bool never_acked = !me->fin_acked && peer->ack_known &&
				   seq_leq(peer->last_ack, me->fin_unacked_seq);
		bool linger_rst = me->rsts && me->rst_pkt > me->fin_pkt &&
				  me->rst_ts >= me->fin_ts && me->rst_ts - me->fin_ts >= LINGER_MIN_NS &&
				  rst_unread(me) == 0;
		struct finding *fd;
		unsigned n = 0;

		if (me->fin_unacked_pkt != 0 && never_acked &&
		    (tcp_endpoint_gave_up(me) || linger_rst) &&
		    (fd = found(k, RULE_LINGER_TIMEOUT, x)) != NULL) {
			evidence(fd, me->fin_unacked_pkt);
			evidence(fd, me->fin_pkt);
			if (linger_rst)
				evidence(fd, me->rst_pkt);
			say(fd, "the %s sent its FIN (packet %" PRIu64 ") with data still "
				"unacknowledged (from packet %" PRIu64 "), and neither was ever "
				"acknowledged; ",
			    who(k, x), me->fin_pkt, me->fin_unacked_pkt);
			if (linger_rst)
				say(fd, "%.3f s after the FIN it reset the connection (packet %" PRIu64
					"), as SO_LINGER {1, t} does on BSD and Windows when t runs out: "
					"the data was discarded",
				    secs(me->fin_ts, me->rst_ts), me->rst_pkt);
			else
				say(fd, "it retransmitted and gave up without a RST, as Linux does "
					"for an orphaned socket whether or not SO_LINGER {1, t} made "
					"close() wait: the data was lost");
			{
				uint32_t len = me->fin_seq - me->fin_unacked_seq;
				const char *bye = me->una_seq == me->fin_unacked_seq
							  ? goodbye_name(me->una_head, me->una_head_len, len)
							  : NULL;

				if (bye != NULL) {
					say(fd, "; the bytes are %s, a goodbye, not application data",
					    bye);
					fd->severity = SEV_INFO;
				}
			}
			if (peer->fin_seen && peer->fin_pkt < me->fin_pkt &&
			    peer->last_pkt < me->fin_pkt) {
				/* A peer that had closed must still acknowledge
				 * (FIN_WAIT_1, FIN_WAIT_2): its silence says the
				 * segments never reached its TCP, or it is gone;
				 * the capture cannot tell which. */
				say(fd, "; the %s, which had sent its own FIN (packet %" PRIu64
					"), never answered again, so the segments may not have "
					"reached its TCP at all",
				    who(k, !x), peer->fin_pkt);
				fd->confidence = CONF_LOW;
			}
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
		    peer->last_ts > me->last_fin_ts && /* later in time, not only in the file */
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
		/* a FIN at the SYN's own seq before the handshake is an
		 * abandoned connect (the record says so), not a FIN behind data */
		if ((moved != NULL || (seq_lt(fin->a, fin->b) && !me->fin_before_handshake)) &&
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
		char t[DURATION_MAX];

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
				"), longer than the close-wait threshold of %s",
			    who(k, y), who(k, !y), peer->fin_ack_pkt, secs(since, until),
			    me->fin_pkt, duration(k->cfg->close_wait_ns, t));
		} else if (rst != 0) {
			if (answers_probe)
				evidence(fd, me->keepalive_pkt);
			evidence(fd, rst);
			say(fd, "the %s's kernel acknowledged the %s's FIN (packet %" PRIu64 ") but "
				"its application never closed: %.3f s later, %s the close-wait "
				"threshold of %s, the connection was still in CLOSE_WAIT when "
				"the %s's RST (packet %" PRIu64 ") ended it%s",
			    who(k, y), who(k, !y), peer->fin_ack_pkt, secs(since, until),
			    late ? "longer than" : "below", duration(k->cfg->close_wait_ns, t),
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
				say(fd, "; that is below the close-wait threshold of %s, so "
					"the application may still close it",
				    duration(k->cfg->close_wait_ns, t));
			}
		}
	}
}

static void check_time_wait(struct check *k)
{
	const struct flow *f = k->f;
	const struct tcp_conn *c = k->c;
	struct finding *fd;
	char t[DURATION_MAX];

	for (int x = 0; x < 2; x++) {
		const struct tcp_endpoint *me = &c->ep[x];

		if (me->tw_rst_pkt == 0 || (fd = found(k, RULE_TIME_WAIT_ASSASSINATION, x)) == NULL)
			continue;
		evidence(fd, me->tw_rst_pkt);
		say(fd, "a RST from the %s (packet %" PRIu64 ") reached the %s while it held "
			"TIME_WAIT; Linux ends TIME_WAIT on it unless net.ipv4.tcp_rfc1337=1",
		    who(k, !x), me->tw_rst_pkt, who(k, x));
	}
	if (!c->reuse.known || c->mid_stream)
		return;
	for (int x = 0; x < 2; x++) {
		const struct tcp_endpoint *cl = &c->ep[0], *sv = &c->ep[1];
		const char *answer;

		if (c->reuse.state[x] != TCPS_TIME_WAIT)
			continue;
		if ((fd = found(k, RULE_TIME_WAIT_REUSE, x)) == NULL)
			return;
		evidence(fd, cl->first_pkt);
		evidence(fd, sv->first_pkt);
		say(fd, "the SYN (packet %" PRIu64 ") reuses the 4-tuple of connection %" PRIu64
			" %.3f s after the %s entered TIME_WAIT (%s %s%s); its "
			"ISN %" PRIu32 " is %s the old connection's last client seq %" PRIu32,
		    cl->first_pkt, f->prev_id, secs(c->reuse.state_ts[x], f->first_ts), who(k, x),
		    duration(k->cfg->time_wait_ns, t), k->cfg->time_wait_set ? "as configured" : "on ",
		    k->cfg->time_wait_set ? "" : k->cfg->profile->name,
		    cl->isn, seq_gt(cl->isn, c->reuse.snd_nxt[0]) ? "beyond" : "not beyond",
		    c->reuse.snd_nxt[0]);
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
		if (me->rst_ignored_syn_sent && peer->isn_known)
			say(fd, "the RST from the %s (packet %" PRIu64 ") reached the %s in SYN_SENT "
				"acking %" PRIu32 ", not the SYN's seq + 1 (%" PRIu32 "), so it was "
				"ignored (RFC 9293 3.10.7.3) and the connection went on, up to packet %"
				PRIu64 "; a RST that does not acknowledge the SYN it answers was most "
				"likely forged by a device in the path",
			    who(k, x), me->rst_ignored_pkt, who(k, !x), me->rst_ignored_ack,
			    peer->isn + 1, peer->last_pkt);
		else
			say(fd, "the RST from the %s (packet %" PRIu64 ") carries a seq outside what "
				"the %s would accept, so it was ignored (RFC 5961) and the connection "
				"went on, up to packet %" PRIu64,
			    who(k, x), me->rst_ignored_pkt, who(k, !x), peer->last_pkt);
	}
}

/* A RST whose TTL no other packet of its claimed sender has. */
static void check_middlebox(struct check *k)
{
	const struct tcp_conn *c = k->c;
	int x = classify_resetter(c);
	const struct tcp_endpoint *me;
	bool data;
	struct finding *fd;

	if (x < 0 || !tcp_endpoint_rst_forged(&c->ep[x]) ||
	    (fd = found(k, RULE_MIDDLEBOX_RESET, x)) == NULL)
		return;
	me = &c->ep[x];
	data = me->data_ttl_n >= 2;
	evidence(fd, me->rst_accept_pkt);
	fd->confidence = CONF_MEDIUM;
	say(fd, "the RST in the %s's name (packet %" PRIu64 ") has %s %u, unlike every %s of the "
		"%s (%s %u",
	    who(k, x), me->rst_accept_pkt, k->f->family == 6 ? "hop limit" : "TTL", me->rst_ttl,
	    data ? "data segment" : "other packet", who(k, x),
	    k->f->family == 6 ? "hop limit" : "TTL", data ? me->data_ttl_min : me->ttl_min);
	if ((data ? me->data_ttl_max : me->ttl_max) != (data ? me->data_ttl_min : me->ttl_min))
		say(fd, " to %u", data ? me->data_ttl_max : me->ttl_max);
	say(fd, " over %" PRIu32 " packets)", data ? me->data_ttl_n : me->ttl_n);
	if (data && me->rst_ttl >= me->ttl_min && me->rst_ttl <= me->ttl_max)
		say(fd, ", though some of its packets without data had TTLs up to %u: a device "
			"that also speaks for it (a SYN proxy) is in the path",
		    me->ttl_max);
	if (k->f->family == 4)
		say(fd, "; its IP ID is %u, the %s's previous packet had %u", me->rst_ip_id, who(k, x),
		    me->rst_prev_ip_id);
	say(fd, ": a firewall, load balancer or IDS between the capture point and the %s most "
		"likely sent it (an idle or policy reset), not the %s's application",
	    who(k, x), who(k, x));
}

/* The text a RST carries, quoted: it often names the reset's cause. */
static void check_rst_payload(struct check *k)
{
	for (int x = 0; x < 2; x++) {
		const struct tcp_endpoint *me = &k->c->ep[x];
		char text[4 * TCP_RST_EXCERPT_MAX + 1];
		struct finding *fd;

		if (me->rst_data_pkt == 0 || (fd = found(k, RULE_RST_WITH_PAYLOAD, x)) == NULL)
			continue;
		escape_bytes(me->rst_excerpt, me->rst_excerpt_len, text, sizeof text);
		evidence(fd, me->rst_data_pkt);
		say(fd, "the RST from the %s (packet %" PRIu64 ") carries %" PRIu32 " %s: '%s'%s",
		    who(k, x), me->rst_data_pkt, me->rst_data_len,
		    me->rst_data_len == 1 ? "byte" : "bytes", text,
		    me->rst_data_len > me->rst_excerpt_len ? "..." : "");
		say(fd, "; RFC 9293 lets a RST carry data, and a text there usually names who "
			"refused the connection and why");
		return;
	}
}

/* Capture duplicates (one packet captured twice) seen in this connection.
 * Hook: the engine's per-connection duplicate count goes here once it
 * exists; until then none are known. */
static uint32_t capture_duplicates(const struct tcp_conn *c)
{
	return c->ep[0].copies + c->ep[1].copies;
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
				 "captured more than once (left out of the analysis)", dups);
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
		if (c->ep[0].shift_known || c->ep[1].shift_known)
			say(fd, " (the capture holds every packet twice, once with shifted sequence "
				"numbers: it saw both sides of a device that rewrites them; the "
				"analysis follows one copy)");
		/* a probe has no handshake by nature: nothing is missing */
		if (c->mid_stream && fd->rule != RULE_SCAN_PROBE)
			lower(fd, CONF_LOW, "the capture began mid-connection, so the roles and "
					    "earlier history are not known");
		if (k->f->finished_early)
			lower(fd, CONF_MEDIUM, "finished early by --max-memory: later packets of "
					       "this connection, if any, are not in its record");
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
	check_probe(&k, v);
	check_resets(&k, v);
	check_giveup(&k, v);
	check_final_ack(&k);
	check_fin_acks(&k);
	check_fin_seq(&k);
	check_close_wait(&k);
	check_time_wait(&k);
	check_ignored_rst(&k);
	check_rst_payload(&k);
	check_middlebox(&k);
	caveats(&k);
	for (unsigned i = 0; i < out->n; i++)
		qsort(out->f[i].pkts, out->f[i].npkts, sizeof out->f[i].pkts[0], cmp_pkt);
	qsort(out->f, out->n, sizeof out->f[0], cmp_finding);
}
