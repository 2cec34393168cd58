/* report-json: one JSON document for machines.  Flows are written as they
 * finish, each built and freed on its own, so a huge capture streams in
 * memory bounded by one flow; only the small per-file records wait for the
 * end of the document. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "classify.h"
#include "community-id.h"
#include "decode.h"
#include "escape.h"
#include "finlint.h"
#include "json-writer.h"
#include "report.h"

enum { JSON_SCHEMA_VERSION = 1 };

/* Flows are written with the streaming writer into one reused buffer;
 * the small records written once per file or run (inputs, summary) are
 * built with cJSON. */
struct json_state {
	cJSON *inputs;
	bool first_flow;
	struct jw w;
};

static struct json_state *state(struct report *r)
{
	if (r->priv == NULL) {
		struct json_state *js = xcalloc(1, sizeof *js);

		js->inputs = cJSON_CreateArray();
		js->first_flow = true;
		r->priv = js;
		fprintf(r->out, "{\"tool\":\"finlint\",\"version\":\"%s\",\"schema_version\":%d,"
				"\"flows\":[",
			PACKAGE_VERSION, JSON_SCHEMA_VERSION);
	}
	return r->priv;
}

static void put_time(struct jw *w, const char *key, uint64_t ts, bool nano)
{
	/* formatted in place: see report_time */
	char *p = jw_plain_begin(w, key, REPORT_TIME_MAX);

	jw_plain_end(w, report_time(ts, nano, p, REPORT_TIME_MAX));
}

static void put_endpoint(struct jw *w, const char *key, const struct flow *f, unsigned side)
{
	char *p;

	jw_object(w, key);
	p = jw_plain_begin(w, "addr", REPORT_ADDRESS_MAX);
	jw_plain_end(w, report_address(f, side, p, REPORT_ADDRESS_MAX));
	jw_uint(w, "port", f->side[side].port);
	jw_end(w);
}

static void put_side(struct jw *w, const char *key, const struct tcp_endpoint *ep, bool nano)
{
	jw_object(w, key);
	jw_plain(w, "state", tcp_state_name(ep->state));
	jw_uint(w, "packets", ep->packets);
	jw_uint(w, "data_bytes", ep->data_bytes);
	jw_uint(w, "retransmissions", ep->retransmits);
	jw_uint(w, "gaps", ep->gaps);
	jw_uint(w, "acks_for_unseen_bytes", ep->acks_unseen);
	jw_uint(w, "keepalives", ep->keepalives);
	/* capture caveats: written only when there are any */
	if (ep->copies > 0) {
		jw_uint(w, "capture_copies", ep->copies);
		jw_uint(w, "first_copy_packet", ep->copy_pkt);
	}
	if (ep->shift_known)
		jw_uint(w, "copy_seq_shift", ep->seq_shift);
	if (ep->pad_segments > 0) {
		jw_uint(w, "padding_segments", ep->pad_segments);
		jw_uint(w, "first_padding_packet", ep->pad_pkt);
	}
	if (ep->isn_known)
		jw_uint(w, "isn", ep->isn);
	if (ep->fin_seen) {
		jw_object(w, "fin");
		jw_uint(w, "seq", ep->fin_seq);
		jw_uint(w, "packet", ep->fin_pkt);
		put_time(w, "time", ep->fin_ts, nano);
		jw_uint(w, "times_sent", ep->fin_count);
		if (ep->fin_before_handshake)
			jw_bool(w, "before_handshake", true);
		if (ep->fin_acked)
			jw_uint(w, "acked_by_packet", ep->fin_ack_pkt);
		else
			jw_null(w, "acked_by_packet");
		jw_end(w);
	}
	if (ep->rsts > 0) {
		static const char *const kinds[] = { "none", "no-socket", "abort", "other" };
		char flags[9];

		decode_flags_str(ep->rst_flags, flags);
		jw_object(w, "rst");
		jw_uint(w, "packet", ep->rst_pkt);
		jw_plain(w, "flags", flags);
		jw_uint(w, "seq", ep->rst_seq);
		if (ep->rst_flags & TCP_ACK)
			jw_uint(w, "ack", ep->rst_ack);
		jw_plain(w, "kind", kinds[ep->rst_kind & 3]);
		jw_uint(w, "count", ep->rsts);
		if (ep->rst_accept_pkt != 0) {
			/* who sent it: its TTL beside the sender's usual ones */
			jw_object(w, "accepted");
			jw_uint(w, "packet", ep->rst_accept_pkt);
			jw_uint(w, "ttl", ep->rst_ttl);
			jw_uint(w, "ip_id", ep->rst_ip_id);
			jw_end(w);
			if (ep->ttl_n > 0) {
				jw_object(w, "sender_ttl");
				jw_uint(w, "min", ep->ttl_min);
				jw_uint(w, "max", ep->ttl_max);
				if (ep->data_ttl_n > 0) {
					jw_uint(w, "data_min", ep->data_ttl_min);
					jw_uint(w, "data_max", ep->data_ttl_max);
				}
				jw_end(w);
			}
		}
		if (ep->rst_data_pkt != 0) {
			char text[4 * TCP_RST_EXCERPT_MAX + 1];

			escape_bytes(ep->rst_excerpt, ep->rst_excerpt_len, text, sizeof text);
			jw_object(w, "payload");
			jw_uint(w, "packet", ep->rst_data_pkt);
			jw_uint(w, "bytes", ep->rst_data_len);
			jw_string(w, "excerpt", text);
			jw_end(w);
		}
		jw_end(w);
	}
	jw_array(w, "timeline");
	for (unsigned i = 0; i < ep->timeline_count; i++) {
		jw_object(w, NULL);
		jw_plain(w, "state", tcp_state_name(ep->timeline[i].state));
		put_time(w, "time", ep->timeline[i].ts, nano);
		if (ep->timeline[i].pkt != 0)
			jw_uint(w, "packet", ep->timeline[i].pkt);
		else
			jw_plain(w, "packet", "timer");
		jw_end(w);
	}
	jw_end(w);
	jw_end(w);
}

