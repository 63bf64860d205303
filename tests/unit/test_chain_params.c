/*
 * spv/chainparams and spv/header: every scalar against a copy of
 * ../shared/chain/params/chainparams.json (tests/data/chain), the
 * generated checkpoint and anchor lists' invariants, birthday anchors, and
 * the header codec (misuse, round trip, accelerated hash == libsodium).
 */
#include "tests/support/testsupport.h"

#include "spv/chain.h"
#include "spv/chainparams.h"
#include "spv/header.h"
#include "wallet/hash.h"
#include "wallet/hex.h"
#include "wallet/mem.h"
#include "wallet/pow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const json_name[KB_NET_COUNT] = {
	[KB_NET_MAIN] = "mainnet", [KB_NET_TEST3] = "testnet3", [KB_NET_TEST4] = "testnet4",
	[KB_NET_SIGNET] = "signet", [KB_NET_REGTEST] = "regtest",
};

static void display_hex(const struct hash256 *h, char out[65])
{
	static const char hx[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hx[h->b[31 - i] >> 4];
		out[2 * i + 1] = hx[h->b[31 - i] & 15];
	}
	out[64] = 0;
}

static void test_params_match_json(void **state)
{
	(void)state;
	struct json *j = ts_load_json("chain/chainparams.json");
	const struct json *nets = json_get(j, "networks");
	assert_non_null(nets);
	for (int n = 0; n < KB_NET_COUNT; n++) {
		const struct spv_chainparams *p = spv_chainparams_get((enum kb_net)n);
		const struct json *e = json_get(nets, json_name[n]);
		assert_non_null(e);
		assert_int_equal(p->net, n);
		assert_string_equal(p->name, json_name[n]);
		size_t len;
		uint8_t *b = ts_unhex(json_get_str(e, "magic"), &len);
		assert_int_equal(len, 4);
		assert_memory_equal(p->magic, b, 4);
		kb_free(b);
		int64_t v;
		assert_true(json_get_int64(e, "default_port", &v));
		assert_int_equal(p->port, v);
		const struct json *g = json_get(e, "genesis");
		b = ts_unhex(json_get_str(g, "header_hex"), &len);
		assert_int_equal(len, SPV_HEADER_LEN);
		assert_memory_equal(p->genesis, b, SPV_HEADER_LEN);
		kb_free(b);
		struct hash256 gh;
		char hx[65];
		spv_header_hash_raw(&gh, p->genesis);
		assert_memory_equal(gh.b, p->genesis_hash.b, 32);
		display_hex(&gh, hx);
		assert_string_equal(hx, json_get_str(g, "hash"));
		/* the genesis meets its own proof of work */
		assert_true(wallet_pow_check(gh.b, spv_header_raw_u32(p->genesis, SPV_HEADER_OFF_BITS),
		                             &p->pow_limit));
		struct u256 lim;
		assert_true(u256_from_hex(&lim, json_get_str(e, "pow_limit")));
		assert_int_equal(u256_cmp(&lim, &p->pow_limit), 0);
		assert_int_equal(p->pow_limit_bits, strtoul(json_get_str(e, "pow_limit_bits"), NULL, 16));
		assert_int_equal(p->pow_limit_bits, u256_get_compact(&p->pow_limit, false));
		assert_true(json_get_int64(e, "pow_target_timespan", &v));
		assert_int_equal(p->target_timespan, v);
		assert_true(json_get_int64(e, "pow_target_spacing", &v));
		assert_int_equal(p->target_spacing, v);
		assert_int_equal(p->interval, p->target_timespan / p->target_spacing);
		if (json_get_int64(e, "difficulty_adjustment_interval", &v))
			assert_int_equal(p->interval, v);
		assert_int_equal(p->allow_min_difficulty, json_get(e, "pow_allow_min_difficulty_blocks")->boolean);
		assert_int_equal(p->no_retargeting, json_get(e, "pow_no_retargeting")->boolean);
		const struct json *b94 = json_get(e, "enforce_bip94");
		assert_int_equal(p->enforce_bip94, b94->type == JSON_BOOL && b94->boolean);
		assert_true(json_get_int64(e, "bip34_height", &v));
		assert_int_equal(p->bip34_height, v);
		assert_true(json_get_int64(e, "bip65_height", &v));
		assert_int_equal(p->bip65_height, v);
		assert_true(json_get_int64(e, "bip66_height", &v));
		assert_int_equal(p->bip66_height, v);
		const struct json *seeds = json_get(e, "dns_seeds");
		size_t k = 0;
		for (; p->dns_seeds[k]; k++) {
			assert_true(k < seeds->count);
			assert_string_equal(p->dns_seeds[k], json_str(json_at(seeds, k)));
		}
		assert_int_equal(k, seeds->count);
		const char *mcw = json_get_str(e, "minimum_chain_work");
		struct u256 a, bw;
		char pad[65];
		size_t ml = strlen(mcw);
		assert_true(ml <= 64);
		memset(pad, '0', 64 - ml);
		memcpy(pad + 64 - ml, mcw, ml + 1);
		assert_true(u256_from_hex(&a, pad));
		assert_true(u256_from_hex(&bw, p->minimum_chain_work));
		assert_int_equal(u256_cmp(&a, &bw), 0);
		/* Core's historical checkpoints are all embedded */
		const struct json *hist = json_get(e, "checkpoints_historical");
		for (size_t i = 0; hist && i < hist->count; i++) {
			const struct json *c = json_at(hist, i);
			const struct spv_checkpoint *cp =
				spv_chainparams_checkpoint_at(p, (uint32_t)strtoul(c->key, NULL, 10));
			assert_non_null(cp);
			display_hex(&cp->hash, hx);
			assert_string_equal(hx, json_str(c));
		}
	}
	json_free(j);
}

