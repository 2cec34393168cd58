/* inputs: expand directories into sorted capture file lists. */
#include "config.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "finlint.h"
#include "inputs.h"

static void push(struct input_list *l, char *path)
{
	if (l->count == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->path = xrealloc(l->path, l->cap, sizeof *l->path);
	}
	l->path[l->count++] = path;
}

static bool is_capture_name(const char *name)
{
	static const char *const ext[] = { ".pcap", ".pcapng", ".cap" };
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		size_t e = strlen(ext[i]);

		if (n > e && strcasecmp(name + n - e, ext[i]) == 0)
			return true;
	}
	return false;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Symbolic links to directories are not followed, so a link loop cannot
 * make the walk endless. */
static void walk(struct input_list *l, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL) {
		fprintf(stderr, "finlint: %s: cannot read directory: %s\n", dir, strerror(errno));
		return;
	}
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		size_t n;
		char *path;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		n = strlen(dir) + strlen(e->d_name) + 2;
		path = xmalloc(n);
		snprintf(path, n, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
		if (lstat(path, &st) != 0) {
			free(path);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			walk(l, path);
			free(path);
		} else if (is_capture_name(e->d_name) && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			push(l, path);
		} else {
			free(path);
		}
	}
	closedir(d);
}

size_t inputs_add(struct input_list *l, const char *arg)
{
	struct stat st;
	size_t first = l->count;

	if (strcmp(arg, "-") != 0 && stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
		walk(l, arg);
		qsort(l->path + first, l->count - first, sizeof *l->path, cmp_path);
		return l->count - first;
	}
	push(l, xstrdup(arg));
	return 1;
}

void inputs_free(struct input_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->path[i]);
	free(l->path);
	l->path = NULL;
	l->count = l->cap = 0;
}
