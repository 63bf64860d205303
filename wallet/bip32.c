#include "wallet/bip32.h"

#include "wallet/base58.h"
#include "wallet/hash.h"
#include "wallet/mem.h"
#include "wallet/secp.h"

#include <secp256k1_extrakeys.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/*
 * The whole struct is kb_secret_alloc memory, scratch included, so one
 * allocation serves a whole derivation: derivation temporaries that hold
 * the private key never leave secret memory and are wiped after each step.
 */
struct wallet_bip32_priv {
	uint8_t seckey[32];
	struct wallet_bip32_pub pub; /* the public half, computed once */
	uint8_t data[37];            /* scratch: 0x00 || k || ser32(i), or serP(K) || ser32(i) */
	uint8_t I[64];               /* scratch: HMAC-SHA512 output */
};

static void set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void put32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void wallet_bip32_fingerprint(uint8_t out[4], const struct wallet_bip32_pub *k)
{
	uint8_t h[20];
	wallet_hash_hash160(h, k->key, sizeof k->key);
	memcpy(out, h, 4);
}

/* Fills k->pub.key from k->seckey. */
static bool compute_pub(struct wallet_bip32_priv *k)
{
	secp256k1_pubkey pk;
	size_t len = sizeof k->pub.key;
	if (!secp256k1_ec_pubkey_create(wallet_secp(), &pk, k->seckey))
		return false;
	secp256k1_ec_pubkey_serialize(wallet_secp(), k->pub.key, &len, &pk, SECP256K1_EC_COMPRESSED);
	return len == sizeof k->pub.key;
}

static struct wallet_bip32_priv *priv_alloc(void)
{
	struct wallet_bip32_priv *k = kb_secret_alloc(sizeof *k);
	memset(k, 0, sizeof *k);
	return k;
}

void wallet_bip32_priv_free(struct wallet_bip32_priv *k)
{
	if (k) {
		kb_wipe(k, sizeof *k);
		kb_secret_free(k);
	}
}

struct wallet_bip32_priv *wallet_bip32_priv_dup(const struct wallet_bip32_priv *k)
{
	struct wallet_bip32_priv *d = priv_alloc();
	memcpy(d, k, sizeof *d);
	return d;
}

const uint8_t *wallet_bip32_priv_seckey(const struct wallet_bip32_priv *k)
{
	return k->seckey;
}

void wallet_bip32_priv_to_pub(struct wallet_bip32_pub *out, const struct wallet_bip32_priv *k)
{
	*out = k->pub;
}

static void wipe_scratch(struct wallet_bip32_priv *k)
{
	kb_wipe(k->data, sizeof k->data);
	kb_wipe(k->I, sizeof k->I);
}

enum kb_rc wallet_bip32_priv_from_seed(struct wallet_bip32_priv **out, const uint8_t *seed,
                                       size_t seedlen)
{
	*out = NULL;
	if (seedlen < 16 || seedlen > 64)
		return KB_EINVAL;
	struct wallet_bip32_priv *k = priv_alloc();
	wallet_hash_hmac_sha512(k->I, "Bitcoin seed", 12, seed, seedlen);
	memcpy(k->seckey, k->I, 32);
	memcpy(k->pub.chain, k->I + 32, 32);
	wipe_scratch(k);
	if (!secp256k1_ec_seckey_verify(wallet_secp(), k->seckey) || !compute_pub(k)) {
		wallet_bip32_priv_free(k);
		return KB_ECRYPTO;
	}
	*out = k;
	return KB_OK;
}

/*
 * CKDpriv in place: k becomes its child at index. On failure k is left
 * unusable (the caller frees it).
 */
static enum kb_rc child_step(struct wallet_bip32_priv *k, uint32_t index)
{
	uint8_t fpr[4];
	enum kb_rc rc = KB_OK;
	if (k->pub.depth == WALLET_BIP32_MAX_DEPTH)
		return KB_ELIMIT;
	if (index & WALLET_BIP32_HARDENED) {
		k->data[0] = 0;
		memcpy(k->data + 1, k->seckey, 32);
	} else {
		memcpy(k->data, k->pub.key, 33);
	}
	put32be(k->data + 33, index);
	wallet_hash_hmac_sha512(k->I, k->pub.chain, 32, k->data, sizeof k->data);
	wallet_bip32_fingerprint(fpr, &k->pub);
	/* fails when IL >= n or the sum is zero: BIP32 says skip this index */
	if (!secp256k1_ec_seckey_tweak_add(wallet_secp(), k->seckey, k->I) || !compute_pub(k)) {
		rc = KB_ECRYPTO;
		goto out;
	}
	memcpy(k->pub.chain, k->I + 32, 32);
	k->pub.depth = (uint8_t)(k->pub.depth + 1);
	k->pub.child = index;
	memcpy(k->pub.parent_fpr, fpr, 4);
out:
	wipe_scratch(k);
	return rc;
}

