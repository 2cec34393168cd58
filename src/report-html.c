/* report-html: one self-contained HTML5 page for people who read a report
 * in a browser, attach it to a ticket or print it.  Inline CSS and inline
 * SVG only: no script, no web font, nothing fetched (a Content Security
 * Policy in the page says so to the browser too), every text escaped.
 *
 * Per capture file: its facts and caveats, two bar charts (connections by
 * close class, findings by rule), then the listed connections, each with
 * its verdict, its findings and its ladder (html-ladder.h).  A file's
 * facts are known only at its end, so its listed connections are kept
 * until then, rendered; at most HTML_LIST_MAX of them per file, the most
 * severe first, so that a capture of 100 000 connections still makes a
 * page a browser opens.  The rules the findings cite are explained once,
 * at the end, with the run's totals. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connreport.h"
#include "escape.h"
#include "filestats.h"
#include "finlint.h"
#include "html-chart.h"
#include "html-ladder.h"
#include "pair.h"
#include "report.h"
#include "rule-catalogue.h"

/* Connections drawn per capture file: each ladder is some 15 kB of SVG,
 * so 200 keep a page of a busy capture at a few megabytes. */
enum { HTML_LIST_MAX = 200 };

static const char *const CLOSE_INK = "#4a6f8a";

/* One listed connection, rendered. */
struct listed {
	uint64_t id;
	int rank; /* 1 + its highest severity not baselined; 0: none */
	char *html;
	size_t len;
};

struct html_state {
	bool started;
	/* the current file */
	uint64_t by_close[REPORT_CLOSE_MAX];
	uint64_t by_rule[RULE_COUNT];
	uint8_t rule_sev[RULE_COUNT]; /* the highest severity a finding of it had */
	uint64_t flagged, listable, not_listed;
	unsigned count;
	struct listed list[HTML_LIST_MAX];
};

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static const char *severity_ink(unsigned sev)
{
	return sev == SEV_ERROR ? "#b71c1c" : sev == SEV_WARNING ? "#a85400" : "#1a5fb4";
}

static void put(FILE *out, const char *s)
{
	escape_markup_put(out, s);
}

/* The page's style: readable on screen, and on paper without the
 * screen's colours and with no ladder or finding cut across two pages. */
static const char STYLE[] =
	"body{font-family:system-ui,sans-serif;color:#222;background:#fff;margin:0 auto;"
	"max-width:60rem;padding:1rem 1.5rem;line-height:1.4}\n"
	"h1{font-size:1.6rem;margin:0 0 .3rem}\n"
	"h2{font-size:1.3rem;border-bottom:2px solid #4a6f8a;padding-bottom:.2rem;margin-top:2rem;"
	"overflow-wrap:anywhere}\n"
	"h3{font-size:1.1rem;margin:1.4rem 0 .4rem}\n"
	"h4{font-size:1rem;margin:0 0 .4rem}\n"
	"code{font-family:monospace}\n"
	"dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.5rem 0}\n"
	"dl.facts dt{font-weight:bold}\n"
	"dl.facts dd{margin:0;overflow-wrap:anywhere}\n"
	"ul.caveats{margin:.3rem 0;padding-left:1.2rem;color:#6a4500}\n"
	".charts{display:flex;flex-wrap:wrap;gap:1rem 2rem;margin:.8rem 0}\n"
	"svg{max-width:100%;height:auto}\n"
	"article.conn,article.pair-conn{border:1px solid #ccc;border-left:6px solid #888;"
	"border-radius:4px;padding:.6rem .9rem;margin:1rem 0}\n"
	"article.sev-error{border-left-color:#b71c1c}\n"
	"article.sev-warning{border-left-color:#a85400}\n"
	"article.sev-info{border-left-color:#1a5fb4}\n"
	".sev{display:inline-block;font-size:.8rem;font-weight:bold;text-transform:uppercase;"
	"padding:0 .4rem;border-radius:3px;color:#fff;background:#666}\n"
	"li.sev-error .sev,.sev.sev-error{background:#b71c1c}\n"
	"li.sev-warning .sev,.sev.sev-warning{background:#a85400}\n"
	"li.sev-info .sev,.sev.sev-info{background:#1a5fb4}\n"
	"ol.findings{padding-left:1.2rem;margin:.4rem 0}\n"
	"ol.findings li{margin:.5rem 0}\n"
	"ol.findings p{margin:.15rem 0}\n"
	".meta{color:#555;font-size:.9rem}\n"
	"figure.ladder{margin:.6rem 0 0}\n"
	"figcaption{font-size:.85rem;color:#555}\n"
	".note{background:#f4f4f4;border-left:4px solid #888;padding:.4rem .8rem}\n"
	"article.rule dl dt{font-weight:bold;margin-top:.3rem}\n"
	"article.rule dl dd{margin-left:1rem}\n"
	"@media print{body{max-width:none;padding:0;font-size:10pt}"
	"h2{break-before:page}section.capture:first-of-type h2{break-before:auto}"
	"article.pair-conn{break-inside:avoid}"
	"figure.ladder,ol.findings li,.charts svg,article.rule{break-inside:avoid}"
	"a{color:inherit;text-decoration:none}"
	".sev{color:#000;background:none!important;border:1px solid #000}}\n";

