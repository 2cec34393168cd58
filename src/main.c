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
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "argfile.h"
#include "baseline.h"
#include "capset-open.h"
#include "capture.h"
#include "escape.h"
#include "finlint.h"
#include "inputs.h"
#include "jsonl-input.h"
#include "output.h"
#include "pair.h"
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
	"  FILE      a pcap (micro- or nanosecond) or pcapng capture, also one compressed\n"
	"            with gzip, zstd, xz or lz4 (told by its first bytes, not its name)\n"
	"  DIR       every *.pcap, *.pcapng and *.cap file below DIR (also ending in .gz,\n"
	"            .zst, .xz or .lz4), in sorted order\n"
	"  -         a capture read from standard input (e.g. tcpdump -w - | finlint -)\n"
	"  --merge   the inputs are one capture split across files (rotated files of\n"
	"            tcpdump -C/-G/-W, or one capture per interface): packets are read\n"
	"            in timestamp order, connections followed across the files, and\n"
	"            each evidence packet is named by its file and frame in it\n"
	"  --from-jsonl  the inputs are JSON Lines reports finlint wrote (-f jsonl), not\n"
	"            captures, and a DIR gives its *.jsonl files: their connections\n"
	"            and findings are reported again, in any format, with the totals\n"
	"            of them all, without reading the captures (no ladders: a JSON\n"
	"            Lines report does not keep the last packets)\n"
	"  --pair A B  two captures of the same connections at two points, A nearer the\n"
	"            clients, B nearer the servers: each is analysed as on its own, then\n"
	"            connections are matched (by ISNs, across NAT), the clock offset is\n"
	"            taken from the handshakes, and each packet is found crossed, lost\n"
	"            between the points or appeared between them (RSTs a middlebox\n"
	"            sent); text, json and html reports only (docs/pair.md)\n"
	"  Link types: Ethernet (802.1Q/802.1ad VLAN tags, PPPoE), Linux cooked v1/v2\n"
	"  (tcpdump -i any), raw IPv4/IPv6, BSD loopback (NULL, LOOP), PPP (also in HDLC\n"
	"  framing), Cisco HDLC, PPI, IP over InfiniBand.  MPLS, GRE, ERSPAN, VXLAN, GENEVE,\n"
	"  Teredo and IP-in-IP are decapsulated and the inner TCP connection is analysed.\n"
	"  FILTER    a tcpdump filter expression (pcap-filter(7)) after '--', e.g.\n"
	"            finlint dump.pcap -- port 8888; packets it leaves out still count\n"
	"            in packet numbers, so evidence matches Wireshark's frame.number\n"
	"\n"
	"Report:\n"
	"  -f, --format FMT[:PATH]  text (default), json (one document: inputs, flows\n"
	"                    with their findings, summary), jsonl (one object per line,\n"
	"                    typed header, flow, finding, file or summary, written as\n"
	"                    the analysis goes), csv (RFC 4180, one row per finding,\n"
	"                    with a header row), sarif (SARIF 2.1.0 for code scanning:\n"
	"                    GitHub, one result per finding), junit (JUnit XML: a\n"
	"                    testsuite per capture, a testcase per connection, a failure\n"
	"                    per finding that fails the run), github (GitHub Actions\n"
	"                    workflow commands, one annotation per finding),\n"
	"                    markdown (for a ticket: tables of facts and findings, a\n"
	"                    section and a text ladder per flagged connection) or html\n"
	"                    (one self-contained page: charts, and per flagged\n"
	"                    connection its findings and an SVG ladder diagram).\n"
	"                    Repeat it to write several formats in one pass: each\n"
	"                    FORMAT:PATH goes to PATH (written as -o writes), the one\n"
	"                    -f without a path to -o or standard output\n"
	"      --csv-table T csv rows: findings (default) or flows (one per connection)\n"
	"  -o, --output FILE write the report to FILE instead of standard output; FILE is\n"
	"                    replaced only by a whole report, and never when it is one\n"
	"                    of the inputs\n"
	"      --flows WHICH which connections the report lists: all, flagged (those\n"
	"                    with findings; the text and html default) or none (json\n"
	"                    default: all)\n"
	"      --fail-on SEV exit 1 when a finding of severity SEV or higher was found:\n"
	"                    error, warning (default), info, or never\n"
	"      --min-confidence C  only findings of confidence C or higher count for\n"
	"                    --fail-on: high, medium (default) or low; a finding resting\n"
	"                    on a mid-stream start, gaps or a one-sided capture is lower\n"
	"      --severity RULE=LEVEL  every finding of RULE (id or code) gets LEVEL:\n"
	"                    error, warning or info, or off (the rule does not run);\n"
	"                    repeatable, the last for a rule wins\n"
	"      --baseline FILE  a previous report (-f json, jsonl or sarif): findings it\n"
	"                    holds (same rule, Community ID and first evidence packet)\n"
	"                    are marked baselined, still reported, and never fail the run\n"
	"      --timeline    text: after each listed connection, a ladder diagram of its\n"
	"                    last 12 packets (flags, relative seq/ack, both sides' states)\n"
	"      --no-group    text: a block for every listed connection; by default the\n"
	"                    connections of a file with the same close, final states and\n"
	"                    findings are one block, with the count and the others' ids\n"
	"      --summary     text, markdown and html: only each file's header (html:\n"
	"                    and charts) and the totals, no connection blocks\n"
	"  -q, --quiet       no report on standard output (with -o FILE, FILE still gets\n"
	"                    one): only diagnostics and the exit status\n"
	"      --no-color    no color in the text report (it is colored only on a terminal\n"
	"                    and never when NO_COLOR is set)\n"
	"      --decode      print one line per packet as decoded (addresses, ports, flags,\n"
	"                    seq/ack, IP-derived payload length, options, tunnels), no report\n"
	"      --threads N   2 (the default with more than one CPU): read and decode on a\n"
	"                    second thread while the first tracks connections; 1: one\n"
	"                    thread.  The report is the same either way\n"
	"      --max-memory SIZE  cap the memory that holds connections (default 1G;\n"
	"                    K, M, G, T are powers of 1024; 0: no cap).  Over it, the\n"
	"                    oldest connections are finished early, with a warning and a\n"
	"                    note in their records: first those that never completed a\n"
	"                    handshake (a SYN flood), then the least recently active\n"
	"      --hold-closed tombstone|full  what a closed connection keeps for its\n"
	"                    TIME_WAIT.  tombstone (default): its record is written once\n"
	"                    it has been silent for the linger, then ~64 bytes stay to\n"
	"                    diagnose late packets (a FIN repeated because the final ACK\n"
	"                    was lost, a RST into TIME_WAIT, a SYN reusing the 4-tuple);\n"
	"                    what they find is a late finding listed after the record.\n"
	"                    full: the whole connection is held (~1 KB packed) and late\n"
	"                    packets change its record itself: exact, more memory\n"
	"      --linger T    how long a closed connection must be silent before its\n"
	"                    record is written with tombstones, for every connection\n"
	"                    (default: 3s for one whose handshake took under 50 ms,\n"
	"                    10s for the others: long enough for the FIN repeats of a\n"
	"                    lost final ACK, a few retransmission timeouts)\n"
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
	"  @FILE             read more arguments from FILE: words separated by blanks and\n"
	"                    line ends, quoted with '...' or \"...\", lines starting with\n"
	"                    # are comments; FILE may name further @FILEs\n"
	"  -h, --help        show this help and exit\n"
	"  -V, --version     show the version and exit\n"
	"\n"
	"Exit status:\n"
	"  0  no finding at or above the --fail-on severity (and --min-confidence),\n"
	"     every input read whole\n"
	"  1  findings at or above the --fail-on severity (default: warning) and the\n"
	"     --min-confidence confidence (default: medium)\n"
	"  2  usage error (unknown option or rule, bad value, no input, an @FILE or\n"
	"     --baseline FILE that cannot be read), or an output FILE (-o, -f FMT:FILE)\n"
	"     that cannot be created, is one of the inputs or is named twice; nothing is\n"
	"     read\n"
	"  3  input error: a file is missing, unreadable, not a capture, damaged part-way, or\n"
	"     of an unsupported link type, or a directory cannot be read; every other file\n"
	"     is still analysed, and what could be read of a damaged file is reported\n"
	"     (3 wins over 1); also when the report could not be written (a full disk):\n"
	"     then an existing -o FILE is left as it was\n"
	"  70 finlint itself failed (out of memory, or a broken rule table in a modified\n"
	"     build): the message says which; please report it\n"
	"Diagnostics go to standard error as 'finlint: FILE: problem', with control\n"
	"characters in file names shown escaped (\\n, \\x1b), as in the text report.\n"
	"\n"
	"Examples:\n"
	"  finlint dump.pcap\n"
	"  finlint --fail-on error captures/\n"
	"  finlint --profile bsd --fin-timeout 30 -f json -o report.json dump.pcap\n"
	"  finlint -f text -f sarif:finlint.sarif -f junit:finlint.xml captures/\n"
	"  finlint @ci/finlint.opts --baseline ci/baseline.sarif captures/\n"
	"  finlint --explain rst-after-fin-wait2-timeout\n"
	"  tcpdump -i any -w - port 443 | finlint -\n"
	"\n"
	"See finlint(1) for details.\n";

