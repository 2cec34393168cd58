/* run: one pass over one capture: the reader (reader.h) reads and decodes
 * frames, then each packet finds its flow, steps both endpoints, and
 * finished flows are judged and handed to the report. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "classify.h"
#include "decode.h"
#include "filestats.h"
#include "finlint.h"
#include "flow.h"
#include "ladder.h"
#include "reader.h"
#include "report.h"
#include "run.h"

/* One line per frame in the format tests/decode/ pins down. */
static void print_decoded(FILE *out, const struct packet *pkt, enum decode_result r)
{
	char src[64], dst[64], flags[9];

	fprintf(out, "%" PRIu64 " t=%" PRIu64 ".%09" PRIu64, pkt->num, pkt->ts_ns / 1000000000u,
		pkt->ts_ns % 1000000000u);
	if (r != DECODE_TCP) {
		fprintf(out, " skip %s\n", pkt->skip_reason != NULL ? pkt->skip_reason : "?");
		return;
	}
	decode_endpoint_str(pkt, true, src, sizeof src);
	decode_endpoint_str(pkt, false, dst, sizeof dst);
	decode_flags_str(pkt->flags, flags);
	fprintf(out, " tcp %s > %s flags=%s seq=%" PRIu32 " ack=%" PRIu32 " win=%u len=%" PRIu32,
		src, dst, flags, pkt->seq, pkt->ack, pkt->win, pkt->payload_len);
	if (pkt->opt.has & TCPOPT_HAS_MSS)
		fprintf(out, " mss=%u", pkt->opt.mss);
	if (pkt->opt.has & TCPOPT_HAS_WSCALE)
		fprintf(out, " ws=%u", pkt->opt.wscale);
	if (pkt->opt.has & TCPOPT_HAS_SACKOK)
		fputs(" sackok", out);
	if (pkt->opt.has & TCPOPT_HAS_TS)
		fprintf(out, " ts=%" PRIu32 "/%" PRIu32, pkt->opt.ts_val, pkt->opt.ts_ecr);
	if (pkt->opt.has & TCPOPT_HAS_SACK) {
		for (unsigned i = 0; i < pkt->opt.sack_count; i++)
			fprintf(out, "%s%" PRIu32 "-%" PRIu32, i == 0 ? " sack=" : ",",
				pkt->opt.sack[i][0], pkt->opt.sack[i][1]);
	}
	for (unsigned i = 0; i < pkt->via_count; i++)
		fprintf(out, "%s%s", i == 0 ? " via=" : ",", decode_via_name(pkt->via[i]));
	if (pkt->truncated)
		fputs(" trunc", out);
	fputc('\n', out);
}

/* A connection silent this long is finished even if not closed. */
enum { IDLE_TIMEOUT_S = 3600 };

static const uint64_t NS = 1000000000u;

/* The loop's view of the options, for the helpers below. */
struct loop {
	struct flow_table *t;
	struct report *r;
	const struct rule_config *rules;
	uint64_t time_wait_ns;
	bool ladder;
};

/* A finished connection, at capture time now: judge it, write it, free it. */
static void finish(const struct loop *l, struct flow *f, uint64_t now)
{
	struct findings found;
	struct report *r = l->r;

	tcp_conn_finish(&f->conn, now);
	rules_check(l->rules, f, &found);
	r->by_close[found.close.cls]++;
	for (unsigned i = 0; i < found.n; i++) {
		const struct finding *fd = &found.f[i];

		r->findings[fd->severity]++;
		r->by_rule[fd->rule]++;
		/* a guess does not fail CI: only findings sure enough count */
		if (fd->severity >= r->fail_on && fd->confidence <= r->min_confidence)
			r->failed = true;
		else if (fd->severity >= r->fail_on)
			r->unsure++;
	}
	r->connections++;
	if (r->ops->flow != NULL)
		r->ops->flow(r, f, &found);
	free(f->ladder);
	f->ladder = NULL;
	zeek_conn_free(&f->zeek);
	flow_table_remove(l->t, f);
}

/* A flow is finished once closed and past TIME_WAIT, or idle too long;
 * the activity lists put the candidates at their front. */