enum kb_rc wallet_bip32_priv_child(struct wallet_bip32_priv **out,
                                   const struct wallet_bip32_priv *parent, uint32_t index)
{
	*out = NULL;
	if (parent->pub.depth == WALLET_BIP32_MAX_DEPTH)
		return KB_ELIMIT;
	struct wallet_bip32_priv *k = wallet_bip32_priv_dup(parent);
	enum kb_rc rc = child_step(k, index);
	if (rc != KB_OK) {
		wallet_bip32_priv_free(k);
		return rc;
	}
	*out = k;
	return KB_OK;
}

enum kb_rc wallet_bip32_priv_derive(struct wallet_bip32_priv **out,
                                    const struct wallet_bip32_priv *parent,
                                    const struct wallet_bip32_path *path)
{
	*out = NULL;
	if (path->len > WALLET_BIP32_MAX_DEPTH ||
	    parent->pub.depth + path->len > WALLET_BIP32_MAX_DEPTH)
		return KB_ELIMIT;
	struct wallet_bip32_priv *k = wallet_bip32_priv_dup(parent);
	for (size_t i = 0; i < path->len; i++) {
		enum kb_rc rc = child_step(k, path->index[i]);
		if (rc != KB_OK) {
			wallet_bip32_priv_free(k);
			return rc;
		}
	}
	*out = k;
	return KB_OK;
}

enum kb_rc wallet_bip32_pub_child(struct wallet_bip32_pub *out, const struct wallet_bip32_pub *parent,
                                  uint32_t index)
{
	uint8_t data[37], I[64];
	secp256k1_pubkey pk;
	struct wallet_bip32_pub c;
	size_t len = sizeof c.key;
	enum kb_rc rc = KB_OK;

	memset(out, 0, sizeof *out);
	if (index & WALLET_BIP32_HARDENED)
		return KB_EINVAL;
	if (parent->depth == WALLET_BIP32_MAX_DEPTH)
		return KB_ELIMIT;
	if (!secp256k1_ec_pubkey_parse(wallet_secp(), &pk, parent->key, sizeof parent->key) ||
	    (parent->key[0] != 2 && parent->key[0] != 3))
		return KB_EPARSE;
	memcpy(data, parent->key, 33);
	put32be(data + 33, index);
	wallet_hash_hmac_sha512(I, parent->chain, 32, data, sizeof data);
	if (!secp256k1_ec_pubkey_tweak_add(wallet_secp(), &pk, I)) {
		rc = KB_ECRYPTO;
		goto out;
	}
	secp256k1_ec_pubkey_serialize(wallet_secp(), c.key, &len, &pk, SECP256K1_EC_COMPRESSED);
	memcpy(c.chain, I + 32, 32);
	c.depth = (uint8_t)(parent->depth + 1);
	c.child = index;
	wallet_bip32_fingerprint(c.parent_fpr, parent);
	*out = c;
out:
	kb_wipe(I, sizeof I); /* the chain code is as good as half a secret */
	return rc;
}

enum kb_rc wallet_bip32_pub_derive(struct wallet_bip32_pub *out, const struct wallet_bip32_pub *parent,
                                   const struct wallet_bip32_path *path)
{
	struct wallet_bip32_pub k = *parent;
	memset(out, 0, sizeof *out);
	if (path->len > WALLET_BIP32_MAX_DEPTH || parent->depth + path->len > WALLET_BIP32_MAX_DEPTH)
		return KB_ELIMIT;
	for (size_t i = 0; i < path->len; i++) {
		struct wallet_bip32_pub c;
		enum kb_rc rc = wallet_bip32_pub_child(&c, &k, path->index[i]);
		if (rc != KB_OK)
			return rc;
		k = c;
	}
	*out = k;
	return KB_OK;
}

/* ---- paths ---- */

