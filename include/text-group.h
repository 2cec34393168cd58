/* text-group: one capture's connection blocks for the text report, held
 * until the file ends so that connections with the same pattern (close,
 * final states, findings) are shown once, with the count and the list of
 * the others. */
#ifndef FINLINT_TEXT_GROUP_H
#define FINLINT_TEXT_GROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "connreport.h"

struct text_groups;

/* An empty set of groups whose "and N more" lines are indented by indent
 * columns (0: Markdown paragraphs), or NULL when out of memory. */
struct text_groups *text_groups_new(unsigned indent);
void text_groups_free(struct text_groups *g);

/* The key of c's group: everything its block says but the numbers (ids,
 * addresses, packet numbers, bytes, times). */
void text_group_key(const struct conn_report *c, char *key, size_t size);

/* Count connection id under the group of key if there is one: true when
 * it joined one (its block need not be written). */
bool text_groups_join(struct text_groups *g, const char *key, uint64_t id);

/* Start the group of key with connection id and its block, which the
 * groups take (free()d later); the groups print what they hold to out
 * first when they are full, so memory stays bounded. */
void text_groups_start(struct text_groups *g, FILE *out, const char *key, uint64_t id,
		       char *block);

/* Print every group in the order it started, each block followed by the
 * others of its group, and empty the set. */
void text_groups_flush(struct text_groups *g, FILE *out);

#endif
