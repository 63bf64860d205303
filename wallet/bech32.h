/*
 * Bech32 (BIP173) and Bech32m (BIP350), and segwit addresses built on them.
 *
 * A bech32 string is hrp '1' data checksum: the human-readable part is 1..83
 * characters in the range 33..126, the data part uses the 32-character
 * alphabet qpzry9x8gf2tvdw0s3jn54khce6mua7l, the checksum is six characters
 * of a BCH code whose final constant is 1 (bech32) or 0x2bc830a3 (bech32m).
 * The whole string is at most WALLET_BECH32_MAX (90) characters and either
 * all lower or all upper case.
 *
 * Segwit addresses (BIP173, BIP350): data = witness version (0..16) then the
 * program in 5-bit groups. Version 0 must use bech32 and carry a 20 or
 * 32-byte program; versions 1..16 must use bech32m and carry 2..40 bytes.
 * A version 1 program of other than 32 bytes is a valid address, but not
 * taproot: its spending rules are not defined yet ("unknown witness
 * program"), as for versions 2..16.
 *
 * All functions are pure and may be called from a loop callback.
 */
#ifndef KOBAN_WALLET_BECH32_H
#define KOBAN_WALLET_BECH32_H

#include "wallet/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WALLET_BECH32_MAX 90        /* characters, without the NUL */
#define WALLET_BECH32_HRP_MAX 83
#define WALLET_SEGWIT_PROG_MAX 40

enum wallet_bech32_enc {
	WALLET_BECH32_NONE = 0,  /* neither checksum matched */
	WALLET_BECH32 = 1,       /* BIP173 constant 1 */
	WALLET_BECH32M = 2,      /* BIP350 constant 0x2bc830a3 */
};

/*
 * Encodes hrp (lower case, 1..83 chars of 33..126) and n 5-bit values
 * (each < 32) with the checksum of enc into out as lower-case text.
 * KB_EINVAL for a bad hrp, a value >= 32 or enc NONE; KB_ELIMIT when the
 * result would be over 90 characters or does not fit outlen. On failure out
 * is "" (if outlen > 0).
 */
enum kb_rc wallet_bech32_encode(char *out, size_t outlen, const char *hrp,
                                const uint8_t *data5, size_t n,
                                enum wallet_bech32_enc enc) KB_WUR;

/* Why wallet_bech32_decode failed (for messages and tests). */
enum wallet_bech32_err {
	WALLET_BECH32_OK = 0,
	WALLET_BECH32_ETOO_LONG,     /* over 90 characters */
	WALLET_BECH32_EMIXED_CASE,   /* both upper and lower case letters */
	WALLET_BECH32_ECHAR,         /* a byte outside 33..126 */
	WALLET_BECH32_ENO_SEPARATOR, /* no '1' */
	WALLET_BECH32_EHRP_EMPTY,    /* nothing before the last '1' */
	WALLET_BECH32_EHRP_LONG,     /* over 83 characters of hrp */
	WALLET_BECH32_ESHORT,        /* fewer than 6 characters after the '1' */
	WALLET_BECH32_EDATA_CHAR,    /* a data character outside the alphabet */
	WALLET_BECH32_ECHECKSUM,     /* neither checksum constant matches */
};

/*
 * Decodes slen bytes of s (no NUL needed). On success (KB_OK) hrp holds the
 * lower-cased human-readable part (hrpcap >= 84 always suffices), data5 the
 * *n 5-bit values without the checksum, *enc which constant matched. On
 * failure *n = 0, *enc = NONE, hrp = "", and *why (optional) says why:
 * KB_ECHECKSUM for WALLET_BECH32_ECHECKSUM, KB_ELIMIT for a too-long string
 * or a too-small hrpcap/datacap, KB_EPARSE otherwise.
 */
enum kb_rc wallet_bech32_decode(char *hrp, size_t hrpcap, uint8_t *data5,
                                size_t datacap, size_t *n,
                                enum wallet_bech32_enc *enc,
                                enum wallet_bech32_err *why,
                                const char *s, size_t slen) KB_WUR;

/*
 * Regroups bits: inbits-wide values into outbits-wide ones (8->5 to encode,
 * 5->8 to decode). With pad, the last group is zero-padded; without pad
 * (decoding), leftover bits must be fewer than inbits and all zero, or it
 * fails. Returns false on a bad input value, a bad padding, or when the
 * result does not fit outcap; *outlen is then 0.
 */
bool wallet_bech32_convert_bits(uint8_t *out, size_t outcap, size_t *outlen,
                                const uint8_t *in, size_t inlen,
                                unsigned inbits, unsigned outbits, bool pad);

/*
 * Encodes a segwit address: witver 0..16 and a program of the length the
 * version allows (see above); bech32 for v0, bech32m otherwise. KB_EINVAL
 * for a version or length out of rule, KB_ELIMIT when outlen is too small
 * (91 is always enough). On failure out is "" (if outlen > 0).
 */
enum kb_rc wallet_segwit_addr_encode(char *out, size_t outlen, const char *hrp,
                                     unsigned witver, const uint8_t *prog,
                                     size_t proglen) KB_WUR;

/* Why wallet_segwit_addr_decode failed, past the bech32 layer. */
enum wallet_segwit_err {
	WALLET_SEGWIT_OK = 0,
	WALLET_SEGWIT_EBECH32,       /* the bech32 layer failed: see bech32_why */
	WALLET_SEGWIT_EEMPTY,        /* no witness version */
	WALLET_SEGWIT_EVERSION,      /* witness version over 16 */
	WALLET_SEGWIT_EPADDING,      /* bad 5->8 bit padding */
	WALLET_SEGWIT_ELENGTH,       /* program not 2..40 bytes */
	WALLET_SEGWIT_EV0_LENGTH,    /* v0 program not 20 or 32 bytes */
	WALLET_SEGWIT_EWANT_BECH32,  /* v0 with a bech32m checksum */
	WALLET_SEGWIT_EWANT_BECH32M, /* v1+ with a bech32 checksum */
};

struct wallet_segwit_addr {
	char hrp[WALLET_BECH32_HRP_MAX + 1]; /* lower case */
	unsigned witver;
	uint8_t prog[WALLET_SEGWIT_PROG_MAX];
	size_t proglen;
	enum wallet_bech32_enc enc;          /* the constant that matched */
	enum wallet_bech32_err bech32_why;   /* when why == EBECH32 */
	enum wallet_segwit_err why;
	size_t badlen;                       /* ELENGTH, EV0_LENGTH: the program
	                                        length found (0 when over 40) */
};

/*
 * Decodes a segwit address of any hrp (the caller checks the network).
 * Returns KB_OK with *a filled; otherwise a->why (and a->bech32_why) say
 * why, witver/prog/proglen are zero, and the result is KB_ECHECKSUM
 * (checksum matches neither constant, or the wrong one for the version),
 * KB_ELIMIT (too long) or KB_EPARSE. a->hrp and a->enc stay set whenever the
 * bech32 layer succeeded, so a caller can name the network of a malformed
 * address.
 */
enum kb_rc wallet_segwit_addr_decode(struct wallet_segwit_addr *a,
                                     const char *s, size_t slen) KB_WUR;

#endif
