/* report-sarif: SARIF 2.1.0 (OASIS), the format code-scanning services
 * take, GitHub's first.  One run; every rule of the catalogue in
 * tool.driver.rules; one result per finding, located in the capture file
 * at its first evidence packet (the frame number stands in for the line
 * number a source file would have, which GitHub requires), with every
 * evidence packet as a related location linked from the message, the
 * connection as a logical location, and partial fingerprints that stay
 * the same from run to run.  Results are written as connections finish;
 * only the list of input files waits for the end. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha1.h>

#include "connreport.h"
#include "escape.h"
#include "filestats.h"
#include "fingerprint.h"
#include "finlint.h"
#include "json-writer.h"
#include "report.h"
#include "rule-catalogue.h"

/* The URI the schema's own "id" gives: consumers that look the schema up
 * find the document the tests validate against. */
static const char SARIF_SCHEMA[] =
	"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

struct artifact {
	char *uri;
	char *error; /* why the file could not be read whole, or NULL */
	const char *link_name;
	uint64_t packets, connections;
};

struct sarif_state {
	struct jw w; /* the log around the results, drained as it goes */
	struct jw r; /* one connection's results at a time */
	bool first_result;
	struct artifact *art;
	size_t count, cap;
};

/* SARIF levels: "note" is what the catalogue calls info. */
static const char *level_name(unsigned sev)
{
	return sev == SEV_ERROR ? "error" : sev == SEV_WARNING ? "warning" : "note";
}

/* A file name as a relative URI reference, or for an absolute name a file
 * URI: every byte but the unreserved ones and '/' percent-encoded, so that
 * spaces, '%', '#', '?' and bytes that are not UTF-8 all survive, and a
 * ':' in the first segment cannot pass for a scheme (RFC 3986 4.2). */
static char *path_uri(const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(path);
	char *out = xmalloc(3 * n + sizeof "file://"), *p = out;

	if (path[0] == '/') {
		memcpy(p, "file://", 7);
		p += 7;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)path[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
			*p++ = (char)c;
		} else {
			*p++ = '%';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		}
	}
	*p = '\0';
	return out;
}

/* Copy text to p with its braces doubled: SARIF reads "{n}" in a
 * plain-text message as a placeholder (SARIF 2.1.0 3.11.5); p has room
 * for twice the text.  Returns the end. */
static char *copy_braces(char *p, const char *text)
{
	for (; *text != '\0'; text++) {
		*p++ = *text;
		if (*text == '{' || *text == '}')
			*p++ = *text;
	}
	*p = '\0';
	return p;
}

static void put_text_object(struct jw *w, const char *key, const char *text)
{
	jw_object(w, key);
	jw_string(w, "text", text);
	jw_end(w);
}

/* The rule's explanation as help text, the sections --explain prints. */
static void put_help(struct jw *w, const struct rule_info *ri)
{
	size_t n = strlen(ri->meaning) + strlen(ri->signature) + strlen(ri->kernel) +
		   strlen(ri->fix) + strlen(ri->code) + 128;
	char *s = xmalloc(n);

	snprintf(s, n, "%s\n\nPacket signature: %s\n\nKernel behaviour: %s\n\nFix: %s\n\n"
		 "finlint --explain %s prints this text.",
		 ri->meaning, ri->signature, ri->kernel, ri->fix, ri->code);
	put_text_object(w, "help", s);
	free(s);
}

static void put_rules(struct jw *w)
{
	jw_array(w, "rules");
	for (unsigned i = 0; i < RULE_COUNT; i++) {
		const struct rule_info *ri = rule_info(i);

		jw_object(w, NULL);
		jw_plain(w, "id", ri->id);
		put_text_object(w, "shortDescription", ri->title);
		put_text_object(w, "fullDescription", ri->meaning);
		put_help(w, ri);
		jw_object(w, "defaultConfiguration");
		jw_plain(w, "level", level_name(ri->severity));
		jw_end(w);
		jw_object(w, "properties");
		jw_plain(w, "code", ri->code);
		jw_array(w, "tags");
		jw_plain(w, NULL, "tcp");
		jw_plain(w, NULL, "teardown");
		jw_plain(w, NULL, ri->code);
		jw_end(w);
		/* GitHub orders non-security results by this */
		jw_plain(w, "problem.severity", ri->severity == SEV_ERROR ? "error" :
						ri->severity == SEV_WARNING ? "warning" :
									      "recommendation");
		jw_end(w);
		jw_end(w);
	}
	jw_end(w);
}

/* The log's head, the tool with its rules, and the opening of results;
 * written by the first call of any kind. */
