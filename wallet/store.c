/*
 * The wallet store (see store.h for the contract and invariants).
 *
 * Layout of this file: schema and migrations; the prepared-statement table;
 * small helpers; paths and the lock; open/create; transactions; then the
 * typed functions in the order of the header.
 */
#include "wallet/store.h"

#include "wallet/log.h"
#include "wallet/mem.h"

#include <sqlite3.h>
#include <sodium.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SUB "store"
#define MAX_MONEY INT64_C(2100000000000000)

/* ---- Schema ----------------------------------------------------------------
 *
 * migrations[v] moves a wallet from user_version v to v+1, in one
 * transaction that also sets user_version. Append only: a step, once
 * released, is never edited. Tables are STRICT so a wrong type is an error,
 * not a silent conversion. Confirmations are not stored anywhere.
 */
static const char schema_v1[] =
	/* One row: who this wallet is. */
	"CREATE TABLE wallet ("
	" one INTEGER PRIMARY KEY CHECK (one = 1),"
	" wallet_id BLOB NOT NULL CHECK (length(wallet_id) = 16),"
	" network INTEGER NOT NULL CHECK (network BETWEEN 0 AND 4),"
	" created_time INTEGER NOT NULL,"
	" birthday_height INTEGER,"          /* NULL: unknown */
	" birthday_time INTEGER,"
	" watch_only INTEGER NOT NULL CHECK (watch_only IN (0, 1)),"
	" bloom_tweak INTEGER NOT NULL"
	") STRICT;"
	"CREATE TABLE setting ("
	" key TEXT PRIMARY KEY NOT NULL,"
	" value TEXT NOT NULL"
	") STRICT;"
	/* The sealed secrets (wallet/keystore.c): ciphertext only. */
	"CREATE TABLE keystore ("
	" one INTEGER PRIMARY KEY CHECK (one = 1),"
	" format_version INTEGER NOT NULL,"
	" kdf_alg INTEGER NOT NULL,"
	" kdf_opslimit INTEGER NOT NULL,"
	" kdf_memlimit INTEGER NOT NULL,"
	" salt BLOB NOT NULL CHECK (length(salt) = 16),"
	" nonce BLOB NOT NULL CHECK (length(nonce) = 24),"
	" ciphertext BLOB NOT NULL,"
	" updated_time INTEGER NOT NULL"
	") STRICT;"
	"CREATE TABLE account ("
	" id INTEGER PRIMARY KEY,"
	" script_type TEXT NOT NULL,"        /* pkh, sh-wpkh, wpkh, tr, ... */
	" account_index INTEGER,"            /* NULL: imported descriptor */
	" fingerprint BLOB CHECK (fingerprint IS NULL OR length(fingerprint) = 4),"
	" origin_path TEXT,"
	" xpub TEXT,"
	" descriptor TEXT NOT NULL UNIQUE,"  /* receive chain, with checksum */
	" change_descriptor TEXT UNIQUE,"    /* change chain, with checksum */
	" next_index_receive INTEGER NOT NULL DEFAULT 0,"
	" next_index_change INTEGER NOT NULL DEFAULT 0,"
	" label TEXT,"
	" created_time INTEGER NOT NULL"
	") STRICT;"
	"CREATE TABLE address ("
	" id INTEGER PRIMARY KEY,"
	" account_id INTEGER NOT NULL REFERENCES account(id),"
	" chain INTEGER NOT NULL CHECK (chain IN (0, 1)),"
	" idx INTEGER NOT NULL CHECK (idx >= 0 AND idx < 2147483648),"
	" spk BLOB NOT NULL UNIQUE,"
	" address TEXT,"
	" label TEXT,"
	" used INTEGER NOT NULL DEFAULT 0 CHECK (used IN (0, 1)),"
	" first_seen_height INTEGER,"        /* lowest block height seen; NULL none */
	" UNIQUE (account_id, chain, idx)"
	") STRICT;"
	"CREATE TABLE tx ("
	" txid BLOB PRIMARY KEY NOT NULL CHECK (length(txid) = 32),"
	" raw BLOB NOT NULL,"
	" height INTEGER,"                   /* NULL: not in a block */
	" block_hash BLOB CHECK (block_hash IS NULL OR length(block_hash) = 32),"
	" block_time INTEGER,"
	" first_seen INTEGER NOT NULL,"
	" state INTEGER NOT NULL CHECK (state BETWEEN 0 AND 3),"
	" fee INTEGER,"                      /* NULL: unknown */
	" label TEXT,"
	" CHECK ((height IS NULL) = (block_hash IS NULL)),"
	" CHECK ((state = 1) = (height IS NOT NULL))"
	") STRICT;"
	"CREATE INDEX tx_height ON tx(height);"
	/* The wallet's outputs (outputs of wallet transactions that pay it). */
	"CREATE TABLE output ("
	" txid BLOB NOT NULL REFERENCES tx(txid) ON DELETE CASCADE,"
	" vout INTEGER NOT NULL CHECK (vout >= 0 AND vout < 4294967296),"
	" value INTEGER NOT NULL CHECK (value >= 0 AND value <= 2100000000000000),"
	" spk BLOB NOT NULL,"
	" address_id INTEGER REFERENCES address(id),"
	" is_change INTEGER NOT NULL DEFAULT 0 CHECK (is_change IN (0, 1)),"
	" coinbase INTEGER NOT NULL DEFAULT 0 CHECK (coinbase IN (0, 1)),"
	" frozen INTEGER NOT NULL DEFAULT 0 CHECK (frozen IN (0, 1)),"
	" label TEXT,"
	" PRIMARY KEY (txid, vout)"
	") STRICT;"
	"CREATE INDEX output_address ON output(address_id);"
	/* Every input of every wallet transaction: outpoint -> spender. */
	"CREATE TABLE spend ("
	" prev_txid BLOB NOT NULL CHECK (length(prev_txid) = 32),"
	" prev_vout INTEGER NOT NULL,"
	" txid BLOB NOT NULL REFERENCES tx(txid) ON DELETE CASCADE,"
	" vin INTEGER NOT NULL,"
	" PRIMARY KEY (prev_txid, prev_vout, txid)"
	") STRICT;"
	"CREATE INDEX spend_tx ON spend(txid);"
	"CREATE TABLE sync_state ("
	" one INTEGER PRIMARY KEY CHECK (one = 1),"
	" height INTEGER NOT NULL,"
	" block_hash BLOB NOT NULL CHECK (length(block_hash) = 32),"
	" updated_time INTEGER NOT NULL"
	") STRICT;"
	"CREATE TABLE peer ("
	" host TEXT NOT NULL,"
	" port INTEGER NOT NULL CHECK (port BETWEEN 0 AND 65535),"
	" net_type INTEGER NOT NULL,"
	" services INTEGER NOT NULL DEFAULT 0,"
	" last_seen INTEGER,"
	" last_try INTEGER,"
	" last_success INTEGER,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" tried INTEGER NOT NULL DEFAULT 0 CHECK (tried IN (0, 1)),"
	" source TEXT,"
	" PRIMARY KEY (host, port)"
	") STRICT;"
	"CREATE TABLE ban ("
	" host TEXT PRIMARY KEY NOT NULL,"
	" reason TEXT NOT NULL,"
	" until INTEGER NOT NULL,"
	" created INTEGER NOT NULL"
	") STRICT;";

static const char *const migrations[WALLET_STORE_SCHEMA_VERSION] = {
	schema_v1,
};

/* Tables every wallet of schema >= 1 has (checked on open). */
static const char *const required_tables[] = {
	"wallet", "setting", "keystore", "account", "address", "tx", "output", "spend",
	"sync_state", "peer", "ban",
};

/* ---- Prepared statements ---------------------------------------------- */

#define OUTPUT_SELECT \
	"SELECT o.txid, o.vout, o.value, o.spk, o.address_id, a.account_id, a.chain, a.idx," \
	" o.is_change, o.coinbase, o.frozen, o.label, t.state, t.height," \
	" EXISTS (SELECT 1 FROM spend s JOIN tx x ON x.txid = s.txid" \
	"  WHERE s.prev_txid = o.txid AND s.prev_vout = o.vout AND x.state IN (0, 1))," \
	" EXISTS (SELECT 1 FROM spend s JOIN tx x ON x.txid = s.txid" \
	"  WHERE s.prev_txid = o.txid AND s.prev_vout = o.vout AND x.state = 1)" \
	" FROM output o JOIN tx t ON t.txid = o.txid LEFT JOIN address a ON a.id = o.address_id"
#define ACCOUNT_SELECT \
	"SELECT id, script_type, account_index, fingerprint, origin_path, xpub, descriptor," \
	" change_descriptor, next_index_receive, next_index_change, label, created_time FROM account"
#define ADDRESS_SELECT \
	"SELECT id, account_id, chain, idx, spk, address, label, used, first_seen_height FROM address"
#define TX_SELECT \
	"SELECT txid, raw, height, block_hash, block_time, first_seen, state, fee, label FROM tx"
#define TX_ORDER " ORDER BY height IS NULL, height, first_seen, txid"

