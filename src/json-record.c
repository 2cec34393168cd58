/* json-record: the objects both JSON formats are made of (the output
 * contract of docs/finlint.1, REPORTS): a connection and its findings,
 * written with the streaming writer, and the small per-file and per-run
 * records, built with cJSON. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "capset.h"
#include "escape.h"
#include "finlint.h"
#include "json-record.h"

static void put_time(struct jw *w, const char *key, uint64_t ts, bool nano)
{
	/* formatted in place: see report_time */
	char *p = jw_plain_begin(w, key, REPORT_TIME_MAX);

	jw_plain_end(w, report_time(ts, nano, p, REPORT_TIME_MAX));
}

static void put_endpoint(struct jw *w, const char *key, const struct conn_endpoint *e)
{
	jw_object(w, key);
	jw_plain(w, "addr", e->addr);
	jw_uint(w, "port", e->port);
	jw_end(w);
}

static void put_count(struct jw *w, const char *key, uint64_t n)
{
	if (n > 0)
		jw_uint(w, key, n);
}

/* Seconds since the connection's first packet, at the capture's
 * resolution; negative when the capture's clock stepped back.  Written
 * by hand: snprintf was the largest single cost of a record. */
static void put_offset(struct jw *w, const char *key, uint64_t ts, uint64_t base, bool nano)
{
	char *p = jw_member_(w, key, 32); /* a JSON number, written in place */
	uint64_t d = ts >= base ? ts - base : base - ts;
	uint64_t frac = nano ? d % 1000000000u : d % 1000000000u / 1000u;
	unsigned digits = nano ? 9 : 6;

	if (ts < base)
		*p++ = '-';
	p = jw_decimal_(p, d / 1000000000u);
	*p++ = '.';
	for (unsigned i = digits; i-- > 0; frac /= 10)
		p[i] = (char)('0' + frac % 10);
	jw_done_(w, p + digits);
}

static const char *side_name(unsigned side)
{
	return side == 0 ? "client" : "server";
}

static void put_side(struct jw *w, const char *key, const struct conn_report *c, unsigned side)
{
	const struct conn_side *s = &c->side[side];
	bool nano = c->nanosecond;

	jw_object(w, key);
	jw_plain(w, "state", s->state);
	jw_uint(w, "packets", s->packets);
	jw_uint(w, "data_bytes", s->data_bytes);
	/* the counters of trouble: absent when zero, as most are */
	put_count(w, "retransmissions", s->retransmissions);
	put_count(w, "gaps", s->gaps);
	put_count(w, "acks_for_unseen_bytes", s->acks_unseen);
	put_count(w, "keepalives", s->keepalives);
	/* capture caveats: written only when there are any */
	if (s->copies > 0) {
		jw_uint(w, "capture_copies", s->copies);
		jw_uint(w, "first_copy_packet", s->first_copy_pkt);
	}
	if (s->shift_known)
		jw_uint(w, "copy_seq_shift", s->seq_shift);
	if (s->pad_segments > 0) {
		jw_uint(w, "padding_segments", s->pad_segments);
		jw_uint(w, "first_padding_packet", s->first_pad_pkt);
	}
	if (s->isn_known)
		jw_uint(w, "isn", s->isn);
	if (s->has_fin) {
		const struct conn_fin *f = &s->fin;

		jw_object(w, "fin");
		jw_uint(w, "seq", f->seq);
		jw_uint(w, "packet", f->pkt);
		put_time(w, "time", f->ts, nano);
		jw_uint(w, "times_sent", f->times_sent);
		if (f->before_handshake)
			jw_bool(w, "before_handshake", true);
		if (f->acked_by != 0)
			jw_uint(w, "acked_by_packet", f->acked_by);
		else
			jw_null(w, "acked_by_packet");
		jw_end(w);
	}
	if (s->has_rst) {
		const struct conn_rst *r = &s->rst;

		jw_object(w, "rst");
		jw_uint(w, "packet", r->pkt);
		jw_plain(w, "flags", r->flags);
		jw_uint(w, "seq", r->seq);
		if (r->has_ack)
			jw_uint(w, "ack", r->ack);
		jw_plain(w, "kind", r->kind);
		jw_uint(w, "count", r->count);
		if (r->accepted_pkt != 0) {
			/* who sent it: its TTL beside the sender's usual ones */
			jw_object(w, "accepted");
			jw_uint(w, "packet", r->accepted_pkt);
			jw_uint(w, "ttl", r->ttl);
			jw_uint(w, "ip_id", r->ip_id);
			jw_end(w);
			if (r->sender_ttl_known) {
				jw_object(w, "sender_ttl");
				jw_uint(w, "min", r->ttl_min);
				jw_uint(w, "max", r->ttl_max);
				if (r->data_ttl_known) {
					jw_uint(w, "data_min", r->data_ttl_min);
					jw_uint(w, "data_max", r->data_ttl_max);
				}
				jw_end(w);
			}
		}
		if (r->payload_pkt != 0) {
			char text[4 * CONN_EXCERPT_MAX + 1];

			escape_bytes(r->excerpt, r->excerpt_len, text, sizeof text);
			jw_object(w, "payload");
			jw_uint(w, "packet", r->payload_pkt);
			jw_uint(w, "bytes", r->payload_bytes);
			jw_string(w, "excerpt", text);
			jw_end(w);
		}
		jw_end(w);
	}
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
	case CONN_CLOSER_BOTH:
		return "both";
	default:
		return NULL;
	}
}

