/* report: the table of report writers, and formatting they share. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include "community-id.h"
#include "decode.h"
#include "report.h"

extern const struct report_ops report_text_ops;
extern const struct report_ops report_json_ops;
extern const struct report_ops report_jsonl_ops;
extern const struct report_ops report_csv_ops;

static const struct report_ops *const writers[] = {
	&report_text_ops,
	&report_json_ops,
	&report_jsonl_ops,
	&report_csv_ops,
};

const struct report_ops *report_find(const char *format)
{
	for (size_t i = 0; i < sizeof writers / sizeof writers[0]; i++)
		if (strcmp(writers[i]->name, format) == 0)
			return writers[i];
	return NULL;
}

/* Write v as exactly n decimal digits at p. */
static void digits(char *p, uint64_t v, unsigned n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

void report_time(uint64_t ts_ns, bool nanosecond, char *buf, unsigned size)
{
	/* A report writes several timestamps per connection, so this is
	 * arithmetic rather than gmtime_r/strftime/snprintf: days since the
	 * epoch to a proleptic Gregorian date counted in 400-year eras. */
	uint64_t sec = ts_ns / 1000000000u, frac = ts_ns % 1000000000u;
	uint64_t days = sec / 86400u, rem = sec % 86400u;
	uint64_t z = days + 719468u; /* days since 0000-03-01 */
	uint64_t era = z / 146097u, doe = z % 146097u;
	uint64_t yoe = (doe - doe / 1460u + doe / 36524u - doe / 146096u) / 365u;
	uint64_t doy = doe - (365u * yoe + yoe / 4u - yoe / 100u);
	uint64_t mp = (5u * doy + 2u) / 153u;
	uint64_t day = doy - (153u * mp + 2u) / 5u + 1u;
	uint64_t month = mp < 10u ? mp + 3u : mp - 9u;
	uint64_t year = yoe + era * 400u + (month <= 2u ? 1u : 0u);
	char out[40];
	unsigned n = nanosecond ? 9u : 6u;

	if (year > 9999u) { /* not a capture time: keep the format's width */
		snprintf(buf, size, "9999-12-31T23:59:59.%0*uZ", (int)n, 0u);
		return;
	}
	digits(out, year, 4);
	out[4] = '-';
	digits(out + 5, month, 2);
	out[7] = '-';
	digits(out + 8, day, 2);
	out[10] = 'T';
	digits(out + 11, rem / 3600u, 2);
	out[13] = ':';
	digits(out + 14, rem / 60u % 60u, 2);
	out[16] = ':';
	digits(out + 17, rem % 60u, 2);
	out[19] = '.';
	digits(out + 20, nanosecond ? frac : frac / 1000u, n);
	out[20 + n] = 'Z';
	out[21 + n] = '\0';
	snprintf(buf, size, "%s", out);
}

void report_begin_file(struct report *r, const struct file_stats *fs)
{
	r->files++;
	r->file = fs;
	r->ops->begin_file(r, fs);
}

void report_end_file(struct report *r, const struct file_stats *fs)
{
	if (fs->error[0] != '\0')
		r->files_failed++;
	r->packets += fs->packets;
	r->tcp += fs->tcp;
	r->ops->end_file(r, fs);
	r->file = NULL;
}

void report_address(const struct flow *f, unsigned side, char *buf, unsigned size)
{
	if (inet_ntop(f->family == 6 ? AF_INET6 : AF_INET, f->side[side].addr, buf, size) == NULL)
		snprintf(buf, size, "?");
}

void report_community_id(const struct flow *f, char out[COMMUNITY_ID_LEN])
{
	community_id_v1(out, 0, f->family, f->side[0].addr, f->side[0].port, f->side[1].addr,
			f->side[1].port, 6 /* TCP */);
}

bool report_lists(const struct report *r, const struct findings *found, enum report_flows dflt)
{
	enum report_flows mode = r->flows != FLOWS_DEFAULT ? r->flows : dflt;

	return mode == FLOWS_ALL || (mode == FLOWS_FLAGGED && found->n > 0);
}

void report_endpoint(const struct flow *f, unsigned side, char *buf, unsigned size)
{
	struct packet ep = { .family = f->family };

	memcpy(ep.src, f->side[side].addr, 16);
	ep.sport = f->side[side].port;
	decode_endpoint_str(&ep, true, buf, size);
}
