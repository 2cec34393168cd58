/* flow: an open-addressing hash table of connections, sized to the live
 * set, with flows recycled through a free list so the packet path does
 * not allocate once the table has grown to its working size.  Closed
 * flows, and open ones silent for a minute, are packed (one allocation
 * each) and restored when something reaches them, which is rare before
 * they are finished.  Connections that have only opened are kept compact
 * (flow-compact.c) and rebuilt by replaying their packets when they prove
 * themselves or are finished.  The table counts its bytes, and over its
 * cap hands out the connections to finish early. */
#include "config.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "finlint.h"
#include "flow-compact.h"
#include "flow-pack.h"
#include "flow.h"

/* A slot keeps the flow's hash next to the pointer, so a probe compares
 * hashes without touching the flow's memory: one cache miss per lookup
 * instead of one per probe. */
struct slot {
	uint64_t hash;
	struct flow_link *node; /* a struct flow or a struct packed_flow; NULL = empty */
};

/* A closed or silent flow as flow-pack keeps it; link.last_ts is the base
 * time. */
struct packed_flow {
	struct flow_link link;
	uint64_t hash;
	size_t len;
	uint8_t data[];
};

/* Flows live on lists, each in order of last activity: open ones,
 * finished after an idle timeout, and closed ones, finished once their
 * TIME_WAIT has passed.  Two lists keep a closed flow from waiting behind
 * open ones that are older but still alive.  Open flows silent for
 * FLOW_PACK_IDLE_S move, packed, from the front of the open list to the
 * idle list: everything there is older than everything on the open list,
 * so together they are still one list in order of activity.  Connections
 * that have only opened (compact ones, and full ones while few are) are
 * open ones on a list of their own, so that the cap can finish them
 * first; merged with the idle and open lists by the number of each one's
 * latest packet (packets are numbered in file order, so that is the order
 * of activity), they are the one list again. */
struct activity {
	struct flow_link *oldest, *newest;
};

struct flow_table {
	struct slot *slot;
	uint64_t mask; /* slot count - 1, a power of two */
	uint64_t count;
	uint64_t next_id;
	struct activity open, idle, closed, closed_fast, opening_list;
	struct flow *free_list; /* linked through link.newer */
	uint8_t *scratch;       /* scratch_size() bytes: a packed flow and its blocks */
	flow_replay_fn *replay; /* NULL: no compact connections */
	void *replay_ctx;
	uint64_t compact_after;   /* connections in their opening before compact ones */
	uint64_t opening;         /* full flows with f->opening */
	uint64_t compacts;        /* compact connections */
	/* what the cap counts: struct flows in the table and on the free
	 * list, packed flows, compact ones (their heap bytes), the caller's
	 * extra per full or packed flow, RST details (tcpstate.h), the slots */
	uint64_t cap, extra;
	uint64_t full, free_count, packed, packed_bytes, compact_bytes, block_bytes;
	uint64_t early; /* connections handed out by flow_table_over_cap */
	uint64_t block_cost[TCP_CONN_BLOCKS]; /* heap_cost of each block */
};

enum { FLOW_TABLE_MIN = 1024 };


/* Order the two endpoints so both directions give the same key. */
static void key_from(uint8_t family, const uint8_t *src, uint16_t sport, const uint8_t *dst,
		     uint16_t dport, struct flow_key *k)
{
	size_t alen = family == 6 ? 16 : 4;
	int c = memcmp(src, dst, alen);

	if (c == 0)
		c = (int)sport - (int)dport;
	memset(k, 0, sizeof *k);
	k->family = family;
	if (c <= 0) {
		memcpy(k->addr[0], src, alen);
		memcpy(k->addr[1], dst, alen);
		k->port[0] = sport;
		k->port[1] = dport;
	} else {
		memcpy(k->addr[0], dst, alen);
		memcpy(k->addr[1], src, alen);
		k->port[0] = dport;
		k->port[1] = sport;
	}
}

static void key_from_packet(const struct packet *pkt, struct flow_key *k)
{
	key_from(pkt->family, pkt->src, pkt->sport, pkt->dst, pkt->dport, k);
}

