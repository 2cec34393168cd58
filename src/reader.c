/* reader: read, decode and key packets in batches, on a thread of its own
 * when asked.  Batches go round between a free queue and a full queue
 * under one mutex: a lock per 256 packets, not per packet. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "finlint.h"
#include "reader.h"

/* Large enough that the lock is rare, small enough that the batches in
 * flight (BATCHES x BATCH x ~180 bytes) stay in the second-level cache. */
enum { BATCH = 256, BATCHES = 8 };

struct batch {
	size_t n;
	struct reader_item item[BATCH];
};

/* A queue of batch pointers; it can hold every batch, so a push never
 * waits. */
struct queue {
	struct batch *b[BATCHES];
	unsigned head, len;
};

struct reader {
	struct capture *cap;
	struct file_stats *fs;
	enum capture_status st;

	bool threaded;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed; /* a queue gained a batch, or done or stop was set */
	struct queue free, full;
	bool done; /* the thread has pushed its last batch */
	/* who waits on changed: a wake-up costs the waker a system call, so
	 * it is sent only to a waiter, and the reader, which is the faster,
	 * is woken only once half the batches are free again */
	bool reader_waits, engine_waits;
	bool stop; /* the engine is finishing: the thread must not wait */

	struct batch *current; /* the batch the engine holds */
	struct batch batches[BATCHES];
};

static void push(struct queue *q, struct batch *b)
{
	q->b[(q->head + q->len) % BATCHES] = b;
	q->len++;
}

static struct batch *pop(struct queue *q)
{
	struct batch *b = q->b[q->head];

	q->head = (q->head + 1) % BATCHES;
	q->len--;
	return b;
}

static void count(struct file_stats *fs, const struct packet *pkt, enum decode_result r)
{
	switch (r) {
	case DECODE_TCP:
		fs->tcp++;
		if (pkt->truncated)
			fs->truncated++;
		if (decode_tunneled(pkt))
			fs->tunneled++;
		break;
	case DECODE_NOT_IP:
		fs->not_ip++;
		break;
	case DECODE_NOT_TCP:
		fs->not_tcp++;
		break;
	case DECODE_FRAGMENT:
		fs->fragments++;
		break;
	case DECODE_TRUNCATED:
		fs->header_cut++;
		break;
	case DECODE_MALFORMED:
		fs->malformed++;
		break;
	}
}

enum capture_status reader_decode_next(struct capture *cap, struct file_stats *fs,
				       struct packet *pkt, enum decode_result *res)
{
	struct capture_frame frame;
	enum capture_status st = capture_next(cap, &frame);

	if (st != CAPTURE_FRAME)
		return st;
	pkt->num = frame.num;
	pkt->ts_ns = frame.ts_ns;
	*res = decode_frame(frame.dlt, frame.data, frame.caplen, frame.wirelen, pkt);
	if (!fs->timed) {
		fs->timed = true;
		fs->first_ts = frame.ts_ns;
	} else if (frame.ts_ns < fs->last_ts && fs->time_back++ == 0) {
		fs->time_back_pkt = frame.num;
		fs->time_back_ns = fs->last_ts - frame.ts_ns;
	}
	fs->last_ts = frame.ts_ns;
	count(fs, pkt, *res);
	return st;
}

/* Fill b with the next TCP packets; false once the capture has ended
 * (rd->st says how), b holding what came before the end. */
static bool fill(struct reader *rd, struct batch *b)
{
	b->n = 0;
	while (b->n < BATCH) {
		struct reader_item *it = &b->item[b->n];
		enum decode_result res;

		rd->st = reader_decode_next(rd->cap, rd->fs, &it->pkt, &res);
		if (rd->st != CAPTURE_FRAME)
			return false;
		if (res != DECODE_TCP)
			continue;
		it->pkt.payload = NULL; /* libpcap's buffer moves on */
		it->hash = flow_table_key(&it->pkt, &it->key);
		b->n++;
	}
	return true;
}