/* The members of one finding (the caller opens and closes the object). */
void json_put_finding(struct jw *w, const struct conn_report *c, const struct conn_finding *fd)
{
	json_put_finding_of(w, c->set, fd);
}

void json_put_finding_of(struct jw *w, const struct capset *set, const struct conn_finding *fd)
{
	const struct rule_info *ri = fd->rule;

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
	if (set != NULL) {
		/* --merge: where Wireshark finds each of them */
		jw_array(w, "frames");
		for (unsigned i = 0; i < fd->npkts; i++) {
			unsigned file;
			uint64_t frame;

			if (!capset_origin(set, fd->pkts[i], &file, &frame))
				continue;
			jw_object(w, NULL);
			jw_string(w, "file", capset_path(set, file));
			jw_uint(w, "frame", frame);
			jw_end(w);
		}
		jw_end(w);
	}
	jw_string(w, "message", fd->message);
	jw_string(w, "fix", ri->fix);
	if (fd->baselined)
		jw_bool(w, "baselined", true);
}

static void put_endpoint(struct jw *w, const char *key, const struct conn_endpoint *e);

void json_put_late(struct jw *w, const struct late_report *l)
{
	const struct conn_finding *fd = &l->finding;

	if (fd->rule != NULL) {
		json_put_finding_of(w, l->set, fd);
	} else {
		jw_plain(w, "endpoint", fd->side == 0 ? "client" : "server");
		jw_uint(w, "first_packet", fd->pkts[0]);
		jw_string(w, "message", fd->message);
		if (l->zeek_count > 0) {
			jw_array(w, "zeek_split");
			for (unsigned i = 0; i < l->zeek_count; i++) {
				const struct conn_zeek_line *z = &l->zeek[i];

				jw_object(w, NULL);
				jw_uint(w, "first_packet", z->first_pkt);
				jw_plain(w, "conn_state", z->conn_state);
				jw_string(w, "history", z->history);
				jw_plain(w, "zeek_orig", z->orig_side == 0 ? "client" : "server");
				jw_end(w);
			}
			jw_end(w);
		}
	}
	jw_string(w, "file", l->file);
	jw_uint(w, "flow", l->id);
	put_endpoint(w, "client", &l->end[0]);
	put_endpoint(w, "server", &l->end[1]);
	jw_plain(w, "community_id", l->community_id);
}

/* Both sides' transitions in one list, one entry per packet (or timer)
 * that moved a side: the state each side it moved entered.  A side moved
 * twice by one packet gets a second entry for the same packet. */
