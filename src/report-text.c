/* report-text: the report for people reading a terminal or a ticket. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capset.h"
#include "connreport.h"
#include "escape.h"
#include "finlint.h"
#include "pair.h"
#include "report.h"
#include "text-group.h"
#include "text-ladder.h"
#include "wrap.h"

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* Text that is not finlint's own (a file name, an error quoting one),
 * with its control characters escaped: it must not forge a line. */
static void put_escaped(FILE *out, const char *s)
{
	char *e = escape_text(s);

	fputs(e, out);
	free(e);
}

static void text_begin_file(struct report_writer *r, const struct file_stats *fs)
{
	if (r->priv == NULL && !r->opt->no_group)
		r->priv = text_groups_new(4); /* NULL: every block printed as it comes */
	put_escaped(r->out, fs->path);
	fputc('\n', r->out);
	if (fs->link_name != NULL)
		fprintf(r->out, "  link type %s, snaplen %d, %s timestamps\n", fs->link_name,
			fs->snaplen, fs->nanosecond ? "nanosecond" : "microsecond");
}

static const char *side_name(const struct conn_report *c, int side)
{
	if (side == CONN_CLOSER_BOTH)
		return "both";
	return c->side[side].role;
}

/* Print text indented by indent columns, wrapped before 80 columns; the
 * first line starts after a label of the same indent. */
static void wrap(FILE *out, unsigned indent, const char *label, const char *text)
{
	fprintf(out, "%*s%s", (int)indent, "", label);
	wrap_text(out, text, indent + (unsigned)strlen(label), indent + 2, 79);
	fputc('\n', out);
}

static const char *severity_color(unsigned sev)
{
	return sev == SEV_ERROR ? "\033[1;31m" : sev == SEV_WARNING ? "\033[1;33m" : "\033[1;36m";
}

/* --merge: which file holds each evidence packet, and at which frame,
 * "in part1.pcap frames 3, 4; part2.pcap frame 1". */
static void text_origins(FILE *out, const struct capset *set, const struct conn_finding *fd)
{
	unsigned prev = UINT32_MAX;
	bool any = false;

	for (unsigned i = 0; i < fd->npkts; i++) {
		unsigned file;
		uint64_t frame;

		if (!capset_origin(set, fd->pkts[i], &file, &frame))
			continue;
		if (file != prev) {
			fputs(any ? "; " : "      in ", out);
			put_escaped(out, capset_path(set, file));
			fputs(" frame", out);
			/* plural when the next one is in the same file */
			for (unsigned j = i + 1; j < fd->npkts; j++) {
				unsigned f2;
				uint64_t fr2;

				if (capset_origin(set, fd->pkts[j], &f2, &fr2)) {
					if (f2 == file)
						fputc('s', out);
					break;
				}
			}
			fprintf(out, " %" PRIu64, frame);
		} else {
			fprintf(out, ", %" PRIu64, frame);
		}
		prev = file;
		any = true;
	}
	if (any)
		fputc('\n', out);
}

static void text_finding(FILE *out, const struct capset *set, const struct conn_finding *fd,
			 bool color)
{
	const struct rule_info *ri = fd->rule;
	char label[160];
	int n;

	n = snprintf(label, sizeof label, "%s %s (%s), packet%s", severity_name(fd->severity),
		     ri->id, ri->code, fd->npkts == 1 ? "" : "s");
	for (unsigned i = 0; i < fd->npkts && n > 0 && (size_t)n < sizeof label; i++)
		n += snprintf(label + n, sizeof label - (size_t)n, "%s%" PRIu64, i == 0 ? " " : ", ",
			      fd->pkts[i]);
	if (color)
		fprintf(out, "    %s%s\033[0m%s", severity_color(fd->severity),
			severity_name(fd->severity), label + strlen(severity_name(fd->severity)));
	else
		fprintf(out, "    %s", label);
	if (fd->baselined)
		fputs(" (baselined)", out);
	if (fd->confidence != CONF_HIGH)
		fprintf(out, " [%s confidence]", confidence_name(fd->confidence));
	fputc('\n', out);
	if (set != NULL)
		text_origins(out, set, fd);
	wrap(out, 6, "", fd->message);
	fprintf(out, "      fix: %s (finlint --explain %s)\n", ri->hint, ri->code);
}

