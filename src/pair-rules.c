/* pair-rules: what only two capture points can tell, from the verdicts
 * of pair-match.c: a RST that an endpoint never sent (and the idle gap
 * that likely explains it), a final ACK and data segments lost between
 * the points.  The texts are the catalogue's (rules-catalogue.c); the
 * messages are built with the rule families' finding builder. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "finlint.h"
#include "pair.h"
#include "rules-int.h"

/* An idle gap this long before the packet a RST answers makes a
 * device's lost connection state the likely cause. */
#define PAIR_IDLE_RESET_NS (2 * NS_PER_S)

void rules_two_points(struct check *k)
{
	(void)k; /* one capture cannot tell where a packet was lost or made */
}

/* One matched connection being checked. */
struct pctx {
	const struct pair *p;
	struct pair_match *m;
	const struct pair_conn *c[2]; /* at the client side, at the server side */
	const struct rule_config *cfg;
};

static const char *side_name(unsigned side)
{
	return side == 0 ? "client" : "server";
}

/* The direction a packet at point pt goes: 0 from the client. */
static unsigned dir_of(const struct pctx *x, unsigned pt, const struct pair_pkt *k)
{
	return pt == 0 ? k->dir : (unsigned)(k->dir ^ x->m->flipped);
}

static struct pair_finding *found(struct pctx *x, unsigned rule, int side)
{
	struct pair_finding *pf;

	if (!x->cfg->enabled[rule] || x->m->nfound >= PAIR_FINDINGS_MAX)
		return NULL;
	/* most connections have none: room only for those that do */
	if (x->m->found == NULL)
		x->m->found = xcalloc(PAIR_FINDINGS_MAX, sizeof *x->m->found);
	pf = &x->m->found[x->m->nfound++];
	memset(pf, 0, sizeof *pf);
	pf->f.rule = (uint8_t)rule;
	pf->f.severity = rule_info(rule)->severity;
	pf->f.confidence = CONF_HIGH;
	pf->f.side = (int8_t)side;
	return pf;
}

/* Add a frame of point pt as evidence. */
static void evidence(struct pair_finding *pf, unsigned pt, uint64_t frame)
{
	if (pt == 0) {
		rules_evidence(&pf->f, frame);
		return;
	}
	if (frame == 0 || pf->npkts_b >= FINDING_PKTS_MAX)
		return;
	for (unsigned i = 0; i < pf->npkts_b; i++)
		if (pf->pkts_b[i] == frame)
			return;
	pf->pkts_b[pf->npkts_b++] = frame;
}

/* Say which packet k at point pt is: "client side #11 (ACK seq 1 ack 2)". */
static void say_pkt(struct pair_finding *pf, const struct pctx *x, unsigned pt,
		    const struct pair_pkt *k)
{
	char flags[9];

	decode_flags_str(k->flags, flags);
	rules_say(&pf->f, "%s #%" PRIu64 " (%s seq %" PRIu32 " ack %" PRIu32 " len %" PRIu32 ")",
		  pair_point_name(pt), k->frame, flags, pair_rel_seq(x->c[pt], k),
		  pair_rel_ack(x->c[pt], k), k->len);
}

/* The last packet at point pt sent in direction dir no later than t
 * (pt's clock), or NULL. */
static const struct pair_pkt *last_before(const struct pctx *x, unsigned pt, int dir, int64_t t)
{
	const struct pair_conn *c = x->c[pt];
	const struct pair_pkt *best = NULL;

	for (uint32_t i = 0; i < c->n && (int64_t)c->pkt[i].ts <= t; i++)
		if (dir < 0 || dir_of(x, pt, &c->pkt[i]) == (unsigned)dir)
			best = &c->pkt[i];
	return best;
}

/* A RST at one point that its claimed sender's point never saw; when it
 * answers the first packet after an idle gap, a device that forgot the
 * connection likely sent it. */
