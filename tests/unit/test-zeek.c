/* test-zeek: drive Zeek's conn_state and history rules packet by packet
 * and check the exact strings Zeek's conn.log would hold. */
#include "config.h"

#include <string.h>

#include "check.h"
#include "zeek.h"

static struct zeek_conn z;
static uint64_t num, now;
static uint16_t port[2]; /* side 0, side 1 */

static const uint64_t MS = 1000000u, SEC = 1000000000u;

/* A new connection: side 0 on port p0, side 1 on port p1. */
static void reset(uint16_t p0, uint16_t p1)
{
	zeek_conn_free(&z);
	num = 0;
	now = 1700000000u * SEC;
	port[0] = p0;
	port[1] = p1;
}

/* Send one segment from side dir, gap ns after the previous one. */
static void send_after(uint64_t gap, unsigned dir, uint8_t flags, uint32_t seq, uint32_t ack,
		       uint32_t len, uint16_t win)
{
	struct packet p = { 0 };

	now += gap;
	p.num = ++num;
	p.ts_ns = now;
	p.family = 4;
	p.sport = port[dir];
	p.dport = port[!dir];
	p.flags = flags;
	p.seq = seq;
	p.ack = ack;
	p.win = win;
	p.payload_len = p.payload_caplen = len;
	zeek_step(&z, dir, &p);
}

static void send(unsigned dir, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len)
{
	send_after(MS, dir, flags, seq, ack, len, 1000);
}

/* Piece i of the flow has this conn_state, history and originator side. */
static void piece(unsigned i, const char *state, const char *history, unsigned orig, int line)
{
	struct zeek_piece p;

	if (!zeek_piece_get(&z, i, &p)) {
		check_report(0, __FILE__, line, "no such piece");
		return;
	}
	check_str(zeek_conn_state_name(p.conn_state), state, __FILE__, line, "conn_state");
	check_str(p.history, history, __FILE__, line, "history");
	check_u64(p.orig_side, orig, __FILE__, line, "originator side");
}

static void pieces(unsigned n, int line)
{
	check_u64(zeek_piece_count(&z), n, __FILE__, line, "pieces");
}

enum { C = 1000, S = 5000, A = TCP_ACK, PA = TCP_PSH | TCP_ACK };
enum { CLIENT_PORT = 40000, SERVER_PORT = 8765, HTTP = 80 };

static void handshake(void)
{
	send(0, TCP_SYN, C, 0, 0);
	send(1, TCP_SYN | A, S, C + 1, 0);
	send(0, A, C + 1, S + 1, 0);
}

static void test_sf(void)
{
	reset(CLIENT_PORT, SERVER_PORT);
	handshake();
	send(0, PA, C + 1, S + 1, 10);
	send(1, A, S + 1, C + 11, 0);
	send(1, PA, S + 1, C + 11, 5);
	send(0, A, C + 11, S + 6, 0);
	send(0, TCP_FIN | A, C + 11, S + 6, 0);
	send(1, A, S + 6, C + 12, 0);
	send(1, TCP_FIN | A, S + 6, C + 12, 0);
	send(0, A, C + 12, S + 7, 0);
	pieces(1, __LINE__);
	piece(0, "SF", "ShADadFf", 0, __LINE__);
	CHECK_STR(zeek_conn_state(&z), "SF");
	CHECK_STR(zeek_history(&z), "ShADadFf");
	CHECK_U64(zeek_orig_side(&z), 0);
	/* the final ack is no retransmission and no new letter */
	send(0, A, C + 12, S + 7, 0);
	piece(0, "SF", "ShADadFf", 0, __LINE__);
}

static void test_s0(void)
{
	reset(CLIENT_PORT, SERVER_PORT);
	send(0, TCP_SYN, C, 0, 0);
	send_after(1 * SEC, 0, TCP_SYN, C, 0, 0, 1000); /* same SYN again: no new S */
	pieces(1, __LINE__);
	piece(0, "S0", "S", 0, __LINE__);
}

static void test_rej(void)
{
	reset(CLIENT_PORT, SERVER_PORT);
	send(0, TCP_SYN, C, 0, 0);
	send(1, TCP_RST | A, 0, C + 1, 0);
	piece(0, "REJ", "Sr", 0, __LINE__);
	/* the client tries the same SYN again: Zeek logs a second REJ, since
	 * a SYN on a closed connection starts a new one */
	send_after(3 * SEC, 0, TCP_SYN, C, 0, 0, 1000);
	send(1, TCP_RST | A, 0, C + 1, 0);
	pieces(2, __LINE__);
	piece(0, "REJ", "Sr", 0, __LINE__);
	piece(1, "REJ", "Sr", 0, __LINE__);
}