static void expire_flows(const struct loop *l, uint64_t now)
{
	struct flow *f;

	while ((f = flow_table_closed_idle(l->t, now, l->time_wait_ns)) != NULL)
		finish(l, f, now);
	while ((f = flow_table_open_idle(l->t, now, IDLE_TIMEOUT_S * NS)) != NULL)
		finish(l, f, now);
	/* the last packet's flow may have closed; nothing holds a flow here */
	flow_table_pack(l->t, now);
}

/* A SYN on a 4-tuple whose connection is over starts a new connection;
 * the old one is finished first and linked from the new one. */
static struct flow *new_connection(const struct loop *l, struct flow *old,
				   const struct packet *pkt, unsigned *dir)
{
	uint64_t prev = old->id, prev_ts = old->last_ts;
	bool swap = memcmp(old->side[0].addr, pkt->src, 16) != 0 || old->side[0].port != pkt->sport;
	uint8_t states[2];
	uint64_t since[2];
	uint32_t nxt[2];
	struct flow *f;

	for (unsigned i = 0; i < 2; i++) {
		const struct tcp_endpoint *ep = &old->conn.ep[i];

		states[i] = ep->state;
		since[i] = ep->state_ts;
		nxt[i] = ep->snd_nxt;
	}
	finish(l, old, pkt->ts_ns);
	f = flow_table_get(l->t, pkt, dir);
	f->prev_id = prev;
	f->prev_last_ts = prev_ts;
	for (unsigned i = 0; i < 2; i++) {
		unsigned from = swap ? !i : i;

		f->prev_states[i] = states[from];
		f->prev_state_ts[i] = since[from];
		f->prev_snd_nxt[i] = nxt[from];
	}
	return f;
}

