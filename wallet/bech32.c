#include "wallet/bech32.h"

#include <string.h>

#define BECH32M_CONST 0x2bc830a3u

static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/* 5-bit value of a lower- or upper-case data character, or -1. */
static int charset_rev(unsigned char c)
{
	const char *p;
	if (c >= 'A' && c <= 'Z')
		c = (unsigned char)(c - 'A' + 'a');
	if (c == 0)
		return -1;
	p = strchr(charset, c);
	return p ? (int)(p - charset) : -1;
}

static uint32_t polymod_step(uint32_t pre)
{
	uint32_t b = pre >> 25;
	return ((pre & 0x1ffffffu) << 5) ^
	       (-((b >> 0) & 1) & 0x3b6a57b2u) ^
	       (-((b >> 1) & 1) & 0x26508e6du) ^
	       (-((b >> 2) & 1) & 0x1ea119fau) ^
	       (-((b >> 3) & 1) & 0x3d4233ddu) ^
	       (-((b >> 4) & 1) & 0x2a1462b3u);
}

/* Polymod over the expanded lower-case hrp (hrplen bytes) and data. */
static uint32_t polymod(const char *hrp, size_t hrplen, const uint8_t *data, size_t n)
{
	uint32_t chk = 1;
	size_t i;
	for (i = 0; i < hrplen; i++)
		chk = polymod_step(chk) ^ ((unsigned char)hrp[i] >> 5);
	chk = polymod_step(chk);
	for (i = 0; i < hrplen; i++)
		chk = polymod_step(chk) ^ ((unsigned char)hrp[i] & 0x1f);
	for (i = 0; i < n; i++)
		chk = polymod_step(chk) ^ data[i];
	return chk;
}

static uint32_t enc_const(enum wallet_bech32_enc enc)
{
	return enc == WALLET_BECH32M ? BECH32M_CONST : 1u;
}

enum kb_rc wallet_bech32_encode(char *out, size_t outlen, const char *hrp,
                                const uint8_t *data5, size_t n,
                                enum wallet_bech32_enc enc)
{
	size_t hrplen = strlen(hrp), i;
	uint32_t chk;

	if (outlen > 0)
		out[0] = '\0';
	if (enc != WALLET_BECH32 && enc != WALLET_BECH32M)
		return KB_EINVAL;
	if (hrplen < 1 || hrplen > WALLET_BECH32_HRP_MAX)
		return KB_EINVAL;
	for (i = 0; i < hrplen; i++) {
		unsigned char c = (unsigned char)hrp[i];
		if (c < 33 || c > 126 || (c >= 'A' && c <= 'Z'))
			return KB_EINVAL;
	}
	for (i = 0; i < n; i++)
		if (data5[i] >> 5)
			return KB_EINVAL;
	if (n > WALLET_BECH32_MAX || hrplen + 1 + n + 6 > WALLET_BECH32_MAX)
		return KB_ELIMIT;
	if (outlen < hrplen + 1 + n + 6 + 1)
		return KB_ELIMIT;

	chk = polymod(hrp, hrplen, data5, n);
	for (i = 0; i < 6; i++)
		chk = polymod_step(chk);
	chk ^= enc_const(enc);

	char *p = out;
	memcpy(p, hrp, hrplen);
	p += hrplen;
	*p++ = '1';
	for (i = 0; i < n; i++)
		*p++ = charset[data5[i]];
	for (i = 0; i < 6; i++)
		*p++ = charset[(chk >> (5 * (5 - i))) & 31];
	*p = '\0';
	return KB_OK;
}

static enum kb_rc fail(enum wallet_bech32_err *why, enum wallet_bech32_err e)
{
	if (why)
		*why = e;
	switch (e) {
	case WALLET_BECH32_ECHECKSUM:
		return KB_ECHECKSUM;
	case WALLET_BECH32_ETOO_LONG:
		return KB_ELIMIT;
	default:
		return KB_EPARSE;
	}
}