static struct html_state *state(struct report_writer *w)
{
	struct html_state *st = w->priv;

	if (st != NULL)
		return st;
	st = xcalloc(1, sizeof *st);
	w->priv = st;
	return st;
}

/* The page up to the first file; written by the first call of any kind. */
static void start(struct report_writer *w, struct html_state *st)
{
	if (st->started)
		return;
	st->started = true;
	fprintf(w->out,
		"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		"style-src 'unsafe-inline'\">\n"
		"<meta name=\"generator\" content=\"finlint %s\">\n"
		"<title>finlint report</title>\n<style>\n%s</style>\n</head>\n<body>\n"
		"<header>\n<h1>finlint report</h1>\n<p class=\"meta\">How each TCP connection in "
		"the captures ended, and the teardowns that went wrong.</p>\n</header>\n<main>\n",
		PACKAGE_VERSION, STYLE);
}

static void html_begin_file(struct report_writer *w, const struct file_stats *fs)
{
	struct html_state *st = state(w);

	(void)fs;
	start(w, st);
	memset(st->by_close, 0, sizeof st->by_close);
	memset(st->by_rule, 0, sizeof st->by_rule);
	memset(st->rule_sev, 0, sizeof st->rule_sev);
	st->flagged = st->listable = st->not_listed = 0;
	st->count = 0;
}

static const char *side_name(const struct conn_report *c, int side)
{
	return side == CONN_CLOSER_BOTH ? "both" : c->side[side].role;
}

static int rank_of(const struct conn_report *c)
{
	int rank = 0;

	for (unsigned i = 0; i < c->finding_count; i++)
		if (!c->findings[i].baselined && (int)c->findings[i].severity + 1 > rank)
			rank = c->findings[i].severity + 1;
	return rank;
}

/* The highest severity of c's findings, baselined ones included, as a
 * class name; "none" without findings. */
static const char *conn_class(const struct conn_report *c)
{
	int sev = -1;

	for (unsigned i = 0; i < c->finding_count; i++)
		if ((int)c->findings[i].severity > sev)
			sev = c->findings[i].severity;
	return sev < 0 ? "none" : severity_name((unsigned)sev);
}