static void test_rsto_rstr(void)
{
	reset(CLIENT_PORT, SERVER_PORT);
	handshake();
	send(0, TCP_RST | A, C + 1, S + 1, 0);
	piece(0, "RSTO", "ShAR", 0, __LINE__);

	reset(CLIENT_PORT, SERVER_PORT);
	handshake();
	send(0, PA, C + 1, S + 1, 10);
	send(1, TCP_RST | A, S + 1, C + 11, 0);
	piece(0, "RSTR", "ShADr", 0, __LINE__);
}

static void test_rstos0(void)
{
	reset(CLIENT_PORT, SERVER_PORT);
	send(0, TCP_SYN, C, 0, 0);
	send(1, A, S, C + 1, 0); /* an ack before any SYN-ACK */
	send(0, TCP_RST, C + 1, 0, 0);
	piece(0, "RSTOS0", "SaR", 0, __LINE__);

	/* a FIN between the SYN and the RST is no longer a bare attempt */
	reset(CLIENT_PORT, SERVER_PORT);
	send(0, TCP_SYN, C, 0, 0);
	send(0, TCP_FIN, C + 1, 0, 0);
	send(0, TCP_RST, C + 2, 0, 0);
	piece(0, "OTH", "SFR", 0, __LINE__);
}

static void test_rstrh_shr(void)
{
	/* a SYN-ACK from a well-known port first: the sender is the server */
	reset(HTTP, CLIENT_PORT);
	send(0, TCP_SYN | A, S, C + 1, 0);
	send(0, TCP_RST, S + 1, 0, 0);
	piece(0, "RSTRH", "^hr", 1, __LINE__);

	reset(HTTP, CLIENT_PORT);
	send(0, TCP_SYN | A, S, C + 1, 0);
	send(0, TCP_FIN | A, S + 1, C + 1, 0);
	piece(0, "SHR", "^hf", 1, __LINE__);
}

static void test_sh(void)
{
	reset(CLIENT_PORT, SERVER_PORT);
	send(0, TCP_SYN, C, 0, 0);
	send(0, A, C + 1, S + 1, 0);
	send(0, PA, C + 1, S + 1, 20);
	send(0, TCP_FIN | A, C + 21, S + 1, 0);
	piece(0, "SH", "SADF", 0, __LINE__);
}

static void test_oth_s1_s2_s3(void)
{
	/* mid-stream, no SYN seen */
	reset(CLIENT_PORT, SERVER_PORT);
	send(0, PA, C, S, 10);
	send(1, A, S, C + 10, 0);
	piece(0, "OTH", "Da", 0, __LINE__);

	reset(CLIENT_PORT, SERVER_PORT);
	handshake();
	send(0, PA, C + 1, S + 1, 10);
	send(1, PA, S + 1, C + 11, 10);
	piece(0, "S1", "ShADd", 0, __LINE__);

	reset(CLIENT_PORT, SERVER_PORT);
	handshake();
	send(0, TCP_FIN | A, C + 1, S + 1, 0);
	piece(0, "S2", "ShAF", 0, __LINE__);

	reset(CLIENT_PORT, SERVER_PORT);
	handshake();
	send(1, TCP_FIN | A, S + 1, C + 1, 0);
	piece(0, "S3", "ShAf", 0, __LINE__);
}

static void test_fin_then_rst(void)
{
	/* a FIN answered by a FIN, then a RST: still a normal close */
	reset(CLIENT_PORT, SERVER_PORT);
	handshake();
	send(0, TCP_FIN | A, C + 1, S + 1, 0);
	send(1, TCP_FIN | A, S + 1, C + 2, 0);
	send(1, TCP_RST, S + 2, 0, 0);
	piece(0, "SF", "ShAFfr", 0, __LINE__);

	/* FIN, then RST from the same side before the peer closes */
	reset(CLIENT_PORT, SERVER_PORT);
	handshake();
	send(0, TCP_FIN | A, C + 1, S + 1, 0);
	send(1, A, S + 1, C + 2, 0);
	send(0, TCP_RST, C + 2, 0, 0);
	piece(0, "RSTO", "ShAFaR", 0, __LINE__);
}

static void test_scaled_letters(void)
{
	/* retransmissions: T at the 1st and the 10th */
	reset(CLIENT_PORT, SERVER_PORT);
	handshake();
	send(0, PA, C + 1, S + 1, 10);
	for (int i = 0; i < 10; i++)
		send(0, PA, C + 1, S + 1, 10);
	piece(0, "S1", "ShADTT", 0, __LINE__);

	/* a zero window from the server */
	reset(CLIENT_PORT, SERVER_PORT);
	handshake();
	send(0, PA, C + 1, S + 1, 10);
	send_after(MS, 1, A, S + 1, C + 11, 0, 0);
	piece(0, "S1", "ShADaw", 0, __LINE__);

	/* the server acks bytes the capture never showed: a content gap */
	reset(CLIENT_PORT, SERVER_PORT);
	handshake();
	send(0, PA, C + 1, S + 1, 10);
	send(1, A, S + 1, C + 31, 0);
	piece(0, "S1", "ShADaG", 0, __LINE__);
}

