/* capset: several capture files read as one (capset.h, capset-open.h).
 *
 * Each file keeps one frame read ahead; the merged capture returns the
 * earliest of them (see earlier() for ties), then reads the next frame of
 * that file only.
 * A frame's bytes are borrowed from its own file's reader, which is not
 * read again before the frame has been used.  Which file each merged
 * packet came from is kept as runs (a new run when the file changes): a
 * handful for rotated files, which follow one another, at most
 * CAPSET_RUNS_MAX for files that overlap in time. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capset-open.h"
#include "finlint.h"

struct part {
	const char *path;
	struct capture *cap;
	struct capture_frame ahead; /* valid while have */
	bool have, done;
	bool timed;
	uint64_t first_ts, last_ts;
};

struct run {
	uint64_t num;   /* the merged number of its first packet */
	uint64_t frame; /* that packet's frame number in its file */
	uint32_t part;
};

struct capset {
	unsigned n;
	struct part *part;
	unsigned last; /* the part the last frame came from; n: none */
	uint64_t num;  /* merged frames returned */
	struct run *run;
	size_t nruns, cap_runs;
	bool runs_full;
	char error[768];
	char rotation[96];
};

unsigned capset_files(const struct capset *s)
{
	return s->n;
}

const char *capset_path(const struct capset *s, unsigned i)
{
	return s->part[i].path;
}

uint64_t capset_packets(const struct capset *s, unsigned i)
{
	return s->part[i].cap != NULL ? capture_frames(s->part[i].cap) : 0;
}

bool capset_timed(const struct capset *s, unsigned i)
{
	return s->part[i].timed;
}

uint64_t capset_first_ts(const struct capset *s, unsigned i)
{
	return s->part[i].first_ts;
}

uint64_t capset_last_ts(const struct capset *s, unsigned i)
{
	return s->part[i].last_ts;
}

const char *capset_rotation(const struct capset *s)
{
	return s->rotation[0] != '\0' ? s->rotation : NULL;
}

bool capset_origin(const struct capset *s, uint64_t num, unsigned *file, uint64_t *frame)
{
	size_t lo = 0, hi = s->nruns;

	if (num == 0 || num > s->num || s->runs_full || s->nruns == 0)
		return false;
	/* the last run that starts at or before num */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->run[mid].num <= num)
			lo = mid;
		else
			hi = mid;
	}
	*file = s->run[lo].part;
	*frame = s->run[lo].frame + (num - s->run[lo].num);
	return true;
}

/* Rotated names share a stem and differ in digits: "cap", "cap1",
 * "cap2" (tcpdump -C), "cap0".."cap9" (-W), or a time in each (-G). */
static void name_rotation(struct capset *s)
{
	size_t stem = SIZE_MAX, tail = SIZE_MAX;
	bool digits_only = true;

	if (s->n < 2)
		return;
	for (unsigned i = 1; i < s->n; i++) {
		const char *a = s->part[0].path, *b = s->part[i].path;
		size_t k = 0, la = strlen(a), lb = strlen(b), t = 0;

		while (a[k] != '\0' && a[k] == b[k])
			k++;
		if (k < stem)
			stem = k;
		while (t < la && t < lb && a[la - 1 - t] == b[lb - 1 - t])
			t++;
		if (t < tail)
			tail = t;
	}
	/* back to the start of the number the names differ in */
	while (stem > 0 && s->part[0].path[stem - 1] >= '0' && s->part[0].path[stem - 1] <= '9')
		stem--;
	if (stem == 0 || strrchr(s->part[0].path, '/') > s->part[0].path + stem)
		return;
	/* the part between the shared stem and the shared tail */
	for (unsigned i = 0; i < s->n && digits_only; i++) {
		const char *p = s->part[i].path;
		size_t len = strlen(p);

		for (size_t k = stem; k + tail < len; k++)
			if (p[k] < '0' || p[k] > '9') {
				digits_only = false;
				break;
			}
	}
	if (digits_only)
		snprintf(s->rotation, sizeof s->rotation,
			 "numbered as tcpdump -C or -W names rotated files");
	else
		snprintf(s->rotation, sizeof s->rotation,
			 "one name with a varying part, as tcpdump -G names rotated files");
}

struct capset *capset_new(char *const *paths, size_t n)
{
	struct capset *s = calloc(1, sizeof *s);