static struct sarif_state *state(struct report_writer *rw)
{
	struct sarif_state *st = rw->priv;
	struct jw *w;

	if (st != NULL)
		return st;
	st = xcalloc(1, sizeof *st);
	st->first_result = true;
	rw->priv = st;
	w = &st->w;
	jw_object(w, NULL);
	jw_plain(w, "$schema", SARIF_SCHEMA);
	jw_plain(w, "version", "2.1.0");
	jw_array(w, "runs");
	jw_object(w, NULL);
	jw_object(w, "tool");
	jw_object(w, "driver");
	jw_plain(w, "name", "finlint");
	jw_plain(w, "version", PACKAGE_VERSION);
	jw_plain(w, "semanticVersion", PACKAGE_VERSION);
	put_rules(w);
	jw_end(w);
	jw_end(w);
	jw_array(w, "results");
	jw_drain(w, rw->out);
	return st;
}

static void sarif_begin_file(struct report_writer *rw, const struct file_stats *fs)
{
	struct sarif_state *st = state(rw);
	struct artifact *a;

	if (st->count == st->cap) {
		st->cap = st->cap == 0 ? 8 : 2 * st->cap;
		st->art = xrealloc(st->art, st->cap, sizeof *st->art);
	}
	a = &st->art[st->count++];
	memset(a, 0, sizeof *a);
	a->uri = path_uri(fs->path);
}

static void put_artifact_location(struct jw *w, const struct sarif_state *st)
{
	jw_object(w, "artifactLocation");
	jw_plain(w, "uri", st->art[st->count - 1].uri);
	jw_uint(w, "index", st->count - 1);
	jw_end(w);
}

static void put_packet_location(struct jw *w, const struct sarif_state *st, uint64_t pkt)
{
	jw_object(w, "physicalLocation");
	put_artifact_location(w, st);
	jw_object(w, "region");
	jw_uint(w, "startLine", pkt > 0 ? pkt : 1);
	jw_end(w);
	jw_end(w);
}

/* What GitHub keys its alerts on, when it is there, is
 * primaryLocationLineHash; the upload action would otherwise hash the
 * "line" of the capture file at the frame number, which a binary file
 * does not have.  It is a digest of our fingerprint, in the action's
 * "hex:occurrence" form. */
static void put_fingerprints(struct jw *w, const char *fp)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t digest[SHA1_DIGEST_SIZE];
	struct sha1_ctx ctx;
	char line_hash[2 * 8 + 3], *p = line_hash;

	sha1_init(&ctx);
	sha1_update(&ctx, strlen(fp), (const uint8_t *)fp);
	sha1_digest(&ctx, sizeof digest, digest);
	for (unsigned i = 0; i < 8; i++) {
		*p++ = hex[digest[i] >> 4];
		*p++ = hex[digest[i] & 15];
	}
	memcpy(p, ":1", 3);
	jw_object(w, "partialFingerprints");
	jw_string(w, "finlint/v1", fp);
	jw_plain(w, "primaryLocationLineHash", line_hash);
	jw_end(w);
}

/* "Connection 3 (a -> b): message. Evidence: packets [6](1), [8](2).
 * Fix: hint."  The links name the related locations, so that a viewer
 * takes the reader to each evidence packet. */
static void put_result_message(struct jw *w, const struct conn_report *c,
			       const struct conn_finding *f)
{
	size_t n = 2 * (strlen(f->message) + strlen(f->rule->hint) + 2 * CONN_ENDPOINT_MAX + 48) +
		   FINDING_PKTS_MAX * 32 + 32;
	char *msg = xmalloc(n), *p = msg, head[2 * CONN_ENDPOINT_MAX + 48];

	snprintf(head, sizeof head, "Connection %" PRIu64 " (%s -> %s): ", c->id, c->end[0].text,
		 c->end[1].text);
	p = copy_braces(p, head);
	p = copy_braces(p, f->message);
	*p++ = '.';
	if (f->npkts > 0) {
		p += sprintf(p, " Evidence: packet%s", f->npkts > 1 ? "s" : "");
		for (unsigned i = 0; i < f->npkts; i++)
			p += sprintf(p, "%s [%" PRIu64 "](%u)", i == 0 ? "" : ",", f->pkts[i], i + 1);
		*p++ = '.';
	}
	memcpy(p, " Fix: ", 6);
	p = copy_braces(p + 6, f->rule->hint);
	memcpy(p, ".", 2);
	jw_object(w, "message");
	jw_string(w, "text", msg);
	jw_end(w);
	free(msg);
}