static void test_flips(void)
{
	/* SYN-ACK first between two ordinary ports, then an ack: Zeek flips
	 * and writes the history as if it had from the start */
	reset(SERVER_PORT, CLIENT_PORT);
	send(0, TCP_SYN | A, S, C + 1, 0);
	send(1, A, C + 1, S + 1, 0);
	piece(0, "OTH", "^hA", 1, __LINE__);

	/* SYN-ACK captured before its SYN */
	reset(SERVER_PORT, CLIENT_PORT);
	send(0, TCP_SYN | A, S, C + 1, 0);
	send(1, TCP_SYN, C, 0, 0);
	send(1, A, C + 1, S + 1, 0);
	piece(0, "S1", "Hs^A", 1, __LINE__);

	/* data from a well-known port first: the other side originated */
	reset(HTTP, CLIENT_PORT);
	send(0, PA, S, C, 100);
	send(1, A, C, S + 100, 0);
	piece(0, "OTH", "^dA", 1, __LINE__);
}

static void test_timers(void)
{
	/* an attempt unanswered for 5 s is over; what follows is another */
	reset(CLIENT_PORT, SERVER_PORT);
	send(0, TCP_SYN, C, 0, 0);
	send(0, A, C + 1, S + 1, 0);
	send_after(6 * SEC, 0, PA, C + 1, S + 1, 10, 1000);
	send(0, TCP_FIN | A, C + 11, S + 1, 0);
	pieces(2, __LINE__);
	piece(0, "S0", "SA", 0, __LINE__);
	piece(1, "SH", "DF", 0, __LINE__);

	/* a closed connection is flushed 5 s after its last packet */
	reset(CLIENT_PORT, SERVER_PORT);
	send(0, TCP_SYN, C, 0, 0);
	send(1, TCP_RST | A, 0, C + 1, 0);
	send_after(6 * SEC, 1, A, S, C + 1, 0, 1000);
	pieces(2, __LINE__);
	piece(0, "REJ", "Sr", 0, __LINE__);
	piece(1, "OTH", "A", 1, __LINE__);

	/* five minutes of silence */
	reset(CLIENT_PORT, SERVER_PORT);
	send(0, PA, C, S, 10);
	send(1, A, S, C + 10, 0);
	send_after(300 * SEC, 0, PA, C, S, 10, 1000);
	pieces(2, __LINE__);
	piece(0, "OTH", "Da", 0, __LINE__);
	piece(1, "OTH", "D", 0, __LINE__);
}

static void test_reuse(void)
{
	/* a SYN with a new ISN on a live connection starts another */
	reset(CLIENT_PORT, SERVER_PORT);
	handshake();
	send(0, TCP_SYN, C + 100000, 0, 0);
	pieces(2, __LINE__);
	piece(0, "S1", "ShA", 0, __LINE__);
	piece(1, "S0", "S", 0, __LINE__);
}

static void test_bounds(void)
{
	/* many pieces: the first ones and the last are kept, the rest counted */
	reset(CLIENT_PORT, SERVER_PORT);
	for (uint32_t i = 0; i < 10; i++) {
		send_after(10 * SEC, 0, TCP_SYN, C + i * 1000, 0, 0, 1000);
		send(1, TCP_RST | A, 0, C + i * 1000 + 1, 0);
	}
	pieces(ZEEK_PIECES_MAX, __LINE__);
	CHECK_U64(zeek_pieces_dropped(&z), 10 - ZEEK_PIECES_MAX);
	piece(ZEEK_PIECES_MAX - 1, "REJ", "Sr", 0, __LINE__);

	/* RSTs at ever new sequence numbers: the history is cut, not overrun */
	reset(CLIENT_PORT, SERVER_PORT);
	handshake();
	for (uint32_t i = 0; i < 100; i++)
		send(1, TCP_RST, S + 1 + i, 0, 0);
	{
		struct zeek_piece p;

		CHECK(zeek_piece_get(&z, 0, &p));
		CHECK(p.truncated);
		CHECK_U64(strlen(p.history), ZEEK_HISTORY_MAX - 1);
	}
}

int main(void)
{
	test_sf();
	test_s0();
	test_rej();
	test_rsto_rstr();
	test_rstos0();
	test_rstrh_shr();
	test_sh();
	test_oth_s1_s2_s3();
	test_fin_then_rst();
	test_scaled_letters();
	test_flips();
	test_timers();
	test_reuse();
	test_bounds();
	zeek_conn_free(&z);
	return check_done("test-zeek");
}