#define STATEMENTS(X) \
	X(META_GET, "SELECT wallet_id, network, created_time, birthday_height, birthday_time," \
	            " watch_only, bloom_tweak FROM wallet WHERE one = 1") \
	X(META_BIRTHDAY, "UPDATE wallet SET birthday_height = ?1, birthday_time = ?2 WHERE one = 1") \
	X(META_WATCH, "UPDATE wallet SET watch_only = ?1 WHERE one = 1") \
	X(SET_GET, "SELECT value FROM setting WHERE key = ?1") \
	X(SET_PUT, "INSERT INTO setting (key, value) VALUES (?1, ?2)" \
	           " ON CONFLICT (key) DO UPDATE SET value = excluded.value") \
	X(KS_GET, "SELECT format_version, kdf_alg, kdf_opslimit, kdf_memlimit, salt, nonce," \
	          " ciphertext FROM keystore WHERE one = 1") \
	X(KS_PUT, "INSERT OR REPLACE INTO keystore (one, format_version, kdf_alg, kdf_opslimit," \
	          " kdf_memlimit, salt, nonce, ciphertext, updated_time)" \
	          " VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)") \
	X(ACC_INSERT, "INSERT INTO account (script_type, account_index, fingerprint, origin_path," \
	              " xpub, descriptor, change_descriptor, label, created_time)" \
	              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)") \
	X(ACC_GET, ACCOUNT_SELECT " WHERE id = ?1") \
	X(ACC_LIST, ACCOUNT_SELECT " ORDER BY id") \
	X(ACC_NEXT, "UPDATE account SET" \
	            " next_index_receive = CASE WHEN ?2 = 0 THEN ?3 ELSE next_index_receive END," \
	            " next_index_change = CASE WHEN ?2 = 1 THEN ?3 ELSE next_index_change END" \
	            " WHERE id = ?1") \
	X(ADDR_INSERT, "INSERT INTO address (account_id, chain, idx, spk, address)" \
	               " VALUES (?1, ?2, ?3, ?4, ?5)") \
	X(ADDR_BY_SPK, ADDRESS_SELECT " WHERE spk = ?1") \
	X(ADDR_BY_IDX, ADDRESS_SELECT " WHERE account_id = ?1 AND chain = ?2 AND idx = ?3") \
	X(ADDR_MARK, "UPDATE address SET used = 1, first_seen_height = CASE" \
	             " WHEN ?2 < 0 THEN first_seen_height" \
	             " WHEN first_seen_height IS NULL OR ?2 < first_seen_height THEN ?2" \
	             " ELSE first_seen_height END WHERE spk = ?1") \
	X(ADDR_LABEL, "UPDATE address SET label = ?2 WHERE spk = ?1") \
	X(ADDR_LIST, ADDRESS_SELECT " WHERE (?1 = 0 OR account_id = ?1) AND (?2 < 0 OR chain = ?2)" \
	             " ORDER BY account_id, chain, idx") \
	X(ADDR_NEXT_UNUSED, ADDRESS_SELECT " WHERE account_id = ?1 AND chain = ?2 AND used = 0" \
	                    " ORDER BY idx LIMIT 1") \
	X(ADDR_INDEXES, "SELECT MAX(idx), MAX(CASE WHEN used = 1 THEN idx END) FROM address" \
	                " WHERE account_id = ?1 AND chain = ?2") \
	X(ACC_EXISTS, "SELECT 1 FROM account WHERE id = ?1") \
	X(TX_STATE_GET, "SELECT state, fee FROM tx WHERE txid = ?1") \
	X(TX_INSERT, "INSERT INTO tx (txid, raw, height, block_hash, block_time, first_seen, state, fee)" \
	             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)") \
	X(TX_CONFIRM, "UPDATE tx SET height = ?2, block_hash = ?3, block_time = ?4, state = 1" \
	              " WHERE txid = ?1") \
	X(TX_FEE, "UPDATE tx SET fee = ?2 WHERE txid = ?1 AND fee IS NULL") \
	X(TX_GET, TX_SELECT " WHERE txid = ?1") \
	X(TX_LIST, TX_SELECT TX_ORDER) \
	X(TX_SET_STATE, "UPDATE tx SET state = ?2, height = NULL, block_hash = NULL," \
	                " block_time = NULL WHERE txid = ?1") \
	X(TX_UNCONFIRM, "UPDATE tx SET state = 0, height = NULL, block_hash = NULL," \
	                " block_time = NULL WHERE height > ?1") \
	X(TX_LABEL, "UPDATE tx SET label = ?2 WHERE txid = ?1") \
	X(TX_EXISTS, "SELECT 1 FROM tx WHERE txid = ?1") \
	X(OUT_INSERT, "INSERT INTO output (txid, vout, value, spk, address_id, is_change, coinbase)" \
	              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (txid, vout) DO NOTHING") \
	X(OUT_GET, OUTPUT_SELECT " WHERE o.txid = ?1 AND o.vout = ?2") \
	X(OUT_LIST, OUTPUT_SELECT " ORDER BY o.txid, o.vout") \
	X(UTXO_LIST, OUTPUT_SELECT " WHERE t.state IN (0, 1) AND NOT EXISTS (SELECT 1 FROM spend s" \
	             " JOIN tx x ON x.txid = s.txid WHERE s.prev_txid = o.txid" \
	             " AND s.prev_vout = o.vout AND x.state IN (0, 1))" \
	             " ORDER BY t.height IS NULL, t.height, o.txid, o.vout") \
	X(OUT_FROZEN, "UPDATE output SET frozen = ?3 WHERE txid = ?1 AND vout = ?2") \
	X(OUT_LABEL, "UPDATE output SET label = ?3 WHERE txid = ?1 AND vout = ?2") \
	X(SPEND_INSERT, "INSERT INTO spend (prev_txid, prev_vout, txid, vin) VALUES (?1, ?2, ?3, ?4)" \
	                " ON CONFLICT DO NOTHING") \
	X(SPEND_LIST, "SELECT txid FROM spend WHERE prev_txid = ?1 AND prev_vout = ?2 ORDER BY txid") \
	X(SYNC_GET, "SELECT height, block_hash FROM sync_state WHERE one = 1") \
	X(SYNC_SET, "INSERT OR REPLACE INTO sync_state (one, height, block_hash, updated_time)" \
	            " VALUES (1, ?1, ?2, ?3)") \
	X(PEER_UPSERT, "INSERT OR REPLACE INTO peer (host, port, net_type, services, last_seen," \
	               " last_try, last_success, attempts, tried, source)" \
	               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)") \
	X(PEER_DELETE, "DELETE FROM peer WHERE host = ?1 AND port = ?2") \
	X(PEER_LIST, "SELECT host, port, net_type, services, last_seen, last_try, last_success," \
	             " attempts, tried, source FROM peer ORDER BY tried DESC," \
	             " last_success IS NULL, last_success DESC, last_seen IS NULL, last_seen DESC," \
	             " host, port LIMIT ?1") \
	X(BAN_ADD, "INSERT OR REPLACE INTO ban (host, reason, until, created) VALUES (?1, ?2, ?3, ?4)") \
	X(BAN_CHECK, "SELECT 1 FROM ban WHERE host = ?1 AND until > ?2") \
	X(BAN_PRUNE, "DELETE FROM ban WHERE until <= ?1") \
	X(BAN_LIST, "SELECT host, reason, until, created FROM ban ORDER BY host")

#define X_ENUM(name, sql) S_##name,
enum stmt_id { STATEMENTS(X_ENUM) S_COUNT };
#undef X_ENUM
#define X_SQL(name, sql) sql,
static const char *const stmt_sql[S_COUNT] = { STATEMENTS(X_SQL) };
#undef X_SQL

struct wallet_store {
	sqlite3 *db;                  /* owned */
	char *path;                   /* owned */
	int lock_fd;                  /* owned: holds the flock */
	unsigned depth;               /* transaction nesting */
	sqlite3_stmt *stmt[S_COUNT];  /* owned: prepared lazily */
};

/* ---- Helpers ------------------------------------------------------------ */

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static enum kb_rc fail(enum wallet_store_why *why, enum wallet_store_why w, enum kb_rc rc)
{
	if (why)
		*why = w;
	return rc;
}

/* Maps the last SQLite error to a result code and logs it. */
static enum kb_rc db_rc(sqlite3 *db, int code, const char *what)
{
	int ext = db ? sqlite3_extended_errcode(db) : code;
	/* A constraint is an answer for the caller (exists, not found), not a fault. */
	kb_log((ext & 0xff) == SQLITE_CONSTRAINT ? KB_LOG_DEBUG : KB_LOG_ERROR, SUB, "%s: %s (%d)",
	       what, db ? sqlite3_errmsg(db) : sqlite3_errstr(code), ext);
	switch (ext) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return KB_EEXIST;
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		return KB_ENOTFOUND;
	case SQLITE_CONSTRAINT_CHECK:
	case SQLITE_CONSTRAINT_NOTNULL:
	case SQLITE_CONSTRAINT_DATATYPE:
		return KB_EINVAL;
	default:
		return KB_EDB;
	}
}

static sqlite3_stmt *stmt(struct wallet_store *st, enum stmt_id id)
{
	KB_ASSERT(st && st->db && id < S_COUNT);
	if (!st->stmt[id]) {
		int rc = sqlite3_prepare_v3(st->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
		                            &st->stmt[id], NULL);
		if (rc != SQLITE_OK) {
			(void)db_rc(st->db, rc, "prepare");
			st->stmt[id] = NULL;
			return NULL;
		}
	}
	sqlite3_reset(st->stmt[id]);
	sqlite3_clear_bindings(st->stmt[id]);
	return st->stmt[id];
}

static void done(sqlite3_stmt *s)
{
	if (s) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
	}
}

/* Runs a statement for its effect, then resets it. */
static enum kb_rc step_done(struct wallet_store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	enum kb_rc out = KB_OK;
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		out = db_rc(st->db, rc, what);
	done(s);
	return out;
}

static enum kb_rc exec(sqlite3 *db, const char *sql, const char *what)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		KB_ERROR(SUB, "%s: %s", what, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return KB_EDB;
	}
	return KB_OK;
}

static int bind_blob(sqlite3_stmt *s, int i, const void *p, size_t n)
{
	if (!p)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_blob(s, i, n ? p : "", (int)n, SQLITE_TRANSIENT);
}

/* NULL or "" bind NULL: an empty label is no label. */
static int bind_text(sqlite3_stmt *s, int i, const char *t)
{
	if (!t || !*t)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, t, -1, SQLITE_TRANSIENT);
}

static int bind_opt_int(sqlite3_stmt *s, int i, int64_t v)
{
	return v < 0 ? sqlite3_bind_null(s, i) : sqlite3_bind_int64(s, i, v);
}

static bool text_ok(const char *t)
{
	return !t || strnlen(t, WALLET_STORE_TEXT_MAX + 1) <= WALLET_STORE_TEXT_MAX;
}

static char *col_text(sqlite3_stmt *s, int i)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return NULL;
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? kb_strdup((const char *)t) : NULL;
}

static uint8_t *col_blob(sqlite3_stmt *s, int i, size_t *len)
{
	const void *p = sqlite3_column_blob(s, i);
	size_t n = (size_t)sqlite3_column_bytes(s, i);
	*len = n;
	uint8_t *d = kb_malloc(n);
	if (n)
		memcpy(d, p, n);
	return d;
}

/* Copies a blob of exactly n bytes; false when the length differs. */
static bool col_fixed(sqlite3_stmt *s, int i, void *out, size_t n)
{
	if (sqlite3_column_type(s, i) != SQLITE_BLOB || (size_t)sqlite3_column_bytes(s, i) != n)
		return false;
	memcpy(out, sqlite3_column_blob(s, i), n);
	return true;
}

static int64_t col_int_or(sqlite3_stmt *s, int i, int64_t def)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return def;
	return sqlite3_column_int64(s, i);
}

/* Starts an inner level for a write function. */
static enum kb_rc wbegin(struct wallet_store *st)
{
	return wallet_store_begin(st);
}

/* Ends it: commit on success, roll back on failure; returns the outcome. */
static enum kb_rc wend(struct wallet_store *st, enum kb_rc rc)
{
	if (rc == KB_OK)
		return wallet_store_commit(st);
	if (wallet_store_rollback(st) != KB_OK)
		KB_ERROR(SUB, "rollback failed");
	return rc;
}

/* ---- Paths ---------------------------------------------------------------- */

static char *path_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	bool slash = la > 0 && a[la - 1] != '/';
	char *p = kb_malloc(la + slash + lb + 1);
	memcpy(p, a, la);
	if (slash)
		p[la] = '/';
	memcpy(p + la + slash, b, lb + 1);
	return p;
}

enum kb_rc wallet_store_default_datadir(char **out)
{
	KB_ASSERT(out);
	*out = NULL;
	const char *xdg = getenv("XDG_DATA_HOME");
	if (xdg && xdg[0] == '/') {
		*out = path_join(xdg, "koban");
		return KB_OK;
	}
	const char *home = getenv("HOME");
	if (!home || home[0] != '/')
		return KB_ENOTFOUND;
	*out = path_join(home, ".local/share/koban");
	return KB_OK;
}

bool wallet_store_name_valid(const char *name)
{
	if (!name || !name[0] || name[0] == '.')
		return false;
	size_t n = 0;
	for (const char *p = name; *p; p++, n++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		          (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
		if (!ok || n >= WALLET_STORE_NAME_MAX)
			return false;
	}
	return true;
}

enum kb_rc wallet_store_path(char **out, const char *datadir, enum kb_net net, const char *name)
{
	KB_ASSERT(out && datadir);
	*out = NULL;
	if (!wallet_store_name_valid(name) || !datadir[0])
		return KB_EINVAL;
	char *dir = path_join(datadir, kb_net_params(net)->dirname);
	size_t n = strlen(name) + sizeof ".sqlite";
	char *file = kb_malloc(n);
	snprintf(file, n, "%s.sqlite", name);
	*out = path_join(dir, file);
	kb_free(dir);
	kb_free(file);
	return KB_OK;
}

/* mkdir -p with 0700 for each directory it creates. */
static enum kb_rc mkdirs(const char *path, char *err, size_t errlen)
{
	char *p = kb_strdup(path);
	enum kb_rc rc = KB_OK;
	size_t len = strlen(p);
	for (size_t i = 1; i <= len; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		char save = p[i];
		p[i] = '\0';
		if (mkdir(p, 0700) == 0) {
			if (chmod(p, 0700) != 0) {
				seterr(err, errlen, "cannot set the mode of %s: %s", p, strerror(errno));
				rc = KB_EIO;
				goto out;
			}
		} else if (errno != EEXIST) {
			seterr(err, errlen, "cannot create directory %s: %s", p, strerror(errno));
			rc = KB_EIO;
			goto out;
		}
		p[i] = save;
	}
	struct stat sb;
	if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		seterr(err, errlen, "%s is not a directory", path);
		rc = KB_EIO;
		goto out;
	}
	if (sb.st_mode & 077)
		KB_WARN(SUB, "%s can be read by other users (mode %03o)", path,
		        (unsigned)(sb.st_mode & 0777));
out:
	kb_free(p);
	return rc;
}

