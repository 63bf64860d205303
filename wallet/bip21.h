/*
 * BIP21 payment URIs: bitcoin:ADDRESS?amount=0.0015&label=...&message=...
 *
 * Parsing is strict and bounded: the scheme is case-insensitive; amount is
 * BTC (wallet_amount_parse_btc); label and message are percent-decoded and
 * may not contain control characters; an unknown parameter starting with
 * "req-" makes the URI unusable (BIP21); other unknown parameters are
 * ignored; a parameter given twice is refused. The address is returned as
 * text: the caller decodes it for its network (wallet/address.h).
 */
#ifndef KOBAN_WALLET_BIP21_H
#define KOBAN_WALLET_BIP21_H

#include "wallet/buf.h"
#include "wallet/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WALLET_BIP21_MAX_URI 2048
#define WALLET_BIP21_MAX_TEXT 256

struct wallet_bip21 {
	char address[128];
	int64_t amount;       /* satoshis, or -1 when absent */
	char label[WALLET_BIP21_MAX_TEXT + 1];
	char message[WALLET_BIP21_MAX_TEXT + 1];
};

/* True when s starts with "bitcoin:" (any case). */
bool wallet_bip21_is_uri(const char *s);
/* Parses uri. On failure *out is zeroed (amount -1) and err says why. */
enum kb_rc wallet_bip21_parse(struct wallet_bip21 *out, const char *uri,
                              char *err, size_t errlen) KB_WUR;
/* Appends a URI; amount < 0 and NULL/empty label or message are left out. */
void wallet_bip21_build(struct buf *out, const char *address, int64_t amount,
                        const char *label, const char *message);

#endif
