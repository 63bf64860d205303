/* Fuzz target: BIP21 URIs and typed amounts (keyboard and clipboard input). */
#include "wallet/amount.h"
#include "wallet/bip21.h"
#include "wallet/mem.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = kb_strndup((const char *)data, size);
	struct wallet_bip21 u;
	char err[128];
	if (wallet_bip21_parse(&u, s, err, sizeof err) == KB_OK) {
		struct buf b = BUF_INIT;
		wallet_bip21_build(&b, u.address, u.amount, u.label, u.message);
		struct wallet_bip21 v;
		/* what we build from a parsed URI parses to the same thing */
		if (strchr(u.address, '?') == NULL && strchr(u.address, '&') == NULL &&
		    wallet_bip21_parse(&v, buf_cstr(&b), err, sizeof err) == KB_OK)
			KB_ASSERT(v.amount == u.amount && strcmp(v.label, u.label) == 0 &&
			          strcmp(v.message, u.message) == 0);
		buf_clear(&b);
	}
	int64_t sats;
	if (wallet_amount_parse(&sats, s, err, sizeof err) == KB_OK)
		KB_ASSERT(sats >= 0 && sats <= WALLET_MAX_MONEY);
	kb_free(s);
	return 0;
}