enum kb_rc wallet_store_prepare_dir(char **dir, const char *datadir, enum kb_net net,
                                    char *err, size_t errlen)
{
	KB_ASSERT(datadir);
	if (dir)
		*dir = NULL;
	if (!datadir[0]) {
		seterr(err, errlen, "empty data directory");
		return KB_EINVAL;
	}
	char *d = path_join(datadir, kb_net_params(net)->dirname);
	enum kb_rc rc = mkdirs(d, err, errlen);
	if (rc == KB_OK && dir)
		*dir = d;
	else
		kb_free(d);
	return rc;
}

/* "<dir>/<name>.lock" for "<dir>/<name>.sqlite" (else "<path>.lock"). */
static char *lock_path(const char *path)
{
	size_t n = strlen(path);
	size_t ext = sizeof ".sqlite" - 1;
	if (n > ext && strcmp(path + n - ext, ".sqlite") == 0)
		n -= ext;
	char *p = kb_malloc(n + sizeof ".lock");
	memcpy(p, path, n);
	memcpy(p + n, ".lock", sizeof ".lock");
	return p;
}

/* The wallet's name for messages: the file name without ".sqlite". */
static void wallet_name(char *out, size_t outlen, const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	size_t n = strlen(b);
	size_t ext = sizeof ".sqlite" - 1;
	if (n > ext && strcmp(b + n - ext, ".sqlite") == 0)
		n -= ext;
	snprintf(out, outlen, "%.*s", (int)n, b);
}

static enum kb_rc lock_acquire(int *fd_out, const char *path, enum wallet_store_why *why,
                               char *err, size_t errlen)
{
	*fd_out = -1;
	char *lp = lock_path(path);
	char name[WALLET_STORE_NAME_MAX + 16];
	wallet_name(name, sizeof name, path);
	enum kb_rc rc = KB_OK;
	int fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		seterr(err, errlen, "cannot open lock file %s: %s", lp, strerror(errno));
		rc = fail(why, WALLET_STORE_IO, KB_EIO);
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK) {
			char pid[24] = "";
			ssize_t r = pread(fd, pid, sizeof pid - 1, 0);
			pid[r > 0 ? r : 0] = '\0';
			pid[strcspn(pid, "\n")] = '\0';
			seterr(err, errlen, "wallet %s is in use by another koban process (pid %s)",
			       name, pid[0] ? pid : "unknown");
			rc = fail(why, WALLET_STORE_LOCKED, KB_ELOCKED);
		} else {
			seterr(err, errlen, "cannot lock %s: %s", lp, strerror(errno));
			rc = fail(why, WALLET_STORE_IO, KB_EIO);
		}
		close(fd);
		goto out;
	}
	(void)fchmod(fd, 0600);
	char pid[24];
	int pn = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)pn, 0) != pn)
		KB_WARN(SUB, "cannot record the pid in %s: %s", lp, strerror(errno));
	*fd_out = fd;
out:
	kb_free(lp);
	return rc;
}

static void lock_release(int fd)
{
	if (fd < 0)
		return;
	if (ftruncate(fd, 0) != 0)
		KB_WARN(SUB, "cannot clear the lock file: %s", strerror(errno));
	close(fd); /* releases the flock; the file stays (unlinking it would race) */
}

/* ---- Open and create ----------------------------------------------------- */

/*
 * Reads the 100-byte SQLite header with read(2): nothing is opened through
 * SQLite, nothing can change. Refuses what is not a koban wallet.
 */
static enum kb_rc check_header(const char *path, const char *name, enum wallet_store_why *why,
                               char *err, size_t errlen)
{
	/* O_NONBLOCK: a FIFO at the path must not hang us (refused below). */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT) {
			seterr(err, errlen, "wallet %s does not exist (%s)", name, path);
			return fail(why, WALLET_STORE_MISSING, KB_ENOTFOUND);
		}
		seterr(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return fail(why, WALLET_STORE_IO, KB_EIO);
	}
	enum kb_rc rc = KB_OK;
	struct stat sb;
	uint8_t h[100];
	size_t got = 0;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		seterr(err, errlen, "%s is not a regular file", path);
		rc = fail(why, WALLET_STORE_NOT_KOBAN, KB_EPARSE);
		goto out;
	}
	while (got < sizeof h) {
		ssize_t r = read(fd, h + got, sizeof h - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			seterr(err, errlen, "cannot read %s: %s", path, strerror(errno));
			rc = fail(why, WALLET_STORE_IO, KB_EIO);
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	if (got < sizeof h || memcmp(h, "SQLite format 3", 16) != 0) {
		seterr(err, errlen, "%s is not a koban wallet (%s)", path,
		       got == 0 ? "the file is empty" : "not an SQLite database");
		rc = fail(why, WALLET_STORE_NOT_KOBAN, KB_EPARSE);
		goto out;
	}
	uint32_t app = (uint32_t)h[68] << 24 | (uint32_t)h[69] << 16 | (uint32_t)h[70] << 8 | h[71];
	if (app != WALLET_STORE_APP_ID) {
		seterr(err, errlen, "%s is not a koban wallet (an SQLite database of another "
		       "application, application_id 0x%08" PRIx32 ")", path, app);
		rc = fail(why, WALLET_STORE_NOT_KOBAN, KB_EPARSE);
	}
out:
	close(fd);
	return rc;
}

/* One integer from a pragma; false on any SQLite error (*code set). */
static bool pragma_int(sqlite3 *db, const char *sql, int64_t *v, int *code)
{
	sqlite3_stmt *s = NULL;
	*code = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	if (*code != SQLITE_OK)
		return false;
	*code = sqlite3_step(s);
	bool ok = *code == SQLITE_ROW;
	if (ok) {
		*v = sqlite3_column_int64(s, 0);
		*code = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return ok;
}

static bool is_corrupt_code(int code)
{
	code &= 0xff;
	return code == SQLITE_CORRUPT || code == SQLITE_NOTADB;
}

/*
 * Inspects the file: application_id, user_version, quick_check. Writes
 * nothing to the database file. The first pass uses a read-only
 * connection. After a crash the WAL needs recovery, which a read-only
 * connection cannot do (SQLITE_READONLY_*): *retry is then set, and the
 * caller inspects again with rw, a read-write connection that is
 * query_only and does not checkpoint on close: the only writes are
 * SQLite's own crash recovery (rebuilding the -shm index, or rolling back
 * a hot journal to the last commit). The header has been checked and the
 * lock is held before either pass, so only koban's own files get this far.
 */
static enum kb_rc inspect(const char *path, const char *name, bool rw, bool *retry,
                          enum wallet_store_why *why, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	enum kb_rc rc = KB_OK;
	int code = sqlite3_open_v2(path, &db, rw ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY, NULL);
	int64_t app = 0, ver = 0;
	sqlite3_stmt *s = NULL;
	*retry = false;
	/* another program reading the file (a backup, the sqlite3 shell) may
	 * hold a lock for a moment: wait for it as the main connection does */
	if (code == SQLITE_OK)
		sqlite3_busy_timeout(db, 5000);
	if (code == SQLITE_OK && rw) {
		(void)sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
		if (exec(db, "PRAGMA query_only = 1", "inspect") != KB_OK)
			code = SQLITE_ERROR;
	}
	if (code != SQLITE_OK) {
		seterr(err, errlen, "cannot open wallet %s: %s", name, sqlite3_errstr(code));
		rc = fail(why, is_corrupt_code(code) ? WALLET_STORE_CORRUPT : WALLET_STORE_DB, KB_EDB);
		goto out;
	}
	if (!pragma_int(db, "PRAGMA application_id", &app, &code) ||
	    !pragma_int(db, "PRAGMA user_version", &ver, &code))
		goto sqlfail;
	if ((uint32_t)app != WALLET_STORE_APP_ID) {
		seterr(err, errlen, "%s is not a koban wallet", path);
		rc = fail(why, WALLET_STORE_NOT_KOBAN, KB_EPARSE);
		goto out;
	}
	if (ver > WALLET_STORE_SCHEMA_VERSION) {
		seterr(err, errlen, "wallet %s was written by a newer koban (schema %" PRId64
		       ", this koban knows up to %d); upgrade koban", name, ver,
		       WALLET_STORE_SCHEMA_VERSION);
		rc = fail(why, WALLET_STORE_NEWER, KB_EVERSION);
		goto out;
	}
	if (ver < 1) {
		seterr(err, errlen, "wallet %s is incomplete (no schema)", name);
		rc = fail(why, WALLET_STORE_CORRUPT, KB_EDB);
		goto out;
	}
	for (size_t i = 0; i < sizeof required_tables / sizeof required_tables[0]; i++) {
		code = sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_schema WHERE type = 'table'"
		                          " AND name = ?1", -1, &s, NULL);
		if (code != SQLITE_OK)
			goto sqlfail;
		sqlite3_bind_text(s, 1, required_tables[i], -1, SQLITE_STATIC);
		code = sqlite3_step(s);
		sqlite3_finalize(s);
		s = NULL;
		if (code == SQLITE_DONE) {
			seterr(err, errlen, "wallet %s is damaged: table %s is missing", name,
			       required_tables[i]);
			rc = fail(why, WALLET_STORE_CORRUPT, KB_EDB);
			goto out;
		}
		if (code != SQLITE_ROW)
			goto sqlfail;
	}
	int64_t rows = 0;
	if (!pragma_int(db, "SELECT count(*) FROM wallet", &rows, &code))
		goto sqlfail;
	if (rows != 1) {
		seterr(err, errlen, "wallet %s is damaged: its identity row is missing", name);
		rc = fail(why, WALLET_STORE_CORRUPT, KB_EDB);
		goto out;
	}
	code = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &s, NULL);
	if (code != SQLITE_OK)
		goto sqlfail;
	code = sqlite3_step(s);
	if (code != SQLITE_ROW)
		goto sqlfail;
	const char *res = (const char *)sqlite3_column_text(s, 0);
	if (!res || strcmp(res, "ok") != 0) {
		seterr(err, errlen, "wallet %s is damaged: %.120s", name, res ? res : "?");
		rc = fail(why, WALLET_STORE_CORRUPT, KB_EDB);
	}
	goto out;
sqlfail:
	if (!rw && ((code & 0xff) == SQLITE_READONLY ||
	            (sqlite3_extended_errcode(db) & 0xff) == SQLITE_READONLY)) {
		*retry = true;
		rc = KB_EAGAIN;
	} else if (is_corrupt_code(code) || is_corrupt_code(sqlite3_extended_errcode(db))) {
		seterr(err, errlen, "wallet %s is damaged: %s", name, sqlite3_errmsg(db));
		rc = fail(why, WALLET_STORE_CORRUPT, KB_EDB);
	} else {
		seterr(err, errlen, "cannot read wallet %s: %s", name, sqlite3_errmsg(db));
		rc = fail(why, WALLET_STORE_DB, KB_EDB);
	}
out:
	sqlite3_finalize(s);
	sqlite3_close(db);
	return rc;
}

/* Connection settings for every read-write connection. */
static enum kb_rc configure(sqlite3 *db, bool wal)
{
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, 5000);
	(void)sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	(void)sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
	if (exec(db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;"
	         " PRAGMA secure_delete = ON;", "pragmas") != KB_OK)
		return KB_EDB;
	if (!wal)
		return KB_OK;
	sqlite3_stmt *s = NULL;
	enum kb_rc rc = KB_EDB;
	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW) {
		const char *m = (const char *)sqlite3_column_text(s, 0);
		if (m && strcmp(m, "wal") == 0)
			rc = KB_OK;
		else
			KB_ERROR(SUB, "journal_mode WAL refused (%s)", m ? m : "?");
	}
	sqlite3_finalize(s);
	return rc;
}

