/* capset: several capture files read as one (capset.h, capset-open.h).
 *
 * Each file keeps one frame read ahead; the merged capture returns the
 * earliest of them (see earlier() for ties), then reads the next frame of
 * that file only.  A file is open only while it can give the next frame:
 * capset_open_parts() reads each one's first frame time and closes it
 * again, a file is opened when the merge reaches that time and closed
 * at its end.  A ring of a thousand rotated files then holds one or two
 * descriptors, not a thousand (ulimit -n), and each packet compares only
 * the files open at its time.
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

#include "capfilter.h"
#include "capset-open.h"
#include "finlint.h"

struct part {
	const char *path;
	struct capture *cap; /* NULL before its time and after its end */
	struct capture_frame ahead; /* valid while have */
	bool have, done;
	bool timed;
	uint64_t first_ts, last_ts;
	uint64_t open_ts; /* its first frame's time, unfiltered: when to open it */
	uint64_t returned; /* the frame number in the file of its last frame merged */
	/* what the file said, kept when it is closed */
	uint64_t frames, filtered;
	int dlt, snaplen;
	bool nanosecond;
};

struct run {
	uint64_t num;   /* the merged number of its first packet */
	uint64_t frame; /* that packet's frame number in its file */
	uint32_t part;
};

struct capset {
	unsigned n;
	struct part *part;
	unsigned *order;   /* the parts by open_ts: order[next..] not yet opened */
	unsigned next;
	unsigned *active;  /* the parts open now, nactive of them */
	unsigned nactive;
	char *filter;      /* the BPF expression every part gets when opened */
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
	return s->part[i].cap != NULL ? capture_frames(s->part[i].cap) : s->part[i].frames;
}

uint64_t capset_filtered(const struct capset *s, unsigned i)
{
	return s->part[i].cap != NULL ? capture_filtered(s->part[i].cap) : s->part[i].filtered;
}

int capset_dlt(const struct capset *s)
{
	return s->part[0].dlt;
}

bool capset_nanosecond(const struct capset *s)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->part[i].nanosecond)
			return true;
	return false;
}

int capset_snaplen(const struct capset *s)
{
	int most = 0;

	for (unsigned i = 0; i < s->n; i++)
		most = s->part[i].snaplen > most ? s->part[i].snaplen : most;
	return most;
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

	if (s == NULL || n == 0 || n > UINT32_MAX || (s->part = calloc(n, sizeof *s->part)) == NULL ||
	    (s->order = calloc(n, sizeof *s->order)) == NULL ||
	    (s->active = calloc(n, sizeof *s->active)) == NULL)
		fatal("out of memory");
	s->n = (unsigned)n;
	s->last = s->n;
	for (size_t i = 0; i < n; i++) {
		s->part[i].path = paths[i];
		s->order[i] = (unsigned)i;
	}
	name_rotation(s);
	return s;
}

void capset_free(struct capset *s)
{
	if (s == NULL)
		return;
	capset_close_parts(s);
	free(s->filter);
	free(s->active);
	free(s->order);
	free(s->run);
	free(s->part);
	free(s);
}

/* Keep what part p's open file says, then close it. */
static void close_part(struct part *p)
{
	if (p->cap == NULL)
		return;
	p->frames = capture_frames(p->cap);
	p->filtered = capture_filtered(p->cap);
	capture_close(p->cap);
	p->cap = NULL;
}

/* Open part p (again), with the set's filter. */
static bool open_part(struct capset *s, struct part *p, char *err, unsigned errlen)
{
	char why[512];

	p->cap = capture_open(p->path, why, sizeof why);
	if (p->cap == NULL) {
		snprintf(err, errlen, "%s: %s", p->path, why);
		return false;
	}
	if (s->filter != NULL && !capture_set_filter(p->cap, s->filter, why, sizeof why)) {
		snprintf(err, errlen, "%s: %s", p->path, why);
		close_part(p);
		return false;
	}
	return true;
}

/* Whether part a opens after part b: by the time of its first frame,
 * then in the order given. */
static bool opens_after(const struct capset *s, unsigned a, unsigned b)
{
	if (s->part[a].open_ts != s->part[b].open_ts)
		return s->part[a].open_ts > s->part[b].open_ts;
	return a > b;
}

/* Insertion sort of the indices: they are files, not packets, and a
 * rotation given in name order is already in time order. */
static void sort_order(struct capset *s)
{
	for (unsigned i = 1; i < s->n; i++) {
		unsigned v = s->order[i], j = i;

		while (j > 0 && opens_after(s, s->order[j - 1], v)) {
			s->order[j] = s->order[j - 1];
			j--;
		}
		s->order[j] = v;
	}
}

