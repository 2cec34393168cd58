/* filestats: what finlint counts about one input file as it reads it. */
#ifndef FINLINT_FILESTATS_H
#define FINLINT_FILESTATS_H

#include <stdbool.h>
#include <stdint.h>

struct capset;

struct file_stats {
	const char *path;       /* with --merge, the set's first file */
	const struct capset *set; /* --merge: the files and each packet's origin (capset.h), or NULL */
	int dlt;
	const char *link_name;
	bool nanosecond;
	int snaplen;

	uint64_t packets;      /* frames read, those a filter left out included */
	uint64_t filtered;     /* frames the BPF filter left out */
	uint64_t tcp;          /* decoded TCP segments */
	uint64_t not_ip;       /* frames without IP (ARP, LLDP...) */
	uint64_t not_tcp;      /* IP but not TCP */
	uint64_t fragments;    /* non-first IP fragments */
	uint64_t header_cut;   /* snaplen cut a header short */
	uint64_t truncated;    /* TCP segments whose payload was cut */
	uint64_t malformed;    /* headers that contradict themselves */
	uint64_t tunneled;     /* TCP segments found inside an encapsulation */
	uint64_t connections;
	uint64_t capture_copies; /* packets the capture holds twice (artefact.h), summed at each flow's end */
	uint64_t finished_early; /* connections finished early by --max-memory */
	/* --hold-closed tombstone: packets that came for a closed connection
	 * whose record was written, and the late findings they made */
	uint64_t late_packets, late_findings;
	uint64_t tombs_ended_early; /* tombstones over their share of --max-memory */
	uint64_t max_memory;     /* its value, bytes (0: no cap) */

	uint64_t first_ts, last_ts; /* nanoseconds since the epoch */
	bool timed;                 /* first_ts and last_ts are a frame's */

	/* Frames dated before the frame read before them: how many, the
	 * first of them, and how far back it went. */
	uint64_t time_back;
	uint64_t time_back_pkt;
	uint64_t time_back_ns;

	bool unsupported_link; /* nothing decoded: link type unknown to us */
	bool read_error;       /* the file ended in damage: see error */
	char error[320];
};

#endif
