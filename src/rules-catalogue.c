/* rules-catalogue: the rule table.  One row per rule: its id, code and
 * default severity, what it means in words a reader of a bug ticket can
 * act on, and the check that finds it.  `finlint --explain RULE` prints
 * the texts, docs/rules.md and the schema's rule enums are generated from
 * them (tests/rules-doc.py), so there is one text to keep true. */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "rules-int.h"

/* One row per rule; ROW(id) names the row that the table below, made
 * from RULE_LIST (rule-catalogue.h), points to, so that no rule can be
 * left without one.  Rows are in the order of their codes; the texts are
 * struct rule_info's fields in order: id, code, severity, title, meaning,
 * signature, kernel, fix, hint. */
#define ROW(id) static const struct rule_row row_##id

ROW(RULE_FIN_ACK_MISMATCH) = {
	.check = rules_fin_acks,
	.info = {
		"fin-ack-mismatch", "FL001", SEV_WARNING,
		"the acknowledgement of a FIN does not consume exactly one sequence number",
		"A FIN occupies one sequence number, so the peer must acknowledge it with "
		"FIN.seq + 1. Here the peer either kept acknowledging FIN.seq while it went "
		"on closing its own side, or acknowledged beyond FIN.seq + 1.",
		"FIN seq=M from one side; the peer's later packets carry ack=M (and its own "
		"FIN), or an ack greater than M+1.",
		"A conforming stack advances RCV.NXT past the FIN when it accepts it "
		"(RFC 9293 3.10.7.4). Acking FIN.seq means the FIN was not taken into the "
		"sequence space; acking past it means bytes were counted that were never "
		"sent. Both point to a broken TCP stack or a middlebox rewriting sequence "
		"numbers.",
		"Find which device rewrites or terminates TCP between the hosts (load "
		"balancer, firewall with sequence randomisation, user-space stack) and fix "
		"or bypass its FIN handling; capture on both sides to see where the ack "
		"changes.",
		"find the middlebox or stack that rewrites sequence numbers" },
};

ROW(RULE_FIN_SEQ_MISMATCH) = {
	.check = rules_fin_seq,
	.info = {
		"fin-seq-mismatch", "FL002", SEV_ERROR,
		"a FIN is not at the sender's end of stream",
		"The FIN's sequence number should be the sender's next unsent byte. Here a "
		"FIN was sent at a sequence number below data the same side had already "
		"sent, or was re-sent at a different sequence number.",
		"FIN seq=M after data up to N > M from the same side, or two FINs from one "
		"side with different seq.",
		"The stream ends at the FIN: a receiver drops bytes beyond it, and a FIN "
		"that moves makes the two ends disagree on where the stream ended. Kernels "
		"do not do this; broken user-space stacks and sequence-rewriting middleboxes "
		"do.",
		"Look for a device or stack that rewrites sequence numbers; capture on both "
		"sides of it. Bytes beyond the first FIN were not delivered.",
		"find the middlebox or stack that rewrites sequence numbers" },
};

ROW(RULE_DATA_AFTER_FIN) = {
	.check = rules_fin_seq,
	.info = {
		"data-after-fin", "FL003", SEV_ERROR,
		"an endpoint sent new data after its own FIN",
		"After a FIN the sender has promised to send nothing more. Here the same "
		"side sent bytes beyond its FIN.",
		"FIN seq=M, then a segment from the same side whose data ends past M.",
		"A receiver that accepted the FIN discards anything after it (RFC 9293 "
		"3.10.7.4), so the extra bytes are lost. A correct kernel never sends them: "
		"shutdown(SHUT_WR) makes later write() calls fail with EPIPE.",
		"Treat this as a bug in the sending stack or a middlebox; the application "
		"data after the FIN did not arrive.",
		"fix the sending stack or middlebox: bytes after a FIN are dropped" },
};

ROW(RULE_RST_AFTER_FIN_WAIT2_TIMEOUT) = {
	.check = rules_resets,
	.info = {
		"rst-after-fin-wait2-timeout", "FL004", SEV_WARNING,
		"the peer closed after the active closer's FIN_WAIT_2 timer expired and got a RST",
		"The active closer's FIN was acknowledged, so it sat in FIN_WAIT_2 waiting "
		"for the peer's FIN. An orphaned FIN_WAIT_2 socket (the application already "
		"called close()) lives only for the FIN timeout. The peer's FIN came later, "
		"met no socket, and was answered by a bare RST.",
		"FIN from A acked by B; B's FIN arrives after a long gap; A answers with a "
		"RST without ACK whose seq equals the ack field of B's FIN.",
		"Linux destroys an orphaned FIN_WAIT_2 socket after net.ipv4.tcp_fin_timeout "
		"(60 s by default, TCP_LINGER2 per socket); FreeBSD after "
		"net.inet.tcp.finwait2_timeout. A segment for a socket that no longer exists "
		"is answered with a RST whose seq is the segment's ack (RFC 9293 3.10.7.1). "
		"The peer's close() or its last write() then fails with ECONNRESET, and data "
		"it sent with its FIN is lost.",
		"Make the passive side close promptly when it reads end-of-file (it sat in "
		"CLOSE_WAIT for the whole gap), or, if the peer legitimately needs longer, "
		"raise the active closer's FIN_WAIT_2 timeout: on Linux "
		"net.ipv4.tcp_fin_timeout, or TCP_LINGER2 per socket; on Windows "
		"TcpFinWait2Delay; on FreeBSD net.inet.tcp.finwait2_timeout; on macOS "
		"net.inet.tcp.fin_timeout.",
		"close the passive side as soon as it reads end-of-file" },
};

