/* report: the table of report writers, and formatting they share. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

void report_time(uint64_t ts_ns, bool nanosecond, char *buf, unsigned size)
{
	/* Consecutive timestamps mostly share their second: format the date
	 * once per second, not once per value. */
	static time_t cached_sec = -1;
	static char day[32];
	time_t sec = (time_t)(ts_ns / 1000000000u);
	uint64_t frac = ts_ns % 1000000000u;

	if (sec != cached_sec) {
		struct tm tm;

		gmtime_r(&sec, &tm);
		strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
		cached_sec = sec;
	}
	if (nanosecond)
		snprintf(buf, size, "%s.%09" PRIu64 "Z", day, frac);
	else
		snprintf(buf, size, "%s.%06" PRIu64 "Z", day, frac / 1000);
}

void report_endpoint(const struct flow *f, unsigned side, char *buf, unsigned size)
{
	struct packet ep = { .family = f->family };

	memcpy(ep.src, f->side[side].addr, 16);
	ep.sport = f->side[side].port;
	decode_endpoint_str(&ep, true, buf, size);
}
