/* json-record: the objects of the JSON and JSON Lines reports. */
#ifndef FINLINT_JSON_RECORD_H
#define FINLINT_JSON_RECORD_H

#include <cjson/cJSON.h>

#include "connreport.h"
#include "filestats.h"
#include "json-writer.h"
#include "report.h"

enum { JSON_SCHEMA_VERSION = 2 };

/* A connection's object; with a type, the JSON Lines record that starts
 * with it. */
void json_put_conn(struct jw *w, const struct conn_report *c, const char *type);

/* The members of one finding (the caller opens and closes the object). */
void json_put_finding(struct jw *w, const struct conn_report *c, const struct conn_finding *fd);
/* The same for a finding of a capture whose packets come from set
 * (--merge; NULL otherwise): a late finding's. */
/* The members of a late finding (the caller opens and closes the
 * object): the finding's, or for late packets that found nothing (rule
 * NULL) endpoint, first_packet and message; then file, flow (the
 * record's id), client, server, community_id. */
void json_put_late(struct jw *w, const struct late_report *l);
void json_put_finding_of(struct jw *w, const struct capset *set, const struct conn_finding *fd);

/* The record of one input file, and the run's summary so far. */
cJSON *json_file_object(const struct file_stats *fs);
cJSON *json_summary(const struct report_writer *w);

#endif
