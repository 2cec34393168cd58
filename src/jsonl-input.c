/* jsonl-input: a saved JSON Lines report as the run's input
 * (jsonl-input.h).
 *
 * A report's "file" record comes after its capture's connections, but the
 * writers need a file's facts before its first connection, so the report
 * is read twice: once for its file records, once to hand everything over
 * in order.  Each line is parsed on its own with cJSON; the connection
 * record built from it points into that parse tree, which lives until
 * every writer has seen the record.  Only what finlint writes is taken:
 * a record finlint would not write (a wrong type, a missing member) is an
 * error naming its line, never a guess. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "capset-open.h"
#include "classify.h"
#include "escape.h"
#include "finlint.h"
#include "json-record.h"
#include "jsonl-input.h"
#include "rules.h"
#include "tcpstate.h"

/* Longer lines are not finlint's: a connection record is a few KB. */
enum { LINE_MAX_BYTES = 1 << 20 };

struct saved_file {
	struct file_stats fs;
	char *path;
	/* --merge: the files of the set (merged_from) and where the evidence
	 * packets were, as the report said */
	struct capset *set;
	char **parts;
	size_t nparts;
};

/* Writers may keep a file's link type name to the end of the run (as
 * the capture reader's names are static): the names read are kept, once
 * each, for the life of the process. */
static const char *link_name_kept(const char *name)
{
	static char *kept[64];
	static unsigned n;

	for (unsigned i = 0; i < n; i++)
		if (strcmp(kept[i], name) == 0)
			return kept[i];
	if (n == sizeof kept / sizeof kept[0])
		return "unknown";
	kept[n] = strdup(name);
	if (kept[n] == NULL)
		fatal("out of memory");
	return kept[n++];
}

struct reading {
	const char *path;
	FILE *in;
	char *line;
	size_t cap;
	uint64_t lineno;
	char err[256];
};

/* The next line of the report without its newline, or NULL at the end or
 * on an error (err says which). */
static char *next_line(struct reading *rd)
{
	ssize_t n;

	errno = 0;
	n = getline(&rd->line, &rd->cap, rd->in);
	if (n < 0) {
		if (ferror(rd->in))
			snprintf(rd->err, sizeof rd->err, "read error: %s", strerror(errno));
		return NULL;
	}
	rd->lineno++;
	if (n > LINE_MAX_BYTES) {
		snprintf(rd->err, sizeof rd->err, "line %" PRIu64 ": longer than %d bytes: not a "
			 "finlint JSON Lines report", rd->lineno, LINE_MAX_BYTES);
		return NULL;
	}
	if (n > 0 && rd->line[n - 1] == '\n')
		rd->line[n - 1] = '\0';
	return rd->line;
}

static bool bad(struct reading *rd, const char *what)
{
	snprintf(rd->err, sizeof rd->err, "line %" PRIu64 ": %s", rd->lineno, what);
	return false;
}

/* Text a writer prints as it is (a message, a file name), made safe in
 * place: a report finlint wrote is valid UTF-8 without control
 * characters, so anything else was not written by finlint and becomes
 * '?' rather than reach a terminal or an output as raw bytes. */
static char *clean_text(char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t len = c < 0x80 ? 1 : escape_utf8_len((const unsigned char *)s + i, n - i);

		if (c < 0x20 || c == 0x7f || len == 0) {
			s[i++] = '?';
			continue;
		}
		i += len;
	}
	return s;
}

/* s when every byte of it is in set (names and numbers finlint writes
 * unescaped: addresses, flags, Zeek's letters), else NULL. */
static const char *plain_of(const char *s, const char *set)
{
	if (s == NULL || s[0] == '\0' || s[strspn(s, set)] != '\0')
		return NULL;
	return s;
}

/* A TCP state's name as the engine spells it, or NULL. */
static const char *state_of(const char *s)
{
	for (unsigned i = 0; s != NULL && i <= TCPS_CLOSED; i++)
		if (strcmp(tcp_state_name((uint8_t)i), s) == 0)
			return tcp_state_name((uint8_t)i);
	return NULL;
}

#define HEX_DIGITS "0123456789abcdefABCDEF"

/* Typed members; false when absent or of another type. */
static const char *str_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A string member cleaned in place (clean_text), or NULL. */
static const char *text_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? clean_text(v->valuestring) : NULL;
}

static bool u64_of(const cJSON *o, const char *key, uint64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	/* finlint's counters stay far below 2^53, where doubles are exact */
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 9007199254740992.0 ||
	    (double)(uint64_t)v->valuedouble != v->valuedouble)
		return false;
	*out = (uint64_t)v->valuedouble;
	return true;
}

