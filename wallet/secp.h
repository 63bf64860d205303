/*
 * The process's one libsecp256k1 context, created on first use with
 * randomisation (side-channel blinding) from libsodium's CSPRNG. Not for
 * use before main() or from several threads at first call.
 */
#ifndef KOBAN_WALLET_SECP_H
#define KOBAN_WALLET_SECP_H

#include <secp256k1.h>

const secp256k1_context *wallet_secp(void);

#endif