static void usage_error(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

static void usage_error(const char *fmt, ...)
{
	char msg[1024], *e;
	va_list ap;

	/* the message quotes what was typed: shown escaped, on one line */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	e = escape_text(msg);
	fprintf(stderr, "finlint: %s\nTry 'finlint --help' for more information.\n", e);
	free(e);
	exit(EXIT_USAGE);
}

/* getopt_long refused argv's next option (it prints nothing: opterr is
 * 0, so that the message is ours and one line).  A long option is told by
 * the word itself; a short one, perhaps inside a cluster, by optopt. */
static void bad_option(int c, char **argv, const struct option *longopts)
{
	const char *word = argv[optind - 1];
	int len = (int)strcspn(word, "=");
	bool is_long = strncmp(word, "--", 2) == 0 && len > 2;

	if (c == ':') {
		if (is_long)
			usage_error("option '%.*s' needs a value", len, word);
		usage_error("option '-%c' needs a value", optopt);
	}
	if (optopt != 0 && (optopt >= 256 || strchr("qhV", optopt) != NULL))
		usage_error("option '%.*s' takes no value", len, word); /* --help=x */
	if (optopt != 0 || !is_long)
		usage_error("unknown option '-%c'", optopt != 0 ? optopt : '?');
	{
		int matches = 0;

		for (const struct option *lo = longopts; lo->name != NULL; lo++)
			if (strncmp(lo->name, word + 2, (size_t)len - 2) == 0)
				matches++;
		usage_error("%s option '%.*s'", matches > 1 ? "ambiguous" : "unknown", len, word);
	}
}

/* What a run that wrote only to standard output ends with: status, or
 * 3 when the text did not all get out (a full disk, a closed pipe). */
static int stdout_status(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "finlint: stdout: write error: %s\n", strerror(errno));
		return EXIT_INPUT;
	}
	return status;
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

