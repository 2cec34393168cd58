/* baseline: the findings of a previous report (--baseline FILE), by
 * fingerprint (fingerprint.h), so that a run can tell the findings it
 * already knew from new ones.  A baselined finding is still reported, and
 * marked as such; it never fails the run. */
#ifndef FINLINT_BASELINE_H
#define FINLINT_BASELINE_H

#include <stdbool.h>
#include <stddef.h>

struct baseline;

/* Read a report finlint wrote with -f json, -f jsonl or -f sarif.  Return
 * NULL, with a message for "finlint: FILE: message" in err, when the file
 * cannot be read or is none of those. */
struct baseline *baseline_load(const char *path, char *err, size_t err_size);

/* Whether the previous report held a finding with this fingerprint. */
bool baseline_has(const struct baseline *b, const char *fingerprint);

/* How many distinct fingerprints it held. */
size_t baseline_count(const struct baseline *b);

void baseline_free(struct baseline *b);

#endif
