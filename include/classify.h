/* classify: name how a connection ended, from one documented vocabulary
 * (docs/close-classes.md). */
#ifndef FINLINT_CLASSIFY_H
#define FINLINT_CLASSIFY_H

#include <stdbool.h>

#include "tcpstate.h"

enum close_class {
	CLOSE_CLEAN,        /* both FINs sent and acknowledged */
	CLOSE_SIMULTANEOUS, /* the FINs crossed */
	CLOSE_HALF,         /* data flowed after the first FIN, then both closed */
	CLOSE_ABORT,        /* a RST ended an open connection, no FIN before it */
	CLOSE_RESET_AFTER,  /* a RST came after a FIN */
	CLOSE_REFUSED,      /* SYN answered by RST */
	CLOSE_VANISHED,     /* a side retried its FIN unanswered, then went silent */
	CLOSE_NOT_CLOSED,   /* the capture ended first */
};

enum { CLOSER_NONE = -1, CLOSER_BOTH = 2 };

struct close_verdict {
	enum close_class cls;
	int active_closer; /* 0 client, 1 server, CLOSER_BOTH, CLOSER_NONE */
	bool three_way;    /* clean close whose second FIN acked the first */
};

/* Classify a finished connection. */
struct close_verdict classify_close(const struct tcp_conn *c);

/* Return the vocabulary word of a class ("clean-close"). */
const char *classify_name(enum close_class cls);

#endif