/* The default --max-memory: a fixed size, not a share of the machine's
 * memory, so that a capture gives the same report on every machine; 1 GiB
 * holds ~600 000 open connections, or ~7 M that only sent a SYN. */
static const uint64_t DEFAULT_MAX_MEMORY = (uint64_t)1 << 30;

/* Parse a size: bytes, or a number with K, M, G or T (powers of 1024),
 * optionally followed by B or iB; 0 means no cap. */
static uint64_t parse_size(const char *text)
{
	static const char units[] = "KMGT";
	char *end;
	double v = strtod(text, &end);
	double scale = 1;
	const char *u;

	if (end != text && *end != '\0' && (u = strchr(units, end[0] & ~0x20)) != NULL) {
		scale = (double)((uint64_t)1 << (10 * (u - units + 1)));
		end++;
		if (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0)
			end += strlen(end);
	} else if (end != text && strcmp(end, "B") == 0) {
		end++;
	}
	if (end == text || *end != '\0' || !(v >= 0) || v * scale > 1e18)
		usage_error("bad size '%s' (use e.g. 512M, 2G, 0 for no cap)", text);
	if (v * scale != 0 && v * scale < 65536)
		usage_error("--max-memory %s is too small (at least 64K, or 0 for no cap)", text);
	return (uint64_t)(v * scale);
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
	if (v * scale >= 18e18) /* past UINT64_MAX ns, which the cast cannot hold */
		usage_error("duration '%s' is too long", text);
	return (uint64_t)(v * scale + 0.5); /* 0.3 s is 300000000 ns, not one less */
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
		char *e = escape_text(name);

		fprintf(stderr, "finlint: unknown rule '%s' (see finlint --list-rules)\n", e);
		free(e);
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

/* One -f: a format and the file it goes to (NULL: -o or standard
 * output). */
struct format_spec {
	const struct report_ops *ops;
	const char *path;
	struct output out;
};

/* Parse FORMAT[:PATH]; only the first ':' splits, so a path may hold
 * more. */
static void parse_format(const char *arg, struct format_spec *spec)
{
	const char *colon = strchr(arg, ':');
	size_t len = colon != NULL ? (size_t)(colon - arg) : strlen(arg);
	char name[32];

	memset(spec, 0, sizeof *spec);
	if (len < sizeof name) {
		memcpy(name, arg, len);
		name[len] = '\0';
		spec->ops = report_find(name);
	}
	if (spec->ops == NULL)
		usage_error("unknown format '%.*s' (use %s)", (int)len, arg, report_format_names());
	if (colon != NULL && colon[1] == '\0')
		usage_error("-f %s: a file name must follow the ':'", arg);
	spec->path = colon != NULL ? colon + 1 : NULL;
}

/* --severity RULE=LEVEL into ro; off[rule] when LEVEL is off. */
static void parse_severity(const char *arg, struct report_options *ro, bool off[RULE_COUNT])
{
	const char *eq = strchr(arg, '=');
	char name[64];
	unsigned rule, sev;

	if (eq == NULL || eq == arg || (size_t)(eq - arg) >= sizeof name)
		usage_error("--severity takes RULE=LEVEL, not '%s'", arg);
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	rule = rule_find(name);
	if (rule >= RULE_COUNT)
		usage_error("unknown rule '%s' in --severity (see finlint --list-rules)", name);
	if (strcmp(eq + 1, "off") == 0) {
		off[rule] = true;
		ro->severity_set[rule] = false;
		return;
	}
	sev = severity_parse(eq + 1);
	if (sev >= SEV_NEVER)
		usage_error("unknown level '%s' in --severity (use error, warning, info or off)",
			    eq + 1);
	off[rule] = false;
	ro->severity_set[rule] = true;
	ro->severity[rule] = (uint8_t)sev;
}

/* Whether two output names are one file: the same name, or the same
 * existing file by device and inode. */
static bool same_output(const char *a, const char *b)
{
	struct stat sa, sb;

	if (strcmp(a, b) == 0)
		return true;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino && S_ISREG(sa.st_mode);
}

/* Open every FORMAT:PATH output as -o's is opened: never over an input,
 * never one file twice.  Return false after the diagnostic, with what was
 * opened closed again and nothing replaced. */
static bool open_paths(struct format_spec *spec, unsigned n, const char *output,
		       const struct input_list *inputs)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		const char *path = spec[i].path, *same;
		bool twice;

		if (path == NULL)
			continue;
		twice = output != NULL && same_output(path, output);
		for (unsigned j = 0; j < i && !twice; j++)
			twice = spec[j].path != NULL && same_output(path, spec[j].path);
		if (twice) {
			escape_diag(path, "this file would be written twice (by two -f, or -f and -o)");
			break;
		}
		same = output_same_input(path, inputs);
		if (same != NULL) {
			escape_diag(path, "the output is also the input %s: not writing the report over it",
				    same);
			break;
		}
		if (!output_open(&spec[i].out, path)) {
			escape_diag(path, "%s", strerror(errno));
			break;
		}
	}
	if (i == n)
		return true;
	while (i-- > 0)
		if (spec[i].path != NULL)
			output_close(&spec[i].out, false);
	return false;
}

