/* capset: the files of one capture split across several (--merge): a
 * ring of rotated files (tcpdump -C, -G, -W) or captures of one host's
 * interfaces, read as one capture in timestamp order.  Merged packets are
 * numbered in the merged order; the set says which file and which frame
 * of it each one is, so that evidence can be found in Wireshark.  No
 * engine type here: writers read it. */
#ifndef FINLINT_CAPSET_H
#define FINLINT_CAPSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct capset;

/* The files, in the order given, and what was read of each. */
unsigned capset_files(const struct capset *s);
const char *capset_path(const struct capset *s, unsigned i);
uint64_t capset_packets(const struct capset *s, unsigned i); /* frames read, filtered ones too */
bool capset_timed(const struct capset *s, unsigned i);       /* first/last below are a frame's */
uint64_t capset_first_ts(const struct capset *s, unsigned i);
uint64_t capset_last_ts(const struct capset *s, unsigned i);

/* A pause between one file's last packet and the next file's first that
 * the text report names as a caveat: rotation itself loses no time. */
#define CAPSET_GAP_NS UINT64_C(1000000000)

/* How the files are named when they look like a rotation ("numbered, as
 * tcpdump -C or -W names them"), or NULL. */
const char *capset_rotation(const struct capset *s);

/* The file and frame number of merged packet num; false when the set
 * did not keep it (more than CAPSET_RUNS_MAX changes of file). */
enum { CAPSET_RUNS_MAX = 1 << 20 };
bool capset_origin(const struct capset *s, uint64_t num, unsigned *file, uint64_t *frame);

#endif