static void put_result(struct sarif_state *st, const struct report_writer *rw,
		       const struct conn_report *c, const struct conn_finding *f)
{
	struct jw *w = &st->r;
	char fp[FINGERPRINT_MAX];

	fingerprint_of(fp, c, f);
	/* the separator goes out with the record: one write per connection */
	jw_raw(w, st->first_result ? "\n" : ",\n", st->first_result ? 1 : 2);
	st->first_result = false;
	jw_object(w, NULL);
	jw_plain(w, "ruleId", f->rule->id);
	jw_uint(w, "ruleIndex", f->rule_index);
	jw_plain(w, "level", level_name(f->severity));
	put_result_message(w, c, f);
	jw_array(w, "locations");
	jw_object(w, NULL);
	put_packet_location(w, st, fingerprint_packet(c, f));
	jw_array(w, "logicalLocations");
	jw_object(w, NULL);
	{
		char name[2 * CONN_ENDPOINT_MAX + 48];

		snprintf(name, sizeof name, "connection %" PRIu64 " %s -> %s", c->id, c->end[0].text,
			 c->end[1].text);
		jw_string(w, "name", name);
		jw_string(w, "fullyQualifiedName", c->community_id);
	}
	/* none of SARIF's kinds fits; the spec allows others */
	jw_plain(w, "kind", "connection");
	jw_end(w);
	jw_end(w);
	jw_end(w);
	jw_end(w);
	if (f->npkts > 0) {
		jw_array(w, "relatedLocations");
		for (unsigned i = 0; i < f->npkts; i++) {
			char text[40];

			jw_object(w, NULL);
			jw_uint(w, "id", i + 1);
			put_packet_location(w, st, f->pkts[i]);
			snprintf(text, sizeof text, "packet %" PRIu64, f->pkts[i]);
			put_text_object(w, "message", text);
			jw_end(w);
		}
		jw_end(w);
	}
	put_fingerprints(w, fp);
	if (rw->opt->baseline != NULL)
		jw_plain(w, "baselineState", f->baselined ? "unchanged" : "new");
	jw_object(w, "properties");
	jw_uint(w, "connection", c->id);
	jw_plain(w, "communityId", c->community_id);
	jw_plain(w, "confidence", confidence_name(f->confidence));
	if (f->side >= 0)
		jw_plain(w, "endpoint", c->side[f->side].role);
	jw_plain(w, "close", c->close);
	jw_array(w, "packets");
	for (unsigned i = 0; i < f->npkts; i++)
		jw_uint(w, NULL, f->pkts[i]);
	jw_end(w);
	jw_end(w);
	jw_end(w);
}

static void sarif_conn(struct report_writer *rw, const struct conn_report *c)
{
	struct sarif_state *st = state(rw);

	if (st->count == 0)
		return; /* a record outside any file: none is made */
	st->art[st->count - 1].connections++;
	for (unsigned i = 0; i < c->finding_count; i++)
		put_result(st, rw, c, &c->findings[i]);
	if (st->r.len > 0)
		jw_flush(&st->r, rw->out);
}

/* A late finding is a result as any finding is, its close "late". */
static void sarif_late(struct report_writer *rw, const struct late_report *l)
{
	struct sarif_state *st = state(rw);
	struct conn_report *c;

	if (st->count == 0 || l->finding.rule == NULL)
		return;
	c = xmalloc(sizeof *c);
	report_late_record(l, c);
	put_result(st, rw, c, &c->findings[0]);
	if (st->r.len > 0)
		jw_flush(&st->r, rw->out);
	free(c);
}

static void sarif_end_file(struct report_writer *rw, const struct file_stats *fs)
{
	struct sarif_state *st = state(rw);
	struct artifact *a;

	if (st->count == 0)
		return;
	a = &st->art[st->count - 1];
	a->link_name = fs->link_name;
	a->packets = fs->packets;
	if (fs->error[0] != '\0')
		a->error = xstrdup(fs->error);
}

static void put_artifacts(struct jw *w, const struct sarif_state *st)
{
	jw_array(w, "artifacts");
	for (size_t i = 0; i < st->count; i++) {
		const struct artifact *a = &st->art[i];

		jw_object(w, NULL);
		jw_object(w, "location");
		jw_plain(w, "uri", a->uri);
		jw_end(w);
		jw_array(w, "roles");
		jw_plain(w, NULL, "analysisTarget");
		jw_end(w);
		jw_object(w, "properties");
		if (a->link_name != NULL)
			jw_plain(w, "linkType", a->link_name);
		jw_uint(w, "packets", a->packets);
		jw_uint(w, "connections", a->connections);
		jw_end(w);
		jw_end(w);
	}
	jw_end(w);
}

