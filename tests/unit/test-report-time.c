/* test-report-time: the arithmetic RFC 3339 formatter against the C
 * library's gmtime_r/strftime, on fixed edge dates and 100 000 pseudo-random
 * times between 1970 and 2100, in both precisions. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "report.h"

static void compare(uint64_t ts, const char *file, int line)
{
	char got[48], want[48], day[32];
	time_t sec = (time_t)(ts / 1000000000u);
	struct tm tm;

	gmtime_r(&sec, &tm);
	strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(want, sizeof want, "%s.%06" PRIu64 "Z", day, ts % 1000000000u / 1000u);
	report_time(ts, false, got, sizeof got);
	check_str(got, want, file, line, "microseconds");
	snprintf(want, sizeof want, "%s.%09" PRIu64 "Z", day, ts % 1000000000u);
	report_time(ts, true, got, sizeof got);
	check_str(got, want, file, line, "nanoseconds");
}

int main(void)
{
	static const uint64_t fixed[] = {
		0,                            /* the epoch */
		86399999999999u,              /* its last nanosecond of day 0 */
		951782400000000001u,          /* 2000-02-29, a 400-year leap day */
		4107542400000000000u,         /* 2100-03-01, after a non-leap 2100-02-28 */
		1700000000123456789u,
	};
	uint64_t x = 88172645463325252u;

	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		compare(fixed[i], __FILE__, __LINE__);
	for (int i = 0; i < 100000; i++) {
		x ^= x << 13; /* xorshift: a fixed sequence, the same every run */
		x ^= x >> 7;
		x ^= x << 17;
		compare(x % 4102444800000000000u, __FILE__, __LINE__);
	}
	return check_done("test-report-time");
}
