/* flow-tomb: see include/flow-tomb.h.
 *
 * Tombstones live in two pools (IPv4 and IPv6 sizes) of fixed chunks, so
 * a reference (pool bit and index, 32 bits) stays valid while it is
 * filed.  The index is open addressing over 64-bit slots: the upper half
 * a tag from the hash (never 0; it also picks the home slot, so the
 * index grows and deletes without rehashing a key), the lower the
 * reference.  The expiry
 * queue is a ring of slot values in the order tombstones were filed,
 * which is the order of their last packets; one a late packet touched
 * goes to the back again when it reaches the front.  Removed ones are
 * freed when the queue reaches them.  Notes are few: a small index of
 * their own. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "finlint.h"
#include "flow-tomb.h"

enum { CHUNK_SHIFT = 12, CHUNK = 1 << CHUNK_SHIFT, V6_BIT = 1u << 31 };

struct pool {
	size_t size;       /* bytes per tombstone */
	uint8_t **chunk;
	uint32_t nchunks, used; /* used: high-water index */
	uint32_t free_head;     /* index + 1 of a free one, 0: none */
	uint64_t live;
};

struct note_index {
	struct tomb_note **slot;
	uint64_t mask, count;
};

struct tomb_store {
	struct pool pool[2];
	uint64_t *slot; /* tag << 32 | ref; 0 = empty */
	uint64_t mask, count;
	uint64_t *ring; /* slot values (tag and reference), oldest first */
	uint64_t cur;   /* the slot value of the tombstone last handed out */
	uint64_t ring_cap, ring_head, ring_len;
	struct note_index notes;
};

enum { INDEX_MIN = 1024 };

struct tomb_store *tomb_store_new(void)
{
	struct tomb_store *s = xcalloc(1, sizeof *s);

	s->pool[0].size = sizeof(struct tomb) + 8;
	s->pool[1].size = sizeof(struct tomb) + 32;
	s->slot = xcalloc(INDEX_MIN, sizeof *s->slot);
	s->mask = INDEX_MIN - 1;
	s->ring_cap = INDEX_MIN;
	s->ring = xmalloc(s->ring_cap * sizeof *s->ring);
	return s;
}

void tomb_store_free(struct tomb_store *s)
{
	if (s == NULL)
		return;
	for (unsigned p = 0; p < 2; p++) {
		for (uint32_t i = 0; i < s->pool[p].nchunks; i++)
			free(s->pool[p].chunk[i]);
		free(s->pool[p].chunk);
	}
	for (uint64_t i = 0; i <= s->notes.mask && s->notes.slot != NULL; i++) {
		if (s->notes.slot[i] != NULL && s->notes.slot[i]->zeek != NULL) {
			zeek_conn_free(s->notes.slot[i]->zeek);
			free(s->notes.slot[i]->zeek);
		}
		free(s->notes.slot[i]);
	}
	free(s->notes.slot);
	free(s->slot);
	free(s->ring);
	free(s);
}

static struct tomb *at(const struct tomb_store *s, uint32_t ref)
{
	const struct pool *p = &s->pool[(ref & V6_BIT) != 0];
	uint32_t i = ref & ~V6_BIT;

	return (struct tomb *)(p->chunk[i >> CHUNK_SHIFT] + (size_t)(i & (CHUNK - 1)) * p->size);
}

static uint32_t pool_take(struct tomb_store *s, unsigned v6)
{
	struct pool *p = &s->pool[v6];
	uint32_t i;

	if (p->free_head != 0) {
		struct tomb *t;

		i = p->free_head - 1;
		t = at(s, i | (v6 ? V6_BIT : 0));
		p->free_head = (uint32_t)t->last_ts;
	} else {
		if (p->used == V6_BIT - 1)
			fatal("too many tombstones");
		i = p->used++;
		if ((i >> CHUNK_SHIFT) >= p->nchunks) {
			p->chunk = xrealloc(p->chunk, p->nchunks + 1, sizeof *p->chunk);
			p->chunk[p->nchunks++] = xmalloc(CHUNK * p->size);
		}
	}
	p->live++;
	return i | (v6 ? V6_BIT : 0);
}

static void pool_give(struct tomb_store *s, uint32_t ref)
{
	struct pool *p = &s->pool[(ref & V6_BIT) != 0];
	struct tomb *t = at(s, ref);

	t->last_ts = p->free_head;
	p->free_head = (ref & ~V6_BIT) + 1;
	p->live--;
	if (s->cur != 0 && (uint32_t)s->cur == ref)
		s->cur = 0; /* its tag is no longer the entry's */
}

