/*
 * The wallet engine (wallet/wallet.c) on real SQLite files in a temporary
 * directory: create/restore, addresses and the gap-limit look-ahead,
 * recording transactions, balances by confirmations, coin control and
 * freezing, and signing every script type koban signs (P2WPKH,
 * P2SH-P2WPKH, P2PKH, P2TR key path), each signature checked against the
 * spent output.
 */
#include "tests/support/testsupport.h"

#include "wallet/address.h"
#include "wallet/hex.h"
#include "wallet/mem.h"
#include "wallet/script.h"
#include "wallet/sighash.h"
#include "wallet/sign.h"
#include "wallet/wallet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <unistd.h>

static const char *ABANDON =
	"abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

static char tmpdir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/koban-unit-wallet-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static struct wallet *make(const char *name, const char *mnemonic, unsigned types)
{
	struct wallet_create_opts o;
	memset(&o, 0, sizeof o);
	o.datadir = tmpdir;
	o.name = name;
	o.net = KB_NET_REGTEST;
	o.mnemonic = mnemonic;
	o.words = 12;
	o.password = "pw";
	o.types = types;
	o.birthday_height = -1;
	o.birthday_time = -1;
	wallet_keystore_kdf_cheap(&o.kdf);
	struct wallet *w = NULL;
	char err[256] = "";
	enum kb_rc rc = wallet_create(&w, &o, NULL, 0, err, sizeof err);
	if (rc != KB_OK)
		fail_msg("create %s: %s", name, err);
	return w;
}

/* A transaction from nowhere paying value to spk (distinct per seed). */
static void fund(struct wallet *w, const uint8_t *spk, size_t spk_len, int64_t value, uint8_t seed,
                 int64_t height, struct hash256 *txid)
{
	struct wallet_tx tx;
	wallet_tx_init(&tx);
	struct wallet_outpoint op;
	memset(&op, seed, sizeof op);
	op.n = 0;
	wallet_tx_add_input(&tx, &op, NULL, 0, 0xffffffff);
	wallet_tx_add_output(&tx, value, spk, spk_len);
	struct buf raw = BUF_INIT;
	wallet_tx_serialize(&tx, &raw, true);
	wallet_tx_txid(&tx, txid);
	struct hash256 bh;
	memset(&bh, 0x42, sizeof bh);
	bool relevant;
	char err[256];
	assert_int_equal(wallet_add_tx(w, raw.p, raw.len, height, height >= 0 ? &bh : NULL, 1700000000,
	                               &relevant, err, sizeof err), KB_OK);
	assert_true(relevant);
	buf_clear(&raw);
	wallet_tx_clear(&tx);
}

static void test_misuse(void **state)
{
	(void)state;
	struct wallet_create_opts o;
	memset(&o, 0, sizeof o);
	o.datadir = tmpdir;
	o.name = "bad";
	o.net = KB_NET_REGTEST;
	o.password = "";
	wallet_keystore_kdf_cheap(&o.kdf);
	struct wallet *w = (struct wallet *)1;
	char err[256];
	assert_int_equal(wallet_create(&w, &o, NULL, 0, err, sizeof err), KB_EINVAL); /* no password */
	assert_null(w);
	o.password = "pw";
	o.mnemonic = "abandon abandon abandon";
	assert_int_not_equal(wallet_create(&w, &o, NULL, 0, err, sizeof err), KB_OK);
	o.mnemonic = NULL;
	o.name = "../escape";
	assert_int_equal(wallet_create(&w, &o, NULL, 0, err, sizeof err), KB_EINVAL);
	assert_int_equal(wallet_open(&w, tmpdir, "nosuch", KB_NET_REGTEST, err, sizeof err), KB_ENOTFOUND);
	unsigned types;
	assert_int_equal(wallet_types_parse(&types, "wpkh,foo", err, sizeof err), KB_EINVAL);
	assert_int_equal(wallet_types_parse(&types, "", err, sizeof err), KB_EINVAL);
	assert_int_equal(wallet_types_parse(&types, "tr,pkh", err, sizeof err), KB_OK);
	assert_int_equal(types, WALLET_TYPE_TR | WALLET_TYPE_PKH);
	struct wallet_outpoint op;
	assert_int_not_equal(wallet_outpoint_parse(&op, "xyz:1"), KB_OK);
	assert_int_not_equal(wallet_outpoint_parse(&op, "0000000000000000000000000000000000000000000000000000000000000000:"), KB_OK);
	assert_int_not_equal(wallet_outpoint_parse(&op, "0000000000000000000000000000000000000000000000000000000000000000:4294967296"), KB_OK);
	assert_int_equal(wallet_outpoint_parse(&op, "0000000000000000000000000000000000000000000000000000000000000001:7"), KB_OK);
	assert_int_equal(op.txid.b[0], 1);
	assert_int_equal(op.n, 7);
}

