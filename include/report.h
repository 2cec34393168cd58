/* report: the funnel every finished connection goes through on its way to
 * the writers, and the writer interface.
 *
 * The run hands the funnel each input file's summary and each finished
 * connection's record (connreport.h).  The funnel owns the totals and the
 * fail-on decision, then passes the same record to every writer of the
 * run, one per output format.  Writers see only records, file summaries
 * and the run summary; none of them includes an engine header. */
#ifndef FINLINT_REPORT_H
#define FINLINT_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "baseline.h"
#include "connreport.h"
#include "filestats.h"
#include "rule-catalogue.h"

/* What one CSV row stands for (--csv-table). */
enum csv_table { CSV_FINDINGS, CSV_FLOWS };

/* Which connections a report lists. */
enum report_flows { FLOWS_DEFAULT, FLOWS_ALL, FLOWS_FLAGGED, FLOWS_NONE };

/* The close classes a summary counts (conn_close_count() of them). */
enum { REPORT_CLOSE_MAX = 16 };

/* The run's options that writers read, filled once by main.c. */
struct report_options {
	unsigned fail_on;        /* enum severity: findings at or above fail the run */
	unsigned min_confidence; /* enum confidence: less sure findings never fail it */
	unsigned flows;          /* enum report_flows: which connections to list */
	unsigned csv_table;      /* enum csv_table: what a CSV row is */
	bool timeline;           /* draw each listed connection's last packets */
	bool no_group;           /* text: every connection's block, none grouped (--no-group) */
	bool summary_only;       /* text, markdown: no connection blocks (--summary) */
	bool color;              /* text: severities in color (a terminal, no NO_COLOR) */
	/* --severity RULE=LEVEL: where severity_set, the severity every
	 * finding of the rule gets (the funnel applies it) */
	bool severity_set[RULE_COUNT];
	uint8_t severity[RULE_COUNT];
	bool disabled[RULE_COUNT]; /* rules the run left out (--select, --ignore, =off) */
	const struct baseline *baseline; /* --baseline FILE, or NULL */
};

/* The run's totals, kept by the funnel; files counts the current one. */
struct run_summary {
	uint64_t files, files_failed, packets, tcp, connections;
	uint64_t findings[SEV_NEVER]; /* by severity */
	uint64_t by_rule[RULE_COUNT];
	uint64_t by_close[REPORT_CLOSE_MAX]; /* by conn_report.close_class */
	uint64_t late; /* late findings (struct late_report), also in findings and by_rule */
	uint64_t late_other; /* late_reports of packets that found nothing */
	bool failed;     /* a finding at or above fail_on, sure enough, was seen */
	uint64_t unsure; /* findings at or above fail_on left out for their confidence */
	uint64_t baselined; /* findings the --baseline report held */
	bool input_error; /* an input failed outside any file's record (set by main) */
	int exit_status;  /* report_exit_status(), kept current */
};

struct report_ops;
struct pair;

/* One output of a run: a format and the stream it goes to. */
struct report_writer {
	const struct report_ops *ops;
	FILE *out;
	void *priv; /* the writer's own state */
	const struct report_options *opt;
	const struct run_summary *sum; /* the totals so far; final in end() */
	const struct file_stats *file; /* the file being read, between begin_file and end_file */
};

/* One row of the format table. */
struct report_ops {
	const char *name; /* "text", "json"... */
	const char *help; /* one line for --help */
	bool needs_zeek;  /* records must carry Zeek's view */
	bool needs_steps; /* records must carry the last packets (--timeline asks for them too) */
	void (*begin_file)(struct report_writer *w, const struct file_stats *fs);
	void (*conn)(struct report_writer *w, const struct conn_report *c);
	/* a late finding, after its connection's record; NULL: the writer
	 * shows late findings in its totals only (the summary says so) */
	void (*late)(struct report_writer *w, const struct late_report *l);
	void (*end_file)(struct report_writer *w, const struct file_stats *fs);
	/* --pair: the two-point section, after both files; NULL: the
	 * format cannot show it and --pair refuses it */
	void (*pair)(struct report_writer *w, const struct pair *p);
	void (*end)(struct report_writer *w);
};