static enum kb_rc migrate(sqlite3 *db, const char *name, char *err, size_t errlen)
{
	int64_t ver = 0;
	int code;
	if (!pragma_int(db, "PRAGMA user_version", &ver, &code))
		return db_rc(db, code, "user_version");
	for (int64_t v = ver; v < WALLET_STORE_SCHEMA_VERSION; v++) {
		char setv[64];
		snprintf(setv, sizeof setv, "PRAGMA user_version = %" PRId64, v + 1);
		if (exec(db, "BEGIN IMMEDIATE", "migrate") != KB_OK)
			goto bad;
		if (exec(db, migrations[v], "migrate") != KB_OK || exec(db, setv, "migrate") != KB_OK ||
		    exec(db, "COMMIT", "migrate") != KB_OK) {
			(void)exec(db, "ROLLBACK", "migrate");
			goto bad;
		}
		KB_INFO(SUB, "wallet %s migrated to schema %" PRId64, name, v + 1);
	}
	return KB_OK;
bad:
	seterr(err, errlen, "cannot upgrade wallet %s: %s", name, sqlite3_errmsg(db));
	return KB_EDB;
}

/* Opens path, already checked and locked. Takes lock_fd on success. */
static enum kb_rc open_checked(struct wallet_store **out, const char *path, const char *name,
                               int lock_fd, enum wallet_store_why *why, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	bool retry = false;
	enum kb_rc rc = inspect(path, name, false, &retry, why, err, errlen);
	if (retry) {
		KB_INFO(SUB, "wallet %s: recovering the WAL after an unclean exit", name);
		rc = inspect(path, name, true, &retry, why, err, errlen);
	}
	if (rc != KB_OK)
		return rc;
	int code = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
	if (code != SQLITE_OK) {
		seterr(err, errlen, "cannot open wallet %s: %s", name,
		       db ? sqlite3_errmsg(db) : sqlite3_errstr(code));
		rc = fail(why, WALLET_STORE_DB, KB_EDB);
		goto bad;
	}
	if (configure(db, true) != KB_OK) {
		seterr(err, errlen, "cannot configure wallet %s: %s", name, sqlite3_errmsg(db));
		rc = fail(why, WALLET_STORE_DB, KB_EDB);
		goto bad;
	}
	rc = migrate(db, name, err, errlen);
	if (rc != KB_OK) {
		(void)fail(why, WALLET_STORE_DB, rc);
		goto bad;
	}
	struct stat sb;
	if (stat(path, &sb) == 0 && (sb.st_mode & 077)) {
		KB_WARN(SUB, "wallet %s had mode %03o; setting 0600", name, (unsigned)(sb.st_mode & 0777));
		if (chmod(path, 0600) != 0) {
			seterr(err, errlen, "cannot set the mode of %s: %s", path, strerror(errno));
			rc = fail(why, WALLET_STORE_IO, KB_EIO);
			goto bad;
		}
	}
	struct wallet_store *st = kb_calloc(1, sizeof *st);
	st->db = db;
	st->path = kb_strdup(path);
	st->lock_fd = lock_fd;
	*out = st;
	if (why)
		*why = WALLET_STORE_FINE;
	return KB_OK;
bad:
	sqlite3_close(db);
	return rc;
}

enum kb_rc wallet_store_open(struct wallet_store **out, const char *path,
                             enum wallet_store_why *why, char *err, size_t errlen)
{
	KB_ASSERT(out && path);
	*out = NULL;
	if (why)
		*why = WALLET_STORE_FINE;
	seterr(err, errlen, "%s", "");
	char name[WALLET_STORE_NAME_MAX + 16];
	wallet_name(name, sizeof name, path);
	enum kb_rc rc = check_header(path, name, why, err, errlen);
	if (rc != KB_OK)
		return rc;
	int fd;
	rc = lock_acquire(&fd, path, why, err, errlen);
	if (rc != KB_OK)
		return rc;
	rc = open_checked(out, path, name, fd, why, err, errlen);
	if (rc != KB_OK)
		lock_release(fd);
	return rc;
}

static bool exists(const char *path)
{
	struct stat sb;
	return lstat(path, &sb) == 0 || errno != ENOENT;
}

/* Fills a new wallet (in the temporary file), in one transaction. */
static enum kb_rc build_new(sqlite3 *db, enum kb_net net, int64_t created_time, bool watch_only)
{
	uint8_t id[WALLET_STORE_ID_LEN];
	randombytes_buf(id, sizeof id);
	char pragmas[128];
	snprintf(pragmas, sizeof pragmas, "PRAGMA application_id = %ld; PRAGMA user_version = %d;",
	         (long)(int32_t)WALLET_STORE_APP_ID, WALLET_STORE_SCHEMA_VERSION);
	if (exec(db, "BEGIN IMMEDIATE", "create") != KB_OK)
		return KB_EDB;
	enum kb_rc rc = exec(db, pragmas, "create");
	for (int v = 0; rc == KB_OK && v < WALLET_STORE_SCHEMA_VERSION; v++)
		rc = exec(db, migrations[v], "create schema");
	sqlite3_stmt *s = NULL;
	if (rc == KB_OK) {
		rc = KB_EDB;
		if (sqlite3_prepare_v2(db, "INSERT INTO wallet (one, wallet_id, network, created_time,"
		                       " watch_only, bloom_tweak) VALUES (1, ?1, ?2, ?3, ?4, ?5)",
		                       -1, &s, NULL) == SQLITE_OK) {
			sqlite3_bind_blob(s, 1, id, sizeof id, SQLITE_TRANSIENT);
			sqlite3_bind_int(s, 2, (int)net);
			sqlite3_bind_int64(s, 3, created_time);
			sqlite3_bind_int(s, 4, watch_only);
			sqlite3_bind_int64(s, 5, (int64_t)randombytes_random());
			if (sqlite3_step(s) == SQLITE_DONE)
				rc = KB_OK;
		}
		sqlite3_finalize(s);
		if (rc != KB_OK)
			KB_ERROR(SUB, "create: %s", sqlite3_errmsg(db));
	}
	if (rc == KB_OK)
		rc = exec(db, "INSERT INTO setting (key, value) VALUES"
		          " ('" WALLET_SETTING_CONFIRM_TARGET "', '6'),"
		          " ('" WALLET_SETTING_GAP_LIMIT "', '20'),"
		          " ('" WALLET_SETTING_BLOOM_FP_RATE "', '0.0005'),"
		          " ('" WALLET_SETTING_FEE_URL "', '')", "create settings");
	if (rc == KB_OK)
		rc = exec(db, "COMMIT", "create");
	if (rc != KB_OK)
		(void)exec(db, "ROLLBACK", "create");
	sodium_memzero(id, sizeof id);
	return rc;
}

static void fsync_dir_of(const char *path)
{
	char *d = kb_strdup(path);
	char *slash = strrchr(d, '/');
	if (slash == d)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else {
		kb_free(d);
		d = kb_strdup(".");
	}
	int fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	kb_free(d);
}

/* Runs the caller's fill callback over the temporary file, in one transaction. */
static enum kb_rc run_fill(sqlite3 *db, const char *tmp, wallet_store_fill_cb fill, void *arg)
{
	struct wallet_store t = { .db = db, .path = (char *)tmp, .lock_fd = -1 };
	enum kb_rc rc = wallet_store_begin(&t);
	if (rc == KB_OK) {
		rc = fill(&t, arg);
		if (rc == KB_OK && t.depth != 1) {
			KB_ERROR(SUB, "create: the fill callback left %u transaction levels open", t.depth - 1);
			rc = KB_EINVAL;
		}
		if (rc == KB_OK)
			rc = wallet_store_commit(&t);
		while (t.depth > 0)
			if (wallet_store_rollback(&t) != KB_OK)
				break;
	}
	for (size_t i = 0; i < S_COUNT; i++)
		sqlite3_finalize(t.stmt[i]);
	return rc;
}

enum kb_rc wallet_store_create(struct wallet_store **out, const char *path,
                               enum kb_net net, int64_t created_time, bool watch_only,
                               enum wallet_store_why *why, char *err, size_t errlen)
{
	return wallet_store_create_with(out, path, net, created_time, watch_only, NULL, NULL,
	                                why, err, errlen);
}

enum kb_rc wallet_store_create_with(struct wallet_store **out, const char *path,
                                    enum kb_net net, int64_t created_time, bool watch_only,
                                    wallet_store_fill_cb fill, void *arg,
                                    enum wallet_store_why *why, char *err, size_t errlen)
{
	KB_ASSERT(out && path);
	(void)kb_net_params(net); /* asserts net is valid */
	*out = NULL;
	if (why)
		*why = WALLET_STORE_FINE;
	seterr(err, errlen, "%s", "");
	if (sodium_init() < 0) {
		seterr(err, errlen, "libsodium failed to initialise");
		return fail(why, WALLET_STORE_IO, KB_ECRYPTO);
	}
	char name[WALLET_STORE_NAME_MAX + 16];
	wallet_name(name, sizeof name, path);
	size_t plen = strlen(path);
	const size_t cap = plen + 64; /* ".new-<pid>" and "-journal" fit */
	char *tmp = kb_calloc(1, cap);
	char *side = kb_calloc(1, cap);
	sqlite3 *db = NULL;
	int fd = -1, lock_fd = -1;
	bool linked = false;
	enum kb_rc rc = lock_acquire(&lock_fd, path, why, err, errlen);
	if (rc != KB_OK)
		goto out;
	if (exists(path)) {
		seterr(err, errlen, "a file already exists at %s", path);
		rc = fail(why, WALLET_STORE_EXISTS, KB_EEXIST);
		goto out;
	}
	/* A stale journal beside a new wallet would be replayed into it. */
	static const char *const sides[] = { "-wal", "-shm", "-journal" };
	for (size_t i = 0; i < sizeof sides / sizeof sides[0]; i++) {
		snprintf(side, cap, "%s%s", path, sides[i]);
		if (exists(side)) {
			seterr(err, errlen, "a leftover file %s is in the way; move it away first", side);
			rc = fail(why, WALLET_STORE_EXISTS, KB_EEXIST);
			goto out;
		}
	}
	snprintf(tmp, cap, "%s.new-%ld", path, (long)getpid());
	(void)unlink(tmp); /* a leftover of ours from a crash during create */
	for (size_t i = 0; i < sizeof sides / sizeof sides[0]; i++) {
		snprintf(side, cap, "%s%s", tmp, sides[i]);
		(void)unlink(side);
	}
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || fchmod(fd, 0600) != 0) {
		seterr(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
		rc = fail(why, WALLET_STORE_IO, KB_EIO);
		goto out;
	}
	close(fd);
	fd = -1;
	/*
	 * WAL from the start: the published file never needs the journal-mode
	 * switch, whose rollback journal a read-only inspection could not
	 * recover if we were killed during it.
	 */
	int code = sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE, NULL);
	if (code != SQLITE_OK || configure(db, true) != KB_OK ||
	    build_new(db, net, created_time, watch_only) != KB_OK) {
		seterr(err, errlen, "cannot create wallet %s: %s", name,
		       db ? sqlite3_errmsg(db) : sqlite3_errstr(code));
		rc = fail(why, WALLET_STORE_DB, KB_EDB);
		goto out;
	}
	if (fill) {
		rc = run_fill(db, tmp, fill, arg);
		if (rc != KB_OK) {
			if (err && errlen && !err[0])
				seterr(err, errlen, "cannot create wallet %s: %s", name, kb_rc_str(rc));
			(void)fail(why, WALLET_STORE_FILL, rc);
			goto out;
		}
	}
	if (sqlite3_close(db) != SQLITE_OK) {
		seterr(err, errlen, "cannot create wallet %s: close failed", name);
		rc = fail(why, WALLET_STORE_DB, KB_EDB);
		db = NULL; /* sqlite3_close only fails with statements open: none here */
		goto out;
	}
	db = NULL;
	if (link(tmp, path) != 0) {
		if (errno == EEXIST) {
			seterr(err, errlen, "a file already exists at %s", path);
			rc = fail(why, WALLET_STORE_EXISTS, KB_EEXIST);
		} else {
			seterr(err, errlen, "cannot create %s: %s", path, strerror(errno));
			rc = fail(why, WALLET_STORE_IO, KB_EIO);
		}
		goto out;
	}
	linked = true;
	(void)unlink(tmp);
	fsync_dir_of(path);
	rc = open_checked(out, path, name, lock_fd, why, err, errlen);
	if (rc == KB_OK)
		lock_fd = -1; /* the store owns it now */
