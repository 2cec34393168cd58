/* analyse: build the finished-connection record from the engine's flow.
 * Everything a writer prints about a connection is decided here once:
 * names of states and sides, the capture point, the merged timeline, the
 * relative sequence numbers of the ladder. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "addr-text.h"
#include "analyse.h"
#include "classify.h"
#include "decode.h"
#include "flow-tomb.h"
#include "ladder.h"
#include "zeek.h"

_Static_assert((int)CONN_ADDRESS_MAX >= (int)(ADDR_TEXT_MAX), "CONN_ADDRESS_MAX too small");
_Static_assert((int)CONN_TIMELINE_MAX >= (int)(2 * TCP_TIMELINE_MAX), "timeline view too small");
_Static_assert((int)CONN_EVENTS_MAX >= (int)(TCP_EVENTS_MAX), "event view too small");
_Static_assert((int)CONN_ZEEK_MAX >= (int)(ZEEK_PIECES_MAX), "Zeek view too small");
_Static_assert((int)CONN_ZEEK_HISTORY_MAX >= (int)(ZEEK_HISTORY_MAX), "Zeek history too small");
_Static_assert((int)CONN_STEPS_MAX >= (int)(LADDER_STEPS), "ladder view too small");
_Static_assert((int)CONN_EXCERPT_MAX >= (int)(TCP_RST_EXCERPT_MAX), "RST excerpt too small");
_Static_assert((int)CONN_CLOSER_NONE == (int)CLOSER_NONE && (int)CONN_CLOSER_BOTH == (int)CLOSER_BOTH,
	       "closer values differ");

unsigned conn_close_count(void)
{
	return CLOSE_COUNT;
}

const char *conn_close_name(unsigned cls)
{
	return classify_name((enum close_class)cls);
}

static void put_side_endpoint(struct conn_endpoint *e, uint8_t family, const uint8_t *addr,
			      uint16_t port)
{
	size_t n = addr_text(family, addr, e->addr);

	e->port = port;
	if (family == 6)
		snprintf(e->text, sizeof e->text, "[%.*s]:%u", (int)n, e->addr, e->port);
	else
		snprintf(e->text, sizeof e->text, "%.*s:%u", (int)n, e->addr, e->port);
}

static void put_endpoint(struct conn_endpoint *e, const struct flow *f, unsigned side)
{
	put_side_endpoint(e, f->family, flow_side_addr(f, side), flow_side_port(f, side));
}

static void put_rst(struct conn_rst *r, const struct tcp_endpoint *ep)
{
	static const char *const kinds[] = { "none", "no-socket", "abort", "other" };

	r->pkt = ep->rst->pkt;
	decode_flags_str(ep->rst->flags, r->flags);
	r->seq = ep->rst->seq;
	r->has_ack = (ep->rst->flags & TCP_ACK) != 0;
	r->ack = ep->rst->ack;
	r->kind = kinds[ep->rst_kind & 3];
	r->count = ep->rsts;
	r->accepted_pkt = ep->rst->accept_pkt;
	r->ttl = ep->rst->ttl;
	r->ip_id = ep->rst->ip_id;
	r->sender_ttl_known = ep->ttl_n > 0;
	r->ttl_min = ep->ttl_min;
	r->ttl_max = ep->ttl_max;
	r->data_ttl_known = ep->data_ttl_n > 0;
	r->data_ttl_min = ep->data_ttl_min;
	r->data_ttl_max = ep->data_ttl_max;
	r->payload_pkt = ep->rst->data_pkt;
	r->payload_bytes = ep->rst->data_len;
	r->excerpt_len = ep->rst->excerpt_len;
	memcpy(r->excerpt, ep->rst->excerpt, ep->rst->excerpt_len);
}

static void put_side(struct conn_side *s, const struct flow *f, unsigned side)
{
	const struct tcp_endpoint *ep = &f->conn.ep[side];

	s->state = tcp_state_name(ep->state);
	s->role = rules_side_name(f, (int)side);
	s->packets = ep->packets;
	s->data_bytes = ep->data_bytes;
	s->retransmissions = ep->retransmits;
	s->keepalives = ep->odd->keepalives;
	s->gaps = ep->odd->gaps;
	s->acks_unseen = ep->odd->acks_unseen;
	s->isn_known = ep->isn_known;
	s->isn = ep->isn;
	s->copies = ep->odd->copies;
	s->first_copy_pkt = ep->odd->copy_pkt;
	s->shift_known = ep->odd->shift_known;
	s->seq_shift = ep->odd->seq_shift;
	s->pad_segments = ep->odd->pad_segments;
	s->first_pad_pkt = ep->odd->pad_pkt;
	s->has_fin = ep->fin_seen;
	if (ep->fin_seen) {
		s->fin.seq = ep->fin->seq;
		s->fin.pkt = ep->fin->pkt;
		s->fin.ts = ep->fin->ts;
		s->fin.times_sent = ep->fin->count;
		s->fin.before_handshake = ep->fin_before_handshake;
		s->fin.acked_by = ep->fin_acked ? ep->fin->ack_pkt : 0;
	}
	s->has_rst = ep->rsts > 0;
	if (s->has_rst)
		put_rst(&s->rst, ep);
}

/* Both sides' transitions in packet order: who entered which state when. */
static void put_timeline(struct conn_report *out, const struct tcp_conn *c)
{
	unsigned i = 0, j = 0;

	out->timeline_count = 0;
	while (i < c->ep[0].timeline_count || j < c->ep[1].timeline_count) {
		const struct tcp_transition *a =
			i < c->ep[0].timeline_count ? tcp_conn_transition(c, 0, i) : NULL;
		const struct tcp_transition *b =
			j < c->ep[1].timeline_count ? tcp_conn_transition(c, 1, j) : NULL;
		bool take_a = b == NULL ||
			      (a != NULL && (a->ts < b->ts || (a->ts == b->ts && a->pkt <= b->pkt)));
		const struct tcp_transition *t = take_a ? a : b;
		struct conn_transition *o = &out->timeline[out->timeline_count++];

		o->side = take_a ? 0 : 1;
		o->state = tcp_state_name(t->state);
		o->ts = t->ts;
		o->pkt = t->pkt;
		if (take_a)
			i++;
		else
			j++;
	}
}

