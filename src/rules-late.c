/* rules-late: the findings of packets that came for a closed connection
 * after its record was written (--hold-closed tombstone, flow-tomb.h).
 * Each is the finding the record would have held, kept whole: a FIN
 * repeated from LAST_ACK (final-ack-lost), a RST into TIME_WAIT
 * (time-wait-assassination), new data after the sender's FIN
 * (data-after-fin).  A SYN that reuses the 4-tuple is no late finding:
 * the new connection's record links the old one (time-wait-reuse). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "flow-tomb.h"
#include "rules-int.h"

static const char *side_name(const struct tomb *t, unsigned side)
{
	if (t->mid_stream)
		return side == 0 ? "first sender" : "other side";
	return side == 0 ? "client" : "server";
}

static struct finding *found(const struct rule_config *cfg, struct findings *out, unsigned rule,
			     int side)
{
	struct finding *fd;

	if (!cfg->enabled[rule] || out->n >= RULE_COUNT)
		return NULL;
	fd = &out->f[out->n++];
	memset(fd, 0, sizeof *fd);
	fd->rule = (uint8_t)rule;
	fd->severity = rule_info(rule)->severity;
	fd->confidence = CONF_HIGH;
	fd->side = (int8_t)side;
	return fd;
}

static void after(struct finding *fd, uint64_t record_last_ts, uint64_t ts)
{
	rules_say(fd, ", %.3f s after the connection's last packet before it, once its record "
		      "had been written (--hold-closed tombstone)",
		  secs(record_last_ts, ts));
}

unsigned rules_late(const struct rule_config *cfg, const struct tomb *t, const struct tomb_note *n,
		    struct findings *out)
{
	struct finding *fd;

	out->n = 0;
	for (unsigned x = 0; x < 2; x++) {
		unsigned y = !x;

		if (n->fin_pkt[x] != 0 && (n->fin_acked_before[x] || n->fin_answer[x] != 0) &&
		    (fd = found(cfg, out, RULE_FINAL_ACK_LOST, (int)x)) != NULL) {
			rules_evidence(fd, n->fin_pkt[x]);
			rules_evidence(fd, n->fin_answer[x]);
			if (n->fin_acked_before[x])
				rules_say(fd, "the %s had acknowledged the %s's FIN, yet the %s "
					"retransmitted that FIN from LAST_ACK (packet %" PRIu64 ")",
					  side_name(t, y), side_name(t, x), side_name(t, x), n->fin_pkt[x]);
			else
				rules_say(fd, "the %s's FIN was retransmitted from LAST_ACK (packet %"
					PRIu64 ") with no ACK of it seen before",
					  side_name(t, x), n->fin_pkt[x]);
			after(fd, n->record_last_ts, n->fin_ts[x]);
			if (n->fin_acked_before[x])
				rules_say(fd, ": the final ACK was lost after the capture point, on "
					"its way to the %s", side_name(t, x));
			else
				rules_say(fd, ": the final ACK was lost before the capture point (or "
					"the capture was taken at the %s)", side_name(t, x));
			if (n->fin_answer[x] != 0)
				rules_say(fd, "; the %s, still in TIME_WAIT, acknowledged it again "
					"(packet %" PRIu64 ")", side_name(t, y), n->fin_answer[x]);
			else
				rules_say(fd, "; no answer to the retransmission was captured");
		}
		if (n->rst_pkt[x] != 0 &&
		    (fd = found(cfg, out, RULE_TIME_WAIT_ASSASSINATION, (int)x)) != NULL) {
			rules_evidence(fd, n->rst_pkt[x]);
			rules_say(fd, "a RST from the %s (packet %" PRIu64 ") reached the %s while it "
				"held TIME_WAIT", side_name(t, y), n->rst_pkt[x], side_name(t, x));
			after(fd, n->record_last_ts, n->rst_ts[x]);
			rules_say(fd, "; Linux ends TIME_WAIT on it unless net.ipv4.tcp_rfc1337=1");
			if (n->rst_closed_both[x])
				rules_say(fd, " (kept whole, with --hold-closed full, the record "
					"would end in this RST: reset-after-close)");
		}
		if (n->data_pkt[x] != 0 && (fd = found(cfg, out, RULE_DATA_AFTER_FIN, (int)x)) != NULL) {
			rules_evidence(fd, n->data_pkt[x]);
			rules_say(fd, "the %s sent %" PRIu32 " bytes at seq %" PRIu32 " (packet %" PRIu64
				") after its own FIN (seq %" PRIu32 ")",
				  side_name(t, x), n->data_len[x], n->data_seq[x], n->data_pkt[x],
				  t->snd_nxt[x] - 1);
			after(fd, n->record_last_ts, n->data_ts[x]);
			rules_say(fd, ": a receiver that accepted the FIN discards them");
		}
	}
	/* in order of first evidence, as a record's findings */
	for (unsigned i = 1; i < out->n; i++)
		for (unsigned j = i; j > 0 && out->f[j].pkts[0] < out->f[j - 1].pkts[0]; j--) {
			struct finding tmp = out->f[j];

			out->f[j] = out->f[j - 1];
			out->f[j - 1] = tmp;
		}
	return out->n;
}
