/* Fuzz target: PSBT files (binary or base64) from other wallets. */
#include "wallet/mem.h"
#include "wallet/psbt.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wallet_psbt p;
	char err[256];
	if (wallet_psbt_parse_any(&p, data, size, err, sizeof err) != KB_OK)
		return 0;
	/* A parsed PSBT re-serialises to bytes that parse to the same. */
	struct buf a = BUF_INIT, b = BUF_INIT;
	wallet_psbt_serialize(&p, &a);
	struct wallet_psbt q;
	if (wallet_psbt_parse(&q, a.p, a.len, err, sizeof err) != KB_OK)
		__builtin_trap();
	wallet_psbt_serialize(&q, &b);
	if (a.len != b.len || memcmp(a.p, b.p, a.len) != 0)
		__builtin_trap();
	int64_t fee;
	/* a fee is in the money range whenever it can be computed */
	if (wallet_psbt_fee(&p, &fee) == KB_OK)
		KB_ASSERT(fee >= -WALLET_TX_MAX_MONEY && fee <= WALLET_TX_MAX_MONEY);
	if (wallet_psbt_finalize(&q) == KB_OK)
		KB_ASSERT(wallet_psbt_input_final(&q, 0) || q.in_count == 0);
	struct wallet_tx tx;
	if (wallet_psbt_extract(&q, &tx, err, sizeof err) == KB_OK)
		wallet_tx_clear(&tx);
	wallet_psbt_clear(&q);
	wallet_psbt_clear(&p);
	buf_clear(&a);
	buf_clear(&b);
	return 0;
}