static uint32_t tag_of(uint64_t hash)
{
	return (uint32_t)(hash >> 32) | 1u;
}

static void grow(struct tomb_store *s)
{
	uint64_t n = (s->mask + 1) * 2;
	uint64_t *slot = xcalloc(n, sizeof *slot);

	for (uint64_t i = 0; i <= s->mask; i++) {
		uint64_t j;

		if (s->slot[i] == 0)
			continue;
		j = (s->slot[i] >> 32) & (n - 1);
		while (slot[j] != 0)
			j = (j + 1) & (n - 1);
		slot[j] = s->slot[i];
	}
	free(s->slot);
	s->slot = slot;
	s->mask = n - 1;
}

/* The ring's capacity is a power of two. */
static void ring_push(struct tomb_store *s, uint64_t v)
{
	if (s->ring_len == s->ring_cap) {
		uint64_t *r = xmalloc(s->ring_cap * 2 * sizeof *r);

		for (uint64_t i = 0; i < s->ring_len; i++)
			r[i] = s->ring[(s->ring_head + i) & (s->ring_cap - 1)];
		free(s->ring);
		s->ring = r;
		s->ring_head = 0;
		s->ring_cap *= 2;
	}
	s->ring[(s->ring_head + s->ring_len++) & (s->ring_cap - 1)] = v;
}

static unsigned alen(const struct tomb *t)
{
	return t->v6 ? 16 : 4;
}

/* The flow key of t, as flow.c orders it: lower address (then port) first. */
static void key_of(const struct tomb *t, struct flow_key *k)
{
	unsigned n = alen(t);
	int c = memcmp(t->addr, t->addr + n, n);
	unsigned lo = c < 0 || (c == 0 && t->port[0] <= t->port[1]) ? 0 : 1;

	memset(k, 0, sizeof *k);
	k->family = t->v6 ? 6 : 4;
	memcpy(k->addr[0], t->addr + lo * n, n);
	memcpy(k->addr[1], t->addr + (!lo) * n, n);
	k->port[0] = t->port[lo];
	k->port[1] = t->port[!lo];
}

bool tomb_add(struct tomb_store *s, const struct flow *f)
{
	unsigned v6 = f->family == 6, n = v6 ? 16 : 4;
	uint32_t ref, tag;
	struct tomb *t;
	uint64_t i;
	const struct tcp_conn *c = &f->conn;

	if (f->id > TOMB_ID_MAX)
		return false;
	ref = pool_take(s, v6);
	t = at(s, ref);
	memset(t, 0, s->pool[v6].size);
	t->v6 = v6;
	t->id = f->id;
	t->last_ts = f->last_ts;
	for (unsigned x = 0; x < 2; x++) {
		const struct tcp_endpoint *me = &c->ep[x], *peer = &c->ep[!x];

		memcpy(t->addr + x * n, flow_side_addr(f, x), n);
		t->port[x] = flow_side_port(f, x);
		t->state_ts[x] = me->state_ts;
		t->snd_nxt[x] = me->snd_nxt;
		t->last_ack[x] = me->last_ack;
		tomb_set_state(t, x, me->state, me->state_ts);
		t->seq_known |= (uint64_t)me->seq_known << x;
		t->ack_known |= (uint64_t)me->ack_known << x;
		t->fin_seen |= (uint64_t)me->fin_seen << x;
		t->rexmit_seen |= (uint64_t)(me->fin->rexmit_clean_pkt != 0) << x;
		t->passive |= (uint64_t)(peer->fin_seen && peer->fin_acked &&
					 peer->fin->ack_pkt <= me->fin->pkt) << x;
		for (unsigned e = 0; e < c->event_count; e++)
			if (c->events[e].type == EV_DATA_AFTER_FIN && c->events[e].dir == x)
				t->data_after_fin |= (uint64_t)1 << x;
		/* the event log can fill up: then assume the record has it */
		if (c->events_dropped > 0)
			t->data_after_fin |= (uint64_t)1 << x;
	}
	t->isn0 = c->ep[0].isn;
	t->isn0_known = c->ep[0].isn_known;
	t->mid_stream = c->mid_stream;
	tag = tag_of(flow_key_hash(&f->key));
	for (i = tag & s->mask; s->slot[i] != 0; i = (i + 1) & s->mask)
		;
	s->slot[i] = (uint64_t)tag << 32 | ref;
	s->count++;
	ring_push(s, s->slot[i]);
	if (s->count * 2 > s->mask + 1)
		grow(s);
	return true;
}