static void put_timeline(struct jw *w, const struct conn_report *c)
{
	unsigned i = 0;

	jw_array(w, "timeline");
	while (i < c->timeline_count) {
		const struct conn_transition *t = &c->timeline[i];
		bool moved[2] = { false, false };

		jw_object(w, NULL);
		if (t->pkt != 0)
			jw_uint(w, "packet", t->pkt);
		else
			jw_plain(w, "packet", "timer");
		put_offset(w, "at", t->ts, c->first_ts, c->nanosecond);
		for (; i < c->timeline_count; i++) {
			const struct conn_transition *u = &c->timeline[i];

			if (u->pkt != t->pkt || u->ts != t->ts || u->side > 1 || moved[u->side])
				break;
			moved[u->side] = true;
			jw_plain(w, side_name(u->side), u->state);
		}
		if (!moved[0] && !moved[1])
			i++; /* a side the record cannot name: never loop on it */
		jw_end(w);
	}
	jw_end(w);
}

/* Whether an event only repeats a side's FIN or RST record, which the
 * record holds in full. */
static bool event_in_records(const struct conn_report *c, const struct conn_event *e)
{
	const struct conn_side *s = &c->side[e->side & 1];
	const struct conn_side *peer = &c->side[!(e->side & 1)];

	if (strcmp(e->name, "syn-reuse") == 0)
		return true; /* the "reuses" block says it */
	if (strcmp(e->name, "fin") == 0)
		return s->has_fin && e->pkt == s->fin.pkt && e->a == s->fin.seq && e->b == e->a;
	if (strcmp(e->name, "fin-acked") == 0)
		return peer->has_fin && e->pkt == peer->fin.acked_by && e->b == peer->fin.seq &&
		       e->a == (uint32_t)(peer->fin.seq + 1u);
	if (strcmp(e->name, "rst") == 0)
		return s->has_rst && e->pkt == s->rst.pkt && e->a == s->rst.seq &&
		       e->b == (s->rst.has_ack ? s->rst.ack : 0u);
	return false;
}

static void put_events(struct jw *w, const struct conn_report *c)
{
	bool open = false;

	for (unsigned i = 0; i < c->event_count; i++) {
		const struct conn_event *e = &c->events[i];

		if (event_in_records(c, e))
			continue;
		if (!open)
			jw_array(w, "events");
		open = true;
		jw_object(w, NULL);
		jw_plain(w, "event", e->name);
		jw_uint(w, "packet", e->pkt);
		jw_plain(w, "from", side_name(e->side));
		if (e->a_name != NULL)
			jw_uint(w, e->a_name, e->a);
		if (e->b_name != NULL)
			jw_uint(w, e->b_name, e->b);
		jw_end(w);
	}
	if (open)
		jw_end(w);
	put_count(w, "events_dropped", c->events_dropped);
}

/* Zeek's conn.log line for this connection, then the further lines its
 * timers or reuse rule would cut it into. */
static void put_zeek(struct jw *w, const struct conn_report *c)
{
	unsigned i;

	for (i = 0; i < c->zeek_count; i++) {
		const struct conn_zeek_line *z = &c->zeek[i];

		if (i == 1)
			jw_array(w, "zeek_split");
		if (i > 0) {
			jw_object(w, NULL);
			jw_uint(w, "first_packet", z->first_pkt);
		}
		jw_plain(w, "conn_state", z->conn_state);
		jw_string(w, "history", z->history);
		jw_plain(w, "zeek_orig", z->orig_side == 0 ? "client" : "server");
		if (i > 0)
			jw_end(w);
	}
	if (i > 1)
		jw_end(w);
	if (c->zeek_dropped > 0)
		jw_uint(w, "zeek_split_dropped", c->zeek_dropped);
}

