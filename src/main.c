/* main: command line -> list of inputs -> one run per file -> exit status. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture.h"
#include "finlint.h"
#include "inputs.h"
#include "report.h"
#include "rules.h"
#include "run.h"
#include "wrap.h"

static const char usage_text[] =
	"Usage: finlint [OPTION]... FILE|DIR|- ... [-- FILTER]\n"
	"Rebuild every TCP connection in tcpdump captures, report how each one ended, and\n"
	"diagnose the teardowns that went wrong (RST after FIN_WAIT_2 expiry, abortive\n"
	"closes, data lost after close, lost final ACKs, stuck CLOSE_WAIT, TIME_WAIT reuse).\n"
	"\n"
	"Inputs:\n"
	"  FILE      a pcap (micro- or nanosecond) or pcapng capture\n"
	"  DIR       every *.pcap, *.pcapng and *.cap file below DIR, in sorted order\n"
	"  -         a capture read from standard input (e.g. tcpdump -w - | finlint -)\n"
	"  Link types: Ethernet (802.1Q/802.1ad VLAN tags), Linux cooked v1/v2 (tcpdump -i any),\n"
	"  raw IPv4/IPv6, BSD loopback (NULL, LOOP).  MPLS, GRE, ERSPAN, VXLAN, GENEVE, Teredo\n"
	"  and IP-in-IP are decapsulated and the inner TCP connection is analysed.\n"
	"  FILTER    a tcpdump filter expression (pcap-filter(7)) after '--', e.g.\n"
	"            finlint dump.pcap -- port 8888; packets it leaves out still count\n"
	"            in packet numbers, so evidence matches Wireshark's frame.number\n"
	"\n"
	"Report:\n"
	"  -f, --format FMT  text (default), json (one document: inputs, flows with their\n"
	"                    findings, summary), jsonl (one object per line, typed header,\n"
	"                    flow, finding, file or summary, written as the analysis\n"
	"                    goes) or\n"
	"                    csv (RFC 4180, one row per finding, with a header row)\n"
	"      --csv-table T csv rows: findings (default) or flows (one per connection)\n"
	"  -o, --output FILE write the report to FILE instead of standard output\n"
	"      --flows WHICH which connections the report lists: all, flagged (those\n"
	"                    with findings; the text default) or none (json default: all)\n"
	"      --fail-on SEV exit 1 when a finding of severity SEV or higher was found:\n"
	"                    error, warning (default), info, or never\n"
	"      --min-confidence C  only findings of confidence C or higher count for\n"
	"                    --fail-on: high, medium (default) or low; a finding resting\n"
	"                    on a mid-stream start, gaps or a one-sided capture is lower\n"
	"      --timeline    text: after each listed connection, a ladder diagram of its\n"
	"                    last 12 packets (flags, relative seq/ack, both sides' states)\n"
	"  -q, --quiet       no report: only diagnostics and the exit status\n"
	"      --no-color    no color in the text report (it is colored only on a terminal\n"
	"                    and never when NO_COLOR is set)\n"
	"      --decode      print one line per packet as decoded (addresses, ports, flags,\n"
	"                    seq/ack, IP-derived payload length, options, tunnels), no report\n"
	"      --threads N   2 (the default with more than one CPU): read and decode on a\n"
	"                    second thread while the first tracks connections; 1: one\n"
	"                    thread.  The report is the same either way\n"
	"\n"
	"Rules:\n"
	"      --list-rules     list every rule: id, code, default severity, summary\n"
	"      --explain RULE   what a rule means, its packet signature, the kernel\n"
	"                       behaviour behind it, and the fix\n"
	"      --select LIST    run only these rules (comma-separated ids or codes)\n"
	"      --ignore LIST    do not run these rules\n"
	"      --profile OS     timers of the closing host: linux (default: FIN_WAIT_2 60 s,\n"
	"                       TIME_WAIT 60 s), windows (120 s, 120 s), bsd (60 s, 60 s),\n"
	"                       macos (60 s, 30 s)\n"
	"      --fin-timeout T  override the profile's orphaned FIN_WAIT_2 lifetime\n"
	"      --time-wait T    override the profile's TIME_WAIT length\n"
	"      --close-wait T   CLOSE_WAIT longer than this is stuck (default 60 s)\n"
	"                       T is a number of seconds, or with a unit: 500ms, 30s, 2m\n"
	"\n"
	"  -h, --help        show this help and exit\n"
	"  -V, --version     show the version and exit\n"
	"\n"
	"Exit status:\n"
	"  0  no finding at or above the --fail-on severity (and --min-confidence),\n"
	"     every input read whole\n"
	"  1  findings at or above the --fail-on severity (default: warning) and the\n"
	"     --min-confidence confidence (default: medium)\n"
	"  2  usage error (unknown option or rule, bad value, no input)\n"
	"  3  input error: a file is missing, unreadable, not a capture, damaged part-way, or\n"
	"     of an unsupported link type; every other file is still analysed, and what could\n"
	"     be read of a damaged file is reported (3 wins over 1)\n"
	"Diagnostics go to standard error as 'finlint: FILE: problem'.\n"
	"\n"
	"Examples:\n"
	"  finlint dump.pcap\n"
	"  finlint --fail-on error captures/\n"
	"  finlint --profile bsd --fin-timeout 30 -f json -o report.json dump.pcap\n"
	"  finlint --explain rst-after-fin-wait2-timeout\n"
	"  tcpdump -i any -w - port 443 | finlint -\n"
	"\n"
	"See finlint(1) for details.\n";

static void usage_error(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("finlint: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'finlint --help' for more information.\n", stderr);
	exit(EXIT_USAGE);
}

/* The words of a filter expression, joined by spaces as tcpdump does. */
static char *join_words(char **words, int n)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < n; i++)
		len += strlen(words[i]) + 1;
	s = xmalloc(len);
	s[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (i > 0)
			strcat(s, " ");
		strcat(s, words[i]);
	}
	return s;
}

