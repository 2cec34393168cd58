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
#include "finlint.h"
#include "report.h"

enum { JSON_SCHEMA_VERSION = 1 };

struct json_state {
	cJSON *inputs;
	const struct file_stats *file; /* the file being read */
	bool first_flow;
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

static void add_time(cJSON *o, const char *key, uint64_t ts, bool nano)
{
	char buf[48];

	report_time(ts, nano, buf, sizeof buf);
	cJSON_AddStringToObject(o, key, buf);
}

static cJSON *endpoint(const struct flow *f, unsigned side)
{
	struct packet ep = { .family = f->family };
	char buf[64], *colon;
	cJSON *o = cJSON_CreateObject();

	memcpy(ep.src, f->side[side].addr, 16);
	ep.sport = f->side[side].port;
	decode_endpoint_str(&ep, true, buf, sizeof buf);
	colon = strrchr(buf, ':');
	if (colon != NULL)
		*colon = '\0';
	if (buf[0] == '[') {
		buf[strlen(buf) - 1] = '\0';
		cJSON_AddStringToObject(o, "addr", buf + 1);
	} else {
		cJSON_AddStringToObject(o, "addr", buf);
	}
	cJSON_AddNumberToObject(o, "port", f->side[side].port);
	return o;
}

static cJSON *side_record(const struct tcp_endpoint *ep, bool nano)
{
	cJSON *o = cJSON_CreateObject(), *tl = cJSON_CreateArray();

	cJSON_AddStringToObject(o, "state", tcp_state_name(ep->state));
	cJSON_AddNumberToObject(o, "packets", (double)ep->packets);
	cJSON_AddNumberToObject(o, "data_bytes", (double)ep->data_bytes);
	cJSON_AddNumberToObject(o, "retransmissions", (double)ep->retransmits);
	cJSON_AddNumberToObject(o, "gaps", ep->gaps);
	cJSON_AddNumberToObject(o, "acks_for_unseen_bytes", ep->acks_unseen);
	cJSON_AddNumberToObject(o, "keepalives", ep->keepalives);
	if (ep->isn_known)
		cJSON_AddNumberToObject(o, "isn", ep->isn);
	if (ep->fin_seen) {
		cJSON *fin = cJSON_CreateObject();

		cJSON_AddNumberToObject(fin, "seq", ep->fin_seq);
		cJSON_AddNumberToObject(fin, "packet", (double)ep->fin_pkt);
		add_time(fin, "time", ep->fin_ts, nano);
		cJSON_AddNumberToObject(fin, "times_sent", ep->fin_count);
		if (ep->fin_acked)
			cJSON_AddNumberToObject(fin, "acked_by_packet", (double)ep->fin_ack_pkt);
		else
			cJSON_AddNullToObject(fin, "acked_by_packet");
		cJSON_AddItemToObject(o, "fin", fin);
	}
	if (ep->rsts > 0) {
		static const char *const kinds[] = { "none", "no-socket", "abort", "other" };
		cJSON *rst = cJSON_CreateObject();
		char flags[9];

		decode_flags_str(ep->rst_flags, flags);
		cJSON_AddNumberToObject(rst, "packet", (double)ep->rst_pkt);
		cJSON_AddStringToObject(rst, "flags", flags);
		cJSON_AddNumberToObject(rst, "seq", ep->rst_seq);
		if (ep->rst_flags & TCP_ACK)
			cJSON_AddNumberToObject(rst, "ack", ep->rst_ack);
		cJSON_AddStringToObject(rst, "kind", kinds[ep->rst_kind & 3]);
		cJSON_AddNumberToObject(rst, "count", ep->rsts);
		cJSON_AddItemToObject(o, "rst", rst);
	}
	for (unsigned i = 0; i < ep->timeline_count; i++) {
		cJSON *t = cJSON_CreateObject();

		cJSON_AddStringToObject(t, "state", tcp_state_name(ep->timeline[i].state));
		add_time(t, "time", ep->timeline[i].ts, nano);
		if (ep->timeline[i].pkt != 0)
			cJSON_AddNumberToObject(t, "packet", (double)ep->timeline[i].pkt);
		else
			cJSON_AddStringToObject(t, "packet", "timer");
		cJSON_AddItemToArray(tl, t);
	}
	cJSON_AddItemToObject(o, "timeline", tl);
	return o;
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
	struct json_state *js = state(r);

	r->files++;
	js->file = fs;
}

static cJSON *finding_record(const struct flow *f, const struct finding *fd)
{
	const struct rule_info *ri = rule_info(fd->rule);
	cJSON *o = cJSON_CreateObject(), *pk = cJSON_CreateArray();

	cJSON_AddStringToObject(o, "rule", ri->id);
	cJSON_AddStringToObject(o, "code", ri->code);
	cJSON_AddStringToObject(o, "severity", severity_name(fd->severity));
	cJSON_AddStringToObject(o, "confidence", confidence_name(fd->confidence));
	if (fd->side >= 0)
		cJSON_AddStringToObject(o, "endpoint", fd->side == 0 ? "client" : "server");
	else
		cJSON_AddNullToObject(o, "endpoint");
	for (unsigned i = 0; i < fd->npkts; i++)
		cJSON_AddItemToArray(pk, cJSON_CreateNumber((double)fd->pkts[i]));
	cJSON_AddItemToObject(o, "packets", pk);
	cJSON_AddStringToObject(o, "message", fd->message);
	cJSON_AddStringToObject(o, "fix", ri->fix);
	(void)f;
	return o;
}

/* Both sides' transitions in packet order: who entered which state when. */
static cJSON *merged_timeline(const struct tcp_conn *c, bool nano)
{
	cJSON *tl = cJSON_CreateArray();
	unsigned i = 0, j = 0;

	while (i < c->ep[0].timeline_count || j < c->ep[1].timeline_count) {
		const struct tcp_transition *a =
			i < c->ep[0].timeline_count ? &c->ep[0].timeline[i] : NULL;
		const struct tcp_transition *b =
			j < c->ep[1].timeline_count ? &c->ep[1].timeline[j] : NULL;
		bool take_a = b == NULL ||
			      (a != NULL && (a->ts < b->ts || (a->ts == b->ts && a->pkt <= b->pkt)));
		const struct tcp_transition *t = take_a ? a : b;
		cJSON *x = cJSON_CreateObject();

		cJSON_AddStringToObject(x, "side", take_a ? "client" : "server");
		cJSON_AddStringToObject(x, "state", tcp_state_name(t->state));
		add_time(x, "time", t->ts, nano);
		if (t->pkt != 0)
			cJSON_AddNumberToObject(x, "packet", (double)t->pkt);
		else
			cJSON_AddStringToObject(x, "packet", "timer");
		cJSON_AddItemToArray(tl, x);
		if (take_a)
			i++;
		else
			j++;
	}
	return tl;
}

/* The flow object of the output contract (docs/finlint.1, JSON REPORT). */
static cJSON *flow_object(const struct flow *f, const struct findings *found,
			  const struct file_stats *file)
{
	const struct tcp_conn *c = &f->conn;
	struct close_verdict v = classify_close(c);
	bool nano = file != NULL && file->nanosecond;
	const char *closer = closer_name(v.active_closer);
	cJSON *o = cJSON_CreateObject(), *states = cJSON_CreateObject(), *ev = cJSON_CreateArray();
	char cid[COMMUNITY_ID_LEN];

	cJSON_AddNumberToObject(o, "id", (double)f->id);
	cJSON_AddStringToObject(o, "file", file != NULL ? file->path : "");
	cJSON_AddItemToObject(o, "client", endpoint(f, 0));
	cJSON_AddItemToObject(o, "server", endpoint(f, 1));
	community_id_v1(cid, 0, f->family, f->side[0].addr, f->side[0].port, f->side[1].addr,
			f->side[1].port, 6 /* TCP */);
	cJSON_AddStringToObject(o, "community_id", cid);
	cJSON_AddBoolToObject(o, "mid_stream", c->mid_stream);
	{
		struct capture_point_verdict cp = classify_capture_point(c);
		cJSON *p = cJSON_CreateObject();

		cJSON_AddStringToObject(p, "where", capture_point_name(cp.where));
		if (cp.handshake_seen) {
			cJSON_AddNumberToObject(p, "syn_to_synack_us",
						(double)(cp.syn_to_synack_ns / 1000u));
			cJSON_AddNumberToObject(p, "synack_to_ack_us",
						(double)(cp.synack_to_ack_ns / 1000u));
		}
		cJSON_AddItemToObject(o, "capture_point", p);
	}
	cJSON_AddNumberToObject(o, "first_packet", (double)f->first_packet);
	cJSON_AddNumberToObject(o, "last_packet", (double)f->last_packet);
	add_time(o, "first_time", f->first_ts, nano);
	add_time(o, "last_time", f->last_ts, nano);
	cJSON_AddStringToObject(o, "close", classify_name(v.cls));
	if (closer != NULL)
		cJSON_AddStringToObject(o, "active_closer", closer);
	else
		cJSON_AddNullToObject(o, "active_closer");
	{
		/* Zeek's conn.log line for this flow, then the further lines its
		 * timers or reuse rule would cut the flow into */
		cJSON *split = NULL;
		struct zeek_piece zp;

		for (unsigned i = 0; zeek_piece_get(&f->zeek, i, &zp); i++) {
			cJSON *z = o;

			if (i > 0) {
				if (split == NULL)
					cJSON_AddItemToObject(o, "zeek_split", split = cJSON_CreateArray());
				cJSON_AddItemToArray(split, z = cJSON_CreateObject());
				cJSON_AddNumberToObject(z, "first_packet", (double)zp.first_pkt);
			}
			cJSON_AddStringToObject(z, "conn_state", zeek_conn_state_name(zp.conn_state));
			cJSON_AddStringToObject(z, "history", zp.history);
			cJSON_AddStringToObject(z, "zeek_orig", zp.orig_side == 0 ? "client" : "server");
		}
		if (zeek_pieces_dropped(&f->zeek) > 0)
			cJSON_AddNumberToObject(o, "zeek_split_dropped", zeek_pieces_dropped(&f->zeek));
	}
	cJSON_AddBoolToObject(o, "three_way", v.three_way);
	cJSON_AddStringToObject(states, "client", tcp_state_name(c->ep[0].state));
	cJSON_AddStringToObject(states, "server", tcp_state_name(c->ep[1].state));
	cJSON_AddItemToObject(o, "states", states);
	cJSON_AddItemToObject(o, "client_side", side_record(&c->ep[0], nano));
	cJSON_AddItemToObject(o, "server_side", side_record(&c->ep[1], nano));
	if (f->prev_id != 0) {
		cJSON *p = cJSON_CreateObject();

		cJSON_AddNumberToObject(p, "id", (double)f->prev_id);
		cJSON_AddStringToObject(p, "client_state", tcp_state_name(f->prev_states[0]));
		cJSON_AddStringToObject(p, "server_state", tcp_state_name(f->prev_states[1]));
		cJSON_AddItemToObject(o, "reuses", p);
	}
	for (unsigned i = 0; i < c->event_count; i++) {
		const struct tcp_event *e = &c->events[i];
		cJSON *x = cJSON_CreateObject();

		cJSON_AddStringToObject(x, "event", tcp_event_name(e->type));
		cJSON_AddNumberToObject(x, "packet", (double)e->pkt);
		cJSON_AddStringToObject(x, "from", e->dir == 0 ? "client" : "server");
		cJSON_AddNumberToObject(x, "a", e->a);
		cJSON_AddNumberToObject(x, "b", e->b);
		cJSON_AddItemToArray(ev, x);
	}
	cJSON_AddItemToObject(o, "events", ev);
	cJSON_AddNumberToObject(o, "events_dropped", c->events_dropped);
	{
		cJSON *fa = cJSON_CreateArray();

		for (unsigned i = 0; i < found->n; i++)
			cJSON_AddItemToArray(fa, finding_record(f, &found->f[i]));
		cJSON_AddItemToObject(o, "findings", fa);
	}
	cJSON_AddItemToObject(o, "timeline", merged_timeline(c, nano));
	return o;
}

/* Whether the report lists this flow (--flows). */
static bool listed(const struct report *r, const struct findings *found)
{
	return r->flows != FLOWS_NONE && (r->flows != FLOWS_FLAGGED || found->n > 0);
}

/* Print an object on one line and free it. */
static void emit(FILE *out, const char *before, cJSON *o, const char *after)
{
	char *text = cJSON_PrintUnformatted(o);

	if (text == NULL)
		fatal("out of memory writing JSON");
	fprintf(out, "%s%s%s", before, text, after);
	cJSON_free(text);
	cJSON_Delete(o);
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

	r->connections++;
	if (!listed(r, found))
		return;
	emit(r->out, js->first_flow ? "\n" : ",\n", flow_object(f, found, js->file), "");
	js->first_flow = false;
}

/* The record of one input file. */
static cJSON *file_object(const struct file_stats *fs)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "file", fs->path);
	if (fs->link_name != NULL) {
		cJSON_AddStringToObject(o, "link_type", fs->link_name);
		cJSON_AddBoolToObject(o, "nanosecond", fs->nanosecond);
		cJSON_AddNumberToObject(o, "packets", (double)fs->packets);
		cJSON_AddNumberToObject(o, "filtered_out", (double)fs->filtered);
		cJSON_AddNumberToObject(o, "tcp_segments", (double)fs->tcp);
		cJSON_AddNumberToObject(o, "connections", (double)fs->connections);
		cJSON_AddNumberToObject(o, "truncated_segments", (double)fs->truncated);
		cJSON_AddNumberToObject(o, "header_truncated", (double)fs->header_cut);
		cJSON_AddNumberToObject(o, "fragments", (double)fs->fragments);
		cJSON_AddNumberToObject(o, "malformed", (double)fs->malformed);
		cJSON_AddNumberToObject(o, "tunneled", (double)fs->tunneled);
	}
	if (fs->error[0] != '\0')
		cJSON_AddStringToObject(o, "error", fs->error);
	else
		cJSON_AddNullToObject(o, "error");
	return o;
}

