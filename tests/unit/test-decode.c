/* test-decode: the decoder on hand-built frames, including the hostile
 * ones a kernel never sends. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include <pcap/dlt.h>

#include "check.h"
#include "decode.h"

/* Ethernet + IPv4 (20) + TCP with MSS, SACK-permitted, timestamps,
 * window scale (20 + 20 option bytes) + 5 payload bytes. */
static const uint8_t eth_syn[] = {
	0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x41, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
	10, 0, 1, 1, 10, 0, 1, 2,
	0x9c, 0x40, 0x22, 0xb8, /* 40000 -> 8888 */
	0xff, 0xff, 0xff, 0xf0, /* seq near 2^32 */
	0x00, 0x00, 0x00, 0x00, /* ack */
	0xa0, 0x02, 0xfa, 0xf0, 0x00, 0x00, 0x00, 0x00,
	0x02, 0x04, 0x05, 0xb4,                               /* mss 1460 */
	0x04, 0x02,                                           /* sackOK */
	0x08, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, /* ts 1/0 */
	0x01, 0x03, 0x03, 0x07,                               /* nop, ws 7 */
	'h', 'e', 'l', 'l', 'o',
};

static void test_ethernet_ipv4(void)
{
	struct packet p = { .num = 7 };
	char buf[64];

	CHECK_U64(decode_frame(DLT_EN10MB, eth_syn, sizeof eth_syn, sizeof eth_syn, &p), DECODE_TCP);
	CHECK_U64(p.num, 7);
	CHECK_U64(p.family, 4);
	decode_endpoint_str(&p, true, buf, sizeof buf);
	CHECK_STR(buf, "10.0.1.1:40000");
	decode_endpoint_str(&p, false, buf, sizeof buf);
	CHECK_STR(buf, "10.0.1.2:8888");
	CHECK_U64(p.seq, 0xfffffff0u);
	CHECK_U64(p.flags, TCP_SYN);
	CHECK_U64(p.win, 0xfaf0);
	CHECK_U64(p.payload_len, 5);
	CHECK_U64(p.payload_caplen, 5);
	CHECK(p.payload != NULL && memcmp(p.payload, "hello", 5) == 0);
	CHECK_U64(p.opt.has, TCPOPT_HAS_MSS | TCPOPT_HAS_SACKOK | TCPOPT_HAS_TS | TCPOPT_HAS_WSCALE);
	CHECK_U64(p.opt.mss, 1460);
	CHECK_U64(p.opt.wscale, 7);
	CHECK_U64(p.opt.ts_val, 1);
	CHECK(!p.truncated);
	CHECK_U64(p.via_count, 0);
}

/* Every shorter capture of the same frame must decode without reading
 * past caplen: TRUNCATED while the TCP header's fixed part is missing,
 * TCP (flagged truncated) from then on, with the IP-declared length. */
static void test_every_truncation(void)
{
	for (uint32_t cap = 0; cap < sizeof eth_syn; cap++) {
		uint8_t copy[sizeof eth_syn];
		struct packet p = { 0 };
		enum decode_result r;

		/* a heap-free copy of exactly cap bytes lets ASan see overreads
		 * at the end of the stack object only for the full length, so
		 * decode from the end of the buffer instead */
		memcpy(copy + sizeof copy - cap, eth_syn, cap);
		r = decode_frame(DLT_EN10MB, copy + sizeof copy - cap, cap, sizeof eth_syn, &p);
		if (cap < 14 + 20 + 20) {
			CHECK_U64(r, DECODE_TRUNCATED);
		} else {
			CHECK_U64(r, DECODE_TCP);
			CHECK_U64(p.payload_len, 5);
			CHECK(p.truncated);
			CHECK_U64(p.seq, 0xfffffff0u);
		}
	}
}

