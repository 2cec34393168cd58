/* test-tcpstate: drive the state machine packet by packet, as in
 * Suricata's stream tests, and check both endpoints after each step. */
#include "config.h"

#include <string.h>

#include "check.h"
#include "classify.h"
#include "tcpstate.h"

static struct tcp_conn conn;
static uint64_t num;

/* The segment step() sends: a fresh IP ID each (as Linux and Windows
 * number them), 1 ms apart, TTL 64. */
static struct packet segment(uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len)
{
	struct packet p = { 0 };

	p.num = ++num;
	p.ts_ns = num * 1000000u;
	p.family = 4;
	p.ttl = 64;
	p.ip_id = (uint16_t)num;
	p.flags = flags;
	p.seq = seq;
	p.ack = ack;
	p.payload_len = len;
	p.win = 1000;
	return p;
}

static void step_packet(unsigned dir, const struct packet *p)
{
	if (p->num == 1) {
		tcp_conn_release(&conn); /* the connection before, if any */
		tcp_conn_init(&conn, p);
	}
	tcp_conn_step(&conn, dir, p);
}

/* Send one segment from side dir with the given flags, seq, ack, length. */
static void step(unsigned dir, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len)
{
	struct packet p = segment(flags, seq, ack, len);

	step_packet(dir, &p);
}

/* Capture the same packet again dt_ns later, with the TTL lower by hops:
 * what a capture on both sides of a router shows. */
static void copy_of(unsigned dir, struct packet p, uint64_t dt_ns, uint8_t hops)
{
	p.num = ++num;
	p.ts_ns += dt_ns;
	p.ttl = (uint8_t)(p.ttl - hops);
	step_packet(dir, &p);
}

static void states(uint8_t c, uint8_t s, int line)
{
	check_u64(conn.ep[0].state, c, __FILE__, line, "client state");
	check_u64(conn.ep[1].state, s, __FILE__, line, "server state");
}

/* Client ISN near 2^32 so the close wraps around zero. */
static const uint32_t C = 0xfffffff0u, S = 1000;

static void handshake(void)
{
	num = 0;
	step(0, TCP_SYN, C, 0, 0);
	states(TCPS_SYN_SENT, TCPS_UNKNOWN, __LINE__);
	step(1, TCP_SYN | TCP_ACK, S, C + 1, 0);
	states(TCPS_ESTABLISHED, TCPS_SYN_RECEIVED, __LINE__);
	step(0, TCP_ACK, C + 1, S + 1, 0);
	states(TCPS_ESTABLISHED, TCPS_ESTABLISHED, __LINE__);
	step(0, TCP_ACK | TCP_PSH, C + 1, S + 1, 100); /* wraps past 2^32 */
	step(1, TCP_ACK, S + 1, C + 101, 0);
}

static void test_four_way(void)
{
	struct close_verdict v;

	handshake();
	step(0, TCP_FIN | TCP_ACK, C + 101, S + 1, 0);
	states(TCPS_FIN_WAIT_1, TCPS_CLOSE_WAIT, __LINE__);
	CHECK_U64(conn.ep[0].fin->seq, C + 101);
	step(1, TCP_ACK, S + 1, C + 102, 0);
	states(TCPS_FIN_WAIT_2, TCPS_CLOSE_WAIT, __LINE__);
	CHECK(conn.ep[0].fin_acked);
	CHECK_U64(conn.ep[0].fin->ack_pkt, 7);
	step(1, TCP_FIN | TCP_ACK, S + 1, C + 102, 0);
	states(TCPS_TIME_WAIT, TCPS_LAST_ACK, __LINE__);
	step(0, TCP_ACK, C + 102, S + 2, 0);
	states(TCPS_TIME_WAIT, TCPS_CLOSED, __LINE__);
	v = classify_close(&conn);
	CHECK_U64(v.cls, CLOSE_CLEAN);
	CHECK_U64(v.active_closer, 0);
	CHECK(!v.three_way);
	/* TIME_WAIT ends by its timer in capture time, not before */
	tcp_conn_expire(&conn, 9 * 1000000u + 59ull * 1000000000u, 60ull * 1000000000u);
	states(TCPS_TIME_WAIT, TCPS_CLOSED, __LINE__);
	tcp_conn_expire(&conn, 8 * 1000000u + 60ull * 1000000000u, 60ull * 1000000000u);
	states(TCPS_CLOSED, TCPS_CLOSED, __LINE__);
}

