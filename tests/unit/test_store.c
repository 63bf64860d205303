/*
 * wallet/store: opening and refusing files, the lock, modes, atomicity,
 * and the typed functions. Real SQLite files in a temporary directory.
 * The test builds foreign and damaged files with SQLite directly (the
 * store's rule "no sqlite3 outside store.c" is for the program, not for a
 * test that forges files).
 */
#include "tests/support/testsupport.h"

#include "wallet/mem.h"
#include "wallet/store.h"

#include <sqlite3.h>
#include <sodium.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[256];

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	(void)state;
	const char *base = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/koban-store-XXXXXX", base && base[0] ? base : "/tmp");
	if (!mkdtemp(tmpdir))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char *tpath(const char *name)
{
	static char buf[4][512];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "%s/%s", tmpdir, name);
	return buf[i];
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	size_t cap = 1 << 16, n = 0, r;
	uint8_t *b = kb_malloc(cap);
	while ((r = fread(b + n, 1, cap - n, fp)) > 0) {
		n += r;
		if (n == cap)
			b = kb_realloc(b, cap *= 2);
	}
	fclose(fp);
	*len = n;
	return b;
}

static void spit(const char *path, const void *d, size_t n)
{
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	if (n)
		assert_int_equal(fwrite(d, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
}

static bool file_exists(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0;
}

static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		fail_msg("sqlite: %s", msg ? msg : "?");
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static struct wallet_store *mk(const char *name)
{
	struct wallet_store *st = NULL;
	char err[256];
	enum wallet_store_why why;
	enum kb_rc rc = wallet_store_create(&st, tpath(name), KB_NET_REGTEST, 1700000000, false,
	                                    &why, err, sizeof err);
	if (rc != KB_OK)
		fail_msg("create %s: %s", name, err);
	return st;
}

/* Opening something that must be refused leaves it byte for byte. */
static void expect_refused(const char *path, enum kb_rc want_rc, enum wallet_store_why want_why,
                           const char *want_msg)
{
	size_t n0, n1;
	uint8_t *before = slurp(path, &n0);
	struct wallet_store *st = (struct wallet_store *)&n0; /* must be reset to NULL */
	enum wallet_store_why why = WALLET_STORE_FINE;
	char err[256] = "";
	assert_int_equal(wallet_store_open(&st, path, &why, err, sizeof err), want_rc);
	assert_null(st);
	assert_int_equal(why, want_why);
	if (!strstr(err, want_msg))
		fail_msg("message \"%s\" lacks \"%s\"", err, want_msg);
	uint8_t *after = slurp(path, &n1);
	assert_int_equal(n0, n1);
	if (n0)
		assert_memory_equal(before, after, n0);
	kb_free(before);
	kb_free(after);
}

static void test_misuse(void **state)
{
	(void)state;
	assert_false(wallet_store_name_valid(""));
	assert_false(wallet_store_name_valid(".hidden"));
	assert_false(wallet_store_name_valid("a/b"));
	assert_false(wallet_store_name_valid("a b"));
	assert_false(wallet_store_name_valid(".."));
	char longname[WALLET_STORE_NAME_MAX + 2];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	assert_false(wallet_store_name_valid(longname)); /* limit + 1 */
	longname[WALLET_STORE_NAME_MAX] = '\0';
	assert_true(wallet_store_name_valid(longname));   /* limit */
	assert_true(wallet_store_name_valid("default"));
	assert_true(wallet_store_name_valid("my-wallet_2.old"));

	char *p = (char *)1;
	assert_int_equal(wallet_store_path(&p, "/d", KB_NET_MAIN, "../x"), KB_EINVAL);
	assert_null(p);
	assert_int_equal(wallet_store_path(&p, "/d", KB_NET_TEST3, "w"), KB_OK);
	assert_string_equal(p, "/d/testnet3/w.sqlite");
	kb_free(p);

	/* Opening a missing wallet: KB_ENOTFOUND, and no file (or lock) is created. */
	struct wallet_store *st = NULL;
	enum wallet_store_why why;
	char err[256];
	assert_int_equal(wallet_store_open(&st, tpath("missing.sqlite"), &why, err, sizeof err),
	                 KB_ENOTFOUND);
	assert_int_equal(why, WALLET_STORE_MISSING);
	assert_non_null(strstr(err, "does not exist"));
	assert_false(file_exists(tpath("missing.sqlite")));
	assert_false(file_exists(tpath("missing.lock")));

	/* Create on an existing file: KB_EEXIST, the file untouched. */
	spit(tpath("taken.sqlite"), "hello", 5);
	assert_int_equal(wallet_store_create(&st, tpath("taken.sqlite"), KB_NET_MAIN, 0, false,
	                                     &why, err, sizeof err), KB_EEXIST);
	assert_int_equal(why, WALLET_STORE_EXISTS);
	size_t n;
	uint8_t *b = slurp(tpath("taken.sqlite"), &n);
	assert_int_equal(n, 5);
	kb_free(b);
	/* A stale WAL beside the name would be replayed into a new wallet. */
	spit(tpath("stale.sqlite-wal"), "x", 1);
	assert_int_equal(wallet_store_create(&st, tpath("stale.sqlite"), KB_NET_MAIN, 0, false,
	                                     &why, err, sizeof err), KB_EEXIST);
	assert_false(file_exists(tpath("stale.sqlite")));
}

static void test_dirs_and_modes(void **state)
{
	(void)state;
	mode_t old = umask(0); /* the modes must not depend on the umask */
	char *dir = NULL;
	char err[256];
	assert_int_equal(wallet_store_prepare_dir(&dir, tpath("data/koban"), KB_NET_SIGNET,
	                                          err, sizeof err), KB_OK);
	assert_string_equal(dir, tpath("data/koban/signet"));
	struct stat sb;
	assert_int_equal(stat(tpath("data/koban"), &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	/* Idempotent. */
	assert_int_equal(wallet_store_prepare_dir(NULL, tpath("data/koban"), KB_NET_SIGNET,
	                                          err, sizeof err), KB_OK);
	char *path = NULL;
	assert_int_equal(wallet_store_path(&path, tpath("data/koban"), KB_NET_SIGNET, "w1"), KB_OK);
	struct wallet_store *st = NULL;
	assert_int_equal(wallet_store_create(&st, path, KB_NET_SIGNET, 1, false, NULL, err,
	                                     sizeof err), KB_OK);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(wallet_store_setting_set(st, "k", "v"), KB_OK);
	char wal[600];
	snprintf(wal, sizeof wal, "%s-wal", path);
	assert_int_equal(stat(wal, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	wallet_store_close(st);
	umask(old);

	/* A wallet found with loose permissions is tightened on open. */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(wallet_store_open(&st, path, NULL, err, sizeof err), KB_OK);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	wallet_store_close(st);

	/* A data directory below a file cannot be made. */
	spit(tpath("plainfile"), "x", 1);
	assert_int_equal(wallet_store_prepare_dir(NULL, tpath("plainfile/koban"), KB_NET_MAIN,
	                                          err, sizeof err), KB_EIO);

	/* Default data directory from XDG_DATA_HOME, else HOME. */
	char *saved_x = getenv("XDG_DATA_HOME") ? kb_strdup(getenv("XDG_DATA_HOME")) : NULL;
	char *saved_h = getenv("HOME") ? kb_strdup(getenv("HOME")) : NULL;
	char *dd = NULL;
	setenv("XDG_DATA_HOME", "/x/data", 1);
	assert_int_equal(wallet_store_default_datadir(&dd), KB_OK);
	assert_string_equal(dd, "/x/data/koban");
	kb_free(dd);
	setenv("XDG_DATA_HOME", "relative", 1); /* ignored: not absolute */
	setenv("HOME", "/home/u", 1);
	assert_int_equal(wallet_store_default_datadir(&dd), KB_OK);
	assert_string_equal(dd, "/home/u/.local/share/koban");
	kb_free(dd);
	unsetenv("XDG_DATA_HOME");
	unsetenv("HOME");
	assert_int_equal(wallet_store_default_datadir(&dd), KB_ENOTFOUND);
	assert_null(dd);
	if (saved_x)
		setenv("XDG_DATA_HOME", saved_x, 1);
	if (saved_h)
		setenv("HOME", saved_h, 1);
	kb_free(saved_x);
	kb_free(saved_h);
	kb_free(dir);
	kb_free(path);
}

static void test_create_reopen(void **state)
{
	(void)state;
	struct wallet_store *st = mk("a.sqlite");
	struct wallet_store_meta m, m2;
	assert_int_equal(wallet_store_meta_get(st, &m), KB_OK);
	assert_int_equal(m.net, KB_NET_REGTEST);
	assert_int_equal(m.created_time, 1700000000);
	assert_int_equal(m.birthday_height, -1);
	assert_false(m.watch_only);
	uint8_t zero[16] = { 0 };
	assert_memory_not_equal(m.wallet_id, zero, 16);
	assert_int_equal(wallet_store_meta_set_birthday(st, 800000, 1690000000), KB_OK);
	int64_t v;
	assert_int_equal(wallet_store_setting_get_int(st, WALLET_SETTING_CONFIRM_TARGET, &v), KB_OK);
	assert_int_equal(v, 6);
	assert_int_equal(wallet_store_setting_get_int(st, WALLET_SETTING_GAP_LIMIT, &v), KB_OK);
	assert_int_equal(v, 20);
	char *s = NULL;
	assert_int_equal(wallet_store_setting_get(st, WALLET_SETTING_BLOOM_FP_RATE, &s), KB_OK);
	assert_string_equal(s, "0.0005");
	kb_free(s);
	assert_int_equal(wallet_store_setting_get(st, "nope", &s), KB_ENOTFOUND);
	assert_null(s);
	assert_int_equal(wallet_store_setting_get(st, "", &s), KB_EINVAL);
	assert_int_equal(wallet_store_setting_set(st, "fee_url", "not a number"), KB_OK);
	assert_int_equal(wallet_store_setting_get_int(st, "fee_url", &v), KB_EPARSE);
	assert_int_equal(wallet_store_setting_set_int(st, "gap_limit", 50), KB_OK);
	wallet_store_close(st);

	/* Two wallets never share an id. */
	struct wallet_store *other = mk("b.sqlite");
	assert_int_equal(wallet_store_meta_get(other, &m2), KB_OK);
	assert_memory_not_equal(m.wallet_id, m2.wallet_id, 16);
	wallet_store_close(other);

	char err[256];
	enum wallet_store_why why;
	assert_int_equal(wallet_store_open(&st, tpath("a.sqlite"), &why, err, sizeof err), KB_OK);
	assert_int_equal(why, WALLET_STORE_FINE);
	assert_int_equal(wallet_store_meta_get(st, &m2), KB_OK);
	assert_memory_equal(m.wallet_id, m2.wallet_id, 16);
	assert_int_equal(m2.birthday_height, 800000);
	assert_int_equal(m2.birthday_time, 1690000000);
	assert_int_equal(wallet_store_setting_get_int(st, "gap_limit", &v), KB_OK);
	assert_int_equal(v, 50);
	assert_int_equal(wallet_store_meta_set_watch_only(st, true), KB_OK);
	assert_int_equal(wallet_store_meta_get(st, &m2), KB_OK);
	assert_true(m2.watch_only);
	assert_int_equal(wallet_store_integrity_check(st, err, sizeof err), KB_OK);
	assert_string_equal(wallet_store_filename(st), tpath("a.sqlite"));
	wallet_store_close(st);
	/* The file is WAL from birth (header bytes 18, 19 = 2) and carries KOBN. */
	size_t n;
	uint8_t *b = slurp(tpath("a.sqlite"), &n);
	assert_true(n >= 100);
	assert_int_equal(b[18], 2);
	assert_int_equal(b[19], 2);
	assert_memory_equal(b + 68, "KOBN", 4);
	kb_free(b);
	/* No temporary file is left beside it. */
	char tmpname[600];
	snprintf(tmpname, sizeof tmpname, "%s.new-%ld", tpath("a.sqlite"), (long)getpid());
	assert_false(file_exists(tmpname));
	wallet_store_close(NULL);
}

static void test_not_koban(void **state)
{
	(void)state;
	/* Random bytes. */
	uint8_t junk[8192];
	randombytes_buf(junk, sizeof junk);
	spit(tpath("random.sqlite"), junk, sizeof junk);
	expect_refused(tpath("random.sqlite"), KB_EPARSE, WALLET_STORE_NOT_KOBAN, "not a koban wallet");
	/* An empty file. */
	spit(tpath("empty.sqlite"), "", 0);
	expect_refused(tpath("empty.sqlite"), KB_EPARSE, WALLET_STORE_NOT_KOBAN, "empty");
	/* A short file that starts like SQLite. */
	spit(tpath("short.sqlite"), "SQLite format 3", 16);
	expect_refused(tpath("short.sqlite"), KB_EPARSE, WALLET_STORE_NOT_KOBAN, "not a koban wallet");
	/* Another application's SQLite database (WAL mode, with our table names). */
	raw_exec(tpath("other.sqlite"), "PRAGMA journal_mode=WAL; CREATE TABLE wallet(x);"
	         " CREATE TABLE tx(y); INSERT INTO tx VALUES (1);");
	expect_refused(tpath("other.sqlite"), KB_EPARSE, WALLET_STORE_NOT_KOBAN, "another application");
	/* One with another application_id. */
	raw_exec(tpath("app.sqlite"), "PRAGMA application_id = 1234; CREATE TABLE t(x);");
	expect_refused(tpath("app.sqlite"), KB_EPARSE, WALLET_STORE_NOT_KOBAN, "0x000004d2");
	/* Nothing was created beside them: no tables, no lock. */
	assert_false(file_exists(tpath("random.lock")));
	assert_false(file_exists(tpath("other.lock")));
	assert_false(file_exists(tpath("empty.sqlite-wal")));
	/* A FIFO: refused at once, not waited on. */
	assert_int_equal(mkfifo(tpath("fifo.sqlite"), 0600), 0);
	struct wallet_store *fst = NULL;
	assert_int_equal(wallet_store_open(&fst, tpath("fifo.sqlite"), NULL, NULL, 0), KB_EPARSE);
	/* A directory. */
	assert_int_equal(mkdir(tpath("dir.sqlite"), 0700), 0);
	struct wallet_store *st = NULL;
	enum wallet_store_why why;
	assert_int_equal(wallet_store_open(&st, tpath("dir.sqlite"), &why, NULL, 0), KB_EPARSE);
	assert_int_equal(why, WALLET_STORE_NOT_KOBAN);
}

static void test_newer_schema(void **state)
{
	(void)state;
	struct wallet_store *st = mk("newer.sqlite");
	wallet_store_close(st);
	raw_exec(tpath("newer.sqlite"), "PRAGMA user_version = 99;");
	expect_refused(tpath("newer.sqlite"), KB_EVERSION, WALLET_STORE_NEWER, "newer koban");
	/* The refusal is stable: a second attempt says the same. */
	expect_refused(tpath("newer.sqlite"), KB_EVERSION, WALLET_STORE_NEWER, "schema 99");
	/* A koban header with no schema at all (user_version 0). */
	raw_exec(tpath("bare.sqlite"), "PRAGMA application_id = 1263485518; CREATE TABLE t(x);");
	expect_refused(tpath("bare.sqlite"), KB_EDB, WALLET_STORE_CORRUPT, "incomplete");
	/* The right id and version but not the tables, or no identity row. */
	raw_exec(tpath("hollow.sqlite"), "PRAGMA application_id = 1263485518;"
	         " PRAGMA user_version = 1; CREATE TABLE wallet(x);");
	expect_refused(tpath("hollow.sqlite"), KB_EDB, WALLET_STORE_CORRUPT, "table setting is missing");
	struct wallet_store *st2 = mk("norow.sqlite");
	wallet_store_close(st2);
	raw_exec(tpath("norow.sqlite"), "DELETE FROM wallet;");
	expect_refused(tpath("norow.sqlite"), KB_EDB, WALLET_STORE_CORRUPT, "identity row");
}

static void test_corrupt(void **state)
{
	(void)state;
	struct wallet_store *st = mk("corrupt.sqlite");
	int64_t acc;
	struct wallet_store_account a = { .script_type = "wpkh", .descriptor = "wpkh(x)#aaaaaaaa" };
	assert_int_equal(wallet_store_account_insert(st, &acc, &a), KB_OK);
	for (uint32_t i = 0; i < 200; i++) {
		uint8_t spk[22] = { 0x00, 0x14 };
		memcpy(spk + 2, &i, sizeof i);
		struct wallet_store_address ad = { .account_id = acc, .index = i, .spk = spk,
		                                   .spk_len = sizeof spk };
		assert_int_equal(wallet_store_address_insert(st, NULL, &ad), KB_OK);
	}
	wallet_store_close(st);
	size_t n;
	uint8_t *b = slurp(tpath("corrupt.sqlite"), &n);
	assert_true(n >= 4 * 4096);
	/* Damage the b-tree header of pages 2..n: a page type SQLite never writes. */
	for (size_t off = 4096; off + 8 <= n; off += 4096)
		memset(b + off, 0x55, 8);
	spit(tpath("corrupt.sqlite"), b, n);
	kb_free(b);
	expect_refused(tpath("corrupt.sqlite"), KB_EDB, WALLET_STORE_CORRUPT, "damaged");
}

static void test_lock(void **state)
{
	(void)state;
	struct wallet_store *a = mk("locked.sqlite");
	struct wallet_store *b = (struct wallet_store *)&a;
	enum wallet_store_why why;
	char err[256];
	assert_int_equal(wallet_store_open(&b, tpath("locked.sqlite"), &why, err, sizeof err),
	                 KB_ELOCKED);
	assert_null(b);
	assert_int_equal(why, WALLET_STORE_LOCKED);
	char want[128];
	snprintf(want, sizeof want, "wallet locked is in use by another koban process (pid %ld)",
	         (long)getpid());
	assert_string_equal(err, want);
	/* Create under the same name is refused by the lock as well. */
	assert_int_equal(wallet_store_create(&b, tpath("locked.sqlite"), KB_NET_MAIN, 0, false,
	                                     &why, err, sizeof err), KB_ELOCKED);
	wallet_store_close(a);
	assert_int_equal(wallet_store_open(&b, tpath("locked.sqlite"), &why, err, sizeof err), KB_OK);
	wallet_store_close(b);

	/* Across processes: a child holds the wallet; we are refused with its pid. */
	int ready[2], go[2];
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char c = 0;
		if (wallet_store_open(&a, tpath("locked.sqlite"), NULL, NULL, 0) != KB_OK)
			_exit(3);
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(4);
		wallet_store_close(a);
		_exit(0);
	}
	char c;
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_int_equal(wallet_store_open(&b, tpath("locked.sqlite"), &why, err, sizeof err),
	                 KB_ELOCKED);
	snprintf(want, sizeof want, "(pid %ld)", (long)pid);
	assert_non_null(strstr(err, want));
	assert_int_equal(write(go[1], "g", 1), 1);
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(wallet_store_open(&b, tpath("locked.sqlite"), &why, err, sizeof err), KB_OK);
	wallet_store_close(b);
	close(ready[0]); close(ready[1]); close(go[0]); close(go[1]);
	struct stat sb;
	assert_int_equal(stat(tpath("locked.lock"), &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
}

/*
 * A process killed with the wallet open leaves a WAL that needs recovery,
 * which a read-only connection cannot do: the open must still succeed,
 * with every commit and nothing else. (The kill -9 loop is
 * tests/integration/crash_store.sh; this is the deterministic case.)
 */
static void test_reopen_after_kill(void **state)
{
	(void)state;
	struct wallet_store *st = mk("killed.sqlite");
	wallet_store_close(st);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char err[256];
		if (wallet_store_open(&st, tpath("killed.sqlite"), NULL, err, sizeof err) != KB_OK)
			_exit(3);
		for (int i = 0; i < 50; i++) {
			char k[16];
			snprintf(k, sizeof k, "k%d", i);
			if (wallet_store_setting_set_int(st, k, i) != KB_OK)
				_exit(4);
		}
		if (wallet_store_begin(st) != KB_OK || wallet_store_setting_set(st, "uncommitted", "1") != KB_OK)
			_exit(5);
		raise(SIGKILL);
		_exit(6);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_true(file_exists(tpath("killed.sqlite-wal")));
	/*
	 * A kill in the middle of a commit can leave the -shm index stale, so
	 * the next opener must rebuild it from the WAL: force that case.
	 */
	size_t shm_len;
	uint8_t *shm = slurp(tpath("killed.sqlite-shm"), &shm_len);
	assert_true(shm_len >= 136);
	memset(shm, 0, 136);
	spit(tpath("killed.sqlite-shm"), shm, shm_len);
	kb_free(shm);
	char err[256] = "";
	enum kb_rc rc = wallet_store_open(&st, tpath("killed.sqlite"), NULL, err, sizeof err);
	if (rc != KB_OK)
		fail_msg("reopen after kill: %s", err);
	int64_t v = -1;
	assert_int_equal(wallet_store_setting_get_int(st, "k49", &v), KB_OK);
	assert_int_equal(v, 49);
	char *t = NULL;
	assert_int_equal(wallet_store_setting_get(st, "uncommitted", &t), KB_ENOTFOUND);
	assert_int_equal(wallet_store_integrity_check(st, err, sizeof err), KB_OK);
	wallet_store_close(st);
}

/*
 * A hot rollback journal (a wallet switched out of WAL by another tool and
 * killed mid-write): a read-only connection cannot roll it back, so the
 * inspection is retried through a query_only read-write connection.
 */
static void test_hot_journal(void **state)
{
	(void)state;
	struct wallet_store *st = mk("hot.sqlite");
	assert_int_equal(wallet_store_setting_set(st, "kept", "1"), KB_OK);
	wallet_store_close(st);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		sqlite3 *db = NULL;
		if (sqlite3_open(tpath("hot.sqlite"), &db) != SQLITE_OK ||
		    sqlite3_exec(db, "PRAGMA journal_mode=DELETE; PRAGMA cache_size=1; BEGIN;"
		                 " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
		                 " WHERE i < 400) INSERT INTO setting SELECT 'x' || i,"
		                 " hex(randomblob(600)) FROM n;", NULL, NULL, NULL) != SQLITE_OK)
			_exit(3);
		raise(SIGKILL);
		_exit(4);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_true(file_exists(tpath("hot.sqlite-journal")));
	char err[256] = "";
	enum kb_rc rc = wallet_store_open(&st, tpath("hot.sqlite"), NULL, err, sizeof err);
	if (rc != KB_OK)
		fail_msg("open with a hot journal: %s", err);
	char *v = NULL;
	assert_int_equal(wallet_store_setting_get(st, "x1", &v), KB_ENOTFOUND);
	assert_int_equal(wallet_store_setting_get(st, "kept", &v), KB_OK);
	kb_free(v);
	assert_int_equal(wallet_store_integrity_check(st, err, sizeof err), KB_OK);
	wallet_store_close(st);
	assert_false(file_exists(tpath("hot.sqlite-journal")));
}

static void test_atomic(void **state)
{
	(void)state;
	struct wallet_store *st = mk("atomic.sqlite");
	assert_int_equal(wallet_store_commit(st), KB_EINVAL);   /* nothing open */
	assert_int_equal(wallet_store_rollback(st), KB_EINVAL);
	struct wallet_store_account a = { .script_type = "wpkh", .descriptor = "wpkh(a)#aaaaaaaa",
	                                  .account_index = 0 };
	int64_t id;
	uint8_t spk1[] = { 0x00, 0x14, 1, 2, 3 };
	uint8_t spk2[] = { 0x00, 0x14, 4, 5, 6 };
	/* Rolled back: nothing stays. */
	assert_int_equal(wallet_store_begin(st), KB_OK);
	assert_int_equal(wallet_store_account_insert(st, &id, &a), KB_OK);
	struct wallet_store_address ad = { .account_id = id, .spk = spk1, .spk_len = sizeof spk1 };
	assert_int_equal(wallet_store_address_insert(st, NULL, &ad), KB_OK);
	assert_int_equal(wallet_store_setting_set(st, "x", "1"), KB_OK);
	assert_int_equal(wallet_store_txn_depth(st), 1);
	assert_int_equal(wallet_store_rollback(st), KB_OK);
	struct wallet_store_account *accs;
	size_t n;
	assert_int_equal(wallet_store_account_list(st, &accs, &n), KB_OK);
	assert_int_equal(n, 0);
	assert_null(accs);
	char *v;
	assert_int_equal(wallet_store_setting_get(st, "x", &v), KB_ENOTFOUND);

	/* Nested: the inner rollback undoes only the inner level. */
	assert_int_equal(wallet_store_begin(st), KB_OK);
	assert_int_equal(wallet_store_account_insert(st, &id, &a), KB_OK);
	assert_int_equal(wallet_store_begin(st), KB_OK);
	ad.account_id = id;
	assert_int_equal(wallet_store_address_insert(st, NULL, &ad), KB_OK);
	assert_int_equal(wallet_store_txn_depth(st), 2);
	assert_int_equal(wallet_store_rollback(st), KB_OK);
	/* A failing write inside the transaction undoes only itself. */
	ad.spk = spk2;
	assert_int_equal(wallet_store_address_insert(st, NULL, &ad), KB_OK);
	ad.index = 1; /* same script again */
	assert_int_equal(wallet_store_address_insert(st, NULL, &ad), KB_EEXIST);
	assert_int_equal(wallet_store_commit(st), KB_OK);
	assert_int_equal(wallet_store_txn_depth(st), 0);
	struct wallet_store_address *addrs;
	assert_int_equal(wallet_store_address_list(st, &addrs, &n, 0, -1), KB_OK);
	assert_int_equal(n, 1);
	assert_memory_equal(addrs[0].spk, spk2, sizeof spk2);
	wallet_store_address_list_free(addrs, n);

	/* Closing with a transaction open rolls it back. */
	assert_int_equal(wallet_store_begin(st), KB_OK);
	assert_int_equal(wallet_store_setting_set(st, "lost", "1"), KB_OK);
	wallet_store_close(st);
	char err[256];
	assert_int_equal(wallet_store_open(&st, tpath("atomic.sqlite"), NULL, err, sizeof err), KB_OK);
	assert_int_equal(wallet_store_setting_get(st, "lost", &v), KB_ENOTFOUND);
	assert_int_equal(wallet_store_account_list(st, &accs, &n), KB_OK);
	assert_int_equal(n, 1);
	wallet_store_account_list_free(accs, n);
	wallet_store_close(st);
}

static void test_accounts_addresses(void **state)
{
	(void)state;
	struct wallet_store *st = mk("addr.sqlite");
	int64_t id = 0;
	struct wallet_store_account bad = { .script_type = "wpkh" };
	assert_int_equal(wallet_store_account_insert(st, &id, &bad), KB_EINVAL);
	struct wallet_store_account a = {
		.script_type = "wpkh", .account_index = 0, .has_fingerprint = true,
		.fingerprint = { 0x73, 0xc5, 0xda, 0x0a }, .origin_path = "84h/1h/0h",
		.xpub = "tpubX", .descriptor = "wpkh([73c5da0a/84h/1h/0h]tpubX/0/*)#abcdefgh",
		.change_descriptor = "wpkh([73c5da0a/84h/1h/0h]tpubX/1/*)#hgfedcba",
		.label = "main", .created_time = 5,
	};
	assert_int_equal(wallet_store_account_insert(st, &id, &a), KB_OK);
	assert_true(id > 0);
	int64_t id2;
	assert_int_equal(wallet_store_account_insert(st, &id2, &a), KB_EEXIST);
	struct wallet_store_account g;
	assert_int_equal(wallet_store_account_get(st, id, &g), KB_OK);
	assert_string_equal(g.descriptor, a.descriptor);
	assert_string_equal(g.change_descriptor, a.change_descriptor);
	assert_string_equal(g.origin_path, "84h/1h/0h");
	assert_true(g.has_fingerprint);
	assert_memory_equal(g.fingerprint, a.fingerprint, 4);
	assert_int_equal(g.next_index[0], 0);
	wallet_store_account_clear(&g);
	assert_int_equal(wallet_store_account_get(st, 999, &g), KB_ENOTFOUND);
	assert_int_equal(wallet_store_account_set_next_index(st, id, 1, 7), KB_OK);
	assert_int_equal(wallet_store_account_set_next_index(st, id, 2, 7), KB_EINVAL);
	assert_int_equal(wallet_store_account_set_next_index(st, 999, 0, 7), KB_ENOTFOUND);
	assert_int_equal(wallet_store_account_get(st, id, &g), KB_OK);
	assert_int_equal(g.next_index[0], 0);
	assert_int_equal(g.next_index[1], 7);
	wallet_store_account_clear(&g);

	uint8_t spk[22] = { 0x00, 0x14 };
	struct wallet_store_address ad = { .account_id = 999, .spk = spk, .spk_len = sizeof spk };
	assert_int_equal(wallet_store_address_insert(st, NULL, &ad), KB_ENOTFOUND); /* no account */
	ad.account_id = id;
	ad.chain = 2;
	assert_int_equal(wallet_store_address_insert(st, NULL, &ad), KB_EINVAL);
	ad.chain = 0;
	ad.index = 0x80000000u;
	assert_int_equal(wallet_store_address_insert(st, NULL, &ad), KB_EINVAL);
	ad.spk_len = 0;
	ad.index = 0;
	assert_int_equal(wallet_store_address_insert(st, NULL, &ad), KB_EINVAL);
	ad.spk_len = WALLET_STORE_SPK_MAX + 1;
	assert_int_equal(wallet_store_address_insert(st, NULL, &ad), KB_ELIMIT);
	for (unsigned chain = 0; chain < 2; chain++) {
		for (uint32_t i = 0; i < 5; i++) {
			spk[2] = (uint8_t)chain;
			spk[3] = (uint8_t)i;
			struct wallet_store_address x = { .account_id = id, .chain = chain, .index = i,
			                                  .spk = spk, .spk_len = sizeof spk,
			                                  .address = "bcrt1q..." };
			int64_t aid;
			assert_int_equal(wallet_store_address_insert(st, &aid, &x), KB_OK);
			assert_true(aid > 0);
		}
	}
	int64_t maxd, maxu;
	assert_int_equal(wallet_store_address_indexes(st, &maxd, &maxu, id, 0), KB_OK);
	assert_int_equal(maxd, 4);
	assert_int_equal(maxu, -1);
	spk[2] = 0;
	spk[3] = 2;
	assert_int_equal(wallet_store_address_mark_used(st, spk, sizeof spk, -1), KB_OK);
	assert_int_equal(wallet_store_address_mark_used(st, spk, sizeof spk, 120), KB_OK);
	assert_int_equal(wallet_store_address_mark_used(st, spk, sizeof spk, 130), KB_OK);
	struct wallet_store_address got;
	assert_int_equal(wallet_store_address_get_by_spk(st, &got, spk, sizeof spk), KB_OK);
	assert_true(got.used);
	assert_int_equal(got.first_seen_height, 120);
	assert_int_equal(got.index, 2);
	assert_string_equal(got.address, "bcrt1q...");
	wallet_store_address_clear(&got);
	assert_int_equal(wallet_store_address_indexes(st, &maxd, &maxu, id, 0), KB_OK);
	assert_int_equal(maxu, 2);
	assert_int_equal(wallet_store_address_next_unused(st, &got, id, 0), KB_OK);
	assert_int_equal(got.index, 0);
	wallet_store_address_clear(&got);
	assert_int_equal(wallet_store_address_set_label(st, spk, sizeof spk, "rent"), KB_OK);
	assert_int_equal(wallet_store_address_get(st, &got, id, 0, 2), KB_OK);
	assert_string_equal(got.label, "rent");
	wallet_store_address_clear(&got);
	assert_int_equal(wallet_store_address_set_label(st, spk, sizeof spk, ""), KB_OK);
	assert_int_equal(wallet_store_address_get(st, &got, id, 0, 2), KB_OK);
	assert_null(got.label);
	wallet_store_address_clear(&got);
	uint8_t other[3] = { 1, 2, 3 };
	assert_int_equal(wallet_store_address_get_by_spk(st, &got, other, 3), KB_ENOTFOUND);
	assert_int_equal(wallet_store_address_mark_used(st, other, 3, 1), KB_ENOTFOUND);
	assert_int_equal(wallet_store_address_get(st, &got, id, 1, 99), KB_ENOTFOUND);
	struct wallet_store_address *list;
	size_t n;
	assert_int_equal(wallet_store_address_list(st, &list, &n, id, 1), KB_OK);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(list[i].index, i);
	wallet_store_address_list_free(list, n);
	assert_int_equal(wallet_store_address_list(st, &list, &n, 0, -1), KB_OK);
	assert_int_equal(n, 10);
	wallet_store_address_list_free(list, n);
	wallet_store_close(st);
}

static struct hash256 h(uint8_t x)
{
	struct hash256 r;
	memset(r.b, x, sizeof r.b);
	return r;
}

static void test_transactions(void **state)
{
	(void)state;
	struct wallet_store *st = mk("tx.sqlite");
	struct hash256 t1 = h(1), t2 = h(2), t3 = h(3), blk = h(0xb0), ext = h(0xee);
	uint8_t raw[] = { 2, 0, 0, 0, 0, 1 };
	bool ins = true;
	assert_int_equal(wallet_store_tx_upsert(st, &ins, &t1, NULL, 0, -1, NULL, 0, 10, -1), KB_EINVAL);
	assert_false(ins);
	assert_int_equal(wallet_store_tx_upsert(st, NULL, &t1, raw, WALLET_STORE_RAWTX_MAX + 1, -1,
	                                        NULL, 0, 10, -1), KB_ELIMIT);
	assert_int_equal(wallet_store_tx_upsert(st, NULL, &t1, raw, sizeof raw, -5, &blk, 0, 10, -1),
	                 KB_EINVAL);
	/* Unconfirmed, then confirmed, then a late mempool announcement. */
	assert_int_equal(wallet_store_tx_upsert(st, &ins, &t1, raw, sizeof raw, -1, NULL, 0, 10, -1), KB_OK);
	assert_true(ins);
	struct wallet_store_tx t;
	assert_int_equal(wallet_store_tx_get(st, &t, &t1), KB_OK);
	assert_int_equal(t.state, WALLET_TX_PENDING);
	assert_int_equal(t.height, -1);
	assert_int_equal(t.fee, -1);
	assert_int_equal(t.raw_len, sizeof raw);
	wallet_store_tx_clear(&t);
	assert_int_equal(wallet_store_tx_upsert(st, &ins, &t1, raw, sizeof raw, 101, &blk, 1234, 99, 500), KB_OK);
	assert_false(ins);
	assert_int_equal(wallet_store_tx_upsert(st, &ins, &t1, raw, sizeof raw, -1, NULL, 0, 99, 700), KB_OK);
	assert_int_equal(wallet_store_tx_get(st, &t, &t1), KB_OK);
	assert_int_equal(t.state, WALLET_TX_CONFIRMED);
	assert_int_equal(t.height, 101);
	assert_int_equal(t.block_time, 1234);
	assert_memory_equal(t.block_hash.b, blk.b, 32);
	assert_int_equal(t.first_seen, 10);  /* the first sighting stays */
	assert_int_equal(t.fee, 500);        /* the first known fee stays */
	wallet_store_tx_clear(&t);
	assert_int_equal(wallet_store_tx_set_label(st, &t1, "salary"), KB_OK);
	assert_int_equal(wallet_store_tx_set_label(st, &ext, "x"), KB_ENOTFOUND);

	/* An output of t1, spent by t2 (pending), t3 conflicting with t2. */
	uint8_t spk[] = { 0x00, 0x14, 9, 9 };
	struct wallet_store_output o = { .txid = t1, .vout = 0, .value = 50000, .spk = spk,
	                                 .spk_len = sizeof spk };
	struct wallet_store_output bado = o;
	bado.value = INT64_C(2100000000000001);
	assert_int_equal(wallet_store_output_insert(st, &bado), KB_EINVAL);
	bado = o;
	bado.txid = ext;
	assert_int_equal(wallet_store_output_insert(st, &bado), KB_ENOTFOUND); /* tx not recorded */
	assert_int_equal(wallet_store_output_insert(st, &o), KB_OK);
	assert_int_equal(wallet_store_output_insert(st, &o), KB_OK); /* idempotent */
	o.vout = 1;
	o.value = 7000;
	o.coinbase = true;
	assert_int_equal(wallet_store_output_insert(st, &o), KB_OK);
	struct wallet_store_output *u;
	size_t n;
	assert_int_equal(wallet_store_utxo_list(st, &u, &n), KB_OK);
	assert_int_equal(n, 2);
	assert_int_equal(u[0].value, 50000);
	assert_int_equal(u[0].height, 101);
	assert_int_equal(u[1].coinbase, true);
	assert_int_equal(u[0].chain, -1);
	wallet_store_output_list_free(u, n);

	assert_int_equal(wallet_store_output_set_frozen(st, &t1, 1, true), KB_OK);
	assert_int_equal(wallet_store_output_set_frozen(st, &t1, 7, true), KB_ENOTFOUND);
	assert_int_equal(wallet_store_output_set_label(st, &t1, 1, "cold"), KB_OK);
	struct wallet_store_output g;
	assert_int_equal(wallet_store_output_get(st, &g, &t1, 1), KB_OK);
	assert_true(g.frozen);
	assert_string_equal(g.label, "cold");
	wallet_store_output_clear(&g);

	assert_int_equal(wallet_store_spend_insert(st, &t1, 0, &t2, 0), KB_ENOTFOUND); /* t2 unknown */
	assert_int_equal(wallet_store_tx_upsert(st, NULL, &t2, raw, sizeof raw, -1, NULL, 0, 20, -1), KB_OK);
	assert_int_equal(wallet_store_spend_insert(st, &t1, 0, &t2, 0), KB_OK);
	assert_int_equal(wallet_store_spend_insert(st, &t1, 0, &t2, 0), KB_OK);
	assert_int_equal(wallet_store_utxo_list(st, &u, &n), KB_OK);
	assert_int_equal(n, 1);
	assert_int_equal(u[0].vout, 1);
	assert_true(u[0].frozen);
	wallet_store_output_list_free(u, n);
	assert_int_equal(wallet_store_output_get(st, &g, &t1, 0), KB_OK);
	assert_true(g.spent);
	assert_false(g.spent_confirmed);
	wallet_store_output_clear(&g);

	/* t3 spends the same outpoint and confirms: t2 is conflicted. */
	assert_int_equal(wallet_store_tx_upsert(st, NULL, &t3, raw, sizeof raw, 102, &blk, 1300, 30, -1), KB_OK);
	assert_int_equal(wallet_store_spend_insert(st, &t1, 0, &t3, 0), KB_OK);
	struct hash256 *sp;
	assert_int_equal(wallet_store_spend_list(st, &sp, &n, &t1, 0), KB_OK);
	assert_int_equal(n, 2);
	assert_memory_equal(sp[0].b, t2.b, 32);
	assert_memory_equal(sp[1].b, t3.b, 32);
	kb_free(sp);
	assert_int_equal(wallet_store_tx_set_state(st, &t2, WALLET_TX_CONFLICTED), KB_OK);
	assert_int_equal(wallet_store_tx_set_state(st, &t2, WALLET_TX_CONFIRMED), KB_EINVAL);
	assert_int_equal(wallet_store_tx_set_state(st, &ext, WALLET_TX_REPLACED), KB_ENOTFOUND);
	assert_int_equal(wallet_store_output_get(st, &g, &t1, 0), KB_OK);
	assert_true(g.spent_confirmed);
	wallet_store_output_clear(&g);

	/* A reorganisation back to height 100: t1 and t3 pending again. */
	size_t changed = 0;
	assert_int_equal(wallet_store_tx_unconfirm_above(st, &changed, 101), KB_OK);
	assert_int_equal(changed, 1);
	assert_int_equal(wallet_store_tx_unconfirm_above(st, &changed, 100), KB_OK);
	assert_int_equal(changed, 1);
	struct wallet_store_tx *list;
	assert_int_equal(wallet_store_tx_list(st, &list, &n), KB_OK);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(list[i].height, -1);
	assert_memory_equal(list[0].txid.b, t1.b, 32); /* by first_seen */
	assert_int_equal(list[0].state, WALLET_TX_PENDING);
	assert_string_equal(list[0].label, "salary");
	assert_int_equal(list[1].state, WALLET_TX_CONFLICTED);
	wallet_store_tx_list_free(list, n);
	assert_int_equal(wallet_store_output_list(st, &u, &n), KB_OK);
	assert_int_equal(n, 2);
	assert_int_equal(u[0].tx_state, WALLET_TX_PENDING);
	wallet_store_output_list_free(u, n);
	assert_int_equal(wallet_store_tx_get(st, &t, &ext), KB_ENOTFOUND);

	/* Sync state. */
	int64_t height;
	struct hash256 tip;
	assert_int_equal(wallet_store_sync_get(st, &height, &tip), KB_ENOTFOUND);
	assert_int_equal(height, -1);
	assert_int_equal(wallet_store_sync_set(st, -1, &blk), KB_EINVAL);
	assert_int_equal(wallet_store_sync_set(st, 100, &blk), KB_OK);
	assert_int_equal(wallet_store_sync_set(st, 101, &t3), KB_OK);
	assert_int_equal(wallet_store_sync_get(st, &height, &tip), KB_OK);
	assert_int_equal(height, 101);
	assert_memory_equal(tip.b, t3.b, 32);
	char err[256];
	assert_int_equal(wallet_store_integrity_check(st, err, sizeof err), KB_OK);
	wallet_store_close(st);
}

static void test_peers_bans(void **state)
{
	(void)state;
	struct wallet_store *st = mk("peers.sqlite");
	struct wallet_store_peer p = { .host = "127.0.0.1", .port = 18444, .net_type = WALLET_PEER_IPV4,
	                               .services = UINT64_C(0x8000000000000409), .last_seen = 10,
	                               .last_try = -1, .last_success = -1, .source = "dns" };
	assert_int_equal(wallet_store_peer_upsert(st, &p), KB_OK);
	p.host = "::1";
	p.net_type = WALLET_PEER_IPV6;
	p.tried = true;
	p.last_success = 20;
	assert_int_equal(wallet_store_peer_upsert(st, &p), KB_OK);
	p.attempts = 3;
	assert_int_equal(wallet_store_peer_upsert(st, &p), KB_OK); /* replaces */
	p.host = "";
	assert_int_equal(wallet_store_peer_upsert(st, &p), KB_EINVAL);
	struct wallet_store_peer *list;
	size_t n;
	assert_int_equal(wallet_store_peer_list(st, &list, &n, 0), KB_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].host, "::1"); /* tried first */
	assert_int_equal(list[0].attempts, 3);
	assert_int_equal(list[1].services, UINT64_C(0x8000000000000409));
	assert_int_equal(list[1].last_try, -1);
	wallet_store_peer_list_free(list, n);
	assert_int_equal(wallet_store_peer_list(st, &list, &n, 1), KB_OK);
	assert_int_equal(n, 1);
	wallet_store_peer_list_free(list, n);
	assert_int_equal(wallet_store_peer_delete(st, "::1", 18444), KB_OK);
	assert_int_equal(wallet_store_peer_delete(st, "::1", 18444), KB_ENOTFOUND);

	bool banned = true;
	assert_int_equal(wallet_store_ban_check(st, &banned, "10.0.0.1", 100), KB_OK);
	assert_false(banned);
	assert_int_equal(wallet_store_ban_add(st, "10.0.0.1", "bad merkle proof", 200, 100), KB_OK);
	assert_int_equal(wallet_store_ban_add(st, "10.0.0.2", "withheld tx", 150, 100), KB_OK);
	assert_int_equal(wallet_store_ban_check(st, &banned, "10.0.0.1", 199), KB_OK);
	assert_true(banned);
	assert_int_equal(wallet_store_ban_check(st, &banned, "10.0.0.1", 200), KB_OK);
	assert_false(banned);
	size_t pruned;
	assert_int_equal(wallet_store_ban_prune(st, &pruned, 160), KB_OK);
	assert_int_equal(pruned, 1);
	struct wallet_store_ban *bans;
	assert_int_equal(wallet_store_ban_list(st, &bans, &n), KB_OK);
	assert_int_equal(n, 1);
	assert_string_equal(bans[0].reason, "bad merkle proof");
	wallet_store_ban_list_free(bans, n);
	wallet_store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_dirs_and_modes),
		cmocka_unit_test(test_create_reopen),
		cmocka_unit_test(test_not_koban),
		cmocka_unit_test(test_newer_schema),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_lock),
		cmocka_unit_test(test_reopen_after_kill),
		cmocka_unit_test(test_hot_journal),
		cmocka_unit_test(test_atomic),
		cmocka_unit_test(test_accounts_addresses),
		cmocka_unit_test(test_transactions),
		cmocka_unit_test(test_peers_bans),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
