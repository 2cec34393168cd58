/* fuzz-capture: libFuzzer entry point over the whole reader: capture file
 * parsing by libpcap, every decoder, the flow table and the text report. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture.h"
#include "report.h"
#include "rules.h"
#include "run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	static struct rule_config rules;
	struct run_options o = { 0 };
	struct report r = { .fail_on = SEV_WARNING };
	struct capture *cap;
	char err[512];
	FILE *f;

	if (size == 0)
		return 0;
	if (sink == NULL)
		sink = fopen("/dev/null", "w");
	if (sink == NULL)
		return 0;
	f = fmemopen((void *)(uintptr_t)data, size, "rb");
	if (f == NULL)
		return 0;
	rules_config_init(&rules, NULL);
	o.rules = &rules;
	o.format = report_find("text");
	o.out = sink;
	r.ops = o.format;
	r.out = sink;
	cap = capture_open_stream(f, err, sizeof err);
	run_capture(cap, "fuzz-input", err, &o, &r);

	/* The packet printer is a separate path through the same decoders. */
	f = fmemopen((void *)(uintptr_t)data, size, "rb");
	if (f == NULL)
		return 0;
	o.decode_only = true;
	cap = capture_open_stream(f, err, sizeof err);
	run_capture(cap, "fuzz-input", err, &o, &r);
	return 0;
}