static void test_three_way(void)
{
	handshake();
	step(0, TCP_FIN | TCP_ACK, C + 101, S + 1, 0);
	step(1, TCP_FIN | TCP_ACK, S + 1, C + 102, 0); /* ack and FIN together */
	states(TCPS_TIME_WAIT, TCPS_LAST_ACK, __LINE__);
	step(0, TCP_ACK, C + 102, S + 2, 0);
	CHECK(classify_close(&conn).three_way);
}

static void test_simultaneous(void)
{
	handshake();
	step(0, TCP_FIN | TCP_ACK, C + 101, S + 1, 0);
	/* the server's FIN does not ack the client's: it left first */
	step(1, TCP_FIN | TCP_ACK, S + 1, C + 101, 0);
	states(TCPS_CLOSING, TCPS_FIN_WAIT_1, __LINE__);
	step(0, TCP_ACK, C + 102, S + 2, 0);
	step(1, TCP_ACK, S + 2, C + 102, 0);
	states(TCPS_TIME_WAIT, TCPS_TIME_WAIT, __LINE__);
	CHECK_U64(classify_close(&conn).cls, CLOSE_SIMULTANEOUS);
}

static void test_fin_retransmit_and_bad_ack(void)
{
	handshake();
	step(0, TCP_FIN | TCP_ACK, C + 101, S + 1, 0);
	step(0, TCP_FIN | TCP_ACK, C + 101, S + 1, 0);
	CHECK_U64(conn.ep[0].fin->count, 2);
	/* the peer acks past FIN + 1 */
	step(1, TCP_ACK, S + 1, C + 103, 0);
	CHECK(conn.ep[0].fin_acked);
	CHECK_U64(conn.events[conn.event_count - 1].type, EV_FIN_ACK_BEYOND);
	/* FIN with data after it: data beyond the stream end */
	step(0, TCP_ACK, C + 102, S + 1, 10);
	CHECK_U64(conn.events[conn.event_count - 1].type, EV_DATA_AFTER_FIN);
}

static void test_rst(void)
{
	handshake();
	/* out of window: ignored (RFC 5961), the connection goes on */
	step(1, TCP_RST, S + 5000, 0, 0);
	CHECK_U64(conn.ep[0].state, TCPS_ESTABLISHED);
	CHECK(!conn.reset);
	/* abort: RST|ACK at the sender's next sequence number */
	step(0, TCP_RST | TCP_ACK, C + 101, S + 1, 0);
	states(TCPS_CLOSED, TCPS_CLOSED, __LINE__);
	CHECK(conn.reset);
	CHECK_U64(conn.ep[0].rst_kind, RST_ABORT);
	CHECK_U64(classify_close(&conn).cls, CLOSE_ABORT);
}

/* Verdicts come from the endpoint records, not the bounded event log:
 * fill the log with gaps and FIN retransmissions, then end with a RST and
 * with a half-close; neither must change the verdict. */
