/* html-ladder: the SVG ladder.  Laid out in two passes: first every row's
 * height (a packet, a pause, the earlier packets left out), then the
 * drawing, so that the two lines can be broken where a band is. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "html-ladder.h"

/* Geometry in SVG user units (CSS pixels at 100 %). */
enum {
	WIDTH = 840,
	X_PKT = 52,     /* right edge of the packet numbers */
	X_TIME = 150,   /* right edge of the times */
	X_LEFT = 262,   /* the client's line */
	X_RIGHT = 622,  /* the server's line */
	X_TAG = 738,    /* the evidence column */
	STATE_GAP = 8,  /* between a line and the states beside it */
	CAP_INSET = 26, /* the capture point's line, inside a host's */
	HEAD = 64,      /* labels above the lines */
	ROW = 32,       /* one packet */
	SLOPE = 10,     /* how far an arrow falls on its way: it takes time */
	BAND = 30,      /* a break: a pause, or packets left out */
	FOOT = 10,
	HEAD_LEN = 9,   /* the arrowhead */
};

static const char *const INK = "#222";
static const char *const FAINT = "#777";
static const char *const CAPTURE_INK = "#6a4fb0";

/* An evidence colour per severity (enum severity): dark enough to read
 * in print, told apart by hue on screen and by the tag in grey. */
static const char *severity_ink(unsigned sev)
{
	return sev == SEV_ERROR ? "#b71c1c" : sev == SEV_WARNING ? "#a85400" : "#1a5fb4";
}

/* Text not made here (endpoints, state and role names come from the
 * builder): escaped, as everything else in the page is. */
static void put_text(FILE *out, const char *s)
{
	escape_markup_put(out, s);
}

/* The findings citing pkt: their codes, comma-separated, into tags, and
 * the highest severity among them; -1 when none cites it. */
static int evidence_of(const struct conn_report *c, uint64_t pkt, char *tags, size_t size)
{
	int sev = -1;
	size_t n = 0;

	tags[0] = '\0';
	for (unsigned i = 0; i < c->finding_count && i < RULE_COUNT; i++) {
		const struct conn_finding *fd = &c->findings[i];

		for (unsigned k = 0; k < fd->npkts && k < FINDING_PKTS_MAX; k++) {
			if (fd->pkts[k] != pkt)
				continue;
			if ((int)fd->severity > sev)
				sev = fd->severity;
			if (fd->rule != NULL && n < size) {
				int w = snprintf(tags + n, size - n, "%s%s", n > 0 ? "," : "",
						 fd->rule->code);
				n = w < 0 ? size : n + (size_t)w;
			}
			break;
		}
	}
	return sev;
}

/* A duration for a person: "4.000 s", "12 min 5 s", "3 h 20 min". */
static void duration_words(uint64_t ns, char *buf, size_t size)
{
	uint64_t s = ns / 1000000000u;

	if (s < 60)
		snprintf(buf, size, "%.3f s", (double)ns / 1e9);
	else if (s < 3600)
		snprintf(buf, size, "%" PRIu64 " min %" PRIu64 " s", s / 60, s % 60);
	else
		snprintf(buf, size, "%" PRIu64 " h %" PRIu64 " min", s / 3600, s / 60 % 60);
}

/* Where the capture was taken, as an x on the drawing; 0 when unknown. */
static int capture_x(const char *point)
{
	if (point == NULL)
		return 0;
	if (strcmp(point, "near-client") == 0)
		return X_LEFT + CAP_INSET;
	if (strcmp(point, "near-server") == 0)
		return X_RIGHT - CAP_INSET;
	if (strcmp(point, "between") == 0)
		return (X_LEFT + X_RIGHT) / 2;
	return 0;
}

struct band {
	int top;     /* its y; it is BAND high */
	bool pause;  /* else: the packets left out */
	uint64_t ns; /* the pause's length */
};