	if (s == NULL || n == 0 || n > UINT32_MAX || (s->part = calloc(n, sizeof *s->part)) == NULL)
		fatal("out of memory");
	s->n = (unsigned)n;
	s->last = s->n;
	for (size_t i = 0; i < n; i++)
		s->part[i].path = paths[i];
	name_rotation(s);
	return s;
}

void capset_free(struct capset *s)
{
	if (s == NULL)
		return;
	capset_close_parts(s);
	free(s->run);
	free(s->part);
	free(s);
}

bool capset_open_parts(struct capset *s, char *err, unsigned errlen)
{
	for (unsigned i = 0; i < s->n; i++) {
		char why[512];

		s->part[i].cap = capture_open(s->part[i].path, why, sizeof why);
		if (s->part[i].cap == NULL) {
			snprintf(err, errlen, "%s: %s", s->part[i].path, why);
			capset_close_parts(s);
			return false;
		}
	}
	return true;
}

void capset_close_parts(struct capset *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		capture_close(s->part[i].cap);
		s->part[i].cap = NULL;
		s->part[i].have = false;
	}
}

struct capture *capset_first(const struct capset *s)
{
	return s->part[0].cap;
}

struct capture *capset_part(const struct capset *s, unsigned i)
{
	return i < s->n ? s->part[i].cap : NULL;
}

/* Read part i's next frame ahead; a damaged file ends there, with the
 * first such error kept for the set (the others go on). */
static void read_ahead(struct capset *s, unsigned i)
{
	struct part *p = &s->part[i];
	enum capture_status st;

	if (p->done)
		return;
	st = capture_next(p->cap, &p->ahead);
	p->have = st == CAPTURE_FRAME;
	if (st == CAPTURE_FRAME) {
		if (!p->timed)
			p->first_ts = p->ahead.ts_ns;
		p->timed = true;
		p->last_ts = p->ahead.ts_ns;
		return;
	}
	p->done = true;
	if (st == CAPTURE_ERROR && s->error[0] == '\0')
		snprintf(s->error, sizeof s->error, "%s: %s", p->path, capture_error(p->cap));
}

static void note_run(struct capset *s, unsigned part, uint64_t frame)
{
	struct run *r = s->nruns > 0 ? &s->run[s->nruns - 1] : NULL;

	if (s->runs_full)
		return;
	if (r != NULL && r->part == part && r->frame + (s->num - r->num) == frame)
		return; /* the run goes on */
	if (s->nruns == s->cap_runs) {
		size_t cap = s->cap_runs == 0 ? 64 : 2 * s->cap_runs;
		struct run *run;

		if (s->cap_runs >= CAPSET_RUNS_MAX || (run = realloc(s->run, cap * sizeof *run)) == NULL) {
			s->runs_full = true; /* merged numbers only, from now on */
			return;
		}
		s->run = run;
		s->cap_runs = cap;
	}
	s->run[s->nruns++] = (struct run){ .num = s->num, .frame = frame, .part = part };
}

/* Whether a's next frame goes before b's.  Equal times go to the file
 * that began first: rotated files given in any order keep the order
 * they were written in; then to the file given first. */
static bool earlier(const struct part *a, const struct part *b)
{
	if (a->ahead.ts_ns != b->ahead.ts_ns)
		return a->ahead.ts_ns < b->ahead.ts_ns;
	return a->first_ts < b->first_ts;
}

enum capture_status capset_next(struct capset *s, struct capture_frame *frame)
{
	unsigned best = s->n;

	if (s->last == s->n) { /* the first call: every file reads ahead */
		for (unsigned i = 0; i < s->n; i++)
			read_ahead(s, i);
	} else {
		read_ahead(s, s->last);
	}
	for (unsigned i = 0; i < s->n; i++)
		if (s->part[i].have && (best == s->n || earlier(&s->part[i], &s->part[best])))
			best = i;
	if (best == s->n) {
		s->last = 0;
		s->part[0].have = false;
		return s->error[0] != '\0' ? CAPTURE_ERROR : CAPTURE_END;
	}
	*frame = s->part[best].ahead;
	s->part[best].have = false;
	s->last = best;
	s->num++;
	note_run(s, best, frame->num);
	frame->num = s->num;
	return CAPTURE_FRAME;
}

const char *capset_error(const struct capset *s)
{
	return s->error;
}
