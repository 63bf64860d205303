#include "wallet/address.h"

#include "wallet/base58.h"
#include "wallet/bech32.h"
#include "wallet/mem.h"
#include "wallet/script.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Longer text than this cannot be an address (bech32 max is 90); an xpub
 * (111) still fits, to be named as such. */
#define ADDRESS_TEXT_MAX 120

enum kb_rc wallet_address_encode(char *out, size_t outlen, enum kb_net net,
                                 const uint8_t *spk, size_t spk_len)
{
	const struct kb_netparams *np = kb_net_params(net);
	struct wallet_script_info info;
	uint8_t payload[21];

	if (outlen > 0)
		out[0] = '\0';
	switch (wallet_script_classify(spk, spk_len, &info)) {
	case WALLET_SCRIPT_P2PKH:
	case WALLET_SCRIPT_P2SH:
		payload[0] = info.type == WALLET_SCRIPT_P2PKH ? np->p2pkh : np->p2sh;
		memcpy(payload + 1, info.data, 20);
		return wallet_base58check_encode(out, outlen, NULL, payload, sizeof payload);
	case WALLET_SCRIPT_P2WPKH:
	case WALLET_SCRIPT_P2WSH:
	case WALLET_SCRIPT_P2TR:
	case WALLET_SCRIPT_P2A:
	case WALLET_SCRIPT_WITNESS_UNKNOWN: {
		enum kb_rc rc = wallet_segwit_addr_encode(out, outlen, np->hrp, info.witver,
		                                          info.data, info.data_len);
		/* the classifier already checked the shape, so only size can fail */
		return rc == KB_EINVAL ? KB_EUNSUPPORTED : rc;
	}
	default:
		return KB_EUNSUPPORTED;
	}
}

