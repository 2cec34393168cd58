/* report-text: the report for people reading a terminal or a ticket. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "report.h"

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void text_begin_file(struct report *r, const struct file_stats *fs)
{
	r->files++;
	fprintf(r->out, "%s\n", fs->path);
	if (fs->link_name != NULL)
		fprintf(r->out, "  link type %s, snaplen %d, %s timestamps\n", fs->link_name,
			fs->snaplen, fs->nanosecond ? "nanosecond" : "microsecond");
}

static void side_flags(FILE *out, const struct flow_side *s)
{
	if (s->syns == 0 && s->fins == 0 && s->rsts == 0) {
		fputs(" none", out);
		return;
	}
	if (s->syns)
		fputs(" SYN", out);
	if (s->fins)
		fputs(" FIN", out);
	if (s->rsts)
		fputs(" RST", out);
}

static void text_flow(struct report *r, const struct flow *f)
{
	struct packet ep = { .family = f->family };
	char a[64], b[64];

	memcpy(ep.src, f->side[0].addr, 16);
	memcpy(ep.dst, f->side[1].addr, 16);
	ep.sport = f->side[0].port;
	ep.dport = f->side[1].port;
	decode_endpoint_str(&ep, true, a, sizeof a);
	decode_endpoint_str(&ep, false, b, sizeof b);
	r->connections++;
	fprintf(r->out, "  connection %" PRIu64 ": %s %s %s, packets %" PRIu64 "-%" PRIu64
			", %" PRIu64 " + %" PRIu64 " segments, %" PRIu64 " + %" PRIu64
			" payload bytes\n",
		f->id, a, f->saw_syn ? "->" : "--", b, f->first_packet, f->last_packet,
		f->side[0].packets, f->side[1].packets, f->side[0].bytes, f->side[1].bytes);
	fprintf(r->out, "    %s sent:", f->saw_syn ? "client" : "first sender (picked up mid-stream)");
	side_flags(r->out, &f->side[0]);
	fprintf(r->out, "; %s sent:", f->saw_syn ? "server" : "other side");
	side_flags(r->out, &f->side[1]);
	fputc('\n', r->out);
}

static void text_end_file(struct report *r, const struct file_stats *fs)
{
	char t0[48], t1[48];

	if (fs->link_name == NULL) { /* the file did not open */
		fprintf(r->out, "  not analysed: %s\n\n", fs->error);
		r->files_failed++;
		return;
	}
	if (fs->unsupported_link) {
		fprintf(r->out, "  not analysed: %s\n\n", fs->error);
		r->files_failed++;
		return;
	}
	r->packets += fs->packets;
	r->tcp += fs->tcp;
	fprintf(r->out, "  %" PRIu64 " %s, %" PRIu64 " TCP %s, %" PRIu64 " %s\n", fs->packets,
		plural(fs->packets, "packet", "packets"), fs->tcp,
		plural(fs->tcp, "segment", "segments"), fs->connections,
		plural(fs->connections, "connection", "connections"));
	if (fs->packets > 0) {
		report_time(fs->first_ts, fs->nanosecond, t0, sizeof t0);
		report_time(fs->last_ts, fs->nanosecond, t1, sizeof t1);
		fprintf(r->out, "  from %s to %s (%.6f s)\n", t0, t1,
			(double)(fs->last_ts - fs->first_ts) / 1e9);
	}
	if (fs->not_ip || fs->not_tcp)
		fprintf(r->out, "  skipped: %" PRIu64 " not IP, %" PRIu64 " IP but not TCP\n",
			fs->not_ip, fs->not_tcp);
	if (fs->tunneled)
		fprintf(r->out, "  %" PRIu64 " TCP segments were decapsulated from tunnels\n",
			fs->tunneled);
	if (fs->truncated || fs->header_cut || fs->fragments || fs->malformed)
		fprintf(r->out,
			"  capture caveats: %" PRIu64 " segments cut by the snaplen (lengths taken "
			"from IP headers), %" PRIu64 " frames cut inside a header, %" PRIu64
			" non-first IP fragments, %" PRIu64 " malformed frames\n",
			fs->truncated, fs->header_cut, fs->fragments, fs->malformed);
	if (fs->read_error) {
		fprintf(r->out, "  input error: %s (the packets before it are analysed)\n", fs->error);
		r->files_failed++;
	}
	fputc('\n', r->out);
}

static void text_end(struct report *r)
{
	fprintf(r->out, "%" PRIu64 " %s, %" PRIu64 " %s, %" PRIu64 " TCP %s, %" PRIu64 " %s",
		r->files, plural(r->files, "file", "files"), r->packets,
		plural(r->packets, "packet", "packets"), r->tcp, plural(r->tcp, "segment", "segments"),
		r->connections, plural(r->connections, "connection", "connections"));
	if (r->files_failed)
		fprintf(r->out, "; %" PRIu64 " %s could not be read whole", r->files_failed,
			plural(r->files_failed, "file", "files"));
	fputc('\n', r->out);
}

const struct report_ops report_text_ops = {
	.name = "text",
	.begin_file = text_begin_file,
	.flow = text_flow,
	.end_file = text_end_file,
	.end = text_end,
};
