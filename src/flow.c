/* flow: an open-addressing hash table of connections, sized to the live
 * set, with flows recycled through a free list so the packet path does
 * not allocate once the table has grown to its working size. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "finlint.h"
#include "flow.h"

/* A slot keeps the flow's hash next to the pointer, so a probe compares
 * hashes without touching the flow's memory: one cache miss per lookup
 * instead of one per probe. */
struct slot {
	uint64_t hash;
	struct flow *flow; /* NULL = empty */
};

/* Flows live on one of two lists, each in order of last activity: open
 * ones, finished after an idle timeout, and closed ones, finished once
 * their TIME_WAIT has passed.  Two lists keep a closed flow from waiting
 * behind open ones that are older but still alive. */
struct activity {
	struct flow *oldest, *newest;
};

struct flow_table {
	struct slot *slot;
	uint64_t mask; /* slot count - 1, a power of two */
	uint64_t count;
	uint64_t next_id;
	struct activity open, closed;
	struct flow *free_list; /* linked through ->newer */
};

enum { FLOW_TABLE_MIN = 1024 };

/* Order the two endpoints so both directions give the same key. */
static void key_from_packet(const struct packet *pkt, struct flow_key *k)
{
	size_t alen = pkt->family == 6 ? 16 : 4;
	int c = memcmp(pkt->src, pkt->dst, alen);

	if (c == 0)
		c = (int)pkt->sport - (int)pkt->dport;
	memset(k, 0, sizeof *k);
	k->family = pkt->family;
	if (c <= 0) {
		memcpy(k->addr[0], pkt->src, alen);
		memcpy(k->addr[1], pkt->dst, alen);
		k->port[0] = pkt->sport;
		k->port[1] = pkt->dport;
	} else {
		memcpy(k->addr[0], pkt->dst, alen);
		memcpy(k->addr[1], pkt->src, alen);
		k->port[0] = pkt->dport;
		k->port[1] = pkt->sport;
	}
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

struct flow_table *flow_table_new(void)
{
	struct flow_table *t = xcalloc(1, sizeof *t);

	t->slot = xcalloc(FLOW_TABLE_MIN, sizeof *t->slot);
	t->mask = FLOW_TABLE_MIN - 1;
	return t;
}

void flow_table_free(struct flow_table *t)
{
	struct flow *f, *next;

	if (t == NULL)
		return;
	for (f = t->open.oldest; f != NULL; f = next) {
		next = f->newer;
		free(f);
	}
	for (f = t->closed.oldest; f != NULL; f = next) {
		next = f->newer;
		free(f);
	}
	for (f = t->free_list; f != NULL; f = next) {
		next = f->newer;
		free(f);
	}
	free(t->slot);
	free(t);
}

static void grow(struct flow_table *t)
{
	uint64_t n = (t->mask + 1) * 2;
	struct slot *slot = xcalloc(n, sizeof *slot);

	for (uint64_t i = 0; i <= t->mask; i++) {
		uint64_t j;

		if (t->slot[i].flow == NULL)
			continue;
		for (j = t->slot[i].hash & (n - 1); slot[j].flow != NULL; j = (j + 1) & (n - 1))
			;
		slot[j] = t->slot[i];
	}
	free(t->slot);
	t->slot = slot;
	t->mask = n - 1;
}

static struct activity *list_of(struct flow_table *t, const struct flow *f)
{
	return f->closed ? &t->closed : &t->open;
}

static void unlink_activity(struct flow_table *t, struct flow *f)
{
	struct activity *l = list_of(t, f);

	if (f->older != NULL)
		f->older->newer = f->newer;
	else
		l->oldest = f->newer;
	if (f->newer != NULL)
		f->newer->older = f->older;
	else
		l->newest = f->older;
	f->older = f->newer = NULL;
}

static void append_activity(struct flow_table *t, struct flow *f)
{
	struct activity *l = list_of(t, f);

	f->older = l->newest;
	f->newer = NULL;
	if (l->newest != NULL)
		l->newest->newer = f;
	else
		l->oldest = f;
	l->newest = f;
}

static struct flow *flow_alloc(struct flow_table *t)
{
	struct flow *f = t->free_list;

	if (f != NULL)
		t->free_list = f->newer;
	else
		f = xmalloc(sizeof *f);
	memset(f, 0, sizeof *f);
	return f;
}

struct flow *flow_table_get(struct flow_table *t, const struct packet *pkt, unsigned *dir)
{
	struct flow_key k;
	struct flow *f;
	uint64_t h, i;

	key_from_packet(pkt, &k);
	h = key_hash(&k);
	for (i = h & t->mask; (f = t->slot[i].flow) != NULL; i = (i + 1) & t->mask) {
		if (t->slot[i].hash == h && key_equal(&f->key, &k)) {
			if (f != list_of(t, f)->newest) {
				unlink_activity(t, f);
				append_activity(t, f);
			}
			*dir = memcmp(f->side[0].addr, pkt->src, 16) == 0 &&
					       f->side[0].port == pkt->sport
				       ? 0
				       : 1;
			return f;
		}
	}

	f = flow_alloc(t);
	f->key = k;
	f->hash = h;
	f->id = ++t->next_id;
	f->family = pkt->family;
	memcpy(f->side[0].addr, pkt->src, 16);
	memcpy(f->side[1].addr, pkt->dst, 16);
	f->side[0].port = pkt->sport;
	f->side[1].port = pkt->dport;
	t->slot[i].hash = h;
	t->slot[i].flow = f;
	t->count++;
	append_activity(t, f);
	if (t->count * 2 > t->mask + 1)
		grow(t);
	*dir = 0;
	return f;
}

struct flow *flow_table_oldest(struct flow_table *t)
{
	return t->open.oldest != NULL ? t->open.oldest : t->closed.oldest;
}

struct flow *flow_table_oldest_open(struct flow_table *t)
{
	return t->open.oldest;
}

struct flow *flow_table_oldest_closed(struct flow_table *t)
{
	return t->closed.oldest;
}

void flow_table_mark_closed(struct flow_table *t, struct flow *f)
{
	if (f->closed)
		return;
	unlink_activity(t, f);
	f->closed = true;
	append_activity(t, f);
}

void flow_table_remove(struct flow_table *t, struct flow *f)
{
	uint64_t i, j;

	for (i = f->hash & t->mask; t->slot[i].flow != f; i = (i + 1) & t->mask)
		;
	/* Backward-shift deletion keeps probe chains intact without
	 * tombstones, so lookups stay short however many flows come and go. */
	for (j = (i + 1) & t->mask; t->slot[j].flow != NULL; j = (j + 1) & t->mask) {
		uint64_t home = t->slot[j].hash & t->mask;

		if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
			t->slot[i] = t->slot[j];
			i = j;
		}
	}
	t->slot[i].flow = NULL;
	t->count--;
	unlink_activity(t, f);
	f->newer = t->free_list;
	t->free_list = f;
}

uint64_t flow_table_count(const struct flow_table *t)
{
	return t->count;
}
