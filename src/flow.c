/* flow: an open-addressing hash table of connections, sized to the live
 * set, with flows recycled through a free list so the packet path does
 * not allocate once the table has grown to its working size. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "finlint.h"
#include "flow.h"

struct flow_table {
	struct flow **slot; /* NULL = empty */
	uint64_t mask;      /* slot count - 1, a power of two */
	uint64_t count;
	uint64_t next_id;
	struct flow *oldest, *newest;
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
	for (f = t->oldest; f != NULL; f = next) {
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
	struct flow **slot = xcalloc(n, sizeof *slot);

	for (uint64_t i = 0; i <= t->mask; i++) {
		struct flow *f = t->slot[i];
		uint64_t j;

		if (f == NULL)
			continue;
		for (j = f->hash & (n - 1); slot[j] != NULL; j = (j + 1) & (n - 1))
			;
		slot[j] = f;
	}
	free(t->slot);
	t->slot = slot;
	t->mask = n - 1;
}

static void unlink_activity(struct flow_table *t, struct flow *f)
{
	if (f->older != NULL)
		f->older->newer = f->newer;
	else
		t->oldest = f->newer;
	if (f->newer != NULL)
		f->newer->older = f->older;
	else
		t->newest = f->older;
	f->older = f->newer = NULL;
}

static void append_activity(struct flow_table *t, struct flow *f)
{
	f->older = t->newest;
	f->newer = NULL;
	if (t->newest != NULL)
		t->newest->newer = f;
	else
		t->oldest = f;
	t->newest = f;
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
	for (i = h & t->mask; (f = t->slot[i]) != NULL; i = (i + 1) & t->mask) {
		if (f->hash == h && key_equal(&f->key, &k)) {
			if (f != t->newest) {
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
	t->slot[i] = f;
	t->count++;
	append_activity(t, f);
	if (t->count * 2 > t->mask + 1)
		grow(t);
	*dir = 0;
	return f;
}

struct flow *flow_table_oldest(struct flow_table *t)
{
	return t->oldest;
}

void flow_table_remove(struct flow_table *t, struct flow *f)
{
	uint64_t i, j;

	for (i = f->hash & t->mask; t->slot[i] != f; i = (i + 1) & t->mask)
		;
	/* Backward-shift deletion keeps probe chains intact without
	 * tombstones, so lookups stay short however many flows come and go. */
	for (j = (i + 1) & t->mask; t->slot[j] != NULL; j = (j + 1) & t->mask) {
		uint64_t home = t->slot[j]->hash & t->mask;

		if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
			t->slot[i] = t->slot[j];
			i = j;
		}
	}
	t->slot[i] = NULL;
	t->count--;
	unlink_activity(t, f);
	f->newer = t->free_list;
	t->free_list = f;
}

uint64_t flow_table_count(const struct flow_table *t)
{
	return t->count;
}
