/*
 * wallet/wallet_sync.c: conflicts, reorganisations, the filter's outpoints,
 * block-at-a-time recording and BIP125 bumps, on a real regtest wallet in
 * a temporary directory with hand-built transactions.
 */
#include "tests/support/testsupport.h"

#include "wallet/hex.h"
#include "wallet/keystore.h"
#include "wallet/mem.h"
#include "wallet/psbt.h"
#include "wallet/wallet.h"
#include "wallet/wallet_sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const MNEMONIC =
	"abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

static char dir[256];

static struct wallet *new_wallet(void)
{
	snprintf(dir, sizeof dir, "/tmp/koban-wsync-XXXXXX");
	assert_non_null(mkdtemp(dir));
	struct wallet_create_opts o;
	memset(&o, 0, sizeof o);
	o.datadir = dir;
	o.name = "w";
	o.net = KB_NET_REGTEST;
	o.mnemonic = MNEMONIC;
	o.password = "pw";
	o.types = WALLET_TYPE_WPKH;
	o.birthday_height = 0;
	o.birthday_time = -1;
	wallet_keystore_kdf_cheap(&o.kdf);
	struct wallet *w = NULL;
	char err[256];
	enum kb_rc rc = wallet_create(&w, &o, NULL, 0, err, sizeof err);
	if (rc != KB_OK)
		fail_msg("wallet_create: %s", err);
	return w;
}

static void drop_wallet(struct wallet *w)
{
	wallet_close(w);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(0, system(cmd));
}

/* A transaction spending prevouts, paying (spk, value) pairs. */
static void make_tx(struct buf *out, struct hash256 *txid, const struct wallet_outpoint *ins, size_t nin,
                    const uint8_t *const *spks, const size_t *spk_lens, const int64_t *values,
                    size_t nout, uint32_t sequence)
{
	struct wallet_tx tx;
	wallet_tx_init(&tx);
	tx.version = 2;
	for (size_t i = 0; i < nin; i++)
		wallet_tx_add_input(&tx, &ins[i], NULL, 0, sequence);
	for (size_t i = 0; i < nout; i++)
		wallet_tx_add_output(&tx, values[i], spks[i], spk_lens[i]);
	buf_reset(out);
	wallet_tx_serialize(&tx, out, true);
	wallet_tx_txid(&tx, txid);
	wallet_tx_clear(&tx);
}

static void block_hash_of(struct hash256 *h, int64_t height, uint8_t branch)
{
	memset(h->b, 0, 32);
	h->b[0] = (uint8_t)height;
	h->b[1] = (uint8_t)(height >> 8);
	h->b[31] = branch;
}

static enum wallet_tx_state state_of(struct wallet *w, const struct hash256 *id)
{
	struct wallet_store_tx t;
	assert_int_equal(wallet_store_tx_get(wallet_store(w), &t, id), KB_OK);
	enum wallet_tx_state s = t.state;
	wallet_store_tx_clear(&t);
	return s;
}

static void add_block_tx(struct wallet *w, const struct buf *raw, int64_t height, uint8_t branch,
                         bool expect_relevant)
{
	struct hash256 bh;
	block_hash_of(&bh, height, branch);
	bool rel = false;
	char err[256];
	assert_int_equal(wallet_sync_block_begin(w), KB_OK);
	assert_int_equal(wallet_sync_tx(w, raw->p, raw->len, height, &bh, 1700000000, &rel, err, sizeof err),
	                 KB_OK);
	assert_int_equal(wallet_sync_block_end(w, height, &bh), KB_OK);
	assert_int_equal(rel, expect_relevant);
}

static void add_mempool_tx(struct wallet *w, const struct buf *raw, bool expect_relevant)
{
	bool rel = false;
	char err[256];
	assert_int_equal(wallet_sync_tx(w, raw->p, raw->len, -1, NULL, -1, &rel, err, sizeof err), KB_OK);
	assert_int_equal(rel, expect_relevant);
}

static const uint8_t FOREIGN_SPK[22] = {0x00, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                                        11, 12, 13, 14, 15, 16, 17, 18, 19, 20};

