#include "wallet/network.h"

#include "wallet/mem.h"

#include <string.h>

static const struct kb_netparams params[KB_NET_COUNT] = {
	{ KB_NET_MAIN, "main", "main", "mainnet", 0x00, 0x05, 0x80, "bc",
	  0x0488b21e, 0x0488ade4, 0x049d7cb2, 0x049d7878, 0x04b24746, 0x04b2430c, 0, false },
	{ KB_NET_TEST3, "test", "testnet3", "testnet3", 0x6f, 0xc4, 0xef, "tb",
	  0x043587cf, 0x04358394, 0x044a5262, 0x044a4e28, 0x045f1cf6, 0x045f18bc, 1, true },
	{ KB_NET_TEST4, "testnet4", "testnet4", "testnet4", 0x6f, 0xc4, 0xef, "tb",
	  0x043587cf, 0x04358394, 0x044a5262, 0x044a4e28, 0x045f1cf6, 0x045f18bc, 1, true },
	{ KB_NET_SIGNET, "signet", "signet", "signet", 0x6f, 0xc4, 0xef, "tb",
	  0x043587cf, 0x04358394, 0x044a5262, 0x044a4e28, 0x045f1cf6, 0x045f18bc, 1, true },
	{ KB_NET_REGTEST, "regtest", "regtest", "regtest", 0x6f, 0xc4, 0xef, "bcrt",
	  0x043587cf, 0x04358394, 0x044a5262, 0x044a4e28, 0x045f1cf6, 0x045f18bc, 1, true },
};

const struct kb_netparams *kb_net_params(enum kb_net net)
{
	KB_ASSERT((unsigned)net < KB_NET_COUNT);
	return &params[net];
}

enum kb_rc kb_net_parse(enum kb_net *out, const char *name)
{
	static const struct { const char *name; enum kb_net net; } names[] = {
		{ "main", KB_NET_MAIN }, { "mainnet", KB_NET_MAIN }, { "bitcoin", KB_NET_MAIN },
		{ "test", KB_NET_TEST3 }, { "testnet", KB_NET_TEST3 }, { "testnet3", KB_NET_TEST3 },
		{ "testnet4", KB_NET_TEST4 }, { "signet", KB_NET_SIGNET }, { "regtest", KB_NET_REGTEST },
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(name, names[i].name) == 0) {
			*out = names[i].net;
			return KB_OK;
		}
	}
	return KB_EINVAL;
}
