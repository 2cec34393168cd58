/* report-github: GitHub Actions workflow commands, one line per finding
 * (::error, ::warning or ::notice, by severity), which the runner turns
 * into annotations on the job and its summary; one ::error per capture
 * that could not be read whole, and a ::notice with the totals.  The
 * runner reads "%", CR and LF in a command's data as escapes, and also
 * ":" and "," in its properties, so those are written as %XX; file names
 * first go through escape_text, as in every finlint diagnostic. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connreport.h"
#include "escape.h"
#include "filestats.h"
#include "fingerprint.h"
#include "finlint.h"
#include "report.h"
#include "rule-catalogue.h"

static const char *command_name(unsigned sev)
{
	return sev == SEV_ERROR ? "error" : sev == SEV_WARNING ? "warning" : "notice";
}

/* Write s with the bytes the runner would read as syntax escaped: in a
 * property also the ':' and ',' that end one. */
static void put_escaped(FILE *out, const char *s, bool property)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '%':
			fputs("%25", out);
			break;
		case '\r':
			fputs("%0D", out);
			break;
		case '\n':
			fputs("%0A", out);
			break;
		case ':':
			fputs(property ? "%3A" : ":", out);
			break;
		case ',':
			fputs(property ? "%2C" : ",", out);
			break;
		default:
			fputc(*s, out);
		}
	}
}

static void put_file_property(FILE *out, const char *path)
{
	char *e = escape_text(path);

	fputs("file=", out);
	put_escaped(out, e, true);
	free(e);
}

static void put_annotation(FILE *out, const char *file, uint64_t id, const struct conn_endpoint *end,
			   uint64_t line, const char *late, const struct conn_finding *f)
{
	char title[FINGERPRINT_RULE_MAX + 64], text[2 * CONN_ENDPOINT_MAX + 64];

	fprintf(out, "::%s ", command_name(f->severity));
	put_file_property(out, file);
	fprintf(out, ",line=%" PRIu64 ",title=", line);
	snprintf(title, sizeof title, "%s (%s)%s", f->rule->id, f->rule->code,
		 f->baselined ? " baselined" : "");
	put_escaped(out, title, true);
	fputs("::", out);
	snprintf(text, sizeof text, "connection %" PRIu64 " %s -> %s%s: ", id, end[0].text,
		 end[1].text, late);
	put_escaped(out, text, false);
	put_escaped(out, f->message, false);
	fputs("%0A", out);
	if (f->npkts > 0) {
		fputs(f->npkts > 1 ? "evidence: packets " : "evidence: packet ", out);
		for (unsigned i = 0; i < f->npkts; i++)
			fprintf(out, "%s%" PRIu64, i == 0 ? "" : ", ", f->pkts[i]);
		fprintf(out, ", confidence %s%%0A", confidence_name(f->confidence));
	}
	fputs("fix: ", out);
	put_escaped(out, f->rule->hint, false);
	fprintf(out, " (finlint --explain %s)\n", f->rule->code);
}

static void put_finding(FILE *out, const struct conn_report *c, const struct conn_finding *f)
{
	put_annotation(out, c->file, c->id, c->end, fingerprint_packet(c, f), "", f);
}

/* A late finding: an annotation as any finding's; late packets that
 * found nothing are no annotation. */
static void github_late(struct report_writer *rw, const struct late_report *l)
{
	if (l->finding.rule != NULL)
		put_annotation(rw->out, l->file, l->id, l->end,
			       l->finding.npkts > 0 ? l->finding.pkts[0] : 0, ", after its record",
			       &l->finding);
}

static void github_begin_file(struct report_writer *rw, const struct file_stats *fs)
{
	(void)rw;
	(void)fs;
}

static void github_conn(struct report_writer *rw, const struct conn_report *c)
{
	for (unsigned i = 0; i < c->finding_count; i++)
		put_finding(rw->out, c, &c->findings[i]);
}

static void github_end_file(struct report_writer *rw, const struct file_stats *fs)
{
	char *e;

	if (fs->error[0] == '\0')
		return;
	fputs("::error ", rw->out);
	put_file_property(rw->out, fs->path);
	fputs(",title=capture not read whole::", rw->out);
	e = escape_text(fs->error);
	put_escaped(rw->out, e, false);
	free(e);
	fputc('\n', rw->out);
}

static void github_end(struct report_writer *rw)
{
	const struct run_summary *sum = rw->sum;
	const char *sep = " (";

	fprintf(rw->out, "::notice title=finlint::%" PRIu64 " file%s, %" PRIu64 " connection%s, %"
		PRIu64 " error%s, %" PRIu64 " warning%s, %" PRIu64 " info%s",
		sum->files, sum->files == 1 ? "" : "s", sum->connections,
		sum->connections == 1 ? "" : "s", sum->findings[SEV_ERROR],
		sum->findings[SEV_ERROR] == 1 ? "" : "s", sum->findings[SEV_WARNING],
		sum->findings[SEV_WARNING] == 1 ? "" : "s", sum->findings[SEV_INFO],
		sum->findings[SEV_INFO] == 1 ? "" : "s");
	if (rw->opt->baseline != NULL)
		fprintf(rw->out, ", %" PRIu64 " baselined", sum->baselined);
	/* what the text summary says of the run's outcome */
	if (rw->opt->fail_on < SEV_NEVER) {
		fprintf(rw->out, "%s--fail-on %s: %s", sep, severity_name(rw->opt->fail_on),
			sum->exit_status == EXIT_INPUT ? sum->failed ? "reached" : "not reached" :
			sum->failed ? "fail" : "pass");
		sep = "; ";
	}
	if (sum->exit_status == EXIT_INPUT) {
		fprintf(rw->out, "%sinput error: exit status 3", sep);
		sep = "; ";
	}
	fputs(sep[0] == ';' ? ")\n" : "\n", rw->out);
}

const struct report_ops report_github_ops = {
	.name = "github",
	.help = "GitHub Actions workflow commands: one ::error, ::warning or ::notice per finding",
	.begin_file = github_begin_file,
	.conn = github_conn,
	.late = github_late,
	.end_file = github_end_file,
	.end = github_end,
};
