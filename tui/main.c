/* koban: a Bitcoin wallet for the terminal. */
#include "tui/cli.h"

int main(int argc, char **argv)
{
	return tui_cli_main(argc, argv);
}
