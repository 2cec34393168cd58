/* capset-open: making and reading a capture set (capset.h), for the
 * capture layer and main. */
#ifndef FINLINT_CAPSET_OPEN_H
#define FINLINT_CAPSET_OPEN_H

#include "capset.h"
#include "capture.h"

/* A set of the n files at paths (which must outlive it), not opened yet. */
struct capset *capset_new(char *const *paths, size_t n);
void capset_free(struct capset *s);

/* Open every file; on failure close them and say which one in err. */
bool capset_open_parts(struct capset *s, char *err, unsigned errlen);
void capset_close_parts(struct capset *s);
struct capture *capset_first(const struct capset *s);
struct capture *capset_part(const struct capset *s, unsigned i);

/* The next frame of the merged capture: numbered in merged order.  A
 * damaged file ends early and the others go on; CAPTURE_ERROR comes at
 * the end then, with capset_error() naming the file. */
enum capture_status capset_next(struct capset *s, struct capture_frame *frame);
const char *capset_error(const struct capset *s);

#endif
