#include "wallet/secp.h"

#include "wallet/mem.h"

#include <sodium.h>

const secp256k1_context *wallet_secp(void)
{
	static secp256k1_context *ctx;
	if (!ctx) {
		if (sodium_init() < 0)
			kb_fatal(__FILE__, __LINE__, "libsodium failed to initialise");
		ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
		if (!ctx)
			kb_fatal(__FILE__, __LINE__, "secp256k1 context");
		unsigned char seed[32];
		randombytes_buf(seed, sizeof seed);
		if (!secp256k1_context_randomize(ctx, seed))
			kb_fatal(__FILE__, __LINE__, "secp256k1 randomize");
		sodium_memzero(seed, sizeof seed);
	}
	return ctx;
}