out:
	if (fd >= 0)
		close(fd);
	if (db)
		sqlite3_close(db);
	if (!linked && tmp[0]) {
		(void)unlink(tmp);
		for (size_t i = 0; i < 3; i++) {
			static const char *const tx[] = { "-wal", "-shm", "-journal" };
			snprintf(side, cap, "%s%s", tmp, tx[i]);
			(void)unlink(side);
		}
	}
	if (rc != KB_OK && linked) {
		/* Opening what we just built failed: leave nothing behind. */
		(void)unlink(path);
		for (size_t i = 0; i < 3; i++) {
			static const char *const sx[] = { "-wal", "-shm", "-journal" };
			snprintf(side, cap, "%s%s", path, sx[i]);
			(void)unlink(side);
		}
	}
	lock_release(lock_fd);
	kb_free(tmp);
	kb_free(side);
	return rc;
}

void wallet_store_close(struct wallet_store *st)
{
	if (!st)
		return;
	if (st->depth > 0) {
		KB_WARN(SUB, "closing with a transaction open: rolled back");
		(void)exec(st->db, "ROLLBACK", "close");
	}
	for (size_t i = 0; i < S_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	if (sqlite3_close(st->db) != SQLITE_OK)
		KB_ERROR(SUB, "close: %s", sqlite3_errmsg(st->db));
	lock_release(st->lock_fd);
	kb_free(st->path);
	kb_free(st);
}

const char *wallet_store_filename(const struct wallet_store *st)
{
	KB_ASSERT(st);
	return st->path;
}

enum kb_rc wallet_store_integrity_check(struct wallet_store *st, char *err, size_t errlen)
{
	KB_ASSERT(st);
	seterr(err, errlen, "%s", "");
	sqlite3_stmt *s = NULL;
	enum kb_rc rc = KB_EDB;
	if (sqlite3_prepare_v2(st->db, "PRAGMA integrity_check(1)", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		seterr(err, errlen, "%s", sqlite3_errmsg(st->db));
	} else {
		const char *r = (const char *)sqlite3_column_text(s, 0);
		if (r && strcmp(r, "ok") == 0)
			rc = KB_OK;
		else
			seterr(err, errlen, "%.200s", r ? r : "?");
	}
	sqlite3_finalize(s);
	if (rc == KB_OK) {
		/* Foreign keys too: a row pointing nowhere is damage as well. */
		if (sqlite3_prepare_v2(st->db, "PRAGMA foreign_key_check", -1, &s, NULL) != SQLITE_OK)
			rc = KB_EDB;
		else if (sqlite3_step(s) != SQLITE_DONE) {
			seterr(err, errlen, "foreign key violation");
			rc = KB_EDB;
		}
		sqlite3_finalize(s);
	}
	return rc;
}

/* ---- Transactions ---------------------------------------------------------- */

enum kb_rc wallet_store_begin(struct wallet_store *st)
{
	KB_ASSERT(st);
	char sql[48];
	if (st->depth == 0)
		snprintf(sql, sizeof sql, "BEGIN IMMEDIATE");
	else
		snprintf(sql, sizeof sql, "SAVEPOINT kb%u", st->depth);
	if (exec(st->db, sql, "begin") != KB_OK)
		return KB_EDB;
	st->depth++;
	return KB_OK;
}

enum kb_rc wallet_store_commit(struct wallet_store *st)
{
	KB_ASSERT(st);
	if (st->depth == 0)
		return KB_EINVAL;
	st->depth--;
	if (sqlite3_get_autocommit(st->db)) {
		/* SQLite already rolled the whole transaction back (I/O error). */
		KB_ERROR(SUB, "commit: the transaction was aborted");
		return KB_EDB;
	}
	if (st->depth == 0) {
		if (exec(st->db, "COMMIT", "commit") == KB_OK)
			return KB_OK;
		if (!sqlite3_get_autocommit(st->db))
			(void)exec(st->db, "ROLLBACK", "commit failed");
		return KB_EDB;
	}
	char sql[48];
	snprintf(sql, sizeof sql, "RELEASE kb%u", st->depth);
	return exec(st->db, sql, "release");
}

enum kb_rc wallet_store_rollback(struct wallet_store *st)
{
	KB_ASSERT(st);
	if (st->depth == 0)
		return KB_EINVAL;
	st->depth--;
	if (sqlite3_get_autocommit(st->db))
		return KB_OK; /* already rolled back by SQLite */
	if (st->depth == 0)
		return exec(st->db, "ROLLBACK", "rollback");
	char sql[64];
	snprintf(sql, sizeof sql, "ROLLBACK TO kb%u; RELEASE kb%u", st->depth, st->depth);
	return exec(st->db, sql, "rollback to");
}

unsigned wallet_store_txn_depth(const struct wallet_store *st)
{
	KB_ASSERT(st);
	return st->depth;
}

/* ---- Meta and settings ----------------------------------------------------- */

enum kb_rc wallet_store_meta_get(struct wallet_store *st, struct wallet_store_meta *out)
{
	KB_ASSERT(st && out);
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s = stmt(st, S_META_GET);
	if (!s)
		return KB_EDB;
	enum kb_rc rc = KB_EDB;
	int code = sqlite3_step(s);
	if (code == SQLITE_ROW) {
		int64_t net = sqlite3_column_int64(s, 1);
		if (!col_fixed(s, 0, out->wallet_id, sizeof out->wallet_id) || net < 0 ||
		    net >= KB_NET_COUNT) {
			KB_ERROR(SUB, "wallet row is malformed");
		} else {
			out->net = (enum kb_net)net;
			out->created_time = sqlite3_column_int64(s, 2);
			out->birthday_height = col_int_or(s, 3, -1);
			out->birthday_time = col_int_or(s, 4, -1);
			out->watch_only = sqlite3_column_int(s, 5) != 0;
			out->bloom_tweak = (uint32_t)sqlite3_column_int64(s, 6);
			rc = KB_OK;
		}
	} else if (code == SQLITE_DONE) {
		KB_ERROR(SUB, "wallet row is missing");
	} else {
		rc = db_rc(st->db, code, "meta get");
	}
	done(s);
	if (rc != KB_OK)
		memset(out, 0, sizeof *out);
	return rc;
}

enum kb_rc wallet_store_meta_set_birthday(struct wallet_store *st, int64_t height, int64_t time)
{
	KB_ASSERT(st);
	sqlite3_stmt *s = stmt(st, S_META_BIRTHDAY);
	if (!s)
		return KB_EDB;
	bind_opt_int(s, 1, height);
	bind_opt_int(s, 2, time);
	return step_done(st, s, "meta birthday");
}

enum kb_rc wallet_store_meta_set_watch_only(struct wallet_store *st, bool watch_only)
{
	KB_ASSERT(st);
	sqlite3_stmt *s = stmt(st, S_META_WATCH);
	if (!s)
		return KB_EDB;
	sqlite3_bind_int(s, 1, watch_only);
	return step_done(st, s, "meta watch_only");
}

static bool key_ok(const char *key)
{
	return key && key[0] && strnlen(key, 65) <= 64;
}

enum kb_rc wallet_store_setting_get(struct wallet_store *st, const char *key, char **value)
{
	KB_ASSERT(st && value);
	*value = NULL;
	if (!key_ok(key))
		return KB_EINVAL;
	sqlite3_stmt *s = stmt(st, S_SET_GET);
	if (!s)
		return KB_EDB;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
	enum kb_rc rc;
	int code = sqlite3_step(s);
	if (code == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0);
		*value = kb_strdup(t ? (const char *)t : "");
		rc = KB_OK;
	} else if (code == SQLITE_DONE) {
		rc = KB_ENOTFOUND;
	} else {
		rc = db_rc(st->db, code, "setting get");
	}
	done(s);
	return rc;
}

enum kb_rc wallet_store_setting_set(struct wallet_store *st, const char *key, const char *value)
{
	KB_ASSERT(st);
	if (!key_ok(key) || !value || !text_ok(value))
		return KB_EINVAL;
	sqlite3_stmt *s = stmt(st, S_SET_PUT);
	if (!s)
		return KB_EDB;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_TRANSIENT);
	return step_done(st, s, "setting set");
}

enum kb_rc wallet_store_setting_get_int(struct wallet_store *st, const char *key, int64_t *value)
{
	KB_ASSERT(value);
	*value = 0;
	char *t = NULL;
	enum kb_rc rc = wallet_store_setting_get(st, key, &t);
	if (rc != KB_OK)
		return rc;
	char *end = NULL;
	errno = 0;
	long long v = strtoll(t, &end, 10);
	if (t[0] == '\0' || errno != 0 || *end != '\0' || t[0] == ' ' || t[0] == '+')
		rc = KB_EPARSE;
	else
		*value = v;
	kb_free(t);
	return rc;
}

enum kb_rc wallet_store_setting_set_int(struct wallet_store *st, const char *key, int64_t value)
{
	char t[24];
	snprintf(t, sizeof t, "%" PRId64, value);
	return wallet_store_setting_set(st, key, t);
}

/* ---- Keystore blob ---------------------------------------------------------- */

void wallet_store_sealed_clear(struct wallet_store_sealed *sl)
{
	if (!sl)
		return;
	kb_free(sl->ct);
	memset(sl, 0, sizeof *sl);
}

enum kb_rc wallet_store_keystore_get(struct wallet_store *st, struct wallet_store_sealed *out)
{
	KB_ASSERT(st && out);
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s = stmt(st, S_KS_GET);
	if (!s)
		return KB_EDB;
	enum kb_rc rc = KB_EDB;
	int code = sqlite3_step(s);
	if (code == SQLITE_ROW) {
		int64_t ver = sqlite3_column_int64(s, 0), alg = sqlite3_column_int64(s, 1);
		int64_t ops = sqlite3_column_int64(s, 2), mem = sqlite3_column_int64(s, 3);
		int ctn = sqlite3_column_bytes(s, 6);
		if (ver < 0 || ver > UINT32_MAX || alg < 0 || alg > UINT32_MAX || ops < 0 || mem < 0 ||
		    !col_fixed(s, 4, out->salt, sizeof out->salt) ||
		    !col_fixed(s, 5, out->nonce, sizeof out->nonce) ||
		    ctn <= 0 || ctn > WALLET_STORE_SEALED_MAX) {
			KB_ERROR(SUB, "keystore row is malformed");
			rc = KB_EPARSE;
		} else {
			out->format_version = (uint32_t)ver;
			out->kdf_alg = (uint32_t)alg;
			out->opslimit = (uint64_t)ops;
			out->memlimit = (uint64_t)mem;
			out->ct = col_blob(s, 6, &out->ct_len);
			rc = KB_OK;
		}
	} else if (code == SQLITE_DONE) {
		rc = KB_ENOTFOUND;
	} else {
		rc = db_rc(st->db, code, "keystore get");
	}
	done(s);
	if (rc != KB_OK)
		wallet_store_sealed_clear(out);
	return rc;
}