static enum kb_rc failf(char *err, size_t errlen, enum kb_rc rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static enum kb_rc failf(char *err, size_t errlen, enum kb_rc rc, const char *fmt, ...)
{
	if (errlen > 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* Who uses a bech32 hrp, for messages; NULL for a foreign one. */
static const char *hrp_network(const char *hrp)
{
	if (strcmp(hrp, "bc") == 0)
		return "mainnet";
	if (strcmp(hrp, "tb") == 0)
		return "testnet or signet";
	if (strcmp(hrp, "bcrt") == 0)
		return "regtest";
	return NULL;
}

static const char *const typo = "the address has a typo: its checksum does not match";

static enum kb_rc decode_segwit(uint8_t *spk, size_t spk_cap, size_t *spk_len,
                                enum kb_net net, const char *addr, size_t slen,
                                char *err, size_t errlen)
{
	const struct kb_netparams *np = kb_net_params(net);
	struct wallet_segwit_addr a;
	enum kb_rc rc = wallet_segwit_addr_decode(&a, addr, slen);

	if (a.why == WALLET_SEGWIT_EBECH32) {
		switch (a.bech32_why) {
		case WALLET_BECH32_ECHECKSUM:
			return failf(err, errlen, KB_ECHECKSUM, "%s", typo);
		case WALLET_BECH32_EMIXED_CASE:
			return failf(err, errlen, KB_EPARSE,
			             "the address mixes upper and lower case letters; "
			             "a bech32 address is written all in one case");
		case WALLET_BECH32_EDATA_CHAR:
			return failf(err, errlen, KB_EPARSE,
			             "the address has a typo: after the prefix it contains a "
			             "character bech32 never uses (such as b, i, o or 1)");
		case WALLET_BECH32_ETOO_LONG:
			return failf(err, errlen, KB_EPARSE,
			             "the address is too long: bech32 addresses have at most 90 characters");
		case WALLET_BECH32_ESHORT:
			return failf(err, errlen, KB_EPARSE,
			             "the address is too short to hold a checksum");
		default:
			return failf(err, errlen, KB_EPARSE, "this is not a Bitcoin address");
		}
	}
	/* the checksum is good, so the prefix is what its author meant */
	if (!hrp_network(a.hrp))
		return failf(err, errlen, KB_EPARSE,
		             "this is not a Bitcoin address: its prefix \"%s\" belongs to no "
		             "Bitcoin network", a.hrp);
	if (strcmp(a.hrp, np->hrp) != 0)
		return failf(err, errlen, KB_ENETWORK,
		             "this is a %s address, but koban is on %s",
		             hrp_network(a.hrp), np->display);
	switch (a.why) {
	case WALLET_SEGWIT_OK:
		break;
	case WALLET_SEGWIT_EEMPTY:
		return failf(err, errlen, KB_EPARSE,
		             "the address has no witness version and no program");
	case WALLET_SEGWIT_EVERSION:
		return failf(err, errlen, KB_EPARSE,
		             "the address has an invalid witness version (versions go from 0 to 16)");
	case WALLET_SEGWIT_EWANT_BECH32:
		return failf(err, errlen, KB_ECHECKSUM,
		             "witness version 0 addresses must use the bech32 checksum (BIP173), "
		             "but this one uses bech32m");
	case WALLET_SEGWIT_EWANT_BECH32M:
		return failf(err, errlen, KB_ECHECKSUM,
		             "witness version 1 to 16 addresses must use the bech32m checksum "
		             "(BIP350), but this one uses bech32, as wallets did before BIP350");
	case WALLET_SEGWIT_EPADDING:
		return failf(err, errlen, KB_EPARSE,
		             "the address has an invalid length: its witness program does not end "
		             "on a whole byte");
	case WALLET_SEGWIT_ELENGTH:
		if (a.badlen == 0)
			return failf(err, errlen, KB_EPARSE,
			             "the address has an invalid witness program length: "
			             "longer than 40 bytes");
		return failf(err, errlen, KB_EPARSE,
		             "the address has an invalid witness program length: %zu byte(s), "
		             "where programs are 2 to 40 bytes", a.badlen);
	case WALLET_SEGWIT_EV0_LENGTH:
		return failf(err, errlen, KB_EPARSE,
		             "the address has witness version 0, whose program must be 20 or 32 "
		             "bytes, but this one is %zu bytes", a.badlen);
	case WALLET_SEGWIT_EBECH32:
		break;
	}
	if (rc != KB_OK)
		return failf(err, errlen, KB_EPARSE, "this is not a Bitcoin address");
	rc = wallet_script_witness(spk, spk_cap, spk_len, a.witver, a.prog, a.proglen);
	if (rc != KB_OK)
		return failf(err, errlen, rc == KB_ELIMIT ? KB_ELIMIT : KB_EPARSE,
		             "the script buffer is too small for this address");
	return KB_OK;
}

/* Is net a test network sharing the base58 prefixes of testnet? */
static const char *base58_network(uint8_t version)
{
	if (version == 0x00 || version == 0x05)
		return "mainnet";
	if (version == 0x6f || version == 0xc4)
		return "testnet, signet or regtest";
	return NULL;
}

static enum kb_rc decode_base58(uint8_t *spk, size_t spk_cap, size_t *spk_len,
                                enum kb_net net, const char *addr, size_t slen,
                                char *err, size_t errlen)
{
	const struct kb_netparams *np = kb_net_params(net);
	uint8_t buf[ADDRESS_TEXT_MAX];
	size_t n = 0;
	enum kb_rc rc = wallet_base58check_decode(buf, sizeof buf, &n, addr, slen);

	if (rc == KB_ECHECKSUM) {
		rc = failf(err, errlen, KB_ECHECKSUM, "%s", typo);
		goto out;
	}
	if (rc != KB_OK) {
		/* maybe bech32 with a foreign prefix (another coin's, say) */
		char hrp[WALLET_BECH32_HRP_MAX + 1];
		uint8_t d[WALLET_BECH32_MAX];
		size_t dn;
		enum wallet_bech32_enc enc;
		if (wallet_bech32_decode(hrp, sizeof hrp, d, sizeof d, &dn, &enc, NULL,
		                         addr, slen) == KB_OK)
			rc = failf(err, errlen, KB_EPARSE,
			           "this is not a Bitcoin address: its prefix \"%s\" belongs to no "
			           "Bitcoin network", hrp);
		else
			rc = failf(err, errlen, KB_EPARSE, "this is not a Bitcoin address");
		goto out;
	}
	if (n == 21) {
		if (buf[0] == np->p2pkh) {
			if (spk_cap < WALLET_SCRIPT_P2PKH_LEN)
				goto small;
			wallet_script_p2pkh(spk, buf + 1);
			*spk_len = WALLET_SCRIPT_P2PKH_LEN;
			rc = KB_OK;
		} else if (buf[0] == np->p2sh) {
			if (spk_cap < WALLET_SCRIPT_P2SH_LEN)
				goto small;
			wallet_script_p2sh(spk, buf + 1);
			*spk_len = WALLET_SCRIPT_P2SH_LEN;
			rc = KB_OK;
		} else if (base58_network(buf[0])) {
			rc = failf(err, errlen, KB_ENETWORK,
			           "this is a %s address, but koban is on %s",
			           base58_network(buf[0]), np->display);
		} else {
			rc = failf(err, errlen, KB_EPARSE,
			           "this is not a Bitcoin address (perhaps one of another coin): "
			           "its version byte is unknown");
		}
		goto out;
	}
	if ((n == 33 || (n == 34 && buf[33] == 0x01)) && (buf[0] == 0x80 || buf[0] == 0xef)) {
		rc = failf(err, errlen, KB_EUNSUPPORTED,
		           "this is a private key, not an address: keep it secret");
		goto out;
	}
	if (n == 78) {
		rc = failf(err, errlen, KB_EUNSUPPORTED,
		           "this is an extended key (such as an xpub), not an address");
		goto out;
	}
	rc = failf(err, errlen, KB_EPARSE, "this is not a Bitcoin address");
	goto out;
small:
	rc = failf(err, errlen, KB_ELIMIT, "the script buffer is too small for this address");
out:
	/* a pasted private key must not linger on the stack */
	kb_wipe(buf, sizeof buf);
	return rc;
}

enum kb_rc wallet_address_decode(uint8_t *spk, size_t spk_cap, size_t *spk_len,
                                 enum kb_net net, const char *addr,
                                 char *err, size_t errlen)
{
	enum kb_rc rc;
	size_t slen, i;

	*spk_len = 0;
	if (spk_cap > 0)
		memset(spk, 0, spk_cap);
	if (errlen > 0)
		err[0] = '\0';
	slen = strnlen(addr, ADDRESS_TEXT_MAX + 1);
	if (slen == 0)
		return failf(err, errlen, KB_EPARSE, "the address is empty");
	if (slen > ADDRESS_TEXT_MAX)
		return failf(err, errlen, KB_EPARSE, "this is too long to be a Bitcoin address");
	for (i = 0; i < slen; i++) {
		unsigned char c = (unsigned char)addr[i];
		if (c <= 32 || c >= 127)
			return failf(err, errlen, KB_EPARSE,
			             "this is not a Bitcoin address: it contains a space or a "
			             "character no address uses");
	}
	/*
	 * A known bech32 prefix and '1' at the start means a segwit address (no
	 * base58 address starts so); a stray '1' typed later in the data part
	 * then reads as a typo, not as "not an address".
	 */
	for (i = 0; i < 3; i++) {
		static const char *const prefixes[] = { "bc1", "tb1", "bcrt1" };
		size_t pl = strlen(prefixes[i]);
		if (slen > pl && strncasecmp(addr, prefixes[i], pl) == 0) {
			rc = decode_segwit(spk, spk_cap, spk_len, net, addr, slen, err, errlen);
			goto out;
		}
	}
	rc = decode_base58(spk, spk_cap, spk_len, net, addr, slen, err, errlen);
out:
	if (rc != KB_OK) {
		*spk_len = 0;
		if (spk_cap > 0)
			memset(spk, 0, spk_cap);
	}
	return rc;
}

const char *wallet_address_warning(const uint8_t *spk, size_t spk_len)
{
	if (wallet_script_classify(spk, spk_len, NULL) == WALLET_SCRIPT_WITNESS_UNKNOWN)
		return "this address is valid, but it is an unknown witness program: no "
		       "spending rules exist for it yet, so coins sent there may be lost or "
		       "taken by anyone";
	return NULL;
}