static void test_full_event_log(void)
{
	struct close_verdict v;

	handshake();
	for (unsigned i = 0; i < 3; i++) {
		step(0, TCP_ACK, C + 201 + 200 * i, S + 1, 100); /* past a hole */
		step(1, TCP_ACK, S + 201 + 200 * i, C + 101, 100);
	}
	for (unsigned i = 0; i < 6; i++)
		step(0, TCP_FIN | TCP_ACK, C + 701, S + 601, 0);
	step(1, TCP_RST | TCP_ACK, S + 601, C + 701, 0);
	CHECK(conn.events_dropped > 0); /* the RST's event did not fit */
	v = classify_close(&conn);
	CHECK_U64(v.cls, CLOSE_RESET_AFTER);
	CHECK_U64(v.active_closer, 0);

	handshake();
	for (unsigned i = 0; i < 3; i++) {
		step(0, TCP_ACK, C + 201 + 200 * i, S + 1, 100);
		step(1, TCP_ACK, S + 201 + 200 * i, C + 101, 100);
	}
	for (unsigned i = 0; i < 5; i++)
		step(0, TCP_FIN | TCP_ACK, C + 701, S + 601, 0);
	step(1, TCP_ACK, S + 601, C + 702, 0);
	for (unsigned i = 0; i < 3; i++) {
		step(1, TCP_ACK | TCP_PSH, S + 601 + 100 * i, C + 702, 100);
		step(0, TCP_ACK, C + 702, S + 701 + 100 * i, 0);
	}
	step(1, TCP_FIN | TCP_ACK, S + 901, C + 702, 0);
	step(0, TCP_ACK, C + 702, S + 902, 0);
	CHECK(conn.events_dropped > 0);
	v = classify_close(&conn);
	CHECK_U64(v.cls, CLOSE_HALF);
	CHECK_U64(v.active_closer, 0);
}

/* A FIN sent 70 001 times logs 70 001 events, 12 kept: the count of the
 * others must not wrap (it was 16 bits, and read 4 453 here). */
static void test_events_dropped_count(void)
{
	handshake();
	CHECK_U64(conn.event_count, 0);
	for (unsigned i = 0; i < 70001; i++)
		step(0, TCP_FIN | TCP_ACK, C + 101, S + 1, 0);
	CHECK_U64(conn.event_count, TCP_EVENTS_MAX);
	CHECK_U64(conn.events_dropped, 70001 - TCP_EVENTS_MAX);
	CHECK_U64(conn.ep[0].fin->count, 70001);
}

static void test_refused(void)
{
	num = 0;
	step(0, TCP_SYN, C, 0, 0);
	step(1, TCP_RST | TCP_ACK, 0, C + 1, 0);
	states(TCPS_CLOSED, TCPS_CLOSED, __LINE__);
	CHECK_U64(classify_close(&conn).cls, CLOSE_REFUSED);
}

/* The handshake's two legs place the capture point. */
static void test_capture_point(void)
{
	struct packet p = { .family = 4 };
	struct capture_point_verdict v;
	static const struct {
		uint64_t synack_ms, ack_ms;
		enum capture_point want;
	} cases[] = {
		{ 80, 81, CAPTURE_NEAR_CLIENT },  /* 80 ms round trip, then the ACK at once */
		{ 1, 81, CAPTURE_NEAR_SERVER },   /* SYN-ACK at once, the ACK 80 ms later */
		{ 30, 80, CAPTURE_BETWEEN },      /* 30 ms one way, 50 ms the other */
	};

	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tcp_conn_release(&conn);
		p.flags = TCP_SYN;
		p.seq = C;
		p.ts_ns = 1000000000u;
		tcp_conn_init(&conn, &p);
		tcp_conn_step(&conn, 0, &p);
		p.flags = TCP_SYN | TCP_ACK;
		p.seq = S;
		p.ack = C + 1;
		p.ts_ns = 1000000000u + cases[i].synack_ms * 1000000u;
		tcp_conn_step(&conn, 1, &p);
		p.flags = TCP_ACK;
		p.seq = C + 1;
		p.ack = S + 1;
		p.ts_ns = 1000000000u + cases[i].ack_ms * 1000000u;
		tcp_conn_step(&conn, 0, &p);
		v = classify_capture_point(&conn);
		CHECK_U64(v.where, cases[i].want);
		CHECK_U64(v.syn_to_synack_ns, cases[i].synack_ms * 1000000u);
	}
	/* Sub-millisecond legs (one host, a LAN) tell nothing. */
	handshake();
	CHECK_U64(classify_capture_point(&conn).where, CAPTURE_UNKNOWN);
}