enum { REPORT_WRITERS_MAX = 8 };

struct report {
	struct run_summary sum;
	const struct report_options *opt;
	unsigned nwriters;
	struct report_writer writer[REPORT_WRITERS_MAX];
};

/* Prepare r for a run with these options and no writer yet. */
void report_init(struct report *r, const struct report_options *opt);

/* Add a writer of format ops to out; false when there are
 * REPORT_WRITERS_MAX already. */
bool report_add_writer(struct report *r, const struct report_ops *ops, FILE *out);

/* Whether any writer needs the records' Zeek view, or their last packets. */
bool report_needs_zeek(const struct report *r);
bool report_needs_steps(const struct report *r);

/* Start and end one input file: count it, and pass it to every writer. */
void report_begin_file(struct report *r, const struct file_stats *fs);
void report_end_file(struct report *r, const struct file_stats *fs);

/* One finished connection: give its findings the --severity levels and
 * the --baseline marks, count it and them, decide fail-on, and pass it to
 * every writer. */
void report_conn(struct report *r, struct conn_report *c);

/* A late finding of a connection already reported: the same settings,
 * counts and fail-on decision as report_conn gives a finding, then every
 * writer's late(). */
void report_late(struct report *r, struct late_report *l);

/* Fill out, zeroed first, as the record of nothing but late finding l:
 * id, file, endpoints, community id, close "late", the finding.  For a
 * writer that shows a finding through its connection's record. */
void report_late_record(const struct late_report *l, struct conn_report *out);

/* Whether a finding fails the run: at or above --fail-on, sure enough
 * (--min-confidence), and not in the baseline. */
bool report_finding_fails(const struct report_options *opt, const struct conn_finding *f);

/* --pair, after both files: count the two-point findings as
 * report_conn counts a connection's (--severity, fail-on) and pass the
 * section to every writer. */
void report_pair(struct report *r, struct pair *p);

/* End the run: every writer writes its summary. */
void report_end(struct report *r);

/* The exit status the run ends with as far as the report can tell (a
 * write error after it can still make it 3): 3 when an input could not
 * be read whole, else 1 when a finding reached --fail-on, else 0. */
int report_exit_status(const struct report *r);

/* The format table: a format by name, or NULL; and the names for
 * messages, "text, json, jsonl or csv". */
const struct report_ops *report_find(const char *format);
const char *report_format_names(void);
/* The i-th format, or NULL past the last. */
const struct report_ops *report_format(unsigned i);

/* Whether a writer whose own default is dflt lists this connection (--flows). */
bool report_lists(const struct report_writer *w, const struct conn_report *c,
		  enum report_flows dflt);

/* Write a byte count as --max-memory takes it: "1G", "512M", "64K" when
 * it is a whole number of those units, else plain bytes.
 * REPORT_SIZE_MAX holds any of them. */
enum { REPORT_SIZE_MAX = 24 };
size_t report_size(uint64_t bytes, char *buf, unsigned size);

/* The capture caveats a file's decoder counted (segments cut by the
 * snaplen, frames cut inside a header, non-first fragments, malformed
 * frames), those that are not zero, as one comma-separated phrase; ""
 * when there are none.  REPORT_CAVEATS_MAX holds any of them. */
enum { REPORT_CAVEATS_MAX = 200 };
size_t report_decode_caveats(const struct file_stats *fs, char *buf, unsigned size);

/* Format ns since the epoch as RFC 3339 UTC with 6 or 9 decimals;
 * returns the length written.  REPORT_TIME_MAX holds any of them. */
enum { REPORT_TIME_MAX = 32 };
size_t report_time(uint64_t ts_ns, bool nanosecond, char *buf, unsigned size);

#endif
