/* main: command line -> list of inputs -> one run per file -> exit status. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "finlint.h"
#include "inputs.h"
#include "report.h"
#include "run.h"

static const char usage_text[] =
	"Usage: finlint [OPTION]... FILE|DIR|- ...\n"
	"Rebuild every TCP connection in tcpdump captures and report how each one ended.\n"
	"\n"
	"Inputs:\n"
	"  FILE      a pcap (micro- or nanosecond) or pcapng capture\n"
	"  DIR       every *.pcap, *.pcapng and *.cap file below DIR, in sorted order\n"
	"  -         a capture read from standard input (e.g. tcpdump -w - | finlint -)\n"
	"  Link types: Ethernet (802.1Q/802.1ad VLAN tags), Linux cooked v1/v2 (tcpdump -i any),\n"
	"  raw IPv4/IPv6, BSD loopback (NULL, LOOP).  MPLS, GRE, ERSPAN, VXLAN, GENEVE, Teredo\n"
	"  and IP-in-IP are decapsulated and the inner TCP connection is analysed.\n"
	"\n"
	"Options:\n"
	"  -f, --format FMT report format: text (default) or json (one document: flows,\n"
	"                   inputs, summary; see docs/close-classes.md for the words used)\n"
	"      --decode     print one line per packet as decoded (addresses, ports, flags,\n"
	"                   seq/ack, IP-derived payload length, options, tunnels) and no report\n"
	"  -h, --help       show this help and exit\n"
	"  -V, --version    show the version and exit\n"
	"\n"
	"Exit status:\n"
	"  0  every input was read whole\n"
	"  2  usage error (unknown option, no input)\n"
	"  3  input error: a file is missing, unreadable, not a capture, damaged part-way, or\n"
	"     of an unsupported link type; every other file is still analysed, and what could\n"
	"     be read of a damaged file is reported\n"
	"Diagnostics go to standard error as 'finlint: FILE: problem'.\n"
	"\n"
	"Examples:\n"
	"  finlint dump.pcap\n"
	"  finlint captures/\n"
	"  tcpdump -i any -w - port 443 | finlint -\n"
	"\n"
	"See finlint(1) for details.\n";

static void usage_error(const char *msg)
{
	fprintf(stderr, "finlint: %s\nTry 'finlint --help' for more information.\n", msg);
	exit(EXIT_USAGE);
}

int main(int argc, char **argv)
{
	enum { OPT_DECODE = 256 };
	static const struct option longopts[] = {
		{ "decode", no_argument, NULL, OPT_DECODE },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_options o = { .out = stdout };
	struct input_list inputs = { 0 };
	struct report r = { 0 };
	int c, status = EXIT_OK;

	while ((c = getopt_long(argc, argv, "f:hV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DECODE:
			o.decode_only = true;
			break;
		case 'f':
			o.format = report_find(optarg);
			if (o.format == NULL)
				usage_error("unknown format (use text or json)");
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		case 'V':
			printf("finlint %s (%s)\n", PACKAGE_VERSION, pcap_lib_version());
			return EXIT_OK;
		default:
			usage_error("unknown option");
		}
	}
	if (optind >= argc)
		usage_error("no capture given");

	for (int i = optind; i < argc; i++) {
		if (inputs_add(&inputs, argv[i]) == 0) {
			fprintf(stderr, "finlint: %s: no *.pcap, *.pcapng or *.cap files in this directory\n",
				argv[i]);
			status = EXIT_INPUT;
		}
	}

	if (o.format == NULL)
		o.format = report_find("text");
	r.ops = o.format;
	r.out = o.out;
	for (size_t i = 0; i < inputs.count; i++)
		if (!run_file(inputs.path[i], &o, &r))
			status = EXIT_INPUT;
	if (!o.decode_only)
		r.ops->end(&r);
	inputs_free(&inputs);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("finlint: write error");
		return EXIT_INPUT;
	}
	return status;
}
