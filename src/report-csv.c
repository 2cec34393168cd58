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

#include "classify.h"
#include "community-id.h"
#include "escape.h"
#include "report.h"
#include "rules.h"

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

static void header(struct report *r)
{
	const char *const *cols = r->csv_table == CSV_FLOWS ? flow_columns : finding_columns;
	size_t n = r->csv_table == CSV_FLOWS ? sizeof flow_columns / sizeof flow_columns[0]
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
static void csv_begin_file(struct report *r, const struct file_stats *fs)
{
	if (r->files == 1) /* the funnel has counted this file already */
		header(r);
	free(r->priv);
	r->priv = escape_utf8(fs->path);
}

/* The columns every row starts with: which file, which connection. */
static void flow_key(struct row *w, const struct report *r, const struct flow *f)
{
	char buf[64], cid[COMMUNITY_ID_LEN];

	put(w, r->priv != NULL ? (const char *)r->priv : "");
	put_u64(w, f->id);
	for (unsigned side = 0; side < 2; side++) {
		report_address(f, side, buf, sizeof buf);
		put(w, buf);
		put_u64(w, f->side[side].port);
	}
	report_community_id(f, cid);
	put(w, cid);
}

static void finding_rows(struct report *r, const struct flow *f, const struct findings *found,
			 const char *close)
{
	struct row w = { .out = r->out };

	for (unsigned i = 0; i < found->n; i++) {
		const struct finding *fd = &found->f[i];
		const struct rule_info *ri = rule_info(fd->rule);
		char pkts[FINDING_PKTS_MAX * 21 + 1] = "";
		size_t used = 0;

		for (unsigned j = 0; j < fd->npkts && used < sizeof pkts; j++)
			used += (size_t)snprintf(pkts + used, sizeof pkts - used, "%s%" PRIu64,
						 j == 0 ? "" : " ", fd->pkts[j]);
		flow_key(&w, r, f);
		put(&w, close);
		put(&w, ri->id);
		put(&w, ri->code);
		put(&w, severity_name(fd->severity));
		put(&w, confidence_name(fd->confidence));
		put(&w, fd->side < 0 ? "both" : fd->side == 0 ? "client" : "server");
		put(&w, pkts);
		put(&w, fd->message);
		put(&w, ri->fix);
		end_row(&w);
	}
}

static void flow_row(struct report *r, const struct flow *f, const struct findings *found,
		     const struct close_verdict *v)
{
	const struct tcp_conn *c = &f->conn;
	bool nano = r->file != NULL && r->file->nanosecond;
	struct row w = { .out = r->out };
	char t[48], rules[RULE_COUNT * 32] = "";
	size_t used = 0;

	flow_key(&w, r, f);
	put_u64(&w, f->first_packet);
	put_u64(&w, f->last_packet);
	report_time(f->first_ts, nano, t, sizeof t);
	put(&w, t);
	report_time(f->last_ts, nano, t, sizeof t);
	put(&w, t);
	put(&w, c->mid_stream ? "true" : "false");
	put(&w, classify_name(v->cls));
	put(&w, v->active_closer == 0 ? "client" : v->active_closer == 1 ? "server" :
		v->active_closer == CLOSER_BOTH ? "both" : "");
	put(&w, tcp_state_name(c->ep[0].state));
	put(&w, tcp_state_name(c->ep[1].state));
	put(&w, capture_point_name(classify_capture_point(c).where));
	put_u64(&w, found->n);
	for (unsigned i = 0; i < found->n && used < sizeof rules; i++)
		used += (size_t)snprintf(rules + used, sizeof rules - used, "%s%s", i == 0 ? "" : " ",
					 rule_info(found->f[i].rule)->id);
	put(&w, rules);
	end_row(&w);
}

static void csv_flow(struct report *r, const struct flow *f, const struct findings *found)
{
	const struct close_verdict *v = &found->close;

	if (r->csv_table == CSV_FLOWS) {
		if (report_lists(r, found, FLOWS_ALL))
			flow_row(r, f, found, v);
	} else {
		finding_rows(r, f, found, classify_name(v->cls));
	}
}

static void csv_end_file(struct report *r, const struct file_stats *fs)
{
	(void)fs; /* rows are written as flows finish; nothing per file */
	free(r->priv);
	r->priv = NULL;
}

static void csv_end(struct report *r)
{
	if (r->files == 0)
		header(r);
}

const struct report_ops report_csv_ops = {
	.name = "csv",
	.begin_file = csv_begin_file,
	.flow = csv_flow,
	.end_file = csv_end_file,
	.end = csv_end,
};
