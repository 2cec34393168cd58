/* classify: name how a connection ended, from one documented vocabulary
 * (docs/close-classes.md). */
#ifndef FINLINT_CLASSIFY_H
#define FINLINT_CLASSIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "tcpstate.h"

enum close_class {
	CLOSE_CLEAN,        /* both FINs sent and acknowledged */
	CLOSE_SIMULTANEOUS, /* the FINs crossed */
	CLOSE_HALF,         /* data flowed after the first FIN, then both closed */
	CLOSE_ABORT,        /* a RST ended an open connection, no FIN before it */
	CLOSE_RESET_AFTER,  /* a RST came after a FIN */
	CLOSE_REFUSED,      /* SYN answered by RST */
	CLOSE_VANISHED,     /* a side retried its FIN unanswered, then went silent */
	CLOSE_NOT_CLOSED,   /* the capture ended first */
	CLOSE_PROBE,        /* a scanner's probe and its answer, never a connection */
	CLOSE_COUNT
};

/* The kinds of probe a scanner sends (classify_probe). */
enum probe_kind {
	PROBE_NONE,
	PROBE_FLAGS,   /* a first segment no stack sends: no SYN and no ACK (FIN, NULL, Xmas) */
	PROBE_SYN,     /* a crafted SYN whose SYN-ACK the scanner's kernel resets */
	PROBE_CONNECT, /* a handshake the client resets at once, no data either way */
};

/* A connect probe resets within this long of its handshake ACK. */
#define PROBE_CONNECT_MAX_NS 1000000000u

enum { CLOSER_NONE = -1, CLOSER_BOTH = 2 };

struct close_verdict {
	enum close_class cls;
	int active_closer; /* 0 client, 1 server, CLOSER_BOTH, CLOSER_NONE */
	bool three_way;    /* clean close whose second FIN acked the first */
};

/* Where the capture was taken, from the handshake's timing: near the
 * client the SYN-ACK comes a whole round trip after the SYN and the ACK at
 * once; near the server the other way round. */
enum capture_point { CAPTURE_UNKNOWN, CAPTURE_NEAR_CLIENT, CAPTURE_NEAR_SERVER, CAPTURE_BETWEEN };

struct capture_point_verdict {
	enum capture_point where;
	uint64_t syn_to_synack_ns, synack_to_ack_ns; /* 0 when not seen */
	bool handshake_seen;
};

/* Infer the capture point of one connection. */
struct capture_point_verdict classify_capture_point(const struct tcp_conn *c);

/* The same in words for a sentence: "near the client"... */
const char *capture_point_words(enum capture_point where);

/* Return "near-client", "near-server", "between" or "unknown". */
const char *capture_point_name(enum capture_point where);

/* The side (0 or 1) whose RST ended the connection: the one whose first
 * RST that its receiver acted on came earlier; -1 when there is none. */
int classify_resetter(const struct tcp_conn *c);

/* Tell whether a connection is a scanner's probe, and which kind. */
enum probe_kind classify_probe(const struct tcp_conn *c);

/* Classify a finished connection. */
struct close_verdict classify_close(const struct tcp_conn *c);

/* Return the vocabulary word of a class ("clean-close"). */
const char *classify_name(enum close_class cls);

#endif
