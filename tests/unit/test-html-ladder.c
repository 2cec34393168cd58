/* test-html-ladder: the SVG ladder of hand-built connection records.  The
 * first is samples/07 as the engine sees it (11 packets, the server's FIN
 * 3.959 s after the ACK of the client's, a warning on the last three); the
 * second a mid-stream one with packets left out, time going backwards,
 * evidence before the drawn packets and a hostile role name. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "html-ladder.h"

static unsigned count(const char *hay, const char *needle)
{
	unsigned n = 0;

	for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* Where needle first occurs in hay, or past its end when it does not. */
static size_t where(const char *hay, const char *needle)
{
	const char *p = strstr(hay, needle);

	return p != NULL ? (size_t)(p - hay) : strlen(hay) + 1;
}

static char *draw(const struct conn_report *c, bool *drew)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL) {
		perror("open_memstream");
		exit(99);
	}
	*drew = html_ladder_write(f, c);
	fclose(f);
	return buf;
}

static void step(struct conn_report *c, uint64_t pkt, uint64_t ts, uint8_t side,
		 const char *flags, uint32_t seq, uint32_t ack, uint32_t len, const char *s0,
		 const char *s1)
{
	struct conn_step *s = &c->steps[c->step_count++];

	s->pkt = pkt;
	s->ts = ts;
	s->side = side;
	snprintf(s->flags, sizeof s->flags, "%s", flags);
	s->seq = seq;
	s->ack = ack;
	s->len = len;
	s->relative = true;
	s->state[0] = s0;
	s->state[1] = s1;
}

static void finding(struct conn_report *c, unsigned rule, unsigned sev, unsigned npkts,
		    const uint64_t *pkts)
{
	struct conn_finding *fd = &c->findings[c->finding_count++];

	fd->rule = rule_info(rule);
	fd->rule_index = rule;
	fd->severity = (uint8_t)sev;
	fd->npkts = (uint8_t)npkts;
	memcpy(fd->pkts, pkts, npkts * sizeof pkts[0]);
	fd->message = "a message";
}

static void endpoints(struct conn_report *c, const char *r0, const char *r1)
{
	snprintf(c->end[0].text, sizeof c->end[0].text, "10.0.1.1:54552");
	snprintf(c->end[1].text, sizeof c->end[1].text, "10.0.1.2:8000");
	c->side[0].role = r0;
	c->side[1].role = r1;
}

