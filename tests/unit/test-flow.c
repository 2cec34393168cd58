/* test-flow: both directions find one entry, and entries survive the
 * table growing and shrinking around them. */
#include "config.h"

#include "check.h"
#include "flow.h"

static struct packet make(uint32_t a, uint16_t ap, uint32_t b, uint16_t bp)
{
	struct packet p = { .family = 4 };

	p.src[0] = (uint8_t)(a >> 24); p.src[1] = (uint8_t)(a >> 16);
	p.src[2] = (uint8_t)(a >> 8);  p.src[3] = (uint8_t)a;
	p.dst[0] = (uint8_t)(b >> 24); p.dst[1] = (uint8_t)(b >> 16);
	p.dst[2] = (uint8_t)(b >> 8);  p.dst[3] = (uint8_t)b;
	p.sport = ap;
	p.dport = bp;
	return p;
}

int main(void)
{
	struct flow_table *t = flow_table_new();
	struct packet fwd = make(0x0a000001, 40000, 0x0a000002, 80);
	struct packet rev = make(0x0a000002, 80, 0x0a000001, 40000);
	struct flow *f, *g;
	unsigned dir;
	int lost = 0;

	f = flow_table_get(t, &fwd, &dir);
	CHECK_U64(dir, 0);
	CHECK_U64(f->id, 1);
	g = flow_table_get(t, &rev, &dir);
	CHECK(g == f);
	CHECK_U64(dir, 1);
	CHECK_U64(flow_table_count(t), 1);

	/* The side that spoke first is side 0 whatever the key order. */
	g = flow_table_get(t, &rev, &dir);
	CHECK(g == f && dir == 1);

	/* Many flows: growth, then removing every other one must leave the
	 * rest findable (backward-shift deletion). */
	for (uint32_t i = 0; i < 5000; i++) {
		struct packet p = make(0x0b000000 + i, (uint16_t)(1000 + i % 7), 0x0c000001, 443);
		flow_table_get(t, &p, &dir);
	}
	CHECK_U64(flow_table_count(t), 5001);
	CHECK(flow_table_oldest(t) == f);
	for (uint32_t i = 0; i < 5000; i += 2) {
		struct packet p = make(0x0b000000 + i, (uint16_t)(1000 + i % 7), 0x0c000001, 443);
		uint64_t before = flow_table_count(t);

		g = flow_table_get(t, &p, &dir);
		if (flow_table_count(t) != before)
			lost++;
		flow_table_remove(t, g);
	}
	CHECK_U64(lost, 0);
	CHECK_U64(flow_table_count(t), 2501);
	for (uint32_t i = 1; i < 5000; i += 2) {
		struct packet p = make(0x0c000001, 443, 0x0b000000 + i, (uint16_t)(1000 + i % 7));
		uint64_t before = flow_table_count(t);

		g = flow_table_get(t, &p, &dir);
		if (flow_table_count(t) != before || dir != 1)
			lost++;
	}
	CHECK_U64(lost, 0);
	/* the most recently touched flow is the newest, f now the oldest */
	CHECK(flow_table_oldest(t) == f);

	/* A closed flow leaves the open list, so it can expire on its own
	 * clock while older open flows stay; touching it keeps it closed. */
	CHECK(flow_table_oldest_closed(t) == NULL);
	flow_table_mark_closed(t, f);
	CHECK(flow_table_oldest_closed(t) == f);
	CHECK(flow_table_oldest_open(t) != f && flow_table_oldest_open(t) != NULL);
	g = flow_table_get(t, &fwd, &dir);
	CHECK(g == f && f->closed && flow_table_oldest_closed(t) == f);
	flow_table_remove(t, f);
	CHECK(flow_table_oldest_closed(t) == NULL);
	CHECK_U64(flow_table_count(t), 2500);
	flow_table_free(t);
	return check_done("test-flow");
}