static void test_misuse(void **state)
{
	(void)state;
	struct wallet *w = new_wallet();
	bool rel = true;
	char err[256] = "";
	static const uint8_t junk[4] = {1, 2, 3, 4};
	assert_int_equal(wallet_sync_tx(w, junk, sizeof junk, -1, NULL, -1, &rel, err, sizeof err), KB_EPARSE);
	assert_false(rel);
	struct hash256 h = {{0}};
	assert_int_equal(wallet_sync_reorg(w, -1, &h, NULL), KB_EINVAL);
	struct wallet_psbt p;
	assert_int_equal(wallet_sync_bump(w, &h, 5000, 100, &p, err, sizeof err), KB_ENOTFOUND);
	assert_non_null(strstr(err, "no transaction"));
	wallet_psbt_clear(&p);
	/* an empty wallet has no outpoints */
	struct wallet_outpoint *ops = (struct wallet_outpoint *)1;
	size_t n = 9;
	assert_int_equal(wallet_sync_filter_outpoints(w, &ops, &n), KB_OK);
	assert_null(ops);
	assert_int_equal(n, 0);
	drop_wallet(w);
}

/* A payment, its confirmation, a reorg that undoes it and a double spend
 * of its (foreign) input that wins. */
static void test_payment_reorg_conflict(void **state)
{
	(void)state;
	struct wallet *w = new_wallet();
	struct wallet_address a;
	char err[256];
	assert_int_equal(wallet_receive(w, &a, NULL, NULL, err, sizeof err), KB_OK);

	struct wallet_outpoint foreign = {{{0xaa}}, 3};
	struct buf raw = BUF_INIT, raw2 = BUF_INIT;
	struct hash256 pay, dbl;
	const uint8_t *spks[2] = {a.spk, FOREIGN_SPK};
	size_t lens[2] = {a.spk_len, sizeof FOREIGN_SPK};
	int64_t vals[2] = {50000, 1000};
	make_tx(&raw, &pay, &foreign, 1, spks, lens, vals, 2, 0xfffffffd);

	/* mempool: pending, its input and its output are in the filter */
	add_mempool_tx(w, &raw, true);
	assert_int_equal(state_of(w, &pay), WALLET_TX_PENDING);
	struct wallet_outpoint *ops;
	size_t n;
	assert_int_equal(wallet_sync_filter_outpoints(w, &ops, &n), KB_OK);
	assert_int_equal(n, 2);
	bool saw_foreign = false, saw_ours = false;
	for (size_t i = 0; i < n; i++) {
		saw_foreign |= memcmp(ops[i].txid.b, foreign.txid.b, 32) == 0 && ops[i].n == 3;
		saw_ours |= memcmp(ops[i].txid.b, pay.b, 32) == 0 && ops[i].n == 0;
	}
	kb_free(ops);
	assert_true(saw_foreign && saw_ours);
	struct hash256 fp1, fp2;
	assert_int_equal(wallet_sync_filter_fingerprint(w, &fp1), KB_OK);

	/* confirmed at 105; the scan point follows the block */
	add_block_tx(w, &raw, 105, 0, true);
	assert_int_equal(state_of(w, &pay), WALLET_TX_CONFIRMED);
	int64_t sh;
	struct hash256 shash, bh;
	assert_int_equal(wallet_store_sync_get(wallet_store(w), &sh, &shash), KB_OK);
	assert_int_equal(sh, 105);
	/* confirmed: the foreign input leaves the filter */
	assert_int_equal(wallet_sync_filter_fingerprint(w, &fp2), KB_OK);
	assert_memory_not_equal(fp1.b, fp2.b, 32);
	struct wallet_balance b;
	assert_int_equal(wallet_get_balance(w, 110, &b), KB_OK);
	assert_int_equal(b.confirmed, 50000);
	assert_int_equal(wallet_get_balance(w, 109, &b), KB_OK);
	assert_int_equal(b.pending, 50000); /* 5 of 6 */

	/* a reorg that disconnects 105: pending at once, the scan point back */
	size_t cnt = 0;
	block_hash_of(&bh, 104, 0);
	assert_int_equal(wallet_sync_reorg(w, 104, &bh, &cnt), KB_OK);
	assert_int_equal(cnt, 1);
	assert_int_equal(state_of(w, &pay), WALLET_TX_PENDING);
	assert_int_equal(wallet_store_sync_get(wallet_store(w), &sh, &shash), KB_OK);
	assert_int_equal(sh, 104);
	assert_memory_equal(shash.b, bh.b, 32);
	assert_int_equal(wallet_get_balance(w, 110, &b), KB_OK);
	assert_int_equal(b.confirmed, 0);
	assert_int_equal(b.pending, 50000);
	/* a reorg above the scan point leaves it */
	block_hash_of(&bh, 200, 0);
	assert_int_equal(wallet_sync_reorg(w, 200, &bh, &cnt), KB_OK);
	assert_int_equal(cnt, 0);
	assert_int_equal(wallet_store_sync_get(wallet_store(w), &sh, &shash), KB_OK);
	assert_int_equal(sh, 104);

	/* the new branch confirms a double spend of the foreign input instead */
	const uint8_t *spks2[1] = {FOREIGN_SPK};
	size_t lens2[1] = {sizeof FOREIGN_SPK};
	int64_t vals2[1] = {50500};
	make_tx(&raw2, &dbl, &foreign, 1, spks2, lens2, vals2, 1, 0xffffffff);
	add_block_tx(w, &raw2, 106, 1, true);
	assert_int_equal(state_of(w, &dbl), WALLET_TX_CONFIRMED);
	assert_int_equal(state_of(w, &pay), WALLET_TX_CONFLICTED);
	assert_int_equal(wallet_get_balance(w, 120, &b), KB_OK);
	assert_int_equal(b.confirmed + b.pending + b.immature, 0);

	/* and when that is undone, the payment is pending again */
	block_hash_of(&bh, 105, 1);
	assert_int_equal(wallet_sync_reorg(w, 105, &bh, &cnt), KB_OK);
	assert_int_equal(state_of(w, &pay), WALLET_TX_PENDING);
	assert_int_equal(wallet_get_balance(w, 120, &b), KB_OK);
	assert_int_equal(b.pending, 50000);

	/* a transaction unrelated to anything is ignored */
	struct wallet_outpoint other = {{{0xbb}}, 0};
	struct hash256 unrelated;
	make_tx(&raw2, &unrelated, &other, 1, spks2, lens2, vals2, 1, 0xffffffff);
	add_block_tx(w, &raw2, 106, 1, false);
	struct wallet_store_tx t;
	assert_int_equal(wallet_store_tx_get(wallet_store(w), &t, &unrelated), KB_ENOTFOUND);

	buf_clear(&raw);
	buf_clear(&raw2);
	drop_wallet(w);
}

