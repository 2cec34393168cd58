/* rules: check a finished connection: run the rules, lower the confidence
 * of findings that rest on packets the capture did not show, and order
 * the findings by their first evidence packet.  The checks are in the
 * family files (rules-close.c, rules-reset.c, rules-fin.c,
 * rules-timer.c, rules-reuse.c), the finding builder in rules-finding.c. */
#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules-int.h"

static int cmp_pkt(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Capture duplicates (one packet captured twice) seen in this connection.
 * Hook: the engine's per-connection duplicate count goes here once it
 * exists; until then none are known. */
static uint32_t capture_duplicates(const struct tcp_conn *c)
{
	return c->ep[0].odd->copies + c->ep[1].odd->copies;
}

/* A side's FIN retransmissions were still going when the capture ended:
 * a give-up (FIN_WAIT_1, orphaned linger) rests on a silence not seen. */
static bool giveup_unseen(const struct tcp_conn *c, int side)
{
	const struct tcp_endpoint *ep = &c->ep[side];

	return side >= 0 && side <= 1 && ep->fin->count >= 2 && !ep->fin_acked && ep->rsts == 0 &&
	       !tcp_retries_stopped(ep->fin->prev_ts, ep->fin->last_ts, c->end_ts);
}

/* Capture caveats that make a finding rest on packets not seen: each
 * lowers the confidence and says why, the worst one deciding. */
static void caveats(struct check *k)
{
	const struct tcp_conn *c = k->c;
	uint32_t missed = c->ep[0].odd->gaps + c->ep[1].odd->gaps + c->ep[0].odd->acks_unseen +
			  c->ep[1].odd->acks_unseen;
	uint32_t dups = capture_duplicates(c);
	char why[160];

	for (unsigned i = 0; i < k->out->n; i++) {
		struct finding *fd = &k->out->f[i];

		if (missed > 0) {
			snprintf(why, sizeof why, "the capture point missed segments of this "
				 "connection (%" PRIu32 " gaps or acks for bytes never seen)", missed);
			rules_lower(fd, CONF_MEDIUM, why);
		}
		if (dups > 0) {
			snprintf(why, sizeof why, "%" PRIu32 " packets of this connection were "
				 "captured more than once (left out of the analysis)", dups);
			rules_lower(fd, CONF_MEDIUM, why);
		}
		if ((c->ep[0].packets == 0 || c->ep[1].packets == 0) &&
		    fd->rule != RULE_CONNECT_TIMEOUT)
			/* a connect timeout is the other side's silence itself */
			rules_lower(fd, CONF_LOW, "only one direction of the connection was captured");
		if ((fd->rule == RULE_FIN_WAIT1_GIVEUP || fd->rule == RULE_LINGER_TIMEOUT) &&
		    giveup_unseen(c, fd->side)) {
			char unseen[160];

			snprintf(unseen, sizeof unseen, "%s while the FIN was still being "
				 "retransmitted, so the give-up itself is not seen", rules_end_verb(c));
			rules_lower(fd, CONF_LOW, unseen);
		}
		if (c->ep[0].odd->shift_known || c->ep[1].odd->shift_known)
			rules_say(fd, " (the capture holds every packet twice, once with shifted "
				"sequence numbers: it saw both sides of a device that rewrites "
				"them; the analysis follows one copy)");
		/* a probe has no handshake by nature: nothing is missing */
		if (c->mid_stream && fd->rule != RULE_SCAN_PROBE)
			rules_lower(fd, CONF_LOW, "the capture began mid-connection, so the roles and "
					    "earlier history are not known");
		if (k->f->finished_early)
			rules_lower(fd, CONF_MEDIUM, "finished early by --max-memory: later packets of "
					       "this connection, if any, are not in its record");
	}
}

static int cmp_finding(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;
	uint64_t px = x->npkts ? x->pkts[0] : 0, py = y->npkts ? y->pkts[0] : 0;

	if (px != py)
		return px < py ? -1 : 1;
	if (x->rule != y->rule)
		return (int)x->rule - (int)y->rule;
	/* the order the checks ran in must not show */
	return (int)x->side - (int)y->side;
}

/* For each rule, the rule before it with the same check (RULE_COUNT: none):
 * several rules share one check, which runs once.  Found once, not per
 * connection (a scan over the rules before each was 5 % of a run). */
_Static_assert(RULE_COUNT < 256, "rule indexes fit a byte");
static uint8_t same_before[RULE_COUNT];
static pthread_once_t same_once = PTHREAD_ONCE_INIT;

static void find_same_before(void)
{
	for (unsigned i = 0; i < RULE_COUNT; i++) {
		same_before[i] = RULE_COUNT;
		for (unsigned j = i; j-- > 0;)
			if (rules_table[j]->check == rules_table[i]->check) {
				same_before[i] = (uint8_t)j;
				break;
			}
	}
}

/* Report whether an enabled rule before rule i shares its check, which
 * has then run already. */
static bool ran_before(const struct rule_config *cfg, unsigned i)
{
	for (unsigned j = same_before[i]; j < RULE_COUNT; j = same_before[j])
		if (cfg->enabled[j])
			return true;
	return false;
}

/* Run every rule on a finished connection. */
void rules_check(const struct rule_config *cfg, const struct flow *f, struct findings *out)
{
	struct check k = { .cfg = cfg, .f = f, .c = &f->conn, .v = &out->close, .out = out };

	out->close = classify_close(&f->conn);
	out->n = 0;
	pthread_once(&same_once, find_same_before);
	for (unsigned i = 0; i < RULE_COUNT; i++)
		if (cfg->enabled[i] && !ran_before(cfg, i))
			rules_table[i]->check(&k);
	caveats(&k);
	for (unsigned i = 0; i < out->n; i++)
		qsort(out->f[i].pkts, out->f[i].npkts, sizeof out->f[i].pkts[0], cmp_pkt);
	qsort(out->f, out->n, sizeof out->f[0], cmp_finding);
}
