/* rules: read a finished connection's engine record and say what went
 * wrong, with the packets that prove it, the likely cause and the fix.
 *
 * The catalogue (ids, severities, explanations) lives in
 * src/rules-catalogue.c; the checks in src/rules.c.  A connection gets at
 * most one finding per rule. */
#ifndef FINLINT_RULES_H
#define FINLINT_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "classify.h"
#include "flow.h"

enum rule_id {
	RULE_FIN_ACK_MISMATCH,
	RULE_FIN_SEQ_MISMATCH,
	RULE_DATA_AFTER_FIN,
	RULE_RST_AFTER_FIN_WAIT2_TIMEOUT,
	RULE_RST_ON_DATA_AFTER_CLOSE,
	RULE_ABORTIVE_CLOSE,
	RULE_LINGER_TIMEOUT,
	RULE_FINAL_ACK_LOST,
	RULE_FINAL_ACK_MISSING,
	RULE_FIN_WAIT1_GIVEUP,
	RULE_CLOSE_WAIT_STUCK,
	RULE_TIME_WAIT_REUSE,
	RULE_TIME_WAIT_ASSASSINATION,
	RULE_RST_OUT_OF_WINDOW,
	RULE_HALF_OPEN,
	RULE_HALF_CLOSE,
	RULE_SIMULTANEOUS_CLOSE,
	RULE_CONNECTION_REFUSED,
	RULE_RST_WITH_PAYLOAD,
	RULE_MIDDLEBOX_RESET,
	RULE_SCAN_PROBE,
	RULE_SOCKET_VANISHED,
	RULE_CONNECT_TIMEOUT,
	RULE_LAST_ACK_GIVEUP,
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

/* Timer values of the closing host's operating system. */
struct timer_profile {
	const char *name;
	uint32_t fin_timeout_s; /* orphaned FIN_WAIT_2 lifetime */
	uint32_t time_wait_s;   /* TIME_WAIT (2 MSL) */
	const char *fin_knob;   /* where a user changes it */
	const char *time_wait_knob;
	const char *fin_socket_knob; /* a per-socket override, or NULL */
};

struct rule_config {
	const struct timer_profile *profile;
	uint64_t fin_timeout_ns;
	uint64_t time_wait_ns;
	uint64_t close_wait_ns; /* longer than this in CLOSE_WAIT is stuck */
	bool fin_timeout_set, time_wait_set; /* overridden on the command line */
	bool enabled[RULE_COUNT];
};

enum { FINDING_PKTS_MAX = 8, FINDING_MSG_MAX = 512 };

struct finding {
	uint8_t rule;       /* enum rule_id */
	uint8_t severity;   /* enum severity */
	uint8_t confidence; /* enum confidence */
	int8_t side;        /* the endpoint it is about: 0, 1, or -1 for both */
	uint8_t npkts;
	uint64_t pkts[FINDING_PKTS_MAX]; /* evidence, ascending packet numbers */
	char message[FINDING_MSG_MAX];
};

/* What the rules made of a finished connection: how it ended, computed
 * once here for the rules, the totals and every writer, and the findings. */
struct findings {
	struct close_verdict close;
	unsigned n;
	struct finding f[RULE_COUNT];
};

/* Return the catalogue entry of a rule. */
const struct rule_info *rule_info(unsigned rule);

/* Find a rule by id or short code; return RULE_COUNT when unknown. */
unsigned rule_find(const char *name);

/* Return a profile by name ("linux", "windows", "bsd", "macos"), or NULL. */
const struct timer_profile *timer_profile_find(const char *name);

/* Return the profile names, comma separated, for messages. */
const char *timer_profile_names(void);

/* Fill cfg with profile's timers and every rule enabled. */
void rules_config_init(struct rule_config *cfg, const struct timer_profile *profile);

/* Enable or disable the rules of a comma-separated list of ids or codes;
 * "all" names every rule.  Return false, with the bad name copied to
 * bad, when a name is unknown. */
bool rules_config_select(struct rule_config *cfg, const char *list, bool enable, char *bad,
			 unsigned bad_size);

/* Return the name of a severity ("warning"), or parse one (SEV_NEVER+1 when unknown). */
const char *severity_name(unsigned sev);
unsigned severity_parse(const char *name);

/* Return "high", "medium" or "low", or parse one (CONF_LOW+1 when unknown). */
const char *confidence_name(unsigned conf);
unsigned confidence_parse(const char *name);

/* Check a finished connection: out receives its findings, ordered by
 * their first evidence packet. */
void rules_check(const struct rule_config *cfg, const struct flow *f, struct findings *out);


/* Name a side in prose: "client"/"server", or for a connection picked up
 * mid-stream "first sender"/"other side". */
const char *rules_side_name(const struct flow *f, int side);

#endif