static void test_addresses_and_lookahead(void **state)
{
	(void)state;
	struct wallet *w = make("look", ABANDON, WALLET_TYPE_WPKH);
	struct wallet_address a, b;
	char err[256];
	assert_int_equal(wallet_receive(w, &a, NULL, "first", err, sizeof err), KB_OK);
	assert_string_equal(a.address, "bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk");
	assert_int_equal(wallet_receive(w, &b, NULL, NULL, err, sizeof err), KB_OK);
	assert_string_equal(a.address, b.address); /* unused: handed out again */
	struct wallet_address *list;
	size_t n;
	assert_int_equal(wallet_addresses(w, 0, &list, &n), KB_OK);
	assert_int_equal(n, (size_t)wallet_gap_limit(w));
	/* a payment to index 15 moves the window to 15 + gap */
	struct hash256 id;
	fund(w, list[15].spk, list[15].spk_len, 5000, 1, 10, &id);
	kb_free(list);
	assert_int_equal(wallet_addresses(w, 0, &list, &n), KB_OK);
	assert_int_equal(n, 16 + (size_t)wallet_gap_limit(w));
	assert_true(list[15].used);
	kb_free(list);
	/* the unused address 0 is still the next one */
	assert_int_equal(wallet_receive(w, &b, NULL, NULL, err, sizeof err), KB_OK);
	assert_string_equal(a.address, b.address);
	assert_int_equal(wallet_receive(w, &b, "tr", NULL, err, sizeof err), KB_ENOTFOUND);
	wallet_close(w);
}

static void test_balance_and_history(void **state)
{
	(void)state;
	struct wallet *w = make("bal", ABANDON, WALLET_TYPE_WPKH);
	struct wallet_address a;
	char err[256];
	assert_int_equal(wallet_receive(w, &a, NULL, NULL, err, sizeof err), KB_OK);
	struct hash256 id1, id2;
	fund(w, a.spk, a.spk_len, 100000, 1, 100, &id1);
	fund(w, a.spk, a.spk_len, 20000, 2, -1, &id2); /* unconfirmed */
	struct wallet_balance b;
	for (int64_t tip = 100; tip <= 106; tip++) {
		assert_int_equal(wallet_get_balance(w, tip, &b), KB_OK);
		int64_t confs = tip - 100 + 1;
		if (confs >= 6) {
			assert_true(b.confirmed == 100000 && b.pending == 20000);
		} else {
			assert_true(b.confirmed == 0 && b.pending == 120000);
		}
	}
	struct wallet_history_entry *h;
	size_t n;
	assert_int_equal(wallet_history(w, 103, &h, &n), KB_OK);
	assert_int_equal(n, 2);
	bool seen = false;
	for (size_t i = 0; i < n; i++) {
		if (!memcmp(h[i].txid.b, id1.b, 32)) {
			assert_int_equal(h[i].confirmations, 4);
			assert_int_equal(h[i].delta, 100000);
			seen = true;
		} else {
			assert_int_equal(h[i].confirmations, 0);
		}
	}
	assert_true(seen);
	kb_free(h);
	/* idempotent: the same transaction again changes nothing */
	struct hash256 again;
	fund(w, a.spk, a.spk_len, 100000, 1, 100, &again);
	assert_int_equal(wallet_get_balance(w, 200, &b), KB_OK);
	assert_true(b.confirmed == 100000 && b.pending == 20000); /* not counted twice */
	/* a transaction that is not ours is ignored */
	struct wallet_tx tx;
	wallet_tx_init(&tx);
	struct wallet_outpoint op;
	memset(&op, 9, sizeof op);
	wallet_tx_add_input(&tx, &op, NULL, 0, 0xffffffff);
	uint8_t other[22] = { 0x00, 0x14 };
	wallet_tx_add_output(&tx, 1, other, sizeof other);
	struct buf raw = BUF_INIT;
	wallet_tx_serialize(&tx, &raw, false);
	bool relevant = true;
	assert_int_equal(wallet_add_tx(w, raw.p, raw.len, -1, NULL, 0, &relevant, err, sizeof err), KB_OK);
	assert_false(relevant);
	const uint8_t junk[3] = { 1, 2, 3 };
	assert_int_equal(wallet_add_tx(w, junk, 3, -1, NULL, 0, &relevant, err, sizeof err), KB_EPARSE);
	buf_clear(&raw);
	wallet_tx_clear(&tx);
	wallet_close(w);
}

