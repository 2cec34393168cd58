/* pcaploop: the benchmark's floor.  Read a capture with libpcap and count
 * its packets and captured bytes, nothing else: what finlint costs is
 * measured against this. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include <pcap/pcap.h>

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t packets = 0, bytes = 0;
	pcap_t *p;
	int r;

	if (argc != 2) {
		fputs("Usage: pcaploop FILE\n", stderr);
		return 2;
	}
	p = pcap_open_offline(argv[1], err);
	if (p == NULL) {
		fprintf(stderr, "pcaploop: %s: %s\n", argv[1], err);
		return 3;
	}
	while ((r = pcap_next_ex(p, &h, &data)) == 1) {
		packets++;
		bytes += h->caplen;
	}
	if (r != PCAP_ERROR_BREAK) {
		fprintf(stderr, "pcaploop: %s: %s\n", argv[1], pcap_geterr(p));
		pcap_close(p);
		return 3;
	}
	printf("%" PRIu64 " packets, %" PRIu64 " bytes captured\n", packets, bytes);
	pcap_close(p);
	return 0;
}