static void put_events(struct conn_report *out, const struct tcp_conn *c)
{
	out->event_count = c->event_count;
	out->events_dropped = c->events_dropped;
	for (unsigned i = 0; i < c->event_count; i++) {
		const struct tcp_event *e = &c->events[i];
		struct conn_event *o = &out->events[i];

		o->name = tcp_event_name(e->type);
		o->pkt = e->pkt;
		o->side = e->dir;
		tcp_event_fields(e->type, &o->a_name, &o->b_name);
		o->a = e->a;
		o->b = e->b;
	}
}

static void put_zeek(struct conn_report *out, const struct zeek_conn *z)
{
	struct zeek_piece zp;

	out->zeek_known = true;
	out->zeek_count = 0;
	while (out->zeek_count < CONN_ZEEK_MAX && zeek_piece_get(z, out->zeek_count, &zp)) {
		struct conn_zeek_line *o = &out->zeek[out->zeek_count++];

		o->first_pkt = zp.first_pkt;
		o->conn_state = zeek_conn_state_name(zp.conn_state);
		o->orig_side = zp.orig_side;
		snprintf(o->history, sizeof o->history, "%s", zp.history);
	}
	out->zeek_dropped = zeek_pieces_dropped(z);
}

/* The ladder's packets with seq/ack relative to each sender's ISN, as
 * tcpdump shows them, where the ISN is known. */
static void put_steps(struct conn_report *out, const struct flow *f)
{
	const struct ladder *l = f->ladder;
	const struct tcp_conn *c = &f->conn;
	uint64_t packets = c->ep[0].packets + c->ep[1].packets;

	out->steps_known = true;
	out->step_count = l->count;
	for (unsigned i = 0; i < l->count; i++) {
		const struct ladder_step *s = ladder_step_at(l, i);
		const struct tcp_endpoint *me = &c->ep[s->dir], *peer = &c->ep[!s->dir];
		struct conn_step *o = &out->steps[i];

		o->pkt = s->pkt;
		o->ts = s->ts;
		o->seq = me->isn_known ? s->seq - me->isn : s->seq;
		o->ack = peer->isn_known ? s->ack - peer->isn : s->ack;
		o->relative = c->ep[0].isn_known && c->ep[1].isn_known;
		o->len = s->len;
		decode_flags_str(s->flags, o->flags);
		o->has_ack = (s->flags & TCP_ACK) != 0;
		o->side = s->dir;
		o->state[0] = tcp_state_name(s->state[0]);
		o->state[1] = tcp_state_name(s->state[1]);
	}
	out->steps_left_out = packets > l->count ? packets - l->count : 0;
}

static void put_findings_into(struct conn_finding *o, const struct finding *fd)
{
	o->rule = rule_info(fd->rule);
	o->rule_index = fd->rule;
	o->severity = fd->severity;
	o->confidence = fd->confidence;
	o->side = fd->side;
	o->npkts = fd->npkts;
	memcpy(o->pkts, fd->pkts, sizeof o->pkts);
	o->message = fd->message;
	o->baselined = false;
}

static void put_findings(struct conn_report *out, const struct findings *found)
{
	out->finding_count = found->n;
	for (unsigned i = 0; i < found->n; i++)
		put_findings_into(&out->findings[i], &found->f[i]);
}

void analyse_connection(const struct flow *f, const struct findings *found,
			const struct file_stats *fs, const struct analyse_needs *needs,
			struct conn_report *out)
{
	const struct tcp_conn *c = &f->conn;
	struct capture_point_verdict cp = classify_capture_point(c);

	out->id = f->id;
	out->file = fs != NULL ? fs->path : "";
	out->set = fs != NULL ? fs->set : NULL;
	for (unsigned i = 0; i < 2; i++)
		put_endpoint(&out->end[i], f, i);
	community_id_v1(out->community_id, 0, f->family, flow_side_addr(f, 0), flow_side_port(f, 0),
			flow_side_addr(f, 1), flow_side_port(f, 1), 6 /* TCP */);
	out->mid_stream = c->mid_stream;
	out->finished_early = f->finished_early;
	out->nanosecond = fs != NULL && fs->nanosecond;
	out->first_pkt = f->first_packet;
	out->last_pkt = f->last_packet;
	out->first_ts = f->first_ts;
	out->last_ts = f->last_ts;

