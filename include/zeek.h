/* zeek: what Zeek's conn.log would say about a TCP connection, its
 * conn_state and history, rebuilt from the same packets with Zeek's own
 * rules (its TCP analyzer's endpoint states, history letters, role flips
 * and connection timers) so finlint's output can be joined with Zeek's.
 *
 * Zeek ends a connection on timers finlint does not have (5 s after a
 * close, 5 s after an unanswered SYN, 1 or 5 min of silence) and on a SYN
 * that reuses a closed 4-tuple, and logs what follows as a new
 * connection.  So one finlint flow can be several conn.log lines: each is
 * a "piece" here, in order; piece 0 starts with the flow's first packet.
 *
 * The state is part of struct flow and a step is a few comparisons per
 * packet; the only allocation is at a flow's first split. */
#ifndef FINLINT_ZEEK_H
#define FINLINT_ZEEK_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"

/* Zeek's per-endpoint states, numbered as its TCP_INACTIVE ... TCP_RESET. */
enum zeek_tcp_state {
	ZEEK_INACTIVE,
	ZEEK_SYN_SENT,
	ZEEK_SYN_ACK_SENT,
	ZEEK_PARTIAL,
	ZEEK_ESTABLISHED,
	ZEEK_CLOSED,
	ZEEK_RESET,
};

enum zeek_conn_state {
	ZEEK_S0,
	ZEEK_S1,
	ZEEK_SF,
	ZEEK_REJ,
	ZEEK_S2,
	ZEEK_S3,
	ZEEK_RSTO,
	ZEEK_RSTR,
	ZEEK_RSTOS0,
	ZEEK_RSTRH,
	ZEEK_SH,
	ZEEK_SHR,
	ZEEK_OTH,
};

/* Room for a history string and its NUL; Zeek's is unbounded, longer ones
 * are cut (zeek_piece.truncated). ZEEK_PIECES_MAX pieces are kept per flow,
 * the last one always; the count of those dropped in between is kept. */
enum { ZEEK_HISTORY_MAX = 32, ZEEK_PIECES_MAX = 4 };

/* One conn.log line. */
struct zeek_piece {
	uint64_t first_pkt; /* the packet Zeek's connection started with */
	uint8_t conn_state; /* enum zeek_conn_state */
	uint8_t orig_side;  /* flow side Zeek calls the originator */
	bool truncated;
	char history[ZEEK_HISTORY_MAX];
};

/* One endpoint as Zeek's TCP analyzer keeps it.  Sequence numbers are
 * absolute; "relative" ones count from start as Zeek's do. */
struct zeek_endpoint {
	uint8_t state, prev_state; /* enum zeek_tcp_state */
	/* the flags as bits: every flow carries two endpoints */
	bool did_close : 1;        /* Zeek reported its close */
	bool fin_seen : 1;
	bool buffered : 1;         /* data above a hole waits in the reassembler */
	bool skip : 1;             /* the reassembler gave up on this stream */
	/* the next 'T', 'W' and 'G' thresholds, as how many times Zeek's
	 * threshold (1 at first) was multiplied by 10 in 32 bits */
	uint8_t rxmt_next, win0_next, gaps_next;
	uint32_t start, last, ack; /* Zeek's StartSeq, LastSeq, AckSeq */
	uint32_t fin_rel;          /* relative seq just past its FIN */
	uint32_t reassem, trim;    /* relative: delivered up to, acked up to */
	uint32_t buf_lo, buf_hi;   /* relative: the data above the hole */
	uint32_t hist_syn, hist_fin, hist_rst; /* relative seq of the last of each */
	uint32_t rxmt;             /* retransmissions, 'T' */
	uint32_t win0;             /* zero windows, 'W' */
	uint32_t gaps;             /* content gaps, 'G' */
};

enum { ZEEK_EXPIRE_CHAINS = 3 };

/* The Zeek connection in progress. */
struct zeek_live {
	struct zeek_endpoint ep[2]; /* by flow side, not by role */
	uint8_t orig_side;
	uint8_t first_seen;         /* bit 0: orig's first packet, bit 1: resp's */
	uint8_t hist_len;
	/* the flags as bits, so that they and the above take one word with
	 * hist_seen */
	bool live : 1;
	bool is_partial : 1;
	bool active : 1;            /* Zeek's is_active: its expire timer still runs */
	bool long_idle : 1;         /* handshake over: 5 min inactivity, not 1 */
	bool synack_first : 1;      /* began with an unflipped SYN-ACK */
	bool truncated : 1;
	uint32_t hist_seen;
	uint64_t first_pkt;
	uint64_t last_time;         /* Zeek's Conn()->LastTime(), ns */
	uint64_t attempt_at, delete_at; /* ns; 0: no such timer */
	uint64_t expire_at[ZEEK_EXPIRE_CHAINS];
	char history[ZEEK_HISTORY_MAX];
};

struct zeek_conn {
	struct zeek_live cur;
	/* conn.log lines already ended within this flow: most flows make one
	 * line, so room for the others (ZEEK_PIECES_MAX - 1) is allocated at
	 * the first split rather than carried by every flow */
	uint8_t done_count;
	uint32_t done_dropped;
	struct zeek_piece *done;
};

/* Release what a split allocated; z is then empty. */
void zeek_conn_free(struct zeek_conn *z);

/* Feed one TCP packet of the flow, sent by flow side dir (0 or 1). */
void zeek_step(struct zeek_conn *z, unsigned dir, const struct packet *pkt);

/* Return how many conn.log lines the flow makes (0 before any packet),
 * pieces dropped for room not counted. */
unsigned zeek_piece_count(const struct zeek_conn *z);

/* Fill *out with piece i (0 = the one that starts the flow) and return
 * true, or return false when there is no such piece. */
bool zeek_piece_get(const struct zeek_conn *z, unsigned i, struct zeek_piece *out);

/* Return the number of pieces dropped for room. */
uint32_t zeek_pieces_dropped(const struct zeek_conn *z);

/* The first piece's conn_state ("SF"), history and originator side; NULL
 * and 0 before any packet. */
const char *zeek_conn_state(const struct zeek_conn *z);
const char *zeek_history(const struct zeek_conn *z);
unsigned zeek_orig_side(const struct zeek_conn *z);

/* Return the name of a conn_state value. */
const char *zeek_conn_state_name(uint8_t s);

#endif
