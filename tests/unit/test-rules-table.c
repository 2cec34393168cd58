/* test-rules-table: the rule table is whole and its names resolve, rule
 * selection reads ids and codes, and rules_check runs the rules from the
 * table: a refused connection gets exactly its one finding, and none
 * once that rule is ignored. */
#include "config.h"

#include <string.h>

#include "check.h"
#include "flow.h"
#include "rules.h"

/* A segment of the refused connection, 1 ms apart. */
static struct packet seg(bool from_client, uint8_t flags, uint32_t seq, uint32_t ack,
			 uint64_t num)
{
	struct packet p = { .family = 4, .ttl = 64, .win = 1000 };

	p.src[0] = 192; p.src[1] = 0; p.src[2] = 2; p.src[3] = from_client ? 1 : 2;
	p.dst[0] = 192; p.dst[1] = 0; p.dst[2] = 2; p.dst[3] = from_client ? 2 : 1;
	p.sport = from_client ? 40000 : 25;
	p.dport = from_client ? 25 : 40000;
	p.flags = flags;
	p.seq = seq;
	p.ack = ack;
	p.num = num;
	p.ts_ns = num * 1000000u;
	if (!from_client)
		p.win = 0;
	return p;
}

/* The findings rules_check makes of a SYN answered by RST|ACK. */
static void refused(const struct rule_config *cfg, struct findings *out)
{
	struct flow_table *t = flow_table_new();
	struct packet p[2] = { seg(true, TCP_SYN, 7000, 0, 1),
			       seg(false, TCP_RST | TCP_ACK, 0, 7001, 2) };
	struct flow *f = NULL;
	unsigned dir;

	for (unsigned i = 0; i < 2; i++) {
		f = flow_table_get(t, &p[i], &dir);
		if (f->first_packet == 0)
			flow_begin(f, &p[i], NULL);
		f->last_ts = p[i].ts_ns;
		tcp_conn_step(&f->conn, dir, &p[i]);
	}
	tcp_conn_finish(&f->conn, p[1].ts_ns);
	rules_check(cfg, f, out);
	flow_table_free(t);
}

int main(void)
{
	struct rule_config cfg;
	struct findings out;
	char bad[64];

	CHECK_U64(rules_table_broken(), RULE_COUNT);
	for (unsigned i = 0; i < RULE_COUNT; i++) {
		const struct rule_info *ri = rule_info(i);
		char lower[8];

		CHECK_U64(rule_find(ri->id), i);
		CHECK_U64(rule_find(ri->code), i);
		snprintf(lower, sizeof lower, "fl%03u", i + 1);
		CHECK_U64(rule_find(lower), i);
	}
	CHECK(rule_info(RULE_COUNT) == NULL);
	CHECK_U64(rule_find("no-such-rule"), RULE_COUNT);
	CHECK_STR(rule_info(RULE_CONNECTION_REFUSED)->id, "connection-refused");
	CHECK_STR(rule_info(RULE_CONNECTION_REFUSED)->code, "FL018");
	CHECK_U64(rule_info(RULE_CONNECTION_REFUSED)->severity, SEV_INFO);
	CHECK_STR(rule_info(RULE_LAST_ACK_GIVEUP)->code, "FL024");

	/* --select FL018,half-open: those two and no other */
	rules_config_init(&cfg, NULL);
	CHECK(rules_config_select(&cfg, "all", false, bad, sizeof bad));
	CHECK(rules_config_select(&cfg, "FL018,half-open", true, bad, sizeof bad));
	for (unsigned i = 0; i < RULE_COUNT; i++)
		CHECK_U64(cfg.enabled[i], i == RULE_CONNECTION_REFUSED || i == RULE_HALF_OPEN);
	CHECK(!rules_config_select(&cfg, "half-open,nope", true, bad, sizeof bad));
	CHECK_STR(bad, "nope");

	/* every rule: the refused connection's one finding, from the table */
	rules_config_init(&cfg, NULL);
	refused(&cfg, &out);
	CHECK_U64(out.close.cls, CLOSE_REFUSED);
	CHECK_U64(out.n, 1);
	CHECK_U64(out.f[0].rule, RULE_CONNECTION_REFUSED);
	CHECK_U64(out.f[0].side, 1);
	CHECK_U64(out.f[0].npkts, 2);
	CHECK_U64(out.f[0].pkts[0], 1);
	CHECK_U64(out.f[0].pkts[1], 2);
	CHECK(strncmp(out.f[0].message, "the client's SYN (packet 1) was answered by RST|ACK "
		      "(packet 2) 1.000 ms later", 64) == 0);

	/* --ignore connection-refused: the verdict stays, the finding goes */
	CHECK(rules_config_select(&cfg, "connection-refused", false, bad, sizeof bad));
	refused(&cfg, &out);
	CHECK_U64(out.close.cls, CLOSE_REFUSED);
	CHECK_U64(out.n, 0);
	return check_done("test-rules-table");
}