ROW(RULE_RST_ON_DATA_AFTER_CLOSE) = {
	.check = rules_resets,
	.info = {
		"rst-on-data-after-close", "FL005", SEV_ERROR,
		"data reached an endpoint that had fully closed, and was answered by RST",
		"One side closed its socket completely (close(), not shutdown(SHUT_WR)) while "
		"the peer still had data to send. The data arrived at a socket that can no "
		"longer deliver it, the kernel answered RST, and the bytes were lost.",
		"FIN from A; new data from B after it; A answers with RST.",
		"After close() the socket cannot receive; Linux aborts the connection when "
		"data arrives for it (counted as TCPAbortOnData in nstat) and sends RST. "
		"The peer sees ECONNRESET, often on a later read or write, and whatever it "
		"sent is gone; a peer that had sent its own FIN before the RST (LAST_ACK, "
		"CLOSING) sees an error only if it still uses the socket. Graded lower: "
		"lost bytes that are one protocol goodbye (a TLS alert, a QUIT line) are info, "
		"bytes after the closer's own goodbye (TLS lets the side that sent close_notify "
		"close without reading on) are a warning, and so are lost bytes that begin "
		"with a TLS handshake record (the closer gave up before its session was set "
		"up). A retransmission whose bytes "
		"differ from the first copy points to an injected answer the closer acted "
		"on: low confidence.",
		"Close in two steps: shutdown(fd, SHUT_WR), then read() until it returns 0 "
		"(the peer's FIN), then close(). Or make the protocol say when the peer has "
		"finished sending before closing.",
		"shutdown(SHUT_WR), read until 0, then close()" },
};

ROW(RULE_ABORTIVE_CLOSE) = {
	.check = rules_resets,
	.info = {
		"abortive-close", "FL006", SEV_WARNING,
		"an open connection was ended by RST instead of FIN",
		"The endpoint aborted the connection: RST|ACK at its next sequence number, "
		"no FIN. Unsent and unacknowledged data is discarded and the peer gets "
		"ECONNRESET.",
		"RST with ACK, seq = the sender's next sequence number, from a side that "
		"never sent a FIN. A bare RST (no ACK) there is reported at low confidence "
		"when only fresh data or a non-zero window says the socket was alive: it is "
		"also how a host that lost the connection answers a segment. A RST seconds "
		"after the last packet, with every byte answered, ends an idle connection "
		"(a keep-alive timeout closing with SO_LINGER {1, 0}, a load balancer's idle "
		"reset): the finding says so, as info when nothing was lost.",
		"Two application actions produce exactly this: close() with SO_LINGER {1, 0} "
		"(an intentional abort, often used to skip TIME_WAIT), and close() while "
		"received data is still unread in the socket buffer (RFC 2525 2.17: the "
		"kernel must reset so the peer knows its data was not consumed). The finding "
		"says which one the packets point to: unanswered data from the peer just "
		"before the RST points to unread data.",
		"If unread data: read the request completely (or drain the socket) before "
		"close(). If SO_LINGER {1, 0}: remove it unless losing in-flight data is "
		"acceptable; use a normal close and let TIME_WAIT do its job, or enable "
		"tcp_tw_reuse on the client.",
		"read everything the peer sent before close(); drop SO_LINGER {1, 0}" },
};

ROW(RULE_LINGER_TIMEOUT) = {
	.check = rules_giveup,
	.info = {
		"linger-timeout", "FL007", SEV_ERROR,
		"a FIN was sent with data unacknowledged, and the data was never acknowledged",
		"The endpoint closed while its last data was still unacknowledged, and "
		"neither the data nor the FIN was ever acknowledged: the sender gave up "
		"(or reset) and the data was lost.",
		"Data from A not yet acked, then A's FIN; no ack of either; then A's RST "
		"after a delay, or FIN retransmissions with backoff and silence.",
		"With SO_LINGER {1, t} close() waits up to t seconds for the data to be "
		"acknowledged; BSD and Windows then reset the connection, while Linux lets "
		"close() return (EWOULDBLOCK on non-blocking sockets) and keeps retransmitting "
		"as an orphan until tcp_orphan_retries runs out, without a RST. Either way "
		"the application was told, only through close()'s return value, that the "
		"data may not have arrived.",
		"Check close()'s return value when lingering; better, have the peer confirm "
		"receipt at the application level before closing. Find why the peer stopped "
		"acknowledging (it crashed, a firewall dropped the flow, the path failed).",
		"check close()'s result, or confirm receipt in the protocol" },
};