static void test_bad_headers(void)
{
	uint8_t f[sizeof eth_syn];
	struct packet p = { 0 };

	/* IHL 4: the header would be shorter than its fixed part */
	memcpy(f, eth_syn, sizeof f);
	f[14] = 0x44;
	CHECK_U64(decode_frame(DLT_EN10MB, f, sizeof f, sizeof f, &p), DECODE_MALFORMED);

	/* total length larger than the frame on the wire */
	memcpy(f, eth_syn, sizeof f);
	f[16] = 0x05;
	CHECK_U64(decode_frame(DLT_EN10MB, f, sizeof f, sizeof f, &p), DECODE_MALFORMED);

	/* total length 0 (segmentation offload): the frame is the length
	 * when captured whole, and nothing is when the record claims more */
	memcpy(f, eth_syn, sizeof f);
	f[16] = 0;
	f[17] = 0;
	CHECK_U64(decode_frame(DLT_EN10MB, f, sizeof f, sizeof f, &p), DECODE_TCP);
	CHECK_U64(p.payload_len, 5);
	CHECK_U64(decode_frame(DLT_EN10MB, f, sizeof f, sizeof f + 0xffff0000u, &p),
		  DECODE_MALFORMED);
	CHECK_U64(decode_frame(DLT_EN10MB, f, sizeof f, sizeof f + 1, &p), DECODE_MALFORMED);

	/* TCP data offset 4 */
	memcpy(f, eth_syn, sizeof f);
	f[14 + 20 + 12] = 0x40;
	CHECK_U64(decode_frame(DLT_EN10MB, f, sizeof f, sizeof f, &p), DECODE_MALFORMED);

	/* an option whose length runs past the header: options flagged bad,
	 * the segment itself still decoded */
	memcpy(f, eth_syn, sizeof f);
	f[14 + 20 + 20 + 1] = 40;
	CHECK_U64(decode_frame(DLT_EN10MB, f, sizeof f, sizeof f, &p), DECODE_TCP);
	CHECK(p.opt.has & TCPOPT_BAD);

	/* option length 0 must not loop */
	memcpy(f, eth_syn, sizeof f);
	f[14 + 20 + 20 + 1] = 0;
	CHECK_U64(decode_frame(DLT_EN10MB, f, sizeof f, sizeof f, &p), DECODE_TCP);
	CHECK(p.opt.has & TCPOPT_BAD);

	/* a non-first fragment carries no TCP header */
	memcpy(f, eth_syn, sizeof f);
	f[20] = 0x00;
	f[21] = 0x10;
	CHECK_U64(decode_frame(DLT_EN10MB, f, sizeof f, sizeof f, &p), DECODE_FRAGMENT);

	/* a first fragment does */
	memcpy(f, eth_syn, sizeof f);
	f[20] = 0x20;
	f[21] = 0x00;
	CHECK_U64(decode_frame(DLT_EN10MB, f, sizeof f, sizeof f, &p), DECODE_TCP);
	CHECK(p.first_fragment);

	/* UDP is not TCP */
	memcpy(f, eth_syn, sizeof f);
	f[23] = 17;
	CHECK_U64(decode_frame(DLT_EN10MB, f, sizeof f, sizeof f, &p), DECODE_NOT_TCP);

	/* ARP is not IP */
	memcpy(f, eth_syn, sizeof f);
	f[12] = 0x08;
	f[13] = 0x06;
	CHECK_U64(decode_frame(DLT_EN10MB, f, sizeof f, sizeof f, &p), DECODE_NOT_IP);

	/* unknown link type */
	CHECK_U64(decode_frame(DLT_IEEE802_11, eth_syn, sizeof eth_syn, sizeof eth_syn, &p),
		  DECODE_NOT_IP);
	CHECK(!decode_link_supported(DLT_IEEE802_11));
	CHECK(decode_link_supported(DLT_LINUX_SLL2));
}

/* Padding after the IP packet (Ethernet minimum frame size) is not payload. */
static void test_padding(void)
{
	uint8_t f[sizeof eth_syn + 10];
	struct packet p = { 0 };

	memset(f, 0xee, sizeof f);
	memcpy(f, eth_syn, sizeof eth_syn);
	CHECK_U64(decode_frame(DLT_EN10MB, f, sizeof f, sizeof f, &p), DECODE_TCP);
	CHECK_U64(p.payload_len, 5);
	CHECK_U64(p.payload_caplen, 5);
}

