/* argfile: see include/argfile.h. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argfile.h"
#include "finlint.h"

struct words {
	char **v;
	size_t n, cap;
};

static void push(struct words *w, char *s)
{
	if (w->n == w->cap) {
		w->cap = w->cap == 0 ? 16 : 2 * w->cap;
		w->v = xrealloc(w->v, w->cap, sizeof *w->v);
	}
	w->v[w->n++] = s;
}

static bool failf(char *err, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool failf(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
	return false;
}

static bool expand_word(struct argfile *a, struct words *out, char *word, unsigned depth,
			const char *from, unsigned line, char *err, size_t err_size);

/* A growing word being read. */
struct word {
	char *s;
	size_t n, cap;
};

static void put(struct word *w, char c)
{
	if (w->n + 1 >= w->cap) {
		w->cap = w->cap == 0 ? 64 : 2 * w->cap;
		w->s = xrealloc(w->s, w->cap, 1);
	}
	w->s[w->n++] = c;
	w->s[w->n] = '\0';
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Split one line of an options file into words, each expanded in turn
 * (a word may itself be @FILE).  Quotes close on the line they open. */
static bool read_line(struct argfile *a, struct words *out, const char *path, unsigned line,
		      const char *p, const char *end, unsigned depth, char *err, size_t err_size)
{
	while (p < end && blank(*p))
		p++;
	if (p < end && *p == '#')
		return true; /* a comment line */
	while (p < end) {
		struct word w = { 0 };
		char quote = 0;

		/* an empty word ('' or "") is still a word */
		w.s = xcalloc(1, 1);
		w.cap = 1;
		for (; p < end && (quote != 0 || !blank(*p)); p++) {
			if (quote == '\'') {
				if (*p == '\'')
					quote = 0;
				else
					put(&w, *p);
			} else if (quote == '"') {
				if (*p == '"')
					quote = 0;
				else if (*p == '\\' && p + 1 < end && (p[1] == '"' || p[1] == '\\'))
					put(&w, *++p);
				else
					put(&w, *p);
			} else if (*p == '\'' || *p == '"') {
				quote = *p;
			} else if (*p == '\\' && p + 1 < end) {
				put(&w, *++p);
			} else {
				put(&w, *p);
			}
		}
		if (quote != 0) {
			free(w.s);
			return failf(err, err_size, "%s:%u: the quote %c is not closed on its line", path,
				     line, quote);
		}
		if (!expand_word(a, out, w.s, depth, path, line, err, err_size))
			return false;
		while (p < end && blank(*p))
			p++;
	}
	return true;
}

static bool read_words(struct argfile *a, struct words *out, const char *path, const char *text,
		       size_t len, unsigned depth, char *err, size_t err_size)
{
	const char *p = text, *end = text + len;
	unsigned line = 1;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl != NULL ? nl : end;

		if (!read_line(a, out, path, line, p, stop, depth, err, err_size))
			return false;
		line++;
		p = nl != NULL ? nl + 1 : end;
	}
	return true;
}

/* Keep s for the life of the list. */
static char *own(struct argfile *a, char *s)
{
	if (a->owned_count == a->owned_cap) {
		a->owned_cap = a->owned_cap == 0 ? 16 : 2 * a->owned_cap;
		a->owned = xrealloc(a->owned, a->owned_cap, sizeof *a->owned);
	}
	a->owned[a->owned_count++] = s;
	return s;
}

/* Read the options file path, named at from:line (from NULL: on the
 * command line). */
static bool read_file(struct argfile *a, struct words *out, const char *path, unsigned depth,
		      const char *from, unsigned line, char *err, size_t err_size)
{
	char where[512] = "";
	FILE *fp;
	char *text = NULL;
	size_t len = 0, cap = 0, got;
	bool ok;

	if (from != NULL)
		snprintf(where, sizeof where, " (named in %s:%u)", from, line);
	if (depth >= ARGFILE_DEPTH_MAX)
		return failf(err, err_size, "%s: options files nested more than %d deep%s: does one "
			     "name itself?", path, ARGFILE_DEPTH_MAX, where);
	fp = fopen(path, "r");
	if (fp == NULL)
		return failf(err, err_size, "%s: cannot read the options file: %s%s", path,
			     strerror(errno), where);
	do {
		if (cap - len < 4096) {
			cap = cap == 0 ? 4096 : 2 * cap;
			text = xrealloc(text, cap, 1);
		}
		got = fread(text + len, 1, cap - len, fp);
		len += got;
	} while (got > 0);
	if (ferror(fp)) {
		int e = errno;

		fclose(fp);
		free(text);
		return failf(err, err_size, "%s: cannot read the options file: %s%s", path,
			     strerror(e), where);
	}
	fclose(fp);
	if (memchr(text, '\0', len) != NULL) {
		free(text);
		return failf(err, err_size, "%s: not an options file (it holds NUL bytes)", path);
	}
	ok = read_words(a, out, path, text, len, depth + 1, err, err_size);
	free(text);
	return ok;
}

/* A word read from a file (depth > 0) is the list's from here on: kept,
 * or freed once its own file is read. */
static bool expand_word(struct argfile *a, struct words *out, char *word, unsigned depth,
			const char *from, unsigned line, char *err, size_t err_size)
{
	if (word[0] == '@' && word[1] != '\0') {
		bool ok = read_file(a, out, word + 1, depth, from, line, err, err_size);

		if (depth > 0)
			free(word);
		return ok;
	}
	push(out, depth > 0 ? own(a, word) : word);
	return true;
}

bool argfile_expand(struct argfile *out, int argc, char **argv, char *err, size_t err_size)
{
	struct words w = { 0 };
	bool filter = false;

	memset(out, 0, sizeof *out);
	for (int i = 0; i < argc; i++) {
		if (i == 0 || filter) {
			push(&w, argv[i]);
		} else if (strcmp(argv[i], "--") == 0) {
			filter = true;
			push(&w, argv[i]);
		} else if (!expand_word(out, &w, argv[i], 0, NULL, 0, err, err_size)) {
			free(w.v);
			argfile_free(out);
			return false;
		}
	}
	push(&w, NULL);
	if (w.n - 1 > (size_t)__INT_MAX__)
		fatal("too many arguments");
	out->argc = (int)(w.n - 1);
	out->argv = w.v;
	return true;
}

void argfile_free(struct argfile *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->owned_count; i++)
		free(a->owned[i]);
	free(a->owned);
	free(a->argv);
	memset(a, 0, sizeof *a);
}
