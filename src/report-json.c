/* report-json: one JSON document for machines.  Connections are written
 * as they finish, each into one reused buffer, so a huge capture streams
 * in memory bounded by one connection; only the small per-file records
 * wait for the end of the document. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "finlint.h"
#include "json-record.h"
#include "pair.h"
#include "report.h"

struct json_state {
	cJSON *inputs;
	cJSON *pair; /* --pair's section, or NULL */
	struct jw late; /* the late_findings array's members so far */
	bool first_late;
	bool first_flow;
	struct jw w;
};

static struct json_state *state(struct report_writer *r)
{
	if (r->priv == NULL) {
		struct json_state *js = xcalloc(1, sizeof *js);

		js->inputs = cJSON_CreateArray();
		js->first_flow = true;
		js->first_late = true;
		r->priv = js;
		fprintf(r->out, "{\"tool\":\"finlint\",\"version\":\"%s\",\"schema_version\":%d,"
				"\"flows\":[",
			PACKAGE_VERSION, JSON_SCHEMA_VERSION);
	}
	return r->priv;
}

static void json_begin_file(struct report_writer *r, const struct file_stats *fs)
{
	(void)fs;
	state(r); /* the document's head, before the first flow */
}

static void json_conn(struct report_writer *r, const struct conn_report *c)
{
	struct json_state *js = state(r);

	if (!report_lists(r, c, FLOWS_ALL))
		return;
	/* the separator goes out with the record: one write per flow */
	if (js->first_flow)
		jw_raw(&js->w, "\n", 1);
	else
		jw_raw(&js->w, ",\n", 2);
	json_put_conn(&js->w, c, NULL);
	jw_flush(&js->w, r->out);
	js->first_flow = false;
}

/* Late findings wait in memory for the end of the flows array: they are
 * few, one per late packet's kind and connection at most. */
static void json_late(struct report_writer *r, const struct late_report *l)
{
	struct json_state *js = state(r);

	if (!js->first_late)
		jw_raw(&js->late, ",\n", 2);
	js->first_late = false;
	jw_object(&js->late, NULL);
	jw_plain(&js->late, "kind", l->finding.rule == NULL ? "late_packets" : "late_finding");
	json_put_late(&js->late, l);
	jw_end(&js->late);
}

static void json_end_file(struct report_writer *r, const struct file_stats *fs)
{
	struct json_state *js = state(r);

	cJSON_AddItemToArray(js->inputs, json_file_object(fs));
}

static void json_pair(struct report_writer *r, const struct pair *p)
{
	struct json_state *js = state(r);

	cJSON_Delete(js->pair);
	js->pair = pair_json_object(p);
}

static void json_end(struct report_writer *r)
{
	struct json_state *js = state(r);
	cJSON *sum = json_summary(r);
	char *text = cJSON_PrintUnformatted(js->inputs);
	char *stext = cJSON_PrintUnformatted(sum);
	char *ptext = js->pair != NULL ? cJSON_PrintUnformatted(js->pair) : NULL;

	if (text == NULL || stext == NULL || (js->pair != NULL && ptext == NULL))
		fatal("out of memory writing JSON");
	fprintf(r->out, "%s],\n", js->first_flow ? "" : "\n");
	/* only when there are any: a report without is as it always was */
	if (!js->first_late) {
		jw_raw(&js->late, "\n", 1);
		fputs("\"late_findings\":[\n", r->out);
		jw_flush(&js->late, r->out);
		fputs("],\n", r->out);
	}
	fprintf(r->out, "\"inputs\":%s,\n", text);
	if (ptext != NULL)
		fprintf(r->out, "\"pair\":%s,\n", ptext);
	fprintf(r->out, "\"summary\":%s}\n", stext);
	cJSON_free(ptext);
	cJSON_Delete(js->pair);
	cJSON_free(text);
	cJSON_free(stext);
	cJSON_Delete(sum);
	cJSON_Delete(js->inputs);
	jw_free(&js->w);
	jw_free(&js->late);
	free(js);
	r->priv = NULL;
}

const struct report_ops report_json_ops = {
	.name = "json",
	.help = "one JSON document: every connection, the inputs, the summary",
	.needs_zeek = true,
	.begin_file = json_begin_file,
	.conn = json_conn,
	.late = json_late,
	.end_file = json_end_file,
	.pair = json_pair,
	.end = json_end,
};