struct layout {
	unsigned n;                    /* steps drawn */
	int y[CONN_STEPS_MAX];         /* where each packet leaves its sender */
	int band_before[CONN_STEPS_MAX]; /* the band drawn above it, or -1 */
	unsigned bands;
	struct band band[CONN_STEPS_MAX + 1];
	int bottom;
};

static void lay_out(const struct conn_report *c, struct layout *l)
{
	int y = HEAD;

	memset(l, 0, sizeof *l);
	l->n = c->step_count < CONN_STEPS_MAX ? c->step_count : CONN_STEPS_MAX;
	if (c->steps_left_out > 0) {
		l->band[l->bands++] = (struct band){ .top = y, .pause = false };
		y += BAND;
	}
	for (unsigned i = 0; i < l->n; i++) {
		/* signed: a capture's time may go backwards, which is no pause */
		int64_t gap = i > 0 ? (int64_t)(c->steps[i].ts - c->steps[i - 1].ts) : 0;

		l->band_before[i] = i == 0 && l->bands > 0 ? 0 : -1;
		if (gap >= (int64_t)HTML_LADDER_PAUSE_NS) {
			l->band_before[i] = (int)l->bands;
			l->band[l->bands++] = (struct band){ .top = y, .pause = true, .ns = (uint64_t)gap };
			y += BAND;
		}
		l->y[i] = y + 12;
		y += ROW;
	}
	l->bottom = y + FOOT;
}

/* One host's vertical line, broken at every band: dashed where packets
 * are left out, cut with an axis-break mark where time passes. */
static void lifeline(FILE *out, const struct layout *l, int x)
{
	int from = HEAD - 6;

	for (unsigned i = 0; i < l->bands; i++) {
		const struct band *b = &l->band[i];
		int mid = b->top + BAND / 2;

		if (b->pause) {
			fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
				     "stroke-width=\"2\"/>\n", x, from, x, mid - 4, INK);
			fprintf(out, "<path d=\"M%d %d l16 -6 M%d %d l16 -6\" stroke=\"%s\" "
				     "stroke-width=\"1.5\" fill=\"none\"/>\n",
				x - 8, mid - 1, x - 8, mid + 7, INK);
			from = mid + 4;
		} else {
			fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
				     "stroke-width=\"2\"/>\n", x, from, x, b->top + 4, INK);
			fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
				     "stroke-width=\"2\" stroke-dasharray=\"2 4\"/>\n",
				x, b->top + 4, x, b->top + BAND - 4, INK);
			from = b->top + BAND - 4;
		}
	}
	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
		     "stroke-width=\"2\"/>\n", x, from, x, l->bottom, INK);
}

/* The words in a band, written just before the packet below it so that
 * the document reads in the drawing's order. */
static void band_text(FILE *out, const struct conn_report *c, const struct band *b)
{
	int y = b->top + BAND / 2 + 4;
	char d[48];

	if (b->pause) {
		duration_words(b->ns, d, sizeof d);
		fprintf(out, "<text class=\"pause\" x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
			     "font-style=\"italic\" fill=\"%s\">pause %s</text>\n",
			(X_LEFT + X_RIGHT) / 2, y, INK, d);
	} else {
		fprintf(out, "<text class=\"left-out\" x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
			     "fill=\"%s\">\xe2\x8b\xae %" PRIu64 " earlier packet%s not drawn</text>\n",
			(X_LEFT + X_RIGHT) / 2, y, FAINT, c->steps_left_out,
			c->steps_left_out == 1 ? "" : "s");
	}
}

/* The label on an arrow: flags, seq, ack when the ACK flag is set, len
 * when there is payload. */
static void arrow_label(const struct conn_step *s, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s seq %" PRIu32, s->flags, s->seq);

	if (n > 0 && (size_t)n < size && strchr(s->flags, 'A') != NULL)
		n += snprintf(buf + n, size - (size_t)n, " ack %" PRIu32, s->ack);
	if (n > 0 && (size_t)n < size && s->len > 0)
		snprintf(buf + n, size - (size_t)n, " len %" PRIu32, s->len);
}

