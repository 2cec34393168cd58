/* report: the table of report writers, and formatting they share. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>

#include "community-id.h"
#include "decode.h"
#include "finlint.h"
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
static void digits(char *p, uint32_t v, unsigned n)
{
	while (n >= 2) {
		n -= 2;
		memcpy(p + n, finlint_digit_pairs + 2 * (v % 100u), 2);
		v /= 100u;
	}
	if (n == 1)
		p[0] = (char)('0' + v % 10u);
}

/* "YYYY-MM-DDTHH:MM:SS." of sec at out; false for a second past year
 * 9999, not a capture time, written as its last second to keep the
 * format's width. */
static bool date_and_time(uint64_t sec, char out[20])
{
	/* A report writes several timestamps per connection, so this is
	 * arithmetic rather than gmtime_r/strftime/snprintf: days since the
	 * epoch to a proleptic Gregorian date counted in 400-year eras. */
	uint64_t days = sec / 86400u, rem = sec % 86400u;
	uint64_t z = days + 719468u; /* days since 0000-03-01 */
	uint64_t era = z / 146097u, doe = z % 146097u;
	uint64_t yoe = (doe - doe / 1460u + doe / 36524u - doe / 146096u) / 365u;
	uint64_t doy = doe - (365u * yoe + yoe / 4u - yoe / 100u);
	uint64_t mp = (5u * doy + 2u) / 153u;
	uint64_t day = doy - (153u * mp + 2u) / 5u + 1u;
	uint64_t month = mp < 10u ? mp + 3u : mp - 9u;
	uint64_t year = yoe + era * 400u + (month <= 2u ? 1u : 0u);

	if (year > 9999u) {
		memcpy(out, "9999-12-31T23:59:59.", 20);
		return false;
	}
	/* every part now fits 32 bits */
	digits(out, (uint32_t)year, 4);
	out[4] = '-';
	digits(out + 5, (uint32_t)month, 2);
	out[7] = '-';
	digits(out + 8, (uint32_t)day, 2);
	out[10] = 'T';
	digits(out + 11, (uint32_t)(rem / 3600u), 2);
	out[13] = ':';
	digits(out + 14, (uint32_t)(rem / 60u % 60u), 2);
	out[16] = ':';
	digits(out + 17, (uint32_t)(rem % 60u), 2);
	out[19] = '.';
	return true;
}

/* The text of ts_ns at out, which has room for REPORT_TIME_MAX bytes;
 * returns its length. */
static size_t rfc3339(uint64_t ts_ns, bool nanosecond, char *out)
{
	/* A connection's timestamps mostly fall in the second of the one
	 * before, so the text up to the fraction is kept for that second.
	 * No second since the epoch reaches UINT64_MAX: it starts empty. */
	static struct {
		uint64_t sec;
		bool in_range;
		char text[20];
	} last = { .sec = UINT64_MAX };
	uint64_t sec = ts_ns / 1000000000u;
	uint32_t frac = (uint32_t)(ts_ns % 1000000000u);
	unsigned n = nanosecond ? 9u : 6u;

	if (sec != last.sec) {
		last.in_range = date_and_time(sec, last.text);
		last.sec = sec;
	}
	memcpy(out, last.text, 20);
	if (last.in_range)
		digits(out + 20, nanosecond ? frac : frac / 1000u, n);
	else
		memset(out + 20, '0', n);
	out[20 + n] = 'Z';
	out[21 + n] = '\0';
	return 21 + n;
}

size_t report_size(uint64_t bytes, char *buf, unsigned size)
{
	static const char units[] = "TGMK";
	int n;

	for (unsigned i = 0; i < 4; i++) {
		uint64_t unit = (uint64_t)1 << (10 * (4 - i));

		if (bytes != 0 && bytes % unit == 0) {
			n = snprintf(buf, size, "%" PRIu64 "%c", bytes / unit, units[i]);
			return n < 0 ? 0 : (size_t)n;
		}
	}
	n = snprintf(buf, size, "%" PRIu64, bytes);
	return n < 0 ? 0 : (size_t)n;
}