ROW(RULE_FINAL_ACK_LOST) = {
	.check = rules_final_ack,
	.info = {
		"final-ack-lost", "FL008", SEV_WARNING,
		"the passive closer retransmitted its FIN: the final ACK was lost",
		"The passive closer sent its FIN from LAST_ACK and then sent it again with "
		"the same sequence number, so the final ACK did not reach it in time. The "
		"finding says whether the lost ACK was seen at the capture point (lost after "
		"it) or not (lost before it, or the capture is at the passive closer).",
		"FIN from the passive closer, the same FIN again later; the active closer's "
		"ACK of it before the retransmission (lost after the capture point) or "
		"missing (lost before it).",
		"This is what TIME_WAIT is for: the active closer still holds the connection "
		"and acknowledges the retransmitted FIN again. Without TIME_WAIT (SO_LINGER "
		"{1, 0}, tcp_tw_recycle on old kernels, or a TIME_WAIT shorter than the "
		"retransmission) it would answer RST and the passive closer's close would "
		"end in an error.",
		"Usually packet loss on the path: look at the link's drops. Keep TIME_WAIT "
		"(do not abort sockets to avoid it).",
		"look for packet loss on the path; keep TIME_WAIT" },
};

ROW(RULE_FINAL_ACK_MISSING) = {
	.check = rules_fin_acks,
	.info = {
		"final-ack-missing", "FL009", SEV_WARNING,
		"a FIN was never acknowledged although the peer was still sending",
		"One side sent a FIN that no packet acknowledged, while the peer kept sending "
		"packets that acknowledge only the bytes before it.",
		"FIN seq=M from A; later packets from B with ack <= M; no ack of M+1 by the "
		"end of the capture.",
		"A peer that receives a FIN acknowledges it at once. Packets from the peer "
		"that still do not cover it mean the FIN never arrived (lost between the "
		"capture point and the peer) or the peer's stack did not accept it.",
		"Capture at the peer to see whether the FIN arrives; look for a firewall or "
		"middlebox dropping FIN segments, or a stateful device that timed the flow "
		"out.",
		"capture at the peer; look for a device dropping FINs" },
};

ROW(RULE_FIN_WAIT1_GIVEUP) = {
	.check = rules_giveup,
	.info = {
		"fin-wait1-giveup", "FL010", SEV_WARNING,
		"a FIN was retransmitted with backoff, never acknowledged, and the sender gave up",
		"The closing side stayed in FIN_WAIT_1: its FIN was never acknowledged, it "
		"retransmitted with exponential backoff, then went silent. The socket is gone "
		"without TIME_WAIT and usually without a RST, so the peer may never learn the "
		"connection closed.",
		"The same FIN (same seq) sent three or more times at growing intervals, no ack "
		"of it, nothing else from the sender afterwards.",
		"An orphaned socket (the application called close()) retransmits its FIN "
		"net.ipv4.tcp_orphan_retries times on Linux (0 means 8) and is then "
		"destroyed silently. The peer keeps its side open until its own timers or "
		"keepalives notice.",
		"Find why the peer stopped acknowledging: it crashed or was rebooted, a "
		"firewall or NAT dropped the flow's state, or the path broke. Enable "
		"keepalives on the peer so its half-open socket is cleaned up.",
		"find why the peer stopped answering; enable keepalives there" },
};

ROW(RULE_CLOSE_WAIT_STUCK) = {
	.check = rules_close_wait,
	.info = {
		"close-wait-stuck", "FL011", SEV_WARNING,
		"the peer closed, but this endpoint's application did not close its socket",
		"One side's FIN was acknowledged, which puts the other side in CLOSE_WAIT: "
		"its application has read end-of-file and is expected to close(). It did not "
		"for longer than the close-wait threshold, or before the capture ended while "
		"its keepalive probes showed the socket still open, or until a RST from the "
		"peer (its FIN_WAIT_2 timer, or the answer to a keepalive) ended the "
		"connection. A side still in CLOSE_WAIT when the capture ends, or whose "
		"keepalive is answered by RST, is reported below the threshold too, as info.",
		"FIN from A acked by B; no FIN from B for longer than the threshold, or "
		"keepalive probes from B (seq = its next seq - 1) while it stays silent, or "
		"a RST from A, long after, into B's silence or answering B's keepalive.",
		"No kernel timer ends CLOSE_WAIT: only the application's close() does. "
		"Sockets stuck there hold file descriptors and memory until the process "
		"exits, and show as CLOSE_WAIT in ss/netstat.",
		"Fix the application: when read() returns 0 (or the library reports the "
		"peer closed), close the socket; make sure every error path closes it too. "
		"`ss -tanp state close-wait` shows the owning process.",
		"close the socket when read() returns 0, on every path" },
};

