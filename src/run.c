/* run: one pass over one capture: the reader (reader.h) reads and decodes
 * frames, then each packet finds its flow, steps both endpoints, and
 * finished flows are judged and handed to the report. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyse.h"
#include "artefact.h"
#include "capclock.h"
#include "capture.h"
#include "classify.h"
#include "decode.h"
#include "escape.h"
#include "filestats.h"
#include "finlint.h"
#include "flow.h"
#include "flow-tomb.h"
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
	struct tomb_store *tombs; /* --hold-closed tombstone, else NULL */
	uint64_t linger_ns;       /* ... and the linger before the record */
	uint64_t linger_fast_ns;  /* ... of a connection with a short round trip */
	uint64_t tomb_cap;        /* bytes tombstones may take (0: no cap) */
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
	l->fs->capture_copies += f->conn.ep[0].odd->copies + f->conn.ep[1].odd->copies;
	report_conn(l->r, l->record);
	free(f->ladder);
	f->ladder = NULL;
	zeek_conn_free(&f->zeek);
	flow_table_remove(l->t, f);
}

static bool silent_since(uint64_t last, uint64_t now, uint64_t idle)
{
	return now >= last && now - last >= idle;
}

/* The end of tombstone tb: its late findings go to the report, after the
 * connection's record. */
static void tomb_end(const struct loop *l, struct tomb *tb)
{
	const struct tomb_note *n = tomb_note_get(l->tombs, tb);

	if (n != NULL) {
		struct findings found;
		struct late_report late;
		unsigned k = rules_late(l->rules, tb, n, &found);

		for (unsigned i = 0; i < k; i++) {
			analyse_late(tb, n, &found.f[i], l->fs, &late);
			l->fs->late_findings++;
			report_late(l->r, &late);
		}
		/* what came, and Zeek's view of it */
		analyse_late(tb, n, NULL, l->fs, &late);
		report_late(l->r, &late);
	}
	tomb_remove(l->tombs, tb);
}

/* TIME_WAIT ends by its timer, as tcp_conn_expire has it. */
static void tomb_expire_states(const struct loop *l, struct tomb *tb, uint64_t now)
{
	for (unsigned i = 0; i < 2; i++)
		if (tomb_state(tb, i) == TCPS_TIME_WAIT &&
		    silent_since(tb->state_ts[i], now, l->time_wait_ns))
			tomb_set_state(tb, i, TCPS_CLOSED, tb->state_ts[i] + l->time_wait_ns);
}

/* What a SYN that starts a new connection on tb's 4-tuple keeps of it,
 * as flow_prev_note has it of a full flow. */
static void tomb_prev(const struct loop *l, struct tomb *tb, const struct packet *syn,
		      struct flow_prev *p)
{
	unsigned from = tomb_dir(tb, syn);

	tomb_expire_states(l, tb, syn->ts_ns);
	p->id = tb->id;
	p->last_ts = tb->last_ts;
	memset(&p->tcp, 0, sizeof p->tcp);
	p->tcp.known = true;
	for (unsigned i = 0; i < 2; i++) {
		unsigned side = from == 0 ? i : !i;

		p->tcp.state[i] = tomb_state(tb, side);
		p->tcp.state_ts[i] = tb->state_ts[side];
		p->tcp.snd_nxt[i] = tb->snd_nxt[side];
	}
}

static bool bit(uint64_t mask, unsigned side)
{
	return (mask >> side & 1) != 0;
}

/* A packet, not a new connection's SYN, for the closed connection whose
 * tombstone is tb: what it would have done to the whole flow goes into
 * the tombstone's note. */