/* A spend of a wallet coin that pays nothing back, a descendant of a
 * conflicted transaction, and block-at-a-time recording rolled back. */
static void test_spend_and_descendants(void **state)
{
	(void)state;
	struct wallet *w = new_wallet();
	struct wallet_address a;
	char err[256];
	assert_int_equal(wallet_receive(w, &a, NULL, NULL, err, sizeof err), KB_OK);
	struct wallet_outpoint foreign = {{{0xcc}}, 0};
	struct buf raw = BUF_INIT, raw2 = BUF_INIT, raw3 = BUF_INIT;
	struct hash256 fund, spend, dbl;
	const uint8_t *spks[1] = {a.spk};
	size_t lens[1] = {a.spk_len};
	int64_t vals[1] = {70000};
	make_tx(&raw, &fund, &foreign, 1, spks, lens, vals, 1, 0xfffffffd);
	add_mempool_tx(w, &raw, true);

	/* spend our unconfirmed coin to a foreign script only */
	struct wallet_outpoint ours = {fund, 0};
	const uint8_t *fs[1] = {FOREIGN_SPK};
	size_t fl[1] = {sizeof FOREIGN_SPK};
	int64_t fv[1] = {69000};
	make_tx(&raw2, &spend, &ours, 1, fs, fl, fv, 1, 0xfffffffd);
	add_mempool_tx(w, &raw2, true);
	struct wallet_balance b;
	assert_int_equal(wallet_get_balance(w, 100, &b), KB_OK);
	assert_int_equal(b.pending + b.confirmed, 0);

	/* the funding is double-spent in a block: both fall */
	make_tx(&raw3, &dbl, &foreign, 1, fs, fl, fv, 1, 0xffffffff);
	add_block_tx(w, &raw3, 50, 0, true);
	assert_int_equal(state_of(w, &fund), WALLET_TX_CONFLICTED);
	assert_int_equal(state_of(w, &spend), WALLET_TX_CONFLICTED);

	/* an aborted block leaves no trace and no scan point */
	struct hash256 bh;
	block_hash_of(&bh, 51, 0);
	assert_int_equal(wallet_sync_block_begin(w), KB_OK);
	struct wallet_outpoint f2 = {{{0xdd}}, 1};
	struct hash256 late;
	make_tx(&raw3, &late, &f2, 1, spks, lens, vals, 1, 0xfffffffd);
	bool rel;
	assert_int_equal(wallet_sync_tx(w, raw3.p, raw3.len, 51, &bh, 1, &rel, err, sizeof err), KB_OK);
	assert_true(rel);
	wallet_sync_block_abort(w);
	struct wallet_store_tx t;
	assert_int_equal(wallet_store_tx_get(wallet_store(w), &t, &late), KB_ENOTFOUND);
	int64_t sh;
	struct hash256 shash;
	assert_int_equal(wallet_store_sync_get(wallet_store(w), &sh, &shash), KB_OK);
	assert_int_equal(sh, 50);

	/* a block recorded "unscanned": its transactions stay, the scan point does not move */
	block_hash_of(&bh, 52, 0);
	assert_int_equal(wallet_sync_block_begin(w), KB_OK);
	assert_int_equal(wallet_sync_tx(w, raw3.p, raw3.len, 52, &bh, 1, &rel, err, sizeof err), KB_OK);
	assert_int_equal(wallet_sync_block_end_unscanned(w), KB_OK);
	assert_int_equal(wallet_store_tx_get(wallet_store(w), &t, &late), KB_OK);
	assert_int_equal(t.height, 52);
	wallet_store_tx_clear(&t);
	assert_int_equal(wallet_store_sync_get(wallet_store(w), &sh, &shash), KB_OK);
	assert_int_equal(sh, 50);
	/* scanned again: idempotent, and now the point moves */
	assert_int_equal(wallet_sync_block_begin(w), KB_OK);
	assert_int_equal(wallet_sync_tx(w, raw3.p, raw3.len, 52, &bh, 1, &rel, err, sizeof err), KB_OK);
	assert_int_equal(wallet_sync_block_end(w, 52, &bh), KB_OK);
	assert_int_equal(wallet_store_sync_get(wallet_store(w), &sh, &shash), KB_OK);
	assert_int_equal(sh, 52);
	struct wallet_history_entry *hist;
	size_t nh;
	assert_int_equal(wallet_history(w, 60, &hist, &nh), KB_OK);
	size_t seen = 0;
	for (size_t i = 0; i < nh; i++)
		seen += memcmp(hist[i].txid.b, late.b, 32) == 0;
	kb_free(hist);
	assert_int_equal(seen, 1);

	buf_clear(&raw);
	buf_clear(&raw2);
	buf_clear(&raw3);
	drop_wallet(w);
}

