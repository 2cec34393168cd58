/* test-argfile: what an options file (@FILE) expands to: words, quotes,
 * backslashes, comment lines, nested files, the filter left alone, and
 * the errors, each naming the file and line. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argfile.h"
#include "check.h"

static char dir[] = "/tmp/test-argfile-XXXXXX";
static char path_buf[4][256];

static const char *file(int slot, const char *name, const char *text)
{
	FILE *fp;

	snprintf(path_buf[slot], sizeof path_buf[slot], "%s/%s", dir, name);
	fp = fopen(path_buf[slot], "w");
	if (fp == NULL || fputs(text, fp) < 0 || fclose(fp) != 0) {
		perror(path_buf[slot]);
		exit(1);
	}
	return path_buf[slot];
}

/* The expansion of the arguments, joined with '|', or "ERR: message". */
static char *expand(int argc, const char *const *args)
{
	static char out[2048];
	char *argv[16], err[512];
	struct argfile a;

	for (int i = 0; i < argc; i++)
		argv[i] = strdup(args[i]); /* argv is writable, as main's is */
	argv[argc] = NULL;
	if (!argfile_expand(&a, argc, argv, err, sizeof err)) {
		snprintf(out, sizeof out, "ERR: %s", err);
		for (int i = 0; i < argc; i++)
			free(argv[i]);
		return out;
	}
	out[0] = '\0';
	for (int i = 0; i < a.argc; i++) {
		if (i > 0)
			strcat(out, "|");
		strcat(out, a.argv[i]);
	}
	CHECK(a.argv[a.argc] == NULL);
	argfile_free(&a);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return out;
}

#define EXPAND(want, ...)                                                                      \
	do {                                                                                   \
		const char *const args_[] = { __VA_ARGS__ };                                   \
		check_str(expand((int)(sizeof args_ / sizeof args_[0]), args_), (want), __FILE__, \
			  __LINE__, #__VA_ARGS__);                                             \
	} while (0)

int main(void)
{
	char at[700], at2[700], want[600];

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	file(0, "ci.opts",
	     "# finlint settings for CI\n"
	     "--fail-on error\n"
	     "   # an indented comment\n"
	     "--severity\tabortive-close=error\r\n"
	     "\n"
	     "-f 'sarif:out dir/finlint.sarif'\n"
	     "-o \"a \\\"quoted\\\" \\\\ name\"\n"
	     "weird\\ name#1.pcap '' \"\"\n");
	snprintf(at, sizeof at, "@%s", path_buf[0]);
	EXPAND("finlint|-q|--fail-on|error|--severity|abortive-close=error|-f|sarif:out dir/finlint.sarif|"
	       "-o|a \"quoted\" \\ name|weird name#1.pcap|||x.pcap",
	       "finlint", "-q", at, "x.pcap");
	/* nothing to expand: the words as they are; "@" alone is a word */
	EXPAND("finlint|-f|json|@|a.pcap", "finlint", "-f", "json", "@", "a.pcap");
	/* the filter is the user's text, @ or not */
	EXPAND("finlint|a.pcap|--|host|@x", "finlint", "a.pcap", "--", "host", "@x");
	/* a file names another; relative names from the current directory */
	file(1, "inner.opts", "--flows all\n");
	snprintf(want, sizeof want, "--timeline\n@%s\n--no-color\n", path_buf[1]);
	file(2, "outer.opts", want);
	snprintf(at2, sizeof at2, "@%s", path_buf[2]);
	EXPAND("finlint|--timeline|--flows|all|--no-color|b.pcap", "finlint", at2, "b.pcap");
	/* an empty file adds nothing */
	file(3, "empty.opts", "");
	snprintf(at, sizeof at, "@%s", path_buf[3]);
	EXPAND("finlint|c.pcap", "finlint", at, "c.pcap");

	/* errors name the file and the line */
	file(0, "bad.opts", "--fail-on error\n-o 'never closed\n");
	snprintf(at, sizeof at, "@%s", path_buf[0]);
	snprintf(want, sizeof want, "ERR: %s:2: the quote ' is not closed on its line", path_buf[0]);
	EXPAND(want, "finlint", at);
	snprintf(want, sizeof want, "@%s/missing.opts\n", dir);
	file(1, "names-missing.opts", want);
	snprintf(at, sizeof at, "@%s", path_buf[1]);
	snprintf(want, sizeof want,
		 "ERR: %s/missing.opts: cannot read the options file: No such file or directory "
		 "(named in %s:1)", dir, path_buf[1]);
	EXPAND(want, "finlint", at);
	EXPAND("ERR: /nonexistent.opts: cannot read the options file: No such file or directory",
	       "finlint", "@/nonexistent.opts");
	snprintf(want, sizeof want, "--quiet\n@%s/self.opts\n", dir);
	file(2, "self.opts", want);
	snprintf(at, sizeof at, "@%s", path_buf[2]);
	{
		char *got = expand(2, (const char *const[]){ "finlint", at });

		CHECK(strstr(got, "options files nested more than 8 deep") != NULL);
	}
	{
		FILE *fp;

		snprintf(want, sizeof want, "%s/nul.opts", dir);
		fp = fopen(want, "w");
		fwrite("-q\0x", 1, 4, fp);
		fclose(fp);
		snprintf(at, sizeof at, "@%s", want);
		snprintf(want, sizeof want, "ERR: %s/nul.opts: not an options file (it holds NUL bytes)",
			 dir);
		EXPAND(want, "finlint", at);
	}
	argfile_free(NULL);
	{
		char cmd[300];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return check_done("test-argfile");
}