enum kb_rc wallet_store_keystore_put(struct wallet_store *st, const struct wallet_store_sealed *in)
{
	KB_ASSERT(st && in);
	if (!in->ct || in->ct_len == 0 || in->ct_len > WALLET_STORE_SEALED_MAX ||
	    in->opslimit > INT64_MAX || in->memlimit > INT64_MAX)
		return KB_EINVAL;
	sqlite3_stmt *s = stmt(st, S_KS_PUT);
	if (!s)
		return KB_EDB;
	sqlite3_bind_int64(s, 1, in->format_version);
	sqlite3_bind_int64(s, 2, in->kdf_alg);
	sqlite3_bind_int64(s, 3, (int64_t)in->opslimit);
	sqlite3_bind_int64(s, 4, (int64_t)in->memlimit);
	bind_blob(s, 5, in->salt, sizeof in->salt);
	bind_blob(s, 6, in->nonce, sizeof in->nonce);
	bind_blob(s, 7, in->ct, in->ct_len);
	sqlite3_bind_int64(s, 8, (int64_t)time(NULL));
	return step_done(st, s, "keystore put");
}

/* ---- Accounts ---------------------------------------------------------------- */

void wallet_store_account_clear(struct wallet_store_account *a)
{
	if (!a)
		return;
	kb_free(a->script_type);
	kb_free(a->origin_path);
	kb_free(a->xpub);
	kb_free(a->descriptor);
	kb_free(a->change_descriptor);
	kb_free(a->label);
	memset(a, 0, sizeof *a);
}

void wallet_store_account_list_free(struct wallet_store_account *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++)
		wallet_store_account_clear(&a[i]);
	kb_free(a);
}

static void read_account(sqlite3_stmt *s, struct wallet_store_account *a)
{
	memset(a, 0, sizeof *a);
	a->id = sqlite3_column_int64(s, 0);
	a->script_type = col_text(s, 1);
	a->account_index = col_int_or(s, 2, -1);
	a->has_fingerprint = col_fixed(s, 3, a->fingerprint, sizeof a->fingerprint);
	a->origin_path = col_text(s, 4);
	a->xpub = col_text(s, 5);
	a->descriptor = col_text(s, 6);
	a->change_descriptor = col_text(s, 7);
	a->next_index[0] = (uint32_t)sqlite3_column_int64(s, 8);
	a->next_index[1] = (uint32_t)sqlite3_column_int64(s, 9);
	a->label = col_text(s, 10);
	a->created_time = sqlite3_column_int64(s, 11);
	if (!a->script_type)
		a->script_type = kb_strdup("");
	if (!a->descriptor)
		a->descriptor = kb_strdup("");
}

enum kb_rc wallet_store_account_insert(struct wallet_store *st, int64_t *id,
                                       const struct wallet_store_account *a)
{
	KB_ASSERT(st && id && a);
	*id = 0;
	if (!a->script_type || !a->script_type[0] || !a->descriptor || !a->descriptor[0] ||
	    !text_ok(a->descriptor) || !text_ok(a->change_descriptor) || !text_ok(a->xpub) ||
	    !text_ok(a->origin_path) || !text_ok(a->label) || strlen(a->script_type) > 64)
		return KB_EINVAL;
	sqlite3_stmt *s = stmt(st, S_ACC_INSERT);
	if (!s)
		return KB_EDB;
	bind_text(s, 1, a->script_type);
	bind_opt_int(s, 2, a->account_index);
	bind_blob(s, 3, a->has_fingerprint ? a->fingerprint : NULL, sizeof a->fingerprint);
	bind_text(s, 4, a->origin_path);
	bind_text(s, 5, a->xpub);
	bind_text(s, 6, a->descriptor);
	bind_text(s, 7, a->change_descriptor);
	bind_text(s, 8, a->label);
	sqlite3_bind_int64(s, 9, a->created_time);
	enum kb_rc rc = step_done(st, s, "account insert");
	if (rc == KB_OK)
		*id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

enum kb_rc wallet_store_account_get(struct wallet_store *st, int64_t id,
                                    struct wallet_store_account *out)
{
	KB_ASSERT(st && out);
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s = stmt(st, S_ACC_GET);
	if (!s)
		return KB_EDB;
	sqlite3_bind_int64(s, 1, id);
	enum kb_rc rc;
	int code = sqlite3_step(s);
	if (code == SQLITE_ROW) {
		read_account(s, out);
		rc = KB_OK;
	} else {
		rc = code == SQLITE_DONE ? KB_ENOTFOUND : db_rc(st->db, code, "account get");
	}
	done(s);
	return rc;
}

/*
 * Collects the rows of a prepared statement into a growing array of
 * elements of size `size`, each filled by `read`. *out and *n stay empty on
 * failure (rows already read are freed by `clear`).
 */
static enum kb_rc collect(struct wallet_store *st, sqlite3_stmt *s, void **out, size_t *n,
                          size_t size, void (*read)(sqlite3_stmt *, void *),
                          void (*clear)(void *), const char *what)
{
	*out = NULL;
	*n = 0;
	uint8_t *arr = NULL;
	size_t count = 0, cap = 0;
	enum kb_rc rc = KB_OK;
	int code;
	while ((code = sqlite3_step(s)) == SQLITE_ROW) {
		if (count == cap) {
			cap = cap ? cap * 2 : 16;
			arr = kb_realloc(arr, cap * size);
		}
		read(s, arr + count * size);
		count++;
	}
	if (code != SQLITE_DONE) {
		rc = db_rc(st->db, code, what);
		for (size_t i = 0; i < count; i++)
			clear(arr + i * size);
		kb_free(arr);
		arr = NULL;
		count = 0;
	}
	done(s);
	*out = arr;
	*n = count;
	return rc;
}

static void read_account_v(sqlite3_stmt *s, void *p) { read_account(s, p); }
static void clear_account_v(void *p) { wallet_store_account_clear(p); }

enum kb_rc wallet_store_account_list(struct wallet_store *st, struct wallet_store_account **out,
                                     size_t *n)
{
	KB_ASSERT(st && out && n);
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s = stmt(st, S_ACC_LIST);
	if (!s)
		return KB_EDB;
	void *arr;
	enum kb_rc rc = collect(st, s, &arr, n, sizeof **out, read_account_v, clear_account_v,
	                        "account list");
	*out = arr;
	return rc;
}

/* Fails with KB_ENOTFOUND when the last statement changed no row. */
static enum kb_rc changed_one(struct wallet_store *st, enum kb_rc rc)
{
	if (rc == KB_OK && sqlite3_changes(st->db) == 0)
		return KB_ENOTFOUND;
	return rc;
}

enum kb_rc wallet_store_account_set_next_index(struct wallet_store *st, int64_t id,
                                               unsigned chain, uint32_t index)
{
	KB_ASSERT(st);
	if (chain > 1 || index >= UINT32_C(0x80000000))
		return KB_EINVAL;
	sqlite3_stmt *s = stmt(st, S_ACC_NEXT);
	if (!s)
		return KB_EDB;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, (int)chain);
	sqlite3_bind_int64(s, 3, index);
	return changed_one(st, step_done(st, s, "account next index"));
}

/* ---- Addresses ---------------------------------------------------------------- */

void wallet_store_address_clear(struct wallet_store_address *a)
{
	if (!a)
		return;
	kb_free(a->spk);
	kb_free(a->address);
	kb_free(a->label);
	memset(a, 0, sizeof *a);
}

void wallet_store_address_list_free(struct wallet_store_address *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++)
		wallet_store_address_clear(&a[i]);
	kb_free(a);
}

static void read_address(sqlite3_stmt *s, void *p)
{
	struct wallet_store_address *a = p;
	memset(a, 0, sizeof *a);
	a->id = sqlite3_column_int64(s, 0);
	a->account_id = sqlite3_column_int64(s, 1);
	a->chain = (unsigned)sqlite3_column_int(s, 2);
	a->index = (uint32_t)sqlite3_column_int64(s, 3);
	a->spk = col_blob(s, 4, &a->spk_len);
	a->address = col_text(s, 5);
	a->label = col_text(s, 6);
	a->used = sqlite3_column_int(s, 7) != 0;
	a->first_seen_height = col_int_or(s, 8, -1);
}

static void clear_address_v(void *p) { wallet_store_address_clear(p); }

static bool spk_ok(const uint8_t *spk, size_t len)
{
	return spk && len > 0 && len <= WALLET_STORE_SPK_MAX;
}

static enum kb_rc address_one(struct wallet_store *st, sqlite3_stmt *s,
                              struct wallet_store_address *out, const char *what)
{
	enum kb_rc rc;
	int code = sqlite3_step(s);
	if (code == SQLITE_ROW) {
		read_address(s, out);
		rc = KB_OK;
	} else {
		rc = code == SQLITE_DONE ? KB_ENOTFOUND : db_rc(st->db, code, what);
	}
	done(s);
	return rc;
}

