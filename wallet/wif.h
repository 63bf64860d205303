/*
 * WIF: the Base58Check text form of a private key (wallet import format).
 *
 * payload = version byte (network's wif prefix: 0x80 mainnet, 0xef for
 * testnet3, testnet4, signet and regtest alike) || 32-byte key || 0x01 when
 * the key's public key is used compressed.
 *
 * Secrets: the key goes only into the caller's buffer (keep it in
 * kb_secret_alloc memory); the WIF text is as secret as the key, so its
 * buffer should be secret memory too. Every temporary here is wiped with
 * kb_wipe, and outputs are wiped on failure. Pure; may be called from a
 * loop callback.
 */
#ifndef KOBAN_WALLET_WIF_H
#define KOBAN_WALLET_WIF_H

#include "wallet/network.h"
#include "wallet/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Buffer size for WIF text, NUL included (52 characters at most). */
#define WALLET_WIF_MAX 53

/*
 * Writes the WIF of key for net into out. KB_EINVAL when key is not a valid
 * secp256k1 secret key (zero or >= the group order), KB_ELIMIT when outlen
 * is too small (WALLET_WIF_MAX suffices). On failure out is wiped and "".
 */
enum kb_rc wallet_wif_encode(char *out, size_t outlen, enum kb_net net,
                             const uint8_t key[32], bool compressed) KB_WUR;

/*
 * Decodes NUL-terminated WIF text for net into key (32 bytes) and
 * *compressed. On failure key is zeroed, *compressed false, and err (if
 * errlen > 0; err may be NULL when errlen is 0) holds one sentence that
 * never repeats the text:
 *   KB_ECHECKSUM  a typo (the checksum does not match)
 *   KB_ENETWORK   a key for another network (names both)
 *   KB_EINVAL     the 32 bytes are not a valid secret key
 *   KB_EPARSE     not a WIF private key
 */
enum kb_rc wallet_wif_decode(uint8_t key[32], bool *compressed, enum kb_net net,
                             const char *wif, char *err, size_t errlen) KB_WUR;

#endif
