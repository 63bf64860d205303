/*
 * The wallet store: one SQLite database per wallet.
 *
 * Path: <datadir>/<network dirname>/<wallet name>.sqlite, datadir defaulting
 * to $XDG_DATA_HOME/koban (~/.local/share/koban). Directories are 0700, the
 * database 0600. Beside it, <wallet name>.lock holds an flock() and the pid
 * of the koban process that has the wallet open: a second process is
 * refused (WALLET_STORE_LOCKED), never allowed to share.
 *
 * Invariants:
 * - A koban wallet is an SQLite file whose application_id is
 *   WALLET_STORE_APP_ID and whose user_version is a schema version koban
 *   knows. Anything else is refused on open and left byte for byte as it
 *   was: the header is read with plain read(2) first, the file is then
 *   inspected through a read-only connection (application_id, user_version,
 *   PRAGMA quick_check), and only then opened for writing.
 * - Creation is atomic: the schema and the wallet row are built in a
 *   temporary file that is linked into place when complete, so a wallet
 *   file either does not exist or is whole. Opening never creates a file.
 * - Journal WAL, synchronous=FULL, foreign_keys=ON. Every write function
 *   runs inside a transaction (its own, or the caller's open one), so after
 *   kill -9 at any moment the file opens consistent with the last commit.
 * - Confirmations are never stored: they are derived from the tip height
 *   (tip - height + 1). A transaction row stores its block height, or NULL.
 * - Public data only. Secrets are stored solely as the sealed blob that
 *   wallet/keystore.c writes through wallet_store_keystore_put().
 *
 * Byte order: txids and block hashes are struct hash256 in internal (wire)
 * byte order, as hashed; display order is the reverse.
 *
 * No sqlite3 type appears in this header. SQLite errors become KB_EDB (with
 * sqlite3_errmsg in the log). None of these functions may be called from a
 * thread other than the one that opened the store.
 */
#ifndef KOBAN_WALLET_STORE_H
#define KOBAN_WALLET_STORE_H

#include "wallet/hash.h"
#include "wallet/network.h"
#include "wallet/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 'KOBN': PRAGMA application_id of every koban wallet. */
#define WALLET_STORE_APP_ID 0x4b4f424e
/* The newest schema version this build writes (PRAGMA user_version). */
#define WALLET_STORE_SCHEMA_VERSION 1
/* Wallet names: 1..64 of [A-Za-z0-9._-], not starting with '.'. */
#define WALLET_STORE_NAME_MAX 64
#define WALLET_STORE_ID_LEN 16
/* Bounds on blobs the store accepts (checked before writing). */
#define WALLET_STORE_RAWTX_MAX 4000000
#define WALLET_STORE_SPK_MAX 10000
#define WALLET_STORE_TEXT_MAX 65536

/* Default settings written into every new wallet (keys below). */
#define WALLET_SETTING_CONFIRM_TARGET "confirm_target"   /* "6" */
#define WALLET_SETTING_GAP_LIMIT "gap_limit"             /* "20" */
#define WALLET_SETTING_BLOOM_FP_RATE "bloom_fp_rate"     /* "0.0005" */
#define WALLET_SETTING_FEE_URL "fee_url"                 /* "" (none) */

struct wallet_store;

/*
 * Why an open or create failed, for a precise message. The kb_rc returned
 * alongside is given in brackets.
 */
enum wallet_store_why {
	WALLET_STORE_FINE = 0,
	WALLET_STORE_MISSING,    /* [KB_ENOTFOUND] open: no file at that path */
	WALLET_STORE_EXISTS,     /* [KB_EEXIST] create: a file is already there */
	WALLET_STORE_NOT_KOBAN,  /* [KB_EPARSE] not SQLite, or another application's SQLite */
	WALLET_STORE_NEWER,      /* [KB_EVERSION] schema newer than this koban */
	WALLET_STORE_CORRUPT,    /* [KB_EDB] SQLite reports damage (quick_check) */
	WALLET_STORE_LOCKED,     /* [KB_ELOCKED] another koban process has it open */
	WALLET_STORE_IO,         /* [KB_EIO] a file-system error (permissions, space) */
	WALLET_STORE_DB,         /* [KB_EDB] any other SQLite failure */
	WALLET_STORE_BADNAME,    /* [KB_EINVAL] a wallet name that is not allowed */
	WALLET_STORE_FILL,       /* [the callback's rc] create_with: the fill callback failed */
};

