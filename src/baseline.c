/* baseline: see include/baseline.h.  The previous report is parsed whole
 * with cJSON and only its fingerprints are kept, in an open-addressing
 * set; a report of a capture with many findings costs its parse once. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "baseline.h"
#include "finlint.h"
#include "fingerprint.h"

struct baseline {
	char **slot; /* NULL: empty */
	size_t cap, count;
};

/* FNV-1a: the strings are short and the set only needs a spread. */
static uint64_t hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3u;
	return h;
}

static size_t find_slot(char *const *slot, size_t cap, const char *s)
{
	size_t i = (size_t)(hash(s) & (cap - 1));

	while (slot[i] != NULL && strcmp(slot[i], s) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

static void add(struct baseline *b, const char *fp)
{
	size_t i;

	if (2 * (b->count + 1) > b->cap) {
		/* at most half full, so a probe ends soon */
		size_t cap = b->cap == 0 ? 64 : 2 * b->cap;
		char **slot = xcalloc(cap, sizeof *slot);

		for (size_t j = 0; j < b->cap; j++)
			if (b->slot[j] != NULL)
				slot[find_slot(slot, cap, b->slot[j])] = b->slot[j];
		free(b->slot);
		b->slot = slot;
		b->cap = cap;
	}
	i = find_slot(b->slot, b->cap, fp);
	if (b->slot[i] == NULL) {
		b->slot[i] = xstrdup(fp);
		b->count++;
	}
}

bool baseline_has(const struct baseline *b, const char *fingerprint)
{
	return b != NULL && b->cap > 0 && b->slot[find_slot(b->slot, b->cap, fingerprint)] != NULL;
}

size_t baseline_count(const struct baseline *b)
{
	return b != NULL ? b->count : 0;
}

void baseline_free(struct baseline *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->cap; i++)
		free(b->slot[i]);
	free(b->slot);
	free(b);
}

static const char *string_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A non-negative integer member, or false. */
static bool count_of(const cJSON *o, const char *key, uint64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) || v->valuedouble > 9007199254740992.0)
		return false;
	*out = (uint64_t)v->valuedouble;
	return true;
}

/* One finding of a finlint JSON or JSON Lines report: its own
 * "fingerprint" when it has one, else one made from its rule, the
 * connection's Community ID and its first evidence packet (the
 * connection's last packet when it has none), as fingerprint_of does. */
static bool add_finding(struct baseline *b, const cJSON *fd, const char *community_id,
			bool last_known, uint64_t last_packet)
{
	const char *fp = string_of(fd, "fingerprint"), *rule = string_of(fd, "rule");
	const cJSON *pkts = cJSON_GetObjectItemCaseSensitive(fd, "packets");
	char made[FINGERPRINT_MAX];
	uint64_t pkt = last_packet;

	if (fp != NULL) {
		add(b, fp);
		return true;
	}
	if (rule == NULL || community_id == NULL || !cJSON_IsArray(pkts))
		return false;
	if (cJSON_GetArraySize(pkts) > 0) {
		const cJSON *first = cJSON_GetArrayItem(pkts, 0);

		if (!cJSON_IsNumber(first) || !(first->valuedouble >= 0))
			return false;
		pkt = (uint64_t)first->valuedouble;
	} else if (!last_known) {
		return false;
	}
	if (fingerprint_make(made, rule, community_id, pkt) == 0)
		return false;
	add(b, made);
	return true;
}

static bool load_json(struct baseline *b, const cJSON *doc)
{
	const cJSON *flows = cJSON_GetObjectItemCaseSensitive(doc, "flows"), *flow;

	if (!cJSON_IsArray(flows))
		return false;
	cJSON_ArrayForEach(flow, flows) {
		const cJSON *found = cJSON_GetObjectItemCaseSensitive(flow, "findings"), *fd;
		uint64_t last = 0;
		bool last_known = count_of(flow, "last_packet", &last);

		if (!cJSON_IsArray(found))
			continue;
		cJSON_ArrayForEach(fd, found)
			if (!add_finding(b, fd, string_of(flow, "community_id"), last_known, last))
				return false;
	}
	return true;
}

/* A SARIF log: the partial fingerprint of every result of finlint's runs
 * (other tools' runs in the same log are left alone). */
static bool load_sarif(struct baseline *b, const cJSON *doc, bool *any_run)
{
	const cJSON *runs = cJSON_GetObjectItemCaseSensitive(doc, "runs"), *run;

	if (!cJSON_IsArray(runs))
		return false;
	cJSON_ArrayForEach(run, runs) {
		const cJSON *tool = cJSON_GetObjectItemCaseSensitive(run, "tool");
		const cJSON *driver = cJSON_GetObjectItemCaseSensitive(tool, "driver");
		const cJSON *results = cJSON_GetObjectItemCaseSensitive(run, "results"), *res;
		const char *name = string_of(driver, "name");

		if (name == NULL || strcmp(name, "finlint") != 0)
			continue;
		*any_run = true;
		cJSON_ArrayForEach(res, results) {
			const cJSON *pf = cJSON_GetObjectItemCaseSensitive(res, "partialFingerprints");
			const char *fp = string_of(pf, "finlint/v1");

			if (fp == NULL)
				return false;
			add(b, fp);
		}
	}
	return true;
}

