/*
 * The scriptable command line: `koban [options] COMMAND [ARGS]`.
 * Exit status: 0 success, 1 the user's error, 2 anything else.
 */
#ifndef KOBAN_TUI_CLI_H
#define KOBAN_TUI_CLI_H

int tui_cli_main(int argc, char **argv);

#endif
