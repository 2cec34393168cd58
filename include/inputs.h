/* inputs: turn command-line arguments into the list of files to read. */
#ifndef FINLINT_INPUTS_H
#define FINLINT_INPUTS_H

#include <stddef.h>

struct input_list {
	char **path;
	size_t count, cap;
	size_t failed; /* entries of directories that could not be read */
	bool reports;  /* --from-jsonl: a directory gives its *.jsonl files instead */
};

/* Append arg to l: a file or "-" as it is (opening it reports what is
 * wrong with it), a directory as every *.pcap, *.pcapng and *.cap below
 * it, each also with .gz, .zst, .xz or .lz4 after it, in sorted order.  A directory or entry below arg that cannot be read
 * is named on stderr and counted in l->failed.  Return how many paths
 * were added. */
size_t inputs_add(struct input_list *l, const char *arg);

/* Free the list's strings and array. */
void inputs_free(struct input_list *l);

#endif