enum kb_rc wallet_store_address_insert(struct wallet_store *st, int64_t *id,
                                       const struct wallet_store_address *a)
{
	KB_ASSERT(st && a);
	if (id)
		*id = 0;
	if (a->chain > 1 || a->index >= UINT32_C(0x80000000) || !text_ok(a->address))
		return KB_EINVAL;
	if (!spk_ok(a->spk, a->spk_len))
		return a->spk_len > WALLET_STORE_SPK_MAX ? KB_ELIMIT : KB_EINVAL;
	sqlite3_stmt *s = stmt(st, S_ADDR_INSERT);
	if (!s)
		return KB_EDB;
	sqlite3_bind_int64(s, 1, a->account_id);
	sqlite3_bind_int(s, 2, (int)a->chain);
	sqlite3_bind_int64(s, 3, a->index);
	bind_blob(s, 4, a->spk, a->spk_len);
	bind_text(s, 5, a->address);
	enum kb_rc rc = step_done(st, s, "address insert");
	if (rc == KB_OK && id)
		*id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

enum kb_rc wallet_store_address_get_by_spk(struct wallet_store *st, struct wallet_store_address *out,
                                           const uint8_t *spk, size_t spk_len)
{
	KB_ASSERT(st && out);
	memset(out, 0, sizeof *out);
	if (!spk_ok(spk, spk_len))
		return KB_ENOTFOUND;
	sqlite3_stmt *s = stmt(st, S_ADDR_BY_SPK);
	if (!s)
		return KB_EDB;
	bind_blob(s, 1, spk, spk_len);
	return address_one(st, s, out, "address by spk");
}

enum kb_rc wallet_store_address_get(struct wallet_store *st, struct wallet_store_address *out,
                                    int64_t account_id, unsigned chain, uint32_t index)
{
	KB_ASSERT(st && out);
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s = stmt(st, S_ADDR_BY_IDX);
	if (!s)
		return KB_EDB;
	sqlite3_bind_int64(s, 1, account_id);
	sqlite3_bind_int(s, 2, (int)chain);
	sqlite3_bind_int64(s, 3, index);
	return address_one(st, s, out, "address get");
}

enum kb_rc wallet_store_address_mark_used(struct wallet_store *st, const uint8_t *spk,
                                          size_t spk_len, int64_t height)
{
	KB_ASSERT(st);
	if (!spk_ok(spk, spk_len))
		return KB_ENOTFOUND;
	sqlite3_stmt *s = stmt(st, S_ADDR_MARK);
	if (!s)
		return KB_EDB;
	bind_blob(s, 1, spk, spk_len);
	sqlite3_bind_int64(s, 2, height < 0 ? -1 : height);
	return changed_one(st, step_done(st, s, "address mark used"));
}

enum kb_rc wallet_store_address_set_label(struct wallet_store *st, const uint8_t *spk,
                                          size_t spk_len, const char *label)
{
	KB_ASSERT(st);
	if (!text_ok(label))
		return KB_ELIMIT;
	if (!spk_ok(spk, spk_len))
		return KB_ENOTFOUND;
	sqlite3_stmt *s = stmt(st, S_ADDR_LABEL);
	if (!s)
		return KB_EDB;
	bind_blob(s, 1, spk, spk_len);
	bind_text(s, 2, label);
	return changed_one(st, step_done(st, s, "address label"));
}

enum kb_rc wallet_store_address_list(struct wallet_store *st, struct wallet_store_address **out,
                                     size_t *n, int64_t account_id, int chain)
{
	KB_ASSERT(st && out && n);
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s = stmt(st, S_ADDR_LIST);
	if (!s)
		return KB_EDB;
	sqlite3_bind_int64(s, 1, account_id);
	sqlite3_bind_int(s, 2, chain);
	void *arr;
	enum kb_rc rc = collect(st, s, &arr, n, sizeof **out, read_address, clear_address_v,
	                        "address list");
	*out = arr;
	return rc;
}

enum kb_rc wallet_store_address_next_unused(struct wallet_store *st, struct wallet_store_address *out,
                                            int64_t account_id, unsigned chain)
{
	KB_ASSERT(st && out);
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s = stmt(st, S_ADDR_NEXT_UNUSED);
	if (!s)
		return KB_EDB;
	sqlite3_bind_int64(s, 1, account_id);
	sqlite3_bind_int(s, 2, (int)chain);
	return address_one(st, s, out, "address next unused");
}

enum kb_rc wallet_store_address_indexes(struct wallet_store *st, int64_t *max_derived,
                                        int64_t *max_used, int64_t account_id, unsigned chain)
{
	KB_ASSERT(st && max_derived && max_used);
	*max_derived = *max_used = -1;
	sqlite3_stmt *s = stmt(st, S_ADDR_INDEXES);
	if (!s)
		return KB_EDB;
	sqlite3_bind_int64(s, 1, account_id);
	sqlite3_bind_int(s, 2, (int)chain);
	enum kb_rc rc = KB_OK;
	int code = sqlite3_step(s);
	if (code == SQLITE_ROW) {
		*max_derived = col_int_or(s, 0, -1);
		*max_used = col_int_or(s, 1, -1);
	} else {
		rc = db_rc(st->db, code, "address indexes");
	}
	done(s);
	return rc;
}

/* ---- Transactions ----------------------------------------------------------------- */

void wallet_store_tx_clear(struct wallet_store_tx *t)
{
	if (!t)
		return;
	kb_free(t->raw);
	kb_free(t->label);
	memset(t, 0, sizeof *t);
}

void wallet_store_tx_list_free(struct wallet_store_tx *t, size_t n)
{
	for (size_t i = 0; t && i < n; i++)
		wallet_store_tx_clear(&t[i]);
	kb_free(t);
}

static void read_tx(sqlite3_stmt *s, void *p)
{
	struct wallet_store_tx *t = p;
	memset(t, 0, sizeof *t);
	(void)col_fixed(s, 0, t->txid.b, sizeof t->txid.b);
	t->raw = col_blob(s, 1, &t->raw_len);
	t->height = col_int_or(s, 2, -1);
	(void)col_fixed(s, 3, t->block_hash.b, sizeof t->block_hash.b);
	t->block_time = col_int_or(s, 4, -1);
	t->first_seen = sqlite3_column_int64(s, 5);
	t->state = (enum wallet_tx_state)sqlite3_column_int(s, 6);
	t->fee = col_int_or(s, 7, -1);
	t->label = col_text(s, 8);
}

static void clear_tx_v(void *p) { wallet_store_tx_clear(p); }

static enum kb_rc tx_upsert_inner(struct wallet_store *st, bool *inserted,
                                  const struct hash256 *txid, const uint8_t *raw, size_t raw_len,
                                  int64_t height, const struct hash256 *block_hash,
                                  int64_t block_time, int64_t first_seen, int64_t fee)
{
	sqlite3_stmt *s = stmt(st, S_TX_STATE_GET);
	if (!s)
		return KB_EDB;
	bind_blob(s, 1, txid->b, 32);
	int code = sqlite3_step(s);
	done(s);
	if (code != SQLITE_ROW && code != SQLITE_DONE)
		return db_rc(st->db, code, "tx lookup");
	if (code == SQLITE_DONE) {
		s = stmt(st, S_TX_INSERT);
		if (!s)
			return KB_EDB;
		bind_blob(s, 1, txid->b, 32);
		bind_blob(s, 2, raw, raw_len);
		if (block_hash) {
			sqlite3_bind_int64(s, 3, height);
			bind_blob(s, 4, block_hash->b, 32);
			sqlite3_bind_int64(s, 5, block_time);
		}
		sqlite3_bind_int64(s, 6, first_seen);
		sqlite3_bind_int(s, 7, block_hash ? WALLET_TX_CONFIRMED : WALLET_TX_PENDING);
		bind_opt_int(s, 8, fee);
		enum kb_rc rc = step_done(st, s, "tx insert");
		if (rc == KB_OK && inserted)
			*inserted = true;
		return rc;
	}
	if (block_hash) {
		s = stmt(st, S_TX_CONFIRM);
		if (!s)
			return KB_EDB;
		bind_blob(s, 1, txid->b, 32);
		sqlite3_bind_int64(s, 2, height);
		bind_blob(s, 3, block_hash->b, 32);
		sqlite3_bind_int64(s, 4, block_time);
		enum kb_rc rc = step_done(st, s, "tx confirm");
		if (rc != KB_OK)
			return rc;
	}
	if (fee >= 0) {
		s = stmt(st, S_TX_FEE);
		if (!s)
			return KB_EDB;
		bind_blob(s, 1, txid->b, 32);
		sqlite3_bind_int64(s, 2, fee);
		return step_done(st, s, "tx fee");
	}
	return KB_OK;
}

enum kb_rc wallet_store_tx_upsert(struct wallet_store *st, bool *inserted,
                                  const struct hash256 *txid,
                                  const uint8_t *raw, size_t raw_len,
                                  int64_t height, const struct hash256 *block_hash,
                                  int64_t block_time, int64_t first_seen, int64_t fee)
{
	KB_ASSERT(st && txid);
	if (inserted)
		*inserted = false;
	if (!raw || raw_len == 0)
		return KB_EINVAL;
	if (raw_len > WALLET_STORE_RAWTX_MAX)
		return KB_ELIMIT;
	if (block_hash && (height < 0 || height > INT32_MAX))
		return KB_EINVAL;
	if (fee > MAX_MONEY)
		return KB_EINVAL;
	enum kb_rc rc = wbegin(st);
	if (rc != KB_OK)
		return rc;
	bool ins = false;
	rc = tx_upsert_inner(st, &ins, txid, raw, raw_len, height, block_hash, block_time,
	                     first_seen, fee);
	rc = wend(st, rc);
	if (rc == KB_OK && inserted)
		*inserted = ins;
	return rc;
}

enum kb_rc wallet_store_tx_get(struct wallet_store *st, struct wallet_store_tx *out,
                               const struct hash256 *txid)
{
	KB_ASSERT(st && out && txid);
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s = stmt(st, S_TX_GET);
	if (!s)
		return KB_EDB;
	bind_blob(s, 1, txid->b, 32);
	enum kb_rc rc;
	int code = sqlite3_step(s);
	if (code == SQLITE_ROW) {
		read_tx(s, out);
		rc = KB_OK;
	} else {
		rc = code == SQLITE_DONE ? KB_ENOTFOUND : db_rc(st->db, code, "tx get");
	}
	done(s);
	return rc;
}

enum kb_rc wallet_store_tx_list(struct wallet_store *st, struct wallet_store_tx **out, size_t *n)
{
	KB_ASSERT(st && out && n);
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s = stmt(st, S_TX_LIST);
	if (!s)
		return KB_EDB;
	void *arr;
	enum kb_rc rc = collect(st, s, &arr, n, sizeof **out, read_tx, clear_tx_v, "tx list");
	*out = arr;
	return rc;
}

enum kb_rc wallet_store_tx_set_state(struct wallet_store *st, const struct hash256 *txid,
                                     enum wallet_tx_state state)
{
	KB_ASSERT(st && txid);
	if (state != WALLET_TX_PENDING && state != WALLET_TX_CONFLICTED && state != WALLET_TX_REPLACED)
		return KB_EINVAL;
	sqlite3_stmt *s = stmt(st, S_TX_SET_STATE);
	if (!s)
		return KB_EDB;
	bind_blob(s, 1, txid->b, 32);
	sqlite3_bind_int(s, 2, (int)state);
	return changed_one(st, step_done(st, s, "tx set state"));
}

enum kb_rc wallet_store_tx_unconfirm_above(struct wallet_store *st, size_t *count, int64_t height)
{
	KB_ASSERT(st);
	if (count)
		*count = 0;
	sqlite3_stmt *s = stmt(st, S_TX_UNCONFIRM);
	if (!s)
		return KB_EDB;
	sqlite3_bind_int64(s, 1, height);
	enum kb_rc rc = step_done(st, s, "tx unconfirm");
	if (rc == KB_OK && count)
		*count = (size_t)sqlite3_changes(st->db);
	return rc;
}

enum kb_rc wallet_store_tx_set_label(struct wallet_store *st, const struct hash256 *txid,
                                     const char *label)
{
	KB_ASSERT(st && txid);
	if (!text_ok(label))
		return KB_ELIMIT;
	sqlite3_stmt *s = stmt(st, S_TX_LABEL);
	if (!s)
		return KB_EDB;
	bind_blob(s, 1, txid->b, 32);
	bind_text(s, 2, label);
	return changed_one(st, step_done(st, s, "tx label"));
}

/* ---- Outputs and spends ---------------------------------------------------------------- */

void wallet_store_output_clear(struct wallet_store_output *o)
{
	if (!o)
		return;
	kb_free(o->spk);
	kb_free(o->label);
	memset(o, 0, sizeof *o);
}

void wallet_store_output_list_free(struct wallet_store_output *o, size_t n)
{
	for (size_t i = 0; o && i < n; i++)
		wallet_store_output_clear(&o[i]);
	kb_free(o);
}

static void read_output(sqlite3_stmt *s, void *p)
{
	struct wallet_store_output *o = p;
	memset(o, 0, sizeof *o);
	(void)col_fixed(s, 0, o->txid.b, sizeof o->txid.b);
	o->vout = (uint32_t)sqlite3_column_int64(s, 1);
	o->value = sqlite3_column_int64(s, 2);
	o->spk = col_blob(s, 3, &o->spk_len);
	o->address_id = col_int_or(s, 4, 0);
	o->account_id = col_int_or(s, 5, 0);
	o->chain = (int)col_int_or(s, 6, -1);
	o->index = col_int_or(s, 7, -1);
	o->is_change = sqlite3_column_int(s, 8) != 0;
	o->coinbase = sqlite3_column_int(s, 9) != 0;
	o->frozen = sqlite3_column_int(s, 10) != 0;
	o->label = col_text(s, 11);
	o->tx_state = (enum wallet_tx_state)sqlite3_column_int(s, 12);
	o->height = col_int_or(s, 13, -1);
	o->spent = sqlite3_column_int(s, 14) != 0;
	o->spent_confirmed = sqlite3_column_int(s, 15) != 0;
}

static void clear_output_v(void *p) { wallet_store_output_clear(p); }

enum kb_rc wallet_store_output_insert(struct wallet_store *st, const struct wallet_store_output *o)
{
	KB_ASSERT(st && o);
	if (o->value < 0 || o->value > MAX_MONEY || o->address_id < 0)
		return KB_EINVAL;
	if (!spk_ok(o->spk, o->spk_len) && o->spk_len != 0)
		return o->spk_len > WALLET_STORE_SPK_MAX ? KB_ELIMIT : KB_EINVAL;
	sqlite3_stmt *s = stmt(st, S_OUT_INSERT);
	if (!s)
		return KB_EDB;
	bind_blob(s, 1, o->txid.b, 32);
	sqlite3_bind_int64(s, 2, o->vout);
	sqlite3_bind_int64(s, 3, o->value);
	sqlite3_bind_blob(s, 4, o->spk_len ? (const void *)o->spk : "", (int)o->spk_len,
	                  SQLITE_TRANSIENT);
	bind_opt_int(s, 5, o->address_id > 0 ? o->address_id : -1);
	sqlite3_bind_int(s, 6, o->is_change);
	sqlite3_bind_int(s, 7, o->coinbase);
	return step_done(st, s, "output insert");
}

enum kb_rc wallet_store_output_get(struct wallet_store *st, struct wallet_store_output *out,
                                   const struct hash256 *txid, uint32_t vout)
{
	KB_ASSERT(st && out && txid);
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s = stmt(st, S_OUT_GET);
	if (!s)
		return KB_EDB;
	bind_blob(s, 1, txid->b, 32);
	sqlite3_bind_int64(s, 2, vout);
	enum kb_rc rc;
	int code = sqlite3_step(s);
	if (code == SQLITE_ROW) {
		read_output(s, out);
		rc = KB_OK;
	} else {
		rc = code == SQLITE_DONE ? KB_ENOTFOUND : db_rc(st->db, code, "output get");
	}
	done(s);
	return rc;
}

enum kb_rc wallet_store_output_set_frozen(struct wallet_store *st, const struct hash256 *txid,
                                          uint32_t vout, bool frozen)
{
	KB_ASSERT(st && txid);
	sqlite3_stmt *s = stmt(st, S_OUT_FROZEN);
	if (!s)
		return KB_EDB;
	bind_blob(s, 1, txid->b, 32);
	sqlite3_bind_int64(s, 2, vout);
	sqlite3_bind_int(s, 3, frozen);
	return changed_one(st, step_done(st, s, "output frozen"));
}

enum kb_rc wallet_store_output_set_label(struct wallet_store *st, const struct hash256 *txid,
                                         uint32_t vout, const char *label)
{
	KB_ASSERT(st && txid);
	if (!text_ok(label))
		return KB_ELIMIT;
	sqlite3_stmt *s = stmt(st, S_OUT_LABEL);
	if (!s)
		return KB_EDB;
	bind_blob(s, 1, txid->b, 32);
	sqlite3_bind_int64(s, 2, vout);
	bind_text(s, 3, label);
	return changed_one(st, step_done(st, s, "output label"));
}

static enum kb_rc output_list(struct wallet_store *st, enum stmt_id id,
                              struct wallet_store_output **out, size_t *n)
{
	KB_ASSERT(st && out && n);
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s = stmt(st, id);
	if (!s)
		return KB_EDB;
	void *arr;
	enum kb_rc rc = collect(st, s, &arr, n, sizeof **out, read_output, clear_output_v,
	                        "output list");
	*out = arr;
	return rc;
}

enum kb_rc wallet_store_output_list(struct wallet_store *st, struct wallet_store_output **out, size_t *n)
{
	return output_list(st, S_OUT_LIST, out, n);
}

enum kb_rc wallet_store_utxo_list(struct wallet_store *st, struct wallet_store_output **out, size_t *n)
{
	return output_list(st, S_UTXO_LIST, out, n);
}

enum kb_rc wallet_store_spend_insert(struct wallet_store *st, const struct hash256 *prev_txid,
                                     uint32_t prev_vout, const struct hash256 *txid, uint32_t vin)
{
	KB_ASSERT(st && prev_txid && txid);
	sqlite3_stmt *s = stmt(st, S_SPEND_INSERT);
	if (!s)
		return KB_EDB;
	bind_blob(s, 1, prev_txid->b, 32);
	sqlite3_bind_int64(s, 2, prev_vout);
	bind_blob(s, 3, txid->b, 32);
	sqlite3_bind_int64(s, 4, vin);
	return step_done(st, s, "spend insert");
}

enum kb_rc wallet_store_spend_list(struct wallet_store *st, struct hash256 **out, size_t *n,
                                   const struct hash256 *prev_txid, uint32_t prev_vout)
{
	KB_ASSERT(st && out && n && prev_txid);
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s = stmt(st, S_SPEND_LIST);
	if (!s)
		return KB_EDB;
	bind_blob(s, 1, prev_txid->b, 32);
	sqlite3_bind_int64(s, 2, prev_vout);
	struct hash256 *arr = NULL;
	size_t count = 0, cap = 0;
	int code;
	enum kb_rc rc = KB_OK;
	while ((code = sqlite3_step(s)) == SQLITE_ROW) {
		if (count == cap) {
			cap = cap ? cap * 2 : 4;
			arr = kb_realloc(arr, cap * sizeof *arr);
		}
		if (!col_fixed(s, 0, arr[count].b, 32))
			memset(arr[count].b, 0, 32);
		count++;
	}
	if (code != SQLITE_DONE) {
		rc = db_rc(st->db, code, "spend list");
		kb_free(arr);
		arr = NULL;
		count = 0;
	}
	done(s);
	*out = arr;
	*n = count;
	return rc;
}

/* ---- Sync state ------------------------------------------------------------------- */

enum kb_rc wallet_store_sync_get(struct wallet_store *st, int64_t *height, struct hash256 *hash)
{
	KB_ASSERT(st && height && hash);
	*height = -1;
	memset(hash, 0, sizeof *hash);
	sqlite3_stmt *s = stmt(st, S_SYNC_GET);
	if (!s)
		return KB_EDB;
	enum kb_rc rc;
	int code = sqlite3_step(s);
	if (code == SQLITE_ROW) {
		*height = sqlite3_column_int64(s, 0);
		rc = col_fixed(s, 1, hash->b, 32) ? KB_OK : KB_EPARSE;
	} else {
		rc = code == SQLITE_DONE ? KB_ENOTFOUND : db_rc(st->db, code, "sync get");
	}
	done(s);
	return rc;
}

enum kb_rc wallet_store_sync_set(struct wallet_store *st, int64_t height, const struct hash256 *hash)
{
	KB_ASSERT(st && hash);
	if (height < 0 || height > INT32_MAX)
		return KB_EINVAL;
	sqlite3_stmt *s = stmt(st, S_SYNC_SET);
	if (!s)
		return KB_EDB;
	sqlite3_bind_int64(s, 1, height);
	bind_blob(s, 2, hash->b, 32);
	sqlite3_bind_int64(s, 3, (int64_t)time(NULL));
	return step_done(st, s, "sync set");
}

/* ---- Peers and bans ---------------------------------------------------------------- */

static bool host_ok(const char *host)
{
	return host && host[0] && strnlen(host, 256) < 256;
}

enum kb_rc wallet_store_peer_upsert(struct wallet_store *st, const struct wallet_store_peer *p)
{
	KB_ASSERT(st && p);
	if (!host_ok(p->host) || !text_ok(p->source))
		return KB_EINVAL;
	sqlite3_stmt *s = stmt(st, S_PEER_UPSERT);
	if (!s)
		return KB_EDB;
	sqlite3_bind_text(s, 1, p->host, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 2, p->port);
	sqlite3_bind_int(s, 3, (int)p->net_type);
	sqlite3_bind_int64(s, 4, (int64_t)p->services);
	bind_opt_int(s, 5, p->last_seen);
	bind_opt_int(s, 6, p->last_try);
	bind_opt_int(s, 7, p->last_success);
	sqlite3_bind_int64(s, 8, p->attempts);
	sqlite3_bind_int(s, 9, p->tried);
	bind_text(s, 10, p->source);
	return step_done(st, s, "peer upsert");
}

enum kb_rc wallet_store_peer_delete(struct wallet_store *st, const char *host, uint16_t port)
{
	KB_ASSERT(st);
	if (!host_ok(host))
		return KB_EINVAL;
	sqlite3_stmt *s = stmt(st, S_PEER_DELETE);
	if (!s)
		return KB_EDB;
	sqlite3_bind_text(s, 1, host, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 2, port);
	return changed_one(st, step_done(st, s, "peer delete"));
}

static void read_peer(sqlite3_stmt *s, void *v)
{
	struct wallet_store_peer *p = v;
	memset(p, 0, sizeof *p);
	p->host = col_text(s, 0);
	if (!p->host)
		p->host = kb_strdup("");
	p->port = (uint16_t)sqlite3_column_int(s, 1);
	p->net_type = (enum wallet_peer_net)sqlite3_column_int(s, 2);
	p->services = (uint64_t)sqlite3_column_int64(s, 3);
	p->last_seen = col_int_or(s, 4, -1);
	p->last_try = col_int_or(s, 5, -1);
	p->last_success = col_int_or(s, 6, -1);
	p->attempts = (uint32_t)sqlite3_column_int64(s, 7);
	p->tried = sqlite3_column_int(s, 8) != 0;
	p->source = col_text(s, 9);
}

static void clear_peer_v(void *v)
{
	struct wallet_store_peer *p = v;
	kb_free(p->host);
	kb_free(p->source);
	memset(p, 0, sizeof *p);
}

enum kb_rc wallet_store_peer_list(struct wallet_store *st, struct wallet_store_peer **out,
                                  size_t *n, size_t limit)
{
	KB_ASSERT(st && out && n);
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s = stmt(st, S_PEER_LIST);
	if (!s)
		return KB_EDB;
	sqlite3_bind_int64(s, 1, limit == 0 || limit > INT64_MAX ? -1 : (int64_t)limit);
	void *arr;
	enum kb_rc rc = collect(st, s, &arr, n, sizeof **out, read_peer, clear_peer_v, "peer list");
	*out = arr;
	return rc;
}

void wallet_store_peer_list_free(struct wallet_store_peer *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++)
		clear_peer_v(&p[i]);
	kb_free(p);
}