/* What the capture did to this connection's packets, as list items. */
static void conn_caveats(FILE *out, const struct conn_report *c)
{
	for (int i = 0; i < 2; i++) {
		const struct conn_side *ep = &c->side[i];

		if (ep->copies > 0) {
			fprintf(out, "<li>%" PRIu32 " capture %s of the ", ep->copies,
				plural(ep->copies, "copy", "copies"));
			put(out, ep->role);
			fprintf(out, "'s packets left out (first: packet %" PRIu64 ")</li>\n",
				ep->first_copy_pkt);
		}
		if (ep->shift_known) {
			fputs("<li>the ", out);
			put(out, ep->role);
			fprintf(out, "'s packets seen again with seq shifted by %" PRIu32
				     " (both sides of a device that rewrites sequence numbers)</li>\n",
				ep->seq_shift);
		}
		if (ep->pad_segments > 0) {
			fprintf(out, "<li>%" PRIu32 " %s of the ", ep->pad_segments,
				plural(ep->pad_segments, "segment", "segments"));
			put(out, ep->role);
			fprintf(out, " whose IP length counts Ethernet padding as data (first: packet "
				     "%" PRIu64 "): not counted</li>\n", ep->first_pad_pkt);
		}
	}
	if (c->finished_early)
		fputs("<li>finished early by --max-memory: later packets are not in this "
		      "record</li>\n", out);
}

static void conn_finding(FILE *out, const struct conn_finding *fd)
{
	const struct rule_info *ri = fd->rule;

	fprintf(out, "<li class=\"finding sev-%s\">\n<p><span class=\"sev\">%s</span> <code>",
		severity_name(fd->severity), severity_name(fd->severity));
	put(out, ri->id);
	fprintf(out, "</code> (<a href=\"#rule-%s\">%s</a>) <span class=\"meta\">packet%s",
		ri->code, ri->code, fd->npkts == 1 ? "" : "s");
	for (unsigned i = 0; i < fd->npkts && i < FINDING_PKTS_MAX; i++)
		fprintf(out, "%s%" PRIu64, i == 0 ? " " : ", ", fd->pkts[i]);
	fprintf(out, "; %s confidence", confidence_name(fd->confidence));
	if (fd->baselined)
		fputs("; baselined", out);
	fputs("</span></p>\n<p class=\"message\">", out);
	put(out, fd->message);
	fputs("</p>\n<p class=\"fix\"><b>Fix:</b> ", out);
	put(out, ri->hint);
	fputs("</p>\n<p class=\"why\"><b>Why:</b> ", out);
	put(out, ri->title);
	fprintf(out, " (<a href=\"#rule-%s\">the rule explained</a>, or <code>finlint --explain "
		     "%s</code>)</p>\n</li>\n", ri->code, ri->code);
}