/* The two sides' states after step i, bold where this packet changed one. */
static void states(FILE *out, const struct conn_report *c, unsigned i, int y)
{
	for (unsigned side = 0; side < 2; side++) {
		const char *now = c->steps[i].state[side];
		const char *before = i > 0 ? c->steps[i - 1].state[side] : NULL;
		bool changed = before != NULL && now != NULL && strcmp(now, before) != 0;

		fprintf(out, "<text class=\"state%s\" x=\"%d\" y=\"%d\" text-anchor=\"%s\" "
			     "fill=\"%s\"%s>", changed ? " changed" : "",
			side == 0 ? X_LEFT - STATE_GAP : X_RIGHT + STATE_GAP, y,
			side == 0 ? "end" : "start", changed ? INK : FAINT,
			changed ? " font-weight=\"bold\"" : "");
		put_text(out, now);
		fputs("</text>\n", out);
	}
}

static void arrow(FILE *out, const struct conn_report *c, unsigned i, int y)
{
	const struct conn_step *s = &c->steps[i];
	int from = s->side == 0 ? X_LEFT : X_RIGHT, to = s->side == 0 ? X_RIGHT : X_LEFT;
	int dir = to > from ? 1 : -1, tip = y + SLOPE;
	char label[96], tags[96];
	int sev = evidence_of(c, s->pkt, tags, sizeof tags);
	const char *ink = sev >= 0 ? severity_ink((unsigned)sev) : INK;
	/* signed: a capture's time may go backwards */
	double t = (double)(int64_t)(s->ts - c->steps[0].ts) / 1e9;

	arrow_label(s, label, sizeof label);
	fprintf(out, "<g class=\"pkt%s\" data-pkt=\"%" PRIu64 "\" data-side=\"%u\"",
		sev >= 0 ? " evidence" : "", s->pkt, (unsigned)s->side);
	if (sev >= 0)
		fprintf(out, " data-rules=\"%s\"", tags);
	fprintf(out, ">\n<title>packet %" PRIu64 ", +%.6f s, from the ", s->pkt, t);
	put_text(out, c->side[s->side].role);
	fputs(": ", out);
	put_text(out, label);
	if (sev >= 0)
		fprintf(out, "; evidence of %s", tags);
	fputs("</title>\n", out);
	fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"%s\"%s>%" PRIu64 "</text>\n",
		X_PKT, y + 4, ink, sev >= 0 ? " font-weight=\"bold\"" : "", s->pkt);
	fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"%s\">%+.6f</text>\n",
		X_TIME, y + 4, FAINT, t);
	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
		     "stroke-width=\"%s\"/>\n", from, y, to - dir * HEAD_LEN, tip, ink,
		sev >= 0 ? "3" : "1.5");
	fprintf(out, "<polygon points=\"%d,%d %d,%d %d,%d\" fill=\"%s\"/>\n", to, tip,
		to - dir * (HEAD_LEN + 2), tip - 5, to - dir * (HEAD_LEN + 2), tip + 5, ink);
	/* a white halo keeps the label readable where it crosses a line */
	fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\" stroke=\"#fff\" "
		     "stroke-width=\"4\" paint-order=\"stroke\"%s>",
		(X_LEFT + X_RIGHT) / 2, y - 3, ink,
		sev >= 0 ? " font-weight=\"bold\"" : "");
	put_text(out, label);
	fputs("</text>\n", out);
	if (sev >= 0)
		fprintf(out, "<text class=\"tag\" x=\"%d\" y=\"%d\" fill=\"%s\" "
			     "font-weight=\"bold\">%s</text>\n", X_TAG, y + 4, ink, tags);
	fputs("</g>\n", out);
	states(out, c, i, tip + 4);
}

