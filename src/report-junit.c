/* report-junit: JUnit XML, the test report GitLab, Jenkins and Azure
 * DevOps show natively: a testsuite per capture, a testcase per
 * connection, a failure per finding that fails the run (at or above
 * --fail-on, sure enough, not baselined), an error per capture that could
 * not be read whole.  Findings that do not fail the run are the testcase's
 * system-out.  A testsuite's counts come before its testcases, and the
 * document's totals before every testsuite, so testcases wait in a
 * temporary file rather than in memory: a capture of a million
 * connections costs disk, not RAM. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "connreport.h"
#include "escape.h"
#include "filestats.h"
#include "finlint.h"
#include "report.h"
#include "rule-catalogue.h"

struct junit_state {
	FILE *suites; /* every finished testsuite */
	FILE *cases;  /* the testcases of the file being read */
	uint64_t tests, failures, errors, time_ns;       /* the document's */
	uint64_t f_tests, f_failures, f_errors;          /* the file's */
};

static FILE *spool(void)
{
	FILE *fp = tmpfile();

	if (fp == NULL)
		fatal("junit: cannot create a temporary file: %s", strerror(errno));
	return fp;
}

static void check_spool(FILE *fp)
{
	if (ferror(fp))
		fatal("junit: cannot write a temporary file: %s", strerror(errno != 0 ? errno : EIO));
}

/* Copy what fp holds to out, then empty it. */
static void drain(FILE *fp, FILE *out)
{
	char buf[65536];
	size_t n;

	fflush(fp);
	check_spool(fp);
	rewind(fp);
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		fwrite(buf, 1, n, out);
	check_spool(fp);
	rewind(fp);
	if (ftruncate(fileno(fp), 0) != 0)
		fatal("junit: cannot empty a temporary file: %s", strerror(errno));
}

static struct junit_state *state(struct report_writer *rw)
{
	if (rw->priv == NULL) {
		struct junit_state *st = xcalloc(1, sizeof *st);

		st->suites = spool();
		st->cases = spool();
		rw->priv = st;
	}
	return rw->priv;
}

/* Text that did not come from finlint, or did, as an XML attribute value
 * or element text (escape_markup: the five specials as references,
 * control characters shown as \n, \x1b). */
static void put_markup(FILE *out, const char *s)
{
	char *m = escape_markup(s);

	fputs(m, out);
	free(m);
}

/* Seconds with milliseconds, the form the schema's SUREFIRE_TIME takes. */
static void put_seconds(FILE *out, uint64_t ns)
{
	fprintf(out, "%" PRIu64 ".%03" PRIu64, ns / 1000000000u, ns / 1000000u % 1000u);
}

static void junit_begin_file(struct report_writer *rw, const struct file_stats *fs)
{
	struct junit_state *st = state(rw);

	(void)fs;
	st->f_tests = st->f_failures = st->f_errors = 0;
}

/* "error rst-on-data-after-close (FL005), packets 6, 8, 9, confidence high" */
static void put_finding_head(FILE *out, const struct conn_finding *f)
{
	fprintf(out, "%s %s (%s)", severity_name(f->severity), f->rule->id, f->rule->code);
	for (unsigned i = 0; i < f->npkts; i++)
		fprintf(out, "%s%" PRIu64, i == 0 ? f->npkts > 1 ? ", packets " : ", packet " : ", ",
			f->pkts[i]);
	fprintf(out, ", confidence %s", confidence_name(f->confidence));
}

static void put_failure(FILE *out, const struct conn_report *c, const struct conn_finding *f)
{
	fprintf(out, "      <failure type=\"%s\" message=\"", f->rule->id);
	put_markup(out, f->message);
	fputs("\">", out);
	put_finding_head(out, f);
	fputc('\n', out);
	put_markup(out, f->message);
	fprintf(out, "\nfix: ");
	put_markup(out, f->rule->hint);
	fprintf(out, " (finlint --explain %s)\nconnection %" PRIu64 ", community id %s, packets %"
		PRIu64 "-%" PRIu64 ", %s</failure>\n", f->rule->code, c->id, c->community_id,
		c->first_pkt, c->last_pkt, c->close);
}

/* The findings that do not fail the run, with why not. */
static void put_others(FILE *out, const struct report_writer *rw, const struct conn_report *c)
{
	bool any = false;

	for (unsigned i = 0; i < c->finding_count; i++) {
		const struct conn_finding *f = &c->findings[i];

		if (report_finding_fails(rw->opt, f))
			continue;
		fputs(any ? "\n" : "      <system-out>", out);
		any = true;
		put_finding_head(out, f);
		if (f->baselined)
			fputs(" (baselined)", out);
		else if (f->severity >= rw->opt->fail_on)
			fprintf(out, " (below --min-confidence %s)",
				confidence_name(rw->opt->min_confidence));
		fputs(": ", out);
		put_markup(out, f->message);
	}
	if (any)
		fputs("</system-out>\n", out);
}

