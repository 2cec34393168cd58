/* pair-html: the HTML page's two-point section (--pair), in the page's
 * own classes: the files and the clock as facts, then per matched
 * connection an article with its counts, the packets that did not cross
 * and the two-point findings, evidence from both files. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "decode.h"
#include "escape.h"
#include "pair.h"

/* Packets of one verdict listed per connection. */
enum { PAIR_HTML_PKTS = 50 };

static void put_tuple(FILE *out, const struct pair_conn *c)
{
	char a[PAIR_ENDPOINT_MAX], b[PAIR_ENDPOINT_MAX];

	pair_endpoint(c, 0, a, sizeof a);
	pair_endpoint(c, 1, b, sizeof b);
	fputs("<code>", out);
	escape_markup_put(out, a);
	fputs(" &gt; ", out);
	escape_markup_put(out, b);
	fputs("</code>", out);
}

static void put_seconds(FILE *out, int64_t ns)
{
	uint64_t a = ns < 0 ? (uint64_t)-ns : (uint64_t)ns;

	fprintf(out, "%s%" PRIu64 ".%06" PRIu64 " s", ns < 0 ? "-" : "", a / 1000000000,
		(a % 1000000000) / 1000);
}

static void put_frames(FILE *out, unsigned point, const uint64_t *f, unsigned n)
{
	if (n == 0)
		return;
	fprintf(out, "%s", pair_point_name(point));
	for (unsigned i = 0; i < n; i++)
		fprintf(out, "%s#%" PRIu64, i == 0 ? " " : ", ", f[i]);
}

static void put_verdict(FILE *out, const struct pair *p, const struct pair_match *m, unsigned v)
{
	unsigned shown = 0;

	if (m->count[v] == 0)
		return;
	fprintf(out, "<p class=\"meta\">%s between the points:</p>\n<ul>\n",
		v == PAIR_LOST ? "Lost" : "Appeared");
	for (unsigned pt = 0; pt < 2; pt++) {
		const struct pair_conn *c = &p->point[pt].conn[m->conn[pt]];

		for (uint32_t i = 0; i < c->n && shown < PAIR_HTML_PKTS; i++) {
			const struct pair_pkt *k = &c->pkt[i];
			unsigned dir = pt == 0 ? k->dir : (unsigned)(k->dir ^ m->flipped);
			char flags[9];

			if (k->verdict != v)
				continue;
			decode_flags_str(k->flags, flags);
			fprintf(out, "<li>%s #%" PRIu64 ": from the %s, <code>%s seq %" PRIu32
				     " ack %" PRIu32 " len %" PRIu32 "</code></li>\n",
				pair_point_name(pt), k->frame, dir == 0 ? "client" : "server", flags,
				pair_rel_seq(c, k), pair_rel_ack(c, k), k->len);
			shown++;
		}
	}
	if (m->count[v] > shown)
		fprintf(out, "<li>... and %" PRIu64 " more</li>\n", m->count[v] - shown);
	fputs("</ul>\n", out);
}

static void put_finding(FILE *out, const struct pair_finding *pf)
{
	const struct rule_info *ri = rule_info(pf->f.rule);
	const char *sev = severity_name(pf->f.severity);

	fprintf(out, "<li class=\"finding sev-%s\">\n<p><span class=\"sev\">%s</span> <code>%s</code>"
		     " (<a href=\"#rule-%s\">%s</a>) <span class=\"meta\">",
		sev, sev, ri->id, ri->code, ri->code);
	put_frames(out, 0, pf->f.pkts, pf->f.npkts);
	if (pf->f.npkts > 0 && pf->npkts_b > 0)
		fputs("; ", out);
	put_frames(out, 1, pf->pkts_b, pf->npkts_b);
	fprintf(out, "; %s confidence</span></p>\n<p class=\"message\">",
		confidence_name(pf->f.confidence));
	escape_markup_put(out, pf->f.message);
	fputs("</p>\n<p class=\"fix\"><b>Fix:</b> ", out);
	escape_markup_put(out, ri->hint);
	fputs("</p>\n</li>\n", out);
}

