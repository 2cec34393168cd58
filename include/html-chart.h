/* html-chart: a horizontal bar chart as inline SVG for the HTML report,
 * such as connections by close class or findings by rule.  Like the
 * ladder (html-ladder.h) it needs no script, style sheet or web font:
 * every colour is a presentation attribute, and each bar carries its
 * number as text, so the chart reads the same printed in grey. */
#ifndef FINLINT_HTML_CHART_H
#define FINLINT_HTML_CHART_H

#include <stdint.h>
#include <stdio.h>

struct html_bar {
	const char *label; /* escaped when written */
	uint64_t value;
	const char *ink;   /* a colour finlint chose: "#b71c1c" */
};

/* Write the bars as one <svg class="chart"> titled title, each bar as
 * long as its share of the largest value; nothing when n is 0. */
void html_chart_write(FILE *out, const char *title, const struct html_bar *bars, unsigned n);

#endif
