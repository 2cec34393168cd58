/* connreport: the record of one finished connection, the only thing about
 * a connection that a writer sees.
 *
 * The analysis step (analyse.h) builds it once per finished connection
 * from the engine's flow and the rules' findings, and hands it to the
 * report funnel (report.h), which counts it and passes it to every
 * writer.  It holds words and numbers, never an engine type: the names of
 * states, close classes and events are filled in by the builder, so a
 * writer needs no engine header to print any of it.  Every string points
 * either into the record or at a static name; the record is read-only to
 * writers and lives until the last writer has returned. */
#ifndef FINLINT_CONNREPORT_H
#define FINLINT_CONNREPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "community-id.h"

struct capset;
#include "rule-catalogue.h"

/* Room for an address as inet_ntop writes it, and for "addr:port"
 * ("[addr]:port" for IPv6). */
enum { CONN_ADDRESS_MAX = 46, CONN_ENDPOINT_MAX = CONN_ADDRESS_MAX + 8 };

/* The sizes of the views; the builder checks at compile time that the
 * engine never keeps more than these. */
enum {
	CONN_TIMELINE_MAX = 16, /* both sides' state transitions */
	CONN_EVENTS_MAX = 16,
	CONN_ZEEK_MAX = 4,      /* conn.log lines one connection makes */
	CONN_ZEEK_HISTORY_MAX = 32,
	CONN_STEPS_MAX = 16,    /* packets of the teardown ladder */
	CONN_EXCERPT_MAX = 24,  /* bytes kept of a RST's payload */
};

/* Sides are 0 (the client: the SYN's sender, or mid-stream the first
 * packet's sender) and 1 (the server, or the other side). */
struct conn_endpoint {
	char addr[CONN_ADDRESS_MAX];
	uint16_t port;
	char text[CONN_ENDPOINT_MAX]; /* "192.0.2.1:80", "[2001:db8::1]:443" */
};

struct conn_fin {
	uint32_t seq;
	uint64_t pkt, ts;
	uint32_t times_sent;
	bool before_handshake; /* sent in SYN_SENT at the SYN's own seq: connect abandoned */
	uint64_t acked_by;     /* the peer's packet that acknowledged it; 0: never */
};

struct conn_rst {
	uint64_t pkt; /* the side's first RST */
	char flags[9]; /* "R", "RA"... as decode_flags_str writes them */
	uint32_t seq, ack;
	bool has_ack;
	const char *kind; /* "no-socket", "abort", "other" */
	uint32_t count;
	/* the first RST the peer acted on, and who could have sent it */
	uint64_t accepted_pkt; /* 0: the peer ignored every one */
	uint8_t ttl;
	uint16_t ip_id;
	bool sender_ttl_known; /* the side's other packets' TTL range */
	uint8_t ttl_min, ttl_max;
	bool data_ttl_known;   /* ... of those that carried data */
	uint8_t data_ttl_min, data_ttl_max;
	/* its first RST that carried payload (RFC 9293 3.5.3) */
	uint64_t payload_pkt; /* 0: none did */
	uint32_t payload_bytes;
	uint8_t excerpt_len;  /* bytes of it captured */
	uint8_t excerpt[CONN_EXCERPT_MAX];
};

struct conn_side {
	const char *state; /* its final state: "TIME_WAIT" */
	const char *role;  /* "client"/"server", mid-stream "first sender"/"other side" */
	uint64_t packets, data_bytes, retransmissions, keepalives;
	uint32_t gaps, acks_unseen;
	bool isn_known;
	uint32_t isn;
	/* capture caveats */
	uint32_t copies;  /* packets of it the capture holds twice */
	uint64_t first_copy_pkt;
	bool shift_known; /* a device shifted its sequence numbers */
	uint32_t seq_shift;
	uint32_t pad_segments; /* segments whose "payload" was Ethernet padding */
	uint64_t first_pad_pkt;
	bool has_fin;
	struct conn_fin fin;
	bool has_rst;
	struct conn_rst rst;
};

/* One state transition of one side; pkt 0 means a timer moved it. */
struct conn_transition {
	uint8_t side;
	const char *state;
	uint64_t ts, pkt;
};

/* One engine event with its two values named: "seq", "ack", "len"...
 * A name is NULL when the event has no such value. */
struct conn_event {
	const char *name; /* "fin", "rst", "syn-reuse"... */
	uint64_t pkt;
	uint8_t side;     /* the side that sent the packet */
	const char *a_name, *b_name;
	uint32_t a, b;
};

/* One line Zeek's conn.log would write for this connection. */
struct conn_zeek_line {
	uint64_t first_pkt;
	const char *conn_state; /* "SF", "RSTO"... */
	uint8_t orig_side;      /* the side Zeek calls the originator */
	char history[CONN_ZEEK_HISTORY_MAX];
};