/* What the capture did to this connection's packets, one line, only when
 * it did something: the analysis left those packets out. */
static void text_caveats(FILE *out, const struct conn_report *c)
{
	bool any = false;

	for (int i = 0; i < 2; i++) {
		const struct conn_side *ep = &c->side[i];

		if (ep->copies > 0) {
			fprintf(out, "%s%" PRIu32 " capture %s of the %s's packets left out (first: "
				     "packet %" PRIu64 ")",
				any ? "; " : "    capture caveats: ", ep->copies,
				plural(ep->copies, "copy", "copies"), ep->role, ep->first_copy_pkt);
			any = true;
		}
		if (ep->shift_known) {
			fprintf(out, "%sthe %s's packets seen again with seq shifted by %" PRIu32
				     " (both sides of a device that rewrites sequence numbers)",
				any ? "; " : "    capture caveats: ", ep->role, ep->seq_shift);
			any = true;
		}
		if (ep->pad_segments > 0) {
			fprintf(out, "%s%" PRIu32 " %s of the %s whose IP length counts Ethernet "
				     "padding as data (first: packet %" PRIu64 "): not counted",
				any ? "; " : "    capture caveats: ", ep->pad_segments,
				plural(ep->pad_segments, "segment", "segments"), ep->role,
				ep->first_pad_pkt);
			any = true;
		}
	}
	if (any)
		fputc('\n', out);
}

static void text_block(FILE *out, const struct report_options *opt, const struct conn_report *c)
{
	fprintf(out, "  connection %" PRIu64 ": %s %s %s, packets %" PRIu64 "-%" PRIu64 "\n",
		c->id, c->end[0].text, c->mid_stream ? "--" : "->", c->end[1].text, c->first_pkt,
		c->last_pkt);
	fprintf(out, "    %s", c->close);
	if (c->active_closer != CONN_CLOSER_NONE)
		fprintf(out, ", %s %s first", side_name(c, c->active_closer),
			c->aborted ? "reset" : "closed");
	if (c->three_way)
		fputs(", three-way", out);
	if (c->mid_stream)
		fputs(", picked up mid-stream (no SYN in the capture)", out);
	fprintf(out, "; final states: %s %s, %s %s\n", side_name(c, 0), c->side[0].state,
		side_name(c, 1), c->side[1].state);
	if (strcmp(c->capture_point, "unknown") != 0)
		fprintf(out, "    capture point %s (SYN to SYN-ACK %.3f ms, SYN-ACK to ACK %.3f ms)\n",
			c->capture_point_words, (double)c->syn_to_synack_ns / 1e6,
			(double)c->synack_to_ack_ns / 1e6);
	text_caveats(out, c);
	if (c->finished_early)
		fputs("    finished early by --max-memory: later packets are not in this record\n",
		      out);
	if (c->prev_id != 0)
		fprintf(out, "    reuses the 4-tuple of connection %" PRIu64
				" (states then: %s %s, %s %s)\n",
			c->prev_id, side_name(c, 0), c->prev_state[0], side_name(c, 1),
			c->prev_state[1]);
	for (unsigned i = 0; i < c->finding_count; i++)
		text_finding(out, c->set, &c->findings[i], opt->color);
	if (opt->timeline)
		text_ladder(out, c, "    ");
}

static void text_conn(struct report_writer *r, const struct conn_report *c)
{
	struct text_groups *g = r->priv;
	char key[512], *block = NULL;
	size_t len = 0;
	FILE *m;

	if (r->opt->summary_only || !report_lists(r, c, FLOWS_FLAGGED))
		return;
	if (r->opt->no_group || g == NULL) {
		text_block(r->out, r->opt, c);
		return;
	}
	text_group_key(c, key, sizeof key);
	if (text_groups_join(g, key, c->id))
		return;
	m = open_memstream(&block, &len);
	if (m == NULL) {
		text_block(r->out, r->opt, c);
		return;
	}
	text_block(m, r->opt, c);
	if (fclose(m) != 0) {
		free(block);
		text_block(r->out, r->opt, c);
		return;
	}
	text_groups_start(g, r->out, key, c->id, block);
}

