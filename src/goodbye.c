/* goodbye: a protocol's last words are small and recognisable.  Losing
 * them to a RST is a real reset but no lost data, so the rules grade it
 * lower.  Only what the captured head proves counts: the lost bytes must
 * be exactly one such record or line. */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "goodbye.h"

enum {
	TLS_HEADER = 5,
	TLS_ALERT = 0x15,
	TLS_HANDSHAKE = 0x16,
	TLS_APPDATA = 0x17,
	/* A TLS 1.3 close_notify is an encrypted alert: 2 bytes, the inner
	 * content type and a 16-byte tag, 19 in all; padding may add a few.
	 * Application data worth the name is longer. */
	TLS13_CLOSE_MAX = 30,
	LINE_MAX_LEN = 64,
	REPLY_MAX_LEN = 512, /* an SMTP reply line, CRLF included (RFC 5321 4.5.3.1.5) */
};

static bool tls_record(const uint8_t *h, unsigned n, uint32_t len, uint8_t type, unsigned max)
{
	unsigned rlen;

	if (n < TLS_HEADER || h[0] != type || h[1] != 3 || h[2] > 4)
		return false;
	rlen = (unsigned)h[3] << 8 | h[4];
	return rlen <= max && len == TLS_HEADER + rlen;
}

/* Case-insensitive: does the line (n bytes) contain word? */
static bool has_word(const uint8_t *line, unsigned n, const char *word)
{
	size_t w = strlen(word);

	for (unsigned i = 0; i + w <= n; i++) {
		size_t j = 0;

		while (j < w && toupper(line[i + j]) == word[j])
			j++;
		if (j == w)
			return true;
	}
	return false;
}

/* One whole line of text, all of it captured. */
static bool one_line(const uint8_t *h, unsigned n, uint32_t len)
{
	if (len != n || n < 3 || n > LINE_MAX_LEN || h[n - 1] != '\n')
		return false;
	for (unsigned i = 0; i + 1 < n; i++)
		if (!(isprint(h[i]) || (h[i] == '\r' && i + 2 == n)))
			return false;
	return true;
}

/* SMTP's or FTP's 221 "closing connection" reply.  Servers name
 * themselves in it ("221 2.0.0 mx.example.com closing connection"), so
 * it is often longer than the head a capture keeps: then every byte kept
 * must be text and the whole no longer than a reply line may be. */
static bool reply_221(const uint8_t *h, unsigned n, uint32_t len)
{
	if (n < 4 || (memcmp(h, "221 ", 4) != 0 && memcmp(h, "221-", 4) != 0))
		return false;
	if (len <= n)
		return one_line(h, n, len);
	if (len > REPLY_MAX_LEN)
		return false;
	for (unsigned i = 0; i < n; i++)
		if (!isprint(h[i]))
			return false;
	return true;
}

bool goodbye_tls_handshake(const uint8_t *head, unsigned head_len)
{
	return head != NULL && head_len >= 3 && head[0] == TLS_HANDSHAKE && head[1] == 3 &&
	       head[2] <= 4;
}

const char *goodbye_name(const uint8_t *head, unsigned head_len, uint32_t len)
{
	if (head == NULL || head_len == 0)
		return NULL;
	if (tls_record(head, head_len, len, TLS_ALERT, 0x4000))
		return "one TLS alert record";
	if (tls_record(head, head_len, len, TLS_APPDATA, TLS13_CLOSE_MAX))
		return "one TLS 1.3 record the size of an encrypted close_notify";
	if (reply_221(head, head_len, len))
		return "the server's 221 goodbye line";
	if (!one_line(head, head_len, len))
		return NULL;
	/* a QUIT, IMAP LOGOUT and BYE, POP3's +OK reply to QUIT ("+OK bye") */
	if (has_word(head, head_len, "QUIT") || has_word(head, head_len, "LOGOUT") ||
	    has_word(head, head_len, "BYE") || has_word(head, head_len, "GOODBYE"))
		return "a QUIT/LOGOUT/BYE line";
	return NULL;
}
