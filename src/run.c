/* run: one pass over one capture: the reader (reader.h) reads and decodes
 * frames, then each packet finds its flow, steps both endpoints, and
 * finished flows are judged and handed to the report. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyse.h"
#include "capclock.h"
#include "capture.h"
#include "classify.h"
#include "decode.h"
#include "escape.h"
#include "filestats.h"
#include "finlint.h"
#include "flow.h"
#include "ladder.h"
#include "reader.h"
#include "report.h"
#include "run.h"
#include "zeek.h"

/* One line per frame in the format tests/decode/ pins down; times as the
 * reports write them. */
static void print_decoded(FILE *out, const struct packet *pkt, enum decode_result r,
			  bool nanosecond)
{
	char src[64], dst[64], flags[9], t[REPORT_TIME_MAX];

	report_time(pkt->ts_ns, nanosecond, t, sizeof t);
	fprintf(out, "%" PRIu64 " t=%s", pkt->num, t);
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

/* A connection silent this long is finished even if not closed; the
 * clock needs a second packet to believe a leap longer than this, so one
 * corrupt timestamp cannot end every open connection. */
enum { IDLE_TIMEOUT_S = CAPCLOCK_LEAP_S };


/* The loop's view of the options, for the helpers below. */
struct loop {
	struct flow_table *t;
	struct report *r;
	const struct rule_config *rules;
	struct analyse_needs needs;  /* what the report's writers read */
	struct conn_report *record;  /* one, reused for every finished connection */
	uint64_t time_wait_ns;
	uint64_t *connections; /* started so far, compact ones when rebuilt */
	struct file_stats *fs;
	struct capclock clock;
	/* the last packet of a batch, when its date needs the next one */
	struct reader_item held;
	bool holding;
	void (*tap)(void *ctx, const struct packet *pkt); /* --pair's, or NULL */
	void *tap_ctx;
};

_Static_assert((int)CLOSE_COUNT <= (int)REPORT_CLOSE_MAX, "REPORT_CLOSE_MAX too small");

/* A finished connection, at capture time now: judge it, build its
 * record, hand it to the report, free it. */
static void finish(const struct loop *l, struct flow *f, uint64_t now)
{
	struct findings found;

	tcp_conn_finish(&f->conn, now);
	rules_check(l->rules, f, &found);
	analyse_connection(f, &found, l->fs, &l->needs, l->record);
	l->fs->capture_copies += f->conn.ep[0].copies + f->conn.ep[1].copies;
	report_conn(l->r, l->record);
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
	while ((f = flow_table_open_idle(l->t, now, IDLE_TIMEOUT_S * NS_PER_S)) != NULL)
		finish(l, f, now);
	/* over --max-memory: the flow comes marked finished_early */
	while ((f = flow_table_over_cap(l->t)) != NULL)
		finish(l, f, now);
	/* the last packet's flow may have closed; nothing holds a flow here */
	flow_table_pack(l->t, now);
}

/* Count f, begun by pkt, and give it a ladder when a writer reads one;
 * prev is the connection whose 4-tuple it reused, or NULL. */
static void begin(const struct loop *l, struct flow *f, const struct packet *pkt,
		  const struct flow_prev *prev)
{
	(*l->connections)++;
	flow_begin(f, pkt, prev);
	if (l->needs.steps)
		f->ladder = xcalloc(1, sizeof *f->ladder);
}

/* A SYN on a 4-tuple whose connection is over starts a new connection;
 * the old one is finished first and linked from the new one. */
static struct flow *new_connection(const struct loop *l, struct flow *old,
				   const struct packet *pkt, unsigned *dir)
{
	struct flow_prev prev;
	struct flow *f;

	flow_prev_note(&prev, old, pkt);
	finish(l, old, pkt->ts_ns);
	f = flow_table_get(l->t, pkt, dir);
	begin(l, f, pkt, &prev);
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

/* Step f with pkt, sent by side dir: its endpoints, and its ladder and
 * Zeek view when a writer reads them.  The Zeek view stays inside the
 * flow, where it is packed with it and in cache when stepped; a run
 * that does not write it leaves it zero, which packs to almost nothing. */
static void step(const struct loop *l, struct flow *f, unsigned dir, const struct packet *pkt)
{
	if (f->first_packet == 0)
		begin(l, f, pkt, NULL);
	f->last_packet = pkt->num;
	f->last_ts = pkt->ts_ns;
	tcp_conn_step(&f->conn, dir, pkt);
	if (f->link.list != FLOW_CLOSED && tcp_conn_closed(&f->conn))
		flow_table_mark_closed(l->t, f);
	if (f->ladder != NULL)
		ladder_record(f->ladder, dir, pkt, &f->conn);
	if (l->needs.zeek)
		zeek_step(&f->zeek, dir, pkt);
}

/* How the flow table rebuilds a connection it kept compact: the same
 * step, packet by packet. */
static void replay(void *ctx, struct flow *f, unsigned dir, const struct packet *pkt)
{
	step(ctx, f, dir, pkt);
}

static void track(const struct loop *l, const struct packet *pkt, const struct flow_key *key,
		  uint64_t hash)
{
	unsigned dir;
	struct flow *f = flow_table_lookup(l->t, pkt, key, hash, &dir);

	if (f == NULL)
		return; /* it has only opened: kept compact, stepped when rebuilt */
	if (f->first_packet != 0) {
		tcp_conn_expire(&f->conn, pkt->ts_ns, l->time_wait_ns);
		if (starts_new_connection(f, dir, pkt))
			f = new_connection(l, f, pkt, &dir);
	}
	step(l, f, dir, pkt);
}

/* Date one packet on the clock (next: the next packet's time, NULL at
 * the end), expire what is over by then and track it.  A packet whose
 * time the clock does not believe is tracked at the clock's time, so it
 * neither ends nor stretches connections. */
static void date_and_track(struct loop *l, const struct reader_item *it, const uint64_t *next)
{
	uint64_t t = capclock_date(&l->clock, it->pkt.ts_ns, next);
	const struct packet *pkt = &it->pkt;
	struct packet redated;

	if (t != pkt->ts_ns) {
		redated = *pkt;
		redated.ts_ns = t;
		pkt = &redated;
	}
	expire_flows(l, t);
	if (l->tap != NULL)
		l->tap(l->tap_ctx, pkt);
	track(l, pkt, &it->key, it->hash);
}

/* Track a batch of packets in order.  A lookup misses cache twice (the
 * slot, then the flow), so each packet's slot is requested two packets
 * before its turn and its flow one packet before. */
static void track_batch(struct loop *l, const struct reader_item *it, size_t n)
{
	if (l->holding) {
		l->holding = false;
		date_and_track(l, &l->held, &it[0].pkt.ts_ns);
	}
	for (size_t i = 0; i < n; i++) {
		if (i + 2 < n)
			flow_table_prefetch_slot(l->t, it[i + 2].hash);
		if (i + 1 < n)
			flow_table_prefetch_flow(l->t, it[i + 1].hash);
		if (i + 1 < n) {
			date_and_track(l, &it[i], &it[i + 1].pkt.ts_ns);
		} else if (capclock_leaps(&l->clock, it[i].pkt.ts_ns)) {
			/* its date waits for the next batch; the batch's memory
			 * does not, so keep a copy */
			l->held = it[i];
			l->holding = true;
		} else {
			date_and_track(l, &it[i], NULL);
		}
	}
}

/* Print every frame decoded, nothing else. */
static enum capture_status print_frames(struct capture *cap, FILE *out, struct file_stats *fs)
{
	struct packet pkt;
	enum decode_result res;
	enum capture_status st;

	while ((st = reader_decode_next(cap, fs, &pkt, &res)) == CAPTURE_FRAME)
		print_decoded(out, &pkt, res, fs->nanosecond);
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
	uint64_t connections = 0;
	struct loop l = { .r = r, .rules = o->rules, .time_wait_ns = o->rules->time_wait_ns,
			  .connections = &connections, .fs = &fs, .tap = o->tap,
			  .tap_ctx = o->tap_ctx };
	enum capture_status st;
	const char *err = open_error;
	bool ok = true;

	memset(&fs, 0, sizeof fs);
	fs.path = path;
	fs.set = o->set;
	if (cap == NULL) {
		escape_diag(path, "%s", err);
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
		escape_diag(path, "%s", fs.error);
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
		escape_diag(path, "%s", fs.error);
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
		st = print_frames(cap, o->out, &fs);
	} else {
		struct reader *rd = reader_start(cap, &fs, o->threads > 1);
		const struct reader_item *items;
		size_t n;

		l.record = xmalloc(sizeof *l.record);
		l.needs.zeek = report_needs_zeek(r);
		l.needs.steps = report_needs_steps(r);
		l.t = flow_table_new();
		flow_table_set_replay(l.t, replay, &l, FLOW_COMPACT_AFTER);
		flow_table_set_cap(l.t, o->max_memory,
				   l.needs.steps ? sizeof(struct ladder) + 16 : 0);
		while ((n = reader_next(rd, &items)) > 0)
			track_batch(&l, items, n);
		if (l.holding)
			date_and_track(&l, &l.held, NULL);
		st = reader_finish(rd);
	}
	fs.filtered = capture_filtered(cap);
	fs.packets = capture_frames(cap);
	if (st == CAPTURE_ERROR) {
		snprintf(fs.error, sizeof fs.error, "%s", capture_error(cap));
		escape_diag(path, "%s", fs.error);
		fs.read_error = true;
		ok = false;
	}
	if (!o->decode_only) {
		/* the capture ends at its last frame's time, dated as a packet
		 * with none after it */
		finish_flows(&l, capclock_date(&l.clock, fs.last_ts, NULL));
		fs.connections = connections;
		fs.finished_early = flow_table_finished_early(l.t);
		fs.max_memory = o->max_memory;
		if (fs.finished_early > 0) {
			char limit[REPORT_SIZE_MAX];

			report_size(o->max_memory, limit, sizeof limit);
			escape_diag(path, "flow memory reached --max-memory %s: %" PRIu64
					" %s finished early (first those that never completed a "
					"handshake, then the least recently active); their records "
					"say so",
				limit, fs.finished_early,
				fs.finished_early == 1 ? "connection was" : "connections were");
		}
		report_end_file(r, &fs);
		flow_table_free(l.t);
		free(l.record);
	}
	capture_close(cap);
	return ok;
}