static uint64_t u64_or(const cJSON *o, const char *key, uint64_t dflt)
{
	uint64_t v = 0;

	return u64_of(o, key, &v) ? v : dflt;
}

static bool true_of(const cJSON *o, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* RFC 3339 UTC as finlint writes it: 6 or 9 fractional digits. */
static bool time_of(const cJSON *o, const char *key, uint64_t *ns)
{
	const char *s = str_of(o, key);
	struct tm tm;
	char frac[10];
	int len = 0;
	time_t sec;

	if (s == NULL)
		return false;
	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%9[0-9]Z%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, frac, &len) != 7 || s[len] != '\0')
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	sec = timegm(&tm);
	if (sec < 0)
		return false;
	*ns = (uint64_t)sec * NS_PER_S;
	{
		size_t n = strlen(frac);
		uint64_t f = strtoull(frac, NULL, 10);

		for (size_t i = n; i < 9; i++)
			f *= 10;
		*ns += f;
	}
	return true;
}

/* "at": seconds since first_ts, which may be negative. */
static bool offset_of(const cJSON *o, uint64_t first_ts, uint64_t *ts)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "at");
	int64_t whole, ns;
	double at;

	if (!cJSON_IsNumber(v) || v->valuedouble > 1e9 || v->valuedouble < -1e9)
		return false;
	at = v->valuedouble;
	/* the whole seconds apart (rounded down), so that the fraction
	 * rounds to the nanosecond exactly */
	whole = (int64_t)at;
	if ((double)whole > at)
		whole--;
	ns = whole * (int64_t)NS_PER_S + (int64_t)((at - (double)whole) * 1e9 + 0.5);
	*ts = first_ts + (uint64_t)ns;
	return true;
}

static int side_of(const char *s)
{
	if (s == NULL)
		return -1;
	return strcmp(s, "client") == 0 ? 0 : strcmp(s, "server") == 0 ? 1 : -1;
}

static void put_endpoint(struct conn_endpoint *e, const cJSON *o)
{
	const char *addr = plain_of(str_of(o, "addr"), HEX_DIGITS ".:");
	uint64_t port = u64_or(o, "port", 0);

	snprintf(e->addr, sizeof e->addr, "%s", addr != NULL ? addr : "");
	e->port = (uint16_t)port;
	snprintf(e->text, sizeof e->text, strchr(e->addr, ':') != NULL ? "[%s]:%u" : "%s:%u",
		 e->addr, (unsigned)e->port);
}

static void put_fin(struct conn_fin *f, const cJSON *o)
{
	uint64_t seq = u64_or(o, "seq", 0);

	f->seq = (uint32_t)seq;
	f->pkt = u64_or(o, "packet", 0);
	if (!time_of(o, "time", &f->ts))
		f->ts = 0;
	f->times_sent = (uint32_t)u64_or(o, "times_sent", 1);
	f->before_handshake = true_of(o, "before_handshake");
	f->acked_by = u64_or(o, "acked_by_packet", 0);
}

/* The inverse of escape_bytes: \xNN, \\ and \" back to bytes. */
static uint8_t unescape_excerpt(const char *s, uint8_t *out, unsigned max)
{
	unsigned n = 0;

	while (*s != '\0' && n < max) {
		unsigned v;

		if (s[0] == '\\' && s[1] == 'x' && sscanf(s + 2, "%2x", &v) == 1) {
			out[n++] = (uint8_t)v;
			s += 4;
		} else if (s[0] == '\\' && s[1] != '\0') {
			out[n++] = (uint8_t)s[1];
			s += 2;
		} else {
			out[n++] = (uint8_t)*s++;
		}
	}
	return (uint8_t)n;
}