static bool starts_new_connection(const struct flow *f, unsigned dir, const struct packet *pkt)
{
	const struct tcp_endpoint *ep = &f->conn.ep[dir];

	if ((pkt->flags & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN)
		return false;
	if (ep->isn_known && ep->isn == pkt->seq)
		return false; /* a retransmitted SYN of this connection */
	return tcp_conn_closed(&f->conn) || f->conn.reset ||
	       (f->conn.ep[0].state == TCPS_CLOSED || f->conn.ep[1].state == TCPS_CLOSED);
}

static void track(const struct loop *l, const struct packet *pkt, const struct flow_key *key,
		  uint64_t hash, uint64_t *connections)
{
	unsigned dir;
	struct flow *f = flow_table_get_keyed(l->t, pkt, key, hash, &dir);

	if (f->first_packet != 0) {
		tcp_conn_expire(&f->conn, pkt->ts_ns, l->time_wait_ns);
		if (starts_new_connection(f, dir, pkt))
			f = new_connection(l, f, pkt, &dir);
	}
	if (f->first_packet == 0) {
		(*connections)++;
		f->first_packet = pkt->num;
		f->first_ts = pkt->ts_ns;
		tcp_conn_init(&f->conn, pkt);
		if (l->ladder)
			f->ladder = xcalloc(1, sizeof *f->ladder);
	}
	f->last_packet = pkt->num;
	f->last_ts = pkt->ts_ns;
	tcp_conn_step(&f->conn, dir, pkt);
	if (f->link.list != FLOW_CLOSED && tcp_conn_closed(&f->conn))
		flow_table_mark_closed(l->t, f);
	if (f->ladder != NULL)
		ladder_record(f->ladder, dir, pkt, &f->conn);
	zeek_step(&f->zeek, dir, pkt);
}

/* Track a batch of packets in order.  A lookup misses cache twice (the
 * slot, then the flow), so each packet's slot is requested two packets
 * before its turn and its flow one packet before. */
static void track_batch(const struct loop *l, const struct reader_item *it, size_t n,
			uint64_t *connections)
{
	for (size_t i = 0; i < n; i++) {
		if (i + 2 < n)
			flow_table_prefetch_slot(l->t, it[i + 2].hash);
		if (i + 1 < n)
			flow_table_prefetch_flow(l->t, it[i + 1].hash);
		expire_flows(l, it[i].pkt.ts_ns);
		track(l, &it[i].pkt, &it[i].key, it[i].hash, connections);
	}
}

/* Print every frame decoded, nothing else. */
static enum capture_status print_frames(struct capture *cap, int dlt, FILE *out,
					struct file_stats *fs)
{
	struct packet pkt;
	enum decode_result res;
	enum capture_status st;

	while ((st = reader_decode_next(cap, dlt, fs, &pkt, &res)) == CAPTURE_FRAME)
		print_decoded(out, &pkt, res);
	return st;
}

static void finish_flows(const struct loop *l, uint64_t end)
{
	struct flow *f;

	while ((f = flow_table_oldest(l->t)) != NULL) {
		tcp_conn_expire(&f->conn, end, l->time_wait_ns);
		finish(l, f, end);
	}
}

bool run_file(const char *path, const struct run_options *o, struct report *r)
{
	char err[512];
	struct capture *cap = capture_open(path, err, sizeof err);

	return run_capture(cap, path, err, o, r);
}

bool run_capture(struct capture *cap, const char *path, const char *open_error,
		 const struct run_options *o, struct report *r)
{
	struct file_stats fs;
	struct loop l = { .r = r, .rules = o->rules, .time_wait_ns = o->rules->time_wait_ns,
			  .ladder = o->ladder };
	enum capture_status st;
	const char *err = open_error;
	bool ok = true;

	memset(&fs, 0, sizeof fs);
	fs.path = path;
	if (cap == NULL) {
		fprintf(stderr, "finlint: %s: %s\n", path, err);
		snprintf(fs.error, sizeof fs.error, "%s", err);
		fs.read_error = true;
		if (!o->decode_only) {
			report_begin_file(r, &fs);
			report_end_file(r, &fs);
		}
		return false;
	}
	fs.dlt = capture_dlt(cap);
	fs.link_name = decode_link_name(fs.dlt);
	fs.nanosecond = capture_nanosecond(cap);
	fs.snaplen = capture_snaplen(cap);
	if (!decode_link_supported(fs.dlt)) {
		snprintf(fs.error, sizeof fs.error,
			 "unsupported link type %d (%s): no packets analysed", fs.dlt, fs.link_name);
		fprintf(stderr, "finlint: %s: %s\n", path, fs.error);
		fs.unsupported_link = true;
		if (!o->decode_only) {
			report_begin_file(r, &fs);
			report_end_file(r, &fs);
		}
		capture_close(cap);
		return false;
	}
	if (o->filter != NULL && !capture_set_filter(cap, o->filter, fs.error, sizeof fs.error)) {
		/* every file of a run has the same filter: say it once per file */
		fprintf(stderr, "finlint: %s: %s\n", path, fs.error);
		fs.read_error = true;
		if (!o->decode_only) {
			report_begin_file(r, &fs);
			report_end_file(r, &fs);
		}
		capture_close(cap);
		return false;
	}
	if (!o->decode_only)
		report_begin_file(r, &fs);

	if (o->decode_only) {
		st = print_frames(cap, fs.dlt, o->out, &fs);
	} else {
		struct reader *rd = reader_start(cap, fs.dlt, &fs, o->threads > 1);
		const struct reader_item *items;
		uint64_t connections = 0;
		size_t n;

		l.t = flow_table_new();
		while ((n = reader_next(rd, &items)) > 0)
			track_batch(&l, items, n, &connections);
		st = reader_finish(rd);
		fs.connections = connections;
	}
	fs.filtered = capture_filtered(cap);
	fs.packets = capture_frames(cap);
	if (st == CAPTURE_ERROR) {
		snprintf(fs.error, sizeof fs.error, "%s", capture_error(cap));
		fprintf(stderr, "finlint: %s: %s\n", path, fs.error);
		fs.read_error = true;
		ok = false;
	}
	if (!o->decode_only) {
		finish_flows(&l, fs.last_ts);
		report_end_file(r, &fs);
		flow_table_free(l.t);
	}
	capture_close(cap);
	return ok;
}
