/* decode: turn one captured frame into a TCP segment, whatever carries it.
 *
 * The decoder walks link layer -> encapsulations -> IP -> TCP through
 * bounds-checked cursors and fills a struct packet.  It never allocates; the
 * packet's payload pointer borrows the frame passed in. */
#ifndef FINLINT_DECODE_H
#define FINLINT_DECODE_H

#include <stdbool.h>
#include <stdint.h>

enum tcp_flag {
	TCP_FIN = 0x01,
	TCP_SYN = 0x02,
	TCP_RST = 0x04,
	TCP_PSH = 0x08,
	TCP_ACK = 0x10,
	TCP_URG = 0x20,
	TCP_ECE = 0x40,
	TCP_CWR = 0x80,
};

/* Which TCP options a segment carried (struct tcp_options.has). */
enum tcp_option_bit {
	TCPOPT_HAS_MSS = 0x01,
	TCPOPT_HAS_WSCALE = 0x02,
	TCPOPT_HAS_SACKOK = 0x04,
	TCPOPT_HAS_TS = 0x08,
	TCPOPT_HAS_SACK = 0x10,
	TCPOPT_BAD = 0x80, /* an option's length ran past the header */
};

enum { TCP_MAX_SACK = 4 };

/* MPTCP option subtypes (RFC 8684 3, TCP option kind 30) the analysis reads. */
enum mptcp_subtype {
	MPTCP_CAPABLE = 0,
	MPTCP_JOIN = 1,
	MPTCP_DSS = 2,
	MPTCP_REMOVE_ADDR = 4,
	MPTCP_FASTCLOSE = 7,
	MPTCP_TCPRST = 8,
};

struct tcp_options {
	uint8_t has; /* enum tcp_option_bit */
	uint16_t mptcp; /* MPTCP option subtypes present: bit 1 << enum mptcp_subtype */
	uint8_t wscale;
	uint16_t mss;
	uint32_t ts_val;
	uint32_t ts_ecr;
	uint8_t sack_count;
	uint32_t sack[TCP_MAX_SACK][2]; /* left, right edges */
};

/* Encapsulation layers crossed on the way to the TCP segment. */
enum via_layer {
	VIA_VLAN = 1,
	VIA_MPLS,
	VIA_GRE,
	VIA_ERSPAN,
	VIA_VXLAN,
	VIA_GENEVE,
	VIA_TEREDO,
	VIA_IPIP,
};

enum { DECODE_MAX_VIA = 8, PACKET_HEAD_MAX = 32 };

/* Deeper nesting than this is taken as a crafted loop, not a real tunnel:
 * every encapsulation counts, Ethernet in Ethernet too, and such a frame
 * is DECODE_MALFORMED. */
enum { DECODE_MAX_DEPTH = 12 };

enum decode_result {
	DECODE_TCP,       /* a TCP segment: struct packet is filled */
	DECODE_NOT_IP,    /* ARP, LLDP, ... */
	DECODE_NOT_TCP,   /* IP but another transport */
	DECODE_FRAGMENT,  /* a non-first IP fragment: no TCP header in it */
	DECODE_TRUNCATED, /* the capture ends before the TCP header does */
	DECODE_MALFORMED, /* a header contradicts itself */
};

struct packet {
	uint64_t num;   /* 1-based position in the file */
	uint64_t ts_ns; /* capture time, nanoseconds since the epoch */
	uint32_t caplen;
	uint32_t wirelen;

	uint8_t family; /* 4 or 6 */
	/* What tells one packet from another with the same TCP header (the
	 * innermost IP header's): a capture copy keeps them, a retransmission
	 * does not, a forged packet rarely matches the sender's. */
	uint8_t ttl;         /* IPv4 TTL or IPv6 hop limit */
	uint16_t ip_id;      /* IPv4 identification (0 for IPv6) */
	uint32_t flow_label; /* IPv6 flow label (0 for IPv4) */
	bool ip_fills_frame; /* the IP datagram ends where the frame ends: no padding after it */
	uint8_t src[16]; /* IPv4 uses the first 4 bytes */
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;

	uint32_t seq;
	uint32_t ack;
	uint16_t win;
	uint8_t flags; /* enum tcp_flag */
	struct tcp_options opt;
	uint32_t opt_hash; /* of the TCP option bytes as sent, 0 without options */
	uint16_t tcp_sum;  /* the TCP checksum as sent: a copy has the same, right or wrong */

	/* Payload length from the IP header, so snaplen truncation does not
	 * change sequence accounting; payload_caplen says how much is here. */
	uint32_t payload_len;
	uint32_t payload_caplen;
	const uint8_t *payload;
	/* The payload's first bytes, copied: the payload pointer does not
	 * outlive the frame, and the analysis reads what a segment began
	 * with (a TLS record header, a QUIT line). */
	uint8_t head_len;
	uint8_t head[PACKET_HEAD_MAX];

	bool truncated;      /* payload not captured whole */
	bool first_fragment; /* IP said more fragments follow */
	uint8_t via_count;
	uint8_t via[DECODE_MAX_VIA]; /* enum via_layer, outermost first */

	const char *skip_reason; /* why the result is not DECODE_TCP */
};

/* Report whether frames of this DLT can be decoded. */
bool decode_link_supported(int dlt);

/* Return a short name for a DLT ("EN10MB", "LINUX_SLL2", ...). */
const char *decode_link_name(int dlt);

/* Decode one frame of link type dlt into pkt (num and ts_ns are left as
 * set by the caller). */
enum decode_result decode_frame(int dlt, const uint8_t *frame, uint32_t caplen,
				uint32_t wirelen, struct packet *pkt);

/* Return the name of an encapsulation layer ("vlan", "gre", ...). */
const char *decode_via_name(uint8_t layer);

/* Report whether pkt came through a tunnel: a layer other than VLAN tags. */
bool decode_tunneled(const struct packet *pkt);

/* Write "FSRPAUEC"-ordered letters of the set flags, or "none"; buf >= 9. */
void decode_flags_str(uint8_t flags, char *buf);

/* Format pkt's address and port as "a.b.c.d:p" or "[v6]:p"; buf >= 56. */
void decode_endpoint_str(const struct packet *pkt, bool source, char *buf, unsigned size);

#endif