void json_put_conn(struct jw *w, const struct conn_report *c, const char *type)
{
	bool nano = c->nanosecond;
	const char *closer = closer_name(c->active_closer);

	jw_object(w, NULL);
	if (type != NULL)
		jw_plain(w, "type", type);
	jw_uint(w, "id", c->id);
	jw_string(w, "file", c->file);
	put_endpoint(w, "client", &c->end[0]);
	put_endpoint(w, "server", &c->end[1]);
	jw_plain(w, "community_id", c->community_id); /* base64 */
	jw_bool(w, "mid_stream", c->mid_stream);
	jw_object(w, "capture_point");
	jw_plain(w, "where", c->capture_point);
	if (c->handshake_seen) {
		/* rounded, as the text report rounds its milliseconds */
		jw_uint(w, "syn_to_synack_us", (c->syn_to_synack_ns + 500u) / 1000u);
		jw_uint(w, "synack_to_ack_us", (c->synack_to_ack_ns + 500u) / 1000u);
	}
	jw_end(w);
	jw_uint(w, "first_packet", c->first_pkt);
	jw_uint(w, "last_packet", c->last_pkt);
	put_time(w, "first_time", c->first_ts, nano);
	put_time(w, "last_time", c->last_ts, nano);
	if (c->finished_early)
		jw_bool(w, "finished_early", true);
	jw_plain(w, "close", c->close);
	if (closer != NULL)
		jw_plain(w, "active_closer", closer);
	else
		jw_null(w, "active_closer");
	if (c->zeek_known)
		put_zeek(w, c);
	jw_bool(w, "three_way", c->three_way);
	put_side(w, "client_side", c, 0);
	put_side(w, "server_side", c, 1);
	if (c->prev_id != 0) {
		jw_object(w, "reuses");
		jw_uint(w, "id", c->prev_id);
		jw_plain(w, "client_state", c->prev_state[0]);
		jw_plain(w, "server_state", c->prev_state[1]);
		jw_end(w);
	}
	put_timeline(w, c);
	put_events(w, c);
	jw_array(w, "findings");
	for (unsigned i = 0; i < c->finding_count; i++) {
		jw_object(w, NULL);
		json_put_finding(w, c, &c->findings[i]);
		jw_end(w);
	}
	jw_end(w);
	jw_end(w);
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
cJSON *json_file_object(const struct file_stats *fs)
{
	cJSON *o = cJSON_CreateObject();

	add_utf8(o, "file", fs->path);
	if (fs->link_name != NULL) {
		cJSON_AddStringToObject(o, "link_type", fs->link_name);
		if (fs->unsupported_link)
			cJSON_AddTrueToObject(o, "unsupported_link");
		cJSON_AddBoolToObject(o, "nanosecond", fs->nanosecond);
		cJSON_AddNumberToObject(o, "snaplen", fs->snaplen);
		cJSON_AddNumberToObject(o, "packets", (double)fs->packets);
		if (fs->packets > 0) {
			char t[REPORT_TIME_MAX];

			report_time(fs->first_ts, fs->nanosecond, t, sizeof t);
			cJSON_AddStringToObject(o, "first_time", t);
			report_time(fs->last_ts, fs->nanosecond, t, sizeof t);
			cJSON_AddStringToObject(o, "last_time", t);
		}
		cJSON_AddNumberToObject(o, "filtered_out", (double)fs->filtered);
		cJSON_AddNumberToObject(o, "not_ip", (double)fs->not_ip);
		cJSON_AddNumberToObject(o, "not_tcp", (double)fs->not_tcp);
		cJSON_AddNumberToObject(o, "tcp_segments", (double)fs->tcp);
		cJSON_AddNumberToObject(o, "connections", (double)fs->connections);
		if (fs->finished_early > 0) {
			cJSON_AddNumberToObject(o, "finished_early", (double)fs->finished_early);
			cJSON_AddNumberToObject(o, "max_memory", (double)fs->max_memory);
		}
		cJSON_AddNumberToObject(o, "truncated_segments", (double)fs->truncated);
		cJSON_AddNumberToObject(o, "header_truncated", (double)fs->header_cut);
		cJSON_AddNumberToObject(o, "fragments", (double)fs->fragments);
		cJSON_AddNumberToObject(o, "malformed", (double)fs->malformed);
		cJSON_AddNumberToObject(o, "tunneled", (double)fs->tunneled);
		if (fs->late_packets > 0) {
			cJSON_AddNumberToObject(o, "late_packets", (double)fs->late_packets);
			cJSON_AddNumberToObject(o, "late_findings", (double)fs->late_findings);
		}
		if (fs->time_back > 0) {
			cJSON *b = cJSON_AddObjectToObject(o, "time_backwards");

			cJSON_AddNumberToObject(b, "count", (double)fs->time_back);
			cJSON_AddNumberToObject(b, "first_packet", (double)fs->time_back_pkt);
			cJSON_AddNumberToObject(b, "seconds", (double)fs->time_back_ns / 1e9);
		}
		if (fs->capture_copies > 0)
			cJSON_AddNumberToObject(o, "capture_copies", (double)fs->capture_copies);
	}
	if (fs->set != NULL) {
		cJSON *files = cJSON_AddArrayToObject(o, "merged_from");

		for (unsigned i = 0; i < capset_files(fs->set); i++) {
			cJSON *f = cJSON_CreateObject();

			add_utf8(f, "file", capset_path(fs->set, i));
			cJSON_AddNumberToObject(f, "packets", (double)capset_packets(fs->set, i));
			if (capset_timed(fs->set, i)) {
				char t[REPORT_TIME_MAX];

				report_time(capset_first_ts(fs->set, i), fs->nanosecond, t, sizeof t);
				cJSON_AddStringToObject(f, "first_time", t);
				report_time(capset_last_ts(fs->set, i), fs->nanosecond, t, sizeof t);
				cJSON_AddStringToObject(f, "last_time", t);
			}
			cJSON_AddItemToArray(files, f);
		}
	}
	if (fs->error[0] != '\0')
		add_utf8(o, "error", fs->error);
	else
		cJSON_AddNullToObject(o, "error");
	return o;
}


/* The summary's counters: connections by close class, findings by
 * severity and by rule (rules that found nothing are left out). */
cJSON *json_summary(const struct report_writer *w)
{
	const struct run_summary *r = w->sum;
	cJSON *o = cJSON_CreateObject(), *cls = cJSON_CreateObject(), *sev = cJSON_CreateObject();
	cJSON *rules = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "files", (double)r->files);
	cJSON_AddNumberToObject(o, "files_failed", (double)r->files_failed);
	cJSON_AddNumberToObject(o, "packets", (double)r->packets);
	cJSON_AddNumberToObject(o, "tcp_segments", (double)r->tcp);
	cJSON_AddNumberToObject(o, "connections", (double)r->connections);
	for (unsigned i = 0; i < conn_close_count(); i++)
		cJSON_AddNumberToObject(cls, conn_close_name(i), (double)r->by_close[i]);
	cJSON_AddItemToObject(o, "close", cls);
	for (unsigned i = SEV_INFO; i < SEV_NEVER; i++)
		cJSON_AddNumberToObject(sev, severity_name(i), (double)r->findings[i]);
	cJSON_AddItemToObject(o, "findings", sev);
	for (unsigned i = 0; i < RULE_COUNT; i++)
		if (r->by_rule[i] > 0)
			cJSON_AddNumberToObject(rules, rule_info(i)->id, (double)r->by_rule[i]);
	cJSON_AddItemToObject(o, "rules", rules);
	cJSON_AddStringToObject(o, "fail_on", severity_name(w->opt->fail_on));
	cJSON_AddStringToObject(o, "min_confidence", confidence_name(w->opt->min_confidence));
	cJSON_AddNumberToObject(o, "below_min_confidence", (double)r->unsure);
	if (w->opt->baseline != NULL)
		cJSON_AddNumberToObject(o, "baselined", (double)r->baselined);
	cJSON_AddBoolToObject(o, "failed", r->failed);
	cJSON_AddNumberToObject(o, "exit_status", r->exit_status);
	return o;
}

