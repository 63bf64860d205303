#include "tui/cmds.h"

const struct cli_command tui_cli_commands[] = {
	{ NULL, NULL, NULL, NULL },
};
