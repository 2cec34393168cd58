/* analyse: the one step between the engine and the report.  A finished
 * connection's flow and the rules' findings become the read-only record
 * every writer reads (connreport.h). */
#ifndef FINLINT_ANALYSE_H
#define FINLINT_ANALYSE_H

#include <stdbool.h>

#include "connreport.h"
#include "filestats.h"
#include "flow.h"
#include "rules.h"

/* The views of a record that cost time to fill, asked for by the run's
 * writers (report_needs). */
struct analyse_needs {
	bool zeek;  /* conn_report.zeek: Zeek's conn.log lines */
	bool steps; /* conn_report.steps: the last packets (the flow's ladder) */
};

/* Build out from f, finished, and found, what the rules made of it; fs is
 * the file it came from. */
void analyse_connection(const struct flow *f, const struct findings *found,
			const struct file_stats *fs, const struct analyse_needs *needs,
			struct conn_report *out);

struct tomb;
struct tomb_note;

/* Build out, the late finding fd (rules_late) of tombstone t, whose
 * note is n. */
void analyse_late(const struct tomb *t, const struct tomb_note *n, const struct finding *fd,
		  const struct file_stats *fs, struct late_report *out);

#endif
