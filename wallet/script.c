#include "wallet/script.h"

#include <string.h>

/* A pubkey of plausible size for its first byte (Core's CPubKey::ValidSize). */
static bool pubkey_size_ok(const uint8_t *p, size_t n)
{
	if (n == 33)
		return p[0] == 0x02 || p[0] == 0x03;
	if (n == 65)
		return p[0] == 0x04 || p[0] == 0x06 || p[0] == 0x07;
	return false;
}

/*
 * Reads one opcode at *pos; for a push, *data and *dlen describe the pushed
 * bytes. False when the script ends inside a push.
 */
static bool next_op(const uint8_t *s, size_t n, size_t *pos, uint8_t *op,
                    const uint8_t **data, size_t *dlen)
{
	size_t p = *pos, len = 0;
	if (p >= n)
		return false;
	*op = s[p++];
	if (*op < OP_PUSHDATA1) {
		len = *op;
	} else if (*op == OP_PUSHDATA1) {
		if (n - p < 1)
			return false;
		len = s[p];
		p += 1;
	} else if (*op == OP_PUSHDATA2) {
		if (n - p < 2)
			return false;
		len = (size_t)s[p] | (size_t)s[p + 1] << 8;
		p += 2;
	} else if (*op == OP_PUSHDATA4) {
		if (n - p < 4)
			return false;
		len = (size_t)s[p] | (size_t)s[p + 1] << 8 | (size_t)s[p + 2] << 16 |
		      (size_t)s[p + 3] << 24;
		p += 4;
	}
	if (n - p < len)
		return false;
	*data = s + p;
	*dlen = len;
	*pos = p + len;
	return true;
}

/* OP_RETURN then only push opcodes (OP_0..OP_16, OP_1NEGATE and data). */
static bool is_nulldata(const uint8_t *s, size_t n)
{
	size_t pos = 1;
	if (n < 1 || s[0] != OP_RETURN)
		return false;
	while (pos < n) {
		uint8_t op;
		const uint8_t *d;
		size_t dl;
		if (!next_op(s, n, &pos, &op, &d, &dl))
			return false;
		if (op > OP_16)
			return false;
	}
	return true;
}

bool wallet_script_is_witness(const uint8_t *spk, size_t n, unsigned *witver,
                              const uint8_t **prog, size_t *proglen)
{
	if (n < 4 || n > 42)
		return false;
	if (spk[0] != OP_0 && (spk[0] < OP_1 || spk[0] > OP_16))
		return false;
	if ((size_t)spk[1] + 2 != n)
		return false;
	if (witver)
		*witver = spk[0] == OP_0 ? 0 : (unsigned)(spk[0] - OP_1 + 1);
	if (prog)
		*prog = spk + 2;
	if (proglen)
		*proglen = n - 2;
	return true;
}

static bool is_multisig(const uint8_t *s, size_t n, unsigned *m, unsigned *k)
{
	size_t pos = 1, count = 0;
	if (n < 3 || s[n - 1] != OP_CHECKMULTISIG)
		return false;
	if (s[0] < OP_1 || s[0] > OP_16 || s[n - 2] < OP_1 || s[n - 2] > OP_16)
		return false;
	*m = (unsigned)(s[0] - OP_1 + 1);
	*k = (unsigned)(s[n - 2] - OP_1 + 1);
	while (pos < n - 2) {
		uint8_t op;
		const uint8_t *d;
		size_t dl;
		/* keys must be direct pushes of valid-size keys */
		if (!next_op(s, n - 2, &pos, &op, &d, &dl) || op >= OP_PUSHDATA1 ||
		    !pubkey_size_ok(d, dl))
			return false;
		count++;
	}
	return count == *k && *m <= *k;
}

enum wallet_script_type wallet_script_classify(const uint8_t *spk, size_t n,
                                               struct wallet_script_info *info)
{
	struct wallet_script_info tmp;
	struct wallet_script_info *in = info ? info : &tmp;
	const uint8_t *prog;
	size_t plen;
	unsigned v;

