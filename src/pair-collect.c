/* pair-collect: keep one point's TCP packets by connection, as the run
 * reads its capture (the run's tap).  A connection is a 4-tuple from its
 * first packet, or from a SYN that brings a new ISN, to the next such SYN;
 * its client is the SYN's sender (the SYN-ACK's receiver; mid-stream, the
 * first sender).  Every packet is kept: --pair is for captures of a
 * incident, not for days of traffic. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr-text.h"
#include "decode.h"
#include "finlint.h"
#include "pair.h"

static const char *const verdict_names[PAIR_VERDICTS] = {
	"crossed", "lost", "appeared", "outside", "resegmented",
};

const char *pair_verdict_name(unsigned v)
{
	return v < PAIR_VERDICTS ? verdict_names[v] : "?";
}

const char *pair_point_name(unsigned point)
{
	return point == PAIR_CLIENT_SIDE ? "client side" : "server side";
}

void pair_init(struct pair *p, const char *client_side, const char *server_side)
{
	memset(p, 0, sizeof *p);
	p->point[0].path = client_side;
	p->point[1].path = server_side;
}

void pair_free(struct pair *p)
{
	for (unsigned i = 0; i < 2; i++) {
		struct pair_point *pt = &p->point[i];

		for (uint32_t j = 0; j < pt->n; j++)
			free(pt->conn[j].pkt);
		free(pt->conn);
		free(pt->bucket);
	}
	for (uint32_t i = 0; i < p->nmatch; i++)
		free(p->match[i].found);
	free(p->match);
	memset(p, 0, sizeof *p);
}

/* The 4-tuple's hash, the same for both directions. */
static uint32_t tuple_hash(uint8_t family, const uint8_t *a, uint16_t pa, const uint8_t *b,
			   uint16_t pb)
{
	unsigned len = family == 6 ? 16 : 4;
	uint32_t ha = 2166136261u, hb = 2166136261u;

	for (unsigned i = 0; i < len; i++) {
		ha = (ha ^ a[i]) * 16777619u;
		hb = (hb ^ b[i]) * 16777619u;
	}
	ha = (ha ^ pa) * 16777619u;
	hb = (hb ^ pb) * 16777619u;
	return ha ^ hb; /* symmetric */
}

static uint32_t conn_hash(const struct pair_conn *c)
{
	return tuple_hash(c->family, c->addr[0], c->port[0], c->addr[1], c->port[1]);
}

/* Return 0 when pkt goes client to server in c, 1 the other way, -1 when
 * it is not c's. */
static int conn_dir(const struct pair_conn *c, const struct packet *pkt)
{
	unsigned len = pkt->family == 6 ? 16 : 4;

	if (c->family != pkt->family)
		return -1;
	if (c->port[0] == pkt->sport && c->port[1] == pkt->dport &&
	    memcmp(c->addr[0], pkt->src, len) == 0 && memcmp(c->addr[1], pkt->dst, len) == 0)
		return 0;
	if (c->port[1] == pkt->sport && c->port[0] == pkt->dport &&
	    memcmp(c->addr[1], pkt->src, len) == 0 && memcmp(c->addr[0], pkt->dst, len) == 0)
		return 1;
	return -1;
}

static void rehash(struct pair_point *pt, uint32_t nbuckets)
{
	free(pt->bucket);
	pt->bucket = xmalloc(nbuckets * sizeof *pt->bucket);
	for (uint32_t i = 0; i < nbuckets; i++)
		pt->bucket[i] = PAIR_NONE;
	pt->nbuckets = nbuckets;
	/* oldest first, so that each chain starts at the newest */
	for (uint32_t i = 0; i < pt->n; i++) {
		uint32_t b = conn_hash(&pt->conn[i]) & (nbuckets - 1);

		pt->conn[i].next = pt->bucket[b];
		pt->bucket[b] = i;
	}
}

/* The newest connection on pkt's 4-tuple, with *dir, or NULL. */
static struct pair_conn *find(struct pair_point *pt, const struct packet *pkt, int *dir)
{
	uint32_t b;

	if (pt->nbuckets == 0)
		return NULL;
	b = tuple_hash(pkt->family, pkt->src, pkt->sport, pkt->dst, pkt->dport) &
	    (pt->nbuckets - 1);
	for (uint32_t i = pt->bucket[b]; i != PAIR_NONE; i = pt->conn[i].next)
		if ((*dir = conn_dir(&pt->conn[i], pkt)) >= 0)
			return &pt->conn[i];
	return NULL;
}