/* Mid-stream, "client" is the first packet's sender (mid_stream says so). */
static const char *closer_name(int closer)
{
	switch (closer) {
	case 0:
		return "client";
	case 1:
		return "server";
	case CLOSER_BOTH:
		return "both";
	default:
		return NULL;
	}
}

static void json_begin_file(struct report *r, const struct file_stats *fs)
{
	(void)fs;
	state(r); /* the document's head, before the first flow */
}

/* The members of one finding (the caller opens and closes the object). */
static void put_finding(struct jw *w, const struct finding *fd)
{
	const struct rule_info *ri = rule_info(fd->rule);

	jw_plain(w, "rule", ri->id);
	jw_plain(w, "code", ri->code);
	jw_plain(w, "severity", severity_name(fd->severity));
	jw_plain(w, "confidence", confidence_name(fd->confidence));
	if (fd->side >= 0)
		jw_plain(w, "endpoint", fd->side == 0 ? "client" : "server");
	else
		jw_null(w, "endpoint");
	jw_array(w, "packets");
	for (unsigned i = 0; i < fd->npkts; i++)
		jw_uint(w, NULL, fd->pkts[i]);
	jw_end(w);
	jw_string(w, "message", fd->message);
	jw_string(w, "fix", ri->fix);
}

/* Both sides' transitions in packet order: who entered which state when. */
static void put_merged_timeline(struct jw *w, const struct tcp_conn *c, bool nano)
{
	unsigned i = 0, j = 0;

	jw_array(w, "timeline");
	while (i < c->ep[0].timeline_count || j < c->ep[1].timeline_count) {
		const struct tcp_transition *a =
			i < c->ep[0].timeline_count ? &c->ep[0].timeline[i] : NULL;
		const struct tcp_transition *b =
			j < c->ep[1].timeline_count ? &c->ep[1].timeline[j] : NULL;
		bool take_a = b == NULL ||
			      (a != NULL && (a->ts < b->ts || (a->ts == b->ts && a->pkt <= b->pkt)));
		const struct tcp_transition *t = take_a ? a : b;

		jw_object(w, NULL);
		jw_plain(w, "side", take_a ? "client" : "server");
		jw_plain(w, "state", tcp_state_name(t->state));
		put_time(w, "time", t->ts, nano);
		if (t->pkt != 0)
			jw_uint(w, "packet", t->pkt);
		else
			jw_plain(w, "packet", "timer");
		jw_end(w);
		if (take_a)
			i++;
		else
			j++;
	}
	jw_end(w);
}