/* One listed connection as an <article>. */
static void conn_html(FILE *out, const struct report_writer *w, const struct conn_report *c)
{
	const char *cls = conn_class(c);
	char *caveats = NULL;
	size_t caveats_len = 0;
	FILE *cv;

	fprintf(out, "<article class=\"conn sev-%s\" id=\"f%" PRIu64 "-c%" PRIu64 "\">\n"
		     "<h4>Connection %" PRIu64 ": ", cls, w->sum->files, c->id, c->id);
	put(out, c->end[0].text);
	fputs(c->mid_stream ? " \xe2\x80\x94 " : " \xe2\x86\x92 ", out);
	put(out, c->end[1].text);
	fprintf(out, " <span class=\"sev sev-%s\">%s</span></h4>\n<dl class=\"facts\">\n"
		     "<dt>Close</dt><dd>", cls, c->finding_count == 0 ? "no finding" : cls);
	put(out, c->close);
	if (c->active_closer != CONN_CLOSER_NONE) {
		fputs(", ", out);
		put(out, side_name(c, c->active_closer));
		fputs(c->aborted ? " reset first" : " closed first", out);
	}
	if (c->three_way)
		fputs(", three-way", out);
	if (c->mid_stream)
		fputs(", picked up mid-stream (no SYN in the capture)", out);
	fputs("</dd>\n<dt>Final states</dt><dd>", out);
	for (int i = 0; i < 2; i++) {
		fputs(i == 0 ? "" : ", ", out);
		put(out, c->side[i].role);
		fputs(" <b>", out);
		put(out, c->side[i].state);
		fputs("</b>", out);
	}
	fprintf(out, "</dd>\n<dt>Packets</dt><dd>%" PRIu64 " to %" PRIu64 " (", c->first_pkt,
		c->last_pkt);
	put(out, c->side[0].role);
	fprintf(out, " %" PRIu64 ", ", c->side[0].packets);
	put(out, c->side[1].role);
	/* signed: a capture's time may go backwards */
	fprintf(out, " %" PRIu64 "), %.6f s</dd>\n", c->side[1].packets,
		c->last_ts > c->first_ts ? (double)(c->last_ts - c->first_ts) / 1e9 : 0.0);
	if (c->capture_point != NULL && strcmp(c->capture_point, "unknown") != 0) {
		fputs("<dt>Capture point</dt><dd>", out);
		put(out, c->capture_point_words);
		fprintf(out, " (SYN to SYN-ACK %.3f ms, SYN-ACK to ACK %.3f ms)</dd>\n",
			(double)c->syn_to_synack_ns / 1e6, (double)c->synack_to_ack_ns / 1e6);
	}
	if (c->prev_id != 0) {
		/* no link: that connection may not be listed */
		fprintf(out, "<dt>Reuse</dt><dd>the 4-tuple of connection %" PRIu64
			     " (states then: ", c->prev_id);
		for (int i = 0; i < 2; i++) {
			fputs(i == 0 ? "" : ", ", out);
			put(out, side_name(c, i));
			fputc(' ', out);
			put(out, c->prev_state[i]);
		}
		fputs(")</dd>\n", out);
	}
	fprintf(out, "<dt>Community ID</dt><dd><code>");
	put(out, c->community_id);
	fputs("</code></dd>\n", out);
	cv = open_memstream(&caveats, &caveats_len);
	if (cv == NULL)
		fatal("out of memory");
	conn_caveats(cv, c);
	if (fclose(cv) != 0)
		fatal("out of memory");
	if (caveats_len > 0)
		fprintf(out, "<dt>Capture caveats</dt><dd><ul class=\"caveats\">\n%s</ul></dd>\n",
			caveats);
	free(caveats);
	fputs("</dl>\n", out);
	if (c->finding_count > 0) {
		fputs("<ol class=\"findings\">\n", out);
		for (unsigned i = 0; i < c->finding_count; i++)
			conn_finding(out, &c->findings[i]);
		fputs("</ol>\n", out);
	}
	if (!html_ladder_write(out, c))
		fputs("<p class=\"meta\">No packets of it were kept for a ladder diagram.</p>\n", out);
	fputs("</article>\n", out);
}

/* Render c into slot l. */
static void keep(struct listed *l, const struct report_writer *w, const struct conn_report *c,
		 int rank)
{
	FILE *m;

	l->id = c->id;
	l->rank = rank;
	l->html = NULL;
	l->len = 0;
	m = open_memstream(&l->html, &l->len);
	if (m == NULL)
		fatal("out of memory");
	conn_html(m, w, c);
	if (fclose(m) != 0)
		fatal("out of memory");
}

static void html_conn(struct report_writer *w, const struct conn_report *c)
{
	struct html_state *st = state(w);
	unsigned victim = 0;
	int rank;

	if (c->close_class < REPORT_CLOSE_MAX)
		st->by_close[c->close_class]++;
	for (unsigned i = 0; i < c->finding_count; i++) {
		const struct conn_finding *fd = &c->findings[i];

		if (fd->rule_index >= RULE_COUNT)
			continue;
		if (st->by_rule[fd->rule_index]++ == 0 || fd->severity > st->rule_sev[fd->rule_index])
			st->rule_sev[fd->rule_index] = fd->severity;
	}
	if (c->finding_count > 0)
		st->flagged++;
	if (w->opt->summary_only || !report_lists(w, c, FLOWS_FLAGGED))
		return;
	st->listable++;
	rank = rank_of(c);
	if (st->count < HTML_LIST_MAX) {
		keep(&st->list[st->count++], w, c, rank);
		return;
	}
	/* Full: the least severe kept one, the latest of those, gives way
	 * to a more severe one. */
	st->not_listed++;
	for (unsigned i = 1; i < HTML_LIST_MAX; i++) {
		const struct listed *a = &st->list[i], *v = &st->list[victim];

		if (a->rank < v->rank || (a->rank == v->rank && a->id > v->id))
			victim = i;
	}
	if (rank <= st->list[victim].rank)
		return;
	free(st->list[victim].html);
	keep(&st->list[victim], w, c, rank);
}

