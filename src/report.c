/* report: the funnel between the run and the writers, the table of
 * formats, and the formatting writers share. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fingerprint.h"
#include "finlint.h"
#include "pair.h"
#include "report.h"

extern const struct report_ops report_text_ops;
extern const struct report_ops report_json_ops;
extern const struct report_ops report_jsonl_ops;
extern const struct report_ops report_csv_ops;
extern const struct report_ops report_sarif_ops;
extern const struct report_ops report_junit_ops;
extern const struct report_ops report_github_ops;
extern const struct report_ops report_markdown_ops;
extern const struct report_ops report_html_ops;

static const struct report_ops *const formats[] = {
	&report_text_ops,
	&report_json_ops,
	&report_jsonl_ops,
	&report_csv_ops,
	&report_sarif_ops,
	&report_junit_ops,
	&report_github_ops,
	&report_markdown_ops,
	&report_html_ops,
};

enum { FORMAT_COUNT = sizeof formats / sizeof formats[0] };

const struct report_ops *report_find(const char *format)
{
	for (size_t i = 0; i < FORMAT_COUNT; i++)
		if (strcmp(formats[i]->name, format) == 0)
			return formats[i];
	return NULL;
}

const struct report_ops *report_format(unsigned i)
{
	return i < FORMAT_COUNT ? formats[i] : NULL;
}

const char *report_format_names(void)
{
	static char names[256];

	if (names[0] == '\0') {
		size_t used = 0;

		for (size_t i = 0; i < FORMAT_COUNT; i++)
			used += (size_t)snprintf(names + used, sizeof names - used, "%s%s",
						 i == 0 ? "" : i + 1 == FORMAT_COUNT ? " or " : ", ",
						 formats[i]->name);
	}
	return names;
}

/* Write v as exactly n decimal digits at p. */
static void digits(char *p, uint32_t v, unsigned n)
{
	while (n >= 2) {
		n -= 2;
		memcpy(p + n, finlint_digit_pairs + 2 * (v % 100u), 2);
		v /= 100u;
	}
	if (n == 1)
		p[0] = (char)('0' + v % 10u);
}

/* "YYYY-MM-DDTHH:MM:SS." of sec at out; false for a second past year
 * 9999, not a capture time, written as its last second to keep the
 * format's width. */
static bool date_and_time(uint64_t sec, char out[20])
{
	/* A report writes several timestamps per connection, so this is
	 * arithmetic rather than gmtime_r/strftime/snprintf: days since the
	 * epoch to a proleptic Gregorian date counted in 400-year eras. */
	uint64_t days = sec / 86400u, rem = sec % 86400u;
	uint64_t z = days + 719468u; /* days since 0000-03-01 */
	uint64_t era = z / 146097u, doe = z % 146097u;
	uint64_t yoe = (doe - doe / 1460u + doe / 36524u - doe / 146096u) / 365u;
	uint64_t doy = doe - (365u * yoe + yoe / 4u - yoe / 100u);
	uint64_t mp = (5u * doy + 2u) / 153u;
	uint64_t day = doy - (153u * mp + 2u) / 5u + 1u;
	uint64_t month = mp < 10u ? mp + 3u : mp - 9u;
	uint64_t year = yoe + era * 400u + (month <= 2u ? 1u : 0u);

	if (year > 9999u) {
		memcpy(out, "9999-12-31T23:59:59.", 20);
		return false;
	}
	/* every part now fits 32 bits */
	digits(out, (uint32_t)year, 4);
	out[4] = '-';
	digits(out + 5, (uint32_t)month, 2);
	out[7] = '-';
	digits(out + 8, (uint32_t)day, 2);
	out[10] = 'T';
	digits(out + 11, (uint32_t)(rem / 3600u), 2);
	out[13] = ':';
	digits(out + 14, (uint32_t)(rem / 60u % 60u), 2);
	out[16] = ':';
	digits(out + 17, (uint32_t)(rem % 60u), 2);
	out[19] = '.';
	return true;
}

/* The text of ts_ns at out, which has room for REPORT_TIME_MAX bytes;
 * returns its length. */
static size_t rfc3339(uint64_t ts_ns, bool nanosecond, char *out)
{
	/* A connection's timestamps mostly fall in the second of the one
	 * before, so the text up to the fraction is kept for that second.
	 * No second since the epoch reaches UINT64_MAX: it starts empty. */
	static struct {
		uint64_t sec;
		bool in_range;
		char text[20];
	} last = { .sec = UINT64_MAX };
	uint64_t sec = ts_ns / NS_PER_S;
	uint32_t frac = (uint32_t)(ts_ns % NS_PER_S);
	unsigned n = nanosecond ? 9u : 6u;

	if (sec != last.sec) {
		last.in_range = date_and_time(sec, last.text);
		last.sec = sec;
	}
	memcpy(out, last.text, 20);
	if (last.in_range)
		digits(out + 20, nanosecond ? frac : frac / 1000u, n);
	else
		memset(out + 20, '0', n);
	out[20 + n] = 'Z';
	out[21 + n] = '\0';
	return 21 + n;
}