ROW(RULE_TIME_WAIT_REUSE) = {
	.check = rules_time_wait,
	.info = {
		"time-wait-reuse", "FL012", SEV_WARNING,
		"a new connection reused a 4-tuple still in TIME_WAIT",
		"A SYN opened a new connection on the same addresses and ports while one "
		"side of the previous connection was still in TIME_WAIT. Whether that works "
		"depends on the SYN's initial sequence number (or timestamp) compared with "
		"the old connection's.",
		"The old connection's close; one side in TIME_WAIT; a new SYN on the same "
		"4-tuple within the TIME_WAIT period; the answer (SYN|ACK, ACK or RST).",
		"Linux accepts a SYN for a TIME_WAIT socket when its ISN is beyond the old "
		"connection's sequence space or its timestamp is newer (RFC 6191); otherwise "
		"the TIME_WAIT socket answers with an ACK for the old connection, the client "
		"resets, and it retries. Clients reusing ports this fast usually run out of "
		"ephemeral ports or bind() a fixed source port.",
		"Widen the ephemeral port range (net.ipv4.ip_local_port_range), stop binding "
		"a fixed client port, reuse connections (keep-alive/pooling), or let the "
		"client side be the one holding TIME_WAIT with tcp_tw_reuse.",
		"widen the ephemeral port range or reuse connections" },
};

ROW(RULE_TIME_WAIT_ASSASSINATION) = {
	.check = rules_time_wait,
	.info = {
		"time-wait-assassination", "FL013", SEV_WARNING,
		"a RST hit an endpoint in TIME_WAIT",
		"An endpoint in TIME_WAIT received a RST. RFC 1337 calls this TIME_WAIT "
		"assassination: if the RST is acted upon, TIME_WAIT ends early and an old "
		"duplicate segment can corrupt a new connection on the same 4-tuple. A RST "
		"its sender sends shortly after its own FIN (within a round trip and 100 "
		"ms), at the sequence number after it (a graceful close ended with a "
		"reset, as Windows and some CDNs do), is reported as info.",
		"Both FINs exchanged; then a RST toward the side in TIME_WAIT.",
		"Linux kills the TIME_WAIT socket on a RST unless net.ipv4.tcp_rfc1337=1. "
		"Such RSTs come from the peer answering a late segment, or from middleboxes "
		"that reset idle flows.",
		"Set net.ipv4.tcp_rfc1337=1 on the host holding TIME_WAIT, and find who sends "
		"the RST (the evidence packet's source).",
		"set net.ipv4.tcp_rfc1337=1; find who sends the RST" },
};

ROW(RULE_RST_OUT_OF_WINDOW) = {
	.check = rules_ignored_rst,
	.info = {
		"rst-out-of-window", "FL014", SEV_WARNING,
		"a RST outside the receiver's window was ignored; the connection went on",
		"A RST arrived whose sequence number is not what the receiver expects next, "
		"and the connection continued after it, as RFC 5961 requires.",
		"RST with seq outside [the receiver's last ack, the sender's next seq]; "
		"packets of the connection continue afterwards.",
		"Since RFC 5961 a receiver acts on a RST only when its seq equals RCV.NXT; a "
		"RST elsewhere in the window draws a challenge ACK, and one outside it is "
		"dropped. Off-path injected resets, middleboxes with a stale view of the "
		"flow, and late RSTs of an older connection look like this.",
		"Find the RST's source (TTL and IP ID compared with the real peer's packets "
		"help); if a middlebox sends it, fix its flow tracking.",
		"find the RST's real source (compare TTL and IP ID)" },
};

ROW(RULE_HALF_OPEN) = {
	.check = rules_resets,
	.info = {
		"half-open", "FL015", SEV_ERROR,
		"a bare RST from a host with no socket: the connection was already gone there",
		"The endpoint answered a segment with a RST without ACK whose seq equals the "
		"segment's ack: the reply of a host that has no socket for the connection. "
		"It never sent a FIN, so it lost the connection without telling the peer "
		"(process killed with the socket torn down, host rebooted, state lost in a "
		"NAT or load balancer), and the peer's data was lost.",
		"A segment from B; A answers with RST, no ACK flag, seq = that segment's ack; "
		"no FIN from A before it.",
		"A host answers any segment for a connection it does not know with a RST "
		"(RFC 9293 3.10.7.1). Its own RST or FIN announcing the loss, if any, was not "
		"seen at the capture point.",
		"Find why the host forgot the connection: a restart, a crash, a NAT or "
		"conntrack timeout shorter than the connection's idle time (enable TCP "
		"keepalives below it), or a load balancer failover without state sync.",
		"find why the host lost the connection (restart, NAT timeout)" },
};

ROW(RULE_HALF_CLOSE) = {
	.check = rules_half_close,
	.info = {
		"half-close", "FL016", SEV_INFO,
		"data kept flowing after the first FIN, and both sides closed cleanly",
		"One side sent its FIN (shutdown(SHUT_WR)) and kept receiving; the peer "
		"sent more data, which was acknowledged, and then closed. This is legal and "
		"often right; it is reported so the close sequence is not misread.",
		"FIN from A; data from B after it, acknowledged by A; then B's FIN, acked.",
		"shutdown(SHUT_WR) sends a FIN but leaves the receive side open; the peer "
		"reads end-of-file, may go on writing, and closes when done.",
		"Nothing to fix. If the peer did not expect a half-close, it may have "
		"treated end-of-file as an error; check its logs.",
		"nothing to fix" },
};