/* Sign a PSBT the wallet built and record it. */
static void sign_record(struct wallet *w, struct wallet_psbt *p, struct buf *raw, struct hash256 *txid)
{
	char err[256];
	size_t ns = 0;
	enum kb_rc rc = wallet_psbt_sign(w, p, "pw", &ns, err, sizeof err);
	if (rc != KB_OK)
		fail_msg("sign: %s", err);
	assert_int_equal(wallet_psbt_finalize(p), KB_OK);
	struct wallet_tx tx;
	assert_int_equal(wallet_psbt_extract(p, &tx, err, sizeof err), KB_OK);
	buf_reset(raw);
	wallet_tx_serialize(&tx, raw, true);
	wallet_tx_txid(&tx, txid);
	wallet_tx_clear(&tx);
	bool rel;
	assert_int_equal(wallet_sync_tx(w, raw->p, raw->len, -1, NULL, -1, &rel, err, sizeof err), KB_OK);
	assert_true(rel);
}

static void test_bump(void **state)
{
	(void)state;
	struct wallet *w = new_wallet();
	struct wallet_address a;
	char err[256];
	assert_int_equal(wallet_receive(w, &a, NULL, NULL, err, sizeof err), KB_OK);
	struct wallet_outpoint foreign = {{{0xee}}, 0};
	struct buf raw = BUF_INIT;
	struct hash256 fund, sent, bumped;
	const uint8_t *spks[1] = {a.spk};
	size_t lens[1] = {a.spk_len};
	int64_t vals[1] = {1000000};
	make_tx(&raw, &fund, &foreign, 1, spks, lens, vals, 1, 0xffffffff);
	add_block_tx(w, &raw, 10, 0, true);

	struct wallet_recipient to;
	memset(&to, 0, sizeof to);
	memcpy(to.spk, FOREIGN_SPK, sizeof FOREIGN_SPK);
	to.spk_len = sizeof FOREIGN_SPK;
	to.amount = 300000;
	snprintf(to.address, sizeof to.address, "foreign");
	struct wallet_spend_opts so;
	memset(&so, 0, sizeof so);
	so.to = &to;
	so.nto = 1;
	so.fee_rate = 2000;
	so.tip_height = 20;
	struct wallet_psbt p;
	enum kb_rc rc = wallet_psbt_create(w, &so, &p, err, sizeof err);
	if (rc != KB_OK)
		fail_msg("create: %s", err);
	sign_record(w, &p, &raw, &sent);
	int64_t old_fee;
	assert_int_equal(wallet_psbt_fee(&p, &old_fee), KB_OK);
	wallet_psbt_clear(&p);

	/* too small an increase: refused with the minimum named */
	assert_int_equal(wallet_sync_bump(w, &sent, 2500, 20, &p, err, sizeof err), KB_EINVAL);
	assert_non_null(strstr(err, "at least"));
	wallet_psbt_clear(&p);
	/* a fair one: same inputs, the payment kept, more fee, nothing written */
	rc = wallet_sync_bump(w, &sent, 5000, 20, &p, err, sizeof err);
	if (rc != KB_OK)
		fail_msg("bump: %s", err);
	int64_t new_fee;
	assert_int_equal(wallet_psbt_fee(&p, &new_fee), KB_OK);
	assert_true(new_fee > old_fee);
	assert_int_equal(state_of(w, &sent), WALLET_TX_PENDING);
	bool pays = false;
	for (size_t i = 0; i < p.tx.out_count; i++)
		pays |= p.tx.out[i].value == 300000 && p.tx.out[i].script_pubkey.len == sizeof FOREIGN_SPK;
	assert_true(pays);
	assert_int_equal(p.tx.in_count, 1);
	sign_record(w, &p, &raw, &bumped);
	wallet_psbt_clear(&p);
	/* the replacement recorded from the mempool marks the old one */
	assert_int_equal(state_of(w, &sent), WALLET_TX_REPLACED);
	assert_int_equal(state_of(w, &bumped), WALLET_TX_PENDING);
	/* a replaced transaction cannot be bumped again */
	assert_int_equal(wallet_sync_bump(w, &sent, 9000, 20, &p, err, sizeof err), KB_EINVAL);
	wallet_psbt_clear(&p);
	/* a confirmed one cannot either */
	assert_int_equal(wallet_sync_bump(w, &fund, 9000, 20, &p, err, sizeof err), KB_EINVAL);
	wallet_psbt_clear(&p);
	struct wallet_balance b;
	assert_int_equal(wallet_get_balance(w, 30, &b), KB_OK);
	assert_int_equal(b.confirmed + b.pending, 1000000 - 300000 - new_fee);

	buf_clear(&raw);
	drop_wallet(w);
}

