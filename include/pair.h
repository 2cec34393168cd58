/* pair: two captures of the same connections at two points (--pair A B),
 * the first nearer the clients (the SYN senders), the second nearer the
 * servers.
 *
 * Each capture is analysed as on its own; a tap on the run's loop
 * (pair-collect.c) also keeps every TCP packet's header facts by
 * connection.  pair-match.c then matches the connections of the two
 * points, estimates the clock offset between them from the handshakes,
 * and gives every packet of a matched connection a verdict: crossed,
 * lost between the points, or appeared between them.  pair-rules.c
 * turns the verdicts into two-point findings.  The result holds no
 * engine type, so that the report writers can read it. */
#ifndef FINLINT_PAIR_H
#define FINLINT_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rule-catalogue.h"

struct packet;
struct rule_config;

/* The two points: [0] the first file, nearer the clients; [1] the second. */
enum { PAIR_CLIENT_SIDE = 0, PAIR_SERVER_SIDE = 1 };

/* What became of one packet of a matched connection. */
enum pair_verdict {
	PAIR_CROSSED,  /* seen at both points */
	PAIR_LOST,     /* seen at its sender's point, never at the other */
	PAIR_APPEARED, /* seen at the far point, never at its claimed sender's own */
	PAIR_OUTSIDE,  /* seen at one point while the other capture was not running */
	PAIR_RESEGMENTED, /* crossed cut in pieces or merged (TSO/GSO, GRO): one segment
			   * at one point, exactly its bytes in several at the other */
	PAIR_VERDICTS
};

/* One TCP packet as one point saw it. */
struct pair_pkt {
	uint64_t frame; /* 1-based frame number in its file */
	uint64_t ts;    /* capture time, ns */
	uint32_t seq, ack, len;
	uint16_t ip_id;
	uint8_t flags, ttl;
	uint8_t dir;     /* 0: from the client (side 0), 1: from the server */
	uint8_t verdict; /* enum pair_verdict, once matched */
	uint32_t peer;   /* its copy's index at the other point (PAIR_NONE: none) */
};

#define PAIR_NONE UINT32_MAX

/* One address and port, written out. */
enum { PAIR_ENDPOINT_MAX = 56 };

/* One connection as one point saw it. */
struct pair_conn {
	uint8_t family;
	uint8_t addr[2][16]; /* [0] client, [1] server */
	uint16_t port[2];
	bool isn_known[2];
	uint32_t isn[2];
	bool syn_seen, synack_seen;
	uint64_t syn_ts, synack_ts; /* the last SYN before the first SYN-ACK, that SYN-ACK */
	struct pair_pkt *pkt;
	uint32_t n, cap;
	uint32_t next;  /* the hash chain of its 4-tuple (pair-collect.c) */
	uint32_t match; /* the matched connection's index at the other point, or PAIR_NONE */
};

/* What one point holds: its file and connections. */
struct pair_point {
	const char *path;
	struct pair_conn *conn;
	uint32_t n, cap;
	uint32_t *bucket; /* 4-tuple hash -> latest connection (pair-collect.c) */
	uint32_t nbuckets;
	uint64_t packets; /* TCP packets kept */
	uint64_t first_ts, last_ts;
	bool read_error; /* the file could not be read whole */
};

/* A two-point finding: a catalogue rule, with evidence frames from both
 * files.  f.pkts holds the first file's frames; pkts_b the second's. */
struct pair_finding {
	struct finding f;
	uint8_t npkts_b;
	uint64_t pkts_b[FINDING_PKTS_MAX];
	bool baselined; /* never: a baseline holds single-capture findings */
};

/* One matched connection: its index at each point, its clock estimate,
 * its counts by verdict and its findings. */
enum { PAIR_FINDINGS_MAX = 8 };

struct pair_match {
	uint32_t conn[2];
	bool translated;   /* its addresses or ports differ between the points (NAT) */
	bool flipped;      /* picked up mid-stream, with the sides the other way round */
	bool clocked;      /* SYN and SYN-ACK at both points: offset and delay below */
	int64_t offset_ns; /* server side's clock minus client side's */
	int64_t delay_ns;  /* one-way delay between the points */
	uint64_t count[PAIR_VERDICTS];
	unsigned nfound;
	struct pair_finding *found; /* PAIR_FINDINGS_MAX of them once there is one, or NULL */
};

/* Both points and what was made of them. */
struct pair {
	struct pair_point point[2];
	struct pair_match *match;
	uint32_t nmatch, match_cap;
	unsigned clocked;  /* connections the offset was estimated from */
	int64_t offset_ns; /* their median */
	int64_t delay_ns;  /* median one-way delay */
	uint32_t only[2];  /* connections seen at one point only, by point */
};

/* Prepare p for the two files. */
void pair_init(struct pair *p, const char *client_side, const char *server_side);

/* Free what p holds. */
void pair_free(struct pair *p);

/* The run's tap (run_options.tap): keep pkt, a decoded TCP packet, at
 * the point ctx (a struct pair_point). */
void pair_collect(void *ctx, const struct packet *pkt);

/* Match the connections and packets of both points (pair-match.c). */
void pair_match_points(struct pair *p);

/* When a packet seen at point pt at time t, going in direction dir, is
 * (or would be) seen at the other point, on the other point's clock. */
int64_t pair_other_time(const struct pair *p, const struct pair_match *m, unsigned pt,
			unsigned dir, uint64_t t);

/* Find the two-point findings of every matched connection (pair-rules.c). */
void pair_rules_check(struct pair *p, const struct rule_config *cfg);

/* Name a point: "client side" or "server side". */
const char *pair_point_name(unsigned point);

/* Write a connection's endpoint at one point: "10.0.1.1:41234". */
void pair_endpoint(const struct pair_conn *c, unsigned side, char *buf, size_t size);

/* A packet's sequence and ack numbers relative to the ISNs of its
 * connection (raw when an ISN is not known). */
uint32_t pair_rel_seq(const struct pair_conn *c, const struct pair_pkt *k);
uint32_t pair_rel_ack(const struct pair_conn *c, const struct pair_pkt *k);

/* The report's two-point section: text (pair-text.c; only the
 * connections with a packet that did not cross or a finding, unless
 * all), HTML
 * (pair-html.c), and JSON (pair-json.c, a cJSON object the caller
 * deletes). */
#include <stdio.h>
void pair_text_write(FILE *out, const struct pair *p, bool all); /* all: --flows all */
void pair_html_write(FILE *out, const struct pair *p);
struct cJSON;
struct cJSON *pair_json_object(const struct pair *p);

/* Name a verdict: "crossed", "lost", "appeared", "outside",
 * "resegmented". */
const char *pair_verdict_name(unsigned v);

#endif
