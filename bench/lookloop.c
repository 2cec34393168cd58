/* lookloop: the benchmark's second floor.  pcaploop's read loop, plus what
 * any tool that follows TCP connections must do per packet at the least:
 * decode Ethernet/IPv4/IPv6/TCP and look the connection up in a hash
 * table.  No state machine, no expiry, no report.  The table has
 * this row ("same + decode + one naive hash lookup"); finlint's ratio to
 * it says how much of finlint's time is the tracking it adds, and a
 * target below this floor cannot be met by any per-packet flow tracker.
 *
 * The table is open addressing with linear probing and the key stored in
 * the slot, grown at half load: a cache miss or two per packet on a large
 * live set, which is the floor being measured.  Only Ethernet captures
 * (bench/gen's) are decoded; other packets are counted and skipped.
 * It decodes and hashes with its own few lines rather than finlint's
 * decoders and flow key on purpose: the floor must not include finlint's
 * own choices (tunnels, options, link types), or a slow decoder there
 * would raise the bar it is measured against. */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

struct key {
	uint8_t family;
	uint8_t pad;
	uint16_t port[2];
	uint8_t addr[2][16];
	uint8_t tail[2]; /* zero: the key is five whole 8-byte words to hash */
};

struct entry {
	struct key key;
	uint32_t packets; /* 0: empty */
};

struct table {
	struct entry *slot;
	uint64_t mask, used;
};

static uint64_t load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x9e3779b97f4a7c15u;
	return h ^ (h >> 29);
}

static uint64_t key_hash(const struct key *k)
{
	const uint8_t *p = (const uint8_t *)k;
	uint64_t h = 0;

	for (size_t i = 0; i + 8 <= sizeof(*k); i += 8)
		h = mix(h, load64(p + i));
	return h;
}

static bool table_init(struct table *t, uint64_t slots)
{
	t->slot = calloc(slots, sizeof(*t->slot));
	t->mask = slots - 1;
	t->used = 0;
	return t->slot != NULL;
}

static struct entry *probe(struct table *t, const struct key *k, uint64_t h)
{
	for (uint64_t i = h & t->mask;; i = (i + 1) & t->mask) {
		struct entry *e = &t->slot[i];

		if (e->packets == 0 || memcmp(&e->key, k, sizeof(*k)) == 0)
			return e;
	}
}

static bool table_grow(struct table *t)
{
	struct table n;

	if (!table_init(&n, (t->mask + 1) * 2))
		return false;
	for (uint64_t i = 0; i <= t->mask; i++) {
		struct entry *e = &t->slot[i];

		if (e->packets != 0)
			*probe(&n, &e->key, key_hash(&e->key)) = *e;
	}
	n.used = t->used;
	free(t->slot);
	*t = n;
	return true;
}

/* Fill *k from an Ethernet frame holding TCP; false for anything else. */
static bool decode(const uint8_t *p, uint32_t len, struct key *k)
{
	uint32_t off = 14, ihl;
	uint16_t type;
	uint8_t proto;
	int a, b;

	if (len < off)
		return false;
	type = (uint16_t)(p[12] << 8 | p[13]);
	while ((type == 0x8100 || type == 0x88a8) && len >= off + 4) {
		type = (uint16_t)(p[off + 2] << 8 | p[off + 3]);
		off += 4;
	}
	memset(k, 0, sizeof(*k));
	if (type == 0x0800) {
		if (len < off + 20 || p[off] >> 4 != 4)
			return false;
		ihl = (uint32_t)(p[off] & 15) * 4;
		proto = p[off + 9];
		if (ihl < 20 || (p[off + 6] & 0x1f) != 0 || p[off + 7] != 0)
			return false; /* a fragment past the first carries no ports */
		k->family = 4;
		memcpy(k->addr[0], p + off + 12, 4);
		memcpy(k->addr[1], p + off + 16, 4);
		off += ihl;
	} else if (type == 0x86dd) {
		if (len < off + 40 || p[off] >> 4 != 6)
			return false;
		proto = p[off + 6];
		k->family = 6;
		memcpy(k->addr[0], p + off + 8, 16);
		memcpy(k->addr[1], p + off + 24, 16);
		off += 40;
	} else {
		return false;
	}
	if (proto != 6 || len < off + 4)
		return false;
	k->port[0] = (uint16_t)(p[off] << 8 | p[off + 1]);
	k->port[1] = (uint16_t)(p[off + 2] << 8 | p[off + 3]);
	/* one entry for both directions: the smaller endpoint first */
	a = memcmp(k->addr[0], k->addr[1], 16);
	b = a != 0 ? a : (k->port[0] > k->port[1]) - (k->port[0] < k->port[1]);
	if (b > 0) {
		uint8_t tmp[16];
		uint16_t port = k->port[0];

		memcpy(tmp, k->addr[0], 16);
		memcpy(k->addr[0], k->addr[1], 16);
		memcpy(k->addr[1], tmp, 16);
		k->port[0] = k->port[1];
		k->port[1] = port;
	}
	return true;
}

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t packets = 0, tcp = 0;
	struct table t;
	struct key k;
	pcap_t *p;
	int r;

	if (argc != 2) {
		fputs("Usage: lookloop FILE\n", stderr);
		return 2;
	}
	p = pcap_open_offline(argv[1], err);
	if (p == NULL) {
		fprintf(stderr, "lookloop: %s: %s\n", argv[1], err);
		return 3;
	}
	if (!table_init(&t, 1u << 16)) {
		fputs("lookloop: out of memory\n", stderr);
		return 3;
	}
	while ((r = pcap_next_ex(p, &h, &data)) == 1) {
		struct entry *e;

		packets++;
		if (pcap_datalink(p) != DLT_EN10MB || !decode(data, h->caplen, &k))
			continue;
		tcp++;
		e = probe(&t, &k, key_hash(&k));
		if (e->packets == 0) {
			e->key = k;
			e->packets = 1;
			if (++t.used * 2 > t.mask + 1 && !table_grow(&t)) {
				fputs("lookloop: out of memory\n", stderr);
				return 3;
			}
			continue; /* a grown table holds a copy; e is stale */
		}
		e->packets++;
	}
	if (r != PCAP_ERROR_BREAK) {
		fprintf(stderr, "lookloop: %s: %s\n", argv[1], pcap_geterr(p));
		return 3;
	}
	printf("%" PRIu64 " packets, %" PRIu64 " TCP, %" PRIu64 " connections\n", packets, tcp,
	       t.used);
	free(t.slot);
	pcap_close(p);
	return 0;
}