static void test_checkpoint_lists(void **state)
{
	(void)state;
	for (int n = 0; n < KB_NET_COUNT; n++) {
		const struct spv_chainparams *p = spv_chainparams_get((enum kb_net)n);
		const struct spv_checkpoint_set *s = p->checkpoints;
		assert_true(s->n_cp >= 1);
		assert_int_equal(s->cp[0].height, 0);
		assert_memory_equal(s->cp[0].hash.b, p->genesis_hash.b, 32);
		for (size_t i = 1; i < s->n_cp; i++)
			assert_true(s->cp[i].height > s->cp[i - 1].height);
		assert_ptr_equal(spv_chainparams_last_checkpoint(p), &s->cp[s->n_cp - 1]);
		assert_ptr_equal(spv_chainparams_checkpoint_below(p, 0), &s->cp[0]);
		assert_ptr_equal(spv_chainparams_checkpoint_below(p, 0xffffffffu), &s->cp[s->n_cp - 1]);
		for (size_t i = 0; i < s->n_anchors; i++) {
			const struct spv_anchor *a = &s->anchors[i];
			struct hash256 h, prev;
			assert_int_equal(a->height % p->interval, 0);
			spv_header_hash_raw(&h, a->header);
			const struct spv_checkpoint *cp = spv_chainparams_checkpoint_at(p, a->height);
			assert_non_null(cp);
			assert_memory_equal(cp->hash.b, h.b, 32);
			assert_true(wallet_pow_check(h.b, spv_header_raw_u32(a->header, SPV_HEADER_OFF_BITS),
			                             &p->pow_limit));
			memcpy(prev.b, a->header + SPV_HEADER_OFF_PREV, 32);
			const struct spv_checkpoint *below = spv_chainparams_checkpoint_at(p, a->height - 1);
			if (below)
				assert_memory_equal(below->hash.b, prev.b, 32);
			assert_ptr_equal(spv_chainparams_anchor_by_hash(p, &h), a);
			/* a birthday 2 hours after this anchor starts at or before the one before it */
			int64_t t = spv_header_raw_u32(a->header, SPV_HEADER_OFF_TIME);
			const struct spv_anchor *r = spv_chainparams_anchor_for_time(p, t + SPV_MAX_FUTURE_BLOCK_TIME);
			if (r) {
				/* r, the anchor after it and every one before are at least 2 hours before */
				size_t ri = (size_t)(r - s->anchors);
				assert_true(ri + 1 < s->n_anchors);
				for (size_t k = 0; k <= ri + 1; k++)
					assert_true((int64_t)spv_header_raw_u32(s->anchors[k].header, SPV_HEADER_OFF_TIME) <= t);
			}
			if (i > 0)
				assert_true(a->height > s->anchors[i - 1].height);
			if (n == KB_NET_MAIN && i > 0) /* mainnet anchor times increase: exactly one back */
				assert_ptr_equal(r, &s->anchors[i - 1]);
		}
		assert_null(spv_chainparams_anchor_for_time(p, 0));
		assert_null(spv_chainparams_anchor_for_time(p, 1231006505));
	}
	/* mainnet, testnet3 and signet have anchors; testnet4 and regtest start at genesis */
	assert_true(spv_chainparams_get(KB_NET_MAIN)->checkpoints->n_anchors > 400);
	assert_true(spv_chainparams_get(KB_NET_TEST3)->checkpoints->n_anchors > 1000);
	assert_true(spv_chainparams_get(KB_NET_SIGNET)->checkpoints->n_anchors > 100);
	assert_int_equal(spv_chainparams_get(KB_NET_TEST4)->checkpoints->n_anchors, 0);
	assert_null(spv_chainparams_anchor_for_time(spv_chainparams_get(KB_NET_TEST4), 2000000000));
	assert_null(spv_chainparams_checkpoint_at(spv_chainparams_get(KB_NET_MAIN), 1));
}