static void test_mid_stream(void)
{
	num = 0;
	step(1, TCP_ACK | TCP_PSH, S, C, 50);
	CHECK(conn.mid_stream);
	states(TCPS_ESTABLISHED, TCPS_ESTABLISHED, __LINE__);
}

/* A packet captured two or three times is one packet: no FIN
 * retransmission, no final-ack-lost, nothing counted twice. */
static void test_capture_copies(void)
{
	struct packet p;

	handshake();
	p = segment(TCP_ACK | TCP_PSH, C + 101, S + 1, 50);
	step_packet(0, &p);
	copy_of(0, p, 1000, 1); /* the other side of a router, 1 us later */
	CHECK_U64(conn.ep[0].data_bytes, 150);
	CHECK_U64(conn.ep[0].retransmits, 0);
	step(1, TCP_ACK, S + 1, C + 151, 0);
	step(0, TCP_FIN | TCP_ACK, C + 151, S + 1, 0);
	step(1, TCP_ACK, S + 1, C + 152, 0);
	p = segment(TCP_FIN | TCP_ACK, S + 1, C + 152, 0);
	step_packet(1, &p);
	copy_of(1, p, 0, 0);
	copy_of(1, p, 0, 0);
	CHECK_U64(conn.ep[1].fin->count, 1);
	CHECK_U64(conn.ep[1].fin->rexmit_pkt, 0);
	CHECK_U64(conn.ep[1].odd->copies, 2);
	CHECK_U64(conn.ep[1].odd->copy_pkt, p.num + 1);
	CHECK_U64(conn.ep[1].packets, 5);
	CHECK_U64(conn.ep[0].odd->copies, 1);
	step(0, TCP_ACK, C + 152, S + 2, 0);
	states(TCPS_TIME_WAIT, TCPS_CLOSED, __LINE__);

	/* A retransmission is not a copy: 200 ms later (RTO), or a new IP ID. */
	handshake();
	p = segment(TCP_FIN | TCP_ACK, C + 101, S + 1, 0);
	step_packet(0, &p);
	copy_of(0, p, 200000000u, 0);
	CHECK_U64(conn.ep[0].fin->count, 2);
	p.ip_id++;
	copy_of(0, p, 1000, 0);
	CHECK_U64(conn.ep[0].fin->count, 3);
	CHECK_U64(conn.ep[0].odd->copies, 0);

	/* IP ID 0 tells nothing: a repeat after the peer spoke is the
	 * sender's own (a fast retransmit), not a copy. */
	handshake();
	p = segment(TCP_ACK | TCP_PSH, C + 101, S + 1, 10);
	p.ip_id = 0;
	step_packet(0, &p);
	step(1, TCP_ACK, S + 1, C + 101, 0);
	copy_of(0, p, 500000u, 0);
	CHECK_U64(conn.ep[0].retransmits, 1);
	CHECK_U64(conn.ep[0].odd->copies, 0);
	copy_of(0, p, 500000u, 0); /* ... and right after its own repeat it is a copy */
	CHECK_U64(conn.ep[0].odd->copies, 1);
	/* a keepalive captured twice is one probe */
	step(1, TCP_ACK, S + 1, C + 111, 0);
	p = segment(TCP_ACK, C + 110, S + 1, 0);
	step_packet(0, &p);
	copy_of(0, p, 10, 1);
	CHECK_U64(conn.ep[0].odd->keepalives, 1);
}

/* A minimum Ethernet frame whose IP length covers n bytes of padding. */
static struct packet padded(uint8_t flags, uint32_t seq, uint32_t ack, uint32_t n)
{
	struct packet p = segment(flags, seq, ack, n);

	p.wirelen = 60;
	p.ip_fills_frame = true;
	p.head_len = (uint8_t)n; /* zeros, from segment() */
	return p;
}

