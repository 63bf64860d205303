/*
 * Helper for tests/integration/crash_store.sh (the kill -9 test of
 * wallet/store).
 *
 *   store_crasher write PATH       creates or opens the wallet and commits
 *                                  forever: each commit records transaction
 *                                  number N (a tx, an output, a spend of the
 *                                  previous output, the sync height and a
 *                                  counter setting), then prints N.
 *   store_crasher check PATH LAST  opens the wallet as koban would, runs
 *                                  PRAGMA integrity_check, and checks that
 *                                  the committed count is LAST or LAST + 1
 *                                  (killed between COMMIT and the print)
 *                                  and that every table agrees with it.
 * Exit status 0 when all is well, 1 with a line on stderr otherwise.
 */
#include "wallet/hash.h"
#include "wallet/mem.h"
#include "wallet/store.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define COUNT_KEY "crash_count"

static struct hash256 txid_of(int64_t n)
{
	struct hash256 h;
	wallet_hash_sha256(h.b, &n, sizeof n);
	return h;
}

static int die(const char *what, enum kb_rc rc)
{
	fprintf(stderr, "store_crasher: %s: %s\n", what, kb_rc_str(rc));
	return 1;
}

static enum kb_rc commit_one(struct wallet_store *st, int64_t *count, uint8_t *raw)
{
	enum kb_rc rc = wallet_store_begin(st);
	if (rc != KB_OK)
		return rc;
	int64_t n = 0;
	rc = wallet_store_setting_get_int(st, COUNT_KEY, &n);
	if (rc == KB_ENOTFOUND) {
		n = 0;
		rc = KB_OK;
	}
	n++;
	struct hash256 id = txid_of(n), prev = txid_of(n - 1);
	/* Sizes that vary, so commits span pages and the WAL checkpoints. */
	size_t len = 60 + (size_t)(n * 7919 % 3000);
	memset(raw, (int)(n & 0xff), len);
	memcpy(raw, &n, sizeof n);
	uint8_t spk[22] = { 0x00, 0x14 };
	memcpy(spk + 2, id.b, 20);
	struct wallet_store_output o = { .txid = id, .vout = 0, .value = n, .spk = spk,
	                                 .spk_len = sizeof spk };
	if (rc == KB_OK)
		rc = wallet_store_tx_upsert(st, NULL, &id, raw, len, n, &id, n, n, -1);
	if (rc == KB_OK)
		rc = wallet_store_output_insert(st, &o);
	if (rc == KB_OK && n > 1)
		rc = wallet_store_spend_insert(st, &prev, 0, &id, 0);
	if (rc == KB_OK)
		rc = wallet_store_sync_set(st, n, &id);
	if (rc == KB_OK)
		rc = wallet_store_setting_set_int(st, COUNT_KEY, n);
	if (rc == KB_OK) {
		rc = wallet_store_commit(st);
		if (rc == KB_OK)
			*count = n;
		return rc;
	}
	if (wallet_store_rollback(st) != KB_OK)
		fprintf(stderr, "store_crasher: rollback failed\n");
	return rc;
}

static int do_write(const char *path)
{
	struct wallet_store *st = NULL;
	char err[256];
	struct stat sb;
	enum kb_rc rc;
	if (stat(path, &sb) == 0)
		rc = wallet_store_open(&st, path, NULL, err, sizeof err);
	else
		rc = wallet_store_create(&st, path, KB_NET_REGTEST, 0, true, NULL, err, sizeof err);
	if (rc != KB_OK) {
		fprintf(stderr, "store_crasher: %s\n", err);
		return 1;
	}
	uint8_t *raw = kb_malloc(4096);
	for (;;) {
		int64_t n;
		rc = commit_one(st, &n, raw);
		if (rc != KB_OK)
			return die("commit", rc);
		char line[32];
		int m = snprintf(line, sizeof line, "%" PRId64 "\n", n);
		if (write(1, line, (size_t)m) != m)
			return die("write", KB_EIO);
	}
}

static int do_check(const char *path, const char *last_s)
{
	char *end = NULL;
	errno = 0;
	long long last = strtoll(last_s, &end, 10);
	if (errno || *end || last < 0) {
		fprintf(stderr, "store_crasher: bad LAST %s\n", last_s);
		return 1;
	}
	struct stat sb;
	if (stat(path, &sb) != 0) {
		if (last == 0) {
			printf("ok: 0 commits (the wallet was not created yet)\n");
			return 0; /* killed before the wallet was created: nothing to check */
		}
		fprintf(stderr, "store_crasher: %s vanished after %lld commits\n", path, last);
		return 1;
	}
	struct wallet_store *st = NULL;
	char err[256];
	enum kb_rc rc = wallet_store_open(&st, path, NULL, err, sizeof err);
	if (rc != KB_OK) {
		fprintf(stderr, "store_crasher: reopen failed: %s\n", err);
		return 1;
	}
	int bad = 0;
	if (wallet_store_integrity_check(st, err, sizeof err) != KB_OK) {
		fprintf(stderr, "store_crasher: integrity_check: %s\n", err);
		bad = 1;
	}
	int64_t n = 0;
	rc = wallet_store_setting_get_int(st, COUNT_KEY, &n);
	if (rc == KB_ENOTFOUND)
		n = 0;
	else if (rc != KB_OK)
		return die("count", rc);
	if (n < last || n > last + 1) {
		fprintf(stderr, "store_crasher: %" PRId64 " commits in the file, %lld reported\n", n, last);
		bad = 1;
	}
	struct wallet_store_tx *txs = NULL;
	struct wallet_store_output *outs = NULL;
	size_t ntx = 0, nout = 0;
	if (wallet_store_tx_list(st, &txs, &ntx) != KB_OK ||
	    wallet_store_utxo_list(st, &outs, &nout) != KB_OK)
		return die("list", KB_EDB);
	int64_t h = -1;
	struct hash256 tip;
	rc = wallet_store_sync_get(st, &h, &tip);
	if ((int64_t)ntx != n || (n > 0 && (nout != 1 || outs[0].value != n)) ||
	    (n > 0 && (rc != KB_OK || h != n)) || (n == 0 && rc != KB_ENOTFOUND)) {
		fprintf(stderr, "store_crasher: tables disagree: count %" PRId64 ", txs %zu, utxos %zu,"
		        " sync height %" PRId64 "\n", n, ntx, nout, h);
		bad = 1;
	}
	for (size_t i = 0; i < ntx && !bad; i++) {
		struct hash256 want = txid_of((int64_t)i + 1);
		int64_t inner;
		if (memcmp(txs[i].txid.b, want.b, 32) != 0 || txs[i].height != (int64_t)i + 1 ||
		    txs[i].raw_len < sizeof inner) {
			fprintf(stderr, "store_crasher: transaction %zu is wrong\n", i + 1);
			bad = 1;
			break;
		}
		memcpy(&inner, txs[i].raw, sizeof inner);
		if (inner != (int64_t)i + 1) {
			fprintf(stderr, "store_crasher: transaction %zu has the wrong body\n", i + 1);
			bad = 1;
		}
	}
	wallet_store_tx_list_free(txs, ntx);
	wallet_store_output_list_free(outs, nout);
	wallet_store_close(st);
	if (!bad)
		printf("ok: %" PRId64 " commits (last reported %lld)\n", n, last);
	return bad;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "write") == 0)
		return do_write(argv[2]);
	if (argc == 4 && strcmp(argv[1], "check") == 0)
		return do_check(argv[2], argv[3]);
	fprintf(stderr, "usage: store_crasher write PATH | store_crasher check PATH LAST\n");
	return 2;
}
