/* ladder: the last packets of a connection with both sides' states after
 * each, kept only when the user asks for --timeline, for the text
 * report's ASCII ladder diagram. */
#ifndef FINLINT_LADDER_H
#define FINLINT_LADDER_H

#include <stdint.h>

#include "decode.h"
#include "tcpstate.h"

enum { LADDER_STEPS = 12 };

struct ladder_step {
	uint64_t pkt, ts;
	uint32_t seq, ack, len;
	uint8_t flags;
	uint8_t dir;       /* the side that sent it */
	uint8_t state[2];  /* each side's state after it */
};

/* A ring of the connection's latest LADDER_STEPS packets. */
struct ladder {
	unsigned next, count;
	struct ladder_step step[LADDER_STEPS];
};

/* Record pkt, sent by side dir, after c has been stepped with it. */
void ladder_record(struct ladder *l, unsigned dir, const struct packet *pkt,
		   const struct tcp_conn *c);

/* Return the i-th kept step, oldest first (i < l->count). */
const struct ladder_step *ladder_step_at(const struct ladder *l, unsigned i);

#endif