/* Checks the one signature of input i of a finalized transaction. */
static void check_sig(const struct wallet_tx *tx, size_t i, const struct wallet_txout *spent, size_t nspent)
{
	const struct wallet_txin *in = &tx->in[i];
	const struct wallet_txout *prev = &spent[i];
	struct wallet_script_info info;
	enum wallet_script_type t = wallet_script_classify(prev->script_pubkey.p, prev->script_pubkey.len, &info);
	struct hash256 digest;
	struct wallet_sighash_cache cache;
	wallet_sighash_cache_init(&cache, tx, spent, nspent);
	if (t == WALLET_SCRIPT_P2TR) {
		assert_int_equal(in->witness_count, 1);
		assert_int_equal(in->witness[0].len, 64);
		assert_int_equal(wallet_sighash_taproot(&digest, tx, &cache, i, spent, nspent, 0, NULL), KB_OK);
		assert_true(wallet_sign_schnorr_verify(prev->script_pubkey.p + 2, &digest, in->witness[0].p));
		return;
	}
	const uint8_t *sig, *pub;
	size_t siglen, publen;
	if (t == WALLET_SCRIPT_P2PKH) {
		const uint8_t *s = in->script_sig.p;
		siglen = s[0];
		sig = s + 1;
		publen = s[1 + siglen];
		pub = s + 2 + siglen;
		assert_int_equal(in->script_sig.len, 2 + siglen + publen);
	} else {
		assert_int_equal(in->witness_count, 2);
		sig = in->witness[0].p;
		siglen = in->witness[0].len;
		pub = in->witness[1].p;
		publen = in->witness[1].len;
	}
	assert_int_equal(sig[siglen - 1], WALLET_SIGHASH_ALL);
	uint8_t h[20], code[25];
	wallet_hash_hash160(h, pub, publen);
	wallet_script_p2pkh(code, h);
	if (t == WALLET_SCRIPT_P2PKH) {
		assert_memory_equal(prev->script_pubkey.p + 3, h, 20);
		assert_int_equal(wallet_sighash_legacy(&digest, tx, i, prev->script_pubkey.p, prev->script_pubkey.len,
		                                       WALLET_SIGHASH_ALL), KB_OK);
	} else {
		if (t == WALLET_SCRIPT_P2SH) {
			/* scriptSig pushes the redeem script 0014<h> whose hash is the P2SH's */
			uint8_t rs[22], rh[20];
			wallet_script_p2wpkh(rs, h);
			wallet_hash_hash160(rh, rs, 22);
			assert_memory_equal(prev->script_pubkey.p + 2, rh, 20);
			assert_int_equal(in->script_sig.len, 23);
			assert_memory_equal(in->script_sig.p + 1, rs, 22);
		} else {
			assert_memory_equal(prev->script_pubkey.p + 2, h, 20);
		}
		assert_int_equal(wallet_sighash_segwit_v0(&digest, tx, &cache, i, code, sizeof code, prev->value,
		                                          WALLET_SIGHASH_ALL), KB_OK);
	}
	assert_true(wallet_sign_ecdsa_verify(pub, publen, &digest, sig, siglen - 1));
	assert_true(siglen - 1 <= 70); /* low R */
}