/* Raw IPv6 with hop-by-hop and destination options before TCP. */
static void test_ipv6_chain(void)
{
	uint8_t f[40 + 8 + 16 + 20 + 3];
	struct packet p = { 0 };
	char buf[64];
	size_t o = 0;

	memset(f, 0, sizeof f);
	f[0] = 0x60;
	f[4] = 0;
	f[5] = 8 + 16 + 20 + 3; /* payload length */
	f[6] = 0;               /* hop-by-hop */
	f[7] = 64;
	f[8] = 0xfd;
	f[23] = 1; /* fd00::1 */
	f[24] = 0xfd;
	f[39] = 2;
	o = 40;
	f[o] = 60; /* next: destination options */
	f[o + 1] = 0;
	o += 8;
	f[o] = 6; /* next: TCP */
	f[o + 1] = 1;
	o += 16;
	f[o] = 0x01;
	f[o + 1] = 0xbb; /* 443 */
	f[o + 2] = 0xc3;
	f[o + 3] = 0x50; /* 50000 */
	f[o + 4] = 0x80; /* seq 0x80000001 */
	f[o + 7] = 0x01;
	f[o + 11] = 0x09; /* ack 9 */
	f[o + 12] = 0x50;
	f[o + 13] = TCP_FIN | TCP_ACK | TCP_PSH;
	CHECK_U64(decode_frame(DLT_IPV6, f, sizeof f, sizeof f, &p), DECODE_TCP);
	decode_endpoint_str(&p, true, buf, sizeof buf);
	CHECK_STR(buf, "[fd00::1]:443");
	CHECK_U64(p.dport, 50000);
	CHECK_U64(p.seq, 0x80000001u);
	CHECK_U64(p.ack, 9);
	CHECK_U64(p.payload_len, 3);
	CHECK_U64(p.flags, TCP_FIN | TCP_ACK | TCP_PSH);
	decode_flags_str(p.flags, buf);
	CHECK_STR(buf, "FPA");

	/* an extension header claiming more than the payload */
	f[40 + 1] = 200;
	CHECK_U64(decode_frame(DLT_IPV6, f, sizeof f, sizeof f, &p), DECODE_MALFORMED);
}

/* Nesting deeper than any real tunnel stack is cut off, not followed. */
static void test_nesting_limit(void)
{
	uint8_t f[14 + 4 * 40 + 60];
	struct packet p = { 0 };

	memset(f, 0, sizeof f);
	f[12] = 0x81;
	for (size_t i = 0; i < 40; i++) {
		/* each tag names another VLAN tag as its payload */
		f[14 + i * 4 + 2] = 0x81;
		f[14 + i * 4 + 3] = 0x00;
	}
	CHECK_U64(decode_frame(DLT_EN10MB, f, sizeof f, sizeof f, &p), DECODE_MALFORMED);
	CHECK_U64(p.via_count, DECODE_MAX_VIA);
}

/* Ethernet inside Ethernet (ethertype 0x6558) levels times, plain or
 * behind 802.3 LLC/SNAP, around eth_syn's IPv4 packet; returns the
 * frame's length.  f has room for levels * 22 + sizeof eth_syn bytes. */
static size_t teb_frame(uint8_t *f, size_t levels, bool snap)
{
	static const uint8_t llc_snap[] = { 0xaa, 0xaa, 0x03, 0, 0, 0, 0x65, 0x58 };
	size_t o = 0;

	for (size_t i = 0; i < levels; i++) {
		memcpy(f + o, eth_syn, 12);
		o += 12;
		if (snap) {
			f[o++] = 0x00; /* an 802.3 length, not a type */
			f[o++] = 0x40;
			memcpy(f + o, llc_snap, sizeof llc_snap);
			o += sizeof llc_snap;
		} else {
			f[o++] = 0x65;
			f[o++] = 0x58;
		}
	}
	memcpy(f + o, eth_syn, sizeof eth_syn);
	return o + sizeof eth_syn;
}

/* Ethernet in Ethernet counts against the nesting limit like every other
 * layer, with or without SNAP, although it names no layer of its own. */