enum kb_rc wallet_bip32_path_parse(struct wallet_bip32_path *out, const char *s,
                                   char *err, size_t errlen)
{
	const char *p = s;
	size_t n = 0;

	out->len = 0;
	set_err(err, errlen, "%s", "");
	if (*p == 'm') {
		p++;
		if (*p == '\0')
			return KB_OK;
		if (*p != '/') {
			set_err(err, errlen, "a path starts with m/ (as in m/84'/0'/0')");
			return KB_EPARSE;
		}
		p++;
	} else if (*p == '\0') {
		set_err(err, errlen, "empty path");
		return KB_EPARSE;
	}
	for (;;) {
		uint64_t v = 0;
		size_t digits = 0;
		n++;
		while (*p >= '0' && *p <= '9') {
			if (digits < 12)
				v = v * 10 + (uint64_t)(*p - '0');
			digits++;
			p++;
		}
		if (digits == 0) {
			set_err(err, errlen, "level %zu: a number is expected%s", n,
			        *p == '\0' || *p == '/' ? " (empty level)" : "");
			return KB_EPARSE;
		}
		if (digits > 10 || v >= WALLET_BIP32_HARDENED) {
			set_err(err, errlen, "level %zu: index must be below 2147483648 (2^31); "
			        "write hardened indices as 0' to 2147483647'", n);
			return KB_EPARSE;
		}
		if (*p == '\'' || *p == 'h' || *p == 'H') {
			v |= WALLET_BIP32_HARDENED;
			p++;
		}
		if (n > WALLET_BIP32_MAX_DEPTH) {
			out->len = 0;
			set_err(err, errlen, "more than %d levels", WALLET_BIP32_MAX_DEPTH);
			return KB_ELIMIT;
		}
		out->index[n - 1] = (uint32_t)v;
		if (*p == '\0')
			break;
		if (*p != '/') {
			set_err(err, errlen, "level %zu: unexpected character '%c'", n,
			        (*p >= 0x20 && *p < 0x7f) ? *p : '?');
			return KB_EPARSE;
		}
		p++;
	}
	out->len = n;
	return KB_OK;
}

enum kb_rc wallet_bip32_path_format(char *out, size_t outlen, const struct wallet_bip32_path *path)
{
	size_t n = 0;
	if (outlen == 0)
		return KB_ELIMIT;
	out[0] = '\0';
	if (outlen < 2 || path->len > WALLET_BIP32_MAX_DEPTH)
		return outlen < 2 ? KB_ELIMIT : KB_EINVAL;
	out[n++] = 'm';
	out[n] = '\0';
	for (size_t i = 0; i < path->len; i++) {
		uint32_t v = path->index[i];
		int r = snprintf(out + n, outlen - n, "/%u%s", (unsigned)(v & ~WALLET_BIP32_HARDENED),
		                 (v & WALLET_BIP32_HARDENED) ? "'" : "");
		if (r < 0 || (size_t)r >= outlen - n) {
			out[0] = '\0';
			return KB_ELIMIT;
		}
		n += (size_t)r;
	}
	return KB_OK;
}

/* ---- serialisation ---- */

bool wallet_bip32_info_matches(const struct wallet_bip32_info *info, enum kb_net net)
{
	if ((unsigned)net >= KB_NET_COUNT)
		return false;
	const struct kb_netparams *np = kb_net_params(net);
	uint32_t v = info->version;
	return v == np->xpub || v == np->xprv || v == np->ypub || v == np->yprv ||
	       v == np->zpub || v == np->zprv;
}

const char *wallet_bip32_info_name(const struct wallet_bip32_info *info)
{
	static const char *const names[2][3][2] = {
		{ { "xpub", "xprv" }, { "ypub", "yprv" }, { "zpub", "zprv" } },
		{ { "tpub", "tprv" }, { "upub", "uprv" }, { "vpub", "vprv" } },
	};
	if ((unsigned)info->script > WALLET_BIP32_SCRIPT_WPKH || info->version == 0)
		return "unknown";
	return names[info->is_test][info->script][info->is_private];
}

