/* pair-text: the text report's two-point section (--pair): the files,
 * the clock, and per matched connection its counts, the packets that
 * did not cross and the two-point findings with evidence from both files. */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "decode.h"
#include "escape.h"
#include "pair.h"
#include "wrap.h"

/* Packets of one verdict listed per connection before "... and N more". */
enum { PAIR_TEXT_PKTS = 20 };

static void print_tuple(FILE *out, const struct pair_conn *c)
{
	char a[PAIR_ENDPOINT_MAX], b[PAIR_ENDPOINT_MAX];

	pair_endpoint(c, 0, a, sizeof a);
	pair_endpoint(c, 1, b, sizeof b);
	fprintf(out, "%s > %s", a, b);
}

static void print_seconds(FILE *out, int64_t ns)
{
	uint64_t a = ns < 0 ? (uint64_t)-ns : (uint64_t)ns;

	fprintf(out, "%s%" PRIu64 ".%06" PRIu64 " s", ns < 0 ? "-" : "", a / 1000000000,
		(a % 1000000000) / 1000);
}

static void print_frames(FILE *out, unsigned point, const uint64_t *f, unsigned n)
{
	if (n == 0)
		return;
	fprintf(out, "%s", pair_point_name(point));
	for (unsigned i = 0; i < n; i++)
		fprintf(out, " #%" PRIu64, f[i]);
}

/* The packets of one verdict, at both points. */
static void print_verdict(FILE *out, const struct pair *p, const struct pair_match *m, unsigned v)
{
	unsigned shown = 0;
	uint64_t total = m->count[v];

	for (unsigned pt = 0; pt < 2; pt++) {
		const struct pair_conn *c = &p->point[pt].conn[m->conn[pt]];

		for (uint32_t i = 0; i < c->n && shown < PAIR_TEXT_PKTS; i++) {
			const struct pair_pkt *k = &c->pkt[i];
			unsigned dir = pt == 0 ? k->dir : (unsigned)(k->dir ^ m->flipped);
			char flags[9];

			if (k->verdict != v)
				continue;
			decode_flags_str(k->flags, flags);
			fprintf(out, "    %-9s %s #%" PRIu64 ": from the %s, %s seq %" PRIu32
				     " ack %" PRIu32 " len %" PRIu32 "\n",
				pair_verdict_name(v), pair_point_name(pt), k->frame,
				dir == 0 ? "client" : "server", flags, pair_rel_seq(c, k),
				pair_rel_ack(c, k), k->len);
			shown++;
		}
	}
	if (total > shown)
		fprintf(out, "    ... and %" PRIu64 " more %s\n", total - shown, pair_verdict_name(v));
}

static void print_finding(FILE *out, const struct pair_finding *pf)
{
	const struct rule_info *ri = rule_info(pf->f.rule);

	fprintf(out, "    %s %s (%s), confidence %s\n", severity_name(pf->f.severity), ri->id,
		ri->code, confidence_name(pf->f.confidence));
	fputs("      ", out);
	wrap_text(out, pf->f.message, 6, 8, 79);
	fputc('\n', out);
	fputs("      evidence: ", out);
	print_frames(out, 0, pf->f.pkts, pf->f.npkts);
	if (pf->f.npkts > 0 && pf->npkts_b > 0)
		fputs("; ", out);
	print_frames(out, 1, pf->pkts_b, pf->npkts_b);
	fputc('\n', out);
	fprintf(out, "      fix: %s (finlint --explain %s)\n", ri->hint, ri->code);
}

