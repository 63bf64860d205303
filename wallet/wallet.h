/*
 * The wallet engine: what koban does with keys and coins, with no network.
 * The command line and the terminal UI drive it; the SPV node feeds it
 * transactions through wallet_add_tx and the chain tip through the
 * tip_height arguments.
 *
 * A wallet is one store (wallet/store.h) holding accounts as output
 * descriptors (wallet/descriptor.h), their derived addresses, the
 * transactions that touch them, and the sealed keystore
 * (wallet/keystore.h). Public data is in the clear so a locked wallet can
 * sync and show its balance; secrets are unsealed only for signing,
 * showing the mnemonic and exporting private descriptors, into
 * sodium_malloc memory, and wiped right after.
 *
 * Addresses: each account has a receive chain (0) and a change chain (1).
 * Every chain keeps gap_limit derived addresses beyond its last used one
 * (the look-ahead), so a payment to any of them is recognised and the
 * window moves as addresses get used.
 *
 * Confirmations are derived, never stored: tip_height - height + 1.
 */
#ifndef KOBAN_WALLET_WALLET_H
#define KOBAN_WALLET_WALLET_H

#include "wallet/bip39.h"
#include "wallet/buf.h"
#include "wallet/hash.h"
#include "wallet/keystore.h"
#include "wallet/network.h"
#include "wallet/psbt.h"
#include "wallet/rc.h"
#include "wallet/store.h"
#include "wallet/tx.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wallet;

/* Account kinds: bits for wallet_create_opts.types. */
enum {
	WALLET_TYPE_WPKH = 1u << 0,    /* BIP84 wpkh(): the default receive type */
	WALLET_TYPE_TR = 1u << 1,      /* BIP86 tr() */
	WALLET_TYPE_SH_WPKH = 1u << 2, /* BIP49 sh(wpkh()) */
	WALLET_TYPE_PKH = 1u << 3,     /* BIP44 pkh() */
};
#define WALLET_TYPES_DEFAULT (WALLET_TYPE_WPKH | WALLET_TYPE_TR)
#define WALLET_COINBASE_MATURITY 100
#define WALLET_DEFAULT_CONFIRM_TARGET 6
#define WALLET_DEFAULT_GAP_LIMIT 20

/* Parses "wpkh,tr,sh-wpkh,pkh" into type bits. */
enum kb_rc wallet_types_parse(unsigned *types, const char *s, char *err, size_t errlen) KB_WUR;

struct wallet_create_opts {
	const char *datadir;      /* NULL: the default data directory */
	const char *name;         /* wallet name */
	enum kb_net net;
	const char *mnemonic;     /* secret memory; NULL: generate a new one */
	enum wallet_bip39_lang lang;
	unsigned words;           /* 12..24 when generating */
	const char *passphrase;   /* secret memory; NULL or "" for none */
	const char *password;     /* secret memory; the wallet password */
	unsigned types;           /* WALLET_TYPE_* bits; 0 means the default */
	int64_t birthday_height;  /* -1 unknown */
	int64_t birthday_time;    /* unix seconds; -1 unknown */
	struct wallet_kdf_params kdf; /* wallet_keystore_kdf_default() unless testing */
};

/*
 * Creates a wallet with a new or restored mnemonic. When generating,
 * mnemonic_out (secret memory the caller provides, WALLET_BIP39_MNEMONIC_MAX
 * bytes) receives the words to show the user once; it may be NULL when
 * restoring. On success *out is the open wallet (close with wallet_close).
 * On failure nothing is left on disk and err says why (KB_EEXIST for an
 * existing wallet, KB_EPARSE/KB_ECHECKSUM for a bad mnemonic with its
 * diagnosis in err).
 */
enum kb_rc wallet_create(struct wallet **out, const struct wallet_create_opts *o,
                         char *mnemonic_out, size_t mnemonic_cap,
                         char *err, size_t errlen) KB_WUR;

