#include "wallet/wallet.h"

#include "wallet/address.h"
#include "wallet/amount.h"
#include "wallet/bip32.h"
#include "wallet/coinselect.h"
#include "wallet/descriptor.h"
#include "wallet/hex.h"
#include "wallet/json.h"
#include "wallet/log.h"
#include "wallet/mem.h"
#include "wallet/script.h"
#include "wallet/sighash.h"
#include "wallet/sign.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* One account: its stored row and its parsed (public) descriptor. */
struct account {
	int64_t id;
	enum wallet_descriptor_type type;
	char type_name[16];          /* "wpkh", "tr", "sh-wpkh", "pkh" */
	struct wallet_descriptor *desc; /* owned: receive and change, or two below */
	struct wallet_descriptor *chain_desc[2]; /* owned when the stored form is two descriptors */
	bool has_fpr;
	uint8_t fpr[4];
};

struct wallet {
	struct wallet_store *st;       /* owned */
	struct wallet_store_meta meta;
	char *path;                    /* owned */
	struct account *acc;           /* owned array */
	size_t nacc;
	int64_t gap_limit;
	int64_t confirm_target;
};

__attribute__((format(printf, 3, 4)))
static enum kb_rc werr(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return KB_OK;
}

/* ---- small accessors ---- */

struct wallet_store *wallet_store(struct wallet *w) { return w->st; }
enum kb_net wallet_net(const struct wallet *w) { return w->meta.net; }
bool wallet_watch_only(const struct wallet *w) { return w->meta.watch_only; }
const char *wallet_path(const struct wallet *w) { return w->path; }
int64_t wallet_confirm_target(const struct wallet *w) { return w->confirm_target; }
int64_t wallet_gap_limit(const struct wallet *w) { return w->gap_limit; }
int64_t wallet_birthday_height(const struct wallet *w) { return w->meta.birthday_height; }

static const struct {
	unsigned bit;
	const char *name;
	enum wallet_descriptor_type type;
	uint32_t purpose;
} kinds[] = {
	{ WALLET_TYPE_WPKH, "wpkh", WALLET_DESCRIPTOR_WPKH, 84 },
	{ WALLET_TYPE_TR, "tr", WALLET_DESCRIPTOR_TR, 86 },
	{ WALLET_TYPE_SH_WPKH, "sh-wpkh", WALLET_DESCRIPTOR_SH_WPKH, 49 },
	{ WALLET_TYPE_PKH, "pkh", WALLET_DESCRIPTOR_PKH, 44 },
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

static const char *kind_name(enum wallet_descriptor_type t)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (kinds[i].type == t)
			return kinds[i].name;
	return wallet_descriptor_type_name(t);
}

