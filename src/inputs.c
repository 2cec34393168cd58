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

#include "escape.h"
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

static bool has_suffix(const char *name, size_t n, const char *ext)
{
	size_t e = strlen(ext);

	return n > e && strncasecmp(name + n - e, ext, e) == 0;
}

/* A capture's name, maybe compressed (dump.pcap.zst): the walk goes by
 * names, opening a file goes by its magic number. */
static bool is_capture_name(const char *name)
{
	static const char *const ext[] = { ".pcap", ".pcapng", ".cap" };
	static const char *const packed[] = { ".gz", ".zst", ".xz", ".lz4" };
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof packed / sizeof packed[0]; i++)
		if (has_suffix(name, n, packed[i])) {
			n -= strlen(packed[i]);
			break;
		}
	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
		if (has_suffix(name, n, ext[i]))
			return true;
	return false;
}

/* --from-jsonl: the saved reports below a directory. */
static bool is_report_name(const char *name)
{
	size_t n = strlen(name);

	return n > 6 && strcasecmp(name + n - 6, ".jsonl") == 0;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Name on stderr an entry of a walk that could not be read, and count it:
 * a file skipped in silence would pass for a file without findings. */
static void unreadable(struct input_list *l, const char *path, const char *what, int err)
{
	escape_diag(path, "%s%s", what, strerror(err));
	l->failed++;
}

/* Every capture below dir.  The names are read and the directory closed
 * before going down, so the walk holds one directory open whatever the
 * depth.  Symbolic links to directories are not followed, so a link loop
 * cannot make the walk endless. */
static void walk(struct input_list *l, const char *dir)
{
	DIR *d = opendir(dir);
	struct input_list names = { 0 };
	struct dirent *e;
	size_t dlen = strlen(dir);
	const char *sep = dlen > 0 && dir[dlen - 1] == '/' ? "" : "/";

	if (d == NULL) {
		unreadable(l, dir, "cannot read directory: ", errno);
		return;
	}
	for (errno = 0; (e = readdir(d)) != NULL; errno = 0)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			push(&names, xstrdup(e->d_name));
	if (errno != 0)
		unreadable(l, dir, "cannot read directory: ", errno);
	closedir(d);
	for (size_t i = 0; i < names.count; i++) {
		const char *name = names.path[i];
		size_t n = dlen + strlen(sep) + strlen(name) + 1;
		char *path = xmalloc(n);
		struct stat st;

		snprintf(path, n, "%s%s%s", dir, sep, name);
		if (lstat(path, &st) != 0) {
			unreadable(l, path, "", errno);
			free(path);
		} else if (S_ISDIR(st.st_mode)) {
			walk(l, path);
			free(path);
		} else if (l->reports ? !is_report_name(name) : !is_capture_name(name)) {
			free(path);
		} else if (stat(path, &st) != 0 || S_ISREG(st.st_mode)) {
			/* a dangling link is listed: opening it says what is wrong */
			push(l, path);
		} else {
			free(path); /* a FIFO, device or socket: not a capture file */
		}
	}
	inputs_free(&names);
}

size_t inputs_add(struct input_list *l, const char *arg)
{
	struct stat st;
	size_t first = l->count;

	if (strcmp(arg, "-") != 0 && stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
		walk(l, arg);
		if (l->count > first) /* qsort wants a valid pointer even for none */
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
	l->count = l->cap = l->failed = 0;
}