/* Padding the IP length counts is not data: the FIN after it is where
 * the peer acks it, and nothing is sent after the FIN. */
static void test_padding(void)
{
	struct packet p;

	handshake();
	p = padded(TCP_ACK, C + 101, S + 1, 6);
	step_packet(0, &p);
	CHECK_U64(conn.ep[0].data_bytes, 100);
	CHECK_U64(conn.ep[0].snd_nxt, C + 101);
	p = padded(TCP_FIN | TCP_ACK, C + 101, S + 1, 6);
	step_packet(0, &p);
	CHECK_U64(conn.ep[0].fin->seq, C + 101);
	step(1, TCP_FIN | TCP_ACK, S + 1, C + 102, 0);
	p = padded(TCP_ACK, C + 102, S + 2, 6);
	step_packet(0, &p);
	states(TCPS_TIME_WAIT, TCPS_CLOSED, __LINE__);
	p = padded(TCP_FIN | TCP_ACK, C + 101, S + 2, 6); /* the FIN again, padded */
	step_packet(0, &p);
	CHECK_U64(conn.ep[0].fin->count, 2);
	CHECK_U64(conn.ep[0].odd->pad_segments, 4);
	CHECK_U64(conn.ep[0].odd->pad_pkt, 6);
	for (unsigned i = 0; i < conn.event_count; i++)
		CHECK(conn.events[i].type != EV_DATA_AFTER_FIN);

	/* Real bytes stay data: pushed, not zero, or acknowledged after all. */
	handshake();
	p = padded(TCP_ACK | TCP_PSH, C + 101, S + 1, 6);
	step_packet(0, &p);
	p = padded(TCP_ACK, C + 107, S + 1, 6);
	p.head[3] = 'x';
	step_packet(0, &p);
	CHECK_U64(conn.ep[0].data_bytes, 112);
	p = padded(TCP_ACK, C + 113, S + 1, 2);
	step_packet(0, &p);
	CHECK_U64(conn.ep[0].odd->pad_segments, 1);
	step(1, TCP_ACK, S + 1, C + 115, 0);
	CHECK_U64(conn.ep[0].odd->pad_segments, 0);
	CHECK_U64(conn.ep[0].data_bytes, 114);
	CHECK_U64(conn.ep[0].snd_nxt, C + 115);
	CHECK_U64(conn.ep[1].odd->acks_unseen, 0);
	/* a keepalive's old byte is below the stream end: a probe, not padding */
	p = padded(TCP_ACK, C + 114, S + 1, 1);
	step_packet(0, &p);
	CHECK_U64(conn.ep[0].odd->keepalives, 1);
	CHECK_U64(conn.ep[0].odd->pad_segments, 0);
}

/* A FIN at the SYN's seq before any SYN-ACK gives up the connect: no
 * byte lies beyond it. */
static void test_fin_in_syn_sent(void)
{
	num = 0;
	step(0, TCP_SYN, C, 0, 0);
	step(0, TCP_FIN, C, 0, 0);
	CHECK(conn.ep[0].fin_before_handshake);
	CHECK_U64(conn.ep[0].fin->seq, C);
	step(1, TCP_SYN | TCP_ACK, S, C + 1, 0);
	step(0, TCP_FIN | TCP_ACK, C, S + 1, 0);
	CHECK_U64(conn.ep[0].fin->count, 2);
	/* after the handshake a FIN is an ordinary one */
	handshake();
	step(0, TCP_FIN | TCP_ACK, C + 101, S + 1, 0);
	CHECK(!conn.ep[0].fin_before_handshake);
}

/* A FIN past the stream end is a gap (the bytes before it were not
 * captured); bytes that fill it later were reordered, not lost. */
