/* goodbye: tell a protocol's farewell from application data, from the
 * first bytes of what a RST threw away. */
#ifndef FINLINT_GOODBYE_H
#define FINLINT_GOODBYE_H

#include <stdbool.h>
#include <stdint.h>

/* When the len lost bytes, of which head holds the first head_len, are
 * one protocol goodbye (a TLS alert record, a TLS 1.3 encrypted
 * close_notify, a QUIT/LOGOUT/BYE line), return its name for a sentence
 * ("a TLS alert record"); otherwise NULL. */
const char *goodbye_name(const uint8_t *head, unsigned head_len, uint32_t len);

/* Whether the lost bytes begin with a TLS handshake record: handshake
 * messages, not application data. */
bool goodbye_tls_handshake(const uint8_t *head, unsigned head_len);

#endif