static void put_rst(struct conn_rst *r, const cJSON *o)
{
	const cJSON *acc = cJSON_GetObjectItemCaseSensitive(o, "accepted");
	const cJSON *ttl = cJSON_GetObjectItemCaseSensitive(o, "sender_ttl");
	const cJSON *pay = cJSON_GetObjectItemCaseSensitive(o, "payload");
	const char *flags = plain_of(str_of(o, "flags"), "FSRPAUECNW");
	const char *kind = plain_of(str_of(o, "kind"), "abcdefghijklmnopqrstuvwxyz-");
	uint64_t v = 0;

	r->pkt = u64_or(o, "packet", 0);
	snprintf(r->flags, sizeof r->flags, "%s", flags != NULL ? flags : "R");
	r->seq = (uint32_t)u64_or(o, "seq", 0);
	r->has_ack = u64_of(o, "ack", &v);
	r->ack = r->has_ack ? (uint32_t)v : 0;
	r->kind = kind != NULL ? kind : "other";
	r->count = (uint32_t)u64_or(o, "count", 1);
	if (cJSON_IsObject(acc)) {
		r->accepted_pkt = u64_or(acc, "packet", 0);
		r->ttl = (uint8_t)u64_or(acc, "ttl", 0);
		r->ip_id = (uint16_t)u64_or(acc, "ip_id", 0);
	}
	if (cJSON_IsObject(ttl)) {
		r->sender_ttl_known = true;
		r->ttl_min = (uint8_t)u64_or(ttl, "min", 0);
		r->ttl_max = (uint8_t)u64_or(ttl, "max", 0);
		r->data_ttl_known = u64_of(ttl, "data_min", &v);
		r->data_ttl_min = (uint8_t)v;
		r->data_ttl_max = (uint8_t)u64_or(ttl, "data_max", 0);
	}
	if (cJSON_IsObject(pay)) {
		const char *ex = str_of(pay, "excerpt");

		r->payload_pkt = u64_or(pay, "packet", 0);
		r->payload_bytes = (uint32_t)u64_or(pay, "bytes", 0);
		r->excerpt_len = ex != NULL ? unescape_excerpt(ex, r->excerpt, CONN_EXCERPT_MAX) : 0;
	}
}

static bool put_side(struct conn_side *s, const cJSON *o, unsigned side, bool mid_stream)
{
	const cJSON *fin = cJSON_GetObjectItemCaseSensitive(o, "fin");
	const cJSON *rst = cJSON_GetObjectItemCaseSensitive(o, "rst");
	uint64_t v = 0;

	if (!cJSON_IsObject(o) || (s->state = state_of(str_of(o, "state"))) == NULL)
		return false;
	if (mid_stream)
		s->role = side == 0 ? "first sender" : "other side";
	else
		s->role = side == 0 ? "client" : "server";
	s->packets = u64_or(o, "packets", 0);
	s->data_bytes = u64_or(o, "data_bytes", 0);
	s->retransmissions = u64_or(o, "retransmissions", 0);
	s->keepalives = u64_or(o, "keepalives", 0);
	s->gaps = (uint32_t)u64_or(o, "gaps", 0);
	s->acks_unseen = (uint32_t)u64_or(o, "acks_for_unseen_bytes", 0);
	s->isn_known = u64_of(o, "isn", &v);
	s->isn = (uint32_t)v;
	s->copies = (uint32_t)u64_or(o, "capture_copies", 0);
	s->first_copy_pkt = u64_or(o, "first_copy_packet", 0);
	s->shift_known = u64_of(o, "copy_seq_shift", &v);
	s->seq_shift = (uint32_t)v;
	s->pad_segments = (uint32_t)u64_or(o, "padding_segments", 0);
	s->first_pad_pkt = u64_or(o, "first_padding_packet", 0);
	if ((s->has_fin = cJSON_IsObject(fin)))
		put_fin(&s->fin, fin);
	if ((s->has_rst = cJSON_IsObject(rst)))
		put_rst(&s->rst, rst);
	return true;
}

static void put_timeline(struct conn_report *c, const cJSON *arr)
{
	const cJSON *e;

	c->timeline_count = 0;
	cJSON_ArrayForEach(e, arr) {
		const cJSON *pkt = cJSON_GetObjectItemCaseSensitive(e, "packet");
		const cJSON *m;
		uint64_t ts, num = 0;

		if (!offset_of(e, c->first_ts, &ts))
			continue;
		if (cJSON_IsNumber(pkt))
			u64_of(e, "packet", &num);
		/* the sides in the order they were written: the order they moved */
		cJSON_ArrayForEach(m, e) {
			int side = side_of(m->string);
			const char *state = cJSON_IsString(m) ? state_of(m->valuestring) : NULL;

			if (side < 0 || state == NULL || c->timeline_count == CONN_TIMELINE_MAX)
				continue;
			c->timeline[c->timeline_count++] = (struct conn_transition){
				.side = (uint8_t)side, .state = state, .ts = ts, .pkt = num };
		}
	}
}

