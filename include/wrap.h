/* wrap: words of a text laid out in lines of at most a given width, for
 * the text report's messages and --explain. */
#ifndef FINLINT_WRAP_H
#define FINLINT_WRAP_H

#include <stdio.h>

/* Print text's space-separated words from column col of the current line
 * (whatever the caller already printed there), moving a word to a new line
 * indented by indent columns when the line would pass width columns; the
 * first word of a line is never moved.  No newline after the last word. */
void wrap_text(FILE *out, const char *text, unsigned col, unsigned indent, unsigned width);

#endif
