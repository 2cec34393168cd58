/* rules-finding: the finding builder the rule families share: start a
 * finding, add its evidence packets, write its message, lower its
 * confidence; and the small readings of a connection record they all use. */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rules-int.h"

/* Name a side as the report does. */
const char *rules_side_name(const struct flow *f, int side)
{
	if (f->conn.mid_stream)
		return side == 0 ? "first sender" : "other side";
	return side == 0 ? "client" : "server";
}

/* Start a finding; evidence packets are added with rules_evidence(). */
struct finding *rules_found(struct check *k, unsigned rule, int side)
{
	struct finding *fd;

	if (!k->cfg->enabled[rule] || k->out->n >= RULE_COUNT)
		return NULL;
	fd = &k->out->f[k->out->n++];
	memset(fd, 0, sizeof *fd);
	fd->rule = (uint8_t)rule;
	fd->severity = rule_info(rule)->severity;
	fd->confidence = CONF_HIGH;
	fd->side = (int8_t)side;
	return fd;
}

/* Add an evidence packet once. */
void rules_evidence(struct finding *fd, uint64_t pkt)
{
	if (pkt == 0 || fd->npkts >= FINDING_PKTS_MAX)
		return;
	for (unsigned i = 0; i < fd->npkts; i++)
		if (fd->pkts[i] == pkt)
			return;
	fd->pkts[fd->npkts++] = pkt;
}

/* Append to the finding's message. */
void rules_say(struct finding *fd, const char *fmt, ...)
{
	size_t used = strlen(fd->message);
	va_list ap;

	int n;

	if (used + 1 >= sizeof fd->message)
		return;
	va_start(ap, fmt);
	n = vsnprintf(fd->message + used, sizeof fd->message - used, fmt, ap);
	va_end(ap);
	/* cut: say so rather than end mid-word */
	if (n > 0 && (size_t)n >= sizeof fd->message - used)
		memcpy(fd->message + sizeof fd->message - 4, "...", 4);
}

/* Write a timer's value in seconds into buf. */
const char *rules_duration(uint64_t ns, char *buf)
{
	int n = snprintf(buf, DURATION_MAX, "%" PRIu64, ns / NS_PER_S);

	if (ns % NS_PER_S != 0) {
		char frac[16];
		size_t len = (size_t)snprintf(frac, sizeof frac, "%09" PRIu64, ns % NS_PER_S);

		while (len > 0 && frac[len - 1] == '0')
			frac[--len] = '\0';
		n += snprintf(buf + n, DURATION_MAX - (size_t)n, ".%s", frac);
	}
	snprintf(buf + n, DURATION_MAX - (size_t)n, " s");
	return buf;
}

/* Lower a finding's confidence, saying why. */
void rules_lower(struct finding *fd, unsigned conf, const char *why)
{
	char said[32];

	if (conf > fd->confidence)
		fd->confidence = (uint8_t)conf;
	/* a second reason for the same level joins the first */
	snprintf(said, sizeof said, "; confidence %s: ", confidence_name(conf));
	if (strstr(fd->message, said) != NULL)
		rules_say(fd, ", and %s", why);
	else
		rules_say(fd, "%s%s", said, why);
}

/* Collect the packets of one side's events of one type. */
unsigned rules_event_pkts(const struct tcp_conn *c, uint8_t type, int dir, uint64_t *pkts,
			  unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < c->event_count && n < max; i++)
		if (c->events[i].type == type && (dir < 0 || c->events[i].dir == dir))
			pkts[n++] = c->events[i].pkt;
	return n;
}

/* Find one side's first event of one type after packet pkt. */
const struct tcp_event *rules_event_after(const struct tcp_conn *c, uint8_t type, int dir,
					  uint64_t pkt)
{
	for (unsigned i = 0; i < c->event_count; i++)
		if (c->events[i].type == type && (dir < 0 || c->events[i].dir == dir) &&
		    c->events[i].pkt > pkt)
			return &c->events[i];
	return NULL;
}

/* Find one side's first event of one type. */
const struct tcp_event *rules_first_event(const struct tcp_conn *c, uint8_t type, int dir)
{
	return rules_event_after(c, type, dir, 0);
}

/* Return the handshake's round trip, or a generous guess. */
uint64_t rules_round_trip(const struct tcp_conn *c)
{
	uint64_t hs;

	return tcp_conn_handshake(c, &hs) ? 2 * hs + NS_PER_S / 1000 : NS_PER_S / 5;
}