static void test_teb_nesting(void)
{
	uint8_t f[(DECODE_MAX_DEPTH + 1) * 22 + sizeof eth_syn];
	struct packet p = { 0 };
	size_t len;

	len = teb_frame(f, DECODE_MAX_DEPTH, false);
	CHECK_U64(decode_frame(DLT_EN10MB, f, (uint32_t)len, (uint32_t)len, &p), DECODE_TCP);
	CHECK_U64(p.via_count, 0);
	CHECK_U64(p.payload_len, 5);
	len = teb_frame(f, DECODE_MAX_DEPTH + 1, false);
	CHECK_U64(decode_frame(DLT_EN10MB, f, (uint32_t)len, (uint32_t)len, &p), DECODE_MALFORMED);
	CHECK_STR(p.skip_reason, "too many nested layers");
	len = teb_frame(f, DECODE_MAX_DEPTH, true);
	CHECK_U64(decode_frame(DLT_EN10MB, f, (uint32_t)len, (uint32_t)len, &p), DECODE_TCP);
	len = teb_frame(f, DECODE_MAX_DEPTH + 1, true);
	CHECK_U64(decode_frame(DLT_EN10MB, f, (uint32_t)len, (uint32_t)len, &p), DECODE_MALFORMED);
	CHECK_STR(p.skip_reason, "too many nested layers");
}

enum { DEEP_LEVELS = 18000 };

struct deep_job {
	const uint8_t *frame;
	size_t len;
	enum decode_result r;
};

static void *decode_deep(void *arg)
{
	struct deep_job *j = arg;
	struct packet p = { 0 };

	j->r = decode_frame(DLT_EN10MB, j->frame, (uint32_t)j->len, (uint32_t)j->len, &p);
	return NULL;
}

/* 18,000 nested Ethernet headers, decoded on a 128 KiB stack: one frame
 * per level would overflow it long before the end. */
static void test_teb_deep(void)
{
	for (int snap = 0; snap <= 1; snap++) {
		uint8_t *f = malloc(DEEP_LEVELS * 22 + sizeof eth_syn);
		struct deep_job j = { .frame = f, .r = DECODE_TCP };
		pthread_attr_t attr;
		pthread_t t;

		CHECK(f != NULL);
		if (f == NULL)
			return;
		j.len = teb_frame(f, DEEP_LEVELS, snap != 0);
		CHECK(pthread_attr_init(&attr) == 0);
		CHECK(pthread_attr_setstacksize(&attr, 128 * 1024) == 0);
		CHECK(pthread_create(&t, &attr, decode_deep, &j) == 0);
		pthread_join(t, NULL);
		pthread_attr_destroy(&attr);
		CHECK_U64(j.r, DECODE_MALFORMED);
		free(f);
	}
}

/* BSD loopback headers in both byte orders. */
static void test_null_loop(void)
{
	uint8_t f[4 + sizeof eth_syn - 14];
	struct packet p = { 0 };

	memcpy(f + 4, eth_syn + 14, sizeof eth_syn - 14);
	f[0] = 2; f[1] = 0; f[2] = 0; f[3] = 0; /* little-endian AF_INET */
	CHECK_U64(decode_frame(DLT_NULL, f, sizeof f, sizeof f, &p), DECODE_TCP);
	f[0] = 0; f[1] = 0; f[2] = 0; f[3] = 2; /* big-endian AF_INET */
	CHECK_U64(decode_frame(DLT_NULL, f, sizeof f, sizeof f, &p), DECODE_TCP);
	CHECK_U64(decode_frame(DLT_LOOP, f, sizeof f, sizeof f, &p), DECODE_TCP);
	f[3] = 7;
	CHECK_U64(decode_frame(DLT_LOOP, f, sizeof f, sizeof f, &p), DECODE_NOT_IP);
}

int main(void)
{
	test_ethernet_ipv4();
	test_every_truncation();
	test_bad_headers();
	test_padding();
	test_ipv6_chain();
	test_nesting_limit();
	test_teb_nesting();
	test_teb_deep();
	test_null_loop();
	return check_done("test-decode");
}
