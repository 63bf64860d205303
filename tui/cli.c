#include "tui/cli.h"

#include "spv/spv.h"
#include "wallet/mem.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *fp)
{
	fputs(
"usage: koban [OPTIONS] [COMMAND [ARGS]]\n"
"\n"
"A self-custody Bitcoin wallet for the terminal, with its own light node.\n"
"Without a COMMAND, koban opens the terminal user interface.\n"
"\n"
"Options:\n"
"  -n, --network NET      main, test, testnet4, signet or regtest (default main)\n"
"  -d, --datadir DIR      data directory (default $XDG_DATA_HOME/koban)\n"
"  -w, --wallet NAME      wallet name (default \"default\")\n"
"      --password-file F  read the wallet password from F\n"
"      --json             print one JSON document for scripts\n"
"      --offline          never start the node: no socket, no name lookup\n"
"  -h, --help             show this help\n"
"  -V, --version          show the version\n"
"\n"
"Run `man koban` for the commands, keys, files and settings.\n", fp);
}

int tui_cli_main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0) {
			printf("koban %s\n", KOBAN_VERSION);
			return 0;
		}
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
	}
	if (argc > 1) {
		fprintf(stderr, "koban: unknown option or command '%s' (see koban --help)\n", argv[1]);
		return 1;
	}
	/* TODO(#6): the terminal UI opens here. */
	usage(stdout);
	fputs("\nThe terminal interface is not built yet: see README.md, State of the project.\n", stdout);
	return 0;
}
