/* fingerprint: see include/fingerprint.h. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fingerprint.h"

uint64_t fingerprint_packet(const struct conn_report *c, const struct conn_finding *f)
{
	return f->npkts > 0 ? f->pkts[0] : c->last_pkt;
}

size_t fingerprint_make(char out[FINGERPRINT_MAX], const char *rule_id, const char *community_id,
			uint64_t packet)
{
	size_t rule_len = strlen(rule_id), cid_len = strlen(community_id);
	int n;

	/* the rule id is the only part that cannot hold a ':', so the three
	 * parts come apart again at the first and the last one */
	out[0] = '\0';
	if (rule_len == 0 || rule_len >= FINGERPRINT_RULE_MAX || memchr(rule_id, ':', rule_len) ||
	    cid_len == 0 || cid_len >= COMMUNITY_ID_LEN)
		return 0;
	n = snprintf(out, FINGERPRINT_MAX, "%s:%s:%" PRIu64, rule_id, community_id, packet);
	if (n < 0 || (size_t)n >= FINGERPRINT_MAX) {
		out[0] = '\0';
		return 0;
	}
	return (size_t)n;
}

size_t fingerprint_of(char out[FINGERPRINT_MAX], const struct conn_report *c,
		      const struct conn_finding *f)
{
	return fingerprint_make(out, f->rule->id, c->community_id, fingerprint_packet(c, f));
}