/* ---- Paths and directories ------------------------------------------- */

/*
 * The default data directory: $XDG_DATA_HOME/koban when XDG_DATA_HOME is an
 * absolute path, else $HOME/.local/share/koban. *out is kb_malloc'd (caller
 * kb_free()s); NULL on failure. KB_ENOTFOUND when neither variable is
 * usable. Creates nothing.
 */
enum kb_rc wallet_store_default_datadir(char **out) KB_WUR;

/* True when name is a valid wallet name (see WALLET_STORE_NAME_MAX). */
bool wallet_store_name_valid(const char *name);

/*
 * Creates <datadir> and <datadir>/<net dirname> when missing, each with
 * mode 0700 (set with chmod after mkdir, so the umask does not matter;
 * existing directories are left as they are, with a warning in the log if
 * others can read them). Missing parents of datadir are created 0700 too.
 * On success *dir (optional) is the kb_malloc'd network directory.
 * KB_EIO (message in err) on failure.
 */
enum kb_rc wallet_store_prepare_dir(char **dir, const char *datadir, enum kb_net net,
                                    char *err, size_t errlen) KB_WUR;

/*
 * The wallet file path <datadir>/<net dirname>/<name>.sqlite, kb_malloc'd
 * into *out (NULL on failure). KB_EINVAL for a bad name. Creates nothing.
 */
enum kb_rc wallet_store_path(char **out, const char *datadir, enum kb_net net,
                             const char *name) KB_WUR;

/* ---- Open, create, close ---------------------------------------------- */

/*
 * Creates a new wallet at path (whose directory must exist) and opens it.
 * The new wallet holds the schema, a random 16-byte wallet id, net,
 * created_time (unix seconds), watch_only, a random Bloom tweak and the
 * default settings; nothing else. KB_EEXIST when a file is already at path
 * (it is not touched). Takes the lock first (KB_ELOCKED).
 * On success *out is the open store (caller closes with
 * wallet_store_close); on failure *out is NULL, nothing is left at path,
 * *why (optional) says why and err (optional) holds one line for a person.
 */
enum kb_rc wallet_store_create(struct wallet_store **out, const char *path,
                               enum kb_net net, int64_t created_time, bool watch_only,
                               enum wallet_store_why *why,
                               char *err, size_t errlen) KB_WUR;

/*
 * Fills a wallet being created (see wallet_store_create_with). st is the
 * store of the temporary file, inside an open transaction: use the typed
 * functions (accounts, addresses, wallet_keystore_seal, settings...), do
 * not close it, keep no pointer to it. Return KB_OK to publish the wallet;
 * anything else discards it.
 */
typedef enum kb_rc (*wallet_store_fill_cb)(struct wallet_store *st, void *arg);

/*
 * wallet_store_create, with fill(st, arg) run in the same transaction as
 * the schema and the wallet row, before the file is published under path.
 * So a wallet file either exists with everything fill wrote (accounts,
 * keystore) or does not exist at all: a crash or a failure half way
 * through creation leaves no wallet behind. When fill fails, its rc is
 * returned, *why is WALLET_STORE_FILL and nothing is left at path.
 * fill NULL is wallet_store_create. fill may take long (the keystore KDF).
 */
enum kb_rc wallet_store_create_with(struct wallet_store **out, const char *path,
                                    enum kb_net net, int64_t created_time, bool watch_only,
                                    wallet_store_fill_cb fill, void *arg,
                                    enum wallet_store_why *why,
                                    char *err, size_t errlen) KB_WUR;

/*
 * Opens an existing wallet for reading and writing. Refuses, changing
 * nothing in the file: a missing file (KB_ENOTFOUND, no file is created),
 * one that is not a koban wallet (KB_EPARSE), a newer schema (KB_EVERSION),
 * a corrupt file (KB_EDB with WALLET_STORE_CORRUPT: quick_check fails, or
 * a koban table or the wallet row is missing), one that another process
 * holds (KB_ELOCKED: "wallet X is in use by another koban process (pid
 * N)"). The one write that may precede a refusal is SQLite's own crash
 * recovery of a koban wallet left by a killed process (WAL index rebuild,
 * hot-journal rollback), which restores its last commit. An older schema
 * is migrated forward, one transaction per step. The checks read the whole
 * file (quick_check): expect some milliseconds per megabyte.
 * Outputs as for wallet_store_create.
 */
