/* rules-int: what the rule families (src/rules-*.c) share, private to the
 * rules module: the context of one connection's check, the finding
 * builder (rules-finding.c), and the checks, by family file. */
#ifndef FINLINT_RULES_INT_H
#define FINLINT_RULES_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "classify.h"
#include "finlint.h"
#include "flow.h"
#include "rules.h"

/* One finished connection being checked: the run's configuration, the
 * flow and its engine record, how it ended, and the findings so far. */
struct check {
	const struct rule_config *cfg;
	const struct flow *f;
	const struct tcp_conn *c;
	const struct close_verdict *v;
	struct findings *out;
};

/* A check reads the connection and adds findings of its rules. */
typedef void rules_check_fn(struct check *k);

/* One row of the rule table: what the rule is called and says, and the
 * check that finds it.  The rules of one diagnosis share a check (one
 * RST, one verdict among five rules): rules_check runs each check once. */
struct rule_row {
	struct rule_info info;
	rules_check_fn *check;
};

/* The rule table, indexed by enum rule_id (rules-catalogue.c). */
extern const struct rule_row *const rules_table[RULE_COUNT];

/* ---- the finding builder (rules-finding.c) ------------------------------ */

/* Start a finding of rule about side (0, 1, -1 for both), at the rule's
 * default severity and high confidence; NULL when the rule is disabled. */
struct finding *rules_found(struct check *k, unsigned rule, int side);

/* Add an evidence packet; 0, a repeat, or one past FINDING_PKTS_MAX is left out. */
void rules_evidence(struct finding *fd, uint64_t pkt);

/* Append to the finding's message; a message too long is cut, never overrun. */
void rules_say(struct finding *fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Lower a finding's confidence to conf and say why in its message. */
void rules_lower(struct finding *fd, unsigned conf, const char *why);

/* A timer as it was set, in seconds: "60 s", or with the decimals it
 * needs ("3.99 s" for --fin-timeout 3990ms), never rounded to another
 * value.  buf has room for DURATION_MAX bytes. */
enum { DURATION_MAX = 32 };
const char *rules_duration(uint64_t ns, char *buf);

/* The packets of events of one type sent by side dir (-1: either), in
 * order, at most max; return how many. */
unsigned rules_event_pkts(const struct tcp_conn *c, uint8_t type, int dir, uint64_t *pkts,
			  unsigned max);

/* The first event of a type sent by side dir (-1: either), or NULL; the
 * same after packet pkt (packets are numbered from 1). */
const struct tcp_event *rules_first_event(const struct tcp_conn *c, uint8_t type, int dir);
const struct tcp_event *rules_event_after(const struct tcp_conn *c, uint8_t type, int dir,
					  uint64_t pkt);

/* The round trip seen in the handshake, or a generous guess without one:
 * a peer's packet sent sooner after a FIN than this may have crossed it. */
uint64_t rules_round_trip(const struct tcp_conn *c);

/* Seconds from a to b, negative when b is earlier. */
/* How a record's end is named: the capture ended, or (end_at_leap) its
 * time jumped ahead further than any timer runs, where nothing could be
 * followed across. */
static inline const char *rules_end_verb(const struct tcp_conn *c)
{
	return c->end_at_leap ? "the capture's time jumped over an hour ahead" : "the capture ended";
}

static inline const char *rules_end_noun(const struct tcp_conn *c)
{
	return c->end_at_leap ? "the capture's jump of over an hour" : "the capture's end";
}

static inline double secs(uint64_t a, uint64_t b)
{
	return b >= a ? (double)(b - a) / 1e9 : -(double)(a - b) / 1e9;
}

/* A side of the connection being checked, in prose. */
static inline const char *who(const struct check *k, int side)
{
	return rules_side_name(k->f, side);
}

/* ---- readings of a RST record (rules-reset.c) --------------------------- */

/* The peer's bytes no ACK before the RST counted. */
uint32_t rules_rst_unread(const struct tcp_endpoint *me);

/* "RST|ACK" or "RST". */
const char *rules_rst_name(const struct tcp_endpoint *me);

/* ---- the checks: each may add findings of the rules it names ------------ */

/* rules-close.c: connection-refused, simultaneous-close, half-close, scan-probe */
void rules_refused(struct check *k);
void rules_simultaneous(struct check *k);
void rules_half_close(struct check *k);
void rules_probe(struct check *k);

/* rules-reset.c: the RST that ended the connection (rst-on-data-after-close,
 * rst-after-fin-wait2-timeout, socket-vanished, half-open, abortive-close),
 * rst-out-of-window, middlebox-reset, rst-with-payload */
void rules_resets(struct check *k);
void rules_ignored_rst(struct check *k);
void rules_middlebox(struct check *k);
void rules_rst_payload(struct check *k);

/* rules-fin.c: final-ack-lost; fin-ack-mismatch and final-ack-missing;
 * fin-seq-mismatch and data-after-fin */
void rules_final_ack(struct check *k);
void rules_fin_acks(struct check *k);
void rules_fin_seq(struct check *k);

/* rules-timer.c: linger-timeout and fin-wait1-giveup, connect-timeout,
 * last-ack-giveup, close-wait-stuck */
void rules_giveup(struct check *k);
void rules_connect_timeout(struct check *k);
void rules_last_ack_giveup(struct check *k);
void rules_close_wait(struct check *k);

/* rules-reuse.c: time-wait-assassination and time-wait-reuse;
 * syn-to-old-connection */
void rules_time_wait(struct check *k);
void rules_old_connection(struct check *k);

/* pair-rules.c: rst-injected-between, conntrack-idle-reset,
 * final-ack-lost-between and packet-lost-between need two capture
 * points (--pair); on one capture this finds nothing. */
void rules_two_points(struct check *k);

#endif
