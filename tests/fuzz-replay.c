/* fuzz-replay: run the fuzz target over files named on the command line,
 * so make check exercises the seed corpus without libFuzzer. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	int failed = 0, passed = 0;

	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		uint8_t *buf;
		long n;

		if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0) {
			fprintf(stderr, "fuzz-replay: %s: cannot read\n", argv[i]);
			failed++;
			if (f != NULL)
				fclose(f);
			continue;
		}
		rewind(f);
		buf = malloc((size_t)n + 1);
		if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
			fprintf(stderr, "fuzz-replay: %s: cannot read\n", argv[i]);
			failed++;
		} else {
			LLVMFuzzerTestOneInput(buf, (size_t)n);
			passed++;
		}
		free(buf);
		fclose(f);
	}
	/* stderr: run-by-run diagnostics of the target go there too */
	fprintf(stderr, "%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