struct tomb *tomb_find(struct tomb_store *s, const struct flow_key *k, uint64_t hash)
{
	uint32_t tag = tag_of(hash);

	for (uint64_t i = tag & s->mask; s->slot[i] != 0; i = (i + 1) & s->mask) {
		struct tomb *t;
		struct flow_key tk;

		if ((uint32_t)(s->slot[i] >> 32) != tag)
			continue;
		t = at(s, (uint32_t)s->slot[i]);
		key_of(t, &tk);
		if (memcmp(&tk, k, sizeof tk) == 0) {
			s->cur = s->slot[i];
			return t;
		}
	}
	return NULL;
}

unsigned tomb_dir(const struct tomb *t, const struct packet *pkt)
{
	return memcmp(t->addr, pkt->src, alen(t)) == 0 && t->port[0] == pkt->sport ? 0 : 1;
}

void tomb_side(const struct tomb *t, unsigned i, struct flow_side *out)
{
	memset(out, 0, sizeof *out);
	memcpy(out->addr, t->addr + i * alen(t), alen(t));
	out->port = t->port[i];
}

uint8_t tomb_state(const struct tomb *t, unsigned i)
{
	return (uint8_t)(i == 0 ? t->state0 : t->state1);
}

void tomb_set_state(struct tomb *t, unsigned i, uint8_t state, uint64_t ts)
{
	if (i == 0)
		t->state0 = state & 15u;
	else
		t->state1 = state & 15u;
	t->state_ts[i] = ts;
}

void tomb_touch(struct tomb *t, uint64_t ts)
{
	t->last_ts = ts;
	t->touched = 1;
}

/* The reference of t, which is in one of the pools. */
static uint32_t ref_of(const struct tomb_store *s, const struct tomb *t)
{
	const struct pool *p = &s->pool[t->v6];
	const uint8_t *b = (const uint8_t *)t;

	for (uint32_t c = 0; c < p->nchunks; c++) {
		const uint8_t *lo = p->chunk[c];

		if (b >= lo && b < lo + CHUNK * p->size)
			return (uint32_t)(c * CHUNK + (uint32_t)((size_t)(b - lo) / p->size)) |
			       (t->v6 ? V6_BIT : 0);
	}
	fatal("internal error: a tombstone outside its pool");
	return 0;
}

static uint64_t note_home(uint32_t ref, uint64_t mask)
{
	uint64_t h = ref * 0x9e3779b97f4a7c15ULL;

	return (h >> 32) & mask;
}

static struct tomb_note **note_slot(const struct note_index *n, uint32_t ref)
{
	if (n->slot == NULL)
		return NULL;
	for (uint64_t i = note_home(ref, n->mask); n->slot[i] != NULL; i = (i + 1) & n->mask)
		if (n->slot[i]->ref == ref)
			return &n->slot[i];
	return NULL;
}

static void note_insert(struct note_index *n, struct tomb_note *note)
{
	uint64_t i;

	for (i = note_home(note->ref, n->mask); n->slot[i] != NULL; i = (i + 1) & n->mask)
		;
	n->slot[i] = note;
	n->count++;
}

struct tomb_note *tomb_note(struct tomb_store *s, struct tomb *t)
{
	uint32_t ref = ref_of(s, t);
	struct tomb_note **p = t->noted ? note_slot(&s->notes, ref) : NULL, *note;
	struct note_index *n = &s->notes;

	if (p != NULL)
		return *p;
	if (n->slot == NULL || (n->count + 1) * 2 > n->mask + 1) {
		struct note_index bigger;

		bigger.mask = n->slot == NULL ? 63 : n->mask * 2 + 1;
		bigger.count = 0;
		bigger.slot = xcalloc(bigger.mask + 1, sizeof *bigger.slot);
		for (uint64_t i = 0; n->slot != NULL && i <= n->mask; i++)
			if (n->slot[i] != NULL)
				note_insert(&bigger, n->slot[i]);
		free(n->slot);
		*n = bigger;
	}
	note = xcalloc(1, sizeof *note);
	note->ref = ref;
	note->record_last_ts = t->last_ts;
	note_insert(n, note);
	t->noted = 1;
	return note;
}

