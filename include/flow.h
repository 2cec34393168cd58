/* flow: the table of TCP connections seen in a capture.
 *
 * One entry serves both directions: the key is the address/port pair in a
 * canonical order, and which side is the client lives in the flow.  Flows
 * are kept in order of last activity so that idle ones can be finished
 * from the front in constant time.  Flows that wait for nothing but a
 * late packet (closed ones in their linger once whole flows take more
 * than a budget, open ones silent for a minute) are kept packed, at
 * about a third of their size; connections that have
 * only sent a SYN (and maybe got a SYN-ACK) are kept compact
 * (flow-compact.h) until they prove themselves.  The table's memory can
 * be capped: over the cap, the oldest connections are finished early. */
#ifndef FINLINT_FLOW_H
#define FINLINT_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "tcpstate.h"

struct ladder;
#include "zeek.h"

struct flow_key {
	uint8_t family;
	uint16_t port[2];
	uint8_t addr[2][16];
};

/* One side's address and port. */
struct flow_side {
	uint8_t addr[16];
	uint16_t port;
};

/* The activity list a flow is on. */
enum flow_list {
	FLOW_OPEN,   /* open and active */
	FLOW_IDLE,   /* open, silent for FLOW_PACK_IDLE_S: kept packed */
	FLOW_CLOSED, /* both sides done, in their linger: packed past the budget */
	FLOW_OPENING, /* only opened so far (a SYN, SYN-ACKs): compact
		       * (flow-compact.h), or a full flow with f->opening */
	FLOW_CLOSED_FAST, /* closed, with the short linger of a fast path */
};

/* A flow's place in the table's activity lists.  It comes first in
 * struct flow, in the packed copy of a closed flow (flow.c) and in a
 * compact connection, so the lists and the table can hold any of them. */
struct flow_link {
	struct flow_link *older, *newer; /* activity order within its list */
	uint64_t last_ts; /* capture time of its latest packet */
	/* one word, so that the link (and every flow) is no bigger than
	 * before the compact form: a capture of 2^48 packets is not read */
	uint64_t last_num : 48; /* its latest packet's number: activity order across lists */
	uint64_t list : 8;      /* enum flow_list */
	uint64_t packed : 1;    /* the packed copy, not a struct flow */
	uint64_t compact : 1;   /* a struct flow_compact, not a struct flow */
};

struct flow {
	struct flow_link link; /* table bookkeeping; first, see above */
	struct flow_key key; /* its hash is the slot's (flow_key_hash) */
	uint64_t id; /* 1-based, in order of first packet */
	uint8_t family;
	bool finished_early; /* by the memory cap (flow_table_over_cap) */
	bool opening;        /* began with a SYN, nothing but opening packets since */
	/* which of the key's two ends is side 0: the client (the SYN's
	 * sender, the SYN-ACK's receiver), or the first sender mid-stream;
	 * flow_side_addr and flow_side_port name the sides */
	uint8_t client_key;
	uint16_t blocks_counted; /* conn.blocks as the table's byte count has them */
	uint64_t first_packet, last_packet;
	uint64_t first_ts, last_ts;
	struct tcp_conn conn;
	struct ladder *ladder; /* the last packets, only with --timeline */
	struct zeek_conn zeek; /* what Zeek's conn.log would say */
};

/* Side side's address (16 bytes, IPv4 zero-padded) and port. */
static inline const uint8_t *flow_side_addr(const struct flow *f, unsigned side)
{
	return f->key.addr[(side ^ f->client_key) & 1];
}

static inline uint16_t flow_side_port(const struct flow *f, unsigned side)
{
	return f->key.port[(side ^ f->client_key) & 1];
}

/* Make the end of f's key at addr (16 bytes) and port side 0. */
void flow_set_client(struct flow *f, const uint8_t *addr, uint16_t port);

struct flow_table;

/* What a new connection keeps of the connection before it on its 4-tuple. */
struct flow_prev {
	uint64_t id, last_ts;
	struct tcp_reuse tcp; /* by the new connection's sides */
};

/* Fill *p with what syn, a SYN that ends old and starts a new connection
 * on its 4-tuple, keeps of old.  Call it before old is finished. */
void flow_prev_note(struct flow_prev *p, const struct flow *old, const struct packet *syn);

/* Begin f's record with its first packet pkt; prev, when not NULL, is the
 * connection whose 4-tuple pkt (a SYN) reused: f links to it
 * (conn.reuse) and its event log says so (EV_SYN_REUSE). */
void flow_begin(struct flow *f, const struct packet *pkt, const struct flow_prev *prev);

/* Create an empty table. */
struct flow_table *flow_table_new(void);

/* Free the table and every flow still in it. */
void flow_table_free(struct flow_table *t);

/* Find pkt's flow, creating it when new (with the SYN-ACK's receiver as
 * side[0] when that is the first packet); *dir is 0 when pkt goes from
 * side[0] to side[1] and 1 otherwise.  The flow becomes the newest.  A
 * compact connection is rebuilt (flow_table_set_replay) first. */
struct flow *flow_table_get(struct flow_table *t, const struct packet *pkt, unsigned *dir);

/* The same with pkt's key and hash already computed by flow_table_key(). */
struct flow *flow_table_get_keyed(struct flow_table *t, const struct packet *pkt,
				  const struct flow_key *k, uint64_t hash, unsigned *dir);