static void heading(FILE *out, const struct conn_report *c, int cap)
{
	for (unsigned side = 0; side < 2; side++) {
		int x = side == 0 ? X_LEFT : X_RIGHT;

		fprintf(out, "<text x=\"%d\" y=\"16\" text-anchor=\"middle\" font-weight=\"bold\" "
			     "fill=\"%s\">", x, INK);
		put_text(out, c->side[side].role);
		fprintf(out, "</text>\n<text x=\"%d\" y=\"32\" text-anchor=\"middle\" fill=\"%s\">", x,
			INK);
		put_text(out, c->end[side].text);
		fputs("</text>\n", out);
	}
	fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"%s\">packet</text>\n"
		     "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"%s\">seconds</text>\n",
		X_PKT, HEAD - 14, FAINT, X_TIME, HEAD - 14, FAINT);
	if (cap > 0) {
		fprintf(out, "<text class=\"capture-point\" x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
			     "fill=\"%s\">\xe2\x97\x89 capture point, ", cap, HEAD - 14, CAPTURE_INK);
		put_text(out, c->capture_point_words);
		fputs("</text>\n", out);
	}
}

/* The evidence the drawing does not show: packets before the first
 * kept one, or after the last. */
static void caption(FILE *out, const struct conn_report *c, const struct layout *l, int cap)
{
	const uint64_t first = c->steps[0].pkt, last = c->steps[l->n - 1].pkt;
	bool any = false;

	fprintf(out, "<figcaption>Connection %" PRIu64 ": ", c->id);
	if (c->steps_left_out > 0)
		fprintf(out, "its last %u packets (%" PRIu64 " before them, from packet %" PRIu64
			     ", not drawn)", l->n, c->steps_left_out, c->first_pkt);
	else
		fprintf(out, "all %u packets", l->n);
	fputs(c->steps[0].relative ? "; seq and ack relative to each side's first sequence "
				     "number, as tcpdump shows them" :
				     "; seq and ack absolute (the handshake was not captured)",
	      out);
	fprintf(out, "; states after each packet beside each line, bold where it changed; a "
		     "break marks a pause of %u s or more", HTML_LADDER_PAUSE_NS / 1000000000u);
	if (cap > 0)
		fputs("; \xe2\x97\x89 where the capture was taken, from the handshake's timing", out);
	else
		fputs("; where the capture was taken is unknown", out);
	for (unsigned i = 0; i < c->finding_count && i < RULE_COUNT; i++) {
		const struct conn_finding *fd = &c->findings[i];

		for (unsigned k = 0; k < fd->npkts && k < FINDING_PKTS_MAX; k++) {
			if (fd->pkts[k] >= first && fd->pkts[k] <= last)
				continue;
			fprintf(out, "%s%" PRIu64 " (%s)", any ? ", " : "; evidence not drawn: packet ",
				fd->pkts[k], fd->rule != NULL ? fd->rule->code : "?");
			any = true;
		}
	}
	fputs(".</figcaption>\n", out);
}

bool html_ladder_write(FILE *out, const struct conn_report *c)
{
	struct layout l;
	int cap;

	if (!c->steps_known || c->step_count == 0)
		return false;
	lay_out(c, &l);
	cap = capture_x(c->capture_point);
	fprintf(out, "<figure class=\"ladder\">\n<svg class=\"ladder\" "
		     "xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
		     "height=\"%d\" role=\"img\" font-family=\"monospace\" font-size=\"12\">\n",
		WIDTH, l.bottom + 4, WIDTH, l.bottom + 4);
	fprintf(out, "<title>Ladder diagram of connection %" PRIu64 "</title>\n", c->id);
	heading(out, c, cap);
	lifeline(out, &l, X_LEFT);
	lifeline(out, &l, X_RIGHT);
	if (cap > 0)
		fprintf(out, "<line class=\"capture-point\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
			     "stroke=\"%s\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n",
			cap, HEAD - 8, cap, l.bottom, CAPTURE_INK);
	for (unsigned i = 0; i < l.n; i++) {
		if (l.band_before[i] >= 0)
			band_text(out, c, &l.band[l.band_before[i]]);
		arrow(out, c, i, l.y[i]);
	}
	fputs("</svg>\n", out);
	caption(out, c, &l, cap);
	fputs("</figure>\n", out);
	return true;
}
