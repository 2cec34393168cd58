/* text-ladder: a connection's last packets drawn as a ladder in plain
 * text, for the text report (--timeline) and Markdown's fenced blocks. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "text-ladder.h"

void text_ladder(FILE *out, const struct conn_report *c, const char *indent)
{
	const char *a = c->side[0].role, *b = c->side[1].role;
	enum { ARROW = 40 };

	if (!c->steps_known || c->step_count == 0)
		return;
	fprintf(out, "%slast %u packets (seq/ack relative to each side's ISN, %s; states after "
		     "each packet):\n",
		indent, c->step_count, c->steps[0].relative ? "as tcpdump shows them" :
		"absolute where the SYN was not seen");
	fprintf(out, "%s  %8s %10s  %-*s%s  %-12s %s\n", indent, "packet", "+seconds",
		ARROW + 2 - (int)strlen(b), a, b, a, b);
	for (unsigned i = 0; i < c->step_count; i++) {
		const struct conn_step *s = &c->steps[i];
		char label[80], arrow[ARROW + 1];
		int n;
		size_t len;

		n = snprintf(label, sizeof label, " %s seq %" PRIu32, s->flags, s->seq);
		if (s->has_ack)
			n += snprintf(label + n, sizeof label - (size_t)n, " ack %" PRIu32, s->ack);
		if (s->len > 0)
			snprintf(label + n, sizeof label - (size_t)n, " len %" PRIu32, s->len);
		len = strlen(label);
		if (len > ARROW - 6)
			len = ARROW - 6;
		memset(arrow, '-', ARROW);
		arrow[ARROW] = '\0';
		if (s->side == 0) {
			memcpy(arrow + 3, label, len);
			arrow[3 + len] = ' ';
			arrow[ARROW - 1] = '>';
		} else {
			arrow[0] = '<';
			memcpy(arrow + ARROW - 4 - len, label, len);
			arrow[ARROW - 4] = ' ';
		}
		/* signed: a capture's time may go backwards */
		fprintf(out, "%s  %8" PRIu64 " %10.6f  |%s|  %-12s %s\n", indent, s->pkt,
			(double)(int64_t)(s->ts - c->steps[0].ts) / 1e9, arrow, s->state[0],
			s->state[1]);
	}
}