size_t report_decode_caveats(const struct file_stats *fs, char *buf, unsigned size)
{
	const struct {
		uint64_t n;
		const char *one, *many;
	} part[] = {
		{ fs->truncated, "segment cut by the snaplen (lengths taken from IP headers)",
		  "segments cut by the snaplen (lengths taken from IP headers)" },
		{ fs->header_cut, "frame cut inside a header", "frames cut inside a header" },
		{ fs->fragments, "non-first IP fragment", "non-first IP fragments" },
		{ fs->malformed, "malformed frame", "malformed frames" },
	};
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof part / sizeof part[0]; i++) {
		int n;

		if (part[i].n == 0 || len >= size)
			continue;
		n = snprintf(buf + len, size - len, "%s%" PRIu64 " %s", len > 0 ? ", " : "",
			     part[i].n, part[i].n == 1 ? part[i].one : part[i].many);
		if (n > 0)
			len += (size_t)n < size - len ? (size_t)n : size - len - 1;
	}
	return len;
}

size_t report_size(uint64_t bytes, char *buf, unsigned size)
{
	static const char units[] = "TGMK";
	int n;

	for (unsigned i = 0; i < 4; i++) {
		uint64_t unit = (uint64_t)1 << (10 * (4 - i));

		if (bytes != 0 && bytes % unit == 0) {
			n = snprintf(buf, size, "%" PRIu64 "%c", bytes / unit, units[i]);
			return n < 0 ? 0 : (size_t)n;
		}
	}
	n = snprintf(buf, size, "%" PRIu64, bytes);
	return n < 0 ? 0 : (size_t)n;
}

size_t report_time(uint64_t ts_ns, bool nanosecond, char *buf, unsigned size)
{
	char out[REPORT_TIME_MAX];
	size_t len;

	/* Straight into buf when it has room: copying out bytes just stored
	 * a few at a time stalls the CPU for longer than formatting them. */
	if (size >= REPORT_TIME_MAX)
		return rfc3339(ts_ns, nanosecond, buf);
	len = rfc3339(ts_ns, nanosecond, out);
	if (size == 0)
		return 0;
	if (len >= size)
		len = size - 1;
	memcpy(buf, out, len);
	buf[len] = '\0';
	return len;
}

static void update_status(struct report *r)
{
	r->sum.exit_status = report_exit_status(r);
}

int report_exit_status(const struct report *r)
{
	if (r->sum.input_error || r->sum.files_failed > 0)
		return EXIT_INPUT;
	return r->sum.failed ? EXIT_FINDINGS : EXIT_OK;
}

void report_init(struct report *r, const struct report_options *opt)
{
	memset(r, 0, sizeof *r);
	r->opt = opt;
	_Static_assert(REPORT_CLOSE_MAX >= 9, "REPORT_CLOSE_MAX too small");
}

bool report_add_writer(struct report *r, const struct report_ops *ops, FILE *out)
{
	struct report_writer *w;

	if (r->nwriters >= REPORT_WRITERS_MAX)
		return false;
	w = &r->writer[r->nwriters++];
	memset(w, 0, sizeof *w);
	w->ops = ops;
	w->out = out;
	w->opt = r->opt;
	w->sum = &r->sum;
	return true;
}

bool report_needs_zeek(const struct report *r)
{
	for (unsigned i = 0; i < r->nwriters; i++)
		if (r->writer[i].ops->needs_zeek)
			return true;
	return false;
}

bool report_needs_steps(const struct report *r)
{
	if (r->opt->timeline)
		return true;
	for (unsigned i = 0; i < r->nwriters; i++)
		if (r->writer[i].ops->needs_steps)
			return true;
	return false;
}

void report_begin_file(struct report *r, const struct file_stats *fs)
{
	r->sum.files++;
	for (unsigned i = 0; i < r->nwriters; i++) {
		struct report_writer *w = &r->writer[i];

		w->file = fs;
		w->ops->begin_file(w, fs);
	}
}

void report_end_file(struct report *r, const struct file_stats *fs)
{
	if (fs->error[0] != '\0')
		r->sum.files_failed++;
	r->sum.packets += fs->packets;
	r->sum.tcp += fs->tcp;
	update_status(r);
	for (unsigned i = 0; i < r->nwriters; i++) {
		struct report_writer *w = &r->writer[i];

		w->ops->end_file(w, fs);
		w->file = NULL;
	}
}

bool report_finding_fails(const struct report_options *opt, const struct conn_finding *f)
{
	/* a guess does not fail CI: only findings sure enough count */
	return f->severity >= opt->fail_on && f->confidence <= opt->min_confidence && !f->baselined;
}

