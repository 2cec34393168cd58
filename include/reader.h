/* reader: the first stage of the pipeline, read -> decode -> key.  It
 * hands the engine batches of decoded TCP packets with their flow key and
 * hash, in capture order.  With a thread of its own it reads and decodes
 * ahead on another CPU while the engine tracks the packets before; without
 * one it fills each batch when asked.  Either way the batches, the counts
 * and the end are the same. */
#ifndef FINLINT_READER_H
#define FINLINT_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "decode.h"
#include "filestats.h"
#include "flow.h"

/* One decoded TCP packet.  Its payload pointer is NULL: the frame's bytes
 * belong to libpcap and are gone by the packet's turn. */
struct reader_item {
	struct packet pkt;
	struct flow_key key;
	uint64_t hash;
};

struct reader;

/* Start reading cap, counting what is read into *fs; the reader owns cap
 * and writes *fs until reader_finish().  With threaded, read on a thread
 * of its own; if the thread cannot be started, read without one. */
struct reader *reader_start(struct capture *cap, struct file_stats *fs, bool threaded);

/* Point *items at the next batch and return its length, or 0 at the end.
 * The batch stays valid until the next call. */
size_t reader_next(struct reader *rd, const struct reader_item **items);

/* Stop (after reading to the end), free the reader and return how the
 * capture ended; cap and *fs are the caller's again. */
enum capture_status reader_finish(struct reader *rd);

/* Read the next frame of cap into *pkt, decode it as its link type, and
 * count it in *fs; *res says what the frame held.  pkt->payload borrows
 * libpcap's buffer until the next read.  The reader reads through this,
 * and so does --decode, which prints every frame. */
enum capture_status reader_decode_next(struct capture *cap, struct file_stats *fs,
				       struct packet *pkt, enum decode_result *res);

#endif