/* Looks up a version among every network's; false when unknown. */
static bool version_info(struct wallet_bip32_info *info, uint32_t v)
{
	for (int i = 0; i < KB_NET_COUNT; i++) {
		const struct kb_netparams *np = kb_net_params((enum kb_net)i);
		const struct { uint32_t v; bool priv; enum wallet_bip32_script s; } t[] = {
			{ np->xpub, false, WALLET_BIP32_SCRIPT_NONE }, { np->xprv, true, WALLET_BIP32_SCRIPT_NONE },
			{ np->ypub, false, WALLET_BIP32_SCRIPT_SH_WPKH }, { np->yprv, true, WALLET_BIP32_SCRIPT_SH_WPKH },
			{ np->zpub, false, WALLET_BIP32_SCRIPT_WPKH }, { np->zprv, true, WALLET_BIP32_SCRIPT_WPKH },
		};
		for (size_t j = 0; j < sizeof t / sizeof t[0]; j++) {
			if (t[j].v == v) {
				info->version = v;
				info->is_private = t[j].priv;
				info->is_test = np->is_test;
				info->net = np->net;
				info->script = t[j].s;
				return true;
			}
		}
	}
	return false;
}

static void write_raw(uint8_t *out, const struct wallet_bip32_pub *k, uint32_t version)
{
	put32be(out, version);
	out[4] = k->depth;
	memcpy(out + 5, k->parent_fpr, 4);
	put32be(out + 9, k->child);
	memcpy(out + 13, k->chain, 32);
}

void wallet_bip32_pub_serialize_raw(uint8_t out[WALLET_BIP32_SERIALIZED_LEN],
                                    const struct wallet_bip32_pub *k, uint32_t version)
{
	write_raw(out, k, version);
	memcpy(out + 45, k->key, 33);
}

enum kb_rc wallet_bip32_pub_serialize(char *out, size_t outlen, const struct wallet_bip32_pub *k,
                                      enum kb_net net)
{
	uint8_t raw[WALLET_BIP32_SERIALIZED_LEN];
	if (outlen > 0)
		out[0] = '\0';
	if ((unsigned)net >= KB_NET_COUNT)
		return KB_EINVAL;
	wallet_bip32_pub_serialize_raw(raw, k, kb_net_params(net)->xpub);
	return wallet_base58check_encode(out, outlen, NULL, raw, sizeof raw);
}

enum kb_rc wallet_bip32_priv_serialize(char *out, size_t outlen, const struct wallet_bip32_priv *k,
                                       enum kb_net net)
{
	if (outlen > 0)
		out[0] = '\0';
	if ((unsigned)net >= KB_NET_COUNT)
		return KB_EINVAL;
	uint8_t *raw = kb_secret_alloc(WALLET_BIP32_SERIALIZED_LEN);
	write_raw(raw, &k->pub, kb_net_params(net)->xprv);
	raw[45] = 0;
	memcpy(raw + 46, k->seckey, 32);
	enum kb_rc rc = wallet_base58check_encode(out, outlen, NULL, raw, WALLET_BIP32_SERIALIZED_LEN);
	if (rc != KB_OK && outlen > 0)
		kb_wipe(out, outlen);
	kb_secret_free(raw);
	return rc;
}