static void injected_rst(struct pctx *x)
{
	const struct pair_pkt *rst = NULL;
	unsigned pt = 0, n = 0;

	for (unsigned q = 0; q < 2; q++)
		for (uint32_t i = 0; i < x->c[q]->n; i++) {
			const struct pair_pkt *k = &x->c[q]->pkt[i];

			if (k->verdict != PAIR_APPEARED || !(k->flags & TCP_RST))
				continue;
			n++;
			if (rst == NULL || k->ts < rst->ts) {
				rst = k;
				pt = q;
			}
		}
	if (rst == NULL)
		return;

	unsigned from = dir_of(x, pt, rst); /* its claimed sender; its own point is `from` */
	int64_t there = pair_other_time(x->p, x->m, pt, from, rst->ts);
	const struct pair_pkt *own = last_before(x, from, (int)from, there);
	const struct pair_pkt *usual = NULL, *answers = NULL, *before = NULL;
	struct pair_finding *pf = found(x, RULE_RST_INJECTED_BETWEEN, (int)from);

	for (uint32_t i = 0; i < x->c[pt]->n; i++) {
		const struct pair_pkt *k = &x->c[pt]->pkt[i];

		if (k->ts > rst->ts)
			break;
		if (dir_of(x, pt, k) == from && !(k->flags & TCP_RST) && k->verdict == PAIR_CROSSED)
			usual = k;
	}
	if (pf != NULL) {
		rules_say(&pf->f, "the RST at ");
		say_pkt(pf, x, pt, rst);
		rules_say(&pf->f, " claims to come from the %s, but the %s capture (its own side) "
			  "holds no such RST: a device between the points sent it",
			  side_name(from), pair_point_name(from));
		evidence(pf, pt, rst->frame);
		if (own != NULL) {
			rules_say(&pf->f, "; the %s's last packet there before it was the one at ",
				  side_name(from));
			say_pkt(pf, x, from, own);
			evidence(pf, from, own->frame);
		}
		if (usual != NULL && usual->ttl != rst->ttl)
			rules_say(&pf->f, "; its TTL %u is not the %u of the %s's packets at the %s",
				  rst->ttl, usual->ttl, side_name(from), pair_point_name(pt));
		if (n > 1)
			rules_say(&pf->f, "; %u such RSTs in all", n);
		rules_say(&pf->f, "; the %s capture's findings on this RST are about that device, "
			  "not the %s", pair_point_name(pt), side_name(from));
	}

	/* the packet it answers: the receiver's last before it, at the
	 * receiver's own point (pt), and the one before that */
	for (uint32_t i = 0; i < x->c[pt]->n; i++) {
		const struct pair_pkt *k = &x->c[pt]->pkt[i];

		if (k == rst || k->ts > rst->ts)
			break;
		if (dir_of(x, pt, k) == pt && !(k->flags & TCP_RST)) {
			answers = k;
			before = i > 0 ? &x->c[pt]->pkt[i - 1] : NULL;
		}
	}
	if (answers == NULL || before == NULL || answers->ts - before->ts < PAIR_IDLE_RESET_NS)
		return;
	pf = found(x, RULE_CONNTRACK_IDLE_RESET, (int)from);
	if (pf == NULL)
		return;
	rules_say(&pf->f, "the connection was idle for %.3f s, then the %s sent the segment at ",
		  secs(before->ts, answers->ts), side_name(pt));
	say_pkt(pf, x, pt, answers);
	rules_say(&pf->f, "%s, and the RST at ",
		  answers->verdict == PAIR_LOST ? ", which never reached the other point" : "");
	say_pkt(pf, x, pt, rst);
	rules_say(&pf->f, " came back in the %s's name: a stateful firewall or NAT between the "
		  "points likely dropped the connection's state while it was idle",
		  side_name(from));
	evidence(pf, pt, before->frame);
	evidence(pf, pt, answers->frame);
	evidence(pf, pt, rst->frame);
	if (answers->verdict == PAIR_CROSSED)
		evidence(pf, !pt, x->c[!pt]->pkt[answers->peer].frame);
	pf->f.confidence = CONF_MEDIUM;
}

/* The first FIN side q sent, as its own point saw it. */
static const struct pair_pkt *first_fin(const struct pctx *x, unsigned q)
{
	for (uint32_t i = 0; i < x->c[q]->n; i++) {
		const struct pair_pkt *k = &x->c[q]->pkt[i];

		if (dir_of(x, q, k) == q && (k->flags & TCP_FIN))
			return k;
	}
	return NULL;
}

/* Side e's final ACK of q's FIN, lost between the points, and q's FIN
 * again at its own point. */
static void final_ack(struct pctx *x, unsigned e)
{
	unsigned q = !e;
	const struct pair_pkt *qfin = first_fin(x, q), *efin = first_fin(x, e);
	const struct pair_pkt *lost = NULL, *again = NULL;
	uint32_t fin_end;
	int64_t arrive;
	struct pair_finding *pf;

	if (qfin == NULL || efin == NULL)
		return;
	fin_end = qfin->seq + qfin->len + 1;
	for (uint32_t i = 0; i < x->c[e]->n && lost == NULL; i++) {
		const struct pair_pkt *k = &x->c[e]->pkt[i];

		if (dir_of(x, e, k) == e && (k->flags & TCP_ACK) && !(k->flags & TCP_RST) &&
		    seq_geq(k->ack, fin_end) && k->verdict == PAIR_LOST && k->ts >= efin->ts)
			lost = k;
	}
	if (lost == NULL)
		return;
	arrive = pair_other_time(x->p, x->m, e, e, lost->ts);
	for (uint32_t i = 0; i < x->c[q]->n && again == NULL; i++) {
		const struct pair_pkt *k = &x->c[q]->pkt[i];

		if (dir_of(x, q, k) != q)
			continue;
		/* an ACK of the FIN reached q first: the loss cost nothing */
		if ((int64_t)k->ts > arrive && (k->flags & TCP_FIN) && k->seq == qfin->seq)
			again = k;
	}
	if (again == NULL)
		return;
	for (uint32_t i = 0; i < x->c[q]->n; i++) {
		const struct pair_pkt *k = &x->c[q]->pkt[i];

		if (k->ts >= again->ts)
			break;
		if (dir_of(x, q, k) == e && (k->flags & TCP_ACK) && seq_geq(k->ack, fin_end))
			return; /* the FIN was acknowledged where q could see it */
	}
	pf = found(x, RULE_FINAL_ACK_LOST_BETWEEN, (int)e);
	if (pf == NULL)
		return;
	rules_say(&pf->f, "the %s's final ACK of the %s's FIN, at ", side_name(e), side_name(q));
	say_pkt(pf, x, e, lost);
	rules_say(&pf->f, ", never reached the %s, and the %s sent its FIN again: ",
		  pair_point_name(q), side_name(q));
	say_pkt(pf, x, q, again);
	rules_say(&pf->f, "; the ACK was lost in the network between the points");
	evidence(pf, q, qfin->frame);
	if (qfin->peer != PAIR_NONE)
		evidence(pf, e, x->c[e]->pkt[qfin->peer].frame);
	evidence(pf, e, lost->frame);
	evidence(pf, q, again->frame);
	if (again->peer != PAIR_NONE)
		evidence(pf, e, x->c[e]->pkt[again->peer].frame);
}

