/*
 * Fuzz target: transaction parsing (peers, PSBTs, blocks). A transaction
 * that parses must serialise back to exactly the input, parse the same
 * way from a cursor, and survive everything computed from it (ids,
 * weight, checks, a copy, every signature hash of its first input).
 */
#include "wallet/sighash.h"
#include "wallet/tx.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void must(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wallet_tx tx;
	char err[128];
	enum kb_rc rc = wallet_tx_parse_err(&tx, data, size, err, sizeof err);

	/* the cursor form agrees: it reads the same transaction as a prefix */
	struct wallet_tx tc;
	struct cursor c;
	cursor_init(&c, data, size);
	enum kb_rc rc2 = wallet_tx_parse_cursor(&tc, &c);
	if (rc == KB_OK)
		must(rc2 == KB_OK && cursor_done(&c));
	if (rc2 == KB_OK)
		must(tc.in_count <= size && tc.out_count <= size);
	wallet_tx_clear(&tc);
	if (rc != KB_OK) {
		must(tx.in_count == 0 && tx.out_count == 0 && tx.in == NULL && tx.out == NULL);
		return 0;
	}

	struct buf b = BUF_INIT;
	wallet_tx_serialize(&tx, &b, true);
	must(b.len == size && memcmp(b.p, data, size) == 0);
	must(wallet_tx_serialized_len(&tx, true) == size);
	buf_clear(&b);

	struct hash256 id, wid;
	wallet_tx_txid(&tx, &id);
	wallet_tx_wtxid(&tx, &wid);
	must(wallet_tx_weight(&tx) == wallet_tx_serialized_len(&tx, false) * 3 + size);
	must(wallet_tx_vsize(&tx) * 4 >= wallet_tx_weight(&tx));
	rc = wallet_tx_check(&tx, err, sizeof err);
	must(rc == KB_OK || rc == KB_ECONSENSUS);
	(void)wallet_tx_is_coinbase(&tx);

	struct wallet_tx copy;
	wallet_tx_copy(&copy, &tx);
	wallet_tx_serialize(&copy, &b, true);
	must(b.len == size && memcmp(b.p, data, size) == 0);
	buf_clear(&b);
	wallet_tx_clear(&copy);

	if (tx.in_count > 0) {
		/* spent outputs: borrow the transaction's own outputs cyclically */
		struct wallet_txout *spent = calloc(tx.in_count, sizeof *spent);
		must(spent != NULL);
		for (size_t i = 0; i < tx.in_count; i++)
			if (tx.out_count)
				spent[i] = tx.out[i % tx.out_count];
		struct wallet_sighash_cache cache;
		wallet_sighash_cache_init(&cache, &tx, spent, tx.in_count);
		const struct wallet_bytes *code = &tx.in[0].script_sig;
		static const uint8_t types[] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x81, 0x82, 0x83, 0xff };
		for (size_t k = 0; k < sizeof types; k++) {
			struct hash256 h;
			must(wallet_sighash_legacy(&h, &tx, 0, code->p, code->len, types[k]) == KB_OK);
			must(wallet_sighash_segwit_v0(&h, &tx, &cache, 0, code->p, code->len, 1,
			                              types[k]) == KB_OK);
			rc = wallet_sighash_taproot(&h, &tx, &cache, 0, spent, tx.in_count, types[k], NULL);
			must(rc == KB_OK || rc == KB_EINVAL);
		}
		free(spent);
	}
	wallet_tx_clear(&tx);
	return 0;
}