	memset(in, 0, sizeof *in);
	in->type = WALLET_SCRIPT_NONSTANDARD;

	if (n == 23 && spk[0] == OP_HASH160 && spk[1] == 20 && spk[22] == OP_EQUAL) {
		in->type = WALLET_SCRIPT_P2SH;
		in->data = spk + 2;
		in->data_len = 20;
	} else if (wallet_script_is_witness(spk, n, &v, &prog, &plen)) {
		in->witver = v;
		in->data = prog;
		in->data_len = plen;
		if (v == 0 && plen == 20)
			in->type = WALLET_SCRIPT_P2WPKH;
		else if (v == 0 && plen == 32)
			in->type = WALLET_SCRIPT_P2WSH;
		else if (v == 0) {
			in->type = WALLET_SCRIPT_NONSTANDARD;
			in->data = NULL;
			in->data_len = 0;
		} else if (v == 1 && plen == 32)
			in->type = WALLET_SCRIPT_P2TR;
		else if (v == 1 && plen == 2 && prog[0] == 0x4e && prog[1] == 0x73)
			in->type = WALLET_SCRIPT_P2A;
		else
			in->type = WALLET_SCRIPT_WITNESS_UNKNOWN;
	} else if (is_nulldata(spk, n)) {
		in->type = WALLET_SCRIPT_NULLDATA;
	} else if (n == 25 && spk[0] == OP_DUP && spk[1] == OP_HASH160 && spk[2] == 20 &&
	           spk[23] == OP_EQUALVERIFY && spk[24] == OP_CHECKSIG) {
		in->type = WALLET_SCRIPT_P2PKH;
		in->data = spk + 3;
		in->data_len = 20;
	} else if ((n == 35 || n == 67) && spk[0] == n - 2 && spk[n - 1] == OP_CHECKSIG &&
	           pubkey_size_ok(spk + 1, n - 2)) {
		in->type = WALLET_SCRIPT_P2PK;
		in->data = spk + 1;
		in->data_len = n - 2;
	} else {
		unsigned m, k;
		if (is_multisig(spk, n, &m, &k)) {
			in->type = WALLET_SCRIPT_MULTISIG;
			in->m = m;
			in->n = k;
		}
	}
	return in->type;
}

const char *wallet_script_type_name(enum wallet_script_type t)
{
	switch (t) {
	case WALLET_SCRIPT_NONSTANDARD: return "nonstandard";
	case WALLET_SCRIPT_P2PK: return "p2pk";
	case WALLET_SCRIPT_P2PKH: return "p2pkh";
	case WALLET_SCRIPT_P2SH: return "p2sh";
	case WALLET_SCRIPT_MULTISIG: return "multisig";
	case WALLET_SCRIPT_NULLDATA: return "nulldata";
	case WALLET_SCRIPT_P2WPKH: return "p2wpkh";
	case WALLET_SCRIPT_P2WSH: return "p2wsh";
	case WALLET_SCRIPT_P2TR: return "p2tr";
	case WALLET_SCRIPT_P2A: return "p2a";
	case WALLET_SCRIPT_WITNESS_UNKNOWN: return "witness_unknown";
	}
	return "nonstandard";
}

void wallet_script_p2pkh(uint8_t out[WALLET_SCRIPT_P2PKH_LEN], const uint8_t hash160[20])
{
	out[0] = OP_DUP;
	out[1] = OP_HASH160;
	out[2] = 20;
	memcpy(out + 3, hash160, 20);
	out[23] = OP_EQUALVERIFY;
	out[24] = OP_CHECKSIG;
}

void wallet_script_p2sh(uint8_t out[WALLET_SCRIPT_P2SH_LEN], const uint8_t hash160[20])
{
	out[0] = OP_HASH160;
	out[1] = 20;
	memcpy(out + 2, hash160, 20);
	out[22] = OP_EQUAL;
}