static void sample07(void)
{
	static struct conn_report c; /* large: not on the stack */
	static const uint64_t ev[] = { 9, 10, 11 };
	const uint64_t t0 = 1795383859658173000u, us = 1000;
	bool drew;
	char *svg;

	memset(&c, 0, sizeof c);
	c.id = 1;
	c.first_pkt = 1;
	endpoints(&c, "client", "server");
	c.capture_point = "near-client";
	c.capture_point_words = "near the client";
	c.steps_known = true;
	step(&c, 1, t0, 0, "S", 0, 0, 0, "SYN_SENT", "UNKNOWN");
	step(&c, 2, t0 + 36 * us, 1, "SA", 0, 1, 0, "ESTABLISHED", "SYN_RECEIVED");
	step(&c, 3, t0 + 52 * us, 0, "A", 1, 1, 0, "ESTABLISHED", "ESTABLISHED");
	step(&c, 4, t0 + 114 * us, 0, "PA", 1, 1, 100, "ESTABLISHED", "ESTABLISHED");
	step(&c, 5, t0 + 122 * us, 1, "A", 1, 101, 0, "ESTABLISHED", "ESTABLISHED");
	step(&c, 6, t0 + 231 * us, 1, "PA", 1, 101, 200, "ESTABLISHED", "ESTABLISHED");
	step(&c, 7, t0 + 239 * us, 0, "A", 101, 201, 0, "ESTABLISHED", "ESTABLISHED");
	step(&c, 8, t0 + 268 * us, 0, "FA", 101, 201, 0, "FIN_WAIT_1", "CLOSE_WAIT");
	step(&c, 9, t0 + 41748 * us, 1, "A", 201, 102, 0, "FIN_WAIT_2", "CLOSE_WAIT");
	step(&c, 10, t0 + 4000501 * us, 1, "FA", 201, 102, 0, "TIME_WAIT", "LAST_ACK");
	step(&c, 11, t0 + 4000533 * us, 0, "R", 102, 0, 0, "CLOSED", "CLOSED");
	finding(&c, RULE_RST_AFTER_FIN_WAIT2_TIMEOUT, SEV_WARNING, 3, ev);

	svg = draw(&c, &drew);
	CHECK(drew);
	CHECK_U64(count(svg, "<svg "), 1);
	CHECK_U64(count(svg, "<g class=\"pkt"), 11);
	CHECK_U64(count(svg, "<g class=\"pkt evidence\""), 3);
	CHECK_U64(count(svg, "data-rules=\"FL004\""), 3);
	CHECK(strstr(svg, "<g class=\"pkt evidence\" data-pkt=\"9\" data-side=\"1\"") != NULL);
	CHECK(strstr(svg, "<g class=\"pkt\" data-pkt=\"8\" data-side=\"0\"") != NULL);
	/* the one long pause, between packets 9 and 10, with its length */
	CHECK_U64(count(svg, "class=\"pause\""), 1);
	CHECK(where(svg, "data-pkt=\"9\"") < where(svg, ">pause 3.959 s<"));
	CHECK(where(svg, ">pause 3.959 s<") < where(svg, "data-pkt=\"10\""));
	/* nothing left out; the capture point near the client's line */
	CHECK_U64(count(svg, "left-out"), 0);
	CHECK(strstr(svg, "<line class=\"capture-point\" x1=\"288\"") != NULL);
	CHECK(strstr(svg, "capture point, near the client</text>") != NULL);
	/* labels: ack only with the ACK flag, len only with payload */
	CHECK(strstr(svg, ">S seq 0</text>") != NULL);
	CHECK(strstr(svg, ">PA seq 1 ack 101 len 200</text>") != NULL);
	CHECK(strstr(svg, ">R seq 102</text>") != NULL);
	CHECK(strstr(svg, "<title>packet 10, +4.000501 s, from the server: FA seq 201 ack 102; "
			  "evidence of FL004</title>") != NULL);
	/* both states after every packet, the changed ones bold */
	CHECK_U64(count(svg, "<text class=\"state"), 22);
	CHECK(strstr(svg, "<text class=\"state changed\" x=\"254\" y=\"") != NULL);
	CHECK(where(svg, "data-pkt=\"10\"") < where(svg, "font-weight=\"bold\">TIME_WAIT</text>"));
	CHECK(strstr(svg, "fill=\"#777\">ESTABLISHED</text>") != NULL);
	/* a warning's colour on evidence, the plain ink elsewhere */
	CHECK(strstr(svg, "stroke=\"#a85400\" stroke-width=\"3\"") != NULL);
	/* 64 of heading, a 30 pause band, 11 rows of 32, 10 + 4 below */
	CHECK(strstr(svg, "viewBox=\"0 0 840 460\"") != NULL);
	CHECK(strstr(svg, "all 11 packets; seq and ack relative") != NULL);
	CHECK_U64(count(svg, "evidence not drawn"), 0);
	/* well formed as far as counting tells */
	CHECK_U64(count(svg, "<text"), count(svg, "</text>"));
	CHECK_U64(count(svg, "<g "), count(svg, "</g>"));
	CHECK_U64(count(svg, "<title>"), count(svg, "</title>"));
	free(svg);
}