bool capset_open_parts(struct capset *s, char *err, unsigned errlen)
{
	for (unsigned i = 0; i < s->n; i++) {
		struct part *p = &s->part[i];
		struct capture_frame f;

		if (!open_part(s, p, err, errlen)) {
			capset_close_parts(s);
			return false;
		}
		p->dlt = capture_dlt(p->cap);
		p->snaplen = capture_snaplen(p->cap);
		p->nanosecond = capture_nanosecond(p->cap);
		/* An empty file, or one damaged from the start, opens at the
		 * merge's first step, where its error is kept. */
		p->open_ts = capture_next(p->cap, &f) == CAPTURE_FRAME ? f.ts_ns : 0;
		close_part(p);
		p->frames = p->filtered = 0;
	}
	sort_order(s);
	s->next = 0;
	s->nactive = 0;
	return true;
}

void capset_close_parts(struct capset *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		close_part(&s->part[i]);
		s->part[i].have = false;
	}
	s->nactive = 0;
}

bool capset_set_filter(struct capset *s, const char *expr, char *err, unsigned errlen)
{
	/* compiled now for each file's link type, so that a bad expression
	 * fails before the first packet rather than at a late file */
	for (unsigned i = 0; i < s->n; i++) {
		struct capfilter *cf = capfilter_new(expr, s->part[i].dlt, err, errlen);

		if (cf == NULL)
			return false;
		capfilter_free(cf);
	}
	free(s->filter);
	if ((s->filter = strdup(expr)) == NULL)
		fatal("out of memory");
	return true;
}

/* Read part i's next frame ahead; a damaged file ends there, with the
 * first such error kept for the set (the others go on).  A file that
 * ends is closed. */
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
	/* its last frames, left out by a filter, count before what follows */
	s->num += capture_frames(p->cap) - p->returned;
	p->returned = capture_frames(p->cap);
	close_part(p);
}

/* Open the next part by time and read its first frame.  One that cannot
 * be opened again (removed since) ends there, its error the set's. */
static void start_part(struct capset *s)
{
	unsigned i = s->order[s->next++];
	struct part *p = &s->part[i];
	char why[768];

	if (!open_part(s, p, why, sizeof why)) {
		p->done = true;
		if (s->error[0] == '\0')
			snprintf(s->error, sizeof s->error, "%s", why);
		return;
	}
	read_ahead(s, i);
	if (p->have)
		s->active[s->nactive++] = i;
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
	unsigned best = s->n, k = 0;

	if (s->last != s->n)
		read_ahead(s, s->last);
	/* the open parts that still have a frame, and the best of them */
	for (unsigned j = 0; j < s->nactive; j++) {
		unsigned i = s->active[j];

		if (!s->part[i].have)
			continue;
		s->active[k++] = i;
		if (best == s->n || earlier(&s->part[i], &s->part[best]))
			best = i;
	}
	s->nactive = k;
	/* A file whose first frame is not later than the best joins in.
	 * Opening it returns nothing out of turn, it only adds a candidate,
	 * so the order is the one of all files open from the start. */
	while (s->next < s->n &&
	       (best == s->n || s->part[s->order[s->next]].open_ts <= s->part[best].ahead.ts_ns)) {
		unsigned i = s->order[s->next];

		start_part(s);
		if (s->part[i].have && (best == s->n || earlier(&s->part[i], &s->part[best])))
			best = i;
	}
	if (best == s->n) {
		s->last = s->n;
		return s->error[0] != '\0' ? CAPTURE_ERROR : CAPTURE_END;
	}
	*frame = s->part[best].ahead;
	s->part[best].have = false;
	s->last = best;
	/* Frames a filter left out still count, as in one file: those this
	 * file skipped since its last merged frame go just before this one
	 * (exactly the whole capture's numbers for rotated files). */
	s->num += frame->num - s->part[best].returned;
	s->part[best].returned = frame->num;
	note_run(s, best, frame->num);
	frame->num = s->num;
	return CAPTURE_FRAME;
}

void capset_set_part(struct capset *s, unsigned i, uint64_t packets, bool timed,
		     uint64_t first_ts, uint64_t last_ts)
{
	struct part *p = &s->part[i];

	p->done = true;
	p->frames = packets;
	p->timed = timed;
	p->first_ts = first_ts;
	p->last_ts = last_ts;
}

void capset_add_origin(struct capset *s, uint64_t num, unsigned file, uint64_t frame)
{
	size_t lo = 0, hi = s->nruns;

	if (num == 0 || file >= s->n || s->runs_full)
		return;
	/* the first run at or after num: runs stay sorted for capset_origin */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->run[mid].num < num)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->nruns && s->run[lo].num == num)
		return;
	if (s->nruns == s->cap_runs) {
		size_t cap = s->cap_runs == 0 ? 64 : 2 * s->cap_runs;
		struct run *run;

		if (s->cap_runs >= CAPSET_RUNS_MAX || (run = realloc(s->run, cap * sizeof *run)) == NULL) {
			s->runs_full = true;
			return;
		}
		s->run = run;
		s->cap_runs = cap;
	}
	memmove(&s->run[lo + 1], &s->run[lo], (s->nruns - lo) * sizeof *s->run);
	s->run[lo] = (struct run){ .num = num, .frame = frame, .part = file };
	s->nruns++;
	if (num > s->num)
		s->num = num;
}

const char *capset_error(const struct capset *s)
{
	return s->error;
}
