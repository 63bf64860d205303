/*
 * Fuzz target: any bytes offered as a wallet file. wallet_store_open must
 * refuse what is not a sound koban wallet with a result code, never crash,
 * and leave a refused file byte for byte as it was.
 */
#include "wallet/mem.h"
#include "wallet/store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256];
static char path[300];

static void cleanup(void)
{
	char lock[310];
	snprintf(lock, sizeof lock, "%s/w.lock", dir);
	unlink(lock);
	unlink(path);
	rmdir(dir);
}

static uint8_t *read_back(size_t *n)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		abort();
	uint8_t *b = kb_malloc(*n + 1);
	size_t got = fread(b, 1, *n + 1, fp);
	fclose(fp);
	*n = got;
	return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dir[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(dir, sizeof dir, "%s/koban-fuzz-store-XXXXXX", t && t[0] ? t : "/tmp");
		if (!mkdtemp(dir))
			abort();
		snprintf(path, sizeof path, "%s/w.sqlite", dir);
		atexit(cleanup);
	}
	static const char *const sides[] = { "-wal", "-shm", "-journal" };
	char side[320];
	for (size_t i = 0; i < 3; i++) {
		snprintf(side, sizeof side, "%s%s", path, sides[i]);
		unlink(side);
	}
	FILE *fp = fopen(path, "wb");
	if (!fp || (size && fwrite(data, 1, size, fp) != size) || fclose(fp) != 0)
		abort();
	struct wallet_store *st = NULL;
	enum wallet_store_why why = WALLET_STORE_FINE;
	char err[256];
	enum kb_rc rc = wallet_store_open(&st, path, &why, err, sizeof err);
	if (rc == KB_OK) {
		if (!st || why != WALLET_STORE_FINE)
			abort();
		wallet_store_close(st);
	} else {
		if (st || why == WALLET_STORE_FINE || err[0] == '\0')
			abort();
		size_t n = size;
		uint8_t *back = read_back(&n);
		if (n != size || (size && memcmp(back, data, size) != 0))
			abort(); /* a refused file was changed */
		kb_free(back);
	}
	unlink(path);
	return 0;
}