/* --merge: the files that made the capture, and the gaps between them
 * that may have lost packets. */
static void text_set(FILE *out, const struct file_stats *fs)
{
	const struct capset *s = fs->set;
	unsigned n = capset_files(s);
	const char *rot = capset_rotation(s);
	int prev = -1;

	fprintf(out, "  one capture merged from %u %s in time order%s%s%s:\n", n,
		plural(n, "file", "files"), rot != NULL ? " (" : "", rot != NULL ? rot : "",
		rot != NULL ? ")" : "");
	for (unsigned i = 0; i < n; i++) {
		char t0[REPORT_TIME_MAX], t1[REPORT_TIME_MAX];

		fputs("    ", out);
		put_escaped(out, capset_path(s, i));
		fprintf(out, ": %" PRIu64 " %s", capset_packets(s, i),
			plural(capset_packets(s, i), "packet", "packets"));
		if (capset_timed(s, i)) {
			report_time(capset_first_ts(s, i), fs->nanosecond, t0, sizeof t0);
			report_time(capset_last_ts(s, i), fs->nanosecond, t1, sizeof t1);
			fprintf(out, ", %s to %s", t0, t1);
		}
		fputc('\n', out);
	}
	/* a gap between one file's end and the next one's start, in the
	 * order given (the rotation's order) */
	for (unsigned i = 0; i < n; i++) {
		if (!capset_timed(s, i))
			continue;
		if (prev >= 0 && capset_first_ts(s, i) > capset_last_ts(s, (unsigned)prev) +
							  CAPSET_GAP_NS) {
			fprintf(out, "  capture caveat: no packet for %.3f s between the end of ",
				(double)(capset_first_ts(s, i) - capset_last_ts(s, (unsigned)prev)) / 1e9);
			put_escaped(out, capset_path(s, (unsigned)prev));
			fputs(" and the start of ", out);
			put_escaped(out, capset_path(s, i));
			fputs(": if traffic did not pause, packets were lost between the files\n", out);
		}
		prev = (int)i;
	}
}

/* Late findings wait for the end of their file, after every block: one
 * buffer per writer of the run. */
static struct late_buffer {
	const struct report_writer *w;
	char *text;
	size_t len;
	FILE *m;
	uint64_t last_id; /* the connection of the latest entry */
} late_buf[REPORT_WRITERS_MAX];

static struct late_buffer *late_of(const struct report_writer *r, bool create)
{
	for (unsigned i = 0; i < REPORT_WRITERS_MAX; i++)
		if (late_buf[i].w == r)
			return &late_buf[i];
	if (!create)
		return NULL;
	for (unsigned i = 0; i < REPORT_WRITERS_MAX; i++)
		if (late_buf[i].w == NULL) {
			late_buf[i].w = r;
			late_buf[i].m = open_memstream(&late_buf[i].text, &late_buf[i].len);
			if (late_buf[i].m == NULL)
				fatal("out of memory");
			late_buf[i].last_id = 0;
			return &late_buf[i];
		}
	fatal("internal error: too many text writers");
	return NULL;
}

static void text_late(struct report_writer *r, const struct late_report *l)
{
	struct late_buffer *b;

	if (r->opt->summary_only || r->opt->flows == FLOWS_NONE)
		return;
	b = late_of(r, true);
	if (b->last_id != l->id) {
		fprintf(b->m, "  connection %" PRIu64 " ", l->id);
		put_escaped(b->m, l->end[0].text);
		fputs(" -> ", b->m);
		put_escaped(b->m, l->end[1].text);
		fputs(", after its record:\n", b->m);
		b->last_id = l->id;
	}
	if (l->finding.rule != NULL) {
		text_finding(b->m, l->set, &l->finding, r->opt->color);
	} else {
		fprintf(b->m, "    late packets from packet %" PRIu64 "\n", l->finding.pkts[0]);
		wrap(b->m, 6, "", l->finding.message);
	}
}