static void test_fin_gap(void)
{
	handshake();
	step(1, TCP_FIN | TCP_ACK, S + 2903, C + 101, 0);
	CHECK_U64(conn.ep[1].odd->gaps, 1);
	CHECK_U64(conn.events[conn.event_count - 2].type, EV_GAP);
	CHECK_U64(conn.ep[1].fin->seq, S + 2903);

	handshake();
	step(1, TCP_FIN | TCP_ACK, S + 14, C + 101, 0);
	step(1, TCP_ACK | TCP_PSH, S + 1, C + 101, 13);
	CHECK_U64(conn.ep[1].odd->gaps, 0);
	CHECK_U64(conn.ep[1].retransmits, 0);
	CHECK_U64(conn.ep[1].data_bytes, 13);
	for (unsigned i = 0; i < conn.event_count; i++)
		CHECK(conn.events[i].type != EV_GAP);
}

/* The RST that ended it is the first one acted on, not the first sent:
 * after both FINs a RST below the window is ignored, the next one is not
 * (suricata-verify tls-fin-close-data-01 debug-s13 19-24). */
static void test_reset_after_ignored_rst(void)
{
	struct close_verdict v;

	handshake();
	step(0, TCP_FIN | TCP_ACK, C + 101, S + 1, 0);
	step(1, TCP_FIN | TCP_ACK, S + 1, C + 101, 0); /* crossed */
	step(0, TCP_ACK, C + 102, S + 2, 0);
	step(1, TCP_RST, S + 1, 0, 0); /* the FIN's seq: below what the client acked */
	CHECK_U64(conn.ep[1].rst->ignored_pkt, 9);
	step(1, TCP_RST, S + 2, 0, 0);
	CHECK_U64(conn.ep[1].rst->accept_pkt, 10);
	CHECK_U64(classify_resetter(&conn), 1);
	v = classify_close(&conn);
	CHECK_U64(v.cls, CLOSE_RESET_AFTER);
	CHECK_U64(v.active_closer, 0);
}

/* What a RST carries, and who sent it: a TTL unlike every data segment
 * of its claimed sender; in SYN_SENT only a RST acking the SYN counts. */
static void test_rst_facts(void)
{
	struct packet p;

	handshake(); /* client TTL 64 throughout */
	step(0, TCP_ACK | TCP_PSH, C + 101, S + 1, 10);
	p = segment(TCP_RST | TCP_ACK, C + 111, S + 1, 13);
	memcpy(p.head, "Access Denied", 13);
	p.head_len = 13;
	p.ttl = 251;
	step_packet(0, &p);
	CHECK_U64(conn.ep[0].rst->data_pkt, p.num);
	CHECK_U64(conn.ep[0].rst->data_len, 13);
	CHECK(memcmp(conn.ep[0].rst->excerpt, "Access Denied", 13) == 0);
	CHECK_U64(conn.ep[0].rst->ttl, 251);
	CHECK_U64(conn.ep[0].data_ttl_min, 64);
	CHECK(tcp_endpoint_rst_forged(&conn.ep[0]));

	/* the same with the sender's own TTL, or a few hops off: its own */
	handshake();
	step(0, TCP_ACK | TCP_PSH, C + 101, S + 1, 10);
	p = segment(TCP_RST | TCP_ACK, C + 111, S + 1, 0);
	p.ttl = 60;
	step_packet(0, &p);
	CHECK(!tcp_endpoint_rst_forged(&conn.ep[0]));

	/* SYN_SENT: a RST acking the SYN's seq, not seq + 1, is ignored */
	num = 0;
	step(0, TCP_SYN, C, 0, 0);
	step(1, TCP_RST | TCP_ACK, 0, C, 0);
	CHECK_U64(conn.ep[0].state, TCPS_SYN_SENT);
	CHECK_U64(conn.ep[1].rst->ignored_pkt, 2);
	CHECK(conn.ep[1].rst->ignored_syn_sent);
	step(1, TCP_SYN | TCP_ACK, S, C + 1, 0);
	CHECK_U64(conn.ep[0].state, TCPS_ESTABLISHED);
}

