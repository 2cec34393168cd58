/* html-chart: the SVG bar chart.  Labels right-aligned before the bars,
 * each bar's number after it. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "escape.h"
#include "html-chart.h"

/* Geometry in SVG user units (CSS pixels at 100 %).  The label column
 * holds the longest rule id (28 characters) at font-size 11. */
enum {
	LABEL_RIGHT = 200, /* right edge of the labels */
	BAR_LEFT = 208,
	BAR_MAX = 150,     /* the largest value's bar */
	VALUE_ROOM = 62,   /* after the longest bar: its number */
	WIDTH = BAR_LEFT + BAR_MAX + VALUE_ROOM,
	TITLE_H = 24,
	ROW = 20,
	BAR_H = 13,
	FOOT = 6,
};

void html_chart_write(FILE *out, const char *title, const struct html_bar *bars, unsigned n)
{
	uint64_t max = 0;
	int height = TITLE_H + (int)n * ROW + FOOT;

	if (n == 0)
		return;
	for (unsigned i = 0; i < n; i++)
		if (bars[i].value > max)
			max = bars[i].value;
	fprintf(out, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
		     "role=\"img\" font-family=\"sans-serif\" font-size=\"11\">\n<title>",
		WIDTH, height, WIDTH, height);
	escape_markup_put(out, title);
	fprintf(out, "</title>\n<text x=\"0\" y=\"14\" font-size=\"13\" font-weight=\"bold\" "
		     "fill=\"#222\">");
	escape_markup_put(out, title);
	fputs("</text>\n", out);
	for (unsigned i = 0; i < n; i++) {
		int y = TITLE_H + (int)i * ROW;
		/* a bar of a non-zero value is never thinner than a line */
		int len = max == 0 ? 0 : (int)((double)bars[i].value * BAR_MAX / (double)max + 0.5);

		if (bars[i].value > 0 && len < 2)
			len = 2;
		fputs("<g class=\"bar\">\n<text x=\"", out);
		fprintf(out, "%d\" y=\"%d\" text-anchor=\"end\" fill=\"#222\">", LABEL_RIGHT,
			y + BAR_H - 2);
		escape_markup_put(out, bars[i].label);
		fprintf(out, "</text>\n<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
			     "fill=\"%s\"/>\n<text x=\"%d\" y=\"%d\" fill=\"#222\">%" PRIu64
			     "</text>\n</g>\n",
			BAR_LEFT, y, len, BAR_H, bars[i].ink, BAR_LEFT + len + 5, y + BAR_H - 2,
			bars[i].value);
	}
	fputs("</svg>\n", out);
}