static void late_packet(const struct loop *l, struct tomb *tb, const struct packet *pkt)
{
	unsigned x = tomb_dir(tb, pkt), y = !x;
	uint64_t now = pkt->ts_ns;
	uint32_t fin_seq = tb->snd_nxt[x] - 1;
	struct tomb_note *n;

	l->fs->late_packets++;
	tomb_expire_states(l, tb, now);
	n = tomb_note(l->tombs, tb);
	tomb_touch(tb, now);
	if (n->total++ == 0)
		n->first_pkt = pkt->num;
	if (l->needs.zeek) {
		/* Zeek has long forgotten the connection: its own conn.log line */
		if (n->zeek == NULL)
			n->zeek = xcalloc(1, sizeof *n->zeek);
		zeek_step(n->zeek, x, pkt);
	}
	if (pkt->flags & TCP_RST) {
		/* acceptable as tcpstate.c's rst_acceptable has it */
		bool ok = !bit(tb->ack_known, y) || pkt->seq == tb->last_ack[y] ||
			  (bit(tb->seq_known, x) && seq_geq(pkt->seq, tb->last_ack[y]) &&
			   seq_leq(pkt->seq, tb->snd_nxt[x]));

		if (ok && tomb_state(tb, y) == TCPS_TIME_WAIT) {
			if (n->rst_pkt[y] == 0) {
				n->rst_pkt[y] = pkt->num;
				n->rst_ts[y] = now;
			}
			tomb_set_state(tb, y, TCPS_CLOSED, now);
			if (tomb_state(tb, x) == TCPS_TIME_WAIT)
				tomb_set_state(tb, x, TCPS_CLOSED, now);
			n->rst_closed_both[y] = tomb_state(tb, x) == TCPS_CLOSED;
			return;
		}
		if (ok && tomb_state(tb, x) == TCPS_TIME_WAIT) { /* a RST sent from TIME_WAIT */
			tomb_set_state(tb, x, TCPS_CLOSED, now);
			if (tomb_state(tb, y) == TCPS_CLOSED && n->reset_pkt == 0)
				n->reset_pkt = pkt->num;
		}
	} else if ((pkt->flags & TCP_FIN) && bit(tb->fin_seen, x) &&
		   pkt->seq + pkt->payload_len == fin_seq) {
		/* its FIN again: from LAST_ACK, with every byte before it acked */
		if (bit(tb->passive, x) && !bit(tb->rexmit_seen, x) && bit(tb->ack_known, y) &&
		    seq_geq(tb->last_ack[y], fin_seq)) {
			n->fin_pkt[x] = pkt->num;
			n->fin_ts[x] = now;
			n->fin_acked_before[x] = tb->last_ack[y] == tb->snd_nxt[x];
			tb->rexmit_seen |= (uint64_t)1 << x;
			return;
		}
	} else if (pkt->payload_len > 0 && bit(tb->fin_seen, x) &&
		   seq_gt(pkt->seq + pkt->payload_len, fin_seq)) {
		if (!bit(tb->data_after_fin, x)) {
			n->data_pkt[x] = pkt->num;
			n->data_ts[x] = now;
			n->data_seq[x] = pkt->seq;
			n->data_len[x] = pkt->payload_len;
			tb->data_after_fin |= (uint64_t)1 << x;
			return;
		}
	} else if ((pkt->flags & (TCP_SYN | TCP_FIN | TCP_ACK)) == TCP_ACK &&
		   pkt->payload_len == 0 && n->fin_pkt[y] != 0 && n->fin_answer[y] == 0 &&
		   pkt->ack == tb->snd_nxt[y]) {
		n->fin_answer[y] = pkt->num; /* TIME_WAIT answers the repeated FIN */
		return;
	}
	if (n->others++ == 0) {
		n->other_pkt = pkt->num;
		n->other_ts = now;
		n->other_flags = pkt->flags;
		n->other_side = (uint8_t)x;
		n->other_len = pkt->payload_len;
	}
}

/* A flow is finished once closed and past TIME_WAIT, or idle too long;
 * the activity lists put the candidates at their front.  With
 * tombstones, a closed flow is finished after the linger and its
 * tombstone ends with TIME_WAIT. */
static void expire_flows(const struct loop *l, uint64_t now)
{
	struct flow *f;
	struct tomb *tb;

	while ((f = flow_table_closed_idle(l->t, now, l->linger_ns, l->linger_fast_ns)) != NULL) {
		if (l->tombs != NULL && !silent_since(f->last_ts, now, l->time_wait_ns))
			tomb_add(l->tombs, f);
		finish(l, f, now);
	}
	if (l->tombs != NULL) {
		while ((tb = tomb_expired(l->tombs, now, l->time_wait_ns)) != NULL)
			tomb_end(l, tb);
		/* over their share of --max-memory the oldest end early: what
		 * would still come for them is not diagnosed */
		while (l->tomb_cap != 0 && tomb_live_bytes(l->tombs) > l->tomb_cap &&
		       (tb = tomb_oldest(l->tombs)) != NULL) {
			l->fs->tombs_ended_early++;
			tomb_end(l, tb);
			tomb_oldest(l->tombs); /* frees it */
		}
	}
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
	/* A host has one connection per 4-tuple: a SYN with another ISN from
	 * the side that opened this one with a SYN, once past its opening,
	 * starts a new one, whatever the peer still holds (the old one was
	 * lost without a FIN or RST seen).  Without a known ISN it may be a
	 * split handshake's SYN, part of this connection. */
	if (ep->isn_known && ep->state >= TCPS_ESTABLISHED && ep->state <= TCPS_LAST_ACK)
		return true;
	/* so does one with another ISN while its first went unanswered: the
	 * first attempt was given up (a new socket bound to the same port,
	 * or a tool that sends each SYN with a fresh ISN) */
	if (ep->isn_known && ep->state == TCPS_SYN_SENT && f->conn.ep[!dir].packets == 0 &&
	    !artefact_renumbered(&f->conn, dir, pkt))
		return true;
	return tcp_conn_closed(&f->conn) || f->conn.reset ||
	       (f->conn.ep[0].state == TCPS_CLOSED || f->conn.ep[1].state == TCPS_CLOSED);
}