/*
 * Creates a watch-only wallet from an output descriptor (with or without
 * BIP389 multipath; a /0/\* descriptor gets its /1/\* twin for change), or
 * from an xpub/ypub/zpub/tpub/upub/vpub (account-level key: the script
 * type comes from the prefix, wpkh for xpub/tpub). No secrets are stored.
 */
enum kb_rc wallet_create_watch(struct wallet **out, const char *datadir, const char *name,
                               enum kb_net net, const char *key_or_descriptor,
                               int64_t birthday_height, int64_t birthday_time,
                               char *err, size_t errlen) KB_WUR;

/* Opens an existing wallet. KB_ENOTFOUND, KB_ELOCKED... with err. */
enum kb_rc wallet_open(struct wallet **out, const char *datadir, const char *name,
                       enum kb_net net, char *err, size_t errlen) KB_WUR;
void wallet_close(struct wallet *w);

struct wallet_store *wallet_store(struct wallet *w);
enum kb_net wallet_net(const struct wallet *w);
bool wallet_watch_only(const struct wallet *w);
const char *wallet_path(const struct wallet *w);
int64_t wallet_confirm_target(const struct wallet *w);
int64_t wallet_gap_limit(const struct wallet *w);
/* Birthday height (-1 unknown) for rescans. */
int64_t wallet_birthday_height(const struct wallet *w);

/* ---- keys ---- */

/* Checks the password (KB_EAUTH when wrong). */
enum kb_rc wallet_check_password(struct wallet *w, const char *password, char *err, size_t errlen) KB_WUR;
/* Re-seals the secrets under a new password, atomically. */
enum kb_rc wallet_change_password(struct wallet *w, const char *old_pw, const char *new_pw,
                                  const struct wallet_kdf_params *kdf, char *err, size_t errlen) KB_WUR;
/* The mnemonic (into mnemonic_out, secret memory) and whether a BIP39
 * passphrase is set. */
enum kb_rc wallet_show_mnemonic(struct wallet *w, const char *password, char *mnemonic_out,
                                size_t cap, bool *has_passphrase, char *err, size_t errlen) KB_WUR;

/* ---- addresses ---- */

struct wallet_address {
	char address[96];
	uint8_t spk[64];       /* the scriptPubKey */
	size_t spk_len;
	unsigned chain;        /* 0 receive, 1 change */
	uint32_t index;
	int64_t account_id;
	char type[16];         /* "wpkh", "tr", "sh-wpkh", "pkh" */
	char label[256];
	bool used;
};

/*
 * The next unused receive address of the account of type (NULL: the
 * wallet's first account), labelled when label is given, and the
 * look-ahead moved as needed. Handing out an address does not mark it
 * used: asking twice gives the same address until a payment arrives.
 */
enum kb_rc wallet_receive(struct wallet *w, struct wallet_address *out, const char *type,
                          const char *label, char *err, size_t errlen) KB_WUR;
/* Every derived address of chain (0/1) of every account, in order. */
enum kb_rc wallet_addresses(struct wallet *w, unsigned chain, struct wallet_address **out,
                            size_t *n) KB_WUR;
/* Makes sure every chain has gap_limit unused addresses derived beyond the
 * last used one. *added (optional) counts new addresses. */
enum kb_rc wallet_top_up(struct wallet *w, size_t *added) KB_WUR;

/* ---- transactions ---- */

/*
 * Records a transaction that touches the wallet: the one entry point for
 * everything that arrives. block_hash NULL means unconfirmed (height and
 * block_time ignored). Outputs paying wallet scripts become wallet coins
 * (their addresses are marked used and the look-ahead moves); inputs that
 * spend wallet coins are recorded as spends. A transaction that touches
 * nothing of the wallet is ignored (*relevant false). Idempotent.
 */
enum kb_rc wallet_add_tx(struct wallet *w, const uint8_t *raw, size_t len, int64_t height,
                         const struct hash256 *block_hash, int64_t block_time,
                         bool *relevant, char *err, size_t errlen) KB_WUR;

