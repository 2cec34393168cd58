/* report: the one funnel through which the report stream is written. */
#ifndef FINLINT_REPORT_H
#define FINLINT_REPORT_H

#include <stdio.h>

#include "community-id.h"
#include "filestats.h"
#include "flow.h"
#include "rules.h"

struct report;

/* What one CSV row stands for (--csv-table). */
enum csv_table { CSV_FINDINGS, CSV_FLOWS };

/* Which connections a report lists. */
enum report_flows { FLOWS_DEFAULT, FLOWS_ALL, FLOWS_FLAGGED, FLOWS_NONE };

struct report_ops {
	const char *name;
	void (*begin_file)(struct report *r, const struct file_stats *fs);
	void (*flow)(struct report *r, const struct flow *f, const struct findings *fs);
	void (*end_file)(struct report *r, const struct file_stats *fs);
	void (*end)(struct report *r);
};

struct report {
	const struct report_ops *ops;
	FILE *out;
	/* totals kept by the funnel (report_begin_file, report_end_file and
	 * the run loop), not by the writers: files counts the current one */
	uint64_t files, packets, tcp, connections, files_failed;
	uint64_t findings[SEV_NEVER]; /* by severity */
	uint64_t by_rule[RULE_COUNT];
	uint64_t by_close[CLOSE_COUNT];         /* by enum close_class */
	unsigned fail_on;             /* enum severity: findings at or above fail the run */
	unsigned flows;               /* enum report_flows: which connections to list */
	bool failed;                  /* a finding at or above fail_on was written */
	unsigned min_confidence;      /* enum confidence: less sure findings never fail the run */
	uint64_t unsure;              /* findings at or above fail_on left out for their confidence */
	void *priv; /* the writer's own state */
	const struct file_stats *file; /* the file being read, between begin_file and end_file */
	unsigned csv_table;            /* enum csv_table: what a CSV row is */
	bool timeline;                 /* text: draw each listed connection's last packets */
	bool color;                    /* text: severities in color (a terminal, no NO_COLOR) */
	bool input_error;              /* an input failed outside any file's record (set by main) */
};

/* The exit status the run ends with as far as the report can tell (a
 * write error after it can still make it 3): 3 when an input could not
 * be read whole, else 1 when a finding reached --fail-on, else 0. */
int report_exit_status(const struct report *r);

/* Start and end one input file: count it in the totals every writer
 * reports, keep it in r->file, and call the writer. */
void report_begin_file(struct report *r, const struct file_stats *fs);
void report_end_file(struct report *r, const struct file_stats *fs);

/* Return the writer for a format name, or NULL. */
const struct report_ops *report_find(const char *format);

/* Write the address alone of one side of a flow, as glibc's inet_ntop
 * does; returns its length.  REPORT_ADDRESS_MAX holds any address. */
enum { REPORT_ADDRESS_MAX = 46 };
size_t report_address(const struct flow *f, unsigned side, char *buf, unsigned size);

/* The flow's Community ID v1, seed 0. */
void report_community_id(const struct flow *f, char out[COMMUNITY_ID_LEN]);

/* Whether a writer whose own default is dflt lists this flow (--flows). */
bool report_lists(const struct report *r, const struct findings *found, enum report_flows dflt);

/* Write "addr:port" (IPv6 as "[addr]:port") of one side of a flow. */
void report_endpoint(const struct flow *f, unsigned side, char *buf, unsigned size);

/* Write a byte count as --max-memory takes it: "1G", "512M", "64K" when
 * it is a whole number of those units, else plain bytes.
 * REPORT_SIZE_MAX holds any of them. */
enum { REPORT_SIZE_MAX = 24 };
size_t report_size(uint64_t bytes, char *buf, unsigned size);

/* Format ns since the epoch as RFC 3339 UTC with 6 or 9 decimals;
 * returns the length written.  REPORT_TIME_MAX holds any of them. */
enum { REPORT_TIME_MAX = 32 };
size_t report_time(uint64_t ts_ns, bool nanosecond, char *buf, unsigned size);

#endif