static void text_late_flush(struct report_writer *r)
{
	struct late_buffer *b = late_of(r, false);

	if (b == NULL)
		return;
	if (fclose(b->m) != 0)
		fatal("out of memory");
	if (b->len > 0) {
		fputs("  late findings (--hold-closed tombstone): packets that came for a closed "
		      "connection after its record was written\n", r->out);
		fwrite(b->text, 1, b->len, r->out);
		fputc('\n', r->out);
	}
	free(b->text);
	memset(b, 0, sizeof *b);
}

static void text_end_file(struct report_writer *r, const struct file_stats *fs)
{
	char t0[48], t1[48], caveats[REPORT_CAVEATS_MAX];

	if (r->priv != NULL)
		text_groups_flush(r->priv, r->out);
	text_late_flush(r);

	if (fs->link_name == NULL || fs->unsupported_link) { /* not opened, or not decoded */
		fputs("  not analysed: ", r->out);
		put_escaped(r->out, fs->error);
		fputs("\n\n", r->out);
		return;
	}
	fprintf(r->out, "  %" PRIu64 " %s, %" PRIu64 " TCP %s, %" PRIu64 " %s\n", fs->packets,
		plural(fs->packets, "packet", "packets"), fs->tcp,
		plural(fs->tcp, "segment", "segments"), fs->connections,
		plural(fs->connections, "connection", "connections"));
	if (fs->packets > 0) {
		report_time(fs->first_ts, fs->nanosecond, t0, sizeof t0);
		report_time(fs->last_ts, fs->nanosecond, t1, sizeof t1);
		/* a capture whose time went backwards may end before it began:
		 * the caveat below says so, the span is not made negative */
		fprintf(r->out, "  from %s to %s (%.6f s)\n", t0, t1,
			fs->last_ts > fs->first_ts ? (double)(fs->last_ts - fs->first_ts) / 1e9 : 0.0);
	}
	if (fs->late_packets > 0)
		fprintf(r->out, "  %" PRIu64 " %s came for closed connections after their records "
			"(--hold-closed tombstone): %" PRIu64 " late %s\n", fs->late_packets,
			plural(fs->late_packets, "packet", "packets"), fs->late_findings,
			plural(fs->late_findings, "finding", "findings"));
	if (fs->set != NULL)
		text_set(r->out, fs);
	if (fs->filtered)
		fprintf(r->out, "  %" PRIu64 " %s left out by the filter (still counted in packet "
				"numbers)\n",
			fs->filtered, plural(fs->filtered, "packet", "packets"));
	if (fs->not_ip || fs->not_tcp)
		fprintf(r->out, "  skipped: %" PRIu64 " not IP, %" PRIu64 " IP but not TCP\n",
			fs->not_ip, fs->not_tcp);
	if (fs->tunneled)
		fprintf(r->out, "  %" PRIu64 " TCP segments were decapsulated from tunnels\n",
			fs->tunneled);
	if (report_decode_caveats(fs, caveats, sizeof caveats) > 0)
		fprintf(r->out, "  capture caveats: %s\n", caveats);
	if (fs->time_back)
		fprintf(r->out, "  capture caveat: time goes backwards %" PRIu64 " %s, first at packet %"
				PRIu64 " (%.6f s before the packet read before it)\n",
			fs->time_back, plural(fs->time_back, "time", "times"), fs->time_back_pkt,
			(double)fs->time_back_ns / 1e9);
	if (fs->capture_copies)
		fprintf(r->out, "  %" PRIu64 " capture %s (a packet captured again: same IP ID and "
				"TCP header, microseconds apart) left out of the analysis\n",
			fs->capture_copies, plural(fs->capture_copies, "copy", "copies"));
	if (fs->finished_early) {
		char limit[REPORT_SIZE_MAX];

		report_size(fs->max_memory, limit, sizeof limit);
		fprintf(r->out, "  %" PRIu64 " %s finished early: the flow memory reached "
				"--max-memory %s\n",
			fs->finished_early, plural(fs->finished_early, "connection", "connections"),
			limit);
	}
	if (fs->read_error) {
		fputs("  input error: ", r->out);
		put_escaped(r->out, fs->error);
		fputs(" (the packets before it are analysed)\n", r->out);
	}
	fputc('\n', r->out);
}

