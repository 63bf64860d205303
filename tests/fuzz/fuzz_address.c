/*
 * Fuzz target: address text (typed or pasted, so untrusted) and the
 * scriptPubKey side. Properties checked, abort() on violation:
 *  - decode on every network either fails with spk_len 0 and a message,
 *    or gives a script that encodes back to the input (lower-cased for
 *    bech32) and classifies as an address type;
 *  - raw bytes as a scriptPubKey: encode either fails or decodes back;
 *  - bech32 / segwit / WIF decoders run on the exact bytes (NULs included).
 */
#include "wallet/address.h"
#include "wallet/bech32.h"
#include "wallet/script.h"
#include "wallet/wif.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s, size_t len)
{
	for (int k = 0; k < KB_NET_COUNT; k++) {
		enum kb_net net = (enum kb_net)k;
		uint8_t spk[WALLET_SPK_MAX];
		size_t spk_len = 1;
		char err[160];
		enum kb_rc rc = wallet_address_decode(spk, sizeof spk, &spk_len, net, s, err, sizeof err);
		if (rc != KB_OK) {
			if (spk_len != 0 || err[0] == '\0' || strlen(err) >= sizeof err)
				abort();
			continue;
		}
		char out[WALLET_ADDRESS_MAX];
		if (wallet_address_encode(out, sizeof out, net, spk, spk_len) != KB_OK)
			abort();
		/* bech32 comes back lower case; base58 exactly */
		if (strlen(out) != len)
			abort();
		for (size_t i = 0; i < len; i++)
			if (out[i] != s[i] && out[i] != tolower((unsigned char)s[i]))
				abort();
		(void)wallet_address_warning(spk, spk_len);
	}
	uint8_t key[32];
	bool compressed;
	char err[160];
	if (wallet_wif_decode(key, &compressed, KB_NET_MAIN, s, err, sizeof err) == KB_OK) {
		char wif[WALLET_WIF_MAX];
		if (wallet_wif_encode(wif, sizeof wif, KB_NET_MAIN, key, compressed) != KB_OK ||
		    strcmp(wif, s) != 0)
			abort();
	}
}

static void check_script(const uint8_t *spk, size_t n)
{
	struct wallet_script_info info;
	enum wallet_script_type t = wallet_script_classify(spk, n, &info);
	if (info.data && (info.data < spk || info.data + info.data_len > spk + n))
		abort();
	(void)wallet_script_type_name(t);
	char addr[WALLET_ADDRESS_MAX];
	if (wallet_address_encode(addr, sizeof addr, KB_NET_REGTEST, spk, n) == KB_OK) {
		uint8_t back[WALLET_SPK_MAX];
		size_t bn;
		if (wallet_address_decode(back, sizeof back, &bn, KB_NET_REGTEST, addr, NULL, 0) != KB_OK ||
		    bn != n || memcmp(back, spk, n) != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[256];
	size_t len = size < sizeof s - 1 ? size : sizeof s - 1;
	memcpy(s, data, len);
	s[len] = '\0';
	check_text(s, strlen(s));

	struct wallet_segwit_addr a;
	if (wallet_segwit_addr_decode(&a, (const char *)data, size) == KB_OK &&
	    (a.witver > 16 || a.proglen < 2 || a.proglen > 40))
		abort();
	char hrp[WALLET_BECH32_HRP_MAX + 1];
	uint8_t d[WALLET_BECH32_MAX];
	size_t n;
	enum wallet_bech32_enc enc;
	if (wallet_bech32_decode(hrp, sizeof hrp, d, sizeof d, &n, &enc, NULL,
	                         (const char *)data, size) == KB_OK) {
		char out[WALLET_BECH32_MAX + 1];
		if (wallet_bech32_encode(out, sizeof out, hrp, d, n, enc) != KB_OK || strlen(out) != size)
			abort();
	}
	check_script(data, size);
	return 0;
}