ROW(RULE_SIMULTANEOUS_CLOSE) = {
	.check = rules_simultaneous,
	.info = {
		"simultaneous-close", "FL017", SEV_INFO,
		"the two FINs crossed",
		"Both sides sent a FIN before receiving the other's, so each went through "
		"FIN_WAIT_1 and CLOSING and both ended in TIME_WAIT.",
		"FINs from both sides, neither acknowledging the other's; then an ACK from "
		"each.",
		"RFC 9293's simultaneous close: legal, and both hosts keep a TIME_WAIT "
		"socket for the connection.",
		"Nothing to fix. Two TIME_WAIT sockets per connection can matter on very busy "
		"hosts: make one side (usually the client) close first.",
		"nothing to fix" },
};

ROW(RULE_CONNECTION_REFUSED) = {
	.check = rules_refused,
	.info = {
		"connection-refused", "FL018", SEV_INFO,
		"the SYN was answered by RST: nothing listened on the port",
		"The server host answered the client's SYN with RST|ACK, the reply of a host "
		"with no listening socket on that port. The client's connect() failed with "
		"ECONNREFUSED.",
		"SYN from the client; RST|ACK from the server with ack = the SYN's seq + 1.",
		"A host with no listener on the port rejects the SYN with a RST (RFC 9293 "
		"3.10.7.1); a firewall's REJECT with tcp-reset looks the same. A full "
		"listen backlog does not do this on Linux (it drops the SYN) unless "
		"net.ipv4.tcp_abort_on_overflow is set.",
		"Check that the service runs and listens on that address and port (ss -tlnp), "
		"and that no firewall rejects the connection.",
		"start the service or open the port (ss -tlnp)" },
};

ROW(RULE_RST_WITH_PAYLOAD) = {
	.check = rules_rst_payload,
	.info = {
		"rst-with-payload", "FL019", SEV_INFO,
		"a RST carried data: often text that says why the connection was reset",
		"A RST segment carried payload bytes. RFC 9293 (3.5.3) lets a RST carry "
		"data and asks receivers to accept it; firewalls, proxies and some servers "
		"put a short diagnostic there (\"Access Denied\", a policy name, an error "
		"code), which names the reset's cause better than the packets can.",
		"A segment with the RST flag and a non-zero payload length (from the IP "
		"header); the finding quotes its first bytes.",
		"Operating system stacks send RSTs without payload; a RST with text comes "
		"from an application that builds its own segments, a filtering device or "
		"an IDS that injects resets, or a test tool. Most receivers discard the "
		"bytes, so the application at the other end never sees them.",
		"Read the text: it usually names the device or policy that refused the "
		"connection (a web filter, a firewall rule, an access list). Fix the "
		"policy or the request it refused.",
		"read the RST's text: it names who refused and why" },
};

ROW(RULE_MIDDLEBOX_RESET) = {
	.check = rules_middlebox,
	.info = {
		"middlebox-reset", "FL020", SEV_WARNING,
		"a device in the path reset the connection in an endpoint's name",
		"The RST that ended the connection claims to come from one endpoint, but its "
		"TTL (IPv6: hop limit) is unlike that of every other packet the endpoint "
		"sent, by more than a few hops: another device between the capture point "
		"and that endpoint made it. Firewalls, load balancers and intrusion "
		"prevention systems reset connections they time out or refuse, towards one "
		"side or both; the endpoint's application did not abort.",
		"A RST accepted by its receiver whose TTL differs by more than 8 from all of "
		"the claimed sender's data segments (or, without data, from its three or "
		"more other packets); or, at medium confidence, RSTs whose TTL is a few hops "
		"higher than the one TTL of all the sender's other packets (a device between "
		"the sender and the capture point); the IP ID is shown beside the sender's "
		"previous one.",
		"A host's packets on one path arrive with one TTL (its initial TTL, 64, 128 "
		"or 255, minus the hops); a route change moves it by a hop or two. A RST "
		"with another TTL was sent from another distance, by another stack: a "
		"conntrack idle timeout (a stateful firewall forgets an idle connection and "
		"resets its next segment), an nftables or iptables 'reject with tcp reset', "
		"a load balancer's or IPS's reset.",
		"Find the device at that distance (the TTL tells how many hops from the "
		"capture point) and check its idle timeouts and policies; for long idle "
		"connections enable TCP keepalives below its idle timeout.",
		"find the firewall or load balancer that resets; keepalives below its idle timeout" },
};

