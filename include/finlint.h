/* finlint: project-wide conventions shared by every module.
 *
 * Ownership, once for all modules:
 *  - A decoded packet (struct packet) borrows libpcap's buffer: it is valid
 *    until the next capture_next() on the same capture.
 *  - Every *_free() and *_close() accepts NULL and does nothing with it.
 *  - Strings returned by *_name() functions are static; never free them.
 *
 * Failures come in three kinds: out of memory or a broken invariant is fatal
 * (fatal()); a bad file or option is an error returned to the caller with a
 * message; a bad packet is a counted fact about the capture. */
#ifndef FINLINT_H
#define FINLINT_H

#include <stddef.h>
#include <stdint.h>

/* Process exit statuses, documented in README.md and finlint(1). */
enum exit_status {
	EXIT_OK = 0,       /* nothing at or above the --fail-on threshold */
	EXIT_FINDINGS = 1, /* findings at or above the threshold */
	EXIT_USAGE = 2,    /* bad command line */
	EXIT_INPUT = 3,    /* an input could not be read whole; the rest was analysed */
	EXIT_SOFTWARE = 70, /* finlint itself failed (out of memory, a broken table): sysexits' EX_SOFTWARE */
};

/* Nanoseconds in a second: capture times are nanoseconds since the epoch. */
#define NS_PER_S UINT64_C(1000000000)

/* Print "finlint: message" on stderr and exit with EXIT_SOFTWARE. */
void fatal(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Allocate or die. */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n, size_t size);
char *xstrdup(const char *s);

/* "00" to "99" in a row: decimal numbers are written two digits per
 * division, for the reports' integers and timestamps. */
extern const char finlint_digit_pairs[200];

#endif