enum kb_rc wallet_store_open(struct wallet_store **out, const char *path,
                             enum wallet_store_why *why,
                             char *err, size_t errlen) KB_WUR;

/*
 * Rolls back any transaction still open, closes the database (SQLite then
 * checkpoints the WAL) and releases the lock. NULL is a no-op.
 */
void wallet_store_close(struct wallet_store *st);

/* The path the store was opened with (borrowed, valid until close). */
const char *wallet_store_filename(const struct wallet_store *st);

/*
 * PRAGMA integrity_check (slow: reads every page). KB_OK when SQLite says
 * "ok", KB_EDB otherwise (the first problem goes in err).
 */
enum kb_rc wallet_store_integrity_check(struct wallet_store *st, char *err, size_t errlen) KB_WUR;

/* ---- Transactions ------------------------------------------------------ */

/*
 * begin/commit/rollback nest: the outermost begin is BEGIN IMMEDIATE, inner
 * ones are SAVEPOINTs. commit of an inner level releases its savepoint (the
 * work becomes durable only when the outermost commits); rollback undoes
 * the innermost level only. Every write function below is atomic on its
 * own (one statement, or its own inner level) and joins the caller's
 * transaction when one is open. A failed write undoes only its own changes
 * and leaves the caller's transaction open (the caller decides). If SQLite
 * itself aborted the transaction (an I/O error), every later commit of the
 * nest fails with KB_EDB.
 */
enum kb_rc wallet_store_begin(struct wallet_store *st) KB_WUR;
enum kb_rc wallet_store_commit(struct wallet_store *st) KB_WUR;
enum kb_rc wallet_store_rollback(struct wallet_store *st) KB_WUR;
/* Nesting depth: 0 outside any transaction. */
unsigned wallet_store_txn_depth(const struct wallet_store *st);

/* ---- Wallet meta and settings ------------------------------------------ */

struct wallet_store_meta {
	uint8_t wallet_id[WALLET_STORE_ID_LEN];
	enum kb_net net;
	int64_t created_time;     /* unix seconds */
	int64_t birthday_height;  /* -1 when unknown */
	int64_t birthday_time;    /* unix seconds; -1 when unknown */
	bool watch_only;
	uint32_t bloom_tweak;     /* BIP37 nTweak, random per wallet */
};

/* Reads the wallet row. On failure *out is zeroed. */
enum kb_rc wallet_store_meta_get(struct wallet_store *st, struct wallet_store_meta *out) KB_WUR;
/* Sets the birthday (-1 for unknown). */
enum kb_rc wallet_store_meta_set_birthday(struct wallet_store *st, int64_t height,
                                          int64_t time) KB_WUR;
/* Sets the watch_only flag (a wallet whose keystore was never written). */
enum kb_rc wallet_store_meta_set_watch_only(struct wallet_store *st, bool watch_only) KB_WUR;

/*
 * Settings: key -> text. get gives a kb_malloc'd copy in *value (caller
 * kb_free()s; NULL on failure), KB_ENOTFOUND for an unknown key. set
 * inserts or replaces. Keys are 1..64 bytes, values up to
 * WALLET_STORE_TEXT_MAX.
 */
enum kb_rc wallet_store_setting_get(struct wallet_store *st, const char *key, char **value) KB_WUR;
enum kb_rc wallet_store_setting_set(struct wallet_store *st, const char *key, const char *value) KB_WUR;
/* Integer forms; get is KB_EPARSE when the text is not a decimal int64. */
enum kb_rc wallet_store_setting_get_int(struct wallet_store *st, const char *key, int64_t *value) KB_WUR;
enum kb_rc wallet_store_setting_set_int(struct wallet_store *st, const char *key, int64_t value) KB_WUR;

/* ---- Keystore blob (written and read by wallet/keystore.c only) -------- */

#define WALLET_STORE_SALT_LEN 16
#define WALLET_STORE_NONCE_LEN 24
#define WALLET_STORE_SEALED_MAX 8192

