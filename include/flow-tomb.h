/* flow-tomb: what is left of a closed connection once its record has been
 * written (--hold-closed tombstone), kept until its TIME_WAIT would end.
 *
 * A closed connection's record is written once it has been silent for
 * the linger (--linger, 10 s of capture time by default); from then on
 * only a tombstone answers for its 4-tuple: the sides, both final
 * sequence numbers and acks, the states and since when, the record's id.
 * That is what the packets still to come for a closed connection need:
 * a retransmitted FIN (its final ACK was lost), a RST into TIME_WAIT, a
 * SYN that reuses the 4-tuple (flow_prev, exactly as the full flow gives
 * it), or anything else.  A tombstone is 64 bytes for IPv4 and 88 for
 * IPv6, in pools, with an 8-byte index slot at most half full and an
 * 8-byte place in the expiry queue.  What late packets found waits in a
 * note (struct tomb_note) until the tombstone ends. */
#ifndef FINLINT_FLOW_TOMB_H
#define FINLINT_FLOW_TOMB_H

#include <stdbool.h>
#include <stdint.h>

#include "flow.h"

/* One tombstone.  Sides are the record's: [0] the client. */
struct tomb {
	uint64_t last_ts;     /* its latest packet: TIME_WAIT ends time_wait after it */
	uint64_t state_ts[2]; /* since when each side has been in its state */
	uint32_t snd_nxt[2];  /* each side's next seq (its FIN counted) */
	uint32_t last_ack[2]; /* the highest ack each side sent */
	uint32_t isn0;        /* side 0's ISN: a SYN at it is this connection's own */
	uint16_t port[2];     /* by side */
	/* one word of small fields; 2-bit fields are a bit per side */
	uint64_t id : 36;     /* the record's id; larger ids are not tombstoned */
	uint64_t state0 : 4, state1 : 4; /* enum tcp_state */
	uint64_t seq_known : 2, ack_known : 2, fin_seen : 2;
	uint64_t rexmit_seen : 2; /* its record already holds a clean FIN retransmission */
	uint64_t passive : 2;     /* it closed second: a FIN copy from it asks for the final ACK */
	uint64_t data_after_fin : 2; /* its record already holds data after its FIN */
	uint64_t isn0_known : 1, mid_stream : 1;
	uint64_t noted : 1;   /* a late packet came: see tomb_note */
	uint64_t dead : 1;    /* removed; freed when the expiry queue reaches it */
	uint64_t touched : 1; /* a late packet moved last_ts since it was queued */
	uint64_t v6 : 1;
	uint64_t spare : 2;
	uint8_t addr[]; /* by side: 4 or 16 bytes each */
};

_Static_assert(sizeof(struct tomb) == 56, "struct tomb grew");

enum { TOMB_ID_MAX = (1ULL << 36) - 1 };

/* What late packets found for one tombstone, by the side that sent them. */
struct tomb_note {
	uint32_t ref;
	uint64_t record_last_ts;        /* the record's latest packet */
	uint64_t fin_pkt[2], fin_ts[2]; /* a FIN repeated from LAST_ACK */
	bool fin_acked_before[2];       /* ... with its ACK seen before */
	uint64_t fin_answer[2];         /* the peer's ACK of it afterwards */
	uint64_t rst_pkt[2], rst_ts[2]; /* a RST that hit side [i] in TIME_WAIT */
	bool rst_closed_both[2];        /* ... after which both sides were CLOSED */
	uint64_t data_pkt[2], data_ts[2]; /* new data after the sender's own FIN */
	uint32_t data_seq[2], data_len[2];
	uint64_t others, other_pkt;     /* late packets that found nothing, the first */
	uint64_t other_ts;
	uint8_t other_flags, other_side; /* ... its flags and sender */
	uint32_t other_len;
	uint64_t reset_pkt;             /* a RST that left both sides CLOSED */
	uint64_t total, first_pkt;      /* late packets, all of them, and the first */
	struct zeek_conn *zeek;         /* Zeek's view of them, when a writer reads it */
};

struct tomb_store;

struct tomb_store *tomb_store_new(void);
void tomb_store_free(struct tomb_store *s);

/* File what f, closed and about to be finished, leaves behind; false
 * (nothing filed) when its id is too large. */
bool tomb_add(struct tomb_store *s, const struct flow *f);

/* The tombstone filed under k, or NULL. */
struct tomb *tomb_find(struct tomb_store *s, const struct flow_key *k, uint64_t hash);

/* The side of t that pkt was sent from (0 or 1). */
unsigned tomb_dir(const struct tomb *t, const struct packet *pkt);

/* t's side i: address and port. */
void tomb_side(const struct tomb *t, unsigned i, struct flow_side *out);
uint8_t tomb_state(const struct tomb *t, unsigned i);
void tomb_set_state(struct tomb *t, unsigned i, uint8_t state, uint64_t ts);

/* t's latest packet came at ts: its TIME_WAIT ends later. */
void tomb_touch(struct tomb *t, uint64_t ts);

/* t's note, created (zero) if need be. */
struct tomb_note *tomb_note(struct tomb_store *s, struct tomb *t);
/* t's note or NULL, without creating one. */
const struct tomb_note *tomb_note_get(const struct tomb_store *s, const struct tomb *t);

/* The next tombstone whose TIME_WAIT has passed by now (idle ns after its
 * last packet), or NULL; it stays filed until tomb_remove. */
struct tomb *tomb_expired(struct tomb_store *s, uint64_t now, uint64_t idle);

/* The oldest tombstone still filed, or NULL (to end them all). */
struct tomb *tomb_oldest(struct tomb_store *s);

/* Unfile t and drop its note. */
void tomb_remove(struct tomb_store *s, struct tomb *t);

/* How many are filed, and the bytes the store holds. */
uint64_t tomb_count(const struct tomb_store *s);
uint64_t tomb_bytes(const struct tomb_store *s);

/* What the tombstones filed (or removed, not yet freed) take, counted as
 * the --max-memory share they may have (run.c). */
uint64_t tomb_live_bytes(const struct tomb_store *s);

#endif
