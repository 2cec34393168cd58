/* report: the one funnel through which the report stream is written. */
#ifndef FINLINT_REPORT_H
#define FINLINT_REPORT_H

#include <stdio.h>

#include "filestats.h"
#include "flow.h"

struct report;

struct report_ops {
	const char *name;
	void (*begin_file)(struct report *r, const struct file_stats *fs);
	void (*flow)(struct report *r, const struct flow *f);
	void (*end_file)(struct report *r, const struct file_stats *fs);
	void (*end)(struct report *r);
};

struct report {
	const struct report_ops *ops;
	FILE *out;
	uint64_t files, packets, tcp, connections, files_failed;
	void *priv; /* the writer's own state */
};

/* Return the writer for a format name, or NULL. */
const struct report_ops *report_find(const char *format);

/* Format ns since the epoch as RFC 3339 UTC with 6 or 9 decimals. */
void report_time(uint64_t ts_ns, bool nanosecond, char *buf, unsigned size);

#endif
