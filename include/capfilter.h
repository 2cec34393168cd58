/* capfilter: a tcpdump filter expression compiled for each link type a
 * capture's frames come with (a pcapng file's interfaces may differ). */
#ifndef FINLINT_CAPFILTER_H
#define FINLINT_CAPFILTER_H

#include <stdbool.h>
#include <stdint.h>

struct capfilter;

/* Compile expr for link type dlt (the file's first); on a bad expression
 * return NULL with the reason in err. */
struct capfilter *capfilter_new(const char *expr, int dlt, char *err, unsigned errlen);

/* Whether the frame, of link type dlt, matches.  A link type the
 * expression cannot be compiled for matches nothing. */
bool capfilter_match(struct capfilter *cf, int dlt, const uint8_t *data, uint32_t caplen,
		     uint32_t wirelen);

void capfilter_free(struct capfilter *cf);

#endif
