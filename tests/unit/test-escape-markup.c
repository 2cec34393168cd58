/* test-escape-markup: what a file name or message becomes in HTML and XML:
 * each markup character as its reference, control bytes and bytes that
 * are not UTF-8 made visible (XML allows neither), UTF-8 text kept. */
#include "config.h"

#include <stdlib.h>

#include "check.h"
#include "escape.h"

static void expect(const char *in, const char *want, const char *file, int line)
{
	char *got = escape_markup(in);

	check_str(got, want, file, line, in);
	free(got);
}

#define EXPECT(in, want) expect((in), (want), __FILE__, __LINE__)

int main(void)
{
	EXPECT("", "");
	EXPECT("samples/07.pcap", "samples/07.pcap");
	EXPECT("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
	EXPECT("a&b", "a&amp;b");
	EXPECT("&amp;", "&amp;amp;"); /* a reference in the input is text, not markup */
	EXPECT("\" onload=\"x", "&quot; onload=&quot;x");
	EXPECT("it's", "it&#39;s");
	EXPECT("line\nforged", "line\\nforged");
	EXPECT("esc\x1b[31m", "esc\\x1b[31m");
	EXPECT("nul-free \x01\x7f", "nul-free \\x01\\x7f");
	EXPECT("bad\xff", "bad\\xff");
	EXPECT("\xc2\x9b", "\\xc2\\x9b"); /* U+009B, a C1 CSI */
	EXPECT("caf\xc3\xa9 \xe6\x97\xa5", "caf\xc3\xa9 \xe6\x97\xa5");
	EXPECT("<>&\"'", "&lt;&gt;&amp;&quot;&#39;");
	return check_done("test-escape-markup");
}
