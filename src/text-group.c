/* text-group: connection blocks grouped by pattern (text-group.h).
 *
 * A capture of a thousand TLS sessions that all end the same way would
 * otherwise print the same block a thousand times.  A group holds its
 * first connection's block and the ids of the rest; groups are looked up
 * by their key in an open-addressed table.  At most GROUPS_MAX groups and
 * IDS_MAX listed ids a group are held: past that the groups are printed
 * and the set starts again, so a capture of a million distinct patterns
 * still runs in bounded memory and prints in a deterministic order. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "text-group.h"
#include "wrap.h"

enum { GROUPS_MAX = 1024, SLOTS = 2 * GROUPS_MAX, IDS_MAX = 100000 };

struct group {
	char *key;
	char *block;
	uint64_t first_id;
	uint64_t *ids; /* the others, in the order they finished */
	size_t nids, cap;
};

struct text_groups {
	struct group group[GROUPS_MAX]; /* in the order they started */
	unsigned count;
	int16_t slot[SLOTS]; /* index into group, -1: empty */
	unsigned indent;     /* of the "and N more" lines */
};

static uint32_t hash_key(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static void clear_slots(struct text_groups *g)
{
	for (unsigned i = 0; i < SLOTS; i++)
		g->slot[i] = -1;
}

struct text_groups *text_groups_new(unsigned indent)
{
	struct text_groups *g = calloc(1, sizeof *g);

	if (g != NULL) {
		clear_slots(g);
		g->indent = indent;
	}
	return g;
}

static void drop_groups(struct text_groups *g)
{
	for (unsigned i = 0; i < g->count; i++) {
		free(g->group[i].key);
		free(g->group[i].block);
		free(g->group[i].ids);
	}
	g->count = 0;
	clear_slots(g);
}

void text_groups_free(struct text_groups *g)
{
	if (g == NULL)
		return;
	drop_groups(g);
	free(g);
}

/* The slot of key: where its group is, or the empty slot it would take. */
static unsigned find_slot(const struct text_groups *g, const char *key)
{
	unsigned i = hash_key(key) % SLOTS;

	/* never full: at most GROUPS_MAX of SLOTS slots are taken */
	while (g->slot[i] >= 0 && strcmp(g->group[g->slot[i]].key, key) != 0)
		i = (i + 1) % SLOTS;
	return i;
}

bool text_groups_join(struct text_groups *g, const char *key, uint64_t id)
{
	unsigned i = find_slot(g, key);
	struct group *gr;

	if (g->slot[i] < 0)
		return false;
	gr = &g->group[g->slot[i]];
	if (gr->nids == gr->cap) {
		size_t cap = gr->cap == 0 ? 16 : 2 * gr->cap;
		uint64_t *ids;

		if (gr->cap >= IDS_MAX || (ids = realloc(gr->ids, cap * sizeof *ids)) == NULL)
			return false; /* the caller prints this one in full */
		gr->ids = ids;
		gr->cap = cap;
	}
	gr->ids[gr->nids++] = id;
	return true;
}

void text_groups_start(struct text_groups *g, FILE *out, const char *key, uint64_t id,
		       char *block)
{
	struct group *gr;
	char *k;

	if (g->count == GROUPS_MAX)
		text_groups_flush(g, out);
	k = strdup(key);
	if (k == NULL) { /* print it now rather than lose it */
		text_groups_flush(g, out);
		fputs(block, out);
		free(block);
		return;
	}
	gr = &g->group[g->count];
	memset(gr, 0, sizeof *gr);
	gr->key = k;
	gr->block = block;
	gr->first_id = id;
	g->slot[find_slot(g, key)] = (int16_t)g->count++;
}

/* What makes two connections' blocks alike: everything the block says
 * but the numbers (ids, addresses, packet numbers, bytes, times). */
void text_group_key(const struct conn_report *c, char *key, size_t size)
{
	int n = snprintf(key, size, "%s|%d|%d|%d|%d|%s|%s|%s|%d|%d|%d|%d|%d", c->close,
			 c->active_closer, c->aborted, c->three_way, c->mid_stream, c->side[0].state,
			 c->side[1].state, c->capture_point, c->prev_id != 0, c->finished_early,
			 c->side[0].copies > 0 || c->side[1].copies > 0,
			 c->side[0].shift_known || c->side[1].shift_known,
			 c->side[0].pad_segments > 0 || c->side[1].pad_segments > 0);

	for (unsigned i = 0; i < c->finding_count && n > 0 && (size_t)n < size; i++) {
		const struct conn_finding *fd = &c->findings[i];

		n += snprintf(key + n, size - (size_t)n, ";%s:%u:%u:%d:%d", fd->rule->id,
			      fd->severity, fd->confidence, fd->side, fd->baselined);
	}
}

static int cmp_id(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* The others of a group as ranges, "2-40, 43, 45-73", wrapped. */
static void put_ids(FILE *out, struct group *gr, unsigned indent)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	if (m == NULL)
		return;
	qsort(gr->ids, gr->nids, sizeof gr->ids[0], cmp_id);
	for (size_t i = 0; i < gr->nids;) {
		size_t j = i;

		while (j + 1 < gr->nids && gr->ids[j + 1] == gr->ids[j] + 1)
			j++;
		if (j == i)
			fprintf(m, "%s%" PRIu64, i == 0 ? "" : ", ", gr->ids[i]);
		else
			fprintf(m, "%s%" PRIu64 "-%" PRIu64, i == 0 ? "" : ", ", gr->ids[i],
				gr->ids[j]);
		i = j + 1;
	}
	if (fclose(m) == 0) {
		fprintf(out, "%*sand %zu more %s alike (close, states, capture point, findings):\n",
			(int)indent, "", gr->nids, gr->nids == 1 ? "connection" : "connections");
		/* text: under the block's findings; Markdown: a paragraph */
		unsigned ids_indent = indent > 0 ? indent + 2 : 0;

		fprintf(out, "%*s", (int)ids_indent, "");
		wrap_text(out, text, ids_indent, ids_indent, 79);
		fputs(" (--no-group shows each)", out);
		fputs(indent > 0 ? "\n" : "\n\n", out); /* Markdown: the paragraph ends */
	}
	free(text);
}

void text_groups_flush(struct text_groups *g, FILE *out)
{
	for (unsigned i = 0; i < g->count; i++) {
		struct group *gr = &g->group[i];

		fputs(gr->block, out);
		if (gr->nids > 0)
			put_ids(out, gr, g->indent);
	}
	drop_groups(g);
}