/* The flow object of the output contract (docs/finlint.1, REPORTS); with
 * a type, the JSON Lines record that starts with it. */
static void put_flow(struct jw *w, const struct flow *f, const struct findings *found,
		     const struct file_stats *file, const char *type)
{
	const struct tcp_conn *c = &f->conn;
	struct close_verdict v = found->close;
	bool nano = file != NULL && file->nanosecond;
	const char *closer = closer_name(v.active_closer);
	char cid[COMMUNITY_ID_LEN];

	jw_object(w, NULL);
	if (type != NULL)
		jw_plain(w, "type", type);
	jw_uint(w, "id", f->id);
	jw_string(w, "file", file != NULL ? file->path : "");
	put_endpoint(w, "client", f, 0);
	put_endpoint(w, "server", f, 1);
	report_community_id(f, cid);
	jw_plain(w, "community_id", cid); /* base64 */
	jw_bool(w, "mid_stream", c->mid_stream);
	{
		struct capture_point_verdict cp = classify_capture_point(c);

		jw_object(w, "capture_point");
		jw_plain(w, "where", capture_point_name(cp.where));
		if (cp.handshake_seen) {
			jw_uint(w, "syn_to_synack_us", cp.syn_to_synack_ns / 1000u);
			jw_uint(w, "synack_to_ack_us", cp.synack_to_ack_ns / 1000u);
		}
		jw_end(w);
	}
	jw_uint(w, "first_packet", f->first_packet);
	jw_uint(w, "last_packet", f->last_packet);
	put_time(w, "first_time", f->first_ts, nano);
	put_time(w, "last_time", f->last_ts, nano);
	if (f->finished_early)
		jw_bool(w, "finished_early", true);
	jw_plain(w, "close", classify_name(v.cls));
	if (closer != NULL)
		jw_plain(w, "active_closer", closer);
	else
		jw_null(w, "active_closer");
	{
		/* Zeek's conn.log line for this flow, then the further lines its
		 * timers or reuse rule would cut the flow into */
		struct zeek_piece zp;
		unsigned i;

		for (i = 0; zeek_piece_get(&f->zeek, i, &zp); i++) {
			if (i == 1)
				jw_array(w, "zeek_split");
			if (i > 0) {
				jw_object(w, NULL);
				jw_uint(w, "first_packet", zp.first_pkt);
			}
			jw_plain(w, "conn_state", zeek_conn_state_name(zp.conn_state));
			jw_string(w, "history", zp.history);
			jw_plain(w, "zeek_orig", zp.orig_side == 0 ? "client" : "server");
			if (i > 0)
				jw_end(w);
		}
		if (i > 1)
			jw_end(w);
		if (zeek_pieces_dropped(&f->zeek) > 0)
			jw_uint(w, "zeek_split_dropped", zeek_pieces_dropped(&f->zeek));
	}
	jw_bool(w, "three_way", v.three_way);
	jw_object(w, "states");
	jw_plain(w, "client", tcp_state_name(c->ep[0].state));
	jw_plain(w, "server", tcp_state_name(c->ep[1].state));
	jw_end(w);
	put_side(w, "client_side", &c->ep[0], nano);
	put_side(w, "server_side", &c->ep[1], nano);
	if (f->prev_id != 0) {
		jw_object(w, "reuses");
		jw_uint(w, "id", f->prev_id);
		jw_plain(w, "client_state", tcp_state_name(f->conn.reuse.state[0]));
		jw_plain(w, "server_state", tcp_state_name(f->conn.reuse.state[1]));
		jw_end(w);
	}
	jw_array(w, "events");
	for (unsigned i = 0; i < c->event_count; i++) {
		const struct tcp_event *e = &c->events[i];

		if (e->type == EV_SYN_REUSE)
			continue; /* "reuses" above says it */
		jw_object(w, NULL);
		jw_plain(w, "event", tcp_event_name(e->type));
		jw_uint(w, "packet", e->pkt);
		jw_plain(w, "from", e->dir == 0 ? "client" : "server");
		jw_uint(w, "a", e->a);
		jw_uint(w, "b", e->b);
		jw_end(w);
	}
	jw_end(w);
	jw_uint(w, "events_dropped", c->events_dropped);
	jw_array(w, "findings");
	for (unsigned i = 0; i < found->n; i++) {
		jw_object(w, NULL);
		put_finding(w, &found->f[i]);
		jw_end(w);
	}
	jw_end(w);
	put_merged_timeline(w, c, nano);
	jw_end(w);
}


