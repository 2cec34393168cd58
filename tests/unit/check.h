/* check: the smallest assertion kit that says where and what failed. */
#ifndef FINLINT_CHECK_H
#define FINLINT_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

static inline void check_report(int ok, const char *file, int line, const char *what)
{
	if (ok) {
		check_passed++;
		return;
	}
	check_failed++;
	fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
}

static inline void check_u64(uint64_t got, uint64_t want, const char *file, int line, const char *what)
{
	if (got == want) {
		check_passed++;
		return;
	}
	check_failed++;
	fprintf(stderr, "%s:%d: %s: got %" PRIu64 ", want %" PRIu64 "\n", file, line, what, got,
		want);
}

static inline void check_str(const char *got, const char *want, const char *file, int line,
		      const char *what)
{
	if (got != NULL && strcmp(got, want) == 0) {
		check_passed++;
		return;
	}
	check_failed++;
	fprintf(stderr, "%s:%d: %s: got \"%s\", want \"%s\"\n", file, line, what,
		got != NULL ? got : "(null)", want);
}

#define CHECK(c) check_report((c) != 0, __FILE__, __LINE__, #c)
#define CHECK_U64(got, want) check_u64((uint64_t)(got), (uint64_t)(want), __FILE__, __LINE__, #got)
#define CHECK_STR(got, want) check_str((got), (want), __FILE__, __LINE__, #got)

/* Print the closing line the test log and CI read, and the exit status. */
static inline int check_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
