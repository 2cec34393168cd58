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

/* One whole run over the input bytes with the given options and format. */
static void one_run(const uint8_t *data, size_t size, const struct run_options *o,
		    const struct report_options *ro, const char *format, FILE *sink)
{
	char err[512];
	FILE *f = fmemopen((void *)(uintptr_t)data, size, "rb");
	struct report r;

	if (f == NULL)
		return;
	report_init(&r, ro);
	report_add_writer(&r, report_find(format), sink);
	run_capture(capture_open_stream(f, err, sizeof err), "fuzz-input", err, o, &r);
	if (!o->decode_only)
		report_end(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	static struct rule_config rules;
	struct run_options o = { 0 };
	struct report_options ro = { .fail_on = SEV_WARNING };

	if (size == 0)
		return 0;
	if (sink == NULL)
		sink = fopen("/dev/null", "w");
	if (sink == NULL)
		return 0;
	rules_config_init(&rules, NULL);
	o.rules = &rules;
	o.out = sink;
	o.threads = 1;
	one_run(data, size, &o, &ro, "text", sink);

	/* The machine formats and the ladder build per-flow records of their
	 * own: run them over the same bytes. */
	ro.timeline = true;
	o.threads = 2; /* the same bytes through the reader's thread */
	one_run(data, size, &o, &ro, "jsonl", sink);
	ro.csv_table = CSV_FLOWS;
	ro.flows = FLOWS_ALL;
	one_run(data, size, &o, &ro, "csv", sink);

	/* The packet printer is a separate path through the same decoders. */
	o.decode_only = true;
	one_run(data, size, &o, &ro, "text", sink);
	return 0;
}