/* One JSON Lines record, its "type" first so a reader can dispatch on
 * the first key; o is freed. */
static void emit_typed(FILE *out, const char *type, cJSON *o)
{
	char *text = cJSON_PrintUnformatted(o);

	if (text == NULL)
		fatal("out of memory writing JSON");
	fprintf(out, "{\"type\":\"%s\"%s%s\n", type, text[1] == '}' ? "" : ",", text + 1);
	cJSON_free(text);
	cJSON_Delete(o);
}

static void json_flow(struct report *r, const struct flow *f, const struct findings *found)
{
	struct json_state *js = state(r);

	if (!report_lists(r, found, FLOWS_ALL))
		return;
	/* the separator goes out with the record: one write per flow */
	if (js->first_flow)
		jw_raw(&js->w, "\n", 1);
	else
		jw_raw(&js->w, ",\n", 2);
	put_flow(&js->w, f, found, r->file, NULL);
	jw_flush(&js->w, r->out);
	js->first_flow = false;
}

/* A string member that is valid UTF-8 whatever bytes s holds: cJSON
 * copies them as they are. */
static void add_utf8(cJSON *o, const char *key, const char *s)
{
	char *u = escape_utf8(s);

	cJSON_AddStringToObject(o, key, u);
	free(u);
}

/* The record of one input file. */
static cJSON *file_object(const struct file_stats *fs)
{
	cJSON *o = cJSON_CreateObject();

	add_utf8(o, "file", fs->path);
	if (fs->link_name != NULL) {
		cJSON_AddStringToObject(o, "link_type", fs->link_name);
		cJSON_AddBoolToObject(o, "nanosecond", fs->nanosecond);
		cJSON_AddNumberToObject(o, "packets", (double)fs->packets);
		cJSON_AddNumberToObject(o, "filtered_out", (double)fs->filtered);
		cJSON_AddNumberToObject(o, "tcp_segments", (double)fs->tcp);
		cJSON_AddNumberToObject(o, "connections", (double)fs->connections);
		if (fs->finished_early > 0)
			cJSON_AddNumberToObject(o, "finished_early", (double)fs->finished_early);
		cJSON_AddNumberToObject(o, "truncated_segments", (double)fs->truncated);
		cJSON_AddNumberToObject(o, "header_truncated", (double)fs->header_cut);
		cJSON_AddNumberToObject(o, "fragments", (double)fs->fragments);
		cJSON_AddNumberToObject(o, "malformed", (double)fs->malformed);
		cJSON_AddNumberToObject(o, "tunneled", (double)fs->tunneled);
		if (fs->time_back > 0) {
			cJSON *b = cJSON_AddObjectToObject(o, "time_backwards");

			cJSON_AddNumberToObject(b, "count", (double)fs->time_back);
			cJSON_AddNumberToObject(b, "first_packet", (double)fs->time_back_pkt);
			cJSON_AddNumberToObject(b, "seconds", (double)fs->time_back_ns / 1e9);
		}
		if (fs->capture_copies > 0)
			cJSON_AddNumberToObject(o, "capture_copies", (double)fs->capture_copies);
	}
	if (fs->error[0] != '\0')
		add_utf8(o, "error", fs->error);
	else
		cJSON_AddNullToObject(o, "error");
	return o;
}


static void json_end_file(struct report *r, const struct file_stats *fs)
{
	struct json_state *js = state(r);

	cJSON_AddItemToArray(js->inputs, file_object(fs));
}

/* The summary's counters: connections by close class, findings by
 * severity and by rule (rules that found nothing are left out). */