static void test_sign_every_type(void **state)
{
	(void)state;
	struct wallet *w = make("all", ABANDON, WALLET_TYPE_WPKH | WALLET_TYPE_TR | WALLET_TYPE_SH_WPKH | WALLET_TYPE_PKH);
	static const char *types[] = { "wpkh", "tr", "sh-wpkh", "pkh" };
	struct wallet_outpoint from[4];
	char err[256];
	for (int k = 0; k < 4; k++) {
		struct wallet_address a;
		assert_int_equal(wallet_receive(w, &a, types[k], NULL, err, sizeof err), KB_OK);
		fund(w, a.spk, a.spk_len, 1000000 + k, (uint8_t)(10 + k), 50, &from[k].txid);
		from[k].n = 0;
	}
	struct wallet_recipient to;
	memset(&to, 0, sizeof to);
	uint8_t h[20];
	memset(h, 0x33, 20);
	wallet_script_p2wpkh(to.spk, h);
	to.spk_len = 22;
	to.amount = 3000000;
	snprintf(to.address, sizeof to.address, "x");
	struct wallet_spend_opts o;
	memset(&o, 0, sizeof o);
	o.to = &to;
	o.nto = 1;
	o.fee_rate = 2000;
	o.from = from;
	o.nfrom = 4;
	o.tip_height = 100;
	struct wallet_psbt p;
	assert_int_equal(wallet_psbt_create(w, &o, &p, err, sizeof err), KB_OK);
	assert_int_equal(p.in_count, 4);
	for (size_t i = 0; i < p.in_count; i++)
		assert_int_equal(p.tx.in[i].sequence, 0xfffffffd); /* RBF */
	assert_true(p.tx.locktime > 0 && p.tx.locktime <= 100);
	size_t signed_n;
	assert_int_equal(wallet_psbt_sign(w, &p, "wrong", &signed_n, err, sizeof err), KB_EAUTH);
	assert_int_equal(signed_n, 0);
	assert_int_equal(wallet_psbt_sign(w, &p, "pw", &signed_n, err, sizeof err), KB_OK);
	assert_int_equal(signed_n, 4);
	assert_int_equal(wallet_psbt_finalize(&p), KB_OK);
	struct wallet_tx tx;
	assert_int_equal(wallet_psbt_extract(&p, &tx, err, sizeof err), KB_OK);
	struct wallet_txout spent[4];
	struct buf spks[4];
	for (size_t i = 0; i < 4; i++) {
		buf_init(&spks[i]);
		assert_int_equal(wallet_psbt_input_utxo(&p, i, &spent[i].value, &spks[i]), KB_OK);
		spent[i].script_pubkey.p = spks[i].p;
		spent[i].script_pubkey.len = spks[i].len;
	}
	for (size_t i = 0; i < 4; i++)
		check_sig(&tx, i, spent, 4);
	/* the fee matches the rate (within the estimate's rounding) */
	int64_t fee;
	assert_int_equal(wallet_psbt_fee(&p, &fee), KB_OK);
	size_t vsize = wallet_tx_vsize(&tx);
	assert_true(fee >= (int64_t)(2 * vsize) && fee <= (int64_t)(2 * vsize + 40));
	for (size_t i = 0; i < 4; i++)
		buf_clear(&spks[i]);
	wallet_tx_clear(&tx);
	wallet_psbt_clear(&p);
	wallet_close(w);
}

static void test_spend_rules(void **state)
{
	(void)state;
	struct wallet *w = make("rules", ABANDON, WALLET_TYPE_WPKH);
	struct wallet_address a;
	char err[256];
	assert_int_equal(wallet_receive(w, &a, NULL, NULL, err, sizeof err), KB_OK);
	struct hash256 young, old;
	fund(w, a.spk, a.spk_len, 500000, 1, 98, &young); /* 3 confirmations at tip 100 */
	fund(w, a.spk, a.spk_len, 300000, 2, 50, &old);   /* confirmed */
	struct wallet_recipient to;
	memset(&to, 0, sizeof to);
	uint8_t h[20];
	memset(h, 0x44, 20);
	wallet_script_p2wpkh(to.spk, h);
	to.spk_len = 22;
	snprintf(to.address, sizeof to.address, "x");
	struct wallet_spend_opts o;
	memset(&o, 0, sizeof o);
	o.to = &to;
	o.nto = 1;
	o.fee_rate = 1000;
	o.tip_height = 100;
	struct wallet_psbt p;
	/* only confirmed coins: 0.004 needs the young coin too */
	to.amount = 400000;
	assert_int_equal(wallet_psbt_create(w, &o, &p, err, sizeof err), KB_EFUNDS);
	assert_non_null(strstr(err, "insufficient funds"));
	o.include_unconfirmed = true;
	assert_int_equal(wallet_psbt_create(w, &o, &p, err, sizeof err), KB_OK);
	wallet_psbt_clear(&p);
	/* a frozen coin is never picked */
	char op[80], hex[65];
	wallet_hex_encode_rev(hex, sizeof hex, old.b, 32);
	snprintf(op, sizeof op, "%s:0", hex);
	assert_int_equal(wallet_freeze(w, op, true, err, sizeof err), KB_OK);
	o.include_unconfirmed = false;
	to.amount = 100000;
	assert_int_equal(wallet_psbt_create(w, &o, &p, err, sizeof err), KB_EFUNDS);
	struct wallet_balance b;
	assert_int_equal(wallet_get_balance(w, 100, &b), KB_OK);
	assert_true(b.frozen == 300000);
	assert_int_equal(wallet_freeze(w, op, false, err, sizeof err), KB_OK);
	/* dust is refused, and so is a fee over the cap */
	to.amount = 100;
	assert_int_equal(wallet_psbt_create(w, &o, &p, err, sizeof err), KB_EINVAL);
	assert_non_null(strstr(err, "dust"));
	to.amount = 10000;
	o.fee_rate = 9000000;
	assert_int_equal(wallet_psbt_create(w, &o, &p, err, sizeof err), KB_EFUNDS); /* can't even pay it */
	o.fee_rate = 5000000; /* 5000 sat/vB: ~0.0055 BTC fee < 0.01: allowed... */
	o.include_unconfirmed = true;
	to.amount = 10000;
	enum kb_rc rc = wallet_psbt_create(w, &o, &p, err, sizeof err);
	if (rc == KB_OK)
		wallet_psbt_clear(&p);
	o.fee_rate = 9000000; /* ~0.01 BTC+ fee on a 10000 sat payment: refused */
	rc = wallet_psbt_create(w, &o, &p, err, sizeof err);
	assert_true(rc == KB_ELIMIT || rc == KB_EFUNDS);
	/* send everything */
	o.fee_rate = 1000;
	o.max = true;
	assert_int_equal(wallet_psbt_create(w, &o, &p, err, sizeof err), KB_OK);
	assert_int_equal(p.tx.out_count, 1);
	int64_t fee;
	assert_int_equal(wallet_psbt_fee(&p, &fee), KB_OK);
	assert_true(p.tx.out[0].value + fee == 800000);
	wallet_psbt_clear(&p);
	wallet_close(w);
}

