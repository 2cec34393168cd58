/* capfilter: one BPF program per link type, compiled when a frame of that
 * type first comes. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "capfilter.h"
#include "finlint.h"

/* Files seen in the wild mix two or three link types; a hostile one may
 * declare thousands.  Past this many, frames of further types are left
 * out rather than compiled for without end. */
enum { CAPFILTER_TYPES = 32 };

struct compiled {
	int dlt;
	bool ok; /* the expression means something for this link type */
	struct bpf_program prog;
};

struct capfilter {
	char *expr;
	size_t n;
	struct compiled c[CAPFILTER_TYPES];
};

static bool compile(const char *expr, int dlt, struct bpf_program *prog, char *err,
		    unsigned errlen)
{
	pcap_t *p = pcap_open_dead(dlt, 262144);
	bool ok;

	if (p == NULL)
		fatal("out of memory compiling a filter");
	ok = pcap_compile(p, prog, expr, 1, PCAP_NETMASK_UNKNOWN) == 0;
	if (!ok && err != NULL)
		snprintf(err, errlen, "bad filter '%s': %s", expr, pcap_geterr(p));
	pcap_close(p);
	return ok;
}

struct capfilter *capfilter_new(const char *expr, int dlt, char *err, unsigned errlen)
{
	struct capfilter *cf = xcalloc(1, sizeof *cf);

	if (!compile(expr, dlt, &cf->c[0].prog, err, errlen)) {
		free(cf);
		return NULL;
	}
	cf->expr = xstrdup(expr);
	cf->c[0].dlt = dlt;
	cf->c[0].ok = true;
	cf->n = 1;
	return cf;
}

bool capfilter_match(struct capfilter *cf, int dlt, const uint8_t *data, uint32_t caplen,
		     uint32_t wirelen)
{
	struct pcap_pkthdr hdr = { .caplen = caplen, .len = wirelen };
	struct compiled *c = NULL;

	for (size_t i = 0; i < cf->n && c == NULL; i++)
		if (cf->c[i].dlt == dlt)
			c = &cf->c[i];
	if (c == NULL) {
		if (cf->n == CAPFILTER_TYPES)
			return false;
		c = &cf->c[cf->n++];
		c->dlt = dlt;
		/* "ether host X" has no meaning on raw IP: nothing matches */
		c->ok = compile(cf->expr, dlt, &c->prog, NULL, 0);
	}
	return c->ok && pcap_offline_filter(&c->prog, &hdr, data) != 0;
}

void capfilter_free(struct capfilter *cf)
{
	if (cf == NULL)
		return;
	for (size_t i = 0; i < cf->n; i++)
		if (cf->c[i].ok)
			pcap_freecode(&cf->c[i].prog);
	free(cf->expr);
	free(cf);
}