static void key_of_compact(const struct flow_compact *c, struct flow_key *k)
{
	struct flow_side side[2];

	flow_compact_sides(c, side);
	key_from(c->family, side[0].addr, side[0].port, side[1].addr, side[1].port, k);
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static uint64_t load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static uint64_t key_hash(const struct flow_key *k)
{
	uint64_t h = (uint64_t)k->family << 32 | (uint64_t)k->port[0] << 16 | k->port[1];

	h = mix64(h ^ load64(k->addr[0]));
	h = mix64(h ^ load64(k->addr[0] + 8));
	h = mix64(h ^ load64(k->addr[1]));
	h = mix64(h ^ load64(k->addr[1] + 8));
	return h;
}

static bool key_equal(const struct flow_key *a, const struct flow_key *b)
{
	return a->family == b->family && a->port[0] == b->port[0] && a->port[1] == b->port[1] &&
	       memcmp(a->addr, b->addr, sizeof a->addr) == 0;
}

/* The packed bytes hold the flow after its link (the packed copy has
 * its own, and the key's hash), then the blocks it has
 * (tcp_conn_block), in order, each as many bytes as it uses. */
#define PACKED_FROM offsetof(struct flow, key)

static size_t scratch_size(void)
{
	size_t n = flow_pack_bound(sizeof(struct flow) - PACKED_FROM);

	for (unsigned i = 0; i < TCP_CONN_BLOCKS; i++)
		n += flow_pack_bound(tcp_conn_block_size(i));
	return n;
}

static uint64_t heap_cost(size_t n);

struct flow_table *flow_table_new(void)
{
	struct flow_table *t = xcalloc(1, sizeof *t);

	t->slot = xcalloc(FLOW_TABLE_MIN, sizeof *t->slot);
	t->mask = FLOW_TABLE_MIN - 1;
	t->scratch = xmalloc(scratch_size());
	for (unsigned i = 0; i < TCP_CONN_BLOCKS; i++)
		t->block_cost[i] = heap_cost(tcp_conn_block_size(i));
	return t;
}

/* Every kind of node is one allocation that starts with the link; a
 * full flow in the table (own) may also hold its endpoints' RST details,
 * which a flow on the free list left to its packed copy or released. */
static void free_list_nodes(struct flow_link *n, bool own)
{
	struct flow_link *next;

	for (; n != NULL; n = next) {
		next = n->newer;
		if (own && !n->packed && !n->compact)
			tcp_conn_release(&((struct flow *)n)->conn);
		free(n);
	}
}

void flow_table_free(struct flow_table *t)
{
	if (t == NULL)
		return;
	/* every block counted was released: else the cap was off */
	if (t->count == 0 && t->block_bytes != 0)
		fatal("internal error: the flow table's block count is off by %" PRId64 " bytes",
		      (int64_t)t->block_bytes);
	free_list_nodes(t->opening_list.oldest, true);
	free_list_nodes(t->idle.oldest, true);
	free_list_nodes(t->open.oldest, true);
	free_list_nodes(t->closed.oldest, true);
	free_list_nodes(t->closed_fast.oldest, true);
	free_list_nodes(t->free_list != NULL ? &t->free_list->link : NULL, false);
	free(t->scratch);
	free(t->slot);
	free(t);
}

static void grow(struct flow_table *t)
{
	uint64_t n = (t->mask + 1) * 2;
	struct slot *slot = xcalloc(n, sizeof *slot);

	for (uint64_t i = 0; i <= t->mask; i++) {
		uint64_t j;

		if (t->slot[i].node == NULL)
			continue;
		for (j = t->slot[i].hash & (n - 1); slot[j].node != NULL; j = (j + 1) & (n - 1))
			;
		slot[j] = t->slot[i];
	}
	free(t->slot);
	t->slot = slot;
	t->mask = n - 1;
}

static struct activity *list_of(struct flow_table *t, const struct flow_link *n)
{
	switch (n->list) {
	case FLOW_CLOSED:
		return &t->closed;
	case FLOW_CLOSED_FAST:
		return &t->closed_fast;
	case FLOW_IDLE:
		return &t->idle;
	case FLOW_OPENING:
		return &t->opening_list;
	default:
		return &t->open;
	}
}

static void unlink_activity(struct flow_table *t, struct flow_link *n)
{
	struct activity *l = list_of(t, n);

	if (n->older != NULL)
		n->older->newer = n->newer;
	else
		l->oldest = n->newer;
	if (n->newer != NULL)
		n->newer->older = n->older;
	else
		l->newest = n->older;
	n->older = n->newer = NULL;
}

static void append_activity(struct flow_table *t, struct flow_link *n)
{
	struct activity *l = list_of(t, n);

	n->older = l->newest;
	n->newer = NULL;
	if (l->newest != NULL)
		l->newest->newer = n;
	else
		l->oldest = n;
	l->newest = n;
}

/* Put now in old's place in its list; now->older/newer are old's. */
static void replace_activity(struct flow_table *t, struct flow_link *old, struct flow_link *now)
{
	struct activity *l = list_of(t, old);

	if (old->older != NULL)
		old->older->newer = now;
	else
		l->oldest = now;
	if (old->newer != NULL)
		old->newer->older = now;
	else
		l->newest = now;
}

/* Point n's neighbours (or its list's ends) at n, which has moved. */
static void relink(struct flow_table *t, struct flow_link *n)
{
	struct activity *l = list_of(t, n);

	if (n->older != NULL)
		n->older->newer = n;
	else
		l->oldest = n;
	if (n->newer != NULL)
		n->newer->older = n;
	else
		l->newest = n;
}

/* The slot holding node; it is in the table. */
static uint64_t slot_of(const struct flow_table *t, uint64_t hash, const struct flow_link *node)
{
	uint64_t i;

	for (i = hash & t->mask; t->slot[i].node != node; i = (i + 1) & t->mask)
		;
	return i;
}

/* What an allocation of n bytes takes from glibc's malloc: a chunk with
 * an 8-byte header, 16-byte aligned, at least 32 bytes. */
static uint64_t heap_cost(size_t n)
{
	uint64_t c = ((uint64_t)n + 8 + 15) / 16 * 16;

	return c < 32 ? 32 : c;
}

/* What the blocks of a connection (tcp_conn_block) in mask take. */
static uint64_t blocks_cost(const struct flow_table *t, unsigned mask)
{
	uint64_t c = 0;

	while (mask != 0)
		c += t->block_cost[tcp_block_next(&mask)];
	return c;
}

/* A flow from the free list or new, not cleared; it joins the table. */
static struct flow *flow_take(struct flow_table *t)
{
	struct flow *f = t->free_list;

	t->full++;
	if (f == NULL)
		return xmalloc(sizeof *f);
	t->free_list = (struct flow *)f->link.newer;
	t->free_count--;
	return f;
}

/* f leaves the table for the free list. */
static void flow_give_back(struct flow_table *t, struct flow *f)
{
	f->link.newer = t->free_list != NULL ? &t->free_list->link : NULL;
	t->free_list = f;
	t->full--;
	t->free_count++;
}

static struct flow *flow_alloc(struct flow_table *t)
{
	struct flow *f = flow_take(t);

	memset(f, 0, sizeof *f);
	return f;
}

/* Replace the flow in slot i by its packed copy. */
static void pack(struct flow_table *t, uint64_t i)
{
	struct flow *f = (struct flow *)t->slot[i].node;
	uint64_t base = f->link.last_ts, hash = key_hash(&f->key);
	struct packed_flow *p;
	size_t len;

	/* the blocks first, behind room for the flow, which is packed once
	 * they are freed: its block pointers then pack as zeros, 6 bytes
	 * saved for each of nine (unpack sets them again) */
	size_t room = flow_pack_bound(sizeof *f - PACKED_FROM), blen = 0;
	unsigned blocks;

	flow_table_count_blocks(t, f);
	blocks = f->conn.blocks;

	for (unsigned m = blocks; m != 0;) {
		size_t used;
		const void *q = tcp_conn_block(&f->conn, tcp_block_next(&m), &used);

		blen += flow_pack(q, used, base, t->scratch + room + blen);
	}
	t->block_bytes -= blocks_cost(t, blocks);
	tcp_conn_release(&f->conn);
	tcp_conn_blocks_null(&f->conn);
	f->conn.blocks = (uint16_t)blocks;
	len = flow_pack((const uint8_t *)f + PACKED_FROM, sizeof *f - PACKED_FROM, base, t->scratch);
	memmove(t->scratch + len, t->scratch + room, blen);
	len += blen;
	p = xmalloc(sizeof *p + len);
	p->link = f->link;
	p->link.packed = true;
	p->hash = hash;
	p->len = len;
	memcpy(p->data, t->scratch, len);
	replace_activity(t, &f->link, &p->link);
	t->slot[i].node = &p->link;
	t->packed++;
	t->packed_bytes += heap_cost(sizeof *p + len);
	flow_give_back(t, f);
}

/* Replace the packed flow in slot i by the flow it holds, and return it. */
static struct flow *unpack(struct flow_table *t, uint64_t i)
{
	struct packed_flow *p = (struct packed_flow *)t->slot[i].node;
	struct flow *f = flow_take(t);
	uint64_t base = p->link.last_ts;
	size_t at = flow_unpack_prefix(p->data, p->len, base, (uint8_t *)f + PACKED_FROM,
				       sizeof *f - PACKED_FROM);

	tcp_conn_blocks_none(&f->conn);

	for (unsigned m = at != 0 ? f->conn.blocks & ((1u << TCP_CONN_BLOCKS) - 1) : 0;
	     m != 0 && at != 0;) {
		unsigned b = tcp_block_next(&m);
		size_t used, n;
		void *q;

		q = xcalloc(1, tcp_conn_block_size(b));
		tcp_conn_block_set(&f->conn, b, q);
		tcp_conn_block(&f->conn, b, &used);
		n = used == 0 ? 0 : flow_unpack_prefix(p->data + at, p->len - at, base, q, used);
		at = used == 0 || n != 0 ? at + n : 0;
	}
	if (at != p->len)
		fatal("internal error: a packed flow does not unpack");
	t->block_bytes += blocks_cost(t, f->conn.blocks);
	f->link = p->link;
	f->link.packed = false;
	replace_activity(t, &p->link, &f->link);
	t->slot[i].node = &f->link;
	t->packed--;
	t->packed_bytes -= heap_cost(sizeof *p + p->len);
	free(p);
	return f;
}

/* Replace the compact connection in slot i by the flow its packets make,
 * in its place on the compact list, and return it. */
static struct flow *promote(struct flow_table *t, uint64_t i)
{
	struct flow_compact *c = (struct flow_compact *)t->slot[i].node;
	struct flow *f = flow_alloc(t);
	struct flow_compact_reader r;
	struct packet pkt;
	unsigned dir;

	key_of_compact(c, &f->key);
	f->id = c->id;
	f->family = c->family;
	{
		struct flow_side side[2];

		flow_compact_sides(c, side);
		flow_set_client(f, side[0].addr, side[0].port);
	}
	f->link = c->link;
	f->link.compact = false;
	replace_activity(t, &c->link, &f->link);
	t->slot[i].node = &f->link;
	t->compacts--;
	flow_compact_read_begin(&r, c);
	while (flow_compact_read(&r, &pkt, &dir))
		t->replay(t->replay_ctx, f, dir, &pkt);
	/* SYNs and SYN-ACKs close nothing: the flow cannot have moved */
	if (f->link.list != FLOW_OPENING)
		fatal("internal error: a compact connection closed in its replay");
	t->compact_bytes -= heap_cost(c->size);
	free(c);
	return f;
}

/* Record pkt, sent by side dir, in the compact connection in slot i and
 * make it the newest; return false when it does not fit. */
static bool compact_add(struct flow_table *t, uint64_t i, const struct packet *pkt, unsigned dir)
{
	struct flow_compact *c = (struct flow_compact *)t->slot[i].node;
	uint8_t size = c->size;

	if (!flow_compact_add(&c, pkt, dir))
		return false;
	if (c->size != size) {
		/* moved: its neighbours and its slot still name the old copy */
		relink(t, &c->link);
		t->slot[i].node = &c->link;
		t->compact_bytes += heap_cost(c->size) - heap_cost(size);
	}
	if (&c->link != t->opening_list.newest) {
		unlink_activity(t, &c->link);
		append_activity(t, &c->link);
	}
	c->link.last_ts = pkt->ts_ns;
	c->link.last_num = pkt->num;
	return true;
}

uint64_t flow_key_hash(const struct flow_key *k)
{
	return key_hash(k);
}

bool flow_table_has(const struct flow_table *t, uint64_t hash)
{
	for (uint64_t i = hash & t->mask; t->slot[i].node != NULL; i = (i + 1) & t->mask)
		if (t->slot[i].hash == hash)
			return true;
	return false;
}

uint64_t flow_table_key(const struct packet *pkt, struct flow_key *k)
{
	key_from_packet(pkt, k);
	return key_hash(k);
}

/* A hint to the processor, where the compiler offers one. */
static void prefetch(const void *p)
{
#if defined(__GNUC__)
	__builtin_prefetch(p);
#else
	(void)p;
#endif
}

void flow_table_prefetch_slot(const struct flow_table *t, uint64_t hash)
{
	prefetch(&t->slot[hash & t->mask]);
}

void flow_table_prefetch_flow(const struct flow_table *t, uint64_t hash)
{
	const struct slot *s = &t->slot[hash & t->mask];

	/* the home slot's node: the flow itself unless the probe goes on */
	if (s->node != NULL)
		prefetch(s->node);
}

void flow_set_client(struct flow *f, const uint8_t *addr, uint16_t port)
{
	f->client_key = memcmp(f->key.addr[0], addr, 16) != 0 || f->key.port[0] != port;
}

void flow_prev_note(struct flow_prev *p, const struct flow *old, const struct packet *syn)
{
	/* the SYN's sender is the new connection's client, side 0 */
	unsigned from = memcmp(flow_side_addr(old, 0), syn->src, 16) != 0 ||
			flow_side_port(old, 0) != syn->sport;

	p->id = old->id;
	p->last_ts = old->last_ts;
	tcp_reuse_note(&p->tcp, &old->conn, from);
}

void flow_begin(struct flow *f, const struct packet *pkt, const struct flow_prev *prev)
{
	f->first_packet = pkt->num;
	f->first_ts = pkt->ts_ns;
	tcp_conn_init(&f->conn, pkt);
	if (prev == NULL)
		return;
	{
		struct tcp_reuse r = prev->tcp;

		r.prev_id = prev->id;
		r.prev_last_ts = prev->last_ts;
		tcp_conn_reuse(&f->conn, pkt, &r);
	}
}

struct flow *flow_table_get(struct flow_table *t, const struct packet *pkt, unsigned *dir)
{
	struct flow_key k;
	uint64_t h = flow_table_key(pkt, &k);

	return flow_table_get_keyed(t, pkt, &k, h, dir);
}

/* May the table grow?  Not when the new slots would take it past its cap
 * (old and new slots are both held while it grows): it then fills up to
 * 3/4, and beyond that flow_table_over_cap finishes connections. */
static bool may_grow(const struct flow_table *t)
{
	return t->cap == 0 ||
	       flow_table_bytes(t) + (t->mask + 1) * 2 * sizeof(struct slot) <= t->cap;
}

/* Put the new node n, pkt's, in the empty slot i. */
static void insert(struct flow_table *t, uint64_t i, uint64_t h, struct flow_link *n,
		   const struct packet *pkt)
{
	n->last_ts = pkt->ts_ns;
	n->last_num = pkt->num;
	t->slot[i].hash = h;
	t->slot[i].node = n;
	t->count++;
	append_activity(t, n);
	if (t->count * 2 > t->mask + 1 && may_grow(t))
		grow(t);
}

static struct flow *get(struct flow_table *t, const struct packet *pkt, const struct flow_key *k,
			uint64_t h, unsigned *dir, bool may_compact)
{
	struct flow_link *n;
	struct flow *f;
	uint64_t i;

	may_compact = may_compact && t->replay != NULL;
	for (i = h & t->mask; (n = t->slot[i].node) != NULL; i = (i + 1) & t->mask) {
		bool was_packed;

		if (t->slot[i].hash != h)
			continue;
		if (n->compact) {
			struct flow_compact *c = (struct flow_compact *)n;
			unsigned d;

			if (!flow_compact_has_key(c, k))
				continue;
			d = flow_compact_dir(c, pkt);
			if (may_compact && flow_compact_opens(pkt, d) && compact_add(t, i, pkt, d)) {
				*dir = d;
				return NULL;
			}
			/* it proves itself: a full flow from now on, the newest */
			f = promote(t, i);
			unlink_activity(t, &f->link);
			f->link.list = FLOW_OPEN;
			append_activity(t, &f->link);
			f->link.last_ts = pkt->ts_ns;
			f->link.last_num = pkt->num;
			*dir = d;
			return f;
		}
		was_packed = n->packed;
		f = was_packed ? unpack(t, i) : (struct flow *)n;
		if (!key_equal(&f->key, k)) {
			if (was_packed) /* a 64-bit hash collision: as it was */
				pack(t, i);
			continue;
		}
		*dir = memcmp(flow_side_addr(f, 0), pkt->src, 16) == 0 &&
				       flow_side_port(f, 0) == pkt->sport
			       ? 0
			       : 1;
		if (f->opening && !flow_compact_opens(pkt, *dir)) {
			/* it proves itself: from the opening list to the open one */
			f->opening = false;
			t->opening--;
			unlink_activity(t, &f->link);
			f->link.list = FLOW_OPEN;
			append_activity(t, &f->link);
		} else if (f->link.list == FLOW_IDLE || &f->link != list_of(t, &f->link)->newest) {
			unlink_activity(t, &f->link);
			if (f->link.list == FLOW_IDLE)
				f->link.list = FLOW_OPEN; /* silent no more */
			append_activity(t, &f->link);
		}
		f->link.last_ts = pkt->ts_ns;
		f->link.last_num = pkt->num;
		return f;
	}

	if (may_compact && (t->opening + t->compacts >= t->compact_after || t->early > 0)) {
		struct flow_compact *c = flow_compact_new(pkt, t->next_id + 1);

		if (c != NULL) {
			t->next_id++;
			t->compacts++;
			c->link.list = FLOW_OPENING;
			c->link.compact = true;
			t->compact_bytes += heap_cost(c->size);
			insert(t, i, h, &c->link, pkt);
			*dir = 0;
			return NULL;
		}
	}
	f = flow_alloc(t);
	f->key = *k;
	f->id = ++t->next_id;
	f->family = pkt->family;
	/* side[0] is the client: a capture that begins at the SYN-ACK
	 * (the SYN was missed) names its receiver, not its sender */
	{
		unsigned c = (pkt->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == (TCP_SYN | TCP_ACK);

		if (c == 0)
			flow_set_client(f, pkt->src, pkt->sport);
		else
			flow_set_client(f, pkt->dst, pkt->dport);
		*dir = c;
	}
	if (may_compact && *dir == 0 && flow_compact_opens(pkt, 0)) {
		f->opening = true;
		f->link.list = FLOW_OPENING;
		t->opening++;
	}
	insert(t, i, h, &f->link, pkt);
	return f;
}

struct flow *flow_table_get_keyed(struct flow_table *t, const struct packet *pkt,
				  const struct flow_key *k, uint64_t h, unsigned *dir)
{
	return get(t, pkt, k, h, dir, false);
}

struct flow *flow_table_lookup(struct flow_table *t, const struct packet *pkt,
			       const struct flow_key *k, uint64_t h, unsigned *dir)
{
	return get(t, pkt, k, h, dir, true);
}

void flow_table_set_replay(struct flow_table *t, flow_replay_fn *replay, void *ctx,
			   uint64_t after)
{
	t->replay = replay;
	t->replay_ctx = ctx;
	t->compact_after = after;
}

/* The flow of node n, restored if packed or compact. */
static struct flow *flow_of(struct flow_table *t, struct flow_link *n)
{
	if (n == NULL)
		return NULL;
	if (n->packed)
		return unpack(t, slot_of(t, ((struct packed_flow *)n)->hash, n));
	if (n->compact) {
		struct flow_key k;

		key_of_compact((struct flow_compact *)n, &k);
		return promote(t, slot_of(t, key_hash(&k), n));
	}
	return (struct flow *)n;
}

/* Of two list fronts, the one less recently active. */
static struct flow_link *older_of(struct flow_link *a, struct flow_link *b)
{
	if (a == NULL)
		return b;
	if (b == NULL)
		return a;
	return b->last_num < a->last_num ? b : a;
}

/* The less recently active of the two closed lists' fronts. */
static struct flow_link *oldest_closed(const struct flow_table *t)
{
	return older_of(t->closed.oldest, t->closed_fast.oldest);
}

static struct flow_link *oldest_open(const struct flow_table *t)
{
	struct flow_link *full = t->idle.oldest != NULL ? t->idle.oldest : t->open.oldest;

	return older_of(full, t->opening_list.oldest);
}

static bool silent_for(const struct flow_link *n, uint64_t now, uint64_t idle)
{
	return now >= n->last_ts && now - n->last_ts >= idle;
}

struct flow *flow_table_oldest(struct flow_table *t)
{
	struct flow_link *n = oldest_open(t);

	return flow_of(t, n != NULL ? n : oldest_closed(t));
}

struct flow *flow_table_open_idle(struct flow_table *t, uint64_t now, uint64_t idle)
{
	struct flow_link *n = oldest_open(t);

	return n != NULL && silent_for(n, now, idle) ? flow_of(t, n) : NULL;
}

struct flow *flow_table_closed_idle(struct flow_table *t, uint64_t now, uint64_t idle,
				    uint64_t idle_fast)
{
	struct flow_link *a = t->closed.oldest, *b = t->closed_fast.oldest;

	if (a != NULL && !silent_for(a, now, idle))
		a = NULL;
	if (b != NULL && !silent_for(b, now, idle_fast))
		b = NULL;
	a = older_of(a, b);
	return a != NULL ? flow_of(t, a) : NULL;
}

void flow_table_mark_closed(struct flow_table *t, struct flow *f, bool fast)
{
	if (flow_is_closed(f))
		return;
	unlink_activity(t, &f->link);
	f->link.list = fast ? FLOW_CLOSED_FAST : FLOW_CLOSED;
	append_activity(t, &f->link);
}

/* The bytes of whole flows under which closed ones are not packed: an
 * eighth of the cap, at most FLOW_WHOLE_MAX. */
static uint64_t whole_budget(const struct flow_table *t)
{
	uint64_t b = FLOW_WHOLE_MAX;

	return t->cap != 0 && t->cap / 8 < b ? t->cap / 8 : b;
}

void flow_table_pack(struct flow_table *t, uint64_t now)
{
	/* Flows join the closed list at its newest end, and only the oldest
	 * are restored without a packet (to be finished), so the ones not
	 * packed yet are at the newest end. */
	struct activity *closed[2] = { &t->closed, &t->closed_fast };

	/* Packing costs CPU to save memory: while whole flows take little,
	 * closed ones stay whole for their linger (restoring one is byte
	 * for byte, so no report depends on it).  Past the budget the
	 * whole suffix is packed, which keeps that order. */
	bool over = t->full * heap_cost(sizeof(struct flow)) > whole_budget(t);

	for (unsigned i = 0; i < 2 && over; i++) {
		struct flow_link *n = closed[i]->newest;

		while (n != NULL && !n->packed) {
			struct flow_link *older = n->older;

			pack(t, slot_of(t, key_hash(&((struct flow *)n)->key), n));
			n = older;
		}
	}
	struct flow_link *n;

	while ((n = t->open.oldest) != NULL && silent_for(n, now, FLOW_PACK_IDLE_S * NS_PER_S)) {
		struct flow *f = (struct flow *)n;

		/* ended by its endpoints' timers: finished as closed ones are,
		 * not held for the idle timeout (an hour of capture time).
		 * While they may still run it stays whole at the front, which
		 * holds back the packing of the few silent flows behind it
		 * for at most TCP_RTO_MAX_S * 2. */
		switch (tcp_conn_timers(&f->conn, now)) {
		case TCP_TIMERS_DONE:
			/* silent for a minute already: no linger is left to choose */
			flow_table_mark_closed(t, f, false);
			continue;
		case TCP_TIMERS_RUNNING:
			return;
		case TCP_TIMERS_NONE:
			break;
		}
		unlink_activity(t, n);
		n->list = FLOW_IDLE;
		append_activity(t, n);
		pack(t, slot_of(t, key_hash(&f->key), n));
	}
}

void flow_table_set_cap(struct flow_table *t, uint64_t max, size_t extra)
{
	t->cap = max;
	t->extra = extra;
}

uint64_t flow_table_bytes(const struct flow_table *t)
{
	uint64_t flow = heap_cost(sizeof(struct flow));

	return (t->full + t->free_count) * flow + (t->full + t->packed) * t->extra +
	       t->packed_bytes + t->compact_bytes + t->block_bytes + (t->mask + 1) * sizeof(struct slot);
}

static bool over_cap(const struct flow_table *t)
{
	return t->cap != 0 &&
	       (flow_table_bytes(t) > t->cap || t->count * 4 > (t->mask + 1) * 3);
}

struct flow *flow_table_over_cap(struct flow_table *t)
{
	struct flow_link *n;
	struct flow *f;

	if (!over_cap(t))
		return NULL;
	/* spare flows first: memory nobody needs */
	while (t->free_list != NULL) {
		f = t->free_list;
		t->free_list = (struct flow *)f->link.newer;
		t->free_count--;
		free(f);
	}
	if (!over_cap(t))
		return NULL;
	/* connections that never got past their opening, then the oldest */
	n = t->opening_list.oldest;
	if (n == NULL) {
		n = t->idle.oldest != NULL ? t->idle.oldest : t->open.oldest;
		n = older_of(n, oldest_closed(t));
	}
	if (n == NULL)
		return NULL;
	f = flow_of(t, n);
	f->finished_early = true;
	t->early++;
	return f;
}

uint64_t flow_table_finished_early(const struct flow_table *t)
{
	return t->early;
}

void flow_table_remove(struct flow_table *t, struct flow *f)
{
	uint64_t i, j;

	if (f->opening)
		t->opening--;
	i = slot_of(t, key_hash(&f->key), &f->link);
	/* Backward-shift deletion keeps probe chains intact without
	 * tombstones, so lookups stay short however many flows come and go. */
	for (j = (i + 1) & t->mask; t->slot[j].node != NULL; j = (j + 1) & t->mask) {
		uint64_t home = t->slot[j].hash & t->mask;

		if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
			t->slot[i] = t->slot[j];
			i = j;
		}
	}
	t->slot[i].node = NULL;
	t->count--;
	unlink_activity(t, &f->link);
	flow_table_count_blocks(t, f);
	t->block_bytes -= blocks_cost(t, f->conn.blocks);
	tcp_conn_release(&f->conn);
	flow_give_back(t, f);
}

void flow_table_count_blocks(struct flow_table *t, struct flow *f)
{
	if (f->conn.blocks == f->blocks_counted)
		return;
	t->block_bytes += blocks_cost(t, f->conn.blocks) - blocks_cost(t, f->blocks_counted);
	f->blocks_counted = f->conn.blocks;
}

uint64_t flow_table_count(const struct flow_table *t)
{
	return t->count;
}

uint64_t flow_table_packed(const struct flow_table *t)
{
	return t->packed;
}
