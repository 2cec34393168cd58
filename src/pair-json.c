/* pair-json: the JSON document's "pair" member (--pair): the two files,
 * the clock, and per matched connection its tuples, ISNs, counts, the
 * packets lost or appeared between the points, and the two-point
 * findings with their evidence frames in each file. */
#include "config.h"

#include <stdlib.h>

#include <cjson/cJSON.h>

#include "decode.h"
#include "escape.h"
#include "finlint.h"
#include "pair.h"

static const char *const point_key[2] = { "client", "server" };

static void add_string(cJSON *o, const char *key, const char *s)
{
	char *u = escape_utf8(s);

	cJSON_AddStringToObject(o, key, u);
	free(u);
}

static void add_tuple(cJSON *o, const char *key, const struct pair_conn *c)
{
	char a[PAIR_ENDPOINT_MAX], b[PAIR_ENDPOINT_MAX], t[2 * PAIR_ENDPOINT_MAX + 4];

	pair_endpoint(c, 0, a, sizeof a);
	pair_endpoint(c, 1, b, sizeof b);
	snprintf(t, sizeof t, "%s > %s", a, b);
	cJSON_AddStringToObject(o, key, t);
}

static cJSON *packets_of(const struct pair *p, const struct pair_match *m, unsigned v)
{
	cJSON *arr = cJSON_CreateArray();

	for (unsigned pt = 0; pt < 2; pt++) {
		const struct pair_conn *c = &p->point[pt].conn[m->conn[pt]];

		for (uint32_t i = 0; i < c->n; i++) {
			const struct pair_pkt *k = &c->pkt[i];
			unsigned dir = pt == 0 ? k->dir : (unsigned)(k->dir ^ m->flipped);
			cJSON *o;
			char flags[9];

			if (k->verdict != v)
				continue;
			o = cJSON_CreateObject();
			decode_flags_str(k->flags, flags);
			cJSON_AddStringToObject(o, "point", point_key[pt]);
			cJSON_AddNumberToObject(o, "frame", (double)k->frame);
			cJSON_AddStringToObject(o, "from", point_key[dir]);
			cJSON_AddStringToObject(o, "flags", flags);
			cJSON_AddNumberToObject(o, "seq", pair_rel_seq(c, k));
			cJSON_AddNumberToObject(o, "ack", pair_rel_ack(c, k));
			cJSON_AddNumberToObject(o, "len", k->len);
			cJSON_AddItemToArray(arr, o);
		}
	}
	return arr;
}

static cJSON *frames(const uint64_t *f, unsigned n)
{
	cJSON *arr = cJSON_CreateArray();

	for (unsigned i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)f[i]));
	return arr;
}

static cJSON *finding_object(const struct pair_finding *pf)
{
	const struct rule_info *ri = rule_info(pf->f.rule);
	cJSON *o = cJSON_CreateObject(), *ev = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "rule", ri->id);
	cJSON_AddStringToObject(o, "code", ri->code);
	cJSON_AddStringToObject(o, "severity", severity_name(pf->f.severity));
	cJSON_AddStringToObject(o, "confidence", confidence_name(pf->f.confidence));
	if (pf->f.side == 0 || pf->f.side == 1)
		cJSON_AddStringToObject(o, "side", point_key[pf->f.side]);
	else
		cJSON_AddNullToObject(o, "side");
	add_string(o, "message", pf->f.message);
	cJSON_AddItemToObject(ev, "client", frames(pf->f.pkts, pf->f.npkts));
	cJSON_AddItemToObject(ev, "server", frames(pf->pkts_b, pf->npkts_b));
	cJSON_AddItemToObject(o, "evidence", ev);
	return o;
}