int main(int argc, char **argv)
{
	enum {
		OPT_PAIR = 253, OPT_MERGE = 254, OPT_FROM_JSONL = 255, OPT_DECODE = 256, OPT_LIST_RULES, OPT_EXPLAIN, OPT_SELECT, OPT_IGNORE, OPT_PROFILE,
		OPT_FIN_TIMEOUT, OPT_TIME_WAIT, OPT_CLOSE_WAIT, OPT_FAIL_ON, OPT_FLOWS, OPT_CSV_TABLE,
		OPT_TIMELINE, OPT_NO_GROUP, OPT_SUMMARY, OPT_NO_COLOR, OPT_THREADS, OPT_MAX_MEMORY, OPT_MIN_CONFIDENCE,
		OPT_SEVERITY, OPT_BASELINE, OPT_HOLD_CLOSED, OPT_LINGER,
	};
	static const struct option longopts[] = {
		{ "decode", no_argument, NULL, OPT_DECODE },
		{ "from-jsonl", no_argument, NULL, OPT_FROM_JSONL },
		{ "merge", no_argument, NULL, OPT_MERGE },
		{ "pair", no_argument, NULL, OPT_PAIR },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "min-confidence", required_argument, NULL, OPT_MIN_CONFIDENCE },
		{ "severity", required_argument, NULL, OPT_SEVERITY },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "flows", required_argument, NULL, OPT_FLOWS },
		{ "csv-table", required_argument, NULL, OPT_CSV_TABLE },
		{ "timeline", no_argument, NULL, OPT_TIMELINE },
		{ "no-group", no_argument, NULL, OPT_NO_GROUP },
		{ "summary", no_argument, NULL, OPT_SUMMARY },
		{ "no-color", no_argument, NULL, OPT_NO_COLOR },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "max-memory", required_argument, NULL, OPT_MAX_MEMORY },
		{ "hold-closed", required_argument, NULL, OPT_HOLD_CLOSED },
		{ "linger", required_argument, NULL, OPT_LINGER },
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
	struct run_options o = { .out = stdout, .threads = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 2 : 1,
				 .max_memory = DEFAULT_MAX_MEMORY,
				 .linger_ns = (uint64_t)RUN_LINGER_DEFAULT_S * NS_PER_S,
				 .linger_fast_ns = (uint64_t)RUN_LINGER_FAST_S * NS_PER_S };
	struct input_list inputs = { 0 };
	bool merge = false, pairing = false;
	struct capset *set = NULL;
	static struct pair pair;
	struct report_options ro = { .fail_on = SEV_WARNING, .min_confidence = CONF_MEDIUM };
	/* the argument list with every @FILE read: static, so that it stays
	 * reachable to the end (leak checkers) */
	static struct argfile args;
	static struct format_spec spec[REPORT_WRITERS_MAX], default_text;
	unsigned nspec = 0;
	const struct format_spec *to_stdout = NULL;
	bool off[RULE_COUNT] = { false };
	const char *baseline_path = NULL;
	struct baseline *baseline = NULL;
	struct report r;
	struct output out = { 0 };
	struct rule_config rules;
	const struct timer_profile *profile = NULL;
	const char *select = NULL, *ignore = NULL, *output = NULL;
	uint64_t fin_timeout = 0, time_wait = 0, close_wait = 0;
	bool fin_set = false, tw_set = false, cw_set = false;
	char bad[64], *filter = NULL;
	bool quiet = false, no_color = false, written;
	const char *same;
	int c, status = EXIT_OK;

	{
		char err[1024];

		if (!argfile_expand(&args, argc, argv, err, sizeof err))
			usage_error("%s", err);
		argc = args.argc;
		argv = args.argv;
	}
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
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:o:qhV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_FROM_JSONL:
			inputs.reports = true;
			break;
		case OPT_MERGE:
			merge = true;
			break;
		case OPT_PAIR:
			pairing = true;
			break;
		case OPT_DECODE:
			o.decode_only = true;
			break;
		case 'f':
			if (nspec == REPORT_WRITERS_MAX)
				usage_error("at most %d -f options", REPORT_WRITERS_MAX);
			parse_format(optarg, &spec[nspec]);
			if (spec[nspec].path == NULL) {
				if (to_stdout != NULL)
					usage_error("only one -f without a path (its report goes to -o or "
						    "standard output); give the others as FORMAT:PATH");
				to_stdout = &spec[nspec];
			}
			nspec++;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_FAIL_ON:
			ro.fail_on = severity_parse(optarg);
			if (ro.fail_on > SEV_NEVER)
				usage_error("unknown severity '%s' (use error, warning, info or never)",
					    optarg);
			break;
		case OPT_MIN_CONFIDENCE:
			ro.min_confidence = confidence_parse(optarg);
			if (ro.min_confidence > CONF_LOW)
				usage_error("unknown confidence '%s' (use high, medium or low)", optarg);
			break;
		case OPT_SEVERITY:
			parse_severity(optarg, &ro, off);
			break;
		case OPT_BASELINE:
			baseline_path = optarg;
			break;
		case OPT_FLOWS:
			if (strcmp(optarg, "all") == 0)
				ro.flows = FLOWS_ALL;
			else if (strcmp(optarg, "flagged") == 0)
				ro.flows = FLOWS_FLAGGED;
			else if (strcmp(optarg, "none") == 0)
				ro.flows = FLOWS_NONE;
			else
				usage_error("unknown --flows value '%s' (use all, flagged or none)", optarg);
			break;
		case OPT_TIMELINE:
			ro.timeline = true;
			break;
		case OPT_NO_GROUP:
			ro.no_group = true;
			break;
		case OPT_SUMMARY:
			ro.summary_only = true;
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
		case OPT_MAX_MEMORY:
			o.max_memory = parse_size(optarg);
			break;
		case OPT_HOLD_CLOSED:
			if (strcmp(optarg, "full") == 0)
				o.hold_full = true;
			else if (strcmp(optarg, "tombstone") == 0)
				o.hold_full = false;
			else
				usage_error("--hold-closed takes tombstone or full, not '%s'", optarg);
			break;
		case OPT_LINGER:
			o.linger_ns = o.linger_fast_ns = parse_duration(optarg);
			break;
		case 'q':
			quiet = true;
			break;
		case OPT_CSV_TABLE:
			if (strcmp(optarg, "findings") == 0)
				ro.csv_table = CSV_FINDINGS;
			else if (strcmp(optarg, "flows") == 0)
				ro.csv_table = CSV_FLOWS;
			else
				usage_error("unknown --csv-table value '%s' (use findings or flows)", optarg);
			break;
		case OPT_LIST_RULES:
			list_rules();
			return stdout_status(EXIT_OK);
		case OPT_EXPLAIN:
			return stdout_status(explain(optarg));
		case OPT_SELECT:
			select = optarg;
			break;
		case OPT_IGNORE:
			ignore = optarg;
			break;
		case OPT_PROFILE:
			profile = timer_profile_find(optarg);
			if (profile == NULL)
				usage_error("unknown profile '%s' (use %s)", optarg,
					    timer_profile_names());
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
			return stdout_status(EXIT_OK);
		case 'V':
			printf("finlint %s (%s)\n", PACKAGE_VERSION, pcap_lib_version());
			return stdout_status(EXIT_OK);
		default:
			bad_option(c, argv, longopts);
		}
	}
	if (optind >= argc)
		usage_error("%s", "no capture given");
	for (unsigned i = 0; i < nspec; i++)
		if (o.decode_only && spec[i].path != NULL)
			usage_error("--decode writes no report: -f %s:%s has nothing to write",
				    spec[i].ops->name, spec[i].path);
	if (to_stdout == NULL && output != NULL && nspec == REPORT_WRITERS_MAX)
		usage_error("at most %d reports in one run (-f and -o)", REPORT_WRITERS_MAX);

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
	for (unsigned i = 0; i < RULE_COUNT; i++) {
		if (off[i])
			rules.enabled[i] = false;
		ro.disabled[i] = !rules.enabled[i];
	}
	o.rules = &rules;
	if (baseline_path != NULL) {
		char err[512];

		baseline = baseline_load(baseline_path, err, sizeof err);
		if (baseline == NULL) {
			escape_diag(baseline_path, "%s", err);
			free(filter);
			return EXIT_USAGE;
		}
		ro.baseline = baseline;
	}

	if (merge && inputs.reports)
		usage_error("--merge reads captures, --from-jsonl reports: not both");
	if (pairing) {
		if (merge || inputs.reports || o.decode_only)
			usage_error("--pair compares two captures: not with %s",
				    merge ? "--merge" : inputs.reports ? "--from-jsonl" : "--decode");
		if (argc - optind != 2)
			usage_error("--pair takes two captures, the client side's then the server "
				    "side's, not %d", argc - optind);
		for (unsigned i = 0; i < nspec; i++)
			if (spec[i].ops->pair == NULL)
				usage_error("-f %s cannot show --pair's two-point section (use text, "
					    "json or html)", spec[i].ops->name);
	}
	for (int i = optind; i < argc; i++) {
		if (inputs_add(&inputs, argv[i]) == 0) {
			escape_diag(argv[i], "no *.pcap, *.pcapng or *.cap files in this directory");
			status = EXIT_INPUT;
		}
	}
	if (inputs.failed > 0)
		status = EXIT_INPUT;
	else if (pairing && inputs.count != 2)
		usage_error("--pair takes two capture files, not a directory of %zu", inputs.count);
	/* The output is opened only now that every input is known, and never
	 * over one of them (nor into one, through a shell's >>). */
	same = output != NULL || !quiet ? output_same_input(output, &inputs) : NULL;
	if (same != NULL) {
		escape_diag(output != NULL ? output : "stdout",
			    "the output is also the input %s: not writing the report over it", same);
		status = EXIT_USAGE;
	} else if (output != NULL && !output_open(&out, output)) {
		escape_diag(output, "%s", strerror(errno));
		status = EXIT_USAGE;
	}
	if (status != EXIT_USAGE && !open_paths(spec, nspec, output, &inputs)) {
		if (output != NULL)
			output_close(&out, false);
		status = EXIT_USAGE;
	}
	if (status == EXIT_USAGE) {
		inputs_free(&inputs);
		baseline_free(baseline);
		free(filter);
		return status;
	}
	if (output != NULL)
		o.out = out.fp;

	/* Standard output (or -o) gets the -f without a path; text when
	 * there is none, unless every -f named its file and -o is not given. */
	if (to_stdout == NULL && (nspec == 0 || output != NULL)) {
		default_text.ops = report_find("text");
		to_stdout = &default_text;
	}
	if (quiet && o.out == stdout) {
		/* nobody reads it: no report there (--decode writes to
		 * nowhere) */
		to_stdout = NULL;
		o.out = fopen("/dev/null", "w");
		if (o.out == NULL)
			fatal("cannot open /dev/null: %s", strerror(errno));
	}
	/* Color only for people: a terminal, and never against NO_COLOR;
	 * the options are every writer's, so not when text also goes to a
	 * file. */
	ro.color = !no_color && to_stdout != NULL && strcmp(to_stdout->ops->name, "text") == 0 &&
		   isatty(fileno(o.out)) && (getenv("NO_COLOR") == NULL || getenv("NO_COLOR")[0] == '\0');
	for (unsigned i = 0; i < nspec; i++)
		if (spec[i].path != NULL && strcmp(spec[i].ops->name, "text") == 0)
			ro.color = false;
	report_init(&r, &ro);
	/* in the order given, the one to standard output among them */
	for (unsigned i = 0; i < nspec; i++)
		if (spec[i].path != NULL)
			report_add_writer(&r, spec[i].ops, spec[i].out.fp);
		else if (to_stdout == &spec[i])
			report_add_writer(&r, spec[i].ops, o.out);
	if (to_stdout != NULL && to_stdout == &default_text)
		report_add_writer(&r, to_stdout->ops, o.out);
	if (merge && inputs.count > 0) {
		/* one capture of every file: its record is named by the first */
		char err[768];
		struct capture *cap;

		set = capset_new(inputs.path, inputs.count);
		o.set = set;
		cap = capture_open_merged(set, err, sizeof err);
		if (!run_capture(cap, inputs.path[0], err, &o, &r))
			status = EXIT_INPUT;
	} else if (pairing) {
		/* each point analysed as on its own, its packets kept */
		pair_init(&pair, inputs.path[0], inputs.count > 1 ? inputs.path[1] : "");
		for (unsigned i = 0; i < 2 && i < inputs.count; i++) {
			o.tap = pair_collect;
			o.tap_ctx = &pair.point[i];
			if (!run_file(inputs.path[i], &o, &r)) {
				pair.point[i].read_error = true;
				status = EXIT_INPUT;
			}
		}
		pair_match_points(&pair);
		pair_rules_check(&pair, &rules);
		report_pair(&r, &pair);
	} else {
		for (size_t i = 0; i < inputs.count; i++)
			if (inputs.reports ? !jsonl_input_run(inputs.path[i], &r) :
					     !run_file(inputs.path[i], &o, &r))
				status = EXIT_INPUT;
	}
	r.sum.input_error = status == EXIT_INPUT;
	if (!o.decode_only)
		report_end(&r);
	pair_free(&pair);
	capset_free(set);
	inputs_free(&inputs);
	baseline_free(baseline);
	free(filter);
	/* A report of what could be read is still wanted when an input was
	 * damaged: it replaces the old one unless writing it failed. */
	status = report_exit_status(&r);
	for (unsigned i = 0; i < nspec; i++) {
		if (spec[i].path == NULL)
			continue;
		errno = 0;
		if (!output_close(&spec[i].out, true)) {
			escape_diag(spec[i].path, "write error: %s", strerror(errno != 0 ? errno : EIO));
			status = EXIT_INPUT;
		}
	}
	errno = 0;
	if (output != NULL)
		written = output_close(&out, true);
	else
		written = fflush(o.out) == 0 && !ferror(o.out) && (o.out == stdout || fclose(o.out) == 0);
	if (!written) {
		escape_diag(output != NULL ? output : "stdout", "write error: %s",
			    strerror(errno != 0 ? errno : EIO));
		return EXIT_INPUT;
	}
	return status;
}