static cJSON *summary(const struct report *r)
{
	cJSON *o = cJSON_CreateObject(), *cls = cJSON_CreateObject(), *sev = cJSON_CreateObject();
	cJSON *rules = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "files", (double)r->files);
	cJSON_AddNumberToObject(o, "files_failed", (double)r->files_failed);
	cJSON_AddNumberToObject(o, "packets", (double)r->packets);
	cJSON_AddNumberToObject(o, "tcp_segments", (double)r->tcp);
	cJSON_AddNumberToObject(o, "connections", (double)r->connections);
	for (unsigned i = 0; i < CLOSE_COUNT; i++)
		cJSON_AddNumberToObject(cls, classify_name((enum close_class)i),
					(double)r->by_close[i]);
	cJSON_AddItemToObject(o, "close", cls);
	for (unsigned i = SEV_INFO; i < SEV_NEVER; i++)
		cJSON_AddNumberToObject(sev, severity_name(i), (double)r->findings[i]);
	cJSON_AddItemToObject(o, "findings", sev);
	for (unsigned i = 0; i < RULE_COUNT; i++)
		if (r->by_rule[i] > 0)
			cJSON_AddNumberToObject(rules, rule_info(i)->id, (double)r->by_rule[i]);
	cJSON_AddItemToObject(o, "rules", rules);
	cJSON_AddStringToObject(o, "fail_on", severity_name(r->fail_on));
	cJSON_AddStringToObject(o, "min_confidence", confidence_name(r->min_confidence));
	cJSON_AddNumberToObject(o, "below_min_confidence", (double)r->unsure);
	cJSON_AddBoolToObject(o, "failed", r->failed);
	cJSON_AddNumberToObject(o, "exit_status", report_exit_status(r));
	return o;
}

static void json_end(struct report *r)
{
	struct json_state *js = state(r);
	cJSON *sum = summary(r);
	char *text = cJSON_PrintUnformatted(js->inputs);
	char *stext = cJSON_PrintUnformatted(sum);

	if (text == NULL || stext == NULL)
		fatal("out of memory writing JSON");
	fprintf(r->out, "%s],\n\"inputs\":%s,\n\"summary\":%s}\n", js->first_flow ? "" : "\n",
		text, stext);
	cJSON_free(text);
	cJSON_free(stext);
	cJSON_Delete(sum);
	cJSON_Delete(js->inputs);
	jw_free(&js->w);
	free(js);
	r->priv = NULL;
}

/* ---- JSON Lines: one object per line, written as the analysis goes ---- */

/* The stream's writer; the first call also writes the header record, so
 * a streaming reader learns the format version before any data. */
static struct jw *jsonl_writer(struct report *r)
{
	if (r->priv == NULL) {
		r->priv = xcalloc(1, sizeof(struct jw));
		fprintf(r->out, "{\"type\":\"header\",\"tool\":\"finlint\",\"version\":\"%s\","
				"\"schema_version\":%d}\n",
			PACKAGE_VERSION, JSON_SCHEMA_VERSION);
	}
	return r->priv;
}

static void jsonl_begin_file(struct report *r, const struct file_stats *fs)
{
	(void)fs;
	jsonl_writer(r);
}

static void jsonl_flow(struct report *r, const struct flow *f, const struct findings *found)
{
	const struct file_stats *fs = r->file;
	struct jw *w = jsonl_writer(r);

	if (report_lists(r, found, FLOWS_ALL)) {
		put_flow(w, f, found, fs, "flow");
		jw_raw(w, "\n", 1);
		jw_flush(w, r->out);
	}
	for (unsigned i = 0; i < found->n; i++) {
		jw_object(w, NULL);
		jw_plain(w, "type", "finding");
		put_finding(w, &found->f[i]);
		jw_string(w, "file", fs != NULL ? fs->path : "");
		jw_uint(w, "flow", f->id);
		jw_end(w);
		jw_raw(w, "\n", 1);
		jw_flush(w, r->out);
	}
}

static void jsonl_end_file(struct report *r, const struct file_stats *fs)
{
	emit_typed(r->out, "file", file_object(fs));
}

static void jsonl_end(struct report *r)
{
	cJSON *o = summary(r);

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
	.begin_file = jsonl_begin_file,
	.flow = jsonl_flow,
	.end_file = jsonl_end_file,
	.end = jsonl_end,
};

const struct report_ops report_json_ops = {
	.name = "json",
	.begin_file = json_begin_file,
	.flow = json_flow,
	.end_file = json_end_file,
	.end = json_end,
};
