/* pcapng: finlint's own pcapng block reader.  libpcap 1.10 refuses a file
 * whose interfaces differ in link type or snapshot length, often after
 * reading part of it; this reader gives every packet its own interface's
 * link type, snapshot length and timestamp resolution. */
#ifndef FINLINT_PCAPNG_H
#define FINLINT_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct pcapng;

/* One packet; data borrows the reader's buffer until the next read. */
struct pcapng_packet {
	int dlt;        /* its interface's link type, as a DLT_ value */
	uint64_t sec;   /* seconds since the epoch, if_tsoffset applied */
	uint32_t nsec;
	uint32_t caplen;
	uint32_t wirelen;
	const uint8_t *data;
};

enum pcapng_status {
	PCAPNG_PACKET,
	PCAPNG_END,
	PCAPNG_ERROR, /* see pcapng_error() */
};

/* Read f's Section Header Block and the blocks up to its first Interface
 * Description Block.  On failure return NULL with a one-line reason in
 * err; f stays the caller's either way. */
struct pcapng *pcapng_open(FILE *f, char *err, size_t errlen);

enum pcapng_status pcapng_next(struct pcapng *ng, struct pcapng_packet *pkt);

/* Why the last pcapng_next() failed. */
const char *pcapng_error(const struct pcapng *ng);

/* The first interface's link type (DLT_) and snapshot length. */
int pcapng_dlt(const struct pcapng *ng);
uint32_t pcapng_snaplen(const struct pcapng *ng);

void pcapng_close(struct pcapng *ng);

#endif
