/* report-markdown: GitHub-flavoured Markdown for pasting into an issue or
 * a ticket.  Per capture: a table of its facts, a findings table (one row
 * per finding: connection, rule, severity, evidence packets, the rule's
 * one-line title) and, per listed connection, its verdict, its findings
 * with their fixes and a fenced text ladder of its last packets.  The
 * totals of the run close it.
 *
 * The findings table comes before the connections it names, so a file's
 * rows and sections are held in memory streams until the file ends; at
 * most MD_ROWS_MAX rows and MD_CONNS_MAX sections are kept, with a line
 * saying how many more there were, so a capture of 100 000 connections
 * still makes a ticket-sized report in bounded memory. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connreport.h"
#include "escape.h"
#include "filestats.h"
#include "finlint.h"
#include "report.h"
#include "rule-catalogue.h"
#include "text-group.h"
#include "text-ladder.h"

enum { MD_ROWS_MAX = 200, MD_CONNS_MAX = 50 };

struct md_file {
	FILE *rows, *conns; /* memory streams, NULL when none could be opened */
	char *rows_buf, *conns_buf;
	size_t rows_len, conns_len;
	uint64_t nrows, nconns, more_rows, more_conns;
	struct text_groups *groups; /* the sections, alike ones grouped (--no-group: NULL) */
};

/* Text from outside finlint (a file name, an error quoting one): control
 * characters escaped first, then every character Markdown could read as
 * syntax, so that it shows as written and cannot break a table. */
