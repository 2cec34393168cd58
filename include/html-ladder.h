/* html-ladder: a connection's last packets (conn_report.steps) drawn as an
 * inline SVG ladder diagram for the HTML report: the two sides as vertical
 * lines, one arrow per packet, both sides' states after each one, the
 * findings' evidence packets highlighted, long pauses as breaks, the
 * capture point and the packets left out marked.  It needs no script, no
 * style sheet and no font beyond the browser's own: every colour is a
 * presentation attribute, so the drawing is the same pasted anywhere. */
#ifndef FINLINT_HTML_LADDER_H
#define FINLINT_HTML_LADDER_H

#include <stdbool.h>
#include <stdio.h>

#include "connreport.h"

/* A gap between two drawn packets of at least this is drawn as a break
 * with its duration: longer than any LAN round trip, delayed ACK or first
 * retransmission timeout (200 ms on Linux). */
#define HTML_LADDER_PAUSE_NS 1000000000u

/* Write c's ladder as one <figure class="ladder"> holding the <svg> and a
 * caption; return false and write nothing when c holds no steps
 * (steps_known false, or no packet kept).  Every arrow is a
 * <g class="pkt"> with data-pkt (its packet number) and data-side; an
 * evidence packet's also has class "evidence" and data-rules (the codes
 * of the findings citing it). */
bool html_ladder_write(FILE *out, const struct conn_report *c);

#endif