/* JSON Lines: a finding record follows the record of its connection
 * when that one was listed (--flows); without it, the finding's own
 * "fingerprint" is needed. */
static bool load_jsonl(struct baseline *b, char *text, size_t *bad_line)
{
	char *cid = NULL, *line = text;
	uint64_t flow_id = 0, last = 0;
	bool last_known = false, ok = true;
	size_t n = 0;

	while (ok && line != NULL && *line != '\0') {
		char *nl = strchr(line, '\n');
		cJSON *rec;
		const char *type;

		if (nl != NULL)
			*nl = '\0';
		n++;
		rec = cJSON_Parse(line);
		type = string_of(rec, "type");
		if (line[strspn(line, " \t\r")] == '\0') {
			/* a blank line: nothing */
		} else if (type == NULL) {
			ok = false;
		} else if (strcmp(type, "flow") == 0) {
			free(cid);
			cid = string_of(rec, "community_id") != NULL ?
				      xstrdup(string_of(rec, "community_id")) : NULL;
			if (!count_of(rec, "id", &flow_id))
				flow_id = 0;
			last_known = count_of(rec, "last_packet", &last);
		} else if (strcmp(type, "finding") == 0) {
			uint64_t id;
			bool same = count_of(rec, "flow", &id) && id == flow_id && cid != NULL;

			ok = add_finding(b, rec, same ? cid : NULL, same && last_known, last);
		}
		cJSON_Delete(rec);
		line = nl != NULL ? nl + 1 : NULL;
	}
	free(cid);
	if (!ok)
		*bad_line = n;
	return ok;
}

static void set_err(char *err, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
}

/* The whole file, NUL-terminated, or NULL with errno set. */
static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;
	int saved;

	if (fp == NULL)
		return NULL;
	for (;;) {
		size_t got;

		if (cap - n < 65536) {
			cap = cap == 0 ? 65536 + 1 : 2 * cap;
			buf = xrealloc(buf, cap, 1);
		}
		got = fread(buf + n, 1, cap - n - 1, fp);
		n += got;
		if (got == 0)
			break;
	}
	saved = errno;
	if (ferror(fp)) {
		fclose(fp);
		free(buf);
		errno = saved != 0 ? saved : EIO;
		return NULL;
	}
	fclose(fp);
	buf[n] = '\0';
	*len = n;
	return buf;
}

struct baseline *baseline_load(const char *path, char *err, size_t err_size)
{
	struct baseline *b = xcalloc(1, sizeof *b);
	size_t len = 0, bad_line = 0;
	char *text = slurp(path, &len);
	cJSON *doc;
	bool ok, any_run = false;
	const char *what = NULL;

	if (text == NULL) {
		set_err(err, err_size, "cannot read the baseline: %s", strerror(errno));
		free(b);
		return NULL;
	}
	if (memchr(text, '\0', len) != NULL) {
		set_err(err, err_size, "the baseline is not a finlint JSON, JSON Lines or SARIF report");
		free(text);
		free(b);
		return NULL;
	}
	/* the whole text one value, or JSON Lines (which cJSON would
	 * otherwise read as its first record); len + 1: the NUL ends it */
	doc = cJSON_ParseWithLengthOpts(text, len + 1, NULL, true);
	if (doc != NULL && cJSON_IsObject(doc) && cJSON_GetObjectItemCaseSensitive(doc, "runs")) {
		what = "SARIF log";
		ok = load_sarif(b, doc, &any_run);
		if (ok && !any_run) {
			set_err(err, err_size, "the baseline is a SARIF log without a finlint run");
			ok = false;
			what = NULL;
		}
	} else if (doc != NULL && cJSON_IsObject(doc) && string_of(doc, "tool") != NULL &&
		   strcmp(string_of(doc, "tool"), "finlint") == 0) {
		what = "JSON report";
		ok = load_json(b, doc);
	} else if (doc == NULL && strncmp(text, "{\"type\":\"header\"", 16) == 0) {
		what = "JSON Lines report";
		ok = load_jsonl(b, text, &bad_line);
	} else {
		set_err(err, err_size, "the baseline is not a finlint JSON, JSON Lines or SARIF report");
		ok = false;
	}
	if (!ok && what != NULL) {
		if (bad_line > 0)
			set_err(err, err_size, "line %zu of the baseline (a %s) is not a record finlint "
				"wrote, or a finding in it has no fingerprint", bad_line, what);
		else
			set_err(err, err_size, "a finding in the baseline (a %s) has no fingerprint", what);
	}
	cJSON_Delete(doc);
	free(text);
	if (!ok) {
		baseline_free(b);
		return NULL;
	}
	return b;
}
