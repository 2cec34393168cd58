/* text-ladder: the plain-text ladder diagram of a connection's last
 * packets, shared by the text and Markdown reports. */
#ifndef FINLINT_TEXT_LADDER_H
#define FINLINT_TEXT_LADDER_H

#include <stdio.h>

#include "connreport.h"

/* One line per packet of c's steps, an arrow between the two sides with
 * flags and relative seq/ack on it and both sides' states after it, each
 * line starting with indent; nothing when c has no steps. */
void text_ladder(FILE *out, const struct conn_report *c, const char *indent);

#endif