ROW(RULE_SCAN_PROBE) = {
	.check = rules_probe,
	.info = {
		"scan-probe", "FL021", SEV_INFO,
		"a port scanner's probe, not a connection",
		"The packets are a scanner's probe and the target's answer: a segment no TCP "
		"stack sends in a connection (a FIN, NULL or Xmas probe, answered by a closed "
		"port's RST|ACK with seq 0), a crafted SYN whose SYN-ACK the scanner's kernel "
		"resets (a half-open SYN scan), or a handshake the client resets at once "
		"without a byte either way (a connect scan or a health check). No application "
		"lost anything; someone mapped the port.",
		"A first segment without SYN and ACK (flags F, none, FPU) answered by RST|ACK "
		"seq 0; or a SYN without window scaling and SACK_OK, the SYN-ACK, then a bare "
		"RST from the SYN's sender; or SYN, SYN-ACK, ACK and the client's RST within a "
		"second, no data.",
		"A host with no socket answers a segment without ACK by RST|ACK with seq 0 and "
		"ack = the segment's end (RFC 9293 3.10.7.1): an open port stays silent to a "
		"FIN probe, which is how scanners tell them apart. A scanner that writes raw "
		"SYNs has no socket, so its own kernel resets the SYN-ACK. A connect scan "
		"closes each socket with SO_LINGER {1, 0} as soon as connect() succeeds.",
		"Nothing to fix in the endpoints. Check whether the scanning host is expected "
		"(an inventory scan, a load balancer's health check); if not, treat it as "
		"reconnaissance.",
		"check whether the scanner is expected" },
};

ROW(RULE_SOCKET_VANISHED) = {
	.check = rules_resets,
	.info = {
		"socket-vanished", "FL022", SEV_INFO,
		"the active closer's socket was gone before any FIN_WAIT_2 timer could run out",
		"The active closer's FIN was acknowledged, and less than a second later the "
		"peer's FIN was answered by a bare RST: the closer's socket no longer existed. "
		"No FIN_WAIT_2 timer is that short, so the socket was destroyed another way. "
		"The peer had closed as well, so no data was lost; its close() or a last "
		"read() may report ECONNRESET.",
		"FIN from A acked by B; B's FIN (no data) within a second; a RST without ACK "
		"from A whose seq equals the ack of B's FIN.",
		"Linux keeps an orphaned FIN_WAIT_2 connection in a TIME_WAIT bucket; when "
		"net.ipv4.tcp_max_tw_buckets are all in use it destroys the socket at once "
		"(\"TCP: time wait bucket table overflow\") and the next segment meets no "
		"socket. User-space stacks, load balancers that forget a connection as soon "
		"as their side closed, and a killed process with SO_LINGER do the same.",
		"Look for TIME_WAIT bucket overflow (nstat TcpExtTCPTimeWaitOverflow, dmesg) "
		"or for a proxy or user-space stack in front of the closer; nothing was lost "
		"on this connection.",
		"check for TIME_WAIT bucket overflow or a proxy that forgets closed connections" },
};

ROW(RULE_CONNECT_TIMEOUT) = {
	.check = rules_connect_timeout,
	.info = {
		"connect-timeout", "FL023", SEV_WARNING,
		"the SYN was retransmitted with backoff and never answered: connect() timed out",
		"The client sent its SYN, heard nothing, and sent the same SYN again at "
		"growing intervals; no SYN|ACK, RST or anything else came back. Either the "
		"retries stopped (the client gave up and its connect() failed with "
		"ETIMEDOUT) or the capture ended while they went on.",
		"Three or more SYNs with the same initial sequence number at non-shrinking "
		"intervals, no packet from the server. A single unanswered SYN is not "
		"enough: a scan or the capture's end looks the same.",
		"An unanswered SYN is retransmitted with exponential backoff: Linux waits 1, "
		"2, 4, 8 ... s and gives up after net.ipv4.tcp_syn_retries retransmissions "
		"(6 by default, about 127 s); macOS and BSD retry at 1 s intervals first and "
		"stop after 75 s; Windows makes TcpMaxConnectRetransmissions attempts "
		"(about 21 s). The silence means the SYN or its answer is dropped: a "
		"firewall that drops instead of rejecting, a host that is down, a wrong "
		"address or a route that leads nowhere.",
		"Check that the address is right and the server is up; find the firewall "
		"or security group that drops the SYN (a REJECT rule would fail fast with "
		"ECONNREFUSED instead); set a connect timeout in the client that fits how "
		"long the user can wait.",
		"find what drops the SYN: firewall, host down, wrong address" },
};

ROW(RULE_LAST_ACK_GIVEUP) = {
	.check = rules_last_ack_giveup,
	.info = {
		"last-ack-giveup", "FL024", SEV_INFO,
		"the passive closer's FIN was retransmitted and the peer never answered",
		"The peer closed first and this side answered with its own FIN from "
		"LAST_ACK, then retransmitted that FIN with backoff: no copy was "
		"acknowledged and nothing at all came back. A peer holding TIME_WAIT "
		"acknowledges every copy, so its connection state was already gone; the "
		"retrying side gives up after its retries (or the capture ended first).",
		"FIN from A acked by B; B's FIN sent three or more times with the same seq "
		"at growing intervals; no packet from A after B's first FIN.",
		"After close() the LAST_ACK socket is an orphan: Linux retransmits its FIN "
		"net.ipv4.tcp_orphan_retries times (0 means 8) and destroys it without a "
		"RST. Nothing the applications wrote is lost (the peer acknowledged the "
		"data before the FIN), but the socket lingers in LAST_ACK for the whole "
		"series. A peer without TIME_WAIT (its socket aborted or recycled, a "
		"middlebox that drops the flow's state as soon as it sees the first FIN) "
		"causes it.",
		"Find what drops the flow's state after the first FIN: a load balancer or "
		"firewall with a very short FIN timeout, or a peer that aborts its sockets "
		"after close(). Many sockets in LAST_ACK on a server are the sign.",
		"find what forgets the connection after the peer's FIN" },
};