size_t report_time(uint64_t ts_ns, bool nanosecond, char *buf, unsigned size)
{
	char out[REPORT_TIME_MAX];
	size_t len;

	/* Straight into buf when it has room: copying out bytes just stored
	 * a few at a time stalls the CPU for longer than formatting them. */
	if (size >= REPORT_TIME_MAX)
		return rfc3339(ts_ns, nanosecond, buf);
	len = rfc3339(ts_ns, nanosecond, out);
	if (size == 0)
		return 0;
	if (len >= size)
		len = size - 1;
	memcpy(buf, out, len);
	buf[len] = '\0';
	return len;
}

int report_exit_status(const struct report *r)
{
	if (r->input_error || r->files_failed > 0)
		return EXIT_INPUT;
	return r->failed ? EXIT_FINDINGS : EXIT_OK;
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

/* inet_ntop's IPv4 form at p; returns the end. */
static char *dotted_quad(char *p, const uint8_t a[4])
{
	for (unsigned i = 0; i < 4; i++) {
		if (i > 0)
			*p++ = '.';
		if (a[i] >= 100)
			*p++ = (char)('0' + a[i] / 100);
		if (a[i] >= 10)
			*p++ = (char)('0' + a[i] / 10 % 10);
		*p++ = (char)('0' + a[i] % 10);
	}
	return p;
}

/* One group of an IPv6 address as "%x" writes it; returns the end. */
static char *hex_group(char *p, unsigned v)
{
	static const char hex[] = "0123456789abcdef";
	bool started = false;

	for (int shift = 12; shift >= 0; shift -= 4) {
		unsigned d = v >> shift & 15u;

		if (d != 0 || started || shift == 0) {
			*p++ = hex[d];
			started = true;
		}
	}
	return p;
}

/* glibc's inet_ntop IPv6 form at p (RFC 5952 but for its IPv4-compatible
 * and -mapped forms); returns the end. */
static char *ipv6_text(char *p, const uint8_t a[16])
{
	unsigned words[8];
	int best = -1, best_len = 0, cur = -1, cur_len = 0;

	for (unsigned i = 0; i < 8; i++)
		words[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	/* the first longest run of zero groups, if two or more, is "::" */
	for (int i = 0; i <= 8; i++) {
		if (i < 8 && words[i] == 0) {
			if (cur < 0) {
				cur = i;
				cur_len = 0;
			}
			cur_len++;
		} else if (cur >= 0) {
			if (best < 0 || cur_len > best_len) {
				best = cur;
				best_len = cur_len;
			}
			cur = -1;
		}
	}
	if (best_len < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i != 0)
			*p++ = ':';
		if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff)))
			return dotted_quad(p, a + 12);
		p = hex_group(p, words[i]);
	}
	if (best >= 0 && best + best_len == 8)
		*p++ = ':';
	return p;
}

_Static_assert(REPORT_ADDRESS_MAX >= INET6_ADDRSTRLEN, "REPORT_ADDRESS_MAX too small");

size_t report_address(const struct flow *f, unsigned side, char *buf, unsigned size)
{
	/* written by hand: inet_ntop's sprintf per group was a good part of
	 * the JSON writer's time; straight into buf when it has room, as in
	 * report_time */
	char text[REPORT_ADDRESS_MAX];
	char *out = size >= sizeof text ? buf : text;
	const uint8_t *a = f->side[side].addr;
	size_t len = (size_t)((f->family == 6 ? ipv6_text(out, a) : dotted_quad(out, a)) - out);

	if (len < size) {
		if (out != buf)
			memcpy(buf, out, len);
		buf[len] = '\0';
		return len;
	}
	snprintf(buf, size, "?"); /* as when inet_ntop fails for want of room */
	return size > 0 ? strlen(buf) : 0;
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