struct wallet_store_sealed {
	uint32_t format_version;
	uint32_t kdf_alg;              /* libsodium crypto_pwhash algorithm id */
	uint64_t opslimit;
	uint64_t memlimit;
	uint8_t salt[WALLET_STORE_SALT_LEN];
	uint8_t nonce[WALLET_STORE_NONCE_LEN];
	uint8_t *ct;                   /* owned; kb_malloc'd ciphertext + tag */
	size_t ct_len;
};

/*
 * Reads the sealed blob into *out (caller frees with
 * wallet_store_sealed_clear). KB_ENOTFOUND when the wallet has none
 * (watch-only). On failure *out is cleared.
 */
enum kb_rc wallet_store_keystore_get(struct wallet_store *st, struct wallet_store_sealed *out) KB_WUR;
/* Inserts or replaces the sealed blob (one statement: atomic). */
enum kb_rc wallet_store_keystore_put(struct wallet_store *st, const struct wallet_store_sealed *in) KB_WUR;
/* Frees ct and zeroes *s. */
void wallet_store_sealed_clear(struct wallet_store_sealed *s);

/* ---- Accounts ---------------------------------------------------------- */

struct wallet_store_account {
	int64_t id;                 /* store id, > 0 */
	char *script_type;          /* owned: "pkh", "sh-wpkh", "wpkh", "tr" or another name */
	int64_t account_index;      /* BIP44 account number; -1 for an imported descriptor */
	bool has_fingerprint;
	uint8_t fingerprint[4];     /* key origin master fingerprint */
	char *origin_path;          /* owned, may be NULL: e.g. "84h/0h/0h" */
	char *xpub;                 /* owned, may be NULL */
	char *descriptor;           /* owned: receive chain, with #checksum */
	char *change_descriptor;    /* owned, may be NULL: change chain, with #checksum */
	uint32_t next_index[2];     /* per chain (0 receive, 1 change): next index to hand out */
	char *label;                /* owned, may be NULL */
	int64_t created_time;
};

/*
 * Inserts an account; id and next_index of *a are ignored (next indexes
 * start at 0). *id is the new account's id. KB_EEXIST when the descriptor
 * is already stored; KB_EINVAL for a missing script_type/descriptor.
 */
enum kb_rc wallet_store_account_insert(struct wallet_store *st, int64_t *id,
                                       const struct wallet_store_account *a) KB_WUR;
/* Reads one account (caller wallet_store_account_clear()s). KB_ENOTFOUND. */
enum kb_rc wallet_store_account_get(struct wallet_store *st, int64_t id,
                                    struct wallet_store_account *out) KB_WUR;
/*
 * All accounts, by id. *out is a kb_malloc'd array of *n (caller frees with
 * wallet_store_account_list_free). Empty: *out NULL, *n 0, KB_OK.
 */
enum kb_rc wallet_store_account_list(struct wallet_store *st,
                                     struct wallet_store_account **out, size_t *n) KB_WUR;
/* Sets next_index[chain] of an account. KB_ENOTFOUND, KB_EINVAL (chain). */
enum kb_rc wallet_store_account_set_next_index(struct wallet_store *st, int64_t id,
                                               unsigned chain, uint32_t index) KB_WUR;
void wallet_store_account_clear(struct wallet_store_account *a);
void wallet_store_account_list_free(struct wallet_store_account *a, size_t n);

/* ---- Addresses (every derived scriptPubKey of the look-ahead window) ---- */

struct wallet_store_address {
	int64_t id;
	int64_t account_id;
	unsigned chain;             /* 0 receive, 1 change */
	uint32_t index;             /* < 2^31 */
	uint8_t *spk;               /* owned */
	size_t spk_len;
	char *address;              /* owned, may be NULL: the encoded address */
	char *label;                /* owned, may be NULL */
	bool used;
	int64_t first_seen_height;  /* lowest height it was seen at; -1 none/mempool only */
};

/*
 * Inserts a derived address (id, label, used, first_seen_height of *a are
 * ignored). *id (optional) is its store id. KB_EEXIST when the script or
 * (account, chain, index) is already stored; KB_ENOTFOUND when the account
 * does not exist; KB_EINVAL / KB_ELIMIT on bad fields.
 */
enum kb_rc wallet_store_address_insert(struct wallet_store *st, int64_t *id,
                                       const struct wallet_store_address *a) KB_WUR;
