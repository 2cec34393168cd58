/* flow-pack: a compact copy of a closed connection's record.
 *
 * A closed connection stays in the table for its TIME_WAIT (60 s of
 * capture time on Linux) in case a late segment, a RST or a new SYN on
 * its 4-tuple arrives, and on a busy capture those are most of the flows
 * held.  Their records are mostly zeros (fields for events that did not
 * happen) and timestamps a few seconds apart, so each 8-byte word is kept
 * as its significant bytes, or as its distance from a base time when that
 * is shorter: about a third of the size, restored exactly. */
#ifndef FINLINT_FLOW_PACK_H
#define FINLINT_FLOW_PACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most bytes flow_pack writes for a record of size bytes. */
size_t flow_pack_bound(size_t size);

/* Pack the size bytes at src (size a multiple of 8) into out, which holds
 * flow_pack_bound(size) bytes; base is a time close to the record's
 * timestamps.  Return the packed length. */
size_t flow_pack(const void *src, size_t size, uint64_t base, uint8_t *out);

/* Restore the size bytes packed in in[0..len) with the same base into dst.
 * Return false if the packed bytes do not hold exactly size bytes. */
bool flow_unpack(const uint8_t *in, size_t len, uint64_t base, void *dst, size_t size);

/* The same for packed bytes that go on after the record (records packed
 * one after the other): return how many bytes of in it took, 0 when
 * in[0..len) does not begin with size bytes' worth. */
size_t flow_unpack_prefix(const uint8_t *in, size_t len, uint64_t base, void *dst, size_t size);

#endif
