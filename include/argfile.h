/* argfile: options files.  An argument "@FILE" stands for the arguments
 * written in FILE, as compilers take them, so that a CI job keeps its
 * finlint settings in its repository:
 *
 *   - words are separated by blanks (spaces, tabs) and line ends, so one
 *     option and its value per line reads naturally ("--fail-on error");
 *   - a word may be quoted with '...' (everything literal) or "..."
 *     (where \" and \\ stand for " and \), to hold blanks; outside
 *     quotes a backslash takes the next character literally;
 *   - a line whose first non-blank character is '#' is a comment ('#'
 *     anywhere else is an ordinary character: file names hold it);
 *   - FILE may name further options files, up to ARGFILE_DEPTH_MAX deep;
 *     a relative name is taken from the current directory, as the
 *     command line's own names are;
 *   - words after "--" on the command line (a filter) are never
 *     expanded: the filter is the user's text.  A capture whose name
 *     starts with '@' is given as ./@name. */
#ifndef FINLINT_ARGFILE_H
#define FINLINT_ARGFILE_H

#include <stdbool.h>
#include <stddef.h>

enum { ARGFILE_DEPTH_MAX = 8 };

struct argfile {
	int argc;
	char **argv; /* NULL-terminated; argv[0] is the program's */
	char **owned; /* the words read from files, freed with the list */
	size_t owned_count, owned_cap;
};

/* Expand the @FILE arguments of argv into out.  Return false, with a
 * message "FILE:LINE: problem" or "FILE: problem" in err, when a file
 * cannot be read or holds an unterminated quote, or the files nest
 * deeper than ARGFILE_DEPTH_MAX (an @FILE naming itself). */
bool argfile_expand(struct argfile *out, int argc, char **argv, char *err, size_t err_size);

void argfile_free(struct argfile *a);

#endif