static void test_watch_and_export(void **state)
{
	(void)state;
	struct wallet *w = make("hot", ABANDON, WALLET_TYPE_WPKH | WALLET_TYPE_TR);
	struct buf d = BUF_INIT, priv = BUF_INIT;
	char err[256];
	assert_int_equal(wallet_export_descriptors(w, NULL, &d, err, sizeof err), KB_OK);
	assert_null(strstr(buf_cstr(&d), "prv"));
	assert_int_equal(wallet_export_descriptors(w, "nope", &priv, err, sizeof err), KB_EAUTH);
	assert_int_equal(wallet_export_descriptors(w, "pw", &priv, err, sizeof err), KB_OK);
	assert_non_null(strstr(buf_cstr(&priv), "tprv"));
	buf_clear_wipe(&priv);
	struct wallet *wo = NULL;
	assert_int_equal(wallet_create_watch(&wo, tmpdir, "cold", KB_NET_REGTEST, buf_cstr(&d), -1, -1,
	                                     err, sizeof err), KB_OK);
	assert_true(wallet_watch_only(wo));
	struct wallet_address a, b;
	assert_int_equal(wallet_receive(w, &a, "tr", NULL, err, sizeof err), KB_OK);
	assert_int_equal(wallet_receive(wo, &b, "tr", NULL, err, sizeof err), KB_OK);
	assert_string_equal(a.address, b.address);
	char words[WALLET_BIP39_MNEMONIC_MAX];
	bool hp;
	assert_int_equal(wallet_show_mnemonic(wo, "pw", words, sizeof words, &hp, err, sizeof err), KB_EWATCHONLY);
	/* a private descriptor is refused by watch */
	struct wallet *bad = NULL;
	assert_int_equal(wallet_create_watch(&bad, tmpdir, "bad2", KB_NET_REGTEST,
	                                     "wpkh(tprv8ZgxMBicQKsPd9TeAdPADNnSyH9SSUUbTVeFszDE23Ki6TBB5nCefAdHkK8Fm3qMQR6sHwA56zqRmKmxnHk37JkiFzvncDqoKmPWubu7hDF/0/*)",
	                                     -1, -1, err, sizeof err), KB_EINVAL);
	assert_null(bad);
	/* passwords */
	struct wallet_kdf_params kdf;
	wallet_keystore_kdf_cheap(&kdf);
	assert_int_equal(wallet_change_password(w, "nope", "new", &kdf, err, sizeof err), KB_EAUTH);
	assert_int_equal(wallet_change_password(w, "pw", "new", &kdf, err, sizeof err), KB_OK);
	assert_int_equal(wallet_check_password(w, "pw", err, sizeof err), KB_EAUTH);
	assert_int_equal(wallet_show_mnemonic(w, "new", words, sizeof words, &hp, err, sizeof err), KB_OK);
	assert_string_equal(words, ABANDON);
	assert_false(hp);
	buf_clear(&d);
	wallet_close(wo);
	wallet_close(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_addresses_and_lookahead),
		cmocka_unit_test(test_balance_and_history),
		cmocka_unit_test(test_sign_every_type),
		cmocka_unit_test(test_spend_rules),
		cmocka_unit_test(test_watch_and_export),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