/* Whether closed f gets the short linger: its handshake, SYN to the
 * ACK at the capture point, took under RUN_FAST_RTT_MS. */
static bool fast_path(const struct loop *l, const struct flow *f)
{
	uint64_t hs;

	return l->linger_fast_ns < l->linger_ns && tcp_conn_handshake(&f->conn, &hs) &&
	       hs < (uint64_t)RUN_FAST_RTT_MS * NS_PER_S / 1000;
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
	flow_table_count_blocks(l->t, f);
	if (!flow_is_closed(f) && tcp_conn_closed(&f->conn))
		flow_table_mark_closed(l->t, f, fast_path(l, f));
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
	struct flow *f;

	if (l->tombs != NULL && tomb_count(l->tombs) > 0 && !flow_table_has(l->t, hash)) {
		struct tomb *tb = tomb_find(l->tombs, key, hash);

		if (tb != NULL && silent_since(tb->last_ts, pkt->ts_ns, l->time_wait_ns)) {
			tomb_end(l, tb); /* over; the queue had not reached it yet */
		} else if (tb != NULL && (pkt->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN &&
			   !(tomb_dir(tb, pkt) == 0 && tb->isn0_known && tb->isn0 == pkt->seq)) {
			/* a new connection on the 4-tuple, linked as new_connection does */
			struct flow_prev prev;

			tomb_prev(l, tb, pkt, &prev);
			tomb_end(l, tb);
			f = flow_table_get(l->t, pkt, &dir);
			begin(l, f, pkt, &prev);
			step(l, f, dir, pkt);
			return;
		} else if (tb != NULL) {
			late_packet(l, tb, pkt);
			return;
		}
	}
	f = flow_table_lookup(l->t, pkt, key, hash, &dir);
	if (f == NULL)
		return; /* it has only opened: kept compact, stepped when rebuilt */
	if (f->first_packet != 0) {
		tcp_conn_expire(&f->conn, pkt->ts_ns, l->time_wait_ns);
		if (starts_new_connection(f, dir, pkt))
			f = new_connection(l, f, pkt, &dir);
	}
	step(l, f, dir, pkt);
}

/* Finish every connection and tombstone at capture time end; at_leap:
 * where the capture's time jumps ahead, not at its end. */
static void finish_flows(const struct loop *l, uint64_t end, bool at_leap)
{
	struct flow *f;
	struct tomb *tb;

	while ((f = flow_table_oldest(l->t)) != NULL) {
		tcp_conn_expire(&f->conn, end, l->time_wait_ns);
		f->conn.end_at_leap = at_leap;
		finish(l, f, end);
	}
	if (l->tombs != NULL)
		while ((tb = tomb_oldest(l->tombs)) != NULL)
			tomb_end(l, tb);
}

/* Date one packet on the clock (next: the next packet's time, NULL at
 * the end), expire what is over by then and track it.  A packet whose
 * time the clock does not believe is tracked at the clock's time, so it
 * neither ends nor stretches connections. */
static void date_and_track(struct loop *l, const struct reader_item *it, const uint64_t *next)
{
	uint64_t before = l->clock.now;
	bool started = l->clock.started;
	uint64_t t = capclock_date(&l->clock, it->pkt.ts_ns, next);
	const struct packet *pkt = &it->pkt;
	struct packet redated;

	/* The capture's time jumped ahead further than any timer runs
	 * (captures joined end to end, a clock stepped): nothing of what was
	 * open can be followed across, so it ends where the time jumped, as
	 * at a capture's end, and its records say so. */
	if (started && t > before && t - before > CAPCLOCK_LEAP_NS)
		finish_flows(l, before, true);

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
			  .linger_ns = o->rules->time_wait_ns,
			  .linger_fast_ns = o->rules->time_wait_ns, .connections = &connections, .fs = &fs,
			  .tap = o->tap, .tap_ctx = o->tap_ctx };
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
		if (!o->hold_full && o->linger_ns < l.time_wait_ns) {
			l.tombs = tomb_store_new();
			l.linger_ns = o->linger_ns;
			l.linger_fast_ns = o->linger_fast_ns < o->linger_ns ? o->linger_fast_ns
									   : o->linger_ns;
			l.tomb_cap = o->max_memory / 8;
		}
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
		finish_flows(&l, capclock_date(&l.clock, fs.last_ts, NULL), false);
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
		if (fs.tombs_ended_early > 0)
			escape_diag(path, "tombstones reached their share of --max-memory (an eighth): "
					"%" PRIu64 " of them ended before TIME_WAIT did, so packets after "
					"that for those connections were not diagnosed as late",
				    fs.tombs_ended_early);
		report_end_file(r, &fs);
		flow_table_free(l.t);
		tomb_store_free(l.tombs);
		free(l.record);
	}
	capture_close(cap);
	return ok;
}