/* A coin on the change chain is signable (the PSBT input carries the
 * change path, not the receive one). */
static void test_spend_change(void **state)
{
	(void)state;
	struct wallet *w = new_wallet();
	struct wallet_address *ch = NULL;
	size_t n = 0;
	assert_int_equal(wallet_addresses(w, 1, &ch, &n), KB_OK);
	assert_true(n > 0);
	struct wallet_outpoint foreign = {{{0x77}}, 0};
	struct buf raw = BUF_INIT;
	struct hash256 fund, sent;
	const uint8_t *spks[1] = {ch[0].spk};
	size_t lens[1] = {ch[0].spk_len};
	int64_t vals[1] = {1000000};
	make_tx(&raw, &fund, &foreign, 1, spks, lens, vals, 1, 0xffffffff);
	kb_free(ch);
	add_block_tx(w, &raw, 10, 0, true);
	struct wallet_recipient to;
	memset(&to, 0, sizeof to);
	memcpy(to.spk, FOREIGN_SPK, sizeof FOREIGN_SPK);
	to.spk_len = sizeof FOREIGN_SPK;
	to.amount = 500000;
	snprintf(to.address, sizeof to.address, "foreign");
	struct wallet_spend_opts so;
	memset(&so, 0, sizeof so);
	so.to = &to;
	so.nto = 1;
	so.fee_rate = 2000;
	so.tip_height = 20;
	struct wallet_psbt p;
	char err[256];
	assert_int_equal(wallet_psbt_create(w, &so, &p, err, sizeof err), KB_OK);
	sign_record(w, &p, &raw, &sent);
	wallet_psbt_clear(&p);
	assert_int_equal(state_of(w, &sent), WALLET_TX_PENDING);
	buf_clear(&raw);
	drop_wallet(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_payment_reorg_conflict),
		cmocka_unit_test(test_spend_and_descendants),
		cmocka_unit_test(test_bump),
		cmocka_unit_test(test_spend_change),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