/* The run's settings that change what a rule reports: --severity, and
 * rules left out (--select, --ignore, --severity RULE=off). */
static void put_overrides(struct jw *w, const struct report_options *opt)
{
	bool any = false;

	for (unsigned i = 0; i < RULE_COUNT; i++) {
		const struct rule_info *ri = rule_info(i);
		bool level = opt->severity_set[i] && opt->severity[i] != ri->severity;

		if (!level && !opt->disabled[i])
			continue;
		if (!any)
			jw_array(w, "ruleConfigurationOverrides");
		any = true;
		jw_object(w, NULL);
		jw_object(w, "descriptor");
		jw_plain(w, "id", ri->id);
		jw_uint(w, "index", i);
		jw_end(w);
		jw_object(w, "configuration");
		if (opt->disabled[i])
			jw_bool(w, "enabled", false);
		else
			jw_plain(w, "level", level_name(opt->severity[i]));
		jw_end(w);
		jw_end(w);
	}
	if (any)
		jw_end(w);
}

static void put_invocation(struct jw *w, const struct sarif_state *st,
			   const struct report_writer *rw)
{
	bool any = false;

	jw_array(w, "invocations");
	jw_object(w, NULL);
	/* an input that could not be read whole is exit status 3: the
	 * analysis of the others is still in the log */
	jw_bool(w, "executionSuccessful", rw->sum->exit_status != EXIT_INPUT);
	jw_uint(w, "exitCode", (uint64_t)rw->sum->exit_status);
	put_overrides(w, rw->opt);
	for (size_t i = 0; i < st->count; i++) {
		const struct artifact *a = &st->art[i];

		if (a->error == NULL)
			continue;
		if (!any)
			jw_array(w, "toolExecutionNotifications");
		any = true;
		jw_object(w, NULL);
		jw_plain(w, "level", "error");
		put_text_object(w, "message", a->error);
		jw_array(w, "locations");
		jw_object(w, NULL);
		jw_object(w, "physicalLocation");
		jw_object(w, "artifactLocation");
		jw_plain(w, "uri", a->uri);
		jw_uint(w, "index", i);
		jw_end(w);
		jw_end(w);
		jw_end(w);
		jw_end(w);
		jw_end(w);
	}
	if (any)
		jw_end(w);
	jw_end(w);
	jw_end(w);
}

/* The totals a CI script wants without counting results. */
static void put_summary(struct jw *w, const struct report_writer *rw)
{
	const struct run_summary *sum = rw->sum;

	jw_object(w, "properties");
	jw_uint(w, "files", sum->files);
	jw_uint(w, "filesFailed", sum->files_failed);
	jw_uint(w, "packets", sum->packets);
	jw_uint(w, "connections", sum->connections);
	jw_object(w, "findings");
	for (unsigned i = SEV_INFO; i < SEV_NEVER; i++)
		jw_uint(w, severity_name(i), sum->findings[i]);
	jw_end(w);
	jw_plain(w, "failOn", severity_name(rw->opt->fail_on));
	jw_plain(w, "minConfidence", confidence_name(rw->opt->min_confidence));
	if (rw->opt->baseline != NULL)
		jw_uint(w, "baselined", sum->baselined);
	jw_bool(w, "failed", sum->failed);
	jw_end(w);
}

static void sarif_end(struct report_writer *rw)
{
	struct sarif_state *st = state(rw);
	struct jw *w = &st->w;

	if (!st->first_result)
		jw_raw(w, "\n", 1);
	jw_end(w); /* results */
	put_artifacts(w, st);
	put_invocation(w, st, rw);
	put_summary(w, rw);
	jw_end(w); /* the run */
	jw_end(w); /* runs */
	jw_end(w); /* the log */
	jw_raw(w, "\n", 1);
	jw_drain(w, rw->out);
	for (size_t i = 0; i < st->count; i++) {
		free(st->art[i].uri);
		free(st->art[i].error);
	}
	free(st->art);
	jw_free(w);
	jw_free(&st->r);
	free(st);
	rw->priv = NULL;
}

const struct report_ops report_sarif_ops = {
	.name = "sarif",
	.help = "SARIF 2.1.0 for code scanning (GitHub): one result per finding",
	.begin_file = sarif_begin_file,
	.conn = sarif_conn,
	.late = sarif_late,
	.end_file = sarif_end_file,
	.end = sarif_end,
};
