/*
 * Bitcoin addresses: the text form of a scriptPubKey.
 *
 * Base58Check (P2PKH, P2SH) with the network's version byte, and segwit
 * addresses (BIP173 bech32 for witness version 0, BIP350 bech32m for
 * versions 1..16) with the network's human-readable part. Prefixes come
 * from wallet/network.h. testnet3, testnet4 and signet share every prefix;
 * regtest shares the base58 ones and differs only in the bech32 hrp "bcrt".
 * So a base58 testnet address decodes on regtest too, a "tb1..." one does
 * not.
 *
 * A version 1 program of other than 32 bytes (and any version 2..16 one) is
 * a valid address and decodes; its scriptPubKey is an "unknown witness
 * program" that no soft fork has given spending rules yet (see
 * wallet_address_warning). Version 1 with the two bytes 4e73 is P2A.
 *
 * All functions are pure (no I/O, no allocation) and may be called from a
 * loop callback.
 */
#ifndef KOBAN_WALLET_ADDRESS_H
#define KOBAN_WALLET_ADDRESS_H

#include "wallet/network.h"
#include "wallet/rc.h"

#include <stddef.h>
#include <stdint.h>

/* Buffer size for any address text, NUL included (bech32 max 90 + 1). */
#define WALLET_ADDRESS_MAX 91
/* The largest scriptPubKey an address decodes to (witness v1+, 40 bytes). */
#define WALLET_SPK_MAX 42

/*
 * Writes the address of spk on net into out (NUL-terminated, lower case
 * for bech32). P2PKH and P2SH become base58, witness programs of valid
 * shape become bech32/bech32m. KB_EUNSUPPORTED for a script with no address
 * form (P2PK, bare multisig, OP_RETURN, v0 programs of a bad length, other
 * scripts); KB_ELIMIT when outlen is too small (WALLET_ADDRESS_MAX always
 * suffices). On failure out is "" (if outlen > 0).
 */
enum kb_rc wallet_address_encode(char *out, size_t outlen, enum kb_net net,
                                 const uint8_t *spk, size_t spk_len) KB_WUR;

/*
 * Decodes the NUL-terminated address text addr for net into its
 * scriptPubKey (spk, spk_cap >= WALLET_SPK_MAX always suffices). Bech32
 * addresses may be all upper or all lower case. No whitespace is trimmed.
 *
 * On success *spk_len is the script length and err (if errlen > 0) is "".
 * On failure *spk_len = 0, spk is zeroed, and err holds one sentence for a
 * person (truncated to errlen; err may be NULL when errlen is 0). Results:
 *   KB_ECHECKSUM    a typo (checksum mismatch), or a bech32/bech32m mix-up
 *                   for the witness version
 *   KB_ENETWORK     a valid address of another Bitcoin network (names both)
 *   KB_EUNSUPPORTED valid Base58Check but a private or extended key, not an
 *                   address
 *   KB_EPARSE       anything else: not an address, bad witness version or
 *                   program length, a foreign prefix, mixed case, ...
 *   KB_ELIMIT       spk_cap is too small for the script
 */
enum kb_rc wallet_address_decode(uint8_t *spk, size_t spk_cap, size_t *spk_len,
                                 enum kb_net net, const char *addr,
                                 char *err, size_t errlen) KB_WUR;

/*
 * A warning a person should read before paying to spk, or NULL: today it
 * is for witness programs without spending rules (unknown witness version,
 * or version 1 of other than 32 bytes, except P2A). A static string.
 */
const char *wallet_address_warning(const uint8_t *spk, size_t spk_len);

#endif
