/* capset-open: making and reading a capture set (capset.h), for the
 * capture layer and main. */
#ifndef FINLINT_CAPSET_OPEN_H
#define FINLINT_CAPSET_OPEN_H

#include "capset.h"
#include "capture.h"

/* A set of the n files at paths (which must outlive it), not opened yet. */
struct capset *capset_new(char *const *paths, size_t n);
void capset_free(struct capset *s);

/* Open every file once to learn its link type and first frame's time,
 * and close it again (capset_next() opens each file when the merge
 * reaches it); on failure say which file in err. */
bool capset_open_parts(struct capset *s, char *err, unsigned errlen);
void capset_close_parts(struct capset *s);

/* The BPF filter every file gets as it opens; false, with err, when it
 * does not compile for one of them. */
bool capset_set_filter(struct capset *s, const char *expr, char *err, unsigned errlen);

/* What the files say: the first file's link type, whether any has
 * nanosecond times, the largest snapshot length, frames left out by the
 * filter in file i. */
int capset_dlt(const struct capset *s);
bool capset_nanosecond(const struct capset *s);
int capset_snaplen(const struct capset *s);
uint64_t capset_filtered(const struct capset *s, unsigned i);

/* The next frame of the merged capture: numbered in merged order.  A
 * damaged file ends early and the others go on; CAPTURE_ERROR comes at
 * the end then, with capset_error() naming the file. */
enum capture_status capset_next(struct capset *s, struct capture_frame *frame);
const char *capset_error(const struct capset *s);

/* A set rebuilt from a saved report (--from-jsonl), never opened: what
 * file i held, and where merged packet num was (file, frame), for the
 * evidence packets the report named.  Only the packets given are known. */
void capset_set_part(struct capset *s, unsigned i, uint64_t packets, bool timed,
		     uint64_t first_ts, uint64_t last_ts);
void capset_add_origin(struct capset *s, uint64_t num, unsigned file, uint64_t frame);

#endif
