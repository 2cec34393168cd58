/* report-csv: RFC 4180 rows for spreadsheets and scripts, one per finding
 * (default) or one per connection (--csv-table flows).  Fields go through
 * libcsv's writer, which quotes every field and doubles embedded quotes,
 * so commas, quotes and newlines in messages survive a round trip.  The
 * columns are fixed and documented in finlint(1). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "connreport.h"
#include "escape.h"
#include "report.h"

static const char *const finding_columns[] = {
	"file", "flow", "client_addr", "client_port", "server_addr", "server_port",
	"community_id", "close", "rule", "code", "severity", "confidence", "endpoint",
	"packets", "message", "fix",
};

static const char *const flow_columns[] = {
	"file", "flow", "client_addr", "client_port", "server_addr", "server_port",
	"community_id", "first_packet", "last_packet", "first_time", "last_time", "mid_stream",
	"close", "active_closer", "client_state", "server_state", "capture_point", "findings",
	"rules",
};

/* A row is built field by field; put() writes the separator before all
 * but the first. */
struct row {
	FILE *out;
	unsigned n;
};

static void put(struct row *w, const char *text)
{
	if (w->n++ > 0)
		fputc(',', w->out);
	csv_fwrite(w->out, text, strlen(text));
}

static void put_u64(struct row *w, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof buf, "%" PRIu64, v);
	put(w, buf);
}

static void end_row(struct row *w)
{
	fputs("\r\n", w->out);
	w->n = 0;
}

static void header(struct report_writer *r)
{
	const char *const *cols = r->opt->csv_table == CSV_FLOWS ? flow_columns : finding_columns;
	size_t n = r->opt->csv_table == CSV_FLOWS ? sizeof flow_columns / sizeof flow_columns[0]
					     : sizeof finding_columns / sizeof finding_columns[0];
	struct row w = { .out = r->out };

	for (size_t i = 0; i < n; i++)
		put(&w, cols[i]);
	end_row(&w);
}

/* The file name column holds what the JSON report's "file" holds: the
 * name as it is (quoting keeps commas, quotes and newlines), but for bytes
 * that are not UTF-8, which become U+FFFD so that the table is UTF-8 text.
 * It is made once per file: r->priv holds it between begin_file and
 * end_file. */
static void csv_begin_file(struct report_writer *r, const struct file_stats *fs)
{
	if (r->sum->files == 1) /* the funnel has counted this file already */
		header(r);
	free(r->priv);
	r->priv = escape_utf8(fs->path);
}

/* The columns every row starts with: which file, which connection. */
static void key_columns(struct row *w, const struct report_writer *r, uint64_t id,
			const struct conn_endpoint end[2], const char *community_id)
{
	put(w, r->priv != NULL ? (const char *)r->priv : "");
	put_u64(w, id);
	for (unsigned side = 0; side < 2; side++) {
		put(w, end[side].addr);
		put_u64(w, end[side].port);
	}
	put(w, community_id);
}

static void flow_key(struct row *w, const struct report_writer *r, const struct conn_report *c)
{
	key_columns(w, r, c->id, c->end, c->community_id);
}

/* The columns after the close class: the finding's. */
static void finding_columns_of(struct row *w, const struct conn_finding *fd)
{
	const struct rule_info *ri = fd->rule;
	char pkts[FINDING_PKTS_MAX * 21 + 1] = "";
	size_t used = 0;

	for (unsigned j = 0; j < fd->npkts && used < sizeof pkts; j++)
		used += (size_t)snprintf(pkts + used, sizeof pkts - used, "%s%" PRIu64,
					 j == 0 ? "" : " ", fd->pkts[j]);
	put(w, ri->id);
	put(w, ri->code);
	put(w, severity_name(fd->severity));
	put(w, confidence_name(fd->confidence));
	put(w, fd->side < 0 ? "both" : fd->side == 0 ? "client" : "server");
	put(w, pkts);
	put(w, fd->message);
	put(w, ri->fix);
}

static void finding_rows(struct report_writer *r, const struct conn_report *c)
{
	struct row w = { .out = r->out };

	for (unsigned i = 0; i < c->finding_count; i++) {
		flow_key(&w, r, c);
		put(&w, c->close);
		finding_columns_of(&w, &c->findings[i]);
		end_row(&w);
	}
}

/* A late finding is a findings row like the others, after its
 * connection's rows, its close column "late": the record's close class
 * was written before it came.  The flows table has no row for it (its
 * connection's row came before); late packets that found nothing are
 * no finding, and no row. */
static void csv_late(struct report_writer *r, const struct late_report *l)
{
	struct row w = { .out = r->out };

	if (r->opt->csv_table == CSV_FLOWS || l->finding.rule == NULL)
		return;
	key_columns(&w, r, l->id, l->end, l->community_id);
	put(&w, "late");
	finding_columns_of(&w, &l->finding);
	end_row(&w);
}

static void flow_row(struct report_writer *r, const struct conn_report *c)
{
	struct row w = { .out = r->out };
	char t[48], rules[RULE_COUNT * 32] = "";
	size_t used = 0;

	flow_key(&w, r, c);
	put_u64(&w, c->first_pkt);
	put_u64(&w, c->last_pkt);
	report_time(c->first_ts, c->nanosecond, t, sizeof t);
	put(&w, t);
	report_time(c->last_ts, c->nanosecond, t, sizeof t);
	put(&w, t);
	put(&w, c->mid_stream ? "true" : "false");
	put(&w, c->close);
	put(&w, c->active_closer == 0 ? "client" : c->active_closer == 1 ? "server" :
		c->active_closer == CONN_CLOSER_BOTH ? "both" : "");
	put(&w, c->side[0].state);
	put(&w, c->side[1].state);
	put(&w, c->capture_point);
	put_u64(&w, c->finding_count);
	for (unsigned i = 0; i < c->finding_count && used < sizeof rules; i++)
		used += (size_t)snprintf(rules + used, sizeof rules - used, "%s%s", i == 0 ? "" : " ",
					 c->findings[i].rule->id);
	put(&w, rules);
	end_row(&w);
}

static void csv_conn(struct report_writer *r, const struct conn_report *c)
{
	if (r->opt->csv_table == CSV_FLOWS) {
		if (report_lists(r, c, FLOWS_ALL))
			flow_row(r, c);
	} else {
		finding_rows(r, c);
	}
}

static void csv_end_file(struct report_writer *r, const struct file_stats *fs)
{
	(void)fs; /* rows are written as flows finish; nothing per file */
	free(r->priv);
	r->priv = NULL;
}

static void csv_end(struct report_writer *r)
{
	if (r->sum->files == 0)
		header(r);
}

const struct report_ops report_csv_ops = {
	.name = "csv",
	.help = "RFC 4180 rows: one per finding, or per connection (--csv-table flows)",
	.begin_file = csv_begin_file,
	.conn = csv_conn,
	.late = csv_late,
	.end_file = csv_end_file,
	.end = csv_end,
};
