/* fingerprint: the identity of one finding across runs.  A finding is the
 * same one in two reports when its rule, its connection's Community ID and
 * its first evidence packet are the same: the file's name may change (a
 * capture moved or renamed in CI) and so may the message (a new finlint
 * words it better), while those three name the event on the wire.  SARIF
 * writes it as a partial fingerprint, JSON as a field, and --baseline
 * matches previous reports by it. */
#ifndef FINLINT_FINGERPRINT_H
#define FINLINT_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

#include "community-id.h"
#include "connreport.h"

/* "rule-id:community-id:packet"; room for the longest of each. */
enum { FINGERPRINT_RULE_MAX = 48, FINGERPRINT_MAX = FINGERPRINT_RULE_MAX + COMMUNITY_ID_LEN + 22 };

/* The packet a finding is located at: its first evidence packet, or for a
 * finding without evidence the connection's last packet. */
uint64_t fingerprint_packet(const struct conn_report *c, const struct conn_finding *f);

/* Write the fingerprint made of its three parts into out; return its
 * length, or 0 (out empty) when a part does not fit or holds a ':' where
 * none belongs. */
size_t fingerprint_make(char out[FINGERPRINT_MAX], const char *rule_id, const char *community_id,
			uint64_t packet);

/* Write the fingerprint of one finding of c; return its length. */
size_t fingerprint_of(char out[FINGERPRINT_MAX], const struct conn_report *c,
		      const struct conn_finding *f);

#endif
