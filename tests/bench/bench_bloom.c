/*
 * BIP37 timings and a check of the suspicion rule's estimate on real data:
 * a wallet filter of random elements (koban's policy, default rate) run
 * over the 3000-odd transactions of mainnet block 831332 -- how long the
 * matching takes, how many transactions match by chance, and the lambda
 * the suspicion rule expects for such a block -- then building and
 * verifying merkle proofs of that block. Prints figures; never fails on a
 * time (STYLE.md §9). Needs KOBAN_TESTDATA (set by meson).
 */
#include "spv/bloom.h"
#include "spv/merkle.h"
#include "spv/msg.h"
#include "wallet/cursor.h"
#include "wallet/mem.h"
#include "wallet/tx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static uint64_t rng_state = 831332;
static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	uint8_t *p = kb_malloc(n > 0 ? (size_t)n : 1);
	*len = fread(p, 1, n > 0 ? (size_t)n : 0, fp);
	fclose(fp);
	return p;
}

int main(void)
{
	const char *dir = getenv("KOBAN_TESTDATA");
	char path[4096];
	snprintf(path, sizeof path, "%s/chain/mainnet_block_831332.raw", dir ? dir : "tests/data");
	size_t len;
	uint8_t *raw = read_file(path, &len);
	if (!raw) {
		fprintf(stderr, "cannot read %s\n", path);
		return 1;
	}
	struct cursor c;
	cursor_init(&c, raw, len);
	uint8_t header[80];
	cursor_bytes(&c, header, 80);
	size_t n = cursor_count(&c, SPV_MERKLE_MAX_TXS, 60);
	struct wallet_tx *tx = kb_calloc(n, sizeof *tx);
	struct hash256 *txid = kb_calloc(n, sizeof *txid);
	for (size_t i = 0; i < n; i++) {
		if (wallet_tx_parse_cursor(&tx[i], &c) != KB_OK) {
			fprintf(stderr, "block does not parse at tx %zu\n", i);
			return 1;
		}
		wallet_tx_txid(&tx[i], &txid[i]);
	}
	printf("block 831332: %zu transactions\n", n);

	static const size_t sizes[] = { 100, 1000, 10000 };
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		struct spv_bloom_elems e;
		spv_bloom_elems_init(&e);
		for (size_t i = 0; i < sizes[s]; i++) {
			uint8_t x[32];
			for (size_t k = 0; k < sizeof x; k++)
				x[k] = (uint8_t)rng();
			if (spv_bloom_elems_add_data(&e, x, i % 3 ? 20 : 32) != KB_OK)
				return 1;
		}
		struct spv_bloom *f = kb_malloc(sizeof *f);
		double t0 = now_ms();
		if (spv_bloom_build(f, &e, 0, (uint32_t)rng(), SPV_BLOOM_UPDATE_NONE) != KB_OK)
			return 1;
		double t1 = now_ms();
		size_t matched = 0;
		for (size_t i = 0; i < n; i++)
			matched += spv_bloom_relevant_update(f, &tx[i], &txid[i]);
		double t2 = now_ms();
		struct spv_bloom_suspicion sus;
		spv_bloom_suspicion_init(&sus);
		spv_bloom_suspicion_add_block(&sus, (uint32_t)n, spv_bloom_fp_rate(f));
		printf("%6zu elements: filter %zu bytes, %u funcs, rate %.6f; build %.2f ms, "
		       "match block %.2f ms; false positives %zu (rule's lambda %.1f)\n",
		       sizes[s], f->len, f->hash_funcs, spv_bloom_fp_rate(f), t1 - t0, t2 - t1,
		       matched, sus.lambda);
		kb_free(f);
		spv_bloom_elems_clear(&e);
	}

	bool *match = kb_calloc(n, sizeof *match);
	static const unsigned every[] = { 0, 100, 10, 1 };
	for (size_t s = 0; s < sizeof every / sizeof every[0]; s++) {
		for (size_t i = 0; i < n; i++)
			match[i] = every[s] && i % every[s] == 0;
		double t0 = now_ms();
		struct spv_msg m;
		if (spv_merkle_build(&m, header, txid, match, n) != KB_OK)
			return 1;
		double t1 = now_ms();
		struct spv_merkle_matches out;
		if (spv_merkle_verify_block(&out, &m.u.merkleblock) != SPV_MERKLE_OK)
			return 1;
		double t2 = now_ms();
		printf("proof matching every %u: %zu hashes, %zu flag bytes; build %.2f ms, verify %.3f ms\n",
		       every[s], m.u.merkleblock.n_hashes, m.u.merkleblock.n_flags, t1 - t0, t2 - t1);
		spv_merkle_matches_clear(&out);
		spv_msg_clear(&m);
	}
	kb_free(match);
	for (size_t i = 0; i < n; i++)
		wallet_tx_clear(&tx[i]);
	kb_free(tx);
	kb_free(txid);
	kb_free(raw);
	return 0;
}
