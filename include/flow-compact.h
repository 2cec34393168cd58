/* flow-compact: a connection that has only opened, kept in at most
 * FLOW_COMPACT_MAX bytes until it proves itself.
 *
 * A SYN flood fills the flow table with connections that never get past
 * their first packet or two; as full flows they cost ~1.8 KB each.  Until
 * a packet other than a SYN from the client or a SYN-ACK from the server
 * comes (the handshake's ACK, data, FIN, RST...), a connection is kept as
 * its 4-tuple, its flow id and a few bytes per packet: the fields of
 * struct packet the tracker reads (tcpstate, zeek, ladder, run.c).  When
 * it proves itself, or is finished, the table replays those packets into
 * a new struct flow exactly as they first came, so its record is the one
 * it would have had as a full flow all along.  The table uses the form
 * only when many connections are opening at once (flow.h,
 * FLOW_COMPACT_AFTER): for ordinary traffic the saving is not worth the
 * few hundred ns of recording and rebuilding.  A field of struct packet
 * the tracker starts to read must be recorded here too (the byte-identical
 * comparison of reports over the corpus catches one that is not). */
#ifndef FINLINT_FLOW_COMPACT_H
#define FINLINT_FLOW_COMPACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "flow.h"

/* The most bytes a compact connection takes, its header included: a
 * malloc chunk of 128 bytes on glibc. */
enum { FLOW_COMPACT_MAX = 120 };

struct flow_compact {
	struct flow_link link; /* first, as in every node of the table */
	uint32_t id;           /* the flow id it keeps when rebuilt */
	uint8_t family;
	uint8_t len, size;     /* bytes of data used, and the allocation's size */
	uint8_t data[];        /* both sides' addresses and ports, then the packets */
};

/* Report whether pkt, sent by side dir of its connection, only opens it:
 * a SYN from side 0 or a SYN-ACK from side 1, neither with payload. */
bool flow_compact_opens(const struct packet *pkt, unsigned dir);

/* Return a compact connection whose first packet is pkt (sent by its
 * side 0) and whose id is id, or NULL when pkt does not open one or the
 * id does not fit in 32 bits.  Its link is zero. */
struct flow_compact *flow_compact_new(const struct packet *pkt, uint64_t id);

/* Record pkt, sent by side dir, in *c, which may move (the caller fixes
 * what points to it).  Return false, with *c unchanged, when it would
 * not fit in FLOW_COMPACT_MAX bytes. */
bool flow_compact_add(struct flow_compact **c, const struct packet *pkt, unsigned dir);

/* Fill side[0] (the SYN's sender) and side[1] as a struct flow has them. */
void flow_compact_sides(const struct flow_compact *c, struct flow_side side[2]);

/* Return which side sent pkt, a packet of c's 4-tuple. */
unsigned flow_compact_dir(const struct flow_compact *c, const struct packet *pkt);

/* Report whether c's 4-tuple is the one k (flow.h) is filed under. */
bool flow_compact_has_key(const struct flow_compact *c, const struct flow_key *k);

/* A side's latest packet, as far as the next record refers to it. */
struct flow_compact_last {
	bool seen;
	uint8_t flags, wscale;
	bool has_wscale;
	uint16_t win;
	uint32_t seq, ack;
};

/* The packets of a compact connection, oldest first. */
struct flow_compact_reader {
	const struct flow_compact *c;
	unsigned pos;
	bool first;
	struct flow_compact_last last[2]; /* each side's previous packet */
	uint64_t num, ts;                 /* the previous packet's */
};

/* Start reading c's packets; c must not change while they are read. */
void flow_compact_read_begin(struct flow_compact_reader *r, const struct flow_compact *c);

/* Fill *pkt with the next packet (the fields the tracker reads, the rest
 * zero) and *dir with its sender's side; return false after the last. */
bool flow_compact_read(struct flow_compact_reader *r, struct packet *pkt, unsigned *dir);

#endif
