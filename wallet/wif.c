#include "wallet/wif.h"

#include "wallet/base58.h"
#include "wallet/mem.h"
#include "wallet/secp.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Longest text worth decoding: WIF is 51 or 52 characters. */
#define WIF_TEXT_MAX 60

enum kb_rc wallet_wif_encode(char *out, size_t outlen, enum kb_net net,
                             const uint8_t key[32], bool compressed)
{
	const struct kb_netparams *np = kb_net_params(net);
	uint8_t payload[34];
	enum kb_rc rc;

	if (outlen > 0)
		kb_wipe(out, outlen);
	if (!secp256k1_ec_seckey_verify(wallet_secp(), key))
		return KB_EINVAL;
	payload[0] = np->wif;
	memcpy(payload + 1, key, 32);
	payload[33] = 0x01;
	rc = wallet_base58check_encode(out, outlen, NULL, payload, compressed ? 34 : 33);
	kb_wipe(payload, sizeof payload);
	if (rc != KB_OK && outlen > 0)
		kb_wipe(out, outlen);
	return rc;
}

static enum kb_rc failf(char *err, size_t errlen, enum kb_rc rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static enum kb_rc failf(char *err, size_t errlen, enum kb_rc rc, const char *fmt, ...)
{
	if (errlen > 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

enum kb_rc wallet_wif_decode(uint8_t key[32], bool *compressed, enum kb_net net,
                             const char *wif, char *err, size_t errlen)
{
	const struct kb_netparams *np = kb_net_params(net);
	uint8_t buf[40];
	size_t n = 0, slen;
	enum kb_rc rc;

	kb_wipe(key, 32);
	*compressed = false;
	if (errlen > 0)
		err[0] = '\0';
	slen = strnlen(wif, WIF_TEXT_MAX + 1);
	if (slen > WIF_TEXT_MAX)
		return failf(err, errlen, KB_EPARSE, "this is not a private key: it is too long");
	rc = wallet_base58check_decode(buf, sizeof buf, &n, wif, slen);
	if (rc == KB_ECHECKSUM) {
		rc = failf(err, errlen, KB_ECHECKSUM,
		           "the private key has a typo: its checksum does not match");
		goto out;
	}
	if (rc != KB_OK || !(n == 33 || (n == 34 && buf[33] == 0x01))) {
		rc = failf(err, errlen, KB_EPARSE, "this is not a private key in WIF form");
		goto out;
	}
	if (buf[0] != np->wif) {
		if (buf[0] == 0x80 || buf[0] == 0xef)
			rc = failf(err, errlen, KB_ENETWORK,
			           "this is a %s private key, but koban is on %s",
			           buf[0] == 0x80 ? "mainnet" : "testnet, signet or regtest",
			           np->display);
		else
			rc = failf(err, errlen, KB_EPARSE, "this is not a private key in WIF form");
		goto out;
	}
	if (!secp256k1_ec_seckey_verify(wallet_secp(), buf + 1)) {
		rc = failf(err, errlen, KB_EINVAL, "this private key is out of range (not a valid key)");
		goto out;
	}
	memcpy(key, buf + 1, 32);
	*compressed = n == 34;
	rc = KB_OK;
out:
	kb_wipe(buf, sizeof buf);
	return rc;
}
