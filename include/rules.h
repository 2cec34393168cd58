/* rules: read a finished connection's engine record and say what went
 * wrong, with the packets that prove it, the likely cause and the fix.
 *
 * The catalogue (ids, severities, explanations, rule-catalogue.h) lives
 * in src/rules-catalogue.c; the checks, one file per rule family, in
 * src/rules-*.c (rules-int.h lists them); rules_check in src/rules.c. */
#ifndef FINLINT_RULES_H
#define FINLINT_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "classify.h"
#include "flow.h"
#include "rule-catalogue.h"

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

/* What the rules made of a finished connection: how it ended, computed
 * once here for the rules, the totals and every writer, and the findings. */
struct findings {
	struct close_verdict close;
	unsigned n;
	struct finding f[RULE_COUNT];
};

/* Check the rule table for what the compiler cannot: every row with a
 * check and all its texts, ids unique, row i's code FL00(i+1).  Return
 * the first rule whose row is wrong, or RULE_COUNT when all are right;
 * rules_config_init stops finlint on a wrong table. */
unsigned rules_table_broken(void);

/* Return a profile by name ("linux", "windows", "bsd", "macos"), or NULL. */
const struct timer_profile *timer_profile_find(const char *name);

/* Return the profile names for messages: "linux, windows, bsd or macos". */
const char *timer_profile_names(void);

/* Fill cfg with profile's timers and every rule enabled. */
void rules_config_init(struct rule_config *cfg, const struct timer_profile *profile);

/* Enable or disable the rules of a comma-separated list of ids or codes;
 * "all" names every rule.  Return false, with the bad name copied to
 * bad, when a name is unknown. */
bool rules_config_select(struct rule_config *cfg, const char *list, bool enable, char *bad,
			 unsigned bad_size);

/* Check a finished connection: out receives its findings, ordered by
 * their first evidence packet. */
void rules_check(const struct rule_config *cfg, const struct flow *f, struct findings *out);

struct tomb;
struct tomb_note;

/* The late findings (rules-late.c) of what packets found for a closed
 * connection's tombstone t after its record was written (note n), in
 * out->f in order of first evidence; return how many.  out->close is
 * left alone. */
unsigned rules_late(const struct rule_config *cfg, const struct tomb *t, const struct tomb_note *n,
		    struct findings *out);

/* Name a side in prose: "client"/"server", or for a connection picked up
 * mid-stream "first sender"/"other side". */
const char *rules_side_name(const struct flow *f, int side);

#endif