struct wallet_balance {
	int64_t confirmed;     /* >= confirm target confirmations (own change: >= 1) */
	int64_t pending;       /* 0 .. target-1 confirmations */
	int64_t immature;      /* coinbase with < 100 confirmations */
	int64_t frozen;        /* part of the above that is frozen */
};
enum kb_rc wallet_get_balance(struct wallet *w, int64_t tip_height, struct wallet_balance *b) KB_WUR;

struct wallet_history_entry {
	struct hash256 txid;
	int64_t height;        /* -1 unconfirmed */
	int64_t confirmations; /* derived */
	int64_t time;          /* block time, or first seen */
	int64_t delta;         /* net effect on the wallet, satoshis */
	int64_t fee;           /* -1 unknown */
	enum wallet_tx_state state;
	char label[256];
};
enum kb_rc wallet_history(struct wallet *w, int64_t tip_height, struct wallet_history_entry **out,
                          size_t *n) KB_WUR;

/* The wallet's unspent outputs (including pending ones), newest first. */
enum kb_rc wallet_utxos(struct wallet *w, struct wallet_store_output **out, size_t *n) KB_WUR;

/* Parses "TXID:VOUT". */
enum kb_rc wallet_outpoint_parse(struct wallet_outpoint *op, const char *s) KB_WUR;
/* Labels an address, a transaction (txid) or an output (txid:vout). */
enum kb_rc wallet_label(struct wallet *w, const char *target, const char *text,
                        char *err, size_t errlen) KB_WUR;
enum kb_rc wallet_freeze(struct wallet *w, const char *outpoint, bool frozen,
                         char *err, size_t errlen) KB_WUR;

/* ---- descriptors ---- */

/* The public descriptors (receive and change of each account), one per
 * line, appended to out. With password, the private ones. */
enum kb_rc wallet_export_descriptors(struct wallet *w, const char *password, struct buf *out,
                                     char *err, size_t errlen) KB_WUR;

/* ---- spending ---- */

struct wallet_recipient {
	uint8_t spk[64];
	size_t spk_len;
	int64_t amount;        /* ignored for the --max recipient */
	char address[128];
};

struct wallet_spend_opts {
	const struct wallet_recipient *to;
	size_t nto;
	bool max;              /* the last recipient gets everything left */
	int64_t fee_rate;      /* sat per 1000 vB */
	const struct wallet_outpoint *from; /* coin control */
	size_t nfrom;
	bool include_unconfirmed;
	bool force;            /* allow a fee above the sanity cap */
	bool no_rbf;
	int64_t tip_height;    /* anti-fee-sniping locktime; -1 none */
};

/*
 * Builds an unsigned PSBT paying the recipients: coins chosen by
 * Branch-and-Bound or a fallback (coinselect), change to the next change
 * address, RBF signalled, nLockTime at the tip (anti-fee-sniping). Inputs
 * carry their UTXOs (witness and full previous transaction) and BIP32
 * derivations; the change output its derivation, so any signer can check
 * amounts and recognise change. KB_EFUNDS with the shortfall in err,
 * KB_ELIMIT for a fee over the sanity cap (0.01 BTC and 5% of the amount).
 */
enum kb_rc wallet_psbt_create(struct wallet *w, const struct wallet_spend_opts *o,
                              struct wallet_psbt *out, char *err, size_t errlen) KB_WUR;

/*
 * Signs every input of p the wallet has keys for (by BIP32 derivation
 * fingerprint and path, checking the derived key matches), after checking
 * each input's UTXO. *signed_inputs counts the inputs signed.
 * KB_EWATCHONLY for a watch-only wallet, KB_EAUTH for a wrong password,
 * KB_EINVAL for a PSBT that is not this wallet's (nothing to sign).
 */
enum kb_rc wallet_psbt_sign(struct wallet *w, struct wallet_psbt *p, const char *password,
                            size_t *signed_inputs, char *err, size_t errlen) KB_WUR;

/* A readable summary of p: inputs, outputs, which are ours and which is
 * change, fee and fee rate, complete or not. JSON when jw is given. */
struct json_writer;
void wallet_psbt_describe(struct wallet *w, const struct wallet_psbt *p, struct buf *text,
                          struct json_writer *jw);

#endif