/* Totals every writer keeps the same way. */
static void count_file(struct report *r, const struct file_stats *fs)
{
	if (fs->error[0] != '\0')
		r->files_failed++;
	r->packets += fs->packets;
	r->tcp += fs->tcp;
}

static void json_end_file(struct report *r, const struct file_stats *fs)
{
	struct json_state *js = state(r);

	count_file(r, fs);
	cJSON_AddItemToArray(js->inputs, file_object(fs));
	js->file = NULL;
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
	for (unsigned i = 0; i <= CLOSE_NOT_CLOSED; i++)
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
	cJSON_AddBoolToObject(o, "failed", r->failed);
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
	free(js);
	r->priv = NULL;
}

/* ---- JSON Lines: one object per line, written as the analysis goes ---- */

static void jsonl_begin_file(struct report *r, const struct file_stats *fs)
{
	r->files++;
	r->file = fs;
}

static void jsonl_flow(struct report *r, const struct flow *f, const struct findings *found)
{
	const struct file_stats *fs = r->file;
	cJSON *o;

	r->connections++;
	if (listed(r, found)) {
		emit_typed(r->out, "flow", flow_object(f, found, fs));
	}
	for (unsigned i = 0; i < found->n; i++) {
		o = finding_record(f, &found->f[i]);
		cJSON_AddStringToObject(o, "file", fs != NULL ? fs->path : "");
		cJSON_AddNumberToObject(o, "flow", (double)f->id);
		emit_typed(r->out, "finding", o);
	}
}

static void jsonl_end_file(struct report *r, const struct file_stats *fs)
{
	count_file(r, fs);
	emit_typed(r->out, "file", file_object(fs));
	r->file = NULL;
}

static void jsonl_end(struct report *r)
{
	cJSON *o = summary(r);

	cJSON_AddStringToObject(o, "tool", "finlint");
	cJSON_AddStringToObject(o, "version", PACKAGE_VERSION);
	cJSON_AddNumberToObject(o, "schema_version", JSON_SCHEMA_VERSION);
	emit_typed(r->out, "summary", o);
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