enum kb_rc wallet_bip32_parse_raw(struct wallet_bip32_pub *pub, struct wallet_bip32_priv **priv,
                                  struct wallet_bip32_info *info, const uint8_t *in, size_t n,
                                  char *err, size_t errlen)
{
	struct wallet_bip32_info inf;
	struct wallet_bip32_pub k;
	struct wallet_bip32_priv *pk = NULL;
	enum kb_rc rc = KB_EPARSE;

	memset(pub, 0, sizeof *pub);
	memset(&inf, 0, sizeof inf);
	memset(&k, 0, sizeof k);
	if (priv)
		*priv = NULL;
	if (info)
		memset(info, 0, sizeof *info);
	set_err(err, errlen, "%s", "");

	if (n != WALLET_BIP32_SERIALIZED_LEN) {
		set_err(err, errlen, "an extended key is 78 bytes, not %zu", n);
		goto out;
	}
	uint32_t version = get32be(in);
	if (!version_info(&inf, version)) {
		set_err(err, errlen, "unknown extended key version 0x%08x", (unsigned)version);
		goto out;
	}
	k.depth = in[4];
	memcpy(k.parent_fpr, in + 5, 4);
	k.child = get32be(in + 9);
	memcpy(k.chain, in + 13, 32);
	const uint8_t *key = in + 45;
	if (k.depth == 0 && get32be(k.parent_fpr) != 0) {
		set_err(err, errlen, "depth 0 (a master key) with a non-zero parent fingerprint");
		goto out;
	}
	if (k.depth == 0 && k.child != 0) {
		set_err(err, errlen, "depth 0 (a master key) with a non-zero child number");
		goto out;
	}
	if (inf.is_private) {
		if (key[0] == 2 || key[0] == 3) {
			set_err(err, errlen, "%s version with public key data (prefix %02x, want 00)",
			        wallet_bip32_info_name(&inf), key[0]);
			goto out;
		}
		if (key[0] != 0) {
			set_err(err, errlen, "invalid private key prefix %02x (want 00)", key[0]);
			goto out;
		}
		if (!priv) {
			rc = KB_EINVAL;
			set_err(err, errlen, "this is a private key (%s); a public one is expected",
			        wallet_bip32_info_name(&inf));
			goto out;
		}
		pk = priv_alloc();
		memcpy(pk->seckey, key + 1, 32);
		if (!secp256k1_ec_seckey_verify(wallet_secp(), pk->seckey)) {
			set_err(err, errlen, "private key not in 1..n-1");
			goto out;
		}
		struct wallet_bip32_pub half = k;
		pk->pub = half;
		if (!compute_pub(pk)) {
			set_err(err, errlen, "private key not in 1..n-1");
			goto out;
		}
		k = pk->pub;
	} else {
		secp256k1_pubkey point;
		if (key[0] == 0) {
			set_err(err, errlen, "%s version with private key data (prefix 00)",
			        wallet_bip32_info_name(&inf));
			goto out;
		}
		if (key[0] != 2 && key[0] != 3) {
			set_err(err, errlen, "invalid public key prefix %02x (want 02 or 03)", key[0]);
			goto out;
		}
		if (!secp256k1_ec_pubkey_parse(wallet_secp(), &point, key, 33)) {
			set_err(err, errlen, "public key is not a point on the curve");
			goto out;
		}
		memcpy(k.key, key, 33);
	}
	rc = KB_OK;
out:
	if (rc == KB_OK) {
		*pub = k;
		if (info)
			*info = inf;
		if (priv)
			*priv = pk;
	} else {
		wallet_bip32_priv_free(pk);
	}
	kb_wipe(&k, sizeof k);
	return rc;
}

enum kb_rc wallet_bip32_parse(struct wallet_bip32_pub *pub, struct wallet_bip32_priv **priv,
                              struct wallet_bip32_info *info, const char *s,
                              char *err, size_t errlen)
{
	/* 78 bytes + checksum; room to tell "too long" from "wrong length" */
	enum { CAP = 128, TEXT_MAX = 200 };
	size_t n = 0, slen = strnlen(s, TEXT_MAX + 1);
	enum kb_rc rc;

	memset(pub, 0, sizeof *pub);
	if (priv)
		*priv = NULL;
	if (info)
		memset(info, 0, sizeof *info);
	if (slen > TEXT_MAX) {
		set_err(err, errlen, "too long for an extended key");
		return KB_EPARSE;
	}
	uint8_t *raw = kb_secret_alloc(CAP);
	rc = wallet_base58check_decode(raw, CAP, &n, s, slen);
	if (rc == KB_ECHECKSUM) {
		set_err(err, errlen, "bad checksum (a character is wrong)");
	} else if (rc != KB_OK) {
		set_err(err, errlen, "not Base58Check text");
		rc = KB_EPARSE;
	} else {
		rc = wallet_bip32_parse_raw(pub, priv, info, raw, n, err, errlen);
	}
	kb_secret_free(raw);
	return rc;
}

/* ---- taproot ---- */

enum kb_rc wallet_bip32_taproot_output_key(uint8_t out[32], int *parity, const uint8_t internal[32],
                                           const uint8_t *merkle_root)
{
	secp256k1_xonly_pubkey p, q;
	secp256k1_pubkey full;
	uint8_t msg[64], t[32];
	int par = 0;

	memset(out, 0, 32);
	if (parity)
		*parity = 0;
	if (!secp256k1_xonly_pubkey_parse(wallet_secp(), &p, internal))
		return KB_EPARSE;
	memcpy(msg, internal, 32);
	if (merkle_root)
		memcpy(msg + 32, merkle_root, 32);
	wallet_hash_tagged(t, "TapTweak", msg, merkle_root ? 64 : 32);
	if (!secp256k1_xonly_pubkey_tweak_add(wallet_secp(), &full, &p, t) ||
	    !secp256k1_xonly_pubkey_from_pubkey(wallet_secp(), &q, &par, &full))
		return KB_ECRYPTO;
	secp256k1_xonly_pubkey_serialize(wallet_secp(), out, &q);
	if (parity)
		*parity = par;
	return KB_OK;
}