static void put_events(struct conn_report *c, const cJSON *arr)
{
	const cJSON *e;

	c->event_count = 0;
	cJSON_ArrayForEach(e, arr) {
		const char *name = str_of(e, "event");
		struct conn_event *o;
		uint64_t a = 0, b = 0;
		unsigned type;

		if (name == NULL || c->event_count == CONN_EVENTS_MAX)
			continue;
		for (type = 0; type <= EV_OLD_ACK_RST; type++)
			if (strcmp(tcp_event_name((uint8_t)type), name) == 0)
				break;
		if (type > EV_OLD_ACK_RST)
			continue;
		o = &c->events[c->event_count++];
		o->name = tcp_event_name((uint8_t)type);
		o->pkt = u64_or(e, "packet", 0);
		o->side = (uint8_t)(side_of(str_of(e, "from")) == 1);
		tcp_event_fields((uint8_t)type, &o->a_name, &o->b_name);
		if (o->a_name != NULL)
			u64_of(e, o->a_name, &a);
		if (o->b_name != NULL)
			u64_of(e, o->b_name, &b);
		o->a = (uint32_t)a;
		o->b = (uint32_t)b;
	}
}

static void put_zeek(struct conn_report *c, const cJSON *o)
{
	const cJSON *split = cJSON_GetObjectItemCaseSensitive(o, "zeek_split"), *e;
	const cJSON *line = o;

	c->zeek_known = plain_of(str_of(o, "conn_state"), "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != NULL;
	c->zeek_count = 0;
	if (!c->zeek_known)
		return;
	e = cJSON_IsArray(split) ? split->child : NULL;
	while (line != NULL && c->zeek_count < CONN_ZEEK_MAX) {
		struct conn_zeek_line *z = &c->zeek[c->zeek_count];
		const char *st = plain_of(str_of(line, "conn_state"), "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
		const char *h = plain_of(str_of(line, "history"),
					 "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz^");

		if (st == NULL)
			break;
		z->first_pkt = line == o ? c->first_pkt : u64_or(line, "first_packet", 0);
		z->conn_state = st;
		z->orig_side = (uint8_t)(side_of(str_of(line, "zeek_orig")) == 1);
		snprintf(z->history, sizeof z->history, "%s", h != NULL ? h : "");
		c->zeek_count++;
		line = e;
		e = e != NULL ? e->next : NULL;
	}
	c->zeek_dropped = (uint32_t)u64_or(o, "zeek_split_dropped", 0);
}

static unsigned enum_of(const char *name, const char *(*name_of)(unsigned), unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (name != NULL && strcmp(name_of(i), name) == 0)
			return i;
	return n;
}

static const char *severity_at(unsigned i)
{
	return severity_name(i);
}

static const char *confidence_at(unsigned i)
{
	return confidence_name(i);
}

/* A finding's "frames" (--merge) into set, each by the packet number at
 * its place in "packets". */
static void put_frames(struct capset *set, const struct conn_finding *fd, const cJSON *frames)
{
	const cJSON *e;
	unsigned i = 0;

	if (set == NULL || cJSON_GetArraySize(frames) != fd->npkts)
		return;
	cJSON_ArrayForEach(e, frames) {
		const char *file = text_of(e, "file");
		uint64_t frame;

		if (file != NULL && u64_of(e, "frame", &frame))
			for (unsigned k = 0; k < capset_files(set); k++)
				if (strcmp(capset_path(set, k), file) == 0) {
					capset_add_origin(set, fd->pkts[i], k, frame);
					break;
				}
		i++;
	}
}

/* One finding object e into fd; its strings stay in e. */
static bool put_finding(struct reading *rd, struct conn_finding *fd, const cJSON *e)
{
	const cJSON *pkts = cJSON_GetObjectItemCaseSensitive(e, "packets"), *p;
	unsigned rule = rule_find(str_of(e, "rule") != NULL ? str_of(e, "rule") : "");

	if (rule == RULE_COUNT)
		return bad(rd, "a finding of a rule this finlint does not know");
	memset(fd, 0, sizeof *fd);
	fd->rule = rule_info(rule);
	fd->rule_index = rule;
	fd->severity = (uint8_t)enum_of(str_of(e, "severity"), severity_at, SEV_NEVER);
	fd->confidence = (uint8_t)enum_of(str_of(e, "confidence"), confidence_at, CONF_LOW + 1);
	if (fd->severity == SEV_NEVER || fd->confidence > CONF_LOW)
		return bad(rd, "a finding without a known severity and confidence");
	fd->side = (int8_t)side_of(str_of(e, "endpoint"));
	cJSON_ArrayForEach(p, pkts) {
		if (fd->npkts < FINDING_PKTS_MAX && cJSON_IsNumber(p) && p->valuedouble >= 0)
			fd->pkts[fd->npkts++] = (uint64_t)p->valuedouble;
	}
	fd->message = text_of(e, "message") != NULL ? text_of(e, "message") : "";
	return true;
}

static bool put_findings(struct reading *rd, struct conn_report *c, struct capset *set,
			 const cJSON *arr)
{
	const cJSON *e;

	c->finding_count = 0;
	cJSON_ArrayForEach(e, arr) {
		if (c->finding_count == RULE_COUNT)
			return bad(rd, "more findings than rules");
		struct conn_finding *fd = &c->findings[c->finding_count++];

		if (!put_finding(rd, fd, e))
			return false;
		put_frames(set, fd, cJSON_GetObjectItemCaseSensitive(e, "frames"));
	}
	return true;
}

/* A "late_finding" or "late_packets" record into l; its strings stay in o. */
static bool late_of(struct reading *rd, const cJSON *o, bool nanosecond, struct late_report *l)
{
	const char *cid = plain_of(str_of(o, "community_id"), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/:=");
	bool finding = strcmp(str_of(o, "type"), "late_finding") == 0;

	memset(l, 0, sizeof *l);
	if (!u64_of(o, "flow", &l->id))
		return bad(rd, "a late finding without its connection's id");
	l->file = text_of(o, "file") != NULL ? text_of(o, "file") : "";
	l->nanosecond = nanosecond;
	put_endpoint(&l->end[0], cJSON_GetObjectItemCaseSensitive(o, "client"));
	put_endpoint(&l->end[1], cJSON_GetObjectItemCaseSensitive(o, "server"));
	snprintf(l->community_id, sizeof l->community_id, "%s", cid != NULL ? cid : "");
	if (finding) {
		if (!put_finding(rd, &l->finding, o))
			return false;
	} else {
		const cJSON *split = cJSON_GetObjectItemCaseSensitive(o, "zeek_split"), *e;

		l->finding.side = (int8_t)(side_of(str_of(o, "endpoint")) == 1);
		l->finding.npkts = 1;
		l->finding.pkts[0] = u64_or(o, "first_packet", 0);
		cJSON_ArrayForEach(e, split) {
			struct conn_zeek_line *z = &l->zeek[l->zeek_count];
			const char *st = plain_of(str_of(e, "conn_state"),
						  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
			const char *h = plain_of(str_of(e, "history"),
						 "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz^");

			if (st == NULL || l->zeek_count == CONN_ZEEK_MAX)
				break;
			z->first_pkt = u64_or(e, "first_packet", 0);
			z->conn_state = st;
			z->orig_side = (uint8_t)(side_of(str_of(e, "zeek_orig")) == 1);
			snprintf(z->history, sizeof z->history, "%s", h != NULL ? h : "");
			l->zeek_count++;
		}
	}
	snprintf(l->message, sizeof l->message, "%s",
		 text_of(o, "message") != NULL ? text_of(o, "message") : "");
	l->finding.message = l->message;
	return true;
}

/* A "flow" record into c; its strings stay in o. */
static bool conn_of(struct reading *rd, const cJSON *o, bool nanosecond, struct capset *set,
		    struct conn_report *c)
{
	const cJSON *cp = cJSON_GetObjectItemCaseSensitive(o, "capture_point");
	const cJSON *reuse = cJSON_GetObjectItemCaseSensitive(o, "reuses");
	const char *close = str_of(o, "close"), *closer = str_of(o, "active_closer");
	const char *where = str_of(cp, "where");
	const char *cid = plain_of(str_of(o, "community_id"),
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/:=");
	uint64_t us;
	unsigned i;

	memset(c, 0, offsetof(struct conn_report, findings));
	c->file = text_of(o, "file");
	c->set = set;
	if (!u64_of(o, "id", &c->id) || c->file == NULL || close == NULL || cid == NULL ||
	    !u64_of(o, "first_packet", &c->first_pkt) || !u64_of(o, "last_packet", &c->last_pkt) ||
	    !time_of(o, "first_time", &c->first_ts) || !time_of(o, "last_time", &c->last_ts))
		return bad(rd, "a flow record without its id, file, packets, times or close");
	put_endpoint(&c->end[0], cJSON_GetObjectItemCaseSensitive(o, "client"));
	put_endpoint(&c->end[1], cJSON_GetObjectItemCaseSensitive(o, "server"));
	snprintf(c->community_id, sizeof c->community_id, "%s", cid);
	c->mid_stream = true_of(o, "mid_stream");
	c->finished_early = true_of(o, "finished_early");
	c->nanosecond = nanosecond;
	c->close_class = enum_of(close, conn_close_name, conn_close_count());
	if (c->close_class == conn_close_count())
		return bad(rd, "a close class this finlint does not know");
	c->close = conn_close_name(c->close_class);
	c->active_closer = closer == NULL ? CONN_CLOSER_NONE :
			   strcmp(closer, "both") == 0 ? CONN_CLOSER_BOTH : side_of(closer);
	c->aborted = strcmp(close, "abortive-reset") == 0;
	c->three_way = true_of(o, "three_way");
	for (i = 0; i <= CAPTURE_BETWEEN; i++)
		if (where != NULL && strcmp(capture_point_name(i), where) == 0)
			break;
	if (i > CAPTURE_BETWEEN)
		i = CAPTURE_UNKNOWN;
	c->capture_point = capture_point_name(i);
	c->capture_point_words = capture_point_words(i);
	c->handshake_seen = u64_of(cp, "syn_to_synack_us", &us);
	c->syn_to_synack_ns = c->handshake_seen ? us * 1000u : 0;
	c->synack_to_ack_ns = u64_or(cp, "synack_to_ack_us", 0) * 1000u;
	if (cJSON_IsObject(reuse)) {
		c->prev_id = u64_or(reuse, "id", 0);
		c->prev_state[0] = state_of(str_of(reuse, "client_state"));
		c->prev_state[1] = state_of(str_of(reuse, "server_state"));
		if (c->prev_state[0] == NULL || c->prev_state[1] == NULL)
			c->prev_id = 0;
	}
	if (!put_side(&c->side[0], cJSON_GetObjectItemCaseSensitive(o, "client_side"), 0,
		      c->mid_stream) ||
	    !put_side(&c->side[1], cJSON_GetObjectItemCaseSensitive(o, "server_side"), 1,
		      c->mid_stream))
		return bad(rd, "a flow record without both side records");
	put_timeline(c, cJSON_GetObjectItemCaseSensitive(o, "timeline"));
	put_events(c, cJSON_GetObjectItemCaseSensitive(o, "events"));
	c->events_dropped = (uint32_t)u64_or(o, "events_dropped", 0);
	put_zeek(c, o);
	return put_findings(rd, c, set, cJSON_GetObjectItemCaseSensitive(o, "findings"));
}

/* A --merge report's "merged_from" into f's set. */
static void put_merged(struct saved_file *f, const cJSON *arr)
{
	const cJSON *e;
	size_t n = 0;

	if (cJSON_GetArraySize(arr) < 1)
		return;
	f->nparts = (size_t)cJSON_GetArraySize(arr);
	f->parts = calloc(f->nparts, sizeof *f->parts);
	if (f->parts == NULL)
		fatal("out of memory");
	cJSON_ArrayForEach(e, arr) {
		const char *file = text_of(e, "file");

		if ((f->parts[n++] = strdup(file != NULL ? file : "?")) == NULL)
			fatal("out of memory");
	}
	f->set = capset_new(f->parts, f->nparts);
	n = 0;
	cJSON_ArrayForEach(e, arr) {
		uint64_t first = 0, last = 0;
		bool timed = time_of(e, "first_time", &first) && time_of(e, "last_time", &last);

		capset_set_part(f->set, (unsigned)n++, u64_or(e, "packets", 0), timed, first, last);
	}
	f->fs.set = f->set;
}

/* A "file" record into f. */
static bool file_of(struct reading *rd, const cJSON *o, struct saved_file *f)
{
	const char *path = text_of(o, "file");
	const char *link = plain_of(str_of(o, "link_type"),
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");
	const char *error = text_of(o, "error");
	const cJSON *back = cJSON_GetObjectItemCaseSensitive(o, "time_backwards");
	struct file_stats *fs = &f->fs;

	memset(f, 0, sizeof *f);
	if (path == NULL)
		return bad(rd, "a file record without its file");
	f->path = strdup(path);
	if (f->path == NULL)
		fatal("out of memory");
	fs->path = f->path;
	fs->link_name = link != NULL ? link_name_kept(link) : NULL;
	fs->nanosecond = true_of(o, "nanosecond");
	fs->snaplen = (int)u64_or(o, "snaplen", 0);
	fs->packets = u64_or(o, "packets", 0);
	fs->filtered = u64_or(o, "filtered_out", 0);
	fs->tcp = u64_or(o, "tcp_segments", 0);
	fs->not_ip = u64_or(o, "not_ip", 0);
	fs->not_tcp = u64_or(o, "not_tcp", 0);
	fs->connections = u64_or(o, "connections", 0);
	fs->finished_early = u64_or(o, "finished_early", 0);
	fs->max_memory = u64_or(o, "max_memory", 0);
	fs->truncated = u64_or(o, "truncated_segments", 0);
	fs->header_cut = u64_or(o, "header_truncated", 0);
	fs->fragments = u64_or(o, "fragments", 0);
	fs->malformed = u64_or(o, "malformed", 0);
	fs->tunneled = u64_or(o, "tunneled", 0);
	fs->late_packets = u64_or(o, "late_packets", 0);
	fs->late_findings = u64_or(o, "late_findings", 0);
	fs->capture_copies = u64_or(o, "capture_copies", 0);
	fs->timed = time_of(o, "first_time", &fs->first_ts) && time_of(o, "last_time", &fs->last_ts);
	if (cJSON_IsObject(back)) {
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(back, "seconds");

		fs->time_back = u64_or(back, "count", 0);
		fs->time_back_pkt = u64_or(back, "first_packet", 0);
		fs->time_back_ns = cJSON_IsNumber(s) && s->valuedouble > 0 ?
				   (uint64_t)(s->valuedouble * 1e9 + 0.5) : 0;
	}
	fs->unsupported_link = true_of(o, "unsupported_link");
	put_merged(f, cJSON_GetObjectItemCaseSensitive(o, "merged_from"));
	if (error != NULL) {
		snprintf(fs->error, sizeof fs->error, "%s", error);
		fs->read_error = !fs->unsupported_link;
	}
	return true;
}

static const char *type_of(const cJSON *o)
{
	const char *t = str_of(o, "type");

	return t != NULL ? t : "";
}

static cJSON *parse_line(struct reading *rd, const char *line)
{
	cJSON *o = cJSON_Parse(line);

	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		bad(rd, rd->lineno == 1 ? "not JSON: not a finlint JSON Lines report" :
			"not a JSON object");
		return NULL;
	}
	return o;
}

/* The first pass: the report's file records, in order. */
static bool read_files(struct reading *rd, struct saved_file **files, size_t *n)
{
	size_t cap = 0;
	char *line;
	bool header = false;

	*files = NULL;
	*n = 0;
	while ((line = next_line(rd)) != NULL) {
		cJSON *o = parse_line(rd, line);
		const char *t;

		if (o == NULL)
			return false;
		t = type_of(o);
		if (!header) {
			uint64_t v = 0;

			if (strcmp(t, "header") != 0 || strcmp(str_of(o, "tool") ? str_of(o, "tool") : "",
							       "finlint") != 0) {
				cJSON_Delete(o);
				return bad(rd, "not a finlint JSON Lines report (its first line is "
					       "not finlint's header)");
			}
			u64_of(o, "schema_version", &v);
			if (v != JSON_SCHEMA_VERSION) {
				cJSON_Delete(o);
				snprintf(rd->err, sizeof rd->err,
					 "written with schema_version %" PRIu64 "; this finlint reads "
					 "version %d: run the older report's finlint, or analyse the "
					 "captures again", v, JSON_SCHEMA_VERSION);
				return false;
			}
			header = true;
		} else if (strcmp(t, "file") == 0) {
			if (*n == cap) {
				size_t old = cap;

				cap = cap == 0 ? 8 : 2 * cap;
				*files = realloc(*files, cap * sizeof **files);
				if (*files == NULL)
					fatal("out of memory");
				/* zero: every slot's path can be freed */
				memset(*files + old, 0, (cap - old) * sizeof **files);
			}
			if (!file_of(rd, o, &(*files)[*n])) {
				cJSON_Delete(o);
				return false;
			}
			(*n)++;
		}
		cJSON_Delete(o);
	}
	if (rd->err[0] != '\0')
		return false;
	if (!header)
		return bad(rd, "empty: not a finlint JSON Lines report");
	/* room for the file of connections after the last file record */
	if (*n == cap) {
		*files = realloc(*files, (*n + 1) * sizeof **files);
		if (*files == NULL)
			fatal("out of memory");
		memset(&(*files)[*n], 0, sizeof **files);
	}
	return true;
}

/* The file of a flow record after the report's last file record: the
 * report was cut short.  files has room for it (read_files saw to it). */
static void cut_short(struct reading *rd, const cJSON *flow, struct saved_file *f)
{
	const char *path = text_of(flow, "file");

	memset(f, 0, sizeof *f);
	f->path = strdup(path != NULL ? path : "?");
	if (f->path == NULL)
		fatal("out of memory");
	f->fs.path = f->path;
	snprintf(f->fs.error, sizeof f->fs.error,
		 "the report %s ends before this capture's file record: cut short?", rd->path);
	f->fs.read_error = true;
	escape_diag(rd->path, "line %" PRIu64 ": %s", rd->lineno, f->fs.error);
}

/* The second pass: everything to the report, in order. */
static bool replay(struct reading *rd, struct report *r, struct saved_file *files, size_t n)
{
	static struct conn_report c; /* large: one at a time, never on the stack */
	size_t k = 0;
	bool open = false, ok = true;
	uint64_t flows = 0;
	char *line;

	while ((line = next_line(rd)) != NULL) {
		cJSON *o = parse_line(rd, line);
		const char *t;

		if (o == NULL) {
			ok = false;
			break;
		}
		t = type_of(o);
		/* a record finlint would not write is an error before anything
		 * of it is reported */
		if (strcmp(t, "flow") == 0 &&
		    !conn_of(rd, o, k < n && files[k].fs.nanosecond, k < n ? files[k].set : NULL,
			     &c)) {
			cJSON_Delete(o);
			ok = false;
			break;
		}
		if ((strcmp(t, "flow") == 0 || strcmp(t, "file") == 0) && !open) {
			if (k == n) {
				/* a report cut short: its last capture's record is
				 * missing, its connections are still reported */
				cut_short(rd, o, &files[k]);
				ok = false;
			}
			report_begin_file(r, &files[k].fs);
			open = true;
			flows = 0;
		}
		if (strcmp(t, "flow") == 0) {
			flows++;
			report_conn(r, &c);
		} else if (strcmp(t, "file") == 0) {
			if (flows < files[k].fs.connections)
				escape_diag(rd->path, "%" PRIu64 " of the %" PRIu64 " connections of %s "
					    "are not in this report (written with --flows flagged or "
					    "none): the totals leave them out", files[k].fs.connections - flows,
					    files[k].fs.connections, files[k].fs.path);
			report_end_file(r, &files[k].fs);
			if (files[k].fs.error[0] != '\0')
				ok = false;
			open = false;
			k++;
		} else if (strcmp(t, "late_finding") == 0 || strcmp(t, "late_packets") == 0) {
			static struct late_report late;

			if (!open || !late_of(rd, o, files[k].fs.nanosecond, &late)) {
				cJSON_Delete(o);
				ok = open ? false : bad(rd, "a late finding outside any file");
				break;
			}
			report_late(r, &late);
		} else if (strcmp(t, "header") != 0 && strcmp(t, "finding") != 0 &&
			   strcmp(t, "summary") != 0) {
			cJSON_Delete(o);
			ok = bad(rd, "a record of a type finlint does not write");
			break;
		}
		cJSON_Delete(o);
	}
	if (open) /* the report stopped inside a file: end it with what it had */
		report_end_file(r, &files[k].fs);
	return ok && rd->err[0] == '\0';
}

/* A report that could not be read at all is an input that failed, as an
 * unreadable capture is: a file record with its error. */
static void unreadable(const char *path, const char *why, struct report *r)
{
	struct file_stats fs;

	memset(&fs, 0, sizeof fs);
	fs.path = path;
	fs.read_error = true;
	snprintf(fs.error, sizeof fs.error, "%s", why);
	report_begin_file(r, &fs);
	report_end_file(r, &fs);
}

bool jsonl_input_run(const char *path, struct report *r)
{
	struct reading rd = { .path = path };
	struct saved_file *files = NULL;
	size_t n = 0;
	bool ok, replayed = false;
	const char *why;

	rd.in = strcmp(path, "-") == 0 ? NULL : fopen(path, "r");
	if (rd.in == NULL) {
		why = strcmp(path, "-") == 0 ?
		      "--from-jsonl reads each report twice: give a file, not standard input" :
		      strerror(errno);
		escape_diag(path, "%s", why);
		unreadable(path, why, r);
		return false;
	}
	ok = read_files(&rd, &files, &n);
	if (ok) {
		rewind(rd.in);
		rd.lineno = 0;
		replayed = true;
		ok = replay(&rd, r, files, n);
	}
	if (rd.err[0] != '\0')
		escape_diag(path, "%s", rd.err);
	if (!ok && !replayed)
		unreadable(path, rd.err[0] != '\0' ? rd.err : "not readable", r);
	/* after a whole first pass there is one slot more (cut_short's) */
	for (size_t i = 0; files != NULL && i < n + (replayed ? 1 : 0); i++) {
		free(files[i].path);
		capset_free(files[i].set);
		for (size_t j = 0; j < files[i].nparts; j++)
			free(files[i].parts[j]);
		free(files[i].parts);
	}
	free(files);
	free(rd.line);
	fclose(rd.in);
	return ok;
}