/* A new mainnet wallet starts at the newest anchor, not at genesis. */
static void test_birthday_start(void **state)
{
	(void)state;
	const struct spv_chainparams *p = spv_chainparams_get(KB_NET_MAIN);
	/* one period before the newest anchor */
	const struct spv_anchor *last = &p->checkpoints->anchors[p->checkpoints->n_anchors - 2];
	struct spv_chain_opts o = {0};
	o.birthday = (int64_t)time(NULL);
	struct spv_chain *c = NULL;
	assert_int_equal(spv_chain_open(&c, KB_NET_MAIN, NULL, &o, NULL, 0), KB_OK);
	assert_int_equal(spv_chain_base_height(c), last->height);
	assert_int_equal(spv_chain_height(c), last->height);
	struct u256 w, want;
	uint8_t le[32];
	for (int i = 0; i < 32; i++)
		le[i] = last->chainwork[31 - i];
	u256_from_le(&want, le);
	spv_chain_tip_work(c, &w);
	assert_int_equal(u256_cmp(&w, &want), 0);
	/* no headers before the anchor: no median-time bound yet */
	assert_int_equal(spv_chain_tip_mtp(c), 0);
	struct hash256 loc[4];
	assert_int_equal(spv_chain_locator(c, loc, 4), 1);
	spv_chain_free(c);
	/* testnet4 has no anchors: genesis */
	assert_int_equal(spv_chain_open(&c, KB_NET_TEST4, NULL, &o, NULL, 0), KB_OK);
	assert_int_equal(spv_chain_base_height(c), 0);
	spv_chain_free(c);
}

static void test_header_codec(void **state)
{
	(void)state;
	struct spv_header h;
	uint8_t buf[SPV_HEADER_LEN + 1];
	memcpy(buf, spv_chainparams_get(KB_NET_MAIN)->genesis, SPV_HEADER_LEN);
	buf[SPV_HEADER_LEN] = 0;
	memset(&h, 0x55, sizeof h);
	assert_int_equal(spv_header_parse(&h, buf, SPV_HEADER_LEN - 1), KB_EPARSE);
	assert_int_equal(h.version, 0);
	assert_int_equal(h.nonce, 0);
	assert_int_equal(spv_header_parse(&h, buf, SPV_HEADER_LEN + 1), KB_EPARSE);
	assert_int_equal(spv_header_parse(&h, NULL, SPV_HEADER_LEN), KB_EPARSE);
	assert_int_equal(spv_header_parse(&h, buf, 0), KB_EPARSE);
	assert_int_equal(spv_header_parse(&h, buf, SPV_HEADER_LEN), KB_OK);
	assert_int_equal(h.version, 1);
	assert_int_equal(h.time, 1231006505);
	assert_int_equal(h.bits, 0x1d00ffff);
	assert_int_equal(h.nonce, 2083236893);
	uint8_t back[SPV_HEADER_LEN];
	spv_header_serialize(&h, back);
	assert_memory_equal(back, buf, SPV_HEADER_LEN);
	struct hash256 a;
	spv_header_hash(&a, &h);
	assert_memory_equal(a.b, spv_chainparams_get(KB_NET_MAIN)->genesis_hash.b, 32);
	/* a negative version survives the round trip */
	h.version = INT32_MIN;
	spv_header_serialize(&h, back);
	struct spv_header h2;
	assert_int_equal(spv_header_parse(&h2, back, SPV_HEADER_LEN), KB_OK);
	assert_int_equal(h2.version, INT32_MIN);
}

/* The header hash equals libsodium's SHA256d of the serialised header. */
static void test_hash_paths_agree(void **state)
{
	(void)state;
	unsigned seed = (unsigned)time(NULL);
	printf("# hash comparison seed %u\n", seed);
	srandom(seed);
	for (int i = 0; i < 20000; i++) {
		uint8_t in[SPV_HEADER_LEN];
		for (int k = 0; k < SPV_HEADER_LEN; k++)
			in[k] = (uint8_t)random();
		struct hash256 x;
		uint8_t y[32];
		spv_header_hash_raw(&x, in);
		wallet_hash_sha256d(y, in, sizeof in);
		if (memcmp(x.b, y, 32) != 0)
			fail_msg("hash differs on random input %d (seed %u)", i, seed);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params_match_json),
		cmocka_unit_test(test_checkpoint_lists),
		cmocka_unit_test(test_birthday_start),
		cmocka_unit_test(test_header_codec),
		cmocka_unit_test(test_hash_paths_agree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