/* Looks a script up. KB_ENOTFOUND when it is not the wallet's. */
enum kb_rc wallet_store_address_get_by_spk(struct wallet_store *st, struct wallet_store_address *out,
                                           const uint8_t *spk, size_t spk_len) KB_WUR;
enum kb_rc wallet_store_address_get(struct wallet_store *st, struct wallet_store_address *out,
                                    int64_t account_id, unsigned chain, uint32_t index) KB_WUR;
/*
 * Marks a script used; height is the block height it was seen in, or -1 for
 * the mempool; first_seen_height keeps the lowest height. KB_ENOTFOUND.
 */
enum kb_rc wallet_store_address_mark_used(struct wallet_store *st, const uint8_t *spk,
                                          size_t spk_len, int64_t height) KB_WUR;
/* Sets (text) or removes (NULL or "") a label. KB_ENOTFOUND. */
enum kb_rc wallet_store_address_set_label(struct wallet_store *st, const uint8_t *spk,
                                          size_t spk_len, const char *label) KB_WUR;
/*
 * Addresses of one account (account_id > 0) or all (account_id 0), of one
 * chain (0, 1) or both (chain -1), ordered by account, chain, index.
 * Array as for wallet_store_account_list (wallet_store_address_list_free).
 */
enum kb_rc wallet_store_address_list(struct wallet_store *st, struct wallet_store_address **out,
                                     size_t *n, int64_t account_id, int chain) KB_WUR;
/* The unused address with the lowest index on a chain. KB_ENOTFOUND if none. */
enum kb_rc wallet_store_address_next_unused(struct wallet_store *st, struct wallet_store_address *out,
                                            int64_t account_id, unsigned chain) KB_WUR;
/*
 * Highest derived index and highest used index on a chain (each -1 when
 * there is none): what the gap-limit look-ahead is computed from.
 */
enum kb_rc wallet_store_address_indexes(struct wallet_store *st, int64_t *max_derived,
                                        int64_t *max_used, int64_t account_id, unsigned chain) KB_WUR;
void wallet_store_address_clear(struct wallet_store_address *a);
void wallet_store_address_list_free(struct wallet_store_address *a, size_t n);

/* ---- Transactions ------------------------------------------------------ */

enum wallet_tx_state {
	WALLET_TX_PENDING = 0,     /* unconfirmed, valid as far as we know */
	WALLET_TX_CONFIRMED = 1,   /* in a block on the best chain (height set) */
	WALLET_TX_CONFLICTED = 2,  /* an input was spent by another confirmed transaction */
	WALLET_TX_REPLACED = 3,    /* replaced by fee (BIP125) by another transaction */
};

struct wallet_store_tx {
	struct hash256 txid;
	uint8_t *raw;               /* owned: the serialised transaction (with witness if known) */
	size_t raw_len;
	int64_t height;             /* block height; -1 unconfirmed */
	struct hash256 block_hash;  /* zero when unconfirmed */
	int64_t block_time;         /* header time; -1 unconfirmed */
	int64_t first_seen;         /* unix seconds, when koban first saw it */
	enum wallet_tx_state state;
	int64_t fee;                /* satoshis; -1 unknown */
	char *label;                /* owned, may be NULL */
};

/*
 * Records a transaction: the one entry point for everything that arrives
 * (sync, mempool relay, our own sends, tests). block_hash NULL means
 * unconfirmed (height and block_time are then ignored).
 * - New txid: inserted, state CONFIRMED (with a block) or PENDING.
 * - Known txid, with a block: height, hash and time are set and the state
 *   becomes CONFIRMED (a confirmed transaction is neither conflicted nor
 *   replaced).
 * - Known txid, unconfirmed: nothing about its confirmation changes (a
 *   mempool announcement never unconfirms; reorgs use
 *   wallet_store_tx_unconfirm_above).
 * In both known cases the stored raw bytes and first_seen stay; fee is
 * filled in when it was unknown and fee >= 0 is given. *inserted
 * (optional) says whether the txid was new. Outputs and spends are
 * recorded separately (wallet_store_output_insert, wallet_store_spend_insert)
 * in the same transaction by the caller.
 */