void wallet_script_p2wpkh(uint8_t out[WALLET_SCRIPT_P2WPKH_LEN], const uint8_t hash160[20])
{
	out[0] = OP_0;
	out[1] = 20;
	memcpy(out + 2, hash160, 20);
}

void wallet_script_p2wsh(uint8_t out[WALLET_SCRIPT_P2WSH_LEN], const uint8_t sha256[32])
{
	out[0] = OP_0;
	out[1] = 32;
	memcpy(out + 2, sha256, 32);
}

void wallet_script_p2tr(uint8_t out[WALLET_SCRIPT_P2TR_LEN], const uint8_t xonly[32])
{
	out[0] = OP_1;
	out[1] = 32;
	memcpy(out + 2, xonly, 32);
}

enum kb_rc wallet_script_witness(uint8_t *out, size_t outcap, size_t *len,
                                 unsigned witver, const uint8_t *prog,
                                 size_t proglen)
{
	*len = 0;
	if (witver > 16 || proglen < 2 || proglen > 40 ||
	    (witver == 0 && proglen != 20 && proglen != 32))
		return KB_EINVAL;
	if (outcap < proglen + 2)
		return KB_ELIMIT;
	out[0] = witver == 0 ? OP_0 : (uint8_t)(OP_1 + witver - 1);
	out[1] = (uint8_t)proglen;
	memcpy(out + 2, prog, proglen);
	*len = proglen + 2;
	return KB_OK;
}

enum kb_rc wallet_script_p2pk(uint8_t *out, size_t outcap, size_t *len,
                              const uint8_t *pubkey, size_t pklen)
{
	*len = 0;
	if (!((pklen == 33 && (pubkey[0] == 2 || pubkey[0] == 3)) ||
	      (pklen == 65 && pubkey[0] == 4)))
		return KB_EINVAL;
	if (outcap < pklen + 2)
		return KB_ELIMIT;
	out[0] = (uint8_t)pklen;
	memcpy(out + 1, pubkey, pklen);
	out[pklen + 1] = OP_CHECKSIG;
	*len = pklen + 2;
	return KB_OK;
}

enum kb_rc wallet_script_op_return(uint8_t *out, size_t outcap, size_t *len,
                                   const uint8_t *data, size_t n)
{
	size_t need;
	*len = 0;
	if (n > 80)
		return KB_ELIMIT;
	need = n == 0 ? 1 : (n < OP_PUSHDATA1 ? 2 + n : 3 + n);
	if (outcap < need)
		return KB_ELIMIT;
	out[0] = OP_RETURN;
	if (n > 0 && n < OP_PUSHDATA1) {
		out[1] = (uint8_t)n;
		memcpy(out + 2, data, n);
	} else if (n > 0) {
		out[1] = OP_PUSHDATA1;
		out[2] = (uint8_t)n;
		memcpy(out + 3, data, n);
	}
	*len = need;
	return KB_OK;
}

enum kb_rc wallet_script_multisig(uint8_t *out, size_t outcap, size_t *len,
                                  unsigned m, const uint8_t *keys,
                                  size_t nkeys)
{
	size_t i, p = 0;
	*len = 0;
	if (nkeys < 1 || nkeys > 16 || m < 1 || m > nkeys)
		return KB_EINVAL;
	for (i = 0; i < nkeys; i++)
		if (keys[33 * i] != 2 && keys[33 * i] != 3)
			return KB_EINVAL;
	if (outcap < 3 + 34 * nkeys)
		return KB_ELIMIT;
	out[p++] = (uint8_t)(OP_1 + m - 1);
	for (i = 0; i < nkeys; i++) {
		out[p++] = 33;
		memcpy(out + p, keys + 33 * i, 33);
		p += 33;
	}
	out[p++] = (uint8_t)(OP_1 + nkeys - 1);
	out[p++] = OP_CHECKMULTISIG;
	*len = p;
	return KB_OK;
}