static void put_match(FILE *out, const struct pair *p, const struct pair_match *m, uint32_t n)
{
	const struct pair_conn *a = &p->point[0].conn[m->conn[0]];
	const struct pair_conn *b = &p->point[1].conn[m->conn[1]];
	unsigned worst = SEV_NEVER;

	for (unsigned i = 0; i < m->nfound; i++)
		if (worst == SEV_NEVER || m->found[i].f.severity > worst)
			worst = m->found[i].f.severity;
	fprintf(out, "<article class=\"pair-conn%s%s\" id=\"pair-%" PRIu32 "\">\n<h4>",
		worst < SEV_NEVER ? " sev-" : "", worst < SEV_NEVER ? severity_name(worst) : "", n);
	put_tuple(out, a);
	fputs("</h4>\n<dl class=\"facts\">\n", out);
	if (a->isn_known[0] && a->isn_known[1])
		fprintf(out, "<dt>ISNs</dt><dd>client %" PRIu32 ", server %" PRIu32 "</dd>\n", a->isn[0],
			a->isn[1]);
	if (m->translated || m->flipped) {
		fputs("<dt>At the server side</dt><dd>", out);
		put_tuple(out, b);
		fputs(m->translated ? " (translated between the points)" : "", out);
		fputs("</dd>\n", out);
	}
	fprintf(out, "<dt>Packets</dt><dd>client side %" PRIu32 ", server side %" PRIu32
		     ": crossed %" PRIu64 ", lost %" PRIu64 ", appeared %" PRIu64,
		a->n, b->n, m->count[PAIR_CROSSED], m->count[PAIR_LOST], m->count[PAIR_APPEARED]);
	if (m->count[PAIR_RESEGMENTED] > 0)
		fprintf(out, ", %" PRIu64 " resegmented (TSO/GSO or GRO)", m->count[PAIR_RESEGMENTED]);
	if (m->count[PAIR_OUTSIDE] > 0)
		fprintf(out, ", %" PRIu64 " while the other capture was not running",
			m->count[PAIR_OUTSIDE]);
	fputs("</dd>\n", out);
	if (m->clocked) {
		fputs("<dt>Handshake</dt><dd>offset ", out);
		put_seconds(out, m->offset_ns);
		fputs(", one-way delay ", out);
		put_seconds(out, m->delay_ns);
		fputs("</dd>\n", out);
	}
	fputs("</dl>\n", out);
	put_verdict(out, p, m, PAIR_LOST);
	put_verdict(out, p, m, PAIR_APPEARED);
	if (m->nfound > 0) {
		fputs("<ol class=\"findings\">\n", out);
		for (unsigned i = 0; i < m->nfound; i++)
			put_finding(out, &m->found[i]);
		fputs("</ol>\n", out);
	}
	fputs("</article>\n", out);
}

void pair_html_write(FILE *out, const struct pair *p)
{
	uint32_t only = 0;

	fputs("<section class=\"pair\" id=\"pair\">\n<h2>Two capture points</h2>\n"
	      "<dl class=\"facts\">\n", out);
	for (unsigned pt = 0; pt < 2; pt++) {
		const struct pair_point *x = &p->point[pt];

		fprintf(out, "<dt>%s</dt><dd><code>", pt == 0 ? "Client side" : "Server side");
		escape_markup_put(out, x->path);
		fprintf(out, "</code>: %" PRIu64 " TCP packets, %" PRIu32 " connection%s%s</dd>\n",
			x->packets, x->n, x->n == 1 ? "" : "s",
			x->read_error ? " (not read whole)" : "");
	}
	fputs("<dt>Clock</dt><dd>", out);
	if (p->clocked > 0) {
		fputs("the server side's clock reads ", out);
		put_seconds(out, p->offset_ns);
		fputs(" ahead of the client side's, one-way delay ", out);
		put_seconds(out, p->delay_ns);
		fprintf(out, " (medians of %u handshake%s seen at both points)", p->clocked,
			p->clocked == 1 ? "" : "s");
	} else {
		fputs("no handshake seen at both points; the clocks are taken to agree", out);
	}
	fprintf(out, "</dd>\n<dt>Connections</dt><dd>%" PRIu32 " matched, %" PRIu32
		     " at the client side only, %" PRIu32 " at the server side only</dd>\n</dl>\n",
		p->nmatch, p->only[0], p->only[1]);
	for (uint32_t i = 0; i < p->nmatch; i++)
		put_match(out, p, &p->match[i], i + 1);
	for (unsigned pt = 0; pt < 2; pt++)
		for (uint32_t i = 0; i < p->point[pt].n; i++) {
			const struct pair_conn *c = &p->point[pt].conn[i];

			if (c->match != PAIR_NONE)
				continue;
			if (only++ == 0)
				fputs("<p class=\"meta\">Seen at one point only:</p>\n<ul>\n", out);
			fprintf(out, "<li>%s: ", pair_point_name(pt));
			put_tuple(out, c);
			fprintf(out, ", %" PRIu32 " packet%s from #%" PRIu64 "</li>\n", c->n,
				c->n == 1 ? "" : "s", c->pkt[0].frame);
		}
	if (only > 0)
		fputs("</ul>\n", out);
	fputs("</section>\n", out);
}