/* The first retransmission, at the sender's point s, of the sequence
 * number a lost segment began with. */
static const struct pair_pkt *repair(const struct pctx *x, unsigned s, const struct pair_pkt *lost)
{
	for (uint32_t i = 0; i < x->c[s]->n; i++) {
		const struct pair_pkt *k = &x->c[s]->pkt[i];
		uint32_t end = k->seq + k->len + ((k->flags & TCP_FIN) ? 1 : 0);

		if (k->ts <= lost->ts || k == lost || dir_of(x, s, k) != s || k->verdict != PAIR_CROSSED)
			continue;
		if (seq_leq(k->seq, lost->seq) && seq_gt(end, lost->seq))
			return k;
	}
	return NULL;
}

/* Side s's segments of data or FIN lost between the points. */
static void lost_data(struct pctx *x, unsigned s)
{
	struct pair_finding *pf = NULL;
	unsigned n = 0, repaired = 0;
	const struct pair_conn *c = x->c[s];

	for (uint32_t i = 0; i < c->n; i++) {
		const struct pair_pkt *k = &c->pkt[i], *r;

		if (k->verdict != PAIR_LOST || dir_of(x, s, k) != s ||
		    (k->len == 0 && !(k->flags & TCP_FIN)) || (k->flags & (TCP_RST | TCP_SYN)))
			continue;
		r = repair(x, s, k);
		n++;
		repaired += r != NULL;
		if (n == 1) {
			pf = found(x, RULE_PACKET_LOST_BETWEEN, (int)s);
			if (pf == NULL)
				return;
			rules_say(&pf->f, "the %s's segment at ", side_name(s));
			say_pkt(pf, x, s, k);
			rules_say(&pf->f, " never reached the %s", pair_point_name(!s));
			if (r != NULL) {
				rules_say(&pf->f, "; its retransmission at ");
				say_pkt(pf, x, s, r);
				rules_say(&pf->f, " crossed %.6f s later", secs(k->ts, r->ts));
			} else {
				rules_say(&pf->f, "; no retransmission of it crossed in these captures");
			}
		}
		if (n <= 3) {
			evidence(pf, s, k->frame);
			if (r != NULL) {
				evidence(pf, s, r->frame);
				evidence(pf, !s, x->c[!s]->pkt[r->peer].frame);
			}
		}
	}
	if (pf != NULL && n > 1)
		rules_say(&pf->f, "; %u of its segments were lost between the points, %u of them "
			  "retransmitted across", n, repaired);
}

void pair_rules_check(struct pair *p, const struct rule_config *cfg)
{
	for (uint32_t i = 0; i < p->nmatch; i++) {
		struct pair_match *m = &p->match[i];
		struct pctx x = { .p = p, .m = m, .cfg = cfg,
				  .c = { &p->point[0].conn[m->conn[0]], &p->point[1].conn[m->conn[1]] } };

		m->nfound = 0;
		injected_rst(&x);
		final_ack(&x, 0);
		final_ack(&x, 1);
		lost_data(&x, 0);
		lost_data(&x, 1);
		for (unsigned j = 0; j < m->nfound; j++) {
			struct pair_finding *pf = &m->found[j];

			/* ascending frames, as every finding's evidence */
			for (unsigned a = 1; a < pf->f.npkts; a++)
				for (unsigned b = a; b > 0 && pf->f.pkts[b - 1] > pf->f.pkts[b]; b--) {
					uint64_t t = pf->f.pkts[b];

					pf->f.pkts[b] = pf->f.pkts[b - 1];
					pf->f.pkts[b - 1] = t;
				}
			for (unsigned a = 1; a < pf->npkts_b; a++)
				for (unsigned b = a; b > 0 && pf->pkts_b[b - 1] > pf->pkts_b[b]; b--) {
					uint64_t t = pf->pkts_b[b];

					pf->pkts_b[b] = pf->pkts_b[b - 1];
					pf->pkts_b[b - 1] = t;
				}
		}
	}
}