/* A FIN sent at ms after the start, from side dir. */
static void fin_at(unsigned dir, uint32_t seq, uint32_t ack, uint64_t ms)
{
	struct packet p = segment(TCP_FIN | TCP_ACK, seq, ack, 0);

	p.ts_ns = ms * 1000000u;
	step_packet(dir, &p);
}

/* Connections that only an endpoint's timer ends: a FIN_WAIT_1 give-up
 * and LAST_ACK retries with the peer silent.  Running until the retries
 * have stopped: silence over twice the last interval and over
 * TCP_RTO_MAX_S, for a host that slept resumes them late; none when the
 * peer spoke after the first FIN, or for a connection still opening. */
static void test_timers(void)
{
	const uint64_t ms = 1000000u, rto_max = TCP_RTO_MAX_S * 1000u;

	handshake(); /* packets 1 to 5, 1 ms apart */
	fin_at(0, C + 101, S + 1, 10);
	fin_at(0, C + 101, S + 1, 210);
	CHECK_U64(tcp_conn_timers(&conn, 5000 * ms), TCP_TIMERS_NONE); /* two copies */
	fin_at(0, C + 101, S + 1, 610); /* intervals 200, 400 ms */
	CHECK_U64(tcp_conn_timers(&conn, 1411 * ms), TCP_TIMERS_RUNNING);
	CHECK_U64(tcp_conn_timers(&conn, (610 + rto_max) * ms), TCP_TIMERS_RUNNING);
	CHECK_U64(tcp_conn_timers(&conn, (611 + rto_max) * ms), TCP_TIMERS_DONE);
	/* a last interval of 100 s: twice it decides, not TCP_RTO_MAX_S */
	fin_at(0, C + 101, S + 1, 100610);
	CHECK_U64(tcp_conn_timers(&conn, (100610 + 2 * 100000) * ms), TCP_TIMERS_RUNNING);
	CHECK_U64(tcp_conn_timers(&conn, (100611 + 2 * 100000) * ms), TCP_TIMERS_DONE);
	/* the same, but the server answered the first FIN with data */
	handshake();
	fin_at(0, C + 101, S + 1, 10);
	{
		struct packet p = segment(TCP_ACK | TCP_PSH, S + 1, C + 101, 10);

		p.ts_ns = 20 * ms;
		step_packet(1, &p);
	}
	fin_at(0, C + 101, S + 1, 210);
	fin_at(0, C + 101, S + 1, 610);
	CHECK_U64(tcp_conn_timers(&conn, 3600000 * ms), TCP_TIMERS_NONE);

	/* LAST_ACK: the client closed, the server's FIN is never answered */
	handshake();
	step(0, TCP_FIN | TCP_ACK, C + 101, S + 1, 0);
	step(1, TCP_ACK, S + 1, C + 102, 0);
	fin_at(1, S + 1, C + 102, 10);
	fin_at(1, S + 1, C + 102, 310);
	fin_at(1, S + 1, C + 102, 910); /* 300, 600 ms */
	states(TCPS_TIME_WAIT, TCPS_LAST_ACK, __LINE__);
	CHECK_U64(tcp_conn_timers(&conn, (910 + rto_max) * ms), TCP_TIMERS_RUNNING);
	CHECK_U64(tcp_conn_timers(&conn, (911 + rto_max) * ms), TCP_TIMERS_DONE);
	/* a connection still opening is no one's timer */
	handshake();
	CHECK_U64(tcp_conn_timers(&conn, 3600000 * ms), TCP_TIMERS_NONE);
}

int main(void)
{
	test_four_way();
	test_three_way();
	test_simultaneous();
	test_fin_retransmit_and_bad_ack();
	test_rst();
	test_refused();
	test_full_event_log();
	test_events_dropped_count();
	test_capture_point();
	test_capture_copies();
	test_padding();
	test_fin_in_syn_sent();
	test_fin_gap();
	test_reset_after_ignored_rst();
	test_rst_facts();
	test_mid_stream();
	test_timers();
	return check_done("test-tcpstate");
}
