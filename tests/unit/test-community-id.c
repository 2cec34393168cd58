/* test-community-id: the Community ID spec's own published values, in
 * both directions, with the default seed and with seed 1. */
#include "config.h"

#include <arpa/inet.h>

#include "check.h"
#include "community-id.h"

struct vector {
	const char *src, *dst;
	uint16_t sport, dport;
	uint8_t proto;
	uint16_t seed;
	const char *want;
};

/* Sources, all in github.com/corelight/community-id-spec:
 *   [R] baseline/README.md, tables "Default settings" and "A custom
 *       seed=1 value" (rows TCP 6 and UDP 17);
 *   [D] baseline/baseline_deflt.json (seed 0);
 *   [S] baseline/baseline_seed1.json (seed 1). */
static const struct vector vectors[] = {
	/* [R] TCP, IPv4 */
	{ "1.2.3.4", "5.6.7.8", 1122, 3344, 6, 0, "1:wCb3OG7yAFWelaUydu0D+125CLM=" },
	/* [R] the same flow with seed 1 */
	{ "1.2.3.4", "5.6.7.8", 1122, 3344, 6, 1, "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=" },
	/* [R] UDP on the same tuple: the protocol number is hashed */
	{ "1.2.3.4", "5.6.7.8", 1122, 3344, 17, 0, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=" },
	/* [D] TCP, IPv4, from pcaps/combined.pcap.gz */
	{ "128.232.110.120", "66.35.250.204", 34855, 80, 6, 0, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=" },
	/* [S] the same flow with seed 1 */
	{ "128.232.110.120", "66.35.250.204", 34855, 80, 6, 1, "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" },
	/* [D] TCP, IPv6 */
	{ "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, 6, 0,
	  "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=" },
	/* [S] the same flow with seed 1 */
	{ "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, 6, 1,
	  "1:eJYTW6AOzFLlSUoESovMjnu7rMw=" },
	/* [D] SCTP between equal ports: only the addresses order the tuple */
	{ "192.168.170.8", "192.168.170.56", 7, 7, 132, 0, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=" },
};

/* Parse a literal address of either family into 16 bytes. */
static uint8_t parse(const char *s, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, s, addr) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, addr) == 1)
		return 6;
	return 0;
}

int main(void)
{
	char id[COMMUNITY_ID_LEN], back[COMMUNITY_ID_LEN], other[COMMUNITY_ID_LEN];
	uint8_t a[16], b[16];

	for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		const struct vector *v = &vectors[i];
		uint8_t fa = parse(v->src, a), fb = parse(v->dst, b);

		CHECK(fa != 0 && fa == fb);
		community_id_v1(id, v->seed, fa, a, v->sport, b, v->dport, v->proto);
		CHECK_STR(id, v->want);
		community_id_v1(back, v->seed, fa, b, v->dport, a, v->sport, v->proto);
		CHECK_STR(back, v->want);
		CHECK_U64(strlen(id), COMMUNITY_ID_LEN - 1);
	}

	/* Equal addresses (loopback): the ports decide the order, so both
	 * directions agree, and another port is another flow. */
	parse("127.0.0.1", a);
	community_id_v1(id, 0, 4, a, 44630, a, 5555, 6);
	community_id_v1(back, 0, 4, a, 5555, a, 44630, 6);
	CHECK_STR(back, id);
	community_id_v1(other, 0, 4, a, 44630, a, 5556, 6);
	CHECK(strcmp(other, id) != 0);

	return check_done("test-community-id");
}
