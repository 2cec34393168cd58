/* jsonl-input: a JSON Lines report that finlint wrote (-f jsonl) read
 * back as the run's input (--from-jsonl), so that reports saved where the
 * captures lie can be combined and written in any format without reading
 * the captures again. */
#ifndef FINLINT_JSONL_INPUT_H
#define FINLINT_JSONL_INPUT_H

#include <stdbool.h>

#include "report.h"

/* Hand every file and connection record of the report at path to r, as
 * the run hands those of a capture: report_begin_file, report_conn for
 * each connection, report_end_file.  The records' ladders (last packets)
 * are not in a JSON Lines report, so writers draw none.  A report that
 * cannot be read, or a line that is not one finlint writes, is named on
 * standard error (path, line, problem) and ends the reading there, with
 * what was read before it still reported.  Returns false then, and when
 * a capture the report names could not be read whole. */
bool jsonl_input_run(const char *path, struct report *r);

#endif
