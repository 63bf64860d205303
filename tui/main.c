/* koban: a Bitcoin wallet for the terminal. */
#include "tui/cli.h"
#include "wallet/secure.h"

#include <stdio.h>

int main(int argc, char **argv)
{
	/* Before anything can hold a secret: no core dumps, not dumpable,
	 * and a check that secret memory can be locked. */
	struct wallet_secure_report rep;
	char msg[256] = "";
	if (wallet_secure_harden(&rep, msg, sizeof msg) != KB_OK)
		fprintf(stderr, "koban: warning: %s\n", msg);
	return tui_cli_main(argc, argv);
}