static void mid_stream(void)
{
	static struct conn_report c;
	static const uint64_t ev_abort[] = { 7, 60 }, ev_mb[] = { 60 };
	const uint64_t t0 = 1000000000000u;
	bool drew;
	char *svg;

	memset(&c, 0, sizeof c);
	c.id = 42;
	c.first_pkt = 5;
	c.mid_stream = true;
	endpoints(&c, "first <sender>", "other \"side\"");
	c.capture_point = "unknown";
	c.capture_point_words = "at an unknown point";
	c.steps_known = true;
	c.steps_left_out = 40;
	for (unsigned i = 0; i < CONN_STEPS_MAX; i++)
		step(&c, 50 + i, t0 + i * 1000000u, (uint8_t)(i % 2), "A", 3000000000u + i, 7, 0,
		     "ESTABLISHED", "ESTABLISHED");
	c.steps[10].ts = t0 - 500000000u; /* time goes back: no pause */
	c.steps[11].ts = t0 + 7500000000000u; /* 2 h 5 min later */
	for (unsigned i = 0; i < CONN_STEPS_MAX; i++)
		c.steps[i].relative = false;
	snprintf(c.steps[11].flags, sizeof c.steps[11].flags, "R");
	c.steps[11].state[0] = "CLOSED";
	finding(&c, RULE_ABORTIVE_CLOSE, SEV_ERROR, 2, ev_abort);
	/* both cite 60: the worse severity colours it */
	finding(&c, RULE_MIDDLEBOX_RESET, SEV_INFO, 1, ev_mb);

	svg = draw(&c, &drew);
	CHECK(drew);
	CHECK_U64(count(svg, "<g class=\"pkt"), CONN_STEPS_MAX);
	CHECK_U64(count(svg, "<g class=\"pkt evidence\""), 1);
	CHECK(strstr(svg, "data-pkt=\"60\" data-side=\"0\" data-rules=\"FL006,FL020\"") != NULL);
	CHECK(strstr(svg, "stroke=\"#b71c1c\" stroke-width=\"3\"") != NULL);
	CHECK(strstr(svg, "\xe2\x8b\xae 40 earlier packets not drawn</text>") !=
	      NULL);
	CHECK(where(svg, "class=\"left-out\"") < where(svg, "data-pkt=\"50\""));
	CHECK_U64(count(svg, "class=\"pause\""), 1);
	CHECK(strstr(svg, ">pause 2 h 5 min<") != NULL);
	CHECK(where(svg, "data-pkt=\"60\"") < where(svg, ">pause 2 h 5 min<"));
	CHECK(where(svg, ">pause 2 h 5 min<") < where(svg, "data-pkt=\"61\""));
	CHECK(strstr(svg, ">-0.500000</text>") != NULL);
	CHECK_U64(count(svg, "class=\"capture-point\""), 0);
	CHECK(strstr(svg, "where the capture was taken is unknown") != NULL);
	CHECK(strstr(svg, "its last 16 packets (40 before them, from packet 5, not drawn)") != NULL);
	CHECK(strstr(svg, "seq and ack absolute") != NULL);
	CHECK(strstr(svg, "evidence not drawn: packet 7 (FL006).") != NULL);
	CHECK(strstr(svg, ">A seq 3000000000 ack 7</text>") != NULL);
	/* names from the record are escaped */
	CHECK(strstr(svg, ">first &lt;sender&gt;</text>") != NULL);
	CHECK(strstr(svg, ">other &quot;side&quot;</text>") != NULL);
	CHECK_U64(count(svg, "<sender>"), 0);
	/* 64, a left-out band, a pause band, 16 rows, 14 */
	CHECK(strstr(svg, "viewBox=\"0 0 840 650\"") != NULL);
	CHECK_U64(count(svg, "<text"), count(svg, "</text>"));
	CHECK_U64(count(svg, "<g "), count(svg, "</g>"));
	free(svg);
}

static void nothing(void)
{
	static struct conn_report c;
	bool drew;
	char *svg;

	memset(&c, 0, sizeof c);
	svg = draw(&c, &drew); /* steps_known false */
	CHECK(!drew);
	CHECK_STR(svg, "");
	free(svg);
	c.steps_known = true; /* asked for, none kept */
	svg = draw(&c, &drew);
	CHECK(!drew);
	CHECK_STR(svg, "");
	free(svg);
}

int main(void)
{
	sample07();
	mid_stream();
	nothing();
	return check_done("test-html-ladder");
}