/* Parse a duration: seconds, or a number with ms, s, m or h. */
static uint64_t parse_duration(const char *text)
{
	char *end;
	double v = strtod(text, &end);
	double scale = 1e9;

	if (end == text || !(v >= 0) || v > 1e9)
		usage_error("bad duration '%s' (use e.g. 60, 500ms, 30s, 2m)", text);
	if (strcmp(end, "ms") == 0)
		scale = 1e6;
	else if (strcmp(end, "m") == 0)
		scale = 60e9;
	else if (strcmp(end, "h") == 0)
		scale = 3600e9;
	else if (*end != '\0' && strcmp(end, "s") != 0)
		usage_error("bad duration '%s' (use e.g. 60, 500ms, 30s, 2m)", text);
	return (uint64_t)(v * scale);
}

static void list_rules(void)
{
	for (unsigned i = 0; i < RULE_COUNT; i++) {
		const struct rule_info *ri = rule_info(i);

		printf("%-28s %s  %-7s  %s\n", ri->id, ri->code, severity_name(ri->severity),
		       ri->title);
	}
}

/* One paragraph per heading, wrapped at 76 columns. */
static void print_wrapped(const char *heading, const char *text)
{
	printf("%s\n  ", heading);
	wrap_text(stdout, text, 2, 2, 76);
	printf("\n\n");
}

