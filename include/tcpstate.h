/* tcpstate: each endpoint's TCP state machine as a passive observer can
 * rebuild it from the packets both endpoints send.
 *
 * The state machine records what happened as events (FIN sent, FIN acked
 * with what ack, RST bare or with ACK, data after FIN...) with the packet
 * that proves it; it never judges.  Rules read the events and decide. */
#ifndef FINLINT_TCPSTATE_H
#define FINLINT_TCPSTATE_H

#include <stdbool.h>
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
	EV_SYN_REUSE,       /* a new SYN in a closed connection's 4-tuple */
	EV_GAP,             /* a segment starts past the sender's stream end: bytes not captured */
	EV_ACK_UNSEEN,      /* an ack for bytes never seen: the capture missed them */
	EV_SYN_RETRANSMIT,  /* the same SYN again; a: seq, b: ms since the first SYN */
};

/* How a RST relates to the sequence space, the first hint to its cause. */
enum rst_kind {
	RST_NONE,
	RST_BARE_NO_SOCKET, /* no ACK flag, seq = the ack it answers: no socket (RFC 9293 3.10.7.1) */
	RST_ABORT,          /* ACK flag, seq = sender's next seq: a socket aborted */
	RST_OTHER,
};

struct tcp_event {
	uint64_t pkt;
	uint32_t a, b;
	uint8_t type; /* enum tcp_event_type */
	uint8_t dir;  /* the side that sent the packet */
};

struct tcp_transition {
	uint64_t pkt;
	uint64_t ts;
	uint8_t state;
};

/* Six transitions cover every close path of one side (SYN_SENT,
 * ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2 or CLOSING, TIME_WAIT, CLOSED); the
 * sizes are what one connection costs in memory, so they stay small. */
enum { TCP_TIMELINE_MAX = 6, TCP_EVENTS_MAX = 12 };

/* A FIN sent this many times, never acknowledged, with nothing but FINs
 * after it, is a FIN_WAIT_1 give-up: the sender retried with backoff and
 * went silent (Linux: tcp_orphan_retries). */
enum { TCP_GIVE_UP_FINS = 3 };

/* One endpoint of a connection. */
struct tcp_endpoint {
	uint8_t state; /* enum tcp_state */
	uint64_t state_ts; /* when it entered state (the timeline may be full) */
	bool seq_known;
	bool isn_known;
	bool ack_known;
	bool fin_seen, fin_acked;
	uint8_t rst_kind; /* enum rst_kind, of its first RST */
	uint8_t wscale;

	uint32_t isn;
	uint32_t snd_nxt;  /* highest seq + length sent, FIN and SYN counted */
	uint32_t last_ack; /* highest ack it sent */
	uint16_t last_win;

	uint64_t packets;
	uint64_t data_bytes;
	uint64_t retransmits;

	uint32_t fin_seq; /* seq of its FIN (after the FIN segment's payload) */
	uint32_t fin_count;
	uint64_t fin_pkt, fin_ts;
	uint64_t fin_ack_pkt, fin_ack_ts; /* the peer's packet that acked it */
	uint64_t last_fin_pkt, last_fin_ts; /* its latest FIN, retransmissions included */
	uint64_t prev_fin_ts;               /* the FIN copy before the latest */

	uint64_t fin_rexmit_pkt;    /* its first FIN retransmission */
	/* Its first FIN retransmission sent after the peer had acknowledged
	 * every byte before the FIN: one that repairs nothing but the FIN
	 * (or its ACK).  gap = time since the FIN copy before it. */
	uint64_t fin_rexmit_clean_pkt, fin_rexmit_clean_ts, fin_rexmit_clean_gap;
	uint64_t fin_ack_short_pkt; /* first peer packet after the FIN acking only FIN.seq */
	uint64_t fin_unacked_pkt;   /* sent with data unacknowledged: first such segment */

	uint64_t rst_pkt, rst_ts;
	uint32_t rst_seq, rst_ack;
	uint8_t rst_flags;
	uint8_t rst_state;        /* its own state when it sent the first RST */
	uint8_t rst_answers_flags; /* flags of the peer packet the RST answers */
	bool rst_answers_data;     /* ... and whether that packet carried new data */
	uint32_t rsts;
	uint64_t rst_answers_pkt;  /* the peer's last packet before the RST */
	uint64_t rst_ignored_pkt;  /* its first RST the peer must ignore (RFC 5961) */
	uint64_t tw_rst_pkt;       /* a RST that hit it in TIME_WAIT (RFC 1337) */

	uint64_t first_pkt;       /* its first packet in the connection */
	uint32_t syns;            /* SYNs without ACK at its ISN: 1 + retransmissions */
	uint64_t last_syn_ts, prev_syn_ts; /* its latest SYN and the one before */
	uint8_t first_flags;
	uint64_t last_data_pkt, last_data_ts; /* its latest segment with new data */
	uint64_t una_pkt;          /* first segment of its data not yet acknowledged */
	uint64_t keepalive_pkt;    /* its latest keepalive probe */
	uint32_t keepalives;
	uint32_t gaps;             /* segments that started past its stream end */
	uint32_t acks_unseen;      /* acks for peer bytes the capture never showed */
	uint32_t data_after_peer_fin; /* segments of new data after the peer's FIN */

	uint64_t last_pkt, last_ts;
	uint8_t last_flags;
	bool last_had_data; /* its latest packet carried bytes not sent before */
	uint8_t timeline_count;
	struct tcp_transition timeline[TCP_TIMELINE_MAX];
};

/* Both endpoints of one connection: [0] client (SYN sender) or, picked up
 * mid-stream, the first packet's sender. */
struct tcp_conn {
	struct tcp_endpoint ep[2];
	bool syn_seen;    /* the client's SYN is in the capture */
	bool mid_stream;  /* first packet was not a SYN */
	bool reset;       /* an accepted RST ended it */
	uint64_t syn_ts, synack_ts, hs_ack_ts; /* the handshake's three packets */
	uint64_t end_ts;  /* capture time when the record was finished (tcp_conn_finish) */
	uint8_t event_count;
	uint16_t events_dropped;
	struct tcp_event events[TCP_EVENTS_MAX];
};

/* Prepare conn for a connection whose first packet is pkt. */
void tcp_conn_init(struct tcp_conn *conn, const struct packet *pkt);

/* Step both endpoints with pkt, sent by side dir (0 or 1). */
void tcp_conn_step(struct tcp_conn *conn, unsigned dir, const struct packet *pkt);

/* Move endpoints whose timers ran out by capture time now (TIME_WAIT
 * after time_wait_ns) to CLOSED, as the kernel would. */
void tcp_conn_expire(struct tcp_conn *conn, uint64_t now, uint64_t time_wait_ns);

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
 * retries stopped, is CLOSED by its retransmission timer. */
void tcp_conn_finish(struct tcp_conn *conn, uint64_t now);

/* Report whether both endpoints are done with the connection. */
bool tcp_conn_closed(const struct tcp_conn *conn);

/* Return the upper-case name of a state ("FIN_WAIT_2"). */
const char *tcp_state_name(uint8_t state);

/* Return the name of an event type ("fin-acked"). */
const char *tcp_event_name(uint8_t type);

#endif