static int by_id(const void *a, const void *b)
{
	const struct listed *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* The file's caveats, as the text report words them. */
static void file_caveats(FILE *out, const struct file_stats *fs)
{
	char caveats[REPORT_CAVEATS_MAX];
	bool any = fs->filtered || fs->not_ip || fs->not_tcp || fs->tunneled || fs->truncated ||
		   fs->header_cut || fs->fragments || fs->malformed || fs->time_back ||
		   fs->capture_copies || fs->finished_early || fs->read_error;

	if (!any)
		return;
	fputs("<dt>Capture caveats</dt><dd><ul class=\"caveats\">\n", out);
	if (fs->filtered)
		fprintf(out, "<li>%" PRIu64 " %s left out by the filter (still counted in packet "
			     "numbers)</li>\n", fs->filtered, plural(fs->filtered, "packet", "packets"));
	if (fs->not_ip || fs->not_tcp)
		fprintf(out, "<li>skipped: %" PRIu64 " not IP, %" PRIu64 " IP but not TCP</li>\n",
			fs->not_ip, fs->not_tcp);
	if (fs->tunneled)
		fprintf(out, "<li>%" PRIu64 " TCP segments were decapsulated from tunnels</li>\n",
			fs->tunneled);
	if (report_decode_caveats(fs, caveats, sizeof caveats) > 0)
		fprintf(out, "<li>%s</li>\n", caveats);
	if (fs->time_back)
		fprintf(out, "<li>time goes backwards %" PRIu64 " %s, first at packet %" PRIu64
			     " (%.6f s before the packet read before it)</li>\n",
			fs->time_back, plural(fs->time_back, "time", "times"), fs->time_back_pkt,
			(double)fs->time_back_ns / 1e9);
	if (fs->capture_copies)
		fprintf(out, "<li>%" PRIu64 " capture %s (a packet captured again: same IP ID and "
			     "TCP header, microseconds apart) left out of the analysis</li>\n",
			fs->capture_copies, plural(fs->capture_copies, "copy", "copies"));
	if (fs->finished_early) {
		char limit[REPORT_SIZE_MAX];

		report_size(fs->max_memory, limit, sizeof limit);
		fprintf(out, "<li>%" PRIu64 " %s finished early: the flow memory reached "
			     "--max-memory %s</li>\n", fs->finished_early,
			plural(fs->finished_early, "connection", "connections"), limit);
	}
	if (fs->read_error) {
		fputs("<li>input error: ", out);
		put(out, fs->error);
		fputs(" (the packets before it are analysed)</li>\n", out);
	}
	fputs("</ul></dd>\n", out);
}

/* The two charts of a file or of the run. */
static void charts(FILE *out, const uint64_t *by_close, const uint64_t *by_rule,
		   const uint8_t *rule_sev)
{
	struct html_bar bars[(unsigned)RULE_COUNT > (unsigned)REPORT_CLOSE_MAX ? (unsigned)RULE_COUNT :
									 (unsigned)REPORT_CLOSE_MAX];
	unsigned n = 0;

	for (unsigned i = 0; i < conn_close_count() && i < REPORT_CLOSE_MAX; i++)
		if (by_close[i] > 0)
			bars[n++] = (struct html_bar){ conn_close_name(i), by_close[i], CLOSE_INK };
	if (n == 0)
		return;
	fputs("<div class=\"charts\">\n", out);
	html_chart_write(out, "Connections by close class", bars, n);
	n = 0;
	for (unsigned i = 0; i < RULE_COUNT; i++)
		if (by_rule[i] > 0)
			bars[n++] = (struct html_bar){ rule_info(i)->id, by_rule[i],
						       severity_ink(rule_sev != NULL ? rule_sev[i] :
										   rule_info(i)->severity) };
	if (n > 0)
		html_chart_write(out, "Findings by rule", bars, n);
	else
		fputs("<p>No findings.</p>\n", out);
	fputs("</div>\n", out);
}

static void html_end_file(struct report_writer *w, const struct file_stats *fs)
{
	struct html_state *st = state(w);
	FILE *out = w->out;
	bool all = w->opt->flows == FLOWS_ALL;

	fprintf(out, "<section class=\"capture\" id=\"f%" PRIu64 "\">\n<h2>", w->sum->files);
	put(out, fs->path);
	fputs("</h2>\n", out);
	if (fs->link_name == NULL || fs->unsupported_link) { /* not opened, or not decoded */
		fputs("<p class=\"note\">Not analysed: ", out);
		put(out, fs->error);
		fputs("</p>\n</section>\n", out);
		return;
	}
	fputs("<dl class=\"facts\">\n<dt>Link type</dt><dd>", out);
	put(out, fs->link_name);
	fprintf(out, ", snaplen %d, %s timestamps</dd>\n", fs->snaplen,
		fs->nanosecond ? "nanosecond" : "microsecond");
	fprintf(out, "<dt>Packets</dt><dd>%" PRIu64 " (%" PRIu64 " TCP %s)</dd>\n", fs->packets,
		fs->tcp, plural(fs->tcp, "segment", "segments"));
	fprintf(out, "<dt>Connections</dt><dd>%" PRIu64 ", %" PRIu64 " with findings</dd>\n",
		fs->connections, st->flagged);
	if (fs->packets > 0) {
		char t0[REPORT_TIME_MAX], t1[REPORT_TIME_MAX];

		report_time(fs->first_ts, fs->nanosecond, t0, sizeof t0);
		report_time(fs->last_ts, fs->nanosecond, t1, sizeof t1);
		fprintf(out, "<dt>Time span</dt><dd>%s to %s (%.6f s)</dd>\n", t0, t1,
			fs->last_ts > fs->first_ts ? (double)(fs->last_ts - fs->first_ts) / 1e9 : 0.0);
	}
	file_caveats(out, fs);
	fputs("</dl>\n", out);
	charts(out, st->by_close, st->by_rule, st->rule_sev);
	if (st->listable > 0)
		fprintf(out, "<h3>%s (%" PRIu64 ")</h3>\n",
			all ? "Connections" : "Connections with findings", st->listable);
	qsort(st->list, st->count, sizeof st->list[0], by_id);
	for (unsigned i = 0; i < st->count; i++) {
		fwrite(st->list[i].html, 1, st->list[i].len, out);
		free(st->list[i].html);
	}
	if (st->not_listed > 0)
		fprintf(out, "<p class=\"note not-listed\">%" PRIu64 " more %s not listed: the report "
			     "draws at most %u per capture file, the most severe first (-f json "
			     "or -f csv hold every one).</p>\n",
			st->not_listed, plural(st->not_listed, "connection", "connections"),
			HTML_LIST_MAX);
	st->count = 0;
	fputs("</section>\n", out);
}

static void explain(FILE *out, unsigned rule)
{
	const struct rule_info *ri = rule_info(rule);
	static const char *const heads[] = { "What it means", "Packet signature",
					     "Kernel behaviour", "Fix" };
	const char *texts[] = { ri->meaning, ri->signature, ri->kernel, ri->fix };

	fprintf(out, "<article class=\"rule\" id=\"rule-%s\">\n<h3>%s <code>", ri->code, ri->code);
	put(out, ri->id);
	fputs("</code>: ", out);
	put(out, ri->title);
	fprintf(out, "</h3>\n<p class=\"meta\">Default severity %s.</p>\n<dl>\n",
		severity_name(ri->severity));
	for (unsigned i = 0; i < sizeof heads / sizeof heads[0]; i++) {
		fprintf(out, "<dt>%s</dt><dd>", heads[i]);
		put(out, texts[i]);
		fputs("</dd>\n", out);
	}
	fputs("</dl>\n</article>\n", out);
}

/* The two-point section, after the files. */
static void html_pair(struct report_writer *w, const struct pair *p)
{
	start(w, state(w));
	pair_html_write(w->out, p);
}

static void html_end(struct report_writer *w)
{
	struct html_state *st = state(w);
	const struct run_summary *r = w->sum;
	const struct report_options *o = w->opt;
	FILE *out = w->out;
	bool any = false;

	start(w, st);
	fputs("<section class=\"summary\" id=\"summary\">\n<h2>Summary</h2>\n<dl class=\"facts\">\n",
	      out);
	fprintf(out, "<dt>Read</dt><dd>%" PRIu64 " %s, %" PRIu64 " %s, %" PRIu64 " TCP %s, %" PRIu64
		     " %s", r->files, plural(r->files, "file", "files"), r->packets,
		plural(r->packets, "packet", "packets"), r->tcp, plural(r->tcp, "segment", "segments"),
		r->connections, plural(r->connections, "connection", "connections"));
	if (r->files_failed)
		fprintf(out, "; %" PRIu64 " %s could not be read whole", r->files_failed,
			plural(r->files_failed, "file", "files"));
	fprintf(out, "</dd>\n<dt>Findings</dt><dd>%" PRIu64 " %s, %" PRIu64 " %s, %" PRIu64 " %s",
		r->findings[SEV_ERROR], plural(r->findings[SEV_ERROR], "error", "errors"),
		r->findings[SEV_WARNING], plural(r->findings[SEV_WARNING], "warning", "warnings"),
		r->findings[SEV_INFO], plural(r->findings[SEV_INFO], "info", "infos"));
	if (o->baseline != NULL)
		fprintf(out, ", %" PRIu64 " baselined", r->baselined);
	if (r->late > 0)
		fprintf(out, "; %" PRIu64 " of them late (--hold-closed tombstone: after their "
			"connections' records, not in the connection blocks; -f jsonl lists them)",
			r->late);
	fputs("</dd>\n<dt>Outcome</dt><dd>", out);
	if (r->exit_status == EXIT_INPUT)
		fputs("input error: exit status 3", out);
	else if (o->fail_on < SEV_NEVER)
		fprintf(out, "--fail-on %s: %s (exit status %d)", severity_name(o->fail_on),
			r->failed ? "fail" : "pass", r->exit_status);
	else
		fputs("--fail-on never: exit status 0", out);
	if (o->fail_on < SEV_NEVER && r->unsure > 0)
		fprintf(out, "; %" PRIu64 " %s below --min-confidence %s not counted", r->unsure,
			plural(r->unsure, "finding", "findings"), confidence_name(o->min_confidence));
	fputs("</dd>\n</dl>\n", out);
	if (r->files > 1)
		charts(out, r->by_close, r->by_rule, NULL);
	fputs("</section>\n", out);
	for (unsigned i = 0; i < RULE_COUNT; i++) {
		if (r->by_rule[i] == 0)
			continue;
		if (!any)
			fputs("<section class=\"rules\" id=\"rules\">\n<h2>The rules behind these "
			      "findings</h2>\n", out);
		any = true;
		explain(out, i);
	}
	if (any)
		fputs("</section>\n", out);
	fputs("</main>\n</body>\n</html>\n", out);
	free(st);
	w->priv = NULL;
}

const struct report_ops report_html_ops = {
	.name = "html",
	.help = "one self-contained page: charts, and per flagged connection its findings and "
		"SVG ladder",
	.needs_steps = true,
	.begin_file = html_begin_file,
	.conn = html_conn,
	.end_file = html_end_file,
	.pair = html_pair,
	.end = html_end,
};
