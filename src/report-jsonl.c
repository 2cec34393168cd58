/* report-jsonl: JSON Lines, one object per line, written as the analysis
 * goes, each with its "type" first so a reader can dispatch on the first
 * key: a header, then per connection a flow record and its findings, a
 * file record per input, the summary last. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "finlint.h"
#include "json-record.h"
#include "report.h"

/* One typed record from a cJSON object; o is freed. */
static void emit_typed(FILE *out, const char *type, cJSON *o)
{
	char *text = cJSON_PrintUnformatted(o);

	if (text == NULL)
		fatal("out of memory writing JSON");
	fprintf(out, "{\"type\":\"%s\"%s%s\n", type, text[1] == '}' ? "" : ",", text + 1);
	cJSON_free(text);
	cJSON_Delete(o);
}

/* The stream's writer; the first call also writes the header record, so
 * a streaming reader learns the format version before any data. */
static struct jw *jsonl_writer(struct report_writer *r)
{
	if (r->priv == NULL) {
		r->priv = xcalloc(1, sizeof(struct jw));
		fprintf(r->out, "{\"type\":\"header\",\"tool\":\"finlint\",\"version\":\"%s\","
				"\"schema_version\":%d}\n",
			PACKAGE_VERSION, JSON_SCHEMA_VERSION);
	}
	return r->priv;
}

static void jsonl_begin_file(struct report_writer *r, const struct file_stats *fs)
{
	(void)fs;
	jsonl_writer(r);
}

static void jsonl_conn(struct report_writer *r, const struct conn_report *c)
{
	struct jw *w = jsonl_writer(r);

	if (report_lists(r, c, FLOWS_ALL)) {
		json_put_conn(w, c, "flow");
		jw_raw(w, "\n", 1);
		jw_flush(w, r->out);
	}
	for (unsigned i = 0; i < c->finding_count; i++) {
		jw_object(w, NULL);
		jw_plain(w, "type", "finding");
		json_put_finding(w, c, &c->findings[i]);
		jw_string(w, "file", c->file);
		jw_uint(w, "flow", c->id);
		jw_end(w);
		jw_raw(w, "\n", 1);
		jw_flush(w, r->out);
	}
}

/* A late finding: a finding record for a connection whose flow record
 * came before, typed apart so that a reader counting a flow's findings
 * from its record finds this one too. */
static void jsonl_late(struct report_writer *r, const struct late_report *l)
{
	struct jw *w = jsonl_writer(r);

	jw_object(w, NULL);
	jw_plain(w, "type", l->finding.rule == NULL ? "late_packets" : "late_finding");
	json_put_late(w, l);
	jw_end(w);
	jw_raw(w, "\n", 1);
	jw_flush(w, r->out);
}

static void jsonl_end_file(struct report_writer *r, const struct file_stats *fs)
{
	emit_typed(r->out, "file", json_file_object(fs));
}

static void jsonl_end(struct report_writer *r)
{
	cJSON *o = json_summary(r);

	jsonl_writer(r);
	cJSON_AddStringToObject(o, "tool", "finlint");
	cJSON_AddStringToObject(o, "version", PACKAGE_VERSION);
	cJSON_AddNumberToObject(o, "schema_version", JSON_SCHEMA_VERSION);
	emit_typed(r->out, "summary", o);
	if (r->priv != NULL) {
		jw_free(r->priv);
		free(r->priv);
		r->priv = NULL;
	}
}

const struct report_ops report_jsonl_ops = {
	.name = "jsonl",
	.help = "JSON Lines: a record per connection and per finding, as they finish",
	.needs_zeek = true,
	.begin_file = jsonl_begin_file,
	.conn = jsonl_conn,
	.late = jsonl_late,
	.end_file = jsonl_end_file,
	.end = jsonl_end,
};