static void text_end(struct report_writer *w)
{
	const struct run_summary *r = w->sum;
	const struct report_options *o = w->opt;
	FILE *out = w->out;
	bool any = false;

	text_groups_free(w->priv);
	w->priv = NULL;

	for (unsigned i = 0; i < conn_close_count(); i++)
		if (r->by_close[i] > 0) {
			fprintf(out, "%s%s %" PRIu64, any ? ", " : "connections by close: ",
				conn_close_name(i), r->by_close[i]);
			any = true;
		}
	if (any)
		fputc('\n', out);
	any = false;
	for (unsigned i = 0; i < RULE_COUNT; i++)
		if (r->by_rule[i] > 0) {
			fprintf(out, "%s%s %" PRIu64, any ? ", " : "findings by rule: ",
				rule_info(i)->id, r->by_rule[i]);
			any = true;
		}
	if (any)
		fputc('\n', out);
	fprintf(out, "%" PRIu64 " %s, %" PRIu64 " %s, %" PRIu64 " %s",
		r->findings[SEV_ERROR], plural(r->findings[SEV_ERROR], "error", "errors"),
		r->findings[SEV_WARNING], plural(r->findings[SEV_WARNING], "warning", "warnings"),
		r->findings[SEV_INFO], plural(r->findings[SEV_INFO], "info", "infos"));
	if (o->baseline != NULL)
		fprintf(out, ", %" PRIu64 " baselined", r->baselined);
	if (r->late > 0)
		fprintf(out, ", %" PRIu64 " of them late", r->late);
	/* never "pass" when an input error makes the run fail anyway */
	if (r->exit_status == EXIT_INPUT && o->fail_on < SEV_NEVER)
		fprintf(out, " (--fail-on %s: %s; input error: exit status 3",
			severity_name(o->fail_on), r->failed ? "reached" : "not reached");
	else if (r->exit_status == EXIT_INPUT)
		fputs(" (input error: exit status 3", out);
	else if (o->fail_on < SEV_NEVER)
		fprintf(out, " (--fail-on %s: %s", severity_name(o->fail_on),
			r->failed ? "fail" : "pass");
	if (o->fail_on < SEV_NEVER && r->unsure > 0)
		fprintf(out, "; %" PRIu64 " %s below --min-confidence %s not counted",
			r->unsure, plural(r->unsure, "finding", "findings"),
			confidence_name(o->min_confidence));
	if (r->exit_status == EXIT_INPUT || o->fail_on < SEV_NEVER)
		fputc(')', out);
	fputc('\n', out);

	fprintf(out, "%" PRIu64 " %s, %" PRIu64 " %s, %" PRIu64 " TCP %s, %" PRIu64 " %s",
		r->files, plural(r->files, "file", "files"), r->packets,
		plural(r->packets, "packet", "packets"), r->tcp, plural(r->tcp, "segment", "segments"),
		r->connections, plural(r->connections, "connection", "connections"));
	if (r->files_failed)
		fprintf(out, "; %" PRIu64 " %s could not be read whole", r->files_failed,
			plural(r->files_failed, "file", "files"));
	fputc('\n', out);
}

/* The two-point section, between the files and the totals. */
static void text_pair(struct report_writer *w, const struct pair *p)
{
	pair_text_write(w->out, p, w->opt->flows == FLOWS_ALL);
}

const struct report_ops report_text_ops = {
	.name = "text",
	.help = "for people: a block per flagged connection, the totals at the end",
	.begin_file = text_begin_file,
	.conn = text_conn,
	.late = text_late,
	.end_file = text_end_file,
	.pair = text_pair,
	.end = text_end,
};
