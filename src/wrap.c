/* wrap: see include/wrap.h. */
#include "config.h"

#include <string.h>

#include "wrap.h"

void wrap_text(FILE *out, const char *text, unsigned col, unsigned indent, unsigned width)
{
	const unsigned start = col;
	const char *p = text;

	while (*p == ' ')
		p++;
	while (*p != '\0') {
		size_t n = strcspn(p, " ");

		if (col > start && col + 1 + n > width) {
			fprintf(out, "\n%*s", (int)indent, "");
			col = indent;
		} else if (col > start) {
			fputc(' ', out);
			col++;
		}
		fprintf(out, "%.*s", (int)n, p);
		col += (unsigned)n;
		p += n;
		while (*p == ' ')
			p++;
	}
}