static void put_text(FILE *out, const char *s)
{
	char *e = escape_text(s);

	for (const char *p = e; *p != '\0'; p++) {
		if (strchr("\\`*_[]<>|#~", *p) != NULL)
			fputc('\\', out);
		fputc(*p, out);
	}
	free(e);
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void open_streams(struct md_file *m)
{
	memset(m, 0, sizeof *m);
	m->rows = open_memstream(&m->rows_buf, &m->rows_len);
	m->conns = open_memstream(&m->conns_buf, &m->conns_len);
}

static void md_begin_file(struct report_writer *w, const struct file_stats *fs)
{
	struct md_file *m = w->priv;

	if (m == NULL && (m = w->priv = calloc(1, sizeof *m)) == NULL)
		return;
	text_groups_free(m->groups);
	open_streams(m);
	if (!w->opt->no_group)
		m->groups = text_groups_new(0);
	fputs("## ", w->out);
	put_text(w->out, fs->path);
	fputs("\n\n", w->out);
}

static void put_pkts(FILE *out, const struct conn_finding *fd)
{
	for (unsigned i = 0; i < fd->npkts; i++)
		fprintf(out, "%s%" PRIu64, i == 0 ? "" : ", ", fd->pkts[i]);
}

static void put_verdict(FILE *out, const struct conn_report *c)
{
	fprintf(out, "**%s**", c->close);
	if (c->active_closer == CONN_CLOSER_BOTH)
		fprintf(out, ", both %s first", c->aborted ? "reset" : "closed");
	else if (c->active_closer != CONN_CLOSER_NONE)
		fprintf(out, ", %s %s first", c->side[c->active_closer].role,
			c->aborted ? "reset" : "closed");
	if (c->three_way)
		fputs(", three-way", out);
	if (c->mid_stream)
		fputs(", picked up mid-stream (no SYN in the capture)", out);
	fprintf(out, "; final states: %s `%s`, %s `%s`", c->side[0].role, c->side[0].state,
		c->side[1].role, c->side[1].state);
}

static void md_section(FILE *out, const struct conn_report *c)
{
	fprintf(out, "### Connection %" PRIu64 ": `%s` %s `%s`\n\n", c->id, c->end[0].text,
		c->mid_stream ? "--" : "->", c->end[1].text);
	fprintf(out, "Packets %" PRIu64 "-%" PRIu64 ". ", c->first_pkt, c->last_pkt);
	put_verdict(out, c);
	fputs(".", out);
	if (strcmp(c->capture_point, "unknown") != 0)
		fprintf(out, " Captured %s.", c->capture_point_words);
	if (c->prev_id != 0)
		fprintf(out, " Reuses the 4-tuple of connection %" PRIu64 ".", c->prev_id);
	if (c->finished_early)
		fputs(" Finished early by `--max-memory`: later packets are not in this record.",
		      out);
	fputs("\n\n", out);
	for (unsigned i = 0; i < c->finding_count; i++) {
		const struct conn_finding *fd = &c->findings[i];

		fprintf(out, "- **%s %s** `%s` (packet%s ", severity_name(fd->severity),
			fd->rule->code, fd->rule->id, fd->npkts == 1 ? "" : "s");
		put_pkts(out, fd);
		fputs(")", out);
		if (fd->baselined)
			fputs(", baselined", out);
		if (fd->confidence != CONF_HIGH)
			fprintf(out, ", %s confidence", confidence_name(fd->confidence));
		/* a message may quote a RST's payload: escaped like a file name */
		fputs(": ", out);
		put_text(out, fd->message);
		fputs(".  \n  Fix: ", out);
		put_text(out, fd->rule->hint);
		fprintf(out, " (`finlint --explain %s`)\n", fd->rule->code);
	}
	if (c->finding_count > 0)
		fputc('\n', out);
	if (c->steps_known && c->step_count > 0) {
		fputs("```text\n", out);
		text_ladder(out, c, "");
		fputs("```\n\n", out);
	}
}

/* A listed connection's section, or its id in the group of alike ones. */
static void md_listed(struct md_file *m, const struct conn_report *c)
{
	char key[512], *block = NULL;
	size_t len = 0;
	FILE *s;

	if (m->groups != NULL) {
		text_group_key(c, key, sizeof key);
		if (text_groups_join(m->groups, key, c->id))
			return;
	}
	if (m->nconns == MD_CONNS_MAX) {
		m->more_conns++;
		return;
	}
	m->nconns++;
	if (m->groups == NULL || (s = open_memstream(&block, &len)) == NULL) {
		md_section(m->conns, c);
		return;
	}
	md_section(s, c);
	if (fclose(s) != 0) {
		free(block);
		md_section(m->conns, c);
		return;
	}
	text_groups_start(m->groups, m->conns, key, c->id, block);
}

static void md_rows(struct md_file *m, const struct conn_report *c, const char *suffix)
{
	for (unsigned i = 0; i < c->finding_count; i++) {
		const struct conn_finding *fd = &c->findings[i];

		if (m->rows == NULL || m->nrows == MD_ROWS_MAX) {
			m->more_rows++;
			continue;
		}
		m->nrows++;
		fprintf(m->rows, "| %" PRIu64 "%s | `%s` %s | %s | ", c->id, suffix, fd->rule->code,
			fd->rule->id, severity_name(fd->severity));
		put_pkts(m->rows, fd);
		fputs(" | ", m->rows);
		put_text(m->rows, fd->rule->title);
		fputs(fd->baselined ? " (baselined) |\n" : " |\n", m->rows);
	}
}

static void md_conn(struct report_writer *w, const struct conn_report *c)
{
	struct md_file *m = w->priv;

	if (m == NULL || w->opt->summary_only)
		return;
	md_rows(m, c, "");
	if (!report_lists(w, c, FLOWS_FLAGGED) || m->conns == NULL)
		return;
	md_listed(m, c);
}

static void fact(FILE *out, const char *name, uint64_t n)
{
	fprintf(out, "| %s | %" PRIu64 " |\n", name, n);
}

static void md_facts(FILE *out, const struct file_stats *fs)
{
	char t0[REPORT_TIME_MAX], t1[REPORT_TIME_MAX];

	fputs("| capture | |\n|---|---|\n", out);
	fprintf(out, "| link type | %s, snaplen %d, %s timestamps |\n", fs->link_name, fs->snaplen,
		fs->nanosecond ? "nanosecond" : "microsecond");
	fact(out, "packets", fs->packets);
	fact(out, "TCP segments", fs->tcp);
	fact(out, "connections", fs->connections);
	if (fs->packets > 0) {
		report_time(fs->first_ts, fs->nanosecond, t0, sizeof t0);
		report_time(fs->last_ts, fs->nanosecond, t1, sizeof t1);
		fprintf(out, "| time | %s to %s (%.6f s) |\n", t0, t1,
			fs->last_ts > fs->first_ts ? (double)(fs->last_ts - fs->first_ts) / 1e9 : 0.0);
	}
	if (fs->filtered)
		fact(out, "left out by the filter", fs->filtered);
	if (fs->tunneled)
		fact(out, "decapsulated from tunnels", fs->tunneled);
	if (fs->truncated)
		fact(out, "segments cut by the snaplen", fs->truncated);
	if (fs->header_cut)
		fact(out, "frames cut inside a header", fs->header_cut);
	if (fs->fragments)
		fact(out, "non-first IP fragments", fs->fragments);
	if (fs->malformed)
		fact(out, "malformed frames", fs->malformed);
	if (fs->time_back)
		fprintf(out, "| time goes backwards | %" PRIu64 " %s, first at packet %" PRIu64 " |\n",
			fs->time_back, plural(fs->time_back, "time", "times"), fs->time_back_pkt);
	if (fs->capture_copies)
		fact(out, "capture copies left out", fs->capture_copies);
	if (fs->finished_early)
		fact(out, "finished early by --max-memory", fs->finished_early);
	if (fs->read_error) {
		fputs("| input error | ", out);
		put_text(out, fs->error);
		fputs(" (the packets before it are analysed) |\n", out);
	}
	fputc('\n', out);
}

/* Close a memory stream and copy what it holds to out. */
static void drain(FILE **s, char **buf, size_t *len, FILE *out)
{
	if (*s != NULL && fclose(*s) == 0 && *buf != NULL && out != NULL)
		fwrite(*buf, 1, *len, out);
	*s = NULL;
	free(*buf);
	*buf = NULL;
	*len = 0;
}

static void md_end_file(struct report_writer *w, const struct file_stats *fs)
{
	struct md_file *m = w->priv;
	FILE *out = w->out;

	if (m == NULL)
		return;
	if (fs->link_name == NULL || fs->unsupported_link) {
		fputs("Not analysed: ", out);
		put_text(out, fs->error);
		fputs("\n\n", out);
	} else {
		md_facts(out, fs);
	}
	if (m->nrows > 0) {
		fputs("| connection | rule | severity | evidence packets | cause |\n"
		      "|---:|---|---|---|---|\n", out);
		drain(&m->rows, &m->rows_buf, &m->rows_len, out);
		if (m->more_rows > 0)
			fprintf(out, "\n%" PRIu64 " more %s not in this table.\n", m->more_rows,
				plural(m->more_rows, "finding", "findings"));
		fputc('\n', out);
	}
	drain(&m->rows, &m->rows_buf, &m->rows_len, NULL);
	if (m->groups != NULL && m->conns != NULL)
		text_groups_flush(m->groups, m->conns);
	if (m->nconns > 0)
		drain(&m->conns, &m->conns_buf, &m->conns_len, out);
	drain(&m->conns, &m->conns_buf, &m->conns_len, NULL);
	if (m->more_conns > 0)
		fprintf(out, "%" PRIu64 " more listed %s not shown (the text or JSON report has "
			     "them all).\n\n",
			m->more_conns, plural(m->more_conns, "connection", "connections"));
}

/* A late finding: a row of the findings table, its connection marked late. */
static void md_late(struct report_writer *w, const struct late_report *l)
{
	struct md_file *m = w->priv;
	struct conn_report *c;

	if (m == NULL || w->opt->summary_only || l->finding.rule == NULL)
		return;
	c = xmalloc(sizeof *c);
	report_late_record(l, c);
	md_rows(m, c, " (late)");
	free(c);
}

static void md_end(struct report_writer *w)
{
	const struct run_summary *r = w->sum;
	const struct report_options *o = w->opt;
	FILE *out = w->out;

	if (w->priv != NULL)
		text_groups_free(((struct md_file *)w->priv)->groups);
	free(w->priv);
	w->priv = NULL;
	fputs("## Summary\n\n| | |\n|---|---|\n", out);
	fprintf(out, "| files | %" PRIu64 "%s |\n", r->files,
		r->files_failed ? " (some could not be read whole)" : "");
	fprintf(out, "| packets | %" PRIu64 " (%" PRIu64 " TCP segments) |\n", r->packets, r->tcp);
	fprintf(out, "| connections | %" PRIu64 " |\n", r->connections);
	for (unsigned i = 0; i < conn_close_count(); i++)
		if (r->by_close[i] > 0)
			fprintf(out, "| %s | %" PRIu64 " |\n", conn_close_name(i), r->by_close[i]);
	fprintf(out, "| findings | %" PRIu64 " %s, %" PRIu64 " %s, %" PRIu64 " %s",
		r->findings[SEV_ERROR], plural(r->findings[SEV_ERROR], "error", "errors"),
		r->findings[SEV_WARNING], plural(r->findings[SEV_WARNING], "warning", "warnings"),
		r->findings[SEV_INFO], plural(r->findings[SEV_INFO], "info", "infos"));
	if (o->baseline != NULL)
		fprintf(out, ", %" PRIu64 " baselined", r->baselined);
	fputs(" |\n", out);
	if (r->late > 0)
		fprintf(out, "| late findings | %" PRIu64 " (counted above; after their "
			"connections' records) |\n", r->late);
	for (unsigned i = 0; i < RULE_COUNT; i++)
		if (r->by_rule[i] > 0)
			fprintf(out, "| `%s` %s | %" PRIu64 " |\n", rule_info(i)->code,
				rule_info(i)->id, r->by_rule[i]);
	if (o->fail_on < SEV_NEVER)
		fprintf(out, "| --fail-on %s | %s |\n", severity_name(o->fail_on),
			r->failed ? "**fail**" : "pass");
	fprintf(out, "| exit status | %d |\n", r->exit_status);
}

const struct report_ops report_markdown_ops = {
	.name = "markdown",
	.help = "GitHub-flavoured Markdown for an issue or a ticket: tables and ladders",
	.needs_steps = true,
	.begin_file = md_begin_file,
	.conn = md_conn,
	.late = md_late,
	.end_file = md_end_file,
	.end = md_end,
};