enum kb_rc wallet_bech32_decode(char *hrp, size_t hrpcap, uint8_t *data5,
                                size_t datacap, size_t *n,
                                enum wallet_bech32_enc *enc,
                                enum wallet_bech32_err *why,
                                const char *s, size_t slen)
{
	uint8_t vals[WALLET_BECH32_MAX];
	char lhrp[WALLET_BECH32_HRP_MAX + 1];
	bool lower = false, upper = false;
	size_t i, sep = 0;
	bool have_sep = false;

	*n = 0;
	*enc = WALLET_BECH32_NONE;
	if (why)
		*why = WALLET_BECH32_OK;
	if (hrpcap > 0)
		hrp[0] = '\0';
	if (slen > WALLET_BECH32_MAX)
		return fail(why, WALLET_BECH32_ETOO_LONG);
	for (i = 0; i < slen; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 33 || c > 126)
			return fail(why, WALLET_BECH32_ECHAR);
		if (c >= 'a' && c <= 'z')
			lower = true;
		if (c >= 'A' && c <= 'Z')
			upper = true;
		if (c == '1') {
			sep = i;
			have_sep = true;
		}
	}
	if (lower && upper)
		return fail(why, WALLET_BECH32_EMIXED_CASE);
	if (!have_sep)
		return fail(why, WALLET_BECH32_ENO_SEPARATOR);
	if (sep == 0)
		return fail(why, WALLET_BECH32_EHRP_EMPTY);
	if (sep > WALLET_BECH32_HRP_MAX)
		return fail(why, WALLET_BECH32_EHRP_LONG);
	if (slen - sep - 1 < 6)
		return fail(why, WALLET_BECH32_ESHORT);
	for (i = 0; i < sep; i++) {
		char c = s[i];
		lhrp[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	lhrp[sep] = '\0';
	size_t nv = slen - sep - 1;
	for (i = 0; i < nv; i++) {
		int v = charset_rev((unsigned char)s[sep + 1 + i]);
		if (v < 0)
			return fail(why, WALLET_BECH32_EDATA_CHAR);
		vals[i] = (uint8_t)v;
	}
	uint32_t chk = polymod(lhrp, sep, vals, nv);
	enum wallet_bech32_enc got;
	if (chk == 1u)
		got = WALLET_BECH32;
	else if (chk == BECH32M_CONST)
		got = WALLET_BECH32M;
	else
		return fail(why, WALLET_BECH32_ECHECKSUM);
	if (hrpcap < sep + 1 || datacap < nv - 6) {
		if (why)
			*why = WALLET_BECH32_OK;
		return KB_ELIMIT;
	}
	memcpy(hrp, lhrp, sep + 1);
	if (nv > 6)
		memcpy(data5, vals, nv - 6);
	*n = nv - 6;
	*enc = got;
	return KB_OK;
}

bool wallet_bech32_convert_bits(uint8_t *out, size_t outcap, size_t *outlen,
                                const uint8_t *in, size_t inlen,
                                unsigned inbits, unsigned outbits, bool pad)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	const uint32_t maxv = (1u << outbits) - 1;
	size_t o = 0, i;

	*outlen = 0;
	if (inbits < 1 || inbits > 8 || outbits < 1 || outbits > 8)
		return false;
	for (i = 0; i < inlen; i++) {
		if (in[i] >> inbits)
			return false;
		acc = ((acc << inbits) | in[i]) & 0xffffu;
		bits += inbits;
		while (bits >= outbits) {
			bits -= outbits;
			if (o >= outcap)
				return false;
			out[o++] = (uint8_t)((acc >> bits) & maxv);
		}
	}
	if (pad) {
		if (bits) {
			if (o >= outcap)
				return false;
			out[o++] = (uint8_t)((acc << (outbits - bits)) & maxv);
		}
	} else if (bits >= inbits || ((acc << (outbits - bits)) & maxv)) {
		return false;
	}
	*outlen = o;
	return true;
}

static bool prog_ok(unsigned witver, size_t proglen)
{
	if (witver > 16 || proglen < 2 || proglen > WALLET_SEGWIT_PROG_MAX)
		return false;
	return witver != 0 || proglen == 20 || proglen == 32;
}

enum kb_rc wallet_segwit_addr_encode(char *out, size_t outlen, const char *hrp,
                                     unsigned witver, const uint8_t *prog,
                                     size_t proglen)
{
	uint8_t d[1 + (WALLET_SEGWIT_PROG_MAX * 8 + 4) / 5];
	size_t n = 0;

	if (outlen > 0)
		out[0] = '\0';
	if (!prog_ok(witver, proglen))
		return KB_EINVAL;
	d[0] = (uint8_t)witver;
	if (!wallet_bech32_convert_bits(d + 1, sizeof d - 1, &n, prog, proglen, 8, 5, true))
		return KB_EINVAL;
	return wallet_bech32_encode(out, outlen, hrp, d, n + 1,
	                            witver == 0 ? WALLET_BECH32 : WALLET_BECH32M);
}

static enum kb_rc segwit_fail(struct wallet_segwit_addr *a, enum wallet_segwit_err e,
                              enum kb_rc rc)
{
	a->why = e;
	a->witver = 0;
	a->proglen = 0;
	memset(a->prog, 0, sizeof a->prog);
	return rc;
}

enum kb_rc wallet_segwit_addr_decode(struct wallet_segwit_addr *a,
                                     const char *s, size_t slen)
{
	uint8_t d[WALLET_BECH32_MAX];
	size_t n = 0;
	enum kb_rc rc;

	memset(a, 0, sizeof *a);
	rc = wallet_bech32_decode(a->hrp, sizeof a->hrp, d, sizeof d, &n, &a->enc,
	                          &a->bech32_why, s, slen);
	if (rc != KB_OK)
		return segwit_fail(a, WALLET_SEGWIT_EBECH32, rc);
	if (n == 0)
		return segwit_fail(a, WALLET_SEGWIT_EEMPTY, KB_EPARSE);
	if (d[0] > 16)
		return segwit_fail(a, WALLET_SEGWIT_EVERSION, KB_EPARSE);
	if (d[0] == 0 && a->enc != WALLET_BECH32)
		return segwit_fail(a, WALLET_SEGWIT_EWANT_BECH32, KB_ECHECKSUM);
	if (d[0] != 0 && a->enc != WALLET_BECH32M)
		return segwit_fail(a, WALLET_SEGWIT_EWANT_BECH32M, KB_ECHECKSUM);
	/* more than 40 bytes' worth of groups cannot be a program: say length */
	if (n - 1 > (WALLET_SEGWIT_PROG_MAX * 8 + 4) / 5)
		return segwit_fail(a, WALLET_SEGWIT_ELENGTH, KB_EPARSE);
	if (!wallet_bech32_convert_bits(a->prog, sizeof a->prog, &a->proglen,
	                                d + 1, n - 1, 5, 8, false))
		return segwit_fail(a, WALLET_SEGWIT_EPADDING, KB_EPARSE);
	a->badlen = a->proglen;
	if (a->proglen < 2 || a->proglen > WALLET_SEGWIT_PROG_MAX)
		return segwit_fail(a, WALLET_SEGWIT_ELENGTH, KB_EPARSE);
	if (d[0] == 0 && a->proglen != 20 && a->proglen != 32)
		return segwit_fail(a, WALLET_SEGWIT_EV0_LENGTH, KB_EPARSE);
	a->badlen = 0;
	a->witver = d[0];
	a->why = WALLET_SEGWIT_OK;
	return KB_OK;
}
