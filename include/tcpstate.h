/* tcpstate: each endpoint's TCP state machine as a passive observer can
 * rebuild it from the packets both endpoints send.
 *
 * The state machine records what happened as events (FIN sent, FIN acked
 * with what ack, RST bare or with ACK, data after FIN...) with the packet
 * that proves it; it never judges.  Rules read the events and decide. */
#ifndef FINLINT_TCPSTATE_H
#define FINLINT_TCPSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"

enum tcp_state {
	TCPS_UNKNOWN, /* nothing seen from or about this endpoint yet */
	TCPS_SYN_SENT,
	TCPS_SYN_RECEIVED,
	TCPS_ESTABLISHED,
	TCPS_FIN_WAIT_1,
	TCPS_FIN_WAIT_2,
	TCPS_CLOSING,
	TCPS_TIME_WAIT,
	TCPS_CLOSE_WAIT,
	TCPS_LAST_ACK,
	TCPS_CLOSED,
};

/* Wrap-safe sequence comparisons (RFC 9293 3.4): through the signed
 * 32-bit difference, never with < on raw values. */
static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_leq(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline bool seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline bool seq_geq(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

enum tcp_event_type {
	EV_FIN,             /* a: FIN seq, b: sender's stream end before it */
	EV_FIN_RETRANSMIT,  /* a: FIN seq */
	EV_FIN_ACKED,       /* a: ack value, b: FIN seq; dir = the acker */
	EV_FIN_ACK_BEYOND,  /* an ack past FIN.seq + 1; a: ack, b: FIN seq */
	EV_FIN_SEQ_MOVED,   /* a FIN at another seq than the first; a: new, b: old */
	EV_DATA_AFTER_FIN,  /* new data from a side after its own FIN; a: seq, b: len */
	EV_DATA_AFTER_PEER_FIN, /* data toward a side that had sent FIN; a: seq, b: len */
	EV_RST,             /* a: seq, b: ack (0 without ACK) */
	EV_SYN_REUSE,       /* a SYN reused a closed connection's 4-tuple (tcp_conn_reuse);
			     * a: its seq, b: its sender's next seq in the old connection */
	EV_GAP,             /* a segment starts past the sender's stream end: bytes not captured */
	EV_ACK_UNSEEN,      /* an ack for bytes never seen: the capture missed them */
	EV_SYN_RETRANSMIT,  /* the same SYN again; a: seq, b: ms since the first SYN */
	/* The SYN answered by an ACK that does not ack it: an ACK from another
	 * connection on the 4-tuple, which the peer still holds (TIME_WAIT, or
	 * one it believes open: a challenge ACK, RFC 5961 4.2).  It and the
	 * RST it draws (RFC 9293 3.10.7.3) belong to that connection: both are
	 * kept out of this one's sequence spaces and states. */
	EV_OLD_ACK,         /* a: its ack, b: its seq */
	EV_OLD_ACK_RST,     /* the SYN's sender's RST at that ack; a: seq, b: 0 */
};

/* How a RST relates to the sequence space, the first hint to its cause. */
enum rst_kind {
	RST_NONE,
	RST_BARE_NO_SOCKET, /* no ACK flag, seq = the ack it answers: no socket (RFC 9293 3.10.7.1) */
	RST_ABORT,          /* ACK flag, seq = sender's next seq: a socket aborted */
	RST_OTHER,
};

/* 16 bytes: the packet number shares a word with the type and side (a
 * capture of 2^48 packets is not read, see struct flow_link), the small
 * fields in the low bits: a packed flow (flow-pack.h) keeps a word's
 * significant bytes, so the packet number's high zero bytes go. */
struct tcp_event {
	uint64_t type : 8; /* enum tcp_event_type */
	uint64_t dir : 8;  /* the side that sent the packet */
	uint64_t pkt : 48;
	uint32_t a, b;
};

struct tcp_transition {
	uint64_t state : 8; /* enum tcp_state; low, as in struct tcp_event */
	uint64_t pkt : 56;
	uint64_t ts;
};

/* Six transitions cover every close path of one side (SYN_SENT,
 * ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2 or CLOSING, TIME_WAIT, CLOSED); the
 * sizes are what one connection costs in memory, so they stay small.  An
 * open connection has made its first two: the endpoint holds those, the
 * rest of both sides' are allocated when either side makes its third
 * (tcp_conn_transition reads them all). */
enum { TCP_TIMELINE_MAX = 6, TCP_TIMELINE_INLINE = 2, TCP_EVENTS_MAX = 12 };

/* The first bytes a RST carries are kept: often text that says why. */
enum { TCP_RST_EXCERPT_MAX = 24 };

/* A FIN sent this many times, never acknowledged, with nothing but FINs
 * after it, is a FIN_WAIT_1 give-up: the sender retried with backoff and
 * went silent (Linux: tcp_orphan_retries). */
enum { TCP_GIVE_UP_FINS = 3 };

/* The facts of an endpoint's latest packet that a capture copy of it
 * repeats (artefact.h). */
struct tcp_copy_sig {
	uint64_t ts;
	uint64_t peer_packets; /* the peer's packet count then */
	uint32_t seq, ack, len, opt_hash, ts_val, id; /* id: IPv4 IP ID or IPv6 flow label */
	uint16_t win, tcp_sum;
	uint8_t flags, ttl, opt_has;
	/* bits, so that the signature is six words, not seven */
	bool translated : 1; /* its seq or ack came from the shifted space */
	bool id_repeats : 1; /* the sender gave two different packets one id: ids tell nothing */
	bool valid : 1;
};
/* Bytes kept of a side's first unacknowledged segment: enough to tell a
 * protocol's goodbye (a TLS record header, a QUIT reply line) from data. */
enum { TCP_HEAD_MAX = PACKET_HEAD_MAX };

/* What an endpoint's RSTs showed.  It lives apart from the endpoint,
 * allocated at its first RST: most connections never see one, and every
 * open connection would otherwise carry these bytes twice.  Until then
 * the endpoint points to tcp_rst_none, all zero, so a reader never
 * checks for NULL; tcp_conn_release frees it. */
struct tcp_rst {
	uint64_t pkt, ts;      /* the RST that counts: the first its receiver acted on */
	uint64_t answers_pkt;  /* the peer's last packet before it */
	uint64_t answers_ts;
	uint64_t own_data_ts;  /* when the sender last sent new data before it (0: never) */
	uint64_t lost_pkt;     /* the peer's first segment past prev_ack (0: none known) */
	uint64_t ignored_pkt;  /* its first RST the peer must ignore (RFC 5961) */
	uint64_t accept_pkt;   /* its first RST the peer acted on */
	uint64_t data_pkt;     /* its first RST that carried payload (RFC 9293 3.5.3) */
	uint64_t own_prev_pkt, own_prev_ts; /* the sender's own packet before it */
	uint32_t seq, ack;
	/* What the RST threw away of the peer's stream: the peer's bytes
	 * from the highest ack this side had sent (the RST's own included)
	 * up to the peer's data end, its FIN not counted. */
	uint32_t acked;        /* that highest ack */
	uint32_t prev_ack;     /* the highest ack before the RST (a normal ACK's) */
	uint32_t sacked;       /* of the bytes past acked, those its last SACK held */
	uint32_t peer_end;     /* the peer's data end then (= prev_ack: nothing pending) */
	uint32_t mine_unacked; /* its own bytes the peer had not acknowledged */
	uint32_t ignored_ack;  /* the ignored RST's ack (0 without ACK) */
	uint32_t data_len;     /* data_pkt's payload length, from the IP header */
	uint16_t win;
	uint16_t payload;      /* bytes the RST carries (RFC 9293 3.5.3) */
	uint16_t ip_id;        /* accept_pkt's IP ID, and the IP ID of its sender's packet before it */
	uint16_t prev_ip_id;
	uint8_t flags;
	uint8_t state;         /* its sender's own state when it sent the RST */
	uint8_t answers_flags; /* flags of the peer packet it answers */
	bool answers_data;     /* ... and whether that packet carried new data */
	bool fastclose;        /* it carries MPTCP MP_FASTCLOSE (RFC 8684 3.5) */
	bool at_own_nxt;       /* its seq is the sender's own next sequence number */
	bool ignored_syn_sent; /* the peer was in SYN_SENT when it ignored ignored_pkt */
	uint8_t ttl;           /* TTL or hop limit of accept_pkt */
	uint8_t lost_head_len; /* lost_pkt's bytes from prev_ack on, as captured */
	uint8_t excerpt_len;   /* bytes of data_pkt's payload captured in excerpt */
	uint8_t lost_head[TCP_HEAD_MAX];
	uint8_t excerpt[TCP_RST_EXCERPT_MAX];
};
extern const struct tcp_rst tcp_rst_none;

/* What an endpoint's FINs showed, apart from the endpoint like struct
 * tcp_rst: an open connection has sent none, and the bytes would be in
 * every one twice.  &tcp_fin_none, all zero, until the endpoint's first
 * FIN (or the first packet that tells something of one). */
struct tcp_fin {
	uint32_t seq;         /* seq of its FIN (after the FIN segment's payload) */
	uint32_t last_seq;    /* seq of its latest FIN: another than seq when it moved */
	uint32_t count;
	uint32_t unacked_seq; /* the first unacknowledged byte when unacked_pkt was sent */
	uint64_t pkt, ts;
	uint64_t ack_pkt, ack_ts;   /* the peer's packet that acked it */
	uint64_t last_pkt, last_ts; /* its latest FIN, retransmissions included */
	uint64_t prev_ts;           /* the FIN copy before the latest */

	uint64_t rexmit_pkt; /* its first FIN retransmission */
	/* Its first FIN retransmission sent after the peer had acknowledged
	 * every byte before the FIN: one that repairs nothing but the FIN
	 * (or its ACK).  gap = time since the FIN copy before it. */
	uint64_t rexmit_clean_pkt, rexmit_clean_ts, rexmit_clean_gap;
	uint64_t ack_short_pkt; /* first peer packet after the FIN acking only FIN.seq */
	uint64_t ack_short_ts;  /* when the latest such packet was sent */
	uint64_t unacked_pkt;   /* sent with data unacknowledged: first such segment */
};
extern const struct tcp_fin tcp_fin_none;

/* What an endpoint's uncommon packets showed (keepalives, segments past
 * a gap, capture artefacts...), apart from the endpoint like struct
 * tcp_rst: most connections have none, and every open one would carry
 * these bytes twice.  &tcp_odd_none, all zero, until the first. */
struct tcp_odd {
	uint64_t keepalive_pkt; /* its latest keepalive probe */
	uint64_t fastclose_pkt; /* its first packet with MPTCP MP_FASTCLOSE */
	uint64_t fin_gap_pkt;   /* its FIN that came past the stream end */
	uint64_t tw_rst_pkt;    /* a RST that hit it in TIME_WAIT (RFC 1337) */
	uint64_t copy_pkt;      /* the first of its capture copies */
	uint64_t pad_pkt;       /* the first of its padded segments */
	/* its first segment re-sending bytes with other contents than the
	 * copy before (rexmit_orig_pkt): two hosts sent in its name */
	uint64_t rexmit_diff_pkt, rexmit_orig_pkt;
	uint32_t rexmit_diff_seq; /* the first byte that differs */
	/* its latest ACK that SACKed the peer's bytes past a hole: that
	 * ack, and the bytes its SACK blocks hold beyond it (RFC 2018) */
	uint32_t sack_ack, sacked;
	uint32_t keepalives;
	uint32_t gaps;          /* segments that started past its stream end */
	uint32_t fin_gap_from;  /* fin_gap_open: from here to its FIN's seq */
	uint32_t acks_unseen;   /* acks for peer bytes the capture never showed */
	uint32_t data_after_peer_fin; /* segments of new data after the peer's FIN */
	uint32_t alt_isn;       /* another ISN it sent a SYN with before any data */
	/* capture artefacts (artefact.h): packets of it that the capture
	 * holds twice, and its second sequence space when the capture saw
	 * both sides of a device that shifts it */
	uint32_t copies;        /* capture copies, left out of everything else */
	uint32_t seq_shift;     /* the other copy's seq = this one's + seq_shift */
	uint32_t pad_segments;  /* segments whose "payload" was Ethernet padding */
	uint32_t pad_end;       /* seq after the latest one's bytes, should the peer ack them */
	bool fin_gap_open;      /* its FIN came past the stream end, bytes still missing */
	bool alt_isn_known;     /* alt_isn above is known */
	bool shift_known;       /* seq_shift above is known */
};
extern const struct tcp_odd tcp_odd_none;

/* One endpoint of a connection. */
struct tcp_endpoint {
	/* The members are grouped by concern and, within a group, ordered
	 * so that the compiler leaves no holes: every connection carries two. */
	uint8_t state; /* enum tcp_state */
	bool seq_known;
	bool isn_known;
	bool ack_known;
	bool fin_seen, fin_acked;
	uint8_t rst_kind; /* enum rst_kind, of its first RST */
	bool bare_bump;   /* a segment without data or FIN moved snd_nxt, by one */
	uint64_t state_ts; /* when it entered state (the timeline may be full) */

	uint32_t isn;
	uint32_t snd_nxt;  /* highest seq + length sent, FIN and SYN counted */
	uint32_t last_ack; /* highest ack it sent */
	uint16_t last_win;
	uint8_t wscale;
	uint8_t first_flags;

	uint64_t packets;
	uint64_t data_bytes;
	uint64_t retransmits;

	const struct tcp_fin *fin; /* its FINs: &tcp_fin_none until the first */
	const struct tcp_rst *rst; /* its RSTs: &tcp_rst_none until the first */
	const struct tcp_odd *odd; /* its uncommon packets: &tcp_odd_none until the first */
	uint32_t rsts;
	uint8_t rst_ttl_min, rst_ttl_max; /* over all its RSTs */
	uint8_t ttl_min, ttl_max;  /* over its packets other than RSTs */
	uint8_t data_ttl_min, data_ttl_max; /* over those that carried data */
	uint16_t last_ip_id;       /* of its latest packet other than a RST */
	uint32_t ttl_n, data_ttl_n;
	uint8_t una_head_len, timeline_count; /* bytes in una_head, entries in timeline */
	uint8_t syn_opts;          /* its SYN's window and options (enum tcp_option_bit) */
	/* rare facts in one byte, which keeps the endpoint at 38 words:
	 * its FIN came in SYN_SENT at the SYN's own seq (connect abandoned),
	 * it sent an MPTCP option (RFC 8684), its latest segment of new data
	 * was one protocol goodbye (goodbye.h: a TLS alert, a QUIT line) */
	bool fin_before_handshake : 1;
	bool mptcp : 1;
	bool last_data_bye : 1;

	uint64_t first_pkt;       /* its first packet in the connection */
	uint64_t last_syn_ts, prev_syn_ts; /* its latest SYN and the one before */
	uint32_t syns;            /* SYNs without ACK at its ISN: 1 + retransmissions */
	uint16_t syn_win;
	uint8_t last_flags;
	bool last_had_data; /* its latest packet carried bytes not sent before */
	uint32_t una_seq;         /* una_head_pkt's seq */
	uint32_t una_end;         /* ... and the seq after its payload */
	uint64_t last_data_pkt, last_data_ts; /* its latest segment with new data */
	uint64_t una_pkt;          /* first segment of its data not yet acknowledged */
	uint64_t una_head_pkt;     /* its latest segment holding the first unacknowledged
				    * byte (a retransmission too), with its seq and bytes */
	uint8_t una_head[TCP_HEAD_MAX];

	uint64_t last_pkt, last_ts;

	/* its latest packet, to tell a capture copy of it (artefact.h) */
	struct tcp_copy_sig sig;
	struct tcp_transition timeline[TCP_TIMELINE_INLINE]; /* the first of timeline_count */
};

/* What a connection knows of the one before it on its 4-tuple, whose
 * closed or reset record its SYN ended: each old side's state then, since
 * when, and its next seq, indexed by the new connection's sides.  It
 * lives apart from the event log (EV_SYN_REUSE), which can fill up, and
 * out of line: &tcp_reuse_none (known false) but for a reused 4-tuple. */
struct tcp_reuse {
	/* the old connection's record id (0: none) and its latest packet's
	 * time, as the flow table has them, kept here with the rest */
	uint64_t prev_id, prev_last_ts;
	uint64_t state_ts[2];
	uint32_t snd_nxt[2];
	uint8_t state[2]; /* enum tcp_state */
	bool known;       /* false: the 4-tuple was not in use */
};
extern const struct tcp_reuse tcp_reuse_none;

/* Both endpoints of one connection: [0] client (SYN sender) or, picked up
 * mid-stream, the first packet's sender. */
struct tcp_conn {
	struct tcp_endpoint ep[2];
	/* one word: the flags as bits, the counts beside them */
	bool syn_seen : 1;    /* the client's SYN is in the capture */
	bool mid_stream : 1;  /* first packet was not a SYN */
	bool reset : 1;       /* an accepted RST ended it */
	bool end_at_leap : 1; /* finished where capture time jumped ahead (end_ts), not at its end */
	uint8_t event_count;
	uint16_t blocks;      /* bit i: its block i (tcp_conn_block) is allocated */
	uint32_t events_dropped; /* saturates at UINT32_MAX */
	uint64_t syn_ts, synack_ts, hs_ack_ts; /* the handshake's three packets */
	uint64_t end_ts;  /* capture time when the record was finished (tcp_conn_finish) */
	/* TCP_EVENTS_MAX entries, allocated at the first event: an open
	 * connection seldom has one (they are mostly about its close) */
	struct tcp_event *events;
	/* both sides' transitions past their first TCP_TIMELINE_INLINE,
	 * allocated at the first of them */
	struct tcp_transition (*timeline_rest)[TCP_TIMELINE_MAX - TCP_TIMELINE_INLINE];
	const struct tcp_reuse *reuse;
};

/* Side side's transition i (below its timeline_count). */
static inline const struct tcp_transition *tcp_conn_transition(const struct tcp_conn *conn,
							       unsigned side, unsigned i)
{
	return i < TCP_TIMELINE_INLINE ? &conn->ep[side].timeline[i]
				       : &conn->timeline_rest[side][i - TCP_TIMELINE_INLINE];
}

/* Set *ns to the handshake's duration, the SYN to the client's ACK as
 * the capture saw them (one round trip wherever it sits); false when it
 * did not see both. */
static inline bool tcp_conn_handshake(const struct tcp_conn *conn, uint64_t *ns)
{
	if (conn->syn_ts == 0 || conn->hs_ack_ts == 0 || conn->hs_ack_ts < conn->syn_ts)
		return false;
	*ns = conn->hs_ack_ts - conn->syn_ts;
	return true;
}

/* Prepare conn for a connection whose first packet is pkt. */
void tcp_conn_init(struct tcp_conn *conn, const struct packet *pkt);

/* Free what conn allocated (its blocks); it must be
 * initialised again before another use. */
void tcp_conn_release(struct tcp_conn *conn);

/* What a connection keeps out of line, allocated on first use, by block
 * number: the event log, each endpoint's RST details, FIN details and
 * uncommon packets' details (side 0, then side 1), the timelines' rest,
 * what it knows of the connection before it (tcp_conn_reuse).
 * conn->blocks says which are allocated (the memory cap counts them: a
 * call that may allocate one says so; a connection never initialised has
 * none); the flow table packs them with the flow. */
enum {
	TCP_BLOCK_EVENTS = 0,
	TCP_BLOCK_RST = 1,      /* + side */
	TCP_BLOCK_FIN = 3,      /* + side */
	TCP_BLOCK_ODD = 5,      /* + side */
	TCP_BLOCK_TIMELINE = 7,
	TCP_BLOCK_REUSE = 8,
	TCP_CONN_BLOCKS = 9,
};

/* conn's endpoint side's uncommon-packet details to write, allocated
 * (and counted in conn->blocks) at the first call: call it only when
 * something is written. */
struct tcp_odd *tcp_conn_odd(struct tcp_conn *conn, unsigned side);

/* The lowest block in *mask (not 0), taken out of it: the blocks a
 * connection has, in order, without looking at those it has not. */
static inline unsigned tcp_block_next(unsigned *mask)
{
	unsigned i = 0;

#if defined(__GNUC__) || defined(__clang__)
	i = (unsigned)__builtin_ctz(*mask);
#else
	while (!(*mask & 1u << i))
		i++;
#endif
	*mask &= *mask - 1;
	return i;
}

/* The bytes block i takes. */
size_t tcp_conn_block_size(unsigned i);

/* conn's block i, NULL when it is not allocated; *used is how many of its
 * first bytes hold anything (a multiple of 8: the rest are zero). */
void *tcp_conn_block(const struct tcp_conn *conn, unsigned i, size_t *used);

/* Give conn block i: p, tcp_conn_block_size(i) bytes from malloc, which
 * conn now owns.  Only for a block conn->blocks says it had. */
void tcp_conn_block_set(struct tcp_conn *conn, unsigned i, void *p);

/* For a copy of conn's bytes kept apart from its blocks (the flow
 * table's packed flows): tcp_conn_blocks_null sets every block pointer
 * to NULL, so that the copy holds no addresses; tcp_conn_blocks_none
 * sets each to what it is without its block (the all-zero none of its
 * kind, or NULL), before tcp_conn_block_set gives back those it has.
 * Neither frees anything nor changes conn->blocks. */
void tcp_conn_blocks_null(struct tcp_conn *conn);
void tcp_conn_blocks_none(struct tcp_conn *conn);

/* Fill *r with what a SYN sent by old's side syn_side takes over from
 * old: the new connection's side 0 is that sender. */
void tcp_reuse_note(struct tcp_reuse *r, const struct tcp_conn *old, unsigned syn_side);

/* Record, right after tcp_conn_init, that conn's first packet syn reused
 * the 4-tuple of the connection r describes: conn->reuse, and an
 * EV_SYN_REUSE event (both allocate a block). */
void tcp_conn_reuse(struct tcp_conn *conn, const struct packet *syn, const struct tcp_reuse *r);

/* Step both endpoints with pkt, sent by side dir (0 or 1). */
void tcp_conn_step(struct tcp_conn *conn, unsigned dir, const struct packet *pkt);

/* Move endpoints whose timers ran out by capture time now (TIME_WAIT
 * after time_wait_ns) to CLOSED, as the kernel would.  Like
 * tcp_conn_step, it may allocate a block. */
void tcp_conn_expire(struct tcp_conn *conn, uint64_t now, uint64_t time_wait_ns);

/* A RST whose TTL or hop limit lies more than this many hops from every
 * other packet of its claimed sender came from somewhere else: a host's
 * TTL is constant on one path, and route changes move it by a hop or two. */
enum { TCP_FORGED_TTL_HOPS = 8 };

/* Report whether the RST of ep that its peer acted on, and every other
 * RST of ep, is unlike ep's other packets by TTL: the data it sent (two
 * packets at least), or without data, three packets at least.  Rules
 * that would blame ep's application for the RST ask this first. */
bool tcp_endpoint_rst_forged(const struct tcp_endpoint *ep);

/* Where the RST in an endpoint's name came from, by its TTL: the
 * endpoint's own stack; a device at another distance (rst_forged: more
 * than TCP_FORGED_TTL_HOPS off); or, with a TTL a few hops higher than
 * every other packet of the endpoint (whose TTL never varied), a device
 * between the endpoint and the capture point, which is likely but not
 * certain (a route change or a stack giving RSTs another initial TTL). */
enum tcp_rst_origin { TCP_RST_OWN, TCP_RST_FORGED, TCP_RST_NEARER };
enum tcp_rst_origin tcp_endpoint_rst_origin(const struct tcp_endpoint *ep);

/* Report whether ep retransmitted an unacknowledged FIN and went silent. */
bool tcp_endpoint_gave_up(const struct tcp_endpoint *ep);

/* Report whether a retransmission series whose last two copies were sent
 * at prev and last had stopped by capture time end: backoff at most
 * doubles the interval, so a silence over twice the last one means the
 * next copy was never sent. */
bool tcp_retries_stopped(uint64_t prev, uint64_t last, uint64_t end);

/* An endpoint that sent nothing but its SYN, count times or more, and
 * whose peer sent nothing at all: a connect attempt never answered. */
bool tcp_endpoint_syn_unanswered(const struct tcp_conn *conn, unsigned side, uint32_t count);

/* A passive closer whose FIN, sent count times from LAST_ACK, the peer
 * answered with nothing at all. */
bool tcp_endpoint_last_ack_unanswered(const struct tcp_conn *conn, unsigned side,
				      uint32_t count);

/* At the end of a connection's record, at capture time now: an endpoint
 * that gave up in FIN_WAIT_1, or whose unanswered SYN or LAST_ACK FIN
 * retries stopped, is CLOSED by its retransmission timer (which may
 * allocate a block). */
void tcp_conn_finish(struct tcp_conn *conn, uint64_t now);

/* Whether an endpoint's FIN retransmissions, unanswered, decide the
 * connection's end (the FIN_WAIT_1 give-up or the LAST_ACK retries that
 * tcp_conn_finish closes, with the peer silent since the FIN): running,
 * or done by capture time now.  Done, the host that retried has
 * destroyed the connection and only a packet nobody expects could still
 * come, so the flow table finishes it like a closed one instead of
 * holding it for the idle timeout. */
enum tcp_timers { TCP_TIMERS_NONE, TCP_TIMERS_RUNNING, TCP_TIMERS_DONE };
enum { TCP_RTO_MAX_S = 120 };
#define TCP_RTO_MAX_NS ((uint64_t)TCP_RTO_MAX_S * 1000000000u)
enum tcp_timers tcp_conn_timers(const struct tcp_conn *conn, uint64_t now);

/* Report whether both endpoints are done with the connection. */
bool tcp_conn_closed(const struct tcp_conn *conn);

/* Return the upper-case name of a state ("FIN_WAIT_2"). */
const char *tcp_state_name(uint8_t state);

/* Return the name of an event type ("fin-acked"). */
const char *tcp_event_name(uint8_t type);

/* Name an event's two values (struct tcp_event a and b): "seq", "ack"...;
 * both NULL for an unknown type. */
void tcp_event_fields(uint8_t type, const char **a, const char **b);

#endif
