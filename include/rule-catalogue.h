/* rule-catalogue: what every rule is called and says (ids, codes,
 * severities, explanations) and what one finding holds, with no engine
 * type in sight, so that writers can name rules and findings. */
#ifndef FINLINT_RULE_CATALOGUE_H
#define FINLINT_RULE_CATALOGUE_H

#include <stdbool.h>
#include <stdint.h>

/* Every rule, in the order of its code (FL001 first).  The enum below and
 * the rule table (src/rules-catalogue.c, one row per rule) are both made
 * from this list, so that a rule cannot have an id without a row.  A new
 * rule goes at the end, with the next code. */
#define RULE_LIST(X) \
	X(RULE_FIN_ACK_MISMATCH)            \
	X(RULE_FIN_SEQ_MISMATCH)            \
	X(RULE_DATA_AFTER_FIN)              \
	X(RULE_RST_AFTER_FIN_WAIT2_TIMEOUT) \
	X(RULE_RST_ON_DATA_AFTER_CLOSE)     \
	X(RULE_ABORTIVE_CLOSE)              \
	X(RULE_LINGER_TIMEOUT)              \
	X(RULE_FINAL_ACK_LOST)              \
	X(RULE_FINAL_ACK_MISSING)           \
	X(RULE_FIN_WAIT1_GIVEUP)            \
	X(RULE_CLOSE_WAIT_STUCK)            \
	X(RULE_TIME_WAIT_REUSE)             \
	X(RULE_TIME_WAIT_ASSASSINATION)     \
	X(RULE_RST_OUT_OF_WINDOW)           \
	X(RULE_HALF_OPEN)                   \
	X(RULE_HALF_CLOSE)                  \
	X(RULE_SIMULTANEOUS_CLOSE)          \
	X(RULE_CONNECTION_REFUSED)          \
	X(RULE_RST_WITH_PAYLOAD)            \
	X(RULE_MIDDLEBOX_RESET)             \
	X(RULE_SCAN_PROBE)                  \
	X(RULE_SOCKET_VANISHED)             \
	X(RULE_CONNECT_TIMEOUT)             \
	X(RULE_LAST_ACK_GIVEUP)             \
	X(RULE_RST_INJECTED_BETWEEN)        \
	X(RULE_CONNTRACK_IDLE_RESET)        \
	X(RULE_FINAL_ACK_LOST_BETWEEN)      \
	X(RULE_PACKET_LOST_BETWEEN)         \
	X(RULE_SYN_TO_OLD_CONNECTION)

enum rule_id {
#define RULE_ENUM(id) id,
	RULE_LIST(RULE_ENUM)
#undef RULE_ENUM
	RULE_COUNT
};

enum severity { SEV_INFO, SEV_WARNING, SEV_ERROR, SEV_NEVER };

/* How far a finding can be trusted, lowered by capture caveats. */
enum confidence { CONF_HIGH, CONF_MEDIUM, CONF_LOW };

struct rule_info {
	const char *id;   /* stable name: "rst-after-fin-wait2-timeout" */
	const char *code; /* short code: "FL004" */
	uint8_t severity; /* enum severity, the default */
	const char *title;     /* one line */
	const char *meaning;   /* what the capture shows */
	const char *signature; /* the packets that prove it */
	const char *kernel;    /* what the kernel does and why */
	const char *fix;       /* what to change in the application or host */
	const char *hint;      /* the fix in one short line, for the text report */
};

/* What one finding can hold: evidence packets, and its message's bytes. */
enum { FINDING_PKTS_MAX = 8, FINDING_MSG_MAX = 1024 };

struct finding {
	uint8_t rule;       /* enum rule_id */
	uint8_t severity;   /* enum severity */
	uint8_t confidence; /* enum confidence */
	int8_t side;        /* the endpoint it is about: 0, 1, or -1 for both */
	uint8_t npkts;
	uint64_t pkts[FINDING_PKTS_MAX]; /* evidence, ascending packet numbers */
	char message[FINDING_MSG_MAX];
};

/* Return the catalogue entry of a rule. */
const struct rule_info *rule_info(unsigned rule);

/* Find a rule by id or short code; return RULE_COUNT when unknown. */
unsigned rule_find(const char *name);

/* Return the name of a severity ("warning"), or parse one (SEV_NEVER+1 when unknown). */
const char *severity_name(unsigned sev);
unsigned severity_parse(const char *name);

/* Return "high", "medium" or "low", or parse one (CONF_LOW+1 when unknown). */
const char *confidence_name(unsigned conf);
unsigned confidence_parse(const char *name);

#endif
