/* rules-config: what a run's rules are set to: the timer profiles of the
 * closing host's operating system, and which rules are enabled. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "finlint.h"
#include "rules-int.h"

static const struct timer_profile profiles[] = {
	{ "linux", 60, 60, "net.ipv4.tcp_fin_timeout", "TCP_TIMEWAIT_LEN, fixed", "TCP_LINGER2" },
	{ "windows", 120, 120, "TcpFinWait2Delay", "TcpTimedWaitDelay (240 s before Windows 10)",
	  NULL },
	{ "bsd", 60, 60, "net.inet.tcp.finwait2_timeout", "2 x net.inet.tcp.msl", NULL },
	{ "macos", 60, 30, "net.inet.tcp.fin_timeout", "2 x net.inet.tcp.msl", NULL },
};

/* Find a timer profile by name. */
const struct timer_profile *timer_profile_find(const char *name)
{
	for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++)
		if (strcmp(name, profiles[i].name) == 0)
			return &profiles[i];
	return NULL;
}

/* List the profile names for messages. */
const char *timer_profile_names(void)
{
	static char names[64];
	const size_t n = sizeof profiles / sizeof profiles[0];

	if (names[0] == '\0') {
		for (size_t i = 0; i < n; i++) {
			size_t used = strlen(names);

			snprintf(names + used, sizeof names - used, "%s%s",
				 i == 0 ? "" : i + 1 < n ? ", " : " or ", profiles[i].name);
		}
	}
	return names;
}

/* No kernel timer ends CLOSE_WAIT; past this an application is late. */
enum { CLOSE_WAIT_DEFAULT_S = 60 };

/* Set the profile's timers and enable every rule. */
void rules_config_init(struct rule_config *cfg, const struct timer_profile *profile)
{
	unsigned broken = rules_table_broken();

	if (broken < RULE_COUNT)
		fatal("rules-catalogue.c: the row of FL%03u (%s) lacks its check or a text, has "
		      "another code, or repeats an id", broken + 1,
		      rule_info(broken)->id != NULL ? rule_info(broken)->id : "no id");
	memset(cfg, 0, sizeof *cfg);
	cfg->profile = profile != NULL ? profile : &profiles[0];
	cfg->fin_timeout_ns = cfg->profile->fin_timeout_s * NS_PER_S;
	cfg->time_wait_ns = cfg->profile->time_wait_s * NS_PER_S;
	cfg->close_wait_ns = CLOSE_WAIT_DEFAULT_S * NS_PER_S;
	for (unsigned i = 0; i < RULE_COUNT; i++)
		cfg->enabled[i] = true;
}

/* Enable or disable the rules of a list. */
bool rules_config_select(struct rule_config *cfg, const char *list, bool enable, char *bad,
			 unsigned bad_size)
{
	const char *p = list;

	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		char name[64];
		unsigned id;

		if (n == 0 || n >= sizeof name) {
			snprintf(bad, bad_size, "%.*s", (int)(n < 60 ? n : 60), p);
			return false;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		if (strcmp(name, "all") == 0) {
			for (unsigned i = 0; i < RULE_COUNT; i++)
				cfg->enabled[i] = enable;
		} else if ((id = rule_find(name)) < RULE_COUNT) {
			cfg->enabled[id] = enable;
		} else {
			snprintf(bad, bad_size, "%s", name);
			return false;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return true;
}
