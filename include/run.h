/* run: the analysis loop, read -> decode -> flow table -> report. */
#ifndef FINLINT_RUN_H
#define FINLINT_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "report.h"
#include "rules.h"

struct packet;

struct run_options {
	bool decode_only; /* print each decoded packet instead of a report */
	FILE *out; /* --decode's output */
	const struct rule_config *rules; /* timers and the rules to run */
	const char *filter;              /* BPF expression, or NULL */
	unsigned threads;                /* 2: read and decode on a thread of their own */
	uint64_t max_memory;             /* bytes of flow memory; 0: no cap */
	const struct capset *set;        /* --merge: the files of the one capture, or NULL */
	/* --pair: called with each TCP packet as it is tracked (dated by
	 * the capture's clock), with tap_ctx; NULL: none */
	void (*tap)(void *ctx, const struct packet *pkt);
	void *tap_ctx;
	/* --hold-closed: false (tombstone, the default) writes a closed
	 * connection's record once it has been silent for linger_ns and
	 * keeps a tombstone (flow-tomb.h) for the rest of its TIME_WAIT;
	 * true (full) holds the whole flow for all of it */
	bool hold_full;
	uint64_t linger_ns;
	/* ... and for a connection whose handshake took less than
	 * RUN_FAST_RTT_MS (its retransmission timeout is short too) */
	uint64_t linger_fast_ns;
};

/* The default --linger: a closed connection's record is written once it
 * has been silent this long (capture time), or RUN_LINGER_FAST_S for one
 * whose round trip was shorter than RUN_FAST_RTT_MS.  A lost final ACK
 * makes the other side repeat its FIN after one RTO, then 2, 4 and 8
 * (Linux: 200 ms plus about the round trip, Windows 300 ms): 3 s holds
 * the first four repeats of a path under 50 ms, 10 s those of most
 * others. */
enum { RUN_LINGER_DEFAULT_S = 10, RUN_LINGER_FAST_S = 3, RUN_FAST_RTT_MS = 50 };

/* Analyse one capture file into r (or print its packets when decoding
 * only).  Return false when the file could not be read whole. */
bool run_file(const char *path, const struct run_options *o, struct report *r);

struct capture;

/* Analyse an opened capture (or, when cap is NULL, report open_error for
 * path); the capture is closed on return.  Return as run_file(). */
bool run_capture(struct capture *cap, const char *path, const char *open_error,
		 const struct run_options *o, struct report *r);

#endif
