/* output: the file the report goes to (-o), written so that a failed or
 * interrupted run never leaves half a report where a good one was, and
 * never over one of the run's inputs. */
#ifndef FINLINT_OUTPUT_H
#define FINLINT_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "inputs.h"

struct output {
	FILE *fp;
	const char *path; /* as given, for messages */
	char *target;     /* the file the temporary one replaces at the end */
	char *temp;       /* the temporary file, or NULL when written directly */
};

/* The input that path (standard output when path is NULL) is the same file
 * as, following symbolic links, or NULL.  Only a regular file counts: a
 * report written to a device or a pipe destroys no input. */
const char *output_same_input(const char *path, const struct input_list *in);

/* Open path for the report.  An existing regular file (or a new one) is
 * written to a temporary file in its directory, with the permissions
 * fopen() would have given it, and renamed over it by output_close(); a
 * device, FIFO or /dev, /proc path is written directly.  Until then
 * SIGHUP, SIGINT, SIGTERM and exit() remove the temporary file.  Return
 * false, with errno set, when it cannot be created. */
bool output_open(struct output *o, const char *path);

/* Flush and close the report; when it was written whole and keep is true,
 * rename it into place, otherwise remove the temporary file and leave what
 * was there.  Return false, with errno set, when writing or renaming
 * failed. */
bool output_close(struct output *o, bool keep);

#endif