/* The two-point rules: their check is --pair's (pair-rules.c); on one
 * capture they find nothing (rules_two_points). */
ROW(RULE_RST_INJECTED_BETWEEN) = {
	.check = rules_two_points,
	.info = {
		"rst-injected-between", "FL025", SEV_WARNING,
		"a RST reached one capture point that the endpoint it claims to come from never sent",
		"With --pair: a RST arrived at one point with the addresses of the endpoint "
		"on the other side, but the capture at that endpoint's own side holds no "
		"such RST. Something between the two points sent it: a firewall, an "
		"intrusion prevention system, a load balancer or a NAT that ended the "
		"connection in the endpoint's name.",
		"A RST at one point, not matched at the claimed sender's point (no packet "
		"there with its seq, ack and flags near the corrected time), while that "
		"capture was running.",
		"An endpoint's kernel sends a RST only from its own stack, so its own side's "
		"capture must hold it. A device in the path that rejects a flow (nftables "
		"`reject with tcp reset`, an IPS signature, a proxy's idle limit) writes a "
		"RST with the peer's addresses and a sequence number taken from the flow; "
		"the endpoint that seems to have reset never did, and its own socket stays "
		"open until its next packet meets a RST or a timeout.",
		"Find the device between the two capture points that rejects the flow "
		"(firewall rules, IPS logs, load balancer timeouts) and fix its policy; "
		"the applications were not at fault.",
		"find the device between the points that sends RSTs" },
};

ROW(RULE_CONNTRACK_IDLE_RESET) = {
	.check = rules_two_points,
	.info = {
		"conntrack-idle-reset", "FL026", SEV_WARNING,
		"after an idle gap, a device between the points likely forgot the connection and reset it",
		"With --pair: the connection was silent for a while, its next packet left "
		"one endpoint's point, and a RST came back in the peer's name that the "
		"peer never sent. A stateful firewall or NAT between the points had most "
		"likely dropped the connection's state during the silence and rejected "
		"the first packet after it.",
		"A rst-injected-between RST that answers the first packet after an idle "
		"gap of two seconds or more; that packet usually never reached the other "
		"point either.",
		"Connection tracking keeps an idle established flow only so long (Linux "
		"nf_conntrack_tcp_timeout_established, 5 days by default, often lowered; "
		"cloud NAT gateways and load balancers 350 s or less). A packet of a flow "
		"it no longer knows is invalid: a `ct state invalid reject` rule answers "
		"it with a RST, a drop rule makes the sender retransmit until it gives up.",
		"Enable TCP keepalives shorter than the device's idle timeout "
		"(SO_KEEPALIVE with TCP_KEEPIDLE, or the application's own heartbeat), or "
		"raise the timeout on the firewall or NAT; check its connection-tracking "
		"logs for the flow.",
		"keepalives shorter than the firewall's idle timeout" },
};

ROW(RULE_FINAL_ACK_LOST_BETWEEN) = {
	.check = rules_two_points,
	.info = {
		"final-ack-lost-between", "FL027", SEV_WARNING,
		"the final ACK of the close left one capture point and never reached the other",
		"With --pair: the last ACK of the close, acknowledging the peer's FIN after "
		"this side's own FIN, is in the capture at its sender's point but not at "
		"the peer's point, and the peer retransmitted its FIN. The ACK was lost in "
		"the network between the points, not in the sender's host.",
		"A FIN from one side; the other side's ACK of it (after its own FIN) seen "
		"at its own point only; the same FIN again at the peer's point.",
		"A socket in LAST_ACK retransmits its FIN until the FIN is acknowledged; "
		"the other side answers from TIME_WAIT with the same ACK again (RFC 9293 "
		"3.10.7.4), so one loss costs a retransmission timeout. A second capture "
		"point places the loss: the ACK left the sender, so the drop happened in "
		"a link, router or firewall between the points.",
		"Look for loss between the two points (interface drops, a firewall that "
		"drops packets of closing connections, a congested link); one lost ACK is "
		"harmless, many of them slow every close down by a retransmission timeout.",
		"look for loss between the points" },
};

