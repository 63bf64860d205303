/*
 * Output script descriptors: koban's strict subset of BIP380-386 and
 * BIP389. See descriptor.h for the grammar, the canonical text and the
 * rules about secrets.
 *
 * Parsing works on offsets into the caller's text: a script expression
 * NAME(ARGS) is matched to its closing parenthesis first, then ARGS is
 * parsed as a script (inside sh) or a key expression. Messages name
 * offsets, never key text.
 */
#include "wallet/descriptor.h"

#include "wallet/address.h"
#include "wallet/bip32.h"
#include "wallet/hash.h"
#include "wallet/hex.h"
#include "wallet/mem.h"
#include "wallet/script.h"
#include "wallet/secp.h"
#include "wallet/wif.h"

#include <secp256k1_extrakeys.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- checksum */

/* BIP380: the position of a character in this string feeds the checksum. */
static const char INPUT_CHARSET[] =
	"0123456789()[],'/*abcdefgh@:$%{}"
	"IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~"
	"ijklmnopqrstuvwxyzABCDEFGH`#\"\\ ";
static const char CHECKSUM_CHARSET[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint64_t polymod(uint64_t c, unsigned val)
{
	uint64_t c0 = c >> 35;
	c = ((c & 0x7ffffffffULL) << 5) ^ val;
	if (c0 & 1)
		c ^= 0xf5dee51989ULL;
	if (c0 & 2)
		c ^= 0xa9fdca3312ULL;
	if (c0 & 4)
		c ^= 0x1bab10e32dULL;
	if (c0 & 8)
		c ^= 0x3706b1677aULL;
	if (c0 & 16)
		c ^= 0x644d626ffdULL;
	return c;
}

/* Index of ch in INPUT_CHARSET, or -1 ('\0' is not in it). */
static int charset_pos(char ch)
{
	const char *p = memchr(INPUT_CHARSET, ch, sizeof INPUT_CHARSET - 1);
	return p ? (int)(p - INPUT_CHARSET) : -1;
}

/* The checksum of s[0..len); returns the offset of a bad character or len. */
static size_t checksum_compute(char out[9], const char *s, size_t len)
{
	uint64_t c = 1;
	unsigned cls = 0, clscount = 0;
	out[0] = '\0';
	for (size_t i = 0; i < len; i++) {
		int pos = charset_pos(s[i]);
		if (pos < 0)
			return i;
		c = polymod(c, (unsigned)pos & 31);
		cls = cls * 3 + ((unsigned)pos >> 5);
		if (++clscount == 3) {
			c = polymod(c, cls);
			cls = 0;
			clscount = 0;
		}
	}
	if (clscount > 0)
		c = polymod(c, cls);
	for (int j = 0; j < 8; j++)
		c = polymod(c, 0);
	c ^= 1;
	for (int j = 0; j < 8; j++)
		out[j] = CHECKSUM_CHARSET[(c >> (5 * (7 - j))) & 31];
	out[8] = '\0';
	return len;
}

enum kb_rc wallet_descriptor_checksum(char out[WALLET_DESCRIPTOR_CHECKSUM_LEN + 1],
                                      const char *s, size_t len)
{
	out[0] = '\0';
	if (len > WALLET_DESCRIPTOR_MAX_LEN)
		return KB_ELIMIT;
	if (checksum_compute(out, s, len) != len) {
		out[0] = '\0';
		return KB_EPARSE;
	}
	return KB_OK;
}

/* ---------------------------------------------------------------- objects */

enum key_kind { KEY_HEX, KEY_WIF, KEY_EXT };
enum wildcard { WILD_NONE, WILD_UNHARDENED, WILD_HARDENED };

struct dkey {
	enum key_kind kind;
	bool has_origin;
	uint8_t fpr[4];
	size_t norigin;
	uint32_t origin[WALLET_DESCRIPTOR_MAX_STEPS];
	/* KEY_HEX, KEY_WIF: the public key (33, 65, or 32 bytes x-only) */
	uint8_t pub[65];
	size_t publen;
	/* KEY_EXT */
	struct wallet_bip32_pub xpub;   /* the key as written (public half of an xprv) */
	size_t nsteps;
	uint32_t steps[WALLET_DESCRIPTOR_MAX_STEPS]; /* the multipath slot holds multi[0] */
	bool has_multi;
	size_t multi_pos;
	size_t nmulti;
	uint32_t multi[WALLET_DESCRIPTOR_MAX_PATHS];
	enum wildcard wild;
};

struct wallet_descriptor {
	enum kb_net net;
	enum wallet_descriptor_type type;
	bool apostrophe;                 /* write hardened steps with ' rather than h */
	struct dkey key;                 /* key types only */
	uint8_t *wif_key;                /* owned, secret memory (32 bytes); WIF only */
	bool wif_compressed;
	struct wallet_bip32_priv *xprv;  /* owned, secret memory; xprv only */
	uint8_t *script;                 /* owned: addr() and raw() */
	size_t script_len;
	/*
	 * Per chain, the extended key the index is derived from (the node
	 * before the wildcard) or, without a wildcard, the final key.
	 * parent_priv (owned, secret) is kept for a hardened wildcard only.
	 */
	size_t nchains;
	struct wallet_bip32_pub parent[WALLET_DESCRIPTOR_MAX_PATHS];
	struct wallet_bip32_priv *parent_priv[WALLET_DESCRIPTOR_MAX_PATHS];
};

static bool is_key_type(enum wallet_descriptor_type t)
{
	return t == WALLET_DESCRIPTOR_PKH || t == WALLET_DESCRIPTOR_SH_WPKH ||
	       t == WALLET_DESCRIPTOR_WPKH || t == WALLET_DESCRIPTOR_TR;
}

void wallet_descriptor_free(struct wallet_descriptor *d)
{
	if (!d)
		return;
	kb_secret_free(d->wif_key);
	wallet_bip32_priv_free(d->xprv);
	for (size_t i = 0; i < WALLET_DESCRIPTOR_MAX_PATHS; i++)
		wallet_bip32_priv_free(d->parent_priv[i]);
	kb_free(d->script);
	kb_wipe(d, sizeof *d);
	kb_free(d);
}

static struct wallet_descriptor *desc_new(enum kb_net net)
{
	struct wallet_descriptor *d = kb_calloc(1, sizeof *d);
	d->net = net;
	d->nchains = 1;
	return d;
}

/* ---------------------------------------------------------------- parser */

enum ctx { CTX_TOP, CTX_SH };
enum keyctx { KCTX_PKH, KCTX_WPKH, KCTX_TR };

struct pctx {
	const char *t;      /* borrowed: the whole input */
	enum kb_net net;
	char *err;          /* borrowed, optional */
	size_t errlen;
	bool have_err;
	bool apostrophe;
	struct wallet_descriptor *d;
};

static enum kb_rc fail(struct pctx *p, enum kb_rc rc, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static enum kb_rc fail(struct pctx *p, enum kb_rc rc, size_t off, const char *fmt, ...)
{
	if (p->have_err || !p->err || p->errlen == 0)
		return rc;
	p->have_err = true;
	int n = snprintf(p->err, p->errlen, "offset %zu: ", off);
	if (n < 0 || (size_t)n >= p->errlen)
		return rc;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return rc;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_ident(char c) { return (c >= 'a' && c <= 'z') || is_digit(c) || c == '_'; }
static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* First index in [b, e) holding ch, or e. */
static size_t find(const char *t, size_t b, size_t e, char ch)
{
	for (size_t i = b; i < e; i++)
		if (t[i] == ch)
			return i;
	return e;
}

/*
 * One derivation step t[b..e): NUM with an optional h or '. Sets *v
 * (hardened bit included).
 */
static enum kb_rc parse_step(struct pctx *p, size_t b, size_t e, uint32_t *v)
{
	const char *t = p->t;
	*v = 0;
	if (b == e)
		return fail(p, KB_EPARSE, b, "empty derivation step");
	bool hardened = false;
	size_t ne = e;
	if (t[e - 1] == 'h' || t[e - 1] == '\'') {
		hardened = true;
		if (t[e - 1] == '\'')
			p->apostrophe = true;
		ne = e - 1;
	} else if (t[e - 1] == 'H') {
		return fail(p, KB_EPARSE, e - 1, "hardened steps are written with h or ', not H");
	}
	if (ne == b)
		return fail(p, KB_EPARSE, b, "derivation step without a number");
	uint64_t n = 0;
	for (size_t i = b; i < ne; i++) {
		if (!is_digit(t[i]))
			return fail(p, KB_EPARSE, i, "derivation step is not a decimal number");
		if (i - b >= 10)
			return fail(p, KB_ELIMIT, b, "derivation index over 2147483647");
		n = n * 10 + (uint64_t)(t[i] - '0');
	}
	if (ne - b > 1 && t[b] == '0')
		return fail(p, KB_EPARSE, b, "derivation step with a leading zero");
	if (n >= WALLET_DESCRIPTOR_HARDENED)
		return fail(p, KB_ELIMIT, b, "derivation index over 2147483647");
	*v = (uint32_t)n | (hardened ? WALLET_DESCRIPTOR_HARDENED : 0);
	return KB_OK;
}

/* The origin inside [ and ]: t[b..e). */
static enum kb_rc parse_origin(struct pctx *p, struct dkey *k, size_t b, size_t e)
{
	const char *t = p->t;
	size_t slash = find(t, b, e, '/');
	if (slash - b != 8)
		return fail(p, KB_EPARSE, b, "key origin fingerprint must be 8 hex digits");
	for (size_t i = b; i < slash; i++)
		if (!is_hex(t[i]))
			return fail(p, KB_EPARSE, i, "key origin fingerprint is not hex");
	char fh[9];
	memcpy(fh, t + b, 8);
	fh[8] = '\0';
	if (!wallet_hex_decode_exact(k->fpr, 4, fh))
		return fail(p, KB_EPARSE, b, "key origin fingerprint is not hex");
	k->has_origin = true;
	size_t i = slash;
	while (i < e) {
		size_t sb = i + 1, se = find(t, sb, e, '/');
		if (k->norigin == WALLET_DESCRIPTOR_MAX_STEPS)
			return fail(p, KB_ELIMIT, sb, "key origin has more than %d steps",
			            WALLET_DESCRIPTOR_MAX_STEPS);
		if (find(t, sb, se, '<') < se || find(t, sb, se, ';') < se || find(t, sb, se, '>') < se)
			return fail(p, KB_EPARSE, sb, "a multipath step cannot be in a key origin");
		if (find(t, sb, se, '*') < se)
			return fail(p, KB_EPARSE, sb, "a wildcard cannot be in a key origin");
		enum kb_rc rc = parse_step(p, sb, se, &k->origin[k->norigin]);
		if (rc != KB_OK)
			return rc;
		k->norigin++;
		i = se;
	}
	return KB_OK;
}

/* A BIP389 multipath step: t[b..e) is "<...>". */
static enum kb_rc parse_multi(struct pctx *p, struct dkey *k, size_t b, size_t e)
{
	const char *t = p->t;
	if (t[e - 1] != '>')
		return fail(p, KB_EPARSE, b, "multipath step without a closing '>'");
	size_t ib = b + 1, ie = e - 1;
	if (ib == ie)
		return fail(p, KB_EPARSE, b, "empty multipath step");
	size_t i = ib;
	for (;;) {
		size_t se = find(t, i, ie, ';');
		if (k->nmulti == WALLET_DESCRIPTOR_MAX_PATHS)
			return fail(p, KB_ELIMIT, i, "multipath step with more than %d alternatives",
			            WALLET_DESCRIPTOR_MAX_PATHS);
		if (find(t, i, se, '<') < se || find(t, i, se, '>') < se)
			return fail(p, KB_EPARSE, i, "nested or unbalanced '<' '>' in a multipath step");
		if (find(t, i, se, '*') < se)
			return fail(p, KB_EPARSE, i, "a wildcard cannot be inside a multipath step");
		uint32_t v;
		enum kb_rc rc = parse_step(p, i, se, &v);
		if (rc != KB_OK)
			return rc;
		for (size_t j = 0; j < k->nmulti; j++)
			if (k->multi[j] == v)
				return fail(p, KB_EPARSE, i, "multipath step repeats a value");
		k->multi[k->nmulti++] = v;
		if (se == ie)
			break;
		i = se + 1;
	}
	if (k->nmulti < 2)
		return fail(p, KB_EPARSE, b, "multipath step needs at least two alternatives");
	return KB_OK;
}

/* The steps after an extended key: t[b..e) starts with '/' (or is empty). */
static enum kb_rc parse_key_path(struct pctx *p, struct dkey *k, size_t b, size_t e)
{
	const char *t = p->t;
	size_t i = b;
	while (i < e) {
		size_t sb = i + 1, se = find(t, sb, e, '/');
		if (k->wild != WILD_NONE)
			return fail(p, KB_EPARSE, i, "the wildcard must be the last step");
		if (sb < se && t[sb] == '*') {
			if (se - sb == 1)
				k->wild = WILD_UNHARDENED;
			else if (se - sb == 2 && (t[sb + 1] == 'h' || t[sb + 1] == '\'')) {
				k->wild = WILD_HARDENED;
				if (t[sb + 1] == '\'')
					p->apostrophe = true;
			} else if (se - sb == 2 && t[sb + 1] == 'H')
				return fail(p, KB_EPARSE, sb + 1, "hardened steps are written with h or ', not H");
			else
				return fail(p, KB_EPARSE, sb, "bad wildcard step");
			i = se;
			continue;
		}
		if (k->nsteps == WALLET_DESCRIPTOR_MAX_STEPS)
			return fail(p, KB_ELIMIT, sb, "more than %d derivation steps after the key",
			            WALLET_DESCRIPTOR_MAX_STEPS);
		if (sb < se && t[sb] == '<') {
			if (k->has_multi)
				return fail(p, KB_EPARSE, sb, "more than one multipath step in a key");
			enum kb_rc rc = parse_multi(p, k, sb, se);
			if (rc != KB_OK)
				return rc;
			k->has_multi = true;
			k->multi_pos = k->nsteps;
			k->steps[k->nsteps++] = k->multi[0];
		} else {
			if (find(t, sb, se, '>') < se || find(t, sb, se, ';') < se)
				return fail(p, KB_EPARSE, sb, "multipath step without an opening '<'");
			enum kb_rc rc = parse_step(p, sb, se, &k->steps[k->nsteps]);
			if (rc != KB_OK)
				return rc;
			k->nsteps++;
		}
		i = se;
	}
	return KB_OK;
}

/* Copies t[b..e) into secret memory as a C string (keys may be private). */
static char *secret_cstr(const char *t, size_t b, size_t e)
{
	char *s = kb_secret_alloc(e - b + 1);
	memcpy(s, t + b, e - b);
	s[e - b] = '\0';
	return s;
}

static bool pub_serialize(uint8_t *out, size_t *outlen, const secp256k1_pubkey *pk, bool compressed)
{
	*outlen = compressed ? 33 : 65;
	return secp256k1_ec_pubkey_serialize(wallet_secp(), out, outlen, pk,
	                                     compressed ? SECP256K1_EC_COMPRESSED
	                                                : SECP256K1_EC_UNCOMPRESSED) == 1;
}

static const char *keyctx_name(enum keyctx kc)
{
	switch (kc) {
	case KCTX_PKH: return "pkh()";
	case KCTX_WPKH: return "wpkh()";
	case KCTX_TR: return "tr()";
	}
	return "?";
}

/* A hex public key t[b..e). */
static enum kb_rc parse_hex_key(struct pctx *p, struct dkey *k, enum keyctx kc, size_t b, size_t e)
{
	const char *t = p->t;
	size_t n = e - b;
	uint8_t raw[65];
	char hx[131];
	memcpy(hx, t + b, n);
	hx[n] = '\0';
	if (!wallet_hex_decode_exact(raw, n / 2, hx))
		return fail(p, KB_EPARSE, b, "bad hex public key");
	k->kind = KEY_HEX;
	if (n == 64) {
		if (kc != KCTX_TR)
			return fail(p, KB_EINVAL, b, "x-only (32-byte) public keys are only allowed in tr()");
		secp256k1_xonly_pubkey xo;
		if (!secp256k1_xonly_pubkey_parse(wallet_secp(), &xo, raw))
			return fail(p, KB_EINVAL, b, "x-only public key is not a point on the curve");
		memcpy(k->pub, raw, 32);
		k->publen = 32;
		return KB_OK;
	}
	if (n == 130 && raw[0] != 0x04)
		return fail(p, KB_EINVAL, b, "65-byte public key must start with 04");
	if (n == 66 && raw[0] != 0x02 && raw[0] != 0x03)
		return fail(p, KB_EINVAL, b, "33-byte public key must start with 02 or 03");
	if (n == 130 && kc != KCTX_PKH)
		return fail(p, KB_EINVAL, b, "uncompressed public key in %s", keyctx_name(kc));
	secp256k1_pubkey pk;
	if (!secp256k1_ec_pubkey_parse(wallet_secp(), &pk, raw, n / 2))
		return fail(p, KB_EINVAL, b, "public key is not a point on the curve");
	memcpy(k->pub, raw, n / 2);
	k->publen = n / 2;
	return KB_OK;
}

/* A WIF private key t[b..e). */
static enum kb_rc parse_wif(struct pctx *p, struct dkey *k, enum keyctx kc, size_t b, size_t e)
{
	char msg[160];
	char *s = secret_cstr(p->t, b, e);
	uint8_t *key = kb_secret_alloc(32);
	bool compressed = false;
	enum kb_rc rc = wallet_wif_decode(key, &compressed, p->net, s, msg, sizeof msg);
	kb_secret_free(s);
	if (rc != KB_OK) {
		kb_secret_free(key);
		return fail(p, rc, b, "%s", msg);
	}
	if (!compressed && kc != KCTX_PKH) {
		kb_secret_free(key);
		return fail(p, KB_EINVAL, b, "uncompressed private key in %s", keyctx_name(kc));
	}
	secp256k1_pubkey pk;
	size_t len;
	if (!secp256k1_ec_pubkey_create(wallet_secp(), &pk, key) ||
	    !pub_serialize(k->pub, &len, &pk, compressed)) {
		kb_secret_free(key);
		return fail(p, KB_EINVAL, b, "invalid private key");
	}
	k->kind = KEY_WIF;
	if (kc == KCTX_TR) {
		/* BIP386: a key in tr() is its x-only form */
		memmove(k->pub, k->pub + 1, 32);
		k->publen = 32;
	} else {
		k->publen = len;
	}
	p->d->wif_key = key;
	p->d->wif_compressed = compressed;
	return KB_OK;
}

/* An xpub/xprv t[b..e). */
static enum kb_rc parse_ext(struct pctx *p, struct dkey *k, size_t b, size_t e)
{
	char msg[160];
	if (e - b >= WALLET_BIP32_STR_MAX)
		return fail(p, KB_EPARSE, b, "key is too long to be an extended key");
	char *s = secret_cstr(p->t, b, e);
	struct wallet_bip32_info info;
	struct wallet_bip32_priv *priv = NULL;
	enum kb_rc rc = wallet_bip32_parse(&k->xpub, &priv, &info, s, msg, sizeof msg);
	kb_secret_free(s);
	if (rc != KB_OK)
		return fail(p, rc, b, "bad extended key: %s", msg);
	if (info.script != WALLET_BIP32_SCRIPT_NONE) {
		wallet_bip32_priv_free(priv);
		return fail(p, KB_EINVAL, b, "%s keys are not valid in a descriptor (BIP380): "
		            "use the xpub/tpub form", wallet_bip32_info_name(&info));
	}
	if (!wallet_bip32_info_matches(&info, p->net)) {
		wallet_bip32_priv_free(priv);
		return fail(p, KB_ENETWORK, b, "%s is a key for %s, not %s",
		            wallet_bip32_info_name(&info), info.is_test ? "a test network" : "mainnet",
		            kb_net_params(p->net)->display);
	}
	k->kind = KEY_EXT;
	p->d->xprv = priv;
	return KB_OK;
}

/* A key expression t[b..e) in the context of kc. */
static enum kb_rc parse_key(struct pctx *p, enum keyctx kc, size_t b, size_t e)
{
	const char *t = p->t;
	struct dkey *k = &p->d->key;
	if (b == e)
		return fail(p, KB_EPARSE, b, "missing key in %s", keyctx_name(kc));
	for (size_t i = b; i < e; i++) {
		if (t[i] == '(' || t[i] == ')' || t[i] == '{' || t[i] == '}')
			return fail(p, KB_EPARSE, i, "%s takes a key expression, not a script",
			            keyctx_name(kc));
		if (t[i] == ',')
			return fail(p, KB_EPARSE, i, "%s takes exactly one key", keyctx_name(kc));
	}
	size_t kb = b;
	if (t[b] == '[') {
		size_t close = find(t, b, e, ']');
		if (close == e)
			return fail(p, KB_EPARSE, b, "key origin without a closing ']'");
		enum kb_rc rc = parse_origin(p, k, b + 1, close);
		if (rc != KB_OK)
			return rc;
		kb = close + 1;
	}
	if (find(t, kb, e, '[') < e)
		return fail(p, KB_EPARSE, find(t, kb, e, '['), "more than one key origin");
	if (find(t, kb, e, ']') < e)
		return fail(p, KB_EPARSE, find(t, kb, e, ']'), "']' without a key origin '['");
	if (kb == e)
		return fail(p, KB_EPARSE, kb, "key origin with no key after it");
	size_t slash = find(t, kb, e, '/');
	if (slash == kb)
		return fail(p, KB_EPARSE, kb, "missing key before '/'");
	size_t n = slash - kb;
	bool hex = true;
	for (size_t i = kb; i < slash; i++)
		hex = hex && is_hex(t[i]);
	enum kb_rc rc;
	if (hex && (n == 64 || n == 66 || n == 130))
		rc = parse_hex_key(p, k, kc, kb, slash);
	else if (n <= WALLET_WIF_MAX - 1)
		rc = parse_wif(p, k, kc, kb, slash);
	else
		rc = parse_ext(p, k, kb, slash);
	if (rc != KB_OK)
		return rc;
	if (k->kind != KEY_EXT) {
		if (slash < e)
			return fail(p, KB_EPARSE, slash, "derivation steps after a key that is not "
			            "an xpub/xprv");
		return KB_OK;
	}
	rc = parse_key_path(p, k, slash, e);
	if (rc != KB_OK)
		return rc;
	if (!p->d->xprv) {
		for (size_t i = 0; i < k->nsteps; i++)
			if (k->steps[i] & WALLET_DESCRIPTOR_HARDENED)
				return fail(p, KB_EINVAL, kb, "hardened derivation after an xpub "
				            "needs the private key");
		for (size_t i = 0; i < k->nmulti; i++)
			if (k->multi[i] & WALLET_DESCRIPTOR_HARDENED)
				return fail(p, KB_EINVAL, kb, "hardened derivation after an xpub "
				            "needs the private key");
		if (k->wild == WILD_HARDENED)
			return fail(p, KB_EINVAL, kb, "a hardened wildcard after an xpub "
			            "needs the private key");
	}
	return KB_OK;
}

static const char *const UNSUPPORTED[] = {
	"pk", "wsh", "multi", "sortedmulti", "multi_a", "sortedmulti_a", "combo",
	"rawtr", "musig",
};

static bool name_is(const char *t, size_t b, size_t e, const char *name)
{
	size_t n = strlen(name);
	return e - b == n && memcmp(t + b, name, n) == 0;
}

static bool name_unsupported(const char *t, size_t b, size_t e)
{
	for (size_t i = 0; i < sizeof UNSUPPORTED / sizeof UNSUPPORTED[0]; i++)
		if (name_is(t, b, e, UNSUPPORTED[i]))
			return true;
	return false;
}

/* The index of the parenthesis closing the one at t[open], or e. */
static size_t match_paren(const char *t, size_t open, size_t e)
{
	size_t depth = 0;
	for (size_t i = open; i < e; i++) {
		if (t[i] == '(')
			depth++;
		else if (t[i] == ')' && --depth == 0)
			return i;
	}
	return e;
}

static enum kb_rc parse_addr(struct pctx *p, size_t b, size_t e)
{
	char msg[160];
	char a[WALLET_ADDRESS_MAX];
	if (e - b >= sizeof a || e == b)
		return fail(p, KB_EPARSE, b, "addr() does not hold an address");
	memcpy(a, p->t + b, e - b);
	a[e - b] = '\0';
	uint8_t spk[WALLET_SPK_MAX];
	size_t len;
	enum kb_rc rc = wallet_address_decode(spk, sizeof spk, &len, p->net, a, msg, sizeof msg);
	if (rc != KB_OK)
		return fail(p, rc, b, "addr(): %s", msg);
	p->d->script = kb_malloc(len);
	memcpy(p->d->script, spk, len);
	p->d->script_len = len;
	return KB_OK;
}

static enum kb_rc parse_raw(struct pctx *p, size_t b, size_t e)
{
	size_t n = e - b;
	if (n == 0)
		return fail(p, KB_EPARSE, b, "raw() needs a script in hex");
	if (n % 2)
		return fail(p, KB_EPARSE, b, "raw() hex has an odd number of digits");
	if (n / 2 > WALLET_DESCRIPTOR_SPK_MAX)
		return fail(p, KB_ELIMIT, b, "raw() script over %d bytes", WALLET_DESCRIPTOR_SPK_MAX);
	uint8_t *s = kb_malloc(n / 2);
	size_t w;
	if (wallet_hex_decode(s, n / 2, &w, p->t + b, n) != KB_OK) {
		kb_free(s);
		return fail(p, KB_EPARSE, b, "raw() takes hex");
	}
	p->d->script = s;
	p->d->script_len = w;
	return KB_OK;
}

/* A script expression t[b..e) in ctx. */
static enum kb_rc parse_script(struct pctx *p, enum ctx ctx, size_t b, size_t e)
{
	const char *t = p->t;
	size_t i = b;
	while (i < e && is_ident(t[i]))
		i++;
	if (i == e || t[i] != '(' || i == b) {
		if (ctx == CTX_SH)
			return fail(p, KB_EPARSE, b, "sh() takes a script expression, not a key");
		return fail(p, KB_EPARSE, b, "expected a script expression such as wpkh(...)");
	}
	size_t close = match_paren(t, i, e);
	if (close == e)
		return fail(p, KB_EPARSE, i, "unbalanced parentheses: no ')' closes this '('");
	if (close != e - 1)
		return fail(p, KB_EPARSE, close + 1, "unexpected text after ')'");
	size_t ab = i + 1, ae = close;
	if (ctx == CTX_SH) {
		if (name_is(t, b, i, "wpkh")) {
			p->d->type = WALLET_DESCRIPTOR_SH_WPKH;
			return parse_key(p, KCTX_WPKH, ab, ae);
		}
		if (name_is(t, b, i, "pkh") || name_is(t, b, i, "pk") || name_is(t, b, i, "wsh") ||
		    name_is(t, b, i, "multi") || name_is(t, b, i, "sortedmulti"))
			return fail(p, KB_EUNSUPPORTED, b, "sh(%.*s()) is not supported by koban "
			            "(only sh(wpkh()))", (int)(i - b), t + b);
		if (name_is(t, b, i, "sh") || name_is(t, b, i, "tr") || name_is(t, b, i, "addr") ||
		    name_is(t, b, i, "raw") || name_is(t, b, i, "combo") || name_unsupported(t, b, i))
			return fail(p, KB_EPARSE, b, "%.*s() cannot be inside sh()", (int)(i - b), t + b);
		return fail(p, KB_EPARSE, b, "unknown script expression");
	}
	if (name_is(t, b, i, "pkh")) {
		p->d->type = WALLET_DESCRIPTOR_PKH;
		return parse_key(p, KCTX_PKH, ab, ae);
	}
	if (name_is(t, b, i, "wpkh")) {
		p->d->type = WALLET_DESCRIPTOR_WPKH;
		return parse_key(p, KCTX_WPKH, ab, ae);
	}
	if (name_is(t, b, i, "sh"))
		return parse_script(p, CTX_SH, ab, ae);
	if (name_is(t, b, i, "tr")) {
		p->d->type = WALLET_DESCRIPTOR_TR;
		/* a script tree follows the first top-level comma */
		size_t comma = find(t, ab, ae, ',');
		enum kb_rc rc = parse_key(p, KCTX_TR, ab, comma);
		if (rc != KB_OK)
			return rc;
		if (comma < ae)
			return fail(p, KB_EUNSUPPORTED, comma, "tr() with a script tree is not "
			            "supported by koban (key path only)");
		return KB_OK;
	}
	if (name_is(t, b, i, "addr")) {
		p->d->type = WALLET_DESCRIPTOR_ADDR;
		return parse_addr(p, ab, ae);
	}
	if (name_is(t, b, i, "raw")) {
		p->d->type = WALLET_DESCRIPTOR_RAW;
		return parse_raw(p, ab, ae);
	}
	if (name_unsupported(t, b, i))
		return fail(p, KB_EUNSUPPORTED, b, "%.*s() is not supported by koban",
		            (int)(i - b), t + b);
	return fail(p, KB_EPARSE, b, "unknown script expression");
}

/* ---------------------------------------------------------------- derivation */

/* The steps of chain c (the multipath slot filled in) as a bip32 path. */
static void chain_path(struct wallet_bip32_path *out, const struct dkey *k, size_t c, size_t upto)
{
	out->len = 0;
	for (size_t i = 0; i < upto; i++)
		out->index[out->len++] = (k->has_multi && i == k->multi_pos) ? k->multi[c] : k->steps[i];
}

static bool path_hardened(const struct wallet_bip32_path *p)
{
	for (size_t i = 0; i < p->len; i++)
		if (p->index[i] & WALLET_DESCRIPTOR_HARDENED)
			return true;
	return false;
}

/* Fills d->parent[] (and parent_priv[] for a hardened wildcard). */
static enum kb_rc prepare_chains(struct wallet_descriptor *d)
{
	struct dkey *k = &d->key;
	d->nchains = k->kind == KEY_EXT && k->has_multi ? k->nmulti : 1;
	if (!is_key_type(d->type) || k->kind != KEY_EXT)
		return KB_OK;
	for (size_t c = 0; c < d->nchains; c++) {
		struct wallet_bip32_path path;
		chain_path(&path, k, c, k->nsteps);
		enum kb_rc rc;
		if (d->xprv && (path_hardened(&path) || k->wild == WILD_HARDENED)) {
			struct wallet_bip32_priv *node = NULL;
			rc = wallet_bip32_priv_derive(&node, d->xprv, &path);
			if (rc != KB_OK)
				return rc;
			wallet_bip32_priv_to_pub(&d->parent[c], node);
			if (k->wild == WILD_HARDENED)
				d->parent_priv[c] = node;
			else
				wallet_bip32_priv_free(node);
		} else {
			rc = wallet_bip32_pub_derive(&d->parent[c], &k->xpub, &path);
			if (rc != KB_OK)
				return rc;
		}
	}
	return KB_OK;
}

enum kb_rc wallet_descriptor_parse(struct wallet_descriptor **out, enum kb_net net,
                                   const char *text, size_t len, char *err, size_t errlen)
{
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	struct pctx p = { .t = text, .net = net, .err = err, .errlen = errlen };
	if (len > WALLET_DESCRIPTOR_MAX_LEN)
		return fail(&p, KB_ELIMIT, WALLET_DESCRIPTOR_MAX_LEN,
		            "descriptor longer than %d characters", WALLET_DESCRIPTOR_MAX_LEN);
	size_t hash = find(text, 0, len, '#');
	size_t plen = hash;
	char sum[9];
	size_t bad = checksum_compute(sum, text, plen);
	if (bad != plen)
		return fail(&p, KB_EPARSE, bad, "character not allowed in a descriptor");
	if (hash < len) {
		size_t n = len - hash - 1;
		if (find(text, hash + 1, len, '#') < len)
			return fail(&p, KB_EPARSE, find(text, hash + 1, len, '#'), "more than one '#'");
		if (n == 0)
			return fail(&p, KB_EPARSE, hash, "missing checksum after '#'");
		if (n != WALLET_DESCRIPTOR_CHECKSUM_LEN)
			return fail(&p, KB_EPARSE, hash + 1, "checksum must be 8 characters, not %zu", n);
		for (size_t i = hash + 1; i < len; i++)
			if (!memchr(CHECKSUM_CHARSET, text[i], sizeof CHECKSUM_CHARSET - 1))
				return fail(&p, KB_ECHECKSUM, i, "checksum mismatch: expected #%s", sum);
		if (memcmp(text + hash + 1, sum, 8) != 0)
			return fail(&p, KB_ECHECKSUM, hash + 1, "checksum mismatch: expected #%s", sum);
	}
	if (plen == 0)
		return fail(&p, KB_EPARSE, 0, "empty descriptor");
	struct wallet_descriptor *d = desc_new(net);
	p.d = d;
	enum kb_rc rc = parse_script(&p, CTX_TOP, 0, plen);
	if (rc == KB_OK) {
		d->apostrophe = p.apostrophe;
		rc = prepare_chains(d);
		if (rc != KB_OK)
			rc = fail(&p, rc, 0, "the key cannot be derived: %s", kb_rc_str(rc));
	}
	if (rc != KB_OK) {
		wallet_descriptor_free(d);
		return rc;
	}
	*out = d;
	return KB_OK;
}

/* ---------------------------------------------------------------- queries */

enum wallet_descriptor_type wallet_descriptor_type(const struct wallet_descriptor *d)
{
	return d->type;
}

enum kb_net wallet_descriptor_net(const struct wallet_descriptor *d)
{
	return d->net;
}

const char *wallet_descriptor_type_name(enum wallet_descriptor_type t)
{
	switch (t) {
	case WALLET_DESCRIPTOR_PKH: return "pkh";
	case WALLET_DESCRIPTOR_SH_WPKH: return "sh(wpkh)";
	case WALLET_DESCRIPTOR_WPKH: return "wpkh";
	case WALLET_DESCRIPTOR_TR: return "tr";
	case WALLET_DESCRIPTOR_ADDR: return "addr";
	case WALLET_DESCRIPTOR_RAW: return "raw";
	}
	return "unknown";
}

const char *wallet_descriptor_type_describe(enum wallet_descriptor_type t)
{
	switch (t) {
	case WALLET_DESCRIPTOR_PKH: return "P2PKH (legacy, BIP44)";
	case WALLET_DESCRIPTOR_SH_WPKH: return "P2SH-P2WPKH (nested segwit, BIP49)";
	case WALLET_DESCRIPTOR_WPKH: return "P2WPKH (native segwit, BIP84)";
	case WALLET_DESCRIPTOR_TR: return "P2TR (taproot key path, BIP86)";
	case WALLET_DESCRIPTOR_ADDR: return "a single address";
	case WALLET_DESCRIPTOR_RAW: return "a raw script";
	}
	return "unknown";
}

bool wallet_descriptor_is_ranged(const struct wallet_descriptor *d)
{
	return is_key_type(d->type) && d->key.kind == KEY_EXT && d->key.wild != WILD_NONE;
}

bool wallet_descriptor_has_private(const struct wallet_descriptor *d)
{
	return d->xprv != NULL || d->wif_key != NULL;
}

size_t wallet_descriptor_chain_count(const struct wallet_descriptor *d)
{
	return d->nchains;
}

/* The public key of chain c at index; out gets 33, 65 or 32 (x-only) bytes. */
static enum kb_rc derive_pub(const struct wallet_descriptor *d, size_t c, uint32_t index,
                             uint8_t out[65], size_t *outlen, struct wallet_bip32_pub *node)
{
	const struct dkey *k = &d->key;
	*outlen = 0;
	if (!is_key_type(d->type) || c >= d->nchains)
		return KB_EINVAL;
	if (k->kind != KEY_EXT || k->wild == WILD_NONE) {
		if (index != 0)
			return KB_EINVAL;
		if (k->kind != KEY_EXT) {
			memcpy(out, k->pub, k->publen);
			*outlen = k->publen;
			return KB_OK;
		}
		*node = d->parent[c];
	} else {
		if (index >= WALLET_DESCRIPTOR_HARDENED)
			return KB_EINVAL;
		enum kb_rc rc;
		if (k->wild == WILD_HARDENED) {
			struct wallet_bip32_priv *child = NULL;
			rc = wallet_bip32_priv_child(&child, d->parent_priv[c],
			                             index | WALLET_DESCRIPTOR_HARDENED);
			if (rc != KB_OK)
				return rc;
			wallet_bip32_priv_to_pub(node, child);
			wallet_bip32_priv_free(child);
		} else {
			rc = wallet_bip32_pub_child(node, &d->parent[c], index);
			if (rc != KB_OK)
				return rc;
		}
	}
	if (d->type == WALLET_DESCRIPTOR_TR) {
		memcpy(out, node->key + 1, 32);
		*outlen = 32;
	} else {
		memcpy(out, node->key, 33);
		*outlen = 33;
	}
	return KB_OK;
}

enum kb_rc wallet_descriptor_derive_spk(const struct wallet_descriptor *d,
                                        size_t chain, uint32_t index,
                                        uint8_t *spk, size_t spkcap, size_t *len)
{
	*len = 0;
	if (!is_key_type(d->type)) {
		if (chain != 0 || index != 0)
			return KB_EINVAL;
		if (spkcap < d->script_len)
			return KB_ELIMIT;
		memcpy(spk, d->script, d->script_len);
		*len = d->script_len;
		return KB_OK;
	}
	uint8_t pub[65];
	size_t publen;
	struct wallet_bip32_pub node;
	enum kb_rc rc = derive_pub(d, chain, index, pub, &publen, &node);
	if (rc != KB_OK)
		return rc;
	uint8_t h[20], s[WALLET_SCRIPT_P2WPKH_LEN];
	size_t need = 0;
	switch (d->type) {
	case WALLET_DESCRIPTOR_PKH: need = WALLET_SCRIPT_P2PKH_LEN; break;
	case WALLET_DESCRIPTOR_SH_WPKH: need = WALLET_SCRIPT_P2SH_LEN; break;
	case WALLET_DESCRIPTOR_WPKH: need = WALLET_SCRIPT_P2WPKH_LEN; break;
	case WALLET_DESCRIPTOR_TR: need = WALLET_SCRIPT_P2TR_LEN; break;
	default: KB_ASSERT(0);
	}
	if (spkcap < need)
		return KB_ELIMIT;
	switch (d->type) {
	case WALLET_DESCRIPTOR_PKH:
		wallet_hash_hash160(h, pub, publen);
		wallet_script_p2pkh(spk, h);
		break;
	case WALLET_DESCRIPTOR_WPKH:
		wallet_hash_hash160(h, pub, publen);
		wallet_script_p2wpkh(spk, h);
		break;
	case WALLET_DESCRIPTOR_SH_WPKH:
		wallet_hash_hash160(h, pub, publen);
		wallet_script_p2wpkh(s, h);
		wallet_hash_hash160(h, s, sizeof s);
		wallet_script_p2sh(spk, h);
		break;
	case WALLET_DESCRIPTOR_TR: {
		uint8_t q[32];
		const uint8_t *internal = publen == 32 ? pub : pub + 1;
		rc = wallet_bip32_taproot_output_key(q, NULL, internal, NULL);
		if (rc != KB_OK)
			return rc;
		wallet_script_p2tr(spk, q);
		break;
	}
	default:
		KB_ASSERT(0);
	}
	*len = need;
	return KB_OK;
}

enum kb_rc wallet_descriptor_derive_address(const struct wallet_descriptor *d,
                                            size_t chain, uint32_t index,
                                            char *out, size_t outlen)
{
	if (outlen)
		out[0] = '\0';
	uint8_t spk[WALLET_DESCRIPTOR_SPK_MAX];
	size_t len;
	enum kb_rc rc = wallet_descriptor_derive_spk(d, chain, index, spk, sizeof spk, &len);
	if (rc != KB_OK)
		return rc;
	return wallet_address_encode(out, outlen, d->net, spk, len);
}

enum kb_rc wallet_descriptor_derive_key(const struct wallet_descriptor *d,
                                        size_t chain, uint32_t index,
                                        struct wallet_descriptor_keyinfo *out)
{
	memset(out, 0, sizeof *out);
	const struct dkey *k = &d->key;
	uint8_t pub[65];
	size_t publen;
	struct wallet_bip32_pub node;
	enum kb_rc rc = derive_pub(d, chain, index, pub, &publen, &node);
	if (rc != KB_OK)
		return rc;
	if (publen == 32) {
		if (k->kind == KEY_EXT) {
			memcpy(out->pubkey, node.key, 33);
		} else if (k->kind == KEY_WIF) {
			/* the full key is known: keep its real parity */
			secp256k1_pubkey pk;
			size_t l = 33;
			if (!secp256k1_ec_pubkey_create(wallet_secp(), &pk, d->wif_key) ||
			    !secp256k1_ec_pubkey_serialize(wallet_secp(), out->pubkey, &l, &pk,
			                                   SECP256K1_EC_COMPRESSED))
				return KB_ECRYPTO;
		} else {
			out->pubkey[0] = 0x02;
			memcpy(out->pubkey + 1, pub, 32);
		}
		out->compressed = true;
	} else if (publen == 33) {
		memcpy(out->pubkey, pub, 33);
		out->compressed = true;
	} else {
		/* uncompressed (pkh only): also give the compressed form */
		secp256k1_pubkey pk;
		size_t l = 33;
		if (!secp256k1_ec_pubkey_parse(wallet_secp(), &pk, pub, 65) ||
		    !secp256k1_ec_pubkey_serialize(wallet_secp(), out->pubkey, &l, &pk,
		                                   SECP256K1_EC_COMPRESSED))
			return KB_ECRYPTO;
		memcpy(out->pubkey65, pub, 65);
		out->compressed = false;
	}
	memcpy(out->xonly, out->pubkey + 1, 32);
	if (k->has_origin) {
		out->has_origin = true;
		memcpy(out->fingerprint, k->fpr, 4);
		memcpy(out->path, k->origin, k->norigin * sizeof k->origin[0]);
		out->path_len = k->norigin;
	} else if (k->kind == KEY_EXT) {
		out->has_origin = true;
		wallet_bip32_fingerprint(out->fingerprint, &k->xpub);
	}
	if (k->kind == KEY_EXT) {
		for (size_t i = 0; i < k->nsteps; i++)
			out->path[out->path_len++] =
				(k->has_multi && i == k->multi_pos) ? k->multi[chain] : k->steps[i];
		if (k->wild != WILD_NONE)
			out->path[out->path_len++] =
				index | (k->wild == WILD_HARDENED ? WALLET_DESCRIPTOR_HARDENED : 0);
	}
	return KB_OK;
}

/* ---------------------------------------------------------------- text */

/* A writer into a fixed buffer (secret memory for the private form). */
struct tw {
	char *p;      /* borrowed */
	size_t cap;
	size_t len;
	bool overflow;
};

static void tw_mem(struct tw *w, const char *s, size_t n)
{
	if (w->overflow || w->cap - w->len <= n) {
		w->overflow = true;
		return;
	}
	memcpy(w->p + w->len, s, n);
	w->len += n;
	w->p[w->len] = '\0';
}

static void tw_str(struct tw *w, const char *s)
{
	tw_mem(w, s, strlen(s));
}

static void tw_hex(struct tw *w, const uint8_t *b, size_t n)
{
	char h[3];
	for (size_t i = 0; i < n; i++) {
		wallet_hex_encode(h, sizeof h, b + i, 1);
		tw_mem(w, h, 2);
	}
}

static void tw_step(struct tw *w, uint32_t v, bool apostrophe)
{
	char s[16];
	int n = snprintf(s, sizeof s, "%u", (unsigned)(v & ~WALLET_DESCRIPTOR_HARDENED));
	tw_mem(w, s, (size_t)n);
	if (v & WALLET_DESCRIPTOR_HARDENED)
		tw_mem(w, apostrophe ? "'" : "h", 1);
}

/* Which form to write: the private one (xprv, WIF) or the public one. */
struct form {
	bool priv;
};

static void write_origin(struct tw *w, const uint8_t fpr[4], const uint32_t *steps, size_t n,
                         bool apostrophe)
{
	tw_str(w, "[");
	tw_hex(w, fpr, 4);
	for (size_t i = 0; i < n; i++) {
		tw_str(w, "/");
		tw_step(w, steps[i], apostrophe);
	}
	tw_str(w, "]");
}

/* Writes the extended key, its origin and its steps. */
static enum kb_rc write_ext(struct tw *w, const struct wallet_descriptor *d, struct form f)
{
	const struct dkey *k = &d->key;
	bool ap = d->apostrophe;
	size_t first = 0; /* steps from here on are written after the key */
	if (f.priv) {
		if (k->has_origin)
			write_origin(w, k->fpr, k->origin, k->norigin, ap);
		char *s = kb_secret_alloc(WALLET_BIP32_STR_MAX);
		enum kb_rc rc = wallet_bip32_priv_serialize(s, WALLET_BIP32_STR_MAX, d->xprv, d->net);
		if (rc == KB_OK)
			tw_str(w, s);
		kb_secret_free(s);
		if (rc != KB_OK)
			return rc;
	} else {
		/* fold hardened steps into the origin: the public form must be derivable */
		size_t last_h = 0;
		bool any_h = false;
		for (size_t i = 0; i < k->nsteps; i++) {
			bool h = (k->steps[i] & WALLET_DESCRIPTOR_HARDENED) != 0;
			if (k->has_multi && i == k->multi_pos)
				for (size_t j = 0; j < k->nmulti; j++)
					h = h || (k->multi[j] & WALLET_DESCRIPTOR_HARDENED);
			if (h) {
				last_h = i;
				any_h = true;
			}
		}
		if (k->wild == WILD_HARDENED)
			return KB_EUNSUPPORTED;
		struct wallet_bip32_pub key = k->xpub;
		if (any_h) {
			/* the folded steps must be the same for every chain */
			if (k->has_multi && k->multi_pos <= last_h)
				return KB_EUNSUPPORTED;
			KB_ASSERT(d->xprv);
			struct wallet_bip32_path path;
			chain_path(&path, k, 0, last_h + 1);
			struct wallet_bip32_priv *node = NULL;
			enum kb_rc rc = wallet_bip32_priv_derive(&node, d->xprv, &path);
			if (rc != KB_OK)
				return rc;
			wallet_bip32_priv_to_pub(&key, node);
			wallet_bip32_priv_free(node);
			uint32_t origin[2 * WALLET_DESCRIPTOR_MAX_STEPS];
			uint8_t fpr[4];
			size_t n = 0;
			if (k->has_origin) {
				memcpy(fpr, k->fpr, 4);
				memcpy(origin, k->origin, k->norigin * sizeof origin[0]);
				n = k->norigin;
			} else {
				wallet_bip32_fingerprint(fpr, &k->xpub);
			}
			for (size_t i = 0; i < path.len; i++)
				origin[n++] = path.index[i];
			write_origin(w, fpr, origin, n, ap);
			first = last_h + 1;
		} else if (k->has_origin) {
			write_origin(w, k->fpr, k->origin, k->norigin, ap);
		}
		char s[WALLET_BIP32_STR_MAX];
		enum kb_rc rc = wallet_bip32_pub_serialize(s, sizeof s, &key, d->net);
		if (rc != KB_OK)
			return rc;
		tw_str(w, s);
	}
	for (size_t i = first; i < k->nsteps; i++) {
		tw_str(w, "/");
		if (k->has_multi && i == k->multi_pos) {
			tw_str(w, "<");
			for (size_t j = 0; j < k->nmulti; j++) {
				if (j)
					tw_str(w, ";");
				tw_step(w, k->multi[j], ap);
			}
			tw_str(w, ">");
		} else {
			tw_step(w, k->steps[i], ap);
		}
	}
	if (k->wild == WILD_UNHARDENED)
		tw_str(w, "/*");
	else if (k->wild == WILD_HARDENED)
		tw_str(w, ap ? "/*'" : "/*h");
	return KB_OK;
}

static enum kb_rc write_key(struct tw *w, const struct wallet_descriptor *d, struct form f)
{
	const struct dkey *k = &d->key;
	if (k->kind == KEY_EXT)
		return write_ext(w, d, f);
	if (k->has_origin)
		write_origin(w, k->fpr, k->origin, k->norigin, d->apostrophe);
	if (k->kind == KEY_WIF && f.priv) {
		char *s = kb_secret_alloc(WALLET_WIF_MAX);
		enum kb_rc rc = wallet_wif_encode(s, WALLET_WIF_MAX, d->net, d->wif_key,
		                                  d->wif_compressed);
		if (rc == KB_OK)
			tw_str(w, s);
		kb_secret_free(s);
		return rc;
	}
	tw_hex(w, k->pub, k->publen);
	return KB_OK;
}

static enum kb_rc write_desc(struct tw *w, const struct wallet_descriptor *d, struct form f)
{
	enum kb_rc rc = KB_OK;
	switch (d->type) {
	case WALLET_DESCRIPTOR_PKH: tw_str(w, "pkh("); break;
	case WALLET_DESCRIPTOR_SH_WPKH: tw_str(w, "sh(wpkh("); break;
	case WALLET_DESCRIPTOR_WPKH: tw_str(w, "wpkh("); break;
	case WALLET_DESCRIPTOR_TR: tw_str(w, "tr("); break;
	case WALLET_DESCRIPTOR_ADDR: tw_str(w, "addr("); break;
	case WALLET_DESCRIPTOR_RAW: tw_str(w, "raw("); break;
	}
	if (is_key_type(d->type)) {
		rc = write_key(w, d, f);
	} else if (d->type == WALLET_DESCRIPTOR_ADDR) {
		char a[WALLET_ADDRESS_MAX];
		rc = wallet_address_encode(a, sizeof a, d->net, d->script, d->script_len);
		if (rc == KB_OK)
			tw_str(w, a);
	} else {
		tw_hex(w, d->script, d->script_len);
	}
	if (rc != KB_OK)
		return rc;
	tw_str(w, d->type == WALLET_DESCRIPTOR_SH_WPKH ? "))" : ")");
	if (w->overflow)
		return KB_ELIMIT;
	char sum[9];
	if (checksum_compute(sum, w->p, w->len) != w->len)
		return KB_EPARSE; /* cannot happen: we write only charset characters */
	tw_str(w, "#");
	tw_str(w, sum);
	return w->overflow ? KB_ELIMIT : KB_OK;
}

/* Room for any descriptor koban writes: it is at most as long as the input cap. */
#define TEXT_CAP (WALLET_DESCRIPTOR_MAX_LEN + 1)

enum kb_rc wallet_descriptor_serialize(const struct wallet_descriptor *d, char **out)
{
	*out = NULL;
	struct tw w = { kb_malloc(TEXT_CAP), TEXT_CAP, 0, false };
	w.p[0] = '\0';
	enum kb_rc rc = write_desc(&w, d, (struct form){ false });
	if (rc != KB_OK) {
		kb_free(w.p);
		return rc;
	}
	*out = kb_realloc(w.p, w.len + 1);
	return KB_OK;
}

enum kb_rc wallet_descriptor_serialize_private(const struct wallet_descriptor *d, char **out)
{
	*out = NULL;
	if (!wallet_descriptor_has_private(d))
		return KB_EWATCHONLY;
	struct tw w = { kb_secret_alloc(TEXT_CAP), TEXT_CAP, 0, false };
	w.p[0] = '\0';
	enum kb_rc rc = write_desc(&w, d, (struct form){ true });
	if (rc != KB_OK) {
		kb_secret_free(w.p);
		return rc;
	}
	*out = w.p;
	return KB_OK;
}

/* ---------------------------------------------------------------- copies */

static struct wallet_descriptor *desc_dup(const struct wallet_descriptor *s)
{
	struct wallet_descriptor *d = kb_malloc(sizeof *d);
	memcpy(d, s, sizeof *d);
	d->wif_key = NULL;
	d->xprv = NULL;
	d->script = NULL;
	for (size_t i = 0; i < WALLET_DESCRIPTOR_MAX_PATHS; i++)
		d->parent_priv[i] = NULL;
	if (s->wif_key) {
		d->wif_key = kb_secret_alloc(32);
		memcpy(d->wif_key, s->wif_key, 32);
	}
	if (s->xprv)
		d->xprv = wallet_bip32_priv_dup(s->xprv);
	if (s->script) {
		d->script = kb_malloc(s->script_len);
		memcpy(d->script, s->script, s->script_len);
	}
	for (size_t i = 0; i < WALLET_DESCRIPTOR_MAX_PATHS; i++)
		if (s->parent_priv[i])
			d->parent_priv[i] = wallet_bip32_priv_dup(s->parent_priv[i]);
	return d;
}

enum kb_rc wallet_descriptor_expand(struct wallet_descriptor **out,
                                    const struct wallet_descriptor *d, size_t which)
{
	*out = NULL;
	if (which >= d->nchains)
		return KB_EINVAL;
	struct wallet_descriptor *e = desc_dup(d);
	if (d->nchains > 1) {
		struct dkey *k = &e->key;
		k->steps[k->multi_pos] = k->multi[which];
		k->has_multi = false;
		k->nmulti = 0;
		memset(k->multi, 0, sizeof k->multi);
		e->parent[0] = d->parent[which];
		for (size_t i = 1; i < WALLET_DESCRIPTOR_MAX_PATHS; i++)
			memset(&e->parent[i], 0, sizeof e->parent[i]);
		if (which != 0) {
			wallet_bip32_priv_free(e->parent_priv[0]);
			e->parent_priv[0] = e->parent_priv[which];
			e->parent_priv[which] = NULL;
		}
		for (size_t i = 1; i < WALLET_DESCRIPTOR_MAX_PATHS; i++) {
			wallet_bip32_priv_free(e->parent_priv[i]);
			e->parent_priv[i] = NULL;
		}
		e->nchains = 1;
	}
	*out = e;
	return KB_OK;
}

static bool pub_equal(const struct wallet_bip32_pub *a, const struct wallet_bip32_pub *b)
{
	return a->depth == b->depth && memcmp(a->parent_fpr, b->parent_fpr, 4) == 0 &&
	       a->child == b->child && memcmp(a->chain, b->chain, 32) == 0 &&
	       memcmp(a->key, b->key, 33) == 0;
}

enum kb_rc wallet_descriptor_join(struct wallet_descriptor **out,
                                  const struct wallet_descriptor *receive,
                                  const struct wallet_descriptor *change)
{
	*out = NULL;
	const struct dkey *a = &receive->key, *b = &change->key;
	if (receive->type != change->type || receive->net != change->net ||
	    !is_key_type(receive->type) || a->kind != KEY_EXT || b->kind != KEY_EXT ||
	    a->has_multi || b->has_multi || !pub_equal(&a->xpub, &b->xpub) ||
	    a->has_origin != b->has_origin || a->norigin != b->norigin ||
	    memcmp(a->fpr, b->fpr, 4) != 0 ||
	    memcmp(a->origin, b->origin, a->norigin * sizeof a->origin[0]) != 0 ||
	    a->nsteps != b->nsteps || a->wild != b->wild ||
	    wallet_descriptor_has_private(receive) != wallet_descriptor_has_private(change))
		return KB_EINVAL;
	size_t diff = SIZE_MAX;
	for (size_t i = 0; i < a->nsteps; i++) {
		if (a->steps[i] == b->steps[i])
			continue;
		if (diff != SIZE_MAX)
			return KB_EINVAL;
		diff = i;
	}
	if (diff == SIZE_MAX)
		return KB_EINVAL;
	struct wallet_descriptor *j = desc_dup(receive);
	struct dkey *k = &j->key;
	k->has_multi = true;
	k->multi_pos = diff;
	k->nmulti = 2;
	k->multi[0] = a->steps[diff];
	k->multi[1] = b->steps[diff];
	j->nchains = 2;
	j->parent[1] = change->parent[0];
	if (change->parent_priv[0])
		j->parent_priv[1] = wallet_bip32_priv_dup(change->parent_priv[0]);
	j->apostrophe = receive->apostrophe || change->apostrophe;
	*out = j;
	return KB_OK;
}

/* ---------------------------------------------------------------- accounts */

enum kb_rc wallet_descriptor_account(struct wallet_descriptor **out, enum kb_net net,
                                     enum wallet_descriptor_type type,
                                     const uint8_t master_fpr[4], uint32_t account,
                                     const struct wallet_bip32_pub *account_pub,
                                     const struct wallet_bip32_priv *account_priv)
{
	*out = NULL;
	uint32_t purpose;
	switch (type) {
	case WALLET_DESCRIPTOR_PKH: purpose = 44; break;
	case WALLET_DESCRIPTOR_SH_WPKH: purpose = 49; break;
	case WALLET_DESCRIPTOR_WPKH: purpose = 84; break;
	case WALLET_DESCRIPTOR_TR: purpose = 86; break;
	default: return KB_EINVAL;
	}
	if ((account_pub == NULL) == (account_priv == NULL) || account >= WALLET_DESCRIPTOR_HARDENED)
		return KB_EINVAL;
	struct wallet_bip32_pub pub;
	if (account_priv)
		wallet_bip32_priv_to_pub(&pub, account_priv);
	else
		pub = *account_pub;
	if (pub.depth != 3 || pub.child != (account | WALLET_DESCRIPTOR_HARDENED))
		return KB_EINVAL;
	struct wallet_descriptor *d = desc_new(net);
	d->type = type;
	struct dkey *k = &d->key;
	k->kind = KEY_EXT;
	k->has_origin = true;
	memcpy(k->fpr, master_fpr, 4);
	k->origin[0] = purpose | WALLET_DESCRIPTOR_HARDENED;
	k->origin[1] = kb_net_params(net)->coin_type | WALLET_DESCRIPTOR_HARDENED;
	k->origin[2] = account | WALLET_DESCRIPTOR_HARDENED;
	k->norigin = 3;
	k->xpub = pub;
	k->nsteps = 1;
	k->has_multi = true;
	k->multi_pos = 0;
	k->nmulti = 2;
	k->multi[0] = 0;
	k->multi[1] = 1;
	k->steps[0] = 0;
	k->wild = WILD_UNHARDENED;
	if (account_priv)
		d->xprv = wallet_bip32_priv_dup(account_priv);
	enum kb_rc rc = prepare_chains(d);
	if (rc != KB_OK) {
		wallet_descriptor_free(d);
		return rc;
	}
	*out = d;
	return KB_OK;
}