/* How the table rebuilds a compact connection: f is a new flow (zero but
 * for its key, hash, id, family, sides and link), and the function is
 * called with each of the connection's packets in order.  It must do
 * exactly what the caller does with a packet of a full flow, so that
 * the flow ends up as it would have been had it been full all along. */
typedef void flow_replay_fn(void *ctx, struct flow *f, unsigned dir, const struct packet *pkt);

/* Keep connections that have only opened compact (flow_table_lookup),
 * rebuilt through replay, once at least `after` connections are in their
 * opening at once (0: from the first), or once the cap has been reached.
 * Keeping one compact and rebuilding it costs a few hundred ns, which
 * ordinary traffic, with a few hundred handshakes under way at a time,
 * need not pay; a SYN flood passes FLOW_COMPACT_AFTER within a second. */
enum { FLOW_COMPACT_AFTER = 1024 };
void flow_table_set_replay(struct flow_table *t, flow_replay_fn *replay, void *ctx,
			   uint64_t after);

/* As flow_table_get_keyed, but a packet that only opens its connection
 * (a SYN, a SYN-ACK, a retransmission of either: flow_compact_opens) of
 * a new or compact connection is recorded in the compact form: then
 * NULL is returned and there is nothing to step.  Compact connections
 * need flow_table_set_replay; without it, this is flow_table_get_keyed. */
struct flow *flow_table_lookup(struct flow_table *t, const struct packet *pkt,
			       const struct flow_key *k, uint64_t hash, unsigned *dir);

/* Cap the table's memory at max bytes (0: no cap), counting flows in
 * every form, their slots, and extra bytes the caller attaches to each
 * full or packed flow (the ladder).  The counts follow glibc's malloc;
 * they are the same on every run, so finishing early is deterministic. */
void flow_table_set_cap(struct flow_table *t, uint64_t max, size_t extra);

/* When the table is over its cap: the connection to finish now (those
 * that have only opened first, then the least recently active), restored
 * and counted, or NULL.  Call it until NULL; each flow returned must be
 * removed. */
struct flow *flow_table_over_cap(struct flow_table *t);

/* Count the blocks f, one of the table's flows, allocated out of line
 * (tcp_conn_block) since the table last counted them, for the cap.  Call
 * it after stepping f; packing and removing a flow count them first, so
 * blocks allocated elsewhere (its first packet, its timers) are counted
 * by then at the latest. */
void flow_table_count_blocks(struct flow_table *t, struct flow *f);

/* Return the bytes the cap counts, and how many connections
 * flow_table_over_cap has handed out. */
uint64_t flow_table_bytes(const struct flow_table *t);
uint64_t flow_table_finished_early(const struct flow_table *t);

/* The hash of a key, as flow_table_key returns it. */
uint64_t flow_key_hash(const struct flow_key *k);

/* Whether a flow (in any form) with this key hash is in the table: one
 * probe of slots that flow_table_prefetch_slot has brought in.  Another
 * key of the same 64-bit hash answers true. */
bool flow_table_has(const struct flow_table *t, uint64_t hash);

/* Fill *k with the key pkt's flow is filed under and return its hash. */
uint64_t flow_table_key(const struct packet *pkt, struct flow_key *k);

/* Hints for a packet that will be looked up soon: start loading its slot,
 * then, once the slot is in cache, its flow.  They change nothing; they
 * hide memory latency behind other packets' work. */
void flow_table_prefetch_slot(const struct flow_table *t, uint64_t hash);
void flow_table_prefetch_flow(const struct flow_table *t, uint64_t hash);

/* Return the least recently active flow, open ones (compact ones
 * included) first, or NULL when the table is empty. */
struct flow *flow_table_oldest(struct flow_table *t);

/* Return the least recently active open flow if no packet came for it in
 * the idle ns of capture time before now, or NULL. */
struct flow *flow_table_open_idle(struct flow_table *t, uint64_t now, uint64_t idle);

/* The same for closed flows: of those silent for idle (idle_fast for
 * the ones marked fast), the least recently active. */
struct flow *flow_table_closed_idle(struct flow_table *t, uint64_t now, uint64_t idle,
				    uint64_t idle_fast);

/* Move f to a closed list: both sides are done, only TIME_WAIT is left.
 * fast: its linger is the short one (a list of its own keeps each list
 * in activity order, so its front is the next to end). */
void flow_table_mark_closed(struct flow_table *t, struct flow *f, bool fast);

/* Whether f is on a closed list. */
static inline bool flow_is_closed(const struct flow *f)
{
	return f->link.list == FLOW_CLOSED || f->link.list == FLOW_CLOSED_FAST;
}

/* Pack (flow-pack.h) the closed flows not packed yet (once whole flows
 * take more than FLOW_WHOLE_MAX bytes, or an eighth of the cap), and the open ones
 * silent for FLOW_PACK_IDLE_S seconds of capture time before now; a
 * packed flow is restored when a packet or one of the calls above
 * reaches it.  Every struct flow pointer obtained before this call is
 * invalid after. */
enum { FLOW_PACK_IDLE_S = 60 };
#define FLOW_WHOLE_MAX ((uint64_t)64 << 20)
void flow_table_pack(struct flow_table *t, uint64_t now);

/* How many flows are packed now. */
uint64_t flow_table_packed(const struct flow_table *t);

/* Remove f from the table and free it (tcp_conn_release included). */
void flow_table_remove(struct flow_table *t, struct flow *f);

/* Return the number of flows in the table. */
uint64_t flow_table_count(const struct flow_table *t);

#endif