	out->close_class = found->close.cls;
	out->close = classify_name(found->close.cls);
	out->active_closer = found->close.active_closer;
	out->aborted = found->close.cls == CLOSE_ABORT;
	out->three_way = found->close.three_way;

	out->capture_point = capture_point_name(cp.where);
	out->capture_point_words = capture_point_words(cp.where);
	out->handshake_seen = cp.handshake_seen;
	out->syn_to_synack_ns = cp.syn_to_synack_ns;
	out->synack_to_ack_ns = cp.synack_to_ack_ns;

	out->prev_id = c->reuse->prev_id;
	out->prev_last_ts = c->reuse->prev_last_ts;
	for (unsigned i = 0; i < 2; i++)
		out->prev_state[i] = out->prev_id != 0 ? tcp_state_name(c->reuse->state[i]) : NULL;

	for (unsigned i = 0; i < 2; i++)
		put_side(&out->side[i], f, i);
	put_timeline(out, c);
	put_events(out, c);
	out->zeek_known = false;
	out->zeek_count = 0;
	if (needs->zeek)
		put_zeek(out, &f->zeek);
	out->steps_known = false;
	out->step_count = 0;
	if (needs->steps && f->ladder != NULL)
		put_steps(out, f);
	put_findings(out, found);
}

void analyse_late(const struct tomb *t, const struct tomb_note *n, const struct finding *fd,
		  const struct file_stats *fs, struct late_report *out)
{
	struct flow_side side[2];
	uint8_t family = t->v6 ? 6 : 4;

	out->id = t->id;
	out->file = fs != NULL ? fs->path : "";
	out->set = fs != NULL ? fs->set : NULL;
	out->nanosecond = fs != NULL && fs->nanosecond;
	for (unsigned i = 0; i < 2; i++) {
		tomb_side(t, i, &side[i]);
		put_side_endpoint(&out->end[i], family, side[i].addr, side[i].port);
	}
	community_id_v1(out->community_id, 0, family, side[0].addr, side[0].port, side[1].addr,
			side[1].port, 6 /* TCP */);
	out->record_last_ts = n->record_last_ts;
	out->zeek_count = 0;
	if (fd != NULL) {
		put_findings_into(&out->finding, fd);
		snprintf(out->message, sizeof out->message, "%s", fd->message);
	} else {
		/* late packets no rule reports: say what came */
		char flags[9];
		const char *who[2] = { t->mid_stream ? "first sender" : "client",
				       t->mid_stream ? "other side" : "server" };
		int len;

		memset(&out->finding, 0, sizeof out->finding);
		out->finding.side = (int8_t)(n->others > 0 ? n->other_side : 0);
		out->finding.npkts = 1;
		decode_flags_str(n->other_flags, flags);
		struct zeek_piece zp;

		len = snprintf(out->message, sizeof out->message,
			       "%" PRIu64 " packet%s came after the connection's record had been "
			       "written (--hold-closed tombstone)", n->total, n->total == 1 ? "" : "s");
		if (n->others == 0 && len > 0 && (size_t)len < sizeof out->message)
			len += snprintf(out->message + len, sizeof out->message - (size_t)len,
					"; %s made the late findings listed with it",
					n->total == 1 ? "it" : "they");
		else if (len > 0 && (size_t)len < sizeof out->message)
			len += snprintf(out->message + len, sizeof out->message - (size_t)len,
					"; %" PRIu64 " made no finding, the first of those (packet %"
					PRIu64 ", from the %s) with flags %s and %" PRIu32 " bytes, %.3f "
					"s after the record's last packet",
					n->others, n->other_pkt, who[n->other_side & 1], flags,
					n->other_len,
					n->other_ts >= n->record_last_ts ?
						(double)(n->other_ts - n->record_last_ts) / 1e9 : 0.0);
		if (n->reset_pkt != 0 && len > 0 && (size_t)len < sizeof out->message)
			snprintf(out->message + len, sizeof out->message - (size_t)len,
				 "; the RST of packet %" PRIu64 " left both sides CLOSED: kept "
				 "whole (--hold-closed full), the record would end in it "
				 "(reset-after-close)", n->reset_pkt);
		out->finding.pkts[0] = n->first_pkt;
		out->zeek_count = 0;
		while (n->zeek != NULL && out->zeek_count < CONN_ZEEK_MAX &&
		       zeek_piece_get(n->zeek, out->zeek_count, &zp)) {
			struct conn_zeek_line *o = &out->zeek[out->zeek_count++];

			o->first_pkt = zp.first_pkt;
			o->conn_state = zeek_conn_state_name(zp.conn_state);
			o->orig_side = zp.orig_side;
			snprintf(o->history, sizeof o->history, "%s", zp.history);
		}
	}
	out->finding.message = out->message;
}