const struct tomb_note *tomb_note_get(const struct tomb_store *s, const struct tomb *t)
{
	struct tomb_note **p = t->noted ? note_slot(&s->notes, ref_of(s, t)) : NULL;

	return p != NULL ? *p : NULL;
}

static void note_drop(struct tomb_store *s, uint32_t ref)
{
	struct note_index *n = &s->notes;
	struct tomb_note **p = note_slot(n, ref);
	uint64_t i, j;

	if (p == NULL)
		return;
	if ((*p)->zeek != NULL) {
		zeek_conn_free((*p)->zeek);
		free((*p)->zeek);
	}
	free(*p);
	i = (uint64_t)(p - n->slot);
	/* backward-shift deletion, as flow.c */
	for (j = (i + 1) & n->mask; n->slot[j] != NULL; j = (j + 1) & n->mask) {
		uint64_t home = note_home(n->slot[j]->ref, n->mask);

		if (((j - home) & n->mask) >= ((j - i) & n->mask)) {
			n->slot[i] = n->slot[j];
			i = j;
		}
	}
	n->slot[i] = NULL;
	n->count--;
}

static bool silent_for(const struct tomb *t, uint64_t now, uint64_t idle)
{
	return now >= t->last_ts && now - t->last_ts >= idle;
}

static void ring_pop(struct tomb_store *s)
{
	s->ring_head = (s->ring_head + 1) & (s->ring_cap - 1);
	s->ring_len--;
}

struct tomb *tomb_expired(struct tomb_store *s, uint64_t now, uint64_t idle)
{
	while (s->ring_len > 0) {
		uint64_t v = s->ring[s->ring_head];
		struct tomb *t = at(s, (uint32_t)v);

		if (!t->dead && silent_for(t, now, idle)) {
			s->cur = v;
			return t;
		}
		if (!t->dead && !t->touched)
			return NULL;
		ring_pop(s);
		if (t->dead) {
			pool_give(s, (uint32_t)v);
		} else {
			t->touched = 0;
			ring_push(s, v);
		}
	}
	return NULL;
}

struct tomb *tomb_oldest(struct tomb_store *s)
{
	while (s->ring_len > 0) {
		uint64_t v = s->ring[s->ring_head];
		struct tomb *t = at(s, (uint32_t)v);

		if (!t->dead) {
			s->cur = v;
			return t;
		}
		ring_pop(s);
		pool_give(s, (uint32_t)v);
	}
	return NULL;
}

void tomb_remove(struct tomb_store *s, struct tomb *t)
{
	uint64_t v = s->cur, i, j;
	uint32_t ref;

	/* the one last handed out, almost always: no search for its reference
	 * and no hash of its key */
	if (v == 0 || at(s, (uint32_t)v) != t) {
		struct flow_key k;

		key_of(t, &k);
		v = (uint64_t)tag_of(flow_key_hash(&k)) << 32 | ref_of(s, t);
	}
	ref = (uint32_t)v;
	s->cur = 0;
	if (t->noted)
		note_drop(s, ref);
	t->noted = 0;
	for (i = (v >> 32) & s->mask; s->slot[i] != v; i = (i + 1) & s->mask)
		if (s->slot[i] == 0)
			fatal("internal error: a tombstone not in its index");
	for (j = (i + 1) & s->mask; s->slot[j] != 0; j = (j + 1) & s->mask) {
		uint64_t home = (s->slot[j] >> 32) & s->mask;

		if (((j - home) & s->mask) >= ((j - i) & s->mask)) {
			s->slot[i] = s->slot[j];
			i = j;
		}
	}
	s->slot[i] = 0;
	s->count--;
	t->dead = 1;
}

uint64_t tomb_count(const struct tomb_store *s)
{
	return s->count;
}

uint64_t tomb_bytes(const struct tomb_store *s)
{
	uint64_t b = (s->mask + 1) * sizeof *s->slot + s->ring_cap * sizeof *s->ring;

	for (unsigned p = 0; p < 2; p++)
		b += (uint64_t)s->pool[p].nchunks * CHUNK * s->pool[p].size;
	return b + s->notes.count * sizeof(struct tomb_note);
}

uint64_t tomb_live_bytes(const struct tomb_store *s)
{
	/* each: its pool entry, two index slots (the index is at most half
	 * full), its place in the ring */
	return s->pool[0].live * (s->pool[0].size + 2 * sizeof *s->slot + sizeof *s->ring) +
	       s->pool[1].live * (s->pool[1].size + 2 * sizeof *s->slot + sizeof *s->ring);
}