/* A new connection begun by pkt; its client is the SYN-ACK's receiver
 * when pkt is one, else pkt's sender. */
static struct pair_conn *add(struct pair_point *pt, const struct packet *pkt, int *dir)
{
	struct pair_conn *c;
	bool synack = (pkt->flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK);
	uint32_t b;

	if (pt->n == pt->cap) {
		pt->cap = pt->cap ? 2 * pt->cap : 64;
		pt->conn = xrealloc(pt->conn, pt->cap, sizeof *pt->conn);
	}
	c = &pt->conn[pt->n];
	memset(c, 0, sizeof *c);
	c->family = pkt->family;
	memcpy(c->addr[synack], pkt->src, 16);
	memcpy(c->addr[!synack], pkt->dst, 16);
	c->port[synack] = pkt->sport;
	c->port[!synack] = pkt->dport;
	c->match = PAIR_NONE;
	*dir = synack;
	pt->n++;
	if (pt->n > pt->nbuckets / 2) {
		rehash(pt, pt->nbuckets ? 2 * pt->nbuckets : 256);
	} else {
		b = conn_hash(c) & (pt->nbuckets - 1);
		c->next = pt->bucket[b];
		pt->bucket[b] = pt->n - 1;
	}
	return c;
}

void pair_collect(void *ctx, const struct packet *pkt)
{
	struct pair_point *pt = ctx;
	int dir = -1;
	struct pair_conn *c = find(pt, pkt, &dir);
	bool syn = (pkt->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN;
	struct pair_pkt *k;

	/* a SYN with another ISN than the connection's client's starts anew */
	if (c == NULL || (syn && c->n > 0 && !(dir == 0 && c->isn_known[0] && c->isn[0] == pkt->seq)))
		c = add(pt, pkt, &dir);
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		c->pkt = xrealloc(c->pkt, c->cap, sizeof *c->pkt);
	}
	if (syn && dir == 0 && !c->isn_known[0]) {
		c->isn_known[0] = true;
		c->isn[0] = pkt->seq;
	}
	if (syn && dir == 0 && !c->synack_seen) {
		c->syn_seen = true;
		c->syn_ts = pkt->ts_ns; /* the last SYN before the first SYN-ACK */
	}
	if ((pkt->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == (TCP_SYN | TCP_ACK) && dir == 1) {
		if (!c->isn_known[1]) {
			c->isn_known[1] = true;
			c->isn[1] = pkt->seq;
		}
		if (!c->isn_known[0]) { /* its SYN was not seen here */
			c->isn_known[0] = true;
			c->isn[0] = pkt->ack - 1;
		}
		if (!c->synack_seen) {
			c->synack_seen = true;
			c->synack_ts = pkt->ts_ns;
		}
	}
	k = &c->pkt[c->n++];
	memset(k, 0, sizeof *k);
	k->frame = pkt->num;
	k->ts = pkt->ts_ns;
	k->seq = pkt->seq;
	k->ack = pkt->ack;
	k->len = pkt->payload_len;
	k->ip_id = pkt->family == 4 ? pkt->ip_id : (uint16_t)pkt->flow_label;
	k->flags = pkt->flags;
	k->ttl = pkt->ttl;
	k->dir = (uint8_t)dir;
	k->peer = PAIR_NONE;
	if (pt->packets == 0 || pkt->ts_ns < pt->first_ts)
		pt->first_ts = pkt->ts_ns;
	if (pkt->ts_ns > pt->last_ts)
		pt->last_ts = pkt->ts_ns;
	pt->packets++;
}

void pair_endpoint(const struct pair_conn *c, unsigned side, char *buf, size_t size)
{
	char a[ADDR_TEXT_MAX];

	addr_text(c->family, c->addr[side], a);
	if (c->family == 6)
		snprintf(buf, size, "[%s]:%u", a, c->port[side]);
	else
		snprintf(buf, size, "%s:%u", a, c->port[side]);
}

uint32_t pair_rel_seq(const struct pair_conn *c, const struct pair_pkt *k)
{
	return c->isn_known[k->dir] ? k->seq - c->isn[k->dir] : k->seq;
}

uint32_t pair_rel_ack(const struct pair_conn *c, const struct pair_pkt *k)
{
	if (!(k->flags & TCP_ACK))
		return 0;
	return c->isn_known[!k->dir] ? k->ack - c->isn[!k->dir] : k->ack;
}
