/* artefact: packets that are the capture's doing, not the endpoints'.
 *
 * A packet captured twice (on both sides of a router, on two spanned
 * VLANs, on a bridge and its port with tcpdump -i any) or twice with
 * shifted sequence numbers (on both sides of a firewall that randomises
 * ISNs) is one packet sent once: it must not step the state machine.
 * tcp_conn_step (tcpstate.c) asks here before anything else and counts
 * what it was told. */
#ifndef FINLINT_ARTEFACT_H
#define FINLINT_ARTEFACT_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "tcpstate.h"

/* A copy comes this soon after the packet it repeats.  A real
 * retransmission cannot: its timer is an RTO (200 ms at least on Linux,
 * 300 ms on Windows, 1 s for a SYN) or a tail-loss probe (10 ms at least
 * on Linux), and a fast retransmit follows the peer's duplicate ACKs,
 * which a copy never has between it and its original when the IP ID tells
 * nothing.  Copies in real captures are 0 to 250 us apart; 2 ms leaves
 * room for a loaded router's queue. */
enum { ARTEFACT_COPY_WINDOW_NS = 2000000 };

/* A shift smaller than this is not an ISN randomiser's (a random 32-bit
 * offset) and could be a real difference: such copies are not paired. */
enum { ARTEFACT_MIN_SHIFT = 65536 };

enum artefact_kind {
	ARTEFACT_NONE,
	ARTEFACT_COPY,    /* the same packet again */
	ARTEFACT_SHIFTED, /* the same packet with its seq or ack shifted: the shift is now known */
};

/* Move p's seq (sent by side dir) and ack (about the peer's stream) into
 * the sequence space the analysis follows, where a shift is known;
 * return whether anything moved. */
bool artefact_translate(const struct tcp_conn *c, unsigned dir, struct packet *p);

/* Tell whether p, sent by side dir and already translated (as
 * artefact_translate said), repeats that side's latest packet; a shifted
 * copy records the shift in c. */
enum artefact_kind artefact_check(struct tcp_conn *c, unsigned dir, const struct packet *p,
				  bool translated);

/* Keep p as side dir's latest packet for the next check. */
void artefact_remember(struct tcp_conn *c, unsigned dir, const struct packet *p, bool translated);

/* Ethernet pads a frame to 60 bytes (64 with the FCS); some senders'
 * IP length covers the padding, so a pure ACK or FIN at the stream end
 * seems to carry up to 6 zero bytes (2 in a 56-byte frame, a tagged
 * minimum frame whose VLAN tag was stripped) that the peer never
 * acknowledges and the sender's next segment overwrites.  Real data that
 * small would be pushed (PSH) and would rarely be all zeros; a frame
 * captured before the NIC padded it is shorter (a Windows keepalive's
 * 55 bytes), and a keepalive's byte is below the stream end anyway. */
enum { ARTEFACT_ETHER_MIN = 60, ARTEFACT_ETHER_MIN_UNTAGGED = 56, ARTEFACT_PAD_MAX = 6 };

/* Report whether p's payload is Ethernet padding by that signature (ACK
 * or RST, no SYN, PSH or URG); the caller checks that the segment is at
 * or past its sender's stream end. */
bool artefact_padding(const struct packet *p);

/* Whether p is side dir's latest packet again but for its sequence
 * numbers: the same packet captured on both sides of a device that
 * rewrites them, not a new one (its SYN with another ISN, for instance). */
bool artefact_renumbered(const struct tcp_conn *c, unsigned dir, const struct packet *p);

#endif