enum kb_rc wallet_store_tx_upsert(struct wallet_store *st, bool *inserted,
                                  const struct hash256 *txid,
                                  const uint8_t *raw, size_t raw_len,
                                  int64_t height, const struct hash256 *block_hash,
                                  int64_t block_time, int64_t first_seen, int64_t fee) KB_WUR;
/* Reads one transaction (caller wallet_store_tx_clear()s). KB_ENOTFOUND. */
enum kb_rc wallet_store_tx_get(struct wallet_store *st, struct wallet_store_tx *out,
                               const struct hash256 *txid) KB_WUR;
/*
 * All transactions: confirmed by height then first_seen, then unconfirmed
 * by first_seen. Array freed with wallet_store_tx_list_free.
 */
enum kb_rc wallet_store_tx_list(struct wallet_store *st, struct wallet_store_tx **out, size_t *n) KB_WUR;
/*
 * Sets the state. PENDING, CONFLICTED or REPLACED clear the block fields;
 * CONFIRMED is refused (KB_EINVAL: use tx_upsert with the block).
 */
enum kb_rc wallet_store_tx_set_state(struct wallet_store *st, const struct hash256 *txid,
                                     enum wallet_tx_state state) KB_WUR;
/*
 * A reorganisation: every transaction confirmed at a height > height goes
 * back to PENDING with its block fields cleared. *count (optional) is the
 * number changed.
 */
enum kb_rc wallet_store_tx_unconfirm_above(struct wallet_store *st, size_t *count, int64_t height) KB_WUR;
enum kb_rc wallet_store_tx_set_label(struct wallet_store *st, const struct hash256 *txid,
                                     const char *label) KB_WUR;
void wallet_store_tx_clear(struct wallet_store_tx *t);
void wallet_store_tx_list_free(struct wallet_store_tx *t, size_t n);

/* ---- Outputs and spends ----------------------------------------------- */

struct wallet_store_output {
	struct hash256 txid;
	uint32_t vout;
	int64_t value;              /* satoshis */
	uint8_t *spk;               /* owned */
	size_t spk_len;
	int64_t address_id;         /* 0 when the script is not a derived address */
	int64_t account_id;         /* of that address; 0 none */
	int chain;                  /* of that address; -1 none */
	int64_t index;              /* of that address; -1 none */
	bool is_change;
	bool coinbase;
	bool frozen;
	char *label;                /* owned, may be NULL */
	/* Read-only, derived from the transaction tables: */
	enum wallet_tx_state tx_state;
	int64_t height;             /* of the creating transaction; -1 unconfirmed */
	bool spent;                 /* spent by a PENDING or CONFIRMED transaction */
	bool spent_confirmed;       /* spent by a CONFIRMED transaction */
};

/*
 * Records a wallet output of a transaction already recorded with
 * wallet_store_tx_upsert (KB_ENOTFOUND otherwise). Uses txid, vout, value,
 * spk, address_id, is_change, coinbase of *o; the other fields are ignored.
 * Idempotent: an output already stored is left as it is (KB_OK).
 * KB_EINVAL for a value outside 0..21e6 BTC.
 */
enum kb_rc wallet_store_output_insert(struct wallet_store *st, const struct wallet_store_output *o) KB_WUR;
/* Reads one output. KB_ENOTFOUND. */
enum kb_rc wallet_store_output_get(struct wallet_store *st, struct wallet_store_output *out,
                                   const struct hash256 *txid, uint32_t vout) KB_WUR;
/* Freezes or unfreezes an output (frozen coins are never selected). KB_ENOTFOUND. */
enum kb_rc wallet_store_output_set_frozen(struct wallet_store *st, const struct hash256 *txid,
                                          uint32_t vout, bool frozen) KB_WUR;
enum kb_rc wallet_store_output_set_label(struct wallet_store *st, const struct hash256 *txid,
                                         uint32_t vout, const char *label) KB_WUR;
/* Every output, spent or not, by txid and vout (for the Bloom filter too). */
enum kb_rc wallet_store_output_list(struct wallet_store *st, struct wallet_store_output **out, size_t *n) KB_WUR;
/*
 * Unspent outputs: created by a PENDING or CONFIRMED transaction and not
 * spent by any PENDING or CONFIRMED one. Frozen ones are included with
 * frozen set (coin selection skips them). Ordered by height, txid, vout.
 */