/* One packet of the teardown ladder, with both sides' states after it;
 * seq and ack relative to each sender's ISN when it is known. */
struct conn_step {
	uint64_t pkt, ts;
	uint32_t seq, ack, len;
	bool relative; /* seq/ack are relative */
	bool has_ack;  /* the ACK flag is set: ack means something */
	char flags[9];
	uint8_t side;  /* the sender */
	const char *state[2];
};

struct conn_finding {
	const struct rule_info *rule; /* id, code, texts */
	unsigned rule_index;          /* enum rule_id */
	uint8_t severity;             /* enum severity */
	uint8_t confidence;           /* enum confidence */
	int8_t side;                  /* 0, 1, or -1 for both */
	uint8_t npkts;
	uint64_t pkts[FINDING_PKTS_MAX]; /* evidence, ascending packet numbers */
	const char *message;
	bool baselined; /* in the --baseline report: shown, never fails the run (set by the funnel) */
};

struct conn_report {
	uint64_t id; /* 1-based, in order of first packet in its file */
	const char *file;
	const struct capset *set; /* --merge: where each packet number came from (capset.h) */
	struct conn_endpoint end[2];
	char community_id[COMMUNITY_ID_LEN]; /* v1, seed 0, base64 */
	bool mid_stream;
	bool finished_early; /* by --max-memory */
	bool nanosecond;     /* the file's timestamps have nanosecond resolution */
	uint64_t first_pkt, last_pkt, first_ts, last_ts;

	/* how it ended (docs/close-classes.md) */
	unsigned close_class;  /* index for per-class totals, conn_close_name() */
	const char *close;     /* "clean-close" */
	int active_closer;     /* 0, 1, CONN_CLOSER_BOTH, CONN_CLOSER_NONE */
	bool aborted;          /* abortive-reset: the active closer reset, not closed */
	bool three_way;

	/* where the capture was taken, from the handshake's timing */
	const char *capture_point;       /* "near-client", "unknown"... */
	const char *capture_point_words; /* "near the client" */
	bool handshake_seen;
	uint64_t syn_to_synack_ns, synack_to_ack_ns;

	/* the connection whose 4-tuple this one reused; prev_id 0: none */
	uint64_t prev_id;
	const char *prev_state[2]; /* that connection's states when the new SYN came */
	uint64_t prev_last_ts;

	struct conn_side side[2];

	unsigned timeline_count; /* both sides, in packet order */
	struct conn_transition timeline[CONN_TIMELINE_MAX];

	unsigned event_count;
	uint32_t events_dropped;
	struct conn_event events[CONN_EVENTS_MAX];

	/* Zeek's view, only when a writer asked for it (zeek_known) */
	bool zeek_known;
	unsigned zeek_count;
	uint32_t zeek_dropped;
	struct conn_zeek_line zeek[CONN_ZEEK_MAX];

	/* the last packets, only when a writer asked for them (steps_known);
	 * steps_left_out: the connection's packets before the first kept one */
	bool steps_known;
	unsigned step_count;
	uint64_t steps_left_out;
	struct conn_step steps[CONN_STEPS_MAX];

	unsigned finding_count; /* ordered by first evidence packet */
	struct conn_finding findings[RULE_COUNT];
};

enum { CONN_CLOSER_NONE = -1, CONN_CLOSER_BOTH = 2 };

/* A late finding (--hold-closed tombstone): what a packet found for a
 * closed connection whose record had already been written, when the
 * connection kept only its tombstone (flow-tomb.h).  It names the record
 * by id; every format shows it after that record.  The finding is one the
 * record would have held had the connection been kept whole.  With
 * finding.rule NULL it is no finding but the late packets that found
 * nothing (the message says what came): shown, never counted as a
 * finding, and it fails nothing. */
enum { LATE_MESSAGE_MAX = 1024 };
struct late_report {
	uint64_t id; /* the connection's record */
	const char *file;
	const struct capset *set;
	struct conn_endpoint end[2];
	char community_id[COMMUNITY_ID_LEN];
	bool nanosecond;
	uint64_t record_last_ts; /* the record's latest packet */
	struct conn_finding finding;
	char message[LATE_MESSAGE_MAX]; /* finding.message points here */
	/* late packets (rule NULL): Zeek's conn.log lines for them, when a
	 * writer reads them (Zeek keeps a closed connection 5 s at most, so
	 * it writes late packets a line of their own) */
	unsigned zeek_count;
	struct conn_zeek_line zeek[CONN_ZEEK_MAX];
};

/* The close classes, for per-class totals: conn_close_count() of them,
 * named by conn_close_name(i). */
unsigned conn_close_count(void);
const char *conn_close_name(unsigned cls);

#endif