enum kb_rc wallet_types_parse(unsigned *types, const char *s, char *err, size_t errlen)
{
	*types = 0;
	const char *p = s;
	while (*p) {
		size_t n = strcspn(p, ",");
		bool found = false;
		for (size_t i = 0; i < NKINDS; i++) {
			if (strlen(kinds[i].name) == n && strncmp(p, kinds[i].name, n) == 0) {
				*types |= kinds[i].bit;
				found = true;
			}
		}
		if (!found && n == 8 && strncmp(p, "sh(wpkh)", 8) == 0) {
			*types |= WALLET_TYPE_SH_WPKH;
			found = true;
		}
		if (!found) {
			werr(err, errlen, "unknown account type '%.*s': use wpkh, tr, sh-wpkh or pkh", (int)n, p);
			*types = 0;
			return KB_EINVAL;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	if (!*types) {
		werr(err, errlen, "no account type given: use wpkh, tr, sh-wpkh or pkh");
		return KB_EINVAL;
	}
	return KB_OK;
}

/* A failed rollback leaves SQLite to roll back on close; nothing to add. */
static void rollback(struct wallet *w)
{
	if (wallet_store_rollback(w->st) != KB_OK)
		KB_WARN("wallet", "rollback failed");
}

/* ---- opening ---- */

static void accounts_free(struct wallet *w)
{
	for (size_t i = 0; i < w->nacc; i++) {
		wallet_descriptor_free(w->acc[i].desc);
		wallet_descriptor_free(w->acc[i].chain_desc[0]);
		wallet_descriptor_free(w->acc[i].chain_desc[1]);
	}
	kb_free(w->acc);
	w->acc = NULL;
	w->nacc = 0;
}

void wallet_close(struct wallet *w)
{
	if (!w)
		return;
	accounts_free(w);
	wallet_store_close(w->st);
	kb_free(w->path);
	kb_free(w);
}

/* The descriptor that derives chain `chain` of account a, and which of its
 * chains to use. */
static const struct wallet_descriptor *chain_desc(const struct account *a, unsigned chain, size_t *which)
{
	if (a->chain_desc[chain]) {
		*which = 0;
		return a->chain_desc[chain];
	}
	*which = chain;
	return a->desc;
}

static size_t account_chains(const struct account *a)
{
	if (a->chain_desc[0])
		return a->chain_desc[1] ? 2 : 1;
	return wallet_descriptor_chain_count(a->desc) >= 2 ? 2 : 1;
}

static enum kb_rc load_accounts(struct wallet *w, char *err, size_t errlen)
{
	struct wallet_store_account *rows = NULL;
	size_t n = 0;
	enum kb_rc rc = wallet_store_account_list(w->st, &rows, &n);
	if (rc != KB_OK) {
		werr(err, errlen, "cannot read the wallet's accounts: %s", kb_rc_str(rc));
		return rc;
	}
	accounts_free(w);
	w->acc = kb_calloc(n ? n : 1, sizeof *w->acc);
	for (size_t i = 0; i < n; i++) {
		struct account *a = &w->acc[i];
		char derr[256];
		a->id = rows[i].id;
		rc = wallet_descriptor_parse(&a->desc, w->meta.net, rows[i].descriptor,
		                             strlen(rows[i].descriptor), derr, sizeof derr);
		if (rc == KB_OK && rows[i].change_descriptor) {
			/* stored as two single-path descriptors */
			a->chain_desc[0] = a->desc;
			a->desc = NULL;
			rc = wallet_descriptor_parse(&a->chain_desc[1], w->meta.net, rows[i].change_descriptor,
			                             strlen(rows[i].change_descriptor), derr, sizeof derr);
			if (rc == KB_OK)
				rc = wallet_descriptor_parse(&a->desc, w->meta.net, rows[i].descriptor,
				                             strlen(rows[i].descriptor), derr, sizeof derr);
		}
		if (rc != KB_OK) {
			werr(err, errlen, "account %zu has a descriptor koban cannot read: %s", i + 1, derr);
			w->nacc = i + 1;
			goto out;
		}
		a->type = wallet_descriptor_type(a->desc);
		snprintf(a->type_name, sizeof a->type_name, "%s", kind_name(a->type));
		a->has_fpr = rows[i].has_fingerprint;
		memcpy(a->fpr, rows[i].fingerprint, 4);
		w->nacc = i + 1;
	}
out:
	wallet_store_account_list_free(rows, n);
	return rc;
}

static enum kb_rc load_settings(struct wallet *w)
{
	int64_t v;
	w->gap_limit = WALLET_DEFAULT_GAP_LIMIT;
	w->confirm_target = WALLET_DEFAULT_CONFIRM_TARGET;
	if (wallet_store_setting_get_int(w->st, WALLET_SETTING_GAP_LIMIT, &v) == KB_OK && v >= 1 && v <= 10000)
		w->gap_limit = v;
	if (wallet_store_setting_get_int(w->st, WALLET_SETTING_CONFIRM_TARGET, &v) == KB_OK && v >= 1 && v <= 1000)
		w->confirm_target = v;
	return KB_OK;
}

static enum kb_rc open_path(struct wallet **out, char *path, enum kb_net net, char *err, size_t errlen)
{
	struct wallet *w = kb_calloc(1, sizeof *w);
	enum wallet_store_why why;
	w->path = path;
	enum kb_rc rc = wallet_store_open(&w->st, path, &why, err, errlen);
	if (rc != KB_OK)
		goto fail;
	rc = wallet_store_meta_get(w->st, &w->meta);
	if (rc != KB_OK) {
		werr(err, errlen, "cannot read the wallet: %s", kb_rc_str(rc));
		goto fail;
	}
	if (w->meta.net != net) {
		werr(err, errlen, "this wallet is for %s, not %s", kb_net_params(w->meta.net)->display,
		     kb_net_params(net)->display);
		rc = KB_ENETWORK;
		goto fail;
	}
	load_settings(w);
	rc = load_accounts(w, err, errlen);
	if (rc != KB_OK)
		goto fail;
	*out = w;
	return KB_OK;
fail:
	wallet_close(w);
	*out = NULL;
	return rc;
}

enum kb_rc wallet_open(struct wallet **out, const char *datadir, const char *name,
                       enum kb_net net, char *err, size_t errlen)
{
	*out = NULL;
	char *dir = NULL, *path = NULL;
	enum kb_rc rc = wallet_store_prepare_dir(&dir, datadir, net, err, errlen);
	if (rc != KB_OK)
		return rc;
	rc = wallet_store_path(&path, datadir, net, name);
	kb_free(dir);
	if (rc != KB_OK) {
		werr(err, errlen, "'%s' is not a valid wallet name", name);
		return rc;
	}
	if (access(path, F_OK) != 0) {
		werr(err, errlen, "there is no wallet '%s' on %s (create one with: koban -n %s create)",
		     name, kb_net_params(net)->display, kb_net_params(net)->name);
		kb_free(path);
		return KB_ENOTFOUND;
	}
	return open_path(out, path, net, err, errlen);
}

/* ---- addresses ---- */

static struct account *find_account(struct wallet *w, int64_t id)
{
	for (size_t i = 0; i < w->nacc; i++)
		if (w->acc[i].id == id)
			return &w->acc[i];
	return NULL;
}

static enum kb_rc derive_into_store(struct wallet *w, struct account *a, unsigned chain, uint32_t index)
{
	size_t which;
	const struct wallet_descriptor *d = chain_desc(a, chain, &which);
	uint8_t spk[WALLET_DESCRIPTOR_SPK_MAX];
	size_t len;
	char addr[WALLET_ADDRESS_MAX + 8];
	enum kb_rc rc = wallet_descriptor_derive_spk(d, which, index, spk, sizeof spk, &len);
	if (rc != KB_OK)
		return rc;
	if (wallet_descriptor_derive_address(d, which, index, addr, sizeof addr) != KB_OK)
		addr[0] = '\0';
	struct wallet_store_address row;
	memset(&row, 0, sizeof row);
	row.account_id = a->id;
	row.chain = chain;
	row.index = index;
	row.spk = spk;
	row.spk_len = len;
	row.address = addr[0] ? addr : NULL;
	rc = wallet_store_address_insert(w->st, NULL, &row);
	return rc == KB_EEXIST ? KB_OK : rc;
}

static enum kb_rc top_up_chain(struct wallet *w, struct account *a, unsigned chain, size_t *added)
{
	int64_t max_derived, max_used;
	enum kb_rc rc = wallet_store_address_indexes(w->st, &max_derived, &max_used, a->id, chain);
	if (rc != KB_OK)
		return rc;
	if (!wallet_descriptor_is_ranged(a->chain_desc[chain] ? a->chain_desc[chain] : a->desc)) {
		if (max_derived < 0) {
			rc = derive_into_store(w, a, chain, 0);
			if (rc == KB_OK && added)
				(*added)++;
		}
		return rc;
	}
	int64_t want = max_used + w->gap_limit; /* last index to have */
	for (int64_t i = max_derived + 1; i <= want && i < (int64_t)WALLET_DESCRIPTOR_HARDENED; i++) {
		rc = derive_into_store(w, a, chain, (uint32_t)i);
		if (rc == KB_ECRYPTO)
			continue; /* an invalid child (2^-127): skip the index, as BIP32 says */
		if (rc != KB_OK)
			return rc;
		if (added)
			(*added)++;
	}
	return KB_OK;
}

enum kb_rc wallet_top_up(struct wallet *w, size_t *added)
{
	if (added)
		*added = 0;
	enum kb_rc rc = wallet_store_begin(w->st);
	if (rc != KB_OK)
		return rc;
	for (size_t i = 0; i < w->nacc && rc == KB_OK; i++)
		for (unsigned chain = 0; chain < account_chains(&w->acc[i]) && rc == KB_OK; chain++)
			rc = top_up_chain(w, &w->acc[i], chain, added);
	if (rc != KB_OK) {
		rollback(w);
		return rc;
	}
	return wallet_store_commit(w->st);
}

static void fill_address(struct wallet *w, struct wallet_address *out, const struct wallet_store_address *a)
{
	memset(out, 0, sizeof *out);
	if (a->address)
		snprintf(out->address, sizeof out->address, "%s", a->address);
	else if (wallet_address_encode(out->address, sizeof out->address, w->meta.net, a->spk, a->spk_len) != KB_OK)
		out->address[0] = '\0';
	if (a->spk_len <= sizeof out->spk) {
		memcpy(out->spk, a->spk, a->spk_len);
		out->spk_len = a->spk_len;
	}
	out->chain = a->chain;
	out->index = a->index;
	out->account_id = a->account_id;
	struct account *acc = find_account(w, a->account_id);
	snprintf(out->type, sizeof out->type, "%s", acc ? acc->type_name : "?");
	snprintf(out->label, sizeof out->label, "%s", a->label ? a->label : "");
	out->used = a->used;
}

enum kb_rc wallet_receive(struct wallet *w, struct wallet_address *out, const char *type,
                          const char *label, char *err, size_t errlen)
{
	memset(out, 0, sizeof out[0]);
	struct account *a = NULL;
	for (size_t i = 0; i < w->nacc; i++) {
		if (!type || strcmp(w->acc[i].type_name, type) == 0) {
			a = &w->acc[i];
			break;
		}
	}
	if (!a) {
		werr(err, errlen, type ? "this wallet has no %s account" : "this wallet has no account%s", type ? type : "");
		return KB_ENOTFOUND;
	}
	enum kb_rc rc = wallet_top_up(w, NULL);
	if (rc != KB_OK) {
		werr(err, errlen, "cannot derive addresses: %s", kb_rc_str(rc));
		return rc;
	}
	struct wallet_store_address row;
	rc = wallet_store_address_next_unused(w->st, &row, a->id, 0);
	if (rc != KB_OK) {
		werr(err, errlen, "no unused address: %s", kb_rc_str(rc));
		return rc;
	}
	if (label && *label) {
		rc = wallet_store_address_set_label(w->st, row.spk, row.spk_len, label);
		if (rc != KB_OK) {
			wallet_store_address_clear(&row);
			werr(err, errlen, "cannot label the address: %s", kb_rc_str(rc));
			return rc;
		}
		kb_free(row.label);
		row.label = kb_strdup(label);
	}
	fill_address(w, out, &row);
	wallet_store_address_clear(&row);
	return KB_OK;
}

enum kb_rc wallet_addresses(struct wallet *w, unsigned chain, struct wallet_address **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct wallet_store_address *rows;
	size_t count;
	enum kb_rc rc = wallet_store_address_list(w->st, &rows, &count, 0, (int)chain);
	if (rc != KB_OK)
		return rc;
	*out = kb_calloc(count ? count : 1, sizeof **out);
	for (size_t i = 0; i < count; i++)
		fill_address(w, &(*out)[i], &rows[i]);
	*n = count;
	wallet_store_address_list_free(rows, count);
	return KB_OK;
}

/* ---- creating ---- */

/* Makes the directory and the path of a new wallet; KB_EEXIST if taken. */
static enum kb_rc new_wallet_path(char **path, const char *datadir, const char *name, enum kb_net net,
                                  char *err, size_t errlen)
{
	char *dir = NULL;
	*path = NULL;
	if (!wallet_store_name_valid(name)) {
		werr(err, errlen, "'%s' is not a valid wallet name (1-64 letters, digits, '.', '_' or '-')", name);
		return KB_EINVAL;
	}
	enum kb_rc rc = wallet_store_prepare_dir(&dir, datadir, net, err, errlen);
	kb_free(dir);
	if (rc != KB_OK)
		return rc;
	rc = wallet_store_path(path, datadir, net, name);
	if (rc != KB_OK)
		return rc;
	if (access(*path, F_OK) == 0) {
		werr(err, errlen, "a wallet named '%s' already exists on %s (%s); koban never overwrites a wallet",
		     name, kb_net_params(net)->display, *path);
		kb_free(*path);
		*path = NULL;
		return KB_EEXIST;
	}
	return KB_OK;
}

static enum kb_rc insert_account(struct wallet *w, const struct wallet_descriptor *d,
                                 const struct wallet_descriptor *change, int64_t account_index,
                                 const char *xpub, char *err, size_t errlen)
{
	char *text = NULL, *ctext = NULL;
	enum kb_rc rc = wallet_descriptor_serialize(d, &text);
	if (rc == KB_OK && change)
		rc = wallet_descriptor_serialize(change, &ctext);
	if (rc != KB_OK) {
		werr(err, errlen, "cannot write the account descriptor: %s", kb_rc_str(rc));
		goto out;
	}
	struct wallet_descriptor_keyinfo ki;
	struct wallet_store_account row;
	memset(&row, 0, sizeof row);
	char type_name[16], origin[256] = "";
	snprintf(type_name, sizeof type_name, "%s", kind_name(wallet_descriptor_type(d)));
	row.script_type = type_name;
	row.account_index = account_index;
	if (wallet_descriptor_derive_key(d, 0, 0, &ki) == KB_OK && ki.has_origin) {
		row.has_fingerprint = true;
		memcpy(row.fingerprint, ki.fingerprint, 4);
		/* the origin path: every step but the chain and index */
		size_t o = 0;
		for (size_t i = 0; i + 2 < ki.path_len && o + 16 < sizeof origin; i++) {
			uint32_t s = ki.path[i];
			o += (size_t)snprintf(origin + o, sizeof origin - o, "%s%u%s", i ? "/" : "",
			                      s & ~WALLET_DESCRIPTOR_HARDENED, s & WALLET_DESCRIPTOR_HARDENED ? "h" : "");
		}
		row.origin_path = origin[0] ? origin : NULL;
	}
	row.xpub = (char *)xpub;
	row.descriptor = text;
	row.change_descriptor = ctext;
	int64_t id;
	rc = wallet_store_account_insert(w->st, &id, &row);
	if (rc == KB_EEXIST)
		werr(err, errlen, "the wallet already has this account");
	else if (rc != KB_OK)
		werr(err, errlen, "cannot store the account: %s", kb_rc_str(rc));
out:
	kb_free(text);
	kb_free(ctext);
	return rc;
}

static enum kb_rc add_hd_accounts(struct wallet *w, const uint8_t seed[64], unsigned types,
                                  char *err, size_t errlen)
{
	struct wallet_bip32_priv *master = NULL;
	enum kb_rc rc = wallet_bip32_priv_from_seed(&master, seed, 64);
	if (rc != KB_OK) {
		werr(err, errlen, "this seed gives no valid master key (astronomically unlikely): %s", kb_rc_str(rc));
		return rc;
	}
	struct wallet_bip32_pub mpub;
	uint8_t fpr[4];
	wallet_bip32_priv_to_pub(&mpub, master);
	wallet_bip32_fingerprint(fpr, &mpub);
	uint32_t coin = kb_net_params(w->meta.net)->coin_type;
	for (size_t k = 0; k < NKINDS && rc == KB_OK; k++) {
		if (!(types & kinds[k].bit))
			continue;
		struct wallet_bip32_path path = { 3, { kinds[k].purpose | WALLET_BIP32_HARDENED,
		                                       coin | WALLET_BIP32_HARDENED, WALLET_BIP32_HARDENED } };
		struct wallet_bip32_priv *acc = NULL;
		rc = wallet_bip32_priv_derive(&acc, master, &path);
		if (rc != KB_OK) {
			werr(err, errlen, "cannot derive the %s account: %s", kinds[k].name, kb_rc_str(rc));
			break;
		}
		struct wallet_bip32_pub apub;
		wallet_bip32_priv_to_pub(&apub, acc);
		wallet_bip32_priv_free(acc);
		struct wallet_descriptor *d = NULL;
		rc = wallet_descriptor_account(&d, w->meta.net, kinds[k].type, fpr, 0, &apub, NULL);
		if (rc != KB_OK) {
			werr(err, errlen, "cannot build the %s descriptor: %s", kinds[k].name, kb_rc_str(rc));
			break;
		}
		char xpub[WALLET_BIP32_STR_MAX];
		if (wallet_bip32_pub_serialize(xpub, sizeof xpub, &apub, w->meta.net) != KB_OK)
			xpub[0] = '\0';
		rc = insert_account(w, d, NULL, 0, xpub[0] ? xpub : NULL, err, errlen);
		wallet_descriptor_free(d);
	}
	wallet_bip32_priv_free(master);
	return rc;
}

static enum kb_rc finish_new(struct wallet *w, int64_t bh, int64_t bt, char *err, size_t errlen)
{
	enum kb_rc rc = wallet_store_meta_set_birthday(w->st, bh, bt);
	if (rc == KB_OK)
		rc = wallet_store_meta_get(w->st, &w->meta);
	if (rc == KB_OK)
		rc = load_accounts(w, err, errlen);
	if (rc == KB_OK) {
		load_settings(w);
		rc = wallet_top_up(w, NULL);
	}
	if (rc != KB_OK && err && !err[0])
		werr(err, errlen, "cannot set the wallet up: %s", kb_rc_str(rc));
	return rc;
}

/* One watch-only account being made: a descriptor and its change twin. */
struct watch_acc {
	struct wallet_descriptor *d, *change;
};

/* Everything a new wallet holds, written by the store's creation
 * transaction (wallet_store_create_with): a crash or a failure half way
 * leaves no wallet file at all. */
struct fill_ctx {
	const uint8_t *seed;                 /* HD wallet: the BIP39 seed (secret) */
	unsigned types;
	const struct wallet_secrets *sec;    /* sealed under password */
	const char *password;
	const struct wallet_kdf_params *kdf;
	struct watch_acc *acc;               /* watch-only: the accounts */
	size_t nacc;
	int64_t bh, bt;
	char *err;
	size_t errlen;
};

static enum kb_rc fill_wallet(struct wallet_store *st, void *arg)
{
	struct fill_ctx *f = arg;
	struct wallet tmp;
	memset(&tmp, 0, sizeof tmp);
	tmp.st = st;
	enum kb_rc rc = wallet_store_meta_get(st, &tmp.meta);
	if (rc == KB_OK)
		rc = load_settings(&tmp);
	if (rc == KB_OK && f->seed)
		rc = add_hd_accounts(&tmp, f->seed, f->types, f->err, f->errlen);
	for (size_t i = 0; i < f->nacc && rc == KB_OK; i++)
		rc = insert_account(&tmp, f->acc[i].d, f->acc[i].change, -1, NULL, f->err, f->errlen);
	if (rc == KB_OK && f->sec) {
		rc = wallet_keystore_seal(st, f->sec, f->password, strlen(f->password), f->kdf);
		if (rc != KB_OK)
			werr(f->err, f->errlen, "cannot seal the keystore: %s", rc == KB_ENOMEM ?
			     "not enough memory for the key derivation" : kb_rc_str(rc));
	}
	if (rc == KB_OK)
		rc = finish_new(&tmp, f->bh, f->bt, f->err, f->errlen);
	accounts_free(&tmp);
	return rc;
}

/* Opens the store just created at path into a new wallet object. */
static enum kb_rc adopt_new(struct wallet **out, struct wallet_store *st, char *path,
                            char *err, size_t errlen)
{
	struct wallet *w = kb_calloc(1, sizeof *w);
	w->st = st;
	w->path = path;
	enum kb_rc rc = wallet_store_meta_get(st, &w->meta);
	if (rc == KB_OK) {
		load_settings(w);
		rc = load_accounts(w, err, errlen);
	}
	if (rc != KB_OK) {
		wallet_close(w);
		return rc;
	}
	*out = w;
	return KB_OK;
}

enum kb_rc wallet_create(struct wallet **out, const struct wallet_create_opts *o,
                         char *mnemonic_out, size_t mnemonic_cap, char *err, size_t errlen)
{
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	enum kb_rc rc;
	char *path = NULL;
	struct wallet_secrets *sec = wallet_keystore_secrets_new();
	char *words = kb_secret_alloc(WALLET_BIP39_MNEMONIC_MAX);
	uint8_t *seed = kb_secret_alloc(WALLET_BIP39_SEED_LEN);
	struct wallet_bip39_diag diag;
	memset(&diag, 0, sizeof diag);
	enum wallet_bip39_lang lang = o->lang;
	const char *pass = o->passphrase ? o->passphrase : "";

	if (!o->password || !*o->password) {
		rc = KB_EINVAL;
		werr(err, errlen, "the wallet needs a password (it seals the mnemonic on disk)");
		goto out;
	}
	if (o->mnemonic) {
		if (wallet_bip39_detect(&lang, o->mnemonic) != KB_OK)
			lang = o->lang;
		rc = wallet_bip39_canonical(words, WALLET_BIP39_MNEMONIC_MAX, lang, o->mnemonic, &diag);
		if (rc != KB_OK) {
			char msg[256];
			wallet_bip39_diag_format(msg, sizeof msg, &diag);
			werr(err, errlen, "%s", msg);
			goto out;
		}
	} else {
		rc = wallet_bip39_generate(words, WALLET_BIP39_MNEMONIC_MAX, lang, o->words ? o->words : 12);
		if (rc != KB_OK) {
			werr(err, errlen, "cannot make a mnemonic of %u words: use 12, 15, 18, 21 or 24", o->words);
			goto out;
		}
	}
	rc = wallet_bip39_to_seed(seed, lang, words, pass, &diag);
	if (rc != KB_OK) {
		char msg[256];
		wallet_bip39_diag_format(msg, sizeof msg, &diag);
		werr(err, errlen, "%s", msg);
		goto out;
	}
	rc = wallet_keystore_secrets_set(sec, words, strlen(words), pass, strlen(pass), seed);
	if (rc != KB_OK) {
		werr(err, errlen, "the mnemonic or passphrase is too long");
		goto out;
	}
	if (mnemonic_out && mnemonic_cap && strlen(words) + 1 > mnemonic_cap) {
		rc = KB_ELIMIT;
		werr(err, errlen, "no room for the mnemonic");
		goto out;
	}
	rc = new_wallet_path(&path, o->datadir, o->name, o->net, err, errlen);
	if (rc != KB_OK)
		goto out;
	struct fill_ctx f;
	memset(&f, 0, sizeof f);
	f.seed = seed;
	f.types = o->types ? o->types : WALLET_TYPES_DEFAULT;
	f.sec = sec;
	f.password = o->password;
	f.kdf = &o->kdf;
	f.bh = o->birthday_height;
	f.bt = o->birthday_time;
	f.err = err;
	f.errlen = errlen;
	struct wallet_store *st = NULL;
	enum wallet_store_why why;
	rc = wallet_store_create_with(&st, path, o->net, (int64_t)time(NULL), false, fill_wallet, &f,
	                              &why, err, errlen);
	if (rc != KB_OK)
		goto out;
	/* The wallet is published whole by now: nothing below can undo it. */
	rc = adopt_new(out, st, path, err, errlen);
	path = NULL; /* owned by *out, or freed with it */
	if (rc == KB_OK && mnemonic_out && mnemonic_cap)
		memcpy(mnemonic_out, words, strlen(words) + 1);
out:
	kb_free(path);
	wallet_bip39_diag_clear(&diag);
	wallet_keystore_secrets_free(sec);
	kb_secret_free(words);
	kb_secret_free(seed);
	return rc;
}

/* Turns the receive step "/0/" before the wildcard into "/1/": the change twin. */
static char *change_twin(const char *text)
{
	size_t n = strcspn(text, "#");
	char *t = kb_strndup(text, n);
	char *p = strstr(t, "/0/*)");
	if (!p) {
		kb_free(t);
		return NULL;
	}
	p[1] = '1';
	return t;
}

/* Parses one key or descriptor token into acc (change twin found among
 * the remaining tokens, or derived from "/0/" -> "/1/"). */
static enum kb_rc watch_parse(struct watch_acc *acc, enum kb_net net, char **tok, size_t ntok,
                              size_t i, bool *used, char *err, size_t errlen)
{
	struct wallet_bip32_pub pub;
	struct wallet_bip32_priv *priv = NULL;
	struct wallet_bip32_info info;
	char kerr[256] = "";
	char *text = NULL;
	enum kb_rc rc;
	const char *key = tok[i];
	if (strchr(key, '(') == NULL) {
		rc = wallet_bip32_parse(&pub, &priv, &info, key, kerr, sizeof kerr);
		if (rc != KB_OK) {
			werr(err, errlen, "not a descriptor or extended public key: %s", kerr);
			return rc;
		}
		if (priv || info.is_private) {
			wallet_bip32_priv_free(priv);
			werr(err, errlen, "this is a private key: a watch-only wallet takes the public key (xpub), never secrets");
			return KB_EINVAL;
		}
		if (!wallet_bip32_info_matches(&info, net)) {
			werr(err, errlen, "this %s is for %s, but koban is on %s", wallet_bip32_info_name(&info),
			     info.is_test ? "a test network" : "mainnet", kb_net_params(net)->display);
			return KB_ENETWORK;
		}
		bool sh = info.script == WALLET_BIP32_SCRIPT_SH_WPKH;
		char x[WALLET_BIP32_STR_MAX];
		rc = wallet_bip32_pub_serialize(x, sizeof x, &pub, net);
		if (rc != KB_OK)
			return rc;
		struct buf b = BUF_INIT;
		buf_printf(&b, "%s%s/<0;1>/*)%s", sh ? "sh(wpkh(" : "wpkh(", x, sh ? ")" : "");
		text = (char *)buf_take(&b, NULL);
	} else {
		text = kb_strdup(key);
	}
	rc = wallet_descriptor_parse(&acc->d, net, text, strlen(text), kerr, sizeof kerr);
	if (rc != KB_OK) {
		werr(err, errlen, "%s", kerr);
		goto out;
	}
	if (wallet_descriptor_has_private(acc->d)) {
		rc = KB_EINVAL;
		werr(err, errlen, "this descriptor holds a private key: a watch-only wallet takes the public descriptor, never secrets");
		goto out;
	}
	if (wallet_descriptor_chain_count(acc->d) > 2) {
		rc = KB_EUNSUPPORTED;
		werr(err, errlen, "a descriptor with more than two multipath alternatives is not supported");
		goto out;
	}
	if (wallet_descriptor_chain_count(acc->d) == 1 && wallet_descriptor_is_ranged(acc->d)) {
		char *twin = change_twin(text);
		if (!twin)
			goto out;
		/* the twin given explicitly (export-descriptors prints both) */
		for (size_t j = 0; j < ntok; j++) {
			if (used[j] || j == i)
				continue;
			size_t n = strcspn(tok[j], "#");
			if (strlen(twin) == n && strncmp(twin, tok[j], n) == 0) {
				used[j] = true;
				break;
			}
		}
		char terr[256];
		if (wallet_descriptor_parse(&acc->change, net, twin, strlen(twin), terr, sizeof terr) != KB_OK)
			acc->change = NULL;
		kb_free(twin);
	}
out:
	kb_free(text);
	return rc;
}

enum kb_rc wallet_create_watch(struct wallet **out, const char *datadir, const char *name,
                               enum kb_net net, const char *key, int64_t bh, int64_t bt,
                               char *err, size_t errlen)
{
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	char *path = NULL;
	enum kb_rc rc = KB_OK;
	/* The input may hold several descriptors (one per line, as
	 * export-descriptors prints them). */
	char *copy = kb_strdup(key);
	char *tok[32];
	size_t ntok = 0;
	char *save = NULL;
	for (char *t = strtok_r(copy, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
		if (ntok == 32) {
			kb_free(copy);
			werr(err, errlen, "at most 32 descriptors");
			return KB_ELIMIT;
		}
		tok[ntok++] = t;
	}
	if (ntok == 0) {
		kb_free(copy);
		werr(err, errlen, "no descriptor or xpub given");
		return KB_EINVAL;
	}
	bool used[32] = { false };
	struct watch_acc acc[32];
	size_t nacc = 0;
	memset(acc, 0, sizeof acc);
	for (size_t i = 0; i < ntok && rc == KB_OK; i++) {
		if (used[i])
			continue;
		used[i] = true;
		rc = watch_parse(&acc[nacc], net, tok, ntok, i, used, err, errlen);
		nacc++;
	}
	if (rc != KB_OK)
		goto out;
	rc = new_wallet_path(&path, datadir, name, net, err, errlen);
	if (rc != KB_OK)
		goto out;
	struct fill_ctx f;
	memset(&f, 0, sizeof f);
	f.acc = acc;
	f.nacc = nacc;
	f.bh = bh;
	f.bt = bt;
	f.err = err;
	f.errlen = errlen;
	struct wallet_store *st = NULL;
	enum wallet_store_why why;
	rc = wallet_store_create_with(&st, path, net, (int64_t)time(NULL), true, fill_wallet, &f,
	                              &why, err, errlen);
	if (rc != KB_OK)
		goto out;
	rc = adopt_new(out, st, path, err, errlen);
	path = NULL;
out:
	for (size_t i = 0; i < nacc; i++) {
		wallet_descriptor_free(acc[i].d);
		wallet_descriptor_free(acc[i].change);
	}
	kb_free(copy);
	kb_free(path);
	return rc;
}

/* ---- keys ---- */

static enum kb_rc unseal(struct wallet *w, struct wallet_secrets **sec, const char *password,
                         char *err, size_t errlen)
{
	*sec = NULL;
	if (w->meta.watch_only) {
		werr(err, errlen, "this is a watch-only wallet: it holds no keys");
		return KB_EWATCHONLY;
	}
	if (!password) {
		werr(err, errlen, "a password is needed");
		return KB_EAUTH;
	}
	enum kb_rc rc = wallet_keystore_unseal(w->st, sec, password, strlen(password));
	if (rc == KB_EAUTH)
		werr(err, errlen, "wrong password");
	else if (rc == KB_EWATCHONLY)
		werr(err, errlen, "this is a watch-only wallet: it holds no keys");
	else if (rc != KB_OK)
		werr(err, errlen, "cannot open the keystore: %s", kb_rc_str(rc));
	return rc;
}

enum kb_rc wallet_check_password(struct wallet *w, const char *password, char *err, size_t errlen)
{
	struct wallet_secrets *sec;
	enum kb_rc rc = unseal(w, &sec, password, err, errlen);
	wallet_keystore_secrets_free(sec);
	return rc;
}

enum kb_rc wallet_change_password(struct wallet *w, const char *old_pw, const char *new_pw,
                                  const struct wallet_kdf_params *kdf, char *err, size_t errlen)
{
	if (w->meta.watch_only) {
		werr(err, errlen, "this is a watch-only wallet: it has no password");
		return KB_EWATCHONLY;
	}
	if (!new_pw || !*new_pw) {
		werr(err, errlen, "the new password is empty");
		return KB_EINVAL;
	}
	enum kb_rc rc = wallet_keystore_change_password(w->st, old_pw, strlen(old_pw), new_pw,
	                                                strlen(new_pw), kdf);
	if (rc == KB_EAUTH)
		werr(err, errlen, "wrong password");
	else if (rc != KB_OK)
		werr(err, errlen, "cannot change the password: %s", kb_rc_str(rc));
	return rc;
}

enum kb_rc wallet_show_mnemonic(struct wallet *w, const char *password, char *mnemonic_out,
                                size_t cap, bool *has_passphrase, char *err, size_t errlen)
{
	struct wallet_secrets *sec;
	enum kb_rc rc = unseal(w, &sec, password, err, errlen);
	if (rc != KB_OK)
		return rc;
	if (sec->mnemonic_len + 1 > cap) {
		rc = KB_ELIMIT;
	} else {
		memcpy(mnemonic_out, sec->mnemonic, sec->mnemonic_len + 1);
		*has_passphrase = sec->passphrase_len > 0;
	}
	wallet_keystore_secrets_free(sec);
	return rc;
}

/* ---- transactions ---- */

enum kb_rc wallet_add_tx(struct wallet *w, const uint8_t *raw, size_t len, int64_t height,
                         const struct hash256 *block_hash, int64_t block_time,
                         bool *relevant, char *err, size_t errlen)
{
	*relevant = false;
	struct wallet_tx tx;
	enum kb_rc rc = wallet_tx_parse(&tx, raw, len);
	if (rc != KB_OK) {
		werr(err, errlen, "not a valid transaction");
		return rc;
	}
	struct hash256 txid;
	wallet_tx_txid(&tx, &txid);
	bool coinbase = wallet_tx_is_coinbase(&tx);

	/* What of it is ours: outputs paying our scripts, inputs spending our
	 * coins. */
	bool *ours_out = kb_calloc(tx.out_count + 1, sizeof *ours_out);
	struct wallet_store_address *addr = kb_calloc(tx.out_count + 1, sizeof *addr);
	bool *ours_in = kb_calloc(tx.in_count + 1, sizeof *ours_in);
	int64_t in_value = 0, out_value = 0;
	bool all_inputs_known = !coinbase;
	for (size_t i = 0; i < tx.out_count; i++) {
		out_value += tx.out[i].value;
		if (wallet_store_address_get_by_spk(w->st, &addr[i], tx.out[i].script_pubkey.p,
		                                    tx.out[i].script_pubkey.len) == KB_OK) {
			ours_out[i] = true;
			*relevant = true;
		}
	}
	for (size_t i = 0; i < tx.in_count && !coinbase; i++) {
		struct wallet_store_output prev;
		if (wallet_store_output_get(w->st, &prev, &tx.in[i].prevout.txid, tx.in[i].prevout.n) == KB_OK) {
			ours_in[i] = true;
			*relevant = true;
			in_value += prev.value;
			wallet_store_output_clear(&prev);
		} else {
			all_inputs_known = false;
		}
	}
	if (!*relevant)
		goto out;
	int64_t fee = all_inputs_known ? in_value - out_value : -1;
	rc = wallet_store_begin(w->st);
	if (rc != KB_OK)
		goto out;
	bool inserted;
	rc = wallet_store_tx_upsert(w->st, &inserted, &txid, raw, len, height, block_hash, block_time,
	                            (int64_t)time(NULL), fee);
	for (size_t i = 0; i < tx.out_count && rc == KB_OK; i++) {
		if (!ours_out[i])
			continue;
		struct wallet_store_output o;
		memset(&o, 0, sizeof o);
		o.txid = txid;
		o.vout = (uint32_t)i;
		o.value = tx.out[i].value;
		o.spk = tx.out[i].script_pubkey.p;
		o.spk_len = tx.out[i].script_pubkey.len;
		o.address_id = addr[i].id;
		o.is_change = addr[i].chain == 1;
		o.coinbase = coinbase;
		rc = wallet_store_output_insert(w->st, &o);
		if (rc == KB_OK)
			rc = wallet_store_address_mark_used(w->st, o.spk, o.spk_len, block_hash ? height : -1);
	}
	/* Every input, ours or not: a double spend of a payment's foreign
	 * input is found through these rows (wallet/wallet_sync.c). */
	for (size_t i = 0; i < tx.in_count && rc == KB_OK; i++)
		if (!coinbase)
			rc = wallet_store_spend_insert(w->st, &tx.in[i].prevout.txid, tx.in[i].prevout.n,
			                               &txid, (uint32_t)i);
	/* Used addresses move the look-ahead window. */
	for (size_t i = 0; i < w->nacc && rc == KB_OK; i++)
		for (unsigned chain = 0; chain < account_chains(&w->acc[i]) && rc == KB_OK; chain++)
			rc = top_up_chain(w, &w->acc[i], chain, NULL);
	if (rc == KB_OK) {
		rc = wallet_store_commit(w->st);
	} else {
		rollback(w);
		werr(err, errlen, "cannot record the transaction: %s", kb_rc_str(rc));
	}
out:
	for (size_t i = 0; i < tx.out_count; i++)
		if (ours_out[i])
			wallet_store_address_clear(&addr[i]);
	kb_free(addr);
	kb_free(ours_out);
	kb_free(ours_in);
	wallet_tx_clear(&tx);
	return rc;
}

static int64_t confirmations(int64_t tip, int64_t height)
{
	if (height < 0 || tip < height)
		return 0;
	return tip - height + 1;
}

enum kb_rc wallet_get_balance(struct wallet *w, int64_t tip_height, struct wallet_balance *b)
{
	memset(b, 0, sizeof *b);
	struct wallet_store_output *u;
	size_t n;
	enum kb_rc rc = wallet_store_utxo_list(w->st, &u, &n);
	if (rc != KB_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		int64_t c = u[i].tx_state == WALLET_TX_CONFIRMED ? confirmations(tip_height, u[i].height) : 0;
		if (u[i].tx_state == WALLET_TX_CONFLICTED || u[i].tx_state == WALLET_TX_REPLACED)
			continue;
		if (u[i].coinbase && c < WALLET_COINBASE_MATURITY)
			b->immature += u[i].value;
		else if (c >= w->confirm_target || (u[i].is_change && c >= 1))
			b->confirmed += u[i].value;
		else
			b->pending += u[i].value;
		if (u[i].frozen)
			b->frozen += u[i].value;
	}
	wallet_store_output_list_free(u, n);
	return KB_OK;
}

enum kb_rc wallet_history(struct wallet *w, int64_t tip_height, struct wallet_history_entry **out,
                          size_t *n)
{
	*out = NULL;
	*n = 0;
	struct wallet_store_tx *txs;
	size_t count;
	enum kb_rc rc = wallet_store_tx_list(w->st, &txs, &count);
	if (rc != KB_OK)
		return rc;
	struct wallet_store_output *outs;
	size_t nouts;
	rc = wallet_store_output_list(w->st, &outs, &nouts);
	if (rc != KB_OK) {
		wallet_store_tx_list_free(txs, count);
		return rc;
	}
	struct wallet_history_entry *h = kb_calloc(count ? count : 1, sizeof *h);
	for (size_t i = 0; i < count; i++) {
		struct wallet_history_entry *e = &h[i];
		e->txid = txs[i].txid;
		e->height = txs[i].height;
		e->state = txs[i].state;
		e->confirmations = txs[i].state == WALLET_TX_CONFIRMED ? confirmations(tip_height, txs[i].height) : 0;
		e->time = txs[i].block_time > 0 ? txs[i].block_time : txs[i].first_seen;
		e->fee = txs[i].fee;
		snprintf(e->label, sizeof e->label, "%s", txs[i].label ? txs[i].label : "");
		/* delta = our outputs it creates - our outputs it spends */
		int64_t delta = 0;
		for (size_t k = 0; k < nouts; k++)
			if (memcmp(outs[k].txid.b, e->txid.b, 32) == 0)
				delta += outs[k].value;
		struct wallet_tx tx;
		if (wallet_tx_parse(&tx, txs[i].raw, txs[i].raw_len) == KB_OK) {
			for (size_t k = 0; k < tx.in_count; k++)
				for (size_t m = 0; m < nouts; m++)
					if (outs[m].vout == tx.in[k].prevout.n &&
					    memcmp(outs[m].txid.b, tx.in[k].prevout.txid.b, 32) == 0)
						delta -= outs[m].value;
			wallet_tx_clear(&tx);
		}
		e->delta = delta;
		/* Without a label of its own, a payment shows its address's. */
		if (!e->label[0]) {
			for (size_t k = 0; k < nouts; k++) {
				if (memcmp(outs[k].txid.b, e->txid.b, 32) != 0 || outs[k].is_change)
					continue;
				struct wallet_store_address a;
				if (wallet_store_address_get_by_spk(w->st, &a, outs[k].spk, outs[k].spk_len) == KB_OK) {
					if (a.label)
						snprintf(e->label, sizeof e->label, "%s", a.label);
					wallet_store_address_clear(&a);
				}
				if (e->label[0])
					break;
			}
		}
	}
	*out = h;
	*n = count;
	wallet_store_output_list_free(outs, nouts);
	wallet_store_tx_list_free(txs, count);
	return KB_OK;
}

enum kb_rc wallet_utxos(struct wallet *w, struct wallet_store_output **out, size_t *n)
{
	return wallet_store_utxo_list(w->st, out, n);
}

enum kb_rc wallet_outpoint_parse(struct wallet_outpoint *op, const char *s)
{
	memset(op, 0, sizeof *op);
	const char *colon = strchr(s, ':');
	if (!colon || colon - s != 64)
		return KB_EPARSE;
	uint8_t be[32];
	char hex[65];
	memcpy(hex, s, 64);
	hex[64] = '\0';
	if (!wallet_hex_decode_exact(be, 32, hex))
		return KB_EPARSE;
	for (int i = 0; i < 32; i++)
		op->txid.b[i] = be[31 - i];
	const char *p = colon + 1;
	if (!*p || strlen(p) > 10)
		return KB_EPARSE;
	uint64_t v = 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return KB_EPARSE;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v > 0xffffffffu)
		return KB_EPARSE;
	op->n = (uint32_t)v;
	return KB_OK;
}

static bool parse_txid(struct hash256 *id, const char *s)
{
	uint8_t be[32];
	if (!wallet_hex_decode_exact(be, 32, s))
		return false;
	for (int i = 0; i < 32; i++)
		id->b[i] = be[31 - i];
	return true;
}

enum kb_rc wallet_label(struct wallet *w, const char *target, const char *text,
                        char *err, size_t errlen)
{
	enum kb_rc rc;
	if (strlen(text) > 255) {
		werr(err, errlen, "a label has at most 255 bytes");
		return KB_ELIMIT;
	}
	struct wallet_outpoint op;
	struct hash256 id;
	if (wallet_outpoint_parse(&op, target) == KB_OK) {
		rc = wallet_store_output_set_label(w->st, &op.txid, op.n, text);
		if (rc == KB_ENOTFOUND)
			werr(err, errlen, "the wallet has no output %s", target);
		return rc;
	}
	if (strlen(target) == 64 && parse_txid(&id, target)) {
		rc = wallet_store_tx_set_label(w->st, &id, text);
		if (rc == KB_ENOTFOUND)
			werr(err, errlen, "the wallet has no transaction %s", target);
		return rc;
	}
	uint8_t spk[WALLET_SPK_MAX];
	size_t spk_len;
	char aerr[256];
	rc = wallet_address_decode(spk, sizeof spk, &spk_len, w->meta.net, target, aerr, sizeof aerr);
	if (rc != KB_OK) {
		werr(err, errlen, "'%s' is not an address, txid or txid:vout of this wallet (%s)", target, aerr);
		return rc;
	}
	rc = wallet_store_address_set_label(w->st, spk, spk_len, text);
	if (rc == KB_ENOTFOUND)
		werr(err, errlen, "%s is not an address of this wallet", target);
	return rc;
}

enum kb_rc wallet_freeze(struct wallet *w, const char *outpoint, bool frozen, char *err, size_t errlen)
{
	struct wallet_outpoint op;
	if (wallet_outpoint_parse(&op, outpoint) != KB_OK) {
		werr(err, errlen, "'%s' is not an outpoint: write TXID:VOUT", outpoint);
		return KB_EPARSE;
	}
	enum kb_rc rc = wallet_store_output_set_frozen(w->st, &op.txid, op.n, frozen);
	if (rc == KB_ENOTFOUND)
		werr(err, errlen, "the wallet has no output %s", outpoint);
	return rc;
}

enum kb_rc wallet_export_descriptors(struct wallet *w, const char *password, struct buf *out,
                                     char *err, size_t errlen)
{
	struct wallet_secrets *sec = NULL;
	struct wallet_bip32_priv *master = NULL;
	enum kb_rc rc = KB_OK;
	if (password) {
		rc = unseal(w, &sec, password, err, errlen);
		if (rc != KB_OK)
			return rc;
		rc = wallet_bip32_priv_from_seed(&master, sec->seed, sizeof sec->seed);
		if (rc != KB_OK)
			goto out;
	}
	for (size_t i = 0; i < w->nacc && rc == KB_OK; i++) {
		struct account *a = &w->acc[i];
		for (unsigned chain = 0; chain < account_chains(a) && rc == KB_OK; chain++) {
			struct wallet_descriptor *single = NULL, *priv = NULL;
			size_t which;
			const struct wallet_descriptor *d = chain_desc(a, chain, &which);
			rc = wallet_descriptor_expand(&single, d, which);
			if (rc != KB_OK)
				break;
			char *text = NULL;
			if (!master) {
				rc = wallet_descriptor_serialize(single, &text);
				if (rc == KB_OK)
					buf_printf(out, "%s\n", text);
				kb_free(text);
			} else {
				/* Rebuild the account with its private key. */
				struct wallet_descriptor_keyinfo ki;
				rc = wallet_descriptor_derive_key(single, 0, 0, &ki);
				if (rc == KB_OK && (!ki.has_origin || ki.path_len < 5)) {
					rc = KB_EUNSUPPORTED;
					werr(err, errlen, "account %zu has no key origin to rebuild its private descriptor from", i + 1);
				}
				struct wallet_bip32_priv *acc = NULL;
				if (rc == KB_OK) {
					struct wallet_bip32_path path = { 3, { ki.path[0], ki.path[1], ki.path[2] } };
					rc = wallet_bip32_priv_derive(&acc, master, &path);
				}
				struct wallet_descriptor *full = NULL;
				if (rc == KB_OK) {
					struct wallet_bip32_pub mpub;
					uint8_t fpr[4];
					wallet_bip32_priv_to_pub(&mpub, master);
					wallet_bip32_fingerprint(fpr, &mpub);
					rc = wallet_descriptor_account(&full, w->meta.net, a->type, fpr,
					                               ki.path[2] & ~WALLET_DESCRIPTOR_HARDENED, NULL, acc);
				}
				if (rc == KB_OK)
					rc = wallet_descriptor_expand(&priv, full, chain);
				char *ptext = NULL;
				if (rc == KB_OK)
					rc = wallet_descriptor_serialize_private(priv, &ptext);
				if (rc == KB_OK)
					buf_printf(out, "%s\n", ptext);
				kb_secret_free(ptext);
				wallet_descriptor_free(full);
				wallet_bip32_priv_free(acc);
			}
			wallet_descriptor_free(single);
			wallet_descriptor_free(priv);
		}
	}
	if (rc != KB_OK && err && !err[0])
		werr(err, errlen, "cannot export the descriptors: %s", kb_rc_str(rc));
out:
	wallet_bip32_priv_free(master);
	wallet_keystore_secrets_free(sec);
	return rc;
}

/* ---- spending ---- */

static enum wallet_coinselect_spk cs_type(const uint8_t *spk, size_t n)
{
	struct wallet_script_info info;
	switch (wallet_script_classify(spk, n, &info)) {
	case WALLET_SCRIPT_P2PKH: return WALLET_COINSELECT_P2PKH;
	case WALLET_SCRIPT_P2SH: return WALLET_COINSELECT_P2SH_P2WPKH;
	case WALLET_SCRIPT_P2TR: return WALLET_COINSELECT_P2TR;
	default: return WALLET_COINSELECT_P2WPKH;
	}
}

static uint32_t output_weight(size_t n)
{
	return (uint32_t)(4 * (8 + varint_len(n) + n));
}

/* The fee cap: more than 0.01 BTC and more than 5% of what is sent. */
static bool fee_too_high(int64_t fee, int64_t sent)
{
	return fee > 1000000 && fee * 20 > sent;
}

static void add_derivation(struct wallet_psbt_map *m, bool output, const struct account *a,
                           const struct wallet_descriptor_keyinfo *ki)
{
	struct buf key = BUF_INIT, val = BUF_INIT;
	struct wallet_keypath kp;
	memset(&kp, 0, sizeof kp);
	memcpy(kp.fingerprint, ki->fingerprint, 4);
	kp.depth = ki->path_len;
	memcpy(kp.path, ki->path, ki->path_len * sizeof ki->path[0]);
	if (a->type == WALLET_DESCRIPTOR_TR) {
		buf_u8(&key, output ? PSBT_OUT_TAP_BIP32_DERIVATION : PSBT_IN_TAP_BIP32_DERIVATION);
		buf_bytes(&key, ki->xonly, 32);
		buf_varint(&val, 0); /* no leaf hashes: key path */
		wallet_psbt_keypath_serialize(&kp, &val);
		wallet_psbt_map_set(m, key.p, key.len, val.p, val.len);
		uint8_t t = output ? PSBT_OUT_TAP_INTERNAL_KEY : PSBT_IN_TAP_INTERNAL_KEY;
		wallet_psbt_map_set(m, &t, 1, ki->xonly, 32);
	} else {
		buf_u8(&key, output ? PSBT_OUT_BIP32_DERIVATION : PSBT_IN_BIP32_DERIVATION);
		buf_bytes(&key, ki->pubkey, 33);
		wallet_psbt_keypath_serialize(&kp, &val);
		wallet_psbt_map_set(m, key.p, key.len, val.p, val.len);
		if (a->type == WALLET_DESCRIPTOR_SH_WPKH) {
			uint8_t rs[22], h[20];
			wallet_hash_hash160(h, ki->pubkey, 33);
			wallet_script_p2wpkh(rs, h);
			uint8_t t = output ? PSBT_OUT_REDEEMSCRIPT : PSBT_IN_REDEEMSCRIPT;
			wallet_psbt_map_set(m, &t, 1, rs, sizeof rs);
		}
	}
	buf_clear(&key);
	buf_clear(&val);
}

/* Adds what a signer needs to the PSBT records of a wallet script. */
static void describe_spk(struct wallet *w, struct wallet_psbt_map *m, bool output,
                         const uint8_t *spk, size_t spk_len)
{
	struct wallet_store_address a;
	if (wallet_store_address_get_by_spk(w->st, &a, spk, spk_len) != KB_OK)
		return;
	struct account *acc = find_account(w, a.account_id);
	size_t which = 0;
	struct wallet_descriptor_keyinfo ki;
	/* chain_desc sets which: call it before reading which (argument
	 * evaluation order is unspecified; GCC read which first, so change
	 * coins got the receive path and could not be signed) */
	const struct wallet_descriptor *d = acc ? chain_desc(acc, a.chain, &which) : NULL;
	if (d && wallet_descriptor_derive_key(d, which, a.index, &ki) == KB_OK)
		add_derivation(m, output, acc, &ki);
	wallet_store_address_clear(&a);
}

enum kb_rc wallet_psbt_create(struct wallet *w, const struct wallet_spend_opts *o,
                              struct wallet_psbt *out, char *err, size_t errlen)
{
	wallet_psbt_init(out);
	if (err && errlen)
		err[0] = '\0';
	if (o->nto == 0) {
		werr(err, errlen, "no recipient");
		return KB_EINVAL;
	}
	if (o->fee_rate < 1000 || o->fee_rate > WALLET_COINSELECT_MAX_FEE_RATE) {
		werr(err, errlen, "the fee rate must be between 1 and %lld sat/vB",
		     (long long)(WALLET_COINSELECT_MAX_FEE_RATE / 1000));
		return KB_EINVAL;
	}
	int64_t total = 0;
	uint32_t *ow = kb_calloc(o->nto + 1, sizeof *ow);
	for (size_t i = 0; i < o->nto; i++) {
		bool sweep = o->max && i == o->nto - 1;
		ow[i] = output_weight(o->to[i].spk_len);
		if (sweep)
			continue;
		int64_t dust = wallet_coinselect_dust_threshold(cs_type(o->to[i].spk, o->to[i].spk_len));
		if (o->to[i].amount <= 0 || o->to[i].amount > WALLET_MAX_MONEY) {
			werr(err, errlen, "the amount for %s must be more than zero", o->to[i].address);
			kb_free(ow);
			return KB_EINVAL;
		}
		if (o->to[i].amount < dust) {
			char a[WALLET_AMOUNT_STRLEN];
			wallet_amount_format_short(a, dust);
			werr(err, errlen, "%lld sat to %s is dust: peers do not relay outputs below %s BTC (%lld sat) for this address type",
			     (long long)o->to[i].amount, o->to[i].address, a, (long long)dust);
			kb_free(ow);
			return KB_EINVAL;
		}
		total += o->to[i].amount;
		if (total > WALLET_MAX_MONEY) {
			werr(err, errlen, "the amounts add up to more than 21 million BTC");
			kb_free(ow);
			return KB_EINVAL;
		}
	}

	/* Candidate coins. */
	struct wallet_store_output *u = NULL;
	size_t nu = 0;
	enum kb_rc rc = wallet_store_utxo_list(w->st, &u, &nu);
	struct wallet_coinselect_coin *coins = kb_calloc(nu + 1, sizeof *coins);
	size_t *map = kb_calloc(nu + 1, sizeof *map);
	size_t nc = 0;
	struct wallet_coinselect_result res;
	memset(&res, 0, sizeof res);
	struct wallet_tx tx;
	wallet_tx_init(&tx);
	struct account *change_acc = w->nacc ? &w->acc[0] : NULL;
	if (rc != KB_OK)
		goto out;
	for (size_t f = 0; f < o->nfrom; f++) {
		bool found = false;
		for (size_t i = 0; i < nu; i++)
			if (u[i].vout == o->from[f].n && memcmp(u[i].txid.b, o->from[f].txid.b, 32) == 0)
				found = true;
		if (!found) {
			char h[65];
			wallet_hex_encode_rev(h, sizeof h, o->from[f].txid.b, 32);
			werr(err, errlen, "%s:%u is not an unspent coin of this wallet", h, o->from[f].n);
			rc = KB_ENOTFOUND;
			goto out;
		}
	}
	for (size_t i = 0; i < nu; i++) {
		if (u[i].tx_state != WALLET_TX_CONFIRMED && u[i].tx_state != WALLET_TX_PENDING)
			continue;
		int64_t c = u[i].tx_state == WALLET_TX_CONFIRMED ? confirmations(o->tip_height, u[i].height) : 0;
		if (u[i].coinbase && c < WALLET_COINBASE_MATURITY)
			continue;
		bool required = false;
		for (size_t f = 0; f < o->nfrom; f++)
			if (u[i].vout == o->from[f].n && memcmp(u[i].txid.b, o->from[f].txid.b, 32) == 0)
				required = true;
		bool spendable = c >= w->confirm_target || (u[i].is_change && c >= 1) || o->include_unconfirmed;
		if (!spendable && !required)
			continue;
		if (required && u[i].frozen) {
			char h[65];
			wallet_hex_encode_rev(h, sizeof h, u[i].txid.b, 32);
			werr(err, errlen, "coin %s:%u is frozen: unfreeze it first", h, u[i].vout);
			rc = KB_EINVAL;
			goto out;
		}
		coins[nc].value = u[i].value;
		coins[nc].weight = wallet_coinselect_input_weight(cs_type(u[i].spk, u[i].spk_len), true);
		coins[nc].flags = (u[i].frozen ? WALLET_COINSELECT_FROZEN : 0) |
		                  (required ? WALLET_COINSELECT_REQUIRED : 0);
		map[nc++] = i;
	}

	/* Change goes to the first account's change chain. */
	struct wallet_store_address chg;
	memset(&chg, 0, sizeof chg);
	if (!change_acc) {
		rc = KB_EINVAL;
		werr(err, errlen, "the wallet has no account");
		goto out;
	}
	rc = wallet_top_up(w, NULL);
	if (rc == KB_OK)
		rc = wallet_store_address_next_unused(w->st, &chg, change_acc->id, account_chains(change_acc) > 1 ? 1 : 0);
	if (rc != KB_OK) {
		werr(err, errlen, "no change address: %s", kb_rc_str(rc));
		goto out;
	}
	enum wallet_coinselect_spk ctype = cs_type(chg.spk, chg.spk_len);
	struct wallet_coinselect_params p;
	memset(&p, 0, sizeof p);
	p.mode = o->max ? WALLET_COINSELECT_MAX :
	         (o->nfrom ? WALLET_COINSELECT_ONLY_REQUIRED : WALLET_COINSELECT_AUTO);
	p.only_required = o->max && o->nfrom > 0;
	p.target = total;
	p.fee_rate = o->fee_rate;
	p.long_term_fee_rate = 10000;
	p.base_weight = wallet_coinselect_base_weight(ow, o->nto, true);
	p.change_output_weight = wallet_coinselect_output_weight(ctype);
	p.change_spend_weight = wallet_coinselect_input_weight(ctype, true);
	p.change_dust = wallet_coinselect_dust_threshold(ctype);
	if (o->max)
		p.recipient_dust = wallet_coinselect_dust_threshold(cs_type(o->to[o->nto - 1].spk, o->to[o->nto - 1].spk_len));
	rc = wallet_coinselect_run(&res, coins, nc, &p);
	if (rc == KB_EFUNDS) {
		char a[WALLET_AMOUNT_STRLEN];
		wallet_amount_format_short(a, res.shortfall);
		werr(err, errlen, "insufficient funds: %s BTC more is needed (with the fee at this rate)%s", a,
		     o->include_unconfirmed ? "" : "; coins with fewer confirmations than the target are not spent unless you ask");
		goto out_chg;
	}
	if (rc != KB_OK) {
		werr(err, errlen, "cannot choose coins: %s", rc == KB_ELIMIT ?
		     "the transaction would be larger than the standard limit" : kb_rc_str(rc));
		goto out_chg;
	}
	int64_t sent = res.amount;
	if (!o->force && fee_too_high(res.fee, sent)) {
		char a[WALLET_AMOUNT_STRLEN];
		wallet_amount_format_short(a, res.fee);
		werr(err, errlen, "the fee would be %s BTC, more than 0.01 BTC and 5%% of the amount: refused (lower the fee rate, or force it)", a);
		rc = KB_ELIMIT;
		goto out_chg;
	}

	/* The transaction. */
	tx.version = 2;
	uint32_t seq = o->no_rbf ? 0xfffffffeu : 0xfffffffdu;
	for (size_t k = 0; k < res.n; k++) {
		const struct wallet_store_output *c = &u[map[res.idx[k]]];
		struct wallet_outpoint op = { c->txid, c->vout };
		wallet_tx_add_input(&tx, &op, NULL, 0, seq);
	}
	size_t change_pos = SIZE_MAX;
	size_t nout = o->nto + (res.change > 0 ? 1 : 0);
	if (res.change > 0)
		change_pos = randombytes_uniform((uint32_t)nout);
	for (size_t k = 0, r = 0; k < nout; k++) {
		if (k == change_pos) {
			wallet_tx_add_output(&tx, res.change, chg.spk, chg.spk_len);
			continue;
		}
		int64_t amount = o->to[r].amount;
		if (o->max && r == o->nto - 1)
			amount = res.amount - total;
		wallet_tx_add_output(&tx, amount, o->to[r].spk, o->to[r].spk_len);
		r++;
	}
	/* Anti-fee-sniping (as Core): the tip height, sometimes a little less. */
	if (o->tip_height > 0 && o->tip_height < 500000000) {
		int64_t lt = o->tip_height;
		if (randombytes_uniform(10) == 0)
			lt -= randombytes_uniform(100);
		tx.locktime = (uint32_t)(lt > 0 ? lt : 0);
	}
	rc = wallet_psbt_from_tx(out, &tx);
	if (rc != KB_OK)
		goto out_chg;
	for (size_t k = 0; k < res.n; k++) {
		const struct wallet_store_output *c = &u[map[res.idx[k]]];
		struct wallet_psbt_map *m = &out->in[k];
		struct buf b = BUF_INIT;
		uint8_t t;
		if (cs_type(c->spk, c->spk_len) != WALLET_COINSELECT_P2PKH) {
			buf_u64le(&b, (uint64_t)c->value);
			buf_varbytes(&b, c->spk, c->spk_len);
			t = PSBT_IN_WITNESS_UTXO;
			wallet_psbt_map_set(m, &t, 1, b.p, b.len);
			buf_reset(&b);
		}
		if (cs_type(c->spk, c->spk_len) != WALLET_COINSELECT_P2TR) {
			/* the whole previous transaction, so a signer can check the amount */
			struct wallet_store_tx st;
			if (wallet_store_tx_get(w->st, &st, &c->txid) == KB_OK) {
				struct wallet_tx prev;
				if (wallet_tx_parse(&prev, st.raw, st.raw_len) == KB_OK) {
					wallet_tx_serialize(&prev, &b, false);
					t = PSBT_IN_NON_WITNESS_UTXO;
					wallet_psbt_map_set(m, &t, 1, b.p, b.len);
					wallet_tx_clear(&prev);
				}
				wallet_store_tx_clear(&st);
			}
		}
		buf_clear(&b);
		describe_spk(w, m, false, c->spk, c->spk_len);
	}
	if (change_pos != SIZE_MAX)
		describe_spk(w, &out->out[change_pos], true, chg.spk, chg.spk_len);
out_chg:
	wallet_store_address_clear(&chg);
out:
	if (rc != KB_OK)
		wallet_psbt_clear(out);
	wallet_coinselect_result_clear(&res);
	wallet_tx_clear(&tx);
	wallet_store_output_list_free(u, nu);
	kb_free(coins);
	kb_free(map);
	kb_free(ow);
	return rc;
}

/* The private key for a derivation record, if it is ours: derived from the
 * master when the fingerprint is the master's, or from an account key when
 * the record is relative to one (a watch-only twin made from a bare xpub). */
static struct wallet_bip32_priv *key_for(const struct wallet_bip32_priv *master, const uint8_t mfpr[4],
                                         const struct wallet_keypath *kp, enum kb_net net)
{
	struct wallet_bip32_priv *k = NULL;
	if (memcmp(kp->fingerprint, mfpr, 4) == 0) {
		struct wallet_bip32_path path;
		path.len = kp->depth;
		memcpy(path.index, kp->path, kp->depth * sizeof kp->path[0]);
		if (wallet_bip32_priv_derive(&k, master, &path) == KB_OK)
			return k;
		return NULL;
	}
	uint32_t coin = kb_net_params(net)->coin_type;
	for (size_t i = 0; i < NKINDS; i++) {
		struct wallet_bip32_path ap = { 3, { kinds[i].purpose | WALLET_BIP32_HARDENED,
		                                     coin | WALLET_BIP32_HARDENED, WALLET_BIP32_HARDENED } };
		struct wallet_bip32_priv *acc = NULL;
		if (wallet_bip32_priv_derive(&acc, master, &ap) != KB_OK)
			continue;
		struct wallet_bip32_pub apub;
		uint8_t fpr[4];
		wallet_bip32_priv_to_pub(&apub, acc);
		wallet_bip32_fingerprint(fpr, &apub);
		if (memcmp(fpr, kp->fingerprint, 4) == 0) {
			struct wallet_bip32_path path;
			path.len = kp->depth;
			memcpy(path.index, kp->path, kp->depth * sizeof kp->path[0]);
			if (wallet_bip32_priv_derive(&k, acc, &path) != KB_OK)
				k = NULL;
			wallet_bip32_priv_free(acc);
			return k;
		}
		wallet_bip32_priv_free(acc);
	}
	return NULL;
}

enum kb_rc wallet_psbt_sign(struct wallet *w, struct wallet_psbt *p, const char *password,
                            size_t *signed_inputs, char *err, size_t errlen)
{
	*signed_inputs = 0;
	if (err && errlen)
		err[0] = '\0';
	if (p->version != 0) {
		werr(err, errlen, "koban signs version 0 PSBTs only");
		return KB_EUNSUPPORTED;
	}
	struct wallet_secrets *sec = NULL;
	enum kb_rc rc = unseal(w, &sec, password, err, errlen);
	if (rc != KB_OK)
		return rc;
	struct wallet_bip32_priv *master = NULL;
	struct wallet_txout *spent = kb_calloc(p->in_count + 1, sizeof *spent);
	struct buf *spks = kb_calloc(p->in_count + 1, sizeof *spks);
	bool all_known = true;
	rc = wallet_bip32_priv_from_seed(&master, sec->seed, sizeof sec->seed);
	if (rc != KB_OK)
		goto out;
	struct wallet_bip32_pub mpub;
	uint8_t mfpr[4];
	wallet_bip32_priv_to_pub(&mpub, master);
	wallet_bip32_fingerprint(mfpr, &mpub);
	for (size_t i = 0; i < p->in_count; i++) {
		enum kb_rc urc = wallet_psbt_input_utxo(p, i, &spent[i].value, &spks[i]);
		if (urc == KB_EPARSE) {
			werr(err, errlen, "input %zu: its witness UTXO disagrees with its previous transaction: refusing to sign", i);
			rc = KB_EINVAL;
			goto out;
		}
		if (urc != KB_OK)
			all_known = false;
		spent[i].script_pubkey.p = spks[i].p;
		spent[i].script_pubkey.len = spks[i].len;
	}
	struct wallet_sighash_cache cache;
	wallet_sighash_cache_init(&cache, &p->tx, all_known ? spent : NULL, all_known ? p->in_count : 0);
	for (size_t i = 0; i < p->in_count; i++) {
		if (wallet_psbt_input_final(p, i) || !spks[i].len)
			continue;
		struct wallet_psbt_map *m = &p->in[i];
		const struct wallet_psbt_kv *sh = wallet_psbt_map_get_type(m, PSBT_IN_SIGHASH);
		uint32_t want_type = sh && sh->vallen == 4 ? (uint32_t)sh->val[0] | (uint32_t)sh->val[1] << 8 |
		                     (uint32_t)sh->val[2] << 16 | (uint32_t)sh->val[3] << 24 : 0xffffffffu;
		struct wallet_script_info info;
		enum wallet_script_type st = wallet_script_classify(spks[i].p, spks[i].len, &info);
		for (size_t r = 0; r < m->count; r++) {
			const struct wallet_psbt_kv *kv = &m->kv[r];
			struct wallet_keypath kp;
			bool tap = kv->key[0] == PSBT_IN_TAP_BIP32_DERIVATION;
			if (!tap && kv->key[0] != PSBT_IN_BIP32_DERIVATION)
				continue;
			if (tap) {
				struct cursor c;
				cursor_init(&c, kv->val, kv->vallen);
				size_t nh = cursor_count(&c, kv->vallen / 32, 32);
				if (nh != 0 || c.fail)
					continue; /* script-path keys: not ours to sign */
				if (!wallet_psbt_keypath_parse(&kp, c.p, c.n))
					continue;
			} else if (!wallet_psbt_keypath_parse(&kp, kv->val, kv->vallen)) {
				continue;
			}
			struct wallet_bip32_priv *k = key_for(master, mfpr, &kp, w->meta.net);
			if (!k)
				continue;
			struct wallet_bip32_pub kpub;
			wallet_bip32_priv_to_pub(&kpub, k);
			bool match = tap ? memcmp(kpub.key + 1, kv->key + 1, 32) == 0
			                 : kv->keylen == 34 && memcmp(kpub.key, kv->key + 1, 33) == 0;
			if (!match) {
				wallet_bip32_priv_free(k);
				continue;
			}
			struct hash256 digest;
			uint8_t sig[WALLET_SIGN_ECDSA_MAX];
			size_t siglen = 0;
			enum kb_rc src = KB_EUNSUPPORTED;
			uint8_t h160[20];
			wallet_hash_hash160(h160, kpub.key, 33);
			if (tap && st == WALLET_SCRIPT_P2TR) {
				uint8_t out_key[32];
				int parity;
				uint8_t ht = want_type == 0xffffffffu ? WALLET_SIGHASH_DEFAULT : (uint8_t)want_type;
				if (!all_known) {
					src = KB_ENOTFOUND;
				} else if (wallet_sign_taproot_output_key(out_key, &parity, kpub.key + 1, NULL) == KB_OK &&
				           memcmp(out_key, spks[i].p + 2, 32) == 0 &&
				           (want_type == 0xffffffffu || want_type <= 0xff) &&
				           wallet_sighash_taproot(&digest, &p->tx, &cache, i, spent, p->in_count, ht, NULL) == KB_OK) {
					src = wallet_sign_schnorr_taproot(sig, &siglen, wallet_bip32_priv_seckey(k), NULL,
					                                  &digest, ht, NULL);
					if (src == KB_OK) {
						uint8_t t = PSBT_IN_TAP_KEY_SIG;
						wallet_psbt_map_set(m, &t, 1, sig, siglen);
					}
				}
			} else if (!tap && (want_type == 0xffffffffu || want_type == WALLET_SIGHASH_ALL)) {
				uint8_t code[25];
				wallet_script_p2pkh(code, h160);
				if (st == WALLET_SCRIPT_P2WPKH && memcmp(spks[i].p + 2, h160, 20) == 0) {
					src = wallet_sighash_segwit_v0(&digest, &p->tx, &cache, i, code, sizeof code,
					                               spent[i].value, WALLET_SIGHASH_ALL);
				} else if (st == WALLET_SCRIPT_P2SH) {
					const struct wallet_psbt_kv *rs = wallet_psbt_map_get_type(m, PSBT_IN_REDEEMSCRIPT);
					uint8_t want_rs[22], rh[20];
					wallet_script_p2wpkh(want_rs, h160);
					wallet_hash_hash160(rh, want_rs, sizeof want_rs);
					if (rs && rs->vallen == 22 && memcmp(rs->val, want_rs, 22) == 0 &&
					    memcmp(spks[i].p + 2, rh, 20) == 0)
						src = wallet_sighash_segwit_v0(&digest, &p->tx, &cache, i, code, sizeof code,
						                               spent[i].value, WALLET_SIGHASH_ALL);
				} else if (st == WALLET_SCRIPT_P2PKH && memcmp(spks[i].p + 3, h160, 20) == 0) {
					src = wallet_sighash_legacy(&digest, &p->tx, i, spks[i].p, spks[i].len, WALLET_SIGHASH_ALL);
				}
				if (src == KB_OK)
					src = wallet_sign_ecdsa(sig, &siglen, wallet_bip32_priv_seckey(k), &digest, WALLET_SIGHASH_ALL);
				if (src == KB_OK) {
					uint8_t key[34];
					key[0] = PSBT_IN_PARTIAL_SIG;
					memcpy(key + 1, kpub.key, 33);
					wallet_psbt_map_set(m, key, sizeof key, sig, siglen);
				}
			}
			wallet_bip32_priv_free(k);
			if (src == KB_OK) {
				(*signed_inputs)++;
				break;
			}
		}
	}
	if (*signed_inputs == 0) {
		rc = KB_EINVAL;
		werr(err, errlen, "nothing to sign: no input of this PSBT belongs to this wallet%s",
		     all_known ? "" : " (or an input lacks its previous output)");
	}
out:
	for (size_t i = 0; i < p->in_count; i++)
		buf_clear(&spks[i]);
	kb_free(spks);
	kb_free(spent);
	wallet_bip32_priv_free(master);
	wallet_keystore_secrets_free(sec);
	return rc;
}

/* Estimated weight of input i once signed, from its UTXO's type. */
static size_t input_weight_estimate(const struct wallet_psbt *p, size_t i, const uint8_t *spk, size_t n)
{
	if (wallet_psbt_input_final(p, i)) {
		size_t wgt = 4 * (36 + 4);
		const struct wallet_psbt_kv *ss = wallet_psbt_map_get_type(&p->in[i], PSBT_IN_SCRIPTSIG);
		const struct wallet_psbt_kv *sw = wallet_psbt_map_get_type(&p->in[i], PSBT_IN_SCRIPTWITNESS);
		wgt += 4 * (ss ? varint_len(ss->vallen) + ss->vallen : 1);
		wgt += sw ? sw->vallen : 1;
		return wgt;
	}
	return wallet_coinselect_input_weight(cs_type(spk, n), true);
}

void wallet_psbt_describe(struct wallet *w, const struct wallet_psbt *p, struct buf *text,
                          struct json_writer *jw)
{
	char a[WALLET_AMOUNT_STRLEN], addr[WALLET_ADDRESS_MAX + 8], h[65];
	int64_t in_total = 0, out_total = 0, ours_in = 0, ours_out = 0, change = 0;
	bool known = true, complete = true;
	size_t weight = 4 * (4 + 4 + varint_len(p->tx.in_count) + varint_len(p->tx.out_count)) + 2;
	if (jw) {
		json_w_obj_begin(jw);
		json_w_key(jw, "inputs");
		json_w_arr_begin(jw);
	} else {
		buf_printf(text, "Inputs (%zu):\n", p->in_count);
	}
	for (size_t i = 0; i < p->in_count && i < p->tx.in_count; i++) {
		int64_t v;
		struct buf spk = BUF_INIT;
		bool have = wallet_psbt_input_utxo(p, i, &v, &spk) == KB_OK;
		bool mine = false;
		struct wallet_store_address row;
		if (have && wallet_store_address_get_by_spk(w->st, &row, spk.p, spk.len) == KB_OK) {
			mine = true;
			wallet_store_address_clear(&row);
		}
		if (have) {
			in_total += v;
			if (mine)
				ours_in += v;
			weight += input_weight_estimate(p, i, spk.p, spk.len);
		} else {
			known = false;
			weight += 4 * 41 + 110;
		}
		bool fin = wallet_psbt_input_final(p, i);
		bool sig = wallet_psbt_map_get_type(&p->in[i], PSBT_IN_TAP_KEY_SIG) != NULL;
		for (size_t r = 0; r < p->in[i].count && !sig; r++)
			sig = p->in[i].kv[r].key[0] == PSBT_IN_PARTIAL_SIG;
		if (!fin)
			complete = false;
		wallet_hex_encode_rev(h, sizeof h, p->tx.in[i].prevout.txid.b, 32);
		if (!have || wallet_address_encode(addr, sizeof addr, w->meta.net, spk.p, spk.len) != KB_OK)
			snprintf(addr, sizeof addr, "%s", have ? "(no address form)" : "(unknown: no UTXO in the PSBT)");
		wallet_amount_format(a, have ? v : 0);
		if (jw) {
			json_w_obj_begin(jw);
			json_w_key(jw, "outpoint");
			char op[80];
			snprintf(op, sizeof op, "%s:%u", h, p->tx.in[i].prevout.n);
			json_w_str(jw, op);
			json_w_key(jw, "address");
			json_w_str(jw, addr);
			json_w_key(jw, "value");
			if (have)
				json_w_int(jw, v);
			else
				json_w_null(jw);
			json_w_key(jw, "ours");
			json_w_bool(jw, mine);
			json_w_key(jw, "signed");
			json_w_bool(jw, fin || sig);
			json_w_key(jw, "final");
			json_w_bool(jw, fin);
			json_w_obj_end(jw);
		} else {
			buf_printf(text, "  %s:%u\n      %s  %s BTC%s%s\n", h, p->tx.in[i].prevout.n, addr,
			           have ? a : "?", mine ? "  [ours]" : "", fin ? "  [final]" : sig ? "  [signed]" : "");
		}
		buf_clear(&spk);
	}
	if (jw) {
		json_w_arr_end(jw);
		json_w_key(jw, "outputs");
		json_w_arr_begin(jw);
	} else {
		buf_printf(text, "Outputs (%zu):\n", p->tx.out_count);
	}
	for (size_t i = 0; i < p->tx.out_count; i++) {
		const struct wallet_txout *o = &p->tx.out[i];
		out_total += o->value;
		weight += 4 * (8 + varint_len(o->script_pubkey.len) + o->script_pubkey.len);
		bool mine = false, is_change = false;
		struct wallet_store_address row;
		if (wallet_store_address_get_by_spk(w->st, &row, o->script_pubkey.p, o->script_pubkey.len) == KB_OK) {
			mine = true;
			is_change = row.chain == 1;
			wallet_store_address_clear(&row);
			ours_out += o->value;
			if (is_change)
				change += o->value;
		}
		if (wallet_address_encode(addr, sizeof addr, w->meta.net, o->script_pubkey.p, o->script_pubkey.len) != KB_OK)
			snprintf(addr, sizeof addr, "(script without an address)");
		wallet_amount_format(a, o->value);
		if (jw) {
			json_w_obj_begin(jw);
			json_w_key(jw, "address");
			json_w_str(jw, addr);
			json_w_key(jw, "value");
			json_w_int(jw, o->value);
			json_w_key(jw, "ours");
			json_w_bool(jw, mine);
			json_w_key(jw, "change");
			json_w_bool(jw, is_change);
			json_w_obj_end(jw);
		} else {
			buf_printf(text, "  %s  %s BTC%s\n", addr, a, is_change ? "  [change]" : mine ? "  [ours]" : "");
		}
	}
	int64_t fee = known ? in_total - out_total : -1;
	size_t vsize = (weight + 3) / 4;
	if (jw) {
		json_w_arr_end(jw);
		json_w_key(jw, "fee");
		if (fee >= 0)
			json_w_int(jw, fee);
		else
			json_w_null(jw);
		json_w_key(jw, "vsize_estimate");
		json_w_uint(jw, vsize);
		json_w_key(jw, "fee_rate");
		if (fee >= 0) {
			char r[32];
			snprintf(r, sizeof r, "%.2f", (double)fee / (double)vsize);
			json_w_raw(jw, r);
		} else {
			json_w_null(jw);
		}
		json_w_key(jw, "sent");
		json_w_int(jw, out_total - ours_out);
		json_w_key(jw, "change");
		json_w_int(jw, change);
		json_w_key(jw, "rbf");
		bool rbf = false;
		for (size_t i = 0; i < p->tx.in_count; i++)
			rbf |= p->tx.in[i].sequence < 0xfffffffeu;
		json_w_bool(jw, rbf);
		json_w_key(jw, "locktime");
		json_w_uint(jw, p->tx.locktime);
		json_w_key(jw, "complete");
		json_w_bool(jw, complete);
		json_w_key(jw, "network");
		json_w_str(jw, kb_net_params(w->meta.net)->display);
		json_w_obj_end(jw);
		return;
	}
	if (fee >= 0) {
		wallet_amount_format(a, fee);
		buf_printf(text, "Fee: %s BTC (%lld sat), about %.1f sat/vB for ~%zu vB\n", a, (long long)fee,
		           (double)fee / (double)vsize, vsize);
	} else {
		buf_printf(text, "Fee: unknown (an input's previous output is missing)\n");
	}
	wallet_amount_format(a, out_total - ours_out);
	buf_printf(text, "Sent to others: %s BTC\n", a);
	bool rbf = false;
	for (size_t i = 0; i < p->tx.in_count; i++)
		rbf |= p->tx.in[i].sequence < 0xfffffffeu;
	buf_printf(text, "Replace-by-fee: %s; locktime %u; network %s\n", rbf ? "yes" : "no",
	           p->tx.locktime, kb_net_params(w->meta.net)->display);
	buf_printf(text, "Complete: %s\n", complete ? "yes (ready to broadcast)" : "no (needs signatures)");
	(void)ours_in;
}