ROW(RULE_PACKET_LOST_BETWEEN) = {
	.check = rules_two_points,
	.info = {
		"packet-lost-between", "FL028", SEV_INFO,
		"a segment left one capture point and never reached the other",
		"With --pair: a segment carrying data (or a FIN) is in the capture at its "
		"sender's point and not at the peer's point, so it was lost between the "
		"points. The sender's later retransmission, when there is one, crossed.",
		"A segment with payload or FIN seen at the sender's point, with no packet "
		"of the same direction, seq, ack, flags and length at the other point near "
		"the corrected time, while that capture was running.",
		"TCP repairs a loss by retransmitting after a duplicate-ACK signal (fast "
		"retransmit, SACK) or its retransmission timer (RFC 6298); the receiver "
		"sees a gap or nothing meanwhile. A loss the sender's point saw leave "
		"happened in the path, not in the sender.",
		"If losses are frequent, find the link or device between the points that "
		"drops (interface counters, queue drops, policers); a single repaired "
		"loss needs no action.",
		"find the link or device between the points that drops" },
};

ROW(RULE_SYN_TO_OLD_CONNECTION) = {
	.check = rules_old_connection,
	.info = {
		"syn-to-old-connection", "FL029", SEV_WARNING,
		"a SYN met an earlier connection the server still held on the 4-tuple",
		"The client opened a connection from an address and port whose previous "
		"connection the server had not forgotten: the server answered the SYN with "
		"an ACK of that connection instead of a SYN|ACK. The client's stack reset "
		"it and retried, so the connection was delayed by a retry; when the old "
		"connection was still open at the server, the client had lost it without "
		"the server knowing (a half-open connection).",
		"A SYN; from the server, a bare ACK (no SYN, no data) whose ack is not the "
		"SYN's seq + 1 (with the old connection in the capture: its client stream's "
		"end); a RST without ACK from the client at that ack; the SYN again.",
		"A socket in TIME_WAIT that refuses a new SYN (its ISN not beyond the old "
		"stream and no newer timestamp, or a stack that never reuses) answers with "
		"an ACK for the old connection; an established socket answers any SYN with "
		"a challenge ACK (RFC 5961 4.2). In SYN-SENT an ACK that does not ack the "
		"SYN draws a RST at its ack (RFC 9293 3.10.7.3), which ends the old "
		"connection at the server if it is acceptable there; Linux then retransmits "
		"the SYN at once, other stacks after their retransmission timeout (Windows: "
		"3 s).",
		"Find why the client reuses ports so soon: a fixed source port (bind()), a "
		"small ephemeral range (net.ipv4.ip_local_port_range) or a NAT that maps "
		"many clients onto few ports. When the old connection was open, find why "
		"the client lost it silently (a crash, a reboot, a NAT or firewall that "
		"dropped the flow) and enable keepalives on the server to shed such "
		"connections.",
		"find why the client reuses the port while the server still holds it" },
};

const struct rule_row *const rules_table[RULE_COUNT] = {
#define ROW_OF(id) [id] = &row_##id,
	RULE_LIST(ROW_OF)
#undef ROW_OF
};

/* Report whether a text is there. */
static bool said(const char *text)
{
	return text != NULL && text[0] != '\0';
}

/* Check the table row by row for what the compiler cannot see. */
unsigned rules_table_broken(void)
{
	for (unsigned i = 0; i < RULE_COUNT; i++) {
		const struct rule_row *r = rules_table[i];
		const struct rule_info *ri = &r->info;
		char code[8];

		snprintf(code, sizeof code, "FL%03u", i + 1);
		if (r->check == NULL || !said(ri->id) || !said(ri->code) ||
		    strcmp(ri->code, code) != 0 || ri->severity >= SEV_NEVER || !said(ri->title) ||
		    !said(ri->meaning) || !said(ri->signature) || !said(ri->kernel) ||
		    !said(ri->fix) || !said(ri->hint))
			return i;
		for (unsigned j = 0; j < i; j++)
			if (strcmp(rules_table[j]->info.id, ri->id) == 0)
				return i;
	}
	return RULE_COUNT;
}

/* Return a rule's catalogue entry. */
const struct rule_info *rule_info(unsigned rule)
{
	return rule < RULE_COUNT ? &rules_table[rule]->info : NULL;
}

/* Find a rule by id or code. */
unsigned rule_find(const char *name)
{
	for (unsigned i = 0; i < RULE_COUNT; i++)
		if (strcmp(name, rules_table[i]->info.id) == 0 ||
		    strcasecmp(name, rules_table[i]->info.code) == 0)
			return i;
	return RULE_COUNT;
}

/* Name a severity. */
const char *severity_name(unsigned sev)
{
	static const char *const names[] = { "info", "warning", "error", "never" };

	return sev < sizeof names / sizeof names[0] ? names[sev] : "?";
}

/* Parse a severity name. */
unsigned severity_parse(const char *name)
{
	for (unsigned i = SEV_INFO; i <= SEV_NEVER; i++)
		if (strcmp(name, severity_name(i)) == 0)
			return i;
	return SEV_NEVER + 1;
}

/* Name a confidence. */
const char *confidence_name(unsigned conf)
{
	return conf == CONF_HIGH ? "high" : conf == CONF_MEDIUM ? "medium" : "low";
}

/* Parse a confidence name. */
unsigned confidence_parse(const char *name)
{
	for (unsigned i = CONF_HIGH; i <= CONF_LOW; i++)
		if (strcmp(name, confidence_name(i)) == 0)
			return i;
	return CONF_LOW + 1;
}