void report_conn(struct report *r, struct conn_report *c)
{
	struct run_summary *s = &r->sum;
	const struct report_options *opt = r->opt;

	if (c->close_class < REPORT_CLOSE_MAX)
		s->by_close[c->close_class]++;
	for (unsigned i = 0; i < c->finding_count; i++) {
		struct conn_finding *fd = &c->findings[i];

		/* the run's settings first, so that every writer and the
		 * totals see the same finding */
		if (fd->rule_index < RULE_COUNT && opt->severity_set[fd->rule_index])
			fd->severity = opt->severity[fd->rule_index];
		fd->baselined = false;
		if (opt->baseline != NULL) {
			char fp[FINGERPRINT_MAX];

			fingerprint_of(fp, c, fd);
			fd->baselined = baseline_has(opt->baseline, fp);
		}
		s->findings[fd->severity]++;
		s->by_rule[fd->rule_index]++;
		if (fd->baselined)
			s->baselined++;
		else if (report_finding_fails(opt, fd))
			s->failed = true;
		else if (fd->severity >= opt->fail_on)
			s->unsure++;
	}
	s->connections++;
	update_status(r);
	for (unsigned i = 0; i < r->nwriters; i++) {
		struct report_writer *w = &r->writer[i];

		if (w->ops->conn != NULL)
			w->ops->conn(w, c);
	}
}

void report_pair(struct report *r, struct pair *p)
{
	struct run_summary *s = &r->sum;
	const struct report_options *opt = r->opt;

	for (uint32_t i = 0; i < p->nmatch; i++) {
		for (unsigned j = 0; j < p->match[i].nfound; j++) {
			struct finding *f = &p->match[i].found[j].f;
			struct conn_finding cf = { .rule_index = f->rule };

			if (f->rule < RULE_COUNT && opt->severity_set[f->rule])
				f->severity = opt->severity[f->rule];
			cf.severity = f->severity;
			cf.confidence = f->confidence;
			s->findings[f->severity]++;
			s->by_rule[f->rule]++;
			if (report_finding_fails(opt, &cf))
				s->failed = true;
			else if (f->severity >= opt->fail_on)
				s->unsure++;
		}
	}
	update_status(r);
	for (unsigned i = 0; i < r->nwriters; i++) {
		struct report_writer *w = &r->writer[i];

		if (w->ops->pair != NULL)
			w->ops->pair(w, p);
	}
}

void report_late(struct report *r, struct late_report *l)
{
	struct run_summary *s = &r->sum;
	const struct report_options *opt = r->opt;
	struct conn_finding *fd = &l->finding;

	if (fd->rule == NULL) {
		s->late_other++;
		goto writers;
	}
	if (fd->rule_index < RULE_COUNT && opt->severity_set[fd->rule_index])
		fd->severity = opt->severity[fd->rule_index];
	fd->baselined = false;
	if (opt->baseline != NULL) {
		char fp[FINGERPRINT_MAX];

		fingerprint_make(fp, fd->rule->id, l->community_id,
				 fd->npkts > 0 ? fd->pkts[0] : 0);
		fd->baselined = baseline_has(opt->baseline, fp);
	}
	s->findings[fd->severity]++;
	s->by_rule[fd->rule_index]++;
	s->late++;
	if (fd->baselined)
		s->baselined++;
	else if (report_finding_fails(opt, fd))
		s->failed = true;
	else if (fd->severity >= opt->fail_on)
		s->unsure++;
	update_status(r);
writers:
	for (unsigned i = 0; i < r->nwriters; i++) {
		struct report_writer *w = &r->writer[i];

		if (w->ops->late != NULL)
			w->ops->late(w, l);
	}
}

void report_late_record(const struct late_report *l, struct conn_report *out)
{
	memset(out, 0, sizeof *out);
	out->id = l->id;
	out->file = l->file;
	out->set = l->set;
	out->end[0] = l->end[0];
	out->end[1] = l->end[1];
	memcpy(out->community_id, l->community_id, sizeof out->community_id);
	out->nanosecond = l->nanosecond;
	out->close = "late";
	out->capture_point = "unknown";
	out->active_closer = CONN_CLOSER_NONE;
	for (unsigned i = 0; i < 2; i++) {
		out->side[i].role = i == 0 ? "client" : "server";
		out->side[i].state = "CLOSED";
	}
	out->last_pkt = l->finding.npkts > 0 ? l->finding.pkts[0] : 0;
	out->first_pkt = out->last_pkt;
	if (l->finding.rule != NULL) {
		out->finding_count = 1;
		out->findings[0] = l->finding;
	}
}

void report_end(struct report *r)
{
	update_status(r);
	for (unsigned i = 0; i < r->nwriters; i++)
		r->writer[i].ops->end(&r->writer[i]);
}

bool report_lists(const struct report_writer *w, const struct conn_report *c,
		  enum report_flows dflt)
{
	enum report_flows mode = w->opt->flows != FLOWS_DEFAULT ? w->opt->flows : dflt;

	return mode == FLOWS_ALL || (mode == FLOWS_FLAGGED && c->finding_count > 0);
}
