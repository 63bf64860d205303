/*
 * Command handlers of the command line (tui/cli.c dispatches). Each takes
 * its own arguments (argv[0] is the command name) and returns an exit
 * status (enum cli_exit).
 */
#ifndef KOBAN_TUI_CMDS_H
#define KOBAN_TUI_CMDS_H

#include "tui/cli.h"

struct cli_command {
	const char *name;
	int (*run)(struct cli *c, int argc, char **argv);
	const char *args;     /* usage after the name */
	const char *summary;
};

/* The command called name, or NULL. */
const struct cli_command *tui_cli_command_find(const char *name);
/* Calls fn for every command, in help order. */
void tui_cli_command_each(void (*fn)(const struct cli_command *cmd, void *arg), void *arg);

#endif