static cJSON *match_object(const struct pair *p, const struct pair_match *m)
{
	const struct pair_conn *a = &p->point[0].conn[m->conn[0]];
	const struct pair_conn *b = &p->point[1].conn[m->conn[1]];
	cJSON *o = cJSON_CreateObject(), *isn = cJSON_CreateObject();
	cJSON *pk = cJSON_CreateObject(), *found = cJSON_CreateArray();

	add_tuple(o, "client_tuple", a);
	add_tuple(o, "server_tuple", b);
	cJSON_AddBoolToObject(o, "translated", m->translated);
	for (unsigned s = 0; s < 2; s++) {
		if (a->isn_known[s])
			cJSON_AddNumberToObject(isn, point_key[s], a->isn[s]);
		else
			cJSON_AddNullToObject(isn, point_key[s]);
	}
	cJSON_AddItemToObject(o, "isn", isn);
	if (m->clocked) {
		cJSON *clk = cJSON_CreateObject();

		cJSON_AddNumberToObject(clk, "offset_ns", (double)m->offset_ns);
		cJSON_AddNumberToObject(clk, "delay_ns", (double)m->delay_ns);
		cJSON_AddItemToObject(o, "clock", clk);
	} else {
		cJSON_AddNullToObject(o, "clock");
	}
	cJSON_AddNumberToObject(pk, "client_point", a->n);
	cJSON_AddNumberToObject(pk, "server_point", b->n);
	for (unsigned v = 0; v < PAIR_VERDICTS; v++)
		cJSON_AddNumberToObject(pk, pair_verdict_name(v), (double)m->count[v]);
	cJSON_AddItemToObject(o, "packets", pk);
	cJSON_AddItemToObject(o, "lost", packets_of(p, m, PAIR_LOST));
	cJSON_AddItemToObject(o, "appeared", packets_of(p, m, PAIR_APPEARED));
	for (unsigned i = 0; i < m->nfound; i++)
		cJSON_AddItemToArray(found, finding_object(&m->found[i]));
	cJSON_AddItemToObject(o, "findings", found);
	return o;
}

struct cJSON *pair_json_object(const struct pair *p)
{
	cJSON *o = cJSON_CreateObject(), *pts = cJSON_CreateObject(), *clk = cJSON_CreateObject();
	cJSON *conns = cJSON_CreateArray(), *only = cJSON_CreateArray();

	for (unsigned pt = 0; pt < 2; pt++) {
		const struct pair_point *x = &p->point[pt];
		cJSON *f = cJSON_CreateObject();

		add_string(f, "path", x->path);
		cJSON_AddNumberToObject(f, "tcp_packets", (double)x->packets);
		cJSON_AddNumberToObject(f, "connections", x->n);
		cJSON_AddBoolToObject(f, "read_error", x->read_error);
		cJSON_AddItemToObject(pts, point_key[pt], f);
	}
	cJSON_AddItemToObject(o, "points", pts);
	cJSON_AddNumberToObject(clk, "handshakes", p->clocked);
	if (p->clocked > 0) {
		cJSON_AddNumberToObject(clk, "offset_ns", (double)p->offset_ns);
		cJSON_AddNumberToObject(clk, "delay_ns", (double)p->delay_ns);
	} else {
		cJSON_AddNullToObject(clk, "offset_ns");
		cJSON_AddNullToObject(clk, "delay_ns");
	}
	cJSON_AddItemToObject(o, "clock", clk);
	for (uint32_t i = 0; i < p->nmatch; i++)
		cJSON_AddItemToArray(conns, match_object(p, &p->match[i]));
	cJSON_AddItemToObject(o, "connections", conns);
	for (unsigned pt = 0; pt < 2; pt++) {
		const struct pair_point *x = &p->point[pt];

		for (uint32_t i = 0; i < x->n; i++) {
			cJSON *c;

			if (x->conn[i].match != PAIR_NONE)
				continue;
			c = cJSON_CreateObject();
			cJSON_AddStringToObject(c, "point", point_key[pt]);
			add_tuple(c, "tuple", &x->conn[i]);
			cJSON_AddNumberToObject(c, "packets", x->conn[i].n);
			cJSON_AddNumberToObject(c, "first_frame", (double)x->conn[i].pkt[0].frame);
			cJSON_AddItemToArray(only, c);
		}
	}
	cJSON_AddItemToObject(o, "one_point_only", only);
	return o;
}