static void *read_ahead(void *arg)
{
	struct reader *rd = arg;
	bool more = true;

	while (more) {
		struct batch *b;

		pthread_mutex_lock(&rd->lock);
		while (rd->free.len == 0 && !rd->stop) {
			rd->reader_waits = true;
			pthread_cond_wait(&rd->changed, &rd->lock);
		}
		rd->reader_waits = false;
		if (rd->stop) {
			pthread_mutex_unlock(&rd->lock);
			break;
		}
		b = pop(&rd->free);
		pthread_mutex_unlock(&rd->lock);

		more = fill(rd, b);

		pthread_mutex_lock(&rd->lock);
		push(&rd->full, b);
		if (rd->engine_waits)
			pthread_cond_broadcast(&rd->changed);
		pthread_mutex_unlock(&rd->lock);
	}
	pthread_mutex_lock(&rd->lock);
	rd->done = true;
	pthread_cond_broadcast(&rd->changed);
	pthread_mutex_unlock(&rd->lock);
	return NULL;
}

struct reader *reader_start(struct capture *cap, struct file_stats *fs, bool threaded)
{
	struct reader *rd = xcalloc(1, sizeof *rd);

	rd->cap = cap;
	rd->fs = fs;
	rd->st = CAPTURE_FRAME;
	for (unsigned i = 0; i < BATCHES; i++)
		push(&rd->free, &rd->batches[i]);
	if (!threaded)
		return rd;
	if (pthread_mutex_init(&rd->lock, NULL) != 0)
		return rd;
	if (pthread_cond_init(&rd->changed, NULL) != 0) {
		pthread_mutex_destroy(&rd->lock);
		return rd;
	}
	if (pthread_create(&rd->thread, NULL, read_ahead, rd) != 0) {
		pthread_cond_destroy(&rd->changed);
		pthread_mutex_destroy(&rd->lock);
		return rd;
	}
	rd->threaded = true;
	return rd;
}

static size_t next_unthreaded(struct reader *rd, const struct reader_item **items)
{
	struct batch *b = &rd->batches[0];

	if (rd->st != CAPTURE_FRAME)
		return 0;
	/* a batch cut short by the end still holds packets */
	fill(rd, b);
	*items = b->item;
	return b->n;
}

size_t reader_next(struct reader *rd, const struct reader_item **items)
{
	struct batch *b;

	if (!rd->threaded)
		return next_unthreaded(rd, items);
	pthread_mutex_lock(&rd->lock);
	if (rd->current != NULL) {
		push(&rd->free, rd->current);
		rd->current = NULL;
		if (rd->reader_waits && rd->free.len >= BATCHES / 2)
			pthread_cond_broadcast(&rd->changed);
	}
	for (;;) {
		while (rd->full.len == 0 && !rd->done) {
			/* the reader must not sleep while the engine does */
			if (rd->reader_waits)
				pthread_cond_broadcast(&rd->changed);
			rd->engine_waits = true;
			pthread_cond_wait(&rd->changed, &rd->lock);
		}
		rd->engine_waits = false;
		if (rd->full.len == 0) {
			pthread_mutex_unlock(&rd->lock);
			return 0;
		}
		b = pop(&rd->full);
		if (b->n > 0)
			break;
		push(&rd->free, b); /* an empty last batch */
	}
	rd->current = b;
	pthread_mutex_unlock(&rd->lock);
	*items = b->item;
	return b->n;
}

enum capture_status reader_finish(struct reader *rd)
{
	enum capture_status st;

	if (rd->threaded) {
		pthread_mutex_lock(&rd->lock);
		rd->stop = true;
		pthread_cond_broadcast(&rd->changed);
		pthread_mutex_unlock(&rd->lock);
		pthread_join(rd->thread, NULL);
		pthread_cond_destroy(&rd->changed);
		pthread_mutex_destroy(&rd->lock);
	}
	/* stopped early, the thread may not have met the end: say so as the
	 * capture would (CAPTURE_FRAME is not an ending) */
	st = rd->st == CAPTURE_FRAME ? CAPTURE_END : rd->st;
	free(rd);
	return st;
}