enum kb_rc wallet_store_ban_add(struct wallet_store *st, const char *host, const char *reason,
                                int64_t until, int64_t now)
{
	KB_ASSERT(st);
	if (!host_ok(host) || !reason || !text_ok(reason))
		return KB_EINVAL;
	sqlite3_stmt *s = stmt(st, S_BAN_ADD);
	if (!s)
		return KB_EDB;
	sqlite3_bind_text(s, 1, host, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, until);
	sqlite3_bind_int64(s, 4, now);
	return step_done(st, s, "ban add");
}

enum kb_rc wallet_store_ban_check(struct wallet_store *st, bool *banned, const char *host,
                                  int64_t now)
{
	KB_ASSERT(st && banned);
	*banned = false;
	if (!host_ok(host))
		return KB_EINVAL;
	sqlite3_stmt *s = stmt(st, S_BAN_CHECK);
	if (!s)
		return KB_EDB;
	sqlite3_bind_text(s, 1, host, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, now);
	int code = sqlite3_step(s);
	enum kb_rc rc = KB_OK;
	if (code == SQLITE_ROW)
		*banned = true;
	else if (code != SQLITE_DONE)
		rc = db_rc(st->db, code, "ban check");
	done(s);
	return rc;
}

enum kb_rc wallet_store_ban_prune(struct wallet_store *st, size_t *count, int64_t now)
{
	KB_ASSERT(st);
	if (count)
		*count = 0;
	sqlite3_stmt *s = stmt(st, S_BAN_PRUNE);
	if (!s)
		return KB_EDB;
	sqlite3_bind_int64(s, 1, now);
	enum kb_rc rc = step_done(st, s, "ban prune");
	if (rc == KB_OK && count)
		*count = (size_t)sqlite3_changes(st->db);
	return rc;
}

static void read_ban(sqlite3_stmt *s, void *v)
{
	struct wallet_store_ban *b = v;
	b->host = col_text(s, 0);
	b->reason = col_text(s, 1);
	if (!b->host)
		b->host = kb_strdup("");
	if (!b->reason)
		b->reason = kb_strdup("");
	b->until = sqlite3_column_int64(s, 2);
	b->created = sqlite3_column_int64(s, 3);
}

static void clear_ban_v(void *v)
{
	struct wallet_store_ban *b = v;
	kb_free(b->host);
	kb_free(b->reason);
	memset(b, 0, sizeof *b);
}

enum kb_rc wallet_store_ban_list(struct wallet_store *st, struct wallet_store_ban **out, size_t *n)
{
	KB_ASSERT(st && out && n);
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s = stmt(st, S_BAN_LIST);
	if (!s)
		return KB_EDB;
	void *arr;
	enum kb_rc rc = collect(st, s, &arr, n, sizeof **out, read_ban, clear_ban_v, "ban list");
	*out = arr;
	return rc;
}

void wallet_store_ban_list_free(struct wallet_store_ban *b, size_t n)
{
	for (size_t i = 0; b && i < n; i++)
		clear_ban_v(&b[i]);
	kb_free(b);
}
