/* ladder: a fixed ring, so keeping it costs one copy per packet and no
 * allocation after the connection's first packet. */
#include "config.h"

#include "ladder.h"

void ladder_record(struct ladder *l, unsigned dir, const struct packet *pkt,
		   const struct tcp_conn *c)
{
	struct ladder_step *s = &l->step[l->next];

	s->pkt = pkt->num;
	s->ts = pkt->ts_ns;
	s->seq = pkt->seq;
	s->ack = pkt->ack;
	s->len = pkt->payload_len;
	s->flags = pkt->flags;
	s->dir = (uint8_t)dir;
	s->state[0] = c->ep[0].state;
	s->state[1] = c->ep[1].state;
	l->next = (l->next + 1) % LADDER_STEPS;
	if (l->count < LADDER_STEPS)
		l->count++;
}

const struct ladder_step *ladder_step_at(const struct ladder *l, unsigned i)
{
	unsigned first = (l->next + LADDER_STEPS - l->count) % LADDER_STEPS;

	return &l->step[(first + i) % LADDER_STEPS];
}
