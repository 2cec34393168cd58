/* capture: read frames from a pcap file through libpcap, or a pcapng
 * file through finlint's own reader (pcapng.h). */
#ifndef FINLINT_CAPTURE_H
#define FINLINT_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct capture;

/* One frame; data borrows libpcap's buffer until the next capture_next(). */
struct capture_frame {
	uint64_t num;   /* 1-based position in the file */
	int dlt;        /* link type (a pcapng file's interfaces may differ) */
	uint64_t ts_ns; /* nanoseconds since the epoch */
	uint32_t caplen;
	uint32_t wirelen;
	const uint8_t *data;
};

enum capture_status {
	CAPTURE_FRAME, /* *frame is filled */
	CAPTURE_END,   /* the file ended where it should */
	CAPTURE_ERROR, /* the file is damaged: see capture_error() */
};

/* Open path ("-" for standard input).  On failure return NULL and write
 * a one-line reason into err. */
struct capture *capture_open(const char *path, char *err, unsigned errlen);

/* Open a capture on a seekable stream (e.g. fmemopen() in the fuzzer);
 * the capture owns f from now on, also when NULL is returned. */
struct capture *capture_open_stream(FILE *f, char *err, unsigned errlen);

struct capset;

/* Open the files of a capture set (capset-open.h) as one capture: frames
 * in timestamp order, numbered in that order.  The set outlives it. */
struct capture *capture_open_merged(struct capset *set, char *err, unsigned errlen);

/* Read the next frame. */
enum capture_status capture_next(struct capture *cap, struct capture_frame *frame);

/* Return why the last capture_next() failed. */
const char *capture_error(const struct capture *cap);

/* Return the file's link type (a DLT_ value): a pcapng file's first
 * interface's; each frame says its own. */
int capture_dlt(const struct capture *cap);

/* Report whether the file records nanosecond timestamps. */
bool capture_nanosecond(const struct capture *cap);

/* Return the file's snapshot length. */
int capture_snaplen(const struct capture *cap);

/* Close the file. */
/* Check that a filter expression compiles (for Ethernet), before any
 * file is read; on failure return false with the reason in err. */
bool capture_check_filter(const char *expr, char *err, unsigned errlen);

/* Keep only frames matching a tcpdump filter expression (pcap-filter(7));
 * the others are still counted in packet numbers.  On a bad expression
 * return false with the reason in err. */
bool capture_set_filter(struct capture *cap, const char *expr, char *err, unsigned errlen);

/* Return how many frames were read so far, and how many of them the
 * filter left out. */
uint64_t capture_frames(const struct capture *cap);

uint64_t capture_filtered(const struct capture *cap);

void capture_close(struct capture *cap);

#endif