static void junit_case(struct report_writer *rw, const struct conn_report *c, const char *suffix)
{
	struct junit_state *st = state(rw);
	FILE *out = st->cases;
	unsigned failing = 0;

	for (unsigned i = 0; i < c->finding_count; i++)
		failing += report_finding_fails(rw->opt, &c->findings[i]);
	/* a failing connection is always there to say why the job failed */
	if (failing == 0 && !report_lists(rw, c, FLOWS_ALL))
		return;
	st->f_tests++;
	st->f_failures += failing;
	fprintf(out, "    <testcase name=\"connection %" PRIu64 " %s -&gt; %s%s\" classname=\"", c->id,
		c->end[0].text, c->end[1].text, suffix);
	put_markup(out, c->file);
	fputs("\" time=\"", out);
	put_seconds(out, c->last_ts >= c->first_ts ? c->last_ts - c->first_ts : 0);
	if (c->finding_count == 0) {
		fputs("\"/>\n", out);
		return;
	}
	fputs("\">\n", out);
	for (unsigned i = 0; i < c->finding_count; i++)
		if (report_finding_fails(rw->opt, &c->findings[i]))
			put_failure(out, c, &c->findings[i]);
	put_others(out, rw, c);
	fputs("    </testcase>\n", out);
}

static void junit_conn(struct report_writer *rw, const struct conn_report *c)
{
	junit_case(rw, c, "");
}

/* A late finding: a test case of its own, after its connection's. */
static void junit_late(struct report_writer *rw, const struct late_report *l)
{
	struct conn_report *c;

	if (l->finding.rule == NULL)
		return;
	c = xmalloc(sizeof *c);
	report_late_record(l, c);
	junit_case(rw, c, ", after its record");
	free(c);
}

/* "2026-11-23T21:44:19", the form Ant's and Surefire's reports use. */
static void put_timestamp(FILE *out, uint64_t ts)
{
	char t[REPORT_TIME_MAX];

	report_time(ts, false, t, sizeof t);
	t[19] = '\0';
	fputs(t, out);
}

static void put_property(FILE *out, const char *name, uint64_t value)
{
	fprintf(out, "      <property name=\"%s\" value=\"%" PRIu64 "\"/>\n", name, value);
}

static void junit_end_file(struct report_writer *rw, const struct file_stats *fs)
{
	struct junit_state *st = state(rw);
	FILE *out = st->suites;
	uint64_t span = fs->timed && fs->last_ts >= fs->first_ts ? fs->last_ts - fs->first_ts : 0;

	if (fs->error[0] != '\0') {
		/* the capture itself is the test that errored */
		st->f_tests++;
		st->f_errors++;
		fputs("    <testcase name=\"read the capture\" classname=\"", st->cases);
		put_markup(st->cases, fs->path);
		fputs("\">\n      <error type=\"input\" message=\"", st->cases);
		put_markup(st->cases, fs->error);
		fputs("\">", st->cases);
		put_markup(st->cases, fs->error);
		fputs("</error>\n    </testcase>\n", st->cases);
	}
	fputs("  <testsuite name=\"", out);
	put_markup(out, fs->path);
	fprintf(out, "\" tests=\"%" PRIu64 "\" failures=\"%" PRIu64 "\" errors=\"%" PRIu64
		"\" skipped=\"0\" time=\"", st->f_tests, st->f_failures, st->f_errors);
	put_seconds(out, span);
	fputc('"', out);
	if (fs->timed) {
		fputs(" timestamp=\"", out);
		put_timestamp(out, fs->first_ts);
		fputc('"', out);
	}
	fputs(" file=\"", out);
	put_markup(out, fs->path);
	fputs("\">\n    <properties>\n", out);
	if (fs->link_name != NULL)
		fprintf(out, "      <property name=\"link_type\" value=\"%s\"/>\n", fs->link_name);
	put_property(out, "packets", fs->packets);
	put_property(out, "tcp_segments", fs->tcp);
	put_property(out, "connections", fs->connections);
	fputs("    </properties>\n", out);
	drain(st->cases, out);
	fputs("  </testsuite>\n", out);
	check_spool(out);
	st->tests += st->f_tests;
	st->failures += st->f_failures;
	st->errors += st->f_errors;
	st->time_ns += span;
}

static void junit_end(struct report_writer *rw)
{
	struct junit_state *st = state(rw);

	fprintf(rw->out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			 "<testsuites name=\"finlint\" tests=\"%" PRIu64 "\" failures=\"%" PRIu64
			 "\" errors=\"%" PRIu64 "\" time=\"",
		st->tests, st->failures, st->errors);
	put_seconds(rw->out, st->time_ns);
	fputs("\">\n", rw->out);
	drain(st->suites, rw->out);
	fputs("</testsuites>\n", rw->out);
	fclose(st->suites);
	fclose(st->cases);
	free(st);
	rw->priv = NULL;
}

const struct report_ops report_junit_ops = {
	.name = "junit",
	.help = "JUnit XML: a testsuite per capture, a testcase per connection, a failure per "
		"finding that fails the run",
	.begin_file = junit_begin_file,
	.conn = junit_conn,
	.late = junit_late,
	.end_file = junit_end_file,
	.end = junit_end,
};