static int explain(const char *name)
{
	unsigned id = rule_find(name);
	const struct rule_info *ri;

	if (id >= RULE_COUNT) {
		fprintf(stderr, "finlint: unknown rule '%s' (see finlint --list-rules)\n", name);
		return EXIT_USAGE;
	}
	ri = rule_info(id);
	printf("%s (%s), default severity %s: %s\n\n", ri->id, ri->code,
	       severity_name(ri->severity), ri->title);
	print_wrapped("What it means:", ri->meaning);
	print_wrapped("Packet signature:", ri->signature);
	print_wrapped("Kernel behaviour:", ri->kernel);
	print_wrapped("Fix:", ri->fix);
	print_wrapped("In one line:", ri->hint);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	enum {
		OPT_DECODE = 256, OPT_LIST_RULES, OPT_EXPLAIN, OPT_SELECT, OPT_IGNORE, OPT_PROFILE,
		OPT_FIN_TIMEOUT, OPT_TIME_WAIT, OPT_CLOSE_WAIT, OPT_FAIL_ON, OPT_FLOWS, OPT_CSV_TABLE,
		OPT_TIMELINE, OPT_NO_COLOR, OPT_THREADS, OPT_MIN_CONFIDENCE,
	};
	static const struct option longopts[] = {
		{ "decode", no_argument, NULL, OPT_DECODE },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "min-confidence", required_argument, NULL, OPT_MIN_CONFIDENCE },
		{ "flows", required_argument, NULL, OPT_FLOWS },
		{ "csv-table", required_argument, NULL, OPT_CSV_TABLE },
		{ "timeline", no_argument, NULL, OPT_TIMELINE },
		{ "no-color", no_argument, NULL, OPT_NO_COLOR },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "list-rules", no_argument, NULL, OPT_LIST_RULES },
		{ "explain", required_argument, NULL, OPT_EXPLAIN },
		{ "select", required_argument, NULL, OPT_SELECT },
		{ "ignore", required_argument, NULL, OPT_IGNORE },
		{ "profile", required_argument, NULL, OPT_PROFILE },
		{ "fin-timeout", required_argument, NULL, OPT_FIN_TIMEOUT },
		{ "time-wait", required_argument, NULL, OPT_TIME_WAIT },
		{ "close-wait", required_argument, NULL, OPT_CLOSE_WAIT },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_options o = { .out = stdout, .threads = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 2 : 1 };
	struct input_list inputs = { 0 };
	struct report r = { .fail_on = SEV_WARNING, .min_confidence = CONF_MEDIUM };
	struct rule_config rules;
	const struct timer_profile *profile = NULL;
	const char *select = NULL, *ignore = NULL, *output = NULL;
	uint64_t fin_timeout = 0, time_wait = 0, close_wait = 0;
	bool fin_set = false, tw_set = false, cw_set = false;
	char bad[64], *filter = NULL;
	bool quiet = false, no_color = false;
	int c, status = EXIT_OK;

	/* Everything after "--" is the filter expression; getopt must not
	 * see it (and GNU getopt would move the files around it). */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			filter = join_words(argv + i + 1, argc - i - 1);
			o.filter = filter;
			argc = i;
			break;
		}
	}
	while ((c = getopt_long(argc, argv, "f:o:qhV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DECODE:
			o.decode_only = true;
			break;
		case 'f':
			o.format = report_find(optarg);
			if (o.format == NULL)
				usage_error("unknown format '%s' (use text, json, jsonl or csv)", optarg);
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_FAIL_ON:
			r.fail_on = severity_parse(optarg);
			if (r.fail_on > SEV_NEVER)
				usage_error("unknown severity '%s' (use error, warning, info or never)",
					    optarg);
			break;
		case OPT_MIN_CONFIDENCE:
			r.min_confidence = confidence_parse(optarg);
			if (r.min_confidence > CONF_LOW)
				usage_error("unknown confidence '%s' (use high, medium or low)", optarg);
			break;
		case OPT_FLOWS:
			if (strcmp(optarg, "all") == 0)
				r.flows = FLOWS_ALL;
			else if (strcmp(optarg, "flagged") == 0)
				r.flows = FLOWS_FLAGGED;
			else if (strcmp(optarg, "none") == 0)
				r.flows = FLOWS_NONE;
			else
				usage_error("unknown --flows value '%s' (use all, flagged or none)", optarg);
			break;
		case OPT_TIMELINE:
			o.ladder = true;
			r.timeline = true;
			break;
		case OPT_NO_COLOR:
			no_color = true;
			break;
		case OPT_THREADS:
			if (strcmp(optarg, "1") == 0)
				o.threads = 1;
			else if (strcmp(optarg, "2") == 0)
				o.threads = 2;
			else
				usage_error("--threads takes 1 or 2, not '%s'", optarg);
			break;
		case 'q':
			quiet = true;
			break;
		case OPT_CSV_TABLE:
			if (strcmp(optarg, "findings") == 0)
				r.csv_table = CSV_FINDINGS;
			else if (strcmp(optarg, "flows") == 0)
				r.csv_table = CSV_FLOWS;
			else
				usage_error("unknown --csv-table value '%s' (use findings or flows)", optarg);
			break;
		case OPT_LIST_RULES:
			list_rules();
			return EXIT_OK;
		case OPT_EXPLAIN:
			return explain(optarg);
		case OPT_SELECT:
			select = optarg;
			break;
		case OPT_IGNORE:
			ignore = optarg;
			break;
		case OPT_PROFILE:
			profile = timer_profile_find(optarg);
			if (profile == NULL)
				usage_error("unknown profile '%s' (use linux, windows, bsd or macos)",
					    optarg);
			break;
		case OPT_FIN_TIMEOUT:
			fin_timeout = parse_duration(optarg);
			fin_set = true;
			break;
		case OPT_TIME_WAIT:
			time_wait = parse_duration(optarg);
			tw_set = true;
			break;
		case OPT_CLOSE_WAIT:
			close_wait = parse_duration(optarg);
			cw_set = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		case 'V':
			printf("finlint %s (%s)\n", PACKAGE_VERSION, pcap_lib_version());
			return EXIT_OK;
		default:
			usage_error("%s", "unknown option");
		}
	}
	if (optind >= argc)
		usage_error("%s", "no capture given");

	if (filter != NULL) {
		char err[512];

		if (!capture_check_filter(filter, err, sizeof err))
			usage_error("%s", err);
	}
	rules_config_init(&rules, profile);
	if (select != NULL) {
		rules_config_select(&rules, "all", false, bad, sizeof bad);
		if (!rules_config_select(&rules, select, true, bad, sizeof bad))
			usage_error("unknown rule '%s' in --select (see finlint --list-rules)", bad);
	}
	if (ignore != NULL && !rules_config_select(&rules, ignore, false, bad, sizeof bad))
		usage_error("unknown rule '%s' in --ignore (see finlint --list-rules)", bad);
	if (fin_set) {
		rules.fin_timeout_ns = fin_timeout;
		rules.fin_timeout_set = true;
	}
	if (tw_set) {
		rules.time_wait_ns = time_wait;
		rules.time_wait_set = true;
	}
	if (cw_set)
		rules.close_wait_ns = close_wait;
	o.rules = &rules;
	if (output != NULL) {
		o.out = fopen(output, "w");
		if (o.out == NULL) {
			fprintf(stderr, "finlint: %s: %s\n", output, strerror(errno));
			return EXIT_USAGE;
		}
	}

	for (int i = optind; i < argc; i++) {
		if (inputs_add(&inputs, argv[i]) == 0) {
			fprintf(stderr, "finlint: %s: no *.pcap, *.pcapng or *.cap files in this directory\n",
				argv[i]);
			status = EXIT_INPUT;
		}
	}

	if (o.format == NULL)
		o.format = report_find("text");
	if (quiet && o.out == stdout) {
		/* nobody reads it: list no connection, only the totals are
		 * written, to nowhere */
		r.flows = FLOWS_NONE;
		o.out = fopen("/dev/null", "w");
		if (o.out == NULL)
			fatal("cannot open /dev/null: %s", strerror(errno));
	}
	/* Color only for people: a terminal, and never against NO_COLOR. */
	r.color = !no_color && strcmp(o.format->name, "text") == 0 && isatty(fileno(o.out)) &&
		  (getenv("NO_COLOR") == NULL || getenv("NO_COLOR")[0] == '\0');
	r.ops = o.format;
	r.out = o.out;
	for (size_t i = 0; i < inputs.count; i++)
		if (!run_file(inputs.path[i], &o, &r))
			status = EXIT_INPUT;
	if (!o.decode_only)
		r.ops->end(&r);
	inputs_free(&inputs);
	free(filter);
	if (fflush(o.out) != 0 || ferror(o.out) || (o.out != stdout && fclose(o.out) != 0)) {
		fprintf(stderr, "finlint: %s: write error: %s\n", output != NULL ? output : "stdout",
			strerror(errno));
		return EXIT_INPUT;
	}
	if (status == EXIT_OK && r.failed)
		status = EXIT_FINDINGS;
	return status;
}
