/* fuzz-capture: libFuzzer entry point over the whole reader: capture file
 * parsing by libpcap, every decoder, the flow table, the engine and rules,
 * and the text, JSON Lines and CSV writers. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture.h"
#include "report.h"
#include "rules.h"
#include "run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One whole run over the input bytes with the given options and writer. */
static void one_run(const uint8_t *data, size_t size, const struct run_options *o,
		    struct report *r)
{
	char err[512];
	FILE *f = fmemopen((void *)(uintptr_t)data, size, "rb");

	if (f == NULL)
		return;
	r->ops = o->format;
	run_capture(capture_open_stream(f, err, sizeof err), "fuzz-input", err, o, r);
	if (!o->decode_only)
		r->ops->end(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	static struct rule_config rules;
	struct run_options o = { 0 };
	struct report r = { .fail_on = SEV_WARNING };

	if (size == 0)
		return 0;
	if (sink == NULL)
		sink = fopen("/dev/null", "w");
	if (sink == NULL)
		return 0;
	rules_config_init(&rules, NULL);
	o.rules = &rules;
	o.out = sink;
	r.out = sink;
	o.format = report_find("text");
	o.threads = 1;
	one_run(data, size, &o, &r);

	/* The machine formats and the ladder build per-flow records of their
	 * own: run them over the same bytes. */
	o.ladder = true;
	r.timeline = true;
	o.threads = 2; /* the same bytes through the reader's thread */
	o.format = report_find("jsonl");
	one_run(data, size, &o, &r);
	r.csv_table = CSV_FLOWS;
	r.flows = FLOWS_ALL;
	o.format = report_find("csv");
	one_run(data, size, &o, &r);

	/* The packet printer is a separate path through the same decoders. */
	o.ladder = false;
	o.decode_only = true;
	one_run(data, size, &o, &r);
	return 0;
}