static void print_match(FILE *out, const struct pair *p, const struct pair_match *m)
{
	const struct pair_conn *a = &p->point[0].conn[m->conn[0]];
	const struct pair_conn *b = &p->point[1].conn[m->conn[1]];

	fputs("  connection ", out);
	print_tuple(out, a);
	if (a->isn_known[0] && a->isn_known[1])
		fprintf(out, ", ISNs %" PRIu32 " and %" PRIu32, a->isn[0], a->isn[1]);
	fputc('\n', out);
	if (m->translated || m->flipped) {
		fputs("    at the server side: ", out);
		print_tuple(out, b);
		fputs(m->translated ? " (translated between the points)\n" : "\n", out);
	}
	fprintf(out, "    packets: client side %" PRIu32 ", server side %" PRIu32 "; crossed %" PRIu64
		     ", lost %" PRIu64 ", appeared %" PRIu64,
		a->n, b->n, m->count[PAIR_CROSSED], m->count[PAIR_LOST], m->count[PAIR_APPEARED]);
	if (m->count[PAIR_RESEGMENTED] > 0)
		fprintf(out, ", %" PRIu64 " resegmented (TSO/GSO or GRO)", m->count[PAIR_RESEGMENTED]);
	if (m->count[PAIR_OUTSIDE] > 0)
		fprintf(out, ", %" PRIu64 " while the other capture was not running",
			m->count[PAIR_OUTSIDE]);
	fputc('\n', out);
	if (m->clocked) {
		fputs("    handshake: offset ", out);
		print_seconds(out, m->offset_ns);
		fputs(", one-way delay ", out);
		print_seconds(out, m->delay_ns);
		fputc('\n', out);
	}
	print_verdict(out, p, m, PAIR_LOST);
	print_verdict(out, p, m, PAIR_APPEARED);
	for (unsigned i = 0; i < m->nfound; i++)
		print_finding(out, &m->found[i]);
}

/* Whether a matched connection has something to show: a packet that did
 * not cross, or a finding. */
static bool eventful(const struct pair_match *m)
{
	return m->nfound > 0 || m->count[PAIR_LOST] > 0 || m->count[PAIR_APPEARED] > 0 ||
	       m->count[PAIR_OUTSIDE] > 0 || m->count[PAIR_RESEGMENTED] > 0;
}

void pair_text_write(FILE *out, const struct pair *p, bool all)
{
	uint32_t whole = 0, listed = 0, translated = 0;

	fputs("\ntwo capture points (--pair)\n", out);
	for (unsigned pt = 0; pt < 2; pt++) {
		const struct pair_point *x = &p->point[pt];

		char *e = escape_text(x->path);

		fprintf(out, "  %s: %s", pair_point_name(pt), e);
		free(e);
		fprintf(out, ", %" PRIu64 " TCP packets, %" PRIu32 " connection%s%s\n", x->packets,
			x->n, x->n == 1 ? "" : "s", x->read_error ? " (not read whole)" : "");
	}
	if (p->clocked > 0) {
		fputs("  clock: the server side's clock reads ", out);
		print_seconds(out, p->offset_ns);
		fputs(" ahead of the client side's,\n    one-way delay ", out);
		print_seconds(out, p->delay_ns);
		fprintf(out, " (medians of %u handshake%s seen at both points)\n", p->clocked,
			p->clocked == 1 ? "" : "s");
		if (p->delay_ns < 0)
			fputs("  the delay is negative: the second file looks nearer the clients "
			      "(--pair takes the client side first)\n", out);
	} else {
		fputs("  clock: no handshake seen at both points; the clocks are taken to agree\n",
		      out);
	}
	for (uint32_t i = 0; i < p->nmatch; i++) {
		if (all || eventful(&p->match[i])) {
			print_match(out, p, &p->match[i]);
		} else {
			whole++;
			translated += p->match[i].translated;
		}
	}
	if (whole > 0) {
		fprintf(out, "  %" PRIu32 " %s crossed whole, every packet seen at both points",
			whole, whole == 1 ? "connection" : "connections");
		if (translated > 0)
			fprintf(out, "\n    (%" PRIu32 " of them translated by a NAT between the points)",
				translated);
		fputs("\n    (--flows all lists them)\n", out);
	}
	for (unsigned pt = 0; pt < 2; pt++) {
		const struct pair_point *x = &p->point[pt];

		for (uint32_t i = 0; i < x->n; i++) {
			if (x->conn[i].match != PAIR_NONE)
				continue;
			if (++listed > PAIR_TEXT_PKTS && !all)
				continue;
			fprintf(out, "  seen at the %s only: ", pair_point_name(pt));
			print_tuple(out, &x->conn[i]);
			fprintf(out, ", %" PRIu32 " packet%s from #%" PRIu64 "\n", x->conn[i].n,
				x->conn[i].n == 1 ? "" : "s", x->conn[i].pkt[0].frame);
		}
	}
	if (listed > PAIR_TEXT_PKTS && !all)
		fprintf(out, "  ... and %" PRIu32 " more seen at one point only (--flows all lists "
			     "them)\n", listed - PAIR_TEXT_PKTS);
	fprintf(out, "  %" PRIu32 " connection%s matched, %" PRIu32 " at the client side only, %" PRIu32
		     " at the server side only\n",
		p->nmatch, p->nmatch == 1 ? "" : "s", p->only[0], p->only[1]);
}