enum kb_rc wallet_store_utxo_list(struct wallet_store *st, struct wallet_store_output **out, size_t *n) KB_WUR;
void wallet_store_output_clear(struct wallet_store_output *o);
void wallet_store_output_list_free(struct wallet_store_output *o, size_t n);

/*
 * Records that input vin of the recorded transaction txid spends
 * (prev_txid, prev_vout). Record every input of a wallet transaction, ours
 * or not: two transactions spending one outpoint is how conflicts are
 * found. Idempotent. KB_ENOTFOUND when txid is not recorded.
 */
enum kb_rc wallet_store_spend_insert(struct wallet_store *st, const struct hash256 *prev_txid,
                                     uint32_t prev_vout, const struct hash256 *txid, uint32_t vin) KB_WUR;
/*
 * The transactions that spend an outpoint (any state). *out is a
 * kb_malloc'd array of *n txids (caller kb_free()s; NULL when none).
 */
enum kb_rc wallet_store_spend_list(struct wallet_store *st, struct hash256 **out, size_t *n,
                                   const struct hash256 *prev_txid, uint32_t prev_vout) KB_WUR;

/* ---- Sync state -------------------------------------------------------- */

/*
 * The last block the wallet has fully scanned. get: KB_ENOTFOUND before the
 * first set (then *height is -1 and *hash zero).
 */
enum kb_rc wallet_store_sync_get(struct wallet_store *st, int64_t *height, struct hash256 *hash) KB_WUR;
enum kb_rc wallet_store_sync_set(struct wallet_store *st, int64_t height, const struct hash256 *hash) KB_WUR;

/* ---- Peers and bans ---------------------------------------------------- */

enum wallet_peer_net {       /* BIP155 network ids */
	WALLET_PEER_IPV4 = 1,
	WALLET_PEER_IPV6 = 2,
	WALLET_PEER_TORV3 = 4,
	WALLET_PEER_I2P = 5,
	WALLET_PEER_CJDNS = 6,
};

struct wallet_store_peer {
	char *host;                 /* owned: numeric address or onion name */
	uint16_t port;
	enum wallet_peer_net net_type;
	uint64_t services;
	int64_t last_seen;          /* unix seconds (as advertised); -1 never */
	int64_t last_try;           /* -1 never */
	int64_t last_success;       /* -1 never */
	uint32_t attempts;          /* failed attempts since the last success */
	bool tried;                 /* in the "tried" table (connected once), else "new" */
	char *source;               /* owned, may be NULL: where it came from (dns seed, addr from peer) */
};

/* Inserts or replaces the peer with this host and port. */
enum kb_rc wallet_store_peer_upsert(struct wallet_store *st, const struct wallet_store_peer *p) KB_WUR;
/* Deletes it; KB_ENOTFOUND when absent. */
enum kb_rc wallet_store_peer_delete(struct wallet_store *st, const char *host, uint16_t port) KB_WUR;
/*
 * Up to limit peers (0: all), tried ones first, then by last_success and
 * last_seen, newest first. Freed with wallet_store_peer_list_free.
 */
enum kb_rc wallet_store_peer_list(struct wallet_store *st, struct wallet_store_peer **out,
                                  size_t *n, size_t limit) KB_WUR;
void wallet_store_peer_list_free(struct wallet_store_peer *p, size_t n);

struct wallet_store_ban {
	char *host;                 /* owned */
	char *reason;               /* owned */
	int64_t until;              /* unix seconds */
	int64_t created;
};

/* Bans host until `until` (replacing an earlier ban of that host). */
enum kb_rc wallet_store_ban_add(struct wallet_store *st, const char *host, const char *reason,
                                int64_t until, int64_t now) KB_WUR;
/* *banned: a ban of host whose until is later than now exists. */
enum kb_rc wallet_store_ban_check(struct wallet_store *st, bool *banned, const char *host,
                                  int64_t now) KB_WUR;
/* Removes bans that ended at or before now; *count (optional) removed. */
enum kb_rc wallet_store_ban_prune(struct wallet_store *st, size_t *count, int64_t now) KB_WUR;
enum kb_rc wallet_store_ban_list(struct wallet_store *st, struct wallet_store_ban **out, size_t *n) KB_WUR;
void wallet_store_ban_list_free(struct wallet_store_ban *b, size_t n);

#endif
