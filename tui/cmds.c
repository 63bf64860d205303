#include "tui/cmds.h"

#include <stddef.h>
#include <string.h>

/* The command groups, each in its own file. */
extern const struct cli_command tui_cli_wallet_commands[];
extern const struct cli_command tui_cli_node_commands[];
extern const struct cli_command tui_cli_send_commands[];

static const struct cli_command *const groups[] = {
	tui_cli_wallet_commands,
	tui_cli_node_commands,
	tui_cli_send_commands,
};

const struct cli_command *tui_cli_command_find(const char *name)
{
	for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
		for (const struct cli_command *c = groups[g]; c->name; c++)
			if (strcmp(c->name, name) == 0)
				return c;
	return NULL;
}

void tui_cli_command_each(void (*fn)(const struct cli_command *cmd, void *arg), void *arg)
{
	for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
		for (const struct cli_command *c = groups[g]; c->name; c++)
			fn(c, arg);
}
